/*
 * gui/draw.c — the panels of the window (docs/gui.md has a screenshot):
 *
 *   +-------------------------------------------------------------------+
 *   | status: mode, run state, instructions, why it stopped              |
 *   +---------------+-------------+----------------+---------------------+
 *   | consoles      | registers   | real TLB       | address maps        |
 *   | (one per      | real CPU |  | owner, policy  | (per guest, 4 GiB)  |
 *   |  guest, fb)   | vCP0 each   | decision,      +---------------------+
 *   |               +-------------+ changes lit    | mode timeline       |
 *   |               | counters    |                | (the ERET gotcha)   |
 *   +---------------+-------------+----------------+---------------------+
 *   | trap timeline: strip of recent traps, then one line per trap       |
 *   +-------------------------------------------------------------------+
 *   | keys / command prompt                                              |
 *   +-------------------------------------------------------------------+
 *
 * Everything is pulled from the session and the machine's public API.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cpu/cp0_regs.h"
#include "dev/fb.h"
#include "dev/tpm.h"
#include "gui/gui_priv.h"
#include "iobus/iobus.h"

static const SDL_Color kind_colour[SK_KINDS] = {
    {230, 120, 60, 255},  /* privileged */
    {90, 200, 250, 255},  /* tlb_miss */
    {60, 120, 220, 255},  /* tlb_invalid */
    {170, 110, 230, 255}, /* tlb_mod */
    {230, 200, 70, 255},  /* mmio */
    {240, 90, 140, 255},  /* exception */
    {120, 220, 140, 255}, /* hypcall */
    {160, 160, 160, 255}, /* interrupt */
    {255, 40, 40, 255},   /* sensitive (did not trap) */
    {255, 255, 120, 255}, /* relocation */
};

static const SDL_Color COL_RESIDENT = {255, 60, 60, 255};  /* the monitor's resident portion */
static const SDL_Color COL_SERVED = {255, 210, 40, 255};   /* ...sharing a region, served */
static const SDL_Color COL_OLD_PLACE = {130, 50, 50, 255}; /* where it was before its last move */

static void fill(struct gui *g, struct rect r, SDL_Color c)
{
    SDL_SetRenderDrawColor(g->ren, c.r, c.g, c.b, c.a);
    SDL_Rect sr = {r.x, r.y, r.w, r.h};
    SDL_RenderFillRect(g->ren, &sr);
}

static int text(struct gui *g, int x, int y, SDL_Color c, int max_chars, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));
static int text(struct gui *g, int x, int y, SDL_Color c, int max_chars, const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    return font_draw(g->font, x, y, c, buf, max_chars);
}

/* A panel: background and a title line; returns the first text y. */
static int panel(struct gui *g, struct rect r, const char *title)
{
    fill(g, r, COL_PANEL);
    text(g, r.x + 4, r.y + 2, COL_TITLE, r.w / g->cw - 1, "%s", title);
    return r.y + 2 + g->ch;
}

static SDL_Color mode_colour(unsigned m)
{
    return m == VMODE_KERNEL ? COL_KERNEL : m == VMODE_SUPERVISOR ? COL_SUPER : COL_USER;
}

static const char *mode_word(unsigned m)
{
    return m == VMODE_KERNEL ? "kernel" : m == VMODE_SUPERVISOR ? "super" : "user";
}

/* ---- status and keys --------------------------------------------------------- */

static void draw_status(struct gui *g, struct rect r)
{
    session_t *s = g->s;
    fill(g, r, COL_PANEL);
    const char *state = session_ended(s) ? "ENDED" : g->running ? "RUNNING" : "PAUSED";
    SDL_Color sc = session_ended(s) ? COL_ERR : g->running ? COL_USER : COL_SUPER;
    int x = text(g, r.x + 4, r.y + 2, COL_TITLE, -1, "trapvisor %s ",
                 session_is_vmm(s) ? "monitor" : "native");
    x = text(g, x, r.y + 2, sc, -1, "%-8s", state);
    int cur = session_current_guest(s);
    x = text(g, x, r.y + 2, COL_TEXT, -1,
             " insns %llu  cycle %llu  pc %08x  on cpu: %s  traps %llu",
             (unsigned long long)session_insns(s), (unsigned long long)cpu_cycles(session_cpu(s)),
             cpu_pc(session_cpu(s)), cur >= 0 ? session_guest_name(s, (unsigned)cur) : "-",
             (unsigned long long)session_trap_total(s));
    text(g, x + 2 * g->cw, r.y + 2, session_ended(s) ? COL_ERR : COL_DIM,
         (r.x + r.w - x) / g->cw - 3, "%s", g->stop_text);
}

static void draw_keys(struct gui *g, struct rect r, struct rect pr)
{
    fill(g, r, COL_PANEL);
    char sel[64];
    snprintf(sel, sizeof sel, "%s%s%s",
             g->step_kind < 0 ? "any" : sess_kind_name((unsigned)g->step_kind),
             g->step_guest < 0 ? "" : " of ",
             g->step_guest < 0 ? "" : session_guest_name(g->s, (unsigned)g->step_guest));
    text(g, r.x + 4, r.y + 2, COL_DIM, r.w / g->cw - 1,
         "F5/c run  Space pause/run  s/F10 step insn  t/F11 next trap  n next [%s]  k kind  "
         "g guest  b break on kind  d break on reject  x clear breaks",
         sel);
    text(
        g, r.x + 4, r.y + 2 + g->ch, COL_DIM, r.w / g->cw - 1,
        "1-9 timeline filter  0 all  : command (break sym NAME, break pc ADDR, step trap KIND...)  "
        "F2 reset  F12 screenshot  PgUp/PgDn TLB  q quit");
    fill(g, pr, COL_BG);
    if (g->prompt_on)
        text(g, pr.x + 4, pr.y + 1, COL_TEXT, -1, ":%s_", g->prompt);
    else
        text(g, pr.x + 4, pr.y + 1, g->message_error ? COL_ERR : COL_TEXT, pr.w / g->cw - 1, "%s",
             g->message);
}

