/*
 * vmm/console.c — the console multiplexer: each guest's UART output goes to
 * its own file, to a front end's hook (unprefixed, per guest), or to the
 * board's console with every line prefixed by "[name] ".
 *
 * On the board's console only printable text, tabs and newlines pass: any
 * other byte is written escaped (\x1b), so that no guest moves the cursor,
 * clears the screen or writes over another guest's prefix; `console = raw`
 * (a guest alone on a terminal that wants its escape sequences) turns that
 * off. Lines are written whole: a guest's bytes wait in
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
        if (fwrite(buf, 1, len, g->output) != len)
            g->output_failed = true; /* reported by vmm_output_error */
        return;
    }
    if (g->v->console_hook) {
        g->v->console_hook(g->v->console_opaque, g->id, buf, len);
        return;
    }
    for (size_t i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)buf[i];
        if (ch == '\n') {
            g->line[g->line_len++] = '\n';
            emit(g, g->line, g->line_len, true);
            g->line_len = 0;
            continue;
        }
        if (g->cfg->console_raw || (ch >= 0x20 && ch < 0x7F) || ch == '\t') {
            g->line[g->line_len++] = (char)ch;
        } else { /* no cursor moves, no screen clearing, no \r over another guest's prefix */
            snprintf(g->line + g->line_len, 5, "\\x%02x", ch);
            g->line_len += 4;
        }
        if (g->line_len + 4 >= sizeof g->line)
            console_flush(g);
    }
}

bool vmm_output_error(vmm_t *v, char *err, size_t errlen)
{
    for (unsigned i = 0; i < v->n; i++) {
        struct guest *g = v->guests[i];
        if (g->output && (g->output_failed || fflush(g->output) != 0 || ferror(g->output))) {
            snprintf(err, errlen, "%s: console output %s: write failed", g->cfg->name,
                     g->cfg->output);
            return true;
        }
    }
    return board_output_error(v->board, err, errlen);
}
