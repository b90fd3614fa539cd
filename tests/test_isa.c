/*
 * tests/test_isa.c — every instruction class of the integer ISA, with the
 * corner cases the MIPS32 manual specifies, in both byte orders where the
 * byte order matters.
 */
#include "cunit_main.h"
#include "tmachine.h"

enum {
    ZERO = 0,
    V0 = 2,
    V1 = 3,
    A0 = 4,
    A1 = 5,
    T0 = 8,
    T1 = 9,
    T2 = 10,
    T3 = 11,
    T4 = 12,
    S0 = 16,
    S1 = 17,
    RA = 31
};

#define G(t, n)      cpu_gpr((t)->cpu, (n))
#define LI(r, v)     LUI(r, (uint32_t)(v) >> 16), ORI(r, r, (uint32_t)(v)&0xFFFF)
#define CAUSE_EXC(t) ((cpu_cp0_read((t)->cpu, C0_CAUSE, 0) & CAUSE_EXC_MASK) >> CAUSE_EXC_SHIFT)

static void test_alu(void)
{
    struct tm t = tm_new(true);
    CU_ASSERT_EQUAL(TM_RUN(&t, LI(T0, 0x7FFFFFFF), ADDIU(T1, ZERO, -1), ADDU(T2, T0, T1),
                           SUBU(T3, T1, T0), AND(T4, T0, T1), OR(S0, ZERO, T1), XOR(S1, T0, T1),
                           NOR(V0, T0, ZERO), SLT(V1, T1, T0), SLTU(A0, T1, T0), SLTI(A1, T1, 0),
                           SLTIU(RA, T0, -1), ANDI(T0, T1, 0x8001), XORI(T1, T1, 0xFFFF)),
                    TM_STOP_DONE);
    CU_ASSERT_EQUAL(G(&t, T2), 0x7FFFFFFE);
    CU_ASSERT_EQUAL(G(&t, T3), 0x80000000);
    CU_ASSERT_EQUAL(G(&t, T4), 0x7FFFFFFF);
    CU_ASSERT_EQUAL(G(&t, S0), 0xFFFFFFFF);
    CU_ASSERT_EQUAL(G(&t, S1), 0x80000000);
    CU_ASSERT_EQUAL(G(&t, V0), 0x80000000);
    CU_ASSERT_EQUAL(G(&t, V1), 1); /* -1 < 0x7FFFFFFF signed */
    CU_ASSERT_EQUAL(G(&t, A0), 0); /* 0xFFFFFFFF > 0x7FFFFFFF unsigned */
    CU_ASSERT_EQUAL(G(&t, A1), 1);
    CU_ASSERT_EQUAL(G(&t, RA), 1); /* SLTIU sign-extends its immediate */
    CU_ASSERT_EQUAL(G(&t, T0), 0x8001);
    CU_ASSERT_EQUAL(G(&t, T1), 0xFFFF0000);
    tm_free(&t);
}

static void test_zero_register(void)
{
    struct tm t = tm_new(true);
    CU_ASSERT_EQUAL(TM_RUN(&t, ADDIU(ZERO, ZERO, 5), ADDU(T0, ZERO, ZERO), LUI(ZERO, 0x1234),
                           OR(T1, ZERO, ZERO)),
                    TM_STOP_DONE);
    CU_ASSERT_EQUAL(G(&t, ZERO), 0);
    CU_ASSERT_EQUAL(G(&t, T0), 0);
    CU_ASSERT_EQUAL(G(&t, T1), 0);
    tm_free(&t);
}

static void test_shifts(void)
{
    struct tm t = tm_new(true);
    CU_ASSERT_EQUAL(TM_RUN(&t, LI(T0, 0x80000011), ADDIU(T1, ZERO, 33), SLL(T2, T0, 4),
                           SRL(T3, T0, 4), SRA(T4, T0, 4), SLLV(S0, T0, T1), SRLV(S1, T0, T1),
                           SRAV(V0, T0, T1), ROTR(V1, T0, 4), ROTRV(A0, T0, T1), ROTR(A1, T0, 0)),
                    TM_STOP_DONE);
    CU_ASSERT_EQUAL(G(&t, T2), 0x00000110);
    CU_ASSERT_EQUAL(G(&t, T3), 0x08000001);
    CU_ASSERT_EQUAL(G(&t, T4), 0xF8000001);
    CU_ASSERT_EQUAL(G(&t, S0), 0x00000022); /* shift amount is rs & 31 */
    CU_ASSERT_EQUAL(G(&t, S1), 0x40000008);
    CU_ASSERT_EQUAL(G(&t, V0), 0xC0000008);
    CU_ASSERT_EQUAL(G(&t, V1), 0x18000001);
    CU_ASSERT_EQUAL(G(&t, A0), 0xC0000008);
    CU_ASSERT_EQUAL(G(&t, A1), 0x80000011);
    tm_free(&t);
}

