/* guests/user/hello.c — the smallest user program. */
#include "ulib.h"

int main(void)
{
    unsigned t0 = uptime_ms();
    printf("hello from user mode: pid %d, uptime %u ms\n", getpid(), t0);
    sleep_ms(5);
    unsigned t1 = uptime_ms();
    printf("hello: slept 5 ms, uptime %u -> %u ms\n", t0, t1);
    return t1 - t0 >= 5 ? 0 : 1;
}
