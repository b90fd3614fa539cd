/*
 * guests/kernel/disk.c — the block disk driver: DMA transfers of whole
 * sectors between the disk and kernel memory, completion by polling STATUS
 * (the kernel is not preemptible, and a transfer takes microseconds).
 */
#include "kernel.h"

static uint32_t disk; /* register base, 0 if the board has no disk */
static uint32_t sectors;

int disk_init(void)
{
    const struct device *d = device_find("disk");
    if (!d)
        return -1;
    disk = d->base + SLOT_DEV_BASE;
    sectors = mmio_read(disk + DISK_SECTORS);
    return 0;
}

uint32_t disk_sectors(void) { return disk ? sectors : 0; }

static int disk_command(uint32_t cmd)
{
    mmio_write(disk + DISK_COMMAND, cmd);
    uint32_t st;
    while ((st = mmio_read(disk + DISK_STATUS)) & DISK_ST_BUSY)
        ;
    mmio_write(disk + DISK_STATUS, DISK_ST_DONE | DISK_ST_ERROR);
    if (st & DISK_ST_ERROR) {
        kprintf("disk: command %u at sector %u failed: error %u\n", cmd, mmio_read(disk + DISK_LBA),
                mmio_read(disk + DISK_ERROR));
        return -ERR_IO;
    }
    return 0;
}

int disk_rw(uint32_t lba, void *kbuf, uint32_t count, int write)
{
    if (!disk)
        return -ERR_NODEV;
    if (lba >= sectors || count > sectors - lba)
        return -ERR_INVAL;
    mmio_write(disk + DISK_LBA, lba);
    mmio_write(disk + DISK_COUNT, count);
    mmio_write(disk + DISK_DMA_ADDR, K0_TO_PHYS(kbuf));
    return disk_command(write ? DISK_CMD_WRITE_DMA : DISK_CMD_READ_DMA);
}

int disk_flush(void) { return disk ? disk_command(DISK_CMD_FLUSH) : -ERR_NODEV; }
