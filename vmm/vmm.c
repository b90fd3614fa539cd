/*
 * vmm/vmm.c — the monitor: creation, the round-robin scheduler of vCPUs,
 * device time for the real and the emulated buses, statistics and the
 * trace. The trap dispatcher is dispatch.c; optional features are modules
 * (modules.c). docs/vmm.md, "Trap flow".
 */
#include "vmm/vmm_priv.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cpu/cp0_regs.h"

void vmm_tracef(struct vmm *v, const char *fmt, ...)
{
    if (!v->trace)
        return;
    va_list ap;
    va_start(ap, fmt);
    fprintf(v->trace, "[%llu] ", (unsigned long long)cpu_cycles(v->cpu));
    vfprintf(v->trace, fmt, ap);
    fputc('\n', v->trace);
    va_end(ap);
}

void vmm_relocf(struct vmm *v, const char *fmt, ...)
{
    FILE *outs[2] = {v->reloc_trace, v->trace != v->reloc_trace ? v->trace : NULL};
    for (unsigned i = 0; i < 2; i++) {
        if (!outs[i])
            continue;
        va_list ap;
        va_start(ap, fmt);
        fprintf(outs[i], "[%llu] reloc ", (unsigned long long)cpu_cycles(v->cpu));
        vfprintf(outs[i], fmt, ap);
        fputc('\n', outs[i]);
        va_end(ap);
    }
}

/* A device wrote host RAM: the guest whose RAM it is clears it at its next power-on. */
static void guests_dma_written(void *opaque, uint32_t paddr, size_t len)
{
    struct vmm *v = opaque;
    for (unsigned i = 0; i < v->n; i++)
        guest_mark_written(v->guests[i], paddr, (uint32_t)len);
}

/* ---- creation ------------------------------------------------------------ */

uint32_t vmm_pool_alloc(struct vmm *v, uint32_t pages)
{
    if (pages == 0 || pages > v->pool_pages - v->pool_used)
        return 0;
    uint32_t hpa = v->pool_base + (v->pool_used << 12);
    v->pool_used += pages;
    return hpa;
}

vmm_t *vmm_new(const struct vmm_config *cfg, char *err, size_t errlen)
{
    struct vmm *v = calloc(1, sizeof *v);
    if (!v) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    v->console_open = -1;
    v->cfg = cfg;
    if (vmm_config_place(cfg, v->gcfg, err, errlen) != 0)
        goto fail;
    if (!(v->policy = vmm_policy_find(v->cfg->policy))) {
        snprintf(err, errlen, "vmm.policy: unknown policy '%s' (known: %s)", v->cfg->policy,
                 vmm_policy_names());
        goto fail;
    }
    if (cfg->policy_lib[0]) { /* a policy of its own: it wins over vmm.policy */
        if (vmm_policy_lib_open(v, cfg->policy_lib, cfg->policy_args, err, errlen) != 0)
            goto fail;
        v->policy = &v->plugin_policy;
    }
    if (!(v->board = board_new_hosted(&v->cfg->board, err, errlen)))
        goto fail;
    v->pool_pages = vmm_buffer_pages(cfg);
    v->pool_base = cfg->board.ram_size - VMM_RESERVED - (v->pool_pages << 12);
    v->cpu = board_cpu(v->board);
    v->phys = board_phys(v->board);
    v->io = board_iobus(v->board);
    v->tlb = cpu_tlb(v->cpu);
    v->deadline = UINT64_MAX;
    v->asid_gen = 1;
    v->asid_next = 1;
    if (!(v->shadow = calloc(tlb_size(v->tlb), sizeof *v->shadow))) {
        snprintf(err, errlen, "out of memory");
        goto fail;
    }
    for (unsigned i = 0; i < tlb_size(v->tlb); i++)
        v->shadow[i].guest = -1;
    /* The real CPU: user mode, no interrupts, every exception to us. */
    cpu_set_trap_routing(v->cpu, 0xFFFFFFFFu);
    cpu_set_trap_handler(v->cpu, vmm_on_trap, v);
    uint32_t ext = CPU_EXT_PHYS_AS_VIRT | v->cfg->board.unsafe;
    if (modules_create(v, &ext, err, errlen) != 0)
        goto fail;
    if (iobus_add_dma_hook(v->io, guests_dma_written, v) != 0 ||
        iobus_add_dma_hook(v->io, modules_dma_written, v) != 0)
        BUG("vmm: no room for the monitor's DMA listener");
    cpu_set_ext(v->cpu, ext);
    v->eret_native = (v->cfg->board.unsafe & CPU_EXT_ERET_UNPRIV) != 0;
    if (cpu_add_event_hook(v->cpu, gotcha_on_event, v) != 0)
        BUG("vmm: no room for the monitor's CPU event listener");
    cpu_cp0_write(v->cpu, C0_STATUS, 0, 2u << ST_KSU_SHIFT);
    cpu_cp0_write(v->cpu, C0_ENTRYHI, 0, 0);
    for (unsigned i = 0; i < v->cfg->nguests; i++) {
        struct guest *g = calloc(1, sizeof *g);
        if (!g) {
            snprintf(err, errlen, "out of memory");
            goto fail;
        }
        v->guests[v->n++] = g;
        g->v = v;
        g->id = i;
        g->cfg = &v->gcfg[i];
        g->input_fd = -1;
        if (guest_setup(g, err, errlen) != 0)
            goto fail;
    }
    for (unsigned i = 0; i < v->n; i++)
        guest_boot(v->guests[i]);
    return v;
fail:
    vmm_free(v);
    return NULL;
}

