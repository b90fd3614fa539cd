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
    enum mmu_mode m = (enum mmu_mode)cp0_rule_mode(c->cp0.status);
    c->mode = m;
    c->hc_load = c->hcache[m][HC_LOAD];
    c->hc_store = c->hcache[m][HC_STORE];
    c->hc_fetch = c->hcache[m][HC_FETCH];
}

/* ---- timer -------------------------------------------------------------- */

uint32_t cp0_count(const struct cpu *c) { return cp0_rule_count(&c->cp0, cpu_cycles_now(c)); }

/* Called at batch boundaries: raise Cause.TI when Count has reached Compare. */
void cp0_update_timer(struct cpu *c) { cp0_rule_timer_update(&c->cp0, cpu_cycles_now(c)); }

uint32_t cp0_cause(const struct cpu *c) { return cp0_rule_cause(&c->cp0, c->irq_lines); }

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

/* Exceptions that set BadVAddr. */
static bool sets_badvaddr(unsigned code)
{
    return code == EXC_MOD || code == EXC_TLBL || code == EXC_TLBS || code == EXC_ADEL ||
           code == EXC_ADES || code == EXC_TLBRI || code == EXC_TLBXI;
}

const struct cpu_trap *cpu_trap_from_cp0(cpu_t *c, bool refill)
{
    struct cpu_trap *t = &c->trap;
    uint32_t cause = c->cp0.cause;
    memset(t, 0, sizeof *t);
    t->code = (cause & CAUSE_EXC_MASK) >> CAUSE_EXC_SHIFT;
    t->epc = c->cp0.epc;
    t->bd = (cause & CAUSE_BD) != 0;
    t->pc = t->bd ? t->epc + 4 : t->epc;
    t->ce = (cause & CAUSE_CE_MASK) >> CAUSE_CE_SHIFT;
    t->refill = refill;
    if (sets_badvaddr(t->code))
        t->badvaddr = c->cp0.badvaddr;
    t->fetch = t->code == EXC_IBE ||
               ((t->code == EXC_TLBL || t->code == EXC_ADEL || t->code == EXC_TLBXI) &&
                t->badvaddr == t->pc);
    bool words = (c->ext & CPU_EXT_BADINSTR) != 0;
    uint32_t w;
    if (!t->fetch && t->code != EXC_INT)
        t->insn = words ? c->cp0.badinstr : cpu_debug_read(c, t->pc, 4, &w) ? w : 0;
    t->next_pc = t->pc + 4;
    if (t->bd) {
        uint32_t branch = words ? c->cp0.badinstrp : cpu_debug_read(c, t->epc, 4, &w) ? w : 0;
        t->next_pc = cpu_branch_dest(c, t->epc, branch);
    }
    c->pc = t->epc;
    c->in_delay = false;
    return t;
}

void cpu_trap_deliver(cpu_t *c)
{
    const struct cpu_trap *t = &c->trap;
    unsigned code = t->code < 32 ? t->code : EXC_RI;
    struct cp0_exception x = {code, t->epc, t->bd, t->badvaddr, t->refill, t->ce};
    bool exl = (c->cp0.status & ST_EXL) != 0;
    if ((c->ext & CPU_EXT_BADINSTR) && !t->fetch && code != EXC_INT) {
        /* The faulting instruction (and, in a delay slot, its branch) as
         * words, so a handler need not load them (Release 6 BadInstr/P). */
        uint32_t w;
        if (cpu_debug_read(c, t->pc, 4, &w))
            c->cp0.badinstr = w;
        if (t->bd && cpu_debug_read(c, t->epc, 4, &w))
            c->cp0.badinstrp = w;
    }
    c->pc = cp0_rule_exception(&c->cp0, &x);
    c->in_delay = false;
    c->waiting = false;
    cpu_update_mode(c);
    cpu_end_batch(c);
    if (c->ext & CPU_EXT_MAPPED_VECTORS) {
        /* A vector that cannot be fetched would fault into itself forever:
         * a machine check for the owner instead. */
        struct mmu_ctx ctx = mmu_ctx_of(c);
        struct mmu_xlate xl;
        if (mmu_translate(&ctx, c->pc, MMU_FETCH, &xl) != MMU_OK) {
            c->vector_fault = c->pc;
            c->stop = CPU_STOP_VECTOR;
        }
    }

    c->stats.exceptions[code]++;
    if (t->refill && !exl)
        c->stats.tlb_refills++;
    if (c->nlisteners) {
        struct cpu_event ev = {CPU_EV_EXCEPTION, code, t->pc, t->badvaddr, c->pc};
        cpu_emit(c, &ev);
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
    case MMU_TLB_INVALID: cpu_raise(c, store ? EXC_TLBS : EXC_TLBL, vaddr, f | EXCF_TLB, 0); break;
    case MMU_TLB_MODIFIED: cpu_raise(c, EXC_MOD, vaddr, f | EXCF_TLB, 0); break;
    case MMU_TLB_RI: cpu_raise(c, EXC_TLBRI, vaddr, f | EXCF_TLB, 0); break;
    case MMU_TLB_XI: cpu_raise(c, EXC_TLBXI, vaddr, f | EXCF_TLB, 0); break;
    case MMU_TLB_KPAGE: cpu_raise(c, CPU_TRAP_KPAGE, vaddr, f, 0); break;
    }
}

