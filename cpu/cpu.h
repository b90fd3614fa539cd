/*
 * cpu/cpu.h — the MIPS32 Release 2 CPU as a library.
 *
 * One CPU, two owners: the native board or the monitor creates it, runs it in
 * slices with cpu_run(), and decides what a stop means. The CPU knows nothing
 * of either; it reports through a stop reason and, for a trap routed to the
 * host, a trap record (struct cpu_trap).
 *
 * Ownership: the CPU borrows the physical address space (phys_t) and owns its
 * TLB. All functions take a non-NULL cpu.
 */
#ifndef CPU_CPU_H
#define CPU_CPU_H

#include <stdbool.h>
#include <stdint.h>

#include "cpu/cp0_regs.h"
#include "mmu/phys.h"
#include "tlb/tlb.h"

typedef struct cpu cpu_t;

struct cpu_config {
    unsigned tlb_pairs; /* 4..256, 0 means TLB_DEFAULT_PAIRS */
    bool little_endian; /* default big-endian */
};

/* Research extensions (docs/hardware.md, "Extensions"). All off after reset.
 * They are host controls: no guest instruction can read or change them. */
enum cpu_ext {
    CPU_EXT_PHYS_AS_VIRT = 1u << 0, /* non-kernel modes translate kseg0..3 through the TLB */
    CPU_EXT_ERET_UNPRIV = 1u << 1,  /* ERET executes in user/supervisor mode without trapping */
    CPU_EXT_MFC0_UNPRIV = 1u << 2,  /* MFC0 of Status and Cause executes outside kernel mode */
    CPU_EXT_DIEI_UNPRIV = 1u << 3,  /* DI/EI execute outside kernel mode */
    CPU_EXT_RIXI = 1u << 4,         /* TLB entries keep EntryLo RI/XI (Release 3): TLBRI/TLBXI */
    CPU_EXT_MAPPED_VECTORS =
        1u << 5,                /* EBase may be any address: vectors fetched through the TLB */
    CPU_EXT_KPAGES = 1u << 6,   /* TLB entries keep ENTRYLO_K: kernel-only pages (CPU_TRAP_KPAGE) */
    CPU_EXT_KSCRATCH = 1u << 7, /* CP0 31.2/31.3 KScratch1/2 for the owner's kernel-mode code */
    CPU_EXT_BADINSTR = 1u << 8, /* CP0 8.1/8.2 BadInstr/BadInstrP: the faulting instruction */
};
/* The sensitive-instruction switches, for configuration and messages. */
#define CPU_EXT_UNSAFE (CPU_EXT_ERET_UNPRIV | CPU_EXT_MFC0_UNPRIV | CPU_EXT_DIEI_UNPRIV)

/* Virtual time (cycles: 0.1 s) after which a WAIT loop that never sleeps — it
 * wakes at once on an interrupt it does not take, again and again, the line
 * never clearing — counts as idle: cpu_run() returns CPU_STOP_IDLE. */
#define CPU_SPIN_LIMIT 10000000ull

/* Why cpu_run() returned. */
enum cpu_stop {
    CPU_STOP_NONE = 0,
    CPU_STOP_LIMIT,    /* the instruction budget is spent */
    CPU_STOP_TRAP,     /* an exception routed to the host, or HYPCALL: see cpu_trap() */
    CPU_STOP_IDLE,     /* WAIT with no interrupt able to arrive from inside the CPU, or a WAIT
                          loop that never sleeps (CPU_SPIN_LIMIT) */
    CPU_STOP_HOST,     /* cpu_request_stop() */
    CPU_STOP_DEADLINE, /* the cycle count reached the owner's deadline (cpu_set_deadline) */
    CPU_STOP_VECTOR,   /* machine check: an exception vector (mapped vectors) cannot be
                          fetched; cpu_vector_fault() says where */
};

/* Trap kinds beyond the architectural ExcCodes 0..31 (always routed to the
 * host; without a host they are a Reserved Instruction for the guest). */
#define CPU_TRAP_HYPCALL 32
#define CPU_TRAP_KPAGE   33 /* a kernel-only page from user/supervisor mode: badvaddr, fetch */
#define CPU_TRAP_KINDS   34

/* What the host is told about a routed trap. The CPU's architectural state is
 * untouched: no CP0 register changed, and the PC is the restart address
 * (the faulting instruction, or the branch before it when in a delay slot),
 * so cpu_run() again re-executes it. */
