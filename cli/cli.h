/* cli/cli.h — subcommands of the trapvisor command line. */
#ifndef CLI_CLI_H
#define CLI_CLI_H

#include <stdbool.h>
#include <stdint.h>

/* Each returns the process exit code. argv[0] is the subcommand name. */
int cmd_exec(int argc, char **argv);

/* Parse a size like "64M", "4096", "1G"; false on junk or overflow of 32 bits. */
bool cli_parse_size(const char *s, uint32_t *out);
/* Parse an unsigned 64-bit count ("1000000", "1e6" not accepted). */
bool cli_parse_u64(const char *s, uint64_t *out);

#endif
