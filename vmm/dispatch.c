/*
 * vmm/dispatch.c — the trap dispatcher: the CPU calls vmm_on_trap() for
 * every routed trap, without leaving cpu_run(). One table by cause says the
 * trap's class and its handler; every handler returns what it did in one
 * outcome (module.h), which is counted here and handed to the observer.
 * After it: interrupts that became deliverable, the timer deadline, and a
 * stop when the guest waits, powered off or asked for a reset.
 * docs/vmm.md, "Trap flow".
 */
#include "vmm/vmm_priv.h"

#include "cpu/cp0_regs.h"

/* What a handler that only completed the instruction did (the dispatcher
 * sets the kind from the cause). */
#define DONE vmm_outcome_of(VMM_TRAP_EXCEPTION)

struct vmm_outcome guest_privileged(struct guest *g, const struct cpu_trap *t)
{
    if (t->ce == 0 && (guest_vmode(g) == VMODE_KERNEL || (g->cp0.status & ST_CU0))) {
        gotcha_note_emulation(g, t);
        if (!guest_emulate_cop0(g, t))
            return guest_reflect_trap(g, t, EXC_RI);
        vmm_tracef(g->v, "vmm %s emulate %08x at %08x", g->cfg->name, t->insn, t->pc);
        return DONE;
    }
    return guest_reflect_trap(g, t, EXC_CPU);
}

/* ---- handlers, one per cause ---------------------------------------------- */

static struct vmm_outcome on_cpu(struct guest *g, const struct cpu_trap *t)
{
    return guest_privileged(g, t);
}

/* HYPCALL: a paravirtual call (codes below VMM_HC_MODULE_BASE), or a code
 * of a module's range (vmm.h, "hypercall ABI"). */
static struct vmm_outcome on_hypcall(struct guest *g, const struct cpu_trap *t)
{
    static const uint32_t stands_for[] = {
        [VMM_HC_ERET] = 0x42000018u,   /* eret */
        [VMM_HC_DI] = 0x41626000u,     /* di $v0 */
        [VMM_HC_EI] = 0x41626020u,     /* ei $v0 */
        [VMM_HC_STATUS] = 0x40026000u, /* mfc0 $v0, $12 */
        [VMM_HC_CAUSE] = 0x40026800u,  /* mfc0 $v0, $13 */
    };
    struct vmm *v = g->v;
    unsigned code = t->hypcall_code;
    if (code >= VMM_HC_MODULE_BASE) {
        void *state;
        const struct vmm_module *m = vmm_module_for_hypcall(v, code, &state);
        if (m)
            return m->hypercall(state, g, t);
        vmm_tracef(v, "vmm %s hypcall %#x at %08x: no module serves it", g->cfg->name, code, t->pc);
        return guest_reflect_trap(g, t, EXC_RI);
    }
    g->st.pv_calls++;
    if (code == VMM_HC_PROBE) {
        cpu_trap_skip(v->cpu);
        cpu_set_gpr(v->cpu, 2, VMM_HC_MAGIC);
        cpu_set_gpr(v->cpu, 3, VMM_HC_VERSION);
        return DONE;
    }
    if (code < sizeof stands_for / sizeof *stands_for && stands_for[code]) {
        struct cpu_trap e = *t;
        e.code = EXC_CPU;
        e.ce = 0;
        e.insn = stands_for[code];
        return guest_privileged(g, &e);
    }
    return guest_reflect_trap(g, t, EXC_RI);
}

/* TLBRI/TLBXI/KPAGE: only a region owner's EntryLo bits raise them (a
 * guest's own TLB keeps no RI/XI/K), so an owner claims each one. */
