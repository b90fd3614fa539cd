/*
 * cli/cmd_sweep.c — `trapvisor sweep`: the cartesian product of settings,
 * each combination one `trapvisor run` (a child process: its own machine,
 * its own --stats), up to --jobs at once, one JSON Lines record or CSV row
 * per run in the order of the product (never of completion: the same sweep
 * writes the same file). docs/sweep.md.
 */
#include "cli/cli.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util/fileio.h"
#include "util/parse.h"

#define MAX_AXES    8
#define MAX_VALUES  256
#define MAX_METRICS 32
#define MAX_RUNS    4096

struct axis {
    char key[128];
    unsigned n;
    char *values[MAX_VALUES];
};

struct sweep {
    struct axis axes[MAX_AXES];
    unsigned naxes, nruns, jobs;
    const char *metrics[MAX_METRICS];
    unsigned nmetrics;
    int run_argc;
    char **run_argv; /* what follows "--": trapvisor run's arguments */
    char dir[64];    /* the runs' stats files */
    FILE *out;
    bool csv;
};

static void sweep_usage(FILE *f)
{
    fprintf(f,
            "usage: trapvisor sweep --vary KEY=VALUES [--vary ...] [--metric PATH ...]\n"
            "                       [--jobs N] [--out FILE.jsonl|FILE.csv] -- RUN-ARGS...\n"
            "  --vary KEY=V1,V2,...  a setting (as --set KEY=V) and its values; A..B or\n"
            "                        A..B:STEP for a range of integers\n"
            "  --metric PATH         a number of the run's --stats to record (dotted,\n"
            "                        array items by index: guests.0.traps.total);\n"
            "                        default: instructions, cycles, host_seconds\n"
            "  --jobs N              runs at once (default: the cores)\n"
            "  --out FILE            JSON Lines, or CSV when FILE ends in .csv (default stdout)\n"
            "  RUN-ARGS              `trapvisor run`'s arguments for every run (e.g. --vmm\n"
            "                        --config FILE); each run adds --set KEY=V and --stats\n");
}

/* "4..16:4" or "a,b,c" into the axis's values. */
static int parse_values(struct axis *a, const char *v, char *err, size_t errlen)
{
    uint64_t lo, hi, step = 1;
    char s_lo[32], s_hi[32], s_step[32] = "1";
    if (sscanf(v, "%31[0-9x]..%31[0-9x]:%31[0-9x]", s_lo, s_hi, s_step) >= 2 &&
        parse_u64(s_lo, &lo) && parse_u64(s_hi, &hi) && parse_u64(s_step, &step)) {
        if (step == 0 || hi < lo || (hi - lo) / step >= MAX_VALUES) {
            snprintf(err, errlen, "%s: a range of 1..%d values with a step > 0", v, MAX_VALUES);
            return -1;
        }
        for (uint64_t x = lo; x <= hi; x += step) {
            char buf[24];
            snprintf(buf, sizeof buf, "%llu", (unsigned long long)x);
            a->values[a->n++] = strdup(buf);
        }
        return 0;
    }
    char *copy = strdup(v);
    for (char *tok = strtok(copy, ","); tok; tok = strtok(NULL, ",")) {
        if (a->n == MAX_VALUES) {
            snprintf(err, errlen, "%s: more than %d values", v, MAX_VALUES);
            free(copy);
            return -1;
        }
        a->values[a->n++] = strdup(tok);
    }
    free(copy);
    if (!a->n) {
        snprintf(err, errlen, "'%s': no values", v);
        return -1;
    }
    return 0;
}

static int add_axis(struct sweep *s, const char *arg, char *err, size_t errlen)
{
    const char *eq = strchr(arg, '=');
    if (!eq || eq == arg || (size_t)(eq - arg) >= sizeof s->axes[0].key) {
        snprintf(err, errlen, "--vary %s: not KEY=VALUES", arg);
        return -1;
    }
    if (s->naxes == MAX_AXES) {
        snprintf(err, errlen, "--vary: at most %d settings", MAX_AXES);
        return -1;
    }
    struct axis *a = &s->axes[s->naxes++];
    memcpy(a->key, arg, (size_t)(eq - arg));
    a->key[eq - arg] = 0;
    return parse_values(a, eq + 1, err, errlen);
}

