/*
 * guests/kernel/fdt.c — reading the flattened device tree the boot ROM hands
 * over in a0 (devicetree.org specification: a header, a structure block of
 * tokens, a strings block; every number big-endian).
 */
#include "kernel.h"

#define FDT_MAGIC      0xD00DFEED
#define FDT_BEGIN_NODE 1
#define FDT_END_NODE   2
#define FDT_PROP       3
#define FDT_NOP        4
#define FDT_END        9

static uint32_t be32(const void *p)
{
    const uint8_t *b = p;
    return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

struct fdt_hdr {
    uint32_t magic, totalsize, off_struct, off_strings, off_rsvmap, version, last_comp, boot_cpu,
        size_strings, size_struct;
};

static int fdt_header(const void *fdt, struct fdt_hdr *h)
{
    const uint32_t *w = fdt;
    h->magic = be32(&w[0]);
    h->totalsize = be32(&w[1]);
    h->off_struct = be32(&w[2]);
    h->off_strings = be32(&w[3]);
    h->size_strings = be32(&w[8]);
    h->size_struct = be32(&w[9]);
    if (h->magic != FDT_MAGIC || h->totalsize > 0x10000 ||
        h->off_struct + h->size_struct > h->totalsize ||
        h->off_strings + h->size_strings > h->totalsize)
        return -1;
    return 0;
}

#define MAX_DEPTH 8

/* Walk every node; for each, report its path, "compatible", "reg" and
 * "interrupts". Properties come before subnodes in a tree, so a node is
 * reported when its first subnode or its end is reached. */
int fdt_walk(const void *fdt, fdt_node_fn fn, void *arg)
{
    struct fdt_hdr h;
    if (fdt_header(fdt, &h) != 0)
        return -1;
    const uint8_t *base = fdt, *p = base + h.off_struct, *end = p + h.size_struct;
    const char *strings = (const char *)base + h.off_strings;
    char path[128] = "";
    int depth = 0, pending = 0, reg_len = 0, has_irq = 0;
    const char *compat = 0;
    const uint32_t *reg = 0;
    uint32_t irq = 0;
    static uint32_t regbuf[4];
    while (p + 4 <= end) {
        uint32_t tok = be32(p);
        p += 4;
        if (tok == FDT_BEGIN_NODE || tok == FDT_END_NODE || tok == FDT_END) {
            if (pending && fn)
                fn(path, compat, reg, reg_len, has_irq, irq, arg);
            pending = 0;
        }
        if (tok == FDT_BEGIN_NODE) {
            const char *name = (const char *)p;
            size_t n = strlen(name);
            size_t plen = strlen(path);
            if (depth >= MAX_DEPTH || plen + n + 2 > sizeof path)
                return -1;
            if (depth > 0) {
                path[plen++] = '/';
                memcpy(path + plen, name, n + 1);
            }
            depth++;
            p += (n + 4) & ~3u;
            pending = 1;
            compat = 0;
            reg = 0;
            reg_len = 0;
            has_irq = 0;
        } else if (tok == FDT_END_NODE) {
            if (--depth < 0)
                return -1;
            char *slash = path;
            for (char *q = path; *q; q++)
                if (*q == '/')
                    slash = q;
            *slash = 0;
        } else if (tok == FDT_PROP) {
            uint32_t len = be32(p), nameoff = be32(p + 4);
            const uint8_t *val = p + 8;
            if (nameoff >= h.size_strings || val + len > end)
                return -1;
            const char *pname = strings + nameoff;
            if (strcmp(pname, "compatible") == 0)
                compat = (const char *)val;
            else if (strcmp(pname, "reg") == 0 && len >= 8) {
                regbuf[0] = be32(val);
                regbuf[1] = be32(val + 4);
                reg = regbuf;
                reg_len = 2;
            } else if (strcmp(pname, "interrupts") == 0 && len >= 4) {
                irq = be32(val);
                has_irq = 1;
            }
            p = val + ((len + 3) & ~3u);
        } else if (tok == FDT_NOP) {
            continue;
        } else if (tok == FDT_END) {
            return 0;
        } else {
            return -1;
        }
    }
    return -1;
}

/* Find a property of a top-level node by name (e.g. "chosen", "bootargs"). */
static const uint8_t *fdt_prop(const void *fdt, const char *node, const char *prop, uint32_t *len)
{
    struct fdt_hdr h;
    if (fdt_header(fdt, &h) != 0)
        return 0;
    const uint8_t *base = fdt, *p = base + h.off_struct, *end = p + h.size_struct;
    const char *strings = (const char *)base + h.off_strings;
    int depth = 0, in_node = 0;
    while (p + 4 <= end) {
        uint32_t tok = be32(p);
        p += 4;
        if (tok == FDT_BEGIN_NODE) {
            const char *name = (const char *)p;
            size_t n = strlen(name);
            depth++;
            in_node = depth == 2 && strncmp(name, node, strlen(node)) == 0 &&
                      (name[strlen(node)] == 0 || name[strlen(node)] == '@');
            p += (n + 4) & ~3u;
        } else if (tok == FDT_END_NODE) {
            depth--;
            in_node = 0;
        } else if (tok == FDT_PROP) {
            uint32_t l = be32(p), nameoff = be32(p + 4);
            if (nameoff >= h.size_strings || p + 8 + l > end)
                return 0;
            if (in_node && strcmp(strings + nameoff, prop) == 0) {
                *len = l;
                return p + 8;
            }
            p += 8 + ((l + 3) & ~3u);
        } else if (tok == FDT_END) {
            break;
        } else if (tok != FDT_NOP) {
            return 0;
        }
    }
    return 0;
}

const char *fdt_bootargs(const void *fdt)
{
    uint32_t len;
    const uint8_t *v = fdt_prop(fdt, "chosen", "bootargs", &len);
    return v && len > 0 && v[len - 1] == 0 ? (const char *)v : "";
}

uint32_t fdt_memory_size(const void *fdt)
{
    uint32_t len;
    const uint8_t *v = fdt_prop(fdt, "memory", "reg", &len);
    return v && len >= 8 ? be32(v + 4) : 0;
}
