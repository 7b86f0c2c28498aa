#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""Paced export: a replay's burst of records reaches a collector whole, at the pace asked for.

    paced_export.py --bpfix BIN [--timeout S] [--needs-root] [--case NAME] [--list] [-- ARGS]

ARGS go to every bpfix run (--engine kernel). Each case writes its capture at run time into its
temporary directory (tests/lib/mass_flows.py: N one-packet UDP flows, the truth), with capture
time short of the idle timeout, so every flow ends at once at the end of the replay: the burst a
mass expiry makes.

- default_nfcapd_every_record: 120 000 flows, bpfix's default pace, into nfcapd with ITS default
  options (default socket buffer): nfdump counts 120 000 flows and packets, 0 sequence failures,
  equal to the summary's records sent; the summary says how long pacing held the export, and the
  run took at least as long as the pace needs for its records.
- unpaced_loses_paced_does_not: a receiver that reads at most 2 000 datagrams a second from a
  small socket buffer (64 KiB asked: 56 datagrams). Unpaced (--pace-rate 0): the kernel drops
  datagrams (its drop counter), and the records the receiver got are fewer than the summary's records sent: the
  loss is visible at the collector (and to nfdump as sequence failures), which is all a UDP
  exporter can know of a receiver's drops. Paced (10 000 records/s, 4 messages deep):
  every record arrives, no drop.
- rate_and_depth_kept: 30 000 records at --pace-rate 20000 --pace-depth 4 into a receiver that
  stamps each datagram with the kernel's receive time (SO_TIMESTAMPNS): in every stretch of
  arrivals, the records in it are at most rate x its length + the depth (4 of the largest
  message) + one message, and the whole takes at least (records - depth) / rate.
- file_never_paced: the same 120 000 flows with --pace-rate 1 and only an --output file: done in
  seconds (paced it would take 33 hours), no pacing in the summary, every record in the file.

