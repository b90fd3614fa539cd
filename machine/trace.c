/*
 * machine/trace.c — the board's traces by category (board.h, enum
 * board_trace): one line per event, with the Capstone disassembly of the
 * instruction involved and the ELF symbol (kernel, else firmware) of its PC.
 * A category that is off costs nothing: no hook is installed for it.
 */
#include "machine/board_priv.h"

#include <string.h>

#include "tlb/tlb.h"

static const char *symbol_of(struct board *b, uint32_t pc, uint32_t *off)
{
    const char *s = b->kernel ? elfimg_symbol_at(b->kernel, pc, off) : NULL; /* none if hosted */
    return s ? s : elfimg_symbol_at(b->firmware, pc, off);
}

/* "80012345 <trap_entry+0x10>  addiu $sp, $sp, -8" */
static void describe_pc(struct board *b, uint32_t pc, uint32_t insn, bool have_insn, char *buf,
                        size_t len)
{
    char text[96] = "?", sym[80] = "";
    uint32_t word = insn, off = 0;
    if (have_insn || cpu_debug_read(b->cpu, pc, 4, &word))
        disasm_one(b->disasm, word, pc, text, sizeof text);
    const char *s = symbol_of(b, pc, &off);
    if (s)
        snprintf(sym, sizeof sym, " <%s+0x%x>", s, off);
    snprintf(buf, len, "%08x%s  %s", pc, sym, text);
}

void board_trace_exception(struct board *b, const struct cpu_event *ev)
{
    char where[200];
    switch (ev->kind) {
    case CPU_EV_EXCEPTION:
        if (!(b->trace_mask & TRACE_EXC) &&
            !((b->trace_mask & TRACE_TLB) &&
              (ev->code == EXC_TLBL || ev->code == EXC_TLBS || ev->code == EXC_MOD)))
            return;
        describe_pc(b, ev->pc, 0, false, where, sizeof where);
        fprintf(b->trace_out, "exc  %-4s pc=%s badva=%08x -> %08x\n", cpu_exc_name(ev->code), where,
                ev->a, ev->b);
        break;
    case CPU_EV_TLB_WRITE: {
        if (!(b->trace_mask & TRACE_TLB))
            return;
        struct tlb_regs e;
        tlb_read(cpu_tlb(b->cpu), ev->a, &e);
        describe_pc(b, ev->pc, 0, false, where, sizeof where);
        fprintf(b->trace_out,
                "tlb  write [%2u] vpn2=%08x asid=%02x mask=%08x lo0=%08x lo1=%08x  pc=%s\n", ev->a,
                e.entryhi & ~0x1FFFu, e.entryhi & 0xFF, e.pagemask, e.entrylo0, e.entrylo1, where);
        break;
    }
    case CPU_EV_ERET:
        if ((b->trace_mask & TRACE_GOTCHA) && ev->b) {
            describe_pc(b, ev->pc, 0, false, where, sizeof where);
            fprintf(b->trace_out, "gotcha ERET outside kernel mode did not trap: pc=%s -> %08x\n",
                    where, ev->a);
        } else if (b->trace_mask & TRACE_EXC) {
            fprintf(b->trace_out, "eret pc=%08x -> %08x\n", ev->pc, ev->a);
        }
        break;
    case CPU_EV_SENSITIVE:
        if (!(b->trace_mask & TRACE_GOTCHA))
            return;
        describe_pc(b, ev->pc, ev->a, true, where, sizeof where);
        fprintf(b->trace_out, "gotcha outside kernel mode, did not trap: pc=%s -> rt=%08x\n", where,
                ev->b);
        break;
    }
}

static void trace_insn(void *opaque, uint32_t pc, uint32_t insn)
{
    struct board *b = opaque;
    char where[200];
    describe_pc(b, pc, insn, true, where, sizeof where);
    fprintf(b->trace_out, "insn %s\n", where);
}

static void trace_io(void *opaque, unsigned bus, unsigned slot, uint32_t off, unsigned size,
                     uint32_t value, bool write, bool ok)
{
    struct board *b = opaque;
    void *dev;
    const struct iodev_ops *ops = iobus_slot_ops(b->io, bus, slot, &dev);
    const char *reg = off < SLOT_DEV_BASE ? "header" : "reg";
    uint32_t roff = off < SLOT_DEV_BASE ? off : off - SLOT_DEV_BASE;
    fprintf(b->trace_out, "io   %s bus%u.slot%u (%s) %s+0x%03x size %u %s %08x%s  pc=%08x\n",
            write ? "write" : "read ", bus, slot, ops ? ops->name : "empty", reg, roff, size,
            write ? "<-" : "->", value, ok ? "" : "  BUS ERROR", cpu_pc(b->cpu));
}

bool board_trace_parse(const char *list, unsigned *mask)
{
    static const struct {
        const char *name;
        unsigned bit;
    } names[] = {{"exceptions", TRACE_EXC}, {"exc", TRACE_EXC},     {"tlb", TRACE_TLB},
                 {"io", TRACE_IO},          {"insns", TRACE_INSNS}, {"gotcha", TRACE_GOTCHA},
                 {"tpm", TRACE_TPM}};
    char buf[128];
    if (strlen(list) >= sizeof buf)
        return false;
    strcpy(buf, list);
    for (char *save, *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        bool found = false;
        for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
            if (strcmp(tok, names[i].name) == 0) {
                *mask |= names[i].bit;
                found = true;
            }
        if (!found)
            return false;
    }
    return true;
}

static void trace_tpm(void *opaque, const struct tpm_trace_rec *r)
{
    struct board *b = opaque;
    const char *name = tpm_cc_name(r->cc);
    fprintf(b->trace_out,
            "[%llu] tpm %s (0x%x) locality %u: %u bytes -> rc %x, %u bytes, ready at cycle %llu\n",
            (unsigned long long)r->start, name ? name : "command", r->cc, r->locality, r->cmd_len,
            r->rc, r->resp_len, (unsigned long long)r->done);
}

void board_set_trace(board_t *b, unsigned mask, FILE *out)
{
    if (!out)
        mask = 0;
    b->trace_mask = mask;
    b->trace_out = out;
    if (mask && !b->disasm)
        b->disasm = disasm_new(!b->cfg->little_endian);
    cpu_set_insn_hook(b->cpu, (mask & TRACE_INSNS) ? trace_insn : NULL, b);
    iobus_set_trace(b->io, (mask & TRACE_IO) ? trace_io : NULL, b);
    if (b->tpm)
        tpm_set_trace(b->tpm, (mask & TRACE_TPM) ? trace_tpm : NULL, b);
}
