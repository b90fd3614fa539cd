/*
 * tests/test_resident_place.c — the `unused` placement search for the
 * monitor's resident portion (vmm/resident_place.h): top-down, size-aligned,
 * avoiding the guest's valid TLB entries (any ASID, any page size), its
 * kseg0/kseg1 (never), touched and conflicted granules.
 */
#include "cunit_main.h"

#include <stdlib.h>

#include "vmm/resident_place.h"

static struct rp_map *scratch, *touched, *conflicted;
static tlb_t *vtlb;

static void fresh(void)
{
    if (!scratch) {
        scratch = malloc(sizeof *scratch);
        touched = malloc(sizeof *touched);
        conflicted = malloc(sizeof *conflicted);
        CU_ASSERT_FATAL(scratch && touched && conflicted);
    }
    rp_clear(touched);
    rp_clear(conflicted);
    if (vtlb)
        tlb_free(vtlb);
    vtlb = tlb_new(16);
    CU_ASSERT_PTR_NOT_NULL_FATAL(vtlb);
}

static uint32_t place(uint32_t size)
{
    struct rp_view v = {vtlb, touched, conflicted};
    uint32_t va = 0x1234;
    if (!rp_find_unused(&v, size, scratch, &va))
        return 1; /* no placement (never a valid, aligned answer) */
    return va;
}

static void entry(unsigned i, uint32_t hi, uint32_t lo0, uint32_t lo1, uint32_t mask)
{
    struct tlb_regs r = {hi, lo0, lo1, mask};
    tlb_write(vtlb, i, &r);
}

static void test_map_bits(void)
{
    fresh();
    rp_mark(touched, 0x00002000u, 0x2000u);
    CU_ASSERT_TRUE(rp_any(touched, 0x00002000u, 1));
    CU_ASSERT_TRUE(rp_any(touched, 0x00003FFFu, 1));
    CU_ASSERT_FALSE(rp_any(touched, 0x00000000u, 0x2000u));
    CU_ASSERT_FALSE(rp_any(touched, 0x00004000u, 0x100000u));
    CU_ASSERT_FALSE(rp_any(touched, 0x00002000u, 0)); /* empty range */
    /* A partial granule marks all of it; whole words and ragged ends. */
    rp_mark(touched, 0x10001000u, 0x10u);
    CU_ASSERT_TRUE(rp_any(touched, 0x10000000u, 0x2000u));
    rp_mark(touched, 0x20006000u, 0x01000000u);
    CU_ASSERT_TRUE(rp_any(touched, 0x21005FFFu, 1));
    CU_ASSERT_FALSE(rp_any(touched, 0x21006000u, 0x2000u));
    CU_ASSERT_FALSE(rp_any(touched, 0x20004000u, 0x2000u));
    /* Clipped at the top of the address space, no wrap to 0. */
    rp_mark(conflicted, 0xFFFFF000u, 0x10000u);
    CU_ASSERT_TRUE(rp_any(conflicted, 0xFFFFE000u, 0x2000u));
    CU_ASSERT_FALSE(rp_any(conflicted, 0x00000000u, 0x10000u));
}

static void test_empty_guest_top_down(void)
{
    fresh();
    CU_ASSERT_EQUAL(place(0x2000u), 0xFFFFE000u);
    CU_ASSERT_EQUAL(place(0x4000u), 0xFFFFC000u);
    CU_ASSERT_EQUAL(place(0x100000u), 0xFFF00000u);
}

static void test_avoids_valid_entries(void)
{
    fresh();
    /* Invalid entries do not count... */
    entry(0, 0xFFFFE000u, 0, 0, 0);
    CU_ASSERT_EQUAL(place(0x2000u), 0xFFFFE000u);
    /* ...a valid half does, whatever its ASID. */
    entry(0, 0xFFFFE000u | 5, 0, (7u << 6) | ENTRYLO_V, 0);
    CU_ASSERT_EQUAL(place(0x2000u), 0xFFFFC000u);
    /* A 16 MiB-page pair covers 32 MiB. */
    entry(1, 0xFE000000u, ENTRYLO_V, 0, 0x01FFE000u);
    CU_ASSERT_EQUAL(place(0x2000u), 0xFDFFE000u);
    /* Alignment: a 64 KiB region skips past a busy granule inside it. */
    entry(2, 0xFDFF0000u, ENTRYLO_V | ENTRYLO_G, ENTRYLO_G, 0);
    CU_ASSERT_EQUAL(place(0x10000u), 0xFDFE0000u);
    CU_ASSERT_EQUAL(place(0x2000u), 0xFDFFE000u);
}

