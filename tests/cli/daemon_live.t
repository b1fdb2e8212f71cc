# ffpfd on a live device: functions run in the device's socket filter while they can and move
# to the daemon's engine when a request needs their packets, with their counts carried over:
# what one application counts across the change must be exact; so must what an application
# counts whose functions start in the engine and move down into the filter once the graph
# settles (it reads its counters in the daemon's shared memory, a copy of the filter's).
%script
. "$DATA/../cli/netns.sh"
netns_up
FFPFD=$(dirname "$FFPF")/ffpfd
S=$PWD/d.sock
ip netns exec $A $FFPFD --socket $S 2> d.log &
dpid=$!
trap 'kill $dpid 2>/dev/null; wait $dpid 2>/dev/null; ip netns del $A; ip netns del $B' EXIT
for i in $(seq 50); do [ -S $S ] && break; sleep 0.1; done
where() { ip netns exec $A $FFPF status --daemon $S --json | grep -o "\"name\":\"$1\"[^}]*" | grep -o '"flowspace":"[a-z]*"' | cut -d'"' -f4; }
ip netns exec $A $FFPF run --daemon $S -q --json --duration 14 -i $IA '[ all:(count) | (bpf,"tcp") > tcp:(count) ]' > one.json &
ready
echo "alone: filter in $(where bpf#2), counts in $(where a1:all)"
replay "$T/small.pcap"
sleep 0.5
# a second application needs the tcp packets themselves: the filter moves to the daemon
ip netns exec $A $FFPF run --daemon $S -q --json --duration 5 -i $IA '(bpf,"tcp") > (dump,"x.pcap")' > two.json &
ip netns exec $A $FFPF run --daemon $S -q --json --duration 10 -i $IA '(bpf,"udp") > udp:(count)' > three.json &
sleep 1
echo "shared: filter in $(where bpf#2), all in $(where a1:all)"
replay "$T/small.pcap"
wait %3
sleep 0.5
echo "after: filter in $(where bpf#2)"
# a request on a device the group did not have yet: its functions go into that device's filter
ip netns exec $A $FFPF run --daemon $S -q --duration 2 -i lo '(bpf,"udp port 9") > (count)' > four.json &
four=$!
sleep 1.2
echo "new device: filter in $(ip netns exec $A $FFPF status --daemon $S --json | grep -o '"params":"expr=\\"udp port 9\\"[^}]*' | grep -o '"flowspace":"[a-z]*"' | cut -d'"' -f4)"
wait $four
replay "$T/small.pcap"
wait %2 %4
echo "one: all=$(jget one.json all packets) tcp=$(jget one.json tcp packets)"
want=$($FFPF run -q --json -r "$T/small.pcap" '(bpf,"udp") > udp:(count)' | grep -o '"packets":[0-9]*' | tail -1 | cut -d: -f2)
[ "$(jget three.json udp packets)" = $((2 * want)) ] && echo "three: udp exact" ||
	echo "three: udp=$(jget three.json udp packets), want $((2 * want))"
echo "two: dumped $(tcpdump -r x.pcap 2>/dev/null | wc -l)"
%expect
alone: filter in kernel, counts in kernel
shared: filter in host, all in kernel
after: filter in kernel
new device: filter in kernel
one: all=6000 tcp=3279
three: udp exact
two: dumped 1093
