/*
 * dev/power.h — power and reset controller. The owner decides what power-off
 * and reset mean (the board stops its run with the exit code; the monitor
 * stops one guest).
 *
 * Registers (offsets from SLOT_DEV_BASE):
 *   0x00 POWEROFF  W: power off; bits 7:0 are the exit code
 *   0x04 RESET     W: POWER_RESET_MAGIC resets the machine (other values ignored)
 *   0x08 CAUSE     R: why the machine last started: 0 power-on, 1 software reset
 */
#ifndef DEV_POWER_H
#define DEV_POWER_H

#include "iobus/iobus.h"

#define POWER_DEVICE_ID    0x0007u
#define POWER_REG_POWEROFF 0x00u
#define POWER_REG_RESET    0x04u
#define POWER_REG_CAUSE    0x08u
#define POWER_RESET_MAGIC  0x52535421u /* "RST!" */

enum power_action { POWER_OFF, POWER_RESET };
typedef void (*power_fn)(void *opaque, enum power_action action, unsigned code);

typedef struct power power_t;

power_t *power_new(iobus_t *io, unsigned bus, unsigned slot, power_fn fn, void *opaque);
/* The owner reset the machine on the guest's request: CAUSE reads 1 after. */
void power_note_reset(power_t *p);

#endif
