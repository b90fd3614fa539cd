/*
 * tests/test_ext.c — the virtualization-research extensions (docs/hardware.md):
 * trap routing to the host, "physical as virtual", the sensitive-instruction
 * switches and HYPCALL. Each is off by default; each default is tested too.
 */
#include "cunit_main.h"
#include "tmachine.h"

enum { ZERO = 0, T0 = 8, T1 = 9, T2 = 10, S0 = 16 };
#define G(t, n)        cpu_gpr((t)->cpu, (n))
#define LI(r, v)       LUI(r, (uint32_t)(v) >> 16), ORI(r, r, (uint32_t)(v)&0xFFFF)
#define CAUSE_EXC(t)   ((cpu_cp0_read((t)->cpu, C0_CAUSE, 0) & CAUSE_EXC_MASK) >> CAUSE_EXC_SHIFT)
#define LO(pfn, flags) ((((uint32_t)(pfn)) << ENTRYLO_PFN_SHIFT) | (flags))
#define VDG            (ENTRYLO_V | ENTRYLO_D | ENTRYLO_G)

static void test_routing_leaves_state(void)
{
    struct tm t = tm_new(true);
    cpu_set_trap_routing(t.cpu, 1u << EXC_TLBL);
    tm_put(&t, TM_CODE, (const uint32_t[]){LI(S0, 0x00405678u), LW(T1, 0, S0)}, 3);
    CU_ASSERT_EQUAL(cpu_run(t.cpu, 1000), CPU_STOP_TRAP);
    const struct cpu_trap *tr = cpu_trap(t.cpu);
    CU_ASSERT_EQUAL(tr->code, EXC_TLBL);
    CU_ASSERT(tr->refill);
    CU_ASSERT_EQUAL(tr->badvaddr, 0x00405678u);
    CU_ASSERT_EQUAL(tr->pc, TM_CODE + 8);
    CU_ASSERT_EQUAL(tr->epc, TM_CODE + 8);
    CU_ASSERT_EQUAL(tr->insn, LW(T1, 0, S0));
    CU_ASSERT_FALSE(tr->bd);
    /* Architectural state untouched: no EXL, EPC, BadVAddr; PC at the restart point. */
    CU_ASSERT_EQUAL(cpu_cp0_read(t.cpu, C0_STATUS, 0) & ST_EXL, 0);
    CU_ASSERT_EQUAL(cpu_cp0_read(t.cpu, C0_EPC, 0), 0);
    CU_ASSERT_EQUAL(cpu_cp0_read(t.cpu, C0_BADVADDR, 0), 0);
    CU_ASSERT_EQUAL(cpu_pc(t.cpu), TM_CODE + 8);
    /* The host maps the page and resumes: the load re-executes and succeeds. */
    tm_put32(&t, 0x80030678u, 0xFEED);
    struct tlb_regs r = {0x00404000u, LO(0x30, VDG), LO(0x30, VDG), 0};
    tlb_write(cpu_tlb(t.cpu), 0, &r);
    tm_put32(&t, TM_CODE + 12, HYPCALL(0));
    CU_ASSERT_EQUAL(tm_continue(&t), 0);
    CU_ASSERT_EQUAL(G(&t, T1), 0xFEED);
    struct cpu_stats st;
    cpu_get_stats(t.cpu, &st);
    CU_ASSERT_EQUAL(st.routed, 2); /* the TLBL and the closing HYPCALL */
    tm_free(&t);

    /* Reflecting a routed trap gives exactly what the hardware would have done. */
    t = tm_new(true);
    cpu_set_trap_routing(t.cpu, 1u << EXC_TLBL);
    tm_put(&t, TM_CODE, (const uint32_t[]){LI(S0, 0x00405678u), LW(T1, 0, S0)}, 3);
    CU_ASSERT_EQUAL(cpu_run(t.cpu, 1000), CPU_STOP_TRAP);
    cpu_trap_deliver(t.cpu);
    CU_ASSERT_EQUAL(cpu_pc(t.cpu), 0x80000000u);
    CU_ASSERT_EQUAL(cpu_cp0_read(t.cpu, C0_EPC, 0), TM_CODE + 8);
    CU_ASSERT_EQUAL(cpu_cp0_read(t.cpu, C0_BADVADDR, 0), 0x00405678u);
    CU_ASSERT_EQUAL(CAUSE_EXC(&t), EXC_TLBL);
    CU_ASSERT(cpu_cp0_read(t.cpu, C0_STATUS, 0) & ST_EXL);
    tm_free(&t);
}

