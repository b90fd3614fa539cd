/*
 * tests/test_policy_lib.c — a TLB policy built outside the tree and loaded
 * without rebuilding trapvisor: examples/policy copied to a fresh
 * directory and built there with make against include/ alone; loaded with
 * --policy-lib; its args, decisions (capped pages, write watching), its
 * end-of-run hook and its counters in --stats; its refusals and a shared
 * object that is not a policy get clear errors.
 */
#include "cunit_main.h"
#include "runcli.h"

#include <cjson/cJSON.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static struct cli_result r;
static char dir[64];

static void build_example(void)
{
    snprintf(dir, sizeof dir, "/tmp/tv-policy-%d", (int)getpid());
    char cmd[1024];
    snprintf(cmd, sizeof cmd,
             "rm -rf %s && mkdir -p %s && cp %s/examples/policy/pagecount.c "
             "%s/examples/policy/Makefile %s && make -s -C %s TRAPVISOR_INCLUDE=%s/include",
             dir, dir, SOURCE_DIR, SOURCE_DIR, dir, dir, SOURCE_DIR);
    CU_ASSERT_EQUAL_FATAL(system(cmd), 0);
}

static void test_loaded_policy(void)
{
    build_example();
    char args[512], stats[96];
    snprintf(stats, sizeof stats, "%s/s.json", dir);
    snprintf(args, sizeof args,
             "run --vmm --console-in none --bootargs hello --policy-lib %s/pagecount.so "
             "--set vmm.policy_args=max_page=65536 --stats %s",
             dir, stats);
    cli_run(&r, args);
    CU_ASSERT_EQUAL(r.rc, 0);
    HAS(r.out, "[g0] kernel: all processes finished");
    HAS(r.out, "[g1] kernel: all processes finished");
    HAS(r.err, "pagecount: "); /* its end-of-run hook */
    cJSON *o = json_load(stats);
    CU_ASSERT_PTR_NOT_NULL_FATAL(o);
    const cJSON *name = cJSON_GetObjectItem(cJSON_GetObjectItem(o, "policy"), "name");
    CU_ASSERT(cJSON_IsString(name) && strcmp(name->valuestring, "pagecount") == 0);
    CU_ASSERT(json_num(o, "policy.counters.inspected") > 100);
    CU_ASSERT(json_num(o, "policy.counters.capped") > 0);       /* 16 MiB kseg0 pages capped */
    CU_ASSERT(json_num(o, "policy.counters.first_writes") > 0); /* write watching */
    double modified = 0, violations = 0;
    for (int g = 0; g < 2; g++) {
        const cJSON *gs = cJSON_GetArrayItem(cJSON_GetObjectItem(o, "guests"), g);
        modified += json_num(gs, "tlb_decisions.modified");
        violations += json_num(gs, "tlb_decisions.policy_violations");
    }
    CU_ASSERT(modified > 0);
    CU_ASSERT_EQUAL(violations, 0); /* its modifications stay inside the partitions */
    cJSON_Delete(o);
    /* Its own refusal, with its reason. */
    snprintf(args, sizeof args,
             "run --vmm --console-in none --policy-lib %s/pagecount.so "
             "--set vmm.policy_args=max_page=3",
             dir);
    cli_run(&r, args);
    CU_ASSERT_EQUAL(r.rc, 2);
    HAS(r.err, "policy pagecount refused to start: args: 'max_page=BYTES'");
}

static void test_policy_is_part_of_the_monitor(void)
{
    /* A loaded policy is measured with the monitor (PCR 17): a secret
     * sealed without it does not unseal with it. */
    build_example();
    char args[1024], common[512];
    snprintf(common, sizeof common,
             "run --vmm --console-in none --config %s/configs/labs/vtpm.ini "
             "--set bus0.slot3.state=%s/t.state --set bus1.slot0.image=%s/a.img "
             "--set bus2.slot0.image=%s/m.img --set guest1.bootargs=hello",
             SOURCE_DIR, dir, dir, dir);
    snprintf(args, sizeof args, "%s --set guest0.bootargs=tpm:seal,k,v,unseal,k", common);
    cli_run(&r, args);
    HAS(r.out, "[alice] tpm: unsealed k: \"v\"");
    snprintf(args, sizeof args,
             "%s --set guest0.bootargs=tpm:unseal,k --policy-lib %s/pagecount.so", common, dir);
    cli_run(&r, args);
    HAS(r.out, "[alice] tpm: unseal k: refused (response code 99d)");
    snprintf(args, sizeof args, "%s --set guest0.bootargs=tpm:unseal,k", common);
    cli_run(&r, args);
    HAS(r.out, "[alice] tpm: unsealed k: \"v\"");
}

static void test_not_a_policy(void)
{
    cli_run(&r, "run --vmm --console-in none --policy-lib /nonexistent/p.so");
    CU_ASSERT_EQUAL(r.rc, 2);
    HAS(r.err, "vmm.policy_lib /nonexistent/p.so:");
    /* A shared object without trapvisor_policy_plugin(): the example built
     * with its entry point renamed. */
    char cmd[1024];
    snprintf(cmd, sizeof cmd,
             "cc -shared -fPIC -I%s/include -Dtrapvisor_policy_plugin=other_name -o %s/other.so "
             "%s/pagecount.c",
             SOURCE_DIR, dir, dir);
    CU_ASSERT_EQUAL_FATAL(system(cmd), 0);
    char args[256];
    snprintf(args, sizeof args, "run --vmm --console-in none --policy-lib %s/other.so", dir);
    cli_run(&r, args);
    CU_ASSERT_EQUAL(r.rc, 2);
    HAS(r.err, "no trapvisor_policy_plugin() in it");
    cli_run(&r, "run --vmm --set vmm.policy=nosuch");
    CU_ASSERT_EQUAL(r.rc, 2);
    HAS(r.err, "built in: default, writewatch, small; a policy of your own: vmm.policy_lib");
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    CU_ASSERT_EQUAL(system(cmd), 0);
}

static const struct test_case tests[] = {
    {"an out-of-tree policy: built, loaded, its counters in --stats", test_loaded_policy},
    {"a loaded policy is measured with the monitor", test_policy_is_part_of_the_monitor},
    {"not a policy, a missing one, an unknown name: clear errors", test_not_a_policy},
};

CUNIT_MAIN("policy_lib", tests)
