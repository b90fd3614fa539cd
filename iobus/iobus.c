/*
 * iobus/iobus.c — buses, slots, the interrupt controller and DMA checks.
 * Each bus is one MMIO region of the physical address space; slot decoding,
 * the identification header and empty-slot behaviour live here, so devices
 * only ever see their own register offsets.
 */
#include "iobus/iobus.h"

#include <stdlib.h>
#include <string.h>

struct io_link {
    struct iobus *io;
    unsigned bus, slot;
};

struct slot {
    const struct iodev_ops *ops; /* NULL: empty */
    void *opaque;
    struct io_link irq;
    uint32_t dma_base, dma_size; /* device addresses the slot may use */
    uint32_t dma_phys;           /* physical address that dma_base lands at */
    uint8_t *buffer;             /* io_link_buffer: memory at [buf_off, buf_off + buf_size) */
    uint32_t buf_off, buf_size;
    bool buf_owned; /* allocated here (no provider) */
};

struct bus {
    struct iobus *io;
    unsigned index;
    uint32_t pending; /* slot lines asserted */
    uint32_t enable;  /* slot lines the controller passes on */
    struct slot slots[IOBUS_SLOTS];
};

struct iobus {
    phys_t *phys;
    unsigned n;
    iobus_cpu_line_fn line_fn;
    void *line_opaque;
    bool line_level[7]; /* current level of CPU lines 2..6 */
    struct iobus_stats stats;
    iobus_buffer_fn buffer_fn;
    void *buffer_opaque;
    struct iobus_clock clock;
    iobus_trace_fn trace_fn;
    void *trace_opaque;
    struct {
        iobus_dma_hook_fn fn;
        void *opaque;
    } dma_hooks[IOBUS_MAX_DMA_HOOKS];
    unsigned ndma_hooks;
    uint64_t last_tick;
    struct bus buses[IOBUS_MAX_BUSES];
};

/* Buses 0..3 use IP2..IP5; buses 4..7 share IP6. */
static unsigned cpu_line_of(unsigned bus) { return bus < 4 ? 2 + bus : 6; }

bool iobus_line_can_rise(const iobus_t *io, unsigned line)
{
    for (unsigned b = 0; b < io->n; b++) {
        if (cpu_line_of(b) != line)
            continue;
        const struct bus *bs = &io->buses[b];
        for (unsigned s = 0; s < IOBUS_SLOTS; s++)
            if (bs->slots[s].ops && (bs->enable & (1u << s)))
                return true;
    }
    return false;
}

unsigned iobus_bus_line(const iobus_t *io, unsigned bus)
{
    if (bus >= io->n)
        return 0;
    const struct bus *b = &io->buses[bus];
    return (b->pending & b->enable) ? cpu_line_of(bus) : 0;
}

static void update_cpu_line(struct iobus *io, unsigned line)
{
    bool level = false;
    for (unsigned b = 0; b < io->n; b++)
        if (cpu_line_of(b) == line && (io->buses[b].pending & io->buses[b].enable))
            level = true;
    if (level != io->line_level[line]) {
        io->line_level[line] = level;
        if (io->line_fn)
            io->line_fn(io->line_opaque, line, level);
    }
}

void io_link_irq(io_link_t *irq, bool level)
{
    struct bus *b = &irq->io->buses[irq->bus];
    uint32_t bit = 1u << irq->slot;
    if (level)
        b->pending |= bit;
    else
        b->pending &= ~bit;
    update_cpu_line(irq->io, cpu_line_of(irq->bus));
}

/* ---- slot windows -------------------------------------------------------- */

