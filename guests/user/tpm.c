/*
 * guests/user/tpm.c — the TPM tool, through the kernel's TPM driver
 * (SYS_TPM). Its arguments (spawn "tpm:ARGS", words separated by commas)
 * are a list of commands run in order:
 *
 *   random,N           N random bytes (1..32), in hex
 *   pcrread,P          PCR P of the SHA-256 bank
 *   extend,P,DATA      PCR_Event: PCR P extended with SHA-256(DATA)
 *   reset,P            PCR_Reset (16 and 23 from locality 0)
 *   seal,NAME,DATA     TV_Seal: DATA sealed to this configuration; the blob
 *                      kept in the disk's store under NAME (fsynced)
 *   unseal,NAME        TV_Unseal of NAME's blob: the secret, or "refused"
 *   bench,N            N times GetRandom(8) (the physical TPM) and PCR_Read
 *                      (virtual under the monitor), for bench/bench_tpm.c
 *
 * e.g. bootargs = tpm:seal,alpha,hello,unseal,alpha. Exit 0 when every
 * command succeeded, 2 when the TPM refused one (a response code), 1 when
 * one could not be done (no disk, no such blob, a bad command).
 * Without arguments: the first form's demonstration (GetRandom, PCR 16
 * read, extended, reset), exit 0 when the PCR changed as it must.
 *
 * The store: 16 slots of 4 sectors from sector 1024 of the raw disk, each
 * "TVSEAL1\0", the name (24 bytes, NUL-padded), the blob's length
 * (big-endian 32 bits) and the blob. docs/kernel.md, "The tpm tool".
 */
#include "ulib.h"

#define STORE_FIRST  1024
#define STORE_SLOTS  16
#define SLOT_SECTORS 4
#define NAME_MAX     24
#define CC_TV_SEAL   0x20000001u
#define CC_TV_UNSEAL 0x20000002u

static unsigned char cmd[4096], resp[4096], slot_buf[SLOT_SECTORS * 512];
static const char magic[8] = "TVSEAL1";

static unsigned get32(const unsigned char *p)
{
    return (unsigned)p[0] << 24 | (unsigned)p[1] << 16 | (unsigned)p[2] << 8 | p[3];
}
static void put32(unsigned char *p, unsigned v)
{
    p[0] = (unsigned char)(v >> 24), p[1] = (unsigned char)(v >> 16);
    p[2] = (unsigned char)(v >> 8), p[3] = (unsigned char)v;
}

/* Send c (its size field filled in here); the response code, or -1. */
static long run(unsigned char *c, unsigned len, const char *what)
{
    put32(c + 2, len);
    int n = tpm(c, len, resp);
    if (n < 10) {
        printf("tpm: %s: no answer (%d)\n", what, n);
        return -1;
    }
    return get32(resp + 6);
}

/* run, printing a response code that is not a success. */
static long run_ok(unsigned char *c, unsigned len, const char *what)
{
    long rc = run(c, len, what);
    if (rc > 0)
        printf("tpm: %s: response code %x\n", what, (unsigned)rc);
    return rc;
}

static void hex(const unsigned char *p, unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        printf("%02x", p[i]);
}

/* A command header with sessions (tag 0x8002) or without. */
static unsigned header(unsigned cc, int sessions)
{
    cmd[0] = 0x80, cmd[1] = sessions ? 0x02 : 0x01;
    put32(cmd + 6, cc);
    return 10;
}

/* The empty password session, as an authorization area at n. */
static unsigned password(unsigned n)
{
    static const unsigned char pw[] = {0, 0, 0, 9, 0x40, 0, 0, 9, 0, 0, 0, 0, 0};
    memcpy(cmd + n, pw, sizeof pw);
    return n + sizeof pw;
}

/* PCR_Read of PCR p in the SHA-256 bank into pcr[32]: the response code. */
static long pcr_read(unsigned p, unsigned char pcr[32])
{
    unsigned n = header(0x17E, 0);
    static const unsigned char sel[] = {0, 0, 0, 1, 0, 0x0B, 3};
    memcpy(cmd + n, sel, sizeof sel);
    n += sizeof sel;
    for (unsigned k = 0; k < 3; k++)
        cmd[n + k] = (unsigned char)(p / 8 == k ? 1u << (p % 8) : 0);
    long rc = run_ok(cmd, n + 3, "PCR_Read");
    if (rc == 0)
        memcpy(pcr, resp + 10 + 4 + 10 + 4 + 2, 32);
    return rc;
}

static long pcr_event(unsigned p, const char *data)
{
    unsigned n = header(0x13C, 1), len = (unsigned)strlen(data);
    put32(cmd + n, p);
    n = password(n + 4);
    cmd[n] = (unsigned char)(len >> 8), cmd[n + 1] = (unsigned char)len;
    memcpy(cmd + n + 2, data, len);
    return run_ok(cmd, n + 2 + len, "PCR_Event");
}

