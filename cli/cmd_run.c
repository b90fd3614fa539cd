/*
 * cli/cmd_run.c — `trapvisor run --native`: boot the board, show its console,
 * exit with the guest's power-off code; --stats writes the counters as JSON.
 */
#include <cjson/cJSON.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli/board_args.h"
#include "cli/cli.h"
#include "machine/board.h"
#include "util/fileio.h"
#include "util/parse.h"
#include "util/storm.h"
#include "cli/gdbstub.h"
#include "cli/run_record.h"
#include "vmm/reloc_policy.h"
#include "vmm/vmm.h"

/* Exit codes of runs that did not end in a power-off (documented in README). */
#define EXIT_BAD_INPUT     2
#define EXIT_LIMIT         124
#define EXIT_HUNG          125
#define EXIT_OUTPUT        74  /* an output could not be written (EX_IOERR) */
#define EXIT_MACHINE_CHECK 123 /* an exception vector could not be fetched */
#define EXIT_STORM         122 /* an exception storm (util/storm.h) */
#define EXIT_SIGNAL        128 /* + the signal: SIGINT or SIGTERM ended the run */
/* The budget when --max-insns is not given (0 there: none). */
#define DEFAULT_MAX_INSNS 10000000000ull

enum { OPT_NATIVE = 1, OPT_VMM, OPT_MAX, OPT_STATS, OPT_TRACE, OPT_HELP, OPT_GDB };

static void run_usage(FILE *f)
{
    fprintf(
        f,
        "usage: trapvisor run --native|--vmm [options]\n"
        "  --native            boot the board directly (no monitor; the default)\n"
        "  --vmm               boot the monitor with partitioned guests ([vmm] and\n"
        "                      [guestN] of --config; default: two guests, docs/vmm.md)\n"
        "  --max-insns N       stop after N instructions (exit 124; default 1e10, 0: none)\n"
        "  --gdb PORT          wait for gdb on 127.0.0.1:PORT; it runs the machine (docs/gdb.md)\n"
        "  --stats FILE.json   write counters as JSON at the end (with --vmm: a\n"
        "                      \"guests\" array, and the monitor times its traps)\n"
        "  --trace LIST        exceptions,tlb,io,insns,gotcha,tpm (and vmm, reloc with --vmm)\n"
        "                      to stderr; gotcha: sensitive instructions that ran without\n"
        "                      trapping and, under --vmm, each divergence and patch;\n"
        "                      reloc: each move of the monitor's resident portion\n");
    board_args_usage(f);
    fprintf(f, "exit status: the guest's power-off code (--vmm: the first non-zero one of the "
               "guests); 124 budget spent; 125 the machine hung (waits with no interrupt "
               "source); 2 bad input\n");
}

static void add_u64(cJSON *o, const char *name, uint64_t v)
{
    cJSON_AddNumberToObject(o, name, (double)v);
}

/* The board's counters (both modes). */
/* SIGINT and SIGTERM end a run cleanly: the machine stops at its next
 * check, the console is flushed, --stats is written ("stop":
 * "interrupted"), the exit status is 128 + the signal. */
static volatile sig_atomic_t interrupted;
static struct run_record record; /* the command line and budget, for --stats */
static board_t *sig_board;
static vmm_t *sig_vmm;

static void on_signal(int signo)
{
    interrupted = signo;
    if (sig_vmm)
        vmm_request_stop(sig_vmm);
    else if (sig_board)
        board_request_stop(sig_board);
}

