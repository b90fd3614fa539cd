/*
 * guests/kernel/entry.S — what must be assembly: the exception vectors, the
 * TLB refill handler over the current process's page table, saving and
 * restoring a trapframe, switching kernel stacks, and idling.
 */
#include "hw.h"

#define TF_R(n) ((n) * 4)
#define TF_HI 128
#define TF_LO 132
#define TF_STATUS 136
#define TF_CAUSE 140
#define TF_EPC 144
#define TF_BADVADDR 148
#define TF_SIZE 160

    .set noreorder
    .set noat

/* ---- vectors: EBase = 0x80000000 --------------------------------------- */
    .section .text.vectors, "ax"
/* TLB refill (+0x000): a user address missed the TLB. Two-level walk of
 * current_pgd with k0/k1 only; absent tables point at an all-invalid table,
 * so the written pair may be invalid and the retry then raises TLBL/TLBS
 * through the general vector. */
    .globl tlb_refill
tlb_refill:
    mfc0    $k0, $8                 /* BadVAddr */
    lui     $k1, %hi(current_pgd)
    lw      $k1, %lo(current_pgd)($k1)
    srl     $k0, $k0, 22
    sll     $k0, $k0, 2
    addu    $k1, $k1, $k0
    lw      $k1, 0($k1)             /* page table for this 4 MiB */
    mfc0    $k0, $8
    srl     $k0, $k0, 10
    andi    $k0, $k0, 0xff8         /* even/odd PTE pair */
    addu    $k1, $k1, $k0
    lw      $k0, 0($k1)
    lw      $k1, 4($k1)
    mtc0    $k0, $2                 /* EntryLo0 */
    mtc0    $k1, $3                 /* EntryLo1 */
    ehb
    tlbwr
    eret

    .org 0x180
/* General exception (+0x180). */
    j       trap_entry
    nop

/* ---- trap entry and exit ---------------------------------------------- */
    .text
/* From user mode switch to the process's kernel stack (kstack_top); from
 * kernel mode (the idle loop) stay on the current stack. Save everything,
 * leave exception level (kernel mode, interrupts off), call trap(tf). */
trap_entry:
    mfc0    $k0, $12
    andi    $k0, $k0, ST_KSU_USER
    beqz    $k0, 1f
    move    $k1, $sp
    lui     $k0, %hi(kstack_top)
    lw      $sp, %lo(kstack_top)($k0)
1:  addiu   $sp, $sp, -TF_SIZE
    sw      $k1, TF_R(29)($sp)
    sw      $1, TF_R(1)($sp)
    sw      $2, TF_R(2)($sp)
    sw      $3, TF_R(3)($sp)
    sw      $4, TF_R(4)($sp)
    sw      $5, TF_R(5)($sp)
    sw      $6, TF_R(6)($sp)
    sw      $7, TF_R(7)($sp)
    sw      $8, TF_R(8)($sp)
    sw      $9, TF_R(9)($sp)
    sw      $10, TF_R(10)($sp)
    sw      $11, TF_R(11)($sp)
    sw      $12, TF_R(12)($sp)
    sw      $13, TF_R(13)($sp)
    sw      $14, TF_R(14)($sp)
    sw      $15, TF_R(15)($sp)
    sw      $16, TF_R(16)($sp)
    sw      $17, TF_R(17)($sp)
    sw      $18, TF_R(18)($sp)
    sw      $19, TF_R(19)($sp)
    sw      $20, TF_R(20)($sp)
    sw      $21, TF_R(21)($sp)
    sw      $22, TF_R(22)($sp)
    sw      $23, TF_R(23)($sp)
    sw      $24, TF_R(24)($sp)
    sw      $25, TF_R(25)($sp)
    sw      $28, TF_R(28)($sp)
    sw      $30, TF_R(30)($sp)
    sw      $31, TF_R(31)($sp)
    mfhi    $t0
    sw      $t0, TF_HI($sp)
    mflo    $t0
    sw      $t0, TF_LO($sp)
    mfc0    $t0, $12
    sw      $t0, TF_STATUS($sp)
    mfc0    $t1, $13
    sw      $t1, TF_CAUSE($sp)
    mfc0    $t1, $14
    sw      $t1, TF_EPC($sp)
    mfc0    $t1, $8
    sw      $t1, TF_BADVADDR($sp)
    li      $t1, ~(ST_KSU_MASK | ST_EXL | ST_IE)
    and     $t0, $t0, $t1
    mtc0    $t0, $12
    ehb
    move    $a0, $sp
    jal     trap
    addiu   $sp, $sp, -16           /* o32 argument save area */
    addiu   $sp, $sp, 16