/* ---- consoles and the framebuffer --------------------------------------------------- */

static void draw_console(struct gui *g, unsigned gi, struct rect r)
{
    session_t *s = g->s;
    char title[64];
    snprintf(title, sizeof title, "console: %s%s", session_guest_name(s, gi),
             session_current_guest(s) == (int)gi ? "  (on cpu)" : "");
    int y = panel(g, r, title);
    const struct sess_console *c = session_console(s, gi);
    int rows = (r.y + r.h - y - 2) / g->ch;
    if (rows > 64)
        rows = 64;
    if (rows < 0)
        rows = 0;
    unsigned show = c->count < (unsigned)rows ? c->count : (unsigned)rows;
    g->lay.con_lines[gi] = (int)show;
    g->lay.con_text_x[gi] = r.x + 4;
    for (unsigned i = 0; i < show; i++) {
        unsigned idx = (c->last + SESS_CON_LINES - (show - 1 - i)) % SESS_CON_LINES;
        g->lay.con_line_y[gi][i] = y;
        text(g, r.x + 4, y, COL_TEXT, r.w / g->cw - 1, "%s", c->line[idx]);
        y += g->ch;
    }
}

/* The framebuffer of the guest that owns its bus (natively: the board's). */
static void draw_fb(struct gui *g, struct rect con[], unsigned n)
{
    unsigned bus;
    fb_t *fb = board_framebuffer(session_board(g->s), &bus);
    g->lay.fb = (struct rect){0, 0, 0, 0};
    if (!fb || !g->fb_pixels || !fb_scanout(fb, g->fb_pixels))
        return;
    unsigned owner = 0;
    if (session_is_vmm(g->s)) {
        const struct vmm_config *c = vmm_config_of(session_vmm(g->s));
        owner = UINT32_MAX;
        for (unsigned i = 0; i < c->nguests; i++)
            if (c->guests[i].buses & (1u << bus))
                owner = i;
        if (owner >= n)
            return;
    }
    if (!g->fb_tex) {
        g->fb_tex = SDL_CreateTexture(g->ren, SDL_PIXELFORMAT_RGB888, SDL_TEXTUREACCESS_STREAMING,
                                      FB_WIDTH, FB_HEIGHT);
        if (!g->fb_tex)
            return;
    }
    SDL_UpdateTexture(g->fb_tex, NULL, g->fb_pixels, FB_WIDTH * 4);
    struct rect r = con[owner];
    int w = r.w / 2, h = w * 3 / 4;
    if (h > r.h - 2 * g->ch) {
        h = r.h - 2 * g->ch;
        w = h * 4 / 3;
    }
    SDL_Rect dst = {r.x + r.w - w - 4, r.y + g->ch + 4, w, h};
    SDL_RenderCopy(g->ren, g->fb_tex, NULL, &dst);
    g->lay.fb = (struct rect){dst.x, dst.y, dst.w, dst.h};
}

/* ---- registers and counters ---------------------------------------------------------- */

static const char *const gpr_names[32] = {
    "zero", "at", "v0", "v1", "a0", "a1", "a2", "a3", "t0", "t1", "t2",
    "t3",   "t4", "t5", "t6", "t7", "s0", "s1", "s2", "s3", "s4", "s5",
    "s6",   "s7", "t8", "t9", "k0", "k1", "gp", "sp", "fp", "ra",
};

struct cp0_row {
    const char *name;
    unsigned reg, sel;
    size_t off; /* in struct vmm_vcpu_view */
};
#define VOFF(f) offsetof(struct vmm_vcpu_view, f)
static const struct cp0_row cp0_rows[] = {
    {"Status", C0_STATUS, 0, VOFF(status)},
    {"Cause", C0_CAUSE, 0, VOFF(cause)},
    {"EPC", C0_EPC, 0, VOFF(epc)},
    {"BadVAddr", C0_BADVADDR, 0, VOFF(badvaddr)},
    {"EntryHi", C0_ENTRYHI, 0, VOFF(entryhi)},
    {"EntryLo0", C0_ENTRYLO0, 0, VOFF(entrylo0)},
    {"EntryLo1", C0_ENTRYLO1, 0, VOFF(entrylo1)},
    {"Index", C0_INDEX, 0, VOFF(index)},
    {"PageMask", C0_PAGEMASK, 0, VOFF(pagemask)},
    {"Wired", C0_WIRED, 0, VOFF(wired)},
    {"Context", C0_CONTEXT, 0, VOFF(context)},
    {"Count", C0_COUNT, 0, VOFF(count)},
    {"Compare", C0_COMPARE, 0, VOFF(compare)},
    {"ErrorEPC", C0_ERROREPC, 0, VOFF(errorepc)},
    {"EBase", C0_PRID, 1, VOFF(ebase)},
};