static void catch_signals(board_t *b, vmm_t *v)
{
    sig_board = b, sig_vmm = v;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = b || v ? on_signal : SIG_DFL;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

static int interrupted_status(void)
{
    fprintf(stderr, "trapvisor run: interrupted (%s): the run ends here\n",
            interrupted == SIGINT ? "SIGINT" : "SIGTERM");
    return EXIT_SIGNAL + interrupted;
}

/* Console and trace in the order they happened when both go to one file or
 * pipe: then the console is not buffered. */
static void order_outputs(void)
{
    struct stat o, e;
    if (fstat(STDOUT_FILENO, &o) == 0 && fstat(STDERR_FILENO, &e) == 0 && o.st_dev == e.st_dev &&
        o.st_ino == e.st_ino)
        setvbuf(stdout, NULL, _IONBF, 0);
}

/* TPM commands by code (tpm_cc_slot), named where the code is a common one. */
static void add_by_cc(cJSON *by, const uint64_t *by_cc)
{
    for (unsigned slot = 0; slot < TPM_CC_SLOTS; slot++)
        if (by_cc[slot]) {
            char hex[16];
            const char *name = tpm_cc_name(tpm_slot_cc(slot));
            snprintf(hex, sizeof hex, "0x%x", tpm_slot_cc(slot));
            cJSON_AddNumberToObject(by, name ? name : hex, (double)by_cc[slot]);
        }
}

static void board_json(cJSON *o, board_t *b, double host_s)
{
    struct board_stats st;
    board_get_stats(b, &st);
    cJSON_AddNumberToObject(o, "instructions", (double)st.cpu.insns);
    cJSON_AddNumberToObject(o, "cycles", (double)st.cpu.cycles);
    cJSON_AddNumberToObject(o, "host_seconds", host_s);
    cJSON_AddNumberToObject(o, "guest_mips", host_s > 0 ? (double)st.cpu.insns / host_s / 1e6 : 0);
    cJSON *exc = cJSON_AddObjectToObject(o, "exceptions");
    uint64_t total = 0;
    for (unsigned c = 0; c < 32; c++)
        if (st.cpu.exceptions[c]) {
            cJSON_AddNumberToObject(exc, cpu_exc_name(c), (double)st.cpu.exceptions[c]);
            total += st.cpu.exceptions[c];
        }
    cJSON_AddNumberToObject(o, "exceptions_total", (double)total);
    cJSON *tlb = cJSON_AddObjectToObject(o, "tlb");
    cJSON_AddNumberToObject(tlb, "refills", (double)st.cpu.tlb_refills);
    cJSON_AddNumberToObject(tlb, "writes", (double)st.cpu.tlb_writes);
    cJSON *irq = cJSON_AddObjectToObject(o, "interrupts");
    cJSON_AddNumberToObject(irq, "total", (double)st.cpu.exceptions[EXC_INT]);
    for (unsigned l = 2; l < 8; l++) {
        char name[8];
        snprintf(name, sizeof name, "IP%u", l);
        cJSON_AddNumberToObject(irq, name, (double)st.interrupts_by_line[l]);
    }
    cJSON *io = cJSON_AddObjectToObject(o, "io");
    cJSON_AddNumberToObject(io, "mmio_reads", (double)st.io.mmio_reads);
    cJSON_AddNumberToObject(io, "mmio_writes", (double)st.io.mmio_writes);
    cJSON_AddNumberToObject(io, "empty_slot_accesses", (double)st.io.empty_slot_accesses);
    cJSON_AddNumberToObject(io, "dma_bytes", (double)st.io.dma_bytes);
    cJSON_AddNumberToObject(io, "dma_refused", (double)st.io.dma_refused);
    cJSON_AddNumberToObject(io, "console_bytes", (double)st.console_bytes);
    if (st.has_disk) {
        cJSON *d = cJSON_AddObjectToObject(io, "disk");
        cJSON_AddNumberToObject(d, "reads", (double)st.disk.reads);
        cJSON_AddNumberToObject(d, "writes", (double)st.disk.writes);
        cJSON_AddNumberToObject(d, "flushes", (double)st.disk.flushes);
        cJSON_AddNumberToObject(d, "bytes_read", (double)st.disk.bytes_read);
        cJSON_AddNumberToObject(d, "bytes_written", (double)st.disk.bytes_written);
        cJSON_AddNumberToObject(d, "errors", (double)st.disk.errors);
    }
    if (st.has_tpm) {
        cJSON *t = cJSON_AddObjectToObject(io, "tpm");
        cJSON_AddNumberToObject(t, "commands", (double)st.tpm.commands);
        cJSON *by = cJSON_AddObjectToObject(t, "by_command");
        add_by_cc(by, st.tpm.by_cc);
        cJSON_AddNumberToObject(t, "busy_cycles", (double)st.tpm.busy_cycles);
        cJSON_AddNumberToObject(t, "polls_in_progress", (double)st.tpm.polls_in_progress);
        cJSON_AddNumberToObject(t, "aborts", (double)st.tpm.aborts);
        cJSON_AddNumberToObject(t, "failures", (double)st.tpm.failures);
    }
}

static cJSON *native_json(board_t *b, enum board_stop stop, double host_s)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "mode", "native");
    cJSON_AddStringToObject(o, "stop", interrupted ? "interrupted" : board_stop_name(stop));
    char unsafe[64];
    cJSON_AddStringToObject(o, "unsafe",
                            config_unsafe_name(board_config_of(b)->unsafe, unsafe, sizeof unsafe));
    if (stop == BOARD_POWEROFF)
        cJSON_AddNumberToObject(o, "exit_code", board_exit_code(b));
    record.board = board_config_of(b);
    record.vmm = NULL;
    record.nkernels = 1;
    record.kernels[0] = board_kernel(b);
    record.kernel_of[0] = "board";
    run_record_json(o, &record);
    board_json(o, b, host_s);
    return o;
}

