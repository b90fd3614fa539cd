/*
 * tests/test_util.c — the ELF loader (libelf) and the disassembler (Capstone),
 * including a mutation test: thousands of corrupted ELF images must each load
 * or be refused with a message, never crash.
 */
#include "cunit_main.h"
#include "util/disasm.h"
#include "util/elfload.h"
#include "util/parse.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mips_asm.h"

static uint8_t *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *b = malloc((size_t)n);
    if (b && fread(b, 1, (size_t)n, f) != (size_t)n) {
        free(b);
        b = NULL;
    }
    fclose(f);
    *len = (size_t)n;
    return b;
}

static void test_elf_load_and_symbols(void)
{
    char err[256];
    elfimg_t *img = elfimg_open(GUEST_DIR "/arith-eb.elf", err, sizeof(err));
    CU_ASSERT_PTR_NOT_NULL_FATAL(img);
    CU_ASSERT(elfimg_big_endian(img));
    CU_ASSERT_EQUAL(elfimg_entry(img), 0x80010000u);
    uint32_t main_addr = 0, off = 99;
    CU_ASSERT(elfimg_symbol_addr(img, "main", &main_addr));
    CU_ASSERT_STRING_EQUAL(elfimg_symbol_at(img, main_addr + 8, &off), "main");
    CU_ASSERT_EQUAL(off, 8);
    CU_ASSERT_STRING_EQUAL(elfimg_symbol_at(img, 0x80010000u, &off), "_start");
    CU_ASSERT_FALSE(elfimg_symbol_addr(img, "no_such_symbol", &main_addr));
    CU_ASSERT_PTR_NULL(elfimg_symbol_at(img, 0x1000, &off));
    /* Beyond the image, no label (such as _end, which has no size) claims an address. */
    CU_ASSERT_PTR_NULL(elfimg_symbol_at(img, 0xBFC00000u, &off));

    phys_t *phys = phys_new(1u << 20, true);
    CU_ASSERT_EQUAL(elfimg_load(img, phys, err, sizeof(err)), 0);
    uint32_t w = 0;
    CU_ASSERT_EQUAL(phys_read(phys, 0x10000, 4, &w), PHYS_OK);
    CU_ASSERT_EQUAL(w >> 26, 0x0F); /* crt0 starts with LUI */
    phys_free(phys);
    /* Too little RAM for the program: refused, not truncated. */
    phys = phys_new(0x10000, true);
    CU_ASSERT_EQUAL(elfimg_load(img, phys, err, sizeof(err)), -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "does not fit"));
    phys_free(phys);
    elfimg_free(img);

    img = elfimg_open(GUEST_DIR "/arith-el.elf", err, sizeof(err));
    CU_ASSERT_PTR_NOT_NULL_FATAL(img);
    CU_ASSERT_FALSE(elfimg_big_endian(img));
    elfimg_free(img);
}

static void test_elf_mutations(void)
{
    size_t len = 0;
    uint8_t *orig = slurp(GUEST_DIR "/calls-eb.elf", &len);
    CU_ASSERT_PTR_NOT_NULL_FATAL(orig);
    uint8_t *m = malloc(len);
    uint64_t x = 88172645463325252ull;
    unsigned loaded = 0, refused = 0;
    for (int iter = 0; iter < 3000; iter++) {
        memcpy(m, orig, len);
        int flips = 1 + iter % 8;
        for (int k = 0; k < flips; k++) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            /* Mostly the headers, where the structure is. */
            size_t pos = (k & 1) ? (size_t)(x % 64) : (size_t)(x % len);
            m[pos] = (uint8_t)(x >> 32);
        }
        size_t cut = iter % 5 == 0 ? (size_t)(x % len) : len;
        char err[256] = "";
        elfimg_t *img = elfimg_open_mem(m, cut, err, sizeof(err));
        if (!img) {
            CU_ASSERT(err[0] != 0);
            refused++;
            continue;
        }
        phys_t *phys = phys_new(1u << 20, true);
        if (elfimg_load(img, phys, err, sizeof(err)) == 0)
            loaded++;
        else {
            CU_ASSERT(err[0] != 0);
            refused++;
        }
        uint32_t off;
        elfimg_symbol_at(img, 0x80010100u, &off);
        phys_free(phys);
        elfimg_free(img);
    }
    CU_ASSERT(refused > 100);
    CU_ASSERT(loaded > 100);
    free(m);
    free(orig);
}

