#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""Live overhead: receiver-side packets/s on a veth with and without `bpfix run` attached.

    sudo /usr/bin/python3 bench/live_overhead.py [--bpfix build/src/bpfix] [--seconds 5]
                                                 [--rounds 3] [--flows 64] [--senders NCPU]

The veth pair, namespaces, sink and senders are bench/active_race.py's (its Env and its hidden
_sink/_send subcommands): namespace B blasts 18-octet UDP datagrams over --flows flows from
--senders Python processes as fast as they go, for --seconds; the rate is vethA's rx_packets
delta over the send time. Rounds alternate without, with (bpfix run -i vethA, both hooks),
--rounds times; live_ratio = median(with) / median(without). Then one more round with bpfix and
kernel.bpf_stats_enabled on (it adds two clock reads per program run, so it is kept out of the
ratio; the sysctl, global to the machine, is put back): the program's own ns per run live,
live_prog_ns = run_time_ns / run_cnt of the TC programs attached to vethA (bpftool). Everything
is removed on every path.
Prints a `RESULT {json}` line. Exit 0 measured, 2 harness error, 77 skipped.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys

sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [HERE, os.path.join(HERE, "..", "tests", "lib"), os.path.join(HERE, "..", "tests", "replay")]
import active_race as R  # noqa: E402
from bpfixtest import HarnessError, log  # noqa: E402
from netns import PY, Bpfix, run_in_env  # noqa: E402

RACE = os.path.join(HERE, "active_race.py")
STATS_SYSCTL = "/proc/sys/kernel/bpf_stats_enabled"


def prog_stats(env):
    """(run_time_ns, run_cnt) summed over the TC programs attached to vethA in namespace A (the
    bpfix run's: bpftool names no owner process, and other bpfix programs may be loaded)."""
    r = subprocess.run(env.ns(env.a, "bpftool", "-j", "net", "show", "dev", "vethA"),
                       capture_output=True, text=True)
    ids = [t["id"] for net in (json.loads(r.stdout) if r.returncode == 0 else [])
           for t in net.get("tc", [])  # bpftool names them "bpfix_ingress:[ID]"
           if t.get("name", "").split(":")[0] in ("bpfix_ingress", "bpfix_egress")]
    ns = cnt = 0
    for i in ids:
        r = subprocess.run(["bpftool", "-j", "prog", "show", "id", str(i)], capture_output=True,
                           text=True)
        prog = json.loads(r.stdout) if r.returncode == 0 else {}
        ns += prog.get("run_time_ns", 0)
        cnt += prog.get("run_cnt", 0)
    return ns, cnt


def one(env, a, with_bpfix, stats=None):
    sink = env.spawn(env.a, [PY, RACE, "_sink", str(a.flows)], stdout=subprocess.PIPE, text=True)
    if sink.stdout.readline().strip() != "ready":
        raise HarnessError("the sink did not start")
    bp = None
    try:
        if with_bpfix:
            bp = Bpfix(env, a.bpfix, ["-i", "vethA", "-o", os.path.join(env.tmp, "r.ipfix")], "bpfix")
            bp.wait_attached()
        if stats is not None:
            s0 = prog_stats(env)
        rx0 = env.stat(env.a, "vethA", "rx_packets")
        senders = []
        for k in range(a.senders):
            flows = [i for i in range(a.flows) if i % a.senders == k]
            senders.append(env.spawn(env.b, [PY, RACE, "_send", ",".join(map(str, flows)),
                                             str(a.seconds), "0"], stdout=subprocess.PIPE, text=True))
        secs = 0.0
        for p in senders:
            o, _ = p.communicate(timeout=a.seconds + 60)
            secs = max(secs, json.loads(o.strip().splitlines()[-1])["seconds"])
        rx = env.stat(env.a, "vethA", "rx_packets") - rx0
        if stats is not None:
            s1 = prog_stats(env)
            stats.update(run_time_ns=s1[0] - s0[0], run_cnt=s1[1] - s0[1])
    finally:
        if bp:
            rc = bp.stop()
            if rc != 0:
                raise HarnessError(f"bpfix exited with {rc}:\n{bp.stderr()}")
        sink.terminate()
        sink.wait(10)
    return rx / secs


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--bpfix", default=os.path.join(HERE, "..", "build", "src", "bpfix"))
    ap.add_argument("--seconds", type=float, default=5)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--flows", type=int, default=64)
    ap.add_argument("--senders", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--keep", action="store_true")
    a = ap.parse_args()
    a.bpfix = os.path.abspath(a.bpfix)
    res = {"without": [], "with": []}
    stats = {}

    def body(env, problems):
        env.setup()
        for i in range(a.rounds):
            for w in ((False, True) if i % 2 == 0 else (True, False)):
                pps = one(env, a, w)
                res["with" if w else "without"].append(pps)
                log(f"round {i + 1} {'with' if w else 'without'} bpfix: {pps:,.0f} pkt/s")
        with open(STATS_SYSCTL) as f:
            before = f.read().strip()
        try:
            with open(STATS_SYSCTL, "w") as f:
                f.write("1")
            pps = one(env, a, True, stats)
        finally:
            with open(STATS_SYSCTL, "w") as f:
                f.write(before)
        log(f"round with bpfix and bpf_stats: {pps:,.0f} pkt/s, {stats.get('run_cnt', 0):,} "
            f"program runs, {stats.get('run_time_ns', 0):,} ns")
        return None

    rc = run_in_env(R.Env, "bpfix-live-bench-", a.keep, body)
    if rc == 0 and res["with"] and res["without"]:
        mw, mo = statistics.median(res["with"]), statistics.median(res["without"])
        out = {"live_ratio": round(mw / mo, 3), "with_pps": round(mw), "without_pps": round(mo),
               "rounds": res, "seconds": a.seconds, "senders": a.senders, "flows": a.flows,
               "live_prog_ns": round(stats["run_time_ns"] / stats["run_cnt"], 1)
               if stats.get("run_cnt") else None}
        log(f"live: without {mo:,.0f} pkt/s, with bpfix {mw:,.0f} pkt/s, ratio {mw / mo:.3f}")
        log("RESULT " + json.dumps(out))
    return rc


if __name__ == "__main__":
    sys.exit(main())
