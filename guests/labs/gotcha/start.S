/*
 * guests/labs/gotcha/start.S — the lab kernel's exception entry and exit,
 * its way into user mode, and the user process (one page of code mapped at
 * 0x00400000). The three kinds of sensitive instruction the lab is about
 * appear here and in gotcha.c through macros: the native build uses the
 * instructions, the paravirtual build (-DPARAVIRT) the hypercalls that stand
 * for them (guests/include/hypcall.h).
 */
#include "hw.h"
#include "hypcall.h"

#ifdef PARAVIRT
#define READ_CAUSE_A0 HYPCALL(HC_CAUSE); move $a0, $v0
#define DO_ERET       HYPCALL(HC_ERET)
#else
#define READ_CAUSE_A0 mfc0 $a0, $13
#define DO_ERET       eret
#endif

    .set noreorder
    .set noat

    .section .text.vectors, "ax"
    .globl _vectors
_vectors:                       /* EBase + 0x000: TLB refill */
    b       exc_common
    nop
    .org 0x180                  /* EBase + 0x180: everything else */
exc_common:
    lui     $k0, %hi(exc_frame)
    addiu   $k0, $k0, %lo(exc_frame)
    sw      $1, 0($k0)
    sw      $2, 4($k0)
    sw      $3, 8($k0)
    sw      $4, 12($k0)
    sw      $5, 16($k0)
    sw      $6, 20($k0)
    sw      $7, 24($k0)
    sw      $8, 28($k0)
    sw      $9, 32($k0)
    sw      $10, 36($k0)
    sw      $11, 40($k0)
    sw      $12, 44($k0)
    sw      $13, 48($k0)
    sw      $14, 52($k0)
    sw      $15, 56($k0)
    sw      $24, 60($k0)
    sw      $25, 64($k0)
    sw      $31, 68($k0)
    sw      $29, 72($k0)
    lui     $sp, %hi(exc_stack + 4096)
    addiu   $sp, $sp, %lo(exc_stack + 4096)
    READ_CAUSE_A0
    mfc0    $a1, $14
    jal     exc_handler         /* exc_handler(cause, epc) */
    nop
    lui     $k0, %hi(exc_frame)
    addiu   $k0, $k0, %lo(exc_frame)
    lw      $1, 0($k0)
    lw      $2, 4($k0)
    lw      $3, 8($k0)
    lw      $4, 12($k0)
    lw      $5, 16($k0)
    lw      $6, 20($k0)
    lw      $7, 24($k0)
    lw      $8, 28($k0)
    lw      $9, 32($k0)
    lw      $10, 36($k0)
    lw      $11, 40($k0)
    lw      $12, 44($k0)
    lw      $13, 48($k0)
    lw      $14, 52($k0)
    lw      $15, 56($k0)
    lw      $24, 60($k0)
    lw      $25, 64($k0)
    lw      $31, 68($k0)
    lw      $29, 72($k0)
    .globl exc_return
exc_return:
    DO_ERET

    .text
    .globl _start
_start:
    lui     $sp, %hi(stack_top)
    addiu   $sp, $sp, %lo(stack_top)
    jal     lab_main
    nop
1:  b       1b
    nop

    .globl enter_user
enter_user:                     /* enter_user(pc, status): EPC, Status, ERET */
    mtc0    $a0, $14
    mtc0    $a1, $12
    ehb
    DO_ERET

/*
 * The user process. It runs at 0x00400000 (this page), with its data page at
 * 0x00401000 (words: started, probe number, secret it read, forged EntryLo,
 * offset of the secret in its page — the last two put there by the kernel).
 * On hardware the kernel can trust, probes 1 and 2 fault and the kernel
 * skips each faulting instruction; probe 3 asks the kernel to finish.
 */
    .section .user, "ax"
    .globl user_entry
user_entry:
    lui     $s0, 0x0040
    ori     $s0, $s0, 0x1000
    li      $t0, 0x600D
    sw      $t0, 0($s0)         /* I run */
    li      $t0, 1              /* probe 1: read the kernel's secret through kseg0 */
    sw      $t0, 4($s0)
    move    $t2, $zero
    lui     $t1, %hi(kernel_secret)
    lw      $t2, %lo(kernel_secret)($t1)
    nop
    sw      $t2, 8($s0)
    li      $t0, 2              /* probe 2: forge a TLB entry onto the kernel's page, write */
    sw      $t0, 4($s0)
    li      $t1, 7
    mtc0    $t1, $0             /* Index */
    lui     $t1, 0x0050
    mtc0    $t1, $10            /* EntryHi: 0x00500000 */
    lw      $t1, 12($s0)
    mtc0    $t1, $2             /* EntryLo0/1: the kernel's page, global, writable */
    mtc0    $t1, $3
    mtc0    $zero, $5           /* PageMask: 4 KiB */
    ehb
    tlbwi
    ehb
    lw      $t2, 16($s0)
    lui     $t3, 0x0050
    addu    $t3, $t3, $t2
    li      $t4, 0x0BAD
    sw      $t4, 0($t3)
    nop
    li      $t0, 3              /* probe 3: done */
    sw      $t0, 4($s0)
    li      $a0, 1
    syscall
    nop
1:  b       1b
    nop
