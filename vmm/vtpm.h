/*
 * vmm/vtpm.h — the TPM multiplexer (vmm/vtpm.c), a monitor module: one
 * physical TPM shared by the guests whose `shared` names `tpm` (by default
 * all). The monitor knows only vtpm_module (modules.c's list). docs/vmm.md,
 * "The TPM multiplexer".
 */
#ifndef VMM_VTPM_H
#define VMM_VTPM_H

#include "vmm/module.h"

extern const struct vmm_module vtpm_module;

#endif
