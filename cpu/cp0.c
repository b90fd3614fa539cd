/*
 * cpu/cp0.c — System Control Coprocessor: register semantics, exception
 * delivery, interrupts, the Count/Compare timer, TLB instructions and ERET
 * (MIPS32 PRA, chapters 6-9). Also the host lookup cache's invalidation,
 * since every event that invalidates it is a CP0 event.
 */
#include "cpu/cpu_priv.h"

#include <string.h>

/* ---- host lookup cache -------------------------------------------------- */

void hcache_flush_all(struct cpu *c)
{
    struct hcache_entry *e = &c->hcache[0][0][0];
    for (size_t i = 0; i < sizeof(c->hcache) / sizeof(*e); i++)
        e[i].tag = HCACHE_INVALID;
}

/* Drop cached pages in [vaddr, vaddr+len). Large ranges flush everything. */
void hcache_flush_range(struct cpu *c, uint32_t vaddr, uint32_t len)
{
    uint32_t pages = (len + 0xFFFu) >> 12;
    if (pages >= HCACHE_SIZE) {
        hcache_flush_all(c);
        return;
    }
    uint32_t page = vaddr & ~0xFFFu;
    for (uint32_t p = 0; p < pages; p++, page += 0x1000u) {
        unsigned idx = (page >> 12) & (HCACHE_SIZE - 1);
        for (unsigned m = 0; m < 3; m++)
            for (unsigned k = 0; k < HC_KINDS; k++)
                if ((c->hcache[m][k][idx].tag & 0xFFFFF000u) == page) /* any ASID */
                    c->hcache[m][k][idx].tag = HCACHE_INVALID;
    }
}

/* Recompute the mode from Status and select that mode's caches. */
void cpu_update_mode(struct cpu *c)
{
    uint32_t st = c->cp0.status;
    enum mmu_mode m;
    if (st & (ST_EXL | ST_ERL))
        m = MMU_KERNEL;
    else {
        unsigned ksu = (st & ST_KSU_MASK) >> ST_KSU_SHIFT;
        m = ksu == 0 ? MMU_KERNEL : ksu == 1 ? MMU_SUPERVISOR : MMU_USER;
    }
    c->mode = m;
    c->hc_load = c->hcache[m][HC_LOAD];
    c->hc_store = c->hcache[m][HC_STORE];
    c->hc_fetch = c->hcache[m][HC_FETCH];
}

/* ---- timer -------------------------------------------------------------- */

uint32_t cp0_count(const struct cpu *c)
{
    if (c->cp0.cause & CAUSE_DC)
        return c->cp0.count_frozen;
    return (uint32_t)cpu_cycles_now(c) + c->cp0.count_offset;
}

/* Re-arm the deadline at which Count reaches Compare. */
static void timer_rearm(struct cpu *c)
{
    if (c->cp0.cause & CAUSE_DC) {
        c->timer_deadline = UINT64_MAX;
        return;
    }
    uint32_t delta = c->cp0.compare - cp0_count(c);
    c->timer_deadline = cpu_cycles_now(c) + (delta ? delta : 0x100000000ull);
}

/* Called at batch boundaries: raise Cause.TI when Count has reached Compare. */
void cp0_update_timer(struct cpu *c)
{
    if (cpu_cycles_now(c) >= c->timer_deadline) {
        c->cp0.cause |= CAUSE_TI;
        timer_rearm(c);
    }
}

/* Cause as software reads it: hardware lines and the timer folded into IP. */
uint32_t cp0_cause(const struct cpu *c)
{
    uint32_t cause = c->cp0.cause & ~(CAUSE_IP_MASK & ~0x300u);
    cause |= (uint32_t)(c->irq_lines & 0x7Cu) << CAUSE_IP_SHIFT;
    if (cause & CAUSE_TI)
        cause |= CAUSE_IP7;
    return cause;
}

bool cpu_irq_pending(const struct cpu *c)
{
    uint32_t st = c->cp0.status;
    if (!(st & ST_IE) || (st & (ST_EXL | ST_ERL)))
        return false;
    return (cp0_cause(c) & st & ST_IM_MASK) != 0;
}

/* ---- exceptions --------------------------------------------------------- */

static uint32_t restart_pc(const struct cpu *c) { return c->in_delay ? c->pc - 4 : c->pc; }

/*
 * Raise exception `code` for the instruction at c->pc. Either hand it to the
 * host (routing, see cpu_set_trap_routing) or deliver it as the hardware does.
 * The caller returns without completing the instruction.
 */
