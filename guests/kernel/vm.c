/*
 * guests/kernel/vm.c — physical pages, page tables, user memory access and
 * TLB maintenance (layout in kernel.h).
 */
#include "kernel.h"

extern char _end[];

struct free_page {
    struct free_page *next;
};
static struct free_page *free_list;  /* pages given back */
static uint32_t next_fresh, ram_end; /* pages never used yet: [next_fresh, ram_end) */
static uint32_t nfree;
static uint32_t *invalid_pt; /* shared table of invalid PTEs */
uint32_t *empty_pgd;         /* a directory mapping nothing (no current process) */

void vm_init(uint32_t ram_size)
{
    /* Free memory is handed out from the never-used range first, so booting
     * does not touch every page of RAM (each first touch costs the host a
     * page fault, and a real machine nothing but time). */
    next_fresh = ((uint32_t)_end + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
    ram_end = KSEG0 + ram_size;
    nfree = (ram_end - next_fresh) / PAGE_SIZE;
    invalid_pt = page_alloc();
    empty_pgd = page_alloc();
    if (!empty_pgd)
        panic("vm_init: no memory");
    for (int i = 0; i < 1024; i++)
        empty_pgd[i] = (uint32_t)invalid_pt;
    current_pgd = empty_pgd;
}

void *page_alloc(void)
{
    struct free_page *p = free_list;
    if (p) {
        free_list = p->next;
    } else if (next_fresh < ram_end) {
        p = (struct free_page *)next_fresh;
        next_fresh += PAGE_SIZE;
    } else {
        return 0;
    }
    nfree--;
    memset(p, 0, PAGE_SIZE);
    return p;
}

void page_free(void *page)
{
    struct free_page *p = page;
    p->next = free_list;
    free_list = p;
    nfree++;
}

uint32_t pages_free(void) { return nfree; }

uint32_t *pgd_new(void)
{
    uint32_t *pgd = page_alloc();
    if (pgd)
        for (int i = 0; i < 1024; i++)
            pgd[i] = (uint32_t)invalid_pt;
    return pgd;
}

/* Free a directory, its tables and every page they map. */
void pgd_free(uint32_t *pgd)
{
    for (int i = 0; i < 1024; i++) {
        uint32_t *pt = (uint32_t *)pgd[i];
        if (pt == invalid_pt)
            continue;
        for (int j = 0; j < 1024; j++)
            if (pt[j] & PTE_V)
                page_free(PHYS_TO_K0((pt[j] >> PTE_PFN_SHIFT) << PAGE_SHIFT));
        page_free(pt);
    }
    page_free(pgd);
}

static uint32_t *pte_of(uint32_t *pgd, uint32_t va, int create)
{
    uint32_t *pt = (uint32_t *)pgd[va >> 22];
    if (pt == invalid_pt) {
        if (!create || !(pt = page_alloc()))
            return 0;
        pgd[va >> 22] = (uint32_t)pt;
    }
    return &pt[(va >> PAGE_SHIFT) & 1023];
}

int vm_map(uint32_t *pgd, uint32_t va, void *page, int writable)
{
    if (va < USER_MIN || va >= KSEG0)
        return -ERR_INVAL;
    uint32_t *pte = pte_of(pgd, va, 1);
    if (!pte)
        return -ERR_NOMEM;
    *pte = (K0_TO_PHYS(page) >> PAGE_SHIFT) << PTE_PFN_SHIFT | PTE_C_CACHED | PTE_V |
           (writable ? PTE_D : 0);
    return 0;
}

void *vm_lookup(uint32_t *pgd, uint32_t va, int write)
{
    if (va < USER_MIN || va >= KSEG0)
        return 0;
    uint32_t *pte = pte_of(pgd, va, 0);
    if (!pte || !(*pte & PTE_V) || (write && !(*pte & PTE_D)))
        return 0;
    return (uint8_t *)PHYS_TO_K0((*pte >> PTE_PFN_SHIFT) << PAGE_SHIFT) + (va & (PAGE_SIZE - 1));
}

/* The kernel never touches user addresses directly: it translates through
 * the process's page table (as xv6's copyin/copyout), so a bad pointer in a
 * system call is an error code, never a kernel fault. */
int copy_from_user(struct proc *p, void *dst, uint32_t uva, uint32_t n)
{
    uint8_t *d = dst;
    while (n) {
        uint8_t *src = vm_lookup(p->pgd, uva, 0);
        if (!src)
            return -ERR_FAULT;
        uint32_t chunk = PAGE_SIZE - (uva & (PAGE_SIZE - 1));
        if (chunk > n)
            chunk = n;
        memcpy(d, src, chunk);
        d += chunk, uva += chunk, n -= chunk;
    }
    return 0;
}

int copy_to_user(struct proc *p, uint32_t uva, const void *src, uint32_t n)
{
    const uint8_t *s = src;
    while (n) {
        uint8_t *dst = vm_lookup(p->pgd, uva, 1);
        if (!dst)
            return -ERR_FAULT;
        uint32_t chunk = PAGE_SIZE - (uva & (PAGE_SIZE - 1));
        if (chunk > n)
            chunk = n;
        memcpy(dst, s, chunk);
        s += chunk, uva += chunk, n -= chunk;
    }
    return 0;
}

/* The TLB's size: Config1.MMUSize-1 (6 bits), extended by Config4's
 * MMUSizeExt when Config4 exists (the M bits of Config1..3) and its
 * MMUExtDef says so (MIPS32 Release 2: up to 256 entries and beyond). */
uint32_t tlb_entries(void)
{
    uint32_t c1, c2 = 0, c3 = 0, c4 = 0;
    __asm__ volatile("mfc0 %0, $16, 1" : "=r"(c1));
    if (c1 >> 31)
        __asm__ volatile("mfc0 %0, $16, 2" : "=r"(c2));
    if (c2 >> 31)
        __asm__ volatile("mfc0 %0, $16, 3" : "=r"(c3));
    if (c3 >> 31)
        __asm__ volatile("mfc0 %0, $16, 4" : "=r"(c4));
    uint32_t n = (c1 >> 25) & 0x3F;
    if (((c4 >> 14) & 3) == 1)
        n |= (c4 & 0xFF) << 6;
    return n + 1;
}

/* Drop every TLB entry of an address space (its process is gone, and the
 * ASID will be given to another). Entries are rewritten invalid with a
 * distinct kseg0 VPN2 each, which can never match a user address. */
void tlb_flush_asid(uint8_t asid)
{
    uint32_t n = tlb_entries();
    uint32_t saved = mfc0(C0_ENTRYHI);
    for (uint32_t i = 0; i < n; i++) {
        mtc0(C0_INDEX, i);
        __asm__ volatile("tlbr; ehb");
        if ((mfc0(C0_ENTRYHI) & 0xFF) != asid)
            continue;
        mtc0(C0_ENTRYHI, KSEG0 + i * 2 * PAGE_SIZE);
        mtc0(C0_ENTRYLO0, 0);
        mtc0(C0_ENTRYLO1, 0);
        __asm__ volatile("tlbwi; ehb");
    }
    mtc0(C0_ENTRYHI, saved);
}
