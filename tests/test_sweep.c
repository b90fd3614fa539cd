/*
 * tests/test_sweep.c — `trapvisor sweep` (docs/sweep.md): the product of
 * settings in order, one record per run with its settings, exit, stop and
 * metrics, runs in parallel yet written in order and the same twice; CSV;
 * a refused setting makes the sweep fail with the run's message; its own
 * bad arguments are refused.
 */
#include "cunit_main.h"
#include "runcli.h"

#include <cjson/cJSON.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static struct cli_result r;

static const char *setting(const cJSON *rec, const char *key)
{
    const cJSON *v = cJSON_GetObjectItem(cJSON_GetObjectItem(rec, "settings"), key);
    return cJSON_IsString(v) ? v->valuestring : "";
}

static double metric(const cJSON *rec, const char *key)
{
    const cJSON *v = cJSON_GetObjectItem(cJSON_GetObjectItem(rec, "metrics"), key);
    return cJSON_IsNumber(v) ? v->valuedouble : -1;
}

/* The records of r.out (JSON Lines) into recs: how many. */
static int records(cJSON **recs, int max)
{
    int n = 0;
    for (char *line = strtok(r.out, "\n"); line && n < max; line = strtok(NULL, "\n"))
        recs[n++] = cJSON_Parse(line);
    return n;
}

static const char sweep[] =
    "sweep --jobs 2 --vary board.tlb=8..24:8 --vary board.bootargs=hello,compute "
    "--metric instructions --metric tlb.refills --metric nosuch.field "
    "-- --native --console-in none";

static void test_product_in_order(void)
{
    cli_run(&r, sweep);
    CU_ASSERT_EQUAL(r.rc, 0);
    static char first[65536];
    strcpy(first, r.out);
    cJSON *recs[16];
    int n = records(recs, 16);
    CU_ASSERT_EQUAL_FATAL(n, 6);
    static const char *const tlb[] = {"8", "8", "16", "16", "24", "24"};
    for (int i = 0; i < n; i++) {
        CU_ASSERT_PTR_NOT_NULL_FATAL(recs[i]);
        CU_ASSERT_EQUAL(cJSON_GetObjectItem(recs[i], "run")->valuedouble, i);
        CU_ASSERT_STRING_EQUAL(setting(recs[i], "board.tlb"), tlb[i]);
        CU_ASSERT_STRING_EQUAL(setting(recs[i], "board.bootargs"), i % 2 ? "compute" : "hello");
        CU_ASSERT_EQUAL(cJSON_GetObjectItem(recs[i], "exit")->valuedouble, 0);
        CU_ASSERT_STRING_EQUAL(cJSON_GetObjectItem(recs[i], "stop")->valuestring, "poweroff");
        CU_ASSERT(metric(recs[i], "instructions") > 100000);
        CU_ASSERT(metric(recs[i], "tlb.refills") > 0);
        CU_ASSERT(cJSON_IsNull(
            cJSON_GetObjectItem(cJSON_GetObjectItem(recs[i], "metrics"), "nosuch.field")));
    }
    /* compute runs longer than hello; a smaller TLB refills more. */
    CU_ASSERT(metric(recs[1], "instructions") > metric(recs[0], "instructions"));
    CU_ASSERT(metric(recs[1], "tlb.refills") > metric(recs[5], "tlb.refills"));
    for (int i = 0; i < n; i++)
        cJSON_Delete(recs[i]);
    /* The same sweep, the same records (these metrics are the machine's). */
    cli_run(&r, sweep);
    CU_ASSERT_STRING_EQUAL(r.out, first);
}

static void test_csv_and_errors(void)
{
    char path[64], args[512];
    snprintf(path, sizeof path, "/tmp/tv_sweep_%d.csv", getpid());
    snprintf(args, sizeof args,
             "sweep --vary board.ram=16M,32M --metric instructions --out %s "
             "-- --native --console-in none --bootargs hello",
             path);
    cli_run(&r, args);
    CU_ASSERT_EQUAL(r.rc, 0);
    FILE *f = fopen(path, "r");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    char line[512];
    CU_ASSERT_PTR_NOT_NULL(fgets(line, sizeof line, f));
    CU_ASSERT_STRING_EQUAL(line, "run,\"board.ram\",exit,stop,\"instructions\",error\n");
    CU_ASSERT_PTR_NOT_NULL(fgets(line, sizeof line, f));
    CU_ASSERT_EQUAL(strncmp(line, "0,\"16M\",0,poweroff,", 19), 0);
    CU_ASSERT_PTR_NOT_NULL(fgets(line, sizeof line, f));
    CU_ASSERT_EQUAL(strncmp(line, "1,\"32M\",0,poweroff,", 19), 0);
    fclose(f);
    unlink(path);
    /* A value the run refuses: the record says why, the sweep fails. */
    cli_run(&r, "sweep --vary board.tlb=16,999 -- --native --console-in none --bootargs hello");
    CU_ASSERT_EQUAL(r.rc, 1);
    HAS(r.out, "\"exit\":2");
    HAS(r.out, "\"error\":\"trapvisor run: override 'board.tlb=999'");
    HAS(r.err, "1 run refused their settings; run 1:");
    /* Its own bad arguments. */
    cli_run(&r, "sweep -- --native");
    CU_ASSERT_EQUAL(r.rc, 2);
    HAS(r.err, "nothing to vary");
    cli_run(&r, "sweep --vary board.tlb=9..3 -- --native");
    CU_ASSERT_EQUAL(r.rc, 2);
    HAS(r.err, "a range of 1..256 values");
}

static const struct test_case tests[] = {
    {"the product, in order, the same twice", test_product_in_order},
    {"CSV, a refused value, bad arguments", test_csv_and_errors},
};

CUNIT_MAIN("sweep", tests)