/* Under the monitor the real CPU delivers (almost) nothing itself: every
 * exception and TLB miss is a trap to the monitor. Its own counters go
 * under real_cpu, beside the traps it took and the TLB entries the monitor
 * wrote. */
static void real_cpu_json(cJSON *o, vmm_t *v)
{
    cJSON *r = cJSON_AddObjectToObject(o, "real_cpu");
    static const char *const own[] = {"exceptions", "exceptions_total", "tlb", "interrupts"};
    for (unsigned i = 0; i < sizeof own / sizeof *own; i++) {
        cJSON *item = cJSON_DetachItemFromObject(o, own[i]);
        if (item)
            cJSON_AddItemToObject(r, own[i], item);
    }
    cJSON *t = cJSON_AddObjectToObject(r, "traps_to_monitor");
    uint64_t by[VMM_TRAP_KINDS] = {0}, total = 0, irq = 0;
    for (unsigned g = 0; g < vmm_guest_count(v); g++) {
        static struct vmm_guest_stats st;
        vmm_guest_stats(v, g, &st);
        for (unsigned k = 0; k < VMM_TRAP_KINDS; k++) /* mmio: inside the TLB kinds */
            by[k] += st.traps[k], total += k != VMM_TRAP_MMIO ? st.traps[k] : 0;
        irq += st.interrupts;
    }
    for (unsigned k = 0; k < VMM_TRAP_KINDS; k++)
        add_u64(t, vmm_trap_kind_name((enum vmm_trap_kind)k), by[k]);
    add_u64(t, "total", total);
    add_u64(r, "tlb_writes_by_monitor", vmm_real_tlb_writes(v));
    add_u64(r, "interrupts_to_guests", irq);
}

/* One path of the resident trap model: its traps by cause, their cost
 * (totals, and by cause). */
static void resident_path_json(cJSON *o, const char *name, const uint64_t *by_code,
                               const uint64_t *insns, const uint64_t *ns)
{
    cJSON *p = cJSON_AddObjectToObject(o, name);
    cJSON *t = cJSON_AddObjectToObject(p, "traps");
    cJSON *ti = cJSON_CreateObject(), *tn = cJSON_CreateObject();
    uint64_t total = 0, ti_sum = 0, tn_sum = 0;
    for (unsigned c = 0; c < 32; c++)
        if (by_code[c]) {
            add_u64(t, cpu_exc_name(c), by_code[c]);
            add_u64(ti, cpu_exc_name(c), insns[c]);
            add_u64(tn, cpu_exc_name(c), ns[c]);
            total += by_code[c];
            ti_sum += insns[c];
            tn_sum += ns[c];
        }
    add_u64(t, "total", total);
    add_u64(p, "instructions", ti_sum);
    add_u64(p, "host_ns", tn_sum);
    cJSON_AddItemToObject(p, "instructions_by_cause", ti);
    cJSON_AddItemToObject(p, "host_ns_by_cause", tn);
}

/* vmm.traps = resident (the portion was placed): where it is, its moves, both paths. */
static void resident_json(cJSON *o, const struct vmm_resident_stats *r)
{
    cJSON *j = cJSON_AddObjectToObject(o, "resident");
    add_u64(j, "address", r->va);
    cJSON *rel = cJSON_AddObjectToObject(j, "relocations");
    uint64_t total = 0;
    for (unsigned c = 0; c < VMM_RELOC_CAUSES; c++) {
        add_u64(rel, vmm_reloc_cause_name(c), r->relocations[c]);
        total += r->relocations[c];
    }
    add_u64(rel, "total", total);
    cJSON_AddBoolToObject(j, "served_place", r->served_place);
    cJSON_AddBoolToObject(j, "settled", r->settled);
    add_u64(j, "conflicts", r->conflicts);
    add_u64(j, "served", r->served);
    add_u64(j, "policy_violations", r->policy_violations);
    cJSON *regions = cJSON_AddArrayToObject(j, "regions");
    for (unsigned i = 0; i < r->nregions; i++) {
        cJSON *e = cJSON_CreateObject();
        add_u64(e, "address", r->regions[i].va);
        add_u64(e, "periods", r->regions[i].periods);
        add_u64(e, "conflicts", r->regions[i].conflicts);
        add_u64(e, "served", r->regions[i].served);
        cJSON_AddItemToArray(regions, e);
    }
    resident_path_json(j, "first_portion", r->fast, r->fast_insns, r->fast_ns);
    resident_path_json(j, "second_portion", r->host, r->host_insns, r->host_ns);
}

