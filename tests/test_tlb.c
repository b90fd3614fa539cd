/*
 * tests/test_tlb.c — the JTLB as a data structure, and the CPU's TLB
 * instructions, TLB exceptions, user/supervisor segment rules and the host
 * lookup cache's invalidation.
 */
#include "cunit_main.h"
#include "tmachine.h"

enum { ZERO = 0, V0 = 2, T0 = 8, T1 = 9, T2 = 10, T3 = 11, S0 = 16 };
#define G(t, n)        cpu_gpr((t)->cpu, (n))
#define LI(r, v)       LUI(r, (uint32_t)(v) >> 16), ORI(r, r, (uint32_t)(v)&0xFFFF)
#define CAUSE_EXC(t)   ((cpu_cp0_read((t)->cpu, C0_CAUSE, 0) & CAUSE_EXC_MASK) >> CAUSE_EXC_SHIFT)
#define LO(pfn, flags) ((((uint32_t)(pfn)) << ENTRYLO_PFN_SHIFT) | (flags))
#define VDG            (ENTRYLO_V | ENTRYLO_D | ENTRYLO_G)

static void test_lookup_pairs_asid(void)
{
    tlb_t *tlb = tlb_new(8);
    struct tlb_regs r = {0x00400000u | 5, LO(0x100, ENTRYLO_V | ENTRYLO_D), LO(0x200, ENTRYLO_V),
                         0};
    tlb_write(tlb, 3, &r);
    struct tlb_hit h;
    CU_ASSERT_EQUAL(tlb_lookup(tlb, 0x00400010u, 5, false, &h), TLB_HIT);
    CU_ASSERT_EQUAL(h.paddr, 0x00100010u);
    CU_ASSERT_EQUAL(h.index, 3);
    CU_ASSERT_EQUAL(tlb_lookup(tlb, 0x00401004u, 5, false, &h), TLB_HIT);
    CU_ASSERT_EQUAL(h.paddr, 0x00200004u);
    CU_ASSERT_EQUAL(tlb_lookup(tlb, 0x00401004u, 5, true, &h), TLB_MODIFIED);
    CU_ASSERT_EQUAL(tlb_lookup(tlb, 0x00400000u, 5, true, &h), TLB_HIT);
    CU_ASSERT_EQUAL(tlb_lookup(tlb, 0x00400000u, 6, false, &h), TLB_MISS);
    CU_ASSERT_EQUAL(tlb_lookup(tlb, 0x00402000u, 5, false, &h), TLB_MISS);
    tlb_free(tlb);
    CU_ASSERT_PTR_NULL(tlb_new(3));
    CU_ASSERT_PTR_NULL(tlb_new(257));
}

static void test_global_and_invalid(void)
{
    tlb_t *tlb = tlb_new(4);
    struct tlb_regs g = {0x10000000u | 1, LO(1, VDG), LO(2, VDG), 0};
    struct tlb_regs half = {0x20000000u | 1, LO(3, VDG), LO(4, ENTRYLO_V | ENTRYLO_D), 0};
    struct tlb_regs inv = {0x30000000u | 1, LO(5, ENTRYLO_D), LO(6, 0), 0};
    tlb_write(tlb, 0, &g);
    tlb_write(tlb, 1, &half);
    tlb_write(tlb, 2, &inv);
    struct tlb_hit h;
    CU_ASSERT_EQUAL(tlb_lookup(tlb, 0x10000000u, 77, false, &h), TLB_HIT);  /* global */
    CU_ASSERT_EQUAL(tlb_lookup(tlb, 0x20000000u, 77, false, &h), TLB_MISS); /* G needs both */
    CU_ASSERT_EQUAL(tlb_lookup(tlb, 0x30000000u, 1, false, &h), TLB_INVALID);
    CU_ASSERT_EQUAL(tlb_lookup(tlb, 0x30001000u, 1, true, &h), TLB_INVALID);
    struct tlb_regs rd;
    tlb_read(tlb, 0, &rd);
    CU_ASSERT_EQUAL(rd.entrylo0 & ENTRYLO_G, ENTRYLO_G);
    CU_ASSERT_EQUAL(rd.entrylo1 & ENTRYLO_G, ENTRYLO_G);
    tlb_read(tlb, 1, &rd);
    CU_ASSERT_EQUAL(rd.entrylo0 & ENTRYLO_G, 0);
    CU_ASSERT_EQUAL(rd.entryhi, 0x20000001u);
    CU_ASSERT_EQUAL(tlb_probe(tlb, 0x20000001u), 1);
    CU_ASSERT_EQUAL(tlb_probe(tlb, 0x10000000u | 200), 0);
    CU_ASSERT_EQUAL(tlb_probe(tlb, 0x20000002u), -1);
    tlb_free(tlb);
}