static enum phys_result slot_access(struct bus *b, uint32_t offset, unsigned size, uint32_t *value,
                                    bool write)
{
    struct iobus *io = b->io;
    struct slot *s = &b->slots[offset / IOBUS_SLOT_SPAN];
    uint32_t off = offset % IOBUS_SLOT_SPAN;
    if (write)
        io->stats.mmio_writes++;
    else
        io->stats.mmio_reads++;

    if (off < SLOT_DEV_BASE) { /* identification header: 32-bit, read-only */
        if (size != 4 || (off & 3))
            return PHYS_BUS_ERROR;
        if (write)
            return PHYS_OK; /* writes to the header are ignored */
        if (!s->ops) {
            io->stats.empty_slot_accesses++;
            *value = 0;
            return PHYS_OK;
        }
        switch (off) {
        case SLOT_REG_ID: *value = (uint32_t)s->ops->vendor << 16 | s->ops->device; break;
        case SLOT_REG_REVISION: *value = s->ops->revision; break;
        case SLOT_REG_IRQ: *value = b->index * IOBUS_SLOTS + (uint32_t)(s - b->slots); break;
        case SLOT_REG_SIZE: *value = s->ops->reg_size; break;
        default: *value = 0; break;
        }
        return PHYS_OK;
    }
    if (!s->ops) {
        io->stats.empty_slot_accesses++;
        return PHYS_BUS_ERROR;
    }
    if (s->buffer && off - s->buf_off < s->buf_size) { /* a buffer page: plain memory */
        uint8_t *p = s->buffer + (off - s->buf_off);
        if ((off & (size - 1)) || size > s->buf_size - (off - s->buf_off))
            return PHYS_BUS_ERROR;
        bool be = phys_big_endian(io->phys);
        for (unsigned i = 0; i < size; i++) {
            unsigned shift = 8 * (be ? size - 1 - i : i);
            if (write)
                p[i] = (uint8_t)(*value >> shift);
            else
                *value = (i ? *value : 0) | (uint32_t)p[i] << shift;
        }
        return PHYS_OK;
    }
    uint32_t reg = off - SLOT_DEV_BASE;
    if (reg >= s->ops->reg_size || size > s->ops->reg_size - reg || !(s->ops->access_sizes & size))
        return PHYS_BUS_ERROR;
    if (write)
        return s->ops->write ? s->ops->write(s->opaque, reg, size, *value) : PHYS_BUS_ERROR;
    return s->ops->read ? s->ops->read(s->opaque, reg, size, value) : PHYS_BUS_ERROR;
}

/* A slot access, reported to the trace hook when one is set. */
static enum phys_result bus_access(struct bus *b, uint32_t offset, unsigned size, uint32_t *value,
                                   bool write)
{
    enum phys_result r = slot_access(b, offset, size, value, write);
    struct iobus *io = b->io;
    if (io->trace_fn)
        io->trace_fn(io->trace_opaque, b->index, offset / IOBUS_SLOT_SPAN, offset % IOBUS_SLOT_SPAN,
                     size, *value, write, r == PHYS_OK);
    return r;
}

void iobus_set_trace(iobus_t *io, iobus_trace_fn fn, void *opaque)
{
    io->trace_fn = fn;
    io->trace_opaque = opaque;
}

/* ---- interrupt controller ---------------------------------------------- */

static enum phys_result intc_read(void *opaque, uint32_t offset, unsigned size, uint32_t *value)
{
    struct iobus *io = opaque;
    unsigned bus = offset / 16;
    if (size != 4 || (offset & 3) || bus >= io->n)
        return PHYS_BUS_ERROR;
    const struct bus *b = &io->buses[bus];
    switch (offset % 16) {
    case 0x0: *value = b->pending; return PHYS_OK;
    case 0x4: *value = b->enable; return PHYS_OK;
    case 0x8: *value = cpu_line_of(bus); return PHYS_OK;
    default: *value = 0; return PHYS_OK;
    }
}

static enum phys_result intc_write(void *opaque, uint32_t offset, unsigned size, uint32_t value)
{
    struct iobus *io = opaque;
    unsigned bus = offset / 16;
    if (size != 4 || (offset & 3) || bus >= io->n)
        return PHYS_BUS_ERROR;
    if (offset % 16 == 0x4) {
        io->buses[bus].enable = value;
        update_cpu_line(io, cpu_line_of(bus));
    }
    return PHYS_OK; /* other registers are read-only */
}

/*
 * The whole I/O window is one MMIO region, so registering it is all or
 * nothing: buses, then the controller; buses that do not exist, and the
 * space past the controller's registers, are bus errors.
 */
#define IOBUS_WINDOW_SIZE (IOBUS_INTC_BASE + IOBUS_INTC_SIZE - IOBUS_BASE)

static enum phys_result window_access(void *opaque, uint32_t offset, unsigned size, uint32_t *value,
                                      bool write)
{
    struct iobus *io = opaque;
    uint32_t intc = IOBUS_INTC_BASE - IOBUS_BASE;
    if (offset >= intc)
        return write ? intc_write(io, offset - intc, size, *value)
                     : intc_read(io, offset - intc, size, value);
    unsigned bus = offset / IOBUS_BUS_SPAN;
    if (bus >= io->n) {
        /* A bus that is not fitted looks like a row of empty slots, so a
         * scan of every bus needs no other knowledge of the board. */
        uint32_t off = offset % IOBUS_SLOT_SPAN;
        if (!write && size == 4 && off < SLOT_DEV_BASE && !(off & 3)) {
            io->stats.empty_slot_accesses++;
            *value = 0;
            return PHYS_OK;
        }
        return PHYS_BUS_ERROR;
    }
    return bus_access(&io->buses[bus], offset % IOBUS_BUS_SPAN, size, value, write);
}

