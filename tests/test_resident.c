/*
 * tests/test_resident.c — the monitor's resident portion (vmm/resident/) on
 * a bare CPU, as the resident trap model will run it: its code page and a
 * data page mapped as kernel-only global pages at 0xC0000000, EBase there
 * (mapped vectors), KScratch2 = the data page. A guest in real user mode
 * traps; the fast path reflects SYSCALL and BREAK into the guest's own
 * handler (its virtual EPC/Cause/Status in the data page, its kernel ASID)
 * with every register intact, and serves MFC0 of virtual Status/EPC/EBase
 * from the data page; the rest reaches the host as HYPCALL
 * RES_HC_EXIT, counted by cause.
 */
#include "cunit_main.h"
#include "tmachine.h"
#include "vmm/resident_image.h"

enum { ZERO = 0, T0 = 8, T1 = 9, K0 = 26, K1 = 27 };
#define RES_VA    0xC0000000u
#define CODE_PA   0x40000u
#define DATA_PA   0x41000u
#define DATA(off) (0x80000000u + DATA_PA + (off))
/* The guest's own handler: its EBase 0x00401000 (the user mapping onto
 * physical 0x11000), general vector +0x180, holding HYPCALL 7. */
#define G_EBASE   0x00401000u
#define G_HANDLER 7

static struct tm boot_order(bool be)
{
    struct tm t = tm_new(be);
    /* The monitor's extensions: the guest's kseg0..3 are translated too. */
    cpu_set_ext(t.cpu, CPU_EXT_PHYS_AS_VIRT | CPU_EXT_MAPPED_VECTORS | CPU_EXT_KPAGES |
                           CPU_EXT_KSCRATCH | CPU_EXT_BADINSTR);
    CU_ASSERT_EQUAL_FATAL(vmm_resident_eb_size, RES_DATA);
    for (uint32_t i = 0; i < RES_DATA; i += 4) {
        const unsigned char *b = (be ? vmm_resident_eb : vmm_resident_el) + i;
        uint32_t w = be ? (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3]
                        : (uint32_t)b[3] << 24 | (uint32_t)b[2] << 16 | (uint32_t)b[1] << 8 | b[0];
        tm_put32(&t, 0x80000000u + CODE_PA + i, w);
    }
    uint32_t k = ENTRYLO_K | ENTRYLO_V | ENTRYLO_G;
    struct tlb_regs r = {RES_VA, (CODE_PA >> 12) << ENTRYLO_PFN_SHIFT | k,
                         (DATA_PA >> 12) << ENTRYLO_PFN_SHIFT | k | ENTRYLO_D, 0};
    cpu_tlb_write(t.cpu, 5, &r);
    cpu_cp0_write(t.cpu, C0_PRID, 1, RES_VA);
    cpu_cp0_write(t.cpu, C0_KSCRATCH, 3, RES_VA + RES_DATA);
    tm_put32(&t, DATA(RD_V_EBASE), G_EBASE);
    tm_put32(&t, DATA(RD_V_STATUS), 0x0000FF01u); /* IM, IE: a running guest kernel */
    tm_put32(&t, DATA(RD_V_CAUSE), 0x00000400u);  /* IP2 pending, say */
    tm_put32(&t, DATA(RD_KERNEL_HI), 0x42);
    tm_put32(&t, 0x80011180u, HYPCALL(G_HANDLER));
    /* Guest registers the handlers must keep. */
    cpu_set_gpr(t.cpu, K0, 0x11110000u);
    cpu_set_gpr(t.cpu, K1, 0x22220000u);
    cpu_set_gpr(t.cpu, T0, 0x33330000u);
    cpu_set_gpr(t.cpu, T1, 0x44440000u);
    return t;
}

static struct tm boot(void) { return boot_order(true); }

static void assert_registers_kept(struct tm *t)
{
    CU_ASSERT_EQUAL(cpu_gpr(t->cpu, K0), 0x11110000u);
    CU_ASSERT_EQUAL(cpu_gpr(t->cpu, K1), 0x22220000u);
    CU_ASSERT_EQUAL(cpu_gpr(t->cpu, T0), 0x33330000u);
    CU_ASSERT_EQUAL(cpu_gpr(t->cpu, T1), 0x44440000u);
}

