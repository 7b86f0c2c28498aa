#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""Write the replay benchmark's captures (classic pcap, Ethernet, microseconds), deterministic.

    /usr/bin/python3 bench/gen_workloads.py [--out build/bench-data] [--quick] [--packets N]
                                            [--seed 1] [--force]

Three captures of N packets each (2,000,000; --quick: 200,000), spread over 20 s of capture time:

    plain.pcap     ~N/20 flows (100k for 2M packets): IPv4 and IPv6, TCP (ACK|PSH) and UDP,
                   frame sizes 64..1514 chosen per flow, flow popularity skewed (a few heavy
                   flows, many light ones)
    gtpu.pcap      the very same inner packets in GTP-U (outer IPv4 UDP 2152 -> 2152, one of
                   1,000 TEIDs per flow, extension header PDU Session Container with QFI and
                   direction), so the plain and GTP-U numbers compare like for like
    newflow.pcap   every packet a new flow (IPv4 UDP, 64-octet frames, source address and port
                   counted up)

Packets are not built one by one with scapy (far too slow for 2M): each flow's frame is built
once from header templates with struct, and a capture record is then a packed record header
plus that frame (the new-flow capture patches the source fields of one template per packet,
with the IPv4 header checksum updated from a precomputed partial sum). A capture already in the
output directory with the expected name, size marker and packet count is kept (--force rewrites).
Prints one line per capture: name, path, packets, flows.
"""

import argparse
import json
import os
import random
import struct
import sys
import time

sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_OUT = os.path.normpath(os.path.join(HERE, "..", "build", "bench-data"))
SPAN_S = 20.0           # capture time the packets are spread over
T0 = 1_700_000_000      # first packet's timestamp (seconds)
GTPU_PORT = 2152
N_TEIDS = 1000

MAC_1, MAC_2 = bytes.fromhex("02b9f1000101"), bytes.fromhex("02b9f1000102")
PCAP_HDR = struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1)   # LINKTYPE_ETHERNET
REC = struct.Struct("<IIII")


def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack(f"!{len(b) // 2}H", b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


def ipv4_hdr(src, dst, proto, payload_len, ttl=64, ident=0):
    h = bytearray(struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + payload_len, ident, 0x4000, ttl,
                              proto, 0, src, dst))
    struct.pack_into("!H", h, 10, csum(bytes(h)))
    return bytes(h)


def ipv6_hdr(src, dst, nh, payload_len, hlim=64):
    return struct.pack("!IHBB16s16s", 0x60000000, payload_len, nh, hlim, src, dst)


def l4(proto, sport, dport, payload_len):
    if proto == 6:   # TCP, ACK|PSH, checksum left 0 (nobody checks it here)
        return struct.pack("!HHIIBBHHH", sport, dport, 1, 1, 0x50, 0x18, 65535, 0, 0), 20
    return struct.pack("!HHHH", sport, dport, 8 + payload_len, 0), 8


def inner_packet(f, frame_len):
    """The IP packet of flow f whose plain Ethernet frame is frame_len octets (>= 60)."""
    v6, proto, src, dst, sport, dport = f
    ip_len = 40 if v6 else 20
    l4_len = 20 if proto == 6 else 8
    pay = max(0, frame_len - 14 - ip_len - l4_len)
    hdr, _ = l4(proto, sport, dport, pay)
    body = hdr + bytes(pay)
    if v6:
        return ipv6_hdr(src, dst, proto, len(body)) + body
    return ipv4_hdr(src, dst, proto, len(body)) + body


def eth(ethertype):
    return MAC_2 + MAC_1 + struct.pack("!H", ethertype)


def gtpu_frame(inner, v6, teid, qfi, uplink, outer_src, outer_dst):
    # GTPv1-U: flags 0x34 (version 1, PT 1, E 1), type 255 (G-PDU), length = everything after
    # the mandatory 8 octets; seq 0, N-PDU 0, next extension 0x85 (PDU Session Container)
    # container: length 1 (4 octets), PDU type (0 DL, 1 UL) << 4, QFI, next extension 0
    ext = struct.pack("!BBBB", 1, (1 if uplink else 0) << 4, qfi & 0x3F, 0)
    gtp_body = struct.pack("!HBB", 0, 0, 0x85) + ext + inner
    gtp = struct.pack("!BBHI", 0x34, 0xFF, len(gtp_body), teid) + gtp_body
    udp = struct.pack("!HHHH", GTPU_PORT, GTPU_PORT, 8 + len(gtp), 0) + gtp
    return eth(0x0800) + ipv4_hdr(outer_src, outer_dst, 17, len(udp)) + udp


def frame_size(rng):
    r = rng.random()
    if r < 0.40:
        return 60 + rng.randrange(0, 40)      # small: ACKs, DNS
    if r < 0.55:
        return 576
    if r < 0.85:
        return 1514
    return rng.randrange(100, 1514)


def make_flows(rng, nflows):
    flows, sizes = [], []
    for i in range(nflows):
        v6 = rng.random() < 0.3
        proto = 6 if rng.random() < 0.6 else 17
        if v6:
            src = bytes.fromhex("20010db8000000000000000000") + struct.pack("!I", i)[1:]
            dst = bytes.fromhex("20010db8ffff00000000000000") + struct.pack("!I", rng.randrange(1 << 24))[1:]
        else:
            src = struct.pack("!BBBB", 10, (i >> 16) & 0xFF, (i >> 8) & 0xFF, i & 0xFF)
            dst = struct.pack("!BBBB", 172, 16 + rng.randrange(16), rng.randrange(256),
                              1 + rng.randrange(254))
        sport = 1024 + rng.randrange(64000)
        dport = rng.choice((80, 443, 53, 8080, 5060, 4500, 1194)) if rng.random() < 0.7 \
            else 1024 + rng.randrange(64000)
        flows.append((v6, proto, src, dst, sport, dport))
        sizes.append(frame_size(rng))
    return flows, sizes


def packet_order(rng, npackets, nflows):
    """Flow index of every packet: half the packets go to 1% heavy flows, the rest uniformly
    to all; every flow at least once (its first packet in the first pass)."""
    heavy = max(1, nflows // 100)
    order = list(range(nflows))
    rest = npackets - nflows
    order += [rng.randrange(heavy) if rng.random() < 0.5 else rng.randrange(nflows)
              for _ in range(rest)]
    rng.shuffle(order)
    return order


def write_capture(path, frames_iter, npackets):
    tmp = path + ".tmp"
    step = SPAN_S / npackets
    with open(tmp, "wb", buffering=1 << 22) as f:
        f.write(PCAP_HDR)
        w = f.write
        pack = REC.pack
        buf = []
        for k, fr in enumerate(frames_iter):
            t = k * step
            s = int(t)
            n = len(fr)
            buf.append(pack(T0 + s, int((t - s) * 1e6), n, n))
            buf.append(fr)
            if len(buf) >= 8192:
                w(b"".join(buf))
                buf.clear()
        w(b"".join(buf))
    os.replace(tmp, path)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default=DEFAULT_OUT)
    ap.add_argument("--quick", action="store_true", help="200,000 packets per capture")
    ap.add_argument("--packets", type=int, default=0)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--force", action="store_true")
    a = ap.parse_args()
    n = a.packets or (200_000 if a.quick else 2_000_000)
    nflows = max(1, n // 20)
    os.makedirs(a.out, exist_ok=True)
    meta_path = os.path.join(a.out, f"workloads-{n}-{a.seed}.json")
    names = {k: os.path.join(a.out, f"{k}-{n}.pcap") for k in ("plain", "gtpu", "newflow")}
    if not a.force and os.path.exists(meta_path) and all(map(os.path.exists, names.values())):
        meta = json.load(open(meta_path))
    else:
        t0 = time.monotonic()
        rng = random.Random(a.seed)
        flows, sizes = make_flows(rng, nflows)
        inner = [inner_packet(f, s) for f, s in zip(flows, sizes)]
        plain = [eth(0x86DD if f[0] else 0x0800) + p for f, p in zip(flows, inner)]
        order = packet_order(rng, n, nflows)
        write_capture(names["plain"], (plain[i] for i in order), n)
        del plain
        gnb, upf = bytes([192, 0, 2, 1]), bytes([198, 51, 100, 1])
        gt = []
        for i, (f, p) in enumerate(zip(flows, inner)):
            teid = 0x1000 + (i % N_TEIDS)
            uplink = (i // N_TEIDS) % 2 == 0
            src, dst = (gnb, upf) if uplink else (upf, gnb)
            gt.append(gtpu_frame(p, f[0], teid, 1 + i % 9, uplink, src, dst))
        write_capture(names["gtpu"], (gt[i] for i in order), n)
        del gt, inner

        # every packet a new flow: 10.X.Y.Z:P -> 172.31.0.1:9 where (X, Y, Z, P) counts up
        base = bytearray(eth(0x0800) + ipv4_hdr(b"\0\0\0\0", bytes([172, 31, 0, 1]), 17, 26)
                         + struct.pack("!HHHH", 0, 9, 26, 0) + bytes(18))
        struct.pack_into("!H", base, 24, 0)
        partial = sum(struct.unpack("!10H", bytes(base[14:34])))

        def newflows():
            b = base
            for k in range(n):
                ip = (10 << 24) | ((k // 50000) & 0xFFFFFF)
                sport = 1024 + k % 50000
                struct.pack_into("!I", b, 26, ip)
                s = partial + (ip >> 16) + (ip & 0xFFFF)
                s = (s & 0xFFFF) + (s >> 16)
                s = (s & 0xFFFF) + (s >> 16)
                struct.pack_into("!H", b, 24, (~s) & 0xFFFF)
                struct.pack_into("!H", b, 34, sport)
                yield bytes(b)
        write_capture(names["newflow"], newflows(), n)
        meta = {"packets": n, "seed": a.seed,
                "captures": {"plain": {"path": names["plain"], "packets": n, "flows": nflows},
                             "gtpu": {"path": names["gtpu"], "packets": n, "flows": nflows},
                             "newflow": {"path": names["newflow"], "packets": n, "flows": n}},
                "seconds": round(time.monotonic() - t0, 1)}
        with open(meta_path, "w") as f:
            json.dump(meta, f)
    for k, c in meta["captures"].items():
        print(f"{k} {c['path']} packets={c['packets']} flows={c['flows']}")
    print("RESULT " + json.dumps(meta), flush=True)


if __name__ == "__main__":
    main()
