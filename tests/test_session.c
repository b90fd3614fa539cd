/*
 * tests/test_session.c — the window's model without a window (gui/session.h):
 * stepping, step to the next trap (of a kind, of a guest), breakpoints on a
 * PC, a symbol, a trap kind, an exception name, a guest and a TLB decision,
 * what is recorded for display (trap log, TLB changes, consoles, the two
 * views of a guest's mode under the ERET gotcha), reset, and refused input.
 */
#include "cunit_main.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cpu/cp0_regs.h"
#include "gui/session.h"
#include "runcli.h"

static char err[512];

static void cfg_native(struct vmm_config *c)
{
    CU_ASSERT_FATAL(vmm_config_default(c));
    CU_ASSERT_EQUAL(vmm_config_set(c, "bus0.slot0.input=none", err, sizeof err), 0);
}

static session_t *open_session(bool vmm)
{
    struct vmm_config c;
    cfg_native(&c);
    session_t *s = session_new(&c, vmm, err, sizeof err); /* the session keeps its own copy */
    vmm_config_free(&c);
    if (!s)
        printf("\n  session_new: %s\n", err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    return s;
}

static const struct sess_target ANY = {-1, -1};

static uint32_t kernel_symbol(session_t *s, const char *name)
{
    uint32_t a = 0;
    const elfimg_t *k =
        session_is_vmm(s) ? vmm_guest_kernel(session_vmm(s), 0) : board_kernel(session_board(s));
    CU_ASSERT_FATAL(k && elfimg_symbol_addr(k, name, &a));
    return a;
}

/* Run in chunks until something other than the budget ends the advance. */
static enum sess_why run_until(session_t *s, enum sess_mode_run m, struct sess_target t,
                               uint64_t limit)
{
    enum sess_why why = SESS_BUDGET;
    for (uint64_t start = session_insns(s); why == SESS_BUDGET && session_insns(s) - start < limit;)
        why = session_advance(s, m, t, 1000000);
    return why;
}

static void test_break_on_symbol_stops_before_it(void)
{
    session_t *s = open_session(false);
    uint32_t kmain = kernel_symbol(s, "kmain");
    CU_ASSERT_EQUAL(session_break_add(s, "sym kmain", err, sizeof err), 0);
    CU_ASSERT_EQUAL(run_until(s, SESS_RUN, ANY, 50000000), SESS_BREAK);
    CU_ASSERT_EQUAL(cpu_pc(session_cpu(s)), kmain);
    const struct sess_break *b = session_break_hit(s);
    CU_ASSERT_PTR_NOT_NULL_FATAL(b);
    CU_ASSERT_EQUAL(b->type, BP_PC);
    CU_ASSERT_STRING_EQUAL(b->label, "sym kmain");
    /* The instruction at the breakpoint has not run: one step runs it. */
    uint64_t n = session_insns(s);
    CU_ASSERT_EQUAL(session_advance(s, SESS_STEP_INSN, ANY, 1), SESS_STEPPED);
    CU_ASSERT_EQUAL(session_insns(s), n + 1);
    CU_ASSERT_EQUAL(cpu_pc(session_cpu(s)), kmain + 4);
    /* Resuming with the breakpoint still set goes on (kmain is entered once). */
    CU_ASSERT_EQUAL(session_advance(s, SESS_RUN, ANY, 200000), SESS_BUDGET);
    /* And a PC breakpoint given as an address is the same breakpoint. */
    char spec[32];
    snprintf(spec, sizeof spec, "pc %#x", kmain);
    CU_ASSERT_EQUAL(session_break_add(s, spec, err, sizeof err), 0);
    CU_ASSERT_EQUAL(session_break_count(s), 2);
    CU_ASSERT_EQUAL(session_break_remove(s, "all"), 2);
    session_free(s);
}

static void test_resume_from_breakpoint_runs_it(void)
{
    /* A breakpoint inside a loop hits again on the next iteration, not at once. */
    session_t *s = open_session(false);
    uint32_t putc = kernel_symbol(s, "console_putc");
    CU_ASSERT_EQUAL(session_break_add(s, "sym console_putc", err, sizeof err), 0);
    CU_ASSERT_EQUAL(run_until(s, SESS_RUN, ANY, 50000000), SESS_BREAK);
    uint64_t first = session_insns(s);
    CU_ASSERT_EQUAL(cpu_pc(session_cpu(s)), putc);
    CU_ASSERT_EQUAL(run_until(s, SESS_RUN, ANY, 50000000), SESS_BREAK);
    CU_ASSERT_EQUAL(cpu_pc(session_cpu(s)), putc);
    CU_ASSERT(session_insns(s) > first + 5);
    session_free(s);
}

static void test_step_to_next_trap_native(void)
{
    session_t *s = open_session(false);
    CU_ASSERT_EQUAL(run_until(s, SESS_STEP_TRAP, (struct sess_target){SK_TLB_MISS, -1}, 50000000),
                    SESS_TRAP);
    const struct sess_trap *t = session_trap_recent(s, 0, ~0u);
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    CU_ASSERT_EQUAL(t->kind, SK_TLB_MISS);
    CU_ASSERT(t->code == EXC_TLBL || t->code == EXC_TLBS);
    /* natively the kernel's refill handler runs: the PC is at the refill vector */
    CU_ASSERT_EQUAL(cpu_pc(session_cpu(s)) & 0xFFFu, 0);
    char text[256];
    session_trap_text(s, t, text, sizeof text);
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "tlb_miss"));
    /* the refill handler writes the TLB: the written entry is lit in the next advance */
    CU_ASSERT_EQUAL(run_until(s, SESS_STEP_TRAP, (struct sess_target){SK_TLB_MISS, -1}, 50000000),
                    SESS_TRAP);
    bool lit = false;
    for (unsigned i = 0; i < tlb_size(cpu_tlb(session_cpu(s))); i++)
        lit |= session_tlb_age(s, i) == 0;
    CU_ASSERT(lit);
    session_free(s);
}

