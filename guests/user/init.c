/* guests/user/init.c — the first process of the default boot: runs each
 * demonstration program in turn and reports how each ended. */
#include "ulib.h"

static const char *const progs[] = {"hello", "compute", "tlbstress", "diskio", 0};

int main(void)
{
    int failures = 0;
    printf("init: pid %d, running the demonstration programs\n", getpid());
    for (int i = 0; progs[i]; i++) {
        int pid = spawn(progs[i]);
        if (pid < 0) {
            printf("init: cannot spawn %s (error %d)\n", progs[i], -pid);
            failures++;
            continue;
        }
        int status = wait(pid);
        printf("init: %s (pid %d) exited with status %d\n", progs[i], pid, status);
        failures += status != 0;
    }
    printf("init: done, %d failure%s\n", failures, failures == 1 ? "" : "s");
    return failures;
}