static void test_muldiv(void)
{
    struct tm t = tm_new(true);
    CU_ASSERT_EQUAL(TM_RUN(&t, ADDIU(T0, ZERO, -7), ADDIU(T1, ZERO, 2), MULT(T0, T1), MFHI(T2),
                           MFLO(T3), MULTU(T0, T1), MFHI(T4), DIV(T0, T1), MFLO(S0), MFHI(S1),
                           DIVU(T0, T1), MFLO(V0), MFHI(V1), MUL(A0, T0, T0)),
                    TM_STOP_DONE);
    CU_ASSERT_EQUAL(G(&t, T2), 0xFFFFFFFF);
    CU_ASSERT_EQUAL(G(&t, T3), (uint32_t)-14);
    CU_ASSERT_EQUAL(G(&t, T4), 1);            /* 0xFFFFFFF9 * 2 = 0x1_FFFFFFF2 */
    CU_ASSERT_EQUAL(G(&t, S0), (uint32_t)-3); /* truncates toward zero */
    CU_ASSERT_EQUAL(G(&t, S1), (uint32_t)-1); /* remainder has the dividend's sign */
    CU_ASSERT_EQUAL(G(&t, V0), 0x7FFFFFFC);
    CU_ASSERT_EQUAL(G(&t, V1), 1);
    CU_ASSERT_EQUAL(G(&t, A0), 49);
    tm_free(&t);

    t = tm_new(true);
    CU_ASSERT_EQUAL(TM_RUN(&t, ADDIU(T0, ZERO, 3), MTHI(T0), ADDIU(T1, ZERO, -1), MTLO(T1),
                           ADDIU(T2, ZERO, -2), ADDIU(T3, ZERO, 5), MADD(T2, T3), MFHI(S0),
                           MFLO(S1), MSUBU(T3, T3), MFHI(V0), MFLO(V1)),
                    TM_STOP_DONE);
    /* 0x3_FFFFFFFF + (-10) = 0x3_FFFFFFF5; minus 25 = 0x3_FFFFFFDC */
    CU_ASSERT_EQUAL(G(&t, S0), 3);
    CU_ASSERT_EQUAL(G(&t, S1), 0xFFFFFFF5);
    CU_ASSERT_EQUAL(G(&t, V0), 3);
    CU_ASSERT_EQUAL(G(&t, V1), 0xFFFFFFDC);
    tm_free(&t);
}

static void test_div_unpredictable(void)
{
    /* Division by zero is UNPREDICTABLE: documented as LO = dividend, HI = 0, no trap. */
    struct tm t = tm_new(true);
    CU_ASSERT_EQUAL(TM_RUN(&t, ADDIU(T0, ZERO, 42), DIV(T0, ZERO), MFLO(T1), MFHI(T2),
                           LUI(T3, 0x8000), ADDIU(T4, ZERO, -1), DIV(T3, T4), MFLO(S0), MFHI(S1)),
                    TM_STOP_DONE);
    CU_ASSERT_EQUAL(G(&t, T1), 42);
    CU_ASSERT_EQUAL(G(&t, T2), 0);
    CU_ASSERT_EQUAL(G(&t, S0), 0x80000000);
    CU_ASSERT_EQUAL(G(&t, S1), 0);
    tm_free(&t);
}

static void test_bit_ops(void)
{
    struct tm t = tm_new(true);
    CU_ASSERT_EQUAL(TM_RUN(&t, LI(T0, 0x00F0FF80), CLZ(T1, T0), CLO(T2, T0), CLZ(T3, ZERO),
                           ADDIU(T4, ZERO, -1), CLO(S0, T4), EXT(S1, T0, 4, 12), LI(V0, 0xFFFFFFFF),
                           INS(V0, T0, 8, 8), WSBH(V1, T0), SEB(A0, T0), SEH(A1, T0)),
                    TM_STOP_DONE);
    CU_ASSERT_EQUAL(G(&t, T1), 8);
    CU_ASSERT_EQUAL(G(&t, T2), 0);
    CU_ASSERT_EQUAL(G(&t, T3), 32);
    CU_ASSERT_EQUAL(G(&t, S0), 32);
    CU_ASSERT_EQUAL(G(&t, S1), 0xFF8);
    CU_ASSERT_EQUAL(G(&t, V0), 0xFFFF80FF);
    CU_ASSERT_EQUAL(G(&t, V1), 0xF00080FF);
    CU_ASSERT_EQUAL(G(&t, A0), 0xFFFFFF80);
    CU_ASSERT_EQUAL(G(&t, A1), 0xFFFFFF80);
    tm_free(&t);
}

static void test_movz_movn(void)
{
    struct tm t = tm_new(true);
    CU_ASSERT_EQUAL(TM_RUN(&t, ADDIU(T0, ZERO, 7), ADDIU(T1, ZERO, 1), ADDIU(T2, ZERO, 9),
                           ADDIU(T3, ZERO, 9), MOVZ(T2, T0, ZERO), MOVZ(T3, T0, T1),
                           ADDIU(T4, ZERO, 9), ADDIU(S0, ZERO, 9), MOVN(T4, T0, T1),
                           MOVN(S0, T0, ZERO)),
                    TM_STOP_DONE);
    CU_ASSERT_EQUAL(G(&t, T2), 7);
    CU_ASSERT_EQUAL(G(&t, T3), 9);
    CU_ASSERT_EQUAL(G(&t, T4), 7);
    CU_ASSERT_EQUAL(G(&t, S0), 9);
    tm_free(&t);
}

static void test_overflow(void)
{
    struct tm t = tm_new(true);
    /* ADD overflows: Ov, destination untouched, EPC at the ADD. */
    CU_ASSERT_EQUAL(TM_RUN(&t, LI(T0, 0x7FFFFFFF), ADDIU(T2, ZERO, 5), ADD(T2, T0, T0)),
                    TM_STOP_GENERAL);
    CU_ASSERT_EQUAL(CAUSE_EXC(&t), EXC_OV);
    CU_ASSERT_EQUAL(cpu_cp0_read(t.cpu, C0_EPC, 0), TM_CODE + 12);
    CU_ASSERT_EQUAL(G(&t, T2), 5);
    CU_ASSERT(cpu_cp0_read(t.cpu, C0_STATUS, 0) & ST_EXL);
    tm_free(&t);

    t = tm_new(true);
    CU_ASSERT_EQUAL(TM_RUN(&t, LUI(T0, 0x8000), ADDI(T1, T0, -1)), TM_STOP_GENERAL);
    CU_ASSERT_EQUAL(CAUSE_EXC(&t), EXC_OV);
    tm_free(&t);

    t = tm_new(true);
    CU_ASSERT_EQUAL(TM_RUN(&t, LUI(T0, 0x8000), ADDIU(T1, ZERO, 1), SUB(T2, T0, T1)),
                    TM_STOP_GENERAL);
    CU_ASSERT_EQUAL(CAUSE_EXC(&t), EXC_OV);
    tm_free(&t);

    /* The unsigned forms never trap. */
    t = tm_new(true);
    CU_ASSERT_EQUAL(TM_RUN(&t, LI(T0, 0x7FFFFFFF), ADDU(T1, T0, T0), ADD(T2, T0, ZERO)),
                    TM_STOP_DONE);
    CU_ASSERT_EQUAL(G(&t, T1), 0xFFFFFFFE);
    tm_free(&t);
}

