#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""The TCP analysis as a decoder shows it: replay a capture into an IPFIX file, decode it with
ipfixDump (bpfix's element file names the enterprise elements), and require every TCP record to
carry the sequence gaps, retransmitted segments, server- and client-side round trips (or "not
measured", all ones), handshake ambiguity and first packet's flags its truth states, and the
summary's TCP counters to be the truth's.

    tcp_analysis.py --bpfix BIN --truth FILE.truth.tsv [--elements XML] [--needs-root]
                    CAPTURE [-- BPFIX ARGS]

The truth (tests/pcaps/README.md, "TCP analysis truth") comes from a generator that wrote down
what each segment it built means (tests/pcaps/tcp_capture.py), or from tshark over a capture
(shared_pcaps_tcp.py); never from bpfix. Records are matched by flow key, tunnel and first and
last millisecond; a TCP record the truth does not name fails, as does a truth row without its
record. Run per engine (host, kernel): each must give exactly the truth, so they agree.
"""

import os
import sys
import tempfile

sys.dont_write_bytecode = True   # no __pycache__ in the source tree
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [HERE, os.path.join(HERE, "..", "lib")]
import ipfix_records  # noqa: E402
from bpfixtest import (KERNEL_ENGINE, HarnessError, argument_parser, parse_arguments,  # noqa: E402
                       preflight, run_bpfix, summary_counters)

NOT_MEASURED = 0xFFFFFFFF
FIELDS = ("packets", "gaps", "retrans", "rtt_server_us", "rtt_client_us", "handshake_flags",
          "first_flags")
ELEMENTS = {"gaps": "bpfixTcpSequenceGaps", "retrans": "bpfixTcpRetransmittedSegments",
            "rtt_server_us": "bpfixTcpServerRttMicroseconds",
            "rtt_client_us": "bpfixTcpClientRttMicroseconds",
            "handshake_flags": "bpfixTcpHandshakeFlags", "first_flags": "bpfixTcpFirstControlBits"}


def read_truth(path):
    """(bpfix arguments, {summary counter: value}, rows as dicts) of a TCP analysis truth."""
    args, summary, rows, header = [], {}, [], None
    with open(path) as f:
        for line in f:
            line = line.rstrip("\n")
            if line.startswith("# bpfix-args:"):
                args = line.split(":", 1)[1].split()
            elif line.startswith("# summary:"):
                name, value = line[len("# summary: "):].rsplit(": ", 1)
                summary[name] = int(value)
            elif line.startswith("#") or not line:
                continue
            elif header is None:
                header = line.split("\t")
            else:
                rows.append(dict(zip(header, line.split("\t"))))
    if header is None:
        raise HarnessError(f"{path}: no header line")
    return args, summary, rows


def truth_key(row):
    teid = None if row["teid"] == "-" else int(row["teid"], 16)
    return (int(row["ipver"]), ipfix_records.addr(row["src"]), ipfix_records.addr(row["dst"]),
            int(row["sport"]), int(row["dport"]),
            None if row["outer_dst"] == "-" else ipfix_records.addr(row["outer_dst"]), teid,
            int(row["first_ms"]), int(row["last_ms"]))


def truth_values(row):
    def rtt(text):
        return NOT_MEASURED if text == "-" else int(text)
    return {"packets": int(row["packets"]), "gaps": int(row["gaps"]),
            "retrans": int(row["retrans"]), "rtt_server_us": rtt(row["rtt_server_us"]),
            "rtt_client_us": rtt(row["rtt_client_us"]),
            "handshake_flags": int(row["handshake_flags"]),
            "first_flags": int(row["first_flags"], 0)}


def tcp_records(path, elements):
    """(FlowView, every field by name, the TCP analysis by FIELDS' names) of each TCP flow
    record of an IPFIX file, as ipfixDump decodes it."""
    _, records = ipfix_records.decode(path, elements)
    for rec in records:
        v = ipfix_records.flow_view(rec)
        if v is None or v.proto != 6:
            continue
        f = ipfix_records.by_name(rec)
        missing = [e for e in ELEMENTS.values() if e not in f]
        if missing:
            raise HarnessError(f"a TCP record without {', '.join(missing)}: {v}")
        values = {name: int(f[element], 0) for name, element in ELEMENTS.items()}
        values["packets"] = v.packets
        yield v, f, values


def decoded_tcp(path, elements):
    """{key as truth_key makes it: values} of the TCP flow records of an IPFIX file."""
    out = {}
    for v, _, values in tcp_records(path, elements):
        key = (v.ver, v.src, v.dst, v.sport, v.dport, v.outer_dst, v.teid, v.first_ms, v.last_ms)
        if key in out:
            raise HarnessError(f"two TCP records of one flow and time: {key}")
        out[key] = values
    return out


def compare(truth_rows, decoded, truth_summary, summary):
    """The disagreements, one line each."""
    problems = []
    want = {truth_key(r): (truth_values(r), r.get("what", "")) for r in truth_rows}
    for key, (values, what) in sorted(want.items(), key=lambda kv: kv[0][7:]):
        got = decoded.get(key)
        if got is None:
            problems.append(f"{what}: no record {key}")
            continue
        for name in FIELDS:
            if got[name] != values[name]:
                problems.append(f"{what} {key[1]}:{key[3]} -> {key[2]}:{key[4]} "
                                f"({key[7]}..{key[8]} ms): {name} {got[name]}, "
                                f"expected {values[name]}")
    for key in sorted(set(decoded) - set(want), key=lambda k: k[7:]):
        problems.append(f"a TCP record the truth does not have: {key} {decoded[key]}")
    for name, value in truth_summary.items():
        if summary.get(name, 0) != value:
            problems.append(f"summary '{name}': {summary.get(name, 0)}, expected {value}")
    return problems


def check(bpfix, capture, truth, elements, extra, timeout):
    """Replay @capture with its truth's arguments and compare: the problems found."""
    args, truth_summary, rows = read_truth(truth)
    with tempfile.TemporaryDirectory(prefix="bpfix-tcp-") as tmp:
        out = os.path.join(tmp, "flows.ipfix")
        rc, text, _ = run_bpfix(bpfix, ["replay", "--output", out, *args, *extra, capture],
                                timeout)
        if rc != 0:
            raise HarnessError(f"bpfix replay failed ({rc}):\n{text}")
        decoded = decoded_tcp(out, elements)
    problems = compare(rows, decoded, truth_summary, summary_counters(text))
    print(f"{os.path.basename(capture)}: {len(rows)} TCP records in the truth, "
          f"{len(decoded)} decoded, {len(problems)} disagreement(s)")
    return problems


def main(argv=None):
    ap = argument_parser(__doc__.split("\n\n")[0], elements=ipfix_records.DEFAULT_ELEMENTS,
                         needs_root=True)
    ap.add_argument("--truth", required=True, help="the capture's TCP analysis truth")
    ap.add_argument("capture")
    args, extra = parse_arguments(ap, argv)
    rc = preflight(args.bpfix, ("ipfixDump",), KERNEL_ENGINE if args.needs_root else None)
    if rc is not None:
        return rc
    try:
        problems = check(args.bpfix, args.capture, args.truth, args.elements, extra,
                         args.timeout)
    except (HarnessError, ipfix_records.DecodeError) as e:
        print(f"ERROR: {e}")
        return 2
    for p in problems:
        print("FAIL:", p)
    print("FAIL" if problems else "ok: every TCP record as the truth says")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
