/*
 * tests/test_devices.c — each device through its registers, as a driver
 * would see it: a bus on a fresh physical space per test, device time driven
 * by the test's own clock.
 */
#include "cunit_main.h"
#include "runcli.h"
#include "dev/disk.h"
#include "dev/fb.h"
#include "dev/kbd.h"
#include "dev/nic.h"
#include "dev/power.h"
#include "dev/timer.h"
#include "dev/uart.h"
#include "dev/vswitch.h"
#include "iobus/iobus.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- harness --------------------------------------------------------------- */

struct rig {
    phys_t *phys;
    iobus_t *io;
    uint64_t now;       /* device time */
    uint64_t scheduled; /* earliest io_link_schedule() since the last check */
    bool line[7];
};

static uint64_t rig_now(void *o) { return ((struct rig *)o)->now; }
static void rig_schedule(void *o, uint64_t when)
{
    struct rig *r = o;
    if (when < r->scheduled)
        r->scheduled = when;
}
static void rig_line(void *o, unsigned line, bool level) { ((struct rig *)o)->line[line] = level; }

static void rig_init(struct rig *r, bool big_endian)
{
    memset(r, 0, sizeof *r);
    r->scheduled = IODEV_NO_EVENT;
    r->phys = phys_new(1u << 20, big_endian);
    r->io = iobus_new(r->phys, 4, rig_line, r);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r->io);
    iobus_set_clock(r->io, &(struct iobus_clock){rig_now, rig_schedule, r});
}

static void rig_free(struct rig *r)
{
    iobus_free(r->io);
    phys_free(r->phys);
}

static uint32_t reg(struct rig *r, unsigned bus, unsigned slot, uint32_t off)
{
    uint32_t v = 0xDEADBEEF;
    CU_ASSERT_EQUAL(phys_read(r->phys, iobus_slot_base(bus, slot) + SLOT_DEV_BASE + off, 4, &v),
                    PHYS_OK);
    return v;
}

static void wreg(struct rig *r, unsigned bus, unsigned slot, uint32_t off, uint32_t v)
{
    CU_ASSERT_EQUAL(phys_write(r->phys, iobus_slot_base(bus, slot) + SLOT_DEV_BASE + off, 4, v),
                    PHYS_OK);
}

/* Advance device time to t, ticking the bus; returns its next event. */
static uint64_t advance(struct rig *r, uint64_t t)
{
    r->now = t;
    return iobus_tick(r->io, t);
}

static uint32_t header(struct rig *r, unsigned bus, unsigned slot, uint32_t off)
{
    uint32_t v = 0;
    CU_ASSERT_EQUAL(phys_read(r->phys, iobus_slot_base(bus, slot) + off, 4, &v), PHYS_OK);
    return v;
}

/* ---- UART ------------------------------------------------------------------- */

struct capture {
    char buf[256];
    size_t n;
};
static void capture_out(void *o, const char *b, size_t len)
{
    struct capture *c = o;
    memcpy(c->buf + c->n, b, len);
    c->n += len;
}

static void test_uart(void)
{
    struct rig r;
    rig_init(&r, true);
    struct capture cap = {0};
    uart_t *u = uart_new(r.io, 0, 3, &(struct uart_config){capture_out, &cap, UART_INPUT_PUSH});
    CU_ASSERT_PTR_NOT_NULL_FATAL(u);
    CU_ASSERT_EQUAL(header(&r, 0, 3, SLOT_REG_ID), IODEV_VENDOR_TV << 16 | UART_DEVICE_ID);
    CU_ASSERT_PTR_NULL(uart_new(r.io, 0, 3, &(struct uart_config){0, 0, UART_INPUT_NONE}));
    wreg(&r, 0, 3, UART_REG_DATA, 'h');
    wreg(&r, 0, 3, UART_REG_DATA, 0x100 | 'i'); /* only bits 7:0 are sent */
    CU_ASSERT_EQUAL(cap.n, 2);
    CU_ASSERT_NSTRING_EQUAL(cap.buf, "hi", 2);
    CU_ASSERT_EQUAL(reg(&r, 0, 3, UART_REG_STATUS), UART_ST_TX_READY);

    /* Receive: FIFO, status, interrupt only while enabled and data waits. */
    CU_ASSERT_EQUAL(uart_push_input(u, "ab", 2), 2);
    CU_ASSERT_FALSE(r.line[2]);
    CU_ASSERT_EQUAL(reg(&r, 0, 3, UART_REG_RX_COUNT), 2);
    wreg(&r, 0, 3, UART_REG_CTRL, UART_CTRL_RX_IRQ);
    CU_ASSERT_TRUE(r.line[2] == false); /* the controller has not enabled slot 3 yet */
    CU_ASSERT_EQUAL(phys_write(r.phys, IOBUS_INTC_BASE + INTC_REG_ENABLE(0), 4, 1u << 3), PHYS_OK);
    CU_ASSERT_TRUE(r.line[2]);
    CU_ASSERT_EQUAL(reg(&r, 0, 3, UART_REG_STATUS), UART_ST_TX_READY | UART_ST_RX_AVAIL);
    CU_ASSERT_EQUAL(reg(&r, 0, 3, UART_REG_DATA), 'a');
    CU_ASSERT_EQUAL(reg(&r, 0, 3, UART_REG_DATA), 'b');
    CU_ASSERT_FALSE(r.line[2]);
    CU_ASSERT_EQUAL(reg(&r, 0, 3, UART_REG_DATA), 0);
    /* The FIFO holds UART_RX_FIFO bytes; more are refused. */
    char many[UART_RX_FIFO + 10];
    memset(many, 'x', sizeof many);
    CU_ASSERT_EQUAL(uart_push_input(u, many, sizeof many), UART_RX_FIFO);
    uart_close_input(u);
    CU_ASSERT_FALSE(reg(&r, 0, 3, UART_REG_STATUS) & UART_ST_RX_EOF); /* not while data waits */
    /* A register that does not exist, and a byte access, are bus errors. */
    uint32_t v;
    CU_ASSERT_EQUAL(phys_read(r.phys, iobus_slot_base(0, 3) + SLOT_DEV_BASE + 0x10, 4, &v),
                    PHYS_BUS_ERROR);
    CU_ASSERT_EQUAL(phys_read(r.phys, iobus_slot_base(0, 3) + SLOT_DEV_BASE, 1, &v),
                    PHYS_BUS_ERROR);
    rig_free(&r);
}