void cpu_raise(struct cpu *c, unsigned code, uint32_t badva, unsigned flags, unsigned ce)
{
    struct cpu_trap *t = &c->trap;
    t->code = code;
    t->pc = c->pc;
    t->epc = restart_pc(c);
    t->bd = c->in_delay;
    t->badvaddr = (flags & EXCF_BADVA) ? badva : 0;
    t->refill = (flags & EXCF_REFILL) != 0;
    t->fetch = (flags & EXCF_FETCH) != 0;
    t->ce = ce;
    t->hypcall_code = 0;
    t->insn = 0;
    t->next_pc = c->in_delay ? c->delay_next : c->pc + 4;

    if (code >= 32 || (c->route_mask & (1u << code))) {
        /* The host may need the instruction to emulate it; a failed fetch leaves 0. */
        uint32_t insn;
        if (!(flags & EXCF_FETCH) && code != EXC_INT && cpu_debug_read(c, c->pc, 4, &insn))
            t->insn = insn;
        c->stats.routed++;
        c->stop = CPU_STOP_TRAP;
        c->pc = t->epc;
        c->in_delay = false;
        cpu_end_batch(c);
        return;
    }
    cpu_trap_deliver(c);
}

void cpu_trap_deliver(cpu_t *c)
{
    const struct cpu_trap *t = &c->trap;
    struct cp0 *cp = &c->cp0;
    unsigned code = t->code < 32 ? t->code : EXC_RI;
    uint32_t offset = VEC_OFF_GENERAL;

    if (!(cp->status & ST_EXL)) {
        cp->epc = t->epc;
        if (t->bd)
            cp->cause |= CAUSE_BD;
        else
            cp->cause &= ~CAUSE_BD;
        if (t->refill)
            offset = VEC_OFF_REFILL;
    }
    if (code == EXC_INT && (cp->cause & CAUSE_IV))
        offset = VEC_OFF_INT;
    cp->cause = (cp->cause & ~(CAUSE_EXC_MASK | CAUSE_CE_MASK)) | (code << CAUSE_EXC_SHIFT) |
                ((t->ce & 3u) << CAUSE_CE_SHIFT);
    if (code == EXC_ADEL || code == EXC_ADES || code == EXC_TLBL || code == EXC_TLBS ||
        code == EXC_MOD || code == EXC_TLBRI || code == EXC_TLBXI) {
        cp->badvaddr = t->badvaddr;
        if (code != EXC_ADEL && code != EXC_ADES) {
            cp->context = (cp->context & 0xFF800000u) | ((t->badvaddr >> 9) & 0x007FFFF0u);
            uint32_t old = cp->entryhi;
            cp->entryhi = (t->badvaddr & ENTRYHI_VPN2_MASK) | (old & ENTRYHI_ASID_MASK);
        }
    }
    cp->status |= ST_EXL;
    uint32_t base = (cp->status & ST_BEV) ? VEC_BEV_BASE : (cp->ebase & 0xFFFFF000u);
    c->pc = base + offset;
    c->in_delay = false;
    c->waiting = false;
    cpu_update_mode(c);
    cpu_end_batch(c);

    c->stats.exceptions[code]++;
    if (t->refill && offset == VEC_OFF_REFILL)
        c->stats.tlb_refills++;
    if (c->event_fn) {
        struct cpu_event ev = {CPU_EV_EXCEPTION, code, t->pc, t->badvaddr, c->pc};
        c->event_fn(c->event_opaque, &ev);
    }
}

void cpu_raise_mmu(struct cpu *c, enum mmu_result r, uint32_t vaddr, enum mmu_access access)
{
    bool store = access == MMU_STORE;
    unsigned f = EXCF_BADVA | (access == MMU_FETCH ? EXCF_FETCH : 0);
    switch (r) {
    case MMU_OK: break;
    case MMU_ADDR_ERROR: cpu_raise(c, store ? EXC_ADES : EXC_ADEL, vaddr, f, 0); break;
    case MMU_TLB_REFILL:
        cpu_raise(c, store ? EXC_TLBS : EXC_TLBL, vaddr, f | EXCF_TLB | EXCF_REFILL, 0);
        break;
    case MMU_TLB_INVALID:
        cpu_raise(c, store ? EXC_TLBS : EXC_TLBL, vaddr, f | EXCF_TLB, 0);
        break;
    case MMU_TLB_MODIFIED:
        cpu_raise(c, EXC_MOD, vaddr, f | EXCF_TLB, 0);
        break;
    case MMU_TLB_RI: cpu_raise(c, EXC_TLBRI, vaddr, f | EXCF_TLB, 0); break;
    case MMU_TLB_XI: cpu_raise(c, EXC_TLBXI, vaddr, f | EXCF_TLB, 0); break;
    }
}

/* ---- registers ---------------------------------------------------------- */

