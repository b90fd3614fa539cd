/*
 * vmm/vmm.h — the trap-and-emulate monitor.
 *
 * The monitor owns a hosted board (machine/board.h: RAM, CPU, buses, devices,
 * boot ROM) and runs several guests on its one CPU, each in a partition: a
 * slice of RAM seen by the guest from physical 0, whole buses of its own
 * (passed through), and per-guest emulated copies of the shared devices
 * (console UART, timer, power). Guest kernels run deprivileged (real user
 * mode, "physical as virtual" on, every exception routed to the monitor —
 * or, with vmm.traps = resident, taken by the monitor's resident portion
 * inside the guest's address space, vmm/resident.c); privileged
 * instructions are emulated against a virtual CP0 and a virtual TLB; real
 * TLB misses go through a replaceable policy (vmm/policy.h). docs/vmm.md
 * describes the trap flow and the trap models.
 *
 * Configuration: the board's INI format plus [vmm] and [guestN] sections
 * (docs/vmm.md, "Configuration").
 */
#ifndef VMM_VMM_H
#define VMM_VMM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "dev/tpm.h"
#include "machine/config.h"
#include "tlb/tlb.h"
#include "util/elfload.h"
#include "vmm/policy.h"

#define VMM_MAX_GUESTS 8
#define VMM_NAME_MAX   16
/* The monitor keeps the top VMM_RESERVED bytes of board RAM for itself
 * (each guest's copy of the device-tree and boot-info part of the ROM), and
 * below them the buffer pages of the guests' emulated devices
 * (vmm_buffer_pages). */
#define VMM_RESERVED      0x00100000u
#define VMM_ROM_COPY_SIZE 0x00020000u /* per guest: ROM 0x1FC80000..0x1FC9FFFF */
#define VMM_AUTO_BASE     UINT32_MAX

struct vmm_guest_config {
    char name[VMM_NAME_MAX];
    uint32_t ram_size;
    uint32_t ram_base;  /* host-physical base, VMM_AUTO_BASE to place it */
    uint32_t buses;     /* bit b: the guest owns bus b */
    uint32_t shared;    /* bit dev_class_index(): emulated copies it gets (shareable classes) */
    unsigned tlb_pairs; /* its virtual TLB (0: the board's) */
    char kernel[CONFIG_PATH_MAX]; /* "" = the board's kernel */
    char bootargs[256];           /* "" = the board's bootargs */
    char input[CONFIG_PATH_MAX];  /* console input: none | stdin | FILE; "" = guest0
                                     takes the board console's input, others none */
    char output[CONFIG_PATH_MAX]; /* "" = the board's console, lines prefixed */
    bool console_raw;             /* on the board's console: control bytes pass (else shown \xNN) */
};

/* The software fix for sensitive instructions that do not trap ([cpu] switches). */
enum vmm_fix {
    VMM_FIX_NONE = 0, /* trap-and-emulate only: unsafe switches break the guests */
    VMM_FIX_SCAN,     /* scan code pages on first execution, patch them with HYPCALL */
};
/* What the real EPC holds while a guest runs (what a non-trapping ERET jumps to). */
enum vmm_real_epc {
    VMM_EPC_GUEST = 0, /* the guest's virtual EPC (kept in the real register) */
    VMM_EPC_RESUME,    /* where the monitor last resumed the guest (its own ERET) */
};

/* How guest traps reach the monitor (vmm.traps; docs/vmm.md, "Trap models"). */
enum vmm_traps {
    VMM_TRAPS_DIRECT = 0, /* every real exception is routed to the monitor */
    VMM_TRAPS_RESIDENT,   /* taken on the CPU by the resident portion in the guest's space */
};

/* Where the resident portion goes when it must move (vmm.relocation;
 * docs/vmm.md, "Trap models"). */
enum vmm_relocation {
    VMM_RELOCATE_UNUSED = 0, /* a region the guest does not use (else as random) */
    VMM_RELOCATE_RANDOM,     /* a region chosen with vmm.seed; the guest's accesses served */
    VMM_RELOCATE_PERIODIC,   /* random, and again every reloc_period instructions until quiet */
};

