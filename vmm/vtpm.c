/*
 * vmm/vtpm.c — the TPM multiplexer (issue 17): every guest that shares the
 * board's TPM gets its own copy of the device (dev/tpm.c, the same
 * registers), whose commands come here (its tpm_port).
 *
 * - The launch: before any guest runs, the monitor starts the physical TPM
 *   and measures itself into PCR 17 (its executable and its [vmm]
 *   configuration, through the locality-4 interface: tpm_backend_launch).
 * - One queue: the physical TPM runs one command at a time, in the order
 *   the guests issued them (a guest has at most one outstanding: the FIFO
 *   interface allows no more, so first come is round-robin). A command
 *   starts when the physical TPM is free and takes its latency; until then
 *   the guest's STS says "in progress".
 * - Each guest has its own platform configuration: 24 virtual PCRs of the
 *   SHA-256 bank. TPM2_Startup, PCR_Read, PCR_Extend, PCR_Event, PCR_Reset
 *   (16 and 23) and event sequences (HashSequenceStart with TPM_ALG_NULL,
 *   SequenceUpdate, EventSequenceComplete: how the boot ROM measures the
 *   kernel) act on them and never reach the physical PCRs.
 * - The compound configuration: whenever a guest's PCRs 0..15 change, the
 *   physical PCR 21 is reset and extended (locality 2) with SHA-256 of
 *   every guest's binding (tpm_binding(name, PCRs 0..15)) in guest order.
 * - Sealing: the vendor commands TV_Seal and TV_Unseal (dev/tpm_vendor.h)
 *   run on the physical TPM bound to the asking guest's binding, so only
 *   that guest, in that configuration, under this monitor, unseals.
 * - Commands that hold no object or session of their own (GetRandom,
 *   GetCapability, SelfTest, GetTestResult, Hash, TestParms) go to the
 *   physical TPM at locality 0; commands on a guest's own objects and
 *   sessions run there under translated handles (vtpm_objects.c). Every
 *   other command (NV, hierarchies, quotes, PolicyPCR: state all guests
 *   share, or the physical PCRs) is refused with TPM_RC_COMMAND_CODE.
 */
#include "vmm/vtpm.h"

#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

#include "dev/devclass.h"
#include "dev/tpm.h"
#include "dev/tpm_vendor.h"
#include "util/fileio.h"
#include "vmm/vmm_priv.h"
#include "vmm/vtpm_priv.h"

/* ---- encoding ------------------------------------------------------------------ */

/* A response with no parameters (header only). */
static uint32_t reply_rc(uint8_t *resp, uint32_t rc)
{
    put16(resp, 0x8001);
    put32(resp + 2, 10);
    put32(resp + 6, rc);
    return 10;
}

/* A command's authorization area: where its parameters start (0: malformed)
 * and the first session's attributes. */
static uint32_t auth_area(const uint8_t *cmd, uint32_t len, uint32_t at, uint8_t *attrs)
{
    if (at + 4 > len)
        return 0;
    uint32_t size = get32(cmd + at), end = at + 4 + size;
    if (end > len || size < 9)
        return 0;
    uint32_t p = at + 4 + 4; /* the first session: its handle, then its nonce */
    uint32_t nonce = get16(cmd + p);
    *attrs = p + 2 + nonce < end ? cmd[p + 2 + nonce] : 0;
    return end;
}

/* Close a sessions response: parameterSize and one empty password session
 * per session of the command. */
static uint32_t reply_sessions(uint8_t *resp, uint32_t params_end, unsigned sessions, uint8_t attrs)
{
    uint32_t n = params_end;
    for (unsigned i = 0; i < sessions; i++) {
        put16(resp + n, 0); /* nonceTPM */
        resp[n + 2] = attrs & 1u;
        put16(resp + n + 3, 0); /* hmac */
        n += 5;
    }
    put16(resp, 0x8002);
    put32(resp + 2, n);
    put32(resp + 6, RC_SUCCESS);
    put32(resp + 10, params_end - 14); /* parameterSize */
    return n;
}

