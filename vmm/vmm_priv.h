/* vmm/vmm_priv.h — the monitor's state, private to vmm/. */
#ifndef VMM_VMM_PRIV_H
#define VMM_VMM_PRIV_H

#include <time.h>

#include "cpu/cp0_rules.h"
#include "cpu/cpu.h"
#include "iobus/iobus.h"
#include "machine/board.h"
#include "mmu/mmu.h"
#include "tlb/tlb.h"
#include "util/bug.h"
#include "util/elfload.h"
#include "vmm/module.h"
#include "util/storm.h"
#include "vmm/vmm.h"

#define VMM_MAX_REGIONS 24

struct vmm_region {
    uint32_t gpa, size, hpa;
    enum vmm_region_kind kind;
    bool writable;
};

/* Address-space contexts that get their own real ASIDs. */
enum vmm_ctx { CTX_KERNEL = 0, CTX_KERNEL_ERL, CTX_SUPERVISOR, CTX_USER, CTX_COUNT };

struct guest {
    struct vmm *v;
    unsigned id;
    struct storm storm;           /* its exceptions and ERETs: a storm ends the run */
    struct vmm_guest_config *cfg; /* its placed configuration (in v->gcfg) */
    /* vCPU */
    uint32_t gpr[32], pc, hi, lo;
    struct cp0_state cp0; /* its virtual CP0 (the real CPU's rules: cpu/cp0_rules.h) */
    tlb_t *vtlb;
    bool waiting, halted;
    unsigned exit_code;
    /* partition */
    struct vmm_region regions[VMM_MAX_REGIONS];
    unsigned nregions;
    uint32_t rom_copy; /* host-physical address of its ROM copy */
    uint8_t *written;  /* bit per RAM page it may have written since power-on */
    elfimg_t *kernel;
    uint32_t kernel_image;                            /* guest-physical */
    uint8_t fdt[0x10000] __attribute__((aligned(8))); /* libfdt wants 8-byte alignment */
    int fdt_size;
    /* emulated devices: a private bus set in a private address space */
    phys_t *vphys;
    iobus_t *vio;
    uint8_t vlines; /* bit n: the emulated buses assert Cause.IP(n) */
    int input_fd;   /* console input, -1 none */
    FILE *output;   /* own console output file, NULL: the board's, prefixed */
    char line[256]; /* its console line not yet written (console.c) */
    size_t line_len;
    bool output_failed; /* a write to its output file failed */
    bool reset_pending;
    uint64_t busy_until; /* machine cycle its last reset's cost is paid (not runnable before) */
    bool stuck;          /* a WAIT loop that never sleeps (vmm.c, spinning) */
    uint32_t spin_lines;
    uint64_t spin_insns, spin_start;
    /* real ASIDs: [context][guest ASID] = real ASID, valid when gen matches */
    uint8_t asid[CTX_COUNT][256];
    uint32_t asid_gen[CTX_COUNT][256];
    uint64_t slice_insns_start; /* the CPU's instruction count when its slice began */
    /* the gotcha: what the guest believes after a non-trapping ERET, while it
     * differs from what the monitor believes (its virtual Status) */
    bool diverged;
    uint32_t true_status;
    struct vmm_guest_stats st;
};

/* What the monitor knows of each real TLB entry. */
struct shadow_info {
    int guest;      /* -1: free */
    int vtlb_index; /* guest TLB entry it came from, -1 partition map */
    enum vmm_decision decision;
    enum vmm_ctx ctx;
};

