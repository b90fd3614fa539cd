/*
 * vmm/resident.c — the resident trap model (vmm.traps = resident): the
 * second portion of the monitor's resident portion. docs/vmm.md, "Trap
 * models".
 *
 * Real exceptions are no longer routed to the monitor: the CPU takes them,
 * with mapped vectors, into the first portion (vmm/resident/resident.S),
 * which lives inside each guest's address space as one global pair of
 * kernel-only pages at a virtual address chosen here: the code page (shared
 * by every guest) and the guest's data page (its save area and the virtual
 * CP0 registers the first portion serves). The first portion reflects the
 * guest's syscalls and breaks and serves MFC0 of Status/EPC/EBase itself;
 * everything else it hands over with HYPCALL VMM_HC_RESIDENT(+1 from the
 * refill vector), and entry() rebuilds the guest's trap from the real CP0
 * for the direct model's handlers.
 *
 * The pair is real TLB entry 0 (reserved: the fill path never uses it),
 * rewritten with the running guest's pair whenever another guest runs or
 * the pair moves. A guest that touches the region (a kernel-page trap) or
 * writes a TLB entry over it gets it back: the pair moves where the
 * relocation policy says (reloc_policy.h; by default a region the guest
 * does not use) and the access re-executes — or, where the policy put it in
 * a region the guest uses, the access is served (shadow_serve).
 * Moving is always safe: once the monitor has the trap, no resident code is
 * running (the hand-over left nothing of the guest's in the resident
 * portion but counters), so it also happens with the guest at EXL.
 */
#include "vmm/resident.h"

#include <stdlib.h>
#include <string.h>

#include "cpu/cp0_regs.h"
#include "vmm/resident/layout.h"
#include "vmm/resident_image.h"
#include "vmm/reloc_policy.h"
#include "vmm/resident_place.h"
#include "vmm/vmm_priv.h"

_Static_assert(RES_ST_EXL == ST_EXL && RES_ST_BEV == ST_BEV, "layout.h: Status bits");
_Static_assert(RES_CAUSE_EXC == CAUSE_EXC_MASK && RES_CAUSE_BD == CAUSE_BD, "layout.h: Cause");
_Static_assert(RES_EXC_SYS == EXC_SYS && RES_EXC_BP == EXC_BP && RES_EXC_CPU == EXC_CPU,
               "layout.h: ExcCodes");
_Static_assert(RES_HC_EXIT == VMM_HC_RESIDENT && RES_HC_REFILL == VMM_HC_RESIDENT + 1,
               "layout.h: hand-over codes");
_Static_assert(RES_SIZE == RP_GRANULE, "one TLB pair");

#define RES_TLB_INDEX 0 /* the real TLB entry of the running guest's pair */

struct res_guest {
    uint32_t va;       /* its pair (0: to be placed before it runs) */
    uint32_t data_hpa; /* its data page */
    uint8_t *data;
    struct rp_map touched;    /* granules it was seen to use (real TLB fills) */
    struct rp_map conflicted; /* granules it took back from the resident portion */
    bool served;              /* the current place is a random one: accesses served */
    uint64_t rng;             /* its random places (vmm.seed, the guest) */
    uint64_t period_start;    /* guest instructions at the start of the current period */
    struct rp_history history;
    /* the trap in flight: delivered at t_insns (t_ns), handed over or not */
    unsigned t_code;
    uint64_t t_insns, t_ns;
    bool handed;
};

struct resident {
    struct vmm *v;
    uint32_t code_hpa;
    bool big_endian;
    int loaded;         /* guest whose pair is in the real TLB, -1 none */
    uint32_t loaded_va; /* at that address */
    const struct vmm_reloc_policy *policy;
    struct rp_map scratch;
    struct res_guest g[VMM_MAX_GUESTS];
};

/* ---- the data page ------------------------------------------------------- */

static uint32_t dget(const struct resident *r, const struct res_guest *rg, unsigned off)
{
    const uint8_t *b = rg->data + off;
    return r->big_endian ? (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3]
                         : (uint32_t)b[3] << 24 | (uint32_t)b[2] << 16 | (uint32_t)b[1] << 8 | b[0];
}

