/*
 * cli/cmd_lab.c — `trapvisor lab gotcha`: the virtualizability experiment
 * (docs/labs/virtualizability.md). The same lab kernel (guests/labs/gotcha)
 * boots under the monitor once per setting of the CPU's sensitive-instruction
 * switches and of the software fixes; for each run the kernel's own verdict
 * (its RESULT line and power-off mask), what the monitor saw (the gotcha and
 * scan counters) and the first divergence the platform observed are printed,
 * with a verdict. Exit 0 when every setting came out as the lab predicts.
 */
#include <cjson/cJSON.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cpu/cpu.h"
#include "util/parse.h"
#include "vmm/vmm.h"

#define BROKEN_MFC0    1u
#define BROKEN_DIEI    2u
#define BROKEN_ERET    4u
#define BROKEN_STORM   8u
#define BROKEN_CODE    16u
#define DID_NOT_FINISH 0x100u /* not a power-off code: the budget ran out */

struct setting {
    const char *name;
    uint32_t unsafe;
    enum vmm_fix fix;
    enum vmm_real_epc epc;
    const char *kernel;   /* guest: name */
    unsigned expect_mask; /* the lab's prediction: which checks break */
    bool expect_exact;    /* false: "something breaks" is the prediction */
    const char *lesson;
};

static const struct setting settings[] = {
    {"every sensitive instruction traps", 0, VMM_FIX_NONE, VMM_EPC_GUEST, "gotcha", 0, true,
     "Popek and Goldberg hold: trap-and-emulate is invisible"},
    {"ERET does not trap", CPU_EXT_ERET_UNPRIV, VMM_FIX_NONE, VMM_EPC_GUEST, "gotcha", BROKEN_ERET,
     true,
     "ERET went where the guest wanted but the monitor never saw the mode change: the user "
     "process ran with guest-kernel power"},
    {"ERET does not trap, real EPC = resume point", CPU_EXT_ERET_UNPRIV, VMM_FIX_NONE,
     VMM_EPC_RESUME, "gotcha", 0, false,
     "ERET jumped to the real EPC, where the monitor last resumed the guest: the wrong place"},
    {"MFC0 Status/Cause do not trap", CPU_EXT_MFC0_UNPRIV, VMM_FIX_NONE, VMM_EPC_GUEST, "gotcha",
     BROKEN_MFC0 | BROKEN_ERET | BROKEN_STORM, true,
     "the kernel read the real Status and Cause: it saw user mode, and could not tell why it "
     "trapped"},
    {"DI/EI do not trap", CPU_EXT_DIEI_UNPRIV, VMM_FIX_NONE, VMM_EPC_GUEST, "gotcha", BROKEN_DIEI,
     true, "DI changed only the real Status: an interrupt arrived inside the critical section"},
    {"none trap, scanner fix", CPU_EXT_UNSAFE, VMM_FIX_SCAN, VMM_EPC_GUEST, "gotcha", 0, true,
     "every sensitive instruction was patched with HYPCALL before it first ran, and reads of "
     "the patched code returned the original"},
    {"none trap, paravirtual kernel", CPU_EXT_UNSAFE, VMM_FIX_NONE, VMM_EPC_GUEST, "gotcha-pv", 0,
     true, "the kernel asks the monitor with hypercalls instead"},
};
#define N_SETTINGS (sizeof settings / sizeof settings[0])

struct outcome {
    unsigned mask; /* the kernel's power-off code, or DID_NOT_FINISH */
    char result[160];
    char first_gotcha[512];
    struct vmm_guest_stats st;
    bool as_predicted;
};

