/*
 * tests/test_stats.c — --stats describes the run (docs/stats.md): the
 * schema version, the program, the command line, the resolved settings
 * (a --set shows), each kernel file's SHA-256 (checked against the file);
 * under --vmm the real CPU's counters apart from the guests', its traps to
 * the monitor the sum of the guests' and the monitor's real TLB writes.
 */
#include "cunit_main.h"
#include "runcli.h"

#include <cjson/cJSON.h>

#include <openssl/sha.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static struct cli_result r;

static void kernel_sha256(char hex[65])
{
    FILE *f = fopen(GUEST_DIR "/kernel-eb.elf", "rb");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    static unsigned char buf[1 << 21];
    size_t n = fread(buf, 1, sizeof buf, f);
    fclose(f);
    unsigned char d[32];
    SHA256(buf, n, d);
    for (int i = 0; i < 32; i++)
        snprintf(hex + 2 * i, 3, "%02x", d[i]);
}

static const char *str(const cJSON *o, const char *path)
{
    char copy[128];
    snprintf(copy, sizeof copy, "%s", path);
    const cJSON *c = o;
    for (char *tok = strtok(copy, "."); tok && c; tok = strtok(NULL, "."))
        c = cJSON_GetObjectItem(c, tok);
    return cJSON_IsString(c) ? c->valuestring : "";
}

static void test_native_record(void)
{
    char path[64], args[256], hex[65];
    snprintf(path, sizeof path, "/tmp/tv_stats_%d.json", getpid());
    snprintf(args, sizeof args,
             "run --native --console-in none --bootargs hello --set board.ram=32M --tlb 48 "
             "--stats %s",
             path);
    cli_run(&r, args);
    CU_ASSERT_EQUAL(r.rc, 0);
    cJSON *o = json_load(path);
    CU_ASSERT_PTR_NOT_NULL_FATAL(o);
    CU_ASSERT_EQUAL(json_num(o, "schema"), 2);
    CU_ASSERT_STRING_EQUAL(str(o, "trapvisor.version"), "0.1.0");
    CU_ASSERT_EQUAL(strlen(str(o, "trapvisor.executable_sha256")), 64);
    CU_ASSERT_EQUAL(json_num(o, "settings.board.ram"), 32 << 20);
    CU_ASSERT_EQUAL(json_num(o, "settings.board.tlb_pairs"), 48);
    CU_ASSERT_STRING_EQUAL(str(o, "settings.board.bootargs"), "hello");
    const cJSON *dev = cJSON_GetObjectItem(
        cJSON_GetObjectItem(cJSON_GetObjectItem(o, "settings"), "board"), "devices");
    CU_ASSERT_STRING_EQUAL(str(dev, "bus0"), ""); /* keys are whole slot names */
    const cJSON *uart = cJSON_GetObjectItem(dev, "bus0.slot0");
    CU_ASSERT(cJSON_IsString(uart) && strcmp(uart->valuestring, "uart") == 0);
    CU_ASSERT_STRING_EQUAL(str(o, "settings.max_insns"), "default");
    const cJSON *argv = cJSON_GetObjectItem(o, "command_line");
    CU_ASSERT(cJSON_GetArraySize(argv) >= 8);
    const cJSON *k = cJSON_GetArrayItem(cJSON_GetObjectItem(o, "kernels"), 0);
    kernel_sha256(hex);
    CU_ASSERT_STRING_EQUAL(str(k, "of"), "board");
    CU_ASSERT_STRING_EQUAL(str(k, "sha256"), hex);
    CU_ASSERT_PTR_NULL(cJSON_GetObjectItem(o, "real_cpu")); /* natively the CPU is the machine */
    CU_ASSERT(json_num(o, "exceptions_total") > 0);
    cJSON_Delete(o);
    unlink(path);
}

static void test_vmm_record(void)
{
    char path[64], args[256], hex[65];
    snprintf(path, sizeof path, "/tmp/tv_stats_%d.json", getpid());
    snprintf(args, sizeof args,
             "run --vmm --console-in none --bootargs hello --set vmm.quantum=60000 "
             "--set guest1.tlb=80 --max-insns 900000000 --stats %s",
             path);
    cli_run(&r, args);
    CU_ASSERT_EQUAL(r.rc, 0);
    cJSON *o = json_load(path);
    CU_ASSERT_PTR_NOT_NULL_FATAL(o);
    CU_ASSERT_EQUAL(json_num(o, "settings.max_insns"), 900000000);
    CU_ASSERT_EQUAL(json_num(o, "settings.vmm.quantum"), 60000);
    const cJSON *gs = cJSON_GetObjectItem(
        cJSON_GetObjectItem(cJSON_GetObjectItem(o, "settings"), "vmm"), "guests");
    CU_ASSERT_EQUAL(cJSON_GetArraySize(gs), 2);
    CU_ASSERT_EQUAL(json_num(cJSON_GetArrayItem(gs, 1), "tlb_pairs"), 80);
    kernel_sha256(hex);
    const cJSON *ks = cJSON_GetObjectItem(o, "kernels");
    CU_ASSERT_EQUAL(cJSON_GetArraySize(ks), 2);
    CU_ASSERT_STRING_EQUAL(str(cJSON_GetArrayItem(ks, 1), "of"), "g1");
    CU_ASSERT_STRING_EQUAL(str(cJSON_GetArrayItem(ks, 1), "sha256"), hex);
    /* The real CPU's counters apart; its traps are the guests'. */
    CU_ASSERT_PTR_NULL(cJSON_GetObjectItem(o, "exceptions"));
    CU_ASSERT_PTR_NULL(cJSON_GetObjectItem(o, "tlb"));
    double traps = 0;
    for (int g = 0; g < 2; g++)
        traps += json_num(cJSON_GetArrayItem(cJSON_GetObjectItem(o, "guests"), g), "traps.total");
    CU_ASSERT(traps > 1000);
    CU_ASSERT_EQUAL(json_num(o, "real_cpu.traps_to_monitor.total"), traps);
    CU_ASSERT(json_num(o, "real_cpu.tlb_writes_by_monitor") > 0);
    CU_ASSERT(json_num(o, "real_cpu.interrupts_to_guests") > 0);
    cJSON_Delete(o);
    unlink(path);
}

static const struct test_case tests[] = {
    {"native: schema, program, command line, settings, kernel hash", test_native_record},
    {"vmm: settings of the monitor and guests, the real CPU apart", test_vmm_record},
};

CUNIT_MAIN("stats", tests)
