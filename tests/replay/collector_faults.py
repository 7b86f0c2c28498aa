#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""A collector that goes away and comes back, and one whose name does not resolve: bpfix goes on,
counts what is lost, tells it a few times (not once per message), and sends the templates first
when the collector is back.

    collector_faults.py --bpfix BIN --pcaps tests/pcaps [--timeout S] [--case NAME] [--list]

Outage: `bpfix replay --idle-timeout 1 --collector 127.0.0.1:PORT FIFO` reads a capture that this
test writes into a FIFO while it runs, capture time advancing one whole second per tick, so the
replay's per-second sweeps export records while the test controls when. A UDP sink on PORT
keeps every datagram. Phase 1: the sink is up. Phase 2 (longer than the 10 s warning interval):
the sink is closed, the kernel answers ICMP port unreachable. Phase 3: a new sink on the same
port. Required:
- bpfix ends by itself (exit 1: records were lost), soon after the capture ends;
- warnings: one when the collector starts failing, one "still fails" line in the 10 s after,
  one when it accepts messages again; nothing else but the end-of-run loss report;
- the datagrams form a valid IPFIX stream (decoded here with struct, independent of bpfix and
  fixbuf); flow records received + flow records bpfix reports lost (end-of-run report, and
  notSentFlowTotalCount in the statistics the collector receives) == records exported (summary:
  records sent + records not sent), exactly; the statistics' exportedFlowRecordTotalCount and
  exportedMessageTotalCount equal what the sinks received before them;
- the first message of phase 3 starts with a template set, before any data set;
- sequence numbers (RFC 7011 §3.1: data records sent before this message in its domain) start
  at 0 and run on without a gap except at the first message of the flows' domain in phase 3
  (the RFC 5610 type records of domain 0 lead it), where the gap equals
  the flow records lost: fixbuf numbered the lost messages too, so the collector sees exactly
  how many records it missed, which is what the RFC asks of an exporter that loses records.

Unresolvable name: `--collector no-such-collector.invalid:4739 --output FILE` finishes (exit 1),
names the collector and the resolver's error in its warning, and FILE holds every record of a
run without the collector.

One line per case (PASS, FAIL with the problems), then "N passed, N failed" (tests/lib/cases.py).
Exit 0 pass, 1 fail, 2 harness error.
"""

import os
import re
import select
import socket
import struct
import subprocess
import sys
import time

sys.dont_write_bytecode = True   # no __pycache__ in the source tree
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [HERE, os.path.join(HERE, "..", "lib")]
from bpfixtest import (HarnessError, argument_parser, free_udp_port, log,  # noqa: E402
                       summary_numbers)
from cases import Cases, driver_arguments, in_temporary_directory, require  # noqa: E402
from ipfix_wire import (OPTIONS_TEMPLATE_SET, TEMPLATE_SET, Decoder,  # noqa: E402
                        parse_messages)

T0 = 1700000000          # capture time of tick 0
FLOWS_PER_TICK = 30      # new UDP flows each tick: exported at the next tick's sweep
PHASE1_TICKS, PHASE3_TICKS = 4, 4
PHASE2_SECONDS = 12.5    # longer than bpfix's 10 s warning interval
DOMAIN = 1               # bpfix's default observation domain of flow records
ID_RECORDS_SENT, ID_NOT_SENT, ID_MESSAGES = 42, 166, 41


# ---------------------------------------------------------------------------------------------
# The capture, written as it goes

def udp_frame(flow):
    """Ethernet + IPv4 + UDP, 10.1.x.y:flow -> 192.0.2.1:9999, 8 payload octets."""
    payload = b"x" * 8
    udp = struct.pack(">HHHH", 10000 + flow % 50000, 9999, 8 + len(payload), 0) + payload
    ip = struct.pack(">BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), flow & 0xFFFF, 0, 64, 17, 0,
                     bytes([10, 1, (flow >> 8) & 0xFF, flow & 0xFF]), bytes([192, 0, 2, 1]))
    return b"\x02" * 6 + b"\x04" * 6 + b"\x08\x00" + ip + udp


class Capture:
    """A classic pcap (microseconds) written into a FIFO tick by tick."""

    def __init__(self, fifo):
        self.f = open(fifo, "wb", buffering=0)   # blocks until bpfix opens it
        self.f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        self.tick = 0
        self.flow = 0

    def next_tick(self):
        """FLOWS_PER_TICK new flows, one packet each, 0.1 s into the next capture second: the
        first packet of a second sweeps (idle timeout 1 s) the flows of the tick before."""
        out = b""
        for _ in range(FLOWS_PER_TICK):
            frame = udp_frame(self.flow)
            self.flow += 1
            out += struct.pack("<IIII", T0 + self.tick, 100000, len(frame), len(frame)) + frame
        self.f.write(out)
        self.tick += 1

    def close(self):
        self.f.close()


# ---------------------------------------------------------------------------------------------
# IPFIX, decoded with struct (tests/lib/ipfix_wire.py)

def message_records(dec, msg):
    """(flow records, [statistics totals records]) of one message, templates learnt: flow
    records are the data records of the flows' domain, totals records those holding field 42
    (type records and counter records hold none)."""
    flows, stats = 0, []
    for sid, body in msg.sets:
        if sid in (TEMPLATE_SET, OPTIONS_TEMPLATE_SET):
            dec.learn(msg.domain, sid, body)
        elif sid >= 256:
            recs = dec.records(msg.domain, sid, body)
            if msg.domain == DOMAIN:
                flows += len(recs)
            else:
                stats += [{fid: v for (_, fid), v in r.items()} for r in recs
                          if (0, ID_RECORDS_SENT) in r]
    return flows, stats


# ---------------------------------------------------------------------------------------------
# bpfix's output

class Stderr:
    """bpfix's stderr, read as it comes without blocking the test."""

    def __init__(self, proc):
        self.proc = proc
        self.text = ""
        os.set_blocking(proc.stderr.fileno(), False)

    def poll(self, wait=0.0):
        r, _, _ = select.select([self.proc.stderr], [], [], wait)
        if r:
            chunk = self.proc.stderr.read()
            if chunk:
                self.text += chunk.decode(errors="replace")

    def wait_for(self, pattern, timeout):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if re.search(pattern, self.text):
                return True
            self.poll(0.1)
        return bool(re.search(pattern, self.text))


