/* guests/include/guest.h — what every freestanding guest program may use. */
#ifndef GUEST_H
#define GUEST_H

#ifdef __mips__
typedef unsigned int uint32_t;
typedef int int32_t;
typedef unsigned short uint16_t;
typedef short int16_t;
typedef unsigned char uint8_t;
typedef signed char int8_t;
typedef unsigned long long uint64_t;
typedef long long int64_t;
typedef unsigned int size_t;
#else
/* The same sources also build on the host, to compute the expected results. */
#include <stddef.h>
#include <stdint.h>
#endif

/* A result the host can find: programs store their checksum here and return it. */
#define GUEST_NOINLINE __attribute__((noinline))

static inline void *guest_memset(void *d, int c, size_t n)
{
    volatile unsigned char *p = d;
    while (n--)
        *p++ = (unsigned char)c;
    return d;
}

#endif
