#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""NetFlow v9 export as real decoders read it: nfcapd/nfdump, tshark, nfacctd, fastnetmon.

    netflow9.py --bpfix BIN --pcaps tests/pcaps --pair CAPTURE=TRUTH... [--needs-root]
                [--case NAME] [--list] [-- ARGS]

ARGS go to every bpfix run (--engine kernel). Truths are the generator's (tests/pcaps/README.md).

- captures_nfcapd: every capture of the replay tests (each --pair, with its truth's bpfix-args),
  replayed once to two nfcapds at the same time, one over IPFIX and one over NetFlow v9
  (--collector netflow9://...): nfdump shows for each the truth's flows (key, packets, octets,
  first and last time in ms, TOS, TCP flags; the end reason for IPFIX: nfdump 1.7.1's v9
  decoder has none), the two are the same, neither collector counted a sequence failure
  (nfdump -I) or dropped a datagram, and the summary holds the truth's lines.
- tshark: gtpu.pcap and mixed.pcap into a UDP sink over v9 with templates resent every 2
  packets, the datagrams written to a pcap (scapy) and read by tshark (-o
  cflow.max_template_fields:0): no expert information at all (sequence analysis included), and
  every flow record, tunnel fields too (outer endpoints as nProbe's untunneled addresses, 507,
  509, 510 as tshark's unknown types), equal to the truth; the header's sequence runs 0, 1, 2...
  in each source id (flows: the observation domain, statistics: 0); sysUptime counts from the
  capture's first packet and unix_secs is capture time (both from the capture itself); the
  statistics record says what the summary says.
- nfacctd: gtpu.pcap into pmacct's nfacctd 1.7.7 over v9 (the shipped
  contrib/collectors/pmacct/primitives-netflow9.lst, and primitives for the statistics fields):
  the flows equal the truth (tunnel endpoints and TEID; QFI and PDU type are tshark's to check:
  pmacct prints 0 for a field the record lacks), and the
  statistics options record (scope System) shows the summary's records sent and packets seen,
  with 0 in the in-bytes pmacct reads the scope into; no template error in its log.
- fastnetmon: gtpu.pcap into fastnetmon 1.2.4 over v9: its counters (Prometheus) show every
  flow record the summary sent, the templates and the one options template learnt, the
  statistics record, no data for an unknown template and no broken packet.

One line per case (tests/lib/cases.py). Exit 0 pass, 1 fail, 2 harness error, 77 when every case
was skipped (a decoder not installed, or not root with --needs-root).
"""

import os
import re
import socket
import sys
import xml.etree.ElementTree as ET
from datetime import datetime, timezone

sys.dont_write_bytecode = True   # no __pycache__ in the source tree
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [HERE, os.path.join(HERE, "..", "lib")]
import nfcapd_replay  # noqa: E402
from bpfixtest import (KERNEL_ENGINE, Flow, Nfcapd, argument_parser, decoder_output,  # noqa: E402
                       log, norm_addr, parse_arguments, parse_summary, run_bpfix,
                       summary_numbers)
from cases import WAIT, Cases, in_temporary_directory, require, wait_until  # noqa: E402
from collectors import Fastnetmon, Nfacctd, UdpSink  # noqa: E402

EXTRAS = ("tos", "tcp_flags", "end")
EXTRAS_NFDUMP_V9 = ("tos", "tcp_flags")   # nfdump 1.7.1's v9 decoder has no flowEndReason
DOMAIN = 1                       # bpfix's default observation domain: the flows' source id
STATS_SOURCE_ID = 0
RESEND = ["--template-refresh-messages", "2"]
# v9 field types of what tshark 4.0 does not name
TEID, QFI, PDU_TYPE = 507, 509, 510


class Run:
    """What every case needs: the arguments, bpfix's extra arguments, a directory of its own."""

    def __init__(self, args, extra, tmp):
        self.args, self.extra, self.tmp = args, extra, tmp

    def replay(self, collectors, capture, more=()):
        """bpfix replay of capture to collectors ("SPEC" each); returns the summary text."""
        argv = ["replay"]
        for c in collectors:
            argv += ["--collector", c]
        rc, text, _ = run_bpfix(self.args.bpfix, [*argv, *more, *self.extra, capture],
                                self.args.timeout)
        assert rc == 0, f"bpfix replay {capture} exited with {rc}:\n{text}"
        return text

    def pcap(self, name):
        return os.path.join(self.args.pcaps, name)


def compare_flows(what, truth, flows, p, tunnel=False, extras=EXTRAS):
    missing, unexpected, mismatched = nfcapd_replay.compare(truth, flows, extras, tunnel)
    if missing or unexpected or mismatched:
        nfcapd_replay.report(missing, unexpected, mismatched, extras, len(truth), len(flows),
                             decoder=what, tunnel=tunnel)
        p.append(f"{what}: {len(missing)} missing, {len(unexpected)} unexpected, "
                 f"{len(mismatched)} mismatched (above)")


# ---------------------------------------------------------------------------------------------
# nfcapd: every capture, v9 and IPFIX at once

def sequence_failures(col):
    m = re.search(r"Sequence failures:\s*(\d+)", col.nfdump("-I"))
    if not m:
        raise AssertionError("nfdump -I printed no 'Sequence failures' line")
    return int(m.group(1))


def one_capture(run, capture, truth_path, p):
    truth, meta = nfcapd_replay.read_truth(truth_path)
    name = os.path.basename(capture)
    with Nfcapd() as ipfix, Nfcapd() as v9:
        text = run.replay([f"127.0.0.1:{ipfix.start()}", f"netflow9://127.0.0.1:{v9.start()}"],
                          capture, meta["bpfix-args"])
        for col in (ipfix, v9):
            col.stop()
        got = {"IPFIX": ipfix.decode(with_end_reason=True), "NetFlow v9": v9.decode()}
        for what, col in (("IPFIX", ipfix), ("NetFlow v9", v9)):
            failures = sequence_failures(col)
            if failures or col.drops:
                p.append(f"{name} over {what}: nfcapd counted {failures} sequence failures, "
                         f"its socket dropped {col.drops} datagrams")
    compare_flows(f"nfdump, {name} over IPFIX", truth, got["IPFIX"], p)
    compare_flows(f"nfdump, {name} over NetFlow v9", truth, got["NetFlow v9"], p,
                  extras=EXTRAS_NFDUMP_V9)
    compare_flows(f"nfdump, {name}: v9 against IPFIX", got["IPFIX"], got["NetFlow v9"], p,
                  extras=EXTRAS_NFDUMP_V9)
    for problem in nfcapd_replay.check_summary(parse_summary(text), meta["summary"]):
        p.append(f"{name}: {problem}")
    return len(got["NetFlow v9"])


def case_captures_nfcapd(run, p):
    """Every capture through nfcapd over v9 and IPFIX at once: truth, equal, 0 sequence errors."""
    require(tools=("nfcapd", "nfdump"))
    if not run.args.pair:
        raise AssertionError("no --pair CAPTURE=TRUTH given")
    for pair in run.args.pair:
        capture, truth = pair.split("=", 1)
        n = one_capture(run, run.pcap(capture), run.pcap(truth), p)
        log(f"  {capture} ({truth}): {n} v9 records")


# ---------------------------------------------------------------------------------------------
# tshark

def write_pcap(datagrams, port, path):
    """The datagrams as UDP to 127.0.0.1:port in a pcap (scapy, Debian's python3)."""
    from scapy.all import IP, UDP, Ether, Raw, wrpcap   # slow to import: only here
    wrpcap(path, [Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02") /
                  IP(src="127.0.0.1", dst="127.0.0.1") / UDP(sport=40000, dport=port) / Raw(d)
                  for d in datagrams])


def capture_times_ms(path):
    """(first, last) packet time of a capture in ms, as tshark reads it."""
    out = decoder_output(["tshark", "-r", path, "-T", "fields", "-e", "frame.time_epoch"])
    times = [int(round(float(t) * 1000)) for t in out.split()]
    return min(times), max(times)


def tshark(path, port, *args):
    return decoder_output(["tshark", "-r", path, "-d", f"udp.port=={port},cflow",
                           "-o", "cflow.max_template_fields:0", *args])


def fields_of(node):
    """{field name: [field elements]} under a PDML node (nested ones included)."""
    out = {}
    for f in node.iter("field"):
        if f.get("name"):
            out.setdefault(f.get("name"), []).append(f)
    return out


def unknown_types(node):
    """{v9 type: value} of the fields tshark shows as 'Unknown Field Type: Type N: ...'."""
    out = {}
    for f in node.iter("field"):
        m = re.search(r"Type (\d+): Value", f.get("showname", ""))
        if f.get("name") == "cflow.unknown_field_type" and m:
            out[int(m.group(1))] = int(f.get("value"), 16)
    return out


def flow_of_record(rec):
    """One PDML 'Flow N' node -> Flow."""
    f = fields_of(rec)

    def show(name, default=None):
        return f[name][0].get("show") if name in f else default

    def num(name):
        v = show(name)
        return None if v is None else int(v, 0)

    v6 = "cflow.srcaddrv6" in f
    src, dst = (show("cflow.srcaddrv6"), show("cflow.dstaddrv6")) if v6 else \
        (show("cflow.srcaddr"), show("cflow.dstaddr"))
    outer = [show(f"cflow.pie.ntop.untunneled_ipv{v}_{d}_addr") for v in (4, 6)
             for d in ("src", "dst")]
    outer_src, outer_dst = (outer[0], outer[1]) if outer[0] else (outer[2], outer[3])
    unknown = unknown_types(rec)
    return Flow(6 if v6 else 4, norm_addr(src), norm_addr(dst), num("cflow.protocol"),
                num("cflow.srcport"), num("cflow.dstport"), num("cflow.packets"),
                num("cflow.octets"), int(f["cflow.abstimestart"][0].get("value"), 16),
                int(f["cflow.abstimeend"][0].get("value"), 16), num("cflow.tos"),
                num("cflow.tcpflags"), num("cflow.flow_end_reason"), "",
                norm_addr(outer_src) if outer_src else None,
                norm_addr(outer_dst) if outer_dst else None,
                unknown.get(TEID), unknown.get(QFI), unknown.get(PDU_TYPE))


def read_packets(pdml):
    """[(header {name: value}, [Flow], [statistics record fields])] of every export packet."""
    out = []
    for packet in ET.fromstring(pdml).iter("packet"):
        cflow = next(proto for proto in packet.iter("proto") if proto.get("name") == "cflow")
        header = {}
        for f in cflow.iter("field"):   # the header's fields come first
            header.setdefault(f.get("name"), f.get("show"))
        flows, stats = [], []
        for flowset in cflow.findall("field"):
            for rec in flowset.findall("field"):
                if not re.fullmatch(r"Flow \d+", rec.get("show", "")):
                    continue
                if "cflow.scope_system" in fields_of(rec):
                    stats.append({k: v[0].get("show") for k, v in fields_of(rec).items()})
                else:
                    flows.append(flow_of_record(rec))
        out.append((header, flows, stats))
    return out


def check_headers(packets, first_ms, last_ms, p):
    """Sequence 0, 1, 2... per source id; sysUptime from the first packet; unix_secs in capture
    time."""
    next_seq = {}
    for i, (h, _, _) in enumerate(packets):
        sid, seq = int(h["cflow.source_id"]), int(h["cflow.sequence"])
        if seq != next_seq.get(sid, 0):
            p.append(f"packet {i}: source id {sid} sequence {seq}, expected "
                     f"{next_seq.get(sid, 0)}")
        next_seq[sid] = seq + 1
        secs = int(h["cflow.unix_secs"])
        uptime_ms = round(float(h["cflow.sysuptime"]) * 1000)
        now_ms = first_ms + uptime_ms   # where sysUptime says the exporter is
        if not (first_ms // 1000 <= secs <= last_ms // 1000 and secs == now_ms // 1000):
            p.append(f"packet {i}: unix_secs {secs}, sysUptime {uptime_ms} ms: not capture "
                     f"time from the first packet ({first_ms} ms) to the last ({last_ms} ms)")
    if set(next_seq) != {DOMAIN, STATS_SOURCE_ID}:
        p.append(f"source ids {sorted(next_seq)}, expected {DOMAIN} (flows) and "
                 f"{STATS_SOURCE_ID} (statistics)")


def one_tshark(run, capture, truth_name, p):
    truth, meta = nfcapd_replay.read_truth(run.pcap(truth_name))
    with UdpSink() as sink:
        text = run.replay([f"netflow9://127.0.0.1:{sink.port}"], run.pcap(capture),
                          [*RESEND, *meta["bpfix-args"]])
        datagrams = sink.datagrams()
        port = sink.port
    path = os.path.join(run.tmp, capture + ".v9.pcap")
    write_pcap(datagrams, port, path)
    expert = tshark(path, port, "-q", "-z", "expert").strip()
    if expert:
        p.append(f"{capture}: tshark's expert information:\n{expert}")
    packets = read_packets(tshark(path, port, "-T", "pdml"))
    flows = [f for _, fl, _ in packets for f in fl]
    compare_flows(f"tshark, {capture}", truth, flows, p, tunnel=True)
    check_headers(packets, *capture_times_ms(run.pcap(capture)), p)
    stats = [s for _, _, st in packets for s in st]
    summary = summary_numbers(text)
    want = {"cflow.scope_system": "00:00:00:00", "cflow.od_id": str(DOMAIN),
            "cflow.flowsexp": str(summary["records sent"]),
            "cflow.permanent_packets": str(summary["packets seen"])}   # 42, 86
    if len(stats) != 1 or any(stats[0].get(k) != v for k, v in want.items()):
        p.append(f"{capture}: statistics records {stats}, expected one with {want}")
    log(f"  {capture}: {len(datagrams)} datagrams, {len(flows)} records, "
        f"{len(stats)} statistics record")


def case_tshark(run, p):
    """tshark decodes the v9 datagrams with no expert information, values equal to the truth."""
    require(tools=("tshark",))
    one_tshark(run, "gtpu.pcap", "gtpu.truth.tsv", p)
    one_tshark(run, "mixed.pcap", "mixed.truth.tsv", p)


# ---------------------------------------------------------------------------------------------
# nfacctd

# the shipped primitives (contrib/collectors/pmacct/), and the statistics record's
SHIPPED_PRIMITIVES = os.path.join(HERE, "..", "..", "contrib", "collectors", "pmacct",
                                  "primitives-netflow9.lst")
STATS_PRIMITIVES = ["name=domain field_type=149 len=4 semantics=u_int",
                    "name=exported_records field_type=42 len=8 semantics=u_int"]
NFACCTD_AGGREGATE = ["export_proto_sysid", "src_host", "dst_host", "src_port", "dst_port",
                     "proto", "tos", "tcpflags", "timestamp_start", "timestamp_end",
                     "gtpu_teid", "gtpu_qfi", "gtpu_pdu_type", "tun_src", "tun_dst", "tun_src6",
                     "tun_dst6", "flow_end_reason", "domain", "exported_records"]


def pmacct_ms(text):
    """pmacct's '2023-11-14 22:13:22.010000' (UTC: timestamps_utc) -> epoch ms."""
    dt = datetime.strptime(text, "%Y-%m-%d %H:%M:%S.%f").replace(tzinfo=timezone.utc)
    return int(dt.timestamp()) * 1000 + dt.microsecond // 1000


def pmacct_flow(r):
    """One nfacctd CSV row -> Flow. pmacct prints 0, 0.0.0.0 and :: for a primitive the
    record's template lacks: a record is tunnelled when it has an outer endpoint."""
    proto = r["protocol"]
    proto = int(proto) if proto.isdigit() else socket.getprotobyname(proto)
    src, dst = norm_addr(r["src_ip"]), norm_addr(r["dst_ip"])
    outer = (r["tun_src"], r["tun_dst"]) if r["tun_dst"] != "0.0.0.0" else \
        (r["tun_src6"], r["tun_dst6"])
    tunnelled = norm_addr(outer[1]) not in ("0.0.0.0", "::")
    return Flow(6 if ":" in src else 4, src, dst, proto, int(r["src_port"]),
                int(r["dst_port"]), int(r["packets"]), int(r["bytes"]),
                pmacct_ms(r["timestamp_start"]), pmacct_ms(r["timestamp_end"]), int(r["tos"]),
                int(r["tcp_flags"]), int(r["flow_end_reason"]), "",
                norm_addr(outer[0]) if tunnelled else None,
                norm_addr(outer[1]) if tunnelled else None,
                int(r["gtpu_teid"]) if tunnelled else None)


def case_nfacctd(run, p):
    """nfacctd shows the flows (tunnels too) and the statistics record over v9."""
    require(tools=("nfacctd",))
    truth, meta = nfcapd_replay.read_truth(run.pcap("gtpu.truth.tsv"))
    # pmacct shows QFI and PDU type as 0 when absent: compared for the flows that have them
    truth = [t._replace(qfi=None, pdu_type=None) for t in truth]
    with open(SHIPPED_PRIMITIVES) as f:
        primitives = [line.strip() for line in f if line.startswith("name=")]
    with Nfacctd(run.tmp, primitives + STATS_PRIMITIVES, NFACCTD_AGGREGATE) as col:
        text = run.replay([f"netflow9://127.0.0.1:{col.start()}"], run.pcap("gtpu.pcap"),
                          meta["bpfix-args"])
        summary = summary_numbers(text)
        col.stop()
        rows = wait_until(lambda: (lambda r: r if any(x["exported_records"] not in ("", "0")
                                                      for x in r) else None)(col.records()),
                          WAIT, "nfacctd to print the statistics record")
    flow_rows = [r for r in rows if r["export_proto_sysid"] == str(DOMAIN)]
    stats = [r for r in rows if r["export_proto_sysid"] == str(STATS_SOURCE_ID)]
    flows = [pmacct_flow(r) for r in flow_rows]
    compare_flows("nfacctd", truth, flows, p, tunnel=True)
    want = {"domain": str(DOMAIN), "exported_records": str(summary["records sent"]),
            "packets": str(summary["packets seen"]),   # pmacct reads 86 as its packets
            "bytes": "0"}                              # and the System scope as its bytes
    if [{k: s[k] for k in want} for s in stats] != [want]:
        p.append(f"nfacctd's statistics rows {stats}, expected one with {want}")
    bad = [x for x in col.log_text().splitlines() if "emplate" in x or "malformed" in x]
    if bad:
        p.append("nfacctd logged:\n  " + "\n  ".join(bad))
    log(f"  nfacctd: {len(flows)} flow rows, {len(stats)} statistics row")


# ---------------------------------------------------------------------------------------------
# fastnetmon

def case_fastnetmon(run, p):
    """fastnetmon counts every v9 flow record and the statistics record, no unknown template."""
    require(tools=("fastnetmon",))
    with Fastnetmon(run.tmp) as col:
        text = run.replay([f"v9://127.0.0.1:{col.start()}"], run.pcap("gtpu.pcap"))
        records = summary_numbers(text)["records sent"]
        col.drain()
        got = wait_until(lambda: (lambda m: m if m and m.get("netflow_v9_total_flows", 0) >=
                                  records else None)(col.metrics()),
                         WAIT, f"fastnetmon to count {records} NetFlow v9 flows")
        col.stop()
    want = {"netflow_v9_total_flows": records, "netflow_v9_options_packet_number": 1,
            "netflow_v9_packets_with_unknown_templates": 0, "netflow_v9_broken_packets": 0}
    for k, v in want.items():
        if got.get(k) != v:
            p.append(f"fastnetmon {k} = {got.get(k)}, expected {v}")
    if not got.get("netflow_v9_data_templates_number") or \
            got.get("netflow_v9_options_templates_number") != 1:
        p.append(f"fastnetmon learnt {got.get('netflow_v9_data_templates_number')} templates "
                 f"and {got.get('netflow_v9_options_templates_number')} options templates")
    log(f"  fastnetmon: {got.get('netflow_v9_total_flows')} flows, "
        f"{got.get('netflow_v9_data_templates_number')} templates")


CASES = Cases([
    ("captures_nfcapd", case_captures_nfcapd),
    ("tshark", case_tshark),
    ("nfacctd", case_nfacctd),
    ("fastnetmon", case_fastnetmon),
])


def main(argv=None, cases=CASES, doc=__doc__, make_run=Run):
    """The driver of cases (default: this file's) that take make_run(args, bpfix arguments, a
    temporary directory) and captures given as --pcaps and --pair."""
    ap = argument_parser(doc.split("\n\n")[0], needs_root=True)
    ap.add_argument("--pcaps", required=True, help="the project's tests/pcaps directory")
    ap.add_argument("--pair", action="append", default=[], metavar="CAPTURE=TRUTH",
                    help="a capture of --pcaps and its truth file (repeatable)")
    cases.add_arguments(ap)
    ap.set_defaults(timeout=120.0)
    args, extra = parse_arguments(ap, argv)
    args.bpfix = os.path.abspath(args.bpfix)
    return cases.run(args, in_temporary_directory("bpfix-netflow9-",
                                                  lambda tmp: (make_run(args, extra, tmp),)),
                     lambda: require(root_for=KERNEL_ENGINE if args.needs_root else None,
                                     binaries=(args.bpfix,)))


if __name__ == "__main__":
    sys.exit(main())
