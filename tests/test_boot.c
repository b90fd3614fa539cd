/*
 * tests/test_boot.c — end to end: `trapvisor run --native` boots the boot ROM,
 * the teaching kernel and its user programs; the console output, the exit
 * status, the disk image and the statistics are checked. Also bad inputs.
 */
#include "cunit_main.h"
#include "runcli.h"

#include <cjson/cJSON.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static struct cli_result r, r2;

static void test_default_boot(void)
{
    char img[64], args[256];
    make_temp_file(img, 1 << 20);
    snprintf(args, sizeof args, "run --native --console-in none --disk %s", img);
    cli_run(&r, args);
    CU_ASSERT_EQUAL(r.rc, 0);
    HAS(r.out, "trapvisor boot ROM");
    HAS(r.out, "discovery: 7 devices in the device tree, 7 found by the bus scan: they agree");
    HAS(r.out, "disk: 2048 sectors");
    HAS(r.out, "hello from user mode: pid 2");
    HAS(r.out, "compute: 17984 primes below 200000");
    HAS(r.out, "tlbstress: 1024 pages x 32 rounds, 0 bad words");
    HAS(r.out, "diskio: wrote, flushed and read back 8 sectors at 64");
    HAS(r.out, "init: done, 0 failures");
    /* Every page the processes used came back. */
    const char *mem = strstr(r.out, "memory: ");
    const char *end = strstr(r.out, "all processes finished, ");
    CU_ASSERT_FATAL(mem && end);
    CU_ASSERT_EQUAL(atoi(mem + 8), atoi(end + strlen("all processes finished, ")));

    /* The disk writes are in the host image after the run. */
    char sector[512];
    int fd = open(img, O_RDONLY);
    for (int s = 64; s < 72; s++) {
        CU_ASSERT_EQUAL(pread(fd, sector, 512, s * 512), 512);
        char expect[64];
        snprintf(expect, sizeof expect, "trapvisor diskio sector %d", s);
        CU_ASSERT_EQUAL(memcmp(sector, expect, strlen(expect)), 0);
        CU_ASSERT_EQUAL(sector[511], '\n');
    }
    CU_ASSERT_EQUAL(pread(fd, sector, 512, 72 * 512), 512);
    CU_ASSERT_EQUAL(sector[0], 0); /* and nothing beyond */
    close(fd);
    unlink(img);
}

static double stat_num(const char *path, const char *key)
{
    FILE *f = fopen(path, "r");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    static char buf[8192];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = 0;
    fclose(f);
    cJSON *j = cJSON_Parse(buf);
    CU_ASSERT_PTR_NOT_NULL_FATAL(j);
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(j, key);
    double d = cJSON_IsNumber(v) ? v->valuedouble : -1;
    cJSON_Delete(j);
    return d;
}

static void test_console_input_and_sleep(void)
{
    /* 1050 bytes: more than the UART's 256-byte FIFO, so cat blocks on an
     * empty FIFO and is woken by the receive interrupt more than once. */
    char in[64], args[256];
    make_temp_file(in, 0);
    FILE *f = fopen(in, "w");
    for (int i = 0; i < 50; i++)
        fprintf(f, "line %02d of the input\n", i); /* 21 bytes each */
    fclose(f);
    snprintf(args, sizeof args, "run --native --console-in %s --bootargs 'cat hello' --trace io",
             in);
    cli_run(&r, args);
    CU_ASSERT_EQUAL(r.rc, 0);
    HAS(r.out, "LINE 00 OF THE INPUT\nLINE 01 OF THE INPUT\n");
    HAS(r.out, "LINE 49 OF THE INPUT\n");
    HAS(r.out, "cat: 1050 bytes");
    HAS(r.out, "hello: slept 5 ms");
    /* cat blocked: the kernel armed the UART's receive interrupt (CTRL = 1)
     * and its handler disarmed it (CTRL = 0) when input came. */
    HAS(r.err, "io   write bus0.slot0 (uart) reg+0x008 size 4 <- 00000001");
    HAS(r.err, "io   write bus0.slot0 (uart) reg+0x008 size 4 <- 00000000");
    unlink(in);
}