void vmm_free(vmm_t *v)
{
    if (!v)
        return;
    for (unsigned i = 0; i < v->n; i++)
        console_flush(v->guests[i]);
    if (v->console_open >= 0)
        board_console_write(v->board, "\n", 1);
    for (unsigned i = 0; i < v->n; i++) {
        modules_guest_teardown(v->guests[i]);
        guest_teardown(v->guests[i]);
        free(v->guests[i]);
    }
    free(v->shadow);
    modules_destroy(v);
    board_free(v->board);
    vmm_policy_lib_close(v);
    free(v);
}

/* ---- scheduling ---------------------------------------------------------- */

static void save_vcpu(struct vmm *v, struct guest *g)
{
    for (unsigned i = 1; i < 32; i++)
        g->gpr[i] = cpu_gpr(v->cpu, i);
    g->pc = cpu_pc(v->cpu);
    g->hi = cpu_hi(v->cpu);
    g->lo = cpu_lo(v->cpu);
}

static void load_vcpu(struct vmm *v, struct guest *g)
{
    for (unsigned i = 1; i < 32; i++)
        cpu_set_gpr(v->cpu, i, g->gpr[i]);
    cpu_set_pc(v->cpu, g->pc);
    cpu_set_hilo(v->cpu, g->hi, g->lo);
    v->cur = g;
    shadow_set_asid(g);
    gotcha_sync_real_epc(v, g);
}

static bool runnable(struct guest *g, uint64_t now)
{
    if (g->halted || g->stuck || now < g->busy_until) /* off, stuck, paying for its reset */
        return false;
    if (g->waiting && guest_wakeable(g))
        g->waiting = false;
    return !g->waiting;
}

/* Round robin: the current guest keeps the CPU until its slice ends. */
static struct guest *pick(struct vmm *v, uint64_t now)
{
    struct guest *cur = v->cur;
    if (cur && now < v->slice_end && runnable(cur, now))
        return cur;
    unsigned start = cur ? cur->id + 1 : 0;
    for (unsigned k = 0; k < v->n; k++) {
        struct guest *g = v->guests[(start + k) % v->n];
        if (runnable(g, now)) {
            v->slice_end = now + v->cfg->quantum;
            g->st.slices++;
            return g;
        }
    }
    return NULL;
}

static bool all_halted(const struct vmm *v)
{
    for (unsigned i = 0; i < v->n; i++)
        if (!v->guests[i]->halted)
            return false;
    return true;
}

