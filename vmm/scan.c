/*
 * vmm/scan.c — find sensitive unprivileged instructions with Capstone
 * (vmm/scan.h). Capstone names the instruction; the scanner decides whether
 * the CPU's switches leave it untrapped (MFC0 only for Status and Cause,
 * select 0, as CPU_EXT_MFC0_UNPRIV).
 */
#include "vmm/scan.h"

#include <capstone/capstone.h>
#include <stdlib.h>

#include "cpu/cpu.h"

#define CP0_STATUS 12
#define CP0_CAUSE  13

struct scanner {
    csh cs, cs_detail; /* a fast sweep without operand detail; detail for MFC0 */
    cs_insn *insn, *insn_detail;
    uint32_t unsafe;
    bool big_endian;
    bool full_sweep;
};

scanner_t *scanner_new(bool big_endian, uint32_t unsafe)
{
    scanner_t *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    cs_mode mode = CS_MODE_MIPS32 | (big_endian ? CS_MODE_BIG_ENDIAN : CS_MODE_LITTLE_ENDIAN);
    bool ok = cs_open(CS_ARCH_MIPS, mode, &s->cs) == CS_ERR_OK;
    if (ok && cs_open(CS_ARCH_MIPS, mode, &s->cs_detail) == CS_ERR_OK) {
        cs_option(s->cs_detail, CS_OPT_DETAIL, CS_OPT_ON);
        s->insn_detail = cs_malloc(s->cs_detail);
    }
    if (ok)
        s->insn = cs_malloc(s->cs);
    if (!s->insn || !s->insn_detail) {
        scanner_free(s);
        return NULL;
    }
    s->unsafe = unsafe;
    s->big_endian = big_endian;
    return s;
}

void scanner_free(scanner_t *s)
{
    if (!s)
        return;
    if (s->insn)
        cs_free(s->insn, 1);
    if (s->insn_detail)
        cs_free(s->insn_detail, 1);
    if (s->cs)
        cs_close(&s->cs);
    if (s->cs_detail)
        cs_close(&s->cs_detail);
    free(s);
}

/* Is this decoded instruction (at code, addr) one the switches let through? */
static bool sensitive(scanner_t *s, const cs_insn *in, const uint8_t *code, uint64_t addr,
                      enum scan_kind *kind)
{
    switch (in->id) {
    case MIPS_INS_ERET: *kind = SCAN_ERET; return (s->unsafe & CPU_EXT_ERET_UNPRIV) != 0;
    case MIPS_INS_DI: *kind = SCAN_DI; return (s->unsafe & CPU_EXT_DIEI_UNPRIV) != 0;
    case MIPS_INS_EI: *kind = SCAN_EI; return (s->unsafe & CPU_EXT_DIEI_UNPRIV) != 0;
    case MIPS_INS_MFC0: {
        if (!(s->unsafe & CPU_EXT_MFC0_UNPRIV))
            return false;
        /* mfc0 rt, rd, sel: Capstone's detail gives rd as a register operand */
        size_t left = 4;
        if (!cs_disasm_iter(s->cs_detail, &code, &left, &addr, s->insn_detail))
            return false;
        const cs_mips *m = &s->insn_detail->detail->mips;
        if (m->op_count < 2 || m->operands[1].type != MIPS_OP_REG)
            return false;
        int rd = (int)m->operands[1].reg - MIPS_REG_0;
        int64_t sel =
            m->op_count > 2 && m->operands[2].type == MIPS_OP_IMM ? m->operands[2].imm : 0;
        *kind = SCAN_MFC0;
        return sel == 0 && (rd == CP0_STATUS || rd == CP0_CAUSE);
    }
    default: return false;
    }
}

void scanner_set_full_sweep(scanner_t *s, bool on) { s->full_sweep = on; }

unsigned scanner_scan(scanner_t *s, const uint8_t *code, size_t len, uint32_t addr,
                      struct scan_site *out, unsigned max)
{
    unsigned n = 0;
    for (size_t off = 0; off + 4 <= len; off += 4) {
        const uint8_t *p = code + off;
        /* Every instruction the switches concern is in the COP0 major opcode
         * (bits 31..26 = 010000); Capstone decides about those words. Its
         * printer costs ~0.3 us per word, so the rest are skipped unless a
         * full sweep was asked for (bench_scan compares the two). */
        uint8_t major = s->big_endian ? p[0] : p[3];
        if (!s->full_sweep && (major >> 2) != 0x10)
            continue;
        size_t left = 4;
        uint64_t a = addr + off;
        if (!cs_disasm_iter(s->cs, &p, &left, &a, s->insn))
            continue; /* not an instruction Capstone knows: not one of ours either */
        enum scan_kind kind;
        if (!sensitive(s, s->insn, code + off, addr + off, &kind))
            continue;
        if (n < max) {
            const uint8_t *w = code + off;
            out[n].offset = (uint32_t)off;
            out[n].insn =
                s->big_endian
                    ? (uint32_t)w[0] << 24 | (uint32_t)w[1] << 16 | (uint32_t)w[2] << 8 | w[3]
                    : (uint32_t)w[3] << 24 | (uint32_t)w[2] << 16 | (uint32_t)w[1] << 8 | w[0];
            out[n].kind = kind;
        }
        n++;
    }
    return n;
}

const char *scan_kind_name(enum scan_kind k)
{
    static const char *const names[SCAN_KINDS] = {"eret", "mfc0", "di", "ei"};
    return k < SCAN_KINDS ? names[k] : "?";
}
