/*
 * vmm/config.c — the monitor's configuration: the board's INI file plus
 * [vmm] (quantum, policy) and one [guestN] section per guest (RAM, base,
 * buses, shared devices, kernel, bootargs, console). docs/vmm.md lists the keys.
 */
#include "vmm/vmm.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpu/cpu.h"
#include "dev/devclass.h"
#include "tlb/tlb.h"
#include "util/parse.h"

/* By default a guest gets an emulated copy of every shareable device on a
 * bus nobody owns. */
static uint32_t shared_default(void)
{
    uint32_t m = 0;
    for (const struct dev_class *const *c = dev_classes; *c; c++)
        if ((*c)->shareable)
            m |= 1u << dev_class_index(*c);
    return m;
}

static void guest_default(struct vmm_guest_config *g, unsigned i)
{
    memset(g, 0, sizeof *g);
    snprintf(g->name, sizeof g->name, "g%u", i);
    g->ram_size = 16u << 20;
    g->ram_base = VMM_AUTO_BASE;
    g->shared = shared_default();
}

bool vmm_config_default(struct vmm_config *c)
{
    memset(c, 0, sizeof *c);
    if (!board_config_default(&c->board))
        return false;
    c->nguests = 2;
    for (unsigned i = 0; i < 2; i++) {
        guest_default(&c->guests[i], i);
        c->guests[i].buses = 1u << (i + 1);
    }
    c->quantum = 100000; /* 1 ms of guest time */
    strcpy(c->policy, "default");
    c->seed = 1;
    c->reloc_period = 1000000;
    return true;
}

void vmm_config_free(struct vmm_config *c) { board_config_free(&c->board); }

bool vmm_config_copy(struct vmm_config *dst, const struct vmm_config *src)
{
    memcpy(dst, src, sizeof *dst);
    return board_config_copy(&dst->board, &src->board);
}

/* "1,2" or "1 2" or "none" -> bit mask. */
static bool parse_bus_list(const char *v, uint32_t *mask)
{
    *mask = 0;
    if (strcmp(v, "none") == 0)
        return true;
    const char *p = v;
    while (*p) {
        char *end;
        unsigned long b = strtoul(p, &end, 10);
        if (end == p || b >= IOBUS_MAX_BUSES)
            return false;
        *mask |= 1u << b;
        p = end;
        while (*p == ',' || *p == ' ')
            p++;
    }
    return *mask != 0;
}

static bool parse_shared(const char *v, uint32_t *mask)
{
    *mask = 0;
    if (strcmp(v, "none") == 0)
        return true;
    char buf[128];
    if (strlen(v) >= sizeof buf)
        return false;
    strcpy(buf, v);
    for (char *save = NULL, *tok = strtok_r(buf, ", ", &save); tok;
         tok = strtok_r(NULL, ", ", &save)) {
        const struct dev_class *cls = dev_class_find(tok);
        if (!cls || !cls->shareable)
            return false;
        *mask |= 1u << dev_class_index(cls);
    }
    return true;
}

static int copy_str(char *dst, size_t cap, const char *v, const char *key, char *err, size_t errlen)
{
    if (strlen(v) >= cap) {
        snprintf(err, errlen, "%s: longer than %zu characters", key, cap - 1);
        return -1;
    }
    strcpy(dst, v);
    return 0;
}

