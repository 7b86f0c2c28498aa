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
  gtpu.pcap / gtpu.truth.tsv     Ethernet, classic pcap: GTP-U cases (decapsulated G-PDUs, what is
                                 metered as outer UDP and why, truncation at every layer)
  gtpu-port0.truth.tsv           the records of gtpu.pcap with decapsulation off (--gtpu-port 0)
  lifecycle.pcap / lifecycle.truth.tsv
                                 Ethernet, classic pcap: the flow lifecycle under per-protocol
                                 idle and active timeouts and a 2 s TCP linger (LIFECYCLE_LIFE,
                                 written into the truth's bpfix-args): a 200 s UDP stream cut by
                                 the active timeout, a 100 s silent gap, gaps that end a flow of
                                 one class and not of another, FIN with a late last ACK inside
                                 and after the linger, RST, the end-of-capture sweep, forced ends
  null.pcap, null-be.pcap, loop.pcap (and their .truth.tsv)
                                 BSD loopback: LINKTYPE_NULL (0) with the address family in the
                                 writer's byte order (a little- and a big-endian file), LINKTYPE_LOOP
                                 (108) with it in network order; AF_INET6 as 24, 28 and 30
  ipv4.pcap, ipv6.pcap (and their .truth.tsv)
                                 LINKTYPE_IPV4 (228), LINKTYPE_IPV6 (229): raw IP of one version
  links.pcapng / links.truth.tsv pcapng, one interface per link type read (NULL, LOOP, RAW, IPV4,
                                 IPV6, SLL2, Ethernet)
  wirelen.pcap, wirelen-sll.pcap (and their .truth.tsv)
                                 hostile recorded lengths: above 64 KiB (GSO and BIG TCP hosts),
                                 below the captured length, below the cooked link header
  times-2038.pcap, times-2106.pcap, times-2106-ns.pcap (times-2038/2106.truth.tsv)
                                 capture times past 2038 (ts_sec 0x80000000 and up) to the last
                                 second a classic pcap holds (0xffffffff, 2106-02-07 06:28:15 UTC)

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
                       IPv6ExtHdrHopByHop, IPv6ExtHdrRouting, Jumbo, Padding, Raw, conf)
from scapy.layers.l2 import CookedLinuxV2
from scapy.contrib.gtp import GTP_PDCP_PDU_ExtensionHeader, GTP_U_Header, GTPPDUSessionContainer

LINKTYPE_NULL = 0      # BSD loopback: a 4-octet address family in the writer's byte order
LINKTYPE_ETHERNET = 1
LINKTYPE_RAW = 101
LINKTYPE_LOOP = 108    # OpenBSD loopback: the same in network order
LINKTYPE_LINUX_SLL = 113
LINKTYPE_IPV4 = 228
LINKTYPE_IPV6 = 229
LINKTYPE_LINUX_SLL2 = 276

# Address families of NULL/LOOP headers: AF_INET6 is 24 on OpenBSD and NetBSD, 28 on FreeBSD and
# 30 on macOS; 7 is OSI (not IP).
BSD_AF_INET, BSD_AF_OSI = 2, 7
BSD_AF_INET6 = (24, 28, 30)

# A whole second (2023-11-14 22:13:20 UTC), so "a packet exactly at every whole second" is literal.
T0_US = 1_700_000_000 * 1_000_000
US = 1_000_000

PROTO_CLASSES = ("tcp", "udp", "icmp", "other")


def proto_class(proto):
    """The timeout class of an IP protocol number (tests/pcaps/README.md, lifecycle rules)."""
    return {6: "tcp", 17: "udp", 1: "icmp", 58: "icmp"}.get(proto, "other")


@dataclass
class Lifecycle:
    """Timeouts of the contract, in seconds. A class missing from idle_class / active_class uses
    the general timeout. linger None: bpfix's default (1 s), not written into the arguments.

    They are written into the truth file as explicit bpfix arguments (`# bpfix-args:`) so the
    truth does not silently depend on bpfix's defaults."""
    idle: int = 15
    active: int = 60
    idle_class: dict = field(default_factory=dict)
    active_class: dict = field(default_factory=dict)
    linger: int = None

    def idle_us(self, proto):
        return self.idle_class.get(proto_class(proto), self.idle) * US

    def active_us(self, proto):
        return self.active_class.get(proto_class(proto), self.active) * US

    def linger_us(self):
        return (1 if self.linger is None else self.linger) * US

    def args(self):
        a = f"--idle-timeout {self.idle}"
        a += "".join(f" --idle-timeout-{c} {self.idle_class[c]}" for c in PROTO_CLASSES
                     if c in self.idle_class)
        a += f" --active-timeout {self.active}"
        a += "".join(f" --active-timeout-{c} {self.active_class[c]}" for c in PROTO_CLASSES
                     if c in self.active_class)
        if self.linger is not None:
            a += f" --tcp-linger {self.linger}"
        return a


# The lifecycle of every capture but lifecycle.pcap: bpfix's defaults, idle 15 s, active 60 s.
DEFAULT_LIFE = Lifecycle()
# lifecycle.pcap: every class has its own idle and active timeout, all different from the general
# ones (only UDP's active timeout is the general 60 s, so the fallback is tested too).
LIFECYCLE_LIFE = Lifecycle(idle=15, active=60,
                           idle_class={"tcp": 30, "udp": 20, "icmp": 5, "other": 10},
                           active_class={"tcp": 75, "icmp": 30, "other": 40}, linger=2)

END_NAMES = {1: "idle", 2: "active", 3: "end", 4: "forced"}

MAC_A = "02:00:00:00:00:0a"
MAC_B = "02:00:00:00:00:0b"

GTPU_PORT = 2152

# Summary counters the truth states (names as bpfix's summary prints them, src/meter/counters.c). A
# counter bpfix leaves out of its summary is 0. "GTP-U metered as outer UDP" reasons are keyed
# by a short name here.
NOT_METERED = ("not IP", "truncated")
# not-metered reasons stated only in the truth of a capture that has such frames
NOT_METERED_RARE = ("malformed",)
NO_PORTS = {"fragment": "metered without ports (non-first fragment)",
            "l4": "metered without ports (L4 header truncated)"}
GTP_OUTER = {
    "not-gpdu": "not a G-PDU: echo, error, end marker",
    "not-v1": "not GTPv1-U",
    "trunc": "GTP header truncated",
    "ext-len-zero": "extension header length 0",
    "ext-depth": "extension chain too long",
    "no-tpdu": "G-PDU without T-PDU",
    "inner-not-ip": "inner packet not IP",
    "inner-bad": "inner IP truncated or malformed",
}
# a G-PDU decapsulated from the first fragment of its outer packet
GTP_FRAGMENTED = "GTP-U outer fragmented (first fragment decapsulated, the rest metered as outer UDP)"


def at(sec, usec=0):
    """Absolute pcap time in integer microseconds, `sec` seconds after T0."""
    return T0_US + int(sec) * US + usec


@dataclass
class Gtp:
    """What a UDP packet to or from the GTP-U port is, as built.

    A G-PDU that is decapsulated has `inner` (the inner IP packet as built), its TEID and, when a
    PDU Session Container is present, its QFI and PDU type (0 DL, 1 UL). Anything else has
    `outer`: the key of GTP_OUTER saying why it is metered as the outer UDP packet.
    """
    teid: int = 0
    inner: object = None
    qfi: int = -1
    pdu: int = -1
    outer: str = ""


@dataclass
class Frame:
    ts_us: int
    pkt: object           # the scapy packet as built (link layer first)
    metered: bool = True  # False: the contract says no record may contain it
    why: str = ""         # short description; the first frame of a record names the record
    snaplen: int = 0      # > 0: store only this many bytes (wire length stays the full frame)
    reason: str = ""      # not metered: which "not metered (...)" counter (NOT_METERED)
    gtp: Gtp = None       # UDP to or from the GTP-U port: what it is
    cut: str = ""         # "l4": the snap length cuts the L4 header of the outer (first) IP
                          # packet; "inner-l4": that of the inner packet of a G-PDU
    data: bytes = b""     # filled in by finish(): the bytes stored in the capture
    wirelen: int = 0
    recorded_len: int = None  # not None: the record's length field says this instead of the
                              # frame's length (hostile captures)
    linktype: int = None  # not None: the frame's own link type (a pcapng interface of its own)


@dataclass
class Pkt:
    """What the contract says a metered frame contributes to its flow."""
    ts_us: int
    key: tuple            # (ipver, src, dst, proto, sport, dport, outer dst, teid); for a flow
                          # that is not tunnelled the last two are "" and -1
    octets: int
    tos: int
    tcp_flags: int        # -1 when not TCP
    why: str
    tunnel: tuple = ("", -1, -1)   # record attributes: (outer src, QFI, PDU type), "" / -1 absent
    counters: tuple = ()  # summary counters this packet adds to, besides "packets metered"


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
    tunnel: tuple = ("", -1, -1)
    fin: bool = field(default=False, repr=False)


# ---------------------------------------------------------------------------------------------
# Truth: flow key and counters of one frame, from scapy's dissection of the bytes we built.

V6_EXT = (IPv6ExtHdrHopByHop, IPv6ExtHdrRouting, IPv6ExtHdrDestOpt, IPv6ExtHdrFragment)


def dissect(data, linktype):
    if linktype == LINKTYPE_ETHERNET:
        return Ether(data)
    if linktype == LINKTYPE_LINUX_SLL:
        return CookedLinux(data)
    if linktype == LINKTYPE_LINUX_SLL2:
        return CookedLinuxV2(data)
    if linktype in (LINKTYPE_NULL, LINKTYPE_LOOP):
        # the family as written here (loopback_header), in whichever byte order it was written
        families = (BSD_AF_INET, BSD_AF_OSI) + BSD_AF_INET6
        family = [f for f in struct.unpack("<I", data[:4]) + struct.unpack(">I", data[:4])
                  if f in families][0]
        body = data[4:]
        return IP(body) if family == BSD_AF_INET else IPv6(body) if family in BSD_AF_INET6 \
            else Raw(body)
    if linktype == LINKTYPE_IPV4:
        return IP(data)
    if linktype == LINKTYPE_IPV6:
        return IPv6(data)
    return IP(data) if data[0] >> 4 == 4 else IPv6(data)


