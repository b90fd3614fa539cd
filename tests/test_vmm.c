/*
 * tests/test_vmm.c — the monitor as a library: configuration checks, the
 * per-guest device tree (parsed back with libfdt), each emulated privileged
 * instruction against the virtual CP0 and TLB, real ASID remapping and its
 * exhaustion, and policies (a rejecting policy makes the guest fault there;
 * a write-watching one sees the writes and changes nothing visible).
 */
#include "cunit_main.h"

#include <libfdt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cpu/cp0_regs.h"
#include "machine/fdt.h"
#include "machine/rom.h"
#include "dev/devclass.h"
#include "vmm/vmm_priv.h"

static char err[1024];

/* The default two guests, console input none (c: zero or a configuration
 * made here before, which is released first). */
static void cfg_two(struct vmm_config *c)
{
    vmm_config_free(c);
    CU_ASSERT_FATAL(vmm_config_default(c));
    CU_ASSERT_EQUAL(vmm_config_set(c, "bus0.slot0.input=none", err, sizeof err), 0);
}

static void expect_refused(struct vmm_config *c, const char *needle)
{
    int rc = vmm_config_check(c, err, sizeof err);
    CU_ASSERT_EQUAL(rc, -1);
    if (!strstr(err, needle))
        printf("\n  expected '%s' in '%s'\n", needle, err);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, needle));
}

static void test_config_checks(void)
{
    struct vmm_config c = {0};
    cfg_two(&c);
    CU_ASSERT_EQUAL(vmm_config_check(&c, err, sizeof err), 0);
    CU_ASSERT_EQUAL(c.guests[0].ram_base, 0);
    CU_ASSERT_EQUAL(c.guests[1].ram_base, 16u << 20);

    cfg_two(&c);
    c.guests[1].buses = 1u << 1;
    expect_refused(&c, "bus 1 is given to guest0 (g0) and guest1 (g1)");

    cfg_two(&c);
    c.guests[0].ram_base = 0;
    c.guests[1].ram_base = 8u << 20;
    expect_refused(&c, "overlap in RAM");

    cfg_two(&c);
    c.guests[1].ram_size = 60u << 20;
    expect_refused(&c, "no room for 60 MiB");

    cfg_two(&c);
    c.guests[0].ram_base = 56u << 20;
    expect_refused(&c, "exceeds the board's 64 MiB");

    cfg_two(&c);
    c.guests[1].buses = 1u << 6;
    expect_refused(&c, "bus 6 does not exist");

    cfg_two(&c);
    strcpy(c.guests[1].name, "g0");
    expect_refused(&c, "both named 'g0'");

    cfg_two(&c);
    CU_ASSERT_EQUAL(vmm_config_set(&c, "guest1.ram=12M", err, sizeof err), 0);
    CU_ASSERT_EQUAL(c.guests[1].ram_size, 12u << 20);
    /* A new guest is the next one only: guest3 of two would invent guest2. */
    CU_ASSERT_EQUAL(vmm_config_set(&c, "guest3.ram=1M", err, sizeof err), -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "a new one is guest2"));
    CU_ASSERT_EQUAL(c.nguests, 2);
    CU_ASSERT_EQUAL(vmm_config_set(&c, "guest2.ram=1M", err, sizeof err), 0);
    CU_ASSERT_EQUAL(vmm_config_set(&c, "guest3.ram=1M", err, sizeof err), 0);
    CU_ASSERT_EQUAL(c.nguests, 4);
    CU_ASSERT_EQUAL(vmm_config_set(&c, "guest0.colour=red", err, sizeof err), -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "unknown key 'colour'"));
    CU_ASSERT_EQUAL(vmm_config_set(&c, "vmm.policy=nosuch", err, sizeof err), -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "unknown policy 'nosuch'"));
    CU_ASSERT_EQUAL(vmm_config_set(&c, "guest0.shared=disk", err, sizeof err), -1);
    CU_ASSERT_EQUAL(vmm_config_set(&c, "guest9.ram=1M", err, sizeof err), -1);
    vmm_config_free(&c);
}

