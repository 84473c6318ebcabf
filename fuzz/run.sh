#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Build the libFuzzer targets with clang, AddressSanitizer and
# UndefinedBehaviorSanitizer in a temporary directory, and run each for
# FUZZ_SECONDS seconds (default 60), starting from the seed corpus in
# fuzz/corpus/.  The tree is not written to.
#
#   fuzz/run.sh [varlink|code|duration|validate|config|options|pamconf|csv|record|dispatch]...
#
# Exit status 1 when a target crashed: its work directory is kept and the
# crashing input's path printed.  FUZZ_KEEP=1 keeps it in any case (the
# grown corpus is in corpus/TARGET there).  Needs clang and its runtime
# (Debian: apt-get install clang).
set -eu

srcdir=$(cd "$(dirname "$0")/.." && pwd)
seconds=${FUZZ_SECONDS:-60}
targets=${*:-varlink code duration validate config options pamconf csv record dispatch}

if ! command -v clang >/dev/null 2>&1; then
	echo "fuzz/run.sh: clang not found (Debian: apt-get install clang)" >&2
	exit 2
fi
for t in $targets; do
	if [ ! -f "$srcdir/fuzz/fuzz_$t.c" ]; then
		echo "fuzz/run.sh: no fuzz target '$t'" >&2
		exit 2
	fi
done

work=$(mktemp -d "${TMPDIR:-/tmp}/onboard-fuzz.XXXXXX")
status=0
cleanup() {
	if [ "$status" -eq 0 ] && [ "${FUZZ_KEEP:-0}" != 1 ]; then
		rm -rf "$work"
	else
		echo "fuzz/run.sh: work directory kept: $work"
	fi
}
trap cleanup EXIT

[ -x "$srcdir/configure" ] || (cd "$srcdir" && autoreconf -fi)
cd "$work"
"$srcdir/configure" -q CC=clang --enable-fuzzing --enable-sanitizers >configure.log 2>&1 || {
	status=2
	cat configure.log >&2
	exit 2
}
progs=""
for t in $targets; do
	progs="$progs fuzz/fuzz_$t"
done
# shellcheck disable=SC2086 # one word per target
make -j"$(nproc 2>/dev/null || echo 2)" $progs >build.log 2>&1 || {
	status=2
	tail -n 40 build.log >&2
	exit 2
}

for t in $targets; do
	mkdir -p "corpus/$t" "crash/$t"
	cp "$srcdir/fuzz/corpus/$t/"* "corpus/$t/"
	dict=""
	if [ -f "$srcdir/fuzz/corpus/$t.dict" ]; then
		dict="-dict=$srcdir/fuzz/corpus/$t.dict"
	fi
	# The daemon logs every call to stderr: only libFuzzer's lines and
	# the sanitizers' reports are kept.
	if [ "$t" = dispatch ]; then
		dict="$dict -close_fd_mask=2"
	fi
	# shellcheck disable=SC2086 # $dict is empty or one word
	if "./fuzz/fuzz_$t" -max_total_time="$seconds" -print_final_stats=1 \
		-artifact_prefix="crash/$t/" $dict "corpus/$t" >"fuzz_$t.log" 2>&1; then
		execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "fuzz_$t.log")
		secs=$(sed -n 's/^stat::average_exec_per_sec: *//p' "fuzz_$t.log")
		cov=$(grep -E '^#[0-9]+.*(DONE|pulse|NEW|REDUCE)' "fuzz_$t.log" | tail -n 1 |
			sed -n 's/.*\(cov: [0-9]*\).*/\1/p')
		echo "fuzz_$t: ok, $execs runs in ${seconds}s ($secs/s), $cov, corpus $(ls "corpus/$t" | wc -l) inputs"
	else
		status=1
		echo "fuzz_$t: FAILED"
		grep -E '^(==[0-9]+==ERROR|SUMMARY|.*runtime error)' "fuzz_$t.log" | head -n 5
		for f in "crash/$t/"*; do
			[ -e "$f" ] && echo "  input: $work/$f"
		done
		echo "  log: $work/fuzz_$t.log"
	fi
done
exit "$status"
