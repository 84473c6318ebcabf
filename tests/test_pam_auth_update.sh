#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# pam-auth-update with onboard's profile (data/onboard.pam-config), on a
# copy of the host's /etc/pam.d in a temporary root (pam-auth-update
# --root) with a debconf database of its own: the host's files and
# debconf answers are never touched (checked).  Enabled, pam_onboard.so
# comes first in common-auth and common-password, before pam_unix, with
# success jumping to pam_permit, ignore (root, system accounts, people
# onboard does not manage) going on to pam_unix and any other answer
# final; in common-account it judges after pam_unix's block.  Disabled,
# no line of it is left.  Root only (debconf).

srcdir_tests=${top_srcdir:+$top_srcdir/tests}
. "${srcdir_tests:-$(dirname "$0")}/lib.sh"

: "${top_srcdir:=$(dirname "$0")/..}"
if [ "$(id -u)" -ne 0 ]; then
	ob_skip pam_auth_update "needs root (pam-auth-update and debconf)"
	exit 77
fi
if ! command -v pam-auth-update >/dev/null 2>&1 ||
	! pam-auth-update --help 2>&1 | grep -q -e '--root' &&
	! grep -q -e "'--root'" "$(command -v pam-auth-update)"; then
	ob_skip pam_auth_update "no pam-auth-update with --root (Debian's libpam-runtime)"
	exit 77
fi
ob_setup
# Nothing here changes the host's files, but the check that nothing did
# must not see another test's changes: take turns with those tests.
ob_lock_system_files
root=$OB_DIR/root
mkdir -p "$root/etc" "$root/usr/share/pam-configs" "$root/var/lib/pam" "$OB_DIR/debconf"
cp -a /etc/pam.d "$root/etc/pam.d"
cp -a /usr/share/pam-configs/. "$root/usr/share/pam-configs/"
[ -d /var/lib/pam ] && cp -a /var/lib/pam/. "$root/var/lib/pam/"
cp "$top_srcdir/data/onboard.pam-config" "$root/usr/share/pam-configs/onboard"
# What must not change.
(cd /etc/pam.d && cat common-auth common-account common-password) >"$OB_DIR/host.before"
cat >"$OB_DIR/debconf.conf" <<-EOF2
	Config: configdb
	Templates: templatedb

	Name: configdb
	Driver: File
	Filename: $OB_DIR/debconf/config.dat

	Name: templatedb
	Driver: File
	Filename: $OB_DIR/debconf/templates.dat
EOF2

pam_auth_update() {
	DEBCONF_SYSTEMRC=$OB_DIR/debconf.conf DEBIAN_FRONTEND=noninteractive \
		pam-auth-update --root "$root" "$@" >>"$OB_DIR/pam-auth-update.log" 2>&1
}

pam_auth_update --enable onboard
# A copy whose common files were changed by hand is left alone without
# --force, as the host's would be; the copy may be forced.
if ! grep -q pam_onboard "$root/etc/pam.d/common-auth"; then
	ob_say "note: pam-auth-update left the copy alone (changed by hand?): again with --force"
	pam_auth_update --force --enable onboard
fi

# The module lines of one stack, "N|CONTROL|MODULE" a line, N from 1.
stack() {
	grep -v -e '^#' -e '^[[:space:]]*$' "$root/etc/pam.d/common-$1" |
		sed -E 's/^[a-z-]+[[:space:]]+(\[[^]]*\]|[a-z]+)[[:space:]]+([^[:space:]]+).*/\1|\2/' |
		awk '{ print NR "|" $0 }'
}

# A primary stack: onboard first, its success jumps to pam_permit, ignore
# goes on, anything else dies, and pam_unix comes after it.
check_primary() {
	name=$1
	stack "$name" >"$OB_DIR/$name"
	sed 's/^/  | /' "$OB_DIR/$name" >"$OB_DIR/$name.shown"
	line=$(awk -F'|' '$3 == "pam_onboard.so" { print $1; exit }' "$OB_DIR/$name")
	unix=$(awk -F'|' '$3 == "pam_unix.so" { print $1; exit }' "$OB_DIR/$name")
	permit=$(awk -F'|' '$3 == "pam_permit.so" { print $1; exit }' "$OB_DIR/$name")
	ctl=$(awk -F'|' -v l="$line" '$1 == l { print $2 }' "$OB_DIR/$name")
	jump=$(printf '%s\n' "$ctl" | sed -n 's/.*success=\([0-9]*\).*/\1/p')
	why=
	if [ -z "$line" ]; then
		why="no pam_onboard.so line"
	elif [ "$line" -ne 1 ]; then
		why="pam_onboard.so is line $line, not the first"
	elif [ -z "$unix" ] || [ "$unix" -lt "$line" ]; then
		why="pam_unix.so is not after pam_onboard.so"
	elif ! printf '%s\n' "$ctl" | grep -q 'ignore=ignore' ||
		! printf '%s\n' "$ctl" | grep -q 'default=die'; then
		why="control $ctl: root and others must go on (ignore=ignore), refusals end it (default=die)"
	elif [ -z "$jump" ] || [ -z "$permit" ] || [ $((line + jump + 1)) -ne "$permit" ]; then
		why="control $ctl: success must jump to pam_permit.so (line $permit)"
	fi
	if [ -z "$why" ]; then
		ob_pass "common_${name}_onboard_first"
	else
		ob_fail "common_${name}_onboard_first" "$why"
		cat "$OB_DIR/$name.shown"
	fi
}

check_primary auth
check_primary password

stack account >"$OB_DIR/account"
line=$(awk -F'|' '$3 == "pam_onboard.so" { print $1; exit }' "$OB_DIR/account")
permit=$(awk -F'|' '$3 == "pam_permit.so" { print $1; exit }' "$OB_DIR/account")
ctl=$(awk -F'|' -v l="$line" '$1 == l { print $2 }' "$OB_DIR/account")
if [ -n "$line" ] && [ -n "$permit" ] && [ "$line" -gt "$permit" ] &&
	[ "$ctl" = "[success=ok ignore=ignore default=bad]" ]; then
	ob_pass common_account_onboard_after_unix
else
	ob_fail common_account_onboard_after_unix "expected [success=ok ignore=ignore default=bad] pam_onboard.so after pam_unix's block"
	sed 's/^/  | /' "$OB_DIR/account"
fi

# Disabled (what removing the package does first): no line left.
pam_auth_update --remove onboard
if grep -q pam_onboard "$root/etc/pam.d/common-auth" "$root/etc/pam.d/common-account" \
	"$root/etc/pam.d/common-password"; then
	ob_fail remove_leaves_no_line "pam_onboard.so is still in the common files"
else
	ob_pass remove_leaves_no_line
fi

(cd /etc/pam.d && cat common-auth common-account common-password) >"$OB_DIR/host.after"
if cmp -s "$OB_DIR/host.before" "$OB_DIR/host.after"; then
	ob_pass host_files_untouched
else
	ob_fail host_files_untouched "the host's /etc/pam.d/common-* changed"
fi

if [ "$OB_FAILED" -ne 0 ]; then
	ob_say "pam-auth-update's output:"
	sed 's/^/  | /' "$OB_DIR/pam-auth-update.log"
fi
ob_summary
