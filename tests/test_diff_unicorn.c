/*
 * tests/test_diff_unicorn.c — differential testing of the unprivileged ISA
 * against Unicorn Engine (QEMU's MIPS model, Debian libunicorn-dev).
 *
 * 1. Random instruction streams: every user-level integer instruction class,
 *    forward branches of every kind with random delay slots, loads and stores
 *    of every width (LWL/LWR/SWL/SWR at any offset) into a data window. Both
 *    machines start from the same random registers and memory; all GPRs, HI,
 *    LO, the data window and the stop reason (BREAK or the exception) must
 *    agree. Fixed seeds run every time, plus one fresh seed that is printed;
 *    TRAPVISOR_DIFF_SEED=N reruns one seed.
 * 2. The compiled guest programs (guests/programs), run to their BREAK.
 * Both byte orders. Unicorn has no TLB model, so privileged behaviour is
 * tested against the MIPS32 manuals in the other suites instead.
 */
#include "cunit_main.h"
#include "cpu/cpu.h"
#include "util/elfload.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unicorn/unicorn.h>

#include "mips_asm.h"

#define CODE_VA   0x80010000u
#define DATA_VA   0x80100000u
#define DATA_SIZE 0x10000u
#define BASE_REG  23 /* $s7 holds DATA_VA + 0x8000 and is never written */
#define RAM_SIZE  (8u << 20)

#define STREAM_LEN       400
#define STREAMS_PER_SEED 800

static uint64_t executed_insns; /* by trapvisor, over all random streams */

static uint64_t rng_state;
static uint32_t rnd(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return (uint32_t)((rng_state * 0x2545F4914F6CDD1Dull) >> 32);
}
static unsigned rreg(void)
{
    unsigned r;
    do
        r = rnd() % 32;
    while (r == BASE_REG);
    return r;
}
static unsigned rsrc(void) { return rnd() % 32; }

/* One random non-branch instruction. */
static uint32_t random_simple(void)
{
    unsigned d = rreg(), s = rsrc(), t = rsrc(), sa = rnd() % 32;
    uint32_t imm = rnd() & 0xFFFF;
    int32_t off = (int32_t)(rnd() % 0x10000u) - 0x8000; /* within the data window */
    if (rnd() % 300 == 0) { /* trapping forms: overflow stops both machines with Ov */
        switch (rnd() % 3) {
        case 0: return ADD(d, s, t);
        case 1: return SUB(d, s, t);
        default: return ADDI(d, s, imm);
        }
    }
    switch (rnd() % 57) {
    case 0: return ADDU(d, s, t);
    case 1: return SUBU(d, s, t);
    case 2: return AND(d, s, t);
    case 3: return OR(d, s, t);
    case 4: return XOR(d, s, t);
    case 5: return NOR(d, s, t);
    case 6: return SLT(d, s, t);
    case 7: return SLTU(d, s, t);
    case 8: return SLL(d, t, sa);
    case 9: return SRL(d, t, sa);
    case 10: return SRA(d, t, sa);
    case 11: return SLLV(d, t, s);
    case 12: return SRLV(d, t, s);
    case 13: return SRAV(d, t, s);
    case 14: return ROTR(d, t, sa);
    case 15: return ROTRV(d, t, s);
    case 16: return MOVZ(d, s, t);
    case 17: return MOVN(d, s, t);
    case 18: return MFHI(d);
    case 19: return MFLO(d);
    case 20: return MTHI(s);
    case 21: return MTLO(s);
    case 22: return MULT(s, t);
    case 23: return MULTU(s, t);
    case 24: return DIV(s, t);
    case 25: return DIVU(s, t);
    case 26: return MUL(d, s, t);
    case 27: return MADD(s, t);
    case 28: return MADDU(s, t);
    case 29: return MSUB(s, t);
    case 30: return MSUBU(s, t);
    case 31: return CLZ(d, s);
    case 32: return CLO(d, s);
    case 33: {
        unsigned pos = rnd() % 32, size = 1 + rnd() % (32 - pos);
        return EXT(d, s, pos, size);
    }
    case 34: {
        unsigned pos = rnd() % 32, size = 1 + rnd() % (32 - pos);
        return INS(d, s, pos, size);
    }
    case 35: return WSBH(d, t);
    case 36: return SEB(d, t);
    case 37: return SEH(d, t);
    case 38: return ADDIU(d, s, imm);
    case 39: return SLTI(d, s, imm);
    case 40: return SLTIU(d, s, imm);
    case 41: return ANDI(d, s, imm);
    case 42: return ORI(d, s, imm);
    case 43: return XORI(d, s, imm);
    case 44: return LUI(d, imm);
    case 45: return LB(d, off, BASE_REG);
    case 46: return LBU(d, off, BASE_REG);
    case 47: return LH(d, off & ~1, BASE_REG);
    case 48: return LHU(d, off & ~1, BASE_REG);
    case 49: return LW(d, off & ~3, BASE_REG);
    case 50: return SB(t, off, BASE_REG);
    case 51: return SH(t, off & ~1, BASE_REG);
    case 52: return SW(t, off & ~3, BASE_REG);
    case 53: return LWL(d, off, BASE_REG);
    case 54: return LWR(d, off, BASE_REG);
    case 55: return SWL(t, off, BASE_REG);
    default: return SWR(t, off, BASE_REG);
    }
}

