/* tests/cunit_main.h — one main() for every CUnit suite binary. */
#ifndef TESTS_CUNIT_MAIN_H
#define TESTS_CUNIT_MAIN_H

#include <CUnit/Basic.h>
#include <stdio.h>

struct test_case {
    const char *name;
    void (*fn)(void);
};

#define CUNIT_MAIN(suite_name, table)                                                              \
    int main(void)                                                                                 \
    {                                                                                              \
        if (CU_initialize_registry() != CUE_SUCCESS)                                               \
            return 2;                                                                              \
        CU_pSuite s = CU_add_suite(suite_name, NULL, NULL);                                        \
        for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++)                              \
            CU_add_test(s, table[i].name, table[i].fn);                                            \
        CU_basic_set_mode(CU_BRM_VERBOSE);                                                         \
        CU_basic_run_tests();                                                                      \
        unsigned failed = CU_get_number_of_failures() + CU_get_number_of_tests_failed();           \
        unsigned run = CU_get_number_of_tests_run();                                               \
        CU_cleanup_registry();                                                                     \
        return failed || run == 0 ? 1 : 0;                                                         \
    }

#endif