struct vmm {
    const struct vmm_config *cfg; /* borrowed: the caller keeps it alive */
    /* the guests' configurations with their RAM placed (vmm_config_place) */
    struct vmm_guest_config gcfg[VMM_MAX_GUESTS];
    board_t *board;
    cpu_t *cpu;
    phys_t *phys;
    iobus_t *io;
    tlb_t *tlb;
    struct guest *guests[VMM_MAX_GUESTS];
    /* host RAM for the emulated devices' buffer pages, below VMM_RESERVED */
    uint32_t pool_base, pool_pages, pool_used;
    unsigned n;
    struct guest *cur;
    uint64_t slice_end;
    uint64_t deadline; /* what the CPU was told */
    const struct vmm_policy *policy;
    /* A policy from a shared object (vmm.policy_lib): vmm/policy_lib.c. */
    void *policy_dl;
    const struct trapvisor_policy_plugin *plugin;
    void *plugin_state;
    struct vmm_policy plugin_policy;
    struct shadow_info *shadow;
    unsigned victim;
    unsigned tlb_first; /* real TLB entries below it are the trap model's (wired) */
    uint32_t asid_gen;
    unsigned asid_next;
    uint8_t cur_real_asid;
    bool running; /* inside cpu_run() for cur */
    bool host_stop;
    unsigned stormed; /* 1 + the guest whose exceptions storm, 0 none */
    FILE *trace;
    FILE *gotcha_trace;
    FILE *reloc_trace;
    FILE *tpm_trace;
    unsigned gotcha_lines;
    bool eret_native; /* the CPU runs ERET outside kernel mode: keep the real EPC */
    /* optional features (module.h), in the order they are consulted */
    struct vmm_attached {
        const struct vmm_module *m;
        void *state;
    } mods[VMM_MAX_MODULES];
    unsigned nmods;
    /* the trap model of vmm.traps = resident (module.h), NULL for direct */
    const struct vmm_trap_model *tm;
    void *tm_state;
    bool timing;
    uint64_t run_ns, monitor_ns;
    uint64_t real_tlb_writes; /* entries the monitor wrote into the real TLB */
    /* front ends (vmm.h) */
    vmm_event_fn observer;
    void *observer_opaque;
    vmm_console_fn console_hook;
    void *console_opaque;
    int console_open; /* guest whose partial line the board's console ends with, -1 none */
};

/* emulate.c: privileged instructions, device accesses, reflection. */
enum vmm_vmode guest_vmode(const struct guest *g);
void guest_reflect(struct guest *g, unsigned code, uint32_t epc, bool bd, uint32_t badva,
                   bool refill, unsigned ce);
/* Reflect code for trap t (its EPC, BD, BadVAddr, CE); the outcome says so. */
struct vmm_outcome guest_reflect_trap(struct guest *g, const struct cpu_trap *t, unsigned code);
bool guest_emulate_cop0(struct guest *g, const struct cpu_trap *t);
struct vmm_outcome guest_emulate_mmio(struct guest *g, const struct cpu_trap *t,
                                      const struct vmm_region *r, uint32_t gpa);
uint32_t guest_cause(struct guest *g);
/* A virtual CP0 register as the guest's MFC0 reads it. */
uint32_t guest_cp0_read(struct guest *g, unsigned reg, unsigned sel);
void guest_update_timer(struct guest *g, uint64_t now);
bool guest_irq_check(struct guest *g);
bool guest_wakeable(struct guest *g);
/* A waiting guest can be woken some day: a line its Status.IM lets through
 * is pending, or its timer or a device can raise one (nothing else can
 * change while it waits). */
bool guest_can_ever_wake(struct guest *g);
void guest_reset_cp0(struct guest *g);

/* shadow.c: real TLB misses (TLBL, TLBS, Mod), ASIDs. */
struct vmm_outcome shadow_handle(struct guest *g, const struct cpu_trap *t);
void shadow_set_asid(struct guest *g);
/* The real ASID of g's kernel context for its current guest ASID (given one
 * if it has none: that may flush the real TLB). */
uint8_t shadow_kernel_asid(struct guest *g);
void shadow_flush_vtlb_entry(struct guest *g, int vtlb_index);
void shadow_flush_guest(struct vmm *v, int guest);
/* Every real entry of guest whose pair covers va. */
void shadow_flush_va(struct vmm *v, int guest, uint32_t va);
const struct vmm_region *guest_region(const struct guest *g, uint32_t gpa);
void shadow_flush_hpa(struct vmm *v, uint32_t hpa_page);
/* A load or store of the running guest at t->badvaddr that the monitor
 * completes itself, through the guest's own translation onto its own memory
 * or devices (an address whose real entry the monitor keeps for itself):
 * what the guest's hardware would have done, the instruction completed. */
