/* cli/board_args.h — the board options shared by `run`, `dtb` (and later `gui`). */
#ifndef CLI_BOARD_ARGS_H
#define CLI_BOARD_ARGS_H

#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>

#include "vmm/vmm.h"

#define BOARD_ARGS_FIRST_OPT 1000 /* getopt codes of board options start here */

/* The getopt_long table entries of the board options, ending with a zero row. */
extern const struct option board_args_options[];

/* A getopt_long table: the command's own options, then the board options,
 * then the zero row, in out (room for BOARD_ARGS_MAX_OPTIONS). */
#define BOARD_ARGS_MAX_OPTIONS 32
void board_args_longopts(struct option *out, const struct option *own, size_t n_own);

/* Start from the default board and the default guests. The options fill a
 * monitor configuration: its board is what `run --native` boots, and a
 * config file may hold [vmm] and [guestN] sections for `run --vmm`. */
bool board_args_init(struct vmm_config *c); /* false (a message): out of memory */
/* (The caller releases it with vmm_config_free.) */
/* Handle one board option (ch from getopt_long). 1 handled, 0 not a board
 * option, -1 on a bad value (message printed, prefixed with cmd). */
int board_args_handle(struct vmm_config *c, int ch, const char *arg, const char *cmd);
void board_args_usage(FILE *f);
/* Set the console UART's input (as --console-in): 1, or -1 with a message. */
int board_args_console_in(struct vmm_config *c, const char *src, const char *cmd);

#endif
