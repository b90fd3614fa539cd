/*
 * iobus/iobus.h — the I/O system: several buses, each a row of slots; every
 * slot a 64 KiB MMIO window whose first registers identify the device; an
 * interrupt controller that folds slot lines onto the CPU's IP2..IP6; and DMA
 * that goes through the bus, checked against the window the owner allowed.
 *
 * Physical map (docs/hardware.md, "I/O buses"):
 *
 *   IOBUS_BASE + bus * IOBUS_BUS_SPAN + slot * IOBUS_SLOT_SPAN   slot window
 *   IOBUS_INTC_BASE                                              interrupt controller
 *
 * Slot window layout:
 *   0x000 ID        vendor << 16 | device; 0 = empty slot
 *   0x004 REVISION
 *   0x008 IRQ       the controller input of this slot: bus * 32 + slot
 *   0x00C SIZE      size of the device register area in bytes
 *   0x100 ...       device registers (the device sees offset - 0x100)
 *
 * An empty slot reads 0 in its header (so a scan finds "no device") and
 * gives a bus error on any other access.
 */
#ifndef IOBUS_IOBUS_H
#define IOBUS_IOBUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mmu/phys.h"

#define IOBUS_BASE      0x1E000000u
#define IOBUS_MAX_BUSES 8
#define IOBUS_SLOTS     32
#define IOBUS_SLOT_SPAN 0x10000u                                        /* 64 KiB */
#define IOBUS_BUS_SPAN  (IOBUS_SLOTS * IOBUS_SLOT_SPAN)                 /* 2 MiB */
#define IOBUS_INTC_BASE (IOBUS_BASE + IOBUS_MAX_BUSES * IOBUS_BUS_SPAN) /* 0x1F000000 */
#define IOBUS_INTC_SIZE 0x1000u

/* Device time is the CPU's cycle count: one cycle per instruction at 100 MHz. */
#define IOBUS_CLOCK_HZ 100000000u
#define IODEV_NO_EVENT UINT64_MAX

/* Vendor of the devices built into trapvisor ("TV"). */
#define IODEV_VENDOR_TV 0x5456u

#define SLOT_REG_ID       0x000u
#define SLOT_REG_REVISION 0x004u
#define SLOT_REG_IRQ      0x008u
#define SLOT_REG_SIZE     0x00Cu
#define SLOT_DEV_BASE     0x100u

/* Interrupt controller registers, one block of 16 bytes per bus. */
#define INTC_REG_PENDING(bus)  ((bus)*16u + 0x0u) /* RO: slots asserting their line */
#define INTC_REG_ENABLE(bus)   ((bus)*16u + 0x4u) /* RW: slots allowed to interrupt */
#define INTC_REG_CPU_LINE(bus) ((bus)*16u + 0x8u) /* RO: the Cause.IP line of this bus */

/* A device: a const descriptor plus an opaque state (sys161's lamebus_device_info). */
struct iodev_ops {
    const char *name;
    uint16_t vendor, device;
    uint32_t revision;
    uint32_t reg_size;     /* bytes of device registers after SLOT_DEV_BASE */
    unsigned access_sizes; /* bit mask of allowed sizes: 1, 2, 4 */
    enum phys_result (*read)(void *opaque, uint32_t offset, unsigned size, uint32_t *value);
    enum phys_result (*write)(void *opaque, uint32_t offset, unsigned size, uint32_t value);
    void (*reset)(void *opaque);
    /* Advance device time to `now` (CPU cycles, IOBUS_CLOCK_HZ) and return the
     * cycle of the device's next event, or IODEV_NO_EVENT (may be NULL). */
    uint64_t (*tick)(void *opaque, uint64_t now);
    void (*free)(void *opaque); /* release the state (may be NULL) */
};

typedef struct iobus iobus_t;
/* A device's connection to its slot: its interrupt line (devices raise and
 * lower it, never touch the CPU) and its DMA path (checked against the window
 * the owner granted). Owned by the bus; valid until iobus_free. */
typedef struct io_link io_link_t;
/* Called when a CPU interrupt line (2..6) changes level. */
typedef void (*iobus_cpu_line_fn)(void *opaque, unsigned line, bool level);

/* Create nbuses buses (1..IOBUS_MAX_BUSES) and map them into phys. NULL on error. */
iobus_t *iobus_new(phys_t *phys, unsigned nbuses, iobus_cpu_line_fn line_fn, void *line_opaque);
void iobus_free(iobus_t *io); /* frees attached devices through ops->free */

/* Put a device into a slot. Returns 0, or -1 if the slot is out of range or taken.
 * On success the device's interrupt line is returned in *irq (if irq != NULL). */
int iobus_attach(iobus_t *io, unsigned bus, unsigned slot, const struct iodev_ops *ops,
                 void *opaque, io_link_t **irq);
/* The device in a slot, or NULL. */
const struct iodev_ops *iobus_slot_ops(const iobus_t *io, unsigned bus, unsigned slot,
                                       void **opaque);
uint32_t iobus_slot_base(unsigned bus, unsigned slot);

