/*
 * guests/lib/fmt.c — printf-style formatting and the few string functions a
 * freestanding guest needs; linked into the kernel, the firmware and user
 * programs. No 64-bit division (little-endian builds have no libgcc).
 */
#include "fmt.h"

static int put_num(void (*put)(char, void *), void *arg, uint32_t v, unsigned base, int neg,
                   int width, char pad, int upper)
{
    char tmp[12];
    int n = 0, out = 0;
    const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    do {
        tmp[n++] = digits[v % base];
        v /= base;
    } while (v);
    int len = n + (neg ? 1 : 0);
    if (neg && pad == '0') {
        put('-', arg);
        out++;
    }
    for (; len < width; len++, out++)
        put(pad, arg);
    if (neg && pad != '0') {
        put('-', arg);
        out++;
    }
    while (n)
        put(tmp[--n], arg), out++;
    return out;
}

int fmt_format(void (*put)(char c, void *arg), void *arg, const char *fmt, va_list ap)
{
    int out = 0;
    for (; *fmt; fmt++) {
        if (*fmt != '%') {
            put(*fmt, arg);
            out++;
            continue;
        }
        fmt++;
        char pad = ' ';
        int width = 0, left = 0;
        if (*fmt == '-')
            left = 1, fmt++;
        if (*fmt == '0')
            pad = '0', fmt++;
        while (*fmt >= '0' && *fmt <= '9')
            width = width * 10 + (*fmt++ - '0');
        while (*fmt == 'l')
            fmt++;
        switch (*fmt) {
        case 'd':
        case 'i': {
            int v = va_arg(ap, int);
            out +=
                put_num(put, arg, v < 0 ? 0u - (uint32_t)v : (uint32_t)v, 10, v < 0, width, pad, 0);
            break;
        }
        case 'u': out += put_num(put, arg, va_arg(ap, uint32_t), 10, 0, width, pad, 0); break;
        case 'x': out += put_num(put, arg, va_arg(ap, uint32_t), 16, 0, width, pad, 0); break;
        case 'X': out += put_num(put, arg, va_arg(ap, uint32_t), 16, 0, width, pad, 1); break;
        case 'p':
            put('0', arg), put('x', arg);
            out += 2 + put_num(put, arg, (uint32_t)va_arg(ap, void *), 16, 0, 8, '0', 0);
            break;
        case 'c': put((char)va_arg(ap, int), arg), out++; break;
        case 's': {
            const char *s = va_arg(ap, const char *);
            if (!s)
                s = "(null)";
            int len = (int)strlen(s);
            for (; !left && len < width; len++, out++)
                put(' ', arg);
            while (*s)
                put(*s++, arg), out++;
            for (; left && len < width; len++, out++)
                put(' ', arg);
            break;
        }
        case '%': put('%', arg), out++; break;
        case 0: return out;
        default: put('%', arg), put(*fmt, arg), out += 2; break;
        }
    }
    return out;
}

struct sbuf {
    char *p;
    size_t left;
};

static void put_buf(char c, void *arg)
{
    struct sbuf *b = arg;
    if (b->left > 1) {
        *b->p++ = c;
        b->left--;
    }
}

int fmt_snprintf(char *buf, size_t len, const char *fmt, ...)
{
    struct sbuf b = {buf, len};
    va_list ap;
    va_start(ap, fmt);
    int n = fmt_format(put_buf, &b, fmt, ap);
    va_end(ap);
    if (len)
        *b.p = 0;
    return n;
}

size_t strlen(const char *s)
{
    size_t n = 0;
    while (s[n])
        n++;
    return n;
}

int strcmp(const char *a, const char *b)
{
    while (*a && *a == *b)
        a++, b++;
    return (unsigned char)*a - (unsigned char)*b;
}

int strncmp(const char *a, const char *b, size_t n)
{
    for (; n; n--, a++, b++) {
        if (*a != *b || !*a)
            return (unsigned char)*a - (unsigned char)*b;
    }
    return 0;
}

void *memcpy(void *d, const void *s, size_t n)
{
    uint8_t *dp = d;
    const uint8_t *sp = s;
    while (n--)
        *dp++ = *sp++;
    return d;
}

void *memset(void *d, int c, size_t n)
{
    uint8_t *p = d;
    while (n--)
        *p++ = (uint8_t)c;
    return d;
}

int memcmp(const void *a, const void *b, size_t n)
{
    const uint8_t *x = a, *y = b;
    for (; n; n--, x++, y++)
        if (*x != *y)
            return *x - *y;
    return 0;
}
