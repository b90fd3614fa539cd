/*
 * tests/test_golden.c — the monitor's behaviour pinned down: fixed runs whose
 * `--trace vmm,gotcha` output and `--stats` JSON must stay byte-identical
 * (host-timing fields aside) while the monitor's structure changes.
 *
 * Each case has two files in tests/golden/:
 *   NAME.stats.json  the stats with every host-time field removed;
 *   NAME.trace       the trace's line count, byte count and FNV-1a 64 hash,
 *                    then its first HEAD_LINES lines (to see where a
 *                    difference starts).
 * TV_GOLDEN_UPDATE=1 rewrites them (after a change that is meant to alter
 * behaviour: say so in the commit).
 */
#include <CUnit/Basic.h>
#include <cjson/cJSON.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "runcli.h"

#define GOLDEN_DIR SOURCE_DIR "/tests/golden"
#define HEAD_LINES 200

struct golden_case {
    const char *name;
    const char *args; /* %s: a scratch disk image */
};

static const struct golden_case cases[] = {
    {"two-guests", "--console-in none"},
    {"isolation", "--config " SOURCE_DIR "/configs/isolation.ini --disk %s"},
    {"gotcha-fix-scan", "--config " SOURCE_DIR "/configs/labs/gotcha.ini --unsafe all --fix scan"},
    {"teaching-fix-scan-writewatch",
     "--console-in none --unsafe all --fix scan --set vmm.policy=writewatch"},
};

static bool updating(void)
{
    const char *e = getenv("TV_GOLDEN_UPDATE");
    return e && strcmp(e, "1") == 0;
}

/* Drop the fields that measure the host, not the machine, or name the
 * build (the executable's hash, the command line's paths, the kernel
 * files' hashes: their debug information holds the build directory). */
static void strip_timing(cJSON *o)
{
    static const char *const host_fields[] = {"host_seconds", "guest_mips",    "monitor",
                                              "trap_host_ns", "monitor_share", "scanner_ns",
                                              "trapvisor",    "command_line",  "kernels"};
    if (!o)
        return;
    for (size_t i = 0; i < sizeof host_fields / sizeof *host_fields; i++)
        cJSON_DeleteItemFromObjectCaseSensitive(o, host_fields[i]);
    for (cJSON *c = o->child; c; c = c->next)
        if (cJSON_IsObject(c) || cJSON_IsArray(c))
            strip_timing(c);
}

static char *read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    size_t got = buf ? fread(buf, 1, (size_t)n, f) : 0;
    fclose(f);
    if (!buf)
        return NULL;
    buf[got] = 0;
    return buf;
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    fputs(text, f);
    fclose(f);
}

/* The trace's summary: counts, hash, and its first lines. */
static char *summarize_trace(const char *path)
{
    FILE *f = fopen(path, "rb");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    uint64_t hash = 0xcbf29ce484222325ull, bytes = 0, lines = 0;
    size_t cap = 1 << 16, len = 0;
    char *head = malloc(cap);
    CU_ASSERT_PTR_NOT_NULL_FATAL(head);
    int ch;
    while ((ch = fgetc(f)) != EOF) {
        hash = (hash ^ (uint8_t)ch) * 0x100000001b3ull;
        bytes++;
        if (lines < HEAD_LINES) {
            if (len + 2 >= cap)
                head = realloc(head, cap *= 2);
            head[len++] = (char)ch;
        }
        if (ch == '\n')
            lines++;
    }
    fclose(f);
    head[len] = 0;
    char *out = malloc(len + 128);
    sprintf(out, "lines %" PRIu64 "\nbytes %" PRIu64 "\nfnv1a64 %016" PRIx64 "\n%s", lines, bytes,
            hash, head);
    free(head);
    return out;
}

/* Compare got with the golden file (or write it). */
static void check_golden(const char *file, const char *got)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", GOLDEN_DIR, file);
    if (updating()) {
        write_file(path, got);
        return;
    }
    char *want = read_file(path);
    if (!want) {
        printf("\n  %s missing: TV_GOLDEN_UPDATE=1 makes it\n", path);
        CU_FAIL("golden file missing");
        return;
    }
    if (strcmp(want, got) != 0) {
        size_t i = 0, line = 1;
        while (want[i] && want[i] == got[i])
            line += want[i++] == '\n';
        printf("\n  %s differs from line %zu:\n  want: %.160s\n  got:  %.160s\n", file, line,
               want + i, got + i);
        CU_FAIL("differs from its golden file");
    }
    free(want);
}

static void run_case(const struct golden_case *gc)
{
    char disk[64], stats[64], trace[64], args[1024], cmd[2048];
    make_temp_file(disk, 1 << 20);
    snprintf(stats, sizeof stats, "/tmp/tv_golden_%d.json", getpid());
    snprintf(trace, sizeof trace, "/tmp/tv_golden_%d.trace", getpid());
    snprintf(args, sizeof args, gc->args, disk);
    snprintf(cmd, sizeof cmd,
             "timeout -s KILL 300 %s run --vmm %s --trace vmm,gotcha --stats %s >/dev/null 2>%s",
             TRAPVISOR_BIN, args, stats, trace);
    int st = system(cmd);
    CU_ASSERT(WIFEXITED(st) && WEXITSTATUS(st) == 0);

    cJSON *o = json_load(stats);
    CU_ASSERT_PTR_NOT_NULL_FATAL(o);
    strip_timing(o);
    char *text = cJSON_Print(o);
    size_t n = strlen(text);
    char *withnl = malloc(n + 2);
    memcpy(withnl, text, n);
    strcpy(withnl + n, "\n");
    char file[128];
    snprintf(file, sizeof file, "%s.stats.json", gc->name);
    check_golden(file, withnl);
    free(withnl);
    free(text);
    cJSON_Delete(o);

    char *sum = summarize_trace(trace);
    snprintf(file, sizeof file, "%s.trace", gc->name);
    check_golden(file, sum);
    free(sum);
    unlink(stats);
    unlink(trace);
    unlink(disk);
}

static void test_two_guests(void) { run_case(&cases[0]); }
static void test_isolation(void) { run_case(&cases[1]); }
static void test_gotcha_fix(void) { run_case(&cases[2]); }
static void test_teaching_fix(void) { run_case(&cases[3]); }

int main(void)
{
    CU_initialize_registry();
    CU_pSuite s = CU_add_suite("golden", NULL, NULL);
    CU_add_test(s, "two guests: trace and stats as recorded", test_two_guests);
    CU_add_test(s, "isolation probe: trace and stats as recorded", test_isolation);
    CU_add_test(s, "gotcha lab, --unsafe all --fix scan: as recorded", test_gotcha_fix);
    CU_add_test(s, "teaching kernel, fix scan + writewatch: as recorded", test_teaching_fix);
    CU_basic_set_mode(CU_BRM_VERBOSE);
    CU_basic_run_tests();
    unsigned failed = CU_get_number_of_failures();
    CU_cleanup_registry();
    return failed ? 1 : 0;
}
