/*
 * tests/mips_asm.h — a tiny MIPS32 encoder for hand-assembled test code.
 * Register numbers are plain integers; names follow the MIPS manual.
 */
#ifndef TESTS_MIPS_ASM_H
#define TESTS_MIPS_ASM_H

#include <stdint.h>

#define R_(op, rs, rt, rd, sa, fn)                                                                 \
    ((uint32_t)(op) << 26 | (uint32_t)(rs) << 21 | (uint32_t)(rt) << 16 | (uint32_t)(rd) << 11 |   \
     (uint32_t)(sa) << 6 | (uint32_t)(fn))
#define I_(op, rs, rt, imm)                                                                        \
    ((uint32_t)(op) << 26 | (uint32_t)(rs) << 21 | (uint32_t)(rt) << 16 | ((uint32_t)(imm)&0xFFFFu))

#define NOP            0u
#define SLL(d, t, s)   R_(0, 0, t, d, s, 0x00)
#define SRL(d, t, s)   R_(0, 0, t, d, s, 0x02)
#define ROTR(d, t, s)  R_(0, 1, t, d, s, 0x02)
#define SRA(d, t, s)   R_(0, 0, t, d, s, 0x03)
#define SLLV(d, t, s)  R_(0, s, t, d, 0, 0x04)
#define SRLV(d, t, s)  R_(0, s, t, d, 0, 0x06)
#define ROTRV(d, t, s) R_(0, s, t, d, 1, 0x06)
#define SRAV(d, t, s)  R_(0, s, t, d, 0, 0x07)
#define JR(s)          R_(0, s, 0, 0, 0, 0x08)
#define JALR(d, s)     R_(0, s, 0, d, 0, 0x09)
#define MOVZ(d, s, t)  R_(0, s, t, d, 0, 0x0A)
#define MOVN(d, s, t)  R_(0, s, t, d, 0, 0x0B)
#define SYSCALL        0x0000000Cu
#define BREAK          0x0000000Du
#define SYNC           0x0000000Fu
#define MFHI(d)        R_(0, 0, 0, d, 0, 0x10)
#define MTHI(s)        R_(0, s, 0, 0, 0, 0x11)
#define MFLO(d)        R_(0, 0, 0, d, 0, 0x12)
#define MTLO(s)        R_(0, s, 0, 0, 0, 0x13)
#define MULT(s, t)     R_(0, s, t, 0, 0, 0x18)
#define MULTU(s, t)    R_(0, s, t, 0, 0, 0x19)
#define DIV(s, t)      R_(0, s, t, 0, 0, 0x1A)
#define DIVU(s, t)     R_(0, s, t, 0, 0, 0x1B)
#define ADD(d, s, t)   R_(0, s, t, d, 0, 0x20)
#define ADDU(d, s, t)  R_(0, s, t, d, 0, 0x21)
#define SUB(d, s, t)   R_(0, s, t, d, 0, 0x22)
#define SUBU(d, s, t)  R_(0, s, t, d, 0, 0x23)
#define AND(d, s, t)   R_(0, s, t, d, 0, 0x24)
#define OR(d, s, t)    R_(0, s, t, d, 0, 0x25)
#define XOR(d, s, t)   R_(0, s, t, d, 0, 0x26)
#define NOR(d, s, t)   R_(0, s, t, d, 0, 0x27)
#define SLT(d, s, t)   R_(0, s, t, d, 0, 0x2A)
#define SLTU(d, s, t)  R_(0, s, t, d, 0, 0x2B)
#define TGE(s, t)      R_(0, s, t, 0, 0, 0x30)
#define TEQ(s, t)      R_(0, s, t, 0, 0, 0x34)
#define TNE(s, t)      R_(0, s, t, 0, 0, 0x36)

#define BLTZ(s, o)   I_(1, s, 0x00, o)
#define BGEZ(s, o)   I_(1, s, 0x01, o)
#define BLTZL(s, o)  I_(1, s, 0x02, o)
#define BGEZL(s, o)  I_(1, s, 0x03, o)
#define TEQI(s, i)   I_(1, s, 0x0C, i)
#define BLTZAL(s, o) I_(1, s, 0x10, o)
#define BGEZAL(s, o) I_(1, s, 0x11, o)

