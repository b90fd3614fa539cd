/* cli/cli.h — subcommands of the trapvisor command line. */
#ifndef CLI_CLI_H
#define CLI_CLI_H

#include <stdbool.h>
#include <stdint.h>

/* Each returns the process exit code. argv[0] is the subcommand name. */
int cmd_exec(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_sweep(int argc, char **argv);
int cmd_dtb(int argc, char **argv);
int cmd_lab(int argc, char **argv);
int cmd_gui(int argc, char **argv);

/* One guest's monitor counters as a JSON object (cmd_run.c; run_ns: host time of the run). */
struct cJSON;
struct vmm_guest_stats;
struct cJSON *stats_guest_json(const struct vmm_guest_stats *g, uint64_t run_ns);

#endif
