/*
 * tests/test_vtpm_e2e.c — sealing end to end, as a user runs it: the
 * teaching kernel's `tpm` tool seals and unseals natively and in the vTPM
 * lab (configs/labs/vtpm.ini) under the monitor; an unseal is refused after
 * the guest's configuration changes (an extra extend, a different kernel),
 * for another guest's blob (copied onto its disk), after a different
 * monitor is measured; sealed data survives emulator restarts and a
 * SIGKILL during TPM state writes; four guests issuing commands at once
 * are all answered, see "in progress" while queued, and are served in the
 * order they asked (configs/labs/vtpm-four.ini).
 */
#include "cunit_main.h"
#include "runcli.h"

#include <cjson/cJSON.h>

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "dev/tpm.h"
#include "dev/tpm_backend.h"

static char dir[64], state[96], alice[96], mallory[96];
static struct cli_result r;

static void fresh_dir(void)
{
    snprintf(dir, sizeof dir, "/tmp/tv-vtpm-%d", (int)getpid());
    char cmd[160];
    snprintf(cmd, sizeof cmd, "rm -rf %s && mkdir -p %s", dir, dir);
    CU_ASSERT_EQUAL_FATAL(system(cmd), 0);
    snprintf(state, sizeof state, "%s/vtpm.state", dir);
    snprintf(alice, sizeof alice, "%s/alice.img", dir);
    snprintf(mallory, sizeof mallory, "%s/mallory.img", dir);
}

static void remove_dir(void)
{
    char cmd[160];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    CU_ASSERT_EQUAL(system(cmd), 0);
}

/* The lab's configuration with its files in dir, and extra arguments. */
static void lab(const char *extra)
{
    char args[2048];
    snprintf(args, sizeof args,
             "run --vmm --config %s/configs/labs/vtpm.ini --set bus0.slot3.state=%s "
             "--set bus1.slot0.image=%s --set bus2.slot0.image=%s %s",
             SOURCE_DIR, state, alice, mallory, extra);
    cli_run(&r, args);
}

static void test_native(void)
{
    /* The board's TPM answers the vendor commands itself, bound to its PCRs
     * 0..15; the blob survives a restart (disk and TPM state). */
    fresh_dir();
    char args[1024];
    const char *fmt = "run --console-in none --set bus1.slot3.type=tpm --set bus1.slot3.state=%s "
                      "--set bus1.slot0.type=disk --set bus1.slot0.image=%s "
                      "--set bus1.slot0.create=1M --set board.bootargs=%s";
    snprintf(args, sizeof args, fmt, state, alice,
             "tpm:seal,k,native-secret,unseal,k,extend,8,x,unseal,k");
    cli_run(&r, args);
    HAS(r.out, "tpm: sealed k (");
    HAS(r.out, "tpm: unsealed k: \"native-secret\"");
    HAS(r.out, "tpm: PCR8 extended with \"x\"");
    HAS(r.out, "tpm: unseal k: refused (response code 99d)");
    HAS(r.out, "powering off (status 2)");
    snprintf(args, sizeof args, fmt, state, alice, "tpm:unseal,k");
    cli_run(&r, args);
    HAS(r.out, "tpm: unsealed k: \"native-secret\"");
    HAS(r.out, "powering off (status 0)");
    remove_dir();
}

/* Copy store slot `from` of one image into slot `to` of another. */
static void copy_slot(const char *src, unsigned from, const char *dst, unsigned to)
{
    char buf[4 * 512];
    int a = open(src, O_RDONLY), b = open(dst, O_WRONLY);
    CU_ASSERT_FATAL(a >= 0 && b >= 0);
    CU_ASSERT_EQUAL(pread(a, buf, sizeof buf, (off_t)(1024 + 4 * from) * 512), (ssize_t)sizeof buf);
    CU_ASSERT_EQUAL(pwrite(b, buf, sizeof buf, (off_t)(1024 + 4 * to) * 512), (ssize_t)sizeof buf);
    close(a);
    close(b);
}

