/*
 * fuzz/fuzz_monitor.c — libFuzzer target: two guests under the monitor
 * whose kernel-mode instruction stream is the fuzz input (the same bytes in
 * both, entered at guest-physical 0x1000 with the vCPU in virtual kernel
 * mode), run for a bounded number of instructions, in the trap model the
 * input's first byte picks (bit 0: resident, bit 1: its random policy; the
 * code follows its first word). The oracle: host RAM outside both
 * partitions — including the monitor's reserved RAM and the resident code
 * page — and the boot ROM are byte for byte what they were, but for the
 * resident portion's own data pages (which its code writes: save area,
 * counters). LLVMFuzzerInitialize first proves that the oracle fires (a
 * byte changed outside is caught).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "machine/rom.h"
#include "vmm/vmm_priv.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define BOARD_RAM (8u << 20)
#define ENTRY     0x1000u

static struct vmm_config cfgs[3]; /* direct, resident unused, resident random */
static uint8_t *before_ram, *before_rom;

/* In a partition, or a resident data page (written by the monitor's own code). */
static bool inside_a_partition(vmm_t *v, uint32_t pa)
{
    for (unsigned i = 0; i < v->n; i++) {
        const struct vmm_guest_config *g = v->guests[i]->cfg;
        struct vmm_resident_view rv;
        if (pa - g->ram_base < g->ram_size || (vmm_guest_resident(v, i, &rv) && pa == rv.data_hpa))
            return true;
    }
    return false;
}

static void snapshot(vmm_t *v, uint8_t *ram, uint8_t *rom)
{
    if (phys_dump(v->phys, 0, ram, BOARD_RAM) != 0 || phys_dump(v->phys, ROM_BASE, rom, ROM_SIZE))
        abort();
}

/* The oracle: 0 when nothing outside the partitions changed. */
static int changed_outside(vmm_t *v)
{
    static uint8_t ram[BOARD_RAM], rom[ROM_SIZE];
    snapshot(v, ram, rom);
    if (memcmp(rom, before_rom, ROM_SIZE) != 0)
        return 1;
    for (uint32_t pa = 0; pa < BOARD_RAM; pa += 4096)
        if (!inside_a_partition(v, pa) && memcmp(ram + pa, before_ram + pa, 4096) != 0)
            return 1;
    return 0;
}

static vmm_t *start(const struct vmm_config *cfg, const uint8_t *code, size_t size)
{
    char err[512];
    vmm_t *v = vmm_new(cfg, err, sizeof err);
    if (!v)
        abort();
    snapshot(v, before_ram, before_rom);
    for (unsigned i = 0; i < v->n; i++) {
        struct guest *g = v->guests[i];
        if (phys_load(v->phys, g->cfg->ram_base + ENTRY, code, size) != 0)
            abort();
        g->pc = 0x80000000u | ENTRY; /* kseg0 of its own RAM */
        g->cp0.status = 0;           /* virtual kernel mode, BEV off */
    }
    return v;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    char err[512];
    static const char *const model[3][2] = {{"vmm.traps=direct", "vmm.relocation=unused"},
                                            {"vmm.traps=resident", "vmm.relocation=unused"},
                                            {"vmm.traps=resident", "vmm.relocation=random"}};
    for (unsigned m = 0; m < 3; m++) {
        struct vmm_config *c = &cfgs[m];
        if (!vmm_config_default(c) || vmm_config_set(c, "board.ram=8M", err, sizeof err) ||
            vmm_config_set(c, "bus0.slot0.input=none", err, sizeof err) ||
            vmm_config_set(c, "bus0.slot0.output=/dev/null", err, sizeof err) ||
            vmm_config_set(c, "guest0.ram=2M", err, sizeof err) ||
            vmm_config_set(c, "guest1.ram=2M", err, sizeof err) ||
            vmm_config_set(c, model[m][0], err, sizeof err) ||
            vmm_config_set(c, model[m][1], err, sizeof err))
            abort();
    }
    before_ram = malloc(BOARD_RAM);
    before_rom = malloc(ROM_SIZE);
    if (!before_ram || !before_rom)
        abort();
    /* The oracle fires: a byte of the monitor's reserved RAM changed. */
    static const uint8_t nops[16];
    vmm_t *v = start(&cfgs[0], nops, sizeof nops);
    uint8_t x = 0x5A;
    if (changed_outside(v) != 0 || phys_load(v->phys, BOARD_RAM - 16, &x, 1) != 0 ||
        changed_outside(v) != 1)
        abort();
    vmm_free(v);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 8 || size > 4096)
        return 0;
    const struct vmm_config *cfg = &cfgs[(data[0] & 1) ? 1 + ((data[0] >> 1) & 1) : 0];
    vmm_t *v = start(cfg, data + 4, (size - 4) & ~(size_t)3);
    vmm_run(v, 30000);
    if (changed_outside(v))
        abort(); /* a guest reached memory outside its partition */
    vmm_free(v);
    return 0;
}
