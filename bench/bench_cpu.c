/*
 * bench/bench_cpu.c — guest MIPS of trapvisor's CPU against Unicorn Engine on
 * the same compiled workloads, measured in the same run.
 *
 * Each workload runs to its BREAK; the instruction count comes from
 * trapvisor (the differential test shows both machines execute the same
 * instruction path), and each machine's best of several runs is timed with
 * CLOCK_MONOTONIC. "mapped" variants are linked at kuseg addresses and reach
 * code and data through a wired TLB entry (16 MiB pages); Unicorn, which
 * models no TLB, runs the same code at the same addresses directly.
 *
 * usage: bench_cpu [GUEST_DIR] [--runs N] [--json]
 */
#include "cpu/cpu.h"
#include "util/elfload.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unicorn/unicorn.h>

#define RAM_SIZE (32u << 20)

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void uc_intr(uc_engine *uc, uint32_t intno, void *user)
{
    *(uint32_t *)user = intno;
    uc_emu_stop(uc);
}

/* Run the image in trapvisor; returns seconds, sets *insns and *v0. */
static double run_tv(const uint8_t *ram, uint32_t entry, bool mapped, uint64_t *insns, uint32_t *v0)
{
    phys_t *phys = phys_new(RAM_SIZE, true);
    cpu_t *cpu = cpu_new(NULL, phys);
    if (phys_load(phys, 0, ram, RAM_SIZE) != 0) {
        fprintf(stderr, "bench_cpu: cannot load the program\n");
        exit(1);
    }
    cpu_cp0_write(cpu, C0_STATUS, 0, 0);
    cpu_set_trap_routing(cpu, 0xFFFFFFFEu);
    if (mapped) {
        /* One wired pair of 16 MiB pages: kuseg [0, 32 MiB) -> physical [0, 32 MiB). */
        struct tlb_regs r = {0x00000000u, (0x000u << 6) | 0x7u, (0x1000u << 6) | 0x7u, 0x01FFE000u};
        tlb_write(cpu_tlb(cpu), 0, &r);
        cpu_cp0_write(cpu, C0_WIRED, 0, 1);
        cpu_set_gpr(cpu, 29, RAM_SIZE);
    } else {
        cpu_set_gpr(cpu, 29, 0x80000000u + RAM_SIZE);
    }
    cpu_set_pc(cpu, entry);
    double t0 = now_s();
    enum cpu_stop s = cpu_run(cpu, 10000000000ull);
    double t = now_s() - t0;
    struct cpu_stats st;
    cpu_get_stats(cpu, &st);
    *insns = st.insns;
    *v0 = cpu_gpr(cpu, 2);
    if (s != CPU_STOP_TRAP || cpu_trap(cpu)->code != EXC_BP) {
        fprintf(stderr, "bench: trapvisor did not reach BREAK (%s)\n", cpu_stop_name(s));
        exit(1);
    }
    cpu_free(cpu);
    phys_free(phys);
    return t;
}

