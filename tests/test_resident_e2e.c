/*
 * tests/test_resident_e2e.c — the resident trap model (vmm.traps = resident)
 * end to end: the teaching kernel runs unchanged in it (the same console as
 * in the direct model but for its own clock readings, no relocation, every
 * syscall reflected by the first portion without a host exit); the
 * relocation lab's toucher gets back each region it touches (its data as
 * natively, each move where the `unused` policy predicts, the same moves in
 * every run) while the teaching kernel never moves; the filler, which uses
 * every region, shares one with the portion and has its accesses there
 * served; under `periodic` hotcold's portion leaves the hot region and
 * settles in the cold one; the seed decides the random places; the
 * resident code is byte-identical after the run and the first portion's
 * own counters agree with the monitor's; refused settings.
 */
#include "cunit_main.h"
#include "runcli.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "machine/board.h"
#include "vmm/resident/layout.h"
#include "vmm/reloc_policy.h"
#include "vmm/resident_image.h"
#include "vmm/vmm.h"

#define RELOC "run --vmm --config " SOURCE_DIR "/configs/labs/relocation.ini "

static struct cli_result r, r2;

/* Run with a stats file; the parsed stats (the caller deletes them). */
static cJSON *run_stats(struct cli_result *res, const char *opts)
{
    char stats[] = "/tmp/tv-resident-XXXXXX", args[1024];
    int fd = mkstemp(stats);
    CU_ASSERT_FATAL(fd >= 0);
    close(fd);
    snprintf(args, sizeof args, "%s --stats %s", opts, stats);
    cli_run(res, args);
    cJSON *all = json_load(stats);
    unlink(stats);
    CU_ASSERT_PTR_NOT_NULL_FATAL(all);
    return all;
}

static cJSON *guest(cJSON *all, int i)
{
    return cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(all, "guests"), i);
}

static char a[65536], b[65536];

/* The lines of text that start with prefix, each without its first skip
 * characters (a guest's "[name] " prefix under the monitor). */
static void lines_of(const char *text, const char *prefix, size_t skip, char *out, size_t len)
{
    size_t n = 0, pl = strlen(prefix);
    out[0] = 0;
    for (const char *p = text; *p;) {
        const char *e = strchr(p, '\n');
        size_t l = e ? (size_t)(e - p) : strlen(p);
        if (l >= pl && strncmp(p, prefix, pl) == 0 && n + l + 2 < len) {
            memcpy(out + n, p + skip, l - skip);
            n += l - skip;
            out[n++] = '\n';
            out[n] = 0;
        }
        p += l + (e ? 1 : 0);
    }
}

static void test_native_equal(void)
{
    /* Each lab kernel prints on the monitor, in the resident model, what it
     * prints on a bare board of its shape (its RAM, its TLB). */
    static const struct {
        const char *name, *board;
    } labs[] = {
        {"toucher", "--set board.ram=8M"},
        {"filler", "--set board.ram=32M --set board.tlb=128"},
        {"hotcold", "--set board.ram=32M"},
    };
    cli_run(&r2, RELOC "--set vmm.relocation=periodic");
    CU_ASSERT_EQUAL(r2.rc, 0);
    for (size_t i = 0; i < sizeof labs / sizeof *labs; i++) {
        char args[256], native_prefix[32], vmm_prefix[48];
        snprintf(args, sizeof args, "run --kernel guest:%s --set bus0.slot0.input=none %s",
                 labs[i].name, labs[i].board);
        cli_run(&r, args);
        CU_ASSERT_EQUAL(r.rc, 0);
        snprintf(native_prefix, sizeof native_prefix, "%s:", labs[i].name);
        snprintf(vmm_prefix, sizeof vmm_prefix, "[%s] %s:", labs[i].name, labs[i].name);
        lines_of(r.out, native_prefix, 0, a, sizeof a);
        lines_of(r2.out, vmm_prefix, strlen(labs[i].name) + 3, b, sizeof b);
        CU_ASSERT(strstr(a, "RESULT ok") != NULL);
        CU_ASSERT_STRING_EQUAL(a, b);
    }
}

