#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# The man pages stay true to the binary: every option "bpfix --help" and "bpfix report --help"
# print (long, and short where it has one) is in man/bpfix.8, every "key =" of "bpfix --print-config" is in man/bpfix.conf.5
# under its own ".SS [section]", and groff formats both pages without a warning (that part is
# skipped, saying so, when groff is not installed).
# Usage: man_pages_complete.sh BPFIX MAN_DIR
set -uo pipefail

bpfix=${1:?usage: man_pages_complete.sh BPFIX MAN_DIR}
man_dir=${2:?usage: man_pages_complete.sh BPFIX MAN_DIR}
page8=$man_dir/bpfix.8
page5=$man_dir/bpfix.conf.5
failures=0

fail() {
	echo "FAIL: $*" >&2
	failures=$((failures + 1))
}

for f in "$page8" "$page5"; do
	[[ -r $f ]] || { echo "FAIL: cannot read $f" >&2; exit 1; }
done
help=$("$bpfix" --help) || { echo "FAIL: $bpfix --help failed" >&2; exit 1; }
# bpfix report has options of its own (not configuration keys): its help names them
report_help=$("$bpfix" report --help) || { echo "FAIL: $bpfix report --help failed" >&2; exit 1; }
help+=$'\n'$report_help
config=$("$bpfix" --print-config) || { echo "FAIL: $bpfix --print-config failed" >&2; exit 1; }

# The roff source as text: \- is a hyphen, font changes and zero-width marks are dropped.
plain() {
	sed -e 's/\\-/-/g' -e 's/\\f[BIRP]//g' -e 's/\\f(..//g' -e 's/\\&//g' -e 's/\\|//g' "$1"
}

# 1. every option of --help in bpfix.8
text8=$(plain "$page8")
mapfile -t longs < <(grep -oE -- '--[a-z][a-z0-9-]*' <<<"$help" | sort -u)
mapfile -t shorts < <(grep -oE -- '^ +-[a-zA-Z], --' <<<"$help" | grep -oE -- '-[a-zA-Z],' | tr -d , | sort -u)
((${#longs[@]} > 5)) || fail "found only ${#longs[@]} long options in bpfix --help: has its format changed?"
for opt in "${longs[@]}" "${shorts[@]}"; do
	grep -qE -- "(^|[^a-zA-Z0-9-])${opt}([^a-zA-Z0-9-]|\$)" <<<"$text8" ||
		fail "option $opt of bpfix --help is not in $page8"
done

# 2. every [section] key of --print-config in bpfix.conf.5, under ".SS [section]"
text5=$(plain "$page5")
section=
block=
nkeys=0
while IFS= read -r line; do
	if [[ $line =~ ^\[([a-z0-9_]+)\]$ ]]; then
		section=${BASH_REMATCH[1]}
		# the page's text from ".SS [section]" to the next .SS or .SH
		block=$(awk -v s="$section" '
			/^\.S[SH] / { inside = ($0 ~ "^\\.SS \"?\\[" s "\\]\"?$") ; next }
			inside' <<<"$text5")
		[[ -n $block ]] || fail "section [$section] of bpfix --print-config has no '.SS [$section]' in $page5"
	elif [[ $line =~ ^([a-z0-9_]+)\ = ]]; then
		key=${BASH_REMATCH[1]}
		nkeys=$((nkeys + 1))
		grep -qE -- "(^|[^a-z0-9_])${key}([^a-z0-9_]|\$)" <<<"$block" ||
			fail "key '$key' of [$section] (bpfix --print-config) is not under .SS [$section] in $page5"
	fi
done <<<"$config"
((nkeys > 5)) || fail "found only $nkeys keys in bpfix --print-config: has its format changed?"

# 3. groff formats both pages without warnings
if command -v groff >/dev/null; then
	for f in "$page8" "$page5"; do
		warnings=$(LC_ALL=C.UTF-8 groff -man -Tutf8 -ww -z "$f" 2>&1)
		[[ -z $warnings ]] || fail "groff -man -ww warns about $f:"$'\n'"$warnings"
	done
else
	echo "man_pages_complete: groff is not installed: formatting warnings not checked" \
		"(apt-get install groff-base)"
fi

if ((failures)); then
	echo "man_pages_complete: $failures problem(s)" >&2
	exit 1
fi
echo "man_pages_complete: ${#longs[@]} long and ${#shorts[@]} short options, $nkeys keys documented"