static void test_pagemask(void)
{
    tlb_t *tlb = tlb_new(4);
    /* 16 KiB pages: the pair covers 32 KiB; VPN2 bits under the mask are ignored. */
    struct tlb_regs r = {0x00408000u | 0x4000u, LO(0x400, ENTRYLO_V), LO(0x800, ENTRYLO_V),
                         0x6000u};
    tlb_write(tlb, 0, &r);
    struct tlb_hit h;
    CU_ASSERT_EQUAL(tlb_lookup(tlb, 0x00409234u, 0, false, &h), TLB_HIT);
    CU_ASSERT_EQUAL(h.paddr, 0x00401234u);
    CU_ASSERT_EQUAL(h.page_mask, 0x3FFFu);
    CU_ASSERT_EQUAL(tlb_lookup(tlb, 0x0040C010u, 0, false, &h), TLB_HIT);
    CU_ASSERT_EQUAL(h.paddr, 0x00800010u);
    /* 16 MiB pages. */
    struct tlb_regs big = {0x40000000u, LO(0x01000, ENTRYLO_V), LO(0x02000, ENTRYLO_V),
                           0x01FFE000u};
    tlb_write(tlb, 1, &big);
    CU_ASSERT_EQUAL(tlb_lookup(tlb, 0x40ABCDEFu, 0, false, &h), TLB_HIT);
    CU_ASSERT_EQUAL(h.paddr, 0x01ABCDEFu);
    CU_ASSERT_EQUAL(tlb_lookup(tlb, 0x41000004u, 0, false, &h), TLB_HIT);
    CU_ASSERT_EQUAL(h.paddr, 0x02000004u);
    struct tlb_regs rd;
    tlb_read(tlb, 1, &rd);
    CU_ASSERT_EQUAL(rd.pagemask, 0x01FFE000u);
    tlb_free(tlb);
}

/* Code: write one entry through CP0 + TLBWI. */
#define WRITE_ENTRY(idx, hi, lo0, lo1, pm)                                                         \
    ADDIU(T0, ZERO, idx), MTC0(T0, C0_INDEX, 0), LI(T0, hi), MTC0(T0, C0_ENTRYHI, 0), LI(T0, lo0), \
        MTC0(T0, C0_ENTRYLO0, 0), LI(T0, lo1), MTC0(T0, C0_ENTRYLO1, 0), LI(T0, pm),               \
        MTC0(T0, C0_PAGEMASK, 0), TLBWI

static void test_cpu_tlbwi_tlbr_tlbp(void)
{
    struct tm t = tm_new(true);
    CU_ASSERT_EQUAL(TM_RUN(&t, WRITE_ENTRY(5, 0x00400007u, LO(0x10, VDG), LO(0x11, VDG), 0x6000u),
                           MTC0(ZERO, C0_ENTRYHI, 0), MTC0(ZERO, C0_ENTRYLO0, 0),
                           ADDIU(T0, ZERO, 5), MTC0(T0, C0_INDEX, 0), TLBR, MFC0(T1, C0_ENTRYHI, 0),
                           MFC0(T2, C0_ENTRYLO0, 0), MFC0(T3, C0_PAGEMASK, 0), LI(T0, 0x00400009u),
                           MTC0(T0, C0_ENTRYHI, 0), TLBP, MFC0(S0, C0_INDEX, 0),
                           LI(T0, 0x00800000u), MTC0(T0, C0_ENTRYHI, 0), TLBP,
                           MFC0(V0, C0_INDEX, 0)),
                    TM_STOP_DONE);
    CU_ASSERT_EQUAL(G(&t, T1), 0x00400007u);
    CU_ASSERT_EQUAL(G(&t, T2), LO(0x10, VDG));
    CU_ASSERT_EQUAL(G(&t, T3), 0x6000u);
    CU_ASSERT_EQUAL(G(&t, S0), 5); /* global: found under another ASID */
    CU_ASSERT(G(&t, V0) & 0x80000000u);
    tm_free(&t);
}

