# shellcheck shell=bash disable=SC2034 # (the variables set here are read by the scripts)
# bench/lib.sh — shell functions shared by bench/run.sh, codegen.sh, live.sh and daemon.sh, which
# `source "$(dirname "$0")/lib.sh"` after `set -euo pipefail`: every function here returns 0 unless
# it says otherwise, so a call as a plain command never stops a script by accident.
#
# A script sets ME (its prefix in messages: bench, codegen, live, daemon) right after sourcing;
# SAY_SINCE (seconds since the epoch) makes say print the seconds elapsed since then.

# the line of bench/RESULTS.md below which run.sh keeps everything (the other scripts' sections)
RESULTS_MARK='<!-- Everything below this line is kept by bench/run.sh: notes by hand. -->'

# ---- messages and arguments ---------------------------------------------------------------------
# die MSG: prints "ME: FAIL: MSG" on stderr and exits 1
die() { echo "${ME:-bench}: FAIL: $*" >&2; exit 1; }
# say MSG: prints "ME: MSG" (with SAY_SINCE set: "ME: [S s] MSG") on stderr
say() {
	if [ -n "${SAY_SINCE:-}" ]; then
		echo "${ME:-bench}: [$(($(date +%s) - SAY_SINCE)) s] $*" >&2
	else
		echo "${ME:-bench}: $*" >&2
	fi
}
# help: prints the script's header comment (from its line 2 to the first line that is not one)
help() { awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; }
# usage: prints the synopsis of help (its lines from "bench/SCRIPT [" to the next blank one) as
# "usage: ..." on stderr, and exits 2
usage() { help | sed -n "/^ *bench\/$(basename "$0") \[/,/^\$/p" | sed '/^$/d; s/^ *//; 1s/^/usage: /' >&2; exit 2; }
# num_ok V: succeeds when V is a number above 0 (digits, optionally a fraction)
num_ok() { [[ "$1" =~ ^[0-9]+(\.[0-9]+)?$ ]] && awk -v v="$1" 'BEGIN { exit !(v > 0) }'; }
# common_opt ARG...: the options live.sh and daemon.sh share (--runs N, --secs S, --build DIR,
# --no-build, --write, --no-write, -h/--help; "--opt=V" too): sets RUNS, SECS, BUILD, DOBUILD,
# WRITE, and OPT_SHIFT (the arguments it used); returns 1 for any other argument
common_opt() {
	OPT_SHIFT=1
	case "$1" in
	--runs) RUNS=${2:?}; OPT_SHIFT=2 ;;
	--runs=*) RUNS=${1#*=} ;;
	--secs) SECS=${2:?}; OPT_SHIFT=2 ;;
	--secs=*) SECS=${1#*=} ;;
	--build) BUILD=${2:?}; OPT_SHIFT=2 ;;
	--build=*) BUILD=${1#*=} ;;
	--no-build) DOBUILD=0 ;;
	--write) WRITE=1 ;;
	--no-write) WRITE=0 ;;
	-h|--help) help; exit 0 ;;
	*) return 1 ;;
	esac
}
# need_root: dies unless run as root
need_root() { [ "$(id -u)" = 0 ] || die "needs root (network namespaces, veth, packet sockets)"; }
# need_cmds HINT CMD...: dies ("needs CMD" and HINT) unless every CMD can be run
need_cmds() {
	local hint=$1 t
	shift
	for t in "$@"; do command -v "$t" >/dev/null || die "needs $t$hint"; done
}