static void test_uart_file_input(void)
{
    struct rig r;
    rig_init(&r, true);
    char path[] = "/tmp/tv_uart_XXXXXX";
    int fd = mkstemp(path);
    CU_ASSERT_FATAL(fd >= 0);
    CU_ASSERT_EQUAL(write(fd, "xyz", 3), 3);
    lseek(fd, 0, SEEK_SET);
    uart_t *u = uart_new(r.io, 1, 0, &(struct uart_config){0, 0, fd});
    CU_ASSERT_PTR_NOT_NULL_FATAL(u);
    CU_ASSERT_EQUAL(reg(&r, 1, 0, UART_REG_RX_COUNT), 0); /* polled on ticks */
    uint64_t next = advance(&r, 10);
    CU_ASSERT(next > 10 && next != IODEV_NO_EVENT);
    CU_ASSERT_EQUAL(reg(&r, 1, 0, UART_REG_RX_COUNT), 3);
    CU_ASSERT_EQUAL(reg(&r, 1, 0, UART_REG_DATA), 'x');
    reg(&r, 1, 0, UART_REG_DATA);
    reg(&r, 1, 0, UART_REG_DATA);
    /* A reader waits with the interrupt armed; the end of input raises it. */
    wreg(&r, 1, 0, UART_REG_CTRL, UART_CTRL_RX_IRQ);
    CU_ASSERT_EQUAL(phys_write(r.phys, IOBUS_INTC_BASE + INTC_REG_ENABLE(1), 4, 1), PHYS_OK);
    CU_ASSERT_FALSE(r.line[3]);
    CU_ASSERT_EQUAL(advance(&r, next), IODEV_NO_EVENT); /* end of file seen: no more polls */
    CU_ASSERT_TRUE(r.line[3]);
    CU_ASSERT_EQUAL(reg(&r, 1, 0, UART_REG_STATUS), UART_ST_TX_READY | UART_ST_RX_EOF);
    wreg(&r, 1, 0, UART_REG_CTRL, 0);
    CU_ASSERT_FALSE(r.line[3]);
    /* No input at all: end of input from the start. */
    uart_new(r.io, 1, 1, &(struct uart_config){0, 0, UART_INPUT_NONE});
    CU_ASSERT_EQUAL(reg(&r, 1, 1, UART_REG_STATUS), UART_ST_TX_READY | UART_ST_RX_EOF);
    close(fd);
    unlink(path);
    rig_free(&r);
}

/* ---- timer ------------------------------------------------------------------ */

