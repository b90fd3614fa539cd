/* tests/abi_side.h — one side's values of the shared constants (test_abi). */
#ifndef TESTS_ABI_SIDE_H
#define TESTS_ABI_SIDE_H

struct abi_value {
    const char *name;
    unsigned long long value;
};
extern const struct abi_value abi_guest[];
extern const unsigned abi_guest_count;

#endif
