/*
 * guests/tests/diskwriter.c — a bare kernel that writes the disk of bus 1
 * slot 0 forever: sequence number s goes to sector s % 64 (its first word,
 * big-endian as the CPU stores it), and only after the disk reports the
 * write DONE does it print "w SECTOR SEQ". tests/test_hostile_e2e.c kills
 * the run at random moments and checks that every write printed as done is
 * in the image (a later one may have overwritten it: never an older one).
 */
#include <stdint.h>

#include "hw.h"

#define UART_BASE (IOBUS_BASE + 0 * IOBUS_BUS_SPAN + 0 * IOBUS_SLOT_SPAN + SLOT_DEV_BASE)
#define DISK_BASE (IOBUS_BASE + 1 * IOBUS_BUS_SPAN + 0 * IOBUS_SLOT_SPAN + SLOT_DEV_BASE)
#define SECTORS   64u

static void put(char c) { mmio_write(UART_BASE + UART_DATA, (uint8_t)c); }

static void put_dec(uint32_t v)
{
    char buf[12];
    int n = 0;
    do {
        buf[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (n)
        put(buf[--n]);
}

int main(void);
int main(void)
{
    for (uint32_t seq = 1;; seq++) {
        uint32_t lba = seq % SECTORS;
        mmio_write(DISK_BASE + DISK_BUFFER, seq);
        mmio_write(DISK_BASE + DISK_LBA, lba);
        mmio_write(DISK_BASE + DISK_COMMAND, DISK_CMD_WRITE_PIO);
        uint32_t st;
        while (!((st = mmio_read(DISK_BASE + DISK_STATUS)) & (DISK_ST_DONE | DISK_ST_ERROR)))
            ;
        mmio_write(DISK_BASE + DISK_STATUS, st); /* clear */
        if (st & DISK_ST_ERROR)
            return 2;
        put('w');
        put(' ');
        put_dec(lba);
        put(' ');
        put_dec(seq);
        put('\n');
    }
}
