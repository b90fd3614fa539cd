/*
 * tests/test_gotcha_e2e.c — the virtualizability lab as a student runs it:
 * the lab kernel under each sensitive-instruction switch (each must break
 * the guest in its own way: the test asserts the wrong outcome), the same
 * unsafe hardware with the scanner fix and with the paravirtual kernel
 * (right again), the teaching kernel under unsafe hardware with and without
 * the fix, `--trace gotcha`, the counters, `trapvisor lab gotcha`, and
 * refused settings.
 */
#include "cunit_main.h"
#include "runcli.h"

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define LAB "run --vmm --config " SOURCE_DIR "/configs/labs/gotcha.ini --max-insns 50000000 "

static struct cli_result r, r2;

/* Run the lab kernel with extra options; the stats of its one guest. */
static cJSON *lab(const char *opts, cJSON **all)
{
    char stats[] = "/tmp/tv-gotcha-XXXXXX", args[1024];
    int fd = mkstemp(stats);
    CU_ASSERT_FATAL(fd >= 0);
    close(fd);
    snprintf(args, sizeof args, LAB "%s --stats %s", opts, stats);
    cli_run(&r, args);
    *all = json_load(stats);
    unlink(stats);
    CU_ASSERT_PTR_NOT_NULL_FATAL(*all);
    return cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(*all, "guests"), 0);
}

static void test_safe_hardware(void)
{
    cJSON *all, *g = lab("", &all);
    CU_ASSERT_EQUAL(r.rc, 0);
    HAS(r.out, "[lab] gotcha: RESULT mfc0=ok diei=ok code=ok eret=ok");
    HAS(r.out, "its read of kernel memory (kseg0) faulted (exception 4): ok");
    HAS(r.out, "its TLB forging faulted 7 times (exception 11): ok");
    CU_ASSERT_EQUAL(json_num(g, "gotcha.native_sensitive"), 0);
    CU_ASSERT(json_num(g, "emulated.eret") >= 9); /* 1 start + 1 interrupt + 7 faults */
    cJSON_Delete(all);
}

static void test_eret_unprivileged(void)
{
    cJSON *all, *g = lab("--unsafe eret", &all);
    /* The wrong outcome, demonstrably: the user process read and rewrote kernel memory. */
    CU_ASSERT_EQUAL(r.rc, 4);
    HAS(r.out, "RESULT mfc0=ok diei=ok code=ok eret=BROKEN");
    HAS(r.out, "BROKEN: it read kernel memory: the secret c0ffee11");
    HAS(r.out, "the secret is now 00000bad");
    CU_ASSERT(json_num(g, "gotcha.native_sensitive") >= 1);
    CU_ASSERT(json_num(g, "gotcha.divergences") >= 1);
    /* mtc0 x5 + tlbwi from the user process, emulated as for the kernel */
    CU_ASSERT(json_num(g, "gotcha.user_power") >= 6);
    cJSON_Delete(all);
    /* The trace says what the monitor missed. */
    cli_run(&r, LAB "--unsafe eret --trace gotcha");
    HAS(r.err, "ERET at 80000424 did not trap: it jumped to 00400000 (right place");
    HAS(r.err, "the guest now believes virtual user mode");
    HAS(r.err, "the monitor believes virtual kernel");
    HAS(r.err, "guest-kernel power in a user process");
}

static void test_eret_wrong_place(void)
{
    cli_run(&r, LAB "--unsafe eret --set vmm.real_epc=resume --trace gotcha");
    CU_ASSERT_EQUAL(r.rc, 8); /* the kernel crashed */
    HAS(r.err, "WRONG PLACE: its EPC says");
    HAS(r.out, "unexpected exception");
}

static void test_mfc0_unprivileged(void)
{
    cJSON *all, *g = lab("--unsafe mfc0", &all);
    CU_ASSERT(r.rc & 1);
    HAS(r.out, "[mfc0] Status reads 00000010 (written: 00008000): BROKEN");
    HAS(r.out, "exception storm");
    CU_ASSERT(json_num(g, "gotcha.native_sensitive") >= 1);
    cJSON_Delete(all);
    cli_run(&r, LAB "--unsafe mfc0 --trace gotcha");
    HAS(r.err, "MFC0 Status at");
    HAS(r.err, "it sees that it runs in user mode");
}

