/*
 * dev/kbd.c — keyboard (register map in kbd.h).
 */
#include "dev/kbd.h"

#include <stdlib.h>

#include "dev/devclass.h"

struct kbd {
    io_link_t *link;
    uint16_t queue[KBD_QUEUE];
    unsigned head, count;
    uint32_t ctrl;
};

static void kbd_update_irq(struct kbd *k)
{
    io_link_irq(k->link, (k->ctrl & KBD_CTRL_IRQ_EN) && k->count);
}

bool kbd_push(kbd_t *k, uint8_t code, bool released)
{
    if (k->count == KBD_QUEUE)
        return false;
    k->queue[(k->head + k->count) % KBD_QUEUE] = (uint16_t)(code | (released ? KBD_RELEASE : 0));
    k->count++;
    kbd_update_irq(k);
    return true;
}

static enum phys_result kbd_read(void *opaque, uint32_t off, unsigned size, uint32_t *v)
{
    (void)size;
    struct kbd *k = opaque;
    switch (off) {
    case KBD_REG_DATA:
        *v = 0;
        if (k->count) {
            *v = k->queue[k->head];
            k->head = (k->head + 1) % KBD_QUEUE;
            k->count--;
            kbd_update_irq(k);
        }
        return PHYS_OK;
    case KBD_REG_STATUS: *v = k->count ? KBD_ST_AVAIL : 0; return PHYS_OK;
    case KBD_REG_CTRL: *v = k->ctrl; return PHYS_OK;
    case KBD_REG_COUNT: *v = k->count; return PHYS_OK;
    }
    return PHYS_BUS_ERROR;
}

static enum phys_result kbd_write(void *opaque, uint32_t off, unsigned size, uint32_t v)
{
    (void)size;
    struct kbd *k = opaque;
    switch (off) {
    case KBD_REG_CTRL:
        k->ctrl = v & KBD_CTRL_IRQ_EN;
        kbd_update_irq(k);
        return PHYS_OK;
    case KBD_REG_DATA:
    case KBD_REG_STATUS:
    case KBD_REG_COUNT: return PHYS_OK; /* read-only */
    }
    return PHYS_BUS_ERROR;
}

static void kbd_reset(void *opaque)
{
    struct kbd *k = opaque;
    k->head = k->count = k->ctrl = 0;
    kbd_update_irq(k);
}

static void kbd_free(void *opaque) { free(opaque); }

static const struct iodev_ops kbd_ops = {
    .name = "kbd",
    .vendor = IODEV_VENDOR_TV,
    .device = KBD_DEVICE_ID,
    .revision = 1,
    .reg_size = 0x10,
    .access_sizes = 4,
    .read = kbd_read,
    .write = kbd_write,
    .reset = kbd_reset,
    .free = kbd_free,
};

kbd_t *kbd_new(iobus_t *io, unsigned bus, unsigned slot)
{
    struct kbd *k = calloc(1, sizeof *k);
    if (!k)
        return NULL;
    if (iobus_attach(io, bus, slot, &kbd_ops, k, &k->link) != 0) {
        free(k);
        return NULL;
    }
    return k;
}

/* ---- the device class ----------------------------------------------------- */

static void *kbd_attach(const struct dev_host *h, unsigned bus, unsigned slot, const void *settings,
                        char *err, size_t errlen)
{
    (void)settings;
    (void)err;
    (void)errlen;
    return kbd_new(h->io, bus, slot);
}

const struct dev_class kbd_class = {
    .name = "kbd",
    .keys = "",
    .attach = kbd_attach,
};
