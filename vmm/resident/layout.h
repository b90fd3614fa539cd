/*
 * vmm/resident/layout.h — the resident portion's memory layout, shared by its
 * MIPS code (resident.S) and the host monitor (the second portion). Plain
 * #defines: the assembler and the host compiler both read it.
 *
 * The resident portion is one TLB pair (RES_SIZE bytes) at a virtual address
 * the monitor chooses in each guest's space: the even page holds the code
 * (the exception vectors at the MIPS offsets from EBase), the odd page the
 * guest's data page (save area, the virtual CP0 registers the fast path
 * serves, counters). KScratch2 holds the data page's address while a guest
 * runs; KScratch1 takes the guest's k0 on entry.
 */
#ifndef VMM_RESIDENT_LAYOUT_H
#define VMM_RESIDENT_LAYOUT_H

#define RES_SIZE      0x2000 /* one pair of 4 KiB pages */
#define RES_CODE      0x0000 /* even page: code */
#define RES_DATA      0x1000 /* odd page: the guest's data page */
#define RES_V_REFILL  0x000  /* vector offsets in the code page, as from EBase */
#define RES_V_GENERAL 0x180

/* Data page offsets. */
#define RD_SAVE_K1   0x000 /* guest registers the handlers use */
#define RD_SAVE_T0   0x004
#define RD_SAVE_T1   0x008
#define RD_SAVE_RA   0x00C
#define RD_V_STATUS  0x010 /* the guest's virtual CP0 (the host keeps it in step) */
#define RD_V_CAUSE   0x014
#define RD_V_EPC     0x018
#define RD_V_EBASE   0x01C
#define RD_KERNEL_HI 0x020 /* real EntryHi ASID for the guest's kernel context */
#define RD_FAST      0x040 /* 32 words: traps the resident code handled, by ExcCode */
#define RD_HOST      0x0C0 /* 32 words: traps it handed to the host, by ExcCode */

/* Architectural constants the code needs (checked against cpu/cp0_regs.h). */
#define RES_ST_EXL      0x00000002
#define RES_ST_BEV      0x00400000
#define RES_CAUSE_EXC   0x0000007C
#define RES_CAUSE_BD    0x80000000
#define RES_BEV_GENERAL 0xBFC00380
#define RES_ASID_MASK   0x000000FF
#define RES_EXC_SYS     8
#define RES_EXC_BP      9
#define RES_EXC_CPU     11
#define RES_C0_STATUS   (12 << 3) /* register << 3 | select, as MFC0 names them */
#define RES_C0_EPC      (14 << 3)
#define RES_C0_EBASE    (15 << 3 | 1)

/* HYPCALL codes with which the resident code hands a trap to the host
 * (vmm.h: VMM_HC_RESIDENT): from the general vector, from the refill vector. */
#define RES_HC_EXIT   0x3FE
#define RES_HC_REFILL 0x3FF

#endif
