/* mmu/mmu.c — segment rules and TLB translation (MIPS32 PRA, chapter 4). */
#include "mmu/mmu.h"

static enum mmu_result mapped(const struct mmu_ctx *ctx, uint32_t vaddr, enum mmu_access access,
                              struct mmu_xlate *out)
{
    struct tlb_hit hit;
    unsigned how = (unsigned)access | (ctx->mode != MMU_KERNEL ? TLB_NOT_KERNEL : 0);
    switch (tlb_lookup(ctx->tlb, vaddr, ctx->asid, how, &hit)) {
    case TLB_HIT:
        out->paddr = hit.paddr;
        out->mapped = true;
        out->tlb_index = (int)hit.index;
        return MMU_OK;
    case TLB_MISS: return MMU_TLB_REFILL;
    case TLB_INVALID: return MMU_TLB_INVALID;
    case TLB_MODIFIED: return MMU_TLB_MODIFIED;
    case TLB_READ_INHIBIT: return MMU_TLB_RI;
    case TLB_EXEC_INHIBIT: return MMU_TLB_XI;
    case TLB_KERNEL_ONLY: return MMU_TLB_KPAGE;
    }
    return MMU_TLB_REFILL;
}

static enum mmu_result unmapped(uint32_t paddr, struct mmu_xlate *out)
{
    out->paddr = paddr;
    out->mapped = false;
    out->tlb_index = -1;
    return MMU_OK;
}

enum mmu_result mmu_translate(const struct mmu_ctx *ctx, uint32_t vaddr, enum mmu_access access,
                              struct mmu_xlate *out)
{
    bool kernel = ctx->mode == MMU_KERNEL;

    if (vaddr < 0x80000000u) { /* kuseg */
        if (kernel && ctx->erl)
            return unmapped(vaddr, out);
        return mapped(ctx, vaddr, access, out);
    }
    if (vaddr < 0xC0000000u) { /* kseg0, kseg1 */
        if (kernel)
            return unmapped(vaddr & 0x1FFFFFFFu, out);
        return ctx->phys_as_virt ? mapped(ctx, vaddr, access, out) : MMU_ADDR_ERROR;
    }
    if (vaddr < 0xE0000000u) { /* ksseg / kseg2 */
        if (kernel || ctx->mode == MMU_SUPERVISOR)
            return mapped(ctx, vaddr, access, out);
        return ctx->phys_as_virt ? mapped(ctx, vaddr, access, out) : MMU_ADDR_ERROR;
    }
    /* kseg3 */
    if (kernel || ctx->phys_as_virt)
        return mapped(ctx, vaddr, access, out);
    return MMU_ADDR_ERROR;
}
