/*
 * vmm/policy.h — the monitor's side of the shadow-TLB policy: the types are
 * the installed header's (include/trapvisor/policy.h); here the built-in
 * policies and the loaded ones.
 */
#ifndef VMM_POLICY_H
#define VMM_POLICY_H

#include "trapvisor/policy.h"

/* Built-in policies: "default" (accept every proposal), "writewatch" (map
 * RAM read-only until the first store to each page: a dirty log), "small"
 * (4 KiB pages only). NULL for an unknown name. */
const struct vmm_policy *vmm_policy_find(const char *name);
/* Names of the built-ins, for messages: "default, writewatch, small". */
const char *vmm_policy_names(void);
const char *vmm_decision_name(enum vmm_decision d);

#endif
