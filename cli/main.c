/* cli/main.c — `trapvisor COMMAND [options]`: dispatch to a subcommand. */
#include "cli/cli.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef TRAPVISOR_VERSION /* CMake gives the project's */
#define TRAPVISOR_VERSION "unknown"
#endif

static void usage(FILE *f)
{
    fprintf(f, "usage: trapvisor COMMAND [options]\n"
               "\n"
               "commands:\n"
               "  run --native    boot the board: firmware, the teaching kernel, its programs\n"
               "  run --vmm       boot the monitor with partitioned guests (docs/vmm.md)\n"
               "  sweep           run the product of settings, one record per run (docs/sweep.md)\n"
               "  lab gotcha      the virtualizability lab: one kernel on seven machines\n"
               "  gui             the SDL2 window: watch and step the machine and the monitor\n"
               "  dtb             write the board's device tree blob to stdout\n"
               "  exec FILE.elf   run a freestanding MIPS32 ELF until BREAK (see `trapvisor exec "
               "--help`)\n"
               "  version         print the version\n");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "run") == 0)
        return cmd_run(argc - 1, argv + 1);
    if (strcmp(cmd, "sweep") == 0)
        return cmd_sweep(argc - 1, argv + 1);
    if (strcmp(cmd, "lab") == 0)
        return cmd_lab(argc - 1, argv + 1);
    if (strcmp(cmd, "gui") == 0)
        return cmd_gui(argc - 1, argv + 1);
    if (strcmp(cmd, "dtb") == 0)
        return cmd_dtb(argc - 1, argv + 1);
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