static void test_branches(void)
{
    struct tm t = tm_new(true);
    /* Taken BEQ: delay slot runs, the skipped instruction does not. */
    CU_ASSERT_EQUAL(TM_RUN(&t, BEQ(ZERO, ZERO, 2), ADDIU(T0, ZERO, 1), ADDIU(T1, ZERO, 1),
                           ADDIU(T2, ZERO, 1), BNE(ZERO, ZERO, 2), ADDIU(T3, ZERO, 1),
                           ADDIU(T4, ZERO, 1)),
                    TM_STOP_DONE);
    CU_ASSERT_EQUAL(G(&t, T0), 1);
    CU_ASSERT_EQUAL(G(&t, T1), 0);
    CU_ASSERT_EQUAL(G(&t, T2), 1);
    CU_ASSERT_EQUAL(G(&t, T3), 1); /* not-taken branch still executes its delay slot */
    CU_ASSERT_EQUAL(G(&t, T4), 1);
    tm_free(&t);

    t = tm_new(true);
    CU_ASSERT_EQUAL(TM_RUN(&t, ADDIU(T0, ZERO, -1), BLTZ(T0, 2), NOP, ADDIU(T1, ZERO, 1),
                           BGEZ(ZERO, 2), NOP, ADDIU(T2, ZERO, 1), BLEZ(ZERO, 2), NOP,
                           ADDIU(T3, ZERO, 1), BGTZ(T0, 2), NOP, ADDIU(T4, ZERO, 1)),
                    TM_STOP_DONE);
    CU_ASSERT_EQUAL(G(&t, T1), 0);
    CU_ASSERT_EQUAL(G(&t, T2), 0);
    CU_ASSERT_EQUAL(G(&t, T3), 0);
    CU_ASSERT_EQUAL(G(&t, T4), 1);
    tm_free(&t);
}

static void test_jumps_link(void)
{
    struct tm t = tm_new(true);
    /* JAL to +20, link = pc + 8; JR $ra back; J over; JALR; BGEZAL / BLTZAL links. */
    CU_ASSERT_EQUAL(TM_RUN(&t, JAL(TM_CODE + 20), ADDIU(T0, ZERO, 1), ADDIU(T1, ZERO, 1),
                           J(TM_CODE + 40), NOP, /* +20 */ JR(RA), ADDIU(T2, RA, 0), NOP, NOP, NOP,
                           /* +40 */ LI(T3, TM_CODE + 60), JALR(S0, T3), NOP, NOP,
                           /* +60 */ BGEZAL(ZERO, 2), NOP, NOP, /* +72 */ BLTZAL(ZERO, 2), NOP),
                    TM_STOP_DONE);
    CU_ASSERT_EQUAL(G(&t, T0), 1);
    CU_ASSERT_EQUAL(G(&t, T1), 1); /* returned to TM_CODE + 8 through JR $ra */
    CU_ASSERT_EQUAL(G(&t, T2), TM_CODE + 8);
    CU_ASSERT_EQUAL(G(&t, S0), TM_CODE + 56);
    CU_ASSERT_EQUAL(G(&t, RA), TM_CODE + 80); /* BLTZAL links even when not taken */
    tm_free(&t);
}

static void test_branch_likely(void)
{
    struct tm t = tm_new(true);
    CU_ASSERT_EQUAL(TM_RUN(&t, BEQL(ZERO, ZERO, 2), ADDIU(T0, ZERO, 1), ADDIU(T1, ZERO, 1),
                           BNEL(ZERO, ZERO, 2), ADDIU(T2, ZERO, 1), ADDIU(T3, ZERO, 1),
                           BLTZL(ZERO, 1), ADDIU(T4, ZERO, 1), BGEZL(ZERO, 1), ADDIU(S0, ZERO, 1)),
                    TM_STOP_DONE);
    CU_ASSERT_EQUAL(G(&t, T0), 1); /* taken: delay slot runs */
    CU_ASSERT_EQUAL(G(&t, T1), 0);
    CU_ASSERT_EQUAL(G(&t, T2), 0); /* not taken: delay slot nullified */
    CU_ASSERT_EQUAL(G(&t, T3), 1);
    CU_ASSERT_EQUAL(G(&t, T4), 0);
    CU_ASSERT_EQUAL(G(&t, S0), 1);
    tm_free(&t);
}

