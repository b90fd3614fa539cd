/*
 * guests/kernel/kernel.h — the teaching kernel's internal interfaces.
 *
 * Memory layout (virtual):
 *
 *   0x00000000  +----------------------+  kuseg: the current process, through
 *               | (page 0 unmapped)    |  the TLB; refills walk its page table
 *   0x00400000  | program text, data   |  (refill handler in entry.S)
 *               |        ...           |
 *   0x7FFF0000  | user stack (grows v) |  USTACK_TOP
 *   0x80000000  +----------------------+  kseg0: all RAM, unmapped
 *               | vectors, kernel      |  _end: first free page
 *               | free pages ...       |  page allocator (vm.c)
 *   0xA0000000  +----------------------+  kseg1: uncached, devices and ROM
 *
 * Page tables: a page directory of 1024 words, each pointing (kseg0) at a
 * page of 1024 PTEs covering 4 MiB; absent tables point at one shared
 * all-invalid table, so the refill handler needs no checks. A PTE is an
 * EntryLo value: PFN << 6 | C | D | V | G.
 */
#ifndef KERNEL_H
#define KERNEL_H

#include "fmt.h"
#include "hw.h"
#include "syscall.h"

#define NPROC        16
#define KSTACK_SIZE  4096 /* one page, as xv6: keep kernel frames small */
#define USTACK_TOP   0x7FFF0000u
#define USTACK_PAGES 8
#define USER_MIN     0x00001000u

/* ---- saved registers (layout shared with entry.S) ---- */
struct trapframe {
    uint32_t r[32]; /* r[29] is the interrupted sp; r[0], r[26], r[27] unused */
    uint32_t hi, lo, status, cause, epc, badvaddr;
    uint32_t pad[2];
};
#define TF_SIZE 160

struct context {   /* callee-saved registers for swtch() */
    uint32_t s[9]; /* s0..s7, s8/fp */
    uint32_t sp, ra;
};

enum proc_state { P_UNUSED, P_RUNNABLE, P_RUNNING, P_SLEEPING, P_WAITING, P_READING, P_ZOMBIE };

struct proc {
    enum proc_state state;
    int pid;
    char name[16];
    char args[ARGS_MAX]; /* after the ':' of the spawn name, "" none */
    uint8_t asid;        /* TLB address-space id: 1 + slot index, unique among live processes */
    uint32_t *pgd;       /* page directory (kseg0) */
    uint8_t *kstack;     /* one page (kseg0) */
    struct context ctx;
    struct trapframe *tf; /* saved user registers, at the top of kstack */
    uint32_t wake_ms;     /* P_SLEEPING: wake at this uptime */
    int wait_pid;         /* P_WAITING: the child */
    int parent;           /* pid, 0 for processes the kernel started */
    int exit_status;
    uint32_t disk_pos; /* FD_DISK position in bytes */
};

/* entry.S */
extern uint32_t *current_pgd;
extern uint32_t kstack_top;
void swtch(struct context *old, struct context *new);
void trap_return(void);
void wait_for_interrupt(void);

/* console.c — the console UART and kernel printing */
void console_init(uint32_t base);
void console_putc(char c);
int console_read(char *buf, int n); /* non-blocking: bytes, 0 none, -1 end of input */
void console_wait_input(void);      /* arm the RX interrupt */
void console_intr(void);
void kprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void panic(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

/* devices.c — discovery and the small devices */
struct device {
    char name[16]; /* compatible without "trapvisor,", e.g. "uart" */
    uint32_t base; /* physical slot window */
    uint32_t irq;  /* controller input: bus * 32 + slot */
};
#define MAX_DEVICES 64
extern struct device devices[MAX_DEVICES];
extern int ndevices;
void discover(const void *fdt);
const struct device *device_find(const char *name);
void irq_enable(const struct device *d);
void intr_dispatch(uint32_t cause);
void timer_init(void);
uint32_t uptime_ms(void);
void power_off(uint32_t code) __attribute__((noreturn));

/* fdt.c — reading the device tree */
typedef void (*fdt_node_fn)(const char *path, const char *compatible, const uint32_t *reg,
                            int reg_len, int has_irq, uint32_t irq, void *arg);
int fdt_walk(const void *fdt, fdt_node_fn fn, void *arg); /* -1 if not a valid tree */
const char *fdt_bootargs(const void *fdt);
uint32_t fdt_memory_size(const void *fdt);

/* disk.c */
int disk_init(void); /* 0 if a disk is present */
uint32_t disk_sectors(void);
int disk_rw(uint32_t lba, void *kbuf, uint32_t count, int write); /* 0 or -ERR_IO */
int disk_flush(void);

/* tpm.c */
int tpm_init(void); /* 0 if a TPM is present and started */
int tpm_transmit(const uint8_t *cmd, uint32_t len, uint8_t *resp,
                 uint32_t cap); /* length or -ERR */

/* vm.c */
void vm_init(uint32_t ram_size);
void *page_alloc(void); /* zeroed page (kseg0) or 0 */
void page_free(void *page);
uint32_t pages_free(void);
uint32_t *pgd_new(void);
void pgd_free(uint32_t *pgd);
int vm_map(uint32_t *pgd, uint32_t va, void *page, int writable);
void *vm_lookup(uint32_t *pgd, uint32_t va, int write); /* kseg0 address or 0 */
int copy_from_user(struct proc *p, void *dst, uint32_t uva, uint32_t n);
int copy_to_user(struct proc *p, uint32_t uva, const void *src, uint32_t n);
void tlb_flush_asid(uint8_t asid);
extern uint32_t *empty_pgd;

/* proc.c */
extern struct proc procs[NPROC];
extern struct proc *current;
void scheduler(void) __attribute__((noreturn));
int proc_spawn(const char *name, int parent);
uint32_t tlb_entries(void); /* vm.c: from Config1 and Config4 */
void proc_exit(int status) __attribute__((noreturn));
void proc_yield(void);
void proc_block(enum proc_state why); /* until something makes it runnable */
int proc_wait(int pid);
void proc_sleep_ms(uint32_t ms);
void proc_wakeup_timers(void);
void proc_wakeup_readers(void);
extern int need_resched;

/* programs.S — user programs built into the kernel image */
struct program {
    const char *name;
    const uint8_t *elf, *end;
};
extern const struct program programs[];

/* trap.c */
void trap(struct trapframe *tf);
const char *exc_name(uint32_t code);

#endif
