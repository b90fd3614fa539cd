/*
 * gui/gui.c — the window's life: a real window, or headless (a software
 * renderer drawing on an off-screen surface, so --screenshot and --script
 * need no display at all); the event loop with its keyboard shortcuts; the
 * pacing that keeps drawing under a tenth of the time while the machine runs
 * (docs/gui.md, "Responsiveness"); PNG screenshots with SDL2_image.
 */
#include <SDL_image.h>
#include <SDL_ttf.h>
#include <cjson/cJSON.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dev/fb.h"
#include "gui/gui_priv.h"
#include "util/fileio.h"
#include "util/parse.h"

#define EXIT_OK        0
#define EXIT_SCRIPT    1
#define EXIT_BAD_INPUT 2

#define WINDOW_STEP_LIMIT 200000000ull /* a key's step-to-trap gives up after this */

static double now_ms(void)
{
    return (double)SDL_GetPerformanceCounter() * 1000.0 / (double)SDL_GetPerformanceFrequency();
}

/* ---- screenshots and the layout -------------------------------------------------- */

static cJSON *rect_json(struct rect r)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "x", r.x);
    cJSON_AddNumberToObject(o, "y", r.y);
    cJSON_AddNumberToObject(o, "w", r.w);
    cJSON_AddNumberToObject(o, "h", r.h);
    return o;
}

/* Where the last frame put things, for tests and scripts that check pixels. */
static int write_layout(struct gui *g, const char *png)
{
    const struct gui_layout *L = &g->lay;
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "png", png);
    cJSON_AddNumberToObject(o, "width", g->w);
    cJSON_AddNumberToObject(o, "height", g->h);
    cJSON_AddNumberToObject(o, "char_width", g->cw);
    cJSON_AddNumberToObject(o, "char_height", g->ch);
    cJSON_AddItemToObject(o, "status", rect_json(L->status));
    cJSON_AddItemToObject(o, "registers", rect_json(L->regs));
    cJSON_AddItemToObject(o, "counters", rect_json(L->counters));
    cJSON_AddItemToObject(o, "tlb", rect_json(L->tlb));
    cJSON_AddItemToObject(o, "maps", rect_json(L->maps));
    cJSON_AddItemToObject(o, "modes", rect_json(L->modes));
    if (L->tpm.h)
        cJSON_AddItemToObject(o, "tpm", rect_json(L->tpm));
    cJSON_AddItemToObject(o, "timeline", rect_json(L->timeline));
    cJSON_AddItemToObject(o, "strip", rect_json(L->strip));
    cJSON_AddItemToObject(o, "framebuffer", rect_json(L->fb));
    cJSON *cons = cJSON_AddArrayToObject(o, "consoles");
    for (unsigned i = 0; i < session_guest_count(g->s); i++) {
        cJSON *c = rect_json(L->consoles[i]);
        cJSON_AddNumberToObject(c, "text_x", L->con_text_x[i]);
        cJSON *ys = cJSON_AddArrayToObject(c, "line_y");
        for (int k = 0; k < L->con_lines[i]; k++)
            cJSON_AddItemToArray(ys, cJSON_CreateNumber(L->con_line_y[i][k]));
        cJSON_AddItemToArray(cons, c);
    }
    cJSON *rows = cJSON_AddArrayToObject(o, "tlb_rows");
    for (unsigned i = 0; i < SESS_MAX_TLB; i++)
        if (L->tlb_row_y[i] >= 0) {
            cJSON *r = cJSON_CreateObject();
            cJSON_AddNumberToObject(r, "index", i);
            cJSON_AddNumberToObject(r, "y", L->tlb_row_y[i]);
            cJSON_AddItemToArray(rows, r);
        }
    cJSON *tl = cJSON_AddArrayToObject(o, "timeline_rows");
    for (int i = 0; i < L->tl_rows; i++)
        cJSON_AddItemToArray(tl, cJSON_CreateNumber(L->tl_row_y[i]));
    cJSON_AddNumberToObject(o, "timeline_text_x", L->text_x_timeline);
    char *text = cJSON_Print(o);
    cJSON_Delete(o);
    FILE *f = text ? fopen(g->o->layout, "w") : NULL;
    int rc = f && fputs(text, f) >= 0 ? 0 : -1;
    if (f && fclose(f) != 0)
        rc = -1;
    free(text);
    return rc;
}

