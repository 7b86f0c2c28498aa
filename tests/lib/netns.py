# SPDX-License-Identifier: GPL-2.0-only
"""What the live tests (tests/netns/*.py) share: two network namespaces joined by a veth pair
(or three in a line, a router between a client and a server), processes started inside them,
`bpfix run` on vethA (the router's interfaces), vethA's tc state.

Imported like bpfixtest (this directory inserted into sys.path relative to the script's own
__file__). Root only: run_cases checks that first (cases.require), the scripts that use
run_in_env before it (bpfixtest.preflight).

- VethEnv: namespaces A (vethA) and B (vethB), offloads (TSO, GSO, GRO) off on both ends; a
  subclass configures what differs between tests through hooks (addresses, neighbours, IPv6
  sysctls, checks). Every process started by spawn() is remembered by pid; cleanup() kills those
  still running and deletes the namespaces, on every path.
- RouterEnv: namespaces C, R (rt-c, rt-s; forwards IPv4) and S in a line, the end hosts each
  behind a delay line (a relay process: delay and loss per direction, netem's job where the
  kernel has no netem); bpfix runs in R (its "A").
- Bpfix: `bpfix run ARGS` in namespace A, its stderr in a file, waited for until it says it is
  running (its filters on vethA's clsact hooks), asked for its statistics (SIGUSR1), stopped by
  its pid; wait_for(): a wait that fails at once when bpfix exits meanwhile; wait_records(): until
  its output file holds the records awaited.
- Helper: a traffic-side process that says "ready" and prints its counts as they change, its
  output in a file read as it grows.
- run_cases(): main() of a driver of named cases (cases.Cases) in the live frame; run_in_env():
  the same frame around the body of a driver without named cases. The frame (live_frame): the
  temporary directory, the environment and their cleanup on every path.
- bpf_probe(): whether this process may load a BPF program at all; Skip (cases.Skip): the test
  cannot run here (exit 77).

Every wait polls something observable with a deadline (cases.wait_until, cases.WAIT).
"""

import argparse
import contextlib
import ctypes
import json
import os
import platform
import re
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import time

from bpfixtest import EXIT_FAIL, EXIT_HARNESS, EXIT_OK, EXIT_SKIP, HarnessError, log
from cases import WAIT, Skip, Timeout, require, wait_until

HERE = os.path.dirname(os.path.abspath(__file__))
TRAFFIC = os.path.normpath(os.path.join(HERE, "..", "netns", "veth_traffic.py"))  # "offload IF"
PY = "/usr/bin/python3"
OUR_HANDLE = "0xb9f1"       # the tc handle of bpfix's filters


def run(argv, check=True, timeout=30, env=None):
    r = subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                       errors="replace", timeout=timeout, env=env)
    if check and r.returncode != 0:
        raise HarnessError(f"{' '.join(argv)} exited with {r.returncode}: "
                           f"{(r.stderr or r.stdout).strip()}")
    return r


def bpf_probe():
    """None if this process may load a SCHED_CLS program, else why not."""
    nr = {"x86_64": 321, "aarch64": 280}.get(platform.machine())
    if nr is None:
        return None   # unknown syscall number: let bpfix say it
    libc = ctypes.CDLL(None, use_errno=True)
    insns = ctypes.create_string_buffer(struct.pack("<BBhiBBhi", 0xB7, 0, 0, 0, 0x95, 0, 0, 0))
    lic = ctypes.create_string_buffer(b"GPL")
    attr = ctypes.create_string_buffer(struct.pack("<IIQQ", 3, 2, ctypes.addressof(insns),
                                                   ctypes.addressof(lic)), 128)
    fd = libc.syscall(nr, 5, attr, 128)   # BPF_PROG_LOAD, BPF_PROG_TYPE_SCHED_CLS
    if fd < 0:
        return f"cannot load a BPF program: {os.strerror(ctypes.get_errno())}"
    os.close(fd)
    return None


def preconditions():
    """As root: the traffic side's Python, loading a BPF program."""
    if not os.path.exists(PY):
        raise Skip(f"{PY} missing")
    reason = bpf_probe()
    if reason:
        raise Skip(reason)


