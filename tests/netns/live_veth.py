#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""`bpfix run` on a real veth between two network namespaces, into a real nfcapd.

    live_veth.py --bpfix build/src/bpfix --source-dir . [--case main,kill,errors,drop] [--list]
                 [--keep] [-v]

Namespace A holds vethA, lo (nfcapd on 127.0.0.1), veth_traffic.py's listeners and bpfix;
namespace B holds vethB and sends the traffic (veth_traffic.py client), capturing vethB with an
AF_PACKET socket meanwhile. Offloads (TSO, GSO, GRO) are off on both ends, so the capture is the
truth packet for packet: B's outgoing packets are vethA's ingress, B's incoming ones vethA's
egress. UDP and GTP-U expectations are also computed from what was sent (and must agree with the
capture); TCP packet counts come from the capture (ACK timing is the kernel's).

GSO is tested on the way: with "gso off" a TCP socket still builds GSO super-packets (the kernel
always allows software GSO for TCP) and they are segmented only after the clsact egress hook, so
bpfix's egress program sees super-packets of A's TCP data, while the capture on B sees the
segments (with `ip link set vethA gso_max_segs 1` there would be none). Ingress has none (GRO off,
segmented before the veth).

Cases:
  main    bpfix run -i vethA --collector (nfcapd) --output FILE while B sends UDP echo (v4, v6,
          with TOS/traffic class), a TCP exchange each way (v4, v6) and GTP-U G-PDUs; after
          SIGTERM: exit 0, each flow with exact packets/octets in both decoders (nfdump, ipfixDump
          -e templates/bpfix-elements.xml), interface/direction fields, times inside the traffic
          window and close to the capture's, TOS, TTL, TCP flags, end reasons, the GTP-U inner
          flow with its TEID and tunnel endpoints; both decoders see the same records; summary and
          statistics options records (domain 0) agree; the clsact bpfix created is gone.
  kill    bpfix killed with SIGKILL leaves its filters (the kernel keeps them); a new bpfix on the
          interface replaces them, meters, and after SIGTERM none of bpfix's filters or programs
          remain.
  errors  `-i nosuchif`: exit 1, one message naming the interface, no output file; without
          privilege (setpriv to nobody, no capabilities): exit 1 naming the capability, nothing
          attached.
  drop    a clsact with someone else's filters (ingress: u32 + mirred redirect to a down device,
          i.e. a drop; egress: a classic-BPF filter): bpfix --direction ingress attaches in front,
          the dropped packets are metered but still not delivered, and after exit the clsact and
          both filters are still there.

