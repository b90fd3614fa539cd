/*
 * guests/probe/probe.c — the isolation probe: a bare guest kernel that tries
 * to get out of its partition and reports what it found.
 *   1. scans every slot of every bus and lists what answers;
 *   2. loads from and stores to every MiB of physical address space outside
 *      its RAM (and the gaps around the I/O window and the ROM): each must
 *      fault with a bus error;
 *   3. forges TLB entries whose PFNs point outside its RAM (4 KiB and 16 MiB
 *      pages) and uses them: each must fault; an entry into its own RAM must
 *      work (the control);
 *   4. with a disk on its own bus, programs DMA at addresses outside its RAM:
 *      each must end in a device error; DMA into its own RAM must work.
 * It prints "probe: nothing found, nothing broken" and powers off with 0
 * when every expectation held, else lists what went wrong and exits 1.
 */
#include <stdbool.h>

#include "fmt.h"
#include "hw.h"

uint32_t probe_load(uint32_t vaddr);
void probe_store(uint32_t vaddr, uint32_t value);
void probe_tlbwi(uint32_t index, uint32_t entryhi, uint32_t lo0, uint32_t lo1);
void probe_main(uint32_t fdt, uint32_t bootinfo);

volatile uint32_t probe_fault; /* ExcCode + 1 of the last exception, 0 none */
static uint32_t uart, power, disk;
static unsigned failures;

static void putc_uart(char c, void *arg)
{
    (void)arg;
    if (uart)
        mmio_write(uart + SLOT_DEV_BASE + UART_DATA, (uint8_t)c);
}

static void say(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fmt_format(putc_uart, 0, fmt, ap);
    va_end(ap);
}

static void scan(void)
{
    unsigned found = 0;
    for (uint32_t bus = 0; bus < IOBUS_MAX_BUSES; bus++)
        for (uint32_t slot = 0; slot < IOBUS_SLOTS; slot++) {
            uint32_t base = slot_base(bus, slot);
            uint32_t id = mmio_read(base + SLOT_REG_ID);
            if (!id)
                continue;
            found++;
            if (id == (VENDOR_TV << 16 | DEVID_UART) && !uart)
                uart = base;
            if (id == (VENDOR_TV << 16 | DEVID_POWER) && !power)
                power = base;
            if (id == (VENDOR_TV << 16 | DEVID_DISK) && !disk)
                disk = base;
        }
    /* Again, now that there is a console to print on. */
    for (uint32_t bus = 0; bus < IOBUS_MAX_BUSES; bus++)
        for (uint32_t slot = 0; slot < IOBUS_SLOTS; slot++) {
            uint32_t id = mmio_read(slot_base(bus, slot) + SLOT_REG_ID);
            if (id)
                say("probe: bus%u.slot%u answers: id %08x\n", bus, slot, id);
        }
    say("probe: %u devices answer on 8 buses x 32 slots\n", found);
}

/* Load and store at vaddr; both must fault with `code`. */
static bool must_fault(uint32_t vaddr, unsigned code, const char *what)
{
    bool ok = true;
    probe_fault = 0;
    uint32_t v = probe_load(vaddr);
    if (probe_fault != code + 1) {
        say("probe: LEAK: load from %08x (%s) gave %08x, exception %u\n", vaddr, what, v,
            probe_fault ? probe_fault - 1 : 0xFFu);
        ok = false;
    }
    probe_fault = 0;
    probe_store(vaddr, 0xBADC0DE5);
    if (probe_fault != code + 1) {
        say("probe: LEAK: store to %08x (%s) did not fault (exception %u)\n", vaddr, what,
            probe_fault ? probe_fault - 1 : 0xFFu);
        ok = false;
    }
    if (!ok)
        failures++;
    return ok;
}

static void touch_outside(uint32_t ram)
{
    unsigned tries = 0, faults = 0;
    for (uint32_t pa = ram; pa < IOBUS_BASE; pa += 0x100000) {
        tries++;
        faults += must_fault(KSEG1 | pa, EXC_DBE, "beyond RAM");
    }
    /* The last word below the I/O window, and the gaps above it. */
    tries++;
    faults += must_fault(KSEG1 | (IOBUS_BASE - 4), EXC_DBE, "just below the I/O window");
    for (uint32_t pa = IOBUS_INTC_BASE + 0x10000; pa < 0x1FC00000; pa += 0x100000) {
        tries++;
        faults += must_fault(KSEG1 | pa, EXC_DBE, "between the controller and the ROM");
    }
    for (uint32_t pa = 0x1FD00000; pa < 0x20000000; pa += 0x10000) {
        tries++;
        faults += must_fault(KSEG1 | pa, EXC_DBE, "above the ROM");
    }
    say("probe: %u of %u addresses outside the partition faulted (bus error)\n", faults, tries);
}

