#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""Generate bottleneck.pcap, a UPF's N3 with known delays and losses, and what `bpfix report`
must make of it.

Writes, next to this file (or into --outdir):
  bottleneck.pcap                Ethernet, classic pcap, microsecond timestamps: GTP-U tunnels of
                                 four UEs behind two gNBs, several QoS flows, TCP connections
                                 with known handshake round trips on each side of the observer
                                 and known losses before and after it, a DNS exchange, a
                                 connection seen mid-stream
  bottleneck.truth.tsv           its flow records (tests/pcaps/README.md)
  bottleneck-analysis.truth.tsv  the TCP analysis of each record (the format of
                                 tcp-analysis.truth.tsv)
  bottleneck-report.truth.tsv    the report's rows per tunnel (TEID, endpoint, QFI) and per
                                 server, and their order for every --sort key

The conversations are built with tcp_capture.py's Conv, which writes down what each segment
means as it builds it (a handshake of server time S and client time C; a segment lost before the
observer, its gap and its fill; one lost after it and its retransmission). The report's truth is
computed here from those meanings, the flow records of generate.py's lifecycle and the
definitions of bpfix report (src/report/report.h, bpfix(8)), never from bpfix.

What is known by construction: UE 3's QoS flow 8 (behind gNB 1) talks to a far server (server
side 150 to 240 ms) whose segments the internet loses before the observer: a gap and its fill
for each, so its downlink tunnel is the worst by loss (the default), by gaps and by server-side
round trip. UE 2's QoS flow 9 (behind gNB 2) has the worst radio (client side 80 to 150 ms),
which loses downlink segments after the observer (retransmissions without gaps): its tunnels are
the worst by client-side round trip, its downlink the worst by retransmissions.

Run with /usr/bin/python3 (scapy). `--check` regenerates into a temporary directory and fails if
the committed files differ.
"""

import ipaddress
import os
import sys
from fractions import Fraction

sys.dont_write_bytecode = True   # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import generate as G  # noqa: E402
import tcp_capture as T  # noqa: E402
from scapy.all import IP, UDP, Raw  # noqa: E402
from scapy.contrib.gtp import GTP_U_Header, GTPPDUSessionContainer  # noqa: E402

GNB1, GNB2, UPF = "192.0.2.210", "192.0.2.211", "198.51.100.210"
LIFE = G.Lifecycle()   # bpfix's defaults: every flow is one record, ended by the replay's end
SORTS = ("loss", "gaps", "retransmissions", "server-rtt", "client-rtt", "packets", "octets")
TIES = ("loss", "server-rtt", "client-rtt", "packets", "octets")
SYN, ACK = 0x02, 0x10
SEG = 400                # octets of a downlink segment: a small capture


def ue(frames, convs, what, ip, gnb, teid, qfi, server, port, t, handshakes, moves):
    """Connections of one UE's QoS flow to one server: one per (server ms, client ms) of
    handshakes, each from its own port, started 0.4 s apart; moves(conv, t, i) builds what
    follows the handshake of connection i."""
    for i, (srv_ms, cli_ms) in enumerate(handshakes):
        c = T.Conv(frames, f"{what}-{i}", ip, server, 41000 + 10 * qfi + i, port,
                   1_000_000 * (i + 1), 5_000_000 * (i + 1),
                   tunnel=dict(gnb=gnb, upf=UPF, teid_ul=teid, teid_dl=teid + 0x1000, qfi=qfi))
        convs.append(c)
        start = t + 0.4 * i
        moves(c, c.handshake(start, srv_ms, cli_ms), i)


def clean(c, t, _i):
    """A small download: a request, four segments, the client's acknowledgements."""
    c.data(t + 0.005, T.C, 200)
    for k in range(4):
        c.data(t + 0.010 + 0.010 * k, T.S, SEG)
    c.ack(t + 0.060, T.C)


def lossy_radio(c, t, i):
    """A download whose segments the radio side loses after the observer (two, or three for the
    odd connections): each sent again, a retransmission without a gap."""
    lost = (1, 3, 4) if i % 2 else (2, 4)
    c.data(t + 0.005, T.C, 200)
    for k in range(6):
        c.data(t + 0.010 + 0.010 * k, T.S, SEG, lost_after=k in lost)
    c.ack(t + 0.080, T.C)
    for k in range(len(lost)):
        c.resend(t + 0.200 + 0.010 * k, T.S)
    c.ack(t + 0.250, T.C)


def lossy_internet(c, t, _i):
    """A download whose second segment is lost before the observer: the next one is a gap,
    the segment sent again fills it (a retransmission)."""
    c.data(t + 0.005, T.C, 200)
    c.data(t + 0.010, T.S, SEG)
    c.lose_before(T.S, SEG)
    c.data(t + 0.030, T.S, SEG)
    c.data(t + 0.040, T.S, SEG)
    c.ack(t + 0.050, T.C)
    c.fill(t + 0.300, T.S)
    c.ack(t + 0.310, T.C)


