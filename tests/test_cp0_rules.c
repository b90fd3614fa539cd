/*
 * tests/test_cp0_rules.c — one set of CP0 rules (cpu/cp0_rules.h) for the
 * real CP0 and the monitor's virtual one: every exception code, from every
 * interesting state (EXL, BEV, Cause.IV, delay slot, refill), is delivered
 * by the real CPU and reflected into a guest by the monitor, and the two
 * must leave the same registers and the same PC. MTC0 then MFC0 of every
 * register reads back the same on both. And the rules themselves against
 * hand-computed values for the cases the manual spells out.
 */
#include "cunit_main.h"

#include <stdio.h>
#include <string.h>

#include "cpu/cp0_regs.h"
#include "cpu/cp0_rules.h"
#include "cpu/cpu_priv.h"
#include "vmm/vmm_priv.h"

static char err[1024];

struct start {
    uint32_t status, cause, ebase, context, entryhi;
};

struct after {
    uint32_t pc, epc, cause, badvaddr, context, entryhi, status;
};

/* Both sides start from the same registers (EPC, BadVAddr: markers). */
static void set_start(struct cp0_state *cs, const struct start *s)
{
    cs->status = s->status;
    cs->cause = s->cause;
    cs->ebase = s->ebase;
    cs->context = s->context;
    cs->entryhi = s->entryhi;
    cs->epc = 0x11111110u;
    cs->badvaddr = 0x22222220u;
}

/* The real CPU: deliver the exception from the given state. */
static struct after real_delivery(cpu_t *c, const struct start *s, const struct cpu_trap *t)
{
    set_start(&c->cp0, s);
    c->trap = *t;
    cpu_trap_deliver(c);
    return (struct after){cpu_pc(c),      c->cp0.epc,     c->cp0.cause, c->cp0.badvaddr,
                          c->cp0.context, c->cp0.entryhi, c->cp0.status};
}

/* The monitor: reflect the same exception into a guest in the same state. */
static struct after virtual_delivery(struct guest *g, const struct start *s,
                                     const struct cpu_trap *t)
{
    set_start(&g->cp0, s);
    guest_reflect(g, t->code, t->epc, t->bd, t->badvaddr, t->refill, t->ce);
    return (struct after){cpu_pc(g->v->cpu), g->cp0.epc,     g->cp0.cause, g->cp0.badvaddr,
                          g->cp0.context,    g->cp0.entryhi, g->cp0.status};
}

static struct vmm_config cfg; /* the monitor borrows it: freed after it */

static vmm_t *one_guest(void)
{
    CU_ASSERT_FATAL(vmm_config_default(&cfg));
    CU_ASSERT_EQUAL(vmm_config_set(&cfg, "bus0.slot0.input=none", err, sizeof err), 0);
    cfg.nguests = 1;
    vmm_t *v = vmm_new(&cfg, err, sizeof err);
    if (!v)
        printf("\n  vmm_new: %s\n", err);
    return v;
}

static void test_every_exception_both_ways(void)
{
    phys_t *phys = phys_new(1u << 20, true);
    cpu_t *c = cpu_new(&(struct cpu_config){32, false}, phys);
    vmm_t *v = one_guest();
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    CU_ASSERT_PTR_NOT_NULL_FATAL(v);
    struct guest *g = v->guests[0];
    v->cur = g;
    unsigned compared = 0, mismatches = 0;
    for (unsigned code = 0; code < 32; code++)
        for (unsigned variant = 0; variant < 32; variant++) {
            bool exl = variant & 1, bev = variant & 2, iv = variant & 4, bd = variant & 8,
                 refill = variant & 16;
            struct start s = {
                .status = ST_CU0 | ST_IM_MASK | (2u << ST_KSU_SHIFT) | ST_IE | (exl ? ST_EXL : 0) |
                          (bev ? ST_BEV : 0),
                .cause = (iv ? CAUSE_IV : 0) | 0x100u | CAUSE_BD,
                .ebase = 0x80042000u,
                .context = 0x00C00000u,
                .entryhi = 0x7FFFE000u | 0x5Au,
            };
            struct cpu_trap t = {.code = code,
                                 .pc = 0x80001234u,
                                 .epc = 0x80001230u,
                                 .bd = bd,
                                 .badvaddr = 0x0040A123u,
                                 .refill = refill,
                                 .ce = code == EXC_CPU ? 1 : 0};
            struct after r = real_delivery(c, &s, &t);
            struct after w = virtual_delivery(g, &s, &t);
            compared++;
            if (memcmp(&r, &w, sizeof r) != 0) {
                mismatches++;
                printf("\n  code %u variant %u: real pc %08x epc %08x cause %08x bva %08x ctx "
                       "%08x hi %08x st %08x; virtual pc %08x epc %08x cause %08x bva %08x ctx "
                       "%08x hi %08x st %08x",
                       code, variant, r.pc, r.epc, r.cause, r.badvaddr, r.context, r.entryhi,
                       r.status, w.pc, w.epc, w.cause, w.badvaddr, w.context, w.entryhi, w.status);
            }
        }
    CU_ASSERT_EQUAL(compared, 32 * 32);
    CU_ASSERT_EQUAL(mismatches, 0);
    vmm_free(v);
    vmm_config_free(&cfg);
    cpu_free(c);
    phys_free(phys);
}

