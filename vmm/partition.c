/*
 * vmm/partition.c — a guest's partition: its guest-physical map (RAM from 0,
 * the boot ROM with its own device tree and boot info, owned buses passed
 * through, everything else of the I/O window emulated), its private bus set
 * with emulated copies of the shared devices, and its boot: the kernel ELF
 * staged in its RAM as the boot protocol says (machine/rom.h), the vCPU at
 * the reset vector running the same firmware as the native board.
 */
#include "vmm/vmm_priv.h"

#include <errno.h>
#include <fcntl.h>
#include <libfdt.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "dev/devclass.h"
#include "machine/fdt.h"
#include "machine/rom.h"
#include "util/fileio.h"

/* ---- the device tree a guest boots with --------------------------------- */

static bool guest_has_device(const struct vmm_config *c, unsigned gi, unsigned bus, unsigned slot)
{
    if (!c->board.slots[bus][slot].cls)
        return false;
    return (c->guests[gi].buses & (1u << bus)) || vmm_config_emulates(c, gi, bus, slot);
}

/* Rewrite the board's tree for guest gi (g: its placed configuration): its
 * RAM from 0, its bootargs and TLB size, and only the devices it can reach.
 * Size of the result, or -1. */
int guest_fdt_rewrite(const struct vmm_config *c, unsigned gi, const struct vmm_guest_config *g,
                      const void *board_fdt, void *out, size_t outlen)
{
    const struct board_config *bc = &c->board;
    if (outlen > INT32_MAX || fdt_open_into(board_fdt, out, (int)outlen) < 0)
        return -1;
    int node = fdt_path_offset(out, "/memory@0");
    fdt32_t reg[2] = {cpu_to_fdt32(0), cpu_to_fdt32(g->ram_size)};
    if (node < 0 || fdt_setprop(out, node, "reg", reg, sizeof reg) < 0)
        return -1;
    node = fdt_path_offset(out, "/chosen");
    const char *args = g->bootargs[0] ? g->bootargs : bc->bootargs;
    if (node < 0 || fdt_setprop_string(out, node, "bootargs", args) < 0)
        return -1;
    node = fdt_path_offset(out, "/cpus/cpu@0");
    if (node < 0 || fdt_setprop_u32(out, node, "tlb-pairs", g->tlb_pairs) < 0)
        return -1;

    /* Devices the guest cannot reach disappear from its tree. */
    bool removed_uart = false;
    for (bool again = true; again;) {
        again = false;
        int bus_node;
        fdt_for_each_subnode(bus_node, out, 0)
        {
            int len;
            const fdt32_t *idx = fdt_getprop(out, bus_node, "bus-index", &len);
            if (!idx || len != 4)
                continue;
            unsigned bus = fdt32_to_cpu(*idx);
            int dev;
            fdt_for_each_subnode(dev, out, bus_node)
            {
                const fdt32_t *slot = fdt_getprop(out, dev, "slot", &len);
                if (!slot || len != 4 || bus >= IOBUS_MAX_BUSES)
                    return -1;
                unsigned s = fdt32_to_cpu(*slot);
                if (s < IOBUS_SLOTS && guest_has_device(c, gi, bus, s))
                    continue;
                if (s < IOBUS_SLOTS && bc->slots[bus][s].cls == &uart_class)
                    removed_uart = true;
                if (fdt_del_node(out, dev) < 0)
                    return -1;
                again = true; /* offsets moved: walk again */
                break;
            }
            if (again)
                break;
        }
    }
    node = fdt_path_offset(out, "/chosen");
    if (removed_uart && node >= 0)
        fdt_delprop(out, node, "stdout-path");
    if (fdt_pack(out) < 0)
        return -1;
    return (int)fdt_totalsize(out);
}

/* ---- callbacks of the emulated devices ---------------------------------- */

static void on_vline(void *opaque, unsigned line, bool level)
{
    struct guest *g = opaque;
    if (level)
        g->vlines |= (uint8_t)(1u << line);
    else
        g->vlines &= (uint8_t) ~(1u << line);
}

static uint64_t vclock_now(void *opaque)
{
    struct guest *g = opaque;
    return cpu_cycles(g->v->cpu);
}

static void vclock_schedule(void *opaque, uint64_t when)
{
    struct guest *g = opaque;
    if (when < g->v->deadline) {
        g->v->deadline = when;
        cpu_set_deadline(g->v->cpu, when);
    }
}