static uint32_t cp0_random(const struct cpu *c)
{
    uint32_t n = tlb_size(c->tlb), wired = c->cp0.wired;
    if (wired >= n)
        return n - 1;
    /* Random steps down once per cycle from N-1, starting with the cycle after
     * the Wired write (so the next instruction reads N-1). */
    uint64_t now = cpu_cycles_now(c);
    uint64_t steps = now > c->cp0.random_epoch ? now - c->cp0.random_epoch : 0;
    return n - 1 - (uint32_t)(steps % (n - wired));
}

static uint32_t index_mask(const struct cpu *c)
{
    uint32_t m = 1;
    while (m < tlb_size(c->tlb))
        m <<= 1;
    return m - 1;
}

uint32_t cp0_read(struct cpu *c, unsigned reg, unsigned sel)
{
    const struct cp0 *cp = &c->cp0;
    switch (reg << 3 | sel) {
    case C0_INDEX << 3: return cp->index;
    case C0_RANDOM << 3: return cp0_random(c);
    case C0_ENTRYLO0 << 3: return cp->entrylo0;
    case C0_ENTRYLO1 << 3: return cp->entrylo1;
    case C0_CONTEXT << 3: return cp->context;
    case C0_CONTEXT << 3 | 2: return cp->userlocal;
    case C0_PAGEMASK << 3: return cp->pagemask;
    case C0_WIRED << 3: return cp->wired;
    case C0_HWRENA << 3: return cp->hwrena;
    case C0_BADVADDR << 3: return cp->badvaddr;
    case C0_COUNT << 3: return cp0_count(c);
    case C0_ENTRYHI << 3: return cp->entryhi;
    case C0_COMPARE << 3: return cp->compare;
    case C0_STATUS << 3: return cp->status;
    case C0_STATUS << 3 | 1: return 7u << 29; /* IntCtl.IPTI: timer on IP7 */
    case C0_CAUSE << 3: return cp0_cause(c);
    case C0_EPC << 3: return cp->epc;
    case C0_PRID << 3: return cp->prid;
    case C0_PRID << 3 | 1: return cp->ebase;
    case C0_CONFIG << 3: return cp->config0;
    case C0_CONFIG << 3 | 1: return cp->config1;
    case C0_CONFIG << 3 | 2: return cp->config2;
    case C0_CONFIG << 3 | 3: return cp->config3;
    case C0_CONFIG << 3 | 4: return cp->config4;
    case C0_LLADDR << 3: return cp->lladdr;
    case C0_ERROREPC << 3: return cp->errorepc;
    default: return 0; /* registers this CPU does not have read as zero */
    }
}

#define STATUS_WRITABLE (ST_CU0 | ST_BEV | ST_IM_MASK | ST_KSU_MASK | ST_ERL | ST_EXL | ST_IE)
#define CAUSE_WRITABLE  (CAUSE_IV | CAUSE_DC | 0x300u)

void cp0_write(struct cpu *c, unsigned reg, unsigned sel, uint32_t v)
{
    struct cp0 *cp = &c->cp0;
    switch (reg << 3 | sel) {
    case C0_INDEX << 3: cp->index = (cp->index & 0x80000000u) | (v & index_mask(c)); break;
    case C0_ENTRYLO0 << 3: cp->entrylo0 = v & 0x03FFFFFFu; break; /* PABITS = 32 */
    case C0_ENTRYLO1 << 3: cp->entrylo1 = v & 0x03FFFFFFu; break;
    case C0_CONTEXT << 3: cp->context = (cp->context & 0x007FFFFFu) | (v & 0xFF800000u); break;
    case C0_CONTEXT << 3 | 2: cp->userlocal = v; break;
    case C0_PAGEMASK << 3: cp->pagemask = v & PAGEMASK_MASK; break;
    case C0_WIRED << 3:
        cp->wired = v & index_mask(c);
        cp->random_epoch = cpu_cycles_now(c) + 1;
        break;
    case C0_HWRENA << 3: cp->hwrena = v & 0x2000000Fu; break;
    case C0_COUNT << 3:
        if (cp->cause & CAUSE_DC)
            cp->count_frozen = v;
        else
            cp->count_offset = v - (uint32_t)cpu_cycles_now(c);
        timer_rearm(c);
        cpu_end_batch(c);
        break;
    case C0_ENTRYHI << 3: {
        uint32_t old = cp->entryhi;
        cp->entryhi = v & (ENTRYHI_VPN2_MASK | ENTRYHI_ASID_MASK);
        if ((old ^ cp->entryhi) & ENTRYHI_ASID_MASK) {
            c->asid_tag = (cp->entryhi & ENTRYHI_ASID_MASK) << 4; /* no flush: tags carry it */
            cpu_end_batch(c);
        }
        break;
    }
    case C0_COMPARE << 3:
        cp->compare = v;
        cp->cause &= ~CAUSE_TI;
        timer_rearm(c);
        cpu_end_batch(c);
        break;
    case C0_STATUS << 3: {
        uint32_t old = cp->status;
        cp->status = (old & ~STATUS_WRITABLE) | (v & STATUS_WRITABLE);
        if ((old ^ cp->status) & ST_ERL)
            hcache_flush_all(c); /* kuseg becomes (un)mapped */
        cpu_update_mode(c);
        cpu_end_batch(c);
        break;
    }
    case C0_CAUSE << 3: {
        uint32_t count = cp0_count(c);
        cp->cause = (cp->cause & ~CAUSE_WRITABLE) | (v & CAUSE_WRITABLE);
        /* Cause.DC freezes Count: keep its value across the switch. */
        if (cp->cause & CAUSE_DC)
            cp->count_frozen = count;
        else
            cp->count_offset = count - (uint32_t)cpu_cycles_now(c);
        timer_rearm(c);
        cpu_end_batch(c);
        break;
    }
    case C0_EPC << 3: cp->epc = v; break;
    case C0_PRID << 3 | 1: cp->ebase = 0x80000000u | (v & 0x3FFFF000u); break;
    case C0_CONFIG << 3: cp->config0 = (cp->config0 & ~7u) | (v & 7u); break;
    case C0_ERROREPC << 3: cp->errorepc = v; break;
    default: break; /* read-only or absent registers ignore writes */
    }
}

