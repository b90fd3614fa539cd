/*
 * guests/kernel/console.c — the console UART driver and kernel printing.
 * Output is polled (the UART is always ready to transmit); input raises the
 * RX interrupt only while some process waits for it.
 */
#include "kernel.h"

static uint32_t uart; /* register base (physical), 0 before console_init */

void console_init(uint32_t base) { uart = base + SLOT_DEV_BASE; }

void console_putc(char c)
{
    if (uart)
        mmio_write(uart + UART_DATA, (uint8_t)c);
}

int console_read(char *buf, int n)
{
    int got = 0;
    if (!uart)
        return -1;
    while (got < n) {
        uint32_t st = mmio_read(uart + UART_STATUS);
        if (!(st & UART_ST_RX_AVAIL)) {
            if (got == 0 && (st & UART_ST_RX_EOF))
                return -1;
            break;
        }
        buf[got++] = (char)mmio_read(uart + UART_DATA);
    }
    return got;
}

void console_wait_input(void) { mmio_write(uart + UART_CTRL, UART_CTRL_RX_IRQ); }

void console_intr(void)
{
    mmio_write(uart + UART_CTRL, 0); /* until somebody waits again */
    proc_wakeup_readers();
}

static void put(char c, void *arg)
{
    (void)arg;
    console_putc(c);
}

void kprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fmt_format(put, 0, fmt, ap);
    va_end(ap);
}

void panic(const char *fmt, ...)
{
    va_list ap;
    kprintf("panic: ");
    va_start(ap, fmt);
    fmt_format(put, 0, fmt, ap);
    va_end(ap);
    kprintf("\n");
    power_off(255);
}
