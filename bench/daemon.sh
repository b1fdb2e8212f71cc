#!/usr/bin/env bash
# bench/daemon.sh — many applications served by one ffpfd against as many tcpdumps (issue #5, point 6):
#   (1) N = 1, 2, 4, 8 applications, each with a different filter + count, on a trace replayed on
#       a veth pair at a fixed rate, against N tcpdumps each with its filter: CPU per packet (the
#       processes: ffpfd + the N ffpf clients, or the N tcpdumps; and the kernel side: the
#       sender's system time + ksoftirqd, where a veth runs the receive path) and drops;
#   (2) 8 identical requests (overlay: one filter and one count run for all) against 8 identical
#       tcpdumps, with `ffpf status` showing the users;
#   (3) N applications reading one trace file through the daemon against N `tcpdump -r`: CPU and
#       wall time, and whether the daemon shared the file source.
# Medians of several runs, interleaved; tables on stdout; gnuplot PNGs.  Root only.
#
#   bench/daemon.sh [--quick] [--runs N] [--secs S] [--pps P] [--file-packets N] [--build DIR]
#                   [--no-build] [--write | --no-write]
#
#   --quick          ~2 min: 1 run per case, 1 s of traffic, a shorter rate search, a smaller file
#   --runs N         runs per case, interleaved (default 3)
#   --secs S         seconds of traffic per run (default 3)
#   --pps P          the replay rate (packets/s); default: the highest of a ladder of rates at which
#                    8 tcpdumps and 8 ffpf applications both lost nothing and the generator kept up
#   --file-packets N packets in the trace file of (3) (default 2000000; 200000 with --quick)
#   --build DIR      CMake build directory (default /tmp/build-bench, as the other bench scripts)
#   --no-build       use DIR's ffpf, ffpfd and ffpf-gen as they are
#   --write          rewrite this script's section of bench/RESULTS.md and bench/plots/daemon-*.png
#                    (the default, except with --quick)
#   --no-write       print the tables only; the PNGs go to DIR/bench/daemon/plots/
#
# Live traffic only inside two namespaces made here (ffpfDA<pid>, ffpfDB<pid>) joined by one veth
# pair: tcpreplay --pps sends a generated trace from B; ffpfd, its clients and the tcpdumps run in
# A.  The namespaces, the veth pair, the daemon's socket directory and every process started here
# are removed on exit, error or Ctrl-C.  See bench/README.md for what each number means.
set -euo pipefail
# shellcheck source=bench/lib.sh
source "$(dirname "$0")/lib.sh"
export LC_ALL=C
T0=$(date +%s)
ME=daemon SAY_SINCE=$T0

RUNS=3
SECS=3
PPS=auto
FPACKETS=
BUILD=/tmp/build-bench
WRITE=
QUICK=0
DOBUILD=1
PACKETS=100000 # packets in one pass of the live trace (before removing VLAN-tagged frames)
PPS_MULTI=10   # tcpreplay --pps-multi: packets per timer interval (fewer timer wake-ups)
while [ $# -gt 0 ]; do
	case "$1" in
	--quick) QUICK=1; RUNS=1; SECS=1; shift ;;
	--pps) PPS=${2:?}; shift 2 ;;
	--pps=*) PPS=${1#*=}; shift ;;
	--file-packets) FPACKETS=${2:?}; shift 2 ;;
	--file-packets=*) FPACKETS=${1#*=}; shift ;;
	*) common_opt "$@" || usage; shift "$OPT_SHIFT" ;;
	esac
done
[ -n "$WRITE" ] || WRITE=$((1 - QUICK))
[ -n "$FPACKETS" ] || FPACKETS=$([ $QUICK = 1 ] && echo 200000 || echo 2000000)
[[ "$RUNS" =~ ^[1-9][0-9]?$ && "$FPACKETS" =~ ^[1-9][0-9]{3,7}$ ]] && num_ok "$SECS" &&
	[[ "$PPS" = auto || "$PPS" =~ ^[1-9][0-9]{3,6}$ ]] || usage

need_root
need_cmds ' (scripts/deps.sh installs it)' ip tcpreplay tcpdump cmake gnuplot /usr/bin/time awk

bench_dirs
# one run at a time per build directory: a second would remove this one's files (and two runs
# on one machine disturb each other's CPU figures anyway)
exec 8>"$OUT/daemon.lock"
flock -n 8 || die "another bench/daemon.sh is running with $BUILD (lock $OUT/daemon.lock)"
work_dir daemon

# ---- cleanup: every process started here, then the namespaces (which take the veth pair along) --
netns_init D
SOCKDIR=$(mktemp -d /tmp/ffpf-dbench.XXXXXX)
CLEAN_DIRS+=("$SOCKDIR")
SOCK=$SOCKDIR/ffpfd.sock

# ---- build --------------------------------------------------------------------------------------
build_ffpf "$W" "ffpf, ffpfd, ffpf-gen" ffpf ffpfd ffpf-gen
FFPF=$BUILD/ffpf
FFPFD=$BUILD/ffpfd
src_rev

# ---- traces and filters -------------------------------------------------------------------------
# The live trace is bench/live.sh's (same file name, same recipe): ffpf-gen for a 1500-byte MTU,
# without VLAN-tagged frames (on a veth the kernel moves the tag into the skb, so a socket filter
# would see such packets untagged and count differently from an offline run).
MTU=1500
live_trace
# The file of (3): ffpf-gen's default mix (jumbo and VLAN frames included), FPACKETS packets.
FTRACE=$OUT/daemon-file-$FPACKETS.pcap
if [ ! -s "$FTRACE" ] || [ "$BUILD/ffpf-gen" -nt "$FTRACE" ]; then
	say "making $FTRACE (ffpf-gen --seed 2 --count $FPACKETS)"
	"$BUILD/ffpf-gen" -q --seed 2 --count "$FPACKETS" -o "$FTRACE.tmp" || die "ffpf-gen"
	mv "$FTRACE.tmp" "$FTRACE"
fi
cat "$TRACE" "$FTRACE" >/dev/null # into the page cache

FILTERS=()
while IFS= read -r l; do
	case "$l" in '#'*|'') continue ;; esac
	FILTERS+=("$l")