static int apply_guest(struct vmm_config *c, unsigned i, const char *key, const char *v, char *err,
                       size_t errlen)
{
    struct vmm_guest_config *g = &c->guests[i];
    char k[48];
    snprintf(k, sizeof k, "guest%u.%s", i, key);
    uint64_t n;
    if (strcmp(key, "name") == 0) {
        if (!v[0] || strlen(v) >= sizeof g->name || strpbrk(v, " \t[]\"\\")) {
            snprintf(err, errlen, "%s: '%s' is not a name of 1..%zu characters without spaces", k,
                     v, sizeof g->name - 1);
            return -1;
        }
        strcpy(g->name, v);
    } else if (strcmp(key, "ram") == 0) {
        uint32_t sz;
        if (!parse_size(v, &sz) || sz < (1u << 20) || sz % 4096 || sz > IOBUS_BASE) {
            snprintf(err, errlen, "%s: '%s' is not a size of 1M..480M in 4K pages", k, v);
            return -1;
        }
        g->ram_size = sz;
    } else if (strcmp(key, "base") == 0) {
        uint32_t b;
        if (strcmp(v, "auto") == 0)
            g->ram_base = VMM_AUTO_BASE;
        else if (!parse_size(v, &b) || b % 4096) {
            snprintf(err, errlen, "%s: '%s' is not auto or a 4K-aligned address", k, v);
            return -1;
        } else
            g->ram_base = b;
    } else if (strcmp(key, "buses") == 0) {
        if (!parse_bus_list(v, &g->buses)) {
            snprintf(err, errlen, "%s: '%s' is not none or a list of bus numbers 0..%d", k, v,
                     IOBUS_MAX_BUSES - 1);
            return -1;
        }
    } else if (strcmp(key, "shared") == 0) {
        if (!parse_shared(v, &g->shared)) {
            snprintf(err, errlen, "%s: '%s' is not none or a list of %s", k, v,
                     dev_class_names(true));
            return -1;
        }
    } else if (strcmp(key, "tlb") == 0) {
        if (!parse_u64(v, &n) || n < TLB_MIN_PAIRS || n > TLB_MAX_PAIRS) {
            snprintf(err, errlen, "%s: '%s' is not a pair count of %d..%d", k, v, TLB_MIN_PAIRS,
                     TLB_MAX_PAIRS);
            return -1;
        }
        g->tlb_pairs = (unsigned)n;
    } else if (strcmp(key, "kernel") == 0) {
        return copy_str(g->kernel, sizeof g->kernel, v, k, err, errlen);
    } else if (strcmp(key, "bootargs") == 0) {
        return copy_str(g->bootargs, sizeof g->bootargs, v, k, err, errlen);
    } else if (strcmp(key, "input") == 0) {
        return copy_str(g->input, sizeof g->input, v, k, err, errlen);
    } else if (strcmp(key, "output") == 0) {
        return copy_str(g->output, sizeof g->output, v, k, err, errlen);
    } else if (strcmp(key, "console") == 0) {
        if (strcmp(v, "escaped") != 0 && strcmp(v, "raw") != 0) {
            snprintf(err, errlen, "%s: '%s' is not escaped or raw", k, v);
            return -1;
        }
        g->console_raw = strcmp(v, "raw") == 0;
    } else {
        snprintf(err, errlen,
                 "guest%u: unknown key '%s' (name ram base buses shared tlb kernel "
                 "bootargs input output console)",
                 i, key);
        return -1;
    }
    return 0;
}

struct ext_ctx {
    struct vmm_config *c;
    bool from_file;
    bool guests_cleared;
};

/* v is one of the n names (NAMES[k] = value k): *out, or -1 with a message. */
static int pick(const char *key, const char *v, const char *const *names, unsigned n, unsigned *out,
                char *err, size_t errlen)
{
    for (unsigned k = 0; k < n; k++)
        if (strcmp(v, names[k]) == 0) {
            *out = k;
            return 0;
        }
    char list[128] = "";
    for (unsigned k = 0; k < n; k++) {
        size_t used = strlen(list);
        snprintf(list + used, sizeof list - used, "%s%s",
                 k == 0      ? ""
                 : k + 1 < n ? ", "
                             : " or ",
                 names[k]);
    }
    snprintf(err, errlen, "vmm.%s: '%s' is not %s", key, v, list);
    return -1;
}