int gui_screenshot(struct gui *g, const char *path)
{
    draw_frame(g);
    SDL_Surface *shot = g->canvas;
    SDL_Surface *own = NULL;
    if (!shot) { /* a real window: read back what the renderer drew */
        own = SDL_CreateRGBSurfaceWithFormat(0, g->w, g->h, 32, SDL_PIXELFORMAT_ARGB8888);
        if (!own || SDL_RenderReadPixels(g->ren, NULL, SDL_PIXELFORMAT_ARGB8888, own->pixels,
                                         own->pitch) != 0) {
            gui_note(g, true, "screenshot: cannot read the window: %s", SDL_GetError());
            SDL_FreeSurface(own);
            return -1;
        }
        shot = own;
    }
    /* Through our own FILE, so that a failed write (a full disk) is seen. */
    FILE *f = fopen(path, "wb");
    SDL_RWops *rw = f ? SDL_RWFromFP(f, SDL_FALSE) : NULL;
    int rc = rw ? IMG_SavePNG_RW(shot, rw, 1) : -1;
    SDL_FreeSurface(own);
    if (!f) {
        gui_note(g, true, "screenshot %s: %s", path, strerror(errno));
        return -1;
    }
    bool write_failed = fflush(f) != 0 || ferror(f);
    if (fclose(f) != 0)
        write_failed = true;
    if (rc != 0 || write_failed) {
        gui_note(g, true, "screenshot %s: %s", path, rc != 0 ? IMG_GetError() : "write failed");
        return -1;
    }
    if (g->o->layout && write_layout(g, path) != 0) {
        gui_note(g, true, "--layout %s: cannot write", g->o->layout);
        return -1;
    }
    gui_note(g, false, "screenshot written to %s", path);
    return 0;
}

/* ---- keys -------------------------------------------------------------------------- */

static void step_trap(struct gui *g, int kind, int guest)
{
    g->running = false;
    if (gui_run_sync(g, SESS_STEP_TRAP, (struct sess_target){kind, guest}, WINDOW_STEP_LIMIT) ==
        SESS_BUDGET)
        gui_note(g, true, "no such trap within %llu instructions", WINDOW_STEP_LIMIT);
}

static void toggle_break(struct gui *g, const char *spec)
{
    char err[256];
    unsigned before = session_break_count(g->s);
    if (session_break_toggle(g->s, spec, err, sizeof err) != 0)
        gui_note(g, true, "%s", err);
    else
        gui_note(g, false, "break %s %s", spec,
                 session_break_count(g->s) > before ? "set" : "cleared");
}

static void set_running(struct gui *g, bool on)
{
    g->running = on && !session_ended(g->s);
    if (g->running)
        g->stop_text[0] = 0; /* the last stop is history now */
}

static void on_char(struct gui *g, char c)
{
    char spec[64];
    switch (c) {
    case ':':
        g->prompt_on = true;
        g->prompt[0] = 0;
        break;
    case 'c': set_running(g, true); break;
    case ' ': set_running(g, !g->running); break;
    case 's': gui_command(g, "step"); break;
    case 't': step_trap(g, -1, -1); break;
    case 'n': step_trap(g, g->step_kind, g->step_guest); break;
    case 'k': g->step_kind = g->step_kind + 1 >= SK_KINDS ? -1 : g->step_kind + 1; break;
    case 'g':
        g->step_guest =
            g->step_guest + 1 >= (int)session_guest_count(g->s) ? -1 : g->step_guest + 1;
        break;
    case 'b':
        if (g->step_kind < 0) {
            gui_note(g, true, "choose a kind with k first");
            break;
        }
        snprintf(spec, sizeof spec, "trap %s", sess_kind_name((unsigned)g->step_kind));
        toggle_break(g, spec);
        break;
    case 'd':
        if (!session_is_vmm(g->s))
            gui_note(g, true, "TLB decisions are the monitor's: run with --vmm");
        else
            toggle_break(g, "decision reject");
        break;
    case 'x':
        gui_note(g, false, "%u breakpoint(s) removed", session_break_remove(g->s, "all"));
        break;
    case '0': g->filter = (1u << SK_KINDS) - 1; break;
    case 'p': {
        char path[64];
        snprintf(path, sizeof path, "trapvisor-shot-%u.png", ++g->shots);
        gui_screenshot(g, path);
        break;
    }
    case 'q': g->quit = true; break;
    default:
        if (c >= '1' && c <= '9' && c - '1' < SK_KINDS)
            g->filter ^= 1u << (c - '1');
        break;
    }
}

