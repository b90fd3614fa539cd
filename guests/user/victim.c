/*
 * victim — the partner of the isolation probe: fills 1 MiB with a pattern,
 * then checks it again and again while sleeping in between (so that other
 * guests run), and reports whether every word survived.
 */
#include "ulib.h"

#define WORDS  (256 * 1024)
#define ROUNDS 20

static uint32_t buf[WORDS];

static uint32_t pattern(uint32_t i) { return i * 2654435761u ^ 0x5A5A5A5Au; }

int main(void)
{
    for (uint32_t i = 0; i < WORDS; i++)
        buf[i] = pattern(i);
    unsigned bad = 0;
    for (int r = 0; r < ROUNDS; r++) {
        sleep_ms(2);
        for (uint32_t i = 0; i < WORDS; i++)
            if (buf[i] != pattern(i))
                bad++;
    }
    printf("victim: %u words checked %d times, %u changed\n", WORDS, ROUNDS, bad);
    return bad ? 1 : 0;
}
