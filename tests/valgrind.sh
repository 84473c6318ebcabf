#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# make check-valgrind (issue 16): the unit tests, then one whole login
# dialogue (onboardd, onboardctl, and pam_onboard.so in pamtester),
# under valgrind's memcheck: any error or leak fails.
#
#   tests/valgrind.sh unit PROGRAM...   each cmocka test, two at a time
#   tests/valgrind.sh login             add a person, issue a code, register
#                                       through pamtester (code, username,
#                                       password, authenticator), log in
#                                       again with password and TOTP
#
# Suppressions (tests/valgrind.supp) are for third-party libraries only,
# each with the reason.  Run from the build directory (make does).

srcdir_tests=${top_srcdir:+$top_srcdir/tests}
srcdir_tests=${srcdir_tests:-$(dirname "$0")}
: "${VALGRIND:=valgrind}"
: "${VALGRIND_JOBS:=2}"

if ! command -v "$VALGRIND" >/dev/null 2>&1; then
	echo "SKIP: valgrind is not installed"
	exit 77
fi
if [ "${OB_SANITIZERS:-no}" = yes ]; then
	echo "SKIP: a sanitized build (ASan and valgrind do not mix)"
	exit 77
fi

vg_opts="--error-exitcode=42 --leak-check=full --show-leak-kinds=definite,indirect,possible \
--errors-for-leak-kinds=definite,indirect,possible --num-callers=40 \
--suppressions=$srcdir_tests/valgrind.supp"

case ${1:-} in
unit)
	shift
	logs=$(mktemp -d "${TMPDIR:-/tmp}/onboard-valgrind.XXXXXX") || exit 99
	# libtool runs the real binary of a libtool wrapper under valgrind.
	# OB_VALGRIND_PRELOAD (tests/valgrind_skip.c) leaves out the tests
	# named in OB_VALGRIND_SKIP.
	export OB_VALGRIND_SKIP
	for prog in "$@"; do
		printf '%s\n' "$prog"
	done | LD_PRELOAD=${OB_VALGRIND_PRELOAD:-} xargs -P "$VALGRIND_JOBS" -I{} sh -c '
		prog=$1 logs=$2
		shift 2
		name=$(basename "$prog")
		if ./libtool --mode=execute '"$VALGRIND"' -q "$@" "$prog" \
			>"$logs/$name.log" 2>&1; then
			echo "ok - valgrind $name"
		else
			echo "FAIL - valgrind $name (status $?):"
			grep -E "^==[0-9]+==|FAILED|ERROR" "$logs/$name.log" | head -n 80
		fi' sh {} "$logs" $vg_opts >"$logs/summary"
	cat "$logs/summary"
	failed=$(grep -c '^FAIL' "$logs/summary")
	rm -rf "$logs"
	echo "valgrind unit tests: $# run, $failed failed"
	[ "$failed" -eq 0 ]
	exit
	;;
login) ;;
*)
	echo "usage: $0 unit PROGRAM... | login" >&2
	exit 2
	;;
esac

. "$srcdir_tests/lib.sh"
top=${top_srcdir:-$srcdir_tests/..}
for tool in expect oathtool; do
	if ! command -v $tool >/dev/null 2>&1; then
		echo "SKIP: $tool is not installed"
		exit 77
	fi
done
if [ -z "${PAMTESTER:-}" ] || [ ! -x "$PAMTESTER" ]; then
	echo "SKIP: pamtester is not installed"
	exit 77
fi
if [ "$(id -u)" -ne 0 ]; then
	echo "SKIP: needs root (onboardd lets only uid 0 administer and log others in)"
	exit 77
fi

ob_setup
vg() { # LOG-NAME PROGRAM ARGS...: under valgrind, its report in $OB_DIR/vg-NAME.%p
	vg_name=$1
	shift
	# shellcheck disable=SC2086
	"$VALGRIND" -q $vg_opts --log-file="$OB_DIR/vg-$vg_name.%p" "$@"
}

# onboardd under valgrind (not through vg: $! must be valgrind's own pid,
# not a subshell's); ready once it answers (valgrind is slow to start).
# shellcheck disable=SC2086
LD_PRELOAD=$OB_PRELOAD NSS_WRAPPER_PASSWD=$OB_PASSWD NSS_WRAPPER_GROUP=$OB_GROUP \
	"$VALGRIND" -q $vg_opts --log-file="$OB_DIR/vg-onboardd.%p" "$ONBOARDD" --foreground --socket "$OB_SOCKET" --state-dir "$OB_STATE" \
	--config "$OB_CONF" </dev/null >>"$OB_LOG" 2>&1 &
