/*
 * cpu/cpu_exec.c — the MIPS32r2 interpreter: fetch, decode, execute.
 *
 * Structure (see docs/hardware.md, "Interpreter"):
 *  - cpu_exec_batch() runs up to batch_left instructions; interrupts, the
 *    timer and stop requests are checked between batches (cpu.c), never per
 *    instruction. Anything that may change them ends the batch.
 *  - A branch executes its own delay slot (branch_to), so straight-line code
 *    never pays for delay-slot bookkeeping. c->in_delay is true only while a
 *    delay-slot instruction runs: an exception there gets EPC = branch, BD = 1.
 *  - Loads, stores and fetches hit a direct-mapped host cache (cpu_priv.h);
 *    misses take mem_slow(), which translates, raises or fills the cache.
 *  - A handler that raises an exception returns at once: cpu_raise() already
 *    set the PC, and the instruction has no other effect.
 */
#include "cpu/cpu_priv.h"

#include <string.h>

#define RS(i)     (((i) >> 21) & 31u)
#define RT(i)     (((i) >> 16) & 31u)
#define RD(i)     (((i) >> 11) & 31u)
#define SA(i)     (((i) >> 6) & 31u)
#define FUNCT(i)  ((i)&63u)
#define SIMM(i)   ((uint32_t)(int32_t)(int16_t)(i))
#define UIMM(i)   ((i)&0xFFFFu)
#define JINDEX(i) ((i)&0x03FFFFFFu)

#define GPR(n) (c->gpr[(n)])
#define NEXT()                                                                                     \
    do {                                                                                           \
        c->pc += 4;                                                                                \
        return;                                                                                    \
    } while (0)

/* ---- memory ------------------------------------------------------------- */

static inline uint32_t rd32(const struct cpu *c, const uint8_t *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    return c->big_endian ? __builtin_bswap32(v) : v;
#else
    return c->big_endian ? v : __builtin_bswap32(v);
#endif
}
static inline uint32_t rd16(const struct cpu *c, const uint8_t *p)
{
    uint16_t v;
    memcpy(&v, p, 2);
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    return c->big_endian ? __builtin_bswap16(v) : v;
#else
    return c->big_endian ? v : __builtin_bswap16(v);
#endif
}
static inline void wr32(const struct cpu *c, uint8_t *p, uint32_t v)
{
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    if (c->big_endian)
        v = __builtin_bswap32(v);
#else
    if (!c->big_endian)
        v = __builtin_bswap32(v);
#endif
    memcpy(p, &v, 4);
}
static inline void wr16(const struct cpu *c, uint8_t *p, uint32_t v)
{
    uint16_t h = (uint16_t)v;
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    if (c->big_endian)
        h = __builtin_bswap16(h);
#else
    if (!c->big_endian)
        h = __builtin_bswap16(h);
#endif
    memcpy(p, &h, 2);
}

/* Host pointer for va if the page is cached and va is aligned to align+1. */
static inline uint8_t *hc_hit(uint32_t asid_tag, const struct hcache_entry *tab, uint32_t va,
                              uint32_t align)
{
    const struct hcache_entry *e = &tab[(va >> 12) & (HCACHE_SIZE - 1)];
    if (likely(e->tag == ((va & (0xFFFFF000u | align)) | asid_tag)))
        return (uint8_t *)(e->addend + va);
    return NULL;
}

/*
 * The slow path of every access: alignment, translation, then RAM/ROM (fill
 * the cache) or MMIO. va is the address the instruction named (reported in
 * BadVAddr); for LWL/LWR/SWL/SWR (word_of_unaligned) the word containing it
 * is accessed. Returns false after raising the exception.
 */
static bool mem_slow(struct cpu *c, uint32_t va, unsigned size, enum mmu_access acc, uint32_t *val,
                     bool word_of_unaligned)
{
    uint32_t ava = word_of_unaligned ? va & ~3u : va;
    if (ava & (size - 1)) {
        cpu_raise(c, acc == MMU_STORE ? EXC_ADES : EXC_ADEL, va,
                  EXCF_BADVA | (acc == MMU_FETCH ? EXCF_FETCH : 0), 0);
        return false;
    }
    struct mmu_ctx ctx = mmu_ctx_of(c);
    struct mmu_xlate x;
    enum mmu_result r = mmu_translate(&ctx, ava, acc, &x);
    if (r != MMU_OK) {
        cpu_raise_mmu(c, r, va, acc);
        return false;
    }
    bool store = acc == MMU_STORE;
    uint8_t *page = phys_host_page(c->phys, x.paddr & ~0xFFFu, store);
    if (page) {
        enum hcache_kind k = acc == MMU_FETCH ? HC_FETCH : store ? HC_STORE : HC_LOAD;
        struct hcache_entry *e = &c->hcache[c->mode][k][(ava >> 12) & (HCACHE_SIZE - 1)];
        e->tag = (ava & 0xFFFFF000u) | c->asid_tag;
        e->addend = (uintptr_t)page - (ava & 0xFFFFF000u);
        uint8_t *p = page + (ava & 0xFFFu);
        if (store) {
            if (size == 4)
                wr32(c, p, *val);
            else if (size == 2)
                wr16(c, p, *val);
            else
                *p = (uint8_t)*val;
        } else {
            *val = size == 4 ? rd32(c, p) : size == 2 ? rd16(c, p) : *p;
        }
        return true;
    }
    enum phys_result pr =
        store ? phys_write(c->phys, x.paddr, size, *val) : phys_read(c->phys, x.paddr, size, val);
    if (pr != PHYS_OK) {
        cpu_raise(c, acc == MMU_FETCH ? EXC_IBE : EXC_DBE, 0, acc == MMU_FETCH ? EXCF_FETCH : 0, 0);
        return false;
    }
    return true;
}