static void test_timer(void)
{
    struct rig r;
    rig_init(&r, true);
    CU_ASSERT_PTR_NOT_NULL_FATAL(iotimer_new(r.io, 0, 1, TIMER_DEFAULT_EPOCH));
    r.now = 250; /* 2.5 us */
    CU_ASSERT_EQUAL(reg(&r, 0, 1, TIMER_REG_TIME_LO), 2);
    CU_ASSERT_EQUAL(reg(&r, 0, 1, TIMER_REG_TIME_HI), 0);
    r.now = (uint64_t)IOBUS_CLOCK_HZ * 3;
    CU_ASSERT_EQUAL(reg(&r, 0, 1, TIMER_REG_RTC), TIMER_DEFAULT_EPOCH + 3);
    /* 64-bit microseconds: HI latched by the LO read. */
    r.now = (5ull << 32) * 100 + 700;
    CU_ASSERT_EQUAL(reg(&r, 0, 1, TIMER_REG_TIME_LO), 7);
    CU_ASSERT_EQUAL(reg(&r, 0, 1, TIMER_REG_TIME_HI), 5);

    /* Periodic: 10 us = 1000 cycles; the owner is told when to tick. */
    r.now = 0;
    r.scheduled = IODEV_NO_EVENT;
    wreg(&r, 0, 1, TIMER_REG_PERIOD, 10);
    wreg(&r, 0, 1, TIMER_REG_CTRL, TIMER_CTRL_ENABLE | TIMER_CTRL_IRQ_EN);
    CU_ASSERT_EQUAL(r.scheduled, 1000);
    CU_ASSERT_EQUAL(phys_write(r.phys, IOBUS_INTC_BASE + INTC_REG_ENABLE(0), 4, 1u << 1), PHYS_OK);
    CU_ASSERT_EQUAL(advance(&r, 999), 1000);
    CU_ASSERT_FALSE(r.line[2]);
    CU_ASSERT_EQUAL(advance(&r, 1000), 2000);
    CU_ASSERT_TRUE(r.line[2]);
    CU_ASSERT_EQUAL(reg(&r, 0, 1, TIMER_REG_STATUS), TIMER_ST_EXPIRED);
    wreg(&r, 0, 1, TIMER_REG_STATUS, TIMER_ST_EXPIRED);
    CU_ASSERT_FALSE(r.line[2]);
    /* A late tick keeps the phase and counts one expiry. */
    CU_ASSERT_EQUAL(advance(&r, 4500), 5000);
    CU_ASSERT_EQUAL(reg(&r, 0, 1, TIMER_REG_EXPIRIES), 2);
    /* One-shot: expires once, then the timer is off. */
    wreg(&r, 0, 1, TIMER_REG_STATUS, TIMER_ST_EXPIRED);
    wreg(&r, 0, 1, TIMER_REG_CTRL, TIMER_CTRL_ENABLE | TIMER_CTRL_ONESHOT);
    CU_ASSERT_EQUAL(advance(&r, 5500), IODEV_NO_EVENT);
    CU_ASSERT_EQUAL(reg(&r, 0, 1, TIMER_REG_STATUS), TIMER_ST_EXPIRED);
    CU_ASSERT_FALSE(r.line[2]); /* IRQ_EN was not set */
    CU_ASSERT_EQUAL(reg(&r, 0, 1, TIMER_REG_CTRL) & TIMER_CTRL_ENABLE, 0);
    rig_free(&r);
}

/* ---- disk ------------------------------------------------------------------- */

static uint32_t disk_wait(struct rig *r, unsigned bus, unsigned slot)
{
    /* Busy for the command's latency, then done at its deadline. */
    CU_ASSERT(reg(r, bus, slot, DISK_REG_STATUS) & DISK_ST_BUSY);
    CU_ASSERT_NOT_EQUAL(r->scheduled, IODEV_NO_EVENT);
    advance(r, r->scheduled);
    r->scheduled = IODEV_NO_EVENT;
    return reg(r, bus, slot, DISK_REG_STATUS);
}

static void test_disk_bad_images(void)
{
    struct rig r;
    rig_init(&r, true);
    char err[256], path[64];
    CU_ASSERT_PTR_NULL(disk_new(
        r.io, 0, 0, &(struct disk_config){"/nonexistent/x.img", false, true}, err, sizeof err));
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "/nonexistent/x.img"));
    make_temp_file(path, 0);
    CU_ASSERT_PTR_NULL(
        disk_new(r.io, 0, 0, &(struct disk_config){path, false, true}, err, sizeof err));
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "multiple of 512"));
    unlink(path);
    make_temp_file(path, 1000);
    CU_ASSERT_PTR_NULL(
        disk_new(r.io, 0, 0, &(struct disk_config){path, false, true}, err, sizeof err));
    unlink(path);
    CU_ASSERT_PTR_NULL(
        disk_new(r.io, 0, 0, &(struct disk_config){"/tmp", false, true}, err, sizeof err));
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "disk image /tmp: ")); /* EISDIR or not regular */
    CU_ASSERT_EQUAL(header(&r, 0, 0, SLOT_REG_ID), 0);        /* nothing was attached */
    rig_free(&r);
}

