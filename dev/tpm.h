/*
 * dev/tpm.h — a TPM 2.0 behind the TCG PC Client FIFO interface (the "TIS"
 * register model of the PC Client Platform TPM Profile, PTP), backed by
 * libtpms (dev/tpm_backend.h). docs/hardware.md, "TPM".
 *
 * The TIS block starts at SLOT_DEV_BASE of the slot: five localities of
 * 0x1000 bytes. Registers are little-endian byte-addressed, as on a PC: an
 * access of 1, 2 or 4 bytes at any offset reads or writes those bytes (the
 * FIFO takes or gives one byte per byte accessed, in address order).
 * Offsets within a locality:
 *   0x000 ACCESS        8  tpmRegValidSts 0x80, activeLocality 0x20,
 *                          pendingRequest 0x04, requestUse 0x02 (W),
 *                          tpmEstablishment 0x01 (always 1)
 *   0x008 INT_ENABLE    32 globalIntEnable 1<<31, commandReady 1<<7,
 *                          localityChange 1<<2, stsValid 1<<1, dataAvail 1<<0
 *   0x00C INT_VECTOR    8  (kept, no meaning here)
 *   0x010 INT_STATUS    32 the same bits as INT_ENABLE's low byte, write 1 to clear
 *   0x014 INTF_CAPABILITY 32 those four interrupts, burst count static,
 *                          64-byte transfers, interface version 1.3 for TPM 2.0
 *   0x018 STS           32 stsValid 0x80, commandReady 0x40 (W: ready/abort),
 *                          tpmGo 0x20 (W), dataAvail 0x10, Expect 0x08,
 *                          selfTestDone 0x04, responseRetry 0x02 (W);
 *                          burstCount in bits 23:8; tpmFamily 01 (2.0) in 27:26
 *   0x024 DATA_FIFO     the command in, the response out (also 0x080 XDATA_FIFO)
 *   0x030 INTERFACE_ID  32 FIFO interface (type 0, version 0), locality capable
 *   0xF00 DID_VID       32 device TPM_DID << 16 | vendor TPM_VID
 *   0xF04 RID           8  revision
 * Only the active locality's STS and FIFO answer (others read 0xFF and
 * ignore writes). After tpmGo the response is available TPM_LATENCY_* device
 * cycles later (by command class: deterministic, so a guest polling STS
 * sees "not ready yet"); the data-available interrupt is raised then.
 */
#ifndef DEV_TPM_H
#define DEV_TPM_H

#include <stdint.h>

#include "dev/tpm_backend.h"
#include "iobus/iobus.h"

#define TPM_DEVICE_ID  0x0008u /* the slot header's device (vendor IODEV_VENDOR_TV) */
#define TPM_LOCALITIES 5
#define TPM_REG_SIZE   (TPM_LOCALITIES * 0x1000u)

#define TPM_ACCESS          0x000u
#define TPM_INT_ENABLE      0x008u
#define TPM_INT_VECTOR      0x00Cu
#define TPM_INT_STATUS      0x010u
#define TPM_INTF_CAPABILITY 0x014u
#define TPM_STS             0x018u
#define TPM_DATA_FIFO       0x024u
#define TPM_INTERFACE_ID    0x030u
#define TPM_XDATA_FIFO      0x080u
#define TPM_DID_VID         0xF00u
#define TPM_RID             0xF04u

#define TPM_ACCESS_VALID      0x80u
#define TPM_ACCESS_ACTIVE     0x20u
#define TPM_ACCESS_SEIZED     0x10u
#define TPM_ACCESS_SEIZE      0x08u
#define TPM_ACCESS_PENDING    0x04u
#define TPM_ACCESS_REQUEST    0x02u
#define TPM_ACCESS_ESTABLISHM 0x01u

#define TPM_STS_VALID      0x80u
#define TPM_STS_READY      0x40u
#define TPM_STS_GO         0x20u
#define TPM_STS_DATA_AVAIL 0x10u
#define TPM_STS_EXPECT     0x08u
#define TPM_STS_SELFTEST   0x04u
#define TPM_STS_RETRY      0x02u
#define TPM_STS_FAMILY_2   (1u << 26)
#define TPM_BURST          64u

