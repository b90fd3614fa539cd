/*
 * vmm/policy_lib.c — a shadow-TLB policy from a shared object
 * (vmm.policy_lib, `--policy-lib FILE.so`): dlopen, its
 * trapvisor_policy_plugin() table checked (include/trapvisor/policy.h),
 * its state made by its create hook; it is the monitor's policy for the
 * run, checked like every other (a policy can never break isolation).
 * docs/policies.md.
 */
#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

#include "vmm/vmm_priv.h"

static enum vmm_decision plugin_inspect(void *opaque, struct vmm_candidate *c)
{
    struct vmm *v = opaque;
    return v->plugin->inspect(v->plugin_state, c);
}

static bool plugin_on_write(void *opaque, const struct vmm_candidate *c)
{
    struct vmm *v = opaque;
    return v->plugin->on_write(v->plugin_state, c);
}

int vmm_policy_lib_open(struct vmm *v, const char *path, const char *args, char *err, size_t errlen)
{
    v->policy_dl = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!v->policy_dl) {
        snprintf(err, errlen, "vmm.policy_lib %s: %s", path, dlerror());
        return -1;
    }
    typedef const struct trapvisor_policy_plugin *(*entry_fn)(void);
    entry_fn entry;
    *(void **)&entry = dlsym(v->policy_dl, "trapvisor_policy_plugin");
    const struct trapvisor_policy_plugin *p = entry ? entry() : NULL;
    if (!p) {
        snprintf(err, errlen, "vmm.policy_lib %s: no trapvisor_policy_plugin() in it", path);
        return -1;
    }
    if (p->abi != TRAPVISOR_POLICY_ABI || !p->name || !p->inspect) {
        snprintf(err, errlen,
                 "vmm.policy_lib %s: %s (this trapvisor's policy ABI is %d: rebuild it against "
                 "its include/trapvisor/policy.h)",
                 path,
                 p->abi != TRAPVISOR_POLICY_ABI ? "built for another policy ABI"
                                                : "no name or no inspect hook",
                 TRAPVISOR_POLICY_ABI);
        return -1;
    }
    char msg[400] = "";
    v->plugin_state = p->create ? p->create(args, msg, sizeof msg) : NULL;
    if (p->create && !v->plugin_state) {
        snprintf(err, errlen, "vmm.policy_lib %s: policy %s refused to start: %s", path, p->name,
                 msg[0] ? msg : "(no reason given)");
        return -1;
    }
    v->plugin = p;
    v->plugin_policy =
        (struct vmm_policy){p->name, plugin_inspect, p->on_write ? plugin_on_write : NULL, v};
    return 0;
}

void vmm_policy_lib_close(struct vmm *v)
{
    if (v->plugin && v->plugin->destroy && v->plugin_state)
        v->plugin->destroy(v->plugin_state);
    v->plugin = NULL;
    v->plugin_state = NULL;
    if (v->policy_dl)
        dlclose(v->policy_dl);
    v->policy_dl = NULL;
}

void vmm_policy_end(vmm_t *v)
{
    if (v->plugin && v->plugin->end_of_run)
        v->plugin->end_of_run(v->plugin_state);
}

const char *vmm_policy_name(const vmm_t *v) { return v->policy->name; }

unsigned vmm_policy_counters(const vmm_t *v, const char *const **names, const uint64_t **values)
{
    if (!v->plugin || !v->plugin->counters)
        return 0;
    return v->plugin->counters(v->plugin_state, names, values);
}
