/* gui/gui_priv.h — the window's state, shared by gui.c, draw.c and command.c. */
#ifndef GUI_GUI_PRIV_H
#define GUI_GUI_PRIV_H

#include <SDL.h>
#include <stdio.h>

#include "gui/font.h"
#include "gui/gui.h"
#include "gui/session.h"

/* Colours the tests look for (tests/test_gui_e2e.c). */
#define GUI_FONT_PT 11 /* points, DejaVu Sans Mono: 7x14 pixel cells (the underscore needs 14) */

#define COL_BG      ((SDL_Color){22, 24, 28, 255})
#define COL_PANEL   ((SDL_Color){34, 37, 43, 255})
#define COL_TEXT    ((SDL_Color){220, 222, 226, 255})
#define COL_DIM     ((SDL_Color){135, 140, 150, 255})
#define COL_TITLE   ((SDL_Color){120, 180, 255, 255})
#define COL_CHANGED ((SDL_Color){150, 110, 0, 255}) /* TLB row written in the last advance */
#define COL_ERR     ((SDL_Color){255, 110, 100, 255})
#define COL_DIVERGE ((SDL_Color){255, 40, 40, 255}) /* the moment the two views part */
#define COL_KERNEL  ((SDL_Color){70, 120, 230, 255})
#define COL_SUPER   ((SDL_Color){200, 170, 40, 255})
#define COL_USER    ((SDL_Color){60, 170, 90, 255})
#define COL_CURSOR  ((SDL_Color){60, 66, 78, 255}) /* the newest timeline row */

struct rect {
    int x, y, w, h;
};

/* Where things were drawn in the last frame (for --layout and the tests). */
struct gui_layout {
    struct rect status, consoles[VMM_MAX_GUESTS], fb, regs, counters, tlb, tpm, maps, modes,
        timeline, strip, keys, prompt;
    int con_line_y[VMM_MAX_GUESTS][64];
    int con_lines[VMM_MAX_GUESTS];
    int con_text_x[VMM_MAX_GUESTS];
    int tlb_row_y[SESS_MAX_TLB]; /* -1 not shown */
    int tlb_first, tlb_rows;
    int tl_row_y[32];
    int tl_rows;
    int text_x_timeline;
};

struct gui {
    session_t *s;
    const struct gui_options *o;
    SDL_Window *win;
    SDL_Renderer *ren;
    SDL_Surface *canvas; /* headless: what the software renderer draws on */
    SDL_Texture *fb_tex;
    uint32_t *fb_pixels;
    font_t *font;
    int w, h, cw, ch; /* window, character cell */

    /* view and control state */
    bool running;  /* run continuously between frames */
    bool scripted; /* commands come from a script: `run` is synchronous */
    bool quit;
    uint32_t filter; /* timeline: bit per enum sess_kind */
    int step_kind;   /* target of `n`: -1 any */
    int step_guest;  /* -1 any */
    int tlb_scroll;
    bool prompt_on;
    char prompt[128];
    char message[200];
    bool message_error;
    char stop_text[160];
    unsigned shots;
    /* pacing: run time per frame so that drawing costs under 10% */
    double draw_ms, batch_insns;
    uint64_t frames;

    struct gui_layout lay;
};

/* draw.c */
void draw_frame(struct gui *g);
/* command.c: one command line (docs/gui.md, "Commands"). 0 ok, -1 error
 * (message in g->message), 1 quit. */
int gui_command(struct gui *g, const char *line);
/* gui.c */
int gui_screenshot(struct gui *g, const char *path);
void gui_note(struct gui *g, bool error, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void gui_describe_stop(struct gui *g, enum sess_why why);
/* Advance until something other than the budget stops it, at most limit
 * instructions; the stop is described in the status bar. */
enum sess_why gui_run_sync(struct gui *g, enum sess_mode_run mode, struct sess_target t,
                           uint64_t limit);
/* The window's loop without waiting for events: n frames (each runs the
 * machine if it is running, then draws). */
void gui_frames(struct gui *g, unsigned n);
/* Press a key as the window would get it ("s", "Space", "F5", "Ctrl+R"...). */
int gui_key(struct gui *g, const char *name);

#endif