static inline bool load32(struct cpu *c, uint32_t va, uint32_t *out)
{
    uint8_t *p = hc_hit(c->asid_tag, c->hc_load, va, 3);
    if (likely(p != NULL)) {
        *out = rd32(c, p);
        return true;
    }
    return mem_slow(c, va, 4, MMU_LOAD, out, false);
}
static inline bool load16(struct cpu *c, uint32_t va, uint32_t *out)
{
    uint8_t *p = hc_hit(c->asid_tag, c->hc_load, va, 1);
    if (likely(p != NULL)) {
        *out = rd16(c, p);
        return true;
    }
    return mem_slow(c, va, 2, MMU_LOAD, out, false);
}
static inline bool load8(struct cpu *c, uint32_t va, uint32_t *out)
{
    uint8_t *p = hc_hit(c->asid_tag, c->hc_load, va, 0);
    if (likely(p != NULL)) {
        *out = *p;
        return true;
    }
    return mem_slow(c, va, 1, MMU_LOAD, out, false);
}
static inline bool store32(struct cpu *c, uint32_t va, uint32_t v)
{
    uint8_t *p = hc_hit(c->asid_tag, c->hc_store, va, 3);
    if (likely(p != NULL)) {
        wr32(c, p, v);
        return true;
    }
    return mem_slow(c, va, 4, MMU_STORE, &v, false);
}
static inline bool store16(struct cpu *c, uint32_t va, uint32_t v)
{
    uint8_t *p = hc_hit(c->asid_tag, c->hc_store, va, 1);
    if (likely(p != NULL)) {
        wr16(c, p, v);
        return true;
    }
    return mem_slow(c, va, 2, MMU_STORE, &v, false);
}
static inline bool store8(struct cpu *c, uint32_t va, uint32_t v)
{
    uint8_t *p = hc_hit(c->asid_tag, c->hc_store, va, 0);
    if (likely(p != NULL)) {
        *p = (uint8_t)v;
        return true;
    }
    return mem_slow(c, va, 1, MMU_STORE, &v, false);
}
/* The aligned word holding va, for LWL/LWR/SWL/SWR. */
static inline bool load_word_of(struct cpu *c, uint32_t va, uint32_t *out)
{
    uint8_t *p = hc_hit(c->asid_tag, c->hc_load, va & ~3u, 3);
    if (likely(p != NULL)) {
        *out = rd32(c, p);
        return true;
    }
    return mem_slow(c, va, 4, MMU_LOAD, out, true);
}
static inline bool store_word_of(struct cpu *c, uint32_t va, uint32_t v)
{
    uint8_t *p = hc_hit(c->asid_tag, c->hc_store, va & ~3u, 3);
    if (likely(p != NULL)) {
        wr32(c, p, v);
        return true;
    }
    return mem_slow(c, va, 4, MMU_STORE, &v, true);
}

static inline bool fetch(struct cpu *c, uint32_t *insn)
{
    uint8_t *p = hc_hit(c->asid_tag, c->hc_fetch, c->pc, 3);
    if (likely(p != NULL)) {
        *insn = rd32(c, p);
        return true;
    }
    return mem_slow(c, c->pc, 4, MMU_FETCH, insn, false);
}

/* Byte offset of va inside its word counted from the most significant end. */
static inline unsigned msb_offset(const struct cpu *c, uint32_t va)
{
    return c->big_endian ? (va & 3u) : 3u - (va & 3u);
}

/* ---- branches ----------------------------------------------------------- */

static inline uint32_t branch_target(const struct cpu *c, uint32_t insn)
{
    return c->pc + 4 + (SIMM(insn) << 2);
}

