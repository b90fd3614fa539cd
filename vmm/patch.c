/*
 * vmm/patch.c — the scanner fix (vmm.fix = scan): guest code is scanned when
 * it is first executed, and every sensitive instruction that the CPU would
 * run without trapping is replaced by a HYPCALL whose code indexes the
 * monitor's patch table; the monitor then emulates the original.
 *
 * Every RAM/ROM page is in one of three states, and its real TLB entries
 * (always 4 KiB while the fix is on) say so with the Release 3 RI/XI bits
 * (CPU_EXT_RIXI):
 *   unscanned  XI: the first instruction fetch traps (TLBXI) and scans it;
 *   clean      scanned, nothing patched: D = 0, so a store traps and is
 *              emulated here (the stored word is scanned again);
 *   patched    as clean, plus RI: loads trap (TLBRI) and are emulated here,
 *              returning the original words — the patch is invisible.
 * DMA into a scanned page drops its patches and makes it unscanned again;
 * so does a guest reset for the guest's RAM. docs/vmm.md, "The scanner fix".
 *
 * It is a monitor module (module.h): a region owner of every RAM/ROM page
 * (4 KiB pages, the EntryLo bits above, TLBRI/TLBXI, stores into scanned
 * pages), the HYPCALL codes of its patch table, and the DMA and guest-boot
 * hooks.
 */
#include "vmm/patch.h"

#include <stdlib.h>

#include "cpu/cp0_regs.h"
#include "machine/rom.h"
#include "vmm/memop.h"
#include "vmm/scan.h"
#include "vmm/vmm_priv.h"

#define VMM_MAX_PATCHES (VMM_HC_RESIDENT - VMM_HC_PATCH_BASE)

struct patch_site {
    uint32_t hpa;  /* host-physical address of the patched word */
    uint32_t orig; /* the instruction that was there */
    bool used;
};

struct patcher {
    struct vmm *v;
    phys_t *phys;
    scanner_t *scanner;
    uint8_t *page_state;  /* enum page_state per RAM page, then per ROM page */
    uint8_t *page_writes; /* stores emulated since the page was scanned */
    uint32_t ram_pages;
    struct patch_site patches[VMM_MAX_PATCHES];
    unsigned patches_live, patch_hint;
};

/* ---- page states ---------------------------------------------------------- */

static uint8_t *state_of(const struct patcher *pt, uint32_t hpa)
{
    uint32_t page = hpa >> 12;
    if (page < pt->ram_pages)
        return &pt->page_state[page];
    if (hpa >= ROM_BASE && hpa - ROM_BASE < ROM_SIZE)
        return &pt->page_state[pt->ram_pages + ((hpa - ROM_BASE) >> 12)];
    return NULL;
}

static void patch_destroy(void *state)
{
    struct patcher *p = state;
    if (!p)
        return;
    scanner_free(p->scanner);
    free(p->page_state);
    free(p->page_writes);
    free(p);
}

static int patch_create(struct vmm *v, void **state, char *err, size_t errlen)
{
    struct patcher *p = calloc(1, sizeof *p);
    if (!p) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    p->v = v;
    p->phys = v->phys;
    p->ram_pages = phys_ram_size(v->phys) >> 12;
    p->page_state = calloc(p->ram_pages + (ROM_SIZE >> 12), 1);
    p->page_writes = calloc(p->ram_pages + (ROM_SIZE >> 12), 1);
    p->scanner = scanner_new(phys_big_endian(v->phys), v->cfg->board.unsafe);
    if (!p->page_state || !p->page_writes || !p->scanner) {
        snprintf(err, errlen, "vmm.fix=scan: cannot start the scanner (Capstone)");
        patch_destroy(p);
        return -1;
    }
    *state = p;
    return 0;
}

patcher_t *patcher_of(const struct vmm *v) { return vmm_module_state(v, &patch_module); }

enum page_state patch_page_state(const patcher_t *p, uint32_t hpa)
{
    const uint8_t *st = state_of(p, hpa);
    return st ? (enum page_state) * st : PAGE_UNSCANNED;
}

