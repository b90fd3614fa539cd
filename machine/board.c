/*
 * machine/board.c — build a board from its configuration, place the boot
 * ROM contents and the kernel image (machine/rom.h), and run it: device time
 * advances with the CPU's cycles, devices are ticked at their deadlines, and
 * a write to the power device ends the run.
 */
#include "machine/board_priv.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "dev/fb.h"
#include "dev/vswitch.h"
#include "machine/fdt.h"
#include "machine/rom.h"
#include "util/bug.h"
#include "util/fileio.h"

bool board_guest_path(const char *name, char *buf, size_t len)
{
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0)
        return false;
    exe[n] = 0;
    char *slash = strrchr(exe, '/');
    if (slash)
        *slash = 0;
    int w = snprintf(buf, len, "%s/guests/%s", exe, name);
    if (w > 0 && (size_t)w < len && access(buf, R_OK) == 0)
        return true;
    /* Not next to the executable (a test or benchmark binary): the build's. */
    w = snprintf(buf, len, "%s/%s", TRAPVISOR_GUEST_DIR, name);
    return w > 0 && (size_t)w < len;
}

/* ---- callbacks from the CPU and the devices ----------------------------- */

static void on_cpu_line(void *opaque, unsigned line, bool level)
{
    struct board *b = opaque;
    cpu_set_irq(b->cpu, line, level);
}

static uint64_t clock_now(void *opaque)
{
    struct board *b = opaque;
    return cpu_cycles(b->cpu);
}

static void clock_schedule(void *opaque, uint64_t when)
{
    struct board *b = opaque;
    if (when < b->deadline) {
        b->deadline = when;
        cpu_set_deadline(b->cpu, when);
    }
}

static void on_power(void *opaque, enum power_action action, unsigned code)
{
    struct board *b = opaque;
    if (action == POWER_OFF) {
        b->powered_off = true;
        b->exit_code = code;
    } else {
        b->reset_pending = true;
    }
    cpu_request_stop(b->cpu);
}

static void console_out(void *opaque, const char *buf, size_t len)
{
    struct board *b = opaque;
    b->console_bytes += len;
    if (b->console_fn)
        b->console_fn(b->console_opaque, buf, len);
}

static void console_to_file(void *opaque, const char *buf, size_t len)
{
    struct board *b = opaque;
    FILE *f = b->console_file ? b->console_file : stdout;
    if (fwrite(buf, 1, len, f) != len)
        b->console_write_failed = true; /* reported by board_output_error */
}

static void on_cpu_event(void *opaque, const struct cpu_event *ev)
{
    struct board *b = opaque;
    if (ev->kind == CPU_EV_EXCEPTION && ev->code == EXC_INT) {
        uint32_t pending = cpu_cp0_read(b->cpu, C0_CAUSE, 0) & cpu_cp0_read(b->cpu, C0_STATUS, 0);
        for (int line = 7; line >= 0; line--)
            if (pending & (1u << (8 + line))) {
                b->interrupts_by_line[line]++;
                break;
            }
    }
    if (ev->kind == CPU_EV_EXCEPTION &&
        storm_exception(&b->storm, ev->code, ev->pc, ev->a, cpu_insns(b->cpu)) && !b->stormed) {
        b->stormed = true;
        cpu_request_stop(b->cpu);
    } else if (ev->kind == CPU_EV_ERET) {
        storm_eret(&b->storm, ev->a, cpu_insns(b->cpu));
    }
    if (b->trace_mask)
        board_trace_exception(b, ev);
    if (b->observer)
        b->observer(b->observer_opaque, ev);
}

void board_set_observer(board_t *b, cpu_event_fn fn, void *opaque)
{
    b->observer = fn;
    b->observer_opaque = opaque;
}

tpm_t *board_tpm(board_t *b) { return b->tpm; }

fb_t *board_framebuffer(board_t *b, unsigned *bus)
{
    if (bus)
        *bus = b->fb_bus;
    return b->fb;
}

const elfimg_t *board_kernel(const board_t *b) { return b->kernel; }
const elfimg_t *board_firmware(const board_t *b) { return b->firmware; }

/* ---- construction -------------------------------------------------------- */