static void dput(const struct resident *r, struct res_guest *rg, unsigned off, uint32_t w)
{
    uint8_t *b = rg->data + off;
    for (unsigned i = 0; i < 4; i++)
        b[r->big_endian ? i : 3 - i] = (uint8_t)(w >> (24 - 8 * i));
}

/* ---- placement ------------------------------------------------------------ */

/* The statistics' copy of the regions it has been in. */
static void sync_history(struct guest *g, const struct res_guest *rg)
{
    struct vmm_resident_stats *st = &g->st.resident;
    const struct rp_history *h = &rg->history;
    st->nregions = h->n;
    for (unsigned i = 0; i < h->n; i++)
        st->regions[i] = (struct vmm_resident_region){h->r[i].va, h->r[i].periods,
                                                      h->r[i].conflicts, h->r[i].served};
    st->settled = h->settled;
    st->served_place = rg->served;
}

static struct vmm_reloc_request request(struct resident *r, struct guest *g, bool initial,
                                        enum vmm_reloc_cause cause)
{
    struct res_guest *rg = &r->g[g->id];
    return (struct vmm_reloc_request){g->id,    initial,      cause,           rg->va,
                                      g->vtlb,  &rg->touched, &rg->conflicted, &rg->history,
                                      &rg->rng, &r->scratch};
}

/* What the policy may answer (reloc_policy.h): 0 stands for "not placed". */
static bool valid_place(uint32_t va, uint32_t from)
{
    return va && !(va & (RES_SIZE - 1)) && (va < 0x80000000u || va >= 0xC0000000u) && va != from;
}

/* Put g's pair where the relocation policy says (move: it was placed
 * before; cause: why), or at a random place, served, when it has none. */
static void place(struct resident *r, struct guest *g, enum vmm_reloc_cause cause, bool move)
{
    struct res_guest *rg = &r->g[g->id];
    const struct vmm_reloc_policy *p = r->policy;
    struct vmm_reloc_request rq = request(r, g, !move, cause);
    uint32_t from = rg->va, to = 0;
    bool served = true;
    if (!p->place(p->opaque, &rq, &to, &served) || !valid_place(to, from)) {
        if (to && !valid_place(to, from)) {
            g->st.resident.policy_violations++;
            vmm_tracef(r->v, "vmm %s relocation policy %s answered %08x: refused", g->cfg->name,
                       p->name, to);
        }
        served = true;
        if (!rp_random_mapped(&rg->rng, g->vtlb, &rg->conflicted, from, &to) ||
            !valid_place(to, from))
            to = rp_random_region(&rg->rng, &rg->conflicted, from);
    }
    rg->va = to;
    rg->served = served;
    rg->period_start = guest_insns_now(g);
    rp_history_enter(&rg->history, to);
    g->st.resident.va = to;
    const char *how = served ? "; its accesses there are served" : "";
    if (move) {
        g->st.resident.relocations[cause]++;
        vmm_relocf(r->v, "%s %08x -> %08x (%s; policy %s%s)", g->cfg->name, from, to,
                   vmm_reloc_cause_name(cause), p->name, how);
        if (r->v->observer)
            observe_reloc(g, from, to, cause);
    } else {
        vmm_relocf(r->v, "%s placed at %08x (policy %s%s)", g->cfg->name, to, p->name, how);
    }
    sync_history(g, rg);
}

/* The guest took the pair's region back: mark it and move. */
static void relocate(struct resident *r, struct guest *g, enum vmm_reloc_cause cause)
{
    struct res_guest *rg = &r->g[g->id];
    rp_mark(&rg->conflicted, rg->va, RES_SIZE);
    place(r, g, cause, true);
}

/* Every vmm.reloc_period guest instructions: count the period, ask the
 * policy whether to move. */
static void period_check(struct resident *r, struct guest *g)
{
    struct res_guest *rg = &r->g[g->id];
    uint64_t now = guest_insns_now(g);
    if (now - rg->period_start < r->v->cfg->reloc_period)
        return;
    rg->period_start = now;
    rp_history_period(&rg->history, RP_QUIET);
    sync_history(g, rg);
    struct vmm_reloc_request rq = request(r, g, false, VMM_RELOC_PERIODIC);
    if (r->policy->period_end(r->policy->opaque, &rq))
        place(r, g, VMM_RELOC_PERIODIC, true);
}

