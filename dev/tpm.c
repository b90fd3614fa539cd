/*
 * dev/tpm.c — the TPM's FIFO (TIS) register model (register map in tpm.h),
 * over a backend that executes the commands (tpm_backend.h).
 *
 * The command cycle of the PTP's FIFO interface: Idle, Ready (commandReady
 * written: the FIFO takes a command), Reception (bytes written; Expect
 * while the header's size is not reached), Execution (tpmGo: the backend
 * runs the command now; its response is held back for the command's
 * latency in device time), Completion (dataAvail while response bytes are
 * left; responseRetry reads it again). commandReady in Reception or
 * Completion aborts back to Ready; in Execution it takes effect when the
 * command completes (its response is dropped).
 */
#include "dev/tpm.h"
#include "dev/tpm_vendor.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dev/devclass.h"
#include "util/parse.h"

enum tpm_state { ST_IDLE, ST_READY, ST_RECEPTION, ST_EXECUTION, ST_COMPLETION };

struct tpm {
    io_link_t *link;
    struct tpm_port port;
    bool big_endian;
    int active;      /* active locality, -1 none */
    uint8_t pending; /* bit l: locality l requested use */
    uint32_t int_enable, int_status;
    uint8_t int_vector;
    enum tpm_state state;
    bool abort_on_done; /* commandReady written during Execution */
    uint64_t done_at;   /* Execution ends (device cycle) */
    uint8_t cmd[TPM_BUFFER_MAX], resp[TPM_BUFFER_MAX];
    uint32_t cmd_len, resp_len, resp_pos;
    uint32_t cmd_locality;
    char error[256]; /* the backend's last failure (a state write) */
    struct tpm_stats st;
    tpm_trace_fn trace;
    void *trace_opaque;
};

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

uint32_t tpm_latency(uint32_t cc)
{
    switch (cc) {
    case 0x144: /* Startup */
    case 0x143: /* SelfTest */
    case 0x126: /* Clear */ return TPM_LATENCY_START;
    case 0x131: /* CreatePrimary */
    case 0x153: /* Create */
    case 0x191: /* CreateLoaded */ return TPM_LATENCY_KEYGEN;
    }
    return TPM_LATENCY_FAST;
}

static void update_irq(struct tpm *t)
{
    bool level = (t->int_enable & TPM_INT_GLOBAL) && (t->int_status & t->int_enable & 0xFFu);
    io_link_irq(t->link, level);
}

static void raise(struct tpm *t, uint32_t bit)
{
    t->int_status |= bit;
    update_irq(t);
}

/* How many bytes the header says the command has (0: not known yet). */
static uint32_t expected(const struct tpm *t) { return t->cmd_len >= 6 ? be32(t->cmd + 2) : 0; }

static bool expecting(const struct tpm *t)
{
    uint32_t want = expected(t);
    return t->cmd_len < 6 || (t->cmd_len < want && t->cmd_len < TPM_BUFFER_MAX);
}

static void to_ready(struct tpm *t)
{
    t->state = ST_READY;
    t->cmd_len = t->resp_len = t->resp_pos = 0;
    t->abort_on_done = false;
    raise(t, TPM_INT_CMD_READY);
}

static void go(struct tpm *t)
{
    t->state = ST_EXECUTION;
    uint64_t now = io_link_now(t->link);
    t->done_at = now;
    t->resp_len = t->port.run(t->port.opaque, t->cmd_locality, t->cmd, t->cmd_len, t->resp, now,
                              &t->done_at, t->error, sizeof t->error);
    if (t->resp_len == 0) {
        /* The port failed (the state could not be saved): TPM_RC_FAILURE. */
        static const uint8_t failure[10] = {0x80, 0x01, 0, 0, 0, 10, 0, 0, 0x01, 0x01};
        memcpy(t->resp, failure, sizeof failure);
        t->resp_len = sizeof failure;
        fprintf(stderr, "trapvisor: tpm: %s\n", t->error);
        t->st.failures++;
    }
    if (t->done_at < now)
        t->done_at = now;
    t->resp_pos = 0;
    uint32_t cc = t->cmd_len >= 10 ? be32(t->cmd + 6) : 0;
    io_link_schedule(t->link, t->done_at);
    t->st.commands++;
    if (tpm_cc_slot(cc) < TPM_CC_SLOTS)
        t->st.by_cc[tpm_cc_slot(cc)]++;
    t->st.busy_cycles += t->done_at - now;
    if (t->trace) {
        struct tpm_trace_rec rec = {
            cc, t->cmd_locality, t->cmd_len, t->resp_len, be32(t->resp + 6), now, t->done_at};
        t->trace(t->trace_opaque, &rec);
    }
}

