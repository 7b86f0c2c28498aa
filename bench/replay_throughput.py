#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""Replay throughput: bpfix replay (host and kernel engine) against softflowd and a no-op floor.

    sudo /usr/bin/python3 bench/replay_throughput.py [--bpfix build/src/bpfix] [--data DIR]
                                                     [--quick] [--runs N] [--keep]

For each capture of bench/gen_workloads.py (plain, gtpu, newflow; generated if missing) it runs,
alternating the tools run by run (run 1 of every tool, then run 2, ...), and takes medians:

    host       bpfix replay --engine host -o FILE CAPTURE       (no collector)
    kernel     bpfix replay --engine kernel -o FILE CAPTURE     (the TC program, BPF_PROG_TEST_RUN)
    floor      a no-op floor for the kernel engine: a small C program (its source is below,
               compiled into the temporary directory) that reads the (classic pcap) capture and hands every frame to BPF_PROG_TEST_RUN of a SCHED_CLS program
               that is just "r0 = 0; exit", with the same __sk_buff context (tstamp, wire_len).
               It is what the kernel engine would cost if the TC program did nothing and there
               were no flow map to sweep and export.
    floor-newkey  (new-flow capture only) the same floor with a program that inserts one new
               key per packet (8 octets, the frame's index via skb->mark) into an LRU hash of
               MAXFLOWS entries: what one new flow per packet costs at the least.
    read-floor a C program linked with libpcap that reads every packet (stdio with a 1 MiB
               buffer, as bpfix's reader) and does nothing with it: the host engine's floor.
    kernel-start, floor-start, floor-newkey-start  the kernel engine and its floors on the
               capture's first packet alone (a one-record copy in the temporary directory):
               what each pays whatever the capture (process start, loading and verifying the
               programs, creating the maps, the end, exit). Measured apart, not taken out of
               replay_kernel_vs_floor; kernel_vs_floor_steady is the ratio without it.
    host-udp   bpfix replay --engine host --pace-rate 0 --collector 127.0.0.1:PORT CAPTURE
    softflowd  softflowd -r CAPTURE -n 127.0.0.1:PORT -v 10 -6 -m MAXFLOWS (IPFIX, same sink)

The "sink" is a loopback UDP socket a thread drains, for both tools alike. softflowd runs with
"-c none": with a control socket, softflowd 1.1.0 -r waits in accept() on it after reading the
first block of the capture. bpfix gets --max-flows MAXFLOWS, softflowd -m
MAXFLOWS (262144 each), with the same idle timeout (15 s) and active timeout (60 s).

Throughput is packets / wall-clock seconds of the whole process (start, loading the program,
reading, the final export); CPU seconds (user + system, from wait4) are printed too. Every run's
count is checked: bpfix's summary "packets read" and softflowd's "Packets processed" must equal
the capture's packet count, and the floor prints what it ran; a mismatch is an error.

Prints a table and a final `RESULT {json}` with replay_host_vs_softflowd (host-udp / softflowd
on the plain capture, wall clock), replay_newflow_vs_softflowd (the same on the new-flow
capture), replay_kernel_vs_floor (kernel / its floor, the worst capture: plain and gtpu against
the no-op floor, newflow against floor-newkey) and replay_host_vs_floor (host / read-floor, the
worse of plain and gtpu), and the ratios per capture: kernel_vs_floor_cpu (the same in CPU
seconds) and kernel_vs_floor_steady (wall seconds less each tool's one-packet run: the ratio of
the per-packet work alone).
Exit 0 measured, 2 harness error, 77 skipped (no root: kernel and floor are then NA).
"""

import argparse
import json
import os
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, ".."))
sys.path[:0] = [os.path.join(ROOT, "tests", "lib")]
from bpfixtest import summary_numbers  # noqa: E402

MAX_FLOWS = 262144
# tools run on some captures only
ONLY_ON = {"floor-newkey": ("newflow",), "floor-newkey-start": ("newflow",)}
# tools run on the capture's first packet alone (the fixed cost of a run), and the tool each
# stands for
ONE_PACKET = {"kernel-start": "kernel", "floor-start": "floor",
              "floor-newkey-start": "floor-newkey"}

FLOOR_C = r"""
/* Floors of bpfix replay --engine kernel: read a classic pcap (the generated captures are
 * little-endian microsecond pcap) + BPF_PROG_TEST_RUN per frame of "r0 = 0; exit" (no-op) or,
 * with "newkey", of a program that inserts one new key per frame into an LRU hash. */
#include <linux/bpf.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static long bpf(int cmd, union bpf_attr *attr) { return syscall(__NR_bpf, cmd, attr, sizeof(*attr)); }

#define I(op, d, s, o, im) ((struct bpf_insn){ .code = (op), .dst_reg = (d), .src_reg = (s), .off = (o), .imm = (im) })

/* "newkey": insert key = skb->mark (the frame's index, unique) with BPF_NOEXIST into an LRU hash
 * of @max entries (8-octet key, 16-octet value), r0 = its result; else just r0 = 0. Returns the
 * instruction count. */
static int floor_prog(struct bpf_insn *p, int newkey, unsigned int max)
{
	union bpf_attr m;
	int n = 0, mfd;

	if (newkey) {
		memset(&m, 0, sizeof(m));
		m.map_type = BPF_MAP_TYPE_LRU_HASH;
		m.key_size = 8;
		m.value_size = 16;
		m.max_entries = max;
		mfd = bpf(BPF_MAP_CREATE, &m);
		if (mfd < 0) { perror("BPF_MAP_CREATE"); exit(1); }
		p[n++] = I(BPF_LDX | BPF_MEM | BPF_W, 2, 1, offsetof(struct __sk_buff, mark), 0);
		p[n++] = I(BPF_STX | BPF_MEM | BPF_DW, 10, 2, -8, 0);
		p[n++] = I(BPF_ST | BPF_MEM | BPF_DW, 10, 0, -16, 0);
		p[n++] = I(BPF_ST | BPF_MEM | BPF_DW, 10, 0, -24, 0);
		p[n++] = I(BPF_LD | BPF_DW | BPF_IMM, 1, BPF_PSEUDO_MAP_FD, 0, mfd);
		p[n++] = I(0, 0, 0, 0, 0);
		p[n++] = I(BPF_ALU64 | BPF_MOV | BPF_X, 2, 10, 0, 0);
		p[n++] = I(BPF_ALU64 | BPF_ADD | BPF_K, 2, 0, 0, -8);
		p[n++] = I(BPF_ALU64 | BPF_MOV | BPF_X, 3, 10, 0, 0);
		p[n++] = I(BPF_ALU64 | BPF_ADD | BPF_K, 3, 0, 0, -24);
		p[n++] = I(BPF_ALU64 | BPF_MOV | BPF_K, 4, 0, 0, BPF_NOEXIST);
		p[n++] = I(BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_map_update_elem);
		p[n++] = I(BPF_JMP | BPF_EXIT, 0, 0, 0, 0);	/* the insert's result */
		return n;
	}
	p[n++] = I(BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, 0);	/* r0 = 0 (TC_ACT_OK) */
	p[n++] = I(BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
	return n;
}

int main(int argc, char **argv)
{
	struct bpf_insn insns[16];
	int newkey = argc > 2 && !strcmp(argv[2], "newkey");
	union bpf_attr a;
	uint32_t gh[6], rh[4];
	static unsigned char buf[262144];
	unsigned long long n = 0, ran = 0, refused = 0;
	FILE *f;
	int fd;

	memset(&a, 0, sizeof(a));
	a.prog_type = BPF_PROG_TYPE_SCHED_CLS;
	a.insn_cnt = floor_prog(insns, newkey, argc > 3 ? (unsigned int)atoi(argv[3]) : 262144);
	a.insns = (uintptr_t)insns;
	a.license = (uintptr_t)"GPL";
	fd = bpf(BPF_PROG_LOAD, &a);
	if (fd < 0) { perror("BPF_PROG_LOAD"); return 1; }
	f = fopen(argv[1], "rb");
	if (!f || fread(gh, 4, 6, f) != 6 || gh[0] != 0xa1b2c3d4) { fprintf(stderr, "not a LE usec pcap\n"); return 1; }
	setvbuf(f, NULL, _IOFBF, 1 << 22);
	while (fread(rh, 4, 4, f) == 4) {
		struct __sk_buff ctx;
		if (rh[2] > sizeof(buf) || fread(buf, 1, rh[2], f) != rh[2]) { fprintf(stderr, "truncated\n"); return 1; }
		n++;
		memset(&ctx, 0, sizeof(ctx));
		ctx.tstamp = (uint64_t)rh[0] * 1000000000ull + (uint64_t)rh[1] * 1000ull;
		ctx.wire_len = rh[3] > rh[2] ? rh[3] : rh[2];
		ctx.mark = (uint32_t)n;
		memset(&a, 0, sizeof(a));
		a.test.prog_fd = fd;
		a.test.data_in = (uintptr_t)buf;
		a.test.data_size_in = rh[2];
		a.test.ctx_in = (uintptr_t)&ctx;
		a.test.ctx_size_in = sizeof(ctx);
		if (bpf(BPF_PROG_TEST_RUN, &a) || a.test.retval) { refused++; continue; }
		ran++;
	}
	printf("packets read: %llu\npackets run: %llu\nrefused: %llu\n", n, ran, refused);
	return 0;
}
"""


READ_FLOOR_C = r"""
/* Read floor of bpfix replay --engine host: libpcap reads every packet and does nothing with it;
 * the capture through stdio with a 1 MiB buffer, as bpfix's reader does. */
#include <pcap/pcap.h>
#include <stdio.h>

int main(int argc, char **argv)
{
	static char iobuf[1 << 20];
	char errbuf[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *hdr;
	const unsigned char *data;
	unsigned long long n = 0, octets = 0;
	FILE *f = argc > 1 ? fopen(argv[1], "rb") : NULL;
	pcap_t *p;
	int rc;

	if (!f) { perror("capture"); return 1; }
	setvbuf(f, iobuf, _IOFBF, sizeof(iobuf));
	p = pcap_fopen_offline_with_tstamp_precision(f, PCAP_TSTAMP_PRECISION_NANO, errbuf);
	if (!p) { fprintf(stderr, "%s\n", errbuf); return 1; }
	while ((rc = pcap_next_ex(p, &hdr, &data)) == 1) {
		n++;
		octets += hdr->caplen; /* touch the header only, as "do nothing" */
	}
	if (rc != PCAP_ERROR_BREAK) { fprintf(stderr, "%s\n", pcap_geterr(p)); return 1; }
	pcap_close(p);
	printf("packets read: %llu\npackets run: %llu\noctets: %llu\n", n, n, octets);
	return 0;
}
"""


class HarnessError(Exception):
    pass


def log(msg=""):
    print(msg, flush=True)


class Hung(Exception):
    pass


def timed(argv, timeout=900):
    """Run argv; (wall s, cpu s, stdout+stderr text, exit code); Hung after timeout s (the
    process, by its pid, killed)."""
    t0 = time.monotonic()
    outf = tempfile.TemporaryFile()
    p = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=outf, stderr=subprocess.STDOUT)
    while True:
        pid, status, ru = os.wait4(p.pid, os.WNOHANG)
        if pid:
            break
        if time.monotonic() - t0 > timeout:
            p.kill()
            os.wait4(p.pid, 0)
            raise Hung(f"{argv[0]} still running after {timeout} s")
        time.sleep(0.002)
    outf.seek(0)
    out = outf.read()
    wall = time.monotonic() - t0
    p.returncode = os.waitstatus_to_exitcode(status)
    return wall, ru.ru_utime + ru.ru_stime, out.decode(errors="replace"), p.returncode


def build_floor(tmp, name="floor", source=FLOOR_C, libs=()):
    src = os.path.join(tmp, name + ".c")
    exe = os.path.join(tmp, name)
    with open(src, "w") as f:
        f.write(source)
    cc = shutil.which("cc") or shutil.which("gcc")
    if not cc:
        return None, "no C compiler"
    r = subprocess.run([cc, "-O2", "-o", exe, src, *libs], capture_output=True, text=True)
    if r.returncode != 0:
        return None, f"cannot compile the floor: {r.stderr.strip()[:300]}"
    return exe, None


def first_packet(path, out):
    """A copy of the classic pcap @path holding its first record only (written to @out)."""
    with open(path, "rb") as f:
        head = f.read(24)
        rec = f.read(16)
        if len(head) < 24 or len(rec) < 16:
            raise HarnessError(f"{path}: no first record")
        caplen = int.from_bytes(rec[8:12], "little")
        data = f.read(caplen)
    with open(out, "wb") as f:
        f.write(head + rec + data)
    return out


def drain(sock):
    """The collector: receive and drop every datagram, so senders never see port unreachable."""
    while True:
        sock.recv(65536)


def steady_ratio(res, floor):
    """kernel / @floor in wall seconds, each less its tool's one-packet run (the fixed cost)."""
    if not all(t in res for t in ("kernel", "kernel-start", floor, floor + "-start")):
        return None
    kernel = res["kernel"]["wall_s"] - res["kernel-start"]["wall_s"]
    base = res[floor]["wall_s"] - res[floor + "-start"]["wall_s"]
    return round(base / kernel, 3) if kernel > 0 and base > 0 else None


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--bpfix", default=os.path.join(ROOT, "build", "src", "bpfix"))
    ap.add_argument("--data", default=os.path.join(ROOT, "build", "bench-data"))
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--runs", type=int, default=0, help="runs per tool and capture (3)")
    ap.add_argument("--captures", default="plain,gtpu,newflow")
    ap.add_argument("--keep", action="store_true")
    a = ap.parse_args()
    runs = a.runs or 3

    gen = [sys.executable, os.path.join(HERE, "gen_workloads.py"), "--out", a.data]
    if a.quick:
        gen.append("--quick")
    r = subprocess.run(gen, capture_output=True, text=True)
    if r.returncode != 0:
        log(f"ERROR: gen_workloads.py: {r.stderr.strip()}")
        return 2
    meta = json.loads([ln for ln in r.stdout.splitlines() if ln.startswith("RESULT ")][-1][7:])

    root = os.geteuid() == 0
    softflowd = shutil.which("softflowd") or (os.path.exists("/usr/sbin/softflowd")
                                              and "/usr/sbin/softflowd")
    tmp = tempfile.mkdtemp(prefix="bpfix-replay-bench-")
    sink = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sink.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 26)
    sink.bind(("127.0.0.1", 0))
    port = sink.getsockname()[1]
    threading.Thread(target=drain, args=(sink,), daemon=True).start()
    notes = []
    try:
        floor, why = (build_floor(tmp) if root else (None, "not root"))
        if not floor:
            notes.append(f"floor: NA ({why})")
        common = ["--max-flows", str(MAX_FLOWS), "--idle-timeout", "15", "--active-timeout", "60"]
        out = os.path.join(tmp, "out.ipfix")
        tools = {
            "host": lambda c: [a.bpfix, "replay", "--engine", "host", *common, "-o", out, c],
            # unpaced: the sink drains whatever comes, the benchmark measures bpfix
            "host-udp": lambda c: [a.bpfix, "replay", "--engine", "host", *common,
                                   "--pace-rate", "0", "--collector", f"127.0.0.1:{port}", c],
        }
        if root:
            tools["kernel"] = lambda c: [a.bpfix, "replay", "--engine", "kernel", *common,
                                         "-o", out, c]
        else:
            notes.append("kernel: NA (not root)")
        if floor:
            tools["floor"] = lambda c: [floor, c]
            tools["floor-newkey"] = lambda c: [floor, c, "newkey", str(MAX_FLOWS)]
        for t, of in ONE_PACKET.items():
            if of in tools:
                tools[t] = tools[of]
        read_floor, why = build_floor(tmp, "read_floor", READ_FLOOR_C, ["-lpcap"])
        if read_floor:
            tools["read-floor"] = lambda c: [read_floor, c]
        else:
            notes.append(f"read-floor: NA ({why})")
        if softflowd:
            tools["softflowd"] = lambda c: [softflowd, "-r", c, "-n", f"127.0.0.1:{port}",
                                            "-v", "10", "-6", "-m", str(MAX_FLOWS),
                                            "-p", os.path.join(tmp, "sf.pid"),
                                            "-c", "none",  # else -r can wait in accept()
                                            "-t", "udp=15", "-t", "tcp=15", "-t", "general=15",
                                            "-t", "maxlife=60"]
        else:
            notes.append("softflowd: NA (not installed)")

        results = {}
        hang_s = 30 if a.quick else 120
        for cname in a.captures.split(","):
            cap = meta["captures"][cname]
            path, npk = cap["path"], cap["packets"]
            one = first_packet(path, os.path.join(tmp, cname + "-first.pcap"))
            walls = {t: [] for t in tools if cname in ONLY_ON.get(t, (cname,))}
            cpus = {t: [] for t in walls}
            # warm the page cache once
            with open(path, "rb") as f:
                while f.read(1 << 24):
                    pass
            for i in range(runs):
                order = list(tools) if i % 2 == 0 else list(reversed(list(tools)))
                for t in order:
                    if t not in walls:
                        continue
                    want = 1 if t in ONE_PACKET else npk
                    try:
                        wall, cpu, text, rc = timed(tools[t](one if t in ONE_PACKET else path),
                                                    timeout=hang_s if t == "softflowd" else 900)
                    except Hung as e:
                        notes.append(f"softflowd: NA ({e})")
                        del walls[t], cpus[t], tools[t]
                        continue
                    if rc != 0:
                        raise HarnessError(f"{t} on {cname} exited with {rc}:\n{text[-2000:]}")
                    if t == "softflowd":
                        got = [int(ln.split(":")[1]) for ln in text.splitlines()
                               if ln.startswith("Packets processed:")]
                        got = got[-1] if got else None
                    elif t.startswith("floor") or t == "read-floor":
                        s = dict(ln.split(": ") for ln in text.splitlines() if ": " in ln)
                        got = int(s.get("packets read", -1))
                        if int(s.get("packets run", -1)) != want:
                            raise HarnessError(f"floor ran {s.get('packets run')} of {want}")
                    else:
                        got = summary_numbers(text).get("packets read")
                    if got != want:
                        raise HarnessError(f"{t} on {cname}: read {got} packets, the capture "
                                           f"has {want}")
                    walls[t].append(wall)
                    cpus[t].append(cpu)
            res = {}
            for t in walls:
                w, c = statistics.median(walls[t]), statistics.median(cpus[t])
                n = 1 if t in ONE_PACKET else npk
                res[t] = {"wall_s": round(w, 3), "cpu_s": round(c, 3),
                          "pps": round(n / w), "pps_cpu": round(n / c) if c else None}
            results[cname] = {"packets": npk, "flows": cap["flows"], "tools": res}
            log(f"\n{cname}: {npk} packets, {cap['flows']} flows, median of {runs}")
            log(f"  {'tool':18} {'wall s':>8} {'cpu s':>8} {'pkt/s (wall)':>14} {'pkt/s (cpu)':>14}")
            for t, v in res.items():
                log(f"  {t:18} {v['wall_s']:8.3f} {v['cpu_s']:8.3f} {v['pps']:14,} "
                    f"{(v['pps_cpu'] or 0):14,}")

            def ratio(x, y, key="pps"):
                if x in res and y in res:
                    return round(res[x][key] / res[y][key], 3)
                return None
            results[cname]["host_vs_softflowd"] = ratio("host-udp", "softflowd")
            results[cname]["host_vs_softflowd_cpu"] = ratio("host-udp", "softflowd", "pps_cpu")
            # each capture against its own floor: the new-flow capture against the floor that
            # inserts one new key per packet
            own_floor = "floor-newkey" if cname == "newflow" else "floor"
            results[cname]["kernel_vs_floor"] = ratio("kernel", own_floor)
            results[cname]["kernel_vs_floor_cpu"] = ratio("kernel", own_floor, "pps_cpu")
            results[cname]["kernel_vs_floor_steady"] = steady_ratio(res, own_floor)
            results[cname]["kernel_vs_noop_floor"] = ratio("kernel", "floor")
            results[cname]["host_vs_read_floor"] = ratio("host", "read-floor")
            results[cname]["kernel_vs_host"] = ratio("kernel", "host")
            log(f"  host-udp/softflowd {results[cname]['host_vs_softflowd']} (cpu "
                f"{results[cname]['host_vs_softflowd_cpu']}), kernel/floor "
                f"{results[cname]['kernel_vs_floor']} (cpu {results[cname]['kernel_vs_floor_cpu']}"
                f", less the one-packet runs {results[cname]['kernel_vs_floor_steady']}), "
                f"kernel/host {results[cname]['kernel_vs_host']}"
                f", host/read-floor {results[cname]['host_vs_read_floor']}")
        for n in notes:
            log(n)
        def worst(key, captures=("plain", "gtpu", "newflow")):
            got = [results[c][key] for c in captures if results.get(c, {}).get(key) is not None]
            return min(got) if len(got) == len([c for c in captures if c in results]) and got \
                else None
        out = {"replay_host_vs_softflowd": results.get("plain", {}).get("host_vs_softflowd"),
               "replay_newflow_vs_softflowd": results.get("newflow", {}).get("host_vs_softflowd"),
               "replay_kernel_vs_floor": worst("kernel_vs_floor"),
               "replay_host_vs_floor": worst("host_vs_read_floor", ("plain", "gtpu")),
               "notes": notes, "captures": results}
        log("RESULT " + json.dumps(out))
        return 0
    except HarnessError as e:
        log(f"ERROR: {e}")
        return 2
    finally:
        sink.close()
        if a.keep:
            log(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
