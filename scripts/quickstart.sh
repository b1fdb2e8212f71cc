#!/usr/bin/env bash
# quickstart.sh — install what is missing, build, generate two traces, and run the paper's
# Figure 1 flow (TCP port-80 SYNs together with UDP worm packets) and its §VIII example.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc)" >/dev/null
mkdir -p build/quickstart
cd build/quickstart
../ffpf-gen --seed 1 --count 200000 -o eth0.pcap
../ffpf-gen --seed 2 --count 200000 --mix worm -o eth1.pcap

echo
echo "== Figure 1: TCP port-80 SYNs together with UDP packets carrying the worm, from two links =="
fig1='[ (file,"eth0.pcap") | (file,"eth1.pcap") ]
  > [ (bpf,"tcp dst port 80 and tcp[tcpflags] & tcp-syn != 0")
    | (bpf,"udp dst port 1434 and udp[8] = 0x04") ]
  > [ flow:(count) | (bytes) | (dump,"fig1.pcap") ]'
echo "$fig1"
../ffpf run "$fig1"

echo
echo "== §VIII: two links into one BPF filter, then a packet count and a byte count =="
sec8='[[ (file,expr="eth0.pcap")|(file,expr="eth1.pcap") ]> (BPF,expr="tcp and dst port 80") ]> [(pktcount)|(bytecount)]'
echo "$sec8"
../ffpf run "$sec8"
echo
echo "plan of the same request (ffpf plan):"
../ffpf plan "$sec8"
