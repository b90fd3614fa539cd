/*
 * machine/config.c — board configuration from INI files (libinih) and
 * command-line overrides. Every key goes through config_apply(), so a file
 * and an override accept exactly the same things and fail the same way.
 */
#include "machine/config.h"

#include <ini.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpu/cpu.h"
#include "tlb/tlb.h"
#include "util/fileio.h"
#include "util/parse.h"

static const struct {
    const char *name;
    uint32_t bit;
} unsafe_names[] = {
    {"eret", CPU_EXT_ERET_UNPRIV},
    {"mfc0", CPU_EXT_MFC0_UNPRIV},
    {"diei", CPU_EXT_DIEI_UNPRIV},
};
#define N_UNSAFE (sizeof unsafe_names / sizeof unsafe_names[0])

bool config_unsafe_parse(const char *list, uint32_t *mask)
{
    char buf[128];
    if (strlen(list) >= sizeof buf)
        return false;
    strcpy(buf, list);
    uint32_t m = 0;
    for (char *save = NULL, *tok = strtok_r(buf, ",", &save); tok;
         tok = strtok_r(NULL, ",", &save)) {
        if (strcmp(tok, "all") == 0) {
            m |= CPU_EXT_UNSAFE;
            continue;
        }
        if (strcmp(tok, "none") == 0)
            continue;
        size_t i = 0;
        while (i < N_UNSAFE && strcmp(tok, unsafe_names[i].name) != 0)
            i++;
        if (i == N_UNSAFE)
            return false;
        m |= unsafe_names[i].bit;
    }
    *mask = m;
    return true;
}

const char *config_unsafe_name(uint32_t mask, char *buf, size_t len)
{
    buf[0] = 0;
    for (size_t i = 0; i < N_UNSAFE; i++)
        if (mask & unsafe_names[i].bit)
            snprintf(buf + strlen(buf), len - strlen(buf), "%s%s", buf[0] ? "," : "",
                     unsafe_names[i].name);
    if (!buf[0])
        snprintf(buf, len, "none");
    return buf;
}

/* [cpu] eret|mfc0|diei = trap|native */
static int apply_cpu(struct board_config *c, const char *key, const char *v, char *err,
                     size_t errlen)
{
    for (size_t i = 0; i < N_UNSAFE; i++) {
        if (strcmp(key, unsafe_names[i].name) != 0)
            continue;
        if (strcmp(v, "trap") == 0 || strcmp(v, "privileged") == 0) {
            c->unsafe &= ~unsafe_names[i].bit;
        } else if (strcmp(v, "native") == 0 || strcmp(v, "unprivileged") == 0) {
            c->unsafe |= unsafe_names[i].bit;
        } else {
            snprintf(err, errlen, "cpu.%s: '%s' is not trap or native", key, v);
            return -1;
        }
        return 0;
    }
    snprintf(err, errlen, "cpu: unknown key '%s' (known: eret, mfc0, diei)", key);
    return -1;
}

/* ---- slots ------------------------------------------------------------------ */

static void clear_slot(struct dev_config *d)
{
    free(d->settings);
    memset(d, 0, sizeof *d);
}

bool board_config_put(struct board_config *c, unsigned bus, unsigned slot,
                      const struct dev_class *cls)
{
    struct dev_config *d = &c->slots[bus][slot];
    clear_slot(d);
    if (!cls)
        return true;
    if (cls->settings_size && !(d->settings = calloc(1, cls->settings_size)))
        return false;
    if (cls->defaults)
        cls->defaults(d->settings);
    d->cls = cls;
    return true;
}

static void clear_slots(struct board_config *c)
{
    for (unsigned b = 0; b < IOBUS_MAX_BUSES; b++)
        for (unsigned s = 0; s < IOBUS_SLOTS; s++)
            clear_slot(&c->slots[b][s]);
}

void board_config_free(struct board_config *c) { clear_slots(c); }

