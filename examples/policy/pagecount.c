/*
 * examples/policy/pagecount.c — a shadow-TLB policy built outside the
 * trapvisor tree, loaded with `trapvisor run --vmm --policy-lib
 * ./pagecount.so`. It caps the page size the monitor proposes (its args:
 * "max_page=BYTES", default 16 MiB: no cap), maps RAM read-only until the
 * first store to each page so that it sees which pages are written, and
 * counts what it saw: its counters appear in --stats under "policy".
 * Copy this directory, edit, `make`: no trapvisor rebuild needed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <trapvisor/policy.h>

enum { INSPECTED, RAM, DEVICE, EMULATED, OTHER, CAPPED, FIRST_WRITES, NCOUNTERS };
static const char *const names[NCOUNTERS] = {
    "inspected", "ram", "device", "emulated", "other", "capped", "first_writes",
};

struct state {
    uint32_t max_page;
    uint64_t counters[NCOUNTERS];
};

static void *create(const char *args, char *err, size_t errlen)
{
    struct state *s = calloc(1, sizeof *s);
    if (!s) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    s->max_page = 16u << 20;
    if (args[0]) {
        unsigned long v;
        if (sscanf(args, "max_page=%lu", &v) != 1 || v < 4096 || (v & (v - 1)) != 0) {
            snprintf(err, errlen, "args: 'max_page=BYTES' (a power of two from 4096), not '%s'",
                     args);
            free(s);
            return NULL;
        }
        s->max_page = (uint32_t)v;
    }
    return s;
}

static void destroy(void *state) { free(state); }

static enum vmm_decision inspect(void *state, struct vmm_candidate *c)
{
    struct state *s = state;
    s->counters[INSPECTED]++;
    enum vmm_decision d = VMM_ACCEPT;
    switch (c->kind) {
    case VMM_REGION_RAM: s->counters[RAM]++; break;
    case VMM_REGION_DEVICE: s->counters[DEVICE]++; break;
    case VMM_REGION_EMULATED: s->counters[EMULATED]++; break;
    default: s->counters[OTHER]++; break;
    }
    while (c->page_size > s->max_page) { /* page sizes go by powers of 4 */
        c->page_size /= 4;
        d = VMM_MODIFY;
    }
    if (d == VMM_MODIFY)
        s->counters[CAPPED]++;
    if (c->kind == VMM_REGION_RAM && c->writable && !c->store) {
        c->writable = false; /* the first store to it comes to on_write */
        d = VMM_MODIFY;
    }
    return d;
}

static bool on_write(void *state, const struct vmm_candidate *c)
{
    struct state *s = state;
    (void)c;
    s->counters[FIRST_WRITES]++;
    return true; /* let it through: the page becomes writable */
}

static void end_of_run(void *state)
{
    const struct state *s = state;
    fprintf(stderr, "pagecount: %llu translations, %llu pages written\n",
            (unsigned long long)s->counters[INSPECTED],
            (unsigned long long)s->counters[FIRST_WRITES]);
}

static unsigned counters(void *state, const char *const **n, const uint64_t **v)
{
    struct state *s = state;
    *n = names;
    *v = s->counters;
    return NCOUNTERS;
}

static const struct trapvisor_policy_plugin plugin = {
    .abi = TRAPVISOR_POLICY_ABI,
    .name = "pagecount",
    .create = create,
    .destroy = destroy,
    .inspect = inspect,
    .on_write = on_write,
    .end_of_run = end_of_run,
    .counters = counters,
};

const struct trapvisor_policy_plugin *trapvisor_policy_plugin(void) { return &plugin; }