struct vmm_config {
    struct board_config board;
    unsigned nguests;
    struct vmm_guest_config guests[VMM_MAX_GUESTS];
    uint64_t quantum;                 /* time slice in cycles */
    char policy[32];                  /* vmm_policy_find() name */
    char policy_lib[CONFIG_PATH_MAX]; /* a policy in a shared object ("" none): it wins */
    char policy_args[256];            /* given to its create hook */
    enum vmm_fix fix;
    enum vmm_real_epc real_epc;
    enum vmm_traps traps;
    enum vmm_relocation relocation;
    uint64_t seed;         /* the run's seed (vmm.seed): random placements */
    uint64_t reloc_period; /* guest instructions between periodic moves */
};

/* Two guests of the default kernel on the default board: guest0 owns bus 1
 * (network, and the disk when one is given), guest1 owns bus 2 (framebuffer,
 * keyboard); both get the console, timer and power of bus 0 emulated.
 * Ownership as the board's configuration (machine/config.h): released by
 * vmm_config_free, never copied by value (vmm_config_copy), borrowed by
 * vmm_new until vmm_free. False only when out of memory. */
bool vmm_config_default(struct vmm_config *c);
void vmm_config_free(struct vmm_config *c);
bool vmm_config_copy(struct vmm_config *dst, const struct vmm_config *src);
/* Read an INI file: board keys as board_config_load, plus [vmm] and
 * [guestN]. A file with any [guestN] replaces the default guests. */
int vmm_config_load(struct vmm_config *c, const char *path, char *err, size_t errlen);
/* "section.key=value" for any section, e.g. "guest1.ram=8M", "vmm.quantum=50000". */
int vmm_config_set(struct vmm_config *c, const char *assignment, char *err, size_t errlen);
/* Placement and isolation checks: overlapping partitions, a bus given twice,
 * more than the board has... Fills in automatic bases and TLB sizes. 0, or
 * -1 with a message. */
int vmm_config_check(struct vmm_config *c, char *err, size_t errlen);
/* Guest gi gets an emulated copy of the device in (bus, slot): the device
 * is shareable, on a bus no guest owns, and in the guest's `shared` list. */
bool vmm_config_emulates(const struct vmm_config *c, unsigned gi, unsigned bus, unsigned slot);
/* Pages the monitor keeps below VMM_RESERVED: the buffers of c's guests'
 * emulated devices, and in the resident trap model its code page and a data
 * page per guest. */
unsigned vmm_buffer_pages(const struct vmm_config *c);
/* The same checks with the placed guests written to guests[] (c->nguests
 * entries; it may be c->guests itself). */
int vmm_config_place(const struct vmm_config *c, struct vmm_guest_config *guests, char *err,
                     size_t errlen);

typedef struct vmm vmm_t;

/*
 * The hypercall ABI (docs/vmm.md, "Hypercalls"): HYPCALL code (the 10-bit
 * field of the MIPS VZ encoding 0x42000028 | code << 11). Codes below
 * VMM_HC_PATCH_BASE are for paravirtual guests; each stands for one
 * sensitive instruction with its result in $v0 and is emulated exactly as
 * that instruction (so from virtual user mode it is refused with the
 * Coprocessor Unusable the instruction would raise). VMM_HC_PROBE works in
 * every mode. Codes from VMM_HC_MODULE_BASE up belong to monitor modules:
 * VMM_HC_PATCH_BASE.. are the scanner fix's patch sites, valid only at the
 * address the monitor patched; VMM_HC_RESIDENT.. the resident portion's
 * hand-overs, valid only from its own code. Anything else is a Reserved
 * Instruction for the guest.
 */
enum vmm_hypercall {
    VMM_HC_PROBE = 0,          /* $v0 = VMM_HC_MAGIC, $v1 = ABI version */
    VMM_HC_ERET = 1,           /* eret */
    VMM_HC_DI = 2,             /* di $v0 */
    VMM_HC_EI = 3,             /* ei $v0 */
    VMM_HC_STATUS = 4,         /* mfc0 $v0, Status */
    VMM_HC_CAUSE = 5,          /* mfc0 $v0, Cause */
    VMM_HC_MODULE_BASE = 0x40, /* codes from here are served by monitor modules */
    VMM_HC_PATCH_BASE = 0x40,  /* the scanner fix's patch sites (to 0x3FD) */
    VMM_HC_RESIDENT = 0x3FE,   /* 0x3FE, 0x3FF: the resident portion hands a trap over */
};
#define VMM_HC_MAGIC 0x54564D4Du /* "TVMM" */
/* The HYPCALL instruction (MIPS VZ) with its 10-bit code. */
#define VMM_HYPCALL_INSN       0x42000028u
#define VMM_HYPCALL_WORD(code) (VMM_HYPCALL_INSN | (uint32_t)(code) << 11)
#define VMM_HC_VERSION         1

