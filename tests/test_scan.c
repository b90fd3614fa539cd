/*
 * tests/test_scan.c — the scanner fix on hand-assembled code pages: what the
 * Capstone scanner finds (ERET in a delay slot, at a page end, a data word
 * that encodes ERET, MFC0 of Status/Cause only, each switch on its own, both
 * byte orders, words Capstone cannot decode), and the monitor's patching of
 * a page: HYPCALL words in memory, originals for every read, patches undone
 * by DMA and by stores, and the page states that the real TLB entries get.
 */
#include "cunit_main.h"

#include <string.h>

#include "cpu/cp0_regs.h"
#include "vmm/patch.h"
#include "vmm/scan.h"
#include "vmm/vmm_priv.h"

#define ERET              0x42000018u
#define NOP               0x00000000u
#define BEQ_ZZ_8          0x10000002u /* beq $0, $0, +8 */
#define DI_V0             0x41626000u
#define EI_V0             0x41626020u
#define MFC0(rt, rd, sel) (0x40000000u | (rt) << 16 | (rd) << 11 | (sel))
#define MTC0(rt, rd, sel) (0x40800000u | (rt) << 16 | (rd) << 11 | (sel))
#define ADDIU             0x24420001u /* addiu $v0, $v0, 1 */
#define HYPCALL           0x42000028u

static uint8_t page[4096];

static void put(unsigned off, uint32_t w, bool be)
{
    for (unsigned i = 0; i < 4; i++)
        page[off + i] = (uint8_t)(be ? w >> (24 - 8 * i) : w >> (8 * i));
}

static uint32_t get(const uint8_t *p, bool be)
{
    uint32_t w = 0;
    for (unsigned i = 0; i < 4; i++)
        w |= (uint32_t)p[i] << (be ? 24 - 8 * i : 8 * i);
    return w;
}

/* A page of ADDIU with the interesting words placed on it. */
static void fill(bool be)
{
    for (unsigned off = 0; off < 4096; off += 4)
        put(off, ADDIU, be);
}

static void test_delay_slot_and_page_end(void)
{
    scanner_t *s = scanner_new(true, CPU_EXT_ERET_UNPRIV);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    fill(true);
    put(0x100, BEQ_ZZ_8, true);
    put(0x104, ERET, true); /* in the branch's delay slot */
    put(0xFFC, ERET, true); /* the page's last word */
    struct scan_site sites[8];
    unsigned n = scanner_scan(s, page, sizeof page, 0x80001000u, sites, 8);
    CU_ASSERT_EQUAL_FATAL(n, 2);
    CU_ASSERT_EQUAL(sites[0].offset, 0x104);
    CU_ASSERT_EQUAL(sites[0].kind, SCAN_ERET);
    CU_ASSERT_EQUAL(sites[0].insn, ERET);
    CU_ASSERT_EQUAL(sites[1].offset, 0xFFC);
    scanner_set_full_sweep(s, true);
    CU_ASSERT_EQUAL(scanner_scan(s, page, sizeof page, 0x80001000u, sites, 8), 2);
    scanner_set_full_sweep(s, false);
    /* A page that ends in a branch: its delay slot is on the next page, which
     * is scanned on its own first execution; this page holds nothing to patch. */
    fill(true);
    put(0xFFC, BEQ_ZZ_8, true);
    CU_ASSERT_EQUAL(scanner_scan(s, page, sizeof page, 0x80001000u, sites, 8), 0);
    scanner_free(s);
}

static void test_data_mistaken_for_code(void)
{
    scanner_t *s = scanner_new(true, CPU_EXT_UNSAFE);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    fill(true);
    /* A literal pool after a function: jr $ra; nop; then data words. */
    put(0x200, 0x03E00008u, true);
    put(0x204, NOP, true);
    put(0x208, 0xDEADBEEFu, true); /* data Capstone may or may not decode */
    put(0x20C, ERET, true);        /* data that happens to be ERET's encoding */
    put(0x210, 0xFFFFFFFFu, true); /* not an instruction at all */
    struct scan_site sites[8];
    unsigned n = scanner_scan(s, page, sizeof page, 0x80002000u, sites, 8);
    CU_ASSERT_EQUAL_FATAL(n, 1);
    CU_ASSERT_EQUAL(sites[0].offset, 0x20C); /* patched all the same: reads hide it */
    /* Every word through Capstone finds exactly the same. */
    scanner_set_full_sweep(s, true);
    CU_ASSERT_EQUAL(scanner_scan(s, page, sizeof page, 0x80002000u, sites, 8), 1);
    CU_ASSERT_EQUAL(sites[0].offset, 0x20C);
    scanner_free(s);
}

