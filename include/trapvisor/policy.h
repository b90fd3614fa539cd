/*
 * trapvisor/policy.h — the shadow-TLB policy (installed: policies built outside
 * the tree include it): a table of hooks that the monitor
 * calls for every translation it is about to put into the real TLB.
 *
 * When a guest access misses in the real TLB, the monitor works out what the
 * guest's own hardware would do (its virtual TLB for mapped segments, the
 * partition map for kseg0/kseg1 "physical" addresses) and, if the guest would
 * get a translation, proposes a real one: host-physical address (the
 * partition's relocation applied), page size, writability, real ASID. The
 * policy then INSPECTS the candidate and
 *   - ACCEPTS it as proposed,
 *   - MODIFIES it (a smaller page, read-only so that writes trap, a different
 *     host page inside the same partition region), or
 *   - REJECTS it: the guest gets what its hardware gives for memory that is
 *     not there (a bus error for partition-map addresses, a TLB Invalid
 *     exception for addresses of its own TLB).
 * Whatever the policy returns is checked: a translation that would leave the
 * guest's region is refused (counted as a policy violation) — a policy can
 * never break isolation. docs/vmm.md, "Writing a policy"; a policy of its own in a
 * shared object: the plugin ABI at the end, docs/policies.md.
 */
#ifndef TRAPVISOR_POLICY_H
#define TRAPVISOR_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum vmm_decision { VMM_ACCEPT = 0, VMM_MODIFY, VMM_REJECT, VMM_DECISIONS };

/* The guest's virtual mode (what its virtual Status says). */
enum vmm_vmode { VMODE_KERNEL = 0, VMODE_SUPERVISOR, VMODE_USER };

enum vmm_source {
    VMM_SRC_PARTITION = 0, /* kseg0/kseg1 (or kuseg with ERL): the partition map */
    VMM_SRC_GUEST_TLB,     /* kuseg/kseg2/kseg3 through the guest's virtual TLB */
};

/* What a guest-physical range is backed by. */
enum vmm_region_kind {
    VMM_REGION_RAM = 0,  /* the guest's RAM: host RAM of its partition */
    VMM_REGION_ROM,      /* boot ROM (firmware shared, device tree and boot info per guest) */
    VMM_REGION_DEVICE,   /* an owned bus: passed through */
    VMM_REGION_EMULATED, /* buses the guest does not own: every access trapped, emulated */
    VMM_REGION_INTC,     /* interrupt controller: trapped, split per bus */
    VMM_REGION_BUFFER,   /* an emulated device's buffer page: host RAM of the monitor's, mapped */
};

struct vmm_candidate {
    /* What happened (read-only for the policy). */
    unsigned guest;
    enum vmm_vmode mode;
    uint32_t vaddr;
    bool store, fetch;
    enum vmm_source source;
    int guest_tlb_index; /* entry of the guest's TLB, -1 for the partition map */
    uint32_t gpa;        /* guest-physical address */
    enum vmm_region_kind kind;
    bool guest_writable;                          /* what the guest's own translation allows */
    uint32_t region_gpa, region_size, region_hpa; /* the backing region */
    /* The proposal (the policy may change these and return VMM_MODIFY). */
    uint32_t hpa;       /* host-physical address of vaddr */
    uint32_t page_size; /* 4 KiB .. 16 MiB, a power of 4 times 4 KiB */
    bool writable;      /* false: stores trap (Mod) and go to on_write */
};

struct vmm_policy {
    const char *name;
    /* Called for every translation before it enters the real TLB. */
    enum vmm_decision (*inspect)(void *opaque, struct vmm_candidate *c);
    /* A store hit a page the policy made read-only although the guest may
     * write it. Return true to let the write through (the page becomes
     * writable), false to reject it (the guest gets a bus error). May be NULL
     * (writes go through). */
    bool (*on_write)(void *opaque, const struct vmm_candidate *c);
    void *opaque;
};

/*
 * A policy in a shared object (`trapvisor run --vmm --policy-lib FILE.so`,
 * or `vmm.policy_lib = FILE.so`): the object exports
 * trapvisor_policy_plugin(), which gives this table. The monitor checks
 * abi, calls create once (its state is the policy's own, passed back to
 * every hook), end_of_run when the run ends (before --stats is written),
 * counters for --stats ("policy": {"name", "counters": {...}}), destroy
 * when the monitor goes. Only inspect is required.
 */
#define TRAPVISOR_POLICY_ABI 1
struct trapvisor_policy_plugin {
    unsigned abi;     /* TRAPVISOR_POLICY_ABI */
    const char *name; /* shown in --stats and messages */
    /* args: vmm.policy_args ("" when none). NULL with a message refuses. */
    void *(*create)(const char *args, char *err, size_t errlen);
    void (*destroy)(void *state);
    enum vmm_decision (*inspect)(void *state, struct vmm_candidate *c);
    bool (*on_write)(void *state, const struct vmm_candidate *c); /* NULL: writes go through */
    void (*end_of_run)(void *state);
    /* Its counters: *names and *values point at n of each (the policy's own
     * arrays, valid until the next call). */
    unsigned (*counters)(void *state, const char *const **names, const uint64_t **values);
};
const struct trapvisor_policy_plugin *trapvisor_policy_plugin(void);

#endif
