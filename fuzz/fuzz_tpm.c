/*
 * fuzz/fuzz_tpm.c — libFuzzer target: the guest-facing path of the TPM
 * multiplexer. A guest's TPM device (dev/tpm.c, the TIS registers) over the
 * monitor's port (vmm/vtpm.c) of a two-guest monitor, driven by the input
 * as a guest driver would: register reads and writes of 1, 2 or 4 bytes at
 * any locality, whole commands poured into the FIFO, time passing. So every
 * command the fuzzer can build — malformed, truncated, oversized, the vendor
 * seal and unseal — reaches the multiplexer through the registers. The
 * oracle, besides ASan/UBSan: the other guest's virtual PCRs never change,
 * its own object in the physical TPM stays usable (no command of this
 * guest's can name, flush or evict it for good), and the device answers
 * every access (never a bus error).
 *
 * Input: a list of operations, each one opcode byte then its operands:
 *   op & 3 == 0  read   [reg]            op >> 2: locality (0..4), size
 *   op & 3 == 1  write  [reg] [value]
 *   op & 3 == 2  time   [n]              n * 65536 device cycles pass
 *   op & 3 == 3  pour   [n] n bytes       into locality 0's FIFO, then tpmGo
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dev/devclass.h"
#include "dev/tpm.h"
#include "mmu/phys.h"
#include "vmm/vmm_priv.h"
#include "vmm/vtpm.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct vmm_config cfg;
static vmm_t *vmm;
static struct tpm_port port, bport;
static uint8_t other_pcr[24][32];
static uint64_t now, scheduled;

static uint64_t clock_now(void *o)
{
    (void)o;
    return now;
}
static void clock_schedule(void *o, uint64_t when)
{
    (void)o;
    if (when < scheduled)
        scheduled = when;
}
static void line(void *o, unsigned l, bool level) { (void)o, (void)l, (void)level; }

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    char state[64], ini[80], err[512];
    snprintf(state, sizeof state, "/tmp/tv-fuzz-tpm-%d", (int)getpid());
    snprintf(ini, sizeof ini, "%s.ini", state);
    unlink(state);
    FILE *f = fopen(ini, "w");
    if (!f)
        abort();
    fprintf(f,
            "[board]\nram = 32M\nbuses = 1\n[bus0.slot0]\ntype = uart\ninput = none\n"
            "output = /dev/null\n[bus0.slot1]\ntype = timer\n[bus0.slot2]\ntype = power\n"
            "[bus0.slot3]\ntype = tpm\nstate = %s\n[guest0]\nname = a\nram = 8M\n"
            "buses = none\n[guest1]\nname = b\nram = 8M\nbuses = none\n",
            state);
    fclose(f);
    if (!vmm_config_default(&cfg) || vmm_config_load(&cfg, ini, err, sizeof err) != 0 ||
        !(vmm = vmm_new(&cfg, err, sizeof err))) {
        fprintf(stderr, "fuzz_tpm: %s\n", err);
        abort();
    }
    unlink(ini);
    /* Guest a's port, as its device got it; guest b's PCRs are the oracle. */
    struct dev_host h = {0};
    vtpm_module.guest_dev_host(vmm_module_state(vmm, &vtpm_module), vmm->guests[0], &h);
    if (h.tpm_port(h.tpm_opaque, 0, 3, &port, err, sizeof err) != 0)
        abort();
    /* Guest b started, its PCR 16 extended: PCRs that are not all zeros. */
    vtpm_module.guest_dev_host(vmm_module_state(vmm, &vtpm_module), vmm->guests[1], &h);
    if (h.tpm_port(h.tpm_opaque, 0, 3, &bport, err, sizeof err) != 0)
        abort();
    static const uint8_t startup[] = {0x80, 0x01, 0, 0, 0, 12, 0, 0, 0x01, 0x44, 0, 0};
    static const uint8_t event[] = {0x80, 0x02, 0, 0, 0, 34,  0,    0,   0x01, 0x3C, 0, 0,
                                    0,    16,   0, 0, 0, 9,   0x40, 0,   0,    9,    0, 0,
                                    0,    0,    0, 0, 5, 'h', 'e',  'l', 'l',  'o'};
    uint8_t resp[TPM_BUFFER_MAX];
    uint64_t done;
    if (bport.run(bport.opaque, 0, startup, sizeof startup, resp, 0, &done, err, sizeof err) !=
            10 ||
        bport.run(bport.opaque, 0, event, sizeof event, resp, 0, &done, err, sizeof err) < 10 ||
        resp[9] != 0)
        abort();
    /* And an object of b's own: an ECC storage primary (handle 0x80000100). */
    static const uint8_t create_primary[] = {
        0x80, 0x02, 0,    0,    0,    67,   0,    0,    0x01, 0x31, 0x40, 0, 0,    1, 0,   0, 0,
        9,    0x40, 0,    0,    9,    0,    0,    0,    0,    0,    0,    4, 0,    0, 0,   0, 0,
        26,   0,    0x23, 0,    0x0B, 0,    0x03, 0x04, 0x72, 0,    0,    0, 0x06, 0, 128, 0, 0x43,
        0,    0x10, 0,    0x03, 0,    0x10, 0,    0,    0,    0,    0,    0, 0,    0, 0,   0};
    if (bport.run(bport.opaque, 0, create_primary, sizeof create_primary, resp, 0, &done, err,
                  sizeof err) < 14 ||
        resp[9] != 0 || resp[10] != 0x80 || resp[13] != 0)
        abort();
    struct vmm_tpm_view tv;
    if (!vmm_guest_tpm(vmm, 1, &tv))
        abort();
    memcpy(other_pcr, tv.pcr, sizeof other_pcr);
    return 0;
}

