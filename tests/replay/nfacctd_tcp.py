#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""The TCP analysis as pmacct's nfacctd 1.7.7 shows it with the shipped primitives.

    nfacctd_tcp.py --bpfix BIN --pcaps DIR --pair CAPTURE=ANALYSIS_TRUTH [--needs-root]
                   [--case NAME] [--list] [-- ARGS]

ARGS go to every bpfix run (--engine kernel). The truth is a TCP analysis truth
(tests/pcaps/README.md) written by the capture's generator, never by bpfix.

- ipfix: the capture over IPFIX into nfacctd with contrib/collectors/pmacct/primitives.lst as
  shipped, aggregated per record (flow key and both timestamps): every TCP record of the truth is
  one row whose tcp_seq_gaps, tcp_retransmitted, tcp_rtt_server_us, tcp_rtt_client_us
  (4294967295 where not measured), tcp_handshake_flags and tcp_first_flags are the truth's, and
  packets too; no other TCP row; no template error in nfacctd's log.
- netflow9: the same over NetFlow v9 with primitives-netflow9.lst: cli/srv_nw_delay_sec and
  _usec hold half the truth's round trips (within the rounding's half microsecond), 0 where the
  record carries none (pmacct's print for a field the template lacks: not measured).

One line per case (tests/lib/cases.py). Exit 0 pass, 1 fail, 2 harness error, 77 when every case
was skipped (nfacctd not installed, or not root with --needs-root).
"""

import os
import sys

sys.dont_write_bytecode = True   # no __pycache__ in the source tree
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [HERE, os.path.join(HERE, "..", "lib")]
import netflow9  # noqa: E402
import tcp_analysis  # noqa: E402
from bpfixtest import log, norm_addr, summary_numbers  # noqa: E402
from cases import WAIT, Cases, require, wait_until  # noqa: E402
from collectors import Nfacctd  # noqa: E402

PMACCT = os.path.join(HERE, "..", "..", "contrib", "collectors", "pmacct")
KEY = ["src_host", "dst_host", "src_port", "dst_port", "proto", "timestamp_start",
       "timestamp_end"]
# truth column -> the primitive primitives.lst names it
IPFIX_FIELDS = {"gaps": "tcp_seq_gaps", "retrans": "tcp_retransmitted",
                "rtt_server_us": "tcp_rtt_server_us", "rtt_client_us": "tcp_rtt_client_us",
                "handshake_flags": "tcp_handshake_flags", "first_flags": "tcp_first_flags"}
# side -> the primitives of primitives-netflow9.lst: seconds, microseconds of half its round trip
V9_DELAYS = {"rtt_server_us": ("srv_nw_delay_sec", "srv_nw_delay_usec"),
             "rtt_client_us": ("cli_nw_delay_sec", "cli_nw_delay_usec")}
NOT_MEASURED = 0xFFFFFFFF


def shipped(name):
    """The primitive lines of a shipped primitives file."""
    with open(os.path.join(PMACCT, name)) as f:
        return [line.strip() for line in f if line.startswith("name=")]


def primitive_names(lines):
    return [dict(w.split("=", 1) for w in line.split())["name"] for line in lines]


def row_key(r):
    return (norm_addr(r["src_ip"]), norm_addr(r["dst_ip"]), int(r["src_port"]),
            int(r["dst_port"]), netflow9.pmacct_ms(r["timestamp_start"]),
            netflow9.pmacct_ms(r["timestamp_end"]))


def truth_rows(run):
    capture, truth = run.pairs()[0]
    args, _, rows = tcp_analysis.read_truth(os.path.join(run.args.pcaps, truth))
    want = {(norm_addr(r["src"]), norm_addr(r["dst"]), int(r["sport"]), int(r["dport"]),
             int(r["first_ms"]), int(r["last_ms"])): r for r in rows}
    if len(want) != len(rows):
        raise AssertionError(f"{truth}: two rows of one flow key and time: pmacct's rows "
                             "could not tell them apart")
    return os.path.join(run.args.pcaps, capture), args, want


def collect(run, scheme, primitives_file, p):
    """[(nfacctd's row, truth row)] of every TCP record of the capture sent with scheme
    (ipfix, netflow9) to nfacctd with a shipped primitives file, aggregated per record; a row
    or truth row without a partner, and a template error nfacctd logged, are problems."""
    require(tools=("nfacctd",))
    capture, args, want = truth_rows(run)
    primitives = shipped(primitives_file)
    with Nfacctd(run.tmp, primitives, KEY + primitive_names(primitives)) as col:
        text = run.replay([f"{scheme}://127.0.0.1:{col.start()}"], capture, args)
        col.stop()
        records = summary_numbers(text)["records sent"]
        rows = wait_until(lambda: (lambda r: r if len(r) >= records else None)(col.records()),
                          WAIT, f"nfacctd to print {records} rows")
        bad = [x for x in col.log_text().splitlines() if "emplate" in x or "malformed" in x]
    if bad:
        p.append("nfacctd logged:\n  " + "\n  ".join(bad))
    pairs, seen = [], set()
    for r in (r for r in rows if r["protocol"] in ("tcp", "6")):
        k = row_key(r)
        if k not in want:
            p.append(f"nfacctd printed a TCP row the truth does not have: {k}")
            continue
        seen.add(k)
        pairs.append((r, want[k]))
    for k in sorted(set(want) - seen, key=lambda k: k[4:]):
        p.append(f"no nfacctd row for the truth's {want[k].get('what', '')} {k}")
    log(f"  {len(pairs)} TCP rows over {scheme} matched, {len(want)} in the truth")
    return pairs


def case_ipfix(run, p):
    """nfacctd over IPFIX with primitives.lst: every TCP analysis field equal to the truth."""
    for r, t in collect(run, "ipfix", "primitives.lst", p):
        expected = tcp_analysis.truth_values(t)
        got = {c: int(r[prim]) for c, prim in IPFIX_FIELDS.items()}
        got["packets"] = int(r["packets"])
        for c, v in got.items():
            if v != expected[c]:
                p.append(f"{t.get('what', '')} {row_key(r)}: {c} {v}, expected {expected[c]}")


def case_netflow9(run, p):
    """nfacctd over NetFlow v9 with primitives-netflow9.lst: half the truth's round trips."""
    for r, t in collect(run, "netflow9", "primitives-netflow9.lst", p):
        for column, (sec, usec) in V9_DELAYS.items():
            delay = int(r[sec]) * 1000000 + int(r[usec])
            rtt = tcp_analysis.truth_values(t)[column]
            ok = delay == 0 if rtt == NOT_MEASURED else abs(delay - rtt / 2) <= 0.5
            if not ok:
                p.append(f"{t.get('what', '')} {row_key(r)}: {sec}/{usec} {delay} µs, the "
                         f"truth's {column} is {'not measured' if rtt == NOT_MEASURED else rtt}")


CASES = Cases([
    ("ipfix", case_ipfix),
    ("netflow9", case_netflow9),
])


class Run(netflow9.Run):
    def pairs(self):
        if len(self.args.pair) != 1:
            raise AssertionError("give one --pair CAPTURE=TRUTH")
        return [pair.split("=", 1) for pair in self.args.pair]


if __name__ == "__main__":
    sys.exit(netflow9.main(cases=CASES, doc=__doc__, make_run=Run))