struct cpu_trap {
    unsigned code;     /* EXC_* (0..31) or CPU_TRAP_HYPCALL */
    uint32_t pc;       /* address of the instruction that trapped */
    uint32_t insn;     /* its encoding (0 if the fetch itself failed) */
    uint32_t epc;      /* restart address, as EPC would be */
    bool bd;           /* the instruction was in a branch delay slot */
    uint32_t next_pc;  /* where execution continues if the host completes it */
    uint32_t badvaddr; /* faulting address, for address and TLB exceptions */
    bool refill;       /* TLB miss that would use the refill vector */
    bool fetch;        /* the instruction fetch itself failed (badvaddr = pc) */
    unsigned ce;       /* coprocessor number, for CpU */
    uint32_t hypcall_code;
};

/* Event callback for tracing and front ends; costs nothing when unset. */
enum cpu_event_kind {
    CPU_EV_EXCEPTION, /* architecturally delivered exception */
    CPU_EV_TLB_WRITE, /* TLBWI/TLBWR; index in a */
    CPU_EV_ERET,
    CPU_EV_SENSITIVE, /* MFC0 Status/Cause or DI/EI run outside kernel mode (unsafe switch) */
};
struct cpu_event {
    enum cpu_event_kind kind;
    unsigned code; /* ExcCode for exceptions */
    uint32_t pc;   /* instruction address */
    /* kind-specific: exception: BadVAddr, new PC; TLB write: index; ERET:
     * target, 1 if it ran outside kernel mode (the gotcha); sensitive: the
     * instruction, the value it put in rt */
    uint32_t a, b;
};
typedef void (*cpu_event_fn)(void *opaque, const struct cpu_event *ev);
/* Called before each instruction when set (makes the CPU single-step: slow). */
typedef void (*cpu_insn_fn)(void *opaque, uint32_t pc, uint32_t insn);

/*
 * Trap handler: when set, a routed trap calls it from inside cpu_run() (no
 * return to the owner's loop: a monitor handles most traps this way). It may
 * use every function of this header. Return true to go on running; false
 * makes cpu_run() return CPU_STOP_TRAP with the record intact.
 */
typedef bool (*cpu_trap_fn)(void *opaque, cpu_t *cpu, const struct cpu_trap *trap);

cpu_t *cpu_new(const struct cpu_config *cfg, phys_t *phys);
void cpu_free(cpu_t *cpu);

/* Cold reset: PC = 0xBFC00000, Status.BEV = ERL = 1, TLB invalidated, extensions off. */
void cpu_reset(cpu_t *cpu);

/* Run until a stop, at most max_insns instructions (the count may overrun by
 * one when the last one is a branch: its delay slot goes with it). */
enum cpu_stop cpu_run(cpu_t *cpu, uint64_t max_insns);
void cpu_request_stop(cpu_t *cpu);
const struct cpu_trap *cpu_trap(const cpu_t *cpu);

/* Complete a routed trap by skipping the trapping instruction (the host
 * emulated it): PC becomes trap.next_pc. */
void cpu_trap_skip(cpu_t *cpu);

/* Deliver exception `code` to the guest as the hardware would have (EPC,
 * Cause, BadVAddr, vectors) for the trap in the last record; for a host that
 * routed the trap and decides to reflect it. */
void cpu_trap_deliver(cpu_t *cpu);

/* Rebuild the trap record from what an exception the CPU delivered left in
 * CP0 (Cause, EPC, BadVAddr; BadInstr and BadInstrP with CPU_EXT_BADINSTR,
 * else the words in memory): what the owner's kernel-mode handler hands to
 * the host (the monitor's resident trap model, vmm/resident.c). The caller
 * has put the registers back as the trapping code left them (a delay slot's
 * branch is evaluated on them for next_pc). The PC becomes the restart
 * address, so cpu_trap_skip() and cpu_trap_deliver() work as after a routed
 * trap. refill: it came through the refill vector. A failed fetch is told
 * by BadVAddr being the instruction's own address (insn 0). */
const struct cpu_trap *cpu_trap_from_cp0(cpu_t *cpu, bool refill);

/* Registers. n < 32; writes to $0 are ignored. */
uint32_t cpu_gpr(const cpu_t *cpu, unsigned n);
void cpu_set_gpr(cpu_t *cpu, unsigned n, uint32_t value);
uint32_t cpu_pc(const cpu_t *cpu);
void cpu_set_pc(cpu_t *cpu, uint32_t pc);
uint32_t cpu_hi(const cpu_t *cpu);
uint32_t cpu_lo(const cpu_t *cpu);
void cpu_set_hilo(cpu_t *cpu, uint32_t hi, uint32_t lo);

