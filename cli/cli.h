/* cli/cli.h — subcommands of the trapvisor command line. */
#ifndef CLI_CLI_H
#define CLI_CLI_H

#include <stdbool.h>
#include <stdint.h>

/* Each returns the process exit code. argv[0] is the subcommand name. */
int cmd_exec(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_dtb(int argc, char **argv);


#endif
