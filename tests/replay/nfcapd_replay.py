#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""Replay a capture with bpfix into a real nfcapd and compare what nfdump decodes with a truth file.

    nfcapd_replay.py --bpfix build/src/bpfix --truth tests/pcaps/mixed.truth.tsv
        [--check tos,tcp_flags,end] [--check-summary] tests/pcaps/mixed.pcap [-- EXTRA ARGS]

Steps: pick a free UDP port on 127.0.0.1, start `nfcapd` in the foreground as our child, run
`bpfix replay --collector 127.0.0.1:PORT [truth's bpfix-args] [EXTRA] CAPTURE`, wait until nfcapd
has read every datagram, stop it with SIGTERM (it writes its file on exit), decode with
`TZ=UTC nfdump -R DIR -o json` and compare every record with the truth (format:
tests/pcaps/README.md). Exit 0 when equal, 1 on any difference, 2 when the harness itself failed,
77 when nfcapd/nfdump are not installed.

Also importable: shared_pcaps.py uses Collector, run_bpfix and parse_summary.
This file deliberately does not know how bpfix works inside: it only sees what the collector sees.
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

EXIT_OK, EXIT_DIFF, EXIT_HARNESS, EXIT_SKIP = 0, 1, 2, 77

END_REASONS = {"idle": 1, "active": 2, "end": 3, "forced": 4, "lack": 5}
END_NAMES = {v: k for k, v in END_REASONS.items()}

# One flow record, as the truth states it or as nfdump decoded it. tos/tcp_flags/end are None when
# unknown; they are compared only when asked (--check).
Flow = namedtuple("Flow", "ver src dst proto sport dport packets octets first_ms last_ms "
                          "tos tcp_flags end what")
KEY_FIELDS = ("ver", "src", "dst", "proto", "sport", "dport")
COUNT_FIELDS = ("packets", "octets", "first_ms", "last_ms")
EXTRA_FIELDS = ("tos", "tcp_flags", "end")


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
                    END_REASONS.get(r.get("end", "-")), r.get("what", "")))
            except (ValueError, KeyError) as e:
                raise HarnessError(f"{path}:{lineno}: {e}")
    return flows, meta


def opt_int(s):
    return None if s in (None, "", "-") else int(s, 0)


def norm_addr(s):
    return str(ipaddress.ip_address(s))


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


def have_tools():
    """None if nfcapd and nfdump are installed, else the reason to skip."""
    missing = [t for t in ("nfcapd", "nfdump") if shutil.which(t) is None]
    return f"{' and '.join(missing)} not installed (Debian: apt-get install nfdump)" \
        if missing else None


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
    proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, errors="replace")
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
        raise HarnessError(f"bpfix did not finish in {timeout:.0f} s: {' '.join(argv)}\n{err}")
    return proc.returncode, (out or "") + (err or ""), argv


def parse_summary(text):
    """bpfix's summary lines ("packets read: 216", possibly prefixed "bpfix: ") -> {key: value}.

    Keys are lower-cased with blanks collapsed so alignment padding does not matter.
    """
    kv = {}
    for line in text.splitlines():
        line = line.strip()
        if line.lower().startswith("bpfix:") and line.count(":") > 1:
            line = line[len("bpfix:"):].strip()
        m = re.match(r"^([A-Za-z][^:]*?)\s*:\s*(\S.*?)\s*$", line)
        if m:
            kv[" ".join(m.group(1).lower().split())] = " ".join(m.group(2).split())
    return kv


def check_summary(got, expected):
    """Return a list of problems: expected is [(key, value)]."""
    problems = []
    for key, value in expected:
        if key not in got:
            problems.append(f"summary line '{key}: {value}' missing")
        elif got[key] != value:
            problems.append(f"summary '{key}': got {got[key]}, expected {value}")
    return problems


# ---------------------------------------------------------------------------------------------
# Comparison

def fmt_key(f):
    if f.ver == 6:
        return f"v6 [{f.src}]:{f.sport} -> [{f.dst}]:{f.dport} proto {f.proto}"
    return f"v{f.ver} {f.src}:{f.sport} -> {f.dst}:{f.dport} proto {f.proto}"


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