def first_ip(p):
    while p and not isinstance(p, (IP, IPv6)):
        p = p.payload
    return p if isinstance(p, (IP, IPv6)) else None


def classify(frame, linktype, gtpu=True):
    """Return the Pkt a metered frame adds to its flow (contract of tests/pcaps/README.md).

    gtpu: G-PDUs are decapsulated (bpfix's default); False: every packet is its outer IP packet
    (--gtpu-port 0).
    """
    # Dissect the complete frame, not the stored (possibly snap-cut) bytes: the contract takes
    # octets from the IP length field, so a snap length must not change them.
    full = bytes(frame.pkt)
    if frame.linktype is not None:
        linktype = frame.linktype
    outer = first_ip(dissect(full, linktype))
    assert outer is not None, f"metered frame without IP: {frame.why}"
    counters = []
    on_port = False
    if isinstance(outer.payload, UDP) and not (isinstance(outer, IP) and outer.frag) and \
            frame.cut != "l4":
        on_port = GTPU_PORT in (outer.payload.sport, outer.payload.dport)
    assert on_port == (frame.gtp is not None) or not gtpu, \
        f"frame.gtp must say what a packet on the GTP-U port is: {frame.why}"

    tunnel, tkey, cut = ("", -1, -1), ("", -1), frame.cut == "l4"
    carried = None
    if gtpu and on_port and frame.gtp.inner is not None:
        g = frame.gtp
        inner = bytes(g.inner)
        # what was built is what the frame carries (the start of it, for an outer fragment)
        assert inner[:28] in full, f"inner packet not in the frame: {frame.why}"
        ip = IP(inner) if inner[0] >> 4 == 4 else IPv6(inner)
        tunnel, tkey = (outer.src, g.qfi, g.pdu), (outer.dst, g.teid)
        cut = frame.cut == "inner-l4"
        counters.append("GTP-U decapsulated")
        if isinstance(outer, IP) and outer.flags.MF and outer.frag == 0:
            # the first fragment of the outer datagram: the inner packet counts only the octets
            # of it this fragment carries (the later fragments are outer flows, ports 0/0)
            carried = outer.len - bytes(outer).find(inner[:28])
            counters.append(GTP_FRAGMENTED)
    else:
        ip = outer
        if gtpu and on_port:
            counters.append("GTP-U metered as outer UDP (" + GTP_OUTER[frame.gtp.outer] + ")")

    if isinstance(ip, IP):
        ver, proto, octets, tos = 4, ip.proto, ip.len, ip.tos
        first_fragment = ip.frag == 0
        l4 = ip.payload
        if not octets:
            # a BIG TCP super-packet: longer than a total length can say, so it says 0
            octets = len(bytes(ip))
            assert octets > 65535, f"IPv4 total length 0 in a short packet: {frame.why}"
    else:
        ver, proto, octets, tos = 6, ip.nh, ip.plen + 40, ip.tc
        first_fragment = True
        l4 = ip.payload
        if not ip.plen:
            # a jumbogram (RFC 2675): the length is the hop-by-hop Jumbo Payload option's
            assert isinstance(l4, IPv6ExtHdrHopByHop), f"IPv6 payload length 0: {frame.why}"
            octets = 40 + [o.jumboplen for o in l4.options if isinstance(o, Jumbo)][0]
        while isinstance(l4, V6_EXT):
            proto = l4.nh
            if isinstance(l4, IPv6ExtHdrFragment) and l4.offset != 0:
                first_fragment = False
            l4 = l4.payload

    if carried is not None:
        octets = min(octets, carried)
    sport = dport = 0
    flags = -1
    raw = bytes(l4) if first_fragment and not cut else b""
    if not first_fragment:
        counters.append(NO_PORTS["fragment"])
    elif cut:
        counters.append(NO_PORTS["l4"])
    if proto in (6, 17, 132) and len(raw) >= 4:
        sport, dport = struct.unpack("!HH", raw[:4])
    elif proto in (1, 58) and len(raw) >= 2:
        dport = raw[0] * 256 + raw[1]        # ICMP type/code in the destination port
    if proto == 6:
        # OR of TCP flags; a non-first fragment (or a cut header) carries none, but still counts
        # as TCP.
        flags = raw[13] if len(raw) >= 14 else 0
    return Pkt(frame.ts_us, (ver, ip.src, ip.dst, proto, sport, dport) + tkey, octets, tos,
               flags, frame.why, tunnel, tuple(counters))


# ---------------------------------------------------------------------------------------------
# Truth: the lifecycle of the contract, replayed over the classified packets.

def simulate(frames, pkts, life=DEFAULT_LIFE, strict=False, sweep_on_all=True):
    """Return the records of the contract's replay lifecycle.

    frames: every frame (metered or not) in capture order; pkts: {frame index: Pkt}; life: the
    timeouts.
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
            proto = key[3]
            due = []
            if older(now, rec.last_us, life.idle_us(proto)):
                due.append(1)
            if rec.fin and older(now, rec.last_us, life.linger_us()):
                due.append(3)
            if now - rec.first_us >= life.active_us(proto):
                due.append(2)
            if len(due) > 1:
                raise SystemExit(f"ambiguous truth: {rec.why} is due for {due} at {now}")
            if not due:
                continue
            del flows[key]
            emit(rec, due[0])

    last_us = None
    for i, fr in enumerate(frames):
        p = pkts.get(i)
        if p is None and not sweep_on_all:
            continue
        last_us = fr.ts_us
        sec = fr.ts_us // US
        if last_sweep_sec is None or sec > last_sweep_sec:
            sweep(fr.ts_us)
            last_sweep_sec = sec
        if p is None:
            continue
        rec = flows.get(p.key)
        if rec is None:
            rec = flows[p.key] = Record(p.key, first_us=p.ts_us, tos=p.tos, why=p.why,
                                        tunnel=p.tunnel)
        if rec.tos != p.tos:
            raise SystemExit(f"TOS changes inside a flow ({p.why}): the truth would be ambiguous")
        if rec.tunnel != p.tunnel:
            raise SystemExit(f"outer source, QFI or PDU type changes inside a flow ({p.why}): "
                             "the truth would be ambiguous")
        rec.packets += 1
        rec.octets += p.octets
        rec.last_us = p.ts_us
        if p.tcp_flags >= 0:
            rec.tcp_flags = max(rec.tcp_flags, 0) | p.tcp_flags
            rec.fin = rec.fin or bool(p.tcp_flags & 0x05)   # FIN or RST
    # End of the capture: one more sweep at the time of the last frame (it may fall in the
    # second of the previous sweep), then whatever is left is forced out.
    if last_us is not None:
        sweep(last_us)
    for rec in flows.values():
        emit(rec, 4)
    return out


def truth_records(frames, linktype, gtpu=True, life=DEFAULT_LIFE):
    pkts = {i: classify(fr, linktype, gtpu) for i, fr in enumerate(frames) if fr.metered}
    base = simulate(frames, pkts, life)

    def norm(recs):
        return sorted((r.key, r.packets, r.octets, r.first_us, r.last_us, r.end) for r in recs)
    for strict in (False, True):
        for sweep_on_all in (False, True):
            if norm(simulate(frames, pkts, life, strict, sweep_on_all)) != norm(base):
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
        fr.wirelen = len(full) if fr.recorded_len is None else fr.recorded_len
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
    """One interface per link type, in the order the frames first use them (frames with no
    link type of their own: the capture's)."""
    shb = struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1) + struct.pack("<HH", 0, 0)
    # if_tsresol (option 9) = 9: timestamps in nanoseconds, not the pcapng default of microseconds.
    idb_opts = struct.pack("<HHB3x", 9, 1, 9) + struct.pack("<HH", 0, 0)
    links = []
    for fr in frames:
        lt = linktype if fr.linktype is None else fr.linktype
        if lt not in links:
            links.append(lt)
    with open(path, "wb") as f:
        f.write(_pcapng_block(0x0A0D0D0A, shb))
        for lt in links:
            f.write(_pcapng_block(1, struct.pack("<HHI", lt, 0, 262144) + idb_opts))
        for fr in frames:
            ts = ns_of(fr.ts_us)
            ifid = links.index(linktype if fr.linktype is None else fr.linktype)
            epb = struct.pack("<IIIII", ifid, ts >> 32, ts & 0xFFFFFFFF, len(fr.data),
                              fr.wirelen)
            f.write(_pcapng_block(6, epb + fr.data))


def summary_counts(frames, pkts, gtpu=True):
    """The summary lines the truth states: {counter name: value}, in bpfix's order."""
    counts = {"packets read": len(frames), "packets metered": len(pkts)}
    for r in NOT_METERED + tuple(r for r in NOT_METERED_RARE
                                 if any(fr.reason == r for fr in frames if not fr.metered)):
        counts[f"not metered ({r})"] = 0
    for fr in frames:
        if not fr.metered:
            assert fr.reason in NOT_METERED + NOT_METERED_RARE, \
                f"not metered without a reason: {fr.why}"
            counts[f"not metered ({fr.reason})"] += 1
    for name in NO_PORTS.values():
        counts[name] = 0
    # GTP-U counters are stated for captures with GTP-U and wherever decapsulation is on.
    if gtpu or any(fr.gtp for fr in frames):
        counts["GTP-U decapsulated"] = 0
        if any(fr.gtp for fr in frames):
            for why in GTP_OUTER.values():
                counts[f"GTP-U metered as outer UDP ({why})"] = 0
            counts[GTP_FRAGMENTED] = 0
    for p in pkts.values():
        for c in p.counters:
            counts[c] += 1
    return counts


