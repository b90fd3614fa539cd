/*
 * gui/session.c — a machine under a front end's control (gui/session.h).
 *
 * How a stop happens: the board's or the monitor's observer sees each trap
 * from inside the run and, when it matches the step target or a breakpoint,
 * asks the owner to stop (the trap is then complete: the guest stands at its
 * handler or at the instruction after the emulated one). PC breakpoints use
 * the CPU's instruction hook, only while one is set, and stop before the
 * instruction executes (cpu_stop_before()).
 */
#include "gui/session.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/disasm.h"
#include "util/parse.h"

struct session {
    struct vmm_config cfg;
    bool is_vmm;
    vmm_t *vmm;
    board_t *board;
    cpu_t *cpu;
    disasm_t *dis;
    unsigned nguests;

    struct sess_console con[VMM_MAX_GUESTS];
    struct sess_trap traps[SESS_TRAP_LOG];
    uint64_t ntraps;
    uint64_t kind_count[SK_KINDS];
    struct sess_mode modes[SESS_MODE_LOG];
    uint64_t nmodes;
    unsigned last_mode[VMM_MAX_GUESTS]; /* 1 + believed * 4 + actual of the last sample, 0 none */

    struct sess_break breaks[SESS_MAX_BREAKS];
    unsigned nbreaks;
    int hit; /* breakpoint index that ended the last advance, -1 none */

    /* the real TLB as it was after the last advance, and when each entry changed */
    struct tlb_regs tlb_prev[SESS_MAX_TLB];
    uint64_t tlb_changed[SESS_MAX_TLB];
    uint64_t gen;

    /* the advance in progress */
    bool advancing;
    enum sess_mode_run mode;
    struct sess_target target;
    enum sess_why why;
    bool first_insn;

    bool ended;
    char end_text[96];
    struct sess_move moves[VMM_MAX_GUESTS];
};

/* ---- names ---------------------------------------------------------------- */

static const char *const kind_names[SK_KINDS] = {
    "privileged", "tlb_miss", "tlb_invalid", "tlb_mod",   "mmio",
    "exception",  "hypcall",  "interrupt",   "sensitive", "relocation",
};

const char *sess_kind_name(unsigned kind) { return kind < SK_KINDS ? kind_names[kind] : "?"; }

int sess_kind_parse(const char *name)
{
    for (unsigned k = 0; k < SK_KINDS; k++)
        if (strcmp(name, kind_names[k]) == 0)
            return (int)k;
    return -1;
}

/* ---- recording ------------------------------------------------------------ */

static void request_stop(session_t *s)
{
    if (s->is_vmm)
        vmm_request_stop(s->vmm);
    else
        board_request_stop(s->board);
}

static void stop_with(session_t *s, enum sess_why why, int bp)
{
    if (s->why != SESS_BUDGET)
        return; /* the first reason wins */
    s->why = why;
    s->hit = bp;
    request_stop(s);
}

/* Mode samples are kept where something changes (a guest's mode in either
 * view, or a divergence), so the timeline shows transitions, not trap noise. */
static void add_mode(session_t *s, uint64_t cycle, unsigned guest, unsigned believed,
                     unsigned actual, bool diverged)
{
    if (guest >= VMM_MAX_GUESTS)
        return;
    unsigned key = 1u + believed * 4u + actual;
    if (!diverged && s->last_mode[guest] == key)
        return;
    s->last_mode[guest] = key;
    struct sess_mode *m = &s->modes[s->nmodes++ % SESS_MODE_LOG];
    *m = (struct sess_mode){cycle, guest, (uint8_t)believed, (uint8_t)actual, diverged};
}

/* A trap was recorded: does the advance stop here? */
static void check_trap(session_t *s, const struct sess_trap *t)
{
    if (!s->advancing)
        return;
    if (s->mode == SESS_STEP_TRAP && (s->target.kind < 0 || (unsigned)s->target.kind == t->kind) &&
        (s->target.guest < 0 || (unsigned)s->target.guest == t->guest))
        stop_with(s, SESS_TRAP, -1);
    if (s->mode == SESS_STEP_INSN)
        return;
    for (unsigned i = 0; i < s->nbreaks; i++) {
        const struct sess_break *b = &s->breaks[i];
        bool guest_ok = b->guest < 0 || (unsigned)b->guest == t->guest;
        bool hit = false;
        switch (b->type) {
        case BP_PC: break;
        case BP_KIND: hit = guest_ok && b->value == t->kind; break;
        case BP_CODE: hit = guest_ok && t->kind != SK_SENSITIVE && b->value == t->code; break;
        case BP_DECISION:
            hit = guest_ok && t->decision >= 0 && b->value == (uint32_t)t->decision;
            break;
        case BP_GUEST: hit = (unsigned)b->guest == t->guest; break;
        }
        if (hit) {
            stop_with(s, SESS_BREAK, (int)i);
            return;
        }
    }
}

