/*
 * vmm/resident_place.c — the `unused` placement search (resident_place.h).
 */
#include "vmm/resident_place.h"

#include <string.h>

#include "util/bug.h"

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

/* Every granule a valid entry of the guest's TLB covers, in any ASID. */
static void mark_vtlb(struct rp_map *busy, const tlb_t *vtlb)
{
    for (unsigned i = 0; i < tlb_size(vtlb); i++) {
        struct tlb_regs e;
        tlb_read(vtlb, i, &e);
        if (!((e.entrylo0 | e.entrylo1) & ENTRYLO_V))
            continue;
        uint32_t span = (e.pagemask | (RP_GRANULE - 1)) + 1; /* the pair's bytes */
        rp_mark(busy, e.entryhi & ~(span - 1), span);
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