static void on_event(struct gui *g, const SDL_Event *ev)
{
    switch (ev->type) {
    case SDL_QUIT: g->quit = true; break;
    case SDL_WINDOWEVENT:
        if (ev->window.event == SDL_WINDOWEVENT_SIZE_CHANGED) /* in pixels, HiDPI or not */
            SDL_GetRendererOutputSize(g->ren, &g->w, &g->h);
        break;
    case SDL_TEXTINPUT:
        if (g->prompt_on) {
            size_t n = strlen(g->prompt);
            if (n + strlen(ev->text.text) < sizeof g->prompt)
                strcat(g->prompt, ev->text.text);
        } else if (ev->text.text[0] && !ev->text.text[1]) {
            on_char(g, ev->text.text[0]);
        }
        break;
    case SDL_KEYDOWN: {
        SDL_Keycode k = ev->key.keysym.sym;
        if (g->prompt_on) {
            if (k == SDLK_RETURN || k == SDLK_KP_ENTER) {
                g->prompt_on = false;
                if (gui_command(g, g->prompt) == 1)
                    g->quit = true;
            } else if (k == SDLK_ESCAPE) {
                g->prompt_on = false;
            } else if (k == SDLK_BACKSPACE && g->prompt[0]) {
                g->prompt[strlen(g->prompt) - 1] = 0;
            }
            break;
        }
        switch (k) {
        case SDLK_F5: set_running(g, true); break;
        case SDLK_F10: gui_command(g, "step"); break;
        case SDLK_F11: step_trap(g, -1, -1); break;
        case SDLK_F2: gui_command(g, "reset"); break;
        case SDLK_F12: on_char(g, 'p'); break;
        case SDLK_PAGEUP: g->tlb_scroll -= 16; break;
        case SDLK_PAGEDOWN: g->tlb_scroll += 16; break;
        case SDLK_ESCAPE: g->quit = true; break;
        case SDLK_r:
            if (ev->key.keysym.mod & KMOD_CTRL)
                gui_command(g, "reset");
            break;
        default: break;
        }
        break;
    }
    default: break;
    }
}

/* ---- the loop ---------------------------------------------------------------------- */

/* Run the machine for one frame: long enough that drawing (draw_ms) takes
 * under a twelfth of the time (the budget is a tenth: the rest is margin for
 * the trap log), one advance sized from the measured speed. */
static void run_frame(struct gui *g)
{
    double want = 12.0 * g->draw_ms;
    if (want < 30.0)
        want = 30.0;
    uint64_t n = (uint64_t)(g->batch_insns * want);
    if (n < 1000)
        n = 1000;
    double t0 = now_ms();
    uint64_t i0 = session_insns(g->s);
    enum sess_why why = session_advance(g->s, SESS_RUN, (struct sess_target){-1, -1}, n);
    double dt = now_ms() - t0;
    uint64_t done = session_insns(g->s) - i0;
    if (dt > 0.5 && done > 0) { /* instructions per ms: taken as is at first, then smoothed */
        double rate = (double)done / dt;
        g->batch_insns = g->frames < 3 ? rate : 0.7 * g->batch_insns + 0.3 * rate;
    }
    if (why != SESS_BUDGET) {
        g->running = false;
        gui_describe_stop(g, why);
    }
}

