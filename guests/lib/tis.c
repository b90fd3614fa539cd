/*
 * guests/lib/tis.c — the TPM's FIFO sequence (tis.h): request locality 0,
 * commandReady, the command in bursts of burstCount bytes (Expect checked
 * after each), tpmGo, stsValid and dataAvail within TIS_WAIT_CYCLES, the
 * response by its header's size, commandReady. One byte per register access
 * (the registers are little-endian bytes).
 */
#include "tis.h"

#define TIS_WAIT_CYCLES 200000000u /* 2 s of CP0 Count; the slowest command takes 50 ms */

static uint8_t rd(uint32_t regs, uint32_t off) { return mmio_read8(regs + off); }
static void wr(uint32_t regs, uint32_t off, uint8_t v) { mmio_write8(regs + off, v); }

/* Poll until (reg & bits) == bits; 0, or TIS_TIMEOUT. */
static int wait_bits(uint32_t regs, uint32_t reg, uint8_t bits)
{
    uint32_t start = mfc0(C0_COUNT);
    while ((rd(regs, reg) & bits) != bits)
        if (mfc0(C0_COUNT) - start > TIS_WAIT_CYCLES)
            return TIS_TIMEOUT;
    return 0;
}

static uint32_t burst(uint32_t regs)
{
    return rd(regs, TPM_R_BURST_LO) | (uint32_t)rd(regs, TPM_R_BURST_HI) << 8;
}

int tis_transmit(uint32_t regs, const uint8_t *cmd, uint32_t len, uint8_t *resp, uint32_t cap)
{
    int rc;
    if (!(rd(regs, TPM_R_ACCESS) & TPM_ACC_ACTIVE)) {
        wr(regs, TPM_R_ACCESS, TPM_ACC_REQUEST);
        if ((rc = wait_bits(regs, TPM_R_ACCESS, TPM_ACC_ACTIVE)) != 0)
            return rc;
    }
    wr(regs, TPM_R_STS, TPM_ST_READY);
    if ((rc = wait_bits(regs, TPM_R_STS, TPM_ST_READY)) != 0)
        return rc;
    for (uint32_t i = 0; i < len;) {
        for (uint32_t n = burst(regs); n > 0 && i < len; n--, i++)
            wr(regs, TPM_R_FIFO, cmd[i]);
        if ((i < len) != ((rd(regs, TPM_R_STS) & TPM_ST_EXPECT) != 0)) {
            wr(regs, TPM_R_STS, TPM_ST_READY);
            return TIS_PROTOCOL;
        }
    }
    wr(regs, TPM_R_STS, TPM_ST_GO);
    if ((rc = wait_bits(regs, TPM_R_STS, TPM_ST_VALID | TPM_ST_DATA)) != 0) {
        wr(regs, TPM_R_STS, TPM_ST_READY);
        return rc;
    }
    uint8_t head[6];
    uint32_t got = 0, want = 10;
    while (got < want && (rd(regs, TPM_R_STS) & TPM_ST_DATA))
        for (uint32_t n = burst(regs); n > 0 && got < want; n--, got++) {
            uint8_t b = rd(regs, TPM_R_FIFO);
            if (got < cap)
                resp[got] = b;
            if (got < 6)
                head[got] = b;
            if (got == 5) /* the header's size is in */
                want = tis_get32(head + 2);
        }
    wr(regs, TPM_R_STS, TPM_ST_READY);
    if (got < want || want < 10)
        return TIS_PROTOCOL;
    return (int)(want < cap ? want : cap);
}