static void test_avoids_history_and_windows(void)
{
    fresh();
    rp_mark(touched, 0xFFFFE000u, 0x2000u);
    CU_ASSERT_EQUAL(place(0x2000u), 0xFFFFC000u);
    rp_mark(conflicted, 0xFFFFC000u, 0x2000u);
    CU_ASSERT_EQUAL(place(0x2000u), 0xFFFFA000u);
    /* With everything from kseg2 up in use, never kseg0/kseg1 (the real
     * kernel mode does not translate them): the top of kuseg. */
    rp_mark(conflicted, 0xC0000000u, 0x40000000u);
    CU_ASSERT_EQUAL(place(0x2000u), 0x7FFFE000u);
    rp_mark(touched, 0x00000000u, 0x80000000u);
    CU_ASSERT_EQUAL(place(0x2000u), 1);
}

static void test_none_left(void)
{
    fresh();
    rp_mark(conflicted, 0, 0xFFFFFFFFu);
    CU_ASSERT_EQUAL(place(0x2000u), 1u);
    /* One free granule: found for 8 KiB, not for 16 KiB. */
    fresh();
    rp_mark(conflicted, 0, 0x00006000u);
    rp_mark(conflicted, 0x00008000u, 0xFFFF8000u);
    CU_ASSERT_EQUAL(place(0x2000u), 0x00006000u);
    CU_ASSERT_EQUAL(place(0x4000u), 1u);
}

static void test_deterministic(void)
{
    /* The same facts give the same answer, whatever the scratch held before. */
    fresh();
    entry(3, 0xC0000000u, ENTRYLO_V, ENTRYLO_V, 0x1FFFE000u);
    uint32_t a = place(0x2000u);
    rp_mark(scratch, 0, 0xFFFFFFFFu);
    CU_ASSERT_EQUAL(place(0x2000u), a);
    CU_ASSERT_EQUAL(a, 0xFFFFE000u);
    tlb_free(vtlb);
    vtlb = NULL;
    free(scratch);
    free(touched);
    free(conflicted);
    scratch = touched = conflicted = NULL;
}

static void test_random_region(void)
{
    /* Never kseg0/kseg1, always granule-aligned, never the avoided ones or
     * the current place; the same state, the same sequence. */
    fresh();
    uint64_t st = 42, st2 = 42;
    rp_mark(conflicted, 0, 0x40000000u); /* avoid the low GiB */
    for (int i = 0; i < 2000; i++) {
        uint32_t va = rp_random_region(&st, conflicted, 0xC0000000u);
        CU_ASSERT(va < 0x80000000u || va >= 0xC0000000u);
        CU_ASSERT_EQUAL(va & 0x1FFFu, 0);
        CU_ASSERT(va >= 0x40000000u);
        CU_ASSERT_NOT_EQUAL(va, 0xC0000000u);
        CU_ASSERT_EQUAL(rp_random_region(&st2, conflicted, 0xC0000000u), va);
    }
    /* Spread over the 3 GiB: each of the three GiBs outside kseg0/1 drawn. */
    unsigned gib[4] = {0};
    st = 1;
    for (int i = 0; i < 300; i++)
        gib[rp_random_region(&st, NULL, 0) >> 30]++;
    CU_ASSERT(gib[0] > 50 && gib[1] > 50 && gib[3] > 50);
    CU_ASSERT_EQUAL(gib[2], 0);
}

