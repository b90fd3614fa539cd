/*
 * dev/vswitch.c — learning Ethernet switch (see vswitch.h).
 */
#include "dev/vswitch.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define VSWITCH_MACS 64

struct port {
    vswitch_rx_fn rx; /* NULL: unused */
    void *opaque;
};

struct mac_entry {
    uint8_t mac[6];
    int port; /* -1: unused */
};

struct vswitch {
    struct port ports[VSWITCH_MAX_PORTS];
    struct mac_entry macs[VSWITCH_MACS];
    unsigned next_mac; /* replacement cursor when the table is full */
    struct vswitch_stats stats;
};

vswitch_t *vswitch_new(void)
{
    struct vswitch *sw = calloc(1, sizeof *sw);
    if (sw)
        for (unsigned i = 0; i < VSWITCH_MACS; i++)
            sw->macs[i].port = -1;
    return sw;
}

void vswitch_free(vswitch_t *sw) { free(sw); }

int vswitch_connect(vswitch_t *sw, vswitch_rx_fn rx, void *opaque)
{
    for (int p = 0; p < VSWITCH_MAX_PORTS; p++)
        if (!sw->ports[p].rx) {
            sw->ports[p] = (struct port){rx, opaque};
            return p;
        }
    return -1;
}

void vswitch_disconnect(vswitch_t *sw, int port)
{
    if (port < 0 || port >= VSWITCH_MAX_PORTS)
        return;
    sw->ports[port].rx = NULL;
    for (unsigned i = 0; i < VSWITCH_MACS; i++)
        if (sw->macs[i].port == port)
            sw->macs[i].port = -1;
}

static struct mac_entry *mac_lookup(struct vswitch *sw, const uint8_t *mac)
{
    for (unsigned i = 0; i < VSWITCH_MACS; i++)
        if (sw->macs[i].port >= 0 && memcmp(sw->macs[i].mac, mac, 6) == 0)
            return &sw->macs[i];
    return NULL;
}

static void mac_learn(struct vswitch *sw, const uint8_t *mac, int port)
{
    if (mac[0] & 1) /* a group address is never a source */
        return;
    struct mac_entry *e = mac_lookup(sw, mac);
    if (!e) {
        for (unsigned i = 0; i < VSWITCH_MACS && !e; i++)
            if (sw->macs[i].port < 0)
                e = &sw->macs[i];
        if (!e) {
            e = &sw->macs[sw->next_mac];
            sw->next_mac = (sw->next_mac + 1) % VSWITCH_MACS;
        }
        memcpy(e->mac, mac, 6);
    }
    e->port = port;
}

void vswitch_send(vswitch_t *sw, int port, const uint8_t *frame, size_t len)
{
    if (port < 0 || port >= VSWITCH_MAX_PORTS || !sw->ports[port].rx || len < ETH_FRAME_MIN ||
        len > ETH_FRAME_MAX) {
        sw->stats.dropped++;
        return;
    }
    sw->stats.frames++;
    const uint8_t *dst = frame, *src = frame + 6;
    mac_learn(sw, src, port);
    struct mac_entry *e = (dst[0] & 1) ? NULL : mac_lookup(sw, dst);
    if (e) {
        if (e->port != port)
            sw->ports[e->port].rx(sw->ports[e->port].opaque, frame, len);
        return;
    }
    sw->stats.flooded++;
    for (int p = 0; p < VSWITCH_MAX_PORTS; p++)
        if (p != port && sw->ports[p].rx)
            sw->ports[p].rx(sw->ports[p].opaque, frame, len);
}

void vswitch_get_stats(const vswitch_t *sw, struct vswitch_stats *out) { *out = sw->stats; }
