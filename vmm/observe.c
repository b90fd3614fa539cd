/*
 * vmm/observe.c — the monitor seen from a front end (the GUI): the observer
 * called as traps happen, and read-only views of each guest's vCPU, virtual
 * TLB, partition map and of the real TLB's owners. Nothing here changes the
 * machine (STYLE.md 15: front ends pull state through this API).
 */
#include "vmm/vmm_priv.h"

#include <string.h>

static void fill_modes(struct guest *g, struct vmm_event *e)
{
    e->guest = g->id;
    e->cycle = cpu_cycles(g->v->cpu);
    e->believed = guest_vmode(g);
    e->actual = gotcha_actual_mode(g);
}

void observe_trap(struct guest *g, const struct cpu_trap *t, const struct vmm_outcome *o)
{
    struct vmm *v = g->v;
    struct vmm_event e = {
        .kind = VMM_EV_TRAP,
        .trap = o->mmio ? VMM_TRAP_MMIO : o->kind,
        .code = t->code,
        .pc = t->pc,
        .insn = t->insn,
        .badvaddr = t->badvaddr,
        .tlb_index = o->tlb_index,
        .decision = o->decision,
        .reflected = o->reflected,
    };
    fill_modes(g, &e);
    v->observer(v->observer_opaque, &e);
}

void observe_event(struct guest *g, enum vmm_event_kind kind, unsigned code, uint32_t pc,
                   uint32_t insn, bool diverged)
{
    struct vmm *v = g->v;
    struct vmm_event e = {
        .kind = kind,
        .code = code,
        .pc = pc,
        .insn = insn,
        .tlb_index = -1,
        .decision = -1,
        .reflected = kind == VMM_EV_INTERRUPT ? (int)code : -1,
        .diverged = diverged,
    };
    fill_modes(g, &e);
    v->observer(v->observer_opaque, &e);
}

void observe_reloc(struct guest *g, uint32_t from, uint32_t to, unsigned cause)
{
    struct vmm *v = g->v;
    struct vmm_event e = {
        .kind = VMM_EV_RELOCATION,
        .pc = cpu_pc(v->cpu),
        .tlb_index = -1,
        .decision = -1,
        .reflected = -1,
        .reloc_from = from,
        .reloc_to = to,
        .reloc_cause = cause,
    };
    fill_modes(g, &e);
    v->observer(v->observer_opaque, &e);
}

void vmm_set_observer(vmm_t *v, vmm_event_fn fn, void *opaque)
{
    v->observer = fn;
    v->observer_opaque = opaque;
}

void vmm_set_console_hook(vmm_t *v, vmm_console_fn fn, void *opaque)
{
    v->console_hook = fn;
    v->console_opaque = opaque;
}

int vmm_current_guest(const vmm_t *v) { return v->cur ? (int)v->cur->id : -1; }

bool vmm_guest_vcpu(vmm_t *v, unsigned i, struct vmm_vcpu_view *out)
{
    memset(out, 0, sizeof *out);
    if (i >= v->n)
        return false;
    struct guest *g = v->guests[i];
    out->running = g == v->cur;
    if (out->running) { /* its registers are on the real CPU */
        for (unsigned r = 1; r < 32; r++)
            out->gpr[r] = cpu_gpr(v->cpu, r);
        out->pc = cpu_pc(v->cpu);
        out->hi = cpu_hi(v->cpu);
        out->lo = cpu_lo(v->cpu);
    } else {
        memcpy(out->gpr, g->gpr, sizeof out->gpr);
        out->pc = g->pc;
        out->hi = g->hi;
        out->lo = g->lo;
    }
    const struct cp0_state *c = &g->cp0;
    out->index = c->index;
    out->entrylo0 = c->entrylo0;
    out->entrylo1 = c->entrylo1;
    out->context = c->context;
    out->pagemask = c->pagemask;
    out->wired = c->wired;
    out->badvaddr = c->badvaddr;
    out->count = cp0_rule_count(c, cpu_cycles(v->cpu));
    out->entryhi = c->entryhi;
    out->compare = c->compare;
    out->status = c->status;
    out->cause = guest_cause(g);
    out->epc = c->epc;
    out->ebase = c->ebase;
    out->errorepc = c->errorepc;
    out->believed = guest_vmode(g);
    out->actual = gotcha_actual_mode(g);
    out->diverged = g->diverged;
    out->waiting = g->waiting;
    out->halted = g->halted;
    return true;
}

void vmm_tlb_owner(const vmm_t *v, unsigned index, struct vmm_tlb_owner *out)
{
    out->guest = -1;
    out->vtlb_index = -1;
    out->decision = VMM_ACCEPT;
    if (index >= tlb_size(v->tlb))
        return;
    const struct shadow_info *s = &v->shadow[index];
    out->guest = s->guest;
    out->vtlb_index = s->vtlb_index;
    out->decision = s->decision;
}

unsigned vmm_guest_regions(const vmm_t *v, unsigned i, struct vmm_region_view *out, unsigned max)
{
    if (i >= v->n)
        return 0;
    const struct guest *g = v->guests[i];
    unsigned n = 0;
    for (; n < g->nregions && n < max; n++) {
        const struct vmm_region *r = &g->regions[n];
        out[n] = (struct vmm_region_view){r->gpa, r->size, r->hpa, r->kind, r->writable};
    }
    return n;
}

const tlb_t *vmm_guest_tlb(const vmm_t *v, unsigned i)
{
    return i < v->n ? v->guests[i]->vtlb : NULL;
}

const elfimg_t *vmm_guest_kernel(const vmm_t *v, unsigned i)
{
    return i < v->n ? v->guests[i]->kernel : NULL;
}
