#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""Replay a capture with bpfix into a real nfcapd and compare what nfdump decodes with a truth file.

    nfcapd_replay.py --bpfix build/src/bpfix --truth tests/pcaps/mixed.truth.tsv
        [--check tos,tcp_flags,end] [--check-summary] tests/pcaps/mixed.pcap [-- EXTRA ARGS]

Steps: pick a free UDP port on 127.0.0.1, start `nfcapd` in the foreground as our child, run
`bpfix replay --collector 127.0.0.1:PORT --output TMP/records.ipfix [truth's bpfix-args] [EXTRA]
CAPTURE`, wait until nfcapd has read every datagram, stop it with SIGTERM (it writes its file on
exit), then compare every record with the truth (format: tests/pcaps/README.md) twice:
  - as nfcapd received it, decoded with `TZ=UTC nfdump -R DIR -o json`: flow key (the inner flow
    for GTP-U; nfdump shows no tunnel fields), packets, octets, first/last time, --check fields;
  - as bpfix wrote it to the IPFIX file, decoded with libfixbuf's `ipfixDump -e
    templates/bpfix-elements.xml`: the same, plus the tunnel fields (outer source/destination,
    gtpuTEid, gtpuQFI, gtpuPduType; absent for flows that are not tunnelled).
With --check-summary, bpfix's summary must hold the truth's "# summary:" lines (a counter bpfix
leaves out of its summary is 0). Exit 0 when equal, 1 on any difference, 2 when the harness itself
failed, 77 when nfcapd/nfdump/ipfixDump are not installed (or --needs-root and not root).

Also importable: shared_pcaps.py and engines_agree.py use Collector, run_bpfix, parse_summary.
This file deliberately does not know how bpfix works inside: it only sees what the collectors see.
"""

import argparse
import calendar
import ipaddress
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import defaultdict, namedtuple
from datetime import datetime, timezone

sys.dont_write_bytecode = True   # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ipfix_records  # noqa: E402

EXIT_OK, EXIT_DIFF, EXIT_HARNESS, EXIT_SKIP = 0, 1, 2, 77

END_REASONS = {"idle": 1, "active": 2, "end": 3, "forced": 4, "lack": 5}
END_NAMES = {v: k for k, v in END_REASONS.items()}

# One flow record, as the truth states it or as nfdump or ipfixDump decoded it. tos/tcp_flags/end
# are None when unknown; they are compared only when asked (--check). The tunnel fields are None
# when absent (a flow that is not tunnelled, a record without a PDU Session Container); nfdump does
# not show them, ipfixDump does.
Flow = namedtuple("Flow", "ver src dst proto sport dport packets octets first_ms last_ms "
                          "tos tcp_flags end what outer_src outer_dst teid qfi pdu_type",
                  defaults=(None,) * 5)
KEY_FIELDS = ("ver", "src", "dst", "proto", "sport", "dport")
COUNT_FIELDS = ("packets", "octets", "first_ms", "last_ms")
EXTRA_FIELDS = ("tos", "tcp_flags", "end")
# GTP-U: the tunnel endpoint that owns the TEID and the TEID are part of the flow key; the outer
# source, QFI and PDU type are attributes of the record.
TUNNEL_KEY_FIELDS = ("outer_dst", "teid")
TUNNEL_FIELDS = ("outer_src", "qfi", "pdu_type")


class HarnessError(Exception):
    """The test could not run (as opposed to: it ran and found differences)."""


def log(msg):
    print(msg, flush=True)


# ---------------------------------------------------------------------------------------------
# Truth file

def read_truth(path):
    """Return (records, meta). meta: {'bpfix-args': [...], 'summary': [(key, value)], ...}."""
    flows, meta = [], {"bpfix-args": [], "summary": []}
    header = None
    with open(path) as f:
        for lineno, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line.strip():
                continue
            if line.startswith("#"):
                m = re.match(r"#\s*(bpfix-args|summary):\s*(.*)$", line)
                if m and m.group(1) == "bpfix-args":
                    meta["bpfix-args"] += m.group(2).split()
                elif m:
                    kv = parse_summary(m.group(2))
                    meta["summary"] += list(kv.items())
                continue
            cols = line.split("\t")
            if header is None:
                header = cols
                missing = [c for c in ("ipver", "src", "dst", "proto", "sport", "dport",
                                       "packets", "octets", "first_ms", "last_ms") if c not in cols]
                if missing:
                    raise HarnessError(f"{path}:{lineno}: header lacks {', '.join(missing)}")
                continue
            if len(cols) != len(header):
                raise HarnessError(f"{path}:{lineno}: {len(cols)} columns, header has "
                                   f"{len(header)}")
            r = dict(zip(header, cols))
            try:
                flows.append(Flow(
                    int(r["ipver"]), norm_addr(r["src"]), norm_addr(r["dst"]), int(r["proto"]),
                    int(r["sport"]), int(r["dport"]), int(r["packets"]), int(r["octets"]),
                    int(r["first_ms"]), int(r["last_ms"]),
                    opt_int(r.get("tos")), opt_int(r.get("tcp_flags")),
                    END_REASONS.get(r.get("end", "-")), r.get("what", ""),
                    opt_addr(r.get("outer_src")), opt_addr(r.get("outer_dst")),
                    opt_int(r.get("teid")), opt_int(r.get("qfi")), opt_int(r.get("pdu_type"))))
            except (ValueError, KeyError) as e:
                raise HarnessError(f"{path}:{lineno}: {e}")
    return flows, meta


def opt_int(s):
    return None if s in (None, "", "-") else int(s, 0)


def norm_addr(s):
    return str(ipaddress.ip_address(s))


def opt_addr(s):
    """A truth column that may be '-' (absent), e.g. the outer source of a flow not tunnelled."""
    return None if s in (None, "", "-") else norm_addr(s)


# ---------------------------------------------------------------------------------------------
# nfdump output

def parse_nfdump_json(text):
    """Extract every JSON object from nfdump's -o json output.

    nfdump 1.7.1 prints a JSON array when there are records, but "[\\nNo matching flows\\n]" when
    there are none, so the output is not always one valid document: scan for objects instead.
    """
    dec = json.JSONDecoder()
    out, i = [], 0
    while True:
        i = text.find("{", i)
        if i < 0:
            return out
        try:
            obj, end = dec.raw_decode(text, i)
        except json.JSONDecodeError:
            i += 1
            continue
        if isinstance(obj, dict):
            out.append(obj)
        i = end


def iso_to_ms(s):
    """nfdump's "2023-11-14T22:13:20.123" (local time; we run it with TZ=UTC) -> epoch ms."""
    try:
        dt = datetime.strptime(s, "%Y-%m-%dT%H:%M:%S.%f")
    except (TypeError, ValueError):
        return None
    return calendar.timegm(dt.timetuple()) * 1000 + dt.microsecond // 1000


def ms_to_iso(ms):
    if ms is None:
        return "?"
    try:
        return datetime.fromtimestamp(ms / 1000, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.") + \
            f"{ms % 1000:03d}"
    except (OverflowError, OSError, ValueError):
        return f"{ms}ms"


def tcp_flags_from_string(s):
    """nfdump's "...AP.SF" (CWR ECE URG ACK PSH RST SYN FIN) -> the flag octet."""
    if not isinstance(s, str) or len(s) != 8:
        return None
    return sum(1 << (7 - i) for i, c in enumerate(s) if c != ".")


def flow_from_json(o):
    """One nfdump JSON FLOW object -> Flow.

    nfdump shows ICMP/ICMPv6 flows with icmp_type/icmp_code instead of ports (it takes them from
    the destination port, type*256+code, which is what bpfix exports) and drops the source port:
    such flows get sport 0 and dport type*256+code, the truth's convention.
    """
    if "src4_addr" in o:
        ver, src, dst = 4, o["src4_addr"], o.get("dst4_addr")
    elif "src6_addr" in o:
        ver, src, dst = 6, o["src6_addr"], o.get("dst6_addr")
    else:
        ver, src, dst = 0, "?", "?"
    proto = int(o.get("proto", -1))
    if "icmp_type" in o:
        sport, dport = 0, int(o["icmp_type"]) * 256 + int(o.get("icmp_code", 0))
    else:
        sport, dport = int(o.get("src_port", 0)), int(o.get("dst_port", 0))
    flags = tcp_flags_from_string(o.get("tcp_flags")) if proto == 6 else None
    return Flow(ver, norm_addr(src) if ver else src, norm_addr(dst) if ver else dst, proto, sport,
                dport, int(o.get("in_packets", 0)), int(o.get("in_bytes", 0)),
                iso_to_ms(o.get("first")), iso_to_ms(o.get("last")),
                opt_int(str(o["src_tos"])) if "src_tos" in o else None, flags, None, "")


# ---------------------------------------------------------------------------------------------
# nfcapd as a child process

def udp_socket_state(port):
    """(rx_queue bytes, drops) of the socket bound to 127.0.0.1:port, or None if none is bound."""
    want = f"0100007F:{port:04X}"
    try:
        with open("/proc/net/udp") as f:
            next(f)
            for line in f:
                cols = line.split()
                if cols[1] == want:
                    return int(cols[4].split(":")[1], 16), int(cols[-1])
    except OSError:
        pass
    return None


def free_udp_port():
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def have_tools(ipfixdump=True):
    """None if nfcapd and nfdump (and ipfixDump) are installed, else the reason to skip."""
    missing = [t for t in ("nfcapd", "nfdump") if shutil.which(t) is None]
    if missing:
        return f"{' and '.join(missing)} not installed (Debian: apt-get install nfdump)"
    return ipfix_records.have_ipfixdump() if ipfixdump else None


def flow_from_view(v):
    """An ipfix_records.FlowView (a record as ipfixDump decoded it) -> Flow."""
    return Flow(what="", **v._asdict())


class Collector:
    """A private nfcapd on 127.0.0.1, its flow directory in a temporary directory.

    Use as a context manager: the process (by its pid) and the directory are cleaned up on every
    path. stop() must run before decode(): nfcapd buffers records in memory and writes its file
    when it exits on SIGTERM.
    """

    def __init__(self, keep=False):
        self.keep = keep
        self.tmp = tempfile.mkdtemp(prefix="bpfix-nfcapd-")
        self.flowdir = os.path.join(self.tmp, "flows")
        os.mkdir(self.flowdir)
        self.proc = None
        self.port = None
        self.drops = 0
        self.log_path = os.path.join(self.tmp, "nfcapd.log")

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.kill()
        if self.keep:
            log(f"kept {self.tmp}")
        else:
            shutil.rmtree(self.tmp, ignore_errors=True)

    def start(self, attempts=3):
        # The free port is found by binding and closing; another process may take it before
        # nfcapd binds it, so retry a few times on a fresh port.
        for _ in range(attempts):
            self.port = free_udp_port()
            with open(self.log_path, "ab") as logf:
                self.proc = subprocess.Popen(
                    ["nfcapd", "-b", "127.0.0.1", "-p", str(self.port), "-w", self.flowdir,
                     "-t", "3600"],
                    stdin=subprocess.DEVNULL, stdout=logf, stderr=subprocess.STDOUT)
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:
                if self.proc.poll() is not None:
                    break
                if udp_socket_state(self.port) is not None:
                    return self.port
                time.sleep(0.02)
            self.kill()
        raise HarnessError(f"nfcapd did not start:\n{self.log_text()}")

    def drain(self, timeout=15.0):
        """Wait until nfcapd has read every queued datagram; remember the socket's drops."""
        deadline = time.monotonic() + timeout
        quiet = 0
        while time.monotonic() < deadline and quiet < 3:
            st = udp_socket_state(self.port)
            if st is None:
                break
            self.drops = st[1]
            quiet = quiet + 1 if st[0] == 0 else 0
            time.sleep(0.05)

    def stop(self, timeout=30.0):
        if self.proc is None:
            return
        self.drain()
        self.proc.send_signal(signal.SIGTERM)
        try:
            rc = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            raise HarnessError(f"nfcapd did not exit {timeout:.0f} s after SIGTERM")
        self.proc = None
        if rc != 0:
            raise HarnessError(f"nfcapd exited with {rc}:\n{self.log_text()}")

    def kill(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self.proc = None

    def log_text(self):
        try:
            with open(self.log_path, errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    def nfdump(self, *args):
        env = dict(os.environ, TZ="UTC")
        r = subprocess.run(["nfdump", "-R", self.flowdir, *args], env=env,
                           capture_output=True, text=True, errors="replace")
        if r.returncode != 0:
            raise HarnessError(f"nfdump {' '.join(args)} exited with {r.returncode}: "
                               f"{r.stderr.strip()}")
        return r.stdout

    def decode(self, with_end_reason=False):
        """Every FLOW record nfdump decodes from the collected file, as Flow tuples."""
        text = self.nfdump("-o", "json")
        flows = [flow_from_json(o) for o in parse_nfdump_json(text)
                 if o.get("type", "FLOW") == "FLOW"]
        if with_end_reason:
            flows = self._add_end_reasons(flows)
        return flows

    def _add_end_reasons(self, flows):
        # nfdump's JSON has no flowEndReason; its fmt output does (%end, numeric). Pair the two
        # views of each record by what both show.
        fmt = "fmt:%ts|%te|%pr|%sa|%da|%pkt|%byt|%end"
        ends = defaultdict(list)
        for line in self.nfdump("-q", "-N", "-o", fmt).splitlines():
            c = [x.strip() for x in line.split("|")]
            if len(c) != 8:
                continue
            try:
                k = (iso_to_ms(c[0].replace(" ", "T")), iso_to_ms(c[1].replace(" ", "T")),
                     int(c[2]), norm_addr(c[3]), norm_addr(c[4]), int(c[5]), int(c[6]))
                ends[k].append(int(c[7], 0))
            except ValueError:
                continue
        out = []
        for fl in flows:
            k = (fl.first_ms, fl.last_ms, fl.proto, fl.src, fl.dst, fl.packets, fl.octets)
            out.append(fl._replace(end=ends[k].pop(0) if ends.get(k) else None))
        return out


# ---------------------------------------------------------------------------------------------
# bpfix

def run_bpfix(bpfix, collector_port, captures, args=(), timeout=300.0):
    """Run `bpfix replay` to the collector; return (exit code, stderr text, argv)."""
    argv = [bpfix, "replay", "--collector", f"127.0.0.1:{collector_port}", *args, *captures]
    try:
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True, errors="replace")
    except OSError as e:   # e.g. the binary is being relinked
        raise HarnessError(f"cannot run {bpfix}: {e}")
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
        raise HarnessError(f"bpfix did not finish in {timeout:.0f} s: {' '.join(argv)}\n{err}")
    return proc.returncode, (out or "") + (err or ""), argv


def parse_summary(text):
    """bpfix's summary lines ("packets read: 216", possibly prefixed "bpfix: ") -> {key: value}.

    Keys are lower-cased with blanks collapsed so alignment padding does not matter. A name may
    itself hold a colon ("GTP-U metered as outer UDP (not a G-PDU: echo, ...): 3"): a line that
    ends in a number is split at its last colon.
    """
    kv = {}
    for line in text.splitlines():
        line = line.strip()
        if line.lower().startswith("bpfix:") and line.count(":") > 1:
            line = line[len("bpfix:"):].strip()
        m = re.match(r"^([A-Za-z].*?)\s*:\s*(\d+)$", line) or \
            re.match(r"^([A-Za-z][^:]*?)\s*:\s*(\S.*?)\s*$", line)
        if m:
            kv[" ".join(m.group(1).lower().split())] = " ".join(m.group(2).split())
    return kv


def check_summary(got, expected):
    """Return a list of problems: expected is [(key, value)]. bpfix prints a counter that is 0
    only for the first few; a missing line is 0."""
    problems = []
    for key, value in expected:
        if key not in got:
            if value != "0":
                problems.append(f"summary line '{key}: {value}' missing")
        elif got[key] != value:
            problems.append(f"summary '{key}': got {got[key]}, expected {value}")
    return problems


# ---------------------------------------------------------------------------------------------
# Comparison

def fmt_tunnel(f):
    if f.outer_dst is None and f.teid is None and f.outer_src is None:
        return ""
    teid = f"0x{f.teid:08x}" if f.teid is not None else "-"
    s = f" in GTP-U {f.outer_src or '-'} -> {f.outer_dst or '-'} TEID {teid}"
    if f.qfi is not None or f.pdu_type is not None:
        s += f" QFI {f.qfi if f.qfi is not None else '-'}" \
             f" PDU type {f.pdu_type if f.pdu_type is not None else '-'}"
    return s


def fmt_key(f):
    if f.ver == 6:
        return f"v6 [{f.src}]:{f.sport} -> [{f.dst}]:{f.dport} proto {f.proto}" + fmt_tunnel(f)
    return f"v{f.ver} {f.src}:{f.sport} -> {f.dst}:{f.dport} proto {f.proto}" + fmt_tunnel(f)


def fmt_flow(f, extras):
    s = (f"{fmt_key(f)}  packets {f.packets} octets {f.octets} "
         f"first {ms_to_iso(f.first_ms)} last {ms_to_iso(f.last_ms)}")
    for name in extras:
        v = getattr(f, name)
        if name == "end":
            v = END_NAMES.get(v, v)
        elif name == "tcp_flags" and v is not None:
            v = f"0x{v:02x}"
        s += f" {name} {v if v is not None else '-'}"
    return s + (f"  # {f.what}" if f.what else "")


def compare(truth, got, extras=(), tunnel=False):
    """Return (missing, unexpected, mismatched pairs) between two lists of Flow.

    tunnel: also compare the GTP-U fields (the decoder shows them): the tunnel endpoint and TEID
    belong to the flow key, outer source, QFI and PDU type to the values. Absent (None) must
    match absent there; only the --check fields of a truth may be left open.
    """
    key_fields = KEY_FIELDS + (TUNNEL_KEY_FIELDS if tunnel else ())
    fields = COUNT_FIELDS + tuple(extras) + (TUNNEL_FIELDS if tunnel else ())

    def sig(f):
        # The truth may leave an extra field open ("-"): it then matches anything.
        return tuple(getattr(f, n) for n in fields)

    def same(t, g):
        return all(getattr(t, n) is None and n in EXTRA_FIELDS or getattr(t, n) == getattr(g, n)
                   for n in fields)

    by_key_t, by_key_g = defaultdict(list), defaultdict(list)
    for f in truth:
        by_key_t[tuple(getattr(f, n) for n in key_fields)].append(f)
    for f in got:
        by_key_g[tuple(getattr(f, n) for n in key_fields)].append(f)

    missing, unexpected, mismatched = [], [], []
    for key in sorted(set(by_key_t) | set(by_key_g), key=str):
        ts = sorted(by_key_t.get(key, []), key=lambda f: (f.first_ms or 0, repr(sig(f))))
        gs = sorted(by_key_g.get(key, []), key=lambda f: (f.first_ms or 0, repr(sig(f))))
        rest_t = []
        for t in ts:
            hit = next((g for g in gs if same(t, g)), None)
            if hit is None:
                rest_t.append(t)
            else:
                gs.remove(hit)
        # What is left under one key is most likely the same record with wrong counters or times:
        # pair it up in time order so the diff says which field is off.
        while rest_t and gs:
            mismatched.append((rest_t.pop(0), gs.pop(0)))
        missing += rest_t
        unexpected += gs
    order = lambda f: (f.first_ms or 0, str(f))
    mismatched.sort(key=lambda tg: order(tg[0]))
    return sorted(missing, key=order), sorted(unexpected, key=order), mismatched


def report(missing, unexpected, mismatched, extras, n_truth, n_got, decoder="nfdump",
           tunnel=False):
    log(f"records ({decoder}): truth {n_truth}, {decoder} {n_got}; missing {len(missing)}, "
        f"unexpected {len(unexpected)}, mismatched {len(mismatched)}")
    if missing:
        log(f"MISSING (in the truth, not decoded by {decoder}):")
        for f in missing:
            log("  - " + fmt_flow(f, extras))
    if unexpected:
        log(f"UNEXPECTED (decoded by {decoder}, not in the truth):")
        for f in unexpected:
            log("  + " + fmt_flow(f, extras))
    if mismatched:
        log(f"MISMATCHED ({decoder}: same flow key, different values):")
        for t, g in mismatched:
            log(f"  ~ {fmt_key(t)}  # {t.what}")
            for n in COUNT_FIELDS + tuple(extras) + (TUNNEL_FIELDS if tunnel else ()):
                tv, gv = getattr(t, n), getattr(g, n)
                if tv is None and n in EXTRA_FIELDS or tv == gv:
                    continue
                if n in ("first_ms", "last_ms"):
                    tv, gv = f"{tv} ({ms_to_iso(tv)})", f"{gv} ({ms_to_iso(gv)})"
                elif n == "end":
                    tv, gv = END_NAMES.get(tv, tv), END_NAMES.get(gv, gv)
                log(f"      {n}: expected {'-' if tv is None else tv}, "
                    f"got {'-' if gv is None else gv}")


# ---------------------------------------------------------------------------------------------

def split_extra(argv):
    if "--" in argv:
        i = argv.index("--")
        return argv[:i], argv[i + 1:]
    return argv, []


def main(argv=None):
    argv, extra = split_extra(sys.argv[1:] if argv is None else argv)
    ap = argparse.ArgumentParser(
        description="Replay CAPTURE with bpfix into nfcapd and an IPFIX file; compare the "
                    "records nfdump and ipfixDump decode with a truth file. Arguments after '--' "
                    "go to bpfix replay.")
    ap.add_argument("--bpfix", required=True, help="path of the bpfix binary")
    ap.add_argument("--truth", required=True, help="truth file (tests/pcaps/README.md)")
    ap.add_argument("--check", default="",
                    help="also compare these comma-separated fields: tos, tcp_flags, end")
    ap.add_argument("--check-summary", action="store_true",
                    help="check bpfix's summary against the truth's '# summary:' lines")
    ap.add_argument("--expect-summary", action="append", default=[], metavar="'KEY: VALUE'",
                    help="require this summary line from bpfix (repeatable)")
    ap.add_argument("--expect-exit", type=int, default=0, help="bpfix exit code (default 0)")
    ap.add_argument("--no-truth-args", action="store_true",
                    help="do not pass the truth's '# bpfix-args:' to bpfix")
    ap.add_argument("--timeout", type=float, default=300.0, help="seconds bpfix may run")
    ap.add_argument("--needs-root", action="store_true",
                    help="exit 77 (skip) unless running as root (the kernel engine needs BPF)")
    ap.add_argument("--elements", default=ipfix_records.DEFAULT_ELEMENTS,
                    help="element file for ipfixDump -e (default: templates/bpfix-elements.xml)")
    ap.add_argument("--keep", action="store_true",
                    help="keep the nfcapd directory and the IPFIX file")
    ap.add_argument("-v", "--verbose", action="store_true",
                    help="print bpfix's output and every decoded record")
    ap.add_argument("capture", nargs="+", help="capture file(s), replayed in one bpfix run")
    a = ap.parse_args(argv)

    extras = [x for x in a.check.split(",") if x]
    bad = [x for x in extras if x not in EXTRA_FIELDS]
    if bad:
        ap.error(f"--check: unknown field(s) {', '.join(bad)}; choose from tos, tcp_flags, end")

    reason = have_tools()
    if not reason and a.needs_root and os.geteuid() != 0:
        reason = "not root: bpfix replay --engine kernel needs BPF_PROG_TEST_RUN"
    if reason:
        log(f"SKIP: {reason}")
        return EXIT_SKIP
    if not (os.path.isfile(a.bpfix) and os.access(a.bpfix, os.X_OK)):
        log(f"ERROR: bpfix binary {a.bpfix} not found or not executable")
        return EXIT_HARNESS

    try:
        truth, meta = read_truth(a.truth)
        expected_summary = list(meta["summary"]) if a.check_summary else []
        for s in a.expect_summary:
            expected_summary += list(parse_summary(s).items())
        bpfix_args = ([] if a.no_truth_args else meta["bpfix-args"]) + extra

        with Collector(keep=a.keep) as col:
            port = col.start()
            ipfix_file = os.path.join(col.tmp, "records.ipfix")
            rc, out, cmd = run_bpfix(a.bpfix, port, a.capture,
                                     ["--output", ipfix_file] + bpfix_args, a.timeout)
            col.stop()
            got = col.decode(with_end_reason="end" in extras)
            nfcapd_log = col.log_text()
            drops = col.drops
            if os.path.exists(ipfix_file):
                got_file = [flow_from_view(v)
                            for v in ipfix_records.flows(ipfix_file, a.elements)]
            else:
                got_file = None
    except (HarnessError, ipfix_records.DecodeError) as e:
        log(f"ERROR: {e}")
        return EXIT_HARNESS

    problems = []
    if rc != a.expect_exit:
        problems.append(f"bpfix exited with {rc}, expected {a.expect_exit}")
    problems += check_summary(parse_summary(out), expected_summary)
    if drops:
        problems.append(f"the collector socket dropped {drops} datagrams (bpfix sent faster "
                        f"than nfcapd read): records are missing for that reason")
    if got_file is None:
        problems.append("bpfix wrote no --output file")
        got_file = []
    missing, unexpected, mismatched = compare(truth, got, extras)
    f_missing, f_unexpected, f_mismatched = compare(truth, got_file, extras, tunnel=True)

    failed = bool(problems or missing or unexpected or mismatched or f_missing or f_unexpected or
                  f_mismatched)
    log(f"capture: {' '.join(a.capture)}")
    log(f"command: {' '.join(cmd)}")
    if failed or a.verbose:
        log("bpfix output:\n" + "".join("  | " + line + "\n" for line in out.splitlines()))
        seq = [line.strip() for line in nfcapd_log.splitlines() if "Sequence" in line]
        if seq:
            log("nfcapd: " + "; ".join(seq))
    if a.verbose:
        for name, flows in (("nfdump", got), ("ipfixDump", got_file)):
            log(f"records decoded by {name}:")
            for f in sorted(flows, key=lambda f: (f.first_ms or 0, str(f))):
                log("  " + fmt_flow(f, extras))
    for p in problems:
        log(f"FAIL: {p}")
    report(missing, unexpected, mismatched, extras, len(truth), len(got))
    report(f_missing, f_unexpected, f_mismatched, extras, len(truth), len(got_file),
           decoder="ipfixDump", tunnel=True)
    log("FAIL" if failed else "PASS")
    return EXIT_DIFF if failed else EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
