/*
 * vmm/resident_place.h — where the monitor's resident portion may live in a
 * guest's address space: the building blocks of the relocation policies
 * (reloc_policy.h) — the `unused` search, random draws, the history of the
 * regions it has been in.
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

/* A random region of size RP_GRANULE outside kseg0/kseg1 and never at 0,
 * from the run's generator *state (splitmix64; the seed and the guest
 * decide the sequence): one not in avoid (may be NULL) and not at not_va,
 * if a few draws find one. */
uint32_t rp_random_region(uint64_t *state, const struct rp_map *avoid, uint32_t not_va);
uint64_t rp_next(uint64_t *state);
/* A random region among those the guest's TLB maps (valid entries outside
 * kseg0/kseg1, weighted by the bytes they cover): the first one from a
 * random granule on that is not in avoid and not at not_va (if there is
 * one); false when it maps none. */
bool rp_random_mapped(uint64_t *state, const tlb_t *vtlb, const struct rp_map *avoid,
                      uint32_t not_va, uint32_t *va);

/*
 * The regions a guest's resident portion has been in, with what happened to
 * each, for the periodic policy and the statistics: conflict traps (the
 * guest touched it) and accesses served there. The periodic policy moves on
 * after each period in which the guest touched the current region more
 * than `quiet` times, and settles (stays) after a quiet one.
 */
#define RP_REGIONS 32
struct rp_region {
    uint32_t va;
    uint64_t periods;   /* periods it stayed there */
    uint64_t conflicts; /* traps: the guest touched it */
    uint64_t served;    /* of those, data accesses the monitor served */
};
struct rp_history {
    struct rp_region r[RP_REGIONS]; /* distinct regions, first visit order; oldest dropped */
    unsigned n, cur;
    uint64_t touched_this_period;
    bool settled;
};
/* Is va covered by a valid entry of the guest's TLB (any ASID)? */
bool rp_mapped(const tlb_t *vtlb, uint32_t va);
/* Does the guest's TLB map anything outside kseg0/kseg1? */
bool rp_maps_any(const tlb_t *vtlb);

void rp_history_clear(struct rp_history *h);
/* The portion is now at va. */
void rp_history_enter(struct rp_history *h, uint32_t va);
/* The guest touched the current region (served: the access was served). */
void rp_history_touch(struct rp_history *h, bool served);
/* A period ended: true when the portion should move (touched more than quiet times). */
bool rp_history_period(struct rp_history *h, uint64_t quiet);

/* A period with at most this many touches leaves the periodic policy where
 * it is ("a region the guest rarely touches"). */
#define RP_QUIET 4

#endif
