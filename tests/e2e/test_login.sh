#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# login(1) end to end, on a pseudo-terminal as at a console: the shipped
# pam.d-examples/login installed as /etc/pam.d/login for the test's
# duration (login's service name is fixed), the built module on a test
# onboardd.  A person registers with an access code and enrols the
# authenticator app, then logs in with password and code; the old Unix
# password of the adopted account is refused; with onboardd down the
# person is told so plainly.
#
# On Debian 12 /bin/login is the shadow suite's (package "login"); later
# Debian releases ship util-linux's.  Both use the "login" service.
srcdir_tests=${top_srcdir:+$top_srcdir/tests}
srcdir_tests=${srcdir_tests:-$(dirname "$0")/..}
. "$srcdir_tests/e2e/lib.sh"

e2e_require_root test_login.sh login
LOGIN=$(command -v login)
e2e_require "$LOGIN" expect oathtool useradd chpasswd
if [ -u "$LOGIN" ] && ob_sanitized; then
	# A set-uid login would drop LD_PRELOAD, and the sanitized module
	# cannot load without the ASan runtime first.
	ob_say "SKIP: $LOGIN is set-uid: the sanitized module cannot be loaded into it"
	exit 77
fi
e2e_setup
e2e_preload_foreign

PASSWORD=Copper-Kettle-Meadow-4471
UNIX_PASSWORD=Slate-Orchard-Unix-8803
e2e_install_stack login login

# login_as OUT USER ANSWER...: login on a terminal; once in, the shell
# runs the id command and exits.
E2E_SHELL_CMD="$E2E_ID_CMD; exit"
# shellcheck disable=SC2090 # the quotes are for the shell login starts
export E2E_SHELL_CMD
login_as() {
	out=$1
	user=$2
	shift 2
	# shellcheck disable=SC2086 # E2E_PRELOAD_ENV is words without blanks
	e2e_dialog "$out" "$@" -- env $E2E_PRELOAD_ENV "$LOGIN" "$user"
}

ob_start_daemon
# An adopted account whose old Unix password must not open the door.
e2e_unix_account obe2e3
e2e_access_code obe2e3 Cy Three
code=$(printf '%s' "$E2E_CODE" | tr -d - | tr '[:upper:]' '[:lower:]')

# The code typed in lower case without dashes, the username, a new
# password twice, the authenticator app's first code.
e2e_adopted_logins login_as obe2e3 "$code" "Login incorrect" \
	login_access_code_login login_first_login_creates_private_home \
	login_password_and_authenticator_login login_old_unix_password_refused

# No password is asked: the module knows no more than that the daemon
# is down, and says so before any prompt.
ob_stop_daemon
login_as down obe2e3
e2e_refused login_tells_when_daemon_down down $? "The login service is not available right now"

ob_summary
