/*
 * vmm/emulate.c — the guest's virtual CP0: privileged instructions emulated
 * against it (MFC0/MTC0, TLBR/TLBWI/TLBWR/TLBP on the virtual TLB, ERET,
 * WAIT, DI/EI, CACHE), trapped device accesses emulated against the guest's
 * own bus set, and exceptions reflected into the guest's handlers. Every
 * register rule is the real CPU's (cpu/cp0_rules.h, over the guest's own
 * register set): this file adds only what the monitor must do besides — the
 * real ASID of the guest's context, the gotcha observer, traces.
 */
#include "vmm/vmm_priv.h"

#include <string.h>

#include "cpu/cp0_regs.h"
#include "machine/rom.h"
#include "vmm/memop.h"

#define RS(i) (((i) >> 21) & 31u)
#define RT(i) (((i) >> 16) & 31u)
#define RD(i) (((i) >> 11) & 31u)

enum vmm_vmode guest_vmode(const struct guest *g)
{
    return (enum vmm_vmode)cp0_rule_mode(g->cp0.status);
}

static uint64_t now_cycles(const struct guest *g) { return cpu_cycles(g->v->cpu); }

/* ---- Count/Compare ------------------------------------------------------ */

void guest_update_timer(struct guest *g, uint64_t now) { cp0_rule_timer_update(&g->cp0, now); }

void guest_reset_cp0(struct guest *g)
{
    /* The identification registers are the real CPU's, with the guest's TLB size. */
    cp0_rule_reset(&g->cp0, cpu_cp0_read(g->v->cpu, C0_PRID, 0), !g->v->cfg->board.little_endian,
                   tlb_size(g->vtlb), now_cycles(g));
    g->storm = (struct storm){0}; /* a new boot: nothing repeats yet */
}

/* ---- interrupts ---------------------------------------------------------- */

/* Lines of the guest's own buses, from the real interrupt controller. */
static uint32_t owned_lines(const struct guest *g)
{
    uint32_t lines = 0;
    for (unsigned b = 0; b < g->v->cfg->board.buses; b++) {
        if (!(g->cfg->buses & (1u << b)))
            continue;
        unsigned line = iobus_bus_line(g->v->io, b);
        if (line)
            lines |= 1u << line;
    }
    return lines;
}

/* What the guest's CP0 rules see: now, its TLB, and (only Cause needs them:
 * reading the real controller costs) its interrupt lines. */
static struct cp0_env guest_env(const struct guest *g)
{
    return (struct cp0_env){now_cycles(g), tlb_size(g->vtlb), 0, false, false,
                            false}; /* EBase, KScratch, BadInstr as stock MIPS32r2 */
}

/* Cause as the guest reads it: its emulated and owned lines and its timer. */
uint32_t guest_cause(struct guest *g)
{
    guest_update_timer(g, now_cycles(g));
    return cp0_rule_cause(&g->cp0, (uint8_t)(g->vlines | owned_lines(g)));
}

bool guest_can_ever_wake(struct guest *g)
{
    if (guest_wakeable(g))
        return true;
    uint32_t im = (g->cp0.status & ST_IM_MASK) >> ST_IM_SHIFT;
    if ((im & (1u << 7)) && !(g->cp0.cause & CAUSE_DC))
        return true; /* its Count reaches Compare */
    for (unsigned line = 2; line <= 6; line++) {
        if (!(im & (1u << line)))
            continue;
        if (iobus_line_can_rise(g->vio, line)) /* an emulated device */
            return true;
        for (unsigned b = 0; b < g->v->cfg->board.buses; b++)
            if ((g->cfg->buses & (1u << b)) && (b < 4 ? 2 + b : 6) == line &&
                iobus_line_can_rise(g->v->io, line))
                return true; /* a device of its own bus */
    }
    return false;
}

bool guest_wakeable(struct guest *g)
{
    return !g->halted && (guest_cause(g) & g->cp0.status & ST_IM_MASK) != 0;
}

/* A guest whose WAIT ends at once on an interrupt it does not take (its IE
 * off), with the same lines pending, a few instructions after the last one,
 * for CPU_SPIN_LIMIT cycles, wakes only to go back to sleep: it is stuck (as
 * the CPU judges its own, cpu.h). */
static bool spinning(struct guest *g, uint64_t now)
{
    uint32_t lines = guest_cause(g) & g->cp0.status & ST_IM_MASK;
    struct cpu_stats st; /* the machine's live count: another guest's slice breaks the streak */
    cpu_get_stats(g->v->cpu, &st);
    if (lines != g->spin_lines || st.insns - g->spin_insns > 64) {
        g->spin_lines = lines;
        g->spin_start = now;
    }
    g->spin_insns = st.insns;
    return now - g->spin_start >= CPU_SPIN_LIMIT;
}

