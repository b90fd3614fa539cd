/*
 * cli/run_record.c — what `trapvisor run --stats` records of the run
 * itself (docs/stats.md, schema STATS_SCHEMA): the program (version, the
 * SHA-256 of its executable), the command line, every setting that affects
 * the result as resolved, and the SHA-256 of each kernel file run.
 */
#include "cli/run_record.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dev/devclass.h"
#include "util/fileio.h"
#include "vmm/reloc_policy.h"

#ifndef TRAPVISOR_VERSION
#define TRAPVISOR_VERSION "unknown"
#endif

static void add_u64(cJSON *o, const char *name, uint64_t v)
{
    cJSON_AddNumberToObject(o, name, (double)v);
}

static void add_sha256(cJSON *o, const char *name, const void *data, size_t n)
{
    uint8_t d[32];
    unsigned dn = 32;
    char hex[65];
    EVP_MD_CTX *c = EVP_MD_CTX_new();
    if (!c || EVP_DigestInit_ex(c, EVP_sha256(), NULL) != 1 || EVP_DigestUpdate(c, data, n) != 1 ||
        EVP_DigestFinal_ex(c, d, &dn) != 1) {
        EVP_MD_CTX_free(c);
        cJSON_AddNullToObject(o, name);
        return;
    }
    EVP_MD_CTX_free(c);
    for (int i = 0; i < 32; i++)
        snprintf(hex + 2 * i, 3, "%02x", d[i]);
    cJSON_AddStringToObject(o, name, hex);
}

static void add_program(cJSON *o)
{
    cJSON *t = cJSON_AddObjectToObject(o, "trapvisor");
    cJSON_AddStringToObject(t, "version", TRAPVISOR_VERSION);
    unsigned char *exe;
    size_t len;
    char err[256];
    if (file_read_all("/proc/self/exe", (size_t)1 << 30, &exe, &len, err, sizeof err) == 0) {
        add_sha256(t, "executable_sha256", exe, len);
        free(exe);
    } else {
        cJSON_AddNullToObject(t, "executable_sha256");
    }
}

static void add_board(cJSON *o, const struct board_config *b)
{
    cJSON *j = cJSON_AddObjectToObject(o, "board");
    add_u64(j, "ram", b->ram_size);
    add_u64(j, "tlb_pairs", b->tlb_pairs);
    cJSON_AddStringToObject(j, "endian", b->little_endian ? "little" : "big");
    add_u64(j, "buses", b->buses);
    cJSON_AddStringToObject(j, "kernel", b->kernel[0] ? b->kernel : "(default)");
    cJSON_AddStringToObject(j, "firmware", b->firmware[0] ? b->firmware : "(built-in)");
    cJSON_AddStringToObject(j, "bootargs", b->bootargs);
    if (b->rtc_host)
        cJSON_AddStringToObject(j, "rtc", "host");
    else
        add_u64(j, "rtc_epoch", b->rtc_epoch);
    char unsafe[64];
    cJSON_AddStringToObject(j, "unsafe", config_unsafe_name(b->unsafe, unsafe, sizeof unsafe));
    cJSON *dev = cJSON_AddObjectToObject(j, "devices");
    for (unsigned bus = 0; bus < b->buses && bus < IOBUS_MAX_BUSES; bus++)
        for (unsigned s = 0; s < IOBUS_SLOTS; s++)
            if (b->slots[bus][s].cls) {
                char name[24];
                snprintf(name, sizeof name, "bus%u.slot%u", bus, s);
                cJSON_AddStringToObject(dev, name, b->slots[bus][s].cls->name);
            }
}

static void add_monitor(cJSON *o, const struct vmm_config *c)
{
    cJSON *j = cJSON_AddObjectToObject(o, "vmm");
    add_u64(j, "quantum", c->quantum);
    cJSON_AddStringToObject(j, "policy", c->policy);
    cJSON_AddStringToObject(j, "policy_lib", c->policy_lib);
    cJSON_AddStringToObject(j, "policy_args", c->policy_args);
    cJSON_AddStringToObject(j, "fix", c->fix == VMM_FIX_SCAN ? "scan" : "none");
    cJSON_AddStringToObject(j, "real_epc", c->real_epc == VMM_EPC_RESUME ? "resume" : "guest");
    cJSON_AddStringToObject(j, "traps", c->traps == VMM_TRAPS_RESIDENT ? "resident" : "direct");
    cJSON_AddStringToObject(j, "relocation", vmm_relocation_name(c->relocation));
    add_u64(j, "seed", c->seed);
    add_u64(j, "reloc_period", c->reloc_period);
    cJSON *gs = cJSON_AddArrayToObject(j, "guests");
    for (unsigned i = 0; i < c->nguests; i++) {
        const struct vmm_guest_config *g = &c->guests[i];
        cJSON *e = cJSON_CreateObject();
        cJSON_AddStringToObject(e, "name", g->name);
        add_u64(e, "ram", g->ram_size);
        cJSON *buses = cJSON_AddArrayToObject(e, "buses");
        for (unsigned b = 0; b < IOBUS_MAX_BUSES; b++)
            if (g->buses & (1u << b))
                cJSON_AddItemToArray(buses, cJSON_CreateNumber(b));
        cJSON *shared = cJSON_AddArrayToObject(e, "shared");
        for (unsigned k = 0; dev_classes[k]; k++)
            if (g->shared & (1u << k))
                cJSON_AddItemToArray(shared, cJSON_CreateString(dev_classes[k]->name));
        add_u64(e, "tlb_pairs", g->tlb_pairs ? g->tlb_pairs : c->board.tlb_pairs);
        cJSON_AddStringToObject(e, "kernel", g->kernel[0] ? g->kernel : "(the board's)");
        cJSON_AddStringToObject(e, "bootargs", g->bootargs[0] ? g->bootargs : c->board.bootargs);
        cJSON_AddItemToArray(gs, e);
    }
}

void run_record_json(cJSON *o, const struct run_record *r)
{
    cJSON_AddNumberToObject(o, "schema", STATS_SCHEMA);
    add_program(o);
    cJSON *argv = cJSON_AddArrayToObject(o, "command_line");
    for (int i = 0; i < r->argc; i++)
        cJSON_AddItemToArray(argv, cJSON_CreateString(r->argv[i]));
    cJSON *s = cJSON_AddObjectToObject(o, "settings");
    if (r->budget_given)
        add_u64(s, "max_insns", r->max_insns);
    else
        cJSON_AddStringToObject(s, "max_insns", "default");
    add_board(s, r->board);
    if (r->vmm)
        add_monitor(s, r->vmm);
    cJSON *k = cJSON_AddArrayToObject(o, "kernels");
    for (unsigned i = 0; i < r->nkernels; i++) {
        size_t n = 0;
        const void *bytes = r->kernels[i] ? elfimg_bytes(r->kernels[i], &n) : NULL;
        cJSON *e = cJSON_CreateObject();
        cJSON_AddStringToObject(e, "of", r->kernel_of[i]);
        if (bytes)
            add_sha256(e, "sha256", bytes, n);
        else
            cJSON_AddNullToObject(e, "sha256");
        cJSON_AddItemToArray(k, e);
    }
}