static void test_which_instructions(void)
{
    fill(true);
    put(0x000, MFC0(2, 12, 0), true); /* Status: sensitive */
    put(0x004, MFC0(2, 13, 0), true); /* Cause: sensitive */
    put(0x008, MFC0(2, 14, 0), true); /* EPC: traps anyway */
    put(0x00C, MFC0(2, 12, 1), true); /* IntCtl (Status sel 1): traps anyway */
    put(0x010, MTC0(2, 12, 0), true); /* MTC0 always traps */
    put(0x014, DI_V0, true);
    put(0x018, EI_V0, true);
    put(0x01C, ERET, true);
    put(0x020, 0x41606000u, true); /* di (rt = $0) */
    struct scan_site sites[16];
    scanner_t *all = scanner_new(true, CPU_EXT_UNSAFE);
    CU_ASSERT_PTR_NOT_NULL_FATAL(all);
    unsigned n = scanner_scan(all, page, sizeof page, 0x1000, sites, 16);
    CU_ASSERT_EQUAL_FATAL(n, 6);
    const unsigned offs[] = {0x000, 0x004, 0x014, 0x018, 0x01C, 0x020};
    const enum scan_kind kinds[] = {SCAN_MFC0, SCAN_MFC0, SCAN_DI, SCAN_EI, SCAN_ERET, SCAN_DI};
    for (unsigned i = 0; i < 6; i++) {
        CU_ASSERT_EQUAL(sites[i].offset, offs[i]);
        CU_ASSERT_EQUAL(sites[i].kind, kinds[i]);
    }
    /* Fewer slots than sites: the count is still the whole count. */
    CU_ASSERT_EQUAL(scanner_scan(all, page, sizeof page, 0x1000, sites, 2), 6);
    scanner_free(all);
    /* Each switch alone finds only its own instructions. */
    const uint32_t sw[] = {CPU_EXT_ERET_UNPRIV, CPU_EXT_MFC0_UNPRIV, CPU_EXT_DIEI_UNPRIV, 0};
    const unsigned expect[] = {1, 2, 3, 0};
    for (unsigned i = 0; i < 4; i++) {
        scanner_t *s = scanner_new(true, sw[i]);
        CU_ASSERT_PTR_NOT_NULL_FATAL(s);
        CU_ASSERT_EQUAL(scanner_scan(s, page, sizeof page, 0x1000, sites, 16), expect[i]);
        scanner_free(s);
    }
}

static void test_little_endian(void)
{
    scanner_t *s = scanner_new(false, CPU_EXT_UNSAFE);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    fill(false);
    put(0x040, ERET, false);
    put(0x044, MFC0(8, 13, 0), false);
    struct scan_site sites[4];
    CU_ASSERT_EQUAL_FATAL(scanner_scan(s, page, sizeof page, 0, sites, 4), 2);
    CU_ASSERT_EQUAL(sites[0].insn, ERET);
    CU_ASSERT_EQUAL(sites[1].insn, MFC0(8, 13, 0));
    /* The same bytes read big-endian are other instructions. */
    scanner_t *be = scanner_new(true, CPU_EXT_UNSAFE);
    CU_ASSERT_EQUAL(scanner_scan(be, page, sizeof page, 0, sites, 4), 0);
    scanner_free(be);
    scanner_free(s);
}

/* ---- the monitor's side ------------------------------------------------- */

static char err[1024];

static struct vmm_config cfg; /* the monitor borrows it until free_vmm */

static vmm_t *new_vmm(uint32_t unsafe)
{
    CU_ASSERT_FATAL(vmm_config_default(&cfg));
    cfg.nguests = 1;
    cfg.board.unsafe = unsafe;
    cfg.fix = VMM_FIX_SCAN;
    vmm_t *v = vmm_new(&cfg, err, sizeof err);
    if (!v)
        printf("\n  vmm_new: %s\n", err);
    return v;
}

static void free_vmm(vmm_t *v)
{
    vmm_free(v);
    vmm_config_free(&cfg);
}

