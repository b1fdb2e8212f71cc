#!/usr/bin/env bash
# bench/live.sh — live capture on a veth pair between two network namespaces (issue #4, point 7):
# ffpf with its functions placed in XDP, in the kernel or in the host, each against tcpdump with the
# same filter; the paper's Fig. 6 (transfer strategies × reads per packet) and Fig. 7 (waiting
# modes: idle CPU and peak rate).  Medians of several runs; gnuplot PNGs.  Root only.
#
#   bench/live.sh [--quick] [--runs N] [--secs S] [--idle S] [--senders N] [--build DIR]
#                 [--steps N] [--no-build] [--write | --no-write]
#
#   --quick       ~2 min: 1 run per case, 1.5 s of traffic, 3 s idle, 2 search steps
#   --runs N      runs per case, interleaved (default 3)
#   --secs S      seconds of traffic per run (default 3)
#   --idle S      seconds without traffic for the idle-CPU measurement of (e) (default 10)
#   --senders N   parallel tcpreplay processes (default: whichever of 1 or 2 reached the higher rate)
#   --steps N     trials of the search for the highest loss-free rate, for configs that lost
#                 packets at top speed (default 4)
#   --build DIR   CMake build directory (default /tmp/build-bench, as bench/run.sh)
#   --no-build    use DIR's ffpf and ffpf-gen as they are (e.g. while the tree is mid-edit)
#   --write       rewrite this script's section of bench/RESULTS.md and bench/plots/*.png
#                 (the default, except with --quick)
#   --no-write    print the tables only; the PNGs go to DIR/bench/live/plots/
#
# Everything runs inside two namespaces made here (ffpfLA<pid>, ffpfLB<pid>) joined by one veth
# pair: tcpreplay --topspeed --loop sends a generated trace from B, the capture runs in A.  The
# namespaces, the veth pair and every process started here are removed on exit, error or Ctrl-C.
# Options this ffpf build lacks (--lowest, --wait, transfer=) make their rows "not available in
# this build" instead of failing.  See bench/README.md for what each number means.
set -euo pipefail
# shellcheck source=bench/lib.sh
source "$(dirname "$0")/lib.sh"
ME=live

RUNS=3
SECS=3
IDLE=10
STEPS=4
SENDERS=auto
BUILD=/tmp/build-bench
WRITE=
QUICK=0
DOBUILD=1
PACKETS=100000 # packets in one pass of the trace (before removing VLAN-tagged frames)
while [ $# -gt 0 ]; do
	case "$1" in
	--quick) QUICK=1; RUNS=1; SECS=1.5; IDLE=3; STEPS=2; shift ;;
	--idle) IDLE=${2:?}; shift 2 ;;
	--idle=*) IDLE=${1#*=}; shift ;;
	--senders) SENDERS=${2:?}; shift 2 ;;
	--senders=*) SENDERS=${1#*=}; shift ;;
	--steps) STEPS=${2:?}; shift 2 ;;
	--steps=*) STEPS=${1#*=}; shift ;;
	*) common_opt "$@" || usage; shift "$OPT_SHIFT" ;;
	esac
done
[ -n "$WRITE" ] || WRITE=$((1 - QUICK))
[[ "$RUNS" =~ ^[1-9][0-9]?$ && "$STEPS" =~ ^[1-9]$ ]] && num_ok "$SECS" && num_ok "$IDLE" &&
	[[ "$SENDERS" = auto || "$SENDERS" =~ ^[1-8]$ ]] || usage

need_root
need_cmds ' (scripts/deps.sh installs it)' ip tcpreplay tcpdump cmake gnuplot /usr/bin/time awk

bench_dirs
work_dir live
T0=$(date +%s)

# ---- cleanup: every process started here, then the namespaces (which take the veth pair along) --
netns_init L

# ---- build --------------------------------------------------------------------------------------
build_ffpf "$W" ffpf ffpf ffpf-gen
FFPF=$BUILD/ffpf

# ---- what this build can do ---------------------------------------------------------------------
HELP=$("$FFPF" --help 2>&1 || true)
HAVE_LOWEST=0 HAVE_WAIT=0 HAVE_TRANSFER=0
grep -q -- '--lowest' <<<"$HELP" && HAVE_LOWEST=1
grep -q -- '--wait' <<<"$HELP" && HAVE_WAIT=1
"$FFPF" classes 2>/dev/null | awk '/^dev /{ d = 1; next } /^[^ ]/{ d = 0 } d && $1 == "param" && $2 == "transfer" { f = 1 } END { exit !f }' &&
	HAVE_TRANSFER=1
say "this build: --lowest $([ $HAVE_LOWEST = 1 ] && echo yes || echo no), --wait $([ $HAVE_WAIT = 1 ] && echo yes || echo no), dev transfer= $([ $HAVE_TRANSFER = 1 ] && echo yes || echo no)"
HOST=()
[ $HAVE_LOWEST = 1 ] && HOST=(--lowest host)

