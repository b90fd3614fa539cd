/*
 * dev/uart.h — the console UART: a transmit register whose bytes go to a host
 * sink (stdout, a file, a capture buffer) and a receive FIFO fed from a host
 * file descriptor (stdin, a file, a pipe) or pushed by a front end.
 *
 * Registers (offsets from the slot's device area, SLOT_DEV_BASE):
 *   0x00 DATA     W: transmit a byte (bits 7:0). R: pop the next received
 *                 byte (0 when the FIFO is empty).
 *   0x04 STATUS   R: bit 0 RX_AVAIL, bit 1 TX_READY (always 1), bit 2 RX_EOF
 *                 (the input source is exhausted and the FIFO is empty).
 *   0x08 CTRL     RW: bit 0 RX_IRQ_EN (interrupt while RX_AVAIL, or once the
 *                 input has ended, so a reader waiting for it learns of the end).
 *   0x0C RX_COUNT R: bytes waiting in the receive FIFO.
 */
#ifndef DEV_UART_H
#define DEV_UART_H

#include <stddef.h>

#include "iobus/iobus.h"

#define UART_DEVICE_ID    0x0001u
#define UART_REG_DATA     0x00u
#define UART_REG_STATUS   0x04u
#define UART_REG_CTRL     0x08u
#define UART_REG_RX_COUNT 0x0Cu
#define UART_ST_RX_AVAIL  0x1u
#define UART_ST_TX_READY  0x2u
#define UART_ST_RX_EOF    0x4u
#define UART_CTRL_RX_IRQ  0x1u

#define UART_RX_FIFO 256

#define UART_INPUT_NONE (-1)
#define UART_INPUT_PUSH (-2)

typedef struct uart uart_t;
/* Where transmitted bytes go. */
typedef void (*uart_out_fn)(void *opaque, const char *buf, size_t len);

struct uart_config {
    uart_out_fn out; /* NULL: discard */
    void *out_opaque;
    /* A host descriptor polled without blocking (never closed by the UART),
     * or UART_INPUT_NONE (RX_EOF at once), or UART_INPUT_PUSH (only
     * uart_push_input, e.g. a GUI's keyboard). */
    int in_fd;
};

/* Its settings ([busB.slotS] input/output): where the board's console
 * reads from and writes to. */
#define UART_PATH_MAX 1024
struct uart_settings {
    char input[UART_PATH_MAX];  /* "none", "stdin" or a file */
    char output[UART_PATH_MAX]; /* "stdout" or a file */
};

/* Create a UART and attach it to (bus, slot). NULL if the slot is taken.
 * The bus owns it from then on (freed by iobus_free). */
uart_t *uart_new(iobus_t *io, unsigned bus, unsigned slot, const struct uart_config *cfg);
/* Push input bytes (front ends, tests); returns how many fit in the FIFO. */
size_t uart_push_input(uart_t *u, const char *buf, size_t len);
/* Stop reading the input source: RX_EOF once the FIFO drains. */
void uart_close_input(uart_t *u);

#endif
