/*
 * tests/test_board.c — the board's configuration (INI files, overrides, their
 * errors) and its device tree, parsed back with libfdt.
 */
#include "cunit_main.h"

#include "cpu/cpu.h"
#include "dev/disk.h"
#include "dev/uart.h"
#include "machine/board.h"
#include "machine/config.h"
#include "machine/fdt.h"
#include "machine/rom.h"
#include "runcli.h"

#include <libfdt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static char ini_path[64];

static void write_ini(const char *text)
{
    strcpy(ini_path, "/tmp/tv_board_XXXXXX");
    int fd = mkstemp(ini_path);
    CU_ASSERT_FATAL(fd >= 0);
    CU_ASSERT_EQUAL(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
}

/* Load text over the default board; returns the result, err holds the message. */
/* The slot's settings, as its class keeps them. */
#define UART_AT(c, b, s) ((const struct uart_settings *)(c).slots[b][s].settings)
#define DISK_AT(c, b, s) ((const struct disk_settings *)(c).slots[b][s].settings)

static int load(struct board_config *c, const char *text, char *err, size_t errlen)
{
    board_config_default(c);
    write_ini(text);
    int rc = board_config_load(c, ini_path, err, errlen);
    unlink(ini_path);
    return rc;
}

static void test_default(void)
{
    struct board_config c;
    board_config_default(&c);
    char err[256];
    CU_ASSERT_EQUAL(board_config_check(&c, err, sizeof err), 0);
    CU_ASSERT_EQUAL(c.ram_size, 64u << 20);
    CU_ASSERT_EQUAL(c.buses, 4);
    unsigned bus, slot;
    CU_ASSERT_TRUE(board_config_find(&c, &uart_class, &bus, &slot));
    CU_ASSERT(bus == 0 && slot == 0);
    CU_ASSERT_TRUE(board_config_find(&c, &power_class, &bus, &slot));
    CU_ASSERT_FALSE(board_config_find(&c, &disk_class, &bus, &slot)); /* only with an image */
    board_config_free(&c);
}

static void test_load(void)
{
    struct board_config c;
    char err[512];
    int rc = load(&c,
                  "; a small board\n"
                  "[board]\n"
                  "ram = 32M\n"
                  "tlb = 16\n"
                  "endian = little\n"
                  "bootargs = hello spin\n"
                  "rtc = 1000000\n"
                  "[bus0.slot0]\n"
                  "type = uart\n"
                  "input = none\n"
                  "[bus0.slot5]\n"
                  "type = timer\n"
                  "[bus3.slot31]\n"
                  "type = disk\n"
                  "image = /tmp/some.img\n"
                  "readonly = yes\n",
                  err, sizeof err);
    CU_ASSERT_EQUAL_FATAL(rc, 0);
    CU_ASSERT_EQUAL(c.ram_size, 32u << 20);
    CU_ASSERT_EQUAL(c.tlb_pairs, 16);
    CU_ASSERT_TRUE(c.little_endian);
    CU_ASSERT_STRING_EQUAL(c.bootargs, "hello spin");
    CU_ASSERT_EQUAL(c.rtc_epoch, 1000000);
    CU_ASSERT_PTR_EQUAL(c.slots[0][0].cls, &uart_class);
    CU_ASSERT_STRING_EQUAL(UART_AT(c, 0, 0)->input, "none");
    CU_ASSERT_STRING_EQUAL(UART_AT(c, 0, 0)->output, "stdout");
    CU_ASSERT_PTR_EQUAL(c.slots[0][5].cls, &timer_class);
    CU_ASSERT_PTR_EQUAL(c.slots[3][31].cls, &disk_class);
    CU_ASSERT_TRUE(DISK_AT(c, 3, 31)->readonly);
    /* Slot sections replace the default devices. */
    CU_ASSERT_PTR_NULL(c.slots[0][1].cls);
    CU_ASSERT_PTR_NULL(c.slots[1][1].cls);
    CU_ASSERT_EQUAL(board_config_check(&c, err, sizeof err), 0);

    board_config_free(&c);

    /* A [board]-only file keeps the default devices. */
    CU_ASSERT_EQUAL(load(&c, "[board]\nram=128M\n", err, sizeof err), 0);
    CU_ASSERT_PTR_EQUAL(c.slots[0][1].cls, &timer_class);
    CU_ASSERT_EQUAL(c.ram_size, 128u << 20);
    board_config_free(&c);
}

static void expect_error(const char *text, const char *needle)
{
    struct board_config c;
    char err[512] = "";
    CU_ASSERT_EQUAL(load(&c, text, err, sizeof err), -1);
    if (!strstr(err, needle))
        printf("\n  message '%s' lacks '%s'\n", err, needle);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, needle));
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "config /tmp/tv_board_"));
    board_config_free(&c);
}

