/*
 * dev/timer.c — interval timer / RTC (register map in timer.h). The next
 * expiry is kept as an absolute cycle; the bus owner ticks the device then
 * (io_link_schedule when armed between ticks).
 */
#include "dev/timer.h"

#include <stdlib.h>

#include "dev/devclass.h"

#define CYCLES_PER_US (IOBUS_CLOCK_HZ / 1000000u)

struct iotimer {
    io_link_t *link;
    uint32_t rtc_epoch;
    uint32_t period_us, ctrl, status, expiries, time_hi_latch;
    uint64_t next; /* cycle of the next expiry, IODEV_NO_EVENT when idle */
};

static void timer_arm(struct iotimer *t, uint64_t now)
{
    if ((t->ctrl & TIMER_CTRL_ENABLE) && t->period_us) {
        t->next = now + (uint64_t)t->period_us * CYCLES_PER_US;
        io_link_schedule(t->link, t->next);
    } else {
        t->next = IODEV_NO_EVENT;
    }
}

static void timer_update_irq(struct iotimer *t)
{
    io_link_irq(t->link, (t->ctrl & TIMER_CTRL_IRQ_EN) && (t->status & TIMER_ST_EXPIRED));
}

static uint64_t timer_tick(void *opaque, uint64_t now)
{
    struct iotimer *t = opaque;
    if (t->next != IODEV_NO_EVENT && now >= t->next) {
        t->status |= TIMER_ST_EXPIRED;
        t->expiries++;
        if (t->ctrl & TIMER_CTRL_ONESHOT) {
            t->ctrl &= ~TIMER_CTRL_ENABLE;
            t->next = IODEV_NO_EVENT;
        } else {
            /* Keep the period's phase; skip expiries the owner was late for. */
            uint64_t period = (uint64_t)t->period_us * CYCLES_PER_US;
            t->next += period * ((now - t->next) / period + 1);
        }
        timer_update_irq(t);
    }
    return t->next;
}

static enum phys_result timer_read(void *opaque, uint32_t off, unsigned size, uint32_t *v)
{
    (void)size;
    struct iotimer *t = opaque;
    uint64_t now = io_link_now(t->link);
    uint64_t us = now / CYCLES_PER_US;
    switch (off) {
    case TIMER_REG_TIME_LO:
        t->time_hi_latch = (uint32_t)(us >> 32);
        *v = (uint32_t)us;
        return PHYS_OK;
    case TIMER_REG_TIME_HI: *v = t->time_hi_latch; return PHYS_OK;
    case TIMER_REG_PERIOD: *v = t->period_us; return PHYS_OK;
    case TIMER_REG_CTRL: *v = t->ctrl; return PHYS_OK;
    case TIMER_REG_STATUS: *v = t->status; return PHYS_OK;
    case TIMER_REG_RTC: *v = t->rtc_epoch + (uint32_t)(now / IOBUS_CLOCK_HZ); return PHYS_OK;
    case TIMER_REG_EXPIRIES: *v = t->expiries; return PHYS_OK;
    }
    return PHYS_BUS_ERROR;
}

static enum phys_result timer_write(void *opaque, uint32_t off, unsigned size, uint32_t v)
{
    (void)size;
    struct iotimer *t = opaque;
    switch (off) {
    case TIMER_REG_PERIOD:
        t->period_us = v;
        timer_arm(t, io_link_now(t->link));
        return PHYS_OK;
    case TIMER_REG_CTRL:
        t->ctrl = v & (TIMER_CTRL_ENABLE | TIMER_CTRL_ONESHOT | TIMER_CTRL_IRQ_EN);
        timer_arm(t, io_link_now(t->link));
        timer_update_irq(t);
        return PHYS_OK;
    case TIMER_REG_STATUS:
        t->status &= ~(v & TIMER_ST_EXPIRED);
        timer_update_irq(t);
        return PHYS_OK;
    case TIMER_REG_TIME_LO:
    case TIMER_REG_TIME_HI:
    case TIMER_REG_RTC:
    case TIMER_REG_EXPIRIES: return PHYS_OK; /* read-only: writes ignored */
    }
    return PHYS_BUS_ERROR;
}

static void timer_reset(void *opaque)
{
    struct iotimer *t = opaque;
    t->period_us = t->ctrl = t->status = t->expiries = t->time_hi_latch = 0;
    t->next = IODEV_NO_EVENT;
    timer_update_irq(t);
}

static void timer_free(void *opaque) { free(opaque); }

static const struct iodev_ops timer_ops = {
    .name = "timer",
    .vendor = IODEV_VENDOR_TV,
    .device = TIMER_DEVICE_ID,
    .revision = 1,
    .reg_size = 0x1C,
    .access_sizes = 4,
    .read = timer_read,
    .write = timer_write,
    .reset = timer_reset,
    .tick = timer_tick,
    .free = timer_free,
};

iotimer_t *iotimer_new(iobus_t *io, unsigned bus, unsigned slot, uint32_t rtc_epoch)
{
    struct iotimer *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    t->rtc_epoch = rtc_epoch;
    t->next = IODEV_NO_EVENT;
    if (iobus_attach(io, bus, slot, &timer_ops, t, &t->link) != 0) {
        free(t);
        return NULL;
    }
    return t;
}

/* ---- the device class ----------------------------------------------------- */

static void *timer_attach(const struct dev_host *h, unsigned bus, unsigned slot,
                          const void *settings, char *err, size_t errlen)
{
    (void)settings;
    (void)err;
    (void)errlen;
    return iotimer_new(h->io, bus, slot, h->rtc_epoch);
}

const struct dev_class timer_class = {
    .name = "timer",
    .keys = "",
    .attach = timer_attach,
    .shareable = true,
};