/* A forward branch skipping 0..3 instructions after its delay slot. */
static uint32_t random_branch(uint32_t pc, unsigned skip)
{
    unsigned s = rsrc(), t = rsrc();
    uint32_t off = 1 + skip;
    switch (rnd() % 15) {
    case 0: return BEQ(s, t, off);
    case 1: return BNE(s, t, off);
    case 2: return BLEZ(s, off);
    case 3: return BGTZ(s, off);
    case 4: return BLTZ(s, off);
    case 5: return BGEZ(s, off);
    case 6: return BEQL(s, t, off);
    case 7: return BNEL(s, t, off);
    case 8: return BLTZL(s, off);
    case 9: return BGEZL(s, off);
    case 10: return BLTZAL(s, off);
    case 11: return BGEZAL(s, off);
    case 12: return JAL(pc + 8 + 4 * skip);
    case 13: return J(pc + 8 + 4 * skip);
    default: return BEQ(0, 0, off);
    }
}

static size_t gen_stream(uint32_t *code)
{
    size_t n = 0;
    while (n < STREAM_LEN) {
        if (rnd() % 6 == 0) {
            unsigned skip = rnd() % 4;
            code[n] = random_branch(CODE_VA + 4 * (uint32_t)n, skip);
            code[n + 1] = random_simple();
            n += 2;
        } else
            code[n++] = random_simple();
    }
    for (int i = 0; i < 4; i++)
        code[n++] = NOP; /* branch targets past the end land here */
    code[n++] = BREAK;
    return n;
}

/* ---- the two machines --------------------------------------------------- */

struct outcome {
    uint32_t gpr[32], hi, lo;
    int exc; /* -1: reached BREAK; else ExcCode */
};

static uc_engine *uc_be, *uc_le;
static int uc_exc;

static void uc_intr(uc_engine *uc, uint32_t intno, void *user)
{
    (void)user;
    /* QEMU's EXCP_* numbering for MIPS. */
    switch (intno) {
    case 18: uc_exc = -1; break; /* EXCP_BREAK */
    case 21: uc_exc = EXC_OV; break;
    case 22: uc_exc = EXC_TR; break;
    case 12: uc_exc = EXC_ADEL; break;
    case 13: uc_exc = EXC_ADES; break;
    case 20: uc_exc = EXC_RI; break;
    default: uc_exc = 1000 + (int)intno; break;
    }
    uc_emu_stop(uc);
}

static uc_engine *uc_make(bool be)
{
    uc_engine *uc;
    if (uc_open(UC_ARCH_MIPS, UC_MODE_MIPS32 | (be ? UC_MODE_BIG_ENDIAN : UC_MODE_LITTLE_ENDIAN),
                &uc) != UC_ERR_OK)
        return NULL;
    uc_ctl_set_cpu_model(uc, UC_CPU_MIPS32_24KF);
    if (uc_mem_map(uc, 0x80000000u, RAM_SIZE, UC_PROT_ALL) != UC_ERR_OK)
        return NULL;
    uc_hook h;
    uc_hook_add(uc, &h, UC_HOOK_INTR, (void *)uc_intr, NULL, 1, 0);
    return uc;
}

