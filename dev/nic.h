/*
 * dev/nic.h — Ethernet NIC on a virtual switch. Frames move by DMA through
 * the bus (checked against the slot's DMA window). Transmit hands the frame to
 * the switch at once; received frames wait in a queue of NIC_RX_QUEUE until
 * the guest takes them; a frame arriving at a full queue (or with RX off) is
 * dropped and counted.
 *
 * Registers (offsets from SLOT_DEV_BASE):
 *   0x00 MAC_HI    R: MAC bytes 0..1 (bits 15:0)
 *   0x04 MAC_LO    R: MAC bytes 2..5
 *   0x08 CTRL      RW: bit 0 RX_ENABLE, bit 1 RX_IRQ_EN, bit 2 TX_IRQ_EN
 *   0x0C STATUS    R: bit 0 RX_AVAIL, bit 1 TX_DONE, bit 2 TX_ERROR, bit 3 RX_ERROR.
 *                  W: 1s clear TX_DONE/TX_ERROR/RX_ERROR
 *   0x10 TX_ADDR   RW: physical address of the frame to send
 *   0x14 TX_LEN    W: length (14..1514); writing it sends the frame
 *   0x18 RX_ADDR   RW: physical address to receive the next frame into
 *   0x1C RX_CMD    W: 1 = copy the head frame to RX_ADDR and pop it
 *   0x20 RX_LEN    R: length of the head frame (0: queue empty)
 *   0x24 RX_DROPPED R: frames dropped since reset
 */
#ifndef DEV_NIC_H
#define DEV_NIC_H

#include "dev/vswitch.h"
#include "iobus/iobus.h"

#define NIC_DEVICE_ID 0x0004u
#define NIC_RX_QUEUE  16

#define NIC_REG_MAC_HI     0x00u
#define NIC_REG_MAC_LO     0x04u
#define NIC_REG_CTRL       0x08u
#define NIC_REG_STATUS     0x0Cu
#define NIC_REG_TX_ADDR    0x10u
#define NIC_REG_TX_LEN     0x14u
#define NIC_REG_RX_ADDR    0x18u
#define NIC_REG_RX_CMD     0x1Cu
#define NIC_REG_RX_LEN     0x20u
#define NIC_REG_RX_DROPPED 0x24u

#define NIC_CTRL_RX_ENABLE 0x1u
#define NIC_CTRL_RX_IRQ_EN 0x2u
#define NIC_CTRL_TX_IRQ_EN 0x4u
#define NIC_ST_RX_AVAIL    0x1u
#define NIC_ST_TX_DONE     0x2u
#define NIC_ST_TX_ERROR    0x4u
#define NIC_ST_RX_ERROR    0x8u

typedef struct nic nic_t;

/* Attach a NIC to (bus, slot) and connect it to sw. Its MAC is
 * 02:54:56:00:<bus>:<slot> (locally administered). NULL if the slot is taken
 * or the switch is full. Owned by the bus. */
nic_t *nic_new(iobus_t *io, unsigned bus, unsigned slot, vswitch_t *sw);

#endif