static void test_routing_delay_slot(void)
{
    struct tm t = tm_new(true);
    cpu_set_trap_routing(t.cpu, 1u << EXC_SYS);
    /* SYSCALL in the delay slot of a taken branch to +16. */
    tm_put(&t, TM_CODE,
           (const uint32_t[]){BEQ(ZERO, ZERO, 3), SYSCALL, ADDIU(T0, ZERO, 1), NOP,
                              ADDIU(T1, ZERO, 2), HYPCALL(0)},
           6);
    CU_ASSERT_EQUAL(cpu_run(t.cpu, 1000), CPU_STOP_TRAP);
    const struct cpu_trap *tr = cpu_trap(t.cpu);
    CU_ASSERT_EQUAL(tr->code, EXC_SYS);
    CU_ASSERT(tr->bd);
    CU_ASSERT_EQUAL(tr->pc, TM_CODE + 4);
    CU_ASSERT_EQUAL(tr->epc, TM_CODE);
    CU_ASSERT_EQUAL(tr->next_pc, TM_CODE + 16);
    /* The host emulates the syscall and skips it: execution goes on at the target. */
    cpu_trap_skip(t.cpu);
    CU_ASSERT_EQUAL(tm_continue(&t), 0);
    CU_ASSERT_EQUAL(G(&t, T0), 0);
    CU_ASSERT_EQUAL(G(&t, T1), 2);
    tm_free(&t);
}

#define RUN_USER(t, st, ...) TM_RUN_MODE(t, 2, st, __VA_ARGS__)

static void test_phys_as_virt(void)
{
    struct tm t = tm_new(true);
    CU_ASSERT_EQUAL(RUN_USER(&t, 0, LUI(S0, 0x8000), LW(T1, 0x100, S0)), TM_STOP_GENERAL);
    CU_ASSERT_EQUAL(CAUSE_EXC(&t), EXC_ADEL); /* default: kseg0 is kernel-only */
    tm_free(&t);

    t = tm_new(true);
    cpu_set_ext(t.cpu, CPU_EXT_PHYS_AS_VIRT);
    CU_ASSERT_EQUAL(RUN_USER(&t, 0, LUI(S0, 0x8000), LW(T1, 0x100, S0)), TM_STOP_REFILL);
    CU_ASSERT_EQUAL(CAUSE_EXC(&t), EXC_TLBL);
    CU_ASSERT_EQUAL(cpu_cp0_read(t.cpu, C0_BADVADDR, 0), 0x80000100u);
    tm_free(&t);

    /* With a TLB entry the guest's "kseg0" lands wherever the owner put it. */
    t = tm_new(true);
    cpu_set_ext(t.cpu, CPU_EXT_PHYS_AS_VIRT);
    tm_put32(&t, 0x80050100u, 0xC0FFEE);
    struct tlb_regs r = {0x80000000u, LO(0x50, VDG), LO(0x51, VDG), 0};
    tlb_write(cpu_tlb(t.cpu), 1, &r);
    CU_ASSERT_EQUAL(
        RUN_USER(&t, 0, LUI(S0, 0x8000), LW(T1, 0x100, S0), LUI(S0, 0xA000), LW(T2, 0, S0)),
        TM_STOP_REFILL); /* kseg1 not mapped yet */
    CU_ASSERT_EQUAL(G(&t, T1), 0xC0FFEE);
    CU_ASSERT_EQUAL(cpu_cp0_read(t.cpu, C0_BADVADDR, 0), 0xA0000000u);
    tm_free(&t);
}

