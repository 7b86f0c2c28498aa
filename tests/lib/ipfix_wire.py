# SPDX-License-Identifier: GPL-2.0-only
"""IPFIX as it is on the wire, read with struct: independent of bpfix, fixbuf and every decoder.

Imported like bpfixtest (this directory inserted into sys.path relative to the script's own
__file__). It reads what RFC 7011 lays down and nothing of bpfix's meaning:

- parse_messages(octets): concatenated messages (a file, or datagrams joined) -> [Message]:
  observation domain, sequence number, sets as (set id, body), length, export time (s). ValueError when the
  octets are not whole IPFIX messages or a set overruns its message.
- template_records(set id, body): the (options) template records of a template set (2) or an
  options template set (3) -> [Template]: id, scope field count, fields as (enterprise, element
  id, length).
- Decoder: learns templates per (domain, template id) as messages pass and reads data sets into
  records {(enterprise, element id): value octets}, variable-length fields included.
"""

import struct
from collections import namedtuple

TEMPLATE_SET, OPTIONS_TEMPLATE_SET = 2, 3
VARLEN = 65535

Message = namedtuple("Message", "domain seq sets length export_time")
Template = namedtuple("Template", "tid scopes fields")


def parse_messages(data):
    """Concatenated IPFIX messages -> [Message]; sets are (set id, body without its header)."""
    out, off = [], 0
    while off < len(data):
        if off + 16 > len(data):
            raise ValueError(f"a message header cut at {off}")
        version, length, export_time, seq, domain = struct.unpack(">HHIII", data[off:off + 16])
        if version != 10 or length < 16 or off + length > len(data):
            raise ValueError(f"not an IPFIX message at {off} (version {version}, length "
                             f"{length})")
        sets, s = [], off + 16
        while s < off + length:
            sid, slen = struct.unpack(">HH", data[s:s + 4])
            if slen < 4 or s + slen > off + length:
                raise ValueError(f"a set of length {slen} at {s}")
            sets.append((sid, data[s + 4:s + slen]))
            s += slen
        out.append(Message(domain, seq, sets, length, export_time))
        off += length
    return out


def template_records(sid, body):
    """The template records of a template or options template set (padding after the last
    record ignored: RFC 7011 §3.3.1 keeps it shorter than a record)."""
    out, off = [], 0
    while off + 4 <= len(body):
        tid, count = struct.unpack(">HH", body[off:off + 4])
        off += 4
        scopes = 0
        if sid == OPTIONS_TEMPLATE_SET:
            if count == 0:   # a withdrawal has no scope count
                out.append(Template(tid, 0, []))
                continue
            scopes = struct.unpack(">H", body[off:off + 2])[0]
            off += 2
        fields = []
        for _ in range(count):
            fid, flen = struct.unpack(">HH", body[off:off + 4])
            off += 4
            ent = 0
            if fid & 0x8000:
                ent = struct.unpack(">I", body[off:off + 4])[0]
                off += 4
            fields.append((ent, fid & 0x7FFF, flen))
        out.append(Template(tid, scopes, fields))
    return out


class Decoder:
    """Templates per (domain, template id), learnt as messages pass; data sets read into
    records {(enterprise, element id): octets}."""

    def __init__(self):
        self.templates = {}

    def learn(self, domain, sid, body):
        """The templates of one template set, remembered; returned."""
        found = template_records(sid, body)
        for t in found:
            self.templates[(domain, t.tid)] = t
        return found

    def records(self, domain, tid, body):
        """[{(enterprise, element id): octets}] of a data set; ValueError when its template
        has not been seen in that domain."""
        t = self.templates.get((domain, tid))
        if t is None:
            raise ValueError(f"data set {tid} in domain {domain} before its template")
        minimum = sum(1 if n == VARLEN else n for _, _, n in t.fields)
        out, off = [], 0
        while len(body) - off >= max(minimum, 1):
            rec = {}
            for ent, fid, flen in t.fields:
                if flen == VARLEN:
                    flen, off = body[off], off + 1
                    if flen == 255:
                        flen, off = struct.unpack(">H", body[off:off + 2])[0], off + 2
                rec[(ent, fid)] = body[off:off + flen]
                off += flen
            out.append(rec)
        return out
