#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Crash trials: onboardd killed with SIGKILL at a random moment during a
# CSV import, a bulk code issue and a stream of redemptions, started
# again with its socket held (as systemd's socket activation holds it),
# and the invariants checked each time (tests/crash_trials.py says
# which: the database opens, one usable code per person at most, none
# used and usable, an import all or nothing, no acknowledged redemption
# lost, the audit agrees with the data, no code replaced by a bulk issue
# left out of its file without a word).
#
#   tests/test_crash.sh [--trials N] [--seed N] [import|bulk|redeem]...
#
# make check runs 10 trials of each; scripts/crash-trials.sh runs 100.
# The kills' moments come from the seed, printed (OB_SEED or --seed
# replays them).

srcdir_tests=${top_srcdir:+$top_srcdir/tests}
. "${srcdir_tests:-$(dirname "$0")}/lib.sh"
py=/usr/bin/python3
[ -x "$py" ] || py=python3
trials_py="$py ${srcdir_tests:-$(dirname "$0")}/crash_trials.py"

trials=10
seed=${OB_SEED:-$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')}
kinds=
while [ $# -gt 0 ]; do
	case $1 in
	--trials) trials=$2; shift 2 ;;
	--seed) seed=$2; shift 2 ;;
	import | bulk | redeem) kinds="$kinds $1"; shift ;;
	*) echo "usage: $0 [--trials N] [--seed N] [import|bulk|redeem]..." >&2; exit 2 ;;
	esac
done
kinds=${kinds:-import bulk redeem}

if ! command -v "$py" >/dev/null 2>&1; then
	echo "SKIP: python3 is not installed"
	exit 77
fi
# The trials add people through io.onboard.Admin: only root administers.
if [ "$(id -u)" -ne 0 ]; then
	echo "SKIP: needs root (the trials add people through io.onboard.Admin)"
	exit 77
fi

ob_setup
# mfa = off: a redemption ends with the new password.
printf 'mfa = off\n' >>"$OB_CONF"
export ONBOARDCTL
# Half the kills come before a reply, from tests/crash_reply.c preloaded
# (make check builds it next to onboardd); without it, all are timed.
crash_so=$(dirname "$ONBOARDD")/tests/.libs/crash_reply.so
preload=$OB_PRELOAD
if [ -f "$crash_so" ]; then
	preload="$preload $crash_so"
	OB_CRASH_FILE=$OB_DIR/crash-after
	export OB_CRASH_FILE
else
	echo "# $crash_so is not built: every kill is timed"
fi

echo "# seed $seed (OB_SEED=$seed replays the kills' moments)"
# A store of its own for each kind: the checks read every code, and the
# bulk issues leave many.
for kind in $kinds; do
	mkdir -m 0700 "$OB_STATE-$kind" || exit 99
	if out=$($trials_py "$OB_DIR/held-$kind.sock" "$kind" "$trials" "$seed" -- \
		env LD_PRELOAD="$preload" NSS_WRAPPER_PASSWD="$OB_PASSWD" \
		NSS_WRAPPER_GROUP="$OB_GROUP" "$ONBOARDD" --foreground \
		--socket "$OB_DIR/unused.sock" --state-dir "$OB_STATE-$kind" --config "$OB_CONF" \
		2>>"$OB_LOG"); then
		ob_pass "sigkill_during_${kind}_keeps_the_invariants"
	else
		ob_fail "sigkill_during_${kind}_keeps_the_invariants" "$(echo "$out" | tail -n 1)"
	fi
	ob_say "$out"
done
# Without a held socket, a page's reply lost to a kill cannot be asked
# again: onboardctl names the page (the people after the last one it
# wrote) whose codes may have been replaced without reaching the file.
if [ -n "${OB_CRASH_FILE:-}" ]; then
	{
		echo "username,first_name,last_name"
		i=100
		while [ $i -lt 250 ]; do
			echo "nmd00$i,Ada,Lind"
			i=$((i + 1))
		done
	} >"$OB_DIR/named.csv"
	OB_PRELOAD=$preload ob_start_daemon
	ob_run ob_ctl user import "$OB_DIR/named.csv" --org named
	echo 2 >"$OB_CRASH_FILE" # the second page's reply is not sent
	ob_run ob_ctl code issue --all-without-email --org named --output "$OB_DIR/named-codes.csv"
	if [ "$OB_RC" -eq 3 ] &&
		grep -q 'the codes of the people after "nmd00199" in organisation named (a page' "$OB_ERR" &&
		[ "$(grep -c "^nmd" "$OB_DIR/named-codes.csv")" -eq 100 ]; then
		ob_pass bulk_issue_cut_off_from_its_daemon_names_the_page_it_may_have_lost
	else
		ob_fail bulk_issue_cut_off_from_its_daemon_names_the_page_it_may_have_lost \
			"expected exit 3, 100 codes written and the page after nmd00199 named"
		ob_show_output
	fi
	rm -f "$OB_CRASH_FILE"
	ob_kill_daemon
fi

if grep -q -e 'ERROR: AddressSanitizer' -e 'runtime error:' "$OB_LOG"; then
	ob_fail crash_trials_are_sanitizer_clean "a sanitizer reported an error in onboardd's log"
fi
ob_summary