static void test_image(void)
{
    /* Both byte orders, the same words. */
    CU_ASSERT_EQUAL(vmm_resident_el_size, RES_DATA);
    for (size_t i = 0; i < RES_DATA; i += 4)
        CU_ASSERT_EQUAL(vmm_resident_eb[i], vmm_resident_el[i + 3]);
    /* The general vector starts by putting k0 aside: mtc0 k0, KScratch1. */
    const unsigned char *g = vmm_resident_eb + RES_V_GENERAL;
    CU_ASSERT_EQUAL((uint32_t)g[0] << 24 | (uint32_t)g[1] << 16 | (uint32_t)g[2] << 8 | g[3],
                    MTC0(K0, C0_KSCRATCH, 2));
    /* The layout's architectural constants are the CPU's. */
    CU_ASSERT_EQUAL(RES_ST_EXL, ST_EXL);
    CU_ASSERT_EQUAL(RES_ST_BEV, ST_BEV);
    CU_ASSERT_EQUAL(RES_CAUSE_EXC, CAUSE_EXC_MASK);
    CU_ASSERT_EQUAL(RES_CAUSE_BD, CAUSE_BD);
    CU_ASSERT_EQUAL(RES_EXC_SYS, EXC_SYS);
    CU_ASSERT_EQUAL(RES_EXC_BP, EXC_BP);
}

static void test_syscall_reflected(void)
{
    struct tm t = boot();
    CU_ASSERT_EQUAL(TM_RUN_MODE(&t, 2, 0, NOP, SYSCALL), G_HANDLER);
    CU_ASSERT_EQUAL(cpu_trap(t.cpu)->pc, G_EBASE + 0x180); /* in its own handler */
    CU_ASSERT_EQUAL(cpu_mode(t.cpu), 2);                   /* still real user mode */
    CU_ASSERT_EQUAL(cpu_cp0_read(t.cpu, C0_STATUS, 0) & ST_EXL, 0);
    CU_ASSERT_EQUAL(cpu_cp0_read(t.cpu, C0_ENTRYHI, 0) & 0xFF, 0x42);
    assert_registers_kept(&t);
    /* Its virtual CP0 as the hardware would have left it. */
    CU_ASSERT_EQUAL(tm_get32(&t, DATA(RD_V_EPC)), TM_USER_VA + 4);
    CU_ASSERT_EQUAL(tm_get32(&t, DATA(RD_V_CAUSE)), 0x00000400u | EXC_SYS << 2);
    CU_ASSERT_EQUAL(tm_get32(&t, DATA(RD_V_STATUS)), 0x0000FF03u);
    CU_ASSERT_EQUAL(tm_get32(&t, DATA(RD_FAST + 4 * EXC_SYS)), 1);
    CU_ASSERT_EQUAL(tm_get32(&t, DATA(RD_HOST + 4 * EXC_SYS)), 0);
    tm_free(&t);
}

static void test_break_in_delay_slot(void)
{
    struct tm t = boot();
    CU_ASSERT_EQUAL(TM_RUN_MODE(&t, 2, 0, NOP, JR(ZERO), BREAK), G_HANDLER);
    CU_ASSERT_EQUAL(tm_get32(&t, DATA(RD_V_EPC)), TM_USER_VA + 4); /* the branch */
    CU_ASSERT_EQUAL(tm_get32(&t, DATA(RD_V_CAUSE)), CAUSE_BD | 0x00000400u | EXC_BP << 2);
    CU_ASSERT_EQUAL(tm_get32(&t, DATA(RD_FAST + 4 * EXC_BP)), 1);
    assert_registers_kept(&t);
    tm_free(&t);
}

static void test_nested_keeps_epc(void)
{
    /* At virtual EXL the guest's EPC and BD stay; only ExcCode changes. */
    struct tm t = boot();
    tm_put32(&t, DATA(RD_V_STATUS), 0x0000FF03u);
    tm_put32(&t, DATA(RD_V_EPC), 0x12345678u);
    tm_put32(&t, DATA(RD_V_CAUSE), CAUSE_BD | EXC_TLBL << 2);
    CU_ASSERT_EQUAL(TM_RUN_MODE(&t, 2, 0, SYSCALL), G_HANDLER);
    CU_ASSERT_EQUAL(tm_get32(&t, DATA(RD_V_EPC)), 0x12345678u);
    CU_ASSERT_EQUAL(tm_get32(&t, DATA(RD_V_CAUSE)), CAUSE_BD | EXC_SYS << 2);
    tm_free(&t);
}

