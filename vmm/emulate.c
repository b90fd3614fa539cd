/*
 * vmm/emulate.c — the guest's virtual CP0: privileged instructions emulated
 * against it (MFC0/MTC0, TLBR/TLBWI/TLBWR/TLBP on the virtual TLB, ERET,
 * WAIT, DI/EI, CACHE), trapped device accesses emulated against the guest's
 * own bus set, and exceptions reflected into the guest's handlers with the
 * EPC/Cause/BadVAddr/Status/Context/EntryHi its hardware would have produced
 * (the same rules as cpu/cp0.c's cpu_trap_deliver).
 */
#include "vmm/vmm_priv.h"

#include <string.h>

#include "cpu/cp0_regs.h"
#include "machine/rom.h"

#define RS(i) (((i) >> 21) & 31u)
#define RT(i) (((i) >> 16) & 31u)
#define RD(i) (((i) >> 11) & 31u)

#define STATUS_WRITABLE (ST_CU0 | ST_BEV | ST_IM_MASK | ST_KSU_MASK | ST_ERL | ST_EXL | ST_IE)
#define CAUSE_WRITABLE  (CAUSE_IV | 0x300u)

enum vmm_vmode guest_vmode(const struct guest *g)
{
    uint32_t st = g->cp0.status;
    if (st & (ST_EXL | ST_ERL))
        return VMODE_KERNEL;
    unsigned ksu = (st & ST_KSU_MASK) >> ST_KSU_SHIFT;
    return ksu == 0 ? VMODE_KERNEL : ksu == 1 ? VMODE_SUPERVISOR : VMODE_USER;
}

static uint64_t now_cycles(const struct guest *g) { return cpu_cycles(g->v->cpu); }

/* ---- Count/Compare ------------------------------------------------------ */

static uint32_t vcount(const struct guest *g, uint64_t now)
{
    return (uint32_t)now + g->cp0.count_offset;
}

static void timer_rearm(struct guest *g, uint64_t now)
{
    uint32_t delta = g->cp0.compare - vcount(g, now);
    g->cp0.timer_deadline = now + (delta ? delta : 0x100000000ull);
}

void guest_update_timer(struct guest *g, uint64_t now)
{
    if (now >= g->cp0.timer_deadline) {
        g->cp0.cause |= CAUSE_TI;
        timer_rearm(g, now);
    }
}

void guest_reset_cp0(struct guest *g)
{
    struct vcp0 *c = &g->cp0;
    memset(c, 0, sizeof *c);
    c->status = ST_BEV | ST_ERL;
    c->ebase = 0x80000000u;
    uint64_t now = now_cycles(g);
    c->count_offset = (uint32_t)0 - (uint32_t)now;
    c->random_epoch = now;
    timer_rearm(g, now);
}

/* ---- interrupts ---------------------------------------------------------- */

/* Lines of the guest's own buses, from the real interrupt controller. */
static uint32_t owned_lines(const struct guest *g)
{
    uint32_t lines = 0;
    for (unsigned b = 0; b < g->v->cfg.board.buses; b++) {
        if (!(g->cfg.buses & (1u << b)))
            continue;
        uint32_t pend = 0, en = 0;
        if (phys_read(g->v->phys, IOBUS_INTC_BASE + INTC_REG_PENDING(b), 4, &pend) == PHYS_OK &&
            phys_read(g->v->phys, IOBUS_INTC_BASE + INTC_REG_ENABLE(b), 4, &en) == PHYS_OK &&
            (pend & en))
            lines |= 1u << (b < 4 ? 2 + b : 6);
    }
    return lines;
}

/* Cause as the guest reads it: its emulated and owned lines and its timer. */
uint32_t guest_cause(struct guest *g)
{
    guest_update_timer(g, now_cycles(g));
    uint32_t lines = g->vlines | owned_lines(g);
    uint32_t cause = (g->cp0.cause & ~(CAUSE_IP_MASK & ~0x300u)) | (lines & 0x7Cu) << CAUSE_IP_SHIFT;
    if (cause & CAUSE_TI)
        cause |= CAUSE_IP7;
    return cause;
}