static struct sess_trap *new_trap(session_t *s)
{
    struct sess_trap *t = &s->traps[s->ntraps % SESS_TRAP_LOG];
    memset(t, 0, sizeof *t);
    t->seq = ++s->ntraps;
    t->tlb_index = t->decision = t->reflected = -1;
    return t;
}

static void mark_tlb(session_t *s, int index)
{
    if (index >= 0 && index < SESS_MAX_TLB)
        s->tlb_changed[index] = s->gen;
}

static void on_vmm_event(void *opaque, const struct vmm_event *ev)
{
    session_t *s = opaque;
    struct sess_trap *t = new_trap(s);
    t->cycle = ev->cycle;
    t->guest = ev->guest;
    t->code = ev->code;
    t->pc = ev->pc;
    t->insn = ev->insn;
    t->have_insn = ev->kind != VMM_EV_INTERRUPT && !(ev->kind == VMM_EV_TRAP && ev->insn == 0);
    t->badvaddr = ev->badvaddr;
    t->tlb_index = ev->tlb_index;
    t->decision = ev->decision;
    t->reflected = ev->reflected;
    t->diverged = ev->diverged;
    switch (ev->kind) {
    case VMM_EV_TRAP: t->kind = (unsigned)ev->trap; break;
    case VMM_EV_INTERRUPT: t->kind = SK_INTERRUPT; break;
    case VMM_EV_NATIVE: t->kind = SK_SENSITIVE; break;
    case VMM_EV_RELOCATION:
        t->kind = SK_RELOC;
        t->from = ev->reloc_from;
        t->to = ev->reloc_to;
        t->cause = ev->reloc_cause;
        t->have_insn = false;
        if (ev->guest < VMM_MAX_GUESTS)
            s->moves[ev->guest] = (struct sess_move){t->seq, t->from, t->to, t->cause};
        break;
    }
    s->kind_count[t->kind]++;
    mark_tlb(s, ev->tlb_index);
    add_mode(s, ev->cycle, ev->guest, ev->believed, ev->actual, ev->diverged);
    check_trap(s, t);
}

/* Natively: a TLB exception that went to the refill vector (offset 0x000 of
 * the vector base, the general one being 0x180). */
static unsigned native_kind(const struct cpu_event *ev)
{
    switch (ev->code) {
    case EXC_INT: return SK_INTERRUPT;
    case EXC_CPU: return SK_PRIV;
    case EXC_MOD: return SK_TLB_MOD;
    case EXC_TLBL:
    case EXC_TLBS: return (ev->b & 0x1FFu) == 0 ? SK_TLB_MISS : SK_TLB_INVALID;
    default: return SK_EXCEPTION;
    }
}

static void on_board_event(void *opaque, const struct cpu_event *ev)
{
    session_t *s = opaque;
    unsigned mode = cpu_mode(s->cpu);
    switch (ev->kind) {
    case CPU_EV_TLB_WRITE: mark_tlb(s, (int)ev->a); return;
    case CPU_EV_ERET: add_mode(s, cpu_cycles(s->cpu), 0, mode, mode, false); return;
    case CPU_EV_EXCEPTION:
    case CPU_EV_SENSITIVE: break;
    }
    struct sess_trap *t = new_trap(s);
    t->cycle = cpu_cycles(s->cpu);
    t->pc = ev->pc;
    if (ev->kind == CPU_EV_SENSITIVE) {
        t->kind = SK_SENSITIVE;
        t->insn = ev->a;
        t->have_insn = true;
    } else {
        t->kind = native_kind(ev);
        t->code = ev->code;
        t->badvaddr = ev->a;
        t->reflected = (int)ev->code;
        /* The instruction, read as the interrupted code saw it (kernel mode
         * now; a user page of the current ASID still translates). */
        t->have_insn = ev->code != EXC_INT && cpu_debug_read(s->cpu, ev->pc, 4, &t->insn);
    }
    s->kind_count[t->kind]++;
    add_mode(s, t->cycle, 0, mode, mode, false);
    check_trap(s, t);
}