static int configure(struct vmm_config *c, const struct setting *s, bool le, char *err,
                     size_t errlen, const char *out_path)
{
    static const char *const common[] = {
        "board.buses=1",
        "guest0.name=lab",
        "guest0.ram=8M",
        "guest0.buses=none",
    };
    if (!vmm_config_default(c)) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    for (unsigned b = 1; b < IOBUS_MAX_BUSES; b++) /* one bus: console, timer, power */
        for (unsigned slot = 0; slot < IOBUS_SLOTS; slot++)
            board_config_put(&c->board, b, slot, NULL);
    for (size_t i = 0; i < sizeof common / sizeof *common; i++)
        if (vmm_config_set(c, common[i], err, errlen) != 0)
            return -1;
    if (vmm_config_set(c, "bus0.slot0.input=none", err, errlen) != 0)
        return -1;
    char kv[CONFIG_PATH_MAX + 32];
    snprintf(kv, sizeof kv, "guest0.kernel=guest:%s", s->kernel);
    if (vmm_config_set(c, kv, err, errlen) != 0)
        return -1;
    snprintf(kv, sizeof kv, "guest0.output=%s", out_path);
    if (vmm_config_set(c, kv, err, errlen) != 0)
        return -1;
    if (le && vmm_config_set(c, "board.endian=little", err, errlen) != 0)
        return -1;
    c->nguests = 1;
    c->board.unsafe = s->unsafe;
    c->fix = s->fix;
    c->real_epc = s->epc;
    return 0;
}

static int run_one(const struct setting *s, bool le, uint64_t budget, bool verbose,
                   struct outcome *o)
{
    char out_path[] = "/tmp/trapvisor-lab-XXXXXX", err[2048];
    int fd = mkstemp(out_path);
    if (fd < 0) {
        fprintf(stderr, "trapvisor lab: cannot create a temporary file\n");
        return -1;
    }
    close(fd);
    struct vmm_config cfg = {0};
    memset(o, 0, sizeof *o);
    vmm_t *v = NULL;
    char *trace = NULL;
    size_t trace_len = 0;
    FILE *tf = open_memstream(&trace, &trace_len);
    int rc = -1;
    if (!tf || configure(&cfg, s, le, err, sizeof err, out_path) != 0 ||
        !(v = vmm_new(&cfg, err, sizeof err))) {
        fprintf(stderr, "trapvisor lab: %s\n", tf ? err : "out of memory");
        goto out;
    }
    vmm_set_gotcha_trace(v, tf);
    enum vmm_stop stop = vmm_run(v, budget);
    vmm_guest_stats(v, 0, &o->st);
    o->mask = stop == VMM_ALL_OFF ? o->st.exit_code : DID_NOT_FINISH;
    vmm_free(v);
    v = NULL;
    fflush(tf);
    /* The first thing the platform saw the monitor miss: preferably one that
     * changed the guest's mode or its control flow. */
    const char *pick = NULL;
    for (int pass = 0; pass < 2 && !pick; pass++)
        for (char *line = trace; line && *line && !pick;) {
            char *nl = strchr(line, '\n');
            if (nl)
                *nl = 0;
            if (strstr(line, "did not trap") &&
                (pass == 1 || strstr(line, "WRONG PLACE") || strstr(line, "virtual user mode")))
                pick = line;
            if (nl)
                *nl = '\n';
            line = nl ? nl + 1 : NULL;
        }
    if (pick) {
        size_t n = strcspn(pick, "\n");
        if (n >= sizeof o->first_gotcha)
            n = sizeof o->first_gotcha - 1;
        memcpy(o->first_gotcha, pick, n);
        o->first_gotcha[n] = 0;
    }
    FILE *f = fopen(out_path, "r");
    char line[512];
    while (f && fgets(line, sizeof line, f)) {
        if (verbose)
            printf("    | %s", line);
        if (strncmp(line, "gotcha: RESULT ", 15) == 0) {
            size_t n = strcspn(line + 15, "\n");
            if (n >= sizeof o->result)
                n = sizeof o->result - 1;
            memcpy(o->result, line + 15, n);
            o->result[n] = 0;
        }
    }
    if (f)
        fclose(f);
    unsigned m = o->mask & (BROKEN_MFC0 | BROKEN_DIEI | BROKEN_ERET | BROKEN_STORM | BROKEN_CODE);
    o->as_predicted =
        s->expect_exact ? o->mask == s->expect_mask : (o->mask == DID_NOT_FINISH || m != 0);
    rc = 0;
out:
    vmm_free(v);
    vmm_config_free(&cfg);
    if (tf)
        fclose(tf);
    free(trace);
    unlink(out_path);
    return rc;
}

