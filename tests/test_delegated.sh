#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Delegated administrators with the real onboardctl run as other Unix
# accounts: onboardd takes the caller's uid from the kernel, finds its
# username (here from the nss_wrapper user database the daemon reads)
# and allows exactly the calls its role or permissions allow, within its
# organisation.  Needs root, to run the client as other uids (setpriv).
. "${top_srcdir:-.}/tests/lib.sh"

if [ "$(id -u)" -ne 0 ]; then
	ob_say "SKIP: test_delegated.sh needs root (it runs onboardctl as other uids with setpriv)"
	exit 77
fi
if ! command -v setpriv >/dev/null 2>&1; then
	ob_say "SKIP: setpriv (util-linux) is not installed"
	exit 77
fi

ob_setup
# Unix accounts the daemon knows (through nss_wrapper): a delegated code
# administrator, a main administrator of acme, a main administrator of
# another organisation, and two who administer nothing (see below).
cat >>"$OB_PASSWD" <<-EOF
codes:x:1500:1500:Code Admin:/nonexistent:/bin/sh
chief:x:1501:1501:Chief:/nonexistent:/bin/sh
rival:x:1502:1502:Rival:/nonexistent:/bin/sh
plain:x:1503:1503:Plain:/nonexistent:/bin/sh
pia:x:1504:1504:Pia:/nonexistent:/bin/sh
opal:x:1510:1510:Opal:/nonexistent:/bin/sh
EOF
# opal administers the host (see below).
printf 'opal:x:1510:\nsudo:x:27:opal\n' >>"$OB_GROUP"
# The client runs as those uids: they must reach the socket.
chmod 0711 "$OB_DIR"
ob_start_daemon

as() {
	uid=$1
	shift
	setpriv --reuid="$uid" --regid="$uid" --clear-groups "$ONBOARDCTL" --socket "$OB_SOCKET" "$@"
}

expect_ok setup_code_admin ob_ctl user add codes --first-name Cody --last-name Admin \
	--existing-account --keep-unix-password --org acme --permissions codes
expect_ok setup_main_admin ob_ctl user add chief --first-name Chi --last-name Ef \
	--existing-account --keep-unix-password --org acme --role admin
expect_ok setup_rival_admin ob_ctl user add rival --first-name Ri --last-name Val \
	--existing-account --keep-unix-password --org other --role admin
expect_ok setup_person ob_ctl user add alice --first-name Alice --last-name Liddell --org acme

expect_stdout_matches delegated_code_admin_issues_a_code '[A-Z]{4}-[A-Z]{4}-[A-Z]{4}-[A-Z]{4}' \
	as 1500 code issue alice
expect_fail_with delegated_code_admin_cannot_add_people 1 "needs the 'users' permission" \
	as 1500 user add bob --first-name Bob --last-name Builder
expect_fail_with delegated_code_admin_cannot_invite 1 "'invites'" as 1500 invite send alice
expect_stdout_contains main_admin_adds_in_their_organisation "carl" \
	as 1501 user add carl --first-name Carl --last-name Linn
expect_stdout_contains main_admin_person_lands_in_their_organisation "acme" \
	ob_ctl user show carl
expect_fail_with other_organisation_cannot_see_alice 1 "no such person: alice" \
	as 1502 user show alice
expect_fail_with other_organisation_is_told_only_another_organisation 1 \
	"registered in another organisation" \
	as 1502 user add alice --first-name Alice --last-name Other
expect_fail_with unknown_uid_is_refused 1 "is not an onboard administrator" \
	as 65534 status

# The ways in of issue 9: a code administrator may not reset, unlock,
# issue a code to, or adopt an account for anyone above them.
expect_fail_with code_admin_cannot_issue_main_admin_a_reset_code 1 \
	"chief is a main administrator: only root or a main administrator may issue them an access code that resets their authenticator" \
	as 1500 code issue chief --reset-mfa
expect_fail_with code_admin_cannot_issue_main_admin_a_code 1 "chief is a main administrator" \
	as 1500 code issue chief
expect_fail_with code_admin_cannot_revoke_main_admin_code 1 "chief is a main administrator" \
	as 1500 code revoke chief
expect_fail_with main_admin_of_other_organisation_cannot_reach_chief 1 "no such person: chief" \
	as 1502 code issue chief
ob_run ob_ctl user add sue --first-name Sue --last-name Perm --org acme \
	--permissions users,codes,audit
expect_fail_with code_admin_cannot_issue_code_to_someone_with_more_permissions 1 \
	"sue holds the 'users' permission, which you lack" \
	as 1500 code issue sue
expect_fail_with delegated_admin_cannot_adopt_an_account 1 \
	"only root may adopt an existing Unix account" \
	as 1501 user add dave --first-name Dave --last-name Adopted --existing-account
# An account that administers the host (in group sudo, wheel, admin or
# root, or uid 0) is above every delegated administrator whatever its
# onboard permissions: whoever can log in as it holds the host.  root
# adopts one as a plain person; a code administrator may not reach it,
# the main administrator may.
expect_ok setup_person_with_sudo ob_ctl user add opal --first-name Opal --last-name Sud \
	--existing-account --keep-unix-password --org acme
expect_fail_with code_admin_cannot_issue_a_code_to_a_sudoer 1 \
	"opal's Unix account administers this host (group sudo)" \
	as 1500 code issue opal
