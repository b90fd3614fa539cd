/*
 * vmm/resident_place.c — where a resident portion may go (resident_place.h):
 * the `unused` search, random draws, the regions' history; and the built-in
 * relocation policies made of them (reloc_policy.h).
 */
#include "vmm/resident_place.h"

#include <string.h>

#include "util/bug.h"
#include "vmm/reloc_policy.h"

#define KSEG01 0x80000000u /* kseg0 and kseg1: 1 GiB the real kernel mode does not map */

void rp_clear(struct rp_map *m) { memset(m->bits, 0, sizeof m->bits); }

/* Granule indexes [first, end) of [va, va + len), clipped at 4 GiB. */
static void granules(uint32_t va, uint32_t len, uint32_t *first, uint32_t *end)
{
    uint64_t hi = (uint64_t)va + len;
    if (hi > (1ull << 32))
        hi = 1ull << 32;
    *first = va / RP_GRANULE;
    *end = (uint32_t)((hi + RP_GRANULE - 1) / RP_GRANULE);
}

void rp_mark(struct rp_map *m, uint32_t va, uint32_t len)
{
    uint32_t i, end;
    if (len == 0)
        return;
    granules(va, len, &i, &end);
    for (; i < end && (i & 63); i++)
        m->bits[i / 64] |= 1ull << (i & 63);
    for (; i + 64 <= end; i += 64)
        m->bits[i / 64] = ~0ull;
    for (; i < end; i++)
        m->bits[i / 64] |= 1ull << (i & 63);
}

bool rp_any(const struct rp_map *m, uint32_t va, uint32_t len)
{
    uint32_t i, end;
    if (len == 0)
        return false;
    granules(va, len, &i, &end);
    for (; i < end && (i & 63); i++)
        if (m->bits[i / 64] >> (i & 63) & 1)
            return true;
    for (; i + 64 <= end; i += 64)
        if (m->bits[i / 64])
            return true;
    for (; i < end; i++)
        if (m->bits[i / 64] >> (i & 63) & 1)
            return true;
    return false;
}

/* The pair a valid guest TLB entry covers outside kseg0/kseg1: *base, *span (0: none). */
static void entry_span(const tlb_t *vtlb, unsigned i, uint32_t *base, uint32_t *span)
{
    struct tlb_regs e;
    tlb_read(vtlb, i, &e);
    *span = 0;
    if (!((e.entrylo0 | e.entrylo1) & ENTRYLO_V))
        return;
    uint32_t s = (e.pagemask | (RP_GRANULE - 1)) + 1;
    *base = e.entryhi & ~(s - 1);
    if (*base >= KSEG01 && *base - KSEG01 < 0x40000000u)
        return;
    *span = s;
}

/* Every granule a valid entry of the guest's TLB covers, in any ASID (those in
 * kseg0/kseg1 never match, and that window is busy anyway). */
static void mark_vtlb(struct rp_map *busy, const tlb_t *vtlb)
{
    uint32_t base, span;
    for (unsigned i = 0; i < tlb_size(vtlb); i++) {
        entry_span(vtlb, i, &base, &span);
        rp_mark(busy, base, span);
    }
}

static void merge(struct rp_map *busy, const struct rp_map *m)
{
    if (m)
        for (unsigned i = 0; i < RP_GRANULES / 64; i++)
            busy->bits[i] |= m->bits[i];
}

bool rp_find_unused(const struct rp_view *v, uint32_t size, struct rp_map *scratch, uint32_t *va)
{
    BUG_ON(size < RP_GRANULE || (size & (size - 1)));
    rp_clear(scratch);
    mark_vtlb(scratch, v->vtlb);
    merge(scratch, v->touched);
    merge(scratch, v->conflicted);
    /* The real CPU's kernel mode (where the resident code runs) does not
     * translate kseg0/kseg1: never there. */
    rp_mark(scratch, KSEG01, 0x40000000u);
    for (uint64_t top = 1ull << 32; top >= size; top -= size) {
        uint32_t base = (uint32_t)(top - size);
        if (!rp_any(scratch, base, size)) {
            *va = base;
            return true;
        }
    }
    return false;
}

/* ---- random regions --------------------------------------------------------- */

