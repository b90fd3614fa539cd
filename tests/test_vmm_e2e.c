/*
 * tests/test_vmm_e2e.c — `trapvisor run --vmm` as a user runs it: two and
 * four guests finishing their programs, the same kernel giving the same
 * console output natively and under the monitor, the isolation probe beside
 * a victim, statistics and traces, and refused configurations.
 */
#include "cunit_main.h"
#include "runcli.h"

#include <cjson/cJSON.h>
#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static struct cli_result r, r2;

static void test_two_guests(void)
{
    cli_run(&r, "run --vmm --console-in none");
    CU_ASSERT_EQUAL(r.rc, 0);
    HAS(r.out, "[g0] init: done, 0 failures");
    HAS(r.out, "[g1] init: done, 0 failures");
    HAS(r.out, "[g0] kernel: all processes finished");
    HAS(r.out, "[g1] kernel: all processes finished");
    /* Each sees only its own bus besides the shared bus 0. */
    HAS(r.out, "[g0]   bus1.slot1  nic");
    HAS(r.out, "[g1]   bus2.slot0  fb");
    CU_ASSERT_PTR_NULL(strstr(r.out, "[g0]   bus2"));
    CU_ASSERT_PTR_NULL(strstr(r.out, "[g1]   bus1"));
    HAS(r.out, "[g0] trapvisor teaching kernel: PRId 00540100, 32 TLB entries, 16384 KiB RAM");
}

static void test_four_guests(void)
{
    cli_run(&r, "run --vmm --config " SOURCE_DIR "/configs/vmm-four.ini");
    CU_ASSERT_EQUAL(r.rc, 0);
    const char *names[] = {"alpha", "beta", "gamma", "delta"};
    for (int i = 0; i < 4; i++) {
        char line[96];
        snprintf(line, sizeof line, "[%s] kernel: all processes finished", names[i]);
        HAS(r.out, line);
        snprintf(line, sizeof line, "[%s] trapvisor teaching kernel:", names[i]);
        HAS(r.out, line);
    }
    HAS(r.out, "[alpha] compute: 17984 primes below 200000, crc32 13abea3d");
    HAS(r.out, "[beta] tlbstress: 1024 pages x 32 rounds, 0 bad words");
    HAS(r.out, "[delta] kernel: pid 2 (fault) killed: TLBS");
}

/* Timing is what may differ: "<n> ms", "uptime <n>", "<n> -> <n> ms". */
static void normalize(char *s)
{
    char *out = s;
    for (char *p = s; *p;) {
        if (isdigit((unsigned char)*p)) {
            char *q = p;
            while (isdigit((unsigned char)*q))
                q++;
            bool timing = strncmp(q, " ms", 3) == 0 || strncmp(q, " -> ", 4) == 0 ||
                          (p - s >= 7 && strncmp(p - 7, "uptime ", 7) == 0);
            if (timing) {
                *out++ = 'N';
                p = q;
                continue;
            }
            while (p < q)
                *out++ = *p++;
            continue;
        }
        *out++ = *p++;
    }
    *out = 0;
}

/* Keep guest g0's lines without their prefix. */
static void only_g0(char *s)
{
    char *out = s;
    for (char *line = s; *line;) {
        char *nl = strchr(line, '\n');
        size_t len = nl ? (size_t)(nl - line + 1) : strlen(line);
        if (strncmp(line, "[g0] ", 5) == 0) {
            memmove(out, line + 5, len - 5);
            out += len - 5;
        }
        line += len;
    }
    *out = 0;
}

static void test_transparency(void)
{
    /* The native board g0 sees: 16 MiB, bus 0 shared devices, bus 1's nic. */
    cli_run(&r, "run --native --console-in none --ram 16M --set bus2.slot0.type=none "
                "--set bus2.slot1.type=none");
    cli_run(&r2, "run --vmm --console-in none");
    CU_ASSERT_EQUAL(r.rc, 0);
    CU_ASSERT_EQUAL(r2.rc, 0);
    only_g0(r2.out);
    normalize(r.out);
    normalize(r2.out);
    CU_ASSERT(strlen(r.out) > 500);
    if (strcmp(r.out, r2.out) != 0)
        printf("\n--- native:\n%s\n--- g0 under the monitor:\n%s\n", r.out, r2.out);
    CU_ASSERT_STRING_EQUAL(r.out, r2.out);
}