static const char *check(unsigned mask, unsigned bit)
{
    if (mask == DID_NOT_FINISH)
        return "-";
    return (mask & bit) ? "BROKEN" : "ok";
}

static cJSON *outcome_json(const struct setting *s, const struct outcome *o)
{
    cJSON *j = cJSON_CreateObject();
    char buf[64];
    cJSON_AddStringToObject(j, "setting", s->name);
    cJSON_AddStringToObject(j, "unsafe", config_unsafe_name(s->unsafe, buf, sizeof buf));
    cJSON_AddStringToObject(j, "fix", s->fix == VMM_FIX_SCAN ? "scan" : "none");
    cJSON_AddStringToObject(j, "real_epc", s->epc == VMM_EPC_RESUME ? "resume" : "guest");
    cJSON_AddStringToObject(j, "kernel", s->kernel);
    cJSON_AddBoolToObject(j, "finished", o->mask != DID_NOT_FINISH);
    if (o->mask != DID_NOT_FINISH)
        cJSON_AddNumberToObject(j, "exit_code", o->mask);
    cJSON_AddStringToObject(j, "mfc0", check(o->mask, BROKEN_MFC0));
    cJSON_AddStringToObject(j, "diei", check(o->mask, BROKEN_DIEI));
    cJSON_AddStringToObject(j, "code", check(o->mask, BROKEN_CODE));
    cJSON_AddStringToObject(j, "eret", check(o->mask, BROKEN_ERET));
    cJSON_AddBoolToObject(j, "crashed", o->mask != DID_NOT_FINISH && (o->mask & BROKEN_STORM));
    cJSON_AddStringToObject(j, "kernel_result", o->result);
    cJSON_AddStringToObject(j, "first_divergence", o->first_gotcha);
    cJSON_AddBoolToObject(j, "as_predicted", o->as_predicted);
    cJSON_AddItemToObject(j, "monitor", stats_guest_json(&o->st, 0));
    return j;
}

static void lab_usage(FILE *f)
{
    fprintf(f, "usage: trapvisor lab gotcha [options]\n"
               "  boot the virtualizability lab kernel (guests/labs/gotcha) under the monitor\n"
               "  once per setting of the sensitive-instruction switches and fixes, and say\n"
               "  what broke (docs/labs/virtualizability.md)\n"
               "  --json FILE        write every outcome with the monitor's counters\n"
               "  --le               little-endian board and guest\n"
               "  --max-insns N      budget per run (default 50000000)\n"
               "  --verbose          show each run's console\n"
               "exit status: 0 when every setting came out as the lab predicts, 1 if not, 2 bad "
               "input\n");
}

