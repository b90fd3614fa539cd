/*
 * tests/test_module.c — the monitor's seams (vmm/module.h), driven with a
 * test module: a region owner's guest virtual range is consulted before the
 * guest's own translation, its host pages after it and before the policy;
 * its page-size limit and EntryLo bits reach the real TLB; it hears guest
 * TLB writes; a HYPCALL of its range goes to it; and every trap's outcome
 * (kind, real TLB index, decision, reflected exception, device access) is
 * what the observer sees. And the one decoder of guest loads and stores
 * (vmm/memop.h).
 */
#include "cunit_main.h"

#include <string.h>

#include "cpu/cp0_regs.h"
#include "dev/devclass.h"
#include "vmm/memop.h"
#include "vmm/vmm_priv.h"

#define OWNED_VA   0xC0F00000u /* the test module's guest virtual page (kseg2) */
#define OWNED_PAGE 0x3000u     /* ...and its host page, as an offset in guest RAM */

static struct probe {
    unsigned claims_va, claims_page, entrylos, tlb_writes, hypercalls, inhibits;
    struct cpu_trap last_inhibit;
    struct owner_page last_page;
    struct owner_fault last_fault;
    unsigned last_tlb_index;
    uint32_t limit; /* page_limit's answer for RAM */
    uint32_t ram_base;
} probe;

static bool t_claim_va(void *state, struct guest *g, const struct cpu_trap *t,
                       struct vmm_outcome *o)
{
    (void)state;
    if ((t->badvaddr & ~0xFFFu) != OWNED_VA)
        return false;
    probe.claims_va++;
    cpu_trap_skip(g->v->cpu);
    *o = vmm_outcome_of(VMM_TRAP_EXCEPTION);
    return true;
}

static bool t_claim_page(void *state, struct guest *g, const struct cpu_trap *t,
                         const struct owner_fault *f, struct vmm_outcome *o)
{
    (void)state;
    (void)t;
    if (f->hpa - probe.ram_base - OWNED_PAGE >= 0x1000u)
        return false;
    probe.claims_page++;
    probe.last_fault = *f;
    cpu_trap_skip(g->v->cpu);
    *o = vmm_outcome_of(VMM_TRAP_EXCEPTION);
    return true;
}

static bool t_inhibit(void *state, struct guest *g, const struct cpu_trap *t, struct vmm_outcome *o)
{
    (void)state;
    if ((t->badvaddr & ~0xFFFu) != OWNED_VA)
        return false;
    probe.inhibits++;
    probe.last_inhibit = *t;
    cpu_trap_skip(g->v->cpu);
    *o = vmm_outcome_of(VMM_TRAP_TLB_INVALID);
    return true;
}

static uint32_t t_page_limit(void *state, const struct vmm_region *r)
{
    (void)state;
    return r->kind == VMM_REGION_RAM ? probe.limit : 0;
}

static uint32_t t_entrylo(void *state, struct guest *g, const struct owner_page *p, uint32_t lo)
{
    (void)state;
    (void)g;
    probe.entrylos++;
    probe.last_page = *p;
    return lo & ~ENTRYLO_D; /* the owner wants stores to trap */
}

static void t_tlb_write(void *state, struct guest *g, unsigned index, const struct tlb_regs *e)
{
    (void)state;
    (void)g;
    (void)e;
    probe.tlb_writes++;
    probe.last_tlb_index = index;
}

static struct vmm_outcome t_hypercall(void *state, struct guest *g, const struct cpu_trap *t)
{
    (void)state;
    probe.hypercalls++;
    cpu_trap_skip(g->v->cpu);
    cpu_set_gpr(g->v->cpu, 2, t->hypcall_code);
    return vmm_outcome_of(VMM_TRAP_HYPCALL);
}

static const struct vmm_region_owner test_owner = {
    .claim_va = t_claim_va,
    .claim_page = t_claim_page,
    .inhibit_fault = t_inhibit,
    .page_limit = t_page_limit,
    .entrylo = t_entrylo,
    .guest_tlb_write = t_tlb_write,
};

