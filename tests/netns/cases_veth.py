#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""The named packet cases (tests/cases) through a real veth: `bpfix run` on vethA, the rows'
frames sent on vethB.

    cases_veth.py --bpfix build/src/bpfix --inject build/tests/netns/inject_cases
                  --source-dir . [--rows all|all-metered|ROW,ROW...] [--keep] [-v]

The third runner of the one table of packet cases (DESIGN.md §8), after the host parser
(tests/unit/test_parse.c) and BPF_PROG_TEST_RUN (tests/bpf/test_bpf_cases.c). The expectations are
the rows': inject_cases (tests/netns/inject_cases.c) builds each row's frame with the table's own
builder, sends it with an AF_PACKET socket on vethB (namespace B) and prints one TSV line per row
from the row's expected meta and counters. Nothing here re-types a row.

Namespace A holds vethA and `bpfix run -i vethA --direction ingress --output FILE`. Both veths
have IPv6 disabled (before they exist: no link-local address, no MLD/RS/DAD) and no addresses, so
nothing but the injected frames reaches vethA's ingress; offloads (TSO, GSO, GRO) are off. The
rows are sent in rounds, one bpfix run each, so that no two rows of a round share a flow key: each
metered row is then exactly one record (the row's packets and octets: 1 packet of its ip_len, or
a GSO row's segments), whose every field is the row's. Rows with gtpu_off go in rounds of their
own, with --gtpu-port 0; each row that is not metered is a round alone (no record, its counters
only).

GSO rows (gso_segs, gso_size; BIG TCP among them) go out whole as super-packets (inject_cases:
PACKET_VNET_HDR), in rounds of their own, each round twice (DESIGN.md §4: check both ways):
with TSO on vethB, the super-packet reaches vethA's ingress whole (gso_segs and gso_size set by
the kernel, vethB's GSO maximum raised to the most a veth allows so BIG TCP passes: IPv4 total length 0, IPv6
payload length 0); with TSO off, vethB cuts it into segments first. The counts must be the
same.

Checked per round, after SIGTERM: bpfix exits 0; each metered row's flow is in the IPFIX file
(decoded by ipfixDump -e templates/bpfix-elements.xml) exactly once with the row's IP version,
addresses, protocol, ports, packets/octets, ipClassOfService, min/max TTL, tcpControlBits, vlanId,
tunnel endpoints, gtpuTEid, gtpuQFI/gtpuPduType (when the row has a PDU Session Container, absent
otherwise), ingressInterface = vethA's ifindex, egressInterface 0, flowDirection 0, start and end
in the sending window (one instant, unless segments); no other flow record; every counter of the
summary is the sum of what the round's rows hit (packets seen, metered, flows, not metered by
reason, diagnostics, GTP-U outcomes; the amounts inject_cases prints), the packets exported are
the metered ones and none were lost to eviction.