static void test_isolation_probe(void)
{
    char disk[64], stats[64], args[512];
    make_temp_file(disk, 1 << 20);
    make_temp_file(stats, 0);
    snprintf(args, sizeof args,
             "run --vmm --config " SOURCE_DIR "/configs/isolation.ini --disk %s --stats %s", disk,
             stats);
    cli_run(&r, args);
    CU_ASSERT_EQUAL(r.rc, 0);
    HAS(r.out, "[probe] probe: 5 devices answer on 8 buses x 32 slots");
    HAS(r.out, "[probe] probe: bus1.slot0 answers: id 54560003");   /* its own disk */
    CU_ASSERT_PTR_NULL(strstr(r.out, "[probe] probe: bus2.slot0")); /* the victim's fb */
    HAS(r.out, "[probe] probe: 525 of 525 addresses outside the partition faulted");
    HAS(r.out, "[probe] probe: 124 of 124 forged TLB entries pointing outside faulted");
    HAS(r.out, "[probe] probe: 118 of 118 DMA transfers outside the partition refused");
    HAS(r.out, "[probe] probe: nothing found, nothing broken");
    HAS(r.out, "[victim] victim: 262144 words checked 20 times, 0 changed");
    cJSON *o = json_load(stats);
    CU_ASSERT_PTR_NOT_NULL_FATAL(o);
    CU_ASSERT_EQUAL(json_num(o, "io.dma_refused"), 118);
    const cJSON *guests = cJSON_GetObjectItemCaseSensitive(o, "guests");
    CU_ASSERT_EQUAL(cJSON_GetArraySize(guests), 2);
    const cJSON *probe = cJSON_GetArrayItem(guests, 0);
    CU_ASSERT_STRING_EQUAL(cJSON_GetObjectItemCaseSensitive(probe, "name")->valuestring, "probe");
    CU_ASSERT(json_num(probe, "reflected.DBE") >= 525 * 2);
    cJSON_Delete(o);
    unlink(disk);
    unlink(stats);
}

static void test_stats_and_trace(void)
{
    char stats[64], args[256];
    make_temp_file(stats, 0);
    snprintf(args, sizeof args, "run --vmm --console-in none --stats %s", stats);
    cli_run(&r, args);
    CU_ASSERT_EQUAL(r.rc, 0);
    cJSON *o = json_load(stats);
    CU_ASSERT_PTR_NOT_NULL_FATAL(o);
    CU_ASSERT_STRING_EQUAL(cJSON_GetObjectItemCaseSensitive(o, "mode")->valuestring, "vmm");
    const cJSON *guests = cJSON_GetObjectItemCaseSensitive(o, "guests");
    CU_ASSERT_EQUAL(cJSON_GetArraySize(guests), 2);
    for (int i = 0; i < 2; i++) {
        const cJSON *g = cJSON_GetArrayItem(guests, i);
        CU_ASSERT(json_num(g, "traps.total") > 1000);
        CU_ASSERT(json_num(g, "traps.privileged") > 0);
        CU_ASSERT(json_num(g, "traps.tlb_miss") > 0);
        CU_ASSERT(json_num(g, "traps.mmio") > 0);
        CU_ASSERT(json_num(g, "emulated.eret") > 0);
        CU_ASSERT(json_num(g, "emulated.tlbwr") > 0);
        CU_ASSERT(json_num(g, "emulated.mtc0") > 0);
        CU_ASSERT(json_num(g, "tlb_decisions.accepted") > 0);
        CU_ASSERT_EQUAL(json_num(g, "tlb_decisions.rejected"), 0);
        CU_ASSERT(json_num(g, "reflected.Sys") > 0);
        CU_ASSERT(json_num(g, "reflected.TLBL") > 0);
        CU_ASSERT(json_num(g, "interrupts_delivered") > 0);
        CU_ASSERT(json_num(g, "time_slices") > 1);
        CU_ASSERT_EQUAL(json_num(g, "exit_code"), 0);
        double share = json_num(g, "monitor_share");
        CU_ASSERT(share > 0 && share < 1);
    }
    double share = json_num(o, "monitor.monitor_share");
    CU_ASSERT(share > 0 && share < 1);
    cJSON_Delete(o);
    unlink(stats);

    cli_run(&r, "run --vmm --console-in none --bootargs hello --trace vmm");
    CU_ASSERT_EQUAL(r.rc, 0);
    HAS(r.err, "vmm g0 reflect Sys");
    HAS(r.err, "vmm g1 emulate");
    HAS(r.err, "accept");
    HAS(r.err, "vmm g0 mmio load32 1e000000 -> 54560001"); /* the firmware finds the uart */
    HAS(r.err, "vmm g0 mmio store32 1e000100 <- ");        /* and prints */
    HAS(r.err, "vmm switch to g1");
    HAS(r.err, "vmm g1 power off, code 0");
}

