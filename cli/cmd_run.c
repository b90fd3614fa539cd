/*
 * cli/cmd_run.c — `trapvisor run --native`: boot the board, show its console,
 * exit with the guest's power-off code; --stats writes the counters as JSON.
 */
#include <cjson/cJSON.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/board_args.h"
#include "cli/cli.h"
#include "machine/board.h"
#include "util/parse.h"

/* Exit codes of runs that did not end in a power-off (documented in README). */
#define EXIT_BAD_INPUT 2
#define EXIT_LIMIT 124
#define EXIT_HUNG 125

enum { OPT_NATIVE = 1, OPT_VMM, OPT_MAX, OPT_STATS, OPT_TRACE, OPT_HELP };

static void run_usage(FILE *f)
{
    fprintf(f, "usage: trapvisor run --native [options]\n"
               "  --native            boot the board directly (no monitor)\n"
               "  --vmm               boot the monitor with partitioned guests (not yet built)\n"
               "  --max-insns N       stop after N instructions (exit 124)\n"
               "  --stats FILE.json   write counters as JSON at the end\n"
               "  --trace LIST        exceptions,tlb,io,insns to stderr\n");
    board_args_usage(f);
    fprintf(f, "exit status: the guest's power-off code; 124 budget spent; 125 the machine "
               "hung (waits with no interrupt source); 2 bad input\n");
}

static cJSON *stats_json(board_t *b, enum board_stop stop, double host_s)
{
    struct board_stats st;
    board_get_stats(b, &st);
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "stop", board_stop_name(stop));
    if (stop == BOARD_POWEROFF)
        cJSON_AddNumberToObject(o, "exit_code", board_exit_code(b));
    cJSON_AddNumberToObject(o, "instructions", (double)st.cpu.insns);
    cJSON_AddNumberToObject(o, "cycles", (double)st.cpu.cycles);
    cJSON_AddNumberToObject(o, "host_seconds", host_s);
    cJSON_AddNumberToObject(o, "guest_mips", host_s > 0 ? (double)st.cpu.insns / host_s / 1e6 : 0);
    cJSON *exc = cJSON_AddObjectToObject(o, "exceptions");
    uint64_t total = 0;
    for (unsigned c = 0; c < 32; c++)
        if (st.cpu.exceptions[c]) {
            cJSON_AddNumberToObject(exc, cpu_exc_name(c), (double)st.cpu.exceptions[c]);
            total += st.cpu.exceptions[c];
        }
    cJSON_AddNumberToObject(o, "exceptions_total", (double)total);
    cJSON *tlb = cJSON_AddObjectToObject(o, "tlb");
    cJSON_AddNumberToObject(tlb, "refills", (double)st.cpu.tlb_refills);
    cJSON_AddNumberToObject(tlb, "writes", (double)st.cpu.tlb_writes);
    cJSON *irq = cJSON_AddObjectToObject(o, "interrupts");
    cJSON_AddNumberToObject(irq, "total", (double)st.cpu.exceptions[EXC_INT]);
    for (unsigned l = 2; l < 8; l++) {
        char name[8];
        snprintf(name, sizeof name, "IP%u", l);
        cJSON_AddNumberToObject(irq, name, (double)st.interrupts_by_line[l]);
    }
    cJSON *io = cJSON_AddObjectToObject(o, "io");
    cJSON_AddNumberToObject(io, "mmio_reads", (double)st.io.mmio_reads);
    cJSON_AddNumberToObject(io, "mmio_writes", (double)st.io.mmio_writes);
    cJSON_AddNumberToObject(io, "empty_slot_accesses", (double)st.io.empty_slot_accesses);
    cJSON_AddNumberToObject(io, "dma_bytes", (double)st.io.dma_bytes);
    cJSON_AddNumberToObject(io, "dma_refused", (double)st.io.dma_refused);
    cJSON_AddNumberToObject(io, "console_bytes", (double)st.console_bytes);
    if (st.has_disk) {
        cJSON *d = cJSON_AddObjectToObject(io, "disk");
        cJSON_AddNumberToObject(d, "reads", (double)st.disk.reads);
        cJSON_AddNumberToObject(d, "writes", (double)st.disk.writes);
        cJSON_AddNumberToObject(d, "flushes", (double)st.disk.flushes);
        cJSON_AddNumberToObject(d, "bytes_read", (double)st.disk.bytes_read);
        cJSON_AddNumberToObject(d, "bytes_written", (double)st.disk.bytes_written);
        cJSON_AddNumberToObject(d, "errors", (double)st.disk.errors);
    }
    return o;
}