static void sha256(const uint8_t *a, size_t an, const uint8_t *b, size_t bn, uint8_t out[32])
{
    EVP_MD_CTX *c = EVP_MD_CTX_new();
    unsigned n = 32;
    if (!c || EVP_DigestInit_ex(c, EVP_sha256(), NULL) != 1 || EVP_DigestUpdate(c, a, an) != 1 ||
        (bn && EVP_DigestUpdate(c, b, bn) != 1) || EVP_DigestFinal_ex(c, out, &n) != 1)
        BUG("vtpm: SHA-256 failed");
    EVP_MD_CTX_free(c);
}

static void extend(struct vguest *vg, unsigned pcr, const uint8_t d[32])
{
    sha256(vg->pcr[pcr], 32, d, 32, vg->pcr[pcr]);
}

/* ---- the virtualized commands ------------------------------------------------- */

static void startup(struct vguest *vg)
{
    memset(vg->pcr, 0, sizeof vg->pcr);
    for (unsigned p = 17; p <= 22; p++) /* the dynamic-launch PCRs start at all ones */
        memset(vg->pcr[p], 0xFF, 32);
    vg->started = true;
}

static uint32_t pcr_read(struct vguest *vg, const uint8_t *cmd, uint32_t len, uint8_t *resp)
{
    if (len < 14)
        return reply_rc(resp, RC_SIZE);
    uint32_t count = get32(cmd + 10), at = 14, n = 10;
    put32(resp + n, 0), n += 4; /* pcrUpdateCounter */
    put32(resp + n, count), n += 4;
    uint8_t chosen[NPCR];
    unsigned nchosen = 0;
    for (uint32_t i = 0; i < count && i < 8; i++) {
        if (at + 3 > len || at + 3 + cmd[at + 2] > len || cmd[at + 2] > 4)
            return reply_rc(resp, RC_SIZE);
        uint16_t alg = get16(cmd + at);
        unsigned sz = cmd[at + 2];
        put16(resp + n, alg), resp[n + 2] = (uint8_t)sz;
        for (unsigned k = 0; k < sz; k++) {
            uint8_t bits = alg == 0x000B ? cmd[at + 3 + k] : 0; /* only the SHA-256 bank */
            resp[n + 3 + k] = bits;
            for (unsigned b = 0; b < 8; b++)
                if ((bits >> b & 1) && k * 8 + b < NPCR && nchosen < NPCR)
                    chosen[nchosen++] = (uint8_t)(k * 8 + b);
        }
        n += 3 + sz;
        at += 3 + sz;
    }
    put32(resp + n, nchosen), n += 4;
    for (unsigned i = 0; i < nchosen; i++) {
        put16(resp + n, 32);
        memcpy(resp + n + 2, vg->pcr[chosen[i]], 32);
        n += 34;
    }
    put16(resp, 0x8001);
    put32(resp + 2, n);
    put32(resp + 6, RC_SUCCESS);
    return n;
}

/* The PCR handle at cmd[10]: its index, or -1. */
static int pcr_handle(const uint8_t *cmd, uint32_t len)
{
    if (len < 14)
        return -1;
    uint32_t h = get32(cmd + 10);
    return h < NPCR ? (int)h : -1;
}

static unsigned digest_size(uint16_t alg)
{
    switch (alg) {
    case 0x0004: return 20; /* SHA-1 */
    case 0x000B: return 32; /* SHA-256 */
    case 0x000C: return 48; /* SHA-384 */
    case 0x000D: return 64; /* SHA-512 */
    case 0x0012: return 32; /* SM3 */
    }
    return 0;
}