Records in datagrams and files are counted by decoding them with struct (tests/lib/ipfix_wire.py,
independent of bpfix and fixbuf). As root the receivers (nfcapd, the test's own) get the CPU
first (SCHED_FIFO): on a busy 2-CPU machine a reader kept off the CPU for 15 ms overflows a
default socket buffer at any pace, and that is the scheduler's doing, not the sender's.

One line per case (PASS, FAIL with the problems), then "N passed, N failed" (tests/lib/cases.py).
Exit 0 pass, 1 fail, 2 harness error, 77 skipped (nfcapd or nfdump missing; not root with
--needs-root).
"""

import os
import socket
import struct
import sys
import threading
import time

sys.dont_write_bytecode = True   # no __pycache__ in the source tree
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [HERE, os.path.join(HERE, "..", "lib")]
import mass_flows  # noqa: E402
from collector_faults import message_records  # noqa: E402
from bpfixtest import (HarnessError, Nfcapd, receiver_first, run_bpfix,  # noqa: E402
                       summary_numbers, udp_socket_state)
from cases import Cases, run_engine_driver  # noqa: E402
from ipfix_wire import Decoder, parse_messages  # noqa: E402

FLOW_DOMAIN = 1            # bpfix's default observation domain of flow records
HELD = "export held by pacing (ms)"
DEFAULT_RATE = 100000      # bpfix's default pace, records per second
BIG = 120000               # flows of the mass-expiry captures
SO_TIMESTAMPNS = getattr(socket, "SO_TIMESTAMPNS", 35)


class Run:
    """What every case gets: its directory, the bpfix binary and the arguments for it."""

    def __init__(self, args, extra, tmp):
        self.bpfix, self.extra, self.tmp, self.timeout = args.bpfix, extra, tmp, args.timeout

    def capture(self, flows, per_second=40000):
        path = os.path.join(self.tmp, f"flows-{flows}.pcap")
        if not os.path.exists(path):
            mass_flows.write_pcap(path, flows, per_second)
        return path

    def replay(self, args, capture):
        """(exit code, output, summary numbers, wall seconds) of `bpfix replay ARGS EXTRA CAPTURE`
        with room for every flow in the map (no eviction)."""
        t = time.monotonic()
        rc, out, argv = run_bpfix(self.bpfix, ["replay", "--max-flows", "262144", *args,
                                               *self.extra, capture], self.timeout)
        return rc, out, summary_numbers(out), time.monotonic() - t


class Sink:
    """A UDP receiver on 127.0.0.1 in a thread, keeping each datagram with the kernel's receive
    time. read_rate: at most that many datagrams a second are read (None: as fast as they come);
    rcvbuf: the socket buffer asked for (the kernel doubles it)."""

    def __init__(self, rcvbuf=1 << 22, read_rate=None):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
        self.sock.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.read_rate = read_rate
        self.datagrams = []      # (receive time ns, octets)
        self.decoder = Decoder()
        self.stopping = False
        self.thread = threading.Thread(target=self._loop, daemon=True)
        self.thread.start()

    def _loop(self):
        receiver_first()
        while not self.stopping:
            try:
                data, anc, _, _ = self.sock.recvmsg(65535, 64)
            except socket.timeout:
                continue
            ns = None
            for level, kind, value in anc:
                if level == socket.SOL_SOCKET and kind == SO_TIMESTAMPNS:
                    sec, nsec = struct.unpack("qq", value[:16])
                    ns = sec * 1000000000 + nsec
            self.datagrams.append((ns, data))
            if self.read_rate:
                time.sleep(1.0 / self.read_rate)

    def _drops(self):
        state = udp_socket_state(self.port, os.getpid())
        return state[1] if state else None

    def stop(self, quiet_for=0.5, timeout=30.0):
        """Once nothing came for quiet_for seconds (or after timeout): stop reading."""
        deadline = time.monotonic() + timeout
        seen = -1
        while time.monotonic() < deadline and seen != len(self.datagrams):
            seen = len(self.datagrams)
            time.sleep(quiet_for)
        self.stopping = True
        self.thread.join()
        self.drops = self._drops()   # the kernel's count of datagrams the socket dropped
        self.sock.close()

    def flow_messages(self):
        """(receive time ns, flow records decoded) of each datagram that holds flow records, in
        arrival order. A data set whose template was lost with its datagram counts nothing."""
        return [(ns, n) for ns, n in ((ns, count_flow_records(data, self.decoder))
                                      for ns, data in self.datagrams) if n]


def count_flow_records(data, decoder):
    """Flow records in IPFIX messages (bpfix's flow domain), decoded with struct
    (tests/lib/ipfix_wire.py, independent of bpfix and fixbuf); 0 for what cannot be decoded."""
    try:
        return sum(message_records(decoder, m)[0] for m in parse_messages(data))
    except ValueError:
        return 0


def default_nfcapd_every_record(run, problems):
    """120 000 records at bpfix's default pace into nfcapd with default options: every one."""
    capture = run.capture(BIG)
    with Nfcapd() as col:
        port = col.start()
        receiver_first(col.proc.pid)
        rc, out, s, took = run.replay(["--collector", f"127.0.0.1:{port}"], capture)
        col.stop()
        info = col.info()
    if rc != 0:
        problems.append(f"bpfix exited with {rc}:\n{out}")
        return
    for name, want in (("records sent", BIG), ("packets exported", BIG)):
        if s.get(name) != want:
            problems.append(f"summary: {name} {s.get(name)}, the capture has {want} flows")
    for name in ("Flows", "Packets"):
        if info.get(name) != BIG:
            problems.append(f"nfdump: {name} {info.get(name)}, the capture has {BIG} "
                            f"(summary: records sent {s.get('records sent')})")
    if info.get("Bytes") != BIG * mass_flows.IP_OCTETS:
        problems.append(f"nfdump: Bytes {info.get('Bytes')}, the capture has "
                        f"{BIG * mass_flows.IP_OCTETS}")
    if info.get("Sequence failures") != 0:
        problems.append(f"nfdump: {info.get('Sequence failures')} sequence failures")
    if col.drops:
        problems.append(f"nfcapd's socket dropped {col.drops} datagrams")
    if not s.get(HELD):
        problems.append(f"the summary does not say how long pacing held the export:\n{out}")
    # 32 messages of at most ~40 records at once, the rest at 100 000 records/s
    least = (BIG - 32 * 40) / DEFAULT_RATE
    if took < least:
        problems.append(f"the replay took {took:.2f} s; paced, {BIG} records take {least:.2f} s")


def unpaced_loses_paced_does_not(run, problems):
    """A slow receiver with a small buffer: unpaced loses records (visibly), paced does not."""
    flows = 10000
    capture = run.capture(flows)
    for name, pace in (("unpaced", ["--pace-rate", "0"]),
                       ("paced", ["--pace-rate", "10000", "--pace-depth", "4"])):
        sink = Sink(rcvbuf=65536, read_rate=2000)
        rc, out, s, _ = run.replay(["--collector", f"127.0.0.1:{sink.port}", *pace], capture)
        sink.stop()
        sent = s.get("records sent")
        if rc != 0 or sent != flows:
            problems.append(f"{name}: bpfix exited with {rc}, records sent {sent} of {flows}:"
                            f"\n{out}")
            continue
        got, drops = sum(n for _, n in sink.flow_messages()), sink.drops
        if name == "unpaced":
            if not (got < sent and drops):
                problems.append(f"unpaced: the receiver got {got} of {sent} records, its "
                                f"socket dropped {drops} datagrams: no loss to show")
            if HELD in s:
                problems.append(f"unpaced, yet the summary says pacing held the export:\n{out}")
        elif got != sent or drops:
            problems.append(f"paced: the receiver got {got} of {sent} records, its socket "
                            f"dropped {drops} datagrams")


def rate_and_depth_kept(run, problems):
    """At 20 000 records/s, 4 messages deep: no stretch of arrivals beats the bucket."""
    flows, rate, depth = 30000, 20000, 4
    capture = run.capture(flows)
    sink = Sink()
    rc, out, s, _ = run.replay(["--collector", f"127.0.0.1:{sink.port}", "--pace-rate",
                                str(rate), "--pace-depth", str(depth)], capture)
    sink.stop()
    if rc != 0 or s.get("records sent") != flows:
        problems.append(f"bpfix exited with {rc}, records sent {s.get('records sent')}:\n{out}")
        return
    msgs = sink.flow_messages()
    if sum(n for _, n in msgs) != flows or sink.drops:
        problems.append(f"the receiver got {sum(n for _, n in msgs)} of {flows} records "
                        f"({sink.drops} datagrams dropped): it cannot judge the pace")
        return
    if any(ns is None for ns, _ in msgs):
        raise HarnessError("no SO_TIMESTAMPNS receive times")
    biggest = max(n for _, n in msgs)
    allowed_burst = depth * biggest + biggest
    worst = None
    for i in range(len(msgs)):
        records = 0
        for j in range(i, len(msgs)):
            records += msgs[j][1]
            span = (msgs[j][0] - msgs[i][0]) / 1e9
            excess = records - (rate * span + allowed_burst)
            if excess > 0 and (worst is None or excess > worst[0]):
                worst = (excess, i, j, records, span)
    if worst:
        problems.append(f"messages {worst[1]}..{worst[2]}: {worst[3]} records in {worst[4]:.4f} "
                        f"s, more than {rate}/s x that + {allowed_burst} (depth {depth} x "
                        f"{biggest} + one message)")
    span = (msgs[-1][0] - msgs[0][0]) / 1e9
    least = (flows - allowed_burst) / rate
    if span < least:
        problems.append(f"the records arrived in {span:.3f} s; at {rate}/s they need {least:.3f}")


def file_never_paced(run, problems):
    """A file takes every record at once, whatever the pace says."""
    capture = run.capture(BIG)
    out_file = os.path.join(run.tmp, "records.ipfix")
    rc, out, s, took = run.replay(["--pace-rate", "1", "--output", out_file], capture)
    if rc != 0 or s.get("records sent") != BIG:
        problems.append(f"bpfix exited with {rc}, records sent {s.get('records sent')}:\n{out}")
        return
    if HELD in s or took > 60:
        problems.append(f"a file was paced: {took:.1f} s, {HELD} {s.get(HELD)}")
    with open(out_file, "rb") as f:
        got = count_flow_records(f.read(), Decoder())
    if got != BIG:
        problems.append(f"the file holds {got} flow records of {BIG}")


CASES = Cases([
    ("default_nfcapd_every_record", default_nfcapd_every_record),
    ("unpaced_loses_paced_does_not", unpaced_loses_paced_does_not),
    ("rate_and_depth_kept", rate_and_depth_kept),
    ("file_never_paced", file_never_paced),
])


def main(argv=None):
    return run_engine_driver(__doc__, CASES, Run, "bpfix-pace-", ("nfcapd", "nfdump"), argv, timeout=120.0)


if __name__ == "__main__":
    sys.exit(main())