static const int uc_gpr_ids[32] = {
    UC_MIPS_REG_0,  UC_MIPS_REG_1,  UC_MIPS_REG_2,  UC_MIPS_REG_3,  UC_MIPS_REG_4,  UC_MIPS_REG_5,
    UC_MIPS_REG_6,  UC_MIPS_REG_7,  UC_MIPS_REG_8,  UC_MIPS_REG_9,  UC_MIPS_REG_10, UC_MIPS_REG_11,
    UC_MIPS_REG_12, UC_MIPS_REG_13, UC_MIPS_REG_14, UC_MIPS_REG_15, UC_MIPS_REG_16, UC_MIPS_REG_17,
    UC_MIPS_REG_18, UC_MIPS_REG_19, UC_MIPS_REG_20, UC_MIPS_REG_21, UC_MIPS_REG_22, UC_MIPS_REG_23,
    UC_MIPS_REG_24, UC_MIPS_REG_25, UC_MIPS_REG_26, UC_MIPS_REG_27, UC_MIPS_REG_28, UC_MIPS_REG_29,
    UC_MIPS_REG_30, UC_MIPS_REG_31};

static void to_bytes(bool be, const uint32_t *w, size_t n, uint8_t *out)
{
    for (size_t i = 0; i < n; i++)
        for (int b = 0; b < 4; b++)
            out[4 * i + b] = (uint8_t)(w[i] >> (be ? 24 - 8 * b : 8 * b));
}

static void run_unicorn(uc_engine *uc, const uint8_t *code, size_t code_len, uint32_t entry,
                        const struct outcome *init, const uint8_t *data, uint32_t data_va,
                        size_t data_len, uint64_t max, struct outcome *out, uint8_t *data_out)
{
    uc_mem_write(uc, CODE_VA, code, code_len);
    uc_ctl_remove_cache(uc, CODE_VA, CODE_VA + code_len);
    if (data)
        uc_mem_write(uc, data_va, data, data_len);
    for (int i = 1; i < 32; i++)
        uc_reg_write(uc, uc_gpr_ids[i], &init->gpr[i]);
    uc_reg_write(uc, UC_MIPS_REG_HI, &init->hi);
    uc_reg_write(uc, UC_MIPS_REG_LO, &init->lo);
    uc_exc = -2;
    uc_emu_start(uc, entry, 0xFFFFFFFFu, 0, max);
    for (int i = 0; i < 32; i++)
        uc_reg_read(uc, uc_gpr_ids[i], &out->gpr[i]);
    uc_reg_read(uc, UC_MIPS_REG_HI, &out->hi);
    uc_reg_read(uc, UC_MIPS_REG_LO, &out->lo);
    out->exc = uc_exc;
    if (data_out)
        uc_mem_read(uc, data_va, data_out, data_len);
}

static void run_trapvisor(bool be, const uint8_t *code, size_t code_len, uint32_t entry,
                          const struct outcome *init, const uint8_t *data, uint32_t data_va,
                          size_t data_len, uint64_t max, struct outcome *out, uint8_t *data_out,
                          phys_t **keep_phys)
{
    phys_t *phys = phys_new(RAM_SIZE, be);
    struct cpu_config cfg = {.little_endian = !be};
    cpu_t *cpu = cpu_new(&cfg, phys);
    CU_ASSERT_EQUAL(phys_load(phys, CODE_VA & 0x1FFFFFFFu, code, code_len), 0);
    if (data)
        CU_ASSERT_EQUAL(phys_load(phys, data_va & 0x1FFFFFFFu, data, data_len), 0);
    cpu_cp0_write(cpu, C0_STATUS, 0, 0);
    cpu_set_trap_routing(cpu, 0xFFFFFFFEu);
    for (unsigned i = 1; i < 32; i++)
        cpu_set_gpr(cpu, i, init->gpr[i]);
    cpu_set_hilo(cpu, init->hi, init->lo);
    cpu_set_pc(cpu, entry);
    enum cpu_stop s = cpu_run(cpu, max);
    struct cpu_stats st;
    cpu_get_stats(cpu, &st);
    executed_insns += st.insns;
    out->exc = -2;
    if (s == CPU_STOP_TRAP)
        out->exc = cpu_trap(cpu)->code == EXC_BP ? -1 : (int)cpu_trap(cpu)->code;
    for (unsigned i = 0; i < 32; i++)
        out->gpr[i] = cpu_gpr(cpu, i);
    out->hi = cpu_hi(cpu);
    out->lo = cpu_lo(cpu);
    if (data_out)
        CU_ASSERT_EQUAL(phys_dump(phys, data_va & 0x1FFFFFFFu, data_out, data_len), 0);
    cpu_free(cpu);
    if (keep_phys)
        *keep_phys = phys;
    else
        phys_free(phys);
}

