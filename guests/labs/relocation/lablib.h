/*
 * guests/labs/relocation/lablib.h — what the relocation lab's kernels share:
 * the console and power device found by the bus scan, formatted output,
 * power-off, and writing TLB entries.
 */
#ifndef RELOCATION_LABLIB_H
#define RELOCATION_LABLIB_H

#include <stdbool.h>

#include "fmt.h"
#include "hw.h"

void find_devices(void);
void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void power_off(unsigned code) __attribute__((noreturn));
/* EntryLo of the kseg0 address k0 (its physical page): cached, valid, global. */
uint32_t lo_of(const void *k0, bool dirty);
/* EntryLo of physical address pa, likewise. */
uint32_t lo_pa(uint32_t pa, bool dirty);
/* Write TLB entry index (TLBWI), or a random one (index < 0: TLBWR). */
void tlb_put(int index, uint32_t hi, uint32_t lo0, uint32_t lo1, uint32_t mask);

/* start.S */
void exc_handler(uint32_t cause, uint32_t epc, uint32_t badvaddr);
void lab_main(uint32_t fdt, uint32_t bootinfo);
void enter_user(uint32_t pc, uint32_t status) __attribute__((noreturn));
extern char user_code[];
extern uint32_t exc_frame[32];
extern uint32_t exc_stack[1024];

#endif
