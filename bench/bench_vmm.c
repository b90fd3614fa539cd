/*
 * bench/bench_vmm.c — the monitor's overhead, measured against the native
 * run of the same guest in the same process: one kernel, one program per
 * workload, booted on the native board (RAM and devices as the guest sees
 * them) and as the single guest of the monitor. Prints host time of both,
 * the ratio monitor/native, traps per second, and (from a third, timed run)
 * host nanoseconds per trap by kind. Each figure is the best of 3 runs.
 */
#include <stdio.h>
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
    vmm_config_default(c);
    strcpy(c->board.slots[0][0].input, "none");
    strcpy(c->board.slots[0][0].output, "/dev/null");
    snprintf(c->board.bootargs, sizeof c->board.bootargs, "%s", prog);
    c->nguests = 1;
    strcpy(c->guests[0].output, "/dev/null");
}

static double run_native(const char *prog)
{
    struct vmm_config c;
    configure(&c, prog);
    /* The board the guest sees: its RAM, bus 0 and its bus 1. */
    c.board.ram_size = c.guests[0].ram_size;
    memset(c.board.slots[2], 0, sizeof c.board.slots[2]);
    char err[512];
    board_t *b = board_new(&c.board, err, sizeof err);
    if (!b) {
        fprintf(stderr, "bench_vmm: %s\n", err);
        return -1;
    }
    double t0 = now_s();
    enum board_stop s = board_run(b, UINT64_MAX);
    double t = now_s() - t0;
    board_free(b);
    return s == BOARD_POWEROFF ? t : -1;
}

static double run_vmm(const char *prog, bool timing, struct vmm_guest_stats *st)
{
    struct vmm_config c;
    configure(&c, prog);
    char err[512];
    vmm_t *v = vmm_new(&c, err, sizeof err);
    if (!v) {
        fprintf(stderr, "bench_vmm: %s\n", err);
        return -1;
    }
    vmm_set_timing(v, timing);
    double t0 = now_s();
    enum vmm_stop s = vmm_run(v, UINT64_MAX);
    double t = now_s() - t0;
    vmm_guest_stats(v, 0, st);
    vmm_free(v);
    return s == VMM_ALL_OFF ? t : -1;
}

int main(void)
{
    const char *progs[] = {"compute", "syscalls", "tlbstress"};
    printf("%-10s %10s %10s %7s %10s %9s   ns/trap: %s\n", "workload", "native ms", "vmm ms",
           "ratio", "traps/s", "traps", "priv tlb_miss mmio exception");
    for (size_t i = 0; i < sizeof progs / sizeof *progs; i++) {
        double nat = 1e9, vm = 1e9;
        struct vmm_guest_stats st, tst;
        for (int k = 0; k < 3; k++) {
            double a = run_native(progs[i]), b = run_vmm(progs[i], false, &st);
            if (a < 0 || b < 0) {
                fprintf(stderr, "bench_vmm: %s did not power off\n", progs[i]);
                return 1;
            }
            nat = a < nat ? a : nat;
            vm = b < vm ? b : vm;
        }
        run_vmm(progs[i], true, &tst);
        uint64_t traps = 0;
        for (unsigned k = 0; k < VMM_TRAP_KINDS; k++)
            if (k != VMM_TRAP_MMIO)
                traps += st.traps[k];
        double per[4] = {0};
        const unsigned kinds[4] = {VMM_TRAP_PRIV, VMM_TRAP_TLB_MISS, VMM_TRAP_MMIO,
                                   VMM_TRAP_EXCEPTION};
        for (int k = 0; k < 4; k++)
            if (tst.traps[kinds[k]] && kinds[k] != VMM_TRAP_MMIO)
                per[k] = (double)tst.trap_ns[kinds[k]] / (double)tst.traps[kinds[k]];
        printf("%-10s %10.1f %10.1f %6.2fx %10.0f %9llu   %.0f %.0f (in tlb_miss) %.0f\n",
               progs[i], nat * 1e3, vm * 1e3, vm / nat, (double)traps / vm,
               (unsigned long long)traps, per[0], per[1], per[3]);
    }
    return 0;
}
