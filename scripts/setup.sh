#!/usr/bin/env bash
# README command 1: install what is missing, build, and run the main job.
# Until the monitor exists (issue 4: `trapvisor run --vmm`), the main job boots
# the native board: boot ROM, the teaching kernel, its init running every
# demonstration program (one of which writes to the disk image).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
scripts/build.sh build
[ -f build/disk.img ] || truncate -s 4M build/disk.img
echo "== trapvisor run --native --disk build/disk.img --console-in none --stats build/run-stats.json"
build/trapvisor run --native --disk build/disk.img --console-in none --stats build/run-stats.json
echo "== counters written to build/run-stats.json"
