/*
 * bench/vmm_runs.h — one guest program of the teaching kernel, run on the
 * native board (RAM and devices as the guest sees them) or as the single
 * guest of the monitor, timed in host seconds (-1: it did not power off).
 * Shared by bench_vmm and bench_scan.
 */
#ifndef BENCH_VMM_RUNS_H
#define BENCH_VMM_RUNS_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "machine/board.h"
#include "vmm/vmm.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void configure(struct vmm_config *c, const char *prog)
{
    char err[512];
    if (!vmm_config_default(c) || vmm_config_set(c, "bus0.slot0.input=none", err, sizeof err) ||
        vmm_config_set(c, "bus0.slot0.output=/dev/null", err, sizeof err)) {
        fprintf(stderr, "bench: cannot configure the board\n");
        exit(1);
    }
    snprintf(c->board.bootargs, sizeof c->board.bootargs, "%s", prog);
    c->nguests = 1;
    strcpy(c->guests[0].output, "/dev/null");
}

static double run_native(const char *prog, uint64_t *insns)
{
    struct vmm_config c;
    configure(&c, prog);
    /* The board the guest sees: its RAM, bus 0 and its bus 1. */
    c.board.ram_size = c.guests[0].ram_size;
    for (unsigned slot = 0; slot < IOBUS_SLOTS; slot++)
        board_config_put(&c.board, 2, slot, NULL);
    char err[512];
    board_t *b = board_new(&c.board, err, sizeof err);
    if (!b) {
        fprintf(stderr, "bench: %s\n", err);
        vmm_config_free(&c);
        return -1;
    }
    double t0 = now_s();
    enum board_stop s = board_run(b, UINT64_MAX);
    double t = now_s() - t0;
    if (insns) {
        struct board_stats st;
        board_get_stats(b, &st);
        *insns = st.cpu.insns;
    }
    board_free(b);
    vmm_config_free(&c);
    return s == BOARD_POWEROFF ? t : -1;
}

/* unsafe: CPU_EXT_*_UNPRIV switches; fix: the monitor's software fix;
 * traps: the trap model. */
static double run_vmm_model(const char *prog, uint32_t unsafe, enum vmm_fix fix,
                            enum vmm_traps traps, bool timing, struct vmm_guest_stats *st)
{
    struct vmm_config c;
    configure(&c, prog);
    c.board.unsafe = unsafe;
    c.fix = fix;
    c.traps = traps;
    char err[512];
    vmm_t *v = vmm_new(&c, err, sizeof err);
    if (!v) {
        fprintf(stderr, "bench: %s\n", err);
        vmm_config_free(&c);
        return -1;
    }
    vmm_set_timing(v, timing);
    double t0 = now_s();
    enum vmm_stop s = vmm_run(v, UINT64_MAX);
    double t = now_s() - t0;
    vmm_guest_stats(v, 0, st);
    vmm_free(v);
    vmm_config_free(&c);
    return s == VMM_ALL_OFF && st->exit_code == 0 ? t : -1;
}

static double run_vmm(const char *prog, uint32_t unsafe, enum vmm_fix fix, bool timing,
                      struct vmm_guest_stats *st)
{
    return run_vmm_model(prog, unsafe, fix, VMM_TRAPS_DIRECT, timing, st);
}

#endif
