/*
 * vmm/shadow.c — real TLB misses of a guest: find what the guest's own
 * hardware would do (segment rules, its virtual TLB, its partition map),
 * reflect the exception it would get, emulate a trapped device access, or
 * propose a real translation to the policy and install what it decides.
 * Also the real ASIDs: one per (guest, context, guest ASID), so a guest's
 * user processes never match its kernel's entries and no guest matches
 * another's; when they run out, the real TLB is flushed and numbering
 * starts again.
 */
#include "vmm/vmm_priv.h"

#include <string.h>

#include "cpu/cp0_regs.h"
#include "vmm/memop.h"

#define KSEG0 0x80000000u
#define KSEG2 0xC0000000u
#define KSEG3 0xE0000000u

/* ---- real ASIDs --------------------------------------------------------- */

static enum vmm_ctx guest_ctx(const struct guest *g)
{
    switch (guest_vmode(g)) {
    case VMODE_KERNEL: return (g->cp0.status & ST_ERL) ? CTX_KERNEL_ERL : CTX_KERNEL;
    case VMODE_SUPERVISOR: return CTX_SUPERVISOR;
    case VMODE_USER: break;
    }
    return CTX_USER;
}

static void invalidate(struct vmm *v, unsigned i)
{
    /* ASID 0 is never given to a guest context: the entry matches nothing. */
    struct tlb_regs r = {KSEG0 + i * 0x2000u, 0, 0, 0};
    cpu_tlb_write(v->cpu, i, &r);
    v->real_tlb_writes++;
    v->shadow[i].guest = -1;
}

static void flush_all(struct vmm *v)
{
    for (unsigned i = v->tlb_first; i < tlb_size(v->tlb); i++)
        invalidate(v, i);
}

void shadow_flush_guest(struct vmm *v, int guest)
{
    for (unsigned i = 0; i < tlb_size(v->tlb); i++)
        if (v->shadow[i].guest >= 0 && (guest < 0 || v->shadow[i].guest == guest))
            invalidate(v, i);
}

void shadow_flush_vtlb_entry(struct guest *g, int vtlb_index)
{
    struct vmm *v = g->v;
    for (unsigned i = 0; i < tlb_size(v->tlb); i++)
        if (v->shadow[i].guest == (int)g->id && v->shadow[i].vtlb_index == vtlb_index)
            invalidate(v, i);
}

void shadow_flush_va(struct vmm *v, int guest, uint32_t va)
{
    for (unsigned i = v->tlb_first; i < tlb_size(v->tlb); i++) {
        if (v->shadow[i].guest != guest)
            continue;
        struct tlb_regs e;
        tlb_read(v->tlb, i, &e);
        uint32_t span = (e.pagemask | 0x1FFFu) + 1; /* the pair's bytes */
        if (va - (e.entryhi & ~(span - 1)) < span)
            invalidate(v, i);
    }
}

/* Every real entry that maps host page hpa_page (any guest, any alias). */
void shadow_flush_hpa(struct vmm *v, uint32_t hpa_page)
{
    for (unsigned i = 0; i < tlb_size(v->tlb); i++) {
        if (v->shadow[i].guest < 0)
            continue;
        struct tlb_regs e;
        tlb_read(v->tlb, i, &e);
        uint32_t half = ((e.pagemask | 0x1FFFu) + 1) >> 1;
        uint32_t lo[2] = {e.entrylo0, e.entrylo1};
        for (unsigned h = 0; h < 2; h++) {
            uint32_t base = ((lo[h] & ENTRYLO_PFN_MASK) >> ENTRYLO_PFN_SHIFT) << 12;
            if ((lo[h] & ENTRYLO_V) && hpa_page >= base && hpa_page - base < half) {
                invalidate(v, i);
                break;
            }
        }
    }
}

/* Make the real EntryHi.ASID the one of the guest's current context. */
/* The real ASID of context ctx of g for its current guest ASID. */
static uint8_t real_asid(struct guest *g, enum vmm_ctx ctx)
{
    struct vmm *v = g->v;
    unsigned gasid = g->cp0.entryhi & ENTRYHI_ASID_MASK;
    if (g->asid_gen[ctx][gasid] != v->asid_gen) {
        if (v->asid_next > 255) {
            flush_all(v);
            v->asid_gen++;
            v->asid_next = 1;
            g->st.asid_flushes++;
            vmm_tracef(v, "vmm %s real ASIDs exhausted: TLB flushed", g->cfg->name);
        }
        g->asid[ctx][gasid] = (uint8_t)v->asid_next++;
        g->asid_gen[ctx][gasid] = v->asid_gen;
    }
    return g->asid[ctx][gasid];
}

