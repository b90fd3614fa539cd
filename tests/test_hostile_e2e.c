/*
 * tests/test_hostile_e2e.c — bad input and hostile guests, as a user or an
 * attacker meets them: files that would block open(2) (a FIFO, a directory
 * where a regular file is needed), config lines longer than the parser's
 * buffer, empty sections, octal-looking numbers, stray spaces, a guest that
 * forges another's console lines, and outputs that cannot be written.
 */
#include "cunit_main.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <string.h>
#include <signal.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "runcli.h"

static struct cli_result r;
static char fifo[64];

static void make_fifo(void)
{
    snprintf(fifo, sizeof fifo, "/tmp/tv_fifo_%d", getpid());
    unlink(fifo);
    CU_ASSERT_EQUAL_FATAL(mkfifo(fifo, 0600), 0);
}

static void expect_refused(const char *args, const char *needle)
{
    cli_run(&r, args);
    if (r.rc != 2)
        printf("\n  '%s' exited %d\n", args, r.rc);
    CU_ASSERT_EQUAL(r.rc, 2); /* a message and exit 2: not a hang (killed: -1) */
    HAS(r.err, needle);
}

static void test_files_that_would_block(void)
{
    make_fifo();
    char args[256];
    snprintf(args, sizeof args, "run --native --kernel %s", fifo);
    expect_refused(args, "is a FIFO, not a regular file");
    snprintf(args, sizeof args, "run --native --config %s", fifo);
    expect_refused(args, "is a FIFO, not a regular file");
    snprintf(args, sizeof args, "run --native --console-in none --disk %s", fifo);
    expect_refused(args, "disk image");
    HAS(r.err, "is a FIFO");
    snprintf(args, sizeof args,
             "run --native --console-in none --disk %s --set bus1.slot0.readonly=true", fifo);
    expect_refused(args, "is a FIFO");
    snprintf(args, sizeof args, "gui --font %s --screenshot /tmp/tv_x.png", fifo);
    expect_refused(args, "is a FIFO");
    /* Directories where a file is needed. */
    expect_refused("run --native --console-in /tmp", "console input /tmp: is a directory");
    expect_refused("run --native --console-out /tmp", "console output /tmp");
    expect_refused("gui --script /tmp", "--script /tmp: is a directory");
    expect_refused("run --vmm --set guest0.input=/tmp", "g0: console input /tmp: is a directory");
    unlink(fifo);
}

static void write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    fputs(text, f);
    fclose(f);
}

static void test_config_lines_read_whole(void)
{
    /* A long bootargs line must not spill into a line of its own
     * ("ram = 8M" at its end would otherwise set board.ram). */
    char text[600], path[64];
    snprintf(path, sizeof path, "/tmp/tv_long_%d.ini", getpid());
    int n = snprintf(text, sizeof text, "[board]\nbootargs = ");
    for (int i = 0; i < 280; i++)
        text[n++] = 'a';
    snprintf(text + n, sizeof text - (size_t)n, " ram = 8M\n");
    write_text(path, text);
    char args[256];
    snprintf(args, sizeof args, "run --native --config %s", path);
    expect_refused(args, "line 2: longer than 198 characters");
    /* An empty [guest1] is a guest: guest2 after it is no gap. */
    write_text(path, "[guest0]\nram = 8M\nbuses = 1\n[guest1]\n[guest2]\nram = 8M\nbuses = 2\n");
    char stats[64];
    snprintf(stats, sizeof stats, "/tmp/tv_hostile_%d.json", getpid());
    snprintf(args, sizeof args,
             "run --vmm --console-in none --config %s --max-insns 200000 --stats %s", path, stats);
    cli_run(&r, args);
    CU_ASSERT_EQUAL(r.rc, 124);
    cJSON *o = json_load(stats);
    CU_ASSERT_PTR_NOT_NULL_FATAL(o);
    CU_ASSERT_EQUAL(cJSON_GetArraySize(cJSON_GetObjectItem(o, "guests")), 3);
    cJSON_Delete(o);
    /* Every bad line is reported, each with the file, its line, the key
     * and its own message, in order. */
    write_text(path, "[board]\nram = lots\n[board\ntlb = 3\nfoo\n[guest0]\n[guest2]\nram = 8M\n");
    snprintf(args, sizeof args, "run --vmm --config %s", path);
    cli_run(&r, args);
    CU_ASSERT_EQUAL(r.rc, 2);
    char want[160];
    snprintf(want, sizeof want, "config %s: line 2: board.ram: 'lots'", path);
    HAS(r.err, want);
    snprintf(want, sizeof want, "config %s: line 3: syntax error", path);
    HAS(r.err, want);
    snprintf(want, sizeof want, "config %s: line 4: board.tlb: '3'", path);
    HAS(r.err, want);
    snprintf(want, sizeof want, "config %s: line 5: syntax error", path);
    HAS(r.err, want);
    snprintf(want, sizeof want, "config %s: line 7: [guest2]: guests must be numbered", path);
    HAS(r.err, want);
    CU_ASSERT(strstr(r.err, "line 2:") < strstr(r.err, "line 7:"));
    CU_ASSERT_PTR_NULL(strstr(r.err, "line 8")); /* a refused section's keys are not told */
    /* --set never fills a gap in the guests: only the next one is new. */
    cli_run(&r, "run --vmm --set guest3.ram=8M");
    CU_ASSERT_EQUAL(r.rc, 2);
    HAS(r.err, "guest3: there are 2 guests (guest0..guest1): a new one is guest2");
    unlink(path);
    unlink(stats);
}

