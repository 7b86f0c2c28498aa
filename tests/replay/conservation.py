#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""Packet conservation and exact loss accounting, with a large flow map and a tiny one.

    conservation.py --bpfix build/src/bpfix [--pcaps DIR]... [--elements XML] [--only NAME]...
        [--tiny N] [--jobs N] [-v] [-- EXTRA BPFIX ARGS]

For every capture (*.pcap, *.pcapng) in each --pcaps directory (default: the project's
tests/pcaps and ../shared/pcaps; a directory that is absent is skipped, saying so), for engine
host and, as root, kernel (without root the kernel runs are skipped, saying so), and for the
default flow map and a tiny one (--max-flows N, default 4), run

    bpfix replay --engine ENGINE [--max-flows N] --output F.ipfix [EXTRA] CAPTURE

and decode F.ipfix with `ipfixDump -e templates/bpfix-elements.xml` (the records as a collector
decodes them). The truth is the capture's frame count, counted here from the file format (classic
pcap records; pcapng Enhanced, Simple and obsolete Packet Blocks), not by bpfix. Checked:

(a) packets seen: the summary's "packets read" and "packets seen" and the totals options record
    (domain 0) packetTotalCount all equal the frame count.
(b) conservation, exactly: the packetDeltaCount of every flow record + not metered (the totals
    record's ignoredPacketTotalCount, equal to the summary's "not metered (...)" lines) + lost to
    eviction (notSentPacketTotalCount, equal to the summary's "packets lost to flow map
    eviction") = packets seen. Also: the summary's "packets exported" is the records' sum, its
    "records sent" (exportedFlowRecordTotalCount) the number of flow records decoded, and
    "packets metered" = seen - not metered.
(c) default map: nothing lost, no record ends with flowEndReason 5 (lack of resources).
(d) tiny map, host engine: the host table reports its evictions, so nothing is lost; the packets
    and octets summed over the records of each flow key equal the default run's; when the tiny
    map created more flows than the default one (flows were evicted), records with flowEndReason
    5 exist. Kernel engine (the LRU map evicts silently): per key, packets and octets are at most
    the default kernel run's, and the packet shortfalls sum to the reported packets lost (the
    octet shortfall is printed; bpfix reports octets lost only if its summary has such a line,
    which is then checked too). Records with flowEndReason 5 are counted, not required: an
    evicted flow gets one only when a sweep (once per capture second) saw it before it went.
    With the default map the two engines' per-key totals must also agree.

A flow key here is what a record shows of bpfix's key: IP version and addresses, protocol,
ports, TEID, tunnel addresses, interfaces and direction. Runs go in parallel (--jobs).

