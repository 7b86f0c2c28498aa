#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""bpfix for a person at a terminal: the replay's progress line, the summary's speed, each
subcommand's own help.

    terminal.py --bpfix BIN [--timeout S] [--needs-root] [--case NAME] [--list] [-- ARGS]

ARGS go to every replay (--engine kernel). The replays read a capture written at run time
(tests/lib/mass_flows.py: 12 000 one-packet flows, 1 000 per second of capture time) with
--idle-timeout 1 into a UDP socket of this test that reads nothing, at --pace-rate 4000: each
capture second's records wait for the pace, so the replay takes about 3 s of wall time while it
reads the file, long enough for progress lines.

- progress_on_a_terminal: bpfix's stderr is a pseudo-terminal (os.openpty): progress lines
  "replay: N packets, R packets/s, F flows; P% of CAPTURE" drawn over each other ('\\r', erased to
  the end with ESC [K), at most one per half second (no more than wall time / 0.5 + 1 of them),
  packets, flows and percent never going back, the percent at most 100, the flows at most the
  capture's; the line is erased before the summary, which counts every packet.
- no_progress_on_a_pipe: the same replay with stderr a pipe: no progress line, no '\\r'.
- quiet_on_a_terminal: on the terminal with --quiet, and with "quiet = true" in [replay] of a
  config file: no progress line.
- summary_ends_with_speed: the summary's last two lines are "elapsed: S.mmm s" (no more than the
  test's wall time) and "rate: N packets/s", N the packets read / the elapsed time.
- help_of_each_subcommand: `bpfix replay --help` and `bpfix run --help` list exactly their
  subcommand's options, `bpfix --help` all of them. The expected sets are derived from bpfix's
  own option table as `bpfix --print-config` prints it (each key's comment starts "run:" or
  "replay:" when the key is for one subcommand only) and `bpfix --help` names it ("--option ...;
  [section] key"), plus the three that are no key (-c, --print-config, --help).
- bare_bpfix_short_usage: `bpfix` alone: exit 2, a few lines on stderr naming the forms of the
  command line and where the help is, no option's description.

One line per case (PASS, FAIL with the problems), then "N passed, N failed" (tests/lib/cases.py).
Exit 0 pass, 1 fail, 2 harness error, 77 skipped (not root with --needs-root).
"""

import os
import re
import select
import socket
import subprocess
import sys
import time

sys.dont_write_bytecode = True   # no __pycache__ in the source tree
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [HERE, os.path.join(HERE, "..", "lib")]
import mass_flows  # noqa: E402
from bpfixtest import SPEED_LINE, HarnessError, run_bpfix, summary_numbers  # noqa: E402
from cases import Cases, run_engine_driver  # noqa: E402

FLOWS, PER_SECOND, RATE = 12000, 1000, 4000
PROGRESS = re.compile(r"replay: (\d+) packets, (\d+) packets/s, (\d+) flows; "
                      r"(?:(\d+)% of|reading) (.+?)(?: \((\d+) of (\d+)\))?\x1b\[K")
EVERY = 0.5   # seconds: at most one progress line so often
GENERAL = {"--config", "--print-config", "--help"}


class Run:
    """A case's directory, the capture, a UDP socket that takes the records and reads none."""

    def __init__(self, args, extra, tmp):
        self.bpfix, self.extra, self.tmp, self.timeout = args.bpfix, extra, tmp, args.timeout
        self.capture = os.path.join(tmp, "flows.pcap")
        mass_flows.write_pcap(self.capture, FLOWS, PER_SECOND)
        self.sink = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sink.bind(("127.0.0.1", 0))

    def argv(self, *more):
        return ["replay", "--idle-timeout", "1", "--pace-rate", str(RATE), "--collector",
                f"127.0.0.1:{self.sink.getsockname()[1]}", *more, *self.extra, self.capture]

    def on_terminal(self, *more):
        """(exit code, what the terminal got as text, wall seconds) of `bpfix ARGV` with stdout
        and stderr a pseudo-terminal."""
        master, slave = os.openpty()
        t = time.monotonic()
        p = subprocess.Popen([self.bpfix, *self.argv(*more)], stdin=subprocess.DEVNULL,
                             stdout=slave, stderr=slave)
        os.close(slave)
        got = b""
        deadline = t + self.timeout
        try:
            while time.monotonic() < deadline:
                r, _, _ = select.select([master], [], [], 0.2)
                if not r:
                    continue
                try:
                    data = os.read(master, 65536)
                except OSError:   # EIO: every writer closed the terminal
                    break
                if not data:
                    break
                got += data
            else:
                p.kill()
                raise HarnessError(f"bpfix did not finish in {self.timeout:.0f} s")
        finally:
            os.close(master)
        rc = p.wait()
        return rc, got.decode(errors="replace").replace("\r\n", "\n"), time.monotonic() - t

    def on_pipe(self, *more):
        t = time.monotonic()
        rc, out, _ = run_bpfix(self.bpfix, self.argv(*more), self.timeout)
        return rc, out, time.monotonic() - t


def progress_lines(text):
    """Every progress line drawn: (packets, rate, flows, percent or None, capture)."""
    return [(int(m[1]), int(m[2]), int(m[3]), int(m[4]) if m[4] else None, m[5])
            for m in PROGRESS.finditer(text)]


def not_decreasing(values):
    return all(a <= b for a, b in zip(values, values[1:]))


def progress_on_a_terminal(run, problems):
    """On a terminal: progress lines, at most twice a second, then the summary on a clean line."""
    rc, text, wall = run.on_terminal()
    lines = progress_lines(text)
    if rc != 0:
        problems.append(f"bpfix exited with {rc}:\n{text}")
        return
    if len(lines) < 2:
        problems.append(f"{len(lines)} progress lines in {wall:.1f} s (at least 2 expected):\n"
                        f"{text!r}")
        return
    most = int(wall / EVERY) + 1
    if len(lines) > most:
        problems.append(f"{len(lines)} progress lines in {wall:.1f} s: more than one a "
                        f"{EVERY} s ({most})")
    packets, flows, percent = ([x[i] for x in lines] for i in (0, 2, 3))
    if not (not_decreasing(packets) and not_decreasing(flows) and not_decreasing(percent)):
        problems.append(f"progress goes back: {lines}")
    if max(percent) > 100 or max(flows) > FLOWS or max(packets) > FLOWS:
        problems.append(f"progress beyond the capture ({FLOWS} packets and flows): {lines}")
    if any(x[4] != run.capture or x[1] <= 0 for x in lines):
        problems.append(f"progress names another capture or no rate: {lines}")
    # the summary starts on an erased line, after the last progress line
    tail = text[text.rfind("\x1b[K") + len("\x1b[K"):]
    if not tail.lstrip("\r").startswith("packets read: ") or \
            summary_numbers(tail).get("packets read") != FLOWS:
        problems.append(f"the summary does not follow the erased progress line:\n{tail!r}")


def no_progress_on_a_pipe(run, problems):
    """On a pipe: no progress line."""
    rc, out, _ = run.on_pipe()
    if rc != 0 or "\r" in out or "packets/s," in out or "\x1b" in out:
        problems.append(f"exit {rc}; a progress line on a pipe:\n{out!r}")


def quiet_on_a_terminal(run, problems):
    """--quiet, or quiet = true in the config file: no progress line, even on a terminal."""
    conf = os.path.join(run.tmp, "quiet.conf")
    with open(conf, "w") as f:
        f.write("[replay]\nquiet = true\n")
    for how in (["--quiet"], ["-q"], ["-c", conf]):
        rc, text, _ = run.on_terminal(*how)
        if rc != 0 or progress_lines(text) or "packets/s," in text:
            problems.append(f"{' '.join(how)}: exit {rc}, progress lines:\n{text!r}")


def summary_ends_with_speed(run, problems):
    """The summary's last lines: elapsed time and packets per second."""
    rc, out, wall = run.on_pipe()
    lines = [x for x in out.splitlines() if x.strip()]
    if rc != 0 or len(lines) < 2:
        problems.append(f"exit {rc}:\n{out}")
        return
    m_elapsed = re.fullmatch(r"elapsed: (\d+\.\d{3}) s", lines[-2])
    m_rate = re.fullmatch(r"rate: (\d+) packets/s", lines[-1])
    if not (m_elapsed and m_rate and all(SPEED_LINE.match(x) for x in lines[-2:])):
        problems.append(f"the summary does not end with elapsed time and rate:\n{out}")
        return
    elapsed, rate = float(m_elapsed[1]), int(m_rate[1])
    packets = summary_numbers(out).get("packets read")
    if packets != FLOWS or not 0 < elapsed <= wall:
        problems.append(f"packets read {packets} of {FLOWS}; elapsed {elapsed} s, the test "
                        f"saw {wall:.3f} s")
    # elapsed is shown to the millisecond, the rate computed to the microsecond
    low, high = packets / (elapsed + 0.001), packets / max(elapsed - 0.001, 1e-6)
    if not low - 1 <= rate <= high + 1:
        problems.append(f"rate {rate} packets/s; {packets} packets in {elapsed} s is "
                        f"{low:.0f}-{high:.0f}")


def help_options(text):
    """The long options a help text lists (the options column: lines starting with them)."""
    return set(re.findall(r"^ {2}(?:-\w, | {4})(--[a-z0-9-]+)", text, re.M))


def expected_options(bpfix):
    """{option: set of subcommands} from --print-config's comments and --help's keys."""
    printed = subprocess.run([bpfix, "--print-config"], capture_output=True, text=True).stdout
    modes, section, comment = {}, None, ""
    for line in printed.splitlines():
        if re.fullmatch(r"\[\w+\]", line):
            section = line[1:-1]
        elif line.startswith("#"):
            comment += line
        elif " = " in line and section:
            first = comment.lstrip("# ").split(" ", 1)[0]
            modes[(section, line.split(" = ")[0])] = (
                {"run"} if first == "run:" else {"replay"} if first == "replay:" else
                {"run", "replay"})
            comment = ""
    full = subprocess.run([bpfix, "--help"], capture_output=True, text=True).stdout
    options = {}
    for name, section, key in re.findall(r"^ {2}(?:-\w, | {4})(--[a-z0-9-]+) .*; \[(\w+)\] (\w+)$",
                                         full, re.M):
        options[name] = modes.get((section, key))
    missing = [k for k in modes if all(v is not modes[k] for v in options.values())]
    if missing or None in options.values():
        raise HarnessError(f"--print-config keys without an option in --help: {missing}; "
                           f"options without a key: "
                           f"{[o for o, m in options.items() if m is None]}")
    return options


def help_of_each_subcommand(run, problems):
    """Each subcommand's help lists its own options, derived from the option table."""
    options = expected_options(run.bpfix)
    for sub in ("replay", "run", None):
        argv = [run.bpfix, sub, "--help"] if sub else [run.bpfix, "--help"]
        r = subprocess.run(argv, capture_output=True, text=True)
        want = {o for o, m in options.items() if sub is None or sub in m} | GENERAL
        got = help_options(r.stdout)
        if r.returncode != 0 or got != want:
            problems.append(f"{' '.join(argv[1:])}: exit {r.returncode}; missing "
                            f"{sorted(want - got)}, not its own {sorted(got - want)}")
    both = {o for o, m in options.items() if m == {"run", "replay"}}
    if not both or len(both) == len(options):
        problems.append(f"the option table names no option of one subcommand only: {options}")


def bare_bpfix_short_usage(run, problems):
    """`bpfix` alone: a short usage on stderr, exit 2."""
    r = subprocess.run([run.bpfix], capture_output=True, text=True)
    lines = r.stderr.splitlines()
    if r.returncode != 2 or r.stdout or not 2 <= len(lines) <= 10 or \
            "bpfix replay --help" not in r.stderr or "bpfix run --help" not in r.stderr or \
            help_options(r.stderr) or "Usage: bpfix run" not in r.stderr:
        problems.append(f"exit {r.returncode}, stdout {r.stdout!r}, stderr:\n{r.stderr}")


CASES = Cases([
    ("progress_on_a_terminal", progress_on_a_terminal),
    ("no_progress_on_a_pipe", no_progress_on_a_pipe),
    ("quiet_on_a_terminal", quiet_on_a_terminal),
    ("summary_ends_with_speed", summary_ends_with_speed),
    ("help_of_each_subcommand", help_of_each_subcommand),
    ("bare_bpfix_short_usage", bare_bpfix_short_usage),
])


def main(argv=None):
    return run_engine_driver(__doc__, CASES, Run, "bpfix-terminal-", (), argv, timeout=60.0)


if __name__ == "__main__":
    sys.exit(main())