static void test_numbers_and_spaces(void)
{
    /* 010M is ten MiB (decimal), not eight (octal); spaces as in a file. */
    char stats[64], args[256];
    snprintf(stats, sizeof stats, "/tmp/tv_hostile_%d.json", getpid());
    snprintf(args, sizeof args,
             "run --vmm --console-in none --set 'guest0.ram=010M ' --set ' guest1.ram = 0x800000' "
             "--max-insns 100000 --stats %s",
             stats);
    cli_run(&r, args);
    CU_ASSERT_EQUAL(r.rc, 124);
    cJSON *o = json_load(stats);
    CU_ASSERT_PTR_NOT_NULL_FATAL(o);
    cJSON *g = cJSON_GetObjectItem(o, "guests");
    CU_ASSERT_EQUAL(json_num(cJSON_GetArrayItem(g, 0), "ram_size"), 10 << 20);
    CU_ASSERT_EQUAL(json_num(cJSON_GetArrayItem(g, 1), "ram_size"), 8 << 20);
    cJSON_Delete(o);
    unlink(stats);
    expect_refused("run --native --ram -64M", "board.ram");
    expect_refused("run --native --ram 0x", "board.ram");
}

static void test_outputs_that_fail(void)
{
    /* Every output that cannot be written: a message and exit 74. */
    cli_run(&r, "run --native --console-in none --bootargs hello > /dev/full");
    CU_ASSERT_EQUAL(r.rc, 74);
    HAS(r.err, "console output (standard output): write failed");
    cli_run(&r, "run --vmm --console-in none --bootargs hello --set guest1.output=/dev/full");
    CU_ASSERT_EQUAL(r.rc, 74);
    HAS(r.err, "g1: console output /dev/full: write failed");
    cli_run(&r, "run --vmm --console-in none --bootargs hello --stats /dev/full");
    CU_ASSERT_EQUAL(r.rc, 74);
    HAS(r.err, "--stats /dev/full: cannot write");
    /* A path that cannot be written at all is refused before the run. */
    cli_run(&r, "run --vmm --console-in none --stats /nonexistent/dir/s.json");
    CU_ASSERT_EQUAL(r.rc, 2);
    HAS(r.err, "--stats /nonexistent/dir/s.json");
    CU_ASSERT_STRING_EQUAL(r.out, ""); /* nothing ran */
    cli_run(&r, "gui --vmm --screenshot /nonexistent/dir/x.png");
    CU_ASSERT_EQUAL(r.rc, 2);
    HAS(r.err, "/nonexistent/dir/x.png: No such file or directory");
    cli_run(&r, "gui --vmm --screenshot /dev/full");
    CU_ASSERT_EQUAL(r.rc, 2);
    HAS(r.err, "screenshot /dev/full: write failed");
}