def sink_socket(port):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8 << 20)
    s.bind(("127.0.0.1", port))
    s.setblocking(False)
    return s


def drain(sock, into, quiet=0.5, timeout=10.0):
    """Receive until nothing came for `quiet` seconds; return how many came."""
    n, last, deadline = 0, time.monotonic(), time.monotonic() + timeout
    while time.monotonic() < deadline and time.monotonic() - last < quiet:
        r, _, _ = select.select([sock], [], [], 0.05)
        if r:
            into.append(sock.recv(65535))
            n += 1
            last = time.monotonic()
    return n


def case_outage(args, tmp, p):
    """A collector that goes away and comes back."""
    fifo = os.path.join(tmp, "capture.pcap")
    os.mkfifo(fifo)
    port = free_udp_port()
    where = f"127.0.0.1:{port}"
    phases = [[], [], []]      # datagrams received in phase 1 and 3 (2: none can be)
    sink = sink_socket(port)
    argv = [args.bpfix, "replay", "--idle-timeout", "1", "--collector", where, fifo]
    proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    err = Stderr(proc)
    try:
        cap = Capture(fifo)
        for _ in range(PHASE1_TICKS):
            cap.next_tick()
            time.sleep(0.2)
        if not drain(sink, phases[0]):
            raise HarnessError("nothing reached the sink in phase 1")
        sink.close()
        # phase 2: the port is closed, each message draws ICMP port unreachable
        t2 = time.monotonic()
        while time.monotonic() - t2 < PHASE2_SECONDS:
            cap.next_tick()
            err.poll(0.5)
        if not err.wait_for(r"warning: collector " + re.escape(where), 5):
            p.append("no warning while the collector was away")
        sink = sink_socket(port)
        for _ in range(PHASE3_TICKS):
            cap.next_tick()
            time.sleep(0.2)
        drain(sink, phases[2])
        cap.close()
        ended = time.monotonic()
        while proc.poll() is None and time.monotonic() - ended < 10:
            err.poll(0.1)
        if proc.poll() is None:
            p.append("bpfix did not end within 10 s of the end of its capture: stalled")
            proc.kill()
        proc.wait()
        err.poll(0.1)
        drain(sink, phases[2])
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        sink.close()
    text = err.text
    if proc.returncode != 1:
        p.append(f"exit {proc.returncode}, expected 1 (records were lost)")

    # the warnings: rate-limited
    lines = [x for x in text.splitlines() if x.startswith("bpfix: warning:")]
    first = [x for x in lines if "lost (counted)" in x]
    still = [x for x in lines if "still fails" in x]
    back = [x for x in lines if "accepts IPFIX messages again" in x]
    if (len(first), len(still), len(back)) != (1, 1, 1) or len(lines) != 3:
        p.append(f"warnings: {len(first)} outage, {len(still)} still failing, {len(back)} back "
                 f"(expected 1, 1, 1 and nothing else):\n  " + "\n  ".join(lines))
    for x in first:
        if where not in x or "Connection refused" not in x:
            p.append(f"the first warning does not name {where} and the cause: {x}")
    report = re.search(r"error: collector " + re.escape(where) +
                       r": (\d+) IPFIX message\(s\) with (\d+) flow record\(s\) could not be "
                       r"sent", text)
    if not report:
        p += ["no end-of-run loss report for the collector", text]
        return
    lost = int(report.group(2))
    s = summary_numbers(text)
    exported = s.get("records sent", 0) + s.get("records not sent", 0)

    # what the collector got, datagram by datagram (each one IPFIX message)
    dec = Decoder()
    received, seq_gaps, stats, before_stats = 0, [], [], None
    expect_seq, n, first_flows_3 = None, 0, None
    for phase in (0, 2):
        for i, datagram in enumerate(phases[phase]):
            try:
                group = parse_messages(datagram)
                flows, st = zip(*(message_records(dec, m) for m in group))
            except (ValueError, struct.error) as e:
                p += [f"datagram {i} of phase {phase + 1} is not IPFIX: {e}", text]
                return
            if phase == 2 and i == 0:
                kinds = [sid for sid, _ in group[0].sets]
                if not kinds or kinds[0] not in (2, 3):
                    p.append(f"the first message of phase 3 starts with set {kinds[:1]}, not "
                             f"templates")
            for m, f, totals in zip(group, flows, st):
                if m.domain == DOMAIN:
                    if phase == 2 and first_flows_3 is None:
                        first_flows_3 = i
                    if expect_seq is None and m.seq != 0:
                        p.append(f"the first message's sequence number is {m.seq}, not 0")
                    if expect_seq is not None and m.seq != expect_seq:
                        seq_gaps.append(((m.seq - expect_seq) % 2**32, phase + 1, i))
                    expect_seq = (m.seq + f) % 2**32
                elif totals and before_stats is None:
                    before_stats = n   # messages before the one holding the totals record
                n += 1
                received += f
            stats += [r for x in st for r in x]
    if [g[0] for g in seq_gaps] != [lost] or seq_gaps[0][1:] != (3, first_flows_3):
        p.append(f"sequence number gaps (gap, phase, datagram) {seq_gaps}, expected one of "
                 f"{lost} (the lost records) at the first datagram of the flows' domain in "
                 f"phase 3 ({first_flows_3})")
    if not phases[2]:
        p.append("nothing reached the collector in phase 3")
    if received + lost != exported:
        p.append(f"flow records received {received} + reported lost {lost} != exported "
                 f"{exported}")
    if len(stats) != 1:
        p.append(f"{len(stats)} statistics totals records received, expected 1")
    else:
        st = {k: int.from_bytes(v, "big") for k, v in stats[0].items() if len(v) <= 8}
        before = before_stats
        if st.get(ID_NOT_SENT) != lost or st.get(ID_RECORDS_SENT) != received:
            p.append(f"statistics: exportedFlowRecordTotalCount {st.get(ID_RECORDS_SENT)}, "
                     f"notSentFlowTotalCount {st.get(ID_NOT_SENT)}; received {received}, "
                     f"lost {lost}")
        if st.get(ID_MESSAGES) != before:
            p.append(f"statistics: exportedMessageTotalCount {st.get(ID_MESSAGES)}, the "
                     f"collector received {before} messages before them")
    log(f"  outage: {received} flow records received, {lost} lost, {exported} exported; "
        f"{len(phases[0])}/{len(phases[2])} datagrams in phases 1/3; warnings {len(lines)}")
    if p:
        p.append(text)