/* A key of [vmm]. */
static int apply_vmm(struct vmm_config *c, const char *key, const char *v, char *err, size_t errlen)
{
    static const char *const fixes[] = {"none", "scan"};                  /* enum vmm_fix */
    static const char *const epcs[] = {"guest", "resume"};                /* enum vmm_real_epc */
    static const char *const traps[] = {"direct", "resident"};            /* enum vmm_traps */
    static const char *const relocs[] = {"unused", "random", "periodic"}; /* enum vmm_relocation */
    uint64_t n;
    unsigned k;
    if (strcmp(key, "quantum") == 0) {
        if (!parse_u64(v, &n) || n < 1000 || n > 1000000000) {
            snprintf(err, errlen, "vmm.quantum: '%s' is not 1000..1000000000 cycles", v);
            return -1;
        }
        c->quantum = n;
    } else if (strcmp(key, "policy") == 0) {
        if (!vmm_policy_find(v)) {
            snprintf(err, errlen,
                     "vmm.policy: unknown policy '%s' (built in: %s; a policy of your own: "
                     "vmm.policy_lib = FILE.so, docs/policies.md)",
                     v, vmm_policy_names());
            return -1;
        }
        snprintf(c->policy, sizeof c->policy, "%s", v);
    } else if (strcmp(key, "policy_lib") == 0) {
        return parse_path(c->policy_lib, sizeof c->policy_lib, v, "vmm.policy_lib", err, errlen);
    } else if (strcmp(key, "policy_args") == 0) {
        if (strlen(v) >= sizeof c->policy_args) {
            snprintf(err, errlen, "vmm.policy_args: longer than %zu characters",
                     sizeof c->policy_args - 1);
            return -1;
        }
        snprintf(c->policy_args, sizeof c->policy_args, "%s", v);
    } else if (strcmp(key, "fix") == 0) {
        if (pick(key, v, fixes, 2, &k, err, errlen) != 0)
            return -1;
        c->fix = (enum vmm_fix)k;
    } else if (strcmp(key, "real_epc") == 0) {
        if (pick(key, v, epcs, 2, &k, err, errlen) != 0)
            return -1;
        c->real_epc = (enum vmm_real_epc)k;
    } else if (strcmp(key, "traps") == 0) {
        if (pick(key, v, traps, 2, &k, err, errlen) != 0)
            return -1;
        c->traps = (enum vmm_traps)k;
    } else if (strcmp(key, "relocation") == 0) {
        if (pick(key, v, relocs, 3, &k, err, errlen) != 0)
            return -1;
        c->relocation = (enum vmm_relocation)k;
    } else if (strcmp(key, "seed") == 0) {
        if (!parse_u64(v, &n)) {
            snprintf(err, errlen, "vmm.seed: '%s' is not a number", v);
            return -1;
        }
        c->seed = n;
    } else if (strcmp(key, "reloc_period") == 0) {
        if (!parse_u64(v, &n) || n < 10000 || n > 1000000000000ull) {
            snprintf(err, errlen, "vmm.reloc_period: '%s' is not 10000..1e12 instructions", v);
            return -1;
        }
        c->reloc_period = n;
    } else {
        snprintf(err, errlen,
                 "vmm: unknown key '%s' (quantum policy policy_lib policy_args fix real_epc "
                 "traps relocation seed reloc_period)",
                 key);
        return -1;
    }
    return 0;
}

static int apply_ext(void *opaque, const char *section, const char *key, const char *v, char *err,
                     size_t errlen)
{
    struct ext_ctx *x = opaque;
    struct vmm_config *c = x->c;
    if (strcmp(section, "vmm") == 0 && key)
        return apply_vmm(c, key, v, err, errlen);
    unsigned i;
    char tail;
    if (sscanf(section, "guest%u%c", &i, &tail) == 1) {
        if (i >= VMM_MAX_GUESTS) {
            snprintf(err, errlen, "[%s]: guests are guest0..guest%d", section, VMM_MAX_GUESTS - 1);
            return -1;
        }
        if (x->from_file && !x->guests_cleared) {
            /* A file that describes guests describes all of them. */
            c->nguests = 0;
            x->guests_cleared = true;
        }
        if (i >= c->nguests) {
            if (i != c->nguests) { /* a file's section or a --set: never a gap filled in */
                if (x->from_file)
                    snprintf(err, errlen,
                             "[%s]: guests must be numbered from guest0 without gaps "
                             "(expected [guest%u])",
                             section, c->nguests);
                else if (c->nguests)
                    snprintf(err, errlen,
                             "%s: there are %u guests (guest0..guest%u): a new one is guest%u",
                             section, c->nguests, c->nguests - 1, c->nguests);
                else
                    snprintf(err, errlen, "%s: there are no guests: a new one is guest0", section);
                return -1;
            }
            for (unsigned j = c->nguests; j <= i; j++)
                guest_default(&c->guests[j], j);
            c->nguests = i + 1;
        }
        return key ? apply_guest(c, i, key, v, err, errlen) : 0; /* NULL: the header alone */
    }
    return 1;
}

