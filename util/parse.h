/* util/parse.h — number and size parsing shared by the CLI and config files. */
#ifndef UTIL_PARSE_H
#define UTIL_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Numbers are decimal, or hexadecimal after 0x (never octal), digits only.
 * Parse a size like "64M", "4096", "1G", "0x1000"; false on junk or more than 32 bits. */
bool parse_size(const char *s, uint32_t *out);
/* Parse an unsigned 64-bit count (decimal or 0x hex); false on junk. */
bool parse_u64(const char *s, uint64_t *out);
/* The same, at most 32 bits (addresses, indexes). */
bool parse_u32(const char *s, uint32_t *out);
/* Copy a path setting value into dst[cap]: 0, or -1 with "KEY: expected a
 * path of 1..cap-1 characters" in err. */
int parse_path(char *dst, size_t cap, const char *value, const char *key, char *err, size_t errlen);
/* Parse 1/0, true/false, yes/no, on/off (any case). */
bool parse_bool(const char *s, bool *out);

#endif
