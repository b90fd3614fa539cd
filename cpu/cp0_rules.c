/*
 * cpu/cp0_rules.c — the CP0 rules (cp0_rules.h), for the real CP0 and the
 * monitor's virtual ones alike. Pure: no CPU, no monitor, only the register
 * set, the environment it is given and (for the TLB instructions) a TLB.
 */
#include "cpu/cp0_rules.h"

#include <string.h>

#define PABITS_ENTRYLO 0x03FFFFFFu /* PFN for 32 physical address bits, C, D, V, G */

void cp0_rule_reset(struct cp0_state *s, uint32_t prid, bool big_endian, unsigned tlb_entries,
                    uint64_t now)
{
    memset(s, 0, sizeof *s);
    s->status = ST_BEV | ST_ERL;
    s->prid = prid;
    s->ebase = 0x80000000u;
    s->config0 = 0x80000000u | (big_endian ? 1u << 15 : 0) | (1u << 10) | (1u << 7) | 2u;
    unsigned mmu = tlb_entries - 1;
    s->config1 = 0x80000000u | ((mmu & 0x3Fu) << 25);
    s->config2 = 0x80000000u;
    s->config3 = 0x80000000u | (1u << 13); /* ULRI: UserLocal */
    s->config4 = (1u << 14) | (mmu >> 6);  /* MMUExtDef = 1: MMUSizeExt */
    s->count_offset = (uint32_t)0 - (uint32_t)now;
    s->random_epoch = now;
    cp0_rule_timer_rearm(s, now);
}

/* ---- Count/Compare ------------------------------------------------------- */

void cp0_rule_timer_rearm(struct cp0_state *s, uint64_t now)
{
    if (s->cause & CAUSE_DC) {
        s->timer_deadline = UINT64_MAX;
        return;
    }
    uint32_t delta = s->compare - cp0_rule_count(s, now);
    s->timer_deadline = now + (delta ? delta : 0x100000000ull);
}

/* ---- Random, Index -------------------------------------------------------- */

uint32_t cp0_rule_random(const struct cp0_state *s, unsigned n, uint64_t now)
{
    uint32_t wired = s->wired;
    if (wired >= n)
        return n - 1;
    /* Random steps down once per cycle from N-1, starting with the cycle after
     * the Wired write (so the next instruction reads N-1). */
    uint64_t steps = now > s->random_epoch ? now - s->random_epoch : 0;
    return n - 1 - (uint32_t)(steps % (n - wired));
}

uint32_t cp0_rule_index_mask(unsigned n)
{
    uint32_t m = 1;
    while (m < n)
        m <<= 1;
    return m - 1;
}

/* ---- MFC0 / MTC0 ---------------------------------------------------------- */

uint32_t cp0_rule_read(const struct cp0_state *s, unsigned reg, unsigned sel,
                       const struct cp0_env *e)
{
    switch (reg << 3 | sel) {
    case C0_INDEX << 3: return s->index;
    case C0_RANDOM << 3: return cp0_rule_random(s, e->tlb_entries, e->now);
    case C0_ENTRYLO0 << 3: return s->entrylo0;
    case C0_ENTRYLO1 << 3: return s->entrylo1;
    case C0_CONTEXT << 3: return s->context;
    case C0_CONTEXT << 3 | 2: return s->userlocal;
    case C0_PAGEMASK << 3: return s->pagemask;
    case C0_WIRED << 3: return s->wired;
    case C0_HWRENA << 3: return s->hwrena;
    case C0_BADVADDR << 3: return s->badvaddr;
    case C0_BADVADDR << 3 | 1: return e->badinstr ? s->badinstr : 0;
    case C0_BADVADDR << 3 | 2: return e->badinstr ? s->badinstrp : 0;
    case C0_COUNT << 3: return cp0_rule_count(s, e->now);
    case C0_ENTRYHI << 3: return s->entryhi;
    case C0_COMPARE << 3: return s->compare;
    case C0_STATUS << 3: return s->status;
    case C0_STATUS << 3 | 1: return 7u << 29; /* IntCtl.IPTI: timer on IP7 */
    case C0_CAUSE << 3: return cp0_rule_cause(s, e->lines);
    case C0_EPC << 3: return s->epc;
    case C0_PRID << 3: return s->prid;
    case C0_PRID << 3 | 1: return s->ebase;
    case C0_CONFIG << 3: return s->config0;
    case C0_CONFIG << 3 | 1: return s->config1;
    case C0_CONFIG << 3 | 2: return s->config2;
    case C0_CONFIG << 3 | 3: return s->config3;
    case C0_CONFIG << 3 | 4: return s->config4;
    case C0_LLADDR << 3: return s->lladdr;
    case C0_ERROREPC << 3: return s->errorepc;
    case C0_KSCRATCH << 3 | 2:
    case C0_KSCRATCH << 3 | 3: return e->kscratch ? s->kscratch[sel - 2] : 0;
    default: return 0; /* registers this CPU does not have read as zero */
    }
}

