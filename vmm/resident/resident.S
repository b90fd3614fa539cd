/*
 * vmm/resident/resident.S — the monitor's resident portion (first portion):
 * the exception vectors that run inside each guest's address space in the
 * `resident` trap model (docs/vmm.md). Position independent: only relative
 * branches, every address from KScratch2 (the data page) or CP0.
 *
 * Fast set, handled here: the guest's SYSCALL and BREAK are reflected into
 * its own handler (its virtual EPC, Cause.ExcCode/BD, Status.EXL in the data
 * page; the real EPC set to its vector; its kernel context's ASID); an MFC0
 * of its virtual Status, EPC or EBase (not in a delay slot) is served from
 * the data page, decoded from BadInstr, and the guest goes on. The rest
 * is handed to the host monitor with HYPCALL RES_HC_EXIT, with every guest
 * register as the guest left it except k0 (in KScratch1).
 */
#include "layout.h"

#define KSCRATCH1 $31, 2
#define KSCRATCH2 $31, 3

/* Count this trap in the data page's table at \table (RD_FAST or RD_HOST):
 * k0 = the data page; uses k1 and t0 (saved by the caller). */
    .macro count_trap table
    mfc0    $27, $13
    andi    $27, $27, RES_CAUSE_EXC
    addu    $27, $27, $26
    lw      $8, \table($27)
    addiu   $8, $8, 1
    sw      $8, \table($27)
    .endm

    .set noreorder
    .set noat
    .set mips32r2
    .set virt
    .text
    .globl general

    .org RES_V_REFILL
refill:                         /* a refill from the guest: the host's */
    mtc0    $26, KSCRATCH1
    mfc0    $26, KSCRATCH2
    sw      $27, RD_SAVE_K1($26)
    sw      $8, RD_SAVE_T0($26)
    count_trap RD_HOST
    lw      $8, RD_SAVE_T0($26)
    hypcall RES_HC_REFILL

    .org RES_V_GENERAL
general:
    mtc0    $26, KSCRATCH1      /* k0 aside; k0 = the data page */
    mfc0    $26, KSCRATCH2
    sw      $27, RD_SAVE_K1($26)
    mfc0    $27, $13            /* Cause */
    andi    $27, $27, RES_CAUSE_EXC
    addiu   $27, $27, -(RES_EXC_SYS << 2)
    beqz    $27, reflect
    addiu   $27, $27, -(1 << 2) /* (delay slot) Bp? */
    beqz    $27, reflect
    addiu   $27, $27, -((RES_EXC_CPU - RES_EXC_BP) << 2) /* (delay slot) CpU? */
    beqz    $27, mfc0_fast
    nop

to_host:                        /* count it, hand it over: the host resumes the guest */
    sw      $8, RD_SAVE_T0($26)
    count_trap RD_HOST
    lw      $8, RD_SAVE_T0($26)
    hypcall RES_HC_EXIT

/* MFC0 rt, rd, sel of a register the data page holds: t0 = the word, t1 its
 * register << 3 | select, k1 the value, written to rt through a table. */
mfc0_fast:
    sw      $8, RD_SAVE_T0($26)
    sw      $9, RD_SAVE_T1($26)
    mfc0    $9, $13
    bltz    $9, not_fast        /* in a delay slot: the host emulates the branch */
    mfc0    $8, $8, 1           /* BadInstr */
    srl     $9, $8, 21
    xori    $9, $9, 0x200       /* COP0, MF */
    bnez    $9, not_fast
    andi    $9, $8, 0x7F8       /* bits 10..3 zero */
    bnez    $9, not_fast
    ext     $9, $8, 11, 5
    sll     $9, $9, 3
    andi    $27, $8, 7
    or      $9, $9, $27
    addiu   $27, $9, -RES_C0_STATUS
    beqz    $27, serve
    lw      $27, RD_V_STATUS($26)
    addiu   $27, $9, -RES_C0_EPC
    beqz    $27, serve
    lw      $27, RD_V_EPC($26)
    addiu   $27, $9, -RES_C0_EBASE
    beqz    $27, serve
    lw      $27, RD_V_EBASE($26)
not_fast:
    lw      $8, RD_SAVE_T0($26)
    b       to_host
    lw      $9, RD_SAVE_T1($26)

serve:
    sw      $31, RD_SAVE_RA($26)
    ext     $9, $8, 16, 5       /* rt */
    sll     $9, $9, 3
    bal     1f
    nop
1:  addiu   $8, $31, table - 1b
    addu    $8, $8, $9
    jr      $8
    nop
    /* rt = k1: a register move, or the save slot of the registers in use. */
table:
    .irp r, 0, 1, 2, 3, 4, 5, 6, 7
    b       served
    move    $\r, $27
    .endr
    b       served
    sw      $27, RD_SAVE_T0($26) /* t0 */
    b       served
    sw      $27, RD_SAVE_T1($26) /* t1 */
    .irp r, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25
    b       served
    move    $\r, $27
    .endr
    b       served
    mtc0    $27, KSCRATCH1       /* k0 */
    b       served
    sw      $27, RD_SAVE_K1($26) /* k1 */
    .irp r, 28, 29, 30
    b       served
    move    $\r, $27
    .endr
    b       served
    sw      $27, RD_SAVE_RA($26) /* ra */
served:
    count_trap RD_FAST
    mfc0    $8, $14             /* past the MFC0 */
    addiu   $8, $8, 4
    mtc0    $8, $14
    lw      $31, RD_SAVE_RA($26)
    b       leave
    nop

reflect:
    sw      $8, RD_SAVE_T0($26)
    sw      $9, RD_SAVE_T1($26)
    count_trap RD_FAST
    mfc0    $9, $13             /* t1 = real Cause */
    /* Virtual Cause: ExcCode always; BD and EPC only when EXL was clear. */
    lw      $8, RD_V_CAUSE($26)
    ins     $8, $0, 2, 5
    andi    $27, $9, RES_CAUSE_EXC
    or      $8, $8, $27
    lw      $27, RD_V_STATUS($26)
    andi    $27, $27, RES_ST_EXL
    bnez    $27, 1f
    nop
    ext     $27, $9, 31, 1
    ins     $8, $27, 31, 1      /* BD */
    mfc0    $27, $14
    sw      $27, RD_V_EPC($26)
1:  sw      $8, RD_V_CAUSE($26)
    lw      $8, RD_V_STATUS($26)
    ori     $8, $8, RES_ST_EXL
    sw      $8, RD_V_STATUS($26)
    /* Its vector: EBase + 0x180, or the boot ROM's with BEV. */
    lui     $27, RES_ST_BEV >> 16
    and     $27, $27, $8
    bnez    $27, 2f
    lui     $27, RES_BEV_GENERAL >> 16
    lw      $27, RD_V_EBASE($26)
    ins     $27, $0, 0, 12
    b       3f
    ori     $27, $27, RES_V_GENERAL
2:  ori     $27, $27, RES_BEV_GENERAL & 0xFFFF
3:  mtc0    $27, $14            /* real EPC = the guest's handler */
    /* Its kernel context's real ASID. */
    mfc0    $8, $10
    lw      $27, RD_KERNEL_HI($26)
    ins     $8, $27, 0, 8
    mtc0    $8, $10
leave:
    ehb
    lw      $8, RD_SAVE_T0($26)
    lw      $9, RD_SAVE_T1($26)
    lw      $27, RD_SAVE_K1($26)
    mfc0    $26, KSCRATCH1
    eret

    .org RES_DATA - 4
    .word 0
