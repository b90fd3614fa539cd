/*
 * dev/tpm_libtpms.c — the libtpms backend (tpm_backend.h): a TPM 2.0 whose
 * persistent state ("permall") lives in one host file, written through
 * file_replace_atomic on every change. libtpms has one TPM per process and
 * calls its NV hooks without an argument to say whose state it is: the
 * backend is a singleton, refused while one lives.
 *
 * libtpms's NV protocol: at TPMLIB_MainInit it asks for "permall"
 * (TPM_RETRY when there is none: it manufactures a fresh TPM and stores
 * it); it stores "permall" after every command that changes it. The
 * volatile states ("volatilestate", "savestate", for TPM2_Shutdown(STATE))
 * are kept in memory only: a new run starts with TPM2_Startup(CLEAR).
 *
 * Determinism: libtpms draws its entropy from OpenSSL's RAND_bytes; while a
 * TPM is open, OpenSSL's generator is replaced by one seeded with the
 * backend's seed (splitmix64: reproducible, not secret), so the same seed
 * gives the same TPM answers run after run. What libtpms reads of the host
 * clock (TPM2_ReadClock, the clock info in quotes) still follows the host.
 */
#define OPENSSL_SUPPRESS_DEPRECATED /* RAND_set_rand_method: the one way in */
#include "dev/tpm_backend.h"

#include <libtpms/tpm_error.h>
#include <libtpms/tpm_library.h>
#include <libtpms/tpm_memory.h>
#include <libtpms/tpm_nvfilename.h>
#include <libtpms/tpm_tis.h>
#include <openssl/rand.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/fileio.h"

#define STATE_MAX (1u << 20) /* a permanent state is ~10 KiB */

struct tpm_backend {
    char path[4096];
    unsigned char *resp; /* libtpms's response buffer (TPM_Malloc), reused */
    uint32_t resp_cap;
    char error[600];               /* the last state write that failed, "" none */
    const RAND_METHOD *saved_rand; /* OpenSSL's generator before this TPM */
};

static struct tpm_backend *the; /* libtpms's one TPM (NULL: none open) */
static uint64_t rng_state;      /* the seeded generator OpenSSL serves libtpms from */
static unsigned cur_locality;   /* of the command being executed */

static TPM_RESULT nv_init(void) { return TPM_SUCCESS; }

static TPM_RESULT nv_load(unsigned char **data, uint32_t *length, uint32_t tpm_number,
                          const char *name)
{
    (void)tpm_number;
    if (!the || strcmp(name, TPM_PERMANENT_ALL_NAME) != 0)
        return TPM_RETRY; /* nothing kept: libtpms starts without it */
    unsigned char *buf;
    size_t len;
    char err[512];
    int rc = file_read_all(the->path, STATE_MAX, &buf, &len, err, sizeof err);
    if (rc == 1)
        return TPM_RETRY; /* a new TPM: manufactured, then stored */
    if (rc != 0) {
        snprintf(the->error, sizeof the->error, "%s", err);
        return TPM_FAIL;
    }
    TPM_RESULT r = TPM_Malloc(data, (uint32_t)len);
    if (r == TPM_SUCCESS) {
        memcpy(*data, buf, len);
        *length = (uint32_t)len;
    }
    free(buf);
    return r;
}

static TPM_RESULT nv_store(const unsigned char *data, uint32_t length, uint32_t tpm_number,
                           const char *name)
{
    (void)tpm_number;
    if (!the || strcmp(name, TPM_PERMANENT_ALL_NAME) != 0)
        return TPM_SUCCESS; /* volatile states: not kept across runs */
    char err[512];
    if (file_replace_atomic(the->path, data, length, err, sizeof err) != 0) {
        snprintf(the->error, sizeof the->error, "TPM state %s", err);
        return TPM_FAIL;
    }
    return TPM_SUCCESS;
}

static TPM_RESULT nv_delete(uint32_t tpm_number, const char *name, TPM_BOOL must_exist)
{
    (void)tpm_number;
    (void)name;
    (void)must_exist;
    return TPM_SUCCESS; /* the file is replaced, never removed */
}

static TPM_RESULT io_init(void) { return TPM_SUCCESS; }

static TPM_RESULT io_locality(TPM_MODIFIER_INDICATOR *locality, uint32_t tpm_number)
{
    (void)tpm_number;
    *locality = (TPM_MODIFIER_INDICATOR)cur_locality;
    return TPM_SUCCESS;
}

static TPM_RESULT io_presence(TPM_BOOL *present, uint32_t tpm_number)
{
    (void)tpm_number;
    *present = FALSE;
    return TPM_SUCCESS;
}

/* ---- deterministic entropy -------------------------------------------------- */

