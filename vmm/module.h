/*
 * vmm/module.h — the monitor's seams (private to vmm/ and its tests).
 *
 * Three things let a feature land as files of its own, without a shared
 * path naming it:
 *
 *  - the trap outcome: every trap handler returns what it did in one value,
 *    which the dispatcher counts and hands to the observer and the trace;
 *  - region owners: a module claims the faults of what it owns, consulted by
 *    the TLB-miss path in one place (shadow.c):
 *
 *        real TLB miss at va
 *          -> owner->claim_va        guest virtual ranges the monitor occupies
 *          -> the guest's own translation (segments, its TLB, its partition map)
 *          -> owner->claim_page      host pages holding monitor state
 *          -> the policy (checked)   accept / modify / reject
 *          -> owner->page_limit, owner->entrylo   the real entry it gets
 *
 *    plus owner->inhibit_fault for the TLBRI/TLBXI/kernel-page traps that
 *    its EntryLo bits cause, owner->guest_tlb_write for guest TLB writes and
 *    owner->va_page_limit for virtual ranges it occupies;
 *  - modules: lifecycle hooks (create, guest boot/reset/teardown, DMA
 *    written), the CPU extensions a module needs, its region owner, a
 *    range of hypercall codes it serves, and a trap model.
 *
 * Region owners are trusted monitor code: what they install is still a
 * translation of the guest's own partition (the policy's isolation check
 * applies to every translation the fill path makes). docs/vmm.md, "How to
 * add a monitor module" and "How to add a region owner".
 */
#ifndef VMM_MODULE_H
#define VMM_MODULE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cpu/cpu.h"
#include "tlb/tlb.h"
#include "vmm/vmm.h"

struct dev_host;
struct guest;
struct vmm;
struct vmm_region;

/* What a trap handler did. kind is the trap's class (from its cause); the
 * rest is -1 / false when it did not happen. Eight bytes: handlers return it
 * in a register, on the hot trap path. */
struct vmm_outcome {
    uint8_t kind;      /* enum vmm_trap_kind */
    bool mmio;         /* an emulated device access */
    int8_t decision;   /* the policy's enum vmm_decision on the faulting page */
    int8_t reflected;  /* ExcCode delivered to the guest's own handler */
    int16_t tlb_index; /* real TLB entry written (TLB_MAX_PAIRS fits) */
};

static inline struct vmm_outcome vmm_outcome_of(enum vmm_trap_kind kind)
{
    return (struct vmm_outcome){(uint8_t)kind, false, -1, -1, -1};
}

/* A page the fill path is about to map for the guest (4 KiB granules). */
struct owner_page {
    const struct vmm_region *region;
    uint32_t hpa; /* host-physical page */
    uint32_t va;  /* guest virtual page it is mapped at */
    bool fetch;   /* the faulting access is an instruction fetch from it */
};

/* A fault after the guest's own translation succeeded. */
struct owner_fault {
    const struct vmm_region *region;
    uint32_t va, gpa, hpa;
    bool store;
};

struct vmm_region_owner {
    /* (a) Before the guest's translation: true if va is the owner's (it
     * handled the fault and filled *o). */
    bool (*claim_va)(void *state, struct guest *g, const struct cpu_trap *t, struct vmm_outcome *o);
    /* (b) After the guest's translation, before the policy: true if the
     * host page is the owner's and it handled the fault. */
    bool (*claim_page)(void *state, struct guest *g, const struct cpu_trap *t,
                       const struct owner_fault *f, struct vmm_outcome *o);
    /* A TLBRI/TLBXI/CPU_TRAP_KPAGE trap (only an owner's EntryLo bits cause
     * them): true if it was the owner's and it handled it. */
    bool (*inhibit_fault)(void *state, struct guest *g, const struct cpu_trap *t,
                          struct vmm_outcome *o);
    /* The largest real page it allows over a region (0: no limit). */
    uint32_t (*page_limit)(void *state, const struct vmm_region *r);
    /* The EntryLo a page gets (RI, XI, D as the owner needs them). */
    uint32_t (*entrylo)(void *state, struct guest *g, const struct owner_page *p, uint32_t lo);
    /* The guest wrote entry index of its virtual TLB (after the write). */
    void (*guest_tlb_write)(void *state, struct guest *g, unsigned index,
                            const struct tlb_regs *entry);
    /* The largest real page of a pair around guest virtual va (0: no limit):
     * an owner of a virtual range keeps other real entries off it. */
    uint32_t (*va_page_limit)(void *state, struct guest *g, uint32_t va);
};

