/* machine/board_priv.h — the board's state, shared by board.c and trace.c only. */
#ifndef MACHINE_BOARD_PRIV_H
#define MACHINE_BOARD_PRIV_H

#include "util/storm.h"
#include "dev/fb.h"
#include "machine/board.h"
#include "dev/power.h"
#include "util/disasm.h"

struct board {
    const struct board_config *cfg; /* borrowed: the caller keeps it alive */
    bool hosted;                    /* built for a monitor: no kernel, no console input */
    phys_t *phys;
    cpu_t *cpu;
    iobus_t *io;
    elfimg_t *firmware, *kernel;
    uint32_t kernel_image; /* physical address where the kernel ELF file is placed */

    uart_t *console;
    uart_out_fn console_fn;
    void *console_opaque;
    FILE *console_file; /* the UART's output file when not stdout (owned) */
    bool console_write_failed;
    int console_in_fd; /* owned when not stdin; -1 none */
    bool interactive;  /* console input is a terminal: idle waits sleep on it */
    disk_t *disks[IOBUS_MAX_BUSES * IOBUS_SLOTS]; /* statistics: all of them together */
    unsigned ndisks;
    tpm_t *tpm;
    power_t *power;
    struct vswitch *vswitch;
    fb_t *fb; /* the first framebuffer, NULL none */
    unsigned fb_bus;
    cpu_event_fn observer; /* a front end's (board_set_observer) */
    void *observer_opaque;

    uint64_t deadline; /* next device event, as given to the CPU */
    bool powered_off, reset_pending, host_stop;
    struct storm storm; /* the guest's exceptions: a storm ends the run */
    bool stormed;
    unsigned exit_code;
    uint64_t console_bytes;
    uint64_t interrupts_by_line[8];

    /* tracing (trace.c) */
    unsigned trace_mask;
    FILE *trace_out;
    disasm_t *disasm;
};

void board_trace_exception(struct board *b, const struct cpu_event *ev);

#endif
