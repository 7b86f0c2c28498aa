#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""Hostile captures made here from the generated ones: what tests/pcaps cannot hold as files.

    hostile_captures.py --bpfix BIN --pcaps tests/pcaps [--elements XML] [--case SUBSTRING]...

Each case runs `bpfix replay --engine ENGINE --output OUT CAPTURE` with the host engine and, as
root, the kernel engine (BPF_PROG_TEST_RUN; without root that half is skipped, saying so):

- pcapng_trailing_length: a copy of mixed.pcapng in which one block's trailing length differs
  from its leading one (+4: still a length a block could have): the section header, the
  interface description, an Enhanced Packet Block two thirds in. bpfix must exit 1 with one
  message naming the capture as damaged and the two lengths, and export what a replay of the
  blocks before the damaged one exports: the same flow records and summary.
- recorded_lengths: every record of mixed.pcap (Ethernet) and sll.pcap (Linux cooked) rewritten
  with the recorded length 0, 1 (below the captured length; for sll.pcap below its 16-octet link
  header: the length as Ethernet must not wrap), 65537 (above the 64 KiB BPF_PROG_TEST_RUN takes)
  and 4294967295. Octets come from IP headers: each must give exit 0 and the records and summary
  of the capture as it was.

The records are compared as ipfixDump decodes them (ipfix_records.flows); the summary as the
"name: N" lines bpfix prints. Exit 0 when every case passes, 1 when one fails, 2 when the harness
failed, 77 when ipfixDump is missing.
"""

import os
import struct
import sys
import tempfile

sys.dont_write_bytecode = True   # no __pycache__ in the source tree
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [HERE, os.path.join(HERE, "..", "lib")]
import ipfix_records  # noqa: E402
from bpfixtest import (EXIT_FAIL, EXIT_HARNESS, EXIT_OK, KERNEL_ENGINE,  # noqa: E402
                       HarnessError, argument_parser, log, parse_arguments, preflight, run_bpfix,
                       skip_reason, summary_counters)

PCAPNG_SHB = 0x0A0D0D0A
PCAPNG_IDB = 1
PCAPNG_EPB = 6


class Replay:
    """One `bpfix replay`: exit code, stderr messages ("bpfix: ..." lines), summary counters and
    flow records (sorted)."""

    def __init__(self, a, engine, capture):
        out = capture + f".{engine}.ipfix"
        if os.path.exists(out):
            os.unlink(out)
        self.rc, text, argv = run_bpfix(a.bpfix, ["replay", "--engine", engine, "--output", out,
                                                  capture], a.timeout)
        self.command = " ".join(argv)
        self.messages = [x for x in text.splitlines() if x.startswith("bpfix:")]
        self.summary = summary_counters(text)
        self.flows = sorted(ipfix_records.flows(out, a.elements), key=repr) \
            if os.path.exists(out) else []

    def differences(self, ref, what):
        """What differs from the replay ref (records, summary), as problems."""
        p = []
        if self.flows != ref.flows:
            p.append(f"{len(self.flows)} flow records ({sum(f.packets or 0 for f in self.flows)}"
                     f" packets), {what}: {len(ref.flows)} "
                     f"({sum(f.packets or 0 for f in ref.flows)} packets)")
        differ = [f"{k} {self.summary.get(k, 0)} ({ref.summary.get(k, 0)})"
                  for k in sorted(set(self.summary) | set(ref.summary))
                  if self.summary.get(k, 0) != ref.summary.get(k, 0)]
        if differ:
            p.append(f"summary differs (in parentheses: {what}): " + ", ".join(differ))
        return p


def engines():
    """The engines this run can use: host, and kernel as root."""
    reason = skip_reason(root_for=KERNEL_ENGINE)
    if reason:
        log(f"  kernel engine skipped: {reason}")
        return ["host"]
    return ["host", "kernel"]


def read(path):
    with open(path, "rb") as f:
        return f.read()


def write(path, data):
    with open(path, "wb") as f:
        f.write(data)
    return path


# ---------------------------------------------------------------------------------------------
# pcapng: a block whose trailing length differs from its leading one

def pcapng_blocks(data):
    """[(offset, type, total length)] of a little-endian, single-section pcapng file."""
    if data[:4] != struct.pack("<I", PCAPNG_SHB) or data[8:12] != b"\x4d\x3c\x2b\x1a":
        raise HarnessError("not a little-endian pcapng file")
    out, off = [], 0
    while off + 12 <= len(data):
        btype, blen = struct.unpack("<II", data[off:off + 8])
        out.append((off, btype, blen))
        off += blen
    if off != len(data):
        raise HarnessError("the pcapng file does not end on a block boundary")
    return out


def case_pcapng_trailing_length(a, tmp, problems):
    src = os.path.join(a.pcaps, "mixed.pcapng")
    data = read(src)
    blocks = pcapng_blocks(data)
    epbs = [b for b in blocks if b[1] == PCAPNG_EPB]
    picks = [("section header", [b for b in blocks if b[1] == PCAPNG_SHB][0]),
             ("interface description", [b for b in blocks if b[1] == PCAPNG_IDB][0]),
             ("Enhanced Packet Block two thirds in", epbs[len(epbs) * 2 // 3])]
    for what, (off, _, blen) in picks:
        damaged = bytearray(data)
        damaged[off + blen - 4:off + blen] = struct.pack("<I", blen + 4)
        cap = write(os.path.join(tmp, f"trailing-{off}.pcapng"), bytes(damaged))
        # what comes before the damaged block, whole; nothing at all is no capture
        before = write(os.path.join(tmp, f"before-{off}.pcapng"), data[:off]) if off else None
        for engine in engines():
            r = Replay(a, engine, cap)
            p = []
            if r.rc != 1:
                p.append(f"exit {r.rc}, expected 1")
            if len(r.messages) != 1 or not all(
                    s in r.messages[0] for s in (cap, "damaged", "trailing length")):
                p.append("expected one message naming the capture as damaged and the trailing "
                         "length: " + (" | ".join(r.messages) or "none"))
            if before:
                ref = Replay(a, engine, before)
                if ref.rc != 0:
                    raise HarnessError(f"the blocks before the damage do not replay: "
                                       f"{ref.command}: exit {ref.rc}")
                p += r.differences(ref, "the blocks before it")
            elif r.flows or r.summary.get("packets read", 0):
                p.append(f"{r.summary.get('packets read', 0)} packets read, {len(r.flows)} flow "
                         "records from a capture whose first block is damaged")
            problems += [f"{engine}, trailing length of the {what} (offset {off}): {x}"
                         for x in p]
            if p:
                problems.append(f"  {r.command}")


# ---------------------------------------------------------------------------------------------
# Classic pcap: every record's recorded length rewritten

RECORDED_LENGTHS = (0, 1, 65537, 0xFFFFFFFF)


def with_recorded_length(data, length):
    """A little-endian classic pcap with every record's original length set to length."""
    if data[:4] not in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        raise HarnessError("not a little-endian classic pcap")
    out, off = bytearray(data), 24
    while off + 16 <= len(data):
        caplen = struct.unpack("<I", data[off + 8:off + 12])[0]
        out[off + 12:off + 16] = struct.pack("<I", length)
        off += 16 + caplen
    if off != len(data):
        raise HarnessError("the pcap does not end on a record boundary")
    return bytes(out)


