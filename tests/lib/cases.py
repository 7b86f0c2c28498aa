# SPDX-License-Identifier: GPL-2.0-only
"""The one case runner of the Python test drivers, and the one way their cases wait.

Imported like bpfixtest (this directory inserted into sys.path relative to the script's own
__file__).

- Cases: a driver's named cases, in order. add_arguments() gives the driver --case (names or
  substrings, comma-separated, repeatable; default: every case) and --list; run() runs the
  selected cases one after the other and prints one line per case, "PASS name (1.2 s)",
  "FAIL name (1.2 s): the first problem" with the rest indented below it, or "SKIP name: why",
  then the final line "N passed, N failed" (", N skipped" when cases were skipped). It returns
  the exit code: 0 no case failed, 1 a case failed, 2 the harness failed (a case could not run),
  77 every case was skipped (not root, a tool missing, ...: require()).
- A case is fn(*args, problems): args come from the driver's fixture (in_temporary_directory:
  a directory of its own for each case), problems is a list the case appends what it finds to;
  the case passes when it stays empty. A case may raise Skip (it cannot run here),
  AssertionError (it fails and cannot go on: the message is its last problem; wait_until raises
  one) or a harness error (HarnessError, subprocess.TimeoutExpired, OSError and the errors the
  driver names): it failed to run, and the exit code is 2.
- wait_until(predicate, timeout, what): polls predicate every 50 ms until it returns something
  true, and returns that; past the deadline it raises Timeout, an AssertionError naming what was
  awaited. WAIT is the deadline of what takes well under a second on an idle machine: generous,
  for a loaded 2-core CI machine.
- require(): what prepare() checks first: root and tools (Skip, the exit 77), the binaries.
- driver_arguments(): the command line of a driver whose cases run bpfix their own way.
"""

import contextlib
import os
import subprocess
import tempfile
import time

from bpfixtest import (EXIT_FAIL, EXIT_HARNESS, EXIT_OK, EXIT_SKIP, KERNEL_ENGINE,
                       HarnessError, argument_parser, check_executable, log, parse_arguments,
                       skip_reason)

POLL = 0.05     # seconds between two looks at what wait_until waits for
WAIT = 30.0     # seconds: the deadline of a wait for what is quick on an idle machine


class Skip(Exception):
    """The case (raised by prepare: every case) cannot run here; the message says why."""


class Timeout(AssertionError):
    """wait_until's deadline passed."""


