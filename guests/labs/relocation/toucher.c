/*
 * guests/labs/relocation/toucher.c — the relocation lab's first kernel
 * (docs/labs/relocation.md). It maps and touches, on purpose, the top of
 * its address space (kseg3): where a monitor's resident portion is placed
 * first, and each place the `unused` policy moves it to next. In order:
 *   [boot]      kernel mode writes a TLB entry over 0xFFFFE000 (TLBWI) and
 *               fills the pair through it;
 *   [kernel]    a load from 0xFFFFC000, not mapped yet: its refill handler
 *               maps the pair, and the kernel fills it;
 *   [interrupt] the timer interrupt handler maps 0xFFFFA000 (TLBWI: a fault
 *               inside a handler would be a nested exception) and fills it;
 *   [user]      a user process loads from 0xFFFF8000: kseg3 from user mode,
 *               an address error the kernel skips;
 *   [refill]    a load from 0xFFFF6000: the refill handler maps the whole
 *               32 KiB at 0xFFFF0000 with one pair of 16 KiB pages;
 *   [later]     every region is read back.
 * Each region holds a pattern of its own; the kernel checks every word
 * after each phase and prints a checksum of all of them, so a run under a
 * monitor prints exactly what the native run prints. It powers off with the
 * number of wrong words (255 at most), or 254 for an unexpected exception.
 */
#include "lablib.h"

#define USER_VA  0x00400000u
#define NSMALL   4           /* 8 KiB pairs at 0xFFFFE000, C000, A000, 8000 */
#define BIG_VA   0xFFFF0000u /* one pair of 16 KiB pages */
#define BIG_SIZE 0x8000u
#define TOUCH    0xFFFF6000u /* the [refill] phase's load, inside the big pair */

void lab_later(void) __attribute__((noreturn));

static volatile uint32_t user_page[1024] __attribute__((aligned(4096)));
static uint32_t small[NSMALL][2048] __attribute__((aligned(8192)));
static uint32_t big[BIG_SIZE / 4] __attribute__((aligned(BIG_SIZE)));
static volatile uint32_t irqs, user_faults;
static volatile bool in_user, irq_fill;
static unsigned bad, filled;
static const char *phase = "boot";

static uint32_t small_va(unsigned i) { return 0xFFFFE000u - i * 0x2000u; }

/* ---- the regions ------------------------------------------------------------ */

static uint32_t pattern(uint32_t va) { return va * 0x9E3779B1u ^ 0x5A5A0000u; }

/* Fill [va, va + len) through its mapping, then note it as filled. */
static void fill(uint32_t va, uint32_t len)
{
    volatile uint32_t *p = (volatile uint32_t *)va;
    for (uint32_t k = 0; k < len / 4; k++)
        p[k] = pattern(va + 4 * k);
}

/* Wrong words in [va, va + len); their sum of values into *sum. */
static unsigned check(uint32_t va, uint32_t len, uint32_t *sum)
{
    volatile const uint32_t *p = (volatile const uint32_t *)va;
    unsigned wrong = 0;
    for (uint32_t k = 0; k < len / 4; k++) {
        uint32_t w = p[k];
        *sum = (*sum << 1 | *sum >> 31) ^ w;
        wrong += w != pattern(va + 4 * k);
    }
    return wrong;
}

/* Check everything filled so far; say so after the phase. */
static void check_all(void)
{
    uint32_t sum = 0;
    unsigned wrong = 0;
    for (unsigned i = 0; i < NSMALL && i < filled; i++)
        wrong += check(small_va(i), 0x2000u, &sum);
    if (filled > NSMALL)
        wrong += check(TOUCH, 0x2000u, &sum);
    bad += wrong;
    say("toucher: [%s] %u regions, %u wrong words, checksum %08x\n", phase, filled, wrong, sum);
}

/* The pair covering va, as its page table would say (kseg3 top only). */
static bool pte_of(uint32_t va, uint32_t *hi, uint32_t *lo0, uint32_t *lo1, uint32_t *mask)
{
    if (va >= BIG_VA && va < BIG_VA + BIG_SIZE) {
        *hi = BIG_VA;
        *lo0 = lo_of(big, true);
        *lo1 = lo_of(big + BIG_SIZE / 8, true);
        *mask = 0x00006000u; /* 16 KiB pages */
        return true;
    }
    for (unsigned i = 0; i < NSMALL; i++)
        if ((va & ~0x1FFFu) == small_va(i)) {
            *hi = small_va(i);
            *lo0 = lo_of(small[i], true);
            *lo1 = lo_of(small[i] + 1024, true);
            *mask = 0;
            return true;
        }
    return false;
}