static uint64_t tpm_tick(void *opaque, uint64_t now)
{
    struct tpm *t = opaque;
    if (t->state != ST_EXECUTION)
        return IODEV_NO_EVENT;
    if (now < t->done_at)
        return t->done_at;
    if (t->abort_on_done) {
        to_ready(t);
        return IODEV_NO_EVENT;
    }
    t->state = ST_COMPLETION;
    raise(t, TPM_INT_DATA_AVAIL | TPM_INT_STS_VALID);
    return IODEV_NO_EVENT;
}

/* The command's completion is due (a guest polling between ticks). */
static void catch_up(struct tpm *t) { tpm_tick(t, io_link_now(t->link)); }

static uint32_t sts(const struct tpm *t)
{
    uint32_t v = TPM_STS_VALID | TPM_STS_SELFTEST | TPM_STS_FAMILY_2, burst = 0;
    switch (t->state) {
    case ST_IDLE: break;
    case ST_READY:
        v |= TPM_STS_READY;
        burst = TPM_BURST;
        break;
    case ST_RECEPTION:
        v |= expecting(t) ? TPM_STS_EXPECT : 0;
        burst = TPM_BURST;
        break;
    case ST_EXECUTION: break;
    case ST_COMPLETION:
        if (t->resp_pos < t->resp_len) {
            v |= TPM_STS_DATA_AVAIL;
            burst = t->resp_len - t->resp_pos < TPM_BURST ? t->resp_len - t->resp_pos : TPM_BURST;
        }
        break;
    }
    return v | burst << 8;
}

static uint32_t intf_caps(void)
{
    /* the four interrupts, level high, burst count static, 64-byte
     * transfers (3 << 9), interface version 1.3 for TPM 2.0 (3 << 28) */
    return TPM_INT_DATA_AVAIL | TPM_INT_STS_VALID | TPM_INT_LOC_CHANGE | TPM_INT_CMD_READY |
           1u << 4 | 1u << 8 | 3u << 9 | 3u << 28;
}

/* The 32-bit register at reg (a multiple of 4) of locality l, as read. */
static uint32_t reg_value(struct tpm *t, unsigned l, uint32_t reg)
{
    bool mine = t->active == (int)l;
    switch (reg) {
    case TPM_ACCESS:
        return TPM_ACCESS_VALID | TPM_ACCESS_ESTABLISHM | (mine ? TPM_ACCESS_ACTIVE : 0) |
               ((t->pending & ~(1u << l)) && mine ? TPM_ACCESS_PENDING : 0);
    case TPM_INT_ENABLE: return t->int_enable;
    case TPM_INT_VECTOR: return t->int_vector;
    case TPM_INT_STATUS: return t->int_status;
    case TPM_INTF_CAPABILITY: return intf_caps();
    case TPM_STS:
        if (mine && t->state == ST_EXECUTION) {
            t->st.polls_in_progress++;
            if (t->port.polled)
                t->port.polled(t->port.opaque);
        }
        return mine ? sts(t) : 0xFFFFFFFFu;
    case TPM_INTERFACE_ID: return 1u << 8 | 1u << 13; /* FIFO, locality capable, FIFO capable */
    case TPM_DID_VID: return TPM_DID << 16 | TPM_VID;
    case TPM_RID: return TPM_RID_VALUE;
    }
    return 0;
}

static bool is_fifo(uint32_t off)
{
    return (off >= TPM_DATA_FIFO && off < TPM_DATA_FIFO + 4) ||
           (off >= TPM_XDATA_FIFO && off < TPM_XDATA_FIFO + 4);
}

static uint8_t read_byte(struct tpm *t, unsigned l, uint32_t off)
{
    if (is_fifo(off)) {
        if (t->active != (int)l)
            return 0xFF;
        if (t->state == ST_COMPLETION && t->resp_pos < t->resp_len)
            return t->resp[t->resp_pos++];
        return 0xFF;
    }
    return (uint8_t)(reg_value(t, l, off & ~3u) >> (8 * (off & 3u)));
}