def dns(frames, t):
    """UE 1 asks 203.0.113.53 over UDP inside its QoS flow 9 tunnels: the server is the end of
    the lower port."""
    for k, (up, length) in enumerate(((True, 40), (False, 120))):
        inner = IP(src="10.45.0.1", dst="203.0.113.53", id=0x5353) / \
            UDP(sport=53000, dport=53) / Raw(load=b"q" * length) if up else \
            IP(src="203.0.113.53", dst="10.45.0.1", id=0x5353) / \
            UDP(sport=53, dport=53000) / Raw(load=b"r" * length)
        teid = 0x1001 if up else 0x2001
        hdr = GTP_U_Header(teid=teid, gtp_type=255, E=1, next_ex=0x85) / \
            GTPPDUSessionContainer(type=1 if up else 0, QFI=9)
        outer = G.outer_udp(GNB1 if up else UPF, UPF if up else GNB1)
        frames.append(G.Frame(T.t_us(t + 0.02 * k), outer / hdr / inner,
                              gtp=G.Gtp(teid=teid, inner=inner, qfi=9, pdu=1 if up else 0),
                              why="dns"))


def conversations():
    """The frames of bottleneck.pcap in capture order, and the TCP connections among them."""
    frames, convs = [], []
    # UE 1 behind gNB 1: QoS flow 9 to a near web server, QoS flow 5 to another; good radio
    ue(frames, convs, "ue1-qfi9", "10.45.0.1", GNB1, 0x1001, 9, "203.0.113.10", 443, 1.0,
       [(20, 8), (22, 9), (24, 10)], clean)
    ue(frames, convs, "ue1-qfi5", "10.45.0.1", GNB1, 0x1001, 5, "203.0.113.20", 8443, 3.0,
       [(15, 8), (16, 9)], clean)
    dns(frames, 4.0)
    # UE 2 behind gNB 2: the same server, a poor radio that loses downlink segments
    ue(frames, convs, "ue2-qfi9", "10.45.0.2", GNB2, 0x1002, 9, "203.0.113.10", 443, 5.0,
       [(21, 80), (23, 95), (25, 120), (27, 150)], lossy_radio)
    # ... and a connection of UE 2 the capture joined mid-stream: no round trip
    m = T.Conv(frames, "ue2-mid-stream", "10.45.0.2", "203.0.113.10", 50000, 443, 77_000,
               88_000, tunnel=dict(gnb=GNB2, upf=UPF, teid_ul=0x1002, teid_dl=0x2002, qfi=9))
    convs.append(m)
    m.data(7.0, T.S, SEG)
    m.ack(7.01, T.C)
    # UE 3 behind gNB 1: QoS flow 8 to a far server whose segments the internet loses
    ue(frames, convs, "ue3-qfi8", "10.45.0.3", GNB1, 0x1003, 8, "203.0.113.30", 443, 9.0,
       [(150, 9), (160, 10), (240, 11)], lossy_internet)
    # UE 4 behind gNB 2, IPv6 inside: a clean QoS flow 9
    ue(frames, convs, "ue4-qfi9", "2001:db8:45::4", GNB2, 0x1004, 9, "2001:db8:cafe::10", 443,
       11.0, [(30, 12), (31, 13)], clean)
    frames.sort(key=lambda fr: fr.ts_us)
    return frames, convs


# ---------------------------------------------------------------------------------------------
# The report, from the definitions of bpfix report (report.h)

def addr_order(text):
    a = ipaddress.ip_address(text)
    return (a.version, a.packed)


