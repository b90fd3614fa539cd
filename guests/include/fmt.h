/* guests/include/fmt.h — printf-style formatting and string functions for guests
 * (kernel, firmware, user programs). gcc may emit calls to memcpy/memset even
 * in freestanding code, so these carry the standard names. */
#ifndef GUEST_FMT_H
#define GUEST_FMT_H

#include <stdarg.h>

#include "guest.h"

/* Formats %d %i %u %x %X %p %s %c %% with optional '-' (strings), '0', width and 'l'.
 * Each produced character goes to put(c, arg). Returns the count. */
int fmt_format(void (*put)(char c, void *arg), void *arg, const char *fmt, va_list ap);
int fmt_snprintf(char *buf, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

size_t strlen(const char *s);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
void *memcpy(void *d, const void *s, size_t n);
void *memset(void *d, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);

#endif