static void test_bev_vector(void)
{
    /* With virtual BEV the guest's vector is the boot ROM's 0xBFC00380: the
     * ERET goes there, and its first fetch misses in the real TLB: a refill
     * for the host, which backs the guest's ROM. */
    struct tm t = boot();
    tm_put32(&t, DATA(RD_V_STATUS), ST_BEV);
    CU_ASSERT_EQUAL(TM_RUN_MODE(&t, 2, 0, SYSCALL), RES_HC_REFILL);
    CU_ASSERT_EQUAL(cpu_cp0_read(t.cpu, C0_EPC, 0), 0xBFC00380u);
    CU_ASSERT_EQUAL(cpu_cp0_read(t.cpu, C0_BADVADDR, 0), 0xBFC00380u);
    CU_ASSERT_EQUAL(tm_get32(&t, DATA(RD_HOST + 4 * EXC_TLBL)), 1);
    tm_free(&t);
}

static void test_mfc0_served(void)
{
    /* Status, EPC and EBase come from the data page into any register,
     * including those the handler itself uses; the guest goes on after it. */
    static const unsigned regs[] = {10, T0, T1, K0, K1, 31, 2, 29};
    for (size_t i = 0; i < sizeof regs / sizeof regs[0]; i++) {
        struct tm t = boot();
        tm_put32(&t, DATA(RD_V_EPC), 0x80001234u);
        CU_ASSERT_EQUAL(TM_RUN_MODE(&t, 2, 0, MFC0(regs[i], C0_STATUS, 0), ADDIU(3, regs[i], 0),
                                    MFC0(regs[i], C0_EPC, 0), ADDIU(4, regs[i], 0),
                                    MFC0(regs[i], C0_PRID, 1), ADDIU(5, regs[i], 0)),
                        TM_STOP_DONE);
        CU_ASSERT_EQUAL(cpu_gpr(t.cpu, 3), 0x0000FF01u);
        CU_ASSERT_EQUAL(cpu_gpr(t.cpu, 4), 0x80001234u);
        CU_ASSERT_EQUAL(cpu_gpr(t.cpu, 5), G_EBASE);
        CU_ASSERT_EQUAL(tm_get32(&t, DATA(RD_FAST + 4 * EXC_CPU)), 3);
        CU_ASSERT_EQUAL(tm_get32(&t, DATA(RD_HOST + 4 * EXC_CPU)), 0);
        /* The other registers the handler uses are the guest's. */
        if (regs[i] != K0)
            CU_ASSERT_EQUAL(cpu_gpr(t.cpu, K0), 0x11110000u);
        if (regs[i] != K1)
            CU_ASSERT_EQUAL(cpu_gpr(t.cpu, K1), 0x22220000u);
        if (regs[i] != T0)
            CU_ASSERT_EQUAL(cpu_gpr(t.cpu, T0), 0x33330000u);
        if (regs[i] != T1)
            CU_ASSERT_EQUAL(cpu_gpr(t.cpu, T1), 0x44440000u);
        if (regs[i] != 31)
            CU_ASSERT_EQUAL(cpu_gpr(t.cpu, 31), 0);
        CU_ASSERT_EQUAL(cpu_mode(t.cpu), 2);
        tm_free(&t);
    }
    /* rt = $zero stays zero. */
    struct tm t = boot();
    CU_ASSERT_EQUAL(TM_RUN_MODE(&t, 2, 0, MFC0(ZERO, C0_STATUS, 0)), TM_STOP_DONE);
    CU_ASSERT_EQUAL(cpu_gpr(t.cpu, ZERO), 0);
    tm_free(&t);
    /* In a delay slot: the host's (it emulates the branch). */
    t = boot();
    CU_ASSERT_EQUAL(TM_RUN_MODE(&t, 2, 0, JR(ZERO), MFC0(T0, C0_STATUS, 0)), RES_HC_EXIT);
    CU_ASSERT_EQUAL(tm_get32(&t, DATA(RD_HOST + 4 * EXC_CPU)), 1);
    CU_ASSERT_EQUAL(cpu_gpr(t.cpu, T0), 0x33330000u);
    tm_free(&t);
    /* Not an MFC0 (MTC0): the host's. */
    t = boot();
    CU_ASSERT_EQUAL(TM_RUN_MODE(&t, 2, 0, MTC0(T0, C0_STATUS, 0)), RES_HC_EXIT);
    CU_ASSERT_EQUAL(tm_get32(&t, DATA(RD_HOST + 4 * EXC_CPU)), 1);
    tm_free(&t);
}

