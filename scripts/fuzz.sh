#!/usr/bin/env bash
# The fuzz targets (fuzz/*.c), built with clang + libFuzzer + ASan/UBSan in
# build-fuzz/, each run for SECONDS (default 30) from its corpus: the config
# and TPM corpora are fuzz/corpus/config and fuzz/corpus/tpm (kept in the
# tree: fuzz_tpm.c says how its inputs read), the ELF and the monitor's
# corpora come from the guests this build makes. Prints libFuzzer's figures;
# exit 1 on any crash.
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-30}
CC=clang cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTRAPVISOR_SANITIZE=ON \
    -DTRAPVISOR_FUZZ=ON >/dev/null
cmake --build build-fuzz -j"$(nproc)" --target fuzz_config fuzz_elf fuzz_monitor fuzz_tpm guests >/dev/null
work=$(mktemp -d /tmp/tv_fuzz_corpus.XXXXXX)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/config" "$work/elf" "$work/monitor" "$work/tpm"
cp fuzz/corpus/config/* "$work/config/"
cp fuzz/corpus/tpm/* "$work/tpm/"
cp build-fuzz/guests/*.elf "$work/elf/"
# The monitor's seeds: the code of built guests (kernel-mode instruction
# streams), after a first word that picks the trap model (fuzz_monitor.c:
# 0 direct, 1 resident, 3 resident with random places).
for f in build-fuzz/guests/hostile-eb.elf build-fuzz/guests/arith-eb.elf; do
    for m in 0 1 3; do
        { printf "\\$m\\0\\0\\0"; head -c 4092 "$f"; } > "$work/monitor/$(basename "$f" .elf)-$m"
    done
done
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
for t in config elf monitor tpm; do
    echo "fuzz_$t: $secs s"
    build-fuzz/fuzz_$t -max_total_time="$secs" -timeout=10 -rss_limit_mb=4096 \
        -print_final_stats=1 -artifact_prefix="$work/" "$work/$t" 2>&1 |
        grep -E '^(#[0-9]+ +DONE|stat::number_of_executed_units|stat::average_exec_per_sec|==[0-9]+==ERROR|SUMMARY|Done)' || true
    if ls "$work"/crash-* "$work"/timeout-* "$work"/leak-* >/dev/null 2>&1; then
        echo "fuzz_$t found a failing input:"
        ls "$work"/crash-* "$work"/timeout-* "$work"/leak-* 2>/dev/null
        exit 1
    fi
done
