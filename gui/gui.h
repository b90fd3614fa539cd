/*
 * gui/gui.h — the SDL2 window: watch and step-debug the machine and the
 * monitor (docs/gui.md). A window on a display, or headless (a software
 * renderer on an off-screen surface: no display needed) for --screenshot and
 * --script.
 */
#ifndef GUI_GUI_H
#define GUI_GUI_H

#include <stdbool.h>
#include <stdint.h>

#include "vmm/vmm.h"

struct gui_options {
    struct vmm_config cfg;
    bool vmm;
    const char *screenshot; /* headless: write this PNG after `after`, then exit */
    const char *after;      /* "N" instructions, or a breakpoint spec ("trap tlb_miss") */
    const char *script;     /* headless unless --window: replay these commands */
    const char *layout;     /* write panel positions as JSON beside each screenshot */
    const char *font;       /* TTF file (default DejaVu Sans Mono) */
    int width, height;      /* window size */
    bool window;            /* --script in a real window (for demos) */
    uint64_t max_insns;     /* bound of one `run`/`step trap` in scripts */
};

#define GUI_MIN_WIDTH      1200
#define GUI_MIN_HEIGHT     760
#define GUI_DEFAULT_WIDTH  1440
#define GUI_DEFAULT_HEIGHT 900

/* Run the front end; returns the process exit code (0 ok, 2 bad input or no
 * display, 1 a script command failed). */
int gui_main(const struct gui_options *o);

/* For bench/: the window's full-speed loop, headless (run a batch sized so
 * drawing stays under a tenth of the time, draw a frame, again) until about
 * insns instructions ran or the machine ended. Instructions run, host
 * seconds, frames drawn, mean milliseconds per frame. 0, or -1 with a message. */
int gui_bench_run(const struct gui_options *o, uint64_t insns, uint64_t *ran, double *seconds,
                  uint64_t *frames, double *draw_ms, char *err, size_t errlen);

#endif
