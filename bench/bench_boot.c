/*
 * bench/bench_boot.c — the native board: time from reset to the first
 * console byte and to the kernel's "starting" line, and guest MIPS while the
 * teaching kernel runs user programs, against a reference measured in the
 * same run: the bare CPU (no board, no OS) running a compiled workload
 * (guests/programs/sort.c) — the ratio is what the OS's exceptions, refills
 * and device accesses cost per instruction. Best of N runs each.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cpu/cpu.h"
#include "machine/board.h"
#include "util/elfload.h"

#define RUNS 5

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

struct console {
    char text[65536];
    size_t n;
};

static void capture(void *opaque, const char *buf, size_t len)
{
    struct console *c = opaque;
    if (c->n + len < sizeof c->text) {
        memcpy(c->text + c->n, buf, len);
        c->n += len;
        c->text[c->n] = 0;
    }
}

/* The board borrows cfg: the caller frees it after the board. */
static board_t *make_board(struct board_config *cfg, const char *bootargs, struct console *con)
{
    char err[1024], set[300];
    snprintf(set, sizeof set, "board.bootargs=%s", bootargs);
    if (!board_config_default(cfg) || board_config_set(cfg, set, err, sizeof err) != 0 ||
        board_config_set(cfg, "bus0.slot0.input=none", err, sizeof err) != 0) {
        fprintf(stderr, "bench_boot: %s\n", err);
        exit(1);
    }
    board_t *b = board_new(cfg, err, sizeof err);
    if (!b) {
        fprintf(stderr, "bench_boot: %s\n", err);
        exit(1);
    }
    con->n = 0;
    con->text[0] = 0;
    board_set_console(b, capture, con);
    return b;
}

static uint64_t insns_of(board_t *b)
{
    struct cpu_stats st;
    cpu_get_stats(board_cpu(b), &st);
    return st.insns;
}

/* Boot, stepping in small slices, until the console shows `marker`. */
static double time_to(const char *marker, uint64_t *insns)
{
    static struct console con;
    struct board_config cfg;
    board_t *b = make_board(&cfg, "hello", &con);
    double t0 = now_s();
    while (!strstr(con.text, marker)) {
        if (board_run(b, 2000) != BOARD_LIMIT) {
            fprintf(stderr, "bench_boot: stopped before '%s'\n", marker);
            exit(1);
        }
    }
    double t = now_s() - t0;
    *insns = insns_of(b);
    board_free(b);
    board_config_free(&cfg);
    return t;
}

/* The whole run of the kernel with these programs. */
static double kernel_run(const char *bootargs, uint64_t *insns, struct board_stats *st)
{
    static struct console con;
    struct board_config cfg;
    board_t *b = make_board(&cfg, bootargs, &con);
    double t0 = now_s();
    enum board_stop s = board_run(b, UINT64_MAX);
    double t = now_s() - t0;
    if (s != BOARD_POWEROFF || board_exit_code(b) != 0) {
        fprintf(stderr, "bench_boot: '%s' did not finish cleanly:\n%s\n", bootargs, con.text);
        exit(1);
    }
    *insns = insns_of(b);
    board_get_stats(b, st);
    board_free(b);
    board_config_free(&cfg);
    return t;
}

/* The reference: the bare CPU on a compiled workload, same process. */
static double bare_run(uint64_t *insns)
{
    char path[512], err[256];
    snprintf(path, sizeof path, "%s/sort-eb.elf", GUEST_DIR);
    elfimg_t *img = elfimg_open(path, err, sizeof err);
    if (!img) {
        fprintf(stderr, "bench_boot: %s: %s\n", path, err);
        exit(1);
    }
    phys_t *phys = phys_new(64u << 20, true);
    cpu_t *cpu = cpu_new(NULL, phys);
    if (elfimg_load(img, phys, err, sizeof err) != 0) {
        fprintf(stderr, "bench_boot: %s\n", err);
        exit(1);
    }
    cpu_cp0_write(cpu, C0_STATUS, 0, 0);
    cpu_set_trap_routing(cpu, 0xFFFFFFFEu);
    cpu_set_gpr(cpu, 29, 0x80000000u + (64u << 20));
    cpu_set_pc(cpu, elfimg_entry(img));
    double t0 = now_s();
    enum cpu_stop s = cpu_run(cpu, 10000000000ull);
    double t = now_s() - t0;
    if (s != CPU_STOP_TRAP || cpu_trap(cpu)->code != EXC_BP) {
        fprintf(stderr, "bench_boot: the bare workload did not reach BREAK\n");
        exit(1);
    }
    struct cpu_stats st;
    cpu_get_stats(cpu, &st);
    *insns = st.insns;
    cpu_free(cpu);
    phys_free(phys);
    elfimg_free(img);
    return t;
}

int main(void)
{
    double first = 1e9, ready = 1e9;
    uint64_t first_insns = 0, ready_insns = 0;
    for (int i = 0; i < RUNS; i++) {
        double t = time_to("trapvisor boot ROM", &first_insns);
        if (t < first)
            first = t;
        t = time_to("kernel: starting", &ready_insns);
        if (t < ready)
            ready = t;
    }
    printf("native board, best of %d runs\n\n", RUNS);
    printf("boot: first console byte after %llu guest instructions, %.3f ms host\n",
           (unsigned long long)first_insns, first * 1e3);
    printf("boot: kernel ready (discovery, memory, timer, disk) after %llu instructions, "
           "%.3f ms host\n\n",
           (unsigned long long)ready_insns, ready * 1e3);

    double bare_best = 1e9;
    uint64_t bare_insns = 0;
    for (int i = 0; i < RUNS; i++) {
        double t = bare_run(&bare_insns);
        if (t < bare_best)
            bare_best = t;
    }
    double bare_mips = (double)bare_insns / bare_best / 1e6;
    printf("%-28s %12s %9s %9s %11s %11s\n", "workload", "insns", "MIPS", "vs bare", "exc/s",
           "refills/s");
    printf("%-28s %12llu %9.1f %9s %11s %11s\n", "bare CPU: sort (reference)",
           (unsigned long long)bare_insns, bare_mips, "1.00", "-", "-");
    static const char *const loads[] = {"compute", "tlbstress", "spin spin", "init"};
    for (size_t w = 0; w < sizeof loads / sizeof loads[0]; w++) {
        double best = 1e9;
        uint64_t insns = 0;
        struct board_stats st;
        for (int i = 0; i < RUNS; i++) {
            double t = kernel_run(loads[w], &insns, &st);
            if (t < best)
                best = t;
        }
        uint64_t exc = 0;
        for (unsigned c = 0; c < 32; c++)
            exc += st.cpu.exceptions[c];
        double mips = (double)insns / best / 1e6;
        char name[64];
        snprintf(name, sizeof name, "kernel: %s", loads[w]);
        printf("%-28s %12llu %9.1f %9.2f %11.0f %11.0f\n", name, (unsigned long long)insns, mips,
               mips / bare_mips, (double)exc / best, (double)st.cpu.tlb_refills / best);
    }
    return 0;
}
