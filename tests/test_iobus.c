/*
 * tests/test_iobus.c — buses and slots: discovery through the identification
 * header, empty slots, MMIO dispatch, access-size checks, the interrupt
 * controller, DMA window refusal; and the same seen from a running CPU.
 */
#include "cunit_main.h"
#include "iobus/iobus.h"
#include "tmachine.h"

#include <string.h>

/* A scratch device: 16 word registers; writing 1 to register 15 raises its line. */
struct scratch {
    uint32_t regs[16];
    unsigned reads, writes, resets;
    io_link_t *irq;
};

static enum phys_result scratch_read(void *opaque, uint32_t off, unsigned size, uint32_t *v)
{
    struct scratch *s = opaque;
    (void)size;
    s->reads++;
    *v = s->regs[off / 4];
    return PHYS_OK;
}

static enum phys_result scratch_write(void *opaque, uint32_t off, unsigned size, uint32_t v)
{
    struct scratch *s = opaque;
    (void)size;
    s->writes++;
    s->regs[off / 4] = v;
    if (off == 60 && s->irq)
        io_link_irq(s->irq, v != 0);
    return PHYS_OK;
}

static void scratch_reset(void *opaque) { ((struct scratch *)opaque)->resets++; }

static const struct iodev_ops scratch_ops = {
    .name = "scratch",
    .vendor = 0x5456,
    .device = 0x0042,
    .revision = 3,
    .reg_size = 64,
    .access_sizes = 4,
    .read = scratch_read,
    .write = scratch_write,
    .reset = scratch_reset,
};

struct lines {
    bool level[7];
    unsigned changes;
};
static void on_line(void *opaque, unsigned line, bool level)
{
    struct lines *l = opaque;
    l->level[line] = level;
    l->changes++;
}

static uint32_t rd(phys_t *p, uint32_t pa, enum phys_result *r)
{
    uint32_t v = 0xDEADBEEF;
    *r = phys_read(p, pa, 4, &v);
    return v;
}

