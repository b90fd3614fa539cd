/*
 * cli/cmd_exec.c — `trapvisor exec FILE.elf`: run a freestanding program on a
 * bare CPU + RAM, with every exception routed to us (the trap-routing
 * extension), until BREAK, the instruction limit, or another exception.
 *
 * Exit codes: 0 stopped at BREAK; 1 other exception; 2 bad usage or input;
 * 3 instruction limit; 4 idle forever (WAIT with nothing to wake it).
 */
#include "cli/cli.h"
#include "util/parse.h"
#include "cpu/cpu.h"
#include "util/disasm.h"
#include "util/elfload.h"

#include <cjson/cJSON.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct exec_opts {
    const char *path;
    uint64_t max_insns;
    uint32_t ram;
    unsigned tlb;
    bool le, json, trace_insns, trace_exc;
};

struct tracer {
    disasm_t *dis;
    elfimg_t *img;
};

static void trace_insn(void *opaque, uint32_t pc, uint32_t insn)
{
    struct tracer *t = opaque;
    char text[96];
    uint32_t off = 0;
    const char *sym = elfimg_symbol_at(t->img, pc, &off);
    disasm_one(t->dis, insn, pc, text, sizeof(text));
    if (sym)
        fprintf(stderr, "insn %08x: %08x  %-32s <%s+0x%x>\n", pc, insn, text, sym, off);
    else
        fprintf(stderr, "insn %08x: %08x  %s\n", pc, insn, text);
}

static void exec_usage(FILE *f)
{
    fprintf(f, "usage: trapvisor exec FILE.elf [options]\n"
               "  --max-insns N   stop after N instructions (default 1000000000)\n"
               "  --ram SIZE      RAM size, e.g. 64M (default 64M)\n"
               "  --tlb N         TLB entry pairs, 4..256 (default 32)\n"
               "  --le            little-endian CPU (the ELF must be little-endian)\n"
               "  --json          print the final state as one JSON object\n"
               "  --trace insns   trace every instruction to stderr (Capstone + ELF symbols)\n");
}

static int parse(int argc, char **argv, struct exec_opts *o)
{
    static const struct option longopts[] = {
        {"max-insns", required_argument, 0, 'm'},
        {"ram", required_argument, 0, 'r'},
        {"tlb", required_argument, 0, 't'},
        {"le", no_argument, 0, 'l'},
        {"json", no_argument, 0, 'j'},
        {"trace", required_argument, 0, 'T'},
        {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0},
    };
    o->max_insns = 1000000000ull;
    o->ram = 64u << 20;
    o->tlb = TLB_DEFAULT_PAIRS;
    optind = 1;
    int ch;
    while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (ch) {
        case 'm':
            if (!parse_u64(optarg, &o->max_insns)) {
                fprintf(stderr, "trapvisor exec: --max-insns: not a count: '%s'\n", optarg);
                return -1;
            }
            break;
        case 'r':
            if (!parse_size(optarg, &o->ram) || o->ram < 4096 || o->ram % 4096 ||
                o->ram > 0x1E000000u) {
                fprintf(stderr,
                        "trapvisor exec: --ram: need a multiple of 4K up to 480M, got '%s'\n",
                        optarg);
                return -1;
            }
            break;
        case 't': {
            uint64_t n;
            if (!parse_u64(optarg, &n) || n < TLB_MIN_PAIRS || n > TLB_MAX_PAIRS) {
                fprintf(stderr, "trapvisor exec: --tlb: need %d..%d, got '%s'\n", TLB_MIN_PAIRS,
                        TLB_MAX_PAIRS, optarg);
                return -1;
            }
            o->tlb = (unsigned)n;
            break;
        }
        case 'l': o->le = true; break;
        case 'j': o->json = true; break;
        case 'T':
            if (strcmp(optarg, "insns") == 0)
                o->trace_insns = true;
            else {
                fprintf(stderr, "trapvisor exec: --trace: unknown category '%s' (insns)\n", optarg);
                return -1;
            }
            break;
        case 'h': exec_usage(stdout); return 1;
        default: exec_usage(stderr); return -1;
        }
    }
    if (optind != argc - 1) {
        fprintf(stderr, "trapvisor exec: need exactly one ELF file\n");
        exec_usage(stderr);
        return -1;
    }
    o->path = argv[optind];
    return 0;
}

static void print_json(cpu_t *cpu, const char *stop, const struct cpu_trap *t, uint32_t pc)
{
    cJSON *root = cJSON_CreateObject();
    struct cpu_stats st;
    cpu_get_stats(cpu, &st);
    cJSON_AddStringToObject(root, "stop", stop);
    cJSON_AddNumberToObject(root, "pc", pc);
    cJSON_AddNumberToObject(root, "insns", (double)st.insns);
    cJSON *gpr = cJSON_AddArrayToObject(root, "gpr");
    for (unsigned i = 0; i < 32; i++)
        cJSON_AddItemToArray(gpr, cJSON_CreateNumber(cpu_gpr(cpu, i)));
    cJSON_AddNumberToObject(root, "hi", cpu_hi(cpu));
    cJSON_AddNumberToObject(root, "lo", cpu_lo(cpu));
    cJSON *cp0 = cJSON_AddObjectToObject(root, "cp0");
    cJSON_AddNumberToObject(cp0, "status", cpu_cp0_read(cpu, C0_STATUS, 0));
    cJSON_AddNumberToObject(cp0, "cause", cpu_cp0_read(cpu, C0_CAUSE, 0));
    cJSON_AddNumberToObject(cp0, "epc", cpu_cp0_read(cpu, C0_EPC, 0));
    cJSON_AddNumberToObject(cp0, "badvaddr", cpu_cp0_read(cpu, C0_BADVADDR, 0));
    if (t) {
        cJSON *ex = cJSON_AddObjectToObject(root, "exception");
        cJSON_AddStringToObject(ex, "name", cpu_exc_name(t->code));
        cJSON_AddNumberToObject(ex, "code", t->code);
        cJSON_AddBoolToObject(ex, "bd", t->bd);
    }
    char *s = cJSON_PrintUnformatted(root);
    if (s)
        puts(s);
    free(s);
    cJSON_Delete(root);
}

