#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""Generate tcp.pcap, the TCP analysis capture, and what bpfix must make of it.

Writes, next to this file (or into --outdir):
  tcp.pcap                Ethernet, classic pcap, microsecond timestamps: TCP conversations with
                          known handshake timings and losses (DESIGN.md §4a)
  tcp.truth.tsv           its flow records (key, counters, times, flags), as every generated
                          capture has them (the format and lifecycle of tests/pcaps/README.md)
  tcp-analysis.truth.tsv  the TCP analysis of each of those records: sequence gaps, retransmitted
                          segments, server- and client-side round trips (µs, or - when not
                          measured), which of them is ambiguous, the first packet's TCP flags;
                          and the TCP counters of the summary

Each conversation is built segment by segment by the helpers of Conv, and each helper writes down
what its segments mean as it builds them: a segment lost before the observer leaves a hole, so
the next one the observer sees is a gap; its retransmission fills the hole; a segment lost after
the observer passes it and is sent again, a retransmission without a gap; a keep-alive or a
repeated zero-window probe means nothing; a handshake of server time S and client time C means
those round trips, in the flows that must carry them. None of it comes from bpfix's rules. The
flow records (where an active timeout splits a flow) come from generate.py's lifecycle model, so
the two truths agree on records.

Run with /usr/bin/python3 (scapy). `--check` regenerates into a temporary directory and fails if
the committed files differ.
"""

import os
import sys

sys.dont_write_bytecode = True   # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import generate as G  # noqa: E402
from scapy.all import IP, TCP, IPv6, Raw  # noqa: E402
from scapy.contrib.gtp import GTP_U_Header, GTPPDUSessionContainer  # noqa: E402

C, S = 0, 1                     # the client (sends the SYN) and the server
SYN, ACK, PSH, FIN = 0x02, 0x10, 0x08, 0x01
AMB_SERVER, AMB_CLIENT = 1, 2   # bpfixTcpHandshakeFlags
MSS = 1448
# TCP flows get a 10 s active timeout: conversation "download" spans two records per direction
LIFE = G.Lifecycle(active_class={"tcp": 10})
MS = 1000


def t_us(sec):
    """Absolute capture time of `sec` (a float with at most µs digits) after T0."""
    return G.T0_US + round(sec * G.US)


class Conv:
    """One TCP connection as the observer sees it. `events` holds what each segment must count
    ((time, side, "gap" | "retrans", segments)), `rtts` what each flow must carry from when on
    ((time, side, server µs, client µs or None, ambiguity bits))."""

    def __init__(self, frames, what, cip, sip, cport, sport, isn_c, isn_s, tunnel=None):
        self.frames, self.what = frames, what
        self.ip, self.port = (cip, sip), (cport, sport)
        self.v6 = ":" in cip
        self.tunnel = tunnel      # GTP-U: dict(gnb, upf, teid_ul, teid_dl, qfi)
        self.nxt = [isn_c, isn_s]
        self.holes = [[], []]     # segments lost before the observer: (seq, octets)
        self.gap_pending = [False, False]
        self.lost_after = [[], []]
        self.events, self.rtts = [], []
        self.handshakes = {"seen": 0, "ended": 0, "measured": 0}

    # -- frames
    def key(self, side):
        """generate.py's flow key of the direction sent by `side`."""
        src, dst = self.ip[side], self.ip[1 - side]
        outer_dst, teid = "", -1
        if self.tunnel:
            outer_dst = self.tunnel["upf"] if side == C else self.tunnel["gnb"]
            teid = self.tunnel["teid_ul"] if side == C else self.tunnel["teid_dl"]
        return (6 if self.v6 else 4, src, dst, 6, self.port[side], self.port[1 - side],
                outer_dst, teid)

    def emit(self, t, side, flags, seq, octets=0):
        src, dst = self.ip[side], self.ip[1 - side]
        ip = IPv6(src=src, dst=dst, fl=0) if self.v6 else IP(src=src, dst=dst, id=0x5151)
        seg = ip / TCP(sport=self.port[side], dport=self.port[1 - side], flags=flags,
                       seq=seq % 2**32, ack=self.nxt[1 - side] % 2**32 if flags & ACK else 0, window=65535)
        if octets:
            seg = seg / Raw(load=bytes([0x61 + side]) * octets)
        gtp = None
        if self.tunnel:
            tn = self.tunnel
            up = side == C
            teid = tn["teid_ul"] if up else tn["teid_dl"]
            hdr = GTP_U_Header(teid=teid, gtp_type=255, E=1, next_ex=0x85) / \
                GTPPDUSessionContainer(type=1 if up else 0, QFI=tn["qfi"])
            outer = G.outer_udp(tn["gnb"] if up else tn["upf"], tn["upf"] if up else tn["gnb"])
            gtp = G.Gtp(teid=teid, inner=seg, qfi=tn["qfi"], pdu=1 if up else 0)
            pkt = outer / hdr / seg
        else:
            pkt = G.pad60(G.eth() / seg)
        self.frames.append(G.Frame(t_us(t), pkt, gtp=gtp, why=self.what))

    # -- the conversation's moves; each states what it means for the analysis
    def handshake(self, t, server_ms, client_ms, syn_again_s=None, synack_again_s=None,
                  isn=None):
        """SYN at t, the server's SYN-ACK server_ms later, the client's ACK client_ms after the
        (last) SYN-ACK. syn_again_s: the SYN is sent again that much later (lost after the
        observer, or unanswered): t1 is the second; synack_again_s: the SYN-ACK is sent again
        (lost after the observer): t2 of the client side is the second. isn: new ISNs
        (client, server), a new connection on the same ports."""
        if isn:
            self.nxt = list(isn)
        self.emit(t, C, SYN, self.nxt[C])
        amb = 0
        if syn_again_s is not None:
            t += syn_again_s
            self.emit(t, C, SYN, self.nxt[C])
            self.events.append((t_us(t), C, "retrans", 1))
            amb |= AMB_SERVER
        self.nxt[C] += 1
        t2 = t + server_ms / 1000
        self.emit(t2, S, SYN | ACK, self.nxt[S])
        self.rtts.append((t_us(t2), S, server_ms * MS, None, amb))
        if synack_again_s is not None:
            t2 += synack_again_s
            self.emit(t2, S, SYN | ACK, self.nxt[S])
            self.events.append((t_us(t2), S, "retrans", 1))
            amb |= AMB_CLIENT
        self.nxt[S] += 1
        t3 = t2 + client_ms / 1000
        self.emit(t3, C, ACK, self.nxt[C])
        self.rtts.append((t_us(t3), C, server_ms * MS, client_ms * MS, amb))
        for k in self.handshakes:
            self.handshakes[k] += 1
        return t3

    def simultaneous_open(self, t):
        """Both send a SYN, then each a SYN-ACK that repeats its SYN (a retransmission each),
        then each an ACK: no round trip is measured."""
        self.emit(t, C, SYN, self.nxt[C])
        self.emit(t + 0.001, S, SYN, self.nxt[S])
        self.nxt[C] += 1
        self.nxt[S] += 1
        self.emit(t + 0.002, C, SYN | ACK, self.nxt[C] - 1)
        self.events.append((t_us(t + 0.002), C, "retrans", 1))
        self.emit(t + 0.003, S, SYN | ACK, self.nxt[S] - 1)
        self.events.append((t_us(t + 0.003), S, "retrans", 1))
        self.emit(t + 0.004, C, ACK, self.nxt[C])
        self.emit(t + 0.005, S, ACK, self.nxt[S])
        self.handshakes["seen"] += 1
        self.handshakes["ended"] += 1

    def data(self, t, side, octets=MSS, lost_after=False):
        """The next data in order; after a loss before the observer it starts beyond what the
        observer saw: a gap (one per hole, however many segments the hole took)."""
        if self.gap_pending[side]:
            self.events.append((t_us(t), side, "gap", 1))
            self.gap_pending[side] = False
        if lost_after:
            self.lost_after[side].append((self.nxt[side], octets))
        self.emit(t, side, PSH | ACK, self.nxt[side], octets)
        self.nxt[side] += octets

    def lose_before(self, side, octets=MSS):
        """A segment the sender sent that never reached the observer."""
        self.holes[side].append((self.nxt[side], octets))
        self.nxt[side] += octets
        self.gap_pending[side] = True

    def fill(self, t, side):
        """The oldest hole sent again: a retransmission (it fills the gap)."""
        seq, octets = self.holes[side].pop(0)
        self.emit(t, side, PSH | ACK, seq, octets)
        self.events.append((t_us(t), side, "retrans", 1))

    def resend(self, t, side):
        """A segment lost after the observer sent again: a retransmission without a gap."""
        seq, octets = self.lost_after[side].pop(0)
        self.emit(t, side, PSH | ACK, seq, octets)
        self.events.append((t_us(t), side, "retrans", 1))

    def ack(self, t, side):
        self.emit(t, side, ACK, self.nxt[side])

    def keepalive(self, t, side, octets=1):
        """A keep-alive: one octet (or none) below what was sent. Not a retransmission."""
        self.emit(t, side, ACK, self.nxt[side] - 1, octets)

    def probe(self, t, side, first):
        """A zero-window probe: one new octet; the repeats carry the same one. The first is new
        data in order, the repeats mean nothing."""
        if first:
            self.nxt[side] += 1
        self.emit(t, side, ACK, self.nxt[side] - 1, 1)

    def window_opens(self, t, side, octets=MSS):
        """After probes: data from the probe's octet on, which it sends again: one
        retransmission for all the probes."""
        self.nxt[side] -= 1
        self.emit(t, side, PSH | ACK, self.nxt[side], octets)
        self.events.append((t_us(t), side, "retrans", 1))
        self.nxt[side] += octets

    def fin(self, t, side):
        self.emit(t, side, FIN | ACK, self.nxt[side])
        self.nxt[side] += 1