/*
 * A trap model (vmm.traps): how the guest's traps reach the monitor when
 * they are not all routed to it. At most one module has one; it keeps real
 * TLB entries 0 .. tlb_reserved - 1 for itself (the fill path never uses
 * them). The monitor calls vcpu_in whenever it takes the running guest's
 * vCPU (at every routed trap, before anything reads the virtual CP0, and
 * when the CPU stops) and vcpu_out before the guest runs again, so code
 * that runs on the CPU for the guest may keep virtual CP0 registers of its
 * own in between.
 */
struct vmm_trap_model {
    unsigned tlb_reserved;
    /* The CPU stopped inside the model's own code (a batch ended there):
     * the monitor runs it on until it leaves, never looking at the guest
     * half way through a trap. */
    bool (*inside)(void *state);
    void (*vcpu_in)(void *state, struct guest *g);
    void (*vcpu_out)(void *state, struct guest *g);
    /* The trap the monitor handles for routed trap t: t, or the guest's own
     * trap that code on the CPU handed over with t (cpu_trap_from_cp0). */
    const struct cpu_trap *(*entry)(void *state, struct guest *g, const struct cpu_trap *t);
};

struct vmm_module {
    const char *name;
    /* On for this configuration? */
    bool (*wanted)(const struct vmm_config *c);
    /* Make the module's state (after the board and the real CPU exist,
     * before the guests): 0, or -1 with a message. */
    int (*create)(struct vmm *v, void **state, char *err, size_t errlen);
    void (*destroy)(void *state);
    uint32_t cpu_ext; /* CPU_EXT_* bits it needs */
    /* The guest powers on (first boot and every reset), before its memory
     * is rewritten; after a reset request, guest_reset comes first. */
    void (*guest_boot)(void *state, struct guest *g);
    void (*guest_reset)(void *state, struct guest *g);
    void (*guest_teardown)(void *state, struct guest *g);
    /* A device wrote host memory [paddr, paddr + len) by DMA. */
    void (*dma_written)(void *state, uint32_t paddr, size_t len);
    /* The guest's emulated devices are about to be made: the module may
     * give them what it provides (a TPM's port). */
    void (*guest_dev_host)(void *state, struct guest *g, struct dev_host *h);
    const struct vmm_region_owner *owner;
    /* HYPCALL codes [hc_first, hc_first + hc_count) are the module's. */
    unsigned hc_first, hc_count;
    struct vmm_outcome (*hypercall)(void *state, struct guest *g, const struct cpu_trap *t);
    const struct vmm_trap_model *traps;
};

#define VMM_MAX_MODULES 8

/* The modules of the tree (modules.c), in the order they are consulted. */
extern const struct vmm_module *const vmm_builtin_modules[];

/* Attach a module with its state (already created) after the built-ins;
 * tests use it for modules of their own. -1 if the table is full. */
int vmm_attach_module(struct vmm *v, const struct vmm_module *m, void *state);
/* The state of an attached module, NULL when it is not attached. */
void *vmm_module_state(const struct vmm *v, const struct vmm_module *m);

/* The module serving HYPCALL code, or NULL; *state gets its state. */
const struct vmm_module *vmm_module_for_hypcall(const struct vmm *v, unsigned code, void **state);

#endif