# ---- the trace: ffpf-gen for a 1500-byte MTU, without VLAN-tagged frames -------------------------
# MTU 1500 (no jumbo frames: --snaplen below 9000) because veth runs XDP programs natively only up
# to an MTU of about 3500 (above, ffpf falls back to generic XDP, which is not what a NIC does).
# On a veth the kernel takes the 802.1Q tag off into the skb, so a kernel socket filter (tcpdump's,
# and ffpf's in --lowest kernel) would see tagged packets as untagged and count more than an
# offline run; without tagged frames every capturer must count exactly what the trace holds.
F='tcp dst port 80'
F2='udp port 53'
MTU=1500
live_trace
cat "$TRACE" >/dev/null
jnum() { # file, function name, key: the number "key":N in that function's line of ffpf --json
	grep "\"name\":\"$2\"" "$1" 2>/dev/null | grep -o "\"$3\":[0-9]*" | head -1 | cut -d: -f2
}
jdev() { grep '"class":"dev"' "$1" 2>/dev/null | grep -o "\"$2\":[0-9]*" | head -1 | cut -d: -f2; }
jflow() { grep "\"name\":\"$2\"" "$1" 2>/dev/null | grep -o '"flowspace":"[^"]*"' | head -1 | cut -d'"' -f4; }
"$FFPF" run -q --json -r "$TRACE" "[ all:(count) | (bpf,\"$F\") > m:(count) | (bpf,\"$F2\") > m2:(count) ]" >"$W/offline.json" ||
	die "ffpf run -r $TRACE"
P_LOOP=$(jnum "$W/offline.json" all packets)
M_LOOP=$(jnum "$W/offline.json" m packets)
M2_LOOP=$(jnum "$W/offline.json" m2 packets)
TD_M=$(tcpdump -n -r "$TRACE" "$F" 2>/dev/null | wc -l)
[ "$TD_M" = "$M_LOOP" ] || die "'$F': ffpf counts $M_LOOP in the trace, tcpdump $TD_M"
BYTES_LOOP=$(stat -c %s "$TRACE")
MATCH_PCT=$(awk -v a="$M_LOOP" -v b="$P_LOOP" 'BEGIN { printf "%.2f", 100 * a / b }')
say "trace: $P_LOOP packets per pass, '$F' matches $M_LOOP ($MATCH_PCT %), '$F2' matches $M2_LOOP"

# ---- the namespaces -----------------------------------------------------------------------------
netns_up

# ---- measuring ----------------------------------------------------------------------------------

CAP_PID='' CAP_JOB='' CAP_KIND='' CAP_C0=0
# start_cap ID tcpdump FILTER | start_cap ID ffpf FFPF-RUN-OPTIONS... REQUEST
# Starts a capture in A and waits until it listens; returns 1 (and leaves ID.err) if it failed.
start_cap() {
	local id=$1 i
	CAP_KIND=$2
	shift 2
	rm -f "$W/$id.pid" "$W/$id.out" "$W/$id.err"
	if [ "$CAP_KIND" = tcpdump ]; then
		ip netns exec "$NA" sh -c 'echo $$ >"$0"; exec tcpdump -i "$1" -w /dev/null "$2"' \
			"$W/$id.pid" "$IA" "$1" >"$W/$id.out" 2>"$W/$id.err" &
	else # --duration: a safety net should this script be killed without its trap
		ip netns exec "$NA" sh -c 'echo $$ >"$0"; exec "$@"' "$W/$id.pid" \
			"$FFPF" run -q --json --duration 900 "$@" >"$W/$id.out" 2>"$W/$id.err" &
	fi
	CAP_JOB=$!
	BG+=("$CAP_JOB")
	for i in $(seq 100); do
		kill -0 "$CAP_JOB" 2>/dev/null || { wait "$CAP_JOB" || true; bg_done "$CAP_JOB"; return 1; }
		if [ "$CAP_KIND" = tcpdump ]; then
			grep -q 'listening on' "$W/$id.err" && break
		else # a packet socket in A, or an XDP program on the interface
			{ [ "$(ip netns exec "$NA" cat /proc/net/packet | wc -l)" -gt 1 ] ||
				ip -n "$NA" link show "$IA" | grep -q xdp; } && break
		fi
		sleep 0.05
	done
	sleep 0.4 # let it settle (compile cache, first poll)
	kill -0 "$CAP_JOB" 2>/dev/null || { wait "$CAP_JOB" || true; bg_done "$CAP_JOB"; return 1; }
	CAP_PID=$(cat "$W/$id.pid")
}
stop_cap() {
	kill -INT "$CAP_PID" 2>/dev/null || true
	wait "$CAP_JOB" 2>/dev/null || true
	bg_done "$CAP_JOB"
	CAP_PID=
}

