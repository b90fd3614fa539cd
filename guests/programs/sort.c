/*
 * sort.c — store-heavy: fill a 1 MiB array with pseudo-random words, sort it
 * (bottom-up merge sort through a second 1 MiB buffer, then an insertion pass
 * check), and return a checksum of the sorted array.
 */
#include "guest.h"

#define N (1u << 18) /* 262144 words = 1 MiB */

static uint32_t a[N], tmp[N];

static GUEST_NOINLINE void merge(uint32_t *dst, const uint32_t *src, uint32_t lo, uint32_t mid,
                                 uint32_t hi)
{
    uint32_t i = lo, j = mid, k = lo;
    while (i < mid && j < hi)
        dst[k++] = src[i] <= src[j] ? src[i++] : src[j++];
    while (i < mid)
        dst[k++] = src[i++];
    while (j < hi)
        dst[k++] = src[j++];
}

int main(void)
{
    uint32_t x = 1;
    for (uint32_t i = 0; i < N; i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        a[i] = x;
    }
    uint32_t *src = a, *dst = tmp;
    for (uint32_t width = 1; width < N; width *= 2) {
        for (uint32_t lo = 0; lo < N; lo += 2 * width) {
            uint32_t mid = lo + width < N ? lo + width : N;
            uint32_t hi = lo + 2 * width < N ? lo + 2 * width : N;
            merge(dst, src, lo, mid, hi);
        }
        uint32_t *t = src;
        src = dst;
        dst = t;
    }
    uint32_t h = 0, bad = 0;
    for (uint32_t i = 0; i < N; i++) {
        h = h * 31u + src[i];
        bad += i && src[i - 1] > src[i];
    }
    return (int)(h ^ (bad << 24));
}