bool guest_wakeable(struct guest *g)
{
    return !g->halted && (guest_cause(g) & g->cp0.status & ST_IM_MASK) != 0;
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
    g->waiting = false;
    if (!(st & ST_IE) || (st & (ST_EXL | ST_ERL)))
        return false;
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
    struct vcp0 *c = &g->cp0;
    uint32_t offset = VEC_OFF_GENERAL;
    if (!(c->status & ST_EXL)) {
        c->epc = epc;
        if (bd)
            c->cause |= CAUSE_BD;
        else
            c->cause &= ~CAUSE_BD;
        if (refill)
            offset = VEC_OFF_REFILL;
    }
    if (code == EXC_INT && (c->cause & CAUSE_IV))
        offset = VEC_OFF_INT;
    c->cause = (c->cause & ~(CAUSE_EXC_MASK | CAUSE_CE_MASK)) | (code << CAUSE_EXC_SHIFT) |
               ((ce & 3u) << CAUSE_CE_SHIFT);
    if (code == EXC_ADEL || code == EXC_ADES || code == EXC_TLBL || code == EXC_TLBS ||
        code == EXC_MOD) {
        c->badvaddr = badva;
        if (code != EXC_ADEL && code != EXC_ADES) {
            c->context = (c->context & 0xFF800000u) | ((badva >> 9) & 0x007FFFF0u);
            c->entryhi = (badva & ENTRYHI_VPN2_MASK) | (c->entryhi & ENTRYHI_ASID_MASK);
        }
    }
    c->status |= ST_EXL;
    gotcha_follow(g, GOTCHA_EXCEPTION, 0);
    uint32_t base = (c->status & ST_BEV) ? VEC_BEV_BASE : (c->ebase & 0xFFFFF000u);
    cpu_set_pc(g->v->cpu, base + offset);
    g->waiting = false;
    g->st.reflected[code & 31]++;
    shadow_set_asid(g);
    vmm_tracef(g->v, "vmm %s reflect %s epc=%08x badva=%08x -> %08x", g->cfg.name,
               cpu_exc_name(code), epc, badva, base + offset);
}

struct vmm_outcome guest_reflect_trap(struct guest *g, const struct cpu_trap *t, unsigned code)
{
    guest_reflect(g, code, t->epc, t->bd, t->badvaddr, false, t->ce);
    struct vmm_outcome o = vmm_outcome_of(VMM_TRAP_EXCEPTION);
    o.reflected = (int)code;
    return o;
}

/* ---- CP0 registers ------------------------------------------------------- */

static uint32_t index_mask(const struct guest *g)
{
    uint32_t m = 1;
    while (m < tlb_size(g->vtlb))
        m <<= 1;
    return m - 1;
}

static uint32_t vrandom(const struct guest *g)
{
    uint32_t n = tlb_size(g->vtlb), wired = g->cp0.wired;
    if (wired >= n)
        return n - 1;
    uint64_t now = now_cycles(g);
    uint64_t steps = now > g->cp0.random_epoch ? now - g->cp0.random_epoch : 0;
    return n - 1 - (uint32_t)(steps % (n - wired));
}