int vmm_config_load(struct vmm_config *c, const char *path, char *err, size_t errlen)
{
    struct ext_ctx x = {c, true, false};
    struct config_ext ext = {apply_ext, &x, ", [vmm], [guestN]"};
    return board_config_load_ext(&c->board, &ext, path, err, errlen);
}

int vmm_config_set(struct vmm_config *c, const char *assignment, char *err, size_t errlen)
{
    struct ext_ctx x = {c, false, false};
    struct config_ext ext = {apply_ext, &x, ", [vmm], [guestN]"};
    return board_config_set_ext(&c->board, &ext, assignment, err, errlen);
}

/* Largest power of two <= x (x > 0), capped at 4 MiB: the alignment that
 * lets the shadow TLB use large pages for a partition. */
static uint32_t natural_align(uint32_t x)
{
    uint32_t a = 4096;
    while (a < (4u << 20) && a * 2 <= x)
        a *= 2;
    return a;
}

bool vmm_config_emulates(const struct vmm_config *c, unsigned gi, unsigned bus, unsigned slot)
{
    const struct dev_class *cls = c->board.slots[bus][slot].cls;
    if (!cls || !cls->shareable || !(c->guests[gi].shared & (1u << dev_class_index(cls))))
        return false;
    for (unsigned j = 0; j < c->nguests; j++)
        if (c->guests[j].buses & (1u << bus))
            return false;
    return true;
}

unsigned vmm_buffer_pages(const struct vmm_config *c)
{
    unsigned pages = 0;
    for (unsigned i = 0; i < c->nguests; i++)
        for (unsigned b = 0; b < c->board.buses; b++)
            for (unsigned s = 0; s < IOBUS_SLOTS; s++)
                if (vmm_config_emulates(c, i, b, s))
                    pages += c->board.slots[b][s].cls->buffer_pages;
    if (c->traps == VMM_TRAPS_RESIDENT)
        pages += 1 + c->nguests; /* its code, a data page per guest */
    return pages;
}

static bool overlaps(uint32_t a, uint32_t as, uint32_t b, uint32_t bs)
{
    return (uint64_t)a < (uint64_t)b + bs && (uint64_t)b < (uint64_t)a + as;
}

int vmm_config_check(struct vmm_config *c, char *err, size_t errlen)
{
    return vmm_config_place(c, c->guests, err, errlen);
}

/* Names unique, owned buses that exist and belong to one guest each; the
 * board's TLB size where a guest gives none. */
static int check_guests(const struct vmm_config *c, struct vmm_guest_config *guests, char *err,
                        size_t errlen)
{
    uint32_t owned = 0;
    for (unsigned i = 0; i < c->nguests; i++) {
        struct vmm_guest_config *g = &guests[i];
        for (unsigned j = 0; j < i; j++)
            if (strcmp(guests[j].name, g->name) == 0) {
                snprintf(err, errlen, "guest%u and guest%u are both named '%s'", j, i, g->name);
                return -1;
            }
        for (unsigned b = 0; b < IOBUS_MAX_BUSES; b++) {
            if (!(g->buses & (1u << b)))
                continue;
            if (b >= c->board.buses) {
                snprintf(err, errlen,
                         "guest%u (%s): bus %u does not exist (the board has %u "
                         "buses, board.buses)",
                         i, g->name, b, c->board.buses);
                return -1;
            }
            for (unsigned j = 0; j < i && (owned & (1u << b)); j++)
                if (guests[j].buses & (1u << b)) {
                    snprintf(err, errlen,
                             "bus %u is given to guest%u (%s) and guest%u (%s): "
                             "a bus belongs to one partition",
                             b, j, guests[j].name, i, g->name);
                    return -1;
                }
            owned |= 1u << b;
        }
        if (g->tlb_pairs == 0)
            g->tlb_pairs = c->board.tlb_pairs;
    }
    return 0;
}