static void test_config_file_gap(void)
{
    char path[] = "/tmp/tv-vmm-XXXXXX";
    int fd = mkstemp(path);
    CU_ASSERT_FATAL(fd >= 0);
    const char *text = "[guest0]\nram = 8M\n[guest2]\nram = 8M\n";
    CU_ASSERT(write(fd, text, strlen(text)) == (ssize_t)strlen(text));
    close(fd);
    struct vmm_config c = {0};
    cfg_two(&c);
    CU_ASSERT_EQUAL(vmm_config_load(&c, path, err, sizeof err), -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "line 3")); /* the [guest2] header itself */
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "expected [guest1]"));
    unlink(path);
    vmm_config_free(&c);
}

static uint32_t u32prop(const void *fdt, const char *path, const char *name, int idx)
{
    int node = fdt_path_offset(fdt, path), len;
    const fdt32_t *p = node >= 0 ? fdt_getprop(fdt, node, name, &len) : NULL;
    return p && len >= (idx + 1) * 4 ? fdt32_to_cpu(p[idx]) : 0xDEADBEEF;
}

static void test_fdt_rewrite(void)
{
    struct vmm_config c = {0};
    cfg_two(&c);
    strcpy(c.guests[1].bootargs, "hello spin");
    c.guests[1].tlb_pairs = 16;
    c.guests[1].shared = 1u << dev_class_index(&uart_class); /* no timer, no power */
    CU_ASSERT_EQUAL_FATAL(vmm_config_check(&c, err, sizeof err), 0);
    static uint8_t board[ROM_FDT_MAX] __attribute__((aligned(8)));
    static uint8_t out[ROM_FDT_MAX] __attribute__((aligned(8)));
    CU_ASSERT_FATAL(board_fdt_build(&c.board, board, sizeof board) > 0);
    CU_ASSERT_FATAL(guest_fdt_rewrite(&c, 1, &c.guests[1], board, out, sizeof out) > 0);
    CU_ASSERT_EQUAL(fdt_check_header(out), 0);
    CU_ASSERT_EQUAL(u32prop(out, "/memory@0", "reg", 0), 0);
    CU_ASSERT_EQUAL(u32prop(out, "/memory@0", "reg", 1), 16u << 20);
    CU_ASSERT_EQUAL(u32prop(out, "/cpus/cpu@0", "tlb-pairs", 0), 16);
    int node = fdt_path_offset(out, "/chosen");
    CU_ASSERT_STRING_EQUAL(fdt_getprop(out, node, "bootargs", NULL), "hello spin");
    /* Its own bus 2 devices; the shared UART; nothing of bus 1; no timer/power. */
    CU_ASSERT(fdt_path_offset(out, "/bus@1e400000/fb@1e400000") >= 0);
    CU_ASSERT(fdt_path_offset(out, "/bus@1e400000/kbd@1e410000") >= 0);
    CU_ASSERT(fdt_path_offset(out, "/bus@1e000000/uart@1e000000") >= 0);
    CU_ASSERT(fdt_path_offset(out, "/bus@1e000000/timer@1e010000") < 0);
    CU_ASSERT(fdt_path_offset(out, "/bus@1e000000/power@1e020000") < 0);
    CU_ASSERT(fdt_path_offset(out, "/bus@1e200000/nic@1e210000") < 0);
    /* Guest 0: its nic, the timer, not guest 1's fb. */
    CU_ASSERT_FATAL(guest_fdt_rewrite(&c, 0, &c.guests[0], board, out, sizeof out) > 0);
    CU_ASSERT(fdt_path_offset(out, "/bus@1e200000/nic@1e210000") >= 0);
    CU_ASSERT(fdt_path_offset(out, "/bus@1e000000/timer@1e010000") >= 0);
    CU_ASSERT(fdt_path_offset(out, "/bus@1e400000/fb@1e400000") < 0);
    vmm_config_free(&c);
}

/* ---- emulation against the virtual state -------------------------------- */

static vmm_t *v;
static struct guest *g;

static struct vmm_config one_cfg; /* the monitor borrows it until teardown_one */

