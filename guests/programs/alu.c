/* alu.c — compute-bound register arithmetic: an integer hash over a counter. */
#include "guest.h"

int main(void)
{
    uint32_t a = 0x12345678u, b = 0x9ABCDEF0u, c = 0xDEADBEEFu;
    for (uint32_t i = 0; i < 4000000; i++) {
        a += i;
        b ^= a << 7 | a >> 25;
        c -= b;
        a ^= c >> 13;
        b += a * 9;
        c = (c << 3) - c;
    }
    return (int)(a ^ b ^ c);
}