One line per case (PASS, FAIL with the problems, SKIP with why), then "N passed, N failed"
(tests/lib/cases.py). Exit 0 pass, 1 fail, 2 harness error, 77 skipped (not root, no namespaces
or BPF, tools missing).
Everything this starts (namespaces, processes by pid, temporary directory) is removed on every
path.
"""

import functools
import json
import os
import re
import shutil
import signal
import sys
from collections import defaultdict

sys.dont_write_bytecode = True   # no __pycache__ in the source tree
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [HERE, os.path.join(HERE, "..", "lib"), os.path.join(HERE, "..", "replay")]
import ipfix_records as I  # noqa: E402
import veth_traffic as T  # noqa: E402
from bpfixtest import (HarnessError, Nfcapd, flow_from_json, log, not_metered,  # noqa: E402
                       summary_numbers)
from cases import WAIT, Cases, wait_until  # noqa: E402
from netns import (OUR_HANDLE, PY, TRAFFIC, Bpfix, Helper, VethEnv, case_arguments,  # noqa: E402
                   run, run_cases)

NFCAPD_PORT = 9995          # inside namespace A: nothing else is there
TIME_SLACK_MS = 50          # record times against the capture's kernel timestamps

VERBOSE = False


def vlog(msg):
    if VERBOSE:
        log(msg)


# ---------------------------------------------------------------------------------------------
# Preconditions

# every case is skipped unless root (ROOT_FOR) with TOOLS installed (cases.require)
ROOT_FOR = "network namespaces, tc and BPF need it"
TOOLS = ("ip", "tc", "nfcapd", "nfdump", "ipfixDump", "bpftool", "setpriv")


# ---------------------------------------------------------------------------------------------
# Namespaces, processes

class Env(VethEnv):
    """Two namespaces joined by vethA/vethB (netns.VethEnv), with veth_traffic.py's MACs,
    addresses and permanent neighbour entries; lo up on both sides (nfcapd on 127.0.0.1)."""

    MAC_A, MAC_B = T.MAC_A, T.MAC_B

    def __init__(self, tmp):
        super().__init__(tmp, "live")

    def namespace_added(self, name):
        run(["ip", "-n", name, "link", "set", "lo", "up"])

    def device_added(self, name, dev):
        v4, v6 = (T.A4, T.A6) if dev == "vethA" else (T.B4, T.B6)
        run(["ip", "-n", name, "addr", "add", f"{v4}/24", "dev", dev])
        run(["ip", "-n", name, "addr", "add", f"{v6}/64", "dev", dev, "nodad"])

    def before_up(self):
        for n, dev, v4, v6, mac in ((self.a, "vethA", T.B4, T.B6, T.MAC_B),
                                    (self.b, "vethB", T.A4, T.A6, T.MAC_A)):
            for addr in (v4, v6):
                run(["ip", "-n", n, "neigh", "replace", addr, "lladdr", mac, "dev", dev, "nud",
                     "permanent"])


def listeners(env):
    """veth_traffic.py server in namespace A; its counts as they change (netns.Helper)."""
    return Helper(env, env.a, [PY, TRAFFIC, "server"], "listeners")


def send(env, plan):
    """Run a traffic plan from namespace B; returns its JSON (window, capture, errors)."""
    r = run(env.ns(env.b, PY, TRAFFIC, "client", plan, "vethB"), check=False, timeout=60)
    try:
        res = json.loads(r.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        raise HarnessError(f"traffic plan {plan} failed ({r.returncode}): {r.stderr.strip()}")
    if res["errors"]:
        raise HarnessError(f"traffic plan {plan}: " + "; ".join(res["errors"]))
    return res


def start_nfcapd(env):
    """A real nfcapd in namespace A (bpfixtest.Nfcapd), its flows and log in the temporary
    directory."""
    col = Nfcapd(env.tmp, port=NFCAPD_PORT, popen=functools.partial(env.spawn, env.a))
    col.start()
    return col


# ---------------------------------------------------------------------------------------------
# Records, from both decoders, in one shape

# A record as a dict: ver src dst proto sport dport packets octets first last tos flags in_if
# out_if dir (both decoders); end teid osrc odst minttl maxttl (ipfixDump only).
COMMON = ("ver", "src", "dst", "proto", "sport", "dport", "packets", "octets", "first", "last",
          "tos", "flags", "in_if", "out_if", "dir")


def nfdump_record(o):
    f = flow_from_json(o)
    return {"ver": f.ver, "src": f.src, "dst": f.dst, "proto": f.proto, "sport": f.sport,
            "dport": f.dport, "packets": f.packets, "octets": f.octets, "first": f.first_ms,
            "last": f.last_ms, "tos": f.tos, "flags": f.tcp_flags or 0,
            "in_if": int(o.get("input_snmp", -1)), "out_if": int(o.get("output_snmp", -1)),
            "dir": int(o.get("direction", -1))}


def fmt_rec(r):
    s = (f"v{r['ver']} {r['src']}:{r['sport']} -> {r['dst']}:{r['dport']} proto {r['proto']} "
         f"packets {r['packets']} octets {r['octets']} first {r['first']} last {r['last']} "
         f"tos {r['tos']} flags 0x{r['flags']:02x} in_if {r['in_if']} out_if {r['out_if']} "
         f"dir {r['dir']}")
    for k in ("end", "teid", "osrc", "odst", "minttl", "maxttl"):
        if r.get(k) is not None:
            s += f" {k} {r[k]}"
    return s


def tuple5(r):
    return (r["ver"], r["src"], r["dst"], r["proto"], r["sport"], r["dport"])


# ---------------------------------------------------------------------------------------------
# Expectations

class Expected:
    """One flow the test sent, as bpfix must report it."""

    def __init__(self, name, key, hook, packets, octets, tos=0, ttl=64, flags=None, end=4,
                 teid=None, osrc=None, odst=None, single=True):
        self.name, self.key, self.hook = name, key, hook
        self.packets, self.octets, self.tos, self.ttl = packets, octets, tos, ttl
        self.flags, self.end, self.teid, self.osrc, self.odst = flags, end, teid, osrc, odst
        self.single = single
        self.cap_key = None                     # capture flow, if not (key, hook)
        self.cap_first = self.cap_last = None   # capture times, ms

    def describe(self):
        v, s, d, p, sp, dp = self.key
        return f"{self.name} ({self.hook}: v{v} {s}:{sp} -> {d}:{dp} proto {p})"


def capture_flows(packets):
    """Capture -> {(5-tuple, hook): aggregate}; hook from the packet's direction on vethB."""
    flows = {}
    for ts, out, ver, src, dst, proto, sport, dport, iplen, tos, ttl, flags, payload in packets:
        key = ((ver, src, dst, proto, sport, dport), "ingress" if out else "egress")
        a = flows.setdefault(key, {"packets": 0, "octets": 0, "first": ts, "last": ts,
                                   "tos": set(), "ttl": set(), "flags": 0, "payload": 0,
                                   "maxlen": 0})
        a["packets"] += 1
        a["octets"] += iplen
        a["first"], a["last"] = min(a["first"], ts), max(a["last"], ts)
        a["tos"].add(tos)
        a["ttl"].add(ttl)
        a["flags"] |= flags
        a["payload"] += payload
        a["maxlen"] = max(a["maxlen"], iplen)
    return flows


