/* util/elfload.c — ELF parsing with libelf (Debian libelf-dev). */
#include "util/elfload.h"

#include <gelf.h>
#include <libelf.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/fileio.h"

#define ELFIMG_MAX_SIZE (256u << 20)

struct elfsym {
    uint32_t addr, size;
    char *name;
};

struct segment {
    uint32_t vaddr, paddr, filesz, memsz;
    const uint8_t *data;
};

struct elfimg {
    uint8_t *bytes;
    size_t len;
    uint32_t entry;
    bool big_endian;
    struct segment *segs;
    size_t nsegs;
    struct elfsym *syms;
    size_t nsyms;
};

static void fail(char *err, size_t errlen, const char *fmt, ...)
{
    if (!err || !errlen)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

static int sym_cmp(const void *a, const void *b)
{
    const struct elfsym *x = a, *y = b;
    return x->addr < y->addr ? -1 : x->addr > y->addr;
}

static void read_symbols(struct elfimg *img, Elf *e)
{
    Elf_Scn *scn = NULL;
    while ((scn = elf_nextscn(e, scn)) != NULL) {
        GElf_Shdr sh;
        if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_SYMTAB || sh.sh_entsize == 0)
            continue;
        Elf_Data *d = elf_getdata(scn, NULL);
        if (!d)
            continue;
        size_t n = sh.sh_size / sh.sh_entsize;
        img->syms = calloc(n ? n : 1, sizeof(*img->syms));
        if (!img->syms)
            return;
        for (size_t i = 0; i < n; i++) {
            GElf_Sym s;
            if (!gelf_getsym(d, (int)i, &s))
                break;
            int type = GELF_ST_TYPE(s.st_info);
            if ((type != STT_FUNC && type != STT_OBJECT && type != STT_NOTYPE) ||
                s.st_shndx == SHN_UNDEF)
                continue;
            const char *name = elf_strptr(e, sh.sh_link, s.st_name);
            if (!name || !*name || name[0] == '$')
                continue;
            struct elfsym *y = &img->syms[img->nsyms++];
            y->addr = (uint32_t)s.st_value;
            y->size = (uint32_t)s.st_size;
            y->name = strdup(name);
        }
        qsort(img->syms, img->nsyms, sizeof(*img->syms), sym_cmp);
        return;
    }
}

elfimg_t *elfimg_open_mem(const void *data, size_t len, char *err, size_t errlen)
{
    if (elf_version(EV_CURRENT) == EV_NONE) {
        fail(err, errlen, "libelf: %s", elf_errmsg(-1));
        return NULL;
    }
    struct elfimg *img = calloc(1, sizeof(*img));
    if (!img || !(img->bytes = malloc(len ? len : 1))) {
        free(img);
        fail(err, errlen, "out of memory");
        return NULL;
    }
    memcpy(img->bytes, data, len);
    img->len = len;

    Elf *e = elf_memory((char *)img->bytes, len);
    GElf_Ehdr eh;
    if (!e || elf_kind(e) != ELF_K_ELF || !gelf_getehdr(e, &eh)) {
        fail(err, errlen, "not an ELF file");
        goto bad;
    }
    if (eh.e_ident[EI_CLASS] != ELFCLASS32 || eh.e_machine != EM_MIPS) {
        fail(err, errlen, "not a 32-bit MIPS ELF (class %d, machine %d)", eh.e_ident[EI_CLASS],
             eh.e_machine);
        goto bad;
    }
    if (eh.e_type != ET_EXEC) {
        fail(err, errlen, "not an executable (ELF type %d); link it with a fixed address",
             eh.e_type);
        goto bad;
    }
    img->big_endian = eh.e_ident[EI_DATA] == ELFDATA2MSB;
    img->entry = (uint32_t)eh.e_entry;

    size_t nph;
    if (elf_getphdrnum(e, &nph) != 0) {
        fail(err, errlen, "corrupt program headers");
        goto bad;
    }
    img->segs = calloc(nph ? nph : 1, sizeof(*img->segs));
    if (!img->segs)
        goto bad;
    for (size_t i = 0; i < nph; i++) {
        GElf_Phdr ph;
        if (!gelf_getphdr(e, (int)i, &ph)) {
            fail(err, errlen, "corrupt program header %zu", i);
            goto bad;
        }
        if (ph.p_type != PT_LOAD || ph.p_memsz == 0)
            continue;
        if (ph.p_filesz > ph.p_memsz || ph.p_offset > len || ph.p_filesz > len - ph.p_offset ||
            ph.p_vaddr + ph.p_memsz > 0x100000000ull) {
            fail(err, errlen, "segment %zu lies outside the file or the address space", i);
            goto bad;
        }
        struct segment *s = &img->segs[img->nsegs++];
        s->vaddr = (uint32_t)ph.p_vaddr;
        s->paddr = (uint32_t)ph.p_paddr;
        s->filesz = (uint32_t)ph.p_filesz;
        s->memsz = (uint32_t)ph.p_memsz;
        s->data = img->bytes + ph.p_offset;
    }
    if (img->nsegs == 0) {
        fail(err, errlen, "no loadable segment");
        goto bad;
    }
    read_symbols(img, e);
    elf_end(e);
    return img;
bad:
    if (e)
        elf_end(e);
    elfimg_free(img);
    return NULL;
}

