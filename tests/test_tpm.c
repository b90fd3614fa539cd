/*
 * tests/test_tpm.c — the TPM device (dev/tpm.c, dev/tpm_libtpms.c) at its
 * registers, as a driver sees it: the identification registers, localities,
 * the FIFO command cycle (commandReady, Expect while the header's size is
 * not reached, tpmGo, "in progress" for the command's latency in device
 * time, dataAvail and burstCount, responseRetry, aborts), byte-exact
 * responses of libtpms for Startup, GetRandom, PCR_Extend and PCR_Read
 * (the PCR value checked against OpenSSL's SHA-256), the data-available
 * interrupt, both byte orders; the state file (created, reused, atomic,
 * refused when corrupt, atomic under SIGKILL) and one TPM per process;
 * the seed; the boot ROM's measurement of the kernel into PCR 9 and the
 * teaching kernel's driver and tpm program, natively; the vendor seal and
 * unseal on the TPM itself; the multiplexer: two guests' own PCRs and one
 * queue, hostile commands, guests' own objects and sessions kept apart and
 * swapped, the monitor's launch in PCR 17 and the compound in PCR 21
 * against the documented formulas.
 */
#include "cunit_main.h"
#include "runcli.h"

#include <cjson/cJSON.h>

#include <openssl/evp.h>
#include <openssl/sha.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "dev/tpm.h"
#include "dev/tpm_vendor.h"
#include "machine/board.h"
#include "mmu/phys.h"
#include "dev/devclass.h"
#include "vmm/vmm_priv.h"
#include "vmm/vtpm.h"

#define BUS  0
#define SLOT 3

struct rig {
    phys_t *phys;
    iobus_t *io;
    uint64_t now, scheduled;
    bool line[7];
    tpm_t *tpm;
};

static uint64_t rig_now(void *o) { return ((struct rig *)o)->now; }
static void rig_schedule(void *o, uint64_t when)
{
    struct rig *r = o;
    if (when < r->scheduled)
        r->scheduled = when;
}
static void rig_line(void *o, unsigned line, bool level) { ((struct rig *)o)->line[line] = level; }

static char state[64];

static void rig_init(struct rig *r, bool big_endian)
{
    memset(r, 0, sizeof *r);
    r->scheduled = IODEV_NO_EVENT;
    r->phys = phys_new(1u << 20, big_endian);
    r->io = iobus_new(r->phys, 1, rig_line, r);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r->io);
    iobus_set_clock(r->io, &(struct iobus_clock){rig_now, rig_schedule, r});
    char err[512];
    tpm_backend_t *b = tpm_libtpms_open(state, 1, err, sizeof err);
    if (!b)
        printf("\n  %s\n", err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(b);
    struct tpm_port port = tpm_port_direct(b);
    r->tpm = tpm_new(r->io, BUS, SLOT, big_endian, &port, err, sizeof err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r->tpm);
}

static void rig_free(struct rig *r)
{
    iobus_free(r->io); /* the TPM and its backend with it */
    phys_free(r->phys);
}

static uint32_t addr(unsigned loc, uint32_t off)
{
    return iobus_slot_base(BUS, SLOT) + SLOT_DEV_BASE + loc * 0x1000u + off;
}

static uint32_t rd(struct rig *r, unsigned loc, uint32_t off, unsigned size)
{
    uint32_t v = 0xDEADBEEF;
    CU_ASSERT_EQUAL(phys_read(r->phys, addr(loc, off), size, &v), PHYS_OK);
    return v;
}

static void wr(struct rig *r, unsigned loc, uint32_t off, unsigned size, uint32_t v)
{
    CU_ASSERT_EQUAL(phys_write(r->phys, addr(loc, off), size, v), PHYS_OK);
}

static void advance(struct rig *r, uint64_t t)
{
    r->now = t;
    iobus_tick(r->io, t);
}

/* STS of locality 0 (a 4-byte read: little-endian bytes in the board's order). */
static uint32_t sts(struct rig *r)
{
    uint32_t v = rd(r, 0, TPM_STS, 4);
    return phys_big_endian(r->phys) ? __builtin_bswap32(v) : v;
}

/* The whole FIFO cycle at locality 0; the response into resp, its length. */
static uint32_t command(struct rig *r, const uint8_t *cmd, uint32_t len, uint8_t *resp)
{
    wr(r, 0, TPM_STS, 1, TPM_STS_READY);
    CU_ASSERT(sts(r) & TPM_STS_READY);
    CU_ASSERT_EQUAL((sts(r) >> 8) & 0xFFFF, TPM_BURST);
    for (uint32_t i = 0; i < len; i++) {
        wr(r, 0, TPM_DATA_FIFO, 1, cmd[i]);
        bool expect = (sts(r) & TPM_STS_EXPECT) != 0;
        CU_ASSERT_EQUAL(expect, i + 1 < len); /* Expect until the header's size is in */
    }
    wr(r, 0, TPM_STS, 1, TPM_STS_GO);
    /* In progress: no data until the command's latency has passed. */
    CU_ASSERT_EQUAL(sts(r) & (TPM_STS_DATA_AVAIL | TPM_STS_READY), 0);
    CU_ASSERT(sts(r) & TPM_STS_VALID);
    uint32_t cc = (uint32_t)cmd[6] << 24 | cmd[7] << 16 | cmd[8] << 8 | cmd[9];
    CU_ASSERT_EQUAL(r->scheduled, r->now + tpm_latency(cc));
    advance(r, r->now + tpm_latency(cc) - 1);
    CU_ASSERT_EQUAL(sts(r) & TPM_STS_DATA_AVAIL, 0);
    advance(r, r->now + 1);
    r->scheduled = IODEV_NO_EVENT;
    uint32_t n = 0;
    while ((sts(r) & TPM_STS_DATA_AVAIL) && n < TPM_BUFFER_MAX) {
        uint32_t burst = (sts(r) >> 8) & 0xFFFF;
        CU_ASSERT(burst >= 1 && burst <= TPM_BURST);
        resp[n++] = (uint8_t)rd(r, 0, TPM_DATA_FIFO, 1);
    }
    return n;
}

static uint32_t get32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static const uint8_t startup_clear[] = {0x80, 0x01, 0, 0, 0, 12, 0, 0, 0x01, 0x44, 0x00, 0x00};
static const uint8_t success[] = {0x80, 0x01, 0, 0, 0, 10, 0, 0, 0, 0};

static void fresh_state(void)
{
    snprintf(state, sizeof state, "/tmp/tv-tpm-%d", (int)getpid());
    unlink(state);
}

