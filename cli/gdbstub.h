/* cli/gdbstub.h — the GDB remote stub (cli/gdbstub.c, docs/gdb.md). */
#ifndef CLI_GDBSTUB_H
#define CLI_GDBSTUB_H

#include <stdio.h>

#include "gui/session.h"

/* Listen on 127.0.0.1:port (announced on log), serve one debugger until it
 * detaches or kills; the machine runs only when it says so. 0, or -1 with
 * a message on stderr. */
int gdb_serve(session_t *s, unsigned port, FILE *log);

#endif