static void test_little_endian(void)
{
    cli_run(&r, "run --native --le --console-in none --bootargs 'hello compute'");
    CU_ASSERT_EQUAL(r.rc, 0);
    HAS(r.out, "little-endian");
    HAS(r.out, "hello from user mode");
    HAS(r.out, "compute: 17984 primes below 200000");
}

/* Line numbers (order of appearance) of "spin <pid>: step k". */
static void test_preemption_interleaves(void)
{
    cli_run(&r, "run --native --console-in none --bootargs 'spin spin'");
    CU_ASSERT_EQUAL(r.rc, 0);
    int first[3] = {-1, -1, -1}, last[3] = {-1, -1, -1}, count[3] = {0};
    int line = 0;
    for (char *p = r.out; (p = strstr(p, "spin ")); p++, line++) {
        int pid, step;
        if (sscanf(p, "spin %d: step %d", &pid, &step) != 2 || pid < 1 || pid > 2)
            continue;
        CU_ASSERT_EQUAL(step, count[pid]); /* each process's steps in order */
        count[pid]++;
        if (first[pid] < 0)
            first[pid] = line;
        last[pid] = line;
    }
    CU_ASSERT_EQUAL(count[1], 8);
    CU_ASSERT_EQUAL(count[2], 8);
    /* spin never yields: only preemption can put one's lines between the other's */
    CU_ASSERT(first[2] < last[1]);
    CU_ASSERT(first[1] < last[2]);
}

static void test_faults_kill_only_the_process(void)
{
    cli_run(&r, "run --native --console-in none --bootargs 'hello fault spin priv hello'");
    CU_ASSERT_EQUAL(r.rc, 0); /* the first process's status */
    HAS(r.out, "kernel: pid 2 (fault) killed: TLBS at pc 0x004");
    HAS(r.out, "badvaddr 0x00000000");
    HAS(r.out, "kernel: pid 4 (priv) killed: CpU");
    HAS(r.out, "spin 3: step 7");
    HAS(r.out, "hello from user mode: pid 5");
    CU_ASSERT_PTR_NULL(strstr(r.out, "still alive"));
    /* The power-off code is the first process's status: 128 + TLBS (3). */
    cli_run(&r, "run --native --console-in none --bootargs 'fault hello'");
    CU_ASSERT_EQUAL(r.rc, 131);
    HAS(r.out, "hello from user mode");
}

static void test_determinism_and_stats(void)
{
    char img[64], args[512], s1[64], s2[64];
    make_temp_file(img, 1 << 20);
    make_temp_file(s1, 0); /* unique names: test runs may overlap */
    make_temp_file(s2, 0);
    snprintf(args, sizeof args,
             "run --native --console-in none --disk %s --bootargs 'spin init spin' "
             "--stats %s",
             img, s1);
    cli_run(&r, args);
    snprintf(args, sizeof args,
             "run --native --console-in none --disk %s --bootargs 'spin init spin' "
             "--stats %s",
             img, s2);
    cli_run(&r2, args);
    CU_ASSERT_EQUAL(r.rc, 0);
    CU_ASSERT_EQUAL(r2.rc, 0);
    CU_ASSERT_STRING_EQUAL(r.out, r2.out);
    double i1 = stat_num(s1, "instructions");
    double i2 = stat_num(s2, "instructions");
    CU_ASSERT(i1 > 1e6);
    CU_ASSERT_EQUAL(i1, i2);
    CU_ASSERT_EQUAL(stat_num(s1, "cycles"), stat_num(s2, "cycles"));

    /* The counters say what happened. */
    FILE *f = fopen(s1, "r");
    static char buf[8192];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = 0;
    fclose(f);
    cJSON *j = cJSON_Parse(buf);
    CU_ASSERT_PTR_NOT_NULL_FATAL(j);
    CU_ASSERT_STRING_EQUAL(cJSON_GetObjectItem(j, "stop")->valuestring, "poweroff");
    const cJSON *exc = cJSON_GetObjectItem(j, "exceptions");
    CU_ASSERT(cJSON_GetObjectItem(exc, "Sys")->valuedouble > 10);
    CU_ASSERT(cJSON_GetObjectItem(exc, "Int")->valuedouble > 10);
    CU_ASSERT(cJSON_GetObjectItem(cJSON_GetObjectItem(j, "tlb"), "refills")->valuedouble > 1000);
    const cJSON *irq = cJSON_GetObjectItem(j, "interrupts");
    CU_ASSERT_EQUAL(cJSON_GetObjectItem(irq, "IP2")->valuedouble,
                    cJSON_GetObjectItem(irq, "total")->valuedouble);
    const cJSON *disk = cJSON_GetObjectItem(cJSON_GetObjectItem(j, "io"), "disk");
    CU_ASSERT_EQUAL(cJSON_GetObjectItem(disk, "bytes_written")->valuedouble, 8 * 512);
    CU_ASSERT_EQUAL(cJSON_GetObjectItem(disk, "flushes")->valuedouble, 1);
    cJSON_Delete(j);
    unlink(s1);
    unlink(s2);
    unlink(img);
}