unsigned cp0_rule_write(struct cp0_state *s, unsigned reg, unsigned sel, uint32_t v,
                        const struct cp0_env *e)
{
    switch (reg << 3 | sel) {
    case C0_INDEX << 3:
        s->index = (s->index & 0x80000000u) | (v & cp0_rule_index_mask(e->tlb_entries));
        return 0;
    case C0_ENTRYLO0 << 3: s->entrylo0 = v & PABITS_ENTRYLO; return 0;
    case C0_ENTRYLO1 << 3: s->entrylo1 = v & PABITS_ENTRYLO; return 0;
    case C0_CONTEXT << 3: s->context = (s->context & 0x007FFFFFu) | (v & 0xFF800000u); return 0;
    case C0_CONTEXT << 3 | 2: s->userlocal = v; return 0;
    case C0_PAGEMASK << 3: s->pagemask = v & PAGEMASK_MASK; return 0;
    case C0_WIRED << 3:
        s->wired = v & cp0_rule_index_mask(e->tlb_entries);
        s->random_epoch = e->now + 1;
        return 0;
    case C0_HWRENA << 3: s->hwrena = v & 0x2000000Fu; return 0;
    case C0_COUNT << 3:
        if (s->cause & CAUSE_DC)
            s->count_frozen = v;
        else
            s->count_offset = v - (uint32_t)e->now;
        cp0_rule_timer_rearm(s, e->now);
        return CP0_CHANGED_TIMER;
    case C0_ENTRYHI << 3: {
        uint32_t old = s->entryhi;
        s->entryhi = v & (ENTRYHI_VPN2_MASK | ENTRYHI_ASID_MASK);
        return ((old ^ s->entryhi) & ENTRYHI_ASID_MASK) ? CP0_CHANGED_ASID : 0;
    }
    case C0_COMPARE << 3:
        s->compare = v;
        s->cause &= ~CAUSE_TI;
        cp0_rule_timer_rearm(s, e->now);
        return CP0_CHANGED_TIMER;
    case C0_STATUS << 3: {
        uint32_t old = s->status;
        s->status = (old & ~CP0_STATUS_WRITABLE) | (v & CP0_STATUS_WRITABLE);
        return CP0_CHANGED_STATUS | (((old ^ s->status) & ST_ERL) ? CP0_CHANGED_ERL : 0);
    }
    case C0_CAUSE << 3: {
        uint32_t count = cp0_rule_count(s, e->now);
        s->cause = (s->cause & ~CP0_CAUSE_WRITABLE) | (v & CP0_CAUSE_WRITABLE);
        /* Cause.DC freezes Count: keep its value across the switch. */
        if (s->cause & CAUSE_DC)
            s->count_frozen = count;
        else
            s->count_offset = count - (uint32_t)e->now;
        cp0_rule_timer_rearm(s, e->now);
        return CP0_CHANGED_TIMER;
    }
    case C0_EPC << 3: s->epc = v; return 0;
    case C0_PRID << 3 | 1: /* 31:30 fixed to 10 (kseg0/1), unless vectors may be mapped */
        s->ebase = e->ebase_any ? (v & 0xFFFFF000u) : 0x80000000u | (v & 0x3FFFF000u);
        return 0;
    case C0_CONFIG << 3: s->config0 = (s->config0 & ~7u) | (v & 7u); return 0; /* K0 */
    case C0_ERROREPC << 3: s->errorepc = v; return 0;
    case C0_KSCRATCH << 3 | 2:
    case C0_KSCRATCH << 3 | 3:
        if (e->kscratch)
            s->kscratch[sel - 2] = v;
        return 0;
    default: return 0; /* read-only or absent registers ignore writes */
    }
}

