/*
 * guests/kernel/trap.c — every exception after entry.S saved the registers:
 * interrupts, system calls, and faults. A fault in user mode kills the
 * process (status 128 + ExcCode); a fault in the kernel is a panic.
 */
#include "kernel.h"

static const char *const exc_names[] = {"Int", "Mod", "TLBL", "TLBS", "AdEL", "AdES", "IBE",
                                        "DBE", "Sys", "Bp",   "RI",   "CpU",  "Ov",   "Tr"};

const char *exc_name(uint32_t code) { return code < 14 ? exc_names[code] : "reserved"; }

#define IO_CHUNK 128

/* read/write on FD_DISK: whole sectors at the process's position, through a
 * bounce page (the disk DMAs only to kernel memory), a page at a time. */
static int disk_user_io(struct proc *p, uint32_t ubuf, uint32_t len, int write)
{
    if ((p->disk_pos | len) % DISK_SECTOR)
        return -ERR_INVAL;
    uint8_t *bounce = page_alloc();
    if (!bounce)
        return -ERR_NOMEM;
    uint32_t done = 0;
    int err = 0;
    while (!err && done < len) {
        uint32_t n = len - done > PAGE_SIZE ? PAGE_SIZE : len - done;
        uint32_t lba = (p->disk_pos + done) / DISK_SECTOR;
        if (write) {
            err = copy_from_user(p, bounce, ubuf + done, n);
            if (!err)
                err = disk_rw(lba, bounce, n / DISK_SECTOR, 1);
        } else {
            err = disk_rw(lba, bounce, n / DISK_SECTOR, 0);
            if (!err)
                err = copy_to_user(p, ubuf + done, bounce, n);
        }
        if (!err)
            done += n;
    }
    page_free(bounce);
    p->disk_pos += done;
    return err ? err : (int)done;
}

static int sys_write(struct proc *p, int fd, uint32_t ubuf, uint32_t len)
{
    if (fd == FD_DISK)
        return disk_user_io(p, ubuf, len, 1);
    if (fd != FD_STDOUT && fd != FD_STDERR)
        return -ERR_BADF;
    char buf[IO_CHUNK];
    uint32_t done = 0;
    while (done < len) {
        uint32_t n = len - done > IO_CHUNK ? IO_CHUNK : len - done;
        if (copy_from_user(p, buf, ubuf + done, n) != 0)
            return done ? (int)done : -ERR_FAULT;
        for (uint32_t i = 0; i < n; i++)
            console_putc(buf[i]);
        done += n;
    }
    return (int)done;
}

static int sys_read(struct proc *p, int fd, uint32_t ubuf, uint32_t len)
{
    if (fd == FD_DISK)
        return disk_user_io(p, ubuf, len, 0);
    if (fd != FD_STDIN)
        return -ERR_BADF;
    if (len > IO_CHUNK)
        len = IO_CHUNK;
    char buf[IO_CHUNK];
    for (;;) {
        int n = console_read(buf, (int)len);
        if (n < 0)
            return 0; /* end of input */
        if (n > 0)
            return copy_to_user(p, ubuf, buf, (uint32_t)n) ? -ERR_FAULT : n;
        console_wait_input();
        proc_block(P_READING);
    }
}

static int sys_spawn(struct proc *p, uint32_t uname)
{
    char name[16 + ARGS_MAX];
    uint32_t i = 0;
    for (;; i++) { /* copy a NUL-terminated name, byte by byte */
        if (i == sizeof name)
            return -ERR_INVAL;
        if (copy_from_user(p, &name[i], uname + i, 1) != 0)
            return -ERR_FAULT;
        if (!name[i])
            break;
    }
    return proc_spawn(name, p->pid);
}

static int sys_args(struct proc *p, uint32_t ubuf, uint32_t len)
{
    uint32_t n = (uint32_t)strlen(p->args);
    if (len == 0)
        return (int)n;
    uint32_t copy = n < len ? n + 1 : len; /* with its NUL when it fits */
    return copy_to_user(p, ubuf, p->args, copy) ? -ERR_FAULT : (int)n;
}

/* One TPM command from the process: its bytes in, the response out (the
 * kernel is not preemptible: one static buffer pair is enough). */
static int sys_tpm(struct proc *p, uint32_t ucmd, uint32_t len, uint32_t uresp)
{
    static uint8_t cmd[4096], resp[4096];
    if (len < 10 || len > sizeof cmd)
        return -ERR_INVAL;
    if (copy_from_user(p, cmd, ucmd, len) != 0)
        return -ERR_FAULT;
    int n = tpm_transmit(cmd, len, resp, sizeof resp);
    if (n > 0 && copy_to_user(p, uresp, resp, (uint32_t)n) != 0)
        return -ERR_FAULT;
    return n;
}

static void syscall(struct trapframe *tf)
{
    struct proc *p = current;
    uint32_t a0 = tf->r[4], a1 = tf->r[5], a2 = tf->r[6];
    int ret;
    tf->epc += 4;
    switch (tf->r[2]) {
    case SYS_EXIT: proc_exit((int)a0);
    case SYS_WRITE: ret = sys_write(p, (int)a0, a1, a2); break;
    case SYS_READ: ret = sys_read(p, (int)a0, a1, a2); break;
    case SYS_GETPID: ret = p->pid; break;
    case SYS_YIELD:
        proc_yield();
        ret = 0;
        break;
    case SYS_SLEEP:
        proc_sleep_ms(a0);
        ret = 0;
        break;
    case SYS_SPAWN: ret = sys_spawn(p, a0); break;
    case SYS_WAIT: ret = proc_wait((int)a0); break;
    case SYS_SEEK:
        if ((int)a0 != FD_DISK)
            ret = -ERR_BADF;
        else if (!disk_sectors())
            ret = -ERR_NODEV;
        else if (a1 % DISK_SECTOR)
            ret = -ERR_INVAL;
        else
            p->disk_pos = a1, ret = 0;
        break;
    case SYS_UPTIME: ret = (int)uptime_ms(); break;
    case SYS_FSYNC: ret = (int)a0 == FD_DISK ? disk_flush() : -ERR_BADF; break;
    case SYS_TPM: ret = sys_tpm(p, a0, a1, a2); break;
    case SYS_ARGS: ret = sys_args(p, a0, a1); break;
    default: ret = -ERR_INVAL; break;
    }
    tf->r[2] = (uint32_t)ret;
}

void trap(struct trapframe *tf)
{
    uint32_t exc = (tf->cause & CAUSE_EXC_MASK) >> CAUSE_EXC_SHIFT;
    int from_user = (tf->status & ST_KSU_MASK) == ST_KSU_USER;
    if (exc == EXC_INT) {
        intr_dispatch(tf->cause & tf->status);
        if (from_user && need_resched)
            proc_yield(); /* preemption: the timer ticked */
        return;
    }
    if (!from_user)
        panic("trap: %s in the kernel at pc 0x%08x, badvaddr 0x%08x, cause 0x%08x", exc_name(exc),
              tf->epc, tf->badvaddr, tf->cause);
    if (exc == EXC_SYS && !(tf->cause & CAUSE_BD)) {
        syscall(tf);
        if (need_resched)
            proc_yield();
        return;
    }
    kprintf("kernel: pid %d (%s) killed: %s at pc 0x%08x, badvaddr 0x%08x\n", current->pid,
            current->name, exc_name(exc), tf->epc, tf->badvaddr);
    proc_exit(STATUS_KILLED(exc));
}