GNB1, GNB2, UPF = "192.0.2.210", "192.0.2.211", "198.51.100.210"


def conversations():
    """The frames of tcp.pcap in capture order, and the conversations they belong to."""
    frames, convs = [], []

    def conv(*args, **kw):
        c = Conv(frames, *args, **kw)
        convs.append(c)
        return c

    # A download split by the 10 s active timeout: the server's data has three segments lost
    # before the observer (two holes, filled later) and one lost after it in the first record,
    # one lost after it in the second; the client's keep-alives (one octet and none) count nothing.
    a = conv("download", "192.0.2.50", "198.51.100.50", 40100, 443, 11_000, 900_000)
    a.handshake(1.0, 40, 10)
    a.data(1.060, C, 300)
    a.data(1.100, S)
    a.data(1.150, S)
    a.lose_before(S)
    a.data(1.200, S)                # gap 1
    a.ack(1.210, C)
    a.data(1.250, S)
    a.lose_before(S)
    a.lose_before(S)
    a.data(1.300, S)                # gap 2 (one hole of two segments)
    a.fill(1.350, S)
    a.fill(1.400, S)
    a.fill(1.450, S)
    a.ack(1.460, C)
    a.keepalive(5.0, C)
    a.keepalive(7.0, C, octets=0)
    a.data(8.0, S, lost_after=True)
    a.resend(8.3, S)
    a.ack(8.31, C)
    # the first frame of second 11 sweeps: both records of this conversation end there
    a.data(11.5, S, lost_after=True)
    a.ack(11.55, C)
    a.resend(11.8, S)
    a.data(12.0, S, 1000)
    a.ack(12.05, C)
    a.fin(12.5, S)
    a.fin(12.6, C)
    a.ack(12.7, S)

    # An IPv6 upload whose SYN goes twice (the server side is ambiguous) and whose sequence
    # numbers wrap past 2^32 inside a hole.
    b = conv("ipv6-upload-wrap", "2001:db8::50", "2001:db8:1::50", 40200, 80, 2**32 - 2500, 77)
    b.handshake(16.0, 25, 3, syn_again_s=1.0)
    b.data(17.1, C, 1000)
    b.data(17.2, C, 1000)
    b.lose_before(C, 1000)          # [2^32 - 499, 501)
    b.data(17.3, C, 1000)           # gap
    b.ack(17.31, S)
    b.fill(17.4, C)
    b.data(17.5, C, 1000)
    b.ack(17.51, S)

    # The same ports again with new ISNs (the client dropped the first connection): a new
    # handshake; no sequence jump is a gap, the round trips are the second's.
    c = conv("port-reuse", "192.0.2.51", "198.51.100.51", 40300, 8080, 100_000, 200_000)
    c.handshake(19.0, 15, 5)
    c.data(19.1, C, 500)
    c.data(19.2, S, 700)
    c.handshake(22.0, 30, 7, isn=(3_000_000_000, 5_000))
    c.data(22.1, C, 200)
    c.data(22.2, S, 300)

    # GTP-U: the uplink and the downlink of one UE connection in their own tunnels, and the
    # same inner conversation (overlapping UE pools) behind a second gNB at the same time.
    d = conv("gtpu-gnb1", "10.45.0.9", "203.0.113.9", 40400, 443, 1_000, 2_000,
             tunnel=dict(gnb=GNB1, upf=UPF, teid_ul=0xA001, teid_dl=0xB001, qfi=5))
    e = conv("gtpu-gnb2", "10.45.0.9", "203.0.113.9", 40400, 443, 7_000, 8_000,
             tunnel=dict(gnb=GNB2, upf=UPF, teid_ul=0xA002, teid_dl=0xB002, qfi=6))
    d.handshake(24.0, 60, 20)
    e.handshake(24.010, 45, 33)
    d.data(24.1, S)
    d.lose_before(S)
    e.data(24.15, C, 500)
    d.data(24.2, S)                 # gap
    d.fill(24.25, S)
    d.data(24.3, S, lost_after=True)
    d.ack(24.31, C)
    d.resend(24.5, S)
    e.ack(24.51, S)

    # A connection whose start the capture missed: no round trips, the first flags say so.
    f = conv("mid-stream", "192.0.2.52", "198.51.100.52", 40500, 443, 5_555, 7_777)
    f.data(26.0, S, 1000)
    f.ack(26.01, C)
    f.data(26.1, S, 1000)

    # The SYN-ACK lost after the observer: the server sends it again; the client side is
    # measured from the second, and ambiguous.
    g = conv("synack-again", "192.0.2.53", "198.51.100.53", 40600, 443, 44_000, 55_000)
    g.handshake(27.0, 12, 8, synack_again_s=1.0)
    g.data(28.1, C, 100)

    # Zero-window probes from the client: the repeats count nothing, the data after them
    # re-sends the probe's octet once.
    h = conv("zero-window", "192.0.2.54", "198.51.100.54", 40700, 443, 66_000, 88_000)
    h.handshake(29.0, 5, 2)
    h.data(29.1, C, 1000)
    h.probe(29.5, C, True)
    h.probe(30.5, C, False)
    h.probe(31.5, C, False)
    h.window_opens(32.0, C, 1000)
    h.ack(32.01, S)

    # Simultaneous open: both sides send a SYN.
    i = conv("simultaneous-open", "192.0.2.55", "198.51.100.55", 40800, 40900, 10, 20)
    i.simultaneous_open(33.0)

    frames.sort(key=lambda fr: fr.ts_us)   # stable: each conversation keeps its order
    return frames, convs


