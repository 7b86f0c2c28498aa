#!/usr/bin/env bash
# The main job, end to end: install what is missing, build, start a real nfcapd on 127.0.0.1,
# replay a bundled capture through the bpfix TC program into it, and show the records nfdump
# decodes. Needs root (the kernel engine loads the BPF program). Cleans up what it started.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
capture=${1:-$top/tests/pcaps/mixed.pcap}

"$top/contrib/install-deps.sh"
cmake -S "$top" -B "$top/build" >/dev/null
cmake --build "$top/build" -j"$(nproc)" >/dev/null

work=$(mktemp -d)
mkdir "$work/flows"
nfcapd_pid=
cleanup() {
  [[ -n $nfcapd_pid ]] && kill "$nfcapd_pid" 2>/dev/null && wait "$nfcapd_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

port=$(python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
nfcapd -b 127.0.0.1 -p "$port" -w "$work/flows" -t 3600 >"$work/nfcapd.log" 2>&1 &
nfcapd_pid=$!
sleep 0.5

echo "== bpfix replay $(basename "$capture") -> nfcapd on 127.0.0.1:$port"
"$top/build/src/bpfix" replay --engine kernel --collector "127.0.0.1:$port" \
	--output "$work/flows.ipfix" "$capture"

kill "$nfcapd_pid" && wait "$nfcapd_pid" 2>/dev/null || true  # nfcapd writes its file on exit
nfcapd_pid=
echo "== records as nfdump decodes them (times UTC)"
TZ=UTC nfdump -R "$work/flows" -o 'fmt:%ts %te %pr %sap -> %dap %flg %tos %pkt %byt' -O tstart -q

echo "== GTP-U tunnels of those records (nfdump shows the inner flows; ipfixDump names the tunnel fields)"
ipfixDump -d -e "$top/templates/bpfix-elements.xml" --in "$work/flows.ipfix" | awk '
	function show() {
		if (teid != "")
			printf "%s -> %s  TEID 0x%08x  QFI %s  tunnel %s -> %s\n", src, dst, teid,
			       qfi == "" ? "-" : qfi, tsrc, tdst
		src = dst = teid = qfi = tsrc = tdst = ""
	}
	/--- data record/ { show() }
	/sourceIPv(4|6)Address/ { src = $NF }
	/destinationIPv(4|6)Address/ { dst = $NF }
	/gtpuTEid/ { teid = $NF }
	/gtpuQFI/ { qfi = $NF }
	/bpfixTunnelSource/ { tsrc = $NF }
	/bpfixTunnelDestination/ { tdst = $NF }
	END { show() }'
