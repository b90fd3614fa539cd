/*
 * vmm/resident_image.h — the resident portion's code page (vmm/resident/),
 * built with the MIPS cross toolchain and embedded in trapvisor: one image
 * per byte order, RES_DATA bytes each, position independent.
 */
#ifndef VMM_RESIDENT_IMAGE_H
#define VMM_RESIDENT_IMAGE_H

#include <stddef.h>

#include "vmm/resident/layout.h"

extern const unsigned char vmm_resident_eb[];
extern const size_t vmm_resident_eb_size;
extern const unsigned char vmm_resident_el[];
extern const size_t vmm_resident_el_size;

#endif
