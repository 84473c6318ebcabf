#!/bin/sh
# Build the benchmarks if needed and run them: bench_codec, then
# bench_login (which needs root and skips itself otherwise).  Figures only:
# nothing here passes or fails on time.  See bench/README.md.
set -eu

usage() {
	cat <<EOF
usage: bench/run.sh [--builddir DIR] [--no-build] [--full] [--only codec|login]
                    [--config FILE]
  --builddir DIR  a configured build directory (default: the current one)
  --no-build      do not run make first
  --full          bigger runs (several minutes) instead of the ~2 minute default
  --only WHAT     run only bench_codec or only bench_login
  --config FILE   onboardd.conf for bench_login to start from (hash cost...)
Each program takes more options: bench/bench_codec --help, bench/bench_login --help.
EOF
}

builddir=.
build=yes
full=no
only=
config=
while [ $# -gt 0 ]; do
	case $1 in
	--builddir) builddir=${2:?--builddir needs a directory}; shift 2 ;;
	--no-build) build=no; shift ;;
	--full) full=yes; shift ;;
	--only) only=${2:?--only needs codec or login}; shift 2 ;;
	--config) config=${2:?--config needs a file}; shift 2 ;;
	-h|--help) usage; exit 0 ;;
	*) usage >&2; exit 2 ;;
	esac
done
case $only in
''|codec|login) ;;
*) echo "run.sh: --only takes codec or login" >&2; exit 2 ;;
esac

if [ ! -f "$builddir/Makefile" ]; then
	echo "run.sh: $builddir is not a configured build directory (run configure there," \
		"or pass --builddir)" >&2
	exit 2
fi
builddir=$(cd "$builddir" && pwd)

if [ "$build" = yes ]; then
	make -C "$builddir" -s onboardd bench/bench_codec bench/bench_login
fi

if [ "$full" = yes ]; then
	codec_args="--runs 9 --min-time 0.5"
	login_args="--code-logins 128 --logins 256 --admin-people 100000"
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
if [ "$only" != login ]; then
	echo "== bench_codec"
	# shellcheck disable=SC2086 # the argument lists are split on purpose
	"$builddir/bench/bench_codec" $codec_args || status=1
	echo
fi
if [ "$only" != codec ]; then
	echo "== bench_login"
	# shellcheck disable=SC2086
	"$builddir/bench/bench_login" --onboardd "$builddir/onboardd" $login_args || status=1
	echo
fi
echo "load:   $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null) at the end"
exit $status
