#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# onboardd restarted with SIGTERM while its socket is held, as systemd's
# socket activation holds it (tests/restart_load.py binds it and starts
# onboardd with LISTEN_FDS=1): a dialogue under way finishes, a login
# that connects meanwhile waits in the socket's queue for the next
# daemon, and under a load of logins no login fails.
#
# And with SIGKILL: only the logins in flight at a kill may fail; they
# are counted and reported.
#
#   tests/test_restart.sh [--restarts N] [--kills N] [--clients N] [--seed N]
#
# make check runs 5 restarts and 5 kills with 3 clients; --restarts 20
# --kills 20 is the measurement README quotes.  The kills' moments come
# from the seed, printed (OB_SEED or --seed replays them).

srcdir_tests=${top_srcdir:+$top_srcdir/tests}
. "${srcdir_tests:-$(dirname "$0")}/lib.sh"
py=/usr/bin/python3
[ -x "$py" ] || py=python3
holder="$py ${srcdir_tests:-$(dirname "$0")}/restart_load.py"

restarts=5
kills=5
clients=3
seed=${OB_SEED:-$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')}
while [ $# -gt 0 ]; do
	case $1 in
	--restarts) restarts=$2; shift 2 ;;
	--kills) kills=$2; shift 2 ;;
	--clients) clients=$2; shift 2 ;;
	--seed) seed=$2; shift 2 ;;
	*) echo "usage: $0 [--restarts N] [--kills N] [--clients N] [--seed N]" >&2; exit 2 ;;
	esac
done

if ! command -v "$py" >/dev/null 2>&1; then
	echo "SKIP: python3 is not installed"
	exit 77
fi
# The logins need people, and only root administers.
if [ "$(id -u)" -ne 0 ]; then
	echo "SKIP: needs root (the test adds people through io.onboard.Admin)"
	exit 77
fi

ob_setup
# The load runs with the default bound (5 s).  mfa = off: a password
# login ends with the password.
printf 'mfa = off\npassword_min_length = 15\n' >>"$OB_CONF"
sed -i '/^shutdown_timeout = /d' "$OB_CONF"

check() { # NAME CMD...
	name=$1
	shift
	if out=$("$@" 2>>"$OB_LOG"); then
		ob_pass "$name"
		ob_say "  $out"
	else
		ob_fail "$name" "$out"
		sed 's/^/  | /' "$OB_LOG" | tail -40
	fi
}

check sigterm_under_load_with_the_socket_held_fails_no_login \
	$holder "$OB_DIR/held.sock" load "$restarts" "$clients" -- \
	env LD_PRELOAD="$OB_PRELOAD" NSS_WRAPPER_PASSWD="$OB_PASSWD" \
	NSS_WRAPPER_GROUP="$OB_GROUP" "$ONBOARDD" --foreground \
	--socket "$OB_DIR/unused.sock" --state-dir "$OB_STATE" --config "$OB_CONF"

echo "# seed $seed (OB_SEED=$seed replays the kills' moments)"
check sigkill_under_load_with_the_socket_held_fails_only_the_logins_in_flight \
	$holder "$OB_DIR/held3.sock" kill "$kills" "$clients" "$seed" -- \
	env LD_PRELOAD="$OB_PRELOAD" NSS_WRAPPER_PASSWD="$OB_PASSWD" \
	NSS_WRAPPER_GROUP="$OB_GROUP" "$ONBOARDD" --foreground \
	--socket "$OB_DIR/unused.sock" --state-dir "$OB_STATE" --config "$OB_CONF"

# A dialogue left at its prompt is cut at the default bound, 5 s.
check sigterm_lets_a_dialogue_finish_and_bounds_it \
	$holder "$OB_DIR/held2.sock" dialogue -- \
	env LD_PRELOAD="$OB_PRELOAD" NSS_WRAPPER_PASSWD="$OB_PASSWD" \
	NSS_WRAPPER_GROUP="$OB_GROUP" "$ONBOARDD" --foreground \
	--socket "$OB_DIR/unused.sock" --state-dir "$OB_STATE" --config "$OB_CONF"

if grep -q -e 'ERROR: AddressSanitizer' -e 'ERROR: LeakSanitizer' -e 'runtime error:' \
	"$OB_LOG"; then
	ob_fail restarts_are_sanitizer_clean "a sanitizer reported an error in onboardd's log"
fi
ob_summary
