#!/usr/bin/env bash
# deps.sh — install the Debian 12 packages ffpf needs to build, test and benchmark (as root).
# Only what is missing is installed; safe to run again.
set -euo pipefail
pkgs=(build-essential cmake pkg-config libpcap-dev libbpf-dev tcpdump clang llvm libclang-rt-14-dev time tcpreplay iproute2 bpftool gnuplot-nox)
missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	echo "deps: installing ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
