#!/usr/bin/env bash
# The monitor's seams (docs/vmm.md, "Monitor modules and region owners"):
# the shared trap and TLB-miss paths name no feature, and no vmm/ function
# outgrows one reading (~80 lines) but the instruction emulation switch.
# Run by CTest (test_seams). Prints what it finds; exit 1 if anything.
set -euo pipefail
cd "$(dirname "$0")/.."
bad=0
shared="vmm/dispatch.c vmm/shadow.c vmm/vmm.c vmm/emulate.c vmm/partition.c vmm/modules.c"
# The scanner fix's names (its one table line in modules.c is the exception).
if grep -nE '\b(patch_[a-z_]+|patcher|scanner[a-z_]*|scan_[a-z_]+|page_state|PAGE_(UNSCANNED|CLEAN|PATCHED)|VMM_FIX_SCAN|CPU_EXT_RIXI)\b' \
        $shared | grep -v '^vmm/modules.c:.*&patch_module' | grep -v '^vmm/modules.c:.*vmm/patch.h'; then
    echo "check-seams: a shared monitor path names the scanner fix (above)"
    bad=1
fi
for f in vmm/*.c; do
    awk -v file="$f" '
        /^[a-z].*\(/ && !/;$/ { name = $0; start = NR }
        /^\{/ { body = start }
        /^\}/ && body { n = NR - body; if (n > 80 && name !~ /guest_emulate_cop0/) {
                            printf "%s:%d: %d lines: %s\n", file, body, n, name; bad = 1 }
                        body = 0 }
        END { exit bad }' "$f" || bad=1
done
exit $bad
