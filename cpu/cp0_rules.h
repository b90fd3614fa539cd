/*
 * cpu/cp0_rules.h — the rules of the System Control Coprocessor (MIPS32 PRA,
 * chapters 6-9), written once as functions over a register set: the mode
 * Status selects, what MTC0 may change, what MFC0 reads, exception entry
 * (vector, EPC/BD, Cause, BadVAddr, Context/EntryHi, EXL), ERET, Random,
 * Count/Compare and the timer deadline, and the TLB instructions.
 *
 * Two owners call them: the CPU for its real CP0 (cpu/cp0.c) and the monitor
 * for each guest's virtual CP0 (vmm/emulate.c). Neither has rules of its
 * own; each adds only its side effects (the CPU's lookup cache and batch
 * end, the monitor's real ASID and traces), which the functions report as
 * change flags. docs/hardware.md, "CP0".
 */
#ifndef CPU_CP0_RULES_H
#define CPU_CP0_RULES_H

#include <stdbool.h>
#include <stdint.h>

#include "cpu/cp0_regs.h"
#include "tlb/tlb.h"

/* A CP0 register set (register numbers as in cp0_regs.h). */
struct cp0_state {
    uint32_t index;        /* 0 */
    uint32_t entrylo0;     /* 2 */
    uint32_t entrylo1;     /* 3 */
    uint32_t context;      /* 4 */
    uint32_t userlocal;    /* 4.2 */
    uint32_t pagemask;     /* 5 */
    uint32_t wired;        /* 6 */
    uint32_t hwrena;       /* 7 */
    uint32_t badvaddr;     /* 8 */
    uint32_t badinstr;     /* 8.1 (CPU_EXT_BADINSTR) */
    uint32_t badinstrp;    /* 8.2 (CPU_EXT_BADINSTR) */
    uint32_t count_offset; /* 9: Count = cycles + count_offset (when not frozen) */
    uint32_t count_frozen; /* Count while Cause.DC = 1 */
    uint32_t entryhi;      /* 10 */
    uint32_t compare;      /* 11 */
    uint32_t status;       /* 12 */
    uint32_t cause;        /* 13, without the hardware IP2..IP6 bits (given as lines) */
    uint32_t epc;          /* 14 */
    uint32_t prid;         /* 15 */
    uint32_t ebase;        /* 15.1 */
    uint32_t config0;      /* 16 */
    uint32_t config1, config2, config3, config4;
    uint32_t lladdr;         /* 17 */
    uint32_t errorepc;       /* 30 */
    uint32_t kscratch[2];    /* 31.2, 31.3 */
    uint64_t random_epoch;   /* cycle at which Random was last reset to N-1 */
    uint64_t timer_deadline; /* cycle at which Count reaches Compare next (UINT64_MAX: frozen) */
};

/* What the register set cannot know by itself. */
struct cp0_env {
    uint64_t now;         /* cycles */
    unsigned tlb_entries; /* of the TLB this CP0 controls */
    uint8_t lines;        /* hardware interrupt lines: bit n = Cause.IP(n), n = 2..6 */
    bool ebase_any;       /* EBase bits 31:30 writable too (CPU_EXT_MAPPED_VECTORS) */
    bool kscratch;        /* KScratch1/2 exist (CPU_EXT_KSCRATCH) */
    bool badinstr;        /* BadInstr/BadInstrP exist (CPU_EXT_BADINSTR) */
};

/* Status bits MTC0 may change; Cause bits likewise (IV, DC, IP1..IP0). */
#define CP0_STATUS_WRITABLE (ST_CU0 | ST_BEV | ST_IM_MASK | ST_KSU_MASK | ST_ERL | ST_EXL | ST_IE)
#define CP0_CAUSE_WRITABLE  (CAUSE_IV | CAUSE_DC | 0x300u)

/* Side effects a rule reports (bit flags). */
enum cp0_change {
    CP0_CHANGED_ASID = 1u << 0,   /* EntryHi.ASID */
    CP0_CHANGED_STATUS = 1u << 1, /* Status: mode, interrupt enables */
    CP0_CHANGED_ERL = 1u << 2,    /* Status.ERL: kuseg (un)mapped */
    CP0_CHANGED_TIMER = 1u << 3,  /* Count, Compare or Cause.DC: the deadline moved */
};