static void test_disk_io(void)
{
    struct rig r;
    rig_init(&r, true);
    char err[256], path[64];
    make_temp_file(path, 64 * 512);
    disk_t *d = disk_new(r.io, 1, 2, &(struct disk_config){path, false, true}, err, sizeof err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(d);
    CU_ASSERT_EQUAL(reg(&r, 1, 2, DISK_REG_SECTORS), 64);
    iobus_set_dma_window(r.io, 1, 2, 0x10000, 0x10000);

    /* DMA write of 2 sectors from RAM, then PIO read back of the second. */
    uint8_t pattern[1024];
    for (int i = 0; i < 1024; i++)
        pattern[i] = (uint8_t)(i * 7 + 1);
    CU_ASSERT_EQUAL(phys_load(r.phys, 0x12000, pattern, sizeof pattern), 0);
    wreg(&r, 1, 2, DISK_REG_LBA, 5);
    wreg(&r, 1, 2, DISK_REG_COUNT, 2);
    wreg(&r, 1, 2, DISK_REG_DMA_ADDR, 0x12000);
    wreg(&r, 1, 2, DISK_REG_CTRL, DISK_CTRL_IRQ_EN);
    CU_ASSERT_EQUAL(phys_write(r.phys, IOBUS_INTC_BASE + INTC_REG_ENABLE(1), 4, 1u << 2), PHYS_OK);
    r.scheduled = IODEV_NO_EVENT;
    wreg(&r, 1, 2, DISK_REG_COMMAND, DISK_CMD_WRITE_DMA);
    CU_ASSERT_EQUAL(r.scheduled, DISK_LATENCY_CYCLES + 2 * DISK_LATENCY_PER_SECTOR);
    /* A command while busy is refused and the running one goes on. */
    wreg(&r, 1, 2, DISK_REG_COMMAND, DISK_CMD_READ_PIO);
    CU_ASSERT_EQUAL(reg(&r, 1, 2, DISK_REG_ERROR), DISK_ERR_BUSY);
    CU_ASSERT_FALSE(r.line[3]);
    CU_ASSERT_EQUAL(disk_wait(&r, 1, 2), DISK_ST_DONE);
    CU_ASSERT_TRUE(r.line[3]);
    wreg(&r, 1, 2, DISK_REG_STATUS, DISK_ST_DONE);
    CU_ASSERT_FALSE(r.line[3]);
    /* The bytes are in the host file now, before any flush. */
    uint8_t file[1024];
    int fd = open(path, O_RDONLY);
    CU_ASSERT_EQUAL(pread(fd, file, 1024, 5 * 512), 1024);
    close(fd);
    CU_ASSERT_EQUAL(memcmp(file, pattern, 1024), 0);

    wreg(&r, 1, 2, DISK_REG_LBA, 6);
    wreg(&r, 1, 2, DISK_REG_COMMAND, DISK_CMD_READ_PIO);
    CU_ASSERT_EQUAL(disk_wait(&r, 1, 2), DISK_ST_DONE);
    uint32_t w = reg(&r, 1, 2, DISK_REG_BUFFER);
    CU_ASSERT_EQUAL(w, (uint32_t)pattern[512] << 24 | (uint32_t)pattern[513] << 16 |
                           (uint32_t)pattern[514] << 8 | pattern[515]);

    /* PIO write, DMA read into RAM. */
    wreg(&r, 1, 2, DISK_REG_BUFFER, 0xCAFEF00D);
    wreg(&r, 1, 2, DISK_REG_LBA, 63);
    wreg(&r, 1, 2, DISK_REG_COMMAND, DISK_CMD_WRITE_PIO);
    CU_ASSERT_EQUAL(disk_wait(&r, 1, 2) & (DISK_ST_DONE | DISK_ST_ERROR), DISK_ST_DONE);
    wreg(&r, 1, 2, DISK_REG_COUNT, 1);
    wreg(&r, 1, 2, DISK_REG_DMA_ADDR, 0x18000);
    wreg(&r, 1, 2, DISK_REG_COMMAND, DISK_CMD_READ_DMA);
    CU_ASSERT_EQUAL(disk_wait(&r, 1, 2) & (DISK_ST_DONE | DISK_ST_ERROR), DISK_ST_DONE);
    uint32_t v;
    CU_ASSERT_EQUAL(phys_read(r.phys, 0x18000, 4, &v), PHYS_OK);
    CU_ASSERT_EQUAL(v, 0xCAFEF00D);

    /* DMA outside the window: an error, and RAM outside is untouched. */
    CU_ASSERT_EQUAL(phys_write(r.phys, 0x8000, 4, 0x11111111), PHYS_OK);
    wreg(&r, 1, 2, DISK_REG_DMA_ADDR, 0x8000);
    wreg(&r, 1, 2, DISK_REG_COMMAND, DISK_CMD_READ_DMA);
    CU_ASSERT_EQUAL(disk_wait(&r, 1, 2) & (DISK_ST_DONE | DISK_ST_ERROR), DISK_ST_ERROR);
    CU_ASSERT_EQUAL(reg(&r, 1, 2, DISK_REG_ERROR), DISK_ERR_DMA);
    CU_ASSERT_EQUAL(phys_read(r.phys, 0x8000, 4, &v), PHYS_OK);
    CU_ASSERT_EQUAL(v, 0x11111111);
    /* Straddling the window's end is refused whole. */
    wreg(&r, 1, 2, DISK_REG_DMA_ADDR, 0x1FF00);
    wreg(&r, 1, 2, DISK_REG_COMMAND, DISK_CMD_READ_DMA);
    CU_ASSERT_EQUAL(disk_wait(&r, 1, 2) & DISK_ST_ERROR, DISK_ST_ERROR);

    /* Range errors are immediate; so is an unknown command. */
    wreg(&r, 1, 2, DISK_REG_LBA, 63);
    wreg(&r, 1, 2, DISK_REG_COUNT, 2);
    wreg(&r, 1, 2, DISK_REG_COMMAND, DISK_CMD_READ_DMA);
    CU_ASSERT_EQUAL(reg(&r, 1, 2, DISK_REG_STATUS) & DISK_ST_ERROR, DISK_ST_ERROR);
    CU_ASSERT_EQUAL(reg(&r, 1, 2, DISK_REG_ERROR), DISK_ERR_RANGE);
    wreg(&r, 1, 2, DISK_REG_COUNT, 0);
    wreg(&r, 1, 2, DISK_REG_LBA, 0);
    wreg(&r, 1, 2, DISK_REG_COMMAND, DISK_CMD_READ_DMA);
    CU_ASSERT_EQUAL(reg(&r, 1, 2, DISK_REG_ERROR), DISK_ERR_RANGE);
    wreg(&r, 1, 2, DISK_REG_COMMAND, 99);
    CU_ASSERT_EQUAL(reg(&r, 1, 2, DISK_REG_ERROR), DISK_ERR_BADCMD);
    /* Flush. */
    wreg(&r, 1, 2, DISK_REG_COMMAND, DISK_CMD_FLUSH);
    CU_ASSERT_EQUAL(disk_wait(&r, 1, 2) & (DISK_ST_DONE | DISK_ST_ERROR), DISK_ST_DONE);
    struct disk_stats st;
    disk_get_stats(d, &st);
    CU_ASSERT_EQUAL(st.flushes, 1);
    CU_ASSERT_EQUAL(st.bytes_written, 1024 + 512);
    rig_free(&r);
    unlink(path);
}

static void test_disk_readonly_and_reset(void)
{
    struct rig r;
    rig_init(&r, false);
    char err[256], path[64];
    make_temp_file(path, 8 * 512);
    CU_ASSERT_PTR_NOT_NULL_FATAL(
        disk_new(r.io, 0, 0, &(struct disk_config){path, true, false}, err, sizeof err));
    wreg(&r, 0, 0, DISK_REG_COMMAND, DISK_CMD_WRITE_PIO);
    CU_ASSERT_EQUAL(reg(&r, 0, 0, DISK_REG_ERROR), DISK_ERR_READONLY);
    rig_free(&r);
    /* A write in flight when the machine goes away still reaches the file. */
    rig_init(&r, false);
    CU_ASSERT_PTR_NOT_NULL_FATAL(
        disk_new(r.io, 0, 0, &(struct disk_config){path, false, false}, err, sizeof err));
    wreg(&r, 0, 0, DISK_REG_BUFFER, 0x04030201); /* little-endian view: bytes 01 02 03 04 */
    wreg(&r, 0, 0, DISK_REG_LBA, 7);
    wreg(&r, 0, 0, DISK_REG_COMMAND, DISK_CMD_WRITE_PIO);
    rig_free(&r);
    uint8_t b[4];
    int fd = open(path, O_RDONLY);
    CU_ASSERT_EQUAL(pread(fd, b, 4, 7 * 512), 4);
    close(fd);
    CU_ASSERT(b[0] == 1 && b[1] == 2 && b[2] == 3 && b[3] == 4);
    unlink(path);
}

static void test_disk_image_locked(void)
{
    /* One writer per image: a second machine on it is refused, readers share. */
    struct rig a, b;
    rig_init(&a, false);
    rig_init(&b, false);
    char err[256], path[64];
    make_temp_file(path, 8 * 512);
    CU_ASSERT_PTR_NOT_NULL_FATAL(
        disk_new(a.io, 0, 0, &(struct disk_config){path, false, false}, err, sizeof err));
    CU_ASSERT_PTR_NULL(
        disk_new(b.io, 0, 0, &(struct disk_config){path, false, false}, err, sizeof err));
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "in use by another machine"));
    CU_ASSERT_PTR_NULL(
        disk_new(b.io, 0, 0, &(struct disk_config){path, true, false}, err, sizeof err));
    rig_free(&a); /* the lock goes with the machine */
    CU_ASSERT_PTR_NOT_NULL(
        disk_new(b.io, 0, 0, &(struct disk_config){path, true, false}, err, sizeof err));
    CU_ASSERT_PTR_NOT_NULL(
        disk_new(b.io, 0, 1, &(struct disk_config){path, true, false}, err, sizeof err));
    rig_free(&b);
    unlink(path);
}

