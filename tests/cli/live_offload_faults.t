# The kernel and XDP flowspaces when things go wrong: native mode where the driver allows it,
# a run killed with SIGKILL leaves nothing attached, a program of ours left attached the old
# way is removed by the next run, a device that is already taken or goes down mid-run, no
# clang: each with a clear message and, where one exists, a fallback one flowspace up.
%script
. "$DATA/../cli/netns.sh"
netns_up
export XDG_CACHE_HOME=$PWD/cache
for ns in $A $B; do ip -n $ns link set dev $([ $ns = $A ] && echo $IA || echo $IB) mtu 1500; done
$FFPF_GEN -q -c 500 --snaplen 1514 -o t.pcap
want=$($FFPF run -q --json -r t.pcap '(bpf,"udp")' | grep -o '"matched":[0-9]*' | cut -d: -f2)
attached() { ip -n $A link show $IA | grep -o 'prog/xdp id [0-9]* name [a-z_]*' | sed 's/id [0-9]* //'; }
xdp_id() { ip -n $A link show $IA | grep -o 'prog/xdp id [0-9]*' | grep -o '[0-9]*$'; }
# wait until the XDP program on the device is another than $1
new_xdp() { for i in $(seq 150); do [ -n "$(xdp_id)" ] && [ "$(xdp_id)" != "$1" ] && break; sleep 0.1; done; sleep 0.2; }
count_run() { # $1: label; $2: how to wait until it captures; the rest: extra options
	local l=$1 wait=$2; shift 2
	ip netns exec $A $FFPF run -q --json --duration 3 "$@" -i $IA '(bpf,"udp") > u:(count)' > $l.json 2> $l.err &
	$wait; replay t.pcap; wait
	[ "$(jget $l.json u packets)" = "$want" ] && echo "$l: exact, filter in $(jstr $l.json bpf#1 flowspace)" ||
		echo "$l: counted $(jget $l.json u packets), not $want"
}

# 1. native XDP on a veth with a 1500-byte MTU
count_run native ready
grep -o '"where":"XDP in native (driver) mode"' native.json | head -1

# 2. SIGKILL: the link dies with the process, and the program with it
ip netns exec $A $FFPF run -q --duration 30 -i $IA '(count)' > /dev/null 2>&1 &
pid=$!; ready
echo "while running: $(attached)"
kill -9 $pid; wait $pid 2>/dev/null
sleep 0.5
echo "after SIGKILL: $(attached)"

# 2b. the same for a tc program: its links die with the process, and the program with them
tc_prog() { for f in /proc/$1/fdinfo/*; do grep -q "^attach_type:	46" $f 2>/dev/null && sed -n 's/^prog_id:\t//p' $f; done | head -1; }
ip netns exec $A $FFPF run -q --lowest kernel --duration 30 -i $IA '(count)' > /dev/null 2>&1 &
pid=$!; ready
id=$(tc_prog $pid)
echo "tc while running: $(bpftool prog show id $id 2>/dev/null | grep -o 'name ffpf_tc')"
kill -9 $pid; wait $pid 2>/dev/null
for i in $(seq 30); do bpftool prog show id $id > /dev/null 2>&1 || break; sleep 0.1; done
echo "tc after SIGKILL: $(bpftool prog show id $id 2>/dev/null | grep -o 'name ffpf_tc')"

# 3. a program of ours attached the old way (no link): the next run removes it
obj=$(ls cache/ffpf/*.bpf.o | head -1)
ip -n $A link set dev $IA xdpgeneric obj $obj sec xdp
echo "left behind: $(attached)"
old=$(xdp_id)
count_run stale "new_xdp $old"
grep -o 'removed XDP program [0-9]* left attached by a run that did not end cleanly' stale.json | sed 's/[0-9][0-9]*/N/' | head -1
echo "after it: $(attached)"

# 4. someone else's XDP program on the device: ffpf falls back to the kernel flowspace (tc)
cat > other.c <<'C'
__attribute__((section("xdp"), used)) int other(void *ctx) { return 2; }
char LICENSE[] __attribute__((section("license"), used)) = "GPL";
C
clang -O2 -target bpf -c other.c -o other.o
ip -n $A link set dev $IA xdpgeneric obj other.o sec xdp
count_run taken "ready 2"   # its program and our tc program
grep -o "another XDP program (id [0-9]*, 'other') is attached to the device" taken.json | sed 's/id [0-9]*/id N/' | head -1
ip -n $A link set dev $IA xdpgeneric off

# 5. no clang: XDP, tc and the socket filter are refused, everything runs in the host
count_run noclang ready
FFPF_CLANG=/nonexistent/clang count_run noclang ready
jstr noclang.json bpf#1 where | sed 's/ (.*//'

# 6. the device goes down mid-run: an error, not a hang, and nothing left attached
ip netns exec $A $FFPF run -q --duration 20 -i $IA '(count)' > down.out 2> down.err &
pid=$!; ready
ip -n $A link set $IA down
wait $pid; echo "exit status $?"
grep -o 'went down or away' down.err | head -1
echo "after it: $(attached)"
ip -n $A link set $IA up

# 7. a device that does not exist
ip netns exec $A $FFPF run -q -i nosuch0 '(count)' > nosuch.out 2>&1; echo "exit status $?"
grep -o "no such network device 'nosuch0'" nosuch.out | head -1
%expect
native: exact, filter in xdp@va
"where":"XDP in native (driver) mode"
while running: prog/xdp name ffpf_xdp
after SIGKILL: 
tc while running: name ffpf_tc
tc after SIGKILL: 
left behind: prog/xdp name ffpf_xdp
stale: exact, filter in xdp@va
removed XDP program N left attached by a run that did not end cleanly
after it: 
taken: exact, filter in kernel
another XDP program (id N, 'other') is attached to the device
noclang: exact, filter in xdp@va
noclang: exact, filter in host
the socket filter refused: no C compiler
exit status 1
went down or away
after it: 
exit status 1
no such network device 'nosuch0'