uint64_t rp_next(uint64_t *state)
{
    uint64_t z = (*state += 0x9E3779B97F4A7C15ull); /* splitmix64 */
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

uint32_t rp_random_region(uint64_t *state, const struct rp_map *avoid, uint32_t not_va)
{
    const uint32_t outside = (0x100000000ull - 0x40000000u) / RP_GRANULE; /* all but kseg0/1 */
    uint32_t va = 0;
    for (int draw = 0; draw < 64; draw++) {
        va = (uint32_t)(rp_next(state) % outside) * RP_GRANULE;
        if (va >= KSEG01)
            va += 0x40000000u;
        if (va && va != not_va && (!avoid || !rp_any(avoid, va, RP_GRANULE)))
            return va; /* (0 stands for "not placed": never drawn) */
    }
    return va ? va : RP_GRANULE;
}

bool rp_mapped(const tlb_t *vtlb, uint32_t va)
{
    uint32_t base, span;
    for (unsigned i = 0; i < tlb_size(vtlb); i++) {
        entry_span(vtlb, i, &base, &span);
        if (span && va - base < span)
            return true;
    }
    return false;
}

bool rp_maps_any(const tlb_t *vtlb)
{
    uint32_t base, span;
    for (unsigned i = 0; i < tlb_size(vtlb); i++) {
        entry_span(vtlb, i, &base, &span);
        if (span)
            return true;
    }
    return false;
}

/* The k-th granule the guest's TLB maps (in entry order). */
static uint32_t mapped_granule(const tlb_t *vtlb, uint64_t k)
{
    uint32_t base, span;
    for (unsigned i = 0; i < tlb_size(vtlb); i++) {
        entry_span(vtlb, i, &base, &span);
        if (k < span / RP_GRANULE)
            return base + (uint32_t)k * RP_GRANULE;
        k -= span / RP_GRANULE;
    }
    return 0;
}

bool rp_random_mapped(uint64_t *state, const tlb_t *vtlb, const struct rp_map *avoid,
                      uint32_t not_va, uint32_t *va)
{
    uint64_t total = 0;
    uint32_t base, span;
    for (unsigned i = 0; i < tlb_size(vtlb); i++) {
        entry_span(vtlb, i, &base, &span);
        total += span / RP_GRANULE;
    }
    if (total == 0)
        return false;
    uint64_t k = rp_next(state) % total;
    /* From a random granule on, the first one allowed (every one tried). */
    for (uint64_t tried = 0; tried < total; tried++, k = (k + 1) % total) {
        *va = mapped_granule(vtlb, k);
        if (*va != not_va && (!avoid || !rp_any(avoid, *va, RP_GRANULE)))
            return true;
    }
    return true; /* none allowed: the last one tried */
}

/* ---- history ----------------------------------------------------------------- */

void rp_history_clear(struct rp_history *h) { memset(h, 0, sizeof *h); }

void rp_history_enter(struct rp_history *h, uint32_t va)
{
    h->touched_this_period = 0;
    h->settled = false;
    for (unsigned i = 0; i < h->n; i++)
        if (h->r[i].va == va) {
            h->cur = i;
            return;
        }
    if (h->n == RP_REGIONS) { /* full: the oldest goes */
        memmove(&h->r[0], &h->r[1], (RP_REGIONS - 1) * sizeof h->r[0]);
        h->n--;
    }
    h->r[h->n] = (struct rp_region){va, 0, 0, 0};
    h->cur = h->n++;
}

void rp_history_touch(struct rp_history *h, bool served)
{
    if (h->n == 0)
        return;
    h->r[h->cur].conflicts++;
    h->r[h->cur].served += served;
    h->touched_this_period++;
}

bool rp_history_period(struct rp_history *h, uint64_t quiet)
{
    if (h->n == 0)
        return false;
    h->r[h->cur].periods++;
    bool move = h->touched_this_period > quiet;
    h->settled = !move;
    h->touched_this_period = 0;
    return move;
}

/* ---- the built-in relocation policies (reloc_policy.h) ---------------------- */

static bool unused_place(void *opaque, const struct vmm_reloc_request *rq, uint32_t *va,
                         bool *served)
{
    (void)opaque;
    struct rp_view view = {rq->vtlb, rq->touched, rq->conflicted};
    *served = false;
    return rp_find_unused(&view, RP_GRANULE, rq->scratch, va); /* none: random, served */
}

/* Among the regions the guest maps (anywhere while it maps none). */
static bool random_place(void *opaque, const struct vmm_reloc_request *rq, uint32_t *va,
                         bool *served)
{
    (void)opaque;
    *served = true;
    if (!rp_random_mapped(rq->rng, rq->vtlb, rq->conflicted, rq->from, va))
        *va = rp_random_region(rq->rng, rq->conflicted, rq->from);
    return true;
}

/* Move on after a period in which the guest touched the place more than
 * RP_QUIET times; and leave a place outside the regions the guest maps once
 * it maps some (one drawn before it mapped anything says nothing about how
 * it uses its space). */
static bool periodic_end(void *opaque, const struct vmm_reloc_request *rq)
{
    (void)opaque;
    bool touched = rq->history->n && !rq->history->settled;
    return touched || (rp_maps_any(rq->vtlb) && !rp_mapped(rq->vtlb, rq->from));
}

static const struct vmm_reloc_policy builtin_reloc[] = {
    {"unused", unused_place, NULL, NULL},
    {"random", random_place, NULL, NULL},
    {"periodic", random_place, periodic_end, NULL},
};

const struct vmm_reloc_policy *vmm_reloc_policy_builtin(enum vmm_relocation r)
{
    return &builtin_reloc[r <= VMM_RELOCATE_PERIODIC ? r : 0];
}

const char *vmm_relocation_name(enum vmm_relocation r) { return vmm_reloc_policy_builtin(r)->name; }
