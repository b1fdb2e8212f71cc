# The kernel and XDP flowspaces on a veth pair between two namespaces made here: the same
# flowgraph run with functions placed in XDP, in a socket filter, and in the host must count
# exactly what an offline run of the same trace counts, and pass up the same packets.
%script
. "$DATA/../cli/netns.sh"
netns_up
R='[ all:(count) | (bpf,"tcp") > tcp:(count) > (dump,"d.pcap") ]'
$FFPF run -q -r "$T/small.pcap" "$R" > /dev/null && mv d.pcap offline.pcap
want_all=2000 want_tcp=$($FFPF run -q --json -r "$T/small.pcap" '(bpf,"tcp")' | grep -o '"matched":[0-9]*' | cut -d: -f2)
# packets as bytes, whatever their wire length (tcpreplay sends what the trace captured)
pkts() { tcpdump -nn -t -r "$1" 2>/dev/null | sed -E 's/truncated-ip6? - [0-9]+ bytes missing! ?//'; }
for lvl in xdp kernel host; do
	ip netns exec $A $FFPF run -q --json --lowest $lvl --duration 3 -i $IA "$R" > $lvl.json &
	ready
	replay "$T/small.pcap"
	wait
	echo "$lvl: all=$(jget $lvl.json all packets) tcp=$(jget $lvl.json tcp packets) up=$(grep -o '"packets_read":[0-9]*' $lvl.json | cut -d: -f2) filter in $(jstr $lvl.json bpf#2 flowspace), dump in $(jstr $lvl.json dump#4 flowspace)"
	[ "$(jget $lvl.json all packets)" = $want_all ] && [ "$(jget $lvl.json tcp packets)" = "$want_tcp" ] ||
		echo "$lvl: counts differ from the offline run ($want_all, $want_tcp)"
	pkts d.pcap > $lvl.txt
done
cmp -s xdp.txt host.txt && cmp -s kernel.txt host.txt && echo "the same packets came up at every level"
pkts offline.pcap | cmp -s - host.txt && echo "and they are the offline run's"
if ip -n $A link show $IA | grep -q xdp; then echo "left an XDP program attached"; fi
%expect
xdp: all=2000 tcp=1093 up=1093 filter in xdp@va, dump in host
kernel: all=2000 tcp=1093 up=1093 filter in kernel, dump in host
host: all=2000 tcp=1093 up=2000 filter in host, dump in host
the same packets came up at every level
and they are the offline run's