static void on_insn(void *opaque, uint32_t pc, uint32_t insn)
{
    (void)insn;
    session_t *s = opaque;
    bool first = s->first_insn;
    s->first_insn = false;
    if (first || !s->advancing || s->mode == SESS_STEP_INSN || s->why != SESS_BUDGET)
        return; /* resuming from a breakpoint at this very PC runs it */
    int g = s->is_vmm ? vmm_current_guest(s->vmm) : 0;
    for (unsigned i = 0; i < s->nbreaks; i++) {
        const struct sess_break *b = &s->breaks[i];
        if (b->type == BP_PC && b->value == pc && (b->guest < 0 || b->guest == g)) {
            cpu_stop_before(s->cpu);
            stop_with(s, SESS_BREAK, (int)i);
            return;
        }
    }
}

static void update_insn_hook(session_t *s)
{
    bool any = false;
    for (unsigned i = 0; i < s->nbreaks; i++)
        any |= s->breaks[i].type == BP_PC;
    cpu_set_insn_hook(s->cpu, any ? on_insn : NULL, s);
}

static void on_console(session_t *s, unsigned guest, const char *buf, size_t len)
{
    if (guest >= VMM_MAX_GUESTS)
        return;
    struct sess_console *c = &s->con[guest];
    c->bytes += len;
    for (size_t i = 0; i < len; i++) {
        char ch = buf[i];
        if (ch == '\r')
            continue;
        if (ch == '\n' || c->col >= SESS_CON_COLS) {
            c->last = (c->last + 1) % SESS_CON_LINES;
            c->line[c->last][0] = 0;
            c->col = 0;
            if (c->count < SESS_CON_LINES)
                c->count++;
            if (ch == '\n')
                continue;
        }
        if (ch == '\t')
            ch = ' ';
        if ((unsigned char)ch < 32 || (unsigned char)ch > 126)
            ch = '.';
        c->line[c->last][c->col++] = ch;
        c->line[c->last][c->col] = 0;
    }
}

static void on_vmm_console(void *opaque, unsigned guest, const char *buf, size_t len)
{
    on_console(opaque, guest, buf, len);
}

static void on_board_console(void *opaque, const char *buf, size_t len)
{
    on_console(opaque, 0, buf, len);
}

/* ---- life cycle ------------------------------------------------------------ */

static void snapshot_tlb(session_t *s)
{
    tlb_t *tlb = cpu_tlb(s->cpu);
    unsigned n = tlb_size(tlb);
    for (unsigned i = 0; i < n && i < SESS_MAX_TLB; i++) {
        struct tlb_regs r;
        tlb_read(tlb, i, &r);
        if (memcmp(&r, &s->tlb_prev[i], sizeof r) != 0) {
            s->tlb_changed[i] = s->gen;
            s->tlb_prev[i] = r;
        }
    }
}

/* Drop the machine (a reset builds the next one only after this: disk
 * images are locked, and a process-global backend allows one at a time). */
static void drop_machine(session_t *s)
{
    if (s->is_vmm)
        vmm_free(s->vmm);
    else
        board_free(s->board);
    s->vmm = NULL;
    s->board = NULL;
    s->cpu = NULL;
}

static int build(session_t *s, char *err, size_t errlen)
{
    vmm_t *v = NULL;
    board_t *b = NULL;
    if (s->is_vmm) {
        if (!(v = vmm_new(&s->cfg, err, errlen)))
            return -1;
        b = vmm_board(v);
    } else if (!(b = board_new(&s->cfg.board, err, errlen))) {
        return -1;
    }
    s->vmm = v;
    s->board = b;
    s->cpu = board_cpu(b);
    s->nguests = v ? vmm_guest_count(v) : 1;
    if (v) {
        vmm_set_observer(v, on_vmm_event, s);
        vmm_set_console_hook(v, on_vmm_console, s);
    } else {
        board_set_observer(b, on_board_event, s);
        board_set_console(b, on_board_console, s);
    }
    memset(s->con, 0, sizeof s->con);
    for (unsigned g = 0; g < VMM_MAX_GUESTS; g++)
        s->con[g].count = 1;
    s->ntraps = s->nmodes = 0;
    memset(s->last_mode, 0, sizeof s->last_mode);
    memset(s->kind_count, 0, sizeof s->kind_count);
    memset(s->moves, 0, sizeof s->moves);
    memset(s->tlb_prev, 0, sizeof s->tlb_prev);
    for (unsigned i = 0; i < SESS_MAX_TLB; i++)
        s->tlb_changed[i] = UINT64_MAX;
    s->gen = 0;
    snapshot_tlb(s);
    for (unsigned i = 0; i < SESS_MAX_TLB; i++)
        s->tlb_changed[i] = UINT64_MAX; /* the reset state is not a change */
    s->ended = false;
    s->end_text[0] = 0;
    s->hit = -1;
    update_insn_hook(s);
    return 0;
}