unsigned patch_live_sites(const patcher_t *p) { return p->patches_live; }

uint32_t patch_adjust_lo(const patcher_t *v, uint32_t hpa_page, uint32_t lo)
{
    const uint8_t *st = state_of(v, hpa_page);
    if (!st)
        return lo;
    switch (*st) {
    case PAGE_UNSCANNED: return lo | ENTRYLO_XI;
    case PAGE_CLEAN: return lo & ~ENTRYLO_D;
    default: return (lo & ~ENTRYLO_D) | ENTRYLO_RI;
    }
}

static bool page_scanned(const struct patcher *pt, uint32_t hpa)
{
    const uint8_t *st = state_of(pt, hpa);
    return st && *st != PAGE_UNSCANNED;
}

/* ---- words in guest byte order -------------------------------------------- */

static uint8_t *host_word(const struct patcher *pt, uint32_t hpa)
{
    uint8_t *page = phys_host_page(pt->phys, hpa & ~0xFFFu, false);
    return page ? page + (hpa & 0xFFCu) : NULL;
}

/* A word of guest memory (host bytes p) in the guest's byte order. */
static uint32_t get_word(const struct patcher *pt, const uint8_t *p)
{
    return memop_join(p, phys_big_endian(pt->phys));
}

static void put_word(const struct patcher *pt, uint8_t *p, uint32_t w)
{
    memop_split(w, p, phys_big_endian(pt->phys));
}

/* The patch-table index a word stands for, or -1 when it is not our patch. */
static int patch_index(const struct patcher *pt, uint32_t hpa, uint32_t word)
{
    if ((word & 0xFFE007FFu) != VMM_HYPCALL_INSN)
        return -1;
    unsigned code = (word >> 11) & 0x3FFu;
    if (code < VMM_HC_PATCH_BASE)
        return -1;
    unsigned i = code - VMM_HC_PATCH_BASE;
    return pt->patches[i].used && pt->patches[i].hpa == (hpa & ~3u) ? (int)i : -1;
}

/* What the guest must see at hpa: the original where we patched. */
uint32_t patch_read_word(const struct patcher *pt, uint32_t hpa)
{
    uint8_t *p = host_word(pt, hpa);
    if (!p)
        return 0;
    uint32_t w = get_word(pt, p);
    int i = patch_index(pt, hpa, w);
    return i >= 0 ? pt->patches[i].orig : w;
}

static void drop(struct patcher *pt, unsigned i, bool restore)
{
    struct patch_site *s = &pt->patches[i];
    if (restore) {
        uint8_t *p = host_word(pt, s->hpa);
        if (p)
            put_word(pt, p, s->orig);
    }
    s->used = false;
    pt->patches_live--;
}

/* ---- scanning ------------------------------------------------------------- */

static int alloc_patch(struct patcher *pt)
{
    for (unsigned k = 0; k < VMM_MAX_PATCHES; k++) {
        unsigned i = (pt->patch_hint + k) % VMM_MAX_PATCHES;
        if (!pt->patches[i].used) {
            pt->patch_hint = i + 1;
            return (int)i;
        }
    }
    return -1;
}

/* Patch one sensitive word at hpa (va for messages); false if the table is full. */
static bool patch_site(struct patcher *pt, struct guest *g, uint32_t hpa, uint32_t va,
                       const struct scan_site *site)
{
    int i = alloc_patch(pt);
    if (i < 0) {
        g->st.scan.unpatched++;
        vmm_gotchaf(pt->v, "scan %s %s at %08x: patch table full, left as it is", g->cfg->name,
                    scan_kind_name(site->kind), va);
        return false;
    }
    pt->patches[i] = (struct patch_site){hpa, site->insn, true};
    pt->patches_live++;
    uint32_t hc = VMM_HYPCALL_WORD(VMM_HC_PATCH_BASE + i);
    put_word(pt, host_word(pt, hpa), hc);
    g->st.scan.sites++;
    vmm_gotchaf(pt->v, "scan %s %s %08x at %08x (hpa %08x) -> hypcall %#x", g->cfg->name,
                scan_kind_name(site->kind), site->insn, va, hpa, VMM_HC_PATCH_BASE + i);
    return true;
}