def analysis(records, convs):
    """The TCP analysis of each flow record: gaps, retransmissions, round trips and ambiguity
    bits, first flags. A flow's life starts at its first packet or after a record that ended it
    (any reason but the active timeout); the round trips are the last its life measured by the
    record's end."""
    sides = {}
    for c in convs:
        for side in (C, S):
            sides[c.key(side)] = (c, side)
    out, life_start = [], {}
    for r in sorted(records, key=lambda r: (r.first_us, r.key)):
        c, side = sides[r.key]
        start = life_start.setdefault(r.key, r.first_us)
        gaps = sum(n for t, s, kind, n in c.events if s == side and kind == "gap"
                   and r.first_us <= t <= r.last_us)
        retrans = sum(n for t, s, kind, n in c.events if s == side and kind == "retrans"
                      and r.first_us <= t <= r.last_us)
        rtt = [x for x in c.rtts if x[1] == side and start <= x[0] <= r.last_us]
        server, client, amb = (rtt[-1][2], rtt[-1][3], rtt[-1][4]) if rtt else (None, None, 0)
        if side == S:
            amb &= AMB_SERVER           # the server's flow carries the server side only
        first = [fr for fr in c.frames if fr.ts_us >= start and classify_key(fr, c) == r.key]
        out.append((r, gaps, retrans, server, client, amb, first_flags(first[0])))
        if r.end != 2:
            del life_start[r.key]
    return out