cJSON *stats_guest_json(const struct vmm_guest_stats *g, uint64_t run_ns)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "name", g->name);
    cJSON_AddBoolToObject(o, "powered_off", g->halted);
    if (g->halted)
        add_u64(o, "exit_code", g->exit_code);
    add_u64(o, "ram_base", g->ram_base);
    add_u64(o, "ram_size", g->ram_size);
    cJSON *buses = cJSON_AddArrayToObject(o, "buses");
    for (unsigned b = 0; b < 32; b++)
        if (g->buses & (1u << b))
            cJSON_AddItemToArray(buses, cJSON_CreateNumber(b));
    add_u64(o, "instructions", g->insns);
    add_u64(o, "console_bytes", g->console_bytes);
    add_u64(o, "resets", g->resets);
    add_u64(o, "reset_cleared_bytes", g->reset_cleared_bytes);
    cJSON *traps = cJSON_AddObjectToObject(o, "traps");
    uint64_t total = 0, ns = 0;
    for (unsigned k = 0; k < VMM_TRAP_KINDS; k++) {
        add_u64(traps, vmm_trap_kind_name(k), g->traps[k]);
        if (k != VMM_TRAP_MMIO) /* device accesses are counted inside the TLB kinds */
            total += g->traps[k];
        ns += g->trap_ns[k];
    }
    add_u64(traps, "total", total);
    cJSON *em = cJSON_AddObjectToObject(o, "emulated");
    for (unsigned k = 0; k < VMM_OPS; k++)
        add_u64(em, vmm_emul_op_name(k), g->emulated[k]);
    cJSON *d = cJSON_AddObjectToObject(o, "tlb_decisions");
    add_u64(d, "accepted", g->decisions[VMM_ACCEPT]);
    add_u64(d, "modified", g->decisions[VMM_MODIFY]);
    add_u64(d, "rejected", g->decisions[VMM_REJECT]);
    add_u64(d, "policy_violations", g->policy_violations);
    add_u64(d, "write_faults", g->write_faults);
    add_u64(d, "asid_flushes", g->asid_flushes);
    cJSON *r = cJSON_AddObjectToObject(o, "reflected");
    uint64_t rt = 0;
    for (unsigned c = 0; c < 32; c++)
        if (g->reflected[c]) {
            add_u64(r, cpu_exc_name(c), g->reflected[c]);
            rt += g->reflected[c];
        }
    add_u64(r, "total", rt);
    add_u64(o, "interrupts_delivered", g->interrupts);
    add_u64(o, "pv_calls", g->pv_calls);
    cJSON *gt = cJSON_AddObjectToObject(o, "gotcha");
    add_u64(gt, "native_sensitive", g->gotcha.native);
    add_u64(gt, "divergences", g->gotcha.divergences);
    add_u64(gt, "user_power", g->gotcha.user_power);
    cJSON *sc = cJSON_AddObjectToObject(o, "scan");
    add_u64(sc, "pages_scanned", g->scan.pages);
    add_u64(sc, "patched_sites", g->scan.sites);
    add_u64(sc, "unpatched_sites", g->scan.unpatched);
    add_u64(sc, "hypercalls", g->traps[VMM_TRAP_HYPCALL]);
    add_u64(sc, "patch_calls", g->scan.patch_calls);
    add_u64(sc, "scanner_ns", g->scan.ns);
    add_u64(sc, "first_executions", g->scan.xi_traps);
    add_u64(sc, "hidden_reads", g->scan.hidden_reads);
    add_u64(sc, "code_writes", g->scan.code_writes);
    add_u64(sc, "rewrites", g->scan.rewrites);
    if (g->resident.va)
        resident_json(o, &g->resident);
    if (g->tpm.commands) {
        cJSON *t = cJSON_AddObjectToObject(o, "tpm");
        add_u64(t, "commands", g->tpm.commands);
        add_u64(t, "virtualized", g->tpm.virtualized);
        add_u64(t, "passed", g->tpm.passed);
        add_u64(t, "refused", g->tpm.refused);
        add_u64(t, "queue_cycles", g->tpm.queue_cycles);
        add_u64(t, "polls_in_progress", g->tpm.polls_in_progress);
        add_u64(t, "seals", g->tpm.seals);
        add_u64(t, "seals_refused", g->tpm.seals_refused);
        add_u64(t, "unseals", g->tpm.unseals);
        add_u64(t, "unseals_refused", g->tpm.unseals_refused);
        add_by_cc(cJSON_AddObjectToObject(t, "by_command"), g->tpm.by_cc);
    }
    add_u64(o, "time_slices", g->slices);
    cJSON *ns_o = cJSON_AddObjectToObject(o, "trap_host_ns");
    for (unsigned k = 0; k < VMM_TRAP_KINDS; k++)
        add_u64(ns_o, vmm_trap_kind_name(k), g->trap_ns[k]);
    add_u64(ns_o, "total", ns);
    cJSON_AddNumberToObject(o, "monitor_share", run_ns ? (double)ns / (double)run_ns : 0);
    return o;
}