/* Guests with an explicit base: inside usable RAM, not overlapping. */
static int check_explicit(const struct vmm_config *c, const struct vmm_guest_config *guests,
                          uint32_t usable, char *err, size_t errlen)
{
    for (unsigned i = 0; i < c->nguests; i++) {
        const struct vmm_guest_config *g = &guests[i];
        if (g->ram_base == VMM_AUTO_BASE)
            continue;
        if ((uint64_t)g->ram_base + g->ram_size > usable) {
            snprintf(err, errlen,
                     "guest%u (%s): RAM 0x%x..0x%llx exceeds the board's %u MiB "
                     "(less the monitor's top %u KiB)",
                     i, g->name, g->ram_base, (unsigned long long)g->ram_base + g->ram_size - 1,
                     c->board.ram_size >> 20, VMM_RESERVED >> 10);
            return -1;
        }
        for (unsigned j = 0; j < i; j++) {
            const struct vmm_guest_config *o = &guests[j];
            if (o->ram_base != VMM_AUTO_BASE &&
                overlaps(g->ram_base, g->ram_size, o->ram_base, o->ram_size)) {
                snprintf(err, errlen,
                         "guest%u (%s) and guest%u (%s) overlap in RAM "
                         "(0x%x+%uK and 0x%x+%uK)",
                         j, o->name, i, g->name, o->ram_base, o->ram_size >> 10, g->ram_base,
                         g->ram_size >> 10);
                return -1;
            }
        }
    }
    return 0;
}

/* The others first-fit, each at its natural alignment. */
static int place_automatic(const struct vmm_config *c, struct vmm_guest_config *guests,
                           uint32_t usable, char *err, size_t errlen)
{
    for (unsigned i = 0; i < c->nguests; i++) {
        struct vmm_guest_config *g = &guests[i];
        if (g->ram_base != VMM_AUTO_BASE)
            continue;
        uint32_t align = natural_align(g->ram_size);
        bool placed = false;
        for (uint64_t base = 0; base + g->ram_size <= usable && !placed; base += align) {
            bool clash = false;
            for (unsigned j = 0; j < c->nguests && !clash; j++) {
                const struct vmm_guest_config *o = &guests[j];
                if (j != i && o->ram_base != VMM_AUTO_BASE &&
                    overlaps((uint32_t)base, g->ram_size, o->ram_base, o->ram_size))
                    clash = true;
            }
            if (!clash) {
                g->ram_base = (uint32_t)base;
                placed = true;
            }
        }
        if (!placed) {
            snprintf(err, errlen,
                     "guest%u (%s): no room for %u MiB of RAM on a %u MiB board "
                     "(board.ram; the monitor keeps the top %u KiB)",
                     i, g->name, g->ram_size >> 20, c->board.ram_size >> 20, VMM_RESERVED >> 10);
            return -1;
        }
    }
    return 0;
}

int vmm_config_place(const struct vmm_config *c, struct vmm_guest_config *guests, char *err,
                     size_t errlen)
{
    if (guests != c->guests)
        memcpy(guests, c->guests, c->nguests * sizeof *guests);
    if (board_config_check(&c->board, err, errlen) != 0)
        return -1;
    if (c->nguests == 0) {
        snprintf(err, errlen, "no guests: add a [guest0] section");
        return -1;
    }
    if (c->board.ram_size <= VMM_RESERVED) {
        snprintf(err, errlen, "board.ram: the monitor keeps the top %u KiB for itself",
                 VMM_RESERVED >> 10);
        return -1;
    }
    if (c->traps == VMM_TRAPS_RESIDENT && (c->board.unsafe & CPU_EXT_UNSAFE)) {
        snprintf(err, errlen,
                 "vmm.traps = resident needs a virtualizable CPU: turn the [cpu] switches off");
        return -1;
    }
    if (c->nguests * VMM_ROM_COPY_SIZE > VMM_RESERVED) {
        snprintf(err, errlen, "too many guests");
        return -1;
    }
    uint64_t buffers = (uint64_t)vmm_buffer_pages(c) << 12;
    if (c->board.ram_size <= VMM_RESERVED + buffers) {
        snprintf(err, errlen, "board.ram: no room for the emulated devices' %llu KiB of buffers",
                 (unsigned long long)(buffers >> 10));
        return -1;
    }
    uint32_t usable = c->board.ram_size - VMM_RESERVED - (uint32_t)buffers;
    if (check_guests(c, guests, err, errlen) != 0 ||
        check_explicit(c, guests, usable, err, errlen) != 0)
        return -1;
    return place_automatic(c, guests, usable, err, errlen);
}
