#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""The traffic side of live_veth.py (and the delay line of tcp_router.py), run inside the test's
network namespaces (`ip netns exec`).

    veth_traffic.py offload IF      turn TSO, GSO and GRO off on IF (the legacy ethtool ioctls, so
                                    no ethtool binary is needed) and check they are off
    veth_traffic.py feature IF tso|gso|gro|tx on|off
                                    turn one of them (tx: transmit checksums) on or off, and
                                    check it is
    veth_traffic.py gso-max IF OCTETS
                                    the largest GSO packet IF makes or passes whole, IPv4 and IPv6
                                    (above 65536: BIG TCP), through rtnetlink (the Debian 12
                                    iproute2 has no gso_ipv4_max_size)
    veth_traffic.py server          namespace A's listeners (UDP echo, UDP sinks, TCP, GTP-U);
                                    prints "ready", serves until SIGTERM and prints what it
                                    received as one JSON line whenever that changes, and once
                                    more at the end
    veth_traffic.py client PLAN IF  namespace B: capture IF with an AF_PACKET socket while sending
                                    PLAN (main, echo, drop or bulk); prints one JSON line: the
                                    wall-clock window of the traffic, every captured packet,
                                    errors
    veth_traffic.py relay INNER OUTER OUT_MS IN_MS OUT_LOSS IN_LOSS SEED
                                    a delay line for kernels without netem (tcp_router.py):
                                    every frame arriving on INNER is sent on OUTER OUT_MS later,
                                    every frame arriving on OUTER on INNER IN_MS later, each
                                    dropped with probability OUT_LOSS / IN_LOSS (a seeded
                                    generator); prints "ready", and what it relayed and dropped
                                    as one JSON line at SIGTERM

