#!/usr/bin/env bash
# bench/run.sh — ffpf vs tcpdump on one large trace, whole processes, medians of several runs.
#
#   bench/run.sh [--runs N] [--packets N] [--build DIR]
#
# Builds ffpf (CMake, in DIR, default /tmp/build-bench) and the two bench tools, makes (or reuses)
# a trace of PACKETS packets (default 5000000) under DIR/bench/, checks ffpf's counts against
# tcpdump's, times every case RUNS times (default 5), interleaved, and prints the table of medians;
# the same table goes to bench/RESULTS.md.  See bench/README.md for what each number means.
set -euo pipefail
# shellcheck source=bench/lib.sh
source "$(dirname "$0")/lib.sh"
ME=bench

RUNS=5
PACKETS=5000000
BUILD=/tmp/build-bench
while [ $# -gt 0 ]; do
	case "$1" in
	--runs) RUNS=${2:?}; shift 2 ;;
	--runs=*) RUNS=${1#*=}; shift ;;
	--packets) PACKETS=${2:?}; shift 2 ;;
	--packets=*) PACKETS=${1#*=}; shift ;;
	--build) BUILD=${2:?}; shift 2 ;;
	--build=*) BUILD=${1#*=}; shift ;;
	-h|--help) help; exit 0 ;;
	*) usage ;;
	esac
done
[[ "$RUNS" =~ ^[1-9][0-9]*$ && "$PACKETS" =~ ^[1-9][0-9]*$ ]] || usage

bench_dirs
need_cmds '' tcpdump /usr/bin/time cmake pkg-config
if command -v jq >/dev/null; then JSON=jq
elif command -v python3 >/dev/null; then JSON=python3
else die "needs jq or python3 (to read ffpf --json)"; fi

# ---- build ------------------------------------------------------------------------------------
build_ffpf "$OUT" ffpf ffpf ffpf-gen
FFPF=$BUILD/ffpf
# shellcheck disable=SC2046 # pkg-config's flags are words
build_tool pcapcat $(pkg-config --cflags --libs libpcap)
build_tool mmapwalk

# ---- the trace --------------------------------------------------------------------------------
# Cached as DIR/bench/trace-<kind>-<packets>.pcap with a .info file (size, how it was made); it is
# reused when the .info matches (same packet count, same file size, same input manifest).
shared_trace "$OUT"
read -r WALK_PKTS WALK_BYTES < <("$OUT/mmapwalk" "$TRACE") || die "mmapwalk $TRACE"
[ "$WALK_PKTS" = "$PACKETS" ] || die "$TRACE holds $WALK_PKTS packets, not $PACKETS"
cat "$TRACE" >/dev/null # into the page cache: every case reads it from memory

# ---- the filters ------------------------------------------------------------------------------
load_filters
for f in "${FILTERS[@]}"; do
	case "$f" in *'"'*|*'\'*) die "filter '$f': no double quotes or backslashes, please" ;; esac
done
F_A1='tcp dst port 80'
F_A2='tcp port 443 and greater 1000'
REQ8='['
for i in "${!FILTERS[@]}"; do
	[ "$i" -gt 0 ] && REQ8+=' |'
	REQ8+=" (bpf,\"${FILTERS[$i]}\") > (count)"
done
REQ8+=' ]'

# ---- correctness (once, untimed) --------------------------------------------------------------
# tcpdump's count: its lines for the filter, one per packet (-n: no name lookups; -tt: each packet
# line starts with its epoch time stamp, so only those are counted, never a dissector's
# continuation line).  ffpf's: each count's packets, matched to its filter through --json.
say "checking ffpf's counts against tcpdump's (${#FILTERS[@]} filters)"
tcpdump_count() {
	tcpdump -n -tt -r "$TRACE" "$1" 2>/dev/null | grep -Ec '^[0-9]+\.[0-9]{6} ' || true
}
declare -A TD_COUNT
for f in "${FILTERS[@]}" "$F_A2"; do
	[ -n "${TD_COUNT[$f]+x}" ] || TD_COUNT[$f]=$(tcpdump_count "$f")