void patch_scan_page(struct patcher *pt, struct guest *g, uint32_t hpa_page, uint32_t va_page)
{
    uint8_t *st = state_of(pt, hpa_page);
    if (!st || *st != PAGE_UNSCANNED)
        return;
    uint8_t *host = phys_host_page(pt->phys, hpa_page, false);
    if (!host)
        return;
    uint64_t t0 = vmm_host_ns();
    struct scan_site sites[1024];
    unsigned n = scanner_scan(pt->scanner, host, 4096, va_page, sites, 1024);
    unsigned patched = 0;
    for (unsigned k = 0; k < n; k++)
        patched +=
            patch_site(pt, g, hpa_page + sites[k].offset, va_page + sites[k].offset, &sites[k]);
    *st = patched ? PAGE_PATCHED : PAGE_CLEAN;
    pt->page_writes[st - pt->page_state] = 0;
    g->st.scan.pages++;
    g->st.scan.ns += vmm_host_ns() - t0;
    shadow_flush_hpa(pt->v, hpa_page); /* other aliases still say "unscanned" */
}

/* Forget what we know of a page: patches outside [keep_lo, keep_hi) are
 * undone, those inside are dropped (something else wrote there). */
static void unscan(struct patcher *pt, uint32_t hpa_page, uint32_t keep_lo, uint32_t keep_hi)
{
    uint8_t *st = state_of(pt, hpa_page);
    if (!st || *st == PAGE_UNSCANNED)
        return;
    if (*st == PAGE_PATCHED)
        for (unsigned i = 0; i < VMM_MAX_PATCHES && pt->patches_live; i++) {
            struct patch_site *s = &pt->patches[i];
            if (s->used && (s->hpa & ~0xFFFu) == hpa_page)
                drop(pt, i, !(s->hpa >= keep_lo && s->hpa < keep_hi));
        }
    *st = PAGE_UNSCANNED;
    shadow_flush_hpa(pt->v, hpa_page);
}

static void patch_dma_written(void *state, uint32_t paddr, size_t len)
{
    struct patcher *pt = state;
    if (!len)
        return;
    uint64_t end = (uint64_t)paddr + len;
    for (uint64_t p = paddr & ~0xFFFu; p < end; p += 4096)
        unscan(pt, (uint32_t)p, paddr, (uint32_t)end);
}

/* The guest powers on: its memory is about to be rewritten, no patch survives. */
static void patch_guest_boot(void *state, struct guest *g)
{
    struct patcher *pt = state;
    for (unsigned r = 0; r < g->nregions; r++) {
        const struct vmm_region *rg = &g->regions[r];
        if (rg->kind != VMM_REGION_RAM && rg->kind != VMM_REGION_ROM)
            continue;
        if (rg->hpa >= ROM_BASE)
            continue; /* the boot ROM itself is shared and never changes */
        for (uint64_t p = rg->hpa; p < (uint64_t)rg->hpa + rg->size; p += 4096)
            unscan(pt, (uint32_t)p, 0, 0);
    }
}

/* ---- traps of the fix ----------------------------------------------------- */

/* hpa of va through the real TLB entry that just trapped. */
static bool real_hpa(const struct patcher *p, uint32_t va, uint32_t *hpa)
{
    const struct vmm *v = p->v;
    struct tlb_hit hit;
    if (tlb_lookup(v->tlb, va, v->cur_real_asid, TLB_PEEK, &hit) != TLB_HIT)
        return false;
    *hpa = hit.paddr;
    return true;
}

/* TLBXI: the guest executes a page nobody scanned yet. */
static void patch_on_xi(struct patcher *pt, struct guest *g, const struct cpu_trap *t)
{
    uint32_t hpa;
    g->st.scan.xi_traps++;
    if (real_hpa(pt, t->badvaddr, &hpa))
        patch_scan_page(pt, g, hpa & ~0xFFFu, t->badvaddr & ~0xFFFu);
    /* The instruction is fetched again: a refill with the page's new state. */
}