static int open_console_io(struct board *b, const struct uart_settings *d, char *err, size_t errlen)
{
    if (strcmp(d->output, "stdout") == 0) {
        b->console_fn = console_to_file;
        b->console_opaque = b;
    } else {
        char msg[400];
        if (file_check_writable(d->output, msg, sizeof msg) != 0) {
            snprintf(err, errlen, "console output %s", msg);
            return -1;
        }
        b->console_file = fopen(d->output, "w");
        if (!b->console_file) {
            snprintf(err, errlen, "console output %s: %s", d->output, strerror(errno));
            return -1;
        }
        b->console_fn = console_to_file;
        b->console_opaque = b;
    }
    if (b->hosted || strcmp(d->input, "none") == 0) {
        b->console_in_fd = -1;
    } else if (strcmp(d->input, "stdin") == 0) {
        b->console_in_fd = 0;
        b->interactive = isatty(0);
    } else {
        char msg[400];
        b->console_in_fd = file_open_input(d->input, msg, sizeof msg);
        if (b->console_in_fd < 0) {
            snprintf(err, errlen, "console input %s", msg);
            return -1;
        }
    }
    return 0;
}

static vswitch_t *board_vswitch(void *opaque)
{
    struct board *b = opaque;
    if (!b->vswitch)
        b->vswitch = vswitch_new();
    return b->vswitch;
}

/* Create the slot's device through its class. The board's own features
 * need a few of them by name: the console UART (its input and output), the
 * disk (statistics), the first framebuffer (front ends), power. */
static int add_device(struct board *b, const struct dev_config *d, unsigned bus, unsigned slot,
                      char *err, size_t errlen)
{
    if (!d->cls)
        return 0;
    char msg[600] = "";
    if (d->cls == &uart_class) {
        if (b->console) {
            snprintf(err, errlen, "bus%u.slot%u: only one console UART per board", bus, slot);
            return -1;
        }
        if (open_console_io(b, d->settings, err, errlen) != 0)
            return -1;
    }
    struct dev_host h = {
        .io = b->io,
        .big_endian = !b->cfg->little_endian,
        .rtc_epoch = b->cfg->rtc_host ? (uint32_t)time(NULL) : b->cfg->rtc_epoch,
        .console_out = console_out,
        .console_opaque = b,
        .console_in_fd = b->console_in_fd,
        .power = on_power,
        .power_opaque = b,
        .vswitch = board_vswitch,
        .opaque = b,
    };
    void *dev = d->cls->attach(&h, bus, slot, d->settings, msg, sizeof msg);
    if (!dev) {
        if (msg[0] && d->cls == &disk_class)
            snprintf(err, errlen, "%s", msg); /* names the image */
        else if (msg[0])
            snprintf(err, errlen, "bus%u.slot%u: %s", bus, slot, msg);
        else
            snprintf(err, errlen, "bus%u.slot%u: cannot attach a %s", bus, slot, d->cls->name);
        return -1;
    }
    if (d->cls == &uart_class)
        b->console = dev;
    else if (d->cls == &disk_class && b->ndisks < IOBUS_MAX_BUSES * IOBUS_SLOTS)
        b->disks[b->ndisks++] = dev;
    else if (d->cls == &tpm_class)
        b->tpm = dev;
    else if (d->cls == &power_class)
        b->power = dev;
    else if (d->cls == &fb_class && !b->fb) {
        b->fb = dev;
        b->fb_bus = bus;
    }
    /* The native board lets every device DMA anywhere in RAM. */
    iobus_set_dma_window(b->io, bus, slot, 0, b->cfg->ram_size);
    return 0;
}

elfimg_t *board_open_guest(const char *given, const char *dflt, const char *what, bool big_endian,
                           char *err, size_t errlen)
{
    char path[PATH_MAX], msg[512], named[128];
    if (strncmp(given, "guest:", 6) == 0) {
        /* "guest:NAME": the built guest NAME-eb.elf / NAME-el.elf */
        snprintf(named, sizeof named, "%s-%s.elf", given + 6, big_endian ? "eb" : "el");
        if (!board_guest_path(named, path, sizeof path)) {
            snprintf(err, errlen, "%s: cannot find the built guest %s", what, named);
            return NULL;
        }
    } else if (given[0]) {
        snprintf(path, sizeof path, "%s", given);
    } else if (!board_guest_path(dflt, path, sizeof path)) {
        snprintf(err, errlen, "%s: cannot find the default %s", what, dflt);
        return NULL;
    }
    elfimg_t *img = elfimg_open(path, msg, sizeof msg);
    if (!img) {
        snprintf(err, errlen, "%s %s: %s", what, path, msg);
        return NULL;
    }
    if (elfimg_big_endian(img) != big_endian) {
        snprintf(err, errlen, "%s %s is %s-endian but the board is %s-endian (board.endian)", what,
                 path, big_endian ? "little" : "big", big_endian ? "big" : "little");
        elfimg_free(img);
        return NULL;
    }
    return img;
}

