#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""Decode an IPFIX file with libfixbuf's ipfixDump and read its text records.

    ipfix_records.py [--elements templates/bpfix-elements.xml] FILE.ipfix   # print the flows

The second decoder of the replay tests (nfdump is the first): nfdump 1.7.1 shows only the inner
flow of a GTP-U record, ipfixDump with bpfix's element file (`-e`) names every field, including
gtpuTEid (507), gtpuQFI (509), gtpuPduType (510) and the enterprise tunnel addresses (32473/1-4).
This module parses ipfixDump's text output (libfixbuf-tools 2.4.1) and knows nothing about bpfix
beyond the field names: it reads records, it does not interpret them.

ipfixDump's text, per message:
    --- Message Header ---            export time, observation domain, length, sequence number
    --- template record ---           (or options template record) tid and one "ent: id:" line
                                      per field
    --- data record N ---             "count: C  tid: T", then one line per field:
        (ID) name : value             ID is "507" or "32473/1" (enterprise/id); "(S)" marks a
                                      scope field of an options record
Times print as "2023-11-14 22:13:34.200" in the local time zone (we run it with TZ=UTC), IPv6
addresses with zero-padded groups ("2001:0db8:0001::0099").
"""

import argparse
import calendar
import ipaddress
import os
import re
import sys
from collections import namedtuple
from datetime import datetime

sys.dont_write_bytecode = True   # no __pycache__ in the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from bpfixtest import EXIT_SKIP, decoder_output, skip_reason  # noqa: E402

DEFAULT_ELEMENTS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                                "templates", "bpfix-elements.xml")

# One data record: its template id, its fields in order, (element id, name, value text), and the
# observation domain of its message.
Record = namedtuple("Record", "tid fields domain", defaults=(None,))
# One template: id, whether it is an options template, and its field lines as printed.
Template = namedtuple("Template", "tid options fields")

_FIELD = re.compile(r"^\s*\((\d+(?:/\d+)?)\)\s*(\(S\)\s*)?(\S+) : ?(.*)$")
_TID = re.compile(r"\btid:\s*(\d+)")
_DOMAIN = re.compile(r"observation domain id: (\d+)")
_LEN = re.compile(r"^\(len: \d+\) ?")


class DecodeError(Exception):
    pass


def run_ipfixdump(path, elements=DEFAULT_ELEMENTS):
    """ipfixDump's text for an IPFIX file (TZ=UTC)."""
    return decoder_output(["ipfixDump", "-e", elements, "--in", path], DecodeError)


def parse(text):
    """ipfixDump text -> (templates, data records), in file order. Of the message headers only
    the observation domain is kept (in each data record); export time, sequence numbers and
    statistics lines are left out."""
    templates, records = [], []
    cur = None          # the Template or Record being read
    domain = None       # of the message being read
    for line in text.splitlines():
        if line.startswith("---"):
            if cur is not None:
                (records if isinstance(cur, Record) else templates).append(cur)
            cur = None
            if "data record" in line:
                cur = Record(None, [], domain)
            elif "template record" in line:
                cur = Template(None, "options" in line, [])
            continue
        if line.startswith("***"):
            if cur is not None:
                (records if isinstance(cur, Record) else templates).append(cur)
            cur = None
            continue
        if cur is None:     # a message header, statistics
            m = _DOMAIN.search(line)
            if m:
                domain = int(m.group(1))
            continue
        m = _TID.search(line)
        if m and cur.tid is None and ("count:" in line or "field count:" in line):
            cur = cur._replace(tid=int(m.group(1)))
            continue
        if isinstance(cur, Record):
            m = _FIELD.match(line)
            if m:
                cur.fields.append((m.group(1), m.group(3), m.group(4).strip()))
        elif line.strip().startswith("ent:"):
            cur.fields.append(" ".join(line.split()))
    if cur is not None:
        (records if isinstance(cur, Record) else templates).append(cur)
    for r in records:
        if r.tid is None:
            raise DecodeError("a data record without a template id: ipfixDump's format changed?")
    return templates, records


def decode(path, elements=DEFAULT_ELEMENTS):
    return parse(run_ipfixdump(path, elements))


# ---------------------------------------------------------------------------------------------
# Values

def time_ms(text):
    """"2023-11-14 22:13:34.200" (UTC) -> epoch ms."""
    try:
        dt = datetime.strptime(text, "%Y-%m-%d %H:%M:%S.%f")
    except ValueError:
        dt = datetime.strptime(text, "%Y-%m-%d %H:%M:%S")
    return calendar.timegm(dt.timetuple()) * 1000 + dt.microsecond // 1000