static void test_identity_and_localities(void)
{
    fresh_state();
    struct rig r;
    rig_init(&r, true);
    CU_ASSERT_EQUAL(rd(&r, 0, TPM_DID_VID, 1), TPM_VID & 0xFF); /* byte 0: the vendor's low byte */
    CU_ASSERT_EQUAL(rd(&r, 0, TPM_DID_VID + 2, 1), TPM_DID & 0xFF);
    CU_ASSERT_EQUAL(rd(&r, 0, TPM_RID, 1), TPM_RID_VALUE);
    uint8_t caps = (uint8_t)rd(&r, 0, TPM_INTF_CAPABILITY, 1);
    CU_ASSERT_EQUAL(caps & 0x87, 0x87);                                 /* all four interrupts */
    CU_ASSERT_EQUAL(rd(&r, 0, TPM_INTF_CAPABILITY + 3, 1) >> 4 & 7, 3); /* version 1.3 for 2.0 */
    /* No locality yet: ACCESS valid, not active; STS of a non-active locality reads 1s. */
    CU_ASSERT_EQUAL(rd(&r, 0, TPM_ACCESS, 1), TPM_ACCESS_VALID | TPM_ACCESS_ESTABLISHM);
    CU_ASSERT_EQUAL(rd(&r, 0, TPM_STS, 1), 0xFF);
    wr(&r, 0, TPM_ACCESS, 1, TPM_ACCESS_REQUEST);
    CU_ASSERT(rd(&r, 0, TPM_ACCESS, 1) & TPM_ACCESS_ACTIVE);
    CU_ASSERT_EQUAL(rd(&r, 0, TPM_STS, 1) & TPM_STS_VALID, TPM_STS_VALID);
    CU_ASSERT_EQUAL(rd(&r, 0, TPM_STS + 3, 1) >> 2 & 3, 1); /* family 2.0 */
    /* Locality 2 asks: pending until 0 relinquishes; then it is 2's. */
    wr(&r, 2, TPM_ACCESS, 1, TPM_ACCESS_REQUEST);
    CU_ASSERT_FALSE(rd(&r, 2, TPM_ACCESS, 1) & TPM_ACCESS_ACTIVE);
    CU_ASSERT(rd(&r, 0, TPM_ACCESS, 1) & TPM_ACCESS_PENDING);
    wr(&r, 0, TPM_ACCESS, 1, TPM_ACCESS_ACTIVE);
    CU_ASSERT(rd(&r, 2, TPM_ACCESS, 1) & TPM_ACCESS_ACTIVE);
    CU_ASSERT_FALSE(rd(&r, 0, TPM_ACCESS, 1) & TPM_ACCESS_ACTIVE);
    CU_ASSERT_EQUAL(rd(&r, 0, TPM_STS, 1), 0xFF);
    wr(&r, 2, TPM_ACCESS, 1, TPM_ACCESS_ACTIVE);
    CU_ASSERT_FALSE(rd(&r, 2, TPM_ACCESS, 1) & TPM_ACCESS_ACTIVE);
    rig_free(&r);
}

static void test_startup_random_pcrs(void)
{
    fresh_state();
    struct rig r;
    rig_init(&r, true);
    wr(&r, 0, TPM_ACCESS, 1, TPM_ACCESS_REQUEST);
    uint8_t resp[TPM_BUFFER_MAX];
    CU_ASSERT_EQUAL(command(&r, startup_clear, sizeof startup_clear, resp), sizeof success);
    CU_ASSERT_EQUAL(memcmp(resp, success, sizeof success), 0);
    /* GetRandom(16): 8001, size 28, rc 0, then 16 bytes. */
    static const uint8_t getrandom[] = {0x80, 0x01, 0, 0, 0, 12, 0, 0, 0x01, 0x7B, 0x00, 0x10};
    CU_ASSERT_EQUAL(command(&r, getrandom, sizeof getrandom, resp), 28);
    CU_ASSERT_EQUAL(get32(resp + 2), 28);
    CU_ASSERT_EQUAL(get32(resp + 6), 0);
    CU_ASSERT_EQUAL(resp[10] << 8 | resp[11], 16);
    /* PCR_Extend(16, sha256: d) with a password session, then PCR_Read(sha256, {16}). */
    uint8_t d[32];
    for (int i = 0; i < 32; i++)
        d[i] = (uint8_t)(i * 7 + 1);
    uint8_t ext[] = {0x80,
                     0x02,
                     0,
                     0,
                     0,
                     0,
                     0,
                     0,
                     0x01,
                     0x82,
                     0,
                     0,
                     0,
                     16, /* PCR 16 */
                     0,
                     0,
                     0,
                     9, /* auth area: 9 bytes */
                     0x40,
                     0,
                     0,
                     9, /* TPM_RS_PW */
                     0,
                     0,
                     0,
                     0,
                     0, /* nonce 0, attributes 0, hmac 0 */
                     0,
                     0,
                     0,
                     1,
                     0,
                     0x0B, /* 1 digest, sha256 */
                     [33 + 32 - 1] = 0};
    memcpy(ext + 33, d, 32);
    ext[5] = sizeof ext;
    CU_ASSERT_EQUAL(command(&r, ext, sizeof ext, resp), 19);
    CU_ASSERT_EQUAL(get32(resp + 6), 0);
    static const uint8_t read[] = {0x80, 0x01, 0, 0, 0, 20,   0, 0, 0x01, 0x7E,
                                   0,    0,    0, 1, 0, 0x0B, 3, 0, 0,    1};
    uint32_t n = command(&r, read, sizeof read, resp);
    CU_ASSERT_EQUAL(n, 10 + 4 + 10 + 4 + 2 + 32);
    CU_ASSERT_EQUAL(get32(resp + 6), 0);
    CU_ASSERT_EQUAL(resp[n - 34] << 8 | resp[n - 33], 32);
    uint8_t both[64] = {0}, want[32];
    memcpy(both + 32, d, 32);
    SHA256(both, sizeof both, want); /* PCR' = H(PCR || d), PCR 16 starting at zeros */
    CU_ASSERT_EQUAL(memcmp(resp + n - 32, want, 32), 0);
    /* responseRetry: the same response again. */
    wr(&r, 0, TPM_STS, 1, TPM_STS_RETRY);
    CU_ASSERT(sts(&r) & TPM_STS_DATA_AVAIL);
    CU_ASSERT_EQUAL(rd(&r, 0, TPM_DATA_FIFO, 1), 0x80);
    rig_free(&r);
}

static void test_aborts_and_bad_commands(void)
{
    fresh_state();
    struct rig r;
    rig_init(&r, true);
    wr(&r, 0, TPM_ACCESS, 1, TPM_ACCESS_REQUEST);
    uint8_t resp[TPM_BUFFER_MAX];
    /* commandReady half way through a command: back to Ready, nothing sent. */
    wr(&r, 0, TPM_STS, 1, TPM_STS_READY);
    for (int i = 0; i < 5; i++)
        wr(&r, 0, TPM_DATA_FIFO, 1, startup_clear[i]);
    CU_ASSERT(sts(&r) & TPM_STS_EXPECT);
    wr(&r, 0, TPM_STS, 1, TPM_STS_GO); /* ignored: the command is not complete */
    CU_ASSERT(sts(&r) & TPM_STS_EXPECT);
    wr(&r, 0, TPM_STS, 1, TPM_STS_READY);
    CU_ASSERT(sts(&r) & TPM_STS_READY);
    CU_ASSERT_EQUAL(command(&r, startup_clear, sizeof startup_clear, resp), sizeof success);
    /* A malformed command (a bad tag) gets the TPM's own error. */
    static const uint8_t bad[] = {0x12, 0x34, 0, 0, 0, 10, 0, 0, 0x01, 0x7B};
    CU_ASSERT_EQUAL(command(&r, bad, sizeof bad, resp), 10);
    CU_ASSERT_NOT_EQUAL(get32(resp + 6), 0);
    /* Bytes past the header's size are dropped (Expect clear). */
    wr(&r, 0, TPM_STS, 1, TPM_STS_READY);
    for (unsigned i = 0; i < sizeof startup_clear; i++)
        wr(&r, 0, TPM_DATA_FIFO, 1, startup_clear[i]);
    wr(&r, 0, TPM_DATA_FIFO, 1, 0xEE);
    CU_ASSERT_FALSE(sts(&r) & TPM_STS_EXPECT);
    /* The data-available interrupt, when enabled. */
    wr(&r, 0, TPM_INT_ENABLE, 4,
       phys_big_endian(r.phys) ? __builtin_bswap32(TPM_INT_GLOBAL | TPM_INT_DATA_AVAIL)
                               : TPM_INT_GLOBAL | TPM_INT_DATA_AVAIL);
    wr(&r, 0, TPM_INT_STATUS, 1, 0xFF);
    wr(&r, 0, TPM_STS, 1, TPM_STS_GO);
    unsigned line = iobus_bus_line(r.io, BUS);
    CU_ASSERT_FALSE(r.line[line]);
    advance(&r, r.now + TPM_LATENCY_START);
    CU_ASSERT(rd(&r, 0, TPM_INT_STATUS, 1) & TPM_INT_DATA_AVAIL);
    rig_free(&r);
}

