/*
 * guests/firmware/start.S — reset entry of the boot ROM (PC 0xBFC00000 after
 * reset, Status.BEV = ERL = 1). The stack goes just below the kernel image
 * the host staged in RAM (boot info BI_KERNEL_IMAGE); exceptions while BEV = 1
 * land on the ROM vectors below and end in fw_exception().
 */
#include "hw.h"
    .set noreorder
    .section .text.start, "ax"
    .globl _start
_start:
    li      $t0, ST_BEV             /* kernel mode, ERL off, interrupts off */
    mtc0    $t0, $12
    ehb
    li      $t1, 0xA0000000 | ROM_BOOTINFO
    lw      $t2, BI_KERNEL_IMAGE($t1)
    li      $t3, KSEG0
    or      $sp, $t2, $t3
    jal     fw_main
    addiu   $sp, $sp, -32
1:  wait
    b       1b
    nop

    .section .text.vec_refill, "ax"
    j       vector
    nop
    .section .text.vec_general, "ax"
vector:
    lui     $sp, 0x8001             /* any RAM will do: we only report and stop */
    mfc0    $a0, $13
    mfc0    $a1, $14
    jal     fw_exception
    mfc0    $a2, $8