static void test_diei_unprivileged(void)
{
    cJSON *all, *g = lab("--set cpu.diei=native", &all);
    CU_ASSERT_EQUAL(r.rc, 2);
    HAS(r.out, "BROKEN: an interrupt arrived inside the critical section");
    HAS(r.out, "RESULT mfc0=ok diei=BROKEN code=ok eret=ok");
    CU_ASSERT(json_num(g, "gotcha.native_sensitive") >= 2);
    cJSON_Delete(all);
}

static void test_scanner_fix(void)
{
    cli_run(&r, LAB "--unsafe all");
    CU_ASSERT_EQUAL(r.rc, 15); /* everything broke */
    cJSON *all, *g = lab("--unsafe all --fix scan", &all);
    CU_ASSERT_EQUAL(r.rc, 0); /* the same unsafe hardware, right again */
    HAS(r.out, "RESULT mfc0=ok diei=ok code=ok eret=ok");
    HAS(r.out, "reads 42000018, built as 42000018: ok"); /* the patch is invisible */
    CU_ASSERT_EQUAL(json_num(g, "gotcha.native_sensitive"), 0);
    CU_ASSERT(json_num(g, "scan.patched_sites") >= 5);
    CU_ASSERT(json_num(g, "scan.pages_scanned") >= 2);
    CU_ASSERT(json_num(g, "scan.hypercalls") >= json_num(g, "scan.patched_sites") - 3);
    CU_ASSERT(json_num(g, "scan.hidden_reads") >= 1);
    CU_ASSERT(json_num(g, "scan.scanner_ns") > 0);
    CU_ASSERT_STRING_EQUAL(cJSON_GetObjectItemCaseSensitive(all, "fix")->valuestring, "scan");
    CU_ASSERT_STRING_EQUAL(cJSON_GetObjectItemCaseSensitive(all, "unsafe")->valuestring,
                           "eret,mfc0,diei");
    cJSON_Delete(all);
    cli_run(&r, LAB "--unsafe all --fix scan --trace gotcha");
    HAS(r.err, "scan lab eret 42000018 at 80000240");
    CU_ASSERT_PTR_NULL(strstr(r.err, "did not trap"));
}

static void test_paravirtual(void)
{
    cJSON *all, *g = lab("--unsafe all --set guest0.kernel=guest:gotcha-pv", &all);
    CU_ASSERT_EQUAL(r.rc, 0);
    HAS(r.out, "paravirtual build (monitor answers)");
    HAS(r.out, "RESULT mfc0=ok diei=ok code=ok eret=ok");
    CU_ASSERT(json_num(g, "pv_calls") >= 10);
    CU_ASSERT_EQUAL(json_num(g, "gotcha.native_sensitive"), 0);
    CU_ASSERT_EQUAL(json_num(g, "scan.patched_sites"), 0);
    cJSON_Delete(all);
    /* Natively (no monitor) a hypercall is a Reserved Instruction: the PV kernel dies. */
    cli_run(&r, "run --native --config " SOURCE_DIR "/configs/labs/gotcha.ini --kernel "
                "guest:gotcha-pv --max-insns 5000000");
    CU_ASSERT_NOT_EQUAL(r.rc, 0);
    CU_ASSERT_PTR_NULL(strstr(r.out, "RESULT mfc0=ok diei=ok code=ok eret=ok"));
}