def udp_pair(name, ver, b, a, bport, sizes, tos):
    hdr = 28 if ver == 4 else 48
    return [Expected(f"{name} request", (ver, b, a, 17, bport, T.UDP_ECHO_PORT), "ingress",
                     len(sizes), sum(hdr + n for n in sizes), tos=tos),
            Expected(f"{name} reply", (ver, a, b, 17, T.UDP_ECHO_PORT, bport), "egress",
                     len(sizes), sum(hdr + T.reply_size(n) for n in sizes))]


def tcp_pairs(cap, ports, server_port, c2s, s2c, resent_ok=False):
    """B's TCP connections to A (IPv4 from ports[0], IPv6 from ports[1]) to server_port, c2s and
    s2c octets of data: both directions of each, packets and octets as the capture has them.
    resent_ok: the capture may hold more payload than was sent (a bulk transfer's tail loss
    probes, which bpfix sees too), never less."""
    exp = []
    for ver, b, a, port in ((4, T.B4, T.A4, ports[0]), (6, T.B6, T.A6, ports[1])):
        for name, key, hook, data in (
                (f"TCP/IPv{ver} client->server", (ver, b, a, 6, port, server_port), "ingress",
                 c2s),
                (f"TCP/IPv{ver} server->client", (ver, a, b, 6, server_port, port), "egress",
                 s2c)):
            c = cap.get((key, hook))
            if c is None:
                raise HarnessError(f"the capture has no {name} packets")
            if c["payload"] < data or (c["payload"] > data and not resent_ok):
                raise HarnessError(f"the capture has {c['payload']} TCP payload octets {name}, "
                                   f"{data} were sent")
            if c["maxlen"] > 1500:
                raise HarnessError(f"the capture holds a {c['maxlen']}-octet IP packet {name}: "
                                   f"offloads are not off")
            exp.append(Expected(name, key, hook, c["packets"], c["octets"], tos=None,
                                flags=c["flags"], end=3, single=False))
    return exp


def expectations(plan, cap):
    """The flows of a plan, checked against the capture; TCP counts taken from it. A capture that
    disagrees with what was sent is a harness problem (the veth did not carry what we think)."""
    exp = []
    if plan == "main":
        exp += udp_pair("UDP/IPv4 echo", 4, T.B4, T.A4, T.PORT_UDP4, T.UDP4_SIZES, T.UDP4_TOS)
        exp += udp_pair("UDP/IPv6 echo", 6, T.B6, T.A6, T.PORT_UDP6, T.UDP6_SIZES, T.UDP6_TCLASS)
        exp += tcp_pairs(cap, (T.PORT_TCP4, T.PORT_TCP6), T.TCP_PORT, T.TCP_C2S, T.TCP_S2C)
        sizes = T.GTPU_INNER_SIZES
        outer_key = ((4, T.B4, T.A4, 17, T.GTPU_PORT, T.GTPU_PORT), "ingress")
        outer = cap.get(outer_key, {"packets": 0, "octets": 0})
        want_outer = (len(sizes), sum(20 + 8 + 8 + 28 + n for n in sizes))  # IP UDP GTP-U inner
        if (outer["packets"], outer["octets"]) != want_outer:
            raise HarnessError(f"the capture's GTP-U packets/octets {outer['packets']}/"
                               f"{outer['octets']} are not the {want_outer} sent")
        g = Expected("GTP-U inner UDP/IPv4", (4, T.GTPU_INNER_SRC, T.GTPU_INNER_DST, 17,
                                              T.GTPU_INNER_SPORT, T.GTPU_INNER_DPORT),
                     "ingress", len(sizes), sum(28 + n for n in sizes), teid=T.GTPU_TEID,
                     osrc=T.B4, odst=T.A4)
        g.cap_key = outer_key   # its times: the outer packets
        exp.append(g)
    elif plan == "echo":
        exp += udp_pair("UDP/IPv4 echo after restart", 4, T.B4, T.A4, T.PORT_ECHO_AGAIN,
                        T.ECHO_AGAIN_SIZES, 0)
    elif plan == "bulk":
        exp += tcp_pairs(cap, (T.PORT_BULK4, T.PORT_BULK6), T.TCP_BULK_PORT, T.TCP_BULK_C2S,
                         T.TCP_BULK_S2C, resent_ok=True)
    elif plan == "drop":
        exp.append(Expected("UDP/IPv4 to the dropped port", (4, T.B4, T.A4, 17, T.PORT_DROP,
                                                            T.UDP_SINK_PORT), "ingress",
                            len(T.DROP_SIZES), sum(28 + n for n in T.DROP_SIZES)))
    for e in exp:
        c = cap.get(e.cap_key or (e.key, e.hook))
        if c is None:
            raise HarnessError(f"the capture has no packets of {e.describe()}")
        if e.teid is None and (c["packets"], c["octets"]) != (e.packets, e.octets):
            raise HarnessError(f"the capture has {c['packets']} packets / {c['octets']} octets of "
                               f"{e.describe()}, {e.packets} / {e.octets} were sent")
        e.cap_first, e.cap_last = c["first"] // 1000000, c["last"] // 1000000
        if e.tos is None:
            e.tos = min(c["tos"]) if len(c["tos"]) == 1 else None
        e.ttl = min(c["ttl"]) if len(c["ttl"]) == 1 else None
    return exp


