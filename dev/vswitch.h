/*
 * dev/vswitch.h — a virtual Ethernet switch joining the NICs of one board (or,
 * under the monitor, of several partitions). Learning: a frame goes to the
 * port its destination MAC was last seen on, else (unknown or broadcast or
 * multicast) to every other port. Delivery is immediate and in port order,
 * so runs stay deterministic.
 */
#ifndef DEV_VSWITCH_H
#define DEV_VSWITCH_H

#include <stddef.h>
#include <stdint.h>

#define VSWITCH_MAX_PORTS 16
#define ETH_FRAME_MIN     14
#define ETH_FRAME_MAX     1514

typedef struct vswitch vswitch_t;
/* A port's receive function: the frame is copied before the call returns. */
typedef void (*vswitch_rx_fn)(void *opaque, const uint8_t *frame, size_t len);

vswitch_t *vswitch_new(void);
void vswitch_free(vswitch_t *sw);
/* Connect a port; returns its number, or -1 when the switch is full. */
int vswitch_connect(vswitch_t *sw, vswitch_rx_fn rx, void *opaque);
void vswitch_disconnect(vswitch_t *sw, int port);
/* Send a frame in from `port` (ETH_FRAME_MIN..ETH_FRAME_MAX bytes). */
void vswitch_send(vswitch_t *sw, int port, const uint8_t *frame, size_t len);

struct vswitch_stats {
    uint64_t frames, flooded, dropped;
};
void vswitch_get_stats(const vswitch_t *sw, struct vswitch_stats *out);

#endif