/* ---- NIC and switch ----------------------------------------------------------- */

static void test_nic(void)
{
    struct rig r;
    rig_init(&r, true);
    vswitch_t *sw = vswitch_new();
    CU_ASSERT_PTR_NOT_NULL_FATAL(nic_new(r.io, 0, 4, sw));
    CU_ASSERT_PTR_NOT_NULL_FATAL(nic_new(r.io, 1, 5, sw));
    CU_ASSERT_PTR_NOT_NULL_FATAL(nic_new(r.io, 2, 6, sw));
    for (unsigned b = 0; b < 3; b++)
        iobus_set_dma_window(r.io, b, 4 + b, 0x20000 * (b + 1), 0x10000);
    CU_ASSERT_EQUAL(reg(&r, 1, 5, NIC_REG_MAC_HI), 0x0254);
    CU_ASSERT_EQUAL(reg(&r, 1, 5, NIC_REG_MAC_LO), 0x56000105);
    wreg(&r, 1, 5, NIC_REG_CTRL, NIC_CTRL_RX_ENABLE | NIC_CTRL_RX_IRQ_EN);
    wreg(&r, 2, 6, NIC_REG_CTRL, NIC_CTRL_RX_ENABLE);
    CU_ASSERT_EQUAL(phys_write(r.phys, IOBUS_INTC_BASE + INTC_REG_ENABLE(1), 4, 1u << 5), PHYS_OK);

    /* Broadcast from NIC 0: floods to both others. */
    uint8_t frame[60] = {0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x02,
                         0x54, 0x56, 0x00, 0,    4,    0x08, 0x00};
    strcpy((char *)frame + 14, "hello over the switch");
    CU_ASSERT_EQUAL(phys_load(r.phys, 0x20000, frame, sizeof frame), 0);
    wreg(&r, 0, 4, NIC_REG_TX_ADDR, 0x20000);
    wreg(&r, 0, 4, NIC_REG_TX_LEN, sizeof frame);
    CU_ASSERT_EQUAL(reg(&r, 0, 4, NIC_REG_STATUS) & NIC_ST_TX_DONE, NIC_ST_TX_DONE);
    CU_ASSERT_TRUE(r.line[3]);
    CU_ASSERT_EQUAL(reg(&r, 1, 5, NIC_REG_RX_LEN), sizeof frame);
    CU_ASSERT_EQUAL(reg(&r, 2, 6, NIC_REG_RX_LEN), sizeof frame);
    wreg(&r, 1, 5, NIC_REG_RX_ADDR, 0x40000);
    wreg(&r, 1, 5, NIC_REG_RX_CMD, 1);
    uint8_t got[60];
    CU_ASSERT_EQUAL(phys_dump(r.phys, 0x40000, got, sizeof got), 0);
    CU_ASSERT_EQUAL(memcmp(got, frame, sizeof frame), 0);
    CU_ASSERT_EQUAL(reg(&r, 1, 5, NIC_REG_RX_LEN), 0);
    CU_ASSERT_FALSE(r.line[3]);

    /* Unicast back to NIC 0's learned MAC: only NIC 0 would get it, and its RX is off. */
    uint8_t reply[20] = {0x02, 0x54, 0x56, 0x00, 0, 4, 0x02, 0x54, 0x56, 0x00, 1, 5, 0x08, 0x00};
    CU_ASSERT_EQUAL(phys_load(r.phys, 0x44000, reply, sizeof reply), 0);
    wreg(&r, 1, 5, NIC_REG_TX_ADDR, 0x44000);
    wreg(&r, 1, 5, NIC_REG_TX_LEN, sizeof reply);
    CU_ASSERT_EQUAL(reg(&r, 0, 4, NIC_REG_RX_DROPPED), 1);
    CU_ASSERT_EQUAL(reg(&r, 2, 6, NIC_REG_RX_LEN), sizeof frame); /* still only the broadcast */

    /* Transmit from outside the DMA window, or a bad length: TX_ERROR, nothing sent. */
    wreg(&r, 1, 5, NIC_REG_TX_ADDR, 0x100);
    wreg(&r, 1, 5, NIC_REG_TX_LEN, 60);
    CU_ASSERT_EQUAL(reg(&r, 1, 5, NIC_REG_STATUS) & NIC_ST_TX_ERROR, NIC_ST_TX_ERROR);
    wreg(&r, 1, 5, NIC_REG_TX_ADDR, 0x44000);
    wreg(&r, 1, 5, NIC_REG_TX_LEN, 5000);
    CU_ASSERT_EQUAL(reg(&r, 1, 5, NIC_REG_STATUS) & NIC_ST_TX_ERROR, NIC_ST_TX_ERROR);
    /* Receiving into memory outside the window keeps the frame queued. */
    wreg(&r, 2, 6, NIC_REG_RX_ADDR, 0x100);
    wreg(&r, 2, 6, NIC_REG_RX_CMD, 1);
    CU_ASSERT_EQUAL(reg(&r, 2, 6, NIC_REG_STATUS) & (NIC_ST_RX_ERROR | NIC_ST_RX_AVAIL),
                    NIC_ST_RX_ERROR | NIC_ST_RX_AVAIL);
    struct vswitch_stats st;
    vswitch_get_stats(sw, &st);
    CU_ASSERT_EQUAL(st.frames, 2);
    CU_ASSERT_EQUAL(st.flooded, 1);
    rig_free(&r);
    vswitch_free(sw);
}

