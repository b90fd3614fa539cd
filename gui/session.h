/*
 * gui/session.h — one machine under a front end's control: the native board
 * or the monitor with its guests, run in batches, stopped at the moment that
 * matters (an instruction, a trap of a kind or guest, a breakpoint on a PC,
 * a symbol, a trap kind, a TLB decision), with what happened kept for
 * display: each guest's console, a log of traps, samples of each guest's
 * mode as the monitor believes it and as its own hardware would have it, and
 * which real TLB entries changed. No SDL here: the window (gui/gui.c), the
 * command player (gui/command.c) and the tests drive the same session.
 *
 * The session pulls everything through the machine's and the monitor's
 * public API (board.h, vmm.h, cpu.h) and never writes machine state other
 * than by running it (STYLE.md 15).
 */
#ifndef GUI_SESSION_H
#define GUI_SESSION_H

#include <stdbool.h>
#include <stdint.h>

#include "machine/board.h"
#include "vmm/vmm.h"

/* Kinds of the trap log: the monitor's trap kinds (same values), then
 * what only exists natively or without trapping. */
enum sess_kind {
    SK_PRIV = VMM_TRAP_PRIV,
    SK_TLB_MISS = VMM_TRAP_TLB_MISS,
    SK_TLB_INVALID = VMM_TRAP_TLB_INVALID,
    SK_TLB_MOD = VMM_TRAP_TLB_MOD,
    SK_MMIO = VMM_TRAP_MMIO,
    SK_EXCEPTION = VMM_TRAP_EXCEPTION,
    SK_HYPCALL = VMM_TRAP_HYPCALL,
    SK_INTERRUPT, /* an interrupt taken (natively) or delivered to a guest */
    SK_SENSITIVE, /* a sensitive instruction that ran without trapping */
    SK_RELOC,     /* the resident portion moved (not a trap: what one made the monitor do) */
    SK_KINDS
};
const char *sess_kind_name(unsigned kind);
/* A kind by name ("tlb_miss", "interrupt"...); -1 if none. */
int sess_kind_parse(const char *name);

struct sess_trap {
    uint64_t seq; /* 1, 2, ... since the session (re)started */
    uint64_t cycle;
    unsigned kind;  /* enum sess_kind */
    unsigned guest; /* 0 natively */
    unsigned code;  /* ExcCode or CPU_TRAP_HYPCALL */
    uint32_t pc, insn, badvaddr;
    bool have_insn;
    int tlb_index;     /* real TLB entry written, -1 none */
    int decision;      /* enum vmm_decision, -1 none */
    int reflected;     /* ExcCode delivered to the guest, -1 none */
    bool diverged;     /* the guest's and the monitor's view of its mode parted here */
    uint32_t from, to; /* SK_RELOC: where the portion was and went */
    unsigned cause;    /* SK_RELOC: enum vmm_reloc_cause */
};

/* One sample of a guest's mode (enum vmm_vmode), taken when either view
 * changes or the two part: natively both are the CPU's. */
struct sess_mode {
    uint64_t cycle;
    unsigned guest;
    uint8_t believed, actual;
    bool diverged;
};

enum sess_bp_type {
    BP_PC,       /* value: address (guest: -1 any) */
    BP_KIND,     /* value: enum sess_kind */
    BP_CODE,     /* value: ExcCode of the trap ("Sys", "TLBL"...) */
    BP_DECISION, /* value: enum vmm_decision on a TLB trap */
    BP_GUEST,    /* any trap of guest `guest` */
};
struct sess_break {
    enum sess_bp_type type;
    uint32_t value;
    int guest;
    char label[64]; /* what the user typed, for display ("sym main", "decision reject") */
};

/* Why an advance ended. */
enum sess_why {
    SESS_BUDGET,  /* ran the whole budget: nothing to stop for */
    SESS_STEPPED, /* one instruction stepped */
    SESS_TRAP,    /* the trap asked for by step-to-trap */
    SESS_BREAK,   /* a breakpoint: sess_break_hit() */
    SESS_ENDED,   /* the machine powered off or hung: session_end_text() */
};

enum sess_mode_run {
    SESS_RUN,       /* until a breakpoint */
    SESS_STEP_INSN, /* budget instructions, ignoring breakpoints (a branch takes its delay slot) */
    SESS_STEP_TRAP, /* until the next trap of target kind and guest (or a breakpoint) */
};
struct sess_target {
    int kind;  /* enum sess_kind, -1 any */
    int guest; /* -1 any */
};

