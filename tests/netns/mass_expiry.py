#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""A mass expiry live: many flows ending at once reach the collector whole, at the pace.

    mass_expiry.py --bpfix build/src/bpfix --source-dir . [--case NAME] [--list] [--keep] [-v]

`bpfix run -i vethA:ingress` in namespace A; namespace B sends distinct one-packet UDP flows
(tests/lib/mass_flows.py: 10.x.y.z:port -> 192.0.2.1:9999, every frame its own flow) on vethB with
an AF_PACKET socket (this script's hidden `send` subcommand, run in B), as many rounds as it takes
until bpfix's statistics count every flow (a round only adds packets to flows already there).
IPv6 is off on both ends before they exist and no address is set, so nothing else reaches
vethA's ingress. A real nfcapd in namespace A receives the records (given the CPU first, as
root: bpfixtest.receiver_first).

Cases:
  forced_end   --max-flows 262144, timeouts far off, 100 000 flows, then SIGTERM: the forced end
               drains them all at once; bpfix exits 0 and nfdump counts exactly 100 000 flows, as
               many as the summary's records sent, with the packets the summary exported, 0
               sequence failures; the summary says how long pacing held the export (at 100 000
               records/s, about a second).
  held_in_map  --pace-rate 5000 --idle-timeout 2, 20 000 flows: they end together, the pace lets
               about 5 000 out a sweep, and the statistics show flows held in the map; then every
               flow gets a second packet: held flows count it in place, flows already exported
               start anew. nfcapd gets exactly 40 000 packets (nothing lost), as many flows as
               records sent, some with 2 packets (held while counting), each ended by its idle
               timeout; nothing went beyond the pace.
  held_too_long  --pace-rate 1000 --idle-timeout 1 --active-timeout 2, 10 000 flows, nfcapd with a
               4 MiB buffer: a flow waits at most its active timeout, then goes beyond the pace;
               the summary counts "records sent beyond the pace" (the cost of the bound), and
               every record still arrives (10 000 flows, 0 sequence failures).

One line per case (PASS, FAIL with the problems, SKIP with why), then "N passed, N failed"
(tests/lib/cases.py). Exit 0 pass, 1 fail, 2 harness error, 77 skipped (not root, no namespaces or
BPF, tools missing). Everything started here (namespaces, processes by pid, the temporary
directory) is removed on every path.
"""

import functools
import os
import socket
import sys

sys.dont_write_bytecode = True   # no __pycache__ in the source tree
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [HERE, os.path.join(HERE, "..", "lib"), os.path.join(HERE, "..", "replay")]
import mass_flows  # noqa: E402
from bpfixtest import (HarnessError, Nfcapd, receiver_first,  # noqa: E402
                       summary_numbers)
from cases import Cases  # noqa: E402
from netns import PY, Bpfix, VethEnv, case_arguments, run, run_cases  # noqa: E402

ROOT_FOR = "network namespaces, AF_PACKET, tc and BPF need it"
TOOLS = ("ip", "tc", "nfcapd", "nfdump")
THIS = os.path.abspath(__file__)
NFCAPD_PORT = 4739
MAC_A, MAC_B = "02:b9:f1:e0:00:0a", "02:b9:f1:e0:00:0b"
HELD = "flows held in the map for the pace"
BEYOND = "records sent beyond the pace"
PACED = "export held by pacing (ms)"


class Env(VethEnv):
    """vethA in A, vethB in B, fixed MACs, IPv6 off before the veths exist, no addresses."""

    MAC_A, MAC_B = MAC_A, MAC_B

    def __init__(self, tmp):
        super().__init__(tmp, "mass")

    def namespace_added(self, name):
        for key in ("all", "default"):
            self.sysctl(name, f"/proc/sys/net/ipv6/conf/{key}/disable_ipv6", 1)
        run(["ip", "-n", name, "link", "set", "lo", "up"])


def send_flows(env, count, first=0):
    """Flows first..first+count-1, one frame each, from vethB (the `send` subcommand in B)."""
    r = run(env.ns(env.b, PY, THIS, "send", "vethB", str(first), str(count)), timeout=120)
    if r.stdout.strip() != f"sent {count}":
        raise HarnessError(f"the sender said {r.stdout.strip()!r} {r.stderr.strip()!r}")


def send_until_counted(env, bp, count, rounds=3):
    """Send the flows until bpfix's statistics count them all (packets lost on the way to tc,
    which no capture would show either, only need another round)."""
    for _ in range(rounds):
        send_flows(env, count)
        flows = bp.statistics().get("flows", 0)
        if flows >= count:
            return flows
    raise HarnessError(f"bpfix counted {flows} flows of {count} after {rounds} rounds")


def start(env, a, name, args, col_args=()):
    """nfcapd (its own directory) and `bpfix run` in A, bpfix attached to vethA's ingress."""
    wd = os.path.join(env.tmp, name)
    os.mkdir(wd)
    col = Nfcapd(wd, port=NFCAPD_PORT, popen=functools.partial(env.spawn, env.a), args=col_args)
    col.start()
    receiver_first(col.proc.pid)
    bp = Bpfix(env, a.bpfix, ["-i", "vethA:ingress", "--collector", f"127.0.0.1:{NFCAPD_PORT}",
                              "--max-flows", "262144", *args], name)
    bp.wait_attached(hooks=("ingress",))
    return col, bp