static enum phys_result window_read(void *opaque, uint32_t offset, unsigned size, uint32_t *value)
{
    return window_access(opaque, offset, size, value, false);
}

static enum phys_result window_write(void *opaque, uint32_t offset, unsigned size, uint32_t value)
{
    return window_access(opaque, offset, size, &value, true);
}

static const struct mmio_ops window_mmio = {
    .name = "iobus", .read = window_read, .write = window_write};

/* ---- lifetime ----------------------------------------------------------- */

iobus_t *iobus_new(phys_t *phys, unsigned nbuses, iobus_cpu_line_fn line_fn, void *line_opaque)
{
    if (nbuses < 1 || nbuses > IOBUS_MAX_BUSES)
        return NULL;
    struct iobus *io = calloc(1, sizeof(*io));
    if (!io)
        return NULL;
    io->phys = phys;
    io->n = nbuses;
    io->line_fn = line_fn;
    io->line_opaque = line_opaque;
    for (unsigned b = 0; b < nbuses; b++) {
        io->buses[b].io = io;
        io->buses[b].index = b;
    }
    if (phys_add_mmio(phys, IOBUS_BASE, IOBUS_WINDOW_SIZE, &window_mmio, io) != 0) {
        free(io); /* nothing was registered */
        return NULL;
    }
    return io;
}

void iobus_free(iobus_t *io)
{
    if (!io)
        return;
    for (unsigned b = 0; b < io->n; b++)
        for (unsigned s = 0; s < IOBUS_SLOTS; s++) {
            struct slot *sl = &io->buses[b].slots[s];
            if (sl->ops && sl->ops->free)
                sl->ops->free(sl->opaque);
            if (sl->buf_owned)
                free(sl->buffer);
        }
    free(io);
}

uint32_t iobus_slot_base(unsigned bus, unsigned slot)
{
    return IOBUS_BASE + bus * IOBUS_BUS_SPAN + slot * IOBUS_SLOT_SPAN;
}

int iobus_attach(iobus_t *io, unsigned bus, unsigned slot, const struct iodev_ops *ops,
                 void *opaque, io_link_t **irq)
{
    if (bus >= io->n || slot >= IOBUS_SLOTS || !ops || io->buses[bus].slots[slot].ops)
        return -1;
    if (ops->reg_size > IOBUS_SLOT_SPAN - SLOT_DEV_BASE || (ops->vendor == 0 && ops->device == 0))
        return -1;
    struct slot *s = &io->buses[bus].slots[slot];
    s->ops = ops;
    s->opaque = opaque;
    s->irq = (struct io_link){io, bus, slot};
    s->dma_base = s->dma_size = s->dma_phys = 0;
    if (irq)
        *irq = &s->irq;
    return 0;
}

const struct iodev_ops *iobus_slot_ops(const iobus_t *io, unsigned bus, unsigned slot,
                                       void **opaque)
{
    if (bus >= io->n || slot >= IOBUS_SLOTS)
        return NULL;
    const struct slot *s = &io->buses[bus].slots[slot];
    if (opaque)
        *opaque = s->opaque;
    return s->ops;
}

void iobus_reset(iobus_t *io)
{
    for (unsigned b = 0; b < io->n; b++) {
        struct bus *bus = &io->buses[b];
        bus->enable = 0;
        for (unsigned s = 0; s < IOBUS_SLOTS; s++)
            if (bus->slots[s].ops && bus->slots[s].ops->reset)
                bus->slots[s].ops->reset(bus->slots[s].opaque);
        update_cpu_line(io, cpu_line_of(b));
    }
}

void iobus_set_clock(iobus_t *io, const struct iobus_clock *clock)
{
    io->clock = clock ? *clock : (struct iobus_clock){0};
}

uint64_t io_link_now(const io_link_t *link)
{
    const struct iobus *io = link->io;
    return io->clock.now ? io->clock.now(io->clock.opaque) : io->last_tick;
}

void io_link_schedule(io_link_t *link, uint64_t when)
{
    struct iobus *io = link->io;
    if (io->clock.schedule)
        io->clock.schedule(io->clock.opaque, when);
}