static uint32_t pcr_extend(struct vguest *vg, const uint8_t *cmd, uint32_t len, uint8_t *resp)
{
    int pcr = pcr_handle(cmd, len);
    uint8_t attrs = 0;
    uint32_t at = auth_area(cmd, len, 14, &attrs);
    if (pcr < 0)
        return reply_rc(resp, RC_HANDLE1);
    if (!at || at + 4 > len)
        return reply_rc(resp, RC_SIZE);
    uint32_t count = get32(cmd + at);
    at += 4;
    for (uint32_t i = 0; i < count; i++) {
        if (at + 2 > len)
            return reply_rc(resp, RC_SIZE);
        uint16_t alg = get16(cmd + at);
        unsigned sz = digest_size(alg);
        if (!sz)
            return reply_rc(resp, RC_HASH);
        if (at + 2 + sz > len)
            return reply_rc(resp, RC_SIZE);
        if (alg == 0x000B)
            extend(vg, (unsigned)pcr, cmd + at + 2);
        at += 2 + sz;
    }
    return reply_sessions(resp, 14, 1, attrs);
}

/* PCR_Event and EventSequenceComplete answer the event's digests: ours, SHA-256. */
static uint32_t put_digest(uint8_t *resp, uint32_t n, const uint8_t d[32])
{
    put32(resp + n, 1);
    put16(resp + n + 4, 0x000B);
    memcpy(resp + n + 6, d, 32);
    return n + 38;
}

static uint32_t pcr_event(struct vguest *vg, const uint8_t *cmd, uint32_t len, uint8_t *resp)
{
    int pcr = pcr_handle(cmd, len);
    uint8_t attrs = 0;
    uint32_t at = auth_area(cmd, len, 14, &attrs);
    if (pcr < 0)
        return reply_rc(resp, RC_HANDLE1);
    if (!at || at + 2 > len || at + 2 + get16(cmd + at) > len || get16(cmd + at) > 1024)
        return reply_rc(resp, RC_SIZE);
    uint8_t d[32];
    sha256(cmd + at + 2, get16(cmd + at), NULL, 0, d);
    extend(vg, (unsigned)pcr, d);
    return reply_sessions(resp, put_digest(resp, 14, d), 1, attrs);
}

static uint32_t pcr_reset(struct vguest *vg, const uint8_t *cmd, uint32_t len, uint8_t *resp)
{
    int pcr = pcr_handle(cmd, len);
    uint8_t attrs = 0;
    if (pcr < 0)
        return reply_rc(resp, RC_HANDLE1);
    if (!auth_area(cmd, len, 14, &attrs))
        return reply_rc(resp, RC_SIZE);
    if (pcr != 16 && pcr != 23)
        return reply_rc(resp, RC_LOCALITY); /* not resettable from the guest's locality */
    memset(vg->pcr[pcr], 0, 32);
    return reply_sessions(resp, 14, 1, attrs);
}

static uint32_t seq_start(struct vguest *vg, const uint8_t *cmd, uint32_t len, uint8_t *resp)
{
    if (len < 12 || 12u + get16(cmd + 10) + 2u > len)
        return reply_rc(resp, RC_SIZE);
    if (get16(cmd + 12 + get16(cmd + 10)) != 0x0010) /* only event sequences (TPM_ALG_NULL) */
        return reply_rc(resp, RC_CC);
    if (vg->seq)
        return reply_rc(resp, RC_OBJ_MEM);
    vg->seq = EVP_MD_CTX_new();
    if (!vg->seq || EVP_DigestInit_ex(vg->seq, EVP_sha256(), NULL) != 1)
        BUG("vtpm: SHA-256 failed");
    put16(resp, 0x8001);
    put32(resp + 2, 14);
    put32(resp + 6, RC_SUCCESS);
    put32(resp + 10, SEQ_HANDLE);
    return 14;
}