class VethEnv:
    """Namespaces bpfix-TAG-a-PID (vethA) and bpfix-TAG-b-PID (vethB); processes remembered by
    pid. Subclasses set MAC_A/MAC_B (None: the kernel's) and override the hooks of setup()."""

    MAC_A = MAC_B = None
    METERED_DEV = "vethA"   # the device in A whose tc state the helpers below read

    def __init__(self, tmp, tag):
        self.tmp = tmp
        pid = os.getpid()
        self.a, self.b = f"bpfix-{tag}-a-{pid}", f"bpfix-{tag}-b-{pid}"
        self.namespaces = []
        self.procs = []
        self.ifindex_a = None

    def ns(self, name, *argv):
        return ["ip", "netns", "exec", name, *argv]

    def sysctl(self, name, path, value):
        """Write a /proc/sys file inside namespace name (no-op when the kernel has none)."""
        run(self.ns(name, "sh", "-c", f"[ ! -e {path} ] || echo {value} > {path}"))

    def read_sys(self, name, path):
        r = run(self.ns(name, "sh", "-c", f"[ ! -e {path} ] || cat {path}"))
        return r.stdout.strip()

    # hooks of setup(), in this order
    def namespace_added(self, name):
        """Namespace name exists, the veths do not yet."""

    def device_added(self, name, dev):
        """dev (in namespace name) exists and is down; its offloads are turned off next."""

    def before_up(self):
        """Both ends configured, still down."""

    def after_up(self):
        """Both ends up, ifindex_a known."""

    def setup(self):
        for name in (self.a, self.b):
            r = run(["ip", "netns", "add", name], check=False)
            if r.returncode != 0:
                raise Skip(f"cannot create a network namespace: {r.stderr.strip()}")
            self.namespaces.append(name)
            self.namespace_added(name)
        a, b = self.a, self.b
        mac_a = ["address", self.MAC_A] if self.MAC_A else []
        mac_b = ["address", self.MAC_B] if self.MAC_B else []
        run(["ip", "-n", a, "link", "add", "vethA", *mac_a, "type", "veth", "peer", "name",
             "vethB", *mac_b, "netns", b])
        for n, dev in ((a, "vethA"), (b, "vethB")):
            self.device_added(n, dev)
            r = run(self.ns(n, PY, TRAFFIC, "offload", dev), check=False)
            if r.returncode != 0:
                raise HarnessError(f"cannot turn offloads off on {dev}: {r.stderr.strip()}")
        self.before_up()
        run(["ip", "-n", a, "link", "set", "vethA", "up"])
        run(["ip", "-n", b, "link", "set", "vethB", "up"])
        info = json.loads(run(["ip", "-n", a, "-j", "link", "show", "vethA"]).stdout)
        self.ifindex_a = int(info[0]["ifindex"])
        self.after_up()

    def spawn(self, name, argv, **kw):
        p = subprocess.Popen(self.ns(name, *argv), stdin=subprocess.DEVNULL, **kw)
        self.procs.append(p)
        return p

    def cleanup(self):
        for p in self.procs:
            if p.poll() is None:
                p.kill()
                try:
                    p.wait(10)
                except subprocess.TimeoutExpired:
                    log(f"WARNING: process {p.pid} did not die")
        for name in reversed(self.namespaces):
            r = run(["ip", "netns", "del", name], check=False)
            if r.returncode != 0:
                log(f"WARNING: ip netns del {name}: {r.stderr.strip()}")
        self.namespaces = []

    # tc state of vethA (METERED_DEV)
    def tc(self, *args):
        return run(["tc", "-n", self.a, *args]).stdout

    def has_clsact(self):
        return "clsact" in self.tc("qdisc", "show", "dev", self.METERED_DEV)

    def filters(self, hook):
        """tc's text of the filters on a clsact hook ("" when there is no clsact)."""
        if not self.has_clsact():
            return ""
        return self.tc("filter", "show", "dev", self.METERED_DEV, hook)

    def our_prog_ids(self, hook):
        """Program ids of the filters at bpfix's handle on a hook."""
        return [int(m) for m in re.findall(r"handle " + OUR_HANDLE + r"\b.*?\bid (\d+)",
                                           self.filters(hook))]