static void test_random_mapped(void)
{
    /* Among what the guest maps, weighted by bytes: a 16 KiB pair at
     * 0x00400000 and a 32 MiB one at 0xC0000000 (16 MiB pages); an entry
     * in kseg0 and invalid ones do not count. */
    fresh();
    uint64_t st = 3;
    uint32_t va = 0;
    CU_ASSERT_FALSE(rp_random_mapped(&st, vtlb, NULL, 0, &va)); /* maps nothing */
    entry(0, 0x00400000u, 0x42, 0x82, 0x2000u);                 /* 8 KiB pages */
    entry(1, 0xC0000000u, 0x1002, 0x1402, 0x01FFE000u);         /* 16 MiB pages */
    entry(2, 0x80000000u, 0x2, 0x2, 0);                         /* kseg0: never matches */
    entry(3, 0x00800000u, 0, 0, 0);                             /* invalid */
    unsigned small = 0, big = 0;
    for (int i = 0; i < 4000; i++) {
        CU_ASSERT_FATAL(rp_random_mapped(&st, vtlb, NULL, 0, &va));
        CU_ASSERT_EQUAL(va & 0x1FFFu, 0);
        if (va - 0x00400000u < 0x4000u)
            small++;
        else if (va - 0xC0000000u < 0x02000000u)
            big++;
        else
            CU_FAIL("a region the guest does not map");
    }
    CU_ASSERT(big > 3900); /* 4096 granules against 2 */
    CU_ASSERT(small < 40);
    /* Avoided granules and the current place are skipped. */
    rp_mark(conflicted, 0xC0000000u, 0x02000000u);
    for (int i = 0; i < 50; i++) {
        CU_ASSERT_FATAL(rp_random_mapped(&st, vtlb, conflicted, 0x00402000u, &va));
        CU_ASSERT_EQUAL(va, 0x00400000u);
    }
}

static void test_history(void)
{
    /* Regions in first-visit order with their touches; a period with more
     * than `quiet` touches says move, a quiet one settles. */
    struct rp_history h;
    rp_history_clear(&h);
    CU_ASSERT_FALSE(rp_history_period(&h, 4)); /* nowhere yet */
    rp_history_enter(&h, 0xC0000000u);
    for (int i = 0; i < 5; i++)
        rp_history_touch(&h, true);
    rp_history_touch(&h, false); /* a fetch: a conflict, not served */
    CU_ASSERT(rp_history_period(&h, 4));
    CU_ASSERT_FALSE(h.settled);
    CU_ASSERT_EQUAL(h.r[0].conflicts, 6);
    CU_ASSERT_EQUAL(h.r[0].served, 5);
    CU_ASSERT_EQUAL(h.r[0].periods, 1);
    rp_history_enter(&h, 0xE0000000u);
    rp_history_touch(&h, true);
    CU_ASSERT_FALSE(rp_history_period(&h, 4));
    CU_ASSERT(h.settled);
    CU_ASSERT_FALSE(rp_history_period(&h, 4)); /* quiet again: stays */
    CU_ASSERT_EQUAL(h.r[1].periods, 2);
    CU_ASSERT_EQUAL(h.n, 2);
    /* Back to a region seen before: the same record. */
    rp_history_enter(&h, 0xC0000000u);
    CU_ASSERT_EQUAL(h.n, 2);
    CU_ASSERT_EQUAL(h.cur, 0);
    CU_ASSERT_FALSE(h.settled);
    rp_history_touch(&h, true);
    CU_ASSERT_EQUAL(h.r[0].conflicts, 7);
    /* Full: the oldest goes, the order stays. */
    for (uint32_t i = 0; i < RP_REGIONS; i++)
        rp_history_enter(&h, 0x10000000u + i * 0x2000u);
    CU_ASSERT_EQUAL(h.n, RP_REGIONS);
    CU_ASSERT_EQUAL(h.r[0].va, 0x10000000u);
    CU_ASSERT_EQUAL(h.r[RP_REGIONS - 1].va, 0x10000000u + (RP_REGIONS - 1) * 0x2000u);
    CU_ASSERT_EQUAL(h.cur, RP_REGIONS - 1);
}

static const struct test_case tests[] = {
    {"granule map: mark, test, clip", test_map_bits},
    {"empty guest: top-down, aligned", test_empty_guest_top_down},
    {"valid TLB entries: any ASID, any page size", test_avoids_valid_entries},
    {"touched, conflicted, never kseg0/kseg1", test_avoids_history_and_windows},
    {"nothing unused", test_none_left},
    {"deterministic", test_deterministic},
    {"random regions: outside kseg0/1, seeded, spread", test_random_region},
    {"random among the mapped regions, by bytes", test_random_mapped},
    {"history: touches, periods, settling", test_history},
};

CUNIT_MAIN("resident placement", tests)
