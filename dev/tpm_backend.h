/*
 * dev/tpm_backend.h — what executes the commands a TPM device receives: a
 * small interface between the register model (dev/tpm.c) and the TPM
 * behind it. The one backend is libtpms (dev/tpm_libtpms.c): a TPM 2.0 whose
 * persistent state lives in a host file. libtpms keeps one TPM per process,
 * so there is at most one libtpms backend at a time (the physical TPM of a
 * run); the monitor's multiplexer shares it between guests.
 */
#ifndef DEV_TPM_BACKEND_H
#define DEV_TPM_BACKEND_H

#include <stddef.h>
#include <stdint.h>

#define TPM_BUFFER_MAX 4096 /* the largest command or response (TPMLIB_SetBufferSize) */

typedef struct tpm_backend tpm_backend_t;

/* The TPM: its state from state_path (created on first use: a manufactured
 * TPM 2.0), every change written back atomically; its entropy from seed
 * (the same seed, the same random numbers, keys and seeds: a simulator's
 * TPM, never one for real secrets). NULL with a message (a second one
 * while one lives, an unreadable or corrupt state file). */
tpm_backend_t *tpm_libtpms_open(const char *state_path, uint64_t seed, char *err, size_t errlen);
void tpm_backend_close(tpm_backend_t *b);

/* Execute one command (a complete TPM 2.0 command: header and parameters)
 * issued at locality 0..4 into resp (at most TPM_BUFFER_MAX bytes): its
 * length. A malformed command gets the TPM's own error response, never a
 * failure; 0 only when the backend itself failed (its state file could
 * not be written: *err). */
uint32_t tpm_backend_execute(tpm_backend_t *b, unsigned locality, const uint8_t *cmd, uint32_t len,
                             uint8_t *resp, char *err, size_t errlen);

/* The dynamic launch (TCG _TPM_Hash_Start/Data/End, the TPM's locality-4
 * interface, which no command can reach): PCRs 17..22 reset to zero, then
 * PCR 17 extended with the SHA-256 of the n parts given. The firmware's or
 * monitor's own measurement, never a guest's. 0, or -1 with a message. */
int tpm_backend_launch(tpm_backend_t *b, const void *const *parts, const size_t *sizes, unsigned n,
                       char *err, size_t errlen);

/* Power cycle: the TPM loses its volatile state (the next command must be
 * TPM2_Startup), keeps its persistent state. 0, or -1 with a message. */
int tpm_backend_reset(tpm_backend_t *b, char *err, size_t errlen);

/* Did the last state write fail (a full disk)? The message, or NULL. */
const char *tpm_backend_error(const tpm_backend_t *b);

#endif
