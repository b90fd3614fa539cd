/* guests/user/priv.c — a hostile program: tries a privileged instruction
 * (MTC0 Status) from user mode. The CPU raises CpU; the kernel kills it. */
#include "ulib.h"

int main(void)
{
    printf("priv: pid %d trying mtc0 Status\n", getpid());
    __asm__ volatile("mtc0 $0, $12");
    printf("priv: still alive?!\n");
    return 0;
}