static void test_teaching_kernel_unchanged(void)
{
    cJSON *d = run_stats(&r, "run --vmm");
    cJSON *s = run_stats(&r2, "run --vmm --set vmm.traps=resident");
    CU_ASSERT_EQUAL(r.rc, 0);
    CU_ASSERT_EQUAL(r2.rc, 0);
    HAS(r2.out, "[g0] init: done, 0 failures");
    HAS(r2.out, "[g1] init: done, 0 failures");
    /* Each guest's lines (the two interleave differently: their clocks
     * differ, the first portion's instructions being theirs). */
    for (int i = 0; i < 2; i++) {
        char prefix[8];
        snprintf(prefix, sizeof prefix, "[g%d]", i);
        untimed(r.out, prefix, a, sizeof a);
        untimed(r2.out, prefix, b, sizeof b);
        CU_ASSERT(strlen(a) > 500);
        CU_ASSERT_STRING_EQUAL(a, b);
    }
    HAS(cJSON_GetObjectItemCaseSensitive(s, "traps")->valuestring, "resident");
    HAS(cJSON_GetObjectItemCaseSensitive(d, "traps")->valuestring, "direct");
    for (int i = 0; i < 2; i++) {
        cJSON *gd = guest(d, i), *gs = guest(s, i);
        CU_ASSERT_EQUAL(json_num(gs, "resident.relocations.total"), 0);
        CU_ASSERT_EQUAL(json_num(gs, "resident.address"), 0xFFFFE000u);
        /* Every syscall the direct model reflected, the first portion did:
         * none reached the monitor. */
        double sys = json_num(gd, "reflected.Sys");
        CU_ASSERT(sys > 10);
        CU_ASSERT_EQUAL(json_num(gs, "resident.first_portion.traps.Sys"), sys);
        CU_ASSERT_EQUAL(json_num(gs, "traps.exception"), 0);
        CU_ASSERT(json_num(gs, "resident.first_portion.traps.CpU") > 0); /* MFC0 served */
        /* Each trap the monitor handled came through the second portion. */
        CU_ASSERT_EQUAL(json_num(gs, "resident.second_portion.traps.total"),
                        json_num(gs, "traps.total"));
        CU_ASSERT(json_num(gs, "resident.second_portion.instructions") >
                  json_num(gs, "resident.second_portion.traps.total"));
        cJSON *refl = cJSON_GetObjectItemCaseSensitive(gs, "reflected");
        CU_ASSERT_PTR_NULL(cJSON_GetObjectItemCaseSensitive(refl, "Sys")); /* not the monitor's */
    }
    cJSON_Delete(d);
    cJSON_Delete(s);
}

/* The moves the `unused` policy must make for the toucher (its header). */
static const char *const moves[] = {
    "reloc toucher placed at ffffe000 (policy unused)",
    "reloc toucher ffffe000 -> ffffc000 (tlb_write;",
    "reloc toucher ffffc000 -> ffffa000 (access;",
    "reloc toucher ffffa000 -> ffff8000 (tlb_write;",
    "reloc toucher ffff8000 -> ffff6000 (access;",
    "reloc toucher ffff6000 -> ffff4000 (access;",
    "reloc toucher ffff4000 -> fffee000 (tlb_write;",
};