static void test_eret_switch(void)
{
    /* Default: ERET in user mode is privileged. */
    struct tm t = tm_new(true);
    CU_ASSERT_EQUAL(RUN_USER(&t, 0, NOP, 0x42000018u /* ERET */), TM_STOP_GENERAL);
    CU_ASSERT_EQUAL(CAUSE_EXC(&t), EXC_CPU);
    tm_free(&t);
    /* Unsafe: ERET executes: PC = EPC, EXL cleared, no trap. */
    t = tm_new(true);
    cpu_set_ext(t.cpu, CPU_EXT_ERET_UNPRIV);
    cpu_cp0_write(t.cpu, C0_EPC, 0, 0x00400010u);
    CU_ASSERT_EQUAL(RUN_USER(&t, ST_EXL, NOP, 0x42000018u, ADDIU(T0, ZERO, 1), NOP,
                             /* +16 */ ADDIU(T1, ZERO, 2)),
                    TM_STOP_DONE);
    CU_ASSERT_EQUAL(G(&t, T0), 0);
    CU_ASSERT_EQUAL(G(&t, T1), 2);
    CU_ASSERT_EQUAL(cpu_cp0_read(t.cpu, C0_STATUS, 0) & ST_EXL, 0);
    CU_ASSERT_EQUAL(cpu_mode(t.cpu), 2);
    tm_free(&t);
}

static void test_mfc0_switch(void)
{
    struct tm t = tm_new(true);
    CU_ASSERT_EQUAL(RUN_USER(&t, 0, MFC0(T0, C0_STATUS, 0)), TM_STOP_GENERAL);
    CU_ASSERT_EQUAL(CAUSE_EXC(&t), EXC_CPU);
    tm_free(&t);
    t = tm_new(true);
    cpu_set_ext(t.cpu, CPU_EXT_MFC0_UNPRIV);
    CU_ASSERT_EQUAL(RUN_USER(&t, 0, MFC0(T0, C0_STATUS, 0), MFC0(T1, C0_CAUSE, 0)), TM_STOP_DONE);
    CU_ASSERT_EQUAL(G(&t, T0), 2u << ST_KSU_SHIFT); /* the real Status: user mode shows */
    tm_free(&t);
    /* Only Status and Cause: EPC still traps, and MTC0 always does. */
    t = tm_new(true);
    cpu_set_ext(t.cpu, CPU_EXT_MFC0_UNPRIV);
    CU_ASSERT_EQUAL(RUN_USER(&t, 0, MFC0(T0, C0_EPC, 0)), TM_STOP_GENERAL);
    CU_ASSERT_EQUAL(CAUSE_EXC(&t), EXC_CPU);
    tm_free(&t);
    t = tm_new(true);
    cpu_set_ext(t.cpu, CPU_EXT_MFC0_UNPRIV);
    CU_ASSERT_EQUAL(RUN_USER(&t, 0, MTC0(ZERO, C0_STATUS, 0)), TM_STOP_GENERAL);
    CU_ASSERT_EQUAL(CAUSE_EXC(&t), EXC_CPU);
    tm_free(&t);
}

static void test_diei_switch(void)
{
    struct tm t = tm_new(true);
    CU_ASSERT_EQUAL(RUN_USER(&t, 0, DI(T0)), TM_STOP_GENERAL);
    CU_ASSERT_EQUAL(CAUSE_EXC(&t), EXC_CPU);
    tm_free(&t);
    t = tm_new(true);
    cpu_set_ext(t.cpu, CPU_EXT_DIEI_UNPRIV);
    CU_ASSERT_EQUAL(RUN_USER(&t, ST_IE, DI(T0), MFC0(T1, C0_STATUS, 0)), TM_STOP_GENERAL);
    /* DI ran (returned Status with IE) and cleared IE; the MFC0 after it traps. */
    CU_ASSERT_EQUAL(G(&t, T0) & ST_IE, ST_IE);
    CU_ASSERT_EQUAL(CAUSE_EXC(&t), EXC_CPU);
    CU_ASSERT_EQUAL(cpu_cp0_read(t.cpu, C0_STATUS, 0) & ST_IE, 0);
    tm_free(&t);
}

