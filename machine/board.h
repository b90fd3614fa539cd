/*
 * machine/board.h — a whole computer: RAM, the CPU, I/O buses with the
 * configured devices, the boot ROM with the device tree and boot info, and the
 * kernel image placed for the firmware (machine/rom.h: the boot protocol).
 * The native owner of the CPU: it runs it, ticks device time, and turns
 * power-off into a stop with an exit code.
 *
 * Ownership: the board owns everything it creates; accessors lend pointers
 * valid until board_free(). It borrows its configuration, which must stay
 * alive (and unchanged) until board_free().
 */
#ifndef MACHINE_BOARD_H
#define MACHINE_BOARD_H

#include <stdio.h>

#include "cpu/cpu.h"
#include "dev/disk.h"
#include "dev/tpm.h"
#include "dev/fb.h"
#include "dev/uart.h"
#include "iobus/iobus.h"
#include "machine/config.h"
#include "util/elfload.h"

typedef struct board board_t;

enum board_stop {
    BOARD_POWEROFF,      /* the guest powered off: see board_exit_code() */
    BOARD_LIMIT,         /* the instruction budget is spent */
    BOARD_HUNG,          /* the CPU waits for an interrupt that nothing can raise */
    BOARD_HOST,          /* board_request_stop() */
    BOARD_MACHINE_CHECK, /* an exception vector could not be fetched (cpu_vector_fault) */
    BOARD_STORM,         /* an exception storm (util/storm.h): board_storm() says which */
};

/* Build the board and place firmware, FDT, boot info and kernel; the CPU sits
 * at the reset vector. NULL with a one-line message in err on a bad config,
 * a missing or corrupt ELF, an unusable disk image. */
board_t *board_new(const struct board_config *cfg, char *err, size_t errlen);
/* The same board for a monitor (vmm/): devices, boot ROM and device tree,
 * but no kernel placed and no console input taken (the monitor gives each
 * guest its own). */
board_t *board_new_hosted(const struct board_config *cfg, char *err, size_t errlen);
void board_free(board_t *b);

/* Run until a stop, at most max_insns instructions. */
enum board_stop board_run(board_t *b, uint64_t max_insns);
/* The same with the idle time skipped in WAIT bounded apart (board_run:
 * both by max_insns). */
enum board_stop board_run_limits(board_t *b, uint64_t max_insns, uint64_t max_idle);
void board_request_stop(board_t *b);
/* After BOARD_STORM: the exception (ExcCode), its PC and BadVAddr. */
bool board_storm(const board_t *b, unsigned *code, uint32_t *pc, uint32_t *badva);
unsigned board_exit_code(const board_t *b);
const char *board_stop_name(enum board_stop s);

/* Redirect the console UART's output (default: its configured output). */
void board_set_console(board_t *b, uart_out_fn fn, void *opaque);

/* A front end's view of the CPU's events (exceptions delivered, TLB writes,
 * ERETs, sensitive instructions): called from inside the run, after the
 * board's own bookkeeping; it may call board_request_stop(). Under a monitor
 * the CPU's event hook is the monitor's: use vmm_set_observer() there. */
void board_set_observer(board_t *b, cpu_event_fn fn, void *opaque);
/* The first framebuffer device and its bus (NULL: the board has none). */
fb_t *board_framebuffer(board_t *b, unsigned *bus);
/* The board's TPM (NULL: none). */
tpm_t *board_tpm(board_t *b);
/* The kernel and firmware images (symbols); the kernel is NULL on a hosted board. */
const elfimg_t *board_kernel(const board_t *b);
const elfimg_t *board_firmware(const board_t *b);

/* Trace categories, to `out` (NULL turns tracing off). */
enum board_trace {
    TRACE_EXC = 1u << 0,    /* exceptions: kind, PC, symbol, instruction, BadVAddr */
    TRACE_TLB = 1u << 1,    /* TLB writes and refills */
    TRACE_IO = 1u << 2,     /* MMIO accesses to bus slots */
    TRACE_INSNS = 1u << 3,  /* every instruction (slow) */
    TRACE_GOTCHA = 1u << 4, /* sensitive instructions run outside kernel mode ([cpu] switches) */
    TRACE_TPM = 1u << 5,    /* each TPM command: code, locality, sizes, result, cycles */
};
/* Parse "exceptions,tlb,io,insns,gotcha"; false on an unknown name. */
bool board_trace_parse(const char *list, unsigned *mask);
void board_set_trace(board_t *b, unsigned mask, FILE *out);

struct board_stats {
    struct cpu_stats cpu;
    struct iobus_stats io;
    struct disk_stats disk;
    bool has_disk;
    struct tpm_stats tpm;
    bool has_tpm;
    uint64_t console_bytes;
    uint64_t interrupts_by_line[8]; /* Int exceptions taken, by the highest pending IP */
};
void board_get_stats(const board_t *b, struct board_stats *out);

cpu_t *board_cpu(board_t *b);
phys_t *board_phys(board_t *b);
iobus_t *board_iobus(board_t *b);
const struct board_config *board_config_of(const board_t *b);
/* Did writing the console's output fail (a full disk, a closed pipe)? True
 * with a message; flushes it first. Front ends ask at the end of a run. */
bool board_output_error(board_t *b, char *err, size_t errlen);
/* Write to the console's sink (what the UART's output goes to), counted in
 * console_bytes: the monitor's console multiplexer prints through this. */
void board_console_write(board_t *b, const char *buf, size_t len);
/* Check a kernel for the boot protocol on ram_size bytes of RAM and return
 * where its image is staged (machine/rom.h). 0, or -1 with a message. */
int board_kernel_placement(const elfimg_t *kernel, uint32_t ram_size, uint32_t *image, char *err,
                           size_t errlen);
/* Open a guest ELF (given path, else the default guests/<dflt>) and check its
 * byte order. NULL with a message. */
elfimg_t *board_open_guest(const char *given, const char *dflt, const char *what, bool big_endian,
                           char *err, size_t errlen);

/* Default guest paths: <dir of the running executable>/guests/<name>, else
 * the build tree's guests/ directory. Writes the path into buf; false if it
 * does not fit. */
bool board_guest_path(const char *name, char *buf, size_t len);

#endif
