#!/usr/bin/env bash
# bench/codegen.sh — what ffpf's native code buys: filter cost compiled vs interpreted, 1 vs 8
# filters, compile time per flowgraph, FPL compiled vs interpreted.  Medians of several runs.
#
#   bench/codegen.sh [--runs N] [--compile-runs N] [--packets N] [--tool-packets N] [--build DIR] [--no-write]
#
#   --runs N          timed runs per case, interleaved (default 7)
#   --compile-runs N  runs of each compile-time case (default 5)
#   --packets N       packets of the engine trace (default 5000000: the trace of bench/run.sh,
#                     shared with it in DIR/bench/ and made the same way when missing)
#   --tool-packets N  packets the filtercost tool holds in memory (default 1000000: the first N
#                     of the engine trace)
#   --build DIR       CMake build directory (default /tmp/build-bench, as bench/run.sh)
#   --no-write        print the tables, leave bench/RESULTS.md alone
#
# Parts (every timed case is checked: counts equal libpcap's, or compiled output = interpreted):
#   1. filter only: bench/filtercost.c (ns/packet of bpf_filter, ffpf_cbpf_run, our fused compiled
#      code, and the engine's own stage from `ffpf plan --emit-c`), 1 filter and 8 filters
#   2. whole engine: `ffpf run -q` CPU (user+sys) of (count) alone, 1 filter, 8 filters, compiled
#      and --no-compile; the filter cost in the engine = (graph - count alone) / packets
#   3. compile time: `ffpf run` on a 1000-packet trace with an empty cache vs a warm one, for the
#      1-, 8- and 115-filter graphs (tests/data/bpf_exprs.txt without netmask= lines), and FPL
#   4. FPL: the examples of the FPL spec as (fpl,file=...) > (count), compiled vs --no-compile
#      (skipped with a message when `ffpf classes` has no fpl)
# It prints the tables and rewrites its own section of bench/RESULTS.md, between its markers
# below run.sh's marker line (run.sh keeps everything below that line).  ~2-4 min at defaults.
set -euo pipefail
# shellcheck source=bench/lib.sh
source "$(dirname "$0")/lib.sh"
ME=codegen

RUNS=7
CRUNS=5
PACKETS=5000000
TOOL_PACKETS=1000000
BUILD=/tmp/build-bench
WRITE=1
while [ $# -gt 0 ]; do
	case "$1" in
	--runs) RUNS=${2:?}; shift 2 ;;
	--runs=*) RUNS=${1#*=}; shift ;;
	--compile-runs) CRUNS=${2:?}; shift 2 ;;
	--compile-runs=*) CRUNS=${1#*=}; shift ;;
	--packets) PACKETS=${2:?}; shift 2 ;;
	--packets=*) PACKETS=${1#*=}; shift ;;
	--tool-packets) TOOL_PACKETS=${2:?}; shift 2 ;;
	--tool-packets=*) TOOL_PACKETS=${1#*=}; shift ;;
	--build) BUILD=${2:?}; shift 2 ;;
	--build=*) BUILD=${1#*=}; shift ;;
	--no-write) WRITE=0; shift ;;
	-h|--help) help; exit 0 ;;
	*) usage ;;
	esac
done
[[ "$RUNS" =~ ^[1-9][0-9]*$ && "$RUNS" -le 101 && "$CRUNS" =~ ^[1-9][0-9]*$ && "$PACKETS" =~ ^[1-9][0-9]*$ &&
   "$TOOL_PACKETS" =~ ^[1-9][0-9]*$ ]] || usage

bench_dirs
CG=$OUT/codegen
rm -rf "$CG"
mkdir -p "$CG"

need_cmds '' cmake pkg-config