GEN_PPS=300000 # per sender, until calibrated
NS=1
# send LOOPS PPS: NS tcpreplays in B, each LOOPS passes of the trace, at PPS in all (0: topspeed).
# Sets SENT (packets that reached A), SEND_S (wall s), GEN_RATE (packets/s as tcpreplay reports
# them, summed over the senders), SND_NS (CPU ns of the senders and ksoftirqd), and CAP_C0 (the
# capture's CPU at the first packet, when a capture runs).
send() {
	local loops=$1 pps=$2 i rate rx0 k0 t0 j=()
	if [ "$pps" = 0 ]; then rate=(--topspeed); else rate=(--pps="$(awk -v p="$pps" -v n="$NS" 'BEGIN { printf "%.0f", p / n }')"); fi
	rm -f "$W"/snd*.out "$W"/snd*.time
	rx0=$(rx) k0=$(ksoft_ns) t0=$(now_ns)
	for i in $(seq "$NS"); do
		sender "$i" "${rate[@]}" --loop "$loops"
		j+=("$SND_JOB")
	done
	# the capture's CPU is counted from the first packet on (the senders first load the trace)
	if [ -n "$CAP_PID" ]; then
		wait_rx "$rx0"
		CAP_C0=$(cpu_ns "$CAP_PID")
	fi
	for i in "${j[@]}"; do
		wait "$i" || die "tcpreplay failed: $(cat "$W"/snd*.out | head -5)"
		bg_done "$i"
	done
	SEND_S=$(awk -v a="$t0" -v b="$(now_ns)" 'BEGIN { printf "%.3f", (b - a) / 1e9 }')
	sleep 0.05
	SENT=$(($(rx) - rx0))
	GEN_RATE=$(rated_pps "$W"/snd*.out)
	SND_NS=$(cat "$W"/snd*.time | awk -v k="$(($(ksoft_ns) - k0))" '{ s += ($1 + $2) * 1e9 } END { printf "%.0f", s + k }')
	[ "$SENT" = $((loops * NS * P_LOOP)) ] ||
		say "warning: $((loops * NS * P_LOOP)) packets sent, $SENT reached $IA"
}
loops_for() { # passes of the trace per sender for SECS seconds at PPS in all (0: the generator's rate)
	awk -v s="$SECS" -v p="$1" -v g="$GEN_PPS" -v n="$NS" -v l="$P_LOOP" \
		'BEGIN { r = (p > 0) ? p / n : g; x = int(s * r / l + 0.5); print (x < 1) ? 1 : x }'
}

# One measured run: start the capture, send, stop, and append a line to raw/TAG:
#   offered_pps processed_pps loss_pct cap_ns_per_pkt snd_ns_per_pkt expected got flowspace copied%
# KIND is tcpdump or ffpf; WANT is the count expected per pass (M_LOOP, or P_LOOP for (count)).
# Returns 1 when the capture could not start (the reason in raw/TAG.why).
measure() { # TAG PPS WANT KIND ARGS...
	local tag=$1 pps=$2 want=$3 kind=$4 c0 c1 got exp where lossp
	shift 4
	if ! start_cap cap "$kind" "$@"; then
		CAP_PID=
		{ grep -v '^$' "$W/cap.err" | head -2 | tr '\n' ' '; echo; } >"$W/raw/$tag.why"
		return 1
	fi
	send "$(loops_for "$pps")" "$pps"
	c0=$CAP_C0
	# Drain what is left in the ring before stopping.  tcpdump's ring blocks reach it only when
	# full or after libpcap's 1 s timeout, so it gets 1.2 s, and its CPU is read after them (it
	# sleeps meanwhile); ffpf's blocks retire after 10 ms: its CPU is read 0.1 s after the last
	# packet (a spinning --wait poll would otherwise add its idle spin), then 0.3 s more.
	if [ "$kind" = tcpdump ]; then
		sleep 1.2
		c1=$(cpu_ns "$CAP_PID")
	else
		sleep 0.1
		c1=$(cpu_ns "$CAP_PID")
		sleep 0.3
	fi
	stop_cap
	exp=$((SENT / P_LOOP * want))
	if [ "$kind" = tcpdump ]; then
		got=$(sed -n 's/^\([0-9]*\) packets captured.*/\1/p' "$W/cap.err")
		where="kernel (socket filter) + tcpdump"
	else
		got=$(jnum "$W/cap.out" m packets)
		where=$(jflow "$W/cap.out" m)
		local b; b=$(grep -o '"name":"[^"]*","class":"bpf"' "$W/cap.out" | head -1 | cut -d'"' -f4)
		[ -n "$b" ] && where="filter $(jflow "$W/cap.out" "$b"), count $where" || where="count $where"
		case "$(grep '"class":"dev"' "$W/cap.out" | grep -o '"where":"[^"]*"')" in
		*generic*) where="$where (generic XDP)" ;;
		*native*) where="$where (native XDP)" ;;
		esac
	fi
	if [ -z "$got" ]; then
		{ echo "no result: $(grep -v '^$' "$W/cap.err" | head -2 | tr '\n' ' ')"; } >"$W/raw/$tag.why"
		return 1
	fi
	cp "$W/cap.out" "$W/raw/$tag.last.out"; cp "$W/cap.err" "$W/raw/$tag.last.err"
	[ "$got" -le "$exp" ] || say "warning: $tag counted $got, more than the $exp sent packets that match"
	lossp=$(awk -v e="$exp" -v g="$got" 'BEGIN { printf "%.3f", (e > 0) ? 100 * (e - g) / e : 0 }')
	local copied=-1 # dev's "copied" (transfer strategies), as a % of the packets sent
	[ "$kind" = ffpf ] && [ -n "$(jdev "$W/cap.out" copied)" ] && copied=$(jdev "$W/cap.out" copied)
	awk -v sent="$SENT" -v s="$SEND_S" -v rate="$GEN_RATE" -v l="$lossp" -v c="$((c1 - c0))" \
		-v k="$SND_NS" -v e="$exp" -v g="$got" -v w="${where// /_}" -v cp="$copied" 'BEGIN {
		printf "%.0f %.0f %s %.1f %.1f %d %d %s %s\n", rate, rate * (1 - l / 100), l, c / sent, k / sent, e, g, w,
			(cp < 0) ? "?" : sprintf("%.1f", 100 * cp / sent) }' \
		>>"$W/raw/$tag"
}
rng() { # TAG COL [kpps]: "min–max" of a column over the runs
	col "$1" "$2" | sort -g | awk -v k="${3:-}" 'NR == 1 { lo = $1 } { hi = $1 }
		END { if (!NR) print "?"; else if (k != "") printf "%.0f–%.0f", lo / 1000, hi / 1000; else printf "%.0f–%.0f", lo, hi }'
}