/* TLBRI: a load from a patched page. Emulated from the original words. */
struct vmm_outcome patch_on_ri(struct patcher *pt, struct guest *g, const struct cpu_trap *t)
{
    cpu_t *cpu = pt->v->cpu;
    uint32_t insn = t->insn, va = t->badvaddr, hpa;
    g->st.scan.hidden_reads++;
    if (!real_hpa(pt, va, &hpa))
        return guest_reflect_trap(g, t, EXC_TLBL);
    struct memop m;
    if (!memop_decode(insn, &m) || m.store) {
        /* Not a load (cannot be: only loads check RI): what the guest's own
         * hardware would do with a read fault. */
        return guest_reflect_trap(g, t, EXC_TLBL);
    }
    uint8_t mem[4];
    memop_split(patch_read_word(pt, hpa), mem, phys_big_endian(pt->phys));
    uint32_t val = memop_load(&m, mem, va & 3u, phys_big_endian(pt->phys), cpu_gpr(cpu, m.rt));
    if (m.linked)
        cpu_set_llbit(cpu, true);
    cpu_trap_skip(cpu);
    cpu_set_gpr(cpu, m.rt, val);
    return vmm_outcome_of(VMM_TRAP_TLB_INVALID);
}

/* A store to a scanned page (real D = 0): done here, then the changed word
 * is scanned again. A page written this often is being rewritten (a loader
 * reusing it): it goes back to unscanned instead — originals restored, the
 * store retried at full speed, the page scanned again when next executed.
 * The caller has checked that the guest may write. */
#define REWRITE_THRESHOLD 32
struct vmm_outcome patch_on_store(struct patcher *pt, struct guest *g, const struct cpu_trap *t,
                                  uint32_t hpa)
{
    cpu_t *cpu = pt->v->cpu;
    struct vmm_outcome done = vmm_outcome_of(VMM_TRAP_TLB_MOD);
    uint32_t va = t->badvaddr;
    uint8_t *p = host_word(pt, hpa);
    g->st.scan.code_writes++;
    uint8_t *st = state_of(pt, hpa);
    if (st && ++pt->page_writes[st - pt->page_state] >= REWRITE_THRESHOLD) {
        g->st.scan.rewrites++;
        vmm_gotchaf(pt->v, "scan %s page %08x rewritten: patches undone until it runs again",
                    g->cfg->name, va & ~0xFFFu);
        unscan(pt, hpa & ~0xFFFu, 0, 0);
        return done;
    }
    if (!p)
        return guest_reflect_trap(g, t, EXC_DBE);
    struct memop m;
    if (!memop_decode(t->insn, &m) || !m.store)
        return guest_reflect_trap(g, t, EXC_MOD);
    uint32_t cur = get_word(pt, p);
    int pi = patch_index(pt, hpa, cur);
    bool be = phys_big_endian(pt->phys);
    uint8_t mem[4];
    memop_split(pi >= 0 ? pt->patches[pi].orig : cur, mem, be);
    /* SC: the reservation is ours to give (one CPU, the store happens). */
    memop_store(&m, mem, va & 3u, be, cpu_gpr(cpu, m.rt));
    uint32_t nw = memop_join(mem, be);
    guest_mark_written(g, hpa & ~3u, 4); /* written by us for it: cleared at its reset */
    if (pi >= 0)
        drop(pt, (unsigned)pi, false);
    put_word(pt, p, nw);
    struct scan_site site;
    if (scanner_scan(pt->scanner, p, 4, va & ~3u, &site, 1) == 1 &&
        patch_site(pt, g, hpa & ~3u, va & ~3u, &site)) {
        if (st && *st == PAGE_CLEAN) {
            *st = PAGE_PATCHED; /* reads must now trap too */
            shadow_flush_hpa(pt->v, hpa & ~0xFFFu);
        }
    }
    cpu_trap_skip(cpu);
    if (m.linked)
        cpu_set_gpr(cpu, m.rt, 1);
    return done;
}

/* HYPCALL with a patch code: the original instruction, when the code is
 * ours at this PC. */
