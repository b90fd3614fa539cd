/*
 * vmm/vtpm_objects.c — the guests' own objects and sessions in the one
 * physical TPM (vtpm_priv.h). A guest names them by virtual handles, kept
 * in its table; a command is run with those translated to the physical
 * ones, in its handle area, its authorization area and FlushContext's
 * parameter. A handle that is not in the asking guest's table is refused
 * (TPM_RC_HANDLE), so no guest can name, use or flush another's.
 *
 * libtpms keeps 3 objects and 3 sessions loaded: before each command every
 * loaded object or session the command does not name — any guest's — is
 * saved out (ContextSave; an object then flushed), and the ones it names
 * are loaded back (ContextLoad). CreatePrimary's template gets the guest's
 * identity mixed into its `unique` field, so each guest's primary keys are
 * its own (the hierarchies' seeds are the one TPM's).
 */
#include <openssl/evp.h>
#include <string.h>

#include "dev/tpm.h"
#include "vmm/vtpm_priv.h"

#define TPM_ALG_NULL 0x0010u
#define RS_PW        0x40000009u
#define RC_S         0x800u /* the error is about session n (n << 8) */
#define RC_P         0x040u /* ... about parameter n */
#define MAX_REFS     8

/* The commands run on the physical TPM with a guest's own objects: their
 * handle counts (TPM 2.0 Part 3) and whether they answer a new handle. */
static const struct {
    uint32_t cc;
    uint8_t handles, answers_handle;
} table[] = {
    {0x131, 1, 1}, /* CreatePrimary */
    {0x147, 2, 0}, /* ActivateCredential */
    {0x148, 2, 0}, /* Certify */
    {0x150, 2, 0}, /* ObjectChangeAuth */
    {0x151, 2, 0}, /* PolicySecret */
    {0x153, 1, 0}, /* Create */
    {0x154, 1, 0}, /* ECDH_ZGen */
    {0x155, 1, 0}, /* HMAC */
    {0x157, 1, 1}, /* Load */
    {0x159, 1, 0}, /* RSA_Decrypt */
    {0x15D, 1, 0}, /* Sign */
    {0x15E, 1, 0}, /* Unseal */
    {0x163, 1, 0}, /* ECDH_KeyGen */
    {0x164, 1, 0}, /* EncryptDecrypt */
    {0x165, 0, 0}, /* FlushContext (its handle is a parameter) */
    {0x167, 0, 1}, /* LoadExternal */
    {0x168, 1, 0}, /* MakeCredential */
    {0x16B, 1, 0}, /* PolicyAuthValue */
    {0x16C, 1, 0}, /* PolicyCommandCode */
    {0x16E, 1, 0}, /* PolicyCpHash */
    {0x170, 1, 0}, /* PolicyNameHash */
    {0x171, 1, 0}, /* PolicyOR */
    {0x173, 1, 0}, /* ReadPublic */
    {0x174, 1, 0}, /* RSA_Encrypt */
    {0x176, 2, 1}, /* StartAuthSession */
    {0x177, 1, 0}, /* VerifySignature */
    {0x178, 0, 0}, /* ECC_Parameters */
    {0x180, 1, 0}, /* PolicyRestart */
    {0x189, 1, 0}, /* PolicyGetDigest */
    {0x18C, 1, 0}, /* PolicyPassword */
    {0x191, 1, 1}, /* CreateLoaded (not from a hierarchy: that would be a primary) */
    {0x193, 1, 0}, /* EncryptDecrypt2 */
};

static int find_cmd(uint32_t cc)
{
    for (unsigned i = 0; i < sizeof table / sizeof *table; i++)
        if (table[i].cc == cc)
            return (int)i;
    return -1;
}

bool vobj_command(uint32_t cc) { return find_cmd(cc) >= 0; }

static bool is_transient(uint32_t h) { return h >> 24 == 0x80; }
static bool is_session(uint32_t h) { return h >> 24 == 0x02 || h >> 24 == 0x03; }