static void test_lab(void)
{
    fresh_dir();
    /* Run 1, the configuration as given: alice seals, unseals, changes her
     * configuration and is refused; mallory seals and unseals her own. */
    lab("");
    HAS(r.out, "[alice] tpm: sealed diary (");
    HAS(r.out, "[alice] tpm: unsealed diary: \"dear-diary\"");
    HAS(r.out, "[alice] tpm: PCR10 extended with \"rootkit\"");
    HAS(r.out, "[alice] tpm: unseal diary: refused (response code 99d)");
    HAS(r.out, "[mallory] tpm: unsealed mine: \"mallory-secret\"");
    /* Mallory steals alice's blob (copied onto her disk): refused. Alice,
     * rebooted into her sealing configuration, unseals (a restart). */
    copy_slot(alice, 0, mallory, 5);
    lab("--set guest0.bootargs=tpm:unseal,diary --set "
        "guest1.bootargs=tpm:unseal,diary,unseal,mine");
    HAS(r.out, "[mallory] tpm: unseal diary: refused (response code 99d)");
    HAS(r.out, "[mallory] tpm: unsealed mine: \"mallory-secret\"");
    HAS(r.out, "[alice] tpm: unsealed diary: \"dear-diary\"");
    /* Alice's kernel changed (one byte more in its file): her configuration
     * differs, she is refused; mallory is unaffected. */
    char kernel[128], cmd[512];
    snprintf(kernel, sizeof kernel, "%s/kernel-changed.elf", dir);
    snprintf(cmd, sizeof cmd, "cp %s/kernel-eb.elf %s && printf x >> %s", GUEST_DIR, kernel,
             kernel);
    CU_ASSERT_EQUAL_FATAL(system(cmd), 0);
    char extra[512];
    snprintf(extra, sizeof extra,
             "--set guest0.kernel=%s --set guest0.bootargs=tpm:unseal,diary "
             "--set guest1.bootargs=tpm:unseal,mine",
             kernel);
    lab(extra);
    HAS(r.out, "[alice] tpm: unseal diary: refused (response code 99d)");
    HAS(r.out, "[mallory] tpm: unsealed mine: \"mallory-secret\"");
    /* A different monitor (another [vmm] configuration) is measured: nobody unseals. */
    lab("--set vmm.quantum=50000 --set guest0.bootargs=tpm:unseal,diary "
        "--set guest1.bootargs=tpm:unseal,mine");
    HAS(r.out, "[alice] tpm: unseal diary: refused (response code 99d)");
    HAS(r.out, "[mallory] tpm: unseal mine: refused (response code 99d)");
    /* The TPM's state rewritten by a process killed with SIGKILL at five
     * moments: the state still loads and alice still unseals. */
    static const uint8_t startup[] = {0x80, 0x01, 0, 0, 0, 12, 0, 0, 0x01, 0x44, 0, 0};
    static const uint8_t define[] = {
        0x80, 2, 0, 0, 0, 45, 0, 0,  0x01, 0x2A, 0x40, 0, 0, 1,    0, 0, 0, 9, 0x40, 0, 0, 9, 0,
        0,    0, 0, 0, 0, 0,  0, 14, 0x01, 0x50, 0,    0, 0, 0x0B, 0, 2, 0, 2, 0,    0, 0, 8};
    static const uint8_t undefine[] = {0x80, 2, 0, 0, 0,    31, 0, 0, 0x01, 0x22, 0x40,
                                       0,    0, 1, 1, 0x50, 0,  0, 0, 0,    0,    9,
                                       0x40, 0, 0, 9, 0,    0,  0, 0, 0};
    for (int round = 0; round < 5; round++) {
        pid_t pid = fork();
        CU_ASSERT_FATAL(pid >= 0);
        if (pid == 0) {
            char err[512];
            uint8_t resp[TPM_BUFFER_MAX];
            tpm_backend_t *b = tpm_libtpms_open(state, 1, err, sizeof err);
            if (!b)
                _exit(2);
            tpm_backend_execute(b, 0, startup, sizeof startup, resp, err, sizeof err);
            /* An index the last round's kill left defined goes first. */
            tpm_backend_execute(b, 0, undefine, sizeof undefine, resp, err, sizeof err);
            for (;;) {
                if (tpm_backend_execute(b, 0, define, sizeof define, resp, err, sizeof err) < 10 ||
                    resp[6] | resp[7] | resp[8] | resp[9])
                    _exit(3);
                if (tpm_backend_execute(b, 0, undefine, sizeof undefine, resp, err, sizeof err) <
                        10 ||
                    resp[6] | resp[7] | resp[8] | resp[9])
                    _exit(4);
            }
        }
        usleep(20000 + (useconds_t)round * 13000);
        int status = 0;
        CU_ASSERT_EQUAL(kill(pid, SIGKILL), 0);
        CU_ASSERT_EQUAL(waitpid(pid, &status, 0), pid);
        CU_ASSERT(WIFSIGNALED(status)); /* it was still writing, not failed */
    }
    lab("--set guest0.bootargs=tpm:unseal,diary --set guest1.bootargs=tpm:unseal,mine");
    HAS(r.out, "[alice] tpm: unsealed diary: \"dear-diary\"");
    HAS(r.out, "[mallory] tpm: unsealed mine: \"mallory-secret\"");
    remove_dir();
}

/* One line of --trace tpm under the monitor. */
struct rec {
    char guest[16];
    unsigned long long issued, started, done;
};

