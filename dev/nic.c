/*
 * dev/nic.c — Ethernet NIC (register map in nic.h).
 */
#include "dev/nic.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dev/devclass.h"

struct frame {
    uint16_t len;
    uint8_t data[ETH_FRAME_MAX];
};

struct nic {
    io_link_t *link;
    vswitch_t *sw;
    int port;
    uint8_t mac[6];
    uint32_t ctrl, status, tx_addr, rx_addr, dropped;
    struct frame rxq[NIC_RX_QUEUE];
    unsigned rx_head, rx_count;
};

static void nic_update_irq(struct nic *n)
{
    bool rx = (n->ctrl & NIC_CTRL_RX_IRQ_EN) && n->rx_count;
    bool tx = (n->ctrl & NIC_CTRL_TX_IRQ_EN) && (n->status & (NIC_ST_TX_DONE | NIC_ST_TX_ERROR));
    io_link_irq(n->link, rx || tx);
}

static void nic_receive(void *opaque, const uint8_t *frame, size_t len)
{
    struct nic *n = opaque;
    if (!(n->ctrl & NIC_CTRL_RX_ENABLE) || n->rx_count == NIC_RX_QUEUE) {
        n->dropped++;
        return;
    }
    struct frame *f = &n->rxq[(n->rx_head + n->rx_count) % NIC_RX_QUEUE];
    f->len = (uint16_t)len;
    memcpy(f->data, frame, len);
    n->rx_count++;
    nic_update_irq(n);
}

static void nic_transmit(struct nic *n, uint32_t len)
{
    uint8_t buf[ETH_FRAME_MAX];
    n->status &= ~(NIC_ST_TX_DONE | NIC_ST_TX_ERROR);
    if (len < ETH_FRAME_MIN || len > ETH_FRAME_MAX ||
        io_link_dma_read(n->link, n->tx_addr, buf, len)) {
        n->status |= NIC_ST_TX_ERROR;
    } else {
        vswitch_send(n->sw, n->port, buf, len);
        n->status |= NIC_ST_TX_DONE;
    }
    nic_update_irq(n);
}

static void nic_rx_pop(struct nic *n)
{
    if (!n->rx_count)
        return;
    struct frame *f = &n->rxq[n->rx_head];
    if (io_link_dma_write(n->link, n->rx_addr, f->data, f->len) != 0) {
        n->status |= NIC_ST_RX_ERROR; /* the frame stays queued */
    } else {
        n->rx_head = (n->rx_head + 1) % NIC_RX_QUEUE;
        n->rx_count--;
    }
    nic_update_irq(n);
}

static enum phys_result nic_read(void *opaque, uint32_t off, unsigned size, uint32_t *v)
{
    (void)size;
    struct nic *n = opaque;
    switch (off) {
    case NIC_REG_MAC_HI: *v = (uint32_t)n->mac[0] << 8 | n->mac[1]; return PHYS_OK;
    case NIC_REG_MAC_LO:
        *v = (uint32_t)n->mac[2] << 24 | (uint32_t)n->mac[3] << 16 | (uint32_t)n->mac[4] << 8 |
             n->mac[5];
        return PHYS_OK;
    case NIC_REG_CTRL: *v = n->ctrl; return PHYS_OK;
    case NIC_REG_STATUS: *v = n->status | (n->rx_count ? NIC_ST_RX_AVAIL : 0); return PHYS_OK;
    case NIC_REG_TX_ADDR: *v = n->tx_addr; return PHYS_OK;
    case NIC_REG_RX_ADDR: *v = n->rx_addr; return PHYS_OK;
    case NIC_REG_RX_LEN: *v = n->rx_count ? n->rxq[n->rx_head].len : 0; return PHYS_OK;
    case NIC_REG_RX_DROPPED: *v = n->dropped; return PHYS_OK;
    case NIC_REG_TX_LEN:
    case NIC_REG_RX_CMD: *v = 0; return PHYS_OK;
    }
    return PHYS_BUS_ERROR;
}

static enum phys_result nic_write(void *opaque, uint32_t off, unsigned size, uint32_t v)
{
    (void)size;
    struct nic *n = opaque;
    switch (off) {
    case NIC_REG_CTRL:
        n->ctrl = v & (NIC_CTRL_RX_ENABLE | NIC_CTRL_RX_IRQ_EN | NIC_CTRL_TX_IRQ_EN);
        nic_update_irq(n);
        return PHYS_OK;
    case NIC_REG_STATUS:
        n->status &= ~(v & (NIC_ST_TX_DONE | NIC_ST_TX_ERROR | NIC_ST_RX_ERROR));
        nic_update_irq(n);
        return PHYS_OK;
    case NIC_REG_TX_ADDR: n->tx_addr = v; return PHYS_OK;
    case NIC_REG_TX_LEN: nic_transmit(n, v); return PHYS_OK;
    case NIC_REG_RX_ADDR: n->rx_addr = v; return PHYS_OK;
    case NIC_REG_RX_CMD:
        if (v == 1)
            nic_rx_pop(n);
        return PHYS_OK;
    case NIC_REG_MAC_HI:
    case NIC_REG_MAC_LO:
    case NIC_REG_RX_LEN:
    case NIC_REG_RX_DROPPED: return PHYS_OK; /* read-only */
    }
    return PHYS_BUS_ERROR;
}

static void nic_reset(void *opaque)
{
    struct nic *n = opaque;
    n->ctrl = n->status = n->tx_addr = n->rx_addr = n->dropped = 0;
    n->rx_head = n->rx_count = 0;
    nic_update_irq(n);
}

static void nic_free(void *opaque)
{
    struct nic *n = opaque;
    vswitch_disconnect(n->sw, n->port);
    free(n);
}

static const struct iodev_ops nic_ops = {
    .name = "nic",
    .vendor = IODEV_VENDOR_TV,
    .device = NIC_DEVICE_ID,
    .revision = 1,
    .reg_size = 0x28,
    .access_sizes = 4,
    .read = nic_read,
    .write = nic_write,
    .reset = nic_reset,
    .free = nic_free,
};

nic_t *nic_new(iobus_t *io, unsigned bus, unsigned slot, vswitch_t *sw)
{
    struct nic *n = calloc(1, sizeof *n);
    if (!n)
        return NULL;
    n->sw = sw;
    const uint8_t mac[6] = {0x02, 0x54, 0x56, 0x00, (uint8_t)bus, (uint8_t)slot};
    memcpy(n->mac, mac, 6);
    n->port = vswitch_connect(sw, nic_receive, n);
    if (n->port < 0) {
        free(n);
        return NULL;
    }
    if (iobus_attach(io, bus, slot, &nic_ops, n, &n->link) != 0) {
        vswitch_disconnect(sw, n->port);
        free(n);
        return NULL;
    }
    return n;
}

/* ---- the device class ----------------------------------------------------- */

static void *nic_attach(const struct dev_host *h, unsigned bus, unsigned slot, const void *settings,
                        char *err, size_t errlen)
{
    (void)settings;
    vswitch_t *sw = h->vswitch ? h->vswitch(h->opaque) : NULL;
    if (!sw) {
        snprintf(err, errlen, "no virtual switch for the nic");
        return NULL;
    }
    return nic_new(h->io, bus, slot, sw);
}

const struct dev_class nic_class = {
    .name = "nic",
    .keys = "",
    .attach = nic_attach,
};