vmm_t *vmm_new(const struct vmm_config *cfg, char *err, size_t errlen);
void vmm_free(vmm_t *v);

enum vmm_stop {
    VMM_ALL_OFF, /* every guest powered off: vmm_exit_code() */
    VMM_LIMIT,   /* the instruction budget is spent */
    VMM_HUNG,    /* every guest waits for an interrupt that nothing can raise */
    VMM_HOST,    /* vmm_request_stop() */
    VMM_STORM,   /* a guest's exception storm (util/storm.h): vmm_storm() says whose */
};
/* Run until a stop: at most max_insns instructions, and at most max_insns
 * cycles of idle time skipped while every guest waits. HUNG as soon as no
 * waiting guest can ever be woken (also when the others are off). */
enum vmm_stop vmm_run(vmm_t *v, uint64_t max_insns);
/* The same with the idle time skipped bounded apart (vmm_run: both by max_insns). */
enum vmm_stop vmm_run_limits(vmm_t *v, uint64_t max_insns, uint64_t max_idle);
/* The guests still on, with their PCs ("g1 (pc 80010070)"), for messages. */
size_t vmm_waiting_guests(const vmm_t *v, char *buf, size_t len);
void vmm_request_stop(vmm_t *v);
/* After VMM_STORM: the guest, the exception (ExcCode), its PC and BadVAddr. */
bool vmm_storm(const vmm_t *v, unsigned *guest, unsigned *code, uint32_t *pc, uint32_t *badva);
const char *vmm_stop_name(enum vmm_stop s);
/* The first non-zero power-off code in guest order, else 0. */
unsigned vmm_exit_code(const vmm_t *v);

/* The policy of the run (a built-in, or vmm.policy_lib's): its name; the
 * end of the run told to a loaded one (before --stats); its counters
 * (names and values, n of each: the policy's arrays; 0 for the built-ins). */
const char *vmm_policy_name(const vmm_t *v);
void vmm_policy_end(vmm_t *v);
unsigned vmm_policy_counters(const vmm_t *v, const char *const **names, const uint64_t **values);
/* Replace the TLB policy (NULL restores the configured one). */
void vmm_set_policy(vmm_t *v, const struct vmm_policy *p);
/* Trace every trap and decision to out (NULL: off). */
void vmm_set_trace(vmm_t *v, FILE *out);
/* Trace each sensitive instruction that ran without trapping, each
 * divergence between the guest's view and the monitor's, and each patch. */
void vmm_set_gotcha_trace(vmm_t *v, FILE *out);
/* Trace each move of the resident portion (vmm.traps = resident): from,
 * to, cause, policy, bytes copied aside. Also in the vmm_set_trace trace. */
void vmm_set_reloc_trace(vmm_t *v, FILE *out);
/* Trace each guest's TPM command through the multiplexer: guest, command,
 * when it was issued, started on the physical TPM and done, what was done
 * with it, its result. */
void vmm_set_tpm_trace(vmm_t *v, FILE *out);
/* Measure host time per trap (costs two clock reads per trap). */
void vmm_set_timing(vmm_t *v, bool on);

