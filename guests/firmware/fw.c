/*
 * guests/firmware/fw.c — the boot ROM (boot protocol: docs/hardware.md,
 * "Boot"). Finds the console and the power device by scanning the bus slots,
 * checks the boot info block and the kernel ELF image the host staged in RAM,
 * copies its PT_LOAD segments to their kseg0/kseg1 addresses, clears the bss
 * parts, and jumps to the entry point with a0 = FDT, a1 = boot info. With a
 * TPM on the board it first measures the kernel image: TPM2_Startup(CLEAR)
 * and the image's bytes, as staged, through an event sequence into PCR 9
 * (docs/hardware.md, "Boot").
 * Runs from ROM: no globals, everything on the stack.
 */
#include "elf32.h"
#include "fmt.h"
#include "hw.h"
#include "tis.h"

struct fw {
    uint32_t uart, power, tpm; /* physical addresses of the slot windows, 0 if absent */
};

static void fw_scan(struct fw *f)
{
    f->uart = f->power = f->tpm = 0;
    for (uint32_t bus = 0; bus < IOBUS_MAX_BUSES; bus++)
        for (uint32_t slot = 0; slot < IOBUS_SLOTS; slot++) {
            uint32_t base = slot_base(bus, slot);
            uint32_t id = mmio_read(base + SLOT_REG_ID);
            if (id == (VENDOR_TV << 16 | DEVID_UART) && !f->uart)
                f->uart = base;
            if (id == (VENDOR_TV << 16 | DEVID_POWER) && !f->power)
                f->power = base;
            if (id == (VENDOR_TV << 16 | DEVID_TPM) && !f->tpm)
                f->tpm = base;
        }
}

static void fw_putc(char c, void *arg)
{
    const struct fw *f = arg;
    if (f->uart)
        mmio_write(f->uart + SLOT_DEV_BASE + UART_DATA, (uint8_t)c);
}

static void fw_printf(struct fw *f, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fmt_format(fw_putc, f, fmt, ap);
    va_end(ap);
}

static void __attribute__((noreturn)) fw_halt(struct fw *f, uint32_t code)
{
    if (f->power)
        mmio_write(f->power + SLOT_DEV_BASE + POWER_OFF, code);
    for (;;)
        __asm__ volatile("wait");
}

void fw_exception(uint32_t cause, uint32_t epc, uint32_t badvaddr);
void fw_exception(uint32_t cause, uint32_t epc, uint32_t badvaddr)
{
    struct fw f;
    fw_scan(&f);
    fw_printf(&f, "bootrom: unexpected exception %u at pc 0x%08x (badvaddr 0x%08x)\n",
              (cause & CAUSE_EXC_MASK) >> CAUSE_EXC_SHIFT, epc, badvaddr);
    fw_halt(&f, 255);
}

static uint32_t bi_word(uint32_t off)
{
    return *(volatile uint32_t *)PHYS_TO_K1(ROM_BOOTINFO + off);
}

/* Copy the kernel's segments; 0 or a reason. Segments must be in kseg0/kseg1
 * and must not overlap the staged image itself. */
static const char *fw_load(const uint8_t *img, uint32_t size, uint32_t image_pa)
{
    const char *why = elf32_check(img, size);
    if (why)
        return why;
    const Elf32_Ehdr *eh = (const Elf32_Ehdr *)img;
    const Elf32_Phdr *ph = (const Elf32_Phdr *)(img + eh->e_phoff);
    for (unsigned i = 0; i < eh->e_phnum; i++) {
        if (ph[i].p_type != PT_LOAD || ph[i].p_memsz == 0)
            continue;
        uint32_t va = ph[i].p_vaddr, end = va + ph[i].p_memsz;
        if (ph[i].p_filesz > ph[i].p_memsz || ph[i].p_offset > size ||
            ph[i].p_filesz > size - ph[i].p_offset)
            return "segment outside the file";
        if (va < KSEG0 || end > 0xC0000000u || end < va)
            return "segment outside kseg0/kseg1";
        if (K0_TO_PHYS(end) > image_pa)
            return "segment overlaps the staged image";
        memcpy((void *)(va | KSEG0), img + ph[i].p_offset, ph[i].p_filesz);
        memset((void *)((va | KSEG0) + ph[i].p_filesz), 0, ph[i].p_memsz - ph[i].p_filesz);
    }
    if (eh->e_entry < KSEG0 || eh->e_entry >= 0xC0000000u)
        return "entry point outside kseg0/kseg1";
    return 0;
}

/* One command; its response code, or 0xFFFFFFFF when the TPM did not answer. */
static uint32_t fw_tpm(uint32_t regs, uint8_t *cmd, uint32_t len, uint8_t *resp, uint32_t cap)
{
    tis_put32(cmd + 2, len);
    int n = tis_transmit(regs, cmd, len, resp, cap);
    return n >= 10 ? tis_get32(resp + 6) : 0xFFFFFFFFu;
}

