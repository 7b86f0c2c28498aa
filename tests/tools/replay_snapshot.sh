#!/usr/bin/env bash
# Writes, for every capture in tests/pcaps and ../shared/pcaps and both replay engines, the summary
# bpfix prints and the IPFIX file as ipfixDump decodes it, wall-clock fields masked, into OUTDIR.
# Two snapshots from two commits are compared with `diff -r` to show a refactoring changed no record.
# Usage: replay_snapshot.sh BPFIX OUTDIR   (the kernel engine needs root; skipped without it)
set -uo pipefail
bpfix=$1 out=$2
top=$(cd "$(dirname "$0")/../.." && pwd)
elements="$top/templates/bpfix-elements.xml"
mkdir -p "$out"
engines=(host)
[[ $(id -u) == 0 ]] && engines+=(kernel)
for cap in "$top"/tests/pcaps/*.pcap* "$top"/../shared/pcaps/*.pcap*; do
	[[ -f $cap ]] || continue
	name=$(basename "$cap")
	for engine in "${engines[@]}"; do
		base="$out/$name.$engine"
		"$bpfix" replay --engine "$engine" -o "$base.ipfix" "$cap" >"$base.summary" 2>&1
		echo "exit $?" >>"$base.summary"
		if [[ -s $base.ipfix ]]; then
			ipfixDump -e "$elements" -i "$base.ipfix" 2>&1 |
				sed -E 's/^export time: [0-9 :-]+/export time: MASKED/;
				        s/(systemInitTimeMilliseconds : ).*/\1MASKED/' >"$base.dump"
		fi
		rm -f "$base.ipfix"
	done
done