static uint32_t seq_update(struct vguest *vg, const uint8_t *cmd, uint32_t len, uint8_t *resp)
{
    uint8_t attrs = 0;
    if (len < 14 || get32(cmd + 10) != SEQ_HANDLE || !vg->seq)
        return reply_rc(resp, RC_HANDLE1);
    uint32_t at = auth_area(cmd, len, 14, &attrs);
    if (!at || at + 2 > len || at + 2 + get16(cmd + at) > len || get16(cmd + at) > 1024)
        return reply_rc(resp, RC_SIZE);
    if (EVP_DigestUpdate(vg->seq, cmd + at + 2, get16(cmd + at)) != 1)
        BUG("vtpm: SHA-256 failed");
    return reply_sessions(resp, 14, 1, attrs);
}

static uint32_t seq_complete(struct vguest *vg, const uint8_t *cmd, uint32_t len, uint8_t *resp)
{
    int pcr = pcr_handle(cmd, len);
    uint8_t attrs = 0;
    if (pcr < 0)
        return reply_rc(resp, RC_HANDLE1);
    if (len < 18 || get32(cmd + 14) != SEQ_HANDLE || !vg->seq)
        return reply_rc(resp, RC_HANDLE2);
    uint32_t at = auth_area(cmd, len, 18, &attrs);
    if (!at || at + 2 > len || at + 2 + get16(cmd + at) > len)
        return reply_rc(resp, RC_SIZE);
    uint8_t d[32];
    unsigned n = 32;
    if (EVP_DigestUpdate(vg->seq, cmd + at + 2, get16(cmd + at)) != 1 ||
        EVP_DigestFinal_ex(vg->seq, d, &n) != 1)
        BUG("vtpm: SHA-256 failed");
    EVP_MD_CTX_free(vg->seq);
    vg->seq = NULL;
    extend(vg, (unsigned)pcr, d);
    return reply_sessions(resp, put_digest(resp, 14, d), 2, attrs);
}

/* Commands that hold nothing of the guest's in the physical TPM. */
static bool stateless(uint32_t cc)
{
    return cc == 0x17B || cc == 0x17A || cc == 0x143 || cc == 0x17C || cc == 0x17D ||
           cc == 0x18A; /* GetRandom GetCapability SelfTest GetTestResult Hash TestParms */
}

/* ---- the compound configuration and sealing -------------------------------------- */

static void binding_of(const struct vguest *vg, uint8_t out[32])
{
    tpm_binding(vg->g->cfg->name, (const uint8_t(*)[32])vg->pcr, out);
}

/* PCR 21 := SHA-256("trapvisor compound v1" NUL || every guest's binding). */
static long store_compound(struct vtpm *m, uint64_t *latency, char *err, size_t errlen)
{
    static const char tag[] = "trapvisor compound v1";
    EVP_MD_CTX *c = EVP_MD_CTX_new();
    unsigned n = 32;
    if (!c || EVP_DigestInit_ex(c, EVP_sha256(), NULL) != 1 ||
        EVP_DigestUpdate(c, tag, sizeof tag) != 1)
        BUG("vtpm: SHA-256 failed");
    for (unsigned i = 0; i < VMM_MAX_GUESTS; i++)
        if (m->g[i].g && EVP_DigestUpdate(c, m->g[i].binding, 32) != 1)
            BUG("vtpm: SHA-256 failed");
    if (EVP_DigestFinal_ex(c, m->compound, &n) != 1)
        BUG("vtpm: SHA-256 failed");
    EVP_MD_CTX_free(c);
    return tpm_pcr_load(m->phys, TPM_PCR_COMPOUND, m->compound, latency, err, errlen);
}

/* After a command on vg's PCRs: the compound follows a changed binding. */
static bool follow_binding(struct vguest *vg, uint64_t *latency, char *err, size_t errlen)
{
    uint8_t b[32];
    binding_of(vg, b);
    if (memcmp(b, vg->binding, 32) == 0)
        return true;
    memcpy(vg->binding, b, 32);
    return store_compound(vg->mux, latency, err, errlen) >= 0;
}