static struct vobj *find(struct vguest *vg, uint32_t vh)
{
    for (unsigned i = 0; i < VOBJ_MAX; i++)
        if (vg->obj[i].used && vg->obj[i].vh == vh)
            return &vg->obj[i];
    return NULL;
}

/* ---- the physical TPM -------------------------------------------------------------- */

struct phys_io {
    struct vtpm *m;
    uint64_t *latency;
    char *err;
    size_t errlen;
    uint8_t resp[TPM_BUFFER_MAX];
    uint32_t rlen;
};

/* cmd (its size field set here) at locality 0: the response code, -1 failed. */
static long phys(struct phys_io *io, uint8_t *cmd, uint32_t len)
{
    put32(cmd + 2, len);
    *io->latency += tpm_latency(get32(cmd + 6));
    io->rlen = tpm_backend_execute(io->m->phys, 0, cmd, len, io->resp, io->err, io->errlen);
    return io->rlen < 10 ? -1 : (long)get32(io->resp + 6);
}

static long flush(struct phys_io *io, uint32_t ph)
{
    uint8_t c[14] = {0x80, 0x01, 0, 0, 0, 14, 0, 0, 0x01, 0x65};
    put32(c + 10, ph);
    return phys(io, c, sizeof c);
}

/* o out of the TPM: its context kept. */
static long save_out(struct phys_io *io, struct vobj *o)
{
    uint8_t c[14] = {0x80, 0x01, 0, 0, 0, 14, 0, 0, 0x01, 0x62}; /* ContextSave */
    put32(c + 10, o->ph);
    long rc = phys(io, c, sizeof c);
    if (rc != 0)
        return rc;
    if (io->rlen - 10 > VOBJ_CTX_MAX)
        return RC_OBJ_MEM;
    o->ctx_len = (uint16_t)(io->rlen - 10);
    memcpy(o->ctx, io->resp + 10, o->ctx_len);
    o->loaded = false;
    return o->session ? 0 : flush(io, o->ph); /* a saved session has left the TPM already */
}

static long load_in(struct phys_io *io, struct vobj *o)
{
    uint8_t c[10 + VOBJ_CTX_MAX] = {0x80, 0x01, 0, 0, 0, 0, 0, 0, 0x01, 0x61}; /* ContextLoad */
    memcpy(c + 10, o->ctx, o->ctx_len);
    long rc = phys(io, c, 10u + o->ctx_len);
    if (rc != 0)
        return rc;
    if (io->rlen < 14)
        return RC_SIZE;
    o->ph = get32(io->resp + 10);
    o->loaded = true;
    return 0;
}

int vobj_save_all(struct vtpm *m, uint64_t *latency, char *err, size_t errlen)
{
    static struct phys_io io;
    io = (struct phys_io){.m = m, .latency = latency, .err = err, .errlen = errlen};
    for (unsigned g = 0; g < VMM_MAX_GUESTS; g++)
        for (unsigned i = 0; i < VOBJ_MAX; i++) {
            struct vobj *o = &m->g[g].obj[i];
            if (o->used && o->loaded && save_out(&io, o) != 0) {
                if (!err[0])
                    snprintf(err, errlen, "tpm: a guest's object cannot be saved out");
                return -1;
            }
        }
    return 0;
}

void vobj_forget(struct vguest *vg)
{
    uint64_t latency = 0;
    char err[256] = "";
    static struct phys_io io;
    io = (struct phys_io){.m = vg->mux, .latency = &latency, .err = err, .errlen = sizeof err};
    for (unsigned i = 0; i < VOBJ_MAX; i++) {
        struct vobj *o = &vg->obj[i];
        if (o->used && (o->loaded || o->session))
            flush(&io, o->ph); /* a saved session is flushed by its handle too */
        o->used = false;
    }
}

