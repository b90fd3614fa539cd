/*
 * dev/fb.h — framebuffer. The pixels live in guest RAM at FB_ADDR (a 640x480
 * XRGB8888 frame is 1.2 MiB, far more than a 64 KiB slot); the device scans
 * them out through the bus, so the read is checked against the slot's DMA
 * window like any other device's. A vertical blank comes FB_HZ times per
 * second of device time.
 *
 * Registers (offsets from SLOT_DEV_BASE):
 *   0x00 WIDTH    R: pixels
 *   0x04 HEIGHT   R: pixels
 *   0x08 FORMAT   R: 1 = XRGB8888 (one 32-bit word per pixel, in CPU byte order)
 *   0x0C STRIDE   R: bytes per line
 *   0x10 FB_ADDR  RW: physical address of the first pixel
 *   0x14 CTRL     RW: bit 0 ENABLE (scan out), bit 1 VBLANK_IRQ_EN
 *   0x18 STATUS   R: bit 0 VBLANK. W: 1 clears it
 *   0x1C FRAMES   R: vertical blanks since reset
 */
#ifndef DEV_FB_H
#define DEV_FB_H

#include <stdbool.h>

#include "iobus/iobus.h"

#define FB_DEVICE_ID       0x0005u
#define FB_WIDTH           640u
#define FB_HEIGHT          480u
#define FB_HZ              60u
#define FB_FORMAT_XRGB8888 1u

#define FB_REG_WIDTH          0x00u
#define FB_REG_HEIGHT         0x04u
#define FB_REG_FORMAT         0x08u
#define FB_REG_STRIDE         0x0Cu
#define FB_REG_ADDR           0x10u
#define FB_REG_CTRL           0x14u
#define FB_REG_STATUS         0x18u
#define FB_REG_FRAMES         0x1Cu
#define FB_CTRL_ENABLE        0x1u
#define FB_CTRL_VBLANK_IRQ_EN 0x2u
#define FB_ST_VBLANK          0x1u

typedef struct fb fb_t;

fb_t *fb_new(iobus_t *io, unsigned bus, unsigned slot, bool big_endian);
/* Copy the current frame as host 0x00RRGGBB pixels (FB_WIDTH * FB_HEIGHT).
 * false when scan-out is off or the bus refuses the frame's address. */
bool fb_scanout(fb_t *fb, uint32_t *pixels);

#endif