/* The empty password session (TPM_RS_PW), as an authorization area entry. */
static uint32_t put_pw(uint8_t *p)
{
    static const uint8_t pw[9] = {0x40, 0, 0, 9, 0, 0, 0, 0, 0};
    for (unsigned i = 0; i < sizeof pw; i++)
        p[i] = pw[i];
    return sizeof pw;
}

/* Measure [img, img + size) into PCR 9; 0 or a reason. */
static const char *fw_measure(uint32_t regs, const uint8_t *img, uint32_t size)
{
    uint8_t cmd[1100], resp[128];
    uint8_t startup[] = {0x80, 0x01, 0, 0, 0, 0, 0, 0, 0x01, 0x44, 0, 0};
    uint32_t rc = fw_tpm(regs, startup, sizeof startup, resp, sizeof resp);
    if (rc != 0 && rc != 0x100)
        return "TPM2_Startup failed";
    /* HashSequenceStart(no auth, TPM_ALG_NULL): an event sequence. */
    uint8_t start[] = {0x80, 0x01, 0, 0, 0, 0, 0, 0, 0x01, 0x86, 0, 0, 0x00, 0x10};
    if (fw_tpm(regs, start, sizeof start, resp, sizeof resp) != 0)
        return "TPM2_HashSequenceStart failed";
    uint32_t seq = tis_get32(resp + 10);
    for (uint32_t off = 0; off < size;) {
        uint32_t n = size - off < 1024 ? size - off : 1024, k = 0;
        cmd[k++] = 0x80, cmd[k++] = 0x02, k += 4;
        tis_put32(cmd + k, 0x15C), k += 4; /* SequenceUpdate */
        tis_put32(cmd + k, seq), k += 4;
        tis_put32(cmd + k, 9), k += 4;
        k += put_pw(cmd + k);
        cmd[k++] = (uint8_t)(n >> 8), cmd[k++] = (uint8_t)n;
        for (uint32_t i = 0; i < n; i++)
            cmd[k++] = img[off + i];
        if (fw_tpm(regs, cmd, k, resp, sizeof resp) != 0)
            return "TPM2_SequenceUpdate failed";
        off += n;
    }
    uint32_t k = 0;
    cmd[k++] = 0x80, cmd[k++] = 0x02, k += 4;
    tis_put32(cmd + k, 0x185), k += 4; /* EventSequenceComplete */
    tis_put32(cmd + k, 9), k += 4;     /* PCR 9 */
    tis_put32(cmd + k, seq), k += 4;
    tis_put32(cmd + k, 18), k += 4;
    k += put_pw(cmd + k);
    k += put_pw(cmd + k);
    cmd[k++] = 0, cmd[k++] = 0; /* no last piece */
    if (fw_tpm(regs, cmd, k, resp, sizeof resp) != 0)
        return "TPM2_EventSequenceComplete failed";
    return 0;
}

void fw_main(void);
void fw_main(void)
{
    struct fw f;
    fw_scan(&f);
    fw_printf(&f, "trapvisor boot ROM\n");
    if (bi_word(BI_MAGIC) != BOOTINFO_MAGIC || bi_word(BI_VERSION) != 1) {
        fw_printf(&f, "bootrom: no boot info block at 0x%08x\n", ROM_BOOTINFO);
        fw_halt(&f, 254);
    }
    uint32_t image = bi_word(BI_KERNEL_IMAGE), size = bi_word(BI_KERNEL_SIZE);
    uint32_t ram = bi_word(BI_RAM_SIZE);
    if (!image || image >= ram || size > ram - image) {
        fw_printf(&f, "bootrom: no kernel image in RAM\n");
        fw_halt(&f, 254);
    }
    if (f.tpm) {
        const char *err = fw_measure(f.tpm + SLOT_DEV_BASE, PHYS_TO_K0(image), size);
        fw_printf(&f, "bootrom: %s\n", err ? err : "kernel image measured into TPM PCR 9");
        if (err)
            fw_halt(&f, 254);
    }
    const char *why = fw_load(PHYS_TO_K0(image), size, image - 0x10000u /* our stack */);
    if (why) {
        fw_printf(&f, "bootrom: kernel image at 0x%08x (%u bytes): %s\n", image, size, why);
        fw_halt(&f, 254);
    }
    const Elf32_Ehdr *eh = PHYS_TO_K0(image);
    fw_printf(&f, "bootrom: kernel %u bytes, entry 0x%08x, device tree at 0x%08x\n", size,
              eh->e_entry, bi_word(BI_FDT));
    void (*entry)(uint32_t, uint32_t) = (void (*)(uint32_t, uint32_t))eh->e_entry;
    mtc0(C0_STATUS, 0); /* BEV off: the kernel's vectors at 0x80000000 */
    entry((uint32_t)PHYS_TO_K1(bi_word(BI_FDT)), (uint32_t)PHYS_TO_K1(ROM_BOOTINFO));
    fw_halt(&f, 253);
}
