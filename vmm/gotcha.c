/*
 * vmm/gotcha.c — what a monitor cannot see on hardware that is not
 * virtualizable, observed for the lab (docs/labs/virtualizability.md).
 *
 * With a [cpu] switch on, ERET, MFC0 of Status/Cause or DI/EI run in the
 * guest's (real user-mode) context without trapping: the monitor never
 * hears of them. The platform can see them: the CPU reports each one as an
 * event (CPU_EV_ERET with b = 1, CPU_EV_SENSITIVE), and this file works out
 * what the guest now believes — the Status its own hardware would have —
 * against what the monitor believes (the virtual Status), counts each
 * divergence and, with vmm_set_gotcha_trace, says what happened. The
 * monitor's decisions never use any of this: it only observes.
 *
 * Also here: the real EPC the monitor leaves while a guest runs, which is
 * where a non-trapping ERET goes (vmm.real_epc).
 */
#include "vmm/vmm_priv.h"

#include <stdarg.h>

#include "cpu/cp0_regs.h"

#define GOTCHA_TRACE_LINES 1000 /* a guest in a loop of ERETs would fill a disk */

void vmm_gotchaf(struct vmm *v, const char *fmt, ...)
{
    if (!v->gotcha_trace || v->gotcha_lines > GOTCHA_TRACE_LINES)
        return;
    if (++v->gotcha_lines > GOTCHA_TRACE_LINES) {
        fprintf(v->gotcha_trace, "[%llu] gotcha trace: %d lines; the rest are only counted\n",
                (unsigned long long)cpu_cycles(v->cpu), GOTCHA_TRACE_LINES);
        return;
    }
    va_list ap;
    va_start(ap, fmt);
    fprintf(v->gotcha_trace, "[%llu] gotcha ", (unsigned long long)cpu_cycles(v->cpu));
    vfprintf(v->gotcha_trace, fmt, ap);
    fputc('\n', v->gotcha_trace);
    va_end(ap);
}

static enum vmm_vmode mode_of(uint32_t st) { return (enum vmm_vmode)cp0_rule_mode(st); }

static const char *mode_name(enum vmm_vmode m)
{
    return m == VMODE_KERNEL ? "kernel" : m == VMODE_SUPERVISOR ? "supervisor" : "user";
}

/* The Status the guest's own hardware would have now. */
static uint32_t true_status(const struct guest *g)
{
    return g->diverged ? g->true_status : g->cp0.status;
}

enum vmm_vmode gotcha_actual_mode(const struct guest *g) { return mode_of(true_status(g)); }

static void set_truth(struct guest *g, uint32_t st)
{
    bool was = g->diverged;
    g->true_status = st;
    g->diverged = st != g->cp0.status;
    if (g->diverged && !was)
        g->st.gotcha.divergences++;
    if (was && !g->diverged)
        vmm_gotchaf(g->v, "%s views agree again (Status %08x)", g->cfg->name, st);
}

void gotcha_follow(struct guest *g, enum gotcha_op op, uint32_t value)
{
    if (!g->diverged)
        return;
    uint32_t st = g->true_status;
    switch (op) {
    case GOTCHA_EXCEPTION: st |= ST_EXL; break;
    case GOTCHA_ERET: st &= (st & ST_ERL) ? ~ST_ERL : ~ST_EXL; break;
    case GOTCHA_STATUS: st = value; break;
    case GOTCHA_IE: st = value ? st | ST_IE : st & ~ST_IE; break;
    }
    set_truth(g, st);
}

static void on_eret(struct guest *g, const struct cpu_event *ev)
{
    uint32_t st = true_status(g);
    uint32_t expect = (st & ST_ERL) ? g->cp0.errorepc : g->cp0.epc;
    uint32_t after = (st & ST_ERL) ? st & ~ST_ERL : st & ~ST_EXL;
    set_truth(g, after);
    vmm_gotchaf(g->v,
                "%s ERET at %08x did not trap: it jumped to %08x (%s: its EPC says %08x); the "
                "guest now believes virtual %s mode (Status %08x), the monitor believes virtual "
                "%s (Status %08x)",
                g->cfg->name, ev->pc, ev->a, ev->a == expect ? "right place" : "WRONG PLACE",
                expect, mode_name(mode_of(after)), after, mode_name(guest_vmode(g)), g->cp0.status);
}

static void on_sensitive(struct guest *g, const struct cpu_event *ev)
{
    uint32_t insn = ev->a;
    if (((insn >> 21) & 31u) == 0) { /* MFC0 Status / Cause */
        bool status = ((insn >> 11) & 31u) == C0_STATUS;
        uint32_t want = status ? true_status(g) : guest_cause(g);
        if (want != ev->b)
            g->st.gotcha.divergences++;
        vmm_gotchaf(g->v,
                    "%s MFC0 %s at %08x did not trap: the guest read the real %08x, its own "
                    "(virtual) %s is %08x%s",
                    g->cfg->name, status ? "Status" : "Cause", ev->pc, ev->b,
                    status ? "Status" : "Cause", want,
                    status && (ev->b & ST_KSU_MASK) ? ": it sees that it runs in user mode" : "");
        return;
    }
    bool ei = (insn & 0x20u) != 0;
    uint32_t st = true_status(g);
    set_truth(g, ei ? st | ST_IE : st & ~ST_IE);
    vmm_gotchaf(g->v,
                "%s %s at %08x did not trap: it changed the real Status.IE only; the guest "
                "believes interrupts %s, the monitor keeps them %s (virtual Status %08x), and "
                "the guest got %08x as its old Status",
                g->cfg->name, ei ? "EI" : "DI", ev->pc, ei ? "enabled" : "disabled",
                (g->cp0.status & ST_IE) ? "enabled" : "disabled", g->cp0.status, ev->b);
}

void gotcha_on_event(void *opaque, const struct cpu_event *ev)
{
    struct vmm *v = opaque;
    struct guest *g = v->cur;
    if (!g)
        return;
    uint64_t divergences = g->st.gotcha.divergences;
    uint32_t insn;
    if (ev->kind == CPU_EV_ERET && ev->b) {
        g->st.gotcha.native++;
        on_eret(g, ev);
        insn = 0x42000018u; /* eret */
    } else if (ev->kind == CPU_EV_SENSITIVE) {
        g->st.gotcha.native++;
        on_sensitive(g, ev);
        insn = ev->a;
    } else {
        return;
    }
    if (v->observer)
        observe_event(g, VMM_EV_NATIVE, 0, ev->pc, insn, g->st.gotcha.divergences != divergences);
}

void gotcha_note_emulation(struct guest *g, const struct cpu_trap *t)
{
    if (!g->diverged || mode_of(g->true_status) == guest_vmode(g) ||
        mode_of(g->true_status) == VMODE_KERNEL)
        return;
    g->st.gotcha.user_power++;
    vmm_gotchaf(g->v,
                "%s the monitor emulates %08x at %08x as for the guest kernel, but the guest is "
                "in its %s mode: guest-kernel power in a user process",
                g->cfg->name, t->insn, t->pc, mode_name(mode_of(g->true_status)));
}

void gotcha_sync_real_epc(struct vmm *v, struct guest *g)
{
    if (!v->eret_native)
        return;
    uint32_t epc;
    if (v->cfg->real_epc == VMM_EPC_RESUME)
        epc = cpu_pc(v->cpu); /* as if the monitor had returned with its own ERET */
    else
        epc = (g->cp0.status & ST_ERL) ? g->cp0.errorepc : g->cp0.epc;
    cpu_cp0_write(v->cpu, C0_EPC, 0, epc);
}
