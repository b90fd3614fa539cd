/*
 * vmm/reloc_policy.h — the relocation policy of the resident trap model
 * (vmm.relocation): a table of hooks the monitor calls whenever a guest's
 * resident portion needs a place, replaceable like the shadow-TLB policy
 * (vmm/policy.h, vmm_set_policy).
 *
 * The monitor asks `place` at each power-on (initial), when the guest
 * touched the portion's region or wrote a TLB entry over it (the portion is
 * not where it is served), and when `period_end` says move. The policy
 * answers a place and whether the guest's accesses there are served (the
 * portion shares the region with the guest; a conflict there is completed
 * for the guest) or not (a conflict moves it again). What it answers is
 * checked: a place that is 0, not 8 KiB-aligned, in kseg0/kseg1 (the real
 * kernel mode does not translate them) or where the portion already is, is
 * refused (counted) and a random place is drawn instead, as when the
 * policy finds none. docs/vmm.md, "Trap models".
 */
#ifndef VMM_RELOC_POLICY_H
#define VMM_RELOC_POLICY_H

#include <stdbool.h>
#include <stdint.h>

#include "vmm/resident_place.h"
#include "vmm/vmm.h"

struct vmm_reloc_request {
    unsigned guest;
    bool initial;                     /* its first place since power-on */
    enum vmm_reloc_cause cause;       /* why it moves (not initial) */
    uint32_t from;                    /* where it is (0: nowhere yet) */
    const tlb_t *vtlb;                /* the guest's own TLB */
    const struct rp_map *touched;     /* granules the monitor saw it use */
    const struct rp_map *conflicted;  /* granules it took back before */
    const struct rp_history *history; /* the regions the portion has been in */
    uint64_t *rng;                    /* the guest's generator (vmm.seed): rp_next() */
    struct rp_map *scratch;           /* 64 KiB the policy may use */
};

struct vmm_reloc_policy {
    const char *name;
    /* A place: *va and *served. False: none (the monitor draws a random
     * one, served). */
    bool (*place)(void *opaque, const struct vmm_reloc_request *rq, uint32_t *va, bool *served);
    /* Called every vmm.reloc_period guest instructions (NULL: never), after
     * the period has been counted in rq->history (rp_history_period): true
     * to move now. */
    bool (*period_end)(void *opaque, const struct vmm_reloc_request *rq);
    void *opaque;
};

/* The built-ins, by enum vmm_relocation: unused, random, periodic. */
const struct vmm_reloc_policy *vmm_reloc_policy_builtin(enum vmm_relocation r);
const char *vmm_relocation_name(enum vmm_relocation r);
/* Replace the relocation policy (NULL restores the configured one); for
 * tests and labs. No effect in the direct trap model. */
void vmm_set_reloc_policy(vmm_t *v, const struct vmm_reloc_policy *p);

#endif
