#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""Replay every capture of the shared corpus with bpfix into nfcapd and check the totals.

    shared_pcaps.py --bpfix build/src/bpfix ../shared/pcaps [--profile outer|sources]
        [--only NAME]... [--check-summary] [-- EXTRA BPFIX ARGS]

For each capture in the directory (read in place, never copied): start a private nfcapd, run
`bpfix replay --collector 127.0.0.1:PORT CAPTURE`, stop nfcapd, decode with nfdump and sum packets
and octets over all records. The sums must equal the capture's truth in the directory's SOURCES.md
("Truth: IP packets **N**, IP bytes **M**"), adjusted for what this version of bpfix meters
(--profile, below). Per-record truth is not available for these captures, and records may split
at timeouts, so only the totals are compared.

Exit 0 when every capture matches, 1 when one does not, 2 when the harness failed, 77 when the
directory or nfcapd/nfdump is missing.
"""

import argparse
import os
import re
import sys

sys.dont_write_bytecode = True   # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from nfcapd_replay import (EXIT_DIFF, EXIT_HARNESS, EXIT_OK, EXIT_SKIP, Collector,  # noqa: E402
                           HarnessError, have_tools, log, parse_summary, run_bpfix, split_extra)

# Profile "outer" (the default): what this version of bpfix meters. SOURCES.md's truth opens one
# level of GTP-U and follows Ethernet pseudowires inside MPLS; this version does neither: a G-PDU
# is an outer UDP packet counted with its outer IP length, and a frame whose IP header sits behind
# an MPLS pseudowire (control word, inner Ethernet) is not metered. IP directly over an MPLS label
# stack is metered, as in SOURCES.md. For the captures where that changes the totals (every
# capture with GTP-U G-PDUs or pseudowires), the totals below were computed with tshark 4.0.17 and
# the awk program of SOURCES.md, changed in two places: the GTP-U decapsulation block removed (the
# flow layer is always the first IP header), and a frame skipped when a "pw*" protocol precedes
# its first IP header in frame.protocols. Independent of bpfix, like the rest of the truth. Every
# other capture uses SOURCES.md's numbers unchanged.
OUTER_TRUTH = {
    # file: (IP packets, IP bytes)      # flows; frames left out
    "arkime-ipv6-gtp6.pcap": (1, 436),  # 1 flow
    "ndpi-ipv6_in_gtp.pcap": (2, 272),  # 2 flows
    "pcapplusplus-gtp-u.pcap": (102, 12648),  # 2 flows
    "pcapplusplus-gtp.pcap": (7, 3080),  # 4 flows
    # 45 flows; 10 pseudowire frames left out: the variant SOURCES.md's notes give
    "tcpreplay-test.pcap": (166, 63677),
    "zeek-gtp1_gn_normal_incl_fragmentation.pcap": (108, 64966),  # 4 flows
    "zeek-gtp2_different_udp_port.pcap": (120, 71354),  # 3 flows
    "zeek-gtp4_udp_2152_inside.pcap": (1, 966),  # 1 flow
    "zeek-gtp7_ipv6.pcap": (2, 208),  # 1 flow
    "zeek-gtp_ext_header.pcap": (2, 1564),  # 2 flows (same totals as with decapsulation)
    "ndpi-false_positives.pcapng": (120, 18270),  # 11 flows
    "ndpi-reasm_segv_anon.pcapng": (82, 76792),  # 2 flows
    "open5gs-srsenb.pcapng": (1928, 1024455),  # 21 flows
    "open5gs-testcups.pcapng": (854, 140655),  # 63 flows
    "open5gs-testregistration.pcapng": (4104, 1015117),  # 67 flows
}


def parse_sources(path):
    """SOURCES.md -> ({file: info}, {file: [note, ...]}).

    info: packets, octets (the "Truth:" line), decap (GTP-U decapsulated packets), protocols
    (tshark's protocol hierarchy line), alt (IP packets/bytes a note at the end gives for a
    variant, e.g. tcpreplay-test.pcap for a meter that stops at MPLS pseudowires).
    """
    files, notes = {}, {}
    cur = None
    bullets = []          # the "Notes for test writers" bullets, continuation lines joined
    in_notes = False
    with open(path) as f:
        lines = f.read().splitlines()
    for line in lines:
        m = re.match(r"^### (\S+)\s*$", line)
        if m:
            cur = m.group(1)
            files[cur] = {"packets": None, "octets": None, "decap": 0, "protocols": [],
                          "alt": None}
            continue
        if line.startswith("## "):
            cur = None
            in_notes = line.lower().startswith("## notes")
            continue
        if in_notes:
            if line.startswith("- "):
                bullets.append(line[2:].strip())
            elif line.startswith(" ") and bullets:
                bullets[-1] += " " + line.strip()
        elif cur:
            m = re.search(r"Truth: IP packets \*\*(\d+)\*\*, IP bytes \*\*(\d+)\*\*", line)
            if m:
                files[cur]["packets"], files[cur]["octets"] = int(m.group(1)), int(m.group(2))
                d = re.search(r"GTP-U decapsulated packets (\d+)", line)
                files[cur]["decap"] = int(d.group(1)) if d else 0
            m = re.match(r"^- Protocols \(tshark io,phs\): (.*)$", line)
            if m:
                files[cur]["protocols"] = [p.strip() for p in m.group(1).split(",")]
    for b in bullets:
        named = []
        for n in re.findall(r"[\w.-]+\.pcap(?:ng)?", b):
            if n not in named:
                named.append(n)
        for n in named:
            notes.setdefault(n, []).append(b)
        m = re.search(r"IP packets (\d+), IP bytes (\d+)", b)
        if m and named and named[0] in files:
            files[named[0]]["alt"] = (int(m.group(1)), int(m.group(2)))
    return files, notes


def expected_totals(name, info, profile):
    """(packets, octets, why) this profile expects, or (None, None, reason) if unknown."""
    if info.get("packets") is None:
        return None, None, "no 'Truth:' line in SOURCES.md"
    if profile == "sources":
        return info["packets"], info["octets"], "SOURCES.md"
    if name in OUTER_TRUTH:
        p, o = OUTER_TRUTH[name]
        return p, o, "outer (no GTP-U decapsulation, no MPLS pseudowires)"
    if info["decap"] or any(p.startswith("pw") for p in info["protocols"]):
        return None, None, ("SOURCES.md's truth opens GTP-U or MPLS pseudowires here and this "
                            "script has no 'outer' totals for it (add them to OUTER_TRUTH)")
    return info["packets"], info["octets"], "SOURCES.md"


def main(argv=None):
    argv, extra = split_extra(sys.argv[1:] if argv is None else argv)
    ap = argparse.ArgumentParser(description="Replay the shared captures with bpfix into nfcapd "
                                 "and compare total packets/octets with SOURCES.md. Arguments "
                                 "after '--' go to bpfix replay.")
    ap.add_argument("--bpfix", required=True, help="path of the bpfix binary")
    ap.add_argument("pcaps", help="the shared capture directory (holds SOURCES.md)")
    ap.add_argument("--profile", choices=("outer", "sources"), default="outer",
                    help="outer: this version (no GTP-U decapsulation, no MPLS pseudowires; "
                         "default); "
                         "sources: SOURCES.md's truth as written")
    ap.add_argument("--only", action="append", default=[], metavar="SUBSTRING",
                    help="only captures whose name contains this (repeatable)")
    ap.add_argument("--check-summary", action="store_true",
                    help="also require bpfix's 'packets metered' to equal the expected packets")
    ap.add_argument("--timeout", type=float, default=300.0, help="seconds bpfix may run per file")
    ap.add_argument("--needs-root", action="store_true",
                    help="exit 77 (skip) unless running as root (the kernel engine needs BPF)")
    ap.add_argument("-v", "--verbose", action="store_true", help="print bpfix's output")
    a = ap.parse_args(argv)

    if not os.path.isdir(a.pcaps):
        log(f"SKIP: shared capture directory {a.pcaps} not present")
        return EXIT_SKIP
    reason = have_tools()
    if not reason and a.needs_root and os.geteuid() != 0:
        reason = "not root: bpfix replay --engine kernel needs BPF_PROG_TEST_RUN"
    if reason:
        log(f"SKIP: {reason}")
        return EXIT_SKIP
    if not (os.path.isfile(a.bpfix) and os.access(a.bpfix, os.X_OK)):
        log(f"ERROR: bpfix binary {a.bpfix} not found or not executable")
        return EXIT_HARNESS
    sources = os.path.join(a.pcaps, "SOURCES.md")
    if not os.path.isfile(sources):
        log(f"ERROR: {sources} not found: no truth for the captures")
        return EXIT_HARNESS
    truth, notes = parse_sources(sources)

    names = sorted(n for n in os.listdir(a.pcaps) if n.endswith((".pcap", ".pcapng")))
    if a.only:
        names = [n for n in names if any(s in n for s in a.only)]
    for n in sorted(set(truth) - set(os.listdir(a.pcaps))):
        log(f"note: SOURCES.md describes {n}, which is not in {a.pcaps}")

    rows, failures, unknown = [], 0, 0
    for name in names:
        path = os.path.join(a.pcaps, name)
        exp_p, exp_o, why = expected_totals(name, truth.get(name, {}), a.profile)
        try:
            with Collector() as col:
                port = col.start()
                rc, out, cmd = run_bpfix(a.bpfix, port, [path], extra, a.timeout)
                col.stop()
                flows = col.decode()
                drops = col.drops
        except HarnessError as e:
            log(f"ERROR: {name}: {e}")
            return EXIT_HARNESS
        got_p = sum(f.packets for f in flows)
        got_o = sum(f.octets for f in flows)
        metered = parse_summary(out).get("packets metered")

        problems = []
        if rc != 0:
            problems.append(f"bpfix exited with {rc}")
        if drops:
            problems.append(f"collector socket dropped {drops} datagrams")
        if exp_p is not None:
            if (got_p, got_o) != (exp_p, exp_o):
                problems.append(f"packets {got_p} (expected {exp_p}), octets {got_o} "
                                f"(expected {exp_o}) [{why}]")
                alt = truth.get(name, {}).get("alt")
                if alt == (got_p, got_o):
                    problems.append("the totals equal the variant in SOURCES.md's notes")
            if a.check_summary and metered != str(exp_p):
                problems.append(f"bpfix 'packets metered: {metered}', expected {exp_p}")
        if problems:
            status = "FAIL"
            failures += 1
        elif exp_p is None:
            status = "NO TRUTH"
            unknown += 1
        else:
            status = "ok"
        rows.append((name, exp_p, exp_o, got_p, got_o, len(flows), metered, status))

        if problems or a.verbose or exp_p is None:
            log(f"--- {name}: {status}")
            if exp_p is None:
                log(f"    {why}")
            for p in problems:
                log(f"    {p}")
            for n in notes.get(name, []):
                log(f"    note (SOURCES.md): {n}")
            if problems or a.verbose:
                log(f"    command: {' '.join(cmd)}")
                for line in out.splitlines()[-25:]:
                    log(f"    | {line}")

    w = max([len(r[0]) for r in rows] + [7])
    log(f"{'capture':<{w}}  {'expected pk':>11} {'octets':>9}  {'nfdump pk':>9} {'octets':>9} "
        f"{'records':>7}  {'metered':>7}  status")
    for name, ep, eo, gp, go, nrec, met, st in rows:
        log(f"{name:<{w}}  {ep if ep is not None else '-':>11} {eo if eo is not None else '-':>9}"
            f"  {gp:>9} {go:>9} {nrec:>7}  {met if met is not None else '-':>7}  {st}")
    log(f"{len(rows)} captures, profile {a.profile}: {len(rows) - failures - unknown} ok, "
        f"{failures} failed, {unknown} without truth")
    return EXIT_DIFF if failures else EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