static int draw_regs(struct gui *g, struct rect r)
{
    session_t *s = g->s;
    cpu_t *cpu = session_cpu(s);
    int y = panel(g, r,
                  session_is_vmm(s) ? "registers: real CPU | each guest's virtual CP0"
                                    : "registers: CPU");
    int cols = r.w / g->cw - 1;
    char sym[64];
    session_symbol(s, session_current_guest(s) < 0 ? 0 : (unsigned)session_current_guest(s),
                   cpu_pc(cpu), sym, sizeof sym);
    text(g, r.x + 4, y, COL_TEXT, cols, "pc %08x %s  hi %08x lo %08x", cpu_pc(cpu), sym,
         cpu_hi(cpu), cpu_lo(cpu));
    y += g->ch;
    char dis[64];
    session_disasm(s, cpu_pc(cpu), dis, sizeof dis);
    text(g, r.x + 4, y, COL_DIM, cols, "   %s", dis);
    y += g->ch;
    for (unsigned i = 0; i < 32; i += 4) {
        text(g, r.x + 4, y, COL_TEXT, cols, "%-4s%08x %-4s%08x %-4s%08x %-4s%08x", gpr_names[i],
             cpu_gpr(cpu, i), gpr_names[i + 1], cpu_gpr(cpu, i + 1), gpr_names[i + 2],
             cpu_gpr(cpu, i + 2), gpr_names[i + 3], cpu_gpr(cpu, i + 3));
        y += g->ch;
    }
    y += g->ch / 2;
    unsigned ng = session_is_vmm(s) ? session_guest_count(s) : 0;
    struct vmm_vcpu_view vv[VMM_MAX_GUESTS];
    for (unsigned i = 0; i < ng; i++)
        vmm_guest_vcpu(session_vmm(s), i, &vv[i]);
    int x = text(g, r.x + 4, y, COL_DIM, cols, "%-9s %-8s", "CP0", "real");
    for (unsigned i = 0; i < ng && x + 9 * g->cw < r.x + r.w; i++)
        x = text(g, x, y, COL_DIM, 9, " %-8.8s", session_guest_name(s, i));
    y += g->ch;
    for (size_t k = 0; k < sizeof cp0_rows / sizeof *cp0_rows; k++) {
        const struct cp0_row *row = &cp0_rows[k];
        x = text(g, r.x + 4, y, COL_TEXT, cols, "%-9s %08x", row->name,
                 cpu_cp0_read(cpu, row->reg, row->sel));
        for (unsigned i = 0; i < ng && x + 9 * g->cw < r.x + r.w; i++) {
            uint32_t v;
            memcpy(&v, (const char *)&vv[i] + row->off, sizeof v);
            x = text(g, x, y, COL_TEXT, 9, " %08x", v);
        }
        y += g->ch;
    }
    /* The mode row: what the CPU runs in, and each guest's two views. */
    x = text(g, r.x + 4, y, COL_TEXT, cols, "%-9s ", "mode");
    x = text(g, x, y, mode_colour(cpu_mode(cpu)), 8, "%-8s", mode_word(cpu_mode(cpu)));
    for (unsigned i = 0; i < ng && x + 9 * g->cw < r.x + r.w; i++) {
        x = text(g, x, y, vv[i].diverged ? COL_DIVERGE : mode_colour(vv[i].believed), 9, " %-8s",
                 vv[i].halted     ? "off"
                 : vv[i].diverged ? "DIVERGED"
                                  : mode_word(vv[i].believed));
    }
    y += g->ch;
    return y;
}

