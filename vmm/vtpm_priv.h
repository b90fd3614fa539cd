/*
 * vmm/vtpm_priv.h — inside the TPM multiplexer: its per-guest state and
 * the objects and sessions guests create in the physical TPM
 * (vmm/vtpm_objects.c). Only vtpm.c and vtpm_objects.c include it.
 */
#ifndef VMM_VTPM_PRIV_H
#define VMM_VTPM_PRIV_H

#include <openssl/evp.h>
#include <stdbool.h>
#include <stdint.h>

#include "dev/tpm_backend.h"
#include "vmm/vmm_priv.h"

#define NPCR         24
#define SEQ_HANDLE   0x80FFFF00u /* a guest's event sequence (one at a time) */
#define RC_SUCCESS   0x000u
#define RC_INIT      0x100u /* TPM_RC_INITIALIZE: Startup twice, or a command before it */
#define RC_FAILURE   0x101u
#define RC_CC        0x143u /* TPM_RC_COMMAND_CODE */
#define RC_SIZE      0x095u /* TPM_RC_SIZE (format 1, parameter 1 not given) */
#define RC_HANDLE1   0x18Bu /* TPM_RC_HANDLE, handle 1 */
#define RC_HANDLE2   0x28Bu
#define RC_LOCALITY  0x907u
#define RC_OBJ_MEM   0x902u
#define RC_HASH      0x083u
#define RC_VALUE     0x084u
#define RC_HIERARCHY 0x085u

/* Big-endian fields of TPM commands and responses. */
static inline uint32_t get32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}
static inline uint16_t get16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static inline void put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24), p[1] = (uint8_t)(v >> 16), p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}
static inline void put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)(v >> 8), p[1] = (uint8_t)v; }

/*
 * A guest's object or session in the physical TPM, under the handle the
 * guest knows it by (vh: transient objects 0x80000100 + n, sessions their
 * type byte | 0x000100 + n). Loaded: at physical handle ph; else saved as a
 * context (TPMS_CONTEXT as ContextSave gave it) until a command names it.
 */
#define VOBJ_MAX     16
#define VOBJ_CTX_MAX 2048
struct vobj {
    bool used, loaded, session;
    uint32_t vh, ph;
    uint16_t ctx_len;
    uint8_t ctx[VOBJ_CTX_MAX];
};

struct vguest {
    struct vtpm *mux;
    struct guest *g;
    bool started;
    uint8_t pcr[NPCR][32];
    EVP_MD_CTX *seq;     /* an open event sequence, NULL none */
    uint8_t binding[32]; /* of its PCRs 0..15 as the compound holds them */
    uint32_t last_cc;    /* its last command, for the views */
    uint64_t last_start, last_done;
    struct vobj obj[VOBJ_MAX];
    uint32_t next_id; /* for the next virtual handle */
};

struct vtpm {
    struct vmm *v;
    tpm_backend_t *phys;
    uint64_t busy_until;            /* device cycle the physical TPM is free again */
    uint8_t compound[32];           /* what PCR 21 was last loaded with */
    uint64_t commands, busy_cycles; /* served from the queue, and for how long */
    struct vguest g[VMM_MAX_GUESTS];
};

/* Does cc work on a guest's own objects and sessions in the physical TPM
 * (vtpm_objects.c's table)? */
bool vobj_command(uint32_t cc);
/* Run such a command of vg on the physical TPM: its objects and sessions
 * named by virtual handles, loaded as needed (the others saved out). The
 * response length (0: the backend failed, *err); *latency grows by the
 * physical commands run. */
uint32_t vobj_run(struct vguest *vg, const uint8_t *cmd, uint32_t len, uint8_t *resp,
                  uint64_t *latency, char *err, size_t errlen);
/* Every guest's loaded objects and sessions saved out of the physical TPM
 * (room for the monitor's own: sealing). 0, or -1 (*err). */
int vobj_save_all(struct vtpm *m, uint64_t *latency, char *err, size_t errlen);
/* vg's objects and sessions gone (its TPM reset or restarted). */
void vobj_forget(struct vguest *vg);

#endif