static void test_vmm_trap_records_tlb_write_and_decision(void)
{
    session_t *s = open_session(true);
    CU_ASSERT_EQUAL(run_until(s, SESS_STEP_TRAP, (struct sess_target){SK_TLB_MISS, 1}, 50000000),
                    SESS_TRAP);
    const struct sess_trap *t = session_trap_recent(s, 0, ~0u);
    CU_ASSERT_EQUAL(t->kind, SK_TLB_MISS);
    CU_ASSERT_EQUAL(t->guest, 1);
    CU_ASSERT(t->tlb_index >= 0);
    CU_ASSERT_EQUAL(t->decision, VMM_ACCEPT);
    CU_ASSERT_EQUAL(session_tlb_age(s, (unsigned)t->tlb_index), 0);
    struct vmm_tlb_owner o;
    vmm_tlb_owner(session_vmm(s), (unsigned)t->tlb_index, &o);
    CU_ASSERT_EQUAL(o.guest, 1);
    CU_ASSERT_EQUAL(o.decision, VMM_ACCEPT);
    /* the entry maps the page that missed */
    struct tlb_regs e;
    tlb_read(cpu_tlb(session_cpu(s)), (unsigned)t->tlb_index, &e);
    uint32_t span = (e.pagemask | 0x1FFFu) + 1;
    CU_ASSERT_EQUAL(e.entryhi & ENTRYHI_VPN2_MASK, t->badvaddr & ~(span - 1));
    CU_ASSERT_EQUAL(session_current_guest(s), 1);
    session_free(s);
}