static void grant_next(struct tpm *t)
{
    t->active = -1;
    for (int l = TPM_LOCALITIES - 1; l >= 0; l--) /* the highest pending first */
        if (t->pending & (1u << l)) {
            t->pending &= (uint8_t) ~(1u << l);
            t->active = l;
            raise(t, TPM_INT_LOC_CHANGE);
            return;
        }
}

static void write_access(struct tpm *t, unsigned l, uint8_t b)
{
    if (b & TPM_ACCESS_REQUEST) {
        if (t->active < 0) {
            t->active = (int)l;
            raise(t, TPM_INT_LOC_CHANGE);
        } else if (t->active != (int)l) {
            t->pending |= (uint8_t)(1u << l);
        }
    }
    if ((b & TPM_ACCESS_ACTIVE) && t->active == (int)l)
        grant_next(t); /* relinquish */
}

static void write_sts(struct tpm *t, uint8_t b)
{
    if (b & TPM_STS_READY) {
        if (t->state == ST_RECEPTION || t->state == ST_EXECUTION ||
            (t->state == ST_COMPLETION && t->resp_pos < t->resp_len))
            t->st.aborts++;
        if (t->state == ST_EXECUTION)
            t->abort_on_done = true;
        else
            to_ready(t);
    }
    if ((b & TPM_STS_GO) && t->state == ST_RECEPTION && !expecting(t))
        go(t);
    if ((b & TPM_STS_RETRY) && t->state == ST_COMPLETION)
        t->resp_pos = 0;
}

static void write_byte(struct tpm *t, unsigned l, uint32_t off, uint8_t b)
{
    if (is_fifo(off)) {
        if (t->active != (int)l || (t->state != ST_READY && t->state != ST_RECEPTION))
            return;
        if (t->state == ST_READY) {
            t->state = ST_RECEPTION;
            t->cmd_len = 0;
            t->cmd_locality = l;
        }
        if (expecting(t)) /* past the command's size: dropped (Expect is clear) */
            t->cmd[t->cmd_len++] = b;
        return;
    }
    uint32_t reg = off & ~3u, shift = 8 * (off & 3u);
    switch (reg) {
    case TPM_ACCESS:
        if (shift == 0)
            write_access(t, l, b);
        return;
    case TPM_INT_ENABLE:
        t->int_enable = (t->int_enable & ~(0xFFu << shift)) | (uint32_t)b << shift;
        t->int_enable &= TPM_INT_GLOBAL | 0x87u;
        update_irq(t);
        return;
    case TPM_INT_VECTOR:
        if (shift == 0)
            t->int_vector = b & 0x0F;
        return;
    case TPM_INT_STATUS:
        t->int_status &= ~((uint32_t)b << shift);
        update_irq(t);
        return;
    case TPM_STS:
        if (t->active == (int)l && shift == 0)
            write_sts(t, b);
        return;
    }
}

/* An access of size bytes at off: its bytes in address order, combined in
 * the board's byte order (the registers are little-endian bytes). */
static enum phys_result tpm_read(void *opaque, uint32_t off, unsigned size, uint32_t *v)
{
    struct tpm *t = opaque;
    if (off >= TPM_REG_SIZE || size > TPM_REG_SIZE - off)
        return PHYS_BUS_ERROR;
    catch_up(t);
    unsigned l = off >> 12;
    uint32_t val = 0;
    for (unsigned i = 0; i < size; i++) {
        uint32_t byte = read_byte(t, l, (off & 0xFFFu) + i);
        val |= byte << (8 * (t->big_endian ? size - 1 - i : i));
    }
    *v = val;
    return PHYS_OK;
}

static enum phys_result tpm_write(void *opaque, uint32_t off, unsigned size, uint32_t v)
{
    struct tpm *t = opaque;
    if (off >= TPM_REG_SIZE || size > TPM_REG_SIZE - off)
        return PHYS_BUS_ERROR;
    catch_up(t);
    unsigned l = off >> 12;
    for (unsigned i = 0; i < size; i++)
        write_byte(t, l, (off & 0xFFFu) + i,
                   (uint8_t)(v >> (8 * (t->big_endian ? size - 1 - i : i))));
    return PHYS_OK;
}

/* A machine reset: the TPM's power cycle (volatile state lost). */
static void tpm_reset(void *opaque)
{
    struct tpm *t = opaque;
    t->active = -1;
    t->pending = 0;
    t->int_enable = t->int_status = 0;
    t->int_vector = 0;
    t->state = ST_IDLE;
    t->cmd_len = t->resp_len = t->resp_pos = 0;
    t->abort_on_done = false;
    if (t->port.reset)
        t->port.reset(t->port.opaque);
    update_irq(t);
}

