/*
 * cli/gdbstub.c — a GDB remote stub (`trapvisor run --gdb PORT`): the GDB
 * remote serial protocol over TCP on 127.0.0.1, on top of the window's
 * session model (gui/session.h: stepping, PC breakpoints, trap breaks).
 * docs/gdb.md.
 *
 * Natively the machine is one thread; under the monitor each guest is a
 * thread (1 + its index) whose registers are its vCPU's and whose memory is
 * read through its own translation (its TLB and segments, in kernel mode)
 * and its partition: RAM and ROM only (device registers have side effects:
 * an error). Software and hardware breakpoints are the session's PC
 * breakpoints (nothing is written into guest memory); watchpoints are
 * checked instruction by instruction on the load or store about to run.
 */
#include "cli/gdbstub.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cpu/cp0_regs.h"
#include "mmu/mmu.h"
#include "mmu/phys.h"

#define NREGS     72 /* r0..r31, status, lo, hi, badvaddr, cause, pc, f0..f31, fcsr, fir */
#define MAX_WATCH 8
#define PKT_MAX   8192

struct watch {
    uint32_t addr, len;
    int type; /* 2 write, 3 read, 4 access (the Z packet's) */
};

struct gdb {
    int fd;
    session_t *s;
    bool vmm, big_endian, noack;
    unsigned nthreads, thread; /* the selected thread, 1-based */
    struct watch watch[MAX_WATCH];
    unsigned nwatch;
    uint32_t bp[64]; /* the breakpoints gdb set (also the session's) */
    unsigned nbp;
    char in[PKT_MAX], out[PKT_MAX * 2 + 64];
    unsigned char rbuf[4096];
    size_t rlen, rpos;
};