bool board_config_copy(struct board_config *dst, const struct board_config *src)
{
    memcpy(dst, src, sizeof *dst);
    bool ok = true;
    for (unsigned b = 0; b < IOBUS_MAX_BUSES; b++)
        for (unsigned s = 0; s < IOBUS_SLOTS; s++) {
            struct dev_config *d = &dst->slots[b][s];
            const struct dev_config *o = &src->slots[b][s];
            d->settings = NULL;
            if (!o->settings)
                continue;
            if (ok && (d->settings = malloc(o->cls->settings_size)))
                memcpy(d->settings, o->settings, o->cls->settings_size);
            else
                ok = false;
            if (!d->settings)
                d->cls = NULL; /* so that freeing the partial copy is safe */
        }
    if (!ok)
        board_config_free(dst);
    return ok;
}

bool board_config_default(struct board_config *c)
{
    memset(c, 0, sizeof *c);
    c->ram_size = 64u << 20;
    c->tlb_pairs = TLB_DEFAULT_PAIRS;
    c->buses = 4;
    strcpy(c->bootargs, "init");
    c->rtc_epoch = 1767225600u; /* 2026-01-01T00:00:00Z */
    bool ok = board_config_put(c, 0, 0, &uart_class) && board_config_put(c, 0, 1, &timer_class) &&
              board_config_put(c, 0, 2, &power_class) && board_config_put(c, 1, 1, &nic_class) &&
              board_config_put(c, 2, 0, &fb_class) && board_config_put(c, 2, 1, &kbd_class);
    if (!ok)
        board_config_free(c);
    return ok;
}

bool board_config_find(const struct board_config *c, const struct dev_class *cls, unsigned *bus,
                       unsigned *slot)
{
    for (unsigned b = 0; b < c->buses; b++)
        for (unsigned s = 0; s < IOBUS_SLOTS; s++)
            if (c->slots[b][s].cls == cls) {
                *bus = b;
                *slot = s;
                return true;
            }
    return false;
}

static int apply_board(struct board_config *c, const char *key, const char *v, char *err,
                       size_t errlen)
{
    uint64_t n;
    if (strcmp(key, "ram") == 0) {
        uint32_t sz;
        if (!parse_size(v, &sz) || sz < (1u << 20) || sz % 4096 || sz > IOBUS_BASE) {
            snprintf(err, errlen, "board.ram: '%s' is not a size of 1M..480M in 4K pages", v);
            return -1;
        }
        c->ram_size = sz;
    } else if (strcmp(key, "tlb") == 0) {
        if (!parse_u64(v, &n) || n < TLB_MIN_PAIRS || n > TLB_MAX_PAIRS) {
            snprintf(err, errlen, "board.tlb: '%s' is not a pair count of %d..%d", v, TLB_MIN_PAIRS,
                     TLB_MAX_PAIRS);
            return -1;
        }
        c->tlb_pairs = (unsigned)n;
    } else if (strcmp(key, "endian") == 0) {
        if (strcmp(v, "big") == 0 || strcmp(v, "little") == 0) {
            c->little_endian = strcmp(v, "little") == 0;
        } else {
            snprintf(err, errlen, "board.endian: '%s' is not big or little", v);
            return -1;
        }
    } else if (strcmp(key, "buses") == 0) {
        if (!parse_u64(v, &n) || n < 1 || n > IOBUS_MAX_BUSES) {
            snprintf(err, errlen, "board.buses: '%s' is not 1..%d", v, IOBUS_MAX_BUSES);
            return -1;
        }
        c->buses = (unsigned)n;
    } else if (strcmp(key, "kernel") == 0) {
        return parse_path(c->kernel, sizeof c->kernel, v, "board.kernel", err, errlen);
    } else if (strcmp(key, "firmware") == 0) {
        return parse_path(c->firmware, sizeof c->firmware, v, "board.firmware", err, errlen);
    } else if (strcmp(key, "bootargs") == 0) {
        if (strlen(v) >= sizeof c->bootargs) {
            snprintf(err, errlen, "board.bootargs: longer than %zu characters",
                     sizeof c->bootargs - 1);
            return -1;
        }
        strcpy(c->bootargs, v);
    } else if (strcmp(key, "rtc") == 0) {
        if (strcmp(v, "host") == 0) {
            c->rtc_host = true;
        } else if (strcmp(v, "fixed") == 0) {
            c->rtc_host = false;
        } else if (parse_u64(v, &n) && n <= UINT32_MAX) {
            c->rtc_host = false;
            c->rtc_epoch = (uint32_t)n;
        } else {
            snprintf(err, errlen, "board.rtc: '%s' is not fixed, host or seconds since 1970", v);
            return -1;
        }
    } else {
        snprintf(err, errlen, "board: unknown key '%s'", key);
        return -1;
    }
    return 0;
}

