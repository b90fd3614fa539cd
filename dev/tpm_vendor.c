/*
 * dev/tpm_vendor.c — seal and unseal through the physical TPM
 * (tpm_vendor.h). Each vendor command is a short fixed sequence of TPM 2.0
 * commands run on the backend at once (nothing can come between them: the
 * emulator runs one thing at a time, so the sequence holds the TPM locked):
 *
 *   seal:   PCR 20 := binding; trial session, PolicyPCR {17, 20},
 *           PolicyGetDigest; CreatePrimary (owner, ECC P-256 storage key);
 *           Create (a sealed keyedhash object: fixedTPM, fixedParent, noDA,
 *           no userWithAuth, authPolicy = that digest, the secret as its
 *           data); blob = its TPM2B_PRIVATE || TPM2B_PUBLIC.
 *   unseal: PCR 20 := binding; CreatePrimary; Load (the blob); policy
 *           session, PolicyPCR {17, 20}; Unseal.
 *
 * Both flush what they created and reset PCR 20 whatever happened. The
 * primary is created each time (the same key: derived from the owner seed
 * and the template), so nothing stays loaded between commands.
 */
#include "dev/tpm_vendor.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>

#include "dev/tpm.h"

#define RS_PW       0x40000009u /* the password session */
#define RH_OWNER    0x40000001u
#define RH_NULL     0x40000007u
#define RC_SUCCESS  0x000u
#define RC_SIZE     0x095u /* TPM_RC_SIZE, parameter 1 */
#define RC_VALUE    0x084u /* TPM_RC_VALUE, parameter 1 */
#define SE_POLICY   0x01u
#define SE_TRIAL    0x03u
#define MAX_HANDLES 4

struct msg {
    uint8_t b[TPM_BUFFER_MAX];
    uint32_t n;
};

/* One vendor command's run: the backend, what it created, the last answer. */
struct run {
    tpm_backend_t *b;
    uint64_t *latency;
    char *err;
    size_t errlen;
    uint32_t handles[MAX_HANDLES]; /* to flush at the end */
    unsigned nhandles;
    uint8_t resp[TPM_BUFFER_MAX];
    uint32_t rlen;
};

static uint32_t get32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}
static uint16_t get16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }

static void p8(struct msg *m, uint8_t v)
{
    if (m->n < sizeof m->b)
        m->b[m->n] = v;
    m->n++;
}
static void p16(struct msg *m, uint16_t v) { p8(m, (uint8_t)(v >> 8)), p8(m, (uint8_t)v); }
static void p32(struct msg *m, uint32_t v) { p16(m, (uint16_t)(v >> 16)), p16(m, (uint16_t)v); }
static void pbytes(struct msg *m, const uint8_t *d, size_t n)
{
    for (size_t i = 0; i < n; i++)
        p8(m, d[i]);
}
static void p2b(struct msg *m, const uint8_t *d, uint16_t n) { p16(m, n), pbytes(m, d, n); }

static void begin(struct msg *m, bool sessions, uint32_t cc)
{
    m->n = 0;
    p16(m, sessions ? 0x8002 : 0x8001);
    p32(m, 0);
    p32(m, cc);
}

/* An authorization area of one session with no nonce and no HMAC. */
static void auth(struct msg *m, uint32_t session, uint8_t attrs)
{
    p32(m, 9);
    p32(m, session);
    p16(m, 0);
    p8(m, attrs);
    p16(m, 0);
}

/* The SHA-256 bank's PCRs 17 and 20: the policy's selection. */
static void pcr_selection(struct msg *m)
{
    p32(m, 1);
    p16(m, 0x000B);
    p8(m, 3);
    p8(m, 0);
    p8(m, 0);
    p8(m, 1u << (TPM_PCR_LAUNCH - 16) | 1u << (TPM_PCR_SEAL - 16));
}

/* Send m at locality: its response code, or -1 when the backend failed. */
static long exec_at(struct run *r, struct msg *m, unsigned locality)
{
    if (m->n > sizeof m->b)
        return RC_SIZE;
    m->b[2] = (uint8_t)(m->n >> 24), m->b[3] = (uint8_t)(m->n >> 16);
    m->b[4] = (uint8_t)(m->n >> 8), m->b[5] = (uint8_t)m->n;
    *r->latency += tpm_latency(get32(m->b + 6));
    r->rlen = tpm_backend_execute(r->b, locality, m->b, m->n, r->resp, r->err, r->errlen);
    if (r->rlen < 10)
        return -1;
    return (long)get32(r->resp + 6);
}
static long exec0(struct run *r, struct msg *m) { return exec_at(r, m, 0); }