static uint32_t seal_unseal(struct vguest *vg, uint32_t cc, const uint8_t *cmd, uint32_t len,
                            uint8_t *resp, const char **how, uint64_t *latency, char *err,
                            size_t errlen)
{
    struct vmm_tpm_stats *st = &vg->g->st.tpm;
    *latency = 0;
    if (vobj_save_all(vg->mux, latency, err, errlen) != 0) /* room for the sealing's own */
        return 0;
    uint32_t n =
        tpm_vendor_execute(vg->mux->phys, vg->binding, cmd, len, resp, latency, err, errlen);
    bool granted = n >= 10 && get32(resp + 6) == RC_SUCCESS;
    if (cc == TPM_CC_TV_SEAL)
        granted ? st->seals++ : st->seals_refused++;
    else
        granted ? st->unseals++ : st->unseals_refused++;
    st->passed++;
    *how = granted ? "sealing, granted" : "sealing, refused";
    return n;
}

/* ---- the guests' port ------------------------------------------------------------ */

/* What happened to one command: how it was done and its response. */
static uint32_t dispatch(struct vguest *vg, uint32_t cc, const uint8_t *cmd, uint32_t len,
                         uint8_t *resp, const char **how, uint64_t *latency, char *err,
                         size_t errlen)
{
    struct vmm_tpm_stats *st = &vg->g->st.tpm;
    *how = "refused";
    if (len < 10 || get32(cmd + 2) != len)
        return st->refused++, reply_rc(resp, RC_SIZE);
    if (!vg->started && cc != 0x144)
        return st->refused++, reply_rc(resp, RC_INIT);
    uint32_t n;
    switch (cc) {
    case 0x144: /* Startup */
        if (vg->started) {
            n = reply_rc(resp, RC_INIT);
        } else {
            vobj_forget(vg); /* TPM2_Startup(CLEAR): no transient objects, no sessions */
            startup(vg);
            n = reply_rc(resp, RC_SUCCESS);
        }
        break;
    case 0x17E: n = pcr_read(vg, cmd, len, resp); break;
    case 0x182: n = pcr_extend(vg, cmd, len, resp); break;
    case 0x13C: n = pcr_event(vg, cmd, len, resp); break;
    case 0x13D: n = pcr_reset(vg, cmd, len, resp); break;
    case 0x186: n = seq_start(vg, cmd, len, resp); break;
    case 0x15C: n = seq_update(vg, cmd, len, resp); break;
    case 0x185: n = seq_complete(vg, cmd, len, resp); break;
    case TPM_CC_TV_SEAL:
    case TPM_CC_TV_UNSEAL: return seal_unseal(vg, cc, cmd, len, resp, how, latency, err, errlen);
    default:
        if (vobj_command(cc)) { /* on its own objects and sessions */
            st->passed++;
            *how = "physical, own objects";
            return vobj_run(vg, cmd, len, resp, latency, err, errlen);
        }
        if (!stateless(cc)) {
            st->refused++;
            return reply_rc(resp, RC_CC);
        }
        st->passed++;
        *how = "physical";
        return tpm_backend_execute(vg->mux->phys, 0, cmd, len, resp, err, errlen);
    }
    st->virtualized++;
    *how = "virtual";
    return follow_binding(vg, latency, err, errlen) ? n : 0;
}

