#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""Measure what closing active records loses under live traffic, on a veth (0 expected).

    sudo /usr/bin/python3 bench/active_race.py [--bpfix build/src/bpfix] [--seconds 20] [--quick]
                                               [--flows 4] [--senders N] [--rate PPS] [--keep]

At an active timeout the record of a flow that goes on is closed in the kernel: user space runs the
close program (bpf/flow.bpf.c bpfix_close), which exchanges the per-record fields and reads the
totals in place; user space never writes the flow (until 2026-12 it read the totals and wrote them
back, and a packet the TC program added in between was lost: bench/README.md has both). This
benchmark makes closes race packets as often as it can: `bpfix run --active-timeout 1` closes a
record of every flow on every sweep, while namespace B sends UDP as fast as it can over a handful of
flows to vethA, where bpfix meters. After SIGTERM (bpfix exports every flow) it compares

    sent           the datagrams the senders' send() accepted, per flow
    vethA rx       vethA's rx_packets over bpfix's lifetime (IPv6 is off: no other traffic)
    seen/metered   bpfix's summary ("packets seen", "packets metered")
    in records     packetDeltaCount summed over the records of bpfix's --output file, decoded by
                   ipfixDump (tests/replay/ipfix_records.py): exact, no UDP transport in between

and prints lost = metered - in records, the active records (flowEndReason 2: one record close
each), lost per million metered packets and per close; per flow, sent minus in records (a packet
added to a map element that was deleted meanwhile may land in another flow's element when the LRU
map recycles it at once: per flow the difference could then be negative).

--rate PPS limits the total send rate (0: as fast as the senders go) to see how the loss scales.
--quick: 6 seconds. Exit 0 when it measured (whatever the loss), 2 on a harness error, 77 skipped.
Everything it creates (namespaces, veths, processes by pid, its temporary directory) is removed on
every path.
"""

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections import Counter

sys.dont_write_bytecode = True   # no __pycache__ in the source tree
HERE = os.path.dirname(os.path.abspath(__file__))
TESTS = os.path.join(HERE, "..", "tests")
sys.path[:0] = [os.path.join(TESTS, "lib"), os.path.join(TESTS, "replay")]
import ipfix_records as I  # noqa: E402
from bpfixtest import HarnessError, log, preflight, summary_numbers  # noqa: E402
from netns import PY, Bpfix, VethEnv, run, run_in_env  # noqa: E402

A4, B4 = "10.203.0.1", "10.203.0.2"
MAC_A, MAC_B = "02:b9:f1:00:01:0a", "02:b9:f1:00:01:0b"
DPORT = 9000               # sink ports on A: DPORT, DPORT + 1, ...
SPORT = 41000              # flow i: B4:SPORT+i -> A4:DPORT+i
PAYLOAD = 18               # octets of UDP payload: a 60-octet frame
END_ACTIVE, END_FORCED = 2, 4


# ---------------------------------------------------------------------------------------------
# The helpers run inside the namespaces (this script again, hidden subcommands)

def sink_main(nflows):
    """Namespace A: bind the flows' destination ports and never read (a full receive buffer
    drops; no ICMP port unreachable goes back), until SIGTERM."""
    socks = []
    for i in range(nflows):
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        s.bind((A4, DPORT + i))
        socks.append(s)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    print("ready", flush=True)
    while True:
        signal.pause()


def send_main(flows, seconds, rate):
    """Namespace B: send PAYLOAD-octet datagrams round robin over flows (indices) for seconds, at
    most rate per second in total (0: no limit); print {flow: datagrams sent} as JSON."""
    socks = []
    for i in flows:
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind((B4, SPORT + i))
        s.connect((A4, DPORT + i))
        socks.append(s)
    sent = [0] * len(socks)
    errors = 0
    data = b"\0" * PAYLOAD
    burst = 32
    t0 = time.monotonic()
    end = t0 + seconds
    n = 0
    sends = [s.send for s in socks]
    k = len(sends)
    while True:
        now = time.monotonic()
        if now >= end:
            break
        if rate:
            due = t0 + n / rate
            if due > now:
                time.sleep(due - now)
        for _ in range(burst):
            j = n % k
            try:
                sends[j](data)
                sent[j] += 1
            except OSError:
                errors += 1
            n += 1
    print(json.dumps({"sent": {str(i): c for i, c in zip(flows, sent)}, "errors": errors,
                      "seconds": time.monotonic() - t0}), flush=True)


# ---------------------------------------------------------------------------------------------
# The environment

class Env(VethEnv):
    """vethA (namespace A, bpfix) and vethB (namespace B, senders), IPv4 only, static
    neighbours: the only packets on the veth are the senders'."""

    MAC_A, MAC_B = MAC_A, MAC_B

    def __init__(self, tmp):
        super().__init__(tmp, "race")

    def namespace_added(self, name):
        run(["ip", "-n", name, "link", "set", "lo", "up"])
        self.sysctl(name, "/proc/sys/net/ipv6/conf/all/disable_ipv6", 1)
        self.sysctl(name, "/proc/sys/net/ipv6/conf/default/disable_ipv6", 1)

    def device_added(self, name, dev):
        self.sysctl(name, f"/proc/sys/net/ipv6/conf/{dev}/disable_ipv6", 1)
        run(["ip", "-n", name, "addr", "add", f"{A4 if dev == 'vethA' else B4}/24", "dev", dev])

    def before_up(self):
        run(["ip", "-n", self.a, "neigh", "replace", B4, "lladdr", MAC_B, "dev", "vethA", "nud",
             "permanent"])
        run(["ip", "-n", self.b, "neigh", "replace", A4, "lladdr", MAC_A, "dev", "vethB", "nud",
             "permanent"])

    def stat(self, name, dev, what):
        return int(self.read_sys(name, f"/sys/class/net/{dev}/statistics/{what}") or 0)


