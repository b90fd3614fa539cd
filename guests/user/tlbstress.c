/* guests/user/tlbstress.c — memory/TLB stress: touch 4 MiB page by page in
 * an order that defeats the TLB, many times, and check every word. */
#include "ulib.h"

#define PAGES          1024
#define WORDS_PER_PAGE 1024
#define ROUNDS         32
static unsigned mem[PAGES * WORDS_PER_PAGE];

int main(void)
{
    unsigned t0 = uptime_ms();
    for (unsigned round = 0; round < ROUNDS; round++)
        for (unsigned i = 0; i < PAGES; i++) {
            unsigned page = (i * 389) % PAGES; /* 389 is prime: a permutation */
            mem[page * WORDS_PER_PAGE + (round * 17) % WORDS_PER_PAGE] = page * 7 + round;
        }
    unsigned bad = 0;
    for (unsigned round = 0; round < ROUNDS; round++)
        for (unsigned page = 0; page < PAGES; page++)
            if (mem[page * WORDS_PER_PAGE + (round * 17) % WORDS_PER_PAGE] != page * 7 + round)
                bad++;
    printf("tlbstress: %u pages x %u rounds, %u bad words, %u ms\n", PAGES, ROUNDS, bad,
           uptime_ms() - t0);
    return bad ? 1 : 0;
}