static void test_rest_to_host(void)
{
    /* MFC0 of a register the page does not hold (Count): Coprocessor
     * Unusable, handed to the host with
     * the real CP0 describing it and the guest's registers recoverable. */
    struct tm t = boot();
    CU_ASSERT_EQUAL(TM_RUN_MODE(&t, 2, 0, NOP, MFC0(T0, C0_COUNT, 0)), RES_HC_EXIT);
    const struct cpu_trap *tr = cpu_trap(t.cpu);
    CU_ASSERT_EQUAL(tr->pc & ~0xFFFu, RES_VA); /* in the resident code */
    CU_ASSERT_EQUAL(cpu_mode(t.cpu), 0);       /* real kernel mode, EXL */
    CU_ASSERT_EQUAL(cpu_cp0_read(t.cpu, C0_EPC, 0), TM_USER_VA + 4);
    CU_ASSERT_EQUAL((cpu_cp0_read(t.cpu, C0_CAUSE, 0) & CAUSE_EXC_MASK) >> CAUSE_EXC_SHIFT,
                    EXC_CPU);
    CU_ASSERT_EQUAL(cpu_cp0_read(t.cpu, C0_KSCRATCH, 2), 0x11110000u); /* guest k0 */
    CU_ASSERT_EQUAL(tm_get32(&t, DATA(RD_SAVE_K1)), 0x22220000u);
    CU_ASSERT_EQUAL(cpu_gpr(t.cpu, T0), 0x33330000u);
    CU_ASSERT_EQUAL(cpu_gpr(t.cpu, T1), 0x44440000u);
    CU_ASSERT_EQUAL(tm_get32(&t, DATA(RD_HOST + 4 * EXC_CPU)), 1);
    CU_ASSERT_EQUAL(tm_get32(&t, DATA(RD_V_STATUS)), 0x0000FF01u); /* untouched */
    tm_free(&t);

    /* A TLB refill from the guest enters at +0x000 and goes the same way,
     * with the refill vector's own code. */
    t = boot();
    CU_ASSERT_EQUAL(TM_RUN_MODE(&t, 2, 0, LUI(T0, 0x0070), LW(T1, 0, T0)), RES_HC_REFILL);
    CU_ASSERT_EQUAL(cpu_cp0_read(t.cpu, C0_BADVADDR, 0), 0x00700000u);
    CU_ASSERT_EQUAL(tm_get32(&t, DATA(RD_HOST + 4 * EXC_TLBL)), 1);
    CU_ASSERT_EQUAL(tm_get32(&t, DATA(RD_SAVE_K1)), 0x22220000u);
    tm_free(&t);
}

/* What the host does at a hand-over: k0 and k1 back, EXL off, the trap
 * rebuilt from CP0 (cpu_trap_from_cp0). */
static const struct cpu_trap *hand_over(struct tm *t, bool refill)
{
    cpu_set_gpr(t->cpu, K0, cpu_cp0_read(t->cpu, C0_KSCRATCH, 2));
    cpu_set_gpr(t->cpu, K1, tm_get32(t, DATA(RD_SAVE_K1)));
    cpu_cp0_write(t->cpu, C0_STATUS, 0, cpu_cp0_read(t->cpu, C0_STATUS, 0) & ~ST_EXL);
    return cpu_trap_from_cp0(t->cpu, refill);
}

static void test_trap_rebuilt(void)
{
    /* An MFC0 of Count in the delay slot of each kind of branch, taken or
     * not: the rebuilt trap is the one a routed trap would have been. */
    static const struct {
        uint32_t branch, next; /* next: relative to the branch */
    } cases[] = {
        {BEQ(ZERO, ZERO, 3), 16},
        {BEQ(K0, ZERO, 3), 8},
        {BNE(K0, ZERO, 3), 16},
        {BLTZ(K0, 3), 8},
        {BGEZ(K0, 3), 16},
        {BGEZAL(K0, 3), 16},
        {BEQL(ZERO, ZERO, 3), 16},
        {BLEZ(ZERO, 3), 16},
        {BGTZ(K1, 3), 16},
        {JR(K1), 0},
        {J(TM_USER_VA + 0x40), 0x40},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        struct tm t = boot();
        uint32_t mfc0 = MFC0(T0, C0_COUNT, 0);
        CU_ASSERT_EQUAL(TM_RUN_MODE(&t, 2, 0, cases[i].branch, mfc0), RES_HC_EXIT);
        const struct cpu_trap *r = hand_over(&t, false);
        CU_ASSERT_EQUAL(r->code, EXC_CPU);
        CU_ASSERT(r->bd);
        CU_ASSERT_EQUAL(r->epc, TM_USER_VA);
        CU_ASSERT_EQUAL(r->pc, TM_USER_VA + 4);
        CU_ASSERT_EQUAL(r->insn, mfc0);
        CU_ASSERT_EQUAL(r->ce, 0);
        CU_ASSERT(!r->fetch);
        uint32_t want = cases[i].branch == JR(K1) ? 0x22220000u : TM_USER_VA + cases[i].next;
        CU_ASSERT_EQUAL(r->next_pc, want);
        CU_ASSERT_EQUAL(cpu_pc(t.cpu), TM_USER_VA);
        CU_ASSERT_EQUAL(cpu_mode(t.cpu), 2);
        assert_registers_kept(&t);
        tm_free(&t);
    }
    /* A load that misses, through the refill vector: BadVAddr, not a fetch. */
    struct tm t = boot();
    CU_ASSERT_EQUAL(TM_RUN_MODE(&t, 2, 0, LUI(T0, 0x0070), LW(T1, 8, T0)), RES_HC_REFILL);
    const struct cpu_trap *r = hand_over(&t, true);
    CU_ASSERT_EQUAL(r->code, EXC_TLBL);
    CU_ASSERT(r->refill && !r->fetch && !r->bd);
    CU_ASSERT_EQUAL(r->badvaddr, 0x00700008u);
    CU_ASSERT_EQUAL(r->insn, LW(T1, 8, T0));
    CU_ASSERT_EQUAL(r->pc, TM_USER_VA + 4);
    CU_ASSERT_EQUAL(r->next_pc, TM_USER_VA + 8);
    tm_free(&t);
    /* A fetch that misses: BadVAddr is the instruction's address. */
    t = boot();
    CU_ASSERT_EQUAL(TM_RUN_MODE(&t, 2, 0, LUI(T0, 0x0070), JR(T0), NOP), RES_HC_REFILL);
    r = hand_over(&t, true);
    CU_ASSERT_EQUAL(r->code, EXC_TLBL);
    CU_ASSERT(r->fetch && !r->bd);
    CU_ASSERT_EQUAL(r->pc, 0x00700000u);
    CU_ASSERT_EQUAL(r->insn, 0);
    tm_free(&t);
}

