/*
 * gui/command.c — the command language of the window's prompt (':') and of
 * --script files, one command per line (docs/gui.md, "Commands"):
 *
 *   step [N]                         N instructions (default 1)
 *   step trap [KIND|any] [guest N]   to the next trap of that kind / guest
 *   run [N]                          until a breakpoint, the end, or N instructions
 *   pause
 *   break pc ADDR | sym NAME | trap KIND | decision D | guest N | reloc   [guest N]
 *   delete SPEC | all
 *   filter all | none | KIND...      which kinds the timeline shows
 *   select kind KIND|any | select guest N|any    the target of the 'n' key
 *   reset
 *   screenshot FILE.png
 *   print status | trap | traps [N] | console N | tlb | breaks     (to stdout)
 *   key NAME                         press a key as in the window ("s", "F5", "Space")
 *   frames N                         N turns of the window's loop (runs if running)
 *   quit
 *
 * In a script, run and step trap are synchronous (bounded by --max-insns);
 * at the window's prompt, run starts the machine and returns.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gui/gui_priv.h"
#include "util/parse.h"

#define CHUNK 2000000u /* instructions per advance in synchronous runs */

void gui_note(struct gui *g, bool error, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(g->message, sizeof g->message, fmt, ap);
    va_end(ap);
    g->message_error = error;
}

void gui_describe_stop(struct gui *g, enum sess_why why)
{
    session_t *s = g->s;
    const struct sess_trap *t = session_trap_recent(s, 0, ~0u);
    char what[128] = "";
    if (t)
        snprintf(what, sizeof what, "%s at %08x (g%u)", sess_kind_name(t->kind), t->pc, t->guest);
    switch (why) {
    case SESS_BUDGET: g->stop_text[0] = 0; break;
    case SESS_STEPPED:
        snprintf(g->stop_text, sizeof g->stop_text, "stepped to %08x", cpu_pc(session_cpu(s)));
        break;
    case SESS_TRAP:
        snprintf(g->stop_text, sizeof g->stop_text, "stopped after trap: %s", what);
        break;
    case SESS_BREAK: {
        const struct sess_break *b = session_break_hit(s);
        if (b && b->type == BP_PC)
            snprintf(g->stop_text, sizeof g->stop_text, "breakpoint %s: at %08x", b->label,
                     cpu_pc(session_cpu(s)));
        else
            snprintf(g->stop_text, sizeof g->stop_text, "breakpoint %s: %s", b ? b->label : "?",
                     what);
        break;
    }
    case SESS_ENDED: snprintf(g->stop_text, sizeof g->stop_text, "%s", session_end_text(s)); break;
    }
}

enum sess_why gui_run_sync(struct gui *g, enum sess_mode_run mode, struct sess_target t,
                           uint64_t limit)
{
    uint64_t start = session_insns(g->s);
    enum sess_why why = SESS_BUDGET;
    while (why == SESS_BUDGET) {
        uint64_t done = session_insns(g->s) - start;
        if (done >= limit)
            break;
        uint64_t n = limit - done < CHUNK ? limit - done : CHUNK;
        why = session_advance(g->s, mode, t, n);
    }
    gui_describe_stop(g, why);
    return why;
}

static int parse_target(struct gui *g, char **tok, int ntok, struct sess_target *t)
{
    t->kind = -1;
    t->guest = -1;
    for (int i = 0; i < ntok; i++) {
        if (strcmp(tok[i], "guest") == 0 && i + 1 < ntok) {
            uint32_t n;
            if (!parse_u32(tok[i + 1], &n) || n >= session_guest_count(g->s)) {
                gui_note(g, true, "no guest '%s' (there are %u)", tok[i + 1],
                         session_guest_count(g->s));
                return -1;
            }
            t->guest = (int)n;
            i++;
        } else if (strcmp(tok[i], "any") != 0) {
            if ((t->kind = sess_kind_parse(tok[i])) < 0) {
                gui_note(g, true, "unknown trap kind '%s'", tok[i]);
                return -1;
            }
        }
    }
    return 0;
}

static void print_status(struct gui *g)
{
    session_t *s = g->s;
    const struct sess_trap *t = session_trap_recent(s, 0, ~0u);
    printf("status insns=%" PRIu64 " pc=%08x guest=%d traps=%" PRIu64 " ended=%d stop=\"%s\"",
           session_insns(s), cpu_pc(session_cpu(s)), session_current_guest(s),
           session_trap_total(s), session_ended(s), g->stop_text);
    if (t)
        printf(" last=%s", sess_kind_name(t->kind));
    printf("\n");
}

