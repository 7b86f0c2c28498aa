#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""The TCP analysis of real captures: TCP conversations of ../shared/pcaps, their truth computed
here from tshark's dissection, checked against what bpfix exports (via tcp_analysis.py).

    shared_pcaps_tcp.py --bpfix BIN --pcaps ../shared/pcaps [--only NAME]... [--needs-root]
                        [--keep DIR] [-- BPFIX ARGS]

For each capture of CAPTURES (each with TCP: plain IPv4 and IPv6, QinQ, Linux cooked, TCP/TLS
inside GTP-U on two tunnel legs with inner fragments and timestamps out of order), tshark gives
every frame's layers, addresses, ports, fragment fields, TEID, TCP sequence and acknowledgment
numbers, payload length, flags, stream and tcp.analysis.initial_rtt. From that, and nothing of
bpfix's:

- the flow key of each frame as DESIGN.md §4 defines it (the inner packet of a G-PDU on the
  GTP-U port, its TEID and outer destination; a non-first fragment: ports 0) and one record per
  flow (bpfix runs with day-long timeouts, so each flow ends only at the end of the capture);
- the round trips from the handshake frames' times, per conversation at the observation point
  (canonical inner addresses and ports plus the outer address pair: the two GTP-U legs of
  open5gs-srsenb are two observation points): server side SYN to SYN-ACK, client side SYN-ACK to
  the client's next segment acknowledging it. Checked against tshark's own initial RTT (SYN to
  that ACK) wherever tshark's stream is one conversation at one point (not both GTP-U legs
  merged) and the handshake unambiguous: the two must add up to it, to the microsecond;
- gaps and retransmitted segments from the frames' sequence numbers by the rules of DESIGN.md
  §4a, written out here in Python (serial arithmetic, data/SYN/FIN only, the first segment sets
  the highest end, keep-alives and repeated 1-octet probes, a jump over 2^30 resyncs, an IP
  first fragment carries an unknown part of its segment);
- the first packet's flags, the summary's TCP handshake counters.

