/*
 * fuzz/fuzz_config.c — libFuzzer target: a configuration file as a user
 * might write it (INI with [board], [cpu], [busB.slotS], [vmm], [guestN]),
 * then everything built from it: the board's device tree, each guest's
 * rewritten tree, the native board and the monitor, and a short run of each.
 * Any crash, sanitizer report or hang is a bug; a refused config is fine.
 *
 * Paths are kept inside a scratch directory (a config naming a file with
 * '/' in it is not built), so the fuzzer cannot write or lock a host file.
 */
#include <fcntl.h>
#include <stdbool.h>
#include <libfdt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dev/disk.h"
#include "dev/uart.h"
#include "machine/board.h"
#include "machine/fdt.h"
#include "machine/rom.h"
#include "vmm/vmm_priv.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char scratch[64];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    strcpy(scratch, "/tmp/tv_fuzz_XXXXXX");
    if (!mkdtemp(scratch) || chdir(scratch) != 0)
        abort();
    return 0;
}

static bool local(const char *path) { return !strchr(path, '/'); }

/* Every file the configuration names is in the scratch directory. */
static bool paths_are_local(const struct vmm_config *c)
{
    if (!local(c->board.kernel) || !local(c->board.firmware))
        return false;
    for (unsigned b = 0; b < IOBUS_MAX_BUSES; b++)
        for (unsigned s = 0; s < IOBUS_SLOTS; s++) {
            const struct dev_config *d = &c->board.slots[b][s];
            if (d->cls == &uart_class) {
                const struct uart_settings *u = d->settings;
                if (!local(u->input) || !local(u->output))
                    return false;
            } else if (d->cls == &disk_class &&
                       !local(((const struct disk_settings *)d->settings)->image)) {
                return false;
            }
        }
    for (unsigned i = 0; i < c->nguests; i++)
        if (!local(c->guests[i].kernel) || !local(c->guests[i].input) ||
            !local(c->guests[i].output))
            return false;
    return true;
}

static void build_trees(const struct vmm_config *c)
{
    static uint8_t board[ROM_FDT_MAX] __attribute__((aligned(8)));
    static uint8_t out[ROM_FDT_MAX] __attribute__((aligned(8)));
    if (board_fdt_build(&c->board, board, sizeof board) < 0)
        return;
    if (fdt_check_header(board) != 0)
        abort(); /* we built it: it must be a valid tree */
    for (unsigned i = 0; i < c->nguests; i++)
        if (guest_fdt_rewrite(c, i, &c->guests[i], board, out, sizeof out) > 0 &&
            fdt_check_header(out) != 0)
            abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 4096)
        return 0;
    char path[96];
    snprintf(path, sizeof path, "%s/config.ini", scratch);
    FILE *f = fopen(path, "w");
    if (!f || fwrite(data, 1, size, f) != size || fclose(f) != 0)
        abort();
    struct vmm_config c;
    char err[1024];
    if (!vmm_config_default(&c))
        abort();
    /* The same bytes as --set overrides, one a line, on a fresh configuration. */
    struct vmm_config o;
    if (!vmm_config_default(&o))
        abort();
    char line[512];
    size_t n = 0;
    for (size_t i = 0; i <= size; i++) {
        if (i == size || data[i] == '\n' || n == sizeof line - 1) {
            line[n] = 0;
            vmm_config_set(&o, line, err, sizeof err);
            n = 0;
        } else if (data[i]) {
            line[n++] = (char)data[i];
        }
    }
    vmm_config_check(&o, err, sizeof err);
    vmm_config_free(&o);
    if (vmm_config_load(&c, path, err, sizeof err) == 0 && c.board.ram_size <= (64u << 20) &&
        paths_are_local(&c) && vmm_config_check(&c, err, sizeof err) == 0) {
        build_trees(&c);
        board_t *b = board_new(&c.board, err, sizeof err);
        if (b) {
            board_run(b, 20000);
            board_free(b);
        }
        vmm_t *v = vmm_new(&c, err, sizeof err);
        if (v) {
            vmm_run(v, 20000);
            vmm_free(v);
        }
    }
    vmm_config_free(&c);
    return 0;
}