/* A reset costs the host the RAM it clears; the guest pays for it in its own
 * time (one cycle per RESET_CLEAR_BYTES), so that a guest resetting in a
 * loop takes no more than its share of the host from the others. */
#define RESET_CLEAR_BYTES 64

/* Guests that asked for a reset power on again. */
static void reset_pending_guests(struct vmm *v)
{
    for (unsigned i = 0; i < v->n; i++)
        if (v->guests[i]->reset_pending) {
            struct guest *g = v->guests[i];
            uint64_t cleared = g->st.reset_cleared_bytes;
            modules_guest_reset(g);
            guest_boot(g);
            cleared = g->st.reset_cleared_bytes - cleared;
            g->busy_until = cpu_cycles(v->cpu) + cleared / RESET_CLEAR_BYTES;
            if (g == v->cur)
                load_vcpu(v, g);
        }
}

/* Tick the real and the emulated buses; the earliest next device event. */
static uint64_t tick_devices(struct vmm *v, uint64_t now)
{
    uint64_t next = iobus_tick(v->io, now);
    for (unsigned i = 0; i < v->n; i++) {
        uint64_t e = iobus_tick(v->guests[i]->vio, now);
        if (e < next)
            next = e;
    }
    return next;
}

/* Everybody waits: let time pass to the next device or timer event, at
 * most *idle_left cycles (the run's budget bounds idle time too). HUNG when
 * no waiting guest can ever be woken (a device may still tick forever),
 * LIMIT when the budget is spent. */
static enum vmm_stop idle_until(struct vmm *v, uint64_t now, uint64_t next, uint64_t *idle_left)
{
    uint64_t wake = next;
    bool any = false;
    for (unsigned i = 0; i < v->n; i++) {
        struct guest *w = v->guests[i];
        if (w->halted || w->stuck)
            continue;
        any = any || guest_can_ever_wake(w) || w->busy_until > now;
        if (w->busy_until > now && w->busy_until < wake)
            wake = w->busy_until;
        if ((w->cp0.status & ST_IM7) && w->cp0.timer_deadline < wake)
            wake = w->cp0.timer_deadline;
    }
    if (!any || wake == UINT64_MAX)
        return VMM_HUNG;
    if (*idle_left == 0)
        return VMM_LIMIT;
    uint64_t skip = wake > now ? wake - now : 0;
    if (skip > *idle_left)
        skip = *idle_left;
    cpu_skip_cycles(v->cpu, skip);
    *idle_left -= skip;
    return VMM_ALL_OFF; /* (not a stop: go on) */
}

/* Run g until its slice ends, the next device event, its timer or a trap
 * that needs the scheduler; at most budget instructions. */
static void run_slice(struct vmm *v, struct guest *g, uint64_t next, uint64_t budget,
                      uint64_t *run_ns)
{
    if (g != v->cur) {
        if (v->cur)
            save_vcpu(v, v->cur);
        load_vcpu(v, g);
        vmm_tracef(v, "vmm switch to %s at %08x", g->cfg->name, g->pc);
    }
    guest_irq_check(g);
    uint64_t deadline = next < v->slice_end ? next : v->slice_end;
    if ((g->cp0.status & ST_IM7) && g->cp0.timer_deadline < deadline)
        deadline = g->cp0.timer_deadline;
    v->deadline = deadline;
    cpu_set_deadline(v->cpu, deadline);
    if (v->tm)
        v->tm->vcpu_out(v->tm_state, g);
    uint64_t before = cpu_insns(v->cpu), t0 = vmm_host_ns();
    g->slice_insns_start = before;
    v->running = true;
    enum cpu_stop why = cpu_run(v->cpu, budget);
    /* Every real exception is routed to the monitor, or (resident traps)
     * taken by vectors the trap model keeps mapped: no vector fetch fails. */
    BUG_ON(why == CPU_STOP_VECTOR);
    if (v->tm && v->tm->inside(v->tm_state)) {
        /* A stop (device time, budget) fell inside the trap model's code:
         * finish it, past the deadline (the next slice sets it again). */
        cpu_set_deadline(v->cpu, UINT64_MAX);
        for (unsigned rounds = 0; v->tm->inside(v->tm_state); rounds++) {
            BUG_ON(rounds > 256); /* its code is ~200 instructions without a loop */
            cpu_run(v->cpu, 16);
        }
    }
    *run_ns += vmm_host_ns() - t0;
    g->st.insns += cpu_insns(v->cpu) - before;
    v->running = false;
    if (v->tm)
        v->tm->vcpu_in(v->tm_state, g);
}