class RouterEnv(VethEnv):
    """Three namespaces in a line: the client C, the router R (rt-c towards the client, rt-s
    towards the server; it forwards IPv4) and the server S. Each end host's stack sits behind a
    delay line (netem is not in every kernel, this one is in none): in C the client's address is
    on c0, whose peer c1 a relay process (veth_traffic.py relay) joins to cli, the veth towards
    rt-c; in S likewise s0, s1, srv towards rt-s. IPv6 off, offloads off (and transmit checksums
    on c0 and s0, as the relay copies frames as they are), static neighbours and routes, so the
    links carry only what a test sends. R is self.a, where Bpfix runs; the tc helpers read rt-c
    (METERED_DEV). delay_line() starts (or restarts) one side's relay."""

    METERED_DEV = "rt-c"
    CLIENT_ADDR, ROUTER_C_ADDR = "10.202.1.2", "10.202.1.1"
    ROUTER_S_ADDR, SERVER_ADDR = "10.202.2.1", "10.202.2.2"
    # per side: namespace attribute, (stack, relay inner, relay outer), stack's address and MAC,
    # router device, its address and MAC
    SIDES = {"client": ("c", ("c0", "c1", "cli"), CLIENT_ADDR, "02:b9:f1:01:00:02", "rt-c",
                        ROUTER_C_ADDR, "02:b9:f1:01:00:01"),
             "server": ("s", ("s0", "s1", "srv"), SERVER_ADDR, "02:b9:f1:02:00:02", "rt-s",
                        ROUTER_S_ADDR, "02:b9:f1:02:00:01")}

    def __init__(self, tmp, tag):
        super().__init__(tmp, tag)
        pid = os.getpid()
        self.c, self.a, self.s = (f"bpfix-{tag}-c-{pid}", f"bpfix-{tag}-r-{pid}",
                                  f"bpfix-{tag}-s-{pid}")
        self.ifindex = {}
        self.relays = {}

    def offload_off(self, ns, dev, tx=False):
        for argv in [["offload", dev]] + ([["feature", dev, "tx", "off"]] if tx else []):
            r = run(self.ns(ns, PY, TRAFFIC, *argv), check=False)
            if r.returncode != 0:
                raise HarnessError(f"cannot turn offloads off on {dev}: {r.stderr.strip()}")

    def setup(self):
        for name in (self.c, self.a, self.s):
            r = run(["ip", "netns", "add", name], check=False)
            if r.returncode != 0:
                raise Skip(f"cannot create a network namespace: {r.stderr.strip()}")
            self.namespaces.append(name)
            for key in ("all", "default"):
                self.sysctl(name, f"/proc/sys/net/ipv6/conf/{key}/disable_ipv6", 1)
        router = self.a
        for attr, (stack, inner, outer), addr, mac, rdev, raddr, rmac in self.SIDES.values():
            ns = getattr(self, attr)
            run(["ip", "-n", ns, "link", "add", stack, "address", mac, "type", "veth", "peer",
                 "name", inner])
            run(["ip", "-n", ns, "link", "add", outer, "type", "veth", "peer", "name", rdev,
                 "address", rmac, "netns", router])
            for dev in (stack, inner, outer):
                self.offload_off(ns, dev, tx=dev == stack)
                run(["ip", "-n", ns, "link", "set", dev, "up"])
            self.offload_off(router, rdev)
            run(["ip", "-n", ns, "addr", "add", f"{addr}/24", "dev", stack])
            run(["ip", "-n", ns, "neigh", "replace", raddr, "lladdr", rmac, "dev", stack, "nud",
                 "permanent"])
            run(["ip", "-n", ns, "route", "add", "default", "via", raddr, "dev", stack])
            run(["ip", "-n", router, "addr", "add", f"{raddr}/24", "dev", rdev])
            run(["ip", "-n", router, "neigh", "replace", addr, "lladdr", mac, "dev", rdev, "nud",
                 "permanent"])
            run(["ip", "-n", router, "link", "set", rdev, "up"])
            info = json.loads(run(["ip", "-n", router, "-j", "link", "show", rdev]).stdout)
            self.ifindex[rdev] = int(info[0]["ifindex"])
        self.sysctl(router, "/proc/sys/net/ipv4/ip_forward", 1)
        self.ifindex_a = self.ifindex["rt-c"]

    def delay_line(self, side, out_ms=0.0, in_ms=0.0, out_loss=0.0, in_loss=0.0, seed=1):
        """(Re)start the relay of side ("client" or "server"): frames its stack sends wait
        out_ms and are lost with probability out_loss on their way to the router, frames from
        the router in_ms and in_loss. Returns what the relay it replaces relayed and dropped
        ({"relayed": N, "dropped": N}; {} for the first)."""
        before = self.relays.pop(side).stop() if side in self.relays else {}
        attr, (_, inner, outer), *_ = self.SIDES[side]
        self.relays[side] = Helper(self, getattr(self, attr),
                                   [PY, TRAFFIC, "relay", inner, outer, str(out_ms), str(in_ms),
                                    str(out_loss), str(in_loss), str(seed)], f"{side} relay")
        return before