static void setup_one(void)
{
    cfg_two(&one_cfg);
    one_cfg.nguests = 1;
    v = vmm_new(&one_cfg, err, sizeof err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(v);
    g = v->guests[0];
    v->cur = g;
    g->cp0.status = 0; /* virtual kernel mode, BEV off */
    shadow_set_asid(g);
}

static void teardown_one(void)
{
    vmm_free(v);
    vmm_config_free(&one_cfg);
}

/* Emulate one instruction at pc 0x80001000 as the CPU would report it. */
static void emulate(uint32_t insn)
{
    struct cpu_trap t = {
        .code = EXC_CPU, .pc = 0x80001000, .insn = insn, .epc = 0x80001000, .next_pc = 0x80001004};
    cpu_set_pc(v->cpu, 0x80001000);
    CU_ASSERT_TRUE(guest_emulate_cop0(g, &t));
}

#define MTC0(rt, rd, sel) (0x40800000u | (rt) << 16 | (rd) << 11 | (sel))
#define MFC0(rt, rd, sel) (0x40000000u | (rt) << 16 | (rd) << 11 | (sel))

static void test_emulated_instructions(void)
{
    setup_one();
    cpu_t *cpu = v->cpu;
    /* MTC0 / MFC0 round trips through the virtual registers only. */
    uint32_t real_status = cpu_cp0_read(cpu, C0_STATUS, 0);
    cpu_set_gpr(cpu, 8, 0x0000FF01u);
    emulate(MTC0(8, C0_STATUS, 0));
    CU_ASSERT_EQUAL(g->cp0.status, 0x0000FF01u);
    CU_ASSERT_EQUAL(cpu_cp0_read(cpu, C0_STATUS, 0), real_status);
    emulate(MFC0(9, C0_STATUS, 0));
    CU_ASSERT_EQUAL(cpu_gpr(cpu, 9), 0x0000FF01u);
    cpu_set_gpr(cpu, 8, 0x12345678u);
    emulate(MTC0(8, C0_EPC, 0));
    CU_ASSERT_EQUAL(g->cp0.epc, 0x12345678u);
    /* Config1 tells the virtual TLB's size. */
    emulate(MFC0(9, C0_CONFIG, 1));
    CU_ASSERT_EQUAL(((cpu_gpr(cpu, 9) >> 25) & 0x3F) + 1, tlb_size(g->vtlb));
    /* DI / EI return the old Status and flip IE. */
    emulate(0x41606000u | 10u << 16); /* di $10 */
    CU_ASSERT_EQUAL(cpu_gpr(cpu, 10), 0x0000FF01u);
    CU_ASSERT_EQUAL(g->cp0.status & ST_IE, 0);
    emulate(0x41606020u | 10u << 16); /* ei $10 */
    CU_ASSERT_EQUAL(g->cp0.status & ST_IE, ST_IE);
    CU_ASSERT_EQUAL(g->st.emulated[VMM_OP_DI], 1);

    /* TLBWI writes the virtual TLB, not the real one; TLBP finds it; TLBR reads it. */
    g->cp0.status = 0;
    g->cp0.index = 3;
    g->cp0.entryhi = 0x00400000u | 7;
    g->cp0.entrylo0 = (0x1234u << 6) | ENTRYLO_D | ENTRYLO_V;
    g->cp0.entrylo1 = 0;
    g->cp0.pagemask = 0;
    emulate(0x42000002u); /* tlbwi */
    struct tlb_regs rr;
    tlb_read(g->vtlb, 3, &rr);
    CU_ASSERT_EQUAL(rr.entryhi, 0x00400007u);
    CU_ASSERT_EQUAL(rr.entrylo0, g->cp0.entrylo0);
    CU_ASSERT_EQUAL(tlb_probe(v->tlb, 0x00400007u), -1);
    g->cp0.index = 0;
    emulate(0x42000008u); /* tlbp */
    CU_ASSERT_EQUAL(g->cp0.index, 3);
    g->cp0.entryhi = 0x00800000u | 7;
    emulate(0x42000008u);
    CU_ASSERT_EQUAL(g->cp0.index, 0x80000000u);
    g->cp0.index = 3;
    g->cp0.entrylo0 = 0;
    emulate(0x42000001u); /* tlbr */
    CU_ASSERT_EQUAL(g->cp0.entryhi, 0x00400007u);
    CU_ASSERT_EQUAL(g->cp0.entrylo0, (0x1234u << 6) | ENTRYLO_D | ENTRYLO_V);

    /* ERET: EXL cleared, PC from the virtual EPC, virtual mode user. */
    g->cp0.status = ST_EXL | 0x10u | ST_IE;
    g->cp0.epc = 0x00400100u;
    emulate(0x42000018u);
    CU_ASSERT_EQUAL(cpu_pc(cpu), 0x00400100u);
    CU_ASSERT_EQUAL(g->cp0.status & ST_EXL, 0);
    CU_ASSERT_EQUAL(guest_vmode(g), VMODE_USER);
    /* WAIT puts the vCPU to sleep. */
    g->cp0.status = 0;
    emulate(0x42000020u);
    CU_ASSERT_TRUE(g->waiting);
    g->waiting = false;
    /* An unknown COP0 operation is not emulated (the caller reflects RI). */
    struct cpu_trap t = {.code = EXC_CPU, .insn = 0x4200001Fu}; /* deret */
    CU_ASSERT_FALSE(guest_emulate_cop0(g, &t));
    /* Reflection sets what hardware would: EPC, Cause, BadVAddr, EXL, vector. */
    g->cp0.status = 0x10u;
    guest_reflect(g, EXC_TLBL, 0x00400200u, true, 0x00ABC123u, true, 0);
    CU_ASSERT_EQUAL(g->cp0.epc, 0x00400200u);
    CU_ASSERT_EQUAL(g->cp0.cause & CAUSE_BD, CAUSE_BD);
    CU_ASSERT_EQUAL((g->cp0.cause & CAUSE_EXC_MASK) >> CAUSE_EXC_SHIFT, EXC_TLBL);
    CU_ASSERT_EQUAL(g->cp0.badvaddr, 0x00ABC123u);
    CU_ASSERT_EQUAL(g->cp0.entryhi & ENTRYHI_VPN2_MASK, 0x00ABC123u & ENTRYHI_VPN2_MASK);
    CU_ASSERT_EQUAL(g->cp0.status & ST_EXL, ST_EXL);
    CU_ASSERT_EQUAL(cpu_pc(cpu), 0x80000000u); /* refill vector */
    teardown_one();
}

static void test_asid_remap(void)
{
    setup_one();
    cpu_t *cpu = v->cpu;
    g->cp0.status = 0;
    g->cp0.entryhi = 5;
    shadow_set_asid(g);
    uint32_t kernel5 = cpu_cp0_read(cpu, C0_ENTRYHI, 0) & 0xFF;
    g->cp0.status = 0x10u; /* user */
    shadow_set_asid(g);
    uint32_t user5 = cpu_cp0_read(cpu, C0_ENTRYHI, 0) & 0xFF;
    g->cp0.entryhi = 6;
    shadow_set_asid(g);
    uint32_t user6 = cpu_cp0_read(cpu, C0_ENTRYHI, 0) & 0xFF;
    CU_ASSERT_NOT_EQUAL(kernel5, user5);
    CU_ASSERT_NOT_EQUAL(user5, user6);
    CU_ASSERT_NOT_EQUAL(kernel5, 0);
    g->cp0.entryhi = 5;
    shadow_set_asid(g);
    CU_ASSERT_EQUAL(cpu_cp0_read(cpu, C0_ENTRYHI, 0) & 0xFF, user5); /* stable */
    /* Put an entry in, then run out of real ASIDs: the TLB is flushed. */
    uint32_t lo[2] = {ENTRYLO_V, 0};
    struct tlb_regs e = {0x00400000u | user5, lo[0], lo[1], 0};
    cpu_tlb_write(cpu, 0, &e);
    CU_ASSERT_EQUAL(tlb_probe(v->tlb, 0x00400000u | user5), 0);
    for (unsigned a = 0; a < 256; a++) {
        g->cp0.entryhi = a;
        shadow_set_asid(g);
    }
    CU_ASSERT(g->st.asid_flushes >= 1);
    CU_ASSERT_EQUAL(tlb_probe(v->tlb, 0x00400000u | user5), -1);
    teardown_one();
}

static void test_virtual_count_compare(void)
{
    setup_one();
    cpu_t *cpu = v->cpu;
    emulate(MFC0(8, C0_COUNT, 0));
    uint32_t count = cpu_gpr(cpu, 8);
    cpu_set_gpr(cpu, 9, count + 1000);
    emulate(MTC0(9, C0_COMPARE, 0));
    CU_ASSERT_EQUAL(guest_cause(g) & CAUSE_IP7, 0);
    cpu_skip_cycles(cpu, 500);
    CU_ASSERT_EQUAL(guest_cause(g) & CAUSE_IP7, 0);
    cpu_skip_cycles(cpu, 600);
    CU_ASSERT_EQUAL(guest_cause(g) & CAUSE_IP7, CAUSE_IP7);
    /* The real CP0 timer is not the guest's. */
    CU_ASSERT_EQUAL(cpu_cp0_read(cpu, C0_COMPARE, 0), 0);
    /* Enabled and unmasked: delivered to the guest's general vector. */
    g->cp0.status = ST_IE | ST_IM7;
    CU_ASSERT_TRUE(guest_irq_check(g));
    CU_ASSERT_EQUAL((g->cp0.cause & CAUSE_EXC_MASK) >> CAUSE_EXC_SHIFT, EXC_INT);
    CU_ASSERT_EQUAL(cpu_pc(cpu), 0x80000180u);
    CU_ASSERT_EQUAL(g->st.interrupts, 1);
    /* Writing Compare acknowledges it. */
    cpu_set_gpr(cpu, 9, count);
    emulate(MTC0(9, C0_COMPARE, 0));
    CU_ASSERT_EQUAL(guest_cause(g) & CAUSE_IP7, 0);
    teardown_one();
}

/* ---- policies on a running guest ----------------------------------------- */

static unsigned rejected_seen;
static enum vmm_decision reject_user_text(void *opaque, struct vmm_candidate *c)
{
    (void)opaque;
    /* The first page of every user program (guests/user/user.ld: 0x00400000). */
    if (c->source == VMM_SRC_GUEST_TLB && (c->vaddr & ~0xFFFu) == 0x00400000u) {
        rejected_seen++;
        return VMM_REJECT;
    }
    return VMM_ACCEPT;
}

static void test_policy_reject_faults_guest(void)
{
    struct vmm_config c = {0};
    cfg_two(&c);
    c.nguests = 1;
    strcpy(c.guests[0].bootargs, "hello");
    strcpy(c.guests[0].output, "/dev/null");
    v = vmm_new(&c, err, sizeof err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(v);
    static const struct vmm_policy p = {"reject-text", reject_user_text, NULL, NULL};
    vmm_set_policy(v, &p);
    CU_ASSERT_EQUAL(vmm_run(v, 200000000), VMM_ALL_OFF);
    /* hello's first instruction fetch faults: the kernel kills it with 128 + TLBL. */
    CU_ASSERT_EQUAL(vmm_exit_code(v), 128 + EXC_TLBL);
    struct vmm_guest_stats st;
    vmm_guest_stats(v, 0, &st);
    CU_ASSERT(rejected_seen > 0);
    CU_ASSERT_EQUAL(st.decisions[VMM_REJECT], rejected_seen);
    CU_ASSERT(st.reflected[EXC_TLBL] > 0);
    vmm_free(v);
    vmm_config_free(&c);
}

static void test_policy_writewatch(void)
{
    struct vmm_config c = {0};
    cfg_two(&c);
    c.nguests = 1;
    strcpy(c.guests[0].bootargs, "hello tlbstress");
    strcpy(c.guests[0].output, "/dev/null");
    strcpy(c.policy, "writewatch");
    v = vmm_new(&c, err, sizeof err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(v);
    CU_ASSERT_EQUAL(vmm_run(v, 500000000), VMM_ALL_OFF);
    CU_ASSERT_EQUAL(vmm_exit_code(v), 0);
    struct vmm_guest_stats st;
    vmm_guest_stats(v, 0, &st);
    CU_ASSERT(st.decisions[VMM_MODIFY] > 0);
    CU_ASSERT(st.write_faults > 0);
    CU_ASSERT_EQUAL(st.policy_violations, 0);
    vmm_free(v);
    vmm_config_free(&c);
}

static enum vmm_decision escape(void *opaque, struct vmm_candidate *c)
{
    (void)opaque;
    c->hpa += 64u << 20; /* out of the partition: must be refused */
    return VMM_MODIFY;
}

static void test_policy_cannot_escape(void)
{
    struct vmm_config c = {0};
    cfg_two(&c);
    c.nguests = 1;
    strcpy(c.guests[0].output, "/dev/null");
    v = vmm_new(&c, err, sizeof err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(v);
    static const struct vmm_policy p = {"escape", escape, NULL, NULL};
    vmm_set_policy(v, &p);
    /* Every translation refused: the guest retries the same miss forever,
     * which the monitor ends as a storm (util/storm.h) within the budget. */
    enum vmm_stop s = vmm_run(v, 10000000);
    CU_ASSERT_EQUAL(s, VMM_STORM);
    struct vmm_guest_stats st;
    vmm_guest_stats(v, 0, &st);
    CU_ASSERT(st.policy_violations > 0);
    CU_ASSERT_EQUAL(st.decisions[VMM_MODIFY] + st.decisions[VMM_ACCEPT], 0);
    vmm_free(v);
    vmm_config_free(&c);
}

static char console_text[4096];
static void capture_console(void *opaque, const char *buf, size_t len)
{
    (void)opaque;
    size_t n = strlen(console_text);
    if (n + len < sizeof console_text) {
        memcpy(console_text + n, buf, len);
        console_text[n + len] = 0;
    }
}

static void guest_prints(struct guest *x, const char *text)
{
    console_guest_output(x, text, strlen(text));
}

static void test_console_whole_lines(void)
{
    struct vmm_config c = {0};
    cfg_two(&c);
    v = vmm_new(&c, err, sizeof err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(v);
    struct guest *g0 = v->guests[0], *g1 = v->guests[1];
    console_text[0] = 0;
    board_set_console(v->board, capture_console, NULL);
    /* Two guests printing at once: each line is one guest's. */
    guest_prints(g1, "init: compute (pid 3) exited with ");
    guest_prints(g0, "compute: 17984 primes\n");
    guest_prints(g1, "status 0\n");
    CU_ASSERT_STRING_EQUAL(console_text, "[g0] compute: 17984 primes\n"
                                         "[g1] init: compute (pid 3) exited with status 0\n");
    /* A guest that goes idle after a prompt: the prompt shows; a line of the
     * other guest then starts on a fresh line. */
    console_text[0] = 0;
    guest_prints(g0, "login: ");
    console_flush_idle(v);
    CU_ASSERT_STRING_EQUAL(console_text, "");
    g0->waiting = true;
    console_flush_idle(v);
    CU_ASSERT_STRING_EQUAL(console_text, "[g0] login: ");
    guest_prints(g0, "root");
    console_flush(g0);
    guest_prints(g1, "tick\n");
    guest_prints(g0, "\n");
    CU_ASSERT_STRING_EQUAL(console_text, "[g0] login: root\n[g1] tick\n[g0] \n");
    /* A guest cannot move the cursor or write over another's prefix: control
     * bytes are shown escaped, unless it asked for a raw console. */
    console_text[0] = 0;
    guest_prints(g1, "\r[g0] root shell\x1b[2J\n");
    CU_ASSERT_STRING_EQUAL(console_text, "[g1] \\x0d[g0] root shell\\x1b[2J\n");
    console_text[0] = 0;
    g0->cfg->console_raw = true;
    guest_prints(g0, "\x1b[1mbold\x1b[0m\n");
    CU_ASSERT_STRING_EQUAL(console_text, "[g0] \x1b[1mbold\x1b[0m\n");
    g0->cfg->console_raw = false;
    /* Nothing is lost at the end: a partial line is written, the line closed. */
    console_text[0] = 0;
    guest_prints(g1, "bye");
    vmm_free(v);
    CU_ASSERT_STRING_EQUAL(console_text, "[g1] bye\n");
    vmm_config_free(&c);
}

static const struct test_case tests[] = {
    {"config: placement, overlap, shared bus, board limits, keys", test_config_checks},
    {"config file: guests numbered without gaps", test_config_file_gap},
    {"device tree rewritten per guest (libfdt)", test_fdt_rewrite},
    {"privileged instructions against the virtual CP0/TLB", test_emulated_instructions},
    {"real ASIDs per guest context, exhaustion flushes", test_asid_remap},
    {"virtual Count/Compare raise the guest's IP7 only", test_virtual_count_compare},
    {"a policy rejecting a page makes the guest fault there", test_policy_reject_faults_guest},
    {"writewatch policy: modified decisions, writes seen", test_policy_writewatch},
    {"a policy cannot map outside the partition", test_policy_cannot_escape},
    {"console multiplexer: whole lines per guest", test_console_whole_lines},
};

CUNIT_MAIN("vmm", tests)