static const char target_xml[] =
    "<?xml version=\"1.0\"?><!DOCTYPE target SYSTEM \"gdb-target.dtd\">"
    "<target><architecture>mips:isa32r2</architecture>"
    "<feature name=\"org.gnu.gdb.mips.cpu\">"
    "<reg name=\"r0\" bitsize=\"32\" regnum=\"0\"/><reg name=\"r1\" bitsize=\"32\"/>"
    "<reg name=\"r2\" bitsize=\"32\"/><reg name=\"r3\" bitsize=\"32\"/>"
    "<reg name=\"r4\" bitsize=\"32\"/><reg name=\"r5\" bitsize=\"32\"/>"
    "<reg name=\"r6\" bitsize=\"32\"/><reg name=\"r7\" bitsize=\"32\"/>"
    "<reg name=\"r8\" bitsize=\"32\"/><reg name=\"r9\" bitsize=\"32\"/>"
    "<reg name=\"r10\" bitsize=\"32\"/><reg name=\"r11\" bitsize=\"32\"/>"
    "<reg name=\"r12\" bitsize=\"32\"/><reg name=\"r13\" bitsize=\"32\"/>"
    "<reg name=\"r14\" bitsize=\"32\"/><reg name=\"r15\" bitsize=\"32\"/>"
    "<reg name=\"r16\" bitsize=\"32\"/><reg name=\"r17\" bitsize=\"32\"/>"
    "<reg name=\"r18\" bitsize=\"32\"/><reg name=\"r19\" bitsize=\"32\"/>"
    "<reg name=\"r20\" bitsize=\"32\"/><reg name=\"r21\" bitsize=\"32\"/>"
    "<reg name=\"r22\" bitsize=\"32\"/><reg name=\"r23\" bitsize=\"32\"/>"
    "<reg name=\"r24\" bitsize=\"32\"/><reg name=\"r25\" bitsize=\"32\"/>"
    "<reg name=\"r26\" bitsize=\"32\"/><reg name=\"r27\" bitsize=\"32\"/>"
    "<reg name=\"r28\" bitsize=\"32\"/><reg name=\"r29\" bitsize=\"32\"/>"
    "<reg name=\"r30\" bitsize=\"32\"/><reg name=\"r31\" bitsize=\"32\"/>"
    "<reg name=\"lo\" bitsize=\"32\" regnum=\"33\"/><reg name=\"hi\" bitsize=\"32\" regnum=\"34\"/>"
    "<reg name=\"pc\" bitsize=\"32\" regnum=\"37\"/></feature>"
    "<feature name=\"org.gnu.gdb.mips.cp0\">"
    "<reg name=\"status\" bitsize=\"32\" regnum=\"32\"/>"
    "<reg name=\"badvaddr\" bitsize=\"32\" regnum=\"35\"/>"
    "<reg name=\"cause\" bitsize=\"32\" regnum=\"36\"/></feature>"
    "<feature name=\"org.gnu.gdb.mips.fpu\">"
    "<reg name=\"f0\" bitsize=\"32\" type=\"ieee_single\" regnum=\"38\"/>"
    "<reg name=\"f1\" bitsize=\"32\" type=\"ieee_single\"/>"
    "<reg name=\"f2\" bitsize=\"32\" type=\"ieee_single\"/>"
    "<reg name=\"f3\" bitsize=\"32\" type=\"ieee_single\"/>"
    "<reg name=\"f4\" bitsize=\"32\" type=\"ieee_single\"/>"
    "<reg name=\"f5\" bitsize=\"32\" type=\"ieee_single\"/>"
    "<reg name=\"f6\" bitsize=\"32\" type=\"ieee_single\"/>"
    "<reg name=\"f7\" bitsize=\"32\" type=\"ieee_single\"/>"
    "<reg name=\"f8\" bitsize=\"32\" type=\"ieee_single\"/>"
    "<reg name=\"f9\" bitsize=\"32\" type=\"ieee_single\"/>"
    "<reg name=\"f10\" bitsize=\"32\" type=\"ieee_single\"/>"
    "<reg name=\"f11\" bitsize=\"32\" type=\"ieee_single\"/>"
    "<reg name=\"f12\" bitsize=\"32\" type=\"ieee_single\"/>"
    "<reg name=\"f13\" bitsize=\"32\" type=\"ieee_single\"/>"
    "<reg name=\"f14\" bitsize=\"32\" type=\"ieee_single\"/>"
    "<reg name=\"f15\" bitsize=\"32\" type=\"ieee_single\"/>"
    "<reg name=\"f16\" bitsize=\"32\" type=\"ieee_single\"/>"
    "<reg name=\"f17\" bitsize=\"32\" type=\"ieee_single\"/>"
    "<reg name=\"f18\" bitsize=\"32\" type=\"ieee_single\"/>"
    "<reg name=\"f19\" bitsize=\"32\" type=\"ieee_single\"/>"
    "<reg name=\"f20\" bitsize=\"32\" type=\"ieee_single\"/>"
    "<reg name=\"f21\" bitsize=\"32\" type=\"ieee_single\"/>"
    "<reg name=\"f22\" bitsize=\"32\" type=\"ieee_single\"/>"
    "<reg name=\"f23\" bitsize=\"32\" type=\"ieee_single\"/>"
    "<reg name=\"f24\" bitsize=\"32\" type=\"ieee_single\"/>"
    "<reg name=\"f25\" bitsize=\"32\" type=\"ieee_single\"/>"
    "<reg name=\"f26\" bitsize=\"32\" type=\"ieee_single\"/>"
    "<reg name=\"f27\" bitsize=\"32\" type=\"ieee_single\"/>"
    "<reg name=\"f28\" bitsize=\"32\" type=\"ieee_single\"/>"
    "<reg name=\"f29\" bitsize=\"32\" type=\"ieee_single\"/>"
    "<reg name=\"f30\" bitsize=\"32\" type=\"ieee_single\"/>"
    "<reg name=\"f31\" bitsize=\"32\" type=\"ieee_single\"/>"
    "<reg name=\"fcsr\" bitsize=\"32\" group=\"float\"/>"
    "<reg name=\"fir\" bitsize=\"32\" group=\"float\"/></feature></target>";

