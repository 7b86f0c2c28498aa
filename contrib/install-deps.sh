#!/usr/bin/env bash
# Installs, from Debian 12's archive, everything bpfix needs to build, run its demo and its tests.
# Only what is missing is installed, so a second run is quick and needs no network.
set -euo pipefail

packages=(
  gcc make cmake pkg-config clang llvm libclang-rt-14-dev   # host and BPF compilers, sanitizers, libFuzzer
  libbpf-dev bpftool libelf-dev zlib1g-dev                  # BPF loading and skeletons
  libfixbuf-dev libglib2.0-dev libpcap-dev libcmocka-dev    # IPFIX, captures, unit tests
  libmicrohttpd-dev                                         # the optional metrics endpoint
  softflowd                                                 # bench/run's replay baseline
  nfdump libfixbuf-tools python3 python3-scapy iproute2     # collector, decoder, capture generator, netns
  pmacct fastnetmon tshark python3-ipfix python3-yaml       # the other decoders records are checked with, and
                                                            # the collector files (YAML) in contrib/
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
  if [[ $(id -u) != 0 ]]; then
    echo "install-deps: these Debian packages are missing: ${missing[*]}; run this script as root" >&2
    exit 1
  fi
  echo "install-deps: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