uint64_t iobus_tick(iobus_t *io, uint64_t now)
{
    io->last_tick = now;
    uint64_t next = IODEV_NO_EVENT;
    for (unsigned b = 0; b < io->n; b++)
        for (unsigned s = 0; s < IOBUS_SLOTS; s++) {
            const struct slot *sl = &io->buses[b].slots[s];
            if (sl->ops && sl->ops->tick) {
                uint64_t t = sl->ops->tick(sl->opaque, now);
                if (t <= now) /* a device late for its own event: soonest possible */
                    t = now + 1;
                if (t < next)
                    next = t;
            }
        }
    return next;
}

/* ---- DMA ---------------------------------------------------------------- */

void iobus_set_dma_window(iobus_t *io, unsigned bus, unsigned slot, uint32_t base, uint32_t size)
{
    iobus_set_dma_map(io, bus, slot, base, size, base);
}

void iobus_set_dma_map(iobus_t *io, unsigned bus, unsigned slot, uint32_t base, uint32_t size,
                       uint32_t phys_base)
{
    if (bus >= io->n || slot >= IOBUS_SLOTS)
        return;
    io->buses[bus].slots[slot].dma_base = base;
    io->buses[bus].slots[slot].dma_size = size;
    io->buses[bus].slots[slot].dma_phys = phys_base;
}

/* Check a transfer against the slot's window and translate it: the
 * physical address in *paddr, or false with nothing to move. */
static bool dma_map(iobus_t *io, unsigned bus, unsigned slot, uint32_t *paddr, size_t len)
{
    if (bus >= io->n || slot >= IOBUS_SLOTS)
        return false;
    const struct slot *s = &io->buses[bus].slots[slot];
    uint64_t end = (uint64_t)*paddr + len;
    uint64_t phys_end = end - s->dma_base + s->dma_phys;
    bool ok = s->ops && *paddr >= s->dma_base && end <= (uint64_t)s->dma_base + s->dma_size &&
              phys_end <= phys_ram_size(io->phys);
    if (!ok) {
        io->stats.dma_refused++;
        return false;
    }
    io->stats.dma_bytes += len;
    *paddr = *paddr - s->dma_base + s->dma_phys;
    return true;
}

int iobus_dma_read(iobus_t *io, unsigned bus, unsigned slot, uint32_t paddr, void *buf, size_t len)
{
    if (!dma_map(io, bus, slot, &paddr, len))
        return -1;
    return phys_dump(io->phys, paddr, buf, len);
}

int iobus_dma_write(iobus_t *io, unsigned bus, unsigned slot, uint32_t paddr, const void *buf,
                    size_t len)
{
    if (!dma_map(io, bus, slot, &paddr, len))
        return -1;
    int r = phys_load(io->phys, paddr, buf, len);
    for (unsigned i = 0; r == 0 && i < io->ndma_hooks; i++)
        io->dma_hooks[i].fn(io->dma_hooks[i].opaque, paddr, len);
    return r;
}

void iobus_set_buffer_provider(iobus_t *io, iobus_buffer_fn fn, void *opaque)
{
    io->buffer_fn = fn;
    io->buffer_opaque = opaque;
}

void *io_link_buffer(io_link_t *link, uint32_t offset, uint32_t size)
{
    struct iobus *io = link->io;
    struct slot *s = &io->buses[link->bus].slots[link->slot];
    if (s->buffer || !size || (offset & 0xFFFu) || (size & 0xFFFu) || offset < 0x1000u ||
        offset > IOBUS_SLOT_SPAN || size > IOBUS_SLOT_SPAN - offset)
        return NULL;
    uint8_t *mem = io->buffer_fn
                       ? io->buffer_fn(io->buffer_opaque, link->bus, link->slot, offset, size)
                       : NULL;
    s->buf_owned = !io->buffer_fn;
    if (s->buf_owned)
        mem = calloc(1, size);
    if (!mem)
        return NULL;
    s->buffer = mem;
    s->buf_off = offset;
    s->buf_size = size;
    return mem;
}

int iobus_add_dma_hook(iobus_t *io, iobus_dma_hook_fn fn, void *opaque)
{
    if (io->ndma_hooks >= IOBUS_MAX_DMA_HOOKS)
        return -1;
    io->dma_hooks[io->ndma_hooks].fn = fn;
    io->dma_hooks[io->ndma_hooks++].opaque = opaque;
    return 0;
}

int io_link_dma_read(io_link_t *link, uint32_t paddr, void *buf, size_t len)
{
    return iobus_dma_read(link->io, link->bus, link->slot, paddr, buf, len);
}

int io_link_dma_write(io_link_t *link, uint32_t paddr, const void *buf, size_t len)
{
    return iobus_dma_write(link->io, link->bus, link->slot, paddr, buf, len);
}

void iobus_get_stats(const iobus_t *io, struct iobus_stats *out) { *out = io->stats; }