void shadow_set_asid(struct guest *g)
{
    struct vmm *v = g->v;
    uint8_t real = real_asid(g, guest_ctx(g));
    if (real != v->cur_real_asid) {
        cpu_cp0_write(v->cpu, C0_ENTRYHI, 0, real);
        v->cur_real_asid = real;
    }
}

uint8_t shadow_kernel_asid(struct guest *g)
{
    return real_asid(g, (g->cp0.status & ST_ERL) ? CTX_KERNEL_ERL : CTX_KERNEL);
}

/* ---- the guest's view of an address ------------------------------------- */

struct gxlate {
    unsigned exc; /* 0: translated; else the ExcCode the guest gets */
    bool refill;  /* for TLBL/TLBS: through the refill vector */
    uint32_t gpa;
    bool writable; /* the guest's translation allows stores */
    uint32_t page; /* size of the guest's page (0: unlimited) */
    int vtlb_index;
    enum vmm_source source;
};

static void guest_translate(const struct guest *g, uint32_t va, bool store, struct gxlate *x)
{
    enum vmm_vmode m = guest_vmode(g);
    memset(x, 0, sizeof *x);
    x->vtlb_index = -1;
    if (va >= KSEG0 &&
        (m == VMODE_USER || (m == VMODE_SUPERVISOR && (va < KSEG2 || va >= KSEG3)))) {
        x->exc = store ? EXC_ADES : EXC_ADEL;
        return;
    }
    if ((va >= KSEG0 && va < KSEG2) || (va < KSEG0 && (g->cp0.status & ST_ERL))) {
        x->source = VMM_SRC_PARTITION;
        x->gpa = va < KSEG0 ? va : va & 0x1FFFFFFFu;
        x->writable = true;
        return;
    }
    struct tlb_hit hit;
    x->source = VMM_SRC_GUEST_TLB;
    switch (tlb_lookup(g->vtlb, va, (uint8_t)(g->cp0.entryhi & ENTRYHI_ASID_MASK), store, &hit)) {
    case TLB_HIT: break;
    case TLB_MISS:
        x->exc = store ? EXC_TLBS : EXC_TLBL;
        x->refill = true;
        return;
    case TLB_INVALID: x->exc = store ? EXC_TLBS : EXC_TLBL; return;
    case TLB_MODIFIED: x->exc = EXC_MOD; return;
    case TLB_READ_INHIBIT:
    case TLB_EXEC_INHIBIT:
    case TLB_KERNEL_ONLY: break; /* a guest TLB keeps no RI/XI/K (Release 2) */
    }
    x->gpa = hit.paddr;
    x->writable = hit.dirty;
    x->page = hit.page_mask + 1;
    x->vtlb_index = (int)hit.index;
}

/* Largest real page size s <= limit such that the 2s-aligned pair of pages
 * around the address stays inside the region on both sides and the
 * relocation keeps s alignment. Partition-map pages are chosen per pair, so
 * every address of a pair chooses the same size. */
static uint32_t choose_size(const struct vmm_region *r, uint32_t gpa, uint32_t va, uint32_t limit,
                            bool whole_pair)
{
    for (uint32_t s = 16u << 20; s > 4096; s >>= 2) {
        if (limit && s > limit)
            continue;
        uint32_t span = whole_pair ? 2 * s : s;
        uint32_t start = gpa & ~(span - 1);
        if (((r->hpa - r->gpa) & (s - 1)) || ((va ^ gpa) & (span - 1)))
            continue;
        if (start >= r->gpa && (uint64_t)start + span <= (uint64_t)r->gpa + r->size)
            return s;
    }
    return 4096;
}

static bool valid_size(uint32_t s)
{
    for (uint32_t p = 4096; p <= (16u << 20); p <<= 2)
        if (s == p)
            return true;
    return false;
}

/* ---- installing --------------------------------------------------------- */

/* Write the pair at base_va (in the current real ASID) over the entry that
 * already maps it, else the next victim (round robin: deterministic), and
 * remember what it shadows. Returns the real TLB index. */