/* ---- packets ---------------------------------------------------------------------- */

static int get_byte(struct gdb *g)
{
    if (g->rpos == g->rlen) {
        ssize_t n = recv(g->fd, g->rbuf, sizeof g->rbuf, 0);
        if (n <= 0)
            return -1;
        g->rlen = (size_t)n, g->rpos = 0;
    }
    return g->rbuf[g->rpos++];
}

static int hexval(int c)
{
    return c >= '0' && c <= '9'   ? c - '0'
           : c >= 'a' && c <= 'f' ? c - 'a' + 10
           : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                  : -1;
}

static int send_packet(struct gdb *g, const char *payload)
{
    unsigned sum = 0;
    for (const char *p = payload; *p; p++)
        sum += (unsigned char)*p;
    char tail[4];
    snprintf(tail, sizeof tail, "#%02x", sum & 0xFF);
    if (send(g->fd, "$", 1, MSG_NOSIGNAL) != 1 ||
        send(g->fd, payload, strlen(payload), MSG_NOSIGNAL) != (ssize_t)strlen(payload) ||
        send(g->fd, tail, 3, MSG_NOSIGNAL) != 3)
        return -1;
    if (g->noack)
        return 0;
    int c = get_byte(g);
    return c == '+' ? 0 : c == '-' ? send_packet(g, payload) : -1;
}

/* The next packet into g->in: its length; -1 when the connection ended;
 * -2 for an interrupt (^C). */
static int recv_packet(struct gdb *g)
{
    int c;
    do {
        if ((c = get_byte(g)) < 0)
            return -1;
        if (c == 0x03)
            return -2;
    } while (c != '$');
    size_t n = 0;
    while ((c = get_byte(g)) >= 0 && c != '#')
        if (n + 1 < sizeof g->in)
            g->in[n++] = (char)c;
    g->in[n] = 0;
    if (c < 0 || get_byte(g) < 0 || get_byte(g) < 0)
        return -1;
    if (!g->noack && send(g->fd, "+", 1, MSG_NOSIGNAL) != 1)
        return -1;
    return (int)n;
}

/* Was ^C sent while the machine ran? */
static bool interrupted(struct gdb *g)
{
    struct pollfd p = {.fd = g->fd, .events = POLLIN};
    if (g->rpos < g->rlen)
        return g->rbuf[g->rpos] == 0x03 ? (g->rpos++, true) : false;
    if (poll(&p, 1, 0) <= 0)
        return false;
    unsigned char c;
    if (recv(g->fd, &c, 1, MSG_PEEK) == 1 && c == 0x03) {
        get_byte(g);
        return true;
    }
    return false;
}

/* ---- registers -------------------------------------------------------------------- */

static void regs_of(struct gdb *g, unsigned thread, uint32_t r[NREGS])
{
    memset(r, 0, NREGS * sizeof *r);
    if (g->vmm) {
        struct vmm_vcpu_view vc;
        if (!vmm_guest_vcpu(session_vmm(g->s), thread - 1, &vc))
            return;
        memcpy(r, vc.gpr, 32 * sizeof *r);
        r[32] = vc.status, r[33] = vc.lo, r[34] = vc.hi, r[35] = vc.badvaddr, r[36] = vc.cause;
        r[37] = vc.pc;
        return;
    }
    cpu_t *c = session_cpu(g->s);
    for (unsigned i = 0; i < 32; i++)
        r[i] = cpu_gpr(c, i);
    r[32] = cpu_cp0_read(c, C0_STATUS, 0), r[33] = cpu_lo(c), r[34] = cpu_hi(c);
    r[35] = cpu_cp0_read(c, C0_BADVADDR, 0), r[36] = cpu_cp0_read(c, C0_CAUSE, 0);
    r[37] = cpu_pc(c);
}

