/*
 * dev/disk.h — block disk backed by a host image file. 512-byte sectors,
 * transfers by DMA through the bus (checked against the slot's DMA window,
 * never straight to RAM) or through a one-sector PIO buffer. A command takes
 * device time (DISK_LATENCY_*) and completes with DONE or ERROR, raising the
 * line when IRQ_EN is set. Writes reach the host file when the command
 * completes; FLUSH calls fsync(2) on it.
 *
 * Registers (offsets from SLOT_DEV_BASE):
 *   0x000 SECTORS  R: image size in sectors
 *   0x004 LBA      RW: first sector of the next command
 *   0x008 COUNT    RW: sectors for DMA commands (1..DISK_MAX_COUNT)
 *   0x00C DMA_ADDR RW: physical address for DMA commands
 *   0x010 COMMAND  W: 1 READ_DMA, 2 WRITE_DMA, 3 FLUSH, 4 READ_PIO, 5 WRITE_PIO
 *   0x014 STATUS   R: bit 0 BUSY, bit 1 DONE, bit 2 ERROR. W: 1s clear DONE/ERROR
 *   0x018 ERROR    R: reason of the last ERROR (DISK_ERR_*)
 *   0x01C CTRL     RW: bit 0 IRQ_EN
 *   0x200 BUFFER   RW: 512 bytes, the PIO sector buffer; a load/store of any size
 *                  sees the bytes as RAM holding them would (CPU byte order)
 */
#ifndef DEV_DISK_H
#define DEV_DISK_H

#include <stdbool.h>
#include <stddef.h>

#include "iobus/iobus.h"

#define DISK_DEVICE_ID 0x0003u
#define DISK_SECTOR    512u
#define DISK_MAX_COUNT 256u

#define DISK_REG_SECTORS  0x000u
#define DISK_REG_LBA      0x004u
#define DISK_REG_COUNT    0x008u
#define DISK_REG_DMA_ADDR 0x00Cu
#define DISK_REG_COMMAND  0x010u
#define DISK_REG_STATUS   0x014u
#define DISK_REG_ERROR    0x018u
#define DISK_REG_CTRL     0x01Cu
#define DISK_REG_BUFFER   0x200u

#define DISK_CMD_READ_DMA  1u
#define DISK_CMD_WRITE_DMA 2u
#define DISK_CMD_FLUSH     3u
#define DISK_CMD_READ_PIO  4u
#define DISK_CMD_WRITE_PIO 5u

#define DISK_ST_BUSY     0x1u
#define DISK_ST_DONE     0x2u
#define DISK_ST_ERROR    0x4u
#define DISK_CTRL_IRQ_EN 0x1u

enum disk_error {
    DISK_ERR_NONE = 0,
    DISK_ERR_RANGE = 1,    /* sectors outside the image, or COUNT 0 / too large */
    DISK_ERR_DMA = 2,      /* the bus refused the transfer (outside the DMA window) */
    DISK_ERR_IO = 3,       /* the host file failed */
    DISK_ERR_BADCMD = 4,   /* unknown command */
    DISK_ERR_READONLY = 5, /* write to a read-only image */
    DISK_ERR_BUSY = 6,     /* command written while BUSY (ignored) */
};

/* Device time of a command: fixed part plus per sector. */
#define DISK_LATENCY_CYCLES     2000u
#define DISK_LATENCY_PER_SECTOR 200u

typedef struct disk disk_t;

struct disk_config {
    const char *path; /* host image file; size a non-zero multiple of 512 */
    bool readonly;
    bool big_endian; /* the CPU's byte order, for the PIO buffer */
};

/* Its settings ([busB.slotS] image/readonly/create). */
#define DISK_PATH_MAX 1024
struct disk_settings {
    char image[DISK_PATH_MAX];
    bool readonly;
    uint32_t create; /* bytes: make a zeroed image of this size when there is none */
};

struct disk_stats {
    uint64_t reads, writes, flushes, bytes_read, bytes_written, errors;
};

/* Open the image and attach the disk to (bus, slot). On failure returns NULL
 * and writes a message naming the image into err. Owned by the bus. */
disk_t *disk_new(iobus_t *io, unsigned bus, unsigned slot, const struct disk_config *cfg, char *err,
                 size_t errlen);
void disk_get_stats(const disk_t *d, struct disk_stats *out);

#endif