/* Statistics, per guest. */
enum vmm_trap_kind {
    VMM_TRAP_PRIV = 0, /* privileged instruction (CpU) */
    VMM_TRAP_TLB_MISS, /* real TLB refill */
    VMM_TRAP_TLB_INVALID,
    VMM_TRAP_TLB_MOD,
    VMM_TRAP_MMIO,      /* emulated device access (a subset of the TLB traps) */
    VMM_TRAP_EXCEPTION, /* the guest's own exception (syscall, break, address error...) */
    VMM_TRAP_HYPCALL,
    VMM_TRAP_KINDS
};
enum vmm_emul_op {
    VMM_OP_MFC0 = 0,
    VMM_OP_MTC0,
    VMM_OP_TLBR,
    VMM_OP_TLBWI,
    VMM_OP_TLBWR,
    VMM_OP_TLBP,
    VMM_OP_ERET,
    VMM_OP_WAIT,
    VMM_OP_DI,
    VMM_OP_EI,
    VMM_OP_CACHE,
    VMM_OP_LOAD,
    VMM_OP_STORE,
    VMM_OPS
};
/* The gotcha and its fixes (docs/labs/virtualizability.md). */
struct vmm_gotcha_stats {
    uint64_t native; /* sensitive instructions run outside kernel mode without trapping */
    uint64_t
        divergences; /* of those, the ones after which the guest's view and the monitor's differ */
    uint64_t user_power; /* privileged instructions emulated as for the guest kernel while the
                            guest was (by its own account) in user mode */
};
struct vmm_scan_stats {
    uint64_t pages;        /* code pages scanned */
    uint64_t sites;        /* sensitive instructions patched with HYPCALL */
    uint64_t unpatched;    /* found but left (patch table full) */
    uint64_t patch_calls;  /* patched sites executed (emulated originals) */
    uint64_t ns;           /* host time scanning */
    uint64_t xi_traps;     /* first executions of unscanned pages */
    uint64_t hidden_reads; /* loads from patched pages (originals returned) */
    uint64_t code_writes;  /* stores to scanned pages (emulated, rescanned) */
    uint64_t rewrites;     /* scanned pages written so often they went back to unscanned */
};

/* The resident trap model (vmm.traps = resident; docs/vmm.md, "Trap models"). */
enum vmm_reloc_cause {
    VMM_RELOC_ACCESS = 0, /* the guest loaded, stored or fetched in the region */
    VMM_RELOC_TLB_WRITE,  /* it wrote a TLB entry over it */
    VMM_RELOC_PERIODIC,   /* vmm.relocation = periodic */
    VMM_RELOC_CAUSES
};
#define VMM_RESIDENT_REGIONS 32
struct vmm_resident_region {
    uint32_t va;
    uint64_t periods;   /* periods it stayed there (vmm.relocation = periodic) */
    uint64_t conflicts; /* times the guest touched it while the portion was there */
    uint64_t served;    /* of those, data accesses the monitor served */
};
struct vmm_resident_stats {
    uint32_t va;       /* where its resident portion is now (0: not placed yet) */
    bool served_place; /* there, the guest's accesses are served (a random place) */
    bool settled;      /* periodic: the last period there was quiet, it stays */
    uint64_t relocations[VMM_RELOC_CAUSES];
    uint64_t conflicts, served; /* over every region */
    uint64_t policy_violations; /* places the relocation policy answered that were refused */
    /* the regions it has been in, first visit order (the oldest dropped) */
    struct vmm_resident_region regions[VMM_RESIDENT_REGIONS];
    unsigned nregions;
    uint64_t fast[32]; /* traps the first portion handled itself, by ExcCode */
    uint64_t host[32]; /* traps it handed to the monitor, by ExcCode */
    /* by ExcCode, on each path: instructions of the resident code, and host
     * time from the exception to the guest's resumption (with timing) */
    uint64_t fast_insns[32], host_insns[32];
    uint64_t fast_ns[32], host_ns[32];
};

/* The guest's TPM, through the multiplexer (vmm/vtpm.c). */
struct vmm_tpm_stats {
    uint64_t commands;
    uint64_t by_cc[TPM_CC_SLOTS]; /* by command code (tpm_cc_slot) */
    uint64_t virtualized;         /* done on its own virtual PCRs and sequences */
    uint64_t passed;              /* sent to the physical TPM */
    uint64_t refused;             /* not virtualized yet, malformed, or before its Startup */
    uint64_t queue_cycles;        /* device time its commands waited for the physical TPM */
    uint64_t polls_in_progress;   /* its STS reads answered "in progress" */
    uint64_t seals, seals_refused, unseals, unseals_refused; /* TV_Seal / TV_Unseal */
};

