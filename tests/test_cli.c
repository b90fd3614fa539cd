/*
 * tests/test_cli.c — `trapvisor exec` end to end: the compiled programs'
 * results (checked against the same C sources compiled for the host), the
 * JSON schema, exit codes, and clear errors for bad input.
 */
#include "cunit_main.h"
#include "runcli.h"

#include <cjson/cJSON.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* The guest programs compiled for the host (see CMakeLists.txt). */
int ref_arith(void);
int ref_sort(void);
int ref_calls(void);
int ref_alu(void);

static cJSON *run_json(struct cli_result *r, const char *args)
{
    cli_run(r, args);
    cJSON *j = cJSON_Parse(r->out);
    CU_ASSERT_PTR_NOT_NULL(j);
    return j;
}

static uint32_t num(const cJSON *o, const char *k)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    CU_ASSERT_PTR_NOT_NULL(v);
    return v && cJSON_IsNumber(v) ? (uint32_t)v->valuedouble : 0xDEADDEADu;
}

static void check_program(const char *prog, int expected)
{
    static struct cli_result r;
    char args[512];
    for (int le = 0; le < 2; le++) {
        snprintf(args, sizeof(args), "exec %s/%s-%s.elf --json %s", GUEST_DIR, prog,
                 le ? "el" : "eb", le ? "--le" : "");
        cJSON *j = run_json(&r, args);
        if (!j)
            continue;
        CU_ASSERT_EQUAL(r.rc, 0);
        CU_ASSERT_STRING_EQUAL(cJSON_GetObjectItem(j, "stop")->valuestring, "break");
        const cJSON *gpr = cJSON_GetObjectItem(j, "gpr");
        CU_ASSERT_EQUAL(cJSON_GetArraySize(gpr), 32);
        CU_ASSERT_EQUAL((uint32_t)cJSON_GetArrayItem(gpr, 2)->valuedouble, (uint32_t)expected);
        CU_ASSERT_EQUAL((uint32_t)cJSON_GetArrayItem(gpr, 0)->valuedouble, 0);
        CU_ASSERT(num(j, "insns") > 1000);
        num(j, "hi");
        num(j, "lo");
        const cJSON *cp0 = cJSON_GetObjectItem(j, "cp0");
        CU_ASSERT_PTR_NOT_NULL(cp0);
        /* Stopped at crt0's BREAK: Cause.ExcCode = Bp, EPC = the BREAK. */
        CU_ASSERT_EQUAL((num(cp0, "cause") >> 2) & 31, 9);
        CU_ASSERT_EQUAL(num(cp0, "epc"), num(j, "pc"));
        num(cp0, "status");
        num(cp0, "badvaddr");
        cJSON_Delete(j);
    }
}

static void test_arith(void) { check_program("arith", ref_arith()); }
static void test_sort(void) { check_program("sort", ref_sort()); }
static void test_calls(void) { check_program("calls", ref_calls()); }
static void test_alu(void) { check_program("alu", ref_alu()); }

static void test_exception_and_limit(void)
{
    static struct cli_result r;
    cJSON *j = run_json(&r, "exec " GUEST_DIR "/fault-eb.elf --json");
    CU_ASSERT_EQUAL(r.rc, 1);
    if (j) {
        CU_ASSERT_STRING_EQUAL(cJSON_GetObjectItem(j, "stop")->valuestring, "exception");
        const cJSON *ex = cJSON_GetObjectItem(j, "exception");
        CU_ASSERT_STRING_EQUAL(cJSON_GetObjectItem(ex, "name")->valuestring, "TLBL");
        CU_ASSERT_EQUAL(num(cJSON_GetObjectItem(j, "cp0"), "badvaddr"), 0x1000);
        cJSON_Delete(j);
    }
    j = run_json(&r, "exec " GUEST_DIR "/alu-eb.elf --json --max-insns 5000");
    CU_ASSERT_EQUAL(r.rc, 3);
    if (j) {
        CU_ASSERT_STRING_EQUAL(cJSON_GetObjectItem(j, "stop")->valuestring, "limit");
        uint32_t n = num(j, "insns");
        CU_ASSERT(n >= 5000 && n <= 5001);
        cJSON_Delete(j);
    }
    cli_run(&r, "exec " GUEST_DIR "/arith-eb.elf");
    CU_ASSERT_EQUAL(r.rc, 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "stop: break"));
}

