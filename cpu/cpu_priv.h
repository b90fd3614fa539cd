/*
 * cpu/cpu_priv.h — CPU state, private to cpu/. Other modules use cpu/cpu.h.
 */
#ifndef CPU_CPU_PRIV_H
#define CPU_CPU_PRIV_H

#include "cpu/cp0_rules.h"
#include "cpu/cpu.h"
#include "mmu/mmu.h"

#define likely(x)   __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)

/*
 * Host lookup cache: direct-mapped, one per access kind and per mode, keyed
 * by the virtual page and the ASID (tag = page | ASID << 4, so an ASID
 * switch needs no flush: a monitor switches ASIDs on every guest trap). A hit means "this 4 KiB
 * page is RAM (or ROM for loads/fetches) at host address vaddr + addend". It holds only what a full
 * translation would say; it is flushed when that could change (TLB writes,
 * ASID change, ERL or extension change) — see hcache_* in cp0.c.
 */
#define HCACHE_BITS    8
#define HCACHE_SIZE    (1u << HCACHE_BITS)
#define HCACHE_INVALID 0xFFFFFFFFu /* bits 2..3 set: no access ever matches */

struct hcache_entry {
    uint32_t tag; /* vaddr & 0xFFFFF000 | ASID << 4, or HCACHE_INVALID */
    uintptr_t addend;
};

enum hcache_kind { HC_LOAD = 0, HC_STORE = 1, HC_FETCH = 2, HC_KINDS = 3 };

struct cpu {
    /* Hot state first. */
    uint32_t gpr[32];
    uint32_t pc; /* address of the instruction being executed */
    uint32_t hi, lo;
    bool big_endian;
    bool in_delay;       /* executing the delay slot of the branch at pc - 4 */
    uint32_t delay_next; /* where the branch goes after its delay slot */
    bool llbit;
    bool waiting;       /* in WAIT */
    int64_t batch_left; /* instructions left in the current batch */
    int64_t batch_len;
    struct hcache_entry *hc_load, *hc_store, *hc_fetch; /* current mode's */
    uint32_t asid_tag; /* EntryHi.ASID << 4: part of every cache tag */

    enum mmu_mode mode;
    struct cp0_state cp0; /* the rules: cp0_rules.h */
    uint8_t irq_lines;    /* hardware lines: bit n = Cause.IP(n) for n = 2..6 */
    uint32_t ext;
    uint32_t route_mask;
    tlb_t *tlb;
    phys_t *phys;
    uint64_t tlb_gen; /* tlb_generation() the host cache agrees with */

    enum cpu_stop stop;
    bool stop_requested;
    struct cpu_trap trap;
    uint32_t vector_fault; /* CPU_STOP_VECTOR: the vector that could not be fetched */

    uint64_t insns; /* completed batches; see cpu_now() */
    /* a WAIT loop that never sleeps (cpu.c, cpu_spinning) */
    uint32_t spin_lines;
    uint64_t spin_insns, spin_start;
    uint64_t idle_cycles;
    uint64_t ext_deadline; /* owner's next device event (cpu_set_deadline) */
    struct cpu_stats stats;

    struct cpu_listener {
        cpu_event_fn fn;
        void *opaque;
    } listeners[CPU_MAX_LISTENERS]; /* the event hook's, in the order added */
    unsigned nlisteners;
    cpu_trap_fn trap_fn;
    void *trap_opaque;
    cpu_insn_fn insn_fn;
    bool hold_insn; /* cpu_stop_before() from the hook: leave the instruction unexecuted */
    void *insn_opaque;

    struct hcache_entry hcache[3][HC_KINDS][HCACHE_SIZE]; /* [mode][kind] */
};

/* Instructions executed so far, including the current batch. */
static inline uint64_t cpu_insns_now(const struct cpu *c)
{
    return c->insns + (uint64_t)(c->batch_len - c->batch_left);
}
static inline uint64_t cpu_cycles_now(const struct cpu *c)
{
    return cpu_insns_now(c) + c->idle_cycles;
}

/* The translation context of the CPU's current mode and address space. */
static inline struct mmu_ctx mmu_ctx_of(const struct cpu *c)
{
    struct mmu_ctx ctx = {
        .tlb = c->tlb,
        .mode = c->mode,
        .asid = (uint8_t)(c->cp0.entryhi & ENTRYHI_ASID_MASK),
        .erl = (c->cp0.status & ST_ERL) != 0,
        .phys_as_virt = (c->ext & CPU_EXT_PHYS_AS_VIRT) != 0,
    };
    return ctx;
}

/* Tell every event listener (callers check c->nlisteners first: free when none). */
static inline void cpu_emit(const struct cpu *c, const struct cpu_event *ev)
{
    for (unsigned i = 0; i < c->nlisteners; i++)
        c->listeners[i].fn(c->listeners[i].opaque, ev);
}

/* End the current batch after this instruction (interrupt state may have changed). */
static inline void cpu_end_batch(struct cpu *c)
{
    c->batch_len -= c->batch_left;
    c->batch_left = 0;
}

/* cp0.c */
#define EXCF_BADVA  1u /* set BadVAddr */
#define EXCF_TLB    2u /* set Context.BadVPN2 and EntryHi.VPN2 */
#define EXCF_REFILL 4u /* use the refill vector (if EXL = 0) */
#define EXCF_FETCH  8u /* the instruction fetch itself failed */
void cpu_raise(struct cpu *c, unsigned code, uint32_t badva, unsigned flags, unsigned ce);
void cpu_raise_mmu(struct cpu *c, enum mmu_result r, uint32_t vaddr, enum mmu_access access);
void cpu_update_mode(struct cpu *c);
void hcache_flush_all(struct cpu *c);
void hcache_flush_range(struct cpu *c, uint32_t vaddr, uint32_t len);
uint32_t cp0_read(struct cpu *c, unsigned reg, unsigned sel);
void cp0_write(struct cpu *c, unsigned reg, unsigned sel, uint32_t v);
void cp0_update_timer(struct cpu *c);
uint32_t cp0_count(const struct cpu *c);
uint32_t cp0_cause(const struct cpu *c);
bool cpu_irq_pending(const struct cpu *c);
void cpu_tlbp(struct cpu *c);
void cpu_tlbr(struct cpu *c);
void cpu_tlbw(struct cpu *c, bool random);
void tlb_write_flush(struct cpu *c, unsigned i, const struct tlb_regs *r);
void cpu_eret(struct cpu *c);

/* cpu_exec.c */
void cpu_exec_batch(struct cpu *c);
/* Where the branch insn at pc goes after its delay slot, evaluated on the
 * current registers (a link it made is already written: MIPS32 makes a
 * branch that tests its own link register UNPREDICTABLE). */
uint32_t cpu_branch_dest(const struct cpu *c, uint32_t pc, uint32_t insn);

#endif
