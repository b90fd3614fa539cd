/* tests/tmachine.c — see tmachine.h. */
#include "tmachine.h"

#include <stdlib.h>

struct tm tm_new(bool big_endian)
{
    struct tm t;
    t.phys = phys_new(TM_RAM, big_endian);
    struct cpu_config cfg = {.tlb_pairs = 16, .little_endian = !big_endian};
    t.cpu = cpu_new(&cfg, t.phys);
    if (!t.phys || !t.cpu)
        abort();
    tm_put32(&t, 0x80000000u, HYPCALL(TM_STOP_REFILL));
    tm_put32(&t, 0x80000180u, HYPCALL(TM_STOP_GENERAL));
    tm_put32(&t, 0x80000200u, HYPCALL(TM_STOP_INT));
    cpu_cp0_write(t.cpu, C0_STATUS, 0, 0);
    cpu_set_pc(t.cpu, TM_CODE);
    return t;
}

void tm_free(struct tm *t)
{
    cpu_free(t->cpu);
    phys_free(t->phys);
}

void tm_put32(struct tm *t, uint32_t vaddr, uint32_t w)
{
    if (phys_write(t->phys, vaddr & 0x1FFFFFFFu, 4, w) != PHYS_OK)
        abort();
}

uint32_t tm_get32(struct tm *t, uint32_t vaddr)
{
    uint32_t v = 0;
    if (phys_read(t->phys, vaddr & 0x1FFFFFFFu, 4, &v) != PHYS_OK)
        abort();
    return v;
}

void tm_put(struct tm *t, uint32_t vaddr, const uint32_t *words, size_t n)
{
    for (size_t i = 0; i < n; i++)
        tm_put32(t, vaddr + 4 * (uint32_t)i, words[i]);
}

int tm_continue(struct tm *t)
{
    enum cpu_stop s = cpu_run(t->cpu, 100000);
    if (s != CPU_STOP_TRAP)
        return -1;
    const struct cpu_trap *tr = cpu_trap(t->cpu);
    if (tr->code != CPU_TRAP_HYPCALL)
        return -1;
    return (int)tr->hypcall_code;
}

int tm_run_code(struct tm *t, const uint32_t *code, size_t n)
{
    tm_put(t, TM_CODE, code, n);
    tm_put32(t, TM_CODE + 4 * (uint32_t)n, HYPCALL(TM_STOP_DONE));
    cpu_set_pc(t->cpu, TM_CODE);
    return tm_continue(t);
}

int tm_run_mode(struct tm *t, unsigned ksu, uint32_t status_extra, const uint32_t *code, size_t n)
{
    struct tlb_regs r = {TM_USER_VA, (0x10u << ENTRYLO_PFN_SHIFT) | 7u,
                         (0x11u << ENTRYLO_PFN_SHIFT) | 7u, 0};
    tlb_write(cpu_tlb(t->cpu), 0, &r);
    for (size_t i = 0; i < n; i++)
        tm_put32(t, 0x80010000u + 4 * (uint32_t)i, code[i]);
    tm_put32(t, 0x80010000u + 4 * (uint32_t)n, HYPCALL(TM_STOP_DONE));
    cpu_cp0_write(t->cpu, C0_STATUS, 0, (ksu << ST_KSU_SHIFT) | status_extra);
    cpu_set_pc(t->cpu, TM_USER_VA);
    return tm_continue(t);
}