It writes that truth as tests/pcaps/README.md's TCP analysis truth and has tcp_analysis.py check
the replay against it: every TCP record, no more, no less. Exit 0 pass, 1 fail, 2 harness error,
77 when the directory, tshark or ipfixDump is missing (or --needs-root without root).
"""

import os
import subprocess
import sys
import tempfile
from collections import defaultdict
from decimal import Decimal

sys.dont_write_bytecode = True   # no __pycache__ in the source tree
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [HERE, os.path.join(HERE, "..", "lib")]
import ipfix_records  # noqa: E402
import tcp_analysis  # noqa: E402
from bpfixtest import (EXIT_HARNESS, EXIT_SKIP, KERNEL_ENGINE, HarnessError,  # noqa: E402
                       argument_parser, parse_arguments, preflight)

# The captures with TCP whose every frame tshark and bpfix read alike (tcpreplay-test's
# MPLS pseudowire frames carry no TCP and are not metered by bpfix; they are left out by layers).
# Not pcapplusplus-pcapng-example.pcapng: its timestamps jump by decades and back (SOURCES.md), so
# flows end by idle timeout in the middle and the records are not one per flow.
CAPTURES = ("tcpreplay-test.pcap", "zeek-http-qinq-0.pcap", "arkime-v6.pcap",
            "suricata-verify-tcp-rst-with-data.pcap", "open5gs-srsenb.pcapng",
            "open5gs-testregistration.pcapng", "pcapplusplus-many-protocols.pcap",
            "zeek-mixed-vlan-mpls.pcap",
            "zeek-ipv6-http-atomic-frag.pcap", "ndpi-false_positives.pcapng",
            "ndpi-reasm_segv_anon.pcapng", "arkime-socks5-http-302-frag.pcap")
# Day-long timeouts: one record per flow, ended at the end of the capture.
ARGS = ["--idle-timeout", "86400", "--active-timeout", "86400", "--tcp-linger", "3600"]
GTPU_PORT = 2152
SYN, ACK, FIN, RST = 0x02, 0x10, 0x01, 0x04
JUMP = 1 << 30
AMB_SERVER, AMB_CLIENT = 1, 2
V6_EXT = ("ipv6.hopopts", "ipv6.routing", "ipv6.fraghdr", "ipv6.dstopts")

FIELDS = ("frame.number frame.time_epoch frame.protocols ip.src ip.dst ip.proto ip.flags.mf "
          "ip.frag_offset ipv6.src ipv6.dst ipv6.nxt ipv6.fraghdr.offset ipv6.fraghdr.more "
          "ipv6.fraghdr.nxt udp.srcport udp.dstport gtp.message gtp.teid tcp.srcport tcp.dstport tcp.seq_raw "
          "tcp.ack_raw tcp.len tcp.flags tcp.stream tcp.analysis.initial_rtt").split()


def s32(x):
    x &= 0xFFFFFFFF
    return x - (1 << 32) if x & 0x80000000 else x


def tshark_frames(path):
    """One dict per frame: field -> list of its occurrences (innermost last)."""
    cmd = ["tshark", "-r", path, "-n", "-o", "ip.defragment:FALSE", "-o",
           "ipv6.defragment:FALSE", "-o", "tcp.desegment_tcp_streams:FALSE", "-o",
           "tcp.analyze_sequence_numbers:TRUE", "-T", "fields", "-E", "occurrence=a", "-E",
           "aggregator=,"] + [a for f in FIELDS for a in ("-e", f)]
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        raise HarnessError(f"tshark failed on {path}: {r.stderr.strip()}")
    out = []
    for line in r.stdout.splitlines():
        cols = line.split("\t")
        out.append({f: (cols[i].split(",") if i < len(cols) and cols[i] else [])
                    for i, f in enumerate(FIELDS)})
    return out


def flow_packet(fr):
    """What DESIGN.md §4 makes of a frame: None if it is not IP (bpfix does not meter it, or
    meters it without TCP), else a dict: time (ns), key fields, tunnel, and the TCP segment when
    the flow-layer IP packet is TCP with its header (seq None when not)."""
    layers = fr["frame.protocols"][0].split(":")
    if "pwethheuristic" in layers or "pwethcw" in layers:
        return None                   # Ethernet over MPLS: bpfix does not open pseudowires
    ips = [i for i, name in enumerate(layers) if name in ("ip", "ipv6")]
    if not ips:
        return None
    flow = 0                          # which IP layer is the flow's
    teid = outer = None
    gtp = "gtp" in layers and ips[0] < layers.index("gtp")
    if gtp and len(ips) > 1 and fr["gtp.message"] and int(fr["gtp.message"][0], 0) == 0xFF:
        ports = {int(p) for p in fr["udp.srcport"][:1] + fr["udp.dstport"][:1]}
        if GTPU_PORT in ports:
            flow, teid = 1, int(fr["gtp.teid"][0], 0)
    # the occurrence of each family's fields that is the flow layer's, and the outer layer's
    def occurrence(k):
        fam = layers[ips[k]]
        return fam, sum(1 for i in ips[:k] if layers[i] == fam)
    fam, n = occurrence(flow)
    if fam == "ip":
        src, dst = fr["ip.src"][n], fr["ip.dst"][n]
        proto = int(fr["ip.proto"][n])
        first = int(fr["ip.frag_offset"][n]) == 0
        more = fr["ip.flags.mf"][n] in ("1", "True")
    else:
        src, dst = fr["ipv6.src"][n], fr["ipv6.dst"][n]
        first, more = True, False
        after = layers[ips[flow] + 1:]
        while after and after[0] in V6_EXT:
            if after[0] == "ipv6.fraghdr":
                first = int(fr["ipv6.fraghdr.offset"][0]) == 0
                more = fr["ipv6.fraghdr.more"][0] in ("1", "True")
            after = after[1:]
        # the upper layer after the extension headers (a non-first fragment: the fragment
        # header's next header, as no layer follows)
        if after and after[0] == "tcp":
            proto = 6
        elif not first:
            proto = int(fr["ipv6.fraghdr.nxt"][0]) if fr["ipv6.fraghdr.nxt"] else -1
        else:
            proto = -1
    if flow:
        ofam, on = occurrence(0)
        outer = (fr[f"{ofam}.src"][on], fr[f"{ofam}.dst"][on])
    tcp = proto == 6 and first and "tcp" in layers[ips[flow]:] and fr["tcp.seq_raw"]
    sport = int(fr["tcp.srcport"][0]) if tcp else 0
    dport = int(fr["tcp.dstport"][0]) if tcp else 0
    if proto != 6:
        return None
    t = Decimal(fr["frame.time_epoch"][0])
    p = {"t": int(t * 10**9), "ver": 4 if fam == "ip" else 6,
         "src": ipfix_records.addr(src), "dst": ipfix_records.addr(dst), "sport": sport,
         "dport": dport, "outer": tuple(ipfix_records.addr(a) for a in outer) if outer else None,
         "teid": teid, "seq": None, "frame": int(fr["frame.number"][0]),
         "stream": fr["tcp.stream"][0] if tcp and fr["tcp.stream"] else None,
         "irtt": Decimal(fr["tcp.analysis.initial_rtt"][0])
         if tcp and fr["tcp.analysis.initial_rtt"] else None}
    if tcp:
        if not fr["tcp.len"] and not more:
            raise HarnessError(f"frame {p['frame']}: tshark gives no TCP length")
        # tshark gives none for a first fragment: its part of the segment is not known anyway
        p.update(seq=int(fr["tcp.seq_raw"][0]), ack=int(fr["tcp.ack_raw"][0]),
                 payload=int(fr["tcp.len"][0]) if fr["tcp.len"] else 0,
                 flags=int(fr["tcp.flags"][0], 0), unsized=more)
    return p


def flow_key(p):
    return (p["ver"], p["src"], p["dst"], p["sport"], p["dport"],
            p["outer"][1] if p["outer"] else None, p["teid"])


def conversation(p):
    """The observation point's conversation: both ends in order, the outer pair in order."""
    ends = sorted([(p["src"], p["sport"]), (p["dst"], p["dport"])])
    return (p["ver"], tuple(ends), tuple(sorted(p["outer"])) if p["outer"] else None), \
        (p["src"], p["sport"]) != ends[0]


