#!/usr/bin/env bash
# test.sh — build and run the whole test suite (CTest).  --sanitize: the same suite in an
# AddressSanitizer + UndefinedBehaviorSanitizer build (clang), plus the fuzz smoke runs.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
if [ "${1:-}" = "--sanitize" ]; then
	dir=build-asan
	cmake -S . -B $dir -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=Debug -DFFPF_SANITIZE=ON \
		-DFFPF_FUZZ=ON >/dev/null
	export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
	export FFPF_TEST_QUICK=1
else
	dir=build
	cmake -S . -B $dir -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
fi
cmake --build $dir -j"$(nproc)" >/dev/null
ctest --test-dir $dir --output-on-failure -j2