static void test_traces(void)
{
    cli_run(&r, "run --native --console-in none --bootargs hello --trace exceptions,io");
    CU_ASSERT_EQUAL(r.rc, 0);
    HAS(r.err, "exc  Sys  pc=004"); /* user syscall, disassembled */
    HAS(r.err, "syscall");
    HAS(r.err, "io   read  bus0.slot0 (uart) header+0x000");
    HAS(r.err, "io   write bus0.slot2 (power) reg+0x000");
    cli_run(&r, "run --native --console-in none --bootargs hello --trace tlb --max-insns 3000000");
    HAS(r.err, "<tlb_refill+0x"); /* the kernel's refill handler, by symbol */
    /* Instructions: the boot ROM's, by the firmware's symbols (not the kernel's). */
    cli_run(&r, "run --native --console-in none --trace insns --max-insns 3");
    CU_ASSERT_EQUAL(r.rc, 124);
    HAS(r.err, "insn bfc00000 <_start+0x0>  lui $t0, 0x40\n");
    HAS(r.err, "insn bfc00004 <_start+0x4>  mtc0 $t0, $t4, 0\n");
    cli_run(&r, "run --native --console-in none --trace bogus");
    CU_ASSERT_EQUAL(r.rc, 2);
    HAS(r.err, "unknown category");
}

static void test_limits(void)
{
    cli_run(&r, "run --native --console-in none --max-insns 100000");
    CU_ASSERT_EQUAL(r.rc, 124);
    HAS(r.err, "instruction budget spent");
}

