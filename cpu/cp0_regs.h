/*
 * cpu/cp0_regs.h — CP0 register numbers and fields, spelled as in the MIPS32
 * Privileged Resource Architecture manual. Shared by the CPU, the monitor and
 * the tests; guests have their own copy (guests/include).
 */
#ifndef CPU_CP0_REGS_H
#define CPU_CP0_REGS_H

/* Register numbers (select 0 unless noted). */
#define C0_INDEX    0
#define C0_RANDOM   1
#define C0_ENTRYLO0 2
#define C0_ENTRYLO1 3
#define C0_CONTEXT  4 /* sel 2: UserLocal */
#define C0_PAGEMASK 5
#define C0_WIRED    6
#define C0_HWRENA   7
#define C0_BADVADDR 8
#define C0_COUNT    9
#define C0_ENTRYHI  10
#define C0_COMPARE  11
#define C0_STATUS   12 /* sel 1: IntCtl, sel 2: SRSCtl */
#define C0_CAUSE    13
#define C0_EPC      14
#define C0_PRID     15 /* sel 1: EBase */
#define C0_CONFIG   16 /* sel 1..4: Config1..Config4 */
#define C0_LLADDR   17
#define C0_ERROREPC 30
#define C0_KSCRATCH 31 /* sel 2, 3: KScratch1/2 (CPU_EXT_KSCRATCH only) */

/* Status */
#define ST_IE        0x00000001u
#define ST_EXL       0x00000002u
#define ST_ERL       0x00000004u
#define ST_KSU_MASK  0x00000018u
#define ST_KSU_SHIFT 3
#define ST_UM        0x00000010u
#define ST_IM_MASK   0x0000FF00u
#define ST_IM_SHIFT  8
#define ST_IM7       0x00008000u
#define ST_BEV       0x00400000u
#define ST_CU0       0x10000000u
#define ST_CU1       0x20000000u

/* Cause */
#define CAUSE_EXC_MASK  0x0000007Cu
#define CAUSE_EXC_SHIFT 2
#define CAUSE_IP_MASK   0x0000FF00u
#define CAUSE_IP_SHIFT  8
#define CAUSE_IP7       0x00008000u
#define CAUSE_IV        0x00800000u
#define CAUSE_DC        0x08000000u
#define CAUSE_CE_MASK   0x30000000u
#define CAUSE_CE_SHIFT  28
#define CAUSE_TI        0x40000000u
#define CAUSE_BD        0x80000000u

/* Exception codes (Cause.ExcCode) */
#define EXC_INT   0
#define EXC_MOD   1
#define EXC_TLBL  2
#define EXC_TLBS  3
#define EXC_ADEL  4
#define EXC_ADES  5
#define EXC_IBE   6
#define EXC_DBE   7
#define EXC_SYS   8
#define EXC_BP    9
#define EXC_RI    10
#define EXC_CPU   11
#define EXC_OV    12
#define EXC_TR    13
#define EXC_TLBRI 19 /* Release 3 read inhibit (CPU_EXT_RIXI) */
#define EXC_TLBXI 20 /* Release 3 execute inhibit (CPU_EXT_RIXI) */

/* Vectors */
#define VEC_RESET       0xBFC00000u
#define VEC_BEV_BASE    0xBFC00200u
#define VEC_OFF_REFILL  0x000u
#define VEC_OFF_GENERAL 0x180u
#define VEC_OFF_INT     0x200u

#endif