# ---- 0. the generator ---------------------------------------------------------------------------
# tcpreplay --topspeed --loop, the trace preloaded (-K), with nothing capturing: 1 and 2 senders.
say "generator: tcpreplay --topspeed, 1 and 2 senders, nothing capturing ($RUNS runs each)"
for r in $(seq "$RUNS"); do
	for n in 1 2; do
		NS=$n
		send "$(loops_for 0)" 0
		echo "$GEN_RATE $SND_NS $SENT" | awk '{ printf "%.0f %.1f\n", $1, $2 / $3 }' >>"$W/raw/gen$n"
		[ "$n" = 1 ] && GEN_PPS=$(med gen1 1)
	done
done
G1=$(med gen1 1) G2=$(med gen2 1)
if [ "$SENDERS" = auto ]; then
	NS=$(awk -v a="$G1" -v b="$G2" 'BEGIN { print (b > a * 1.05) ? 2 : 1 }')
else
	NS=$SENDERS
fi
GEN_PPS=$(awk -v a="$G1" -v b="$G2" -v n="$NS" 'BEGIN { print (n == 1) ? a : b / 2 }')
GEN_TOTAL=$(med "gen$NS" 1); [ "$GEN_TOTAL" != "?" ] || GEN_TOTAL=$(awk -v g="$GEN_PPS" -v n="$NS" 'BEGIN { print g * n }')
say "generator: 1 sender $(kpps "$G1") kpps, 2 senders $(kpps "$G2") kpps: using $NS"

# ---- (a) (b) (c) vs tcpdump ---------------------------------------------------------------------
# Every config runs at the generator's top speed, RUNS times, interleaved; then, for the configs
# that lost packets at top speed, a binary search (STEPS trials with tcpreplay --pps) for the
# highest rate without loss.
REQ_A='m:(count)'
REQ_BC="(bpf,\"$F\") > m:(count)"
declare -A LABEL WANT ARGS WHY
CONFIGS=(tcpdump)
LABEL[tcpdump]="tcpdump \`-w /dev/null '$F'\`"
WANT[tcpdump]=$M_LOOP
if [ $HAVE_LOWEST = 1 ]; then
	CONFIGS+=(a b c)
	LABEL[a]="(a) ffpf --lowest xdp \`(count)\`"; WANT[a]=$P_LOOP; ARGS[a]="--lowest xdp"
	LABEL[b]="(b) ffpf --lowest kernel \`(bpf,F) > (count)\`"; WANT[b]=$M_LOOP; ARGS[b]="--lowest kernel"
	LABEL[c]="(c) ffpf --lowest host \`(bpf,F) > (count)\`"; WANT[c]=$M_LOOP; ARGS[c]="--lowest host"
else
	CONFIGS+=(c)
	LABEL[c]="(c) ffpf (host; no --lowest) \`(bpf,F) > (count)\`"; WANT[c]=$M_LOOP; ARGS[c]=""
	WHY[a]="not available in this build (no --lowest)"
	WHY[b]="not available in this build (no --lowest)"