done <"$BENCH/filters.txt"
[ ${#FILTERS[@]} -ge 8 ] || die "bench/filters.txt has fewer than 8 filters"
FILTERS=("${FILTERS[@]:0:8}")
req_of() { echo "(bpf,\"$1\") > (count)"; }

# Expected counts: ffpf in-process (one request with the 8 filters) must agree with tcpdump -r for
# each filter, on the file of (3) here, and on the live trace as it arrives on the wire below.
count_lines() { tcpdump -n -tt -r "$1" "$2" 2>/dev/null | grep -c '^[0-9][0-9]*\.[0-9]' || true; }
jcounts() { # JSON of ffpf run: the "packets" of each count, in order
	grep '"class":"count"' "$1" | grep -o '"results":{"packets":[0-9]*' | grep -o '[0-9]*$'
}
expect() { # TRACE NAME: sets M_NAME_i (i = 0..7) and P_NAME
	local t=$1 nm=$2 req='[ all:(count)' i td cnt
	for i in 0 1 2 3 4 5 6 7; do req="$req | $(req_of "${FILTERS[$i]}")"; done
	"$FFPF" run -q --json -r "$t" "$req ]" >"$W/expect-$nm.json" || die "ffpf run -r $t"
	mapfile -t cnt < <(jcounts "$W/expect-$nm.json")
	[ ${#cnt[@]} = 9 ] || die "ffpf run -r $t: expected 9 counts, got ${#cnt[@]}"
	printf -v "P_$nm" '%s' "${cnt[0]}"
	for i in 0 1 2 3 4 5 6 7; do
		td=$(count_lines "$t" "${FILTERS[$i]}")
		[ "$td" = "${cnt[$((i + 1))]}" ] || die "'${FILTERS[$i]}' on $t: ffpf counts ${cnt[$((i + 1))]}, tcpdump $td"
		[ "$td" -gt 0 ] || die "'${FILTERS[$i]}' matches nothing in $t"
		printf -v "M_${nm}_$i" '%s' "$td"
	done
}
expect "$FTRACE" FILE
P_LOOP=$(count_lines "$TRACE" "")
BYTES_LOOP=$(stat -c %s "$TRACE")

# ---- the namespaces -----------------------------------------------------------------------------
netns_up

# ---- measuring ----------------------------------------------------------------------------------
# The daemon's CPU: its own, plus its children's that it has waited for (cc, when it compiles a
# flowgraph that is not in its cache)
dcpu_ns() { echo $(($(cpu_ns "$1") + $(child_ns "$1"))); }
# The kernel side.  On a veth the receive path (every packet socket's filter, the copies into the
# rings, the wake-ups) runs in softirq context in the sender's own syscall (veth_xmit -> netif_rx
# -> the softirq at local_bh_enable), or in ksoftirqd when deferred.  So, as bench/live.sh: the
# sender's CPU from its first packet on (user+sys, less what it had used loading the trace;
# tcpreplay --timer=nano sleeps between bursts instead of spinning) plus the ksoftirqd threads'
# (ksoft_ns).  A cross-check: the machine-wide softirq time (softirq_ns; other jobs' traffic on the
# machine would show there too).
status_json() { "$FFPF" status --json --daemon "$SOCK" 2>/dev/null || true; }
napps_ready() { # ffpf clients in status that have their functions
	grep -o '"name":"ffpf\[[0-9]*\]","pid":[0-9]*,"uid":[0-9]*,"group":"[^"]*","functions":[1-9]' <<<"$1" | wc -l
}

DPID='' DJOB=''
start_daemon() { # a fresh ffpfd in A for each measured run
	local i
	rm -f "$W/d.pid"
	ip netns exec "$NA" sh -c 'echo $$ >"$0"; exec "$@"' "$W/d.pid" "$FFPFD" --socket "$SOCK" \
		>"$W/d.out" 2>>"$W/daemon.log" &
	DJOB=$!
	BG+=("$DJOB")
	for i in $(seq 100); do
		[ -S "$SOCK" ] && [ -s "$W/d.pid" ] && break
		kill -0 "$DJOB" 2>/dev/null || die "ffpfd did not start: $(tail -3 "$W/daemon.log")"
		sleep 0.05
	done
	[ -S "$SOCK" ] || die "ffpfd did not make its socket"
	DPID=$(cat "$W/d.pid")
}
stop_daemon() {
	kill -INT "$DPID" 2>/dev/null || true
	wait "$DJOB" 2>/dev/null || say "warning: ffpfd exited with an error: $(tail -2 "$W/daemon.log")"
	bg_done "$DJOB"
	DPID='' DJOB=''
}

CPIDS=() CJOBS=() CKIND=''
# start_caps KIND FILTER... : N captures in A (tcpdump, or ffpf clients of a fresh daemon), one
# per filter; waits until all listen.  Returns 1 (reason in $W/why) if one failed.
start_caps() {
	local i n=0 f ok
	CKIND=$1
	shift
	CPIDS=() CJOBS=()
	rm -f "$W"/c*.pid "$W"/c*.out "$W"/c*.err
	[ "$CKIND" = tcpdump ] || start_daemon
	for f in "$@"; do
		n=$((n + 1))
		if [ "$CKIND" = tcpdump ]; then
			ip netns exec "$NA" sh -c 'echo $$ >"$0"; exec tcpdump -B 65536 -i "$1" -w /dev/null "$2"' \
				"$W/c$n.pid" "$IA" "$f" >"$W/c$n.out" 2>"$W/c$n.err" &
		else # --duration: a safety net should this script be killed without its trap
			ip netns exec "$NA" sh -c 'echo $$ >"$0"; exec "$@"' "$W/c$n.pid" \
				"$FFPF" run -q --json --duration 600 --daemon "$SOCK" -i "$IA" "$(req_of "$f")" \
				>"$W/c$n.out" 2>"$W/c$n.err" &
		fi
		CJOBS+=($!)
		BG+=($!)
		# ffpf: one application after the other, in filter order, each served before the next
		# starts: the daemon compiles the group's flowgraph once its changes settle, and in this order
		# every graph is a prefix of the 8-filter one, so after the first runs they come from
		# its cache (traffic starts only once all are in; the order does not matter to it)
		if [ "$CKIND" = ffpf ]; then
			for i in $(seq 200); do
				[ "$(napps_ready "$(status_json)")" -lt "$n" ] || break
				kill -0 "$!" 2>/dev/null || break
				sleep 0.02
			done
		fi
	done
	for i in $(seq 200); do
		for n in $(seq ${#CJOBS[@]}); do
			kill -0 "${CJOBS[$((n - 1))]}" 2>/dev/null ||
				{ grep -v '^$' "$W/c$n.err" | head -2 | tr '\n' ' ' >"$W/why"; stop_caps; return 1; }
		done
		if [ "$CKIND" = tcpdump ]; then
			ok=$(grep -l 'listening on' "$W"/c*.err 2>/dev/null | wc -l)
		else
			ok=$(napps_ready "$(status_json)")
		fi
		[ "$ok" = ${#CJOBS[@]} ] && break
		sleep 0.05
	done
	[ "$ok" = ${#CJOBS[@]} ] || { echo "only $ok of ${#CJOBS[@]} captures started" >"$W/why"; stop_caps; return 1; }
	for n in $(seq ${#CJOBS[@]}); do CPIDS+=("$(cat "$W/c$n.pid")"); done
	sleep 0.4 # let them settle
}
stop_caps() {
	local j
	for j in "${CJOBS[@]}"; do kill -INT "$j" 2>/dev/null || true; done
	for j in "${CJOBS[@]}"; do wait "$j" 2>/dev/null || true; bg_done "$j"; done
	CJOBS=() CPIDS=()
	[ "$CKIND" = tcpdump ] || stop_daemon
}

# send LOOPS PPS: one tcpreplay in B, LOOPS passes at PPS.  Sets SENT (packets that reached A),
# GEN_RATE (tcpreplay's "Rated" pps), SND_NS (the sender's user+sys CPU), KSIDE_NS (that plus
# ksoftirqd's CPU), and, when captures run, C0 (their CPU at the first packet); SI0
# (machine-wide softirq time at the first packet).
send() {
	local loops=$1 pps=$2 rx0 j k0 s0
	rm -f "$W/snd1.out" "$W/snd1.time"
	rx0=$(rx) k0=$(ksoft_ns)
	sender 1 --pps="$pps" --pps-multi=$PPS_MULTI --timer=nano --loop "$loops"
	j=$SND_JOB
	wait_rx "$rx0"
	# the sender's CPU so far (loading the trace, -K) is not the packets': subtracted below
	s0=$(cpu_ns "$(pgrep -P "$j" -x tcpreplay | head -1)")
	SI0=$(softirq_ns)
	[ -z "$DPID" ] || D0=$(dcpu_ns "$DPID")
	[ ${#CPIDS[@]} = 0 ] || C0=$(($(cpu_ns "${CPIDS[@]}") + D0))
	wait "$j" || die "tcpreplay failed: $(head -5 "$W/snd1.out")"
	bg_done "$j"
	sleep 0.05
	SENT=$(($(rx) - rx0))
	GEN_RATE=$(rated_pps "$W/snd1.out")
	SND_NS=$(awk '{ printf "%.0f", ($1 + $2) * 1e9 }' "$W/snd1.time")
	KSIDE_NS=$(awk -v k="$(($(ksoft_ns) - k0))" -v s0="$s0" '{ printf "%.0f", ($1 + $2) * 1e9 - s0 + k }' "$W/snd1.time")
	[ "$SENT" = $((loops * P_LOOP)) ] || say "warning: $((loops * P_LOOP)) packets sent, $SENT reached $IA"
}
loops_for() { awk -v s="$SECS" -v p="$1" -v l="$P_LOOP" 'BEGIN { x = int(s * p / l + 0.5); print (x < 1) ? 1 : x }'; }

# One measured run of the live cases; appends to raw/TAG one line:
#   gen_pps sent cap_ns kside_ns snd_ns expected got lost_pct drops daemon_ns clients_ns softirq_ns
# (kside_ns: the sender's user+sys + ksoftirqd; softirq_ns: machine-wide softirq, a cross-check)
# (cap_ns: all capture processes, ffpfd included; drops: tcpdump's "dropped by kernel" summed over
# the N, or ffpf's ring_full plus every drop reason other than a filter's "rejected").  KIND is
# none, tcpdump or ffpf; FILTERS are the captures' filters (one per capture).
# Returns 1 when the captures could not start (the reason in raw/TAG.why).
measure() { # TAG PPS KIND FILTER...
	local tag=$1 pps=$2 kind=$3 c1 d1=0 si1 exp=0 got=0 drops=0 n i f g e dn
	shift 3
	C0=0 D0=0
	if [ "$kind" = none ]; then
		CPIDS=()
	elif ! start_caps "$kind" "$@"; then
		cp "$W/why" "$W/raw/$tag.why"
		return 1
	fi
	[ "$kind" != ffpf ] || status_json >"$W/raw/$tag.status-before.json"
	send "$(loops_for "$pps")" "$pps"
	# Drain.  tcpdump's ring blocks reach it when full or after libpcap's 1 s timeout: its CPU is
	# read 1.2 s after the last packet (it sleeps meanwhile).  ffpf's work is done within ~10 ms
	# (kernel counters; host blocks retire after 10 ms), while its clients go on costing a little
	# per second (wake-ups, result refreshes): its CPU is read after 0.3 s, as bench/live.sh does.
	# (The kernel side is the sender's, measured by send().)
	c1=0
	if [ "$kind" = ffpf ]; then
		sleep 0.3
		d1=$(dcpu_ns "$DPID")
		c1=$(($(cpu_ns "${CPIDS[@]}") + d1))
		sleep 0.9
	else
		sleep 1.2
		[ "$kind" = none ] || c1=$(cpu_ns "${CPIDS[@]}")
	fi
	si1=$(softirq_ns)
	[ "$kind" != ffpf ] || status_json >"$W/raw/$tag.status-after.json"
	[ "$kind" = none ] || stop_caps
	if [ "$kind" != none ]; then
		n=0
		for f in "$@"; do
			n=$((n + 1))
			e=$((SENT / P_LOOP * $(m_of "$f")))
			exp=$((exp + e))
			if [ "$kind" = tcpdump ]; then
				g=$(sed -n 's/^\([0-9]*\) packets captured.*/\1/p' "$W/c$n.err")
				dn=$(sed -n 's/^\([0-9]*\) packets dropped by kernel.*/\1/p' "$W/c$n.err")
				drops=$((drops + ${dn:-0}))
			else
				g=$(jcounts "$W/c$n.out" | head -1)
				# the dev source is shared: its ring_full is the same in every client's results
				dn=$(awk '/"class":"dev"/ { if (match($0, /"ring_full":[0-9]+/)) print substr($0, RSTART + 12, RLENGTH - 12) }' "$W/c$n.out" | head -1)
				[ "${dn:-0}" -le "$drops" ] || drops=$dn
				# every drop reason but a filter's "rejected" (and ring_full, counted above)
				dn=$(grep -o '"drops":{[^}]*}' "$W/c$n.out" | grep -o '"[a-z_]*":[0-9]*' | grep -v '"rejected"\|"ring_full"' | awk -F: '{ s += $2 } END { print s + 0 }')
				drops=$((drops + dn))
			fi
			if [ -z "$g" ]; then
				echo "no result from capture $n ($f): $(grep -v '^$' "$W/c$n.err" | head -2 | tr '\n' ' ')" >"$W/raw/$tag.why"
				return 1
			fi
			[ "$g" -le "$e" ] || say "warning: $tag: capture $n ('$f') counted $g, more than the $e sent packets that match"
			got=$((got + g))
			cp "$W/c$n.out" "$W/raw/$tag.last.c$n.out"; cp "$W/c$n.err" "$W/raw/$tag.last.c$n.err"
		done
	fi
	awk -v rate="$GEN_RATE" -v sent="$SENT" -v c="$((c1 - C0))" -v si="$((si1 - SI0))" -v k="$SND_NS" \
		-v e="$exp" -v g="$got" -v dr="$drops" -v d="$((d1 - D0))" -v ks="$KSIDE_NS" 'BEGIN {
		printf "%.0f %d %.0f %.0f %.0f %d %d %.4f %d %.0f %.0f %.0f\n", rate, sent, c, ks, k, e, g,
			(e > 0) ? 100 * (e - g) / e : 0, dr, d, c - d, si }' >>"$W/raw/$tag"
}
m_of() { # FILTER: its matches per pass of the live trace
	local i v
	for i in 0 1 2 3 4 5 6 7; do
		[ "${FILTERS[$i]}" = "$1" ] && { v=M_LIVE_$i; echo "${!v}"; return; }
	done
	die "unknown filter $1"
}
# per-packet columns: raw/TAG column C divided by column 2 (packets sent), in ns
pp() { [ -f "$W/raw/$1" ] && awk -v c="$2" '{ print $c / $2 }' "$W/raw/$1"; }
ppmed() { pp "$1" "$2" | median; }
pprng() { pp "$1" "$2" | sort -g | awk 'NR == 1 { lo = $1 } { hi = $1 } END { if (!NR) print "?"; else printf "%.0f–%.0f", lo, hi }'; }
sumcol() { [ -f "$W/raw/$1" ] && awk -v c="$2" '{ s += $c } END { print s + 0 }' "$W/raw/$1" || echo "?"; }

# ---- the live trace as it arrives: one pass recorded on the wire ------------------------------------
# The expected counts of the live cases are those of what A receives (tcpreplay sends a record's
# captured bytes: a record cut short in the trace is shorter on the wire, so e.g. `greater 1000`
# may match it offline and not live).
say "recording one pass of the live trace on $IA (the expected counts of the live cases)"
ip netns exec "$NA" sh -c 'echo $$ >"$0"; exec tcpdump -B 65536 -i "$1" -w "$2"' "$W/w.pid" "$IA" "$W/wire.pcap" \
	>/dev/null 2>"$W/wire.err" &
WJ=$!
BG+=("$WJ")
for i in $(seq 100); do grep -q 'listening on' "$W/wire.err" 2>/dev/null && break; sleep 0.05; done
ip netns exec "$NB" tcpreplay -q -K --no-flow-stats --pps=50000 --pps-multi=$PPS_MULTI -i "$IB" "$TRACE" >"$W/wire.snd" 2>&1 ||
	die "tcpreplay failed: $(head -5 "$W/wire.snd")"
sleep 1.2
kill -INT "$(cat "$W/w.pid")"
wait "$WJ" || true
bg_done "$WJ"
expect "$W/wire.pcap" LIVE
[ "$P_LIVE" = "$P_LOOP" ] || die "one pass of $P_LOOP packets sent, $P_LIVE recorded on $IA ($(grep -i 'drop' "$W/wire.err" | tr '\n' ' '))"
say "live: $P_LOOP packets per pass; file: $P_FILE packets; filter matches per pass: $(for i in 0 1 2 3 4 5 6 7; do v=M_LIVE_$i; printf '%s ' "${!v}"; done)"

# ---- 1. the rate --------------------------------------------------------------------------------
# One tcpreplay at a fixed --pps.  Unless --pps is given, a ladder of rates from high to low, one
# trial each of the heaviest cases (8 tcpdumps, 8 ffpf applications, all 8 filters); the rate is
# the first at which neither lost a packet and the generator reached 97 % of the rate asked.
F8=("${FILTERS[@]}")
lossless() { # TAG: the last run lost nothing (no drops, every count complete) and the rate held
	awk -v want="$2" 'END { exit !($8 == 0 && $9 == 0 && $1 >= 0.97 * want) }' "$W/raw/$1"
}
if [ "$PPS" = auto ]; then
	if [ $QUICK = 1 ]; then LADDER=(100000 50000); else LADDER=(300000 200000 150000 100000 70000 50000); fi
	say "rate: trying ${LADDER[*]} pps (8 tcpdumps and 8 ffpf applications, one trial each)"
	PPS=''
	for r in "${LADDER[@]}"; do
		ok=1
		for k in tcpdump ffpf; do
			measure "rate_${r}_$k" "$r" "$k" "${F8[@]}" || die "8 × $k failed: $(cat "$W/raw/rate_${r}_$k.why")"
			lossless "rate_${r}_$k" "$r" || ok=0
			say "  $r pps, 8 × $k: $(awk '{ printf "generator %.0f pps, loss %.3f %%, drops %d", $1, $8, $9 }' "$W/raw/rate_${r}_$k")"
			[ $ok = 1 ] || break
		done
		[ $ok = 1 ] && { PPS=$r; break; }
	done
	[ -n "$PPS" ] || { PPS=${LADDER[-1]}; say "warning: no rate of the ladder was loss-free; using $PPS pps (losses are reported)"; }
	PPS_HOW="the highest of ${LADDER[*]} pps at which one trial each of 8 tcpdumps and 8 ffpf applications lost nothing and tcpreplay reached ≥ 97 % of the rate"
else
	PPS_HOW="given with --pps"
fi
say "rate: $PPS pps"

# ---- 2. live: N different filters, and 8 identical ----------------------------------------------
NS_LIST=(1 2 4 8)
SAME=("${FILTERS[0]}" "${FILTERS[0]}" "${FILTERS[0]}" "${FILTERS[0]}" "${FILTERS[0]}" "${FILTERS[0]}" "${FILTERS[0]}" "${FILTERS[0]}")
declare -A WHY
say "live: N = ${NS_LIST[*]} different filters and 8 identical, tcpdump and ffpf, $RUNS runs at $PPS pps, ${SECS} s each"
for r in $(seq "$RUNS"); do
	measure none "$PPS" none
	for n in "${NS_LIST[@]}"; do
		for k in tcpdump ffpf; do
			[ -z "${WHY[${k}_$n]:-}" ] || continue
			measure "${k}_$n" "$PPS" "$k" "${FILTERS[@]:0:$n}" ||
				{ WHY[${k}_$n]="failed: $(cat "$W/raw/${k}_$n.why")"; say "$k N=$n: ${WHY[${k}_$n]}"; }
		done
	done
	for k in tcpdump ffpf; do
		[ -z "${WHY[${k}_same]:-}" ] || continue
		measure "${k}_same" "$PPS" "$k" "${SAME[@]}" ||
			{ WHY[${k}_same]="failed: $(cat "$W/raw/${k}_same.why")"; say "$k 8 identical: ${WHY[${k}_same]}"; }
	done
	say "  run $r of $RUNS done"
done

# ---- 3. file: N applications on one trace file --------------------------------------------------
# ffpf: a fresh daemon; the N clients (`ffpf run --daemon S -r FILE`, each under /usr/bin/time)
# started together; a served run on a trace ends by itself (at its first refresh after the daemon
# reaches the end).  Wall: from starting the clients to the last
# one's exit; also the daemon's busy time: until its CPU (sampled every 10 ms) last grew at more
# than half a core.  CPU: the daemon's over the wall time plus the clients' (user+sys).  Sharing:
# `ffpf status` every 100 ms (the most file sources the group had, the most users one had), and
# the file#ID names in the clients' results.  tcpdump: N `tcpdump -r FILE -w /dev/null F` started
# together by one shell under /usr/bin/time (its children's CPU).  Reference: one in-process ffpf
# with the N filters in one request (the file read once).
FILE_NS=(1 2 4 8)
file_ffpf() { # TAG N: appends "wall_s cpu_ns daemon_ns clients_ns files users counts_ok busy_s cc_ns"
	local tag=$1 n=$2 i t0 t1 d0 d1 k0 k1 j ok=1 files users g e cc sj pj busy cj=()
	start_daemon
	rm -f "$W"/f*.out "$W"/f*.err "$W"/f*.time "$W/fst.raw" "$W/fcpu"
	[ -p "$W/nap" ] || mkfifo "$W/nap"
	d0=$(dcpu_ns "$DPID") k0=$(child_ns "$DPID")
	# samplers: the daemon's CPU (one thread) every 10 ms; status every 100 ms
	(
		p=$DPID
		exec 9<>"$W/nap" # a FIFO nobody writes: read -t on it sleeps without a fork
		while read -r c _ </proc/"$p"/schedstat; do echo "$EPOCHREALTIME $c"; read -r -t 0.01 -u 9 _ || true; done
	) >"$W/fcpu" 2>/dev/null &
	sj=$!
	BG+=("$sj")
	(
		exec 9<>"$W/nap"
		while :; do "$FFPF" status --json --daemon "$SOCK" 2>/dev/null || true; echo; read -r -t 0.1 -u 9 _ || true; done
	) >"$W/fst.raw" 2>/dev/null &
	pj=$!
	BG+=("$pj")
	t0=$EPOCHREALTIME
	for i in $(seq "$n"); do
		/usr/bin/time -f '%e %U %S' -o "$W/f$i.time" "$FFPF" run -q --json --duration 120 --daemon "$SOCK" \
			-r "$FTRACE" "$(req_of "${FILTERS[$((i - 1))]}")" >"$W/f$i.out" 2>"$W/f$i.err" &
		cj+=($!)
		BG+=($!)
	done
	for j in "${cj[@]}"; do wait "$j" || ok=0; bg_done "$j"; done
	t1=$EPOCHREALTIME
	d1=$(dcpu_ns "$DPID") k1=$(child_ns "$DPID")
	kill "$pj" 2>/dev/null || true; wait "$pj" 2>/dev/null || true; bg_done "$pj"
	stop_daemon # ends the sampler too
	wait "$sj" 2>/dev/null || true; bg_done "$sj"
	cc=$(cat "$W"/f*.time | awk '/^[0-9.]+ [0-9.]+ [0-9.]+$/ { s += ($2 + $3) * 1e9 } END { printf "%.0f", s }')
	# per status snapshot (one a line): its file sources and the most users of one; the maxima
	awk '{ n = gsub(/"class":"file"/, "&"); m = 0; s = $0
		while (match(s, /"class":"file"[^}]*"users":[0-9]+/)) { x = substr(s, RSTART, RLENGTH); sub(/.*"users":/, "", x); if (x + 0 > m) m = x + 0; s = substr(s, RSTART + RLENGTH) }
		if (n) print n, m }' "$W/fst.raw" >"$W/fst"
	cp "$W/fst.raw" "$W/raw/$tag.last.status"
	files=$(awk '{ if ($1 > m) m = $1 } END { print m + 0 }' "$W/fst")
	users=$(awk '{ if ($2 > m) m = $2 } END { print m + 0 }' "$W/fst")
	# distinct file sources named in the clients' results (file#ID: the group's function id)
	g=$(cat "$W"/f*.out | grep '"class":"file"' | grep -o '"name":"[^"]*"' | sort -u | wc -l)
	[ "$g" -le "$files" ] || files=$g
	for i in $(seq "$n"); do
		g=$(jcounts "$W/f$i.out" | head -1)
		e=M_FILE_$((i - 1))
		[ "${g:-x}" = "${!e}" ] || { ok=0; say "warning: $tag: client $i ('${FILTERS[$((i - 1))]}') counted ${g:-nothing}, the file has ${!e}: $(grep -v '^$' "$W/f$i.err" | head -2 | tr '\n' ' ')"; }
		cp "$W/f$i.out" "$W/raw/$tag.last.f$i.out"
	done
	cp "$W/fcpu" "$W/raw/$tag.last.cpu"
	# busy until: the last 10 ms sample in which the daemon ran more than half the time
	busy=$(awk -v t0="$t0" -v t1="$t1" 'NR > 1 && $1 <= t1 && ($2 - c) / (($1 - t) * 1e9) > 0.5 { last = $1 } { t = $1; c = $2 } END { printf "%.3f", (last ? last - t0 : 0) }' "$W/fcpu")
	echo "$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }') $((d1 - d0 + cc)) $((d1 - d0)) $cc $files $users $ok $busy $((k1 - k0))" >>"$W/raw/$tag"
}
file_tcpdump() { # TAG N: appends "wall_s cpu_ns"
	local tag=$1 n=$2
	/usr/bin/time -f '%e %U %S' -o "$W/ft.time" bash -c '
		t=$1; shift
		for f in "$@"; do tcpdump -r "$t" -w /dev/null "$f" 2>/dev/null & done
		wait' bash "$FTRACE" "${FILTERS[@]:0:$n}" || die "tcpdump -r $FTRACE"
	awk '{ printf "%s %.0f\n", $1, ($2 + $3) * 1e9 }' "$W/ft.time" >>"$W/raw/$tag"
}
file_inproc() { # TAG N: one ffpf process, the N filters in one request
	local tag=$1 n=$2 req='[' i sep=''
	for i in $(seq "$n"); do req="$req$sep $(req_of "${FILTERS[$((i - 1))]}")"; sep=' |'; done
	/usr/bin/time -f '%e %U %S' -o "$W/fi.time" "$FFPF" run -q -r "$FTRACE" "$req ]" >/dev/null || die "ffpf run -r $FTRACE"
	awk '{ printf "%s %.0f\n", $1, ($2 + $3) * 1e9 }' "$W/fi.time" >>"$W/raw/$tag"
}
say "file: N = ${FILE_NS[*]} on $(basename "$FTRACE") ($P_FILE packets), $RUNS runs (after an untimed warm-up)"
file_ffpf warm 8 # fills the compile cache for the daemon's flowgraphs
for n in "${FILE_NS[@]}"; do file_inproc warm_in "$n"; done
rm -f "$W/raw/warm" "$W/raw/warm_in"
for r in $(seq "$RUNS"); do
	for n in "${FILE_NS[@]}"; do
		file_tcpdump "ft_$n" "$n"
		file_ffpf "ff_$n" "$n"
		file_inproc "fi_$n" "$n"
	done
done

# ---- tables -------------------------------------------------------------------------------------
ELAPSED=$(($(date +%s) - T0))
NOW=$(date -u '+%Y-%m-%d %H:%M UTC')
SI_BASE=$(ppmed none 4)
kside() { awk -v a="$(ppmed "$1" 4)" -v b="$SI_BASE" 'BEGIN { if (a == "?") print "?"; else printf "%.0f", a - b }'; }
ksrng() { pp "$1" "${2:-4}" | sort -g | awk -v b="${3:-$SI_BASE}" 'NR == 1 { lo = $1 } { hi = $1 } END { if (!NR) print "?"; else printf "%.0f–%.0f", lo - b, hi - b }'; }
SQ_BASE=$(ppmed none 12)
sqside() { awk -v a="$(ppmed "$1" 12)" -v b="$SQ_BASE" 'BEGIN { if (a == "?") print "?"; else printf "%.0f", a - b }'; }
total() { awk -v c="$(ppmed "$1" 3)" -v k="$(kside "$1")" 'BEGIN { if (c == "?" || k == "?") print "?"; else printf "%.0f", c + k }'; }
lossdesc() { # TAG: "0" or "x.xx % (runs ...)": median loss %, and drops summed over the runs
	local t=$1 l d
	[ -s "$W/raw/$t" ] || { echo "?"; return; }
	l=$(awk '{ if ($8 > m) m = $8 } END { printf "%.3f", m }' "$W/raw/$t")
	d=$(sumcol "$t" 9)
	if [ "$l" = 0.000 ] && [ "$d" = 0 ]; then echo "0 (all runs)"; else echo "max $l % of matches; $d dropped in all"; fi
}
row() { # TAG LABEL N
	local t=$1
	if [ -n "${WHY[$t]:-}" ] || [ ! -s "$W/raw/$t" ]; then
		echo "| $2 | ${WHY[$t]:-not measured} | | | | | | | |"
		return
	fi
	local split=''
	[[ "$t" == ffpf* ]] && split=" (ffpfd $(fmt "$(ppmed "$t" 10)"), clients $(fmt "$(ppmed "$t" 11)"))"
	echo "| $2 | $(kpps "$(med "$t" 1)") | $(fmt "$(ppmed "$t" 3)") ($(pprng "$t" 3))$split | $(kside "$t") ($(ksrng "$t")) | $(sqside "$t") ($(ksrng "$t" 12 "$SQ_BASE")) | $(total "$t") | $(med "$t" 7) / $(med "$t" 6) | $(lossdesc "$t") |"
}
{
	echo "| config | offered kpps | capture processes CPU ns/pkt (range) | kernel side ns/pkt over baseline (range) | cross-check: machine-wide softirq ns/pkt over baseline (range) | total ns/pkt (processes + kernel side) | matches counted / sent (median) | lost |"
	echo "|---|---:|---:|---:|---:|---:|---:|---|"
	echo "| nothing capturing (baseline) | $(kpps "$(med none 1)") | | 0 (sender + ksoftirqd: $(fmt "$SI_BASE") ns/pkt) | 0 (softirq: $(fmt "$SQ_BASE") ns/pkt) | | | |"
	for n in "${NS_LIST[@]}"; do
		fl="filter 1"; [ "$n" = 1 ] || fl="filters 1–$n"
		row "tcpdump_$n" "$n × tcpdump, $fl" "$n"
		row "ffpf_$n" "ffpfd + $n ffpf, $fl" "$n"
	done
	row tcpdump_same "8 × tcpdump, 8 identical filters" 8
	row ffpf_same "ffpfd + 8 ffpf, 8 identical requests" 8
} >"$W/t_live"
# per run: processes ns/pkt, and processes + kernel side over the baseline
runs_proc() { pp "$1" 3; }
runs_total() { [ -f "$W/raw/$1" ] && awk -v b="$SI_BASE" '{ print ($3 + $4) / $2 - b }' "$W/raw/$1"; }
rratio() { # KIND TCPDUMP-TAG FFPF-TAG: "lowest–highest" of tcpdump's runs ÷ ffpf's runs (extremes)
	local a b
	a=$("runs_$1" "$2" | sort -g | awk 'NR == 1 { lo = $1 } { hi = $1 } END { print lo, hi }')
	b=$("runs_$1" "$3" | sort -g | awk 'NR == 1 { lo = $1 } { hi = $1 } END { print lo, hi }')
	awk -v a="$a" -v b="$b" 'BEGIN { split(a, x, " "); split(b, y, " ")
		if (y[1] > 0 && y[2] > 0 && x[1] > 0) printf "%.1f–%.1f", x[1] / y[2], x[2] / y[1]; else print "n/a" }'
}
{
	echo "| N | CPU tcpdump / ffpf, processes (all processes: the N tcpdumps / ffpfd + N clients) | (extremes of the runs) | CPU tcpdump / ffpf, processes + kernel side | (extremes of the runs) |"
	echo "|---|---:|---:|---:|---:|"
	for n in "${NS_LIST[@]}"; do
		echo "| $n different | $(ratio "$(ppmed "tcpdump_$n" 3)" "$(ppmed "ffpf_$n" 3)") | $(rratio proc "tcpdump_$n" "ffpf_$n") | $(ratio "$(total "tcpdump_$n")" "$(total "ffpf_$n")") | $(rratio total "tcpdump_$n" "ffpf_$n") |"
	done
	echo "| 8 identical | $(ratio "$(ppmed tcpdump_same 3)" "$(ppmed ffpf_same 3)") | $(rratio proc tcpdump_same ffpf_same) | $(ratio "$(total tcpdump_same)" "$(total ffpf_same)") | $(rratio total tcpdump_same ffpf_same) |"
} >"$W/t_ratio"
: >"$W/live.dat"
for n in "${NS_LIST[@]}"; do
	echo "$n $(fmt "$(ppmed "tcpdump_$n" 3)") $(total "tcpdump_$n") $(fmt "$(ppmed "ffpf_$n" 3)") $(total "ffpf_$n") $(fmt "$(ppmed "ffpf_$n" 10)")" >>"$W/live.dat"
done
echo "8 $(fmt "$(ppmed tcpdump_same 3)") $(total tcpdump_same) $(fmt "$(ppmed ffpf_same 3)") $(total ffpf_same) $(fmt "$(ppmed ffpf_same 10)")" >"$W/same.dat"

# overlay evidence from `ffpf status` during the last runs (after the traffic)
fnsummary() { # STATUS-JSON-FILE: one line per function of the group: name users in
	[ -s "$1" ] || { echo "(no status)"; return; }
	tr '{' '\n' <"$1" | awk '/"class":/ {
		n = ""; u = ""; i = ""
		if (match($0, /"name":"[^"]*"/)) n = substr($0, RSTART + 8, RLENGTH - 9)
		if (match($0, /"users":[0-9]+/)) u = substr($0, RSTART + 8, RLENGTH - 8)
		if (match($0, /"in":[0-9]+/)) i = substr($0, RSTART + 5, RLENGTH - 5)
		printf "%s%s users %s, in %s", sep, n, u, i; sep = "; " } END { print "" }'
}
flowspaces() { # STATUS-JSON-FILE(S): "class: flowspace" pairs of the functions, distinct
	cat "$@" 2>/dev/null | tr '{' '\n' | grep '"class":' | sed -n 's/.*"class":"\([^"]*\)".*"flowspace":"\([^"]*\)".*/\1 in \2/p' | sort -u | tr '\n' ',' | sed 's/,$//; s/,/, /g'
}
PLACED_LIVE=$(flowspaces "$W"/raw/ffpf_*.status-after.json)
PLACED_FILE=$(flowspaces "$W"/raw/ff_*.last.status)
OVL_SAME=$(fnsummary "$W/raw/ffpf_same.status-after.json")
OVL_8=$(fnsummary "$W/raw/ffpf_8.status-after.json")
NFN_8=$(tr '{' '\n' <"$W/raw/ffpf_8.status-after.json" 2>/dev/null | grep -c '"class":' || true)
NFN_SAME=$(tr '{' '\n' <"$W/raw/ffpf_same.status-after.json" 2>/dev/null | grep -c '"class":' || true)
BPF_USERS_SAME=$(tr '{' '\n' <"$W/raw/ffpf_same.status-after.json" 2>/dev/null | grep '"class":"bpf"' | grep -o '"users":[0-9]*' | cut -d: -f2 | tr '\n' ' ' | sed 's/ $//')

{
	echo "| N | tcpdump: wall s (range), CPU s | ffpfd + N clients: wall s (range); ffpfd done reading at s | ffpfd + N clients: CPU s (ffpfd incl. its compiler children; clients) | file sources in the daemon (most users of one) | counts complete | CPU tcpdump / ffpfd+clients | one ffpf, N filters in one request: wall s, CPU s |"
	echo "|---|---:|---:|---:|---|---|---:|---:|"
} >"$W/t_file"
: >"$W/file.dat"
frng() { col "$1" "$2" | sort -g | awk 'NR == 1 { lo = $1 } { hi = $1 } END { if (!NR) print "?"; else printf "%.2f–%.2f", lo, hi }'; }
secs() { awk -v v="$1" 'BEGIN { if (v == "?" || v == "") print "?"; else printf "%.2f", v / 1e9 }'; }
for n in "${FILE_NS[@]}"; do
	tw=$(med "ft_$n" 1) tc=$(secs "$(med "ft_$n" 2)")
	fw=$(med "ff_$n" 1) fc=$(secs "$(med "ff_$n" 2)") fb=$(med "ff_$n" 8)
	fd=$(secs "$(med "ff_$n" 3)") fcl=$(secs "$(med "ff_$n" 4)") fcc=$(secs "$(med "ff_$n" 9)")
	iw=$(med "fi_$n" 1) ic=$(secs "$(med "fi_$n" 2)")
	files=$(col "ff_$n" 5 | sort -gu | tr '\n' '/' | sed 's,/$,,')
	users=$(col "ff_$n" 6 | sort -gu | tr '\n' '/' | sed 's,/$,,')
	okc=$(awk '{ s += $7 } END { printf "%d of %d runs", s, NR }' "$W/raw/ff_$n")
	echo "| $n | $(fmt "$tw" 2) ($(frng "ft_$n" 1)), $tc | $(fmt "$fw" 2) ($(frng "ff_$n" 1)), $(fmt "$fb" 2) | $fc ($fd incl. cc $fcc; $fcl) | $files ($users) | $okc | $(ratio "$tc" "$fc") | $(fmt "$iw" 2), $ic |" >>"$W/t_file"
	echo "$n $tw $tc $fw $fc $iw $ic $fb $fcc" >>"$W/file.dat"
done

# ---- the target ---------------------------------------------------------------------------------
R8P=$(ratio "$(ppmed tcpdump_8 3)" "$(ppmed ffpf_8 3)")
R8T=$(ratio "$(total tcpdump_8)" "$(total ffpf_8)")
L8=$(lossdesc ffpf_8)
verdict() { awk -v r="${1%×}" 'BEGIN { print (r != "n/a" && r + 0 >= 6) ? "met" : "not met" }'; }
L8T=$(lossdesc tcpdump_8)
NOLOSS="No loss: ffpf $L8, tcpdump $L8T"
[[ "$L8" == 0* ]] || NOLOSS="**ffpf lost packets**: $L8 (tcpdump: $L8T)"
TARGET_LINE="Target (issue #5): 8 applications (8 different filters) ≥ 6× less total CPU than 8 tcpdumps, with no loss. **Processes** (ffpfd + 8 clients vs 8 tcpdumps): $R8P (runs' extremes $(rratio proc tcpdump_8 ffpf_8)) — **$(verdict "$R8P")**. **Processes + kernel side** (the receive path in softirq): $R8T (runs' extremes $(rratio total tcpdump_8 ffpf_8)) — **$(verdict "$R8T")**. $NOLOSS."

# ---- plots --------------------------------------------------------------------------------------
plot daemon.gp "$PLOTS/daemon-live.png, daemon-file.png" "gen='$(kpps "$PPS") kpps'; fpk='$P_FILE'"

# ---- report -------------------------------------------------------------------------------------
CPU_MODEL=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
FFV=$("$FFPF" --version 2>&1 | head -1)
TDV=$(tcpdump --version 2>&1 | sed -n '1p')
FL=$(for i in 0 1 2 3 4 5 6 7; do v=M_LIVE_$i; w=M_FILE_$i; printf '%s. `%s` (%s per pass, %s in the file); ' "$((i + 1))" "${FILTERS[$i]}" "${!v}" "${!w}"; done | sed 's/; $//')
PLOTREL=plots; [ "$WRITE" = 1 ] || PLOTREL=$PLOTS
BEGIN_MARK='<!-- bench/daemon.sh: begin — this section is rewritten by each run of bench/daemon.sh -->'
END_MARK='<!-- bench/daemon.sh: end -->'
RATE_T=''
if ls "$W"/raw/rate_* >/dev/null 2>&1; then
	RATE_T=$(
		echo "| rate asked (pps) | 8 × tcpdump: generator kpps, loss % of matches, kernel drops | ffpfd + 8 ffpf: generator kpps, loss % of matches, drops |"
		echo "|---:|---|---|"
		for r in $(for f in "$W"/raw/rate_*_tcpdump "$W"/raw/rate_*_ffpf; do [ -f "$f" ] && basename "$f"; done | sed 's,^rate_\([0-9]*\)_.*,\1,' | sort -gru); do
			a=$(awk '{ printf "%.0f, %.3f, %d", $1 / 1000, $8, $9 }' "$W/raw/rate_${r}_tcpdump" 2>/dev/null || echo "not tried")
			b=$(awk '{ printf "%.0f, %.3f, %d", $1 / 1000, $8, $9 }' "$W/raw/rate_${r}_ffpf" 2>/dev/null || echo "not tried")
			echo "| $r | $a | $b |"
		done
	)
fi
SECTION=$(
	echo "$BEGIN_MARK"
	echo
	echo "## Many applications on one ffpfd against as many tcpdumps (issue #5)"
	echo
	echo "Written by \`bench/daemon.sh\` (see [README.md](README.md#many-applications-on-ffpfd-benchdaemonsh))."
	echo
	echo "- date: $NOW; the whole run took ${ELAPSED} s"
	echo "- machine: $(nproc) CPUs, $CPU_MODEL; Linux $(uname -r); noisy shared machine (other jobs ran meanwhile): medians and ratios only"
	echo "- software: $FFV (CMake build type ${BUILD_TYPE:-?}; git: $REV; cksum of src/ include/ tools/ *.[ch]: $SRC_SUM), $TDV; tcpdump \`-B 65536\` (64 MiB, as ffpf's ring)"
	echo "- where ffpfd ran the functions (\`flowspace\` in \`ffpf status\`): live: ${PLACED_LIVE:-?}; file: ${PLACED_FILE:-?}"
	echo "- link: a veth pair between two network namespaces made by the script (MTU $MTU); ffpfd, its clients and the tcpdumps in one, the generator in the other"
	echo "- generator: tcpreplay $(tcpreplay --version 2>&1 | sed -n '1s/.*version: *\([^ ]*\).*/\1/p') -K --pps=$PPS --pps-multi=$PPS_MULTI --timer=nano --loop N, one sender; rate: $PPS_HOW"
	echo "- live trace: bench/live.sh's, $P_LOOP packets ($BYTES_LOOP bytes) per pass, looped for ${SECS} s per run; file: \`ffpf-gen --seed 2 --count $FPACKETS\` ($(stat -c %s "$FTRACE") bytes, in the page cache)"
	echo "- filters (bench/filters.txt; N applications use the first N): $FL"
	echo "- runs: $RUNS per case (median; range in parentheses), interleaved"
	echo
	echo "$TARGET_LINE"
	if [ -n "$RATE_T" ]; then
		echo
		echo "**Rate search** (one trial per rate, from the top):"
		echo
		echo "$RATE_T"
	fi
	echo
	echo "**(1) (2) Live, at $(kpps "$PPS") kpps** — CPU per packet on the wire (all packets, not only matches); capture processes = the N tcpdumps, or ffpfd + the N \`ffpf run\` clients (split in parentheses; with ffpfd's compiler children), from the first packet to 1.2 s after the last for tcpdump, 0.3 s for ffpf (see README); kernel side = the sender's CPU (tcpreplay user+sys) plus ksoftirqd's, where a veth runs the receive path (the packet sockets' filters, copies and wake-ups), minus the same with nothing capturing, as bench/live.sh; cross-check: the machine-wide softirq time (/proc/stat) over the same window, minus the same with nothing capturing; both noisy, ± a few hundred ns; lost = matches not counted, and drops (tcpdump: \"dropped by kernel\"; ffpf: the dev's ring_full and every drop reason but a filter's \"rejected\"):"
	echo
	cat "$W/t_live"
	echo
	cat "$W/t_ratio"
	echo
	echo "Overlay, from \`ffpf status\` after the traffic of the last run: 8 identical requests → $NFN_SAME functions in the daemon (bpf users: $BPF_USERS_SAME): $OVL_SAME. 8 different filters → $NFN_8 functions: $OVL_8."
	echo
	echo "![live: CPU per packet vs N]($PLOTREL/daemon-live.png)"
	echo
	echo "**(3) File source**: N applications reading one file, started together (\`ffpf run --daemon S -r FILE\` each; a fresh daemon per run), against N \`tcpdump -r FILE -w /dev/null F\` started together. Wall: from starting the N to the last one's exit (a served run on a trace ends by itself at its first refresh after the daemon reaches the end); \"done reading\": the last 10 ms in which ffpfd ran more than half the time. ffpf CPU: the daemon's over the wall time, with its children (cc, when it compiles a flowgraph not in its cache: the group's whole graph, once its changes settle), plus the clients' (user+sys). \"file sources\": the most the group had at once (\`ffpf status\` every 100 ms, and the file#IDs in the clients' results; N = nothing shared) and the most users one had; \"counts complete\": every client counted all of its filter's matches in the file:"
	echo
	cat "$W/t_file"
	echo
	echo "![file: CPU and wall time vs N]($PLOTREL/daemon-file.png)"
	echo
	echo "$END_MARK"
)
show_section "$SECTION"
if [ "$WRITE" = 1 ]; then write_section "$SECTION" "$BEGIN_MARK" "$END_MARK" "$W"; fi
