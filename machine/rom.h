/*
 * machine/rom.h — the boot ROM's layout and the boot protocol, the contract
 * between the host board, the firmware (guests/firmware) and a kernel.
 * guests/include/hw.h mirrors these numbers for guest code (tests/test_abi.c
 * compares the two).
 *
 *   0x1FC00000 +-----------------------+  reset: PC = 0xBFC00000 (kseg1)
 *              | firmware (boot ROM)   |  at most ROM_FW_MAX bytes
 *   0x1FC80000 +-----------------------+
 *              | device tree (FDT)     |  at most ROM_FDT_MAX bytes
 *   0x1FC90000 +-----------------------+
 *              | boot info block       |  struct below, words in CPU byte order
 *   0x1FD00000 +-----------------------+  end of ROM
 *
 * The host places the kernel's ELF file, unchanged, in RAM at
 * kernel_image (page aligned, at the top of RAM). The firmware checks it,
 * copies its PT_LOAD segments to their kseg0/kseg1 addresses, clears their
 * bss, and jumps to the entry point with
 *   a0 = the FDT's address (kseg1), a1 = the boot info's address (kseg1),
 *   Status = kernel mode, interrupts off, BEV = 0 (EBase 0x80000000), ERL = 0.
 * The firmware's stack is the ROM_FW_STACK bytes below kernel_image; kernel
 * segments must end below it. A kernel must not assume the ELF image
 * survives: it is free RAM after boot.
 */
#ifndef MACHINE_ROM_H
#define MACHINE_ROM_H

#define ROM_BASE     0x1FC00000u
#define ROM_SIZE     0x00100000u
#define ROM_FW_MAX   0x00080000u
#define ROM_FDT_BASE (ROM_BASE + 0x80000u)
#define ROM_FDT_MAX  0x00010000u
#define ROM_BOOTINFO (ROM_BASE + 0x90000u)
/* The firmware's stack: the 64 KiB below the staged kernel image. */
#define ROM_FW_STACK 0x10000u

#define BOOTINFO_MAGIC   0x54564249u /* "TVBI" */
#define BOOTINFO_VERSION 1u

/* Boot info block, each field a 32-bit word at the given offset. */
#define BI_MAGIC        0x00u
#define BI_VERSION      0x04u
#define BI_KERNEL_IMAGE 0x08u /* physical address of the kernel ELF file (0: none) */
#define BI_KERNEL_SIZE  0x0Cu /* its size in bytes */
#define BI_FDT          0x10u /* physical address of the FDT */
#define BI_FDT_SIZE     0x14u
#define BI_RAM_SIZE     0x18u

#endif