static void test_patch_hiding(void)
{
    vmm_t *v = new_vmm(CPU_EXT_UNSAFE);
    CU_ASSERT_PTR_NOT_NULL_FATAL(v);
    struct guest *g = v->guests[0];
    v->cur = g;
    uint32_t hpa = g->cfg->ram_base + 0x5000; /* a page of the guest's RAM */
    uint8_t *host = phys_host_page(v->phys, hpa, true);
    CU_ASSERT_PTR_NOT_NULL_FATAL(host);
    fill(true);
    put(0x104, ERET, true);
    put(0xFFC, MFC0(4, 13, 0), true);
    memcpy(host, page, sizeof page);

    patcher_t *p = patcher_of(v);
    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    patch_scan_page(p, g, hpa, 0x80005000u);
    CU_ASSERT_EQUAL(g->st.scan.pages, 1);
    CU_ASSERT_EQUAL(g->st.scan.sites, 2);
    CU_ASSERT_EQUAL(patch_page_state(p, hpa), PAGE_PATCHED);
    /* In memory: HYPCALLs whose codes index the patch table... */
    uint32_t w0 = get(host + 0x104, true), w1 = get(host + 0xFFC, true);
    CU_ASSERT_EQUAL(w0 & 0xFFE007FFu, HYPCALL);
    CU_ASSERT_EQUAL(w1 & 0xFFE007FFu, HYPCALL);
    CU_ASSERT_NOT_EQUAL(w0, w1);
    CU_ASSERT((w0 >> 11 & 0x3FF) >= VMM_HC_PATCH_BASE);
    /* ...and every read the guest can make sees what was there. */
    CU_ASSERT_EQUAL(patch_read_word(p, hpa + 0x104), ERET);
    CU_ASSERT_EQUAL(patch_read_word(p, hpa + 0xFFC), MFC0(4, 13, 0));
    CU_ASSERT_EQUAL(patch_read_word(p, hpa + 0x100), ADDIU);
    /* The real TLB gets the state: patched pages read-inhibited and read-only,
     * unscanned ones execute-inhibited. */
    uint32_t lo = ENTRYLO_V | ENTRYLO_D;
    CU_ASSERT_EQUAL(patch_adjust_lo(p, hpa, lo), ENTRYLO_V | ENTRYLO_RI);
    CU_ASSERT_EQUAL(patch_adjust_lo(p, hpa + 0x1000, lo), lo | ENTRYLO_XI);
    /* A second scan of the same page patches nothing twice. */
    patch_scan_page(p, g, hpa, 0x80005000u);
    CU_ASSERT_EQUAL(g->st.scan.sites, 2);

    /* DMA over one patched word: that patch is dropped (the new bytes stay),
     * the other one is undone, and the page must be scanned again. */
    /* (g0 owns bus 1: its nic's DMA goes through the partition's IOMMU map.) */
    uint8_t fresh[4] = {0x12, 0x34, 0x56, 0x78};
    CU_ASSERT_EQUAL(iobus_dma_write(v->io, 1, 1, hpa + 0x104 - g->cfg->ram_base, fresh, 4), 0);
    CU_ASSERT_EQUAL(patch_page_state(p, hpa), PAGE_UNSCANNED);
    CU_ASSERT_EQUAL(get(host + 0x104, true), 0x12345678u);
    CU_ASSERT_EQUAL(get(host + 0xFFC, true), MFC0(4, 13, 0));
    CU_ASSERT_EQUAL(patch_live_sites(p), 0);
    free_vmm(v);
}

/* Loads and stores the monitor does for a patched page: every width and the
 * unaligned LWL/LWR/SWL, against the original words (big-endian). */
static void test_emulated_accesses(void)
{
    vmm_t *v = new_vmm(CPU_EXT_UNSAFE);
    CU_ASSERT_PTR_NOT_NULL_FATAL(v);
    struct guest *g = v->guests[0];
    v->cur = g;
    shadow_set_asid(g);
    uint32_t hpa = g->cfg->ram_base + 0x6000;
    fill(true);
    put(0x104, ERET, true);
    memcpy(phys_host_page(v->phys, hpa, true), page, sizeof page);
    patcher_t *p = patcher_of(v);
    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    patch_scan_page(p, g, hpa, 0x00500000u);
    struct tlb_regs e = {0x00500000u | v->cur_real_asid,
                         ((hpa >> 12) << ENTRYLO_PFN_SHIFT) | ENTRYLO_V | ENTRYLO_RI, 0, 0};
    cpu_tlb_write(v->cpu, 3, &e);
    struct {
        uint32_t insn, va, before, after;
    } loads[] = {
        {0x8C080000u, 0x00500104u, 0, ERET},                  /* lw $t0 */
        {0x80080000u, 0x00500104u, 0, 0x42},                  /* lb $t0 */
        {0x94080000u, 0x00500106u, 0, 0x0018},                /* lhu $t0 */
        {0x88080000u, 0x00500105u, 0x11223344u, 0x00001844u}, /* lwl: bytes 1..3 high */
        {0x98080000u, 0x00500105u, 0x11223344u, 0x11224200u}, /* lwr: bytes 0..1 low */
    };
    for (size_t i = 0; i < sizeof loads / sizeof *loads; i++) {
        cpu_set_gpr(v->cpu, 8, loads[i].before);
        struct cpu_trap t = {.code = EXC_TLBRI, .insn = loads[i].insn, .badvaddr = loads[i].va};
        patch_on_ri(p, g, &t);
        CU_ASSERT_EQUAL(cpu_gpr(v->cpu, 8), loads[i].after);
    }
    CU_ASSERT_EQUAL(g->st.scan.hidden_reads, 5);
    /* swl $t0 at byte 1 over the patched ERET: the patch goes, the bytes land
     * on the original word. */
    cpu_set_gpr(v->cpu, 8, 0xAABBCCDDu);
    struct cpu_trap t = {.code = EXC_MOD, .insn = 0xA8080000u, .badvaddr = 0x00500105u};
    patch_on_store(p, g, &t, hpa + 0x105);
    CU_ASSERT_EQUAL(get(phys_host_page(v->phys, hpa, false) + 0x104, true), 0x42AABBCCu);
    CU_ASSERT_EQUAL(patch_read_word(p, hpa + 0x104), 0x42AABBCCu);
    CU_ASSERT_EQUAL(patch_live_sites(p), 0);
    free_vmm(v);
}

