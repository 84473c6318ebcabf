#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# onboardd's userdb socket through the host's real glibc NSS (issue 12):
# nss-systemd asks every socket in /run/systemd/userdb/, so a person
# added with onboardctl is a Unix user to getent, id and every program,
# with no useradd.  Needs root (the directory is root's) and
# "passwd: ... systemd" in /etc/nsswitch.conf.  The test's socket has a
# name of its own (io.onboard-test-PID) and goes at the end, also on
# failure; nothing else of the host is touched.
. "${top_srcdir:-.}/tests/lib.sh"

if [ "$(id -u)" -ne 0 ]; then
	ob_say "SKIP: test_userdb.sh needs root (it binds a socket in /run/systemd/userdb)"
	exit 77
fi
if ! grep -Eq '^passwd:.*[[:space:]]systemd' /etc/nsswitch.conf ||
	! grep -Eq '^group:.*[[:space:]]systemd' /etc/nsswitch.conf; then
	ob_say "SKIP: /etc/nsswitch.conf does not ask nss-systemd (passwd: files systemd)"
	exit 77
fi
if ! command -v getent >/dev/null || ! command -v python3 >/dev/null; then
	ob_say "SKIP: getent or python3 is missing"
	exit 77
fi

ob_setup
SERVICE=io.onboard-test-$$
UDB=/run/systemd/userdb/$SERVICE
made_dir=
[ -d /run/systemd/userdb ] || made_dir=yes
cleanup_userdb() {
	ob_cleanup
	rm -f "$UDB"
	# The directory only if this test made it and it is empty.
	[ -n "$made_dir" ] && rmdir /run/systemd/userdb 2>/dev/null
	return 0
}
trap cleanup_userdb EXIT
# lib.sh's ob_write_config turned userdb_socket off: this test's own.
sed -i '/^userdb_socket =$/d' "$OB_CONF"
printf 'userdb_socket = %s\nmfa = optional\n' "$UDB" >>"$OB_CONF"

# The daemon uses the host's real NSS here, not nss_wrapper's files:
# nss-systemd in it is what the bypass below is about.
if ob_sanitized; then
	OB_PRELOAD=$ASAN_LIB
else
	OB_PRELOAD=
fi
# An unprivileged peer must reach the main socket in the test's directory.
chmod 0711 "$OB_DIR"

client() {
	python3 "${top_srcdir:-.}/tests/userdb_client.py" "$@"
}

u1=$(printf 'obud%.12s' "a$$")
u2=$(printf 'obud%.12s' "b$$")
grp=$(printf 'obudg%.12s' "$$")

ob_start_daemon
expect_ok add_a_person ob_ctl user add "$u1" --first-name Ada --last-name Lovelace
uid=$(ob_ctl --json user show "$u1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["person"]["uid"])')
case $uid in
[0-9]*) ob_pass user_show_tells_the_uid ;;
*) ob_fail user_show_tells_the_uid "no uid in user show --json: $uid"; uid=0 ;;
esac
if [ "$uid" -ge 65536 ] && [ "$uid" -le 99999 ]; then
	ob_pass uid_is_in_the_default_uid_range
else
	ob_fail uid_is_in_the_default_uid_range "uid $uid"
fi
expect_stdout_matches user_show_prints_the_uid "^uid +$uid$" ob_ctl user show "$u1"

line="$u1:x:$uid:$uid:Ada Lovelace:/home/$u1:/bin/bash"
expect_stdout_matches getent_passwd_by_name "^$line\$" getent passwd "$u1"
expect_stdout_matches getent_passwd_by_uid "^$line\$" getent passwd "$uid"
expect_stdout_matches id_shows_the_person "^uid=$uid\\($u1\\) gid=$uid\\($u1\\) groups=$uid\\($u1\\)\$" id "$u1"
expect_stdout_matches getent_group_own_group "^$u1:x:$uid:\$" getent group "$u1"
expect_stdout_matches getent_group_by_gid "^$u1:x:$uid:\$" getent group "$uid"

# A host group with the person in it: a Unix group, and in their groups.
expect_ok group_add ob_ctl group add "$grp"
expect_ok group_assign ob_ctl group assign "$u1" "$grp"
gid=$(getent group "$grp" | cut -d: -f3)
expect_stdout_matches getent_group_host_group "^$grp:x:$gid:$u1\$" getent group "$grp"
expect_stdout_matches id_lists_the_host_group "groups=$uid\\($u1\\),$gid\\($grp\\)\$" id "$u1"
if [ -n "$gid" ] && [ "$gid" != "$uid" ] && [ "$gid" -ge 65536 ]; then
	ob_pass group_gid_differs_from_every_uid
else
	ob_fail group_gid_differs_from_every_uid "gid $gid, uid $uid"
fi