static void test_toucher(void)
{
    cJSON *d = run_stats(&r, RELOC "--set vmm.traps=direct");
    cJSON *s = run_stats(&r2, RELOC "--trace reloc");
    CU_ASSERT_EQUAL(r.rc, 0);
    CU_ASSERT_EQUAL(r2.rc, 0);
    HAS(r.out, "[toucher] toucher: RESULT ok");
    HAS(r.out, "[toucher] toucher: [user] its load from ffff8000 faulted 1 time(s)");
    /* Its console, word for word, as in the direct model: every region
     * holds its own data after every move (the checksums). */
    untimed(r.out, "[toucher]", a, sizeof a);
    untimed(r2.out, "[toucher]", b, sizeof b);
    CU_ASSERT_STRING_EQUAL(a, b);
    /* Each move where the policy predicts, in order. */
    const char *p = r2.err;
    for (size_t i = 0; i < sizeof moves / sizeof *moves; i++) {
        const char *q = p ? strstr(p, moves[i]) : NULL;
        if (!q)
            printf("\n  move %zu '%s' missing in order in:\n%s\n", i, moves[i], r2.err);
        CU_ASSERT_PTR_NOT_NULL(q);
        p = q;
    }
    cJSON *t = guest(s, 0), *os = guest(s, 3);
    CU_ASSERT_EQUAL(json_num(t, "resident.address"), 0xFFFEE000u);
    CU_ASSERT_EQUAL(json_num(t, "resident.relocations.access"), 3);
    CU_ASSERT_EQUAL(json_num(t, "resident.relocations.tlb_write"), 3);
    CU_ASSERT_EQUAL(json_num(t, "resident.relocations.periodic"), 0);
    /* The other guest never went there: it never moved, and its portion
     * is at another address than the toucher's. */
    CU_ASSERT_EQUAL(json_num(os, "resident.address"), 0xFFFFE000u);
    CU_ASSERT_EQUAL(json_num(os, "resident.relocations.total"), 0);
    HAS(r2.out, "[os] init: done, 0 failures");
    cJSON_Delete(d);
    cJSON_Delete(s);
    /* Same configuration, same moves at the same cycles. */
    CU_ASSERT_FATAL(strlen(r2.err) < sizeof a);
    memcpy(a, r2.err, strlen(r2.err) + 1);
    cli_run(&r2, RELOC "--trace reloc");
    CU_ASSERT_STRING_EQUAL(a, r2.err);
}

static void test_little_endian(void)
{
    cli_run(&r, RELOC "--set board.endian=little --set vmm.traps=direct");
    cli_run(&r2, RELOC "--set board.endian=little --trace reloc");
    CU_ASSERT_EQUAL(r2.rc, 0);
    HAS(r2.out, "[toucher] toucher: RESULT ok");
    HAS(r2.err, "reloc toucher ffff4000 -> fffee000 (tlb_write;");
    untimed(r.out, "[toucher]", a, sizeof a);
    untimed(r2.out, "[toucher]", b, sizeof b);
    CU_ASSERT_STRING_EQUAL(a, b);
}

/* The lines of a run's err that are relocation trace lines of guest name. */
static void moves_of(const char *err, const char *name, char *out, size_t len)
{
    char prefix[64];
    snprintf(prefix, sizeof prefix, "reloc %s ", name);
    size_t n = 0;
    out[0] = 0;
    for (const char *p = err; (p = strstr(p, prefix)) != NULL; p++) {
        const char *e = strchr(p, '\n');
        size_t l = e ? (size_t)(e - p) + 1 : strlen(p);
        if (n + l + 1 < len) {
            memcpy(out + n, p, l);
            n += l;
            out[n] = 0;
        }
    }
}

static void test_filler(void)
{
    /* It maps every region: the `unused` policy has none left when the
     * filler's TLB writes take the first place back, so the portion shares
     * a region the filler maps (a random one), and each access the filler
     * makes there is done for it — coherently with the 191 aliases. */
    cJSON *s = run_stats(&r2, RELOC "--trace reloc");
    CU_ASSERT_EQUAL(r2.rc, 0);
    HAS(r2.out, "[filler] filler: [read] 0 wrong words");
    HAS(r2.out, "[filler] filler: [check] 0 wrong words");
    HAS(r2.out, "[filler] filler: RESULT ok");
    HAS(r2.err, "reloc filler ffffe000 -> ");
    HAS(r2.err, "(tlb_write; policy unused; its accesses there are served)");
    cJSON *f = guest(s, 1);
    CU_ASSERT_EQUAL(json_num(f, "resident.relocations.tlb_write"), 1);
    CU_ASSERT_EQUAL(json_num(f, "resident.relocations.access"), 0);
    /* Three sweeps touch every granule once: [read], [store], [check]. */
    CU_ASSERT_EQUAL(json_num(f, "resident.served"), 3);
    CU_ASSERT(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(f, "resident"), "served_place")));
    uint32_t va = (uint32_t)json_num(f, "resident.address");
    CU_ASSERT(va < 0x80000000u || va >= 0xC0000000u);
    CU_ASSERT_EQUAL(va & 0x1FFFu, 0);
    cJSON_Delete(s);
    /* Its console as in the direct model. */
    cli_run(&r, RELOC "--set vmm.traps=direct");
    untimed(r.out, "[filler]", a, sizeof a);
    untimed(r2.out, "[filler]", b, sizeof b);
    CU_ASSERT_STRING_EQUAL(a, b);
}

