#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""What real decoders make of bpfix's templates, options records and RFC 5610 type records.

    decoders.py --bpfix BIN --pcaps tests/pcaps --elements templates/bpfix-elements.xml
                [--case NAME] [--list]

Each case replays tests/pcaps/gtpu.pcap (GTP-U over IPv4 and IPv6, with and without a PDU
Session Container, and plain flows) with templates resent every 2 UDP messages
(--template-refresh-messages 2), so resent templates are checked too:

- one_template_per_set: a UDP sink's datagrams and the --output file, read with struct
  (tests/lib/ipfix_wire.py): every template set and options template set holds exactly one
  template, no set is empty, each message is whole, and every template that uses an enterprise element comes
  after an RFC 5610 type record for that element, sent since the same template was last sent
  (so at every resend too); type records go in observation domain 0 and name, type and number
  each element as templates/elements.def does.
- rfc5610_without_element_file: `ipfixDump --rfc5610` without -e on the file and on the UDP
  stream names every enterprise element (no _alienInformationElement under a PEN), and the flow
  records, tunnel endpoints included, equal the capture's truth (gtpu.truth.tsv: key, counters,
  times, outer source and destination; 507/509/510 are IANA's and cannot be typed this way).
- element_file_505_510: with `-e templates/bpfix-elements.xml` the same streams also give
  gtpuTEid, gtpuQFI and gtpuPduType equal to the truth.
- icmp_type_code: the ICMP and ICMPv6 records of mixed.pcap and gtpu.pcap (inner ICMP of GTP-U
  too) carry icmpTypeCodeIPv4 (32) / icmpTypeCodeIPv6 (139), decoded by ipfixDump, equal to
  their destination port (type * 256 + code, as nfdump shows it) and to the truth's; no other
  record carries either.