static void draw_counters(struct gui *g, struct rect r)
{
    session_t *s = g->s;
    int y = panel(g, r, "counters");
    int cols = r.w / g->cw - 1;
    if (!session_is_vmm(s)) {
        struct board_stats st;
        board_get_stats(session_board(s), &st);
        uint64_t exc = 0;
        for (unsigned c = 0; c < 32; c++)
            exc += st.cpu.exceptions[c];
        text(g, r.x + 4, y, COL_TEXT, cols, "exceptions %llu  refills %llu  tlb writes %llu",
             (unsigned long long)exc, (unsigned long long)st.cpu.tlb_refills,
             (unsigned long long)st.cpu.tlb_writes);
        y += g->ch;
        text(g, r.x + 4, y, COL_TEXT, cols, "interrupts %llu  mmio r/w %llu/%llu  console %llu B",
             (unsigned long long)st.cpu.exceptions[EXC_INT], (unsigned long long)st.io.mmio_reads,
             (unsigned long long)st.io.mmio_writes, (unsigned long long)st.console_bytes);
        return;
    }
    vmm_t *v = session_vmm(s);
    int x = text(g, r.x + 4, y, COL_DIM, cols, "%-12s", "");
    unsigned ng = session_guest_count(s);
    struct vmm_guest_stats gs[VMM_MAX_GUESTS];
    for (unsigned i = 0; i < ng; i++) {
        vmm_guest_stats(v, i, &gs[i]);
        if (x + 11 * g->cw < r.x + r.w)
            x = text(g, x, y, COL_DIM, 11, " %10.10s", gs[i].name);
    }
    y += g->ch;
    static const struct {
        const char *name;
        size_t off;
    } rows[] = {
        {"insns", offsetof(struct vmm_guest_stats, insns)},
        {"privileged", offsetof(struct vmm_guest_stats, traps[VMM_TRAP_PRIV])},
        {"tlb miss", offsetof(struct vmm_guest_stats, traps[VMM_TRAP_TLB_MISS])},
        {"tlb invalid", offsetof(struct vmm_guest_stats, traps[VMM_TRAP_TLB_INVALID])},
        {"tlb mod", offsetof(struct vmm_guest_stats, traps[VMM_TRAP_TLB_MOD])},
        {"mmio", offsetof(struct vmm_guest_stats, traps[VMM_TRAP_MMIO])},
        {"exceptions", offsetof(struct vmm_guest_stats, traps[VMM_TRAP_EXCEPTION])},
        {"hypcalls", offsetof(struct vmm_guest_stats, traps[VMM_TRAP_HYPCALL])},
        {"accepted", offsetof(struct vmm_guest_stats, decisions[VMM_ACCEPT])},
        {"modified", offsetof(struct vmm_guest_stats, decisions[VMM_MODIFY])},
        {"rejected", offsetof(struct vmm_guest_stats, decisions[VMM_REJECT])},
        {"interrupts", offsetof(struct vmm_guest_stats, interrupts)},
        {"slices", offsetof(struct vmm_guest_stats, slices)},
        /* the gotcha's, or (resident traps: a safe CPU) the resident portion's */
        {"native sens", offsetof(struct vmm_guest_stats, gotcha.native)},
        {"divergences", offsetof(struct vmm_guest_stats, gotcha.divergences)},
        {"reloc access", offsetof(struct vmm_guest_stats, resident.relocations[VMM_RELOC_ACCESS])},
        {"reloc tlbw", offsetof(struct vmm_guest_stats, resident.relocations[VMM_RELOC_TLB_WRITE])},
        {"reloc period",
         offsetof(struct vmm_guest_stats, resident.relocations[VMM_RELOC_PERIODIC])},
        {"served", offsetof(struct vmm_guest_stats, resident.served)},
    };
    bool resident = vmm_config_of(v)->traps == VMM_TRAPS_RESIDENT;
    size_t first_resident = sizeof rows / sizeof *rows - 4;
    for (size_t k = 0; k < sizeof rows / sizeof *rows && y + g->ch <= r.y + r.h; k++) {
        if (resident ? (k == first_resident - 2 || k == first_resident - 1) : k >= first_resident)
            continue;
        x = text(g, r.x + 4, y, COL_TEXT, cols, "%-12s", rows[k].name);
        for (unsigned i = 0; i < ng && x + 11 * g->cw < r.x + r.w; i++) {
            uint64_t val;
            memcpy(&val, (const char *)&gs[i] + rows[k].off, sizeof val);
            x = text(g, x, y, COL_TEXT, 11, " %10llu", (unsigned long long)val);
        }
        y += g->ch;
    }
}

/* ---- the real TLB ---------------------------------------------------------------------- */

static void flags(uint32_t lo, char out[5])
{
    out[0] = (lo & ENTRYLO_V) ? 'V' : '-';
    out[1] = (lo & ENTRYLO_D) ? 'D' : '-';
    out[2] = (lo & ENTRYLO_G) ? 'G' : '-';
    out[3] = "0123456789"[(lo >> 3) & 7];
    out[4] = 0;
}

static void draw_tlb(struct gui *g, struct rect r)
{
    session_t *s = g->s;
    tlb_t *tlb = cpu_tlb(session_cpu(s));
    unsigned n = tlb_size(tlb);
    char title[96];
    snprintf(title, sizeof title, "real TLB (%u entries)%s", n,
             session_is_vmm(s) ? ", owners, decisions; lit: just written" : "; lit: just written");
    int y = panel(g, r, title);
    int cols = r.w / g->cw - 1;
    text(g, r.x + 4, y, COL_DIM, cols, "  # VPN2     ASID PageMask PFN0  fl   PFN1  fl   %s",
         session_is_vmm(s) ? "own  decision" : "");
    y += g->ch;
    int rows = (r.y + r.h - y - 2) / g->ch;
    if (rows < 1)
        rows = 1;
    if (g->tlb_scroll > (int)n - rows)
        g->tlb_scroll = (int)n - rows;
    if (g->tlb_scroll < 0)
        g->tlb_scroll = 0;
    for (unsigned i = 0; i < SESS_MAX_TLB; i++)
        g->lay.tlb_row_y[i] = -1;
    g->lay.tlb_first = g->tlb_scroll;
    g->lay.tlb_rows = 0;
    for (int k = 0; k < rows && (unsigned)(g->tlb_scroll + k) < n; k++) {
        unsigned i = (unsigned)(g->tlb_scroll + k);
        struct tlb_regs e;
        tlb_read(tlb, i, &e);
        uint64_t age = session_tlb_age(s, i);
        if (age < 8) {
            SDL_Color c = COL_CHANGED;
            if (age) { /* fades over the next advances */
                c.r = (Uint8)(COL_PANEL.r + (c.r - COL_PANEL.r) * (8 - (int)age) / 10);
                c.g = (Uint8)(COL_PANEL.g + (c.g - COL_PANEL.g) * (8 - (int)age) / 10);
                c.b = (Uint8)(COL_PANEL.b + (c.b - COL_PANEL.b) * (8 - (int)age) / 10);
            }
            fill(g, (struct rect){r.x + 2, y, r.w - 4, g->ch}, c);
        }
        g->lay.tlb_row_y[i] = y;
        g->lay.tlb_rows++;
        char f0[5], f1[5], own[48] = "";
        flags(e.entrylo0, f0);
        flags(e.entrylo1, f1);
        bool valid = (e.entrylo0 | e.entrylo1) & ENTRYLO_V;
        if (session_is_vmm(s)) {
            struct vmm_tlb_owner o;
            vmm_tlb_owner(session_vmm(s), i, &o);
            if (o.guest >= 0 && valid)
                snprintf(own, sizeof own, "%-4.4s %s%s", session_guest_name(s, (unsigned)o.guest),
                         vmm_decision_name(o.decision), o.vtlb_index >= 0 ? " (gtlb)" : " (map)");
        }
        text(g, r.x + 4, y, valid ? COL_TEXT : COL_DIM, cols,
             "%3u %08x  %02x  %08x %05x %s %05x %s %s", i, e.entryhi & ENTRYHI_VPN2_MASK,
             e.entryhi & ENTRYHI_ASID_MASK, e.pagemask,
             (e.entrylo0 >> ENTRYLO_PFN_SHIFT) & 0xFFFFFu, f0,
             (e.entrylo1 >> ENTRYLO_PFN_SHIFT) & 0xFFFFFu, f1, own);
        y += g->ch;
    }
}