static void test_delay_slot_exception(void)
{
    struct tm t = tm_new(true);
    /* A misaligned load in a taken branch's delay slot: EPC = branch, BD = 1. */
    CU_ASSERT_EQUAL(TM_RUN(&t, LI(T0, TM_DATA + 1), BEQ(ZERO, ZERO, 4), LW(T1, 0, T0)),
                    TM_STOP_GENERAL);
    CU_ASSERT_EQUAL(CAUSE_EXC(&t), EXC_ADEL);
    CU_ASSERT_EQUAL(cpu_cp0_read(t.cpu, C0_EPC, 0), TM_CODE + 8);
    CU_ASSERT(cpu_cp0_read(t.cpu, C0_CAUSE, 0) & CAUSE_BD);
    CU_ASSERT_EQUAL(cpu_cp0_read(t.cpu, C0_BADVADDR, 0), TM_DATA + 1);
    tm_free(&t);

    /* The same load outside a delay slot clears BD. */
    t = tm_new(true);
    CU_ASSERT_EQUAL(TM_RUN(&t, LI(T0, TM_DATA + 2), LW(T1, 0, T0)), TM_STOP_GENERAL);
    CU_ASSERT_FALSE(cpu_cp0_read(t.cpu, C0_CAUSE, 0) & CAUSE_BD);
    CU_ASSERT_EQUAL(cpu_cp0_read(t.cpu, C0_EPC, 0), TM_CODE + 8);
    tm_free(&t);

    /* A branch inside a delay slot is UNPREDICTABLE: documented as RI. */
    t = tm_new(true);
    CU_ASSERT_EQUAL(TM_RUN(&t, BEQ(ZERO, ZERO, 4), BEQ(ZERO, ZERO, 4), NOP), TM_STOP_GENERAL);
    CU_ASSERT_EQUAL(CAUSE_EXC(&t), EXC_RI);
    CU_ASSERT(cpu_cp0_read(t.cpu, C0_CAUSE, 0) & CAUSE_BD);
    tm_free(&t);
}

static void loads_stores(bool be)
{
    struct tm t = tm_new(be);
    CU_ASSERT_EQUAL(TM_RUN(&t, LI(S0, TM_DATA), LI(T0, 0x8899AABB), SW(T0, 0, S0), LB(T1, 0, S0),
                           LBU(T2, 0, S0), LH(T3, 2, S0), LHU(T4, 2, S0), ADDIU(V0, ZERO, 0x1234),
                           SH(V0, 4, S0), SB(V0, 7, S0), LW(V1, 4, S0), LW(A0, 0, S0)),
                    TM_STOP_DONE);
    uint32_t b0 = be ? 0x88 : 0xBB, h2 = be ? 0xAABB : 0x8899;
    CU_ASSERT_EQUAL(G(&t, T1), (uint32_t)(int32_t)(int8_t)b0);
    CU_ASSERT_EQUAL(G(&t, T2), b0);
    CU_ASSERT_EQUAL(G(&t, T3), (uint32_t)(int32_t)(int16_t)h2);
    CU_ASSERT_EQUAL(G(&t, T4), h2);
    CU_ASSERT_EQUAL(G(&t, V1), be ? 0x12340034u : 0x34001234u);
    CU_ASSERT_EQUAL(G(&t, A0), 0x8899AABB);
    /* Memory holds the guest's byte order. */
    uint8_t bytes[4];
    CU_ASSERT_EQUAL(phys_dump(t.phys, TM_DATA & 0x1FFFFFFF, bytes, 4), 0);
    CU_ASSERT_EQUAL(bytes[0], be ? 0x88 : 0xBB);
    CU_ASSERT_EQUAL(bytes[3], be ? 0xBB : 0x88);
    tm_free(&t);
}
static void test_loads_stores_be(void) { loads_stores(true); }
static void test_loads_stores_le(void) { loads_stores(false); }

/* The compiler's idioms for an unaligned word: LWL/LWR pair and SWL/SWR pair. */
static void unaligned(bool be)
{
    for (unsigned off = 0; off < 4; off++) {
        struct tm t = tm_new(be);
        /* bytes 00 11 22 33 44 55 66 77 at TM_DATA */
        uint8_t pattern[8] = {0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77};
        CU_ASSERT_EQUAL(phys_load(t.phys, TM_DATA & 0x1FFFFFFF, pattern, 8), 0);
        uint32_t lo = be ? 0 : 3, hi = be ? 3 : 0;
        CU_ASSERT_EQUAL(TM_RUN(&t, LI(S0, TM_DATA + off), LI(T0, 0xDEADBEEF), LWL(T0, lo, S0),
                               LWR(T0, hi, S0), LI(T1, 0xA1B2C3D4), SWL(T1, lo + 8, S0),
                               SWR(T1, hi + 8, S0), LI(T2, 0xCAFEF00D), LWL(T2, 0, S0),
                               LI(T3, 0xCAFEF00D), LWR(T3, 0, S0)),
                        TM_STOP_DONE);
        uint32_t want = 0;
        for (unsigned i = 0; i < 4; i++)
            want |= (uint32_t)pattern[off + i] << (be ? 24 - 8 * i : 8 * i);
        CU_ASSERT_EQUAL(G(&t, T0), want);
        uint8_t out[4];
        CU_ASSERT_EQUAL(phys_dump(t.phys, (TM_DATA + 8 + off) & 0x1FFFFFFF, out, 4), 0);
        uint32_t got = 0;
        for (unsigned i = 0; i < 4; i++)
            got |= (uint32_t)out[i] << (be ? 24 - 8 * i : 8 * i);
        CU_ASSERT_EQUAL(got, 0xA1B2C3D4);
        /* A lone LWL/LWR merges with the old register contents (BE view shown in the manual). */
        uint32_t word = 0;
        for (unsigned i = 0; i < 4; i++)
            word |= (uint32_t)pattern[(off & ~3u) + i] << (be ? 24 - 8 * i : 8 * i);
        unsigned m = be ? off : 3 - off; /* byte offset from the most significant end */
        uint32_t lwl = (word << (8 * m)) | (0xCAFEF00Du & (uint32_t)((1ull << (8 * m)) - 1));
        unsigned sh = 8 * (3 - m);
        uint32_t lwr = (word >> sh) | (0xCAFEF00Du & ~(uint32_t)(0xFFFFFFFFull >> sh));
        CU_ASSERT_EQUAL(G(&t, T2), lwl);
        CU_ASSERT_EQUAL(G(&t, T3), lwr);
        tm_free(&t);
    }
}
static void test_unaligned_be(void) { unaligned(true); }
static void test_unaligned_le(void) { unaligned(false); }