def flow_count(path):
    with open(path, "rb") as f:
        msgs = parse_messages(f.read())
    dec = Decoder()
    return sum(message_records(dec, m)[0] for m in msgs)


def case_unresolvable(args, tmp, p):
    """A collector whose name does not resolve."""
    capture = os.path.join(args.pcaps, "mixed.pcap")
    ref, out = os.path.join(tmp, "reference.ipfix"), os.path.join(tmp, "unresolved.ipfix")
    where = "no-such-collector.invalid:4739"
    r0 = subprocess.run([args.bpfix, "replay", "--output", ref, capture], capture_output=True,
                        text=True, timeout=args.timeout)
    if r0.returncode != 0:
        raise HarnessError(f"the reference run failed: {r0.stderr}")
    r = subprocess.run([args.bpfix, "replay", "--collector", where, "--output", out, capture],
                       capture_output=True, text=True, timeout=args.timeout)
    if r.returncode == 0:
        p.append("exit 0 although every record for the collector was lost")
    warn = [x for x in r.stderr.splitlines() if x.startswith("bpfix: warning:")]
    if len(warn) != 1 or where not in warn[0] or "cannot resolve" not in warn[0]:
        p.append(f"expected one warning naming {where} and why: {warn}")
    want = flow_count(ref)
    got = flow_count(out) if os.path.exists(out) else None
    if got != want:
        p.append(f"the output file holds {got} flow records, {want} without the collector")
    s = summary_numbers(r.stderr)
    m = re.search(r"collector " + re.escape(where) + r": \d+ IPFIX message\(s\) with (\d+) "
                  r"flow record\(s\) could not be sent", r.stderr)
    if not m or int(m.group(1)) != s.get("records sent"):
        p.append("the end-of-run report does not count every record as lost to it")
    log(f"  unresolvable: {got} flow records in the file, {want} without the collector")
    if p:
        p.append(r.stderr)


CASES = Cases([("outage", case_outage), ("unresolvable", case_unresolvable)])


def main(argv=None):
    ap = argument_parser(__doc__.split("\n\n")[0])
    ap.add_argument("--pcaps", required=True, help="the project's tests/pcaps directory")
    args = driver_arguments(ap, CASES, argv)
    return CASES.run(args, in_temporary_directory("bpfix-faults-", lambda tmp: (args, tmp)),
                     lambda: require(binaries=(args.bpfix,)))


if __name__ == "__main__":
    sys.exit(main())