uint32_t cpu_branch_dest(const struct cpu *c, uint32_t pc, uint32_t insn)
{
    uint32_t rs = GPR(RS(insn)), rt = GPR(RT(insn));
    uint32_t off = pc + 4 + (SIMM(insn) << 2), fall = pc + 8;
    bool taken;
    switch (insn >> 26) {
    case 0x00: /* JR, JALR */ return (FUNCT(insn) == 0x08 || FUNCT(insn) == 0x09) ? rs : fall;
    case 0x01: /* BLTZ, BGEZ and their L, AL, ALL forms (the rest are traps) */
        if (RT(insn) & ~0x13u)
            return fall;
        taken = (RT(insn) & 1u) ? (int32_t)rs >= 0 : (int32_t)rs < 0;
        break;
    case 0x02:
    case 0x03: return ((pc + 4) & 0xF0000000u) | (JINDEX(insn) << 2); /* J, JAL */
    case 0x04:
    case 0x14: taken = rs == rt; break; /* BEQ, BEQL */
    case 0x05:
    case 0x15: taken = rs != rt; break; /* BNE, BNEL */
    case 0x06:
    case 0x16: taken = (int32_t)rs <= 0; break; /* BLEZ, BLEZL */
    case 0x07:
    case 0x17: taken = (int32_t)rs > 0; break; /* BGTZ, BGTZL */
    default: return fall;
    }
    return taken ? off : fall;
}

/* ---- opcode groups ------------------------------------------------------ */

static inline bool cp0_usable(const struct cpu *c)
{
    return c->mode == MMU_KERNEL || (c->cp0.status & ST_CU0);
}

static void hypcall(struct cpu *c, uint32_t insn)
{
    cpu_raise(c, CPU_TRAP_HYPCALL, 0, 0, 0);
    c->trap.insn = insn;
    c->trap.hypcall_code = (insn >> 11) & 0x3FFu;
}

/* An unsafe switch let a sensitive instruction run outside kernel mode. */
static void sensitive_event(struct cpu *c, uint32_t insn, uint32_t value)
{
    struct cpu_event ev = {CPU_EV_SENSITIVE, 0, c->pc, insn, value};
    cpu_emit(c, &ev);
}

static void __attribute__((noinline)) exec_cop0(struct cpu *c, uint32_t insn)
{
    bool usable = cp0_usable(c);
    if (insn & (1u << 25)) { /* CO: TLB ops, ERET, WAIT, HYPCALL */
        unsigned f = FUNCT(insn);
        if (f == 0x28) {
            hypcall(c, insn);
            return;
        }
        if (f == 0x18 && !usable && (c->ext & CPU_EXT_ERET_UNPRIV))
            usable = true; /* the gotcha: ERET behaves as in kernel mode */
        if (!usable) {
            cpu_raise(c, EXC_CPU, 0, 0, 0);
            return;
        }
        switch (f) {
        case 0x01: cpu_tlbr(c); break;
        case 0x02: cpu_tlbw(c, false); break;
        case 0x06: cpu_tlbw(c, true); break;
        case 0x08: cpu_tlbp(c); break;
        case 0x18:
            if (c->in_delay)
                cpu_raise(c, EXC_RI, 0, 0, 0);
            else
                cpu_eret(c);
            return;
        case 0x20:
            c->waiting = true;
            cpu_end_batch(c);
            break;
        default: cpu_raise(c, EXC_RI, 0, 0, 0); return;
        }
        NEXT();
    }
    unsigned rt = RT(insn), rd = RD(insn), sel = insn & 7u;
    switch (RS(insn)) {
    case 0x00: /* MFC0 */
        if (!usable &&
            !((c->ext & CPU_EXT_MFC0_UNPRIV) && sel == 0 && (rd == C0_STATUS || rd == C0_CAUSE))) {
            cpu_raise(c, EXC_CPU, 0, 0, 0);
            return;
        }
        GPR(rt) = cp0_read(c, rd, sel);
        if (unlikely(!usable) && c->nlisteners)
            sensitive_event(c, insn, GPR(rt));
        NEXT();
    case 0x04: /* MTC0 */
        if (!usable) {
            cpu_raise(c, EXC_CPU, 0, 0, 0);
            return;
        }
        cp0_write(c, rd, sel, GPR(rt));
        NEXT();
    case 0x0A: /* RDPGPR: one shadow set, so the current one */
    case 0x0E: /* WRPGPR */
        if (!usable) {
            cpu_raise(c, EXC_CPU, 0, 0, 0);
            return;
        }
        GPR(rd) = GPR(rt);
        NEXT();
    case 0x0B: /* MFMC0: DI / EI */
        if (rd != C0_STATUS || (insn & 0x7DFu) != 0) {
            cpu_raise(c, EXC_RI, 0, 0, 0);
            return;
        }
        if (!usable && !(c->ext & CPU_EXT_DIEI_UNPRIV)) {
            cpu_raise(c, EXC_CPU, 0, 0, 0);
            return;
        }
        uint32_t old = c->cp0.status;
        if (insn & 0x20u)
            c->cp0.status |= ST_IE;
        else
            c->cp0.status &= ~ST_IE;
        GPR(rt) = old;
        if (unlikely(!usable) && c->nlisteners)
            sensitive_event(c, insn, old);
        cpu_end_batch(c);
        NEXT();
    default: cpu_raise(c, EXC_RI, 0, 0, 0); return;
    }
}