/* Register n of the thread := v; false for one that cannot be written. */
static bool set_reg(struct gdb *g, unsigned thread, unsigned n, uint32_t v)
{
    if (n == 0 || (n > 34 && n != 37) || n == 32)
        return n == 0 || n >= 38; /* r0 and the absent FPU: accepted, no effect */
    if (g->vmm)
        return vmm_guest_set_reg(session_vmm(g->s), thread - 1,
                                 n < 32    ? n
                                 : n == 33 ? VMM_REG_LO
                                 : n == 34 ? VMM_REG_HI
                                           : VMM_REG_PC,
                                 v);
    cpu_t *c = session_cpu(g->s);
    if (n < 32)
        cpu_set_gpr(c, n, v);
    else if (n == 37)
        cpu_set_pc(c, v);
    else
        cpu_set_hilo(c, n == 34 ? v : cpu_hi(c), n == 33 ? v : cpu_lo(c));
    return true;
}

static void put_reg(struct gdb *g, char *out, uint32_t v)
{
    for (int i = 0; i < 4; i++) {
        unsigned b = g->big_endian ? v >> (24 - 8 * i) & 0xFF : v >> (8 * i) & 0xFF;
        snprintf(out + 2 * i, 3, "%02x", b);
    }
}

static bool get_reg(struct gdb *g, const char *in, uint32_t *v)
{
    *v = 0;
    for (int i = 0; i < 4; i++) {
        int hi = hexval(in[2 * i]), lo = hi < 0 ? -1 : hexval(in[2 * i + 1]);
        if (lo < 0)
            return false;
        uint32_t b = (uint32_t)(hi << 4 | lo);
        *v |= g->big_endian ? b << (24 - 8 * i) : b << (8 * i);
    }
    return true;
}

/* ---- memory: through the thread's translation, RAM and ROM only ------------------ */

static uint8_t *byte_at(struct gdb *g, unsigned thread, uint32_t va, bool write)
{
    uint32_t r[NREGS], entryhi;
    regs_of(g, thread, r);
    const tlb_t *tlb;
    if (g->vmm) {
        struct vmm_vcpu_view vc;
        vmm_guest_vcpu(session_vmm(g->s), thread - 1, &vc);
        entryhi = vc.entryhi;
        tlb = vmm_guest_tlb(session_vmm(g->s), thread - 1);
    } else {
        entryhi = cpu_cp0_read(session_cpu(g->s), C0_ENTRYHI, 0);
        tlb = cpu_tlb(session_cpu(g->s));
    }
    struct mmu_ctx ctx = {tlb, MMU_KERNEL, (uint8_t)entryhi, (r[32] & ST_ERL) != 0, false};
    struct mmu_xlate x;
    if (mmu_translate(&ctx, va, MMU_PEEK, &x) != MMU_OK) /* the writable check is below */
        return NULL;
    uint32_t hpa = x.paddr;
    if (g->vmm) { /* guest-physical: its RAM and ROM regions */
        struct vmm_region_view rv[64];
        unsigned n = vmm_guest_regions(session_vmm(g->s), thread - 1, rv, 64);
        bool found = false;
        for (unsigned i = 0; i < n && !found; i++)
            if ((rv[i].kind == VMM_REGION_RAM || rv[i].kind == VMM_REGION_ROM) &&
                x.paddr - rv[i].gpa < rv[i].size && (!write || rv[i].kind == VMM_REGION_RAM)) {
                hpa = rv[i].hpa + (x.paddr - rv[i].gpa);
                found = true;
            }
        if (!found)
            return NULL;
    }
    uint8_t *page = phys_host_page(board_phys(session_board(g->s)), hpa & ~0xFFFu, write);
    return page ? page + (hpa & 0xFFFu) : NULL;
}

static void read_memory(struct gdb *g, uint32_t addr, uint32_t len)
{
    if (len > PKT_MAX / 2 - 8)
        len = PKT_MAX / 2 - 8;
    size_t n = 0;
    for (uint32_t i = 0; i < len; i++) {
        const uint8_t *b = byte_at(g, g->thread, addr + i, false);
        if (!b)
            break;
        n += (size_t)snprintf(g->out + n, sizeof g->out - n, "%02x", *b);
    }
    send_packet(g, n ? g->out : "E14");
}