static cJSON *vmm_json(vmm_t *v, enum vmm_stop stop, double host_s)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "mode", "vmm");
    cJSON_AddStringToObject(o, "stop", interrupted ? "interrupted" : vmm_stop_name(stop));
    if (stop == VMM_ALL_OFF)
        cJSON_AddNumberToObject(o, "exit_code", vmm_exit_code(v));
    const struct vmm_config *vc = vmm_config_of(v);
    record.board = &vc->board;
    record.vmm = vc;
    record.nkernels = vmm_guest_count(v);
    for (unsigned g = 0; g < record.nkernels; g++) {
        record.kernels[g] = vmm_guest_kernel(v, g);
        record.kernel_of[g] = vc->guests[g].name;
    }
    run_record_json(o, &record);
    board_json(o, vmm_board(v), host_s);
    real_cpu_json(o, v);
    uint64_t tpm_commands, tpm_busy;
    if (vmm_tpm_physical(v, &tpm_commands, &tpm_busy)) { /* the multiplexer's physical TPM */
        cJSON *t = cJSON_AddObjectToObject(o, "tpm");
        add_u64(t, "commands", tpm_commands);
        add_u64(t, "busy_cycles", tpm_busy);
    }
    char unsafe[64];
    const struct vmm_config *cfg = vmm_config_of(v);
    cJSON_AddStringToObject(o, "unsafe",
                            config_unsafe_name(cfg->board.unsafe, unsafe, sizeof unsafe));
    cJSON_AddStringToObject(o, "fix", cfg->fix == VMM_FIX_SCAN ? "scan" : "none");
    cJSON_AddStringToObject(o, "real_epc", cfg->real_epc == VMM_EPC_RESUME ? "resume" : "guest");
    cJSON_AddStringToObject(o, "traps", cfg->traps == VMM_TRAPS_RESIDENT ? "resident" : "direct");
    if (cfg->traps == VMM_TRAPS_RESIDENT) {
        cJSON_AddStringToObject(o, "relocation", vmm_relocation_name(cfg->relocation));
        add_u64(o, "seed", cfg->seed);
    }
    cJSON *pol = cJSON_AddObjectToObject(o, "policy");
    cJSON_AddStringToObject(pol, "name", vmm_policy_name(v));
    cJSON_AddStringToObject(pol, "from", vc->policy_lib[0] ? vc->policy_lib : "built in");
    const char *const *names;
    const uint64_t *values;
    unsigned nc = vmm_policy_counters(v, &names, &values);
    cJSON *counters = cJSON_AddObjectToObject(pol, "counters");
    for (unsigned i = 0; i < nc && i < 64; i++)
        add_u64(counters, names[i], values[i]);
    uint64_t total_ns, monitor_ns;
    vmm_host_time(v, &total_ns, &monitor_ns);
    cJSON *m = cJSON_AddObjectToObject(o, "monitor");
    add_u64(m, "host_ns", total_ns);
    add_u64(m, "monitor_ns", monitor_ns);
    cJSON_AddNumberToObject(m, "monitor_share",
                            total_ns ? (double)monitor_ns / (double)total_ns : 0);
    cJSON *arr = cJSON_AddArrayToObject(o, "guests");
    for (unsigned i = 0; i < vmm_guest_count(v); i++) {
        struct vmm_guest_stats g;
        vmm_guest_stats(v, i, &g);
        cJSON_AddItemToArray(arr, stats_guest_json(&g, total_ns));
    }
    return o;
}

static int write_stats(const char *path, cJSON *o)
{
    char *text = cJSON_Print(o);
    FILE *f = text ? fopen(path, "w") : NULL;
    int rc = -1;
    if (f) {
        rc = fputs(text, f) >= 0 && fputc('\n', f) != EOF ? 0 : -1;
        if (fclose(f) != 0)
            rc = -1;
    }
    free(text);
    return rc;
}

/* "exceptions,tlb,vmm,gotcha,reloc": the board's categories and the
 * monitor's (gotcha is both: natively the board reports it, under --vmm the
 * monitor). */
