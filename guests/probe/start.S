/*
 * guests/probe/start.S — the isolation probe's vectors and the accesses it
 * makes on purpose. An exception records Cause.ExcCode + 1 in probe_fault
 * and resumes after the faulting instruction; probe_load/probe_store keep
 * the access out of any delay slot so that "EPC + 4" is always right.
 */
#include "hw.h"

    .set noreorder
    .set noat

    .section .text.vectors, "ax"
    .globl _vectors
_vectors:                       /* EBase + 0x000: TLB refill */
    b       exc_common
    nop
    .org 0x180                  /* EBase + 0x180: everything else */
exc_common:
    mfc0    $k0, $13
    srl     $k0, $k0, 2
    andi    $k0, $k0, 0x1f
    addiu   $k0, $k0, 1
    lui     $k1, %hi(probe_fault)
    sw      $k0, %lo(probe_fault)($k1)
    mfc0    $k0, $14
    addiu   $k0, $k0, 4
    mtc0    $k0, $14
    ehb
    eret

    .text
    .globl _start
_start:
    la      $sp, probe_stack_top
    jal     probe_main
    nop
1:  b       1b
    nop

    .globl probe_load
probe_load:                     /* uint32_t probe_load(uint32_t vaddr) */
    lw      $v0, 0($a0)
    nop
    jr      $ra
    nop

    .globl probe_store
probe_store:                    /* void probe_store(uint32_t vaddr, uint32_t value) */
    sw      $a1, 0($a0)
    nop
    jr      $ra
    nop

    .globl probe_tlbwi
probe_tlbwi:                    /* void probe_tlbwi(index, entryhi, lo0, lo1, ) pagemask via mtc0 before */
    mtc0    $a0, $0
    mtc0    $a1, $10
    mtc0    $a2, $2
    mtc0    $a3, $3
    ehb
    tlbwi
    ehb
    jr      $ra
    nop
