/* guests/user/cat.c — copies console input to the console until end of
 * input, upper-casing letters, then reports the byte count. Reading blocks
 * the process until the UART's receive interrupt wakes it. */
#include "ulib.h"

int main(void)
{
    char buf[64];
    unsigned total = 0;
    int n;
    while ((n = read(FD_STDIN, buf, sizeof buf)) > 0) {
        for (int i = 0; i < n; i++)
            if (buf[i] >= 'a' && buf[i] <= 'z')
                buf[i] = (char)(buf[i] - 'a' + 'A');
        write(FD_STDOUT, buf, (unsigned)n);
        total += (unsigned)n;
    }
    printf("cat: %u bytes\n", total);
    return n < 0 ? 1 : 0;
}