#define FORGED_VA 0x10000000u

static void forge_tlb(uint32_t ram)
{
    unsigned tries = 0, faults = 0;
    mtc0(C0_PAGEMASK, 0);
    /* The control: a forged entry into our own RAM works. */
    probe_tlbwi(1, FORGED_VA, (0x100000u >> 12) << 6 | 3u << 3 | 7u, 1);
    probe_fault = 0;
    probe_store(FORGED_VA + 16, 0x600DF00D);
    uint32_t back = *(volatile uint32_t *)PHYS_TO_K1(0x100000u + 16);
    if (probe_fault || back != 0x600DF00D) {
        say("probe: control failed: a TLB entry into our own RAM does not work\n");
        failures++;
    }
    for (uint32_t pa = ram; pa < IOBUS_BASE; pa += 0x400000) {
        tries++;
        probe_tlbwi(1, FORGED_VA, (pa >> 12) << 6 | 3u << 3 | 7u, 1);
        faults += must_fault(FORGED_VA, EXC_DBE, "forged 4K TLB entry");
    }
    /* One 16 MiB page pair covering 32 MiB above our RAM. */
    mtc0(C0_PAGEMASK, 0x1FFE000);
    uint32_t big = (ram + 0xFFFFFF) & ~0xFFFFFFu;
    if (big < IOBUS_BASE) {
        probe_tlbwi(2, 0x20000000u, (big >> 12) << 6 | 3u << 3 | 7u, 1);
        for (uint32_t off = 0; off < 0x1000000 && big + off < IOBUS_BASE; off += 0x200000) {
            tries++;
            faults += must_fault(0x20000000u + off, EXC_DBE, "forged 16M TLB entry");
        }
        probe_tlbwi(2, 0x20000000u, 0, 0);
    }
    mtc0(C0_PAGEMASK, 0);
    probe_tlbwi(1, FORGED_VA, 0, 0);
    say("probe: %u of %u forged TLB entries pointing outside faulted\n", faults, tries);
}

static uint32_t disk_dma(uint32_t pa, uint32_t cmd)
{
    uint32_t r = disk + SLOT_DEV_BASE;
    mmio_write(r + DISK_LBA, 0);
    mmio_write(r + DISK_COUNT, 1);
    mmio_write(r + DISK_DMA_ADDR, pa);
    mmio_write(r + DISK_COMMAND, cmd);
    uint32_t st;
    while ((st = mmio_read(r + DISK_STATUS)) & DISK_ST_BUSY)
        ;
    mmio_write(r + DISK_STATUS, DISK_ST_DONE | DISK_ST_ERROR);
    return st;
}

static void dma_outside(uint32_t ram)
{
    if (!disk) {
        say("probe: no disk on our buses: DMA not tried\n");
        return;
    }
    if (disk_dma(0x100000, DISK_CMD_READ_DMA) & DISK_ST_ERROR) {
        say("probe: control failed: DMA into our own RAM was refused\n");
        failures++;
    }
    unsigned tries = 0, refused = 0;
    for (uint32_t pa = ram - 256; pa < IOBUS_BASE; pa += 0x800000) {
        for (uint32_t cmd = DISK_CMD_READ_DMA; cmd <= DISK_CMD_WRITE_DMA; cmd++) {
            tries++;
            if (disk_dma(pa, cmd) & DISK_ST_ERROR)
                refused++;
            else {
                say("probe: LEAK: DMA %s %08x was accepted\n",
                    cmd == DISK_CMD_READ_DMA ? "to" : "from", pa);
                failures++;
            }
        }
    }
    say("probe: %u of %u DMA transfers outside the partition refused\n", refused, tries);
}

void probe_main(uint32_t fdt, uint32_t bootinfo)
{
    (void)fdt;
    mtc0(C0_STATUS, 0); /* kernel mode, interrupts off, our vectors */
    uint32_t ram = *(volatile uint32_t *)(bootinfo + BI_RAM_SIZE);
    scan();
    say("probe: %u KiB of RAM; trying to get out\n", ram >> 10);
    touch_outside(ram);
    forge_tlb(ram);
    dma_outside(ram);
    if (failures == 0)
        say("probe: nothing found, nothing broken\n");
    else
        say("probe: %u isolation failures\n", failures);
    if (power)
        mmio_write(power + SLOT_DEV_BASE + POWER_OFF, failures ? 1 : 0);
    for (;;)
        __asm__ volatile("wait");
}