static const uint32_t regs[] = {
    TPM_ACCESS,     TPM_INT_ENABLE,   TPM_INT_VECTOR, TPM_INT_STATUS, TPM_INTF_CAPABILITY,
    TPM_STS,        TPM_STS + 1,      TPM_STS + 2,    TPM_STS + 3,    TPM_DATA_FIFO,
    TPM_XDATA_FIFO, TPM_INTERFACE_ID, TPM_DID_VID,    TPM_RID,        0x7FF,
};

static uint32_t at(unsigned loc, uint8_t reg)
{
    uint32_t off = reg < sizeof regs / sizeof *regs ? regs[reg] : (uint32_t)reg * 16u;
    return iobus_slot_base(0, 3) + SLOT_DEV_BASE + (loc % TPM_LOCALITIES) * 0x1000u + off;
}

/* A register write: the device answers every one (else the oracle fires). */
static void wr(phys_t *p, uint32_t addr, unsigned size, uint32_t v)
{
    if (phys_write(p, addr, size, v) != PHYS_OK)
        abort();
}

static void run_ops(phys_t *p, iobus_t *io, const uint8_t *d, size_t n)
{
    static const unsigned sizes[] = {1, 2, 4, 1};
    for (size_t i = 0; i < n;) {
        uint8_t op = d[i++];
        unsigned loc = (op >> 2) % TPM_LOCALITIES, size = sizes[(op >> 5) & 3];
        uint32_t v = 0;
        switch (op & 3) {
        case 0:
            if (i < n && phys_read(p, at(loc, d[i++]) & ~(size - 1), size, &v) != PHYS_OK)
                abort();
            break;
        case 1:
            if (i + 1 < n)
                wr(p, at(loc, d[i]) & ~(size - 1), size, d[i + 1]);
            i += 2;
            break;
        case 2:
            if (i < n)
                now += (uint64_t)d[i++] << 16;
            iobus_tick(io, now);
            break;
        case 3: {
            size_t len = i < n ? d[i++] : 0;
            wr(p, at(0, 0), 1, TPM_ACCESS_REQUEST);
            wr(p, at(0, 5), 1, TPM_STS_READY);
            for (size_t k = 0; k < len && i < n; k++)
                wr(p, at(0, 9), 1, d[i++]);
            wr(p, at(0, 5), 1, TPM_STS_GO);
            break;
        }
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    phys_t *p = phys_new(1u << 20, true);
    iobus_t *io = iobus_new(p, 1, line, NULL);
    if (!p || !io)
        abort();
    now = 0;
    scheduled = IODEV_NO_EVENT;
    iobus_set_clock(io, &(struct iobus_clock){clock_now, clock_schedule, NULL});
    char err[256];
    struct tpm_port mine = port;
    mine.close = NULL; /* the multiplexer's port outlives this device */
    tpm_t *t = tpm_new(io, 0, 3, true, &mine, err, sizeof err);
    if (!t)
        abort();
    port.reset(port.opaque); /* guest a starts afresh: its next command is Startup */
    run_ops(p, io, data, size);
    now += 1u << 30; /* whatever is still running completes */
    iobus_tick(io, now);
    iobus_free(io);
    phys_free(p);
    struct vmm_tpm_view tv;
    if (!vmm_guest_tpm(vmm, 1, &tv) || memcmp(tv.pcr, other_pcr, sizeof other_pcr) != 0) {
        fprintf(stderr, "fuzz_tpm: guest a's commands changed guest b's PCRs\n");
        abort();
    }
    static const uint8_t read_public[] = {0x80, 1, 0, 0, 0, 14, 0, 0, 0x01, 0x73, 0x80, 0, 1, 0};
    uint8_t resp[TPM_BUFFER_MAX];
    uint64_t done;
    if (bport.run(bport.opaque, 0, read_public, sizeof read_public, resp, 0, &done, err,
                  sizeof err) < 10 ||
        resp[6] | resp[7] | resp[8] | resp[9]) {
        fprintf(stderr, "fuzz_tpm: guest b's object is gone after guest a's commands\n");
        abort();
    }
    return 0;
}
