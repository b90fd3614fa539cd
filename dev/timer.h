/*
 * dev/timer.h — interval timer and real-time clock. Time is device time (CPU
 * cycles at IOBUS_CLOCK_HZ), so by default it is virtual and a run is
 * repeatable; the RTC's epoch is a fixed date unless the owner asks for the
 * host's clock.
 *
 * Registers (offsets from SLOT_DEV_BASE):
 *   0x00 TIME_LO   R: microseconds since reset, low word (reading it latches TIME_HI)
 *   0x04 TIME_HI   R: high word latched by the last TIME_LO read
 *   0x08 PERIOD    RW: microseconds between expiries (0: timer off)
 *   0x0C CTRL      RW: bit 0 ENABLE, bit 1 ONESHOT, bit 2 IRQ_EN; writing
 *                  ENABLE (re)starts the period from now
 *   0x10 STATUS    R: bit 0 EXPIRED. W: 1 to bit 0 clears it (lowers the line)
 *   0x14 RTC       R: seconds since 1970-01-01 UTC
 *   0x18 EXPIRIES  R: expiries since reset (a kernel can count missed ticks)
 */
#ifndef DEV_TIMER_H
#define DEV_TIMER_H

#include "iobus/iobus.h"

#define TIMER_DEVICE_ID    0x0002u
#define TIMER_REG_TIME_LO  0x00u
#define TIMER_REG_TIME_HI  0x04u
#define TIMER_REG_PERIOD   0x08u
#define TIMER_REG_CTRL     0x0Cu
#define TIMER_REG_STATUS   0x10u
#define TIMER_REG_RTC      0x14u
#define TIMER_REG_EXPIRIES 0x18u
#define TIMER_CTRL_ENABLE  0x1u
#define TIMER_CTRL_ONESHOT 0x2u
#define TIMER_CTRL_IRQ_EN  0x4u
#define TIMER_ST_EXPIRED   0x1u

/* Default RTC epoch: 2026-01-01T00:00:00Z. */
#define TIMER_DEFAULT_EPOCH 1767225600u

typedef struct iotimer iotimer_t;

/* Attach a timer to (bus, slot); rtc_epoch is the RTC value at device time 0.
 * NULL if the slot is taken. Owned by the bus. */
iotimer_t *iotimer_new(iobus_t *io, unsigned bus, unsigned slot, uint32_t rtc_epoch);

#endif