static void test_ll_sc(void)
{
    struct tm t = tm_new(true);
    CU_ASSERT_EQUAL(TM_RUN(&t, LI(S0, TM_DATA), ADDIU(T0, ZERO, 5), SW(T0, 0, S0), LL(T1, 0, S0),
                           ADDIU(T1, T1, 1), SC(T1, 0, S0), LW(T2, 0, S0), ADDIU(T3, ZERO, 9),
                           SC(T3, 0, S0), LW(T4, 0, S0)),
                    TM_STOP_DONE);
    CU_ASSERT_EQUAL(G(&t, T1), 1); /* SC after LL succeeds */
    CU_ASSERT_EQUAL(G(&t, T2), 6);
    CU_ASSERT_EQUAL(G(&t, T3), 0); /* a second SC without LL fails */
    CU_ASSERT_EQUAL(G(&t, T4), 6);
    tm_free(&t);
}

static void expect_exc(const uint32_t *code, size_t n, unsigned exc, uint32_t epc_off)
{
    struct tm t = tm_new(true);
    CU_ASSERT_EQUAL(tm_run_code(&t, code, n), TM_STOP_GENERAL);
    CU_ASSERT_EQUAL(CAUSE_EXC(&t), exc);
    CU_ASSERT_EQUAL(cpu_cp0_read(t.cpu, C0_EPC, 0), TM_CODE + epc_off);
    tm_free(&t);
}
#define EXPECT_EXC(exc, off, ...)                                                                  \
    do {                                                                                           \
        const uint32_t c_[] = {__VA_ARGS__};                                                       \
        expect_exc(c_, sizeof(c_) / 4, exc, off);                                                  \
    } while (0)

static void test_traps_syscall_break_ri(void)
{
    EXPECT_EXC(EXC_SYS, 4, NOP, SYSCALL);
    EXPECT_EXC(EXC_BP, 0, BREAK);
    EXPECT_EXC(EXC_TR, 4, ADDIU(T0, ZERO, 3), TEQ(T0, T0));
    EXPECT_EXC(EXC_TR, 4, ADDIU(T0, ZERO, 3), TNE(T0, ZERO));
    EXPECT_EXC(EXC_TR, 0, TEQI(ZERO, 0));
    EXPECT_EXC(EXC_TR, 4, ADDIU(T0, ZERO, -1), TGE(ZERO, T0));
    EXPECT_EXC(EXC_RI, 0, 0xEC000000u);             /* opcode 0x3B: reserved */
    EXPECT_EXC(EXC_RI, 0, R_(0, 0, 0, 0, 0, 0x3F)); /* SPECIAL function 0x3F */
    /* Traps that do not fire fall through. */
    struct tm t = tm_new(true);
    CU_ASSERT_EQUAL(
        TM_RUN(&t, ADDIU(T1, ZERO, 1), TEQ(ZERO, T1), TNE(ZERO, ZERO), ADDIU(T0, ZERO, 1)),
        TM_STOP_DONE);
    CU_ASSERT_EQUAL(G(&t, T0), 1);
    tm_free(&t);
}

static void test_coprocessor_unusable(void)
{
    struct tm t = tm_new(true);
    CU_ASSERT_EQUAL(TM_RUN(&t, LWC1(0, 0, ZERO)), TM_STOP_GENERAL);
    CU_ASSERT_EQUAL(CAUSE_EXC(&t), EXC_CPU);
    CU_ASSERT_EQUAL((cpu_cp0_read(t.cpu, C0_CAUSE, 0) & CAUSE_CE_MASK) >> CAUSE_CE_SHIFT, 1);
    tm_free(&t);
    /* FPU arithmetic (COP1): no FPU, Status.CU1 is hardwired to 0. */
    t = tm_new(true);
    CU_ASSERT_EQUAL(TM_RUN(&t, LI(T0, ST_CU1 | ST_CU0), MTC0(T0, C0_STATUS, 0),
                           MFC0(T1, C0_STATUS, 0), 0x46000000u /* add.s */),
                    TM_STOP_GENERAL);
    CU_ASSERT_EQUAL(G(&t, T1), ST_CU0);
    CU_ASSERT_EQUAL(CAUSE_EXC(&t), EXC_CPU);
    tm_free(&t);
}

static void test_address_errors(void)
{
    struct tm t = tm_new(true);
    CU_ASSERT_EQUAL(TM_RUN(&t, LI(S0, TM_DATA), SH(ZERO, 1, S0)), TM_STOP_GENERAL);
    CU_ASSERT_EQUAL(CAUSE_EXC(&t), EXC_ADES);
    CU_ASSERT_EQUAL(cpu_cp0_read(t.cpu, C0_BADVADDR, 0), TM_DATA + 1);
    tm_free(&t);

    /* Fetch from a misaligned address: EPC = BadVAddr = the target. */
    t = tm_new(true);
    CU_ASSERT_EQUAL(TM_RUN(&t, LI(T0, TM_CODE + 0x102), JR(T0), NOP), TM_STOP_GENERAL);
    CU_ASSERT_EQUAL(CAUSE_EXC(&t), EXC_ADEL);
    CU_ASSERT_EQUAL(cpu_cp0_read(t.cpu, C0_EPC, 0), TM_CODE + 0x102);
    CU_ASSERT_EQUAL(cpu_cp0_read(t.cpu, C0_BADVADDR, 0), TM_CODE + 0x102);
    tm_free(&t);
    /* User-mode segment checks are in test_tlb.c (they need mapped code). */
}

