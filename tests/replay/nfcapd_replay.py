#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""Replay a capture with bpfix into a real nfcapd and compare what nfdump decodes with a truth file.

    nfcapd_replay.py --bpfix build/src/bpfix --truth tests/pcaps/mixed.truth.tsv
        [--check tos,tcp_flags,end] [--check-summary] tests/pcaps/mixed.pcap [-- EXTRA ARGS]

Steps: pick a free UDP port on 127.0.0.1, start `nfcapd` in the foreground as our child, run
`bpfix replay --collector 127.0.0.1:PORT --output TMP/records.ipfix [truth's bpfix-args] [EXTRA]
CAPTURE`, wait until nfcapd has read every datagram, stop it with SIGTERM (it writes its file on
exit), then compare every record with the truth (format: tests/pcaps/README.md) twice:
  - as nfcapd received it, decoded with `TZ=UTC nfdump -R DIR -o json`: flow key (the inner flow
    for GTP-U; nfdump shows no tunnel fields), packets, octets, first/last time, --check fields;
  - as bpfix wrote it to the IPFIX file, decoded with libfixbuf's `ipfixDump -e
    templates/bpfix-elements.xml`: the same, plus the tunnel fields (outer source/destination,
    gtpuTEid, gtpuQFI, gtpuPduType; absent for flows that are not tunnelled).
With --check-summary, bpfix's summary must hold the truth's "# summary:" lines (a counter bpfix
leaves out of its summary is 0). Exit 0 when equal, 1 on any difference, 2 when the harness itself
failed, 77 when nfcapd/nfdump/ipfixDump are not installed (or --needs-root and not root).

Running bpfix, its summary, nfcapd and nfdump's records come from tests/lib/bpfixtest.py, the
IPFIX file's records from ipfix_records.py. This file deliberately does not know how bpfix works
inside: it only sees what the collectors see.
"""

import os
import re
import sys
from collections import defaultdict
from datetime import datetime, timezone

sys.dont_write_bytecode = True   # no __pycache__ in the source tree
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [HERE, os.path.join(HERE, "..", "lib")]
import ipfix_records  # noqa: E402
from bpfixtest import (COLLECTOR_TOOLS, EXIT_FAIL, EXIT_HARNESS, EXIT_OK,  # noqa: E402
                       KERNEL_ENGINE, Flow, HarnessError, Nfcapd, argument_parser, log,
                       norm_addr, opt_int, parse_arguments, parse_summary, preflight,
                       replay_to_collector)

END_REASONS = {"idle": 1, "active": 2, "end": 3, "forced": 4, "lack": 5}
END_NAMES = {v: k for k, v in END_REASONS.items()}

# A record of the truth, of nfdump or of ipfixDump is a bpfixtest.Flow; the fields compared.
# tos/tcp_flags/end are compared only when asked (--check).
KEY_FIELDS = ("ver", "src", "dst", "proto", "sport", "dport")
COUNT_FIELDS = ("packets", "octets", "first_ms", "last_ms")
EXTRA_FIELDS = ("tos", "tcp_flags", "end")
# GTP-U: the tunnel endpoint that owns the TEID and the TEID are part of the flow key; the outer
# source, QFI and PDU type are attributes of the record.
TUNNEL_KEY_FIELDS = ("outer_dst", "teid")
TUNNEL_FIELDS = ("outer_src", "qfi", "pdu_type")


# ---------------------------------------------------------------------------------------------
# Truth file

def read_truth(path):
    """Return (records, meta). meta: {'bpfix-args': [...], 'summary': [(key, value)], ...}."""
    flows, meta = [], {"bpfix-args": [], "summary": []}
    header = None
    with open(path) as f:
        for lineno, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line.strip():
                continue
            if line.startswith("#"):
                m = re.match(r"#\s*(bpfix-args|summary):\s*(.*)$", line)
                if m and m.group(1) == "bpfix-args":
                    meta["bpfix-args"] += m.group(2).split()
                elif m:
                    kv = parse_summary(m.group(2))
                    meta["summary"] += list(kv.items())
                continue
            cols = line.split("\t")
            if header is None:
                header = cols
                missing = [c for c in ("ipver", "src", "dst", "proto", "sport", "dport",
                                       "packets", "octets", "first_ms", "last_ms") if c not in cols]
                if missing:
                    raise HarnessError(f"{path}:{lineno}: header lacks {', '.join(missing)}")
                continue
            if len(cols) != len(header):
                raise HarnessError(f"{path}:{lineno}: {len(cols)} columns, header has "
                                   f"{len(header)}")
            r = dict(zip(header, cols))
            try:
                flows.append(Flow(
                    int(r["ipver"]), norm_addr(r["src"]), norm_addr(r["dst"]), int(r["proto"]),
                    int(r["sport"]), int(r["dport"]), int(r["packets"]), int(r["octets"]),
                    int(r["first_ms"]), int(r["last_ms"]),
                    opt_int(r.get("tos")), opt_int(r.get("tcp_flags")),
                    END_REASONS.get(r.get("end", "-")), r.get("what", ""),
                    opt_addr(r.get("outer_src")), opt_addr(r.get("outer_dst")),
                    opt_int(r.get("teid")), opt_int(r.get("qfi")), opt_int(r.get("pdu_type"))))
            except (ValueError, KeyError) as e:
                raise HarnessError(f"{path}:{lineno}: {e}")
    return flows, meta


def opt_addr(s):
    """A truth column that may be '-' (absent), e.g. the outer source of a flow not tunnelled."""
    return None if s in (None, "", "-") else norm_addr(s)


# ---------------------------------------------------------------------------------------------
# Comparison

def ms_to_iso(ms):
    if ms is None:
        return "?"
    try:
        return datetime.fromtimestamp(ms / 1000, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.") + \
            f"{ms % 1000:03d}"
    except (OverflowError, OSError, ValueError):
        return f"{ms}ms"


def flow_from_view(v):
    """An ipfix_records.FlowView (a record as ipfixDump decoded it) -> Flow."""
    return Flow(what="", **v._asdict())


def check_summary(got, expected):
    """Return a list of problems: expected is [(key, value)]. bpfix prints a counter that is 0
    only for the first few; a missing line is 0."""
    problems = []
    for key, value in expected:
        if key not in got:
            if value != "0":
                problems.append(f"summary line '{key}: {value}' missing")
        elif got[key] != value:
            problems.append(f"summary '{key}': got {got[key]}, expected {value}")
    return problems


def fmt_tunnel(f):
    if f.outer_dst is None and f.teid is None and f.outer_src is None:
        return ""
    teid = f"0x{f.teid:08x}" if f.teid is not None else "-"
    s = f" in GTP-U {f.outer_src or '-'} -> {f.outer_dst or '-'} TEID {teid}"
    if f.qfi is not None or f.pdu_type is not None:
        s += f" QFI {f.qfi if f.qfi is not None else '-'}" \
             f" PDU type {f.pdu_type if f.pdu_type is not None else '-'}"
    return s


def fmt_key(f):
    if f.ver == 6:
        return f"v6 [{f.src}]:{f.sport} -> [{f.dst}]:{f.dport} proto {f.proto}" + fmt_tunnel(f)
    return f"v{f.ver} {f.src}:{f.sport} -> {f.dst}:{f.dport} proto {f.proto}" + fmt_tunnel(f)


def fmt_flow(f, extras):
    s = (f"{fmt_key(f)}  packets {f.packets} octets {f.octets} "
         f"first {ms_to_iso(f.first_ms)} last {ms_to_iso(f.last_ms)}")
    for name in extras:
        v = getattr(f, name)
        if name == "end":
            v = END_NAMES.get(v, v)
        elif name == "tcp_flags" and v is not None:
            v = f"0x{v:02x}"
        s += f" {name} {v if v is not None else '-'}"
    return s + (f"  # {f.what}" if f.what else "")


def compare(truth, got, extras=(), tunnel=False):
    """Return (missing, unexpected, mismatched pairs) between two lists of Flow.

    tunnel: also compare the GTP-U fields (the decoder shows them): the tunnel endpoint and TEID
    belong to the flow key, outer source, QFI and PDU type to the values. Absent (None) must
    match absent there; only the --check fields of a truth may be left open.
    """
    key_fields = KEY_FIELDS + (TUNNEL_KEY_FIELDS if tunnel else ())
    fields = COUNT_FIELDS + tuple(extras) + (TUNNEL_FIELDS if tunnel else ())

    def sig(f):
        # The truth may leave an extra field open ("-"): it then matches anything.
        return tuple(getattr(f, n) for n in fields)

    def same(t, g):
        return all(getattr(t, n) is None and n in EXTRA_FIELDS or getattr(t, n) == getattr(g, n)
                   for n in fields)

    by_key_t, by_key_g = defaultdict(list), defaultdict(list)
    for f in truth:
        by_key_t[tuple(getattr(f, n) for n in key_fields)].append(f)
    for f in got:
        by_key_g[tuple(getattr(f, n) for n in key_fields)].append(f)

    missing, unexpected, mismatched = [], [], []
    for key in sorted(set(by_key_t) | set(by_key_g), key=str):
        ts = sorted(by_key_t.get(key, []), key=lambda f: (f.first_ms or 0, repr(sig(f))))
        gs = sorted(by_key_g.get(key, []), key=lambda f: (f.first_ms or 0, repr(sig(f))))
        rest_t = []
        for t in ts:
            hit = next((g for g in gs if same(t, g)), None)
            if hit is None:
                rest_t.append(t)
            else:
                gs.remove(hit)
        # What is left under one key is most likely the same record with wrong counters or times:
        # pair it up in time order so the diff says which field is off.
        while rest_t and gs:
            mismatched.append((rest_t.pop(0), gs.pop(0)))
        missing += rest_t
        unexpected += gs
    order = lambda f: (f.first_ms or 0, str(f))
    mismatched.sort(key=lambda tg: order(tg[0]))
    return sorted(missing, key=order), sorted(unexpected, key=order), mismatched


def report(missing, unexpected, mismatched, extras, n_truth, n_got, decoder="nfdump",
           tunnel=False):
    log(f"records ({decoder}): truth {n_truth}, {decoder} {n_got}; missing {len(missing)}, "
        f"unexpected {len(unexpected)}, mismatched {len(mismatched)}")
    if missing:
        log(f"MISSING (in the truth, not decoded by {decoder}):")
        for f in missing:
            log("  - " + fmt_flow(f, extras))
    if unexpected:
        log(f"UNEXPECTED (decoded by {decoder}, not in the truth):")
        for f in unexpected:
            log("  + " + fmt_flow(f, extras))
    if mismatched:
        log(f"MISMATCHED ({decoder}: same flow key, different values):")
        for t, g in mismatched:
            log(f"  ~ {fmt_key(t)}  # {t.what}")
            for n in COUNT_FIELDS + tuple(extras) + (TUNNEL_FIELDS if tunnel else ()):
                tv, gv = getattr(t, n), getattr(g, n)
                if tv is None and n in EXTRA_FIELDS or tv == gv:
                    continue
                if n in ("first_ms", "last_ms"):
                    tv, gv = f"{tv} ({ms_to_iso(tv)})", f"{gv} ({ms_to_iso(gv)})"
                elif n == "end":
                    tv, gv = END_NAMES.get(tv, tv), END_NAMES.get(gv, gv)
                log(f"      {n}: expected {'-' if tv is None else tv}, "
                    f"got {'-' if gv is None else gv}")


# ---------------------------------------------------------------------------------------------

def main(argv=None):
    ap = argument_parser(
        "Replay CAPTURE with bpfix into nfcapd and an IPFIX file; compare the records nfdump and "
        "ipfixDump decode with a truth file. Arguments after '--' go to bpfix replay.",
        elements=ipfix_records.DEFAULT_ELEMENTS, needs_root=True)
    ap.add_argument("--truth", required=True, help="truth file (tests/pcaps/README.md)")
    ap.add_argument("--check", default="",
                    help="also compare these comma-separated fields: tos, tcp_flags, end")
    ap.add_argument("--check-summary", action="store_true",
                    help="check bpfix's summary against the truth's '# summary:' lines")
    ap.add_argument("--expect-summary", action="append", default=[], metavar="'KEY: VALUE'",
                    help="require this summary line from bpfix (repeatable)")
    ap.add_argument("--expect-exit", type=int, default=0, help="bpfix exit code (default 0)")
    ap.add_argument("--no-truth-args", action="store_true",
                    help="do not pass the truth's '# bpfix-args:' to bpfix")
    ap.add_argument("--keep", action="store_true",
                    help="keep the nfcapd directory and the IPFIX file")
    ap.add_argument("-v", "--verbose", action="store_true",
                    help="print bpfix's output and every decoded record")
    ap.add_argument("capture", nargs="+", help="capture file(s), replayed in one bpfix run")
    a, extra = parse_arguments(ap, argv)

    extras = [x for x in a.check.split(",") if x]
    bad = [x for x in extras if x not in EXTRA_FIELDS]
    if bad:
        ap.error(f"--check: unknown field(s) {', '.join(bad)}; choose from tos, tcp_flags, end")

    rc = preflight(a.bpfix, COLLECTOR_TOOLS, KERNEL_ENGINE if a.needs_root else None)
    if rc is not None:
        return rc

    try:
        truth, meta = read_truth(a.truth)
        expected_summary = list(meta["summary"]) if a.check_summary else []
        for s in a.expect_summary:
            expected_summary += list(parse_summary(s).items())
        bpfix_args = ([] if a.no_truth_args else meta["bpfix-args"]) + extra

        with Nfcapd(keep=a.keep) as col:
            rc, out, cmd, ipfix_file = replay_to_collector(a.bpfix, col, a.capture, bpfix_args,
                                                           a.timeout)
            got = col.decode(with_end_reason="end" in extras)
            nfcapd_log = col.log_text()
            drops = col.drops
            if ipfix_file:
                got_file = [flow_from_view(v)
                            for v in ipfix_records.flows(ipfix_file, a.elements)]
            else:
                got_file = None
    except (HarnessError, ipfix_records.DecodeError) as e:
        log(f"ERROR: {e}")
        return EXIT_HARNESS

    problems = []
    if rc != a.expect_exit:
        problems.append(f"bpfix exited with {rc}, expected {a.expect_exit}")
    problems += check_summary(parse_summary(out), expected_summary)
    if drops:
        problems.append(f"the collector socket dropped {drops} datagrams (bpfix sent faster "
                        f"than nfcapd read): records are missing for that reason")
    if got_file is None:
        problems.append("bpfix wrote no --output file")
        got_file = []
    missing, unexpected, mismatched = compare(truth, got, extras)
    f_missing, f_unexpected, f_mismatched = compare(truth, got_file, extras, tunnel=True)

    failed = bool(problems or missing or unexpected or mismatched or f_missing or f_unexpected or
                  f_mismatched)
    log(f"capture: {' '.join(a.capture)}")
    log(f"command: {' '.join(cmd)}")
    if failed or a.verbose:
        log("bpfix output:\n" + "".join("  | " + line + "\n" for line in out.splitlines()))
        seq = [line.strip() for line in nfcapd_log.splitlines() if "Sequence" in line]
        if seq:
            log("nfcapd: " + "; ".join(seq))
    if a.verbose:
        for name, flows in (("nfdump", got), ("ipfixDump", got_file)):
            log(f"records decoded by {name}:")
            for f in sorted(flows, key=lambda f: (f.first_ms or 0, str(f))):
                log("  " + fmt_flow(f, extras))
    for p in problems:
        log(f"FAIL: {p}")
    report(missing, unexpected, mismatched, extras, len(truth), len(got))
    report(f_missing, f_unexpected, f_mismatched, extras, len(truth), len(got_file),
           decoder="ipfixDump", tunnel=True)
    log("FAIL" if failed else "PASS")
    return EXIT_FAIL if failed else EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
