/*
 * cpu/cpu.c — the CPU's public API: lifetime, reset, the run loop between
 * batches (timer, interrupts, WAIT, stops), and register access for owners.
 */
#include "cpu/cpu_priv.h"

#include <stdlib.h>
#include <string.h>

/* Longest batch: bounds the latency of cpu_request_stop() and device events. */
#define BATCH_MAX 65536

#define PRID_TRAPVISOR 0x00540100u /* company 0x54 ('T'), processor 0x01, revision 0 */

cpu_t *cpu_new(const struct cpu_config *cfg, phys_t *phys)
{
    unsigned n = cfg && cfg->tlb_pairs ? cfg->tlb_pairs : TLB_DEFAULT_PAIRS;
    tlb_t *tlb = tlb_new(n);
    if (!tlb)
        return NULL;
    struct cpu *c = aligned_alloc(64, (sizeof(struct cpu) + 63) & ~(size_t)63);
    if (!c) {
        tlb_free(tlb);
        return NULL;
    }
    memset(c, 0, sizeof(*c));
    c->tlb = tlb;
    c->phys = phys;
    c->big_endian = !(cfg && cfg->little_endian);
    cpu_reset(c);
    return c;
}

void cpu_free(cpu_t *c)
{
    if (!c)
        return;
    tlb_free(c->tlb);
    free(c);
}

void cpu_reset(cpu_t *c)
{
    memset(c->gpr, 0, sizeof(c->gpr));
    c->hi = c->lo = 0;
    c->pc = VEC_RESET;
    c->in_delay = c->llbit = c->waiting = false;
    c->batch_left = c->batch_len = 0;
    c->insns = c->idle_cycles = 0;
    c->spin_lines = 0;
    c->spin_insns = c->spin_start = 0;
    c->irq_lines = 0;
    c->ext = 0;
    tlb_set_rixi(c->tlb, false);
    c->route_mask = 0;
    c->stop = CPU_STOP_NONE;
    c->stop_requested = false;
    c->hold_insn = false;
    memset(&c->trap, 0, sizeof(c->trap));
    memset(&c->stats, 0, sizeof(c->stats));

    cp0_rule_reset(&c->cp0, PRID_TRAPVISOR, c->big_endian, tlb_size(c->tlb), 0);
    tlb_reset(c->tlb);
    c->asid_tag = 0;
    c->tlb_gen = tlb_generation(c->tlb);
    hcache_flush_all(c);
    cpu_update_mode(c);
    c->ext_deadline = UINT64_MAX;
}

/* Take a pending interrupt at a batch boundary (also ends a WAIT, even when
 * the interrupt is routed to the host). */
static void take_interrupt(struct cpu *c)
{
    c->waiting = false;
    cpu_raise(c, EXC_INT, 0, 0, 0);
}

/* A WAIT that ends at once on an interrupt the CPU does not take (IE off),
 * with the same lines pending, a few instructions after the last one, for
 * CPU_SPIN_LIMIT cycles: waking only to go back to sleep — the pending line
 * never clears, nothing progresses. */
static bool cpu_spinning(struct cpu *c, uint32_t lines)
{
    uint64_t insns = cpu_insns_now(c), now = cpu_cycles_now(c);
    if (lines != c->spin_lines || insns - c->spin_insns > 64) {
        c->spin_lines = lines;
        c->spin_start = now;
    }
    c->spin_insns = insns;
    return now - c->spin_start >= CPU_SPIN_LIMIT;
}

/* Idle in WAIT: jump time to the first event that can end it, the CP0 timer
 * or the owner's device deadline (the owner then ticks its devices, which may
 * raise a line). False when nothing can ever wake the CPU. */
static bool idle_until_event(struct cpu *c)
{
    uint32_t cause = cp0_cause(c);
    if (cause & c->cp0.status & ST_IM_MASK) { /* already pending: wake up */
        c->waiting = false;
        return !cpu_spinning(c, cause & c->cp0.status & ST_IM_MASK);
    }
    uint64_t wake = c->ext_deadline;
    if ((c->cp0.status & ST_IM7) && c->cp0.timer_deadline < wake)
        wake = c->cp0.timer_deadline;
    if (wake == UINT64_MAX)
        return false;
    uint64_t now = cpu_cycles_now(c);
    if (wake > now)
        c->idle_cycles += wake - now;
    return true;
}

/* A routed trap with a trap handler installed: let the owner handle it
 * without leaving cpu_run(). True when the run goes on. */
