/*
 * vmm/scan.h — the code scanner of the software fix for sensitive
 * instructions that do not trap (docs/labs/virtualizability.md).
 *
 * It looks at a page of guest code one 32-bit word at a time (a linear
 * sweep: every word of the page, whatever the control flow, so an
 * instruction in a delay slot or at the page's end is found like any other;
 * a data word that happens to encode a sensitive instruction is found too —
 * the monitor hides the patch from reads, so patching it costs a trap, never
 * a wrong value). Words of the COP0 major opcode go to Capstone, which names
 * the instruction and its operands; the scanner reports the ones that the
 * CPU's sensitive-instruction switches let run outside
 * kernel mode without trapping: ERET, MFC0 of Status or Cause, DI, EI.
 */
#ifndef VMM_SCAN_H
#define VMM_SCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum scan_kind { SCAN_ERET = 0, SCAN_MFC0, SCAN_DI, SCAN_EI, SCAN_KINDS };

struct scan_site {
    uint32_t offset; /* byte offset in the scanned code */
    uint32_t insn;   /* the instruction word */
    enum scan_kind kind;
};

typedef struct scanner scanner_t;

/* A scanner for code of this byte order that reports what the unsafe
 * switches (CPU_EXT_*_UNPRIV bits of cpu/cpu.h) leave untrapped. NULL if
 * Capstone cannot be opened. */
scanner_t *scanner_new(bool big_endian, uint32_t unsafe);
void scanner_free(scanner_t *s);

/* By default only words of the COP0 major opcode (where every sensitive
 * instruction lives) go to Capstone; a full sweep disassembles every word
 * (same sites, ~50x the time: bench_scan shows both). */
void scanner_set_full_sweep(scanner_t *s, bool on);

/* Scan len bytes (a multiple of 4) at guest address addr. Fills at most max
 * sites in address order; returns how many there are (which may be more
 * than max). Words Capstone cannot decode are skipped. */
unsigned scanner_scan(scanner_t *s, const uint8_t *code, size_t len, uint32_t addr,
                      struct scan_site *out, unsigned max);

const char *scan_kind_name(enum scan_kind k);

#endif