static void tlb_write(uint32_t va, bool random, unsigned index)
{
    uint32_t hi, lo0, lo1, mask;
    if (pte_of(va, &hi, &lo0, &lo1, &mask))
        tlb_put(random ? -1 : (int)index, hi, lo0, lo1, mask);
}

/* ---- exceptions ------------------------------------------------------------ */

void exc_handler(uint32_t cause, uint32_t epc, uint32_t badvaddr)
{
    unsigned code = (cause & CAUSE_EXC_MASK) >> CAUSE_EXC_SHIFT;
    uint32_t hi, lo0, lo1, mask;
    if (code == EXC_INT) {
        irqs++;
        mtc0(C0_COMPARE, mfc0(C0_COUNT) - 1); /* acknowledge: next match 2^32 cycles away */
        if (irq_fill) {
            irq_fill = false;
            tlb_write(small_va(2), false, 2);
            fill(small_va(2), 0x2000u);
            filled = 3;
        }
        return;
    }
    if ((code == EXC_TLBL || code == EXC_TLBS) && pte_of(badvaddr, &hi, &lo0, &lo1, &mask)) {
        tlb_write(badvaddr, true, 0);
        return;
    }
    if (in_user && code == EXC_ADEL) {
        user_faults++;
        mtc0(C0_EPC, epc + 4);
        return;
    }
    if (in_user && code == EXC_SYS) {
        in_user = false;
        mtc0(C0_EPC, (uint32_t)lab_later);
        mtc0(C0_STATUS, ST_IM7 | ST_EXL); /* ERET into the kernel */
        return;
    }
    say("toucher: unexpected exception %u at %08x (BadVAddr %08x) during [%s]\n", code, epc,
        badvaddr, phase);
    power_off(254);
}

/* ---- the phases -------------------------------------------------------------- */

void lab_main(uint32_t fdt, uint32_t bootinfo)
{
    (void)fdt;
    (void)bootinfo;
    mtc0(C0_STATUS, ST_IM7); /* kernel mode, interrupts off, our vectors */
    find_devices();
    say("toucher: the relocation lab's toucher: kseg3's top, region by region\n");

    tlb_write(small_va(0), false, 1);
    fill(small_va(0), 0x2000u);
    filled = 1;
    check_all();

    phase = "kernel";
    uint32_t first = *(volatile uint32_t *)small_va(1);
    say("toucher: [kernel] %08x reads %08x before it is filled\n", small_va(1), first);
    fill(small_va(1), 0x2000u);
    filled = 2;
    check_all();

    phase = "interrupt";
    irq_fill = true;
    mtc0(C0_COMPARE, mfc0(C0_COUNT) + 2000);
    mtc0(C0_STATUS, ST_IM7 | ST_IE);
    for (volatile unsigned i = 0; i < 100000 && irq_fill; i++)
        ;
    mtc0(C0_STATUS, ST_IM7);
    say("toucher: [interrupt] %u timer interrupt(s)\n", irqs);
    check_all();

    phase = "user";
    mtc0(C0_WIRED, 1);
    mtc0(C0_INDEX, 0);
    mtc0(C0_PAGEMASK, 0);
    mtc0(C0_ENTRYHI, USER_VA);
    mtc0(C0_ENTRYLO0, lo_of(user_code, false));
    mtc0(C0_ENTRYLO1, lo_of((const void *)user_page, true));
    __asm__ volatile("tlbwi\n\tehb" ::: "memory");
    user_page[0] = small_va(3);
    user_page[1] = 0x600Du;
    in_user = true;
    enter_user(USER_VA, ST_KSU_USER | ST_EXL | ST_IM7);
}

void lab_later(void)
{
    say("toucher: [user] its load from %08x faulted %u time(s), it read %08x\n", small_va(3),
        user_faults, user_page[1]);
    fill(small_va(3), 0x2000u);
    filled = 4;
    check_all();

    phase = "refill";
    uint32_t first = *(volatile uint32_t *)TOUCH;
    say("toucher: [refill] %08x reads %08x before it is filled\n", TOUCH, first);
    fill(TOUCH, 0x2000u);
    filled = 5;
    check_all();

    phase = "later";
    check_all();
    /* (How often its refill handler ran is not printed: TLBWR's choice of
     * entry follows the clock, which a monitor changes.) */
    say("toucher: RESULT %s\n", bad ? "BROKEN" : "ok");
    power_off(bad > 255 ? 255 : bad);
}