static uint32_t vcp0_read(struct guest *g, unsigned reg, unsigned sel)
{
    struct vcp0 *c = &g->cp0;
    cpu_t *cpu = g->v->cpu;
    unsigned mmu = tlb_size(g->vtlb) - 1;
    switch (reg << 3 | sel) {
    case C0_INDEX << 3: return c->index;
    case C0_RANDOM << 3: return vrandom(g);
    case C0_ENTRYLO0 << 3: return c->entrylo0;
    case C0_ENTRYLO1 << 3: return c->entrylo1;
    case C0_CONTEXT << 3: return c->context;
    case C0_CONTEXT << 3 | 2: return c->userlocal;
    case C0_PAGEMASK << 3: return c->pagemask;
    case C0_WIRED << 3: return c->wired;
    case C0_HWRENA << 3: return c->hwrena;
    case C0_BADVADDR << 3: return c->badvaddr;
    case C0_COUNT << 3: return vcount(g, now_cycles(g));
    case C0_ENTRYHI << 3: return c->entryhi;
    case C0_COMPARE << 3: return c->compare;
    case C0_STATUS << 3: return c->status;
    case C0_STATUS << 3 | 1: return 7u << 29;
    case C0_CAUSE << 3: return guest_cause(g);
    case C0_EPC << 3: return c->epc;
    case C0_PRID << 3: return cpu_cp0_read(cpu, C0_PRID, 0);
    case C0_PRID << 3 | 1: return c->ebase;
    case C0_CONFIG << 3: return cpu_cp0_read(cpu, C0_CONFIG, 0);
    case C0_CONFIG << 3 | 1:
        return (cpu_cp0_read(cpu, C0_CONFIG, 1) & ~(0x3Fu << 25)) | (mmu & 0x3Fu) << 25;
    case C0_CONFIG << 3 | 2: return cpu_cp0_read(cpu, C0_CONFIG, 2);
    case C0_CONFIG << 3 | 3: return cpu_cp0_read(cpu, C0_CONFIG, 3);
    case C0_CONFIG << 3 | 4: return (cpu_cp0_read(cpu, C0_CONFIG, 4) & ~0xFFu) | (mmu >> 6);
    case C0_LLADDR << 3: return c->lladdr;
    case C0_ERROREPC << 3: return c->errorepc;
    default: return 0;
    }
}

static void vcp0_write(struct guest *g, unsigned reg, unsigned sel, uint32_t v)
{
    struct vcp0 *c = &g->cp0;
    uint64_t now = now_cycles(g);
    switch (reg << 3 | sel) {
    case C0_INDEX << 3: c->index = (c->index & 0x80000000u) | (v & index_mask(g)); break;
    case C0_ENTRYLO0 << 3: c->entrylo0 = v & 0x03FFFFFFu; break;
    case C0_ENTRYLO1 << 3: c->entrylo1 = v & 0x03FFFFFFu; break;
    case C0_CONTEXT << 3: c->context = (c->context & 0x007FFFFFu) | (v & 0xFF800000u); break;
    case C0_CONTEXT << 3 | 2: c->userlocal = v; break;
    case C0_PAGEMASK << 3: c->pagemask = v & PAGEMASK_MASK; break;
    case C0_WIRED << 3:
        c->wired = v & index_mask(g);
        c->random_epoch = now + 1;
        break;
    case C0_HWRENA << 3: c->hwrena = v & 0x2000000Fu; break;
    case C0_COUNT << 3:
        c->count_offset = v - (uint32_t)now;
        timer_rearm(g, now);
        break;
    case C0_ENTRYHI << 3: {
        uint32_t old = c->entryhi;
        c->entryhi = v & (ENTRYHI_VPN2_MASK | ENTRYHI_ASID_MASK);
        if ((old ^ c->entryhi) & ENTRYHI_ASID_MASK)
            shadow_set_asid(g);
        break;
    }
    case C0_COMPARE << 3:
        c->compare = v;
        c->cause &= ~CAUSE_TI;
        timer_rearm(g, now);
        break;
    case C0_STATUS << 3:
        c->status = (c->status & ~STATUS_WRITABLE) | (v & STATUS_WRITABLE);
        gotcha_follow(g, GOTCHA_STATUS, c->status);
        shadow_set_asid(g);
        break;
    case C0_CAUSE << 3: c->cause = (c->cause & ~CAUSE_WRITABLE) | (v & CAUSE_WRITABLE); break;
    case C0_EPC << 3: c->epc = v; break;
    case C0_PRID << 3 | 1: c->ebase = 0x80000000u | (v & 0x3FFFF000u); break;
    case C0_ERROREPC << 3: c->errorepc = v; break;
    default: break;
    }
}

/* ---- TLB instructions and ERET ------------------------------------------ */

