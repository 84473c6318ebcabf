#!/bin/sh
# onboardctl user add --create-account: root's onboardd makes the Unix
# account with useradd (the configured shell, its own group, a locked
# password, the home directory now or at the first login), and takes it
# away again when the person cannot be added.  Changes the host's user
# database, so it needs root, and puts every file back as it was.
. "${top_srcdir:-.}/tests/lib.sh"

if [ "$(id -u)" -ne 0 ]; then
	ob_say "SKIP: test_create_account.sh needs root (it creates Unix accounts)"
	exit 77
fi
if [ ! -x /usr/sbin/useradd ]; then
	ob_say "SKIP: /usr/sbin/useradd (passwd package) is not installed"
	exit 77
fi

ob_setup
ob_lock_system_files
ob_protect_accounts
# (not "name": lib.sh's expect_* use that variable)
acct=$(printf '%.20s' "obtestacct$$")
home_name=${acct}h
# Whatever happens, the accounts and their homes go.
cleanup_accounts() {
	rm -rf "/home/${acct:?}" "/home/${home_name:?}" "/var/mail/${acct:?}" "/var/mail/${home_name:?}"
}
trap 'cleanup_accounts; ob_cleanup' EXIT

printf 'account_shell = /bin/sh\n' >>"$OB_CONF"
ob_start_daemon

expect_ok create_account_adds_person_and_account \
	ob_ctl user add "$acct" --first-name Ada --last-name Lovelace --create-account
entry=$(getent passwd "$acct")
case $entry in
"$acct:x:"*":Ada Lovelace:/home/$acct:/bin/sh")
	ob_pass account_has_configured_shell_and_name ;;
*)
	ob_fail account_has_configured_shell_and_name "getent passwd $acct: '$entry'" ;;
esac
uid=$(printf '%s' "$entry" | cut -d: -f3)
if [ -n "$uid" ] && [ "$uid" -ge 1000 ]; then
	ob_pass account_is_a_regular_account
else
	ob_fail account_is_a_regular_account "uid '$uid'"
fi
if [ -e "/home/$acct" ]; then
	ob_fail home_waits_for_first_login "/home/$acct exists already"
else
	ob_pass home_waits_for_first_login
fi
shadow=$(getent shadow "$acct" | cut -d: -f2)
case $shadow in
'!'* | '*'*) ob_pass account_password_is_locked ;;
*) ob_fail account_password_is_locked "shadow password field '$shadow'" ;;
esac
expect_stdout_contains person_says_account_created '"account_created": true' \
	ob_ctl --json user show "$acct"

# A name that already is a Unix account: refused, nothing made.
expect_fail_with existing_unix_account_is_not_created_again 1 "a Unix account named bob already exists" \
	ob_ctl user add bob --first-name Bob --last-name Regular --create-account
# The account is made before the person is written: when the write is
# refused (here: the e-mail address belongs to someone), it goes again.
expect_ok person_with_address ob_ctl user add carla --first-name Carla --last-name Ek \
	--email carla@example.org
expect_fail_with refused_person_gets_no_account 1 "already used by another person" \
	ob_ctl user add "$home_name" --first-name A --last-name B --email CARLA@example.org \
	--create-account
expect_fail_with create_and_existing_exclude_each_other 1 "exclude each other" \
	ob_ctl user add "$home_name" --first-name A --last-name B --create-account --existing-account
if getent passwd "$home_name" >/dev/null; then
	ob_fail refused_add_makes_no_account "$home_name was created"
else
	ob_pass refused_add_makes_no_account
fi

# account_home = create makes the home directory at once, owned by them.
ob_stop_daemon
printf 'account_home = create\n' >>"$OB_CONF"
ob_start_daemon
expect_ok create_account_with_home \
	ob_ctl user add "$home_name" --first-name Bea --last-name Home --create-account
owner=$(stat -c %U "/home/$home_name" 2>/dev/null)
if [ "$owner" = "$home_name" ]; then
	ob_pass home_created_now_with_account_home_create
else
	ob_fail home_created_now_with_account_home_create "/home/$home_name owner '$owner'"
fi

ob_stop_daemon
ob_restore_files
cleanup_accounts
if getent passwd "$acct" >/dev/null || getent passwd "$home_name" >/dev/null; then
	ob_fail system_files_restored "the test accounts are still in /etc/passwd"
else
	ob_pass system_files_restored
fi
ob_summary
