#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""The TCP analysis live, on a router between a client and a server, with real kernel TCP.

    tcp_router.py --bpfix build/src/bpfix --source-dir . [--clock precise|coarse] [--keep] [-v]

Three namespaces in a line (netns.RouterEnv): the client C (10.202.1.2), the router R (rt-c
10.202.1.1 towards the client, rt-s 10.202.2.1 towards the server; it forwards) and the server S
(10.202.2.2); offloads off on every veth, IPv6 off, static neighbours, so the links carry only the
test's TCP. `bpfix run -i rt-c -i rt-s --direction both --output FILE` in R: two observation
points, each with both hooks. Delay and loss come from a delay line in each end host's namespace
(a relay between its stack's veth and the link to the router; the kernels this runs on have no
tc netem): every frame the client sends waits CLIENT_MS, every frame the server sends SERVER_MS.
So the client-side round trip at either observation point is CLIENT_MS (the router's own
forwarding is microseconds) and the server-side one SERVER_MS.

1. Handshakes: HANDSHAKES connections from the client to the server (fixed ports), each a short
   request and answer. At each observation point (rt-c: the client's flow on ingress, the
   server's on egress; rt-s: the client's on egress, the server's on ingress) the client's record
   must carry both round trips, the server's record the server side (the client side "not
   measured": all ones); no handshake ambiguous, no gap, no retransmission. Each round trip is
   checked against a capture taken on the router's two veths at the same time (watch: packet
   sockets with kernel receive timestamps, so a late test process does not move them): within
   CAPTURE_SLACK_US of the capture's SYN to SYN-ACK and SYN-ACK to ACK at that point, and not below
   the configured delay. A loaded machine delays the delay lines, so the configured delay is
   only a floor; the capture is the truth.