static int compare(const char *what, const struct outcome *a, const struct outcome *b)
{
    int bad = 0;
    if (a->exc != b->exc) {
        fprintf(stderr, "%s: stop differs: trapvisor %d, unicorn %d\n", what, a->exc, b->exc);
        bad++;
    }
    for (int i = 1; i < 32; i++)
        if (a->gpr[i] != b->gpr[i]) {
            fprintf(stderr, "%s: $%d trapvisor %08x unicorn %08x\n", what, i, a->gpr[i], b->gpr[i]);
            bad++;
        }
    if (a->hi != b->hi || a->lo != b->lo) {
        fprintf(stderr, "%s: hi/lo trapvisor %08x/%08x unicorn %08x/%08x\n", what, a->hi, a->lo,
                b->hi, b->lo);
        bad++;
    }
    return bad;
}

static int run_seed(uint64_t seed, bool be)
{
    rng_state = seed * 0x9E3779B97F4A7C15ull + 1;
    static uint32_t code[STREAM_LEN + 16];
    static uint8_t code_bytes[sizeof(code)], data[DATA_SIZE], d_tv[DATA_SIZE], d_uc[DATA_SIZE];
    int failures = 0;
    for (int k = 0; k < STREAMS_PER_SEED && failures == 0; k++) {
        size_t n = gen_stream(code);
        to_bytes(be, code, n, code_bytes);
        struct outcome init = {0}, a, b;
        for (int i = 1; i < 32; i++)
            init.gpr[i] = rnd() % 4 ? rnd() : (uint32_t)(int32_t)(int8_t)rnd();
        init.gpr[BASE_REG] = DATA_VA + 0x8000u;
        init.hi = rnd();
        init.lo = rnd();
        for (size_t i = 0; i < DATA_SIZE; i++)
            data[i] = (uint8_t)rnd();
        run_trapvisor(be, code_bytes, 4 * n, CODE_VA, &init, data, DATA_VA, DATA_SIZE, 100000, &a,
                      d_tv, NULL);
        uc_engine **uc = be ? &uc_be : &uc_le;
        run_unicorn(*uc, code_bytes, 4 * n, CODE_VA, &init, data, DATA_VA, DATA_SIZE, 100000, &b,
                    d_uc);
        if (b.exc != -1) {
            /* Unicorn keeps QEMU's internal state (e.g. a pending branch) after
             * stopping inside an exception; start the next stream afresh. */
            uc_close(*uc);
            *uc = uc_make(be);
        }
        char what[96];
        snprintf(what, sizeof(what), "seed %llu %s stream %d", (unsigned long long)seed,
                 be ? "BE" : "LE", k);
        failures += compare(what, &a, &b);
        if (memcmp(d_tv, d_uc, DATA_SIZE) != 0) {
            for (size_t i = 0; i < DATA_SIZE; i++)
                if (d_tv[i] != d_uc[i]) {
                    fprintf(stderr, "%s: memory differs first at %08zx\n", what, DATA_VA + i);
                    break;
                }
            failures++;
        }
        if (failures) {
            for (size_t i = 0; i < n; i++)
                fprintf(stderr, "  %08x: %08x\n", CODE_VA + 4 * (uint32_t)i, code[i]);
        }
    }
    return failures;
}