/* Real entry RES_TLB_INDEX, EBase and KScratch2 for g's pair. */
static void load_pair(struct resident *r, struct guest *g)
{
    struct vmm *v = r->v;
    struct res_guest *rg = &r->g[g->id];
    if (r->loaded == (int)g->id && r->loaded_va == rg->va)
        return;
    shadow_flush_va(v, (int)g->id, rg->va); /* entries made before it moved there */
    uint32_t k = ENTRYLO_K | ENTRYLO_G | ENTRYLO_V | 3u << 3; /* cacheable */
    struct tlb_regs e = {rg->va, (r->code_hpa >> 12) << ENTRYLO_PFN_SHIFT | k,
                         (rg->data_hpa >> 12) << ENTRYLO_PFN_SHIFT | k | ENTRYLO_D, 0};
    cpu_tlb_write(v->cpu, RES_TLB_INDEX, &e);
    v->real_tlb_writes++;
    cpu_cp0_write(v->cpu, C0_PRID, 1, rg->va); /* EBase */
    cpu_cp0_write(v->cpu, C0_KSCRATCH, 3, rg->va + RES_DATA);
    r->loaded = (int)g->id;
    r->loaded_va = rg->va;
}

/* ---- the trap model -------------------------------------------------------- */

static void res_vcpu_in(void *state, struct guest *g)
{
    struct resident *r = state;
    struct res_guest *rg = &r->g[g->id];
    if (r->loaded != (int)g->id)
        return; /* it never ran (stopped before it was placed) */
    g->cp0.status = dget(r, rg, RD_V_STATUS);
    uint32_t keep = CAUSE_BD | CAUSE_EXC_MASK;
    g->cp0.cause = (g->cp0.cause & ~keep) | (dget(r, rg, RD_V_CAUSE) & keep);
    g->cp0.epc = dget(r, rg, RD_V_EPC);
    g->v->cur_real_asid = (uint8_t)(cpu_cp0_read(g->v->cpu, C0_ENTRYHI, 0) & ENTRYHI_ASID_MASK);
}

static void res_vcpu_out(void *state, struct guest *g)
{
    struct resident *r = state;
    struct res_guest *rg = &r->g[g->id];
    if (!rg->va)
        place(r, g, VMM_RELOC_ACCESS, false);
    else if (r->policy->period_end)
        period_check(r, g);
    load_pair(r, g);
    dput(r, rg, RD_V_STATUS, g->cp0.status);
    dput(r, rg, RD_V_CAUSE, g->cp0.cause);
    dput(r, rg, RD_V_EPC, g->cp0.epc);
    dput(r, rg, RD_V_EBASE, guest_cp0_read(g, C0_PRID, 1));
    dput(r, rg, RD_KERNEL_HI, shadow_kernel_asid(g));
    if (rg->handed) {
        rg->handed = false;
        if (r->v->timing)
            g->st.resident.host_ns[rg->t_code] += vmm_host_ns() - rg->t_ns;
    }
}

static const struct cpu_trap *res_entry(void *state, struct guest *g, const struct cpu_trap *t)
{
    struct resident *r = state;
    struct res_guest *rg = &r->g[g->id];
    cpu_t *cpu = r->v->cpu;
    if (t->code != CPU_TRAP_HYPCALL || t->hypcall_code < RES_HC_EXIT ||
        t->pc - rg->va >= RES_DATA || !(cpu_cp0_read(cpu, C0_STATUS, 0) & ST_EXL))
        return t; /* the guest's own (a HYPCALL, a kernel-page access) */
    /* The guest's registers as it left them, real user mode again. */
    cpu_set_gpr(cpu, 26, cpu_cp0_read(cpu, C0_KSCRATCH, 2));
    cpu_set_gpr(cpu, 27, dget(r, rg, RD_SAVE_K1));
    cpu_cp0_write(cpu, C0_STATUS, 0, cpu_cp0_read(cpu, C0_STATUS, 0) & ~ST_EXL);
    const struct cpu_trap *gt = cpu_trap_from_cp0(cpu, t->hypcall_code == RES_HC_REFILL);
    g->st.resident.host[gt->code & 31]++;
    g->st.resident.host_insns[gt->code & 31] += cpu_insns(cpu) - rg->t_insns;
    rg->handed = true;
    return gt;
}

