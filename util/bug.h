/*
 * util/bug.h — our own bugs (STYLE rule 10's third kind of failure): an
 * internal invariant that does not hold stops the program with the place
 * and the reason, in every build (as sys161's smoke()). Never for the
 * user's mistakes (a message and an exit code) or a guest's misuse of the
 * hardware (a guest-visible fault).
 */
#ifndef UTIL_BUG_H
#define UTIL_BUG_H

__attribute__((noreturn, format(printf, 3, 4))) void util_bug(const char *file, int line,
                                                              const char *fmt, ...);

#define BUG(...) util_bug(__FILE__, __LINE__, __VA_ARGS__)
#define BUG_ON(cond)                                                                               \
    do {                                                                                           \
        if (__builtin_expect(!!(cond), 0))                                                         \
            util_bug(__FILE__, __LINE__, "%s", #cond);                                             \
    } while (0)

#endif