#define MTC0(rt, rd, sel) (0x40800000u | (rt) << 16 | (rd) << 11 | (sel))
#define MFC0(rt, rd, sel) (0x40000000u | (rt) << 16 | (rd) << 11 | (sel))

/* MTC0 then MFC0 in the guest (emulated by the monitor). */
static uint32_t guest_write_read(struct guest *g, unsigned reg, unsigned sel, uint32_t value)
{
    cpu_t *cpu = g->v->cpu;
    cpu_set_gpr(cpu, 8, value);
    struct cpu_trap t = {.code = EXC_CPU,
                         .pc = 0x80001000,
                         .insn = MTC0(8, reg, sel),
                         .epc = 0x80001000,
                         .next_pc = 0x80001004};
    CU_ASSERT_TRUE(guest_emulate_cop0(g, &t));
    t.insn = MFC0(9, reg, sel);
    CU_ASSERT_TRUE(guest_emulate_cop0(g, &t));
    return cpu_gpr(cpu, 9);
}

static void test_write_read_both_ways(void)
{
    phys_t *phys = phys_new(1u << 20, true);
    cpu_t *c = cpu_new(&(struct cpu_config){32, false}, phys);
    vmm_t *v = one_guest();
    CU_ASSERT_PTR_NOT_NULL_FATAL(v);
    struct guest *g = v->guests[0];
    v->cur = g;
    /* Registers whose value does not move with time, lines or the TLB size. */
    static const struct {
        unsigned reg, sel;
    } regs[] = {
        {C0_INDEX, 0},    {C0_ENTRYLO0, 0}, {C0_ENTRYLO1, 0}, {C0_CONTEXT, 0},  {C0_CONTEXT, 2},
        {C0_PAGEMASK, 0}, {C0_WIRED, 0},    {C0_HWRENA, 0},   {C0_BADVADDR, 0}, {C0_ENTRYHI, 0},
        {C0_COMPARE, 0},  {C0_STATUS, 0},   {C0_STATUS, 1},   {C0_EPC, 0},      {C0_PRID, 0},
        {C0_PRID, 1},     {C0_CONFIG, 0},   {C0_CONFIG, 1},   {C0_CONFIG, 2},   {C0_CONFIG, 3},
        {C0_CONFIG, 4},   {C0_ERROREPC, 0}, {C0_LLADDR, 0},   {3, 1},
    };
    static const uint32_t values[] = {0xFFFFFFFFu, 0x00000000u, 0xA5A5A5A5u, 0x5A5A5A5Au,
                                      0x80000017u};
    unsigned mismatches = 0;
    for (size_t i = 0; i < sizeof regs / sizeof *regs; i++)
        for (size_t k = 0; k < sizeof values / sizeof *values; k++) {
            if (regs[i].reg == C0_STATUS && regs[i].sel == 0)
                continue; /* below: the CPU would leave kernel mode */
            cpu_cp0_write(c, regs[i].reg, regs[i].sel, values[k]);
            uint32_t real = cpu_cp0_read(c, regs[i].reg, regs[i].sel);
            uint32_t virt = guest_write_read(g, regs[i].reg, regs[i].sel, values[k]);
            if (real != virt) {
                mismatches++;
                printf("\n  mtc0 %u.%u <- %08x: real reads %08x, virtual %08x", regs[i].reg,
                       regs[i].sel, values[k], real, virt);
            }
        }
    CU_ASSERT_EQUAL(mismatches, 0);
    /* Status: the same mask on both (written from virtual kernel mode). */
    cpu_cp0_write(c, C0_STATUS, 0, 0xFFFFFFE7u);
    g->cp0.status = 0;
    CU_ASSERT_EQUAL(guest_write_read(g, C0_STATUS, 0, 0xFFFFFFE7u), cpu_cp0_read(c, C0_STATUS, 0));
    /* Cause: IV, DC and the software bits, the same on both. */
    cpu_cp0_write(c, C0_CAUSE, 0, 0xFFFFFFFFu);
    uint32_t real = cpu_cp0_read(c, C0_CAUSE, 0) & ~CAUSE_IP_MASK;
    g->cp0.status = 0;
    CU_ASSERT_EQUAL(guest_write_read(g, C0_CAUSE, 0, 0xFFFFFFFFu) & ~CAUSE_IP_MASK, real);
    CU_ASSERT(real & CAUSE_DC);
    vmm_free(v);
    vmm_config_free(&cfg);
    cpu_free(c);
    phys_free(phys);
}

