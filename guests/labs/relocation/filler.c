/*
 * guests/labs/relocation/filler.c — the relocation lab's second kernel
 * (docs/labs/relocation.md). It maps its whole address space outside
 * kseg0/kseg1 — kuseg, kseg2, kseg3: 96 pairs of 16 MiB pages — every page
 * onto the same 16 MiB of its RAM (physical 16 MiB up), so that no region
 * is unused: a monitor's resident portion has to share a region with it,
 * and each access it makes there must be done for it, coherently with the
 * 191 other aliases of the same memory. In order:
 *   [write] a pattern over the 16 MiB, through kseg0;
 *   [read]  one word of every 8 KiB granule of the 3 GiB, each compared
 *           with the pattern;
 *   [store] through every granule a word of its own (word va >> 24 of the
 *           granule: the aliases of one granule write different words);
 *   [check] each of those words, through kseg0, and through its own alias.
 * It prints the wrong words of each phase and powers off with their number
 * (255 at most), 254 for an unexpected exception. Its guest needs a TLB of
 * at least 96 pairs (tlb = 128 in configs/labs/relocation.ini).
 */
#include "lablib.h"

#define ALIAS_PA  0x01000000u /* the 16 MiB every page maps onto */
#define ALIAS_LEN 0x01000000u
#define PAIRS     96u /* 2 GiB of kuseg and 1 GiB of kseg2/kseg3, 32 MiB each */
#define GRANULE   0x2000u

static unsigned bad;

static uint32_t pattern(uint32_t pa) { return pa * 0x9E3779B1u ^ 0xA5A50000u; }

/* The VA of pair p's first byte: kuseg, then kseg2 and kseg3. */
static uint32_t pair_va(unsigned p) { return p < 64 ? p << 25 : 0xC0000000u + ((p - 64) << 25); }

/* The word granule va stores into, and what it stores. */
static uint32_t own_offset(uint32_t va) { return (va >> 24) * 4u; }
static uint32_t own_value(uint32_t va) { return va ^ 0x0F0F1234u; }

void exc_handler(uint32_t cause, uint32_t epc, uint32_t badvaddr)
{
    say("filler: unexpected exception %u at %08x (BadVAddr %08x)\n",
        (cause & CAUSE_EXC_MASK) >> CAUSE_EXC_SHIFT, epc, badvaddr);
    power_off(254);
}

static void report(const char *phase, unsigned wrong, uint32_t sum)
{
    bad += wrong;
    say("filler: [%s] %u wrong words, checksum %08x\n", phase, wrong, sum);
}

static void done(const char *phase) { say("filler: [%s] done\n", phase); }

void lab_main(uint32_t fdt, uint32_t bootinfo)
{
    (void)fdt;
    (void)bootinfo;
    mtc0(C0_STATUS, ST_IM7);
    find_devices();
    say("filler: the relocation lab's filler: 3 GiB mapped onto 16 MiB\n");
    for (unsigned p = 0; p < PAIRS; p++)
        tlb_put((int)p, pair_va(p), lo_pa(ALIAS_PA, true), lo_pa(ALIAS_PA, true),
                0x01FFE000u); /* 16 MiB pages */

    volatile uint32_t *k0 = (volatile uint32_t *)(0x80000000u + ALIAS_PA);
    for (uint32_t off = 0; off < ALIAS_LEN; off += 4)
        k0[off / 4] = pattern(ALIAS_PA + off);
    done("write");

    unsigned wrong = 0;
    uint32_t sum = 2166136261u;
    for (unsigned p = 0; p < PAIRS; p++)
        for (uint32_t g = 0; g < 0x02000000u; g += GRANULE) {
            uint32_t va = pair_va(p) + g + 4 * (p & 7);
            uint32_t w = *(volatile uint32_t *)va;
            sum = (sum ^ w) * 16777619u; /* FNV-1a step: repeats do not cancel */
            wrong += w != pattern(ALIAS_PA + (va & (ALIAS_LEN - 1)));
        }
    report("read", wrong, sum);

    for (unsigned p = 0; p < PAIRS; p++)
        for (uint32_t g = 0; g < 0x02000000u; g += GRANULE) {
            uint32_t va = pair_va(p) + g;
            *(volatile uint32_t *)(va + own_offset(va)) = own_value(va);
        }
    done("store");

    wrong = 0;
    sum = 2166136261u;
    for (unsigned p = 0; p < PAIRS; p++)
        for (uint32_t g = 0; g < 0x02000000u; g += GRANULE) {
            uint32_t va = pair_va(p) + g, off = (va & (ALIAS_LEN - 1)) + own_offset(va);
            uint32_t w = k0[off / 4], mine = *(volatile uint32_t *)(va + own_offset(va));
            sum = (sum ^ w) * 16777619u; /* FNV-1a step: repeats do not cancel */
            wrong += (w != own_value(va)) + (mine != own_value(va));
        }
    report("check", wrong, sum);
    say("filler: RESULT %s\n", bad ? "BROKEN" : "ok");
    power_off(bad > 255 ? 255 : bad);
}