fi
req_of() { if [ "$1" = a ]; then echo "$REQ_A"; else echo "$REQ_BC"; fi; }
run_config() { # CONFIG TAG PPS
	local c=$1
	if [ "$c" = tcpdump ]; then
		measure "$2" "$3" "${WANT[$c]}" tcpdump "$F"
	else
		# shellcheck disable=SC2086
		measure "$2" "$3" "${WANT[$c]}" ffpf ${ARGS[$c]} -i "$IA" "$(req_of "$c")"
	fi
}
say "(a)(b)(c) vs tcpdump: ${CONFIGS[*]}, $RUNS runs at top speed"
for r in $(seq "$RUNS"); do
	# the baseline: the same traffic with nothing capturing (the sender's and softirq CPU without
	# a capture, subtracted from every config's as "kernel side")
	send "$(loops_for 0)" 0
	echo "$GEN_RATE $SND_NS $SENT" | awk '{ printf "%.0f %.1f\n", $1, $2 / $3 }' >>"$W/raw/none"
	for c in "${CONFIGS[@]}"; do
		[ -z "${WHY[$c]:-}" ] || continue
		run_config "$c" "top_$c" 0 || { WHY[$c]="failed: $(cat "$W/raw/top_$c.why")"; say "$c: ${WHY[$c]}"; }
	done
done
SND_BASE=$(med none 2)
declare -A MLFR
# mlfr KEY WANT KIND ARGS...: MLFR[KEY] = the highest loss-free rate: "≥ top speed" when no run at
# top speed (raw/top_KEY) lost a packet, else a binary search of STEPS trials with tcpreplay --pps
# between 0 and the top speed (each trial's line in raw/search_KEY: requested pps, then measure's).
mlfr() {
	local key=$1 lo=0 hi best='' mid s
	shift
	if [ "$(awk '$3 > 0 { n++ } END { print n + 0 }' "$W/raw/top_$key")" = 0 ]; then
		MLFR[$key]="≥ $(kpps "$(med "top_$key" 1)")" # never lost a packet: bounded by the generator
		return 0
	fi
	hi=$(med "top_$key" 1)
	say "$key lost packets at top speed: searching the loss-free rate below $(kpps "$hi") kpps"
	for s in $(seq "$STEPS"); do
		mid=$(awk -v a="$lo" -v b="$hi" 'BEGIN { printf "%.0f", (a + b) / 2 }')
		rm -f "$W/raw/try_$key"
		measure "try_$key" "$mid" "$@" || break
		echo "$mid $(cat "$W/raw/try_$key")" >>"$W/raw/search_$key"
		if awk '{ exit !($3 == 0) }' "$W/raw/try_$key"; then
			lo=$mid best=$(awk '{ print $1 }' "$W/raw/try_$key") # the rate tcpreplay reached
		else
			hi=$mid
		fi
	done
	if [ -z "$best" ]; then MLFR[$key]="< $(kpps "$hi")"; else MLFR[$key]="$(kpps "$best")"; fi
}
for c in "${CONFIGS[@]}"; do
	[ -z "${WHY[$c]:-}" ] || continue
	if [ "$c" = tcpdump ]; then
		mlfr "$c" "${WANT[$c]}" tcpdump "$F"
	else
		# shellcheck disable=SC2086
		mlfr "$c" "${WANT[$c]}" ffpf ${ARGS[$c]} -i "$IA" "$(req_of "$c")"
	fi
done

# ---- (d) Fig. 6: transfer strategies × reads per packet -----------------------------------------
# shellcheck disable=SC2034 # REQ_R0..2 are read as ${!rq}
REQ_R0='m:(count)'
REQ_R1="(bpf,\"$F\") > m:(count)"
REQ_R2="[ (bpf,\"$F\") > m:(count) | (bpf,\"$F2\") > m2:(count) ]"
if [ $HAVE_TRANSFER = 1 ]; then XFERS=(zero-copy copy-once copy-on-demand); else XFERS=(default); fi
say "(d) Fig. 6: transfer ${XFERS[*]} × 0, 1, 2 reads, $RUNS runs at top speed"
declare -A DWHY
for r in $(seq "$RUNS"); do
	for x in "${XFERS[@]}"; do
		for k in 0 1 2; do
			[ -z "${DWHY[$x]:-}" ] || continue
			req_var=REQ_R$k
			req=${!req_var}
			want=$M_LOOP; [ $k = 0 ] && want=$P_LOOP
			# the source named in the request (transfer=), or -i for this build's default
			if [ "$x" = default ]; then src=(-i "$IA"); else src=(); req="(dev,$IA,transfer=$x) > $req"; fi
			measure "d_${x}_$k" 0 "$want" ffpf "${HOST[@]}" "${src[@]}" "$req" ||
				{ DWHY[$x]="failed: $(cat "$W/raw/d_${x}_$k.why")"; say "(d) $x: ${DWHY[$x]}"; }
		done
	done
done