uint64_t guest_insns_now(const struct guest *g)
{
    const struct vmm *v = g->v;
    return g->st.insns + (v->running && v->cur == g ? cpu_insns(v->cpu) - g->slice_insns_start : 0);
}

enum vmm_stop vmm_run(vmm_t *v, uint64_t max_insns)
{
    return vmm_run_limits(v, max_insns, max_insns);
}

enum vmm_stop vmm_run_limits(vmm_t *v, uint64_t max_insns, uint64_t max_idle)
{
    struct cpu_stats st;
    cpu_get_stats(v->cpu, &st);
    uint64_t start = st.insns, t_start = vmm_host_ns(), run_ns = 0, idle_left = max_idle;
    enum vmm_stop result;
    for (;;) {
        reset_pending_guests(v);
        console_flush_idle(v);
        if (all_halted(v)) {
            result = VMM_ALL_OFF;
            break;
        }
        if (v->host_stop) {
            v->host_stop = false;
            result = VMM_HOST;
            break;
        }
        if (v->stormed) {
            result = VMM_STORM;
            break;
        }
        uint64_t now = cpu_cycles(v->cpu);
        uint64_t next = tick_devices(v, now);
        cpu_get_stats(v->cpu, &st);
        uint64_t done = st.insns - start;
        if (done >= max_insns) {
            result = VMM_LIMIT;
            break;
        }
        struct guest *g = pick(v, now);
        if (g) {
            run_slice(v, g, next, max_insns - done, &run_ns);
            continue;
        }
        result = idle_until(v, now, next, &idle_left);
        if (result != VMM_ALL_OFF)
            break;
    }
    uint64_t total = vmm_host_ns() - t_start;
    v->run_ns += total;
    v->monitor_ns += total - run_ns;
    if (v->cur)
        save_vcpu(v, v->cur);
    fflush(stdout);
    return result;
}

void vmm_request_stop(vmm_t *v)
{
    v->host_stop = true;
    cpu_request_stop(v->cpu);
}

bool vmm_storm(const vmm_t *v, unsigned *guest, unsigned *code, uint32_t *pc, uint32_t *badva)
{
    if (!v->stormed)
        return false;
    const struct storm *s = &v->guests[v->stormed - 1]->storm;
    *guest = v->stormed - 1, *code = s->code, *pc = s->epc, *badva = s->badva;
    return true;
}

size_t vmm_waiting_guests(const vmm_t *v, char *buf, size_t len)
{
    size_t n = 0;
    buf[0] = 0;
    for (unsigned i = 0; i < v->n; i++) {
        const struct guest *g = v->guests[i];
        if (g->halted || n >= len)
            continue;
        uint32_t pc = g == v->cur ? cpu_pc(v->cpu) : g->pc;
        int w = snprintf(buf + n, len - n, "%s%s (pc %08x)", n ? ", " : "", g->cfg->name, pc);
        if (w > 0)
            n += (size_t)w < len - n ? (size_t)w : len - n - 1;
    }
    return n;
}

const char *vmm_stop_name(enum vmm_stop s)
{
    switch (s) {
    case VMM_ALL_OFF: return "poweroff";
    case VMM_LIMIT: return "limit";
    case VMM_HUNG: return "hung";
    case VMM_HOST: return "host";
    case VMM_STORM: return "storm";
    }
    return "?";
}