static void test_discovery_and_dispatch(void)
{
    phys_t *p = phys_new(1u << 20, true);
    struct lines l = {0};
    iobus_t *io = iobus_new(p, 4, on_line, &l);
    CU_ASSERT_PTR_NOT_NULL_FATAL(io);
    struct scratch s = {0};
    CU_ASSERT_EQUAL(iobus_attach(io, 1, 3, &scratch_ops, &s, &s.irq), 0);
    CU_ASSERT_EQUAL(iobus_attach(io, 1, 3, &scratch_ops, &s, NULL), -1); /* taken */
    CU_ASSERT_EQUAL(iobus_attach(io, 4, 0, &scratch_ops, &s, NULL), -1); /* no such bus */
    CU_ASSERT_EQUAL(iobus_attach(io, 0, 32, &scratch_ops, &s, NULL), -1);

    enum phys_result r;
    uint32_t base = iobus_slot_base(1, 3);
    CU_ASSERT_EQUAL(base, 0x1E000000u + 0x200000u + 0x30000u);
    CU_ASSERT_EQUAL(rd(p, base + SLOT_REG_ID, &r), 0x54560042u);
    CU_ASSERT_EQUAL(r, PHYS_OK);
    CU_ASSERT_EQUAL(rd(p, base + SLOT_REG_REVISION, &r), 3);
    CU_ASSERT_EQUAL(rd(p, base + SLOT_REG_IRQ, &r), 1 * 32 + 3);
    CU_ASSERT_EQUAL(rd(p, base + SLOT_REG_SIZE, &r), 64);

    /* Scanning every slot finds exactly one device. */
    unsigned found = 0;
    for (unsigned b = 0; b < 4; b++)
        for (unsigned sl = 0; sl < IOBUS_SLOTS; sl++) {
            uint32_t id = rd(p, iobus_slot_base(b, sl) + SLOT_REG_ID, &r);
            CU_ASSERT_EQUAL(r, PHYS_OK);
            found += id != 0;
        }
    CU_ASSERT_EQUAL(found, 1);

    /* Device registers start at SLOT_DEV_BASE; the device sees its own offsets. */
    CU_ASSERT_EQUAL(phys_write(p, base + SLOT_DEV_BASE + 8, 4, 0x1234), PHYS_OK);
    CU_ASSERT_EQUAL(s.regs[2], 0x1234);
    CU_ASSERT_EQUAL(rd(p, base + SLOT_DEV_BASE + 8, &r), 0x1234);
    /* Disallowed size, beyond the registers, header writes, empty slots. */
    uint32_t v;
    CU_ASSERT_EQUAL(phys_read(p, base + SLOT_DEV_BASE, 1, &v), PHYS_BUS_ERROR);
    CU_ASSERT_EQUAL(phys_read(p, base + SLOT_DEV_BASE + 64, 4, &v), PHYS_BUS_ERROR);
    CU_ASSERT_EQUAL(phys_write(p, base + SLOT_REG_ID, 4, 0), PHYS_OK);
    CU_ASSERT_EQUAL(rd(p, base + SLOT_REG_ID, &r), 0x54560042u);
    CU_ASSERT_EQUAL(phys_read(p, base + SLOT_REG_ID, 2, &v), PHYS_BUS_ERROR);
    CU_ASSERT_EQUAL(phys_read(p, iobus_slot_base(0, 0) + SLOT_DEV_BASE, 4, &v), PHYS_BUS_ERROR);
    CU_ASSERT_EQUAL(phys_write(p, iobus_slot_base(2, 7) + SLOT_DEV_BASE, 4, 1), PHYS_BUS_ERROR);
    /* A bus that is not fitted reads like empty slots: headers 0, the rest bus errors. */
    v = 0xFFFFFFFFu;
    CU_ASSERT_EQUAL(phys_read(p, iobus_slot_base(4, 0) + SLOT_REG_ID, 4, &v), PHYS_OK);
    CU_ASSERT_EQUAL(v, 0);
    CU_ASSERT_EQUAL(phys_read(p, iobus_slot_base(7, 31) + SLOT_REG_IRQ, 4, &v), PHYS_OK);
    CU_ASSERT_EQUAL(v, 0);
    CU_ASSERT_EQUAL(phys_read(p, iobus_slot_base(4, 0) + SLOT_DEV_BASE, 4, &v), PHYS_BUS_ERROR);
    CU_ASSERT_EQUAL(phys_write(p, iobus_slot_base(4, 0) + SLOT_REG_ID, 4, 1), PHYS_BUS_ERROR);

    iobus_reset(io);
    CU_ASSERT_EQUAL(s.resets, 1);
    struct iobus_stats st;
    iobus_get_stats(io, &st);
    CU_ASSERT(st.empty_slot_accesses >= 4 * 32 - 1);
    iobus_free(io);
    phys_free(p);
}

static void test_interrupt_controller(void)
{
    phys_t *p = phys_new(1u << 20, true);
    struct lines l = {0};
    iobus_t *io = iobus_new(p, 6, on_line, &l);
    struct scratch a = {0}, b = {0}, c = {0};
    CU_ASSERT_EQUAL(iobus_attach(io, 0, 5, &scratch_ops, &a, &a.irq), 0);
    CU_ASSERT_EQUAL(iobus_attach(io, 4, 1, &scratch_ops, &b, &b.irq), 0);
    CU_ASSERT_EQUAL(iobus_attach(io, 5, 2, &scratch_ops, &c, &c.irq), 0);
    enum phys_result r;

    io_link_irq(a.irq, true);
    CU_ASSERT_EQUAL(rd(p, IOBUS_INTC_BASE + INTC_REG_PENDING(0), &r), 1u << 5);
    CU_ASSERT_FALSE(l.level[2]); /* not enabled yet */
    CU_ASSERT_EQUAL(phys_write(p, IOBUS_INTC_BASE + INTC_REG_ENABLE(0), 4, 1u << 5), PHYS_OK);
    CU_ASSERT(l.level[2]);
    io_link_irq(a.irq, false);
    CU_ASSERT_FALSE(l.level[2]);
    CU_ASSERT_EQUAL(rd(p, IOBUS_INTC_BASE + INTC_REG_PENDING(0), &r), 0);

    /* Buses 4 and 5 share IP6: the line stays up while either asserts. */
    CU_ASSERT_EQUAL(rd(p, IOBUS_INTC_BASE + INTC_REG_CPU_LINE(4), &r), 6);
    CU_ASSERT_EQUAL(rd(p, IOBUS_INTC_BASE + INTC_REG_CPU_LINE(5), &r), 6);
    CU_ASSERT_EQUAL(phys_write(p, IOBUS_INTC_BASE + INTC_REG_ENABLE(4), 4, ~0u), PHYS_OK);
    CU_ASSERT_EQUAL(phys_write(p, IOBUS_INTC_BASE + INTC_REG_ENABLE(5), 4, ~0u), PHYS_OK);
    io_link_irq(b.irq, true);
    io_link_irq(c.irq, true);
    CU_ASSERT(l.level[6]);
    io_link_irq(b.irq, false);
    CU_ASSERT(l.level[6]);
    io_link_irq(c.irq, false);
    CU_ASSERT_FALSE(l.level[6]);
    /* A bus that does not exist has no controller registers. */
    uint32_t v;
    CU_ASSERT_EQUAL(phys_read(p, IOBUS_INTC_BASE + INTC_REG_PENDING(6), 4, &v), PHYS_BUS_ERROR);
    iobus_free(io);
    phys_free(p);
}