2. Loss before the observer: a download of DOWNLOAD octets while the server's delay line drops
   LOSS of what the server sends (on the server-to-router link: the server's egress): the
   server's record at both observation points shows sequence gaps (the holes) and
   retransmissions (their fills), the same at both.
3. Loss after the observer: the same download while the client's delay line drops LOSS of what
   comes from the router (on the router-to-client link, after rt-c's egress hook: the router
   meters every segment before it is lost): retransmissions and no gap, at both points alike.
With --clock coarse, bpfix stamps packets with the coarse clock, and all of the above must hold
unchanged: the round trips (within CAPTURE_SLACK_US, well under a kernel tick) come from the
precise clock all the same.

Exit 0 pass, 1 fail (each problem named), 2 harness error, 77 skipped (not root, no namespaces
or BPF). Everything started here (namespaces, processes by pid, the temporary directory) is
removed on every path. The subcommands serve and fetch are the traffic side, run inside the
namespaces (the delay line is tests/netns/veth_traffic.py's relay); watch is the capture, run in
the router.
"""

import json
import os
import select
import signal
import socket
import struct
import sys

sys.dont_write_bytecode = True   # no __pycache__ in the source tree
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [HERE, os.path.join(HERE, "..", "lib"), os.path.join(HERE, "..", "replay")]
import tcp_analysis  # noqa: E402
from bpfixtest import HarnessError, log, preflight  # noqa: E402
from cases import WAIT, wait_until  # noqa: E402
from netns import PY, Bpfix, Helper, RouterEnv, run, run_in_env  # noqa: E402

ROOT_FOR = "network namespaces and BPF need it"
TOOLS = ("ip", "tc", "ipfixDump")
CLIENT_MS, SERVER_MS = 10, 40       # what the client's and the server's delay lines delay
HANDSHAKES = 5
PORT = 8080                         # the server's
HANDSHAKE_PORTS = range(41000, 41000 + HANDSHAKES)
PORT_LOSS_BEFORE, PORT_LOSS_AFTER = 42001, 42002
DOWNLOAD = 400_000                  # octets: about 280 segments
LOSS = 0.03                         # P(no loss in 280 segments) is 0.97^280, below 2e-4
# bpfix's hooks and the capture's taps stamp a packet a few µs apart (ingress: the tap runs just
# before the TC hook; egress: just after it), and each round trip is the difference of two stamps
CAPTURE_SLACK_US = 300
NOT_MEASURED = 0xFFFFFFFF


# ---- the traffic side (run inside the namespaces) ----

SO_TIMESTAMPNS = 35                 # asm-generic/socket.h: SCM_TIMESTAMPNS has the same number
ETH_P_ALL = 0x0003
TCP_SYN, TCP_ACK = 0x02, 0x10


def handshake_segment(frame):
    """(client port, 'syn' | 'synack' | 'ack') of a handshake segment of HANDSHAKE_PORTS in an
    Ethernet frame, or None."""
    if len(frame) < 34 or frame[12:14] != b"\x08\x00" or frame[23] != socket.IPPROTO_TCP:
        return None
    tcp = 14 + (frame[14] & 0x0F) * 4
    if len(frame) < tcp + 14:
        return None
    sport, dport = struct.unpack_from("!HH", frame, tcp)
    flags = frame[tcp + 13] & (TCP_SYN | TCP_ACK)
    if dport == PORT and sport in HANDSHAKE_PORTS:
        return sport, {TCP_SYN: "syn", TCP_ACK: "ack"}.get(flags)
    if sport == PORT and dport in HANDSHAKE_PORTS and flags == TCP_SYN | TCP_ACK:
        return dport, "synack"
    return None


def watch(devices):
    """Capture on devices (both ways) until SIGTERM, then print, per device and client port, the
    kernel's timestamps (ns) of the first SYN, the first SYN-ACK and the client's first ACK after
    it, as one JSON line. Prints "ready" once the sockets are bound."""
    socks = {}
    for dev in devices:
        s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
        s.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)
        s.bind((dev, 0))
        socks[s] = dev
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    seen = {dev: {} for dev in devices}
    print("ready", flush=True)
    while not stop:
        try:
            ready, _, _ = select.select(list(socks), [], [], 0.2)
        except InterruptedError:
            continue
        for s in ready:
            frame, anc, _, _ = s.recvmsg(2048, socket.CMSG_SPACE(16))
            stamp = [struct.unpack("qq", data[:16]) for level, kind, data in anc
                     if level == socket.SOL_SOCKET and kind == SO_TIMESTAMPNS]
            seg = handshake_segment(frame)
            if not seg or not seg[1] or not stamp:
                continue
            port, what = seg
            times = seen[socks[s]].setdefault(str(port), {})
            if what == "ack" and "synack" not in times:
                continue            # an ACK before the SYN-ACK is not the handshake's
            times.setdefault(what, stamp[0][0] * 10**9 + stamp[0][1])
    print(json.dumps(seen), flush=True)

def serve():
    """Listen on PORT; each connection sends a decimal count and a newline and gets that many
    octets back. Prints "ready", then the connections served so far as JSON lines."""
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("0.0.0.0", PORT))
    s.listen(16)
    print("ready", flush=True)
    served = 0
    while True:
        c, _ = s.accept()
        with c:
            line = b""
            while not line.endswith(b"\n"):
                chunk = c.recv(64)
                if not chunk:
                    break
                line += chunk
            c.sendall(b"x" * int(line or b"0"))
            c.shutdown(socket.SHUT_WR)
            while c.recv(65536):
                pass
        served += 1
        print(json.dumps({"served": served}), flush=True)


def fetch(server, sport, octets):
    """Connect from sport, ask for octets, read them to the end; print what arrived."""
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("0.0.0.0", sport))
    s.settimeout(60)
    s.connect((server, PORT))
    s.sendall(b"%d\n" % octets)
    got = 0
    while True:
        chunk = s.recv(65536)
        if not chunk:
            break
        got += len(chunk)
    s.close()
    print(json.dumps({"received": got}))


# ---- the test ----

def fetch_from(env, sport, octets):
    r = run(env.ns(env.c, PY, os.path.abspath(__file__), "fetch", RouterEnv.SERVER_ADDR,
                   str(sport), str(octets)), timeout=120)
    got = json.loads(r.stdout)["received"]
    if got != octets:
        raise AssertionError(f"the client on port {sport} got {got} octets, not {octets}")


def wait_closed(env, sport):
    """Until neither end has a connection of client port sport but in TIME-WAIT: its last
    segment passed the delay lines, which may now change without losing one."""
    def closed():
        for ns in (env.c, env.s):
            out = run(env.ns(ns, "ss", "-Htan", f"( sport = :{sport} or dport = :{sport} )"))
            if any(line.split()[0] != "TIME-WAIT" for line in out.stdout.splitlines()):
                return False
        return True
    wait_until(closed, WAIT, f"the connection of port {sport} to close at both ends")


def tcp_records(path, elements):
    """(observation point, direction, client port) -> the TCP analysis of its record."""
    out = {}
    for v, f, values in tcp_analysis.tcp_records(path, elements):
        ifindex = int(f.get("ingressInterface", "0")) or int(f.get("egressInterface", "0"))
        key = (ifindex, int(f["flowDirection"]), v.sport if v.dport == PORT else v.dport)
        if key in out:
            raise AssertionError(f"two records of one flow: {key} (a flow ended early?)")
        out[key] = values | {"from_client": v.dport == PORT}
    return out


def flows_of(env, records, port):
    """The four records of a connection: (point, the client's or the server's) -> analysis."""
    points = {"rt-c": env.ifindex["rt-c"], "rt-s": env.ifindex["rt-s"]}
    # the client's flow enters rt-c and leaves rt-s; the server's the other way
    where = {("rt-c", "client"): 0, ("rt-c", "server"): 1, ("rt-s", "client"): 1,
             ("rt-s", "server"): 0}
    out = {}
    for (point, side), direction in where.items():
        r = records.get((points[point], direction, port))
        if r is None or r["from_client"] != (side == "client"):
            raise AssertionError(f"no record of the {side}'s flow of port {port} at {point}")
        out[(point, side)] = r
    return out


def captured_round_trips(captured, point, port):
    """The server-side and client-side round trips (µs) the capture saw at point for port."""
    t = captured.get(point, {}).get(str(port), {})
    if not all(k in t for k in ("syn", "synack", "ack")):
        raise HarnessError(f"the capture at {point} missed a handshake segment of port {port}: "
                           f"{sorted(t)}")
    return {"rtt_server_us": (t["synack"] - t["syn"]) / 1000,
            "rtt_client_us": (t["ack"] - t["synack"]) / 1000}


def check_handshakes(env, records, captured, problems):
    for port in HANDSHAKE_PORTS:
        for (point, side), r in flows_of(env, records, port).items():
            what = f"port {port}, the {side}'s record at {point}"
            truth = captured_round_trips(captured, point, port)
            want = [("rtt_server_us", SERVER_MS)]
            if side == "client":
                want.append(("rtt_client_us", CLIENT_MS))
            elif r["rtt_client_us"] != NOT_MEASURED:
                problems.append(f"{what}: client-side round trip {r['rtt_client_us']} µs, "
                                "expected 'not measured' (all ones)")
            for name, ms in want:
                if r[name] < ms * 1000 or abs(r[name] - truth[name]) > CAPTURE_SLACK_US:
                    problems.append(f"{what}: {name} {r[name]} µs, the capture saw "
                                    f"{truth[name]:.0f} µs (configured delay {ms} ms): expected "
                                    f"within {CAPTURE_SLACK_US} µs of it, not below the delay")
            if r["handshake_flags"] or r["gaps"] or r["retrans"]:
                problems.append(f"{what}: ambiguity {r['handshake_flags']}, gaps {r['gaps']}, "
                                f"retransmissions {r['retrans']}: expected none")
            if env.verbose:
                log(f"{what}: {r}; the capture: " +
                    ", ".join(f"{k} {v:.0f}" for k, v in truth.items()))


def check_loss(env, records, port, before, problems):
    """The server's records of a download with loss before (or after) the observers."""
    flows = flows_of(env, records, port)
    at = {point: flows[(point, "server")] for point in ("rt-c", "rt-s")}
    where = "before" if before else "after"
    log(f"loss {where} the router: the server's records: " +
        ", ".join(f"{p}: {r['gaps']} gaps, {r['retrans']} retransmissions"
                  for p, r in at.items()))
    for point, r in at.items():
        what = f"loss {where} the observer, the server's record at {point}"
        if before and not (r["gaps"] >= 1 and r["retrans"] >= r["gaps"]):
            problems.append(f"{what}: {r['gaps']} gaps, {r['retrans']} retransmissions: "
                            "expected gaps, and a retransmission filling each")
        if not before and not (r["gaps"] == 0 and r["retrans"] >= 1):
            problems.append(f"{what}: {r['gaps']} gaps, {r['retrans']} retransmissions: "
                            "expected retransmissions and no gap")
    if (at["rt-c"]["gaps"], at["rt-c"]["retrans"]) != (at["rt-s"]["gaps"], at["rt-s"]["retrans"]):
        problems.append(f"loss {where} the observer: the two observation points disagree "
                        f"({at})")


def body(env, a, problems):
    env.setup()
    env.delay_line("client", out_ms=CLIENT_MS)
    env.delay_line("server", out_ms=SERVER_MS)
    server = Helper(env, env.s, [PY, os.path.abspath(__file__), "serve"], "server")
    out = os.path.join(env.tmp, "flows.ipfix")
    clock = ["--clock", a.clock] if a.clock else []  # else bpfix's default, precise
    bpfix = Bpfix(env, a.bpfix, ["-i", "rt-c", "-i", "rt-s", "--direction", "both", *clock,
                                 "--output", out], "router")
    bpfix.wait_attached()
    capture = Helper(env, env.a, [PY, os.path.abspath(__file__), "watch", "rt-c", "rt-s"],
                     "capture")
    for port in HANDSHAKE_PORTS:
        fetch_from(env, port, 1000)
    wait_closed(env, port)
    captured = capture.stop()
    # the server-to-router link loses what the server sends: before the observers
    env.delay_line("server", out_ms=SERVER_MS, out_loss=LOSS)
    fetch_from(env, PORT_LOSS_BEFORE, DOWNLOAD)
    wait_closed(env, PORT_LOSS_BEFORE)
    lost_before = env.delay_line("server", out_ms=SERVER_MS)
    # the router-to-client link loses what the router sends: after them
    env.delay_line("client", out_ms=CLIENT_MS, in_loss=LOSS)
    fetch_from(env, PORT_LOSS_AFTER, DOWNLOAD)
    wait_closed(env, PORT_LOSS_AFTER)
    lost_after = env.delay_line("client", out_ms=CLIENT_MS)
    log(f"the delay lines dropped {lost_before.get('dropped')} frames before the router, "
        f"{lost_after.get('dropped')} after it")
    if not lost_before.get("dropped") or not lost_after.get("dropped"):
        raise HarnessError("a lossy delay line dropped nothing: the loss checks would be void")
    server.stop(report=False)
    if bpfix.stop() != 0:
        problems.append(f"bpfix exited with {bpfix.rc}:\n{bpfix.stderr()}")
        return None
    records = tcp_records(out, a.elements)
    check_handshakes(env, records, captured, problems)
    check_loss(env, records, PORT_LOSS_BEFORE, True, problems)
    check_loss(env, records, PORT_LOSS_AFTER, False, problems)
    return None


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "serve":
        serve()
        return 0
    if len(sys.argv) > 1 and sys.argv[1] == "watch":
        watch(sys.argv[2:])
        return 0
    if len(sys.argv) > 1 and sys.argv[1] == "fetch":
        fetch(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
        return 0
    import argparse
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--bpfix", required=True)
    ap.add_argument("--source-dir", required=True)
    ap.add_argument("--clock", choices=("precise", "coarse"))
    ap.add_argument("--keep", action="store_true")
    ap.add_argument("-v", "--verbose", action="store_true")
    a = ap.parse_args()
    a.bpfix = os.path.abspath(a.bpfix)
    a.elements = os.path.join(a.source_dir, "templates", "bpfix-elements.xml")
    rc = preflight(a.bpfix, TOOLS, ROOT_FOR)
    if rc is not None:
        return rc

    def make_env(tmp):
        env = RouterEnv(tmp, "rtt")
        env.verbose = a.verbose
        return env
    return run_in_env(make_env, "bpfix-rtt-", a.keep, lambda env, problems:
                      body(env, a, problems))


if __name__ == "__main__":
    sys.exit(main())