def addr(text):
    return str(ipaddress.ip_address(text))


def by_name(rec):
    """{name: value text} of a data record (a name appears once in bpfix's templates)."""
    return {name: value for _, name, value in rec.fields}


def string(text):
    """A string field's value without the "(len: N) " ipfixDump prints before it."""
    return _LEN.sub("", text)


def domain_records(records, domain):
    """{name: value text} of the data records in messages of one observation domain, string
    values without their "(len: N) "."""
    return [{name: string(value) for _, name, value in r.fields}
            for r in records if r.domain == domain]


# The flow view of a record: what the truth files state. Tunnel fields are None when absent.
FlowView = namedtuple("FlowView", "ver src dst proto sport dport packets octets first_ms last_ms "
                                  "tos tcp_flags end outer_src outer_dst teid qfi pdu_type")


def flow_view(rec):
    """A flow record -> FlowView, or None for other records (RFC 5610 type records, options)."""
    f = by_name(rec)
    if "sourceIPv4Address" in f:
        ver, src, dst = 4, f["sourceIPv4Address"], f.get("destinationIPv4Address")
    elif "sourceIPv6Address" in f:
        ver, src, dst = 6, f["sourceIPv6Address"], f.get("destinationIPv6Address")
    else:
        return None

    def num(name):
        return int(f[name], 0) if name in f else None

    if "bpfixTunnelSourceIPv4Address" in f:
        osrc, odst = f["bpfixTunnelSourceIPv4Address"], f.get("bpfixTunnelDestinationIPv4Address")
    elif "bpfixTunnelSourceIPv6Address" in f:
        osrc, odst = f["bpfixTunnelSourceIPv6Address"], f.get("bpfixTunnelDestinationIPv6Address")
    else:
        osrc = odst = None
    return FlowView(
        ver, addr(src), addr(dst), num("protocolIdentifier"), num("sourceTransportPort") or 0,
        num("destinationTransportPort") or 0, num("packetDeltaCount"), num("octetDeltaCount"),
        time_ms(f["flowStartMilliseconds"]) if "flowStartMilliseconds" in f else None,
        time_ms(f["flowEndMilliseconds"]) if "flowEndMilliseconds" in f else None,
        num("ipClassOfService"), num("tcpControlBits"), num("flowEndReason"),
        addr(osrc) if osrc else None, addr(odst) if odst else None, num("gtpuTEid"),
        num("gtpuQFI"), num("gtpuPduType"))


def flows(path, elements=DEFAULT_ELEMENTS):
    """Every flow record of an IPFIX file, as FlowView."""
    _, records = decode(path, elements)
    return [v for v in (flow_view(r) for r in records) if v is not None]


def flow_dicts(path, elements=DEFAULT_ELEMENTS):
    """(flow records as dicts, every data record as decode() gives it) of an IPFIX file: the
    shape the live tests compare (ver, src, dst, proto, ports, packets, octets, first, last,
    tos, flags, interfaces, dir, end, tunnel, TTLs)."""
    _, records = decode(path, elements)
    out = []
    for rec in records:
        v = flow_view(rec)
        if v is None:
            continue
        f = by_name(rec)

        def num(name):
            return int(f[name], 0) if name in f else None
        out.append({"ver": v.ver, "src": v.src, "dst": v.dst, "proto": v.proto, "sport": v.sport,
                    "dport": v.dport, "packets": v.packets, "octets": v.octets,
                    "first": v.first_ms, "last": v.last_ms, "tos": v.tos,
                    "flags": v.tcp_flags or 0, "in_if": num("ingressInterface"),
                    "out_if": num("egressInterface"), "dir": num("flowDirection"),
                    "end": v.end, "teid": v.teid, "osrc": v.outer_src, "odst": v.outer_dst,
                    "minttl": num("minimumTTL"), "maxttl": num("maximumTTL")})
    return out, records


def main():
    ap = argparse.ArgumentParser(description="Print the flow records of an IPFIX file as "
                                 "ipfixDump decodes them (one line each).")
    ap.add_argument("--elements", default=DEFAULT_ELEMENTS, help="ipfixDump -e element file")
    ap.add_argument("file")
    a = ap.parse_args()
    reason = skip_reason(("ipfixDump",))
    if reason:
        print(reason, file=sys.stderr)
        return EXIT_SKIP
    for v in flows(a.file, a.elements):
        print("\t".join("-" if x is None else str(x) for x in v))
    return 0


if __name__ == "__main__":
    sys.exit(main())
