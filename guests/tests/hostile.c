/*
 * guests/tests/hostile.c — a hostile bare kernel (tests/test_hostile_e2e.c):
 * in kernel mode, forever, it executes pseudo-random instruction words
 * (stores and coprocessor-0 words aside: those come next, on purpose),
 * writes random TLB entries of every page size, writes every CP0 register
 * but Status and EBase with random values, and loads from and stores to
 * random offsets of every slot of every bus (devices get random commands:
 * DMA anywhere). Every exception comes back through hostile_vec.S to the
 * next step. Beside it, a victim checks its memory; the host must stay up.
 */
#include <stdint.h>

#include "hw.h"

void hostile_loop(void);
int main(void);

uint32_t hostile_stack[1024] __attribute__((aligned(8)));
extern char hv_base[];
static uint32_t rng = 0x1234567u;
static volatile uint32_t steps;
static uint32_t code[8] __attribute__((aligned(16)));

static uint32_t next(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 17;
    rng ^= rng << 5;
    return rng;
}

static int is_store_or_cop0(uint32_t w)
{
    uint32_t op = w >> 26;
    return (op >= 0x28 && op <= 0x2F) || op == 0x38 || op == 0x39 || op == 0x3D || op == 0x10;
}

static void random_code(void)
{
    for (int i = 0; i < 4; i++) {
        uint32_t w;
        do
            w = next();
        while (is_store_or_cop0(w));
        code[i] = w;
    }
    code[4] = 0x03E00008u; /* jr $ra */
    code[5] = 0;           /* nop */
    /* A jump into a sea of zeros (nops) ends at the next timer interrupt. */
    mtc0(C0_CAUSE, 0); /* Count runs (a random Cause may have set DC) */
    mtc0(C0_COMPARE, mfc0(C0_COUNT) + 20000);
    mtc0(C0_STATUS, ST_IM7 | ST_IE);
    ((void (*)(void))(void *)code)();
    mtc0(C0_STATUS, 0);
}

static void random_tlb(void)
{
    mtc0(C0_ENTRYHI, next());
    mtc0(C0_ENTRYLO0, next());
    mtc0(C0_ENTRYLO1, next());
    mtc0(C0_PAGEMASK, next() & 0x01FFE000u);
    mtc0(C0_INDEX, next() & 0x3F);
    if (next() & 1)
        __asm__ volatile("tlbwi\n\tehb");
    else
        __asm__ volatile("tlbwr\n\tehb");
}

static void random_cp0(void)
{
    switch (next() % 12) {
    case 0: mtc0(C0_INDEX, next()); break;
    case 1: mtc0(C0_ENTRYLO0, next()); break;
    case 2: mtc0(C0_CONTEXT, next()); break;
    case 3: mtc0(C0_WIRED, next()); break;
    case 4: mtc0(C0_BADVADDR, next()); break;
    case 5: mtc0(C0_COUNT, next()); break;
    case 6: mtc0(C0_ENTRYHI, next()); break;
    case 7: mtc0(C0_COMPARE, next()); break;
    case 8: mtc0(C0_CAUSE, next()); break;
    case 9: mtc0(C0_EPC, next()); break;
    case 10: mtc0(C0_CONFIG, next()); break;
    default: mtc0(C0_PRID, next()); break; /* read-only: ignored */
    }
}

static void random_bus(void)
{
    uint32_t base = slot_base(next() % IOBUS_MAX_BUSES, next() % IOBUS_SLOTS);
    uint32_t id = mmio_read(base + SLOT_REG_ID);
    uint32_t off = SLOT_DEV_BASE + ((next() % 0x400u) & ~3u);
    (void)mmio_read(base + off);
    if ((id & 0xFFFFu) != DEVID_POWER) /* keep running: no power-off */
        mmio_write(base + off, next());
}

void hostile_loop(void)
{
    for (;;) {
        steps++;
        switch (next() % 4) {
        case 0: random_code(); break;
        case 1: random_tlb(); break;
        case 2: random_cp0(); break;
        default: random_bus(); break;
        }
    }
}

int main(void)
{
    mtc0(C0_STATUS, 0); /* kernel mode, BEV off, interrupts off */
    __asm__ volatile("mtc0 %0, $15, 1\n\tehb" : : "r"(hv_base)); /* EBase */
    hostile_loop();
    return 0;
}