/* For the running guest: deliver a pending, enabled interrupt. */
bool guest_irq_check(struct guest *g)
{
    if (g->halted)
        return false;
    uint32_t st = g->cp0.status;
    uint32_t pending = guest_cause(g) & st & ST_IM_MASK;
    if (!pending)
        return false;
    bool was_waiting = g->waiting;
    g->waiting = false;
    if (!(st & ST_IE) || (st & (ST_EXL | ST_ERL))) {
        if (was_waiting && spinning(g, now_cycles(g))) {
            g->stuck = true; /* the scheduler sets it aside */
            cpu_request_stop(g->v->cpu);
        }
        return false;
    }
    g->st.interrupts++;
    guest_reflect(g, EXC_INT, cpu_pc(g->v->cpu), false, 0, false, 0);
    if (g->v->observer)
        observe_event(g, VMM_EV_INTERRUPT, EXC_INT, g->cp0.epc, 0, false);
    return true;
}

/* ---- reflection ---------------------------------------------------------- */

void guest_reflect(struct guest *g, unsigned code, uint32_t epc, bool bd, uint32_t badva,
                   bool refill, unsigned ce)
{
    struct cp0_exception x = {code, epc, bd, badva, refill, ce};
    uint32_t vector = cp0_rule_exception(&g->cp0, &x);
    if (storm_exception(&g->storm, code, epc, badva, guest_insns_now(g)) && !g->v->stormed) {
        g->v->stormed = g->id + 1;
        cpu_request_stop(g->v->cpu);
    }
    gotcha_follow(g, GOTCHA_EXCEPTION, 0);
    cpu_set_pc(g->v->cpu, vector);
    g->waiting = false;
    g->st.reflected[code & 31]++;
    shadow_set_asid(g);
    vmm_tracef(g->v, "vmm %s reflect %s epc=%08x badva=%08x -> %08x", g->cfg->name,
               cpu_exc_name(code), epc, badva, vector);
}

struct vmm_outcome guest_reflect_trap(struct guest *g, const struct cpu_trap *t, unsigned code)
{
    guest_reflect(g, code, t->epc, t->bd, t->badvaddr, false, t->ce);
    struct vmm_outcome o = vmm_outcome_of(VMM_TRAP_EXCEPTION);
    o.reflected = (int)code;
    return o;
}

/* ---- CP0 registers ------------------------------------------------------- */

static uint32_t vcp0_read(struct guest *g, unsigned reg, unsigned sel)
{
    if (reg == C0_CAUSE && sel == 0)
        return guest_cause(g); /* the rule, with the guest's lines and timer */
    struct cp0_env e = guest_env(g);
    return cp0_rule_read(&g->cp0, reg, sel, &e);
}

uint32_t guest_cp0_read(struct guest *g, unsigned reg, unsigned sel)
{
    return vcp0_read(g, reg, sel);
}

static void vcp0_write(struct guest *g, unsigned reg, unsigned sel, uint32_t v)
{
    struct cp0_env e = guest_env(g);
    unsigned changed = cp0_rule_write(&g->cp0, reg, sel, v, &e);
    if (changed & CP0_CHANGED_STATUS)
        gotcha_follow(g, GOTCHA_STATUS, g->cp0.status);
    if (changed & (CP0_CHANGED_STATUS | CP0_CHANGED_ASID))
        shadow_set_asid(g); /* the context (mode) or the guest ASID changed */
}

/* ---- TLB instructions and ERET ------------------------------------------ */

static void vtlbw(struct guest *g, bool random)
{
    struct tlb_regs r;
    unsigned i = cp0_rule_tlbw_index(&g->cp0, g->vtlb, random, now_cycles(g), &r);
    shadow_flush_vtlb_entry(g, (int)i); /* real entries made from the old one */
    tlb_write(g->vtlb, i, &r);
    modules_guest_tlb_write(g, i, &r);
}

static void vtlbr(struct guest *g)
{
    if (cp0_rule_tlbr(&g->cp0, g->vtlb) & CP0_CHANGED_ASID)
        shadow_set_asid(g);
}

static void veret(struct guest *g)
{
    uint32_t target = cp0_rule_eret(&g->cp0);
    storm_eret(&g->storm, target, guest_insns_now(g));
    gotcha_follow(g, GOTCHA_ERET, 0);
    cpu_set_pc(g->v->cpu, target);
    shadow_set_asid(g);
}

/* Emulate a coprocessor-0 instruction (or CACHE) of the guest's kernel.
 * False if it is not one this CPU has (the caller reflects RI). */