static int install(struct guest *g, uint32_t base_va, uint32_t size, const uint32_t lo[2],
                   int vtlb_index, enum vmm_decision d)
{
    struct vmm *v = g->v;
    uint32_t hi = base_va | v->cur_real_asid;
    struct tlb_regs r = {hi, lo[0], lo[1], ((size >> 12) - 1) << 13};
    int idx = tlb_probe(v->tlb, hi);
    if (idx < 0)
        idx = (int)(v->tlb_first + v->victim++ % (tlb_size(v->tlb) - v->tlb_first));
    BUG_ON((unsigned)idx < v->tlb_first); /* the trap model's: va_page_limit keeps fills off */
    cpu_tlb_write(v->cpu, (unsigned)idx, &r);
    v->real_tlb_writes++;
    struct shadow_info *s = &v->shadow[idx];
    s->guest = (int)g->id;
    s->vtlb_index = vtlb_index;
    s->decision = d;
    s->ctx = guest_ctx(g);
    return idx;
}

static uint32_t entrylo(uint32_t hpa, bool writable, bool uncached)
{
    return ((hpa >> 12) << ENTRYLO_PFN_SHIFT) | (uncached ? 2u : 3u) << 3 |
           (writable ? ENTRYLO_D : 0) | ENTRYLO_V;
}

static bool mappable(enum vmm_region_kind k)
{
    return k == VMM_REGION_RAM || k == VMM_REGION_ROM || k == VMM_REGION_DEVICE ||
           k == VMM_REGION_BUFFER;
}

/* ---- region owners (module.h): consulted here and nowhere else ------------- */

static bool owners_claim_va(struct guest *g, const struct cpu_trap *t, struct vmm_outcome *o)
{
    const struct vmm *v = g->v;
    for (unsigned i = 0; i < v->nmods; i++) {
        const struct vmm_region_owner *ow = v->mods[i].m->owner;
        if (ow && ow->claim_va && ow->claim_va(v->mods[i].state, g, t, o))
            return true;
    }
    return false;
}

static bool owners_claim_page(struct guest *g, const struct cpu_trap *t,
                              const struct owner_fault *f, struct vmm_outcome *o)
{
    const struct vmm *v = g->v;
    for (unsigned i = 0; i < v->nmods; i++) {
        const struct vmm_region_owner *ow = v->mods[i].m->owner;
        if (ow && ow->claim_page && ow->claim_page(v->mods[i].state, g, t, f, o))
            return true;
    }
    return false;
}

/* The smallest of limit (0: none) and every owner's limit over r. */
static uint32_t owners_page_limit(const struct vmm *v, const struct vmm_region *r, uint32_t limit)
{
    for (unsigned i = 0; i < v->nmods; i++) {
        const struct vmm_region_owner *ow = v->mods[i].m->owner;
        uint32_t l = ow && ow->page_limit ? ow->page_limit(v->mods[i].state, r) : 0;
        if (l && (!limit || l < limit))
            limit = l;
    }
    return limit;
}

static uint32_t owners_entrylo(struct guest *g, const struct owner_page *p, uint32_t lo)
{
    const struct vmm *v = g->v;
    for (unsigned i = 0; i < v->nmods; i++) {
        const struct vmm_region_owner *ow = v->mods[i].m->owner;
        if (ow && ow->entrylo)
            lo = ow->entrylo(v->mods[i].state, g, p, lo);
    }
    return lo;
}

/* ---- the policy ----------------------------------------------------------- */

/* Fill in a candidate for va (whose guest translation is x, in region r). */
static void make_candidate(const struct guest *g, uint32_t va, bool store, bool fetch,
                           const struct gxlate *x, const struct vmm_region *r, uint32_t size,
                           struct vmm_candidate *c)
{
    memset(c, 0, sizeof *c);
    c->guest = g->id;
    c->mode = guest_vmode(g);
    c->vaddr = va;
    c->store = store;
    c->fetch = fetch;
    c->source = x->source;
    c->guest_tlb_index = x->vtlb_index;
    c->gpa = x->gpa;
    c->kind = r->kind;
    c->guest_writable = x->writable && r->writable;
    c->region_gpa = r->gpa;
    c->region_size = r->size;
    c->region_hpa = r->hpa;
    c->hpa = r->hpa + (x->gpa - r->gpa);
    c->page_size = size;
    c->writable = c->guest_writable;
}

