/*
 * bench/bench_gui.c — what drawing costs: the same two-guest monitor run
 * (the default guests running the `compute` program) for the same number of
 * instructions, once as `trapvisor run --vmm` runs it (vmm_run, no window)
 * and once in the window's full-speed loop (batches between frames, each
 * frame drawn headless by SDL's software renderer), in this one process.
 * Prints both speeds, the ratio, frames per second and milliseconds per
 * frame. The window's pacing aims at drawing under a tenth of the time.
 *
 *   bench_gui [MILLION_INSNS]   (default 300)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "gui/gui.h"
#include "machine/board.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void configure(struct vmm_config *c)
{
    char err[512];
    if (!vmm_config_default(c) || vmm_config_set(c, "bus0.slot0.input=none", err, sizeof err) ||
        vmm_config_set(c, "bus0.slot0.output=/dev/null", err, sizeof err)) {
        fprintf(stderr, "bench_gui: cannot configure the board\n");
        exit(1);
    }
    snprintf(c->board.bootargs, sizeof c->board.bootargs,
             "compute compute compute compute compute compute compute compute compute compute");
}

/* The reference: the monitor alone. Instructions per second. */
static double plain(uint64_t insns, uint64_t *ran)
{
    struct vmm_config c;
    configure(&c);
    char err[512];
    vmm_t *v = vmm_new(&c, err, sizeof err);
    if (!v) {
        fprintf(stderr, "bench_gui: %s\n", err);
        exit(1);
    }
    double t0 = now_s();
    vmm_run(v, insns);
    double t = now_s() - t0;
    struct board_stats st;
    board_get_stats(vmm_board(v), &st);
    *ran = st.cpu.insns;
    vmm_free(v);
    vmm_config_free(&c);
    return (double)*ran / t;
}

int main(int argc, char **argv)
{
    uint64_t million = argc > 1 ? strtoull(argv[1], NULL, 10) : 300;
    uint64_t insns = million * 1000000ull;
    if (!insns) {
        fprintf(stderr, "usage: bench_gui [MILLION_INSNS]\n");
        return 2;
    }
    struct gui_options o;
    memset(&o, 0, sizeof o);
    configure(&o.cfg);
    o.vmm = true;
    o.max_insns = insns;
    double best_plain = 0, best_gui = 0, fps = 0, frame_ms = 0;
    uint64_t ran = 0;
    for (int rep = 0; rep < 3; rep++) { /* interleaved, best of three each */
        double p = plain(insns, &ran);
        if (p > best_plain)
            best_plain = p;
        double secs, dms;
        uint64_t frames, gran;
        char err[512];
        if (gui_bench_run(&o, insns, &gran, &secs, &frames, &dms, err, sizeof err) != 0) {
            fprintf(stderr, "bench_gui: %s\n", err);
            return 1;
        }
        double g = (double)gran / secs;
        if (g > best_gui) {
            best_gui = g;
            fps = (double)frames / secs;
            frame_ms = dms;
        }
    }
    printf("workload: monitor, 2 guests running compute, %llu M instructions (ran %llu)\n",
           (unsigned long long)million, (unsigned long long)ran);
    if (ran < insns)
        printf("note: the guests powered off before the budget; give fewer instructions\n");
    printf("run (no window)      %8.1f MIPS\n", best_plain / 1e6);
    printf("gui (headless, full) %8.1f MIPS   %.1f frames/s, %.2f ms per frame\n", best_gui / 1e6,
           fps, frame_ms);
    printf("gui / run            %8.3f   (throughput lost to drawing: %.1f%%)\n",
           best_gui / best_plain, 100.0 * (1.0 - best_gui / best_plain));
    vmm_config_free(&o.cfg);
    return 0;
}
