/*
 * bench/bench_resident.c — the resident trap model (vmm.traps = resident)
 * against the direct model, in one run.
 *
 * Part 1, per trap kind: one program of the teaching kernel as the single
 * guest, natively, in the direct model and in the resident model. Host time
 * of each (best of 3) and the ratios; then, from timed runs, host ns per
 * trap: the direct model's handler per kind against the resident model's
 * first portion (a syscall reflected without a host exit) and second
 * portion (everything else: exception to resumption), and the guest
 * instructions each resident path costs.
 *
 * Part 2, per policy: the relocation lab (configs/labs/relocation.ini, four
 * guests) in the direct model and under each relocation policy: host time,
 * ratio to direct, moves and accesses served.
 */
#include "bench/vmm_runs.h"

#include "cpu/cp0_regs.h"

static double run_resident(const char *prog, bool timing, struct vmm_guest_stats *st)
{
    return run_vmm_model(prog, 0, VMM_FIX_NONE, VMM_TRAPS_RESIDENT, timing, st);
}

static double per(uint64_t total, uint64_t n) { return n ? (double)total / (double)n : 0; }

static uint64_t sum32(const uint64_t *a)
{
    uint64_t s = 0;
    for (unsigned i = 0; i < 32; i++)
        s += a[i];
    return s;
}

static int part1(void)
{
    const char *progs[] = {"syscalls", "compute", "tlbstress"};
    printf("part 1: one guest, the same program natively, direct, resident (best of 3)\n");
    printf("%-10s %9s %9s %9s %7s %7s | ns/trap direct: %-13s | resident: %-21s | insns: %s\n",
           "workload", "native ms", "direct ms", "resid ms", "d/nat", "r/d", "sys  other",
           "sys(1st) other(2nd)", "1st 2nd");
    for (size_t i = 0; i < sizeof progs / sizeof *progs; i++) {
        double nat = 1e9, dir = 1e9, res = 1e9;
        struct vmm_guest_stats ds, rs;
        for (int k = 0; k < 3; k++) {
            double a = run_native(progs[i], NULL),
                   b = run_vmm(progs[i], 0, VMM_FIX_NONE, false, &ds),
                   c = run_resident(progs[i], false, &rs);
            if (a < 0 || b < 0 || c < 0) {
                fprintf(stderr, "bench_resident: %s did not power off\n", progs[i]);
                return 1;
            }
            nat = a < nat ? a : nat;
            dir = b < dir ? b : dir;
            res = c < res ? c : res;
        }
        /* Timed runs: the clock around each trap. */
        if (run_vmm(progs[i], 0, VMM_FIX_NONE, true, &ds) < 0 ||
            run_resident(progs[i], true, &rs) < 0)
            return 1;
        uint64_t dn = 0, dt = 0;
        for (unsigned k = 0; k < VMM_TRAP_KINDS; k++)
            if (k != VMM_TRAP_MMIO && k != VMM_TRAP_EXCEPTION) {
                dn += ds.trap_ns[k];
                dt += ds.traps[k];
            }
        double d_sys = per(ds.trap_ns[VMM_TRAP_EXCEPTION], ds.traps[VMM_TRAP_EXCEPTION]);
        double r_sys = per(rs.resident.fast_ns[EXC_SYS], rs.resident.fast[EXC_SYS]);
        const struct vmm_resident_stats *r = &rs.resident;
        printf("%-10s %9.1f %9.1f %9.1f %6.2fx %6.2fx | %6.0f %6.0f | %9.0f %11.0f | %5.1f %5.1f\n",
               progs[i], nat * 1e3, dir * 1e3, res * 1e3, dir / nat, res / dir, d_sys, per(dn, dt),
               r_sys, per(sum32(r->host_ns), sum32(r->host)),
               per(sum32(r->fast_insns), sum32(r->fast)),
               per(sum32(r->host_insns), sum32(r->host)));
    }
    printf("  (sys: the guest's syscalls, reflected into its handler — by the monitor in the\n"
           "   direct model, by the first portion without a host exit in the resident one;\n"
           "   insns: guest instructions of resident code per trap on each path)\n\n");
    return 0;
}

static double run_lab(enum vmm_traps traps, enum vmm_relocation pol, uint64_t *moves,
                      uint64_t *served)
{
    struct vmm_config c;
    char err[512];
    if (!vmm_config_default(&c) ||
        vmm_config_load(&c, SOURCE_DIR "/configs/labs/relocation.ini", err, sizeof err) != 0 ||
        vmm_config_set(&c, "bus0.slot0.output=/dev/null", err, sizeof err) != 0) {
        fprintf(stderr, "bench_resident: %s\n", err);
        exit(1);
    }
    c.traps = traps;
    c.relocation = pol;
    vmm_t *v = vmm_new(&c, err, sizeof err);
    if (!v) {
        fprintf(stderr, "bench_resident: %s\n", err);
        exit(1);
    }
    double t0 = now_s();
    enum vmm_stop s = vmm_run(v, UINT64_MAX);
    double t = now_s() - t0;
    *moves = *served = 0;
    for (unsigned i = 0; i < vmm_guest_count(v); i++) {
        struct vmm_guest_stats st;
        vmm_guest_stats(v, i, &st);
        for (unsigned k = 0; k < VMM_RELOC_CAUSES; k++)
            *moves += st.resident.relocations[k];
        *served += st.resident.served;
    }
    bool ok = s == VMM_ALL_OFF && vmm_exit_code(v) == 0;
    vmm_free(v);
    vmm_config_free(&c);
    return ok ? t : -1;
}

static int part2(void)
{
    printf("part 2: the relocation lab's four guests (best of 3)\n");
    printf("%-18s %9s %8s %7s %9s\n", "model", "host ms", "/direct", "moves", "served");
    static const struct {
        const char *name;
        enum vmm_traps traps;
        enum vmm_relocation pol;
    } runs[] = {
        {"direct", VMM_TRAPS_DIRECT, VMM_RELOCATE_UNUSED},
        {"resident unused", VMM_TRAPS_RESIDENT, VMM_RELOCATE_UNUSED},
        {"resident random", VMM_TRAPS_RESIDENT, VMM_RELOCATE_RANDOM},
        {"resident periodic", VMM_TRAPS_RESIDENT, VMM_RELOCATE_PERIODIC},
    };
    double direct = 0;
    for (size_t i = 0; i < sizeof runs / sizeof *runs; i++) {
        double best = 1e9;
        uint64_t moves = 0, served = 0;
        for (int k = 0; k < 3; k++) {
            double t = run_lab(runs[i].traps, runs[i].pol, &moves, &served);
            if (t < 0) {
                fprintf(stderr, "bench_resident: the lab did not power off cleanly (%s)\n",
                        runs[i].name);
                return 1;
            }
            best = t < best ? t : best;
        }
        if (i == 0)
            direct = best;
        printf("%-18s %9.1f %7.2fx %7llu %9llu\n", runs[i].name, best * 1e3, best / direct,
               (unsigned long long)moves, (unsigned long long)served);
    }
    return 0;
}

int main(void) { return part1() || part2(); }
