/*
 * vmm/patch.h — the scanner fix as a monitor module (vmm.fix = scan):
 * page states, patch sites and the traps they cause (patch.c). The rest of
 * the monitor knows only patch_module (modules.c's list); the functions
 * below are for tests and benchmarks that drive the fix by hand.
 */
#ifndef VMM_PATCH_H
#define VMM_PATCH_H

#include <stdbool.h>
#include <stdint.h>

#include "vmm/module.h"

extern const struct vmm_module patch_module;

/* What the fix knows of a host page. */
enum page_state { PAGE_UNSCANNED = 0, PAGE_CLEAN, PAGE_PATCHED };

typedef struct patcher patcher_t;

/* The fix's state in a monitor (NULL when vmm.fix is not scan). */
patcher_t *patcher_of(const struct vmm *v);
enum page_state patch_page_state(const patcher_t *p, uint32_t hpa);
unsigned patch_live_sites(const patcher_t *p);
/* Scan the host page hpa_page (mapped at va_page) and patch what it finds. */
void patch_scan_page(patcher_t *p, struct guest *g, uint32_t hpa_page, uint32_t va_page);
/* The word the guest must see at hpa: the original where a patch is. */
uint32_t patch_read_word(const patcher_t *p, uint32_t hpa);
/* The EntryLo a page in its current state gets. */
uint32_t patch_adjust_lo(const patcher_t *p, uint32_t hpa_page, uint32_t lo);
/* The traps: a load from a patched page (TLBRI), a store into a scanned one (Mod). */
struct vmm_outcome patch_on_ri(patcher_t *p, struct guest *g, const struct cpu_trap *t);
struct vmm_outcome patch_on_store(patcher_t *p, struct guest *g, const struct cpu_trap *t,
                                  uint32_t hpa);

#endif