static void test_refill_exception(void)
{
    struct tm t = tm_new(true);
    CU_ASSERT_EQUAL(TM_RUN(&t, ADDIU(T0, ZERO, 0x2A), MTC0(T0, C0_ENTRYHI, 0), LI(T0, 0xFF800000u),
                           MTC0(T0, C0_CONTEXT, 0), LI(S0, 0x00403ABCu), LW(T1, 0, S0)),
                    TM_STOP_REFILL);
    CU_ASSERT_EQUAL(CAUSE_EXC(&t), EXC_TLBL);
    CU_ASSERT_EQUAL(cpu_cp0_read(t.cpu, C0_BADVADDR, 0), 0x00403ABCu);
    CU_ASSERT_EQUAL(cpu_cp0_read(t.cpu, C0_ENTRYHI, 0), 0x00402000u | 0x2A);
    CU_ASSERT_EQUAL(cpu_cp0_read(t.cpu, C0_CONTEXT, 0), 0xFF800000u | (0x00402000u >> 9));
    CU_ASSERT_EQUAL(cpu_cp0_read(t.cpu, C0_EPC, 0), TM_CODE + 28);
    struct cpu_stats st;
    cpu_get_stats(t.cpu, &st);
    CU_ASSERT_EQUAL(st.tlb_refills, 1);
    tm_free(&t);

    /* Store miss: TLBS through the refill vector. */
    t = tm_new(true);
    CU_ASSERT_EQUAL(TM_RUN(&t, LI(S0, 0x00403000u), SW(ZERO, 0, S0)), TM_STOP_REFILL);
    CU_ASSERT_EQUAL(CAUSE_EXC(&t), EXC_TLBS);
    tm_free(&t);

    /* With EXL set, a miss goes to the general vector. */
    t = tm_new(true);
    CU_ASSERT_EQUAL(TM_RUN(&t, ADDIU(T0, ZERO, ST_EXL), MTC0(T0, C0_STATUS, 0), LI(S0, 0x00403000u),
                           LW(T1, 0, S0)),
                    TM_STOP_GENERAL);
    CU_ASSERT_EQUAL(CAUSE_EXC(&t), EXC_TLBL);
    tm_free(&t);
}

static void test_invalid_and_modified(void)
{
    struct tm t = tm_new(true);
    CU_ASSERT_EQUAL(
        TM_RUN(&t,
               WRITE_ENTRY(0, 0x00400000u, LO(0x10, ENTRYLO_G), LO(0x11, ENTRYLO_G | ENTRYLO_V), 0),
               LI(S0, 0x00400010u), LW(T1, 0, S0)),
        TM_STOP_GENERAL);
    CU_ASSERT_EQUAL(CAUSE_EXC(&t), EXC_TLBL);
    CU_ASSERT_EQUAL(cpu_cp0_read(t.cpu, C0_BADVADDR, 0), 0x00400010u);
    tm_free(&t);

    t = tm_new(true);
    CU_ASSERT_EQUAL(
        TM_RUN(&t,
               WRITE_ENTRY(0, 0x00400000u, LO(0x10, ENTRYLO_G), LO(0x11, ENTRYLO_G | ENTRYLO_V), 0),
               LI(S0, 0x00401010u), LW(T1, 0, S0), SW(T1, 0, S0)),
        TM_STOP_GENERAL);
    CU_ASSERT_EQUAL(CAUSE_EXC(&t), EXC_MOD);
    CU_ASSERT_EQUAL(cpu_cp0_read(t.cpu, C0_BADVADDR, 0), 0x00401010u);
    CU_ASSERT_EQUAL(cpu_cp0_read(t.cpu, C0_ENTRYHI, 0) & ENTRYHI_VPN2_MASK, 0x00400000u);
    tm_free(&t);
}