static int apply_slot(struct board_config *c, unsigned bus, unsigned slot, const char *key,
                      const char *v, unsigned line, char *err, size_t errlen)
{
    struct dev_config *d = &c->slots[bus][slot];
    if (strcmp(key, "type") == 0) {
        const struct dev_class *cls = strcmp(v, "none") == 0 ? NULL : dev_class_find(v);
        if (!cls && strcmp(v, "none") != 0) {
            snprintf(err, errlen, "bus%u.slot%u: unknown device type '%s' (known: %s none)", bus,
                     slot, v, dev_class_names(false));
            return -1;
        }
        if (line && d->line && d->cls) {
            snprintf(err, errlen, "bus%u.slot%u is already taken by a %s (line %u)", bus, slot,
                     d->cls->name, d->line);
            return -1;
        }
        if (!board_config_put(c, bus, slot, cls)) {
            snprintf(err, errlen, "bus%u.slot%u: out of memory", bus, slot);
            return -1;
        }
        d->line = line;
        return 0;
    }
    if (!d->cls) {
        snprintf(err, errlen, "bus%u.slot%u: '%s' set before the slot's type", bus, slot, key);
        return -1;
    }
    char msg[400];
    int r = d->cls->set ? d->cls->set(d->settings, key, v, msg, sizeof msg) : 1;
    if (r < 0)
        snprintf(err, errlen, "bus%u.slot%u: %s", bus, slot, msg);
    else if (r > 0)
        snprintf(err, errlen, "bus%u.slot%u: a %s has no key '%s'%s%s%s", bus, slot, d->cls->name,
                 key, d->cls->keys[0] ? " (its keys: " : "", d->cls->keys,
                 d->cls->keys[0] ? ")" : "");
    return r == 0 ? 0 : -1;
}

/* Parse "busB.slotS"; false if the section is not a slot name. */
static bool parse_slot_section(const char *sec, unsigned *bus, unsigned *slot, bool *valid)
{
    char tail;
    if (sscanf(sec, "bus%u.slot%u%c", bus, slot, &tail) != 2)
        return false;
    *valid = *bus < IOBUS_MAX_BUSES && *slot < IOBUS_SLOTS;
    return true;
}

static int config_apply(struct board_config *c, const struct config_ext *ext, const char *section,
                        const char *key, const char *value, unsigned line, char *err, size_t errlen)
{
    if (ext) {
        int r = ext->apply(ext->opaque, section, key, value, err, errlen);
        if (r <= 0)
            return r;
    }
    if (strcmp(section, "board") == 0)
        return apply_board(c, key, value, err, errlen);
    if (strcmp(section, "cpu") == 0)
        return apply_cpu(c, key, value, err, errlen);
    unsigned bus, slot;
    bool valid;
    if (parse_slot_section(section, &bus, &slot, &valid)) {
        if (!valid) {
            snprintf(err, errlen, "[%s]: buses are 0..%d and slots 0..%d", section,
                     IOBUS_MAX_BUSES - 1, IOBUS_SLOTS - 1);
            return -1;
        }
        return apply_slot(c, bus, slot, key, value, line, err, errlen);
    }
    snprintf(err, errlen, "unknown section [%s] (expected [board], [cpu]%s or [busB.slotS])",
             section, ext && ext->sections ? ext->sections : "");
    return -1;
}