static void test_dma_window(void)
{
    phys_t *p = phys_new(1u << 20, true);
    iobus_t *io = iobus_new(p, 2, NULL, NULL);
    struct scratch s = {0};
    CU_ASSERT_EQUAL(iobus_attach(io, 1, 0, &scratch_ops, &s, NULL), 0);
    uint8_t buf[64];
    memset(buf, 0xAB, sizeof(buf));
    /* No window granted: refused. */
    CU_ASSERT_EQUAL(iobus_dma_write(io, 1, 0, 0x1000, buf, 64), -1);
    iobus_set_dma_window(io, 1, 0, 0x10000, 0x1000);
    CU_ASSERT_EQUAL(iobus_dma_write(io, 1, 0, 0x10000, buf, 64), 0);
    uint8_t back[64] = {0};
    CU_ASSERT_EQUAL(phys_dump(p, 0x10000, back, 64), 0);
    CU_ASSERT_EQUAL(memcmp(back, buf, 64), 0);
    CU_ASSERT_EQUAL(iobus_dma_read(io, 1, 0, 0x10FC0, back, 64), 0);
    /* Straddling the end of the window: refused whole, no byte moved. */
    uint8_t before[16], after[16];
    CU_ASSERT_EQUAL(phys_dump(p, 0x10FF8, before, 16), 0);
    CU_ASSERT_EQUAL(iobus_dma_write(io, 1, 0, 0x10FF8, buf, 16), -1);
    CU_ASSERT_EQUAL(phys_dump(p, 0x10FF8, after, 16), 0);
    CU_ASSERT_EQUAL(memcmp(before, after, 16), 0);
    CU_ASSERT_EQUAL(iobus_dma_read(io, 1, 0, 0xFFF0, back, 32), -1);
    /* A window beyond RAM still cannot reach past RAM. */
    iobus_set_dma_window(io, 1, 0, 0xFF000, 0x10000);
    CU_ASSERT_EQUAL(iobus_dma_write(io, 1, 0, 0xFFFF0, buf, 32), -1);
    /* An empty slot has no DMA at all. */
    iobus_set_dma_window(io, 0, 3, 0, 1u << 20);
    CU_ASSERT_EQUAL(iobus_dma_write(io, 0, 3, 0, buf, 4), -1);
    struct iobus_stats st;
    iobus_get_stats(io, &st);
    CU_ASSERT_EQUAL(st.dma_refused, 5);
    CU_ASSERT_EQUAL(st.dma_bytes, 128);
    iobus_free(io);
    phys_free(p);
}

struct dma_seen {
    unsigned calls;
    uint32_t paddr;
    size_t len;
};
static void on_dma(void *opaque, uint32_t paddr, size_t len)
{
    struct dma_seen *d = opaque;
    d->calls++;
    d->paddr = paddr;
    d->len = len;
}