static void test_bus_errors(void)
{
    struct tm t = tm_new(true);
    CU_ASSERT_EQUAL(TM_RUN(&t, LUI(T0, 0xBF00), LW(T1, 0, T0)), TM_STOP_GENERAL);
    CU_ASSERT_EQUAL(CAUSE_EXC(&t), EXC_DBE);
    CU_ASSERT_EQUAL(cpu_cp0_read(t.cpu, C0_EPC, 0), TM_CODE + 4);
    tm_free(&t);
    t = tm_new(true);
    CU_ASSERT_EQUAL(TM_RUN(&t, LUI(T0, 0xBF00), JR(T0), NOP), TM_STOP_GENERAL);
    CU_ASSERT_EQUAL(CAUSE_EXC(&t), EXC_IBE);
    CU_ASSERT_EQUAL(cpu_cp0_read(t.cpu, C0_EPC, 0), 0xBF000000);
    tm_free(&t);
}

static void test_exl_keeps_epc(void)
{
    /* With EXL already set, a second exception leaves EPC and BD alone. */
    struct tm t = tm_new(true);
    CU_ASSERT_EQUAL(TM_RUN(&t, LI(T0, 0x12345678), MTC0(T0, C0_EPC, 0), ADDIU(T1, ZERO, ST_EXL),
                           MTC0(T1, C0_STATUS, 0), SYSCALL),
                    TM_STOP_GENERAL);
    CU_ASSERT_EQUAL(CAUSE_EXC(&t), EXC_SYS);
    CU_ASSERT_EQUAL(cpu_cp0_read(t.cpu, C0_EPC, 0), 0x12345678);
    tm_free(&t);
}

static void test_bev_vectors(void)
{
    struct tm t = tm_new(true);
    CU_ASSERT_EQUAL(phys_add_rom(t.phys, "rom", 0x1FC00000u, 0x1000), 0);
    uint32_t w = HYPCALL(7);
    uint8_t b[4] = {(uint8_t)(w >> 24), (uint8_t)(w >> 16), (uint8_t)(w >> 8), (uint8_t)w};
    CU_ASSERT_EQUAL(phys_load(t.phys, 0x1FC00380u, b, 4), 0);
    CU_ASSERT_EQUAL(TM_RUN(&t, LI(T0, ST_BEV), MTC0(T0, C0_STATUS, 0), SYSCALL), 7);
    CU_ASSERT_EQUAL(cpu_trap(t.cpu)->pc, 0xBFC00380u);
    tm_free(&t);
}

static void test_ebase_and_iv(void)
{
    struct tm t = tm_new(true);
    tm_put32(&t, 0x80002180u, HYPCALL(9));
    CU_ASSERT_EQUAL(TM_RUN(&t, LI(T0, 0x80002000), MTC0(T0, C0_PRID, 1), SYSCALL), 9);
    CU_ASSERT_EQUAL(cpu_cp0_read(t.cpu, C0_PRID, 1), 0x80002000u);
    tm_free(&t);
}

static void test_eret(void)
{
    struct tm t = tm_new(true);
    /* EXL set, EPC -> +24: ERET jumps there, clears EXL and the LL bit. */
    CU_ASSERT_EQUAL(TM_RUN(&t, LI(T0, TM_CODE + 28), MTC0(T0, C0_EPC, 0), ADDIU(T1, ZERO, ST_EXL),
                           MTC0(T1, C0_STATUS, 0), ERET, ADDIU(T2, ZERO, 1), NOP,
                           /* +28 */ MFC0(T3, C0_STATUS, 0)),
                    TM_STOP_DONE);
    CU_ASSERT_EQUAL(G(&t, T2), 0);
    CU_ASSERT_EQUAL(G(&t, T3) & ST_EXL, 0);
    tm_free(&t);
    /* ERL takes precedence: ERET returns to ErrorEPC. */
    t = tm_new(true);
    CU_ASSERT_EQUAL(TM_RUN(&t, LI(T0, TM_CODE + 32), MTC0(T0, C0_ERROREPC, 0),
                           ADDIU(T1, ZERO, ST_ERL | ST_EXL), MTC0(T1, C0_STATUS, 0), ERET,
                           ADDIU(T2, ZERO, 1), NOP, NOP, /* +32 */ MFC0(T3, C0_STATUS, 0)),
                    TM_STOP_DONE);
    CU_ASSERT_EQUAL(G(&t, T2), 0);
    CU_ASSERT_EQUAL(G(&t, T3) & (ST_ERL | ST_EXL), ST_EXL);
    tm_free(&t);
}

