/*
 * machine/fdt.h — the board's hardware description: a flattened device tree
 * built with libfdt and placed in ROM. Layout (docs/hardware.md, "Device tree"):
 *
 *   /                      compatible "trapvisor,board"
 *     chosen               bootargs, stdout-path
 *     memory@0             reg = <0 ram_size>
 *     cpus/cpu@0           "mips,mips32r2", clock-frequency, tlb-pairs, endianness
 *     interrupt-controller@1f000000   phandle 1, #interrupt-cells 1
 *     rom@1fc00000         the boot ROM
 *     bus@<base>           one per bus: "trapvisor,iobus", bus-index, ranges
 *       <type>@<base>      one per device: "trapvisor,<type>", reg = <base 0x10000>,
 *                          interrupts = <bus*32+slot>, slot = <slot>
 */
#ifndef MACHINE_FDT_H
#define MACHINE_FDT_H

#include <stddef.h>

#include "machine/config.h"

/* Build the tree into buf. Returns the blob size, or -1 when it does not fit. */
int board_fdt_build(const struct board_config *c, void *buf, size_t size);

#endif