#define TPM_INT_GLOBAL     (1u << 31)
#define TPM_INT_CMD_READY  (1u << 7)
#define TPM_INT_LOC_CHANGE (1u << 2)
#define TPM_INT_STS_VALID  (1u << 1)
#define TPM_INT_DATA_AVAIL (1u << 0)

#define TPM_VID       0x5456u /* "TV" */
#define TPM_DID       0x0001u
#define TPM_RID_VALUE 1u

/* Device cycles (IOBUS_CLOCK_HZ) from tpmGo to the response. */
#define TPM_LATENCY_FAST   20000u   /* 0.2 ms: most commands */
#define TPM_LATENCY_START  1000000u /* 10 ms: Startup, SelfTest, Clear */
#define TPM_LATENCY_KEYGEN 5000000u /* 50 ms: CreatePrimary, Create, CreateLoaded */

typedef struct tpm tpm_t;

/* Counters by command code: TPM_CC_* (all below 0x200), then the two vendor
 * commands (dev/tpm_vendor.h); tpm_cc_slot gives TPM_CC_SLOTS for others. */
#define TPM_CC_SLOTS 0x202u
unsigned tpm_cc_slot(uint32_t cc);
uint32_t tpm_slot_cc(unsigned slot);

/* What the device did (--stats: io.tpm). */
struct tpm_stats {
    uint64_t commands;            /* tpmGo on a complete command */
    uint64_t by_cc[TPM_CC_SLOTS]; /* by command code (tpm_cc_slot) */
    uint64_t busy_cycles;         /* device time executing (the commands' latencies) */
    uint64_t polls_in_progress;   /* STS reads answered "not ready yet" during Execution */
    uint64_t aborts;              /* commandReady in Reception, Execution or Completion */
    uint64_t failures;            /* the backend failed (its state could not be saved) */
};
void tpm_get_stats(const tpm_t *t, struct tpm_stats *out);

/* One command, for --trace tpm: called at tpmGo, with its response known. */
struct tpm_trace_rec {
    uint32_t cc, locality, cmd_len, resp_len, rc;
    uint64_t start, done; /* device cycles: tpmGo, response available */
};
typedef void (*tpm_trace_fn)(void *opaque, const struct tpm_trace_rec *r);
void tpm_set_trace(tpm_t *t, tpm_trace_fn fn, void *opaque);
/* A command code's name ("PCR_Read"), or NULL when it is not a common one. */
const char *tpm_cc_name(uint32_t cc);

/*
 * What executes the device's commands: the TPM itself (tpm_port_direct, over
 * libtpms), or the monitor's multiplexer for a guest's copy of the device
 * (vmm/vtpm.c), which queues it for the one physical TPM.
 */
struct tpm_port {
    /* Run one command issued at locality at device cycle now: the response
     * into resp (at most TPM_BUFFER_MAX bytes), its length (0: the port
     * failed, *err says why), and in *done the cycle it is available. */
    uint32_t (*run)(void *opaque, unsigned locality, const uint8_t *cmd, uint32_t len,
                    uint8_t *resp, uint64_t now, uint64_t *done, char *err, size_t errlen);
    void (*reset)(void *opaque); /* the machine (or the guest) power-cycles */
    void (*close)(void *opaque); /* the device goes (may be NULL) */
    void *opaque;
    void (*polled)(void *opaque); /* STS read while in progress (may be NULL) */
};
/* The port of the TPM itself over b (the device owns b: closed with it). */
struct tpm_port tpm_port_direct(tpm_backend_t *b);

/* A TPM in (bus, slot) over port (the device owns it: closed with the bus set). */
tpm_t *tpm_new(iobus_t *io, unsigned bus, unsigned slot, bool big_endian,
               const struct tpm_port *port, char *err, size_t errlen);
/* The backend behind a device over tpm_port_direct (the physical TPM), else NULL. */
tpm_backend_t *tpm_backend_of(const tpm_t *t);
/* The latency of a command code (TPM_CC_*). */
uint32_t tpm_latency(uint32_t command_code);

#endif