static void vtlbw(struct guest *g, unsigned i)
{
    struct vcp0 *c = &g->cp0;
    struct tlb_regs r = {c->entryhi, c->entrylo0, c->entrylo1, c->pagemask};
    shadow_flush_vtlb_entry(g, (int)i); /* real entries made from the old one */
    tlb_write(g->vtlb, i, &r);
    modules_guest_tlb_write(g, i, &r);
}

static void vtlbr(struct guest *g)
{
    struct vcp0 *c = &g->cp0;
    struct tlb_regs r;
    tlb_read(g->vtlb, (c->index & index_mask(g)) % tlb_size(g->vtlb), &r);
    uint32_t old = c->entryhi;
    c->entryhi = r.entryhi;
    c->entrylo0 = r.entrylo0;
    c->entrylo1 = r.entrylo1;
    c->pagemask = r.pagemask;
    if ((old ^ r.entryhi) & ENTRYHI_ASID_MASK)
        shadow_set_asid(g);
}

static void veret(struct guest *g)
{
    struct vcp0 *c = &g->cp0;
    uint32_t target;
    if (c->status & ST_ERL) {
        target = c->errorepc;
        c->status &= ~ST_ERL;
    } else {
        target = c->epc;
        c->status &= ~ST_EXL;
    }
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
        case 0x01: op = VMM_OP_TLBR; vtlbr(g); break;
        case 0x02:
            op = VMM_OP_TLBWI;
            vtlbw(g, (g->cp0.index & index_mask(g)) % tlb_size(g->vtlb));
            break;
        case 0x06: op = VMM_OP_TLBWR; vtlbw(g, vrandom(g)); break;
        case 0x08: {
            op = VMM_OP_TLBP;
            int i = tlb_probe(g->vtlb, g->cp0.entryhi);
            g->cp0.index = i >= 0 ? (uint32_t)i : 0x80000000u;
            break;
        }
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
    uint32_t insn = t->insn;
    unsigned size = 0;
    bool store = false, sign = false;
    switch (insn >> 26) {
    case 0x20: size = 1; sign = true; break; /* LB */
    case 0x24: size = 1; break;              /* LBU */
    case 0x21: size = 2; sign = true; break; /* LH */
    case 0x25: size = 2; break;              /* LHU */
    case 0x23: size = 4; break;              /* LW */
    case 0x28: size = 1; store = true; break;
    case 0x29: size = 2; store = true; break;
    case 0x2B: size = 4; store = true; break;
    default: break;
    }
    struct vmm_outcome o = vmm_outcome_of(VMM_TRAP_MMIO);
    o.mmio = true;
    if (!size) { /* LWL/LWR/LL/SC... to a device: the bus refuses them */
        o.reflected = guest_reflect_trap(g, t, EXC_DBE).reflected;
        return o;
    }
    phys_t *target = g->vphys;
    if (r->kind == VMM_REGION_INTC) {
        unsigned bus = (gpa - IOBUS_INTC_BASE) / 16u;
        if (bus < IOBUS_MAX_BUSES && (g->cfg.buses & (1u << bus)))
            target = g->v->phys; /* its own bus's block: the real controller */
    }
    uint32_t val = 0;
    enum phys_result res;
    if (store) {
        val = cpu_gpr(cpu, RT(insn));
        if (size < 4)
            val &= (1u << (8 * size)) - 1;
        res = phys_write(target, gpa, size, val);
        g->st.emulated[VMM_OP_STORE]++;
    } else {
        res = phys_read(target, gpa, size, &val);
        if (sign)
            val = size == 1 ? (uint32_t)(int32_t)(int8_t)val : (uint32_t)(int32_t)(int16_t)val;
        g->st.emulated[VMM_OP_LOAD]++;
    }
    vmm_tracef(g->v, "vmm %s mmio %s%u %08x %s %08x%s", g->cfg.name, store ? "store" : "load",
               size * 8, gpa, store ? "<-" : "->", val, res == PHYS_OK ? "" : " bus error");
    if (res != PHYS_OK) {
        o.reflected = guest_reflect_trap(g, t, EXC_DBE).reflected;
        return o;
    }
    cpu_trap_skip(cpu);
    if (!store)
        cpu_set_gpr(cpu, RT(insn), val);
    return o;
}
