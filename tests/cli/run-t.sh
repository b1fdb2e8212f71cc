#!/usr/bin/env bash
# run-t.sh — runs one script + expected-output test (Click's .clicktest idea).
#
# A .t file has sections:
#   %script          bash run in a fresh temporary directory; $FFPF, $FFPF_GEN, $T (generated
#                    traces) and $DATA (tests/data) are set
#   %expect          the exact standard output (optional)
#   %status N        the expected exit status of the script (default 0)
#   %stderr          lines that must each appear in standard error (optional)
set -u
t=$1
name=$(basename "$t" .t)
work=$(mktemp -d "${TMPDIR:-/tmp}/ffpf-t.XXXXXX")
trap 'rm -rf "$work"' EXIT

section() { # print the body of section $1
	awk -v s="%$1" '
		/^%[a-z_]+/ { on = ($1 == s); if (on && NF > 1) { $1 = ""; sub(/^ /, ""); print }; next }
		on { print }' "$t"
}

section script >"$work/script.sh"
section expect >"$work/expect"
want_status=$(section status | head -n1)
want_status=${want_status:-0}
section stderr >"$work/stderr.want"

export T="$FFPF_TEST_TRACES" DATA="$FFPF_TEST_DATA"
(cd "$work" && bash -o pipefail "$work/script.sh" >"$work/out" 2>"$work/err")
status=$?
if [ "$status" = 77 ] && [ "$want_status" != 77 ]; then
	echo "$name: skipped: $(tail -n1 "$work/err")"
	exit 77
fi
fail=0
if [ "$status" != "$want_status" ]; then
	echo "$name: exit status $status, expected $want_status"
	fail=1
fi
if grep -q '^%expect' "$t" && ! diff -u "$work/expect" "$work/out" >"$work/diff"; then
	echo "$name: standard output differs (- expected, + actual):"
	cat "$work/diff"
	fail=1
fi
while IFS= read -r line; do
	[ -z "$line" ] && continue
	if ! grep -qF -- "$line" "$work/err"; then
		echo "$name: standard error lacks: $line"
		fail=1
	fi
done <"$work/stderr.want"
if [ $fail -ne 0 ]; then
	echo "--- stderr ---"
	head -c 4000 "$work/err"
	exit 1
fi
echo "$name: ok"