/* ---- translation ------------------------------------------------------------------ */

/* What a command names: its objects and where their handles are. */
struct refs {
    struct vobj *o[MAX_REFS];
    uint32_t at[MAX_REFS]; /* offset of the handle in the command */
    unsigned n;
    struct vobj *ended[MAX_REFS]; /* sessions without continueSession: gone on success */
    unsigned nended;
};

static bool referenced(const struct refs *r, const struct vobj *o)
{
    for (unsigned i = 0; i < r->n; i++)
        if (r->o[i] == o)
            return true;
    return false;
}

/* The handle area: the guest's own objects, or the hierarchies it may use. */
static long handle_area(struct vguest *vg, const uint8_t *c, unsigned nh, bool create_loaded,
                        struct refs *r)
{
    for (unsigned i = 0; i < nh; i++) {
        uint32_t h = get32(c + 10 + 4 * i), err_h = RC_HANDLE1 + (i << 8);
        if (is_transient(h) || is_session(h)) {
            struct vobj *o = find(vg, h);
            if (!o)
                return err_h;
            r->o[r->n] = o, r->at[r->n++] = 10 + 4 * i;
        } else if (h == 0x40000001u || h == 0x40000007u || h == 0x4000000Bu) {
            if (create_loaded)
                return RC_HIERARCHY + ((i + 1) << 8); /* a primary: CreatePrimary's job */
        } else {
            return h >> 24 == 0x40 ? RC_HIERARCHY + ((i + 1) << 8) : err_h;
        }
    }
    return 0;
}

/* The authorization area at `at`: its sessions translated like handles. */
static long auth_sessions(struct vguest *vg, const uint8_t *c, uint32_t len, uint32_t at,
                          struct refs *r)
{
    if (at + 4 > len || get32(c + at) > len - at - 4)
        return RC_SIZE;
    uint32_t end = at + 4 + get32(c + at);
    unsigned k = 1;
    for (uint32_t p = at + 4; p < end; k++) {
        if (p + 9 > end || p + 7 + get16(c + p + 4) > end)
            return RC_SIZE;
        uint32_t h = get32(c + p), nonce = get16(c + p + 4);
        uint8_t attrs = c[p + 6 + nonce];
        uint32_t next = p + 9 + nonce + get16(c + p + 7 + nonce);
        if (next > end || r->n == MAX_REFS)
            return RC_SIZE;
        if (h != RS_PW) {
            struct vobj *o = find(vg, h);
            if (!o || !o->session)
                return 0x08Bu + RC_S + (k << 8); /* TPM_RC_HANDLE of session k */
            r->o[r->n] = o, r->at[r->n++] = p;
            if (!(attrs & 1))
                r->ended[r->nended++] = o;
        }
        p = next;
    }
    return 0;
}

/* ---- a guest's own primary keys ------------------------------------------------------ */

static uint32_t sym_def(const uint8_t *a, uint32_t q, uint32_t end)
{
    if (q + 2 > end)
        return 0;
    return get16(a + q) == TPM_ALG_NULL ? q + 2 : q + 6;
}

/* An asymmetric scheme: its algorithm, a hash unless NULL or RSAES, ECDAA's count. */
static uint32_t scheme(const uint8_t *a, uint32_t q, uint32_t end)
{
    if (q + 2 > end)
        return 0;
    uint16_t alg = get16(a + q);
    return alg == TPM_ALG_NULL || alg == 0x0015 ? q + 2 : alg == 0x001A ? q + 6 : q + 4;
}

