/*
 * guests/labs/gotcha/gotcha.c — the virtualizability lab kernel (the ERET
 * "gotcha"; docs/labs/virtualizability.md). A bare kernel that checks, in
 * order, that the three kinds of sensitive instruction behave as a kernel
 * must be able to trust:
 *   [mfc0]  MFC0 Status returns what the kernel wrote (kernel mode, IM7);
 *   [di/ei] no interrupt arrives between DI and EI, and one does after EI;
 *   [code]  the kernel reads its own code as it was built (a monitor that
 *           patches code must hide it);
 *   [eret]  ERET starts a user process in user mode: the process must not
 *           read kernel memory (kseg0) nor install a TLB entry onto it.
 * Under a monitor on hardware where those instructions do not trap (the
 * [cpu] switches), the checks fail; the scanner fix and the paravirtual
 * build (-DPARAVIRT: hypercalls instead of the instructions) make them pass.
 * It prints one line per check, then "gotcha: RESULT mfc0=.. diei=.. eret=..",
 * and powers off with a bit mask of what broke: 1 mfc0, 2 di/ei, 4 eret,
 * 8 an exception storm or an unexpected kernel exception, 16 code.
 */
#include <stdbool.h>

#include "fmt.h"
#include "hw.h"
#include "hypcall.h"

#define USER_VA     0x00400000u
#define U_STARTED   0
#define U_PROBE     1
#define U_SECRET    2
#define U_FORGE_LO  3
#define U_FORGE_OFF 4
#define SECRET      0xC0FFEE11u

#define BROKEN_MFC0  1u
#define BROKEN_DIEI  2u
#define BROKEN_ERET  4u
#define BROKEN_STORM 8u
#define BROKEN_CODE  16u

void lab_main(uint32_t fdt, uint32_t bootinfo);
void exc_handler(uint32_t cause, uint32_t epc);
void enter_user(uint32_t pc, uint32_t status) __attribute__((noreturn));
extern char user_code[];
extern const uint32_t exc_return[]; /* start.S: the exception handler's ERET */

volatile uint32_t kernel_secret = SECRET;
uint32_t exc_frame[20];
uint32_t exc_stack[1024] __attribute__((aligned(16))); /* start.S: sp = exc_stack + 4096 */
static volatile uint32_t user_page[1024] __attribute__((aligned(4096)));
static uint32_t uart, power;
static volatile uint32_t irq_count, exc_count, in_user;
static volatile uint32_t user_fault[4], user_faults[4];
static unsigned broken;
static const char *phase = "boot";

/* ---- the sensitive instructions ------------------------------------------ */

static inline uint32_t read_status(void)
{
#ifdef PARAVIRT
    return hypcall_v0(HC_STATUS);
#else
    return mfc0(C0_STATUS);
#endif
}

static inline uint32_t disable_irqs(void)
{
#ifdef PARAVIRT
    return hypcall_v0(HC_DI);
#else
    uint32_t v;
    __asm__ volatile("di %0\n\tehb" : "=r"(v) : : "memory");
    return v;
#endif
}

static inline uint32_t enable_irqs(void)
{
#ifdef PARAVIRT
    return hypcall_v0(HC_EI);
#else
    uint32_t v;
    __asm__ volatile("ei %0\n\tehb" : "=r"(v) : : "memory");
    return v;
#endif
}

/* ---- console and power ----------------------------------------------------- */

static void putc_uart(char c, void *arg)
{
    (void)arg;
    if (uart)
        mmio_write(uart + SLOT_DEV_BASE + UART_DATA, (uint8_t)c);
}

static void say(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fmt_format(putc_uart, 0, fmt, ap);
    va_end(ap);
}