done
# ffpf --no-compile (interpreters only), when this ffpf has it, is checked and timed as well.
NOCOMP=
"$FFPF" --help 2>&1 | grep -q -- --no-compile && NOCOMP=--no-compile
check8() { # tag, ffpf options...  (checks the 8-filter counts; sets MODE_<tag>)
	local tag=$1; shift
	local js=$OUT/ffpf8$tag.json
	declare -A FF_COUNT=()
	"$FFPF" run -q --json "$@" -r "$TRACE" "$REQ8" >"$js" || die "ffpf run $* (8 filters) failed"
	if [ $JSON = jq ]; then
		jq -r '.functions as $f | $f[] | select(.class == "count") | .inputs[0] as $in
		       | ($f[] | select(.name == $in) | .params | capture("expr=\"(?<e>[^\"]*)\"").e)
		         + "\t" + (.results.packets | tostring)' "$js"
	else
		python3 -c '
import json, re, sys
d = json.load(open(sys.argv[1])); by = {f["name"]: f for f in d["functions"]}
for f in d["functions"]:
    if f["class"] == "count":
        e = re.search(r"expr=\"([^\"]*)\"", by[f["inputs"][0]]["params"]).group(1)
        print(e + "\t" + str(f["results"]["packets"]))' "$js"
	fi >"$js.counts"
	while IFS=$'\t' read -r e n; do FF_COUNT[$e]=$n; done <"$js.counts"
	for f in "${FILTERS[@]}"; do
		[ "${FF_COUNT[$f]-missing}" = "${TD_COUNT[$f]}" ] ||
			die "filter '$f': ffpf $* counts ${FF_COUNT[$f]-nothing}, tcpdump ${TD_COUNT[$f]}"
		printf 'bench:   %-45s %10s packets (ffpf %s= tcpdump)\n' "$f" "${TD_COUNT[$f]}" "${*:+$* }" >&2
	done
	# How ffpf ran the filters (interpreted, compiled, ...), as its --json reports it.
	printf -v "MODE_$tag" '%s' "$(grep -o '"class":"bpf"[^}]*"mode":"[^"]*"' "$js" |
		sed 's/.*"mode":"//; s/"$//' | sort | uniq -c |
		awk '{ printf "%s%s × %s", (NR > 1 ? ", " : ""), $1, $2 }')"
}
check8 def
if [ -n "$NOCOMP" ]; then check8 int $NOCOMP; fi
MODE="$MODE_def${NOCOMP:+; with --no-compile: $MODE_int}"

# Count of a single-filter ffpf run, from its table output.
ffpf_count() { sed -n 's/^count#[0-9]*  *count .* packets=\([0-9]*\).*/\1/p' "$1"; }

# ---- timing -----------------------------------------------------------------------------------
# Each case is a whole process (or, for 8 x tcpdump, a shell that starts the eight concurrently
# and waits for them: /usr/bin/time then reports the wall time of the group and the user+sys
# CPU of all eight).  Runs are interleaved so that the machine's noise hits every case alike.
T=$OUT/times
rm -rf "$T"; mkdir -p "$T"
timeit() { # label, command...
	local label=$1; shift
	/usr/bin/time -f '%e %U %S' -o "$T/$label.last" "$@" >"$T/$label.out" 2>"$T/$label.err" ||
		{ cat "$T/$label.err" >&2; die "$label: $* exited with an error"; }
	tail -1 "$T/$label.last" | awk '{ printf "%.3f %.3f\n", $1, $2 + $3 }' >>"$T/$label"
}
# The eight tcpdumps at once, as one timed group: a script, so /usr/bin/time can run it.
cat >"$OUT/tcpdump8.sh" <<'EOS'
T=$1; shift
for f in "$@"; do tcpdump -r "$T" -w /dev/null "$f" 2>/dev/null & done
rc=0; for j in $(jobs -p); do wait "$j" || rc=1; done; exit $rc
EOS
check_ffpf1() { # label, filter
	local n; n=$(ffpf_count "$T/$1.out")
	[ "$n" = "${TD_COUNT[$2]}" ] || die "$1: ffpf counted '${n}', tcpdump ${TD_COUNT[$2]}"
}
# One untimed run of each single-filter request: checks it, and warms ffpf's cache of compiled
# code (the 8-filter request was warmed by check8), so no timed run pays for a compile.
for f in "$F_A1" "$F_A2"; do
	"$FFPF" run -q -r "$TRACE" "(bpf,\"$f\") > (count)" >"$OUT/warm.out" || die "ffpf run '$f' failed"
	[ "$(ffpf_count "$OUT/warm.out")" = "${TD_COUNT[$f]}" ] || die "'$f': ffpf counted $(ffpf_count "$OUT/warm.out"), tcpdump ${TD_COUNT[$f]}"