static void test_little_endian(void)
{
    /* The little-endian image does the same on a little-endian machine. */
    struct tm t = boot_order(false);
    CU_ASSERT_EQUAL(TM_RUN_MODE(&t, 2, 0, NOP, SYSCALL), G_HANDLER);
    CU_ASSERT_EQUAL(tm_get32(&t, DATA(RD_V_EPC)), TM_USER_VA + 4);
    CU_ASSERT_EQUAL(tm_get32(&t, DATA(RD_V_CAUSE)), 0x00000400u | EXC_SYS << 2);
    assert_registers_kept(&t);
    tm_free(&t);
    t = boot_order(false);
    CU_ASSERT_EQUAL(TM_RUN_MODE(&t, 2, 0, MFC0(10, C0_PRID, 1), MFC0(11, C0_COUNT, 0)),
                    RES_HC_EXIT);
    CU_ASSERT_EQUAL(cpu_gpr(t.cpu, 10), G_EBASE);
    CU_ASSERT_EQUAL(tm_get32(&t, DATA(RD_FAST + 4 * EXC_CPU)), 1);
    CU_ASSERT_EQUAL(tm_get32(&t, DATA(RD_HOST + 4 * EXC_CPU)), 1);
    tm_free(&t);
}

static void test_guest_cannot_touch_it(void)
{
    /* The pages are kernel-only: the guest (real user mode) reading the
     * resident code or its data page stops with CPU_TRAP_KPAGE for the host. */
    struct tm t = boot();
    CU_ASSERT_EQUAL(TM_RUN_MODE(&t, 2, 0, LUI(T0, 0xC000), LW(T1, 0x1010, T0)), -1);
    CU_ASSERT_EQUAL(cpu_trap(t.cpu)->code, CPU_TRAP_KPAGE);
    CU_ASSERT_EQUAL(cpu_trap(t.cpu)->badvaddr, RES_VA + 0x1010);
    CU_ASSERT_EQUAL(cpu_gpr(t.cpu, T1), 0x44440000u);
    tm_free(&t);
}

static const struct test_case tests[] = {
    {"image: both byte orders, layout constants", test_image},
    {"SYSCALL reflected into the guest's handler", test_syscall_reflected},
    {"BREAK in a delay slot: BD and the branch's EPC", test_break_in_delay_slot},
    {"at virtual EXL: EPC and BD kept", test_nested_keeps_epc},
    {"virtual BEV: the boot ROM's vector", test_bev_vector},
    {"MFC0 Status/EPC/EBase served from the page", test_mfc0_served},
    {"everything else to the host", test_rest_to_host},
    {"the host rebuilds the trap from CP0", test_trap_rebuilt},
    {"kernel-only to the guest", test_guest_cannot_touch_it},
    {"little-endian image", test_little_endian},
};

CUNIT_MAIN("resident portion", tests)