session_t *session_new(const struct vmm_config *cfg, bool vmm, char *err, size_t errlen)
{
    session_t *s = calloc(1, sizeof *s);
    if (!s) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    if (!vmm_config_copy(&s->cfg, cfg)) {
        snprintf(err, errlen, "out of memory");
        free(s);
        return NULL;
    }
    s->is_vmm = vmm;
    if (!(s->dis = disasm_new(!cfg->board.little_endian))) {
        snprintf(err, errlen, "cannot start the Capstone disassembler");
        vmm_config_free(&s->cfg);
        free(s);
        return NULL;
    }
    if (build(s, err, errlen) != 0) {
        disasm_free(s->dis);
        vmm_config_free(&s->cfg);
        free(s);
        return NULL;
    }
    return s;
}

void session_free(session_t *s)
{
    if (!s)
        return;
    drop_machine(s);
    disasm_free(s->dis);
    vmm_config_free(&s->cfg);
    free(s);
}

int session_reset(session_t *s, char *err, size_t errlen)
{
    drop_machine(s);
    return build(s, err, errlen);
}

/* ---- running ---------------------------------------------------------------- */

enum sess_why session_advance(session_t *s, enum sess_mode_run mode, struct sess_target target,
                              uint64_t budget)
{
    s->hit = -1;
    if (s->ended)
        return SESS_ENDED;
    s->gen++;
    s->advancing = true;
    s->mode = mode;
    s->target = target;
    s->why = SESS_BUDGET;
    s->first_insn = true;
    bool ended = false;
    if (s->is_vmm) {
        enum vmm_stop r = vmm_run(s->vmm, budget);
        if (r == VMM_ALL_OFF) {
            snprintf(s->end_text, sizeof s->end_text, "all guests powered off (exit %u)",
                     vmm_exit_code(s->vmm));
            ended = true;
        } else if (r == VMM_HUNG) {
            snprintf(s->end_text, sizeof s->end_text,
                     "hung: every guest waits for an interrupt nothing can raise");
            ended = true;
        } else if (r == VMM_STORM) {
            unsigned g, code;
            uint32_t pc, badva;
            vmm_storm(s->vmm, &g, &code, &pc, &badva);
            snprintf(s->end_text, sizeof s->end_text,
                     "exception storm in %s: %s at %08x over and over", session_guest_name(s, g),
                     cpu_exc_name(code), pc);
            ended = true;
        }
    } else {
        enum board_stop r = board_run(s->board, budget);
        if (r == BOARD_POWEROFF) {
            snprintf(s->end_text, sizeof s->end_text, "powered off (exit %u)",
                     board_exit_code(s->board));
            ended = true;
        } else if (r == BOARD_HUNG) {
            snprintf(s->end_text, sizeof s->end_text, "hung: WAIT with no interrupt source");
            ended = true;
        } else if (r == BOARD_STORM) {
            unsigned code;
            uint32_t pc, badva;
            board_storm(s->board, &code, &pc, &badva);
            snprintf(s->end_text, sizeof s->end_text, "exception storm: %s at %08x over and over",
                     cpu_exc_name(code), pc);
            ended = true;
        } else if (r == BOARD_MACHINE_CHECK) {
            snprintf(s->end_text, sizeof s->end_text,
                     "machine check: exception vector %08x cannot be fetched",
                     cpu_vector_fault(s->cpu));
            ended = true;
        }
    }
    s->advancing = false;
    snapshot_tlb(s);
    if (ended) {
        s->ended = true;
        return SESS_ENDED;
    }
    if (s->why == SESS_BUDGET && mode == SESS_STEP_INSN)
        return SESS_STEPPED;
    return s->why;
}