def check_flows(exp, records, decoder, ifindex, window, problems, full=True):
    """Each expected flow against the records of one decoder (full: ipfixDump's extra fields)."""
    by5 = defaultdict(list)
    for r in records:
        by5[tuple5(r)].append(r)
    lo, hi = window
    for e in exp:
        rs = by5.get(e.key, [])
        what = f"{decoder}: {e.describe()}"
        if not rs:
            problems.append(f"{what}: no record (expected {e.packets} packets, {e.octets} "
                            f"octets)")
            continue
        if e.single and len(rs) != 1:
            problems.append(f"{what}: {len(rs)} records, expected 1: " +
                            "; ".join(fmt_rec(r) for r in rs))
        packets, octets = sum(r["packets"] for r in rs), sum(r["octets"] for r in rs)
        first, last = min(r["first"] for r in rs), max(r["last"] for r in rs)
        flags = 0
        for r in rs:
            flags |= r["flags"]
        if (packets, octets) != (e.packets, e.octets):
            problems.append(f"{what}: {packets} packets / {octets} octets, expected {e.packets} "
                            f"/ {e.octets}")
        want_if = (ifindex, 0, 0) if e.hook == "ingress" else (0, ifindex, 1)
        for r in rs:
            if (r["in_if"], r["out_if"], r["dir"]) != want_if:
                problems.append(f"{what}: ingressInterface/egressInterface/flowDirection "
                                f"{r['in_if']}/{r['out_if']}/{r['dir']}, expected "
                                f"{'/'.join(map(str, want_if))}")
            if r["first"] > r["last"]:
                problems.append(f"{what}: first {r['first']} after last {r['last']}")
        if not (lo - 1 <= first and last <= hi + 1):
            problems.append(f"{what}: times {first}..{last} ms outside the traffic window "
                            f"{lo}..{hi} ms")
        if abs(first - e.cap_first) > TIME_SLACK_MS or abs(last - e.cap_last) > TIME_SLACK_MS:
            problems.append(f"{what}: times {first}..{last} ms, the capture saw "
                            f"{e.cap_first}..{e.cap_last} ms")
        if e.tos is not None and any(r["tos"] != e.tos for r in rs):
            problems.append(f"{what}: ipClassOfService {[r['tos'] for r in rs]}, expected "
                            f"{e.tos}")
        if e.flags is not None and flags != e.flags:
            problems.append(f"{what}: TCP flags 0x{flags:02x}, the capture has 0x{e.flags:02x}")
        if e.flags is not None and (e.flags & 0x13) != 0x13:
            problems.append(f"{what}: the capture's TCP flags 0x{e.flags:02x} lack SYN/ACK/FIN")
        if not full:
            continue
        ends = sorted({r["end"] for r in rs})
        if ends != [e.end]:
            problems.append(f"{what}: flowEndReason {ends}, expected {e.end}")
        if e.ttl is not None and any((r["minttl"], r["maxttl"]) != (e.ttl, e.ttl) for r in rs):
            problems.append(f"{what}: min/max TTL {[(r['minttl'], r['maxttl']) for r in rs]}, "
                            f"expected {e.ttl}")
        for r in rs:
            if (r["teid"], r["osrc"], r["odst"]) != (e.teid, e.osrc, e.odst):
                problems.append(f"{what}: gtpuTEid/tunnel source/destination {r['teid']}/"
                                f"{r['osrc']}/{r['odst']}, expected {e.teid}/{e.osrc}/{e.odst}")