static long pcr_reset(unsigned p)
{
    unsigned n = header(0x13D, 1);
    put32(cmd + n, p);
    return run_ok(cmd, password(n + 4), "PCR_Reset");
}

/* ---- the disk's store of sealed blobs ------------------------------------------ */

static int slot_io(int slot, int write_it)
{
    if (seek(FD_DISK, (STORE_FIRST + (unsigned)slot * SLOT_SECTORS) * 512u) < 0)
        return -1;
    int n = write_it ? write(FD_DISK, slot_buf, sizeof slot_buf)
                     : read(FD_DISK, slot_buf, sizeof slot_buf);
    if (n != (int)sizeof slot_buf || (write_it && fsync(FD_DISK) != 0))
        return -1;
    return 0;
}

/* The slot holding name (its contents in slot_buf), else -1; *free_slot the
 * first empty one (-1 none); -2 when there is no disk. */
static int store_find(const char *name, int *free_slot)
{
    *free_slot = -1;
    for (int s = 0; s < STORE_SLOTS; s++) {
        if (slot_io(s, 0) != 0)
            return -2;
        if (memcmp(slot_buf, magic, 8) != 0) {
            if (*free_slot < 0)
                *free_slot = s;
        } else if (strncmp((const char *)slot_buf + 8, name, NAME_MAX) == 0) {
            return s;
        }
    }
    return -1;
}

static int store_put(const char *name, const unsigned char *blob, unsigned n)
{
    int free_slot, s = store_find(name, &free_slot);
    if (s == -2 || (s < 0 && free_slot < 0) || n > sizeof slot_buf - 36)
        return -1;
    if (s < 0)
        s = free_slot;
    memset(slot_buf, 0, sizeof slot_buf);
    memcpy(slot_buf, magic, 8);
    memcpy(slot_buf + 8, name, strlen(name));
    put32(slot_buf + 32, n);
    memcpy(slot_buf + 36, blob, n);
    return slot_io(s, 1) == 0 ? s : -1;
}

/* ---- the commands ----------------------------------------------------------------- */

static long do_seal(const char *name, const char *data)
{
    unsigned len = (unsigned)strlen(data), n = header(CC_TV_SEAL, 0);
    cmd[n] = (unsigned char)(len >> 8), cmd[n + 1] = (unsigned char)len;
    memcpy(cmd + n + 2, data, len);
    long rc = run(cmd, n + 2 + len, "TV_Seal");
    if (rc != 0) {
        if (rc > 0)
            printf("tpm: seal %s: refused (response code %x)\n", name, (unsigned)rc);
        return rc;
    }
    unsigned blob = (unsigned)resp[10] << 8 | resp[11];
    int s = store_put(name, resp + 12, blob);
    if (s < 0) {
        printf("tpm: seal %s: cannot keep the blob (no disk, or the store is full)\n", name);
        return -1;
    }
    printf("tpm: sealed %s (%u-byte blob in store slot %d)\n", name, blob, s);
    return 0;
}

static long do_unseal(const char *name)
{
    int free_slot, s = store_find(name, &free_slot);
    if (s < 0) {
        printf("tpm: unseal %s: %s\n", name, s == -2 ? "no disk" : "no such blob in the store");
        return -1;
    }
    unsigned blob = get32(slot_buf + 32), n = header(CC_TV_UNSEAL, 0);
    if (blob > sizeof slot_buf - 36)
        blob = sizeof slot_buf - 36; /* a damaged slot: the TPM will say so */
    cmd[n] = (unsigned char)(blob >> 8), cmd[n + 1] = (unsigned char)blob;
    memcpy(cmd + n + 2, slot_buf + 36, blob);
    long rc = run(cmd, n + 2 + blob, "TV_Unseal");
    if (rc > 0)
        printf("tpm: unseal %s: refused (response code %x)\n", name, (unsigned)rc);
    if (rc != 0)
        return rc;
    unsigned len = (unsigned)resp[10] << 8 | resp[11];
    resp[12 + len] = 0;
    printf("tpm: unsealed %s: \"%s\"\n", name, (const char *)resp + 12);
    return 0;
}

static long do_random(unsigned want)
{
    unsigned n = header(0x17B, 0);
    cmd[n] = 0, cmd[n + 1] = (unsigned char)want;
    long rc = run_ok(cmd, n + 2, "GetRandom");
    if (rc == 0) {
        printf("tpm: random %u bytes: ", (unsigned)resp[10] << 8 | resp[11]);
        hex(resp + 12, (unsigned)resp[10] << 8 | resp[11]);
        printf("\n");
    }
    return rc;
}

