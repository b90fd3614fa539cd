/*
 * tlb/ — the MIPS32 joint TLB (JTLB) of paired entries.
 *
 * An entry maps an even/odd pair of pages: VPN2 selects the pair, bit
 * (PageMask-dependent) of the virtual address selects EntryLo0 or EntryLo1.
 * The TLB knows nothing of the CPU: it holds entries, answers lookups, and
 * implements the register-level semantics of TLBP/TLBR/TLBWI/TLBWR. The CPU
 * (cpu/cp0.c) moves values between these functions and CP0.
 *
 * Register formats (MIPS32 PRA, CP0 registers 2, 3, 5, 10):
 *   EntryHi   [31:13] VPN2   [7:0] ASID
 *   EntryLo   [31] RI [30] XI  [29:6] PFN  [5:3] C  [2] D  [1] V  [0] G
 * RI (read inhibit) and XI (execute inhibit) are the MIPS32 Release 3 bits; they
 * are kept only when tlb_set_rixi() enabled them (a host extension: the CPU's
 * CPU_EXT_RIXI), otherwise they read as 0 as in Release 2.
 *   PageMask  [28:13] Mask   (4 KiB .. 256 MiB in pairs of bits; we allow up to 16 MiB)
 */
#ifndef TLB_TLB_H
#define TLB_TLB_H

#include <stdbool.h>
#include <stdint.h>

#define TLB_MIN_PAIRS     4
#define TLB_MAX_PAIRS     256
#define TLB_DEFAULT_PAIRS 32

#define ENTRYHI_VPN2_MASK 0xFFFFE000u
#define ENTRYHI_ASID_MASK 0x000000FFu
#define ENTRYLO_PFN_MASK  0x3FFFFFC0u
#define ENTRYLO_PFN_SHIFT 6
#define ENTRYLO_C_MASK    0x00000038u
#define ENTRYLO_D         0x00000004u
#define ENTRYLO_V         0x00000002u
#define ENTRYLO_G         0x00000001u
#define ENTRYLO_MASK      0x3FFFFFFFu
#define ENTRYLO_RI        0x80000000u
#define ENTRYLO_XI        0x40000000u
/* Kernel-only page (host extension, tlb_set_kpages): bit 29, above the PFN
 * bits that 32 physical address bits use, so no MTC0 of EntryLo can set it. */
#define ENTRYLO_K     0x20000000u
#define PAGEMASK_MASK 0x01FFE000u /* 4 KiB .. 16 MiB */

/* The CP0 view of one TLB entry (what TLBR produces and TLBWI/TLBWR consume). */
struct tlb_regs {
    uint32_t entryhi;
    uint32_t entrylo0;
    uint32_t entrylo1;
    uint32_t pagemask;
};

/* Outcome of a lookup (QEMU's TLBRET_* idea: guest faults are data). */
enum tlb_result {
    TLB_HIT = 0,
    TLB_MISS,         /* no matching entry: refill exception */
    TLB_INVALID,      /* matching entry, V == 0 */
    TLB_MODIFIED,     /* store to a matching valid entry with D == 0 */
    TLB_READ_INHIBIT, /* load from a valid entry with RI == 1 */
    TLB_EXEC_INHIBIT, /* fetch from a valid entry with XI == 1 */
    TLB_KERNEL_ONLY,  /* an ENTRYLO_K page reached from user or supervisor mode */
};

/* What a lookup is for (the values of enum mmu_access; false/true also work
 * as load/store). TLB_PEEK is a host-side read that ignores RI and XI. */
enum tlb_access { TLB_LOAD = 0, TLB_STORE = 1, TLB_FETCH = 2, TLB_PEEK = 3 };
/* OR'ed into the access: the CPU is not in kernel mode (ENTRYLO_K pages refuse it). */
#define TLB_NOT_KERNEL 8u

/* A successful translation: physical address and the extent of the page. */
struct tlb_hit {
    uint32_t paddr;
    uint32_t page_mask; /* byte mask inside the page: page size - 1 */
    unsigned index;     /* which entry matched */
    bool dirty;
};

typedef struct tlb tlb_t;

/* Allocate a TLB of npairs entries (TLB_MIN_PAIRS..TLB_MAX_PAIRS), all invalid. NULL if out of
 * range. */
tlb_t *tlb_new(unsigned npairs);
void tlb_free(tlb_t *tlb);
unsigned tlb_size(const tlb_t *tlb);

/* Invalidate every entry (each gets a distinct unmatchable VPN2 in kseg0, as a reset handler
 * would). */
void tlb_reset(tlb_t *tlb);

/* Translate vaddr for asid; access (enum tlb_access) selects the Modified,
 * read-inhibit and execute-inhibit checks. */
enum tlb_result tlb_lookup(const tlb_t *tlb, uint32_t vaddr, uint8_t asid, unsigned access,
                           struct tlb_hit *hit);

/* Keep EntryLo's RI/XI bits in entries written from now on (off after tlb_new). */
void tlb_set_rixi(tlb_t *tlb, bool on);
/* Keep EntryLo's K bit (kernel-only pages) in written entries; off: it reads 0. */
void tlb_set_kpages(tlb_t *tlb, bool on);

/* TLBP: index of the entry matching entryhi's VPN2 and ASID (or global), -1 if none. */
int tlb_probe(const tlb_t *tlb, uint32_t entryhi);

/* TLBR / TLBWI / TLBWR data path; index must be < tlb_size(). */
void tlb_read(const tlb_t *tlb, unsigned index, struct tlb_regs *out);
void tlb_write(tlb_t *tlb, unsigned index, const struct tlb_regs *in);

/* Bumped on every write, so host-side lookup caches know to flush. */
uint64_t tlb_generation(const tlb_t *tlb);

#endif