def same_records(nf, ipf, problems):
    """nfdump's and ipfixDump's records are the same multiset (on what both decode)."""
    a = sorted(tuple(r[k] for k in COMMON) for r in nf)
    b = sorted(tuple(r[k] for k in COMMON) for r in ipf)
    if a == b:
        return
    only_nf = list(a)
    only_ipf = []
    for t in b:
        if t in only_nf:
            only_nf.remove(t)
        else:
            only_ipf.append(t)
    problems.append(f"nfdump and ipfixDump decode different records ({len(a)} vs {len(b)}):")
    for t in only_nf:
        problems.append("  only nfdump:    " + fmt_rec(dict(zip(COMMON, t))))
    for t in only_ipf:
        problems.append("  only ipfixDump: " + fmt_rec(dict(zip(COMMON, t))))


def check_summary(bp, summary, records, problems):
    missing = [k for k in ("packets seen", "packets metered", "flows", "records sent")
               if k not in summary]
    if missing:
        problems.append(f"{bp.name}: summary lines missing: {', '.join(missing)}")
        return
    unmetered = not_metered(summary)
    if summary["packets seen"] != summary["packets metered"] + unmetered:
        problems.append(f"{bp.name}: packets seen {summary['packets seen']} != metered "
                        f"{summary['packets metered']} + not metered {unmetered}")
    if summary["records sent"] != len(records):
        problems.append(f"{bp.name}: summary says {summary['records sent']} records sent, the "
                        f"file holds {len(records)} flow records")
    # nothing was evicted (a few flows, a 65536-entry map) and every flow was exported: the
    # packets in the records are the packets metered
    in_records = sum(r["packets"] for r in records)
    for key in ("packets metered", "packets exported"):
        if key in summary and summary[key] != in_records:
            problems.append(f"{bp.name}: summary '{key}: {summary[key]}', the records hold "
                            f"{in_records} packets")
    lost = summary.get("packets lost to eviction or removal race", 0)
    if lost:
        problems.append(f"{bp.name}: summary 'packets lost to eviction or removal race: {lost}', "
                        f"expected 0 (no eviction in a 65536-entry map holding a few flows)")


def filters_problems(env, what, problems, want_ours=False):
    for hook in ("ingress", "egress"):
        ids = env.our_prog_ids(hook)
        if bool(ids) != want_ours:
            problems.append(f"{what}: bpfix filter (handle {OUR_HANDLE}) on vethA {hook}: "
                            f"{ids or 'none'}\n{env.filters(hook)}")


def bpf_programs():
    """`bpftool prog show`: the BPF programs loaded."""
    return run(["bpftool", "prog", "show"], check=False).stdout


def loaded(ids, text):
    """Those of these program ids that text (bpf_programs()) lists."""
    return [i for i in ids if re.search(rf"^{i}:", text, re.M)]


def dropped(env):
    """The packets the dropping filter on vethA's ingress (u32 + mirred) has taken: its mirred
    action's counter."""
    filters = json.loads(env.tc("-s", "-j", "filter", "show", "dev", "vethA", "ingress") or "[]")
    return sum(act.get("stats", {}).get("packets", 0) for f in filters if f.get("kind") == "u32"
               for act in f.get("options", {}).get("actions", []) if act.get("kind") == "mirred")


def send_into_drop(env):
    """The drop plan from namespace B, returned once the dropping filter on vethA's ingress took
    every packet B sent meanwhile (its capture's outgoing packets): each went through the
    filters before it (bpfix's), and none that the filter let through can still be on its way
    to the listeners."""
    before = dropped(env)
    res = send(env, "drop")
    sent = sum(1 for p in res["packets"] if p[1])
    wait_until(lambda: dropped(env) >= before + sent, WAIT,
               f"the dropping filter to count the {sent} packets sent into it")
    return res


# ---------------------------------------------------------------------------------------------
# Cases