/* ---- exceptions and ERET -------------------------------------------------- */

bool cp0_rule_sets_badvaddr(unsigned code)
{
    return code == EXC_ADEL || code == EXC_ADES || code == EXC_TLBL || code == EXC_TLBS ||
           code == EXC_MOD || code == EXC_TLBRI || code == EXC_TLBXI;
}

uint32_t cp0_rule_exception(struct cp0_state *s, const struct cp0_exception *x)
{
    uint32_t offset = VEC_OFF_GENERAL;
    if (!(s->status & ST_EXL)) {
        s->epc = x->epc;
        if (x->bd)
            s->cause |= CAUSE_BD;
        else
            s->cause &= ~CAUSE_BD;
        if (x->refill)
            offset = VEC_OFF_REFILL;
    }
    if (x->code == EXC_INT && (s->cause & CAUSE_IV))
        offset = VEC_OFF_INT;
    s->cause = (s->cause & ~(CAUSE_EXC_MASK | CAUSE_CE_MASK)) |
               ((x->code & 31u) << CAUSE_EXC_SHIFT) | ((x->ce & 3u) << CAUSE_CE_SHIFT);
    if (cp0_rule_sets_badvaddr(x->code)) {
        s->badvaddr = x->badvaddr;
        if (x->code != EXC_ADEL && x->code != EXC_ADES) {
            s->context = (s->context & 0xFF800000u) | ((x->badvaddr >> 9) & 0x007FFFF0u);
            s->entryhi = (x->badvaddr & ENTRYHI_VPN2_MASK) | (s->entryhi & ENTRYHI_ASID_MASK);
        }
    }
    s->status |= ST_EXL;
    uint32_t base = (s->status & ST_BEV) ? VEC_BEV_BASE : (s->ebase & 0xFFFFF000u);
    return base + offset;
}

uint32_t cp0_rule_eret(struct cp0_state *s)
{
    if (s->status & ST_ERL) {
        s->status &= ~ST_ERL;
        return s->errorepc;
    }
    s->status &= ~ST_EXL;
    return s->epc;
}

/* ---- TLB instructions ----------------------------------------------------- */

void cp0_rule_tlbp(struct cp0_state *s, const tlb_t *tlb)
{
    int i = tlb_probe(tlb, s->entryhi);
    s->index = i >= 0 ? (uint32_t)i : 0x80000000u;
}

unsigned cp0_rule_tlbr(struct cp0_state *s, const tlb_t *tlb)
{
    struct tlb_regs r;
    tlb_read(tlb, (s->index & cp0_rule_index_mask(tlb_size(tlb))) % tlb_size(tlb), &r);
    uint32_t old = s->entryhi;
    s->entryhi = r.entryhi;
    s->entrylo0 = r.entrylo0 & ~ENTRYLO_K; /* not architectural: the owner's, never shown */
    s->entrylo1 = r.entrylo1 & ~ENTRYLO_K;
    s->pagemask = r.pagemask;
    return ((old ^ r.entryhi) & ENTRYHI_ASID_MASK) ? CP0_CHANGED_ASID : 0;
}

unsigned cp0_rule_tlbw_index(const struct cp0_state *s, const tlb_t *tlb, bool random, uint64_t now,
                             struct tlb_regs *regs)
{
    unsigned n = tlb_size(tlb);
    *regs = (struct tlb_regs){s->entryhi, s->entrylo0, s->entrylo1, s->pagemask};
    return random ? cp0_rule_random(s, n, now) : (s->index & cp0_rule_index_mask(n)) % n;
}