class Bpfix:
    """`bpfix run ARGS` in namespace A, its stderr in a file."""

    def __init__(self, env, bpfix, args, name):
        self.env, self.name = env, name
        self.argv = [bpfix, "run", *args]
        self.err_path = os.path.join(env.tmp, f"{name}.stderr")
        with open(self.err_path, "wb") as errf:
            self.p = env.spawn(env.a, self.argv, stdout=errf, stderr=subprocess.STDOUT)
        self.rc = None

    def stderr(self):
        with open(self.err_path, errors="replace") as f:
            return f.read()

    def check_running(self):
        """True while bpfix runs; AssertionError, with its stderr, once it has exited."""
        if self.p.poll() is not None:
            raise AssertionError(f"{self.name}: bpfix exited with {self.p.returncode} "
                                 f"unexpectedly:\n{self.stderr()}")
        return True

    def wait_for(self, predicate, what, timeout=WAIT):
        """cases.wait_until(predicate) that fails at once should bpfix exit meanwhile; at the
        deadline bpfix's stderr is in the message."""
        try:
            return wait_until(lambda: self.check_running() and predicate(), timeout,
                              f"{self.name}: {what}")
        except Timeout as e:
            raise Timeout(f"{e}; bpfix's stderr:\n{self.stderr()}") from None

    def wait_attached(self, hooks=("ingress", "egress")):
        """Until bpfix says it is running (it attached its filters before) and its filters are on
        these hooks of vethA."""
        self.wait_for(lambda: "bpfix: running" in self.stderr() and
                      all(self.env.our_prog_ids(h) for h in hooks),
                      f"'bpfix: running' and its filters on vethA {', '.join(hooks) or '-'}")

    def statistics(self):
        """SIGUSR1, then the statistics line it logs (the counters as they are): {name: int}."""
        n = count_lines(self.stderr(), STATISTICS)
        self.p.send_signal(signal.SIGUSR1)
        self.wait_for(lambda: count_lines(self.stderr(), STATISTICS) > n,
                      f"a '{STATISTICS}' line after SIGUSR1")
        return parse_statistics([x for x in self.stderr().splitlines() if STATISTICS in x][n])

    def stop(self, sig=signal.SIGTERM, timeout=30):
        self.p.send_signal(sig)
        try:
            self.rc = self.p.wait(timeout)
        except subprocess.TimeoutExpired:
            self.p.kill()
            self.p.wait()
            raise HarnessError(f"{self.name}: bpfix did not exit {timeout} s after {sig.name}")
        return self.rc

    def wait_records(self, path, elements, done, what):
        """Until the flow records in bpfix's output file path (ipfix_records.flow_dicts; each
        message is in the file once bpfix exported it) satisfy done(records)."""
        import ipfix_records   # tests/replay, on the path of every live driver

        def records_done():
            try:
                return os.path.exists(path) and done(ipfix_records.flow_dicts(path, elements)[0])
            except ipfix_records.DecodeError:
                return False   # a message half written
        self.wait_for(records_done, what)


STATISTICS = "bpfix: statistics:"


def count_lines(text, needle):
    return sum(1 for x in text.splitlines() if needle in x)


def parse_statistics(line):
    """'bpfix: statistics: packets seen 10, packets metered 10, ...' -> {name: value}."""
    body = line.split("statistics:", 1)[1]
    return {m.group(1): int(m.group(2))
            for m in re.finditer(r"(?:^|,)\s*(.+?) (\d+)(?=,|$)", body)}


class Helper:
    """A traffic-side process started in a namespace: it prints "ready" when it serves, one JSON
    line of its counts whenever they change and the last one when SIGTERM stops it. Its output
    goes to a file, read as it grows."""

    def __init__(self, env, ns, argv, name):
        self.name = name
        self.path = os.path.join(env.tmp, f"{name}-{len(env.procs)}.out")
        with open(self.path, "wb") as out:
            self.p = env.spawn(ns, argv, stdout=out, stderr=subprocess.STDOUT)
        try:
            wait_until(self.ready, WAIT, f"{name} to say 'ready'")
        except Timeout as e:
            raise HarnessError(f"{e}: {self.text()!r}")

    def text(self):
        with open(self.path, errors="replace") as f:
            return f.read()

    def ready(self):
        if self.p.poll() is not None:
            raise HarnessError(f"{self.name} exited with {self.p.returncode}: {self.text()!r}")
        return self.text().startswith("ready\n")

    def counts(self):
        """The last counts it printed in full ({} before the first)."""
        lines = [x for x in self.text().split("\n")[:-1] if x.startswith("{")]
        return json.loads(lines[-1]) if lines else {}

    def stop(self, report=True, timeout=WAIT):
        """SIGTERM, then its last counts (report: they must be there)."""
        self.p.send_signal(signal.SIGTERM)
        try:
            self.p.wait(timeout)
        except subprocess.TimeoutExpired:
            raise HarnessError(f"{self.name} did not stop within {timeout:g} s of SIGTERM")
        try:
            counts = self.counts()
        except ValueError:
            counts = {}
        if report and not counts:
            raise HarnessError(f"{self.name} said {self.text()!r}")
        return counts


