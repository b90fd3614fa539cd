/*
 * guests/kernel/devices.c — finding the hardware two ways, as a lesson: by
 * walking the device tree, and by scanning every bus slot's identification
 * header; then the interrupt controller, the interval timer and power-off.
 */
#include "kernel.h"

struct device devices[MAX_DEVICES];
int ndevices;

static const char *const id_names[] = {"?",  "uart", "timer", "disk", "nic",
                                       "fb", "kbd",  "power", "tpm"};

static void on_node(const char *path, const char *compat, const uint32_t *reg, int reg_len,
                    int has_irq, uint32_t irq, void *arg)
{
    (void)path;
    (void)arg;
    if (!compat || strncmp(compat, "trapvisor,", 10) != 0 || !reg || reg_len < 2 || !has_irq)
        return;
    if (ndevices == MAX_DEVICES)
        return;
    struct device *d = &devices[ndevices++];
    fmt_snprintf(d->name, sizeof d->name, "%s", compat + 10);
    d->base = reg[0];
    d->irq = irq;
}

const struct device *device_find(const char *name)
{
    for (int i = 0; i < ndevices; i++)
        if (strcmp(devices[i].name, name) == 0)
            return &devices[i];
    return 0;
}

void discover(const void *fdt)
{
    if (fdt_walk(fdt, on_node, 0) != 0)
        panic("discover: the device tree at %p is not valid", fdt);
    int scanned = 0, agree = 1;
    for (uint32_t bus = 0; bus < IOBUS_MAX_BUSES; bus++)
        for (uint32_t slot = 0; slot < IOBUS_SLOTS; slot++) {
            uint32_t base = slot_base(bus, slot);
            uint32_t id = mmio_read(base + SLOT_REG_ID);
            if (id == 0)
                continue;
            scanned++;
            uint32_t dev = id & 0xFFFF;
            const char *name = (id >> 16) == VENDOR_TV && dev < sizeof id_names / sizeof *id_names
                                   ? id_names[dev]
                                   : "unknown";
            int in_fdt = 0;
            for (int i = 0; i < ndevices; i++)
                if (devices[i].base == base && strcmp(devices[i].name, name) == 0)
                    in_fdt = 1;
            kprintf("  bus%u.slot%u  %-6s id %08x rev %u irq %u%s\n", bus, slot, name, id,
                    mmio_read(base + SLOT_REG_REVISION), mmio_read(base + SLOT_REG_IRQ),
                    in_fdt ? "" : "  (not in the device tree!)");
            agree &= in_fdt;
        }
    if (scanned != ndevices)
        agree = 0;
    kprintf("discovery: %d devices in the device tree, %d found by the bus scan: %s\n", ndevices,
            scanned, agree ? "they agree" : "THEY DIFFER");
}

/* Let a device's line through the controller and unmask its CPU line. */
void irq_enable(const struct device *d)
{
    uint32_t bus = d->irq / IOBUS_SLOTS, slot = d->irq % IOBUS_SLOTS;
    uint32_t en = mmio_read(IOBUS_INTC_BASE + INTC_ENABLE(bus));
    mmio_write(IOBUS_INTC_BASE + INTC_ENABLE(bus), en | 1u << slot);
    uint32_t line = mmio_read(IOBUS_INTC_BASE + INTC_CPU_LINE(bus));
    mtc0(C0_STATUS, mfc0(C0_STATUS) | 1u << (ST_IM_SHIFT + line));
}

/* ---- interval timer: the scheduler's tick --------------------------------- */

#define TICK_US 1000 /* 1 ms */
static uint32_t timer;

void timer_init(void)
{
    const struct device *d = device_find("timer");
    if (!d)
        panic("timer_init: no timer device");
    timer = d->base + SLOT_DEV_BASE;
    mmio_write(timer + TIMER_PERIOD, TICK_US);
    mmio_write(timer + TIMER_CTRL, TIMER_CTRL_ENABLE | TIMER_CTRL_IRQ_EN);
    irq_enable(d);
}

uint32_t uptime_ms(void)
{
    if (!timer)
        return 0;
    uint32_t lo = mmio_read(timer + TIMER_TIME_LO);
    uint32_t hi = mmio_read(timer + TIMER_TIME_HI);
    /* microseconds / 1000 without 64-bit division (no libgcc on little-endian):
     * hi * 2^32 = hi * 4294967 * 1000 + hi * 296 */
    return hi * 4294967u + lo / 1000u + (hi * 296u + lo % 1000u) / 1000u;
}

static void timer_intr(void)
{
    mmio_write(timer + TIMER_STATUS, TIMER_ST_EXPIRED);
    proc_wakeup_timers();
    need_resched = 1;
}

/* An Int exception: ask the controller which slots of each pending CPU
 * line's buses raised their line, and run their handlers. */
void intr_dispatch(uint32_t cause)
{
    uint32_t ip = (cause >> CAUSE_IP_SHIFT) & 0x7C; /* IP2..IP6: the buses */
    if (!ip)
        return;
    for (int i = 0; i < ndevices; i++) {
        const struct device *d = &devices[i];
        uint32_t bus = d->irq / IOBUS_SLOTS, slot = d->irq % IOBUS_SLOTS;
        uint32_t line = bus < 4 ? 2 + bus : 6;
        if (!(ip & (1u << line)))
            continue;
        uint32_t pending = mmio_read(IOBUS_INTC_BASE + INTC_PENDING(bus)) &
                           mmio_read(IOBUS_INTC_BASE + INTC_ENABLE(bus));
        if (!(pending & (1u << slot)))
            continue;
        if (strcmp(d->name, "timer") == 0)
            timer_intr();
        else if (strcmp(d->name, "uart") == 0)
            console_intr();
    }
}

void power_off(uint32_t code)
{
    const struct device *d = device_find("power");
    if (d)
        mmio_write(d->base + SLOT_DEV_BASE + POWER_OFF, code);
    for (;;)
        __asm__ volatile("wait");
}