Exit 0 when every capture conserves, 1 when one does not, 2 when the harness failed, 77 when
ipfixDump is missing or nothing ran.
"""

import os
import shutil
import struct
import sys
import tempfile
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor

sys.dont_write_bytecode = True   # no __pycache__ in the source tree
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [HERE, os.path.join(HERE, "..", "lib")]
import ipfix_records  # noqa: E402
from bpfixtest import (EXIT_FAIL, EXIT_HARNESS, EXIT_OK, EXIT_SKIP,  # noqa: E402
                       KERNEL_ENGINE, HarnessError, argument_parser, captures_in, log,
                       not_metered, parse_arguments, preflight, run_bpfix,
                       skip_reason, summary_numbers)

TOP = os.path.normpath(os.path.join(HERE, "..", ".."))
DEFAULT_DIRS = [os.path.join(TOP, "tests", "pcaps"), os.path.join(TOP, "..", "shared", "pcaps")]
LOST = "packets lost to eviction or removal race"
END_LACK_OF_RESOURCES = 5
# the fields of a flow record that show bpfix's flow key (the rest are counters and attributes)
KEY_FIELDS = ("sourceIPv4Address", "destinationIPv4Address", "sourceIPv6Address",
              "destinationIPv6Address", "protocolIdentifier", "sourceTransportPort",
              "destinationTransportPort", "gtpuTEid", "bpfixTunnelSourceIPv4Address",
              "bpfixTunnelDestinationIPv4Address", "bpfixTunnelSourceIPv6Address",
              "bpfixTunnelDestinationIPv6Address", "ingressInterface", "egressInterface",
              "flowDirection")


# ---------------------------------------------------------------------------------------------
# The truth: frames in the capture, counted from the file format

PCAP_MAGIC = {0xa1b2c3d4, 0xa1b23c4d}   # µs, ns; read in the file's byte order
PCAPNG_SHB = 0x0A0D0D0A
PCAPNG_BOM = 0x1A2B3C4D
PCAPNG_PACKET_BLOCKS = {2, 3, 6}          # obsolete Packet, Simple Packet, Enhanced Packet


def count_frames(path):
    """The number of packet records in a classic pcap or pcapng file. Raises HarnessError for
    anything else or a damaged file (records are counted only when complete)."""
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 24:
        raise HarnessError(f"{path}: too short for a capture")
    for bo in "<>":
        if struct.unpack(bo + "I", data[:4])[0] in PCAP_MAGIC:
            return _count_pcap(path, data, bo)
    if struct.unpack("<I", data[:4])[0] == PCAPNG_SHB:
        return _count_pcapng(path, data)
    raise HarnessError(f"{path}: neither pcap nor pcapng (magic {data[:4].hex()})")


def _count_pcap(path, data, bo):
    n, off = 0, 24
    while off < len(data):
        if off + 16 > len(data):
            raise HarnessError(f"{path}: record header cut short at offset {off}")
        incl = struct.unpack_from(bo + "I", data, off + 8)[0]
        off += 16 + incl
        if off > len(data):
            raise HarnessError(f"{path}: record data cut short")
        n += 1
    return n


def _count_pcapng(path, data):
    n, off, bo = 0, 0, "<"
    while off < len(data):
        if off + 12 > len(data):
            raise HarnessError(f"{path}: block header cut short at offset {off}")
        btype = struct.unpack_from("<I", data, off)[0]
        if btype == PCAPNG_SHB:   # a section: its own byte order
            bom = data[off + 8:off + 12]
            if struct.unpack("<I", bom)[0] == PCAPNG_BOM:
                bo = "<"
            elif struct.unpack(">I", bom)[0] == PCAPNG_BOM:
                bo = ">"
            else:
                raise HarnessError(f"{path}: bad byte-order magic at offset {off}")
        btype, blen = struct.unpack_from(bo + "II", data, off)
        if blen < 12 or blen % 4 or off + blen > len(data):
            raise HarnessError(f"{path}: bad block length {blen} at offset {off}")
        if struct.unpack_from(bo + "I", data, off + blen - 4)[0] != blen:
            raise HarnessError(f"{path}: block at offset {off}: trailing length differs")
        n += btype in PCAPNG_PACKET_BLOCKS
        off += blen
    return n


# ---------------------------------------------------------------------------------------------
# One bpfix run, as the collector decodes it

class Run:
    """One replay: summary, totals record, flow records (key, packets, octets, end reason)."""

    def __init__(self, engine, tiny):
        self.engine, self.tiny = engine, tiny
        self.error = None            # why the run itself failed
        self.harness = False         # it failed because bpfix could not run or finish
        self.summary = {}
        self.totals = None           # the totals options record {name: int}
        self.records = []            # (key, packets, octets, flowEndReason)
        self.argv = []

    @property
    def label(self):
        return f"{self.engine}, {'--max-flows %d' % self.tiny if self.tiny else 'default map'}"

    def per_key(self):
        """{key: [packets, octets]} summed over the records of each key."""
        out = defaultdict(lambda: [0, 0])
        for key, packets, octets, _ in self.records:
            out[key][0] += packets
            out[key][1] += octets
        return dict(out)

    def ends(self, reason):
        return sum(1 for r in self.records if r[3] == reason)


def do_run(bpfix, capture, engine, tiny, extra, elements, timeout, tmp):
    run = Run(engine, tiny)
    out = os.path.join(tmp, f"{os.path.basename(capture)}.{engine}.{tiny or 'default'}.ipfix")
    args = ["replay", "--engine", engine, *(["--max-flows", str(tiny)] if tiny else []),
            "--output", out, *extra, capture]
    run.argv = [bpfix, *args]
    try:
        rc, text, _ = run_bpfix(bpfix, args, timeout)
    except HarnessError as e:
        run.error, run.harness = str(e), True
        return run
    if rc != 0:
        run.error = f"bpfix exited with {rc}: {' '.join(run.argv)}\n" + \
            "".join(f"      | {line}\n" for line in text.splitlines()[-15:])
        return run
    if not os.path.exists(out):
        run.error = "no --output file written"
        return run
    run.summary = summary_numbers(text)
    try:
        _, records = ipfix_records.decode(out, elements)
    except ipfix_records.DecodeError as e:
        run.error = f"ipfixDump: {e}"
        return run
    finally:
        os.unlink(out)
    totals = [r for r in ipfix_records.domain_records(records, 0) if "packetTotalCount" in r]
    if len(totals) == 1:
        run.totals = {k: int(v) for k, v in totals[0].items() if v.isdigit()}  # not addresses
    else:
        run.error = f"expected one totals options record in domain 0, got {len(totals)}"
    for r in records:
        if r.domain == 0:
            continue
        f = ipfix_records.by_name(r)
        if "packetDeltaCount" not in f:
            continue   # RFC 5610 type records and the like
        key = tuple((name, f[name]) for name in KEY_FIELDS if name in f)
        run.records.append((key, int(f["packetDeltaCount"]), int(f.get("octetDeltaCount", 0)),
                            int(f["flowEndReason"]) if "flowEndReason" in f else None))
    return run


# ---------------------------------------------------------------------------------------------
# Checks

def fmt_key(key):
    return " ".join(f"{name}={value}" for name, value in key)


def check_run(run, frames):
    """(a), (b), (c) and the host part of (d) that needs no other run: a list of problems."""
    p = []
    s, t = run.summary, run.totals
    for name in ("packets read", "packets seen"):
        if s.get(name) != frames:
            p.append(f"summary '{name}: {s.get(name)}' != {frames} frames in the capture")
    if t.get("packetTotalCount") != frames:
        p.append(f"totals record packetTotalCount {t.get('packetTotalCount')} != {frames} frames")
    if LOST not in s:
        p.append(f"no summary line '{LOST}'")
    unmetered, lost = not_metered(s), s.get(LOST, 0)
    if t.get("ignoredPacketTotalCount") != unmetered:
        p.append(f"totals record ignoredPacketTotalCount {t.get('ignoredPacketTotalCount')} != "
                 f"summary not metered {unmetered}")
    if t.get("notSentPacketTotalCount") != lost:
        p.append(f"totals record notSentPacketTotalCount {t.get('notSentPacketTotalCount')} != "
                 f"summary '{LOST}: {lost}'")
    exported = sum(r[1] for r in run.records)
    total = exported + t.get("ignoredPacketTotalCount", 0) + t.get("notSentPacketTotalCount", 0)
    if total != frames:
        p.append(f"conservation: records {exported} + not metered "
                 f"{t.get('ignoredPacketTotalCount')} + lost {t.get('notSentPacketTotalCount')} "
                 f"= {total} != {frames} packets seen")
    if s.get("packets exported") != exported:
        p.append(f"summary 'packets exported: {s.get('packets exported')}' != {exported} in the "
                 "decoded records")
    if s.get("records sent") != len(run.records) or \
            t.get("exportedFlowRecordTotalCount") != len(run.records):
        p.append(f"records sent: summary {s.get('records sent')}, totals record "
                 f"{t.get('exportedFlowRecordTotalCount')}, decoded {len(run.records)}")
    if s.get("packets metered") != s.get("packets seen", 0) - unmetered:
        p.append(f"packets metered {s.get('packets metered')} != seen {s.get('packets seen')} - "
                 f"not metered {unmetered}")
    if s.get("flows") != t.get("observedFlowTotalCount"):
        p.append(f"flows: summary {s.get('flows')}, totals record "
                 f"{t.get('observedFlowTotalCount')}")
    if not run.tiny or run.engine == "host":
        if lost:
            p.append(f"{lost} packets lost to eviction, expected 0")
    if not run.tiny and run.ends(END_LACK_OF_RESOURCES):
        p.append(f"{run.ends(END_LACK_OF_RESOURCES)} records with flowEndReason 5 "
                 "with the default map")
    return p


def compare_keys(ref, tiny, exact):
    """Per-key totals of a tiny-map run against its default-map run: (problems, packet
    shortfall, octet shortfall). exact: every key's totals equal, else at most the default's."""
    p, short_p, short_o = [], 0, 0
    a, b = ref.per_key(), tiny.per_key()
    for key in sorted(set(a) | set(b)):
        (rp, ro), (tp, to) = a.get(key, (0, 0)), b.get(key, (0, 0))
        if exact and (rp, ro) != (tp, to) or not exact and (tp > rp or to > ro):
            if len(p) < 10:
                p.append(f"key {fmt_key(key)}: packets/octets {tp}/{to} with the tiny map, "
                         f"{rp}/{ro} with the default map")
            else:
                p[-1:] = ["... (more keys differ)"]
        short_p += rp - tp
        short_o += ro - to
    return p, short_p, short_o


def check_capture(runs, frames):
    """{label: problems} for one capture's runs (a Run each, keyed (engine, tiny))."""
    problems, notes = {}, []
    for run in runs.values():
        problems[run.label] = [run.error] if run.error else check_run(run, frames)
    for engine in ("host", "kernel"):
        ref = next((r for (e, t), r in runs.items() if e == engine and not t), None)
        tiny = next((r for (e, t), r in runs.items() if e == engine and t), None)
        if not ref or not tiny or ref.error or tiny.error:
            continue
        p = problems[tiny.label]
        keys_p, short_p, short_o = compare_keys(ref, tiny, exact=engine == "host")
        p += keys_p
        lost = tiny.summary.get(LOST, 0)
        five = tiny.ends(END_LACK_OF_RESOURCES)
        evicted = tiny.summary.get("flows", 0) > ref.summary.get("flows", 0)
        if engine == "host":
            if evicted and not five:
                p.append(f"flows {tiny.summary.get('flows')} > {ref.summary.get('flows')} with "
                         "the default map (flows were evicted) but no record has flowEndReason 5")
        else:
            if short_p != lost:
                p.append(f"per-key packet shortfalls sum to {short_p}, reported lost {lost}")
            octets_lost = {k: v for k, v in tiny.summary.items() if "octets lost" in k}
            for k, v in octets_lost.items():
                if v != short_o:
                    p.append(f"per-key octet shortfalls sum to {short_o}, summary '{k}: {v}'")
            if lost or evicted:
                notes.append(f"kernel --max-flows {tiny.tiny}: flows {tiny.summary.get('flows')} "
                             f"(default map {ref.summary.get('flows')}), lost {lost} packets / "
                             f"{short_o} octets, {five} records with flowEndReason 5")
    refs = [runs.get((e, None)) for e in ("host", "kernel")]
    if all(r and not r.error for r in refs) and refs[0].per_key() != refs[1].per_key():
        problems[refs[1].label].append("default map: per-key totals differ from the host "
                                       "engine's")
    return problems, notes