static void test_timer_interrupt(void)
{
    struct tm t = tm_new(true);
    /* Count 0, Compare 50, IM7 + IE: the interrupt arrives within the loop. */
    CU_ASSERT_EQUAL(TM_RUN(&t, MTC0(ZERO, C0_COUNT, 0), ADDIU(T0, ZERO, 50),
                           MTC0(T0, C0_COMPARE, 0), LI(T1, ST_IM7 | ST_IE), MTC0(T1, C0_STATUS, 0),
                           BEQ(ZERO, ZERO, -1), NOP),
                    TM_STOP_GENERAL);
    CU_ASSERT_EQUAL(CAUSE_EXC(&t), EXC_INT);
    uint32_t cause = cpu_cp0_read(t.cpu, C0_CAUSE, 0);
    CU_ASSERT(cause & CAUSE_TI);
    CU_ASSERT(cause & CAUSE_IP7);
    uint32_t count = cpu_cp0_read(t.cpu, C0_COUNT, 0);
    CU_ASSERT(count >= 50 && count < 60);
    /* Writing Compare acknowledges the interrupt. */
    cpu_cp0_write(t.cpu, C0_COMPARE, 0, 0);
    CU_ASSERT_FALSE(cpu_cp0_read(t.cpu, C0_CAUSE, 0) & (CAUSE_TI | CAUSE_IP7));
    tm_free(&t);

    /* Cause.IV: interrupts use the +0x200 vector. */
    t = tm_new(true);
    CU_ASSERT_EQUAL(TM_RUN(&t, LI(T2, CAUSE_IV), MTC0(T2, C0_CAUSE, 0), MTC0(ZERO, C0_COUNT, 0),
                           ADDIU(T0, ZERO, 20), MTC0(T0, C0_COMPARE, 0), LI(T1, ST_IM7 | ST_IE),
                           MTC0(T1, C0_STATUS, 0), BEQ(ZERO, ZERO, -1), NOP),
                    TM_STOP_INT);
    tm_free(&t);

    /* Masked: no interrupt, TI still visible. */
    t = tm_new(true);
    CU_ASSERT_EQUAL(TM_RUN(&t, MTC0(ZERO, C0_COUNT, 0), ADDIU(T0, ZERO, 5), MTC0(T0, C0_COMPARE, 0),
                           ADDIU(T1, ZERO, 0x40), ADDIU(T1, T1, -1), BNE(T1, ZERO, -2), NOP,
                           MFC0(T2, C0_CAUSE, 0)),
                    TM_STOP_DONE);
    CU_ASSERT(G(&t, T2) & CAUSE_TI);
    tm_free(&t);
}

static void test_wait(void)
{
    struct tm t = tm_new(true);
    /* WAIT with the timer armed: time skips to Compare, the interrupt wakes us;
     * EPC is the instruction after WAIT. */
    CU_ASSERT_EQUAL(TM_RUN(&t, MTC0(ZERO, C0_COUNT, 0), LI(T0, 1000000), MTC0(T0, C0_COMPARE, 0),
                           LI(T1, ST_IM7 | ST_IE), MTC0(T1, C0_STATUS, 0), WAIT, NOP),
                    TM_STOP_GENERAL);
    CU_ASSERT_EQUAL(CAUSE_EXC(&t), EXC_INT);
    CU_ASSERT_EQUAL(cpu_cp0_read(t.cpu, C0_EPC, 0), TM_CODE + 32);
    struct cpu_stats st;
    cpu_get_stats(t.cpu, &st);
    CU_ASSERT(st.insns < 100);
    CU_ASSERT(st.cycles >= 1000000);
    tm_free(&t);
    /* WAIT with nothing that can wake it: the CPU says it is idle. */
    t = tm_new(true);
    tm_put32(&t, TM_CODE, WAIT);
    CU_ASSERT_EQUAL(cpu_run(t.cpu, 1000), CPU_STOP_IDLE);
    /* A device line then wakes it (masked interrupts: execution resumes after WAIT). */
    cpu_cp0_write(t.cpu, C0_STATUS, 0, 1u << (ST_IM_SHIFT + 3));
    cpu_set_irq(t.cpu, 3, true);
    tm_put32(&t, TM_CODE + 4, HYPCALL(5));
    CU_ASSERT_EQUAL(cpu_run(t.cpu, 1000), CPU_STOP_TRAP);
    CU_ASSERT_EQUAL(cpu_trap(t.cpu)->hypcall_code, 5);
    tm_free(&t);
}

/* The owner's device deadline: a batch ends exactly there, and WAIT skips
 * idle time only up to it. */
static void test_device_deadline(void)
{
    struct tm t = tm_new(true);
    for (unsigned i = 0; i < 64; i++)
        tm_put32(&t, TM_CODE + 4 * i, ADDIU(T0, T0, 1));
    cpu_set_deadline(t.cpu, 10);
    CU_ASSERT_EQUAL(cpu_run(t.cpu, 1000), CPU_STOP_DEADLINE);
    CU_ASSERT_EQUAL(cpu_cycles(t.cpu), 10);
    CU_ASSERT_EQUAL(G(&t, T0), 10);
    /* A device arming an earlier event between runs moves it. */
    cpu_set_deadline(t.cpu, 25);
    CU_ASSERT_EQUAL(cpu_run(t.cpu, 1000), CPU_STOP_DEADLINE);
    CU_ASSERT_EQUAL(G(&t, T0), 25);
    tm_free(&t);

    t = tm_new(true);
    tm_put32(&t, TM_CODE, WAIT);
    tm_put32(&t, TM_CODE + 4, HYPCALL(7));
    cpu_set_deadline(t.cpu, 5000);
    CU_ASSERT_EQUAL(cpu_run(t.cpu, 1000), CPU_STOP_DEADLINE);
    CU_ASSERT_TRUE(cpu_waiting(t.cpu));
    CU_ASSERT_EQUAL(cpu_cycles(t.cpu), 5000); /* 1 instruction, the rest idle */
    struct cpu_stats st;
    cpu_get_stats(t.cpu, &st);
    CU_ASSERT_EQUAL(st.insns, 1);
    /* The owner's device raised a line: WAIT ends (masked: execution goes on). */
    cpu_set_deadline(t.cpu, UINT64_MAX);
    cpu_cp0_write(t.cpu, C0_STATUS, 0, 1u << (ST_IM_SHIFT + 2));
    cpu_set_irq(t.cpu, 2, true);
    CU_ASSERT_EQUAL(cpu_run(t.cpu, 1000), CPU_STOP_TRAP);
    CU_ASSERT_EQUAL(cpu_trap(t.cpu)->hypcall_code, 7);
    CU_ASSERT_FALSE(cpu_waiting(t.cpu));
    tm_free(&t);
}