/* ---- address-space maps ------------------------------------------------------------------ */

/* 4 GiB on a bar of height h: kuseg gets 40%, kseg0, kseg1 and kseg2/3 20% each, each
 * segment linear inside. */
static int map_y(uint32_t va, int y0, int h)
{
    double f;
    if (va < 0x80000000u)
        f = 0.4 * (double)va / 2147483648.0;
    else if (va < 0xA0000000u)
        f = 0.4 + 0.2 * (double)(va - 0x80000000u) / 536870912.0;
    else if (va < 0xC0000000u)
        f = 0.6 + 0.2 * (double)(va - 0xA0000000u) / 536870912.0;
    else
        f = 0.8 + 0.2 * (double)(va - 0xC0000000u) / 1073741824.0;
    return y0 + (int)(f * h);
}

static void map_range(struct gui *g, int x, int w, int y0, int h, uint32_t va, uint32_t size,
                      SDL_Color c)
{
    int a = map_y(va, y0, h), b = map_y(va + size - 1, y0, h);
    if (b - a < 2)
        b = a + 2; /* everything visible, however small */
    fill(g, (struct rect){x, a, w, b - a}, c);
}

static SDL_Color region_colour(enum vmm_region_kind k)
{
    switch (k) {
    case VMM_REGION_RAM: return (SDL_Color){60, 170, 90, 255};
    case VMM_REGION_ROM: return (SDL_Color){150, 150, 150, 255};
    case VMM_REGION_DEVICE: return (SDL_Color){235, 150, 50, 255};
    case VMM_REGION_EMULATED:
    case VMM_REGION_INTC: return (SDL_Color){200, 70, 200, 255};
    case VMM_REGION_BUFFER: return (SDL_Color){90, 200, 200, 255};
    }
    return COL_DIM;
}

/* A guest's resident portion (vmm.traps = resident) on its bar: a band
 * across it (yellow where it shares a region whose accesses the monitor
 * serves), and for its last move, until 500 more events have passed, the
 * old place and an arrow from there. */
static void draw_resident(struct gui *g, unsigned gi, int x, int bw, int y0, int h)
{
    struct vmm_resident_view rv;
    if (!vmm_guest_resident(session_vmm(g->s), gi, &rv) || !rv.va)
        return;
    struct vmm_guest_stats st;
    vmm_guest_stats(session_vmm(g->s), gi, &st);
    struct sess_move m;
    session_last_move(g->s, gi, &m);
    int to = map_y(rv.va, y0, h);
    if (m.seq && session_trap_total(g->s) - m.seq < 500) {
        int from = map_y(m.from, y0, h), ax = x + bw - 4;
        fill(g, (struct rect){x, from - 1, bw, 4}, COL_OLD_PLACE);
        SDL_SetRenderDrawColor(g->ren, 255, 255, 120, 255);
        SDL_RenderDrawLine(g->ren, ax, from, ax, to);
        int tip = to > from ? -4 : 4; /* the head points at the new place */
        SDL_RenderDrawLine(g->ren, ax, to, ax - 3, to + tip);
        SDL_RenderDrawLine(g->ren, ax, to, ax + 3, to + tip);
    }
    fill(g, (struct rect){x - 2, to - 1, bw + 4, 4},
         st.resident.served_place ? COL_SERVED : COL_RESIDENT);
}

