#!/usr/bin/python3
"""Exporter statistics reach the collector: replay a capture with --output, decode the file with
ipfixDump (a decoder independent of bpfix), and require the options records of observation
domain 0 to say exactly what bpfix's summary says, with the standard totals consistent.

Usage: stats_records.py --bpfix BIN --elements XML CAPTURE [-- BPFIX ARGS]"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile


def summary_lines(stderr):
    """'name: value' lines of bpfix's summary, in order."""
    out = {}
    for line in stderr.splitlines():
        m = re.match(r"^(.+): (\d+)$", line)  # names may hold colons: the value is last
        if m and not line.startswith("bpfix:"):
            out[m.group(1)] = int(m.group(2))
    return out


def domain0_records(dump):
    """Data records of messages in observation domain 0, as {field name: value} dicts."""
    records, domain, current = [], None, None
    for line in dump.splitlines():
        m = re.search(r"observation domain id: (\d+)", line)
        if m:
            domain = int(m.group(1))
            continue
        if line.startswith("--- data record"):
            current = {} if domain == 0 else None
            if current is not None:
                records.append(current)
            continue
        if line.startswith("---"):
            current = None
            continue
        m = re.match(r"^\s+\([\d/]+\)(?: \(S\))?\s+(\w+) : (?:\(len: \d+\) )?(.*)$", line)
        if m and current is not None:
            current[m.group(1)] = m.group(2)
    return records


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bpfix", required=True)
    ap.add_argument("--elements", required=True)
    ap.add_argument("--needs-root", action="store_true")
    ap.add_argument("capture")
    ap.add_argument("extra", nargs="*")
    args = ap.parse_args()
    if not shutil.which("ipfixDump"):
        print("SKIP: ipfixDump (libfixbuf-tools) is not installed")
        return 77
    if args.needs_root and os.geteuid() != 0:
        print("SKIP: the kernel engine needs root")
        return 77
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "flows.ipfix")
        run = subprocess.run([args.bpfix, "replay", "--output", out, *args.extra, args.capture],
                             capture_output=True, text=True)
        if run.returncode != 0:
            print("bpfix failed (%d):\n%s" % (run.returncode, run.stderr))
            return 1
        dump = subprocess.run(["ipfixDump", "-e", args.elements, "--in", out],
                              capture_output=True, text=True, check=True).stdout
    summary = summary_lines(run.stderr)
    records = domain0_records(dump)
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
        not_metered = sum(v for k, v in summary.items() if k.startswith("not metered"))
        expect = {
            "packetTotalCount": summary["packets seen"],
            "ignoredPacketTotalCount": not_metered,
            "observedFlowTotalCount": summary["flows"],
            "exportedFlowRecordTotalCount": summary["records sent"],
            "notSentFlowTotalCount": summary.get("records not sent", 0),
            "notSentPacketTotalCount": summary["packets lost to flow map eviction"],
        }
        for k, v in expect.items():
            if t.get(k) != v:
                errors.append("totals record %s = %s, expected %d" % (k, t.get(k), v))
        if summary["packets seen"] != summary["packets metered"] + not_metered:
            errors.append("packets seen != metered + not metered in the summary")
    for e in errors:
        print("FAIL:", e)
    print("ok: %d counter records, totals consistent" % len(counters) if not errors else "FAIL")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
