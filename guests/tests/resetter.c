/*
 * guests/tests/resetter.c — a hostile bare kernel: it writes one word and
 * resets itself through the power device, forever (tests/test_hostile_e2e.c:
 * a reset must cost the host what the guest used, not its whole RAM).
 */
#include <stdint.h>

#include "hw.h"

#define POWER_SLOT     (IOBUS_BASE + 0 * IOBUS_BUS_SPAN + 2 * IOBUS_SLOT_SPAN)
#define POWER_REG(off) (*(volatile uint32_t *)PHYS_TO_K1(POWER_SLOT + SLOT_DEV_BASE + (off)))

int main(void);
int main(void)
{
    *(volatile uint32_t *)PHYS_TO_K0(0x00100000u) = 0xDEADBEEFu;
    POWER_REG(POWER_RESET) = POWER_RESET_MAGIC;
    for (;;)
        ;
}
