#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Install the dependencies, build, and run the whole test suite: a normal
# build with warnings as errors, the same suite under AddressSanitizer and
# UndefinedBehaviorSanitizer, and `make distcheck`.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
jobs=$(nproc 2>/dev/null || echo 2)

sh scripts/deps.sh
# pam_wrapper keeps each test's PAM configuration in /tmp/pam.X, one
# letter or digit: directories left by killed runs would make later runs
# collide.  Only those untouched for an hour are removed.
find /tmp -maxdepth 1 -name 'pam.?' -type d -mmin +60 -exec rm -rf {} + 2>/dev/null || true
# autoreconf is chatty; show what it said only when it fails.
if ! autoreconf -fi >"${TMPDIR:-/tmp}/onboard-autoreconf.log" 2>&1; then
	cat "${TMPDIR:-/tmp}/onboard-autoreconf.log" >&2
	exit 1
fi

run_suite() { # NAME CONFIGURE-ARGS...
	name=$1
	shift
	dir="$top/build/$name"
	rm -rf "$dir"
	mkdir -p "$dir"
	echo "=== $name: configure $*"
	(cd "$dir" && "$top/configure" -q "$@")
	echo "=== $name: make check"
	if ! make -C "$dir" -j"$jobs" check >"$dir/make.log" 2>&1; then
		grep -E '^(FAIL|ERROR):' "$dir/make.log" || true
		tail -n 30 "$dir/make.log"
		# Automake's .trs files say ":test-result: FAIL" for each failed test.
		for log in $(find "$dir/tests" "$dir/fuzz" -name '*.log' 2>/dev/null); do
			if grep -qE '^:test-result: (FAIL|ERROR)' "${log%.log}.trs" 2>/dev/null; then
				echo "----- $log"
				tail -n 80 "$log"
			fi
		done
		echo "=== $name: FAILED"
		exit 1
	fi
	grep -E '^# (TOTAL|PASS|SKIP|FAIL|ERROR):' "$dir/make.log" | sed "s/^/$name /"
	count() { grep -E "^# $1: " "$dir/make.log" | tail -n 1 | awk '{print $3}'; }
	passed=$((passed + $(count PASS)))
	failed=$((failed + $(count FAIL) + $(count ERROR)))
	skipped=$((skipped + $(count SKIP)))
}
passed=0
failed=0
skipped=0

run_suite normal --enable-werror
make -C "$top/build/normal" -s bench BENCH_ARGS=--quick >"$top/build/normal/bench.log" 2>&1 || { tail -n 40 "$top/build/normal/bench.log"; echo "=== bench --quick (the harness, not a figure): FAILED"; exit 1; }
# The unit tests and one whole login under valgrind's memcheck (issue 16).
echo "=== normal: make check-valgrind"
make -C "$top/build/normal" -s check-valgrind >"$top/build/normal/valgrind.log" 2>&1 || { tail -n 80 "$top/build/normal/valgrind.log"; echo "=== check-valgrind: FAILED"; exit 1; }
grep -E '^valgrind unit tests:|^[0-9]+ passed' "$top/build/normal/valgrind.log" | sed 's/^/valgrind /' || true
run_suite sanitizers --enable-werror --enable-sanitizers

echo "=== distcheck"
dist="$top/build/dist"
rm -rf "$dist"
mkdir -p "$dist"
(cd "$dist" && "$top/configure" -q --enable-werror)
if ! make -C "$dist" -j"$jobs" distcheck >"$dist/make.log" 2>&1; then
	tail -n 80 "$dist/make.log"
	echo "=== distcheck: FAILED"
	exit 1
fi
grep -E 'archives ready for distribution|^onboard-.*tar' "$dist/make.log" | head -3
echo "=== all suites passed"
echo "$passed passed, $failed failed, $skipped skipped"