# ---- (e) Fig. 7: waiting modes: idle CPU, peak rate ---------------------------------------------
if [ $HAVE_WAIT = 1 ]; then MODES=(interrupt poll adaptive); else MODES=(default); fi
say "(e) Fig. 7: ${MODES[*]}: ${IDLE} s idle each, then $RUNS runs at top speed"
declare -A EWHY IDLE_PCT
idle_of() { # TAG KIND ARGS...: CPU % of the capture over IDLE seconds without traffic
	local tag=$1 c0 c1 t0 t1
	shift
	start_cap idle "$@" || { CAP_PID=; EWHY[$tag]="failed: $(grep -v '^$' "$W/idle.err" | head -1)"; return 1; }
	t0=$(now_ns) c0=$(cpu_ns "$CAP_PID")
	sleep "$IDLE"
	t1=$(now_ns) c1=$(cpu_ns "$CAP_PID")
	stop_cap
	IDLE_PCT[$tag]=$(awk -v c="$((c1 - c0))" -v t="$((t1 - t0))" 'BEGIN { printf "%.2f", 100 * c / t }')
}
idle_of tcpdump tcpdump "$F" || true
for m in "${MODES[@]}"; do
	if [ "$m" = default ]; then wopt=(); else wopt=(--wait "$m"); fi
	idle_of "$m" ffpf "${HOST[@]}" "${wopt[@]}" -i "$IA" "$REQ_BC" || say "(e) $m: ${EWHY[$m]}"
done
for r in $(seq "$RUNS"); do
	for m in "${MODES[@]}"; do
		[ -z "${EWHY[$m]:-}" ] || continue
		if [ "$m" = default ]; then wopt=(); else wopt=(--wait "$m"); fi
		measure "top_e_$m" 0 "$M_LOOP" ffpf "${HOST[@]}" "${wopt[@]}" -i "$IA" "$REQ_BC" ||
			{ EWHY[$m]="failed: $(cat "$W/raw/top_e_$m.why")"; say "(e) $m: ${EWHY[$m]}"; }
	done
done
for m in "${MODES[@]}"; do
	[ -z "${EWHY[$m]:-}" ] || continue
	if [ "$m" = default ]; then wopt=(); else wopt=(--wait "$m"); fi
	mlfr "e_$m" "$M_LOOP" ffpf "${HOST[@]}" "${wopt[@]}" -i "$IA" "$REQ_BC"
done