static void test_little_endian(void)
{
    cli_run(&r, "run --vmm --le --console-in none --bootargs hello");
    CU_ASSERT_EQUAL(r.rc, 0);
    HAS(r.out, "[g0] hello from user mode");
    HAS(r.out, "[g1] hello from user mode");
    HAS(r.out, "little-endian");
}

static void test_bad_configs(void)
{
    cli_run(&r, "run --vmm --set guest1.buses=1");
    CU_ASSERT_EQUAL(r.rc, 2);
    HAS(r.err, "bus 1 is given to guest0 (g0) and guest1 (g1)");
    cli_run(&r, "run --vmm --set guest0.base=0 --set guest1.base=8M");
    CU_ASSERT_EQUAL(r.rc, 2);
    HAS(r.err, "overlap in RAM");
    cli_run(&r, "run --vmm --set guest1.ram=100M");
    CU_ASSERT_EQUAL(r.rc, 2);
    HAS(r.err, "no room for 100 MiB");
    cli_run(&r, "run --vmm --set guest0.kernel=/nonexistent.elf");
    CU_ASSERT_EQUAL(r.rc, 2);
    HAS(r.err, "g0: kernel /nonexistent.elf");
    cli_run(&r, "run --native --trace vmm");
    CU_ASSERT_EQUAL(r.rc, 2);
    HAS(r.err, "--trace vmm needs --vmm");
    cli_run(&r, "run --vmm --trace exceptions,tlb");
    CU_ASSERT_EQUAL(r.rc, 2);
    HAS(r.err, "--trace vmm shows them");
    cli_run(&r, "run --vmm --console-in none --bootargs hello --trace io,vmm");
    CU_ASSERT_EQUAL(r.rc, 0);
    HAS(r.err, "io   read  bus1.slot1 (nic) header+0x000"); /* g0's own bus, passed through */
    HAS(r.err, "vmm g0 mmio load32 1e000000");              /* the emulated one, by the monitor */
    cli_run(&r, "run --vmm --set vmm.quantum=5");
    CU_ASSERT_EQUAL(r.rc, 2);
    HAS(r.err, "vmm.quantum");
    cli_run(&r, "run --vmm --console-in none --max-insns 100000");
    CU_ASSERT_EQUAL(r.rc, 124);
}

static void test_hosted_kernel(void)
{
    /* --kernel under the monitor is each guest's default kernel... */
    cli_run(&r, "run --vmm --console-in none --kernel guest:gotcha");
    CU_ASSERT_EQUAL(r.rc, 0);
    HAS(r.out, "[g0] gotcha: RESULT mfc0=ok diei=ok code=ok eret=ok");
    HAS(r.out, "[g1] gotcha: RESULT mfc0=ok diei=ok code=ok eret=ok");
    /* ...and the hosted board never opens it itself: a guest that names its
     * own kernel does not need the board's. */
    cli_run(&r, "run --vmm --console-in none --bootargs hello --kernel /nonexistent.elf "
                "--set guest0.kernel=guest:kernel --set guest1.kernel=guest:kernel");
    CU_ASSERT_EQUAL(r.rc, 0);
    HAS(r.out, "[g1] hello from user mode");
    cli_run(&r, "run --vmm --console-in none --kernel /nonexistent.elf "
                "--set guest0.kernel=guest:kernel");
    CU_ASSERT_EQUAL(r.rc, 2);
    HAS(r.err, "g1: kernel /nonexistent.elf");
}

static const struct test_case tests[] = {
    {"two guests boot and finish their programs", test_two_guests},
    {"four guests (configs/vmm-four.ini)", test_four_guests},
    {"transparency: same console output natively and under the monitor", test_transparency},
    {"isolation probe beside a victim (configs/isolation.ini)", test_isolation_probe},
    {"--stats guests array, --trace vmm", test_stats_and_trace},
    {"little-endian guests", test_little_endian},
    {"refused configurations, budget", test_bad_configs},
    {"--kernel under the monitor: every guest's default", test_hosted_kernel},
};

CUNIT_MAIN("vmm-e2e", tests)