# ---- directories and the build ------------------------------------------------------------------
# bench_dirs: sets REPO (the repository), BENCH (its bench/), BUILD (made absolute, created) and
# OUT (BUILD/bench, created, with a .gitignore of `*`: whatever lives there, a trace of a gigabyte
# or more, stays out of git even if BUILD is in the repository)
bench_dirs() {
	REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
	BENCH=$REPO/bench
	mkdir -p "$BUILD"
	BUILD=$(cd "$BUILD" && pwd)
	OUT=$BUILD/bench
	mkdir -p "$OUT"
	echo '*' >"$OUT/.gitignore"
}
# work_dir NAME: sets W (OUT/NAME, emptied, with raw/ for the runs' lines) and PLOTS (bench/plots
# with WRITE=1, else W/plots; created)
work_dir() {
	W=$OUT/$1
	rm -rf "$W"
	mkdir -p "$W/raw"
	if [ "$WRITE" = 1 ]; then PLOTS=$BENCH/plots; else PLOTS=$W/plots; fi
	mkdir -p "$PLOTS"
}
# build_ffpf LOGDIR LABEL TARGET...: configures BUILD from REPO (every time: a directory configured
# from an older tree lacks the newer targets) and builds the TARGETs ("building LABEL"), logs in
# LOGDIR; with DOBUILD=0 (--no-build) only checks that they are there.  Sets BUILD_TYPE.
build_ffpf() {
	local log=$1 label=$2 b
	shift 2
	if [ "${DOBUILD:-1}" = 0 ]; then
		for b in "$@"; do [ -x "$BUILD/$b" ] || die "--no-build: no $b in $BUILD"; done
		say "using the binaries in $BUILD as they are (--no-build)"
	else
		say "configuring $BUILD"
		cmake -S "$REPO" -B "$BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo >"$log/cmake.log" 2>&1 ||
			{ cat "$log/cmake.log" >&2; die "cmake configure"; }
		say "building $label in $BUILD"
		cmake --build "$BUILD" -j"$(nproc)" --target "$@" >"$log/build.log" 2>&1 ||
			{ tail -30 "$log/build.log" >&2; die "cmake --build (if someone is mid-edit, retry in a minute${DOBUILD+, or use --no-build})"; }
	fi
	BUILD_TYPE=$(sed -n 's/^CMAKE_BUILD_TYPE:[A-Z]*=//p' "$BUILD/CMakeCache.txt" 2>/dev/null || true)
}
# build_tool NAME CC-ARGS...: compiles bench/NAME.c into OUT/NAME (cc -O2, CC-ARGS after the
# source) when it is missing or older than its source
build_tool() {
	local name=$1
	shift
	if [ ! -x "$OUT/$name" ] || [ "$BENCH/$name.c" -nt "$OUT/$name" ]; then
		${CC:-cc} -std=c17 -O2 -Wall -Wextra -D_GNU_SOURCE -o "$OUT/$name" "$BENCH/$name.c" "$@" ||
			die "compiling bench/$name.c"
	fi
}
# src_rev: sets SRC_SUM (cksum of src/ include/ tools/ *.[ch]) and REV (git's short HEAD, with
# "+ uncommitted changes" when those differ from it; "no commit yet" outside git)
src_rev() {
	SRC_SUM=$(cd "$REPO" && find src include tools -type f -name '*.[ch]' | LC_ALL=C sort | xargs cat | cksum | cut -d' ' -f1)
	if REV=$(git -C "$REPO" rev-parse --short HEAD 2>/dev/null); then
		if [ -n "$(git -C "$REPO" status --porcelain -- src include tools 2>/dev/null)" ]; then
			REV="$REV + uncommitted changes"
		fi
	else
		REV="no commit yet"
	fi
}