void io_link_irq(io_link_t *link, bool level);
/* DMA from a device (see iobus_dma_read/write): 0, or -1 with nothing moved. */
int io_link_dma_read(io_link_t *link, uint32_t paddr, void *buf, size_t len)
    __attribute__((warn_unused_result));
int io_link_dma_write(io_link_t *link, uint32_t paddr, const void *buf, size_t len)
    __attribute__((warn_unused_result));

/*
 * Buffer pages: a device may ask for page-aligned pages of its slot window
 * (offset >= 0x1000, in whole 4 KiB pages) that software reads and writes as
 * plain memory, in the CPU's byte order — a command buffer instead of one
 * register access per word. The device reads and writes the returned host
 * memory directly; it is zeroed, owned by the bus (or its provider) and
 * valid until iobus_free. One buffer per slot; NULL when the range is not
 * valid or taken. Natively the bus serves the pages on MMIO; an owner that
 * can map them straight into a guest (the monitor) gives a provider, which
 * returns host RAM it maps (NULL: none left).
 */
void *io_link_buffer(io_link_t *link, uint32_t offset, uint32_t size);
typedef void *(*iobus_buffer_fn)(void *opaque, unsigned bus, unsigned slot, uint32_t offset,
                                 uint32_t size);
void iobus_set_buffer_provider(iobus_t *io, iobus_buffer_fn fn, void *opaque);

/*
 * Device time. The owner gives the bus a clock (the CPU's cycle count, exact
 * even in the middle of an instruction batch) and a scheduler: a device that
 * arms an event between ticks calls io_link_schedule() so the owner ticks it
 * on time. Without a clock, time stands at the last iobus_tick().
 */
struct iobus_clock {
    uint64_t (*now)(void *opaque);
    void (*schedule)(void *opaque, uint64_t when);
    void *opaque;
};
void iobus_set_clock(iobus_t *io, const struct iobus_clock *clock);
uint64_t io_link_now(const io_link_t *link);
void io_link_schedule(io_link_t *link, uint64_t when);

/* The CPU line (2..6) that bus asserts now — one of its slots pending and
 * enabled in the interrupt controller — or 0 (what INTC_REG_PENDING and
 * INTC_REG_ENABLE say, without an MMIO access: the monitor asks on every trap). */
unsigned iobus_bus_line(const iobus_t *io, unsigned bus);
/* Can CPU line (2..6) ever rise without software changing the controller:
 * some bus on it has a device in a slot the controller lets through? (A CPU
 * waiting on lines that cannot rise waits forever.) */
bool iobus_line_can_rise(const iobus_t *io, unsigned line);

/* Reset every attached device. */
void iobus_reset(iobus_t *io);
/* Tick every attached device; returns the earliest next event (> now) or IODEV_NO_EVENT. */
uint64_t iobus_tick(iobus_t *io, uint64_t now);

/*
 * DMA: a device's transfers go through here, never straight to RAM. Each
 * slot has a window of physical memory it may touch (default: none; the
 * board or the monitor grants one). A transfer that leaves the window, or
 * touches anything but RAM, fails whole and moves no byte.
 */
void iobus_set_dma_window(iobus_t *io, unsigned bus, unsigned slot, uint32_t base, uint32_t size);
/* The IOMMU form: the device's addresses [base, base + size) land at
 * physical [phys_base, phys_base + size) (the monitor maps a guest's
 * "physical" 0 onto its partition). iobus_set_dma_window is phys_base = base. */
void iobus_set_dma_map(iobus_t *io, unsigned bus, unsigned slot, uint32_t base, uint32_t size,
                       uint32_t phys_base);
/* Listeners called after every DMA write into memory, in the order added,
 * with the physical range written (a monitor that patched code must learn
 * that the code changed). -1 when IOBUS_MAX_DMA_HOOKS are there already. */
typedef void (*iobus_dma_hook_fn)(void *opaque, uint32_t paddr, size_t len);
#define IOBUS_MAX_DMA_HOOKS 4
int iobus_add_dma_hook(iobus_t *io, iobus_dma_hook_fn fn, void *opaque);
int iobus_dma_read(iobus_t *io, unsigned bus, unsigned slot, uint32_t paddr, void *buf, size_t len)
    __attribute__((warn_unused_result));
int iobus_dma_write(iobus_t *io, unsigned bus, unsigned slot, uint32_t paddr, const void *buf,
                    size_t len) __attribute__((warn_unused_result));

/* Trace hook: every slot access (off = offset in the slot window, header
 * included), after it happened; value is what was read or written. */
typedef void (*iobus_trace_fn)(void *opaque, unsigned bus, unsigned slot, uint32_t off,
                               unsigned size, uint32_t value, bool write, bool ok);
void iobus_set_trace(iobus_t *io, iobus_trace_fn fn, void *opaque);

/* Statistics: MMIO accesses and refused DMA transfers. */
struct iobus_stats {
    uint64_t mmio_reads, mmio_writes, empty_slot_accesses, dma_bytes, dma_refused;
};
void iobus_get_stats(const iobus_t *io, struct iobus_stats *out);

#endif
