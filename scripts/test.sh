#!/usr/bin/env bash
# README command 2: build and run every test — the format check, a clang build,
# the normal (gcc) build and its tests, the same suites built with
# AddressSanitizer + UndefinedBehaviorSanitizer, then the fuzz targets.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
# The tree's style (.clang-format) and a clang build with the same -Werror.
git ls-files '*.c' '*.h' | xargs clang-format --dry-run -Werror
CC=clang scripts/build.sh build-clang
scripts/build.sh build
(cd build && ctest --output-on-failure -j"$(nproc)")
scripts/build.sh build-asan -DTRAPVISOR_SANITIZE=ON
(cd build-asan && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
   UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 ctest --output-on-failure -j"$(nproc)")
# The fuzz targets, a bounded time each from their corpora: 0 crashes.
scripts/fuzz.sh 30
