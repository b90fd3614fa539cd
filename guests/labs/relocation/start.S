/*
 * guests/labs/relocation/start.S — the relocation lab kernels' exception
 * entry (both vectors into one C handler, exc_handler(cause, epc, badvaddr)),
 * the way into user mode, and the user process: one page of code at
 * 0x00400000 that loads from the address the kernel left in its data page
 * (0x00401000), then asks the kernel to finish with a syscall.
 */
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
    .irp r, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 24, 25, 31, 29
    sw      $\r, (\r * 4)($k0)
    .endr
    lui     $sp, %hi(exc_stack + 4096)
    addiu   $sp, $sp, %lo(exc_stack + 4096)
    mfc0    $a0, $13
    mfc0    $a1, $14
    mfc0    $a2, $8
    jal     exc_handler         /* exc_handler(cause, epc, badvaddr) */
    nop
    lui     $k0, %hi(exc_frame)
    addiu   $k0, $k0, %lo(exc_frame)
    .irp r, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 24, 25, 31, 29
    lw      $\r, (\r * 4)($k0)
    .endr
    eret

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
    eret

    .section .user, "ax"
    .globl user_entry
user_entry:
    lui     $s0, 0x0040
    ori     $s0, $s0, 0x1000
    lw      $t1, 0($s0)         /* the address to touch */
    li      $t2, 0x600D         /* what it reads if the load is skipped */
    lw      $t2, 0($t1)         /* natively: an address error (kseg3 from user mode) */
    nop
    sw      $t2, 4($s0)
    syscall
    nop
