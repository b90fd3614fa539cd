#!/usr/bin/env bash
# README command 1: install what is missing, build, and run the main job.
# Until the monitor exists, the main job runs the compiled guest workloads on
# the CPU (both byte orders) and prints their final state.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
scripts/build.sh build
for prog in arith calls sort alu; do
  echo "== trapvisor exec build/guests/$prog-eb.elf"
  build/trapvisor exec "build/guests/$prog-eb.elf"
done
echo "== trapvisor exec build/guests/arith-el.elf --le --json"
build/trapvisor exec build/guests/arith-el.elf --le --json
