/*
 * cli/cmd_gui.c — `trapvisor gui [--native|--vmm] [board options]`: the SDL2
 * window (gui/gui.h, docs/gui.md), or its headless screenshot and script
 * modes for tests, docs and CI.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli/board_args.h"
#include "cli/cli.h"
#include "gui/gui.h"
#include "util/parse.h"

#define EXIT_BAD_INPUT 2

enum {
    OPT_NATIVE = 1,
    OPT_VMM,
    OPT_SHOT,
    OPT_AFTER,
    OPT_SCRIPT,
    OPT_LAYOUT,
    OPT_FONT,
    OPT_SIZE,
    OPT_WINDOW,
    OPT_MAX,
    OPT_HELP
};

static void gui_usage(FILE *f)
{
    fprintf(f,
            "usage: trapvisor gui [--native|--vmm] [options]\n"
            "  --native | --vmm      the board alone (default) or the monitor with its guests\n"
            "  --screenshot FILE.png headless: draw the window off-screen, write it, exit\n"
            "  --after N|BREAK       before the screenshot, run N instructions or up to a\n"
            "                        breakpoint ('trap tlb_miss', 'sym main', 'pc 0x80001000',\n"
            "                        'decision reject', 'guest 1')\n"
            "  --script FILE         replay window commands (docs/gui.md, \"Commands\");\n"
            "                        headless unless --window\n"
            "  --window              with --script: play it in a window, then stay open\n"
            "  --layout FILE.json    with each screenshot, where the panels and rows were drawn\n"
            "  --size WxH            window size (default %dx%d, at least %dx%d)\n"
            "  --font FILE.ttf       a monospace TrueType font (default DejaVu Sans Mono)\n"
            "  --max-insns N         bound of one scripted run or step trap (default 2e9)\n",
            GUI_DEFAULT_WIDTH, GUI_DEFAULT_HEIGHT, GUI_MIN_WIDTH, GUI_MIN_HEIGHT);
    board_args_usage(f);
    fprintf(f, "exit status: 0, 1 a script command failed, 2 bad input or no display\n");
}

static bool parse_geometry(const char *s, int *w, int *h)
{
    unsigned a, b;
    char x, extra;
    if (sscanf(s, "%u%c%u%c", &a, &x, &b, &extra) != 3 || (x != 'x' && x != 'X') || a > 100000 ||
        b > 100000)
        return false;
    *w = (int)a;
    *h = (int)b;
    return true;
}

static int gui_cmd(struct gui_options *op, int argc, char **argv)
{
    static const struct option own[] = {
        {"native", no_argument, 0, OPT_NATIVE},
        {"vmm", no_argument, 0, OPT_VMM},
        {"screenshot", required_argument, 0, OPT_SHOT},
        {"after", required_argument, 0, OPT_AFTER},
        {"script", required_argument, 0, OPT_SCRIPT},
        {"layout", required_argument, 0, OPT_LAYOUT},
        {"font", required_argument, 0, OPT_FONT},
        {"size", required_argument, 0, OPT_SIZE},
        {"window", no_argument, 0, OPT_WINDOW},
        {"max-insns", required_argument, 0, OPT_MAX},
        {"help", no_argument, 0, OPT_HELP},
    };
    struct option longopts[BOARD_ARGS_MAX_OPTIONS];
    board_args_longopts(longopts, own, sizeof own / sizeof own[0]);

    op->max_insns = 2000000000ull;
    /* The window shows the consoles: the terminal's input stays the shell's. */
    if (board_args_console_in(&op->cfg, "none", "gui") < 0)
        return EXIT_BAD_INPUT;
    optind = 1;
    int ch;
    while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        int r = board_args_handle(&op->cfg, ch, optarg, "gui");
        if (r < 0)
            return EXIT_BAD_INPUT;
        if (r > 0)
            continue;
        switch (ch) {
        case OPT_NATIVE: op->vmm = false; break;
        case OPT_VMM: op->vmm = true; break;
        case OPT_SHOT: op->screenshot = optarg; break;
        case OPT_AFTER: op->after = optarg; break;
        case OPT_SCRIPT: op->script = optarg; break;
        case OPT_LAYOUT: op->layout = optarg; break;
        case OPT_FONT: op->font = optarg; break;
        case OPT_WINDOW: op->window = true; break;
        case OPT_SIZE:
            if (!parse_geometry(optarg, &op->width, &op->height)) {
                fprintf(stderr, "trapvisor gui: --size: '%s' is not WIDTHxHEIGHT\n", optarg);
                return EXIT_BAD_INPUT;
            }
            break;
        case OPT_MAX:
            if (!parse_u64(optarg, &op->max_insns) || op->max_insns == 0) {
                fprintf(stderr, "trapvisor gui: --max-insns: not a count: '%s'\n", optarg);
                return EXIT_BAD_INPUT;
            }
            break;
        case 'h':
        case OPT_HELP: gui_usage(stdout); return 0;
        default: gui_usage(stderr); return EXIT_BAD_INPUT;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "trapvisor gui: unexpected argument '%s'\n", argv[optind]);
        return EXIT_BAD_INPUT;
    }
    if (op->after && !op->screenshot) {
        fprintf(stderr, "trapvisor gui: --after goes with --screenshot\n");
        return EXIT_BAD_INPUT;
    }
    if (op->window && !op->script) {
        fprintf(stderr, "trapvisor gui: --window goes with --script (a window is the default)\n");
        return EXIT_BAD_INPUT;
    }
    if (op->cfg.fix != VMM_FIX_NONE && !op->vmm) {
        fprintf(stderr, "trapvisor gui: --fix is the monitor's: it needs --vmm\n");
        return EXIT_BAD_INPUT;
    }
    return gui_main(op);
}

int cmd_gui(int argc, char **argv)
{
    struct gui_options o;
    memset(&o, 0, sizeof o);
    if (!board_args_init(&o.cfg))
        return EXIT_BAD_INPUT;
    int rc = gui_cmd(&o, argc, argv);
    vmm_config_free(&o.cfg);
    return rc;
}