static double run_uc(const uint8_t *ram, uint32_t entry, bool mapped, uint32_t *v0)
{
    uc_engine *uc;
    if (uc_open(UC_ARCH_MIPS, UC_MODE_MIPS32 | UC_MODE_BIG_ENDIAN, &uc) != UC_ERR_OK) {
        fprintf(stderr, "bench: cannot open Unicorn\n");
        exit(1);
    }
    uc_ctl_set_cpu_model(uc, UC_CPU_MIPS32_24KF);
    uint32_t base = mapped ? 0 : 0x80000000u;
    uc_mem_map(uc, base, RAM_SIZE, UC_PROT_ALL);
    uc_mem_write(uc, base, ram, RAM_SIZE);
    uint32_t sp = base + RAM_SIZE, intno = 0;
    uc_reg_write(uc, UC_MIPS_REG_SP, &sp);
    uc_hook h;
    uc_hook_add(uc, &h, UC_HOOK_INTR, (void *)uc_intr, &intno, 1, 0);
    double t0 = now_s();
    uc_emu_start(uc, entry, 0xFFFFFFFFu, 0, 0);
    double t = now_s() - t0;
    uc_reg_read(uc, UC_MIPS_REG_V0, v0);
    if (intno != 18) {
        fprintf(stderr, "bench: Unicorn did not reach BREAK (interrupt %u)\n", intno);
        exit(1);
    }
    uc_close(uc);
    return t;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
    const char *dir = GUEST_DIR;
    int runs = 3;
    bool json = false;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--runs") == 0 && i + 1 < argc)
            runs = atoi(argv[++i]);
        else if (strcmp(argv[i], "--json") == 0)
            json = true;
        else
            dir = argv[i];
    }
    if (runs < 1)
        runs = 1;
    static const char *const work[] = {"alu", "sort", "calls"};
    static const char *const desc[] = {"ALU loop", "merge sort, 1 MiB (store-heavy)",
                                       "recursion, jump table, calls through pointers"};
    double tv_mips[6];
    int nres = 0;
    if (!json) {
        printf("trapvisor CPU vs Unicorn %s, same process, best of %d runs\n\n",
               UC_VERSION_MAJOR == 2 ? "2" : "?", runs);
        printf("%-16s %12s %11s %11s %8s\n", "workload", "insns", "trapvisor", "unicorn", "ratio");
        printf("%-16s %12s %11s %11s %8s\n", "", "", "MIPS", "MIPS", "tv/uc");
    } else
        printf("{\"results\": [");
    for (int w = 0; w < 3; w++) {
        for (int mapped = 0; mapped < 2; mapped++) {
            char path[512], err[256];
            snprintf(path, sizeof(path), "%s/%s-eb%s.elf", dir, work[w], mapped ? "-mapped" : "");
            elfimg_t *img = elfimg_open(path, err, sizeof(err));
            if (!img) {
                fprintf(stderr, "bench: %s\n", err);
                return 1;
            }
            phys_t *image = phys_new(RAM_SIZE, true);
            if (elfimg_load(img, image, err, sizeof(err)) != 0) {
                fprintf(stderr, "bench: %s: %s\n", path, err);
                return 1;
            }
            uint8_t *ram = malloc(RAM_SIZE);
            if (phys_dump(image, 0, ram, RAM_SIZE) != 0) {
                fprintf(stderr, "bench_cpu: cannot read the program image\n");
                exit(1);
            }
            phys_free(image);
            uint32_t entry = elfimg_entry(img);
            double best_tv = 1e9, best_uc = 1e9;
            uint64_t insns = 0;
            uint32_t v_tv = 0, v_uc = 0;
            for (int r = 0; r < runs; r++) {
                double t = run_tv(ram, entry, mapped, &insns, &v_tv);
                if (t < best_tv)
                    best_tv = t;
                t = run_uc(ram, entry, mapped, &v_uc);
                if (t < best_uc)
                    best_uc = t;
            }
            if (v_tv != v_uc) {
                fprintf(stderr, "bench: %s: results differ (%08x vs %08x)\n", path, v_tv, v_uc);
                return 1;
            }
            double m_tv = (double)insns / best_tv / 1e6, m_uc = (double)insns / best_uc / 1e6;
            tv_mips[nres++] = m_tv;
            char name[64];
            snprintf(name, sizeof(name), "%s%s", work[w], mapped ? " (mapped)" : "");
            if (json)
                printf("%s{\"workload\": \"%s\", \"mapped\": %s, \"insns\": %llu, "
                       "\"trapvisor_mips\": %.1f, \"unicorn_mips\": %.1f, \"ratio\": %.3f}",
                       nres > 1 ? ", " : "", work[w], mapped ? "true" : "false",
                       (unsigned long long)insns, m_tv, m_uc, m_tv / m_uc);
            else
                printf("%-16s %12llu %11.1f %11.1f %8.2f   %s\n", name, (unsigned long long)insns,
                       m_tv, m_uc, m_tv / m_uc, mapped ? "" : desc[w]);
            free(ram);
            elfimg_free(img);
        }
    }
    qsort(tv_mips, (size_t)nres, sizeof(double), cmp_double);
    double median = (tv_mips[nres / 2 - 1] + tv_mips[nres / 2]) / 2;
    if (json)
        printf("], \"trapvisor_median_mips\": %.1f}\n", median);
    else
        printf("\ntrapvisor median: %.1f guest MIPS\n", median);
    return 0;
}