static void test_hypcall(void)
{
    struct tm t = tm_new(true);
    /* HYPCALL traps to the host from any mode, whatever the routing. */
    CU_ASSERT_EQUAL(RUN_USER(&t, 0, ADDIU(T0, ZERO, 1), HYPCALL(0x155), ADDIU(T1, ZERO, 1)), 0x155);
    const struct cpu_trap *tr = cpu_trap(t.cpu);
    CU_ASSERT_EQUAL(tr->code, CPU_TRAP_HYPCALL);
    CU_ASSERT_EQUAL(tr->pc, 0x00400004u);
    CU_ASSERT_EQUAL(tr->insn, HYPCALL(0x155));
    CU_ASSERT_EQUAL(cpu_mode(t.cpu), 2); /* still in user mode, nothing delivered */
    cpu_trap_skip(t.cpu);
    CU_ASSERT_EQUAL(tm_continue(&t), 0);
    CU_ASSERT_EQUAL(G(&t, T1), 1);
    tm_free(&t);
}

static void test_mapped_vectors(void)
{
    /* Default: EBase 31:30 are fixed to 10, whatever is written. */
    struct tm t = tm_new(true);
    cpu_cp0_write(t.cpu, C0_PRID, 1, 0xC0000000u);
    CU_ASSERT_EQUAL(cpu_cp0_read(t.cpu, C0_PRID, 1) & 0xFFFFF000u, 0x80000000u);
    tm_free(&t);

    /* Mapped: EBase in kseg2, vectors fetched through a TLB entry onto
     * physical 0, where the test vectors are. */
    t = tm_new(true);
    cpu_set_ext(t.cpu, CPU_EXT_MAPPED_VECTORS);
    cpu_cp0_write(t.cpu, C0_PRID, 1, 0xC0000000u);
    CU_ASSERT_EQUAL(cpu_cp0_read(t.cpu, C0_PRID, 1) & 0xFFFFF000u, 0xC0000000u);
    struct tlb_regs r = {0xC0000000u, LO(0x0, VDG), LO(0x1, VDG), 0};
    tlb_write(cpu_tlb(t.cpu), 3, &r);
    CU_ASSERT_EQUAL(TM_RUN(&t, SYSCALL), TM_STOP_GENERAL);
    CU_ASSERT_EQUAL(cpu_trap(t.cpu)->pc, 0xC0000180u); /* the HYPCALL 2 at +0x180 */
    CU_ASSERT_EQUAL(CAUSE_EXC(&t), EXC_SYS);
    CU_ASSERT_EQUAL(cpu_cp0_read(t.cpu, C0_EPC, 0), TM_CODE);
    tm_free(&t);

    /* No translation for the vector: a machine check, not a fault loop. */
    t = tm_new(true);
    cpu_set_ext(t.cpu, CPU_EXT_MAPPED_VECTORS);
    cpu_cp0_write(t.cpu, C0_PRID, 1, 0xC0000000u);
    tm_put(&t, TM_CODE, (const uint32_t[]){SYSCALL, HYPCALL(0)}, 2);
    cpu_set_pc(t.cpu, TM_CODE);
    CU_ASSERT_EQUAL(cpu_run(t.cpu, 1000), CPU_STOP_VECTOR);
    CU_ASSERT_EQUAL(cpu_vector_fault(t.cpu), 0xC0000180u);
    CU_ASSERT_EQUAL(cpu_cp0_read(t.cpu, C0_EPC, 0), TM_CODE);
    CU_ASSERT_EQUAL(CAUSE_EXC(&t), EXC_SYS);
    tm_free(&t);
}

