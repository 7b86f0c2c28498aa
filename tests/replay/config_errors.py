#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""Bad configurations, each with the exact message: `bpfix run|replay -c FILE [--print-config]`.

    config_errors.py --bpfix BIN [--case NAME]... [--list]

A table of named cases, each a config file text (written to a temporary directory) and/or
command-line options. Every error case runs in each of its modes:
  run-print     bpfix run -c FILE [OPTIONS] --print-config
  replay-print  bpfix replay -c FILE [OPTIONS] --print-config
  run           bpfix run -c FILE [OPTIONS]  (as nobody through setpriv when this is root, so a
                configuration bpfix wrongly accepts cannot attach anything)
and requires
- exit status exactly 2 (bad command line or configuration, as `bpfix --help` states);
- stdout empty, stderr exactly ONE line equal to the case's expected text (the file, :LINE:,
  [section] key, the bad value and what is accepted), optionally followed by the hint
  "Try 'bpfix --help'.";
- no bpf() system call (the configuration is checked before anything is loaded), when strace
  works here.
The expected texts are written out literally below; {conf} stands for the config file's path,
{tmp} for the temporary directory.

Controls prove that the table can fail: valid files exit 0 with --print-config printing every
value given (tc_handle = 0x10 prints 16; options override the file; etc/bpfix.conf loads; the
printed configuration reads back to itself); the checker rejects a wrong line number and a wrong
exit status; strace sees the bpf() calls of a valid `run` as nobody.

