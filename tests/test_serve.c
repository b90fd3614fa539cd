/*
 * tests/test_serve.c — the accesses the monitor serves where a resident
 * portion shares a region with the guest (shadow_serve, vmm.relocation =
 * random): done through the guest's own translation onto its own memory, so
 * coherent with every alias of it (kseg0, another TLB mapping) and with DMA
 * by its devices, a store reaching the memory itself (nothing to write back
 * when the portion moves on); the guest's own exceptions (a miss in its TLB,
 * a read-only page) as its hardware gives them; ROM stores ignored; device
 * registers emulated.
 */
#include "cunit_main.h"

#include <string.h>

#include "cpu/cp0_regs.h"
#include "vmm/vmm_priv.h"

#define LW_T0 0x8C080000u /* lw $t0, 0($zero): only the kind and rt matter */
#define SW_T0 0xAC080000u
#define SB_T0 0xA0080000u
#define LB_T0 0x80080000u
#define T0    8

static char err[1024];
static vmm_t *v;
static struct guest *g;
static struct vmm_config cfg;

static void setup(void)
{
    CU_ASSERT_FATAL(vmm_config_default(&cfg));
    CU_ASSERT_EQUAL(vmm_config_set(&cfg, "bus0.slot0.input=none", err, sizeof err), 0);
    CU_ASSERT_EQUAL(vmm_config_set(&cfg, "vmm.traps=resident", err, sizeof err), 0);
    CU_ASSERT_EQUAL(vmm_config_set(&cfg, "vmm.relocation=random", err, sizeof err), 0);
    cfg.nguests = 1;
    v = vmm_new(&cfg, err, sizeof err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(v);
    g = v->guests[0];
    v->cur = g;
    g->cp0.status = 0; /* virtual kernel mode, BEV off */
    shadow_set_asid(g);
    /* Its TLB entry 3: 0x00400000 -> guest-physical 0x10000 (writable),
     * 0x00401000 -> 0x11000 (read-only). */
    struct tlb_regs e = {0x00400000u, (0x10u << ENTRYLO_PFN_SHIFT) | 0x1F,
                         (0x11u << ENTRYLO_PFN_SHIFT) | 0x1B, 0};
    tlb_write(g->vtlb, 3, &e);
}

static void teardown(void)
{
    vmm_free(v);
    vmm_config_free(&cfg);
}

/* The guest's access at va, served; what the outcome says. */
static struct vmm_outcome serve(uint32_t insn, uint32_t va)
{
    struct cpu_trap t = {.code = CPU_TRAP_KPAGE,
                         .pc = 0x80001000,
                         .insn = insn,
                         .epc = 0x80001000,
                         .next_pc = 0x80001004,
                         .badvaddr = va};
    cpu_set_pc(v->cpu, 0x80001000);
    return shadow_serve(g, &t);
}

static uint32_t host_word(uint32_t gpa)
{
    uint32_t w = 0;
    CU_ASSERT_EQUAL(phys_read(v->phys, g->cfg->ram_base + gpa, 4, &w), PHYS_OK);
    return w;
}

static void test_aliases(void)
{
    setup();
    /* A store through the TLB mapping is in memory, and read back through
     * kseg0 (another alias) and through the mapping itself. */
    cpu_set_gpr(v->cpu, T0, 0xCAFEF00Du);
    serve(SW_T0, 0x00400020u);
    CU_ASSERT_EQUAL(host_word(0x10020), 0xCAFEF00Du);
    cpu_set_gpr(v->cpu, T0, 0);
    serve(LW_T0, 0x80010020u);
    CU_ASSERT_EQUAL(cpu_gpr(v->cpu, T0), 0xCAFEF00Du);
    cpu_set_gpr(v->cpu, T0, 0);
    serve(LW_T0, 0x00400020u);
    CU_ASSERT_EQUAL(cpu_gpr(v->cpu, T0), 0xCAFEF00Du);
    /* A byte, in the board's byte order (big-endian: the first byte is the MSB). */
    cpu_set_gpr(v->cpu, T0, 0x11);
    serve(SB_T0, 0xA0010020u); /* kseg1: a third alias */
    CU_ASSERT_EQUAL(host_word(0x10020), 0x11FEF00Du);
    serve(LB_T0, 0x00400021u);
    CU_ASSERT_EQUAL(cpu_gpr(v->cpu, T0), 0xFFFFFFFEu); /* sign-extended */
    /* The store marked the page as the guest's: a reset clears it. */
    uint32_t page = (g->cfg->ram_base + 0x10000u) >> 12;
    CU_ASSERT(g->written[(page - (g->cfg->ram_base >> 12)) / 8] &
              (1u << ((page - (g->cfg->ram_base >> 12)) % 8)));
    CU_ASSERT_EQUAL(g->st.emulated[VMM_OP_STORE], 2);
    CU_ASSERT_EQUAL(g->st.emulated[VMM_OP_LOAD], 3);
    teardown();
}

static void test_dma(void)
{
    /* What a device writes into the memory by DMA is what the next served
     * load returns: the monitor keeps no copy that could go stale. */
    setup();
    serve(LW_T0, 0x00400040u);
    CU_ASSERT_EQUAL(cpu_gpr(v->cpu, T0), 0);
    CU_ASSERT_EQUAL(phys_write(v->phys, g->cfg->ram_base + 0x10040, 4, 0x0DDBA11u), PHYS_OK);
    serve(LW_T0, 0x00400040u);
    CU_ASSERT_EQUAL(cpu_gpr(v->cpu, T0), 0x0DDBA11u);
    serve(LW_T0, 0x80010040u);
    CU_ASSERT_EQUAL(cpu_gpr(v->cpu, T0), 0x0DDBA11u);
    teardown();
}

static void test_guest_exceptions(void)
{
    /* What its own hardware does: a store to its read-only page is its TLB
     * Modified exception, a miss in its TLB its refill; the instruction is
     * not completed. */
    setup();
    cpu_set_gpr(v->cpu, T0, 0x1234);
    struct vmm_outcome o = serve(SW_T0, 0x00401000u);
    CU_ASSERT_EQUAL(o.reflected, EXC_MOD);
    CU_ASSERT_EQUAL(host_word(0x11000), 0);
    CU_ASSERT_EQUAL(g->cp0.badvaddr, 0x00401000u);
    g->cp0.status = 0;
    o = serve(LW_T0, 0x00500000u);
    CU_ASSERT_EQUAL(o.reflected, EXC_TLBL);
    CU_ASSERT_EQUAL(cpu_pc(v->cpu), 0x80000000u); /* its refill vector */
    teardown();
}

static void test_rom_and_devices(void)
{
    /* A store to its boot ROM is ignored as natively; a load from a device
     * register (its emulated console's ID) is the device's answer. */
    setup();
    uint32_t before;
    CU_ASSERT_EQUAL(phys_read(v->phys, 0x1FC00000u, 4, &before), PHYS_OK);
    cpu_set_gpr(v->cpu, T0, 0xFFFFFFFFu);
    serve(SW_T0, 0xBFC00000u);
    uint32_t after;
    CU_ASSERT_EQUAL(phys_read(v->phys, 0x1FC00000u, 4, &after), PHYS_OK);
    CU_ASSERT_EQUAL(before, after);
    struct vmm_outcome o = serve(LW_T0, 0xBE000000u); /* bus 0 slot 0: the console */
    CU_ASSERT(o.mmio);
    CU_ASSERT_EQUAL(cpu_gpr(v->cpu, T0), 0x54560001u);
    teardown();
}

static const struct test_case tests[] = {
    {"served accesses: every alias, byte order, written pages", test_aliases},
    {"served loads see DMA", test_dma},
    {"the guest's own exceptions", test_guest_exceptions},
    {"ROM stores ignored, device registers emulated", test_rom_and_devices},
};

CUNIT_MAIN("serve", tests)