def percentile(samples, percent):
    """Nearest rank: the smallest sample with at least percent of them at or below it."""
    s = sorted(samples)
    return s[max((len(s) * percent + 99) // 100, 1) - 1]


def server_of(r, first_flags):
    """The server address of a record (report.h, Groups)."""
    ver, src, dst, proto, sport, dport, _, _ = r.key
    if proto == 6 and first_flags is not None and first_flags & SYN:
        return src if first_flags & ACK else dst
    if sport != dport:
        return dst if dport < sport else src
    return min(src, dst, key=addr_order)


class Group:
    def __init__(self, name):
        self.name = name            # (view, sort key of the name, printed name, fields)
        self.records = self.packets = self.octets = 0
        self.tcp_packets = self.gaps = self.retrans = 0
        self.server, self.client = [], []

    def rate(self, n):
        return Fraction(n, self.tcp_packets) if self.tcp_packets else None

    def measure(self, key):
        """The value a sort key compares, larger is worse; None: the group has none."""
        if key == "loss":
            return self.rate(self.gaps + self.retrans)
        if key in ("gaps", "retransmissions"):
            return self.rate(self.gaps if key == "gaps" else self.retrans)
        if key in ("server-rtt", "client-rtt"):
            samples = self.server if key == "server-rtt" else self.client
            return percentile(samples, 95) if samples else None
        return self.packets if key == "packets" else self.octets


def order(groups, key):
    """The groups worst first by key, ties by TIES, then by name."""
    chain = [key] + [k for k in TIES if k != key]

    def sort_key(g):
        out = []
        for k in chain:
            m = g.measure(k)
            out += [m is None, -(m or 0)]   # without the measure: last
        return out + [g.name[1]]
    return sorted(groups, key=sort_key)


def report(records, rows, convs):
    """The groups of both views, summed up."""
    tcp = {r.key: (gaps, retrans, flags) for r, gaps, retrans, _, _, _, flags in rows}
    groups, conn_groups = {}, {}

    def group(view, sort_name, shown, fields):
        return groups.setdefault((view, sort_name), Group((view, sort_name, shown, fields)))

    def conversation(r):
        ver, src, dst, proto, sport, dport, outer_dst, _ = r.key
        ends = sorted([(src, sport), (dst, dport)], key=lambda e: (addr_order(e[0]), e[1]))
        outer = tuple(sorted((r.tunnel[0], outer_dst)))
        return (proto, *ends, outer)

    for r in records:
        ver, src, dst, proto, sport, dport, outer_dst, teid = r.key
        mine = []
        if teid >= 0:
            qfi = r.tunnel[1]
            mine.append(group("tunnel", (addr_order(outer_dst), teid, qfi),
                              f"{outer_dst}/0x{teid:08x}/{qfi if qfi >= 0 else '-'}",
                              dict(teid=teid, endpoint=outer_dst,
                                   qfi=qfi if qfi >= 0 else None)))
        gaps, retrans, flags = tcp.get(r.key, (0, 0, None))
        server = server_of(r, flags)
        mine.append(group("server", addr_order(server), server, dict(server=server)))
        for g in mine:
            g.records += 1
            g.packets += r.packets
            g.octets += r.octets
            if proto == 6:
                g.tcp_packets += r.packets
                g.gaps += gaps
                g.retrans += retrans
        conn_groups.setdefault(conversation(r), set()).update(g.name[:2] for g in mine)
    # each connection's round trips (its handshake's, as the generator built it) in its groups
    by_conv = {}
    for r in records:
        by_conv.setdefault(r.why, conversation(r))
    for c in convs:
        done = [x for x in c.rtts if x[3] is not None]   # the client's: both sides
        for _, _, server_us, client_us, _ in done:
            for name in conn_groups[by_conv[c.what]]:
                groups[name].server.append(server_us)
                groups[name].client.append(client_us)
    return [g for g in groups.values()]


COLUMNS = ("teid", "endpoint", "qfi", "server", "records", "packets", "octets", "tcp_packets",
           "server_rtt_median_us", "server_rtt_p95_us", "server_rtt_count",
           "client_rtt_median_us", "client_rtt_p95_us", "client_rtt_count", "gaps",
           "retransmissions")


def row_of(g):
    view, _, _, fields = g.name
    v = dict(fields)
    v.update(records=g.records, packets=g.packets, octets=g.octets, tcp_packets=g.tcp_packets,
             gaps=g.gaps, retransmissions=g.retrans)
    for side, samples in (("server", g.server), ("client", g.client)):
        v[f"{side}_rtt_count"] = len(samples)
        v[f"{side}_rtt_median_us"] = percentile(samples, 50) if samples else None
        v[f"{side}_rtt_p95_us"] = percentile(samples, 95) if samples else None
    return [view] + ["-" if v.get(c) is None else str(v[c]) for c in COLUMNS]


def write_report(path, groups):
    lines = [
        "# What `bpfix report` must print for the IPFIX file of a replay of bottleneck.pcap.",
        "# Generated by tests/pcaps/bottleneck_capture.py; do not edit. Format: "
        "tests/pcaps/README.md.",
        f"# bpfix-args: {LIFE.args()}",
    ]
    for key in SORTS:
        for view in ("tunnel", "server"):
            names = [g.name[2] for g in order([g for g in groups if g.name[0] == view], key)]
            lines.append(f"# order {key} {view}: {' '.join(names)}")
    lines.append("\t".join(("view",) + COLUMNS))
    for view in ("tunnel", "server"):
        lines += ["\t".join(row_of(g))
                  for g in order([g for g in groups if g.name[0] == view], "loss")]
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")


def generate(outdir, verbose=True):
    frames, convs = conversations()
    records, rows, files = T.write_capture(outdir, "bottleneck", frames, convs, LIFE,
                                           "bottleneck_capture.py", verbose)
    write_report(os.path.join(outdir, "bottleneck-report.truth.tsv"),
                 report(records, rows, convs))
    return files + ["bottleneck-report.truth.tsv"]


def main():
    return G.run_generator(__doc__, generate, "bottleneck_capture.py")


if __name__ == "__main__":
    sys.exit(main())
