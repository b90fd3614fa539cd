/* guests/user/fault.c — a buggy program: stores through a null pointer. The
 * kernel must kill it (TLBS) and carry on with the others. */
#include "ulib.h"

int main(void)
{
    printf("fault: pid %d about to write to address 0\n", getpid());
    *(volatile int *)0 = 42;
    printf("fault: still alive?!\n");
    return 0;
}
