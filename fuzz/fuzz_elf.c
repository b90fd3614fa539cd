/*
 * fuzz/fuzz_elf.c — libFuzzer target: a kernel or firmware ELF as the board
 * gets it (elfimg_open_mem), checked for the boot protocol, loaded into a
 * machine's memory, its symbols looked up. A refused ELF is fine; a crash,
 * a sanitizer report or a byte written outside the checked range is a bug.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "machine/board.h"
#include "machine/rom.h"
#include "mmu/phys.h"
#include "util/elfload.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char err[512];
    elfimg_t *img = elfimg_open_mem(data, size, err, sizeof err);
    if (!img)
        return 0;
    uint32_t image, off;
    if (board_kernel_placement(img, 16u << 20, &image, err, sizeof err) == 0) {
        phys_t *p = phys_new(16u << 20, elfimg_big_endian(img));
        if (!p)
            abort();
        if (elfimg_load(img, p, err, sizeof err) == 0) {
            /* Nothing may land at or above the staged image. */
            uint8_t probe[64] = {0}, zero[64] = {0};
            if (phys_dump(p, image, probe, sizeof probe) != 0 || memcmp(probe, zero, sizeof zero))
                abort();
        }
        phys_free(p);
    }
    elfimg_symbol_at(img, elfimg_entry(img), &off);
    uint32_t addr;
    elfimg_symbol_addr(img, "main", &addr);
    elfimg_free(img);
    return 0;
}
