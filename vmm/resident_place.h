/*
 * vmm/resident_place.h — where the monitor's resident portion may live in a
 * guest's address space (issue 16, the `unused` relocation policy).
 *
 * The guest's 4 GiB virtual space is seen in TLB-pair granules (8 KiB). A
 * region is unused when no granule of it is covered by a valid entry of the
 * guest's virtual TLB (any ASID), was touched (the monitor saw a fill
 * there) or conflicted before (the resident portion was there and the guest
 * wanted it back); and it is never in kseg0/kseg1: the real CPU's kernel
 * mode, where the resident code runs, does not translate them (so the
 * guest's partition map, which the guest sees there, is never in the way).
 * The search is top-down over size-aligned regions, so where it lands can
 * be predicted from those facts alone.
 */
#ifndef VMM_RESIDENT_PLACE_H
#define VMM_RESIDENT_PLACE_H

#include <stdbool.h>
#include <stdint.h>

#include "tlb/tlb.h"

#define RP_GRANULE  0x2000u    /* one TLB pair of 4 KiB pages */
#define RP_GRANULES (1u << 19) /* 4 GiB / RP_GRANULE */

/* One bit per granule of the 4 GiB virtual space (64 KiB). */
struct rp_map {
    uint64_t bits[RP_GRANULES / 64];
};

void rp_clear(struct rp_map *m);
/* Mark / test [va, va + len) (len 0: nothing), wrapping at 4 GiB not allowed:
 * the range is clipped at the top of the address space. */
void rp_mark(struct rp_map *m, uint32_t va, uint32_t len);
bool rp_any(const struct rp_map *m, uint32_t va, uint32_t len);

/* What the search looks at for one guest. */
struct rp_view {
    const tlb_t *vtlb;               /* the guest's virtual TLB */
    const struct rp_map *touched;    /* granules the monitor saw filled (may be NULL) */
    const struct rp_map *conflicted; /* granules that conflicted before (may be NULL) */
};

/* The highest size-aligned unused region of size bytes (a power of two, at
 * least RP_GRANULE): true and *va, or false when there is none. scratch is
 * the caller's (the search builds its busy map there). */
bool rp_find_unused(const struct rp_view *v, uint32_t size, struct rp_map *scratch, uint32_t *va);

#endif
