# --workers N: N flowgraphs in N threads, each device's packets spread over them by flow hash
# (PACKET_FANOUT).  The summed counts must equal one flowgraph's, and each worker must have
# had a share; with a socket filter (default: XDP is not used with workers) and in the host.
%script
. "$DATA/../cli/netns.sh"
netns_up
R='[ all:(count) | (bpf,"tcp") > tcp:(count) | (bytes) ]'
for lvl in kernel host; do
	ip netns exec $A $FFPF run -q --json --workers 2 --lowest $lvl --duration 3 -i $IA "$R" > $lvl.json &
	ready 2
	replay "$T/small.pcap"
	wait
	shares=$(grep -o '"workers":\[[0-9,]*\]' $lvl.json | grep -o '[0-9][0-9]*' | tr '\n' ' ')
	set -- $shares
	echo "$lvl: all=$(jget $lvl.json all packets) tcp=$(jget $lvl.json tcp packets) filter in $(jstr $lvl.json bpf#2 flowspace), workers $#, sum $(($1 + $2))"
	[ "$1" -gt 0 ] && [ "$2" -gt 0 ] && echo "$lvl: both workers had packets"
done
# what cannot be shared between workers
$FFPF run --workers 2 -r "$T/small.pcap" '(count)'; echo "status $?"
ip netns exec $A $FFPF run --workers 2 -i $IA '(dump,"x.pcap")'; echo "status $?"
$FFPF run --workers 2 -c 10 -i lo '(count)'; echo "status $?"
$FFPF run --workers 0 -i lo '(count)'; echo "status $?"
%expect
kernel: all=2000 tcp=1093 filter in kernel, workers 2, sum 2000
kernel: both workers had packets
host: all=2000 tcp=1093 filter in host, workers 2, sum 2000
host: both workers had packets
status 2
status 2
status 2
status 2
%stderr
ffpf: --workers shares live devices between workers; 'file#0' (file) would run once per worker: drop --workers
ffpf: --workers shares live devices between workers; 'dump#1' (dump) would run once per worker: drop --workers
ffpf: --workers takes neither -c (each worker sees a share) nor -f - (each worker reads the request)
ffpf: --workers wants 1 to 64, not '0'