/* One turn of the loop after the events: run (if running), draw, show. */
static void frame(struct gui *g)
{
    if (g->running && !session_ended(g->s))
        run_frame(g);
    double t0 = now_ms();
    draw_frame(g);
    if (!g->canvas)
        SDL_RenderPresent(g->ren);
    g->draw_ms = 0.8 * g->draw_ms + 0.2 * (now_ms() - t0);
    g->frames++;
}

void gui_frames(struct gui *g, unsigned n)
{
    for (unsigned i = 0; i < n && !g->quit; i++)
        frame(g);
}

int gui_key(struct gui *g, const char *name)
{
    static const struct {
        const char *name;
        SDL_Keycode key;
    } keys[] = {
        {"F2", SDLK_F2},         {"F5", SDLK_F5},
        {"F10", SDLK_F10},       {"F11", SDLK_F11},
        {"F12", SDLK_F12},       {"PgUp", SDLK_PAGEUP},
        {"PgDn", SDLK_PAGEDOWN}, {"Escape", SDLK_ESCAPE},
        {"Return", SDLK_RETURN}, {"Backspace", SDLK_BACKSPACE},
    };
    SDL_Event ev;
    memset(&ev, 0, sizeof ev);
    if (strcmp(name, "Space") == 0)
        name = " ";
    if (name[0] && !name[1]) { /* a character: what typing it sends */
        ev.type = SDL_TEXTINPUT;
        ev.text.text[0] = name[0];
        on_event(g, &ev);
        return 0;
    }
    for (size_t i = 0; i < sizeof keys / sizeof *keys; i++)
        if (strcmp(name, keys[i].name) == 0) {
            ev.type = SDL_KEYDOWN;
            ev.key.keysym.sym = keys[i].key;
            on_event(g, &ev);
            return 0;
        }
    if (strcmp(name, "Ctrl+R") == 0) {
        ev.type = SDL_KEYDOWN;
        ev.key.keysym.sym = SDLK_r;
        ev.key.keysym.mod = KMOD_LCTRL;
        on_event(g, &ev);
        return 0;
    }
    gui_note(g, true,
             "key: unknown key '%s' (a character, Space, F2, F5, F10, F11, F12, PgUp, "
             "PgDn, Escape, Return, Backspace, Ctrl+R)",
             name);
    return -1;
}

static void interactive(struct gui *g)
{
    SDL_StartTextInput();
    while (!g->quit) {
        SDL_Event ev;
        bool idle = !g->running || session_ended(g->s);
        if (idle) { /* paused: sleep in the event queue, no CPU used */
            if (SDL_WaitEvent(&ev))
                on_event(g, &ev);
        }
        while (!g->quit && SDL_PollEvent(&ev))
            on_event(g, &ev);
        if (g->quit)
            break;
        frame(g);
    }
}

static int run_script(struct gui *g, const char *path)
{
    char msg[400];
    FILE *f = file_fopen_regular(path, msg, sizeof msg);
    if (!f) {
        fprintf(stderr, "trapvisor gui: --script %s\n", msg);
        return EXIT_BAD_INPUT;
    }
    char line[512];
    unsigned lineno = 0;
    int rc = EXIT_OK;
    while (fgets(line, sizeof line, f)) {
        lineno++;
        int r = gui_command(g, line);
        if (r == 1) {
            g->quit = true;
            break;
        }
        if (r < 0) {
            fprintf(stderr, "trapvisor gui: %s:%u: %s\n", path, lineno, g->message);
            rc = EXIT_SCRIPT;
            break;
        }
    }
    fclose(f);
    return rc;
}

