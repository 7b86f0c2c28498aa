#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""`bpfix run` as a daemon: interface globs, interfaces that appear and vanish, SIGHUP reload,
SIGUSR1 statistics, Prometheus metrics, the tc handle and priority.

    daemon.py --bpfix build/src/bpfix --source-dir . [--case glob,vanish,reload,stats,tc]
              [--list] [--keep] [-v]

Each case gets fresh namespaces A and B (netns.VethEnv: vethA in A, vethB in B) and more veth
pairs as it needs (the A end named here, the peer created directly in B). IPv6 is disabled in
both namespaces before any device exists and every neighbour is static, so the links carry
exactly what the test sends: UDP datagrams of known sizes from B to a sink in A (a bound socket:
no port unreachables) and ICMP echo requests (raw socket in B; A's kernel answers). Expected
packets and octets per flow (IP length: 28 + payload for both) are computed from what was sent,
and compared exactly, flow by flow, with the records as ipfixDump (the --output file) and in one
case nfcapd/nfdump decode them; any record the test did not cause is a failure too. bpfix runs in
A; tc state is read with `tc -n A`.

Cases:
  glob    -i 'dyn*:ingress' -i vethA: dyn0 (peer dyn0p in B) created after bpfix is running gets
          bpfix's filter on ingress only (handle 0xb9f1), its ingress flows are exported exactly
          and its egress (the echo replies) not at all; vethA is metered both ways; at exit
          nothing of bpfix is left on dyn0.
  vanish  -i vethA -i gone0: traffic on gone0, then gone0 deleted while bpfix runs: one log line,
          no error storm over the next sweeps, vethA still metered, exit 0, gone0's flows
          exported exactly at SIGTERM with its ifindex.
  reload  -c FILE (nfcapd collector and an output file): vethA only, idle_timeout 1; its flows
          end by idle timeout; the file rewritten (vethA;vethC, idle_timeout 60, max_flows
          changed) and SIGHUP: "configuration reloaded", the max_flows warning, vethC attached,
          its flows ended only at exit (the new idle timeout holds); then a file with an unknown
          key and one with a bad value: each SIGHUP logs the file and key and keeps the running
          configuration (vethC stays attached); traffic after them still exported exactly, in
          both the collector and the file; exit 0.
  stats   --metrics 127.0.0.1:PORT: after known traffic and a sweep, /metrics is valid Prometheus
          text (every sample after its # TYPE, one group per metric), bpfix_packets_seen_total
          is exactly what was sent, bpfix_flows_active the flows; SIGUSR1 logs exactly one
          "bpfix: statistics:" line equal to the metrics scraped right after. Then --metrics on a
          port already listened on: exit 1 naming the metrics port, no filter, clsact or output
          file left.
  tc      --tc-handle 0x1234 --tc-priority 7 on a vethA whose clsact holds someone else's filters
          at bpfix's default place (ingress: pref 1 handle 0xb9f1) and at the same priority
          (egress: pref 7 handle 0x1): ours at handle 0x1234 pref 7 on both hooks, metering
          exact; after SIGTERM the foreign filters and the clsact are exactly as before.

One line per case (PASS, FAIL with the problems, SKIP with why), then "N passed, N failed"
(tests/lib/cases.py). Exit 0 pass, 1 fail, 2 harness error, 77 skipped (not root, no namespaces
or BPF, tools missing).
Everything this starts (namespaces, processes by pid, temporary directory) is removed on every
path. The subcommands sink, listen and send are the traffic side, run inside the namespaces.
"""

import functools
import json
import os
import re
import select
import signal
import socket
import struct
import sys
import time
from collections import defaultdict

sys.dont_write_bytecode = True   # no __pycache__ in the source tree
HERE = os.path.dirname(os.path.abspath(__file__))
THIS = os.path.abspath(__file__)
sys.path[:0] = [HERE, os.path.join(HERE, "..", "lib"), os.path.join(HERE, "..", "replay")]

SINK_PORT = 7100            # UDP sink in namespace A, on every address
NFCAPD_PORT = 9995          # inside namespace A
METRICS_PORT = 9464         # inside namespace A (a fresh namespace: nothing else listens)
ICMP_SIZE = 56              # echo payload octets
REPLY_WAIT = 20.0           # seconds for the echo replies (a loaded CI machine)


# ---------------------------------------------------------------------------------------------
# The traffic side (subcommands run with `ip netns exec`): standard library only

def cmd_sink(port):
    """Count UDP datagrams to port until SIGTERM; print "ready", then the count as JSON whenever
    it changes (netns.Helper), and once more at the end."""
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
    s.bind(("0.0.0.0", port))
    s.setblocking(False)
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    print("ready", flush=True)
    n = octets = 0
    while True:
        select.select([s], [], [], 0.1)
        before = n
        while True:
            try:
                octets += len(s.recv(65536))
                n += 1
            except BlockingIOError:
                break
        if n != before or stop:
            print(json.dumps({"datagrams": n, "octets": octets}), flush=True)
        if stop:
            break
    return 0


def cmd_listen(port):
    """Hold a TCP listener on 127.0.0.1:port until SIGTERM (the metrics port taken)."""
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)   # past scrapes' TIME_WAIT
    s.bind(("127.0.0.1", port))
    s.listen(4)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    print("ready", flush=True)
    while True:
        signal.pause()


def icmp_checksum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack(f"!{len(data) // 2}H", data))
    s = (s >> 16) + (s & 0xFFFF)
    s += s >> 16
    return ~s & 0xFFFF


def cmd_send(dst, sport, dport, sizes, icmp_count, icmp_size, icmp_id):
    """UDP datagrams of these payload sizes from sport to dst:dport, then icmp_count echo
    requests (waiting for their replies); print {"udp": sent, "icmp_replies": N}."""
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    u.bind(("0.0.0.0", sport))
    for n in sizes:
        u.sendto(bytes(n), (dst, dport))
    replies = set()
    if icmp_count:
        r = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
        payload = bytes(range(256)) * (icmp_size // 256 + 1)
        payload = payload[:icmp_size]
        for seq in range(icmp_count):
            hdr = struct.pack("!BBHHH", 8, 0, 0, icmp_id, seq)
            c = icmp_checksum(hdr + payload)
            r.sendto(struct.pack("!BBHHH", 8, 0, c, icmp_id, seq) + payload, (dst, 0))
        deadline = time.monotonic() + REPLY_WAIT
        while len(replies) < icmp_count:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([r], [], [], left)[0]:
                break
            data, addr = r.recvfrom(65535)
            ihl = (data[0] & 15) * 4
            t, _, _, rid, seq = struct.unpack("!BBHHH", data[ihl:ihl + 8])
            if t == 0 and rid == icmp_id and addr[0] == dst:
                replies.add(seq)
    print(json.dumps({"udp": len(sizes), "icmp_replies": len(replies)}), flush=True)
    return 0


def traffic_main(argv):
    cmd = argv[0]
    if cmd == "sink":
        return cmd_sink(int(argv[1]))
    if cmd == "listen":
        return cmd_listen(int(argv[1]))
    dst, sport, dport, sizes, icmp, icmp_size, icmp_id = argv[1:8]
    return cmd_send(dst, int(sport), int(dport), [int(x) for x in sizes.split(",") if x],
                    int(icmp), int(icmp_size), int(icmp_id))


if __name__ == "__main__" and len(sys.argv) > 1 and sys.argv[1] in ("sink", "listen", "send"):
    sys.exit(traffic_main(sys.argv[1:]))

# ---------------------------------------------------------------------------------------------
# The test side

import ipfix_records as I  # noqa: E402
from bpfixtest import HarnessError, Nfcapd, flow_from_json, log, summary_numbers  # noqa: E402
from cases import WAIT, Cases, wait_until  # noqa: E402
from netns import (OUR_HANDLE, PY, STATISTICS, TRAFFIC, Bpfix, Helper, VethEnv,  # noqa: E402
                   case_arguments, count_lines, parse_statistics, run, run_cases)

ROOT_FOR = "network namespaces, tc and BPF need it"
TOOLS = ("ip", "tc", "ipfixDump", "nfcapd", "nfdump", "curl")

VERBOSE = False


def vlog(msg):
    if VERBOSE:
        log(msg)


def addr_a(k):
    return f"10.220.{k}.1"


def addr_b(k):
    return f"10.220.{k}.2"


def mac(k, side):
    return f"02:b9:f1:d0:{k:02x}:{side}"


# ---------------------------------------------------------------------------------------------
# Namespaces

class Env(VethEnv):
    """vethA (10.220.0.1) in A, vethB (10.220.0.2) in B; IPv6 off, static neighbours, lo up in
    A; more pairs with add_pair(); a UDP sink in A on every address."""

    MAC_A, MAC_B = mac(0, "0a"), mac(0, "0b")

    def __init__(self, tmp, tag):
        super().__init__(tmp, tag)
        self.ifindex = {}           # A-side device -> ifindex
        self.pair = {"vethA": 0}    # A-side device -> its pair number (addresses)
        self.sink = None
        self.udp_sent = 0
        self.icmp_id = 0x100

    def namespace_added(self, name):
        for key in ("all", "default"):
            self.sysctl(name, f"/proc/sys/net/ipv6/conf/{key}/disable_ipv6", 1)
        run(["ip", "-n", name, "link", "set", "lo", "up"])

    def device_added(self, name, dev):
        run(["ip", "-n", name, "addr", "add", f"{addr_a(0) if dev == 'vethA' else addr_b(0)}/24",
             "dev", dev])

    def before_up(self):
        run(["ip", "-n", self.a, "neigh", "replace", addr_b(0), "lladdr", self.MAC_B, "dev",
             "vethA", "nud", "permanent"])
        run(["ip", "-n", self.b, "neigh", "replace", addr_a(0), "lladdr", self.MAC_A, "dev",
             "vethB", "nud", "permanent"])

    def after_up(self):
        self.ifindex["vethA"] = self.ifindex_a
        self.sink = Helper(self, self.a, [PY, THIS, "sink", str(SINK_PORT)], "UDP sink")

    def link_index(self, dev):
        return int(json.loads(run(["ip", "-n", self.a, "-j", "link", "show", dev]).stdout)[0]
                   ["ifindex"])

    def add_pair(self, dev, peer, k):
        """A veth pair: dev in A (10.220.k.1), peer created directly in B (10.220.k.2), static
        neighbours, offloads off, both up."""
        run(["ip", "-n", self.a, "link", "add", dev, "address", mac(k, "0a"), "type", "veth",
             "peer", "name", peer, "address", mac(k, "0b"), "netns", self.b])
        self.pair[dev] = k
        self.ifindex[dev] = self.link_index(dev)
        for ns, d, mine, theirs, their_mac in ((self.a, dev, addr_a(k), addr_b(k), mac(k, "0b")),
                                               (self.b, peer, addr_b(k), addr_a(k), mac(k, "0a"))):
            self.sysctl(ns, f"/proc/sys/net/ipv6/conf/{d}/disable_ipv6", 1)
            run(["ip", "-n", ns, "addr", "add", f"{mine}/24", "dev", d])
            run(["ip", "-n", ns, "neigh", "replace", theirs, "lladdr", their_mac, "dev", d, "nud",
                 "permanent"])
            r = run(self.ns(ns, PY, TRAFFIC, "offload", d), check=False)
            if r.returncode != 0:
                raise HarnessError(f"cannot turn offloads off on {d}: {r.stderr.strip()}")
        for ns, d in ((self.a, dev), (self.b, peer)):
            run(["ip", "-n", ns, "link", "set", d, "up"])
        return self.ifindex[dev]

    def received(self):
        """The UDP datagrams the sink has received so far."""
        return self.sink.counts().get("datagrams", 0)

    def stop_sink(self):
        """Stop the sink; a harness error unless it received every datagram sent."""
        got = self.sink.stop()["datagrams"]
        if got != self.udp_sent:
            raise HarnessError(f"the sink received {got} UDP datagrams, {self.udp_sent} were sent")

    # tc state of any device in A
    def tc_text(self, *args):
        return run(["tc", "-n", self.a, *args], check=False).stdout

    def has_clsact_on(self, dev):
        return "clsact" in self.tc_text("qdisc", "show", "dev", dev)

    def filter_text(self, dev, hook):
        return self.tc_text("filter", "show", "dev", dev, hook) if self.has_clsact_on(dev) else ""

    def filter_list(self, dev, hook):
        """[(pref, handle, program name or None)] of a hook's filters."""
        out = []
        for line in self.filter_text(dev, hook).splitlines():
            m = re.search(r"\bpref (\d+) \S+ chain \d+ handle (0x[0-9a-f]+)", line)
            if m:
                n = re.search(r"\bid \d+ name (\S+)", line)
                out.append((int(m.group(1)), m.group(2), n.group(1) if n else None))
        return out

    def ours(self, dev, hook):
        """bpfix's filters on a hook: [(pref, handle)] of eBPF programs named bpfix_*."""
        return [(p, h) for p, h, name in self.filter_list(dev, hook)
                if name and name.startswith("bpfix_")]


class Ctx:
    """What run_cases knows as its environment: the cases' Envs, cleaned up after each case and
    on every path."""

    def __init__(self, tmp):
        self.tmp = tmp
        self.envs = []

    def new_env(self, tag):
        env = Env(self.tmp, tag)
        self.envs.append(env)
        env.setup()
        return env

    def cleanup(self):
        for env in self.envs:
            env.cleanup()
        self.envs = []


# ---------------------------------------------------------------------------------------------
# bpfix

def start_bpfix(env, a, args, name):
    """bpfix run ARGS, once it says it is running (the cases check its filters themselves)."""
    bp = Bpfix(env, a.bpfix, args, name)
    bp.wait_attached(hooks=())
    vlog(f"{name}: {' '.join(bp.argv)}")
    return bp


def stop_bpfix(bp, problems, errors_expected=()):
    """SIGTERM; exit 0 and no error lines but those containing one of errors_expected."""
    rc = bp.stop()
    err = bp.stderr()
    vlog(f"{bp.name}: stderr:\n{err}")
    if rc != 0:
        problems.append(f"{bp.name}: bpfix exited with {rc}, expected 0:\n{err}")
    bad = [x for x in err.splitlines() if x.startswith("bpfix: error") and
           not any(e in x for e in errors_expected)]
    if bad:
        problems.append(f"{bp.name}: errors logged: {bad}")
    return err


# ---------------------------------------------------------------------------------------------
# Traffic and expectations

class Expected:
    """Flows the test caused, keyed (src, dst, proto, sport, dport, hook, ifindex), ports None for
    ICMP -> [packets, octets]."""

    def __init__(self):
        self.flows = defaultdict(lambda: [0, 0])

    def add(self, key, packets, octets):
        f = self.flows[key]
        f[0] += packets
        f[1] += octets


def send(env, exp, dev, sport, sizes, icmp=0, hooks=("ingress", "egress")):
    """From the peer of dev in B: UDP datagrams (payload sizes) to the sink on dev's address, then
    icmp echo requests. Returns once the sink has every datagram and every echo is answered: dev's
    ingress hook has seen all of it, its egress hook the replies. What the metered hooks of dev see
    is added to exp (None: not metered); returns the UDP flow's key."""
    k = env.pair[dev]
    env.icmp_id += 1
    r = run(env.ns(env.b, PY, THIS, "send", addr_a(k), str(sport), str(SINK_PORT),
                   ",".join(map(str, sizes)), str(icmp), str(ICMP_SIZE), str(env.icmp_id)),
            check=False, timeout=30)
    try:
        res = json.loads(r.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        raise HarnessError(f"sending on {dev} failed ({r.returncode}): {r.stderr.strip()}")
    if res["udp"] != len(sizes) or res["icmp_replies"] != icmp:
        raise HarnessError(f"sending on {dev}: {res}, expected {len(sizes)} datagrams and {icmp} "
                           f"echo replies")
    env.udp_sent += len(sizes)
    wait_until(lambda: env.received() >= env.udp_sent, WAIT,
               f"the sink to receive the {env.udp_sent} UDP datagrams sent so far")
    idx = env.ifindex[dev]
    udp_key = (addr_b(k), addr_a(k), 17, sport, SINK_PORT, "ingress", idx)
    if exp is not None:
        if "ingress" in hooks:
            exp.add(udp_key, len(sizes), sum(28 + n for n in sizes))
        if icmp and "ingress" in hooks:
            exp.add((addr_b(k), addr_a(k), 1, None, None, "ingress", idx), icmp,
                    icmp * (28 + ICMP_SIZE))
        if icmp and "egress" in hooks:
            exp.add((addr_a(k), addr_b(k), 1, None, None, "egress", idx), icmp,
                    icmp * (28 + ICMP_SIZE))
    return udp_key


# ---------------------------------------------------------------------------------------------
# Records


def nfdump_records(col):
    out = []
    for o in col.json_records():
        f = flow_from_json(o)
        out.append({"src": f.src, "dst": f.dst, "proto": f.proto, "sport": f.sport,
                    "dport": f.dport, "packets": f.packets, "octets": f.octets,
                    "in_if": int(o.get("input_snmp", -1)), "out_if": int(o.get("output_snmp", -1)),
                    "dir": int(o.get("direction", -1)), "end": None})
    return out


def rec_key(r):
    """A record's key as Expected keys flows, and the interface field that must be 0."""
    if r["dir"] == 1:
        hook, idx, other = "egress", r["out_if"], r["in_if"]
    else:
        hook, idx, other = ("ingress" if r["dir"] == 0 else f"direction {r['dir']}"), \
            r["in_if"], r["out_if"]
    ports = (None, None) if r["proto"] == 1 else (r["sport"], r["dport"])
    return (r["src"], r["dst"], r["proto"], *ports, hook, idx), other


def fmt_key(key, names):
    src, dst, proto, sport, dport, hook, idx = key
    dev = names.get(idx, f"ifindex {idx}")
    if sport is None:
        return f"{dev} {hook}: {src} -> {dst} proto {proto}"
    return f"{dev} {hook}: {src}:{sport} -> {dst}:{dport} proto {proto}"


def compare(what, exp, records, env, problems):
    """Every expected flow with exactly its packets and octets (summed over its records), and no
    other record."""
    names = {i: d for d, i in env.ifindex.items()}
    got = defaultdict(lambda: [0, 0])
    for r in records:
        key, other = rec_key(r)
        if other != 0:
            problems.append(f"{what}: record of {fmt_key(key, names)} has the other interface "
                            f"field {other}, expected 0")
        got[key][0] += r["packets"]
        got[key][1] += r["octets"]
    for key in sorted(set(exp.flows) | set(got), key=lambda k: fmt_key(k, names)):
        e, g = exp.flows.get(key), got.get(key)
        if e == g:
            vlog(f"  {what}: {fmt_key(key, names)}: {g[0]} packets {g[1]} octets")
        elif g is None:
            problems.append(f"{what}: no record of {fmt_key(key, names)} (expected {e[0]} "
                            f"packets, {e[1]} octets)")
        elif e is None:
            problems.append(f"{what}: unexpected record(s) of {fmt_key(key, names)}: {g[0]} "
                            f"packets, {g[1]} octets")
        else:
            problems.append(f"{what}: {fmt_key(key, names)}: {g[0]} packets / {g[1]} octets, "
                            f"expected {e[0]} / {e[1]}")


def holds(records, exp):
    """Whether records hold every flow of exp with all its packets."""
    got = defaultdict(int)
    for r in records:
        got[rec_key(r)[0]] += r["packets"]
    return all(got[k] >= p for k, (p, _) in exp.flows.items())


def end_reasons(records, key):
    return sorted({r["end"] for r in records if rec_key(r)[0] == key})


def read_file_records(path, a, what, problems):
    if not os.path.exists(path):
        problems.append(f"{what}: bpfix wrote no output file {path}")
        return []
    try:
        return I.flow_dicts(path, a.elements)[0]
    except I.DecodeError as e:
        problems.append(f"{what}: ipfixDump cannot decode the output file: {e}")
        return []


# ---------------------------------------------------------------------------------------------
# Cases

def case_glob(ctx, a, problems):
    env = ctx.new_env("glob")
    out = os.path.join(env.tmp, "glob.ipfix")
    bp = start_bpfix(env, a, ["-i", "dyn*:ingress", "-i", "vethA", "--output", out,
                              "--idle-timeout", "60"], "glob")
    want = [(1, OUR_HANDLE)]
    for hook in ("ingress", "egress"):
        if env.ours("vethA", hook) != want:
            problems.append(f"glob: vethA {hook}: bpfix filters {env.ours('vethA', hook)}, "
                            f"expected {want}")
    exp = Expected()
    send(env, exp, "vethA", 41001, [10, 500], icmp=2)

    env.add_pair("dyn0", "dyn0p", 1)
    bp.wait_for(lambda: env.ours("dyn0", "ingress") and
                "bpfix: metering dyn0 (ingress)" in bp.stderr(),
                "a bpfix filter on the ingress of dyn0 (created after the start) and a 'metering "
                "dyn0 (ingress)' line")
    if env.ours("dyn0", "ingress") != want:
        problems.append(f"glob: dyn0 ingress: bpfix filters {env.ours('dyn0', 'ingress')}, "
                        f"expected {want}")
    if env.ours("dyn0", "egress"):
        problems.append(f"glob: 'dyn*:ingress' attached to dyn0 egress too: "
                        f"{env.filter_text('dyn0', 'egress')}")
    send(env, exp, "dyn0", 41002, [1, 200, 1472, 64, 64], icmp=3, hooks=("ingress",))
    send(env, exp, "vethA", 41003, [33], icmp=1)
    log(f"glob: dyn0 (ifindex {env.ifindex['dyn0']}) filters: ingress "
        f"{env.filter_list('dyn0', 'ingress')}, egress {env.filter_list('dyn0', 'egress')}")
    stop_bpfix(bp, problems)
    env.stop_sink()
    for dev in ("dyn0", "vethA"):
        if env.has_clsact_on(dev):
            problems.append(f"glob: after exit {dev} still has the clsact bpfix created: "
                            f"{env.tc_text('filter', 'show', 'dev', dev, 'ingress')}")
    records = read_file_records(out, a, "glob", problems)
    compare("glob (ipfixDump)", exp, records, env, problems)
    log(f"glob: {len(records)} records, {len(exp.flows)} expected flows")


def case_vanish(ctx, a, problems):
    env = ctx.new_env("vanish")
    env.add_pair("gone0", "gone0p", 1)
    out = os.path.join(env.tmp, "vanish.ipfix")
    bp = start_bpfix(env, a, ["-i", "vethA", "-i", "gone0", "--output", out,
                              "--idle-timeout", "60"], "vanish")
    for dev in ("vethA", "gone0"):
        for hook in ("ingress", "egress"):
            if not env.ours(dev, hook):
                problems.append(f"vanish: no bpfix filter on {dev} {hook}")
    exp = Expected()
    send(env, exp, "gone0", 42001, [100, 1000, 1472], icmp=3)
    send(env, exp, "vethA", 42002, [20])
    before = len(bp.stderr().splitlines())
    run(["ip", "-n", env.a, "link", "del", "gone0"])
    t_del = time.monotonic()
    bp.wait_for(lambda: "gone0 is gone" in bp.stderr(), "a 'gone0 is gone' line after deleting it")
    send(env, exp, "vethA", 42003, [40, 41], icmp=2)   # metering goes on
    # Waiting out two sweeps and more is the check: an error storm would log at every sweep, and
    # a sweep that logs nothing leaves nothing to wait for.
    time.sleep(max(0.0, 2.5 - (time.monotonic() - t_del)))
    new = bp.stderr().splitlines()[before:]
    if bp.p.poll() is not None:
        problems.append(f"vanish: bpfix exited with {bp.p.returncode} after gone0 vanished")
    noisy = [x for x in new if "error" in x or "warning" in x]
    if len(new) > 2 or noisy:
        problems.append(f"vanish: {len(new)} log lines in the 2.5 s after gone0 vanished, "
                        f"expected one ('gone0 is gone'): {new}")
    log(f"vanish: log after the deletion: {new}")
    stop_bpfix(bp, problems)
    env.stop_sink()
    if env.has_clsact_on("vethA"):
        problems.append("vanish: after exit vethA still has the clsact bpfix created")
    records = read_file_records(out, a, "vanish", problems)
    compare("vanish (ipfixDump)", exp, records, env, problems)
    log(f"vanish: {len(records)} records, {len(exp.flows)} expected flows")


RELOAD_CONF = """# daemon.py reload case
[export]
collectors = 127.0.0.1:{port}
output = {out}

[flows]
{flows}
max_flows = {max_flows}

[live]
interfaces = {interfaces}
"""


def case_reload(ctx, a, problems):
    env = ctx.new_env("reload")
    env.add_pair("vethC", "vethD", 1)
    wd = os.path.join(env.tmp, "reload")
    os.mkdir(wd)
    conf = os.path.join(wd, "bpfix.conf")
    out = os.path.join(wd, "reload.ipfix")

    def write_conf(interfaces, flows, max_flows=65536):
        tmp = conf + ".new"
        with open(tmp, "w") as f:
            f.write(RELOAD_CONF.format(port=NFCAPD_PORT, out=out, flows=flows,
                                       max_flows=max_flows, interfaces=interfaces))
        os.rename(tmp, conf)

    col = Nfcapd(wd, port=NFCAPD_PORT, popen=functools.partial(env.spawn, env.a))
    col.start()
    write_conf("vethA", "idle_timeout = 1")
    bp = start_bpfix(env, a, ["-c", conf], "reload")
    if not (env.ours("vethA", "ingress") and env.ours("vethA", "egress")):
        problems.append("reload: no bpfix filters on vethA at the start")
    if env.ours("vethC", "ingress") or env.ours("vethC", "egress"):
        problems.append("reload: vethC metered before it is configured")
    exp = Expected()
    a1 = send(env, exp, "vethA", 43001, [100, 200, 300], icmp=2)
    # idle_timeout 1: a sweep after a second exports vethA's flows
    bp.wait_records(out, a.elements, lambda records: holds(records, exp),
                    "vethA's flows (idle_timeout 1) in the output file")

    # a valid new file: vethC too, idle_timeout 60, max_flows changed (needs a restart)
    write_conf("vethA;vethC", "idle_timeout = 60", max_flows=4096)
    bp.p.send_signal(signal.SIGHUP)
    bp.wait_for(lambda: "configuration reloaded" in bp.stderr(),
                "'configuration reloaded' after SIGHUP")
    if "max_flows stays 65536" not in bp.stderr():
        problems.append(f"reload: no warning that max_flows stays 65536 until a restart:\n"
                        f"{bp.stderr()}")
    bp.wait_for(lambda: env.ours("vethC", "ingress") and env.ours("vethC", "egress"),
                "bpfix's filters on both hooks of vethC after the reload")
    c1 = send(env, exp, "vethC", 43002, [1, 1472, 50], icmp=2)
    send(env, exp, "vethA", 43003, [60])
    t_c1 = time.monotonic()

    # broken files: the running configuration stays (vethC attached, idle_timeout 60)
    broken = [("unknown key", "idle_timeout = 60\nidle_timeuot = 5", "idle_timeuot"),
              ("bad value", "idle_timeout = soon", "idle_timeout")]
    for n, (what, flows, key) in enumerate(broken, 1):
        write_conf("vethA", flows)   # would also drop vethC, were it applied
        bp.p.send_signal(signal.SIGHUP)
        failed = "reload failed; the running configuration stays in effect"
        bp.wait_for(lambda: count_lines(bp.stderr(), failed) >= n,
                    f"'{failed}' after SIGHUP with a config with a {what}")
        lines = [x for x in bp.stderr().splitlines() if conf in x and key in x]
        if not lines:
            problems.append(f"reload: config with a {what}: no message names {conf} and "
                            f"'{key}':\n{bp.stderr()}")
        else:
            log(f"reload: {what}: {lines[-1]}")
        for hook in ("ingress", "egress"):
            if not env.ours("vethC", hook):
                problems.append(f"reload: after the failed reload ({what}) vethC {hook} is no "
                                f"longer metered")
    n_ok = count_lines(bp.stderr(), "configuration reloaded")
    if n_ok != 1:
        problems.append(f"reload: {n_ok} 'configuration reloaded' lines, expected 1 (the valid "
                        f"file only)")
    send(env, exp, "vethA", 43004, [70, 71], icmp=1)
    send(env, exp, "vethC", 43005, [80], icmp=1)
    # Waiting out the old idle timeout (1 s) and a sweep is the check: the flows of vethC end
    # only at exit if the reloaded idle_timeout (60) holds.
    time.sleep(max(0.0, 2.8 - (time.monotonic() - t_c1)))
    if bp.p.poll() is not None:
        problems.append(f"reload: bpfix exited with {bp.p.returncode} before SIGTERM")
    err = stop_bpfix(bp, problems, ("reload failed", "idle_timeuot", "'soon'"))
    col.stop(drain_timeout=10, timeout=20)
    env.stop_sink()
    if col.drops:
        problems.append(f"reload: nfcapd's socket dropped {col.drops} datagrams")
    log("reload: log: " + " | ".join(x for x in err.splitlines()
                                     if x.startswith("bpfix:") and "statistics" not in x))
    nf = nfdump_records(col)
    compare("reload (nfdump)", exp, nf, env, problems)
    # the run's totals span the reload: nothing restarts at SIGHUP
    summary = summary_numbers(err)
    for line, want in (("records sent", len(nf)), ("packets exported",
                                                   sum(r["packets"] for r in nf)),
                       ("packets seen", sum(p for p, _ in exp.flows.values()))):
        if summary.get(line) != want:
            problems.append(f"reload: summary '{line}: {summary.get(line)}', expected {want} "
                            f"(what nfcapd received / what was sent over the whole run)")
    records = read_file_records(out, a, "reload", problems)
    compare("reload (ipfixDump, output file)", exp, records, env, problems)
    names = {i: d for d, i in env.ifindex.items()}
    for key, want, why in ((a1, [1], "idle timeout 1 before the reload"),
                           (c1, [4], "forced end at exit: idle_timeout 60 after the reload")):
        got = end_reasons(records, key)
        if got and got != want:   # no record at all: compare() said so
            problems.append(f"reload (ipfixDump): {fmt_key(key, names)}: flowEndReason {got}, "
                            f"expected {want} ({why})")
    log(f"reload: {len(nf)} records at nfcapd, {len(records)} in the file, {len(exp.flows)} "
        f"expected flows")


METRIC_NAME = r"[a-zA-Z_:][a-zA-Z0-9_:]*"
LABEL = r'[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\[\\"n])*"'


def parse_prometheus(text, what, problems):
    """Prometheus text format 0.0.4 -> {(name, ((label, value), ...)): value}; what is not valid
    (a sample before or without its # TYPE, a metric in two groups, a bad line) is a problem."""
    types, samples, closed = {}, {}, set()
    current = None
    for ln in text.splitlines():
        if not ln.strip():
            continue
        if ln.startswith("#"):
            m = re.match(rf"^# (HELP|TYPE) ({METRIC_NAME}) (.*)$", ln)
            if not m:
                if re.match(r"^#\s*(HELP|TYPE)\b", ln):
                    problems.append(f"{what}: malformed line {ln!r}")
                continue
            if m.group(1) == "TYPE":
                name = m.group(2)
                if name in types:
                    problems.append(f"{what}: a second # TYPE for {name}")
                if name in closed or name == current:
                    problems.append(f"{what}: # TYPE {name} after its samples")
                if m.group(3) not in ("counter", "gauge", "untyped", "histogram", "summary"):
                    problems.append(f"{what}: # TYPE {name} {m.group(3)!r}")
                types[name] = m.group(3)
            continue
        m = re.match(rf"^({METRIC_NAME})(?:\{{((?:{LABEL})(?:,{LABEL})*,?)?\}})? (\S+)"
                     r"(?: -?\d+)?$", ln)
        if not m:
            problems.append(f"{what}: malformed sample line {ln!r}")
            continue
        name, labels, value = m.group(1), m.group(2) or "", m.group(3)
        if name not in types:
            problems.append(f"{what}: sample {ln!r} without a # TYPE before it")
        if name != current:
            if name in closed:
                problems.append(f"{what}: samples of {name} in more than one group")
            if current:
                closed.add(current)
            current = name
        try:
            v = float(value)
        except ValueError:
            problems.append(f"{what}: sample {ln!r}: value is not a number")
            continue
        key = (name, tuple(re.findall(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"', labels)))
        if key in samples:
            problems.append(f"{what}: sample {key} twice")
        samples[key] = int(v) if v.is_integer() else v
    return samples, types


def metric_of(line_name):
    """A summary line's name -> (metric name, labels) as bpfix names its metrics: "packets seen"
    -> bpfix_packets_seen_total, "not metered (truncated)" -> bpfix_not_metered_total
    {reason="truncated"}, "flows active" -> the gauge bpfix_flows_active."""
    i = line_name.find(" (")
    base = line_name if i < 0 else line_name[:i]
    name = "bpfix_" + "_".join(re.findall(r"[A-Za-z0-9]+", base)).lower()
    if line_name != "flows active":
        name += "_total"
    labels = ()
    if i >= 0:
        reason = line_name[i + 2:].split(")")[0].replace('"', "'").replace("\\", "'")
        labels = (("reason", reason),)
    return name, labels


def scrape(env, port):
    r = run(env.ns(env.a, "curl", "-sS", "--max-time", "5", "-w", "\n#CURL %{http_code} "
                   "%{content_type}", f"http://127.0.0.1:{port}/metrics"), check=False)
    if r.returncode != 0:
        raise AssertionError(f"stats: curl http://127.0.0.1:{port}/metrics failed "
                             f"({r.returncode}): {r.stderr.strip()}")
    body, _, tail = r.stdout.rpartition("\n#CURL ")
    return body, tail.strip()


def case_stats(ctx, a, problems):
    env = ctx.new_env("stats")
    out = os.path.join(env.tmp, "stats.ipfix")
    bp = start_bpfix(env, a, ["-i", "vethA", "--output", out, "--idle-timeout", "60",
                              "--metrics", f"127.0.0.1:{METRICS_PORT}"], "stats")
    if f"metrics on http://127.0.0.1:{METRICS_PORT}/metrics" not in bp.stderr():
        problems.append(f"stats: no 'metrics on http://127.0.0.1:{METRICS_PORT}/metrics' line:\n"
                        f"{bp.stderr()}")
    exp = Expected()
    send(env, exp, "vethA", 44001, [100, 200, 300, 1400], icmp=3)
    sent = sum(p for p, _ in exp.flows.values())
    octets = sum(o for _, o in exp.flows.values())

    def published():
        """/metrics once a sweep has published what was sent."""
        page, tail = scrape(env, METRICS_PORT)
        seen = parse_prometheus(page, "", [])[0].get(("bpfix_packets_seen_total", ()))
        return (page, tail) if (seen or 0) >= sent else None
    page, tail = bp.wait_for(published, f"/metrics counting the {sent} packets sent (a sweep "
                             f"publishes them)")
    vlog(f"stats: /metrics ({tail}):\n{page}")
    if not tail.startswith("200 ") or "text/plain" not in tail:
        problems.append(f"stats: /metrics answered {tail!r}, expected 200 text/plain")
    samples, types = parse_prometheus(page, "stats: /metrics", problems)
    for name, want in (("bpfix_packets_seen_total", sent), ("bpfix_packets_metered_total", sent),
                       ("bpfix_octets_metered_total", octets), ("bpfix_flows_active", 3)):
        got = samples.get((name, ()))
        if got != want:
            problems.append(f"stats: /metrics {name} {got}, expected {want} (sent: {sent} "
                            f"packets, {octets} octets in 3 flows)")
    if types.get("bpfix_flows_active") != "gauge" or \
            types.get("bpfix_packets_seen_total") != "counter":
        problems.append(f"stats: # TYPE of bpfix_flows_active {types.get('bpfix_flows_active')}, "
                        f"of bpfix_packets_seen_total {types.get('bpfix_packets_seen_total')}: "
                        f"expected gauge, counter")

    stat = STATISTICS
    if count_lines(bp.stderr(), stat):
        problems.append(f"stats: statistics logged before SIGUSR1 (stats_interval 60):\n"
                        f"{bp.stderr()}")
    n0 = count_lines(bp.stderr(), stat)
    try:
        bp.statistics()   # SIGUSR1, and the line it logs
    except AssertionError as e:
        problems.append(f"stats: {e}")
        lines = []
    else:
        page2, _ = scrape(env, METRICS_PORT)
        # Waiting out more than a sweep interval is the check: a SIGUSR1 that went on logging
        # would log again at the next sweep.
        time.sleep(1.2)
        lines = [x for x in bp.stderr().splitlines() if stat in x][n0:]
    if len(lines) > 1:
        problems.append(f"stats: one SIGUSR1 logged {len(lines)} statistics lines: {lines}")
    if lines:
        log(f"stats: SIGUSR1: {lines[0]}")
        if not lines[0].startswith(stat):
            problems.append(f"stats: the statistics line does not start with '{stat}': "
                            f"{lines[0]!r}")
        logged = parse_statistics(lines[0])
        if logged.get("packets seen") != sent:
            problems.append(f"stats: SIGUSR1 line says packets seen {logged.get('packets seen')},"
                            f" {sent} were sent")
        want = {metric_of(k): v for k, v in logged.items()}
        got, _ = parse_prometheus(page2, "stats: /metrics after SIGUSR1", problems)
        if want != got:
            diff = sorted(f"{k}: line {want.get(k)} metrics {got.get(k)}"
                          for k in set(want) | set(got) if want.get(k) != got.get(k))
            problems.append("stats: the SIGUSR1 line and /metrics scraped right after differ: " +
                            "; ".join(diff))
    stop_bpfix(bp, problems)
    env.stop_sink()
    summary = summary_numbers(bp.stderr())
    if summary.get("packets seen") != sent:
        problems.append(f"stats: summary packets seen {summary.get('packets seen')}, expected "
                        f"{sent}")
    records = read_file_records(out, a, "stats", problems)
    compare("stats (ipfixDump)", exp, records, env, problems)
    if env.has_clsact_on("vethA"):
        problems.append("stats: after exit vethA still has the clsact bpfix created")

    # the metrics port already taken: a clear failure, nothing left behind
    blocker = Helper(env, env.a, [PY, THIS, "listen", str(METRICS_PORT)],
                     "TCP listener on the metrics port")
    out2 = os.path.join(env.tmp, "inuse.ipfix")
    r = run(env.ns(env.a, a.bpfix, "run", "-i", "vethA", "--output", out2, "--metrics",
                   str(METRICS_PORT)), check=False, timeout=30)
    lines = [x for x in (r.stdout + r.stderr).splitlines() if x.strip()]
    log(f"stats: --metrics {METRICS_PORT} in use: exit {r.returncode}: {lines}")
    if r.returncode != 1:
        problems.append(f"stats: --metrics on a port in use: exit {r.returncode}, expected 1: "
                        f"{lines}")
    errs = [x for x in lines if "error" in x]
    if not any("metrics" in x and str(METRICS_PORT) in x for x in errs):
        problems.append(f"stats: --metrics on a port in use: no error names the metrics port "
                        f"{METRICS_PORT}: {lines}")
    if len(errs) != 1:
        problems.append(f"stats: --metrics on a port in use: {len(errs)} error lines, expected "
                        f"one: {lines}")
    foreign = [x for x in lines if not x.startswith("bpfix: ")]
    if foreign:
        problems.append(f"stats: --metrics on a port in use: lines that are not bpfix's own "
                        f"messages (a library's log; 'port 0' is not the port asked for): "
                        f"{foreign}")
    left = env.filter_list("vethA", "ingress") + env.filter_list("vethA", "egress")
    if left or env.has_clsact_on("vethA"):
        problems.append(f"stats: --metrics on a port in use left tc state on vethA: clsact "
                        f"{env.has_clsact_on('vethA')}, filters {left}")
    if os.path.exists(out2):
        problems.append("stats: --metrics on a port in use left an output file")
    blocker.stop(report=False)


def second_bpfix_refused(env, a, first, args, want, problems):
    """A second bpfix with the running one's handle on its interface ends at once with one
    message naming the first one's process, and leaves the first one's filters as they were."""
    r = run(env.ns(env.a, a.bpfix, "run", *args), check=False)
    msg = [x for x in r.stderr.splitlines() if x.startswith("bpfix: error")]
    if r.returncode != 1 or len(msg) != 1 or "another running bpfix" not in msg[0] or \
            f"process {first.p.pid}" not in msg[0]:
        problems.append(f"tc: a second bpfix at the same handle: exit {r.returncode}, expected "
                        f"1 with one error naming the running bpfix (process {first.p.pid}):\n"
                        f"{r.stderr}")
    for hook in ("ingress", "egress"):
        got = sorted(env.filter_list("vethA", hook))
        if got != sorted(want[hook]):
            problems.append(f"tc: after the second bpfix, vethA {hook} filters {got}, expected "
                            f"{sorted(want[hook])}")


def case_tc(ctx, a, problems):
    env = ctx.new_env("tc")
    env.tc("qdisc", "add", "dev", "vethA", "clsact")
    # classic BPF returning 0: no match, packets go on to the next filter
    env.tc("filter", "add", "dev", "vethA", "ingress", "prio", "1", "handle", OUR_HANDLE, "bpf",
           "bytecode", "1,6 0 0 0,")
    env.tc("filter", "add", "dev", "vethA", "egress", "prio", "7", "handle", "0x1", "bpf",
           "bytecode", "1,6 0 0 0,")
    theirs = {h: env.filter_text("vethA", h) for h in ("ingress", "egress")}
    out = os.path.join(env.tmp, "tc.ipfix")
    bp = start_bpfix(env, a, ["-i", "vethA", "--tc-handle", "0x1234", "--tc-priority", "7",
                              "--output", out, "--idle-timeout", "60"], "tc")
    want = {"ingress": [(1, OUR_HANDLE, None), (7, "0x1234", "bpfix_ingress")],
            "egress": [(7, "0x1234", "bpfix_egress"), (7, "0x1", None)]}
    for hook in ("ingress", "egress"):
        got = sorted(env.filter_list("vethA", hook))
        if got != sorted(want[hook]):
            problems.append(f"tc: vethA {hook} filters (pref, handle, program) {got}, expected "
                            f"{sorted(want[hook])}:\n{env.filter_text('vethA', hook)}")
    log(f"tc: while running: ingress {env.filter_list('vethA', 'ingress')}, egress "
        f"{env.filter_list('vethA', 'egress')}")
    second_bpfix_refused(env, a, bp, ["-i", "vethA", "--tc-handle", "0x1234", "--tc-priority",
                                      "7", "--output", os.path.join(env.tmp, "second.ipfix")],
                         want, problems)
    exp = Expected()
    send(env, exp, "vethA", 45001, [5, 600, 1472], icmp=2)
    stop_bpfix(bp, problems)
    env.stop_sink()
    if not env.has_clsact_on("vethA"):
        problems.append("tc: the clsact that existed before bpfix is gone")
    for hook in ("ingress", "egress"):
        now = env.filter_text("vethA", hook)
        if now != theirs[hook]:
            problems.append(f"tc: vethA {hook} filters after exit differ from before:\nbefore:\n"
                            f"{theirs[hook]}after:\n{now}")
    records = read_file_records(out, a, "tc", problems)
    compare("tc (ipfixDump)", exp, records, env, problems)


CASES = Cases([("glob", case_glob), ("vanish", case_vanish), ("reload", case_reload),
               ("stats", case_stats), ("tc", case_tc)])


def main():
    global VERBOSE
    a = case_arguments(__doc__, CASES)
    VERBOSE = a.verbose
    # each case makes its namespaces (Ctx.new_env), removed after it
    return run_cases(CASES, a, Ctx, "bpfix-daemon-", TOOLS, ROOT_FOR, after_each=Ctx.cleanup,
                     errors=(I.DecodeError,))


if __name__ == "__main__":
    sys.exit(main())
