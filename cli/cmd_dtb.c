/*
 * cli/cmd_dtb.c — `trapvisor dtb [board options] > board.dtb`: write the
 * board's device tree blob, exactly what the boot ROM holds.
 */
#include <getopt.h>
#include <stdio.h>
#include <unistd.h>

#include "cli/board_args.h"
#include "cli/cli.h"
#include "machine/fdt.h"
#include "machine/rom.h"

static int dtb_cmd(struct vmm_config *vcfg, int argc, char **argv)
{
    static const struct option own[] = {{"help", no_argument, 0, 'h'}};
    struct option longopts[BOARD_ARGS_MAX_OPTIONS];
    board_args_longopts(longopts, own, 1);
    struct board_config *const cfg_p = &vcfg->board;
    optind = 1;
    int ch;
    while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        int r = board_args_handle(vcfg, ch, optarg, "dtb");
        if (r < 0)
            return 2;
        if (r > 0)
            continue;
        FILE *f = ch == 'h' ? stdout : stderr;
        fprintf(f, "usage: trapvisor dtb [board options] > board.dtb\n");
        board_args_usage(f);
        return ch == 'h' ? 0 : 2;
    }
    char err[2048];
    if (board_config_check(cfg_p, err, sizeof err) != 0) {
        fprintf(stderr, "trapvisor dtb: %s\n", err);
        return 2;
    }
    static uint8_t blob[ROM_FDT_MAX];
    int size = board_fdt_build(cfg_p, blob, sizeof blob);
    if (size < 0) {
        fprintf(stderr, "trapvisor dtb: the device tree does not fit in %u bytes\n", ROM_FDT_MAX);
        return 2;
    }
    if (isatty(1)) {
        fprintf(stderr, "trapvisor dtb: refusing to write a binary blob to a terminal; "
                        "redirect it: trapvisor dtb > board.dtb\n");
        return 2;
    }
    if (fwrite(blob, 1, (size_t)size, stdout) != (size_t)size || fflush(stdout) != 0) {
        fprintf(stderr, "trapvisor dtb: write failed\n");
        return 1;
    }
    return 0;
}

int cmd_dtb(int argc, char **argv)
{
    struct vmm_config cfg;
    if (!board_args_init(&cfg))
        return 2;
    int rc = dtb_cmd(&cfg, argc, argv);
    vmm_config_free(&cfg);
    return rc;
}