OB_DAEMON_PID=$!
i=0
until [ -S "$OB_SOCKET" ] && ob_ctl status >/dev/null 2>&1; do
	if ! kill -0 "$OB_DAEMON_PID" 2>/dev/null || [ $i -ge 600 ]; then
		ob_fail valgrind_onboardd_starts "onboardd under valgrind did not answer"
		sed 's/^/  | /' "$OB_LOG"
		exit 1
	fi
	sleep 0.1
	i=$((i + 1))
done

expect_ok valgrind_onboardctl_user_add \
	vg onboardctl "$ONBOARDCTL" --socket "$OB_SOCKET" user add grace --first-name Grace \
	--last-name Hopper --email grace@example.org
expect_stdout_matches valgrind_onboardctl_code_issue '^[A-Z]{4}(-[A-Z]{4}){3}$' \
	vg onboardctl "$ONBOARDCTL" --socket "$OB_SOCKET" code issue grace
code=$(grep -E '^[A-Z]{4}(-[A-Z]{4}){3}$' "$OB_OUT")
password="Analytical-Engine-1843"

mkdir -p "$OB_DIR/pam.d"
sed -e "s|@PAM_ONBOARD_SO@|$PAM_ONBOARD_SO|g" -e "s|@SOCKET@|$OB_SOCKET|g" \
	"$top/pam.d-examples/onboard-demo" >"$OB_DIR/pam.d/onboard-demo"
echo "auth required pam_deny.so" >"$OB_DIR/pam.d/common-auth"
echo "account required pam_permit.so" >"$OB_DIR/pam.d/common-account"
# pamtester (and in it pam_onboard.so) under valgrind, in pam_wrapper.
OB_PAMTESTER_ENV="LD_PRELOAD=$PAM_WRAPPER_LIB PAM_WRAPPER=1 PAM_WRAPPER_SERVICE_DIR=$OB_DIR/pam.d"
PAMTESTER="$VALGRIND -q $vg_opts --log-file=$OB_DIR/vg-pamtester.%p $PAMTESTER"
OB_KEY_FILE=$OB_DIR/totp.key
export OB_PAMTESTER_ENV PAMTESTER OB_KEY_FILE
drive="expect -f $srcdir_tests/pamtester.exp"

if $drive onboard-demo grace authenticate "$code" grace "$password" "$password" @TOTP \
	>"$OB_DIR/pamtester.out" 2>&1 && grep -q "authenticator app is set up" "$OB_DIR/pamtester.out"; then
	ob_pass valgrind_registration_with_code_and_enrolment
else
	ob_fail valgrind_registration_with_code_and_enrolment "pamtester did not finish"
	sed 's/^/  | /' "$OB_DIR/pamtester.out"
fi
OB_TOTP_KEY=$(cat "$OB_KEY_FILE" 2>/dev/null)
export OB_TOTP_KEY
if $drive onboard-demo grace "authenticate acct_mgmt" "$password" @TOTP+30 \
	>"$OB_DIR/pamtester.out" 2>&1 && grep -q "account management done" "$OB_DIR/pamtester.out"; then
	ob_pass valgrind_password_and_authenticator_login
else
	ob_fail valgrind_password_and_authenticator_login "pamtester did not authenticate"
	sed 's/^/  | /' "$OB_DIR/pamtester.out"
fi

# SIGTERM; valgrind's exit status is onboardd's, or 42 for an error or leak.
kill -TERM "$OB_DAEMON_PID"
wait "$OB_DAEMON_PID"
rc=$?
OB_DAEMON_PID=
if [ $rc -eq 0 ]; then
	ob_pass valgrind_onboardd_stops_cleanly
else
	ob_fail valgrind_onboardd_stops_cleanly "status $rc (42: valgrind found errors or leaks)"
fi
# Every report: empty when valgrind -q found nothing.
for f in "$OB_DIR"/vg-*; do
	[ -e "$f" ] || continue
	name=$(basename "$f")
	if [ -s "$f" ]; then
		ob_fail "valgrind_clean_${name#vg-}" "valgrind reported:"
		sed 's/^/  | /' "$f"
	else
		ob_pass "valgrind_clean_${name#vg-}"
	fi
done
ob_summary