static void draw_maps(struct gui *g, struct rect r)
{
    session_t *s = g->s;
    int y = panel(g, r, "address space (4 GiB)");
    int cols = r.w / g->cw - 1;
    int legend_y = r.y + r.h - 3 * g->ch - 2;
    int y0 = y + 2, h = legend_y - y0 - 4;
    int lx = r.x + 4;
    static const struct {
        const char *name;
        uint32_t va;
    } segs[] = {
        {"kuseg", 0}, {"kseg0", 0x80000000u}, {"kseg1", 0xA0000000u}, {"kseg2", 0xC0000000u}};
    for (unsigned i = 0; i < 4; i++) {
        int sy = map_y(segs[i].va, y0, h);
        fill(g, (struct rect){lx, sy, r.w - 8, 1}, COL_DIM);
        text(g, lx, sy + 1, COL_DIM, 6, "%s", segs[i].name);
    }
    unsigned ng = session_guest_count(s);
    int bx = lx + 6 * g->cw + 4;
    int bw = (r.x + r.w - 4 - bx) / (int)ng - 6;
    if (bw > 60)
        bw = 60;
    tlb_t *tlb = cpu_tlb(session_cpu(s));
    for (unsigned gi = 0; gi < ng; gi++) {
        int x = bx + (int)gi * (bw + 6);
        fill(g, (struct rect){x, y0, bw, h}, COL_BG);
        text(g, x, y0 - g->ch + 2 < y ? y : y0 - g->ch + 2, COL_TEXT, bw / g->cw, "%s",
             session_guest_name(s, gi));
        if (session_is_vmm(s)) {
            struct vmm_region_view reg[32];
            unsigned nr = vmm_guest_regions(session_vmm(s), gi, reg, 32);
            for (unsigned k = 0; k < nr; k++) {
                if (reg[k].gpa >= 0x20000000u)
                    continue;
                uint32_t size = reg[k].size;
                if (reg[k].gpa + (uint64_t)size > 0x20000000u)
                    size = 0x20000000u - reg[k].gpa;
                map_range(g, x, bw, y0, h, 0x80000000u + reg[k].gpa, size,
                          region_colour(reg[k].kind));
                map_range(g, x, bw, y0, h, 0xA0000000u + reg[k].gpa, size,
                          region_colour(reg[k].kind));
            }
            /* the guest's own TLB mappings (kuseg, kseg2/3): white; what is in the real TLB: cyan
             */
            const tlb_t *vt = vmm_guest_tlb(session_vmm(s), gi);
            for (unsigned i = 0; vt && i < tlb_size(vt); i++) {
                struct tlb_regs e;
                tlb_read(vt, i, &e);
                uint32_t va = e.entryhi & ENTRYHI_VPN2_MASK;
                if (((e.entrylo0 | e.entrylo1) & ENTRYLO_V) &&
                    (va < 0x80000000u || va >= 0xC0000000u))
                    map_range(g, x, bw / 2, y0, h, va, (e.pagemask | 0x1FFFu) + 1,
                              (SDL_Color){230, 230, 230, 255});
            }
            for (unsigned i = 0; i < tlb_size(tlb); i++) {
                struct vmm_tlb_owner o;
                vmm_tlb_owner(session_vmm(s), i, &o);
                struct tlb_regs e;
                tlb_read(tlb, i, &e);
                if (o.guest == (int)gi && ((e.entrylo0 | e.entrylo1) & ENTRYLO_V))
                    map_range(g, x + bw / 2, bw - bw / 2, y0, h, e.entryhi & ENTRYHI_VPN2_MASK,
                              (e.pagemask | 0x1FFFu) + 1, (SDL_Color){90, 200, 250, 255});
            }
            draw_resident(g, gi, x, bw, y0, h);
        } else {
            const struct board_config *c = board_config_of(session_board(s));
            uint32_t io = IOBUS_BASE, iosz = IOBUS_INTC_BASE + IOBUS_INTC_SIZE - IOBUS_BASE;
            SDL_Color ram = region_colour(VMM_REGION_RAM), dev = region_colour(VMM_REGION_DEVICE),
                      rom = region_colour(VMM_REGION_ROM);
            for (uint32_t base = 0x80000000u; base <= 0xA0000000u; base += 0x20000000u) {
                map_range(g, x, bw, y0, h, base, c->ram_size, ram);
                map_range(g, x, bw, y0, h, base + io, iosz, dev);
                map_range(g, x, bw, y0, h, base + 0x1FC00000u, 0x00400000u, rom);
            }
            for (unsigned i = 0; i < tlb_size(tlb); i++) {
                struct tlb_regs e;
                tlb_read(tlb, i, &e);
                uint32_t va = e.entryhi & ENTRYHI_VPN2_MASK;
                if ((e.entrylo0 | e.entrylo1) & ENTRYLO_V)
                    map_range(g, x, bw, y0, h, va, (e.pagemask | 0x1FFFu) + 1,
                              (SDL_Color){90, 200, 250, 255});
            }
        }
    }
    int ly = legend_y;
    struct {
        const char *name;
        SDL_Color c;
    } legend[] = {{"ram", region_colour(VMM_REGION_RAM)},
                  {"rom", region_colour(VMM_REGION_ROM)},
                  {"device", region_colour(VMM_REGION_DEVICE)},
                  {"monitor", region_colour(VMM_REGION_EMULATED)},
                  {"guest tlb", {230, 230, 230, 255}},
                  {"real tlb", {90, 200, 250, 255}},
                  {"resident", COL_RESIDENT},
                  {"served", COL_SERVED},
                  {"was", COL_OLD_PLACE}};
    int x = lx;
    unsigned nleg = session_is_vmm(s) && vmm_config_of(session_vmm(s))->traps ? 9 : 6;
    for (unsigned i = 0; i < nleg; i++) {
        if (x + 12 * g->cw > r.x + r.w) {
            x = lx;
            ly += g->ch;
        }
        fill(g, (struct rect){x, ly + 3, g->cw, g->ch - 6}, legend[i].c);
        x = text(g, x + g->cw + 2, ly, COL_DIM, cols, "%s", legend[i].name) + g->cw;
    }
}

/* ---- the mode timeline (the ERET gotcha) --------------------------------------------------- */

