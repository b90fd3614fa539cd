/*
 * guests/include/hw.h — the board as guest code sees it: the documented ABI
 * of docs/hardware.md (CP0 bits, I/O buses, device registers, boot protocol),
 * mirrored here because guest code never includes host headers. Constants
 * carry no 'u' suffix: assembly files include this header too. Every value
 * here is compared with the host's definition by tests/test_abi.c (the list
 * is tests/abi_list.h): a mirror that drifts fails the build's tests.
 */
#ifndef GUEST_HW_H
#define GUEST_HW_H

#ifndef __ASSEMBLER__
#include "guest.h"
#endif

/* ---- segments ---- */
#define KSEG0         0x80000000
#define KSEG1         0xA0000000
#define K0_TO_PHYS(a) ((uint32_t)(a)&0x1FFFFFFF)
#define PHYS_TO_K0(p) ((void *)((uint32_t)(p) | KSEG0))
#define PHYS_TO_K1(p) ((void *)((uint32_t)(p) | KSEG1))

/* ---- CP0 ---- */
#define C0_INDEX    0
#define C0_RANDOM   1
#define C0_ENTRYLO0 2
#define C0_ENTRYLO1 3
#define C0_CONTEXT  4
#define C0_PAGEMASK 5
#define C0_WIRED    6
#define C0_BADVADDR 8
#define C0_COUNT    9
#define C0_ENTRYHI  10
#define C0_COMPARE  11
#define C0_STATUS   12
#define C0_CAUSE    13
#define C0_EPC      14
#define C0_PRID     15
#define C0_CONFIG   16

#define ST_IE       0x00000001
#define ST_EXL      0x00000002
#define ST_ERL      0x00000004
#define ST_KSU_USER 0x00000010
#define ST_KSU_MASK 0x00000018
#define ST_IM_SHIFT 8
#define ST_IM_MASK  0x0000FF00
#define ST_IM7      0x00008000
#define ST_BEV      0x00400000
#define ST_CU0      0x10000000

#define CAUSE_BD        0x80000000
#define CAUSE_IP_SHIFT  8
#define CAUSE_EXC_SHIFT 2
#define CAUSE_EXC_MASK  0x7C

#define EXC_INT  0
#define EXC_MOD  1
#define EXC_TLBL 2
#define EXC_TLBS 3
#define EXC_ADEL 4
#define EXC_ADES 5
#define EXC_IBE  6
#define EXC_DBE  7
#define EXC_SYS  8
#define EXC_BP   9
#define EXC_RI   10
#define EXC_CPU  11
#define EXC_OV   12
#define EXC_TR   13

/* EntryLo / page-table entry bits */
#define PTE_G         0x1
#define PTE_V         0x2
#define PTE_D         0x4
#define PTE_C_CACHED  (3 << 3)
#define PTE_PFN_SHIFT 6
#define PAGE_SIZE     4096
#define PAGE_SHIFT    12

#define mfc0(reg)                                                                                  \
    ({                                                                                             \
        uint32_t v_;                                                                               \
        __asm__ volatile("mfc0 %0, $%1" : "=r"(v_) : "i"(reg));                                    \
        v_;                                                                                        \
    })
#define mtc0(reg, val) __asm__ volatile("mtc0 %0, $%1\n\tehb" : : "r"((uint32_t)(val)), "i"(reg))

/* ---- I/O buses (docs/hardware.md, "I/O buses") ---- */
#define IOBUS_BASE         0x1E000000
#define IOBUS_MAX_BUSES    8
#define IOBUS_SLOTS        32
#define IOBUS_SLOT_SPAN    0x10000
#define IOBUS_BUS_SPAN     0x200000
#define IOBUS_INTC_BASE    0x1F000000
#define SLOT_REG_ID        0x000
#define SLOT_REG_REVISION  0x004
#define SLOT_REG_IRQ       0x008
#define SLOT_REG_SIZE      0x00C
#define SLOT_DEV_BASE      0x100
#define INTC_PENDING(bus)  ((bus)*16 + 0x0)
#define INTC_ENABLE(bus)   ((bus)*16 + 0x4)
#define INTC_CPU_LINE(bus) ((bus)*16 + 0x8)

