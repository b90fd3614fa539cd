/* cli/main.c — `trapvisor COMMAND [options]`: dispatch to a subcommand. */
#include "cli/cli.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TRAPVISOR_VERSION "0.1.0"

static void usage(FILE *f)
{
    fprintf(f, "usage: trapvisor COMMAND [options]\n"
               "\n"
               "commands:\n"
               "  exec FILE.elf   run a freestanding MIPS32 ELF until BREAK (see `trapvisor exec --help`)\n"
               "  version         print the version\n");
}

bool cli_parse_u64(const char *s, uint64_t *out)
{
    if (!s || !*s || *s == '-')
        return false;
    errno = 0;
    char *end;
    unsigned long long v = strtoull(s, &end, 0);
    if (errno || *end)
        return false;
    *out = v;
    return true;
}

bool cli_parse_size(const char *s, uint32_t *out)
{
    if (!s || !*s || *s == '-')
        return false;
    errno = 0;
    char *end;
    unsigned long long v = strtoull(s, &end, 0);
    if (errno)
        return false;
    unsigned long long mul = 1;
    if (*end == 'K' || *end == 'k') mul = 1ull << 10, end++;
    else if (*end == 'M' || *end == 'm') mul = 1ull << 20, end++;
    else if (*end == 'G' || *end == 'g') mul = 1ull << 30, end++;
    if (*end || v > 0xFFFFFFFFull / mul)
        return false;
    *out = (uint32_t)(v * mul);
    return true;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "exec") == 0)
        return cmd_exec(argc - 1, argv + 1);
    if (strcmp(cmd, "version") == 0 || strcmp(cmd, "--version") == 0) {
        printf("trapvisor %s\n", TRAPVISOR_VERSION);
        return 0;
    }
    if (strcmp(cmd, "help") == 0 || strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0) {
        usage(stdout);
        return 0;
    }
    fprintf(stderr, "trapvisor: unknown command '%s'\n", cmd);
    usage(stderr);
    return 2;
}