def wait_until(predicate, timeout, what):
    """predicate()'s first true value, polled every POLL seconds; Timeout naming what when none
    came within timeout seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise Timeout(f"waited {timeout:g} s for {what} in vain")
        time.sleep(POLL)


def require(tools=(), root_for=None, binaries=()):
    """Skip unless root (when root_for says what needs it) with tools on PATH; HarnessError when
    one of binaries is not an executable file."""
    reason = skip_reason(tools, root_for)
    if reason:
        raise Skip(reason)
    for b in binaries:
        check_executable(b)


def in_temporary_directory(prefix, make_args):
    """A fixture for Cases.run: each case gets make_args(a temporary directory of its own),
    removed after the case."""
    @contextlib.contextmanager
    def fixture(_name):
        with tempfile.TemporaryDirectory(prefix=prefix) as tmp:
            yield make_args(tmp)
    return fixture


def driver_arguments(ap, cases, argv=None, timeout=60.0):
    """The arguments of a driver whose cases each run bpfix their own way: ap (from
    bpfixtest.argument_parser) with cases' --case and --list, timeout seconds per bpfix run
    unless told, nothing after '--', --bpfix made absolute."""
    cases.add_arguments(ap)
    ap.set_defaults(timeout=timeout)
    args, extra = parse_arguments(ap, argv)
    if extra:
        ap.error("no bpfix arguments after '--': each case sets its own")
    args.bpfix = os.path.abspath(args.bpfix)
    return args


def run_engine_driver(doc, cases, make_case, prefix, tools=(), argv=None, timeout=60.0):
    """main() of a driver whose every bpfix run takes the arguments after '--' (--engine
    kernel): --bpfix, --timeout (default timeout), --needs-root (every case skipped unless root),
    --case, --list; each case gets make_case(args, the bpfix arguments, a temporary directory of
    its own named prefix...), skipped unless tools are on PATH. Returns the exit code."""
    ap = argument_parser(doc.split("\n\n")[0], needs_root=True)
    cases.add_arguments(ap)
    ap.set_defaults(timeout=timeout)
    args, extra = parse_arguments(ap, argv)
    args.bpfix = os.path.abspath(args.bpfix)
    fixture = in_temporary_directory(prefix, lambda tmp: (make_case(args, extra, tmp),))
    return cases.run(args, fixture, lambda: require(tools, KERNEL_ENGINE if args.needs_root
                                                    else None, (args.bpfix,)))


class Cases:
    """Named cases in the order given: Cases([(name, fn), ...]), or add() one by one."""

    def __init__(self, cases=()):
        self.table = {}
        self.about = {}
        for name, fn in cases:
            self.add(name, fn)

    def add(self, name, fn, about=None):
        """Register fn as case name; about: what --list says of it (default: the first line of
        fn's docstring)."""
        if name in self.table:
            raise ValueError(f"two cases named {name}")
        self.table[name] = fn
        self.about[name] = about or (fn.__doc__ or "").strip().split("\n")[0]

    def names(self):
        return list(self.table)

    def add_arguments(self, ap):
        ap.add_argument("--case", "--cases", dest="case", action="append", default=[],
                        metavar="NAME", help="only these cases: names or parts of names, "
                        "comma-separated, repeatable (default: all of " +
                        ", ".join(self.table) + ")")
        ap.add_argument("--list", action="store_true", help="list the cases and exit")

    def selection(self, wanted):
        """The cases --case selected, in table order (all when wanted is empty); None after
        saying which word selects no case."""
        if not wanted:
            return self.names()
        chosen = set()
        for word in (w for arg in wanted for w in arg.split(",") if w):
            hits = [word] if word in self.table else [n for n in self.table if word in n]
            if not hits:
                log(f"ERROR: no case is named or contains {word!r}; cases: "
                    f"{', '.join(self.table)}")
                return None
            chosen.update(hits)
        return [n for n in self.table if n in chosen]

    def run(self, a, fixture=None, prepare=None, errors=()):
        """Run the cases a.case selects (a.list: list them instead); returns the exit code.
        prepare(): once before the first case; a Skip from it skips every case, a harness error
        fails every case. fixture(name): a context manager that gives the case its arguments
        before problems (a tuple; default none) and cleans up after it."""
        if a.list:
            for name in self.table:
                log(f"{name}: {self.about[name]}" if self.about[name] else name)
            return EXIT_OK
        names = self.selection(a.case)
        if names is None:
            return EXIT_HARNESS
        harness = (HarnessError, subprocess.TimeoutExpired, OSError, *errors)
        outcomes = []
        try:
            if prepare:
                prepare()
        except Skip as e:
            for name in names:
                log(f"SKIP {name}: {e}")
            outcomes = ["skip"] * len(names)
        except harness as e:
            log(f"ERROR: {e}")
            for name in names:
                log(f"FAIL {name}: not run (the error above)")
            outcomes = ["harness"] * len(names)
        else:
            outcomes = [self.run_one(name, fixture, harness) for name in names]
        passed, skipped = outcomes.count("pass"), outcomes.count("skip")
        failed = len(outcomes) - passed - skipped
        log(f"{passed} passed, {failed} failed" + (f", {skipped} skipped" if skipped else ""))
        if "harness" in outcomes:
            return EXIT_HARNESS
        if failed:
            return EXIT_FAIL
        return EXIT_SKIP if not passed else EXIT_OK

    def run_one(self, name, fixture, harness):
        """One case: "pass", "fail", "skip" or "harness", its line printed."""
        problems = []
        error = None
        t = time.monotonic()
        try:
            with fixture(name) if fixture else contextlib.nullcontext(()) as args:
                self.table[name](*args, problems)
        except Skip as e:
            log(f"SKIP {name}: {e}")
            return "skip"
        except AssertionError as e:
            problems.append(str(e))
        except harness as e:
            error = f"harness error: {e}"
        took = f"{name} ({time.monotonic() - t:.1f} s)"
        if not problems and not error:
            log(f"PASS {took}")
            return "pass"
        lines = "\n".join(([error] if error else []) + problems).split("\n")
        log(f"FAIL {took}: {lines[0]}")
        for line in lines[1:]:
            log(f"  {line}")
        return "harness" if error else "fail"