static void put_word(struct board *b, uint32_t paddr, uint32_t v)
{
    uint8_t w[4];
    for (int i = 0; i < 4; i++)
        w[i] = (uint8_t)(b->cfg->little_endian ? v >> (8 * i) : v >> (24 - 8 * i));
    if (phys_load(b->phys, paddr, w, 4) != 0)
        BUG("board: boot info word at %08x is outside memory", paddr);
}

/* Place the kernel ELF file in RAM for the firmware (machine/rom.h). */
static void place_kernel(struct board *b)
{
    size_t len;
    const void *bytes = elfimg_bytes(b->kernel, &len);
    if (phys_load(b->phys, b->kernel_image, bytes, len) != 0)
        BUG("board: the checked kernel placement %08x does not fit", b->kernel_image);
}

int board_kernel_placement(const elfimg_t *kernel, uint32_t ram_size, uint32_t *image, char *err,
                           size_t errlen)
{
    char msg[512];
    size_t klen;
    elfimg_bytes(kernel, &klen);
    if (klen > ram_size / 2) {
        snprintf(err, errlen, "kernel image of %zu bytes does not fit in %u bytes of RAM", klen,
                 ram_size);
        return -1;
    }
    *image = (uint32_t)(((uint64_t)ram_size - klen) & ~(uint64_t)0xFFF);
    if (elfimg_check_unmapped(kernel, msg, sizeof msg) != 0) {
        snprintf(err, errlen, "kernel: %s (the boot protocol loads kernels there)", msg);
        return -1;
    }
    if (elfimg_check_range(kernel, 0, *image - ROM_FW_STACK, msg, sizeof msg) != 0) {
        snprintf(err, errlen, "kernel: %s (RAM below its staged image and the boot ROM's stack)",
                 msg);
        return -1;
    }
    return 0;
}

static int place_rom(struct board *b, char *err, size_t errlen)
{
    char msg[512];
    if (elfimg_check_range(b->firmware, ROM_BASE, ROM_BASE + ROM_FW_MAX, msg, sizeof msg) != 0 ||
        elfimg_load(b->firmware, b->phys, msg, sizeof msg) != 0) {
        snprintf(err, errlen, "firmware: %s", msg);
        return -1;
    }
    static uint8_t fdt[ROM_FDT_MAX];
    int fdt_size = board_fdt_build(b->cfg, fdt, sizeof fdt);
    if (fdt_size < 0) {
        snprintf(err, errlen, "device tree larger than %u bytes", ROM_FDT_MAX);
        return -1;
    }
    if (phys_load(b->phys, ROM_FDT_BASE, fdt, (size_t)fdt_size) != 0)
        BUG("board: the device tree does not fit in the ROM");
    if (b->hosted)
        return 0; /* the monitor writes each guest's boot info into its own copy */

    size_t klen;
    elfimg_bytes(b->kernel, &klen);
    if (board_kernel_placement(b->kernel, b->cfg->ram_size, &b->kernel_image, err, errlen) != 0)
        return -1;
    put_word(b, ROM_BOOTINFO + BI_MAGIC, BOOTINFO_MAGIC);
    put_word(b, ROM_BOOTINFO + BI_VERSION, BOOTINFO_VERSION);
    put_word(b, ROM_BOOTINFO + BI_KERNEL_IMAGE, b->kernel_image);
    put_word(b, ROM_BOOTINFO + BI_KERNEL_SIZE, (uint32_t)klen);
    put_word(b, ROM_BOOTINFO + BI_FDT, ROM_FDT_BASE);
    put_word(b, ROM_BOOTINFO + BI_FDT_SIZE, (uint32_t)fdt_size);
    put_word(b, ROM_BOOTINFO + BI_RAM_SIZE, b->cfg->ram_size);
    return 0;
}

