/*
 * bench/bench_vmm.c — the monitor's overhead, measured against the native
 * run of the same guest in the same process: one kernel, one program per
 * workload, booted on the native board (RAM and devices as the guest sees
 * them) and as the single guest of the monitor. Prints host time of both,
 * the ratio monitor/native, traps per second, and (from a third, timed run)
 * host nanoseconds per trap by kind. Each figure is the best of 3 runs.
 */
#include "bench/vmm_runs.h"

int main(void)
{
    const char *progs[] = {"compute", "syscalls", "tlbstress"};
    printf("%-10s %10s %10s %7s %10s %9s   ns/trap: %s\n", "workload", "native ms", "vmm ms",
           "ratio", "traps/s", "traps", "priv tlb_miss mmio exception");
    for (size_t i = 0; i < sizeof progs / sizeof *progs; i++) {
        double nat = 1e9, vm = 1e9;
        struct vmm_guest_stats st, tst;
        for (int k = 0; k < 3; k++) {
            double a = run_native(progs[i], NULL),
                   b = run_vmm(progs[i], 0, VMM_FIX_NONE, false, &st);
            if (a < 0 || b < 0) {
                fprintf(stderr, "bench_vmm: %s did not power off\n", progs[i]);
                return 1;
            }
            nat = a < nat ? a : nat;
            vm = b < vm ? b : vm;
        }
        run_vmm(progs[i], 0, VMM_FIX_NONE, true, &tst);
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
        printf("%-10s %10.1f %10.1f %6.2fx %10.0f %9llu   %.0f %.0f (in tlb_miss) %.0f\n", progs[i],
               nat * 1e3, vm * 1e3, vm / nat, (double)traps / vm, (unsigned long long)traps, per[0],
               per[1], per[3]);
    }
    return 0;
}
