/* tests/runcli.h — run the trapvisor executable as a user would, for end-to-end tests. */
#ifndef TESTS_RUNCLI_H
#define TESTS_RUNCLI_H

struct cli_result {
    int rc;            /* exit status, -1 if killed by a signal */
    char out[65536];   /* stdout (truncated) */
    char err[1 << 20]; /* stderr (truncated): traces are long */
};

/* Run `trapvisor ARGS` through the shell, capturing both streams. */
void cli_run(struct cli_result *r, const char *args);

#include <stddef.h>
#include <stdio.h>
#include <string.h>

/* CUnit assertion that text contains needle; prints the text when not. */
#define HAS(text, needle)                                                                          \
    do {                                                                                           \
        if (!strstr((text), (needle)))                                                             \
            printf("\n  missing '%s' in:\n%s\n", (needle), (text));                                \
        CU_ASSERT_PTR_NOT_NULL(strstr((text), (needle)));                                          \
    } while (0)

/* The lines of text that start with prefix ("" every line) and do not report
 * a time ("N ms": what a guest's clock says, which a monitor changes), into
 * out (len bytes, NUL-terminated, each line with its newline). */
void untimed(const char *text, const char *prefix, char *out, size_t len);

/* Create a file of `size` zero bytes under /tmp; its name goes to path
 * (at least 32 bytes). The test unlinks it. */
void make_temp_file(char *path, size_t size);

/* A JSON file parsed (NULL if unreadable or invalid; the caller deletes it),
 * and the number at a dotted path such as "scan.patched_sites" (-1, with a
 * message, when there is none). */
struct cJSON;
struct cJSON *json_load(const char *path);
double json_num(const struct cJSON *o, const char *path);

#endif
