#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# The README's walkthrough, as written there: add a person, issue a code,
# log in with pamtester through the onboard-demo service made from
# pam.d-examples/, then log in with the new password.  pamtester runs
# under pam_wrapper so that the service lives in the test directory.

srcdir_tests=${top_srcdir:+$top_srcdir/tests}
. "${srcdir_tests:-$(dirname "$0")}/lib.sh"
top=${top_srcdir:-$(dirname "$0")/..}

if [ -z "${PAMTESTER:-}" ] || [ ! -x "$PAMTESTER" ]; then
	echo "SKIP: pamtester is not installed"
	exit 77
fi
for tool in expect oathtool; do
	if ! command -v $tool >/dev/null 2>&1; then
		echo "SKIP: $tool is not installed"
		exit 77
	fi
done
if [ "$(id -u)" -ne 0 ]; then
	echo "SKIP: the walkthrough administers onboardd, which only root may do"
	exit 77
fi

ob_setup
ob_start_daemon

# The service exactly as the demo installs it; common-auth stands for
# the host's stack, and lets nobody in, so only onboard can.
mkdir -p "$OB_DIR/pam.d"
sed -e "s|@PAM_ONBOARD_SO@|$PAM_ONBOARD_SO|g" -e "s|@SOCKET@|$OB_SOCKET|g" \
	"$top/pam.d-examples/onboard-demo" >"$OB_DIR/pam.d/onboard-demo"
echo "auth required pam_deny.so" >"$OB_DIR/pam.d/common-auth"
echo "account required pam_permit.so" >"$OB_DIR/pam.d/common-account"

# pamtester is not built with the sanitizers: preload their runtime for
# our module's sake, and leave pamtester's own leaks alone.
OB_PAMTESTER_ENV="LD_PRELOAD=${ASAN_LIB:+$ASAN_LIB:}$PAM_WRAPPER_LIB PAM_WRAPPER=1 \
PAM_WRAPPER_SERVICE_DIR=$OB_DIR/pam.d ASAN_OPTIONS=detect_leaks=0"
export OB_PAMTESTER_ENV PAMTESTER
OB_KEY_FILE=$OB_DIR/totp.key
export OB_KEY_FILE
drive="expect -f ${srcdir_tests:-$(dirname "$0")}/pamtester.exp"

# login USER OPS ANSWER...: pamtester on a terminal, answered in order
# (see tests/pamtester.exp); passes when it exits 0.
login() {
	$drive onboard-demo "$@" >"$OB_DIR/pamtester.out" 2>&1
}
# refused NAME WHY TEXT USER OPS ANSWER...: the login fails and says TEXT.
# The answers are all that a login that let the person in would need,
# so that a login going on past the refusal is seen as such.
refused() {
	name=$1
	why=$2
	text=$3
	shift 3
	if login "$@"; then
		ob_fail "$name" "$why"
		show
	elif grep -q "$text" "$OB_DIR/pamtester.out"; then
		ob_pass "$name"
	else
		ob_fail "$name" "expected the refusal '$text'"
		show
	fi
}
show() { sed 's/^/  | /' "$OB_DIR/pamtester.out"; }
# login_as UID KEY USER OPS ANSWER...: login, run by UID instead of root,
# with KEY for the authenticator codes; its status in rc.
login_as() {
	as_uid=$1
	as_key=$2
	shift 2
	OB_KEY_FILE= OB_TOTP_KEY=$as_key setpriv --reuid="$as_uid" --regid="$as_uid" \
		--clear-groups $drive onboard-demo "$@" >"$OB_DIR/pamtester.out" 2>&1
	rc=$?
}

expect_ok walkthrough_user_add \
	ob_ctl user add grace --first-name Grace --last-name Hopper --email grace@example.org
expect_stdout_matches walkthrough_code_issue '^[A-Z]{4}(-[A-Z]{4}){3}$' ob_ctl code issue grace
code=$(grep -E '^[A-Z]{4}(-[A-Z]{4}){3}$' "$OB_OUT")
password="Analytical-Engine-1843"

