#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# su(1) end to end: an unprivileged account (nobody) runs the real,
# set-uid su to a person onboard manages, with the shipped
# pam.d-examples/su installed as /etc/pam.d/su for the test's duration.
# Run by nobody, pam_rootok does not let su through: the person proves
# who they are to onboard.  They register with an access code and enrol
# the authenticator app, then su with password and code; the old Unix
# password of the adopted account is refused; a user onboard does not manage keeps the Unix
# password.
#
# In a sanitized build the module needs the ASan runtime loaded first,
# and a set-uid program started by another user ignores LD_PRELOAD: the
# test is skipped there (sshd and login run the sanitized module).
srcdir_tests=${top_srcdir:+$top_srcdir/tests}
srcdir_tests=${srcdir_tests:-$(dirname "$0")/..}
. "$srcdir_tests/e2e/lib.sh"

e2e_require_root test_su.sh su
SU=$(command -v su)
e2e_require "$SU" setpriv expect oathtool useradd chpasswd
if ob_sanitized; then
	ob_say "SKIP: su is set-uid and run by nobody: it ignores LD_PRELOAD, so the sanitized module cannot be loaded into it (test_sshd.sh and test_login.sh run it sanitized)"
	exit 77
fi
if [ ! -u "$SU" ]; then
	ob_say "SKIP: $SU is not set-uid root: an unprivileged user cannot run it"
	exit 77
fi
NOBODY_UID=$(id -u nobody 2>/dev/null)
NOBODY_GID=$(id -g nobody 2>/dev/null)
if [ -z "$NOBODY_UID" ] || [ "$NOBODY_UID" -eq 0 ]; then
	ob_say "SKIP: no unprivileged account 'nobody' to run su from"
	exit 77
fi
e2e_setup

PASSWORD=Granite-Willow-Comet-3067
UNIX_PASSWORD=Amber-Lantern-Unix-5520
e2e_install_stack su su

# su_as OUT USER ANSWER...: nobody runs su to USER, which runs the id
# command.
su_as() {
	out=$1
	user=$2
	shift 2
	e2e_dialog "$out" "$@" -- setpriv --reuid="$NOBODY_UID" --regid="$NOBODY_GID" \
		--clear-groups "$SU" "$user" -c "$E2E_ID_CMD"
}

ob_start_daemon
# An adopted account whose old Unix password must not open the door.
e2e_unix_account obe2e4
e2e_access_code obe2e4 Di Four
code=$E2E_CODE

e2e_adopted_logins su_as obe2e4 "$code" "Authentication failure" \
	su_access_code_registration su_first_login_creates_private_home \
	su_password_and_authenticator su_old_unix_password_refused

# A regular user onboard does not manage: onboardd says so, the module
# steps aside and pam_unix checks the Unix password.
e2e_unix_account obe2e6
su_as unmanaged obe2e6 "$UNIX_PASSWORD"
e2e_logged_in su_unmanaged_user_with_unix_password unmanaged obe2e6 $?

ob_stop_daemon
ob_summary
