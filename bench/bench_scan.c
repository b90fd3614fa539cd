/*
 * bench/bench_scan.c — what the scanner fix costs (docs/vmm.md, "Figures").
 *
 * 1. The scanner on the teaching kernel's code, page by page (Capstone
 *    sweeps every word): host microseconds per 4 KiB page, and the same
 *    figure in guest instructions the CPU interprets in that time — the
 *    reference, measured in this run from the native board's speed.
 * 2. Run time of the same guest programs natively, under the monitor on
 *    trapping hardware (trap-and-emulate), and under the monitor on
 *    hardware where no sensitive instruction traps with the scanner fix
 *    (every RAM page tracked at 4 KiB, patched sites emulated): the ratios
 *    fix/trapping and fix/native. Best of 3 runs each.
 */
#include <stdlib.h>

#include "bench/vmm_runs.h"
#include "cpu/cpu.h"
#include "util/elfload.h"
#include "vmm/scan.h"

static int scanner_cost(double ns_per_insn)
{
    char err[512];
    elfimg_t *k =
        board_open_guest("guest:kernel", "kernel-eb.elf", "kernel", true, err, sizeof err);
    if (!k) {
        fprintf(stderr, "bench_scan: %s\n", err);
        return 1;
    }
    size_t len;
    const uint8_t *bytes = elfimg_bytes(k, &len);
    scanner_t *s = scanner_new(true, CPU_EXT_UNSAFE);
    if (!s) {
        fprintf(stderr, "bench_scan: no scanner\n");
        elfimg_free(k);
        return 1;
    }
    size_t pages = len / 4096;
    struct scan_site sites[1024];
    for (int full = 0; full < 2; full++) {
        scanner_set_full_sweep(s, full);
        unsigned found = 0;
        double best = 1e9;
        for (int round = 0; round < 5; round++) {
            double t0 = now_s();
            found = 0;
            for (size_t p = 0; p < pages; p++)
                found += scanner_scan(s, bytes + p * 4096, 4096, 0x80000000u + (uint32_t)p * 4096,
                                      sites, 1024);
            double t = (now_s() - t0) / (double)pages;
            best = t < best ? t : best;
        }
        printf("scanner (%s): %zu pages of kernel-eb.elf, %u sites; %.1f us per page = %.0f "
               "guest instructions interpreted (%.2f ns each, native board, same run)\n",
               full ? "every word to Capstone" : "COP0 words to Capstone", pages, found, best * 1e6,
               best * 1e9 / ns_per_insn, ns_per_insn);
    }
    scanner_free(s);
    elfimg_free(k);
    return 0;
}

int main(void)
{
    const char *progs[] = {"compute", "syscalls", "tlbstress", "init"};
    uint64_t insns = 0;
    double ref = run_native("compute", &insns);
    if (ref < 0 || !insns) {
        fprintf(stderr, "bench_scan: the native reference did not run\n");
        return 1;
    }
    if (scanner_cost(ref * 1e9 / (double)insns) != 0)
        return 1;
    printf("\n%-10s %10s %10s %10s %8s %8s %6s %6s %9s %7s %6s %8s\n", "workload", "native ms",
           "trap ms", "fix ms", "fix/trap", "fix/nat", "pages", "sites", "patched", "reads",
           "writes", "scan ms");
    for (size_t i = 0; i < sizeof progs / sizeof *progs; i++) {
        double nat = 1e9, trap = 1e9, fix = 1e9;
        struct vmm_guest_stats st_trap, st_fix;
        for (int k = 0; k < 3; k++) {
            double a = run_native(progs[i], NULL);
            double b = run_vmm(progs[i], 0, VMM_FIX_NONE, false, &st_trap);
            double c = run_vmm(progs[i], CPU_EXT_UNSAFE, VMM_FIX_SCAN, false, &st_fix);
            if (a < 0 || b < 0 || c < 0) {
                fprintf(stderr, "bench_scan: %s did not power off cleanly\n", progs[i]);
                return 1;
            }
            nat = a < nat ? a : nat;
            trap = b < trap ? b : trap;
            fix = c < fix ? c : fix;
        }
        printf("%-10s %10.1f %10.1f %10.1f %7.2fx %7.2fx %6llu %6llu %9llu %7llu %6llu %8.2f\n",
               progs[i], nat * 1e3, trap * 1e3, fix * 1e3, fix / trap, fix / nat,
               (unsigned long long)st_fix.scan.pages, (unsigned long long)st_fix.scan.sites,
               (unsigned long long)st_fix.scan.patch_calls,
               (unsigned long long)st_fix.scan.hidden_reads,
               (unsigned long long)st_fix.scan.code_writes, (double)st_fix.scan.ns / 1e6);
    }
    return 0;
}