def write_truth(path, captures, frames, records, pkts, gtpu=True, life=DEFAULT_LIFE,
                generator="generate.py"):
    skipped = {}
    for fr in frames:
        if not fr.metered:
            skipped[fr.why] = skipped.get(fr.why, 0) + 1
    args = life.args()
    if not gtpu:
        args += " --gtpu-port 0"
    lines = [
        f"# Flow records bpfix replay must export for {', '.join(captures)}"
        f"{' with GTP-U decapsulation off' if not gtpu else ''}.",
        f"# Generated by tests/pcaps/{generator}; do not edit. Format: tests/pcaps/README.md.",
        f"# bpfix-args: {args}",
    ]
    lines += [f"# summary: {k}: {v}" for k, v in summary_counts(frames, pkts, gtpu).items()]
    lines += [f"# not metered: {n} x {why}" for why, n in sorted(skipped.items())]
    lines.append("\t".join(["ipver", "src", "dst", "proto", "sport", "dport", "packets", "octets",
                            "first_ms", "last_ms", "tos", "tcp_flags", "end", "outer_src",
                            "outer_dst", "teid", "qfi", "pdu_type", "what"]))
    for r in sorted(records, key=lambda r: (r.first_us, r.key)):
        ver, src, dst, proto, sport, dport, outer_dst, teid = r.key
        outer_src, qfi, pdu = r.tunnel
        flags = f"0x{r.tcp_flags:02x}" if r.tcp_flags >= 0 else "-"
        lines.append("\t".join(str(x) for x in (
            ver, src, dst, proto, sport, dport, r.packets, r.octets, r.first_us // 1000,
            r.last_us // 1000, r.tos, flags, END_NAMES[r.end], outer_src or "-",
            outer_dst or "-", f"0x{teid:08x}" if teid >= 0 else "-",
            qfi if qfi >= 0 else "-", pdu if pdu >= 0 else "-", r.why)))
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

    # GTP-U G-PDUs, decapsulated: the flow is the inner packet (octets: inner IP length) in the
    # tunnel (TEID, the outer destination owns it). An uplink echo request without extension
    # headers, and the downlink reply (the other TEID, outer addresses swapped) with a PDU
    # Session Container (DL, QFI 9). tests/pcaps/gtpu.pcap has the other GTP-U cases.
    inner = IP(src="198.51.100.200", dst="203.0.113.200") / ICMP(type=8, id=1, seq=1) / \
        Raw(load=b"i" * 32)
    p = eth() / IP(src="192.0.2.80", dst="198.51.100.80") / UDP(sport=2152, dport=2152) / \
        GTP_U_Header(teid=0x1234ABCD, gtp_type=255) / inner
    f.append(Frame(at(13, 200_000), p, gtp=Gtp(teid=0x1234ABCD, inner=inner),
                   why="GTP-U G-PDU, uplink, no extension header"))
    inner = IP(src="203.0.113.200", dst="198.51.100.200", tos=0x20) / \
        ICMP(type=0, id=1, seq=1) / Raw(load=b"i" * 32)
    p = eth(src=MAC_B, dst=MAC_A) / IP(src="198.51.100.80", dst="192.0.2.80") / \
        UDP(sport=2152, dport=2152) / \
        GTP_U_Header(teid=0x4321DCBA, gtp_type=255, E=1, next_ex=0x85) / \
        GTPPDUSessionContainer(type=0, QFI=9) / inner
    f.append(Frame(at(13, 210_000), p, gtp=Gtp(teid=0x4321DCBA, inner=inner, qfi=9, pdu=0),
                   why="GTP-U G-PDU, downlink, PDU Session Container QFI 9"))

    # Not metered: ARP request/reply, an IPv4 header cut after 12 octets, an IPv6 header cut
    # after 30 octets (frames end there: caplen = wirelen).
    p = pad60(Ether(src=MAC_A, dst="ff:ff:ff:ff:ff:ff") /
              ARP(op=1, hwsrc=MAC_A, psrc="192.0.2.10", pdst="192.0.2.1"))
    f.append(Frame(at(13, 500_000), p, metered=False, reason="not IP", why="ARP (non-IP)"))
    p = pad60(Ether(src=MAC_B, dst=MAC_A) /
              ARP(op=2, hwsrc=MAC_B, psrc="192.0.2.1", hwdst=MAC_A, pdst="192.0.2.10"))
    f.append(Frame(at(13, 500_500), p, metered=False, reason="not IP", why="ARP (non-IP)"))
    cut4 = bytes(IP(src="192.0.2.90", dst="198.51.100.90") / UDP() / Raw(load=b"t" * 50))[:12]
    f.append(Frame(at(13, 700_000), Ether(src=MAC_A, dst=MAC_B, type=0x0800) / Raw(load=cut4),
                   metered=False, reason="truncated", why="IPv4 header cut short"))
    cut6 = bytes(IPv6(src="2001:db8:1::90", dst="2001:db8:2::90") / UDP())[:30]
    f.append(Frame(at(13, 710_000), Ether(src=MAC_A, dst=MAC_B, type=0x86DD) / Raw(load=cut6),
                   metered=False, reason="truncated", why="IPv6 header cut short"))

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


# GTP-U tunnel endpoints: gNBs and UPFs. A TEID belongs to the endpoint it is sent to (the outer
# destination), so the uplink of a session uses the UPF's TEID and the downlink the gNB's.
GNB, UPF, GNB2, UPF2, GNB3 = ("198.51.100.1", "198.51.100.2", "198.51.100.3", "198.51.100.4",
                              "198.51.100.5")
GNB6, UPF6 = "2001:db8:100::1", "2001:db8:100::2"
OUTER_TOS = 0x88   # outer DSCP; every inner packet has another TOS, and the inner one counts


def outer_pair(n):
    """Own outer addresses for case n: each packet metered as outer UDP is its own record."""
    return f"198.51.100.{10 + 2 * n}", f"198.51.100.{11 + 2 * n}"


def outer_udp(osrc, odst, sport=GTPU_PORT, dport=GTPU_PORT, l2=None, ipid=1):
    l2 = eth() if l2 is None else l2
    ip = (IPv6(src=osrc, dst=odst, tc=OUTER_TOS) if ":" in osrc
          else IP(src=osrc, dst=odst, tos=OUTER_TOS, id=ipid))
    return l2 / ip / UDP(sport=sport, dport=dport)


def gtp_raw(flags, msg, teid, body, length=None):
    """A GTP header built by hand: flags octet, message type, length (default: of body), TEID,
    then body (optional word, extension headers, payload) as bytes."""
    return struct.pack("!BBHI", flags, msg, len(body) if length is None else length, teid) + body