# First login: the code (typed in lower case without dashes), the
# username, the new password twice, then the authenticator app: the QR
# code and the key are shown, and the code the app computes (oathtool
# here) turns it on.
typed=$(printf '%s' "$code" | tr -d - | tr 'A-Z' 'a-z')
if login grace authenticate "$typed" grace "$password" "$password" @TOTP &&
	grep -q "successfully authenticated" "$OB_DIR/pamtester.out" &&
	grep -q "Your new password is set" "$OB_DIR/pamtester.out" &&
	grep -q "otpauth://totp/" "$OB_DIR/pamtester.out" &&
	grep -q "authenticator app is set up" "$OB_DIR/pamtester.out"; then
	ob_pass walkthrough_first_login_with_code_and_enrolment
else
	ob_fail walkthrough_first_login_with_code_and_enrolment "pamtester did not finish the registration"
	show
fi
OB_TOTP_KEY=$(cat "$OB_KEY_FILE" 2>/dev/null)
export OB_TOTP_KEY

# Later logins: password, then a code from the app (the next one: each
# code is accepted once).
if login grace "authenticate acct_mgmt" "$password" @TOTP+30 &&
	grep -q "account management done" "$OB_DIR/pamtester.out"; then
	ob_pass walkthrough_password_and_authenticator_login
else
	ob_fail walkthrough_password_and_authenticator_login "pamtester did not authenticate"
	show
fi

expect_stdout_matches walkthrough_code_is_used '^grace +used ' ob_ctl code list

refused walkthrough_used_code_refused "the used code let grace in again" \
	"already been used" grace authenticate "$code" grace "$password" "$password" @TOTP
refused walkthrough_wrong_password_refused "a wrong password let grace in" \
	"Login incorrect" grace authenticate "not-the-password" @TOTP+60
refused walkthrough_wrong_authenticator_code_refused "a wrong code let grace in" \
	"Login incorrect" grace authenticate "$password" @TOTP+3600

# A program running as another uid (a screen locker, say) may check only
# its own user's login: the daemon refuses, even with the right password.
if command -v setpriv >/dev/null 2>&1; then
	chmod 711 "$OB_DIR"
	chmod -R a+rX "$OB_DIR/pam.d"
	chmod a+r "${srcdir_tests:-$(dirname "$0")}/pamtester.exp" 2>/dev/null
	login_as 65534 "$OB_TOTP_KEY" grace authenticate "$password" @TOTP+60
	if [ $rc -ne 0 ] && grep -q "may check only its own" "$OB_DIR/pamtester.out"; then
		ob_pass non_root_program_cannot_check_another_users_login
	else
		ob_fail non_root_program_cannot_check_another_users_login \
			"pamtester as uid 65534 exited $rc without the daemon's refusal"
		show
	fi

	# ...and may check its own: bob (uid 1001 in the daemon's passwd)
	# registers with a code, then a program running as uid 1001 checks
	# his password and code.
	ob_ctl user add bob --first-name Bob --last-name Byte --existing-account \
		--keep-unix-password >/dev/null
	ob_ctl code issue bob >"$OB_OUT"
	bcode=$(grep -E '^[A-Z]{4}(-[A-Z]{4}){3}$' "$OB_OUT")
	OB_TOTP_KEY= login bob authenticate "$bcode" bob "$password" "$password" @TOTP
	bkey=$(cat "$OB_KEY_FILE" 2>/dev/null)
	login_as 1001 "$bkey" bob authenticate "$password" @TOTP+30
	if [ $rc -eq 0 ] && grep -q "successfully authenticated" "$OB_DIR/pamtester.out"; then
		ob_pass program_may_check_its_own_users_login
	else
		ob_fail program_may_check_its_own_users_login "pamtester as uid 1001 for bob exited $rc"
		show
	fi
else
	ob_skip non_root_program_cannot_check_another_users_login "setpriv is not installed"
fi

ob_stop_daemon
ob_summary
