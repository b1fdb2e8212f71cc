# ffpfd --settle: applications started together on one trace file share one reading of it
# (the daemon holds a file a request adds until requests stop coming, and compiles the graph
# once), and each still counts every match; so does one that comes later.
%script
FFPFD=$(dirname "$FFPF")/ffpfd
export FFPF_SOCKET=$PWD/d.sock
$FFPFD --group all --settle 500 2> d.log &
dpid=$!
trap 'kill $dpid 2>/dev/null; wait $dpid 2>/dev/null' EXIT
for i in $(seq 50); do [ -S d.sock ] && break; sleep 0.1; done
$FFPF_GEN -q --seed 3 -c 20000 -o t.pcap
F=('tcp' 'udp' 'icmp or icmp6' 'vlan')
for i in 0 1 2 3; do
	FFPF_SOCKET= $FFPF run -q --json -r t.pcap "(bpf,\"${F[$i]}\") > c:(count)" > want$i.json
	$FFPF run -q --json -r t.pcap "(bpf,\"${F[$i]}\") > c:(count)" > got$i.json &
done
wait %2 %3 %4 %5
count() { grep -o '"name":"count#[0-9]*"[^}]*}[^}]*}' "$1" | grep -o '"packets":[0-9]*' | cut -d: -f2; }
ok=0
for i in 0 1 2 3; do [ "$(count got$i.json)" = "$(count want$i.json)" ] && ok=$((ok + 1)); done
echo "together: $ok of 4 counted every match"
echo "together: $(grep -ho '"name":"file#[0-9]*"' got*.json | sort -u | wc -l) reading(s) of the file"
$FFPF run -q --json -r t.pcap '(bpf,"tcp") > c:(count)' > late.json
[ "$(count late.json)" = "$(count want0.json)" ] && echo "later: every match counted"
$FFPFD --settle -1 2>&1; echo "status $?"
%expect
together: 4 of 4 counted every match
together: 1 reading(s) of the file
later: every match counted
ffpfd: --settle wants milliseconds from 0 to 10000, not '-1'
status 2