class Direction:
    """One flow's sequence state and what it counted (DESIGN.md §4a)."""

    def __init__(self):
        self.high = self.isn = self.probe = None
        self.rst = self.pending = False
        self.gaps = self.retrans = self.resyncs = 0
        self.rtt = None                   # (server µs, client µs or None, ambiguity bits)

    def segment(self, p):
        """Classify; returns (restarted, was the pending segment)."""
        flags, seq, payload = p["flags"], p["seq"], p["payload"]
        length = payload + bool(flags & SYN) + bool(flags & FIN)
        end = (seq + length) & 0xFFFFFFFF
        ended = False
        if flags & SYN:
            if not flags & ACK:
                self.pending = True
            if self.isn is None or seq != self.isn or self.rst:
                self.isn, self.rst, self.probe, self.rtt = seq, False, None, None
                self.high = end
                return True, False
        elif self.pending:
            self.pending, ended = False, True
        if flags & RST:
            self.rst = True
            return False, ended
        if not length or p["unsized"]:
            return False, ended
        if self.high is None:
            self.high = end
            return False, ended
        start = s32(seq - self.high)
        if length == 1 and payload == 1:
            if start == -1 or seq == self.probe:
                return False, ended
            self.probe = seq
        if start > JUMP or start < -JUMP:
            self.high = end
            self.resyncs += 1
            return False, ended
        if s32(end - self.high) > 0:
            self.high = end
        if start > 0:
            self.gaps += 1
        elif start < 0:
            self.retrans += 1      # no GSO in a capture: one segment
        return False, ended