static uint32_t vtpm_run(void *opaque, unsigned locality, const uint8_t *cmd, uint32_t len,
                         uint8_t *resp, uint64_t now, uint64_t *done, char *err, size_t errlen)
{
    struct vguest *vg = opaque;
    struct vtpm *m = vg->mux;
    struct vmm_tpm_stats *st = &vg->g->st.tpm;
    (void)locality; /* a guest's every locality is its own: the physical one is 0 */
    uint32_t cc = len >= 10 ? get32(cmd + 6) : 0;
    /* The queue: the physical TPM is free at busy_until. */
    uint64_t start = now > m->busy_until ? now : m->busy_until;
    uint64_t latency = tpm_latency(cc);
    const char *how;
    uint32_t n = dispatch(vg, cc, cmd, len, resp, &how, &latency, err, errlen);
    *done = start + latency;
    m->busy_until = *done;
    m->commands++;
    m->busy_cycles += latency;
    vg->last_cc = cc;
    vg->last_start = start;
    vg->last_done = *done;
    st->commands++;
    if (tpm_cc_slot(cc) < TPM_CC_SLOTS)
        st->by_cc[tpm_cc_slot(cc)]++;
    st->queue_cycles += start - now;
    if (m->v->tpm_trace) {
        const char *name = tpm_cc_name(cc);
        fprintf(m->v->tpm_trace,
                "[%llu] tpm %s %s (0x%x): issued %llu, started %llu, done %llu; %s, rc %x\n",
                (unsigned long long)now, vg->g->cfg->name, name ? name : "command", cc,
                (unsigned long long)now, (unsigned long long)start, (unsigned long long)*done, how,
                n >= 10 ? get32(resp + 6) : RC_FAILURE);
    }
    return n;
}

static void vtpm_reset(void *opaque)
{
    struct vguest *vg = opaque;
    vg->started = false; /* its PCRs go at its next Startup */
    vobj_forget(vg);
    if (vg->seq) {
        EVP_MD_CTX_free(vg->seq);
        vg->seq = NULL;
    }
}

static void vtpm_polled(void *opaque)
{
    struct vguest *vg = opaque;
    vg->g->st.tpm.polls_in_progress++;
}

static int vtpm_port(void *opaque, unsigned bus, unsigned slot, struct tpm_port *out, char *err,
                     size_t errlen)
{
    (void)bus;
    (void)slot;
    (void)err;
    (void)errlen;
    *out = (struct tpm_port){vtpm_run, vtpm_reset, NULL, opaque, vtpm_polled};
    return 0;
}

bool vmm_guest_tpm(const vmm_t *v, unsigned guest, struct vmm_tpm_view *out)
{
    const struct vtpm *m = vmm_module_state(v, &vtpm_module);
    if (!m || guest >= v->n || !m->g[guest].g)
        return false;
    const struct vguest *vg = &m->g[guest];
    uint64_t now = cpu_cycles(v->cpu);
    out->started = vg->started;
    out->cc = vg->last_cc;
    out->start = vg->last_start;
    out->done = vg->last_done;
    out->state = now < vg->last_start  ? VMM_TPM_WAITING
                 : now < vg->last_done ? VMM_TPM_RUNNING
                                       : VMM_TPM_IDLE;
    memcpy(out->pcr, vg->pcr, sizeof out->pcr);
    memcpy(out->binding, vg->binding, 32);
    memcpy(out->compound, m->compound, 32);
    out->queue_pos = 0;
    if (out->state == VMM_TPM_RUNNING)
        out->queue_pos = 1;
    else if (out->state == VMM_TPM_WAITING) { /* behind the running one and earlier waiters */
        out->queue_pos = 1;
        for (unsigned i = 0; i < v->n; i++)
            if (i != guest && m->g[i].g && m->g[i].last_done > now &&
                m->g[i].last_start < vg->last_start)
                out->queue_pos++;
    }
    return true;
}

bool vmm_tpm_physical(const vmm_t *v, uint64_t *commands, uint64_t *busy_cycles)
{
    const struct vtpm *m = vmm_module_state(v, &vtpm_module);
    if (!m)
        return false;
    *commands = m->commands;
    *busy_cycles = m->busy_cycles;
    return true;
}

/* ---- the module ------------------------------------------------------------------- */

static bool vtpm_wanted(const struct vmm_config *c)
{
    for (unsigned g = 0; g < c->nguests; g++)
        for (unsigned b = 0; b < c->board.buses; b++)
            for (unsigned s = 0; s < IOBUS_SLOTS; s++)
                if (c->board.slots[b][s].cls == &tpm_class && vmm_config_emulates(c, g, b, s))
                    return true;
    return false;
}

