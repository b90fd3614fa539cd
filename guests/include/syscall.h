/*
 * guests/include/syscall.h — the teaching kernel's system call ABI.
 * `syscall` with the number in v0 and arguments in a0..a2; the result comes
 * back in v0, negative values are errors (-ERR_*).
 */
#ifndef GUEST_SYSCALL_H
#define GUEST_SYSCALL_H

#define SYS_EXIT   1  /* exit(status) — does not return */
#define SYS_WRITE  2  /* write(fd, buf, len) -> bytes written */
#define SYS_READ   3  /* read(fd, buf, len) -> bytes read, 0 at end of input */
#define SYS_GETPID 4  /* getpid() -> pid */
#define SYS_YIELD  5  /* yield() -> 0 */
#define SYS_SLEEP  6  /* sleep(ms) -> 0 */
#define SYS_SPAWN  7  /* spawn(name) -> pid of a new process running program `name` */
#define SYS_WAIT   8  /* wait(pid) -> its exit status (0..255) */
#define SYS_SEEK   9  /* seek(fd, offset) -> 0; the disk only, offsets in whole sectors */
#define SYS_UPTIME 10 /* uptime() -> milliseconds since boot (virtual time) */
#define SYS_FSYNC  11 /* fsync(fd) -> 0 once the disk has flushed to its medium */
#define SYS_TPM    12 /* tpm(cmd, len, resp) -> response length: one TPM 2.0 command */
#define SYS_ARGS   13 /* args(buf, len) -> length of the process's argument string */

/* A program's arguments: spawn("tpm:seal,alpha,hello") runs `tpm` with the
 * argument string "seal,alpha,hello" (bootargs words alike). */
#define ARGS_MAX 128

/* File descriptors every process has. */
#define FD_STDIN  0
#define FD_STDOUT 1
#define FD_STDERR 2
#define FD_DISK   3 /* the raw disk, if the board has one: whole 512-byte sectors */

#define ERR_INVAL 22
#define ERR_FAULT 14
#define ERR_NOENT 2
#define ERR_NODEV 19
#define ERR_IO    5
#define ERR_NOMEM 12
#define ERR_CHILD 10
#define ERR_BADF  9
#define ERR_AGAIN 11
#define ERR_TIME  110 /* a device did not answer in time */

/* Exit status of a process the kernel killed for a fault: 128 + ExcCode. */
#define STATUS_KILLED(exc) (128 + (exc))

#endif