/* A command that answers a handle (CreatePrimary, Load, StartAuthSession):
 * kept to be flushed. */
static long exec_handle(struct run *r, struct msg *m, uint32_t *handle)
{
    long rc = exec0(r, m);
    if (rc != 0)
        return rc;
    if (r->rlen < 14 || r->nhandles == MAX_HANDLES)
        return RC_SIZE;
    *handle = get32(r->resp + 10);
    r->handles[r->nhandles++] = *handle;
    return 0;
}

static void flush_all(struct run *r)
{
    for (unsigned i = r->nhandles; i-- > 0;) {
        struct msg m;
        begin(&m, false, 0x165); /* FlushContext */
        p32(&m, r->handles[i]);
        exec0(r, &m); /* a session Unseal ended is gone already: its error is fine */
    }
    r->nhandles = 0;
}

/* ---- physical PCRs ---------------------------------------------------------------- */

static long pcr_reset2(struct run *r, unsigned pcr)
{
    struct msg m;
    begin(&m, true, 0x13D); /* PCR_Reset */
    p32(&m, pcr);
    auth(&m, RS_PW, 0);
    return exec_at(r, &m, 2);
}

static long pcr_load(struct run *r, unsigned pcr, const uint8_t d[32])
{
    long rc = pcr_reset2(r, pcr);
    if (rc != 0)
        return rc;
    struct msg m;
    begin(&m, true, 0x182); /* PCR_Extend */
    p32(&m, pcr);
    auth(&m, RS_PW, 0);
    p32(&m, 1);
    p16(&m, 0x000B);
    pbytes(&m, d, 32);
    return exec_at(r, &m, 2);
}

long tpm_pcr_load(tpm_backend_t *b, unsigned pcr, const uint8_t d[32], uint64_t *latency, char *err,
                  size_t errlen)
{
    struct run r = {.b = b, .latency = latency, .err = err, .errlen = errlen};
    return pcr_load(&r, pcr, d);
}

long tpm_pcr_read(tpm_backend_t *b, unsigned first, unsigned n, uint8_t out[][32],
                  uint64_t *latency, char *err, size_t errlen)
{
    struct run r = {.b = b, .latency = latency, .err = err, .errlen = errlen};
    uint32_t bits = 0;
    for (unsigned i = 0; i < n && i < 8; i++)
        bits |= 1u << (first + i);
    struct msg m;
    begin(&m, false, 0x17E); /* PCR_Read */
    p32(&m, 1);
    p16(&m, 0x000B);
    p8(&m, 3);
    p8(&m, (uint8_t)bits), p8(&m, (uint8_t)(bits >> 8)), p8(&m, (uint8_t)(bits >> 16));
    long rc = exec0(&r, &m);
    if (rc != 0)
        return rc;
    /* pcrUpdateCounter, the selection (one bank of 3 bytes), the digests. */
    uint32_t at = 10 + 4 + 4 + 6;
    if (r.rlen < at + 4 || get32(r.resp + at) != n)
        return RC_SIZE;
    at += 4;
    for (unsigned i = 0; i < n; i++, at += 34) {
        if (at + 34 > r.rlen || get16(r.resp + at) != 32)
            return RC_SIZE;
        memcpy(out[i], r.resp + at + 2, 32);
    }
    return 0;
}

/* ---- the policy and the objects ------------------------------------------------- */

static long start_session(struct run *r, uint8_t type, uint32_t *handle)
{
    static const uint8_t nonce[16];
    struct msg m;
    begin(&m, false, 0x176); /* StartAuthSession */
    p32(&m, RH_NULL);        /* tpmKey */
    p32(&m, RH_NULL);        /* bind */
    p2b(&m, nonce, sizeof nonce);
    p16(&m, 0);      /* encryptedSalt */
    p8(&m, type);    /* sessionType */
    p16(&m, 0x0010); /* symmetric: TPM_ALG_NULL */
    p16(&m, 0x000B); /* authHash: SHA-256 */
    return exec_handle(r, &m, handle);
}

static long policy_pcr(struct run *r, uint32_t session)
{
    struct msg m;
    begin(&m, false, 0x17F); /* PolicyPCR */
    p32(&m, session);
    p16(&m, 0); /* pcrDigest: the TPM takes the current values */
    pcr_selection(&m);
    return exec0(r, &m);
}

