#!/usr/bin/env bash
# The whole test suite from a fresh clone: install what is missing, build with warnings as errors,
# run every ctest label (unit, bpf, replay, fuzz), then the unit and replay labels again in an
# ASan+UBSan build. Tests needing root or BPF are skipped (exit 77) without them.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
jobs=$(nproc)

"$top/contrib/install-deps.sh"

cmake -S "$top" -B "$top/build" -DBPFIX_WERROR=ON >/dev/null
cmake --build "$top/build" -j"$jobs"
(cd "$top/build" && ctest --output-on-failure -j"$jobs")

cmake -S "$top" -B "$top/build-asan" -DBPFIX_WERROR=ON -DBPFIX_SANITIZE=ON >/dev/null
cmake --build "$top/build-asan" -j"$jobs"
(cd "$top/build-asan" && ASAN_OPTIONS=detect_leaks=1:halt_on_error=1 \
	UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 ctest --output-on-failure -j"$jobs" -L "unit|replay")