static struct vmm_outcome on_inhibit(struct guest *g, const struct cpu_trap *t)
{
    struct vmm *v = g->v;
    struct vmm_outcome o = DONE;
    for (unsigned i = 0; i < v->nmods; i++) {
        const struct vmm_region_owner *ow = v->mods[i].m->owner;
        if (ow && ow->inhibit_fault && ow->inhibit_fault(v->mods[i].state, g, t, &o))
            return o;
    }
    BUG("vmm: %s at %08x with no owner of the page", cpu_exc_name(t->code), t->badvaddr);
}

static struct vmm_outcome on_exception(struct guest *g, const struct cpu_trap *t)
{
    return guest_reflect_trap(g, t, t->code);
}

static struct vmm_outcome on_interrupt(struct guest *g, const struct cpu_trap *t)
{
    (void)g;
    (void)t;
    BUG("vmm: a real interrupt (they are never enabled under the monitor)");
}

typedef struct vmm_outcome (*trap_fn)(struct guest *g, const struct cpu_trap *t);

/* Every cause: its class (refill TLB misses are VMM_TRAP_TLB_MISS, the
 * others of the same code VMM_TRAP_TLB_INVALID) and its handler. Causes not
 * listed are the guest's own exceptions, reflected. */
static const struct {
    enum vmm_trap_kind kind;
    trap_fn fn;
} dispatch[CPU_TRAP_KINDS] = {
    [EXC_INT] = {VMM_TRAP_EXCEPTION, on_interrupt},
    [EXC_MOD] = {VMM_TRAP_TLB_MOD, shadow_handle},
    [EXC_TLBL] = {VMM_TRAP_TLB_INVALID, shadow_handle},
    [EXC_TLBS] = {VMM_TRAP_TLB_INVALID, shadow_handle},
    [EXC_CPU] = {VMM_TRAP_PRIV, on_cpu},
    [EXC_TLBRI] = {VMM_TRAP_TLB_INVALID, on_inhibit},
    [EXC_TLBXI] = {VMM_TRAP_TLB_INVALID, on_inhibit},
    [CPU_TRAP_HYPCALL] = {VMM_TRAP_HYPCALL, on_hypcall},
    [CPU_TRAP_KPAGE] = {VMM_TRAP_TLB_INVALID, on_inhibit}, /* only an owner's pages are K */
};

bool vmm_on_trap(void *opaque, cpu_t *cpu, const struct cpu_trap *t)
{
    struct vmm *v = opaque;
    struct guest *g = v->cur;
    uint64_t t0 = v->timing ? vmm_host_ns() : 0;
    if (v->tm) {
        v->tm->vcpu_in(v->tm_state, g);
        t = v->tm->entry(v->tm_state, g, t);
    }
    BUG_ON(t->code >= CPU_TRAP_KINDS);
    enum vmm_trap_kind kind = VMM_TRAP_EXCEPTION;
    trap_fn fn = on_exception;
    if (dispatch[t->code].fn) {
        kind = dispatch[t->code].kind;
        fn = dispatch[t->code].fn;
    }
    if (t->refill && (t->code == EXC_TLBL || t->code == EXC_TLBS))
        kind = VMM_TRAP_TLB_MISS;
    g->st.traps[kind]++;
    struct vmm_outcome o = fn(g, t);
    o.kind = kind;
    if (o.mmio)
        g->st.traps[VMM_TRAP_MMIO]++;
    if (v->observer)
        observe_trap(g, t, &o);
    guest_irq_check(g);
    gotcha_sync_real_epc(v, g);
    /* A Compare written (or IM7 set) during the slice: stop there, not at the slice end. */
    if ((g->cp0.status & ST_IM7) && g->cp0.timer_deadline < v->deadline) {
        v->deadline = g->cp0.timer_deadline;
        cpu_set_deadline(cpu, v->deadline);
    }
    if (g->waiting || g->halted || g->reset_pending)
        cpu_request_stop(cpu); /* the scheduler decides what runs next */
    if (v->tm)
        v->tm->vcpu_out(v->tm_state, g);
    if (v->timing)
        g->st.trap_ns[kind] += vmm_host_ns() - t0;
    return true;
}
