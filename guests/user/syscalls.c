/* guests/user/syscalls.c — syscall-heavy work for bench_vmm: many getpid()
 * and uptime() calls, each a trip through the kernel's trap path. */
#include "ulib.h"

int main(void)
{
    unsigned sum = 0;
    for (int i = 0; i < 50000; i++)
        sum += (unsigned)getpid();
    printf("syscalls: 50000 getpid, sum %u\n", sum);
    return 0;
}