/* Where the unique field of the TPMT_PUBLIC at a[0..end) starts; 0 unknown. */
static uint32_t unique_at(const uint8_t *a, uint32_t end)
{
    if (end < 10 || 10u + get16(a + 8) > end)
        return 0;
    uint32_t q = 10u + get16(a + 8); /* past type, nameAlg, attributes, authPolicy */
    switch (get16(a)) {
    case 0x0008: /* KEYEDHASH: its scheme (HMAC: a hash; XOR: a hash and a KDF) */
        if (q + 2 > end)
            return 0;
        return get16(a + q) == 0x0005 ? q + 4 : get16(a + q) == 0x000A ? q + 6 : q + 2;
    case 0x0025: return sym_def(a, q, end); /* SYMCIPHER */
    case 0x0001:                            /* RSA: symmetric, scheme, keyBits, exponent */
        q = sym_def(a, q, end);
        q = q ? scheme(a, q, end) : 0;
        return q ? q + 6 : 0;
    case 0x0023: /* ECC: symmetric, scheme, curveID, kdf */
        q = sym_def(a, q, end);
        q = q ? scheme(a, q, end) : 0;
        q = q && q + 4 <= end ? q + 2 : 0;
        return q ? (get16(a + q) == TPM_ALG_NULL ? q + 2 : q + 4) : 0;
    }
    return 0;
}

/* CreatePrimary's inPublic with the guest's name mixed into unique: c is
 * rewritten in place, *len updated; 0 or a response code. */
static long own_primary(struct vguest *vg, uint8_t *c, uint32_t *len)
{
    uint32_t at = 14; /* the authorization area */
    if (at + 4 > *len || get32(c + at) > *len - at - 4)
        return RC_SIZE;
    uint32_t p = at + 4 + get32(c + at); /* inSensitive */
    if (p + 2 > *len || p + 2 + get16(c + p) + 2 > *len)
        return RC_SIZE;
    uint32_t pub = p + 2 + get16(c + p), area = pub + 2, area_end = area + get16(c + pub);
    if (area_end > *len)
        return RC_SIZE;
    uint32_t u = unique_at(c + area, area_end - area);
    if (!u || area + u > area_end)
        return RC_VALUE + RC_P + (2u << 8); /* inPublic: not a template we can make its own */
    static const char tag[] = "trapvisor primary v1";
    uint8_t d[32];
    unsigned dn = 32;
    EVP_MD_CTX *x = EVP_MD_CTX_new();
    if (!x || EVP_DigestInit_ex(x, EVP_sha256(), NULL) != 1 ||
        EVP_DigestUpdate(x, tag, sizeof tag) != 1 ||
        EVP_DigestUpdate(x, vg->g->cfg->name, strlen(vg->g->cfg->name) + 1) != 1 ||
        EVP_DigestUpdate(x, c + area + u, area_end - area - u) != 1 ||
        EVP_DigestFinal_ex(x, d, &dn) != 1)
        BUG("vtpm: SHA-256 failed");
    EVP_MD_CTX_free(x);
    unsigned size = get16(c + area + 2) == 0x0004 ? 20 : 32; /* a SHA-1 name: 20 bytes */
    uint8_t fresh[2 + 32 + 2];
    uint32_t n = 0;
    put16(fresh, (uint16_t)size), memcpy(fresh + 2, d, size), n = 2 + size;
    if (get16(c + area) == 0x0023)
        put16(fresh + n, 0), n += 2; /* ECC: x is ours, y empty */
    uint32_t tail = *len - area_end; /* outsideInfo, creationPCR */
    if (area + u + n + tail > TPM_BUFFER_MAX)
        return RC_SIZE;
    memmove(c + area + u + n, c + area_end, tail);
    memcpy(c + area + u, fresh, n);
    put16(c + pub, (uint16_t)(u + n));
    *len = area + u + n + tail;
    return 0;
}

/* ---- one command ---------------------------------------------------------------------- */

static uint32_t reply(uint8_t *resp, uint32_t rc)
{
    put16(resp, 0x8001);
    put32(resp + 2, 10);
    put32(resp + 6, rc);
    return 10;
}