#define VENDOR_TV   0x5456
#define DEVID_UART  0x0001
#define DEVID_TIMER 0x0002
#define DEVID_DISK  0x0003
#define DEVID_NIC   0x0004
#define DEVID_FB    0x0005
#define DEVID_KBD   0x0006
#define DEVID_POWER 0x0007
#define DEVID_TPM   0x0008

/* UART */
#define UART_DATA        0x00
#define UART_STATUS      0x04
#define UART_CTRL        0x08
#define UART_ST_RX_AVAIL 0x1
#define UART_ST_RX_EOF   0x4
#define UART_CTRL_RX_IRQ 0x1
/* timer */
#define TIMER_TIME_LO     0x00
#define TIMER_TIME_HI     0x04
#define TIMER_PERIOD      0x08
#define TIMER_CTRL        0x0C
#define TIMER_STATUS      0x10
#define TIMER_RTC         0x14
#define TIMER_CTRL_ENABLE 0x1
#define TIMER_CTRL_IRQ_EN 0x4
#define TIMER_ST_EXPIRED  0x1
/* disk */
#define DISK_SECTOR        512
#define DISK_SECTORS       0x000
#define DISK_LBA           0x004
#define DISK_COUNT         0x008
#define DISK_DMA_ADDR      0x00C
#define DISK_COMMAND       0x010
#define DISK_STATUS        0x014
#define DISK_ERROR         0x018
#define DISK_CMD_READ_DMA  1
#define DISK_CMD_WRITE_DMA 2
#define DISK_CMD_FLUSH     3
#define DISK_CMD_WRITE_PIO 5
#define DISK_BUFFER        0x200
#define DISK_ST_BUSY       0x1
#define DISK_ST_DONE       0x2
#define DISK_ST_ERROR      0x4
/* power */
#define POWER_OFF         0x00
#define POWER_RESET       0x04
#define POWER_RESET_MAGIC 0x52535421 /* "RST!" */
/* TPM 2.0, FIFO (TIS) interface from SLOT_DEV_BASE; little-endian byte
 * registers: drivers access them a byte at a time (docs/hardware.md) */
#define TPM_LOCALITY(l) ((l)*0x1000u)
#define TPM_R_ACCESS    0x000
#define TPM_R_STS       0x018
#define TPM_R_BURST_LO  0x019
#define TPM_R_BURST_HI  0x01A
#define TPM_R_FIFO      0x024
#define TPM_ACC_ACTIVE  0x20
#define TPM_ACC_REQUEST 0x02
#define TPM_ST_VALID    0x80
#define TPM_ST_READY    0x40
#define TPM_ST_GO       0x20
#define TPM_ST_DATA     0x10
#define TPM_ST_EXPECT   0x08
/* framebuffer */
#define FB_REG_WIDTH   0x00
#define FB_REG_HEIGHT  0x04
#define FB_REG_FORMAT  0x08
#define FB_REG_STRIDE  0x0C
#define FB_REG_ADDR    0x10
#define FB_REG_CTRL    0x14
#define FB_CTRL_ENABLE 0x1

#ifndef __ASSEMBLER__
/* Physical address of a slot's window. */
static inline uint32_t slot_base(uint32_t bus, uint32_t slot)
{
    return IOBUS_BASE + bus * IOBUS_BUS_SPAN + slot * IOBUS_SLOT_SPAN;
}
static inline uint32_t mmio_read(uint32_t paddr) { return *(volatile uint32_t *)PHYS_TO_K1(paddr); }
static inline void mmio_write(uint32_t paddr, uint32_t v)
{
    *(volatile uint32_t *)PHYS_TO_K1(paddr) = v;
}
static inline uint8_t mmio_read8(uint32_t paddr) { return *(volatile uint8_t *)PHYS_TO_K1(paddr); }
static inline void mmio_write8(uint32_t paddr, uint8_t v)
{
    *(volatile uint8_t *)PHYS_TO_K1(paddr) = v;
}
#endif

/* ---- boot protocol (docs/hardware.md, "Boot") ---- */
#define ROM_BOOTINFO    0x1FC90000
#define BOOTINFO_MAGIC  0x54564249
#define BI_MAGIC        0x00
#define BI_VERSION      0x04
#define BI_KERNEL_IMAGE 0x08
#define BI_KERNEL_SIZE  0x0C
#define BI_FDT          0x10
#define BI_FDT_SIZE     0x14
#define BI_RAM_SIZE     0x18

#endif