def classify_key(frame, conv):
    return G.classify(frame, G.LINKTYPE_ETHERNET).key if frame.why == conv.what else None


def first_flags(frame):
    return G.classify(frame, G.LINKTYPE_ETHERNET).tcp_flags


def write_analysis(path, rows, convs, name="tcp", generator="tcp_capture.py", life=LIFE):
    total = {k: sum(c.handshakes[k] for c in convs) for k in ("seen", "ended", "measured")}
    lines = [
        f"# The TCP analysis of each flow record of {name}.pcap ({name}.truth.tsv has the rest).",
        f"# Generated by tests/pcaps/{generator}; do not edit. Format: tests/pcaps/README.md.",
        f"# bpfix-args: {life.args()}",
        f"# summary: TCP handshakes seen: {total['seen']}",
        f"# summary: TCP handshakes ended (client's next segment, or a new SYN in their place): "
        f"{total['ended']}",
        f"# summary: TCP handshakes measured (both round-trip times): {total['measured']}",
        "# summary: TCP handshakes lost to connection map eviction: 0",
        "# summary: TCP sequence jumps over 2^30 (resynchronised, not loss): 0",
        "\t".join(["ipver", "src", "dst", "sport", "dport", "outer_dst", "teid", "first_ms",
                   "last_ms", "packets", "gaps", "retrans", "rtt_server_us", "rtt_client_us",
                   "handshake_flags", "first_flags", "what"]),
    ]
    for r, gaps, retrans, server, client, amb, flags in rows:
        ver, src, dst, _, sport, dport, outer_dst, teid = r.key
        lines.append("\t".join(str(x) for x in (
            ver, src, dst, sport, dport, outer_dst or "-", f"0x{teid:08x}" if teid >= 0 else "-",
            r.first_us // 1000, r.last_us // 1000, r.packets, gaps, retrans,
            "-" if server is None else server, "-" if client is None else client, amb,
            f"0x{flags:02x}", r.why)))
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")


