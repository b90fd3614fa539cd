/*
 * tests/test_doc_commands.c — every `trapvisor run` command in the README
 * and docs (README.md, every .md of docs and docs/labs: the lines of their code
 * blocks, continuation lines joined) runs as written: from a directory that
 * has the tree's configs/ and build/ and the files the examples name
 * (disk.img, board.ini), with trapvisor on PATH, its console input closed
 * and a budget, each must be accepted (never exit 2, bad input) and end
 * (never a crash or a hang). Commands that wait for a debugger (--gdb) are
 * the GDB test's (tests/test_gdb.c).
 */
#include "cunit_main.h"

#include <dirent.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static char dir[64];
static unsigned ran, refused;

/* The command without its redirections, pipes and comment. */
static void trim_shell(char *cmd)
{
    static const char *const cut[] = {" |", " >", " 2>", " &", " #", ";"};
    for (unsigned i = 0; i < sizeof cut / sizeof *cut; i++) {
        char *p = strstr(cmd, cut[i]);
        if (p)
            *p = 0;
    }
    size_t n = strlen(cmd);
    while (n && (cmd[n - 1] == ' ' || cmd[n - 1] == '\n'))
        cmd[--n] = 0;
}

static void run_one(const char *file, unsigned line, const char *cmd)
{
    if (strstr(cmd, "--gdb"))
        return;
    char full[2048];
    snprintf(
        full, sizeof full,
        "cd %s && PATH=%s:$PATH timeout -s KILL 300 %s --console-in none%s >/dev/null 2>err.txt",
        dir, dir, cmd, strstr(cmd, "--max-insns") ? "" : " --max-insns 300000000");
    int st = system(full);
    int rc = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    ran++;
    /* Exit 2 is also a guest's own power-off code (the tpm tool's "refused"):
     * bad input is exit 2 with trapvisor's own message. */
    static char err[1 << 16];
    char path[128];
    snprintf(path, sizeof path, "%s/err.txt", dir);
    FILE *f = fopen(path, "r");
    size_t n = f ? fread(err, 1, sizeof err - 1, f) : 0;
    err[n] = 0;
    if (f)
        fclose(f);
    const char *msg =
        strncmp(err, "trapvisor run: ", 15) == 0 ? err : strstr(err, "\ntrapvisor run: ");
    if ((rc == 2 && msg) || rc == 137 || rc == 134 || rc < 0) {
        refused++;
        printf("\n  %s:%u: exit %d: %s\n    %.300s\n", file, line, rc, cmd, msg ? msg : err);
    }
}

static void scan_file(const char *path, const char *name)
{
    FILE *f = fopen(path, "r");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    char line[1024], cmd[2048];
    bool in_code = false;
    unsigned n = 0;
    while (fgets(line, sizeof line, f)) {
        n++;
        if (strncmp(line, "```", 3) == 0) {
            in_code = !in_code;
            continue;
        }
        const char *p = line;
        if (!in_code ||
            (strncmp(p, "build/trapvisor run ", 20) != 0 && strncmp(p, "trapvisor run ", 14) != 0))
            continue;
        unsigned start = n;
        snprintf(cmd, sizeof cmd, "%s", strncmp(p, "build/", 6) == 0 ? p + 6 : p);
        size_t len;
        while ((len = strlen(cmd)) > 1 && cmd[len - 2] == '\\' && fgets(line, sizeof line, f)) {
            n++;
            cmd[len - 2] = ' ', cmd[len - 1] = 0; /* a continuation line */
            strncat(cmd, line, sizeof cmd - strlen(cmd) - 1);
        }
        trim_shell(cmd);
        run_one(name, start, cmd);
    }
    fclose(f);
}

static void test_every_run_command(void)
{
    snprintf(dir, sizeof dir, "/tmp/tv-docs-%d", (int)getpid());
    char cmd[1024];
    snprintf(cmd, sizeof cmd,
             "rm -rf %s && mkdir -p %s && cd %s && ln -s %s/configs configs && ln -s %s build && "
             "ln -s %s/trapvisor trapvisor && truncate -s 1M disk.img && "
             "cp %s/configs/minimal.ini board.ini",
             dir, dir, dir, SOURCE_DIR, BUILD_DIR, BUILD_DIR, SOURCE_DIR);
    CU_ASSERT_EQUAL_FATAL(system(cmd), 0);
    char path[512];
    snprintf(path, sizeof path, "%s/README.md", SOURCE_DIR);
    scan_file(path, "README.md");
    static const char *const dirs[] = {"docs", "docs/labs"};
    for (unsigned d = 0; d < 2; d++) {
        snprintf(path, sizeof path, "%s/%s", SOURCE_DIR, dirs[d]);
        DIR *dp = opendir(path);
        CU_ASSERT_PTR_NOT_NULL_FATAL(dp);
        struct dirent *e;
        while ((e = readdir(dp))) {
            size_t l = strlen(e->d_name);
            if (l < 4 || strcmp(e->d_name + l - 3, ".md") != 0)
                continue;
            char file[600], name[300];
            snprintf(file, sizeof file, "%s/%s", path, e->d_name);
            snprintf(name, sizeof name, "%s/%s", dirs[d], e->d_name);
            scan_file(file, name);
        }
        closedir(dp);
    }
    CU_ASSERT(ran >= 25); /* the docs have that many: the scan found them */
    CU_ASSERT_EQUAL(refused, 0);
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    CU_ASSERT_EQUAL(system(cmd), 0);
}

static const struct test_case tests[] = {
    {"every trapvisor run command of the docs runs as written", test_every_run_command},
};

CUNIT_MAIN("doc_commands", tests)
