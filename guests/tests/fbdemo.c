/*
 * guests/tests/fbdemo.c — a bare kernel for the board's boot protocol that
 * draws on the framebuffer (bus 2, slot 0 of the default board): four
 * quadrants, red, green, blue and white, then spins. The window's tests and
 * docs show it in the console panel of the framebuffer's owner.
 */
#include <stdint.h>

#include "hw.h"

#define FB_SLOT     (IOBUS_BASE + 2 * IOBUS_BUS_SPAN + 0 * IOBUS_SLOT_SPAN)
#define FB_REG(off) (*(volatile uint32_t *)PHYS_TO_K1(FB_SLOT + SLOT_DEV_BASE + (off)))
#define FB_PIXELS   0x00400000u /* physical: 4 MiB into RAM */

int main(void);
int main(void)
{
    if ((FB_REG(SLOT_REG_ID - SLOT_DEV_BASE) & 0xFFFFu) != DEVID_FB) /* a framebuffer? */
        return 1;
    uint32_t w = FB_REG(FB_REG_WIDTH), h = FB_REG(FB_REG_HEIGHT);
    volatile uint32_t *px = PHYS_TO_K0(FB_PIXELS);
    for (uint32_t y = 0; y < h; y++)
        for (uint32_t x = 0; x < w; x++) {
            uint32_t c = y < h / 2 ? (x < w / 2 ? 0xFF0000u : 0x00FF00u)
                                   : (x < w / 2 ? 0x0000FFu : 0xFFFFFFu);
            px[y * w + x] = c;
        }
    FB_REG(FB_REG_ADDR) = FB_PIXELS;
    FB_REG(FB_REG_CTRL) = FB_CTRL_ENABLE; /* scan out */
    for (;;)
        ;
}