/* The policy digest of PolicyPCR {17, 20} at their current values. */
static long policy_digest(struct run *r, uint8_t digest[32])
{
    uint32_t s;
    long rc = start_session(r, SE_TRIAL, &s);
    if (rc == 0)
        rc = policy_pcr(r, s);
    if (rc != 0)
        return rc;
    struct msg m;
    begin(&m, false, 0x189); /* PolicyGetDigest */
    p32(&m, s);
    rc = exec0(r, &m);
    if (rc != 0)
        return rc;
    if (r->rlen < 12 + 32 || get16(r->resp + 10) != 32)
        return RC_SIZE;
    memcpy(digest, r->resp + 12, 32);
    return 0;
}

/* The owner hierarchy's storage primary: an ECC P-256 restricted decryption
 * key (AES-128-CFB), the same key every time. */
static long create_primary(struct run *r, uint32_t *handle)
{
    struct msg m;
    begin(&m, true, 0x131); /* CreatePrimary */
    p32(&m, RH_OWNER);
    auth(&m, RS_PW, 0);
    p16(&m, 4), p16(&m, 0), p16(&m, 0); /* inSensitive: no auth, no data */
    p16(&m, 26);                        /* inPublic */
    p16(&m, 0x0023);                    /* TPM_ALG_ECC */
    p16(&m, 0x000B);                    /* nameAlg */
    p32(&m, 0x00030472); /* fixedTPM fixedParent sensitiveDataOrigin userWithAuth noDA restricted
                            decrypt */
    p16(&m, 0);          /* authPolicy */
    p16(&m, 0x0006), p16(&m, 128), p16(&m, 0x0043); /* AES-128-CFB */
    p16(&m, 0x0010);                                /* scheme: NULL */
    p16(&m, 0x0003);                                /* NIST P-256 */
    p16(&m, 0x0010);                                /* kdf: NULL */
    p16(&m, 0), p16(&m, 0);                         /* unique: x, y */
    p16(&m, 0);                                     /* outsideInfo */
    p32(&m, 0);                                     /* creationPCR */
    return exec_handle(r, &m, handle);
}

static long create_sealed(struct run *r, uint32_t parent, const uint8_t policy[32],
                          const uint8_t *data, uint16_t n, uint8_t *blob, uint16_t *blob_len)
{
    struct msg m;
    begin(&m, true, 0x153); /* Create */
    p32(&m, parent);
    auth(&m, RS_PW, 0);
    p16(&m, (uint16_t)(4 + n)), p16(&m, 0), p2b(&m, data, n); /* inSensitive */
    p16(&m, 2 + 2 + 4 + 34 + 2 + 2);                          /* inPublic */
    p16(&m, 0x0008);                                          /* TPM_ALG_KEYEDHASH */
    p16(&m, 0x000B);
    p32(&m, 0x00000412); /* fixedTPM fixedParent noDA: the policy only */
    p2b(&m, policy, 32);
    p16(&m, 0x0010); /* scheme: NULL (a sealed data object) */
    p16(&m, 0);      /* unique */
    p16(&m, 0);      /* outsideInfo */
    p32(&m, 0);      /* creationPCR */
    long rc = exec0(r, &m);
    if (rc != 0)
        return rc;
    uint32_t at = 14; /* past parameterSize */
    if (at + 2 > r->rlen)
        return RC_SIZE;
    uint32_t priv = 2u + get16(r->resp + at);
    if (at + priv + 2 > r->rlen)
        return RC_SIZE;
    uint32_t pub = 2u + get16(r->resp + at + priv);
    if (at + priv + pub > r->rlen || priv + pub > TPM_BLOB_MAX)
        return RC_SIZE;
    memcpy(blob, r->resp + at, priv + pub);
    *blob_len = (uint16_t)(priv + pub);
    return 0;
}

/* ---- the vendor commands -------------------------------------------------------- */

void tpm_binding(const char *who, const uint8_t pcr[16][32], uint8_t out[32])
{
    static const char tag[] = "trapvisor binding v1";
    EVP_MD_CTX *c = EVP_MD_CTX_new();
    unsigned n = 32;
    if (!c || EVP_DigestInit_ex(c, EVP_sha256(), NULL) != 1 ||
        EVP_DigestUpdate(c, tag, sizeof tag) != 1 ||
        EVP_DigestUpdate(c, who, strlen(who) + 1) != 1 || EVP_DigestUpdate(c, pcr, 16 * 32) != 1 ||
        EVP_DigestFinal_ex(c, out, &n) != 1)
        memset(out, 0, 32); /* OpenSSL out of memory: an impossible binding */
    EVP_MD_CTX_free(c);
}

