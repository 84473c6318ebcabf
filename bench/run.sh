#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Build the benchmarks if needed and run them: bench_codec, bench_login
# and goals.sh (the table of issue 11's goals against their floors; the
# last two need root and skip themselves otherwise).  Figures only:
# nothing here passes or fails on time, only on a broken harness.
# See bench/README.md.
set -eu

usage() {
	cat <<EOF
usage: bench/run.sh [--builddir DIR] [--no-build] [--quick | --full]
                    [--only codec|login|goals] [--config FILE]
  --builddir DIR  a configured build directory (default: the current one)
  --no-build      do not run make first
  --quick         every part at small sizes, under a minute: keeps the
                  harness working (CI); the figures mean little
  --full          bigger runs of bench_codec and bench_login
  --only WHAT     run only bench_codec, bench_login or goals.sh
  --config FILE   onboardd.conf for bench_login to start from (hash cost...)
Each program takes more options: bench/bench_codec --help, bench/bench_login --help.
EOF
}

builddir=.
build=yes
full=no
quick=no
only=
config=
while [ $# -gt 0 ]; do
	case $1 in
	--builddir) builddir=${2:?--builddir needs a directory}; shift 2 ;;
	--no-build) build=no; shift ;;
	--full) full=yes; shift ;;
	--quick) quick=yes; shift ;;
	--only) only=${2:?--only needs codec or login}; shift 2 ;;
	--config) config=${2:?--config needs a file}; shift 2 ;;
	-h|--help) usage; exit 0 ;;
	*) usage >&2; exit 2 ;;
	esac
done
case $only in
''|codec|login|goals) ;;
*) echo "run.sh: --only takes codec, login or goals" >&2; exit 2 ;;
esac

if [ ! -f "$builddir/Makefile" ]; then
	echo "run.sh: $builddir is not a configured build directory (run configure there," \
		"or pass --builddir)" >&2
	exit 2
fi
builddir=$(cd "$builddir" && pwd)

if [ "$build" = yes ]; then
	make -C "$builddir" -s onboardd onboardctl pam_onboard.la bench/bench_codec \
		bench/bench_login bench/bench_floor bench/bench_pam
fi

goals_args=
if [ "$full" = yes ]; then
	codec_args="--runs 9 --min-time 0.5"
	login_args="--code-logins 128 --logins 256 --admin-people 100000"
elif [ "$quick" = yes ]; then
	codec_args="--runs 1 --min-time 0.01"
	login_args="--code-logins 2 --clients 1,2 --logins 4 --busy-clients 8 --admin-people 100"
	goals_args=--quick
else
	codec_args=
	login_args=
fi
if [ -n "$config" ]; then
	login_args="$login_args --config $config"
fi

echo "== onboard benchmarks, $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "host:   $(uname -srm)"
model=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo 2>/dev/null | head -n 1)
echo "cpu:    ${model:-unknown}, $(getconf _NPROCESSORS_ONLN) online"
echo "memory: $(awk '/^MemTotal:/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo 2>/dev/null)"
# Other work on the machine skews every figure: say how busy it was.
echo "load:   $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null) (1, 5, 15 min averages) at start"
echo

status=0
if [ -z "$only" ] || [ "$only" = codec ]; then
	echo "== bench_codec"
	# shellcheck disable=SC2086 # the argument lists are split on purpose
	"$builddir/bench/bench_codec" $codec_args || status=1
	echo
fi
if [ -z "$only" ] || [ "$only" = login ]; then
	echo "== bench_login"
	# shellcheck disable=SC2086
	"$builddir/bench/bench_login" --onboardd "$builddir/onboardd" $login_args || status=1
	echo
fi
if [ -z "$only" ] || [ "$only" = goals ]; then
	echo "== goals: issue 11's goals, each against its floor"
	# shellcheck disable=SC2086
	sh "$(dirname "$0")/goals.sh" --builddir "$builddir" $goals_args || status=1
	echo
fi
echo "load:   $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null) at the end"
exit $status