static void test_kernel_pages(void)
{
    /* Kernel-only page at 0x00600000 onto physical 0x20000. */
    struct tlb_regs r = {0x00600000u, LO(0x20, VDG) | ENTRYLO_K, LO(0x21, VDG) | ENTRYLO_K, 0};
    struct tm t = tm_new(true);
    cpu_set_ext(t.cpu, CPU_EXT_KPAGES);
    tlb_write(cpu_tlb(t.cpu), 1, &r);
    tm_put32(&t, 0x80020010u, 0xABCD);
    /* Kernel mode reads it. */
    CU_ASSERT_EQUAL(TM_RUN(&t, LUI(S0, 0x0060), LW(T1, 0x10, S0)), TM_STOP_DONE);
    CU_ASSERT_EQUAL(G(&t, T1), 0xABCD);
    /* User mode: load, store, fetch each stop with CPU_TRAP_KPAGE, nothing delivered. */
    CU_ASSERT_EQUAL(RUN_USER(&t, 0, LUI(S0, 0x0060), LW(T2, 0x10, S0)), -1);
    const struct cpu_trap *tr = cpu_trap(t.cpu);
    CU_ASSERT_EQUAL(tr->code, CPU_TRAP_KPAGE);
    CU_ASSERT_EQUAL(tr->badvaddr, 0x00600010u);
    CU_ASSERT_EQUAL(G(&t, T2), 0);
    CU_ASSERT_EQUAL(cpu_cp0_read(t.cpu, C0_STATUS, 0) & ST_EXL, 0);
    CU_ASSERT_EQUAL(RUN_USER(&t, 0, LUI(S0, 0x0060), ADDIU(T0, ZERO, 7), SW(T0, 0x10, S0)), -1);
    CU_ASSERT_EQUAL(cpu_trap(t.cpu)->code, CPU_TRAP_KPAGE);
    CU_ASSERT_EQUAL(tm_get32(&t, 0x80020010u), 0xABCD); /* the store did not happen */
    CU_ASSERT_EQUAL(RUN_USER(&t, 0, LUI(S0, 0x0060), JR(S0), NOP), -1);
    CU_ASSERT_EQUAL(cpu_trap(t.cpu)->code, CPU_TRAP_KPAGE);
    CU_ASSERT_EQUAL(cpu_trap(t.cpu)->badvaddr, 0x00600000u);
    /* TLBR never shows K to the kernel. */
    cpu_cp0_write(t.cpu, C0_STATUS, 0, 0);
    cpu_cp0_write(t.cpu, C0_INDEX, 0, 1);
    CU_ASSERT_EQUAL(TM_RUN(&t, TLBR, MFC0(T0, C0_ENTRYLO0, 0)), TM_STOP_DONE);
    CU_ASSERT_EQUAL(G(&t, T0), LO(0x20, VDG));
    tm_free(&t);

    /* Without the extension K is not kept: user mode reads the page. */
    t = tm_new(true);
    tlb_write(cpu_tlb(t.cpu), 1, &r);
    tm_put32(&t, 0x80020010u, 0xABCD);
    CU_ASSERT_EQUAL(RUN_USER(&t, 0, LUI(S0, 0x0060), LW(T2, 0x10, S0)), TM_STOP_DONE);
    CU_ASSERT_EQUAL(G(&t, T2), 0xABCD);
    /* Nor can a kernel set K through EntryLo: MTC0 keeps PFN bits for 32-bit addresses. */
    cpu_set_ext(t.cpu, CPU_EXT_KPAGES);
    cpu_cp0_write(t.cpu, C0_STATUS, 0, 0);
    CU_ASSERT_EQUAL(TM_RUN(&t, LI(T0, LO(0x20, VDG) | ENTRYLO_K), MTC0(T0, C0_ENTRYLO0, 0),
                           MFC0(T1, C0_ENTRYLO0, 0)),
                    TM_STOP_DONE);
    CU_ASSERT_EQUAL(G(&t, T1), LO(0x20, VDG));
    tm_free(&t);
}