def write_capture(outdir, name, frames, convs, life, generator, verbose):
    """NAME.pcap of frames (Ethernet), NAME.truth.tsv (its records) and NAME-analysis.truth.tsv
    (the TCP records' analysis); returns (records, analysis rows, the files written)."""
    G.finish(frames)
    records, pkts = G.truth_records(frames, G.LINKTYPE_ETHERNET, True, life)
    files = [f"{name}.pcap", f"{name}.truth.tsv", f"{name}-analysis.truth.tsv"]
    G.write_pcap(os.path.join(outdir, files[0]), frames, G.LINKTYPE_ETHERNET)
    G.write_truth(os.path.join(outdir, files[1]), [files[0]], frames, records, pkts, True, life,
                  generator=generator)
    rows = analysis([r for r in records if r.key[3] == 6], convs)
    write_analysis(os.path.join(outdir, files[2]), rows, convs, name, generator, life)
    if verbose:
        print(f"{files[0]}: {len(frames)} frames, {len(records)} records")
    return records, rows, files


def generate(outdir, verbose=True):
    frames, convs = conversations()
    return write_capture(outdir, "tcp", frames, convs, LIFE, "tcp_capture.py", verbose)[2]


def main():
    return G.run_generator(__doc__, generate, "tcp_capture.py")


if __name__ == "__main__":
    sys.exit(main())
