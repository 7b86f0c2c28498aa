#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""`bpfix report` on the IPFIX file of a replay, against its generator's truth.

    report.py --bpfix BIN --pcaps DIR --pair CAPTURE=REPORT_TRUTH [--needs-root]
              [--case NAME] [--list] [-- ARGS]

ARGS go to every bpfix replay (--engine kernel). The truth (tests/pcaps/README.md, "Report
truth") is written by the capture's generator (tests/pcaps/bottleneck_capture.py) from what it
built and the report's definitions, never by bpfix: each group's records, packets, octets,
TCP packets, round trips (median, 95th percentile, count; µs), gaps and retransmissions, and
the order of the groups for every --sort key.

- text: the default output: every tunnel and server row equal to the truth (TEIDs in hex,
  round trips in ms with three decimals, rates per 100 TCP packets with two, "-" for what a
  group lacks), in the truth's order worst first (the worst QoS flow first), and a heading.
- csv: --format csv: the same in raw units (µs, decimal TEIDs, rates with four decimals,
  empty cells), the header's columns named.
- json: --format json: the same as numbers, null for what a group lacks; totals of the file.
- sort_keys: --sort with each key: the rows of both views in the truth's order for it.
- errors: a missing file, a directory, a capture (not IPFIX), an empty file, an IPFIX file cut
  short inside a message, a NetFlow v9 header: exit 1, one message naming the file and the
  cause, nothing on stdout; a file written with another --enterprise-number: exit 1 naming it,
  and read whole with that --enterprise-number; bad --format, --sort, a missing or second
  file: exit 2 naming the option; --help: exit 0 naming every option and sort key.

One line per case (tests/lib/cases.py). Exit 0 pass, 1 fail, 2 harness error, 77 skipped.
"""

import csv
import io
import json
import os
import re
import shutil
import subprocess
import sys

sys.dont_write_bytecode = True   # no __pycache__ in the source tree
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [HERE, os.path.join(HERE, "..", "lib")]
import netflow9  # noqa: E402
from bpfixtest import HarnessError, run_bpfix  # noqa: E402
from cases import Cases  # noqa: E402

SORTS = ("loss", "gaps", "retransmissions", "server-rtt", "client-rtt", "packets", "octets")
VIEWS = ("tunnel", "server")
RTT = ("server_rtt_median_us", "server_rtt_p95_us", "client_rtt_median_us", "client_rtt_p95_us")
COUNTS = ("records", "packets", "octets", "tcp_packets", "server_rtt_count", "client_rtt_count",
          "gaps", "retransmissions")
TEXT_COLUMNS = {"TEID": "teid", "ENDPOINT": "endpoint", "QFI": "qfi", "SERVER": "server",
                "RECORDS": "records", "PACKETS": "packets", "OCTETS": "octets",
                "TCP_PKTS": "tcp_packets", "SRV_MED_MS": "server_rtt_median_us",
                "SRV_P95_MS": "server_rtt_p95_us", "SRV_N": "server_rtt_count",
                "CLI_MED_MS": "client_rtt_median_us", "CLI_P95_MS": "client_rtt_p95_us",
                "CLI_N": "client_rtt_count", "GAPS": "gaps", "GAPS/100": "gaps_per_100_packets",
                "RETRANS": "retransmissions", "RETRANS/100": "retransmissions_per_100_packets"}
OTHER_PEN = 4242


def read_truth(path):
    """(bpfix arguments, {view: [row dict]} in default order, {(sort, view): [names]})."""
    args, rows, orders, header = [], {v: [] for v in VIEWS}, {}, None
    with open(path) as f:
        for line in f:
            line = line.rstrip("\n")
            m = re.match(r"# order (\S+) (\S+): (.*)$", line)
            if line.startswith("# bpfix-args:"):
                args = line.split(":", 1)[1].split()
            elif m:
                orders[(m.group(1), m.group(2))] = m.group(3).split()
            elif line.startswith("#") or not line:
                continue
            elif header is None:
                header = line.split("\t")
            else:
                r = dict(zip(header, line.split("\t")))
                rows[r["view"]].append({k: None if v == "-" else v for k, v in r.items()})
    return args, rows, orders


def name_of(view, r):
    """The truth's name of a row: ENDPOINT/0xTEID/QFI or the server address."""
    if view == "server":
        return r["server"]
    qfi = "-" if r["qfi"] in (None, "") else r["qfi"]
    return f"{r['endpoint']}/0x{int(r['teid'], 0):08x}/{qfi}"


def expected(t, machine):
    """What a truth row's rates and round trips print as (machine: CSV/JSON units)."""
    out = {}
    tcp = int(t["tcp_packets"])
    for what, n in (("gaps", t["gaps"]), ("retransmissions", t["retransmissions"])):
        rate = 100 * int(n) / tcp if tcp else None
        out[f"{what}_per_100_packets"] = None if rate is None else \
            f"{rate:.4f}" if machine else f"{rate:.2f}"
    for c in RTT:
        us = t[c]
        out[c] = None if us is None else us if machine else \
            f"{int(us) // 1000}.{int(us) % 1000:03d}"
    return out


def compare_rows(what, view, truth_rows, got_rows, machine, p):
    """Rows of one view (dicts of text, None for what is absent) against the truth's, in order."""
    want = [name_of(view, t) for t in truth_rows]
    names = [name_of(view, g) for g in got_rows]
    if names != want:
        p.append(f"{what} {view} rows in the order\n    {names}\n  expected\n    {want}")
    for t in truth_rows:
        g = next((g for g in got_rows if name_of(view, g) == name_of(view, t)), None)
        if g is None:
            continue
        exp = {c: t[c] for c in COUNTS}
        exp.update(expected(t, machine))
        for c, v in exp.items():
            if (None if g.get(c) in (None, "", "-") else str(g[c])) != v:
                p.append(f"{what} {view} {name_of(view, t)}: {c} {g.get(c)!r}, expected {v!r}")


class Run(netflow9.Run):
    """A replay of the capture into an IPFIX file, then bpfix report on it."""

    def setup(self, more=()):
        capture, truth = self.args.pair[0].split("=", 1)
        args, self.rows, self.orders = read_truth(self.pcap(truth))
        self.ipfix = os.path.join(self.tmp, "flows.ipfix")
        rc, text, _ = run_bpfix(self.args.bpfix, ["replay", "--quiet", "--output", self.ipfix,
                                                  *args, *more, *self.extra,
                                                  self.pcap(capture)], self.args.timeout)
        if rc != 0:
            raise HarnessError(f"bpfix replay exited with {rc}:\n{text}")
        return self

    def report(self, *args):
        """(exit code, stdout, stderr) of bpfix report ARGS."""
        r = subprocess.run([self.args.bpfix, "report", *args], capture_output=True, text=True,
                           timeout=self.args.timeout)
        return r.returncode, r.stdout, r.stderr

    def output(self, *args):
        rc, out, err = self.report(*args, self.ipfix)
        if rc != 0:
            raise AssertionError(f"bpfix report {' '.join(args)} exited with {rc}: {err}")
        return out


def text_tables(out):
    """{view: [row dict]} of the text output's two tables (title line, header, rows)."""
    tables, view, header = {}, None, None
    for line in out.splitlines():
        if line.startswith("GTP-U tunnels"):
            view, header = "tunnel", None
        elif line.startswith("Servers"):
            view, header = "server", None
        elif view and not line.strip():
            view = None
        elif view and header is None:
            header = [TEXT_COLUMNS[h] for h in line.split()]
            tables[view] = []
        elif view and line != "(none)":
            r = dict(zip(header, line.split()))
            if "teid" in r:
                r["teid"] = str(int(r["teid"], 16))
            tables[view].append(r)
    return tables


def case_text(run, p):
    """Text: every row as the truth says, worst first, with its heading."""
    out = run.setup().output()
    tables = text_tables(out)
    for view in VIEWS:
        compare_rows("text", view, run.rows[view], tables.get(view, []), False, p)
    first = out.splitlines()[0] if out else ""
    records = sum(int(t["records"]) for t in run.rows["server"])
    if not re.match(rf"bpfix report of .*flows\.ipfix: {records} flow records", first):
        p.append(f"heading {first!r}: expected the file and its {records} flow records")
    if "Worst first: gaps + retransmissions per 100 TCP packets" not in out:
        p.append("the heading does not say what worst first means")


def case_csv(run, p):
    """CSV: every row in raw units, worst first."""
    rows = list(csv.DictReader(io.StringIO(run.setup().output("--format", "csv"))))
    for view in VIEWS:
        compare_rows("csv", view, run.rows[view], [r for r in rows if r["view"] == view],
                     True, p)


def case_json(run, p):
    """JSON: every row as numbers and nulls, worst first, the file's totals."""
    doc = json.loads(run.setup().output("--format", "json"))
    for view in VIEWS:
        got = [{k: None if v is None else f"{v:.4f}" if isinstance(v, float) else str(v)
                for k, v in r.items()} for r in doc.get(view + "s", [])]
        compare_rows("json", view, run.rows[view], got, True, p)
    records = sum(int(t["records"]) for t in run.rows["server"])
    if doc.get("flow_records") != records or doc.get("sort") != "loss":
        p.append(f"json totals {doc.get('flow_records')} records, sort {doc.get('sort')}: "
                 f"expected {records}, loss")


def case_sort_keys(run, p):
    """Each --sort key orders both views as the truth says."""
    run.setup()
    for key in SORTS:
        rows = list(csv.DictReader(io.StringIO(run.output("--format", "csv", "--sort", key))))
        for view in VIEWS:
            got = [name_of(view, r) for r in rows if r["view"] == view]
            if got != run.orders[(key, view)]:
                p.append(f"--sort {key}, {view}s: {got}\n  expected {run.orders[(key, view)]}")


def expect_failure(run, p, args, code, *words):
    """bpfix report ARGS exits with code, prints nothing on stdout and one message with
    words."""
    rc, out, err = run.report(*args)
    lines = [x for x in err.splitlines() if x.strip()]
    if rc != code or out or not lines or any(w not in err for w in words):
        p.append(f"bpfix report {' '.join(args)}: exit {rc}, stdout {out[:80]!r}, stderr "
                 f"{err.strip()!r}; expected exit {code} and a message with {words}")


def case_errors(run, p):
    """Unreadable, not IPFIX, empty, cut short, another PEN, bad options: clear messages."""
    run.setup()
    tmp = run.tmp
    with open(run.ipfix, "rb") as f:
        data = f.read()
    first_len = int.from_bytes(data[2:4], "big")
    files = {"cut": data[:first_len + 20], "empty": b"",
             "v9": bytes.fromhex("0009000100000000") + data[8:first_len]}
    for name, content in files.items():
        with open(os.path.join(tmp, name), "wb") as f:
            f.write(content)
    missing = os.path.join(tmp, "missing.ipfix")
    capture = run.pcap(run.args.pair[0].split("=", 1)[0])
    expect_failure(run, p, [missing], 1, missing, "cannot open", "No such file")
    expect_failure(run, p, [tmp], 1, tmp, "not a regular file")
    expect_failure(run, p, [capture], 1, capture, "not an IPFIX file", "version")
    expect_failure(run, p, [os.path.join(tmp, "empty")], 1, "empty", "no IPFIX message")
    expect_failure(run, p, [os.path.join(tmp, "cut")], 1, "cut short",
                   f"offset {first_len}")
    expect_failure(run, p, [os.path.join(tmp, "v9")], 1, "not an IPFIX file", "version 9",
                   "NetFlow")
    expect_failure(run, p, ["--format", "xml", run.ipfix], 2, "--format 'xml'", "text, csv")
    expect_failure(run, p, ["--sort", "worst", run.ipfix], 2, "--sort 'worst'", "loss")
    expect_failure(run, p, ["--enterprise-number", "x", run.ipfix], 2, "--enterprise-number")
    expect_failure(run, p, ["--sort"], 2, "--sort", "needs a value")
    expect_failure(run, p, [], 2, "which IPFIX file")
    expect_failure(run, p, [run.ipfix, run.ipfix], 2, "one IPFIX file")
    expect_failure(run, p, ["--frobnicate", run.ipfix], 2, "unknown option", "--frobnicate")
    # a file whose bpfix elements are under another enterprise number
    plain = run.output("--format", "csv")
    shutil.move(run.ipfix, run.ipfix + ".default")
    run.setup(["--enterprise-number", str(OTHER_PEN)])
    expect_failure(run, p, [run.ipfix], 1, f"enterprise number {OTHER_PEN}",
                   f"--enterprise-number {OTHER_PEN}")
    if run.output("--format", "csv", "--enterprise-number", str(OTHER_PEN)) != plain:
        p.append(f"with --enterprise-number {OTHER_PEN} the report differs from the default's")
    rc, out, err = run.report("--help")
    missing_words = [w for w in ("--format", "--sort", "--enterprise-number", "--help",
                                 *SORTS, "text", "csv", "json") if w not in out]
    if rc != 0 or missing_words or err:
        p.append(f"bpfix report --help: exit {rc}, stderr {err!r}, does not name "
                 f"{missing_words}")


CASES = Cases([
    ("text", case_text),
    ("csv", case_csv),
    ("json", case_json),
    ("sort_keys", case_sort_keys),
    ("errors", case_errors),
])


if __name__ == "__main__":
    sys.exit(netflow9.main(cases=CASES, doc=__doc__, make_run=Run))
