/*
 * tlb/tlb.c — the JTLB. Lookups are a linear scan of the entries: the CPU
 * keeps a host-side cache in front (cpu/cpu_priv.h), so this runs only on a
 * cache miss. Duplicate matches (a machine check on real hardware) resolve to
 * the lowest index; docs/hardware.md records that choice.
 */
#include "tlb/tlb.h"

#include <stdlib.h>

struct tlb_entry {
    uint32_t vpn2;     /* EntryHi[31:13], already masked with ~mask */
    uint32_t mask;     /* PageMask[28:13] | 0x1FFF: byte mask of the pair */
    uint32_t pagemask; /* as written (for TLBR) */
    uint32_t lo[2];    /* EntryLo0/1 without G */
    uint8_t asid;
    bool global;
};

struct tlb {
    unsigned n;
    uint32_t lo_mask; /* EntryLo bits kept: with or without RI/XI, K */
    bool rixi, kpages;
    uint64_t generation;
    struct tlb_entry e[];
};

static uint32_t lo_mask_of(bool rixi, bool kpages)
{
    return (ENTRYLO_MASK & ~ENTRYLO_K) | (rixi ? ENTRYLO_RI | ENTRYLO_XI : 0) |
           (kpages ? ENTRYLO_K : 0);
}

tlb_t *tlb_new(unsigned npairs)
{
    if (npairs < TLB_MIN_PAIRS || npairs > TLB_MAX_PAIRS)
        return NULL;
    tlb_t *tlb = calloc(1, sizeof(*tlb) + npairs * sizeof(struct tlb_entry));
    if (!tlb)
        return NULL;
    tlb->n = npairs;
    tlb->lo_mask = lo_mask_of(false, false);
    tlb_reset(tlb);
    return tlb;
}

void tlb_free(tlb_t *tlb) { free(tlb); }

unsigned tlb_size(const tlb_t *tlb) { return tlb->n; }

uint64_t tlb_generation(const tlb_t *tlb) { return tlb->generation; }

void tlb_set_kpages(tlb_t *tlb, bool on)
{
    tlb->kpages = on;
    tlb->lo_mask = lo_mask_of(tlb->rixi, on);
}

void tlb_set_rixi(tlb_t *tlb, bool on)
{
    tlb->rixi = on;
    tlb->lo_mask = lo_mask_of(on, tlb->kpages);
}

void tlb_reset(tlb_t *tlb)
{
    for (unsigned i = 0; i < tlb->n; i++) {
        struct tlb_entry *e = &tlb->e[i];
        /* kseg0 addresses never go through the TLB, so these never match. */
        e->vpn2 = 0x80000000u + (i << 13);
        e->mask = 0x1FFF;
        e->pagemask = 0;
        e->lo[0] = e->lo[1] = 0;
        e->asid = 0;
        e->global = false;
    }
    tlb->generation++;
}

static inline bool entry_matches(const struct tlb_entry *e, uint32_t vaddr, uint8_t asid)
{
    return ((vaddr & ~e->mask) == e->vpn2) && (e->global || e->asid == asid);
}

enum tlb_result tlb_lookup(const tlb_t *tlb, uint32_t vaddr, uint8_t asid, unsigned access,
                           struct tlb_hit *hit)
{
    for (unsigned i = 0; i < tlb->n; i++) {
        const struct tlb_entry *e = &tlb->e[i];
        if (!entry_matches(e, vaddr, asid))
            continue;
        uint32_t page_mask = e->mask >> 1; /* one page of the pair */
        uint32_t lo = e->lo[(vaddr & (page_mask + 1)) ? 1 : 0];
        if (!(lo & ENTRYLO_V))
            return TLB_INVALID;
        if ((lo & ENTRYLO_K) && (access & TLB_NOT_KERNEL))
            return TLB_KERNEL_ONLY;
        access &= ~TLB_NOT_KERNEL;
        /* Release 3 order: V, then RI/XI, then D. */
        if (access == TLB_LOAD && (lo & ENTRYLO_RI))
            return TLB_READ_INHIBIT;
        if (access == TLB_FETCH && (lo & ENTRYLO_XI))
            return TLB_EXEC_INHIBIT;
        if (access == TLB_STORE && !(lo & ENTRYLO_D))
            return TLB_MODIFIED;
        uint32_t pfn_base = ((lo & ENTRYLO_PFN_MASK & ~ENTRYLO_K) >> ENTRYLO_PFN_SHIFT) << 12;
        hit->paddr = (pfn_base & ~page_mask) | (vaddr & page_mask);
        hit->page_mask = page_mask;
        hit->index = i;
        hit->dirty = (lo & ENTRYLO_D) != 0;
        return TLB_HIT;
    }
    return TLB_MISS;
}

int tlb_probe(const tlb_t *tlb, uint32_t entryhi)
{
    uint8_t asid = entryhi & ENTRYHI_ASID_MASK;
    for (unsigned i = 0; i < tlb->n; i++) {
        const struct tlb_entry *e = &tlb->e[i];
        /* TLBP compares VPN2 under the entry's mask, as a lookup would. */
        if (((entryhi & ENTRYHI_VPN2_MASK) & ~e->mask) == e->vpn2 && (e->global || e->asid == asid))
            return (int)i;
    }
    return -1;
}

void tlb_read(const tlb_t *tlb, unsigned index, struct tlb_regs *out)
{
    const struct tlb_entry *e = &tlb->e[index];
    uint32_t g = e->global ? ENTRYLO_G : 0;
    out->entryhi = e->vpn2 | e->asid;
    out->entrylo0 = e->lo[0] | g;
    out->entrylo1 = e->lo[1] | g;
    out->pagemask = e->pagemask;
}

void tlb_write(tlb_t *tlb, unsigned index, const struct tlb_regs *in)
{
    struct tlb_entry *e = &tlb->e[index];
    uint32_t pm = in->pagemask & PAGEMASK_MASK;
    e->pagemask = pm;
    e->mask = pm | 0x1FFF;
    e->vpn2 = in->entryhi & ENTRYHI_VPN2_MASK & ~e->mask;
    e->asid = in->entryhi & ENTRYHI_ASID_MASK;
    e->global = (in->entrylo0 & in->entrylo1 & ENTRYLO_G) != 0;
    e->lo[0] = in->entrylo0 & tlb->lo_mask & ~ENTRYLO_G;
    e->lo[1] = in->entrylo1 & tlb->lo_mask & ~ENTRYLO_G;
    tlb->generation++;
}
