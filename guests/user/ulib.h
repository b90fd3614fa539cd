/* guests/user/ulib.h — the user-side library: system calls and printing. */
#ifndef ULIB_H
#define ULIB_H

#include "fmt.h"
#include "syscall.h"

void exit(int status) __attribute__((noreturn));
int write(int fd, const void *buf, unsigned len);
int read(int fd, void *buf, unsigned len);
int getpid(void);
int yield(void);
int sleep_ms(unsigned ms);
int spawn(const char *name);
int wait(int pid);
int seek(int fd, unsigned offset);
unsigned uptime_ms(void);
int fsync(int fd);
/* One TPM 2.0 command (a whole command buffer); the response's length, or -ERR_*. */
int tpm(const void *cmd, unsigned len, void *resp);

/* The process's argument string (spawn "name:args") into buf; its length. */
int args(char *buf, unsigned len);

int printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