static void test_mapped_access_and_cache_invalidation(void)
{
    struct tm t = tm_new(true);
    tm_put32(&t, 0x80010000u, 111);
    tm_put32(&t, 0x80020000u, 222);
    CU_ASSERT_EQUAL(TM_RUN(&t, WRITE_ENTRY(0, 0x00400000u, LO(0x10, VDG), 0, 0),
                           LI(S0, 0x00400000u), LW(T1, 0, S0),
                           /* remap the same page to another frame: must see it at once */
                           LI(T0, LO(0x20, VDG)), MTC0(T0, C0_ENTRYLO0, 0), TLBWI, LW(T2, 0, S0),
                           ADDIU(T3, ZERO, 5), SW(T3, 4, S0)),
                    TM_STOP_DONE);
    CU_ASSERT_EQUAL(G(&t, T1), 111);
    CU_ASSERT_EQUAL(G(&t, T2), 222);
    CU_ASSERT_EQUAL(tm_get32(&t, 0x80020004u), 5);
    tm_free(&t);

    /* A non-global entry stops matching when the ASID changes. */
    t = tm_new(true);
    tm_put32(&t, 0x80010000u, 111);
    CU_ASSERT_EQUAL(TM_RUN(&t, WRITE_ENTRY(0, 0x00400001u, LO(0x10, ENTRYLO_V), 0, 0),
                           LI(S0, 0x00400000u), LW(T1, 0, S0), ADDIU(T0, ZERO, 2),
                           MTC0(T0, C0_ENTRYHI, 0), LW(T2, 0, S0)),
                    TM_STOP_REFILL);
    CU_ASSERT_EQUAL(G(&t, T1), 111);
    CU_ASSERT_EQUAL(G(&t, T2), 0);
    tm_free(&t);

    /* The host writes the TLB directly (as a monitor does): the CPU follows. */
    t = tm_new(true);
    tm_put32(&t, 0x80010000u, 111);
    tm_put32(&t, 0x80020000u, 222);
    struct tlb_regs r = {0x00400000u, LO(0x10, VDG), 0, 0};
    tlb_write(cpu_tlb(t.cpu), 0, &r);
    CU_ASSERT_EQUAL(TM_RUN(&t, LI(S0, 0x00400000u), LW(T1, 0, S0), HYPCALL(4), LW(T2, 0, S0)), 4);
    CU_ASSERT_EQUAL(G(&t, T1), 111);
    r.entrylo0 = LO(0x20, VDG);
    tlb_write(cpu_tlb(t.cpu), 0, &r);
    cpu_trap_skip(t.cpu);
    CU_ASSERT_EQUAL(tm_continue(&t), TM_STOP_DONE);
    CU_ASSERT_EQUAL(G(&t, T2), 222);
    tm_free(&t);
}

static void test_tlbwr_random_wired(void)
{
    struct tm t = tm_new(true); /* 16 pairs */
    uint32_t code[64];
    size_t n = 0;
    code[n++] = ADDIU(T0, ZERO, 10);
    code[n++] = MTC0(T0, C0_WIRED, 0);
    code[n++] = MFC0(T1, C0_RANDOM, 0);
    code[n++] = LUI(T0, 0x0040);
    code[n++] = MTC0(T0, C0_ENTRYHI, 0);
    for (int i = 0; i < 20; i++) {
        code[n++] = TLBWR;
        code[n++] = NOP;
    }
    CU_ASSERT_EQUAL(tm_run_code(&t, code, n), TM_STOP_DONE);
    CU_ASSERT_EQUAL(G(&t, T1), 15); /* writing Wired resets Random to N-1 */
    tlb_t *tlb = cpu_tlb(t.cpu);
    int written = 0;
    for (unsigned i = 0; i < 16; i++) {
        struct tlb_regs r;
        tlb_read(tlb, i, &r);
        if (r.entryhi == 0x00400000u) {
            CU_ASSERT(i >= 10);
            written++;
        }
    }
    CU_ASSERT(written >= 2); /* Random moves between writes */
    uint32_t rnd = cpu_cp0_read(t.cpu, C0_RANDOM, 0);
    CU_ASSERT(rnd >= 10 && rnd <= 15);
    tm_free(&t);
}

#define RUN_MODE(t, ksu, ...) TM_RUN_MODE(t, ksu, 0, __VA_ARGS__)