bool tpm_vendor_command(uint32_t cc) { return cc == TPM_CC_TV_SEAL || cc == TPM_CC_TV_UNSEAL; }

static uint32_t reply(uint8_t *resp, long rc, const uint8_t *data, uint16_t n)
{
    uint32_t len = rc == 0 ? 12u + n : 10u;
    resp[0] = 0x80, resp[1] = 0x01;
    resp[2] = (uint8_t)(len >> 24), resp[3] = (uint8_t)(len >> 16);
    resp[4] = (uint8_t)(len >> 8), resp[5] = (uint8_t)len;
    resp[6] = (uint8_t)(rc >> 24), resp[7] = (uint8_t)(rc >> 16);
    resp[8] = (uint8_t)(rc >> 8), resp[9] = (uint8_t)rc;
    if (rc == 0) {
        resp[10] = (uint8_t)(n >> 8), resp[11] = (uint8_t)n;
        memcpy(resp + 12, data, n);
    }
    return len;
}

static long seal(struct run *r, const uint8_t *data, uint16_t n, uint8_t *blob, uint16_t *blob_len)
{
    uint8_t policy[32];
    uint32_t primary;
    long rc = policy_digest(r, policy);
    if (rc == 0)
        rc = create_primary(r, &primary);
    if (rc == 0)
        rc = create_sealed(r, primary, policy, data, n, blob, blob_len);
    return rc;
}

static long unseal(struct run *r, const uint8_t *blob, uint16_t n, uint8_t *data, uint16_t *len)
{
    if (n < 4 || 2u + get16(blob) + 2u > n ||
        2u + get16(blob) + 2u + get16(blob + 2 + get16(blob)) != n)
        return RC_VALUE; /* not a blob seal made */
    uint32_t primary, object, session;
    long rc = create_primary(r, &primary);
    if (rc != 0)
        return rc;
    struct msg m;
    begin(&m, true, 0x157); /* Load */
    p32(&m, primary);
    auth(&m, RS_PW, 0);
    pbytes(&m, blob, n);
    if ((rc = exec_handle(r, &m, &object)) != 0 || (rc = start_session(r, SE_POLICY, &session)) ||
        (rc = policy_pcr(r, session)) != 0)
        return rc;
    begin(&m, true, 0x15E); /* Unseal */
    p32(&m, object);
    auth(&m, session, 0); /* continueSession clear: the session ends with a success */
    if ((rc = exec0(r, &m)) != 0)
        return rc;
    r->nhandles--; /* the session, the last one started */
    if (r->rlen < 16 || 16u + get16(r->resp + 14) > r->rlen || get16(r->resp + 14) > TPM_SEAL_MAX)
        return RC_SIZE;
    *len = get16(r->resp + 14);
    memcpy(data, r->resp + 16, *len);
    return 0;
}

uint32_t tpm_vendor_execute(tpm_backend_t *b, const uint8_t binding[32], const uint8_t *cmd,
                            uint32_t len, uint8_t *resp, uint64_t *latency, char *err,
                            size_t errlen)
{
    struct run r = {.b = b, .latency = latency, .err = err, .errlen = errlen};
    uint32_t cc = len >= 10 ? get32(cmd + 6) : 0;
    uint16_t n = len >= 12 ? get16(cmd + 10) : 0;
    if (len < 12 || get32(cmd + 2) != len || 12u + n != len || get16(cmd) != 0x8001)
        return reply(resp, RC_SIZE, NULL, 0);
    if (cc == TPM_CC_TV_SEAL ? n == 0 || n > TPM_SEAL_MAX : n > TPM_BLOB_MAX)
        return reply(resp, RC_SIZE, NULL, 0);
    uint8_t out[TPM_BLOB_MAX];
    uint16_t out_len = 0;
    long rc = pcr_load(&r, TPM_PCR_SEAL, binding);
    if (rc == 0)
        rc = cc == TPM_CC_TV_SEAL ? seal(&r, cmd + 12, n, out, &out_len)
                                  : unseal(&r, cmd + 12, n, out, &out_len);
    if (rc >= 0) {
        flush_all(&r);
        long reset = pcr_reset2(&r, TPM_PCR_SEAL);
        if (reset < 0)
            rc = -1;
    }
    if (rc < 0)
        return 0;
    return reply(resp, rc, out, out_len);
}