unsigned vmm_exit_code(const vmm_t *v)
{
    for (unsigned i = 0; i < v->n; i++)
        if (v->guests[i]->halted && v->guests[i]->exit_code)
            return v->guests[i]->exit_code;
    return 0;
}

void vmm_set_policy(vmm_t *v, const struct vmm_policy *p)
{
    v->policy = p ? p : v->plugin ? &v->plugin_policy : vmm_policy_find(v->cfg->policy);
    shadow_flush_guest(v, -1); /* decisions of the old policy go */
}

void vmm_set_trace(vmm_t *v, FILE *out) { v->trace = out; }
void vmm_set_gotcha_trace(vmm_t *v, FILE *out) { v->gotcha_trace = out; }
void vmm_set_reloc_trace(vmm_t *v, FILE *out) { v->reloc_trace = out; }
void vmm_set_tpm_trace(vmm_t *v, FILE *out) { v->tpm_trace = out; }
void vmm_set_timing(vmm_t *v, bool on) { v->timing = on; }

/* ---- statistics ---------------------------------------------------------- */

unsigned vmm_guest_count(const vmm_t *v) { return v->n; }

void vmm_guest_stats(const vmm_t *v, unsigned i, struct vmm_guest_stats *out)
{
    memset(out, 0, sizeof *out);
    if (i >= v->n)
        return;
    const struct guest *g = v->guests[i];
    *out = g->st;
    snprintf(out->name, sizeof out->name, "%s", g->cfg->name);
    out->halted = g->halted;
    out->exit_code = g->exit_code;
    out->ram_base = g->cfg->ram_base;
    out->ram_size = g->cfg->ram_size;
    out->buses = g->cfg->buses;
}

bool vmm_guest_set_reg(vmm_t *v, unsigned guest, unsigned reg, uint32_t value)
{
    if (guest >= v->n || reg == 0 || reg > VMM_REG_LO || v->running)
        return false;
    struct guest *g = v->guests[guest];
    if (reg < 32)
        g->gpr[reg] = value;
    else if (reg == VMM_REG_PC)
        g->pc = value;
    else if (reg == VMM_REG_HI)
        g->hi = value;
    else
        g->lo = value;
    if (g == v->cur) /* its registers are on the CPU as well */
        load_vcpu(v, g);
    return true;
}

uint64_t vmm_real_tlb_writes(const vmm_t *v) { return v->real_tlb_writes; }

void vmm_host_time(const vmm_t *v, uint64_t *total_ns, uint64_t *monitor_ns)
{
    uint64_t traps = 0;
    for (unsigned i = 0; i < v->n; i++)
        for (unsigned k = 0; k < VMM_TRAP_KINDS; k++)
            traps += v->guests[i]->st.trap_ns[k];
    *total_ns = v->run_ns;
    *monitor_ns = v->monitor_ns + traps;
}

const char *vmm_trap_kind_name(enum vmm_trap_kind k)
{
    static const char *const names[VMM_TRAP_KINDS] = {
        "privileged", "tlb_miss", "tlb_invalid", "tlb_mod", "mmio", "exception", "hypcall",
    };
    return k < VMM_TRAP_KINDS ? names[k] : "?";
}

const char *vmm_emul_op_name(enum vmm_emul_op op)
{
    static const char *const names[VMM_OPS] = {
        "mfc0", "mtc0", "tlbr", "tlbwi", "tlbwr", "tlbp",  "eret",
        "wait", "di",   "ei",   "cache", "load",  "store",
    };
    return op < VMM_OPS ? names[op] : "?";
}

const char *vmm_reloc_cause_name(enum vmm_reloc_cause c)
{
    static const char *const names[VMM_RELOC_CAUSES] = {"access", "tlb_write", "periodic"};
    return c < VMM_RELOC_CAUSES ? names[c] : "?";
}

struct board *vmm_board(vmm_t *v) { return v->board; }
const struct vmm_config *vmm_config_of(const vmm_t *v) { return v->cfg; }
