/*
 * arith.c — a tour of the integer ISA as gcc -O2 -march=mips32r2 emits it:
 * multiply/divide, shifts and rotates, bit fields (EXT/INS), sign extension
 * (SEB/SEH), byte swaps (WSBH), CLZ/CLO, conditional moves, unaligned
 * accesses (LWL/LWR/SWL/SWR), 64-bit arithmetic, jump tables, recursion and
 * function pointers. Returns a checksum the host computes too.
 */
#include "guest.h"

struct __attribute__((packed)) packed {
    uint8_t tag;
    uint32_t word;
    uint16_t half;
    int32_t sword;
};

#define INT32_MIN_ (-2147483647 - 1)

static struct packed records[64];
static volatile uint32_t sink;

static GUEST_NOINLINE uint32_t mix(uint32_t h, uint32_t v)
{
    h ^= v;
    h *= 0x01000193u;
    return h ^ (h >> 15);
}

static GUEST_NOINLINE uint32_t rotl(uint32_t x, unsigned r)
{
    return (x << (r & 31)) | (x >> ((32 - r) & 31));
}

static GUEST_NOINLINE int32_t divmod(int32_t a, int32_t b)
{
    if (b == 0 || (b == -1 && a == INT32_MIN_))
        return a;
    return a / b + a % b;
}

static GUEST_NOINLINE uint32_t udivmod(uint32_t a, uint32_t b) { return b ? a / b + a % b : a; }

static GUEST_NOINLINE uint32_t bits(uint32_t x)
{
    uint32_t f = (x >> 7) & 0x1F;               /* EXT */
    x = (x & ~0x0000FF00u) | ((f & 0xFF) << 8); /* INS */
    return x + (uint32_t)__builtin_clz(x | 1) + (uint32_t)__builtin_clz(~x | 1);
}

static GUEST_NOINLINE uint32_t swaps(uint32_t x)
{
    return __builtin_bswap32(x) + (uint32_t)(int32_t)(int8_t)x + (uint32_t)(int32_t)(int16_t)x;
}

static GUEST_NOINLINE int64_t wide(int64_t a, int64_t b)
{
    return (int64_t)((uint64_t)a * (uint64_t)b + (uint64_t)(a >> 3) - ((uint64_t)b << 5));
}

static GUEST_NOINLINE uint32_t sel(uint32_t a, uint32_t b, uint32_t c) { return c ? a : b; }

static GUEST_NOINLINE uint32_t jump(uint32_t k, uint32_t v)
{
    switch (k % 9) {
    case 0: return v + 1;
    case 1: return v ^ 0x5555;
    case 2: return v * 3;
    case 3: return v >> 2;
    case 4: return v - 77;
    case 5: return ~v;
    case 6: return v << 4;
    case 7: return v | 0x80000000u;
    default: return v & 0xFFFF;
    }
}

static GUEST_NOINLINE uint32_t ack(uint32_t m, uint32_t n)
{
    if (m == 0)
        return n + 1;
    if (n == 0)
        return ack(m - 1, 1);
    return ack(m - 1, ack(m, n - 1));
}

typedef uint32_t (*op_fn)(uint32_t, uint32_t);
static uint32_t op_add(uint32_t a, uint32_t b) { return a + b; }
static uint32_t op_xor(uint32_t a, uint32_t b) { return a ^ b; }
static uint32_t op_mul(uint32_t a, uint32_t b) { return a * b; }
static const op_fn ops[3] = {op_add, op_xor, op_mul};

int main(void)
{
    uint32_t h = 2166136261u, x = 12345;
    for (uint32_t i = 0; i < 2000; i++) {
        x = x * 1103515245u + 12345u;
        int32_t sx = (int32_t)x;
        h = mix(h, rotl(x, i));
        h = mix(h, (uint32_t)divmod(sx, (int32_t)(i % 17) - 8));
        h = mix(h, udivmod(x, i * 7 + 1));
        h = mix(h, bits(x));
        h = mix(h, swaps(x));
        uint64_t w = (uint64_t)wide((int64_t)sx, (int64_t)(int32_t)(h | 1));
        h = mix(h, (uint32_t)w);
        h = mix(h, (uint32_t)(w >> 32));
        h = mix(h, sel(x, h, i & 1));
        h = mix(h, jump(x >> 3, h));
        h = mix(h, ops[i % 3](h, x));
        h = mix(h, (uint32_t)(sx < (int32_t)h) + (x < h));
        h = mix(h, (uint32_t)(((uint64_t)x * h) >> 32));
        h = mix(h, (uint32_t)(((int64_t)sx * (int32_t)h) >> 32));
        struct packed *r = &records[i & 63];
        r->tag = (uint8_t)x;
        r->word = h; /* unaligned store: SWL/SWR */
        r->half = (uint16_t)(x >> 16);
        r->sword = sx;
        h = mix(h, records[(i * 5) & 63].word + (uint32_t)records[(i * 3) & 63].sword +
                       records[(i * 7) & 63].half + records[i & 63].tag);
    }
    h = mix(h, ack(2, 3));
    sink = h;
    return (int)h;
}