static void write_memory(struct gdb *g, uint32_t addr, uint32_t len, const char *hex)
{
    for (uint32_t i = 0; i < len; i++) {
        int hi = hexval(hex[2 * i]), lo = hi < 0 ? -1 : hexval(hex[2 * i + 1]);
        uint8_t *b = lo < 0 ? NULL : byte_at(g, g->thread, addr + i, true);
        if (!b) {
            send_packet(g, "E14");
            return;
        }
        *b = (uint8_t)(hi << 4 | lo);
    }
    send_packet(g, "OK");
}

/* ---- running ---------------------------------------------------------------------- */

static unsigned current_thread(struct gdb *g)
{
    int c = g->vmm ? session_current_guest(g->s) : 0;
    return c < 0 ? 1 : (unsigned)c + 1;
}

/* The watchpoint the instruction about to run in thread t touches (its
 * load or store address: base + offset), or NULL. */
static const struct watch *watched(struct gdb *g, unsigned t, uint32_t *addr)
{
    uint32_t r[NREGS], insn = 0;
    regs_of(g, t, r);
    for (int i = 0; i < 4; i++) {
        const uint8_t *b = byte_at(g, t, r[37] + (uint32_t)i, false);
        if (!b)
            return NULL;
        insn = g->big_endian ? insn << 8 | *b : insn | (uint32_t)*b << (8 * i);
    }
    unsigned op = insn >> 26, size;
    bool store = op >= 0x28 && op <= 0x2E && op != 0x2C && op != 0x2D;
    bool load = (op >= 0x20 && op <= 0x26) || op == 0x30;
    store |= op == 0x38; /* sc */
    if (!load && !store)
        return NULL;
    size = op == 0x20 || op == 0x24 || op == 0x28   ? 1
           : op == 0x21 || op == 0x25 || op == 0x29 ? 2
                                                    : 4;
    uint32_t ea = r[(insn >> 21) & 31] + (uint32_t)(int32_t)(int16_t)(insn & 0xFFFF);
    for (unsigned i = 0; i < g->nwatch; i++) {
        const struct watch *w = &g->watch[i];
        bool kind = w->type == 4 || (w->type == 2 && store) || (w->type == 3 && load);
        if (kind && ea < w->addr + w->len && w->addr < ea + size) {
            *addr = ea;
            return w;
        }
    }
    return NULL;
}

/* The stop reply after an advance ended with why. */
static void stopped(struct gdb *g, enum sess_why why, const struct watch *w, uint32_t waddr)
{
    if (why == SESS_ENDED) {
        unsigned code =
            g->vmm ? vmm_exit_code(session_vmm(g->s)) : board_exit_code(session_board(g->s));
        snprintf(g->out, sizeof g->out, "W%02x", code & 0xFF);
        send_packet(g, g->out);
        return;
    }
    g->thread = current_thread(g);
    static const char *const kinds[] = {"", "", "watch", "rwatch", "awatch"};
    if (w)
        snprintf(g->out, sizeof g->out, "T05%s:%08x;thread:%x;", kinds[w->type], waddr, g->thread);
    else /* gdb knows its breakpoints by the PC; a trap break is a plain SIGTRAP */
        snprintf(g->out, sizeof g->out, "T05thread:%x;", g->thread);
    send_packet(g, g->out);
}

/* One instruction of the selected thread (under the monitor: the machine
 * runs until that guest has executed one). */
static enum sess_why step_thread(struct gdb *g, unsigned t)
{
    static const struct sess_target any = {-1, -1};
    if (!g->vmm)
        return session_advance(g->s, SESS_STEP_INSN, any, 1);
    uint32_t r[NREGS];
    regs_of(g, t, r);
    uint32_t pc = r[37];
    for (unsigned i = 0; i < 10000000; i++) {
        bool mine = current_thread(g) == t;
        enum sess_why why = session_advance(g->s, SESS_STEP_INSN, any, 1);
        if (why == SESS_ENDED)
            return why;
        regs_of(g, t, r);
        if (mine && r[37] != pc)
            return SESS_STEPPED;
    }
    return SESS_STEPPED;
}