static void print_trap(struct gui *g, const struct sess_trap *t)
{
    char line[256];
    session_trap_text(g->s, t, line, sizeof line);
    printf("trap seq=%" PRIu64 " kind=%s guest=%u pc=%08x tlb=%d decision=%d reflected=%d "
           "diverged=%d | %s\n",
           t->seq, sess_kind_name(t->kind), t->guest, t->pc, t->tlb_index, t->decision,
           t->reflected, t->diverged, line);
}

static int cmd_print(struct gui *g, char **tok, int ntok)
{
    session_t *s = g->s;
    const char *what = ntok > 1 ? tok[1] : "status";
    if (strcmp(what, "status") == 0) {
        print_status(g);
    } else if (strcmp(what, "trap") == 0 || strcmp(what, "traps") == 0) {
        uint32_t n = 1;
        if (ntok > 2 && !parse_u32(tok[2], &n)) {
            gui_note(g, true, "print traps: '%s' is not a count", tok[2]);
            return -1;
        }
        for (uint32_t i = n; i-- > 0;) {
            const struct sess_trap *t = session_trap_recent(s, i, g->filter);
            if (t)
                print_trap(g, t);
        }
    } else if (strcmp(what, "console") == 0) {
        uint32_t n = 0;
        if (ntok > 2 && (!parse_u32(tok[2], &n) || n >= session_guest_count(s))) {
            gui_note(g, true, "print console: no guest '%s'", tok[2]);
            return -1;
        }
        const struct sess_console *c = session_console(s, n);
        for (unsigned i = 0; i < c->count; i++)
            printf("console %u: %s\n", n,
                   c->line[(c->last + SESS_CON_LINES - (c->count - 1 - i)) % SESS_CON_LINES]);
    } else if (strcmp(what, "tlb") == 0) {
        tlb_t *tlb = cpu_tlb(session_cpu(s));
        for (unsigned i = 0; i < tlb_size(tlb); i++) {
            struct tlb_regs e;
            tlb_read(tlb, i, &e);
            uint64_t age = session_tlb_age(s, i);
            printf("tlb %u hi=%08x lo0=%08x lo1=%08x mask=%08x age=%lld\n", i, e.entryhi,
                   e.entrylo0, e.entrylo1, e.pagemask, age == UINT64_MAX ? -1LL : (long long)age);
        }
    } else if (strcmp(what, "breaks") == 0) {
        for (unsigned i = 0; i < session_break_count(s); i++)
            printf("break %s\n", session_break_at(s, i)->label);
    } else {
        gui_note(g, true, "print: '%s'? (status, trap, traps N, console N, tlb, breaks)", what);
        return -1;
    }
    fflush(stdout);
    return 0;
}

static int cmd_filter(struct gui *g, char **tok, int ntok)
{
    if (ntok < 2) {
        gui_note(g, true, "filter: all, none or a list of kinds");
        return -1;
    }
    uint32_t mask = 0;
    for (int i = 1; i < ntok; i++) {
        if (strcmp(tok[i], "all") == 0) {
            mask = (1u << SK_KINDS) - 1;
        } else if (strcmp(tok[i], "none") == 0) {
            mask = 0;
        } else {
            int k = sess_kind_parse(tok[i]);
            if (k < 0) {
                gui_note(g, true, "filter: unknown kind '%s'", tok[i]);
                return -1;
            }
            mask |= 1u << k;
        }
    }
    g->filter = mask;
    return 0;
}

static int cmd_select(struct gui *g, char **tok, int ntok)
{
    if (ntok == 3 && strcmp(tok[1], "kind") == 0) {
        int k = strcmp(tok[2], "any") == 0 ? -1 : sess_kind_parse(tok[2]);
        if (k < 0 && strcmp(tok[2], "any") != 0) {
            gui_note(g, true, "select kind: unknown kind '%s'", tok[2]);
            return -1;
        }
        g->step_kind = k;
        return 0;
    }
    if (ntok == 3 && strcmp(tok[1], "guest") == 0) {
        uint32_t n;
        if (strcmp(tok[2], "any") == 0) {
            g->step_guest = -1;
            return 0;
        }
        if (!parse_u32(tok[2], &n) || n >= session_guest_count(g->s)) {
            gui_note(g, true, "select guest: no guest '%s'", tok[2]);
            return -1;
        }
        g->step_guest = (int)n;
        return 0;
    }
    gui_note(g, true, "select kind KIND|any, or select guest N|any");
    return -1;
}