static bool patch_original(const struct patcher *pt, const struct cpu_trap *t, uint32_t *orig)
{
    uint32_t hpa;
    if (t->hypcall_code < VMM_HC_PATCH_BASE || !real_hpa(pt, t->pc, &hpa))
        return false;
    uint8_t *p = host_word(pt, hpa);
    if (!p || patch_index(pt, hpa, get_word(pt, p)) != (int)(t->hypcall_code - VMM_HC_PATCH_BASE))
        return false;
    *orig = pt->patches[t->hypcall_code - VMM_HC_PATCH_BASE].orig;
    return true;
}

/* ---- the module ------------------------------------------------------------ */

/* A patched site runs: emulate the original instruction, or tell the guest
 * its instruction is reserved when the code is not ours at this PC. */
static struct vmm_outcome patch_hypercall(void *state, struct guest *g, const struct cpu_trap *t)
{
    struct patcher *p = state;
    struct cpu_trap e = *t;
    e.code = EXC_CPU;
    e.ce = 0;
    if (!patch_original(p, t, &e.insn)) {
        vmm_tracef(p->v, "vmm %s hypcall %#x at %08x: not a patch of ours", g->cfg->name,
                   t->hypcall_code, t->pc);
        return guest_reflect_trap(g, t, EXC_RI);
    }
    g->st.scan.patch_calls++;
    return guest_privileged(g, &e);
}

/* Memory that may hold code: what the fix keeps track of. */
static bool code_kind(enum vmm_region_kind k) { return k == VMM_REGION_RAM || k == VMM_REGION_ROM; }

static uint32_t patch_page_limit(void *state, const struct vmm_region *r)
{
    (void)state;
    return code_kind(r->kind) ? 4096 : 0; /* page states are per 4 KiB */
}

static uint32_t patch_entrylo(void *state, struct guest *g, const struct owner_page *pg,
                              uint32_t lo)
{
    struct patcher *p = state;
    if (!code_kind(pg->region->kind))
        return lo;
    if (pg->fetch) /* first execution: scan before it runs */
        patch_scan_page(p, g, pg->hpa, pg->va);
    return patch_adjust_lo(p, pg->hpa, lo);
}

/* A store into a scanned page (its real entry is read-only): done here. A
 * store miss on one is not claimed: the entry is installed read-only and
 * the retried store comes back as Mod. */
static bool patch_claim_page(void *state, struct guest *g, const struct cpu_trap *t,
                             const struct owner_fault *f, struct vmm_outcome *o)
{
    struct patcher *p = state;
    if (!f->store || !code_kind(f->region->kind) || !page_scanned(p, f->hpa) || t->code != EXC_MOD)
        return false;
    *o = patch_on_store(p, g, t, f->hpa); /* a store into code: done and rescanned */
    return true;
}

static bool patch_inhibit_fault(void *state, struct guest *g, const struct cpu_trap *t,
                                struct vmm_outcome *o)
{
    struct patcher *p = state;
    if (t->code != EXC_TLBXI && t->code != EXC_TLBRI)
        return false; /* not ours (a kernel-only page is another owner's) */
    if (t->code == EXC_TLBXI) {
        patch_on_xi(p, g, t);
        *o = vmm_outcome_of(VMM_TRAP_TLB_INVALID);
    } else {
        *o = patch_on_ri(p, g, t);
    }
    return true;
}

static bool patch_wanted(const struct vmm_config *c) { return c->fix == VMM_FIX_SCAN; }

static const struct vmm_region_owner patch_owner = {
    .claim_page = patch_claim_page,
    .inhibit_fault = patch_inhibit_fault,
    .page_limit = patch_page_limit,
    .entrylo = patch_entrylo,
};

const struct vmm_module patch_module = {
    .name = "scan",
    .wanted = patch_wanted,
    .create = patch_create,
    .destroy = patch_destroy,
    .cpu_ext = CPU_EXT_RIXI,
    .guest_boot = patch_guest_boot,
    .dma_written = patch_dma_written,
    .owner = &patch_owner,
    .hc_first = VMM_HC_PATCH_BASE,
    .hc_count = VMM_MAX_PATCHES,
    .hypercall = patch_hypercall,
};