/* ---- breakpoints ------------------------------------------------------------- */

static const char *const decision_names[] = {"accept", "modify", "reject"};

static int exc_code_parse(const char *name)
{
    for (unsigned c = 0; c < 32; c++)
        if (strcasecmp(name, cpu_exc_name(c)) == 0)
            return (int)c;
    return -1;
}

/* Find NAME in the kernels (the one of guest, or each in turn) and the firmware. */
static bool find_symbol(const session_t *s, const char *name, int guest, uint32_t *addr)
{
    for (unsigned g = 0; g < s->nguests; g++) {
        if (guest >= 0 && (unsigned)guest != g)
            continue;
        const elfimg_t *k = s->is_vmm ? vmm_guest_kernel(s->vmm, g) : board_kernel(s->board);
        if (k && elfimg_symbol_addr(k, name, addr))
            return true;
    }
    const elfimg_t *fw = board_firmware(s->board);
    return fw && elfimg_symbol_addr(fw, name, addr);
}

int session_break_add(session_t *s, const char *spec, char *err, size_t errlen)
{
    char type[16] = "", arg[64] = "", gword[16] = "", gnum[16] = "", extra[8] = "";
    int n = sscanf(spec, "%15s %63s %15s %15s %7s", type, arg, gword, gnum, extra);
    struct sess_break b = {.guest = -1};
    if ((n == 1 || n == 3) && (strcmp(type, "reloc") == 0 || strcmp(type, "relocation") == 0)) {
        /* "break reloc [guest N]": as "break trap relocation [guest N]" */
        if (n == 3) {
            snprintf(gnum, sizeof gnum, "%s", gword);
            snprintf(gword, sizeof gword, "%s", arg);
        }
        strcpy(arg, "relocation");
        strcpy(type, "trap");
        n++;
    }
    if (n < 2 || n == 3 || n > 4 || (n == 4 && strcmp(gword, "guest") != 0)) {
        snprintf(err, errlen,
                 "break: '%s': expected pc ADDR | sym NAME | trap KIND | decision "
                 "accept|modify|reject | guest N | reloc, optionally followed by guest N",
                 spec);
        return -1;
    }
    if (n == 4) {
        uint32_t g;
        if (!parse_u32(gnum, &g) || g >= s->nguests) {
            snprintf(err, errlen, "break: no guest '%s' (there are %u)", gnum, s->nguests);
            return -1;
        }
        b.guest = (int)g;
    }
    if (strcmp(type, "pc") == 0) {
        b.type = BP_PC;
        if (!parse_u32(arg, &b.value) || (b.value & 3)) {
            snprintf(err, errlen, "break pc: '%s' is not a word-aligned address", arg);
            return -1;
        }
    } else if (strcmp(type, "sym") == 0) {
        b.type = BP_PC;
        if (!find_symbol(s, arg, b.guest, &b.value)) {
            snprintf(err, errlen, "break sym: unknown symbol '%s' (not in the %s nor the firmware)",
                     arg, s->is_vmm ? "guests' kernels" : "kernel");
            return -1;
        }
    } else if (strcmp(type, "trap") == 0) {
        int k = sess_kind_parse(arg), c = exc_code_parse(arg);
        if (k >= 0) {
            b.type = BP_KIND;
            b.value = (uint32_t)k;
        } else if (c >= 0) {
            b.type = BP_CODE;
            b.value = (uint32_t)c;
        } else {
            snprintf(err, errlen,
                     "break trap: unknown kind '%s' (privileged, tlb_miss, "
                     "tlb_invalid, tlb_mod, mmio, exception, hypcall, interrupt, "
                     "sensitive, relocation, or an exception name such as Sys, TLBL)",
                     arg);
            return -1;
        }
    } else if (strcmp(type, "decision") == 0) {
        b.type = BP_DECISION;
        unsigned d = 0;
        while (d < 3 && strcmp(arg, decision_names[d]) != 0)
            d++;
        if (d == 3) {
            snprintf(err, errlen, "break decision: '%s' is not accept, modify or reject", arg);
            return -1;
        }
        if (!s->is_vmm) {
            snprintf(err, errlen,
                     "break decision: TLB decisions are the monitor's: run with --vmm");
            return -1;
        }
        b.value = d;
    } else if (strcmp(type, "guest") == 0 && n == 2) {
        uint32_t g;
        if (!parse_u32(arg, &g) || g >= s->nguests) {
            snprintf(err, errlen, "break guest: no guest '%s' (there are %u)", arg, s->nguests);
            return -1;
        }
        b.type = BP_GUEST;
        b.guest = (int)g;
    } else {
        snprintf(err, errlen, "break: unknown type '%s' (pc, sym, trap, decision, guest)", type);
        return -1;
    }
    snprintf(b.label, sizeof b.label, "%s", spec);
    for (unsigned i = 0; i < s->nbreaks; i++)
        if (strcmp(s->breaks[i].label, b.label) == 0)
            return 0; /* already there */
    if (s->nbreaks == SESS_MAX_BREAKS) {
        snprintf(err, errlen, "break: at most %d breakpoints", SESS_MAX_BREAKS);
        return -1;
    }
    s->breaks[s->nbreaks++] = b;
    update_insn_hook(s);
    return 0;
}

