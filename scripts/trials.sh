#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# The long crash and restart trials, by hand (make check runs short
# ones): 100 SIGKILLs during each of a CSV import, a bulk code issue and
# a stream of redemptions (tests/test_crash.sh), and 20 restarts with
# SIGTERM and 20 with SIGKILL under a load of logins with the socket
# held (tests/test_restart.sh).  Needs root and a build directory where
# `make check` has built the tests' programs.
#
#   scripts/trials.sh BUILDDIR [--trials N] [--seed N] [--import-rows N]
#
# Each test prints its seed; --seed (or OB_SEED) replays the same kills.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
[ $# -ge 1 ] || { echo "usage: $0 BUILDDIR [--trials N] [--seed N] [--import-rows N]" >&2; exit 2; }
build=$(cd "$1" && pwd)
shift
trials=100
seed=
while [ $# -gt 0 ]; do
	case $1 in
	--trials) trials=$2; shift 2 ;;
	--seed) seed=$2; shift 2 ;;
	--import-rows) OB_CRASH_IMPORT_ROWS=$2; export OB_CRASH_IMPORT_ROWS; shift 2 ;;
	*) echo "usage: $0 BUILDDIR [--trials N] [--seed N] [--import-rows N]" >&2; exit 2 ;;
	esac
done
# What make check's environment gives the tests (Makefile.am's
# AM_TESTS_ENVIRONMENT), read from the build directory's Makefile.
mkvar() {
	sed -n "s/^$1 = //p" "$build/Makefile" | head -n 1
}
top_srcdir=$top
ONBOARDD=$build/onboardd
ONBOARDCTL=$build/onboardctl
NSS_WRAPPER_LIB=$(mkvar NSS_WRAPPER_LIB)
ASAN_LIB=$(mkvar ASAN_LIB)
OB_SANITIZERS=$(mkvar enable_sanitizers)
export top_srcdir ONBOARDD ONBOARDCTL NSS_WRAPPER_LIB ASAN_LIB OB_SANITIZERS
[ -z "$seed" ] || { OB_SEED=$seed; export OB_SEED; }

status=0
sh "$top/tests/test_crash.sh" --trials "$trials" || status=1
sh "$top/tests/test_restart.sh" --restarts 20 --kills 20 || status=1
exit $status
