#!/usr/bin/python3
"""Exporter statistics reach the collector: replay a capture to a UDP sink run here and to an
IPFIX file, decode both with ipfixDump (a decoder independent of bpfix), and require the options
records of observation domain 0 to say exactly what bpfix's summary says, with the standard
totals consistent and each sending total equal to what that destination really got.

Usage: stats_records.py --bpfix BIN [--elements XML] [--needs-root] CAPTURE [-- BPFIX ARGS]

Truth for the per-destination values of the totals record, computed here, not by bpfix:
- exportedMessageTotalCount (41), exportedOctetTotalCount (40): the IPFIX messages (and their
  octets) before the one holding the totals record, counted in the datagrams the sink received
  and in the file (read with struct: tests/lib/ipfix_wire.py);
- exportedFlowRecordTotalCount (42): the flow records ipfixDump decodes from that destination,
  and the summary's "records sent"; notSentFlowTotalCount (166): 0 and "records not sent";
- exporterIPv4Address (130) / exporterIPv6Address (131): 127.0.0.1 / :: for the loopback
  collector, 0.0.0.0 / :: for the file;
- systemInitTimeMilliseconds (160): the time of the capture's first packet (in file order), read
  from the pcap headers here: a replay's export clock is the capture's, as in NetFlow v9;
- every message's export time: within the capture's first and last second (same clock).
"""
import os
import socket
import sys
import struct
import tempfile

sys.dont_write_bytecode = True   # no __pycache__ in the source tree
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [HERE, os.path.join(HERE, "..", "lib")]
import ipfix_records  # noqa: E402
from bpfixtest import (KERNEL_ENGINE, HarnessError, argument_parser, not_metered,  # noqa: E402
                       parse_arguments, preflight, run_bpfix, summary_counters)
from ipfix_wire import (OPTIONS_TEMPLATE_SET, TEMPLATE_SET, Decoder,  # noqa: E402
                        parse_messages)


def before_totals(data):
    """(messages, octets) before the message holding the totals record (the data set whose
    template has exportedFlowRecordTotalCount, 42): what that record must count."""
    try:
        msgs = parse_messages(data)
    except ValueError as e:
        raise HarnessError(f"not an IPFIX stream: {e}")
    dec = Decoder()
    for i, m in enumerate(msgs):
        for sid, body in m.sets:
            if sid in (TEMPLATE_SET, OPTIONS_TEMPLATE_SET):
                dec.learn(m.domain, sid, body)
            elif any((0, 42) in r for r in dec.records(m.domain, sid, body)):
                return i, sum(x.length for x in msgs[:i])
    raise HarnessError("no totals record (exportedFlowRecordTotalCount) in the stream")


