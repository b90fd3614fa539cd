/*
 * mmu/mmu.h — virtual-to-physical translation: MIPS32 segments, then the TLB.
 *
 *   0xFFFFFFFF +-----------------+
 *              | kseg3  (mapped) |  kernel only
 *   0xE0000000 +-----------------+
 *              | ksseg  (mapped) |  kernel and supervisor   (a.k.a. kseg2)
 *   0xC0000000 +-----------------+
 *              | kseg1 unmapped, |  kernel only, paddr = vaddr - 0xA0000000
 *   0xA0000000 | uncached        |
 *              +-----------------+
 *              | kseg0 unmapped  |  kernel only, paddr = vaddr - 0x80000000
 *   0x80000000 +-----------------+
 *              | kuseg  (mapped) |  all modes; unmapped in kernel mode while Status.ERL = 1
 *   0x00000000 +-----------------+
 *
 * Extension "physical as virtual" (docs/hardware.md): outside kernel mode, the
 * kernel-only segments translate through the TLB instead of raising an
 * address error, so a monitor can back a deprivileged guest's kseg0/kseg1
 * with any memory and see every first touch.
 *
 * Guest faults are data: translation returns a result that the CPU turns into
 * an exception (cpu/cp0.c).
 */
#ifndef MMU_MMU_H
#define MMU_MMU_H

#include <stdbool.h>
#include <stdint.h>

#include "tlb/tlb.h"

/* MMU_PEEK: a host-side read (debugger, trap record) that ignores RI/XI. */
enum mmu_access { MMU_LOAD = 0, MMU_STORE = 1, MMU_FETCH = 2, MMU_PEEK = 3 };

enum mmu_mode { MMU_KERNEL = 0, MMU_SUPERVISOR = 1, MMU_USER = 2 };

enum mmu_result {
    MMU_OK = 0,
    MMU_ADDR_ERROR,   /* segment not accessible in this mode: AdEL/AdES */
    MMU_TLB_REFILL,   /* no TLB entry: TLBL/TLBS through the refill vector */
    MMU_TLB_INVALID,  /* entry with V = 0: TLBL/TLBS through the general vector */
    MMU_TLB_MODIFIED, /* store to an entry with D = 0: Mod */
    MMU_TLB_RI,       /* load from an entry with RI = 1: TLBRI */
    MMU_TLB_XI,       /* fetch from an entry with XI = 1: TLBXI */
    MMU_TLB_KPAGE,    /* a kernel-only page (ENTRYLO_K) from user or supervisor mode */
};

struct mmu_ctx {
    const tlb_t *tlb;
    enum mmu_mode mode;
    uint8_t asid;
    bool erl;          /* Status.ERL: kuseg unmapped in kernel mode */
    bool phys_as_virt; /* extension, see above */
};

struct mmu_xlate {
    uint32_t paddr;
    bool mapped;   /* went through the TLB */
    int tlb_index; /* entry used, -1 when unmapped */
};

enum mmu_result mmu_translate(const struct mmu_ctx *ctx, uint32_t vaddr, enum mmu_access access,
                              struct mmu_xlate *out);

#endif
