#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""Replay every capture of the shared corpus with bpfix and check it against SOURCES.md.

    shared_pcaps.py --bpfix build/src/bpfix ../shared/pcaps [--profile sources|outer]
        [--only NAME]... [--check-summary] [-- EXTRA BPFIX ARGS]

For each capture in the directory (read in place, never copied): start a private nfcapd, run
`bpfix replay --collector 127.0.0.1:PORT --output TMP/records.ipfix CAPTURE`, stop nfcapd, decode
the collected records with nfdump and the IPFIX file with `ipfixDump -e
templates/bpfix-elements.xml`, and compare with the capture's section of the directory's
SOURCES.md:

- "Truth: IP packets **N**, IP bytes **M**": packets and octets summed over every record nfdump
  decodes (records may split at timeouts, so only sums are compared). The records in the IPFIX
  file must sum to the same.
- "GTP-U decapsulated packets N / bytes M": bpfix's summary line "GTP-U decapsulated: N", and
  the packets and octets summed over the records with a TEID in the IPFIX file.
- "TEIDs K": the number of distinct TEIDs (gtpuTEid values) in the IPFIX file.
- The per-flow table, where SOURCES.md gives one: every row must be found in bpfix's records,
  packets and bytes summed over the records with the row's key. Rows with 11 columns (IP, src,
  dst, proto, sport, dport, outer src, outer dst, TEID, packets, bytes) are keyed by the tunnel
  too ('-': a record without tunnel fields); rows with 8 columns by the inner 5-tuple only (every
  record of it, in a tunnel or not). SOURCES.md gives ICMP and ICMPv6 ports 0/0; bpfix exports
  type and code in the destination port, so ports are not compared for protocols 1 and 58.
- With --check-summary, bpfix's "packets metered" must equal the expected packets.

Profiles. "sources" (the default): SOURCES.md's truth as written: one level of GTP-U opened,
except where VARIANTS names the variant SOURCES.md's notes give for a file (the only one:
tcpreplay-test.pcap, whose Ethernet-over-MPLS pseudowire frames bpfix does not follow, by
design), and less the octets LATER_FRAGMENT_OCTETS names (G-PDUs in outer fragments, by
design too). "outer": GTP-U not opened; bpfix runs with --gtpu-port 0 and the totals are OUTER_TRUTH
(computed independently, below); no packet may be decapsulated and no record have a TEID, and the
per-flow tables apply only to captures without decapsulated packets.

