/*
 * tests/test_gdb.c — the GDB stub (cli/gdbstub.c, docs/gdb.md) driven by
 * gdb-multiarch in batch mode: natively (registers read and written,
 * memory through the translation, software and hardware breakpoints on
 * kernel symbols, stepi, write and read watchpoints on a kernel variable, a trap breakpoint through
 * `monitor break trap Sys`) and under the monitor (each guest a thread
 * with its own registers, a breakpoint hit by each guest in turn).
 */
#include "cunit_main.h"
#include "runcli.h"

#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

static char out[1 << 16];

/* A TCP port nobody listens on now. */
static unsigned free_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t n = sizeof a;
    CU_ASSERT_FATAL(fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof a) == 0 &&
                    getsockname(fd, (struct sockaddr *)&a, &n) == 0);
    close(fd);
    return ntohs(a.sin_port);
}

/* trapvisor run ARGS --gdb PORT in the background, then gdb-multiarch with
 * the script (its first line: target remote :PORT); gdb's output in out. */
static void session(const char *args, const char *script)
{
    unsigned port = free_port();
    char err[64], cmd[1024], gs[64];
    snprintf(err, sizeof err, "/tmp/tv_gdb_%d.err", getpid());
    snprintf(gs, sizeof gs, "/tmp/tv_gdb_%d.cmd", getpid());
    pid_t pid = fork();
    CU_ASSERT_FATAL(pid >= 0);
    if (pid == 0) {
        snprintf(cmd, sizeof cmd, "exec %s run %s --gdb %u >/dev/null 2>%s", TRAPVISOR_BIN, args,
                 port, err);
        execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
        _exit(127);
    }
    /* Wait for it to listen. */
    for (int i = 0; i < 100; i++) {
        FILE *f = fopen(err, "r");
        char line[256] = "";
        if (f) {
            if (!fgets(line, sizeof line, f))
                line[0] = 0;
            fclose(f);
        }
        if (strstr(line, "waiting on"))
            break;
        usleep(50000);
    }
    FILE *f = fopen(gs, "w");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    fprintf(f, "set pagination off\ntarget remote :%u\n%s", port, script);
    fclose(f);
    snprintf(cmd, sizeof cmd, "timeout 120 gdb-multiarch -q -batch -x %s %s/kernel-eb.elf 2>&1", gs,
             GUEST_DIR);
    FILE *p = popen(cmd, "r");
    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    size_t n = fread(out, 1, sizeof out - 1, p);
    out[n] = 0;
    pclose(p);
    int status;
    if (waitpid(pid, &status, WNOHANG) == 0) {
        kill(pid, SIGKILL);
        waitpid(pid, &status, 0);
    }
    unlink(gs);
    unlink(err);
}

static void test_native(void)
{
    session("--native --console-in none --bootargs hello", "info registers pc\n"
                                                           "break kmain\n"
                                                           "continue\n"
                                                           "info registers pc\n"
                                                           "x/2xw 0xbfc00000\n"
                                                           "stepi\n"
                                                           "info registers pc\n"
                                                           "set $t0 = 0x1234abcd\n"
                                                           "p/x $t0\n"
                                                           "set {int}0x80100000 = 0x5a5a5a5a\n"
                                                           "x/xw 0x80100000\n"
                                                           "watch *(unsigned *)&current_pgd\n"
                                                           "continue\n"
                                                           "delete\n"
                                                           "rwatch *(unsigned *)&current_pgd\n"
                                                           "continue\n"
                                                           "delete\n"
                                                           "monitor break trap Sys\n"
                                                           "continue\n"
                                                           "monitor delete all\n"
                                                           "hbreak proc_exit\n"
                                                           "continue\n"
                                                           "info threads\n"
                                                           "kill\n");
    HAS(out, "pc: 0xbfc00000");                       /* the reset vector */
    HAS(out, "Breakpoint 1, 0x800003c0 in kmain ()"); /* by the kernel's symbol */
    HAS(out, "0xbfc00000:\t0x3c080040");              /* the boot ROM through kseg1 */
    HAS(out, "0x800003c4 in kmain ()");               /* one instruction on */
    HAS(out, "$1 = 0x1234abcd");
    HAS(out, "0x80100000:\t0x5a5a5a5a");
    HAS(out, "Hardware watchpoint 2: *(unsigned *)&current_pgd");
    HAS(out, "Old value = 0");
    HAS(out, "Hardware read watchpoint 3: *(unsigned *)&current_pgd"); /* a load of it */
    HAS(out, "Value = ");
    HAS(out, "Hardware assisted breakpoint 4 at");
    HAS(out, " in proc_exit ()");
    HAS(out, "Program received signal SIGTRAP");
    HAS(out, "Thread 1 (the CPU)");
}

static void test_guests_are_threads(void)
{
    session("--vmm --console-in none --bootargs hello", "info threads\n"
                                                        "break kmain\n"
                                                        "continue\n"
                                                        "info threads\n"
                                                        "continue\n"
                                                        "info threads\n"
                                                        "thread 1\n"
                                                        "p/x $pc\n"
                                                        "x/xw 0x80000000\n"
                                                        "delete\n"
                                                        "continue\n");
    HAS(out, "1    Thread 1 (g0)");
    HAS(out, "2    Thread 2 (g1)");
    HAS(out, "Thread 1 hit Breakpoint 1, 0x800003c0 in kmain ()");
    HAS(out, "Thread 2 hit Breakpoint 1, 0x800003c0 in kmain ()");
    HAS(out, "* 2    Thread 2 (g1)     0x800003c0 in kmain ()");
    HAS(out, "0x80000000 <tlb_refill>:\t0x401a4000"); /* g0's kseg0: its own partition */
    HAS(out, "exited normally");
}

static const struct test_case tests[] = {
    {"natively: registers, memory, breakpoints, step, watch, trap", test_native},
    {"under the monitor: each guest a thread", test_guests_are_threads},
};

CUNIT_MAIN("gdb", tests)