/* The monitor's launch: its executable and its configuration into PCR 17. */
static int measure_monitor(const struct vmm *v, tpm_backend_t *phys, char *err, size_t errlen)
{
    unsigned char *exe;
    size_t exe_len;
    if (file_read_all("/proc/self/exe", (size_t)1 << 30, &exe, &exe_len, err, errlen) != 0)
        return -1;
    const struct vmm_config *c = v->cfg;
    char conf[256];
    int n = snprintf(conf, sizeof conf,
                     "quantum=%llu policy=%s fix=%d real_epc=%d traps=%d relocation=%d seed=%llu "
                     "reloc_period=%llu",
                     (unsigned long long)c->quantum, c->policy, (int)c->fix, (int)c->real_epc,
                     (int)c->traps, (int)c->relocation, (unsigned long long)c->seed,
                     (unsigned long long)c->reloc_period);
    /* A policy from a shared object is part of the monitor: its file and args too. */
    unsigned char *lib = NULL;
    size_t lib_len = 0;
    if (c->policy_lib[0] &&
        file_read_all(c->policy_lib, (size_t)1 << 30, &lib, &lib_len, err, errlen) != 0) {
        free(exe);
        return -1;
    }
    const void *parts[] = {exe, conf, lib, c->policy_args};
    size_t sizes[] = {exe_len, (size_t)n, lib_len, lib ? strlen(c->policy_args) : 0};
    int rc = tpm_backend_launch(phys, parts, sizes, lib ? 4 : 2, err, errlen);
    free(exe);
    free(lib);
    return rc;
}

static int vtpm_create(struct vmm *v, void **state, char *err, size_t errlen)
{
    tpm_t *t = board_tpm(v->board);
    tpm_backend_t *phys = t ? tpm_backend_of(t) : NULL;
    if (!phys) {
        snprintf(err, errlen, "tpm: the shared TPM must be the board's own device");
        return -1;
    }
    struct vtpm *m = calloc(1, sizeof *m);
    if (!m) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    m->v = v;
    m->phys = phys;
    for (unsigned i = 0; i < VMM_MAX_GUESTS; i++)
        m->g[i].mux = m;
    /* The physical TPM is the monitor's: it starts it. */
    static const uint8_t su[] = {0x80, 0x01, 0, 0, 0, 12, 0, 0, 0x01, 0x44, 0, 0};
    uint8_t resp[TPM_BUFFER_MAX];
    char msg[256];
    uint32_t n = tpm_backend_execute(phys, 0, su, sizeof su, resp, msg, sizeof msg);
    if (n < 10 || (get32(resp + 6) != 0 && get32(resp + 6) != RC_INIT)) {
        snprintf(err, errlen, "tpm: the physical TPM does not start: %s", n ? "refused" : msg);
        free(m);
        return -1;
    }
    if (measure_monitor(v, phys, err, errlen) != 0) {
        free(m);
        return -1;
    }
    *state = m;
    return 0;
}

static void vtpm_destroy(void *state)
{
    struct vtpm *m = state;
    for (unsigned i = 0; i < VMM_MAX_GUESTS; i++)
        EVP_MD_CTX_free(m->g[i].seq);
    free(m);
}

static void vtpm_dev_host(void *state, struct guest *g, struct dev_host *h)
{
    struct vtpm *m = state;
    struct vguest *vg = &m->g[g->id];
    vg->g = g;
    binding_of(vg, vg->binding);
    uint64_t latency = 0;
    char err[256];
    if (store_compound(m, &latency, err, sizeof err) < 0)
        fprintf(stderr, "trapvisor: tpm: %s\n", err);
    h->tpm_port = vtpm_port;
    h->tpm_opaque = vg;
}

const struct vmm_module vtpm_module = {
    .name = "vtpm",
    .wanted = vtpm_wanted,
    .create = vtpm_create,
    .destroy = vtpm_destroy,
    .guest_dev_host = vtpm_dev_host,
};