The plan constants below are also what live_veth.py computes its expectations from. Packets are
captured on B's veth: B's outgoing packets are A's ingress, B's incoming packets A's egress, one to
one while offloads are off. Only the standard library is used (no scapy: fast start).
"""

import ctypes
import fcntl
import heapq
import json
import os
import random
import select
import selectors
import signal
import socket
import struct
import sys
import threading
import time

# Addresses and link-layer addresses (static neighbours: no ARP/ND, and a dropping ingress filter
# on A does not starve B's neighbour resolution).
A4, B4 = "10.201.0.1", "10.201.0.2"
A6, B6 = "2001:db8:b9f1::1", "2001:db8:b9f1::2"
MAC_A, MAC_B = "02:b9:f1:00:00:0a", "02:b9:f1:00:00:0b"

# Ports on A
UDP_ECHO_PORT = 7001        # replies to each datagram with reply_size(len) octets
TCP_PORT = 7002             # reads to EOF, then sends TCP_S2C octets and closes
UDP_SINK_PORT = 7003        # counts, never replies (the drop case)
TCP_BULK_PORT = 7004        # as TCP_PORT, with TCP_BULK_S2C octets
GTPU_PORT = 2152            # counts G-PDUs, never replies

# Fixed client ports on B (a fresh namespace: nothing else binds them)
PORT_UDP4, PORT_UDP6, PORT_TCP4, PORT_TCP6 = 40001, 40002, 40003, 40004
PORT_ECHO_AGAIN = 40011     # the kill/restart case
PORT_DROP = 40021           # the drop case
PORT_BULK4, PORT_BULK6 = 40031, 40032   # the bulk plan (bigtcp_veth.py)

UDP4_SIZES = [1, 100, 512, 1000, 1472]      # payload octets; 1472 fills a 1500 MTU exactly
UDP6_SIZES = [3, 200, 777, 1452]            # 1452 fills a 1500 MTU exactly
UDP4_TOS, UDP6_TCLASS = 0x20, 0x28          # set on the client sockets; replies carry 0
ECHO_AGAIN_SIZES = [10, 20, 30]
DROP_SIZES = [64, 65, 66, 67, 68]

TCP_C2S, TCP_S2C = 5000, 7000               # octets of data each way, several segments each
TCP_BULK_C2S, TCP_BULK_S2C = 1 << 20, 2 << 20   # enough for super-packets of 185000 octets
# Bulk senders' send buffers: room for a few super-packets in flight, so that their segments
# never overrun the receiving veth's backlog (net.core.netdev_max_backlog) or NAPI ring: a packet
# dropped there has passed one side's capture or bpfix, not the other's
TCP_BULK_SNDBUF = 256 << 10

DEADLINE = 20.0             # seconds for an answer, a connection, a thread (a loaded CI machine)

GTPU_TEID = 0x00B9F1E5
GTPU_INNER_SRC, GTPU_INNER_DST = "10.202.0.1", "10.202.0.2"
GTPU_INNER_SPORT, GTPU_INNER_DPORT = 5001, 6001
GTPU_INNER_SIZES = [10, 200, 50, 1000]      # inner UDP payload octets


def reply_size(n):
    return n // 2 + 11


def recv_to_eof(s):
    """Read a stream socket until the peer shuts its side down; return the octets read."""
    n = 0
    while True:
        b = s.recv(65536)
        if not b:
            return n
        n += len(b)


# ---------------------------------------------------------------------------------------------
# offload

SIOCETHTOOL = 0x8946
ETHTOOL_GTSO, ETHTOOL_STSO = 0x1E, 0x1F
ETHTOOL_GGSO, ETHTOOL_SGSO = 0x23, 0x24
ETHTOOL_GGRO, ETHTOOL_SGRO = 0x2B, 0x2C
ETHTOOL_GTXCSUM, ETHTOOL_STXCSUM = 0x16, 0x17


def ethtool_value(sock, ifname, cmd, value=0):
    """One struct ethtool_value command on ifname; returns its data field."""
    val = ctypes.create_string_buffer(struct.pack("II", cmd, value), 8)
    ifr = struct.pack("16sP", ifname.encode(), ctypes.addressof(val))
    fcntl.ioctl(sock, SIOCETHTOOL, ifr)
    return struct.unpack("II", val.raw)[1]


FEATURES = {"tso": (ETHTOOL_GTSO, ETHTOOL_STSO), "gso": (ETHTOOL_GGSO, ETHTOOL_SGSO),
            "gro": (ETHTOOL_GGRO, ETHTOOL_SGRO), "tx": (ETHTOOL_GTXCSUM, ETHTOOL_STXCSUM)}
OFFLOADS = ("tso", "gso", "gro")    # what `offload` turns off


def set_feature(ifname, name, on):
    get, set_ = FEATURES[name]
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        ethtool_value(s, ifname, set_, int(on))
        if bool(ethtool_value(s, ifname, get)) != on:
            print(f"{ifname}: {name} is still {'off' if on else 'on'}", file=sys.stderr)
            return 1
    return 0


def offload_off(ifname):
    return max(set_feature(ifname, name, False) for name in OFFLOADS)


# rtnetlink (linux/rtnetlink.h, linux/if_link.h)
RTM_NEWLINK, NLM_F_REQUEST, NLM_F_ACK, NLMSG_ERROR = 16, 0x1, 0x4, 2
IFLA_GSO_MAX_SIZE, IFLA_GSO_IPV4_MAX_SIZE = 41, 63


def gso_max(ifname, octets):
    """IFLA_GSO_MAX_SIZE and IFLA_GSO_IPV4_MAX_SIZE of ifname set to octets (a value above what
    the device allows is an error, not capped)."""
    attrs = b"".join(struct.pack("=HHI", 8, t, octets)
                     for t in (IFLA_GSO_MAX_SIZE, IFLA_GSO_IPV4_MAX_SIZE))
    body = struct.pack("=BxHiII", socket.AF_UNSPEC, 0, socket.if_nametoindex(ifname), 0, 0)
    body += attrs
    msg = struct.pack("=IHHII", 16 + len(body), RTM_NEWLINK, NLM_F_REQUEST | NLM_F_ACK, 1, 0)
    with socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, socket.NETLINK_ROUTE) as s:
        s.send(msg + body)
        reply = s.recv(65536)
    if struct.unpack_from("=H", reply, 4)[0] != NLMSG_ERROR:
        print(f"{ifname}: rtnetlink did not acknowledge the GSO maximum", file=sys.stderr)
        return 1
    err = struct.unpack_from("=i", reply, 16)[0]
    if err:
        print(f"{ifname}: cannot set the GSO maximum to {octets}: {os.strerror(-err)}",
              file=sys.stderr)
        return 1
    return 0


# ---------------------------------------------------------------------------------------------
# server (namespace A)

def server():
    stop = threading.Event()
    counts = {"udp_echo4": 0, "udp_echo6": 0, "udp_sink": 0, "gtpu": 0, "tcp_conns": 0,
              "tcp_bytes": 0, "errors": []}
    lock = threading.Lock()
    sel = selectors.DefaultSelector()

    def udp(fam, addr, port, what):
        s = socket.socket(fam, socket.SOCK_DGRAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if fam == socket.AF_INET6:
            s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
        s.bind((addr, port))
        sel.register(s, selectors.EVENT_READ, what)

    def tcp(fam, addr, port, reply):
        s = socket.socket(fam, socket.SOCK_STREAM)
        if port == TCP_BULK_PORT:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, TCP_BULK_SNDBUF)   # inherited
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if fam == socket.AF_INET6:
            s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
        s.bind((addr, port))
        s.listen(8)
        sel.register(s, selectors.EVENT_READ, ("tcp", reply))

    def serve_tcp(conn, reply):
        try:
            conn.settimeout(DEADLINE)
            n = recv_to_eof(conn)
            conn.sendall(b"s" * reply)
            with lock:
                counts["tcp_conns"] += 1
                counts["tcp_bytes"] += n
        except OSError as e:
            with lock:
                counts["errors"].append(f"tcp server: {e}")
        finally:
            conn.close()

    udp(socket.AF_INET, A4, UDP_ECHO_PORT, "udp_echo4")
    udp(socket.AF_INET6, A6, UDP_ECHO_PORT, "udp_echo6")
    udp(socket.AF_INET, A4, UDP_SINK_PORT, "udp_sink")
    udp(socket.AF_INET, A4, GTPU_PORT, "gtpu")
    for fam, addr in ((socket.AF_INET, A4), (socket.AF_INET6, A6)):
        tcp(fam, addr, TCP_PORT, TCP_S2C)
        tcp(fam, addr, TCP_BULK_PORT, TCP_BULK_S2C)
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    print("ready", flush=True)
    threads = []
    shown = None
    while not stop.is_set():
        for key, _ in sel.select(0.05):
            s, what = key.fileobj, key.data
            if what[0] == "tcp":
                conn, _ = s.accept()
                t = threading.Thread(target=serve_tcp, args=(conn, what[1]), daemon=True)
                t.start()
                threads.append(t)
                continue
            data, peer = s.recvfrom(65536)
            with lock:
                counts[what] += 1
            if what.startswith("udp_echo"):
                s.sendto(b"r" * reply_size(len(data)), peer)
        with lock:
            now = json.dumps(counts)
        if now != shown:
            print(now, flush=True)
            shown = now
    for t in threads:
        t.join(DEADLINE)
    print(json.dumps(counts), flush=True)
    return 0


# ---------------------------------------------------------------------------------------------
# client (namespace B)

PACKET_OUTGOING = 4
SO_TIMESTAMPNS = 35
SO_RCVBUFFORCE = 33                 # root may pass net.core.rmem_max
SOL_PACKET, PACKET_STATISTICS = 263, 6
CAPTURE_BUFFER = 64 << 20           # a bulk plan's packets, while the thread catches up


def parse_frame(data):
    """An Ethernet frame -> [ver, src, dst, proto, sport, dport, iplen, tos, ttl, tcp_flags,
    l4 payload octets], or None if it is not IP. ICMP/ICMPv6: sport 0, dport type*256+code."""
    if len(data) < 14:
        return None
    et, off = struct.unpack("!H", data[12:14])[0], 14
    while et in (0x8100, 0x88A8) and len(data) >= off + 4:
        et, off = struct.unpack("!H", data[off + 2:off + 4])[0], off + 4
    if et == 0x0800 and len(data) >= off + 20:
        ihl = (data[off] & 0x0F) * 4
        tos, iplen = data[off + 1], struct.unpack("!H", data[off + 2:off + 4])[0]
        frag = struct.unpack("!H", data[off + 6:off + 8])[0] & 0x1FFF
        ttl, proto = data[off + 8], data[off + 9]
        src = socket.inet_ntop(socket.AF_INET, data[off + 12:off + 16])
        dst = socket.inet_ntop(socket.AF_INET, data[off + 16:off + 20])
        ver, l4, l4len = 4, off + ihl, iplen - ihl
        if frag:
            return [ver, src, dst, proto, 0, 0, iplen, tos, ttl, 0, 0]
    elif et == 0x86DD and len(data) >= off + 40:
        tos = ((data[off] & 0x0F) << 4) | (data[off + 1] >> 4)
        plen = struct.unpack("!H", data[off + 4:off + 6])[0]
        proto, ttl = data[off + 6], data[off + 7]
        src = socket.inet_ntop(socket.AF_INET6, data[off + 8:off + 24])
        dst = socket.inet_ntop(socket.AF_INET6, data[off + 24:off + 40])
        ver, iplen, l4, l4len = 6, plen + 40, off + 40, plen
    else:
        return None
    sport = dport = flags = 0
    payload = l4len
    if proto in (6, 17) and len(data) >= l4 + (20 if proto == 6 else 8):
        sport, dport = struct.unpack("!HH", data[l4:l4 + 4])
        if proto == 6:
            flags = data[l4 + 13]
            payload = l4len - (data[l4 + 12] >> 4) * 4
        else:
            payload = l4len - 8
    elif proto in (1, 58) and len(data) >= l4 + 2:
        dport = data[l4] * 256 + data[l4 + 1]
    return [ver, src, dst, proto, sport, dport, iplen, tos, ttl, flags, payload]


class Sniffer:
    """AF_PACKET capture of one interface in a thread, with kernel receive timestamps."""

    def __init__(self, ifname):
        self.sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0003))
        self.sock.setsockopt(socket.SOL_SOCKET, SO_RCVBUFFORCE, CAPTURE_BUFFER)
        self.sock.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)
        self.sock.bind((ifname, 0))
        self.sock.settimeout(0.05)
        self.packets = []
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self):
        while True:
            try:
                data, anc, _, addr = self.sock.recvmsg(65536, 256)
            except socket.timeout:
                if self.stop.is_set():
                    return
                continue
            ts = time.time_ns()
            for level, typ, val in anc:
                if level == socket.SOL_SOCKET and typ == SO_TIMESTAMPNS and len(val) >= 16:
                    sec, nsec = struct.unpack("qq", val[:16])
                    ts = sec * 1000000000 + nsec
            p = parse_frame(data)
            if p is not None:
                self.packets.append([ts, addr[2] == PACKET_OUTGOING] + p)

    def finish(self):
        """The packets captured. When a plan returns, each of its packets is on the capture
        socket: sent ones are tapped as they leave, and the plan waited for all it gets back
        (echo replies, the server's FIN, which B acknowledges at once); the thread reads on
        until the socket stays empty for one timeout."""
        self.stop.set()
        self.thread.join(DEADLINE)
        # struct tpacket_stats: packets, drops (the buffer was full)
        self.drops = struct.unpack("II", self.sock.getsockopt(SOL_PACKET, PACKET_STATISTICS,
                                                              8))[1]
        self.sock.close()
        return self.packets


def udp_echo(fam, src, dst, sport, sizes, errors, tos=None):
    with socket.socket(fam, socket.SOCK_DGRAM) as s:
        if tos is not None and fam == socket.AF_INET:
            s.setsockopt(socket.IPPROTO_IP, socket.IP_TOS, tos)
        elif tos is not None:
            s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_TCLASS, tos)
        s.bind((src, sport))
        s.settimeout(DEADLINE)
        for n in sizes:
            s.sendto(b"u" * n, (dst, UDP_ECHO_PORT))
            try:
                data = s.recv(65536)
                if len(data) != reply_size(n):
                    errors.append(f"udp echo {dst}: reply of {len(data)} octets to {n}, "
                                  f"expected {reply_size(n)}")
            except socket.timeout:
                errors.append(f"udp echo {dst}: no reply to a datagram of {n} octets")


def tcp_exchange(fam, src, dst, sport, errors, port=TCP_PORT, c2s=TCP_C2S, s2c=TCP_S2C):
    with socket.socket(fam, socket.SOCK_STREAM) as s:
        if port == TCP_BULK_PORT:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, TCP_BULK_SNDBUF)
        s.bind((src, sport))
        s.settimeout(DEADLINE)
        try:
            s.connect((dst, port))
            s.sendall(b"c" * c2s)
            s.shutdown(socket.SHUT_WR)
            n = recv_to_eof(s)
            if n != s2c:
                errors.append(f"tcp {dst}: received {n} octets, expected {s2c}")
        except OSError as e:
            errors.append(f"tcp {dst}: {e}")


def ip_checksum(b):
    s = sum(struct.unpack(f"!{len(b) // 2}H", b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def gpdu(teid, n):
    """A G-PDU: GTP-U header (no optional fields) and an inner IPv4/UDP packet of n payload
    octets."""
    udp = struct.pack("!HHHH", GTPU_INNER_SPORT, GTPU_INNER_DPORT, 8 + n, 0) + b"g" * n
    hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 1, 0, 64, 17, 0,
                      socket.inet_aton(GTPU_INNER_SRC), socket.inet_aton(GTPU_INNER_DST))
    hdr = hdr[:10] + struct.pack("!H", ip_checksum(hdr)) + hdr[12:]
    inner = hdr + udp
    return struct.pack("!BBHI", 0x30, 0xFF, len(inner), teid) + inner


def send_gtpu(errors):
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind((B4, GTPU_PORT))
        for n in GTPU_INNER_SIZES:
            s.sendto(gpdu(GTPU_TEID, n), (A4, GTPU_PORT))
            time.sleep(0.002)


def send_sink(errors):
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind((B4, PORT_DROP))
        for n in DROP_SIZES:
            s.sendto(b"d" * n, (A4, UDP_SINK_PORT))
            time.sleep(0.002)


def client(plan, ifname):
    sniffer = Sniffer(ifname)
    errors = []
    t0 = time.time_ns()
    if plan == "main":
        udp_echo(socket.AF_INET, B4, A4, PORT_UDP4, UDP4_SIZES, errors, UDP4_TOS)
        udp_echo(socket.AF_INET6, B6, A6, PORT_UDP6, UDP6_SIZES, errors, UDP6_TCLASS)
        tcp_exchange(socket.AF_INET, B4, A4, PORT_TCP4, errors)
        tcp_exchange(socket.AF_INET6, B6, A6, PORT_TCP6, errors)
        send_gtpu(errors)
    elif plan == "echo":
        udp_echo(socket.AF_INET, B4, A4, PORT_ECHO_AGAIN, ECHO_AGAIN_SIZES, errors)
    elif plan == "drop":
        send_sink(errors)
    elif plan == "bulk":
        for fam, src, dst, port in ((socket.AF_INET, B4, A4, PORT_BULK4),
                                    (socket.AF_INET6, B6, A6, PORT_BULK6)):
            tcp_exchange(fam, src, dst, port, errors, TCP_BULK_PORT, TCP_BULK_C2S, TCP_BULK_S2C)
    else:
        errors.append(f"unknown plan {plan}")
    packets = sniffer.finish()
    if sniffer.drops:
        errors.append(f"the capture dropped {sniffer.drops} packets (its buffer was full)")
    t1 = time.time_ns()
    print(json.dumps({"t0_ns": t0, "t1_ns": t1, "packets": packets, "errors": errors}),
          flush=True)
    return 0


# ---------------------------------------------------------------------------------------------
# relay (tcp_router.py's client and server namespaces)

SO_TIMESTAMPNS = 35     # asm-generic/socket.h: each frame's receive time as a timespec


def relay(inner, outer, out_ms, in_ms, out_loss, in_loss, seed):
    """The delay line (see the usage above). A frame's delay counts from the kernel's receive
    time (SO_TIMESTAMPNS), not from when this process got to it, and this process asks for
    real-time priority, so a frame leaves within tens of microseconds of its time."""
    try:
        os.sched_setscheduler(0, os.SCHED_FIFO, os.sched_param(50))
    except (OSError, AttributeError):
        pass
    rng = random.Random(seed)
    socks = {}
    for dev in (inner, outer):
        s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0003))
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
        s.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)
        s.bind((dev, 0))
        s.setblocking(False)
        socks[dev] = s
    rule = {socks[inner]: (socks[outer], out_ms / 1000, out_loss),
            socks[outer]: (socks[inner], in_ms / 1000, in_loss)}
    counts = {"relayed": 0, "dropped": 0}
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    queue, n = [], 0
    print("ready", flush=True)
    while not stop:
        timeout = max(0.0, queue[0][0] - time.time()) if queue else 0.2
        try:
            ready, _, _ = select.select(list(rule), [], [], timeout)
        except InterruptedError:
            continue
        for s in ready:
            out, delay, loss = rule[s]
            while True:
                try:
                    frame, anc, _, addr = s.recvmsg(65536, socket.CMSG_SPACE(16))
                except BlockingIOError:
                    break
                if addr[2] == socket.PACKET_OUTGOING:
                    continue    # what this relay sent on the device
                if loss and rng.random() < loss:
                    counts["dropped"] += 1
                    continue
                counts["relayed"] += 1
                if not delay:
                    out.send(frame)
                    continue
                sec, nsec = struct.unpack("qq", anc[0][2][:16]) if anc else (time.time(), 0)
                heapq.heappush(queue, (sec + nsec / 1e9 + delay, n, out, frame))
                n += 1
        now = time.time()
        while queue and queue[0][0] <= now:
            _, _, out, frame = heapq.heappop(queue)
            out.send(frame)
    print(json.dumps(counts), flush=True)
    return 0


def main(argv):
    if len(argv) == 2 and argv[0] == "offload":
        return offload_off(argv[1])
    if len(argv) == 4 and argv[0] == "feature" and argv[2] in FEATURES and \
            argv[3] in ("on", "off"):
        return set_feature(argv[1], argv[2], argv[3] == "on")
    if len(argv) == 3 and argv[0] == "gso-max" and argv[2].isdigit():
        return gso_max(argv[1], int(argv[2]))
    if argv == ["server"]:
        return server()
    if len(argv) == 8 and argv[0] == "relay":
        return relay(argv[1], argv[2], float(argv[3]), float(argv[4]), float(argv[5]),
                     float(argv[6]), int(argv[7]))
    if len(argv) == 3 and argv[0] == "client":
        return client(argv[1], argv[2])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