static void tpm_free(void *opaque)
{
    struct tpm *t = opaque;
    if (t->port.close)
        t->port.close(t->port.opaque);
    free(t);
}

static const struct iodev_ops tpm_ops = {
    .name = "tpm",
    .vendor = IODEV_VENDOR_TV,
    .device = TPM_DEVICE_ID,
    .revision = 1,
    .reg_size = TPM_REG_SIZE,
    .access_sizes = 1 | 2 | 4,
    .read = tpm_read,
    .write = tpm_write,
    .reset = tpm_reset,
    .tick = tpm_tick,
    .free = tpm_free,
};

/* ---- the port of the TPM itself ------------------------------------------- */

/* The board's vendor commands seal to the board's own configuration: its
 * PCRs 0..15 (tpm_vendor.h). */
static uint32_t direct_vendor(tpm_backend_t *b, const uint8_t *cmd, uint32_t len, uint8_t *resp,
                              uint64_t *latency, char *err, size_t errlen)
{
    uint8_t pcr[16][32];
    long rc = tpm_pcr_read(b, 0, 8, pcr, latency, err, errlen);
    if (rc == 0)
        rc = tpm_pcr_read(b, 8, 8, pcr + 8, latency, err, errlen);
    if (rc < 0)
        return 0;
    if (rc > 0) { /* no PCRs to bind to (before Startup): the TPM's answer */
        uint32_t r = (uint32_t)rc;
        uint8_t h[10] = {0x80, 0x01, 0, 0, 0, 10, r >> 24, r >> 16, r >> 8, r};
        memcpy(resp, h, sizeof h);
        return 10;
    }
    uint8_t binding[32];
    tpm_binding("board", pcr, binding);
    return tpm_vendor_execute(b, binding, cmd, len, resp, latency, err, errlen);
}

static uint32_t direct_run(void *opaque, unsigned locality, const uint8_t *cmd, uint32_t len,
                           uint8_t *resp, uint64_t now, uint64_t *done, char *err, size_t errlen)
{
    uint32_t cc = len >= 10 ? be32(cmd + 6) : 0;
    if (tpm_vendor_command(cc)) {
        uint64_t latency = 0;
        uint32_t n = direct_vendor(opaque, cmd, len, resp, &latency, err, errlen);
        *done = now + latency;
        return n;
    }
    *done = now + tpm_latency(cc);
    return tpm_backend_execute(opaque, locality, cmd, len, resp, err, errlen);
}

static void direct_reset(void *opaque)
{
    char err[256];
    if (tpm_backend_reset(opaque, err, sizeof err) != 0)
        fprintf(stderr, "trapvisor: tpm: %s\n", err);
}

static void direct_close(void *opaque) { tpm_backend_close(opaque); }

struct tpm_port tpm_port_direct(tpm_backend_t *b)
{
    return (struct tpm_port){direct_run, direct_reset, direct_close, b, NULL};
}

tpm_backend_t *tpm_backend_of(const tpm_t *t)
{
    return t->port.run == direct_run ? t->port.opaque : NULL;
}

tpm_t *tpm_new(iobus_t *io, unsigned bus, unsigned slot, bool big_endian,
               const struct tpm_port *port, char *err, size_t errlen)
{
    struct tpm *t = calloc(1, sizeof *t);
    if (!t) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    t->port = *port;
    t->big_endian = big_endian;
    t->active = -1;
    if (iobus_attach(io, bus, slot, &tpm_ops, t, &t->link) != 0) {
        snprintf(err, errlen, "bus%u.slot%u: cannot attach the TPM", bus, slot);
        free(t);
        return NULL;
    }
    return t;
}

void tpm_get_stats(const tpm_t *t, struct tpm_stats *out) { *out = t->st; }

void tpm_set_trace(tpm_t *t, tpm_trace_fn fn, void *opaque)
{
    t->trace = fn;
    t->trace_opaque = opaque;
}

unsigned tpm_cc_slot(uint32_t cc)
{
    if (cc < 0x200)
        return cc;
    return tpm_vendor_command(cc) ? 0x200 + (cc - TPM_CC_TV_SEAL) : TPM_CC_SLOTS;
}

uint32_t tpm_slot_cc(unsigned slot)
{
    return slot < 0x200 ? slot : TPM_CC_TV_SEAL + (slot - 0x200);
}