/* ---- framebuffer, keyboard, power --------------------------------------------- */

static void test_fb_kbd(void)
{
    struct rig r;
    rig_init(&r, true);
    /* the frame needs 1.2 MiB: a bigger RAM for this one */
    iobus_free(r.io);
    phys_free(r.phys);
    r.phys = phys_new(4u << 20, true);
    r.io = iobus_new(r.phys, 4, rig_line, &r);
    iobus_set_clock(r.io, &(struct iobus_clock){rig_now, rig_schedule, &r});
    fb_t *fb = fb_new(r.io, 2, 0, true);
    kbd_t *k = kbd_new(r.io, 2, 1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(fb);
    CU_ASSERT_PTR_NOT_NULL_FATAL(k);
    CU_ASSERT_EQUAL(reg(&r, 2, 0, FB_REG_WIDTH), FB_WIDTH);
    CU_ASSERT_EQUAL(reg(&r, 2, 0, FB_REG_STRIDE), FB_WIDTH * 4);
    static uint32_t pixels[FB_WIDTH * FB_HEIGHT];
    CU_ASSERT_FALSE(fb_scanout(fb, pixels)); /* disabled */
    CU_ASSERT_EQUAL(phys_write(r.phys, 0x100000 + 4 * (FB_WIDTH * 2 + 3), 4, 0xFF123456),
                    PHYS_OK); /* pixel (3, 2) */
    wreg(&r, 2, 0, FB_REG_ADDR, 0x100000);
    wreg(&r, 2, 0, FB_REG_CTRL, FB_CTRL_ENABLE | FB_CTRL_VBLANK_IRQ_EN);
    CU_ASSERT_FALSE(fb_scanout(fb, pixels)); /* no DMA window granted yet */
    iobus_set_dma_window(r.io, 2, 0, 0x100000, 0x200000);
    CU_ASSERT_TRUE(fb_scanout(fb, pixels));
    CU_ASSERT_EQUAL(pixels[FB_WIDTH * 2 + 3], 0x123456);
    CU_ASSERT_EQUAL(pixels[0], 0);
    CU_ASSERT_EQUAL(r.scheduled, IOBUS_CLOCK_HZ / FB_HZ);
    advance(&r, IOBUS_CLOCK_HZ / FB_HZ);
    CU_ASSERT_EQUAL(reg(&r, 2, 0, FB_REG_FRAMES), 1);
    CU_ASSERT_EQUAL(phys_write(r.phys, IOBUS_INTC_BASE + INTC_REG_ENABLE(2), 4, 3), PHYS_OK);
    CU_ASSERT_TRUE(r.line[4]);
    wreg(&r, 2, 0, FB_REG_STATUS, FB_ST_VBLANK);
    CU_ASSERT_FALSE(r.line[4]);

    wreg(&r, 2, 1, KBD_REG_CTRL, KBD_CTRL_IRQ_EN);
    CU_ASSERT_TRUE(kbd_push(k, 'a', false));
    CU_ASSERT_TRUE(kbd_push(k, 'a', true));
    CU_ASSERT_TRUE(r.line[4]);
    CU_ASSERT_EQUAL(reg(&r, 2, 1, KBD_REG_COUNT), 2);
    CU_ASSERT_EQUAL(reg(&r, 2, 1, KBD_REG_DATA), 'a');
    CU_ASSERT_EQUAL(reg(&r, 2, 1, KBD_REG_DATA), 'a' | KBD_RELEASE);
    CU_ASSERT_FALSE(r.line[4]);
    for (int i = 0; i < KBD_QUEUE; i++)
        kbd_push(k, 'x', false);
    CU_ASSERT_FALSE(kbd_push(k, 'y', false));
    rig_free(&r);
}

struct power_log {
    int offs, resets;
    unsigned code;
};
static void on_power(void *o, enum power_action a, unsigned code)
{
    struct power_log *l = o;
    if (a == POWER_OFF)
        l->offs++, l->code = code;
    else
        l->resets++;
}

static void test_power(void)
{
    struct rig r;
    rig_init(&r, true);
    struct power_log log = {0};
    power_t *p = power_new(r.io, 0, 2, on_power, &log);
    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    CU_ASSERT_EQUAL(reg(&r, 0, 2, POWER_REG_CAUSE), 0);
    wreg(&r, 0, 2, POWER_REG_RESET, 1234); /* not the magic: ignored */
    CU_ASSERT_EQUAL(log.resets, 0);
    wreg(&r, 0, 2, POWER_REG_RESET, POWER_RESET_MAGIC);
    CU_ASSERT_EQUAL(log.resets, 1);
    power_note_reset(p);
    CU_ASSERT_EQUAL(reg(&r, 0, 2, POWER_REG_CAUSE), 1);
    wreg(&r, 0, 2, POWER_REG_POWEROFF, 0x1234);
    CU_ASSERT_EQUAL(log.offs, 1);
    CU_ASSERT_EQUAL(log.code, 0x34);
    rig_free(&r);
}

/* A hostile driver: random accesses of every size to every offset of every
 * device's slot, with time moving on. Nothing may crash (this suite also runs
 * under ASan/UBSan), and DMA may never leave its window. */
static void test_hostile_registers(void)
{
    struct rig r;
    rig_init(&r, true);
    char err[256], path[64];
    make_temp_file(path, 16 * 512);
    vswitch_t *sw = vswitch_new();
    struct capture cap = {0};
    uart_new(r.io, 0, 0, &(struct uart_config){NULL, &cap, UART_INPUT_PUSH});
    iotimer_new(r.io, 0, 1, 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(
        disk_new(r.io, 0, 2, &(struct disk_config){path, false, true}, err, sizeof err));
    nic_new(r.io, 0, 3, sw);
    nic_new(r.io, 0, 4, sw);
    fb_new(r.io, 0, 5, true);
    kbd_new(r.io, 0, 6);
    struct power_log log = {0};
    power_new(r.io, 0, 7, on_power, &log);
    for (unsigned s = 0; s < 8; s++)
        iobus_set_dma_window(r.io, 0, s, 0x80000, 0x40000);
    /* A canary outside every window. */
    static uint8_t canary[0x80000];
    for (size_t i = 0; i < sizeof canary; i++)
        canary[i] = (uint8_t)(i * 13);
    CU_ASSERT_EQUAL(phys_load(r.phys, 0, canary, sizeof canary), 0);
    uint32_t seed = 12345;
    unsigned bus_errors = 0;
    for (int i = 0; i < 200000; i++) {
        seed = seed * 1103515245u + 12345u;
        unsigned slot = (seed >> 8) % 9; /* slot 8 is empty */
        seed = seed * 1103515245u + 12345u;
        uint32_t off = (seed >> 4) % 0x500;
        unsigned size = 1u << ((seed >> 20) % 3);
        off &= ~(size - 1);
        seed = seed * 1103515245u + 12345u;
        uint32_t v = seed;
        if (seed & 0x100)
            v &= 0xFF; /* small values hit commands and lengths */
        if ((seed & 0x3000) == 0x1000)
            v = 0x80000 + (seed & 0x3FFFF); /* addresses near the windows */
        uint32_t addr = iobus_slot_base(0, slot) + off;
        uint32_t x;
        enum phys_result res =
            (seed & 1) ? phys_write(r.phys, addr, size, v) : phys_read(r.phys, addr, size, &x);
        bus_errors += res != PHYS_OK;
        if (i % 64 == 0)
            advance(&r, r.now + (seed % 5000));
    }
    static uint8_t after[0x80000];
    CU_ASSERT_EQUAL(phys_dump(r.phys, 0, after, sizeof after), 0);
    CU_ASSERT_EQUAL(memcmp(after, canary, sizeof after), 0);
    struct iobus_stats st;
    iobus_get_stats(r.io, &st);
    CU_ASSERT(st.mmio_writes > 50000);
    CU_ASSERT(bus_errors > 1000 && bus_errors < 200000); /* both kinds of outcome were hit */
    rig_free(&r);
    vswitch_free(sw);
    unlink(path);
}

static const struct test_case tests[] = {
    {"hostile driver: random register traffic", test_hostile_registers},
    {"uart: transmit, receive FIFO, interrupt", test_uart},
    {"uart: input from a file, end of input", test_uart_file_input},
    {"timer: time, RTC, periodic and one-shot expiry", test_timer},
    {"disk: unusable images refused", test_disk_bad_images},
    {"disk: DMA and PIO, latency, errors, flush", test_disk_io},
    {"disk: an image has one writer (locked)", test_disk_image_locked},
    {"disk: read-only image, in-flight write kept", test_disk_readonly_and_reset},
    {"nic: frames through the switch, DMA windows", test_nic},
    {"fb and kbd: scan-out, vblank, key events", test_fb_kbd},
    {"power: off with code, reset", test_power},
};

CUNIT_MAIN("devices", tests)