One line per case (PASS, FAIL with the problems, SKIP with why), then "N passed, N failed"
(tests/lib/cases.py). Exit 0 when every case passes, 1 when one fails, 2 when the harness failed.
"""

import contextlib
import functools
import os
import shutil
import subprocess
import sys
import tempfile

sys.dont_write_bytecode = True   # no __pycache__ in the source tree
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [HERE, os.path.join(HERE, "..", "lib")]
from bpfixtest import HarnessError, argument_parser, log  # noqa: E402
from cases import Cases, Skip, driver_arguments, require  # noqa: E402

NOBODY = 65534
HINT = "Try 'bpfix --help'."
EXIT_USAGE = 2
ETC_CONF = os.path.normpath(os.path.join(HERE, "..", "..", "etc", "bpfix.conf"))
ALL_MODES = ("run-print", "replay-print", "run")
PRINT_MODES = ("run-print", "replay-print")

UNKNOWN_KEY = "unknown key (see etc/bpfix.conf or bpfix --print-config)"


class Bad:
    """An error case: conf (file text, None: no file written; the path is still {conf}), args
    (options; {conf}, {tmp} substituted), expect (the exact error line, or a tuple of acceptable
    exact lines), modes, as_other (every mode as nobody when root), setup(path) (after writing)."""

    def __init__(self, name, conf, expect, args=(), modes=ALL_MODES, as_other=False, setup=None,
                 note=None):
        self.name, self.conf, self.expect, self.args = name, conf, expect, list(args)
        self.modes, self.as_other, self.setup, self.note = modes, as_other, setup, note


def unreadable(path):
    os.chmod(path, 0)
    if os.geteuid() != 0 and os.access(path, os.R_OK):
        raise Skip("this user reads a file with mode 000 (CAP_DAC_OVERRIDE)")


# --------------------------------------------------------------------------------------------
# The table. Line numbers are the file's own: count the lines of conf.

ERROR_CASES = [
    Bad("unknown_key",
        "# bpfix test\n[flows]\nidle_timeout = 5\nbogus_key = 3\n",
        "bpfix: error: {conf}:4: [flows] bogus_key: " + UNKNOWN_KEY),
    Bad("key_with_locale_suffix",
        "[flows]\nidle_timeout[de] = 5\n",
        "bpfix: error: {conf}:2: [flows] idle_timeout[de]: " + UNKNOWN_KEY,
        note="GKeyFile drops key[locale] unless told to keep it: it must not pass silently"),
    Bad("key_in_wrong_section",
        "[export]\nobservation_domain = 3\nmax_flows = 5\n",
        "bpfix: error: {conf}:3: [export] max_flows: " + UNKNOWN_KEY),
    Bad("unknown_section",
        "[flows]\nidle_timeout = 5\n\n[nosuch]\nidle_timeout = 3\n",
        "bpfix: error: {conf}:4: [nosuch]: unknown section (export, flows, gtpu, live, log, "
        "metrics, replay)",
        note="the section, not the key, is what is wrong; say which sections exist"),
    Bad("unknown_section_empty",
        "[flows]\nidle_timeout = 5\n[Flows]\n",
        "bpfix: error: {conf}:3: [Flows]: unknown section (export, flows, gtpu, live, log, "
        "metrics, replay)",
        note="a misspelt section header without keys must not pass silently"),
    Bad("number_with_letters",
        "[flows]\n  # map size\n\n   max_flows   =   12ab  \n",
        "bpfix: error: {conf}:4: [flows] max_flows takes a whole number from 1 to 67108864, "
        "not '12ab'"),
    Bad("negative_number",
        "[flows]\nidle_timeout = -5\n",
        "bpfix: error: {conf}:2: [flows] idle_timeout takes a whole number from 1 to 86400, "
        "not '-5'"),
    Bad("zero_where_one_required",
        "[live]\ndirection = both\nsweep_interval = 0\n",
        "bpfix: error: {conf}:3: [live] sweep_interval takes a whole number from 1 to 60, "
        "not '0'"),
    Bad("max_flows_over_maximum",
        "[flows]\nmax_flows = 67108865\n",
        "bpfix: error: {conf}:2: [flows] max_flows takes a whole number from 1 to 67108864, "
        "not '67108865'"),
    Bad("gtpu_port_over_maximum",
        "[gtpu]\nport = 70000\n",
        "bpfix: error: {conf}:2: [gtpu] port takes a whole number from 0 to 65535, not '70000'"),
    Bad("number_over_32_bits",
        "[export]\nenterprise_number = 4294967296\n",
        "bpfix: error: {conf}:2: [export] enterprise_number takes a whole number from 1 to "
        "4294967295, not '4294967296'"),
    Bad("empty_number",
        "[flows]\nidle_timeout =\n",
        "bpfix: error: {conf}:2: [flows] idle_timeout takes a whole number from 1 to 86400, "
        "not ''"),
    Bad("inline_comment_is_part_of_the_value",
        "[flows]\nidle_timeout = 5 # five seconds\n",
        "bpfix: error: {conf}:2: [flows] idle_timeout takes a whole number from 1 to 86400, "
        "not '5 # five seconds'"),
    Bad("observation_domain_zero",
        "[export]\nobservation_domain = 0\n",
        "bpfix: error: {conf}:2: [export] observation_domain takes a whole number from 1 to "
        "4294967295, not '0'"),
    Bad("bad_direction",
        "[live]\ndirection = up\n",
        "bpfix: error: {conf}:2: [live] direction takes both|ingress|egress, not 'up'"),
    Bad("bad_log_level",
        "[log]\nlevel = verbose\n",
        "bpfix: error: {conf}:2: [log] level takes error|warning|info|debug, not 'verbose'"),
    Bad("bad_engine",
        "# replay\n[replay]\nengine = gpu\n",
        "bpfix: error: {conf}:3: [replay] engine takes host|kernel, not 'gpu'"),
    Bad("interface_bad_direction_suffix",
        "[live]\ninterfaces = eth0; eth1:sideways\n",
        "bpfix: error: {conf}:2: [live] interfaces takes NAME[:DIR]: an interface name or glob "
        "of 1-15 characters without '/', ':' or spaces, DIR both, ingress or egress; not "
        "'eth1:sideways'"),
    Bad("interface_name_too_long",
        "[live]\ninterfaces = abcdefghijklmnop\n",
        "bpfix: error: {conf}:2: [live] interfaces takes NAME[:DIR]: an interface name or glob "
        "of 1-15 characters without '/', ':' or spaces, DIR both, ingress or egress; not "
        "'abcdefghijklmnop'"),
    Bad("interface_name_with_slash",
        "[live]\ndirection = ingress\ninterfaces = lo;a/b:egress\n",
        "bpfix: error: {conf}:3: [live] interfaces takes NAME[:DIR]: an interface name or glob "
        "of 1-15 characters without '/', ':' or spaces, DIR both, ingress or egress; not "
        "'a/b:egress'"),
    Bad("collector_without_port",
        "[export]\ncollectors = 10.0.0.1\n",
        "bpfix: error: {conf}:2: [export] collectors takes [FORMAT://]HOST:PORT ([ADDR]:PORT for "
        "IPv6, port 1-65535), not '10.0.0.1'"),
    Bad("collector_port_zero",
        "[export]\ncollectors = 127.0.0.1:4739;10.0.0.1:0\n",
        "bpfix: error: {conf}:2: [export] collectors takes [FORMAT://]HOST:PORT ([ADDR]:PORT for "
        "IPv6, port 1-65535), not '10.0.0.1:0'"),
    Bad("collector_port_over_maximum",
        "[export]\ncollectors = 192.0.2.1:65536\n",
        "bpfix: error: {conf}:2: [export] collectors takes [FORMAT://]HOST:PORT ([ADDR]:PORT for "
        "IPv6, port 1-65535), not '192.0.2.1:65536'"),
    Bad("collector_ipv6_without_brackets",
        "[export]\ncollectors = ::1:4739\n",
        "bpfix: error: {conf}:2: [export] collectors takes [FORMAT://]HOST:PORT ([ADDR]:PORT for "
        "IPv6, port 1-65535), not '::1:4739'"),
    Bad("collector_unknown_format",
        "[export]\ncollectors = 127.0.0.1:4739; netflow5://127.0.0.1:2055\n",
        "bpfix: error: {conf}:2: [export] collectors: unknown format in "
        "'netflow5://127.0.0.1:2055': write ipfix://, netflow9:// or v9:// (or nothing: IPFIX) "
        "before HOST:PORT"),
    Bad("netflow9_collector_without_port",
        "[export]\ncollectors = netflow9://10.0.0.1\n",
        "bpfix: error: {conf}:2: [export] collectors takes [FORMAT://]HOST:PORT ([ADDR]:PORT for "
        "IPv6, port 1-65535), not 'netflow9://10.0.0.1'"),
    Bad("collector_option_unknown_format",
        "[flows]\nidle_timeout = 5\n",
        "bpfix: error: --collector: unknown format in 'sflow://127.0.0.1:6343': write ipfix://, "
        "netflow9:// or v9:// (or nothing: IPFIX) before HOST:PORT",
        args=["--collector", "sflow://127.0.0.1:6343"]),
    Bad("metrics_listen_not_an_address",
        "[metrics]\nlisten = localhost:9100\n",
        "bpfix: error: {conf}:2: [metrics] listen takes [ADDR:]PORT (ADDR an IP address, [ADDR] "
        "for IPv6, port 1-65535), not 'localhost:9100'"),
    Bad("metrics_port_99999",
        "[metrics]\nlisten = 99999\n",
        "bpfix: error: {conf}:2: [metrics] listen takes [ADDR:]PORT (ADDR an IP address, [ADDR] "
        "for IPv6, port 1-65535), not '99999'"),
    Bad("line_without_equals",
        "[flows]\nidle_timeout = 5\nthis is not a key value line\n",
        "bpfix: error: {conf}:3: 'this is not a key value line' is not KEY = VALUE, a [section] "
        "or a # comment",
        note="GLib names the line's text but not its number; every other message has :LINE:"),
    Bad("key_before_any_section",
        "# no section yet\nmax_flows = 5\n[flows]\n",
        "bpfix: error: {conf}:2: 'max_flows = 5' comes before any [section]",
        note="GLib's message has no line; the first line that is not a comment is the culprit"),
    Bad("missing_file",
        None,
        "bpfix: error: config file {conf}: No such file or directory"),
    Bad("config_is_a_directory",
        None,
        "bpfix: error: config file {tmp}: Is a directory",
        args=["-c", "{tmp}"]),
    Bad("unreadable_file",
        "[flows]\nidle_timeout = 5\n",
        "bpfix: error: config file {conf}: Permission denied",
        as_other=True, setup=unreadable),
    Bad("duplicate_key",
        "[flows]\nidle_timeout = 3\nidle_timeout = 4\n",
        "bpfix: error: {conf}:3: [flows] idle_timeout: duplicate key (first on line 2)",
        note="GKeyFile keeps the last value silently; a key given twice is a mistake"),
    Bad("duplicate_key_bad_second_value",
        "[flows]\nidle_timeout = 3\nidle_timeout = zz\n",
        ("bpfix: error: {conf}:3: [flows] idle_timeout: duplicate key (first on line 2)",
         "bpfix: error: {conf}:3: [flows] idle_timeout takes a whole number from 1 to 86400, "
         "not 'zz'"),
        note="the bad value 'zz' is on line 3; key_line() names the first occurrence"),
    Bad("run_without_interfaces",
        "[live]\ninterfaces =\ndirection = egress\n",
        "bpfix: error: run needs at least one --interface (or [live] interfaces in the config "
        "file)",
        modes=("run",)),
    Bad("run_interfaces_only_separators",
        "[live]\ninterfaces = ; ;\n",
        "bpfix: error: run needs at least one --interface (or [live] interfaces in the config "
        "file)",
        modes=("run",)),
    # bpfix's choice: the file is checked as a whole before the command line is applied, so an
    # option for the same key does not hide a bad value in the file (SIGHUP rereads the file)
    Bad("option_does_not_hide_file_error",
        "[flows]\nidle_timeout = zz\n",
        "bpfix: error: {conf}:2: [flows] idle_timeout takes a whole number from 1 to 86400, "
        "not 'zz'",
        args=["--idle-timeout", "5"]),
    Bad("option_list_does_not_hide_file_error",
        "[live]\ninterfaces = toolongname-0123456\n",
        "bpfix: error: {conf}:2: [live] interfaces takes NAME[:DIR]: an interface name or glob "
        "of 1-15 characters without '/', ':' or spaces, DIR both, ingress or egress; not "
        "'toolongname-0123456'",
        args=["--interface", "lo"]),
    Bad("bad_option_value_with_good_file",
        "[flows]\nmax_flows = 1024\n",
        "bpfix: error: --max-flows takes a whole number from 1 to 67108864, not '0'",
        args=["--max-flows", "0"]),
    Bad("bad_interface_option",
        "[live]\ninterfaces = lo\n",
        "bpfix: error: --interface takes NAME[:DIR]: an interface name or glob of 1-15 "
        "characters without '/', ':' or spaces, DIR both, ingress or egress; not 'lo:both:x'",
        args=["--interface", "lo:both:x"]),
    Bad("unknown_option",
        "[flows]\nidle_timeout = 5\n",
        "bpfix: error: unknown option '--bogus'",
        args=["--bogus"],
        note="getopt prints argv[0], which is the subcommand ('run:', 'replay:')"),
]


# --------------------------------------------------------------------------------------------
# Running bpfix

class Env:
    def __init__(self, args, tmp):
        self.args, self.tmp = args, tmp
        self.nobody_bin = None
        self.strace = False   # main's prepare() finds out (strace_works)
        self.env = {k: v for k, v in os.environ.items()
                    if k not in ("LANGUAGE", "BPFIX_DEBUG") and not k.startswith("LC_")}
        self.env["LC_ALL"] = "C"
        # a sanitizer build's leak checker cannot run under strace (ptrace): it would add its
        # own lines and exit status; leaks are the unit and replay tests' business
        self.env["ASAN_OPTIONS"] = ":".join(filter(None, [self.env.get("ASAN_OPTIONS"),
                                                          "detect_leaks=0"]))

    def path(self, name):
        return os.path.join(self.tmp, name)


class Result:
    def __init__(self, argv, rc, out, err, bpf_calls):
        self.argv, self.rc, self.out, self.err, self.bpf_calls = argv, rc, out, err, bpf_calls

    def show(self):
        return (f"$ {' '.join(self.argv)}\n  exit {self.rc}\n" +
                "".join(f"  stderr| {x}\n" for x in self.err.splitlines()) +
                "".join(f"  stdout| {x}\n" for x in self.out.splitlines()[:5]) +
                (f"  bpf() calls: {self.bpf_calls}\n" if self.bpf_calls else ""))


def strace_works(tmp):
    if shutil.which("strace") is None:
        return False
    try:
        p = subprocess.run(["strace", "-f", "-qq", "-e", "trace=bpf", "-o",
                            os.path.join(tmp, "strace-probe"), "true"],
                           stdin=subprocess.DEVNULL, capture_output=True, timeout=20)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return p.returncode == 0


def nobody_binary(e):
    """A copy of bpfix that nobody can reach and run (e.tmp is made traversable for it)."""
    if e.nobody_bin is None:
        if shutil.which("setpriv") is None:
            raise HarnessError("setpriv (util-linux) is needed to run bpfix as nobody")
        binary = e.path("bpfix-nobody")
        shutil.copy(e.args.bpfix, binary)
        os.chmod(binary, 0o755)
        if os.path.getsize(binary) != os.path.getsize(e.args.bpfix):
            raise HarnessError(f"{e.args.bpfix} changed while being copied (being rebuilt?)")
        e.nobody_bin = binary
    return e.nobody_bin


def run(e, args, as_other=False, timeout=None):
    """bpfix ARGS (as_other and root: a copy as nobody without capabilities), under strace
    counting bpf() calls when strace works."""
    if as_other and os.geteuid() == 0:
        argv = ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups",
                "--inh-caps=-all", nobody_binary(e), *args]
    else:
        argv = [e.args.bpfix, *args]
    trace = None
    full = argv
    if e.strace:
        trace = e.path("strace.log")
        if os.path.exists(trace):
            os.unlink(trace)
        full = ["strace", "-f", "-qq", "-e", "trace=bpf", "-o", trace, *argv]
    try:
        p = subprocess.run(full, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                           errors="replace", timeout=timeout or e.args.timeout, cwd=e.tmp,
                           env=e.env)
    except subprocess.TimeoutExpired:
        raise HarnessError(f"bpfix did not finish in {timeout or e.args.timeout:.0f} s: "
                           f"{' '.join(argv)}")
    except OSError as ex:
        raise HarnessError(f"cannot run {full[0]}: {ex}")
    calls = None
    if trace:
        try:
            with open(trace, errors="replace") as f:
                calls = sum(1 for line in f if " bpf(" in line)
        except OSError:
            calls = None
    return Result(argv, p.returncode, p.stdout, p.stderr, calls)


def mode_args(mode, conf_args, extra):
    if mode == "run-print":
        return ["run", *conf_args, *extra, "--print-config"]
    if mode == "replay-print":
        return ["replay", *conf_args, *extra, "--print-config"]
    if mode == "run":
        return ["run", *conf_args, *extra]
    raise HarnessError(f"unknown mode {mode}")


def subst(s, conf, tmp):
    return s.replace("{conf}", conf).replace("{tmp}", tmp)


def check_error(r, expect, problems, code=EXIT_USAGE):
    """r exited with code, printed nothing on stdout and exactly one line on stderr equal to
    expect (one of them, for a tuple), optionally followed by the hint; no bpf() call."""
    before = len(problems)
    wanted = expect if isinstance(expect, tuple) else (expect,)
    if r.rc != code:
        problems.append(f"exit {r.rc}, expected {code}")
    if r.out:
        problems.append("printed on stdout")
    lines = r.err.splitlines()
    if lines and lines[-1] == HINT:
        lines = lines[:-1]
    if len(lines) != 1:
        problems.append(f"{len(lines)} lines on stderr (besides the hint), expected one")
    if not any(lines == [w] for w in wanted):
        problems.append("expected stderr line" + ("s (one of)" if len(wanted) > 1 else "") +
                        ":\n" + "\n".join(f"  want| {w}" for w in wanted))
    if r.bpf_calls:
        problems.append(f"{r.bpf_calls} bpf() system calls before the configuration error")
    if len(problems) > before:
        problems.append(r.show().rstrip())


def run_bad(case, e, p):
    """Run one error case in each of its modes; its problems to p."""
    d = tempfile.mkdtemp(prefix=case.name + "-", dir=e.tmp)
    os.chmod(d, 0o755)
    conf = os.path.join(d, "bpfix.conf")
    if case.conf is not None:
        with open(conf, "w") as f:
            f.write(case.conf)
        os.chmod(conf, 0o644)
    if case.setup:
        case.setup(conf)
    has_c = any(a == "-c" for a in case.args)
    conf_args = [] if has_c else ["-c", conf]
    extra = [subst(a, conf, d) for a in case.args]
    expect = tuple(subst(x, conf, d) for x in
                   (case.expect if isinstance(case.expect, tuple) else (case.expect,)))
    for mode in case.modes:
        before = len(p)
        # `run` without --print-config always as nobody (root): a wrongly accepted
        # configuration cannot attach anything
        r = run(e, mode_args(mode, conf_args, extra), as_other=case.as_other or mode == "run",
                timeout=20)
        check_error(r, expect if len(expect) > 1 else expect[0], p)
        if len(p) > before:
            p.insert(before, f"[{mode}]")
    if p and case.note:
        p.append(f"(why: {case.note})")


# --------------------------------------------------------------------------------------------
# Positive controls

def printed_config(text):
    """--print-config output -> {(section, key): value}."""
    out, section = {}, None
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        if line.startswith("["):
            section = line.strip()[1:-1]
            continue
        key, sep, value = line.partition("=")
        if not sep:
            raise HarnessError(f"--print-config printed a line that is not key = value: {line!r}")
        out[(section, key.strip())] = value.strip()
    return out


VALID = """\
# every key, none at its default
[export]
collectors = 192.0.2.1:4739; [2001:db8::1]:4740; netflow9://192.0.2.2:2055; V9://[::1]:9995
output = {tmp}/records.ipfix
observation_domain = 7
template_refresh = 30
template_refresh_messages = 50
enterprise_number = 12345
stats_interval = 10