static void test_errors(void)
{
    expect_error("[bus0.slot0]\ntype = gpu\n", "line 2: bus0.slot0: unknown device type 'gpu'");
    expect_error("[bus0.slot0]\ntype = uart\n[bus0.slot1]\ntype=timer\n[bus0.slot0]\ntype = disk\n",
                 "line 6: bus0.slot0 is already taken by a uart (line 2)");
    expect_error("[board]\nram = lots\n", "board.ram: 'lots'");
    expect_error("[board]\nram = 1G\n", "board.ram");
    expect_error("[board]\ntlb = 300\n", "board.tlb");
    expect_error("[board]\nendian = middle\n", "board.endian");
    expect_error("[board]\ncolour = blue\n", "unknown key 'colour'");
    expect_error("[fpu]\nx = 1\n", "unknown section [fpu]");
    expect_error("[cpu]\nx = 1\n", "cpu: unknown key 'x' (known: eret, mfc0, diei)");
    expect_error("[cpu]\neret = sometimes\n",
                 "line 2: cpu.eret: 'sometimes' is not trap or native");
    expect_error("[bus9.slot0]\ntype = uart\n", "buses are 0..7");
    expect_error("[bus0.slot40]\ntype = uart\n", "slots 0..31");
    expect_error("[bus0.slot0]\nimage = x\n", "before the slot's type");
    expect_error("[bus0.slot0]\ntype = timer\nimage = x\n", "a timer has no key 'image'");
    expect_error("[board\nram=1M\n", "syntax error");

    struct board_config c;
    char err[512];
    board_config_default(&c);
    CU_ASSERT_EQUAL(board_config_load(&c, "/nonexistent.ini", err, sizeof err), -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "/nonexistent.ini"));
    /* Cross-field checks. */
    CU_ASSERT_EQUAL(board_config_set(&c, "bus1.slot0.type=disk", err, sizeof err), 0);
    CU_ASSERT_EQUAL(board_config_check(&c, err, sizeof err), -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "needs an image"));
    board_config_free(&c);
    board_config_default(&c);
    CU_ASSERT_EQUAL(board_config_set(&c, "bus6.slot0.type=nic", err, sizeof err), 0);
    CU_ASSERT_EQUAL(board_config_check(&c, err, sizeof err), -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "only 4 buses"));
    board_config_free(&c);
}