# ---------------------------------------------------------------------------------------------

def main(argv=None):
    ap = argument_parser("Replay every capture with the host and (as root) the kernel engine, "
                         "with the default flow map and a tiny one, and require exact packet "
                         "conservation and loss accounting against the capture's frame count. "
                         "Arguments after '--' go to every bpfix run.",
                         elements=ipfix_records.DEFAULT_ELEMENTS, only=True)
    ap.add_argument("--pcaps", action="append", default=[], metavar="DIR",
                    help="capture directory (repeatable; default: tests/pcaps and "
                         "../shared/pcaps)")
    ap.add_argument("--tiny", type=int, default=4, metavar="N",
                    help="--max-flows of the tiny-map runs (default 4)")
    ap.add_argument("--jobs", type=int, default=max(2, os.cpu_count() or 1),
                    help="bpfix runs at once (default: the CPUs, at least 2)")
    ap.add_argument("-v", "--verbose", action="store_true")
    a, extra = parse_arguments(ap, argv)

    rc = preflight(a.bpfix, ("ipfixDump",))
    if rc is not None:
        return rc
    engines = ["host"]
    reason = skip_reason(root_for=KERNEL_ENGINE)
    if reason:
        log(f"kernel engine skipped: {reason}")
    else:
        engines.append("kernel")

    captures = captures_in(a.pcaps or DEFAULT_DIRS, a.only)
    if not captures:
        log("SKIP: no captures")
        return EXIT_SKIP
    try:
        frames = {c: count_frames(c) for c in captures}
    except (HarnessError, OSError) as e:
        log(f"ERROR: {e}")
        return EXIT_HARNESS

    start = time.monotonic()
    tmp = tempfile.mkdtemp(prefix="bpfix-conservation-")
    jobs = [(c, e, t) for c in captures for e in engines for t in (None, a.tiny)]
    try:
        with ThreadPoolExecutor(a.jobs) as pool:
            futures = {j: pool.submit(do_run, a.bpfix, *j, extra, a.elements, a.timeout, tmp)
                       for j in jobs}
            results = {j: f.result() for j, f in futures.items()}
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    failed = harness = 0
    for cap in captures:
        runs = {(e, t): results[(cap, e, t)] for (c, e, t) in jobs if c == cap}
        problems, notes = check_capture(runs, frames[cap])
        bad = any(problems.values())
        if any(problems[r.label] and not r.harness for r in runs.values()):
            failed += 1
        elif bad:
            harness += 1
        name = os.path.relpath(cap, TOP) if cap.startswith(TOP) else cap
        h = runs[("host", None)].summary
        log(f"{'FAIL' if bad else 'ok':4}  {name}: {frames[cap]} frames, "
            f"{h.get('packets metered')} metered, {h.get('flows')} flows")
        for run in runs.values():
            for x in problems[run.label]:
                log(f"    {run.label}: {x.rstrip()}")
            if problems[run.label]:
                log(f"      ran: {' '.join(run.argv)}")
            if run.summary and (problems[run.label] or a.verbose):
                log(f"      {run.label} summary: " +
                    ", ".join(f"{k} {v}" for k, v in run.summary.items()))
        for n in notes if a.verbose or bad else ():
            log(f"    {n}")
    summary = (f"{len(captures)} captures x {len(engines)} engine(s) x 2 map sizes "
               f"({len(jobs)} runs, {time.monotonic() - start:.0f} s): "
               f"{len(captures) - failed - harness} conserve, {failed} fail")
    if "kernel" in engines:
        lossy = sum(1 for c in captures if results[(c, "kernel", a.tiny)].summary.get(LOST))
        summary += f"; the kernel engine lost packets (reported) with --max-flows {a.tiny} in " \
                   f"{lossy} captures"
    log(summary)
    if harness:
        log(f"ERROR: bpfix could not run or finish for {harness} captures")
    return EXIT_FAIL if failed else EXIT_HARNESS if harness else EXIT_OK

if __name__ == "__main__":
    sys.exit(main())
