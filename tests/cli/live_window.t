# Packet bytes in the kernel and XDP programs: the first 128 bytes come from a copy made once
# per packet (the window), the rest from helper calls.  Filters that read inside the window,
# across its edge, past it, after an 802.1Q tag (which the kernel takes out of the frame before
# a socket filter runs, and ffpf puts back), and at offsets computed from the headers, must
# count at every level exactly what the offline run of the same trace counts: the kernel
# flowspace in both its forms, a tc program and a socket filter.  (The last
# filter uses libpcap's scratch memory: it runs as a function of its own, the others inline.)
%script
. "$DATA/../cli/netns.sh"
netns_up
$FFPF_GEN -q --seed 7 -c 3000 -o t.pcap
F=('vlan and tcp' 'vlan and udp port 53' 'ether[124:4] = ether[124:4]' 'ether[126:4] = ether[126:4]'
   'ether[300:2] = ether[300:2]' 'vlan and ether[130] = ether[130]' 'tcp[tcpflags] & tcp-syn != 0'
   'ip6 and tcp dst port 80' 'vlan and ip[9] = 17 and udp[2:2] = 53' 'tcp[20:4] != 0'
   'ip[2:2] - ((ip[0] & 0xf) << 2) - ((tcp[12] & 0xf0) >> 2) > 0')
R='[ '; sep=''
for i in "${!F[@]}"; do R="$R$sep(bpf,\"${F[$i]}\") > f$i:(count)"; sep=' | '; done
R="$R ]"
idx=$(ip -n $A -o link show $IA | cut -d: -f1)
counts() { for i in "${!F[@]}"; do printf '%s ' "$(jget "$1" f$i packets)"; done; }
$FFPF run -q --json -r t.pcap "$R" > offline.json
want=$(counts offline.json)
# every filter matches something in the trace, and not everything (else the test shows little)
for i in "${!F[@]}"; do
	n=$(jget offline.json f$i packets)
	[ "$n" -gt 0 ] && [ "$n" -lt 3000 ] || echo "offline: '${F[$i]}' matches $n of 3000"
done
# kernel: a tc program (nothing goes up); kernel+up: a socket filter, as every packet also
# goes up to a dump in the host
for lvl in xdp kernel kernel+up host; do
	r=$R
	[ $lvl = kernel+up ] && r="${R% ]} | (dump,\"up.pcap\") ]"
	ip netns exec $A $FFPF run -q --json --lowest ${lvl%+up} --duration 3 -i $IA "$r" > $lvl.json &
	ready
	[ $lvl = kernel ] && [ "$(tcx_links $idx)" != 1 ] && echo "kernel: no tc program on $IA"
	[ $lvl = kernel+up ] && [ "$(tcx_links $idx)" != 0 ] && echo "kernel+up: a tc program, not a socket filter"
	replay t.pcap
	wait
	got=$(counts $lvl.json)
	[ "$got" = "$want" ] && echo "$lvl: all ${#F[@]} filters exact (in $(jstr $lvl.json bpf#1 flowspace))" ||
		echo "$lvl: counted $got, offline $want"
done
d=$(grep -o 'dump#[0-9]*' kernel+up.json | head -1)
[ "$(jget kernel+up.json $d packets)" = 3000 ] || echo "kernel+up: dumped $(jget kernel+up.json $d packets)"
%expect
xdp: all 11 filters exact (in xdp@va)
kernel: all 11 filters exact (in kernel)
kernel+up: all 11 filters exact (in kernel)
host: all 11 filters exact (in host)