/* ---- TLB instructions and ERET ----------------------------------------- */

void cpu_tlbp(struct cpu *c)
{
    int i = tlb_probe(c->tlb, c->cp0.entryhi);
    c->cp0.index = i >= 0 ? (uint32_t)i : 0x80000000u;
}

void cpu_tlbr(struct cpu *c)
{
    struct tlb_regs r;
    tlb_read(c->tlb, (c->cp0.index & index_mask(c)) % tlb_size(c->tlb), &r);
    uint32_t old = c->cp0.entryhi;
    c->cp0.entryhi = r.entryhi;
    c->cp0.entrylo0 = r.entrylo0;
    c->cp0.entrylo1 = r.entrylo1;
    c->cp0.pagemask = r.pagemask;
    if ((old ^ r.entryhi) & ENTRYHI_ASID_MASK) {
        c->asid_tag = (r.entryhi & ENTRYHI_ASID_MASK) << 4;
        cpu_end_batch(c);
    }
}

/* Write TLB entry i and drop what the host cache holds for the old and the new pages. */
void tlb_write_flush(struct cpu *c, unsigned i, const struct tlb_regs *r)
{
    struct tlb_regs old;
    tlb_read(c->tlb, i, &old);
    tlb_write(c->tlb, i, r);
    /* Only pages under the old and the new entry can change translation. */
    hcache_flush_range(c, old.entryhi & ENTRYHI_VPN2_MASK & ~old.pagemask,
                       (old.pagemask | 0x1FFFu) + 1);
    hcache_flush_range(c, r->entryhi & ENTRYHI_VPN2_MASK & ~(r->pagemask & PAGEMASK_MASK),
                       ((r->pagemask & PAGEMASK_MASK) | 0x1FFFu) + 1);
    c->tlb_gen = tlb_generation(c->tlb); /* our own write is already accounted for */
    cpu_end_batch(c);                    /* the code page may have been remapped */
}

void cpu_tlbw(struct cpu *c, bool random)
{
    unsigned i = random ? cp0_random(c) : (c->cp0.index & index_mask(c)) % tlb_size(c->tlb);
    struct tlb_regs r = {c->cp0.entryhi, c->cp0.entrylo0, c->cp0.entrylo1, c->cp0.pagemask};
    tlb_write_flush(c, i, &r);
    c->stats.tlb_writes++;
    if (c->event_fn) {
        struct cpu_event ev = {CPU_EV_TLB_WRITE, 0, c->pc, i, random};
        c->event_fn(c->event_opaque, &ev);
    }
}

void cpu_eret(struct cpu *c)
{
    struct cp0 *cp = &c->cp0;
    uint32_t at = c->pc, old = cp->status;
    bool unpriv = c->mode != MMU_KERNEL; /* only with CPU_EXT_ERET_UNPRIV */
    if (cp->status & ST_ERL) {
        c->pc = cp->errorepc;
        cp->status &= ~ST_ERL;
    } else {
        c->pc = cp->epc;
        cp->status &= ~ST_EXL;
    }
    c->llbit = false;
    if ((old ^ cp->status) & ST_ERL)
        hcache_flush_all(c);
    cpu_update_mode(c);
    cpu_end_batch(c);
    if (c->event_fn) {
        struct cpu_event ev = {CPU_EV_ERET, 0, at, c->pc, unpriv};
        c->event_fn(c->event_opaque, &ev);
    }
}
