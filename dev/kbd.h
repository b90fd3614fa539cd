/*
 * dev/kbd.h — keyboard: a FIFO of key events pushed by the front end (the GUI).
 *
 * Registers (offsets from SLOT_DEV_BASE):
 *   0x00 DATA    R: pop the next event (0 when empty): bits 7:0 key code
 *                (ASCII for printable keys, Enter 0x0A, Backspace 0x08, Escape 0x1B,
 *                arrows KBD_KEY_UP..RIGHT), bit 8 set for a release
 *   0x04 STATUS  R: bit 0 AVAIL
 *   0x08 CTRL    RW: bit 0 IRQ_EN
 *   0x0C COUNT   R: events waiting
 */
#ifndef DEV_KBD_H
#define DEV_KBD_H

#include <stdbool.h>

#include "iobus/iobus.h"

#define KBD_DEVICE_ID   0x0006u
#define KBD_QUEUE       64
#define KBD_REG_DATA    0x00u
#define KBD_REG_STATUS  0x04u
#define KBD_REG_CTRL    0x08u
#define KBD_REG_COUNT   0x0Cu
#define KBD_ST_AVAIL    0x1u
#define KBD_CTRL_IRQ_EN 0x1u
#define KBD_RELEASE     0x100u
#define KBD_KEY_UP      0x80u
#define KBD_KEY_DOWN    0x81u
#define KBD_KEY_LEFT    0x82u
#define KBD_KEY_RIGHT   0x83u

typedef struct kbd kbd_t;

kbd_t *kbd_new(iobus_t *io, unsigned bus, unsigned slot);
/* Queue a key event; false when the queue is full (the event is lost, as on
 * real hardware with a full controller buffer). */
bool kbd_push(kbd_t *k, uint8_t code, bool released);

#endif