def case_recorded_lengths(a, tmp, problems):
    for name in ("mixed.pcap", "sll.pcap"):
        data = read(os.path.join(a.pcaps, name))
        for engine in engines():
            ref = Replay(a, engine, write(os.path.join(tmp, name), data))
            if ref.rc != 0:
                raise HarnessError(f"{ref.command}: exit {ref.rc}")
            for length in RECORDED_LENGTHS:
                cap = write(os.path.join(tmp, f"len{length}-{name}"),
                            with_recorded_length(data, length))
                r = Replay(a, engine, cap)
                p = [f"exit {r.rc}, expected 0: " + " | ".join(r.messages)] if r.rc else []
                p += r.differences(ref, f"{name} as it was")
                problems += [f"{engine}, {name} recorded as {length} octets: {x}" for x in p]
                if p:
                    problems.append(f"  {r.command}")


CASES = [("pcapng_trailing_length", case_pcapng_trailing_length),
         ("recorded_lengths", case_recorded_lengths)]


def main(argv=None):
    ap = argument_parser(__doc__.split("\n\n")[0], elements=ipfix_records.DEFAULT_ELEMENTS)
    ap.add_argument("--pcaps", required=True, help="the project's tests/pcaps directory")
    ap.add_argument("--case", action="append", default=[], metavar="SUBSTRING",
                    help="only cases whose name contains this (repeatable; default: all of " +
                         ", ".join(n for n, _ in CASES) + ")")
    ap.set_defaults(timeout=60.0)
    a, extra = parse_arguments(ap, argv)
    if extra:
        ap.error("no bpfix arguments after '--': each case sets its own")
    rc = preflight(a.bpfix, ("ipfixDump",))
    if rc is not None:
        return rc
    failed = 0
    for name, fn in CASES:
        if a.case and not any(s in name for s in a.case):
            continue
        problems = []
        try:
            with tempfile.TemporaryDirectory(prefix="bpfix-hostile-") as tmp:
                fn(a, tmp, problems)
        except (HarnessError, ipfix_records.DecodeError) as e:
            log(f"ERROR {name}: {e}")
            return EXIT_HARNESS
        log(f"{'FAIL' if problems else 'PASS'} {name}")
        for x in problems:
            log(f"  {x}")
        failed += bool(problems)
    return EXIT_FAIL if failed else EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
