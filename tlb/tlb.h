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
 *   EntryLo   [29:6] PFN     [5:3] C   [2] D   [1] V   [0] G
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
#define PAGEMASK_MASK     0x01FFE000u /* 4 KiB .. 16 MiB */

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
    TLB_MISS,     /* no matching entry: refill exception */
    TLB_INVALID,  /* matching entry, V == 0 */
    TLB_MODIFIED, /* store to a matching valid entry with D == 0 */
};

/* A successful translation: physical address and the extent of the page. */
struct tlb_hit {
    uint32_t paddr;
    uint32_t page_mask; /* byte mask inside the page: page size - 1 */
    unsigned index;     /* which entry matched */
    bool dirty;
};

typedef struct tlb tlb_t;

/* Allocate a TLB of npairs entries (TLB_MIN_PAIRS..TLB_MAX_PAIRS), all invalid. NULL if out of range. */
tlb_t *tlb_new(unsigned npairs);
void tlb_free(tlb_t *tlb);
unsigned tlb_size(const tlb_t *tlb);

/* Invalidate every entry (each gets a distinct unmatchable VPN2 in kseg0, as a reset handler would). */
void tlb_reset(tlb_t *tlb);

/* Translate vaddr for asid. store selects the Modified check. */
enum tlb_result tlb_lookup(const tlb_t *tlb, uint32_t vaddr, uint8_t asid, bool store,
                           struct tlb_hit *hit);

/* TLBP: index of the entry matching entryhi's VPN2 and ASID (or global), -1 if none. */
int tlb_probe(const tlb_t *tlb, uint32_t entryhi);

/* TLBR / TLBWI / TLBWR data path; index must be < tlb_size(). */
void tlb_read(const tlb_t *tlb, unsigned index, struct tlb_regs *out);
void tlb_write(tlb_t *tlb, unsigned index, const struct tlb_regs *in);

/* Bumped on every write, so host-side lookup caches know to flush. */
uint64_t tlb_generation(const tlb_t *tlb);

#endif
