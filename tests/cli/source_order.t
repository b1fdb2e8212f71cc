# Several sources in one flowgraph: packets of sources that meet in a function reach it in
# timestamp order (two readings of one trace alternate, packet by packet), while sources that
# never meet run in full batches, each at its own pace (ffpfd serves many applications reading
# one file this way).  Both count every packet.
%script
jget() { grep -o "\"name\":\"$2\"[^}]*}[^}]*}[^}]*}" "$1" | grep -o "\"$3\":[0-9]*" | head -1 | cut -d: -f2; }
$FFPF_GEN -q -c 3000 -o t.pcap
batches() { grep -o '"batches":[0-9]*' "$1" | cut -d: -f2; }
$FFPF run -q --json '(file,"t.pcap") > a:(count)' '(file,"./t.pcap") > b:(count)' > apart.json
n=$(batches apart.json)
echo "apart: a=$(jget apart.json a packets) b=$(jget apart.json b packets)"
[ "$n" -le 30 ] && echo "apart: full batches" || echo "apart: $n batches for 6000 packets"
$FFPF run -q --json '[ (file,"t.pcap") | (file,"./t.pcap") ] > m:(count) > (dump,"m.pcap")' > met.json
n=$(batches met.json)
echo "met: m=$(jget met.json m packets)"
[ "$n" -ge 3000 ] && echo "met: in timestamp order, batch by batch" || echo "met: only $n batches"
# ffpf-gen puts a few packets slightly out of order; two readings merged have each of them twice
late() { tcpdump -tt -nn -r "$1" 2>/dev/null | awk '{ if ($1 < last) bad++; last = $1 } END { print bad + 0 }'; }
[ "$(late m.pcap)" = $((2 * $(late t.pcap))) ] && echo "dump in timestamp order (but for the trace's own late packets)" ||
	echo "dump: $(late m.pcap) packets out of order, the trace has $(late t.pcap)"
%expect
apart: a=3000 b=3000
apart: full batches
met: m=6000
met: in timestamp order, batch by batch
dump in timestamp order (but for the trace's own late packets)
