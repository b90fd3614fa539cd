/*
 * tests/test_abi.c — the ABI in one place: guests never include host headers,
 * so guests/include mirrors the constants both sides share. This test
 * compiles both sides' definitions (abi_guest.c from guests/include, this
 * file from the host's headers) over the one list tests/abi_list.h and
 * compares every value.
 */
#include "cunit_main.h"

#include <stdio.h>

#include "abi_side.h"
#include "cpu/cp0_regs.h"
#include "dev/disk.h"
#include "dev/fb.h"
#include "dev/kbd.h"
#include "dev/nic.h"
#include "dev/power.h"
#include "dev/timer.h"
#include "dev/uart.h"
#include "iobus/iobus.h"
#include "machine/rom.h"
#include "mmu/phys.h"
#include "tlb/tlb.h"
#include "vmm/vmm.h"

#define ABI(guest, host) {#host, (unsigned long long)(host)},
static const struct abi_value abi_host[] = {
#include "abi_list.h"
};

static void test_guest_mirror_matches_host(void)
{
    unsigned n = sizeof abi_host / sizeof *abi_host, bad = 0;
    CU_ASSERT_EQUAL_FATAL(abi_guest_count, n);
    for (unsigned i = 0; i < n; i++)
        if (abi_guest[i].value != abi_host[i].value) {
            bad++;
            printf("\n  %s = %#llx in guests/include, but the host's %s = %#llx", abi_guest[i].name,
                   abi_guest[i].value, abi_host[i].name, abi_host[i].value);
        }
    CU_ASSERT_EQUAL(bad, 0);
    CU_ASSERT(n > 100);
}

static const struct test_case tests[] = {
    {"guests/include's constants equal the host's", test_guest_mirror_matches_host},
};

CUNIT_MAIN("abi", tests)
