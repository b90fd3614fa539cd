/*
 * guests/include/hypcall.h — trapvisor's hypercall ABI, guest side
 * (docs/vmm.md, "Hypercalls"). HYPCALL is the MIPS VZ encoding
 * 0x42000028 | code << 11; older assemblers do not know it, so it is
 * written as a .word. Codes below 0x40 are paravirtual operations, each
 * standing for one sensitive instruction with its result in $v0:
 *   HC_PROBE  $v0 = 0x54564D4D ("TVMM"), $v1 = ABI version (any mode)
 *   HC_ERET   eret
 *   HC_DI     di $v0          HC_EI   ei $v0
 *   HC_STATUS mfc0 $v0, Status
 *   HC_CAUSE  mfc0 $v0, Cause
 * On bare hardware (no monitor) HYPCALL raises Reserved Instruction.
 */
#ifndef GUEST_HYPCALL_H
#define GUEST_HYPCALL_H

#define HC_PROBE  0
#define HC_ERET   1
#define HC_DI     2
#define HC_EI     3
#define HC_STATUS 4
#define HC_CAUSE  5
#define HC_MAGIC  0x54564D4D

#define HYPCALL_WORD(code) (0x42000028 | ((code) << 11))

#ifdef __ASSEMBLER__
#define HYPCALL(code) .word HYPCALL_WORD(code)
#else
/* A hypercall whose result is in $v0. */
#define hypcall_v0(code)                                                                           \
    ({                                                                                             \
        register uint32_t v0_ __asm__("$2");                                                       \
        __asm__ volatile(".word %1" : "=r"(v0_) : "i"(HYPCALL_WORD(code)) : "$3", "memory");       \
        v0_;                                                                                       \
    })
#endif

#endif
