# netns.sh — sourced by the live tests: two network namespaces joined by a veth pair, made
# here and removed on exit.  Traffic only ever flows between them.
#   netns_up [MTU]  sets A, B (namespace names), IA (the capturing end in A), IB (the sending
#                end in B), both up with MTU (default 9500: the traces' jumbo frames), or exits
#                77 (skip) with a reason when this machine cannot.
#   replay FILE  sends FILE from B with tcpreplay.
[ "$(id -u)" = 0 ] || { echo "skip: live tests need root" >&2; exit 77; }
command -v tcpreplay >/dev/null || { echo "skip: tcpreplay is not installed" >&2; exit 77; }
netns_up() {
	local MTU=${1:-9500}
	A=ffpfA$$ B=ffpfB$$ IA=va IB=vb
	trap 'ip netns del $A 2>/dev/null; ip netns del $B 2>/dev/null' EXIT
	ip netns add $A && ip netns add $B || { echo "skip: the kernel refuses network namespaces" >&2; exit 77; }
	ip -n $A link add $IA type veth peer name $IB netns $B ||
		{ echo "skip: the kernel refuses veth pairs" >&2; exit 77; }
	for side in "$A $IA" "$B $IB"; do
		set -- $side
		ip netns exec $1 sysctl -qw net.ipv6.conf.all.disable_ipv6=1
		ip -n $1 link set $2 mtu ${MTU:-9500} up
	done
}
replay() { ip netns exec $B tcpreplay -q -i $IB --mbps 50 "$1" >/dev/null 2>&1; }
# value of "key":N in the JSON object of function NAME (one object per function, as --json prints)
jget() { grep -o "\"name\":\"$2\"[^}]*}[^}]*}[^}]*}" "$1" | grep -o "\"$3\":[0-9]*" | head -1 | cut -d: -f2; }
jstr() { grep -o "\"name\":\"$2\"[^}]*" "$1" | grep -o "\"$3\":\"[^\"]*\"" | head -1 | cut -d'"' -f4; }
# tc programs attached to ingress of ifindex $1 in namespace $A: tcx links, as the fdinfo of
# the processes of $A holding them shows them.
tcx_links() {
	local p fd n=0
	for p in $(ip netns pids $A); do
		for fd in /proc/$p/fd/*; do
			[ "$(readlink $fd 2>/dev/null)" = anon_inode:bpf_link ] || continue
			fd=/proc/$p/fdinfo/${fd##*/}
			grep -qx "ifindex:	$1" $fd 2>/dev/null && grep -q "^attach_type:	46" $fd 2>/dev/null &&
				n=$((n + 1))
		done
	done
	echo $n
}

# ready [N]: wait (up to 15 s) until N (default 1) captures are in place on IA in A — an XDP
# or tc program attached or packet sockets bound to it — so that traffic sent next is seen whole.
# A cold compiler cache (clang for eBPF, cc for native code) can take seconds on a busy machine.
ready() {
	local want=${1:-1} idx n i
	idx=$(ip -n $A -o link show $IA | cut -d: -f1)
	for i in $(seq 150); do
		n=$(ip netns exec $A awk -v x=$idx 'NR > 1 && $5 == x' /proc/net/packet | wc -l)
		ip -n $A link show $IA | grep -q 'prog/xdp' && n=$((n + 1))
		n=$((n + $(tcx_links $idx)))
		[ "$n" -ge "$want" ] && { sleep 0.2; return 0; }
		sleep 0.1
	done
	echo "ready: no capture on $IA after 15 s" >&2
}
