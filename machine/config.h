/*
 * machine/config.h — the board's configuration: memory, CPU, firmware and
 * kernel, and which device sits in which bus slot. Read from an INI file
 * (libinih) and from "section.key=value" overrides; docs/hardware.md,
 * "Board configuration", lists every key.
 *
 *   [board]                     [bus0.slot0]
 *   ram = 64M                   type = uart
 *   tlb = 32                    input = stdin      ; none | stdin | FILE
 *   endian = big                output = stdout    ; stdout | FILE
 *   kernel = kernel.elf
 *   bootargs = init             [bus1.slot0]
 *   rtc = fixed                 type = disk
 *   buses = 4                   image = disk.img
 *
 *   [cpu]                       ; the sensitive-instruction switches
 *   eret = trap                 ; trap (default) | native: runs outside kernel mode
 *   mfc0 = trap                 ; MFC0 of Status and Cause
 *   diei = trap                 ; DI and EI
 */
#ifndef MACHINE_CONFIG_H
#define MACHINE_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dev/devclass.h"
#include "iobus/iobus.h"

#define CONFIG_PATH_MAX 1024

/* A slot of the I/O system: its device class (dev/devclass.h) and the
 * class's settings, owned by the configuration. */
struct dev_config {
    const struct dev_class *cls; /* NULL: empty */
    unsigned line;               /* config line that placed it (0: default board or override) */
    void *settings;              /* cls->settings_size bytes (NULL when 0) */
};

struct board_config {
    uint32_t ram_size;
    unsigned tlb_pairs;
    bool little_endian;
    unsigned buses;
    char kernel[CONFIG_PATH_MAX];   /* "" = the default kernel */
    char firmware[CONFIG_PATH_MAX]; /* "" = the built-in boot ROM */
    char bootargs[256];
    bool rtc_host;      /* RTC from the host clock (not repeatable) */
    uint32_t rtc_epoch; /* else this fixed epoch */
    uint32_t unsafe;    /* CPU_EXT_*_UNPRIV switches set by [cpu] (0: every one traps) */
    struct dev_config slots[IOBUS_MAX_BUSES][IOBUS_SLOTS];
};

/*
 * Ownership: a configuration owns its slots' settings. It is made by
 * board_config_default() and released by board_config_free(); it is never
 * copied by value (board_config_copy makes a second, independent one).
 * A board borrows its configuration: it must outlive the board.
 */

/* The default board: 64 MiB, 32 TLB pairs, big-endian, 4 buses with
 * bus0: uart, timer, power; bus1: disk (when given an image), nic;
 * bus2: fb, kbd; bus3: empty. False only when out of memory. */
bool board_config_default(struct board_config *c);
void board_config_free(struct board_config *c);
/* dst (uninitialized) becomes an independent copy of src; false when out of memory. */
bool board_config_copy(struct board_config *dst, const struct board_config *src);
/* Put a device of class cls (NULL: nothing) with its default settings into
 * the slot, dropping what was there. False when out of memory. */
bool board_config_put(struct board_config *c, unsigned bus, unsigned slot,
                      const struct dev_class *cls);
/* Read an INI file over c. A file with any [busB.slotS] section describes the
 * whole I/O system: the default devices are dropped first. 0, or -1 with a
 * message naming the file and line in err. */
int board_config_load(struct board_config *c, const char *path, char *err, size_t errlen);
/* Apply one "section.key=value" override, e.g. "board.ram=128M" or
 * "bus1.slot0.image=disk.img". 0, or -1 with a message. */
int board_config_set(struct board_config *c, const char *assignment, char *err, size_t errlen);
/* Cross-field checks (a disk without an image, ...). 0, or -1 with a message. */
int board_config_check(const struct board_config *c, char *err, size_t errlen);

/* More sections in the same file (the monitor's [vmm] and [guestN]): apply()
 * returns 0 when it took the key, -1 with a message, 1 when the section is
 * not its own. It is also called for each section header with key and
 * value NULL (a section without keys still counts). `sections` names them
 * for the unknown-section message. */
struct config_ext {
    int (*apply)(void *opaque, const char *section, const char *key, const char *value, char *err,
                 size_t errlen);
    void *opaque;
    const char *sections; /* e.g. ", [vmm], [guestN]" */
};
int board_config_load_ext(struct board_config *c, const struct config_ext *ext, const char *path,
                          char *err, size_t errlen);
int board_config_set_ext(struct board_config *c, const struct config_ext *ext,
                         const char *assignment, char *err, size_t errlen);

/* "eret,mfc0,diei", "all" or "none" to CPU_EXT_*_UNPRIV bits; false on an unknown name. */
bool config_unsafe_parse(const char *list, uint32_t *mask);
/* The switches that are on, as "eret,mfc0" ("none" if none); buf of 32 bytes. */
const char *config_unsafe_name(uint32_t mask, char *buf, size_t len);

/* Find the first slot holding a device of this class; false if none. */
bool board_config_find(const struct board_config *c, const struct dev_class *cls, unsigned *bus,
                       unsigned *slot);

#endif