/* The policy's verdict, checked: the page must stay inside its region. */
static enum vmm_decision decide(struct guest *g, struct vmm_candidate *c)
{
    const struct vmm_policy *p = g->v->policy;
    struct vmm_candidate before = *c;
    enum vmm_decision d = p->inspect ? p->inspect(p->opaque, c) : VMM_ACCEPT;
    if (d == VMM_REJECT)
        return d;
    /* What the policy may not change, it does not change. */
    bool ok = valid_size(c->page_size) && c->page_size <= before.page_size &&
              !(c->writable && !before.guest_writable);
    uint32_t page_hpa = c->hpa & ~(c->page_size - 1);
    uint32_t page_gpa_off = (c->vaddr & (c->page_size - 1));
    ok = ok && (c->hpa & (c->page_size - 1)) == page_gpa_off && page_hpa >= c->region_hpa &&
         (uint64_t)page_hpa + c->page_size <= (uint64_t)c->region_hpa + c->region_size;
    if (!ok) {
        g->st.policy_violations++;
        vmm_tracef(g->v, "vmm %s policy %s broke the rules for va %08x: rejected", g->cfg->name,
                   p->name, c->vaddr);
        return VMM_REJECT;
    }
    if (d == VMM_ACCEPT && memcmp(&before, c, sizeof before) != 0)
        d = VMM_MODIFY;
    return d;
}

/* ---- what the guest gets -------------------------------------------------- */

static struct vmm_outcome reflect_x(struct guest *g, const struct cpu_trap *t,
                                    const struct gxlate *x)
{
    guest_reflect(g, x->exc, t->epc, t->bd, t->badvaddr, x->refill, 0);
    struct vmm_outcome o = vmm_outcome_of(VMM_TRAP_EXCEPTION);
    o.reflected = (int)x->exc;
    return o;
}

static struct vmm_outcome bus_error(struct guest *g, const struct cpu_trap *t)
{
    unsigned code = t->fetch ? EXC_IBE : EXC_DBE;
    guest_reflect(g, code, t->epc, t->bd, 0, false, 0);
    struct vmm_outcome o = vmm_outcome_of(VMM_TRAP_EXCEPTION);
    o.reflected = (int)code;
    return o;
}

/* A store hit a page the policy made read-only, which the guest may write:
 * the policy's on_write lets it through (the real entry becomes writable)
 * or refuses it (a bus error). False when the real entry is gone (replaced
 * meanwhile): the caller fills afresh. */
static bool write_fault(struct guest *g, const struct cpu_trap *t, const struct gxlate *x,
                        const struct vmm_region *r, uint32_t size, struct vmm_outcome *o)
{
    struct vmm *v = g->v;
    uint32_t va = t->badvaddr;
    struct vmm_candidate c;
    make_candidate(g, va, true, false, x, r, size, &c);
    const struct vmm_policy *p = v->policy;
    g->st.write_faults++;
    if (p->on_write && !p->on_write(p->opaque, &c)) {
        vmm_tracef(v, "vmm %s store to %08x refused by policy %s", g->cfg->name, va, p->name);
        *o = bus_error(g, t);
        return true;
    }
    int idx = tlb_probe(v->tlb, (va & ENTRYHI_VPN2_MASK) | v->cur_real_asid);
    if (idx < 0)
        return false;
    struct tlb_regs e;
    tlb_read(v->tlb, (unsigned)idx, &e);
    uint32_t half = va & (((e.pagemask | 0x1FFFu) + 1) >> 1);
    uint32_t *lo = half ? &e.entrylo1 : &e.entrylo0;
    *lo |= ENTRYLO_D;
    guest_mark_written(g, ((*lo & ENTRYLO_PFN_MASK) >> ENTRYLO_PFN_SHIFT) << 12,
                       ((e.pagemask | 0x1FFFu) + 1) >> 1);
    cpu_tlb_write(v->cpu, (unsigned)idx, &e);
    v->real_tlb_writes++;
    vmm_tracef(v, "vmm %s write to %08x let through: page now writable", g->cfg->name, va);
    *o = vmm_outcome_of(VMM_TRAP_TLB_MOD);
    o->tlb_index = idx;
    return true;
}

/* One page of the real pair, at hva: the faulting one (x, r), or its
 * neighbour when the guest maps that to the same region the same way (else
 * it stays invalid). The policy decides; *lo gets the entry unless it
 * rejected. Returns the page size the policy wants (size: as proposed). */