static void test_user_mode_segments(void)
{
    struct tm t = tm_new(true);
    CU_ASSERT_EQUAL(RUN_MODE(&t, 2, LUI(S0, 0x8000), LW(T1, 0, S0)), TM_STOP_GENERAL);
    CU_ASSERT_EQUAL(CAUSE_EXC(&t), EXC_ADEL);
    CU_ASSERT_EQUAL(cpu_cp0_read(t.cpu, C0_BADVADDR, 0), 0x80000000u);
    CU_ASSERT_EQUAL(cpu_cp0_read(t.cpu, C0_EPC, 0), 0x00400004u);
    CU_ASSERT_EQUAL(cpu_mode(t.cpu), 0); /* the exception entered kernel mode */
    tm_free(&t);

    t = tm_new(true);
    CU_ASSERT_EQUAL(RUN_MODE(&t, 2, LUI(S0, 0xC000), SW(ZERO, 0, S0)), TM_STOP_GENERAL);
    CU_ASSERT_EQUAL(CAUSE_EXC(&t), EXC_ADES);
    tm_free(&t);

    /* Supervisor may use ksseg (mapped: a refill here) but not kseg0. */
    t = tm_new(true);
    CU_ASSERT_EQUAL(RUN_MODE(&t, 1, LUI(S0, 0xC000), LW(T1, 0, S0)), TM_STOP_REFILL);
    tm_free(&t);
    t = tm_new(true);
    CU_ASSERT_EQUAL(RUN_MODE(&t, 1, LUI(S0, 0xA000), LW(T1, 0, S0)), TM_STOP_GENERAL);
    CU_ASSERT_EQUAL(CAUSE_EXC(&t), EXC_ADEL);
    tm_free(&t);

    /* Privileged instructions in user mode: CpU; SYSCALL: Sys with EPC. */
    t = tm_new(true);
    CU_ASSERT_EQUAL(RUN_MODE(&t, 2, MTC0(ZERO, C0_STATUS, 0)), TM_STOP_GENERAL);
    CU_ASSERT_EQUAL(CAUSE_EXC(&t), EXC_CPU);
    CU_ASSERT_EQUAL((cpu_cp0_read(t.cpu, C0_CAUSE, 0) & CAUSE_CE_MASK), 0);
    tm_free(&t);
    t = tm_new(true);
    CU_ASSERT_EQUAL(RUN_MODE(&t, 2, NOP, TLBWI), TM_STOP_GENERAL);
    CU_ASSERT_EQUAL(CAUSE_EXC(&t), EXC_CPU);
    tm_free(&t);
    t = tm_new(true);
    CU_ASSERT_EQUAL(RUN_MODE(&t, 2, NOP, CACHE(0, 0, ZERO)), TM_STOP_GENERAL);
    CU_ASSERT_EQUAL(CAUSE_EXC(&t), EXC_CPU);
    tm_free(&t);
    t = tm_new(true);
    CU_ASSERT_EQUAL(RUN_MODE(&t, 2, NOP, NOP, SYSCALL), TM_STOP_GENERAL);
    CU_ASSERT_EQUAL(CAUSE_EXC(&t), EXC_SYS);
    CU_ASSERT_EQUAL(cpu_cp0_read(t.cpu, C0_EPC, 0), 0x00400008u);
    tm_free(&t);
    /* Status.CU0 makes CP0 usable from user mode. */
    t = tm_new(true);
    CU_ASSERT_EQUAL(TM_RUN_MODE(&t, 2, ST_CU0, MFC0(T1, C0_PRID, 0)), TM_STOP_DONE);
    CU_ASSERT_EQUAL(G(&t, T1), 0x00540100u);
    tm_free(&t);
}

static void test_erl_unmaps_kuseg(void)
{
    struct tm t = tm_new(true);
    tm_put32(&t, 0x80003000u, 0x5151);
    CU_ASSERT_EQUAL(TM_RUN(&t, ADDIU(T0, ZERO, ST_ERL), MTC0(T0, C0_STATUS, 0), LI(S0, 0x00003000u),
                           LW(T1, 0, S0)),
                    TM_STOP_DONE);
    CU_ASSERT_EQUAL(G(&t, T1), 0x5151);
    tm_free(&t);
}