static void test_kscratch(void)
{
    /* Default: no KScratch registers: writes ignored, reads zero. */
    struct tm t = tm_new(true);
    CU_ASSERT_EQUAL(
        TM_RUN(&t, LI(T0, 0x12345678u), MTC0(T0, C0_KSCRATCH, 2), MFC0(T1, C0_KSCRATCH, 2)),
        TM_STOP_DONE);
    CU_ASSERT_EQUAL(G(&t, T1), 0);
    tm_free(&t);
    /* With the extension: two registers of kernel-mode scratch... */
    t = tm_new(true);
    cpu_set_ext(t.cpu, CPU_EXT_KSCRATCH);
    cpu_cp0_write(t.cpu, C0_KSCRATCH, 3, 0xC0DE0000u); /* the owner's, set from the host */
    CU_ASSERT_EQUAL(TM_RUN(&t, LI(T0, 0x12345678u), MTC0(T0, C0_KSCRATCH, 2),
                           MFC0(T1, C0_KSCRATCH, 2), MFC0(T2, C0_KSCRATCH, 3)),
                    TM_STOP_DONE);
    CU_ASSERT_EQUAL(G(&t, T1), 0x12345678u);
    CU_ASSERT_EQUAL(G(&t, T2), 0xC0DE0000u);
    CU_ASSERT_EQUAL(cpu_cp0_read(t.cpu, C0_KSCRATCH, 2), 0x12345678u);
    CU_ASSERT_EQUAL(cpu_cp0_read(t.cpu, C0_KSCRATCH, 4), 0); /* only selects 2 and 3 */
    /* ...that user mode cannot touch. */
    CU_ASSERT_EQUAL(RUN_USER(&t, 0, MFC0(T0, C0_KSCRATCH, 2)), TM_STOP_GENERAL);
    CU_ASSERT_EQUAL(CAUSE_EXC(&t), EXC_CPU);
    tm_free(&t);
}

static void test_badinstr(void)
{
    /* Default: BadInstr/BadInstrP read zero after an exception. */
    struct tm t = tm_new(true);
    CU_ASSERT_EQUAL(TM_RUN(&t, SYSCALL), TM_STOP_GENERAL);
    CU_ASSERT_EQUAL(cpu_cp0_read(t.cpu, C0_BADVADDR, 1), 0);
    tm_free(&t);
    /* With it: the faulting word, and in a delay slot the branch too. */
    t = tm_new(true);
    cpu_set_ext(t.cpu, CPU_EXT_BADINSTR);
    CU_ASSERT_EQUAL(RUN_USER(&t, 0, NOP, MFC0(T0, C0_EPC, 0)), TM_STOP_GENERAL);
    CU_ASSERT_EQUAL(CAUSE_EXC(&t), EXC_CPU);
    CU_ASSERT_EQUAL(cpu_cp0_read(t.cpu, C0_BADVADDR, 1), MFC0(T0, C0_EPC, 0));
    CU_ASSERT_EQUAL(cpu_cp0_read(t.cpu, C0_BADVADDR, 2), 0);
    tm_free(&t);
    t = tm_new(true);
    cpu_set_ext(t.cpu, CPU_EXT_BADINSTR);
    CU_ASSERT_EQUAL(RUN_USER(&t, 0, JR(ZERO), SYSCALL), TM_STOP_GENERAL);
    CU_ASSERT_EQUAL(CAUSE_EXC(&t), EXC_SYS);
    CU_ASSERT_EQUAL(cpu_cp0_read(t.cpu, C0_EPC, 0), TM_USER_VA); /* the branch */
    CU_ASSERT_EQUAL(cpu_cp0_read(t.cpu, C0_BADVADDR, 1), SYSCALL);
    CU_ASSERT_EQUAL(cpu_cp0_read(t.cpu, C0_BADVADDR, 2), JR(ZERO));
    /* A fetch that faults has no word: BadInstr keeps its last value. */
    CU_ASSERT_EQUAL(RUN_USER(&t, 0, LUI(S0, 0x0070), JR(S0), NOP), TM_STOP_REFILL);
    CU_ASSERT_EQUAL(cpu_cp0_read(t.cpu, C0_BADVADDR, 0), 0x00700000u);
    CU_ASSERT_EQUAL(cpu_cp0_read(t.cpu, C0_BADVADDR, 1), SYSCALL);
    tm_free(&t);
}