static void test_overrides(void)
{
    struct board_config c;
    char err[512];
    board_config_default(&c);
    CU_ASSERT_EQUAL(board_config_set(&c, "board.ram=16M", err, sizeof err), 0);
    CU_ASSERT_EQUAL(c.ram_size, 16u << 20);
    CU_ASSERT_EQUAL(board_config_set(&c, "bus1.slot0.type=disk", err, sizeof err), 0);
    CU_ASSERT_EQUAL(board_config_set(&c, "bus1.slot0.image=/tmp/d.img", err, sizeof err), 0);
    CU_ASSERT_STRING_EQUAL(DISK_AT(c, 1, 0)->image, "/tmp/d.img");
    /* An override may replace a device (no line: not a duplicate in a file). */
    CU_ASSERT_EQUAL(board_config_set(&c, "bus2.slot0.type=none", err, sizeof err), 0);
    CU_ASSERT_PTR_NULL(c.slots[2][0].cls);
    CU_ASSERT_EQUAL(board_config_set(&c, "ram=1M", err, sizeof err), -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "section.key=value"));
    CU_ASSERT_EQUAL(board_config_set(&c, "board.ram", err, sizeof err), -1);
    CU_ASSERT_EQUAL(board_config_set(&c, "bus0.slot0.type=laser", err, sizeof err), -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "unknown device type 'laser'"));
    /* The sensitive-instruction switches: [cpu] keys and the --unsafe lists. */
    CU_ASSERT_EQUAL(c.unsafe, 0);
    CU_ASSERT_EQUAL(board_config_set(&c, "cpu.eret=native", err, sizeof err), 0);
    CU_ASSERT_EQUAL(board_config_set(&c, "cpu.diei=unprivileged", err, sizeof err), 0);
    CU_ASSERT_EQUAL(c.unsafe, CPU_EXT_ERET_UNPRIV | CPU_EXT_DIEI_UNPRIV);
    CU_ASSERT_EQUAL(board_config_set(&c, "cpu.eret=trap", err, sizeof err), 0);
    CU_ASSERT_EQUAL(c.unsafe, CPU_EXT_DIEI_UNPRIV);
    char names[32];
    CU_ASSERT_STRING_EQUAL(config_unsafe_name(c.unsafe, names, sizeof names), "diei");
    uint32_t m = 0;
    CU_ASSERT_TRUE(config_unsafe_parse("mfc0,eret", &m));
    CU_ASSERT_EQUAL(m, CPU_EXT_MFC0_UNPRIV | CPU_EXT_ERET_UNPRIV);
    CU_ASSERT_TRUE(config_unsafe_parse("all", &m));
    CU_ASSERT_STRING_EQUAL(config_unsafe_name(m, names, sizeof names), "eret,mfc0,diei");
    CU_ASSERT_TRUE(config_unsafe_parse("none", &m));
    CU_ASSERT_EQUAL(m, 0);
    CU_ASSERT_FALSE(config_unsafe_parse("eret,popf", &m));
    board_config_free(&c);
}

/* ---- the device tree ---------------------------------------------------------- */

static uint32_t prop_u32(const void *fdt, int node, const char *name)
{
    int len;
    const fdt32_t *p = fdt_getprop(fdt, node, name, &len);
    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    CU_ASSERT_EQUAL(len, 4);
    return fdt32_to_cpu(*p);
}

