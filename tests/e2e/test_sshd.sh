#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# OpenSSH end to end: the real sshd on 127.0.0.1 with its own
# configuration (UsePAM, keyboard-interactive only for passwords) and the
# shipped pam.d-examples/sshd, the real ssh client on a terminal.  A
# person registers with an invitation code and enrols an authenticator
# app, logs in later with password and code, is refused a wrong code;
# another registers with an access code; root (by public key), a system
# account and a user onboard does not manage log in as without onboard,
# and root and the system account still do while onboardd is down.
#
# sshd takes its PAM service name from its program name, so it runs
# through a symbolic link named onboard-e2e-sshd and the example is
# installed as /etc/pam.d/onboard-e2e-sshd: the host's own
# /etc/pam.d/sshd is never touched.
srcdir_tests=${top_srcdir:+$top_srcdir/tests}
srcdir_tests=${srcdir_tests:-$(dirname "$0")/..}
. "$srcdir_tests/e2e/lib.sh"

e2e_require_root test_sshd.sh sshd
e2e_require /usr/sbin/sshd ssh ssh-keygen expect oathtool useradd chpasswd python3
e2e_setup
e2e_preload_foreign

SERVICE=onboard-e2e-sshd
PASSWORD=Tidal-Otter-Lantern-5813
UNIX_PASSWORD=Quiet-Harbour-Unix-2291

# ------------------------------------------------------------- sshd
e2e_start_sshd "$SERVICE"


ob_start_daemon

# ----------------------------------------------- people onboard manages

# An existing account with a Unix password of its own, adopted by
# onboard: from now on onboard decides, and that old password must not
# open the door (as it would with "sufficient" in the stack).
e2e_unix_account obe2e1
e2e_invite obe2e1 Ada One
invite=$E2E_CODE
# Invitation code, keep the name, the first password twice, then the
# app's code: the enrolment shows the key, dialog.exp keeps it.
e2e_ssh_kbd register obe2e1 "$invite" "" "$PASSWORD" "$PASSWORD" @TOTP
rc=$?
if e2e_logged_in sshd_registration_with_invitation_and_enrolment register obe2e1 $rc; then
	if ! grep -q 'otpauth://totp/' "$OB_DIR/register.out" || [ -z "$(e2e_key)" ]; then
		ob_fail sshd_enrolment_shows_qr_key "no otpauth:// URI or key in the dialogue"
		e2e_show register $rc
	else
		ob_pass sshd_enrolment_shows_qr_key
	fi
fi
E2E_TOTP_KEY=$(e2e_key)
export E2E_TOTP_KEY
e2e_check_home sshd_first_login_creates_private_home obe2e1

# Each time step is accepted once: the enrolment used this one, the
# login takes the next (the daemon accepts one step either side).
e2e_ssh_kbd later obe2e1 "$PASSWORD" @TOTP+30
e2e_logged_in sshd_login_with_password_and_authenticator later obe2e1 $?

# The password is right, the code is not: the refusal comes after the
# code was asked.
e2e_ssh_kbd wrongtotp obe2e1 "$PASSWORD" @WRONG
e2e_refused sshd_wrong_authenticator_code_refused wrongtotp $? "Authenticator code: " \
	"Permission denied"

e2e_ssh_kbd wrongpw obe2e1 not-the-password
e2e_refused sshd_wrong_password_refused wrongpw $? "Permission denied"

# Refused by onboard, the person must not be asked again by pam_unix.
e2e_ssh_kbd oldunix obe2e1 "$UNIX_PASSWORD" "$UNIX_PASSWORD"
e2e_refused sshd_old_unix_password_refused oldunix $? "Permission denied"

# An access code: the code (as printed, with dashes), the username, a new
# password twice, then the authenticator app, which mfa=required asks for.
e2e_useradd obe2e2
e2e_access_code obe2e2 Bo Two
code=$E2E_CODE
E2E_TOTP_KEY=
e2e_ssh_kbd code obe2e2 "$code" obe2e2 "$PASSWORD" "$PASSWORD" @TOTP
e2e_logged_in sshd_access_code_login code obe2e2 $?

e2e_ssh_kbd codeagain obe2e2 "$code" obe2e2
e2e_refused sshd_used_access_code_refused codeagain $? "Permission denied"

# ---------------------------------------------- everyone else, as before

# A regular user onboard does not manage: PAM_IGNORE from onboard,
# pam_unix checks the Unix password.
e2e_unix_account obe2e5
e2e_ssh_kbd unmanaged obe2e5 "$UNIX_PASSWORD"
e2e_logged_in sshd_unmanaged_user_logs_in_with_unix_password unmanaged obe2e5 $?

# A system account (uid below UID_MIN) with a Unix password.
e2e_unix_account obe2esys -r

e2e_ssh_root root
e2e_logged_in sshd_root_logs_in_with_public_key root root $?

# With onboardd stopped, root and system accounts are not affected: the
# module never asks the daemon about them, in auth or in account.
ob_stop_daemon
e2e_ssh_root rootdown
e2e_logged_in sshd_root_logs_in_while_daemon_down rootdown root $?
e2e_ssh_kbd sysdown obe2esys "$UNIX_PASSWORD"
e2e_logged_in sshd_system_account_logs_in_while_daemon_down sysdown obe2esys $?
# ...but a person onboard manages is refused, never handed to pam_unix
# and the old Unix password.
e2e_ssh_kbd persondown obe2e1 "$UNIX_PASSWORD"
rc=$?
if grep -q 'Password: ' "$OB_DIR/persondown.out"; then
	ob_fail sshd_managed_person_refused_while_daemon_down "a password was asked for"
	e2e_show persondown $rc
else
	e2e_refused sshd_managed_person_refused_while_daemon_down persondown $rc "Permission denied"
fi

# The module's reports, if any, are in sshd's log: its PAM processes
# write there.
if ob_sanitized; then
	if grep -q -e 'ERROR: AddressSanitizer' -e 'runtime error:' "$SSHD_LOG"; then
		ob_fail sshd_module_sanitizer_clean "a sanitizer reported an error in sshd's log"
	else
		ob_pass sshd_module_sanitizer_clean
	fi
fi
if [ "$OB_FAILED" -ne 0 ]; then
	ob_say "sshd's log:"
	sed 's/^/  | /' "$SSHD_LOG"
fi
ob_summary