# Nothing more: the enumeration holds the people, their groups and the
# host group, and no one else of the test's.
expect_ok add_a_second_person ob_ctl user add "$u2" --first-name Bo --last-name Ek
ob_run getent passwd
n=$(grep -c "^obud" "$OB_OUT")
if [ "$n" -eq 2 ] && grep -q "^$u1:" "$OB_OUT" && grep -q "^$u2:" "$OB_OUT"; then
	ob_pass getent_passwd_enumerates_exactly_the_people
else
	ob_fail getent_passwd_enumerates_exactly_the_people "$n lines of the test's people"
	cat "$OB_OUT"
fi
ob_run getent group
if [ "$(grep -c "^obud" "$OB_OUT")" -eq 3 ] && grep -q "^$grp:x:$gid:$u1$" "$OB_OUT"; then
	ob_pass getent_group_enumerates_exactly_the_groups
else
	ob_fail getent_group_enumerates_exactly_the_groups "$(grep "^obud" "$OB_OUT" | tr '\n' ' ')"
fi

# No record ever holds a secret: give u1 a password first (an access
# code's registration), then read every record the socket serves.
code=$(ob_ctl --json code issue "$u1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["code"])' 2>/dev/null)
if [ -n "$code" ]; then
	printf '%s\n' \
		"{\"method\":\"io.onboard.Login.Start\",\"parameters\":{\"phase\":\"auth\",\"user\":\"$u1\",\"service\":\"test\"}}" \
		"{\"method\":\"io.onboard.Login.Answer\",\"parameters\":{\"answers\":[\"$code\"]}}" \
		"{\"method\":\"io.onboard.Login.Answer\",\"parameters\":{\"answers\":[\"$u1\"]}}" \
		'{"method":"io.onboard.Login.Answer","parameters":{"answers":["Correct-Horse-Battery-41","Correct-Horse-Battery-41"]}}' |
		ob_varlink >"$OB_DIR/register" 2>&1
fi
expect_stdout_matches the_person_has_a_password "^password set +[0-9]" ob_ctl user show "$u1"
ob_run client dump "$UDB" "$SERVICE"
if [ "$OB_RC" -eq 0 ] && grep -q "\"userName\": \"$u1\"" "$OB_OUT" &&
	! grep -Eiq 'argon2|pwhash|hashedPassword|privileged|totp|secret|email|phone' "$OB_OUT"; then
	ob_pass no_record_holds_a_secret
else
	ob_fail no_record_holds_a_secret "the records:"
	cat "$OB_OUT" "$OB_ERR"
fi
if grep -q "^GetMemberships {\"parameters\": {\"groupName\": \"$grp\", \"userName\": \"$u1\"}}" "$OB_OUT"; then
	ob_pass memberships_enumerated
else
	ob_fail memberships_enumerated "no membership of $u1 in $grp"
fi
if grep -q '"continues": true' "$OB_OUT"; then
	ob_pass enumeration_streams_with_continues
else
	ob_fail enumeration_streams_with_continues "no reply had continues"
fi

# systemd's errors, and bad calls refused while the daemon serves on.
ob_run client errors "$UDB" "$SERVICE" "$u1" "$uid"
if [ "$OB_RC" -eq 0 ]; then
	ob_pass userdb_errors_as_systemd_names_them
else
	ob_fail userdb_errors_as_systemd_names_them "$(cat "$OB_OUT" "$OB_ERR")"
fi
ob_run client bad "$UDB" "$SERVICE" "$u1"
if [ "$OB_RC" -eq 0 ]; then
	ob_pass malformed_and_oversized_calls_refused
else
	ob_fail malformed_and_oversized_calls_refused "$(cat "$OB_OUT" "$OB_ERR")"
fi
# The main socket does not serve userdb.
printf '%s\n' "{\"method\":\"io.systemd.UserDatabase.GetUserRecord\",\"parameters\":{\"service\":\"$SERVICE\",\"userName\":\"$u1\"}}" |
	ob_varlink >"$OB_DIR/main" 2>&1
if grep -q 'org.varlink.service.InterfaceNotFound' "$OB_DIR/main"; then
	ob_pass main_socket_does_not_serve_userdb
else
	ob_fail main_socket_does_not_serve_userdb "$(cat "$OB_DIR/main")"
fi

# Who a peer is, for a person with no /etc/passwd line: onboardd finds
# their uid in its database.  NSS in onboardd bypasses its own userdb
# socket (SYSTEMD_BYPASS_USERDB): without that, the lookup would wait on
# the one thread that must answer it until nss-systemd gives up (45 s),
# longer than onboardctl waits (10 s).
pybin=/usr/bin/python3
adm=$(printf 'obudc%.11s' "$$")
expect_ok add_an_administrator ob_ctl user add "$adm" --first-name Ann --last-name Admin --role admin
aid=$(getent passwd "$adm" | cut -d: -f3)
expect_stdout_contains userdb_admin_administers_as_themselves "$adm" \
	setpriv --reuid="$aid" --regid="$aid" --clear-groups \
	"$ONBOARDCTL" --socket "$OB_SOCKET" user show "$adm"
if [ -x "$pybin" ]; then
	ob_run setpriv --reuid="$uid" --regid="$uid" --clear-groups "$pybin" \
		"${top_srcdir:-.}/tests/userdb_client.py" call "$OB_SOCKET" \
		"{\"method\":\"io.onboard.Login.Start\",\"parameters\":{\"phase\":\"auth\",\"user\":\"$u1\",\"service\":\"screenlock\"}}"
	if [ "$OB_RC" -eq 0 ] && grep -q '"messages"' "$OB_OUT" && ! grep -q '"error"' "$OB_OUT"; then
		ob_pass userdb_person_checks_their_own_login
	else
		ob_fail userdb_person_checks_their_own_login "$(cat "$OB_OUT" "$OB_ERR")"
	fi
else
	ob_skip userdb_person_checks_their_own_login "no /usr/bin/python3 to run as the person"
fi

expect_status() {
	name=$1
	want=$2
	shift 2
	ob_run "$@"
	if [ "$OB_RC" -eq "$want" ]; then
		ob_pass "$name"
	else
		ob_fail "$name" "exit status $OB_RC, want $want: $(cat "$OB_OUT")"
	fi
}
# One in the user bank is gone, their own group too.
expect_ok delete_to_the_bank ob_ctl user delete "$u2"
expect_status banked_person_is_gone 2 getent passwd "$u2"
expect_status banked_persons_group_is_gone 2 getent group "$u2"

# The uid stays across a restart (and the stop is clean: no sanitizer
# report in the log of a sanitized build).
ob_stop_daemon
ob_start_daemon
expect_stdout_matches uid_stable_across_a_restart "^$line\$" getent passwd "$u1"

# uid_range: one that meets the host's own ranges stops the start with
# one line; a full one refuses a new person or group, nothing changed.
ob_kill_daemon
cp "$OB_CONF" "$OB_DIR/conf.saved"
printf 'uid_range = 1000-70000\n' >>"$OB_CONF"
ob_run "$ONBOARDD" --foreground --socket "$OB_DIR/other.sock" --state-dir "$OB_STATE" \
	--config "$OB_CONF"
if [ "$OB_RC" -ne 0 ] && grep -q "uid_range 1000-70000 overlaps" "$OB_ERR"; then
	ob_pass uid_range_meeting_useradds_range_refused_at_start
else
	ob_fail uid_range_meeting_useradds_range_refused_at_start "status $OB_RC: $(cat "$OB_ERR")"
fi
cp "$OB_DIR/conf.saved" "$OB_CONF"
printf 'uid_range = 700000000-700000001\n' >>"$OB_CONF"
ob_start_daemon
full1=$(printf 'obudd%.11s' "$$")
full2=$(printf 'obude%.11s' "$$")
full3=$(printf 'obudf%.11s' "$$")
expect_ok full_range_first ob_ctl user add "$full1" --first-name F --last-name One
expect_ok full_range_second ob_ctl user add "$full2" --first-name F --last-name Two
expect_stdout_matches full_range_uids_from_the_new_range "^$full2:x:700000001:700000001:" getent passwd "$full2"
expect_refused full_range_refuses_a_person 1 "no free uid in uid_range 700000000-700000001" \
	ob_ctl user add "$full3" --first-name F --last-name Three
expect_refused full_range_changed_nothing 1 "no such person: $full3" ob_ctl user show "$full3"
expect_refused full_range_refuses_a_group 1 "no free uid in uid_range 700000000-700000001" \
	ob_ctl group add "${grp}x"
expect_stdout_matches earlier_uids_stay_when_the_range_moves "^$line\$" getent passwd "$u1"
cp "$OB_DIR/conf.saved" "$OB_CONF"

# The daemon down: "not found", never a hang.  nss-systemd's own timeout
# bounds the wait; 60 s is only a guard against a hang, not a figure.
ob_kill_daemon
expect_status daemon_stopped_not_found 2 timeout 60 getent passwd "$u1"
if [ ! -e "$UDB" ]; then
	ob_pass stopped_daemon_removes_its_userdb_socket
else
	ob_fail stopped_daemon_removes_its_userdb_socket "$UDB is still there"
fi
ob_start_daemon
kill -KILL "$OB_DAEMON_PID"
wait "$OB_DAEMON_PID" 2>/dev/null
OB_DAEMON_PID=
expect_status killed_daemon_not_found 2 timeout 60 getent passwd "$u1"
rm -f "$UDB"

ob_summary