# ---- tables -------------------------------------------------------------------------------------
ELAPSED=$(($(date +%s) - T0))
NOW=$(date -u '+%Y-%m-%d %H:%M UTC')
GEN_DESC="tcpreplay $(tcpreplay --version 2>&1 | sed -n '1s/.*version: *\([^ ]*\).*/\1/p') -K --topspeed --loop N, $NS sender(s) in parallel"
T_GEN=$(
	echo "| generator (nothing capturing) | median kpps | sender+softirq CPU ns/packet |"
	echo "|---|---:|---:|"
	echo "| tcpreplay --topspeed, 1 sender | $(kpps "$G1") | $(fmt "$(med gen1 2)") |"
	echo "| tcpreplay --topspeed, 2 senders in parallel | $(kpps "$G2") | $(fmt "$(med gen2 2)") |"
)
{
	echo "| config | runs in | offered kpps | processed kpps (range) | loss % | max loss-free kpps | capture CPU ns/pkt (range) | kernel-side ns/pkt |"
	echo "|---|---|---:|---:|---:|---:|---:|---:|"
	echo "| nothing capturing (baseline) | | $(kpps "$(med none 1)") | | | | | 0 (sender+softirq: $(fmt "$SND_BASE")) |"
} >"$W/t_main"
: >"$W/main.dat"
for c in tcpdump a b c; do
	[ -n "${LABEL[$c]:-}" ] || LABEL[$c]="($c)"
	if [ -n "${WHY[$c]:-}" ] || [ ! -s "$W/raw/top_$c" ]; then
		echo "| ${LABEL[$c]} | ${WHY[$c]:-not measured} | | | | | | |" >>"$W/t_main"
		continue
	fi
	where=$(tail -1 "$W/raw/top_$c" | awk '{ print $8 }' | tr _ ' ')
	kern=$(awk -v a="$(med "top_$c" 5)" -v b="$SND_BASE" 'BEGIN { printf "%.0f", a - b }')
	echo "| ${LABEL[$c]} | $where | $(kpps "$(med "top_$c" 1)") | $(kpps "$(med "top_$c" 2)") ($(rng "top_$c" 2 k)) | $(fmt "$(med "top_$c" 3)" 2) | ${MLFR[$c]} | $(fmt "$(med "top_$c" 4)") ($(rng "top_$c" 4)) | $kern |" >>"$W/t_main"
	short=$c; [ "$c" = tcpdump ] || short="($c) ffpf $(awk '{ print $1 }' <<<"${ARGS[$c]#--lowest }")"
	[ "$c" = c ] && [ $HAVE_LOWEST = 0 ] && short="(c) ffpf host"
	printf '"%s" %s %s %s %s %s\n' "$short" "$(kpps "$(med "top_$c" 1)")" "$(kpps "$(med "top_$c" 2)")" \
		"$(fmt "$(med "top_$c" 4)")" "$kern" "$(fmt "$(med "top_$c" 3)" 2)" >>"$W/main.dat"
done
{
	echo
	echo "| ratio (medians) | value |"
	echo "|---|---:|"
	for c in a b c; do
		[ -z "${WHY[$c]:-}" ] && [ -s "$W/raw/top_$c" ] && [ -s "$W/raw/top_tcpdump" ] || continue
		gb=
		[[ "${MLFR[$c]}" == ≥* && "${MLFR[tcpdump]}" == ≥* ]] && gb=" (neither lost a packet: the generator's rate with each, not a capacity)"
		echo "| ($c) processed rate ffpf / tcpdump$gb | $(ratio "$(med "top_$c" 2)" "$(med top_tcpdump 2)") |"
		echo "| ($c) capture CPU per packet tcpdump / ffpf | $(ratio "$(med top_tcpdump 4)" "$(med "top_$c" 4)") |"
		echo "| ($c) capture + kernel-side CPU per packet tcpdump / ffpf (kernel side: noisy, see README) | $(ratio "$(awk -v a="$(med top_tcpdump 4)" -v b="$(med top_tcpdump 5)" -v s="$SND_BASE" 'BEGIN { print a + b - s }')" "$(awk -v a="$(med "top_$c" 4)" -v b="$(med "top_$c" 5)" -v s="$SND_BASE" 'BEGIN { print a + b - s }')") |"
	done
} >>"$W/t_main"

{
	echo "| transfer | reads/packet | request | offered kpps | processed kpps (range) | loss % | capture CPU ns/pkt (range) | kernel-side ns/pkt | copied % |"
	echo "|---|---:|---|---:|---:|---:|---:|---:|---:|"
} >"$W/t_d"
: >"$W/fig6.dat"
for x in zero-copy copy-once copy-on-demand default; do
	if [ "$x" = default ] && [ $HAVE_TRANSFER = 1 ]; then continue; fi
	if [ "$x" != default ] && [ $HAVE_TRANSFER = 0 ]; then
		echo "| $x | 0, 1, 2 | | not available in this build (dev has no transfer=) | | | | | |" >>"$W/t_d"
		continue
	fi
	if [ -n "${DWHY[$x]:-}" ]; then echo "| $x | | | ${DWHY[$x]} | | | | | |" >>"$W/t_d"; continue; fi
	echo "# $x" >>"$W/fig6.dat"
	for k in 0 1 2; do
		rq=REQ_R$k
		kern=$(awk -v a="$(med "d_${x}_$k" 5)" -v b="$SND_BASE" 'BEGIN { printf "%.0f", a - b }')
		echo "| $x | $k | \`${!rq}\` | $(kpps "$(med "d_${x}_$k" 1)") | $(kpps "$(med "d_${x}_$k" 2)") ($(rng "d_${x}_$k" 2 k)) | $(fmt "$(med "d_${x}_$k" 3)" 2) | $(fmt "$(med "d_${x}_$k" 4)") ($(rng "d_${x}_$k" 4)) | $kern | $(col "d_${x}_$k" 9 | tail -1) |" >>"$W/t_d"
		echo "$k $(kpps "$(med "d_${x}_$k" 2)") $(fmt "$(med "d_${x}_$k" 4)") $kern" >>"$W/fig6.dat"
	done
	printf '\n\n' >>"$W/fig6.dat"
done

{
	echo "| waiting mode | idle CPU % (${IDLE} s, no traffic) | offered kpps | peak processed kpps (range) | loss % | max loss-free kpps | capture CPU ns/pkt (range) |"
	echo "|---|---:|---:|---:|---:|---:|---:|"
	echo "| tcpdump (reference) | ${IDLE_PCT[tcpdump]:-?} | see above | | | | |"
} >"$W/t_e"
: >"$W/fig7.dat"
for m in interrupt poll adaptive default; do
	if [ "$m" = default ] && [ $HAVE_WAIT = 1 ]; then continue; fi
	if [ "$m" != default ] && [ $HAVE_WAIT = 0 ]; then
		echo "| $m | not available in this build (no --wait) | | | | | |" >>"$W/t_e"
		continue
	fi
	if [ -n "${EWHY[$m]:-}" ]; then echo "| $m | ${EWHY[$m]} | | | | | |" >>"$W/t_e"; continue; fi
	t=top_e_$m
	echo "| $m | ${IDLE_PCT[$m]:-?} | $(kpps "$(med "$t" 1)") | $(kpps "$(med "$t" 2)") ($(rng "$t" 2 k)) | $(fmt "$(med "$t" 3)" 2) | ${MLFR[e_$m]:-?} | $(fmt "$(med "$t" 4)") ($(rng "$t" 4)) |" >>"$W/t_e"
	case "${MLFR[e_$m]:-?}" in "<"*|"?") lf="?" ;; *) lf=$(sed 's/^[^0-9]*//' <<<"${MLFR[e_$m]}") ;; esac
	echo "\"$m\" ${IDLE_PCT[$m]:-?} $(kpps "$(med "$t" 2)") $(kpps "$(med "$t" 1)") $lf" >>"$W/fig7.dat"
