# SPDX-License-Identifier: GPL-2.0-only
"""Collectors a test runs as its own children, besides nfcapd (bpfixtest.Nfcapd): pmacct's
nfacctd, fastnetmon, and a plain UDP sink that keeps every datagram.

Imported like bpfixtest (this directory inserted into sys.path relative to the script's own
__file__). Each listens on 127.0.0.1 only, keeps its files in a directory the test gives it, and
is stopped by its own pid: use them as context managers, so every path out of a test ends them.
They know bpfix only as a sender of IPFIX; what they decode is the tests' to judge.

- Nfacctd(workdir, primitives, aggregate): nfacctd 1.7.7 with aggregate_primitives (lines of its
  primitives file), nfacctd_account_options on and the print plugin appending CSV ('|' between
  fields: names may hold commas). Its core hands records to the plugin in buffers it sends
  when full, so the last ones reach the plugin only at stop(): SIGINT, its documented graceful
  stop; the plugin, a process of its own, writes them as it exits: records() reads every row
  written so far as dicts (poll it for what you expect).
- Fastnetmon(workdir): fastnetmon 1.2.4 with only its NetFlow/IPFIX collector and its Prometheus
  endpoint on (the counters it keeps of what it decoded), logging at debug level to its own file.
- UdpSink(): a socket on 127.0.0.1 with a large receive buffer; datagrams() takes what came.
"""

import csv
import os
import select
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request

from bpfixtest import HarnessError, free_udp_port, kill_child, udp_socket_state

START_TIMEOUT = 30.0     # seconds for a collector to bind its port on a loaded machine


def free_tcp_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ChildCollector:
    """A collector process of the test's: start(argv) waits until it listens on self.port."""

    name = "collector"
    stop_signal = signal.SIGTERM

    def __init__(self, workdir):
        self.dir = workdir
        self.log_path = os.path.join(workdir, f"{self.name}.log")
        self.port = free_udp_port()
        self.proc = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.kill()

    def argv(self):
        raise NotImplementedError

    def ready(self):
        """Whether it is up: by default, its UDP socket is bound."""
        return udp_socket_state(self.port, self.proc.pid) is not None

    def start(self):
        with open(os.path.join(self.dir, f"{self.name}.out"), "ab") as out:
            self.proc = subprocess.Popen(self.argv(), stdin=subprocess.DEVNULL, stdout=out,
                                         stderr=subprocess.STDOUT, cwd=self.dir)
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                break
            if self.ready():
                return self.port
            time.sleep(0.05)
        self.kill()
        raise HarnessError(f"{self.name} did not start:\n{self.log_text()}")

    def drain(self, timeout=15.0):
        """Wait until it has read every datagram queued on its socket."""
        deadline, quiet = time.monotonic() + timeout, 0
        while time.monotonic() < deadline and quiet < 3:
            st = udp_socket_state(self.port, self.proc.pid)
            if st is None:
                return
            quiet = quiet + 1 if st[0] == 0 else 0
            time.sleep(0.05)

    def stop(self, timeout=30.0):
        """Drain, then its stop signal by pid; wait for its exit."""
        if self.proc is None:
            return
        self.drain()
        self.proc.send_signal(self.stop_signal)
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            raise HarnessError(f"{self.name} did not exit {timeout:.0f} s after its signal")
        self.proc = None

    def kill(self):
        self.proc = kill_child(self.proc)

    def log_text(self):
        text = ""
        for path in (self.log_path, os.path.join(self.dir, f"{self.name}.out")):
            try:
                with open(path, errors="replace") as f:
                    text += f.read()
            except OSError:
                pass
        return text


