#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""Generate bpfix's own test captures and the flow records they must produce.

Writes, next to this file (or into --outdir):
  mixed.pcap         Ethernet, classic pcap, microsecond timestamps: every parser case plus the
                     idle/active/end-of-session lifecycle cases
  mixed-ns.pcap      the same frames, classic pcap with nanosecond timestamps
  mixed-be.pcap      the same frames, classic pcap written big-endian (as on a big-endian host)
  mixed.pcapng       the same frames, pcapng with if_tsresol = 9 (nanoseconds)
  mixed.truth.tsv    the records all four must produce
  sll.pcap / sll.truth.tsv       Linux cooked capture v1 (LINKTYPE 113)
  sll2.pcap / sll2.truth.tsv     Linux cooked capture v2 (LINKTYPE 276)
  rawip.pcap / rawip.truth.tsv   raw IPv4/IPv6, no link header (LINKTYPE_RAW 101)

The truth is computed here from what the generator built (scapy's own dissection of each frame plus
the lifecycle rules below), never from bpfix. Scapy only builds and dissects packets; capture files
are written by hand so timestamps are exact integers and the output is byte-for-byte reproducible.

Run with /usr/bin/python3 (Debian's python3-scapy lives there). `--check` regenerates into a
temporary directory and fails if the committed files differ.
"""

import argparse
import filecmp
import os
import struct
import sys
import tempfile
from dataclasses import dataclass, field

from scapy.all import (ARP, ICMP, IP, SCTP, TCP, UDP, CookedLinux, Dot1AD, Dot1Q, Ether, GRE,
                       ICMPv6EchoReply, ICMPv6EchoRequest, ICMPv6ND_NS, IPOption_Router_Alert,
                       IPOption_RR, IPv6, IPv6ExtHdrDestOpt, IPv6ExtHdrFragment,
                       IPv6ExtHdrHopByHop, IPv6ExtHdrRouting, Padding, Raw, conf)
from scapy.layers.l2 import CookedLinuxV2
from scapy.contrib.gtp import GTP_U_Header, GTPPDUSessionContainer

LINKTYPE_ETHERNET = 1
LINKTYPE_RAW = 101
LINKTYPE_LINUX_SLL = 113
LINKTYPE_LINUX_SLL2 = 276

# A whole second (2023-11-14 22:13:20 UTC), so "a packet exactly at every whole second" is literal.
T0_US = 1_700_000_000 * 1_000_000
US = 1_000_000

# Lifecycle defaults of the contract; written into every truth file as explicit bpfix arguments so
# the truth does not silently depend on bpfix's defaults.
IDLE_US = 15 * US
ACTIVE_US = 60 * US
LINGER_US = 1 * US

END_NAMES = {1: "idle", 2: "active", 3: "end", 4: "forced"}

MAC_A = "02:00:00:00:00:0a"
MAC_B = "02:00:00:00:00:0b"


def at(sec, usec=0):
    """Absolute pcap time in integer microseconds, `sec` seconds after T0."""
    return T0_US + int(sec) * US + usec


@dataclass
class Frame:
    ts_us: int
    pkt: object           # the scapy packet as built (link layer first)
    metered: bool = True  # False: the contract says no record may contain it
    why: str = ""         # short description; the first frame of a record names the record
    snaplen: int = 0      # > 0: store only this many bytes (wire length stays the full frame)
    data: bytes = b""     # filled in by finish(): the bytes stored in the capture
    wirelen: int = 0


@dataclass
class Pkt:
    """What the contract says a metered frame contributes to its flow."""
    ts_us: int
    key: tuple            # (ipver, src, dst, proto, sport, dport)
    octets: int
    tos: int
    tcp_flags: int        # -1 when not TCP
    why: str


@dataclass
class Record:
    key: tuple
    packets: int = 0
    octets: int = 0
    first_us: int = 0
    last_us: int = 0
    tos: int = 0
    tcp_flags: int = -1
    end: int = 0
    why: str = ""
    fin: bool = field(default=False, repr=False)


# ---------------------------------------------------------------------------------------------
# Truth: flow key and counters of one frame, from scapy's dissection of the bytes we built.

V6_EXT = (IPv6ExtHdrHopByHop, IPv6ExtHdrRouting, IPv6ExtHdrDestOpt, IPv6ExtHdrFragment)


def classify(frame, linktype):
    """Return the Pkt a metered frame adds to its flow (contract of tests/pcaps/README.md)."""
    # Dissect the complete frame, not the stored (possibly snap-cut) bytes: the contract takes
    # octets from the IP length field, so a snap length must not change them.
    full = bytes(frame.pkt)
    if linktype == LINKTYPE_ETHERNET:
        p = Ether(full)
    elif linktype == LINKTYPE_LINUX_SLL:
        p = CookedLinux(full)
    elif linktype == LINKTYPE_LINUX_SLL2:
        p = CookedLinuxV2(full)
    else:
        p = IP(full) if full[0] >> 4 == 4 else IPv6(full)

    ip = p
    while ip and not isinstance(ip, (IP, IPv6)):
        ip = ip.payload
    assert isinstance(ip, (IP, IPv6)), f"metered frame without IP: {frame.why}"

    if isinstance(ip, IP):
        ver, proto, octets, tos = 4, ip.proto, ip.len, ip.tos
        first_fragment = ip.frag == 0
        l4 = ip.payload
    else:
        ver, proto, octets, tos = 6, ip.nh, ip.plen + 40, ip.tc
        first_fragment = True
        l4 = ip.payload
        while isinstance(l4, V6_EXT):
            proto = l4.nh
            if isinstance(l4, IPv6ExtHdrFragment) and l4.offset != 0:
                first_fragment = False
            l4 = l4.payload

    sport = dport = 0
    flags = -1
    raw = bytes(l4) if first_fragment else b""
    if proto in (6, 17, 132) and len(raw) >= 4:
        sport, dport = struct.unpack("!HH", raw[:4])
    elif proto in (1, 58) and len(raw) >= 2:
        dport = raw[0] * 256 + raw[1]        # ICMP type/code in the destination port
    if proto == 6:
        # OR of TCP flags; a non-first fragment carries none, but still counts as TCP.
        flags = raw[13] if len(raw) >= 14 else 0
    return Pkt(frame.ts_us, (ver, ip.src, ip.dst, proto, sport, dport), octets, tos, flags,
               frame.why)


# ---------------------------------------------------------------------------------------------
# Truth: the lifecycle of the contract, replayed over the classified packets.

def simulate(frames, pkts, strict=False, sweep_on_all=True):
    """Return the records of the contract's replay lifecycle.

    frames: every frame (metered or not) in capture order; pkts: {frame index: Pkt}.
    strict / sweep_on_all select the variants used to prove the truth is unambiguous: whether the
    idle and end-of-session comparisons are >= or >, and whether frames that are not metered
    advance the sweep clock. The active timeout is always ">=", as the contract states.
    """
    flows = {}
    out = []
    last_sweep_sec = None

    def older(now, then, limit):
        return now - then > limit if strict else now - then >= limit

    def emit(rec, reason):
        rec.end = reason
        out.append(rec)

    def sweep(now):
        for key in list(flows):
            rec = flows[key]
            due = []
            if older(now, rec.last_us, IDLE_US):
                due.append(1)
            if rec.fin and older(now, rec.last_us, LINGER_US):
                due.append(3)
            if now - rec.first_us >= ACTIVE_US:
                due.append(2)
            if len(due) > 1:
                raise SystemExit(f"ambiguous truth: {rec.why} is due for {due} at {now}")
            if not due:
                continue
            del flows[key]
            emit(rec, due[0])

    for i, fr in enumerate(frames):
        p = pkts.get(i)
        if p is None and not sweep_on_all:
            continue
        sec = fr.ts_us // US
        if last_sweep_sec is None or sec > last_sweep_sec:
            sweep(fr.ts_us)
            last_sweep_sec = sec
        if p is None:
            continue
        rec = flows.get(p.key)
        if rec is None:
            rec = flows[p.key] = Record(p.key, first_us=p.ts_us, tos=p.tos, why=p.why)
        if rec.tos != p.tos:
            raise SystemExit(f"TOS changes inside a flow ({p.why}): the truth would be ambiguous")
        rec.packets += 1
        rec.octets += p.octets
        rec.last_us = p.ts_us
        if p.tcp_flags >= 0:
            rec.tcp_flags = max(rec.tcp_flags, 0) | p.tcp_flags
            rec.fin = rec.fin or bool(p.tcp_flags & 0x05)   # FIN or RST
    for rec in flows.values():
        emit(rec, 4)
    return out


def truth_records(frames, linktype):
    pkts = {i: classify(fr, linktype) for i, fr in enumerate(frames) if fr.metered}
    base = simulate(frames, pkts)

    def norm(recs):
        return sorted((r.key, r.packets, r.octets, r.first_us, r.last_us, r.end) for r in recs)
    for strict in (False, True):
        for sweep_on_all in (False, True):
            if norm(simulate(frames, pkts, strict, sweep_on_all)) != norm(base):
                raise SystemExit(f"truth depends on a boundary (strict={strict}, "
                                 f"sweep_on_all={sweep_on_all}): move a packet")
    return base, pkts


# ---------------------------------------------------------------------------------------------
# Capture writers (by hand: exact integer timestamps, no dependence on scapy's float handling).

def finish(frames):
    """Freeze each frame's bytes and check capture order."""
    prev = 0
    for fr in frames:
        full = bytes(fr.pkt)
        fr.wirelen = len(full)
        fr.data = full[:fr.snaplen] if fr.snaplen else full
        assert fr.ts_us >= prev, f"frames out of order at {fr.why}"
        prev = fr.ts_us


def ns_of(ts_us):
    # Frames at .xxx999 us get 999 ns more in the nanosecond files: reading them as microseconds
    # by rounding (instead of truncating) would move them into the next millisecond.
    return ts_us * 1000 + (999 if ts_us % 1000 == 999 else 0)


def write_pcap(path, frames, linktype, nano=False, big_endian=False):
    magic = 0xA1B23C4D if nano else 0xA1B2C3D4
    e = ">" if big_endian else "<"   # a reader must follow the magic's byte order
    with open(path, "wb") as f:
        f.write(struct.pack(e + "IHHiIII", magic, 2, 4, 0, 0, 262144, linktype))
        for fr in frames:
            if nano:
                sec, frac = divmod(ns_of(fr.ts_us), 10**9)
            else:
                sec, frac = divmod(fr.ts_us, US)
            f.write(struct.pack(e + "IIII", sec, frac, len(fr.data), fr.wirelen))
            f.write(fr.data)


def _pcapng_block(btype, body):
    body += b"\0" * (-len(body) % 4)
    n = len(body) + 12
    return struct.pack("<II", btype, n) + body + struct.pack("<I", n)


def write_pcapng(path, frames, linktype):
    shb = struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1) + struct.pack("<HH", 0, 0)
    # if_tsresol (option 9) = 9: timestamps in nanoseconds, not the pcapng default of microseconds.
    idb_opts = struct.pack("<HHB3x", 9, 1, 9) + struct.pack("<HH", 0, 0)
    idb = struct.pack("<HHI", linktype, 0, 262144) + idb_opts
    with open(path, "wb") as f:
        f.write(_pcapng_block(0x0A0D0D0A, shb))
        f.write(_pcapng_block(1, idb))
        for fr in frames:
            ts = ns_of(fr.ts_us)
            epb = struct.pack("<IIIII", 0, ts >> 32, ts & 0xFFFFFFFF, len(fr.data), fr.wirelen)
            f.write(_pcapng_block(6, epb + fr.data))