done
cp "$W/fig7.dat" "$W/fig7idle.dat"
if [ -n "${IDLE_PCT[tcpdump]:-}" ]; then echo "\"tcpdump\" ${IDLE_PCT[tcpdump]} ? ?" >>"$W/fig7idle.dat"; fi

# ---- plots --------------------------------------------------------------------------------------
XF_LIST=$(grep '^# ' "$W/fig6.dat" | cut -c3- | tr '\n' ' ')
plot live.gp "$PLOTS/live-capture.png, live-fig6.png, live-fig7.png" \
	"xfers='$XF_LIST'; gen='$(kpps "$GEN_TOTAL") kpps, $NS sender(s)'"

# ---- report -------------------------------------------------------------------------------------
CPU_MODEL=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
FFV=$("$FFPF" --version 2>&1 | head -1)
TDV=$(tcpdump --version 2>&1 | sed -n '1p')
src_rev
MISSING=()
[ $HAVE_LOWEST = 1 ] || MISSING+=("\`--lowest\` (rows (a), (b); (c), (d), (e) ran with every function in the host, as this build always does)")
[ $HAVE_TRANSFER = 1 ] || MISSING+=("\`(dev,…,transfer=)\` (Fig. 6: only this build's default transfer measured)")
[ $HAVE_WAIT = 1 ] || MISSING+=("\`--wait\` (Fig. 7: only this build's default waiting measured)")
PLOTREL=plots; [ "$WRITE" = 1 ] || PLOTREL=$PLOTS
PLACE="\`${HOST[*]:-}\`"; [ ${#HOST[@]} -gt 0 ] || PLACE="this build's placement: all in the host"
BEGIN_MARK='<!-- bench/live.sh: begin — this section is rewritten by each run of bench/live.sh -->'
END_MARK='<!-- bench/live.sh: end -->'
SECTION=$(
	echo "$BEGIN_MARK"
	echo
	echo "## Live capture on a veth pair (issue #4)"
	echo
	echo "Written by \`bench/live.sh\` (see [README.md](README.md#live-capture-benchlivesh))."
	echo
	echo "- date: $NOW; the whole run took ${ELAPSED} s"
	echo "- machine: $(nproc) CPUs, $CPU_MODEL; Linux $(uname -r); noisy shared machine: medians and ratios only"
	echo "- software: $FFV (CMake build type ${BUILD_TYPE:-?}; git: $REV; cksum of src/ include/ tools/ *.[ch]: $SRC_SUM), $TDV"
	echo "- link: a veth pair between two network namespaces made by the script (MTU $MTU); capture in one, generator in the other"
	echo "- generator: $GEN_DESC; it reached **$(kpps "$GEN_TOTAL") kpps** with nothing capturing (median)"
	echo "- trace: \`ffpf-gen --seed 1 --count $PACKETS --snaplen $((MTU + 14))\` (no jumbo frames) without its VLAN-tagged frames: $P_LOOP packets ($BYTES_LOOP bytes) per pass, looped; F = \`$F\` matches $M_LOOP per pass ($MATCH_PCT %), \`$F2\` $M2_LOOP"
	echo "- runs: $RUNS per case (median), interleaved, ${SECS} s of traffic each; loss-free search: $STEPS trials with \`tcpreplay --pps\`"
	if [ ${#MISSING[@]} -gt 0 ]; then
		echo "- **not available in this build** at the time of the run, so not measured: $(printf '%s; ' "${MISSING[@]}" | sed 's/; $//')"
	fi
	echo
	echo "$T_GEN"
	echo
	echo "**(a) (b) (c) against tcpdump** at the generator's top speed:"
	echo
	cat "$W/t_main"
	echo
	echo "![live capture: rate and CPU per packet]($PLOTREL/live-capture.png)"
	echo
	echo "**(d) Fig. 6: transfer strategies × reads per packet** ($PLACE; reads: 0 = \`(count)\`, 1 = one filter, 2 = two different filters):"
	echo
	cat "$W/t_d"
	echo
	echo "![Fig. 6: transfer strategies]($PLOTREL/live-fig6.png)"
	echo
	echo "**(e) Fig. 7: waiting modes** ($PLACE; \`(bpf,F) > (count)\`):"
	echo
	cat "$W/t_e"
	echo
	echo "![Fig. 7: waiting modes]($PLOTREL/live-fig7.png)"
	echo
	echo "$END_MARK"
)
show_section "$SECTION"
if [ "$WRITE" = 1 ]; then write_section "$SECTION" "$BEGIN_MARK" "$END_MARK" "$W"; fi