static void test_dma_hooks_fan_out(void)
{
    /* Every listener hears each DMA write, a refused one none. */
    phys_t *p = phys_new(1u << 20, true);
    iobus_t *io = iobus_new(p, 2, NULL, NULL);
    struct scratch s = {0};
    CU_ASSERT_EQUAL(iobus_attach(io, 1, 0, &scratch_ops, &s, NULL), 0);
    iobus_set_dma_window(io, 1, 0, 0x10000, 0x1000);
    struct dma_seen a = {0}, b = {0};
    CU_ASSERT_EQUAL(iobus_add_dma_hook(io, on_dma, &a), 0);
    CU_ASSERT_EQUAL(iobus_add_dma_hook(io, on_dma, &b), 0);
    uint8_t buf[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    CU_ASSERT_EQUAL(iobus_dma_write(io, 1, 0, 0x10100, buf, 8), 0);
    CU_ASSERT_EQUAL(iobus_dma_write(io, 1, 0, 0x20000, buf, 8), -1);
    CU_ASSERT_EQUAL(a.calls, 1);
    CU_ASSERT_EQUAL(b.calls, 1);
    CU_ASSERT_EQUAL(b.paddr, 0x10100u);
    CU_ASSERT_EQUAL(b.len, 8);
    for (unsigned i = 2; i < IOBUS_MAX_DMA_HOOKS; i++)
        CU_ASSERT_EQUAL(iobus_add_dma_hook(io, on_dma, &a), 0);
    CU_ASSERT_EQUAL(iobus_add_dma_hook(io, on_dma, &a), -1);
    iobus_free(io);
    phys_free(p);
}

static void test_buffer_pages(void)
{
    /* A device's buffer page is plain memory at its slot offset: MMIO of
     * every width in the CPU's byte order, the device sees the bytes. */
    phys_t *p = phys_new(1u << 20, true);
    iobus_t *io = iobus_new(p, 2, NULL, NULL);
    struct scratch s = {0};
    io_link_t *link;
    CU_ASSERT_EQUAL(iobus_attach(io, 1, 4, &scratch_ops, &s, &link), 0);
    CU_ASSERT_PTR_NULL(io_link_buffer(link, 0x0000, 0x1000)); /* over the header */
    CU_ASSERT_PTR_NULL(io_link_buffer(link, 0x1800, 0x1000)); /* not page-aligned */
    CU_ASSERT_PTR_NULL(io_link_buffer(link, 0xF000, 0x2000)); /* past the window */
    uint8_t *buf = io_link_buffer(link, 0x2000, 0x1000);
    CU_ASSERT_PTR_NOT_NULL_FATAL(buf);
    CU_ASSERT_PTR_NULL(io_link_buffer(link, 0x4000, 0x1000)); /* one per slot */
    uint32_t base = iobus_slot_base(1, 4) + 0x2000, v = 0;
    CU_ASSERT_EQUAL(phys_write(p, base + 8, 4, 0x11223344u), PHYS_OK);
    CU_ASSERT(buf[8] == 0x11 && buf[11] == 0x44); /* big-endian */
    CU_ASSERT_EQUAL(phys_write(p, base + 0xFFE, 2, 0xBEEF), PHYS_OK);
    CU_ASSERT(buf[0xFFE] == 0xBE && buf[0xFFF] == 0xEF);
    buf[16] = 0xA5;
    CU_ASSERT_EQUAL(phys_read(p, base + 16, 1, &v), PHYS_OK);
    CU_ASSERT_EQUAL(v, 0xA5);
    CU_ASSERT_EQUAL(phys_read(p, base + 8, 4, &v), PHYS_OK);
    CU_ASSERT_EQUAL(v, 0x11223344u);
    CU_ASSERT_EQUAL(phys_read(p, base + 9, 4, &v), PHYS_BUS_ERROR); /* unaligned */
    CU_ASSERT_EQUAL(s.reads + s.writes, 0); /* never the device's registers */
    iobus_free(io);
    phys_free(p);
}

static void test_new_fails_cleanly(void)
{
    /* Something already sits in the I/O window: iobus_new refuses and leaves
     * nothing behind in the physical address space. */
    phys_t *p = phys_new(1u << 20, true);
    CU_ASSERT_EQUAL(phys_add_rom(p, "squatter", IOBUS_INTC_BASE, 0x1000), 0);
    CU_ASSERT_PTR_NULL(iobus_new(p, 2, NULL, NULL));
    CU_ASSERT_PTR_NULL(iobus_new(p, 0, NULL, NULL));
    CU_ASSERT_PTR_NULL(iobus_new(p, IOBUS_MAX_BUSES + 1, NULL, NULL));
    uint32_t v;
    CU_ASSERT_EQUAL(phys_read(p, iobus_slot_base(0, 0) + SLOT_REG_ID, 4, &v), PHYS_BUS_ERROR);
    phys_free(p);
}

/* ---- seen from a running CPU -------------------------------------------- */

enum { ZERO = 0, T0 = 8, T1 = 9, T2 = 10, S0 = 16 };
#define LI(r, v)     LUI(r, (uint32_t)(v) >> 16), ORI(r, r, (uint32_t)(v)&0xFFFF)
#define CAUSE_EXC(t) ((cpu_cp0_read((t)->cpu, C0_CAUSE, 0) & CAUSE_EXC_MASK) >> CAUSE_EXC_SHIFT)

static void cpu_line(void *opaque, unsigned line, bool level) { cpu_set_irq(opaque, line, level); }

static void test_cpu_view(void)
{
    struct tm t = tm_new(true);
    iobus_t *io = iobus_new(t.phys, 2, cpu_line, t.cpu);
    struct scratch s = {0};
    CU_ASSERT_EQUAL(iobus_attach(io, 1, 2, &scratch_ops, &s, &s.irq), 0);
    uint32_t kseg1 = 0xA0000000u | iobus_slot_base(1, 2);
    /* Read the ID through kseg1, write a register, then touch an empty slot: DBE. */
    CU_ASSERT_EQUAL(TM_RUN(&t, LI(S0, kseg1), LW(T0, SLOT_REG_ID, S0), ADDIU(T1, ZERO, 77),
                           SW(T1, SLOT_DEV_BASE + 4, S0),
                           LI(S0, 0xA0000000u | iobus_slot_base(0, 9)), LW(T2, SLOT_REG_ID, S0),
                           LW(T2, SLOT_DEV_BASE, S0)),
                    TM_STOP_GENERAL);
    CU_ASSERT_EQUAL(cpu_gpr(t.cpu, T0), 0x54560042u);
    CU_ASSERT_EQUAL(s.regs[1], 77);
    CU_ASSERT_EQUAL(cpu_gpr(t.cpu, T2), 0); /* empty slot header reads 0 */
    CU_ASSERT_EQUAL(CAUSE_EXC(&t), EXC_DBE);
    iobus_free(io);
    tm_free(&t);

    /* The device interrupt reaches the CPU as IP3 (bus 1) once enabled. */
    t = tm_new(true);
    io = iobus_new(t.phys, 2, cpu_line, t.cpu);
    memset(&s, 0, sizeof(s));
    CU_ASSERT_EQUAL(iobus_attach(io, 1, 2, &scratch_ops, &s, &s.irq), 0);
    CU_ASSERT_EQUAL(TM_RUN(&t, LI(S0, 0xA0000000u | IOBUS_INTC_BASE), ADDIU(T0, ZERO, 1 << 2),
                           SW(T0, INTC_REG_ENABLE(1), S0),
                           LI(T1, (1u << (ST_IM_SHIFT + 3)) | ST_IE), MTC0(T1, C0_STATUS, 0),
                           LI(S0, 0xA0000000u | iobus_slot_base(1, 2)), ADDIU(T0, ZERO, 1),
                           SW(T0, SLOT_DEV_BASE + 60, S0), NOP, NOP),
                    TM_STOP_GENERAL);
    CU_ASSERT_EQUAL(CAUSE_EXC(&t), EXC_INT);
    CU_ASSERT(cpu_cp0_read(t.cpu, C0_CAUSE, 0) & (1u << (CAUSE_IP_SHIFT + 3)));
    /* Taken right after the store that raised it. */
    CU_ASSERT_EQUAL(cpu_cp0_read(t.cpu, C0_EPC, 0), TM_CODE + 4 * 11);
    iobus_free(io);
    tm_free(&t);
}

static const struct test_case tests[] = {
    {"discovery, empty slots, dispatch", test_discovery_and_dispatch},
    {"interrupt controller", test_interrupt_controller},
    {"DMA window", test_dma_window},
    {"DMA listeners fan out", test_dma_hooks_fan_out},
    {"buffer pages: memory in a slot window", test_buffer_pages},
    {"creation fails cleanly", test_new_fails_cleanly},
    {"seen from the CPU", test_cpu_view},
};

CUNIT_MAIN("iobus", tests)