# ---- traces and filters -------------------------------------------------------------------------
# info KEY: prints KEY's value in the trace's .info file (INFO)
info() { sed -n "s/^$1=//p" "$INFO" 2>/dev/null; }
# shared_trace LOGDIR: the trace of run.sh and codegen.sh, OUT/trace-KIND-PACKETS.pcap: PACKETS
# packets of the traces that SHARED/MANIFEST.tsv (SHARED: FFPF_BENCH_TRACES, default
# ../shared/traces) calls real, in name order, repeated (OUT/pcapcat; its log in LOGDIR); without
# that manifest, ffpf-gen's.  Reused while its .info (INFO) matches.  Sets SHARED, KIND, MANI_SUM,
# TRACE, INFO, DESC (how it was made) and SIZE (bytes).
shared_trace() {
	local log=$1 files
	SHARED=${FFPF_BENCH_TRACES:-$REPO/../shared/traces}
	if [ -f "$SHARED/MANIFEST.tsv" ]; then
		SHARED=$(cd "$SHARED" && pwd)
		KIND=shared
		MANI_SUM=$(cksum <"$SHARED/MANIFEST.tsv" | cut -d' ' -f1)
	else
		KIND=gen
		MANI_SUM=none
	fi
	TRACE=$OUT/trace-$KIND-$PACKETS.pcap
	INFO=$TRACE.info
	if [ -f "$TRACE" ] && [ "$(info size)" = "$(stat -c %s "$TRACE")" ] &&
	   [ "$(info packets)" = "$PACKETS" ] && [ "$(info manifest)" = "$MANI_SUM" ]; then
		say "reusing $TRACE"
	else
		rm -f "$TRACE" "$INFO"
		if [ $KIND = shared ]; then
			# The Ethernet traces the manifest calls real (not synthetic, not fuzz/malformed), by
			# name, in sorted order; pcapcat skips any that is not Ethernet.
			mapfile -t files < <(awk -F'\t' 'NR > 1 && $7 == "real" { n = $1; sub(/.*\//, "", n); print n }' \
				"$SHARED/MANIFEST.tsv" | sort | while read -r f; do
					[ -f "$SHARED/$f" ] && echo "$SHARED/$f"; done)
			[ ${#files[@]} -gt 0 ] || die "no trace of $SHARED/MANIFEST.tsv found in $SHARED"
			say "making $TRACE from ${#files[@]} traces of $SHARED"
			"$OUT/pcapcat" -o "$TRACE.tmp" -n "$PACKETS" "${files[@]}" 2>"$log/pcapcat.log" ||
				{ cat "$log/pcapcat.log" >&2; die "pcapcat"; }
			DESC="$(tail -1 "$log/pcapcat.log" | sed -E 's/^pcapcat: [^ ]+: [0-9]+ packets \([0-9]+ captured bytes\), //'); from the traces of ../shared/traces (MANIFEST.tsv kind \"real\"), concatenated in name order and repeated, timestamps rewritten monotonic"
		else
			say "no $SHARED: generating $TRACE with ffpf-gen"
			"$BUILD/ffpf-gen" --count "$PACKETS" -o "$TRACE.tmp" -q || die "ffpf-gen"
			DESC="synthetic: ffpf-gen --count $PACKETS (seed 1, default mix); ../shared/traces was absent"
		fi
		mv "$TRACE.tmp" "$TRACE"
		{
			echo "packets=$PACKETS"
			echo "size=$(stat -c %s "$TRACE")"
			echo "manifest=$MANI_SUM"
			echo "desc=$DESC"
		} >"$INFO"
	fi
	DESC=$(info desc)
	SIZE=$(info size)
}
# live_trace: the trace of live.sh and daemon.sh, OUT/live-trace-PACKETS-mtuMTU.pcap: ffpf-gen's
# for an MTU of MTU without VLAN-tagged frames (made when missing or older than ffpf-gen, through
# W/gen.pcap).  Sets TRACE.
live_trace() {
	TRACE=$OUT/live-trace-$PACKETS-mtu$MTU.pcap
	if [ ! -s "$TRACE" ] || [ "$BUILD/ffpf-gen" -nt "$TRACE" ]; then
		say "making $TRACE (ffpf-gen --count $PACKETS --snaplen $((MTU + 14)), VLAN-tagged frames removed)"
		"$BUILD/ffpf-gen" -q --seed 1 --count "$PACKETS" --snaplen $((MTU + 14)) -o "$W/gen.pcap" || die "ffpf-gen"
		tcpdump -r "$W/gen.pcap" -w "$TRACE.tmp" "not vlan and len <= $((MTU + 14))" 2>/dev/null ||
			die "tcpdump -r (removing VLAN frames)"
		mv "$TRACE.tmp" "$TRACE"
		rm -f "$W/gen.pcap"
	fi
}
# load_filters: sets FILTERS to the lines of bench/filters.txt (no comments, no blank lines); dies
# unless they are 8
load_filters() {
	mapfile -t FILTERS < <(grep -v -e '^[[:space:]]*#' -e '^[[:space:]]*$' "$BENCH/filters.txt")
	[ ${#FILTERS[@]} -eq 8 ] || die "bench/filters.txt must hold 8 filters, it holds ${#FILTERS[@]}"
}

# ---- namespaces, background jobs, cleanup -------------------------------------------------------
# netns_init L: names this run's two namespaces NA (ffpfLA<pid>) and NB (ffpfLB<pid>) and the
# veth pair's ends IA (in NA) and IB (in NB); sets BG=() (the background jobs started here and not
# waited for) and CLEAN_DIRS=() (directories to remove); traps exit, error and Ctrl-C to cleanup
netns_init() {
	NA=ffpf${1}A$$ NB=ffpf${1}B$$ IA=va IB=vb
	BG=()
	CLEAN_DIRS=()
	trap cleanup EXIT
	trap 'say interrupted; exit 130' INT TERM
}
# bg_done PID: forgets a job of BG once waited for (pids are reused: never signal one that ended)
bg_done() {
	local p keep=()
	for p in "${BG[@]}"; do [ "$p" = "$1" ] || keep+=("$p"); done
	BG=("${keep[@]}")
}
# cleanup: (the EXIT trap) ends the jobs of BG and their children (tcpreplay under /usr/bin/time),
# by pid, then removes the namespaces (which take the veth pair along) and CLEAN_DIRS; exits with
# the script's status
cleanup() {
	local rc=$? p
	trap - EXIT INT TERM
	for p in "${BG[@]}"; do pkill -TERM -P "$p" 2>/dev/null || true; kill -TERM "$p" 2>/dev/null || true; done
	for p in "${BG[@]}"; do wait "$p" 2>/dev/null || true; done
	ip netns del "$NA" 2>/dev/null || true
	ip netns del "$NB" 2>/dev/null || true
	rm -rf "${CLEAN_DIRS[@]}"
	exit $rc
}
# netns_up: makes the namespaces NA and NB, the veth pair IA-IB between them (MTU MTU, up, no IPv6)
netns_up() {
	local s
	ip netns add "$NA" && ip netns add "$NB" || die "the kernel refuses network namespaces"
	ip -n "$NA" link add "$IA" type veth peer name "$IB" netns "$NB" || die "the kernel refuses veth pairs"
	for s in "$NA:$IA" "$NB:$IB"; do
		ip netns exec "${s%%:*}" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
		ip -n "${s%%:*}" link set "${s#*:}" mtu "$MTU" up
	done
}

# ---- CPU, packets, time -------------------------------------------------------------------------
# cpu_ns PID...: prints the on-CPU time (ns) of the processes, all their threads
# (/proc/PID/task/*/schedstat; 0 for one that has ended)
cpu_ns() {
	local p
	for p in "$@"; do cat /proc/"$p"/task/*/schedstat 2>/dev/null || true; done | awk '{ s += $1 } END { printf "%.0f\n", s }'
}
# child_ns PID: prints the CPU time (ns) of the children PID has waited for (/proc/PID/stat
# cutime + cstime)
child_ns() { sed 's/.*) //' /proc/"$1"/stat 2>/dev/null | awk '{ printf "%.0f\n", ($14 + $15) * 1e9 / '"$(getconf CLK_TCK)"' }'; }
# ksoft_ns: prints the CPU time (ns) of the ksoftirqd threads (softirq work the kernel deferred)
ksoft_ns() {
	local p s=0
	for p in $(pgrep '^ksoftirqd/' || true); do s=$((s + $(cpu_ns "$p"))); done
	echo $s
}
# softirq_ns: prints the machine-wide softirq time (ns; /proc/stat, sampled at the tick)
softirq_ns() { awk '$1 == "cpu" { printf "%.0f\n", $8 * 1e9 / '"$(getconf CLK_TCK)"' }' /proc/stat; }
# rx: prints the packets IA (in NA) has received
rx() { ip netns exec "$NA" cat "/sys/class/net/$IA/statistics/rx_packets"; }
# now_ns: prints the time (ns since the epoch)
now_ns() { date +%s%N; }

# ---- the sender ---------------------------------------------------------------------------------
# sender I OPTION...: starts one tcpreplay in NB sending TRACE (preloaded: -K) on IB with those
# options, under /usr/bin/time: its report in W/sndI.out, its user and system CPU (s) in
# W/sndI.time.  Sets SND_JOB (also added to BG).
sender() {
	local i=$1
	shift
	ip netns exec "$NB" /usr/bin/time -f '%U %S' -o "$W/snd$i.time" \
		tcpreplay -q -K --no-flow-stats "$@" -i "$IB" "$TRACE" >"$W/snd$i.out" 2>&1 &
	SND_JOB=$!
	BG+=("$SND_JOB")
}
# wait_rx RX0: waits (5 s at most) until IA has received more than RX0 packets: a sender's first
wait_rx() {
	local i
	for i in $(seq 1000); do [ "$(rx)" = "$1" ] || break; sleep 0.005; done
}
# rated_pps FILE...: prints the packets/s of tcpreplay's reports ("Rated: ... pps"), summed
rated_pps() { cat "$@" | awk '/^Rated:/ { for (i = 1; i < NF; i++) if ($(i + 1) == "pps") s += $i } END { printf "%.0f", s }'; }

# ---- statistics over the runs: W/raw/TAG, one line per run ---------------------------------------
# col TAG C: prints column C of W/raw/TAG (nothing when there is no such file)
col() { if [ -f "$W/raw/$1" ]; then awk -v c="$2" '{ print $c }' "$W/raw/$1"; fi; }
# median: prints the median of the numbers on stdin ("?" when none)
median() { sort -g | awk '{ v[NR] = $1 } END { if (!NR) print "?"; else print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
# med TAG C: prints the median of column C of W/raw/TAG
med() { col "$1" "$2" | median; }
# fmt V [D]: prints V with D decimals (default 0); "?" for "?" or nothing
fmt() { awk -v v="$1" -v d="${2:-0}" 'BEGIN { if (v == "?" || v == "") print "?"; else printf "%.*f", d, v }'; }
# kpps V: prints V (packets/s) in kpps, no decimals; "?" for "?" or nothing
kpps() { awk -v v="$1" 'BEGIN { if (v == "?" || v == "") print "?"; else printf "%.0f", v / 1000 }'; }
# ratio A B: prints A / B as "x.xx×"; "n/a" unless both are numbers above 0
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a != "?" && b != "?" && a != "" && b != "" && a > 0 && b > 0) printf "%.2f×", a / b; else print "n/a" }'; }

# ---- plots and RESULTS.md -----------------------------------------------------------------------
# plot GP WROTE VARS: runs gnuplot on bench/GP with dir=W, outdir=PLOTS, pngterm (pngcairo when
# gnuplot has it) and VARS (more gnuplot assignments), its log in W/gnuplot.log; says "wrote
# WROTE", or shows the log and warns (the tables do not need the plots)
plot() {
	local term=png
	gnuplot -e 'set terminal' 2>&1 | grep -q pngcairo && term=pngcairo
	gnuplot -e "dir='$W'; outdir='$PLOTS'; pngterm='$term'; $3" "$BENCH/$1" >"$W/gnuplot.log" 2>&1 &&
		say "wrote $2" ||
		{ cat "$W/gnuplot.log" >&2; say "warning: gnuplot failed (log above); the tables are still complete"; }
}
# show_section TEXT: prints a section of RESULTS.md on stdout between blank lines, without its
# marker comments and image links
show_section() {
	echo
	echo "$1" | sed -e '/^<!--/d' -e '/^!\[/d'
	echo
}
# write_section TEXT BEGIN END TMPDIR: puts TEXT (from its BEGIN line to its END line) into
# bench/RESULTS.md in place of the lines from BEGIN to END; when they are not there, at the end,
# below RESULTS_MARK (added first when missing) so that run.sh keeps it.  Temporary files in TMPDIR.
write_section() {
	local r=$BENCH/RESULTS.md b=$2 e=$3 t=$4
	printf '%s\n' "$1" >"$t/section.md"
	if [ -f "$r" ] && grep -qxF "$b" "$r" && grep -qxF "$e" "$r"; then
		awk -v b="$b" -v e="$e" -v f="$t/section.md" '
			$0 == b { while ((getline l < f) > 0) print l; skip = 1; next }
			$0 == e { skip = 0; next }
			!skip' "$r" >"$t/RESULTS.md.new"
	elif [ -f "$r" ] && grep -qxF "$RESULTS_MARK" "$r"; then
		{ cat "$r"; echo; cat "$t/section.md"; } >"$t/RESULTS.md.new"
	else
		{ [ -f "$r" ] && cat "$r" && echo; echo "$RESULTS_MARK"; echo; cat "$t/section.md"; } >"$t/RESULTS.md.new"
	fi
	cat "$t/RESULTS.md.new" >"$r"
	say "wrote its section of $r"
}
