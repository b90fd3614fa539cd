/* cli/run_record.h — the run itself in --stats (cli/run_record.c). */
#ifndef CLI_RUN_RECORD_H
#define CLI_RUN_RECORD_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stdint.h>

#include "machine/config.h"
#include "util/elfload.h"
#include "vmm/vmm.h"

/* The version of the --stats layout (docs/stats.md): raised whenever a
 * field changes meaning or place. */
#define STATS_SCHEMA 2

struct run_record {
    int argc;
    char **argv;
    uint64_t max_insns;
    bool budget_given;
    const struct board_config *board;
    const struct vmm_config *vmm; /* NULL natively */
    unsigned nkernels;
    const elfimg_t *kernels[1 + VMM_MAX_GUESTS]; /* the board's, or each guest's */
    const char *kernel_of[1 + VMM_MAX_GUESTS];   /* "board" or the guest's name */
};

/* schema, trapvisor {version, executable_sha256}, command_line, settings,
 * kernels [{of, sha256}] into o. */
void run_record_json(cJSON *o, const struct run_record *r);

#endif