def analyse(packets):
    """{flow key: (Direction, packets, first ns, last ns, first flags)}, the handshake counters,
    and the tshark cross-checks [(stream, tshark's initial RTT, ours)]."""
    flows, conns = {}, {}
    counts = {"seen": 0, "ended": 0, "measured": 0}
    irtt_checks = []
    streams = defaultdict(set)        # tshark stream -> conversations it spans
    for p in packets:
        if p["stream"] is not None:
            streams[p["stream"]].add(conversation(p)[0])
    for p in packets:
        key = flow_key(p)
        if key not in flows:
            flows[key] = [Direction(), 0, p["t"], p["t"], p["flags"] if p["seq"] is not None
                          else 0]
        f = flows[key]
        d = f[0]
        f[1] += 1
        f[2], f[3] = min(f[2], p["t"]), max(f[3], p["t"])
        if p["seq"] is None:
            continue
        restarted, ended = d.segment(p)
        conv, side = conversation(p)
        c = conns.get(conv)
        if p["flags"] & SYN and not p["flags"] & ACK:
            if c and c["client"] != side:
                c["state"] = "simultaneous"
            elif c and not restarted and c["state"] == "simultaneous":
                pass
            elif c and not restarted and p["seq"] == c["isn_c"]:
                c.update(t1=p["t"], state="syn", amb=c["amb"] | AMB_SERVER)
            else:
                if c:
                    counts["seen"] += 1
                    counts["ended"] += 1
                else:
                    counts["seen"] += 1
                conns[conv] = {"t1": p["t"], "isn_c": p["seq"], "client": side,
                               "state": "syn", "amb": 0}
        elif p["flags"] & SYN and c:
            if c["client"] == side or c["state"] == "simultaneous" or \
                    (p["ack"] - c["isn_c"] - 1) & 0xFFFFFFFF >= 0x10000:
                pass
            elif c["state"] == "synack":
                c.update(t2=p["t"], isn_s=p["seq"], amb=c["amb"] | AMB_CLIENT)
            elif p["t"] >= c["t1"]:
                server = (p["t"] - c["t1"]) // 1000
                c.update(t2=p["t"], isn_s=p["seq"], server=server, state="synack")
                d.rtt = (server, None, c["amb"] & AMB_SERVER)
        elif ended and c:
            del conns[conv]
            counts["ended"] += 1
            if c["state"] == "synack" and c["client"] == side and p["flags"] & ACK and \
                    s32(p["ack"] - c["isn_s"] - 1) >= 0 and p["t"] >= c["t2"]:
                d.rtt = (c["server"], (p["t"] - c["t2"]) // 1000, c["amb"])
                counts["measured"] += 1
                if p["irtt"] is not None and len(streams[p["stream"]]) == 1 and not c["amb"]:
                    irtt_checks.append((p["stream"], p["irtt"], d.rtt))
    counts["resyncs"] = sum(f[0].resyncs for f in flows.values())
    return flows, counts, irtt_checks


def write_truth(path, flows, counts):
    lines = [f"# bpfix-args: {' '.join(ARGS)}",
             f"# summary: TCP handshakes seen: {counts['seen']}",
             "# summary: TCP handshakes ended (client's next segment, or a new SYN in their "
             f"place): {counts['ended']}",
             f"# summary: TCP handshakes measured (both round-trip times): {counts['measured']}",
             "# summary: TCP handshakes lost to connection map eviction: 0",
             f"# summary: TCP sequence jumps over 2^30 (resynchronised, not loss): "
             f"{counts['resyncs']}",
             "\t".join(["ipver", "src", "dst", "sport", "dport", "outer_dst", "teid", "first_ms",
                        "last_ms", "packets", "gaps", "retrans", "rtt_server_us",
                        "rtt_client_us", "handshake_flags", "first_flags", "what"])]
    for key, (d, n, first, last, flags) in sorted(flows.items(), key=lambda kv: kv[1][2]):
        ver, src, dst, sport, dport, outer_dst, teid = key
        server, client, amb = d.rtt if d.rtt else (None, None, 0)
        lines.append("\t".join(str(x) for x in (
            ver, src, dst, sport, dport, outer_dst or "-",
            "-" if teid is None else f"0x{teid:08x}", first // 10**6, last // 10**6, n,
            d.gaps, d.retrans, "-" if server is None else server,
            "-" if client is None else client, amb, f"0x{flags:02x}", "shared")))
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")


def check_capture(args, extra, name, tmp):
    """The problems of one capture (a list; empty: it passed)."""
    path = os.path.join(args.pcaps, name)
    packets = [p for p in (flow_packet(fr) for fr in tshark_frames(path)) if p]
    flows, counts, irtt = analyse(packets)
    problems = []
    for stream, tshark_irtt, (server, client, _) in irtt:
        ours = server + client
        if abs(int(tshark_irtt * 10**6) - ours) > 1:
            problems.append(f"the truth itself: stream {stream}: tshark's initial RTT "
                            f"{tshark_irtt} s, the handshake frames give {server} + {client} µs")
    truth = os.path.join(tmp, name + ".tcp-analysis.truth.tsv")
    write_truth(truth, flows, counts)
    measured = sum(1 for d, *_ in flows.values() if d.rtt and d.rtt[1] is not None)
    print(f"{name}: {len(flows)} TCP flows, {counts['measured']} handshakes measured "
          f"({measured} client flows), {len(irtt)} against tshark's initial RTT, "
          f"{sum(d.gaps for d, *_ in flows.values())} gaps, "
          f"{sum(d.retrans for d, *_ in flows.values())} retransmissions")
    problems += tcp_analysis.check(args.bpfix, path, truth, args.elements, extra, args.timeout)
    return problems


def main(argv=None):
    ap = argument_parser(__doc__.split("\n\n")[0], elements=ipfix_records.DEFAULT_ELEMENTS,
                         only=True, needs_root=True)
    ap.add_argument("--pcaps", required=True, help="the shared captures' directory")
    ap.add_argument("--keep", help="write each capture's truth into this directory too")
    args, extra = parse_arguments(ap, argv)
    rc = preflight(args.bpfix, ("tshark", "ipfixDump"),
                   KERNEL_ENGINE if args.needs_root else None)
    if rc is not None:
        return rc
    if not os.path.isdir(args.pcaps):
        print(f"SKIP: no shared captures at {args.pcaps}")
        return EXIT_SKIP
    names = [n for n in CAPTURES if not args.only or any(s in n for s in args.only)]
    failed = 0
    for name in names:
        if not os.path.exists(os.path.join(args.pcaps, name)):
            print(f"FAIL: {name} is not in {args.pcaps}")
            failed += 1
            continue
        try:
            with tempfile.TemporaryDirectory(prefix="bpfix-tcp-") as tmp:
                problems = check_capture(args, extra, name, args.keep or tmp)
        except (HarnessError, ipfix_records.DecodeError) as e:
            print(f"ERROR {name}: {e}")
            return EXIT_HARNESS
        for p in problems:
            print(f"FAIL {name}: {p}")
        failed += bool(problems)
    print(f"{len(names) - failed} of {len(names)} captures as their truth says")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
