#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""BIG TCP and GRO on a real veth: bpfix counts a super-packet as the segments it is on the wire.

    bigtcp_veth.py --bpfix build/src/bpfix --source-dir . [--case bulk] [--list] [--keep] [-v]

live_veth.py's namespaces and traffic side (veth_traffic.py), two changes on vethA: its GSO
maximum is 185000 octets (IPv4 and IPv6), so A's TCP builds BIG TCP super-packets (IPv4 total
length 0; IPv6 payload length 0, on Linux 6.18 with the 8-octet hop-by-hop Jumbo Payload header
it adds), and GRO is on. B opens one TCP connection per IP version to A's bulk port and sends
TCP_BULK_C2S octets; A answers with TCP_BULK_S2C.

- vethA egress: bpfix sees A's super-packets; GSO is off on vethA, so the kernel cuts them into
  segments only after the clsact hook (ipv6_gso_segment drops the jumbo header on the way).
- vethA ingress: B's segments, merged by vethA's GRO (up to 64 KiB) before the clsact hook.

B captures vethB (GRO off there): its packets are the segments, the truth. Each TCP flow must be
exported with the capture's packets and octets exactly (ipfixDump), besides live_veth's other
flow checks (times, flags, interface and direction, TTL, end reason) and the summary's sums. Two
classic-BPF tc filters behind bpfix's (they pass every packet) count what the test relies on:
egress frames longer than an IPv4 or IPv6 length field can say, ingress frames longer than the
MTU (their mirred action, mirroring to a device that is down, is the counter: this kernel has no
gact); none means the kernel made no such packet and the case proves nothing (harness error).

One line per case (tests/lib/cases.py). Exit 0 pass, 1 fail, 2 harness error, 77 skipped (not
root, no namespaces or BPF, tools missing). Everything this starts (namespaces, processes by pid,
temporary directory) is removed on every path.
"""

import json
import os
import sys

sys.dont_write_bytecode = True   # no __pycache__ in the source tree
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [HERE, os.path.join(HERE, "..", "lib"), os.path.join(HERE, "..", "replay")]
import ipfix_records as I  # noqa: E402
import live_veth as L  # noqa: E402
import veth_traffic as T  # noqa: E402
from bpfixtest import HarnessError, log, summary_numbers  # noqa: E402
from cases import Cases  # noqa: E402
from netns import PY, TRAFFIC, Bpfix, case_arguments, run, run_cases  # noqa: E402

ROOT_FOR = "network namespaces, tc and BPF need it"
TOOLS = ("ip", "tc", "ipfixDump")
GSO_MAX = 185000            # vethA's super-packets: BIG TCP, under the veth's 524280
ETH = 14
MTU = 1500
# frames longer than these: an IPv4 total length, an IPv6 payload length cannot say the packet
BIG_V4, BIG_V6 = ETH + 65535, ETH + 40 + 65535
PRIO_COUNTERS = 20          # after bpfix's filter (tc priority 1), which must see every packet
SINK = "vethC0"             # down: what is mirrored there goes nowhere


def longer_than(octets):
    """Classic BPF for tc: match a frame longer than octets."""
    return f"4,128 0 0 0,37 0 1 {octets},6 0 0 4294967295,6 0 0 0,"


def add_counters(env):
    """The counting filters: egress frames past BIG_V4 (IPv4) and BIG_V6 (IPv6), ingress
    frames past the MTU (GRO). A mirror to a device that is down counts the packet and lets it
    go on (TC_ACT_PIPE)."""
    run(["ip", "-n", env.a, "link", "add", SINK, "type", "veth", "peer", "name", "vethC1"])
    for hook, proto, octets in (("egress", "ip", BIG_V4), ("egress", "ipv6", BIG_V6),
                                ("ingress", "ip", ETH + MTU), ("ingress", "ipv6", ETH + MTU)):
        env.tc("filter", "add", "dev", "vethA", hook, "protocol", proto, "prio",
               str(PRIO_COUNTERS + (proto == "ipv6")), "bpf", "bytecode", longer_than(octets),
               "action", "mirred", "egress", "mirror", "dev", SINK)


def counted(env, hook):
    """{protocol: frames} the counting filters on hook matched."""
    out = {}
    for f in json.loads(env.tc("-s", "-j", "filter", "show", "dev", "vethA", hook) or "[]"):
        if f.get("kind") == "bpf" and f.get("pref", 0) >= PRIO_COUNTERS:
            acts = f.get("options", {}).get("actions", [])
            out[f["protocol"]] = out.get(f["protocol"], 0) + sum(
                a.get("stats", {}).get("packets", 0) for a in acts)
    return out


def setup(env):
    """live_veth's namespaces (offloads off), then vethA: GSO maximum GSO_MAX, GRO on."""
    env.setup()
    for argv in (["gso-max", "vethA", str(GSO_MAX)], ["feature", "vethA", "gro", "on"]):
        r = run(env.ns(env.a, PY, TRAFFIC, *argv), check=False)
        if r.returncode != 0:
            raise HarnessError(f"vethA: {r.stderr.strip()}")