static int write_stats(const char *path, cJSON *o)
{
    char *text = cJSON_Print(o);
    FILE *f = text ? fopen(path, "w") : NULL;
    int rc = -1;
    if (f) {
        rc = fputs(text, f) >= 0 && fputc('\n', f) != EOF ? 0 : -1;
        if (fclose(f) != 0)
            rc = -1;
    }
    free(text);
    return rc;
}

int cmd_run(int argc, char **argv)
{
    static const struct option own[] = {
        {"native", no_argument, 0, OPT_NATIVE},      {"vmm", no_argument, 0, OPT_VMM},
        {"max-insns", required_argument, 0, OPT_MAX}, {"stats", required_argument, 0, OPT_STATS},
        {"trace", required_argument, 0, OPT_TRACE},   {"help", no_argument, 0, OPT_HELP},
    };
    struct option longopts[BOARD_ARGS_MAX_OPTIONS];
    board_args_longopts(longopts, own, sizeof own / sizeof own[0]);

    struct board_config cfg;
    board_args_init(&cfg);
    uint64_t max_insns = UINT64_MAX;
    const char *stats_path = NULL;
    unsigned trace = 0;
    bool vmm = false;
    optind = 1;
    int ch;
    while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        int r = board_args_handle(&cfg, ch, optarg, "run");
        if (r < 0)
            return EXIT_BAD_INPUT;
        if (r > 0)
            continue;
        switch (ch) {
        case OPT_NATIVE: vmm = false; break;
        case OPT_VMM: vmm = true; break;
        case OPT_MAX:
            if (!parse_u64(optarg, &max_insns)) {
                fprintf(stderr, "trapvisor run: --max-insns: not a count: '%s'\n", optarg);
                return EXIT_BAD_INPUT;
            }
            break;
        case OPT_STATS: stats_path = optarg; break;
        case OPT_TRACE:
            if (!board_trace_parse(optarg, &trace)) {
                fprintf(stderr, "trapvisor run: --trace: unknown category in '%s' "
                                "(exceptions,tlb,io,insns)\n", optarg);
                return EXIT_BAD_INPUT;
            }
            break;
        case 'h':
        case OPT_HELP: run_usage(stdout); return 0;
        default: run_usage(stderr); return EXIT_BAD_INPUT;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "trapvisor run: unexpected argument '%s'\n", argv[optind]);
        return EXIT_BAD_INPUT;
    }
    if (vmm) {
        fprintf(stderr, "trapvisor run: --vmm: the monitor is not built yet (issue 4); use --native\n");
        return EXIT_BAD_INPUT;
    }
    char err[2048];
    board_t *b = board_new(&cfg, err, sizeof err);
    if (!b) {
        fprintf(stderr, "trapvisor run: %s\n", err);
        return EXIT_BAD_INPUT;
    }
    if (trace)
        board_set_trace(b, trace, stderr);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    enum board_stop stop = board_run(b, max_insns);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    fflush(stdout);
    double host_s = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    int rc = 0;
    switch (stop) {
    case BOARD_POWEROFF: rc = (int)board_exit_code(b); break;
    case BOARD_LIMIT:
        fprintf(stderr, "trapvisor run: instruction budget spent at pc %08x\n", cpu_pc(board_cpu(b)));
        rc = EXIT_LIMIT;
        break;
    case BOARD_HUNG:
        fprintf(stderr, "trapvisor run: the machine hung: WAIT with no interrupt source (pc %08x)\n",
                cpu_pc(board_cpu(b)));
        rc = EXIT_HUNG;
        break;
    case BOARD_HOST: rc = EXIT_LIMIT; break;
    }
    if (stats_path) {
        cJSON *o = stats_json(b, stop, host_s);
        if (write_stats(stats_path, o) != 0) {
            fprintf(stderr, "trapvisor run: --stats %s: cannot write\n", stats_path);
            rc = rc ? rc : EXIT_BAD_INPUT;
        }
        cJSON_Delete(o);
    }
    board_free(b);
    return rc;
}