static void on_vpower(void *opaque, enum power_action action, unsigned code)
{
    struct guest *g = opaque;
    if (action == POWER_OFF) {
        g->halted = true;
        g->exit_code = code;
        vmm_tracef(g->v, "vmm %s power off, code %u", g->cfg->name, code);
    } else {
        g->reset_pending = true;
        g->st.resets++;
        vmm_tracef(g->v, "vmm %s reset", g->cfg->name);
    }
    if (g == g->v->cur)
        cpu_request_stop(g->v->cpu);
}

/* ---- the partition map --------------------------------------------------- */

static void add_region(struct guest *g, uint32_t gpa, uint32_t size, uint32_t hpa,
                       enum vmm_region_kind kind, bool writable)
{
    struct vmm_region *r = &g->regions[g->nregions++];
    r->gpa = gpa;
    r->size = size;
    r->hpa = hpa;
    r->kind = kind;
    r->writable = writable;
}

static void build_map(struct guest *g)
{
    const struct board_config *bc = &g->v->cfg->board;
    g->nregions = 0;
    add_region(g, 0, g->cfg->ram_size, g->cfg->ram_base, VMM_REGION_RAM, true);
    /* The firmware is the same for everybody: the real ROM, read-only. The
     * device tree and boot info are the guest's own copy. */
    add_region(g, ROM_BASE, ROM_FDT_BASE - ROM_BASE, ROM_BASE, VMM_REGION_ROM, false);
    add_region(g, ROM_FDT_BASE, VMM_ROM_COPY_SIZE, g->rom_copy, VMM_REGION_ROM, false);
    add_region(g, ROM_FDT_BASE + VMM_ROM_COPY_SIZE,
               ROM_BASE + ROM_SIZE - ROM_FDT_BASE - VMM_ROM_COPY_SIZE,
               ROM_FDT_BASE + VMM_ROM_COPY_SIZE, VMM_REGION_ROM, false);
    for (unsigned b = 0; b < IOBUS_MAX_BUSES; b++) {
        bool own = b < bc->buses && (g->cfg->buses & (1u << b));
        add_region(g, iobus_slot_base(b, 0), IOBUS_BUS_SPAN, iobus_slot_base(b, 0),
                   own ? VMM_REGION_DEVICE : VMM_REGION_EMULATED, own);
    }
    add_region(g, IOBUS_INTC_BASE, IOBUS_INTC_SIZE, IOBUS_INTC_BASE, VMM_REGION_INTC, false);
}

const struct vmm_region *guest_region(const struct guest *g, uint32_t gpa)
{
    for (unsigned i = 0; i < g->nregions; i++) {
        const struct vmm_region *r = &g->regions[i];
        if (gpa - r->gpa < r->size)
            return r;
    }
    return NULL;
}

/* ---- setup and boot ------------------------------------------------------ */

static int open_input(struct guest *g, char *err, size_t errlen)
{
    g->input_fd = UART_INPUT_NONE;
    if (!g->cfg->input[0]) {
        unsigned bus, slot;
        const struct board_config *bc = &g->v->cfg->board;
        if (g->id != 0 || !board_config_find(bc, &uart_class, &bus, &slot))
            return 0;
        const struct uart_settings *u = bc->slots[bus][slot].settings;
        snprintf(g->cfg->input, sizeof g->cfg->input, "%s", u->input);
    }
    if (strcmp(g->cfg->input, "none") == 0)
        return 0;
    if (strcmp(g->cfg->input, "stdin") == 0) {
        g->input_fd = 0;
        return 0;
    }
    char msg[400];
    g->input_fd = file_open_input(g->cfg->input, msg, sizeof msg);
    if (g->input_fd < 0) {
        snprintf(err, errlen, "%s: console input %s", g->cfg->name, msg);
        return -1;
    }
    return 0;
}

/* A buffer page an emulated device asks for (iobus.h, io_link_buffer): host
 * RAM from the monitor's pool, mapped into the guest at its slot offset (a
 * region consulted before the emulated bus's own), so the guest reads and
 * writes it without a trap. */
static void *vbuffer(void *opaque, unsigned bus, unsigned slot, uint32_t offset, uint32_t size)
{
    struct guest *g = opaque;
    struct vmm *v = g->v;
    uint32_t hpa = g->nregions < VMM_MAX_REGIONS ? vmm_pool_alloc(v, size >> 12) : 0;
    if (!hpa)
        return NULL;
    memmove(&g->regions[1], &g->regions[0], g->nregions * sizeof *g->regions);
    g->regions[0] = (struct vmm_region){iobus_slot_base(bus, slot) + offset, size, hpa,
                                        VMM_REGION_BUFFER, true};
    g->nregions++;
    return phys_host_page(v->phys, hpa, true); /* RAM is contiguous on the host */
}

/* The guest's emulated copies of the shared devices, on its private bus set:
 * each made by its class, as the board makes its own, with the guest's
 * console, power and RTC. */