def compare(truth, got, extras=()):
    """Return (missing, unexpected, mismatched pairs) between two lists of Flow."""
    fields = COUNT_FIELDS + tuple(extras)

    def sig(f):
        # The truth may leave an extra field open ("-"): it then matches anything.
        return tuple(getattr(f, n) for n in fields)

    def same(t, g):
        return all(getattr(t, n) is None and n in EXTRA_FIELDS or getattr(t, n) == getattr(g, n)
                   for n in fields)

    by_key_t, by_key_g = defaultdict(list), defaultdict(list)
    for f in truth:
        by_key_t[tuple(getattr(f, n) for n in KEY_FIELDS)].append(f)
    for f in got:
        by_key_g[tuple(getattr(f, n) for n in KEY_FIELDS)].append(f)

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


def report(missing, unexpected, mismatched, extras, n_truth, n_got):
    log(f"records: truth {n_truth}, nfdump {n_got}; missing {len(missing)}, "
        f"unexpected {len(unexpected)}, mismatched {len(mismatched)}")
    if missing:
        log("MISSING (in the truth, not decoded by nfdump):")
        for f in missing:
            log("  - " + fmt_flow(f, extras))
    if unexpected:
        log("UNEXPECTED (decoded by nfdump, not in the truth):")
        for f in unexpected:
            log("  + " + fmt_flow(f, extras))
    if mismatched:
        log("MISMATCHED (same flow key, different values):")
        for t, g in mismatched:
            log(f"  ~ {fmt_key(t)}  # {t.what}")
            for n in COUNT_FIELDS + tuple(extras):
                tv, gv = getattr(t, n), getattr(g, n)
                if tv is None and n in EXTRA_FIELDS or tv == gv:
                    continue
                if n in ("first_ms", "last_ms"):
                    tv, gv = f"{tv} ({ms_to_iso(tv)})", f"{gv} ({ms_to_iso(gv)})"
                elif n == "end":
                    tv, gv = END_NAMES.get(tv, tv), END_NAMES.get(gv, gv)
                log(f"      {n}: expected {tv}, got {gv}")


# ---------------------------------------------------------------------------------------------

def split_extra(argv):
    if "--" in argv:
        i = argv.index("--")
        return argv[:i], argv[i + 1:]
    return argv, []


def main(argv=None):
    argv, extra = split_extra(sys.argv[1:] if argv is None else argv)
    ap = argparse.ArgumentParser(
        description="Replay CAPTURE with bpfix into nfcapd and compare nfdump's records with a "
                    "truth file. Arguments after '--' go to bpfix replay.")
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
    ap.add_argument("--keep", action="store_true", help="keep the nfcapd directory")
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
            rc, out, cmd = run_bpfix(a.bpfix, port, a.capture, bpfix_args, a.timeout)
            col.stop()
            got = col.decode(with_end_reason="end" in extras)
            nfcapd_log = col.log_text()
            drops = col.drops
    except HarnessError as e:
        log(f"ERROR: {e}")
        return EXIT_HARNESS

    problems = []
    if rc != a.expect_exit:
        problems.append(f"bpfix exited with {rc}, expected {a.expect_exit}")
    problems += check_summary(parse_summary(out), expected_summary)
    if drops:
        problems.append(f"the collector socket dropped {drops} datagrams (bpfix sent faster "
                        f"than nfcapd read): records are missing for that reason")
    missing, unexpected, mismatched = compare(truth, got, extras)

    failed = bool(problems or missing or unexpected or mismatched)
    log(f"capture: {' '.join(a.capture)}")
    log(f"command: {' '.join(cmd)}")
    if failed or a.verbose:
        log("bpfix output:\n" + "".join("  | " + line + "\n" for line in out.splitlines()))
        seq = [line.strip() for line in nfcapd_log.splitlines() if "Sequence" in line]
        if seq:
            log("nfcapd: " + "; ".join(seq))
    if a.verbose:
        log("decoded records:")
        for f in sorted(got, key=lambda f: (f.first_ms or 0, str(f))):
            log("  " + fmt_flow(f, extras))
    for p in problems:
        log(f"FAIL: {p}")
    report(missing, unexpected, mismatched, extras, len(truth), len(got))
    log("FAIL" if failed else "PASS")
    return EXIT_DIFF if failed else EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