/* Run i's value of each axis: the product in order, the last axis fastest. */
static const char *value_of(const struct sweep *s, unsigned run, unsigned axis)
{
    unsigned div = 1;
    for (unsigned k = s->naxes; k-- > axis + 1;)
        div *= s->axes[k].n;
    return s->axes[axis].values[(run / div) % s->axes[axis].n];
}

/* ---- running ---------------------------------------------------------------------- */

static void stats_path(const struct sweep *s, unsigned run, char *buf, size_t len)
{
    snprintf(buf, len, "%s/run%u.json", s->dir, run);
}

static pid_t start_run(const struct sweep *s, unsigned run)
{
    static char prog[] = "trapvisor", run_word[] = "run", set_word[] = "--set",
                stats_word[] = "--stats";
    char **argv = calloc((size_t)(s->run_argc + 2 * s->naxes + 6), sizeof *argv);
    char stats[128], sets[MAX_AXES][600];
    int n = 0;
    argv[n++] = prog;
    argv[n++] = run_word;
    for (int i = 0; i < s->run_argc; i++)
        argv[n++] = s->run_argv[i];
    for (unsigned k = 0; k < s->naxes; k++) {
        snprintf(sets[k], sizeof sets[k], "%s=%s", s->axes[k].key, value_of(s, run, k));
        argv[n++] = set_word;
        argv[n++] = sets[k];
    }
    stats_path(s, run, stats, sizeof stats);
    argv[n++] = stats_word;
    argv[n++] = stats;
    argv[n] = NULL;
    pid_t pid = fork();
    if (pid == 0) {
        int null = open("/dev/null", O_RDWR);
        char errpath[160];
        snprintf(errpath, sizeof errpath, "%s/run%u.err", s->dir, run);
        int e = open(errpath, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        dup2(null, 0), dup2(null, 1), dup2(e >= 0 ? e : null, 2);
        execv("/proc/self/exe", argv);
        _exit(127);
    }
    free(argv);
    return pid;
}

static cJSON *json_file_or_null(const char *path)
{
    unsigned char *data;
    size_t len;
    char err[256];
    if (file_read_all(path, (size_t)64 << 20, &data, &len, err, sizeof err) != 0)
        return NULL;
    cJSON *o = cJSON_ParseWithLength((const char *)data, len);
    free(data);
    return o;
}

/* A number at a dotted path of o (array items by index); false when none. */
static bool metric(const cJSON *o, const char *path, double *v)
{
    char copy[256];
    snprintf(copy, sizeof copy, "%s", path);
    for (char *tok = strtok(copy, "."); tok && o; tok = strtok(NULL, "."))
        o = cJSON_IsArray(o) ? cJSON_GetArrayItem(o, atoi(tok)) : cJSON_GetObjectItem(o, tok);
    if (!cJSON_IsNumber(o))
        return false;
    *v = o->valuedouble;
    return true;
}

/* The first line of run's stderr (why it failed), into buf. */
static void first_error(const struct sweep *s, unsigned run, char *buf, size_t len)
{
    char path[160];
    snprintf(path, sizeof path, "%s/run%u.err", s->dir, run);
    buf[0] = 0;
    FILE *f = fopen(path, "r");
    if (f) {
        if (fgets(buf, (int)len, f))
            buf[strcspn(buf, "\n")] = 0;
        fclose(f);
    }
}

static void csv_field(FILE *out, const char *v)
{
    fputc('"', out);
    for (; *v; v++) {
        if (*v == '"')
            fputc('"', out);
        fputc(*v, out);
    }
    fputc('"', out);
}

static void csv_header(const struct sweep *s)
{
    fprintf(s->out, "run");
    for (unsigned k = 0; k < s->naxes; k++)
        fputc(',', s->out), csv_field(s->out, s->axes[k].key);
    fprintf(s->out, ",exit,stop");
    for (unsigned m = 0; m < s->nmetrics; m++)
        fputc(',', s->out), csv_field(s->out, s->metrics[m]);
    fprintf(s->out, ",error\n");
}

/* One run's record: its settings, exit status, stop and metrics. */
static void write_record(const struct sweep *s, unsigned run, int status)
{
    char path[128], err[300];
    stats_path(s, run, path, sizeof path);
    cJSON *st = json_file_or_null(path);
    const cJSON *stop = st ? cJSON_GetObjectItem(st, "stop") : NULL;
    const char *stop_s = cJSON_IsString(stop) ? stop->valuestring : "";
    first_error(s, run, err, sizeof err);
    if (status == 0 || (st && strcmp(stop_s, "poweroff") == 0))
        err[0] = 0; /* a run that ended as it should has nothing to say */
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "run", run);
    cJSON *set = cJSON_AddObjectToObject(o, "settings");
    for (unsigned k = 0; k < s->naxes; k++)
        cJSON_AddStringToObject(set, s->axes[k].key, value_of(s, run, k));
    cJSON_AddNumberToObject(o, "exit", status);
    cJSON_AddStringToObject(o, "stop", stop_s);
    cJSON *mets = cJSON_AddObjectToObject(o, "metrics");
    double v;
    for (unsigned m = 0; m < s->nmetrics; m++)
        if (st && metric(st, s->metrics[m], &v))
            cJSON_AddNumberToObject(mets, s->metrics[m], v);
        else
            cJSON_AddNullToObject(mets, s->metrics[m]);
    if (err[0])
        cJSON_AddStringToObject(o, "error", err);
    if (s->csv) {
        fprintf(s->out, "%u", run);
        for (unsigned k = 0; k < s->naxes; k++)
            fputc(',', s->out), csv_field(s->out, value_of(s, run, k));
        fprintf(s->out, ",%d,%s", status, stop_s);
        for (unsigned m = 0; m < s->nmetrics; m++) {
            const cJSON *x = cJSON_GetObjectItem(mets, s->metrics[m]);
            if (cJSON_IsNumber(x))
                fprintf(s->out, ",%.17g", x->valuedouble);
            else
                fputc(',', s->out);
        }
        fputc(',', s->out), csv_field(s->out, err), fputc('\n', s->out);
    } else {
        char *line = cJSON_PrintUnformatted(o);
        fprintf(s->out, "%s\n", line);
        free(line);
    }
    cJSON_Delete(o);
    cJSON_Delete(st);
}