static int add_vdevices(struct guest *g, char *err, size_t errlen)
{
    struct vmm *v = g->v;
    const struct board_config *bc = &v->cfg->board;
    struct dev_host h = {
        .io = g->vio,
        .big_endian = !bc->little_endian,
        .rtc_epoch = bc->rtc_host ? (uint32_t)time(NULL) : bc->rtc_epoch,
        .console_out = console_guest_output,
        .console_opaque = g,
        .console_in_fd = g->input_fd,
        .power = on_vpower,
        .power_opaque = g,
    };
    modules_guest_dev_host(g, &h);
    for (unsigned b = 0; b < bc->buses; b++)
        for (unsigned s = 0; s < IOBUS_SLOTS; s++) {
            if (!vmm_config_emulates(v->cfg, g->id, b, s))
                continue;
            const struct dev_config *d = &bc->slots[b][s];
            char msg[400] = "";
            if (!d->cls->attach(&h, b, s, d->settings, msg, sizeof msg)) {
                snprintf(err, errlen, "%s: cannot emulate the %s of bus%u.slot%u%s%s", g->cfg->name,
                         d->cls->name, b, s, msg[0] ? ": " : "", msg);
                return -1;
            }
        }
    return 0;
}

int guest_setup(struct guest *g, char *err, size_t errlen)
{
    struct vmm *v = g->v;
    const struct board_config *bc = &v->cfg->board;
    bool be = !bc->little_endian;
    g->rom_copy = bc->ram_size - VMM_RESERVED + g->id * VMM_ROM_COPY_SIZE;
    if (!(g->written = calloc(((g->cfg->ram_size >> 12) + 7) / 8, 1))) {
        snprintf(err, errlen, "%s: out of memory", g->cfg->name);
        return -1;
    }
    build_map(g);

    char dflt[32], msg[600];
    snprintf(dflt, sizeof dflt, "kernel-%s.elf", be ? "eb" : "el");
    const char *kpath = g->cfg->kernel[0] ? g->cfg->kernel : bc->kernel;
    g->kernel = board_open_guest(kpath, dflt, "kernel", be, msg, sizeof msg);
    if (!g->kernel ||
        board_kernel_placement(g->kernel, g->cfg->ram_size, &g->kernel_image, msg, sizeof msg)) {
        snprintf(err, errlen, "%s: %s", g->cfg->name, msg);
        return -1;
    }
    if (!(g->vtlb = tlb_new(g->cfg->tlb_pairs))) {
        snprintf(err, errlen, "%s: bad TLB size %u", g->cfg->name, g->cfg->tlb_pairs);
        return -1;
    }
    static uint8_t board_fdt[ROM_FDT_MAX] __attribute__((aligned(8))); /* libfdt wants 8 */
    if (board_fdt_build(bc, board_fdt, sizeof board_fdt) < 0 ||
        (g->fdt_size = guest_fdt_rewrite(v->cfg, g->id, g->cfg, board_fdt, g->fdt, sizeof g->fdt)) <
            0) {
        snprintf(err, errlen, "%s: cannot build its device tree", g->cfg->name);
        return -1;
    }
    if (g->cfg->output[0]) {
        char msg[400];
        if (file_check_writable(g->cfg->output, msg, sizeof msg) != 0) {
            snprintf(err, errlen, "%s: console output %s", g->cfg->name, msg);
            return -1;
        }
        if (!(g->output = fopen(g->cfg->output, "w"))) {
            snprintf(err, errlen, "%s: console output %s: %s", g->cfg->name, g->cfg->output,
                     strerror(errno));
            return -1;
        }
        setvbuf(g->output, NULL, _IOLBF, 0);
    }
    if (open_input(g, err, errlen) != 0)
        return -1;
    g->vphys = phys_new(PHYS_PAGE_SIZE, be);
    if (!g->vphys || !(g->vio = iobus_new(g->vphys, bc->buses, on_vline, g))) {
        snprintf(err, errlen, "%s: cannot create its emulated buses", g->cfg->name);
        return -1;
    }
    iobus_set_clock(g->vio, &(struct iobus_clock){vclock_now, vclock_schedule, g});
    iobus_set_buffer_provider(g->vio, vbuffer, g);
    if (add_vdevices(g, err, errlen) != 0)
        return -1;
    /* Owned devices DMA into the partition: device address 0 is its RAM's base. */
    for (unsigned b = 0; b < bc->buses; b++)
        if (g->cfg->buses & (1u << b))
            for (unsigned s = 0; s < IOBUS_SLOTS; s++)
                iobus_set_dma_map(v->io, b, s, 0, g->cfg->ram_size, g->cfg->ram_base);
    return 0;
}