int cmd_lab(int argc, char **argv)
{
    enum { OPT_JSON = 1, OPT_LE, OPT_MAX, OPT_VERBOSE, OPT_HELP };
    static const struct option opts[] = {
        {"json", required_argument, 0, OPT_JSON},     {"le", no_argument, 0, OPT_LE},
        {"max-insns", required_argument, 0, OPT_MAX}, {"verbose", no_argument, 0, OPT_VERBOSE},
        {"help", no_argument, 0, OPT_HELP},           {0, 0, 0, 0},
    };
    const char *json_path = NULL;
    bool le = false, verbose = false;
    uint64_t budget = 50000000;
    optind = 1;
    int ch;
    while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (ch) {
        case OPT_JSON: json_path = optarg; break;
        case OPT_LE: le = true; break;
        case OPT_MAX:
            if (!parse_u64(optarg, &budget) || budget == 0) {
                fprintf(stderr, "trapvisor lab: --max-insns: '%s' is not a positive count\n",
                        optarg);
                return 2;
            }
            break;
        case OPT_VERBOSE: verbose = true; break;
        case 'h':
        case OPT_HELP: lab_usage(stdout); return 0;
        default: lab_usage(stderr); return 2;
        }
    }
    if (optind >= argc || strcmp(argv[optind], "gotcha") != 0 || optind + 1 != argc) {
        fprintf(stderr, "trapvisor lab: the one lab is 'gotcha'\n");
        lab_usage(stderr);
        return 2;
    }
    printf("The ERET gotcha: one guest kernel, seven machines (docs/labs/virtualizability.md)\n\n");
    printf("  %-44s %-6s %-6s %-6s %-6s  %s\n", "setting", "mfc0", "di/ei", "code", "eret",
           "verdict");
    cJSON *all = cJSON_CreateArray();
    unsigned wrong = 0;
    for (size_t i = 0; i < N_SETTINGS; i++) {
        const struct setting *s = &settings[i];
        struct outcome o;
        if (run_one(s, le, budget, verbose, &o) != 0) {
            cJSON_Delete(all);
            return 2;
        }
        char verdict[96];
        bool broke = o.mask != 0;
        if (o.mask == DID_NOT_FINISH)
            snprintf(verdict, sizeof verdict, "HUNG (budget spent)");
        else if (o.mask & BROKEN_STORM)
            snprintf(verdict, sizeof verdict, "KERNEL CRASHED (exit %u)", o.mask);
        else
            snprintf(verdict, sizeof verdict, "%s (exit %u)", broke ? "BROKEN" : "correct", o.mask);
        printf("%u %-44s %-6s %-6s %-6s %-6s  %s%s\n", (unsigned)i + 1, s->name,
               check(o.mask, BROKEN_MFC0), check(o.mask, BROKEN_DIEI), check(o.mask, BROKEN_CODE),
               check(o.mask, BROKEN_ERET), verdict, o.as_predicted ? "" : "  <- NOT AS PREDICTED");
        printf("    %s\n", s->lesson);
        printf("    monitor: %llu sensitive instructions ran without trapping, %llu divergences, "
               "%llu privileged instructions emulated for a user process",
               (unsigned long long)o.st.gotcha.native, (unsigned long long)o.st.gotcha.divergences,
               (unsigned long long)o.st.gotcha.user_power);
        if (s->fix == VMM_FIX_SCAN)
            printf("; %llu sites patched on %llu pages, %llu patched calls, %llu hidden reads",
                   (unsigned long long)o.st.scan.sites, (unsigned long long)o.st.scan.pages,
                   (unsigned long long)o.st.scan.patch_calls,
                   (unsigned long long)o.st.scan.hidden_reads);
        if (o.st.pv_calls)
            printf("; %llu hypercalls", (unsigned long long)o.st.pv_calls);
        printf("\n");
        if (o.first_gotcha[0])
            printf("    first: %s\n", strstr(o.first_gotcha, "gotcha ")
                                          ? strstr(o.first_gotcha, "gotcha ") + 7
                                          : o.first_gotcha);
        if (!o.as_predicted)
            wrong++;
        cJSON_AddItemToArray(all, outcome_json(s, &o));
    }
    printf("\n%s\n", wrong ? "Some settings did not come out as the lab predicts (see above)."
                           : "Every setting came out as the lab predicts.");
    int rc = wrong ? 1 : 0;
    if (json_path) {
        char *text = cJSON_Print(all);
        FILE *f = text ? fopen(json_path, "w") : NULL;
        if (!f || fputs(text, f) < 0 || fclose(f) != 0) {
            fprintf(stderr, "trapvisor lab: cannot write %s\n", json_path);
            rc = 2;
        }
        free(text);
    }
    cJSON_Delete(all);
    return rc;
}