static void __attribute__((noinline)) exec_special2(struct cpu *c, uint32_t insn)
{
    uint32_t rs = GPR(RS(insn)), rt = GPR(RT(insn));
    uint64_t acc = ((uint64_t)c->hi << 32) | c->lo;
    switch (FUNCT(insn)) {
    case 0x00: acc += (uint64_t)((int64_t)(int32_t)rs * (int32_t)rt); break;    /* MADD */
    case 0x01: acc += (uint64_t)rs * rt; break;                                 /* MADDU */
    case 0x02: GPR(RD(insn)) = rs * rt; NEXT();                                 /* MUL */
    case 0x04: acc -= (uint64_t)((int64_t)(int32_t)rs * (int32_t)rt); break;    /* MSUB */
    case 0x05: acc -= (uint64_t)rs * rt; break;                                 /* MSUBU */
    case 0x20: GPR(RD(insn)) = rs ? (uint32_t)__builtin_clz(rs) : 32; NEXT();   /* CLZ */
    case 0x21: GPR(RD(insn)) = ~rs ? (uint32_t)__builtin_clz(~rs) : 32; NEXT(); /* CLO */
    default: cpu_raise(c, EXC_RI, 0, 0, 0); return; /* incl. SDBBP: no EJTAG */
    }
    c->hi = (uint32_t)(acc >> 32);
    c->lo = (uint32_t)acc;
    NEXT();
}

static void __attribute__((noinline)) exec_special3(struct cpu *c, uint32_t insn)
{
    uint32_t rs = GPR(RS(insn)), rt = GPR(RT(insn));
    unsigned lsb = SA(insn), msb = RD(insn);
    switch (FUNCT(insn)) {
    case 0x00: { /* EXT: size = msbd + 1; pos + size > 32 is UNPREDICTABLE */
        uint64_t mask = (1ull << (msb + 1)) - 1;
        GPR(RT(insn)) = (uint32_t)((rs >> lsb) & mask);
        NEXT();
    }
    case 0x04: { /* INS: msb < lsb is UNPREDICTABLE: leave rt alone */
        if (msb >= lsb) {
            uint64_t mask = ((1ull << (msb - lsb + 1)) - 1) << lsb;
            GPR(RT(insn)) = (uint32_t)((rt & ~mask) | (((uint64_t)rs << lsb) & mask));
        }
        NEXT();
    }
    case 0x20: /* BSHFL */
        switch (SA(insn)) {
        case 0x02: GPR(RD(insn)) = ((rt & 0x00FF00FFu) << 8) | ((rt >> 8) & 0x00FF00FFu); NEXT();
        case 0x10: GPR(RD(insn)) = (uint32_t)(int32_t)(int8_t)rt; NEXT();
        case 0x18: GPR(RD(insn)) = (uint32_t)(int32_t)(int16_t)rt; NEXT();
        default: cpu_raise(c, EXC_RI, 0, 0, 0); return;
        }
    case 0x3B: { /* RDHWR */
        unsigned hw = RD(insn);
        bool ok = c->mode == MMU_KERNEL || (hw < 32 && (c->cp0.hwrena & (1u << hw)));
        uint32_t v;
        switch (hw) {
        case 0: v = c->cp0.ebase & 0x3FFu; break; /* CPUNum */
        case 1: v = 0; break;                     /* SYNCI_Step: no caches */
        case 2: v = cp0_count(c); break;          /* CC */
        case 3: v = 1; break;                     /* CCRes */
        case 29: v = c->cp0.userlocal; break;     /* UserLocal (Config3.ULRI) */
        default:
            ok = false;
            v = 0;
            break;
        }
        if (!ok) {
            cpu_raise(c, EXC_RI, 0, 0, 0);
            return;
        }
        GPR(RT(insn)) = v;
        NEXT();
    }
    default: cpu_raise(c, EXC_RI, 0, 0, 0); return;
    }
}