static void test_little_endian(void)
{
    /* A 4-byte FIFO read gives four bytes in address order, combined in the
     * board's byte order. */
    fresh_state();
    struct rig r;
    rig_init(&r, false);
    wr(&r, 0, TPM_ACCESS, 1, TPM_ACCESS_REQUEST);
    wr(&r, 0, TPM_STS, 1, TPM_STS_READY);
    for (unsigned i = 0; i < sizeof startup_clear; i += 4)
        wr(&r, 0, TPM_DATA_FIFO, 4,
           (uint32_t)startup_clear[i] | (uint32_t)startup_clear[i + 1] << 8 |
               (uint32_t)startup_clear[i + 2] << 16 | (uint32_t)startup_clear[i + 3] << 24);
    wr(&r, 0, TPM_STS, 1, TPM_STS_GO);
    advance(&r, TPM_LATENCY_START);
    CU_ASSERT(sts(&r) & TPM_STS_DATA_AVAIL);
    CU_ASSERT_EQUAL(rd(&r, 0, TPM_DATA_FIFO, 4), 0x00000180u); /* 80 01 00 00 */
    CU_ASSERT_EQUAL(rd(&r, 0, TPM_DATA_FIFO, 4), 0x00000A00u); /* 00 0A 00 00 */
    CU_ASSERT_EQUAL(rd(&r, 0, TPM_DATA_FIFO, 2), 0);
    CU_ASSERT_FALSE(sts(&r) & TPM_STS_DATA_AVAIL);
    rig_free(&r);
}

static void test_state_file(void)
{
    /* Created at the first start (a manufactured TPM), reused after; a
     * corrupt one refused with a message; one TPM per process. */
    fresh_state();
    char err[512];
    tpm_backend_t *b = tpm_libtpms_open(state, 1, err, sizeof err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(b);
    CU_ASSERT_EQUAL(access(state, R_OK), 0);
    CU_ASSERT_PTR_NULL(tpm_libtpms_open(state, 1, err, sizeof err));
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "one TPM per run"));
    uint8_t resp[TPM_BUFFER_MAX];
    CU_ASSERT_EQUAL(
        tpm_backend_execute(b, 0, startup_clear, sizeof startup_clear, resp, err, sizeof err),
        sizeof success);
    tpm_backend_close(b);
    FILE *f = fopen(state, "rb");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fclose(f);
    CU_ASSERT(size > 100);
    char tmp[80];
    snprintf(tmp, sizeof tmp, "%s.tmp", state);
    CU_ASSERT_NOT_EQUAL(access(tmp, F_OK), 0); /* no temporary left behind */
    b = tpm_libtpms_open(state, 1, err, sizeof err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(b);
    tpm_backend_close(b);
    f = fopen(state, "wb");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    fputs("not a TPM state at all", f);
    fclose(f);
    CU_ASSERT_PTR_NULL(tpm_libtpms_open(state, 1, err, sizeof err));
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "libtpms: cannot start the TPM"));
    unlink(state);
}

static void test_kill_during_writes(void)
{
    /* A process rewriting the state as fast as it can (TPM2_Clear: new
     * seeds each time) killed with SIGKILL at five moments: the state file
     * it leaves always loads. */
    fresh_state();
    static const uint8_t clear[] = {0x80, 0x02, 0, 0, 0,    27, 0, 0, 0x01, 0x26, 0x40, 0, 0, 0x0A,
                                    0,    0,    0, 9, 0x40, 0,  0, 9, 0,    0,    0,    0, 0};
    for (int round = 0; round < 5; round++) {
        pid_t pid = fork();
        CU_ASSERT_FATAL(pid >= 0);
        if (pid == 0) {
            char err[512];
            uint8_t resp[TPM_BUFFER_MAX];
            tpm_backend_t *b = tpm_libtpms_open(state, 1, err, sizeof err);
            if (!b)
                _exit(2);
            tpm_backend_execute(b, 0, startup_clear, sizeof startup_clear, resp, err, sizeof err);
            for (;;)
                if (tpm_backend_execute(b, 0, clear, sizeof clear, resp, err, sizeof err) < 10 ||
                    get32(resp + 6) != 0)
                    _exit(3);
        }
        usleep(30000 + (useconds_t)round * 17000);
        int status = 0;
        CU_ASSERT_EQUAL(kill(pid, SIGKILL), 0);
        CU_ASSERT_EQUAL(waitpid(pid, &status, 0), pid);
        CU_ASSERT(WIFSIGNALED(status)); /* it was still rewriting, not failed */
        char err[512];
        tpm_backend_t *b = tpm_libtpms_open(state, 1, err, sizeof err);
        if (!b)
            printf("\n  round %d: %s\n", round, err);
        CU_ASSERT_PTR_NOT_NULL_FATAL(b);
        uint8_t resp[TPM_BUFFER_MAX];
        CU_ASSERT_EQUAL(
            tpm_backend_execute(b, 0, startup_clear, sizeof startup_clear, resp, err, sizeof err),
            sizeof success);
        CU_ASSERT_EQUAL(get32(resp + 6), 0);
        tpm_backend_close(b);
    }
    unlink(state);
}

