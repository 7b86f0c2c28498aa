#!/usr/bin/env bash
# The whole test suite from a fresh clone: install what is missing, build with warnings as errors,
# run every ctest label (unit, bpf, replay, fuzz). Tests needing root or BPF skip (exit 77) without.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)

"$top/contrib/install-deps.sh"
cmake -S "$top" -B "$top/build" -DBPFIX_WERROR=ON >/dev/null
cmake --build "$top/build" -j"$(nproc)"
cd "$top/build"
ctest --output-on-failure