unsigned session_break_remove(session_t *s, const char *label)
{
    unsigned kept = 0, removed = 0;
    bool all = strcmp(label, "all") == 0;
    for (unsigned i = 0; i < s->nbreaks; i++) {
        if (all || strcmp(s->breaks[i].label, label) == 0)
            removed++;
        else
            s->breaks[kept++] = s->breaks[i];
    }
    s->nbreaks = kept;
    update_insn_hook(s);
    return removed;
}

int session_break_toggle(session_t *s, const char *spec, char *err, size_t errlen)
{
    if (session_break_remove(s, spec))
        return 0;
    return session_break_add(s, spec, err, errlen);
}

unsigned session_break_count(const session_t *s) { return s->nbreaks; }
const struct sess_break *session_break_at(const session_t *s, unsigned i)
{
    return i < s->nbreaks ? &s->breaks[i] : NULL;
}
const struct sess_break *session_break_hit(const session_t *s)
{
    return s->hit >= 0 && (unsigned)s->hit < s->nbreaks ? &s->breaks[s->hit] : NULL;
}

/* ---- views --------------------------------------------------------------------- */

void session_last_move(const session_t *s, unsigned guest, struct sess_move *out)
{
    *out = guest < VMM_MAX_GUESTS ? s->moves[guest] : (struct sess_move){0, 0, 0, 0};
}

bool session_is_vmm(const session_t *s) { return s->is_vmm; }
vmm_t *session_vmm(session_t *s) { return s->vmm; }
board_t *session_board(session_t *s) { return s->board; }
cpu_t *session_cpu(session_t *s) { return s->cpu; }
unsigned session_guest_count(const session_t *s) { return s->nguests; }

const char *session_guest_name(const session_t *s, unsigned g)
{
    if (!s->is_vmm)
        return "native";
    return g < s->cfg.nguests ? s->cfg.guests[g].name : "?";
}

int session_current_guest(const session_t *s) { return s->is_vmm ? vmm_current_guest(s->vmm) : 0; }

uint64_t session_insns(const session_t *s)
{
    struct cpu_stats st;
    cpu_get_stats(s->cpu, &st);
    return st.insns;
}

bool session_ended(const session_t *s) { return s->ended; }
const char *session_end_text(const session_t *s) { return s->end_text; }

const struct sess_console *session_console(const session_t *s, unsigned g)
{
    return g < s->nguests ? &s->con[g] : NULL;
}

const struct sess_trap *session_trap_recent(const session_t *s, unsigned n, uint32_t kind_mask)
{
    uint64_t avail = s->ntraps < SESS_TRAP_LOG ? s->ntraps : SESS_TRAP_LOG;
    for (uint64_t i = 0; i < avail; i++) {
        const struct sess_trap *t = &s->traps[(s->ntraps - 1 - i) % SESS_TRAP_LOG];
        if (!(kind_mask & (1u << t->kind)))
            continue;
        if (n-- == 0)
            return t;
    }
    return NULL;
}

uint64_t session_trap_total(const session_t *s) { return s->ntraps; }
uint64_t session_trap_count(const session_t *s, unsigned k)
{
    return k < SK_KINDS ? s->kind_count[k] : 0;
}