/* --after N (instructions) or a breakpoint spec. */
static int run_after(struct gui *g, const char *after)
{
    uint64_t n;
    g->scripted = true;
    if (after[0] >= '0' && after[0] <= '9' && !parse_u64(after, &n)) {
        fprintf(stderr, "trapvisor gui: --after %s: not an instruction count (nor a breakpoint)\n",
                after);
        return EXIT_BAD_INPUT;
    }
    if (parse_u64(after, &n)) {
        char cmd[64];
        snprintf(cmd, sizeof cmd, "run %llu", (unsigned long long)n);
        return gui_command(g, cmd) == 0 ? EXIT_OK : EXIT_SCRIPT;
    }
    char cmd[300];
    snprintf(cmd, sizeof cmd, "break %s", after);
    if (gui_command(g, cmd) != 0) {
        fprintf(stderr, "trapvisor gui: --after: %s\n", g->message);
        return EXIT_BAD_INPUT;
    }
    gui_command(g, "run");
    if (!session_break_hit(g->s)) {
        fprintf(stderr, "trapvisor gui: --after %s: not reached (%s)\n", after,
                session_ended(g->s) ? session_end_text(g->s) : "instruction budget spent");
        return EXIT_SCRIPT;
    }
    return EXIT_OK;
}

static int open_display(struct gui *g, char *err, size_t errlen)
{
    if (SDL_InitSubSystem(SDL_INIT_VIDEO) != 0) {
        snprintf(err, errlen,
                 "no display (%s). Run it on a desktop, under xvfb-run, or headless with "
                 "--screenshot FILE.png [--after N] or --script FILE",
                 SDL_GetError());
        return -1;
    }
    /* With no display SDL falls back to a driver that shows nothing: unless
     * asked for by name (SDL_VIDEODRIVER), that is no display. */
    const char *drv = SDL_GetCurrentVideoDriver();
    if (drv && (strcmp(drv, "offscreen") == 0 || strcmp(drv, "dummy") == 0) &&
        !getenv("SDL_VIDEODRIVER")) {
        snprintf(err, errlen,
                 "no display (SDL found only its '%s' driver). Run it on a desktop, under "
                 "xvfb-run, or headless with --screenshot FILE.png [--after N] or --script FILE",
                 drv);
        return -1;
    }
    g->win = SDL_CreateWindow("trapvisor", SDL_WINDOWPOS_CENTERED, SDL_WINDOWPOS_CENTERED, g->w,
                              g->h, SDL_WINDOW_RESIZABLE | SDL_WINDOW_ALLOW_HIGHDPI);
    if (!g->win) {
        snprintf(err, errlen,
                 "cannot open a window (%s). Headless: --screenshot FILE.png or --script FILE",
                 SDL_GetError());
        return -1;
    }
    SDL_SetWindowMinimumSize(g->win, GUI_MIN_WIDTH, GUI_MIN_HEIGHT);
    g->ren = SDL_CreateRenderer(g->win, -1, SDL_RENDERER_ACCELERATED);
    if (!g->ren)
        g->ren = SDL_CreateRenderer(g->win, -1, SDL_RENDERER_SOFTWARE);
    if (!g->ren) {
        snprintf(err, errlen, "cannot draw in the window: %s", SDL_GetError());
        return -1;
    }
    SDL_GetRendererOutputSize(g->ren, &g->w, &g->h);
    return 0;
}

static int open_offscreen(struct gui *g, char *err, size_t errlen)
{
    g->canvas = SDL_CreateRGBSurfaceWithFormat(0, g->w, g->h, 32, SDL_PIXELFORMAT_ARGB8888);
    if (!g->canvas || !(g->ren = SDL_CreateSoftwareRenderer(g->canvas))) {
        snprintf(err, errlen, "cannot create an off-screen %dx%d canvas: %s", g->w, g->h,
                 SDL_GetError());
        return -1;
    }
    return 0;
}

static void close_gui(struct gui *g)
{
    font_free(g->font);
    if (g->fb_tex)
        SDL_DestroyTexture(g->fb_tex);
    if (g->ren)
        SDL_DestroyRenderer(g->ren);
    if (g->win)
        SDL_DestroyWindow(g->win);
    SDL_FreeSurface(g->canvas);
    free(g->fb_pixels);
    session_free(g->s);
    if (TTF_WasInit())
        TTF_Quit();
    SDL_Quit();
}

