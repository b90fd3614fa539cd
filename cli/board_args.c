/*
 * cli/board_args.c — board options: a config file first (--config), then
 * each option in command-line order as an override of that file.
 */
#include "cli/board_args.h"

#include <string.h>

enum {
    OPT_CONFIG = BOARD_ARGS_FIRST_OPT,
    OPT_SET,
    OPT_KERNEL,
    OPT_RAM,
    OPT_TLB,
    OPT_LE,
    OPT_DISK,
    OPT_BOOTARGS,
    OPT_CONSOLE_IN,
    OPT_CONSOLE_OUT,
    OPT_UNSAFE,
    OPT_FIX,
    OPT_POLICY_LIB,
};

const struct option board_args_options[] = {
    {"config", required_argument, 0, OPT_CONFIG},
    {"set", required_argument, 0, OPT_SET},
    {"kernel", required_argument, 0, OPT_KERNEL},
    {"ram", required_argument, 0, OPT_RAM},
    {"tlb", required_argument, 0, OPT_TLB},
    {"le", no_argument, 0, OPT_LE},
    {"disk", required_argument, 0, OPT_DISK},
    {"bootargs", required_argument, 0, OPT_BOOTARGS},
    {"console-in", required_argument, 0, OPT_CONSOLE_IN},
    {"console-out", required_argument, 0, OPT_CONSOLE_OUT},
    {"unsafe", required_argument, 0, OPT_UNSAFE},
    {"fix", required_argument, 0, OPT_FIX},
    {"policy-lib", required_argument, 0, OPT_POLICY_LIB},
    {0, 0, 0, 0},
};

void board_args_longopts(struct option *out, const struct option *own, size_t n_own)
{
    size_t n = 0;
    for (size_t i = 0; i < n_own && n < BOARD_ARGS_MAX_OPTIONS - 1; i++)
        out[n++] = own[i];
    for (size_t i = 0; board_args_options[i].name && n < BOARD_ARGS_MAX_OPTIONS - 1; i++)
        out[n++] = board_args_options[i];
    out[n] = (struct option){0, 0, 0, 0};
}

bool board_args_init(struct vmm_config *c)
{
    if (vmm_config_default(c))
        return true;
    fprintf(stderr, "trapvisor: out of memory\n");
    return false;
}

void board_args_usage(FILE *f)
{
    fprintf(f, "board options (applied in order; see docs/hardware.md \"Board configuration\"):\n"
               "  --config FILE       board description (INI); later options override it\n"
               "  --set SEC.KEY=VAL   any config key, e.g. --set bus3.slot0.type=nic\n"
               "  --kernel FILE.elf   kernel to boot (default: the teaching kernel)\n"
               "  --ram SIZE          RAM size (default 64M)\n"
               "  --tlb N             TLB entry pairs, 4..256 (default 32)\n"
               "  --le                little-endian board\n"
               "  --disk IMAGE        disk image (on the config's disk, else at bus1.slot0)\n"
               "  --bootargs TEXT     kernel command line (default \"init\")\n"
               "  --console-in SRC    console input: stdin (default), none or a file\n"
               "                      (under the monitor: the first guest's, unless guest0.input)\n"
               "  --console-out DST   console output: stdout (default) or a file\n"
               "  --unsafe LIST       sensitive instructions that run outside kernel mode\n"
               "                      without trapping: eret,mfc0,diei, all or none\n"
               "                      (the [cpu] section; docs/labs/virtualizability.md)\n"
               "  --fix none|scan     under the monitor: scan code pages and patch those\n"
               "                      instructions with HYPCALL (vmm.fix)\n"
               "  --policy-lib FILE.so  under the monitor: the TLB policy of a shared object\n"
               "                      (vmm.policy_lib; docs/policies.md)\n");
}

static int set(struct vmm_config *c, const char *cmd, const char *fmt, const char *arg)
{
    char assignment[CONFIG_PATH_MAX + 64], err[CONFIG_PATH_MAX + 128];
    snprintf(assignment, sizeof assignment, fmt, arg);
    if (vmm_config_set(c, assignment, err, sizeof err) != 0) {
        fprintf(stderr, "trapvisor %s: %s\n", cmd, err);
        return -1;
    }
    return 1;
}

static int set_uart(struct vmm_config *c, const char *cmd, const char *key, const char *arg)
{
    unsigned bus, slot;
    if (!board_config_find(&c->board, &uart_class, &bus, &slot)) {
        fprintf(stderr, "trapvisor %s: --console-%s: the board has no uart\n", cmd,
                strcmp(key, "input") == 0 ? "in" : "out");
        return -1;
    }
    char fmt[64];
    snprintf(fmt, sizeof fmt, "bus%u.slot%u.%s=%%s", bus, slot, key);
    return set(c, cmd, fmt, arg);
}

int board_args_handle(struct vmm_config *c, int ch, const char *arg, const char *cmd)
{
    char err[CONFIG_PATH_MAX + 128];
    switch (ch) {
    case OPT_CONFIG:
        if (vmm_config_load(c, arg, err, sizeof err) != 0) {
            fprintf(stderr, "trapvisor %s: %s\n", cmd, err);
            return -1;
        }
        return 1;
    case OPT_SET: return set(c, cmd, "%s", arg);
    case OPT_KERNEL: return set(c, cmd, "board.kernel=%s", arg);
    case OPT_RAM: return set(c, cmd, "board.ram=%s", arg);
    case OPT_TLB: return set(c, cmd, "board.tlb=%s", arg);
    case OPT_LE: return set(c, cmd, "board.endian=%s", "little");
    case OPT_BOOTARGS: return set(c, cmd, "board.bootargs=%s", arg);
    case OPT_DISK: {
        unsigned bus = 1, slot = 0;
        if (!board_config_find(&c->board, &disk_class, &bus, &slot)) {
            if (c->board.slots[1][0].cls) {
                fprintf(stderr, "trapvisor %s: --disk: bus1.slot0 is taken; use --set\n", cmd);
                return -1;
            }
            if (set(c, cmd, "bus1.slot0.type=%s", "disk") < 0)
                return -1;
        }
        char fmt[64];
        snprintf(fmt, sizeof fmt, "bus%u.slot%u.image=%%s", bus, slot);
        return set(c, cmd, fmt, arg);
    }
    case OPT_CONSOLE_IN: return set_uart(c, cmd, "input", arg);
    case OPT_CONSOLE_OUT: return set_uart(c, cmd, "output", arg);
    case OPT_FIX: return set(c, cmd, "vmm.fix=%s", arg);
    case OPT_POLICY_LIB: return set(c, cmd, "vmm.policy_lib=%s", arg);
    case OPT_UNSAFE: {
        uint32_t mask;
        if (!config_unsafe_parse(arg, &mask)) {
            fprintf(stderr,
                    "trapvisor %s: --unsafe: '%s' is not a list of eret, mfc0, diei, all, "
                    "none\n",
                    cmd, arg);
            return -1;
        }
        c->board.unsafe = mask;
        return 1;
    }
    }
    return 0;
}

int board_args_console_in(struct vmm_config *c, const char *src, const char *cmd)
{
    return set_uart(c, cmd, "input", src);
}