static void put_word(struct guest *g, uint32_t hpa, uint32_t v)
{
    uint8_t w[4];
    bool le = g->v->cfg->board.little_endian;
    for (int i = 0; i < 4; i++)
        w[i] = (uint8_t)(le ? v >> (8 * i) : v >> (24 - 8 * i));
    if (phys_load(g->v->phys, hpa, w, 4) != 0)
        BUG("vmm: boot info word at %08x is outside memory", hpa);
}

/* Power-on: clear its RAM, stage the kernel, write its ROM copy, reset the vCPU. */
void guest_mark_written(struct guest *g, uint32_t hpa, uint32_t size)
{
    uint64_t start = hpa, end = (uint64_t)hpa + size, base = g->cfg->ram_base;
    if (end <= base || start >= base + g->cfg->ram_size)
        return;
    if (start < base)
        start = base;
    if (end > base + g->cfg->ram_size)
        end = base + g->cfg->ram_size;
    for (uint64_t p = (start - base) >> 12; p < (end - base + 0xFFF) >> 12; p++)
        g->written[p >> 3] |= (uint8_t)(1u << (p & 7));
}

/* Zero what the guest could have written since its last power-on (the pages
 * under its writable real entries, its devices' DMA, its staged kernel):
 * a reset costs the host what the guest used, not its whole partition. */
static void clear_written(struct guest *g)
{
    uint32_t pages = g->cfg->ram_size >> 12;
    for (uint32_t p = 0; p < pages; p++) {
        if (!(g->written[p >> 3] & (1u << (p & 7))))
            continue;
        memset(phys_host_page(g->v->phys, g->cfg->ram_base + (p << 12), true), 0, PHYS_PAGE_SIZE);
        g->st.reset_cleared_bytes += PHYS_PAGE_SIZE;
    }
    memset(g->written, 0, (pages + 7) / 8);
}

void guest_boot(struct guest *g)
{
    struct vmm *v = g->v;
    modules_guest_boot(g); /* its memory is about to be rewritten */
    clear_written(g);
    for (unsigned i = 0; i < g->nregions; i++) /* device buffers are memory too */
        if (g->regions[i].kind == VMM_REGION_BUFFER)
            memset(phys_host_page(v->phys, g->regions[i].hpa, true), 0, g->regions[i].size);
    size_t klen;
    const void *bytes = elfimg_bytes(g->kernel, &klen);
    if (phys_load(v->phys, g->cfg->ram_base + g->kernel_image, bytes, klen) != 0)
        BUG("vmm: %s's checked kernel placement does not fit", g->cfg->name);
    guest_mark_written(g, g->cfg->ram_base + g->kernel_image, (uint32_t)klen);

    for (uint32_t off = 0; off < VMM_ROM_COPY_SIZE; off += PHYS_PAGE_SIZE)
        memset(phys_host_page(v->phys, g->rom_copy + off, true), 0, PHYS_PAGE_SIZE);
    if (phys_load(v->phys, g->rom_copy, g->fdt, (size_t)g->fdt_size) != 0)
        BUG("vmm: %s's ROM copy is outside memory", g->cfg->name);
    uint32_t bi = g->rom_copy + (ROM_BOOTINFO - ROM_FDT_BASE);
    put_word(g, bi + BI_MAGIC, BOOTINFO_MAGIC);
    put_word(g, bi + BI_VERSION, BOOTINFO_VERSION);
    put_word(g, bi + BI_KERNEL_IMAGE, g->kernel_image);
    put_word(g, bi + BI_KERNEL_SIZE, (uint32_t)klen);
    put_word(g, bi + BI_FDT, ROM_FDT_BASE);
    put_word(g, bi + BI_FDT_SIZE, (uint32_t)g->fdt_size);
    put_word(g, bi + BI_RAM_SIZE, g->cfg->ram_size);

    memset(g->gpr, 0, sizeof g->gpr);
    g->hi = g->lo = 0;
    g->pc = VEC_RESET;
    g->waiting = g->halted = g->reset_pending = g->stuck = false;
    g->vlines = 0;
    tlb_reset(g->vtlb);
    guest_reset_cp0(g);
    iobus_reset(g->vio);
    shadow_flush_guest(v, (int)g->id);
}

void guest_teardown(struct guest *g)
{
    free(g->written);
    if (g->vio)
        iobus_free(g->vio);
    phys_free(g->vphys);
    tlb_free(g->vtlb);
    elfimg_free(g->kernel);
    if (g->output)
        fclose(g->output);
    if (g->input_fd > 0)
        close(g->input_fd);
}