static void test_hw_interrupt_and_di_ei(void)
{
    struct tm t = tm_new(true);
    cpu_set_irq(t.cpu, 4, true);
    /* IM4 set but IE clear: nothing; EI: taken right after it. */
    CU_ASSERT_EQUAL(TM_RUN(&t, LI(T0, 1u << (ST_IM_SHIFT + 4)), MTC0(T0, C0_STATUS, 0),
                           ADDIU(T1, ZERO, 1), EI(T2), ADDIU(T3, ZERO, 1)),
                    TM_STOP_GENERAL);
    CU_ASSERT_EQUAL(CAUSE_EXC(&t), EXC_INT);
    CU_ASSERT_EQUAL(G(&t, T1), 1);
    CU_ASSERT_EQUAL(G(&t, T2), 1u << (ST_IM_SHIFT + 4)); /* EI returns the old Status */
    CU_ASSERT_EQUAL(G(&t, T3), 0);
    CU_ASSERT_EQUAL(cpu_cp0_read(t.cpu, C0_EPC, 0), TM_CODE + 20); /* after EI */
    CU_ASSERT(cpu_cp0_read(t.cpu, C0_CAUSE, 0) & (1u << (CAUSE_IP_SHIFT + 4)));
    tm_free(&t);

    t = tm_new(true);
    CU_ASSERT_EQUAL(
        TM_RUN(&t, ADDIU(T0, ZERO, ST_IE), MTC0(T0, C0_STATUS, 0), DI(T1), MFC0(T2, C0_STATUS, 0)),
        TM_STOP_DONE);
    CU_ASSERT_EQUAL(G(&t, T1), ST_IE);
    CU_ASSERT_EQUAL(G(&t, T2), 0);
    tm_free(&t);
}

static void test_rdhwr(void)
{
    struct tm t = tm_new(true);
    CU_ASSERT_EQUAL(TM_RUN(&t, LI(T0, 0xABCD1234), MTC0(T0, C0_CONTEXT, 2), RDHWR(T1, 29),
                           RDHWR(T2, 3), RDHWR(T3, 2)),
                    TM_STOP_DONE);
    CU_ASSERT_EQUAL(G(&t, T1), 0xABCD1234);
    CU_ASSERT_EQUAL(G(&t, T2), 1);
    CU_ASSERT(G(&t, T3) > 0);
    tm_free(&t);
    EXPECT_EXC(EXC_RI, 0, RDHWR(T1, 5));
}

static void test_cp0_identity(void)
{
    struct tm t = tm_new(true);
    CU_ASSERT_EQUAL(cpu_cp0_read(t.cpu, C0_PRID, 0), 0x00540100u);
    uint32_t c0 = cpu_cp0_read(t.cpu, C0_CONFIG, 0);
    CU_ASSERT(c0 & (1u << 15));         /* BE */
    CU_ASSERT_EQUAL((c0 >> 10) & 7, 1); /* AR = Release 2 */
    CU_ASSERT_EQUAL((c0 >> 7) & 7, 1);  /* MT = standard TLB */
    uint32_t c1 = cpu_cp0_read(t.cpu, C0_CONFIG, 1);
    CU_ASSERT_EQUAL(((c1 >> 25) & 0x3F) + 1, 16); /* tm uses 16 pairs */
    CU_ASSERT_EQUAL(c1 & 1, 0);                   /* no FPU */
    tm_free(&t);
    struct tm l = tm_new(false);
    CU_ASSERT_FALSE(cpu_cp0_read(l.cpu, C0_CONFIG, 0) & (1u << 15));
    tm_free(&l);
}

static const struct test_case tests[] = {
    {"alu", test_alu},
    {"zero register", test_zero_register},
    {"shifts and rotates", test_shifts},
    {"multiply and divide", test_muldiv},
    {"division UNPREDICTABLE cases", test_div_unpredictable},
    {"clz clo ext ins wsbh seb seh", test_bit_ops},
    {"movz movn", test_movz_movn},
    {"overflow exceptions", test_overflow},
    {"branches and delay slots", test_branches},
    {"jumps and links", test_jumps_link},
    {"branch likely nullification", test_branch_likely},
    {"exception in a delay slot", test_delay_slot_exception},
    {"loads and stores big-endian", test_loads_stores_be},
    {"loads and stores little-endian", test_loads_stores_le},
    {"unaligned LWL/LWR/SWL/SWR big-endian", test_unaligned_be},
    {"unaligned LWL/LWR/SWL/SWR little-endian", test_unaligned_le},
    {"LL/SC", test_ll_sc},
    {"traps, syscall, break, reserved", test_traps_syscall_break_ri},
    {"coprocessor unusable", test_coprocessor_unusable},
    {"address errors", test_address_errors},
    {"bus errors", test_bus_errors},
    {"EXL keeps EPC", test_exl_keeps_epc},
    {"BEV vectors", test_bev_vectors},
    {"EBase", test_ebase_and_iv},
    {"ERET", test_eret},
    {"timer interrupt", test_timer_interrupt},
    {"device deadline ends batches and WAIT", test_device_deadline},
    {"WAIT", test_wait},
    {"hardware interrupt, DI/EI", test_hw_interrupt_and_di_ei},
    {"RDHWR", test_rdhwr},
    {"CP0 identity registers", test_cp0_identity},
};

CUNIT_MAIN("isa", tests)
