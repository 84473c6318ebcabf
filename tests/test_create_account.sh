#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
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
adopt=$(printf '%.20s' "obadopt$$")
# Whatever happens, the accounts and their homes go.
cleanup_accounts() {
	rm -rf "/home/${acct:?}" "/home/${home_name:?}" "/var/mail/${acct:?}" "/var/mail/${home_name:?}"
	rm -rf "/home/${adopt:?}" "/var/mail/${adopt:?}"
}
trap 'cleanup_accounts; ob_cleanup' EXIT

# An account of the host with a password of its own, for adoption; the
# daemon sees the host through nss_wrapper, so it goes there too.
if ! /usr/sbin/useradd --no-create-home --user-group --shell /bin/sh "$adopt" ||
	! printf '%s:Old-Unix-Secret-42\n' "$adopt" | /usr/sbin/chpasswd; then
	ob_say "ERROR: cannot make the account $adopt to adopt"
	exit 99
fi
getent passwd "$adopt" >>"$OB_PASSWD"
getent group "$adopt" >>"$OB_GROUP"
old_hash=$(getent shadow "$adopt" | cut -d: -f2)

printf 'account_shell = /bin/sh\n' >>"$OB_CONF"
ob_start_daemon

# Adopting an account locks its old Unix password ('!' before the hash,
# the hash kept), so it logs in neither beside onboard nor after a purge.
# adopted_shadow_is NAME WANT: the adopted account's shadow password
# field is WANT.
adopted_shadow_is() {
	shadow=$(getent shadow "$adopt" | cut -d: -f2)
	if [ "$shadow" = "$2" ]; then
		ob_pass "$1"
	else
		ob_fail "$1" "shadow field '$shadow', want '$2' (was '$old_hash')"
	fi
}
expect_ok existing_account_is_adopted \
	ob_ctl user add "$adopt" --first-name Old --last-name Account --existing-account
adopted_shadow_is adopted_account_password_is_locked "!$old_hash"
expect_ok adopted_person_deleted ob_ctl user delete "$adopt"
expect_stdout_contains purge_says_adopted_account_stays_locked \
	"the Unix account $adopt stays, its password locked" \
	ob_ctl user purge "$adopt" --yes
shadow=$(getent shadow "$adopt" | cut -d: -f2)
case $shadow in
'!'*) ob_pass purged_adopted_account_stays_locked ;;
*) ob_fail purged_adopted_account_stays_locked "shadow field '$shadow'" ;;
esac
# Root may adopt knowingly without locking; the purge says so.
expect_fail_with keep_password_goes_with_existing_account 1 "goes with --existing-account" \
	ob_ctl user add "$home_name" --first-name A --last-name B --keep-unix-password
expect_ok adopted_again_keeping_password ob_ctl user add "$adopt" --first-name Old \
	--last-name Account --existing-account --keep-unix-password
adopted_shadow_is kept_password_is_not_touched "!$old_hash"
expect_ok kept_person_deleted ob_ctl user delete "$adopt"
expect_stdout_contains purge_says_root_kept_the_password "with the Unix password root kept" \
	ob_ctl user purge "$adopt" --yes
# An account whose password cannot be locked is not adopted: bob is in
# the daemon's view of the host but not in /etc/shadow.
if getent passwd bob >/dev/null; then
	ob_skip unlockable_account_is_not_adopted "this host has a real account bob"
else
	expect_fail_with unlockable_account_is_not_adopted 1 "could not be locked" \
		ob_ctl user add bob --first-name Bob --last-name Regular --existing-account
	expect_fail_with unlockable_account_leaves_no_person 1 "no such person" \
		ob_ctl user show bob
fi

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

# Purging a person onboard made an account for removes the account; the
# name can then be added again.
expect_ok created_person_deleted ob_ctl user delete "$acct"
expect_stdout_contains purge_says_created_account_removed \
	"the Unix account $acct onboard created was removed" \
	ob_ctl user purge "$acct" --yes
if getent passwd "$acct" >/dev/null; then
	ob_fail purge_removes_created_account "$acct is still in /etc/passwd"
else
	ob_pass purge_removes_created_account
fi
expect_ok purged_name_is_added_again \
	ob_ctl user add "$acct" --first-name Ada --last-name Again --create-account

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
if getent passwd "$acct" >/dev/null || getent passwd "$home_name" >/dev/null ||
	getent passwd "$adopt" >/dev/null; then
	ob_fail system_files_restored "the test accounts are still in /etc/passwd"
else
	ob_pass system_files_restored
fi
ob_summary