static void progress(unsigned done, unsigned total)
{
    if (isatty(STDERR_FILENO))
        fprintf(stderr, "\rsweep: %u/%u runs done%s", done, total, done == total ? "\n" : "");
}

/* All runs, at most jobs at once; records written in run order. */
static int run_all(struct sweep *s)
{
    pid_t *pids = calloc(s->nruns, sizeof *pids);
    int *status = calloc(s->nruns, sizeof *status);
    bool *ended = calloc(s->nruns, sizeof *ended);
    unsigned next = 0, running = 0, done = 0, written = 0, failed = 0;
    if (s->csv)
        csv_header(s);
    while (written < s->nruns) {
        while (running < s->jobs && next < s->nruns) {
            pids[next] = start_run(s, next);
            if (pids[next] < 0) {
                fprintf(stderr, "trapvisor sweep: fork: %s\n", strerror(errno));
                return 1;
            }
            next++, running++;
        }
        int st;
        pid_t pid = wait(&st);
        for (unsigned i = 0; pid > 0 && i < next; i++)
            if (pids[i] == pid && !ended[i]) {
                ended[i] = true;
                status[i] = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
                running--, done++;
                failed += status[i] == 2; /* bad input: the sweep's own mistake */
            }
        while (written < next && ended[written])
            write_record(s, written, status[written]), written++;
        fflush(s->out);
        progress(done, s->nruns);
    }
    free(pids), free(status), free(ended);
    if (failed) {
        char err[300];
        for (unsigned i = 0; i < s->nruns; i++) /* the first refused run says why */
            if (first_error(s, i, err, sizeof err), err[0]) {
                fprintf(stderr, "trapvisor sweep: %u run%s refused their settings; run %u: %s\n",
                        failed, failed == 1 ? "" : "s", i, err);
                break;
            }
        return 1;
    }
    return 0;
}