static unsigned parse_trace(const char *text, struct rec *out, unsigned max)
{
    unsigned n = 0;
    for (const char *p = text; (p = strstr(p, "] tpm ")) && n < max; p++) {
        struct rec x;
        const char *q = strstr(p, ": issued ");
        const char *eol = strchr(p, '\n');
        if (!q || (eol && q > eol) || sscanf(p, "] tpm %15s", x.guest) != 1 ||
            sscanf(q, ": issued %llu, started %llu, done %llu", &x.issued, &x.started, &x.done) !=
                3)
            continue;
        out[n++] = x;
    }
    return n;
}

static void test_four_guests(void)
{
    /* Four guests issue commands at once: all answered correctly, each saw
     * "in progress" while its command waited, and the queue served them in
     * the order they asked (first come first served with one outstanding
     * command each: round-robin). */
    fresh_dir();
    char args[1024], stats[128];
    snprintf(stats, sizeof stats, "%s/stats.json", dir);
    snprintf(args, sizeof args,
             "run --vmm --config %s/configs/labs/vtpm-four.ini --set bus0.slot3.state=%s "
             "--trace tpm --stats %s",
             SOURCE_DIR, state, stats);
    for (unsigned g = 1; g <= 4; g++)
        snprintf(args + strlen(args), sizeof args - strlen(args),
                 " --set bus%u.slot0.image=%s/g%u.img", g, dir, g - 1);
    cli_run(&r, args);
    for (unsigned g = 0; g < 4; g++) {
        char line[80];
        snprintf(line, sizeof line, "[g%u] tpm: unsealed k: \"secret-%u\"", g, g);
        HAS(r.out, line);
        snprintf(line, sizeof line, "[g%u] kernel: all processes finished", g);
        HAS(r.out, line);
    }
    CU_ASSERT_PTR_NULL(strstr(r.out, "refused"));
    static struct rec recs[4096];
    unsigned n = parse_trace(r.err, recs, 4096);
    CU_ASSERT(n >= 4 * 10);
    unsigned waited = 0, out_of_order = 0, overlapping = 0;
    for (unsigned i = 0; i < n; i++) {
        waited += recs[i].started > recs[i].issued;
        for (unsigned j = 0; j < n; j++) {
            if (i == j)
                continue;
            if (recs[i].issued < recs[j].issued && recs[i].started > recs[j].started)
                out_of_order++;
            if (strcmp(recs[i].guest, recs[j].guest) == 0 && recs[i].issued < recs[j].issued &&
                recs[j].issued < recs[i].done)
                overlapping++; /* a second command before the first was answered */
            if (i < j && recs[i].started < recs[j].done && recs[j].started < recs[i].done)
                overlapping++; /* two commands on the physical TPM at once */
        }
    }
    CU_ASSERT(waited >= 4);
    CU_ASSERT_EQUAL(out_of_order, 0);
    CU_ASSERT_EQUAL(overlapping, 0);
    struct cJSON *js = json_load(stats);
    CU_ASSERT_PTR_NOT_NULL_FATAL(js);
    double commands = 0;
    for (unsigned g = 0; g < 4; g++) {
        const cJSON *o = cJSON_GetArrayItem(cJSON_GetObjectItem(js, "guests"), (int)g);
        commands += json_num(o, "tpm.commands");
        CU_ASSERT(json_num(o, "tpm.polls_in_progress") > 0);
        CU_ASSERT(json_num(o, "tpm.queue_cycles") > 0);
        CU_ASSERT_EQUAL(json_num(o, "tpm.seals"), 1);
        CU_ASSERT_EQUAL(json_num(o, "tpm.unseals"), 1);
        CU_ASSERT_EQUAL(json_num(o, "tpm.unseals_refused"), 0);
        CU_ASSERT_EQUAL(json_num(o, "tpm.by_command.TV_Seal"), 1);
    }
    /* The physical TPM served every guest command, one after another. */
    CU_ASSERT_EQUAL(json_num(js, "tpm.commands"), commands);
    CU_ASSERT_EQUAL(json_num(js, "tpm.commands"), n);
    CU_ASSERT(json_num(js, "tpm.busy_cycles") >= 4 * 2 * TPM_LATENCY_KEYGEN); /* the seals */
    cJSON_Delete(js);
    remove_dir();
}

static const struct test_case tests[] = {
    {"natively: seal, unseal, refused after an extend, after a restart", test_native},
    {"the vTPM lab: other guest, other kernel, other monitor, restarts, SIGKILL", test_lab},
    {"four guests at once: all answered, in progress seen, served in order", test_four_guests},
};

CUNIT_MAIN("vtpm_e2e", tests)