# ---- build ------------------------------------------------------------------------------------
build_ffpf "$CG" ffpf ffpf ffpf-gen ffpf_static
FFPF=$BUILD/ffpf
LIB=$BUILD/libffpf.a
[ -f "$LIB" ] || die "no $LIB"
"$FFPF" --help 2>&1 | grep -q -- --no-compile || die "this ffpf has no --no-compile"
CC=${CC:-cc}
# shellcheck disable=SC2046 # pkg-config's flags are words
build_tool pcapcat $(pkg-config --cflags --libs libpcap)
# filtercost links the library as built (its interpreter and translator are the engine's own).
if [ ! -x "$OUT/filtercost" ] || [ "$BENCH/filtercost.c" -nt "$OUT/filtercost" ] || [ "$LIB" -nt "$OUT/filtercost" ]; then
	$CC -std=c17 -O2 -Wall -Wextra -D_GNU_SOURCE -I"$REPO/include" -I"$REPO/src" -o "$OUT/filtercost" \
		"$BENCH/filtercost.c" "$LIB" $(pkg-config --cflags --libs libpcap) -ldl -lm ||
		die "compiling bench/filtercost.c"
fi

# ---- the trace (the same file, name and .info as bench/run.sh's) ------------------------------
shared_trace "$CG"
SMALL=$CG/trace-small-1000.pcap
"$OUT/pcapcat" -o "$SMALL" -n 1000 "$TRACE" 2>/dev/null || die "pcapcat (small trace)"
cat "$TRACE" >/dev/null # into the page cache