static void test_no_switch_no_patch(void)
{
    /* Safe hardware: the scanner runs but finds nothing it must patch. */
    vmm_t *v = new_vmm(0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(v);
    struct guest *g = v->guests[0];
    v->cur = g;
    uint32_t hpa = g->cfg->ram_base + 0x3000;
    fill(true);
    put(0x10, ERET, true);
    memcpy(phys_host_page(v->phys, hpa, true), page, sizeof page);
    patcher_t *p = patcher_of(v);
    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    patch_scan_page(p, g, hpa, 0x80003000u);
    CU_ASSERT_EQUAL(g->st.scan.sites, 0);
    CU_ASSERT_EQUAL(patch_page_state(p, hpa), PAGE_CLEAN);
    CU_ASSERT_EQUAL(patch_adjust_lo(p, hpa, ENTRYLO_V | ENTRYLO_D), ENTRYLO_V); /* writes trap */
    free_vmm(v);
}

static void test_eret_in_delay_slot_emulated(void)
{
    /* A patched ERET that sat in a delay slot: emulated as the CPU executes
     * ERET in a delay slot, a Reserved Instruction for the guest. */
    vmm_t *v = new_vmm(CPU_EXT_ERET_UNPRIV);
    CU_ASSERT_PTR_NOT_NULL_FATAL(v);
    struct guest *g = v->guests[0];
    v->cur = g;
    g->cp0.status = 0; /* virtual kernel mode */
    g->cp0.ebase = 0x80000000u;
    struct cpu_trap t = {.code = EXC_CPU,
                         .pc = 0x80001004,
                         .insn = ERET,
                         .epc = 0x80001000,
                         .bd = true,
                         .next_pc = 0x80001010};
    guest_privileged(g, &t);
    CU_ASSERT_EQUAL(g->st.reflected[EXC_RI], 1);
    CU_ASSERT_EQUAL(g->cp0.epc, 0x80001000u); /* the branch, BD set */
    CU_ASSERT(g->cp0.cause & CAUSE_BD);
    CU_ASSERT_EQUAL(cpu_pc(v->cpu), 0x80000180u);
    /* Out of a delay slot, from virtual user mode: Coprocessor Unusable. */
    g->cp0.status = 2u << ST_KSU_SHIFT; /* virtual user mode */
    t.bd = false;
    t.epc = t.pc;
    guest_privileged(g, &t);
    CU_ASSERT_EQUAL(g->st.reflected[EXC_CPU], 1);
    free_vmm(v);
}

static const struct test_case tests[] = {
    {"a patched ERET in a delay slot: Reserved Instruction", test_eret_in_delay_slot_emulated},
    {"ERET in a delay slot and at the page end", test_delay_slot_and_page_end},
    {"data mistaken for code", test_data_mistaken_for_code},
    {"MFC0 Status/Cause, DI, EI, ERET: per switch", test_which_instructions},
    {"little-endian pages", test_little_endian},
    {"patched words hidden from reads, undone by DMA", test_patch_hiding},
    {"safe hardware: scanned, nothing patched", test_no_switch_no_patch},
    {"emulated loads and stores on a patched page", test_emulated_accesses},
};

CUNIT_MAIN("scan", tests)
