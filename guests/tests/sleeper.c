/*
 * guests/tests/sleeper.c — a hostile bare kernel for the board's boot
 * protocol: it waits and cannot be woken (tests/test_hostile_e2e.c).
 * Default build: the timer of bus 0 slot 1 fires every microsecond, enabled
 * in the interrupt controller, while Status.IM masks every line — the device
 * keeps scheduling events that can never end the WAIT. -DFAR_COMPARE: only
 * the CPU timer may wake it, Compare set one cycle behind Count (2^32 cycles
 * away): the run's budget must bound the idle time it skips. -DSPIN_WAIT:
 * its timer interrupt is pending and never taken (IE = 0) nor cleared, so
 * every WAIT ends at once — it wakes only to go back to sleep.
 */
#include <stdint.h>

#include "hw.h"

#define TIMER_SLOT     (IOBUS_BASE + 0 * IOBUS_BUS_SPAN + 1 * IOBUS_SLOT_SPAN)
#define TIMER_REG(off) (*(volatile uint32_t *)PHYS_TO_K1(TIMER_SLOT + SLOT_DEV_BASE + (off)))
#define INTC_REG(off)  (*(volatile uint32_t *)PHYS_TO_K1(IOBUS_INTC_BASE + (off)))

int main(void);
int main(void)
{
#if defined(SPIN_WAIT)
    mtc0(C0_COMPARE, mfc0(C0_COUNT) + 100);
    mtc0(C0_STATUS, ST_IM7); /* IE = 0: the pending timer never runs a handler */
#elif defined(FAR_COMPARE)
    mtc0(C0_COMPARE, mfc0(C0_COUNT) - 1);
    mtc0(C0_STATUS, ST_IM7); /* interrupts off (IE = 0): the timer only ends WAIT */
#else
    TIMER_REG(TIMER_PERIOD) = 1;
    TIMER_REG(TIMER_CTRL) = TIMER_CTRL_ENABLE | TIMER_CTRL_IRQ_EN;
    INTC_REG(INTC_ENABLE(0)) = 1u << 1;
    mtc0(C0_STATUS, 0); /* every line masked */
#endif
    for (;;)
        __asm__ volatile("wait");
}