static void test_fdt(void)
{
    struct board_config c;
    char err[256];
    board_config_default(&c);
    CU_ASSERT_EQUAL(board_config_set(&c, "bus1.slot0.type=disk", err, sizeof err), 0);
    CU_ASSERT_EQUAL(board_config_set(&c, "bus1.slot0.image=x.img", err, sizeof err), 0);
    CU_ASSERT_EQUAL(board_config_set(&c, "board.bootargs=hello spin", err, sizeof err), 0);
    CU_ASSERT_EQUAL(board_config_set(&c, "board.tlb=48", err, sizeof err), 0);
    static uint8_t blob[ROM_FDT_MAX];
    int size = board_fdt_build(&c, blob, sizeof blob);
    CU_ASSERT_FATAL(size > 0);
    CU_ASSERT_EQUAL(fdt_check_header(blob), 0);
    CU_ASSERT_EQUAL((int)fdt_totalsize(blob), size);

    int root = fdt_path_offset(blob, "/");
    CU_ASSERT_STRING_EQUAL(fdt_getprop(blob, root, "compatible", NULL), "trapvisor,board");
    int chosen = fdt_path_offset(blob, "/chosen");
    CU_ASSERT_FATAL(chosen >= 0);
    CU_ASSERT_STRING_EQUAL(fdt_getprop(blob, chosen, "bootargs", NULL), "hello spin");
    const char *stdout_path = fdt_getprop(blob, chosen, "stdout-path", NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(stdout_path);
    CU_ASSERT(fdt_path_offset(blob, stdout_path) >= 0);

    int mem = fdt_path_offset(blob, "/memory@0");
    CU_ASSERT_FATAL(mem >= 0);
    const fdt32_t *reg = fdt_getprop(blob, mem, "reg", NULL);
    CU_ASSERT_EQUAL(fdt32_to_cpu(reg[0]), 0);
    CU_ASSERT_EQUAL(fdt32_to_cpu(reg[1]), 64u << 20);
    int cpu = fdt_path_offset(blob, "/cpus/cpu@0");
    CU_ASSERT_FATAL(cpu >= 0);
    CU_ASSERT_EQUAL(prop_u32(blob, cpu, "tlb-pairs"), 48);
    CU_ASSERT_EQUAL(prop_u32(blob, cpu, "clock-frequency"), IOBUS_CLOCK_HZ);
    CU_ASSERT_PTR_NOT_NULL(fdt_getprop(blob, cpu, "big-endian", NULL));
    int intc = fdt_node_offset_by_compatible(blob, -1, "trapvisor,intc");
    CU_ASSERT_FATAL(intc >= 0);
    CU_ASSERT_EQUAL(fdt_get_phandle(blob, intc), 1);

    /* Every configured device appears once, under its bus, with reg and irq. */
    int devices = 0, buses = 0;
    for (int bus = fdt_node_offset_by_compatible(blob, -1, "trapvisor,iobus"); bus >= 0;
         bus = fdt_node_offset_by_compatible(blob, bus, "trapvisor,iobus")) {
        unsigned b = prop_u32(blob, bus, "bus-index");
        CU_ASSERT_EQUAL(prop_u32(blob, bus, "interrupt-parent"), 1);
        buses++;
        int dev;
        fdt_for_each_subnode(dev, blob, bus)
        {
            unsigned s = prop_u32(blob, dev, "slot");
            const fdt32_t *r = fdt_getprop(blob, dev, "reg", NULL);
            CU_ASSERT_EQUAL(fdt32_to_cpu(r[0]), iobus_slot_base(b, s));
            CU_ASSERT_EQUAL(fdt32_to_cpu(r[1]), IOBUS_SLOT_SPAN);
            CU_ASSERT_EQUAL(prop_u32(blob, dev, "interrupts"), b * 32 + s);
            char compat[48];
            snprintf(compat, sizeof compat, "trapvisor,%s", c.slots[b][s].cls->name);
            CU_ASSERT_STRING_EQUAL(fdt_getprop(blob, dev, "compatible", NULL), compat);
            devices++;
        }
    }
    CU_ASSERT_EQUAL(buses, 4);
    CU_ASSERT_EQUAL(devices, 7); /* uart timer power disk nic fb kbd */
    CU_ASSERT(fdt_node_offset_by_compatible(blob, -1, "trapvisor,disk") >= 0);
    /* Too small a buffer is an error, not a truncated tree. */
    CU_ASSERT_EQUAL(board_fdt_build(&c, blob, 256), -1);
    board_config_free(&c);
}

static void test_config_by_reference(void)
{
    /* Settings live with their device class, allocated per used slot: a
     * configuration is a few KiB (it was 0.8 MB of inline paths). */
    CU_ASSERT(sizeof(struct board_config) < 16 * 1024);
    struct board_config a, b;
    char err[256];
    CU_ASSERT_FATAL(board_config_default(&a));
    CU_ASSERT_EQUAL(board_config_set(&a, "bus0.slot0.output=/tmp/a.txt", err, sizeof err), 0);
    CU_ASSERT_FATAL(board_config_copy(&b, &a));
    CU_ASSERT_EQUAL(board_config_set(&b, "bus0.slot0.output=/tmp/b.txt", err, sizeof err), 0);
    CU_ASSERT_STRING_EQUAL(UART_AT(a, 0, 0)->output, "/tmp/a.txt"); /* independent copies */
    CU_ASSERT_STRING_EQUAL(UART_AT(b, 0, 0)->output, "/tmp/b.txt");
    CU_ASSERT_PTR_NOT_EQUAL(a.slots[0][0].settings, b.slots[0][0].settings);
    board_config_free(&b);
    /* A board borrows its configuration. */
    CU_ASSERT_EQUAL(board_config_set(&a, "bus0.slot0.output=/dev/null", err, sizeof err), 0);
    CU_ASSERT_EQUAL(board_config_set(&a, "bus0.slot0.input=none", err, sizeof err), 0);
    board_t *bd = board_new(&a, err, sizeof err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(bd);
    CU_ASSERT_PTR_EQUAL(board_config_of(bd), &a);
    board_free(bd);
    board_config_free(&a);
}

static void test_every_device_class(void)
{
    /* Each class of dev_classes[] is configured by its name, reports its
     * keys, appears in the device tree and is attached to its slot. */
    char img[64], err[512], kv[128];
    make_temp_file(img, 8 * 512);
    unsigned n = 0;
    for (const struct dev_class *const *cls = dev_classes; *cls; cls++, n++) {
        const struct dev_class *k = *cls;
        CU_ASSERT_PTR_EQUAL(dev_class_find(k->name), k);
        CU_ASSERT_EQUAL(dev_class_index(k), n);
        CU_ASSERT_PTR_NOT_NULL(k->attach);
        struct board_config c;
        CU_ASSERT_FATAL(board_config_default(&c));
        CU_ASSERT_EQUAL(board_config_set(&c, "bus0.slot0.input=none", err, sizeof err), 0);
        CU_ASSERT_EQUAL(board_config_set(&c, "bus0.slot0.output=/dev/null", err, sizeof err), 0);
        snprintf(kv, sizeof kv, "bus3.slot7.type=%s", k->name);
        CU_ASSERT_EQUAL(board_config_set(&c, kv, err, sizeof err), 0);
        CU_ASSERT_EQUAL(board_config_set(&c, "bus3.slot7.colour=red", err, sizeof err), -1);
        CU_ASSERT_PTR_NOT_NULL(strstr(err, "has no key 'colour'"));
        if (k == &disk_class) {
            snprintf(kv, sizeof kv, "bus3.slot7.image=%s", img);
            CU_ASSERT_EQUAL(board_config_set(&c, kv, err, sizeof err), 0);
        }
        if (k == &tpm_class) {
            snprintf(kv, sizeof kv, "bus3.slot7.state=%s.tpm", img);
            CU_ASSERT_EQUAL(board_config_set(&c, kv, err, sizeof err), 0);
        }
        static uint8_t blob[ROM_FDT_MAX];
        CU_ASSERT_FATAL(board_fdt_build(&c, blob, sizeof blob) > 0);
        char path[96];
        snprintf(path, sizeof path, "/bus@%x/%s@%x", iobus_slot_base(3, 0), k->name,
                 iobus_slot_base(3, 7));
        CU_ASSERT(fdt_path_offset(blob, path) >= 0);
        if (k == &tpm_class) { /* and its FIFO registers for tpm_tis */
            snprintf(path, sizeof path, "/bus@%x/tpm-tis@%x", iobus_slot_base(3, 0),
                     iobus_slot_base(3, 7) + SLOT_DEV_BASE);
            int node = fdt_path_offset(blob, path);
            CU_ASSERT(node >= 0);
            const char *compat = fdt_getprop(blob, node, "compatible", NULL);
            CU_ASSERT(compat && strcmp(compat, "tcg,tpm-tis-mmio") == 0);
        }
        if (k == &uart_class) { /* one console per board */
            board_config_free(&c);
            continue;
        }
        board_t *b = board_new(&c, err, sizeof err);
        if (!b)
            printf("\n  %s: %s\n", k->name, err);
        CU_ASSERT_PTR_NOT_NULL_FATAL(b);
        void *opaque;
        CU_ASSERT_PTR_NOT_NULL(iobus_slot_ops(board_iobus(b), 3, 7, &opaque));
        board_free(b);
        board_config_free(&c);
    }
    CU_ASSERT_EQUAL(n, 8);
    unlink(img);
    char tpm_state[80];
    snprintf(tpm_state, sizeof tpm_state, "%s.tpm", img);
    unlink(tpm_state);
}

static const struct test_case tests[] = {
    {"default board", test_default},
    {"INI file", test_load},
    {"config errors name file and line", test_errors},
    {"command-line overrides", test_overrides},
    {"device tree parsed back with libfdt", test_fdt},
    {"configuration by reference: small, copied deep, borrowed", test_config_by_reference},
    {"every device class: by name, in the tree, attached", test_every_device_class},
};

CUNIT_MAIN("board", tests)