- nfacctd_options: pmacct's nfacctd 1.7.7 (nfacctd_account_options: true, primitives for the
  statistics elements) logs no template error (it said "insert_opt_template(): unable to read
  Options Template Flowset (malformed)" while both options templates shared one set) and shows
  the totals record (packetTotalCount, exportedFlowRecordTotalCount of the flows' domain) and
  one counter record per summary line, name and value as bpfix's summary prints them.
- fastnetmon_options: fastnetmon 1.2.4 (its Prometheus counters) learns every template and
  options template bpfix sent (counted in a UDP sink that gets the same stream), has no data
  for an unknown template (it had none for 4098 while the options templates shared a set),
  counts every flow record, and hands every totals record to its options handler. Its
  options-template reader does not skip enterprise numbers and it cannot size variable-length
  fields: the counter records (enterprise elements) and the type records (variable-length
  names) are data it reports as malformed ("Invalid number of data flowset"); counted here, not
  failed.

One line per case (tests/lib/cases.py). Exit 0 pass, 1 fail, 2 harness error, 77 when every case
was skipped (a decoder not installed).
"""

import os
import re
import struct
import sys

sys.dont_write_bytecode = True   # no __pycache__ in the source tree
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [HERE, os.path.join(HERE, "..", "lib")]
import ipfix_records  # noqa: E402
import nfcapd_replay  # noqa: E402
from bpfixtest import (argument_parser, decoder_output, log, run_bpfix,  # noqa: E402
                       summary_counters, summary_numbers)
from cases import (WAIT, Cases, driver_arguments, in_temporary_directory,  # noqa: E402
                   require, wait_until)
from collectors import Fastnetmon, Nfacctd, UdpSink  # noqa: E402
from ipfix_wire import (OPTIONS_TEMPLATE_SET, TEMPLATE_SET, VARLEN, Decoder,  # noqa: E402
                        parse_messages)

CAPTURE, TRUTH = "gtpu.pcap", "gtpu.truth.tsv"
PEN = 32473                      # bpfix's default enterprise number
STATS_DOMAIN = 0
RESEND = ["--template-refresh-messages", "2"]
# RFC 5610 informationElementDataType values (IANA "IPFIX Information Element Data Types")
DATA_TYPES = {"FB_UINT_8": 1, "FB_UINT_16": 2, "FB_UINT_32": 3, "FB_UINT_64": 4,
              "FB_STRING": 13, "FB_IP4_ADDR": 18, "FB_IP6_ADDR": 19}
TYPE_RECORD_SCOPE = [(0, 346), (0, 303)]   # privateEnterpriseNumber, informationElementId


def elements_def(templates_dir):
    """{(owner, id): (name, data type)} of templates/elements.def; owner 0 (IANA) or PEN."""
    out = {}
    with open(os.path.join(templates_dir, "elements.def")) as f:
        text = f.read()
    for m in re.finditer(r'BPFIX_ELEMENT\("(\w+)",\s*(IANA|BPFIX),\s*(\d+),\s*\w+,\s*(\w+)',
                         text):
        owner = 0 if m.group(2) == "IANA" else PEN
        out[(owner, int(m.group(3)))] = (m.group(1), DATA_TYPES[m.group(4)])
    if not out:
        raise AssertionError("no BPFIX_ELEMENT line read from elements.def")
    return out


def replay(args, tmp, collectors, extra=(), capture=CAPTURE):
    """bpfix replay of a capture to UDP collectors (ports) and to an IPFIX file; returns
    (summary text, file path)."""
    out = os.path.join(tmp, "flows.ipfix")
    argv = ["replay", "--output", out, *RESEND, *extra]
    for port in collectors:
        argv += ["--collector", f"127.0.0.1:{port}"]
    rc, text, _ = run_bpfix(args.bpfix, argv + [os.path.join(args.pcaps, capture)],
                            args.timeout)
    assert rc == 0, f"bpfix replay failed ({rc}):\n{text}"
    return text, out


def replay_to_sink(args, tmp):
    """(summary text, the file, the UDP stream saved as a file of its own)."""
    with UdpSink() as sink:
        text, path = replay(args, tmp, [sink.port])
        received = os.path.join(tmp, "received.ipfix")
        with open(received, "wb") as f:
            f.write(b"".join(sink.datagrams()))
    return text, path, received


def read_stream(path):
    with open(path, "rb") as f:
        return parse_messages(f.read())


# ---------------------------------------------------------------------------------------------
# one_template_per_set

def check_stream(what, msgs, elements, p):
    """Sets of one template, type records before every (re)sent template that needs them."""
    dec = Decoder()
    typed_since = {}      # (ent, id) -> index of the message of its latest type record
    last_sent = {}        # (domain, tid) -> index of the message that last sent it
    sends = {}            # (domain, tid) -> how often it was sent
    n_typed = 0
    for i, m in enumerate(msgs):
        for sid, body in m.sets:
            if not body:   # RFC 7011 §3.3.1; nfdump stops reading the message there
                p.append(f"{what}: message {i} (domain {m.domain}) has an empty set {sid}")
            if sid in (TEMPLATE_SET, OPTIONS_TEMPLATE_SET):
                found = dec.learn(m.domain, sid, body)
                if len(found) != 1:
                    p.append(f"{what}: message {i} (domain {m.domain}) has a set {sid} of "
                             f"{len(found)} templates {[t.tid for t in found]}")
                for t in found:
                    sends[(m.domain, t.tid)] = sends.get((m.domain, t.tid), 0) + 1
                    since = last_sent.get((m.domain, t.tid), -1)
                    for ent, fid, _ in t.fields:
                        if ent and typed_since.get((ent, fid), -1) <= since:
                            p.append(f"{what}: template {t.tid} in message {i} uses {ent}/{fid} "
                                     f"without a type record since it was last sent")
                    last_sent[(m.domain, t.tid)] = i
                continue
            t = dec.templates.get((m.domain, sid))
            if t is None:
                p.append(f"{what}: data set {sid} in domain {m.domain} before its template")
                continue
            if [(e, f) for e, f, _ in t.fields[:t.scopes]] != TYPE_RECORD_SCOPE:
                continue
            for rec in dec.records(m.domain, sid, body):
                n_typed += 1
                pen = int.from_bytes(rec[(0, 346)], "big")
                fid = int.from_bytes(rec[(0, 303)], "big")
                dtype = int.from_bytes(rec[(0, 339)], "big")
                name = rec[(0, 341)].rstrip(b"\0").decode(errors="replace")
                if m.domain != STATS_DOMAIN:
                    p.append(f"{what}: a type record for {pen}/{fid} in domain {m.domain}")
                if elements.get((pen, fid)) != (name, dtype):
                    p.append(f"{what}: type record {pen}/{fid} says {name}, type {dtype}; "
                             f"elements.def: {elements.get((pen, fid))}")
                typed_since[(pen, fid)] = i
    missing = {k for k in elements if k[0]} - set(typed_since)
    if missing:
        p.append(f"{what}: no type record for {sorted(missing)}")
    log(f"  {what}: {len(msgs)} messages, {sum(sends.values())} templates, {n_typed} type "
        f"records")
    return sends


def case_one_template_per_set(args, tmp, p):
    """Every (options) template set holds one template; type records lead every template."""
    elements = elements_def(args.templates)
    _, path, received = replay_to_sink(args, tmp)
    sends = check_stream("UDP", read_stream(received), elements, p)
    check_stream("file", read_stream(path), elements, p)
    if max(n for (domain, _), n in sends.items() if domain != STATS_DOMAIN) < 2:
        p.append(f"no flow template was resent over UDP (every 2 messages): {sends}")


# ---------------------------------------------------------------------------------------------
# ipfixDump

def ipfixdump_flows(path, elements):
    """(flow records as Flow, ipfixDump's text): --rfc5610, with -e elements unless None."""
    argv = ["ipfixDump", "--rfc5610", "--in", path]
    if elements:
        argv[1:1] = ["-e", elements]
    text = decoder_output(argv, ipfix_records.DecodeError)
    _, records = ipfix_records.parse(text)
    flows = [nfcapd_replay.flow_from_view(v)
             for v in (ipfix_records.flow_view(r) for r in records) if v]
    return flows, records


def compare_with_truth(what, truth, flows, p):
    missing, unexpected, mismatched = nfcapd_replay.compare(truth, flows, tunnel=True)
    if missing or unexpected or mismatched:
        nfcapd_replay.report(missing, unexpected, mismatched, (), len(truth), len(flows),
                             decoder=what, tunnel=True)
        p.append(f"{what}: {len(missing)} missing, {len(unexpected)} unexpected, "
                 f"{len(mismatched)} mismatched against the truth (above)")


def case_rfc5610_without_element_file(args, tmp, p):
    """ipfixDump --rfc5610 without -e names and decodes every enterprise element."""
    truth, _ = nfcapd_replay.read_truth(os.path.join(args.pcaps, TRUTH))
    # without the element file the IANA GTP-U elements stay unnamed: leave them out
    truth = [t._replace(teid=None, qfi=None, pdu_type=None) for t in truth]
    text, path, received = replay_to_sink(args, tmp)
    counters = summary_counters(text)
    for what, stream in (("file", path), ("UDP", received)):
        flows, records = ipfixdump_flows(stream, None)
        alien = sorted({fid for r in records for fid, name, _ in r.fields
                        if "/" in fid and name.startswith("_alien")})
        if alien:
            p.append(f"{what}: ipfixDump did not name the enterprise elements {alien}")
        compare_with_truth(f"ipfixDump --rfc5610 ({what})", truth, flows, p)
        named = {ipfix_records.string(f["bpfixCounterName"]): int(f["bpfixCounterValue"])
                 for f in map(ipfix_records.by_name, records) if "bpfixCounterName" in f}
        if named != counters:
            p.append(f"{what}: counter records {named}\n  != summary {counters}")
        log(f"  {what}: {len(flows)} flow records, {len(named)} counter records")


def case_element_file_505_510(args, tmp, p):
    """With -e the element file, the GTP-U elements 507, 509, 510 are right too."""
    truth, _ = nfcapd_replay.read_truth(os.path.join(args.pcaps, TRUTH))
    if not any(t.teid is not None and t.qfi is not None for t in truth):
        raise AssertionError(f"{TRUTH} has no flow with a TEID and a QFI to check")
    _, path, received = replay_to_sink(args, tmp)
    for what, stream in (("file", path), ("UDP", received)):
        flows, _ = ipfixdump_flows(stream, args.elements)
        compare_with_truth(f"ipfixDump --rfc5610 -e ({what})", truth, flows, p)


ICMP_ELEMENT = {4: (1, "icmpTypeCodeIPv4"), 6: (58, "icmpTypeCodeIPv6")}   # version: proto, IE


def case_icmp_type_code(args, tmp, p):
    """ICMP records carry icmpTypeCodeIPv4/IPv6 (32/139) equal to the truth's type and code."""
    for capture, truth_file in (("mixed.pcap", "mixed.truth.tsv"), (CAPTURE, TRUTH)):
        truth, meta = nfcapd_replay.read_truth(os.path.join(args.pcaps, truth_file))
        _, path = replay(args, tmp, [], meta["bpfix-args"], capture)
        flows, records = ipfixdump_flows(path, args.elements)
        compare_with_truth(f"{capture} (ipfixDump -e)", truth, flows, p)
        n_icmp = 0
        for rec in records:
            f = ipfix_records.by_name(rec)
            v = ipfix_records.flow_view(rec)
            if v is None:
                continue
            proto, element = ICMP_ELEMENT[v.ver]
            carried = {name: f[name] for _, name in ICMP_ELEMENT.values() if name in f}
            if v.proto != proto:
                if carried:
                    p.append(f"{capture}: {v} is not ICMP and carries {carried}")
                continue
            n_icmp += 1
            if carried != {element: str(v.dport)}:
                p.append(f"{capture}: ICMP record {v} carries {carried}, expected {element} "
                         f"{v.dport} (type {v.dport >> 8} code {v.dport & 255})")
        want = sum(t.proto == ICMP_ELEMENT[t.ver][0] for t in truth)
        if n_icmp != want:
            p.append(f"{capture}: {n_icmp} ICMP records, the truth has {want}")
        log(f"  {capture}: {n_icmp} ICMP/ICMPv6 records with their type and code")


# ---------------------------------------------------------------------------------------------
# nfacctd

NFACCTD_PRIMITIVES = [
    "name=domain field_type=149 len=4 semantics=u_int",
    "name=exported_records field_type=42 len=8 semantics=u_int",
    f"name=counter_name field_type={PEN}:10 len=96 semantics=str",
    f"name=counter_value field_type={PEN}:11 len=8 semantics=u_int",
]
NFACCTD_AGGREGATE = ["export_proto_sysid", "domain", "exported_records", "counter_name",
                     "counter_value"]


def case_nfacctd_options(args, tmp, p):
    """nfacctd shows the totals and counter records and logs no template error."""
    require(tools=("nfacctd",))
    with Nfacctd(tmp, NFACCTD_PRIMITIVES, NFACCTD_AGGREGATE) as col:
        text, _ = replay(args, tmp, [col.start()])
        counters = summary_counters(text)
        summary = summary_numbers(text)

        def shown():
            rows = [r for r in col.records() if r.get("domain") == "1"]
            named = {r["counter_name"]: int(r["counter_value"]) for r in rows
                     if r["counter_name"]}
            totals = [r for r in rows if not r["counter_name"]]
            return (named, totals) if len(named) >= len(counters) and totals else None

        # its core hands the last records to the print plugin when it stops, the plugin
        # writes them as it exits
        col.stop()
        named, totals = wait_until(shown, WAIT, "nfacctd to print the statistics records")
    log_text = col.log_text()
    bad = [x for x in log_text.splitlines() if "emplate" in x]
    if bad:
        p.append("nfacctd logged about templates:\n  " + "\n  ".join(bad))
    if named != counters:
        p.append(f"nfacctd's counter records {named}\n  != summary {counters}")
    want = {"export_proto_sysid": str(STATS_DOMAIN),
            "exported_records": str(summary["records sent"]),
            "packets": str(summary["packets seen"])}   # nfacctd reads 86 as its packets
    if [{k: t[k] for k in want} for t in totals] != [want]:
        p.append(f"nfacctd's totals records {totals}, expected one with {want}")
    log(f"  nfacctd: {len(named)} counter records, {len(totals)} totals record")


# ---------------------------------------------------------------------------------------------
# fastnetmon

def stream_counts(msgs):
    """What a stream holds for fastnetmon's counters: (template records, options template
    records, flow data records, totals data sets, data sets it cannot size)."""
    dec = Decoder()
    tmpl = opts = flows = totals = unsized = 0
    for m in msgs:
        for sid, body in m.sets:
            if sid in (TEMPLATE_SET, OPTIONS_TEMPLATE_SET):
                found = dec.learn(m.domain, sid, body)
                if sid == TEMPLATE_SET:
                    tmpl += len(found)
                else:
                    opts += len(found)
                continue
            t = dec.templates[(m.domain, sid)]
            if not t.scopes:
                flows += len(dec.records(m.domain, sid, body))
            elif any(ent or n == VARLEN for ent, _, n in t.fields):
                unsized += 1
            elif (0, 42) in {(e, f) for e, f, _ in t.fields}:
                totals += 1
    return tmpl, opts, flows, totals, unsized


def case_fastnetmon_options(args, tmp, p):
    """fastnetmon learns every template and options template; no data for an unknown one."""
    require(tools=("fastnetmon",))
    with Fastnetmon(tmp) as col, UdpSink() as sink:
        text, _ = replay(args, tmp, [col.start(), sink.port])
        tmpl, opts, flows, totals, unsized = stream_counts(
            parse_messages(b"".join(sink.datagrams())))
        records = summary_numbers(text)["records sent"]
        if flows != records:
            p.append(f"the sink got {flows} flow records, the summary sent {records}")
        col.drain()
        got = wait_until(lambda: (lambda m: m if m and m.get("ipfix_total_flows", 0) >= flows
                                  else None)(col.metrics()),
                         WAIT, f"fastnetmon to count {flows} IPFIX flows")
        col.stop()
    want = {"ipfix_total_flows": flows, "ipfix_data_templates_number": tmpl,
            "ipfix_options_templates_number": opts, "ipfix_packets_with_unknown_templates": 0,
            "ipfix_options_packet_number": totals}
    for k, v in want.items():
        if got.get(k) != v:
            p.append(f"fastnetmon {k} = {got.get(k)}, expected {v}")
    log_lines = col.log_text().splitlines()
    unknown = [x for x in log_lines if "have a IPFIX template" in x]
    if unknown:
        p.append("fastnetmon had data for templates it did not have:\n  " +
                 "\n  ".join(unknown[:5]))
    malformed = sum("Invalid number of data flowset" in x for x in log_lines)
    log(f"  fastnetmon: {got.get('ipfix_total_flows')} flows, {tmpl} templates and {opts} "
        f"options templates learnt, {totals} totals records; {malformed} 'Invalid number of "
        f"data flowset' for the {unsized} sets of counter and type records it cannot size")


CASES = Cases([
    ("one_template_per_set", case_one_template_per_set),
    ("rfc5610_without_element_file", case_rfc5610_without_element_file),
    ("element_file_505_510", case_element_file_505_510),
    ("icmp_type_code", case_icmp_type_code),
    ("nfacctd_options", case_nfacctd_options),
    ("fastnetmon_options", case_fastnetmon_options),
])


def main(argv=None):
    ap = argument_parser(__doc__.split("\n\n")[0], elements=ipfix_records.DEFAULT_ELEMENTS)
    ap.add_argument("--pcaps", required=True, help="the project's tests/pcaps directory")
    ap.add_argument("--templates", required=True, help="the project's templates directory")
    args = driver_arguments(ap, CASES, argv)
    return CASES.run(args, in_temporary_directory("bpfix-decoders-", lambda tmp: (args, tmp)),
                     lambda: require(tools=("ipfixDump",), binaries=(args.bpfix,)),
                     errors=(ipfix_records.DecodeError, struct.error, ValueError))


if __name__ == "__main__":
    sys.exit(main())