done
say "timing: $RUNS runs of each case on $PACKETS packets"
for r in $(seq "$RUNS"); do
	say "  run $r/$RUNS"
	timeit a1_tcpdump tcpdump -r "$TRACE" -w /dev/null "$F_A1"
	timeit a1_ffpf "$FFPF" run -q -r "$TRACE" "(bpf,\"$F_A1\") > (count)"
	check_ffpf1 a1_ffpf "$F_A1"
	if [ -n "$NOCOMP" ]; then
		timeit a1_ffpfint "$FFPF" run -q $NOCOMP -r "$TRACE" "(bpf,\"$F_A1\") > (count)"
		check_ffpf1 a1_ffpfint "$F_A1"
	fi
	timeit a2_tcpdump tcpdump -r "$TRACE" -w /dev/null "$F_A2"
	timeit a2_ffpf "$FFPF" run -q -r "$TRACE" "(bpf,\"$F_A2\") > (count)"
	check_ffpf1 a2_ffpf "$F_A2"
	timeit b_tcpdump8 bash "$OUT/tcpdump8.sh" "$TRACE" "${FILTERS[@]}"
	timeit b_ffpf8 "$FFPF" run -q -r "$TRACE" "$REQ8"
	if [ -n "$NOCOMP" ]; then timeit b_ffpf8int "$FFPF" run -q $NOCOMP -r "$TRACE" "$REQ8"; fi
	timeit c_mmapwalk "$OUT/mmapwalk" "$TRACE"
	timeit c_readwalk "$OUT/mmapwalk" -r "$TRACE"
done

