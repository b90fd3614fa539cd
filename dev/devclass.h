/*
 * dev/devclass.h — device classes: each device file exports one const
 * description of its kind (name, configuration keys and their parsing, how
 * to create it in a slot, whether a guest may get an emulated copy), and
 * dev_classes[] lists them. Adding a device type is one new file in dev/
 * and one line in that table (devclass.c); the board, its configuration,
 * its device tree and the monitor find it there.
 *
 * A slot's settings belong to its class: a block of settings_size bytes
 * that only the class reads and writes (through set and attach).
 */
#ifndef DEV_DEVCLASS_H
#define DEV_DEVCLASS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dev/power.h"
#include "dev/uart.h"
#include "dev/vswitch.h"
#include "iobus/iobus.h"

struct tpm_port;

/* What the owner of a bus set gives the devices it creates in it: the board
 * for its own buses, the monitor for a guest's emulated copies. */
struct dev_host {
    iobus_t *io;
    bool big_endian;
    uint32_t rtc_epoch;      /* the RTC's seconds since 1970 at cycle 0 */
    uart_out_fn console_out; /* where a UART's output goes */
    void *console_opaque;
    int console_in_fd; /* its input (UART_INPUT_NONE: none) */
    power_fn power;    /* what a power device's off/reset does */
    void *power_opaque;
    vswitch_t *(*vswitch)(void *opaque); /* the switch NICs join (NULL: none) */
    void *opaque;
    /* A TPM's port (dev/tpm.h) for a guest's copy (NULL: the TPM itself,
     * over libtpms). 0, or -1 with a message. */
    int (*tpm_port)(void *tpm_opaque, unsigned bus, unsigned slot, struct tpm_port *out, char *err,
                    size_t errlen);
    void *tpm_opaque;
};

struct dev_class {
    const char *name;     /* type in [busB.slotS], FDT node name and "trapvisor,NAME" */
    const char *keys;     /* its keys besides type, for messages ("" none) */
    size_t settings_size; /* bytes of its settings (0: none) */
    void (*defaults)(void *settings);
    /* One key: 0 taken, -1 bad value (message), 1 not a key of this class. */
    int (*set)(void *settings, const char *key, const char *value, char *err, size_t errlen);
    /* The settings as a whole (a disk needs an image): 0, or -1 with a message. */
    int (*check)(const void *settings, char *err, size_t errlen);
    /* Create the device in the slot; the device, or NULL with a message. */
    void *(*attach)(const struct dev_host *h, unsigned bus, unsigned slot, const void *settings,
                    char *err, size_t errlen);
    /* A guest that does not own the bus gets an emulated copy (the same
     * attach, on the guest's private bus set). */
    bool shareable;
    /* Pages of buffer (io_link_buffer) one device asks for: the monitor
     * keeps that much host RAM per emulated copy, mapped into the guest. */
    unsigned buffer_pages;
};

/* Every class, NULL-terminated; an index into it names a class in masks. */
extern const struct dev_class *const dev_classes[];
#define DEV_CLASS_MAX 16

const struct dev_class *dev_class_find(const char *name);
unsigned dev_class_index(const struct dev_class *c);
/* "uart timer disk ..." for messages (shareable_only: those with shareable). */
const char *dev_class_names(bool shareable_only);

/* The built-in classes (one per device file). */
extern const struct dev_class uart_class, timer_class, disk_class, nic_class, fb_class, kbd_class,
    power_class, tpm_class;

#endif