static void test_extensions_invisible(void)
{
    /* No CP0 register differs with every extension on. */
    struct tm a = tm_new(true), b = tm_new(true);
    cpu_set_ext(b.cpu, CPU_EXT_PHYS_AS_VIRT | CPU_EXT_ERET_UNPRIV | CPU_EXT_MFC0_UNPRIV |
                           CPU_EXT_DIEI_UNPRIV | CPU_EXT_RIXI | CPU_EXT_MAPPED_VECTORS |
                           CPU_EXT_KPAGES | CPU_EXT_KSCRATCH | CPU_EXT_BADINSTR);
    cpu_set_trap_routing(b.cpu, 0xFFFFFFFEu);
    for (unsigned reg = 0; reg < 32; reg++)
        for (unsigned sel = 0; sel < 8; sel++)
            if (reg != C0_COUNT && reg != C0_RANDOM)
                CU_ASSERT_EQUAL(cpu_cp0_read(a.cpu, reg, sel), cpu_cp0_read(b.cpu, reg, sel));
    tm_free(&a);
    tm_free(&b);
}

static unsigned eret_events[2];
static void on_event(void *opaque, const struct cpu_event *ev)
{
    if (ev->kind == CPU_EV_ERET)
        (*(unsigned *)opaque)++;
}

static void test_event_listeners_fan_out(void)
{
    /* Two listeners (a board's traces and a monitor, say) both hear an ERET;
     * one removed hears no more. */
    struct tm t = tm_new(true);
    eret_events[0] = eret_events[1] = 0;
    CU_ASSERT_EQUAL(cpu_add_event_hook(t.cpu, on_event, &eret_events[0]), 0);
    CU_ASSERT_EQUAL(cpu_add_event_hook(t.cpu, on_event, &eret_events[1]), 0);
    cpu_set_ext(t.cpu, CPU_EXT_ERET_UNPRIV);
    cpu_cp0_write(t.cpu, C0_EPC, 0, 0x00400008u);
    CU_ASSERT_EQUAL(RUN_USER(&t, ST_EXL, NOP, 0x42000018u, NOP), TM_STOP_DONE);
    CU_ASSERT_EQUAL(eret_events[0], 1);
    CU_ASSERT_EQUAL(eret_events[1], 1);
    cpu_remove_event_hook(t.cpu, on_event, &eret_events[0]);
    cpu_cp0_write(t.cpu, C0_EPC, 0, 0x00400008u);
    CU_ASSERT_EQUAL(RUN_USER(&t, ST_EXL, NOP, 0x42000018u, NOP), TM_STOP_DONE);
    CU_ASSERT_EQUAL(eret_events[0], 1);
    CU_ASSERT_EQUAL(eret_events[1], 2);
    tm_free(&t);
}

static const struct test_case tests[] = {
    {"routing: record, untouched state, resume, deliver", test_routing_leaves_state},
    {"routing: delay slot, skip", test_routing_delay_slot},
    {"physical as virtual", test_phys_as_virt},
    {"ERET switch", test_eret_switch},
    {"MFC0 Status/Cause switch", test_mfc0_switch},
    {"DI/EI switch", test_diei_switch},
    {"HYPCALL", test_hypcall},
    {"mapped vectors: EBase anywhere, machine check", test_mapped_vectors},
    {"kernel-only pages", test_kernel_pages},
    {"KScratch registers", test_kscratch},
    {"BadInstr/BadInstrP", test_badinstr},
    {"event listeners fan out", test_event_listeners_fan_out},
    {"extensions invisible to the guest", test_extensions_invisible},
};

CUNIT_MAIN("extensions", tests)
