# SPDX-License-Identifier: GPL-2.0-only
"""What the live tests (tests/netns/*.py) share: two network namespaces joined by a veth pair,
processes started inside them, `bpfix run` on vethA, vethA's tc state.

Imported like bpfixtest (this directory inserted into sys.path relative to the script's own
__file__). Root only; the scripts check that first (bpfixtest.preflight).

- VethEnv: namespaces A (vethA) and B (vethB), offloads (TSO, GSO, GRO) off on both ends; a
  subclass configures what differs between tests through hooks (addresses, neighbours, IPv6
  sysctls, checks). Every process started by spawn() is remembered by pid; cleanup() kills those
  still running and deletes the namespaces, on every path.
- Bpfix: `bpfix run ARGS` in namespace A, its stderr in a file, waited for until its filters are
  on vethA's clsact hooks, stopped by its pid.
- run_in_env(): main()'s frame around a test's body: the temporary directory, the environment
  and their cleanup on every path, the exit code.
- bpf_probe(): whether this process may load a BPF program at all; Skip: the test cannot run here
  (exit 77).
"""

import ctypes
import json
import argparse
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

HERE = os.path.dirname(os.path.abspath(__file__))
TRAFFIC = os.path.normpath(os.path.join(HERE, "..", "netns", "veth_traffic.py"))  # "offload IF"
PY = "/usr/bin/python3"
OUR_HANDLE = "0xb9f1"       # the tc handle of bpfix's filters


class Skip(Exception):
    """The test cannot run here (no namespaces, no BPF, ...): exit 77."""


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

    # tc state of vethA
    def tc(self, *args):
        return run(["tc", "-n", self.a, *args]).stdout

    def has_clsact(self):
        return "clsact" in self.tc("qdisc", "show", "dev", "vethA")

    def filters(self, hook):
        """tc's text of the filters on a clsact hook ("" when there is no clsact)."""
        if not self.has_clsact():
            return ""
        return self.tc("filter", "show", "dev", "vethA", hook)

    def our_prog_ids(self, hook):
        """Program ids of the filters at bpfix's handle on a hook."""
        return [int(m) for m in re.findall(r"handle " + OUR_HANDLE + r"\b.*?\bid (\d+)",
                                           self.filters(hook))]


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

    def wait_attached(self, hooks=("ingress", "egress"), timeout=15):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.p.poll() is not None:
                raise HarnessError(f"{self.name}: bpfix exited with {self.p.returncode} before "
                                   f"metering:\n{self.stderr()}")
            if "bpfix: metering" in self.stderr() and \
                    all(self.env.our_prog_ids(h) for h in hooks):
                return
            time.sleep(0.05)
        raise HarnessError(f"{self.name}: bpfix did not attach within {timeout} s:\n"
                           f"{self.stderr()}")

    def stop(self, sig=signal.SIGTERM, timeout=30):
        self.p.send_signal(sig)
        try:
            self.rc = self.p.wait(timeout)
        except subprocess.TimeoutExpired:
            self.p.kill()
            self.p.wait()
            raise HarnessError(f"{self.name}: bpfix did not exit {timeout} s after {sig.name}")
        return self.rc


def run_in_env(make_env, tmp_prefix, keep, body, errors=()):
    """The frame of a live test's main(): a temporary directory, make_env(tmp) (a VethEnv, not
    set up yet), preconditions(), then body(env, problems), which appends what it finds to
    problems and may return a function that logs more after the FAIL lines. SIGTERM (ctest's
    timeout) and ^C end it through the cleanup: nothing is left behind. Returns the exit code:
    EXIT_SKIP on Skip, EXIT_HARNESS on HarnessError, subprocess.TimeoutExpired and errors."""
    def terminated(*_):
        log("ERROR: terminated (SIGTERM); cleaning up")
        sys.exit(EXIT_HARNESS)
    signal.signal(signal.SIGTERM, terminated)
    t_start = time.monotonic()
    tmp = tempfile.mkdtemp(prefix=tmp_prefix)
    env = make_env(tmp)
    problems = []
    try:
        preconditions()
        after = body(env, problems)
    except Skip as e:
        log(f"SKIP: {e}")
        return EXIT_SKIP
    except (HarnessError, subprocess.TimeoutExpired, *errors) as e:
        log(f"ERROR: {e}")
        for p in problems:
            log(f"FAIL: {p}")
        return EXIT_HARNESS
    finally:
        env.cleanup()
        if keep:
            log(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    for p in problems:
        log(f"FAIL: {p}")
    if after:
        after()
    log(f"{'FAIL' if problems else 'PASS'} ({time.monotonic() - t_start:.1f} s)")
    return EXIT_FAIL if problems else EXIT_OK


def case_arguments(doc, cases):
    """The command line the live test drivers share: --bpfix, --source-dir (for templates/),
    --cases (names from @cases), --keep, -v. Returns the parsed arguments, with .bpfix absolute,
    .elements (templates/bpfix-elements.xml) and .cases a list of known case names."""
    ap = argparse.ArgumentParser(description=doc.split("\n\n")[0])
    ap.add_argument("--bpfix", required=True, help="the bpfix binary")
    ap.add_argument("--source-dir", required=True, help="the repository (for templates/)")
    ap.add_argument("--cases", default=",".join(cases), help="comma-separated: " +
                    ", ".join(cases))
    ap.add_argument("--keep", action="store_true", help="keep the temporary directory")
    ap.add_argument("-v", "--verbose", action="store_true")
    a = ap.parse_args()
    a.bpfix = os.path.abspath(a.bpfix)
    a.elements = os.path.join(a.source_dir, "templates", "bpfix-elements.xml")
    a.cases = [c for c in a.cases.split(",") if c]
    bad = [c for c in a.cases if c not in cases]
    if bad:
        ap.error(f"unknown case(s) {', '.join(bad)}")
    return a
