#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""Differential test: the host engine and the kernel engine give the same records and counters.

    engines_agree.py --bpfix build/src/bpfix [--pcaps DIR]... [--only NAME]... [-- EXTRA ARGS]

For every capture (*.pcap, *.pcapng) in each --pcaps directory (default: the project's
tests/pcaps and ../shared/pcaps; a directory that is absent is skipped, saying so), run

    bpfix replay --engine host   --output A.ipfix [EXTRA] CAPTURE
    bpfix replay --engine kernel --output B.ipfix [EXTRA] CAPTURE

decode both files with `ipfixDump -e templates/bpfix-elements.xml`, leave out what may differ
between two runs (message headers: export time, sequence numbers, lengths), sort the data records
and the templates, and require them to be identical; the summary bpfix prints (packets read,
metered, not metered by reason, diagnostics, records sent) must be identical too. DESIGN.md §4
requires the engines to agree while the flow map does not overflow: the captures here stay far
below the default map size, and a summary reporting flows lost to eviction is a failure.

No truth is involved: this only says that the two engines agree, not that they are right (the
replay tests say that). Exit 0 when they agree on every capture, 1 when not, 2 when the harness
failed, 77 when not root (the kernel engine needs BPF_PROG_TEST_RUN) or ipfixDump is missing.
"""

import os
import shutil
import sys
import tempfile

sys.dont_write_bytecode = True   # no __pycache__ in the source tree
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [HERE, os.path.join(HERE, "..", "lib")]
import ipfix_records  # noqa: E402
from bpfixtest import (EXIT_FAIL, EXIT_HARNESS, EXIT_OK, KERNEL_ENGINE,  # noqa: E402
                       HarnessError, argument_parser, captures_in, log, parse_arguments,
                       parse_summary, preflight, run_bpfix, without_speed)

TOP = os.path.normpath(os.path.join(HERE, "..", ".."))
DEFAULT_DIRS = [os.path.join(TOP, "tests", "pcaps"), os.path.join(TOP, "..", "shared", "pcaps")]
SHOW = 10   # differing records shown per capture


def run(bpfix, engine, capture, out, extra, timeout):
    args = ["replay", "--engine", engine, "--output", out, *extra, capture]
    try:
        rc, text, argv = run_bpfix(bpfix, args, timeout)
    except HarnessError as e:   # did not start or finish: a failure of this capture
        return None, str(e), [bpfix, *args]
    # the two runs write different files: the summary must not differ by the name, nor by the
    # speed of each run
    return rc, without_speed(text).replace(out, "OUTPUT"), argv


# when each run started: differs between any two runs, whatever the engine
RUN_SPECIFIC = {"systemInitTimeMilliseconds"}


def canonical(path, elements):
    """(sorted templates, sorted data records) of an IPFIX file, without message headers."""
    templates, records = ipfix_records.decode(path, elements)
    t = sorted((x.tid, x.options, tuple(x.fields)) for x in templates)
    d = sorted((x.tid, tuple(f for f in x.fields if f[1] not in RUN_SPECIFIC)) for x in records)
    return t, d


def fmt_record(r):
    tid, fields = r
    return f"tid {tid}: " + ", ".join(f"{name}={value}" for _, name, value in fields)


def multiset_diff(a, b):
    """Items of a not matched in b, and of b not in a (both sorted lists)."""
    only_a, only_b, i, j = [], [], 0, 0
    while i < len(a) and j < len(b):
        if a[i] == b[j]:
            i, j = i + 1, j + 1
        elif a[i] < b[j]:
            only_a.append(a[i])
            i += 1
        else:
            only_b.append(b[j])
            j += 1
    return only_a + a[i:], only_b + b[j:]


def compare_capture(bpfix, capture, extra, elements, timeout, tmp, verbose):
    """Return a list of problems (empty: the engines agree)."""
    problems, outputs = [], {}
    for engine in ("host", "kernel"):
        out = os.path.join(tmp, f"{engine}.ipfix")
        if os.path.exists(out):
            os.unlink(out)
        rc, text, argv = run(bpfix, engine, capture, out, extra, timeout)
        if rc != 0:
            problems.append(f"{engine}: bpfix exited with {rc}: {' '.join(argv)}\n" +
                            "".join(f"      | {line}\n" for line in text.splitlines()[-15:]))
            return problems
        if not os.path.exists(out):
            problems.append(f"{engine}: no --output file written")
            return problems
        outputs[engine] = (text, canonical(out, elements))
        if verbose:
            log(f"    {engine}: {' '.join(argv)}")
    (h_text, (h_t, h_d)), (k_text, (k_t, k_d)) = outputs["host"], outputs["kernel"]
    if h_text != k_text:
        hl, kl = h_text.splitlines(), k_text.splitlines()
        only_h = [x for x in hl if x not in kl]
        only_k = [x for x in kl if x not in hl]
        problems.append("summary differs:\n" +
                        "".join(f"      host   | {x}\n" for x in only_h) +
                        "".join(f"      kernel | {x}\n" for x in only_k))
    lost = parse_summary(h_text).get("packets lost to eviction or removal race", "0")
    if lost != "0":
        problems.append(f"the flow map overflowed (packets lost to eviction or removal race: {lost}): "
                        "the engines need not agree; raise --max-flows")
    if h_t != k_t:
        a, b = multiset_diff(h_t, k_t)
        problems.append(f"templates differ: {len(a)} only from host, {len(b)} only from kernel: "
                        + "; ".join(f"tid {t[0]}" for t in a + b))
    if h_d != k_d:
        a, b = multiset_diff(h_d, k_d)
        s = f"data records differ: host {len(h_d)}, kernel {len(k_d)}; " \
            f"{len(a)} only from host, {len(b)} only from kernel\n"
        s += "".join(f"      host   | {fmt_record(r)}\n" for r in a[:SHOW])
        s += "".join(f"      kernel | {fmt_record(r)}\n" for r in b[:SHOW])
        if len(a) > SHOW or len(b) > SHOW:
            s += f"      ... (first {SHOW} of each shown)\n"
        problems.append(s)
    if verbose and not problems:
        log(f"    {len(h_d)} data records, {len(h_t)} templates agree")
    return problems


def main(argv=None):
    ap = argument_parser("Replay every capture with the host and the kernel engine and require "
                         "identical IPFIX records and summaries. Arguments after '--' go to both "
                         "bpfix runs.", elements=ipfix_records.DEFAULT_ELEMENTS, only=True)
    ap.add_argument("--pcaps", action="append", default=[], metavar="DIR",
                    help="capture directory (repeatable; default: tests/pcaps and "
                         "../shared/pcaps)")
    ap.add_argument("-v", "--verbose", action="store_true")
    a, extra = parse_arguments(ap, argv)

    rc = preflight(a.bpfix, ("ipfixDump",), KERNEL_ENGINE)
    if rc is not None:
        return rc

    captures = captures_in(a.pcaps or DEFAULT_DIRS, a.only)
    if not captures:
        log("ERROR: no captures to compare")
        return EXIT_HARNESS

    tmp = tempfile.mkdtemp(prefix="bpfix-engines-")
    failed = 0
    try:
        for cap in captures:
            try:
                problems = compare_capture(a.bpfix, cap, extra, a.elements, a.timeout, tmp,
                                           a.verbose)
            except ipfix_records.DecodeError as e:
                log(f"ERROR: {cap}: {e}")
                return EXIT_HARNESS
            status = "FAIL" if problems else "agree"
            log(f"{status:5}  {os.path.relpath(cap, TOP) if cap.startswith(TOP) else cap}")
            for p in problems:
                log(f"    {p.rstrip()}")
            failed += bool(problems)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    log(f"{len(captures)} captures{' (with ' + ' '.join(extra) + ')' if extra else ''}: "
        f"{len(captures) - failed} agree, {failed} differ")
    return EXIT_FAIL if failed else EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
