#!/usr/bin/python3
"""Exporter statistics reach the collector: replay a capture with --output, decode the file with
ipfixDump (a decoder independent of bpfix), and require the options records of observation
domain 0 to say exactly what bpfix's summary says, with the standard totals consistent.

Usage: stats_records.py --bpfix BIN [--elements XML] [--needs-root] CAPTURE [-- BPFIX ARGS]"""
import os
import sys
import tempfile

sys.dont_write_bytecode = True   # no __pycache__ in the source tree
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [HERE, os.path.join(HERE, "..", "lib")]
import ipfix_records  # noqa: E402
from bpfixtest import (KERNEL_ENGINE, HarnessError, argument_parser, not_metered,  # noqa: E402
                       parse_arguments, preflight, run_bpfix, summary_counters)


def main(argv=None):
    ap = argument_parser(__doc__.split("\n\n")[0], elements=ipfix_records.DEFAULT_ELEMENTS,
                         needs_root=True)
    ap.add_argument("capture")
    args, extra = parse_arguments(ap, argv)
    rc = preflight(args.bpfix, ("ipfixDump",), KERNEL_ENGINE if args.needs_root else None)
    if rc is not None:
        return rc
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "flows.ipfix")
        try:
            rc, text, _ = run_bpfix(args.bpfix, ["replay", "--output", out, *extra, args.capture],
                                    args.timeout)
            if rc != 0:
                print("bpfix failed (%d):\n%s" % (rc, text))
                return 1
            _, records = ipfix_records.decode(out, args.elements)
        except (HarnessError, ipfix_records.DecodeError) as e:
            print("ERROR: %s" % e)
            return 1
    summary = summary_counters(text)
    # options records of observation domain 0: the exporter's statistics
    records = ipfix_records.domain_records(records, 0)
    counters = {r["bpfixCounterName"]: int(r["bpfixCounterValue"])
                for r in records if "bpfixCounterName" in r}
    totals = [r for r in records if "packetTotalCount" in r]
    errors = []
    if counters != summary:
        errors.append("counter records %s\n  != summary %s" % (counters, summary))
    if len(totals) != 1:
        errors.append("expected one totals record, got %d" % len(totals))
    else:
        t = {k: int(v) for k, v in totals[0].items()}
        unmetered = not_metered(summary)
        expect = {
            "packetTotalCount": summary["packets seen"],
            "ignoredPacketTotalCount": unmetered,
            "observedFlowTotalCount": summary["flows"],
            "exportedFlowRecordTotalCount": summary["records sent"],
            "notSentFlowTotalCount": summary.get("records not sent", 0),
            "notSentPacketTotalCount": summary["packets lost to flow map eviction"],
        }
        for k, v in expect.items():
            if t.get(k) != v:
                errors.append("totals record %s = %s, expected %d" % (k, t.get(k), v))
        if summary["packets seen"] != summary["packets metered"] + unmetered:
            errors.append("packets seen != metered + not metered in the summary")
    for e in errors:
        print("FAIL:", e)
    print("ok: %d counter records, totals consistent" % len(counters) if not errors else "FAIL")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