static void test_teaching_kernel(void)
{
    /* Two guests of the teaching kernel: unsafe hardware breaks them... */
    cli_run(&r, "run --vmm --console-in none --unsafe all --max-insns 100000000");
    CU_ASSERT_NOT_EQUAL(r.rc, 0);
    CU_ASSERT_PTR_NULL(strstr(r.out, "[g0] init: done, 0 failures"));
    /* ...the scanner fix makes the output what trapping hardware gives. */
    cli_run(&r, "run --vmm --console-in none");
    cli_run(&r2, "run --vmm --console-in none --unsafe all --fix scan");
    CU_ASSERT_EQUAL(r.rc, 0);
    CU_ASSERT_EQUAL(r2.rc, 0);
    HAS(r2.out, "[g0] init: done, 0 failures");
    HAS(r2.out, "[g1] init: done, 0 failures");
    /* Line for line, but for what the guests' clocks say: the fix's
     * first-execution traps re-execute an instruction each, which the
     * guest's cycle count sees. */
    static char a[65536], b[65536];
    untimed(r.out, "", a, sizeof a);
    untimed(r2.out, "", b, sizeof b);
    CU_ASSERT(strlen(a) > 1000);
    CU_ASSERT_STRING_EQUAL(a, b);
}

static void test_lab_command(void)
{
    char json[] = "/tmp/tv-lab-XXXXXX", args[256];
    int fd = mkstemp(json);
    CU_ASSERT_FATAL(fd >= 0);
    close(fd);
    snprintf(args, sizeof args, "lab gotcha --json %s", json);
    cli_run(&r, args);
    CU_ASSERT_EQUAL(r.rc, 0);
    HAS(r.out, "Every setting came out as the lab predicts.");
    HAS(r.out, "2 ERET does not trap");
    HAS(r.out, "first: lab ERET at 80000424 did not trap");
    cJSON *all = json_load(json);
    unlink(json);
    CU_ASSERT_FATAL(cJSON_IsArray(all));
    CU_ASSERT_EQUAL(cJSON_GetArraySize(all), 7);
    for (int i = 0; i < cJSON_GetArraySize(all); i++) {
        cJSON *o = cJSON_GetArrayItem(all, i);
        CU_ASSERT_TRUE(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, "as_predicted")));
    }
    CU_ASSERT_STRING_EQUAL(
        cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(all, 1), "eret")->valuestring,
        "BROKEN");
    CU_ASSERT_STRING_EQUAL(
        cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(all, 5), "eret")->valuestring, "ok");
    cJSON_Delete(all);
    cli_run(&r, "lab gotcha --le");
    CU_ASSERT_EQUAL(r.rc, 0);
}

static void test_refused(void)
{
    cli_run(&r, "run --vmm --unsafe eret,bogus");
    CU_ASSERT_EQUAL(r.rc, 2);
    HAS(r.err, "--unsafe: 'eret,bogus' is not a list of eret, mfc0, diei, all, none");
    cli_run(&r, "run --vmm --set cpu.eret=maybe");
    CU_ASSERT_EQUAL(r.rc, 2);
    HAS(r.err, "cpu.eret: 'maybe' is not trap or native");
    cli_run(&r, "run --vmm --fix magic");
    CU_ASSERT_EQUAL(r.rc, 2);
    HAS(r.err, "vmm.fix: 'magic' is not none or scan");
    cli_run(&r, "run --vmm --set vmm.real_epc=elsewhere");
    CU_ASSERT_EQUAL(r.rc, 2);
    cli_run(&r, "run --native --fix scan");
    CU_ASSERT_EQUAL(r.rc, 2);
    HAS(r.err, "--fix is the monitor's: it needs --vmm");
    cli_run(&r, "lab nothing");
    CU_ASSERT_EQUAL(r.rc, 2);
}

static const struct test_case tests[] = {
    {"safe hardware: every check passes", test_safe_hardware},
    {"ERET unprivileged: user process with kernel power", test_eret_unprivileged},
    {"ERET unprivileged, real EPC = resume: wrong place", test_eret_wrong_place},
    {"MFC0 unprivileged: the kernel sees the real Status", test_mfc0_unprivileged},
    {"DI/EI unprivileged: interrupt in a critical section", test_diei_unprivileged},
    {"scanner fix on unsafe hardware", test_scanner_fix},
    {"paravirtual kernel on unsafe hardware", test_paravirtual},
    {"teaching kernel: unsafe breaks, scanner fixes", test_teaching_kernel},
    {"trapvisor lab gotcha", test_lab_command},
    {"refused settings", test_refused},
};

CUNIT_MAIN("gotcha_e2e", tests)