static bool handle_trap(struct cpu *c)
{
    if (c->stop != CPU_STOP_TRAP || !c->trap_fn)
        return false;
    c->stop = CPU_STOP_NONE;
    if (c->trap_fn(c->trap_opaque, c, &c->trap))
        return true;
    if (c->stop == CPU_STOP_NONE)
        c->stop = CPU_STOP_TRAP;
    return false;
}

enum cpu_stop cpu_run(cpu_t *c, uint64_t max_insns)
{
    c->stop = CPU_STOP_NONE;
    uint64_t start = c->insns;
    for (;;) {
        uint64_t done = c->insns - start;
        if (c->stop_requested) {
            c->stop_requested = false;
            c->stop = CPU_STOP_HOST;
            break;
        }
        if (done >= max_insns) {
            c->stop = CPU_STOP_LIMIT;
            break;
        }
        if (cpu_cycles_now(c) >= c->ext_deadline) {
            c->stop = CPU_STOP_DEADLINE;
            break;
        }
        /* The host (a monitor) may have written the TLB directly. */
        if (unlikely(tlb_generation(c->tlb) != c->tlb_gen)) {
            hcache_flush_all(c);
            c->tlb_gen = tlb_generation(c->tlb);
        }
        cp0_update_timer(c);
        if (cpu_irq_pending(c)) {
            take_interrupt(c);
            if (c->stop != CPU_STOP_NONE && !handle_trap(c))
                break;
            continue;
        }
        if (c->waiting) {
            if (!idle_until_event(c)) {
                c->stop = CPU_STOP_IDLE;
                break;
            }
            continue;
        }
        uint64_t n = max_insns - done;
        uint64_t now = cpu_cycles_now(c);
        if (c->cp0.timer_deadline > now && c->cp0.timer_deadline - now < n)
            n = c->cp0.timer_deadline - now;
        if (c->ext_deadline - now < n) /* ext_deadline > now here */
            n = c->ext_deadline - now;
        if (n > BATCH_MAX)
            n = BATCH_MAX;
        if (n == 0)
            n = 1;
        c->batch_len = c->batch_left = (int64_t)n;
        cpu_exec_batch(c);
        c->insns += (uint64_t)(c->batch_len - c->batch_left);
        c->batch_len = c->batch_left = 0;
        if (c->stop != CPU_STOP_NONE && !handle_trap(c))
            break;
    }
    return c->stop;
}

void cpu_request_stop(cpu_t *c)
{
    c->stop_requested = true;
    cpu_end_batch(c);
}

const struct cpu_trap *cpu_trap(const cpu_t *c) { return &c->trap; }

void cpu_trap_skip(cpu_t *c)
{
    c->pc = c->trap.next_pc;
    c->in_delay = false;
}

uint32_t cpu_gpr(const cpu_t *c, unsigned n) { return n == 0 || n > 31 ? 0 : c->gpr[n]; }
void cpu_set_gpr(cpu_t *c, unsigned n, uint32_t v)
{
    if (n > 0 && n < 32)
        c->gpr[n] = v;
}
uint32_t cpu_pc(const cpu_t *c) { return c->pc; }
void cpu_set_pc(cpu_t *c, uint32_t pc)
{
    c->pc = pc;
    c->in_delay = false;
    c->waiting = false;
}
uint32_t cpu_hi(const cpu_t *c) { return c->hi; }
uint32_t cpu_lo(const cpu_t *c) { return c->lo; }
void cpu_set_hilo(cpu_t *c, uint32_t hi, uint32_t lo)
{
    c->hi = hi;
    c->lo = lo;
}

uint32_t cpu_cp0_read(cpu_t *c, unsigned reg, unsigned sel)
{
    return cp0_read(c, reg & 31, sel & 7);
}
void cpu_cp0_write(cpu_t *c, unsigned reg, unsigned sel, uint32_t v)
{
    cp0_write(c, reg & 31, sel & 7, v);
}

void cpu_set_irq(cpu_t *c, unsigned line, bool level)
{
    if (line < 2 || line > 6)
        return;
    if (level)
        c->irq_lines |= (uint8_t)(1u << line);
    else
        c->irq_lines &= (uint8_t) ~(1u << line);
    cpu_end_batch(c);
}

void cpu_set_trap_routing(cpu_t *c, uint32_t mask) { c->route_mask = mask; }

uint32_t cpu_vector_fault(const cpu_t *c) { return c->vector_fault; }