# ---- table ------------------------------------------------------------------------------------
declare -A WALL CPU
for f in "$T"/*; do
	case "$f" in *.last|*.out|*.err) continue ;; esac
	l=$(basename "$f")
	WALL[$l]=$(awk '{ print $1 }' "$f" | median)
	CPU[$l]=$(awk '{ print $2 }' "$f" | median)
done
div() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }
pps() { awk -v p="$PACKETS" -v w="$1" 'BEGIN { if (w > 0) printf "%.2f", p / w / 1e6; else print "n/a" }'; }
row() { # label, description
	local l=$1
	printf '| %s | %.2f | %.2f | %s | %s | %s | %s |\n' "$2" "${WALL[$l]}" "${CPU[$l]}" \
		"$(pps "${WALL[$l]}")" "$(div "${WALL[$l]}" "${WALL[c_mmapwalk]}")" \
		"$(div "${CPU[$l]}" "${CPU[c_mmapwalk]}")" "$(div "${CPU[$l]}" "${CPU[c_readwalk]}")"
}
verdict() { awk -v v="$1" -v t="$2" 'BEGIN { print (v >= t) ? "meets" : "misses" }'; }
S_A1=$(div "${WALL[a1_tcpdump]}" "${WALL[a1_ffpf]}")
C_A1=$(div "${CPU[a1_tcpdump]}" "${CPU[a1_ffpf]}")
S_A2=$(div "${WALL[a2_tcpdump]}" "${WALL[a2_ffpf]}")
C_A2=$(div "${CPU[a2_tcpdump]}" "${CPU[a2_ffpf]}")
C_B=$(div "${CPU[b_tcpdump8]}" "${CPU[b_ffpf8]}")
S_B=$(div "${WALL[b_tcpdump8]}" "${WALL[b_ffpf8]}")
TABLE=$(
	echo "| case | median wall s | median CPU s (user+sys) | Mpackets/s (wall) | wall × mmap walk | CPU × mmap walk | CPU × read walk |"
	echo "|---|---:|---:|---:|---:|---:|---:|"
	row a1_tcpdump "(a) tcpdump \`$F_A1\`"
	row a1_ffpf "(a) ffpf \`$F_A1\`"
	if [ -n "$NOCOMP" ]; then row a1_ffpfint "(a) ffpf $NOCOMP \`$F_A1\`"; fi
	row a2_tcpdump "(a) tcpdump \`$F_A2\`"
	row a2_ffpf "(a) ffpf \`$F_A2\`"
	row b_tcpdump8 "(b) 8 × tcpdump, concurrent (CPU: sum of the 8)"
	row b_ffpf8 "(b) ffpf, 8 filters in one request"
	if [ -n "$NOCOMP" ]; then row b_ffpf8int "(b) ffpf $NOCOMP, 8 filters in one request"; fi
	row c_mmapwalk "(c) mmap walk (floor)"
	row c_readwalk "(c) read(2) walk"
	echo
	echo "| ratio | value | target |"
	echo "|---|---:|---|"
	echo "| (a) \`$F_A1\`: throughput ffpf / tcpdump (= tcpdump wall / ffpf wall) | ${S_A1}× | ≥ 1.8× — $(verdict "$S_A1" 1.8) |"
	echo "| (a) \`$F_A1\`: CPU tcpdump / ffpf | ${C_A1}× | |"
	echo "| (a) \`$F_A2\`: throughput ffpf / tcpdump | ${S_A2}× | ≥ 1.8× — $(verdict "$S_A2" 1.8) |"
	echo "| (a) \`$F_A2\`: CPU tcpdump / ffpf | ${C_A2}× | |"
	echo "| (b) CPU: 8 × tcpdump total / ffpf | ${C_B}× | ≥ 8× — $(verdict "$C_B" 8) |"
	echo "| (b) wall: 8 × tcpdump (concurrent, $(nproc) cores) / ffpf | ${S_B}× | |"
	if [ -n "$NOCOMP" ]; then
		echo "| (a) \`$F_A1\`: throughput ffpf $NOCOMP / tcpdump | $(div "${WALL[a1_tcpdump]}" "${WALL[a1_ffpfint]}")× | (interpreter) |"
		echo "| (b) CPU: 8 × tcpdump total / ffpf $NOCOMP | $(div "${CPU[b_tcpdump8]}" "${CPU[b_ffpf8int]}")× | (interpreter) |"
	fi
)
CPU_MODEL=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
NOW=$(date -u '+%Y-%m-%d %H:%M UTC')
TDV=$(tcpdump --version 2>&1 | sed -n '1p'); PCV=$(tcpdump --version 2>&1 | sed -n '2p')
FFV=$("$FFPF" --version 2>&1 | head -1)
# Which sources were measured (read-only git queries; the tree may be uncommitted).
src_rev
HEADER=$(
	echo "# ffpf benchmark results"
	echo
	echo "Written by \`bench/run.sh\` (see [README.md](README.md) for what each number means)."
	echo
	echo "- date: $NOW"
	echo "- machine: $(nproc) CPUs, $CPU_MODEL; Linux $(uname -r); noisy shared machine: medians and ratios only"
	echo "- software: $FFV (CMake build type ${BUILD_TYPE:-?}, default engine: bpf functions ${MODE:-?}; git: $REV; cksum of src/ include/ tools/ *.[ch]: $SRC_SUM), $TDV, $PCV"
	echo "- trace: $PACKETS packets, $SIZE bytes; $DESC"
	echo "- runs: $RUNS per case (median), interleaved; the trace is in the page cache"
	echo "- filters (b): $(printf '`%s`, ' "${FILTERS[@]}" | sed 's/, $//')"
)
echo
echo "$HEADER" | sed -n '5,10p'
echo
echo "$TABLE"
echo
NOTES=
[ -f "$BENCH/RESULTS.md" ] && NOTES=$(awk -v m="$RESULTS_MARK" 'keep; $0 == m { keep = 1 }' "$BENCH/RESULTS.md")
{
	echo "$HEADER"
	echo
	echo "$TABLE"
	echo
	echo "$RESULTS_MARK"
	[ -n "$NOTES" ] && echo "$NOTES"
} >"$BENCH/RESULTS.md"
say "wrote $BENCH/RESULTS.md"
