/*
 * guests/kernel/programs.S — user programs built into the kernel image:
 * each guests/user program's ELF file, unchanged, and a table of
 * {name, start, end} (struct program in kernel.h) ending with a zero row.
 * The assembler finds the files on its include path (-I of the build's
 * user-program directory for this byte order).
 */
    .macro PROGRAM name
    .section .rodata.progs, "a"
    .balign 4
prog_\name\()_elf:
    .incbin "\name\().elf"
prog_\name\()_end:
    .section .rodata.names, "a"
prog_\name\()_str:
    .asciz "\name"
    .section .data.progtab, "aw"
    .word prog_\name\()_str, prog_\name\()_elf, prog_\name\()_end
    .endm

    .section .data.progtab, "aw"
    .balign 4
    .globl programs
programs:
    PROGRAM init
    PROGRAM hello
    PROGRAM compute
    PROGRAM tlbstress
    PROGRAM diskio
    PROGRAM spin
    PROGRAM fault
    PROGRAM priv
    PROGRAM cat
    PROGRAM victim
    PROGRAM syscalls
    PROGRAM tpm
    .section .data.progtab, "aw"
    .word 0, 0, 0
