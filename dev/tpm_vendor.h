/*
 * dev/tpm_vendor.h — the board TPM's two vendor commands, seal and unseal a
 * secret to a platform configuration, and the physical-PCR helpers they
 * and the monitor's multiplexer share. docs/hardware.md, "TPM vendor
 * commands"; docs/vmm.md, "Sealing".
 *
 * A configuration is bound as a 32-byte binding (tpm_binding: who, and
 * PCRs 0..15). Sealing makes a sealed keyedhash object under the owner
 * hierarchy's storage primary whose only authorization is PolicyPCR over
 * PCRs 17 (the measured launch) and 20 (loaded with the binding at
 * locality 2, which a locality-0 command can neither reset nor extend).
 * Unsealing loads the binding of the asking configuration into PCR 20,
 * satisfies the policy in a fresh session and unseals: the TPM itself
 * refuses (TPM_RC_POLICY_FAIL) when the binding or the launch differs.
 * PCR 20 is reset again afterwards, so it never keeps anybody's binding.
 */
#ifndef DEV_TPM_VENDOR_H
#define DEV_TPM_VENDOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dev/tpm_backend.h"

#define TPM_CC_TV_SEAL   0x20000001u /* TPM2B data (1..TPM_SEAL_MAX) -> TPM2B blob */
#define TPM_CC_TV_UNSEAL 0x20000002u /* TPM2B blob -> TPM2B data */
#define TPM_SEAL_MAX     128u        /* the largest secret */
#define TPM_BLOB_MAX     1024u       /* the largest blob seal answers */

#define TPM_PCR_LAUNCH   17u /* the measured monitor (tpm_backend_launch) */
#define TPM_PCR_SEAL     20u /* a binding, only while a seal or unseal runs */
#define TPM_PCR_COMPOUND 21u /* the multiplexer's compound configuration */

/* SHA-256("trapvisor binding v1" NUL || who NUL || pcr[0] .. pcr[15]). */
void tpm_binding(const char *who, const uint8_t pcr[16][32], uint8_t out[32]);

/* Is cc one of the vendor commands? */
bool tpm_vendor_command(uint32_t cc);

/* Execute a vendor command (cmd: a whole command) for the configuration
 * bound as binding: the response into resp, its length; *latency grows by
 * the device cycles of the physical commands it ran. Malformed commands and
 * refusals get a TPM error response; 0 only when the backend failed (*err). */
uint32_t tpm_vendor_execute(tpm_backend_t *b, const uint8_t binding[32], const uint8_t *cmd,
                            uint32_t len, uint8_t *resp, uint64_t *latency, char *err,
                            size_t errlen);

/* Physical PCR pcr reset and extended once with d at locality 2 (PCR 20,
 * 21, 22): 0, a TPM response code, or -1 when the backend failed (*err). */
long tpm_pcr_load(tpm_backend_t *b, unsigned pcr, const uint8_t d[32], uint64_t *latency, char *err,
                  size_t errlen);

/* The SHA-256 bank of the physical PCRs first..first+n-1 (n <= 8) into
 * out: 0, a TPM response code, or -1 (*err). */
long tpm_pcr_read(tpm_backend_t *b, unsigned first, unsigned n, uint8_t out[][32],
                  uint64_t *latency, char *err, size_t errlen);

#endif