def case_bulk(env, a, problems):
    server = L.listeners(env)
    out = os.path.join(env.tmp, "bulk.ipfix")
    bp = Bpfix(env, a.bpfix, ["-i", "vethA", "--output", out, "--idle-timeout", "60",
                              "--active-timeout", "120"], "bulk")
    bp.wait_attached()
    add_counters(env)
    res = L.send(env, "bulk")
    tcp = {(4, T.B4, T.A4, 6, T.PORT_BULK4, T.TCP_BULK_PORT),
           (4, T.A4, T.B4, 6, T.TCP_BULK_PORT, T.PORT_BULK4),
           (6, T.B6, T.A6, 6, T.PORT_BULK6, T.TCP_BULK_PORT),
           (6, T.A6, T.B6, 6, T.TCP_BULK_PORT, T.PORT_BULK6)}
    bp.wait_records(out, a.elements, lambda records: tcp <= {L.tuple5(r) for r in records},
                    "the records of the bulk TCP flows (ended by FIN) in the output file")
    rc = bp.stop()
    err = bp.stderr()
    counts = server.stop()
    if counts["tcp_conns"] != 2:
        raise HarnessError(f"the listeners did not serve both bulk connections: {counts}")
    big, gro = counted(env, "egress"), counted(env, "ingress")
    # (a mirred action counts a GSO packet as its gso_segs)
    log(f"bulk: segments in frames past the length fields at egress {big}, past the MTU at "
        f"ingress {gro}")
    for what, n in (("IPv4 BIG TCP frames at egress", big.get("ip", 0)),
                    ("IPv6 BIG TCP frames at egress", big.get("ipv6", 0)),
                    ("GRO frames at ingress", gro.get("ip", 0) + gro.get("ipv6", 0))):
        if not n:
            raise HarnessError(f"no {what}: this kernel made none, the case proves nothing")
    if rc != 0:
        problems.append(f"bulk: bpfix exited with {rc}, expected 0:\n{err}")

    exp = L.expectations("bulk", L.capture_flows(res["packets"]))
    ipf, _ = I.flow_dicts(out, a.elements)
    for r in sorted(ipf, key=lambda r: (r["first"], L.fmt_rec(r))):
        L.vlog("  ipfixDump " + L.fmt_rec(r))
    L.check_flows(exp, ipf, "ipfixDump", env.ifindex_a,
                  (res["t0_ns"] // 1000000, res["t1_ns"] // 1000000), problems)
    L.check_summary(bp, summary_numbers(err), ipf, problems)
    for e in exp:
        log(f"bulk: {e.describe()}: the capture's {e.packets} packets / {e.octets} octets")


CASES = Cases([("bulk", case_bulk)])


def main():
    a = case_arguments(__doc__, CASES)
    L.VERBOSE = a.verbose
    return run_cases(CASES, a, L.Env, "bpfix-bigtcp-", TOOLS, ROOT_FOR, setup=setup,
                     errors=(I.DecodeError,))


if __name__ == "__main__":
    sys.exit(main())