static void test_every_run_ends(void)
{
    /* A kernel waiting with every line masked while its timer fires every
     * microsecond: hung at once, natively and as a guest beside one that
     * finishes (an idle guest does not keep the monitor running). */
    cli_run(&r, "run --native --console-in none --kernel guest:sleeper");
    CU_ASSERT_EQUAL(r.rc, 125);
    HAS(r.err, "the machine hung: WAIT at pc 8001");
    cli_run(&r, "run --vmm --console-in none --bootargs hello --set guest1.kernel=guest:sleeper");
    CU_ASSERT_EQUAL(r.rc, 125);
    HAS(r.out, "[g0] kernel: all processes finished");
    HAS(r.err, "go back to sleep): g1 (pc 8001");
    /* Its timer interrupt pending and never taken (IE = 0): every WAIT ends
     * at once, it wakes only to go back to sleep — stuck too. */
    cli_run(&r, "run --native --console-in none --kernel guest:sleeper-spin");
    CU_ASSERT_EQUAL(r.rc, 125);
    HAS(r.err, "wakes only to go back to sleep");
    cli_run(&r,
            "run --vmm --console-in none --bootargs hello --set guest1.kernel=guest:sleeper-spin");
    CU_ASSERT_EQUAL(r.rc, 125);
    HAS(r.out, "[g0] kernel: all processes finished");
    HAS(r.err, "go back to sleep): g1 (pc 8001");
    /* Only a timer 2^32 cycles away can wake it: the budget bounds the idle
     * time skipped too (natively and under the monitor). */
    char stats[64], args[256];
    snprintf(stats, sizeof stats, "/tmp/tv_idle_%d.json", getpid());
    snprintf(args, sizeof args,
             "run --native --console-in none --kernel guest:sleeper-far --max-insns 1000000 "
             "--stats %s",
             stats);
    cli_run(&r, args);
    CU_ASSERT_EQUAL(r.rc, 124);
    cJSON *o = json_load(stats);
    CU_ASSERT_PTR_NOT_NULL_FATAL(o);
    CU_ASSERT(json_num(o, "cycles") <= 2000000);
    cJSON_Delete(o);
    snprintf(args, sizeof args,
             "run --vmm --console-in none --set guest0.kernel=guest:sleeper-far "
             "--set guest1.kernel=guest:sleeper-far --max-insns 1000000 --stats %s",
             stats);
    cli_run(&r, args);
    CU_ASSERT_EQUAL(r.rc, 124);
    o = json_load(stats);
    CU_ASSERT_PTR_NOT_NULL_FATAL(o);
    CU_ASSERT(json_num(o, "cycles") <= 2000000);
    cJSON_Delete(o);
    unlink(stats);
}

static void test_storms_end(void)
{
    /* A kernel whose handlers return to the fault unmended: the same TLB
     * miss at the same PC over and over. The run ends with the exception,
     * the PC and its symbol (exit 122), natively and as a guest — at once,
     * not at the budget. A syscall loop (the same exception at the same PC,
     * but each returning past it) is no storm. */
    cli_run(&r, "run --native --console-in none --kernel guest:storm");
    CU_ASSERT_EQUAL(r.rc, 122);
    HAS(r.err, "exception storm: TLBL at pc 8001005c (main+0x");
    HAS(r.err, "badvaddr 00001000, 100000 times over without progress");
    cli_run(&r, "run --vmm --console-in none --bootargs hello --set guest1.kernel=guest:storm");
    CU_ASSERT_EQUAL(r.rc, 122);
    HAS(r.err, "exception storm in guest g1: TLBL at pc 8001005c (main+0x");
    cli_run(&r, "run --native --console-in none --bootargs syscalls");
    CU_ASSERT_EQUAL(r.rc, 0);
    HAS(r.out, "syscalls: 50000 getpid");
    cli_run(&r, "run --vmm --console-in none --bootargs syscalls");
    CU_ASSERT_EQUAL(r.rc, 0);
    HAS(r.out, "[g1] syscalls: 50000 getpid");
}

/* Start trapvisor ARGS with a pipe as its console input (kept open: the
 * guest's cat waits for it), stdout and stderr to files; SIGINT after
 * 300 ms; its exit status. */
