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

#include "iobus/iobus.h"

#define CONFIG_PATH_MAX 1024

enum dev_type {
    DEV_NONE = 0,
    DEV_UART,
    DEV_TIMER,
    DEV_DISK,
    DEV_NIC,
    DEV_FB,
    DEV_KBD,
    DEV_POWER,
    DEV_TYPE_COUNT
};

struct dev_config {
    enum dev_type type;
    unsigned line; /* config line that placed it (0: default board or override) */
    char input[CONFIG_PATH_MAX];  /* uart: "none", "stdin" or a file */
    char output[CONFIG_PATH_MAX]; /* uart: "stdout" or a file */
    char image[CONFIG_PATH_MAX];  /* disk: host image file */
    bool readonly;                /* disk */
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

/* The default board: 64 MiB, 32 TLB pairs, big-endian, 4 buses with
 * bus0: uart, timer, power; bus1: disk (when given an image), nic;
 * bus2: fb, kbd; bus3: empty. */
void board_config_default(struct board_config *c);
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
 * not its own. `sections` names them for the unknown-section message. */
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

const char *dev_type_name(enum dev_type t);
bool dev_type_parse(const char *name, enum dev_type *out);
/* Find the first slot holding a device of this type; false if none. */
bool board_config_find(const struct board_config *c, enum dev_type t, unsigned *bus,
                       unsigned *slot);

#endif