static const struct vmm_module test_module = {
    .name = "test",
    .owner = &test_owner,
    .hc_first = 0x200,
    .hc_count = 4,
    .hypercall = t_hypercall,
};

static struct vmm_event last_ev;
static unsigned events;
static void on_event(void *opaque, const struct vmm_event *ev)
{
    (void)opaque;
    last_ev = *ev;
    events++;
}

static char err[1024];
static vmm_t *v;
static struct guest *g;

static struct vmm_config cfg; /* the monitor borrows it until teardown() */

static void setup(bool with_module)
{
    CU_ASSERT_FATAL(vmm_config_default(&cfg));
    CU_ASSERT_EQUAL(vmm_config_set(&cfg, "bus0.slot0.input=none", err, sizeof err), 0);
    cfg.nguests = 1;
    v = vmm_new(&cfg, err, sizeof err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(v);
    g = v->guests[0];
    v->cur = g;
    g->cp0.status = 0; /* virtual kernel mode, BEV off */
    shadow_set_asid(g);
    memset(&probe, 0, sizeof probe);
    probe.ram_base = g->cfg->ram_base;
    if (with_module)
        CU_ASSERT_EQUAL(vmm_attach_module(v, &test_module, NULL), 0);
    vmm_set_observer(v, on_event, NULL);
    events = 0;
}

static void teardown(void)
{
    vmm_free(v);
    vmm_config_free(&cfg);
}

/* Hand the monitor a trap as the CPU would report it (cpu_trap_skip uses
 * the CPU's own record, so the PC after a skip is not asserted here). */
static void trap(unsigned code, uint32_t badva, bool refill, bool fetch)
{
    struct cpu_trap t = {.code = code,
                         .pc = 0x80001000,
                         .insn = 0x8C080000u /* lw $t0 */,
                         .epc = 0x80001000,
                         .next_pc = 0x80001004,
                         .badvaddr = badva,
                         .refill = refill,
                         .fetch = fetch};
    cpu_set_pc(v->cpu, 0x80001000);
    vmm_on_trap(v, v->cpu, &t);
}

static void test_claim_va_before_guest_translation(void)
{
    /* Without the module, a kseg2 miss in the guest's empty TLB is its own
     * refill exception... */
    setup(false);
    trap(EXC_TLBL, OWNED_VA + 0x10, true, false);
    CU_ASSERT_EQUAL(g->st.reflected[EXC_TLBL], 1);
    CU_ASSERT_EQUAL(last_ev.reflected, EXC_TLBL);
    CU_ASSERT_EQUAL(last_ev.trap, VMM_TRAP_TLB_MISS);
    teardown();
    /* ...with it, the monitor's range is claimed before the guest's TLB is looked at. */
    setup(true);
    trap(EXC_TLBL, OWNED_VA + 0x10, true, false);
    CU_ASSERT_EQUAL(probe.claims_va, 1);
    CU_ASSERT_EQUAL(g->st.reflected[EXC_TLBL], 0);
    CU_ASSERT_EQUAL(last_ev.reflected, -1);
    CU_ASSERT_EQUAL(g->cp0.status & ST_EXL, 0); /* the guest took no exception */
    /* The next page is the guest's again. */
    trap(EXC_TLBL, OWNED_VA + 0x1010, true, false);
    CU_ASSERT_EQUAL(probe.claims_va, 1);
    CU_ASSERT_EQUAL(g->st.reflected[EXC_TLBL], 1);
    teardown();
}

static void test_claim_page_before_policy(void)
{
    setup(true);
    trap(EXC_TLBS, 0x80000000u + OWNED_PAGE + 0x20, true, false);
    CU_ASSERT_EQUAL(probe.claims_page, 1);
    CU_ASSERT_EQUAL(probe.last_fault.hpa, g->cfg->ram_base + OWNED_PAGE + 0x20);
    CU_ASSERT_EQUAL(probe.last_fault.gpa, OWNED_PAGE + 0x20);
    CU_ASSERT_TRUE(probe.last_fault.store);
    CU_ASSERT_EQUAL(probe.last_fault.region->kind, VMM_REGION_RAM);
    /* The policy never saw it and nothing entered the real TLB. */
    CU_ASSERT_EQUAL(g->st.decisions[VMM_ACCEPT] + g->st.decisions[VMM_MODIFY], 0);
    CU_ASSERT_EQUAL(last_ev.tlb_index, -1);
    CU_ASSERT_EQUAL(last_ev.decision, -1);
    teardown();
}

static void test_page_limit_and_entrylo(void)
{
    /* No limit: the partition map gives a large pair. */
    setup(false);
    trap(EXC_TLBL, 0x80010000u, true, false);
    CU_ASSERT(last_ev.tlb_index >= 0);
    CU_ASSERT_EQUAL(last_ev.decision, VMM_ACCEPT);
    struct tlb_regs e;
    tlb_read(v->tlb, (unsigned)last_ev.tlb_index, &e);
    CU_ASSERT(e.pagemask > 0);
    CU_ASSERT(e.entrylo0 & ENTRYLO_D);
    teardown();
    /* The owner's limit and EntryLo bits reach the real entry. */
    setup(true);
    probe.limit = 4096;
    trap(EXC_TLBL, 0x80010000u, true, true);
    CU_ASSERT(last_ev.tlb_index >= 0);
    tlb_read(v->tlb, (unsigned)last_ev.tlb_index, &e);
    CU_ASSERT_EQUAL(e.pagemask, 0);
    CU_ASSERT_EQUAL(e.entryhi & ENTRYHI_VPN2_MASK, 0x80010000u);
    CU_ASSERT_EQUAL(e.entrylo0 & ENTRYLO_D, 0);
    CU_ASSERT_EQUAL(e.entrylo0 & ENTRYLO_V, ENTRYLO_V);
    CU_ASSERT_EQUAL(probe.entrylos, 2); /* both halves of the pair */
    /* The last call was the neighbour: not the faulting fetch. */
    CU_ASSERT_EQUAL(probe.last_page.va, 0x80011000u);
    CU_ASSERT_EQUAL(probe.last_page.hpa, g->cfg->ram_base + 0x11000u);
    CU_ASSERT_FALSE(probe.last_page.fetch);
    teardown();
}

static void test_kernel_page_trap_to_owner(void)
{
    /* A kernel-only page (CPU_EXT_KPAGES) touched from the guest's real user
     * mode goes to the owner whose page it is, never to the guest. */
    setup(true);
    trap(CPU_TRAP_KPAGE, OWNED_VA + 0x44, false, false);
    CU_ASSERT_EQUAL(probe.inhibits, 1);
    CU_ASSERT_EQUAL(probe.last_inhibit.code, CPU_TRAP_KPAGE);
    CU_ASSERT_EQUAL(probe.last_inhibit.badvaddr, OWNED_VA + 0x44);
    CU_ASSERT_EQUAL(last_ev.trap, VMM_TRAP_TLB_INVALID);
    CU_ASSERT_EQUAL(last_ev.reflected, -1);
    CU_ASSERT_EQUAL(g->cp0.status & ST_EXL, 0);
    CU_ASSERT_EQUAL(events, 1);
    teardown();
}

static void test_guest_tlb_write_heard(void)
{
    setup(true);
    g->cp0.index = 5;
    g->cp0.entryhi = 0x00400000u;
    struct cpu_trap t = {.code = EXC_CPU,
                         .pc = 0x80001000,
                         .insn = 0x42000002u /* tlbwi */,
                         .epc = 0x80001000,
                         .next_pc = 0x80001004};
    cpu_set_pc(v->cpu, 0x80001000);
    vmm_on_trap(v, v->cpu, &t);
    CU_ASSERT_EQUAL(probe.tlb_writes, 1);
    CU_ASSERT_EQUAL(probe.last_tlb_index, 5);
    CU_ASSERT_EQUAL(last_ev.trap, VMM_TRAP_PRIV);
    teardown();
}

static void test_hypercall_range(void)
{
    setup(true);
    struct cpu_trap t = {.code = CPU_TRAP_HYPCALL,
                         .pc = 0x80001000,
                         .epc = 0x80001000,
                         .next_pc = 0x80001004,
                         .hypcall_code = 0x202};
    cpu_set_pc(v->cpu, 0x80001000);
    vmm_on_trap(v, v->cpu, &t);
    CU_ASSERT_EQUAL(probe.hypercalls, 1);
    CU_ASSERT_EQUAL(cpu_gpr(v->cpu, 2), 0x202u);
    CU_ASSERT_EQUAL(last_ev.trap, VMM_TRAP_HYPCALL);
    /* A code no module serves is a Reserved Instruction for the guest. */
    t.hypcall_code = 0x300;
    cpu_set_pc(v->cpu, 0x80001000);
    vmm_on_trap(v, v->cpu, &t);
    CU_ASSERT_EQUAL(probe.hypercalls, 1);
    CU_ASSERT_EQUAL(g->st.reflected[EXC_RI], 1);
    CU_ASSERT_EQUAL(last_ev.reflected, EXC_RI);
    teardown();
}

static void test_outcome_of_device_access(void)
{
    /* A load from an emulated (unowned) bus: one trap, its kind the TLB
     * class, counted as a device access too, and the observer told mmio. */
    setup(false);
    trap(EXC_TLBL, 0xA0000000u | iobus_slot_base(3, 0), true, false);
    CU_ASSERT_EQUAL(g->st.traps[VMM_TRAP_TLB_MISS], 1);
    CU_ASSERT_EQUAL(g->st.traps[VMM_TRAP_MMIO], 1);
    CU_ASSERT_EQUAL(events, 1);
    CU_ASSERT_EQUAL(last_ev.trap, VMM_TRAP_MMIO);
    CU_ASSERT_EQUAL(last_ev.tlb_index, -1);
    CU_ASSERT_EQUAL(g->st.emulated[VMM_OP_LOAD], 1); /* emulated: an empty slot reads 0 */
    CU_ASSERT_EQUAL(last_ev.reflected, -1);
    teardown();
}

/* ---- an emulated device with a buffer page ---------------------------------- */

static uint8_t *mbox_buffer;
static enum phys_result mbox_read(void *opaque, uint32_t off, unsigned size, uint32_t *v)
{
    (void)opaque;
    (void)off;
    (void)size;
    *v = mbox_buffer ? mbox_buffer[0] : 0xFF; /* what the guest left in its buffer */
    return PHYS_OK;
}

static const struct iodev_ops mbox_ops = {
    .name = "mbox",
    .vendor = 0x5456,
    .device = 0x00EE,
    .revision = 1,
    .reg_size = 4,
    .access_sizes = 4,
    .read = mbox_read,
};

static void *mbox_attach(const struct dev_host *h, unsigned bus, unsigned slot,
                         const void *settings, char *err, size_t errlen)
{
    (void)settings;
    (void)err;
    (void)errlen;
    static int state;
    io_link_t *link;
    if (iobus_attach(h->io, bus, slot, &mbox_ops, &state, &link) != 0)
        return NULL;
    mbox_buffer = io_link_buffer(link, 0x1000, 0x1000);
    return mbox_buffer ? &state : NULL;
}

static const struct dev_class mbox_class = {
    .name = "mbox",
    .keys = "",
    .attach = mbox_attach,
    .shareable = true,
    .buffer_pages = 1,
};

static void test_emulated_buffer_page(void)
{
    CU_ASSERT_FATAL(vmm_config_default(&cfg));
    CU_ASSERT_EQUAL(vmm_config_set(&cfg, "bus0.slot0.input=none", err, sizeof err), 0);
    CU_ASSERT(board_config_put(&cfg.board, 0, 5, &mbox_class));
    cfg.nguests = 1;
    cfg.guests[0].shared |= 1u << dev_class_index(&mbox_class);
    CU_ASSERT_EQUAL(vmm_buffer_pages(&cfg), 1);
    mbox_buffer = NULL;
    v = vmm_new(&cfg, err, sizeof err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(v);
    CU_ASSERT_PTR_NOT_NULL_FATAL(mbox_buffer);
    g = v->guests[0];
    v->cur = g;
    g->cp0.status = 0;
    shadow_set_asid(g);
    vmm_set_observer(v, on_event, NULL);
    /* The buffer page is in the guest's map as memory... */
    uint32_t gpa = iobus_slot_base(0, 5) + 0x1000;
    struct vmm_region_view rv[VMM_MAX_REGIONS];
    unsigned n = vmm_guest_regions(v, 0, rv, VMM_MAX_REGIONS), found = 0;
    for (unsigned i = 0; i < n; i++)
        if (rv[i].kind == VMM_REGION_BUFFER && rv[i].gpa == gpa && rv[i].size == 0x1000)
            found++;
    CU_ASSERT_EQUAL(found, 1);
    /* ...a miss there installs a real entry (no emulated access), onto host RAM
     * below the monitor's reserved top... */
    trap(EXC_TLBS, 0xA0000000u | (gpa + 0x10), true, false);
    CU_ASSERT_EQUAL(g->st.traps[VMM_TRAP_MMIO], 0);
    CU_ASSERT(last_ev.tlb_index >= 0);
    struct tlb_hit hit;
    CU_ASSERT_EQUAL(
        tlb_lookup(v->tlb, 0xA0000000u | (gpa + 0x10), v->cur_real_asid, TLB_PEEK, &hit), TLB_HIT);
    CU_ASSERT_EQUAL(hit.paddr, cfg.board.ram_size - VMM_RESERVED - 0x1000 + 0x10);
    /* ...and what the guest writes there the device reads, without a trap. */
    CU_ASSERT_EQUAL(phys_write(v->phys, hit.paddr & ~3u, 4, 0x7A000000u), PHYS_OK);
    CU_ASSERT_EQUAL(mbox_buffer[0x10], 0x7A);
    mbox_buffer[0] = 0x42;
    uint32_t reg = 0;
    CU_ASSERT_EQUAL(phys_read(g->vphys, iobus_slot_base(0, 5) + SLOT_DEV_BASE, 4, &reg), PHYS_OK);
    CU_ASSERT_EQUAL(reg, 0x42);
    teardown();
    /* Too little RAM for the buffers: refused with a message. */
    CU_ASSERT_FATAL(vmm_config_default(&cfg));
    CU_ASSERT(board_config_put(&cfg.board, 0, 5, &mbox_class));
    cfg.guests[0].shared |= 1u << dev_class_index(&mbox_class);
    cfg.board.ram_size = VMM_RESERVED + 0x1000;
    CU_ASSERT_EQUAL(vmm_config_check(&cfg, err, sizeof err), -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "buffers"));
    vmm_config_free(&cfg);
}

static uint32_t load(uint32_t insn, uint32_t word, unsigned k, bool be, uint32_t old)
{
    struct memop m;
    CU_ASSERT_TRUE_FATAL(memop_decode(insn, &m));
    CU_ASSERT_FALSE(m.store);
    uint8_t mem[4];
    memop_split(word, mem, be);
    return memop_load(&m, mem, k, be, old);
}

static uint32_t store(uint32_t insn, uint32_t word, unsigned k, bool be, uint32_t value)
{
    struct memop m;
    CU_ASSERT_TRUE_FATAL(memop_decode(insn, &m));
    CU_ASSERT_TRUE(m.store);
    uint8_t mem[4];
    memop_split(word, mem, be);
    memop_store(&m, mem, k, be, value);
    return memop_join(mem, be);
}

static void test_memop_every_form(void)
{
    const uint32_t LB = 0x80080000u, LBU = 0x90080000u, LH = 0x84080000u, LHU = 0x94080000u,
                   LW = 0x8C080000u, LWL = 0x88080000u, LWR = 0x98080000u, LL = 0xC0080000u,
                   SB = 0xA0080000u, SH = 0xA4080000u, SW = 0xAC080000u, SWL = 0xA8080000u,
                   SWR = 0xB8080000u, SC = 0xE0080000u;
    const uint32_t w = 0x11223344u, old = 0xAABBCCDDu;
    /* big-endian: memory bytes 11 22 33 44; little-endian: 44 33 22 11 */
    CU_ASSERT_EQUAL(load(LB, w, 1, true, 0), 0x22u);
    CU_ASSERT_EQUAL(load(LB, w, 1, false, 0), 0x33u);
    CU_ASSERT_EQUAL(load(LB, 0x80FF0000u, 0, true, 0), 0xFFFFFF80u);
    CU_ASSERT_EQUAL(load(LBU, 0x80FF0000u, 0, true, 0), 0x80u);
    CU_ASSERT_EQUAL(load(LH, w, 2, true, 0), 0x3344u);
    CU_ASSERT_EQUAL(load(LH, w, 2, false, 0), 0x1122u);
    CU_ASSERT_EQUAL(load(LH, 0x0000FFFEu, 2, true, 0), 0xFFFFFFFEu);
    CU_ASSERT_EQUAL(load(LHU, 0x0000FFFEu, 2, true, 0), 0xFFFEu);
    CU_ASSERT_EQUAL(load(LW, w, 0, true, 0), w);
    CU_ASSERT_EQUAL(load(LW, w, 0, false, 0), w);
    CU_ASSERT_EQUAL(load(LWL, w, 1, true, old), 0x223344DDu);
    CU_ASSERT_EQUAL(load(LWL, w, 1, false, old), 0x3344CCDDu);
    CU_ASSERT_EQUAL(load(LWR, w, 1, true, old), 0xAABB1122u);
    CU_ASSERT_EQUAL(load(LWR, w, 1, false, old), 0xAA112233u);
    CU_ASSERT_EQUAL(store(SB, w, 3, true, 0xEEu), 0x112233EEu);
    CU_ASSERT_EQUAL(store(SB, w, 3, false, 0xEEu), 0xEE223344u);
    CU_ASSERT_EQUAL(store(SH, w, 0, true, 0xBEEFu), 0xBEEF3344u);
    CU_ASSERT_EQUAL(store(SH, w, 0, false, 0xBEEFu), 0x1122BEEFu);
    CU_ASSERT_EQUAL(store(SW, w, 0, true, old), old);
    CU_ASSERT_EQUAL(store(SWL, w, 1, true, old), 0x11AABBCCu);
    CU_ASSERT_EQUAL(store(SWR, w, 1, true, old), 0xCCDD3344u);
    struct memop m;
    CU_ASSERT_TRUE(memop_decode(LL, &m) && m.linked && !m.store && m.size == 4 && m.rt == 8);
    CU_ASSERT_TRUE(memop_decode(SC, &m) && m.linked && m.store);
    CU_ASSERT_FALSE(memop_decode(0xB0080000u, &m)); /* SDL: not MIPS32 */
    CU_ASSERT_FALSE(memop_decode(0x00000000u, &m)); /* nop */
    CU_ASSERT_EQUAL(memop_extend(&(struct memop){.size = 2, .sign = true}, 0x8000u), 0xFFFF8000u);
}

static const struct test_case tests[] = {
    {"region owner: guest virtual range before the guest's translation",
     test_claim_va_before_guest_translation},
    {"region owner: host page after the translation, before the policy",
     test_claim_page_before_policy},
    {"region owner: page-size limit and EntryLo bits", test_page_limit_and_entrylo},
    {"region owner: kernel-only page trap", test_kernel_page_trap_to_owner},
    {"region owner: guest TLB writes heard", test_guest_tlb_write_heard},
    {"module: its hypercall range; others are RI", test_hypercall_range},
    {"outcome: an emulated device access", test_outcome_of_device_access},
    {"memop: every load and store form, both byte orders", test_memop_every_form},
    {"an emulated device's buffer page: mapped into the guest", test_emulated_buffer_page},
};

CUNIT_MAIN("module", tests)