static void test_disasm(void)
{
    char buf[96];
    disasm_t *be = disasm_new(true), *le = disasm_new(false);
    CU_ASSERT_PTR_NOT_NULL_FATAL(be);
    CU_ASSERT_PTR_NOT_NULL_FATAL(le);
    CU_ASSERT_STRING_EQUAL(disasm_one(be, ADDIU(29, 29, -32), 0x80000000u, buf, sizeof(buf)),
                           "addiu $sp, $sp, -0x20");
    CU_ASSERT_STRING_EQUAL(disasm_one(le, ADDIU(29, 29, -32), 0x80000000u, buf, sizeof(buf)),
                           "addiu $sp, $sp, -0x20");
    CU_ASSERT_STRING_EQUAL(disasm_one(be, 0x42000018u, 0, buf, sizeof(buf)), "eret");
    CU_ASSERT_STRING_EQUAL(disasm_one(be, HYPCALL(5), 0, buf, sizeof(buf)), "hypcall 0x5");
    CU_ASSERT_PTR_NOT_NULL(
        strstr(disasm_one(be, BEQ(0, 0, 3), 0x80001000u, buf, sizeof(buf)), "0x80001010"));
    CU_ASSERT_STRING_EQUAL(disasm_one(be, 0xFFFFFFFFu, 0, buf, sizeof(buf)), ".word 0xffffffff");
    /* Truncation is safe. */
    char small[5];
    disasm_one(be, ADDIU(29, 29, -32), 0, small, sizeof(small));
    CU_ASSERT_EQUAL(strlen(small), 4);
    disasm_free(be);
    disasm_free(le);
}

static void test_phys_regions(void)
{
    phys_t *p = phys_new(0x10000, true);
    CU_ASSERT_PTR_NULL(phys_new(123, true));
    CU_ASSERT_EQUAL(phys_add_rom(p, "rom", 0x1FC00000u, 0x1000), 0);
    CU_ASSERT_EQUAL(phys_add_rom(p, "overlap", 0x1FC00000u, 0x1000), -1);
    CU_ASSERT_EQUAL(phys_add_rom(p, "ram", 0x8000, 0x1000), -1);
    CU_ASSERT_EQUAL(phys_add_rom(p, "unaligned", 0x1FC01004u, 0x1000), -1);
    uint32_t v = 0;
    CU_ASSERT_EQUAL(phys_write(p, 0x1FC00000u, 4, 0x11223344), PHYS_OK); /* ROM ignores */
    CU_ASSERT_EQUAL(phys_read(p, 0x1FC00000u, 4, &v), PHYS_OK);
    CU_ASSERT_EQUAL(v, 0);
    CU_ASSERT_EQUAL(phys_read(p, 0x10000, 4, &v), PHYS_BUS_ERROR);
    CU_ASSERT_EQUAL(phys_write(p, 0x20000000u, 4, 1), PHYS_BUS_ERROR);
    CU_ASSERT_EQUAL(phys_load(p, 0xFFF0, "0123456789abcdef0123", 20), -1);
    phys_free(p);
}

static void test_parse_numbers(void)
{
    uint32_t v;
    uint64_t n;
    CU_ASSERT_TRUE(parse_size("010M", &v));
    CU_ASSERT_EQUAL(v, 10u << 20); /* decimal, never octal */
    CU_ASSERT_TRUE(parse_size("0x1000", &v));
    CU_ASSERT_EQUAL(v, 0x1000);
    CU_ASSERT_TRUE(parse_size("4K", &v));
    CU_ASSERT_EQUAL(v, 4096);
    CU_ASSERT_TRUE(parse_u64("0755", &n));
    CU_ASSERT_EQUAL(n, 755);
    CU_ASSERT_FALSE(parse_size("-1M", &v));
    CU_ASSERT_FALSE(parse_size(" 1M", &v));
    CU_ASSERT_FALSE(parse_size("+1M", &v));
    CU_ASSERT_FALSE(parse_size("0x", &v));
    CU_ASSERT_FALSE(parse_size("5G", &v)); /* more than 32 bits */
    CU_ASSERT_FALSE(parse_u64("99999999999999999999", &n));
    CU_ASSERT_FALSE(parse_u64("", &n));
    CU_ASSERT_FALSE(parse_u32("0x100000000", &v));
}

static const struct test_case tests[] = {
    {"numbers: decimal unless 0x, no signs or spaces", test_parse_numbers},
    {"ELF load and symbols", test_elf_load_and_symbols},
    {"ELF mutations never crash", test_elf_mutations},
    {"Capstone disassembly", test_disasm},
    {"physical regions", test_phys_regions},
};

CUNIT_MAIN("util", tests)
