# ffpfd runs a device's kernel functions as a tc program, with no packet socket bound to the
# device (one that receives nothing holds it promiscuous): packets that no application needs in
# the daemon never leave the kernel's receive path.
# Programs are replaced while packets flow (applications come and go, and one needs every
# packet in the daemon for a while): the tc links swap programs atomically, so an application
# that stays counts each packet exactly once, none twice and none lost, and packets going up
# come through the program's ring, which the programs replacing it inherit.
%script
. "$DATA/../cli/netns.sh"
netns_up 1500
FFPFD=$(dirname "$FFPF")/ffpfd
S=$PWD/d.sock
ip netns exec $A $FFPFD --socket $S --settle 0 2> d.log &
dpid=$!
trap 'kill $dpid 2>/dev/null; wait $dpid 2>/dev/null; ip netns del $A; ip netns del $B' EXIT
for i in $(seq 50); do [ -S $S ] && break; sleep 0.1; done
$FFPF_GEN -q --seed 11 -c 6000 --snaplen 1514 -o t.pcap
want=$($FFPF run -q --json -r t.pcap '(bpf,"udp") > u:(count)' | grep -o '"name":"u"[^}]*}[^}]*}' | grep -o '"packets":[0-9]*' | cut -d: -f2)
$FFPF run -q -r t.pcap '(bpf,"vlan") > (dump,"vlan-offline.pcap")' > /dev/null
[ "${want:-0}" -gt 0 ] && [ "$(tcpdump -r vlan-offline.pcap 2>/dev/null | wc -l)" -gt 0 ] || echo "the trace lacks udp or vlan packets"
app() { ip netns exec $A $FFPF run --daemon $S -q --json "$@"; }
idx=$(ip -n $A -o link show $IA | cut -d: -f1)
sockets() { ip netns exec $A awk -v x=$idx 'NR > 1 && $5 == x' /proc/net/packet | wc -l; }
app --duration 12 -i $IA '(bpf,"udp") > u:(count)' > stay.json &
stay=$!
ready
echo "counting only: $(tcx_links $idx) tc link(s) at ingress, $(sockets) packet socket(s) on $IA, $(ip -d -n $A link show $IA | grep -o 'promiscuity [0-9]*')"
# 6000 packets over 3 s; meanwhile three changes of the device's program
ip netns exec $B tcpreplay -q -i $IB --pps 2000 t.pcap > /dev/null 2>&1 &
send=$!
sleep 0.5
app --duration 1 -i $IA '(bpf,"tcp") > t:(count)' > tcp.json
app --duration 1 -i $IA '(bpf,"tcp") > d:(dump,"x.pcap")' > dump.json &
dump=$!
app --duration 1 -i $IA '(bpf,"vlan") > (dump,"vlan.pcap")' > /dev/null &
vlan=$!
sleep 0.5
echo "one needs packets up: $(sockets) packet socket(s) on $IA"
wait $dump $vlan $send $stay
got=$(jget stay.json u packets)
[ "$got" = "$want" ] && echo "stayed: udp exact across the changes" || echo "stayed: counted $got, want $want"
n=$(tcpdump -r x.pcap 2>/dev/null | wc -l)
[ "$n" -gt 0 ] && [ "$(tcpdump -r x.pcap not tcp 2>/dev/null | wc -l)" = 0 ] &&
	echo "dump: the tcp packets that came up, written" || echo "dump: $n packets, $(tcpdump -r x.pcap not tcp 2>/dev/null | wc -l) not tcp"
# what came up through the ring is the frames as sent: 802.1Q tags the kernel took out put back
hex() { tcpdump -r "$1" -xx -nn 2>/dev/null | awk '/^[^\t]/ { if (p != "") print p; p = "" } /^\t/ { $1 = ""; p = p $0 } END { if (p != "") print p }' | sort -u; }
hex vlan-offline.pcap > want.hex
hex vlan.pcap > got.hex
[ -s got.hex ] && [ -z "$(comm -23 got.hex want.hex)" ] && echo "vlan: every tagged frame that came up, byte for byte as sent" ||
	echo "vlan: $(wc -l < got.hex) frames, $(comm -23 got.hex want.hex | wc -l) not in the trace"
grep -i "error\|refused" d.log || true
%expect
counting only: 1 tc link(s) at ingress, 0 packet socket(s) on va, promiscuity 1
one needs packets up: 0 packet socket(s) on va
stayed: udp exact across the changes
dump: the tcp packets that came up, written
vlan: every tagged frame that came up, byte for byte as sent