Exit 0 when every capture matches, 1 when one does not, 2 when the harness failed, 77 when the
directory or nfcapd/nfdump/ipfixDump is missing.
"""

import os
import re
import sys
from collections import defaultdict

sys.dont_write_bytecode = True   # no __pycache__ in the source tree
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [HERE, os.path.join(HERE, "..", "lib")]
import ipfix_records  # noqa: E402
from bpfixtest import (COLLECTOR_TOOLS, EXIT_FAIL, EXIT_HARNESS, EXIT_OK,  # noqa: E402
                       EXIT_SKIP, KERNEL_ENGINE, HarnessError, Nfcapd, argument_parser,
                       capture_names, log, norm_addr, parse_arguments, parse_summary, preflight,
                       replay_to_collector)

# Captures compared with a variant SOURCES.md's notes give instead of the main truth, and why.
VARIANTS = {
    "tcpreplay-test.pcap": "the notes' variant for a meter that stops at MPLS pseudowires: bpfix "
                           "meters IP directly over MPLS but does not open Ethernet pseudowires",
}

# Profile "outer": bpfix with --gtpu-port 0, so GTP-U is never opened, and MPLS pseudowires are
# not followed either. For the captures where that changes the totals (every capture with GTP-U
# G-PDUs or pseudowires), the totals below were computed with tshark 4.0.17 and the awk program of
# SOURCES.md, changed in two places: the GTP-U decapsulation block removed (the flow layer is
# always the first IP header), and a frame skipped when a "pw*" protocol precedes its first IP
# header in frame.protocols. Independent of bpfix, like the rest of the truth. Every other capture
# uses SOURCES.md's numbers unchanged.
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

# G-PDUs in the first fragment of their outer packet. bpfix credits the inner flow with only the
# T-PDU octets that fragment carries (README.md, GTP-U): the rest of the datagram comes in later
# fragments, which carry no UDP header and are metered as the outer flow with ports 0/0, as
# SOURCES.md's truth has them too; its truth also gives the inner flow the whole inner IP length,
# so those octets count twice there. Per inner flow (with its tunnel key), the octets bpfix leaves
# to the later fragments: computed independently of bpfix, with scapy 2.5 over each capture, for
# every G-PDU whose outer IPv4 header has MF set and offset 0, as the UDP length minus the UDP
# octets in the fragment (the T-PDU ends the datagram in all of them: GTP length + 16 = UDP
# length). zeek-gtp1 has 40 such first fragments, zeek-gtp2 42, zeek-gtp_ext_header 1.
LATER_FRAGMENT_OCTETS = {
    "zeek-gtp1_gn_normal_incl_fragmentation.pcap": {
        (4, "79.101.110.141", "10.131.47.185", 6, 80, 1923,
         "63.94.149.181", "239.114.155.111", 0x0000b2b7): 624,
        (4, "10.131.47.185", "79.101.110.141", 6, 1923, 80,
         "239.114.155.111", "63.94.149.181", 0x8c61be36): 16,
    },
    "zeek-gtp2_different_udp_port.pcap": {
        (4, "173.199.115.168", "10.131.17.170", 6, 80, 51803,
         "207.233.125.40", "167.55.105.244", 0x0000bf2e): 672,
    },
    "zeek-gtp_ext_header.pcap": {
        (4, "10.155.182.202", "10.155.186.57", 6, 41511, 6005,
         "10.155.148.149", "10.155.148.157", 0x00100657): 44,
    },
}

ICMP_PROTOS = (1, 58)


def parse_sources(path):
    """SOURCES.md -> ({file: info}, {file: [note, ...]}).

    info: packets, octets (the "Truth:" line), decap / decap_bytes / teids (its GTP-U part),
    protocols (tshark's protocol hierarchy line), rows (the per-flow table: dicts with ver, src,
    dst, proto, sport, dport, packets, bytes and, in 11-column tables, tunnel = (outer src, outer
    dst, TEID) or None for '-'), alt (IP packets/bytes a note at the end gives for a variant,
    e.g. tcpreplay-test.pcap for a meter that stops at MPLS pseudowires).
    """
    files, notes = {}, {}
    cur = None
    header = None         # columns of the table being read
    bullets = []          # the "Notes for test writers" bullets, continuation lines joined
    in_notes = False
    with open(path) as f:
        lines = f.read().splitlines()
    for line in lines:
        m = re.match(r"^### (\S+)\s*$", line)
        if m:
            cur = m.group(1)
            files[cur] = {"packets": None, "octets": None, "decap": None, "decap_bytes": None,
                          "teids": None, "protocols": [], "rows": [], "alt": None}
            header = None
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
            info = files[cur]
            m = re.search(r"Truth: IP packets \*\*(\d+)\*\*, IP bytes \*\*(\d+)\*\*", line)
            if m:
                info["packets"], info["octets"] = int(m.group(1)), int(m.group(2))
                d = re.search(r"GTP-U decapsulated packets (\d+) / bytes (\d+), TEIDs (\d+)",
                              line)
                if d:
                    info["decap"], info["decap_bytes"], info["teids"] = map(int, d.groups())
            m = re.match(r"^- Protocols \(tshark io,phs\): (.*)$", line)
            if m:
                info["protocols"] = [p.strip() for p in m.group(1).split(",")]
            if line.startswith("|"):
                cols = [c.strip() for c in line.strip().strip("|").split("|")]
                if cols and cols[0] == "IP":
                    header = cols
                elif header and cols and cols[0] in ("4", "6") and len(cols) == len(header):
                    info["rows"].append(table_row(dict(zip(header, cols))))
            else:
                header = None
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


def table_row(r):
    row = {"ver": int(r["IP"]), "src": norm_addr(r["src"]), "dst": norm_addr(r["dst"]),
           "proto": int(r["proto"]), "sport": int(r["sport"]), "dport": int(r["dport"]),
           "packets": int(r["packets"]), "bytes": int(r["bytes"]), "tunnel": None,
           "tunnel_keyed": "TEID" in r}
    if "TEID" in r and r["TEID"] != "-":
        row["tunnel"] = (norm_addr(r["outer src"]), norm_addr(r["outer dst"]), int(r["TEID"], 16))
    return row


def fmt_row(row):
    s = f"v{row['ver']} {row['src']}:{row['sport']} -> {row['dst']}:{row['dport']} " \
        f"proto {row['proto']}"
    if row["tunnel_keyed"]:
        t = row["tunnel"]
        s += f" in GTP-U {t[0]} -> {t[1]} TEID 0x{t[2]:08x}" if t else " (not tunnelled)"
    return s


def expected(name, info, profile):
    """(packets, octets, decap packets, decap bytes, TEIDs, rows, why) the profile expects; packets
    is None (with why saying so) when the truth is unknown."""
    if info.get("packets") is None:
        return None, None, None, None, None, [], "no 'Truth:' line in SOURCES.md"
    if info.get("decap") is None:
        return None, None, None, None, None, [], "no 'GTP-U decapsulated' part in the Truth line"
    if profile == "outer":
        rows = info["rows"] if not info["decap"] else []
        if name in OUTER_TRUTH:
            p, o = OUTER_TRUTH[name]
            return p, o, 0, 0, 0, rows, "outer (--gtpu-port 0; no MPLS pseudowires)"
        if info["decap"] or any(p.startswith("pw") for p in info["protocols"]):
            return None, None, None, None, None, [], (
                "SOURCES.md's truth opens GTP-U or MPLS pseudowires here and this script has "
                "no 'outer' totals for it (add them to OUTER_TRUTH)")
        return info["packets"], info["octets"], 0, 0, 0, rows, "SOURCES.md"
    if name in VARIANTS:
        if info.get("alt") is None:
            return None, None, None, None, None, [], \
                f"SOURCES.md's notes give no variant totals for {name}"
        p, o = info["alt"]
        return p, o, info["decap"], info["decap_bytes"], info["teids"], [], \
            "SOURCES.md, " + VARIANTS[name]
    later = {(k[0], norm_addr(k[1]), norm_addr(k[2])) + k[3:6] +
             ((norm_addr(k[6]), norm_addr(k[7]), k[8]),): n
             for k, n in LATER_FRAGMENT_OCTETS.get(name, {}).items()}
    if not later:
        return info["packets"], info["octets"], info["decap"], info["decap_bytes"], \
            info["teids"], info["rows"], "SOURCES.md"
    rows = [dict(r, bytes=r["bytes"] - later.get((r["ver"], r["src"], r["dst"], r["proto"],
                                                  r["sport"], r["dport"], r["tunnel"]), 0))
            for r in info["rows"]]
    return info["packets"], info["octets"] - sum(later.values()), info["decap"], \
        info["decap_bytes"] - sum(later.values()), info["teids"], rows, \
        "SOURCES.md, less the octets of G-PDUs that come in later outer fragments"


def check_rows(rows, flows):
    """Problems with the per-flow rows: each row's key summed over bpfix's records."""
    problems = []
    for row in rows:
        pk = by = n = 0
        for f in flows:
            if (f.ver, f.src, f.dst, f.proto) != (row["ver"], row["src"], row["dst"],
                                                   row["proto"]):
                continue
            if row["proto"] not in ICMP_PROTOS and (f.sport, f.dport) != (row["sport"],
                                                                          row["dport"]):
                continue
            if row["tunnel_keyed"]:
                tun = (f.outer_src, f.outer_dst, f.teid) if f.teid is not None else None
                if tun != row["tunnel"]:
                    continue
            pk += f.packets
            by += f.octets
            n += 1
        if (pk, by) != (row["packets"], row["bytes"]):
            problems.append(f"flow {fmt_row(row)}: packets {pk} (expected {row['packets']}), "
                            f"bytes {by} (expected {row['bytes']}), summed over {n} record(s)")
    return problems


def tunnel_records(flows):
    """Records with a TEID, by (outer src, outer dst, TEID): for the report."""
    out = defaultdict(lambda: [0, 0, 0])
    for f in flows:
        if f.teid is not None:
            t = out[(f.outer_src, f.outer_dst, f.teid)]
            t[0] += 1
            t[1] += f.packets
            t[2] += f.octets
    return out


def main(argv=None):
    ap = argument_parser("Replay the shared captures with bpfix and compare totals, GTP-U counts, "
                         "TEIDs and the per-flow tables with SOURCES.md. Arguments after '--' go "
                         "to bpfix replay.", elements=ipfix_records.DEFAULT_ELEMENTS, only=True,
                         needs_root=True)
    ap.add_argument("pcaps", help="the shared capture directory (holds SOURCES.md)")
    ap.add_argument("--profile", choices=("sources", "outer"), default="sources",
                    help="sources: SOURCES.md's truth (one level of GTP-U; default); outer: "
                         "GTP-U not opened (bpfix --gtpu-port 0)")
    ap.add_argument("--check-summary", action="store_true",
                    help="also require bpfix's 'packets metered' to equal the expected packets")
    ap.add_argument("-v", "--verbose", action="store_true", help="print bpfix's output")
    a, extra = parse_arguments(ap, argv)

    if not os.path.isdir(a.pcaps):
        log(f"SKIP: shared capture directory {a.pcaps} not present")
        return EXIT_SKIP
    rc = preflight(a.bpfix, COLLECTOR_TOOLS, KERNEL_ENGINE if a.needs_root else None)
    if rc is not None:
        return rc
    sources = os.path.join(a.pcaps, "SOURCES.md")
    if not os.path.isfile(sources):
        log(f"ERROR: {sources} not found: no truth for the captures")
        return EXIT_HARNESS
    truth, notes = parse_sources(sources)
    if a.profile == "outer":
        extra = ["--gtpu-port", "0"] + extra

    names = capture_names(a.pcaps, a.only)
    for n in sorted(set(truth) - set(os.listdir(a.pcaps))):
        log(f"note: SOURCES.md describes {n}, which is not in {a.pcaps}")

    rows_out, failures, unknown = [], 0, 0
    for name in names:
        path = os.path.join(a.pcaps, name)
        exp_p, exp_o, exp_dp, exp_db, exp_teids, exp_rows, why = \
            expected(name, truth.get(name, {}), a.profile)
        try:
            with Nfcapd() as col:
                rc, out, cmd, ipfix_file = replay_to_collector(a.bpfix, col, [path], extra,
                                                               a.timeout)
                flows = col.decode()
                drops = col.drops
                file_flows = ipfix_records.flows(ipfix_file, a.elements) if ipfix_file else None
        except (HarnessError, ipfix_records.DecodeError) as e:
            log(f"ERROR: {name}: {e}")
            return EXIT_HARNESS
        got_p = sum(f.packets for f in flows)
        got_o = sum(f.octets for f in flows)
        summary = parse_summary(out)
        metered = summary.get("packets metered")
        decap_line = summary.get("gtp-u decapsulated", "0")

        problems = []
        if rc != 0:
            problems.append(f"bpfix exited with {rc}")
        if drops:
            problems.append(f"collector socket dropped {drops} datagrams")
        if file_flows is None:
            problems.append("bpfix wrote no --output file")
            file_flows = []
        tun = [f for f in file_flows if f.teid is not None]
        got_dp, got_db = sum(f.packets for f in tun), sum(f.octets for f in tun)
        got_teids = len({f.teid for f in tun})
        fp, fo = sum(f.packets for f in file_flows), sum(f.octets for f in file_flows)
        if (fp, fo) != (got_p, got_o):
            problems.append(f"the IPFIX file's records sum to {fp} packets, {fo} octets; what "
                            f"nfcapd received to {got_p}, {got_o}")
        if exp_p is not None:
            if (got_p, got_o) != (exp_p, exp_o):
                problems.append(f"packets {got_p} (expected {exp_p}), octets {got_o} "
                                f"(expected {exp_o}) [{why}]")
                alt = truth.get(name, {}).get("alt")
                if alt == (got_p, got_o) and name not in VARIANTS:
                    problems.append("the totals equal the variant in SOURCES.md's notes")
            if a.check_summary and metered != str(exp_p):
                problems.append(f"bpfix 'packets metered: {metered}', expected {exp_p}")
            if decap_line != str(exp_dp):
                problems.append(f"bpfix 'GTP-U decapsulated: {decap_line}', expected {exp_dp}")
            if (got_dp, got_db) != (exp_dp, exp_db):
                problems.append(f"records with a TEID: {got_dp} packets, {got_db} octets; "
                                f"expected GTP-U decapsulated packets {exp_dp} / bytes {exp_db}")
            if got_teids != exp_teids:
                problems.append(f"{got_teids} distinct TEIDs in the records, expected "
                                f"{exp_teids}: " + ", ".join(f"0x{t:08x}" for t in
                                                              sorted({f.teid for f in tun})))
            problems += check_rows(exp_rows, file_flows)
        if problems:
            status = "FAIL"
            failures += 1
        elif exp_p is None:
            status = "NO TRUTH"
            unknown += 1
        else:
            status = "ok"
        rows_out.append((name, exp_p, exp_o, got_p, got_o, len(flows), metered, got_dp,
                         got_teids, len(exp_rows), status))

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
                for line in out.splitlines()[-30:]:
                    log(f"    | {line}")
                for (osrc, odst, teid), (n, pk, by) in sorted(tunnel_records(file_flows).items(),
                                                              key=str):
                    log(f"    tunnel {osrc} -> {odst} TEID 0x{teid:08x}: {n} records, "
                        f"{pk} packets, {by} octets")

    w = max([len(r[0]) for r in rows_out] + [7])
    log(f"{'capture':<{w}}  {'expected pk':>11} {'octets':>9}  {'nfdump pk':>9} {'octets':>9} "
        f"{'records':>7}  {'metered':>7}  {'decap':>5} {'TEIDs':>5} {'rows':>4}  status")
    for name, ep, eo, gp, go, nrec, met, dp, nt, nrows, st in rows_out:
        log(f"{name:<{w}}  {ep if ep is not None else '-':>11} {eo if eo is not None else '-':>9}"
            f"  {gp:>9} {go:>9} {nrec:>7}  {met if met is not None else '-':>7}  {dp:>5} "
            f"{nt:>5} {nrows:>4}  {st}")
    log(f"{len(rows_out)} captures, profile {a.profile}: {len(rows_out) - failures - unknown} ok, "
        f"{failures} failed, {unknown} without truth")
    return EXIT_FAIL if failures else EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