class Nfacctd(ChildCollector):
    """pmacct's nfacctd printing aggregates of `aggregate` (primitive names) as CSV."""

    name = "nfacctd"
    stop_signal = signal.SIGINT   # SIGTERM leaves its core running (pmacct docs/SIGNALS)

    def __init__(self, workdir, primitives, aggregate):
        super().__init__(workdir)
        self.out_path = os.path.join(workdir, "records.csv")
        prim = os.path.join(workdir, "primitives.lst")
        with open(prim, "w") as f:
            f.write("\n".join(primitives) + "\n")
        self.conf = os.path.join(workdir, "nfacctd.conf")
        with open(self.conf, "w") as f:
            f.write("\n".join([
                "daemonize: false",
                "nfacctd_ip: 127.0.0.1",
                f"nfacctd_port: {self.port}",
                "nfacctd_account_options: true",
                f"aggregate_primitives: {prim}",
                "plugins: print[p]",
                f"aggregate[p]: {', '.join(aggregate)}",
                "print_output[p]: csv",
                "print_output_separator[p]: |",
                f"print_output_file[p]: {self.out_path}",
                "print_output_file_append[p]: true",
                "print_refresh_time[p]: 60",
                "timestamps_utc: true",
                f"logfile: {self.log_path}",
            ]) + "\n")

    def argv(self):
        return ["nfacctd", "-f", self.conf]

    def records(self):
        """Every CSV row it printed, as {column: text}; header lines are skipped."""
        try:
            with open(self.out_path, newline="") as f:
                rows = list(csv.reader(f, delimiter="|"))
        except OSError:
            return []
        out, header = [], None
        for row in rows:
            if row and row[-1].strip() == "BYTES":   # a header, at each purge
                header = [c.strip().lower() for c in row]
            elif header and len(row) == len(header):
                out.append({h: v.strip() for h, v in zip(header, row)})
        return out


class Fastnetmon(ChildCollector):
    """fastnetmon with its NetFlow/IPFIX collector; metrics() reads its Prometheus counters."""

    name = "fastnetmon"

    def __init__(self, workdir):
        super().__init__(workdir)
        self.http_port = free_tcp_port()
        networks = os.path.join(workdir, "networks")
        with open(networks, "w") as f:
            f.write("192.0.2.0/24\n")   # a small table: fastnetmon sizes its counters by it
        white = os.path.join(workdir, "whitelist")
        open(white, "w").close()
        self.conf = os.path.join(workdir, "fastnetmon.conf")
        with open(self.conf, "w") as f:
            f.write("\n".join([
                "logging_level = debug",
                "enable_ban = off",
                "enable_ban_ipv6 = off",
                "disable_usage_report = on",
                "monitor_local_ip_addresses = off",
                f"networks_list_path = {networks}",
                f"white_list_path = {white}",
                "netflow = on",
                "netflow_host = 127.0.0.1",
                f"netflow_port = {self.port}",
                "sflow = off",
                "enable_api = off",
                "prometheus = on",
                "prometheus_host = 127.0.0.1",
                f"prometheus_port = {self.http_port}",
                f"pid_path = {os.path.join(workdir, 'fastnetmon.pid')}",
                f"cli_stats_file_path = {os.path.join(workdir, 'stats.dat')}",
                f"cli_stats_ipv6_file_path = {os.path.join(workdir, 'stats6.dat')}",
            ]) + "\n")

    def argv(self):
        return ["fastnetmon", "--configuration_file", self.conf, "--log_file", self.log_path,
                "--disable_pid_logic"]

    def ready(self):
        return super().ready() and self.metrics() is not None

    def metrics(self):
        """{counter name without 'fastnetmon_': value} from /metrics, None when it does not
        answer."""
        url = f"http://127.0.0.1:{self.http_port}/metrics"
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                text = r.read().decode(errors="replace")
        except (urllib.error.URLError, OSError):
            return None
        out = {}
        for line in text.splitlines():
            parts = line.split()
            if len(parts) == 2 and parts[0].startswith("fastnetmon_"):
                try:
                    out[parts[0][len("fastnetmon_"):]] = int(float(parts[1]))
                except ValueError:
                    pass
        return out


class UdpSink:
    """A UDP socket on 127.0.0.1 (a free port) keeping what comes; close() when done."""

    def __init__(self):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8 << 20)
        self.sock.bind(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self):
        self.sock.close()

    def datagrams(self, quiet=0.2):
        """What came, until nothing more came for `quiet` seconds."""
        out = []
        while select.select([self.sock], [], [], quiet)[0]:
            out.append(self.sock.recv(65535))
        return out
