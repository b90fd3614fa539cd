/*
 * util/parse.c — number and size parsing shared by the CLI and config files.
 */
#include "util/parse.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* Decimal, or hexadecimal after 0x: never octal (a config's "010M" is ten
 * MiB, as its reader expects). Digits only: no sign, no spaces. */
static bool parse_number(const char *s, unsigned long long *v, char **end)
{
    if (!s || !isdigit((unsigned char)*s))
        return false;
    int base = 10;
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        base = 16;
        if (!isxdigit((unsigned char)s[2]))
            return false;
    }
    errno = 0;
    *v = strtoull(s, end, base);
    return errno == 0;
}

bool parse_u64(const char *s, uint64_t *out)
{
    unsigned long long v;
    char *end;
    if (!parse_number(s, &v, &end) || *end)
        return false;
    *out = v;
    return true;
}

bool parse_u32(const char *s, uint32_t *out)
{
    uint64_t v;
    if (!parse_u64(s, &v) || v > UINT32_MAX)
        return false;
    *out = (uint32_t)v;
    return true;
}

bool parse_size(const char *s, uint32_t *out)
{
    unsigned long long v;
    char *end;
    if (!parse_number(s, &v, &end))
        return false;
    unsigned long long mul = 1;
    if (*end == 'K' || *end == 'k')
        mul = 1ull << 10, end++;
    else if (*end == 'M' || *end == 'm')
        mul = 1ull << 20, end++;
    else if (*end == 'G' || *end == 'g')
        mul = 1ull << 30, end++;
    if (*end || v > 0xFFFFFFFFull / mul)
        return false;
    *out = (uint32_t)(v * mul);
    return true;
}

bool parse_bool(const char *s, bool *out)
{
    static const char *const yes[] = {"1", "true", "yes", "on"};
    static const char *const no[] = {"0", "false", "no", "off"};
    for (unsigned i = 0; i < 4; i++) {
        if (strcasecmp(s, yes[i]) == 0)
            return *out = true, true;
        if (strcasecmp(s, no[i]) == 0)
            return *out = false, true;
    }
    return false;
}

int parse_path(char *dst, size_t cap, const char *value, const char *key, char *err, size_t errlen)
{
    size_t n = strlen(value);
    if (n == 0 || n >= cap) {
        snprintf(err, errlen, "%s: expected a path of 1..%zu characters", key, cap - 1);
        return -1;
    }
    memcpy(dst, value, n + 1);
    return 0;
}