# ---- the flowgraphs ---------------------------------------------------------------------------
load_filters
F1='tcp dst port 80'
[ "${FILTERS[0]}" = "$F1" ] || die "bench/filters.txt must start with '$F1'"
quote() { local e=${1//\\/\\\\}; printf '"%s"' "${e//\"/\\\"}"; } # the request language's quoting
graph() { # filters... -> [ (bpf,"F1") > (count) | ... ]  (one filter: no brackets)
	local r='' i=0
	for f in "$@"; do
		[ $i -gt 0 ] && r+=' | '
		r+="(bpf,$(quote "$f")) > (count)"
		i=$((i + 1))
	done
	[ $# -gt 1 ] && r="[ $r ]"
	printf '%s' "$r"
}
REQ0='(count)'
REQ1=$(graph "$F1")
REQ8=$(graph "${FILTERS[@]}")
mapfile -t EXPRS < <(grep -v -e '^[[:space:]]*#' -e '^[[:space:]]*$' -e '^netmask=' "$REPO/tests/data/bpf_exprs.txt")
NBIG=${#EXPRS[@]}
REQBIG=$(graph "${EXPRS[@]}")

# FPL: the example programs of the FPL spec (../shared/FPL.md, "Examples"), verbatim.  The fourth
# (EXTERN(pattern, ...), paper Fig. 1) needs a `pattern` class, which ffpf does not have.
HAVE_FPL=0
"$FFPF" classes 2>/dev/null | grep -q '^fpl ' && HAVE_FPL=1
FPL_NAMES=(port80 srchash nopsled)
FPL_DESC=("count TCP packets to port 80 in M[0], pass them" "per-source-address packet counts in 1024 buckets"
	"first NOP sled byte (0x90) in the first 64 payload bytes (FOR loop)")
mkdir -p "$CG/fpl"
cat >"$CG/fpl/port80.fpl" <<'EOF'
// count TCP packets to port 80 in M[0], pass them with class 1
IF (PKT.IP_PROTO == PROTO_TCP && PKT.TCP_DPORT == 80) THEN
  M[0]++;
  RETURN(1);
FI
RETURN(0);
EOF
cat >"$CG/fpl/srchash.fpl" <<'EOF'
// per-source-address packet counts in 1024 buckets
IF (PKT.ETH_TYPE == ETH_IP) THEN
  M[HASH(26, 4, 1024)]++;
FI
RETURN(1);
EOF
cat >"$CG/fpl/nopsled.fpl" <<'EOF'
// first NOP sled byte (0x90) in the first 64 payload bytes, as the class
R[1] = 0;
FOR (R[0] = 0; R[0] < 64; R[0]++)
  IF (PKT.B[PKT.PAYLOAD_OFF + R[0]] == 0x90) THEN R[1] = R[0] + 1; BREAK; FI
ROF
RETURN(R[1]);
EOF
declare -A REQ
REQ[e0]=$REQ0
REQ[e1]=$REQ1
REQ[e8]=$REQ8
REQFPL3='['
for n in "${FPL_NAMES[@]}"; do
	REQ[fpl_$n]="(fpl,file=\"$CG/fpl/$n.fpl\") > (count)"
	[ "$REQFPL3" = '[' ] || REQFPL3+=' |'
	REQFPL3+=" ${REQ[fpl_$n]}"
done
REQFPL3+=' ]'

# The engine's cache of compiled code: our own, so no run finds a stale or foreign entry.
export XDG_CACHE_HOME=$CG/cache
mkdir -p "$XDG_CACHE_HOME"

# ---- 1. filter only ---------------------------------------------------------------------------
say "filter only: filtercost on the first $TOOL_PACKETS packets, $RUNS runs"
"$FFPF" plan --emit-c -r "$SMALL" "$REQ1" >"$CG/unit1.c" || die "ffpf plan --emit-c (1 filter)"
"$FFPF" plan --emit-c -r "$SMALL" "$REQ8" >"$CG/unit8.c" || die "ffpf plan --emit-c (8 filters)"
"$OUT/filtercost" -n "$TOOL_PACKETS" -r "$RUNS" -u "$CG/unit1.c" -U "$CG/unit8.c" "$TRACE" "${FILTERS[@]}" \
	>"$CG/filtercost.out" 2>"$CG/filtercost.err" || { cat "$CG/filtercost.err" >&2; die "filtercost"; }
TOOL_LINE=$(sed -n '1s/^# //p' "$CG/filtercost.out")
declare -A NS
while read -r _ place set eng med _; do NS[$place.$set.$eng]=$med; done < <(grep '^ns ' "$CG/filtercost.out")

# ---- 2 and 4. whole engine: checks ------------------------------------------------------------
# Each graph once compiled (--json: every bpf/fpl/count must be "compiled") and once interpreted;
# the two result tables must be equal.  This also warms the cache: no timed run compiles.
ENGINE_CASES=(e0 e1 e8)
[ $HAVE_FPL = 1 ] && for n in "${FPL_NAMES[@]}"; do ENGINE_CASES+=("fpl_$n"); done
all_compiled() { # json file: every function but the source ran compiled
	local bad
	bad=$(grep -o '"class":"[a-z]*"[^}]*"mode":"[a-z]*"' "$1" | grep -v '"class":"file"' |
		grep -vc '"mode":"compiled"' || true)
	[ "$bad" = 0 ]
}
say "whole engine: checking ${#ENGINE_CASES[@]} graphs, compiled = --no-compile"
for c in "${ENGINE_CASES[@]}"; do
	"$FFPF" run -q --json -r "$TRACE" "${REQ[$c]}" >"$CG/$c.json" || die "ffpf run ${REQ[$c]}"
	all_compiled "$CG/$c.json" || die "${REQ[$c]}: not every function was compiled (see $CG/$c.json)"
	"$FFPF" run -q -r "$TRACE" "${REQ[$c]}" >"$CG/$c.ref" || die "ffpf run ${REQ[$c]}"
	"$FFPF" run -q --no-compile -r "$TRACE" "${REQ[$c]}" >"$CG/$c.int" || die "ffpf run --no-compile ${REQ[$c]}"
	cmp -s "$CG/$c.ref" "$CG/$c.int" || die "${REQ[$c]}: compiled and --no-compile results differ ($CG/$c.ref, $CG/$c.int)"
done

# ---- timing helpers ---------------------------------------------------------------------------
T=$CG/times
mkdir -p "$T"
TIMEFORMAT='%3R %3U %3S'
timeit() { # label, expected-output-file (or ''), command...   appends "wall cpu" to T/label
	local label=$1 ref=$2 t; shift 2
	{ time "$@" >"$T/$label.out" 2>"$T/$label.err"; } 2>"$T/$label.time" ||
		{ cat "$T/$label.err" >&2; die "$label: $* failed"; }
	[ -z "$ref" ] || cmp -s "$ref" "$T/$label.out" || die "$label: results differ from the checked ones ($T/$label.out)"
	t=$(tail -1 "$T/$label.time")
	awk '{ printf "%.3f %.3f\n", $1, $2 + $3 }' <<<"$t" >>"$T/$label"
}
wall() { awk '{ print $1 }' "$T/$1" | median; }
cpu() { awk '{ print $2 }' "$T/$1" | median; }
calc() { awk "BEGIN { v = $1; printf \"%.${2:-2}f\", v }"; }

# ---- 2 and 4. whole engine: timing ------------------------------------------------------------
say "whole engine: $RUNS runs of ${#ENGINE_CASES[@]} graphs x {compiled, --no-compile} on $PACKETS packets"
for r in $(seq "$RUNS"); do
	say "  run $r/$RUNS"
	for c in "${ENGINE_CASES[@]}"; do
		timeit "$c.c" "$CG/$c.ref" "$FFPF" run -q -r "$TRACE" "${REQ[$c]}"
		timeit "$c.i" "$CG/$c.ref" "$FFPF" run -q --no-compile -r "$TRACE" "${REQ[$c]}"
	done
done

# ---- 3. compile time --------------------------------------------------------------------------
CGRAPHS=(e1 e8 big)
REQ[big]=$REQBIG
[ $HAVE_FPL = 1 ] && { CGRAPHS+=(fpl3); REQ[fpl3]=$REQFPL3; }
say "compile time: $CRUNS runs of ${#CGRAPHS[@]} graphs on $SMALL (empty cache, warm cache, --no-compile)"
for g in "${CGRAPHS[@]}"; do # checks: everything compiled, and compiled = interpreted
	"$FFPF" run -q --json -r "$SMALL" "${REQ[$g]}" >"$CG/c_$g.json" || die "ffpf run (small) ${REQ[$g]}"
	all_compiled "$CG/c_$g.json" || die "$g: not every function was compiled (see $CG/c_$g.json)"
	"$FFPF" run -q -r "$SMALL" "${REQ[$g]}" >"$CG/c_$g.ref" || die "ffpf run (small) ${REQ[$g]}"
	"$FFPF" run -q --no-compile -r "$SMALL" "${REQ[$g]}" >"$CG/c_$g.int" || die "ffpf run (small) ${REQ[$g]}"
	cmp -s "$CG/c_$g.ref" "$CG/c_$g.int" || die "$g: compiled and --no-compile results differ on $SMALL"
done
declare -A UNIT_C UNIT_SO
for r in $(seq "$CRUNS"); do
	for g in "${CGRAPHS[@]}"; do
		d=$(mktemp -d "$CG/cache-cold.XXXXXX")
		XDG_CACHE_HOME=$d timeit "c_$g.cold" "$CG/c_$g.ref" "$FFPF" run -q -r "$SMALL" "${REQ[$g]}"
		XDG_CACHE_HOME=$d timeit "c_$g.warm" "$CG/c_$g.ref" "$FFPF" run -q -r "$SMALL" "${REQ[$g]}"
		timeit "c_$g.int" "$CG/c_$g.ref" "$FFPF" run -q --no-compile -r "$SMALL" "${REQ[$g]}"
		UNIT_C[$g]=$(stat -c %s "$d"/ffpf/*.c 2>/dev/null | head -1)
		UNIT_SO[$g]=$(stat -c %s "$d"/ffpf/*.so 2>/dev/null | head -1)
		rm -rf "$d"
	done
done

# ---- tables -----------------------------------------------------------------------------------
verdict() { # value, target, op
	case "$1" in n/a*) echo "n/a: a cost at or below 0, i.e. within the noise"; return ;; esac
	awk -v v="$1" -v t="$2" -v op="$3" 'BEGIN { ok = (op == ">=") ? v >= t : v <= t; print ok ? "meets" : "misses" }'
}
ns_pkt() { calc "$1 * 1e9 / $PACKETS" 1; } # CPU seconds -> ns per packet of the trace
for c in "${ENGINE_CASES[@]}"; do
	declare "C_${c}=$(cpu "$c.c")" "I_${c}=$(cpu "$c.i")"
done
# Filter cost in the engine: CPU(graph) - CPU((count) alone), same mode, per packet of the trace;
# the median of the per-run differences (the two ran next to each other), and their range.
pdiffs() { paste -d' ' "$T/$1" "$T/$2" | awk -v p="$PACKETS" '{ printf "%.3f\n", ($2 - $4) * 1e9 / p }' | sort -g; }
cost() { pdiffs "$1" "$2" | median | xargs printf '%.1f'; }
crange() { pdiffs "$1" "$2" | awk 'NR == 1 { lo = $1 } { hi = $1 } END { printf "%.1f … %.1f", lo, hi }'; }
EC1=$(cost e1.c e0.c); EI1=$(cost e1.i e0.i)
EC8=$(cost e8.c e0.c); EI8=$(cost e8.i e0.i)
# quot A B: A / B with 2 decimals (the tables add the ×); "n/a" when B ≤ 0 or A < 0 (unlike
# lib.sh's ratio, 0 is a value here)
quot() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0 && a >= 0) printf "%.2f", a / b; else print "n/a" }'; }

T1=$(
	echo "**1. Filter only** — \`filtercost\`: ns/packet over $RUNS runs: each group of 1024 packets is timed in every run, the median of its $RUNS times is taken, and these are summed over the groups (so a burst of load in one run does not count; the spread of whole runs is in the tool's output, \`$CG/filtercost.out\`); $TOOL_LINE."
	echo "Every engine runs every filter of the set on each packet of a batch of 256 and appends the packets"
	echo "it passes to that filter's selection vector.  *hot*: each group of 4 batches is copied into a small"
	echo "buffer (untimed), so the packets are in the cache as in the engine, and then filtered by every case in"
	echo "turn, each timed apart; *stream*: one pass of a case over the packets where they lie (${TOOL_PACKETS}"
	echo "packets, every one from DRAM).  *walk* is the same generated loop with a trivial filter (one byte read)."
	echo
	echo "| packets | filters | walk (floor) | libpcap \`bpf_filter\` | interp \`ffpf_cbpf_run\` | compiled (fused, \`ffpf_cbpf_to_c\`) | engine stage (\`plan --emit-c\`, with counts) | libpcap / compiled | interp / compiled | interp / stage |"
	echo "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|"
	for place in hot stream; do
		for set in 1 N; do
			[ $set = 1 ] && nf=1 || nf=8
			printf '| %s | %s | %s | %s | %s | %s | %s | %s× | %s× | %s× |\n' "$place" "$nf" \
				"${NS[$place.$set.walk]}" "${NS[$place.$set.libpcap]}" "${NS[$place.$set.interp]}" \
				"${NS[$place.$set.compiled]}" "${NS[$place.$set.stage]}" \
				"$(quot "${NS[$place.$set.libpcap]}" "${NS[$place.$set.compiled]}")" \
				"$(quot "${NS[$place.$set.interp]}" "${NS[$place.$set.compiled]}")" \
				"$(quot "${NS[$place.$set.interp]}" "${NS[$place.$set.stage]}")"
		done
	done
)
row_e() { # label, case
	local c=$1 d=$2 cc ci
	cc=$(cpu "$c.c"); ci=$(cpu "$c.i")
	printf '| %s | %s | %s | %s | %s | %s× |\n' "$d" "$cc" "$(ns_pkt "$cc")" "$ci" "$(ns_pkt "$ci")" "$(quot "$ci" "$cc")"
}
T2=$(
	echo "**2. Whole engine** — \`ffpf run -q -r TRACE G\`, $PACKETS packets, CPU = user + sys of the process, median of $RUNS runs."
	echo
	echo "| graph G | compiled CPU s | ns/packet | --no-compile CPU s | ns/packet | --no-compile / compiled |"
	echo "|---|---:|---:|---:|---:|---:|"
	row_e e0 '`(count)` alone'
	row_e e1 "1 filter: \`(bpf,\"$F1\") > (count)\`"
	row_e e8 '8 filters: `[ (bpf,"F1") > (count) | … | (bpf,"F8") > (count) ]`'
	echo
	echo "Filter cost in the engine = CPU(G) − CPU(\`(count)\` alone) in the same mode, per packet: median of the $RUNS per-run differences (the two ran back to back), and their range."
	echo
	echo "| G | compiled ns/packet | (range) | --no-compile ns/packet | (range) | --no-compile / compiled |"
	echo "|---|---:|---:|---:|---:|---:|"
	echo "| 1 filter | $EC1 | $(crange e1.c e0.c) | $EI1 | $(crange e1.i e0.i) | $(quot "$EI1" "$EC1")× |"
	echo "| 8 filters (and 7 more counts, on matched packets only) | $EC8 | $(crange e8.c e0.c) | $EI8 | $(crange e8.i e0.i) | $(quot "$EI8" "$EC8")× |"
	echo "| \`(count)\` alone: compiled − --no-compile | $(cost e0.c e0.i) | $(crange e0.c e0.i) | | | |"
)
row_c() { # graph, description
	local g=$1 cold warm int
	cold=$(wall "c_$g.cold"); warm=$(wall "c_$g.warm"); int=$(wall "c_$g.int")
	printf '| %s | %s | %s | %s | %s | %s | %s | %s |\n' "$2" "${UNIT_C[$g]:-?}" "${UNIT_SO[$g]:-?}" \
		"$cold" "$(cpu "c_$g.cold")" "$warm" "$int" "$(calc "($cold - $warm) * 1000" 0)"
}
T3=$(
	echo "**3. Compile time per flowgraph** — \`ffpf run -q\` on a 1000-packet trace: empty cache (\`XDG_CACHE_HOME\` a new directory: translate, \`cc -O2\`, dlopen) vs warm cache (compare the source, dlopen) vs \`--no-compile\`; seconds, median of $CRUNS runs.  CPU includes the compiler's."
	echo
	echo "| graph | unit .c bytes | .so bytes | empty cache wall s | empty cache CPU s | warm cache wall s | --no-compile wall s | compile ms (empty − warm) |"
	echo "|---|---:|---:|---:|---:|---:|---:|---:|"
	row_c e1 "1 filter"
	row_c e8 "8 filters (bench/filters.txt)"
	row_c big "$NBIG filters (tests/data/bpf_exprs.txt, no \`netmask=\` lines), each > (count)"
	[ $HAVE_FPL = 1 ] && row_c fpl3 "the 3 FPL programs of part 4, each > (count)"
	true
)
if [ $HAVE_FPL = 1 ]; then
	T4=$(
		echo "**4. FPL, compiled vs interpreted** — \`ffpf run -q -r TRACE '(fpl,file=P) > (count)'\`, $PACKETS packets, CPU median of $RUNS runs; cost = CPU − CPU(\`(count)\` alone) in the same mode, per packet (median of the per-run differences).  Programs: the examples of the FPL spec, verbatim (its fourth needs a \`pattern\` class ffpf does not have)."
		echo
		echo "| program | compiled CPU s | --no-compile CPU s | compiled cost ns/packet | --no-compile cost ns/packet | --no-compile / compiled (cost) | (whole process) |"
		echo "|---|---:|---:|---:|---:|---:|---:|"
		for i in "${!FPL_NAMES[@]}"; do
			n=${FPL_NAMES[$i]}
			cc=$(cpu "fpl_$n.c"); ci=$(cpu "fpl_$n.i")
			kc=$(cost "fpl_$n.c" e0.c); ki=$(cost "fpl_$n.i" e0.i)
			printf '| %s: %s | %s | %s | %s | %s | %s× | %s× |\n' "$n" "${FPL_DESC[$i]}" "$cc" "$ci" "$kc" "$ki" \
				"$(quot "$ki" "$kc")" "$(quot "$ci" "$cc")"
		done
	)
else
	T4="**4. FPL** — skipped: this ffpf has no class \`fpl\` (\`ffpf classes\`)."
	say "FPL: skipped: no class fpl in this ffpf"
fi
H1=${NS[hot.1.compiled]}; H8=${NS[hot.N.compiled]}
R_FO1=$(quot "${NS[hot.1.interp]}" "$H1"); R_FO8=$(quot "${NS[hot.N.interp]}" "$H8")
R_EN1=$(quot "$EI1" "$EC1"); R_EN8=$(quot "$EI8" "$EC8")
R_81_FO=$(quot "$H8" "$H1"); R_81_NET=$(quot "$(calc "$H8 - ${NS[hot.N.walk]}")" "$(calc "$H1 - ${NS[hot.1.walk]}")"); R_81_ST=$(quot "${NS[hot.N.stage]}" "${NS[hot.1.stage]}")
R_81_FS=$(quot "${NS[stream.N.compiled]}" "${NS[stream.1.compiled]}")
R_81_EW=$(quot "$C_e8" "$C_e1"); R_81_EC=$(quot "$EC8" "$EC1")
# The compiled 1-filter cost in the engine is a few ns/packet in ~60: when its per-run range
# reaches 0 the ratios built on it are noise, and the verdict says so.
E1LO=$(pdiffs e1.c e0.c | head -1)
noisy() { awk -v lo="$E1LO" 'BEGIN { exit !(lo <= 0) }'; }
verdict_e1() { # value, target, op
	if noisy; then echo "$(verdict "$@"), but noise: the compiled 1-filter cost's range reaches 0"; else verdict "$@"; fi
}
TR=$(
	echo "**Targets**"
	echo
	echo "| target | what is compared | value | verdict |"
	echo "|---|---|---:|---|"
	echo "| compiled ≥ 3× faster than interpreted | filter only, hot, 1 filter: interp / compiled ns/packet | ${R_FO1}× | $(verdict "$R_FO1" 3 '>=') |"
	echo "| | filter only, hot, 8 filters: interp / compiled | ${R_FO8}× | $(verdict "$R_FO8" 3 '>=') |"
	echo "| | filter only, hot, 8 filters: interp / engine stage | $(quot "${NS[hot.N.interp]}" "${NS[hot.N.stage]}")× | $(verdict "$(quot "${NS[hot.N.interp]}" "${NS[hot.N.stage]}")" 3 '>=') |"
	echo "| | engine, filter cost, 1 filter: --no-compile / compiled | ${R_EN1}× | $(verdict_e1 "$R_EN1" 3 '>=') |"
	echo "| | engine, filter cost, 8 filters: --no-compile / compiled | ${R_EN8}× | $(verdict "$R_EN8" 3 '>=') |"
	echo "| fused 8-filter graph ≤ 2× the 1-filter graph | filter only, hot, compiled: ns/packet 8 / 1 | ${R_81_FO}× | $(verdict "$R_81_FO" 2 '<=') |"
	echo "| | filter only, hot, compiled minus the walk floor: 8 / 1 | ${R_81_NET}× | $(verdict "$R_81_NET" 2 '<=') |"
	echo "| | filter only, hot, engine stage (with counts): 8 / 1 | ${R_81_ST}× | $(verdict "$R_81_ST" 2 '<=') |"
	echo "| | filter only, stream, compiled: 8 / 1 | ${R_81_FS}× | $(verdict "$R_81_FS" 2 '<=') |"
	echo "| | whole engine, compiled: CPU per packet 8 / 1 | ${R_81_EW}× | $(verdict "$R_81_EW" 2 '<=') |"
	echo "| | engine filter cost, compiled: 8 / 1 | ${R_81_EC}× | $(verdict_e1 "$R_81_EC" 2 '<=') |"
)

CPU_MODEL=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
NOW=$(date -u '+%Y-%m-%d %H:%M UTC')
FFV=$("$FFPF" --version 2>&1 | head -1)
CCV=$(${FFPF_CC:-cc} --version 2>/dev/null | head -1)
PCV=$(pkg-config --modversion libpcap 2>/dev/null || echo '?')
src_rev
BEGIN_MARK='<!-- bench/codegen.sh: begin — this section is rewritten by each run of bench/codegen.sh -->'
END_MARK='<!-- bench/codegen.sh: end -->'
SECTION=$(
	echo "$BEGIN_MARK"
	echo
	echo "## Native code: compiled vs interpreted (\`bench/codegen.sh\`)"
	echo
	echo "- date: $NOW"
	echo "- machine: $(nproc) CPUs, $CPU_MODEL; Linux $(uname -r); noisy shared machine: medians and ratios only"
	echo "- software: $FFV (CMake build type ${BUILD_TYPE:-?}; git: $REV; cksum of src/ include/ tools/ *.[ch]: $SRC_SUM), unit compiler: $CCV, libpcap $PCV"
	echo "- trace: $PACKETS packets, $SIZE bytes; $DESC"
	echo "- runs: $RUNS per case (median), interleaved; the trace is in the page cache"
	echo "- filters: 1 = \`$F1\`; 8 = bench/filters.txt: $(printf '`%s`, ' "${FILTERS[@]}" | sed 's/, $//')"
	echo
	echo "$T1"
	echo
	echo "$T2"
	echo
	echo "$TR"
	echo
	echo "$T3"
	echo
	echo "$T4"
	echo
	echo "$END_MARK"
)
show_section "$SECTION"
if [ $WRITE = 1 ]; then write_section "$SECTION" "$BEGIN_MARK" "$END_MARK" "$CG"; fi