const char *tpm_cc_name(uint32_t cc)
{
    static const struct {
        uint32_t cc;
        const char *name;
    } names[] = {
        {0x11F, "NV_UndefineSpaceSpecial"},
        {0x121, "HierarchyControl"},
        {0x122, "NV_UndefineSpace"},
        {0x126, "Clear"},
        {0x128, "HierarchyChangeAuth"},
        {0x12A, "NV_DefineSpace"},
        {0x131, "CreatePrimary"},
        {0x137, "NV_Write"},
        {0x13C, "PCR_Event"},
        {0x13D, "PCR_Reset"},
        {0x143, "SelfTest"},
        {0x144, "Startup"},
        {0x145, "Shutdown"},
        {0x14E, "NV_Read"},
        {0x153, "Create"},
        {0x157, "Load"},
        {0x158, "Quote"},
        {0x15C, "SequenceUpdate"},
        {0x15E, "Unseal"},
        {0x161, "ContextLoad"},
        {0x162, "ContextSave"},
        {0x165, "FlushContext"},
        {0x16B, "PolicySecret"},
        {0x173, "ReadPublic"},
        {0x176, "StartAuthSession"},
        {0x17A, "GetCapability"},
        {0x17B, "GetRandom"},
        {0x17D, "Hash"},
        {0x17E, "PCR_Read"},
        {0x17F, "PolicyPCR"},
        {0x182, "PCR_Extend"},
        {0x185, "EventSequenceComplete"},
        {0x186, "HashSequenceStart"},
        {0x189, "PolicyGetDigest"},
        {0x191, "CreateLoaded"},
        {TPM_CC_TV_SEAL, "TV_Seal"},
        {TPM_CC_TV_UNSEAL, "TV_Unseal"},
    };
    for (size_t i = 0; i < sizeof names / sizeof *names; i++)
        if (names[i].cc == cc)
            return names[i].name;
    return NULL;
}

/* ---- the device class ----------------------------------------------------- */

#define TPM_PATH_MAX 1024
struct tpm_settings {
    char state[TPM_PATH_MAX]; /* its persistent state file */
    uint64_t seed;            /* its entropy */
};

static void tpm_defaults(void *settings)
{
    struct tpm_settings *s = settings;
    strcpy(s->state, "");
    s->seed = 1;
}

static int tpm_set(void *settings, const char *key, const char *v, char *err, size_t errlen)
{
    struct tpm_settings *s = settings;
    if (strcmp(key, "seed") == 0) {
        if (!parse_u64(v, &s->seed)) {
            snprintf(err, errlen, "tpm seed: '%s' is not a number", v);
            return -1;
        }
        return 0;
    }
    if (strcmp(key, "state") != 0)
        return 1;
    if (strlen(v) >= sizeof s->state) {
        snprintf(err, errlen, "tpm state: path too long");
        return -1;
    }
    strcpy(s->state, v);
    return 0;
}

static int tpm_check(const void *settings, char *err, size_t errlen)
{
    const struct tpm_settings *s = settings;
    if (!s->state[0]) {
        snprintf(err, errlen, "tpm: needs state = FILE (its persistent state; created if absent)");
        return -1;
    }
    return 0;
}

static void *tpm_attach(const struct dev_host *h, unsigned bus, unsigned slot, const void *settings,
                        char *err, size_t errlen)
{
    const struct tpm_settings *s = settings;
    struct tpm_port port;
    if (h->tpm_port) { /* a guest's copy: the monitor's multiplexer */
        if (h->tpm_port(h->tpm_opaque, bus, slot, &port, err, errlen) != 0)
            return NULL;
    } else {
        tpm_backend_t *b = tpm_libtpms_open(s->state, s->seed, err, errlen);
        if (!b)
            return NULL;
        port = tpm_port_direct(b);
    }
    tpm_t *t = tpm_new(h->io, bus, slot, h->big_endian, &port, err, errlen);
    if (!t && port.close)
        port.close(port.opaque);
    return t;
}

const struct dev_class tpm_class = {
    .name = "tpm",
    .keys = "state, seed",
    .settings_size = sizeof(struct tpm_settings),
    .defaults = tpm_defaults,
    .set = tpm_set,
    .check = tpm_check,
    .attach = tpm_attach,
    .shareable = true, /* a guest that does not own its bus gets a multiplexed copy */
};