#define SESS_TRAP_LOG   4096
#define SESS_MODE_LOG   2048
#define SESS_CON_LINES  200
#define SESS_CON_COLS   120
#define SESS_MAX_BREAKS 32
#define SESS_MAX_TLB    256

struct sess_console {
    char line[SESS_CON_LINES][SESS_CON_COLS + 1];
    unsigned last;  /* index of the line being written */
    unsigned count; /* lines in use (1..SESS_CON_LINES) */
    unsigned col;
    uint64_t bytes;
};

typedef struct session session_t;

/* A guest's last move of its resident portion: seq 0 none yet. */
struct sess_move {
    uint64_t seq; /* of its SK_RELOC entry */
    uint32_t from, to;
    unsigned cause;
};
void session_last_move(const session_t *s, unsigned guest, struct sess_move *out);

/* Build the machine: the monitor with cfg's guests (vmm) or the native board
 * of cfg->board. NULL with a one-line message. */
session_t *session_new(const struct vmm_config *cfg, bool vmm, char *err, size_t errlen);
void session_free(session_t *s);
/* Rebuild the machine from the same configuration (breakpoints stay, the logs
 * restart). The old machine is freed first (its disk image lock and any
 * process-global backend go with it). 0, or -1 with a message: then the
 * session has no machine and may only be freed. */
int session_reset(session_t *s, char *err, size_t errlen);

/* Run at most budget instructions in the given way. */
enum sess_why session_advance(session_t *s, enum sess_mode_run mode, struct sess_target target,
                              uint64_t budget);

/* Breakpoints. "pc ADDR", "sym NAME", "trap KIND|EXCNAME", "decision
 * accept|modify|reject", "guest N"; a trailing "guest N" narrows pc/sym/trap/decision
 * to one guest. 0, or -1 with a message (unknown symbol, bad kind...). */
int session_break_add(session_t *s, const char *spec, char *err, size_t errlen);
/* Remove the breakpoint with this label ("sym main") or all ("all"); the number removed. */
unsigned session_break_remove(session_t *s, const char *label);
/* Add when absent, remove when present: the window's toggles. */
int session_break_toggle(session_t *s, const char *spec, char *err, size_t errlen);
unsigned session_break_count(const session_t *s);
const struct sess_break *session_break_at(const session_t *s, unsigned i);
/* The breakpoint that ended the last advance (NULL if none). */
const struct sess_break *session_break_hit(const session_t *s);

/* State for display. */
bool session_is_vmm(const session_t *s);
vmm_t *session_vmm(session_t *s); /* NULL natively */
board_t *session_board(session_t *s);
cpu_t *session_cpu(session_t *s);
unsigned session_guest_count(const session_t *s); /* 1 natively */
const char *session_guest_name(const session_t *s, unsigned guest);
int session_current_guest(const session_t *s);
uint64_t session_insns(const session_t *s);
bool session_ended(const session_t *s);
const char *session_end_text(const session_t *s); /* "powered off (exit 0)", "hung"... */
const struct sess_console *session_console(const session_t *s, unsigned guest);
/* Trap log: n-th most recent matching entry (0 newest) among those whose
 * kind bit is set in kind_mask; NULL past the end. */
const struct sess_trap *session_trap_recent(const session_t *s, unsigned n, uint32_t kind_mask);
uint64_t session_trap_total(const session_t *s);
uint64_t session_trap_count(const session_t *s, unsigned kind);
const struct sess_mode *session_mode_recent(const session_t *s, unsigned n);
/* Real TLB: how many advances ago entry i last changed (0: in the last one;
 * UINT64_MAX never). */
uint64_t session_tlb_age(const session_t *s, unsigned i);
/* Text of a trap log entry: "tlb_miss g0 80001234 <main+0x14> lw $v0, 0($a0) va 00400000 -> tlb[5]
 * accept". */
void session_trap_text(const session_t *s, const struct sess_trap *t, char *buf, size_t len);
/* Symbol of a PC in a guest's kernel or the firmware: "main+0x14", or "" if none. */
void session_symbol(const session_t *s, unsigned guest, uint32_t pc, char *buf, size_t len);
/* Disassembly of the word at pc (as the CPU would fetch it now): false if unmapped. */
bool session_disasm(session_t *s, uint32_t pc, char *buf, size_t len);
void session_disasm_word(const session_t *s, uint32_t insn, uint32_t pc, char *buf, size_t len);

#endif
