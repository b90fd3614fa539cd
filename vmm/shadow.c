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
    v->shadow[i].guest = -1;
}

static void flush_all(struct vmm *v)
{
    for (unsigned i = 0; i < tlb_size(v->tlb); i++)
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
void shadow_set_asid(struct guest *g)
{
    struct vmm *v = g->v;
    enum vmm_ctx ctx = guest_ctx(g);
    unsigned gasid = g->cp0.entryhi & ENTRYHI_ASID_MASK;
    if (g->asid_gen[ctx][gasid] != v->asid_gen) {
        if (v->asid_next > 255) {
            flush_all(v);
            v->asid_gen++;
            v->asid_next = 1;
            g->st.asid_flushes++;
            vmm_tracef(v, "vmm %s real ASIDs exhausted: TLB flushed", g->cfg.name);
        }
        g->asid[ctx][gasid] = (uint8_t)v->asid_next++;
        g->asid_gen[ctx][gasid] = v->asid_gen;
    }
    uint8_t real = g->asid[ctx][gasid];
    if (real != v->cur_real_asid) {
        cpu_cp0_write(v->cpu, C0_ENTRYHI, 0, real);
        v->cur_real_asid = real;
    }
}

/* ---- the guest's view of an address ------------------------------------- */

struct gxlate {
    unsigned exc;  /* 0: translated; else the ExcCode the guest gets */
    bool refill;   /* for TLBL/TLBS: through the refill vector */
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
    if (va >= KSEG0 && (m == VMODE_USER || (m == VMODE_SUPERVISOR && (va < KSEG2 || va >= KSEG3)))) {
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
    case TLB_MISS: x->exc = store ? EXC_TLBS : EXC_TLBL; x->refill = true; return;
    case TLB_INVALID: x->exc = store ? EXC_TLBS : EXC_TLBL; return;
    case TLB_MODIFIED: x->exc = EXC_MOD; return;
    case TLB_READ_INHIBIT:
    case TLB_EXEC_INHIBIT: break; /* a guest TLB keeps no RI/XI (Release 2) */
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

static void install(struct guest *g, uint32_t base_va, uint32_t size, const uint32_t lo[2],
                    int vtlb_index, enum vmm_decision d)
{
    struct vmm *v = g->v;
    uint32_t hi = base_va | v->cur_real_asid;
    struct tlb_regs r = {hi, lo[0], lo[1], ((size >> 12) - 1) << 13};
    int idx = tlb_probe(v->tlb, hi);
    if (idx < 0)
        idx = (int)(v->victim++ % tlb_size(v->tlb)); /* round robin: deterministic */
    cpu_tlb_write(v->cpu, (unsigned)idx, &r);
    struct shadow_info *s = &v->shadow[idx];
    s->guest = (int)g->id;
    s->vtlb_index = vtlb_index;
    s->decision = d;
    s->ctx = guest_ctx(g);
    v->ev_tlb_index = idx;
}

static uint32_t entrylo(uint32_t hpa, bool writable, bool uncached)
{
    return ((hpa >> 12) << ENTRYLO_PFN_SHIFT) | (uncached ? 2u : 3u) << 3 |
           (writable ? ENTRYLO_D : 0) | ENTRYLO_V;
}

static bool mappable(enum vmm_region_kind k)
{
    return k == VMM_REGION_RAM || k == VMM_REGION_ROM || k == VMM_REGION_DEVICE;
}

/* Memory that may hold code: what the scanner fix keeps track of. */
static bool scanned_kind(const struct vmm *v, enum vmm_region_kind k)
{
    return v->scanner && (k == VMM_REGION_RAM || k == VMM_REGION_ROM);
}

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
        vmm_tracef(g->v, "vmm %s policy %s broke the rules for va %08x: rejected", g->cfg.name,
                   p->name, c->vaddr);
        return VMM_REJECT;
    }
    if (d == VMM_ACCEPT && memcmp(&before, c, sizeof before) != 0)
        d = VMM_MODIFY;
    return d;
}

static void reflect_x(struct guest *g, const struct cpu_trap *t, const struct gxlate *x)
{
    guest_reflect(g, x->exc, t->epc, t->bd, t->badvaddr, x->refill, 0);
}

static void bus_error(struct guest *g, const struct cpu_trap *t)
{
    guest_reflect(g, t->fetch ? EXC_IBE : EXC_DBE, t->epc, t->bd, 0, false, 0);
}

void shadow_handle(struct guest *g, const struct cpu_trap *t)
{
    struct vmm *v = g->v;
    uint32_t va = t->badvaddr;
    bool store = t->code == EXC_TLBS || t->code == EXC_MOD;
    g->st.traps[t->code == EXC_MOD            ? VMM_TRAP_TLB_MOD
                : t->refill                   ? VMM_TRAP_TLB_MISS
                                              : VMM_TRAP_TLB_INVALID]++;
    struct gxlate x;
    guest_translate(g, va, store, &x);
    if (x.exc) {
        reflect_x(g, t, &x);
        return;
    }
    const struct vmm_region *r = guest_region(g, x.gpa);
    if (!r) {
        vmm_tracef(v, "vmm %s %s va %08x gpa %08x: nothing there", g->cfg.name,
                   cpu_exc_name(t->code), va, x.gpa);
        bus_error(g, t);
        return;
    }
    if (!mappable(r->kind)) {
        if (t->fetch)
            bus_error(g, t);
        else
            guest_emulate_mmio(g, t, r, x.gpa);
        return;
    }
    if (store && !r->writable) { /* ROM: the write is ignored, as natively */
        cpu_trap_skip(v->cpu);
        return;
    }
    bool uncached = (va >= 0xA0000000u && va < KSEG2) || r->kind == VMM_REGION_DEVICE;
    /* The scanner fix tracks code per 4 KiB page. */
    uint32_t limit = scanned_kind(v, r->kind) ? 4096 : x.page;
    uint32_t size = choose_size(r, x.gpa, va, limit, x.source == VMM_SRC_PARTITION);

    if (store && scanned_kind(v, r->kind)) {
        uint32_t hpa = r->hpa + (x.gpa - r->gpa);
        if (patch_page_scanned(v, hpa)) {
            if (t->code == EXC_MOD) {
                patch_on_store(g, t, hpa); /* a store into code: done and rescanned */
                return;
            }
            /* A store miss: the entry is installed read-only below, and the
             * retried store comes back as Mod. */
        }
    }

    if (t->code == EXC_MOD) {
        /* A page the policy made read-only, which the guest may write. */
        struct vmm_candidate c;
        make_candidate(g, va, true, false, &x, r, size, &c);
        const struct vmm_policy *p = v->policy;
        g->st.write_faults++;
        if (p->on_write && !p->on_write(p->opaque, &c)) {
            vmm_tracef(v, "vmm %s store to %08x refused by policy %s", g->cfg.name, va, p->name);
            bus_error(g, t);
            return;
        }
        int idx = tlb_probe(v->tlb, (va & ENTRYHI_VPN2_MASK) | v->cur_real_asid);
        if (idx >= 0) {
            struct tlb_regs e;
            tlb_read(v->tlb, (unsigned)idx, &e);
            uint32_t half = va & (((e.pagemask | 0x1FFFu) + 1) >> 1);
            if (half)
                e.entrylo1 |= ENTRYLO_D;
            else
                e.entrylo0 |= ENTRYLO_D;
            cpu_tlb_write(v->cpu, (unsigned)idx, &e);
            vmm_tracef(v, "vmm %s write to %08x let through: page now writable", g->cfg.name, va);
            return;
        }
        /* The entry is gone (replaced meanwhile): fill afresh below. */
    }

    /* Both pages of the real pair: the one that faulted, and its neighbour if
     * the guest maps it to the same kind of memory. */
    for (int attempt = 0; attempt < 8; attempt++) {
        uint32_t base = va & ~(2 * size - 1), lo[2] = {0, 0};
        enum vmm_decision fault_d = VMM_ACCEPT;
        bool shrink = false;
        for (unsigned half = 0; half < 2 && !shrink; half++) {
            uint32_t hva = base + half * size;
            bool mine = (va - hva) < size;
            struct gxlate hx = x;
            const struct vmm_region *hr = r;
            uint32_t pva = mine ? va : hva;
            if (!mine) {
                guest_translate(g, hva, false, &hx);
                if (hx.exc || hx.vtlb_index != x.vtlb_index || hx.source != x.source)
                    continue;
                hr = guest_region(g, hx.gpa);
                if (hr != r)
                    continue;
            }
            struct vmm_candidate c;
            make_candidate(g, pva, mine && store, mine && t->fetch, &hx, hr, size, &c);
            /* The candidate describes the page: its first byte's addresses. */
            enum vmm_decision d = decide(g, &c);
            g->st.decisions[d]++;
            if (mine)
                fault_d = d;
            vmm_tracef(v, "vmm %s %s va %08x gpa %08x -> hpa %08x %uK%s %s", g->cfg.name,
                       mine ? cpu_exc_name(t->code) : "pair", pva, hx.gpa, c.hpa,
                       c.page_size >> 10, c.writable ? " rw" : " ro", vmm_decision_name(d));
            if (d == VMM_REJECT)
                continue;
            if (c.page_size < size) {
                size = c.page_size; /* the policy wants smaller pages: redo the pair */
                shrink = true;
                break;
            }
            lo[half] = entrylo(c.hpa & ~(size - 1), c.writable, uncached);
            if (scanned_kind(v, hr->kind)) {
                if (mine && t->fetch) /* first execution: scan before it runs */
                    patch_scan_page(g, c.hpa & ~0xFFFu, pva & ~0xFFFu);
                lo[half] = patch_adjust_lo(v, c.hpa & ~0xFFFu, lo[half]);
            }
        }
        if (shrink)
            continue;
        v->ev_decision = (int)fault_d;
        if (fault_d == VMM_REJECT) {
            if (x.source == VMM_SRC_GUEST_TLB)
                guest_reflect(g, store ? EXC_TLBS : EXC_TLBL, t->epc, t->bd, va, false, 0);
            else
                bus_error(g, t);
            return;
        }
        install(g, base, size, lo, x.vtlb_index, fault_d);
        return;
    }
    bus_error(g, t); /* a policy that keeps shrinking */
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
