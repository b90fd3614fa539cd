/* guests/user/hello.c — the smallest user program. */
#include "ulib.h"

int main(void)
{
    printf("hello from user mode: pid %d, uptime %u ms\n", getpid(), uptime_ms());
    return 0;
}