static void print_text(cpu_t *cpu, const char *stop, const struct cpu_trap *t, uint32_t pc)
{
    static const char *const names[32] = {"zero", "at", "v0", "v1", "a0", "a1", "a2", "a3",
                                          "t0",   "t1", "t2", "t3", "t4", "t5", "t6", "t7",
                                          "s0",   "s1", "s2", "s3", "s4", "s5", "s6", "s7",
                                          "t8",   "t9", "k0", "k1", "gp", "sp", "fp", "ra"};
    struct cpu_stats st;
    cpu_get_stats(cpu, &st);
    printf("stop: %s", stop);
    if (t)
        printf(" (%s%s)", cpu_exc_name(t->code), t->bd ? ", in delay slot" : "");
    printf("  pc=%08x  insns=%llu\n", pc, (unsigned long long)st.insns);
    for (unsigned i = 0; i < 32; i++)
        printf("%4s=%08x%s", names[i], cpu_gpr(cpu, i), i % 8 == 7 ? "\n" : " ");
    printf("  hi=%08x   lo=%08x status=%08x cause=%08x epc=%08x badvaddr=%08x\n", cpu_hi(cpu),
           cpu_lo(cpu), cpu_cp0_read(cpu, C0_STATUS, 0), cpu_cp0_read(cpu, C0_CAUSE, 0),
           cpu_cp0_read(cpu, C0_EPC, 0), cpu_cp0_read(cpu, C0_BADVADDR, 0));
}

int cmd_exec(int argc, char **argv)
{
    struct exec_opts o = {0};
    int pr = parse(argc, argv, &o);
    if (pr != 0)
        return pr > 0 ? 0 : 2;

    char err[256];
    elfimg_t *img = elfimg_open(o.path, err, sizeof(err));
    if (!img) {
        fprintf(stderr, "trapvisor exec: %s\n", err);
        return 2;
    }
    if (elfimg_big_endian(img) == o.le) {
        fprintf(stderr, "trapvisor exec: %s is %s-endian; %s\n", o.path,
                elfimg_big_endian(img) ? "big" : "little",
                o.le ? "drop --le" : "add --le to run it");
        elfimg_free(img);
        return 2;
    }
    int rc = 2;
    phys_t *phys = phys_new(o.ram, !o.le);
    struct cpu_config cfg = {.tlb_pairs = o.tlb, .little_endian = o.le};
    cpu_t *cpu = phys ? cpu_new(&cfg, phys) : NULL;
    disasm_t *dis = NULL;
    if (!cpu) {
        fprintf(stderr, "trapvisor exec: out of memory\n");
        goto out;
    }
    if (elfimg_load(img, phys, err, sizeof(err)) != 0) {
        fprintf(stderr, "trapvisor exec: %s: %s\n", o.path, err);
        goto out;
    }
    /* Kernel mode, exceptions to us, stack at the top of RAM (kseg0). */
    cpu_cp0_write(cpu, C0_STATUS, 0, 0);
    cpu_set_pc(cpu, elfimg_entry(img));
    cpu_set_gpr(cpu, 29, 0x80000000u + o.ram);
    cpu_set_trap_routing(cpu, 0xFFFFFFFEu); /* every ExcCode but Int */
    struct tracer tr = {0};
    if (o.trace_insns) {
        dis = disasm_new(!o.le);
        tr.dis = dis;
        tr.img = img;
        cpu_set_insn_hook(cpu, trace_insn, &tr);
    }

    enum cpu_stop stop = cpu_run(cpu, o.max_insns);
    const struct cpu_trap *t = NULL;
    const char *what;
    uint32_t pc = cpu_pc(cpu);
    switch (stop) {
    case CPU_STOP_TRAP:
        t = cpu_trap(cpu);
        pc = t->pc;
        /* Show CP0 as the hardware would after taking it (EPC, Cause, BadVAddr). */
        cpu_trap_deliver(cpu);
        what = t->code == EXC_BP ? "break" : "exception";
        rc = t->code == EXC_BP ? 0 : 1;
        break;
    case CPU_STOP_LIMIT:
        what = "limit";
        rc = 3;
        break;
    default:
        what = "idle";
        rc = 4;
        break;
    }
    if (o.json)
        print_json(cpu, what, t, pc);
    else
        print_text(cpu, what, t, pc);
out:
    disasm_free(dis);
    cpu_free(cpu);
    phys_free(phys);
    elfimg_free(img);
    return rc;
}