/* Restore the trapframe at sp and return from the exception. Also where a
 * new process starts (its context's ra). The saved Status has EXL set, so
 * writing it back keeps us in kernel mode with interrupts off until eret. */
    .globl trap_return
trap_return:
    lw      $t0, TF_STATUS($sp)
    mtc0    $t0, $12
    ehb
    lw      $t1, TF_EPC($sp)
    mtc0    $t1, $14
    lw      $t0, TF_HI($sp)
    mthi    $t0
    lw      $t0, TF_LO($sp)
    mtlo    $t0
    lw      $1, TF_R(1)($sp)
    lw      $2, TF_R(2)($sp)
    lw      $3, TF_R(3)($sp)
    lw      $4, TF_R(4)($sp)
    lw      $5, TF_R(5)($sp)
    lw      $6, TF_R(6)($sp)
    lw      $7, TF_R(7)($sp)
    lw      $8, TF_R(8)($sp)
    lw      $9, TF_R(9)($sp)
    lw      $10, TF_R(10)($sp)
    lw      $11, TF_R(11)($sp)
    lw      $12, TF_R(12)($sp)
    lw      $13, TF_R(13)($sp)
    lw      $14, TF_R(14)($sp)
    lw      $15, TF_R(15)($sp)
    lw      $16, TF_R(16)($sp)
    lw      $17, TF_R(17)($sp)
    lw      $18, TF_R(18)($sp)
    lw      $19, TF_R(19)($sp)
    lw      $20, TF_R(20)($sp)
    lw      $21, TF_R(21)($sp)
    lw      $22, TF_R(22)($sp)
    lw      $23, TF_R(23)($sp)
    lw      $24, TF_R(24)($sp)
    lw      $25, TF_R(25)($sp)
    lw      $28, TF_R(28)($sp)
    lw      $30, TF_R(30)($sp)
    lw      $31, TF_R(31)($sp)
    lw      $sp, TF_R(29)($sp)
    eret

/* void swtch(struct context *old, struct context *new): save the callee-
 * saved registers in old, load new's, and return on new's stack. */
    .globl swtch
swtch:
    sw      $16, 0($a0)
    sw      $17, 4($a0)
    sw      $18, 8($a0)
    sw      $19, 12($a0)
    sw      $20, 16($a0)
    sw      $21, 20($a0)
    sw      $22, 24($a0)
    sw      $23, 28($a0)
    sw      $30, 32($a0)
    sw      $sp, 36($a0)
    sw      $ra, 40($a0)
    lw      $16, 0($a1)
    lw      $17, 4($a1)
    lw      $18, 8($a1)
    lw      $19, 12($a1)
    lw      $20, 16($a1)
    lw      $21, 20($a1)
    lw      $22, 24($a1)
    lw      $23, 28($a1)
    lw      $30, 32($a1)
    lw      $sp, 36($a1)
    lw      $ra, 40($a1)
    jr      $ra
    nop

/* Enable interrupts, WAIT for one (taken and handled by trap()), disable. */
    .globl wait_for_interrupt
wait_for_interrupt:
    mfc0    $t0, $12
    ori     $t0, $t0, ST_IE
    mtc0    $t0, $12
    ehb
    wait
    mfc0    $t0, $12
    li      $t1, ~ST_IE
    and     $t0, $t0, $t1
    mtc0    $t0, $12
    ehb
    jr      $ra
    nop

/* Kernel entry from the boot ROM: a0 = FDT, a1 = boot info (kseg1). */
    .globl _start
_start:
    la      $sp, boot_stack + 8192
    jal     kmain
    addiu   $sp, $sp, -16
1:  b       1b
    nop

    .bss
    .balign 16
    .globl boot_stack
boot_stack:
    .space 8192