/* CP0 as MFC0/MTC0 would see it (host side: no privilege check, same side effects). */
uint32_t cpu_cp0_read(cpu_t *cpu, unsigned reg, unsigned sel);
void cpu_cp0_write(cpu_t *cpu, unsigned reg, unsigned sel, uint32_t value);

/* Hardware interrupt lines 2..6 (Cause.IP2..IP6); the CP0 timer owns IP7. */
void cpu_set_irq(cpu_t *cpu, unsigned line, bool level);

/* Host controls: route exception codes (bit n = ExcCode n) to the host, extensions. */
void cpu_set_trap_routing(cpu_t *cpu, uint32_t exc_mask);
void cpu_set_ext(cpu_t *cpu, uint32_t ext_mask);
uint32_t cpu_ext(const cpu_t *cpu);

void cpu_set_trap_handler(cpu_t *cpu, cpu_trap_fn fn, void *opaque);

/* Host write of TLB entry index (a monitor's shadow entries): like TLBWI
 * without touching CP0; the host lookup cache forgets the affected pages. */
void cpu_tlb_write(cpu_t *cpu, unsigned index, const struct tlb_regs *regs);

/* The LL/SC reservation (a host that emulated an LL sets it). */
void cpu_set_llbit(cpu_t *cpu, bool on);

/* Let n idle cycles pass (the owner found nothing to run until an event). */
void cpu_skip_cycles(cpu_t *cpu, uint64_t n);

/* Event listeners (the board's statistics and traces, a monitor, a front
 * end): each is called, in the order added, for every event. -1 when
 * CPU_MAX_LISTENERS are there already. */
#define CPU_MAX_LISTENERS 4
int cpu_add_event_hook(cpu_t *cpu, cpu_event_fn fn, void *opaque);
void cpu_remove_event_hook(cpu_t *cpu, cpu_event_fn fn, void *opaque);
void cpu_set_insn_hook(cpu_t *cpu, cpu_insn_fn fn, void *opaque);
/* From inside the instruction hook: the instruction it was called for is not
 * executed (nor counted) and cpu_run() returns CPU_STOP_HOST with the PC on
 * it — a debugger's breakpoint. Ignored for a branch delay slot instruction
 * (it runs with its branch: break on the branch). */
void cpu_stop_before(cpu_t *cpu);

/* Statistics since reset. */
struct cpu_stats {
    uint64_t insns;          /* instructions executed (a faulting one counts) */
    uint64_t cycles;         /* insns + idle cycles skipped while in WAIT */
    uint64_t exceptions[32]; /* architecturally delivered, by ExcCode */
    uint64_t routed;         /* traps handed to the host */
    uint64_t tlb_refills;    /* refill-vector TLB exceptions */
    uint64_t tlb_writes;
};
void cpu_get_stats(const cpu_t *cpu, struct cpu_stats *out);

/*
 * Device time. The owner (board or monitor) ticks its devices between runs;
 * cpu_set_deadline() tells the CPU the cycle of the next device event, so a
 * batch ends there and WAIT skips idle time only up to it. cycle UINT64_MAX
 * (the reset value) means none. One cycle per instruction, plus idle cycles.
 */
void cpu_set_deadline(cpu_t *cpu, uint64_t cycle);
uint64_t cpu_cycles(const cpu_t *cpu);
uint64_t cpu_insns(const cpu_t *cpu); /* instructions so far (cpu_stats.insns, cheaply) */
bool cpu_waiting(const cpu_t *cpu);   /* stopped inside WAIT */

/* Current mode: 0 kernel, 1 supervisor, 2 user (enum mmu_mode). */
unsigned cpu_mode(const cpu_t *cpu);
tlb_t *cpu_tlb(cpu_t *cpu);

/* Virtual memory access as the CPU in its current mode would make it, for
 * debuggers and tests: no exception is raised, false on any fault. */
bool cpu_debug_read(cpu_t *cpu, uint32_t vaddr, unsigned size, uint32_t *value);

/* After CPU_STOP_VECTOR: the vector address whose fetch could not translate. */
uint32_t cpu_vector_fault(const cpu_t *cpu);

/* Names for messages and JSON. */
const char *cpu_exc_name(unsigned code);
const char *cpu_stop_name(enum cpu_stop stop);

#endif
