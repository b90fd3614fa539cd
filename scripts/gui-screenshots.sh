#!/usr/bin/env bash
# Regenerate the screenshots of docs/gui.md with the window's headless mode.
set -euo pipefail
cd "$(dirname "$0")/.."
build/trapvisor gui --vmm --script configs/gui/tlb-miss.txt
build/trapvisor gui --vmm --config configs/labs/gotcha.ini --unsafe eret --script configs/gui/gotcha.txt
build/trapvisor gui --vmm --config configs/labs/relocation.ini --script configs/gui/relocation.txt
rm -f tpm.state
build/trapvisor gui --vmm --config configs/tpm-two.ini --script configs/gui/tpm.txt
rm -f tpm.state
