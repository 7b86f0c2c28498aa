#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""The collector files in contrib/collectors/ against what bpfix really exports.

    collector_files.py --bpfix BIN --pcaps tests/pcaps --contrib contrib/collectors
                       --templates templates [--case NAME] [--list]

What bpfix exports is read from the wire, not from its sources: `bpfix replay --output FILE` of
gtpu.pcap writes every template (flows, statistics, RFC 5610 type records) at its start; the
template records, read with struct (tests/lib/ipfix_wire.py), give every exported element as
(enterprise, id, length). Each element's IANA data type comes from python3-ipfix's own copy of
the IANA registry (iana.iespec, Debian's package, independent of bpfix and libfixbuf), bpfix's
own elements' from templates/elements.def. Logstash, Filebeat, GoFlow2 and ElastiFlow are not in
Debian: their files are checked for structure, python3-ipfix's by decoding with it.

- logstash: ipfix_definitions YAML (Logstash's documented format: PEN, then id: [:type, :name]).
  Logstash merges it over its own table shallowly, so key 0 must hold the whole IANA table (every
  id python3-ipfix's registry has); every exported element under its PEN and id with a type that
  decodes its length (an integer of that size or, for :uintN, any size Logstash resizes to; an
  address of its size; a string); bpfix's own elements by their names.
- filebeat: custom_definitions (the same format, merged element by element): exactly the
  exported elements an IANA registry of Filebeat's age lacks (bpfix's own: 505-510 and its PEN),
  each with its type.
- goflow2: the mapping (GoFlow2's documented YAML): every element of the flow templates that
  GoFlow2 does not decode by itself (its producer_nf.go) is mapped by PEN and id to a
  destination that the formatter declares (protobuf varint for integers, bytes rendered as ip
  for addresses) and prints.
- python_ipfix_spec: one IESpec a line (ipfix.ie.use_specfile), exactly bpfix's own elements,
  each with its IANA type name and length.
- python_ipfix_decodes: Debian's python3-ipfix, with its IANA model and the shipped spec, reads
  the replay's IPFIX file: the flow records' tunnel fields (gtpuTEid, gtpuQFI, gtpuPduType,
  outer source and destination) and flow keys equal gtpu.truth.tsv's.
- pmacct: every field_type of contrib/collectors/pmacct/primitives.lst is an exported element
  of the length it says.

One line per case (tests/lib/cases.py). Exit 0 pass, 1 fail, 2 harness error, 77 skipped.
"""

import os
import re
import struct
import sys

sys.dont_write_bytecode = True   # no __pycache__ in the source tree
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [HERE, os.path.join(HERE, "..", "lib")]
import nfcapd_replay  # noqa: E402
from bpfixtest import argument_parser, log, norm_addr, run_bpfix  # noqa: E402
from cases import Cases, Skip, driver_arguments, in_temporary_directory, require  # noqa: E402
from ipfix_wire import OPTIONS_TEMPLATE_SET, TEMPLATE_SET, parse_messages, template_records  # noqa: E402,E501

try:
    import yaml
except ImportError:   # Debian: python3-yaml
    yaml = None

PEN = 32473
IANA_SPECS = "/usr/lib/python3/dist-packages/ipfix/iana.iespec"   # Debian's python3-ipfix
ELEMENT_TYPES = {"FB_UINT_8": "unsigned8", "FB_UINT_16": "unsigned16", "FB_UINT_32": "unsigned32",
                 "FB_UINT_64": "unsigned64", "FB_STRING": "string", "FB_IP4_ADDR": "ipv4Address",
                 "FB_IP6_ADDR": "ipv6Address"}
# The IANA elements of bpfix's flow records GoFlow2 decodes into its own fields (its
# producer/proto/producer_nf.go and the time fields 152/153)
GOFLOW2_DECODES = {1, 2, 4, 5, 6, 7, 8, 10, 11, 12, 14, 27, 28, 32, 52, 58, 139, 152, 153}
INTEGER = re.compile(r"^(?:unsigned|signed)(8|16|32|64)$")


class Exported:
    """What one replay exported: elements {(ent, id): (length, type, name)}; flow_elements: those
    of the flow templates (not options)."""

    def __init__(self, path, templates_dir):
        iana = {}
        with open(IANA_SPECS) as f:
            for line in f:
                m = re.match(r"^(\w+)\((\d+)\)<(\w+)>\[(\d+)\]", line)
                if m:
                    iana[(0, int(m.group(2)))] = (m.group(3), m.group(1))
        self.iana_ids = {i for _, i in iana}
        ours = {}
        with open(os.path.join(templates_dir, "elements.def")) as f:
            for m in re.finditer(r'BPFIX_ELEMENT\("(\w+)",\s*(IANA|BPFIX),\s*(\d+),\s*\w+,'
                                 r'\s*(\w+)', f.read()):
                ours[(0 if m.group(2) == "IANA" else PEN, int(m.group(3)))] = \
                    (ELEMENT_TYPES[m.group(4)], m.group(1))
        self.ours = ours
        with open(path, "rb") as f:
            msgs = parse_messages(f.read())
        self.elements, self.flow_elements = {}, set()
        for m in msgs:
            for sid, body in m.sets:
                if sid not in (TEMPLATE_SET, OPTIONS_TEMPLATE_SET):
                    continue
                for t in template_records(sid, body):
                    for ent, fid, length in t.fields:
                        typ, name = ours.get((ent, fid)) or iana.get((ent, fid), (None, None))
                        if typ is None:
                            raise AssertionError(f"exported element {ent}/{fid} is in neither "
                                                 f"python3-ipfix's IANA registry nor elements.def")
                        self.elements[(ent, fid)] = (length, typ, name)
                        if sid == TEMPLATE_SET:
                            self.flow_elements.add((ent, fid))
        if not self.flow_elements:
            raise AssertionError("the replay's file holds no flow template")

    def beyond_iana(self):
        """The exported elements an IANA registry of the collectors' age lacks."""
        return {k for k in self.elements if k[0] or k[1] not in self.iana_ids}


def exported_by(args, tmp):
    path = os.path.join(tmp, "flows.ipfix")
    rc, text, _ = run_bpfix(args.bpfix, ["replay", "--output", path,
                                         os.path.join(args.pcaps, "gtpu.pcap")], args.timeout)
    if rc != 0:
        raise AssertionError(f"bpfix replay failed ({rc}):\n{text}")
    return Exported(path, args.templates), path


def load_yaml(path):
    if yaml is None:
        raise Skip("python3-yaml is not installed (Debian: apt-get install python3-yaml)")
    with open(path) as f:
        return yaml.safe_load(f)


def logstash_type_fits(symbol, typ, length):
    """Whether Logstash's (and Filebeat's) type symbol decodes an element of IANA type typ sent
    in length octets."""
    m = INTEGER.match(typ)
    if m:
        if typ.startswith("signed"):
            return symbol == f"int{length * 8}"
        # Logstash resizes :uint16/32/64 to the template's length (reduced-size encoding);
        # :uint8 stays one octet
        return symbol == f"uint{length * 8}" or \
            (symbol in ("uint16", "uint32", "uint64") and length * 8 <= int(symbol[4:]))
    if typ.startswith("dateTime"):
        return symbol == f"uint{length * 8}"
    return {"ipv4Address": "ip4_addr", "ipv6Address": "ip6_addr", "string": "string",
            "macAddress": "mac_addr", "float64": "double"}.get(typ) == symbol


def check_definitions(what, defs, exported, keys, p):
    """Every element of keys in a Logstash-format tree, with a fitting type and, for bpfix's own
    elements, its name."""
    for ent, fid in sorted(keys):
        length, typ, name = exported.elements[(ent, fid)]
        entry = (defs.get(ent) or {}).get(fid)
        if not entry or len(entry) != 2:
            p.append(f"{what}: {ent}/{fid} ({name}) missing or not [:type, :name]: {entry}")
            continue
        symbol, got_name = (str(x).lstrip(":") for x in entry)
        if not logstash_type_fits(symbol, typ, length):
            p.append(f"{what}: {ent}/{fid} ({name}, {typ}, {length} octets) has type :{symbol}")
        if (ent, fid) in exported.ours and got_name != name:
            p.append(f"{what}: {ent}/{fid} is named {got_name}, bpfix exports {name}")


def case_logstash(args, tmp, p):
    """Logstash ipfix_definitions: the whole IANA table and every exported element."""
    defs = load_yaml(os.path.join(args.contrib, "logstash", "bpfix-ipfix.yaml"))
    exported, _ = exported_by(args, tmp)
    if set(defs) != {0, PEN}:
        p.append(f"enterprise keys {sorted(defs)}, expected 0 and {PEN}")
    missing = sorted(exported.iana_ids - set(defs.get(0) or {}))
    if missing:
        p.append(f"key 0 replaces Logstash's IANA table but lacks {len(missing)} IANA elements: "
                 f"{missing[:20]}")
    check_definitions("logstash", defs, exported, exported.elements, p)
    log(f"  logstash: {len(defs.get(0) or {})} IANA elements, {len(exported.elements)} exported")


def case_filebeat(args, tmp, p):
    """Filebeat custom_definitions: exactly the exported elements beyond its IANA table."""
    defs = load_yaml(os.path.join(args.contrib, "filebeat", "bpfix-fields.yml"))
    exported, _ = exported_by(args, tmp)
    want = exported.beyond_iana()
    got = {(ent, fid) for ent, table in defs.items() for fid in table}
    if got != want:
        p.append(f"elements {sorted(got)}, expected {sorted(want)}")
    check_definitions("filebeat", defs, exported, want & got, p)


def case_goflow2(args, tmp, p):
    """GoFlow2 mapping: every flow element GoFlow2 does not decode is mapped and printed."""
    cfg = load_yaml(os.path.join(args.contrib, "goflow2", "bpfix-mapping.yaml"))
    exported, _ = exported_by(args, tmp)
    fmt = cfg.get("formatter") or {}
    protobuf = {x["name"]: x for x in fmt.get("protobuf") or []}
    mapped = {}
    for m in (cfg.get("ipfix") or {}).get("mapping") or []:
        key = (m.get("pen", 0) if m.get("penprovided") else 0, m["field"])
        mapped[key] = m["destination"]
    want = {k for k in exported.flow_elements if k[0] or k[1] not in GOFLOW2_DECODES}
    if set(mapped) != want:
        p.append(f"mapped {sorted(mapped)}, expected {sorted(want)}")
    indexes = [x["index"] for x in protobuf.values()]
    if len(set(indexes)) != len(indexes):
        p.append(f"protobuf indexes repeat: {indexes}")
    for key in sorted(want & set(mapped)):
        dest = mapped[key]
        _, typ, name = exported.elements[key]
        address = typ.endswith("Address")
        pb = protobuf.get(dest)
        if pb is None or pb.get("type") != ("bytes" if address else "varint"):
            p.append(f"{name} -> {dest}: protobuf declaration {pb}")
        if dest not in (fmt.get("fields") or []):
            p.append(f"{name} -> {dest}: not in formatter.fields (not printed)")
        if address and (fmt.get("render") or {}).get(dest) != "ip":
            p.append(f"{name} -> {dest}: an address not rendered as ip")
    log(f"  goflow2: {len(mapped)} elements mapped")


def spec_lines(path):
    """{(ent, id): (name, type, length)} of a python-ipfix spec file (no other line allowed)."""
    out = {}
    with open(path) as f:
        for n, line in enumerate(f, 1):
            m = re.match(r"^(\w+)\((?:(\d+)/)?(\d+)\)<(\w+)>\[(\d+)\]$", line.rstrip("\n"))
            if not m:
                raise AssertionError(f"{path}:{n}: not an IESpec: {line!r}")
            out[(int(m.group(2) or 0), int(m.group(3)))] = (m.group(1), m.group(4),
                                                            int(m.group(5)))
    return out


def case_python_ipfix_spec(args, tmp, p):
    """python3-ipfix spec: exactly bpfix's own elements, type and length right."""
    specs = spec_lines(os.path.join(args.contrib, "python-ipfix", "bpfix.iespec"))
    exported, _ = exported_by(args, tmp)
    want = exported.beyond_iana()
    if set(specs) != want:
        p.append(f"specs for {sorted(specs)}, expected {sorted(want)}")
    for key in sorted(want & set(specs)):
        length, typ, name = exported.elements[key]
        sname, stype, slen = specs[key]
        if (sname, stype) != (name, typ) or slen not in (length, 65535):
            p.append(f"{key}: spec {sname}<{stype}>[{slen}], exported {name} {typ} {length}")


def case_python_ipfix_decodes(args, tmp, p):
    """python3-ipfix with the shipped spec decodes the GTP-U records, tunnel fields right."""
    require(tools=())
    try:
        import ipfix.ie
        import ipfix.reader
    except ImportError:
        raise Skip("python3-ipfix is not installed (Debian: apt-get install python3-ipfix)")
    truth, _ = nfcapd_replay.read_truth(os.path.join(args.pcaps, "gtpu.truth.tsv"))
    _, path = exported_by(args, tmp)
    ipfix.ie.clear_infomodel()
    ipfix.ie.use_iana_default()
    ipfix.ie.use_specfile(os.path.join(args.contrib, "python-ipfix", "bpfix.iespec"))
    got = []
    with open(path, "rb") as f:
        for rec in ipfix.reader.from_stream(f).namedict_iterator():
            if "protocolIdentifier" not in rec:
                continue   # statistics and type records
            v6 = "sourceIPv6Address" in rec
            outer_src = rec.get("bpfixTunnelSourceIPv4Address",
                                rec.get("bpfixTunnelSourceIPv6Address"))
            outer_dst = rec.get("bpfixTunnelDestinationIPv4Address",
                                rec.get("bpfixTunnelDestinationIPv6Address"))
            got.append((6 if v6 else 4,
                         norm_addr(str(rec["sourceIPv6Address" if v6 else "sourceIPv4Address"])),
                         norm_addr(str(rec["destinationIPv6Address" if v6 else
                                           "destinationIPv4Address"])),
                         rec["protocolIdentifier"], rec["sourceTransportPort"],
                         rec["destinationTransportPort"], rec["packetDeltaCount"],
                         rec["octetDeltaCount"],
                         norm_addr(str(outer_src)) if outer_src is not None else None,
                         norm_addr(str(outer_dst)) if outer_dst is not None else None,
                         rec.get("gtpuTEid"), rec.get("gtpuQFI"), rec.get("gtpuPduType")))
    want = [(t.ver, t.src, t.dst, t.proto, t.sport, t.dport, t.packets, t.octets, t.outer_src,
             t.outer_dst, t.teid, t.qfi, t.pdu_type) for t in truth]
    missing = sorted(set(want) - set(got), key=str)
    extra = sorted(set(got) - set(want), key=str)
    if missing or extra or len(got) != len(want):
        p.append(f"python3-ipfix decoded {len(got)} flow records, the truth has {len(want)}")
        p += [f"  missing {m}" for m in missing[:10]] + [f"  unexpected {x}" for x in extra[:10]]
    tunnels = sum(1 for g in got if g[10] is not None)
    if not tunnels or not any(g[11] is not None for g in got):
        p.append("no record with a TEID and a QFI: the capture's tunnels were not decoded")
    log(f"  python3-ipfix: {len(got)} flow records, {tunnels} with a TEID")


def case_pmacct(args, tmp, p):
    """pmacct primitives: every field_type an exported element of the length said."""
    exported, _ = exported_by(args, tmp)
    with open(os.path.join(args.contrib, "pmacct", "primitives.lst")) as f:
        lines = [x for x in f if x.startswith("name=")]
    for line in lines:
        kv = dict(w.split("=", 1) for w in line.split())
        ent, _, fid = kv["field_type"].rpartition(":")
        key = (int(ent or 0), int(fid))
        if key not in exported.elements:
            p.append(f"{kv['name']}: field_type {kv['field_type']} is not exported")
        elif kv["len"] != "vlen" and int(kv["len"]) != exported.elements[key][0]:
            p.append(f"{kv['name']}: len {kv['len']}, exported with "
                     f"{exported.elements[key][0]} octets")
    if not lines:
        p.append("no primitive read")


CASES = Cases([
    ("logstash", case_logstash),
    ("filebeat", case_filebeat),
    ("goflow2", case_goflow2),
    ("python_ipfix_spec", case_python_ipfix_spec),
    ("python_ipfix_decodes", case_python_ipfix_decodes),
    ("pmacct", case_pmacct),
])


def main(argv=None):
    ap = argument_parser(__doc__.split("\n\n")[0])
    ap.add_argument("--pcaps", required=True, help="the project's tests/pcaps directory")
    ap.add_argument("--contrib", required=True, help="the project's contrib/collectors")
    ap.add_argument("--templates", required=True, help="the project's templates directory")
    args = driver_arguments(ap, CASES, argv)
    return CASES.run(args, in_temporary_directory("bpfix-collector-files-",
                                                  lambda tmp: (args, tmp)),
                     lambda: require(binaries=(args.bpfix,)),
                     errors=(struct.error, ValueError))


if __name__ == "__main__":
    if not os.path.exists(IANA_SPECS):
        print(f"SKIP: {IANA_SPECS} not found (Debian: apt-get install python3-ipfix)")
        sys.exit(77)
    sys.exit(main())
