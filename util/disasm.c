/* util/disasm.c — Capstone (Debian libcapstone-dev) behind a one-call API. */
#include "util/disasm.h"

#include <capstone/capstone.h>
#include <stdio.h>
#include <stdlib.h>

struct disasm {
    csh handle;
    bool big_endian;
};

disasm_t *disasm_new(bool big_endian)
{
    struct disasm *d = calloc(1, sizeof(*d));
    if (!d)
        return NULL;
    cs_mode mode = CS_MODE_MIPS32 | (big_endian ? CS_MODE_BIG_ENDIAN : CS_MODE_LITTLE_ENDIAN);
    if (cs_open(CS_ARCH_MIPS, mode, &d->handle) != CS_ERR_OK) {
        free(d);
        return NULL;
    }
    d->big_endian = big_endian;
    return d;
}

void disasm_free(disasm_t *d)
{
    if (!d)
        return;
    cs_close(&d->handle);
    free(d);
}

char *disasm_one(disasm_t *d, uint32_t insn, uint32_t pc, char *buf, size_t len)
{
    if (!len)
        return buf;
    /* HYPCALL (MIPS VZ): COP0, CO = 1, function 0x28, code in [20:11]. */
    if ((insn & 0xFE00003Fu) == 0x42000028u) {
        snprintf(buf, len, "hypcall 0x%x", (insn >> 11) & 0x3FFu);
        return buf;
    }
    uint8_t bytes[4];
    for (int i = 0; i < 4; i++)
        bytes[i] = (uint8_t)(insn >> (d->big_endian ? 24 - 8 * i : 8 * i));
    cs_insn *ci = NULL;
    size_t n = cs_disasm(d->handle, bytes, 4, pc, 1, &ci);
    if (n == 1)
        snprintf(buf, len, "%s%s%s", ci->mnemonic, ci->op_str[0] ? " " : "", ci->op_str);
    else
        snprintf(buf, len, ".word 0x%08x", insn);
    if (n)
        cs_free(ci, n);
    return buf;
}