static uint64_t next(void)
{
    uint64_t z = (rng_state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static int rand_bytes(unsigned char *buf, int num)
{
    for (int i = 0; i < num; i += 8) {
        uint64_t v = next();
        for (int k = 0; k < 8 && i + k < num; k++)
            buf[i + k] = (unsigned char)(v >> (8 * k));
    }
    return 1;
}

static int rand_seed(const void *buf, int num)
{
    (void)buf;
    (void)num;
    return 1; /* added entropy is ignored: the seed decides */
}

static int rand_add(const void *buf, int num, double randomness)
{
    (void)randomness;
    return rand_seed(buf, num);
}

static int rand_status(void) { return 1; }

static const RAND_METHOD seeded = {rand_seed, rand_bytes, NULL, rand_add, rand_bytes, rand_status};

static int start(struct tpm_backend *b, char *err, size_t errlen)
{
    static struct libtpms_callbacks cbs = {
        .sizeOfStruct = sizeof cbs,
        .tpm_nvram_init = nv_init,
        .tpm_nvram_loaddata = nv_load,
        .tpm_nvram_storedata = nv_store,
        .tpm_nvram_deletename = nv_delete,
        .tpm_io_init = io_init,
        .tpm_io_getlocality = io_locality,
        .tpm_io_getphysicalpresence = io_presence,
    };
    b->error[0] = 0;
    if (TPMLIB_ChooseTPMVersion(TPMLIB_TPM_VERSION_2) != TPM_SUCCESS ||
        TPMLIB_RegisterCallbacks(&cbs) != TPM_SUCCESS) {
        snprintf(err, errlen, "libtpms: cannot select a TPM 2.0");
        return -1;
    }
    TPMLIB_SetBufferSize(TPM_BUFFER_MAX, NULL, NULL);
    if (TPMLIB_MainInit() != TPM_SUCCESS) {
        snprintf(err, errlen, "libtpms: cannot start the TPM: %s",
                 b->error[0] ? b->error : "its state file is not a TPM 2.0 state");
        return -1;
    }
    return 0;
}

tpm_backend_t *tpm_libtpms_open(const char *state_path, uint64_t seed, char *err, size_t errlen)
{
    if (the) {
        snprintf(err, errlen, "one TPM per run: libtpms holds a single TPM per process");
        return NULL;
    }
    struct tpm_backend *b = calloc(1, sizeof *b);
    if (!b || strlen(state_path) >= sizeof b->path) {
        snprintf(err, errlen, b ? "%s: path too long" : "out of memory", state_path);
        free(b);
        return NULL;
    }
    strcpy(b->path, state_path);
    the = b;
    rng_state = seed;
    b->saved_rand = RAND_get_rand_method();
    if (RAND_set_rand_method(&seeded) != 1) {
        snprintf(err, errlen, "OpenSSL: cannot install the TPM's seeded generator");
        the = NULL;
        free(b);
        return NULL;
    }
    if (start(b, err, errlen) != 0) {
        RAND_set_rand_method(b->saved_rand);
        TPMLIB_Terminate();
        the = NULL;
        free(b);
        return NULL;
    }
    return b;
}

void tpm_backend_close(tpm_backend_t *b)
{
    if (!b)
        return;
    TPMLIB_Terminate();
    TPM_Free(b->resp);
    RAND_set_rand_method(b->saved_rand);
    if (the == b)
        the = NULL;
    free(b);
}

uint32_t tpm_backend_execute(tpm_backend_t *b, unsigned locality, const uint8_t *cmd, uint32_t len,
                             uint8_t *resp, char *err, size_t errlen)
{
    uint32_t resp_len = 0;
    cur_locality = locality;
    b->error[0] = 0;
    /* libtpms takes a writable buffer; it does not keep it. */
    unsigned char copy[TPM_BUFFER_MAX];
    if (len > sizeof copy)
        len = sizeof copy;
    memcpy(copy, cmd, len);
    TPM_RESULT r = TPMLIB_Process(&b->resp, &resp_len, &b->resp_cap, copy, len);
    if (b->error[0]) {
        snprintf(err, errlen, "%s", b->error);
        return 0;
    }
    if (r != TPM_SUCCESS || resp_len < 10 || resp_len > TPM_BUFFER_MAX) {
        snprintf(err, errlen, "libtpms: no response (%u)", (unsigned)r);
        return 0;
    }
    memcpy(resp, b->resp, resp_len);
    return resp_len;
}

int tpm_backend_launch(tpm_backend_t *b, const void *const *parts, const size_t *sizes, unsigned n,
                       char *err, size_t errlen)
{
    b->error[0] = 0;
    cur_locality = 4;
    TPM_RESULT r = TPM_IO_Hash_Start();
    for (unsigned i = 0; i < n && r == TPM_SUCCESS; i++)
        for (size_t at = 0; at < sizes[i] && r == TPM_SUCCESS;) {
            uint32_t chunk = sizes[i] - at > 4096 ? 4096 : (uint32_t)(sizes[i] - at);
            r = TPM_IO_Hash_Data((const unsigned char *)parts[i] + at, chunk);
            at += chunk;
        }
    if (r == TPM_SUCCESS)
        r = TPM_IO_Hash_End();
    if (b->error[0] || r != TPM_SUCCESS) {
        snprintf(err, errlen, "libtpms: the launch measurement failed: %s",
                 b->error[0] ? b->error : "the TPM refused it");
        return -1;
    }
    return 0;
}

int tpm_backend_reset(tpm_backend_t *b, char *err, size_t errlen)
{
    TPMLIB_Terminate();
    return start(b, err, errlen);
}

const char *tpm_backend_error(const tpm_backend_t *b) { return b->error[0] ? b->error : NULL; }