static void resume(struct gdb *g, bool step)
{
    static const struct sess_target any = {-1, -1};
    if (step) {
        stopped(g, step_thread(g, g->thread), NULL, 0);
        return;
    }
    for (bool first = true;; first = false) {
        enum sess_why why;
        if (g->nwatch) { /* instruction by instruction, each checked before it runs */
            uint32_t a, r[NREGS];
            unsigned t = current_thread(g);
            regs_of(g, t, r);
            for (unsigned i = 0; i < g->nbp && !first; i++)
                if (g->bp[i] == r[37]) { /* a breakpoint: before its instruction */
                    stopped(g, SESS_BREAK, NULL, 0);
                    return;
                }
            const struct watch *w = watched(g, t, &a);
            why =
                session_advance(g->s, SESS_RUN, any, 1); /* one instruction; trap breaks stop it */
            if (w && why != SESS_ENDED) {
                stopped(g, why, w, a);
                return;
            }
            if (why == SESS_BREAK && session_break_hit(g->s) &&
                session_break_hit(g->s)->type == BP_PC)
                why = SESS_BUDGET; /* PC breakpoints are checked above, before they run */
        } else {
            why = session_advance(g->s, SESS_RUN, any, 1u << 20);
        }
        if (why != SESS_BUDGET || interrupted(g)) {
            stopped(g, why, NULL, 0);
            return;
        }
    }
}

/* ---- the commands ----------------------------------------------------------------- */

static void breakpoint(struct gdb *g, bool add, const char *args)
{
    unsigned type;
    uint32_t addr, kind;
    if (sscanf(args, "%u,%x,%x", &type, &addr, &kind) != 3) {
        send_packet(g, "E01");
        return;
    }
    if (type <= 1) { /* software and hardware: the session's PC breakpoints */
        char spec[32], err[256];
        snprintf(spec, sizeof spec, "pc 0x%08x", addr);
        if (add) {
            if (g->nbp == 64 || session_break_add(g->s, spec, err, sizeof err) != 0) {
                send_packet(g, "E0e");
                return;
            }
            g->bp[g->nbp++] = addr;
        } else {
            session_break_remove(g->s, spec);
            for (unsigned i = 0; i < g->nbp; i++)
                if (g->bp[i] == addr) {
                    g->bp[i] = g->bp[--g->nbp];
                    break;
                }
        }
        send_packet(g, "OK");
        return;
    }
    if (type > 4) {
        send_packet(g, "");
        return;
    }
    if (add) {
        if (g->nwatch == MAX_WATCH || kind == 0) {
            send_packet(g, "E0e");
            return;
        }
        g->watch[g->nwatch++] = (struct watch){addr, kind, (int)type};
    } else {
        for (unsigned i = 0; i < g->nwatch; i++)
            if (g->watch[i].addr == addr && g->watch[i].type == (int)type) {
                g->watch[i] = g->watch[--g->nwatch];
                break;
            }
    }
    send_packet(g, "OK");
}

static void all_registers(struct gdb *g)
{
    uint32_t r[NREGS];
    regs_of(g, g->thread, r);
    for (unsigned i = 0; i < NREGS; i++)
        put_reg(g, g->out + 8 * i, r[i]);
    g->out[8 * NREGS] = 0;
    send_packet(g, g->out);
}

static void hex_reply(struct gdb *g, const char *prefix, const char *text)
{
    size_t n = (size_t)snprintf(g->out, sizeof g->out, "%s", prefix);
    for (; *text && n + 3 < sizeof g->out; text++)
        n += (size_t)snprintf(g->out + n, sizeof g->out - n, "%02x", (unsigned char)*text);
    send_packet(g, g->out);
}

