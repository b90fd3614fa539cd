/*
 * machine/fdt.c — build the board's device tree with libfdt's sequential
 * writer (see fdt.h for the layout). Every libfdt call is checked: a blob
 * that does not fit is an error, never a truncated tree.
 */
#include "machine/fdt.h"

#include <libfdt.h>
#include <stdio.h>

#include "dev/tpm.h"
#include "machine/rom.h"

#define INTC_PHANDLE 1

#define TRY(expr)                                                                                  \
    do {                                                                                           \
        if ((expr) < 0)                                                                            \
            return -1;                                                                             \
    } while (0)

static int prop_reg(void *fdt, uint32_t base, uint32_t size)
{
    fdt32_t reg[2] = {cpu_to_fdt32(base), cpu_to_fdt32(size)};
    return fdt_property(fdt, "reg", reg, sizeof reg);
}

static int add_device(void *fdt, const struct dev_config *d, unsigned bus, unsigned slot)
{
    char name[48], compat[48];
    uint32_t base = iobus_slot_base(bus, slot);
    snprintf(name, sizeof name, "%s@%x", d->cls->name, base);
    snprintf(compat, sizeof compat, "trapvisor,%s", d->cls->name);
    TRY(fdt_begin_node(fdt, name));
    TRY(fdt_property_string(fdt, "compatible", compat));
    TRY(prop_reg(fdt, base, IOBUS_SLOT_SPAN));
    TRY(fdt_property_u32(fdt, "interrupts", bus * IOBUS_SLOTS + slot));
    TRY(fdt_property_u32(fdt, "slot", slot));
    TRY(fdt_end_node(fdt));
    if (d->cls == &tpm_class) {
        /* Its FIFO registers for a standard driver (Linux's tpm_tis):
         * the same slot, so a partition's tree keeps or drops both. */
        snprintf(name, sizeof name, "tpm-tis@%x", base + SLOT_DEV_BASE);
        TRY(fdt_begin_node(fdt, name));
        TRY(fdt_property_string(fdt, "compatible", "tcg,tpm-tis-mmio"));
        TRY(prop_reg(fdt, base + SLOT_DEV_BASE, TPM_REG_SIZE));
        TRY(fdt_property_u32(fdt, "interrupts", bus * IOBUS_SLOTS + slot));
        TRY(fdt_property_u32(fdt, "slot", slot));
        TRY(fdt_end_node(fdt));
    }
    return 0;
}

static int add_tree(const struct board_config *c, void *fdt)
{
    TRY(fdt_finish_reservemap(fdt));
    TRY(fdt_begin_node(fdt, ""));
    TRY(fdt_property_string(fdt, "compatible", "trapvisor,board"));
    TRY(fdt_property_string(fdt, "model", "trapvisor MIPS32r2 board"));
    TRY(fdt_property_u32(fdt, "#address-cells", 1));
    TRY(fdt_property_u32(fdt, "#size-cells", 1));

    TRY(fdt_begin_node(fdt, "chosen"));
    TRY(fdt_property_string(fdt, "bootargs", c->bootargs));
    unsigned bus, slot;
    if (board_config_find(c, &uart_class, &bus, &slot)) {
        char path[64];
        snprintf(path, sizeof path, "/bus@%x/uart@%x", iobus_slot_base(bus, 0),
                 iobus_slot_base(bus, slot));
        TRY(fdt_property_string(fdt, "stdout-path", path));
    }
    TRY(fdt_end_node(fdt));

    TRY(fdt_begin_node(fdt, "memory@0"));
    TRY(fdt_property_string(fdt, "device_type", "memory"));
    TRY(prop_reg(fdt, 0, c->ram_size));
    TRY(fdt_end_node(fdt));

    TRY(fdt_begin_node(fdt, "cpus"));
    TRY(fdt_property_u32(fdt, "#address-cells", 1));
    TRY(fdt_property_u32(fdt, "#size-cells", 0));
    TRY(fdt_begin_node(fdt, "cpu@0"));
    TRY(fdt_property_string(fdt, "device_type", "cpu"));
    TRY(fdt_property_string(fdt, "compatible", "mips,mips32r2"));
    TRY(fdt_property_u32(fdt, "reg", 0));
    TRY(fdt_property_u32(fdt, "clock-frequency", IOBUS_CLOCK_HZ));
    TRY(fdt_property_u32(fdt, "tlb-pairs", c->tlb_pairs));
    TRY(fdt_property(fdt, c->little_endian ? "little-endian" : "big-endian", NULL, 0));
    TRY(fdt_end_node(fdt));
    TRY(fdt_end_node(fdt));

    char name[64];
    snprintf(name, sizeof name, "interrupt-controller@%x", IOBUS_INTC_BASE);
    TRY(fdt_begin_node(fdt, name));
    TRY(fdt_property_string(fdt, "compatible", "trapvisor,intc"));
    TRY(prop_reg(fdt, IOBUS_INTC_BASE, IOBUS_INTC_SIZE));
    TRY(fdt_property(fdt, "interrupt-controller", NULL, 0));
    TRY(fdt_property_u32(fdt, "#interrupt-cells", 1));
    TRY(fdt_property_u32(fdt, "#address-cells", 0));
    TRY(fdt_property_u32(fdt, "phandle", INTC_PHANDLE));
    TRY(fdt_end_node(fdt));

    snprintf(name, sizeof name, "rom@%x", ROM_BASE);
    TRY(fdt_begin_node(fdt, name));
    TRY(fdt_property_string(fdt, "compatible", "trapvisor,bootrom"));
    TRY(prop_reg(fdt, ROM_BASE, ROM_SIZE));
    TRY(fdt_end_node(fdt));

    for (unsigned b = 0; b < c->buses; b++) {
        uint32_t base = iobus_slot_base(b, 0);
        snprintf(name, sizeof name, "bus@%x", base);
        TRY(fdt_begin_node(fdt, name));
        TRY(fdt_property_string(fdt, "compatible", "trapvisor,iobus"));
        TRY(prop_reg(fdt, base, IOBUS_BUS_SPAN));
        TRY(fdt_property_u32(fdt, "bus-index", b));
        TRY(fdt_property_u32(fdt, "#address-cells", 1));
        TRY(fdt_property_u32(fdt, "#size-cells", 1));
        TRY(fdt_property(fdt, "ranges", NULL, 0));
        TRY(fdt_property_u32(fdt, "interrupt-parent", INTC_PHANDLE));
        for (unsigned s = 0; s < IOBUS_SLOTS; s++)
            if (c->slots[b][s].cls)
                TRY(add_device(fdt, &c->slots[b][s], b, s));
        TRY(fdt_end_node(fdt));
    }
    TRY(fdt_end_node(fdt));
    return fdt_finish(fdt);
}

int board_fdt_build(const struct board_config *c, void *buf, size_t size)
{
    if (size > INT32_MAX || fdt_create(buf, (int)size) < 0 || add_tree(c, buf) < 0)
        return -1;
    return (int)fdt_totalsize(buf);
}