static uint32_t fill_half(struct guest *g, const struct cpu_trap *t, const struct gxlate *x,
                          const struct vmm_region *r, uint32_t hva, uint32_t size, uint32_t *lo,
                          enum vmm_decision *fault_d)
{
    uint32_t va = t->badvaddr;
    bool store = t->code == EXC_TLBS || t->code == EXC_MOD;
    bool mine = (va - hva) < size;
    struct gxlate hx = *x;
    uint32_t pva = mine ? va : hva;
    if (!mine) {
        guest_translate(g, hva, false, &hx);
        if (hx.exc || hx.vtlb_index != x->vtlb_index || hx.source != x->source ||
            guest_region(g, hx.gpa) != r)
            return size;
    }
    struct vmm_candidate c;
    make_candidate(g, pva, mine && store, mine && t->fetch, &hx, r, size, &c);
    /* The candidate describes the page: its first byte's addresses. */
    enum vmm_decision d = decide(g, &c);
    g->st.decisions[d]++;
    if (mine)
        *fault_d = d;
    vmm_tracef(g->v, "vmm %s %s va %08x gpa %08x -> hpa %08x %uK%s %s", g->cfg->name,
               mine ? cpu_exc_name(t->code) : "pair", pva, hx.gpa, c.hpa, c.page_size >> 10,
               c.writable ? " rw" : " ro", vmm_decision_name(d));
    if (d == VMM_REJECT)
        return size;
    if (c.page_size < size)
        return c.page_size; /* the policy wants smaller pages: redo the pair */
    bool uncached = (va >= 0xA0000000u && va < KSEG2) || r->kind == VMM_REGION_DEVICE;
    struct owner_page p = {r, c.hpa & ~0xFFFu, pva & ~0xFFFu, mine && t->fetch};
    *lo = owners_entrylo(g, &p, entrylo(c.hpa & ~(size - 1), c.writable, uncached));
    if (*lo & ENTRYLO_D)
        guest_mark_written(g, c.hpa & ~(size - 1), size);
    return size;
}

/* Map the real pair around the faulting address (its guest translation x
 * in region r) and install it, or give the guest what a rejection means:
 * its TLB exception for its own mappings, a bus error for the partition. */
static struct vmm_outcome fill(struct guest *g, const struct cpu_trap *t, const struct gxlate *x,
                               const struct vmm_region *r, uint32_t size)
{
    uint32_t va = t->badvaddr;
    bool store = t->code == EXC_TLBS || t->code == EXC_MOD;
    for (int attempt = 0; attempt < 8; attempt++) {
        uint32_t base = va & ~(2 * size - 1), lo[2] = {0, 0}, want = size;
        enum vmm_decision fault_d = VMM_ACCEPT;
        for (unsigned half = 0; half < 2 && want == size; half++)
            want = fill_half(g, t, x, r, base + half * size, size, &lo[half], &fault_d);
        if (want < size) {
            size = want;
            continue;
        }
        struct vmm_outcome o;
        if (fault_d == VMM_REJECT) {
            if (x->source == VMM_SRC_GUEST_TLB) {
                unsigned code = store ? EXC_TLBS : EXC_TLBL;
                guest_reflect(g, code, t->epc, t->bd, va, false, 0);
                o = vmm_outcome_of(VMM_TRAP_EXCEPTION);
                o.reflected = (int)code;
            } else {
                o = bus_error(g, t);
            }
        } else {
            o = vmm_outcome_of(VMM_TRAP_TLB_MISS);
            o.tlb_index = install(g, base, size, lo, x->vtlb_index, fault_d);
        }
        o.decision = (int)fault_d;
        return o;
    }
    return bus_error(g, t); /* a policy that keeps shrinking */
}

/*
 * A real TLB miss, invalid or Mod trap of the running guest. In order: a
 * region owner's guest virtual range; what the guest's own hardware would do
 * (its segments and TLB: an exception is reflected); its partition map
 * (nothing there: a bus error; an emulated device: the access is emulated;
 * a ROM store is ignored); a region owner's host page; a store to a page the
 * policy made read-only; else the policy fills the real pair.
 */
