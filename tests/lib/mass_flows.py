# SPDX-License-Identifier: GPL-2.0-only
"""Many distinct flows, fast: one UDP packet each, built with struct (scapy takes minutes for
100 000), for the tests of a burst of records (tests/replay/paced_export.py, the live forced end
in tests/netns/).

Imported like bpfixtest (this directory inserted into sys.path relative to the script's own
__file__).

- frame(i, src_mac, dst_mac): Ethernet + IPv4 + UDP of flow i: 10.(i>>16).(i>>8).i:(10000 + i %
  50000) -> 192.0.2.1:9999 (TEST-NET-1; every i below 2^24 is a flow of its own), PAYLOAD octets
  of payload, so IP_OCTETS octets of IP.
- write_pcap(path, flows, per_second, t0): a classic pcap (Ethernet, microseconds) of flows
  0..flows-1, per_second of them in each second of capture time from t0. What it holds is the
  truth: flows flows, one packet and IP_OCTETS octets each.
"""

import struct

PAYLOAD = 8
IP_OCTETS = 20 + 8 + PAYLOAD
SRC_MAC, DST_MAC = b"\x02" * 6, b"\x04" * 6
DST_ADDR, DST_PORT = bytes([192, 0, 2, 1]), 9999


def ipv4_checksum(header):
    total = sum(struct.unpack(f">{len(header) // 2}H", header))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def frame(i, src_mac=SRC_MAC, dst_mac=DST_MAC):
    """Flow i's one packet, an Ethernet frame."""
    udp = struct.pack(">HHHH", 10000 + i % 50000, DST_PORT, 8 + PAYLOAD, 0) + b"x" * PAYLOAD
    src = bytes([10, (i >> 16) & 0xFF, (i >> 8) & 0xFF, i & 0xFF])
    ip = struct.pack(">BBHHHBBH4s4s", 0x45, 0, IP_OCTETS, i & 0xFFFF, 0, 64, 17, 0, src, DST_ADDR)
    ip = ip[:10] + struct.pack(">H", ipv4_checksum(ip)) + ip[12:]
    return dst_mac + src_mac + b"\x08\x00" + ip + udp


def write_pcap(path, flows, per_second, t0=1700000000):
    """Flows 0..flows-1 into a classic pcap, per_second of them in each capture second."""
    step_us = max(1, 1000000 // per_second)
    parts = [struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1)]
    for i in range(flows):
        f = frame(i)
        parts.append(struct.pack("<IIII", t0 + i // per_second, (i % per_second) * step_us,
                                 len(f), len(f)))
        parts.append(f)
    with open(path, "wb") as out:
        out.write(b"".join(parts))