static void __attribute__((noinline)) exec_div(struct cpu *c, uint32_t insn, bool is_signed)
{
    uint32_t a = GPR(RS(insn)), b = GPR(RT(insn));
    /* Division by zero and INT_MIN / -1 are UNPREDICTABLE; like QEMU (the
     * reference in our differential tests) we divide by 1 instead. */
    if (is_signed) {
        int32_t sa = (int32_t)a, sb = (int32_t)b;
        if (sb == 0 || (sa == INT32_MIN && sb == -1))
            sb = 1;
        c->lo = (uint32_t)(sa / sb);
        c->hi = (uint32_t)(sa % sb);
    } else {
        if (b == 0)
            b = 1;
        c->lo = a / b;
        c->hi = a % b;
    }
    NEXT();
}

static inline void trap_if(struct cpu *c, bool cond)
{
    if (cond)
        cpu_raise(c, EXC_TR, 0, 0, 0);
    else
        c->pc += 4;
}

/*
 * Execute one instruction; a branch goes on to execute its delay slot here
 * too (delay_slot: re-enters decode), so the host stack stays flat and
 * straight-line code pays nothing. NEXT() completes an instruction; an
 * exception returns at once (cpu_raise() has set the PC and left the slot).
 */
#undef NEXT
#define NEXT()                                                                                     \
    do {                                                                                           \
        c->pc += 4;                                                                                \
        goto done;                                                                                 \
    } while (0)
#define BRANCH_TO(next)                                                                            \
    do {                                                                                           \
        slot_next = (next);                                                                        \
        goto delay_slot;                                                                           \
    } while (0)
#define BRANCH(cond, tgt) BRANCH_TO((cond) ? (tgt) : c->pc + 8)
/* Branch likely: the delay slot runs only when the branch is taken. */
#define BRANCH_LIKELY(cond, tgt)                                                                   \
    do {                                                                                           \
        if (cond)                                                                                  \
            BRANCH_TO(tgt);                                                                        \
        if (unlikely(in_slot))                                                                     \
            goto slot_ri;                                                                          \
        c->pc += 8;                                                                                \
        goto done;                                                                                 \
    } while (0)
#define TRAP_IF(cond)                                                                              \
    do {                                                                                           \
        trap_if(c, (cond));                                                                        \
        goto done;                                                                                 \
    } while (0)