/* Every exception the CPU delivers under this model is a guest trap
 * entering the first portion; an ERET from its code ends the fast path. */
static void res_on_event(void *opaque, const struct cpu_event *ev)
{
    struct resident *r = opaque;
    struct guest *g = r->v->cur;
    if (!g)
        return;
    struct res_guest *rg = &r->g[g->id];
    if (ev->kind == CPU_EV_EXCEPTION) {
        rg->t_code = ev->code & 31;
        rg->t_insns = cpu_insns(r->v->cpu);
        rg->t_ns = r->v->timing ? vmm_host_ns() : 0;
    } else if (ev->kind == CPU_EV_ERET && ev->pc - rg->va < RES_DATA) {
        g->st.resident.fast[rg->t_code]++;
        g->st.resident.fast_insns[rg->t_code] += cpu_insns(r->v->cpu) - rg->t_insns;
        if (r->v->timing)
            g->st.resident.fast_ns[rg->t_code] += vmm_host_ns() - rg->t_ns;
    }
}

/* ---- the region owner ------------------------------------------------------- */

/* A real TLB miss: the guest uses that granule. */
static bool res_claim_va(void *state, struct guest *g, const struct cpu_trap *t,
                         struct vmm_outcome *o)
{
    struct resident *r = state;
    (void)o;
    rp_mark(&r->g[g->id].touched, t->badvaddr, 1);
    return false;
}

/* The guest touched the pair's region (a kernel-page trap): a fetch, or any
 * access where the place is not a served one, moves the pair (the access
 * re-executes against the guest's own memory); a data access at a served
 * place is done for it there. */
static bool res_inhibit_fault(void *state, struct guest *g, const struct cpu_trap *t,
                              struct vmm_outcome *o)
{
    struct resident *r = state;
    struct res_guest *rg = &r->g[g->id];
    if (t->code != CPU_TRAP_KPAGE || t->badvaddr - rg->va >= RES_SIZE)
        return false;
    g->st.resident.conflicts++;
    bool serve = rg->served && !t->fetch;
    rp_history_touch(&rg->history, serve);
    if (serve) {
        g->st.resident.served++;
        sync_history(g, rg);
        *o = shadow_serve(g, t);
        return true;
    }
    vmm_tracef(r->v, "vmm %s %s of %08x at %08x: the resident portion's region", g->cfg->name,
               t->fetch ? "fetch" : "access", t->badvaddr, t->pc);
    relocate(r, g, VMM_RELOC_ACCESS);
    *o = vmm_outcome_of(VMM_TRAP_TLB_INVALID); /* the access re-executes */
    return true;
}

static void res_guest_tlb_write(void *state, struct guest *g, unsigned index,
                                const struct tlb_regs *e)
{
    struct resident *r = state;
    struct res_guest *rg = &r->g[g->id];
    (void)index;
    uint32_t span = (e->pagemask | (RP_GRANULE - 1)) + 1;
    uint32_t base = e->entryhi & ~(span - 1);
    if (!rg->va || rg->served || !((e->entrylo0 | e->entrylo1) & ENTRYLO_V) ||
        rg->va - base >= span)
        return; /* at a served place the guest may map it: its accesses are served */
    vmm_tracef(r->v, "vmm %s TLB write %08x (%u KiB pair) over the resident portion", g->cfg->name,
               base, span >> 10);
    relocate(r, g, VMM_RELOC_TLB_WRITE);
}

static uint32_t res_va_page_limit(void *state, struct guest *g, uint32_t va)
{
    struct resident *r = state;
    uint32_t rva = r->g[g->id].va;
    for (uint32_t s = 16u << 20; s > 4096; s >>= 2) {
        uint32_t base = va & ~(2 * s - 1);
        if (rva - base >= 2 * s)
            return s;
    }
    return 4096;
}

/* ---- lifecycle ------------------------------------------------------------- */