# ---------------------------------------------------------------------------------------------
# One measurement

def measure(env, a):
    me = os.path.abspath(__file__)
    sink = env.spawn(env.a, [PY, me, "_sink", str(a.flows)], stdout=subprocess.PIPE, text=True)
    if sink.stdout.readline().strip() != "ready":
        raise HarnessError("the sink did not start")

    rx0 = env.stat(env.a, "vethA", "rx_packets")
    out = os.path.join(env.tmp, "records.ipfix")
    bpfix = Bpfix(env, a.bpfix, ["-i", "vethA", "--active-timeout", "1", "--idle-timeout", "300",
                                 "-o", out], "bpfix")
    bpfix.wait_attached()
    time.sleep(0.2)

    nsend = max(1, min(a.senders, a.flows))
    senders = []
    for k in range(nsend):
        flows = [i for i in range(a.flows) if i % nsend == k]
        rate = a.rate * len(flows) / a.flows if a.rate else 0
        senders.append(env.spawn(env.b, [PY, me, "_send", ",".join(map(str, flows)),
                                         str(a.seconds), str(rate)],
                                 stdout=subprocess.PIPE, text=True))
    sent, errors, secs = Counter(), 0, 0.0
    for p in senders:
        o, _ = p.communicate(timeout=a.seconds + 60)
        try:
            r = json.loads(o.strip().splitlines()[-1])
        except (ValueError, IndexError):
            raise HarnessError(f"a sender exited with {p.returncode}: {o!r}")
        sent.update({int(i): c for i, c in r["sent"].items()})
        errors += r["errors"]
        secs = max(secs, r["seconds"])

    time.sleep(1.5)    # one more sweep with the flows idle: nothing left to race
    rc = bpfix.stop()
    rx1 = env.stat(env.a, "vethA", "rx_packets")
    drops = env.stat(env.a, "vethA", "rx_dropped") + env.stat(env.b, "vethB", "tx_dropped")
    sink.send_signal(signal.SIGTERM)
    sink.wait(10)
    text = bpfix.stderr()
    if rc != 0:
        raise HarnessError(f"bpfix exited with {rc}:\n{text}")
    summ = summary_numbers(text)

    flows = I.flows(out)
    in_records = sum(f.packets for f in flows)
    ends = Counter(f.end for f in flows)
    per_flow = Counter()
    for f in flows:
        if f.proto == 17 and f.src == B4 and f.dst == A4 and SPORT <= f.sport < SPORT + a.flows:
            per_flow[f.sport - SPORT] += f.packets
    return {
        "sent": sum(sent.values()), "send_errors": errors, "seconds": secs,
        "rx": rx1 - rx0, "drops": drops,
        "seen": summ.get("packets seen"), "metered": summ.get("packets metered"),
        "exported": summ.get("packets exported"),
        # named for what it holds ("lost to eviction or removal race"; formerly "lost to flow
        # map eviction"): whichever this bpfix prints
        "lost_summary": next((v for k, v in summ.items() if k.startswith("packets lost to")),
                             None),
        "in_records": in_records, "records": len(flows), "ends": dict(ends),
        "per_flow": {i: (sent[i], per_flow[i]) for i in range(a.flows)},
        "summary": text,
    }


