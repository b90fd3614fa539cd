/*
 * tests/test_tlb_sizes.c — every TLB size the CLI offers (4..256) works:
 * the teaching kernel reads it from Config1 and Config4 (MMUSizeExt) and
 * says so for each size natively; at the 6-bit boundaries and a spread of
 * sizes its demonstration programs (init: processes exit and their ASIDs
 * are reused, so a TLB entry the kernel does not know of would kill the
 * next) all succeed natively and as guests of the monitor.
 */
#include "cunit_main.h"
#include "runcli.h"

#include <stdio.h>
#include <string.h>

static struct cli_result r;

static void test_every_size_is_read(void)
{
    for (unsigned n = 4; n <= 256; n++) {
        char args[128], want[64];
        snprintf(args, sizeof args, "run --native --console-in none --tlb %u --bootargs hello", n);
        snprintf(want, sizeof want, ", %u TLB entries,", n);
        cli_run(&r, args);
        CU_ASSERT_EQUAL(r.rc, 0);
        HAS(r.out, want);
    }
}

static const unsigned spread[] = {4, 5, 31, 63, 64, 65, 96, 127, 128, 129, 192, 255, 256};

static void test_programs_natively(void)
{
    for (unsigned i = 0; i < sizeof spread / sizeof *spread; i++) {
        char args[128];
        snprintf(args, sizeof args, "run --native --console-in none --tlb %u", spread[i]);
        cli_run(&r, args);
        CU_ASSERT_EQUAL(r.rc, 0);
        HAS(r.out, "init: done, 0 failures");
        CU_ASSERT_PTR_NULL(strstr(r.out, "killed"));
    }
}

static void test_programs_as_guests(void)
{
    for (unsigned i = 0; i < sizeof spread / sizeof *spread; i++) {
        char args[160], want[64];
        snprintf(args, sizeof args,
                 "run --vmm --console-in none --set guest0.tlb=%u --set guest1.tlb=%u", spread[i],
                 spread[i]);
        snprintf(want, sizeof want, "[g1] trapvisor teaching kernel: PRId 00540100, %u TLB",
                 spread[i]);
        cli_run(&r, args);
        CU_ASSERT_EQUAL(r.rc, 0);
        HAS(r.out, want);
        HAS(r.out, "[g0] init: done, 0 failures");
        HAS(r.out, "[g1] init: done, 0 failures");
        CU_ASSERT_PTR_NULL(strstr(r.out, "killed"));
    }
}

static const struct test_case tests[] = {
    {"every size 4..256 read from Config1 and Config4", test_every_size_is_read},
    {"the programs at 13 sizes, natively", test_programs_natively},
    {"the programs at 13 sizes, as guests of the monitor", test_programs_as_guests},
};

CUNIT_MAIN("tlb_sizes", tests)