struct vmm_guest_stats {
    char name[VMM_NAME_MAX];
    bool halted;
    unsigned exit_code;
    uint32_t ram_base, ram_size, buses;
    uint64_t traps[VMM_TRAP_KINDS];
    uint64_t emulated[VMM_OPS];
    uint64_t decisions[VMM_DECISIONS];
    uint64_t policy_violations;
    uint64_t write_faults;            /* stores to pages the policy made read-only */
    uint64_t reflected[32];           /* exceptions delivered to the guest, by ExcCode */
    uint64_t interrupts;              /* Int exceptions delivered */
    uint64_t slices;                  /* times scheduled */
    uint64_t insns;                   /* instructions run */
    uint64_t asid_flushes;            /* real TLB flushed because real ASIDs ran out */
    uint64_t trap_ns[VMM_TRAP_KINDS]; /* host time in the monitor (with vmm_set_timing) */
    uint64_t console_bytes;
    uint64_t resets;              /* power device resets */
    uint64_t reset_cleared_bytes; /* RAM zeroed at its power-ons (what it had written) */
    uint64_t pv_calls;            /* paravirtual hypercalls (codes below VMM_HC_PATCH_BASE) */
    struct vmm_gotcha_stats gotcha;
    struct vmm_scan_stats scan;
    struct vmm_resident_stats resident;
    struct vmm_tpm_stats tpm;
};
unsigned vmm_guest_count(const vmm_t *v);
void vmm_guest_stats(const vmm_t *v, unsigned guest, struct vmm_guest_stats *out);
const char *vmm_trap_kind_name(enum vmm_trap_kind k);
const char *vmm_emul_op_name(enum vmm_emul_op op);
const char *vmm_reloc_cause_name(enum vmm_reloc_cause c);
/* Host nanoseconds spent running (cpu) and inside the monitor (traps, scheduling). */
void vmm_host_time(const vmm_t *v, uint64_t *total_ns, uint64_t *monitor_ns);
/* Entries the monitor wrote into the real TLB (fills, invalidations, the
 * resident pair). */
uint64_t vmm_real_tlb_writes(const vmm_t *v);

/* ---- for front ends (the GUI): what happens, as it happens ---------------
 *
 * The observer is called from inside the run (never between two halves of a
 * trap): once per trap after the monitor handled it, once per interrupt it
 * delivered to a guest, once per sensitive instruction that ran without
 * trapping. It may read every view below and call vmm_request_stop(); it must
 * not change the machine. */
enum vmm_event_kind {
    VMM_EV_TRAP,       /* a trap the monitor handled (kind, code, decision...) */
    VMM_EV_INTERRUPT,  /* an interrupt delivered to the guest's handler */
    VMM_EV_NATIVE,     /* a sensitive instruction ran without trapping (the gotcha) */
    VMM_EV_RELOCATION, /* the guest's resident portion moved (vmm.traps = resident) */
};
struct vmm_event {
    enum vmm_event_kind kind;
    unsigned guest;
    enum vmm_trap_kind trap; /* VMM_EV_TRAP: its kind (VMM_TRAP_MMIO for device accesses) */
    unsigned code;           /* ExcCode, or CPU_TRAP_HYPCALL */
    uint32_t pc, insn, badvaddr;
    uint64_t cycle;
    int tlb_index;           /* real TLB entry this trap wrote, -1 none */
    int decision;            /* the policy's enum vmm_decision on the faulting page, -1 none */
    int reflected;           /* ExcCode delivered to the guest's own handler, -1 none */
    enum vmm_vmode believed; /* the monitor's view of the guest's mode, after */
    enum vmm_vmode actual;   /* the mode the guest's own hardware would be in, after */
    bool diverged;           /* this event made the two differ (they agreed before) */
    /* VMM_EV_RELOCATION: from, to, enum vmm_reloc_cause (pc: the guest's) */
    uint32_t reloc_from, reloc_to;
    unsigned reloc_cause;
};
typedef void (*vmm_event_fn)(void *opaque, const struct vmm_event *ev);
void vmm_set_observer(vmm_t *v, vmm_event_fn fn, void *opaque);

/* Did writing a console output fail (a guest's own file, or the board's
 * console)? True with a message naming it. Asked at the end of a run. */
bool vmm_output_error(vmm_t *v, char *err, size_t errlen);