static int interrupt_run(const char *args, const char *out, const char *err)
{
    int in[2];
    CU_ASSERT_FATAL(pipe(in) == 0);
    pid_t pid = fork();
    CU_ASSERT_FATAL(pid >= 0);
    if (pid == 0) {
        char cmd[1024];
        snprintf(cmd, sizeof cmd, "exec %s %s >%s 2>%s", TRAPVISOR_BIN, args, out, err);
        dup2(in[0], 0);
        close(in[1]);
        execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
        _exit(127);
    }
    close(in[0]);
    usleep(300000);
    kill(pid, SIGINT);
    int status = 0;
    waitpid(pid, &status, 0);
    close(in[1]);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void test_interrupted_runs_end_cleanly(void)
{
    /* SIGINT while the guest waits for console input: exit 130, the
     * console output so far in its file, --stats written with "stop":
     * "interrupted" — natively and under the monitor. */
    char out[64], err[64], stats[64], args[256];
    snprintf(out, sizeof out, "/tmp/tv_int_%d.out", getpid());
    snprintf(err, sizeof err, "/tmp/tv_int_%d.err", getpid());
    snprintf(stats, sizeof stats, "/tmp/tv_int_%d.json", getpid());
    const char *modes[] = {"--native --console-in stdin --bootargs cat",
                           "--vmm --console-in stdin --set guest0.bootargs=cat "
                           "--set guest1.bootargs=cat"};
    for (int m = 0; m < 2; m++) {
        unlink(stats);
        snprintf(args, sizeof args, "run %s --stats %s", modes[m], stats);
        CU_ASSERT_EQUAL(interrupt_run(args, out, err), 130);
        cJSON *o = json_load(stats);
        CU_ASSERT_PTR_NOT_NULL_FATAL(o);
        const cJSON *stop = cJSON_GetObjectItem(o, "stop");
        CU_ASSERT(cJSON_IsString(stop) && strcmp(stop->valuestring, "interrupted") == 0);
        cJSON_Delete(o);
        FILE *f = fopen(out, "r");
        CU_ASSERT_PTR_NOT_NULL_FATAL(f);
        static char text[65536];
        size_t n = fread(text, 1, sizeof text - 1, f);
        text[n] = 0;
        fclose(f);
        HAS(text, "trapvisor teaching kernel"); /* flushed */
        HAS(text, "kernel: starting \"cat\"");
        f = fopen(err, "r");
        CU_ASSERT_PTR_NOT_NULL_FATAL(f);
        n = fread(text, 1, sizeof text - 1, f);
        text[n] = 0;
        fclose(f);
        HAS(text, "trapvisor run: interrupted (SIGINT)");
    }
    unlink(out), unlink(err), unlink(stats);
}

static void test_console_and_trace_in_order(void)
{
    /* Console and --trace to one pipe: the kernel's banner comes between
     * the boot ROM's exceptions and the kernel's, as they happened (a
     * buffered console used to put every trace line first). */
    char cmd[512];
    snprintf(cmd, sizeof cmd,
             "%s run --native --console-in none --bootargs hello --trace exceptions 2>&1",
             TRAPVISOR_BIN);
    FILE *p = popen(cmd, "r");
    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    static char text[1 << 20];
    size_t n = fread(text, 1, sizeof text - 1, p);
    text[n] = 0;
    CU_ASSERT_EQUAL(pclose(p), 0);
    const char *banner = strstr(text, "trapvisor teaching kernel");
    const char *first_exc = strstr(text, "exc ");
    CU_ASSERT_PTR_NOT_NULL_FATAL(banner);
    CU_ASSERT_PTR_NOT_NULL_FATAL(first_exc);
    CU_ASSERT_PTR_NOT_NULL(strstr(banner, "exc ")); /* exceptions after the banner */
    const char *done = strstr(text, "kernel: all processes finished");
    CU_ASSERT_PTR_NOT_NULL_FATAL(done);
    CU_ASSERT(done > banner);
    CU_ASSERT(strstr(banner, "exc ") < done); /* ... and before the end */
}

static void test_reset_loop_costs_its_share(void)
{
    /* A 256 MiB guest resetting itself in a loop beside one running hello:
     * each reset clears what it wrote (its kernel, its stack and data under
     * the large pages that mapped them), not its 256 MiB, and pays for it in
     * its own time (a cycle per 64 bytes); the neighbour finishes. */
    char stats[64], args[320];
    snprintf(stats, sizeof stats, "/tmp/tv_reset_%d.json", getpid());
    snprintf(args, sizeof args,
             "run --vmm --console-in none --bootargs hello --set board.ram=480M "
             "--set guest1.ram=256M --set guest1.kernel=guest:resetter --max-insns 30000000 "
             "--stats %s",
             stats);
    cli_run(&r, args);
    CU_ASSERT_EQUAL(r.rc, 124); /* the resetter never stops */
    HAS(r.out, "[g0] kernel: all processes finished");
    cJSON *o = json_load(stats);
    CU_ASSERT_PTR_NOT_NULL_FATAL(o);
    cJSON *g1 = cJSON_GetArrayItem(cJSON_GetObjectItem(o, "guests"), 1);
    double resets = json_num(g1, "resets"), cleared = json_num(g1, "reset_cleared_bytes");
    printf("\n  resetter: %.0f resets, %.1f MiB cleared each (RAM 256 MiB)", resets,
           resets ? cleared / resets / (1 << 20) : 0);
    CU_ASSERT(resets >= 10);
    CU_ASSERT(cleared > 0);
    CU_ASSERT(cleared / resets <= 96.0 * (1 << 20));
    /* Its time paid for the clearing: a cycle per 64 bytes (the last reset's
     * bill may still be running when the budget ends). */
    CU_ASSERT(json_num(o, "cycles") >= (cleared - cleared / resets) / 64);
    CU_ASSERT_EQUAL(json_num(cJSON_GetArrayItem(cJSON_GetObjectItem(o, "guests"), 0), "resets"), 0);
    cJSON_Delete(o);
    unlink(stats);
}

static void test_errors_that_tell_the_truth(void)
{
    /* A 3 TiB image is too large, not "not a multiple of 512". (Sparse: it
     * takes no room.) */
    char img[64], args[256];
    make_temp_file(img, 0);
    CU_ASSERT_EQUAL_FATAL(truncate(img, 3ll << 40), 0);
    snprintf(args, sizeof args, "run --native --console-in none --disk %s", img);
    expect_refused(args, "more than 2^32-1 sectors");
    unlink(img);
    /* A count too large for 64 bits is a bad count, not a bad breakpoint. */
    expect_refused("gui --screenshot /tmp/tv_x.png --after 99999999999999999999",
                   "not an instruction count");
    /* step N is one advance of N instructions (as fast as run N), within
     * the budget. */
    char script[64];
    snprintf(script, sizeof script, "/tmp/tv_step_%d.txt", getpid());
    write_text(script, "step 1000000\nprint status\n");
    snprintf(args, sizeof args, "gui --script %s", script);
    cli_run(&r, args);
    CU_ASSERT_EQUAL(r.rc, 0);
    /* N instructions, or N + 1 when the N-th is a branch (its delay slot
     * goes with it: cpu_run's documented overrun). */
    CU_ASSERT(strstr(r.out, "insns=1000000 ") || strstr(r.out, "insns=1000001 "));
    write_text(script, "step 5000\n");
    snprintf(args, sizeof args, "gui --script %s --max-insns 1000", script);
    cli_run(&r, args);
    CU_ASSERT_EQUAL(r.rc, 1);
    HAS(r.err, "step: 5000 is more than --max-insns (1000)");
    unlink(script);
}

/* Start trapvisor with stdout to out_path; its pid. */
static pid_t spawn(const char *out_path, const char *disk)
{
    pid_t pid = fork();
    if (pid == 0) {
        FILE *o = freopen(out_path, "w", stdout);
        FILE *e = freopen("/dev/null", "w", stderr);
        (void)o;
        (void)e;
        char set[96];
        snprintf(set, sizeof set, "%s", disk);
        execl(TRAPVISOR_BIN, TRAPVISOR_BIN, "run", "--native", "--console-in", "none", "--kernel",
              "guest:diskwriter", "--disk", set, (char *)NULL);
        _exit(127);
    }
    return pid;
}

static void test_kill_during_disk_writes(void)
{
    /* kill -9 at moments spread over a run: every write the guest saw
     * complete (and printed) is in the image — or a later one over it. */
    static const unsigned delays_ms[] = {15, 40, 75, 120, 180, 260};
    char img[64], out[64];
    make_temp_file(img, 64 * 512);
    snprintf(out, sizeof out, "/tmp/tv_dw_%d.txt", getpid());
    unsigned checked = 0, bad = 0;
    for (size_t k = 0; k < sizeof delays_ms / sizeof *delays_ms; k++) {
        pid_t pid = spawn(out, img);
        CU_ASSERT_FATAL(pid > 0);
        usleep(delays_ms[k] * 1000);
        kill(pid, SIGKILL);
        int st;
        waitpid(pid, &st, 0);
        uint32_t seen[64] = {0};
        FILE *f = fopen(out, "r");
        CU_ASSERT_PTR_NOT_NULL_FATAL(f);
        char line[128];
        unsigned lba, seq;
        while (fgets(line, sizeof line, f))
            if (strchr(line, '\n') && sscanf(line, "w %u %u", &lba, &seq) == 2 && lba < 64 &&
                seq > seen[lba])
                seen[lba] = seq;
        fclose(f);
        FILE *d = fopen(img, "rb");
        CU_ASSERT_PTR_NOT_NULL_FATAL(d);
        for (unsigned s2 = 0; s2 < 64; s2++) {
            uint8_t w[4];
            CU_ASSERT_EQUAL(fseek(d, (long)s2 * 512, SEEK_SET), 0);
            CU_ASSERT_EQUAL(fread(w, 1, 4, d), 4);
            uint32_t v = (uint32_t)w[0] << 24 | (uint32_t)w[1] << 16 | (uint32_t)w[2] << 8 | w[3];
            if (seen[s2]) {
                checked++;
                if (v < seen[s2]) {
                    bad++;
                    printf("\n  sector %u holds %u, the guest saw %u complete", s2, v, seen[s2]);
                }
            }
        }
        fclose(d);
    }
    printf("\n  %u completed writes checked after %zu kills", checked,
           sizeof delays_ms / sizeof *delays_ms);
    CU_ASSERT(checked > 0);
    CU_ASSERT_EQUAL(bad, 0);
    unlink(out);
    unlink(img);
}

static void expect_host_intact(void)
{
    CU_ASSERT(r.rc >= 0 && r.rc != 134); /* not killed, no abort */
    CU_ASSERT_PTR_NULL(strstr(r.err, "internal error"));
    CU_ASSERT_PTR_NULL(strstr(r.err, "AddressSanitizer"));
    CU_ASSERT_PTR_NULL(strstr(r.err, "runtime error"));
}

static void test_hostile_kernel_beside_a_victim(void)
{
    /* guests/tests/hostile: random kernel-mode instructions, random TLB
     * entries, every CP0 register, random device commands (DMA anywhere) —
     * natively, then as the guest owning bus 1 (disk, nic) beside a victim
     * that checks its memory, under every policy and the scanner fix. */
    char img[64], args[512], stats[64];
    make_temp_file(img, 1 << 20);
    snprintf(stats, sizeof stats, "/tmp/tv_hostile_%d.json", getpid());
    snprintf(args, sizeof args,
             "run --native --console-in none --kernel guest:hostile --disk %s --max-insns 30000000",
             img);
    cli_run(&r, args);
    expect_host_intact();
    static const char *const settings[] = {"--set vmm.policy=default",
                                           "--set vmm.policy=writewatch", "--set vmm.policy=small",
                                           "--unsafe all --fix scan"};
    for (size_t i = 0; i < sizeof settings / sizeof *settings; i++) {
        snprintf(args, sizeof args,
                 "run --vmm --console-in none --config %s/configs/isolation.ini --disk %s "
                 "--set guest0.kernel=guest:hostile %s --max-insns 150000000 --stats %s",
                 SOURCE_DIR, img, settings[i], stats);
        cli_run(&r, args);
        expect_host_intact();
        HAS(r.out, "[victim] victim: 262144 words checked 20 times, 0 changed");
        cJSON *o = json_load(stats);
        CU_ASSERT_PTR_NOT_NULL_FATAL(o);
        cJSON *g0 = cJSON_GetArrayItem(cJSON_GetObjectItem(o, "guests"), 0);
        double traps = json_num(g0, "traps.total"), reflected = json_num(g0, "reflected.total");
        printf("\n  %s: the hostile guest made %.0f traps, %.0f exceptions of its own", settings[i],
               traps, reflected);
        CU_ASSERT(traps >= 1000);
        CU_ASSERT(reflected >= 100);
        cJSON_Delete(o);
    }
    unlink(stats);
    unlink(img);
}

static const struct test_case tests[] = {
    {"a hostile kernel beside a victim: host intact, victim intact",
     test_hostile_kernel_beside_a_victim},
    {"kill -9 during disk writes: no completed write lost", test_kill_during_disk_writes},
    {"errors that tell the truth, at once", test_errors_that_tell_the_truth},
    {"a guest's reset loop costs what it used, in its own time", test_reset_loop_costs_its_share},
    {"every run ends: masked WAIT, WAIT loops, idle guests, the budget bounds idle time",
     test_every_run_ends},
    {"files that would block open(2), directories", test_files_that_would_block},
    {"config lines read whole, empty sections, first error", test_config_lines_read_whole},
    {"numbers are decimal unless 0x, spaces trimmed", test_numbers_and_spaces},
    {"outputs that cannot be written", test_outputs_that_fail},
    {"exception storms end with a message; syscall loops are no storm", test_storms_end},
    {"SIGINT: exit 130, console flushed, stats say interrupted", test_interrupted_runs_end_cleanly},
    {"console and trace in one pipe, in the order they happened", test_console_and_trace_in_order},
};

CUNIT_MAIN("hostile-e2e", tests)