/* Everything but the run: machine, canvas or window, font. 0, or -1 with a message. */
static int gui_open(struct gui *g, const struct gui_options *o, bool headless, char *err,
                    size_t errlen)
{
    memset(g, 0, sizeof *g);
    g->o = o;
    g->w = o->width ? o->width : GUI_DEFAULT_WIDTH;
    g->h = o->height ? o->height : GUI_DEFAULT_HEIGHT;
    if (g->w < GUI_MIN_WIDTH || g->h < GUI_MIN_HEIGHT) {
        snprintf(err, errlen, "a %dx%d window is too small: the panels need at least %dx%d", g->w,
                 g->h, GUI_MIN_WIDTH, GUI_MIN_HEIGHT);
        return -1;
    }
    if (g->w > 8192 || g->h > 8192) {
        snprintf(err, errlen, "a %dx%d window is too large (at most 8192x8192)", g->w, g->h);
        return -1;
    }
    if (SDL_Init(0) != 0) {
        snprintf(err, errlen, "SDL: %s", SDL_GetError());
        return -1;
    }
    if (!(g->s = session_new(&o->cfg, o->vmm, err, errlen)))
        return -1;
    if ((headless ? open_offscreen(g, err, errlen) : open_display(g, err, errlen)) != 0)
        return -1;
    if (!(g->font =
              font_open(g->ren, o->font ? o->font : FONT_DEFAULT_PATH, GUI_FONT_PT, err, errlen)))
        return -1;
    g->cw = font_width(g->font);
    g->ch = font_height(g->font);
    g->fb_pixels = malloc((size_t)FB_WIDTH * FB_HEIGHT * 4);
    g->filter = (1u << SK_KINDS) - 1;
    g->step_kind = g->step_guest = -1;
    g->batch_insns = 20000; /* per ms, until measured */
    g->draw_ms = 5;
    gui_note(g, false, "paused: F5 or c runs, s steps, t steps to the next trap, : for commands");
    return 0;
}

int gui_main(const struct gui_options *o)
{
    struct gui gs, *g = &gs;
    bool headless = o->screenshot || (o->script && !o->window);
    char err[600];
    int rc = EXIT_BAD_INPUT;
    /* Outputs are checked before anything runs. */
    if ((o->screenshot && file_check_writable(o->screenshot, err, sizeof err) != 0) ||
        (o->layout && file_check_writable(o->layout, err, sizeof err) != 0)) {
        fprintf(stderr, "trapvisor gui: %s\n", err);
        return EXIT_BAD_INPUT;
    }
    if (gui_open(g, o, headless, err, sizeof err) != 0) {
        fprintf(stderr, "trapvisor gui: %s\n", err);
        goto out;
    }
    rc = EXIT_OK;
    if (o->script) {
        g->scripted = true;
        rc = run_script(g, o->script);
        g->scripted = false;
        if (rc != EXIT_OK || headless || g->quit)
            goto out;
    }
    if (o->screenshot) {
        if (o->after && (rc = run_after(g, o->after)) == EXIT_BAD_INPUT)
            goto out;
        if (gui_screenshot(g, o->screenshot) != 0) {
            fprintf(stderr, "trapvisor gui: %s\n", g->message);
            rc = EXIT_BAD_INPUT;
        }
        goto out;
    }
    interactive(g);
out:
    close_gui(g);
    return rc;
}

int gui_bench_run(const struct gui_options *o, uint64_t insns, uint64_t *ran, double *seconds,
                  uint64_t *frames, double *draw_ms, char *err, size_t errlen)
{
    struct gui gs, *g = &gs;
    int rc = gui_open(g, o, true, err, errlen);
    if (rc == 0) {
        g->running = true;
        double t0 = now_ms();
        while (g->running && session_insns(g->s) < insns && !session_ended(g->s))
            frame(g); /* as the window's loop at full speed */
        *seconds = (now_ms() - t0) / 1000.0;
        *ran = session_insns(g->s);
        *frames = g->frames;
        *draw_ms = g->draw_ms;
    }
    close_gui(g);
    return rc;
}
