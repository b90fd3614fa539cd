/*
 * guests/kernel/tpm.c — the TPM 2.0 driver: the FIFO (TIS) sequence of the
 * PC Client PTP at locality 0, by polling (docs/hardware.md, "TPM 2.0"):
 * request the locality, commandReady, the command in bursts of at most
 * burstCount bytes (Expect set until the last byte), tpmGo, wait for
 * stsValid and dataAvail with a time limit, the response (its header first,
 * then as many bytes as it says), commandReady again. At boot it sends
 * TPM2_Startup(CLEAR), as a platform's firmware would.
 */
#include "kernel.h"

#define TPM_WAIT_MS 2000 /* the slowest command is 50 ms of device time */

static uint32_t tpm; /* locality 0's registers, 0 if the board has no TPM */

static uint8_t rd(uint32_t off) { return mmio_read8(tpm + off); }
static void wr(uint32_t off, uint8_t v) { mmio_write8(tpm + off, v); }

/* Poll STS until all of `bits` are set; 0, or -ERR_TIME. */
static int wait_sts(uint8_t bits)
{
    uint32_t start = uptime_ms();
    while ((rd(TPM_R_STS) & bits) != bits)
        if (uptime_ms() - start > TPM_WAIT_MS)
            return -ERR_TIME;
    return 0;
}

static uint32_t burst(void) { return rd(TPM_R_BURST_LO) | (uint32_t)rd(TPM_R_BURST_HI) << 8; }

static int locality0(void)
{
    if (rd(TPM_R_ACCESS) & TPM_ACC_ACTIVE)
        return 0;
    wr(TPM_R_ACCESS, TPM_ACC_REQUEST);
    uint32_t start = uptime_ms();
    while (!(rd(TPM_R_ACCESS) & TPM_ACC_ACTIVE))
        if (uptime_ms() - start > TPM_WAIT_MS)
            return -ERR_TIME;
    return 0;
}

int tpm_transmit(const uint8_t *cmd, uint32_t len, uint8_t *resp, uint32_t cap)
{
    if (!tpm)
        return -ERR_NODEV;
    if (len < 10 || cap < 10)
        return -ERR_INVAL;
    int rc = locality0();
    if (rc)
        return rc;
    wr(TPM_R_STS, TPM_ST_READY);
    if ((rc = wait_sts(TPM_ST_READY)) != 0)
        return rc;
    for (uint32_t i = 0; i < len;) {
        uint32_t n = burst();
        for (; n > 0 && i < len; n--, i++)
            wr(TPM_R_FIFO, cmd[i]);
        uint8_t st = rd(TPM_R_STS);
        if ((i < len) != ((st & TPM_ST_EXPECT) != 0)) { /* it wants more, or less, than we have */
            wr(TPM_R_STS, TPM_ST_READY);
            return -ERR_IO;
        }
    }
    wr(TPM_R_STS, TPM_ST_GO);
    if ((rc = wait_sts(TPM_ST_VALID | TPM_ST_DATA)) != 0) {
        wr(TPM_R_STS, TPM_ST_READY);
        return rc;
    }
    uint32_t got = 0, want = 10;
    while (got < want && (rd(TPM_R_STS) & TPM_ST_DATA)) {
        for (uint32_t n = burst(); n > 0 && got < want; n--) {
            uint8_t b = rd(TPM_R_FIFO);
            if (got < cap)
                resp[got] = b;
            got++;
            if (got == 6) /* the header's size is in */
                want = (uint32_t)resp[2] << 24 | (uint32_t)resp[3] << 16 | (uint32_t)resp[4] << 8 |
                       resp[5];
        }
    }
    wr(TPM_R_STS, TPM_ST_READY);
    if (got < want || want < 10)
        return -ERR_IO;
    return (int)(want < cap ? want : cap);
}

int tpm_init(void)
{
    const struct device *d = device_find("tpm");
    if (!d)
        return -1;
    tpm = d->base + SLOT_DEV_BASE + TPM_LOCALITY(0);
    static const uint8_t startup[] = {0x80, 0x01, 0, 0, 0, 12, 0, 0, 0x01, 0x44, 0, 0};
    uint8_t resp[16];
    int n = tpm_transmit(startup, sizeof startup, resp, sizeof resp);
    uint32_t rc = n >= 10 ? (uint32_t)resp[6] << 24 | resp[7] << 16 | resp[8] << 8 | resp[9] : 0;
    if (n < 10 || (rc != 0 && rc != 0x100)) { /* 0x100: TPM_RC_INITIALIZE, already started */
        kprintf("tpm: TPM2_Startup failed (%d, rc %x)\n", n, rc);
        tpm = 0;
        return -1;
    }
    return 0;
}
