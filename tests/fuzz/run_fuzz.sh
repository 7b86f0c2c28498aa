#!/usr/bin/env bash
# Fuzz smoke run for ctest: seed a fresh corpus from tests/pcaps and fuzz for SECONDS (default 30).
# Seeds are the captures' frames, with --whole-files the pcapng files themselves, with --captures
# every capture file (pcap and pcapng, every link type; the target's stderr, where the reader names
# each damaged input, is closed: libFuzzer's and the sanitizers' reports still show).
# A crash leaves its input in the artifact directory printed below and fails the test.
# Longer run by hand: tests/fuzz/run_fuzz.sh build/tests/fuzz/fuzz_parse 3600
set -euo pipefail
fuzzer=$1
seconds=${2:-30}
mode=${3:-}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
flags=()
if [[ $mode == --whole-files ]]; then
  mkdir -p "$work/corpus"
  cp "$here"/../pcaps/*.pcapng "$work/corpus/"
elif [[ $mode == --captures ]]; then
  mkdir -p "$work/corpus"
  cp "$here"/../pcaps/*.pcap "$here"/../pcaps/*.pcapng "$work/corpus/"
  flags=(-close_fd_mask=2)
else
  /usr/bin/python3 "$here/seed_corpus.py" "$work/corpus" "$here"/../pcaps/*.pcap
fi
mkdir -p "$work/artifacts"
if ! "$fuzzer" -max_total_time="$seconds" -max_len=$([[ -n $mode ]] && echo 70000 || echo 4096) -print_final_stats=1 \
     "${flags[@]}" -artifact_prefix="$work/artifacts/" "$work/corpus"; then
  keep=$(mktemp -d /tmp/bpfix-fuzz-crash.XXXXXX)
  cp -r "$work/artifacts/." "$keep/"
  echo "fuzz: crash inputs kept in $keep: add each as a named row of tests/cases" >&2
  exit 1
fi