static void test_break_on_exception_of_a_guest(void)
{
    session_t *s = open_session(true);
    CU_ASSERT_EQUAL(session_break_add(s, "trap Sys guest 1", err, sizeof err), 0);
    CU_ASSERT_EQUAL(run_until(s, SESS_RUN, ANY, 100000000), SESS_BREAK);
    const struct sess_trap *t = session_trap_recent(s, 0, ~0u);
    CU_ASSERT_EQUAL(t->code, EXC_SYS);
    CU_ASSERT_EQUAL(t->guest, 1);
    CU_ASSERT_EQUAL(t->reflected, EXC_SYS); /* the monitor reflected it to guest1's kernel */
    CU_ASSERT_EQUAL(session_break_hit(s)->type, BP_CODE);
    /* a kind breakpoint: the next MMIO trap of anybody */
    session_break_remove(s, "all");
    CU_ASSERT_EQUAL(session_break_add(s, "trap mmio", err, sizeof err), 0);
    CU_ASSERT_EQUAL(run_until(s, SESS_RUN, ANY, 100000000), SESS_BREAK);
    CU_ASSERT_EQUAL(session_trap_recent(s, 0, ~0u)->kind, SK_MMIO);
    session_break_remove(s, "all");
    CU_ASSERT_EQUAL(session_break_add(s, "guest 0", err, sizeof err), 0);
    CU_ASSERT_EQUAL(run_until(s, SESS_RUN, ANY, 100000000), SESS_BREAK);
    CU_ASSERT_EQUAL(session_trap_recent(s, 0, ~0u)->guest, 0);
    session_free(s);
}

/* A lab policy: refuse the user stack pages of guest1's processes. */
static enum vmm_decision no_user_stack(void *opaque, struct vmm_candidate *c)
{
    (void)opaque;
    return c->guest == 1 && c->mode == VMODE_USER && c->vaddr >= 0x7F000000u &&
                   c->vaddr < 0x80000000u
               ? VMM_REJECT
               : VMM_ACCEPT;
}

static void test_break_on_reject(void)
{
    session_t *s = open_session(true);
    static const struct vmm_policy pol = {"nostack", no_user_stack, NULL, NULL};
    vmm_set_policy(session_vmm(s), &pol);
    CU_ASSERT_EQUAL(session_break_add(s, "decision reject", err, sizeof err), 0);
    CU_ASSERT_EQUAL(run_until(s, SESS_RUN, ANY, 200000000), SESS_BREAK);
    const struct sess_trap *t = session_trap_recent(s, 0, ~0u);
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    CU_ASSERT_EQUAL(t->decision, VMM_REJECT);
    CU_ASSERT_EQUAL(t->guest, 1);
    CU_ASSERT(t->badvaddr >= 0x7F000000u && t->badvaddr < 0x80000000u);
    CU_ASSERT(t->reflected == EXC_TLBL || t->reflected == EXC_TLBS); /* what its TLB would say */
    CU_ASSERT_EQUAL(t->tlb_index, -1);                               /* nothing installed */
    CU_ASSERT_EQUAL(session_break_hit(s)->type, BP_DECISION);
    uint64_t at = session_insns(s);
    session_free(s);

    /* Narrowed to guest0, whose translations the policy never rejects: no stop,
     * although guest1 gets rejected over the same stretch. */
    s = open_session(true);
    vmm_set_policy(session_vmm(s), &pol);
    CU_ASSERT_EQUAL(session_break_add(s, "decision reject guest 0", err, sizeof err), 0);
    CU_ASSERT_EQUAL(run_until(s, SESS_RUN, ANY, at + 1000000), SESS_BUDGET);
    struct vmm_guest_stats g1;
    vmm_guest_stats(session_vmm(s), 1, &g1);
    CU_ASSERT(g1.decisions[VMM_REJECT] > 0);
    session_free(s);
}