/* The mode Status selects: 0 kernel, 1 supervisor, 2 user (enum mmu_mode). */
static inline unsigned cp0_rule_mode(uint32_t status)
{
    if (status & (ST_EXL | ST_ERL))
        return 0;
    unsigned ksu = (status & ST_KSU_MASK) >> ST_KSU_SHIFT;
    return ksu == 0 ? 0 : ksu == 1 ? 1 : 2;
}

/* Cold reset: Status BEV|ERL, Count 0 at `now`, Random at N-1, the
 * identification registers of a CPU with this PRId, byte order and TLB. */
void cp0_rule_reset(struct cp0_state *s, uint32_t prid, bool big_endian, unsigned tlb_entries,
                    uint64_t now);

/* (The rules on every trap's path are inline here; the rest in cp0_rules.c.) */
static inline uint32_t cp0_rule_count(const struct cp0_state *s, uint64_t now)
{
    if (s->cause & CAUSE_DC)
        return s->count_frozen;
    return (uint32_t)now + s->count_offset;
}
/* The cycle at which Count reaches Compare, from now. */
void cp0_rule_timer_rearm(struct cp0_state *s, uint64_t now);
/* Count has reached Compare (now >= the deadline): Cause.TI, next deadline. */
static inline void cp0_rule_timer_update(struct cp0_state *s, uint64_t now)
{
    if (now >= s->timer_deadline) {
        s->cause |= CAUSE_TI;
        cp0_rule_timer_rearm(s, now);
    }
}
/* Cause as software reads it: lines and the timer folded into IP. */
static inline uint32_t cp0_rule_cause(const struct cp0_state *s, uint8_t lines)
{
    uint32_t cause = s->cause & ~(CAUSE_IP_MASK & ~0x300u);
    cause |= (uint32_t)(lines & 0x7Cu) << CAUSE_IP_SHIFT;
    if (cause & CAUSE_TI)
        cause |= CAUSE_IP7;
    return cause;
}
uint32_t cp0_rule_random(const struct cp0_state *s, unsigned tlb_entries, uint64_t now);
/* The bits of Index that name an entry of a TLB of n entries. */
uint32_t cp0_rule_index_mask(unsigned tlb_entries);

/* MFC0 (registers this CPU does not have read 0). */
uint32_t cp0_rule_read(const struct cp0_state *s, unsigned reg, unsigned sel,
                       const struct cp0_env *e);
/* MTC0; returns enum cp0_change flags. */
unsigned cp0_rule_write(struct cp0_state *s, unsigned reg, unsigned sel, uint32_t v,
                        const struct cp0_env *e);

/* An exception as it enters CP0. */
struct cp0_exception {
    unsigned code; /* ExcCode */
    uint32_t epc;  /* restart address (the branch when bd) */
    bool bd;
    uint32_t badvaddr; /* for address and TLB exceptions */
    bool refill;       /* a TLB miss: the refill vector (when EXL = 0) */
    unsigned ce;       /* coprocessor, for CpU */
};
/* Exception entry: EPC/BD (unless EXL), Cause.ExcCode/CE, BadVAddr and, for
 * TLB exceptions, Context.BadVPN2 and EntryHi.VPN2; EXL set. Returns the
 * vector: BEV or EBase, + 0x000 refill / 0x180 general / 0x200 IV interrupt. */
uint32_t cp0_rule_exception(struct cp0_state *s, const struct cp0_exception *x);
/* True when the exception sets BadVAddr. */
bool cp0_rule_sets_badvaddr(unsigned code);
/* ERET: clears ERL (to ErrorEPC) else EXL (to EPC); returns the target. */
uint32_t cp0_rule_eret(struct cp0_state *s);

/* TLBP, TLBR, TLBWI/TLBWR against tlb. tlbr returns change flags (the
 * ASID may change); tlbw returns the index it wrote into *regs' entry
 * (the caller writes it, with its own cache rules). */
void cp0_rule_tlbp(struct cp0_state *s, const tlb_t *tlb);
unsigned cp0_rule_tlbr(struct cp0_state *s, const tlb_t *tlb);
unsigned cp0_rule_tlbw_index(const struct cp0_state *s, const tlb_t *tlb, bool random, uint64_t now,
                             struct tlb_regs *regs);

#endif