static void test_trace(void)
{
    static struct cli_result r;
    cli_run(&r, "exec " GUEST_DIR "/fault-eb.elf --trace insns");
    CU_ASSERT_EQUAL(r.rc, 1);
    /* Capstone text and ELF symbols in the trace. */
    CU_ASSERT_PTR_NOT_NULL(strstr(r.err, "<_start+0x0>"));
    CU_ASSERT_PTR_NOT_NULL(strstr(r.err, "<main+0x"));
    CU_ASSERT_PTR_NOT_NULL(strstr(r.err, "lui"));
}

/* Determinism: the same program and options give bit-for-bit the same result,
 * instruction count included (no host time or randomness reaches the guest). */
static void test_determinism(void)
{
    static struct cli_result a, b;
    cli_run(&a, "exec " GUEST_DIR "/calls-eb.elf --json");
    cli_run(&b, "exec " GUEST_DIR "/calls-eb.elf --json");
    CU_ASSERT_EQUAL(a.rc, 0);
    CU_ASSERT(a.out[0] != 0);
    CU_ASSERT_STRING_EQUAL(a.out, b.out);
}

static void expect_error(const char *args, const char *needle)
{
    static struct cli_result r;
    cli_run(&r, args);
    CU_ASSERT_EQUAL(r.rc, 2);
    CU_ASSERT_PTR_NOT_NULL(strstr(r.err, needle));
    if (!strstr(r.err, needle))
        fprintf(stderr, "\n'%s' said: %s\n", args, r.err);
}

static void test_bad_input(void)
{
    expect_error("exec /nonexistent.elf", "cannot open");
    expect_error("exec", "need exactly one ELF");
    expect_error("exec " TRAPVISOR_BIN, "not a 32-bit MIPS ELF");
    expect_error("exec " GUEST_DIR "/arith-el.elf", "little-endian; add --le");
    expect_error("exec " GUEST_DIR "/arith-eb.elf --le", "big-endian; drop --le");
    expect_error("exec " GUEST_DIR "/arith-eb.elf --ram 12345", "--ram");
    expect_error("exec " GUEST_DIR "/arith-eb.elf --tlb 3", "--tlb");
    expect_error("exec " GUEST_DIR "/arith-eb.elf --max-insns lots", "--max-insns");
    expect_error("exec " GUEST_DIR "/arith-eb.elf --trace bogus", "unknown category");
    expect_error("exec " GUEST_DIR "/sort-eb.elf --ram 1M", "does not fit");
    expect_error("frobnicate", "unknown command");

    /* A garbage file and a truncated ELF (unique names: runs may overlap). */
    char garbage[64], trunc[64], cmd[160];
    make_temp_file(garbage, 0);
    make_temp_file(trunc, 0);
    FILE *f = fopen(garbage, "wb");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    for (int i = 0; i < 4096; i++)
        fputc((i * 7919) & 0xFF, f);
    fclose(f);
    snprintf(cmd, sizeof cmd, "exec %s", garbage);
    expect_error(cmd, "not an ELF file");
    FILE *in = fopen(GUEST_DIR "/arith-eb.elf", "rb");
    f = fopen(trunc, "wb");
    CU_ASSERT_PTR_NOT_NULL_FATAL(in);
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    char buf[200];
    size_t n = fread(buf, 1, sizeof(buf), in);
    fwrite(buf, 1, n, f);
    fclose(in);
    fclose(f);
    snprintf(cmd, sizeof cmd, "exec %s", trunc);
    char where[80];
    snprintf(where, sizeof where, "%s:", trunc);
    expect_error(cmd, where);
    unlink(garbage);
    unlink(trunc);
}

static const struct test_case tests[] = {
    {"arith: result matches the host build", test_arith},
    {"sort: result matches the host build", test_sort},
    {"calls: result matches the host build", test_calls},
    {"alu: result matches the host build", test_alu},
    {"exception and limit stops", test_exception_and_limit},
    {"instruction trace with symbols", test_trace},
    {"determinism", test_determinism},
    {"bad input gives clear errors", test_bad_input},
};

CUNIT_MAIN("cli", tests)