static void test_gotcha_divergence_recorded(void)
{
    struct vmm_config c;
    vmm_config_default(&c);
    CU_ASSERT_EQUAL_FATAL(
        vmm_config_load(&c, SOURCE_DIR "/configs/labs/gotcha.ini", err, sizeof err), 0);
    c.board.unsafe = CPU_EXT_ERET_UNPRIV;
    session_t *s = session_new(&c, true, err, sizeof err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    CU_ASSERT_EQUAL(run_until(s, SESS_STEP_TRAP, (struct sess_target){SK_SENSITIVE, -1}, 50000000),
                    SESS_TRAP);
    const struct sess_trap *t = session_trap_recent(s, 0, ~0u);
    CU_ASSERT_EQUAL(t->kind, SK_SENSITIVE);
    CU_ASSERT_EQUAL(t->insn, 0x42000018u); /* eret */
    CU_ASSERT(t->diverged);
    const struct sess_mode *m = session_mode_recent(s, 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(m);
    CU_ASSERT(m->diverged);
    /* The ERET into the user process: the guest is in its user mode, the
     * monitor still believes guest kernel (EXL set). */
    for (int i = 0; i < 20 && m->actual != VMODE_USER; i++) {
        CU_ASSERT_EQUAL(
            run_until(s, SESS_STEP_TRAP, (struct sess_target){SK_SENSITIVE, -1}, 50000000),
            SESS_TRAP);
        m = session_mode_recent(s, 0);
    }
    CU_ASSERT_EQUAL(m->believed, VMODE_KERNEL);
    CU_ASSERT_EQUAL(m->actual, VMODE_USER);
    struct vmm_vcpu_view vv;
    CU_ASSERT(vmm_guest_vcpu(session_vmm(s), 0, &vv));
    CU_ASSERT(vv.diverged);
    session_free(s);

    /* Safe hardware: the same kernel never diverges. */
    c.board.unsafe = 0;
    s = session_new(&c, true, err, sizeof err);
    vmm_config_free(&c); /* the session keeps its own copy */
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    CU_ASSERT_EQUAL(run_until(s, SESS_RUN, ANY, 50000000), SESS_ENDED);
    for (unsigned n = 0; session_mode_recent(s, n); n++)
        CU_ASSERT_FALSE(session_mode_recent(s, n)->diverged);
    CU_ASSERT(session_trap_count(s, SK_PRIV) > 0);
    CU_ASSERT_EQUAL(session_trap_count(s, SK_SENSITIVE), 0);
    session_free(s);
}

static void test_break_on_relocation(void)
{
    /* The relocation lab: "break reloc" stops at each move of a resident
     * portion, recorded with where from and to, as --trace reloc says. */
    struct vmm_config c;
    vmm_config_default(&c);
    CU_ASSERT_EQUAL_FATAL(
        vmm_config_load(&c, SOURCE_DIR "/configs/labs/relocation.ini", err, sizeof err), 0);
    session_t *s = session_new(&c, true, err, sizeof err);
    vmm_config_free(&c);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    CU_ASSERT_EQUAL(session_break_add(s, "reloc guest 0", err, sizeof err), 0);
    static const uint32_t to[] = {0xFFFFC000u, 0xFFFFA000u, 0xFFFF8000u};
    for (unsigned i = 0; i < 3; i++) {
        CU_ASSERT_EQUAL_FATAL(run_until(s, SESS_RUN, ANY, 50000000), SESS_BREAK);
        /* The move, then the trap that caused it (recorded once handled). */
        const struct sess_trap *t = session_trap_recent(s, 1, ~0u);
        CU_ASSERT_EQUAL_FATAL(t->kind, SK_RELOC);
        CU_ASSERT_EQUAL(session_trap_recent(s, 0, ~0u)->kind,
                        i == 1 ? (unsigned)SK_TLB_INVALID : (unsigned)SK_PRIV);
        CU_ASSERT_EQUAL(t->guest, 0);
        CU_ASSERT_EQUAL(t->to, to[i]);
        CU_ASSERT_EQUAL(t->from, i == 0 ? 0xFFFFE000u : to[i - 1]);
        CU_ASSERT_EQUAL(t->cause, i == 1 ? VMM_RELOC_ACCESS : VMM_RELOC_TLB_WRITE);
        struct sess_move m;
        session_last_move(s, 0, &m);
        CU_ASSERT_EQUAL(m.seq, t->seq);
        CU_ASSERT_EQUAL(m.to, to[i]);
        char line[256];
        session_trap_text(s, t, line, sizeof line);
        char want[64];
        snprintf(want, sizeof want, "moved %08x -> %08x (%s)", t->from, t->to,
                 i == 1 ? "access" : "tlb_write");
        CU_ASSERT_PTR_NOT_NULL(strstr(line, want));
        struct vmm_resident_view rv;
        CU_ASSERT(vmm_guest_resident(session_vmm(s), 0, &rv));
        CU_ASSERT_EQUAL(rv.va, to[i]);
    }
    CU_ASSERT_EQUAL(session_trap_count(s, SK_RELOC), 4); /* and the filler's one */
    session_free(s);
}

static bool console_has(session_t *s, unsigned g, const char *needle)
{
    const struct sess_console *c = session_console(s, g);
    for (unsigned i = 0; i < c->count; i++)
        if (strstr(c->line[(c->last + SESS_CON_LINES - i) % SESS_CON_LINES], needle))
            return true;
    return false;
}

static void test_consoles_and_end(void)
{
    session_t *s = open_session(true);
    CU_ASSERT_EQUAL(run_until(s, SESS_RUN, ANY, 400000000), SESS_ENDED);
    CU_ASSERT(session_ended(s));
    CU_ASSERT_PTR_NOT_NULL(strstr(session_end_text(s), "powered off"));
    /* each guest's console holds its own text, unprefixed */
    CU_ASSERT(console_has(s, 0, "trapvisor teaching kernel"));
    CU_ASSERT(console_has(s, 1, "bus2.slot0  fb"));
    CU_ASSERT_FALSE(console_has(s, 0, "bus2.slot0  fb")); /* guest0 does not see guest1's bus */
    CU_ASSERT_FALSE(console_has(s, 0, "[g0]"));
    CU_ASSERT_EQUAL(session_advance(s, SESS_RUN, ANY, 1000), SESS_ENDED);
    /* reset: a fresh machine, the breakpoints kept */
    CU_ASSERT_EQUAL(session_break_add(s, "sym kmain", err, sizeof err), 0);
    CU_ASSERT_EQUAL(session_reset(s, err, sizeof err), 0);
    CU_ASSERT_FALSE(session_ended(s));
    CU_ASSERT_EQUAL(session_insns(s), 0);
    CU_ASSERT_EQUAL(session_trap_total(s), 0);
    CU_ASSERT_FALSE(console_has(s, 0, "trapvisor"));
    CU_ASSERT_EQUAL(run_until(s, SESS_RUN, ANY, 50000000), SESS_BREAK);
    CU_ASSERT_EQUAL(cpu_pc(session_cpu(s)), kernel_symbol(s, "kmain"));
    session_free(s);
}

static void expect_refused(session_t *s, const char *spec, const char *needle)
{
    CU_ASSERT_EQUAL(session_break_add(s, spec, err, sizeof err), -1);
    if (!strstr(err, needle))
        printf("\n  break '%s': expected '%s' in '%s'\n", spec, needle, err);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, needle));
}

