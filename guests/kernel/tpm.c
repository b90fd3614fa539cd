/*
 * guests/kernel/tpm.c — the TPM 2.0 driver: the FIFO sequence of the shared
 * guests/lib/tis.c at locality 0, by polling. At boot it sends
 * TPM2_Startup(CLEAR) (the boot ROM may have done it: TPM_RC_INITIALIZE is
 * fine) and reports PCR 9, where the boot ROM measured the kernel.
 */
#include "kernel.h"
#include "tis.h"

static uint32_t tpm; /* locality 0's registers, 0 if the board has no TPM */

int tpm_transmit(const uint8_t *cmd, uint32_t len, uint8_t *resp, uint32_t cap)
{
    if (!tpm)
        return -ERR_NODEV;
    if (len < 10 || cap < 10)
        return -ERR_INVAL;
    return tis_transmit(tpm, cmd, len, resp, cap);
}

int tpm_init(void)
{
    const struct device *d = device_find("tpm");
    if (!d)
        return -1;
    tpm = d->base + SLOT_DEV_BASE + TPM_LOCALITY(0);
    static const uint8_t startup[] = {0x80, 0x01, 0, 0, 0, 12, 0, 0, 0x01, 0x44, 0, 0};
    uint8_t resp[64];
    int n = tpm_transmit(startup, sizeof startup, resp, sizeof resp);
    uint32_t rc = n >= 10 ? tis_get32(resp + 6) : 0;
    if (n < 10 || (rc != 0 && rc != 0x100)) { /* 0x100: TPM_RC_INITIALIZE, already started */
        kprintf("tpm: TPM2_Startup failed (%d, rc %x)\n", n, rc);
        tpm = 0;
        return -1;
    }
    static const uint8_t read9[] = {0x80, 0x01, 0, 0, 0, 20,   0, 0, 0x01, 0x7E,
                                    0,    0,    0, 1, 0, 0x0B, 3, 0, 2,    0};
    n = tpm_transmit(read9, sizeof read9, resp, sizeof resp);
    if (n == 62 && tis_get32(resp + 6) == 0) {
        kprintf("tpm: PCR9 (the kernel, as the boot ROM measured it) ");
        for (int i = 30; i < 62; i++)
            kprintf("%02x", resp[i]);
        kprintf("\n");
    }
    return 0;
}