static int parse_args(struct sweep *s, int argc, char **argv)
{
    static const struct option opts[] = {
        {"vary", required_argument, 0, 'v'}, {"metric", required_argument, 0, 'm'},
        {"jobs", required_argument, 0, 'j'}, {"out", required_argument, 0, 'o'},
        {"help", no_argument, 0, 'h'},       {0, 0, 0, 0},
    };
    const char *out = NULL;
    char err[400];
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    s->jobs = cores > 0 ? (unsigned)cores : 1;
    optind = 1;
    int ch;
    uint32_t jobs;
    while ((ch = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
        switch (ch) {
        case 'v':
            if (add_axis(s, optarg, err, sizeof err) != 0) {
                fprintf(stderr, "trapvisor sweep: %s\n", err);
                return 2;
            }
            break;
        case 'm':
            if (s->nmetrics == MAX_METRICS) {
                fprintf(stderr, "trapvisor sweep: at most %d --metric\n", MAX_METRICS);
                return 2;
            }
            s->metrics[s->nmetrics++] = optarg;
            break;
        case 'j':
            if (!parse_u32(optarg, &jobs) || jobs == 0 || jobs > 256) {
                fprintf(stderr, "trapvisor sweep: --jobs: 1..256, not '%s'\n", optarg);
                return 2;
            }
            s->jobs = jobs;
            break;
        case 'o': out = optarg; break;
        case 'h': sweep_usage(stdout); return -1;
        default: sweep_usage(stderr); return 2;
        }
    }
    if (!s->naxes) {
        fprintf(stderr, "trapvisor sweep: nothing to vary (--vary KEY=VALUES)\n");
        return 2;
    }
    s->run_argc = argc - optind;
    s->run_argv = argv + optind;
    s->nruns = 1;
    for (unsigned k = 0; k < s->naxes; k++) {
        s->nruns *= s->axes[k].n;
        if (s->nruns > MAX_RUNS) {
            fprintf(stderr, "trapvisor sweep: more than %d runs\n", MAX_RUNS);
            return 2;
        }
    }
    if (!s->nmetrics) {
        static const char *const dflt[] = {"instructions", "cycles", "host_seconds"};
        for (unsigned i = 0; i < 3; i++)
            s->metrics[s->nmetrics++] = dflt[i];
    }
    s->out = stdout;
    if (out) {
        size_t n = strlen(out);
        s->csv = n > 4 && strcmp(out + n - 4, ".csv") == 0;
        if (!(s->out = fopen(out, "w"))) {
            fprintf(stderr, "trapvisor sweep: --out %s: %s\n", out, strerror(errno));
            return 2;
        }
    }
    return 0;
}

int cmd_sweep(int argc, char **argv)
{
    static struct sweep s;
    memset(&s, 0, sizeof s);
    int rc = parse_args(&s, argc, argv);
    if (rc == 0) {
        snprintf(s.dir, sizeof s.dir, "/tmp/trapvisor-sweep.XXXXXX");
        if (!mkdtemp(s.dir)) {
            fprintf(stderr, "trapvisor sweep: a directory for the runs: %s\n", strerror(errno));
            rc = 1;
        } else {
            rc = run_all(&s);
            char cmd[128];
            snprintf(cmd, sizeof cmd, "rm -rf '%s'", s.dir);
            if (system(cmd) != 0)
                fprintf(stderr, "trapvisor sweep: %s left behind\n", s.dir);
        }
    }
    if (s.out && s.out != stdout && fclose(s.out) != 0) {
        fprintf(stderr, "trapvisor sweep: --out: cannot write\n");
        rc = rc ? rc : 74;
    }
    for (unsigned k = 0; k < s.naxes; k++)
        for (unsigned i = 0; i < s.axes[k].n; i++)
            free(s.axes[k].values[i]);
    return rc < 0 ? 0 : rc;
}