[flows]
idle_timeout = 20
idle_timeout_tcp = 21
idle_timeout_udp = 22
idle_timeout_icmp = 23
idle_timeout_other = 24
active_timeout = 120
active_timeout_tcp = 121
active_timeout_udp = 122
active_timeout_icmp = 123
active_timeout_other = 124
tcp_linger = 2
max_flows = 4096

[gtpu]
port = 0

[live]
interfaces = veth*;eth0:ingress;lo:egress
direction = ingress
tc_handle = 0x20
tc_priority = 3
sweep_interval = 2

[log]
level = debug

[metrics]
listen = [::1]:9102

[replay]
engine = kernel
"""

# what --print-config must print for VALID (lists joined by ';' without blanks, hex in decimal)
VALID_PRINTED = {
    ("export", "collectors"): "192.0.2.1:4739;[2001:db8::1]:4740;netflow9://192.0.2.2:2055;"
                              "V9://[::1]:9995",
    ("export", "output"): "{tmp}/records.ipfix",
    ("export", "observation_domain"): "7",
    ("export", "template_refresh"): "30",
    ("export", "template_refresh_messages"): "50",
    ("export", "enterprise_number"): "12345",
    ("export", "stats_interval"): "10",
    ("flows", "idle_timeout"): "20",
    ("flows", "idle_timeout_tcp"): "21",
    ("flows", "idle_timeout_udp"): "22",
    ("flows", "idle_timeout_icmp"): "23",
    ("flows", "idle_timeout_other"): "24",
    ("flows", "active_timeout"): "120",
    ("flows", "active_timeout_tcp"): "121",
    ("flows", "active_timeout_udp"): "122",
    ("flows", "active_timeout_icmp"): "123",
    ("flows", "active_timeout_other"): "124",
    ("flows", "tcp_linger"): "2",
    ("flows", "max_flows"): "4096",
    ("gtpu", "port"): "0",
    ("live", "interfaces"): "veth*;eth0:ingress;lo:egress",
    ("live", "direction"): "ingress",
    ("live", "tc_handle"): "32",
    ("live", "tc_priority"): "3",
    ("live", "sweep_interval"): "2",
    ("log", "level"): "debug",
    ("metrics", "listen"): "[::1]:9102",
    ("replay", "engine"): "kernel",
}


def check_printed(r, want, problems, what):
    before = len(problems)
    if r.rc != 0:
        problems.append(f"{what}: exit {r.rc}, expected 0")
    if r.err:
        problems.append(f"{what}: printed on stderr")
    if r.bpf_calls:
        problems.append(f"{what}: {r.bpf_calls} bpf() system calls by --print-config")
    got = printed_config(r.out) if r.rc == 0 else {}
    for k, v in want.items():
        if got.get(k) != v:
            problems.append(f"{what}: [{k[0]}] {k[1]} printed as {got.get(k)!r}, expected {v!r}")
    if len(problems) > before:
        problems.append(r.show().rstrip())
    return got


def write(e, name, text):
    path = e.path(name)
    with open(path, "w") as f:
        f.write(text)
    os.chmod(path, 0o644)
    return path


def control_valid_file(e, p):
    """Every key set in the file is printed back, by run and by replay, and the printed
    configuration, read as a config file, prints itself."""
    conf = write(e, "valid.conf", VALID.replace("{tmp}", e.tmp))
    want = {k: v.replace("{tmp}", e.tmp) for k, v in VALID_PRINTED.items()}
    outs = []
    for sub in ("run", "replay"):
        r = run(e, [sub, "-c", conf, "--print-config"])
        check_printed(r, want, p, f"{sub} -c valid.conf --print-config")
        outs.append(r.out)
    if not p:
        again = write(e, "printed.conf", outs[0])
        r = run(e, ["run", "-c", again, "--print-config"])
        if r.rc != 0 or r.out != outs[0]:
            p.append("the printed configuration, read back with -c, does not print the same")
            p.append(r.show().rstrip())


def control_hex(e, p):
    conf = write(e, "hex.conf", "[live]\ntc_handle = 0x10\n")
    for sub in ("run", "replay"):
        check_printed(run(e, [sub, "-c", conf, "--print-config"]), {("live", "tc_handle"): "16"},
                      p, f"{sub}: tc_handle = 0x10")


def control_options_override(e, p):
    conf = write(e, "override.conf", "[flows]\nidle_timeout = 7\n[export]\n"
                 "collectors = 127.0.0.1:1;127.0.0.1:2\n[live]\ninterfaces = lo\n")
    r = run(e, ["run", "-c", conf, "--idle-timeout", "9", "--collector", "[::1]:3",
                "--print-config"])
    check_printed(r, {("flows", "idle_timeout"): "9", ("export", "collectors"): "[::1]:3",
                      ("live", "interfaces"): "lo"}, p, "options over the file")
    # options may come before -c: the file is still read first
    r = run(e, ["replay", "--idle-timeout", "9", "-c", conf, "--print-config"])
    check_printed(r, {("flows", "idle_timeout"): "9"}, p, "an option before -c")


def control_print_config_without_interfaces(e, p):
    """--print-config does not need interfaces (only run does)."""
    conf = write(e, "nointerfaces.conf", "[live]\ninterfaces =\n")
    check_printed(run(e, ["run", "-c", conf, "--print-config"]), {("live", "interfaces"): ""},
                  p, "run --print-config without interfaces")


def control_etc_conf(e, p):
    if not os.path.isfile(ETC_CONF):
        raise HarnessError(f"{ETC_CONF} not found")
    for sub in ("run", "replay"):
        check_printed(run(e, [sub, "-c", ETC_CONF, "--print-config"]),
                      {("live", "direction"): "both", ("replay", "engine"): "host"}, p,
                      f"{sub} -c etc/bpfix.conf")


def control_checker_can_fail(e, p):
    """check_error() rejects a wrong line number, a wrong exit status and a second line."""
    case = next(c for c in ERROR_CASES if c.name == "unknown_key")
    conf = write(e, "checker.conf", case.conf)
    r = run(e, ["run", "-c", conf, "--print-config"])
    right = subst(case.expect, conf, e.tmp)
    ok = []
    check_error(r, right, ok)
    if ok:
        p.append("the unknown_key case itself fails; the control needs it to pass:")
        p.extend(ok)
        return
    for what, expect, code, rr in (
            ("a wrong line number", right.replace(":4:", ":3:"), EXIT_USAGE, r),
            ("a wrong exit status", right, 1, r),
            ("an extra stderr line", right, EXIT_USAGE,
             Result(r.argv, r.rc, r.out, "bpfix: warning: extra\n" + r.err, r.bpf_calls)),
            ("output on stdout", right, EXIT_USAGE,
             Result(r.argv, r.rc, "x = 1\n", r.err, r.bpf_calls))):
        found = []
        check_error(rr, expect, found, code)
        if not found:
            p.append(f"check_error() accepts {what}")


def control_strace_sees_bpf(e, p):
    """A valid `run` as nobody tries bpf() and fails (exit 1): the no-bpf() check can fail."""
    if not e.strace:
        raise Skip("strace is not usable here; bpf() calls are not checked")
    conf = write(e, "live.conf", "[live]\ninterfaces = lo\n[metrics]\nlisten =\n")
    r = run(e, ["run", "-c", conf], as_other=True, timeout=20)
    if r.rc == 0 or not r.bpf_calls:
        p += [f"a valid run without privilege: exit {r.rc}, {r.bpf_calls} bpf() calls seen; "
              f"expected a failure after bpf() calls", r.show().rstrip()]


CONTROLS = [
    ("control_valid_file", control_valid_file),
    ("control_hex_tc_handle", control_hex),
    ("control_options_override_file", control_options_override),
    ("control_print_config_without_interfaces", control_print_config_without_interfaces),
    ("control_etc_bpfix_conf", control_etc_conf),
    ("control_checker_can_fail", control_checker_can_fail),
    ("control_strace_sees_bpf", control_strace_sees_bpf),
]


CASES = Cases()
for _bad in ERROR_CASES:
    CASES.add(_bad.name, functools.partial(run_bad, _bad), ", ".join(_bad.modes))
for _name, _control in CONTROLS:
    CASES.add(_name, _control)


def main(argv=None):
    ap = argument_parser(__doc__.split("\n\n")[0])
    args = driver_arguments(ap, CASES, argv, timeout=20.0)
    with tempfile.TemporaryDirectory(prefix="bpfix-config-errors-") as tmp:
        os.chmod(tmp, 0o755)   # nobody runs a copy of bpfix and reads configs in it
        e = Env(args, tmp)

        def prepare():
            require(binaries=(args.bpfix,))
            e.strace = strace_works(tmp)
            if not e.strace:
                log("note: strace is not usable here; bpf() calls are not checked")
        return CASES.run(args, lambda _name: contextlib.nullcontext((e,)), prepare)


if __name__ == "__main__":
    sys.exit(main())
