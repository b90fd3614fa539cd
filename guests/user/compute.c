/* guests/user/compute.c — a compute benchmark: a prime sieve and a CRC32
 * over its result, with the virtual time they took. */
#include "ulib.h"

#define N 200000
static unsigned char composite[N];

static unsigned crc32(const unsigned char *p, unsigned n)
{
    unsigned crc = 0xFFFFFFFFu;
    while (n--) {
        crc ^= *p++;
        for (int k = 0; k < 8; k++)
            crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1)));
    }
    return ~crc;
}

int main(void)
{
    unsigned t0 = uptime_ms();
    unsigned primes = 0;
    for (unsigned i = 2; i < N; i++) {
        if (composite[i])
            continue;
        primes++;
        for (unsigned j = i * 2; j < N; j += i)
            composite[j] = 1;
    }
    unsigned crc = crc32(composite, N);
    printf("compute: %u primes below %u, crc32 %08x, %u ms\n", primes, N, crc, uptime_ms() - t0);
    return primes == 17984 ? 0 : 1;
}
