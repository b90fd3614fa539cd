/*
 * tests/tmachine.h — a fresh CPU + RAM per test.
 *
 * Layout (kseg0): vectors at EBase 0x80000000 (refill +0x000, general +0x180,
 * interrupt +0x200), each holding HYPCALL 1/2/3 so the run stops there with
 * CP0 as the hardware left it; test code at 0x80001000 ending in HYPCALL 0;
 * data at 0x80008000. The CPU starts in kernel mode, BEV = 0, nothing routed.
 */
#ifndef TESTS_TMACHINE_H
#define TESTS_TMACHINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cpu/cpu.h"
#include "mips_asm.h"

#define TM_CODE 0x80001000u
#define TM_DATA 0x80008000u
#define TM_RAM  (1u << 20)

#define TM_STOP_DONE    0 /* HYPCALL 0 at the end of the test code */
#define TM_STOP_REFILL  1
#define TM_STOP_GENERAL 2
#define TM_STOP_INT     3

struct tm {
    phys_t *phys;
    cpu_t *cpu;
};

struct tm tm_new(bool big_endian);
void tm_free(struct tm *t);
/* Write words at a kseg0/kseg1 address. */
void tm_put(struct tm *t, uint32_t vaddr, const uint32_t *words, size_t n);
void tm_put32(struct tm *t, uint32_t vaddr, uint32_t w);
uint32_t tm_get32(struct tm *t, uint32_t vaddr);
/* Load code at TM_CODE (HYPCALL 0 appended), run; returns the HYPCALL code
 * it stopped on, or -1 on any other stop. */
int tm_run_code(struct tm *t, const uint32_t *code, size_t n);
int tm_continue(struct tm *t);

/* Run code at kuseg 0x00400000 (a global TLB entry onto physical 0x10000) in
 * KSU mode ksu (1 supervisor, 2 user) with extra Status bits. */
#define TM_USER_VA 0x00400000u
int tm_run_mode(struct tm *t, unsigned ksu, uint32_t status_extra, const uint32_t *code, size_t n);
#define TM_RUN_MODE(t, ksu, st, ...)                                                               \
    ({                                                                                             \
        const uint32_t c_[] = {__VA_ARGS__};                                                       \
        tm_run_mode((t), (ksu), (st), c_, sizeof(c_) / 4);                                         \
    })

#define TM_RUN(t, ...)                                                                             \
    ({                                                                                             \
        const uint32_t code_[] = {__VA_ARGS__};                                                    \
        tm_run_code((t), code_, sizeof(code_) / sizeof(code_[0]));                                 \
    })

#endif
