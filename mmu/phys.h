/*
 * mmu/phys.h — the physical address space: RAM from 0, ROM regions, and MMIO
 * regions whose accesses are dispatched to an ops table (the I/O buses
 * register one region per bus window; see iobus/).
 *
 * RAM and ROM hold bytes in the guest's byte order, exactly as the guest sees
 * them. Values crossing this interface (phys_read/phys_write, MMIO ops) are
 * host integers; the byte-order conversion happens here.
 */
#ifndef MMU_PHYS_H
#define MMU_PHYS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PHYS_PAGE_SIZE   4096u
#define PHYS_MAX_REGIONS 32

enum phys_result {
    PHYS_OK = 0,
    PHYS_BUS_ERROR, /* nothing decodes this address, or the device refused */
};

/* A device window. Offsets are relative to the region base; size is 1, 2 or 4. */
struct mmio_ops {
    const char *name;
    enum phys_result (*read)(void *opaque, uint32_t offset, unsigned size, uint32_t *value);
    enum phys_result (*write)(void *opaque, uint32_t offset, unsigned size, uint32_t value);
};

typedef struct phys phys_t;

/* RAM of ram_size bytes (multiple of 4 KiB, at most 480 MiB: the I/O window starts at
 * 0x1E000000) at physical 0. NULL on bad size or no memory. */
phys_t *phys_new(uint32_t ram_size, bool big_endian);
void phys_free(phys_t *phys);

uint32_t phys_ram_size(const phys_t *phys);
bool phys_big_endian(const phys_t *phys);

/* Add a ROM (read-only to the guest, loadable by the host) or an MMIO window.
 * Returns 0, or -1 if it overlaps another region, RAM, or is not page aligned. */
int phys_add_rom(phys_t *phys, const char *name, uint32_t base, uint32_t size);
int phys_add_mmio(phys_t *phys, uint32_t base, uint32_t size, const struct mmio_ops *ops,
                  void *opaque);

/* Host pointer to the byte at paddr if it is RAM (or ROM when !write), else NULL.
 * The pointer is valid for the rest of that 4 KiB page. */
uint8_t *phys_host_page(phys_t *phys, uint32_t paddr, bool write);

/* Guest-visible accesses of size 1, 2 or 4 (naturally aligned). Writes to ROM are
 * ignored, as a real ROM would; unmapped addresses are bus errors. */
enum phys_result phys_read(phys_t *phys, uint32_t paddr, unsigned size, uint32_t *value)
    __attribute__((warn_unused_result));
enum phys_result phys_write(phys_t *phys, uint32_t paddr, unsigned size, uint32_t value)
    __attribute__((warn_unused_result));

/* Host-side bulk copy into / out of RAM or ROM (loaders, dumps). -1 if any byte is outside. */
int phys_load(phys_t *phys, uint32_t paddr, const void *data, size_t len)
    __attribute__((warn_unused_result));
int phys_dump(const phys_t *phys, uint32_t paddr, void *out, size_t len)
    __attribute__((warn_unused_result));

#endif