/* monitor CMD: the window's breakpoint language ("break trap Sys", "delete all"). */
static void monitor(struct gdb *g, const char *hex)
{
    char cmd[256], err[300];
    size_t n = 0;
    for (; hex[0] && hex[1] && n + 1 < sizeof cmd; hex += 2)
        cmd[n++] = (char)(hexval(hex[0]) << 4 | hexval(hex[1]));
    cmd[n] = 0;
    if (strncmp(cmd, "break ", 6) == 0) {
        if (session_break_add(g->s, cmd + 6, err, sizeof err) != 0) {
            strcat(err, "\n");
            hex_reply(g, "O", err);
        }
    } else if (strncmp(cmd, "delete ", 7) == 0) {
        session_break_remove(g->s, cmd + 7);
        for (unsigned i = 0; i < g->nbp; i++) { /* gdb's own breakpoints stay */
            char spec[32];
            snprintf(spec, sizeof spec, "pc 0x%08x", g->bp[i]);
            session_break_remove(g->s, spec);
            session_break_add(g->s, spec, err, sizeof err);
        }
    } else {
        hex_reply(g, "O",
                  "monitor commands: break SPEC (as the window's: trap Sys, pc ADDR, "
                  "decision reject, guest N, ...), delete SPEC|all\n");
    }
    send_packet(g, "OK");
}

static void query(struct gdb *g, const char *q)
{
    unsigned off, len, t;
    if (strncmp(q, "qSupported", 10) == 0) {
        send_packet(g, "PacketSize=4000;qXfer:features:read+;swbreak+;hwbreak+;QStartNoAckMode+");
    } else if (sscanf(q, "qXfer:features:read:target.xml:%x,%x", &off, &len) == 2) {
        size_t total = sizeof target_xml - 1;
        size_t n = off >= total ? 0 : total - off < len ? total - off : len;
        if (n > sizeof g->out - 2)
            n = sizeof g->out - 2;
        g->out[0] = off + n < total ? 'm' : 'l';
        memcpy(g->out + 1, target_xml + (off < total ? off : total), n);
        g->out[n + 1] = 0;
        send_packet(g, g->out);
    } else if (strcmp(q, "qfThreadInfo") == 0) {
        size_t n = (size_t)snprintf(g->out, sizeof g->out, "m");
        for (unsigned i = 1; i <= g->nthreads; i++)
            n += (size_t)snprintf(g->out + n, sizeof g->out - n, "%s%x", i > 1 ? "," : "", i);
        send_packet(g, g->out);
    } else if (strcmp(q, "qsThreadInfo") == 0) {
        send_packet(g, "l");
    } else if (strcmp(q, "qC") == 0) {
        snprintf(g->out, sizeof g->out, "QC%x", current_thread(g));
        send_packet(g, g->out);
    } else if (sscanf(q, "qThreadExtraInfo,%x", &t) == 1 && t >= 1 && t <= g->nthreads) {
        char text[64];
        snprintf(text, sizeof text, "%s", g->vmm ? session_guest_name(g->s, t - 1) : "the CPU");
        hex_reply(g, "", text);
    } else if (strcmp(q, "qAttached") == 0) {
        send_packet(g, "1");
    } else if (strncmp(q, "qRcmd,", 6) == 0) {
        monitor(g, q + 6);
    } else {
        send_packet(g, "");
    }
}

static void select_thread(struct gdb *g, const char *arg)
{
    long t = strtol(arg + 1, NULL, 16);
    if (t > 0 && (unsigned long)t <= g->nthreads)
        g->thread = (unsigned)t; /* "Hg0"/"Hc-1": any thread keeps the selection */
    send_packet(g, "OK");
}

