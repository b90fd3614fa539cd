/*
 * util/storm.h — an exception storm: the same exception at the same PC
 * (and BadVAddr) over and over without progress, as when a handler returns
 * to a fault it did not mend, or faults itself before it can. Progress is
 * the excepting instruction retiring: after an ERET to it, an instruction
 * retired. Interrupts are ignored (they come and go on top of a storm).
 * The board (natively) and the monitor (each guest) keep one and end the
 * run when it says so. docs/hardware.md, "Run budget and storms".
 */
#ifndef UTIL_STORM_H
#define UTIL_STORM_H

#include <stdbool.h>
#include <stdint.h>

#define STORM_REPEATS 100000u /* repeats without progress that make a storm */

struct storm {
    bool seen; /* an exception before */
    unsigned code;
    uint32_t epc, badva;
    uint64_t repeats;
    bool eret_since; /* an ERET since that exception */
    uint32_t eret_to;
    uint64_t eret_insns; /* instructions retired at that ERET */
};

/* An exception with ExcCode code at epc (instructions retired so far:
 * insns). True when it completes a storm. */
bool storm_exception(struct storm *s, unsigned code, uint32_t epc, uint32_t badva, uint64_t insns);
/* An ERET to target. */
void storm_eret(struct storm *s, uint32_t target, uint64_t insns);

#endif
