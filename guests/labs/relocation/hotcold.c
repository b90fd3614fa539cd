/*
 * guests/labs/relocation/hotcold.c — the relocation lab's third kernel
 * (docs/labs/relocation.md). It maps two regions of 32 MiB, each one pair of
 * 16 MiB pages onto the same 16 MiB of its RAM (physical 16 MiB up): hot at
 * 0xC0000000, which it reads over and over (one word of every 8 KiB granule
 * per sweep, 400 sweeps), and cold at 0xE0000000, which it reads once at
 * the end. A monitor whose resident portion shares a region with it (the
 * `periodic` policy) finds its way out of the hot region and settles in the
 * cold one. Every word read is compared with what the kernel wrote through
 * kseg0; it prints the wrong words and a checksum per phase and powers off
 * with their number (255 at most), 254 for an unexpected exception.
 */
#include "lablib.h"

#define ALIAS_PA  0x01000000u
#define ALIAS_LEN 0x01000000u
#define HOT       0xC0000000u
#define COLD      0xE0000000u
#define REGION    0x02000000u
#define GRANULE   0x2000u
#define SWEEPS    400u

static unsigned bad;

static uint32_t pattern(uint32_t pa) { return pa * 0x9E3779B1u ^ 0x3C3C0000u; }

void exc_handler(uint32_t cause, uint32_t epc, uint32_t badvaddr)
{
    say("hotcold: unexpected exception %u at %08x (BadVAddr %08x)\n",
        (cause & CAUSE_EXC_MASK) >> CAUSE_EXC_SHIFT, epc, badvaddr);
    power_off(254);
}

/* One word of every granule of [base, base + REGION): wrong ones counted. */
static unsigned sweep(uint32_t base, uint32_t *sum)
{
    unsigned wrong = 0;
    for (uint32_t g = 0; g < REGION; g += GRANULE) {
        uint32_t va = base + g + 0x40u;
        uint32_t w = *(volatile uint32_t *)va;
        *sum = (*sum ^ w) * 16777619u; /* FNV-1a step: repeats do not cancel */
        wrong += w != pattern(ALIAS_PA + (va & (ALIAS_LEN - 1)));
    }
    return wrong;
}

void lab_main(uint32_t fdt, uint32_t bootinfo)
{
    (void)fdt;
    (void)bootinfo;
    mtc0(C0_STATUS, ST_IM7);
    find_devices();
    say("hotcold: the relocation lab's hot and cold regions\n");
    tlb_put(0, HOT, lo_pa(ALIAS_PA, false), lo_pa(ALIAS_PA, false), 0x01FFE000u);
    tlb_put(1, COLD, lo_pa(ALIAS_PA, false), lo_pa(ALIAS_PA, false), 0x01FFE000u);
    volatile uint32_t *k0 = (volatile uint32_t *)(0x80000000u + ALIAS_PA);
    for (uint32_t off = 0; off < ALIAS_LEN; off += 4)
        k0[off / 4] = pattern(ALIAS_PA + off);

    unsigned wrong = 0;
    uint32_t sum = 2166136261u;
    for (unsigned i = 0; i < SWEEPS; i++)
        wrong += sweep(HOT, &sum);
    bad += wrong;
    say("hotcold: [hot] %u sweeps, %u wrong words, checksum %08x\n", SWEEPS, wrong, sum);
    sum = 2166136261u;
    wrong = sweep(COLD, &sum);
    bad += wrong;
    say("hotcold: [cold] 1 sweep, %u wrong words, checksum %08x\n", wrong, sum);
    say("hotcold: RESULT %s\n", bad ? "BROKEN" : "ok");
    power_off(bad > 255 ? 255 : bad);
}
