/* guests/user/spin.c — compute-bound and never yields: two of these
 * interleave their lines only because the timer preempts them. */
#include "ulib.h"

int main(void)
{
    int pid = getpid();
    volatile unsigned x = 0;
    for (int step = 0; step < 8; step++) {
        for (unsigned i = 0; i < 150000; i++)
            x += i;
        printf("spin %d: step %d\n", pid, step);
    }
    return 0;
}
