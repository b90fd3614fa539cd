/*
 * dev/fb.c — framebuffer (register map in fb.h).
 */
#include "dev/fb.h"

#include <stdlib.h>

#include "dev/devclass.h"

#define FB_STRIDE        (FB_WIDTH * 4u)
#define FB_VBLANK_CYCLES (IOBUS_CLOCK_HZ / FB_HZ)

struct fb {
    io_link_t *link;
    bool big_endian;
    uint32_t addr, ctrl, status, frames;
    uint64_t next_vblank;
};

static void fb_update_irq(struct fb *f)
{
    io_link_irq(f->link, (f->ctrl & FB_CTRL_VBLANK_IRQ_EN) && (f->status & FB_ST_VBLANK));
}

static uint64_t fb_tick(void *opaque, uint64_t now)
{
    struct fb *f = opaque;
    if (!(f->ctrl & FB_CTRL_ENABLE))
        return IODEV_NO_EVENT;
    if (now >= f->next_vblank) {
        f->frames++;
        f->status |= FB_ST_VBLANK;
        f->next_vblank += FB_VBLANK_CYCLES * ((now - f->next_vblank) / FB_VBLANK_CYCLES + 1);
        fb_update_irq(f);
    }
    return f->next_vblank;
}

static enum phys_result fb_read(void *opaque, uint32_t off, unsigned size, uint32_t *v)
{
    (void)size;
    struct fb *f = opaque;
    switch (off) {
    case FB_REG_WIDTH: *v = FB_WIDTH; return PHYS_OK;
    case FB_REG_HEIGHT: *v = FB_HEIGHT; return PHYS_OK;
    case FB_REG_FORMAT: *v = FB_FORMAT_XRGB8888; return PHYS_OK;
    case FB_REG_STRIDE: *v = FB_STRIDE; return PHYS_OK;
    case FB_REG_ADDR: *v = f->addr; return PHYS_OK;
    case FB_REG_CTRL: *v = f->ctrl; return PHYS_OK;
    case FB_REG_STATUS: *v = f->status; return PHYS_OK;
    case FB_REG_FRAMES: *v = f->frames; return PHYS_OK;
    }
    return PHYS_BUS_ERROR;
}

static enum phys_result fb_write(void *opaque, uint32_t off, unsigned size, uint32_t v)
{
    (void)size;
    struct fb *f = opaque;
    switch (off) {
    case FB_REG_ADDR: f->addr = v & ~3u; return PHYS_OK;
    case FB_REG_CTRL: {
        bool was_on = f->ctrl & FB_CTRL_ENABLE;
        f->ctrl = v & (FB_CTRL_ENABLE | FB_CTRL_VBLANK_IRQ_EN);
        if (!was_on && (f->ctrl & FB_CTRL_ENABLE)) {
            f->next_vblank = io_link_now(f->link) + FB_VBLANK_CYCLES;
            io_link_schedule(f->link, f->next_vblank);
        }
        fb_update_irq(f);
        return PHYS_OK;
    }
    case FB_REG_STATUS:
        f->status &= ~(v & FB_ST_VBLANK);
        fb_update_irq(f);
        return PHYS_OK;
    case FB_REG_WIDTH:
    case FB_REG_HEIGHT:
    case FB_REG_FORMAT:
    case FB_REG_STRIDE:
    case FB_REG_FRAMES: return PHYS_OK; /* read-only */
    }
    return PHYS_BUS_ERROR;
}

bool fb_scanout(fb_t *f, uint32_t *pixels)
{
    if (!(f->ctrl & FB_CTRL_ENABLE))
        return false;
    if (io_link_dma_read(f->link, f->addr, pixels, (size_t)FB_STRIDE * FB_HEIGHT) != 0)
        return false;
    uint8_t *b = (uint8_t *)pixels;
    for (size_t i = 0; i < (size_t)FB_WIDTH * FB_HEIGHT; i++, b += 4)
        pixels[i] = f->big_endian ? (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3]
                                  : (uint32_t)b[2] << 16 | (uint32_t)b[1] << 8 | b[0];
    return true;
}

static void fb_reset(void *opaque)
{
    struct fb *f = opaque;
    f->addr = f->ctrl = f->status = f->frames = 0;
    fb_update_irq(f);
}

static void fb_free(void *opaque) { free(opaque); }

static const struct iodev_ops fb_ops = {
    .name = "fb",
    .vendor = IODEV_VENDOR_TV,
    .device = FB_DEVICE_ID,
    .revision = 1,
    .reg_size = 0x20,
    .access_sizes = 4,
    .read = fb_read,
    .write = fb_write,
    .reset = fb_reset,
    .tick = fb_tick,
    .free = fb_free,
};

fb_t *fb_new(iobus_t *io, unsigned bus, unsigned slot, bool big_endian)
{
    struct fb *f = calloc(1, sizeof *f);
    if (!f)
        return NULL;
    f->big_endian = big_endian;
    if (iobus_attach(io, bus, slot, &fb_ops, f, &f->link) != 0) {
        free(f);
        return NULL;
    }
    return f;
}

/* ---- the device class ----------------------------------------------------- */

static void *fb_attach(const struct dev_host *h, unsigned bus, unsigned slot, const void *settings,
                       char *err, size_t errlen)
{
    (void)settings;
    (void)err;
    (void)errlen;
    return fb_new(h->io, bus, slot, h->big_endian);
}

const struct dev_class fb_class = {
    .name = "fb",
    .keys = "",
    .attach = fb_attach,
};
