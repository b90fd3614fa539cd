/*
 * vmm/resident.h — the resident trap model (vmm.traps = resident), a monitor
 * module (module.h); the monitor knows only resident_module (modules.c's
 * list). docs/vmm.md, "Trap models".
 */
#ifndef VMM_RESIDENT_H
#define VMM_RESIDENT_H

#include "vmm/module.h"

extern const struct vmm_module resident_module;

#endif