int gui_command(struct gui *g, const char *line)
{
    char buf[256];
    if (strlen(line) >= sizeof buf) {
        gui_note(g, true, "command too long");
        return -1;
    }
    strcpy(buf, line);
    char *hash = strchr(buf, '#');
    if (hash)
        *hash = 0;
    char *tok[12];
    int ntok = 0;
    for (char *save = NULL, *p = strtok_r(buf, " \t\r\n", &save); p && ntok < 12;
         p = strtok_r(NULL, " \t\r\n", &save))
        tok[ntok++] = p;
    if (ntok == 0)
        return 0;
    session_t *s = g->s;
    const char *cmd = tok[0];
    char rest[256] = ""; /* the arguments, one space apart */
    for (int i = 1; i < ntok; i++) {
        if (i > 1)
            strcat(rest, " ");
        strcat(rest, tok[i]);
    }
    char err[256];
    gui_note(g, false, "%s", "");

    if (strcmp(cmd, "step") == 0 && ntok >= 2 && strcmp(tok[1], "trap") == 0) {
        struct sess_target t;
        if (parse_target(g, tok + 2, ntok - 2, &t) != 0)
            return -1;
        g->running = false;
        enum sess_why why = gui_run_sync(g, SESS_STEP_TRAP, t, g->o->max_insns);
        if (why == SESS_BUDGET) {
            gui_note(g, true, "step trap: none within %" PRIu64 " instructions", g->o->max_insns);
            return -1;
        }
        return 0;
    }
    if (strcmp(cmd, "step") == 0) {
        uint64_t n = 1;
        if (ntok > 2 || (ntok == 2 && (!parse_u64(tok[1], &n) || n == 0))) {
            gui_note(g, true, "step: expected a count, or 'trap [KIND] [guest N]'");
            return -1;
        }
        if (n > g->o->max_insns) {
            gui_note(g, true, "step: %" PRIu64 " is more than --max-insns (%" PRIu64 ")", n,
                     g->o->max_insns);
            return -1;
        }
        g->running = false; /* one advance of n instructions, as fast as run n */
        gui_describe_stop(g, session_advance(s, SESS_STEP_INSN, (struct sess_target){-1, -1}, n));
        return 0;
    }
    if (strcmp(cmd, "run") == 0 || strcmp(cmd, "continue") == 0) {
        uint64_t n = g->o->max_insns;
        if (ntok > 2 || (ntok == 2 && !parse_u64(tok[1], &n))) {
            gui_note(g, true, "run: expected an instruction count");
            return -1;
        }
        if (!g->scripted && ntok == 1) {
            g->running = !session_ended(s);
            g->stop_text[0] = 0;
            return 0;
        }
        g->running = false;
        gui_run_sync(g, SESS_RUN, (struct sess_target){-1, -1}, n);
        return 0;
    }
    if (strcmp(cmd, "pause") == 0) {
        g->running = false;
        return 0;
    }
    if (strcmp(cmd, "break") == 0) {
        if (session_break_add(s, rest, err, sizeof err) != 0) {
            gui_note(g, true, "%s", err);
            return -1;
        }
        gui_note(g, false, "break %s", rest);
        return 0;
    }
    if (strcmp(cmd, "delete") == 0 && ntok >= 2) {
        unsigned n = session_break_remove(s, rest);
        gui_note(g, n == 0, "%u breakpoint(s) removed", n);
        return n ? 0 : -1;
    }
    if (strcmp(cmd, "filter") == 0)
        return cmd_filter(g, tok, ntok);
    if (strcmp(cmd, "select") == 0)
        return cmd_select(g, tok, ntok);
    if (strcmp(cmd, "reset") == 0) {
        if (session_reset(s, err, sizeof err) != 0) {
            /* The old machine is gone: nothing is left to show. */
            gui_note(g, true, "reset: %s (no machine left: the window closes)", err);
            if (!g->scripted)
                fprintf(stderr, "trapvisor gui: %s\n", g->message);
            g->quit = true;
            return -1;
        }
        g->running = false;
        g->stop_text[0] = 0;
        gui_note(g, false, "reset");
        return 0;
    }
    if (strcmp(cmd, "screenshot") == 0 && ntok == 2)
        return gui_screenshot(g, tok[1]);
    if (strcmp(cmd, "print") == 0)
        return cmd_print(g, tok, ntok);
    if (strcmp(cmd, "key") == 0 && ntok == 2) {
        if (gui_key(g, tok[1]) != 0)
            return -1;
        return g->quit ? 1 : 0;
    }
    if (strcmp(cmd, "frames") == 0 && ntok == 2) {
        uint32_t n;
        if (!parse_u32(tok[1], &n) || n > 100000) {
            gui_note(g, true, "frames: '%s' is not a count (at most 100000)", tok[1]);
            return -1;
        }
        gui_frames(g, n);
        return g->quit ? 1 : 0;
    }
    if (strcmp(cmd, "quit") == 0)
        return 1;
    gui_note(g, true,
             "unknown command '%s' (step, run, pause, break, delete, filter, select, "
             "reset, screenshot, print, key, frames, quit)",
             cmd);
    return -1;
}
