/*
 * guests/lib/tis.c — the TPM's FIFO sequence (tis.h): request locality 0,
 * commandReady, the command in bursts of burstCount bytes (Expect checked
 * after each), tpmGo, stsValid and dataAvail within TIS_WAIT_CYCLES, the
 * response by its header's size, commandReady. Registers are read and
 * written a byte at a time (they are little-endian bytes); the FIFO a word
 * at a time where the burst allows (four bytes in address order: a quarter
 * of the accesses, which under a monitor are traps).
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

/* Four bytes as one word in address order (the CPU's byte order). */
static uint32_t word_of(const uint8_t *b)
{
#ifdef __MIPSEB__
    return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
#else
    return (uint32_t)b[3] << 24 | (uint32_t)b[2] << 16 | (uint32_t)b[1] << 8 | b[0];
#endif
}

static void bytes_of(uint32_t w, uint8_t *b)
{
#ifdef __MIPSEB__
    b[0] = (uint8_t)(w >> 24), b[1] = (uint8_t)(w >> 16), b[2] = (uint8_t)(w >> 8),
    b[3] = (uint8_t)w;
#else
    b[3] = (uint8_t)(w >> 24), b[2] = (uint8_t)(w >> 16), b[1] = (uint8_t)(w >> 8),
    b[0] = (uint8_t)w;
#endif
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
        uint32_t n = burst(regs);
        for (; n >= 4 && len - i >= 4; n -= 4, i += 4)
            mmio_write(regs + TPM_R_FIFO, word_of(cmd + i));
        for (; n > 0 && i < len; n--, i++)
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
    while (got < want && (rd(regs, TPM_R_STS) & TPM_ST_DATA)) {
        uint32_t n = burst(regs);
        /* past the header, whole words where the burst and the size allow */
        for (; got >= 6 && n >= 4 && want - got >= 4 && got + 4 <= cap; n -= 4, got += 4)
            bytes_of(mmio_read(regs + TPM_R_FIFO), resp + got);
        for (; n > 0 && got < want; n--, got++) {
            uint8_t b = rd(regs, TPM_R_FIFO);
            if (got < cap)
                resp[got] = b;
            if (got < 6)
                head[got] = b;
            if (got == 5) /* the header's size is in */
                want = tis_get32(head + 2);
        }
    }
    wr(regs, TPM_R_STS, TPM_ST_READY);
    if (got < want || want < 10)
        return TIS_PROTOCOL;
    return (int)(want < cap ? want : cap);
}
