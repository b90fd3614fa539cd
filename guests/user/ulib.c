/*
 * guests/user/ulib.c — system call stubs (the kernel's ABI in syscall.h:
 * number in v0, arguments in a0..a2, result in v0) and printf.
 */
#include "ulib.h"

static int sys3(int n, unsigned a0, unsigned a1, unsigned a2)
{
    register unsigned v0 __asm__("$2") = (unsigned)n;
    register unsigned r4 __asm__("$4") = a0;
    register unsigned r5 __asm__("$5") = a1;
    register unsigned r6 __asm__("$6") = a2;
    __asm__ volatile("syscall"
                     : "+r"(v0)
                     : "r"(r4), "r"(r5), "r"(r6)
                     : "$1", "$3", "$7", "$8", "$9", "$10", "$11", "$12", "$13", "$14", "$15",
                       "$24", "$25", "$31", "hi", "lo", "memory");
    return (int)v0;
}

void exit(int status)
{
    sys3(SYS_EXIT, (unsigned)status, 0, 0);
    for (;;)
        ;
}
int write(int fd, const void *buf, unsigned len)
{
    return sys3(SYS_WRITE, (unsigned)fd, (unsigned)buf, len);
}
int read(int fd, void *buf, unsigned len)
{
    return sys3(SYS_READ, (unsigned)fd, (unsigned)buf, len);
}
int getpid(void) { return sys3(SYS_GETPID, 0, 0, 0); }
int yield(void) { return sys3(SYS_YIELD, 0, 0, 0); }
int sleep_ms(unsigned ms) { return sys3(SYS_SLEEP, ms, 0, 0); }
int spawn(const char *name) { return sys3(SYS_SPAWN, (unsigned)name, 0, 0); }
int wait(int pid) { return sys3(SYS_WAIT, (unsigned)pid, 0, 0); }
int seek(int fd, unsigned offset) { return sys3(SYS_SEEK, (unsigned)fd, offset, 0); }
unsigned uptime_ms(void) { return (unsigned)sys3(SYS_UPTIME, 0, 0, 0); }
int fsync(int fd) { return sys3(SYS_FSYNC, (unsigned)fd, 0, 0); }
int args(char *buf, unsigned len) { return sys3(SYS_ARGS, (unsigned)buf, len, 0); }
int tpm(const void *cmd, unsigned len, void *resp)
{
    return sys3(SYS_TPM, (unsigned)cmd, len, (unsigned)resp);
}

struct pbuf {
    char buf[128];
    unsigned n;
};

static void put(char c, void *arg)
{
    struct pbuf *b = arg;
    b->buf[b->n++] = c;
    if (b->n == sizeof b->buf) {
        write(FD_STDOUT, b->buf, b->n);
        b->n = 0;
    }
}

/* One write per call (up to 128 bytes), so lines of different processes
 * interleave whole. */
int printf(const char *fmt, ...)
{
    struct pbuf b;
    b.n = 0;
    va_list ap;
    va_start(ap, fmt);
    int n = fmt_format(put, &b, fmt, ap);
    va_end(ap);
    if (b.n)
        write(FD_STDOUT, b.buf, b.n);
    return n;
}