/* One command; false when the session is over (k, D). */
static bool command(struct gdb *g)
{
    const char *p = g->in;
    uint32_t addr, len, v, n;
    switch (p[0]) {
    case '?': stopped(g, SESS_STEPPED, NULL, 0); break;
    case 'g': all_registers(g); break;
    case 'G':
        for (unsigned i = 0; i < NREGS && strlen(p + 1) >= 8 * (i + 1); i++)
            if (get_reg(g, p + 1 + 8 * i, &v))
                set_reg(g, g->thread, i, v);
        send_packet(g, "OK");
        break;
    case 'p':
        if (sscanf(p + 1, "%x", &n) == 1 && n < NREGS) {
            uint32_t r[NREGS];
            regs_of(g, g->thread, r);
            put_reg(g, g->out, r[n]);
            g->out[8] = 0;
            send_packet(g, g->out);
        } else {
            send_packet(g, "E00");
        }
        break;
    case 'P': {
        const char *eq = strchr(p, '=');
        bool ok = eq && sscanf(p + 1, "%x", &n) == 1 && n < NREGS && get_reg(g, eq + 1, &v) &&
                  set_reg(g, g->thread, n, v);
        send_packet(g, ok ? "OK" : "E00");
        break;
    }
    case 'm':
        if (sscanf(p + 1, "%x,%x", &addr, &len) == 2)
            read_memory(g, addr, len);
        else
            send_packet(g, "E01");
        break;
    case 'M': {
        const char *colon = strchr(p, ':');
        if (colon && sscanf(p + 1, "%x,%x", &addr, &len) == 2 && strlen(colon + 1) >= 2 * len)
            write_memory(g, addr, len, colon + 1);
        else
            send_packet(g, "E01");
        break;
    }
    case 'c': resume(g, false); break;
    case 's': resume(g, true); break;
    case 'v':
        if (strncmp(p, "vCont?", 6) == 0)
            send_packet(g, "vCont;c;s");
        else if (strncmp(p, "vCont;s", 7) == 0 || strncmp(p, "vCont;c", 7) == 0) {
            const char *t = strchr(p, ':');
            if (t && p[6] == 's')
                g->thread = (unsigned)strtoul(t + 1, NULL, 16);
            resume(g, p[6] == 's');
        } else
            send_packet(g, "");
        break;
    case 'H': select_thread(g, p + 1); break;
    case 'T':
        send_packet(g, strtoul(p + 1, NULL, 16) >= 1 && strtoul(p + 1, NULL, 16) <= g->nthreads
                           ? "OK"
                           : "E01");
        break;
    case 'Z':
    case 'z': breakpoint(g, p[0] == 'Z', p + 1); break;
    case 'q': query(g, p); break;
    case 'Q':
        if (strcmp(p, "QStartNoAckMode") == 0) {
            send_packet(g, "OK");
            g->noack = true;
        } else {
            send_packet(g, "");
        }
        break;
    case 'D': send_packet(g, "OK"); return false;
    case 'k': return false;
    default: send_packet(g, ""); break;
    }
    return true;
}

int gdb_serve(session_t *s, unsigned port, FILE *log)
{
    int ls = socket(AF_INET, SOCK_STREAM, 0), one = 1;
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (ls < 0 || bind(ls, (struct sockaddr *)&a, sizeof a) != 0 || listen(ls, 1) != 0) {
        fprintf(stderr, "trapvisor run: --gdb %u: %s\n", port, strerror(errno));
        if (ls >= 0)
            close(ls);
        return -1;
    }
    fprintf(log, "trapvisor: gdb: waiting on 127.0.0.1:%u (target remote :%u)\n", port, port);
    fflush(log);
    static struct gdb g;
    memset(&g, 0, sizeof g);
    g.fd = accept(ls, NULL, NULL);
    close(ls);
    if (g.fd < 0) {
        fprintf(stderr, "trapvisor run: --gdb: accept: %s\n", strerror(errno));
        return -1;
    }
    g.s = s;
    g.vmm = session_is_vmm(s);
    g.big_endian = phys_big_endian(board_phys(session_board(s)));
    g.nthreads = session_guest_count(s);
    g.thread = 1;
    int n;
    while ((n = recv_packet(&g)) != -1)
        if (n >= 0 && !command(&g))
            break;
    close(g.fd);
    return 0;
}