struct load_ctx {
    FILE *f;
    unsigned line; /* lines read so far: the handler's current line (Debian's
                      inih is built without INI_HANDLER_LINENO) */
    struct board_config *c;
    const struct config_ext *ext;
    bool devices_cleared;
    bool bad_section; /* its header was refused: its keys are not checked */
    const char *path;
    char *err; /* every bad line, "config PATH: line N: why", one per line */
    size_t errlen, used;
    unsigned errors, shown;
};

/* A bad line: reported, and the reading goes on (every bad line is told). */
static void refuse_at(struct load_ctx *lc, unsigned line, const char *msg)
{
    lc->errors++;
    int n = snprintf(lc->err + lc->used, lc->errlen - lc->used, "%sconfig %s: line %u: %s",
                     lc->used ? "\n  " : "", lc->path, line, msg);
    if (n > 0 && (size_t)n < lc->errlen - lc->used) {
        lc->used += (size_t)n;
        lc->shown++;
    } else {
        lc->err[lc->used] = 0; /* it does not fit: counted below */
    }
}
static void refuse(struct load_ctx *lc, const char *msg)
{
    refuse_at(lc, lc->line ? lc->line : 1, msg);
}

/* A section header: a file with any [busB.slotS] describes the whole I/O
 * system, and a section counts even without keys (an empty [guest1]). */
static void on_section(struct load_ctx *lc, const char *line)
{
    const char *close = strchr(line, ']');
    if (!close || close - line > 64)
        return; /* malformed: the syntax check reported it */
    char section[65];
    memcpy(section, line + 1, (size_t)(close - line - 1));
    section[close - line - 1] = 0;
    unsigned bus, slot;
    bool valid;
    if (!lc->devices_cleared && parse_slot_section(section, &bus, &slot, &valid)) {
        clear_slots(lc->c);
        lc->devices_cleared = true;
    }
    char msg[512];
    lc->bad_section = false;
    if (lc->ext && lc->ext->apply(lc->ext->opaque, section, NULL, NULL, msg, sizeof msg) < 0) {
        refuse(lc, msg);
        lc->bad_section = true;
    }
}

/* What inih accepts: blank, a comment, [section], name = value (or name: value). */
static bool well_formed(const char *line)
{
    while (*line == ' ' || *line == '\t')
        line++;
    if (!*line || *line == '\n' || *line == '\r' || *line == ';' || *line == '#')
        return true;
    if (*line == '[')
        return strchr(line, ']') != NULL;
    return strpbrk(line, "=:") != NULL && *line != '=' && *line != ':';
}

/* inih's reader: counts lines, checks each, sees section headers, and never
 * lets a line be split (inih's buffer is INI_MAX_LINE bytes: the rest of a
 * longer line would be parsed as a line of its own). A bad line is reported
 * and handed to inih as a blank one. */
static char *counting_reader(char *str, int num, void *stream)
{
    struct load_ctx *lc = stream;
    char *r = fgets(str, num, lc->f);
    if (!r)
        return NULL;
    lc->line++;
    if (!strchr(r, '\n') && !feof(lc->f)) {
        char msg[160];
        snprintf(msg, sizeof msg, "longer than %d characters (give a longer value with --set)",
                 num - 2);
        refuse(lc, msg);
        int ch;
        while ((ch = fgetc(lc->f)) != EOF && ch != '\n')
            ; /* the rest of it */
        strcpy(str, "\n");
        return str;
    }
    if (!well_formed(r)) {
        refuse(lc, "syntax error: not [section], name = value or a comment");
        strcpy(str, "\n");
        return str;
    }
    const char *p = r;
    while (*p == ' ' || *p == '\t')
        p++;
    if (*p == '[')
        on_section(lc, p);
    return r;
}

static int on_ini_entry(void *user, const char *section, const char *name, const char *value)
{
    struct load_ctx *lc = user;
    char msg[512];
    if (!name || lc->bad_section) /* a header alone (on_section saw it), or a refused one's keys */
        return 1;
    if (config_apply(lc->c, lc->ext, section, name, value, lc->line, msg, sizeof msg) != 0)
        refuse(lc, msg);
    return 1;
}