#define VTRACE_MONITOR 1u
#define VTRACE_GOTCHA  2u
#define VTRACE_RELOC   4u
#define VTRACE_TPM     8u
static bool parse_trace(const char *list, unsigned *board_mask, unsigned *vmm)
{
    char buf[256], rest[256] = "";
    if (strlen(list) >= sizeof buf)
        return false;
    strcpy(buf, list);
    for (char *save = NULL, *tok = strtok_r(buf, ",", &save); tok;
         tok = strtok_r(NULL, ",", &save)) {
        if (strcmp(tok, "vmm") == 0 || strcmp(tok, "reloc") == 0) {
            *vmm |= tok[0] == 'v' ? VTRACE_MONITOR : VTRACE_RELOC;
            continue;
        }
        if (strcmp(tok, "gotcha") == 0)
            *vmm |= VTRACE_GOTCHA;
        if (strcmp(tok, "tpm") == 0) /* the device's, and under --vmm the multiplexer's */
            *vmm |= VTRACE_TPM;
        if (rest[0])
            strcat(rest, ",");
        strcat(rest, tok);
    }
    *board_mask = 0;
    return !rest[0] || board_trace_parse(rest, board_mask);
}

static double seconds_since(const struct timespec *t0)
{
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

/* The traces go to stderr: when that fails there is nobody to tell but the
 * exit status. */
static int output_status(int rc)
{
    if (fflush(stderr) != 0 || ferror(stderr))
        return EXIT_OUTPUT;
    return rc;
}

static int finish_stats(const char *path, cJSON *o, int rc)
{
    if (write_stats(path, o) != 0) {
        fprintf(stderr, "trapvisor run: --stats %s: cannot write\n", path);
        rc = EXIT_OUTPUT;
    }
    cJSON_Delete(o);
    return rc;
}

/* "TLBS at pc 800001ac (trap_entry+0x2c), badvaddr ffffffd4" */
static void storm_report(const char *who, unsigned code, uint32_t pc, uint32_t badva,
                         const elfimg_t *kernel)
{
    uint32_t off = 0;
    const char *sym = kernel ? elfimg_symbol_at(kernel, pc, &off) : NULL;
    char where[160] = "";
    if (sym)
        snprintf(where, sizeof where, " (%s+0x%x)", sym, off);
    fprintf(stderr,
            "trapvisor run: exception storm%s: %s at pc %08x%s, badvaddr %08x, %u times over "
            "without progress (the handler returns to the fault, or faults itself): the run "
            "ends\n",
            who, cpu_exc_name(code), pc, where, badva, STORM_REPEATS);
}

static void limit_report(uint64_t max_insns, bool given, const char *at)
{
    if (given)
        fprintf(stderr, "trapvisor run: instruction budget spent%s (--max-insns %llu)\n", at,
                (unsigned long long)max_insns);
    else
        fprintf(stderr,
                "trapvisor run: instruction budget spent%s (the default, %llu instructions: "
                "--max-insns N for another, 0 for none)\n",
                at, (unsigned long long)max_insns);
}

static int run_native(const struct board_config *cfg, uint64_t max_insns, bool budget_given,
                      unsigned trace, const char *stats_path)
{
    char err[2048];
    board_t *b = board_new(cfg, err, sizeof err);
    if (!b) {
        fprintf(stderr, "trapvisor run: %s\n", err);
        return EXIT_BAD_INPUT;
    }
    if (trace)
        board_set_trace(b, trace, stderr);
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    catch_signals(b, NULL);
    /* The default budget bounds instructions only: idle time (a console
     * waiting for a person) is not a runaway. */
    enum board_stop stop = board_run_limits(b, max_insns, budget_given ? max_insns : UINT64_MAX);
    catch_signals(NULL, NULL);
    double host_s = seconds_since(&t0);
    fflush(stdout);
    int rc = 0;
    switch (stop) {
    case BOARD_POWEROFF: rc = (int)board_exit_code(b); break;
    case BOARD_LIMIT: {
        char at[32];
        snprintf(at, sizeof at, " at pc %08x", cpu_pc(board_cpu(b)));
        limit_report(max_insns, budget_given, at);
        rc = EXIT_LIMIT;
        break;
    }
    case BOARD_STORM: {
        unsigned code;
        uint32_t pc, badva;
        board_storm(b, &code, &pc, &badva);
        storm_report("", code, pc, badva, board_kernel(b));
        rc = EXIT_STORM;
        break;
    }
    case BOARD_HUNG:
        fprintf(stderr,
                "trapvisor run: the machine hung: WAIT at pc %08x, and no interrupt it lets "
                "through (Status.IM, the controller's enables, its timer) can come, or it "
                "wakes only to go back to sleep\n",
                cpu_pc(board_cpu(b)));
        rc = EXIT_HUNG;
        break;
    case BOARD_HOST: rc = interrupted ? interrupted_status() : EXIT_LIMIT; break;
    case BOARD_MACHINE_CHECK:
        fprintf(stderr,
                "trapvisor run: machine check: the exception vector at %08x cannot be fetched "
                "(mapped vectors: no valid TLB entry for it)\n",
                cpu_vector_fault(board_cpu(b)));
        rc = EXIT_MACHINE_CHECK;
        break;
    }
    if (board_output_error(b, err, sizeof err)) {
        fprintf(stderr, "trapvisor run: %s\n", err);
        rc = EXIT_OUTPUT;
    }
    if (stats_path)
        rc = finish_stats(stats_path, native_json(b, stop, host_s), rc);
    board_free(b);
    return output_status(rc);
}

static int run_vmm(const struct vmm_config *cfg, uint64_t max_insns, bool budget_given,
                   unsigned trace, unsigned vtrace, const char *stats_path)
{
    char err[2048];
    vmm_t *v = vmm_new(cfg, err, sizeof err);
    if (!v) {
        fprintf(stderr, "trapvisor run: %s\n", err);
        return EXIT_BAD_INPUT;
    }
    if (trace & ~TRACE_GOTCHA)
        board_set_trace(vmm_board(v), trace & ~TRACE_GOTCHA, stderr);
    if (vtrace & VTRACE_MONITOR)
        vmm_set_trace(v, stderr);
    if (vtrace & VTRACE_GOTCHA)
        vmm_set_gotcha_trace(v, stderr);
    if (vtrace & VTRACE_RELOC)
        vmm_set_reloc_trace(v, stderr);
    if (vtrace & VTRACE_TPM)
        vmm_set_tpm_trace(v, stderr);
    if (stats_path)
        vmm_set_timing(v, true);
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    catch_signals(NULL, v);
    enum vmm_stop stop = vmm_run_limits(v, max_insns, budget_given ? max_insns : UINT64_MAX);
    vmm_policy_end(v); /* a loaded policy's end-of-run hook, before its counters are read */
    catch_signals(NULL, NULL);
    double host_s = seconds_since(&t0);
    fflush(stdout);
    int rc = 0;
    switch (stop) {
    case VMM_ALL_OFF: rc = (int)vmm_exit_code(v); break;
    case VMM_LIMIT:
    case VMM_HOST:
        if (stop == VMM_HOST && interrupted) {
            rc = interrupted_status();
            break;
        }
        limit_report(max_insns, budget_given, "");
        rc = EXIT_LIMIT;
        break;
    case VMM_STORM: {
        unsigned g, code;
        uint32_t pc, badva;
        vmm_storm(v, &g, &code, &pc, &badva);
        char who[64];
        snprintf(who, sizeof who, " in guest %s", vmm_config_of(v)->guests[g].name);
        storm_report(who, code, pc, badva, vmm_guest_kernel(v, g));
        rc = EXIT_STORM;
        break;
    }
    case VMM_HUNG:
        vmm_waiting_guests(v, err, sizeof err);
        fprintf(stderr,
                "trapvisor run: the guests still on wait, and no interrupt they let through can "
                "come (or they wake only to go back to sleep): %s\n",
                err);
        rc = EXIT_HUNG;
        break;
    }
    if (vmm_output_error(v, err, sizeof err)) {
        fprintf(stderr, "trapvisor run: %s\n", err);
        rc = EXIT_OUTPUT;
    }
    if (stats_path)
        rc = finish_stats(stats_path, vmm_json(v, stop, host_s), rc);
    vmm_free(v);
    return output_status(rc);
}

/* Under a debugger (cli/gdbstub.c): the machine runs when gdb says. */
static int run_gdb(const struct vmm_config *cfg, bool vmm, unsigned port)
{
    char err[2048];
    session_t *s = session_new(cfg, vmm, err, sizeof err);
    if (!s) {
        fprintf(stderr, "trapvisor run: %s\n", err);
        return EXIT_BAD_INPUT;
    }
    int rc = gdb_serve(s, port, stderr) == 0 ? 0 : EXIT_BAD_INPUT;
    if (rc == 0 && session_ended(s))
        fprintf(stderr, "trapvisor run: the machine ended: %s\n", session_end_text(s));
    else if (rc == 0)
        fprintf(stderr, "trapvisor run: the debugger left; the machine stops here\n");
    session_free(s);
    return rc;
}

static int run_cmd(struct vmm_config *cfg, int argc, char **argv)
{
    static const struct option own[] = {
        {"native", no_argument, 0, OPT_NATIVE},       {"vmm", no_argument, 0, OPT_VMM},
        {"max-insns", required_argument, 0, OPT_MAX}, {"stats", required_argument, 0, OPT_STATS},
        {"trace", required_argument, 0, OPT_TRACE},   {"help", no_argument, 0, OPT_HELP},
        {"gdb", required_argument, 0, OPT_GDB},
    };
    struct option longopts[BOARD_ARGS_MAX_OPTIONS];
    board_args_longopts(longopts, own, sizeof own / sizeof own[0]);

    uint64_t max_insns = DEFAULT_MAX_INSNS;
    uint32_t gdb_port = 0;
    bool budget_given = false;
    record = (struct run_record){.argc = argc, .argv = argv};
    const char *stats_path = NULL;
    unsigned trace = 0;
    bool vmm = false;
    unsigned vtrace = 0;
    optind = 1;
    int ch;
    while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        int r = board_args_handle(cfg, ch, optarg, "run");
        if (r < 0)
            return EXIT_BAD_INPUT;
        if (r > 0)
            continue;
        switch (ch) {
        case OPT_NATIVE: vmm = false; break;
        case OPT_VMM: vmm = true; break;
        case OPT_MAX:
            if (!parse_u64(optarg, &max_insns)) {
                fprintf(stderr, "trapvisor run: --max-insns: not a count: '%s'\n", optarg);
                return EXIT_BAD_INPUT;
            }
            budget_given = true;
            if (max_insns == 0)
                max_insns = UINT64_MAX; /* no budget */
            break;
        case OPT_STATS: stats_path = optarg; break;
        case OPT_GDB:
            if (!parse_u32(optarg, &gdb_port) || gdb_port == 0 || gdb_port > 65535) {
                fprintf(stderr, "trapvisor run: --gdb: a TCP port, not '%s'\n", optarg);
                return EXIT_BAD_INPUT;
            }
            break;
        case OPT_TRACE:
            if (!parse_trace(optarg, &trace, &vtrace)) {
                fprintf(stderr,
                        "trapvisor run: --trace: unknown category in '%s' "
                        "(exceptions,tlb,io,insns,gotcha,tpm,vmm,reloc)\n",
                        optarg);
                return EXIT_BAD_INPUT;
            }
            break;
        case 'h':
        case OPT_HELP: run_usage(stdout); return 0;
        default: run_usage(stderr); return EXIT_BAD_INPUT;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "trapvisor run: unexpected argument '%s'\n", argv[optind]);
        return EXIT_BAD_INPUT;
    }
    if (cfg->fix != VMM_FIX_NONE && !vmm) {
        fprintf(stderr, "trapvisor run: --fix is the monitor's: it needs --vmm\n");
        return EXIT_BAD_INPUT;
    }
    if (vmm && (trace & (TRACE_EXC | TRACE_TLB))) {
        /* Under the monitor every exception and TLB miss traps to it: the
         * CPU delivers none, so these would print nothing. */
        fprintf(stderr, "trapvisor run: --trace exceptions/tlb are the native CPU's: under --vmm "
                        "every exception and TLB miss goes to the monitor; --trace vmm shows "
                        "them (traps, reflections, TLB fills and decisions)\n");
        return EXIT_BAD_INPUT;
    }
    if ((vtrace & VTRACE_MONITOR) && !vmm) {
        fprintf(stderr, "trapvisor run: --trace vmm needs --vmm\n");
        return EXIT_BAD_INPUT;
    }
    char err[600];
    if (stats_path && file_check_writable(stats_path, err, sizeof err) != 0) {
        fprintf(stderr, "trapvisor run: --stats %s\n", err);
        return EXIT_BAD_INPUT;
    }
    order_outputs();
    if (gdb_port)
        return run_gdb(cfg, vmm, gdb_port);
    record.max_insns = max_insns, record.budget_given = budget_given;
    if (vmm)
        return run_vmm(cfg, max_insns, budget_given, trace, vtrace, stats_path);
    return run_native(&cfg->board, max_insns, budget_given, trace, stats_path);
}

int cmd_run(int argc, char **argv)
{
    struct vmm_config cfg;
    if (!board_args_init(&cfg))
        return EXIT_BAD_INPUT;
    int rc = run_cmd(&cfg, argc, argv);
    vmm_config_free(&cfg);
    return rc;
}