static void find_devices(void)
{
    for (uint32_t bus = 0; bus < IOBUS_MAX_BUSES; bus++)
        for (uint32_t slot = 0; slot < IOBUS_SLOTS; slot++) {
            uint32_t base = slot_base(bus, slot);
            uint32_t id = mmio_read(base + SLOT_REG_ID);
            if (id == (VENDOR_TV << 16 | DEVID_UART) && !uart)
                uart = base;
            if (id == (VENDOR_TV << 16 | DEVID_POWER) && !power)
                power = base;
        }
}

static const char *verdict(unsigned bit) { return (broken & bit) ? "BROKEN" : "ok"; }

static void __attribute__((noreturn)) finish(void)
{
    say("gotcha: RESULT mfc0=%s diei=%s code=%s eret=%s%s\n", verdict(BROKEN_MFC0),
        verdict(BROKEN_DIEI), verdict(BROKEN_CODE), verdict(BROKEN_ERET),
        (broken & BROKEN_STORM) ? " storm=yes" : "");
    if (broken)
        say("gotcha: this kernel cannot trust its hardware (exit %u)\n", broken);
    else
        say("gotcha: every sensitive instruction behaved: the monitor is invisible\n");
    if (power)
        mmio_write(power + SLOT_DEV_BASE + POWER_OFF, broken);
    for (;;)
        __asm__ volatile("wait");
}

/* ---- exceptions ------------------------------------------------------------ */

static void __attribute__((noreturn)) user_done(void);

void exc_handler(uint32_t cause, uint32_t epc)
{
    unsigned code = (cause >> 2) & 31u;
    if (++exc_count > 5000) {
        broken |= BROKEN_STORM | (in_user ? BROKEN_ERET : 0);
        say("gotcha: exception storm: 5000 exceptions, the last with Cause %08x at %08x — "
            "the kernel cannot tell why it traps\n",
            cause, epc);
        finish();
    }
    if (code == EXC_INT) {
        irq_count++;
        mtc0(C0_COMPARE, mfc0(C0_COUNT) - 1); /* acknowledge: next match 2^32 cycles away */
        return;
    }
    if (in_user) {
        if (code == EXC_SYS)
            user_done();
        unsigned probe = user_page[U_PROBE] & 3u;
        if (!user_fault[probe])
            user_fault[probe] = code + 1;
        user_faults[probe]++;
        mtc0(C0_EPC, epc + 4); /* the probes keep their accesses out of delay slots */
        return;
    }
    broken |= BROKEN_STORM;
    say("gotcha: unexpected exception %u in the kernel at %08x (Cause %08x) during [%s]\n", code,
        epc, cause, phase);
    finish();
}

/* ---- the checks ------------------------------------------------------------ */

static void check_mfc0(void)
{
    phase = "mfc0";
    uint32_t st = read_status();
    bool ok = (st & (ST_KSU_MASK | ST_EXL | ST_ERL)) == 0 && (st & ST_IM_MASK) == ST_IM7;
    say("gotcha: [mfc0] Status reads %08x (written: %08x): %s\n", st, ST_IM7,
        ok ? "kernel mode, IM7 set: ok"
           : "BROKEN: that is not what the kernel wrote (the real Status: user mode, no IM bits)");
    if (!ok)
        broken |= BROKEN_MFC0;
}

static void check_diei(void)
{
    phase = "di/ei";
    irq_count = 0;
    mtc0(C0_COMPARE, mfc0(C0_COUNT) + 2000);
    mtc0(C0_STATUS, ST_IM7 | ST_IE);
    disable_irqs(); /* a critical section: no interrupt until enable_irqs() */
    for (volatile unsigned i = 0; i < 2000; i++)
        ;
    uint32_t inside = irq_count;
    enable_irqs();
    for (volatile unsigned i = 0; i < 2000 && irq_count == 0; i++)
        ;
    uint32_t after = irq_count;
    mtc0(C0_STATUS, ST_IM7);
    bool ok = inside == 0 && after >= 1;
    say("gotcha: [di/ei] timer interrupts inside di..ei: %u, after ei: %u: %s\n", inside, after,
        ok       ? "ok"
        : inside ? "BROKEN: an interrupt arrived inside the critical section"
                 : "BROKEN: the interrupt never arrived after ei");
    if (!ok)
        broken |= BROKEN_DIEI;
}

