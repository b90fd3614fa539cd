/*
 * vmm/console.c — the console multiplexer: each guest's UART output goes to
 * its own file, to a front end's hook (unprefixed, per guest), or to the
 * board's console with every line prefixed by "[name] ".
 *
 * On the board's console lines are written whole: a guest's bytes wait in
 * its line buffer until its newline, so two guests printing at once never
 * produce a line that mixes them. A partial line (a prompt) is written when
 * the guest goes idle or powers off, when its buffer is full, and when the
 * monitor ends; the console then holds an open line of that guest, and
 * another guest's line starts on a fresh one.
 */
#include "vmm/vmm_priv.h"

#include <string.h>

/* Write len bytes of g's text; complete says they end its line. */
static void emit(struct guest *g, const char *buf, size_t len, bool complete)
{
    struct vmm *v = g->v;
    if (v->console_open != (int)g->id) {
        if (v->console_open >= 0)
            board_console_write(v->board, "\n", 1); /* close the other guest's open line */
        char prefix[VMM_NAME_MAX + 4];
        int n = snprintf(prefix, sizeof prefix, "[%s] ", g->cfg->name);
        board_console_write(v->board, prefix, (size_t)n);
    }
    board_console_write(v->board, buf, len);
    v->console_open = complete ? -1 : (int)g->id;
}

void console_flush(struct guest *g)
{
    if (g->line_len) {
        emit(g, g->line, g->line_len, false);
        g->line_len = 0;
    }
}

void console_flush_idle(struct vmm *v)
{
    for (unsigned i = 0; i < v->n; i++) {
        struct guest *g = v->guests[i];
        if (g->line_len && (g->waiting || g->halted))
            console_flush(g);
    }
}

void console_guest_output(void *opaque, const char *buf, size_t len)
{
    struct guest *g = opaque;
    g->st.console_bytes += len;
    if (g->output) {
        fwrite(buf, 1, len, g->output);
        return;
    }
    if (g->v->console_hook) {
        g->v->console_hook(g->v->console_opaque, g->id, buf, len);
        return;
    }
    for (size_t i = 0; i < len; i++) {
        g->line[g->line_len++] = buf[i];
        if (buf[i] == '\n') {
            emit(g, g->line, g->line_len, true);
            g->line_len = 0;
        } else if (g->line_len == sizeof g->line) {
            console_flush(g);
        }
    }
}