elfimg_t *elfimg_open(const char *path, char *err, size_t errlen)
{
    char msg[400];
    FILE *f = file_fopen_regular(path, msg, sizeof msg);
    if (!f) {
        fail(err, errlen, "%s", msg);
        return NULL;
    }
    uint8_t *buf = NULL;
    size_t len = 0, cap = 0;
    for (;;) {
        if (len == cap) {
            cap = cap ? cap * 2 : 65536;
            if (cap > ELFIMG_MAX_SIZE) {
                fail(err, errlen, "%s: larger than %u MiB", path, ELFIMG_MAX_SIZE >> 20);
                goto out;
            }
            uint8_t *nb = realloc(buf, cap);
            if (!nb)
                goto out;
            buf = nb;
        }
        size_t n = fread(buf + len, 1, cap - len, f);
        if (n == 0)
            break;
        len += n;
    }
    if (ferror(f)) {
        fail(err, errlen, "%s: read error", path);
        goto out;
    }
    fclose(f);
    char inner[200] = "";
    elfimg_t *img = elfimg_open_mem(buf, len, inner, sizeof(inner));
    free(buf);
    if (!img)
        fail(err, errlen, "%s: %s", path, inner);
    return img;
out:
    free(buf);
    fclose(f);
    return NULL;
}

void elfimg_free(elfimg_t *img)
{
    if (!img)
        return;
    for (size_t i = 0; i < img->nsyms; i++)
        free(img->syms[i].name);
    free(img->syms);
    free(img->segs);
    free(img->bytes);
    free(img);
}

uint32_t elfimg_entry(const elfimg_t *img) { return img->entry; }
bool elfimg_big_endian(const elfimg_t *img) { return img->big_endian; }

/* kseg0/kseg1 segments load where the CPU will see them; any other
 * (TLB-mapped) segment loads at its ELF physical address. */
static uint32_t segment_paddr(const struct segment *s)
{
    uint32_t end = s->vaddr + s->memsz - 1;
    bool unmapped = s->vaddr >= 0x80000000u && end < 0xC0000000u && end >= s->vaddr;
    return unmapped ? s->vaddr & 0x1FFFFFFFu : s->paddr;
}

const void *elfimg_bytes(const elfimg_t *img, size_t *len)
{
    *len = img->len;
    return img->bytes;
}

int elfimg_check_range(const elfimg_t *img, uint32_t lo, uint32_t hi, char *err, size_t errlen)
{
    for (size_t i = 0; i < img->nsegs; i++) {
        const struct segment *s = &img->segs[i];
        uint64_t pa = segment_paddr(s);
        if (pa < lo || pa + s->memsz > hi) {
            fail(err, errlen,
                 "segment at 0x%08x (%u bytes) would load at physical 0x%08x, outside "
                 "0x%08x..0x%08x",
                 s->vaddr, s->memsz, (uint32_t)pa, lo, hi);
            return -1;
        }
    }
    return 0;
}

int elfimg_check_unmapped(const elfimg_t *img, char *err, size_t errlen)
{
    for (size_t i = 0; i < img->nsegs; i++) {
        const struct segment *s = &img->segs[i];
        uint64_t end = (uint64_t)s->vaddr + s->memsz;
        if (s->vaddr < 0x80000000u || end > 0xC0000000u) {
            fail(err, errlen, "segment at 0x%08x (%u bytes) is not in kseg0/kseg1", s->vaddr,
                 s->memsz);
            return -1;
        }
    }
    if (img->entry < 0x80000000u || img->entry >= 0xC0000000u) {
        fail(err, errlen, "entry point 0x%08x is not in kseg0/kseg1", img->entry);
        return -1;
    }
    return 0;
}

int elfimg_load(const elfimg_t *img, phys_t *phys, char *err, size_t errlen)
{
    for (size_t i = 0; i < img->nsegs; i++) {
        const struct segment *s = &img->segs[i];
        uint32_t pa = segment_paddr(s);
        if (phys_load(phys, pa, s->data, s->filesz) != 0) {
            fail(err, errlen, "segment at 0x%08x (%u bytes) does not fit in memory", s->vaddr,
                 s->memsz);
            return -1;
        }
        static const uint8_t zeros[4096];
        for (uint32_t off = s->filesz; off < s->memsz;) {
            uint32_t n = s->memsz - off < sizeof(zeros) ? s->memsz - off : (uint32_t)sizeof(zeros);
            if (phys_load(phys, pa + off, zeros, n) != 0) {
                fail(err, errlen, "segment at 0x%08x (%u bytes) does not fit in memory", s->vaddr,
                     s->memsz);
                return -1;
            }
            off += n;
        }
    }
    return 0;
}

const char *elfimg_symbol_at(const elfimg_t *img, uint32_t addr, uint32_t *offset)
{
    /* Last symbol starting at or below addr. */
    size_t lo = 0, hi = img->nsyms;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (img->syms[mid].addr <= addr)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == 0)
        return NULL;
    const struct elfsym *s = &img->syms[lo - 1];
    if (s->size && addr - s->addr >= s->size)
        return NULL;
    if (!s->size) {
        /* A label without a size (assembly, _end): only inside the image. */
        bool inside = false;
        for (size_t i = 0; i < img->nsegs && !inside; i++)
            inside = addr - img->segs[i].vaddr < img->segs[i].memsz;
        if (!inside)
            return NULL;
    }
    if (offset)
        *offset = addr - s->addr;
    return s->name;
}

bool elfimg_symbol_addr(const elfimg_t *img, const char *name, uint32_t *addr)
{
    for (size_t i = 0; i < img->nsyms; i++)
        if (strcmp(img->syms[i].name, name) == 0) {
            *addr = img->syms[i].addr;
            return true;
        }
    return false;
}
