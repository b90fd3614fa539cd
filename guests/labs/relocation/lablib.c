/* guests/labs/relocation/lablib.c — the relocation lab kernels' common code (lablib.h). */
#include "lablib.h"

uint32_t exc_frame[32];
uint32_t exc_stack[1024] __attribute__((aligned(16))); /* start.S: sp = exc_stack + 4096 */
static uint32_t uart, power;

static void putc_uart(char c, void *arg)
{
    (void)arg;
    if (uart)
        mmio_write(uart + SLOT_DEV_BASE + UART_DATA, (uint8_t)c);
}

void say(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fmt_format(putc_uart, 0, fmt, ap);
    va_end(ap);
}

void find_devices(void)
{
    for (uint32_t bus = 0; bus < IOBUS_MAX_BUSES; bus++)
        for (uint32_t slot = 0; slot < IOBUS_SLOTS; slot++) {
            uint32_t base = slot_base(bus, slot);
            uint32_t id = mmio_read(base + SLOT_REG_ID);
            if (id == (VENDOR_TV << 16 | DEVID_UART) && !uart)
                uart = base;
            if (id == (VENDOR_TV << 16 | DEVID_POWER) && !power)
                power = base;
        }
}

void power_off(unsigned code)
{
    if (power)
        mmio_write(power + SLOT_DEV_BASE + POWER_OFF, code);
    for (;;)
        __asm__ volatile("wait");
}

uint32_t lo_pa(uint32_t pa, bool dirty)
{
    return (pa >> 12) << PTE_PFN_SHIFT | PTE_C_CACHED | (dirty ? PTE_D : 0) | PTE_V | PTE_G;
}

uint32_t lo_of(const void *k0, bool dirty) { return lo_pa(K0_TO_PHYS(k0), dirty); }

void tlb_put(int index, uint32_t hi, uint32_t lo0, uint32_t lo1, uint32_t mask)
{
    mtc0(C0_PAGEMASK, mask);
    mtc0(C0_ENTRYHI, hi);
    mtc0(C0_ENTRYLO0, lo0);
    mtc0(C0_ENTRYLO1, lo1);
    if (index < 0) {
        __asm__ volatile("tlbwr\n\tehb" ::: "memory");
    } else {
        mtc0(C0_INDEX, (uint32_t)index);
        __asm__ volatile("tlbwi\n\tehb" ::: "memory");
    }
}