static board_t *board_create(const struct board_config *cfg, bool hosted, char *err, size_t errlen)
{
    if (board_config_check(cfg, err, errlen) != 0)
        return NULL;
    struct board *b = calloc(1, sizeof *b);
    if (!b) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    b->cfg = cfg;
    b->hosted = hosted;
    b->console_in_fd = -1;
    b->deadline = IODEV_NO_EVENT;
    bool be = !cfg->little_endian;
    char eb_name[32], fw_name[32];
    snprintf(eb_name, sizeof eb_name, "kernel-%s.elf", be ? "eb" : "el");
    snprintf(fw_name, sizeof fw_name, "firmware-%s.elf", be ? "eb" : "el");
    /* A hosted board runs no kernel of its own: [board] kernel is only each
     * guest's default, which the monitor opens. */
    if ((!hosted &&
         !(b->kernel = board_open_guest(cfg->kernel, eb_name, "kernel", be, err, errlen))) ||
        !(b->firmware = board_open_guest(cfg->firmware, fw_name, "firmware", be, err, errlen)))
        goto fail;

    b->phys = phys_new(cfg->ram_size, be);
    struct cpu_config cc = {cfg->tlb_pairs, cfg->little_endian};
    if (!b->phys || phys_add_rom(b->phys, "bootrom", ROM_BASE, ROM_SIZE) != 0 ||
        !(b->cpu = cpu_new(&cc, b->phys)) ||
        !(b->io = iobus_new(b->phys, cfg->buses, on_cpu_line, b))) {
        snprintf(err, errlen, "cannot create the machine (RAM %u bytes)", cfg->ram_size);
        goto fail;
    }
    iobus_set_clock(b->io, &(struct iobus_clock){clock_now, clock_schedule, b});
    for (unsigned bus = 0; bus < cfg->buses; bus++)
        for (unsigned slot = 0; slot < IOBUS_SLOTS; slot++)
            if (add_device(b, &cfg->slots[bus][slot], bus, slot, err, errlen) != 0)
                goto fail;
    if (place_rom(b, err, errlen) != 0)
        goto fail;
    if (!hosted)
        place_kernel(b);
    cpu_set_ext(b->cpu, cfg->unsafe); /* a monitor adds its own extensions */
    cpu_add_event_hook(b->cpu, on_cpu_event, b);
    return b;
fail:
    board_free(b);
    return NULL;
}

board_t *board_new(const struct board_config *cfg, char *err, size_t errlen)
{
    return board_create(cfg, false, err, errlen);
}

board_t *board_new_hosted(const struct board_config *cfg, char *err, size_t errlen)
{
    return board_create(cfg, true, err, errlen);
}

void board_free(board_t *b)
{
    if (!b)
        return;
    if (b->io)
        iobus_free(b->io); /* devices: the disk syncs its image */
    vswitch_free(b->vswitch);
    cpu_free(b->cpu);
    phys_free(b->phys);
    elfimg_free(b->kernel);
    elfimg_free(b->firmware);
    disasm_free(b->disasm);
    if (b->console_file)
        fclose(b->console_file);
    if (b->console_in_fd > 0)
        close(b->console_in_fd);
    fflush(stdout);
    free(b);
}

/* ---- running ------------------------------------------------------------- */

static void board_reset(struct board *b)
{
    b->reset_pending = false;
    b->storm = (struct storm){0}; /* a new boot: nothing repeats yet */
    cpu_reset(b->cpu);
    cpu_set_ext(b->cpu, b->cfg->unsafe);
    iobus_reset(b->io);
    place_kernel(b);
    if (b->power)
        power_note_reset(b->power);
}

/* A CPU in WAIT wakes when a line it lets through (Status.IM, even with IE
 * clear) is pending. While it waits no instruction can change IM or the
 * interrupt controller, so if neither its timer nor any device can raise
 * such a line, it waits forever. */
static bool can_wake(struct board *b)
{
    uint32_t status = cpu_cp0_read(b->cpu, C0_STATUS, 0), cause = cpu_cp0_read(b->cpu, C0_CAUSE, 0);
    uint32_t im = (status & ST_IM_MASK) >> ST_IM_SHIFT;
    if ((cause >> CAUSE_IP_SHIFT) & im)
        return true; /* already pending */
    if ((im & (1u << 7)) && !(cause & CAUSE_DC))
        return true; /* Count reaches Compare */
    for (unsigned line = 2; line <= 6; line++)
        if ((im & (1u << line)) && iobus_line_can_rise(b->io, line))
            return true;
    return false;
}

enum board_stop board_run(board_t *b, uint64_t max_insns)
{
    return board_run_limits(b, max_insns, max_insns);
}

