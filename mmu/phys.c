/* mmu/phys.c — RAM, ROM and MMIO dispatch of the physical address space. */
#include "mmu/phys.h"

#include <stdlib.h>
#include <string.h>

enum region_kind { REGION_ROM, REGION_MMIO };

struct region {
    enum region_kind kind;
    const char *name;
    uint32_t base, size;
    uint8_t *bytes;             /* ROM */
    const struct mmio_ops *ops; /* MMIO */
    void *opaque;
};

struct phys {
    uint8_t *ram;
    uint32_t ram_size;
    bool big_endian;
    unsigned nregions;
    struct region regions[PHYS_MAX_REGIONS];
};

phys_t *phys_new(uint32_t ram_size, bool big_endian)
{
    if (ram_size == 0 || ram_size % PHYS_PAGE_SIZE || ram_size > 0x1E000000u)
        return NULL;
    phys_t *p = calloc(1, sizeof(*p));
    if (!p)
        return NULL;
    p->ram = calloc(1, ram_size);
    if (!p->ram) {
        free(p);
        return NULL;
    }
    p->ram_size = ram_size;
    p->big_endian = big_endian;
    return p;
}

void phys_free(phys_t *p)
{
    if (!p)
        return;
    for (unsigned i = 0; i < p->nregions; i++)
        free(p->regions[i].bytes);
    free(p->ram);
    free(p);
}

uint32_t phys_ram_size(const phys_t *p) { return p->ram_size; }
bool phys_big_endian(const phys_t *p) { return p->big_endian; }

static bool overlaps(uint32_t a, uint32_t asz, uint32_t b, uint32_t bsz)
{
    return (uint64_t)a < (uint64_t)b + bsz && (uint64_t)b < (uint64_t)a + asz;
}

static struct region *add_region(phys_t *p, uint32_t base, uint32_t size)
{
    if (size == 0 || base % PHYS_PAGE_SIZE || size % PHYS_PAGE_SIZE ||
        (uint64_t)base + size > 0x100000000ull || p->nregions == PHYS_MAX_REGIONS)
        return NULL;
    if (overlaps(base, size, 0, p->ram_size))
        return NULL;
    for (unsigned i = 0; i < p->nregions; i++)
        if (overlaps(base, size, p->regions[i].base, p->regions[i].size))
            return NULL;
    struct region *r = &p->regions[p->nregions++];
    memset(r, 0, sizeof(*r));
    r->base = base;
    r->size = size;
    return r;
}

int phys_add_rom(phys_t *p, const char *name, uint32_t base, uint32_t size)
{
    uint8_t *bytes = calloc(1, size ? size : 1);
    if (!bytes)
        return -1;
    struct region *r = add_region(p, base, size);
    if (!r) {
        free(bytes);
        return -1;
    }
    r->kind = REGION_ROM;
    r->name = name;
    r->bytes = bytes;
    return 0;
}

int phys_add_mmio(phys_t *p, uint32_t base, uint32_t size, const struct mmio_ops *ops, void *opaque)
{
    struct region *r = add_region(p, base, size);
    if (!r)
        return -1;
    r->kind = REGION_MMIO;
    r->name = ops->name;
    r->ops = ops;
    r->opaque = opaque;
    return 0;
}

static struct region *find_region(const phys_t *p, uint32_t paddr)
{
    for (unsigned i = 0; i < p->nregions; i++) {
        const struct region *r = &p->regions[i];
        if (paddr - r->base < r->size)
            return (struct region *)r;
    }
    return NULL;
}

uint8_t *phys_host_page(phys_t *p, uint32_t paddr, bool write)
{
    if (paddr < p->ram_size)
        return p->ram + paddr;
    struct region *r = find_region(p, paddr);
    if (r && r->kind == REGION_ROM && !write)
        return r->bytes + (paddr - r->base);
    return NULL;
}

static uint32_t load_bytes(const phys_t *p, const uint8_t *b, unsigned size)
{
    uint32_t v = 0;
    for (unsigned i = 0; i < size; i++) {
        unsigned k = p->big_endian ? i : size - 1 - i;
        v = (v << 8) | b[k];
    }
    return v;
}

static void store_bytes(const phys_t *p, uint8_t *b, unsigned size, uint32_t v)
{
    for (unsigned i = 0; i < size; i++) {
        unsigned k = p->big_endian ? size - 1 - i : i;
        b[k] = (uint8_t)v;
        v >>= 8;
    }
}

enum phys_result phys_read(phys_t *p, uint32_t paddr, unsigned size, uint32_t *value)
{
    uint8_t *host = phys_host_page(p, paddr, false);
    if (host) {
        *value = load_bytes(p, host, size);
        return PHYS_OK;
    }
    struct region *r = find_region(p, paddr);
    if (r && r->kind == REGION_MMIO)
        return r->ops->read(r->opaque, paddr - r->base, size, value);
    return PHYS_BUS_ERROR;
}

enum phys_result phys_write(phys_t *p, uint32_t paddr, unsigned size, uint32_t value)
{
    uint8_t *host = phys_host_page(p, paddr, true);
    if (host) {
        store_bytes(p, host, size, value);
        return PHYS_OK;
    }
    struct region *r = find_region(p, paddr);
    if (r && r->kind == REGION_MMIO)
        return r->ops->write(r->opaque, paddr - r->base, size, value);
    if (r && r->kind == REGION_ROM)
        return PHYS_OK; /* ROM ignores writes */
    return PHYS_BUS_ERROR;
}

/* Copy between host memory and the RAM/ROM byte range [paddr, paddr+len). */
static int copy_range(const phys_t *p, uint32_t paddr, uint8_t *host, size_t len, bool in)
{
    while (len > 0) {
        uint8_t *mem;
        uint64_t avail;
        if (paddr < p->ram_size) {
            mem = p->ram + paddr;
            avail = p->ram_size - paddr;
        } else {
            struct region *r = find_region(p, paddr);
            if (!r || r->kind != REGION_ROM)
                return -1;
            mem = r->bytes + (paddr - r->base);
            avail = (uint64_t)r->base + r->size - paddr;
        }
        size_t n = len < avail ? len : (size_t)avail;
        if (in)
            memcpy(mem, host, n);
        else
            memcpy(host, mem, n);
        host += n;
        len -= n;
        if (len && (uint64_t)paddr + n > 0xFFFFFFFFull)
            return -1;
        paddr += (uint32_t)n;
    }
    return 0;
}

int phys_load(phys_t *p, uint32_t paddr, const void *data, size_t len)
{
    return copy_range(p, paddr, (uint8_t *)(uintptr_t)data, len, true);
}

int phys_dump(const phys_t *p, uint32_t paddr, void *out, size_t len)
{
    return copy_range(p, paddr, out, len, false);
}