#define J(t)           ((2u << 26) | (((t) >> 2) & 0x03FFFFFFu))
#define JAL(t)         ((3u << 26) | (((t) >> 2) & 0x03FFFFFFu))
#define BEQ(s, t, o)   I_(4, s, t, o)
#define BNE(s, t, o)   I_(5, s, t, o)
#define BLEZ(s, o)     I_(6, s, 0, o)
#define BGTZ(s, o)     I_(7, s, 0, o)
#define ADDI(t, s, i)  I_(8, s, t, i)
#define ADDIU(t, s, i) I_(9, s, t, i)
#define SLTI(t, s, i)  I_(10, s, t, i)
#define SLTIU(t, s, i) I_(11, s, t, i)
#define ANDI(t, s, i)  I_(12, s, t, i)
#define ORI(t, s, i)   I_(13, s, t, i)
#define XORI(t, s, i)  I_(14, s, t, i)
#define LUI(t, i)      I_(15, 0, t, i)
#define BEQL(s, t, o)  I_(20, s, t, o)
#define BNEL(s, t, o)  I_(21, s, t, o)

#define MFC0(t, d, sel) (0x40000000u | (uint32_t)(t) << 16 | (uint32_t)(d) << 11 | (sel))
#define MTC0(t, d, sel) (0x40800000u | (uint32_t)(t) << 16 | (uint32_t)(d) << 11 | (sel))
#define TLBR            0x42000001u
#define TLBWI           0x42000002u
#define TLBWR           0x42000006u
#define TLBP            0x42000008u
#define ERET            0x42000018u
#define WAIT            0x42000020u
#define HYPCALL(code)   (0x42000028u | ((uint32_t)(code)&0x3FFu) << 11)
#define DI(t)           (0x41606000u | (uint32_t)(t) << 16)
#define EI(t)           (0x41606020u | (uint32_t)(t) << 16)

#define MADD(s, t)           R_(0x1C, s, t, 0, 0, 0x00)
#define MADDU(s, t)          R_(0x1C, s, t, 0, 0, 0x01)
#define MUL(d, s, t)         R_(0x1C, s, t, d, 0, 0x02)
#define MSUB(s, t)           R_(0x1C, s, t, 0, 0, 0x04)
#define MSUBU(s, t)          R_(0x1C, s, t, 0, 0, 0x05)
#define CLZ(d, s)            R_(0x1C, s, d, d, 0, 0x20)
#define CLO(d, s)            R_(0x1C, s, d, d, 0, 0x21)
#define EXT(t, s, pos, size) R_(0x1F, s, t, (size)-1, pos, 0x00)
#define INS(t, s, pos, size) R_(0x1F, s, t, (pos) + (size)-1, pos, 0x04)
#define WSBH(d, t)           R_(0x1F, 0, t, d, 0x02, 0x20)
#define SEB(d, t)            R_(0x1F, 0, t, d, 0x10, 0x20)
#define SEH(d, t)            R_(0x1F, 0, t, d, 0x18, 0x20)
#define RDHWR(t, d)          R_(0x1F, 0, t, d, 0, 0x3B)

#define LB(t, o, b)     I_(0x20, b, t, o)
#define LH(t, o, b)     I_(0x21, b, t, o)
#define LWL(t, o, b)    I_(0x22, b, t, o)
#define LW(t, o, b)     I_(0x23, b, t, o)
#define LBU(t, o, b)    I_(0x24, b, t, o)
#define LHU(t, o, b)    I_(0x25, b, t, o)
#define LWR(t, o, b)    I_(0x26, b, t, o)
#define SB(t, o, b)     I_(0x28, b, t, o)
#define SH(t, o, b)     I_(0x29, b, t, o)
#define SWL(t, o, b)    I_(0x2A, b, t, o)
#define SW(t, o, b)     I_(0x2B, b, t, o)
#define SWR(t, o, b)    I_(0x2E, b, t, o)
#define CACHE(op, o, b) I_(0x2F, b, op, o)
#define LL(t, o, b)     I_(0x30, b, t, o)
#define SC(t, o, b)     I_(0x38, b, t, o)
#define LWC1(t, o, b)   I_(0x31, b, t, o)

#endif