bool guest_emulate_cop0(struct guest *g, const struct cpu_trap *t)
{
    cpu_t *cpu = g->v->cpu;
    uint32_t insn = t->insn;
    enum vmm_emul_op op;
    if (insn >> 26 == 0x2F) { /* CACHE: there are no caches */
        g->st.emulated[VMM_OP_CACHE]++;
        cpu_trap_skip(cpu);
        return true;
    }
    if (insn >> 26 != 0x10)
        return false;
    unsigned rs = RS(insn);
    if (rs == 0 || rs == 4) {
        if (insn & 0x7F8u) /* bits 10..3 must be zero */
            return false;
        if (rs == 0) {
            op = VMM_OP_MFC0;
            uint32_t val = vcp0_read(g, RD(insn), insn & 7u);
            cpu_trap_skip(cpu);
            cpu_set_gpr(cpu, RT(insn), val);
        } else {
            op = VMM_OP_MTC0;
            vcp0_write(g, RD(insn), insn & 7u, cpu_gpr(cpu, RT(insn)));
            cpu_trap_skip(cpu);
        }
    } else if (rs == 0x0B && RD(insn) == 12 && (insn & 0x7DFu) == 0) { /* DI / EI */
        bool ei = (insn >> 5) & 1u;
        op = ei ? VMM_OP_EI : VMM_OP_DI;
        uint32_t old = g->cp0.status;
        g->cp0.status = ei ? old | ST_IE : old & ~ST_IE;
        gotcha_follow(g, GOTCHA_IE, ei);
        cpu_trap_skip(cpu);
        cpu_set_gpr(cpu, RT(insn), old);
    } else if (rs & 0x10) {
        switch (insn & 0x01FFFFFFu) {
        case 0x01:
            op = VMM_OP_TLBR;
            vtlbr(g);
            break;
        case 0x02:
            op = VMM_OP_TLBWI;
            vtlbw(g, false);
            break;
        case 0x06:
            op = VMM_OP_TLBWR;
            vtlbw(g, true);
            break;
        case 0x08:
            op = VMM_OP_TLBP;
            cp0_rule_tlbp(&g->cp0, g->vtlb);
            break;
        case 0x18:
            if (t->bd)
                return false; /* ERET in a delay slot: Reserved Instruction, as natively */
            g->st.emulated[VMM_OP_ERET]++;
            veret(g);
            return true; /* no skip: ERET sets the PC and has no delay slot */
        case 0x20:
            op = VMM_OP_WAIT;
            g->waiting = true;
            break;
        default: return false;
        }
        cpu_trap_skip(cpu);
    } else {
        return false;
    }
    g->st.emulated[op]++;
    return true;
}

/* ---- trapped device accesses -------------------------------------------- */

struct vmm_outcome guest_emulate_mmio(struct guest *g, const struct cpu_trap *t,
                                      const struct vmm_region *r, uint32_t gpa)
{
    cpu_t *cpu = g->v->cpu;
    struct vmm_outcome o = vmm_outcome_of(VMM_TRAP_MMIO);
    o.mmio = true;
    struct memop m;
    if (!memop_decode(t->insn, &m) || m.lanes != MEMOP_ALIGNED || m.linked) {
        /* LWL/LWR/LL/SC... to a device: the bus refuses them */
        o.reflected = guest_reflect_trap(g, t, EXC_DBE).reflected;
        return o;
    }
    unsigned size = m.size;
    bool store = m.store;
    phys_t *target = g->vphys;
    if (r->kind == VMM_REGION_INTC) {
        unsigned bus = (gpa - IOBUS_INTC_BASE) / 16u;
        if (bus < IOBUS_MAX_BUSES && (g->cfg->buses & (1u << bus)))
            target = g->v->phys; /* its own bus's block: the real controller */
    }
    uint32_t val = 0;
    enum phys_result res;
    if (store) {
        val = memop_extend(&(struct memop){.size = size}, cpu_gpr(cpu, m.rt)); /* size bytes */
        res = phys_write(target, gpa, size, val);
        g->st.emulated[VMM_OP_STORE]++;
    } else {
        res = phys_read(target, gpa, size, &val);
        val = memop_extend(&m, val);
        g->st.emulated[VMM_OP_LOAD]++;
    }
    vmm_tracef(g->v, "vmm %s mmio %s%u %08x %s %08x%s", g->cfg->name, store ? "store" : "load",
               size * 8, gpa, store ? "<-" : "->", val, res == PHYS_OK ? "" : " bus error");
    if (res != PHYS_OK) {
        o.reflected = guest_reflect_trap(g, t, EXC_DBE).reflected;
        return o;
    }
    cpu_trap_skip(cpu);
    if (!store)
        cpu_set_gpr(cpu, m.rt, val);
    return o;
}