struct vmm_outcome shadow_handle(struct guest *g, const struct cpu_trap *t)
{
    struct vmm *v = g->v;
    struct vmm_outcome o = vmm_outcome_of(VMM_TRAP_EXCEPTION);
    if (owners_claim_va(g, t, &o))
        return o;
    uint32_t va = t->badvaddr;
    bool store = t->code == EXC_TLBS || t->code == EXC_MOD;
    struct gxlate x;
    guest_translate(g, va, store, &x);
    if (x.exc)
        return reflect_x(g, t, &x);
    const struct vmm_region *r = guest_region(g, x.gpa);
    if (!r) {
        vmm_tracef(v, "vmm %s %s va %08x gpa %08x: nothing there", g->cfg->name,
                   cpu_exc_name(t->code), va, x.gpa);
        return bus_error(g, t);
    }
    if (!mappable(r->kind))
        return t->fetch ? bus_error(g, t) : guest_emulate_mmio(g, t, r, x.gpa);
    if (store && !r->writable) { /* ROM: the write is ignored, as natively */
        cpu_trap_skip(v->cpu);
        return o;
    }
    struct owner_fault f = {r, va, x.gpa, r->hpa + (x.gpa - r->gpa), store};
    if (owners_claim_page(g, t, &f, &o))
        return o;
    uint32_t limit = owners_page_limit(v, r, x.page);
    uint32_t vlimit = modules_va_page_limit(g, va);
    if (vlimit && (!limit || vlimit < limit))
        limit = vlimit;
    uint32_t size = choose_size(r, x.gpa, va, limit, x.source == VMM_SRC_PARTITION);
    if (t->code == EXC_MOD && write_fault(g, t, &x, r, size, &o))
        return o;
    return fill(g, t, &x, r, size);
}

struct vmm_outcome shadow_serve(struct guest *g, const struct cpu_trap *t)
{
    struct vmm *v = g->v;
    struct vmm_outcome o = vmm_outcome_of(VMM_TRAP_TLB_INVALID);
    struct memop m;
    if (!memop_decode(t->insn, &m)) { /* PREF and the like: hints, nothing to do */
        cpu_trap_skip(v->cpu);
        return o;
    }
    uint32_t va = t->badvaddr;
    struct gxlate x;
    guest_translate(g, va, m.store, &x);
    if (x.exc)
        return reflect_x(g, t, &x);
    const struct vmm_region *r = guest_region(g, x.gpa);
    if (!r)
        return bus_error(g, t);
    if (!mappable(r->kind))
        return guest_emulate_mmio(g, t, r, x.gpa);
    cpu_trap_skip(v->cpu);
    if (m.store && !r->writable)
        return o; /* ROM: the write is ignored, as natively */
    uint32_t hpa = r->hpa + (x.gpa - r->gpa);
    uint8_t *word = (uint8_t *)phys_host_page(v->phys, hpa & ~0xFFFu, true) + (hpa & 0xFFCu);
    bool be = phys_big_endian(v->phys);
    if (m.store) {
        memop_store(&m, word, va & 3u, be, cpu_gpr(v->cpu, m.rt));
        guest_mark_written(g, hpa & ~3u, 4);
        if (m.linked)
            cpu_set_gpr(v->cpu, m.rt, 1); /* SC: served stores always succeed */
    } else {
        cpu_set_gpr(v->cpu, m.rt, memop_load(&m, word, va & 3u, be, cpu_gpr(v->cpu, m.rt)));
        if (m.linked)
            cpu_set_llbit(v->cpu, true);
    }
    g->st.emulated[m.store ? VMM_OP_STORE : VMM_OP_LOAD]++;
    return o;
}

/* ---- built-in policies --------------------------------------------------- */

static enum vmm_decision accept_all(void *opaque, struct vmm_candidate *c)
{
    (void)opaque;
    (void)c;
    return VMM_ACCEPT;
}

static enum vmm_decision write_watch(void *opaque, struct vmm_candidate *c)
{
    (void)opaque;
    if (c->kind == VMM_REGION_RAM && c->writable && !c->store) {
        c->writable = false;
        return VMM_MODIFY;
    }
    return VMM_ACCEPT;
}

static enum vmm_decision small_pages(void *opaque, struct vmm_candidate *c)
{
    (void)opaque;
    if (c->page_size > 4096) {
        c->page_size = 4096;
        return VMM_MODIFY;
    }
    return VMM_ACCEPT;
}

static const struct vmm_policy builtin[] = {
    {"default", accept_all, NULL, NULL},
    {"writewatch", write_watch, NULL, NULL},
    {"small", small_pages, NULL, NULL},
};

const struct vmm_policy *vmm_policy_find(const char *name)
{
    for (size_t i = 0; i < sizeof builtin / sizeof *builtin; i++)
        if (strcmp(builtin[i].name, name) == 0)
            return &builtin[i];
    return NULL;
}

const char *vmm_policy_names(void) { return "default, writewatch, small"; }

const char *vmm_decision_name(enum vmm_decision d)
{
    switch (d) {
    case VMM_ACCEPT: return "accept";
    case VMM_MODIFY: return "modify";
    case VMM_REJECT: return "reject";
    case VMM_DECISIONS: break;
    }
    return "?";
}