int board_config_load(struct board_config *c, const char *path, char *err, size_t errlen)
{
    return board_config_load_ext(c, NULL, path, err, errlen);
}

int board_config_load_ext(struct board_config *c, const struct config_ext *ext, const char *path,
                          char *err, size_t errlen)
{
    char why[400];
    FILE *f = file_fopen_regular(path, why, sizeof why);
    if (!f) {
        snprintf(err, errlen, "config %s", why);
        return -1;
    }
    err[0] = 0;
    struct load_ctx lc = {.f = f, .c = c, .ext = ext, .path = path, .err = err, .errlen = errlen};
    ini_stop_on_first_error = false; /* every bad line is told */
    int rc = ini_parse_stream(counting_reader, &lc, on_ini_entry, &lc);
    bool read_error = ferror(f);
    fclose(f);
    if (rc > 0 && !lc.errors) /* a line inih refused that the check let through */
        refuse_at(&lc, (unsigned)rc, "syntax error");
    if (read_error || rc < 0) {
        snprintf(err, errlen, "config %s: cannot read the file", path);
        return -1;
    }
    if (!lc.errors)
        return 0;
    if (lc.shown < lc.errors && lc.used + 40 < errlen)
        snprintf(err + lc.used, errlen - lc.used, "\n  (and %u more)", lc.errors - lc.shown);
    return -1;
}

int board_config_set(struct board_config *c, const char *assignment, char *err, size_t errlen)
{
    return board_config_set_ext(c, NULL, assignment, err, errlen);
}

/* s without leading and trailing blanks (in place). */
static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\n' || s[n - 1] == '\r'))
        s[--n] = 0;
    return s;
}

int board_config_set_ext(struct board_config *c, const struct config_ext *ext,
                         const char *assignment, char *err, size_t errlen)
{
    const char *eq = strchr(assignment, '=');
    const char *dot = NULL; /* the last '.' before '=': sections contain dots */
    for (const char *p = assignment; eq && p < eq; p++)
        if (*p == '.')
            dot = p;
    if (!eq || !dot || dot == assignment || dot + 1 == eq) {
        snprintf(err, errlen, "override '%s': expected section.key=value", assignment);
        return -1;
    }
    char section[64], key[64];
    size_t sl = (size_t)(dot - assignment), kl = (size_t)(eq - dot - 1);
    if (sl >= sizeof section || kl >= sizeof key) {
        snprintf(err, errlen, "override '%s': name too long", assignment);
        return -1;
    }
    memcpy(section, assignment, sl);
    section[sl] = 0;
    memcpy(key, dot + 1, kl);
    key[kl] = 0;
    /* As in a file (inih strips them): spaces around names and the value do not count. */
    char value[CONFIG_PATH_MAX];
    if (strlen(eq + 1) >= sizeof value) {
        snprintf(err, errlen, "override '%.64s...': value longer than %zu characters", assignment,
                 sizeof value - 1);
        return -1;
    }
    strcpy(value, eq + 1);
    char msg[512];
    if (config_apply(c, ext, trim(section), trim(key), trim(value), 0, msg, sizeof msg) != 0) {
        snprintf(err, errlen, "override '%s': %s", assignment, msg);
        return -1;
    }
    return 0;
}

int board_config_check(const struct board_config *c, char *err, size_t errlen)
{
    for (unsigned b = 0; b < IOBUS_MAX_BUSES; b++)
        for (unsigned s = 0; s < IOBUS_SLOTS; s++) {
            const struct dev_config *d = &c->slots[b][s];
            if (!d->cls)
                continue;
            if (b >= c->buses) {
                snprintf(err, errlen, "bus%u.slot%u: the board has only %u buses (board.buses)", b,
                         s, c->buses);
                return -1;
            }
            char msg[400];
            if (d->cls->check && d->cls->check(d->settings, msg, sizeof msg) != 0) {
                snprintf(err, errlen, "bus%u.slot%u: %s", b, s, msg);
                return -1;
            }
        }
    return 0;
}
