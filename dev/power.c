/*
 * dev/power.c — power and reset controller (register map in power.h).
 */
#include "dev/power.h"

#include <stdlib.h>

#include "dev/devclass.h"

struct power {
    io_link_t *link;
    power_fn fn;
    void *opaque;
    uint32_t cause;
};

static enum phys_result power_read(void *opaque, uint32_t off, unsigned size, uint32_t *v)
{
    (void)size;
    struct power *p = opaque;
    switch (off) {
    case POWER_REG_POWEROFF:
    case POWER_REG_RESET: *v = 0; return PHYS_OK;
    case POWER_REG_CAUSE: *v = p->cause; return PHYS_OK;
    }
    return PHYS_BUS_ERROR;
}

static enum phys_result power_write(void *opaque, uint32_t off, unsigned size, uint32_t v)
{
    (void)size;
    struct power *p = opaque;
    switch (off) {
    case POWER_REG_POWEROFF:
        if (p->fn)
            p->fn(p->opaque, POWER_OFF, v & 0xFF);
        return PHYS_OK;
    case POWER_REG_RESET:
        if (v == POWER_RESET_MAGIC && p->fn)
            p->fn(p->opaque, POWER_RESET, 0);
        return PHYS_OK;
    case POWER_REG_CAUSE: return PHYS_OK;
    }
    return PHYS_BUS_ERROR;
}

void power_note_reset(power_t *p) { p->cause = 1; }

static void power_free(void *opaque) { free(opaque); }

static const struct iodev_ops power_ops = {
    .name = "power",
    .vendor = IODEV_VENDOR_TV,
    .device = POWER_DEVICE_ID,
    .revision = 1,
    .reg_size = 0x0C,
    .access_sizes = 4,
    .read = power_read,
    .write = power_write,
    .free = power_free,
};

power_t *power_new(iobus_t *io, unsigned bus, unsigned slot, power_fn fn, void *opaque)
{
    struct power *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    p->fn = fn;
    p->opaque = opaque;
    if (iobus_attach(io, bus, slot, &power_ops, p, &p->link) != 0) {
        free(p);
        return NULL;
    }
    return p;
}

/* ---- the device class ----------------------------------------------------- */

static void *power_attach(const struct dev_host *h, unsigned bus, unsigned slot,
                          const void *settings, char *err, size_t errlen)
{
    (void)settings;
    (void)err;
    (void)errlen;
    return power_new(h->io, bus, slot, h->power, h->power_opaque);
}

const struct dev_class power_class = {
    .name = "power",
    .keys = "",
    .attach = power_attach,
    .shareable = true,
};