static void draw_modes(struct gui *g, struct rect r)
{
    session_t *s = g->s;
    int y = panel(g, r, session_is_vmm(s) ? "mode changes: monitor / own hw" : "CPU mode changes");
    unsigned ng = session_guest_count(s);
    int label_w = 7 * g->cw;
    int x0 = r.x + 4 + label_w, w = r.x + r.w - 4 - x0;
    int lane = g->ch - 3;
    int per = session_is_vmm(s) ? 2 : 1;
    int nsamples = w / 3;
    for (unsigned gi = 0; gi < ng && y + per * (lane + 2) <= r.y + r.h - g->ch; gi++) {
        int ly[2] = {y, y + lane + 2};
        text(g, r.x + 4, ly[0], COL_TEXT, 7, "%.6s", session_guest_name(s, gi));
        if (per == 2)
            text(g, r.x + 4, ly[1], COL_DIM, 7, " own hw");
        for (int l = 0; l < per; l++)
            fill(g, (struct rect){x0, ly[l], w, lane}, COL_BG);
        /* newest at the right; few changes get wide cells */
        int have = 0;
        for (unsigned n = 0; have < nsamples; n++) {
            const struct sess_mode *m = session_mode_recent(s, n);
            if (!m)
                break;
            have += m->guest == gi;
        }
        int cell = have ? w / have : 3;
        cell = cell < 3 ? 3 : cell > 24 ? 24 : cell;
        int col = w / cell - 1;
        for (unsigned n = 0; col >= 0; n++) {
            const struct sess_mode *m = session_mode_recent(s, n);
            if (!m)
                break;
            if (m->guest != gi)
                continue;
            int x = x0 + col * cell;
            fill(g, (struct rect){x, ly[0], cell, lane}, mode_colour(m->believed));
            if (per == 2)
                fill(g, (struct rect){x, ly[1], cell, lane},
                     m->actual != m->believed ? COL_DIVERGE : mode_colour(m->actual));
            if (m->diverged) /* the moment they part: a marker through both lanes */
                fill(g, (struct rect){x, ly[0] - 1, 2, per * (lane + 2) + 1}, COL_DIVERGE);
            col--;
        }
        y += per * (lane + 2) + 3;
    }
    int x = r.x + 4;
    y = r.y + r.h - g->ch - 1;
    const unsigned modes[3] = {VMODE_KERNEL, VMODE_SUPERVISOR, VMODE_USER};
    for (unsigned i = 0; i < 3; i++) {
        fill(g, (struct rect){x, y + 3, g->cw, g->ch - 6}, mode_colour(modes[i]));
        x = text(g, x + g->cw + 2, y, COL_DIM, -1, "%s", mode_word(modes[i])) + g->cw;
    }
    if (session_is_vmm(s)) {
        fill(g, (struct rect){x, y + 3, g->cw, g->ch - 6}, COL_DIVERGE);
        text(g, x + g->cw + 2, y, COL_DIM, (r.x + r.w - x) / g->cw - 2, "diverged");
    }
}

/* ---- the trap timeline ---------------------------------------------------------------------- */

static void draw_timeline(struct gui *g, struct rect r)
{
    session_t *s = g->s;
    int y = panel(g, r, "");
    /* the title line doubles as the filter: [n]kind, lit when shown */
    int x = text(g, r.x + 4, r.y + 2, COL_TITLE, -1, "trap timeline  ");
    for (unsigned k = 0; k < SK_KINDS; k++) {
        bool on = g->filter & (1u << k);
        fill(g, (struct rect){x, r.y + 5, g->cw, g->ch - 6}, on ? kind_colour[k] : COL_BG);
        x = text(g, x + g->cw + 2, r.y + 2, on ? COL_TEXT : COL_DIM, -1, "%u:%s %llu", k + 1,
                 sess_kind_name(k), (unsigned long long)session_trap_count(s, k)) +
            g->cw;
    }
    /* the strip: newest at the right, one tick per trap of the shown kinds */
    struct rect strip = {r.x + 4, y + 1, r.w - 8, g->ch - 4};
    g->lay.strip = strip;
    fill(g, strip, COL_BG);
    int col = strip.w / 3 - 1;
    for (unsigned n = 0; col >= 0; n++, col--) {
        const struct sess_trap *t = session_trap_recent(s, n, g->filter);
        if (!t)
            break;
        fill(g,
             (struct rect){strip.x + col * 3, strip.y + (t->diverged ? 0 : 2), 2,
                           strip.h - (t->diverged ? 0 : 4)},
             t->diverged ? COL_DIVERGE : kind_colour[t->kind]);
    }
    y += g->ch;
    int cols = r.w / g->cw - 3;
    text(g, r.x + 4, y, COL_DIM, cols, "%8s %-11s %-7s %-2s %-8s %-18s %-26s %s", "seq", "kind",
         "exc", "g", "pc", "symbol", "instruction", "what the monitor did");
    y += g->ch;
    g->lay.text_x_timeline = r.x + 4 + g->cw;
    g->lay.tl_rows = 0;
    for (unsigned n = 0; y + g->ch <= r.y + r.h && n < 32; n++) {
        const struct sess_trap *t = session_trap_recent(s, n, g->filter);
        if (!t)
            break;
        if (n == 0)
            fill(g, (struct rect){r.x + 2, y, r.w - 4, g->ch}, COL_CURSOR);
        fill(g, (struct rect){r.x + 4, y + 3, g->cw, g->ch - 6}, kind_colour[t->kind]);
        char line[256];
        session_trap_text(s, t, line, sizeof line);
        text(g, r.x + 4 + g->cw, y, t->diverged ? COL_DIVERGE : COL_TEXT, cols, "%7llu %s",
             (unsigned long long)t->seq, line);
        g->lay.tl_row_y[g->lay.tl_rows++] = y;
        y += g->ch;
    }
}

/* ---- the TPM multiplexer ------------------------------------------------------------------ */

/* Per guest: its last command and where it is (waiting in the queue at
 * place N, running on the physical TPM, done), then its virtual PCRs that
 * are not at their start value, as PCR:first bytes; last the compound
 * configuration the physical PCR 21 holds. */
