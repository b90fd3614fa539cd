/* tests/abi_guest.c — the guests' side of the ABI (tests/abi_list.h),
 * compiled from guests/include as guest code sees it. */
#include "abi_side.h"

/* The constants only, as the guests' assembly files see them (the C
 * helpers of hw.h are for a 32-bit MIPS guest, not for this host). */
#define __ASSEMBLER__ 1
#include "hw.h"
#include "hypcall.h"
#undef __ASSEMBLER__

#define ABI(guest, host) {#guest, (unsigned long long)(guest)},
const struct abi_value abi_guest[] = {
#include "abi_list.h"
};
const unsigned abi_guest_count = sizeof abi_guest / sizeof *abi_guest;