def case_main(env, a, problems):
    if env.has_clsact():
        raise HarnessError("vethA has a clsact qdisc before the main case")
    server = listeners(env)
    col = start_nfcapd(env)
    out = os.path.join(env.tmp, "main.ipfix")
    bp = Bpfix(env, a.bpfix, ["-i", "vethA", "--collector", f"127.0.0.1:{NFCAPD_PORT}",
                              "--output", out, "--idle-timeout", "60", "--active-timeout", "120",
                              "--stats-interval", "1"], "main")
    bp.wait_attached()
    res = send(env, "main")
    # the GTP-U G-PDUs, sent last and never answered, reached the listener: vethA took them in
    wait_until(lambda: server.counts().get("gtpu", 0) >= len(T.GTPU_INNER_SIZES), WAIT,
               "the GTP-U listener to receive the G-PDUs sent")
    # TCP flows ended by FIN go out after a 1 s linger at a once-a-second sweep
    tcp = {(4, T.B4, T.A4, 6, T.PORT_TCP4, T.TCP_PORT), (4, T.A4, T.B4, 6, T.TCP_PORT, T.PORT_TCP4),
           (6, T.B6, T.A6, 6, T.PORT_TCP6, T.TCP_PORT), (6, T.A6, T.B6, 6, T.TCP_PORT, T.PORT_TCP6)}
    bp.wait_records(out, a.elements, lambda records: tcp <= {tuple5(r) for r in records},
                    "the records of the TCP flows (ended by FIN) in the output file")
    rc = bp.stop()
    err = bp.stderr()
    counts = server.stop()
    col.stop(drain_timeout=10, timeout=20)
    if col.drops:
        problems.append(f"nfcapd's socket dropped {col.drops} datagrams")
    if rc != 0:
        problems.append(f"main: bpfix exited with {rc}, expected 0:\n{err}")
    if env.has_clsact():
        problems.append("main: the clsact qdisc bpfix created is still on vethA after exit:\n" +
                        env.tc("qdisc", "show", "dev", "vethA"))
    if counts["udp_echo4"] != len(T.UDP4_SIZES) or counts["udp_echo6"] != len(T.UDP6_SIZES) or \
            counts["gtpu"] != len(T.GTPU_INNER_SIZES) or counts["tcp_conns"] != 2:
        raise HarnessError(f"the listeners did not receive what was sent: {counts}")

    cap = capture_flows(res["packets"])
    exp = expectations("main", cap)
    window = (res["t0_ns"] // 1000000, res["t1_ns"] // 1000000)
    nf = [nfdump_record(o) for o in col.json_records()]
    if not os.path.exists(out):
        problems.append("main: bpfix wrote no --output file")
        return
    ipf, decoded = I.flow_dicts(out, a.elements)
    vlog(f"bpfix stderr:\n{err}")
    vlog(f"capture: {len(res['packets'])} packets; vethA ifindex {env.ifindex_a}")
    for r in sorted(ipf, key=lambda r: (r["first"], fmt_rec(r))):
        vlog("  ipfixDump " + fmt_rec(r))
    check_flows(exp, ipf, "ipfixDump", env.ifindex_a, window, problems)
    check_flows(exp, nf, "nfdump", env.ifindex_a, window, problems, full=False)
    same_records(nf, ipf, problems)
    mine = {e.key for e in exp}
    others = [r for r in ipf if tuple5(r) not in mine]
    log(f"main: {len(exp)} expected flows, {len(ipf)} records in the file, {len(nf)} decoded by "
        f"nfdump, {len(others)} other records (IPv6 MLD/RS noise of the links)")
    for r in others:
        vlog("  other: " + fmt_rec(r))
        if r["proto"] != 58:
            problems.append(f"main: unexpected record {fmt_rec(r)}")

    summary = summary_numbers(err)
    check_summary(bp, summary, ipf, problems)
    sent = sum(e.packets for e in exp if e.teid is None) + len(T.GTPU_INNER_SIZES)
    if summary.get("packets seen", 0) < len(res["packets"]) or \
            summary.get("packets seen", 0) < sent:
        problems.append(f"main: packets seen {summary.get('packets seen')} < the "
                        f"{len(res['packets'])} packets captured on vethB ({sent} in the test's "
                        f"flows; the records hold {sum(r['packets'] for r in ipf)})")
    # statistics options records in observation domain 0: periodic (1 s) and the final ones
    dom0 = I.domain_records(decoded, 0)
    totals = [r for r in dom0 if "packetTotalCount" in r]
    if len(totals) < 2:
        problems.append(f"main: {len(totals)} statistics totals records in domain 0, expected "
                        f"several (--stats-interval 1, a run of several seconds)")
    elif int(totals[-1]["packetTotalCount"]) != summary.get("packets seen") or \
            int(totals[-1]["exportedFlowRecordTotalCount"]) != summary.get("records sent"):
        problems.append(f"main: last statistics record {totals[-1]} disagrees with the summary "
                        f"{summary}")
    log(f"main: summary packets seen {summary.get('packets seen')}, metered "
        f"{summary.get('packets metered')}, flows {summary.get('flows')}, records sent "
        f"{summary.get('records sent')}; {len(totals)} statistics totals records")


def case_kill(env, a, problems):
    server = listeners(env)
    b1 = Bpfix(env, a.bpfix, ["-i", "vethA", "--output", os.path.join(env.tmp, "kill1.ipfix")],
               "killed")
    b1.wait_attached()
    ids1 = {h: env.our_prog_ids(h) for h in ("ingress", "egress")}
    b1.stop(signal.SIGKILL)
    left = {h: env.our_prog_ids(h) for h in ("ingress", "egress")}
    if left != ids1:
        problems.append(f"kill: after SIGKILL the filters at {OUR_HANDLE} are {left}, before "
                        f"{ids1} (the kernel should keep them)")
    log(f"kill: after SIGKILL the kernel keeps bpfix's filters: programs {left}")

    out = os.path.join(env.tmp, "kill2.ipfix")
    b2 = Bpfix(env, a.bpfix, ["-i", "vethA", "--output", out], "restarted")
    b2.wait_attached()
    ids2 = {h: env.our_prog_ids(h) for h in ("ingress", "egress")}
    for h in ("ingress", "egress"):
        if len(ids2[h]) != 1 or ids2[h] == ids1[h]:
            problems.append(f"kill: after the restart vethA {h} has bpfix programs {ids2[h]} "
                            f"(killed instance's: {ids1[h]}): expected one, replaced")
    res = send(env, "echo")
    rc = b2.stop()
    counts = server.stop()
    err = b2.stderr()
    if rc != 0:
        problems.append(f"kill: the restarted bpfix exited with {rc}:\n{err}")
    if counts["udp_echo4"] != len(T.ECHO_AGAIN_SIZES):
        raise HarnessError(f"the listener did not receive the echo plan: {counts}")
    filters_problems(env, "kill: after the restarted bpfix's exit", problems)
    ids = sorted({i for d in (ids1, ids2) for v in d.values() for i in v})
    try:
        wait_until(lambda: not loaded(ids, bpf_programs()), WAIT,
                   f"BPF programs {ids} to be unloaded after both bpfix processes are gone")
    except AssertionError as e:
        problems.append(f"kill: {e}")   # the checks below go on
    text = bpf_programs()
    left = loaded(ids, text)
    others = [line for line in text.splitlines() if re.search(r"name bpfix_", line)]
    if others:
        log("kill: note: other bpfix_* programs are loaded (other tests running?): " +
            "; ".join(others))
    clsact_left = env.has_clsact()
    log(f"kill: programs {ids} gone: {not left}; clsact left on vethA (created by the killed "
        f"instance, found existing by the restarted one): {clsact_left}")
    if os.path.exists(out):
        ipf, _ = I.flow_dicts(out, a.elements)
        exp = expectations("echo", capture_flows(res["packets"]))
        check_flows(exp, ipf, "ipfixDump (restarted)", env.ifindex_a,
                    (res["t0_ns"] // 1000000, res["t1_ns"] // 1000000), problems)
    else:
        problems.append("kill: the restarted bpfix wrote no --output file")
    if clsact_left:
        env.tc("qdisc", "del", "dev", "vethA", "clsact")


def case_errors(env, a, problems):
    tmp = os.path.join(env.tmp, "errors")
    os.mkdir(tmp)
    out = os.path.join(tmp, "nosuchif.ipfix")
    r = run(env.ns(env.a, a.bpfix, "run", "-i", "nosuchif", "--output", out), check=False)
    lines = [x for x in (r.stdout + r.stderr).splitlines() if x.strip()]
    log(f"errors: bpfix run -i nosuchif: exit {r.returncode}: {lines}")
    if r.returncode != 1:
        problems.append(f"errors: -i nosuchif exited with {r.returncode}, expected 1")
    if not any("nosuchif" in x for x in lines):
        problems.append(f"errors: -i nosuchif: no message names the interface: {lines}")
    if len(lines) != 1:
        problems.append(f"errors: -i nosuchif printed {len(lines)} lines, expected one message")
    if os.path.exists(out):
        problems.append("errors: -i nosuchif left an output file")

    # Without privilege: a copy of the binary that nobody can reach and run.
    os.chmod(env.tmp, 0o755)
    os.chmod(tmp, 0o777)
    binary = os.path.join(tmp, "bpfix")
    shutil.copy(a.bpfix, binary)
    os.chmod(binary, 0o755)
    with open(binary, "rb") as f:
        if f.read(4) != b"\x7fELF" or os.path.getsize(binary) != os.path.getsize(a.bpfix):
            raise HarnessError(f"{a.bpfix} changed while being copied (being rebuilt?)")
    out = os.path.join(tmp, "unpriv.ipfix")
    before = (env.tc("qdisc", "show", "dev", "vethA"), env.filters("ingress"),
              env.filters("egress"))
    r = run(env.ns(env.a, "setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                   "--inh-caps=-all", binary, "run", "-i", "vethA", "--output", out), check=False)
    lines = [x for x in (r.stdout + r.stderr).splitlines() if x.strip()]
    log(f"errors: bpfix run as nobody: exit {r.returncode}: {lines}")
    if r.returncode != 1:
        problems.append(f"errors: unprivileged run exited with {r.returncode}, expected 1")
    if "CAP_BPF" not in r.stdout + r.stderr:
        problems.append(f"errors: unprivileged run: the message does not name CAP_BPF (the "
                        f"first capability it lacks): {lines}")
    if len(lines) != 1:
        problems.append(f"errors: unprivileged run printed {len(lines)} lines, expected one "
                        f"message")
    if os.path.exists(out):
        problems.append("errors: unprivileged run left an output file")
    after = (env.tc("qdisc", "show", "dev", "vethA"), env.filters("ingress"),
             env.filters("egress"))
    if after != before:
        problems.append(f"errors: unprivileged run changed vethA's tc state: {before} -> {after}")


def case_drop(env, a, problems):
    run(["ip", "-n", env.a, "link", "add", "vethD0", "type", "veth", "peer", "name", "vethD1"])
    env.tc("qdisc", "add", "dev", "vethA", "clsact")
    # u32 (no matchall/gact in every kernel): a redirect to a down device drops the packet
    env.tc("filter", "add", "dev", "vethA", "ingress", "prio", "10", "u32", "match", "u32", "0",
           "0", "action", "mirred", "egress", "redirect", "dev", "vethD0")
    env.tc("filter", "add", "dev", "vethA", "egress", "prio", "10", "bpf", "bytecode",
           "1,6 0 0 0,")
    theirs = (env.filters("ingress"), env.filters("egress"))
    server = listeners(env)
    send_into_drop(env)   # the filter must drop on its own, else this case proves nothing
    counts = server.stop()
    if counts["udp_sink"]:
        raise HarnessError(f"the dropping u32/mirred filter did not drop ({counts['udp_sink']} "
                           f"datagrams delivered without bpfix)")

    server = listeners(env)
    out = os.path.join(env.tmp, "drop.ipfix")
    bp = Bpfix(env, a.bpfix, ["-i", "vethA", "--direction", "ingress", "--output", out], "drop")
    bp.wait_attached(hooks=("ingress",))
    if env.our_prog_ids("egress"):
        problems.append(f"drop: --direction ingress attached to egress too:\n"
                        f"{env.filters('egress')}")
    res = send_into_drop(env)
    rc = bp.stop()
    counts = server.stop()
    if rc != 0:
        problems.append(f"drop: bpfix exited with {rc}:\n{bp.stderr()}")
    if counts["udp_sink"]:
        problems.append(f"drop: with bpfix in front, {counts['udp_sink']} of "
                        f"{len(T.DROP_SIZES)} datagrams got through the dropping filter")
    if not env.has_clsact():
        problems.append("drop: the clsact that existed before bpfix is gone")
    now = (env.filters("ingress"), env.filters("egress"))
    if now != theirs:
        problems.append(f"drop: the other filters changed:\nbefore {theirs}\nafter  {now}")
    filters_problems(env, "drop: after bpfix's exit", problems)
    if not os.path.exists(out):
        problems.append("drop: bpfix wrote no --output file")
        return
    ipf, _ = I.flow_dicts(out, a.elements)
    exp = expectations("drop", capture_flows(res["packets"]))
    check_flows(exp, ipf, "ipfixDump (drop)", env.ifindex_a,
                (res["t0_ns"] // 1000000, res["t1_ns"] // 1000000), problems)
    egress = [r for r in ipf if r["dir"] != 0]
    if egress:
        problems.append("drop: --direction ingress exported egress records: " +
                        "; ".join(fmt_rec(r) for r in egress))
    log(f"drop: {len(T.DROP_SIZES)} datagrams into a dropping filter behind bpfix: "
        f"{counts['udp_sink']} delivered; {len(ipf)} records; other filters kept: {now == theirs}")


CASES = Cases([("main", case_main), ("kill", case_kill), ("errors", case_errors),
               ("drop", case_drop)])


def main():
    global VERBOSE
    a = case_arguments(__doc__, CASES)
    VERBOSE = a.verbose
    # one pair of namespaces for all the cases
    return run_cases(CASES, a, Env, "bpfix-live-", TOOLS, ROOT_FOR, setup=Env.setup,
                     errors=(I.DecodeError,))


if __name__ == "__main__":
    sys.exit(main())
