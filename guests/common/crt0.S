/*
 * crt0.S — start-up for freestanding programs run by `trapvisor exec`:
 * the host starts us in kernel mode at _start with $sp at the top of RAM.
 * We clear .bss, call main(), leave its result in $v0 and stop with BREAK.
 */
    .set noreorder
    .text
    .globl _start
    .ent _start
_start:
    la      $t0, __bss_start
    la      $t1, __bss_end
1:  beq     $t0, $t1, 2f
    nop
    sw      $zero, 0($t0)
    b       1b
    addiu   $t0, $t0, 4
2:  addiu   $sp, $sp, -32
    jal     main
    nop
    break   0
    .end _start
