/*
 * guests/kernel/main.c — boot: console first (so everything after can
 * report), then discovery, memory, timer, disk, and the programs named on the
 * command line (bootargs), then the scheduler. The kernel powers off when the
 * last process has exited, with the exit status of the first one.
 */
#include "kernel.h"

uint32_t *current_pgd;
uint32_t kstack_top;

static void find_console(void)
{
    /* Before anything else, scan for a UART so that panics can be seen. */
    for (uint32_t bus = 0; bus < IOBUS_MAX_BUSES; bus++)
        for (uint32_t slot = 0; slot < IOBUS_SLOTS; slot++) {
            uint32_t base = slot_base(bus, slot);
            if (mmio_read(base + SLOT_REG_ID) == (VENDOR_TV << 16 | DEVID_UART)) {
                console_init(base);
                return;
            }
        }
}

static void spawn_boot_programs(const char *args)
{
    char name[16 + ARGS_MAX];
    int spawned = 0;
    while (*args) {
        while (*args == ' ')
            args++;
        size_t n = 0;
        while (args[n] && args[n] != ' ')
            n++;
        if (!n)
            break;
        if (n >= sizeof name) {
            kprintf("kernel: program and arguments too long in bootargs\n");
        } else {
            memcpy(name, args, n);
            name[n] = 0;
            int pid = proc_spawn(name, 0);
            if (pid < 0)
                kprintf("kernel: cannot start '%s' (error %d)\n", name, -pid);
            else
                spawned++;
        }
        args += n;
    }
    if (!spawned)
        panic("kmain: nothing to run (bootargs \"%s\")", args);
}

void kmain(const void *fdt, const void *bootinfo);
void kmain(const void *fdt, const void *bootinfo)
{
    (void)bootinfo;
    find_console();
    uint32_t prid = mfc0(C0_PRID);
    uint32_t ram = fdt_memory_size(fdt);
    kprintf("trapvisor teaching kernel: PRId %08x, %u TLB entries, %u KiB RAM, %s-endian\n", prid,
            tlb_entries(), ram / 1024,
#ifdef __MIPSEL__
            "little"
#else
            "big"
#endif
    );
    if (!ram)
        panic("kmain: no memory node in the device tree");
    kprintf("discovery: walking the device tree at %p, then scanning 8 buses x 32 slots\n", fdt);
    discover(fdt);
    vm_init(ram);
    kprintf("memory: %u pages free\n", pages_free());
    timer_init();
    const struct device *uart = device_find("uart");
    if (uart)
        irq_enable(uart); /* console input wakes readers (console.c arms the UART) */
    if (disk_init() == 0)
        kprintf("disk: %u sectors\n", disk_sectors());
    else
        kprintf("disk: none\n");
    if (tpm_init() == 0)
        kprintf("tpm: TPM 2.0 started\n");
    const char *args = fdt_bootargs(fdt);
    kprintf("kernel: starting \"%s\"\n", args);
    spawn_boot_programs(args);
    scheduler();
}