def ext_chain(exts):
    """Optional word (sequence 0, N-PDU 0) and a chain of extension headers [(type, content)]:
    each is a length octet in 4-octet units, the content and the next type (TS 29.281 §5.2.1)."""
    out = struct.pack("!HBB", 0, 0, exts[0][0] if exts else 0)
    for i, (_, content) in enumerate(exts):
        assert (len(content) + 2) % 4 == 0
        nxt = exts[i + 1][0] if i + 1 < len(exts) else 0
        out += bytes([(len(content) + 2) // 4]) + content + bytes([nxt])
    return out


def gtpu_frames():
    f = []

    def gpdu(t, inner, teid, why, osrc=GNB, odst=UPF, qfi=-1, pdu=-1, hdr=None, sport=GTPU_PORT,
             dport=GTPU_PORT, l2=None, container=None, trailer=b"", **kw):
        """A G-PDU bpfix decapsulates. hdr: the GTP-U header (scapy layers or bytes, then
        trailer after the inner packet); by default none of E/S/PN, or E and a PDU Session
        Container when qfi is given."""
        if hdr is None and qfi >= 0:
            hdr = GTP_U_Header(teid=teid, gtp_type=255, E=1, next_ex=0x85) / \
                GTPPDUSessionContainer(type=pdu, QFI=qfi, **(container or {}))
        elif hdr is None:
            hdr = GTP_U_Header(teid=teid, gtp_type=255)
        p = outer_udp(osrc, odst, sport, dport, l2)
        p = p / Raw(load=hdr + bytes(inner) + trailer) if isinstance(hdr, bytes) else \
            p / hdr / inner
        f.append(Frame(t, p, gtp=Gtp(teid=teid, inner=inner, qfi=qfi, pdu=pdu), why=why, **kw))

    def outer(t, n, gtp, reason, why, sport=GTPU_PORT, dport=GTPU_PORT, swap=False, l2=None,
              **kw):
        """A packet on the GTP-U port that is metered as outer UDP (gtp: bytes or scapy), on
        the outer addresses of case n (swap: from the second to the first)."""
        osrc, odst = outer_pair(n)
        if swap:
            osrc, odst = odst, osrc
        p = outer_udp(osrc, odst, sport, dport, l2)
        p = p / (Raw(load=gtp) if isinstance(gtp, bytes) else gtp)
        f.append(Frame(t, p, gtp=Gtp(outer=reason), why=why, **kw))

    def udp4(src, dst, sport, dport, n, tos=0, **kw):
        return IP(src=src, dst=dst, tos=tos, **kw) / UDP(sport=sport, dport=dport) / \
            Raw(load=b"u" * n)

    # A long uplink QoS flow: one G-PDU every 7 s from 0.3 to 70.3 s, with the long UL PDU
    # Session Container of QoS monitoring (QMP: 28 octets, QFI 7). Active timeout 60 s: the
    # sweep at 63.3 s closes the first record (0.3 ... 56.3 s); the second must still carry the
    # tunnel fields.
    for k in range(11):
        gpdu(at(7 * k, 300_000), udp4("192.0.2.50", "203.0.113.50", 40050, 5050, 100 + k,
                                      tos=0x28),
             0x501, "active timeout in a tunnel: UL QFI 7, QoS monitoring container",
             osrc=GNB3, qfi=7, pdu=1, container={"QMP": 1})

    # No optional fields (flags 0x30): a UDP query uplink (TEID 0x101 at the UPF) and the
    # response downlink (TEID 0x201 at the gNB; outer addresses swapped).
    for i in range(2):
        gpdu(at(1, i * 10_000), udp4("192.0.2.1", "203.0.113.1", 40001, 1053, 40 + i, tos=0x10),
             0x101, "G-PDU without optional fields, UL")
    gpdu(at(1, 20_000), udp4("203.0.113.1", "192.0.2.1", 1053, 40001, 300, tos=0x10), 0x201,
         "G-PDU without optional fields, DL", osrc=UPF, odst=GNB, l2=eth(src=MAC_B, dst=MAC_A))

    # S only (0x32): ICMP echo both ways. PN only (0x31). E with next type 0 (no extension).
    for i in range(2):
        gpdu(at(1, 200_000 + i * 100_000),
             IP(src="192.0.2.2", dst="203.0.113.2", tos=0x04) / ICMP(type=8, id=2, seq=i) /
             Raw(load=b"p" * 56),
             0x102, "G-PDU with S (sequence number), UL echo request",
             hdr=GTP_U_Header(teid=0x102, gtp_type=255, S=1, seq=100 + i))
        gpdu(at(1, 201_000 + i * 100_000),
             IP(src="203.0.113.2", dst="192.0.2.2", tos=0x04) / ICMP(type=0, id=2, seq=i) /
             Raw(load=b"p" * 56),
             0x202, "G-PDU with S (sequence number), DL echo reply", osrc=UPF, odst=GNB,
             hdr=GTP_U_Header(teid=0x202, gtp_type=255, S=1, seq=200 + i))
    gpdu(at(1, 400_000), udp4("192.0.2.3", "203.0.113.3", 40003, 443, 1200, tos=0x08), 0x103,
         "G-PDU with PN (N-PDU number)", hdr=GTP_U_Header(teid=0x103, gtp_type=255, PN=1, npdu=5))
    gpdu(at(1, 500_000), udp4("192.0.2.3", "203.0.113.3", 40004, 443, 80, tos=0x08), 0x103,
         "G-PDU with E and next type 0 (no extension header)",
         hdr=GTP_U_Header(teid=0x103, gtp_type=255, E=1, next_ex=0))

    # PDU Session Container (0x85): a TCP session in QoS flow 5 (UL TEID 0x104, DL TEID 0x204),
    # ended by FIN both ways; UDP in QoS flow 1 both ways; DL in QFI 63 with the PPP and RQI
    # bits set and a PPI octet (a 2-word container: QFI is the low 6 bits).
    cli, srv = "192.0.2.4", "203.0.113.4"
    segs = [(cli, "S", b""), (srv, "SA", b""), (cli, "A", b""), (cli, "PA", b"GET / HTTP/1.1\r\n"),
            (srv, "A", b""), (srv, "PA", b"x" * 900), (cli, "A", b""), (cli, "FA", b""),
            (srv, "FA", b""), (cli, "A", b"")]
    for i, (src, flags, load) in enumerate(segs):
        up = src == cli
        seg = IP(src=src, dst=srv if up else cli, tos=0x20) / \
            TCP(sport=50000 if up else 80, dport=80 if up else 50000, flags=flags, seq=1000,
                ack=2000, window=65535)
        gpdu(at(2, i * 10_000), seg / Raw(load=load) if load else seg, 0x104 if up else 0x204,
             f"TCP in a PDU session, QFI 5, FIN both ways, {'UL' if up else 'DL'}",
             osrc=GNB if up else UPF, odst=UPF if up else GNB, qfi=5, pdu=1 if up else 0)
    for i in range(2):
        gpdu(at(2, 200_000 + i * 1000), udp4(cli, srv, 40010, 443, 60 + i, tos=0x48), 0x104,
             "PDU Session Container UL, QFI 1", qfi=1, pdu=1)
        gpdu(at(2, 210_000 + i * 1000), udp4(srv, cli, 443, 40010, 1000 + i, tos=0x48), 0x204,
             "PDU Session Container DL, QFI 1", osrc=UPF, odst=GNB, qfi=1, pdu=0)
    gpdu(at(2, 300_000), udp4(srv, cli, 8443, 40011, 500, tos=0x48), 0x204,
         "PDU Session Container DL, QFI 63, PPP/RQI set, PPI octet", osrc=UPF, odst=GNB, qfi=63,
         pdu=0, container={"PPP": 1, "RQI": 1, "PPI": 5})

    # Extension header chains: PDCP PDU Number then PDU Session Container; a chain of exactly
    # the bound (4: UDP Port, PDCP PDU Number, RAN Container, PDU Session Container).
    gpdu(at(3, 0), udp4("192.0.2.5", "203.0.113.5", 40005, 5005, 70, tos=0x18), 0x105,
         "extension headers PDCP PDU Number (0xc0) then PDU Session Container, QFI 2", qfi=2,
         pdu=1, hdr=GTP_U_Header(teid=0x105, gtp_type=255, E=1, next_ex=0xC0) /
         GTP_PDCP_PDU_ExtensionHeader(pdcp_pdu=0x1234, next_ex=0x85) /
         GTPPDUSessionContainer(type=1, QFI=2))
    four = [(0x40, struct.pack("!H", 40005)), (0xC0, struct.pack("!H", 0x1235)),
            (0x81, b"\x00" * 6), (0x85, bytes([0x10, 3]))]
    inner = udp4("192.0.2.5", "203.0.113.5", 40006, 5006, 70, tos=0x18)
    gpdu(at(3, 100_000), inner, 0x105, "a chain of 4 extension headers (the bound), QFI 3", qfi=3,
         pdu=1, hdr=gtp_raw(0x34, 255, 0x105, ext_chain(four) + bytes(inner)))

    # Not decapsulated, metered as outer UDP (each case on its own outer addresses).
    inner = udp4("192.0.2.6", "203.0.113.6", 40060, 6060, 50)
    five = four[:3] + [(0x82, b"\x00" * 6), (0x85, bytes([0x10, 3]))]
    outer(at(3, 200_000), 0, gtp_raw(0x34, 255, 0x106, ext_chain(five) + bytes(inner)),
          "ext-depth", "a chain of 5 extension headers (more than 4)")
    outer(at(3, 300_000), 1, gtp_raw(0x34, 255, 0x106,
                                     ext_chain([(0xC0, b"\x12\x34")])[:4] + b"\x00\x12\x34\x00" +
                                     bytes(inner)),
          "ext-len-zero", "an extension header of length 0")
    outer(at(3, 400_000), 2, GTP_U_Header(teid=0x106, gtp_type=255, E=1, next_ex=0x85) /
          GTPPDUSessionContainer(type=1, QFI=1), "no-tpdu",
          "G-PDU without T-PDU (only a PDU Session Container)")
    outer(at(3, 500_000), 3, GTP_U_Header(teid=0x106, gtp_type=255) /
          Raw(load=bytes.fromhex("02000000000b02000000000a0800") + bytes(inner)),
          "inner-not-ip", "G-PDU whose T-PDU is not IP (an Ethernet frame)")
    bad = bytearray(bytes(inner))
    bad[0] = 0x43   # IHL 3: shorter than an IPv4 header can be
    outer(at(3, 600_000), 4, GTP_U_Header(teid=0x106, gtp_type=255) / Raw(load=bytes(bad)),
          "inner-bad", "G-PDU whose inner IPv4 header is malformed (IHL 3)")

    # Truncated by the snap length at every layer. The outer IPv4 header cut: not metered. The
    # UDP header cut: outer flow without ports. The GTP header, optional word, an extension
    # header or the inner IP header cut: outer UDP. The inner L4 header cut: the inner flow,
    # without ports.
    inner = udp4("192.0.2.7", "203.0.113.7", 40007, 7007, 200, tos=0x30)
    plain = GTP_U_Header(teid=0x107, gtp_type=255)
    o = outer_pair(5)
    f.append(Frame(at(4, 0), outer_udp(*o) / plain / inner, snaplen=14 + 12, metered=False,
                   reason="truncated", why="outer IPv4 header cut by the snap length"))
    o = outer_pair(6)
    f.append(Frame(at(4, 100_000), outer_udp(*o) / plain / inner, snaplen=14 + 20 + 2, cut="l4",
                   why="outer UDP header cut by the snap length (ports 0/0)"))
    outer(at(4, 200_000), 7, plain / inner, "trunc", "GTP header cut by the snap length",
          snaplen=14 + 20 + 8 + 4)
    outer(at(4, 300_000), 8, GTP_U_Header(teid=0x107, gtp_type=255, S=1, seq=7) / inner, "trunc",
          "GTP optional word cut by the snap length", snaplen=14 + 20 + 8 + 8 + 2)
    outer(at(4, 400_000), 9, GTP_U_Header(teid=0x107, gtp_type=255, E=1, next_ex=0x85) /
          GTPPDUSessionContainer(type=0, QFI=3) / inner, "trunc",
          "GTP extension header cut by the snap length", snaplen=14 + 20 + 8 + 8 + 4 + 2)
    outer(at(4, 500_000), 10, plain / inner, "inner-bad",
          "inner IPv4 header cut by the snap length", snaplen=14 + 20 + 8 + 8 + 10)
    outer(at(4, 600_000), 11, plain / IPv6(src="2001:db8:a::7", dst="2001:db8:b::7") /
          UDP(sport=40007, dport=7007) / Raw(load=b"u" * 200), "inner-bad",
          "inner IPv6 header cut by the snap length", snaplen=14 + 20 + 8 + 8 + 30)
    gpdu(at(4, 700_000), inner, 0x107, "inner UDP header cut by the snap length (ports 0/0)",
         snaplen=14 + 20 + 8 + 8 + 20 + 2, cut="inner-l4")

    # Inner IPv6 with extension headers: hop-by-hop + destination options before UDP, a
    # routing header before TCP, a non-first fragment (protocol 17, no ports).
    s6, d6 = "2001:db8:a::8", "2001:db8:b::8"
    for i in range(2):
        gpdu(at(5, i * 1000), IPv6(src=s6, dst=d6, tc=0x48) / IPv6ExtHdrHopByHop() /
             IPv6ExtHdrDestOpt() / UDP(sport=40008, dport=8008) / Raw(load=b"6" * (100 + i)),
             0x108, "inner IPv6 hop-by-hop + destination options + UDP")
    gpdu(at(5, 100_000), IPv6(src=s6, dst=d6, tc=0x48) /
         IPv6ExtHdrRouting(addresses=["2001:db8:c::1"], segleft=0) /
         TCP(sport=40009, dport=8009, flags="S"), 0x108, "inner IPv6 routing header + TCP SYN")
    gpdu(at(5, 200_000), IPv6(src=s6, dst=d6, tc=0x48) /
         IPv6ExtHdrFragment(nh=17, offset=154, m=0, id=0x77) / Raw(load=b"g" * 300), 0x108,
         "inner IPv6 non-first fragment (ports 0/0)")

    # Outer IPv6: inner IPv4 with a PDU Session Container uplink; inner ICMPv6 echo both ways.
    gpdu(at(5, 500_000), udp4("192.0.2.9", "203.0.113.9", 40012, 9009, 300, tos=0x10), 0x301,
         "outer IPv6, inner IPv4 UDP, UL QFI 4", osrc=GNB6, odst=UPF6, qfi=4, pdu=1)
    gpdu(at(5, 600_000), IPv6(src="2001:db8:a::9", dst="2001:db8:b::9", tc=0x10) /
         ICMPv6EchoRequest(id=9, seq=1, data=b"v" * 56), 0x301,
         "outer IPv6, inner ICMPv6 echo request", osrc=GNB6, odst=UPF6)
    gpdu(at(5, 601_000), IPv6(src="2001:db8:b::9", dst="2001:db8:a::9", tc=0x10) /
         ICMPv6EchoReply(id=9, seq=1, data=b"v" * 56), 0x401,
         "outer IPv6, inner ICMPv6 echo reply", osrc=UPF6, odst=GNB6,
         l2=eth(src=MAC_B, dst=MAC_A))

    # VLAN and QinQ outside the tunnel.
    gpdu(at(6, 0), udp4("192.0.2.10", "203.0.113.10", 40013, 1010, 90, tos=0x0C), 0x110,
         "802.1Q VLAN 100 around GTP-U", l2=eth([(0x8100, 100)]))
    gpdu(at(6, 100_000), udp4("192.0.2.11", "203.0.113.11", 40014, 1111, 90, tos=0x0C), 0x111,
         "QinQ 0x88a8/0x8100 around GTP-U, QFI 6", l2=eth([(0x88A8, 10), (0x8100, 20)]), qfi=6,
         pdu=1)

    # Path management and other messages on the port: outer UDP. The echo request goes to 2152
    # from another port; the response comes from 2152 back to that port (TS 29.281 §4.4.2).
    outer(at(6, 500_000), 12, gtp_raw(0x32, 1, 0, struct.pack("!HBB", 0x1234, 0, 0)), "not-gpdu",
          "GTP-U echo request", sport=40000)
    outer(at(6, 501_000), 12, gtp_raw(0x32, 2, 0, struct.pack("!HBB", 0x1234, 0, 0) +
                                      bytes([14, 0])), "not-gpdu", "GTP-U echo response",
          dport=40000, swap=True, l2=eth(src=MAC_B, dst=MAC_A))
    # Error indication: TEID Data I (16) and GTP-U Peer Address (133) IEs.
    outer(at(6, 600_000), 13, gtp_raw(0x32, 0x1A, 0, struct.pack("!HBB", 0x55, 0, 0) +
                                      bytes([16]) + struct.pack("!I", 0x999) +
                                      bytes([133]) + struct.pack("!H", 4) +
                                      bytes([198, 51, 100, 2])), "not-gpdu",
          "GTP-U error indication")
    outer(at(6, 700_000), 14, gtp_raw(0x30, 0xFE, 0x201, b""), "not-gpdu", "GTP-U end marker")
    # Supported Extension Headers Notification: the extension header type list IE (141).
    outer(at(6, 750_000), 15, gtp_raw(0x32, 0x1F, 0, struct.pack("!HBB", 0x56, 0, 0) +
                                      bytes([141, 2, 0x85, 0xC0])), "not-gpdu",
          "GTP-U supported extension headers notification")
    # GTPv2 on the port (echo request: version 2, no TEID; Recovery IE) and GTP' (PT 0).
    outer(at(6, 800_000), 16, bytes([0x40, 1, 0, 9]) + struct.pack("!I", 0x000abc00) +
          bytes([3, 0, 1, 0, 7]), "not-v1", "GTPv2 echo request on the GTP-U port")
    # GTP' data record transfer request (240) with a Packet Transfer Command IE (126): a 6-octet
    # header (flags, type, length, sequence number).
    outer(at(6, 850_000), 17, bytes([0x2E, 240]) + struct.pack("!HH", 4, 0x42) +
          bytes([126, 1, 0, 0]), "not-v1",
          "GTP' (version 1, PT 0) data record transfer request on the GTP-U port")

    # The same inner 5-tuple in four places: two TEIDs at one UPF, the first TEID's value at
    # another UPF, and outside any tunnel. Four flows.
    same = lambda n: udp4("192.0.2.20", "203.0.113.20", 40020, 443, n, tos=0x14)
    for i in range(2):
        gpdu(at(7, i * 1000), same(100 + i), 0x120, "same inner 5-tuple: TEID 0x120 at UPF")
    gpdu(at(7, 10_000), same(200), 0x121, "same inner 5-tuple: TEID 0x121 at UPF (from gNB 2)",
         osrc=GNB2)
    gpdu(at(7, 20_000), same(300), 0x120, "same inner 5-tuple: TEID 0x120 at UPF 2", odst=UPF2)
    f.append(Frame(at(7, 30_000), eth() / same(400), why="same 5-tuple outside a tunnel"))

    # One level only: the inner packet is GTP-U again (UDP 2152 -> 2152); it is not opened.
    gpdu(at(7, 500_000), IP(src="192.0.2.21", dst="203.0.113.21", tos=0x1C) /
         UDP(sport=GTPU_PORT, dport=GTPU_PORT) / GTP_U_Header(teid=0x999, gtp_type=255) /
         udp4("10.0.0.1", "10.0.0.2", 1, 2, 20), 0x122,
         "inner packet is GTP-U again: one level only")

    # Outer IPv4 fragments: the first fragment is decapsulated (the inner header is in it), the
    # second is an outer fragment (UDP, ports 0/0).
    o = outer_pair(18)
    inner = udp4("192.0.2.22", "203.0.113.22", 40022, 2222, 1600, tos=0x24)
    whole = bytes(outer_udp(*o, ipid=0x3333)[IP] / GTP_U_Header(teid=0x123, gtp_type=255) /
                  inner)
    ip_hdr, body = IP(whole[:20]), whole[20:]
    for n, off in enumerate((0, 1480)):
        h = IP(src=ip_hdr.src, dst=ip_hdr.dst, tos=OUTER_TOS, id=0x3333, proto=17,
               flags="MF" if n == 0 else 0, frag=off // 8)
        p = eth() / h / Raw(load=body[off:off + 1480])
        if n == 0:
            f.append(Frame(at(8, 0), p, gtp=Gtp(teid=0x123, inner=inner),
                           why="G-PDU in outer IPv4 fragments: first fragment decapsulated"))
        else:
            f.append(Frame(at(8, 100), p, why="G-PDU in outer IPv4 fragments: non-first fragment"))

    # An inner IPv4 non-first fragment: the inner flow without ports.
    gpdu(at(8, 200_000), IP(src="192.0.2.23", dst="203.0.113.23", proto=17, frag=185,
                            tos=0x24) / Raw(load=b"k" * 400), 0x124,
         "inner IPv4 non-first fragment (ports 0/0)")

    # Other UDP ports on one side: G-PDUs go to 2152 from any port; downlink from 2152 to 1024.
    gpdu(at(8, 500_000), udp4("192.0.2.24", "203.0.113.24", 40024, 2424, 64, tos=0x2C), 0x125,
         "G-PDU from UDP port 5906 to 2152", sport=5906)
    gpdu(at(8, 600_000), udp4("203.0.113.24", "192.0.2.24", 2424, 40024, 640, tos=0x2C), 0x225,
         "G-PDU from UDP port 2152 to 1024", osrc=UPF, odst=GNB, dport=1024)

    # The GTP length disagrees with the UDP payload: trailing octets after the T-PDU (length
    # shorter), or a length beyond the datagram. Octets come from the inner IP header.
    inner = IP(src="192.0.2.25", dst="203.0.113.25", tos=0x34) / ICMP(type=8, id=25, seq=1)
    gpdu(at(9, 0), inner, 0x126, "GTP length shorter than the UDP payload (trailing octets)",
         hdr=gtp_raw(0x30, 255, 0x126, b"", length=len(bytes(inner))), trailer=b"\0" * 100)
    inner = IP(src="192.0.2.26", dst="203.0.113.26", tos=0x34) / ICMP(type=8, id=26, seq=1)
    gpdu(at(9, 100_000), inner, 0x127, "GTP length beyond the UDP payload",
         hdr=gtp_raw(0x30, 255, 0x127, b"", length=len(bytes(inner)) + 2000))

    f.sort(key=lambda fr: fr.ts_us)
    return f


# the byte order of the address family in the BSD loopback captures
LOOPBACK_ORDER = {"null": "<", "null-be": ">", "loop": ">"}


def loopback_header(order, family):
    """The 4-octet NULL/LOOP link header: the address family in byte order `order`."""
    return Raw(load=struct.pack(order + "I", family))


def small_frames(kind):
    """A short capture for a non-Ethernet link type: TCP with FIN, UDP, ICMP (IPv4 and IPv6, or
    one version for the link types of one), and what the link type can hold that is not
    metered: ARP (cooked), a family that is not IP and a record cut in the family (loopback), a
    packet of the other IP version (malformed: the link type, not the version nibble, decides)."""
    f = []
    mac = bytes.fromhex("02000000000a")
    v6 = kind == "ipv6"

    def l2(proto, pkttype=0, af6=BSD_AF_INET6[0]):
        if kind == "sll":
            return CookedLinux(pkttype=pkttype, lladdrtype=1, lladdrlen=6, src=mac + b"\0\0",
                               proto=proto)
        if kind == "sll2":
            return CookedLinuxV2(proto=proto, ifindex=2, lladdrtype=1, pkttype=pkttype,
                                 lladdrlen=6, src=mac + b"\0\0")
        if kind in LOOPBACK_ORDER:
            family = {0x0800: BSD_AF_INET, 0x86DD: af6}.get(proto, BSD_AF_OSI)
            return loopback_header(LOOPBACK_ORDER[kind], family)
        return None

    def frame(ts, ip_pkt, pkttype=0, why="", metered=True, af6=BSD_AF_INET6[0]):
        proto = 0x0800 if isinstance(ip_pkt, IP) else 0x86DD
        h = l2(proto, pkttype, af6)
        f.append(Frame(ts, h / ip_pkt if h is not None else ip_pkt, metered=metered, why=why))

    def ip(src, dst, tos):
        return IPv6(src=src, dst=dst, tc=tos) if v6 else IP(src=src, dst=dst, tos=tos)

    base = {"sll": 0, "sll2": 1, "rawip": 2, "null": 3, "null-be": 4, "loop": 5, "ipv4": 6,
            "ipv6": 7}[kind]
    if v6:
        cli, srv = f"2001:db8:5::{110 + base}", f"2001:db8:6::{110 + base}"
    else:
        cli, srv = f"192.0.2.{110 + base}", f"203.0.113.{110 + base}"
    segs = [(cli, srv, "S", b""), (srv, cli, "SA", b""), (cli, srv, "A", b""),
            (cli, srv, "PA", b"hello"), (srv, cli, "PA", b"world" * 20), (cli, srv, "FA", b""),
            (srv, cli, "FA", b""), (cli, srv, "A", b"")]
    for i, (s, d, fl, load) in enumerate(segs):
        sp, dp = (44000 + base, 22) if s == cli else (22, 44000 + base)
        p = ip(s, d, 0x10) / TCP(sport=sp, dport=dp, flags=fl)
        frame(at(0, 100_000 + i * 20_000), p / Raw(load=load) if load else p,
              pkttype=4 if s == cli else 0,
              why=f"{kind}: IPv{6 if v6 else 4} TCP session, FIN both ways")
    for i in range(3):
        why = f"{kind}: IPv6 UDP"
        if kind == "ipv4":
            p, why = IP(src=cli, dst="198.51.100.2", tos=0x28), f"{kind}: IPv4 UDP"
        else:
            p = IPv6(src=f"2001:db8:5::{base + 1}", dst="2001:db8:6::1", tc=0x28)
        if kind in LOOPBACK_ORDER:
            why += ", AF_INET6 24, 28 and 30 (one flow)"
        frame(at(1 + i, 500_000), p / UDP(sport=4433, dport=443) / Raw(load=b"u" * (100 + i)),
              pkttype=4, why=why, af6=BSD_AF_INET6[i])
    if v6:
        p = IPv6(src=cli, dst="2001:db8:7::1") / ICMPv6EchoRequest(data=b"p" * 24)
    else:
        p = IP(src=cli, dst="198.51.100.1") / ICMP(type=8) / Raw(load=b"p" * 24)
    frame(at(2, 700_999), p, pkttype=4, why=f"{kind}: ICMP{'v6' if v6 else ''} echo request")
    if kind in ("sll", "sll2"):
        arp = ARP(op=1, hwsrc="02:00:00:00:00:0a", psrc=cli, pdst="192.0.2.1")
        h = l2(0x0806)
        f.append(Frame(at(3, 0), h / arp, metered=False, reason="not IP", why="ARP (non-IP)"))
    if kind in LOOPBACK_ORDER:
        h = loopback_header(LOOPBACK_ORDER[kind], BSD_AF_OSI)
        f.append(Frame(at(3, 0), h / Raw(load=b"\xfe\xfe\x03" + b"o" * 40), metered=False,
                       reason="not IP", why="address family 7 (OSI, not IP)"))
        f.append(Frame(at(3, 100_000), Raw(load=bytes(loopback_header(LOOPBACK_ORDER[kind],
                                                                      BSD_AF_INET))[:3]),
                       metered=False, reason="truncated", why="record cut in the family"))
    if kind in ("ipv4", "ipv6"):
        # at least 40 octets: a whole header of either version, so it is malformed, not cut
        other = IP(src="192.0.2.1", dst="192.0.2.2") if v6 else \
            IPv6(src="2001:db8:5::1", dst="2001:db8:6::2")
        f.append(Frame(at(3, 0), other / UDP(sport=1, dport=2) / Raw(load=b"m" * 40),
                       metered=False, reason="malformed",
                       why=f"IPv{4 if v6 else 6} packet in a LINKTYPE_IPV{6 if v6 else 4} capture"))
    # A packet at t0+4 s lets the sweep see the TCP session closed for more than 1 s.
    if v6:
        p = IPv6(src=srv, dst=cli, tc=0x10) / ICMPv6EchoReply(data=b"p" * 24)
    else:
        p = IP(src=srv, dst=cli, tos=0x10) / ICMP(type=0) / Raw(load=b"p" * 24)
    frame(at(4, 10), p, why=f"{kind}: ICMP{'v6' if v6 else ''} echo reply")
    f.sort(key=lambda fr: fr.ts_us)
    return f


def lifecycle_frames():
    """lifecycle.pcap: each lifecycle rule under per-protocol timeouts (LIFECYCLE_LIFE)."""
    f = []

    def ts(s):
        """Capture time `s` seconds (a decimal string, so no float rounding) after T0."""
        whole, _, frac = s.partition(".")
        return at(int(whole), int((frac + "000000")[:6]))

    def add(s, p, why):
        f.append(Frame(ts(s) if isinstance(s, str) else at(0, s), p, why=why))

    def udp(src, dst, sp, dp, n, tos=0):
        return eth() / IP(src=src, dst=dst, tos=tos) / UDP(sport=sp, dport=dp) / \
            Raw(load=b"u" * n)

    def echo(src, dst, seq, tos=0):
        if ":" in src:
            return eth() / IPv6(src=src, dst=dst, tc=tos) / \
                ICMPv6EchoRequest(id=0x66, seq=seq, data=b"v" * 48)
        return eth() / IP(src=src, dst=dst, tos=tos) / ICMP(type=8, id=0x44, seq=seq) / \
            Raw(load=b"p" * 48)

    def gre(src, dst, n=40):
        return eth() / IP(src=src, dst=dst, tos=0x18) / GRE() / \
            IP(src="10.0.0.1", dst="10.0.0.2") / UDP(sport=1, dport=2) / Raw(load=b"g" * n)

    def sctp(src, dst):
        return eth() / IP(src=src, dst=dst, tos=0x1C) / SCTP(sport=36412, dport=38412, tag=7) / \
            Raw(load=b"\x00" * 32)

    def tcp(src, dst, sp, dp, flags, n=0, tos=0x10, l2=None):
        p = (l2 or eth()) / IP(src=src, dst=dst, tos=tos, id=0x4343) / \
            TCP(sport=sp, dport=dp, flags=flags, seq=1000, ack=2000, window=65535)
        return pad60(p / Raw(load=b"t" * n) if n else p)

    # UDP active timeout (no UDP value: the general 60 s): one packet exactly at every whole
    # second 0..199, sizes varying. Sweeps at 60, 120, 180 close records 0..59, 60..119,
    # 120..179 (active; the test is "at least", on the boundary on purpose); 180..199 is forced
    # out at the end of the capture (idle 20 s not reached by 205.9).
    for k in range(200):
        add(k * US, udp("192.0.2.120", "198.51.100.120", 5120, 6120, 40 + (k * 97) % 1000,
                        tos=0x48),
            "active: UDP every whole second 0..199 s, general active timeout 60 s "
            "(active x3, forced)")

    # A flow with a 100 s silent gap: 1.25..10.25 s, then 110.25..114.25 s. UDP idle 20 s: the
    # sweep at 31 s ends record 1 (idle); the packets after the gap are a new record, idle at 135.
    for k in range(1, 11):
        add(f"{k}.25", udp("192.0.2.121", "198.51.100.121", 5121, 6121, 100 + k, tos=0x20),
            "idle: UDP 1.25..10.25 s before a 100 s silent gap")
    for k in range(110, 115):
        add(f"{k}.25", udp("192.0.2.121", "198.51.100.121", 5121, 6121, 300 + k, tos=0x20),
            "idle: UDP 110.25..114.25 s after the 100 s gap (a new record)")

    # Per-class idle timeouts (TCP 30, UDP 20, ICMP 5, other 10; general 15): two packets 1 s
    # apart, a silent gap, two more. The same gap splits a flow of one class and not of another.
    def gap_flow(start_us, gap_us, build, why):
        times = [start_us, start_us + US, start_us + US + gap_us, start_us + 2 * US + gap_us]
        for n, t in enumerate(times):
            add(t, build(n), why + (": before the gap" if n < 2 else ": after the gap"))
    gap_flow(2_300_000, 7_500_000, lambda n: echo("192.0.2.130", "203.0.113.130", n),
             "idle per class: ICMP, gap 7.5 s > ICMP idle 5 s (two records)")
    gap_flow(2_320_000, 7_500_000, lambda n: echo("2001:db8:130::1", "2001:db8:130::2", n),
             "idle per class: ICMPv6 (ICMP class), gap 7.5 s > 5 s (two records)")
    gap_flow(2_400_000, 7_500_000, lambda n: gre("192.0.2.131", "198.51.100.131", 40 + n),
             "idle per class: GRE (other), gap 7.5 s < other idle 10 s (one record)")
    gap_flow(2_450_000, 12_500_000, lambda n: gre("192.0.2.132", "198.51.100.132", 40 + n),
             "idle per class: GRE (other), gap 12.5 s > 10 s, < general 15 s (two records)")
    gap_flow(2_550_000, 17_500_000,
             lambda n: udp("192.0.2.133", "198.51.100.133", 5133, 6133, 60 + n),
             "idle per class: UDP, gap 17.5 s < UDP idle 20 s, > general 15 s (one record)")
    gap_flow(2_600_000, 17_500_000, lambda n: sctp("192.0.2.134", "198.51.100.134"),
             "idle per class: SCTP (other), gap 17.5 s > 10 s (two records)")
    gap_flow(2_650_000, 25_500_000,
             lambda n: udp("192.0.2.135", "198.51.100.135", 5135, 6135, 60 + n),
             "idle per class: UDP, gap 25.5 s > 20 s (two records)")
    gap_flow(2_700_000, 25_500_000,
             lambda n: tcp("192.0.2.136", "203.0.113.136", 40136, 443, "PA", 20 + n),
             "idle per class: TCP, gap 25.5 s < TCP idle 30 s, > UDP 20 s (one record)")
    gap_flow(2_750_000, 35_500_000,
             lambda n: tcp("192.0.2.137", "203.0.113.137", 40137, 443, "PA", 20 + n),
             "idle per class: TCP, gap 35.5 s > 30 s (two records)")

    # Per-class active timeouts (TCP 75, ICMP 30, other 40; UDP: the stream above, 60), one
    # packet every 2 s, never idle.
    for k in range(41):    # 40.6 .. 120.6 s
        add(40_600_000 + 2 * k * US, echo("192.0.2.140", "203.0.113.140", k, tos=0x04),
            "active per class: ICMP echo every 2 s 40.6..120.6 s, ICMP active 30 s "
            "(active, active, idle)")
    for k in range(51):    # 40.8 .. 140.8 s
        add(40_800_000 + 2 * k * US, gre("192.0.2.141", "198.51.100.141", 40 + k % 7),
            "active per class: GRE every 2 s 40.8..140.8 s, other active 40 s "
            "(active, active, idle)")
    why = "active per class: TCP every 2 s 0.7..169.7 s, TCP active 75 s (active, active, end)"
    for k in range(85):    # 0.7 .. 168.7 s, then the FIN at 169.7 s
        add(700_000 + 2 * k * US, tcp("192.0.2.142", "203.0.113.142", 40142, 443, "PA",
                                        100 + k % 13), why)
    add("169.7", tcp("192.0.2.142", "203.0.113.142", 40142, 443, "FA"), why)

    # TCP end of session, linger 2 s. A session closed with FIN both ways whose client's last
    # ACK comes 2.4 s after its FIN: inside the linger it joins the client's record (a linger of
    # 1 s would have ended the record at the sweep at 142 s).
    def session(t0_us, cli, srv, cport, sport, why, close="fin", last_ack_us=None):
        c = lambda fl, n=0: tcp(cli, srv, cport, sport, fl, n, tos=0x28)
        s = lambda fl, n=0: tcp(srv, cli, sport, cport, fl, n, tos=0x28,
                                l2=eth(src=MAC_B, dst=MAC_A))
        segs = [c("S"), s("SA"), c("A"), c("PA", 120), s("A"), s("PA", 900)]
        segs += [c("A"), c("FA"), s("FA")] if close == "fin" else [s("R")]
        for n, p in enumerate(segs):
            add(t0_us + n * 10_000, p, why)
        if last_ack_us is not None:
            add(last_ack_us, c("A"), why + ": the client's last ACK")
    session(140_100_000, "192.0.2.150", "203.0.113.150", 40150, 80,
            "end: TCP FIN both ways, last ACK 2.4 s after the FIN, inside linger 2 s",
            last_ack_us=142_570_000)
    # The same, but the last ACK comes 3.4 s after the FIN: the sweep at 153 s has ended the
    # client's record; the ACK starts a new record (no FIN: it goes idle after 30 s).
    session(150_100_000, "192.0.2.151", "203.0.113.151", 40151, 80,
            "end: TCP FIN both ways, last ACK 3.4 s after the FIN, after linger 2 s "
            "(the ACK: a new record, idle)",
            last_ack_us=153_570_000)
    # RST: the server resets; its direction ends (end), the client's has no FIN/RST (idle 30 s).
    session(160_100_000, "192.0.2.152", "203.0.113.152", 40152, 443,
            "end: TCP session reset by the server (server RST: end; client: idle 30 s)",
            close="rst")
    # A lone RST (answer to a stray segment): a one-packet record, end after the linger.
    add("165.5", tcp("203.0.113.153", "192.0.2.153", 443, 40153, "R", tos=0x00),
        "end: a lone TCP RST")

    # End of the capture (last frame 205.9 s; the sweep of second 205 runs at 205.1 s).
    # The ICMP flow's last packet at 200.5 s is idle (5 s) only by the final sweep at 205.9 s.
    for s_ in ("199.5", "200.5"):
        add(s_, echo("192.0.2.162", "203.0.113.162", int(s_[:3])),
            "idle: ICMP idle 5 s reached only by the end-of-capture sweep at 205.9 s")
    # FIN at 204.5 s: the linger has not expired when the capture ends (forced).
    add("204.3", tcp("192.0.2.160", "203.0.113.160", 40160, 80, "PA", 50),
        "forced: TCP FIN 1.4 s before the end of the capture (linger 2 s not over)")
    add("204.5", tcp("192.0.2.160", "203.0.113.160", 40160, 80, "FA"),
        "forced: TCP FIN 1.4 s before the end of the capture (linger 2 s not over)")
    add("203.2", gre("192.0.2.161", "198.51.100.161"), "forced: GRE at the end of the capture")
    add("205.1", gre("192.0.2.161", "198.51.100.161"), "forced: GRE at the end of the capture")
    add("205.9", udp("192.0.2.163", "198.51.100.163", 5163, 6163, 77),
        "forced: UDP, the last frame of the capture")

    f.sort(key=lambda fr: fr.ts_us)
    return f


def links_frames():
    """links.pcapng: one interface per link type bpfix reads, two UDP flows each (IPv4 and IPv6
    where the link type holds both), each interface's flows apart."""
    f = []
    links = [("NULL", LINKTYPE_NULL), ("LOOP", LINKTYPE_LOOP), ("RAW", LINKTYPE_RAW),
             ("IPV4", LINKTYPE_IPV4), ("IPV6", LINKTYPE_IPV6), ("SLL2", LINKTYPE_LINUX_SLL2),
             ("Ethernet", LINKTYPE_ETHERNET)]
    for n, (name, lt) in enumerate(links):
        for v6 in (False, True):
            if (lt == LINKTYPE_IPV4 and v6) or (lt == LINKTYPE_IPV6 and not v6):
                continue
            ip = IPv6(src=f"2001:db8:20::{n + 1}", dst="2001:db8:21::1", tc=0x30) if v6 else \
                IP(src=f"192.0.2.{200 + n}", dst="198.51.100.200", tos=0x30)
            if lt == LINKTYPE_NULL:   # the section is little-endian: so is a NULL header here
                l2 = loopback_header("<", BSD_AF_INET6[2] if v6 else BSD_AF_INET)
            elif lt == LINKTYPE_LOOP:
                l2 = loopback_header(">", BSD_AF_INET6[0] if v6 else BSD_AF_INET)
            elif lt == LINKTYPE_LINUX_SLL2:
                l2 = CookedLinuxV2(proto=0x86DD if v6 else 0x0800, ifindex=3, lladdrtype=1,
                                   lladdrlen=6, src=bytes.fromhex("02000000000a0000"))
            elif lt == LINKTYPE_ETHERNET:
                l2 = eth()
            else:
                l2 = None
            for i in range(2):
                p = ip / UDP(sport=5200 + n, dport=53) / Raw(load=b"l" * (60 + 10 * i))
                # the SLL2 interface's first record claims a length of 0, below its link header
                f.append(Frame(at(0, 100_000 * n + 1000 * v6 + 10 * i), l2 / p if l2 else p,
                               why=f"links: {name} interface, IPv{6 if v6 else 4} UDP",
                               linktype=lt,
                               recorded_len=0 if lt == LINKTYPE_LINUX_SLL2 and i == 0 else None))
    f.sort(key=lambda fr: fr.ts_us)
    return f


def wirelen_frames(kind):
    """wirelen.pcap (Ethernet) and wirelen-sll.pcap (Linux cooked): records whose recorded (wire)
    length is not the frame's. Above 64 KiB: a GSO super-packet as tcpdump records it on the
    sending host (IPv4 and IPv6 TCP of 65535 IP octets, 65549 and 65589 as Ethernet; one stored
    whole, the others cut by the snap length), and a small packet claiming 200000 or 4 GiB - 1.
    Below what was captured: 0, and for the cooked capture 1 and 15 (below its 16-octet link
    header). Every such packet counts its IP length; later packets show the replay went on."""
    f = []
    cooked = kind == "sll"
    base = 0 if cooked else 1

    def l2(proto):
        if cooked:
            return CookedLinux(pkttype=4, lladdrtype=1, lladdrlen=6,
                               src=bytes.fromhex("02000000000a0000"), proto=proto)
        return eth()

    def add(t, ip_pkt, why, recorded=None, snaplen=0):
        h = l2(0x0800 if isinstance(ip_pkt, IP) else 0x86DD)
        f.append(Frame(t, h / ip_pkt, why=why, recorded_len=recorded, snaplen=snaplen))

    cli, srv = f"192.0.2.{180 + base}", f"203.0.113.{180 + base}"
    gso4 = lambda n: IP(src=cli, dst=srv, tos=0x08, id=n) / \
        TCP(sport=40180, dport=5201, flags="PA", seq=1 + n * 65495, ack=1) / \
        Raw(load=bytes([n]) * 65495)
    if not cooked:
        add(at(0, 100_000), gso4(0), "GSO IPv4 TCP of 65535 IP octets, recorded above 64 KiB")
    add(at(0, 200_000), gso4(1), "GSO IPv4 TCP of 65535 IP octets, recorded above 64 KiB",
        snaplen=128)
    add(at(0, 300_000), IPv6(src=f"2001:db8:18::{base}", dst="2001:db8:19::1", tc=0x08) /
        TCP(sport=40181, dport=5201, flags="PA", seq=1, ack=1) / Raw(load=b"6" * 65515),
        "GSO IPv6 TCP of 65575 IP octets, recorded above 64 KiB", snaplen=128)
    # BIG TCP: longer than the length field can say, so the field says 0
    add(at(0, 320_000), IP(src=cli, dst=srv, tos=0x08, id=7, len=0) /
        TCP(sport=40182, dport=5201, flags="PA", seq=1, ack=1) / Raw(load=b"b" * 100000),
        "BIG TCP IPv4 of 100040 IP octets, total length 0", snaplen=128)
    add(at(0, 340_000), IPv6(src=f"2001:db8:18::{base}", dst="2001:db8:19::1", tc=0x08, plen=0) /
        IPv6ExtHdrHopByHop(options=[Jumbo(jumboplen=8 + 20 + 100000)]) /
        TCP(sport=40183, dport=5201, flags="PA", seq=1, ack=1) / Raw(load=b"j" * 100000),
        "BIG TCP IPv6 of 100068 IP octets, payload length 0, a jumbo hop-by-hop option",
        snaplen=128)
    udp = lambda n, sport: IP(src=cli, dst="198.51.100.180", tos=0x04) / \
        UDP(sport=sport, dport=9000) / Raw(load=b"w" * n)
    add(at(0, 400_000), udp(72, 5180), "UDP recorded as 200000 octets", recorded=200_000)
    add(at(0, 500_000), udp(73, 5181), "UDP recorded as 4 GiB - 1 octets", recorded=0xFFFFFFFF)
    lengths = (0, 1, 15) if cooked else (0,)
    for i, n in enumerate(lengths):
        add(at(0, 600_000 + i * 1000), udp(74 + i, 5182),
            "UDP recorded below its captured length" +
            (" and below the cooked link header" if cooked else ""), recorded=n)
    for i in range(3):
        add(at(1 + i), udp(100 + i, 5183), "UDP after the hostile records: the replay went on")
    f.sort(key=lambda fr: fr.ts_us)
    return f


def times_frames(year):
    """times-2038.pcap and times-2106.pcap: capture times a signed 32-bit ts_sec gets wrong
    (libpcap reads it so: from 2038 on, negative), up to the last second a classic pcap holds.
    One region of time a capture: a flow alive across a jump of years would be due for idle and
    active at once, which the truth refuses."""
    f = []

    def udp(src, sport, n):
        return eth() / IP(src=src, dst="198.51.100.170", tos=0x08) / \
            UDP(sport=sport, dport=7000) / Raw(load=b"t" * n)
    if year == 2038:
        seconds = ((0x7FFFFFF8, 0), (0x7FFFFFFF, 500_000), (0x80000000, 250_000),
                   (0x80000003, 0))
        why = "times: across 2038-01-19 03:14:08 UTC (ts_sec 0x80000000)"
        src = "192.0.2.171"
    else:
        seconds = ((0xFFFFFFF8, 0), (0xFFFFFFFE, 0), (0xFFFFFFFF, 999_999))
        why = "times: up to the last second of ts_sec, 0xffffffff (2106-02-07 06:28:15 UTC)"
        src = "192.0.2.172"
    for i, (sec, usec) in enumerate(seconds):
        f.append(Frame(sec * US + usec, udp(src, 5170, 60 + i), why=why))
    # a flow idle for more than 15 s, ended by the sweep of the last packet's second
    f.append(Frame((seconds[0][0] - 8) * US, udp("192.0.2.173", 5173, 40),
                   why="times: a flow gone idle before the end of the capture"))
    f.sort(key=lambda fr: fr.ts_us)
    return f


CAPTURES = [
    # (truth file, [(capture file, writer)], frames, linktype, decapsulate GTP-U[, Lifecycle])
    ("mixed.truth.tsv",
     [("mixed.pcap", lambda p, fr, lt: write_pcap(p, fr, lt)),
      ("mixed-ns.pcap", lambda p, fr, lt: write_pcap(p, fr, lt, nano=True)),
      ("mixed-be.pcap", lambda p, fr, lt: write_pcap(p, fr, lt, big_endian=True)),
      ("mixed.pcapng", write_pcapng)],
     mixed_frames, LINKTYPE_ETHERNET, True),
    ("sll.truth.tsv", [("sll.pcap", write_pcap)], lambda: small_frames("sll"),
     LINKTYPE_LINUX_SLL, True),
    ("sll2.truth.tsv", [("sll2.pcap", write_pcap)], lambda: small_frames("sll2"),
     LINKTYPE_LINUX_SLL2, True),
    ("rawip.truth.tsv", [("rawip.pcap", write_pcap)], lambda: small_frames("rawip"),
     LINKTYPE_RAW, True),
    ("gtpu.truth.tsv", [("gtpu.pcap", write_pcap)], gtpu_frames, LINKTYPE_ETHERNET, True),
    # the same capture with --gtpu-port 0: no capture of its own
    ("gtpu-port0.truth.tsv", [("gtpu.pcap", None)], gtpu_frames, LINKTYPE_ETHERNET, False),
    ("lifecycle.truth.tsv", [("lifecycle.pcap", write_pcap)], lifecycle_frames, LINKTYPE_ETHERNET,
     True, LIFECYCLE_LIFE),
    ("null.truth.tsv", [("null.pcap", write_pcap)], lambda: small_frames("null"), LINKTYPE_NULL,
     True),
    ("null-be.truth.tsv", [("null-be.pcap", lambda p, fr, lt: write_pcap(p, fr, lt,
                                                                         big_endian=True))],
     lambda: small_frames("null-be"), LINKTYPE_NULL, True),
    ("loop.truth.tsv", [("loop.pcap", write_pcap)], lambda: small_frames("loop"), LINKTYPE_LOOP,
     True),
    ("ipv4.truth.tsv", [("ipv4.pcap", write_pcap)], lambda: small_frames("ipv4"), LINKTYPE_IPV4,
     True),
    ("ipv6.truth.tsv", [("ipv6.pcap", write_pcap)], lambda: small_frames("ipv6"), LINKTYPE_IPV6,
     True),
    ("links.truth.tsv", [("links.pcapng", write_pcapng)], links_frames, LINKTYPE_ETHERNET, True),
    ("wirelen.truth.tsv", [("wirelen.pcap", write_pcap)], lambda: wirelen_frames("eth"),
     LINKTYPE_ETHERNET, True),
    ("wirelen-sll.truth.tsv", [("wirelen-sll.pcap", write_pcap)], lambda: wirelen_frames("sll"),
     LINKTYPE_LINUX_SLL, True),
    ("times-2038.truth.tsv", [("times-2038.pcap", write_pcap)], lambda: times_frames(2038),
     LINKTYPE_ETHERNET, True),
    ("times-2106.truth.tsv", [("times-2106.pcap", write_pcap),
                              ("times-2106-ns.pcap", lambda p, fr, lt: write_pcap(p, fr, lt,
                                                                                  nano=True))],
     lambda: times_frames(2106), LINKTYPE_ETHERNET, True),
]


def generate(outdir, verbose=True):
    written = []
    for truth_name, outputs, build, linktype, gtpu, *life in CAPTURES:
        life = life[0] if life else DEFAULT_LIFE
        frames = build()
        finish(frames)
        records, pkts = truth_records(frames, linktype, gtpu, life)
        for name, writer in outputs:
            if writer:
                writer(os.path.join(outdir, name), frames, linktype)
                written.append(name)
        write_truth(os.path.join(outdir, truth_name), [n for n, _ in outputs], frames, records,
                    pkts, gtpu, life)
        written.append(truth_name)
        if verbose:
            print(f"{truth_name}: {len(frames)} frames, "
                  f"{sum(fr.metered for fr in frames)} metered, {len(records)} records")
    return written


def run_generator(doc, generate_files, script):
    """The command line of a generator: write its files next to it (or --outdir), or --check
    that the committed ones are what it writes. generate_files(outdir, verbose) returns the
    names it wrote."""
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=doc.splitlines()[0])
    ap.add_argument("--outdir", default=here, help="where to write (default: next to this file)")
    ap.add_argument("--check", action="store_true",
                    help="regenerate into a temporary directory and compare with --outdir")
    args = ap.parse_args()
    conf.verb = 0
    if not args.check:
        generate_files(args.outdir)
        return 0
    with tempfile.TemporaryDirectory(prefix="bpfix-gen-") as tmp:
        names = generate_files(tmp, verbose=False)
        stale = [n for n in names if not os.path.exists(os.path.join(args.outdir, n))
                 or not filecmp.cmp(os.path.join(tmp, n), os.path.join(args.outdir, n),
                                    shallow=False)]
    if stale:
        print(f"out of date (run tests/pcaps/{script}): " + ", ".join(stale), file=sys.stderr)
        return 1
    print(f"{len(names)} generated files up to date")
    return 0


def main():
    return run_generator(__doc__, generate, "generate.py")


if __name__ == "__main__":
    sys.exit(main())