static void test_rules_by_hand(void)
{
    struct cp0_state s;
    cp0_rule_reset(&s, 0x00540100u, true, 64, 1000);
    struct cp0_env e = {1000, 64, 0, false, false, false};
    CU_ASSERT_EQUAL(s.status, ST_BEV | ST_ERL);
    CU_ASSERT_EQUAL(cp0_rule_read(&s, C0_COUNT, 0, &e), 0);   /* Count 0 at reset */
    CU_ASSERT_EQUAL(cp0_rule_read(&s, C0_RANDOM, 0, &e), 63); /* Random at N-1 */
    CU_ASSERT_EQUAL((s.config1 >> 25) & 0x3F, 63);            /* MMUSize - 1 */
    CU_ASSERT_EQUAL(cp0_rule_mode(s.status), 0);              /* ERL: kernel */
    CU_ASSERT_EQUAL(cp0_rule_mode(2u << ST_KSU_SHIFT), 2);    /* KSU 2: user */
    CU_ASSERT_EQUAL(cp0_rule_mode((2u << ST_KSU_SHIFT) | ST_EXL), 0);
    CU_ASSERT_EQUAL(cp0_rule_mode(1u << ST_KSU_SHIFT), 1);
    /* Compare 100 ahead: the deadline is 100 cycles away; reaching it sets TI = IP7. */
    cp0_rule_write(&s, C0_COMPARE, 0, 100, &e);
    CU_ASSERT_EQUAL(s.timer_deadline, 1100u);
    cp0_rule_timer_update(&s, 1100);
    CU_ASSERT(cp0_rule_cause(&s, 0) & CAUSE_IP7);
    /* Cause.DC freezes Count and the timer. */
    e.now = 1200;
    CU_ASSERT_EQUAL(cp0_rule_write(&s, C0_CAUSE, 0, CAUSE_DC, &e), CP0_CHANGED_TIMER);
    e.now = 5000;
    CU_ASSERT_EQUAL(cp0_rule_read(&s, C0_COUNT, 0, &e), 200);
    CU_ASSERT_EQUAL(s.timer_deadline, UINT64_MAX);
    /* A TLB refill from EXL = 0: refill vector, EPC, BadVAddr, Context, EntryHi. */
    s.status = 0;
    s.entryhi = 0x33;
    struct cp0_exception x = {EXC_TLBS, 0x80000ABCu, false, 0x7FFF1234u, true, 0};
    CU_ASSERT_EQUAL(cp0_rule_exception(&s, &x), 0x80000000u);
    CU_ASSERT_EQUAL(s.epc, 0x80000ABCu);
    CU_ASSERT_EQUAL(s.badvaddr, 0x7FFF1234u);
    CU_ASSERT_EQUAL(s.entryhi, 0x7FFF0000u | 0x33);
    CU_ASSERT_EQUAL(s.context & 0x007FFFF0u, (0x7FFF1234u >> 9) & 0x007FFFF0u);
    CU_ASSERT_EQUAL((s.cause & CAUSE_EXC_MASK) >> CAUSE_EXC_SHIFT, EXC_TLBS);
    /* A second one with EXL = 1: EPC kept, general vector. */
    x.epc = 0x80000FFCu;
    CU_ASSERT_EQUAL(cp0_rule_exception(&s, &x), 0x80000180u);
    CU_ASSERT_EQUAL(s.epc, 0x80000ABCu);
    CU_ASSERT_EQUAL(cp0_rule_eret(&s), 0x80000ABCu);
    CU_ASSERT_EQUAL(s.status & ST_EXL, 0);
    CU_ASSERT_FALSE(cp0_rule_sets_badvaddr(EXC_SYS));
    CU_ASSERT_TRUE(cp0_rule_sets_badvaddr(EXC_TLBXI));
}

static const struct test_case tests[] = {
    {"every exception: the real CPU and the monitor leave the same CP0",
     test_every_exception_both_ways},
    {"MTC0/MFC0 of every register: the same masks on both", test_write_read_both_ways},
    {"the rules against the manual's cases", test_rules_by_hand},
};

CUNIT_MAIN("cp0-rules", tests)