static uint32_t random8(uint64_t seed, uint8_t out[8])
{
    fresh_state();
    char err[512];
    tpm_backend_t *b = tpm_libtpms_open(state, seed, err, sizeof err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(b);
    uint8_t resp[TPM_BUFFER_MAX];
    static const uint8_t getrandom[] = {0x80, 0x01, 0, 0, 0, 12, 0, 0, 0x01, 0x7B, 0x00, 0x08};
    tpm_backend_execute(b, 0, startup_clear, sizeof startup_clear, resp, err, sizeof err);
    uint32_t n = tpm_backend_execute(b, 0, getrandom, sizeof getrandom, resp, err, sizeof err);
    memcpy(out, resp + 12, 8);
    tpm_backend_close(b);
    unlink(state);
    return n;
}

static void test_seeded(void)
{
    /* The same seed, the same TPM (its manufactured seeds, its random
     * numbers); another seed, another. */
    uint8_t a[8], b[8], c[8];
    CU_ASSERT_EQUAL(random8(1, a), 20);
    CU_ASSERT_EQUAL(random8(1, b), 20);
    CU_ASSERT_EQUAL(random8(2, c), 20);
    CU_ASSERT_EQUAL(memcmp(a, b, 8), 0);
    CU_ASSERT_NOT_EQUAL(memcmp(a, c, 8), 0);
}

/* A vendor command with one TPM2B parameter; the response into resp. */
static uint32_t vendor(tpm_backend_t *b, uint32_t cc, const uint8_t binding[32], const uint8_t *p,
                       uint16_t n, uint8_t *resp)
{
    uint8_t cmd[TPM_BUFFER_MAX];
    uint32_t len = 12u + n;
    uint8_t h[12] = {0x80, 1, 0, 0, len >> 8, len, cc >> 24, cc >> 16, cc >> 8, cc, n >> 8, n};
    memcpy(cmd, h, 12);
    if (n)
        memcpy(cmd + 12, p, n);
    uint64_t lat = 0;
    char err[512];
    uint32_t r = tpm_vendor_execute(b, binding, cmd, len, resp, &lat, err, sizeof err);
    CU_ASSERT(r >= 10);
    /* Malformed: refused at once; else at least PCR 20's reset and extend. */
    CU_ASSERT(r >= 10 && get32(resp + 6) == 0x095 ? lat == 0 : lat >= 2 * TPM_LATENCY_FAST);
    CU_ASSERT_EQUAL(r >= 10 ? get32(resp + 2) : 0, r);
    return r;
}

static void launch(tpm_backend_t *b, const char *monitor)
{
    char err[512];
    const void *parts[] = {monitor};
    size_t sizes[] = {strlen(monitor)};
    CU_ASSERT_EQUAL(tpm_backend_launch(b, parts, sizes, 1, err, sizeof err), 0);
}

static tpm_backend_t *started(void)
{
    char err[512];
    uint8_t resp[TPM_BUFFER_MAX];
    tpm_backend_t *b = tpm_libtpms_open(state, 7, err, sizeof err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(b);
    tpm_backend_execute(b, 0, startup_clear, sizeof startup_clear, resp, err, sizeof err);
    CU_ASSERT_EQUAL(get32(resp + 6), 0);
    return b;
}

/* Unseal blob for binding: the response code; the secret into secret. */
static uint32_t unseal_rc(tpm_backend_t *b, const uint8_t binding[32], const uint8_t *blob,
                          uint16_t n, char *secret)
{
    uint8_t resp[TPM_BUFFER_MAX];
    uint32_t r = vendor(b, TPM_CC_TV_UNSEAL, binding, blob, n, resp);
    uint32_t rc = r >= 10 ? get32(resp + 6) : 0xFFFFFFFF;
    if (rc == 0 && r >= 12) {
        unsigned len = (unsigned)resp[10] << 8 | resp[11];
        memcpy(secret, resp + 12, len);
        secret[len] = 0;
    }
    return rc;
}

static void test_vendor_seal(void)
{
    /* The sealing scheme on the TPM itself: a secret sealed to a binding
     * and the launch unseals for that binding and launch only; PCR 20 is
     * left reset and locality 0 cannot touch it; sealed data survives a
     * restart (the state file); garbage blobs are refused. */
    fresh_state();
    tpm_backend_t *b = started();
    launch(b, "monitor A");
    uint8_t pcr[16][32] = {{0}}, mine[32], other[32], changed[32];
    tpm_binding("g0", pcr, mine);
    tpm_binding("g1", pcr, other);
    pcr[9][0] = 1;
    tpm_binding("g0", pcr, changed);
    uint8_t resp[TPM_BUFFER_MAX], blob[TPM_BLOB_MAX];
    static const char secret[] = "the cake is a lie";
    uint32_t r = vendor(b, TPM_CC_TV_SEAL, mine, (const uint8_t *)secret, sizeof secret - 1, resp);
    CU_ASSERT_EQUAL_FATAL(get32(resp + 6), 0);
    uint16_t n = (uint16_t)(resp[10] << 8 | resp[11]);
    CU_ASSERT(n > 100 && n <= TPM_BLOB_MAX && 12u + n == r);
    memcpy(blob, resp + 12, n);
    char got[TPM_SEAL_MAX + 1] = "";
    CU_ASSERT_EQUAL(unseal_rc(b, mine, blob, n, got), 0);
    CU_ASSERT_STRING_EQUAL(got, secret);
    CU_ASSERT_EQUAL(unseal_rc(b, other, blob, n, got), 0x99D); /* TPM_RC_POLICY_FAIL, session 1 */
    CU_ASSERT_EQUAL(unseal_rc(b, changed, blob, n, got), 0x99D);
    launch(b, "monitor B");
    CU_ASSERT_EQUAL(unseal_rc(b, mine, blob, n, got), 0x99D);
    launch(b, "monitor A");
    got[0] = 0;
    CU_ASSERT_EQUAL(unseal_rc(b, mine, blob, n, got), 0);
    CU_ASSERT_STRING_EQUAL(got, secret);
    /* PCR 20 holds nobody's binding afterwards; locality 0 cannot reset it. */
    uint8_t p20[1][32], zero[32] = {0};
    char err[512];
    uint64_t lat = 0;
    CU_ASSERT_EQUAL(tpm_pcr_read(b, TPM_PCR_SEAL, 1, p20, &lat, err, sizeof err), 0);
    CU_ASSERT_EQUAL(memcmp(p20[0], zero, 32), 0);
    static const uint8_t reset20[] = {0x80, 2, 0, 0, 0,    27, 0, 0, 0x01, 0x3D, 0, 0, 0, 20,
                                      0,    0, 0, 9, 0x40, 0,  0, 9, 0,    0,    0, 0, 0};
    CU_ASSERT_EQUAL(tpm_backend_execute(b, 0, reset20, sizeof reset20, resp, err, sizeof err), 10);
    CU_ASSERT_EQUAL(get32(resp + 6), 0x907); /* TPM_RC_LOCALITY */
    /* Garbage: a blob cut short, a flipped byte, a lying size, an empty secret. */
    CU_ASSERT_NOT_EQUAL(unseal_rc(b, mine, blob, (uint16_t)(n - 1), got), 0);
    uint8_t bad[TPM_BLOB_MAX];
    memcpy(bad, blob, n);
    bad[20] ^= 0x40;
    CU_ASSERT_NOT_EQUAL(unseal_rc(b, mine, bad, n, got), 0);
    vendor(b, TPM_CC_TV_SEAL, mine, NULL, 0, resp);
    CU_ASSERT_EQUAL(get32(resp + 6), 0x095); /* TPM_RC_SIZE */
    uint64_t lat2 = 0;
    uint8_t lying[14] = {0x80, 1, 0, 0, 0, 14, 0x20, 0, 0, 2, 0, 9};
    CU_ASSERT_EQUAL(tpm_vendor_execute(b, mine, lying, sizeof lying, resp, &lat2, err, sizeof err),
                    10);
    CU_ASSERT_EQUAL(get32(resp + 6), 0x095);
    tpm_backend_close(b);
    /* A restart: the same TPM (its state file), the same launch. */
    b = started();
    launch(b, "monitor A");
    got[0] = 0;
    CU_ASSERT_EQUAL(unseal_rc(b, mine, blob, n, got), 0);
    CU_ASSERT_STRING_EQUAL(got, secret);
    tpm_backend_close(b);
    unlink(state);
}

static void test_teaching_kernel_tool(void)
{
    /* The teaching kernel's driver and its `tpm` program on the native
     * board: random bytes, PCR 16 extended by an event ("hello": the value
     * is SHA-256(zeros || SHA-256("hello"))), reset. */
    fresh_state();
    char args[256];
    snprintf(args, sizeof args,
             "run --console-in none --set bus1.slot3.type=tpm --set bus1.slot3.state=%s "
             "--set board.bootargs=tpm",
             state);
    static struct cli_result r;
    cli_run(&r, args);
    CU_ASSERT_EQUAL(r.rc, 0);
    HAS(r.out, "tpm: TPM 2.0 started");
    /* Measured boot: the boot ROM put the kernel's ELF file, as staged, into
     * PCR 9: SHA-256(zeros || SHA-256(file)). */
    HAS(r.out, "bootrom: kernel image measured into TPM PCR 9");
    FILE *f = fopen(GUEST_DIR "/kernel-eb.elf", "rb");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    static uint8_t elf[1 << 20];
    size_t n = fread(elf, 1, sizeof elf, f);
    fclose(f);
    CU_ASSERT(n > 1000 && n < sizeof elf);
    uint8_t pcr_in[64] = {0}, pcr9[32];
    SHA256(elf, n, pcr_in + 32);
    SHA256(pcr_in, sizeof pcr_in, pcr9);
    char measured[160] = "tpm: PCR9 (the kernel, as the boot ROM measured it) ";
    for (int i = 0; i < 32; i++)
        snprintf(measured + strlen(measured), sizeof measured - strlen(measured), "%02x", pcr9[i]);
    HAS(r.out, measured);
    HAS(r.out, "tpm: PCR16 0000000000000000000000000000000000000000000000000000000000000000");
    uint8_t zero_and_h[64] = {0}, want[32];
    SHA256((const uint8_t *)"hello", 5, zero_and_h + 32);
    SHA256(zero_and_h, sizeof zero_and_h, want);
    char line[160] = "tpm: PCR16 after event \"hello\": ";
    for (int i = 0; i < 32; i++)
        snprintf(line + strlen(line), sizeof line - strlen(line), "%02x", want[i]);
    HAS(r.out, line);
    HAS(r.out, "tpm: PCR16 reset: zeros");
    HAS(r.out, "tpm: ok");
    /* --trace tpm and --stats: each command, the counts. */
    char stats[96], args2[512];
    snprintf(stats, sizeof stats, "%s.json", state);
    unlink(state);
    snprintf(args2, sizeof args2, "%s --trace tpm --stats %s", args, stats);
    static struct cli_result r3;
    cli_run(&r3, args2);
    CU_ASSERT_EQUAL(r3.rc, 0);
    HAS(r3.err, "tpm Startup (0x144) locality 0: 12 bytes -> rc 0, 10 bytes, ready at cycle");
    HAS(r3.err, "tpm EventSequenceComplete (0x185) locality 0");
    HAS(r3.err, "tpm PCR_Event (0x13c) locality 0");
    struct cJSON *js = json_load(stats);
    CU_ASSERT_PTR_NOT_NULL_FATAL(js);
    CU_ASSERT_EQUAL(json_num(js, "io.tpm.by_command.Startup"), 2); /* boot ROM, kernel */
    CU_ASSERT_EQUAL(json_num(js, "io.tpm.by_command.PCR_Read"), 4);
    CU_ASSERT_EQUAL(json_num(js, "io.tpm.by_command.EventSequenceComplete"), 1);
    CU_ASSERT(json_num(js, "io.tpm.polls_in_progress") > 0);
    CU_ASSERT_EQUAL(json_num(js, "io.tpm.failures"), 0);
    cJSON_Delete(js);
    unlink(stats);
    /* The same seed and state: the same random bytes, bit for bit. */
    const char *rnd = strstr(r.out, "tpm: random 8 bytes: ");
    CU_ASSERT_PTR_NOT_NULL_FATAL(rnd);
    char first[64];
    snprintf(first, sizeof first, "%.37s", rnd);
    unlink(state);
    static struct cli_result r2;
    cli_run(&r2, args);
    HAS(r2.out, first);
    unlink(state);
}

static void test_multiplexed(void)
{
    /* Two guests sharing the board's TPM through the monitor's multiplexer:
     * each boot ROM measures its kernel into its own virtual PCR 9, each
     * tpm program extends its own PCR 16 (one extend each: were they the
     * same PCR, the second guest would read two), random bytes come from the
     * physical TPM, commands wait in one queue. */
    fresh_state();
    char ini[96];
    snprintf(ini, sizeof ini, "%s.ini", state);
    FILE *f = fopen(ini, "w");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    fprintf(f,
            "[board]\nram = 64M\nbuses = 1\nbootargs = tpm\n"
            "[bus0.slot0]\ntype = uart\ninput = none\noutput = stdout\n"
            "[bus0.slot1]\ntype = timer\n[bus0.slot2]\ntype = power\n"
            "[bus0.slot3]\ntype = tpm\nstate = %s\n"
            "[guest0]\nname = a\nram = 16M\nbuses = none\nshared = uart, timer, power, tpm\n"
            "[guest1]\nname = b\nram = 16M\nbuses = none\nshared = uart, timer, power, tpm\n",
            state);
    fclose(f);
    char stats[96], args[512];
    snprintf(stats, sizeof stats, "%s.json", state);
    snprintf(args, sizeof args, "run --vmm --config %s --stats %s --trace tpm", ini, stats);
    static struct cli_result r;
    cli_run(&r, args);
    CU_ASSERT_EQUAL(r.rc, 0);
    f = fopen(GUEST_DIR "/kernel-eb.elf", "rb");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    static uint8_t elf[1 << 20];
    size_t n = fread(elf, 1, sizeof elf, f);
    fclose(f);
    uint8_t in[64] = {0}, pcr9[32], ev[64] = {0}, pcr16[32];
    SHA256(elf, n, in + 32);
    SHA256(in, sizeof in, pcr9);
    SHA256((const uint8_t *)"hello", 5, ev + 32);
    SHA256(ev, sizeof ev, pcr16);
    static const char *const guests[] = {"a", "b"};
    for (int i = 0; i < 2; i++) {
        char want[200];
        int k = snprintf(want, sizeof want,
                         "[%s] tpm: PCR9 (the kernel, as the boot ROM measured it) ", guests[i]);
        for (int j = 0; j < 32; j++)
            k += snprintf(want + k, sizeof want - (size_t)k, "%02x", pcr9[j]);
        HAS(r.out, want);
        k = snprintf(want, sizeof want, "[%s] tpm: PCR16 after event \"hello\": ", guests[i]);
        for (int j = 0; j < 32; j++)
            k += snprintf(want + k, sizeof want - (size_t)k, "%02x", pcr16[j]);
        HAS(r.out, want);
        snprintf(want, sizeof want, "[%s] tpm: ok", guests[i]);
        HAS(r.out, want);
        snprintf(want, sizeof want, "[%s] bootrom: kernel image measured into TPM PCR 9",
                 guests[i]);
        HAS(r.out, want);
    }
    struct cJSON *js = json_load(stats);
    CU_ASSERT_PTR_NOT_NULL_FATAL(js);
    double waited = 0;
    for (int i = 0; i < 2; i++) {
        const struct cJSON *g =
            cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(js, "guests"), i);
        CU_ASSERT(json_num(g, "tpm.commands") > 180);  /* the measurement's pieces and the tool */
        CU_ASSERT_EQUAL(json_num(g, "tpm.passed"), 1); /* GetRandom */
        CU_ASSERT_EQUAL(json_num(g, "tpm.refused"), 0);
        CU_ASSERT_EQUAL(json_num(g, "tpm.virtualized") + 1, json_num(g, "tpm.commands"));
        waited += json_num(g, "tpm.queue_cycles");
    }
    CU_ASSERT(waited > 0); /* the two shared the one TPM: somebody waited */
    /* --trace tpm: each guest's commands, what was done with them. */
    HAS(r.err, "tpm a GetRandom (0x17b): issued ");
    HAS(r.err, "; physical, rc 0");
    HAS(r.err, "tpm b PCR_Event (0x13c): issued ");
    HAS(r.err, "; virtual, rc 0");
    HAS(r.err, "tpm a Startup (0x144): issued ");
    cJSON_Delete(js);
    unlink(stats);
    /* The multiplexer's view (the window's TPM panel): each guest started,
     * its PCR 9 the measurement, PCR 16 reset by the program, nothing
     * queued any more. */
    unlink(state);
    struct vmm_config c = {0};
    char err[512];
    CU_ASSERT_FATAL(vmm_config_default(&c));
    CU_ASSERT_EQUAL_FATAL(vmm_config_load(&c, ini, err, sizeof err), 0);
    CU_ASSERT_EQUAL(vmm_config_set(&c, "bus0.slot0.output=/dev/null", err, sizeof err), 0);
    vmm_t *v = vmm_new(&c, err, sizeof err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(v);
    struct vmm_tpm_view tv;
    CU_ASSERT(vmm_guest_tpm(v, 0, &tv));
    CU_ASSERT_FALSE(tv.started);
    CU_ASSERT_EQUAL(vmm_run(v, 100000000), VMM_ALL_OFF);
    for (unsigned i = 0; i < 2; i++) {
        CU_ASSERT_FATAL(vmm_guest_tpm(v, i, &tv));
        CU_ASSERT(tv.started);
        CU_ASSERT_EQUAL(tv.state, VMM_TPM_IDLE);
        CU_ASSERT_EQUAL(memcmp(tv.pcr[9], pcr9, 32), 0);
        uint8_t zero[32] = {0};
        CU_ASSERT_EQUAL(memcmp(tv.pcr[16], zero, 32), 0);
        CU_ASSERT_EQUAL(tv.pcr[17][0], 0xFF);
    }
    vmm_free(v);
    vmm_config_free(&c);
    unlink(ini);
    unlink(state);
}

/* A monitor of `guests` guests (a, b) sharing the board's TPM, with the
 * [vmm] lines given, and each guest's port as its device got it. */
struct mux {
    char ini[96];
    struct vmm_config cfg;
    vmm_t *v;
    struct tpm_port port[2];
};

static void mux_open(struct mux *m, unsigned guests, const char *vmm_lines)
{
    char err[512];
    fresh_state();
    snprintf(m->ini, sizeof m->ini, "%s.ini", state);
    FILE *f = fopen(m->ini, "w");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    fprintf(f,
            "[board]\nram = 32M\nbuses = 1\n[bus0.slot0]\ntype = uart\ninput = none\n"
            "output = /dev/null\n[bus0.slot1]\ntype = timer\n[bus0.slot2]\ntype = power\n"
            "[bus0.slot3]\ntype = tpm\nstate = %s\n%s",
            state, vmm_lines);
    for (unsigned g = 0; g < guests; g++)
        fprintf(f, "[guest%u]\nname = %c\nram = 8M\nbuses = none\n", g, 'a' + g);
    fclose(f);
    memset(&m->cfg, 0, sizeof m->cfg);
    CU_ASSERT_FATAL(vmm_config_default(&m->cfg));
    CU_ASSERT_EQUAL_FATAL(vmm_config_load(&m->cfg, m->ini, err, sizeof err), 0);
    m->v = vmm_new(&m->cfg, err, sizeof err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(m->v);
    for (unsigned g = 0; g < guests; g++) {
        struct dev_host h = {0};
        vtpm_module.guest_dev_host(vmm_module_state(m->v, &vtpm_module), m->v->guests[g], &h);
        CU_ASSERT_EQUAL_FATAL(h.tpm_port(h.tpm_opaque, 0, 3, &m->port[g], err, sizeof err), 0);
    }
}

static void mux_close(struct mux *m)
{
    vmm_free(m->v);
    vmm_config_free(&m->cfg);
    unlink(m->ini);
    unlink(state);
}

static void test_hostile_commands(void)
{
    /* A guest's TPM commands are the guest's bytes: every mutation of the
     * commands the multiplexer parses itself (truncated, sizes lying,
     * handles and counts wrong) gets a well-formed TPM response — never a
     * crash, never more bytes than the buffer. (ASan checks the rest.) */
    struct mux m;
    mux_open(&m, 1, "");
    struct tpm_port port = m.port[0];
    char err[512];
    static const uint8_t seeds[][48] = {
        {0x80, 0x01, 0, 0, 0, 12, 0, 0, 0x01, 0x44, 0, 0},
        {0x80, 0x01, 0, 0, 0, 20, 0, 0, 0x01, 0x7E, 0, 0, 0, 1, 0, 0x0B, 3, 0xFF, 0xFF, 0xFF},
        {0x80, 0x02, 0, 0, 0, 33, 0, 0, 0x01, 0x82, 0, 0, 0, 16, 0, 0,   0,
         9,    0x40, 0, 0, 9, 0,  0, 0, 0,    0,    0, 0, 0, 1,  0, 0x0B},
        {0x80, 0x02, 0, 0, 0, 34, 0, 0, 0x01, 0x3C, 0, 0, 0,   16,  0,   0,   0,
         9,    0x40, 0, 0, 9, 0,  0, 0, 0,    0,    0, 5, 'h', 'e', 'l', 'l', 'o'},
        {0x80, 0x01, 0, 0, 0, 14, 0, 0, 0x01, 0x86, 0, 0, 0x00, 0x10},
        {0x80, 0x02, 0, 0,    0, 29, 0, 0, 0x01, 0x5C, 0x80, 0xFF, 0xFF, 0, 0,
         0,    0,    9, 0x40, 0, 0,  9, 0, 0,    0,    0,    0,    0,    0},
        {0x80, 0x02, 0, 0, 0, 42, 0, 0, 0x01, 0x85, 0,    0, 0, 9, 0x80, 0xFF, 0xFF, 0, 0, 0, 0,
         18,   0x40, 0, 0, 9, 0,  0, 0, 0,    0,    0x40, 0, 0, 9, 0,    0,    0,    0, 0, 0, 0},
    };
    uint64_t rnd = 12345;
    uint8_t cmd[64], resp[TPM_BUFFER_MAX];
    unsigned bad = 0;
    for (int i = 0; i < 20000; i++) {
        const uint8_t *s0 = seeds[i % 7];
        uint32_t len = (uint32_t)(s0[5] ? s0[5] : 12);
        memcpy(cmd, s0, sizeof cmd < sizeof seeds[0] ? sizeof cmd : sizeof seeds[0]);
        rnd = rnd * 6364136223846793005ull + 1442695040888963407ull;
        unsigned flips = 1 + (unsigned)(rnd >> 60);
        for (unsigned k = 0; k < flips; k++) {
            rnd = rnd * 6364136223846793005ull + 1442695040888963407ull;
            cmd[(rnd >> 33) % 48] ^= (uint8_t)(rnd >> 20);
        }
        if (i % 3 == 0) /* a truncated command, its size field believed or not */
            len = 10 + (uint32_t)(rnd >> 40) % (len - 9);
        uint64_t done = 0;
        uint32_t n = port.run(port.opaque, 0, cmd, len, resp, 0, &done, err, sizeof err);
        bad += n < 10 || n > TPM_BUFFER_MAX ||
               ((uint32_t)resp[2] << 24 | resp[3] << 16 | resp[4] << 8 | resp[5]) != n;
    }
    CU_ASSERT_EQUAL(bad, 0);
    mux_close(&m);
}

/* ---- guests' own objects through the multiplexer ---------------------------- */

struct tcmd {
    uint8_t b[TPM_BUFFER_MAX];
    uint32_t n;
};
static void t8(struct tcmd *c, uint8_t v) { c->b[c->n++] = v; }
static void t16(struct tcmd *c, uint16_t v) { t8(c, (uint8_t)(v >> 8)), t8(c, (uint8_t)v); }
static void t32(struct tcmd *c, uint32_t v) { t16(c, (uint16_t)(v >> 16)), t16(c, (uint16_t)v); }
static void tbytes(struct tcmd *c, const void *d, uint32_t n)
{
    memcpy(c->b + c->n, d, n);
    c->n += n;
}
static void tbegin(struct tcmd *c, bool sessions, uint32_t cc)
{
    c->n = 0;
    t16(c, sessions ? 0x8002 : 0x8001), t32(c, 0), t32(c, cc);
}
static void tauth(struct tcmd *c, uint32_t session)
{
    t32(c, 9), t32(c, session), t16(c, 0), t8(c, 1), t16(c, 0);
}

/* Run c through a guest's port: the response code; the response in resp. */
static uint32_t trun(struct tpm_port *p, struct tcmd *c, uint8_t *resp, uint32_t *rlen)
{
    c->b[2] = (uint8_t)(c->n >> 24), c->b[3] = (uint8_t)(c->n >> 16);
    c->b[4] = (uint8_t)(c->n >> 8), c->b[5] = (uint8_t)c->n;
    char err[256];
    uint64_t done;
    uint32_t n = p->run(p->opaque, 0, c->b, c->n, resp, 0, &done, err, sizeof err);
    CU_ASSERT(n >= 10 && get32(resp + 2) == n);
    if (rlen)
        *rlen = n;
    return n >= 10 ? get32(resp + 6) : 0xFFFFFFFF;
}

/* CreatePrimary (owner, ECC P-256 storage key): the handle; its public
 * key's x coordinate into x[32]. */
static uint32_t primary(struct tpm_port *p, uint8_t x[32])
{
    struct tcmd c;
    uint8_t resp[TPM_BUFFER_MAX];
    tbegin(&c, true, 0x131);
    t32(&c, 0x40000001), tauth(&c, 0x40000009);
    t16(&c, 4), t16(&c, 0), t16(&c, 0);
    t16(&c, 26), t16(&c, 0x0023), t16(&c, 0x000B), t32(&c, 0x00030472), t16(&c, 0);
    t16(&c, 0x0006), t16(&c, 128), t16(&c, 0x0043), t16(&c, 0x0010), t16(&c, 0x0003);
    t16(&c, 0x0010), t16(&c, 0), t16(&c, 0), t16(&c, 0), t32(&c, 0);
    CU_ASSERT_EQUAL_FATAL(trun(p, &c, resp, NULL), 0);
    /* handle, parameterSize, outPublic: size, type, nameAlg, attrs, policy, ECC parms (12) */
    uint32_t at = 10 + 4 + 4 + 2 + 2 + 2 + 4 + 2 + 12;
    CU_ASSERT_EQUAL(resp[at] << 8 | resp[at + 1], 32);
    memcpy(x, resp + at + 2, 32);
    return get32(resp + 10);
}

/* Create a sealed object (userWithAuth, empty auth) under parent: its blob. */
static uint32_t seal_object(struct tpm_port *p, uint32_t parent, const char *data, uint8_t *blob)
{
    struct tcmd c;
    uint8_t resp[TPM_BUFFER_MAX];
    uint32_t n = (uint32_t)strlen(data), rlen;
    tbegin(&c, true, 0x153);
    t32(&c, parent), tauth(&c, 0x40000009);
    t16(&c, (uint16_t)(4 + n)), t16(&c, 0), t16(&c, (uint16_t)n), tbytes(&c, data, n);
    t16(&c, 14), t16(&c, 0x0008), t16(&c, 0x000B), t32(&c, 0x00000452), t16(&c, 0);
    t16(&c, 0x0010), t16(&c, 0), t16(&c, 0), t32(&c, 0);
    CU_ASSERT_EQUAL_FATAL(trun(p, &c, resp, &rlen), 0);
    uint32_t priv = 2u + (resp[14] << 8 | resp[15]);
    uint32_t pub = 2u + (resp[14 + priv] << 8 | resp[15 + priv]);
    memcpy(blob, resp + 14, priv + pub);
    return priv + pub;
}

static uint32_t load(struct tpm_port *p, uint32_t parent, const uint8_t *blob, uint32_t n,
                     uint32_t *handle)
{
    struct tcmd c;
    uint8_t resp[TPM_BUFFER_MAX];
    tbegin(&c, true, 0x157);
    t32(&c, parent), tauth(&c, 0x40000009), tbytes(&c, blob, n);
    uint32_t rc = trun(p, &c, resp, NULL);
    *handle = rc == 0 ? get32(resp + 10) : 0;
    return rc;
}

static uint32_t unseal_object(struct tpm_port *p, uint32_t h, char *out)
{
    struct tcmd c;
    uint8_t resp[TPM_BUFFER_MAX];
    tbegin(&c, true, 0x15E);
    t32(&c, h), tauth(&c, 0x40000009);
    uint32_t rc = trun(p, &c, resp, NULL);
    if (rc == 0) {
        unsigned n = resp[14] << 8 | resp[15];
        memcpy(out, resp + 16, n);
        out[n] = 0;
    }
    return rc;
}

static uint32_t one_handle(struct tpm_port *p, uint32_t cc, uint32_t h, bool as_parameter)
{
    struct tcmd c;
    uint8_t resp[TPM_BUFFER_MAX];
    tbegin(&c, false, cc);
    t32(&c, h);
    (void)as_parameter; /* FlushContext's handle is a parameter; the bytes are the same */
    return trun(p, &c, resp, NULL);
}

static void test_guest_objects(void)
{
    /* Guests create, load, use and flush their own objects and sessions in
     * the one physical TPM: each names only its own (another's handle is
     * TPM_RC_HANDLE), each has its own primary keys (one guest's blob does
     * not load under another's primary), more objects than libtpms keeps
     * loaded are swapped in and out, sealing still has room, a reset
     * guest's objects are gone. */
    struct mux m;
    mux_open(&m, 2, "");
    struct tpm_port pa = m.port[0], pb = m.port[1];
    struct tcmd c;
    uint8_t resp[TPM_BUFFER_MAX];
    tbegin(&c, false, 0x144), t16(&c, 0);
    CU_ASSERT_EQUAL(trun(&pa, &c, resp, NULL), 0);
    CU_ASSERT_EQUAL(trun(&pb, &c, resp, NULL), 0);

    uint8_t xa[32], xb[32], blob[TPM_BUFFER_MAX];
    char got[256] = "";
    uint32_t ka = primary(&pa, xa), kb = primary(&pb, xb), oa, ob;
    CU_ASSERT_EQUAL(ka, 0x80000100u); /* virtual handles, each guest's own */
    CU_ASSERT_EQUAL(kb, 0x80000100u);
    CU_ASSERT_NOT_EQUAL(memcmp(xa, xb, 32), 0); /* the same template, each guest its own key */
    uint32_t n = seal_object(&pa, ka, "a's secret", blob);
    CU_ASSERT_EQUAL(load(&pa, ka, blob, n, &oa), 0);
    CU_ASSERT_EQUAL(oa, 0x80000101u);
    CU_ASSERT_EQUAL(unseal_object(&pa, oa, got), 0);
    CU_ASSERT_STRING_EQUAL(got, "a's secret");
    /* b: a's blob does not load under b's primary; a's handle is not b's. */
    CU_ASSERT_NOT_EQUAL(load(&pb, kb, blob, n, &ob), 0);
    CU_ASSERT_EQUAL(unseal_object(&pb, oa, got), 0x18B);      /* TPM_RC_HANDLE, handle 1 */
    CU_ASSERT_EQUAL(one_handle(&pb, 0x165, oa, true), 0x1CB); /* FlushContext: parameter 1 */
    CU_ASSERT_EQUAL(one_handle(&pb, 0x173, 0x80FFFFFFu, false), 0x18B); /* ReadPublic */
    CU_ASSERT_EQUAL(one_handle(&pb, 0x173, 0x81000001u, false), 0x18B); /* persistent: not ours */
    /* Pressure: b makes three more primaries (six objects in all, three loaded at most). */
    uint8_t x[32];
    for (int i = 0; i < 3; i++)
        CU_ASSERT_EQUAL(primary(&pb, x), 0x80000101u + (uint32_t)i);
    got[0] = 0;
    CU_ASSERT_EQUAL(unseal_object(&pa, oa, got), 0); /* swapped back in */
    CU_ASSERT_STRING_EQUAL(got, "a's secret");
    for (uint32_t hb = 0x80000100u; hb <= 0x80000103u; hb++)
        CU_ASSERT_EQUAL(one_handle(&pb, 0x173, hb, false), 0);
    CU_ASSERT_EQUAL(one_handle(&pa, 0x173, ka, false), 0);
    /* A policy session of a's: usable by a only; b's session handles are its own. */
    tbegin(&c, false, 0x176);
    t32(&c, 0x40000007), t32(&c, 0x40000007), t16(&c, 16);
    for (int i = 0; i < 16; i++)
        t8(&c, 0);
    t16(&c, 0), t8(&c, 1), t16(&c, 0x0010), t16(&c, 0x000B);
    CU_ASSERT_EQUAL_FATAL(trun(&pa, &c, resp, NULL), 0);
    uint32_t sa = get32(resp + 10);
    CU_ASSERT_EQUAL(sa >> 24, 0x03);
    CU_ASSERT_EQUAL(one_handle(&pa, 0x189, sa, false), 0); /* PolicyGetDigest */
    CU_ASSERT_EQUAL(one_handle(&pb, 0x189, sa, false), 0x18B);
    /* Sealing (the vendor commands) still finds room. */
    tbegin(&c, false, TPM_CC_TV_SEAL), t16(&c, 2), t8(&c, 'h'), t8(&c, 'i');
    CU_ASSERT_EQUAL(trun(&pa, &c, resp, NULL), 0);
    CU_ASSERT_EQUAL(one_handle(&pa, 0x189, sa, false), 0); /* the session survived it */
    /* Flushed: gone for a; b's unaffected. */
    CU_ASSERT_EQUAL(one_handle(&pa, 0x165, oa, true), 0);
    CU_ASSERT_EQUAL(unseal_object(&pa, oa, got), 0x18B);
    CU_ASSERT_EQUAL(one_handle(&pb, 0x173, 0x80000101u, false), 0);
    /* A reset guest (its next Startup) has no objects left. */
    pa.reset(pa.opaque);
    tbegin(&c, false, 0x144), t16(&c, 0);
    CU_ASSERT_EQUAL(trun(&pa, &c, resp, NULL), 0);
    CU_ASSERT_EQUAL(one_handle(&pa, 0x173, ka, false), 0x18B);
    CU_ASSERT_EQUAL(one_handle(&pb, 0x173, kb, false), 0);
    mux_close(&m);
}

static void test_launch_and_compound(void)
{
    /* The monitor's launch: PCR 17 = SHA-256(0^32 || SHA-256(its executable
     * || its [vmm] text)) — this test program is the monitor's process —
     * before any guest ran; PCR 21 = SHA-256(0^32 || compound), compound =
     * SHA-256("trapvisor compound v1" NUL || binding(a) || binding(b)),
     * following a guest's extend of PCR 10; the view shows the same. */
    struct mux m;
    mux_open(&m, 2, "[vmm]\nquantum = 70000\n");
    vmm_t *v = m.v;
    char err[512];
    tpm_backend_t *b = tpm_backend_of(board_tpm(vmm_board(v)));
    CU_ASSERT_PTR_NOT_NULL_FATAL(b);
    /* PCR 17, recomputed. */
    FILE *exe = fopen("/proc/self/exe", "rb");
    CU_ASSERT_PTR_NOT_NULL_FATAL(exe);
    EVP_MD_CTX *h = EVP_MD_CTX_new();
    CU_ASSERT_FATAL(h && EVP_DigestInit_ex(h, EVP_sha256(), NULL) == 1);
    static uint8_t buf[1 << 16];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, exe)) > 0)
        EVP_DigestUpdate(h, buf, n);
    fclose(exe);
    char conf[256];
    snprintf(conf, sizeof conf,
             "quantum=70000 policy=%s fix=0 real_epc=0 traps=0 relocation=0 seed=%llu "
             "reloc_period=%llu",
             m.cfg.policy, (unsigned long long)m.cfg.seed, (unsigned long long)m.cfg.reloc_period);
    EVP_DigestUpdate(h, conf, strlen(conf));
    uint8_t in[64] = {0}, want17[32], pcr[1][32];
    unsigned hn = 32;
    EVP_DigestFinal_ex(h, in + 32, &hn);
    EVP_MD_CTX_free(h);
    SHA256(in, sizeof in, want17);
    uint64_t lat = 0;
    CU_ASSERT_EQUAL(tpm_pcr_read(b, 17, 1, pcr, &lat, err, sizeof err), 0);
    CU_ASSERT_EQUAL(memcmp(pcr[0], want17, 32), 0);
    /* Both started, a extends PCR 10. */
    struct tpm_port pa = m.port[0], pb = m.port[1];
    struct tcmd c;
    uint8_t resp[TPM_BUFFER_MAX];
    tbegin(&c, false, 0x144), t16(&c, 0);
    CU_ASSERT_EQUAL(trun(&pa, &c, resp, NULL), 0);
    CU_ASSERT_EQUAL(trun(&pb, &c, resp, NULL), 0);
    uint8_t d[32];
    memset(d, 0x5A, sizeof d);
    tbegin(&c, true, 0x182), t32(&c, 10), tauth(&c, 0x40000009), t32(&c, 1), t16(&c, 0x000B);
    tbytes(&c, d, 32);
    CU_ASSERT_EQUAL(trun(&pa, &c, resp, NULL), 0);
    /* The bindings and the compound, recomputed from the documented formulas. */
    struct vmm_tpm_view va, vb;
    CU_ASSERT_FATAL(vmm_guest_tpm(v, 0, &va) && vmm_guest_tpm(v, 1, &vb));
    uint8_t pcrs_a[16][32] = {{0}}, pcrs_b[16][32] = {{0}}, ba[32], bb[32];
    uint8_t ext[64] = {0};
    memcpy(ext + 32, d, 32);
    SHA256(ext, sizeof ext, pcrs_a[10]);
    tpm_binding("a", pcrs_a, ba);
    tpm_binding("b", pcrs_b, bb);
    CU_ASSERT_EQUAL(memcmp(va.binding, ba, 32), 0);
    CU_ASSERT_EQUAL(memcmp(vb.binding, bb, 32), 0);
    uint8_t cin[22 + 64], compound[32], want21[32], in21[64] = {0};
    memcpy(cin, "trapvisor compound v1", 22);
    memcpy(cin + 22, ba, 32);
    memcpy(cin + 54, bb, 32);
    SHA256(cin, sizeof cin, compound);
    CU_ASSERT_EQUAL(memcmp(va.compound, compound, 32), 0);
    memcpy(in21 + 32, compound, 32);
    SHA256(in21, sizeof in21, want21);
    CU_ASSERT_EQUAL(tpm_pcr_read(b, 21, 1, pcr, &lat, err, sizeof err), 0);
    CU_ASSERT_EQUAL(memcmp(pcr[0], want21, 32), 0);
    mux_close(&m);
}

static const struct test_case tests[] = {
    {"identification registers, localities", test_identity_and_localities},
    {"Startup, GetRandom, PCR_Extend/PCR_Read byte-exact", test_startup_random_pcrs},
    {"aborts, bad commands, extra bytes, the interrupt", test_aborts_and_bad_commands},
    {"little-endian board", test_little_endian},
    {"state file: created, reused, corrupt refused; one TPM", test_state_file},
    {"killed while writing its state: the state still loads", test_kill_during_writes},
    {"seeded: the same seed, the same TPM", test_seeded},
    {"vendor seal/unseal: bound to the binding and the launch", test_vendor_seal},
    {"the teaching kernel's driver and tpm tool, natively", test_teaching_kernel_tool},
    {"two guests through the multiplexer: own PCRs, one queue", test_multiplexed},
    {"hostile commands to the multiplexer: always a response", test_hostile_commands},
    {"guests' own objects and sessions: apart, swapped, reset", test_guest_objects},
    {"the monitor's launch in PCR 17, the compound in PCR 21", test_launch_and_compound},
};

CUNIT_MAIN("tpm", tests)
