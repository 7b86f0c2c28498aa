# SPDX-License-Identifier: GPL-2.0-only
"""What the Python test drivers share: running bpfix, reading its summary, a real nfcapd, nfdump.

Imported by tests/replay/*.py, tests/netns/*.py and tests/lib/netns.py, each inserting this
directory into sys.path relative to its own __file__. It knows bpfix only from the outside (its
command line and the summary it prints) and the collector side only as nfcapd and nfdump show
it; IPFIX files are decoded by tests/replay/ipfix_records.py (ipfixDump, run by
decoder_output() here).

- Exit codes (0 pass, 1 fail, 2 harness error, 77 skip), log(), HarnessError (the test could not
  run, as opposed to: it ran and found differences), the options the drivers share and the
  arguments after '--' that go to bpfix, capture_names() of a directory, preflight(): the
  skip-with-77 checks (root, tools on PATH: skip_reason) and the bpfix binary
  (check_executable).
- run_bpfix() and the summary bpfix prints on stderr: "name: value" lines; a name may hold a colon
  ("GTP-U metered as outer UDP (not a G-PDU: echo, ...): 3"), the value is the last field.
- Nfcapd: a private nfcapd on 127.0.0.1 (a free UDP port, or a fixed one in a network namespace),
  a foreground child stopped by its pid with SIGTERM after its socket drained, decoded with
  `TZ=UTC nfdump -o json` (read robustly: nfdump does not always print one valid document) into
  Flow tuples; decoder_output() runs a decoder (nfdump, ipfixDump) in UTC.
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
from datetime import datetime

EXIT_OK, EXIT_FAIL, EXIT_HARNESS, EXIT_SKIP = 0, 1, 2, 77

# the skip reason of `bpfix replay --engine kernel` without root
KERNEL_ENGINE = "bpfix replay --engine kernel needs BPF_PROG_TEST_RUN"
# the collectors and decoders of the replay tests
COLLECTOR_TOOLS = ("nfcapd", "nfdump", "ipfixDump")
# the Debian package of each tool a test may need, for the skip message
DEBIAN_PACKAGE = {"nfcapd": "nfdump", "nfdump": "nfdump", "ipfixDump": "libfixbuf-tools",
                  "ip": "iproute2", "tc": "iproute2", "bpftool": "bpftool",
                  "setpriv": "util-linux"}


class HarnessError(Exception):
    """The test could not run (as opposed to: it ran and found differences)."""


def log(msg=""):
    print(msg, flush=True)


def split_extra(argv):
    """(the test's own arguments, those after '--' that go to bpfix)."""
    if "--" in argv:
        i = argv.index("--")
        return argv[:i], argv[i + 1:]
    return argv, []


def argument_parser(description, elements=None, only=False, needs_root=False):
    """The argument parser of a driver of bpfix runs: --bpfix (required), --timeout (seconds per
    bpfix run); --elements (ipfixDump -e) with elements its default; only: --only SUBSTRING;
    needs_root: --needs-root. parse_arguments() reads it."""
    ap = argparse.ArgumentParser(description=description)
    ap.add_argument("--bpfix", required=True, help="path of the bpfix binary")
    ap.add_argument("--timeout", type=float, default=300.0, help="seconds per bpfix run")
    if elements:
        ap.add_argument("--elements", default=elements,
                        help="element file for ipfixDump -e (default: "
                             "templates/bpfix-elements.xml)")
    if only:
        ap.add_argument("--only", action="append", default=[], metavar="SUBSTRING",
                        help="only captures whose name contains this (repeatable)")
    if needs_root:
        ap.add_argument("--needs-root", action="store_true",
                        help="exit 77 (skip) unless running as root (the kernel engine needs "
                             "BPF)")
    return ap


def parse_arguments(ap, argv=None):
    """(ap's arguments parsed from argv, default the command line, up to '--'; the arguments
    after '--', which go to bpfix)."""
    own, extra = split_extra(sys.argv[1:] if argv is None else argv)
    return ap.parse_args(own), extra


def capture_names(directory, only=()):
    """The captures (*.pcap, *.pcapng) in a directory, sorted; with only, those whose name
    contains one of its strings."""
    return [n for n in sorted(os.listdir(directory)) if n.endswith((".pcap", ".pcapng")) and
            (not only or any(s in n for s in only))]


def captures_in(directories, only=()):
    """The captures of several directories (paths), skipping, with a line saying so, those that
    are absent (../shared/pcaps outside its workspace)."""
    captures = []
    for d in directories:
        if not os.path.isdir(d):
            log(f"skipping {d}: directory not present")
            continue
        captures += [os.path.join(d, n) for n in capture_names(d, only)]
    return captures


# ---------------------------------------------------------------------------------------------
# Preconditions

def skip_reason(tools=(), root_for=None):
    """None if the test can run here, else why it is skipped: root_for (what needs root) when
    this is not root, tools that are not on PATH."""
    if root_for and os.geteuid() != 0:
        return f"not root: {root_for}"
    missing = [t for t in tools if shutil.which(t) is None]
    if missing:
        packages = []
        for t in missing:
            if DEBIAN_PACKAGE.get(t, t) not in packages:
                packages.append(DEBIAN_PACKAGE.get(t, t))
        return f"not installed: {', '.join(missing)} (Debian: apt-get install {' '.join(packages)})"
    return None


def check_executable(path, what="bpfix binary"):
    """HarnessError unless path is an executable file."""
    if not (os.path.isfile(path) and os.access(path, os.X_OK)):
        raise HarnessError(f"{what} {path} not found or not executable")


def preflight(bpfix, tools=(), root_for=None):
    """None if the test can run; else say why not and return its exit code: EXIT_SKIP (see
    skip_reason), EXIT_HARNESS (the bpfix binary is not an executable file)."""
    reason = skip_reason(tools, root_for)
    if reason:
        log(f"SKIP: {reason}")
        return EXIT_SKIP
    try:
        check_executable(bpfix)
    except HarnessError as e:
        log(f"ERROR: {e}")
        return EXIT_HARNESS
    return None


# ---------------------------------------------------------------------------------------------
# bpfix and its summary

def run_bpfix(bpfix, args, timeout=300.0):
    """Run `bpfix ARGS` to its end; return (exit code, stdout and stderr text, argv). Raises
    HarnessError when it cannot start or does not finish in time (it is killed then)."""
    argv = [bpfix, *args]
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


def summary_entries(text, exact=False):
    """The "name: value" lines of bpfix's summary -> [(name, value text)], in order.

    A name may itself hold a colon ("GTP-U metered as outer UDP (not a G-PDU: echo, ...): 3"): a
    line that ends in a number is split at its last colon.
    By default a line may be indented or padded around the colon, prefixed "bpfix: ", and hold a
    value that is not a number (its name then holds no colon): summaries written by hand (truth
    files, --expect-summary) read the same as bpfix's.
    exact: only the lines exactly as bpfix prints them, "name: N" (one blank, a number, nothing
    around), the name as printed; bpfix's messages ("bpfix: ...") are not summary lines.
    """
    out = []
    for line in text.splitlines():
        if exact:
            m = None if line.startswith("bpfix:") else re.match(r"^(.+): (\d+)$", line)
        else:
            line = line.strip()
            if line.lower().startswith("bpfix:") and line.count(":") > 1:
                line = line[len("bpfix:"):].strip()
            m = re.match(r"^([A-Za-z].*?)\s*:\s*(\d+)$", line) or \
                re.match(r"^([A-Za-z][^:]*?)\s*:\s*(\S.*?)\s*$", line)
        if m:
            out.append((m.group(1), m.group(2)))
    return out


# the end of a replay's summary: how fast this run went, so no two runs print the same
SPEED_LINE = re.compile(r"^(elapsed: \d+\.\d{3} s|rate: \d+ packets/s)$")


def without_speed(text):
    """bpfix's output without the summary's elapsed time and rate (SPEED_LINE)."""
    return "".join(line for line in text.splitlines(keepends=True)
                   if not SPEED_LINE.match(line.rstrip("\n")))


def parse_summary(text):
    """bpfix's summary lines ("packets read: 216") -> {key: value text}. Keys are lower-cased
    with blanks collapsed so alignment padding does not matter (summary_entries: which lines)."""
    return {" ".join(k.lower().split()): " ".join(v.split()) for k, v in summary_entries(text)}


def summary_numbers(text):
    """parse_summary's lines whose value is a number -> {key: int}."""
    return {k: int(v) for k, v in parse_summary(text).items() if v.isdigit()}


def summary_counters(text):
    """The counters exactly as bpfix prints them -> {name as printed: int} (summary_entries,
    exact): what its statistics records must repeat name for name."""
    return {k: int(v) for k, v in summary_entries(text, exact=True)}


def not_metered(summary):
    """The packets not metered, summed over the reasons ("not metered (truncated): 1", ...)."""
    return sum(v for k, v in summary.items() if k.startswith("not metered"))


# ---------------------------------------------------------------------------------------------
# nfcapd

def receiver_first(pid=0):
    """Give a receiver (process pid, 0: the calling thread) the CPU before other tests' processes
    (SCHED_FIFO, as root; otherwise nothing changes): a test of what a sender does to a socket
    buffer on a busy 2-CPU machine must not measure how long the scheduler kept the reader off
    the CPU. Returns whether it was given."""
    try:
        os.sched_setscheduler(pid, os.SCHED_FIFO, os.sched_param(10))
        return True
    except (PermissionError, AttributeError, OSError):
        return False


def free_udp_port():
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def udp_socket_state(port, pid):
    """(rx_queue bytes, drops) of the UDP socket bound to 127.0.0.1:port in the network
    namespace of process pid (read in /proc/PID/net/udp), or None if none is bound."""
    want = f"0100007F:{port:04X}"
    try:
        with open(f"/proc/{pid}/net/udp") as f:
            next(f)
            for line in f:
                cols = line.split()
                if cols[1] == want:
                    return int(cols[4].split(":")[1], 16), int(cols[-1])
    except OSError:
        pass
    return None


def kill_child(proc):
    """SIGKILL a child Popen that is still running (None is fine) and reap it; returns None."""
    if proc is not None and proc.poll() is None:
        proc.kill()
        proc.wait()


def _popen(argv, **kw):
    return subprocess.Popen(argv, stdin=subprocess.DEVNULL, **kw)


class Nfcapd:
    """A private nfcapd on 127.0.0.1, a foreground child; its flow directory ("flows") and log
    in workdir (default: a temporary directory of its own, self.tmp, removed unless keep).

    port: a fixed port (default: a free one, picked again should another process take it before
    nfcapd binds it). args: more nfcapd options (-B: its socket buffer). popen(argv, **kw) starts it (default: subprocess.Popen, stdin from
    /dev/null; live_veth.py starts it in a network namespace). Use as a context manager: the
    process (by its pid) and an own directory are cleaned up on every path. stop() must run
    before decode(): nfcapd buffers records in memory and writes its file when it exits on
    SIGTERM.
    """

    def __init__(self, workdir=None, port=None, popen=_popen, keep=False, args=()):
        self.keep = keep
        self.args = list(args)
        self.own_tmp = workdir is None
        self.tmp = tempfile.mkdtemp(prefix="bpfix-nfcapd-") if workdir is None else workdir
        self.flowdir = os.path.join(self.tmp, "flows")
        os.mkdir(self.flowdir)
        self.log_path = os.path.join(self.tmp, "nfcapd.log")
        self.fixed_port = port
        self.port = port
        self.popen = popen
        self.proc = None
        self.drops = 0

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.kill()
        if not self.own_tmp:
            return
        if self.keep:
            log(f"kept {self.tmp}")
        else:
            shutil.rmtree(self.tmp, ignore_errors=True)

    def socket_state(self):
        return udp_socket_state(self.port, self.proc.pid)

    def start(self, attempts=3, timeout=30.0):
        """Start nfcapd and wait until its socket is bound; return its port."""
        for _ in range(attempts if self.fixed_port is None else 1):
            if self.fixed_port is None:
                self.port = free_udp_port()
            with open(self.log_path, "ab") as logf:
                self.proc = self.popen(["nfcapd", "-b", "127.0.0.1", "-p", str(self.port), "-w",
                                        self.flowdir, "-t", "3600", *self.args],
                                       stdout=logf, stderr=subprocess.STDOUT)
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                if self.proc.poll() is not None:
                    break
                if self.socket_state() is not None:
                    return self.port
                time.sleep(0.02)
            self.kill()
        raise HarnessError(f"nfcapd did not start:\n{self.log_text()}")

    def drain(self, timeout=15.0):
        """Wait until nfcapd has read every queued datagram; remember the socket's drops."""
        deadline = time.monotonic() + timeout
        quiet = 0
        while time.monotonic() < deadline and quiet < 3:
            st = self.socket_state()
            if st is None:
                break
            self.drops = st[1]
            quiet = quiet + 1 if st[0] == 0 else 0
            time.sleep(0.05)

    def stop(self, drain_timeout=15.0, timeout=30.0):
        """Drain, then SIGTERM by pid and wait for nfcapd's exit: it writes its file then."""
        if self.proc is None:
            return
        self.drain(drain_timeout)
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
        self.proc = kill_child(self.proc)

    def log_text(self):
        try:
            with open(self.log_path, errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    def nfdump(self, *args):
        """nfdump's output for the collected files (in UTC)."""
        return decoder_output(["nfdump", "-R", self.flowdir, *args])

    def info(self):
        """`nfdump -I` of the collected files: {"Flows": N, "Sequence failures": N, ...}."""
        out = {}
        for line in self.nfdump("-I").splitlines():
            name, _, value = line.partition(":")
            if value.strip().isdigit():
                out[name.strip()] = int(value)
        return out

    def json_records(self):
        """Every FLOW object of `nfdump -o json`."""
        return [o for o in parse_nfdump_json(self.nfdump("-o", "json"))
                if o.get("type", "FLOW") == "FLOW"]

    def decode(self, with_end_reason=False):
        """Every FLOW record nfdump decodes from the collected file, as Flow tuples (end: the
        flowEndReason with_end_reason, else None)."""
        flows = [flow_from_json(o) for o in self.json_records()]
        if with_end_reason:
            flows = self._add_end_reasons(flows)
        return flows

    def _add_end_reasons(self, flows):
        # nfdump's JSON has no flowEndReason; its fmt output does (%end, numeric). Pair the two
        # views of each record by what both show.
        fmt = "fmt:%ts|%te|%pr|%sa|%da|%pkt|%byt|%end"
        ends = defaultdict(list)
        # -6: fmt shortens IPv6 addresses over 16 characters otherwise ("2001:db..afe::10")
        for line in self.nfdump("-q", "-N", "-6", "-o", fmt).splitlines():
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


def decoder_output(argv, error=HarnessError):
    """The standard output of a decoder run with TZ=UTC (it prints times in UTC); raises
    error(message) when it fails."""
    r = subprocess.run(argv, env=dict(os.environ, TZ="UTC"), capture_output=True, text=True,
                       errors="replace")
    if r.returncode != 0:
        raise error(f"{' '.join(argv)} exited with {r.returncode}: {r.stderr.strip()}")
    return r.stdout


def replay_to_collector(bpfix, col, captures, args=(), timeout=300.0):
    """`bpfix replay --collector 127.0.0.1:PORT --output DIR/records.ipfix ARGS CAPTURES` into
    the Nfcapd col (started here, stopped after), its IPFIX file in col's directory. Returns
    (exit code, output, argv, the IPFIX file or None when bpfix wrote none)."""
    port = col.start()
    ipfix_file = os.path.join(col.tmp, "records.ipfix")
    rc, out, argv = run_bpfix(bpfix, ["replay", "--collector", f"127.0.0.1:{port}",
                                      "--output", ipfix_file, *args, *captures], timeout)
    col.stop()
    return rc, out, argv, ipfix_file if os.path.exists(ipfix_file) else None


# ---------------------------------------------------------------------------------------------
# Flow records as nfdump decodes them

# One flow record, as a truth states it or as nfdump or ipfixDump decoded it. tos/tcp_flags/end
# are None when unknown. The tunnel fields are None when absent (a flow that is not tunnelled, a
# record without a PDU Session Container); nfdump does not show them, ipfixDump does.
Flow = namedtuple("Flow", "ver src dst proto sport dport packets octets first_ms last_ms "
                          "tos tcp_flags end what outer_src outer_dst teid qfi pdu_type",
                  defaults=(None,) * 5)


def opt_int(s):
    return None if s in (None, "", "-") else int(s, 0)


def norm_addr(s):
    return str(ipaddress.ip_address(s))


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