/* Room, then the named objects loaded and their physical handles written in. */
static long prepare(struct phys_io *io, uint8_t *c, const struct refs *r)
{
    struct vtpm *m = io->m;
    for (unsigned g = 0; g < VMM_MAX_GUESTS; g++)
        for (unsigned i = 0; i < VOBJ_MAX; i++) {
            struct vobj *o = &m->g[g].obj[i];
            long rc = o->used && o->loaded && !referenced(r, o) ? save_out(io, o) : 0;
            if (rc != 0)
                return rc;
        }
    for (unsigned i = 0; i < r->n; i++) {
        long rc = r->o[i]->loaded ? 0 : load_in(io, r->o[i]);
        if (rc != 0)
            return rc;
        put32(c + r->at[i], r->o[i]->ph);
    }
    return 0;
}

/* A new object or session the TPM answered: under a new virtual handle. */
static long adopt(struct phys_io *io, struct vguest *vg, uint8_t *resp)
{
    uint32_t ph = get32(resp + 10);
    for (unsigned i = 0; i < VOBJ_MAX; i++) {
        struct vobj *o = &vg->obj[i];
        if (o->used)
            continue;
        bool session = is_session(ph);
        uint32_t id = 0x100 + (vg->next_id++ & 0xFFFF);
        *o = (struct vobj){.used = true, .loaded = true, .session = session, .ph = ph};
        o->vh = session ? (ph & 0xFF000000u) | id : 0x80000000u | id;
        put32(resp + 10, o->vh);
        return 0;
    }
    flush(io, ph);
    return RC_OBJ_MEM; /* the guest holds VOBJ_MAX already */
}

uint32_t vobj_run(struct vguest *vg, const uint8_t *cmd, uint32_t len, uint8_t *resp,
                  uint64_t *latency, char *err, size_t errlen)
{
    static uint8_t c[TPM_BUFFER_MAX];
    static struct phys_io io;
    io = (struct phys_io){.m = vg->mux, .latency = latency, .err = err, .errlen = errlen};
    int k = find_cmd(get32(cmd + 6));
    unsigned nh = table[k].handles;
    uint32_t cc = table[k].cc;
    if (len > sizeof c || len < 10 + 4 * nh + (cc == 0x165 ? 4 : 0))
        return reply(resp, RC_SIZE);
    memcpy(c, cmd, len);
    struct refs r = {.n = 0};
    long rc = handle_area(vg, c, nh, cc == 0x191, &r);
    if (rc == 0 && get16(c) == 0x8002)
        rc = auth_sessions(vg, c, len, 10 + 4 * nh, &r);
    struct vobj *flushed = NULL;
    if (rc == 0 && cc == 0x165) { /* FlushContext: its parameter is the handle */
        flushed = find(vg, get32(c + 10));
        if (!flushed)
            return reply(resp, 0x08Bu + RC_P + (1u << 8));
        if (!flushed->loaded && !flushed->session) { /* a saved object: forgetting it is enough */
            flushed->used = false;
            return reply(resp, 0);
        }
        put32(c + 10, flushed->ph); /* loaded, or a saved session: flushed by its handle */
    }
    if (rc == 0 && cc == 0x131)
        rc = own_primary(vg, c, &len);
    if (rc == 0 && !flushed) /* FlushContext needs no room and loads nothing */
        rc = prepare(&io, c, &r);
    if (rc == 0)
        rc = phys(&io, c, len);
    if (rc < 0)
        return 0;
    if (rc > 0 || io.rlen > TPM_BUFFER_MAX)
        return reply(resp, (uint32_t)rc);
    memcpy(resp, io.resp, io.rlen);
    if (table[k].answers_handle && (io.rlen < 14 || (rc = adopt(&io, vg, resp)) != 0))
        return reply(resp, rc ? (uint32_t)rc : RC_SIZE);
    for (unsigned i = 0; i < r.nended; i++)
        r.ended[i]->used = false; /* the TPM ended those sessions with the command */
    if (flushed)
        flushed->used = false;
    return io.rlen;
}
