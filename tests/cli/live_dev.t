# Live capture: a veth pair between two network namespaces made here; tcpreplay sends a
# generated trace from one end, ffpf captures on the other.  Counts must be exact.
%script
[ "$(id -u)" = 0 ] || { echo "skip: live tests need root" >&2; exit 77; }
command -v tcpreplay >/dev/null || { echo "skip: tcpreplay is not installed" >&2; exit 77; }
A=ffpfA$$ B=ffpfB$$
cleanup() { ip netns del $A 2>/dev/null; ip netns del $B 2>/dev/null; }
trap cleanup EXIT
ip netns add $A && ip netns add $B || { echo "skip: the kernel refuses network namespaces" >&2; exit 77; }
ip link add va type veth peer name vb netns $B 2>/dev/null || ip link add va$$ type veth peer name vb netns $B
ip link set va netns $A 2>/dev/null || ip link set va$$ netns $A
for side in "$A va" "$B vb"; do set -- $side
  ip netns exec $1 sysctl -qw net.ipv6.conf.all.disable_ipv6=1
  ip -n $1 link set $2 mtu 9500 up
done
want_all=$($FFPF run -q --json -r "$T/small.pcap" '(count)' | grep -o '"packets":[0-9]*' | head -1)
want_tcp=$($FFPF run -q --json -r "$T/small.pcap" '(bpf,"tcp")' | grep -o '"matched":[0-9]*')
ip netns exec $A $FFPF run -q --json --duration 4 -i va '[ all:(count) | (bpf,"tcp") ]' > live.json &
sleep 1.5
ip netns exec $B tcpreplay -q -i vb --mbps 50 "$T/small.pcap" > /dev/null 2>&1
wait
got_all=$(grep -o '"name":"all".*' live.json | grep -o '"packets":[0-9]*' | head -1)
got_tcp=$(grep -o '"matched":[0-9]*' live.json)
[ "$want_all" = "$got_all" ] && echo "all packets captured" || echo "all: sent $want_all, got $got_all"
[ "$want_tcp" = "$got_tcp" ] && echo "filter agrees" || echo "tcp: want $want_tcp, got $got_tcp"
grep -q '"ring_full":0' live.json && echo "no ring drops"
%expect
all packets captured
filter agrees
no ring drops