static int res_create(struct vmm *v, void **state, char *err, size_t errlen)
{
    struct resident *r = calloc(1, sizeof *r);
    if (!r) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    r->v = v;
    r->big_endian = !v->cfg->board.little_endian;
    r->loaded = -1;
    r->policy = vmm_reloc_policy_builtin(v->cfg->relocation);
    r->code_hpa = vmm_pool_alloc(v, 1);
    BUG_ON(!r->code_hpa); /* vmm_buffer_pages counted it */
    uint8_t *code = phys_host_page(v->phys, r->code_hpa, true);
    memcpy(code, r->big_endian ? vmm_resident_eb : vmm_resident_el, RES_DATA);
    for (unsigned i = 0; i < v->cfg->nguests; i++) {
        r->g[i].data_hpa = vmm_pool_alloc(v, 1);
        BUG_ON(!r->g[i].data_hpa);
        r->g[i].data = phys_host_page(v->phys, r->g[i].data_hpa, true);
    }
    if (cpu_add_event_hook(v->cpu, res_on_event, r) != 0) {
        free(r);
        snprintf(err, errlen, "no room for the resident portion's CPU event listener");
        return -1;
    }
    cpu_set_trap_routing(v->cpu, 0); /* the first portion takes them */
    *state = r;
    return 0;
}

static void res_destroy(void *state)
{
    struct resident *r = state;
    cpu_remove_event_hook(r->v->cpu, res_on_event, r);
    free(r);
}

/* Power-on: a fresh data page, and a place chosen before it first runs
 * (its TLB is empty by then). */
static void res_guest_boot(void *state, struct guest *g)
{
    struct resident *r = state;
    struct res_guest *rg = &r->g[g->id];
    memset(rg->data, 0, 4096);
    rp_clear(&rg->touched);
    rp_clear(&rg->conflicted);
    rp_history_clear(&rg->history);
    rg->rng = r->v->cfg->seed ^ (0x51ED270B27C5A1D3ull * (g->id + 1)); /* same seed, same run */
    rg->served = false;
    rg->va = 0;
    rg->handed = false;
    if (r->loaded == (int)g->id)
        r->loaded = -1;
}

void vmm_set_reloc_policy(vmm_t *v, const struct vmm_reloc_policy *p)
{
    struct resident *r = vmm_module_state(v, &resident_module);
    if (r)
        r->policy = p ? p : vmm_reloc_policy_builtin(v->cfg->relocation);
}

bool vmm_guest_resident(const vmm_t *v, unsigned guest, struct vmm_resident_view *out)
{
    const struct resident *r = vmm_module_state(v, &resident_module);
    if (!r || guest >= v->n)
        return false;
    *out = (struct vmm_resident_view){r->g[guest].va, r->code_hpa, r->g[guest].data_hpa};
    return true;
}

static bool res_wanted(const struct vmm_config *c) { return c->traps == VMM_TRAPS_RESIDENT; }

static const struct vmm_region_owner res_owner = {
    .claim_va = res_claim_va,
    .inhibit_fault = res_inhibit_fault,
    .guest_tlb_write = res_guest_tlb_write,
    .va_page_limit = res_va_page_limit,
};

/* The guest never runs at real EXL: EXL means the first portion runs. */
static bool res_inside(void *state)
{
    struct resident *r = state;
    return (cpu_cp0_read(r->v->cpu, C0_STATUS, 0) & ST_EXL) != 0;
}

static const struct vmm_trap_model res_traps = {
    .tlb_reserved = RES_TLB_INDEX + 1,
    .inside = res_inside,
    .vcpu_in = res_vcpu_in,
    .vcpu_out = res_vcpu_out,
    .entry = res_entry,
};

const struct vmm_module resident_module = {
    .name = "resident",
    .wanted = res_wanted,
    .create = res_create,
    .destroy = res_destroy,
    .cpu_ext = CPU_EXT_MAPPED_VECTORS | CPU_EXT_KPAGES | CPU_EXT_KSCRATCH | CPU_EXT_BADINSTR,
    .guest_boot = res_guest_boot,
    .owner = &res_owner,
    .traps = &res_traps,
};