void cpu_set_ext(cpu_t *c, uint32_t ext)
{
    c->ext = ext;
    tlb_set_rixi(c->tlb, (ext & CPU_EXT_RIXI) != 0);
    tlb_set_kpages(c->tlb, (ext & CPU_EXT_KPAGES) != 0);
    hcache_flush_all(c); /* translation rules may have changed */
}
uint32_t cpu_ext(const cpu_t *c) { return c->ext; }

void cpu_set_llbit(cpu_t *c, bool on) { c->llbit = on; }

int cpu_add_event_hook(cpu_t *c, cpu_event_fn fn, void *opaque)
{
    if (c->nlisteners >= CPU_MAX_LISTENERS)
        return -1;
    c->listeners[c->nlisteners++] = (struct cpu_listener){fn, opaque};
    return 0;
}

void cpu_remove_event_hook(cpu_t *c, cpu_event_fn fn, void *opaque)
{
    for (unsigned i = 0; i < c->nlisteners; i++)
        if (c->listeners[i].fn == fn && c->listeners[i].opaque == opaque) {
            for (unsigned j = i + 1; j < c->nlisteners; j++)
                c->listeners[j - 1] = c->listeners[j];
            c->nlisteners--;
            return;
        }
}
void cpu_set_trap_handler(cpu_t *c, cpu_trap_fn fn, void *opaque)
{
    c->trap_fn = fn;
    c->trap_opaque = opaque;
}

void cpu_tlb_write(cpu_t *c, unsigned index, const struct tlb_regs *r)
{
    tlb_write_flush(c, index % tlb_size(c->tlb), r);
}

void cpu_skip_cycles(cpu_t *c, uint64_t n)
{
    c->idle_cycles += n;
    cpu_end_batch(c);
}

void cpu_stop_before(cpu_t *c)
{
    c->hold_insn = true;
    cpu_request_stop(c);
}

void cpu_set_insn_hook(cpu_t *c, cpu_insn_fn fn, void *opaque)
{
    c->insn_fn = fn;
    c->insn_opaque = opaque;
}

void cpu_get_stats(const cpu_t *c, struct cpu_stats *out)
{
    *out = c->stats;
    out->insns = cpu_insns_now(c);
    out->cycles = cpu_cycles_now(c);
}

void cpu_set_deadline(cpu_t *c, uint64_t cycle)
{
    if (cycle < c->ext_deadline)
        cpu_end_batch(c); /* called from a device mid-batch: recompute the batch */
    c->ext_deadline = cycle;
}
uint64_t cpu_cycles(const cpu_t *c) { return cpu_cycles_now(c); }
uint64_t cpu_insns(const cpu_t *c) { return cpu_insns_now(c); }
bool cpu_waiting(const cpu_t *c) { return c->waiting; }

unsigned cpu_mode(const cpu_t *c) { return c->mode; }
tlb_t *cpu_tlb(cpu_t *c) { return c->tlb; }

bool cpu_debug_read(cpu_t *c, uint32_t vaddr, unsigned size, uint32_t *value)
{
    if ((size != 1 && size != 2 && size != 4) || (vaddr & (size - 1)))
        return false;
    struct mmu_ctx ctx = mmu_ctx_of(c);
    struct mmu_xlate x;
    if (mmu_translate(&ctx, vaddr, MMU_PEEK, &x) != MMU_OK)
        return false;
    if (!phys_host_page(c->phys, x.paddr & ~0xFFFu, false))
        return false; /* never touch MMIO from a debugger read: it has side effects */
    return phys_read(c->phys, x.paddr, size, value) == PHYS_OK;
}

static const char *const exc_names[32] = {
    "Int", "Mod", "TLBL", "TLBS", "AdEL", "AdES", "IBE",          "DBE",
    "Sys", "Bp",  "RI",   "CpU",  "Ov",   "Tr",   [19] = "TLBRI", [20] = "TLBXI",
};

const char *cpu_exc_name(unsigned code)
{
    if (code == CPU_TRAP_HYPCALL)
        return "HYPCALL";
    if (code == CPU_TRAP_KPAGE)
        return "KPAGE";
    if (code < 32 && exc_names[code])
        return exc_names[code];
    return "reserved";
}

const char *cpu_stop_name(enum cpu_stop s)
{
    switch (s) {
    case CPU_STOP_NONE: return "none";
    case CPU_STOP_LIMIT: return "limit";
    case CPU_STOP_TRAP: return "trap";
    case CPU_STOP_IDLE: return "idle";
    case CPU_STOP_HOST: return "host";
    case CPU_STOP_DEADLINE: return "deadline";
    case CPU_STOP_VECTOR: return "vector";
    }
    return "?";
}