enum board_stop board_run_limits(board_t *b, uint64_t max_insns, uint64_t max_idle)
{
    struct cpu_stats st;
    cpu_get_stats(b->cpu, &st);
    uint64_t start = st.insns, idle_start = st.cycles - st.insns;
    for (;;) {
        if (b->powered_off)
            return BOARD_POWEROFF;
        if (b->reset_pending)
            board_reset(b);
        if (b->host_stop) {
            b->host_stop = false;
            return BOARD_HOST;
        }
        if (b->stormed)
            return BOARD_STORM;
        uint64_t now = cpu_cycles(b->cpu);
        b->deadline = iobus_tick(b->io, now);
        cpu_get_stats(b->cpu, &st);
        /* The budget bounds instructions and the idle time skipped in WAIT:
         * a run where no instruction runs ends too. */
        uint64_t done = st.insns - start, idle = st.cycles - st.insns - idle_start;
        if (done >= max_insns || idle >= max_idle)
            return BOARD_LIMIT;
        if (cpu_waiting(b->cpu) && !can_wake(b))
            return BOARD_HUNG;
        uint64_t idle_end = now + (max_idle - idle); /* no skip past the budget */
        if (idle_end > now && idle_end < b->deadline)
            b->deadline = idle_end;
        cpu_set_deadline(b->cpu, b->deadline);
        switch (cpu_run(b->cpu, max_insns - done)) {
        case CPU_STOP_DEADLINE:
            if (b->interactive && cpu_waiting(b->cpu)) {
                /* Idle with a person at the console: let host time pass too. */
                struct pollfd p = {.fd = b->console_in_fd, .events = POLLIN};
                poll(&p, 1, 1);
            }
            break;
        case CPU_STOP_NONE:
        case CPU_STOP_LIMIT: break; /* the budget check above returns */
        case CPU_STOP_IDLE: return BOARD_HUNG;
        case CPU_STOP_TRAP:
            /* Nothing is routed natively except HYPCALL, which has no
             * hypervisor to go to: the CPU raises Reserved Instruction. */
            cpu_trap_deliver(b->cpu);
            break;
        case CPU_STOP_HOST: break; /* power, reset or host stop: handled above */
        case CPU_STOP_VECTOR: return BOARD_MACHINE_CHECK;
        }
    }
}

bool board_storm(const board_t *b, unsigned *code, uint32_t *pc, uint32_t *badva)
{
    if (!b->stormed)
        return false;
    *code = b->storm.code, *pc = b->storm.epc, *badva = b->storm.badva;
    return true;
}

void board_request_stop(board_t *b)
{
    b->host_stop = true;
    cpu_request_stop(b->cpu);
}

unsigned board_exit_code(const board_t *b) { return b->exit_code; }

const char *board_stop_name(enum board_stop s)
{
    switch (s) {
    case BOARD_POWEROFF: return "poweroff";
    case BOARD_LIMIT: return "limit";
    case BOARD_HUNG: return "hung";
    case BOARD_HOST: return "host";
    case BOARD_MACHINE_CHECK: return "machine-check";
    case BOARD_STORM: return "storm";
    }
    return "?";
}

void board_set_console(board_t *b, uart_out_fn fn, void *opaque)
{
    b->console_fn = fn;
    b->console_opaque = opaque;
}

void board_get_stats(const board_t *b, struct board_stats *out)
{
    memset(out, 0, sizeof *out);
    cpu_get_stats(b->cpu, &out->cpu);
    iobus_get_stats(b->io, &out->io);
    for (unsigned i = 0; i < b->ndisks; i++) { /* all the board's disks together */
        struct disk_stats d;
        disk_get_stats(b->disks[i], &d);
        out->has_disk = true;
        out->disk.reads += d.reads, out->disk.writes += d.writes;
        out->disk.flushes += d.flushes, out->disk.bytes_read += d.bytes_read;
        out->disk.bytes_written += d.bytes_written, out->disk.errors += d.errors;
    }
    if (b->tpm) {
        out->has_tpm = true;
        tpm_get_stats(b->tpm, &out->tpm);
    }
    out->console_bytes = b->console_bytes;
    memcpy(out->interrupts_by_line, b->interrupts_by_line, sizeof out->interrupts_by_line);
}

cpu_t *board_cpu(board_t *b) { return b->cpu; }
phys_t *board_phys(board_t *b) { return b->phys; }
iobus_t *board_iobus(board_t *b) { return b->io; }
const struct board_config *board_config_of(const board_t *b) { return b->cfg; }

void board_console_write(board_t *b, const char *buf, size_t len) { console_out(b, buf, len); }

bool board_output_error(board_t *b, char *err, size_t errlen)
{
    FILE *f = b->console_file ? b->console_file : stdout;
    bool failed = b->console_write_failed || fflush(f) != 0 || ferror(f);
    if (failed)
        snprintf(err, errlen, "console output %s: write failed",
                 b->console_file ? "file" : "(standard output)");
    return failed;
}