/* ---- registers ---------------------------------------------------------- */

static struct cp0_env env_of(const struct cpu *c)
{
    return (struct cp0_env){cpu_cycles_now(c),
                            tlb_size(c->tlb),
                            c->irq_lines,
                            (c->ext & CPU_EXT_MAPPED_VECTORS) != 0,
                            (c->ext & CPU_EXT_KSCRATCH) != 0,
                            (c->ext & CPU_EXT_BADINSTR) != 0};
}

uint32_t cp0_read(struct cpu *c, unsigned reg, unsigned sel)
{
    struct cp0_env e = env_of(c);
    return cp0_rule_read(&c->cp0, reg, sel, &e);
}

void cp0_write(struct cpu *c, unsigned reg, unsigned sel, uint32_t v)
{
    struct cp0_env e = env_of(c);
    unsigned changed = cp0_rule_write(&c->cp0, reg, sel, v, &e);
    if (changed & CP0_CHANGED_ASID)
        c->asid_tag = (c->cp0.entryhi & ENTRYHI_ASID_MASK) << 4; /* no flush: tags carry it */
    if (changed & CP0_CHANGED_ERL)
        hcache_flush_all(c); /* kuseg becomes (un)mapped */
    if (changed & CP0_CHANGED_STATUS)
        cpu_update_mode(c);
    if (changed)
        cpu_end_batch(c); /* interrupt state, mode, timer or address space may have changed */
}

/* ---- TLB instructions and ERET ----------------------------------------- */

void cpu_tlbp(struct cpu *c) { cp0_rule_tlbp(&c->cp0, c->tlb); }

void cpu_tlbr(struct cpu *c)
{
    if (cp0_rule_tlbr(&c->cp0, c->tlb) & CP0_CHANGED_ASID) {
        c->asid_tag = (c->cp0.entryhi & ENTRYHI_ASID_MASK) << 4;
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
    struct tlb_regs r;
    unsigned i = cp0_rule_tlbw_index(&c->cp0, c->tlb, random, cpu_cycles_now(c), &r);
    tlb_write_flush(c, i, &r);
    c->stats.tlb_writes++;
    if (c->nlisteners) {
        struct cpu_event ev = {CPU_EV_TLB_WRITE, 0, c->pc, i, random};
        cpu_emit(c, &ev);
    }
}

void cpu_eret(struct cpu *c)
{
    uint32_t at = c->pc, old = c->cp0.status;
    bool unpriv = c->mode != MMU_KERNEL; /* only with CPU_EXT_ERET_UNPRIV */
    c->pc = cp0_rule_eret(&c->cp0);
    c->llbit = false;
    if ((old ^ c->cp0.status) & ST_ERL)
        hcache_flush_all(c);
    cpu_update_mode(c);
    cpu_end_batch(c);
    if (c->nlisteners) {
        struct cpu_event ev = {CPU_EV_ERET, 0, at, c->pc, unpriv};
        cpu_emit(c, &ev);
    }
}
