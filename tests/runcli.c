/* tests/runcli.c — see runcli.h. */
#include "runcli.h"

#include <cjson/cJSON.h>

#include <CUnit/CUnit.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

void cli_run(struct cli_result *r, const char *args)
{
    char cmd[4096], path[64];
    snprintf(path, sizeof path, "/tmp/tv_cli_err.%d", getpid());
    /* A hung guest must fail the test, not hang CI: killed after 120 s (exit 137). */
    snprintf(cmd, sizeof cmd, "timeout -s KILL 120 %s %s 2>%s", TRAPVISOR_BIN, args, path);
    FILE *p = popen(cmd, "r");
    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    size_t n = fread(r->out, 1, sizeof r->out - 1, p);
    r->out[n] = 0;
    char sink[4096]; /* drain the rest so the child never blocks on a full pipe */
    while (fread(sink, 1, sizeof sink, p) > 0)
        ;
    int st = pclose(p);
    r->rc = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    FILE *e = fopen(path, "r");
    n = e ? fread(r->err, 1, sizeof r->err - 1, e) : 0;
    r->err[n] = 0;
    if (e)
        fclose(e);
    unlink(path);
}

void make_temp_file(char *path, size_t size)
{
    strcpy(path, "/tmp/tv_test_XXXXXX");
    int fd = mkstemp(path);
    CU_ASSERT_FATAL(fd >= 0);
    CU_ASSERT_EQUAL(ftruncate(fd, (off_t)size), 0);
    close(fd);
}

cJSON *json_load(const char *path)
{
    FILE *f = fopen(path, "r");
    static char text[1 << 18];
    size_t n = f ? fread(text, 1, sizeof text - 1, f) : 0;
    if (f)
        fclose(f);
    text[n] = 0;
    return cJSON_Parse(text);
}

double json_num(const cJSON *o, const char *path)
{
    char buf[128];
    snprintf(buf, sizeof buf, "%s", path);
    const cJSON *cur = o;
    for (char *save = NULL, *tok = strtok_r(buf, ".", &save); tok && cur;
         tok = strtok_r(NULL, ".", &save))
        cur = cJSON_GetObjectItemCaseSensitive(cur, tok);
    if (!cJSON_IsNumber(cur)) {
        printf("\n  no number at %s\n", path);
        return -1;
    }
    return cur->valuedouble;
}

void untimed(const char *text, const char *prefix, char *out, size_t len)
{
    regex_t ms;
    if (regcomp(&ms, "[0-9]+ ms", REG_EXTENDED | REG_NOSUB) != 0)
        abort();
    size_t n = 0, pl = strlen(prefix);
    out[0] = 0;
    for (const char *p = text; *p;) {
        const char *e = strchr(p, '\n');
        size_t l = e ? (size_t)(e - p) : strlen(p);
        char line[512];
        snprintf(line, sizeof line, "%.*s", (int)(l < 511 ? l : 511), p);
        if (strncmp(line, prefix, pl) == 0 && regexec(&ms, line, 0, NULL, 0) != 0 &&
            n + strlen(line) + 2 < len) {
            memcpy(out + n, line, strlen(line));
            n += strlen(line);
            out[n++] = '\n';
            out[n] = 0;
        }
        p += l + (e ? 1 : 0);
    }
    regfree(&ms);
}