static inline __attribute__((always_inline)) void exec_insn(struct cpu *c, uint32_t insn,
                                                            const bool traced, uint32_t page_tag,
                                                            const uint8_t *page_host)
{
    bool in_slot = false;
    uint32_t slot_next = 0;
decode:
    c->gpr[0] = 0;
    uint32_t rs = GPR(RS(insn));
    unsigned rt = RT(insn);
    uint32_t addr = rs + SIMM(insn);
    uint32_t v;
    unsigned rd = RD(insn);
    uint32_t rtv = GPR(rt);

    /* One dispatch: major opcodes 0..63, SPECIAL functions at 64 + funct. */
    unsigned op = insn >> 26;
    switch (op ? op : 64u + FUNCT(insn)) {
    case 64 + 0x00: GPR(rd) = rtv << SA(insn); NEXT();      /* SLL (NOP, SSNOP, EHB, PAUSE) */
    case 64 + 0x01: cpu_raise(c, EXC_CPU, 0, 0, 1); return; /* MOVF/MOVT: no FPU */
    case 64 + 0x02:                                         /* SRL / ROTR */
        if (RS(insn) & 1) {
            unsigned s = SA(insn);
            GPR(rd) = s ? (rtv >> s) | (rtv << (32 - s)) : rtv;
        } else
            GPR(rd) = rtv >> SA(insn);
        NEXT();
    case 64 + 0x03: GPR(rd) = (uint32_t)((int32_t)rtv >> SA(insn)); NEXT(); /* SRA */
    case 64 + 0x04: GPR(rd) = rtv << (rs & 31); NEXT();                     /* SLLV */
    case 64 + 0x06:                                                         /* SRLV / ROTRV */
        if (SA(insn) & 1) {
            unsigned s = rs & 31;
            GPR(rd) = s ? (rtv >> s) | (rtv << (32 - s)) : rtv;
        } else
            GPR(rd) = rtv >> (rs & 31);
        NEXT();
    case 64 + 0x07: GPR(rd) = (uint32_t)((int32_t)rtv >> (rs & 31)); NEXT(); /* SRAV */
    case 64 + 0x08: BRANCH_TO(rs);                                           /* JR, JR.HB */
    case 64 + 0x09: /* JALR: read rs before linking */ GPR(rd) = c->pc + 8; BRANCH_TO(rs);
    case 64 + 0x0A:
        if (rtv == 0)
            GPR(rd) = rs;
        NEXT(); /* MOVZ */
    case 64 + 0x0B:
        if (rtv != 0)
            GPR(rd) = rs;
        NEXT(); /* MOVN */
    case 64 + 0x0C: cpu_raise(c, EXC_SYS, 0, 0, 0); return;
    case 64 + 0x0D: cpu_raise(c, EXC_BP, 0, 0, 0); return;
    case 64 + 0x0F: NEXT(); /* SYNC */
    case 64 + 0x10: GPR(rd) = c->hi; NEXT();
    case 64 + 0x11: c->hi = rs; NEXT();
    case 64 + 0x12: GPR(rd) = c->lo; NEXT();
    case 64 + 0x13: c->lo = rs; NEXT();
    case 64 + 0x18: { /* MULT */
        int64_t p = (int64_t)(int32_t)rs * (int32_t)rtv;
        c->hi = (uint32_t)((uint64_t)p >> 32);
        c->lo = (uint32_t)p;
        NEXT();
    }
    case 64 + 0x19: { /* MULTU */
        uint64_t p = (uint64_t)rs * rtv;
        c->hi = (uint32_t)(p >> 32);
        c->lo = (uint32_t)p;
        NEXT();
    }
    case 64 + 0x1A: exec_div(c, insn, true); goto done;
    case 64 + 0x1B: exec_div(c, insn, false); goto done;
    case 64 + 0x20: { /* ADD */
        int32_t r;
        if (__builtin_add_overflow((int32_t)rs, (int32_t)rtv, &r)) {
            cpu_raise(c, EXC_OV, 0, 0, 0);
            return;
        }
        GPR(rd) = (uint32_t)r;
        NEXT();
    }
    case 64 + 0x21: GPR(rd) = rs + rtv; NEXT(); /* ADDU */
    case 64 + 0x22: {                           /* SUB */
        int32_t r;
        if (__builtin_sub_overflow((int32_t)rs, (int32_t)rtv, &r)) {
            cpu_raise(c, EXC_OV, 0, 0, 0);
            return;
        }
        GPR(rd) = (uint32_t)r;
        NEXT();
    }
    case 64 + 0x23: GPR(rd) = rs - rtv; NEXT();
    case 64 + 0x24: GPR(rd) = rs & rtv; NEXT();
    case 64 + 0x25: GPR(rd) = rs | rtv; NEXT();
    case 64 + 0x26: GPR(rd) = rs ^ rtv; NEXT();
    case 64 + 0x27: GPR(rd) = ~(rs | rtv); NEXT();
    case 64 + 0x2A: GPR(rd) = (int32_t)rs < (int32_t)rtv; NEXT();
    case 64 + 0x2B: GPR(rd) = rs < rtv; NEXT();
    case 64 + 0x30: TRAP_IF((int32_t)rs >= (int32_t)rtv); /* TGE */
    case 64 + 0x31: TRAP_IF(rs >= rtv);                   /* TGEU */
    case 64 + 0x32: TRAP_IF((int32_t)rs < (int32_t)rtv);  /* TLT */
    case 64 + 0x33: TRAP_IF(rs < rtv);                    /* TLTU */
    case 64 + 0x34: TRAP_IF(rs == rtv);                   /* TEQ */
    case 64 + 0x36: TRAP_IF(rs != rtv);                   /* TNE */
    case 0x01: {                                          /* REGIMM */
        int32_t srs = (int32_t)rs;
        uint32_t tgt = branch_target(c, insn);
        int32_t imm = (int32_t)SIMM(insn);
        switch (RT(insn)) {
        case 0x00: BRANCH(srs < 0, tgt);         /* BLTZ */
        case 0x01: BRANCH(srs >= 0, tgt);        /* BGEZ */
        case 0x02: BRANCH_LIKELY(srs < 0, tgt);  /* BLTZL */
        case 0x03: BRANCH_LIKELY(srs >= 0, tgt); /* BGEZL */
        case 0x08: TRAP_IF(srs >= imm);          /* TGEI */
        case 0x09: TRAP_IF((uint32_t)srs >= (uint32_t)imm);
        case 0x0A: TRAP_IF(srs < imm);
        case 0x0B: TRAP_IF((uint32_t)srs < (uint32_t)imm);
        case 0x0C: TRAP_IF(srs == imm);
        case 0x0E: TRAP_IF(srs != imm);
        case 0x10: GPR(31) = c->pc + 8; BRANCH(srs < 0, tgt);         /* BLTZAL */
        case 0x11: GPR(31) = c->pc + 8; BRANCH(srs >= 0, tgt);        /* BGEZAL, BAL */
        case 0x12: GPR(31) = c->pc + 8; BRANCH_LIKELY(srs < 0, tgt);  /* BLTZALL */
        case 0x13: GPR(31) = c->pc + 8; BRANCH_LIKELY(srs >= 0, tgt); /* BGEZALL */
        case 0x1F: NEXT(); /* SYNCI: no caches to synchronise */
        default: cpu_raise(c, EXC_RI, 0, 0, 0); return;
        }
    }
    case 0x02: BRANCH_TO(((c->pc + 4) & 0xF0000000u) | (JINDEX(insn) << 2)); /* J */
    case 0x03:                                                               /* JAL */
        GPR(31) = c->pc + 8;
        BRANCH_TO(((c->pc + 4) & 0xF0000000u) | (JINDEX(insn) << 2));
    case 0x04: BRANCH(rs == rtv, branch_target(c, insn));        /* BEQ */
    case 0x05: BRANCH(rs != rtv, branch_target(c, insn));        /* BNE */
    case 0x06: BRANCH((int32_t)rs <= 0, branch_target(c, insn)); /* BLEZ */
    case 0x07: BRANCH((int32_t)rs > 0, branch_target(c, insn));  /* BGTZ */
    case 0x08: {                                                 /* ADDI */
        int32_t r;
        if (__builtin_add_overflow((int32_t)rs, (int32_t)SIMM(insn), &r)) {
            cpu_raise(c, EXC_OV, 0, 0, 0);
            return;
        }
        GPR(rt) = (uint32_t)r;
        NEXT();
    }
    case 0x09: GPR(rt) = addr; NEXT();                              /* ADDIU */
    case 0x0A: GPR(rt) = (int32_t)rs < (int32_t)SIMM(insn); NEXT(); /* SLTI */
    case 0x0B: GPR(rt) = rs < SIMM(insn); NEXT();                   /* SLTIU */
    case 0x0C: GPR(rt) = rs & UIMM(insn); NEXT();                   /* ANDI */
    case 0x0D: GPR(rt) = rs | UIMM(insn); NEXT();                   /* ORI */
    case 0x0E: GPR(rt) = rs ^ UIMM(insn); NEXT();                   /* XORI */
    case 0x0F: GPR(rt) = UIMM(insn) << 16; NEXT();                  /* LUI */
    case 0x10: exec_cop0(c, insn); goto done;
    case 0x11:
    case 0x13: cpu_raise(c, EXC_CPU, 0, 0, 1); return;                  /* COP1, COP1X */
    case 0x12: cpu_raise(c, EXC_CPU, 0, 0, 2); return;                  /* COP2 */
    case 0x14: BRANCH_LIKELY(rs == GPR(rt), branch_target(c, insn));    /* BEQL */
    case 0x15: BRANCH_LIKELY(rs != GPR(rt), branch_target(c, insn));    /* BNEL */
    case 0x16: BRANCH_LIKELY((int32_t)rs <= 0, branch_target(c, insn)); /* BLEZL */
    case 0x17: BRANCH_LIKELY((int32_t)rs > 0, branch_target(c, insn));  /* BGTZL */
    case 0x1C: exec_special2(c, insn); goto done;
    case 0x1F: exec_special3(c, insn); goto done;
    case 0x20:
        if (!load8(c, addr, &v))
            return;
        GPR(rt) = (uint32_t)(int32_t)(int8_t)v;
        NEXT();
    case 0x21:
        if (!load16(c, addr, &v))
            return;
        GPR(rt) = (uint32_t)(int32_t)(int16_t)v;
        NEXT();
    case 0x22: { /* LWL */
        if (!load_word_of(c, addr, &v))
            return;
        unsigned sh = 8 * msb_offset(c, addr);
        GPR(rt) = (v << sh) | (GPR(rt) & (uint32_t)((1ull << sh) - 1));
        NEXT();
    }
    case 0x23:
        if (!load32(c, addr, &v))
            return;
        GPR(rt) = v;
        NEXT();
    case 0x24:
        if (!load8(c, addr, &v))
            return;
        GPR(rt) = v;
        NEXT();
    case 0x25:
        if (!load16(c, addr, &v))
            return;
        GPR(rt) = v;
        NEXT();
    case 0x26: { /* LWR */
        if (!load_word_of(c, addr, &v))
            return;
        unsigned sh = 8 * (3 - msb_offset(c, addr));
        uint32_t keep = ~(uint32_t)(0xFFFFFFFFull >> sh);
        GPR(rt) = (v >> sh) | (GPR(rt) & keep);
        NEXT();
    }
    case 0x28:
        if (!store8(c, addr, GPR(rt)))
            return;
        NEXT();
    case 0x29:
        if (!store16(c, addr, GPR(rt)))
            return;
        NEXT();
    case 0x2A: { /* SWL */
        uint32_t m;
        if (!load_word_of(c, addr, &m))
            return;
        unsigned sh = 8 * msb_offset(c, addr);
        uint32_t low = (uint32_t)(0xFFFFFFFFull >> sh);
        if (!store_word_of(c, addr, (m & ~low) | (GPR(rt) >> sh)))
            return;
        NEXT();
    }
    case 0x2B:
        if (!store32(c, addr, GPR(rt)))
            return;
        NEXT();
    case 0x2E: { /* SWR */
        uint32_t m;
        if (!load_word_of(c, addr, &m))
            return;
        unsigned sh = 8 * (3 - msb_offset(c, addr));
        uint32_t high = (uint32_t)(0xFFFFFFFFull << sh);
        if (!store_word_of(c, addr, (m & ~high) | (GPR(rt) << sh)))
            return;
        NEXT();
    }
    case 0x2F: /* CACHE: no caches, but still privileged */
        if (!cp0_usable(c)) {
            cpu_raise(c, EXC_CPU, 0, 0, 0);
            return;
        }
        NEXT();
    case 0x30: /* LL */
        if (!load32(c, addr, &v))
            return;
        GPR(rt) = v;
        c->llbit = true;
        c->cp0.lladdr = addr >> 4;
        NEXT();
    case 0x33: NEXT(); /* PREF */
    case 0x38:         /* SC */
        if (c->llbit) {
            if (!store32(c, addr, GPR(rt)))
                return;
            GPR(rt) = 1;
        } else
            GPR(rt) = 0;
        c->llbit = false;
        NEXT();
    case 0x31:
    case 0x35:
    case 0x39:
    case 0x3D: cpu_raise(c, EXC_CPU, 0, 0, 1); return; /* FPU */
    case 0x32:
    case 0x36:
    case 0x3A:
    case 0x3E: cpu_raise(c, EXC_CPU, 0, 0, 2); return; /* COP2 */
    default: cpu_raise(c, EXC_RI, 0, 0, 0); return;
    }

delay_slot:
    if (unlikely(in_slot))
        goto slot_ri; /* a branch in a delay slot: UNPREDICTABLE, here RI */
    in_slot = true;
    c->pc += 4;
    c->in_delay = true;
    c->delay_next = slot_next;
    c->batch_left--;
    if (likely((c->pc & 0xFFFFF003u) == page_tag))
        insn = rd32(c, page_host + (c->pc & 0xFFFu));
    else if (unlikely(!fetch(c, &insn)))
        return;
    if (traced) {
        c->insn_fn(c->insn_opaque, c->pc, insn);
        c->hold_insn = false; /* a delay slot goes with its branch */
    }
    goto decode;
slot_ri:
    cpu_raise(c, EXC_RI, 0, 0, 0);
    return;
done:
    /* Every exception path clears in_delay: if it is still set, the slot
     * instruction completed and the branch takes effect. */
    if (unlikely(in_slot) && c->in_delay) {
        c->in_delay = false;
        c->pc = slot_next;
    }
}