static void test_bad_breakpoints(void)
{
    session_t *s = open_session(false);
    expect_refused(s, "sym no_such_function", "unknown symbol 'no_such_function'");
    expect_refused(s, "pc 0x80000002", "not a word-aligned address");
    expect_refused(s, "pc banana", "not a word-aligned address");
    expect_refused(s, "trap nonsense", "unknown kind 'nonsense'");
    expect_refused(s, "decision reject", "run with --vmm");
    expect_refused(s, "guest 3", "no guest '3'");
    expect_refused(s, "frobnicate 1", "unknown type 'frobnicate'");
    expect_refused(s, "pc", "expected pc ADDR");
    CU_ASSERT_EQUAL(session_break_count(s), 0);
    session_free(s);
    s = open_session(true);
    expect_refused(s, "decision maybe", "not accept, modify or reject");
    expect_refused(s, "trap Sys guest 7", "no guest '7'");
    CU_ASSERT_EQUAL(session_break_add(s, "decision modify", err, sizeof err), 0);
    CU_ASSERT_EQUAL(session_break_toggle(s, "decision modify", err, sizeof err), 0);
    CU_ASSERT_EQUAL(session_break_count(s), 0);
    session_free(s);
}

static void test_deterministic(void)
{
    /* Two sessions stepped the same way see the same traps at the same cycles. */
    session_t *a = open_session(true), *b = open_session(true);
    for (int i = 0; i < 50; i++) {
        CU_ASSERT_EQUAL(run_until(a, SESS_STEP_TRAP, ANY, 1000000), SESS_TRAP);
        CU_ASSERT_EQUAL(run_until(b, SESS_STEP_TRAP, ANY, 1000000), SESS_TRAP);
    }
    const struct sess_trap *ta = session_trap_recent(a, 0, ~0u),
                           *tb = session_trap_recent(b, 0, ~0u);
    CU_ASSERT_EQUAL(ta->seq, tb->seq);
    CU_ASSERT_EQUAL(ta->cycle, tb->cycle);
    CU_ASSERT_EQUAL(ta->pc, tb->pc);
    CU_ASSERT_EQUAL(session_insns(a), session_insns(b));
    session_free(a);
    session_free(b);
}

