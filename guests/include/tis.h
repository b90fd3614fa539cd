/*
 * guests/include/tis.h — the TPM 2.0 FIFO (TIS) sequence at locality 0, for
 * the boot ROM and the teaching kernel (guests/lib/tis.c): no state of its
 * own (the boot ROM has no writable data), time from CP0 Count.
 * docs/hardware.md, "TPM 2.0".
 */
#ifndef GUEST_TIS_H
#define GUEST_TIS_H

#include "hw.h"

#define TIS_TIMEOUT  -110 /* the TPM did not answer in time (ERR_TIME) */
#define TIS_PROTOCOL -5   /* it wanted more or fewer bytes than the command has (ERR_IO) */

/* One command at locality 0 of the TPM whose TIS block is at regs
 * (physical, slot base + SLOT_DEV_BASE): the response's length (at most
 * cap bytes kept), or a negative TIS_* code. */
int tis_transmit(uint32_t regs, const uint8_t *cmd, uint32_t len, uint8_t *resp, uint32_t cap);

/* Big-endian fields of TPM commands and responses. */
static inline uint32_t tis_get32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}
static inline void tis_put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

#endif
