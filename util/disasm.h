/* util/disasm.h — MIPS32 disassembly with Capstone, for traces, the GUI and tests. */
#ifndef UTIL_DISASM_H
#define UTIL_DISASM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct disasm disasm_t;

disasm_t *disasm_new(bool big_endian);
void disasm_free(disasm_t *d);

/* Text of one instruction word at pc ("addiu $sp, $sp, -0x20"). Encodings
 * Capstone does not know (HYPCALL) are named here; anything else unknown
 * prints as ".word 0x...". Always NUL-terminates; returns buf. */
char *disasm_one(disasm_t *d, uint32_t insn, uint32_t pc, char *buf, size_t len);

#endif
