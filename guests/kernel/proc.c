/*
 * guests/kernel/proc.c — processes: creating one from a program's ELF image,
 * the round-robin scheduler (xv6 style: it runs on the boot stack and
 * switches to each runnable process's kernel stack), sleeping and waking,
 * exit and wait.
 */
#include "elf32.h"
#include "kernel.h"

struct proc procs[NPROC];
struct proc *current;
int need_resched;
static struct context sched_ctx;
static int next_pid = 1;
static int first_status = -1; /* exit status of the first process the kernel started */
static int first_pid;

static const struct program *program_find(const char *name)
{
    for (const struct program *p = programs; p->name; p++)
        if (strcmp(p->name, name) == 0)
            return p;
    return 0;
}

/* Map and fill the ELF's PT_LOAD segments; text without PF_W is read-only. */
static int load_program(struct proc *p, const struct program *prog, uint32_t *entry)
{
    const uint8_t *img = prog->elf;
    uint32_t size = (uint32_t)(prog->end - prog->elf);
    if (elf32_check(img, size))
        return -ERR_INVAL;
    const Elf32_Ehdr *eh = (const Elf32_Ehdr *)img;
    const Elf32_Phdr *ph = (const Elf32_Phdr *)(img + eh->e_phoff);
    for (unsigned i = 0; i < eh->e_phnum; i++) {
        if (ph[i].p_type != PT_LOAD || !ph[i].p_memsz)
            continue;
        uint32_t va = ph[i].p_vaddr, end = va + ph[i].p_memsz;
        if (va < USER_MIN || end > USTACK_TOP - USTACK_PAGES * PAGE_SIZE || end < va ||
            ph[i].p_filesz > ph[i].p_memsz || ph[i].p_offset > size ||
            ph[i].p_filesz > size - ph[i].p_offset)
            return -ERR_INVAL;
        for (uint32_t pg = va & ~(PAGE_SIZE - 1); pg < end; pg += PAGE_SIZE) {
            uint8_t *page = vm_lookup(p->pgd, pg, 0);
            if (!page) {
                if (!(page = page_alloc()))
                    return -ERR_NOMEM;
                if (vm_map(p->pgd, pg, page, ph[i].p_flags & PF_W) != 0) {
                    page_free(page);
                    return -ERR_NOMEM;
                }
            }
            /* the part of the file that falls in this page */
            uint32_t lo = pg > va ? pg : va, hi = pg + PAGE_SIZE;
            uint32_t fend = va + ph[i].p_filesz;
            if (hi > fend)
                hi = fend;
            if (lo < hi)
                memcpy(page + (lo - pg), img + ph[i].p_offset + (lo - va), hi - lo);
        }
    }
    *entry = eh->e_entry;
    return 0;
}

static void proc_free(struct proc *p)
{
    if (p->pgd) {
        tlb_flush_asid(p->asid);
        pgd_free(p->pgd);
    }
    if (p->kstack)
        page_free(p->kstack);
    p->pgd = 0;
    p->kstack = 0;
}

int proc_spawn(const char *spec, int parent)
{
    char name[16];
    size_t n = 0;
    while (spec[n] && spec[n] != ':')
        n++;
    if (n >= sizeof name || (spec[n] && strlen(spec + n + 1) >= ARGS_MAX))
        return -ERR_INVAL;
    memcpy(name, spec, n);
    name[n] = 0;
    const char *args = spec[n] ? spec + n + 1 : "";
    const struct program *prog = program_find(name);
    if (!prog)
        return -ERR_NOENT;
    struct proc *p = 0;
    for (int i = 0; i < NPROC; i++)
        if (procs[i].state == P_UNUSED) {
            p = &procs[i];
            p->asid = (uint8_t)(i + 1);
            break;
        }
    if (!p)
        return -ERR_AGAIN;
    p->pgd = pgd_new();
    p->kstack = page_alloc();
    uint32_t entry;
    int err = !p->pgd || !p->kstack ? -ERR_NOMEM : load_program(p, prog, &entry);
    for (int i = 0; !err && i < USTACK_PAGES; i++) {
        void *page = page_alloc();
        err =
            page ? vm_map(p->pgd, USTACK_TOP - (uint32_t)(i + 1) * PAGE_SIZE, page, 1) : -ERR_NOMEM;
    }
    if (err) {
        proc_free(p);
        return err;
    }
    p->pid = next_pid++;
    fmt_snprintf(p->name, sizeof p->name, "%s", name);
    fmt_snprintf(p->args, sizeof p->args, "%s", args);
    p->parent = parent;
    p->disk_pos = 0;
    p->exit_status = 0;
    p->tf = (struct trapframe *)(p->kstack + KSTACK_SIZE - TF_SIZE);
    memset(p->tf, 0, TF_SIZE);
    p->tf->epc = entry;
    p->tf->r[29] = USTACK_TOP - 16;
    p->tf->status = ST_EXL | ST_KSU_USER | ST_IE | (mfc0(C0_STATUS) & ST_IM_MASK);
    memset(&p->ctx, 0, sizeof p->ctx);
    p->ctx.sp = (uint32_t)p->tf;
    p->ctx.ra = (uint32_t)trap_return;
    p->state = P_RUNNABLE;
    if (!first_pid && parent == 0)
        first_pid = p->pid;
    return p->pid;
}