/* Console output of the guests that print to the board's console goes to fn
 * (guest index, bytes) instead, unprefixed; NULL restores the board console. */
typedef void (*vmm_console_fn)(void *opaque, unsigned guest, const char *buf, size_t len);
void vmm_set_console_hook(vmm_t *v, vmm_console_fn fn, void *opaque);

/* A guest's vCPU as the guest sees it: registers (the real CPU's while it
 * runs), its virtual CP0, and both views of its mode. */
struct vmm_vcpu_view {
    uint32_t pc, hi, lo, gpr[32];
    uint32_t index, entrylo0, entrylo1, context, pagemask, wired, badvaddr, count, entryhi, compare,
        status, cause, epc, ebase, errorepc;
    enum vmm_vmode believed, actual;
    bool diverged, waiting, halted, running;
};
bool vmm_guest_vcpu(vmm_t *v, unsigned guest, struct vmm_vcpu_view *out);
/* Set one of a guest's vCPU registers between runs (a debugger's): GPR
 * 1..31, or one of these. False for a guest or register there is not. */
enum { VMM_REG_PC = 32, VMM_REG_HI, VMM_REG_LO };
bool vmm_guest_set_reg(vmm_t *v, unsigned guest, unsigned reg, uint32_t value);
/* The guest on the CPU (-1 before the first slice). */
int vmm_current_guest(const vmm_t *v);

/* What the monitor knows of real TLB entry index: its owner (-1 free), the
 * guest TLB entry it shadows (-1 the partition map), the policy's decision. */
struct vmm_tlb_owner {
    int guest;
    int vtlb_index;
    enum vmm_decision decision;
};
void vmm_tlb_owner(const vmm_t *v, unsigned index, struct vmm_tlb_owner *out);

/* A guest's partition map: guest-physical ranges and what backs them. */
struct vmm_region_view {
    uint32_t gpa, size, hpa;
    enum vmm_region_kind kind;
    bool writable;
};
unsigned vmm_guest_regions(const vmm_t *v, unsigned guest, struct vmm_region_view *out,
                           unsigned max);
/* Where a guest's resident portion is (vmm.traps = resident): false in the
 * direct model. va is 0 until it is placed (before the guest first runs). */
struct vmm_resident_view {
    uint32_t va;       /* its TLB pair in the guest's address space */
    uint32_t code_hpa; /* host-physical page of the code (every guest's) */
    uint32_t data_hpa; /* host-physical page of this guest's data page */
};
bool vmm_guest_resident(const vmm_t *v, unsigned guest, struct vmm_resident_view *out);
/* A guest's TPM through the multiplexer (vmm/vtpm.c): false when it has none. */
enum vmm_tpm_state { VMM_TPM_IDLE = 0, VMM_TPM_WAITING, VMM_TPM_RUNNING };
struct vmm_tpm_view {
    bool started;             /* its TPM2_Startup came */
    enum vmm_tpm_state state; /* its last command, at the current cycle */
    uint32_t cc;              /* that command's code */
    uint64_t start, done;     /* when it started on the physical TPM, and ends */
    uint8_t pcr[24][32];      /* its virtual PCRs (SHA-256) */
    uint8_t binding[32];      /* its configuration's binding (tpm_binding) */
    uint8_t compound[32];     /* what the physical PCR 21 holds: all guests' */
    unsigned queue_pos;       /* 0: not queued; 1: running; 2..: waiting */
};
bool vmm_guest_tpm(const vmm_t *v, unsigned guest, struct vmm_tpm_view *out);
/* The physical TPM under the multiplexer: the guests' commands it served
 * (its queue) and the device time it was busy. False when there is none. */
bool vmm_tpm_physical(const vmm_t *v, uint64_t *commands, uint64_t *busy_cycles);
/* The guest's virtual TLB (read it with tlb_read) and its kernel image
 * (symbols), both owned by the monitor. */
const tlb_t *vmm_guest_tlb(const vmm_t *v, unsigned guest);
const elfimg_t *vmm_guest_kernel(const vmm_t *v, unsigned guest);

struct board;
struct board *vmm_board(vmm_t *v);
const struct vmm_config *vmm_config_of(const vmm_t *v);

#endif