static void test_rixi(void)
{
    tlb_t *tlb = tlb_new(8);
    struct tlb_hit h;
    struct tlb_regs r = {0x00400000u, LO(0x100, VDG | ENTRYLO_RI), LO(0x101, VDG | ENTRYLO_XI), 0};
    /* Release 2 (the default): the bits are not kept, nothing is inhibited. */
    tlb_write(tlb, 0, &r);
    CU_ASSERT_EQUAL(tlb_lookup(tlb, 0x00400000u, 0, TLB_LOAD, &h), TLB_HIT);
    CU_ASSERT_EQUAL(tlb_lookup(tlb, 0x00401000u, 0, TLB_FETCH, &h), TLB_HIT);
    struct tlb_regs back;
    tlb_read(tlb, 0, &back);
    CU_ASSERT_EQUAL(back.entrylo0 & (ENTRYLO_RI | ENTRYLO_XI), 0);
    /* With the extension: RI stops loads only, XI fetches only; TLB_PEEK neither. */
    tlb_set_rixi(tlb, true);
    tlb_write(tlb, 0, &r);
    CU_ASSERT_EQUAL(tlb_lookup(tlb, 0x00400010u, 0, TLB_LOAD, &h), TLB_READ_INHIBIT);
    CU_ASSERT_EQUAL(tlb_lookup(tlb, 0x00400010u, 0, TLB_FETCH, &h), TLB_HIT);
    CU_ASSERT_EQUAL(tlb_lookup(tlb, 0x00400010u, 0, TLB_STORE, &h), TLB_HIT);
    CU_ASSERT_EQUAL(tlb_lookup(tlb, 0x00400010u, 0, TLB_PEEK, &h), TLB_HIT);
    CU_ASSERT_EQUAL(tlb_lookup(tlb, 0x00401010u, 0, TLB_FETCH, &h), TLB_EXEC_INHIBIT);
    CU_ASSERT_EQUAL(tlb_lookup(tlb, 0x00401010u, 0, TLB_LOAD, &h), TLB_HIT);
    CU_ASSERT_EQUAL(tlb_lookup(tlb, 0x00401010u, 0, TLB_PEEK, &h), TLB_HIT);
    tlb_read(tlb, 0, &back);
    CU_ASSERT_EQUAL(back.entrylo0 & ENTRYLO_RI, ENTRYLO_RI);
    tlb_free(tlb);
}

static void test_cpu_rixi_exceptions(void)
{
    /* The CPU with CPU_EXT_RIXI: a load from an RI page raises TLBRI (19), a
     * fetch from an XI page TLBXI (20), with BadVAddr; debug reads ignore both. */
    struct tm t = tm_new(true);
    cpu_set_ext(t.cpu, CPU_EXT_RIXI);
    struct tlb_regs r = {0x00400000u, LO(0x10, VDG | ENTRYLO_RI), LO(0x11, VDG | ENTRYLO_XI), 0};
    cpu_tlb_write(t.cpu, 0, &r);
    uint32_t w;
    CU_ASSERT_TRUE(cpu_debug_read(t.cpu, 0x00400008u, 4, &w));
    CU_ASSERT_EQUAL(TM_RUN(&t, LI(S0, 0x00400008u), LW(T1, 0, S0)), TM_STOP_GENERAL);
    CU_ASSERT_EQUAL(CAUSE_EXC(&t), EXC_TLBRI);
    CU_ASSERT_EQUAL(cpu_cp0_read(t.cpu, C0_BADVADDR, 0), 0x00400008u);
    tm_free(&t);

    t = tm_new(true);
    cpu_set_ext(t.cpu, CPU_EXT_RIXI);
    cpu_tlb_write(t.cpu, 0, &r);
    CU_ASSERT_EQUAL(TM_RUN(&t, LI(S0, 0x00401000u), SW(S0, 0, S0), JR(S0), NOP), TM_STOP_GENERAL);
    CU_ASSERT_EQUAL(CAUSE_EXC(&t), EXC_TLBXI);
    CU_ASSERT_EQUAL(cpu_cp0_read(t.cpu, C0_EPC, 0), 0x00401000u);
    CU_ASSERT_EQUAL(tm_get32(&t, 0x80011000u), 0x00401000u); /* stores were allowed */
    /* Without the extension the same entries inhibit nothing. */
    cpu_set_ext(t.cpu, 0);
    cpu_tlb_write(t.cpu, 0, &r);
    CU_ASSERT_EQUAL(TM_RUN(&t, LI(S0, 0x00400008u), LW(T1, 0, S0)), TM_STOP_DONE);
    tm_free(&t);
}

static const struct test_case tests[] = {
    {"RI/XI bits: kept only with the extension", test_rixi},
    {"TLBRI and TLBXI exceptions", test_cpu_rixi_exceptions},
    {"lookup: pairs, ASID, dirty", test_lookup_pairs_asid},
    {"global and invalid entries, TLBR view, probe", test_global_and_invalid},
    {"PageMask 16 KiB and 16 MiB", test_pagemask},
    {"TLBWI/TLBR/TLBP through CP0", test_cpu_tlbwi_tlbr_tlbp},
    {"refill exception CP0 state", test_refill_exception},
    {"invalid and modified exceptions", test_invalid_and_modified},
    {"mapped access, remap, ASID change, host writes", test_mapped_access_and_cache_invalidation},
    {"TLBWR, Random and Wired", test_tlbwr_random_wired},
    {"user and supervisor segment rules", test_user_mode_segments},
    {"ERL unmaps kuseg", test_erl_unmaps_kuseg},
};

CUNIT_MAIN("tlb", tests)