static void check_code(void)
{
    phase = "code";
#ifdef PARAVIRT
    uint32_t built = HYPCALL_WORD(HC_ERET);
#else
    uint32_t built = 0x42000018; /* eret */
#endif
    uint32_t seen = *(volatile const uint32_t *)exc_return;
    bool ok = seen == built;
    say("gotcha: [code] the word at %08x (the handler's return) reads %08x, built as %08x: %s\n",
        (uint32_t)exc_return, seen, built,
        ok ? "ok" : "BROKEN: the kernel's code is not what it was built from");
    if (!ok)
        broken |= BROKEN_CODE;
}

static void __attribute__((noreturn)) check_eret(void)
{
    phase = "eret";
    uint32_t secret_pa = K0_TO_PHYS(&kernel_secret);
    user_page[U_FORGE_LO] =
        (secret_pa >> 12) << PTE_PFN_SHIFT | PTE_C_CACHED | PTE_D | PTE_V | PTE_G;
    user_page[U_FORGE_OFF] = secret_pa & 0xFFFu;
    /* One wired pair: the user's code page, then its data page. */
    mtc0(C0_WIRED, 1);
    mtc0(C0_INDEX, 0);
    mtc0(C0_PAGEMASK, 0);
    mtc0(C0_ENTRYHI, USER_VA);
    mtc0(C0_ENTRYLO0,
         (K0_TO_PHYS(user_code) >> 12) << PTE_PFN_SHIFT | PTE_C_CACHED | PTE_V | PTE_G);
    mtc0(C0_ENTRYLO1,
         (K0_TO_PHYS(user_page) >> 12) << PTE_PFN_SHIFT | PTE_C_CACHED | PTE_D | PTE_V | PTE_G);
    __asm__ volatile("tlbwi\n\tehb" ::: "memory");
    in_user = 1;
    say("gotcha: [eret] starting a user process at %08x with ERET\n", USER_VA);
    enter_user(USER_VA, ST_KSU_USER | ST_EXL | ST_IM7);
}

static void __attribute__((noreturn)) user_done(void)
{
    in_user = 0;
    bool started = user_page[U_STARTED] == 0x600D;
    uint32_t leaked = user_page[U_SECRET];
    bool overwritten = kernel_secret != SECRET;
    say("gotcha: [eret] the user process ran: %s\n", started ? "yes" : "NO");
    if (user_fault[1])
        say("gotcha: [eret] its read of kernel memory (kseg0) faulted (exception %u): ok\n",
            user_fault[1] - 1);
    else
        say("gotcha: [eret] BROKEN: it read kernel memory: the secret %08x\n", leaked);
    if (user_fault[2] && !overwritten)
        say("gotcha: [eret] its TLB forging faulted %u times (exception %u): ok\n", user_faults[2],
            user_fault[2] - 1);
    else
        say("gotcha: [eret] BROKEN: it installed a TLB entry onto the kernel's page and wrote "
            "through it: the secret is now %08x\n",
            kernel_secret);
    if (!started || !user_fault[1] || leaked || !user_fault[2] || overwritten)
        broken |= BROKEN_ERET;
    finish();
}

void lab_main(uint32_t fdt, uint32_t bootinfo)
{
    (void)fdt;
    (void)bootinfo;
    mtc0(C0_STATUS, ST_IM7); /* kernel mode, interrupts off, our vectors */
    find_devices();
#ifdef PARAVIRT
    uint32_t magic = hypcall_v0(HC_PROBE);
    say("gotcha: the ERET-gotcha lab kernel, paravirtual build (monitor %s)\n",
        magic == HC_MAGIC ? "answers" : "missing");
#else
    say("gotcha: the ERET-gotcha lab kernel, native build\n");
#endif
    check_mfc0();
    check_diei();
    check_code();
    check_eret();
}
