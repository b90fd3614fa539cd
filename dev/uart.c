/*
 * dev/uart.c — the console UART (register map in uart.h and docs/hardware.md).
 * Input is polled from the host descriptor on device ticks, every
 * UART_POLL_CYCLES, never blocking: a guest reading the console sees bytes
 * arrive at deterministic points of virtual time for file input.
 */
#include "dev/uart.h"

#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dev/devclass.h"
#include "util/parse.h"

#define UART_POLL_CYCLES 100000u /* 1 ms of device time */

struct uart {
    struct uart_config cfg;
    io_link_t *link;
    uint8_t fifo[UART_RX_FIFO];
    unsigned head, count;
    uint32_t ctrl;
    bool eof;
};

static void uart_update_irq(struct uart *u)
{
    /* Up while there is something to read, or nothing will ever come again
     * (a reader blocked on an empty FIFO must learn of the end of input). */
    io_link_irq(u->link, (u->ctrl & UART_CTRL_RX_IRQ) && (u->count > 0 || u->eof));
}

size_t uart_push_input(uart_t *u, const char *buf, size_t len)
{
    size_t n = 0;
    while (n < len && u->count < UART_RX_FIFO) {
        u->fifo[(u->head + u->count) % UART_RX_FIFO] = (uint8_t)buf[n++];
        u->count++;
    }
    uart_update_irq(u);
    return n;
}

void uart_close_input(uart_t *u)
{
    u->eof = true;
    uart_update_irq(u);
}

static void uart_poll_input(struct uart *u)
{
    if (u->cfg.in_fd < 0 || u->eof || u->count == UART_RX_FIFO)
        return;
    struct pollfd p = {.fd = u->cfg.in_fd, .events = POLLIN};
    if (poll(&p, 1, 0) <= 0)
        return;
    char buf[UART_RX_FIFO];
    ssize_t n = read(u->cfg.in_fd, buf, UART_RX_FIFO - u->count);
    if (n <= 0) {
        uart_close_input(u); /* end of file, or an error: no more input either way */
        return;
    }
    uart_push_input(u, buf, (size_t)n);
}

static enum phys_result uart_read(void *opaque, uint32_t off, unsigned size, uint32_t *v)
{
    (void)size;
    struct uart *u = opaque;
    switch (off) {
    case UART_REG_DATA:
        *v = 0;
        if (u->count) {
            *v = u->fifo[u->head];
            u->head = (u->head + 1) % UART_RX_FIFO;
            u->count--;
            uart_update_irq(u);
        }
        return PHYS_OK;
    case UART_REG_STATUS:
        *v = UART_ST_TX_READY | (u->count ? UART_ST_RX_AVAIL : 0) |
             (u->eof && !u->count ? UART_ST_RX_EOF : 0);
        return PHYS_OK;
    case UART_REG_CTRL: *v = u->ctrl; return PHYS_OK;
    case UART_REG_RX_COUNT: *v = u->count; return PHYS_OK;
    }
    return PHYS_BUS_ERROR;
}

static enum phys_result uart_write(void *opaque, uint32_t off, unsigned size, uint32_t v)
{
    (void)size;
    struct uart *u = opaque;
    switch (off) {
    case UART_REG_DATA: {
        char c = (char)(v & 0xFF);
        if (u->cfg.out)
            u->cfg.out(u->cfg.out_opaque, &c, 1);
        return PHYS_OK;
    }
    case UART_REG_CTRL:
        u->ctrl = v & UART_CTRL_RX_IRQ;
        uart_update_irq(u);
        return PHYS_OK;
    case UART_REG_STATUS:
    case UART_REG_RX_COUNT: return PHYS_OK; /* read-only: writes ignored */
    }
    return PHYS_BUS_ERROR;
}

static void uart_reset(void *opaque)
{
    struct uart *u = opaque;
    u->ctrl = 0;
    uart_update_irq(u);
}

static uint64_t uart_tick(void *opaque, uint64_t now)
{
    struct uart *u = opaque;
    uart_poll_input(u);
    if (u->cfg.in_fd < 0 || u->eof)
        return IODEV_NO_EVENT;
    return now + UART_POLL_CYCLES;
}

static void uart_free(void *opaque) { free(opaque); }

static const struct iodev_ops uart_ops = {
    .name = "uart",
    .vendor = IODEV_VENDOR_TV,
    .device = UART_DEVICE_ID,
    .revision = 1,
    .reg_size = 0x10,
    .access_sizes = 4,
    .read = uart_read,
    .write = uart_write,
    .reset = uart_reset,
    .tick = uart_tick,
    .free = uart_free,
};

uart_t *uart_new(iobus_t *io, unsigned bus, unsigned slot, const struct uart_config *cfg)
{
    struct uart *u = calloc(1, sizeof *u);
    if (!u)
        return NULL;
    u->cfg = *cfg;
    u->eof = cfg->in_fd == UART_INPUT_NONE;
    if (iobus_attach(io, bus, slot, &uart_ops, u, &u->link) != 0) {
        free(u);
        return NULL;
    }
    return u;
}

/* ---- the device class ----------------------------------------------------- */

static void uart_defaults(void *settings)
{
    struct uart_settings *u = settings;
    strcpy(u->input, "stdin");
    strcpy(u->output, "stdout");
}

static int uart_set(void *settings, const char *key, const char *v, char *err, size_t errlen)
{
    struct uart_settings *u = settings;
    if (strcmp(key, "input") == 0)
        return parse_path(u->input, sizeof u->input, v, "uart input", err, errlen);
    if (strcmp(key, "output") == 0)
        return parse_path(u->output, sizeof u->output, v, "uart output", err, errlen);
    return 1;
}

/* The host has opened the settings' input and output (the board's console,
 * or a guest's own) and gives them as console_in_fd / console_out. */
static void *uart_attach(const struct dev_host *h, unsigned bus, unsigned slot,
                         const void *settings, char *err, size_t errlen)
{
    (void)settings;
    (void)err;
    (void)errlen;
    return uart_new(h->io, bus, slot,
                    &(struct uart_config){h->console_out, h->console_opaque, h->console_in_fd});
}

const struct dev_class uart_class = {
    .name = "uart",
    .keys = "input, output",
    .settings_size = sizeof(struct uart_settings),
    .defaults = uart_defaults,
    .set = uart_set,
    .attach = uart_attach,
    .shareable = true,
};