/* A load: n GetRandom and n PCR_Read, each checked; the time it took. */
static long do_bench(unsigned n)
{
    unsigned char pcr[32];
    unsigned t0 = uptime_ms();
    for (unsigned i = 0; i < n; i++) {
        unsigned k = header(0x17B, 0);
        cmd[k] = 0, cmd[k + 1] = 8;
        long rc = run_ok(cmd, k + 2, "GetRandom");
        if (rc == 0)
            rc = pcr_read(9, pcr);
        if (rc != 0)
            return rc;
    }
    printf("tpm: bench: %u commands in %u ms\n", 2 * n, uptime_ms() - t0);
    return 0;
}

static unsigned number(const char *s)
{
    unsigned v = 0;
    while (*s >= '0' && *s <= '9')
        v = v * 10 + (unsigned)(*s++ - '0');
    return v;
}

/* Run the command at argv[0]: how many words it took (0: unknown or short),
 * its result in *rc. */
static int command(char **argv, int argc, long *rc)
{
    unsigned char pcr[32];
    const char *c = argv[0];
    if (strcmp(c, "random") == 0 && argc >= 2 && number(argv[1]) >= 1 && number(argv[1]) <= 32) {
        *rc = do_random(number(argv[1]));
        return 2;
    }
    if (strcmp(c, "pcrread") == 0 && argc >= 2 && number(argv[1]) < 24) {
        *rc = pcr_read(number(argv[1]), pcr);
        if (*rc == 0) {
            printf("tpm: PCR%u ", number(argv[1]));
            hex(pcr, 32);
            printf("\n");
        }
        return 2;
    }
    if (strcmp(c, "extend") == 0 && argc >= 3 && number(argv[1]) < 24) {
        if ((*rc = pcr_event(number(argv[1]), argv[2])) == 0)
            printf("tpm: PCR%u extended with \"%s\"\n", number(argv[1]), argv[2]);
        return 3;
    }
    if (strcmp(c, "reset") == 0 && argc >= 2 && number(argv[1]) < 24) {
        if ((*rc = pcr_reset(number(argv[1]))) == 0)
            printf("tpm: PCR%u reset\n", number(argv[1]));
        return 2;
    }
    if (strcmp(c, "seal") == 0 && argc >= 3 && strlen(argv[1]) < NAME_MAX && argv[2][0]) {
        *rc = do_seal(argv[1], argv[2]);
        return 3;
    }
    if (strcmp(c, "bench") == 0 && argc >= 2 && number(argv[1]) >= 1) {
        *rc = do_bench(number(argv[1]));
        return 2;
    }
    if (strcmp(c, "unseal") == 0 && argc >= 2 && strlen(argv[1]) < NAME_MAX) {
        *rc = do_unseal(argv[1]);
        return 2;
    }
    return 0;
}

static int commands(char *list)
{
    char *argv[ARGS_MAX];
    int argc = 0;
    for (char *p = list; *p; argc++) {
        argv[argc] = p;
        while (*p && *p != ',')
            p++;
        if (*p)
            *p++ = 0;
    }
    int status = 0;
    for (int i = 0; i < argc;) {
        long rc = 0;
        int used = command(argv + i, argc - i, &rc);
        if (!used) {
            printf("tpm: bad command \"%s\" (random N, pcrread P, extend P DATA, reset P, "
                   "seal NAME DATA, unseal NAME, bench N)\n",
                   argv[i]);
            return 1;
        }
        if (rc < 0)
            return 1;
        if (rc > 0)
            status = 2;
        i += used;
    }
    return status;
}

/* ---- the demonstration (no arguments) ------------------------------------------- */

static int demo(void)
{
    if (do_random(8) != 0)
        return 1;
    unsigned char before[32], after[32];
    if (pcr_read(16, before) != 0)
        return 1;
    printf("tpm: PCR16 ");
    hex(before, 32);
    printf("\n");
    if (pcr_event(16, "hello") != 0 || pcr_read(16, after) != 0)
        return 1;
    printf("tpm: PCR16 after event \"hello\": ");
    hex(after, 32);
    printf("\n");
    int bad = memcmp(before, after, 32) == 0;
    if (pcr_reset(16) != 0 || pcr_read(16, after) != 0)
        return 1;
    int zero = 1;
    for (int i = 0; i < 32; i++)
        zero &= after[i] == 0;
    bad += !zero;
    printf("tpm: PCR16 reset: %s\n", zero ? "zeros" : "NOT zeros");
    printf("tpm: %s\n", bad ? "BROKEN" : "ok");
    return bad;
}

int main(void)
{
    static char list[ARGS_MAX];
    if (args(list, sizeof list) <= 0)
        return demo();
    return commands(list);
}
