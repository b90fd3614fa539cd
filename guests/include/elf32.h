/* guests/include/elf32.h — the ELF32 structures the firmware and the kernel load. */
#ifndef GUEST_ELF32_H
#define GUEST_ELF32_H

#include "guest.h"

#define EI_NIDENT   16
#define ELFCLASS32  1
#define ELFDATA2LSB 1
#define ELFDATA2MSB 2
#define ET_EXEC     2
#define EM_MIPS     8
#define PT_LOAD     1
#define PF_X        1
#define PF_W        2

typedef struct {
    uint8_t e_ident[EI_NIDENT];
    uint16_t e_type, e_machine;
    uint32_t e_version, e_entry, e_phoff, e_shoff, e_flags;
    uint16_t e_ehsize, e_phentsize, e_phnum, e_shentsize, e_shnum, e_shstrndx;
} Elf32_Ehdr;

typedef struct {
    uint32_t p_type, p_offset, p_vaddr, p_paddr, p_filesz, p_memsz, p_flags, p_align;
} Elf32_Phdr;

#ifdef __MIPSEL__
#define ELFDATA_OURS ELFDATA2LSB
#else
#define ELFDATA_OURS ELFDATA2MSB
#endif

/* Check an ELF32 executable for this CPU held in [img, img+size): header,
 * program header table inside the file. 0 if usable, else a reason string. */
static inline const char *elf32_check(const uint8_t *img, uint32_t size)
{
    const Elf32_Ehdr *eh = (const Elf32_Ehdr *)img;
    if (size < sizeof(Elf32_Ehdr) || img[0] != 0x7F || img[1] != 'E' || img[2] != 'L' ||
        img[3] != 'F')
        return "not an ELF file";
    if (img[4] != ELFCLASS32 || img[5] != ELFDATA_OURS)
        return "not ELF32 of this byte order";
    if (eh->e_type != ET_EXEC || eh->e_machine != EM_MIPS)
        return "not a MIPS executable";
    if (eh->e_phentsize != sizeof(Elf32_Phdr) || eh->e_phoff > size ||
        (uint32_t)eh->e_phnum * sizeof(Elf32_Phdr) > size - eh->e_phoff)
        return "program headers outside the file";
    return 0;
}

#endif