Rows that cannot run live are not sent (inject_cases prints why): frames cut to a snap length
and packets longer than their frame without GSO (a capture's view, not a frame a link carries).
VLAN rows are sent as built: the receiving veth
takes the outer tag out of the frame (skb->vlan_tci) before tc, which bpfix must read back.

Exit 0 pass, 1 fail (each disagreement: row, field, expected, got), 2 harness error, 77 skipped
(not root, no namespaces or BPF, tools missing). Everything started here (namespaces, processes by
pid, the temporary directory) is removed on every path.
"""

import argparse
import ipaddress
import json
import os
import sys
import time
from collections import defaultdict

sys.dont_write_bytecode = True   # no __pycache__ in the source tree
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [HERE, os.path.join(HERE, "..", "lib"), os.path.join(HERE, "..", "replay")]
import ipfix_records as I  # noqa: E402
from bpfixtest import (EXIT_HARNESS, HarnessError, check_executable, log,  # noqa: E402
                       preflight, summary_counters)
from cases import Timeout  # noqa: E402
from netns import PY, TRAFFIC, Bpfix, VethEnv, run, run_in_env  # noqa: E402

ROOT_FOR = "network namespaces, AF_PACKET, tc and BPF need it"
TOOLS = ("ip", "tc", "ipfixDump")
TIME_SLACK_MS = 1000        # record times against the wall-clock window of the sending
GSO_MAX = 524280            # veth's tso_max_size: what vethB may pass whole (BIG TCP above 65536)

VERBOSE = False


def vlog(msg):
    if VERBOSE:
        log(msg)


# ---------------------------------------------------------------------------------------------
# What inject_cases says

class Row:
    """One "case" line of inject_cases: the row's expectation on the live path."""

    def __init__(self, cols, line):
        self.line = line
        self.name = cols["name"]
        self.metered = cols["metered"] == "metered"
        self.gtpu_off = cols["gtpu_off"] == "1"
        self.gso = cols["sent_as"] == "gso"
        # counter name -> what this row's packet adds to it
        self.counters = {c.rsplit("=", 1)[0]: int(c.rsplit("=", 1)[1])
                         for c in cols["counters"].split(";") if c}
        self.exp = None
        if not self.metered:
            return
        ver, tver = int(cols["ip_version"]), int(cols["tun_version"])
        e = {"ver": ver, "src": norm(cols["src"]), "dst": norm(cols["dst"]),
             "proto": int(cols["protocol"]), "sport": int(cols["sport"]),
             "dport": int(cols["dport"]), "packets": int(cols["packets"]),
             "octets": int(cols["octets"]),
             "tos": int(cols["tos"], 16), "flags": int(cols["tcp_flags"], 16),
             "minttl": int(cols["ttl"]), "maxttl": int(cols["ttl"]),
             "vlan": int(cols["vlan_id"]), "tun_ver": tver or None,
             "osrc": norm(cols["tun_src"]) if tver else None,
             "odst": norm(cols["tun_dst"]) if tver else None,
             "teid": int(cols["teid"]) if tver else None,
             "qfi": int(cols["qfi"]) if cols["has_pdu_session"] == "1" else None,
             "pdu_type": int(cols["pdu_type"]) if cols["has_pdu_session"] == "1" else None}
        self.exp = e

    def key(self):
        """The flow key bpfix accounts the row's packet to (its interface and direction are the
        same for every row)."""
        e = self.exp
        return (e["ver"], e["src"], e["dst"], e["proto"], e["sport"], e["dport"], e["tun_ver"],
                e["odst"], e["teid"])


def norm(addr):
    return str(ipaddress.ip_address(addr))


def parse_inject(text):
    """inject_cases' output -> ([Row], [(row, skip reason)])."""
    header, rows, skipped = None, [], []
    for line in text.splitlines():
        f = line.split("\t")
        if f[0] == "#":
            header = f[1:]
        elif f[0] == "skip" and len(f) == 3:
            skipped.append((f[1], f[2]))
        elif f[0] == "case":
            if header is None or len(f) - 1 != len(header):
                raise HarnessError(f"inject_cases: a line that does not fit its header: {line!r}")
            rows.append(Row(dict(zip(header, f[1:])), line))
        elif line.strip():
            raise HarnessError(f"inject_cases printed {line!r}")
    return rows, skipped


def counter_names(inject):
    r = run([inject, "--counters"])
    return [line.split("\t")[2] for line in r.stdout.splitlines() if line.startswith("counter\t")]


def plan_rounds(rows):
    """Rounds of metered rows, no flow key twice in a round: the k-th row of each key goes to
    round k. Rows with gtpu_off make rounds of their own; so does each row that is not metered
    (its counters, and any record it should not have made, are then its own). GSO rows make
    rounds of their own too, each planned twice: TSO on vethB (the super-packet reaches vethA),
    then off (its segments do). -> [(gtpu_off, tso, [Row])], the rows of a round in table order;
    tso None: no GSO row in the round."""
    rounds = []
    for off in (False, True):
        for gso in (False, True):
            slots = defaultdict(list)
            seen = defaultdict(int)
            for r in rows:
                if r.gtpu_off == off and r.gso == gso and r.metered:
                    slots[seen[r.key()]].append(r)
                    seen[r.key()] += 1
            for k in sorted(slots):
                rounds += [(off, tso, slots[k]) for tso in ((True, False) if gso else (None,))]
    rounds += [(r.gtpu_off, True if r.gso else None, [r]) for r in rows if not r.metered]
    return rounds


# ---------------------------------------------------------------------------------------------
# Namespaces, processes

class Env(VethEnv):
    """Namespaces A (vethA, bpfix) and B (vethB, inject_cases) joined by a veth pair
    (netns.VethEnv), both ends without IPv6 and without addresses."""

    def __init__(self, tmp):
        super().__init__(tmp, "cases")

    def namespace_added(self, name):
        # before the veths exist: they are born without IPv6 (no link-local, MLD, RS, DAD)
        for conf in ("all", "default"):
            self.sysctl(name, f"/proc/sys/net/ipv6/conf/{conf}/disable_ipv6", 1)

    def device_added(self, name, dev):
        path = f"/proc/sys/net/ipv6/conf/{dev}/disable_ipv6"
        self.sysctl(name, path, 1)
        if self.read_sys(name, path) not in ("", "1"):
            raise HarnessError(f"IPv6 is still enabled on {dev}")
        if dev == "vethB":
            r = run(self.ns(name, PY, TRAFFIC, "gso-max", dev, str(GSO_MAX)), check=False)
            if r.returncode != 0:
                raise HarnessError(f"vethB: {r.stderr.strip()}")

    def tso(self, on):
        """TSO on vethB: GSO rows reach vethA whole (on) or as segments (off)."""
        r = run(self.ns(self.b, PY, TRAFFIC, "feature", "vethB", "tso", "on" if on else "off"),
                check=False)
        if r.returncode != 0:
            raise HarnessError(f"vethB: {r.stderr.strip()}")

    def after_up(self):
        for n, dev in ((self.a, "vethA"), (self.b, "vethB")):
            addrs = json.loads(run(["ip", "-n", n, "-j", "addr", "show", "dev", dev]).stdout)
            if any(x.get("addr_info") for x in addrs):
                raise HarnessError(f"{dev} has addresses: {addrs}")


# ---------------------------------------------------------------------------------------------
# Records

def record_view(rec):
    """An ipfixDump flow record -> the fields a row states (None when a field is absent), or
    None for records that are not flows."""
    v = I.flow_view(rec)
    if v is None:
        return None
    f = I.by_name(rec)

    def num(name):
        return int(f[name], 0) if name in f else None
    if "bpfixTunnelSourceIPv4Address" in f:
        tun_ver = 4
    elif "bpfixTunnelSourceIPv6Address" in f:
        tun_ver = 6
    else:
        tun_ver = None
    return {"ver": v.ver, "src": v.src, "dst": v.dst, "proto": v.proto, "sport": v.sport,
            "dport": v.dport, "packets": v.packets, "octets": v.octets, "tos": v.tos,
            "flags": v.tcp_flags, "minttl": num("minimumTTL"), "maxttl": num("maximumTTL"),
            "vlan": num("vlanId"), "tun_ver": tun_ver, "osrc": v.outer_src, "odst": v.outer_dst,
            "teid": v.teid, "qfi": v.qfi, "pdu_type": v.pdu_type,
            "in_if": num("ingressInterface"), "out_if": num("egressInterface"),
            "dir": num("flowDirection"), "first": v.first_ms, "last": v.last_ms}


def rec_key(r):
    return (r["ver"], r["src"], r["dst"], r["proto"], r["sport"], r["dport"], r["tun_ver"],
            r["odst"], r["teid"])


def fmt_rec(r):
    s = (f"v{r['ver']} {r['src']}:{r['sport']} -> {r['dst']}:{r['dport']} proto {r['proto']} "
         f"packets {r['packets']} octets {r['octets']} tos {r['tos']} flags {r['flags']} ttl "
         f"{r['minttl']}/{r['maxttl']} vlan {r['vlan']}")
    if r["tun_ver"]:
        s += f" tunnel v{r['tun_ver']} {r['osrc']} -> {r['odst']} teid {r['teid']}"
    if r["qfi"] is not None:
        s += f" qfi {r['qfi']} pdu_type {r['pdu_type']}"
    return s


FIELDS = ("ver", "src", "dst", "proto", "sport", "dport", "packets", "octets", "tos", "flags",
          "minttl", "maxttl", "vlan", "tun_ver", "osrc", "odst", "teid", "qfi", "pdu_type")


def check_round(env, rows, tso, records, counters, summary, window, problems):
    """One round's records and summary against its rows (tso: vethB passed GSO rows whole).
    Returns the rows that agreed."""
    by_key = defaultdict(list)
    for r in records:
        by_key[rec_key(r)].append(r)
    want = {r.key(): r for r in rows if r.metered}
    good = []
    lo, hi = window
    for row in rows:
        if not row.metered:
            good.append(row.name)   # unless a counter it hits disagrees, below
            continue
        e = row.exp
        got = by_key.get(row.key(), [])
        if len(got) != 1:
            problems.append(f"{row.name}: {len(got)} records of its flow, expected 1 "
                            f"({fmt_rec(dict(e, in_if=None))})" +
                            "".join(f"\n    got {fmt_rec(g)}" for g in got))
            continue
        g = got[0]
        bad = [f"{k} expected {e[k]}, got {g[k]}" for k in FIELDS if g[k] != e[k]]
        want_if = (env.ifindex_a, 0, 0)
        if (g["in_if"], g["out_if"], g["dir"]) != want_if:
            bad.append(f"ingressInterface/egressInterface/flowDirection expected "
                       f"{'/'.join(map(str, want_if))}, got {g['in_if']}/{g['out_if']}/{g['dir']}")
        # one packet is one instant; segments may straddle a millisecond
        one_instant = e["packets"] == 1 or tso
        if g["first"] is None or g["first"] > g["last"] or \
                (one_instant and g["first"] != g["last"]) or \
                not lo - TIME_SLACK_MS <= g["first"] <= g["last"] <= hi + TIME_SLACK_MS:
            bad.append(f"flowStart/flowEnd {g['first']}/{g['last']} ms: expected "
                       f"{'one instant' if one_instant else 'a span'} in the sending window "
                       f"{lo}..{hi} ms")
        if bad:
            problems.append(f"{row.name}: " + "; ".join(bad))
        else:
            good.append(row.name)
    for k, rs in by_key.items():
        if k not in want:
            for r in rs:
                problems.append(f"a record no row of the round expects: {fmt_rec(r)}")
            good[:] = [g for g in good if not any(x.name == g and not x.metered for x in rows)]

    # the counters: each the sum of what the round's rows add to it alone
    for c in counters:
        exp = sum(r.counters.get(c, 0) for r in rows)
        got = summary.get(c, 0)
        if got != exp:
            hit = [r.name for r in rows if c in r.counters]
            problems.append(f"summary '{c}': {got}, expected {exp} (the rows hitting it: "
                            f"{', '.join(hit) or 'none'})")
            good[:] = [g for g in good if g not in hit]
    metered = sum(r.exp["packets"] for r in rows if r.metered)
    for k, exp in (("packets exported", metered), ("records sent", len(records)),
                   ("packets lost to eviction or removal race", 0)):
        if summary.get(k) != exp:
            problems.append(f"summary '{k}': {summary.get(k)}, expected {exp}")
    return good


# ---------------------------------------------------------------------------------------------

def run_round(env, a, n, gtpu_off, tso, rows, plan_lines, counters, problems):
    out = os.path.join(env.tmp, f"round{n}.ipfix")
    extra = ["--gtpu-port", "0"] if gtpu_off else []
    if tso is not None:
        env.tso(tso)
    bp = Bpfix(env, a.bpfix, ["-i", "vethA", "--direction", "ingress", "--output", out, *extra],
               f"round{n}")
    bp.wait_attached(hooks=("ingress",))
    t0 = time.time()
    r = run(env.ns(env.b, a.inject, "vethB", *[row.name for row in rows]), check=False)
    t1 = time.time()
    # each frame went through vethA's ingress, usually inside sendto(): bpfix has seen them all
    # once its counters (SIGUSR1) say so; if they never do, the checks below say what is missing
    seen = sum(row.counters.get("packets seen", 0) for row in rows)
    try:
        bp.wait_for(lambda: bp.statistics().get("packets seen", 0) >= seen,
                    f"'packets seen' to reach the {seen} packets sent")
    except Timeout as e:
        log(f"round {n}: {e}")
    rc = bp.stop()
    err = bp.stderr()
    if r.returncode != 0:
        raise HarnessError(f"round {n}: inject_cases exited with {r.returncode}: "
                           f"{r.stderr.strip()}")
    sent, skipped = parse_inject(r.stdout)
    if skipped or [x.line for x in sent] != [plan_lines[row.name] for row in rows]:
        raise HarnessError(f"round {n}: inject_cases sent other rows or lines than planned:\n"
                           f"{r.stdout}")
    how = ("--gtpu-port 0, " if gtpu_off else "") + \
        {None: "", True: "vethB TSO on: super-packets, ", False: "vethB TSO off: segments, "}[tso]
    vlog(f"round {n} ({how}{len(rows)} rows): {', '.join(row.name for row in rows)}")
    vlog(f"bpfix:\n{err}")
    if rc != 0:
        problems.append(f"round {n}: bpfix exited with {rc}:\n{err}")
    if not os.path.exists(out):
        problems.append(f"round {n}: bpfix wrote no --output file")
        return []
    _, decoded = I.decode(out, a.elements)
    records = [v for v in (record_view(x) for x in decoded) if v is not None]
    for x in records:
        vlog("  record " + fmt_rec(x))
    n_problems = len(problems)
    good = check_round(env, rows, tso, records, counters, summary_counters(err),
                       (int(t0 * 1000), int(t1 * 1000)), problems)
    label = f"round {n}" + (f" ({rows[0].name} alone)" if len(rows) == 1 else "") + \
        {None: "", True: " (TSO on)", False: " (TSO off)"}[tso]
    for i in range(n_problems, len(problems)):
        problems[i] = f"{label}: {problems[i]}"
    log(f"{label}{' (--gtpu-port 0)' if gtpu_off else ''}: {len(rows)} row(s) sent "
        f"({sum(x.metered for x in rows)} metered), {len(records)} flow record(s), "
        f"{len(rows) - len(good)} disagree")
    return good


def main():
    global VERBOSE
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--bpfix", required=True, help="the bpfix binary")
    ap.add_argument("--inject", required=True, help="the inject_cases binary")
    ap.add_argument("--source-dir", required=True, help="the repository (for templates/)")
    ap.add_argument("--rows", default="all",
                    help="all (default), all-metered or comma-separated row names")
    ap.add_argument("--keep", action="store_true", help="keep the temporary directory")
    ap.add_argument("-v", "--verbose", action="store_true")
    a = ap.parse_args()
    VERBOSE = a.verbose
    a.bpfix = os.path.abspath(a.bpfix)
    a.inject = os.path.abspath(a.inject)
    a.elements = os.path.join(a.source_dir, "templates", "bpfix-elements.xml")
    rc = preflight(a.bpfix, TOOLS, ROOT_FOR)
    if rc is not None:
        return rc
    try:
        check_executable(a.inject, "inject_cases binary")
    except HarnessError as e:
        log(f"ERROR: {e}")
        return EXIT_HARNESS

    def body(env, problems):
        selection = a.rows.split(",") if a.rows not in ("all", "all-metered") else [a.rows]
        plan = run([a.inject, "-n", "vethB", *selection])
        rows, skipped = parse_inject(plan.stdout)
        counters = counter_names(a.inject)
        if not rows or not counters:
            raise HarnessError(f"inject_cases planned nothing:\n{plan.stdout}{plan.stderr}")
        for name, why in skipped:
            log(f"skipped row {name}: {why}")
        rounds = plan_rounds(rows)
        plan_lines = {r.name: r.line for r in rows}
        log(f"{len(rows)} rows to send ({sum(r.metered for r in rows)} metered), "
            f"{len(skipped)} skipped; {len(rounds)} rounds (no flow key twice in a round)")
        env.setup()
        vlog(f"vethA ifindex {env.ifindex_a}")
        disagreed = set()
        for n, (off, tso, rs) in enumerate(rounds, 1):
            good = run_round(env, a, n, off, tso, rs, plan_lines, counters, problems)
            disagreed |= {r.name for r in rs} - set(good)

        def after():
            agreed = [r.name for r in rows if r.name not in disagreed]
            log(f"rows whose flow agreed (in every round they were sent in): {len(agreed)} of "
                f"{len(rows)}")
            vlog("  " + ", ".join(agreed))
        return after
    return run_in_env(Env, "bpfix-cases-", a.keep, body, (I.DecodeError,))


if __name__ == "__main__":
    sys.exit(main())