static void test_periodic(void)
{
    /* hotcold reads its hot region over and over: the periodic policy
     * leaves each hot place after a period with more than 4 touches and
     * settles in the cold region; the other guests run as in the direct
     * model, their accesses to wherever the portion is served. */
    cJSON *s = run_stats(&r2, RELOC "--set vmm.relocation=periodic --trace reloc");
    CU_ASSERT_EQUAL(r2.rc, 0);
    HAS(r2.out, "[hotcold] hotcold: RESULT ok");
    HAS(r2.out, "[filler] filler: RESULT ok");
    HAS(r2.out, "[toucher] toucher: RESULT ok");
    HAS(r2.out, "[os] init: done, 0 failures");
    cJSON *h = guest(s, 2), *res = cJSON_GetObjectItemCaseSensitive(h, "resident");
    uint32_t va = (uint32_t)json_num(h, "resident.address");
    CU_ASSERT(va >= 0xE0000000u && va < 0xE2000000u); /* cold */
    CU_ASSERT(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(res, "settled")));
    CU_ASSERT(json_num(h, "resident.relocations.periodic") >= 2);
    CU_ASSERT_EQUAL(json_num(h, "resident.relocations.periodic"),
                    json_num(h, "resident.relocations.total"));
    cJSON *regions = cJSON_GetObjectItemCaseSensitive(res, "regions");
    int n = cJSON_GetArraySize(regions);
    CU_ASSERT(n >= 3);
    unsigned hot_left = 0;
    for (int i = 0; i < n - 1; i++) {
        cJSON *e = cJSON_GetArrayItem(regions, i);
        uint32_t at = (uint32_t)json_num(e, "address");
        if (at >= 0xC0000000u && at < 0xC2000000u) {
            CU_ASSERT(json_num(e, "conflicts") > 4); /* it left a hot place only when touched */
            hot_left++;
        }
    }
    CU_ASSERT(hot_left >= 1);
    cJSON *last = cJSON_GetArrayItem(regions, n - 1);
    CU_ASSERT(json_num(last, "conflicts") <= 4);
    CU_ASSERT(json_num(last, "periods") >= 1);
    CU_ASSERT_EQUAL(json_num(last, "served"), json_num(last, "conflicts"));
    cJSON_Delete(s);
    untimed(r2.out, "[hotcold]", b, sizeof b);
    cli_run(&r, RELOC "--set vmm.traps=direct");
    untimed(r.out, "[hotcold]", a, sizeof a);
    CU_ASSERT_STRING_EQUAL(a, b);
}

static void test_seed(void)
{
    /* The seed decides the random places: the same seed, the same moves;
     * another seed, other places. */
    static char m1[8192], m2[8192];
    cli_run(&r, RELOC "--set vmm.relocation=random --trace reloc");
    cli_run(&r2, RELOC "--set vmm.relocation=random --trace reloc");
    CU_ASSERT_EQUAL(r.rc, 0);
    moves_of(r.err, "os", m1, sizeof m1);
    moves_of(r2.err, "os", m2, sizeof m2);
    HAS(m1, "(policy random; its accesses there are served)");
    CU_ASSERT_STRING_EQUAL(m1, m2);
    cli_run(&r2, RELOC "--set vmm.relocation=random --set vmm.seed=7 --trace reloc");
    CU_ASSERT_EQUAL(r2.rc, 0);
    moves_of(r2.err, "os", m2, sizeof m2);
    CU_ASSERT(strlen(m2) > 0);
    CU_ASSERT_STRING_NOT_EQUAL(m1, m2);
    HAS(r2.out, "[os] init: done, 0 failures");
}