@contextlib.contextmanager
def live_frame(make_env, tmp_prefix, keep):
    """A temporary directory (kept when keep) and make_env(tmp) (a VethEnv, not set up yet),
    both cleaned up on every path: SIGTERM (ctest's timeout) and ^C end the test through it,
    nothing is left behind."""
    def terminated(*_):
        log("ERROR: terminated (SIGTERM); cleaning up")
        sys.exit(EXIT_HARNESS)
    signal.signal(signal.SIGTERM, terminated)
    tmp = tempfile.mkdtemp(prefix=tmp_prefix)
    env = make_env(tmp)
    try:
        yield env
    finally:
        env.cleanup()
        if keep:
            log(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


def run_cases(cases, a, make_env, tmp_prefix, tools, root_for, setup=None, after_each=None,
              errors=()):
    """main() of a live driver of named cases (cases.Cases; a from case_arguments()): in a
    live_frame, every case skipped (exit 77) unless root with tools, the traffic side's Python and
    BPF; setup(env) once before the first case, then each case as fn(env, a, problems), and
    after_each(env) after it. Returns the exit code (Cases.run)."""
    with live_frame(make_env, tmp_prefix, a.keep) as env:
        def prepare():
            require(tools, root_for, (a.bpfix,))
            preconditions()
            if setup:
                setup(env)

        @contextlib.contextmanager
        def fixture(_name):
            try:
                yield env, a
            finally:
                if after_each:
                    after_each(env)
        return cases.run(a, fixture, prepare, errors)


def run_in_env(make_env, tmp_prefix, keep, body, errors=()):
    """The frame of a live test's main() without named cases: a live_frame, preconditions(),
    then body(env, problems), which appends what it finds to problems and may return a function
    that logs more after the FAIL lines. Returns the exit code: EXIT_SKIP on Skip, EXIT_HARNESS
    on HarnessError, subprocess.TimeoutExpired and errors; an AssertionError (cases.wait_until)
    is one more problem."""
    t_start = time.monotonic()
    problems = []
    after = None
    try:
        with live_frame(make_env, tmp_prefix, keep) as env:
            preconditions()
            after = body(env, problems)
    except Skip as e:
        log(f"SKIP: {e}")
        return EXIT_SKIP
    except AssertionError as e:
        problems.append(str(e))
    except (HarnessError, subprocess.TimeoutExpired, *errors) as e:
        log(f"ERROR: {e}")
        for p in problems:
            log(f"FAIL: {p}")
        return EXIT_HARNESS
    for p in problems:
        log(f"FAIL: {p}")
    if after:
        after()
    log(f"{'FAIL' if problems else 'PASS'} ({time.monotonic() - t_start:.1f} s)")
    return EXIT_FAIL if problems else EXIT_OK


def case_arguments(doc, cases):
    """The command line the live drivers of named cases (cases.Cases) share: --bpfix,
    --source-dir (for templates/), --case and --list (Cases.add_arguments), --keep, -v. Returns
    the parsed arguments, with .bpfix absolute and .elements (templates/bpfix-elements.xml)."""
    ap = argparse.ArgumentParser(description=doc.split("\n\n")[0])
    ap.add_argument("--bpfix", required=True, help="the bpfix binary")
    ap.add_argument("--source-dir", required=True, help="the repository (for templates/)")
    cases.add_arguments(ap)
    ap.add_argument("--keep", action="store_true", help="keep the temporary directory")
    ap.add_argument("-v", "--verbose", action="store_true")
    a = ap.parse_args()
    a.bpfix = os.path.abspath(a.bpfix)
    a.elements = os.path.join(a.source_dir, "templates", "bpfix-elements.xml")
    return a
