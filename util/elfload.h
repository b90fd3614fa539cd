/*
 * util/elfload.h — loading freestanding MIPS32 ELF executables with libelf.
 *
 * The prefix is elfimg_ because libelf owns elf_. An image is parsed and
 * validated once (class, machine, type, segment bounds), then loaded into a
 * physical address space; its symbol table answers address-to-name lookups
 * for traces and the debugger.
 */
#ifndef UTIL_ELFLOAD_H
#define UTIL_ELFLOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mmu/phys.h"

typedef struct elfimg elfimg_t;

/* Parse path. On failure returns NULL and writes a one-line reason into err. */
elfimg_t *elfimg_open(const char *path, char *err, size_t errlen);
/* Same, from a buffer the image copies. */
elfimg_t *elfimg_open_mem(const void *data, size_t len, char *err, size_t errlen);
void elfimg_free(elfimg_t *img);

uint32_t elfimg_entry(const elfimg_t *img);
bool elfimg_big_endian(const elfimg_t *img);

/* Copy every PT_LOAD segment into phys, zero-filling the bss part: a segment
 * in kseg0/kseg1 at (vaddr & 0x1FFFFFFF), any other (a TLB-mapped one) at its
 * ELF physical address p_paddr. Every byte must land in RAM or ROM.
 * Returns 0, or -1 with a reason in err. */
int elfimg_load(const elfimg_t *img, phys_t *phys, char *err, size_t errlen);

/* Every segment would load (elfimg_load's rule) inside physical [lo, hi)?
 * 0, or -1 with a reason in err. */
int elfimg_check_range(const elfimg_t *img, uint32_t lo, uint32_t hi, char *err, size_t errlen);
/* Every segment and the entry point in kseg0/kseg1 (what a boot ROM can load
 * without a TLB)? 0, or -1 with a reason in err. */
int elfimg_check_unmapped(const elfimg_t *img, char *err, size_t errlen);
/* The whole file as parsed (owned by the image). */
const void *elfimg_bytes(const elfimg_t *img, size_t *len);
/* Symbol containing addr (function or object), with the offset into it; NULL if none. */
const char *elfimg_symbol_at(const elfimg_t *img, uint32_t addr, uint32_t *offset);
/* Address of a named symbol; false if absent. */
bool elfimg_symbol_addr(const elfimg_t *img, const char *name, uint32_t *addr);

#endif
