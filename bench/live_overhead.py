#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""Live overhead: receiver-side packets/s on a veth with and without `bpfix run` attached.

    sudo /usr/bin/python3 bench/live_overhead.py [--bpfix build/src/bpfix] [--seconds 5]
                                                 [--rounds 3] [--flows 64] [--senders NCPU]

The veth pair, namespaces, sink and senders are bench/active_race.py's (its Env and its hidden
_sink/_send subcommands): namespace B blasts 18-octet UDP datagrams over --flows flows from
--senders Python processes as fast as they go, for --seconds; the rate is vethA's rx_packets
delta over the send time. Rounds alternate without, with (bpfix run -i vethA, both hooks), 3
times; live_ratio = median(with) / median(without). Everything is removed on every path.
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


def one(env, a, with_bpfix):
    sink = env.spawn(env.a, [PY, RACE, "_sink", str(a.flows)], stdout=subprocess.PIPE, text=True)
    if sink.stdout.readline().strip() != "ready":
        raise HarnessError("the sink did not start")
    bp = None
    try:
        if with_bpfix:
            bp = Bpfix(env, a.bpfix, ["-i", "vethA", "-o", os.path.join(env.tmp, "r.ipfix")], "bpfix")
            bp.wait_attached()
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

    def body(env, problems):
        env.setup()
        for i in range(a.rounds):
            for w in ((False, True) if i % 2 == 0 else (True, False)):
                pps = one(env, a, w)
                res["with" if w else "without"].append(pps)
                log(f"round {i + 1} {'with' if w else 'without'} bpfix: {pps:,.0f} pkt/s")
        return None

    rc = run_in_env(R.Env, "bpfix-live-bench-", a.keep, body)
    if rc == 0 and res["with"] and res["without"]:
        mw, mo = statistics.median(res["with"]), statistics.median(res["without"])
        out = {"live_ratio": round(mw / mo, 3), "with_pps": round(mw), "without_pps": round(mo),
               "rounds": res, "seconds": a.seconds, "senders": a.senders, "flows": a.flows}
        log(f"live: without {mo:,.0f} pkt/s, with bpfix {mw:,.0f} pkt/s, ratio {mw / mo:.3f}")
        log("RESULT " + json.dumps(out))
    return rc


if __name__ == "__main__":
    sys.exit(main())