/* Give up the CPU: back to the scheduler, which returns here later. */
static void sched(void) { swtch(&current->ctx, &sched_ctx); }

void proc_yield(void)
{
    current->state = P_RUNNABLE;
    need_resched = 0;
    sched();
}

void proc_block(enum proc_state why)
{
    current->state = why;
    sched();
}

void proc_sleep_ms(uint32_t ms)
{
    current->wake_ms = uptime_ms() + ms;
    current->state = P_SLEEPING;
    sched();
}

void proc_wakeup_timers(void)
{
    uint32_t now = uptime_ms();
    for (int i = 0; i < NPROC; i++)
        if (procs[i].state == P_SLEEPING && (int32_t)(now - procs[i].wake_ms) >= 0)
            procs[i].state = P_RUNNABLE;
}

void proc_wakeup_readers(void)
{
    for (int i = 0; i < NPROC; i++)
        if (procs[i].state == P_READING)
            procs[i].state = P_RUNNABLE;
}

void proc_exit(int status)
{
    struct proc *p = current;
    p->exit_status = status & 0xFF;
    if (p->pid == first_pid)
        first_status = p->exit_status;
    /* The address space goes now; the kernel stack we stand on goes when
     * the parent (or the scheduler, for orphans) reaps the zombie. */
    tlb_flush_asid(p->asid);
    pgd_free(p->pgd);
    p->pgd = 0;
    for (int i = 0; i < NPROC; i++) {
        if (procs[i].state == P_WAITING && procs[i].wait_pid == p->pid)
            procs[i].state = P_RUNNABLE;
        if (procs[i].state != P_UNUSED && procs[i].parent == p->pid)
            procs[i].parent = 0; /* orphans are reaped by the kernel */
    }
    p->state = P_ZOMBIE;
    sched();
    panic("proc_exit: zombie %d ran", p->pid);
}

int proc_wait(int pid)
{
    for (;;) {
        struct proc *child = 0;
        for (int i = 0; i < NPROC; i++)
            if (procs[i].state != P_UNUSED && procs[i].pid == pid &&
                procs[i].parent == current->pid)
                child = &procs[i];
        if (!child)
            return -ERR_CHILD;
        if (child->state == P_ZOMBIE) {
            int status = child->exit_status;
            proc_free(child);
            child->state = P_UNUSED;
            return status;
        }
        current->wait_pid = pid;
        current->state = P_WAITING;
        sched();
    }
}

void scheduler(void)
{
    int last = NPROC - 1;
    for (;;) {
        int live = 0;
        for (int n = 1; n <= NPROC; n++) {
            struct proc *p = &procs[(last + n) % NPROC];
            if (p->state == P_ZOMBIE && p->parent == 0) { /* nobody will wait for it */
                proc_free(p);
                p->state = P_UNUSED;
            }
            if (p->state != P_UNUSED && p->state != P_ZOMBIE)
                live++;
            if (p->state != P_RUNNABLE)
                continue;
            last = (int)(p - procs);
            current = p;
            p->state = P_RUNNING;
            kstack_top = (uint32_t)p->kstack + KSTACK_SIZE;
            current_pgd = p->pgd;
            mtc0(C0_ENTRYHI, p->asid);
            swtch(&sched_ctx, &p->ctx);
            current = 0;
            current_pgd = empty_pgd;
            mtc0(C0_ENTRYHI, 0);
            break;
        }
        if (live == 0) {
            kprintf("kernel: all processes finished, %u pages free; powering off (status %d)\n",
                    pages_free(), first_status < 0 ? 0 : first_status);
            power_off(first_status < 0 ? 0 : (uint32_t)first_status);
        }
        int runnable = 0;
        for (int i = 0; i < NPROC; i++)
            runnable |= procs[i].state == P_RUNNABLE;
        if (!runnable)
            wait_for_interrupt();
    }
}