/* The traced (single-stepping) path: one out-of-line copy. */
static void __attribute__((noinline)) exec_insn_traced(struct cpu *c, uint32_t insn)
{
    exec_insn(c, insn, true, HCACHE_INVALID, NULL);
}

/*
 * The batch loop. The page of the current PC is kept in locals: whatever can
 * change the translation of code (exceptions, ERET, MTC0 of Status or
 * EntryHi, TLB writes, host calls between batches) ends the batch, so the
 * locals never outlive the mapping they were taken from.
 */
void cpu_exec_batch(struct cpu *c)
{
    if (unlikely(c->insn_fn != NULL)) {
        while (c->batch_left > 0) {
            c->batch_left--;
            uint32_t insn;
            if (!fetch(c, &insn))
                continue;
            c->insn_fn(c->insn_opaque, c->pc, insn);
            if (unlikely(c->hold_insn)) { /* cpu_stop_before(): not this one */
                c->hold_insn = false;
                c->batch_len -= c->batch_left + 1;
                c->batch_left = 0;
                return;
            }
            exec_insn_traced(c, insn);
        }
        return;
    }
    uint32_t page_tag = HCACHE_INVALID;
    const uint8_t *page_host = NULL;
    while (likely(c->batch_left > 0)) {
        c->batch_left--;
        uint32_t pc = c->pc, insn;
        if (likely((pc & 0xFFFFF003u) == page_tag)) {
            insn = rd32(c, page_host + (pc & 0xFFFu));
        } else {
            if (unlikely(!fetch(c, &insn)))
                continue;
            const struct hcache_entry *e = &c->hc_fetch[(pc >> 12) & (HCACHE_SIZE - 1)];
            /* Only an entry of this address space vouches for the page. */
            page_tag =
                e->tag == ((pc & 0xFFFFF000u) | c->asid_tag) ? pc & 0xFFFFF000u : HCACHE_INVALID;
            page_host = (const uint8_t *)(e->addend + (pc & 0xFFFFF000u));
        }
        exec_insn(c, insn, false, page_tag, page_host);
    }
}