def write_truth(path, captures, frames, records):
    metered = sum(1 for fr in frames if fr.metered)
    skipped = {}
    for fr in frames:
        if not fr.metered:
            skipped[fr.why] = skipped.get(fr.why, 0) + 1
    lines = [
        f"# Flow records bpfix replay must export for {', '.join(captures)}.",
        "# Generated by tests/pcaps/generate.py; do not edit. Format: tests/pcaps/README.md.",
        f"# bpfix-args: --idle-timeout {IDLE_US // US} --active-timeout {ACTIVE_US // US}",
        f"# summary: packets read: {len(frames)}",
        f"# summary: packets metered: {metered}",
    ]
    lines += [f"# not metered: {n} x {why}" for why, n in sorted(skipped.items())]
    lines.append("\t".join(["ipver", "src", "dst", "proto", "sport", "dport", "packets", "octets",
                            "first_ms", "last_ms", "tos", "tcp_flags", "end", "what"]))
    for r in sorted(records, key=lambda r: (r.first_us, r.key)):
        ver, src, dst, proto, sport, dport = r.key
        flags = f"0x{r.tcp_flags:02x}" if r.tcp_flags >= 0 else "-"
        lines.append("\t".join(str(x) for x in (
            ver, src, dst, proto, sport, dport, r.packets, r.octets, r.first_us // 1000,
            r.last_us // 1000, r.tos, flags, END_NAMES[r.end], r.why)))
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")


# ---------------------------------------------------------------------------------------------
# The captures.

def eth(vlans=(), src=MAC_A, dst=MAC_B):
    """Ethernet header with optional tags; vlans = [(tpid, vid), ...], outermost first."""
    p = Ether(src=src, dst=dst)
    for tpid, vid in vlans:
        p = p / (Dot1AD(vlan=vid) if tpid == 0x88A8 else Dot1Q(vlan=vid))
    return p


def pad60(p):
    """Pad to the 60-octet Ethernet minimum, as a NIC would: octets must come from the IP header."""
    n = len(bytes(p))
    return p / Padding(load=b"\0" * (60 - n)) if n < 60 else p


def tcp_session(frames, t, l2, cip, sip, cport, sport, req, resp, tos=0, v6=False, close="fin",
                why="TCP session"):
    """A short TCP conversation, 10 ms between segments; close = 'fin' (both sides) or 'rst'."""
    def seg(src, dst, sp, dp, flags, load=b""):
        ipl = (IPv6(src=src, dst=dst, tc=tos, fl=0x12345) if v6
               else IP(src=src, dst=dst, tos=tos, id=0x4242))
        p = l2 / ipl / TCP(sport=sp, dport=dp, flags=flags, seq=1000, ack=2000, window=65535)
        return pad60(p / Raw(load=load) if load else p)
    c2s = lambda flags, load=b"": seg(cip, sip, cport, sport, flags, load)
    s2c = lambda flags, load=b"": seg(sip, cip, sport, cport, flags, load)
    seq = [c2s("S"), s2c("SA"), c2s("A"), c2s("PA", req), s2c("A"), s2c("PA", resp), c2s("A")]
    if close == "fin":
        seq += [c2s("FA"), s2c("FA"), c2s("A")]
    else:
        seq += [s2c("R")]
    for i, p in enumerate(seq):
        frames.append(Frame(t + i * 10_000, p, why=why))


def mixed_frames():
    f = []

    # Lifecycle L: one packet exactly at every whole second 0..99. Active timeout 60 s: record 1
    # holds the packets at 0..59 (the sweep at t0+60 finds it started 60 s ago), record 2 the
    # packets at 60..99 (forced out at the end of the capture).
    for i in range(100):
        p = eth() / IP(src="192.0.2.100", dst="198.51.100.100", tos=0x48) / \
            UDP(sport=5000, dport=6000) / Raw(load=bytes([i]) * (64 + (i % 5) * 100))
        f.append(Frame(at(i), p, why="active timeout: packet every whole second 0..99"))

    # Lifecycle S: packets at 0.25..29.25 s, silence, 60.25..65.25 s. Idle timeout 15 s: the sweep
    # at t0+45 exports record 1; record 2 goes idle at t0+81.
    for i in list(range(30)) + list(range(60, 66)):
        p = eth() / IP(src="192.0.2.101", dst="198.51.100.101", tos=0x20) / \
            UDP(sport=5001, dport=6001) / Raw(load=b"s" * 200)
        f.append(Frame(at(i, 250_000), p, why="idle timeout: 0.25..29.25 s then 60.25..65.25 s"))

    # IPv4 TCP session with FIN both ways: both directions end as "end of session".
    tcp_session(f, at(1, 100_123), eth(), "192.0.2.10", "203.0.113.80", 49152, 80,
                b"GET / HTTP/1.1\r\nHost: example\r\n\r\n", b"x" * 1200, tos=0x10,
                why="IPv4 TCP session, FIN both ways")

    # IPv4 UDP request/response (two flows). The response timestamp ends in 999 us.
    p = eth() / IP(src="192.0.2.20", dst="198.51.100.53", tos=0xB8) / UDP(sport=53000, dport=53) / \
        Raw(load=b"q" * 40)
    f.append(Frame(at(2, 200_000), p, why="IPv4 UDP query"))
    p = eth(src=MAC_B, dst=MAC_A) / IP(src="198.51.100.53", dst="192.0.2.20", tos=0xB8) / \
        UDP(sport=53, dport=53000) / Raw(load=b"r" * 300)
    f.append(Frame(at(2, 201_999), p, why="IPv4 UDP response"))

    # ICMP echo request/reply x3, then one destination unreachable quoting a UDP header (its
    # ports must not be taken for the flow's).
    for i in range(3):
        p = eth() / IP(src="192.0.2.30", dst="203.0.113.1") / ICMP(type=8, id=7, seq=i) / \
            Raw(load=b"p" * 56)
        f.append(Frame(at(3 + i, 300_000), p, why="ICMP echo request"))
        p = eth(src=MAC_B, dst=MAC_A) / IP(src="203.0.113.1", dst="192.0.2.30") / \
            ICMP(type=0, id=7, seq=i) / Raw(load=b"p" * 56)
        f.append(Frame(at(3 + i, 300_999), p, why="ICMP echo reply"))
    quoted = IP(src="192.0.2.31", dst="203.0.113.2") / UDP(sport=33434, dport=33435)
    p = eth(src=MAC_B, dst=MAC_A) / IP(src="203.0.113.2", dst="192.0.2.31", tos=0xC0) / \
        ICMP(type=3, code=3) / Raw(load=bytes(quoted)[:28])
    f.append(Frame(at(5, 900_000), p, why="ICMP port unreachable quoting UDP"))

    # IPv4 with options: Router Alert (IHL 6) on UDP, record route filling IHL 15 on TCP.
    for i in range(2):
        p = eth() / IP(src="192.0.2.40", dst="198.51.100.40", tos=0x04,
                       options=[IPOption_Router_Alert()]) / UDP(sport=40000, dport=4000) / \
            Raw(load=b"o" * 100)
        f.append(Frame(at(6, 400_000 + i * 1000), p, why="IPv4 options (IHL 6), UDP"))
    p = eth() / IP(src="192.0.2.41", dst="198.51.100.41",
                   options=[IPOption_RR(routers=["192.0.2.254"] * 9)]) / \
        TCP(sport=41000, dport=4100, flags="S")
    assert IP(bytes(p[IP])).ihl == 15
    f.append(Frame(at(6, 500_000), p, why="IPv4 options (IHL 15), TCP SYN"))

    # IPv4 fragments: a 3528-octet UDP datagram in three fragments, and a 1828-octet ICMP echo in
    # two. Non-first fragments form their own flow: same addresses and protocol, ports 0/0.
    def ip_fragments(ip_hdr, l4, size=1480):
        body = bytes(l4)
        chunks = [body[o:o + size] for o in range(0, len(body), size)]
        out = []
        for n, chunk in enumerate(chunks):
            last = n == len(chunks) - 1
            h = ip_hdr.copy()
            h.flags = 0 if last else "MF"
            h.frag = n * size // 8
            out.append(h / Raw(load=chunk))
        return out
    udp_dgram = UDP(sport=50000, dport=5050) / Raw(load=b"f" * 3500)
    # The UDP checksum covers the pseudo header, so compute it with the real addresses.
    udp_dgram = UDP(bytes(IP(src="192.0.2.50", dst="198.51.100.50") / udp_dgram)[20:])
    for n, fr in enumerate(ip_fragments(IP(src="192.0.2.50", dst="198.51.100.50", id=0x1111,
                                           proto=17, tos=0x28), udp_dgram)):
        f.append(Frame(at(7, 500_000 + n * 100), eth() / fr,
                       why="IPv4 UDP first fragment" if n == 0 else
                       "IPv4 UDP non-first fragments (ports 0/0)"))
    ping = ICMP(bytes(ICMP(type=8, id=9, seq=1) / Raw(load=b"b" * 1800)))
    for n, fr in enumerate(ip_fragments(IP(src="192.0.2.51", dst="198.51.100.51", id=0x2222,
                                           proto=1), ping)):
        f.append(Frame(at(7, 600_000 + n * 100), eth() / fr,
                       why="IPv4 ICMP echo first fragment" if n == 0 else
                       "IPv4 ICMP non-first fragment (ports 0/0)"))

    # IPv6 TCP: the server resets the connection. Server direction ends "end of session" (RST),
    # the client direction (no FIN/RST) goes idle.
    tcp_session(f, at(8, 600_000), eth(), "2001:db8:1::10", "2001:db8:2::80", 50001, 443,
                b"\x16\x03\x01" + b"h" * 200, b"\x16\x03\x03" + b"s" * 900, tos=0x20, v6=True,
                close="rst", why="IPv6 TCP session, server RST")

    # IPv6 UDP, both directions.
    for i in range(2):
        p = eth() / IPv6(src="2001:db8:1::20", dst="2001:db8:2::53", tc=0xB8, fl=0xABCDE) / \
            UDP(sport=5353, dport=53) / Raw(load=b"6" * (30 + i))
        f.append(Frame(at(9, 700_000 + i * 50_000), p, why="IPv6 UDP query"))
    p = eth(src=MAC_B, dst=MAC_A) / IPv6(src="2001:db8:2::53", dst="2001:db8:1::20", tc=0xB8) / \
        UDP(sport=53, dport=5353) / Raw(load=b"7" * 500)
    f.append(Frame(at(9, 800_000), p, why="IPv6 UDP response"))

    # IPv6 extension headers: hop-by-hop + destination options before UDP; the same chain plus a
    # fragment header (first fragment carries the ports, the non-first one not); a routing header
    # before TCP.
    src6, dst6 = "2001:db8:1::30", "2001:db8:2::30"
    p = eth() / IPv6(src=src6, dst=dst6, tc=0x08) / IPv6ExtHdrHopByHop() / IPv6ExtHdrDestOpt() / \
        UDP(sport=7000, dport=7001) / Raw(load=b"e" * 100)
    f.append(Frame(at(10, 800_000), p,
                   why="IPv6 hop-by-hop + dest options + UDP (and the first fragment below)"))
    dgram = bytes(IPv6(src=src6, dst=dst6) / UDP(sport=7000, dport=7001) /
                  Raw(load=b"g" * 2000))[40:]
    for n, off in enumerate((0, 1232)):
        chunk = dgram[off:off + 1232]
        last = off + 1232 >= len(dgram)
        p = eth() / IPv6(src=src6, dst=dst6, tc=0x08) / IPv6ExtHdrHopByHop() / \
            IPv6ExtHdrDestOpt() / IPv6ExtHdrFragment(nh=17, offset=off // 8, m=0 if last else 1,
                                                     id=0xABCD) / Raw(load=chunk)
        f.append(Frame(at(10, 810_000 + n * 100), p,
                       why="IPv6 ext headers + fragment: first fragment" if n == 0 else
                       "IPv6 ext headers + fragment: non-first fragment (ports 0/0)"))
    p = eth() / IPv6(src=src6, dst=dst6, tc=0x08) / \
        IPv6ExtHdrRouting(addresses=["2001:db8:3::1"], segleft=0) / \
        TCP(sport=7002, dport=7003, flags="S")
    f.append(Frame(at(10, 820_000), p, why="IPv6 routing header + TCP SYN"))

    # ICMPv6 echo x2 both ways, and a neighbour solicitation (type 135).
    for i in range(2):
        p = eth() / IPv6(src="2001:db8:1::40", dst="2001:db8:2::1") / \
            ICMPv6EchoRequest(id=3, seq=i, data=b"v" * 56)
        f.append(Frame(at(11, 900_000 + i * 200_000), p, why="ICMPv6 echo request"))
        p = eth(src=MAC_B, dst=MAC_A) / IPv6(src="2001:db8:2::1", dst="2001:db8:1::40") / \
            ICMPv6EchoReply(id=3, seq=i, data=b"v" * 56)
        f.append(Frame(at(11, 900_500 + i * 200_000), p, why="ICMPv6 echo reply"))
    p = eth(dst="33:33:ff:00:00:01") / \
        IPv6(src="2001:db8:1::40", dst="ff02::1:ff00:1", hlim=255) / \
        ICMPv6ND_NS(tgt="2001:db8:2::1")
    f.append(Frame(at(12, 50_000), p, why="ICMPv6 neighbour solicitation"))

    # 802.1Q: IPv4 UDP in VLAN 100, IPv6 UDP in VLAN 200.
    for i in range(2):
        p = eth([(0x8100, 100)]) / IP(src="192.0.2.60", dst="198.51.100.60", tos=0x60) / \
            UDP(sport=6000, dport=6060) / Raw(load=b"q" * 80)
        f.append(Frame(at(12, 100_000 + i * 1000), p, why="802.1Q VLAN 100, IPv4 UDP"))
    p = eth([(0x8100, 200)]) / IPv6(src="2001:db8:1::60", dst="2001:db8:2::60") / \
        UDP(sport=6001, dport=6061) / Raw(load=b"w" * 80)
    f.append(Frame(at(12, 150_000), p, why="802.1Q VLAN 200, IPv6 UDP"))

    # QinQ: 802.1ad S-tag 10 + 802.1Q C-tag 20 around a TCP handshake; and a 0x8100/0x8100 stack.
    tcp_l2 = eth([(0x88A8, 10), (0x8100, 20)])
    for i, (src, dst, sp, dp, fl) in enumerate([
            ("192.0.2.70", "203.0.113.70", 33000, 8080, "S"),
            ("203.0.113.70", "192.0.2.70", 8080, 33000, "SA"),
            ("192.0.2.70", "203.0.113.70", 33000, 8080, "A")]):
        p = pad60(tcp_l2 / IP(src=src, dst=dst, tos=0x02) / TCP(sport=sp, dport=dp, flags=fl))
        f.append(Frame(at(12, 600_000 + i * 1000), p, why="QinQ 0x88a8/0x8100, IPv4 TCP"))
    p = eth([(0x8100, 30), (0x8100, 40)]) / IP(src="192.0.2.71", dst="203.0.113.71") / \
        UDP(sport=33001, dport=8081) / Raw(load=b"d" * 20)
    f.append(Frame(at(12, 700_000), p, why="double 0x8100 tags, IPv4 UDP"))

    # GTP-U G-PDUs: not decapsulated in this version, so one outer UDP 2152 flow whose octets are
    # the outer IP lengths. The second carries a PDU Session Container (QFI 9).
    inner = IP(src="198.51.100.200", dst="203.0.113.200") / ICMP(type=8, id=1, seq=1) / \
        Raw(load=b"i" * 32)
    p = eth() / IP(src="192.0.2.80", dst="198.51.100.80") / UDP(sport=2152, dport=2152) / \
        GTP_U_Header(teid=0x1234ABCD, gtp_type=255) / inner
    f.append(Frame(at(13, 200_000), p, why="GTP-U G-PDUs as plain outer UDP 2152"))
    p = eth() / IP(src="192.0.2.80", dst="198.51.100.80") / UDP(sport=2152, dport=2152) / \
        GTP_U_Header(teid=0x1234ABCD, gtp_type=255, E=1, next_ex=0x85) / \
        GTPPDUSessionContainer(type=1, QFI=9) / inner
    f.append(Frame(at(13, 210_000), p, why="GTP-U G-PDUs as plain outer UDP 2152"))

    # Not metered: ARP request/reply, an IPv4 header cut after 12 octets, an IPv6 header cut
    # after 30 octets (frames end there: caplen = wirelen).
    p = pad60(Ether(src=MAC_A, dst="ff:ff:ff:ff:ff:ff") /
              ARP(op=1, hwsrc=MAC_A, psrc="192.0.2.10", pdst="192.0.2.1"))
    f.append(Frame(at(13, 500_000), p, metered=False, why="ARP (non-IP)"))
    p = pad60(Ether(src=MAC_B, dst=MAC_A) /
              ARP(op=2, hwsrc=MAC_B, psrc="192.0.2.1", hwdst=MAC_A, pdst="192.0.2.10"))
    f.append(Frame(at(13, 500_500), p, metered=False, why="ARP (non-IP)"))
    cut4 = bytes(IP(src="192.0.2.90", dst="198.51.100.90") / UDP() / Raw(load=b"t" * 50))[:12]
    f.append(Frame(at(13, 700_000), Ether(src=MAC_A, dst=MAC_B, type=0x0800) / Raw(load=cut4),
                   metered=False, why="IPv4 header cut short"))
    cut6 = bytes(IPv6(src="2001:db8:1::90", dst="2001:db8:2::90") / UDP())[:30]
    f.append(Frame(at(13, 710_000), Ether(src=MAC_A, dst=MAC_B, type=0x86DD) / Raw(load=cut6),
                   metered=False, why="IPv6 header cut short"))

    # Ports from SCTP; no ports for GRE (not opened) and IPv6 ESP.
    p = eth() / IP(src="192.0.2.91", dst="198.51.100.91") / \
        SCTP(sport=36412, dport=38412, tag=1) / Raw(load=b"\x00" * 16)
    f.append(Frame(at(14, 100_000), p, why="IPv4 SCTP"))
    p = eth() / IP(src="192.0.2.92", dst="198.51.100.92") / GRE() / \
        IP(src="10.0.0.1", dst="10.0.0.2") / UDP(sport=1, dport=2)
    f.append(Frame(at(14, 200_000), p, why="IPv4 GRE (other protocol, ports 0/0)"))
    p = eth() / IPv6(src="2001:db8:1::93", dst="2001:db8:2::93", nh=50) / \
        Raw(load=bytes.fromhex("00001001") + b"\x00" * 60)
    f.append(Frame(at(14, 300_000), p, why="IPv6 ESP (other protocol, ports 0/0)"))

    # Snap length: 1500-octet UDP packets stored as 96 octets; octets still count 1500 each.
    for i in range(2):
        p = eth() / IP(src="192.0.2.94", dst="198.51.100.94", tos=0x0C) / \
            UDP(sport=9000, dport=9001) / Raw(load=b"j" * 1472)
        f.append(Frame(at(14, 500_000 + i * 1000), p, snaplen=96,
                       why="snap length 96 of 1514-octet frames"))

    # Mid-capture TCP session in QinQ: ends on its FINs while the capture is running.
    tcp_session(f, at(40, 123_456), eth([(0x88A8, 11), (0x8100, 21)]), "198.51.100.15",
                "203.0.113.15", 60000, 25, b"EHLO example\r\n", b"250 ok\r\n", tos=0x00,
                why="QinQ IPv4 TCP session, FIN both ways (mid-capture)")

    # Near the end: flows the end of the replay forces out.
    for i in range(3):
        p = eth() / IPv6(src="2001:db8:1::99", dst="2001:db8:2::99", tc=0x48) / \
            UDP(sport=65535, dport=1) / Raw(load=b"z" * (10 * (i + 1)))
        f.append(Frame(at(95 + i, 500_000), p, why="IPv6 UDP forced out at end of capture"))
    for i in range(2):
        # Explicit timestamps: scapy fills ICMP timestamp fields from the clock by default.
        p = eth() / IP(src="203.0.113.250", dst="192.0.2.250") / \
            ICMP(type=13, code=0, id=5, seq=i, ts_ori=1000, ts_rx=0, ts_tx=0)
        f.append(Frame(at(98, 999_999 + i * 500_000), p, why="ICMP timestamp request at end"))

    f.sort(key=lambda fr: fr.ts_us)   # stable: equal times keep their construction order
    return f


def small_frames(kind):
    """A short capture for a non-Ethernet link type: IPv4 TCP with FIN, IPv6 UDP, ICMP, and
    (cooked captures) an ARP frame that is not metered."""
    f = []
    mac = bytes.fromhex("02000000000a")

    def l2(proto, pkttype=0):
        if kind == "sll":
            return CookedLinux(pkttype=pkttype, lladdrtype=1, lladdrlen=6, src=mac + b"\0\0",
                               proto=proto)
        if kind == "sll2":
            return CookedLinuxV2(proto=proto, ifindex=2, lladdrtype=1, pkttype=pkttype,
                                 lladdrlen=6, src=mac + b"\0\0")
        return None

    def frame(ts, ip_pkt, pkttype=0, why="", metered=True):
        proto = 0x0800 if isinstance(ip_pkt, IP) else 0x86DD
        h = l2(proto, pkttype)
        f.append(Frame(ts, h / ip_pkt if h is not None else ip_pkt, metered=metered, why=why))

    base = {"sll": 0, "sll2": 1, "rawip": 2}[kind]
    cli, srv = f"192.0.2.{110 + base}", f"203.0.113.{110 + base}"
    segs = [(cli, srv, "S", b""), (srv, cli, "SA", b""), (cli, srv, "A", b""),
            (cli, srv, "PA", b"hello"), (srv, cli, "PA", b"world" * 20), (cli, srv, "FA", b""),
            (srv, cli, "FA", b""), (cli, srv, "A", b"")]
    for i, (s, d, fl, load) in enumerate(segs):
        sp, dp = (44000 + base, 22) if s == cli else (22, 44000 + base)
        p = IP(src=s, dst=d, tos=0x10) / TCP(sport=sp, dport=dp, flags=fl)
        frame(at(0, 100_000 + i * 20_000), p / Raw(load=load) if load else p,
              pkttype=4 if s == cli else 0, why=f"{kind}: IPv4 TCP session, FIN both ways")
    for i in range(3):
        p = IPv6(src=f"2001:db8:5::{base + 1}", dst="2001:db8:6::1", tc=0x28) / \
            UDP(sport=4433, dport=443) / Raw(load=b"u" * (100 + i))
        frame(at(1 + i, 500_000), p, pkttype=4, why=f"{kind}: IPv6 UDP")
    p = IP(src=cli, dst="198.51.100.1") / ICMP(type=8) / Raw(load=b"p" * 24)
    frame(at(2, 700_999), p, pkttype=4, why=f"{kind}: ICMP echo request")
    if kind != "rawip":
        arp = ARP(op=1, hwsrc="02:00:00:00:00:0a", psrc=cli, pdst="192.0.2.1")
        h = l2(0x0806)
        f.append(Frame(at(3, 0), h / arp, metered=False, why="ARP (non-IP)"))
    # A packet at t0+4 s lets the sweep see the TCP session closed for more than 1 s.
    p = IP(src=srv, dst=cli, tos=0x10) / ICMP(type=0) / Raw(load=b"p" * 24)
    frame(at(4, 10), p, why=f"{kind}: ICMP echo reply")
    f.sort(key=lambda fr: fr.ts_us)
    return f


CAPTURES = [
    # (truth file, [(capture file, writer)], frames, linktype)
    ("mixed.truth.tsv",
     [("mixed.pcap", lambda p, fr, lt: write_pcap(p, fr, lt)),
      ("mixed-ns.pcap", lambda p, fr, lt: write_pcap(p, fr, lt, nano=True)),
      ("mixed-be.pcap", lambda p, fr, lt: write_pcap(p, fr, lt, big_endian=True)),
      ("mixed.pcapng", write_pcapng)],
     mixed_frames, LINKTYPE_ETHERNET),
    ("sll.truth.tsv", [("sll.pcap", write_pcap)], lambda: small_frames("sll"),
     LINKTYPE_LINUX_SLL),
    ("sll2.truth.tsv", [("sll2.pcap", write_pcap)], lambda: small_frames("sll2"),
     LINKTYPE_LINUX_SLL2),
    ("rawip.truth.tsv", [("rawip.pcap", write_pcap)], lambda: small_frames("rawip"),
     LINKTYPE_RAW),
]


def generate(outdir, verbose=True):
    written = []
    for truth_name, outputs, build, linktype in CAPTURES:
        frames = build()
        finish(frames)
        records, _ = truth_records(frames, linktype)
        for name, writer in outputs:
            writer(os.path.join(outdir, name), frames, linktype)
            written.append(name)
        write_truth(os.path.join(outdir, truth_name), [n for n, _ in outputs], frames, records)
        written.append(truth_name)
        if verbose:
            print(f"{truth_name}: {len(frames)} frames, "
                  f"{sum(fr.metered for fr in frames)} metered, {len(records)} records")
    return written


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--outdir", default=here, help="where to write (default: next to this file)")
    ap.add_argument("--check", action="store_true",
                    help="regenerate into a temporary directory and compare with --outdir")
    args = ap.parse_args()
    conf.verb = 0
    if not args.check:
        generate(args.outdir)
        return 0
    with tempfile.TemporaryDirectory(prefix="bpfix-gen-") as tmp:
        names = generate(tmp, verbose=False)
        stale = [n for n in names if not os.path.exists(os.path.join(args.outdir, n))
                 or not filecmp.cmp(os.path.join(tmp, n), os.path.join(args.outdir, n),
                                    shallow=False)]
    if stale:
        print("out of date (run tests/pcaps/generate.py): " + ", ".join(stale), file=sys.stderr)
        return 1
    print(f"{len(names)} generated files up to date")
    return 0


if __name__ == "__main__":
    sys.exit(main())