static void test_reset_frees_first(void)
{
    /* The machine owns a locked disk image: a reset that built the next
     * machine before freeing the old one could not open it. */
    char path[64];
    make_temp_file(path, 64 * 512);
    struct vmm_config c;
    cfg_native(&c);
    char set[128];
    snprintf(set, sizeof set, "bus1.slot0.image=%s", path);
    CU_ASSERT_EQUAL(vmm_config_set(&c, "bus1.slot0.type=disk", err, sizeof err), 0);
    CU_ASSERT_EQUAL(vmm_config_set(&c, set, err, sizeof err), 0);
    for (int vmm = 0; vmm < 2; vmm++) {
        session_t *s = session_new(&c, vmm, err, sizeof err);
        CU_ASSERT_PTR_NOT_NULL_FATAL(s);
        CU_ASSERT_EQUAL(session_advance(s, SESS_RUN, ANY, 100000), SESS_BUDGET);
        if (session_reset(s, err, sizeof err) != 0)
            printf("\n  reset: %s\n", err);
        CU_ASSERT_EQUAL(session_insns(s), 0);
        CU_ASSERT_EQUAL(session_advance(s, SESS_RUN, ANY, 100000), SESS_BUDGET);
        session_free(s);
    }
    vmm_config_free(&c);
    unlink(path);
}

static void test_storm_ends_the_session(void)
{
    /* An exception storm ends the session with a message, natively and
     * under the monitor, instead of an advance that never progresses. */
    for (int vmm = 0; vmm < 2; vmm++) {
        struct vmm_config c;
        cfg_native(&c);
        CU_ASSERT_EQUAL(
            vmm_config_set(&c, vmm ? "guest1.kernel=guest:storm" : "board.kernel=guest:storm", err,
                           sizeof err),
            0);
        session_t *s = session_new(&c, vmm, err, sizeof err);
        vmm_config_free(&c);
        CU_ASSERT_PTR_NOT_NULL_FATAL(s);
        CU_ASSERT_EQUAL(session_advance(s, SESS_RUN, ANY, 400000000), SESS_ENDED);
        CU_ASSERT_PTR_NOT_NULL(strstr(session_end_text(s), "exception storm"));
        CU_ASSERT_PTR_NOT_NULL(strstr(session_end_text(s), "TLBL at 8001005c"));
        session_free(s);
    }
}

static const struct test_case tests[] = {
    {"an exception storm ends the session", test_storm_ends_the_session},
    {"break on a symbol stops before it", test_break_on_symbol_stops_before_it},
    {"resuming from a breakpoint runs it", test_resume_from_breakpoint_runs_it},
    {"step to the next trap (native)", test_step_to_next_trap_native},
    {"monitor trap: TLB entry and decision", test_vmm_trap_records_tlb_write_and_decision},
    {"break on an exception of a guest, a kind, a guest", test_break_on_exception_of_a_guest},
    {"break on a rejected translation", test_break_on_reject},
    {"the gotcha's divergence is recorded", test_gotcha_divergence_recorded},
    {"break on each relocation, from and to", test_break_on_relocation},
    {"consoles per guest, end, reset", test_consoles_and_end},
    {"bad breakpoints are refused", test_bad_breakpoints},
    {"deterministic", test_deterministic},
    {"reset frees the old machine first (locked disk image)", test_reset_frees_first},
};
CUNIT_MAIN("session", tests)
