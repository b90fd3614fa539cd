#!/usr/bin/env bash
# Every file path a comment or a document names (cpu/cp0.c, docs/vmm.md, ...)
# must exist: a comment that points at a file that moved misleads the next
# reader. Run by CTest (test_paths). Prints each stale reference; exit 1 if any.
set -euo pipefail
cd "$(dirname "$0")/.."
dirs='cpu|tlb|mmu|iobus|dev|machine|util|vmm|cli|gui|guests|tests|bench|configs|docs|scripts'
bad=0
while IFS=: read -r file line ref; do
    ref=${ref%.}  # a sentence's full stop
    case $ref in *NAME*|*FILE*) continue ;; esac # a pattern, not a file
    # from the top of the tree, or (CMake, relative links) from the file's folder
    [ -e "$ref" ] || [ -e "$(dirname "$file")/$ref" ] && continue
    echo "$file:$line: names $ref, which does not exist"
    bad=1
done < <(git ls-files '*.c' '*.h' '*.S' '*.md' '*.ini' '*.sh' '*.txt' CMakeLists.txt |
         xargs grep -noE "\b($dirs)/[A-Za-z0-9_./-]*[A-Za-z0-9_]\.(c|h|S|md|ini|txt|sh|png|json)\b" |
         grep -v '^tests/golden/' || true)
exit $bad
