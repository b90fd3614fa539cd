/*
 * guests/tests/hostile_vec.S — exception vectors of the hostile kernel
 * (hostile.c): every exception, TLB refill and interrupt goes back to a
 * clean state — kernel mode, EXL/ERL clear, interrupts off, the stack reset —
 * and the next hostile step.
 */
    .set noreorder
    .section .text.vectors, "ax"
    .align 12
    .globl hv_base
hv_base:
    j       hv_recover          /* +0x000: TLB refill */
    nop
    .org    0x180
    j       hv_recover          /* +0x180: general */
    nop
    .org    0x200
    j       hv_recover          /* +0x200: interrupt (Cause.IV) */
    nop
hv_recover:
    li      $k0, 0x2            /* Status: EXL only (ERL, KSU, IE, IM, BEV clear) */
    mtc0    $k0, $12
    la      $k0, hv_resume
    mtc0    $k0, $14            /* EPC */
    ehb
    eret
    nop
hv_resume:
    la      $sp, hostile_stack + 4080
    j       hostile_loop
    nop
