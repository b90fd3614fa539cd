/*
 * bench/bench_tpm.c — the TPM multiplexer's cost and its queue, in one run.
 *
 * The same guest load — the teaching kernel's `tpm:bench,N`: N GetRandom
 * (the physical TPM) and N PCR_Read (virtual under the monitor), each
 * through the FIFO registers and a polling driver — natively on the board's
 * TPM (the reference), then under the monitor with 1, 2 and 4 guests each
 * running it at once. Figures: TPM commands per host second and host µs
 * per command (ratio to native), commands per second of device time, and
 * the queue: mean wait per command in device cycles (µs of device time),
 * polls answered "in progress" per command. Best of 3 host times. The
 * commands counted include each boot's own (the boot ROM's measurement of
 * the kernel: about 190 SequenceUpdate, two Startup), the same in every run.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "machine/board.h"
#include "vmm/vmm.h"

#define N        200 /* per guest: N GetRandom + N PCR_Read */
#define CLOCK_HZ 100e6

static char state[64], ini[80];

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A board with a TPM on bus 0 and `guests` guests sharing it (0: the
 * native board of one guest's size). */
static void write_config(unsigned guests)
{
    FILE *f = fopen(ini, "w");
    if (!f) {
        perror(ini);
        exit(1);
    }
    fprintf(f,
            "[board]\nram = %s\nbuses = 1\nbootargs = tpm:bench,%d\n[bus0.slot0]\ntype = uart\n"
            "input = none\noutput = /dev/null\n[bus0.slot1]\ntype = timer\n[bus0.slot2]\n"
            "type = power\n[bus0.slot3]\ntype = tpm\nstate = %s\nseed = 1\n",
            guests ? "96M" : "16M", N, state);
    for (unsigned g = 0; g < guests; g++)
        fprintf(f, "[guest%u]\nname = g%u\nram = 16M\nbuses = none\noutput = /dev/null\n", g, g);
    fclose(f);
}

struct figures {
    double host_s;     /* best of 3 */
    uint64_t commands; /* TPM commands the guests issued */
    uint64_t cycles;   /* device time of the run */
    uint64_t queue;    /* device cycles waited in the queue, all guests */
    uint64_t polls;    /* STS reads answered "in progress" */
};

static int run_once(unsigned guests, struct figures *f)
{
    struct vmm_config c;
    char err[512];
    write_config(guests);
    if (!vmm_config_default(&c) || vmm_config_load(&c, ini, err, sizeof err) != 0) {
        fprintf(stderr, "bench: %s\n", err);
        return -1;
    }
    unlink(state); /* a fresh TPM each run: the same work */
    double t0 = now_s(), t;
    memset(f, 0, sizeof *f);
    if (!guests) {
        board_t *b = board_new(&c.board, err, sizeof err);
        if (!b) {
            fprintf(stderr, "bench: %s\n", err);
            vmm_config_free(&c);
            return -1;
        }
        enum board_stop s = board_run(b, UINT64_MAX);
        t = now_s() - t0;
        struct board_stats st;
        board_get_stats(b, &st);
        f->commands = st.tpm.commands, f->cycles = st.cpu.cycles;
        f->polls = st.tpm.polls_in_progress;
        board_free(b);
        if (s != BOARD_POWEROFF)
            t = -1;
    } else {
        vmm_t *v = vmm_new(&c, err, sizeof err);
        if (!v) {
            fprintf(stderr, "bench: %s\n", err);
            vmm_config_free(&c);
            return -1;
        }
        enum vmm_stop s = vmm_run(v, UINT64_MAX);
        t = now_s() - t0;
        for (unsigned g = 0; g < guests; g++) {
            struct vmm_guest_stats gs;
            vmm_guest_stats(v, g, &gs);
            f->commands += gs.tpm.commands, f->queue += gs.tpm.queue_cycles;
            f->polls += gs.tpm.polls_in_progress;
            if (gs.exit_code != 0)
                t = -1;
        }
        struct board_stats st;
        board_get_stats(vmm_board(v), &st);
        f->cycles = st.cpu.cycles;
        vmm_free(v);
        if (s != VMM_ALL_OFF)
            t = -1;
    }
    vmm_config_free(&c);
    f->host_s = t;
    return t < 0 ? -1 : 0;
}

static int measure(unsigned guests, struct figures *best)
{
    for (int i = 0; i < 3; i++) {
        struct figures f;
        if (run_once(guests, &f) != 0) {
            fprintf(stderr, "bench: the %u-guest run did not finish cleanly\n", guests);
            return -1;
        }
        if (i == 0 || f.host_s < best->host_s)
            *best = f;
    }
    return 0;
}

int main(void)
{
    snprintf(state, sizeof state, "/tmp/tv-bench-tpm-%d", (int)getpid());
    snprintf(ini, sizeof ini, "%s.ini", state);
    static const unsigned runs[] = {0, 1, 2, 4};
    struct figures f[4];
    for (unsigned i = 0; i < 4; i++)
        if (measure(runs[i], &f[i]) != 0)
            return 1;
    unlink(state);
    unlink(ini);
    printf("TPM load: per guest %d GetRandom + %d PCR_Read through the FIFO, polling (best of 3)\n",
           N, N);
    printf("%-8s %9s %8s %11s %10s %9s %13s %12s %10s\n", "run", "commands", "host s",
           "cmds/host-s", "us/cmd", "x native", "cmds/device-s", "queue cyc", "polls/cmd");
    double native_us = f[0].host_s * 1e6 / (double)f[0].commands;
    for (unsigned i = 0; i < 4; i++) {
        char name[16];
        snprintf(name, sizeof name, runs[i] ? "vmm %u" : "native", runs[i]);
        double us = f[i].host_s * 1e6 / (double)f[i].commands;
        printf("%-8s %9llu %8.3f %11.0f %10.1f %9.2f %13.0f %12.0f %10.1f\n", name,
               (unsigned long long)f[i].commands, f[i].host_s, (double)f[i].commands / f[i].host_s,
               us, us / native_us, (double)f[i].commands / ((double)f[i].cycles / CLOCK_HZ),
               (double)f[i].queue / (double)f[i].commands,
               (double)f[i].polls / (double)f[i].commands);
    }
    printf("queue cyc: mean device cycles a command waited for the physical TPM (100 cycles = 1 "
           "us)\n");
    return 0;
}
