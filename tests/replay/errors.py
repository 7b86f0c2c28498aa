#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""Errors a user can cause in `bpfix replay` and `bpfix --print-config`: one clear message each.

    errors.py --bpfix BIN --pcaps tests/pcaps [--elements XML] [--case NAME]... [--list]

Every case runs bpfix so that it fails and requires
- the exit status the help states: 1 failed (reason printed), 2 bad command line or configuration;
- ONE message on stderr that names the cause (a distinctive substring: the file, the option or
  key, the link type, the capability). Besides it stderr may hold only the summary ("name: N"
  lines, printed when something was metered) and the hint "Try 'bpfix --help'."; stdout stays
  empty (no half-printed configuration);
- nothing lost that was metered: a capture that cannot be opened leaves no --output file; one
  damaged in the middle (classic pcap cut in a record header or in packet data, pcapng cut in an
  Enhanced Packet Block) leaves an --output file whose flow records (ipfixDump) hold every packet
  the summary reports as metered, and that is the number of IP packets before the cut, counted
  here from the capture itself (a classifier checked on the whole capture against its truth
  file's "packets metered");
- a collector that is not listening or whose name does not resolve is not fatal: the replay runs
  to its end (exit 1), with one warning when the collector fails (naming it and why: the errno
  or resolver text) and the end-of-run report of what was lost to it (every record) as its only
  messages, and the --output file holds the same flow records as a run without it; for a
  netflow9:// collector both say "NetFlow v9 messages".

Cases that need another user (an unreadable capture, the kernel engine without privilege) run a
copy of the binary as nobody through setpriv when this is root, and directly otherwise.

One line per case (PASS, FAIL with the problems, SKIP with why), then "N passed, N failed"
(tests/lib/cases.py). Exit 0 when every case passes, 1 when one fails, 2 when the harness failed,
77 when ipfixDump is missing.
"""

import os
import re
import shutil
import signal
import struct
import subprocess
import sys

sys.dont_write_bytecode = True   # no __pycache__ in the source tree
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [HERE, os.path.join(HERE, "..", "lib")]
import ipfix_records  # noqa: E402
from bpfixtest import (SPEED_LINE, HarnessError, argument_parser, free_udp_port,  # noqa: E402
                       log, summary_entries, summary_numbers)
from cases import (WAIT, Cases, Skip, driver_arguments, in_temporary_directory,  # noqa: E402
                   require, wait_until)

NOBODY = 65534
HINT = "Try 'bpfix --help'."
LINKTYPE_USER0 = 147


class Case:
    """The temporary directory, the binaries and the arguments every case gets."""

    def __init__(self, args, tmp):
        self.args = args
        self.tmp = tmp
        self.pcaps = args.pcaps
        self.elements = args.elements
        self.timeout = args.timeout
        self.nobody_bin = None

    def path(self, name):
        return os.path.join(self.tmp, name)

    def capture(self, name):
        return os.path.join(self.pcaps, name)


class Result:
    def __init__(self, argv, rc, out, err):
        self.argv, self.rc, self.out, self.err = argv, rc, out, err

    def show(self, stdout_lines=5):
        out = self.out.splitlines()
        more = len(out) - stdout_lines
        return (f"$ {' '.join(self.argv)}\n  exit {self.rc}\n" +
                "".join(f"  stderr| {x}\n" for x in self.err.splitlines()) +
                "".join(f"  stdout| {x}\n" for x in out[:stdout_lines]) +
                (f"  stdout| ... ({more} more lines)\n" if more > 0 else ""))


def run(c, args, as_other=False):
    """bpfix ARGS (as_other: a copy of the binary as nobody when root), stdout and stderr apart."""
    if as_other and os.geteuid() == 0:
        argv = ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups",
                "--inh-caps=-all", nobody_binary(c), *args]
    else:
        argv = [c.args.bpfix, *args]
    try:
        p = subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                           errors="replace", timeout=c.timeout, cwd=c.tmp)
    except subprocess.TimeoutExpired:
        raise HarnessError(f"bpfix did not finish in {c.timeout:.0f} s: {' '.join(argv)}")
    except OSError as e:
        raise HarnessError(f"cannot run {argv[0]}: {e}")
    return Result(argv, p.returncode, p.stdout, p.stderr)


def nobody_binary(c):
    """A copy of bpfix that nobody can reach and run (c.tmp is made traversable for it)."""
    if c.nobody_bin is None:
        if shutil.which("setpriv") is None:
            raise HarnessError("setpriv (util-linux) is needed to run bpfix as nobody")
        os.chmod(c.tmp, 0o755)
        binary = c.path("bpfix-nobody")
        shutil.copy(c.args.bpfix, binary)
        os.chmod(binary, 0o755)
        with open(binary, "rb") as f:
            if f.read(4) != b"\x7fELF" or os.path.getsize(binary) != os.path.getsize(c.args.bpfix):
                raise HarnessError(f"{c.args.bpfix} changed while being copied (being rebuilt?)")
        c.nobody_bin = binary
    return c.nobody_bin


def other_user_dir(c, name):
    """A directory in c.tmp that the user of run(as_other=True) can write in."""
    d = c.path(name)
    os.mkdir(d)
    if os.geteuid() == 0:
        os.chmod(c.tmp, 0o755)
        os.chmod(d, 0o777)
    return d


def message_lines(err):
    """stderr without the summary lines and the --help hint: the messages."""
    out = []
    for line in err.splitlines():
        if not line.strip() or line == HINT:
            continue
        if summary_entries(line, exact=True) or SPEED_LINE.match(line):
            continue
        out.append(line)
    return out


def check_failure(r, code, names, problems, output=None):
    """r failed with exit code, ONE message naming every string in names (one of them, for a
    tuple), stdout empty; output: a file that must not exist (nothing was metered)."""
    before = len(problems)
    if r.rc != code:
        problems.append(f"exit {r.rc}, expected {code}")
    if r.out:
        problems.append("printed on stdout")
    msgs = message_lines(r.err)
    if len(msgs) != 1:
        problems.append(f"{len(msgs)} messages on stderr, expected one")
    text = "\n".join(msgs)
    for n in names:
        alternatives = n if isinstance(n, tuple) else (n,)
        if not any(a in text for a in alternatives):
            problems.append("the message does not name " + " or ".join(repr(a) for a in
                                                                        alternatives))
    if output is not None and os.path.exists(output):
        problems.append(f"left an output file {os.path.basename(output)} "
                        f"({os.path.getsize(output)} bytes)")
    if len(problems) > before:
        problems.append(r.show().rstrip())


# ---------------------------------------------------------------------------------------------
# Captures: reading their records, writing broken ones

def pcap_records(data):
    """(link type, [(offset, length of the whole record, packet data)]) of a classic pcap."""
    magic = data[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        e = "<"
    elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        e = ">"
    else:
        raise HarnessError("not a classic pcap")
    linktype = struct.unpack(e + "I", data[20:24])[0] & 0x0FFFFFFF
    recs, off = [], 24
    while off + 16 <= len(data):
        caplen = struct.unpack(e + "I", data[off + 8:off + 12])[0]
        recs.append((off, 16 + caplen, data[off + 16:off + 16 + caplen]))
        off += 16 + caplen
    if off != len(data):
        raise HarnessError("the pcap does not end on a record boundary")
    return linktype, recs


def pcapng_records(data):
    """(link type of the first interface, [(offset, block length, packet data)] of the Enhanced
    Packet Blocks) of a pcapng file with one section."""
    bom = data[8:12]
    e = "<" if bom == b"\x4d\x3c\x2b\x1a" else ">" if bom == b"\x1a\x2b\x3c\x4d" else None
    if data[:4] != b"\x0a\x0d\x0d\x0a" or e is None:
        raise HarnessError("not a pcapng file")
    linktype, recs, off = None, [], 0
    while off + 12 <= len(data):
        btype, blen = struct.unpack(e + "II", data[off:off + 8])
        if btype == 1 and linktype is None:
            linktype = struct.unpack(e + "H", data[off + 8:off + 10])[0]
        elif btype == 6:
            caplen = struct.unpack(e + "I", data[off + 20:off + 24])[0]
            recs.append((off, blen, data[off + 28:off + 28 + caplen]))
        elif btype == 0x0A0D0D0A and off:
            raise HarnessError("more than one pcapng section")
        off += blen
    if off != len(data):
        raise HarnessError("the pcapng does not end on a block boundary")
    return linktype, recs


def is_ip(frame):
    """An Ethernet frame (after any 802.1Q/802.1ad tags) with a whole IPv4 or IPv6 header: what
    the meter must count. Checked against the truth before it is trusted (ip_count_checked)."""
    off = 12
    while off + 2 <= len(frame):
        etype = struct.unpack(">H", frame[off:off + 2])[0]
        if etype in (0x8100, 0x88A8, 0x9100):
            off += 4
            continue
        ip = frame[off + 2:]
        if etype == 0x0800:
            return len(ip) >= 20 and ip[0] >> 4 == 4 and (ip[0] & 15) * 4 <= len(ip)
        if etype == 0x86DD:
            return len(ip) >= 40 and ip[0] >> 4 == 6
        return False
    return False


def truth_summary(truth):
    """The "# summary: name: N" lines of a truth file -> {name: N}."""
    text = []
    with open(truth) as f:
        for line in f:
            if line.startswith("# summary:"):
                text.append(line[len("# summary:"):].strip())
    return summary_numbers("\n".join(text))


def ip_count_checked(frames, truth):
    """The classifier is_ip must find in all frames the packets the truth says are metered."""
    want = truth_summary(truth).get("packets metered")
    got = sum(is_ip(f) for f in frames)
    if want is None or got != want:
        raise HarnessError(f"the IP packet count of this test ({got}) is not the truth's packets "
                           f"metered ({want}) in {truth}: the count before a cut is not "
                           f"trustworthy")


def write_pcap(path, linktype, packets):
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, linktype))
        for i, p in enumerate(packets):
            f.write(struct.pack("<IIII", 1700000000 + i, 0, len(p), len(p)) + p)


def flow_records(c, path, problems, what):
    try:
        return ipfix_records.flows(path, c.elements)
    except ipfix_records.DecodeError as e:
        problems.append(f"{what}: ipfixDump cannot decode the output file: {e}")
        return None


# ---------------------------------------------------------------------------------------------
# Cases: each takes the Case and the list of problems it appends to (cases.Cases)

def case_nonexistent_capture(c, p):
    cap, out = c.path("no-such-capture.pcap"), c.path("out.ipfix")
    check_failure(run(c, ["replay", "--output", out, cap]), 1, [cap], p, output=out)
    # a good capture before it: still nothing is metered (every capture is opened first)
    check_failure(run(c, ["replay", "--output", out, c.capture("mixed.pcap"), cap]), 1, [cap], p,
                  output=out)


def case_unreadable_capture(c, p):
    d = other_user_dir(c, "unreadable")
    cap, out = os.path.join(d, "unreadable.pcap"), os.path.join(d, "out.ipfix")
    shutil.copy(c.capture("mixed.pcap"), cap)
    os.chmod(cap, 0)
    check_failure(run(c, ["replay", "--output", out, cap], as_other=True), 1, [cap], p,
                  output=out)


def case_empty_capture(c, p):
    cap, out = c.path("empty.pcap"), c.path("out.ipfix")
    open(cap, "wb").close()
    check_failure(run(c, ["replay", "--output", out, cap]), 1, [cap], p, output=out)


def case_text_capture(c, p):
    cap, out = c.path("notes.pcap"), c.path("out.ipfix")
    with open(cap, "w") as f:
        f.write("this is a text file, not a capture\n" * 10)
    check_failure(run(c, ["replay", "--output", out, cap]), 1, [cap], p, output=out)


def case_unsupported_link_type(c, p):
    cap, out = c.path("user0.pcap"), c.path("out.ipfix")
    write_pcap(cap, LINKTYPE_USER0, [bytes(range(48))])
    check_failure(run(c, ["replay", "--output", out, cap]), 1, [cap, str(LINKTYPE_USER0)], p,
                  output=out)


def truncated(c, name, records, pick, problems):
    """Cut a copy of capture `name` at the offset pick(records) gives inside record k; replay it
    with --output and require the message, the summary and the records (module docstring)."""
    src = c.capture(name)
    with open(src, "rb") as f:
        data = f.read()
    _, recs = records(data)
    frames = [r[2] for r in recs]
    ip_count_checked(frames, os.path.join(c.pcaps, "mixed.truth.tsv"))
    k, cut = pick(recs)
    start, length, _ = recs[k]
    if not start < cut < start + length:
        raise HarnessError(f"cut offset {cut} is not inside record {k} ({start}+{length})")
    cap = c.path(f"cut-{k}-{os.path.basename(name)}")
    out = cap + ".ipfix"
    with open(cap, "wb") as f:
        f.write(data[:cut])
    before = len(problems)
    r = run(c, ["replay", "--output", out, cap])
    check_failure(r, 1, [cap, ("damaged", "truncated")], problems)
    ip_before = sum(is_ip(f) for f in frames[:k])
    s = summary_numbers(r.err)
    read, metered, exported = (s.get(x) for x in ("packets read", "packets metered",
                                                  "packets exported"))
    if read != k:
        problems.append(f"summary packets read {read}, the capture holds {k} whole records "
                        f"before the cut")
    if metered != ip_before:
        problems.append(f"summary packets metered {metered}, {ip_before} IP packets before the "
                        f"cut")
    if exported != metered:
        problems.append(f"summary packets exported {exported} != packets metered {metered}")
    if not os.path.exists(out):
        problems.append("no --output file: the records of the packets before the cut are lost")
    else:
        flows = flow_records(c, out, problems, os.path.basename(cap))
        if flows is not None:
            in_file = sum(f.packets or 0 for f in flows)
            if in_file != ip_before or in_file != metered:
                problems.append(f"packetDeltaCount sums to {in_file} in the output file; "
                                f"metered (summary) {metered}, IP packets before the cut "
                                f"{ip_before}")
    if len(problems) > before and r.show().rstrip() not in problems:
        problems.append(r.show().rstrip())
    log(f"  {os.path.basename(cap)}: cut at {cut} in record {k}: {k} records, {ip_before} IP "
        f"packets before it")


def case_truncated_capture(c, p):
    # classic pcap: cut in the packet data of the middle record, and in the record header of one
    # three quarters in
    truncated(c, "mixed.pcap", pcap_records,
              lambda recs: (len(recs) // 2,
                            recs[len(recs) // 2][0] + 16 + max(1, (recs[len(recs) // 2][1]
                                                                   - 16) // 2)), p)
    truncated(c, "mixed.pcap", pcap_records,
              lambda recs: (len(recs) * 3 // 4, recs[len(recs) * 3 // 4][0] + 8), p)
    # pcapng: cut in the middle of an Enhanced Packet Block two thirds in
    truncated(c, "mixed.pcapng", pcapng_records,
              lambda recs: (len(recs) * 2 // 3,
                            recs[len(recs) * 2 // 3][0] + recs[len(recs) * 2 // 3][1] // 2), p)


BAD_OPTIONS = [
    (["--max-flows", "0"], "--max-flows"),
    (["--idle-timeout", "abc"], "--idle-timeout"),
    (["--engine", "foo"], "--engine"),
    (["--gtpu-port", "70000"], "--gtpu-port"),
    (["--collector", "foo"], "--collector"),
    (["--collector", "1.2.3.4:abc"], "--collector"),
    (["--no-such-option"], "--no-such-option"),
]


def case_bad_options(c, p):
    cap = c.capture("mixed.pcap")
    for opts, name in BAD_OPTIONS:
        for mode in (["replay", *opts, cap], ["--print-config", *opts]):
            before = len(p)
            out = c.path("out.ipfix")
            check_failure(run(c, [*mode[:1], "--output", out, *mode[1:]]), 2, [name], p,
                          output=out)
            if len(p) > before:
                p.insert(before, f"{' '.join(mode[:1] + opts)}:")
    # an option without its value, no capture at all (options come before the captures: the
    # usage is `bpfix replay [OPTIONS] PCAP...`)
    for args, names in ((["--max-flows"], ["max-flows"]), ([], ["capture"])):
        before = len(p)
        check_failure(run(c, ["replay", *args]), 2, names, p)
        if len(p) > before:
            p.insert(before, f"replay {' '.join(args)}:")


CONFIGS = [
    ("unknown-key.conf", "[flows]\nbogus_key = 3\n", ["bogus_key"]),
    ("unknown-section.conf", "[nosuch]\nidle_timeout = 3\n", ["nosuch"]),
    ("bad-value.conf", "[flows]\nmax_flows = lots\n", ["max_flows"]),
    ("bad-collector.conf", "[export]\ncollectors = foo\n", ["collectors"]),
    ("unparseable.conf", "[flows]\nthis is not a key value line\n", []),
    ("no-section.conf", "max_flows = 5\n", []),
]


def case_config_errors(c, p):
    cap = c.capture("mixed.pcap")
    for name, text, names in CONFIGS:
        conf = c.path(name)
        with open(conf, "w") as f:
            f.write(text)
        for mode in (["replay", "-c", conf, cap], ["--print-config", "-c", conf]):
            before = len(p)
            check_failure(run(c, mode), 2, [conf, *names], p)
            if len(p) > before:
                p.insert(before, f"{mode[0]} -c {name} ({text.strip()!r}):")
    conf = c.path("no-such.conf")
    for mode in (["replay", "-c", conf, cap], ["--print-config", "-c", conf]):
        before = len(p)
        check_failure(run(c, mode), 2, [conf], p)
        if len(p) > before:
            p.insert(before, f"{mode[0]} -c no-such.conf:")


def case_kernel_engine_unprivileged(c, p):
    d = other_user_dir(c, "kernel")
    cap, out = os.path.join(d, "mixed.pcap"), os.path.join(d, "out.ipfix")
    shutil.copy(c.capture("mixed.pcap"), cap)
    os.chmod(cap, 0o644)
    check_failure(run(c, ["replay", "--engine", "kernel", "--output", out, cap], as_other=True),
                  1, ["CAP_BPF"], p, output=out)


def case_unwritable_output(c, p):
    out = c.path(os.path.join("no-such-dir", "out.ipfix"))
    check_failure(run(c, ["replay", "--output", out, c.capture("mixed.pcap")]), 1, [out], p,
                  output=out)


def case_output_is_capture(c, p):
    """--output naming one of the captures is refused before anything is opened."""
    cap = c.path("mixed.pcap")
    shutil.copy(c.capture("mixed.pcap"), cap)
    with open(cap, "rb") as f:
        before = f.read()
    check_failure(run(c, ["replay", "--output", cap, c.capture("sll.pcap"), cap]), 2,
                  [cap, "is the capture"], p)
    with open(cap, "rb") as f:
        if f.read() != before:
            p.append("the capture was changed")


def catches(pid, sig):
    """Whether process pid has a handler for sig (SigCgt in /proc/PID/status)."""
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("SigCgt:"):
                return int(line.split()[1], 16) >> (sig - 1) & 1
    return False


def case_signals(c, p):
    """SIGUSR1 prints progress and the replay goes on; SIGINT stops the reading of a pipe that
    stays open, between two packets, and everything metered is exported and summed up (exit 1)."""
    with open(c.capture("mixed.pcap"), "rb") as f:
        data = f.read()
    _, recs = pcap_records(data)
    out, err_path = c.path("out.ipfix"), c.path("stderr")
    with open(err_path, "w") as err:
        proc = subprocess.Popen([c.args.bpfix, "replay", "--output", out, "-"],
                                stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=err)
    try:
        last = recs[-1][0]
        wait_until(lambda: catches(proc.pid, signal.SIGUSR1), WAIT, "bpfix catching SIGUSR1")
        proc.stdin.write(data[:last])
        proc.stdin.flush()
        proc.send_signal(signal.SIGUSR1)   # acted on at the next packet
        proc.stdin.write(data[last:])
        proc.stdin.flush()
        # the line counts the packets read when the signal was seen: any number will do
        wait_until(lambda: re.search(r"replay: \d+ packets read", open(err_path).read()), WAIT,
                   "the progress line SIGUSR1 asks for")
        if proc.poll() is not None:
            p.append("SIGUSR1 ended the replay")
            return
        proc.send_signal(signal.SIGINT)
        proc.stdin.write(data[recs[0][0]:recs[0][0] + recs[0][1]])   # one more packet
        proc.stdin.flush()
        rc = proc.wait(timeout=c.timeout)   # the pipe stays open: the signal ends it
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        proc.stdin.close()
    text = open(err_path).read()
    s = summary_numbers(text)
    if rc != 1:
        p.append(f"exit {rc} after SIGINT, expected 1")
    if "stopped by a signal" not in text:
        p.append("no message says the replay was stopped by a signal")
    if not s.get("packets read", 0) > len(recs) or s.get("packets exported") != \
            s.get("packets metered"):
        p.append(f"summary after SIGINT: read {s.get('packets read')} (more than {len(recs)} "
                 f"expected), metered {s.get('packets metered')}, exported "
                 f"{s.get('packets exported')}")
    got = flow_records(c, out, p, "after SIGINT")
    if got is not None and sum(f.packets or 0 for f in got) != s.get("packets metered"):
        p.append(f"the output file holds {sum(f.packets or 0 for f in got)} packets, the summary "
                 f"says {s.get('packets metered')} were metered")
    if p:
        p.append("stderr:\n" + text)


def udp_flows_capture(path, n):
    """A capture of n one-packet UDP flows (Ethernet, IPv4 10.0.x.y -> 10.1.0.1:53), all in one
    second."""
    frames = []
    for i in range(n):
        ip = bytearray(struct.pack("!BBHHHBBH4s4s", 0x45, 0, 28, 0, 0, 64, 17, 0,
                                   bytes([10, 0, i >> 8 & 255, i & 255]), bytes([10, 1, 0, 1])))
        words = sum(struct.unpack("!10H", bytes(ip)))
        words = (words >> 16) + (words & 0xFFFF)
        ip[10:12] = struct.pack("!H", ~(words + (words >> 16)) & 0xFFFF)
        frames.append(b"\x02" * 6 + b"\x04" * 6 + b"\x08\x00" + bytes(ip) +
                      struct.pack("!HHHH", 40000, 53, 8, 0))
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        for i, frame in enumerate(frames):
            f.write(struct.pack("<IIII", 1700000000, i, len(frame), len(frame)) + frame)


def whole_messages(path):
    """Whether the IPFIX file at path ends on a whole message."""
    with open(path, "rb") as f:
        data = f.read()
    off = 0
    while off + 4 <= len(data):
        version, length = struct.unpack("!HH", data[off:off + 4])
        if version != 10 or length < 16:
            return False
        off += length
    return off == len(data)


def case_full_disk(c, p):
    """A file system that fills up mid-run: records sent are exactly those in the file, which
    ends on a whole message, and sent + not sent = every record."""
    if os.geteuid() != 0:
        raise Skip("mounting a small tmpfs needs root")
    n = 5000
    cap, mnt = c.path("flows.pcap"), c.path("small")
    udp_flows_capture(cap, n)
    os.mkdir(mnt)
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=128k", "tmpfs", mnt], check=True)
    try:
        out = os.path.join(mnt, "out.ipfix")
        r = run(c, ["replay", "--output", out, cap])
        s = summary_numbers(r.err)
        if r.rc != 1:
            p.append(f"exit {r.rc}, expected 1 (records were lost to the file)")
        if not whole_messages(out):
            p.append("the output file ends inside a message")
        got = flow_records(c, out, p, "full disk")
        if got is not None and len(got) != s.get("records sent"):
            p.append(f"records sent {s.get('records sent')}, the file holds {len(got)}")
        if s.get("records sent", 0) + s.get("records not sent", 0) != n:
            p.append(f"records sent {s.get('records sent')} + not sent "
                     f"{s.get('records not sent')} is not the {n} flows")
        if p:
            p.append(r.show().rstrip())
    finally:
        subprocess.run(["umount", mnt], check=False)


def case_evictions_named(c, p):
    """A flow map too small for the flows alive at once: the summary and a warning name the most
    flows a sweep met (host engine: every flow alive, evicted ones included; kernel engine, whose
    evictions are silent: the map's size), so the user knows what --max-flows to set."""
    n, size = 500, 50
    cap = c.path("flows.pcap")
    udp_flows_capture(cap, n)   # one second: every flow is alive at the only sweep
    # the kernel's LRU map may evict a little before it is full
    engines = {"host": (n, n), "kernel": (1, size)} if os.geteuid() == 0 else {"host": (n, n)}
    for engine, (low, high) in engines.items():
        r = run(c, ["replay", "--engine", engine, "--max-flows", str(size), "--output",
                    c.path(f"{engine}.ipfix"), cap])
        peak = summary_numbers(r.err).get("most flows in the flow map at a sweep")
        warn = [m for m in message_lines(r.err) if "flow map was full" in m]
        if r.rc != 0 or peak is None or not low <= peak <= high or len(warn) != 1 or \
                f"up to {peak} flows" not in warn[0] or "--max-flows" not in warn[0]:
            p.append(f"{engine}: expected exit 0, the summary line 'most flows in the flow map "
                     f"at a sweep' from {low} to {high} and one warning naming it and "
                     f"--max-flows\n" + r.show().rstrip())
    r = run(c, ["replay", "--output", c.path("roomy.ipfix"), cap])
    if "flow map" in "\n".join(message_lines(r.err)) or "most flows" in r.err:
        p.append("a map with room enough still warns:\n" + r.show().rstrip())


def check_collector_failure(c, where, cause, problems, scheme="", proto="IPFIX"):
    """Replay mixed.pcap to collector `where` (written scheme + where) and --output: exit 1,
    stdout empty, two messages: the warning naming where, cause and what it was sent (proto),
    the end-of-run report that every record was lost to it; the metering and the --output file
    as without the collector."""
    cap = c.capture("mixed.pcap")
    ref, out = c.path("reference.ipfix"), c.path("with-collector.ipfix")
    r0 = run(c, ["replay", "--output", ref, cap])
    if r0.rc != 0 or not os.path.exists(ref):
        raise HarnessError(f"the reference run failed:\n{r0.show()}")
    r = run(c, ["replay", "--collector", scheme + where, "--output", out, cap])
    p = problems
    if r.rc != 1:
        p.append(f"exit {r.rc}, expected 1")
    if r.out:
        p.append("printed on stdout")
    msgs = message_lines(r.err)
    warn = [m for m in msgs if m.startswith("bpfix: warning:")]
    report = [m for m in msgs if "could not be sent" in m]
    s0, s = summary_numbers(r0.err), summary_numbers(r.err)
    if len(msgs) != 2 or len(warn) != 1 or len(report) != 1:
        p.append(f"{len(msgs)} messages on stderr, expected a warning when the collector fails "
                 f"and the end-of-run loss report")
    for m in warn:
        if where not in m or cause not in m or f"{proto} messages" not in m:
            p.append(f"the warning does not name {where!r}, {cause!r} and {proto} messages")
    for m in report:
        if where not in m or f"{proto} message(s) with {s.get('records sent')} flow record(s)" \
                not in m:
            p.append(f"the loss report does not name {where!r}, {proto} and every record "
                     f"({s.get('records sent')})")
    if s.get("packets metered") != s0.get("packets metered"):
        p.append(f"summary packets metered {s.get('packets metered')}, "
                 f"{s0.get('packets metered')} without the collector")
    want = flow_records(c, ref, p, "reference")
    if not os.path.exists(out):
        p.append("no --output file: its records are lost with the collector's")
    elif want is not None:
        got = flow_records(c, out, p, "with the failing collector")
        if got is not None and sorted(got, key=repr) != sorted(want, key=repr):
            p.append(f"the output file holds {len(got)} flow records "
                     f"({sum(f.packets or 0 for f in got)} packets), the run without the "
                     f"collector wrote {len(want)} ({sum(f.packets or 0 for f in want)} "
                     f"packets)")
    if p and r.show().rstrip() not in p:
        p.append(r.show().rstrip())


def case_unreachable_collector(c, p):
    port = free_udp_port()   # bound and closed: nothing listens there
    check_collector_failure(c, f"127.0.0.1:{port}", "Connection refused", p)


def case_unreachable_netflow9_collector(c, p):
    port = free_udp_port()
    check_collector_failure(c, f"127.0.0.1:{port}", "Connection refused", p,
                            scheme="netflow9://", proto="NetFlow v9")


def case_unresolvable_collector(c, p):
    # .invalid never resolves (RFC 6761); the resolver's text varies, its prefix does not
    check_collector_failure(c, "no-such-collector.invalid:4739",
                            "cannot resolve 'no-such-collector.invalid'", p)


CASES = Cases([
    ("nonexistent_capture", case_nonexistent_capture),
    ("unreadable_capture", case_unreadable_capture),
    ("empty_capture", case_empty_capture),
    ("text_capture", case_text_capture),
    ("truncated_capture", case_truncated_capture),
    ("unsupported_link_type", case_unsupported_link_type),
    ("bad_options", case_bad_options),
    ("config_errors", case_config_errors),
    ("kernel_engine_unprivileged", case_kernel_engine_unprivileged),
    ("unwritable_output", case_unwritable_output),
    ("output_is_capture", case_output_is_capture),
    ("signals", case_signals),
    ("full_disk", case_full_disk),
    ("evictions_named", case_evictions_named),
    ("unreachable_collector", case_unreachable_collector),
    ("unreachable_netflow9_collector", case_unreachable_netflow9_collector),
    ("unresolvable_collector", case_unresolvable_collector),
])


def main(argv=None):
    ap = argument_parser(__doc__.split("\n\n")[0], elements=ipfix_records.DEFAULT_ELEMENTS)
    ap.add_argument("--pcaps", required=True, help="the project's tests/pcaps directory")
    args = driver_arguments(ap, CASES, argv)
    args.pcaps = os.path.abspath(args.pcaps)
    args.elements = os.path.abspath(args.elements)
    return CASES.run(args, in_temporary_directory("bpfix-errors-", lambda tmp: (Case(args, tmp),)),
                     lambda: require(("ipfixDump",), binaries=(args.bpfix,)))


if __name__ == "__main__":
    sys.exit(main())