static void test_random_streams(void)
{
    const char *env = getenv("TRAPVISOR_DIFF_SEED");
    if (env) {
        uint64_t seed = strtoull(env, NULL, 0);
        CU_ASSERT_EQUAL(run_seed(seed, true), 0);
        CU_ASSERT_EQUAL(run_seed(seed, false), 0);
        return;
    }
    static const uint64_t fixed[] = {1, 2, 3, 0xC0FFEE, 20261121};
    for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++) {
        CU_ASSERT_EQUAL(run_seed(fixed[i], true), 0);
        CU_ASSERT_EQUAL(run_seed(fixed[i], false), 0);
    }
    uint64_t fresh = (uint64_t)time(NULL) ^ ((uint64_t)clock() << 32);
    printf("\n  fresh seed: %llu (rerun with TRAPVISOR_DIFF_SEED=%llu)\n",
           (unsigned long long)fresh, (unsigned long long)fresh);
    CU_ASSERT_EQUAL(run_seed(fresh, true), 0);
    CU_ASSERT_EQUAL(run_seed(fresh, false), 0);
    printf("  %llu instructions executed over all streams, each on both machines\n",
           (unsigned long long)executed_insns);
    CU_ASSERT(executed_insns >= 3000000);
}

static void compiled_program(const char *name)
{
    char path[512], err[256];
    snprintf(path, sizeof(path), "%s/%s.elf", GUEST_DIR, name);
    elfimg_t *img = elfimg_open(path, err, sizeof(err));
    CU_ASSERT_PTR_NOT_NULL_FATAL(img);
    bool be = elfimg_big_endian(img);
    /* Both machines see the same RAM image: ELF loaded, sp at the top. */
    phys_t *image = phys_new(RAM_SIZE, be);
    CU_ASSERT_EQUAL_FATAL(elfimg_load(img, image, err, sizeof(err)), 0);
    uint8_t *ram = malloc(RAM_SIZE), *ram_tv = malloc(RAM_SIZE), *ram_uc = malloc(RAM_SIZE);
    CU_ASSERT_EQUAL(phys_dump(image, 0, ram, RAM_SIZE), 0);
    phys_free(image);
    struct outcome init = {0}, a, b;
    init.gpr[29] = 0x80000000u + RAM_SIZE;
    /* Code lives inside the RAM image: pass no separate code blob. */
    phys_t *keep = NULL;
    run_trapvisor(be, ram + (CODE_VA & 0x1FFFFFFFu), 0, elfimg_entry(img), &init, ram, 0x80000000u,
                  RAM_SIZE, 2000000000ull, &a, ram_tv, &keep);
    phys_free(keep);
    uc_engine *uc = be ? uc_be : uc_le;
    uc_ctl_remove_cache(uc, 0x80000000u, 0x80000000u + RAM_SIZE);
    run_unicorn(uc, ram + (CODE_VA & 0x1FFFFFFFu), 0, elfimg_entry(img), &init, ram, 0x80000000u,
                RAM_SIZE, 2000000000ull, &b, ram_uc);
    CU_ASSERT_EQUAL(a.exc, -1);
    CU_ASSERT_EQUAL(compare(name, &a, &b), 0);
    CU_ASSERT(memcmp(ram_tv, ram_uc, RAM_SIZE) == 0);
    free(ram);
    free(ram_tv);
    free(ram_uc);
    elfimg_free(img);
}

static void test_programs(void)
{
    static const char *const progs[] = {"arith-eb", "arith-el", "sort-eb", "sort-el",
                                        "calls-eb", "calls-el", "alu-eb",  "alu-el"};
    for (size_t i = 0; i < sizeof(progs) / sizeof(progs[0]); i++)
        compiled_program(progs[i]);
}

static const struct test_case tests[] = {
    {"random instruction streams vs Unicorn", test_random_streams},
    {"compiled programs vs Unicorn", test_programs},
};

int main(void)
{
    uc_be = uc_make(true);
    uc_le = uc_make(false);
    if (!uc_be || !uc_le) {
        fprintf(stderr, "cannot start Unicorn\n");
        return 1;
    }
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 2;
    CU_pSuite s = CU_add_suite("diff-unicorn", NULL, NULL);
    for (size_t i = 0; i < sizeof(tests) / sizeof(tests[0]); i++)
        CU_add_test(s, tests[i].name, tests[i].fn);
    CU_basic_set_mode(CU_BRM_VERBOSE);
    CU_basic_run_tests();
    unsigned failed = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
    unsigned run = CU_get_number_of_tests_run();
    CU_cleanup_registry();
    uc_close(uc_be);
    uc_close(uc_le);
    return failed || run == 0 ? 1 : 0;
}