def capture_times_ms(path):
    """(first packet in file order, latest packet) of a classic pcap file, epoch ms, read with
    struct: magic, then 16-octet record headers (seconds, micro- or nanoseconds, lengths)."""
    with open(path, "rb") as f:
        data = f.read()
    magic = data[:4]
    for order in "<>":
        for ticks, per_ms in ((0xA1B2C3D4, 1000), (0xA1B23C4D, 1000000)):
            if struct.unpack(order + "I", magic)[0] == ticks:
                break
        else:
            continue
        break
    else:
        raise HarnessError(f"{path}: not a classic pcap file")
    times, off = [], 24
    while off + 16 <= len(data):
        sec, frac, incl, _ = struct.unpack(order + "IIII", data[off:off + 16])
        times.append(sec * 1000 + frac // per_ms)
        off += 16 + incl
    if not times:
        raise HarnessError(f"{path}: no packet")
    return times[0], max(times)


def receive_all(sock):
    """Every datagram queued on the sink."""
    out = []
    sock.setblocking(False)
    while True:
        try:
            out.append(sock.recv(65535))
        except BlockingIOError:
            return out


def check_destination(what, path, elements, summary, window, address, errors):
    """The totals record of one destination (its messages in the file at path) against truth."""
    with open(path, "rb") as f:
        data = f.read()
    n_before, octets_before = before_totals(data)
    first_s, last_s = window[0] // 1000, window[1] // 1000
    stamps = sorted({m.export_time for m in parse_messages(data)})
    if not stamps or stamps[0] < first_s or stamps[-1] > last_s:
        errors.append("%s: export times %s, expected within the capture's %d..%d s"
                      % (what, stamps[:3] + stamps[-3:], first_s, last_s))
    _, records = ipfix_records.decode(path, elements)
    flows = [v for v in (ipfix_records.flow_view(r) for r in records if r.domain != 0) if v]
    stats = ipfix_records.domain_records(records, 0)
    totals = [r for r in stats if "packetTotalCount" in r]
    counters = {r["bpfixCounterName"]: int(r["bpfixCounterValue"])
                for r in stats if "bpfixCounterName" in r}
    if counters != summary:
        errors.append("%s: counter records %s\n  != summary %s" % (what, counters, summary))
    if len(totals) != 1:
        errors.append("%s: expected one totals record, got %d" % (what, len(totals)))
        return
    t = totals[0]
    unmetered = not_metered(summary)
    expect = {
        "packetTotalCount": summary["packets seen"],
        "ignoredPacketTotalCount": unmetered,
        "observedFlowTotalCount": summary["flows"],
        "exportedFlowRecordTotalCount": summary["records sent"],
        "notSentFlowTotalCount": summary.get("records not sent", 0),
        "notSentPacketTotalCount": summary["packets lost to eviction or removal race"],
        "exportedMessageTotalCount": n_before,
        "exportedOctetTotalCount": octets_before,
    }
    for k, v in expect.items():
        if k not in t or int(t[k]) != v:
            errors.append("%s: totals record %s = %s, expected %d" % (what, k, t.get(k), v))
    if len(flows) != summary["records sent"]:
        errors.append("%s: %d flow records decoded, the summary sent %d"
                      % (what, len(flows), summary["records sent"]))
    if (t.get("exporterIPv4Address"), t.get("exporterIPv6Address")) != address:
        errors.append("%s: exporter address %s / %s, expected %s / %s"
                      % (what, t.get("exporterIPv4Address"), t.get("exporterIPv6Address"),
                         *address))
    try:
        init_ms = ipfix_records.time_ms(t.get("systemInitTimeMilliseconds", ""))
    except ValueError:
        init_ms = None
    if init_ms != window[0]:
        errors.append("%s: systemInitTimeMilliseconds %s, expected the first packet's %d ms"
                      % (what, t.get("systemInitTimeMilliseconds"), window[0]))
    print("%s: %d messages (%d octets) before the statistics, %d flow records"
          % (what, n_before, octets_before, len(flows)))


def main(argv=None):
    ap = argument_parser(__doc__.split("\n\n")[0], elements=ipfix_records.DEFAULT_ELEMENTS,
                         needs_root=True)
    ap.add_argument("capture")
    args, extra = parse_arguments(ap, argv)
    rc = preflight(args.bpfix, ("ipfixDump",), KERNEL_ENGINE if args.needs_root else None)
    if rc is not None:
        return rc
    errors = []
    with tempfile.TemporaryDirectory() as tmp, \
            socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sink:
        sink.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8 << 20)
        sink.bind(("127.0.0.1", 0))
        out = os.path.join(tmp, "flows.ipfix")
        received = os.path.join(tmp, "received.ipfix")
        try:
            window = capture_times_ms(args.capture)
            rc, text, _ = run_bpfix(args.bpfix, ["replay", "--collector",
                                                 "127.0.0.1:%d" % sink.getsockname()[1],
                                                 "--output", out, *extra, args.capture],
                                    args.timeout)
            if rc != 0:
                print("bpfix failed (%d):\n%s" % (rc, text))
                return 1
            with open(received, "wb") as f:
                f.write(b"".join(receive_all(sink)))
            summary = summary_counters(text)
            check_destination("file", out, args.elements, summary, window,
                              ("0.0.0.0", "::"), errors)
            check_destination("collector", received, args.elements, summary, window,
                              ("127.0.0.1", "::"), errors)
        except (HarnessError, ipfix_records.DecodeError) as e:
            print("ERROR: %s" % e)
            return 1
    if summary["packets seen"] != summary["packets metered"] + not_metered(summary):
        errors.append("packets seen != metered + not metered in the summary")
    for e in errors:
        print("FAIL:", e)
    print("ok: totals consistent, sending totals match both destinations" if not errors
          else "FAIL")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