static uint32_t word(const uint8_t *p, bool be)
{
    return be ? (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]
              : (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

static void test_in_process(void)
{
    /* The monitor as a library: after the lab, the resident code is the
     * image it was built as, and each data page's counters (kept by the
     * first portion itself) are the monitor's by cause. */
    static char err[1024];
    struct vmm_config c = {0};
    CU_ASSERT_FATAL(vmm_config_default(&c));
    CU_ASSERT_EQUAL_FATAL(
        vmm_config_load(&c, SOURCE_DIR "/configs/labs/relocation.ini", err, sizeof err), 0);
    CU_ASSERT_EQUAL_FATAL(vmm_config_set(&c, "bus0.slot0.output=/dev/null", err, sizeof err), 0);
    vmm_t *v = vmm_new(&c, err, sizeof err);
    if (!v)
        printf("\n  %s\n", err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(v);
    CU_ASSERT_EQUAL(vmm_run(v, 200000000), VMM_ALL_OFF);
    CU_ASSERT_EQUAL(vmm_exit_code(v), 0);
    phys_t *ph = board_phys(vmm_board(v));
    struct vmm_resident_view rv[4];
    for (unsigned i = 0; i < 4; i++)
        CU_ASSERT_FATAL(vmm_guest_resident(v, i, &rv[i]));
    CU_ASSERT_EQUAL(rv[0].va, 0xFFFEE000u);
    CU_ASSERT_EQUAL(rv[3].va, 0xFFFFE000u);
    for (unsigned i = 1; i < 4; i++) {
        CU_ASSERT_EQUAL(rv[0].code_hpa, rv[i].code_hpa);
        CU_ASSERT_NOT_EQUAL(rv[i - 1].data_hpa, rv[i].data_hpa);
    }
    /* Real TLB entry 0 still holds a guest's pair, whatever the guests'
     * TLB writes (the teaching kernel's tlbstress, the filler's 96). */
    struct tlb_regs e;
    tlb_read(cpu_tlb(board_cpu(vmm_board(v))), 0, &e);
    bool found = false;
    uint32_t pfn = ENTRYLO_PFN_MASK & ~ENTRYLO_K; /* K sits above the PFN */
    for (unsigned i = 0; i < 4; i++)
        found = found || ((e.entryhi & ENTRYHI_VPN2_MASK) == rv[i].va &&
                          (e.entrylo1 & pfn) >> ENTRYLO_PFN_SHIFT == rv[i].data_hpa >> 12 &&
                          (e.entrylo0 & pfn) >> ENTRYLO_PFN_SHIFT == rv[i].code_hpa >> 12);
    if (!found)
        printf("\n  entry 0: %08x %08x %08x; pairs %08x %08x %08x %08x\n", e.entryhi, e.entrylo0,
               e.entrylo1, rv[0].va, rv[1].va, rv[2].va, rv[3].va);
    CU_ASSERT(found);
    uint32_t k = ENTRYLO_K | ENTRYLO_G | ENTRYLO_V;
    CU_ASSERT_EQUAL(e.entrylo0 & k, k);
    CU_ASSERT_EQUAL(e.entrylo1 & k, k);
    const uint8_t *code = phys_host_page(ph, rv[0].code_hpa, false);
    CU_ASSERT_EQUAL(memcmp(code, vmm_resident_eb, vmm_resident_eb_size), 0);
    for (unsigned i = 0; i < 4; i++) {
        struct vmm_guest_stats st;
        vmm_guest_stats(v, i, &st);
        const uint8_t *data = phys_host_page(ph, rv[i].data_hpa, false);
        uint64_t fast = 0, host = 0;
        for (unsigned k = 0; k < 32; k++) {
            CU_ASSERT_EQUAL(word(data + RD_FAST + 4 * k, true), st.resident.fast[k]);
            CU_ASSERT_EQUAL(word(data + RD_HOST + 4 * k, true), st.resident.host[k]);
            fast += st.resident.fast[k];
            host += st.resident.host[k];
        }
        CU_ASSERT(host > 100);
        if (i == 0 || i == 3) /* the toucher's and the teaching kernel's syscalls, MFC0s */
            CU_ASSERT(fast > 0);
    }
    vmm_free(v);
    vmm_config_free(&c);
}

/* A policy of the test's own: one fixed place per guest, or (bad) kseg0. */
static unsigned asked;
static bool fixed_place(void *opaque, const struct vmm_reloc_request *rq, uint32_t *va,
                        bool *served)
{
    asked++;
    *va = *(const uint32_t *)opaque + rq->guest * 0x2000u;
    *served = false;
    return true;
}

static void test_own_policy(void)
{
    /* The relocation policy is replaceable: the teaching kernels' portions
     * go where a policy of this test says; a place in kseg0 is refused,
     * counted, and a random one drawn instead. */
    static char err[1024];
    static const uint32_t places[] = {0x10000000u, 0x80100000u};
    for (unsigned k = 0; k < 2; k++) {
        struct vmm_config c = {0};
        CU_ASSERT_FATAL(vmm_config_default(&c));
        CU_ASSERT_EQUAL(vmm_config_set(&c, "vmm.traps=resident", err, sizeof err), 0);
        CU_ASSERT_EQUAL(vmm_config_set(&c, "bus0.slot0.output=/dev/null", err, sizeof err), 0);
        CU_ASSERT_EQUAL(vmm_config_set(&c, "bus0.slot0.input=none", err, sizeof err), 0);
        vmm_t *v = vmm_new(&c, err, sizeof err);
        CU_ASSERT_PTR_NOT_NULL_FATAL(v);
        const struct vmm_reloc_policy mine = {"fixed", fixed_place, NULL, (void *)&places[k]};
        asked = 0;
        vmm_set_reloc_policy(v, &mine);
        CU_ASSERT_EQUAL(vmm_run(v, 300000000), VMM_ALL_OFF);
        CU_ASSERT_EQUAL(vmm_exit_code(v), 0);
        CU_ASSERT_EQUAL(asked, 2); /* once per guest: they never touch it */
        for (unsigned i = 0; i < 2; i++) {
            struct vmm_guest_stats st;
            vmm_guest_stats(v, i, &st);
            if (k == 0) {
                CU_ASSERT_EQUAL(st.resident.va, places[0] + i * 0x2000u);
                CU_ASSERT_FALSE(st.resident.served_place);
                CU_ASSERT_EQUAL(st.resident.policy_violations, 0);
            } else {
                CU_ASSERT(st.resident.va < 0x80000000u || st.resident.va >= 0xC0000000u);
                CU_ASSERT(st.resident.served_place);
                CU_ASSERT_EQUAL(st.resident.policy_violations, 1);
            }
        }
        vmm_free(v);
        vmm_config_free(&c);
    }
}

static void test_refused(void)
{
    cli_run(&r, "run --vmm --set vmm.traps=magic");
    CU_ASSERT_NOT_EQUAL(r.rc, 0);
    HAS(r.err, "vmm.traps: 'magic' is not direct or resident");
    cli_run(&r, "run --vmm --set vmm.traps=resident --unsafe eret");
    CU_ASSERT_NOT_EQUAL(r.rc, 0);
    HAS(r.err, "vmm.traps = resident needs a virtualizable CPU");
    cli_run(&r, "run --vmm --set vmm.relocation=sometimes");
    CU_ASSERT_NOT_EQUAL(r.rc, 0);
    HAS(r.err, "vmm.relocation: 'sometimes' is not unused, random or periodic");
    cli_run(&r, "run --vmm --set vmm.reloc_period=5");
    CU_ASSERT_NOT_EQUAL(r.rc, 0);
    HAS(r.err, "vmm.reloc_period: '5' is not 10000..1e12 instructions");
}

static const struct test_case tests[] = {
    {"teaching kernel: unchanged, syscalls in the first portion", test_teaching_kernel_unchanged},
    {"toucher: every region back, moves as predicted, same each run", test_toucher},
    {"toucher on a little-endian board", test_little_endian},
    {"the lab kernels print what they print natively", test_native_equal},
    {"filler: no region unused, its accesses served", test_filler},
    {"periodic: hotcold settles in its cold region", test_periodic},
    {"random: the seed decides, bit for bit", test_seed},
    {"in process: the code intact, both portions' counters agree", test_in_process},
    {"a relocation policy of one's own, checked", test_own_policy},
    {"refused settings", test_refused},
};

CUNIT_MAIN("resident_e2e", tests)
