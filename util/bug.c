/* util/bug.c — see bug.h. */
#include "util/bug.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

void util_bug(const char *file, int line, const char *fmt, ...)
{
    fflush(stdout);
    fprintf(stderr, "trapvisor: internal error at %s:%d: ", file, line);
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputs("\n(this is a bug in trapvisor, not in the guest or the configuration)\n", stderr);
    abort();
}