struct vmm_outcome shadow_serve(struct guest *g, const struct cpu_trap *t);

/* dispatch.c: the trap dispatcher (the CPU's trap handler under the monitor). */
bool vmm_on_trap(void *opaque, cpu_t *cpu, const struct cpu_trap *t);
/* Emulate a privileged instruction (a CpU trap, or a module's stand-in for
 * one, such as a HYPCALL standing for the instruction it replaced). */
struct vmm_outcome guest_privileged(struct guest *g, const struct cpu_trap *t);

/* Instructions g has run, up to now (also in the middle of its slice). */
uint64_t guest_insns_now(const struct guest *g);
/* vmm/policy_lib.c */
int vmm_policy_lib_open(struct vmm *v, const char *path, const char *args, char *err,
                        size_t errlen);
void vmm_policy_lib_close(struct vmm *v);

/* The monitor's pool below VMM_RESERVED (vmm_buffer_pages): the host-physical
 * address of `pages` pages of it, 0 when it is spent. */
uint32_t vmm_pool_alloc(struct vmm *v, uint32_t pages);

/* modules.c: lifecycle fan-out to the attached modules. */
int modules_create(struct vmm *v, uint32_t *cpu_ext, char *err, size_t errlen);
void modules_destroy(struct vmm *v);
void modules_guest_boot(struct guest *g);
void modules_guest_reset(struct guest *g);
void modules_guest_teardown(struct guest *g);
struct dev_host;
void modules_guest_dev_host(struct guest *g, struct dev_host *h);
void modules_dma_written(void *opaque, uint32_t paddr, size_t len);
void modules_guest_tlb_write(struct guest *g, unsigned index, const struct tlb_regs *e);
/* The largest real page the owners allow for a pair around va (0: any). */
uint32_t modules_va_page_limit(struct guest *g, uint32_t va);

/* gotcha.c: what the monitor cannot see, observed for the lab. */
void gotcha_on_event(void *opaque, const struct cpu_event *ev);
enum gotcha_op { GOTCHA_EXCEPTION, GOTCHA_ERET, GOTCHA_STATUS, GOTCHA_IE };
/* The monitor changed the virtual Status (op, with the new Status or IE):
 * the guest's own view changes the same way. */
void gotcha_follow(struct guest *g, enum gotcha_op op, uint32_t value);
void gotcha_note_emulation(struct guest *g, const struct cpu_trap *t);
void gotcha_sync_real_epc(struct vmm *v, struct guest *g);

/* partition.c: regions, boot, device tree. */
int guest_setup(struct guest *g, char *err, size_t errlen);
void guest_boot(struct guest *g);
void guest_teardown(struct guest *g);
/* Host memory [hpa, hpa + size) may be written by the guest (a writable
 * real entry, DMA): what its next power-on clears, if it is its RAM. */
void guest_mark_written(struct guest *g, uint32_t hpa, uint32_t size);
int guest_fdt_rewrite(const struct vmm_config *c, unsigned guest,
                      const struct vmm_guest_config *placed, const void *board_fdt, void *out,
                      size_t outlen);

/* console.c: the console multiplexer. */
void console_guest_output(void *opaque, const char *buf, size_t len);
/* Write g's partial line now (it goes idle, powers off, the monitor ends). */
void console_flush(struct guest *g);
void console_flush_idle(struct vmm *v);

/* observe.c: the front ends' observer and views. */
void observe_trap(struct guest *g, const struct cpu_trap *t, const struct vmm_outcome *o);
void observe_event(struct guest *g, enum vmm_event_kind kind, unsigned code, uint32_t pc,
                   uint32_t insn, bool diverged);
enum vmm_vmode gotcha_actual_mode(const struct guest *g);
/* The guest's resident portion moved (call only with an observer set). */
void observe_reloc(struct guest *g, uint32_t from, uint32_t to, unsigned cause);

/* Host time, for the monitor's own cost (vmm_set_timing, the scanner). */
static inline uint64_t vmm_host_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

void vmm_tracef(struct vmm *v, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void vmm_gotchaf(struct vmm *v, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A line of the relocation trace (and of the monitor's trace). */
void vmm_relocf(struct vmm *v, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
