/*
 * guests/user/tpm.c — the TPM tool, first form: through the kernel's TPM
 * driver (SYS_TPM) it asks for random bytes, reads PCR 16, extends it with
 * an event (TPM2_PCR_Event: the TPM hashes the data), reads it again, and
 * resets it (PCR 16 is the debug PCR, resettable from locality 0). It
 * prints what it sends and gets; exit 0 when every answer is a success and
 * the PCR changed as it must.
 */
#include "ulib.h"

static unsigned char resp[4096];

static unsigned get32(const unsigned char *p)
{
    return (unsigned)p[0] << 24 | (unsigned)p[1] << 16 | (unsigned)p[2] << 8 | p[3];
}

/* Send cmd (its size field filled in here); the response code, or -1. */
static long run(unsigned char *cmd, unsigned len, const char *what)
{
    cmd[2] = (unsigned char)(len >> 24);
    cmd[3] = (unsigned char)(len >> 16);
    cmd[4] = (unsigned char)(len >> 8);
    cmd[5] = (unsigned char)len;
    int n = tpm(cmd, len, resp);
    if (n < 10) {
        printf("tpm: %s: no answer (%d)\n", what, n);
        return -1;
    }
    unsigned rc = get32(resp + 6);
    if (rc)
        printf("tpm: %s: response code %x\n", what, rc);
    return rc;
}

static void hex(const unsigned char *p, unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        printf("%02x", p[i]);
}

/* PCR_Read of PCR 16 in the sha256 bank into pcr[32]; 0 or -1. */
static int pcr16(unsigned char pcr[32])
{
    unsigned char cmd[] = {0x80, 0x01, 0, 0, 0, 0,    0, 0, 0x01, 0x7E,
                           0,    0,    0, 1, 0, 0x0B, 3, 0, 0,    1};
    if (run(cmd, sizeof cmd, "PCR_Read") != 0)
        return -1;
    for (int i = 0; i < 32; i++)
        pcr[i] = resp[10 + 4 + 10 + 4 + 2 + i];
    return 0;
}

int main(void)
{
    int bad = 0;
    unsigned char getrandom[] = {0x80, 0x01, 0, 0, 0, 0, 0, 0, 0x01, 0x7B, 0, 8};
    if (run(getrandom, sizeof getrandom, "GetRandom") != 0)
        return 1;
    unsigned n = (unsigned)resp[10] << 8 | resp[11];
    printf("tpm: random %u bytes: ", n);
    hex(resp + 12, n);
    printf("\n");
    unsigned char before[32], after[32];
    if (pcr16(before) != 0)
        return 1;
    printf("tpm: PCR16 ");
    hex(before, 32);
    printf("\n");
    /* PCR_Event(16, "hello") with the empty password session. */
    unsigned char event[] = {0x80, 0x02, 0, 0, 0, 0,   0,    0,   0x01, 0x3C, 0, 0,
                             0,    16,   0, 0, 0, 9,   0x40, 0,   0,    9,    0, 0,
                             0,    0,    0, 0, 5, 'h', 'e',  'l', 'l',  'o'};
    if (run(event, sizeof event, "PCR_Event") != 0)
        return 1;
    if (pcr16(after) != 0)
        return 1;
    printf("tpm: PCR16 after event \"hello\": ");
    hex(after, 32);
    printf("\n");
    int same = 1;
    for (int i = 0; i < 32; i++)
        same &= before[i] == after[i];
    bad += same;
    /* PCR_Reset(16): back to zeros. */
    unsigned char reset[] = {0x80, 0x02, 0, 0, 0,    0, 0, 0, 0x01, 0x3D, 0, 0, 0, 16,
                             0,    0,    0, 9, 0x40, 0, 0, 9, 0,    0,    0, 0, 0};
    if (run(reset, sizeof reset, "PCR_Reset") != 0 || pcr16(after) != 0)
        return 1;
    int zero = 1;
    for (int i = 0; i < 32; i++)
        zero &= after[i] == 0;
    bad += !zero;
    printf("tpm: PCR16 reset: %s\n", zero ? "zeros" : "NOT zeros");
    printf("tpm: %s\n", bad ? "BROKEN" : "ok");
    return bad;
}