static void test_bad_inputs(void)
{
    cli_run(&r, "run --native --kernel /nonexistent/kernel.elf");
    CU_ASSERT_EQUAL(r.rc, 2);
    HAS(r.err, "kernel /nonexistent/kernel.elf");

    char bad[64];
    make_temp_file(bad, 0);
    int fd = open(bad, O_WRONLY);
    CU_ASSERT_EQUAL(write(fd,
                          "\x7f"
                          "ELF garbage garbage garbage garbage garbage",
                          44),
                    44);
    close(fd);
    char args[512];
    snprintf(args, sizeof args, "run --native --kernel %s", bad);
    cli_run(&r, args);
    CU_ASSERT_EQUAL(r.rc, 2);
    HAS(r.err, "trapvisor run: kernel ");
    unlink(bad);

    cli_run(&r, "run --native --le --kernel " GUEST_DIR "/kernel-eb.elf");
    CU_ASSERT_EQUAL(r.rc, 2);
    HAS(r.err, "is big-endian but the board is little-endian");

    /* A user program is not a kernel: it would load outside kseg0. */
    cli_run(&r, "run --native --kernel " GUEST_DIR "/user-eb/hello.elf");
    CU_ASSERT_EQUAL(r.rc, 2);
    HAS(r.err, "kernel: segment at 0x00400000 (");
    HAS(r.err, "is not in kseg0/kseg1");

    cli_run(&r, "run --native --set bus3.slot0.type=gpu");
    CU_ASSERT_EQUAL(r.rc, 2);
    HAS(r.err, "unknown device type 'gpu'");

    char ini[64];
    make_temp_file(ini, 0);
    fd = open(ini, O_WRONLY);
    const char *text = "[bus0.slot0]\ntype = uart\n[bus0.slot0]\ntype = timer\n";
    CU_ASSERT_EQUAL(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    snprintf(args, sizeof args, "run --native --config %s", ini);
    cli_run(&r, args);
    CU_ASSERT_EQUAL(r.rc, 2);
    HAS(r.err, "line 4: bus0.slot0 is already taken by a uart (line 2)");
    unlink(ini);

    cli_run(&r, "run --native --disk /nonexistent/disk.img");
    CU_ASSERT_EQUAL(r.rc, 2);
    HAS(r.err, "disk image /nonexistent/disk.img");
    char small[64];
    make_temp_file(small, 100);
    snprintf(args, sizeof args, "run --native --disk %s", small);
    cli_run(&r, args);
    CU_ASSERT_EQUAL(r.rc, 2);
    HAS(r.err, "size 100 bytes is not a non-zero multiple of 512-byte sectors");
    unlink(small);

    cli_run(&r, "run --native --ram 12345");
    CU_ASSERT_EQUAL(r.rc, 2);
    HAS(r.err, "board.ram");
    cli_run(&r, "run --native --config /nonexistent.ini");
    CU_ASSERT_EQUAL(r.rc, 2);
    HAS(r.err, "config /nonexistent.ini: cannot open");
    /* A board without a power device: the kernel cannot power off and spins
     * in WAIT with its timer pending and never taken: the run ends as hung,
     * with a message, instead of spinning forever (or until the budget). */
    cli_run(&r, "run --native --set bus0.slot2.type=none --bootargs hello --max-insns 50000000");
    HAS(r.out, "hello from user mode");
    CU_ASSERT_EQUAL(r.rc, 125);
    HAS(r.err, "the machine hung");
    /* An unknown program on the command line: reported, the others run. */
    cli_run(&r, "run --native --console-in none --bootargs 'nosuch hello'");
    HAS(r.out, "kernel: cannot start 'nosuch'");
    HAS(r.out, "hello from user mode");
}

static void test_shipped_configs(void)
{
    cli_run(&r, "run --native --config " SOURCE_DIR "/configs/minimal.ini");
    CU_ASSERT_EQUAL(r.rc, 0);
    HAS(r.out, "8192 KiB RAM");
    HAS(r.out, "16 TLB entries");
    HAS(r.out, "bus0.slot7  power");
    HAS(r.out, "discovery: 3 devices in the device tree, 3 found by the bus scan: they agree");
    HAS(r.out, "disk: none");
    HAS(r.out, "hello: slept 5 ms");
    /* native.ini is the default board: the same console output. */
    cli_run(&r, "run --native --console-in none --bootargs hello");
    cli_run(&r2, "run --native --config " SOURCE_DIR "/configs/native.ini --console-in none "
                 "--bootargs hello");
    CU_ASSERT_EQUAL(r2.rc, 0);
    CU_ASSERT_STRING_EQUAL(r.out, r2.out);
}

static void test_dtb(void)
{
    char dtb[64], args[256];
    make_temp_file(dtb, 0);
    snprintf(args, sizeof args,
             "dtb --set board.bootargs=xyz > %s && dtc -I dtb -O dts %s 2>/dev/null", dtb, dtb);
    cli_run(&r, args);
    unlink(dtb);
    HAS(r.out, "bootargs = \"xyz\"");
    HAS(r.out, "uart@1e000000");
    HAS(r.out, "compatible = \"trapvisor,timer\"");
}

static const struct test_case tests[] = {
    {"default board: init runs every program, disk written", test_default_boot},
    {"console input through blocking reads; sleep", test_console_input_and_sleep},
    {"little-endian board", test_little_endian},
    {"preemption interleaves two compute-bound processes", test_preemption_interleaves},
    {"faulting processes are killed, the others finish", test_faults_kill_only_the_process},
    {"same configuration: same output and instruction count", test_determinism_and_stats},
    {"traces: exceptions, io, tlb with symbols", test_traces},
    {"instruction budget", test_limits},
    {"bad inputs: clear errors, exit 2", test_bad_inputs},
    {"shipped configs/ boot", test_shipped_configs},
    {"trapvisor dtb readable by dtc", test_dtb},
};

CUNIT_MAIN("boot", tests)
