# Live capture: a veth pair between two network namespaces made here; tcpreplay sends a
# generated trace from one end, ffpf captures on the other.  Counts must be exact.
%script
. "$DATA/../cli/netns.sh"
netns_up
want_all=$($FFPF run -q --json -r "$T/small.pcap" '(count)' | grep -o '"packets":[0-9]*' | head -1)
want_tcp=$($FFPF run -q --json -r "$T/small.pcap" '(bpf,"tcp")' | grep -o '"matched":[0-9]*')
ip netns exec $A $FFPF run -q --json --duration 4 -i va '[ all:(count) | (bpf,"tcp") ]' > live.json &
ready
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
