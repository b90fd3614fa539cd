#!/usr/bin/env bash
# README command 1: install what is missing, build, and run the main job.
# The main job: the monitor booting two partitioned guests of the teaching
# kernel, headless (guest g0 owns bus 1 with the disk image, g1 owns bus 2;
# console, timer and power are shared by emulation). Each guest's init runs
# every demonstration program; g0's diskio writes to the disk image.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
scripts/build.sh build
[ -f build/disk.img ] || truncate -s 4M build/disk.img
echo "== trapvisor run --vmm --disk build/disk.img --console-in none --stats build/run-stats.json"
build/trapvisor run --vmm --disk build/disk.img --console-in none --stats build/run-stats.json
echo "== counters written to build/run-stats.json"
