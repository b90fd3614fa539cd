/*
 * guests/tests/storm.c — a hostile bare kernel: its exception handlers are
 * a bare ERET, and it loads from an unmapped address. The load misses the
 * TLB, the refill handler returns to it unmended, it misses again: an
 * exception storm, which the board and the monitor must end with a message
 * (tests/test_hostile_e2e.c), never loop on silently.
 */
#include <stdint.h>

int main(void);
int main(void)
{
    volatile uint32_t *refill = (volatile uint32_t *)0x80000000u;
    volatile uint32_t *general = (volatile uint32_t *)0x80000180u;
    refill[0] = 0x42000018u; /* eret */
    refill[1] = 0;
    general[0] = 0x42000018u;
    general[1] = 0;
    return (int)*(volatile uint32_t *)0x00001000u; /* kuseg, no TLB entry */
}
