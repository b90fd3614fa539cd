/*
 * vmm/memop.h — the one decoder of a guest's loads and stores that the
 * monitor completes itself: an emulated device access (emulate.c), a hidden
 * read of a patched page and a store into a scanned one (patch.c), and any
 * module that serves memory back. Width, sign extension, the LWL/LWR/SWL/SWR
 * byte lanes in either byte order, LL/SC.
 *
 * Words are handled as their four bytes in memory order (mem[0] at the
 * lowest address), so one rule serves both byte orders.
 */
#ifndef VMM_MEMOP_H
#define VMM_MEMOP_H

#include <stdbool.h>
#include <stdint.h>

enum memop_lanes {
    MEMOP_ALIGNED = 0, /* LB..LW, SB..SW, LL, SC: size bytes at the address */
    MEMOP_LEFT,        /* LWL / SWL */
    MEMOP_RIGHT,       /* LWR / SWR */
};

struct memop {
    bool store;
    unsigned size; /* 1, 2 or 4 (4 for the unaligned forms) */
    bool sign;     /* loads: sign-extend to 32 bits */
    enum memop_lanes lanes;
    bool linked; /* LL / SC */
    unsigned rt; /* the register loaded or stored */
};

/* Decode insn; false when it is not a load or store of MIPS32's integer ISA. */
bool memop_decode(uint32_t insn, struct memop *m);

/* A load at byte offset k (address & 3) from the word mem: rt's new value
 * (old is its value before: LWL/LWR keep part of it). */
uint32_t memop_load(const struct memop *m, const uint8_t mem[4], unsigned k, bool big_endian,
                    uint32_t old);
/* A store of value at byte offset k into the word mem. */
void memop_store(const struct memop *m, uint8_t mem[4], unsigned k, bool big_endian,
                 uint32_t value);
/* A device register value as the load puts it into rt (size bytes, extended). */
uint32_t memop_extend(const struct memop *m, uint32_t value);

/* A word's bytes in memory order, and back. */
void memop_split(uint32_t word, uint8_t mem[4], bool big_endian);
uint32_t memop_join(const uint8_t mem[4], bool big_endian);

#endif