expect_fail_with code_admin_cannot_revoke_a_sudoers_code 1 \
	"administers this host" as 1500 code revoke opal
expect_stdout_matches main_admin_issues_a_code_to_a_sudoer \
	'[A-Z]{4}-[A-Z]{4}-[A-Z]{4}-[A-Z]{4}' as 1501 code issue opal
# Bulk codes go by the same rule: the code administrator's file names
# the people without e-mail it may reach, and not opal.
chmod 0777 "$OB_DIR/bulk" 2>/dev/null || { mkdir -m 0777 "$OB_DIR/bulk"; }
ob_run as 1500 code issue --all-without-email --output "$OB_DIR/bulk/codes.csv"
if [ "$OB_RC" -eq 0 ] && grep -q '^alice,' "$OB_DIR/bulk/codes.csv" &&
	! grep -q '^opal,' "$OB_DIR/bulk/codes.csv"; then
	ob_pass bulk_codes_skip_a_sudoer
else
	ob_fail bulk_codes_skip_a_sudoer "expected alice's code and not opal's: $(cat "$OB_DIR/bulk/codes.csv" 2>&1)"
	ob_show_output
fi
# A caller who is not an administrator learns nothing about who exists:
# every login and admin call about a name gets the same reply, to the
# byte, for a person onboard has (alice), an administrator with a Unix
# account (chief) and a name nobody has.  Asked by a Unix account onboard
# does not know (plain) and by a person onboard has who administers
# nothing (pia).
expect_ok setup_person_who_administers_nothing ob_ctl user add pia --first-name Pia \
	--last-name Pe --existing-account --keep-unix-password --org acme
cat >"$OB_DIR/same_reply.py" <<'PY'
import json, socket, sys

def ask(path, method, params):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(path)
    s.sendall(json.dumps({"method": method, "parameters": params}).encode() + b"\0")
    buf = b""
    while not buf.endswith(b"\0"):
        chunk = s.recv(65536)
        if not chunk:
            break
        buf += chunk
    s.close()
    return buf

calls = [("io.onboard.Login.Start", {"phase": phase, "user": "@"})
         for phase in ("auth", "account", "password", "password_check")]
calls += [("io.onboard.Admin." + m, {"username": "@"})
          for m in ("UserShow", "CodeIssue", "MfaReset", "Unlock", "InviteSend")]
calls.append(("io.onboard.Admin.UserAdd", {"username": "@", "first_name": "A", "last_name": "B"}))
bad = []
for method, params in calls:
    replies = {}
    for name in sys.argv[2:]:
        p = {k: (name if v == "@" else v) for k, v in params.items()}
        # The name asked about may be said back: that teaches nothing.
        replies[name] = ask(sys.argv[1], method, p).replace(name.encode(), b"@")
    if len(set(replies.values())) != 1:
        bad.append("%s: %r" % (method, replies))
    elif not replies[sys.argv[2]]:
        bad.append("%s: no reply" % method)
print("\n".join(bad) if bad else "ok %d calls" % len(calls))
PY
# The system's python: one under root's home is not for other uids.
py=python3
[ -x /usr/bin/python3 ] && py=/usr/bin/python3
for who in 1503 1504; do
	ob_run setpriv --reuid="$who" --regid="$who" --clear-groups \
		"$py" "$OB_DIR/same_reply.py" "$OB_SOCKET" alice chief nosuchname
	if [ "$OB_RC" -eq 0 ] && grep -q '^ok ' "$OB_OUT"; then
		ob_pass "uid_${who}_learns_nothing_about_who_exists"
	else
		ob_fail "uid_${who}_learns_nothing_about_who_exists" \
			"expected the same reply for alice, chief and nosuchname"
		ob_show_output
	fi
done
expect_stdout_contains names_asked_about_are_unchanged "Alice Liddell" ob_ctl user show alice

# A local user asking for other people's logins in a loop (one dialogue
# a connection) is refused each time, and the log says so at most ten times a minute plus a line
# counting the rest: a line each (2,000 here) would be enough for
# journald's rate limit to drop onboardd's other lines.
cat >"$OB_DIR/others_logins.py" <<'PY'
import json, socket, sys
for i in range(2000):
    s = socket.socket(socket.AF_UNIX)
    s.connect(sys.argv[1])
    s.sendall(json.dumps({"method": "io.onboard.Login.Start",
                          "parameters": {"phase": "auth", "user": "alice"}}).encode() + b"\0")
    buf = b""
    while not buf.endswith(b"\0"):
        d = s.recv(65536)
        if not d:
            sys.exit("closed after %d calls" % i)
        buf += d
    s.close()
    if json.loads(buf[:-1]).get("parameters", {}).get("verdict") != "perm_denied":
        sys.exit("not refused: %r" % buf)
print("ok")
PY
before=$(grep -c 'may not run a login' "$OB_LOG")
ob_run setpriv --reuid=1503 --regid=1503 --clear-groups "$py" "$OB_DIR/others_logins.py" "$OB_SOCKET"
lines=$(($(grep -c 'may not run a login' "$OB_LOG") - before))
if [ "$OB_RC" -eq 0 ] && [ "$lines" -le 10 ]; then
	ob_pass others_logins_in_a_loop_do_not_flood_the_log
else
	ob_fail others_logins_in_a_loop_do_not_flood_the_log \
		"expected 2,000 refusals logged in at most 10 lines, got $lines lines"
	ob_show_output
fi

ob_stop_daemon
ob_summary
