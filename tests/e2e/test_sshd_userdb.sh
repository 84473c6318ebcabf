#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# OpenSSH and login(1) end to end for a person with no /etc/passwd line (issue 12):
# onboardd's userdb socket makes them a Unix user through nss-systemd,
# and they register over the real sshd with an access code, enrol an
# authenticator, log in, and get their home from pam_mkhomedir.  Root
# only, and the host's nsswitch.conf must ask systemd; sshd runs on its
# own port and PAM service as in test_sshd.sh, and the test's userdb
# socket has a name of its own (io.onboard-e2e-PID), removed at exit.
srcdir_tests=${top_srcdir:+$top_srcdir/tests}
srcdir_tests=${srcdir_tests:-$(dirname "$0")/..}
. "$srcdir_tests/e2e/lib.sh"

e2e_require_root test_sshd_userdb.sh sshd
e2e_require /usr/sbin/sshd ssh ssh-keygen expect oathtool python3
if ! grep -Eq '^passwd:.*[[:space:]]systemd' /etc/nsswitch.conf; then
	ob_say "SKIP: /etc/nsswitch.conf does not ask nss-systemd (passwd: files systemd)"
	exit 77
fi
e2e_setup
e2e_preload_foreign

SERVICE=onboard-e2e-udb
PASSWORD=Tidal-Otter-Lantern-5813
UNIX_PASSWORD=Quiet-Harbour-Unix-2291

# ------------------------------------------------------------- sshd
e2e_start_sshd "$SERVICE"



UDB_SERVICE=io.onboard-e2e-$$
UDB=/run/systemd/userdb/$UDB_SERVICE
udb_made_dir=
[ -d /run/systemd/userdb ] || udb_made_dir=yes
udb_cleanup() {
	e2e_cleanup
	rm -f "$UDB"
	[ -n "$udb_made_dir" ] && rmdir /run/systemd/userdb 2>/dev/null
	return 0
}
trap udb_cleanup EXIT
sed -i '/^userdb_socket =$/d' "$OB_CONF"
# The shell of the records: sh, whose "$ " prompt dialog.exp types the
# id command at after login(1) (as test_login.sh's accounts have).
printf 'account_shell = /bin/sh\n' >>"$OB_CONF"
printf 'userdb_socket = %s\n' "$UDB" >>"$OB_CONF"

ob_start_daemon

person=$(printf 'obe2eu%.10s' "$$")
if getent passwd "$person" >/dev/null; then
	ob_say "ERROR: $person exists already; the test will not touch it"
	exit 99
fi
# Its home and lastlog go at exit, as a test account's.
E2E_ACCOUNTS="$E2E_ACCOUNTS $person"
expect_ok userdb_person_added ob_ctl user add "$person" --first-name Una --last-name Db
expect_stdout_matches userdb_person_is_a_unix_user "^$person:x:[0-9]+:[0-9]+:Una Db:/home/$person:" \
	getent passwd "$person"
if grep -q "^$person:" /etc/passwd; then
	ob_fail userdb_person_has_no_passwd_line "$person is in /etc/passwd"
else
	ob_pass userdb_person_has_no_passwd_line
fi
e2e_issue_code "$person"
code=$E2E_CODE
E2E_TOTP_KEY=
e2e_ssh_kbd code "$person" "$code" "$person" "$PASSWORD" "$PASSWORD" @TOTP
e2e_logged_in sshd_userdb_person_registers_and_logs_in code "$person" $?
e2e_check_home sshd_userdb_person_gets_a_home "$person"
E2E_TOTP_KEY=$(e2e_key)
export E2E_TOTP_KEY
e2e_ssh_kbd later "$person" "$PASSWORD" @TOTP+30
e2e_logged_in sshd_userdb_person_logs_in_again later "$person" $?

# ------------------------------------------------------------- login
# The same for login(1) on a terminal, as at a console: a second person
# with no /etc/passwd line registers, gets a home and logs in again.
LOGIN=$(command -v login)
if [ -z "$LOGIN" ] || { [ -u "$LOGIN" ] && ob_sanitized; }; then
	ob_skip login_userdb_person "login is missing, or set-uid under a sanitized build"
else
	e2e_install_stack login login
	E2E_SHELL_CMD="$E2E_ID_CMD; exit"
	# shellcheck disable=SC2090 # the quotes are for the shell login starts
	export E2E_SHELL_CMD
	second=$(printf 'obe2el%.10s' "$$")
	E2E_ACCOUNTS="$E2E_ACCOUNTS $second"
	expect_ok login_userdb_person_added ob_ctl user add "$second" --first-name Lia --last-name Db
	e2e_issue_code "$second"
	E2E_TOTP_KEY=
	# shellcheck disable=SC2086 # E2E_PRELOAD_ENV is words without blanks
	e2e_dialog lcode "$E2E_CODE" "$second" "$PASSWORD" "$PASSWORD" @TOTP -- \
		env $E2E_PRELOAD_ENV "$LOGIN" "$second"
	e2e_logged_in login_userdb_person_registers_and_logs_in lcode "$second" $?
	e2e_check_home login_userdb_person_gets_a_home "$second"
	E2E_TOTP_KEY=$(e2e_key)
	export E2E_TOTP_KEY
	# shellcheck disable=SC2086
	e2e_dialog llater "$PASSWORD" @TOTP+30 -- env $E2E_PRELOAD_ENV "$LOGIN" "$second"
	e2e_logged_in login_userdb_person_logs_in_again llater "$second" $?
fi

if [ "$OB_FAILED" -ne 0 ]; then
	ob_say "sshd's log:"
	sed 's/^/  | /' "$SSHD_LOG"
fi
ob_summary
