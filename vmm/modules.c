/*
 * vmm/modules.c — the list of optional monitor features (module.h) and the
 * fan-out of their lifecycle hooks. A feature joins by adding one line to
 * vmm_builtin_modules[]; nothing else in the monitor names it.
 */
#include "vmm/vmm_priv.h"

#include "vmm/patch.h"
#include "vmm/resident.h"
#include "vmm/vtpm.h"

const struct vmm_module *const vmm_builtin_modules[] = {
    &patch_module,    /* vmm.fix = scan: the scanner fix (patch.c) */
    &resident_module, /* vmm.traps = resident: the resident trap model (resident.c) */
    &vtpm_module,     /* a shared TPM: the multiplexer (vtpm.c) */
    NULL,
};

int vmm_attach_module(struct vmm *v, const struct vmm_module *m, void *state)
{
    if (v->nmods >= VMM_MAX_MODULES)
        return -1;
    v->mods[v->nmods++] = (struct vmm_attached){m, state};
    return 0;
}

void *vmm_module_state(const struct vmm *v, const struct vmm_module *m)
{
    for (unsigned i = 0; i < v->nmods; i++)
        if (v->mods[i].m == m)
            return v->mods[i].state;
    return NULL;
}

const struct vmm_module *vmm_module_for_hypcall(const struct vmm *v, unsigned code, void **state)
{
    for (unsigned i = 0; i < v->nmods; i++) {
        const struct vmm_module *m = v->mods[i].m;
        if (m->hypercall && code >= m->hc_first && code - m->hc_first < m->hc_count) {
            *state = v->mods[i].state;
            return m;
        }
    }
    return NULL;
}

int modules_create(struct vmm *v, uint32_t *cpu_ext, char *err, size_t errlen)
{
    for (const struct vmm_module *const *p = vmm_builtin_modules; *p; p++) {
        const struct vmm_module *m = *p;
        if (m->wanted && !m->wanted(v->cfg))
            continue;
        void *state = NULL;
        if (m->create && m->create(v, &state, err, errlen) != 0)
            return -1;
        if (vmm_attach_module(v, m, state) != 0) {
            if (m->destroy)
                m->destroy(state);
            snprintf(err, errlen, "more than %d monitor modules", VMM_MAX_MODULES);
            return -1;
        }
        *cpu_ext |= m->cpu_ext;
        if (m->traps) {
            if (v->tm) {
                snprintf(err, errlen, "two trap models (%s and another)", m->name);
                return -1;
            }
            v->tm = m->traps;
            v->tm_state = state;
            v->tlb_first = m->traps->tlb_reserved;
        }
    }
    return 0;
}

void modules_destroy(struct vmm *v)
{
    while (v->nmods > 0) {
        struct vmm_attached *a = &v->mods[--v->nmods];
        if (a->m->destroy)
            a->m->destroy(a->state);
    }
}

/* Call hook (a member of struct vmm_module) of every attached module that has one. */
#define EACH_HOOK(v, hook, ...)                                                                    \
    do {                                                                                           \
        for (unsigned i_ = 0; i_ < (v)->nmods; i_++)                                               \
            if ((v)->mods[i_].m->hook)                                                             \
                (v)->mods[i_].m->hook((v)->mods[i_].state, __VA_ARGS__);                           \
    } while (0)

void modules_guest_boot(struct guest *g) { EACH_HOOK(g->v, guest_boot, g); }
void modules_guest_reset(struct guest *g) { EACH_HOOK(g->v, guest_reset, g); }
void modules_guest_teardown(struct guest *g) { EACH_HOOK(g->v, guest_teardown, g); }
void modules_guest_dev_host(struct guest *g, struct dev_host *h)
{
    EACH_HOOK(g->v, guest_dev_host, g, h);
}

void modules_dma_written(void *opaque, uint32_t paddr, size_t len)
{
    struct vmm *v = opaque;
    EACH_HOOK(v, dma_written, paddr, len);
}

uint32_t modules_va_page_limit(struct guest *g, uint32_t va)
{
    struct vmm *v = g->v;
    uint32_t limit = 0;
    for (unsigned i = 0; i < v->nmods; i++) {
        const struct vmm_region_owner *o = v->mods[i].m->owner;
        uint32_t l = o && o->va_page_limit ? o->va_page_limit(v->mods[i].state, g, va) : 0;
        if (l && (!limit || l < limit))
            limit = l;
    }
    return limit;
}

void modules_guest_tlb_write(struct guest *g, unsigned index, const struct tlb_regs *e)
{
    struct vmm *v = g->v;
    for (unsigned i = 0; i < v->nmods; i++) {
        const struct vmm_region_owner *o = v->mods[i].m->owner;
        if (o && o->guest_tlb_write)
            o->guest_tlb_write(v->mods[i].state, g, index, e);
    }
}