def stop(bp, col, problems, timeout=60):
    """SIGTERM bpfix (it exports everything) and nfcapd after it: (summary, nfdump -I)."""
    rc = bp.stop(timeout=timeout)
    if rc != 0:
        problems.append(f"{bp.name}: bpfix exited with {rc}:\n{bp.stderr()}")
    col.stop()
    return summary_numbers(bp.stderr()), col.info()


def check_delivery(name, s, info, flows, problems):
    """nfdump counts every record the summary says was sent, and flows of them, in order."""
    if s.get("records sent") != flows or info.get("Flows") != flows:
        problems.append(f"{name}: {flows} flows; summary: records sent {s.get('records sent')}; "
                        f"nfdump: {info.get('Flows')} flows")
    if info.get("Packets") != s.get("packets exported"):
        problems.append(f"{name}: nfdump counts {info.get('Packets')} packets, the summary "
                        f"exported {s.get('packets exported')}")
    if info.get("Sequence failures") != 0:
        problems.append(f"{name}: nfdump counts {info.get('Sequence failures')} sequence "
                        f"failures")


def forced_end(env, a, problems):
    """100 000 flows at a forced end: every record at nfcapd with default options."""
    flows = 100000
    col, bp = start(env, a, "forced_end", ["--idle-timeout", "3600", "--active-timeout", "3600"])
    send_until_counted(env, bp, flows)
    s, info = stop(bp, col, problems)
    check_delivery("forced_end", s, info, flows, problems)
    if s.get(PACED, 0) < 500 or BEYOND in s:
        problems.append(f"forced_end: {PACED} {s.get(PACED)} (100 000 records at 100 000/s take "
                        f"about a second), {BEYOND} {s.get(BEYOND)}")


def held_in_map(env, a, problems):
    """Flows ending faster than the pace wait in the map, still counting."""
    flows, rate = 20000, 5000
    col, bp = start(env, a, "held_in_map", ["--pace-rate", str(rate), "--idle-timeout", "2"])
    send_until_counted(env, bp, flows)
    most_held = bp.wait_for(lambda: bp.statistics().get(HELD, 0), "flows held in the map", 20)
    send_flows(env, flows)   # a second packet for every flow: held ones count it in place

    def all_exported():
        st = bp.statistics()
        return st.get("packets metered") == st.get("packets exported") == 2 * flows
    bp.wait_for(all_exported, "every packet metered and exported", 60)
    s, info = stop(bp, col, problems)
    check_delivery("held_in_map", s, info, s.get("records sent"), problems)
    if info.get("Packets") != 2 * flows:
        problems.append(f"held_in_map: nfdump counts {info.get('Packets')} packets, "
                        f"{2 * flows} were sent")
    records = col.decode(with_end_reason=True)
    doubled = sum(1 for r in records if r.packets == 2)
    ends = {r.end for r in records}
    if not doubled or ends != {1}:
        problems.append(f"held_in_map: {doubled} records of 2 packets (flows held while they "
                        f"counted), end reasons {sorted(ends, key=str)} (all idle expected); "
                        f"{most_held} flows were held")
    if BEYOND in s:
        problems.append(f"held_in_map: {BEYOND} {s[BEYOND]}")


def held_too_long(env, a, problems):
    """No flow is held longer than its active timeout: the rest goes beyond the pace, counted."""
    flows = 10000
    col, bp = start(env, a, "held_too_long",
                    ["--pace-rate", "1000", "--idle-timeout", "1", "--active-timeout", "2"],
                    col_args=("-B", str(4 << 20)))
    send_until_counted(env, bp, flows)
    bp.wait_for(lambda: bp.statistics().get("records sent", 0) >= flows,
                "every record sent", 30)
    s, info = stop(bp, col, problems)
    check_delivery("held_too_long", s, info, flows, problems)
    if not 0 < s.get(BEYOND, 0) <= flows:
        problems.append(f"held_too_long: {BEYOND} {s.get(BEYOND)}: flows held past their active "
                        f"timeout must go beyond the pace, and be counted")


CASES = Cases([
    ("forced_end", forced_end),
    ("held_in_map", held_in_map),
    ("held_too_long", held_too_long),
])


def send_main(iface, first, count):
    """(in namespace B) The flows' frames on iface, one AF_PACKET send each."""
    src = bytes.fromhex(MAC_B.replace(":", ""))
    dst = bytes.fromhex(MAC_A.replace(":", ""))
    with socket.socket(socket.AF_PACKET, socket.SOCK_RAW) as s:
        s.bind((iface, 0))
        for i in range(first, first + count):
            s.send(mass_flows.frame(i, src, dst))
    print(f"sent {count}")
    return 0


def main():
    if len(sys.argv) == 5 and sys.argv[1] == "send":
        return send_main(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
    a = case_arguments(__doc__, CASES)
    return run_cases(CASES, a, Env, "bpfix-mass-", TOOLS, ROOT_FOR, setup=Env.setup)


if __name__ == "__main__":
    sys.exit(main())