static void draw_tpm(struct gui *g, struct rect r)
{
    session_t *s = g->s;
    vmm_t *v = session_vmm(s);
    int y = panel(g, r, "TPM: one physical, a queue, each guest's own PCRs");
    int cols = r.w / g->cw - 1;
    for (unsigned gi = 0; gi < session_guest_count(s); gi++) {
        struct vmm_tpm_view tv;
        if (!vmm_guest_tpm(v, gi, &tv))
            continue;
        static const char *const states[] = {"done", "WAITING", "RUNNING"};
        static const SDL_Color state_col[] = {
            {150, 150, 150, 255}, {255, 210, 40, 255}, {90, 220, 120, 255}};
        const char *name = tpm_cc_name(tv.cc);
        int x = text(g, r.x + 4, y, COL_TEXT, 12, "%-10.10s", session_guest_name(s, gi));
        char where[16];
        snprintf(where, sizeof where, tv.state == VMM_TPM_WAITING ? "%s %u" : "%s",
                 tv.cc ? states[tv.state] : "-", tv.queue_pos);
        x = text(g, x, y, state_col[tv.state], 11, "%-10s", where);
        text(g, x, y, COL_DIM, cols - 20, "%s%s", tv.cc ? (name ? name : "?") : "",
             tv.started ? "" : "  (not started)");
        y += g->ch;
        char line[256];
        size_t n = 0;
        line[0] = 0;
        for (unsigned p = 0; p < 24 && n + 12 < sizeof line; p++) {
            uint8_t start = p >= 17 && p <= 22 ? 0xFF : 0;
            bool moved = false;
            for (unsigned k = 0; k < 32; k++)
                moved |= tv.pcr[p][k] != start;
            if (moved)
                n += (size_t)snprintf(line + n, sizeof line - n, "%u:%02x%02x ", p, tv.pcr[p][0],
                                      tv.pcr[p][1]);
        }
        text(g, r.x + 4 + 2 * g->cw, y, COL_TEXT, cols - 2, "%s", n ? line : "PCRs as at Startup");
        y += g->ch;
    }
    struct vmm_tpm_view tv;
    if (vmm_guest_tpm(v, 0, &tv))
        text(g, r.x + 4, y, COL_DIM, cols, "compound (PCR 21) %02x%02x%02x%02x", tv.compound[0],
             tv.compound[1], tv.compound[2], tv.compound[3]);
}

/* ---- the frame ------------------------------------------------------------------------------- */

void draw_frame(struct gui *g)
{
    struct gui_layout *L = &g->lay;
    int W = g->w, H = g->h, ch = g->ch, gap = 3;
    SDL_SetRenderDrawColor(g->ren, COL_BG.r, COL_BG.g, COL_BG.b, 255);
    SDL_RenderClear(g->ren);

    L->status = (struct rect){0, 0, W, ch + 4};
    L->prompt = (struct rect){0, H - ch - 2, W, ch + 2};
    L->keys = (struct rect){0, L->prompt.y - 2 * ch - 4, W, 2 * ch + 4};
    int tl_h = 14 * ch + 6;
    L->timeline = (struct rect){gap, L->keys.y - tl_h - gap, W - 2 * gap, tl_h};
    int top = L->status.y + L->status.h + gap, bottom = L->timeline.y - gap;
    int ha = bottom - top;
    int wa = W * 29 / 100, wb = W * 27 / 100, wc = W * 27 / 100;
    int xa = gap, xb = xa + wa + gap, xc = xb + wb + gap, xd = xc + wc + gap;
    int wd = W - xd - gap;

    draw_status(g, L->status);

    unsigned ng = session_guest_count(g->s);
    int each = (ha - (int)(ng - 1) * gap) / (int)ng;
    for (unsigned i = 0; i < ng; i++) {
        L->consoles[i] = (struct rect){xa, top + (int)i * (each + gap), wa, each};
        draw_console(g, i, L->consoles[i]);
    }
    draw_fb(g, L->consoles, ng);

    int regs_h = 30 * ch / 1 + 8;
    if (regs_h > ha * 2 / 3)
        regs_h = ha * 2 / 3;
    L->regs = (struct rect){xb, top, wb, regs_h};
    draw_regs(g, L->regs);
    L->counters = (struct rect){xb, top + regs_h + gap, wb, ha - regs_h - gap};
    draw_counters(g, L->counters);

    /* With a TPM shared through the monitor, its panel under the real TLB. */
    struct vmm_tpm_view tv;
    bool tpm = session_is_vmm(g->s) && vmm_guest_tpm(session_vmm(g->s), 0, &tv);
    int tpm_h = tpm ? (int)ng * 2 * ch + 3 * ch + 6 : 0;
    L->tlb = (struct rect){xc, top, wc, ha - (tpm ? tpm_h + gap : 0)};
    draw_tlb(g, L->tlb);
    L->tpm = tpm ? (struct rect){xc, top + ha - tpm_h, wc, tpm_h} : (struct rect){0, 0, 0, 0};
    if (tpm)
        draw_tpm(g, L->tpm);

    int modes_h = (int)ng * (session_is_vmm(g->s) ? 2 * ch + 3 : ch + 2) + 3 * ch;
    L->maps = (struct rect){xd, top, wd, ha - modes_h - gap};
    draw_maps(g, L->maps);
    L->modes = (struct rect){xd, top + ha - modes_h, wd, modes_h};
    draw_modes(g, L->modes);

    draw_timeline(g, L->timeline);
    draw_keys(g, L->keys, L->prompt);
}