def report(r, a):
    metered = r["metered"] or 0
    lost = metered - r["in_records"]
    closes = r["ends"].get(END_ACTIVE, 0)
    pps = r["sent"] / r["seconds"] if r["seconds"] else 0
    log(f"kernel {os.uname().release}, {os.cpu_count()} CPUs; {a.flows} flows, "
        f"{max(1, min(a.senders, a.flows))} senders, rate limit "
        f"{a.rate or 'none'}, {r['seconds']:.1f} s")
    log(f"packets sent:               {r['sent']} ({pps:,.0f} pps; send errors {r['send_errors']})")
    log(f"vethA rx_packets:           {r['rx']} (veth drops {r['drops']})")
    log(f"packets seen (bpfix):       {r['seen']}")
    log(f"packets metered (bpfix):    {metered}")
    log(f"packets exported (bpfix):   {r['exported']}")
    log(f"packets in records (file):  {r['in_records']}")
    log(f"lost = metered - in records: {lost}")
    log(f"  bpfix's own \"packets lost to ...\" (metered - exported): {r['lost_summary']}")
    log(f"records: {r['records']}, by flowEndReason {dict(sorted(r['ends'].items()))}")
    log(f"record closes (active records): {closes} "
        f"({closes / a.flows / r['seconds'] if r['seconds'] else 0:.2f} per flow per second "
        f"with --active-timeout 1)")
    log(f"lost per million metered:   {lost * 1e6 / metered if metered else 0:.2f}")
    log(f"lost per close:             {lost / closes if closes else 0:.4f}")
    for i, (s, rec) in sorted(r["per_flow"].items()):
        log(f"  flow {i} (sport {SPORT + i}): sent {s}, in records {rec}, sent - records {s - rec}")
    log("RESULT " + json.dumps({
        "kernel": os.uname().release, "cpus": os.cpu_count(), "flows": a.flows,
        "senders": max(1, min(a.senders, a.flows)), "rate_limit": a.rate,
        "seconds": round(r["seconds"], 2), "pps": round(pps), "sent": r["sent"], "rx": r["rx"],
        "seen": r["seen"], "metered": metered, "in_records": r["in_records"], "lost": lost,
        "bpfix_lost_to_eviction": r["lost_summary"],
        "closes": closes, "lost_per_million": round(lost * 1e6 / metered, 3) if metered else 0,
        "lost_per_close": round(lost / closes, 5) if closes else 0,
        "per_flow_diff": [s - rec for _, (s, rec) in sorted(r["per_flow"].items())]}))


def main(argv):
    if argv[:1] == ["_sink"]:
        return sink_main(int(argv[1]))
    if argv[:1] == ["_send"]:
        return send_main([int(x) for x in argv[1].split(",")], float(argv[2]), float(argv[3]))
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--bpfix", default="/work/main/build/src/bpfix", help="the bpfix binary")
    ap.add_argument("--seconds", type=float, default=20.0, help="seconds of traffic (default 20)")
    ap.add_argument("--quick", action="store_true", help="6 seconds of traffic")
    ap.add_argument("--flows", type=int, default=4, help="UDP flows (default 4)")
    ap.add_argument("--senders", type=int, default=os.cpu_count() or 1,
                    help="sending processes (default: one per CPU)")
    ap.add_argument("--rate", type=float, default=0.0,
                    help="total packets per second (default 0: as fast as possible)")
    ap.add_argument("--keep", action="store_true", help="keep the temporary directory")
    a = ap.parse_args(argv)
    if a.quick:
        a.seconds = 6.0
    code = preflight(a.bpfix, tools=("ip", "tc", "ipfixDump"), root_for="namespaces, tc, BPF")
    if code is not None:
        return code

    def body(env, problems):
        env.setup()
        r = measure(env, a)
        return lambda: report(r, a)

    return run_in_env(Env, "bpfix-race-", a.keep, body)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
