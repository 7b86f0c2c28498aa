#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""The TCP round trips over NetFlow v9 as decoders show them: nProbe's network delays.

    netflow9_latency.py --bpfix BIN --pcaps DIR --pair CAPTURE=ANALYSIS_TRUTH... [--needs-root]
                        [--case NAME] [--list] [-- ARGS]

ARGS go to every bpfix run (--engine kernel). Each ANALYSIS_TRUTH is a TCP analysis truth
(tests/pcaps/README.md) written by the capture's generator, never by bpfix: its rtt_server_us and
rtt_client_us are the full round trips at the observer ("-": not measured). v9 carries half of
each (nProbe's meaning of a network delay), so the expected delay is the truth's round trip / 2,
within the half microsecond of rounding.

- nfdump: each capture replayed over v9 into nfcapd; for every TCP record of the truth,
  `nfdump -o json` shows srv_latency = rtt_server_us / 2 and cli_latency = rtt_client_us / 2 (in
  ms); a record whose server side was measured and client side not (the server's flow) shows
  cli_latency 0 (nfdump has one latency extension for both); a record with neither has no
  latency at all, in -o json and in -o raw. Every TCP record nfdump shows is one of the truth's.
- tshark: the first capture over v9 into a UDP sink, read by tshark: no expert information, and
  the four fields (by v9 type: tshark 4.0 names 57554-57557 after nProbe's later throughput
  elements, see templates/netflow9.def) hold the truth's halves as seconds and microseconds,
  only in the records whose round trips were measured.

One line per case (tests/lib/cases.py). Exit 0 pass, 1 fail, 2 harness error, 77 when every case
was skipped (a decoder not installed, or not root with --needs-root).
"""

import os
import re
import sys
import xml.etree.ElementTree as ET

sys.dont_write_bytecode = True   # no __pycache__ in the source tree
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [HERE, os.path.join(HERE, "..", "lib")]
import netflow9  # noqa: E402
import tcp_analysis  # noqa: E402
from bpfixtest import Nfcapd, flow_from_json, log, norm_addr, parse_nfdump_json  # noqa: E402
from cases import Cases, require  # noqa: E402
from collectors import UdpSink  # noqa: E402

# v9 types of nProbe's CLIENT_NW_LATENCY_SEC/USEC, SERVER_NW_LATENCY_SEC/USEC, and the names
# tshark 4.0 gives them (nProbe's later SRC_TO_DST_MAX_THROUGHPUT... at the same numbers)
TSHARK_DELAY = {"client": ("cflow.pie.ntop.src_to_dst_max_throughput",
                           "cflow.pie.ntop.src_to_dst_min_throughput"),
                "server": ("cflow.pie.ntop.src_to_dst_avg_throughput",
                           "cflow.pie.ntop.dst_to_src_max_throughput")}
ROUNDING_US = 0.5   # v9 carries whole microseconds of the half round trip


def expected(pcaps, truth_name):
    """(bpfix arguments, {(ver, src, dst, sport, dport, first_ms, last_ms): (what, server round
    trip in µs or None, client round trip or None)}) of a TCP analysis truth."""
    args, _, rows = tcp_analysis.read_truth(os.path.join(pcaps, truth_name))
    out = {}
    for r in rows:
        key = (int(r["ipver"]), norm_addr(r["src"]), norm_addr(r["dst"]), int(r["sport"]),
               int(r["dport"]), int(r["first_ms"]), int(r["last_ms"]))
        rtt = tuple(None if r[c] == "-" else int(r[c]) for c in ("rtt_server_us",
                                                                 "rtt_client_us"))
        out[key] = (r.get("what", ""), *rtt)
    return args, out


def flow_key(f):
    return (f.ver, f.src, f.dst, f.sport, f.dport, f.first_ms, f.last_ms)


def check_delay(where, side, got_us, rtt_us, p):
    """got_us (a decoder's delay in µs, None: absent) against half of the truth's round trip."""
    if rtt_us is None:
        if got_us not in (None, 0) or (side == "server" and got_us is not None):
            p.append(f"{where}: {side} delay {got_us} µs, but the truth measured none")
        return
    if got_us is None or abs(got_us - rtt_us / 2) > ROUNDING_US + 1e-6:
        p.append(f"{where}: {side} delay {got_us} µs, expected {rtt_us} / 2 = {rtt_us / 2}")


class Run:
    def __init__(self, args, extra, tmp):
        self.args, self.extra, self.tmp = args, extra, tmp

    def pairs(self):
        if not self.args.pair:
            raise AssertionError("no --pair CAPTURE=TRUTH given")
        return [pair.split("=", 1) for pair in self.args.pair]

    def replay(self, collector, capture, args):
        return netflow9.Run(self.args, self.extra, self.tmp).replay([collector], capture, args)


# ---------------------------------------------------------------------------------------------
# nfdump

def raw_latency_blocks(text):
    """{(src, sport, dst, dport, first): whether nfdump -o raw printed latency lines} per
    record."""
    out = {}
    for block in re.split(r"\n(?=Flow Record:)", text):
        fields = dict(re.findall(r"^\s+(\w[\w ]*?)\s+=\s+(.*?)\s*$", block, re.M))
        if "src addr" not in fields:
            continue
        key = (norm_addr(fields["src addr"]), int(fields.get("src port", 0)),
               norm_addr(fields["dst addr"]), int(fields.get("dst port", 0)),
               fields.get("first", ""))
        out.setdefault(key, []).append("cli latency" in fields)
    return out


def one_nfdump(run, capture, truth_name, p):
    args, want = expected(run.args.pcaps, truth_name)
    with Nfcapd() as col:
        run.replay(f"netflow9://127.0.0.1:{col.start()}", os.path.join(run.args.pcaps, capture),
                   args)
        col.stop()
        objects = [o for o in parse_nfdump_json(col.nfdump("-o", "json"))
                   if o.get("type", "FLOW") == "FLOW" and int(o.get("proto", 0)) == 6]
        raw = raw_latency_blocks(col.nfdump("-o", "raw", "proto tcp"))
    seen = set()
    with_latency = 0
    for o in objects:
        f = flow_from_json(o)
        key = flow_key(f)
        where = f"{capture} {f.src}:{f.sport} -> {f.dst}:{f.dport} ({f.first_ms} ms)"
        if key not in want:
            p.append(f"{where}: a TCP record the truth does not have")
            continue
        seen.add(key)
        what, srv, cli = want[key]
        where += f" [{what}]"
        has = "srv_latency" in o
        with_latency += has
        if srv is None and cli is None:
            if has or "cli_latency" in o:
                p.append(f"{where}: latency {o.get('cli_latency')}/{o.get('srv_latency')} ms "
                         "shown, but the truth measured no round trip")
            continue
        check_delay(where, "server", o["srv_latency"] * 1000 if has else None, srv, p)
        check_delay(where, "client", o["cli_latency"] * 1000 if "cli_latency" in o else None,
                    cli, p)
    for key in sorted(set(want) - seen, key=lambda k: k[5:]):
        p.append(f"{capture}: no record for the truth's {want[key][0]} {key}")
    measured = sum(1 for _, srv, cli in want.values() if srv is not None or cli is not None)
    # -o raw: the latency lines exactly for the measured records
    raw_with = sum(v for values in raw.values() for v in values)
    if raw_with != measured:
        p.append(f"{capture}: nfdump -o raw shows latency in {raw_with} TCP records, the truth "
                 f"measured {measured}")
    log(f"  {capture}: {len(objects)} TCP records, {with_latency} with latency "
        f"({measured} measured in the truth)")


def case_nfdump(run, p):
    """nfdump shows half the truth's round trips, and no latency where none was measured."""
    require(tools=("nfcapd", "nfdump"))
    for capture, truth in run.pairs():
        one_nfdump(run, capture, truth, p)


# ---------------------------------------------------------------------------------------------
# tshark

def delays_of_record(rec):
    """{side: delay in µs, None when the record has no such fields} of one PDML Flow node."""
    f = netflow9.fields_of(rec)
    out = {}
    for side, (sec, usec) in TSHARK_DELAY.items():
        if sec in f and usec in f:
            out[side] = int(f[sec][0].get("show")) * 1000000 + int(f[usec][0].get("show"))
        elif sec in f or usec in f:
            out[side] = "half"   # one without the other: never right
        else:
            out[side] = None
    return out


def case_tshark(run, p):
    """tshark: no expert information; the delay fields hold the truth's halves, only when
    measured."""
    require(tools=("tshark",))
    capture, truth_name = run.pairs()[0]
    args, want = expected(run.args.pcaps, truth_name)
    with UdpSink() as sink:
        run.replay(f"netflow9://127.0.0.1:{sink.port}", os.path.join(run.args.pcaps, capture),
                   args)
        datagrams, port = sink.datagrams(), sink.port
    path = os.path.join(run.tmp, "v9.pcap")
    netflow9.write_pcap(datagrams, port, path)
    expert = netflow9.tshark(path, port, "-q", "-z", "expert").strip()
    if expert:
        p.append(f"tshark's expert information:\n{expert}")
    n = 0
    for packet in ET.fromstring(netflow9.tshark(path, port, "-T", "pdml")).iter("packet"):
        for rec in packet.iter("field"):
            if not re.fullmatch(r"Flow \d+", rec.get("show", "")) or \
                    "cflow.scope_system" in netflow9.fields_of(rec):
                continue
            f = netflow9.flow_of_record(rec)
            if f.proto != 6:
                continue
            n += 1
            where = f"tshark {f.src}:{f.sport} -> {f.dst}:{f.dport} ({f.first_ms} ms)"
            if flow_key(f) not in want:
                p.append(f"{where}: a TCP record the truth does not have")
                continue
            what, srv, cli = want[flow_key(f)]
            got = delays_of_record(rec)
            for side, rtt in (("server", srv), ("client", cli)):
                if rtt is None and got[side] is not None:
                    p.append(f"{where} [{what}]: {side} delay fields ({got[side]} µs) in a "
                             "record whose round trip was not measured")
                elif rtt is not None:
                    check_delay(f"{where} [{what}]", side, got[side], rtt, p)
    if n != len(want):
        p.append(f"tshark decoded {n} TCP records, the truth has {len(want)}")
    log(f"  {capture}: {len(datagrams)} datagrams, {n} TCP records")


CASES = Cases([
    ("nfdump", case_nfdump),
    ("tshark", case_tshark),
])


if __name__ == "__main__":
    sys.exit(netflow9.main(cases=CASES, doc=__doc__, make_run=Run))
