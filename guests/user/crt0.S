/* guests/user/crt0.S — user program entry: call main(), exit with its result.
 * The kernel clears bss (fresh zeroed pages) and sets up the stack. */
#include "syscall.h"
    .set noreorder
    .section .text.start, "ax"
    .globl _start
_start:
    jal     main
    addiu   $sp, $sp, -16
    move    $a0, $v0
    li      $v0, SYS_EXIT
    syscall
1:  b       1b
    nop