const struct sess_mode *session_mode_recent(const session_t *s, unsigned n)
{
    uint64_t avail = s->nmodes < SESS_MODE_LOG ? s->nmodes : SESS_MODE_LOG;
    return n < avail ? &s->modes[(s->nmodes - 1 - n) % SESS_MODE_LOG] : NULL;
}

uint64_t session_tlb_age(const session_t *s, unsigned i)
{
    if (i >= SESS_MAX_TLB || s->tlb_changed[i] == UINT64_MAX)
        return UINT64_MAX;
    return s->gen - s->tlb_changed[i];
}

void session_symbol(const session_t *s, unsigned guest, uint32_t pc, char *buf, size_t len)
{
    buf[0] = 0;
    const elfimg_t *img;
    if (pc >= 0xBFC00000u)
        img = board_firmware(s->board);
    else
        img = s->is_vmm ? vmm_guest_kernel(s->vmm, guest) : board_kernel(s->board);
    uint32_t off;
    const char *name = img ? elfimg_symbol_at(img, pc, &off) : NULL;
    if (name && off)
        snprintf(buf, len, "%s+%#x", name, off);
    else if (name)
        snprintf(buf, len, "%s", name);
}

void session_disasm_word(const session_t *s, uint32_t insn, uint32_t pc, char *buf, size_t len)
{
    disasm_one(s->dis, insn, pc, buf, len);
}

bool session_disasm(session_t *s, uint32_t pc, char *buf, size_t len)
{
    uint32_t insn;
    if (!cpu_debug_read(s->cpu, pc, 4, &insn)) {
        snprintf(buf, len, "(not mapped)");
        return false;
    }
    disasm_one(s->dis, insn, pc, buf, len);
    return true;
}

void session_trap_text(const session_t *s, const struct sess_trap *t, char *buf, size_t len)
{
    char sym[64], dis[64] = "", detail[96] = "";
    session_symbol(s, t->guest, t->pc, sym, sizeof sym);
    if (t->have_insn)
        session_disasm_word(s, t->insn, t->pc, dis, sizeof dis);
    size_t d = 0;
    if (t->kind == SK_RELOC) {
        snprintf(buf, len, "%-11s %-7s g%u %08x %-18s moved %08x -> %08x (%s)",
                 sess_kind_name(t->kind), "-", t->guest, t->pc, sym[0] ? sym : "-", t->from, t->to,
                 vmm_reloc_cause_name((enum vmm_reloc_cause)t->cause));
        return;
    }
    if (t->kind == SK_TLB_MISS || t->kind == SK_TLB_INVALID || t->kind == SK_TLB_MOD ||
        t->kind == SK_MMIO || t->code == EXC_ADEL || t->code == EXC_ADES)
        d += (size_t)snprintf(detail + d, sizeof detail - d, " va %08x", t->badvaddr);
    if (t->tlb_index >= 0 && d < sizeof detail)
        d += (size_t)snprintf(detail + d, sizeof detail - d, " -> tlb[%d]", t->tlb_index);
    if (t->decision >= 0 && t->decision < 3 && d < sizeof detail)
        d += (size_t)snprintf(detail + d, sizeof detail - d, " %s", decision_names[t->decision]);
    if (s->is_vmm && t->reflected >= 0 && d < sizeof detail)
        d += (size_t)snprintf(detail + d, sizeof detail - d, " => guest %s",
                              cpu_exc_name((unsigned)t->reflected));
    else if (s->is_vmm && (t->kind == SK_PRIV || t->kind == SK_HYPCALL) && d < sizeof detail)
        d += (size_t)snprintf(detail + d, sizeof detail - d, " emulated");
    else if (s->is_vmm && t->kind == SK_MMIO && d < sizeof detail)
        d += (size_t)snprintf(detail + d, sizeof detail - d, " device emulated");
    if (t->diverged && d < sizeof detail)
        snprintf(detail + d, sizeof detail - d, " DIVERGED");
    const char *code = t->kind == SK_SENSITIVE       ? "-"
                       : t->code == CPU_TRAP_HYPCALL ? "HYPCALL"
                                                     : cpu_exc_name(t->code);
    snprintf(buf, len, "%-11s %-7s g%u %08x %-18s %-26s%s", sess_kind_name(t->kind), code, t->guest,
             t->pc, sym[0] ? sym : "-", t->have_insn ? dis : "-", detail);
}
