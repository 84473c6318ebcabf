#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# onboardctl against a real onboardd in a temporary directory: every
# validation rule of "user add" is refused with a clear one-line reason,
# a non-zero exit and no change; the commands that succeed print what
# they should, as text and as JSON.

srcdir_tests=${top_srcdir:+$top_srcdir/tests}
. "${srcdir_tests:-$(dirname "$0")}/lib.sh"

ob_setup
# Two failed logins lock a person: the unlock checks need a lock.
printf 'lockout_attempts = 2\n' >>"$OB_CONF"
ob_start_daemon

# Administration is allowed to root and to onboard administrators, and the kernel tells onboardd
# who calls: without root only the refusal itself can be checked.
if [ "$(id -u)" -ne 0 ]; then
	expect_fail_with non_root_caller_is_refused 1 "is not an onboard administrator" \
		ob_ctl user list
	expect_fail_with non_root_cannot_add 1 "permission denied" \
		ob_ctl user add alice --first-name Alice --last-name Liddell
	ob_stop_daemon
	ob_skip administrative_checks "needs root (every other check makes administrative calls)"
	ob_summary || exit 1
	exit 77
fi

# ----------------------------------------------------------- helpers

# How many replies on stdin are errors; the first is shown on stderr.
count_errors() {
	python3 -c '
import json, sys
bad = [l for l in sys.stdin if "error" in json.loads(l)]
if bad:
    sys.stderr.write(bad[0])
print(len(bad))
'
}

# ---------------------------------------------------------------- status

expect_stdout_contains status_reports_version "version" ob_ctl status
expect_json status_json_is_one_document ob_ctl --json status
if [ "$(json_field socket)" = "$OB_SOCKET" ] && [ "$(json_field people)" = 0 ]; then
	ob_pass status_json_names_socket_and_people
else
	ob_fail status_json_names_socket_and_people "expected socket $OB_SOCKET and 0 people"
	ob_show_output
fi

# ------------------------------------------------------------- user add

expect_stdout_contains user_add_with_all_fields "alice" \
	ob_ctl user add alice --first-name Alice --last-name Liddell \
	--email alice@example.org --phone "+46 70 123 45 67"
expect_stdout_contains user_add_stores_phone_canonical "+46701234567" ob_ctl user show alice
expect_stdout_contains user_add_person_is_unfinished "unfinished" ob_ctl user show alice
expect_json user_show_json_is_one_document ob_ctl --json user show alice
if [ "$(json_field person email)" = alice@example.org ] &&
	[ "$(json_field person state)" = unfinished ] &&
	[ "$(json_field person existing_account)" = false ]; then
	ob_pass user_show_json_has_fields
else
	ob_fail user_show_json_has_fields "expected email, state unfinished, existing_account false"
	ob_show_output
fi
expect_stdout_contains user_add_without_optional_fields "carol" \
	ob_ctl user add carol --first-name Carol --last-name "Ann Smith"
expect_stdout_contains user_add_accepts_utf8_name "Åsa Öberg" \
	ob_ctl user add asa --first-name "Åsa" --last-name "Öberg"

# Each refusal: the reason, a non-zero exit and nothing changed.
expect_refused user_add_refuses_missing_first_name 2 "--first-name is required" \
	ob_ctl user add dave --last-name Jones
expect_refused user_add_refuses_missing_last_name 2 "--last-name is required" \
	ob_ctl user add dave --first-name Dave
expect_refused user_add_refuses_empty_first_name 1 "first name must not be empty" \
	ob_ctl user add dave --first-name "" --last-name Jones
expect_refused user_add_refuses_missing_username 2 "USERNAME is missing" \
	ob_ctl user add --first-name Dave --last-name Jones
expect_refused user_add_refuses_username_of_33_characters 1 "1 to 32 characters" \
	ob_ctl user add abcdefghijklmnopqrstuvwxyzabcdefg --first-name Dave --last-name Jones
expect_ok user_add_accepts_username_of_32_characters \
	ob_ctl user add abcdefghijklmnopqrstuvwxyzabcdef --first-name Dave --last-name Jones
expect_refused user_add_refuses_capital_letter 1 "username must start with a lower-case letter" \
	ob_ctl user add Dave --first-name Dave --last-name Jones
expect_refused user_add_refuses_capital_letter_inside 1 "lower-case letters, digits" \
	ob_ctl user add daVe --first-name Dave --last-name Jones
expect_refused user_add_refuses_username_starting_with_digit 1 "must start with a lower-case letter" \
	ob_ctl user add 1dave --first-name Dave --last-name Jones
expect_refused user_add_refuses_bad_email 1 "e-mail address is not valid" \
	ob_ctl user add dave --first-name Dave --last-name Jones --email "dave.example.org"
expect_refused user_add_refuses_email_without_domain 1 "e-mail address is not valid" \
	ob_ctl user add dave --first-name Dave --last-name Jones --email "dave@localhost"
expect_refused user_add_refuses_bad_phone 1 "E.164" \
	ob_ctl user add dave --first-name Dave --last-name Jones --phone "0701234567"
expect_refused user_add_refuses_phone_with_letters 1 "E.164" \
	ob_ctl user add dave --first-name Dave --last-name Jones --phone "+46 70 CALL ME"
expect_refused user_add_refuses_control_character_in_name 1 "first name must not contain control characters" \
	ob_ctl user add dave --first-name "$(printf 'Da\tve')" --last-name Jones
expect_refused user_add_refuses_escape_in_last_name 1 "last name must not contain control characters" \
	ob_ctl user add dave --first-name Dave --last-name "$(printf 'Jo\033[2Jnes')"
long_name=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa # 65 bytes
expect_refused user_add_refuses_name_over_64_bytes 1 "at most 64 bytes" \
	ob_ctl user add dave --first-name "$long_name" --last-name Jones
expect_refused user_add_refuses_colon_in_name 1 "must not contain ':'" \
	ob_ctl user add dave --first-name "Da:ve" --last-name Jones
expect_refused user_add_refuses_duplicate_username 1 "already" \
	ob_ctl user add alice --first-name Alice --last-name Other
expect_refused user_add_refuses_root 1 "root or a system account" \
	ob_ctl user add root --first-name Root --last-name Admin
expect_refused user_add_refuses_root_with_existing_account 1 "root or a system account" \
	ob_ctl user add root --first-name Root --last-name Admin --existing-account
expect_refused user_add_refuses_system_account_uid_1 1 "system account" \
	ob_ctl user add daemon --first-name Daemon --last-name Account
expect_refused user_add_refuses_account_below_uid_min 1 "system account" \
	ob_ctl user add sysuser --first-name Sys --last-name User --existing-account
expect_refused user_add_refuses_regular_account_without_flag 1 "--existing-account" \
	ob_ctl user add bob --first-name Bob --last-name Regular
expect_refused user_add_refuses_existing_account_flag_without_account 1 "no Unix account" \
	ob_ctl user add dave --first-name Dave --last-name Jones --existing-account
expect_refused unknown_command_is_usage_error 2 "unknown command" \
	ob_ctl frobnicate
expect_refused unknown_subcommand_is_usage_error 2 "unknown command" \
	ob_ctl user frobnicate dave
expect_refused unknown_option_is_usage_error 2 "unknown option --colour" \
	ob_ctl user add dave --first-name Dave --last-name Jones --colour red
expect_refused option_of_another_command_is_usage_error 2 "does not apply" \
	ob_ctl user add dave --first-name Dave --last-name Jones --lifetime 3d
expect_refused extra_argument_is_usage_error 2 "unexpected argument" \
	ob_ctl user show alice bob

expect_stdout_contains user_add_takes_over_regular_account_with_flag "bob" \
	ob_ctl user add bob --first-name Bob --last-name Regular --existing-account \
	--keep-unix-password
ob_run ob_ctl --json user show bob
if [ "$OB_RC" -eq 0 ] && [ "$(json_field person existing_account)" = true ]; then
	ob_pass user_add_records_existing_account
else
	ob_fail user_add_records_existing_account "expected existing_account true"
	ob_show_output
fi

# ---------------------------------------------------------- show and list

expect_refused user_show_unknown_person 1 "no such person: nobody" ob_ctl user show nobody
expect_stdout_matches user_list_shows_people_in_order "^alice .*Alice Liddell" ob_ctl user list
ob_run ob_ctl user list
if [ "$OB_RC" -eq 0 ] && [ "$(awk 'NR > 1 { print $1 }' "$OB_OUT" | tr '\n' ' ')" = \
	"abcdefghijklmnopqrstuvwxyzabcdef alice asa bob carol " ]; then
	ob_pass user_list_is_in_username_order
else
	ob_fail user_list_is_in_username_order "expected the five people in username order"
	ob_show_output
fi
expect_json user_list_json_is_one_document ob_ctl --json user list
if [ "$(python3 -c 'import json,sys; print(len(json.load(sys.stdin)["people"]))' <"$OB_OUT")" = 5 ]; then
	ob_pass user_list_json_has_every_person
else
	ob_fail user_list_json_has_every_person "expected 5 people"
	ob_show_output
fi
expect_json json_option_after_command ob_ctl user list --json

# ----------------------------------------------------------- access codes

code_re='^[A-Z]{4}(-[A-Z]{4}){3}$'
expect_stdout_contains code_list_empty "no access codes" ob_ctl code list
expect_refused code_issue_unknown_person 1 "no such person: nobody" ob_ctl code issue nobody
expect_refused code_issue_refuses_lifetime_without_unit 2 "not a duration" \
	ob_ctl code issue alice --lifetime 90
expect_refused code_issue_refuses_unknown_unit 2 "not a duration" \
	ob_ctl code issue alice --lifetime 5x
expect_refused code_issue_refuses_lifetime_under_a_minute 1 "between 1 minute and 10 years" \
	ob_ctl code issue alice --lifetime 30s
expect_refused code_revoke_without_code 1 "alice has no access code" ob_ctl code revoke alice
expect_refused code_revoke_unknown_person 1 "no such person" ob_ctl code revoke nobody

expect_stdout_matches code_issue_prints_code "$code_re" ob_ctl code issue alice
first_code=$(grep -E "$code_re" "$OB_OUT")
cp "$OB_OUT" "$OB_DIR/issued"
expect_stdout_contains code_issue_says_for_whom "Access code for alice" cat "$OB_DIR/issued"
expect_json code_issue_json_is_one_document ob_ctl --json code issue alice --lifetime 2h
second_code=$(json_field code)
if printf '%s\n' "$second_code" | grep -E -q "$code_re" && [ "$(json_field username)" = alice ]; then
	ob_pass code_issue_json_has_code_field
else
	ob_fail code_issue_json_has_code_field "expected a code matching $code_re in \"code\""
	ob_show_output
fi
left=$(python3 -c 'import json,sys,time; print(int(json.load(sys.stdin)["expires"] - time.time()))' <"$OB_OUT")
if [ -n "$left" ] && [ "$left" -gt 7100 ] && [ "$left" -le 7200 ]; then
	ob_pass code_issue_lifetime_sets_expiry
else
	ob_fail code_issue_lifetime_sets_expiry "expected expiry in about 2h, got ${left:-nothing} s"
fi
if [ -n "$first_code" ] && [ "$first_code" != "$second_code" ]; then
	ob_pass code_issue_gives_a_new_code
else
	ob_fail code_issue_gives_a_new_code "expected two different codes, got '$first_code' and '$second_code'"
fi

ob_run ob_ctl --json code list
if [ "$OB_RC" -eq 0 ] && [ "$(python3 -c '
import json, sys
codes = json.load(sys.stdin)["codes"]
print(" ".join(c["username"] + ":" + c["status"] for c in codes))' <"$OB_OUT")" = "alice:active" ]; then
	ob_pass code_issue_keeps_only_the_newest_code_active
else
	ob_fail code_issue_keeps_only_the_newest_code_active "expected one code, alice's, active"
	ob_show_output
fi
expect_absent code_list_never_shows_a_code "the code or its hash is in code list" \
	"$OB_OUT" "$second_code" "$first_code" hash
expect_stdout_matches code_list_shows_status "^alice +active " ob_ctl code list
expect_stdout_contains user_show_has_code_status "active, issued" ob_ctl user show alice
expect_absent user_show_never_shows_the_code "the code is in user show" "$OB_OUT" "$second_code"
expect_absent daemon_never_logs_a_code "a code is in onboardd's log" \
	"$OB_LOG" "$first_code" "$second_code"

expect_stdout_contains code_revoke_revokes "revoked the access code of alice" \
	ob_ctl code revoke alice
expect_stdout_matches code_list_shows_revoked "^alice +revoked " ob_ctl code list
expect_refused code_revoke_twice_says_already_revoked 1 "already revoked" ob_ctl code revoke alice
expect_ok code_issue_to_another_person ob_ctl code issue carol
expect_json code_revoke_json_is_one_document ob_ctl --json code revoke carol

# ---------------------------------------------------- factors (MFA)

# Nobody here has enrolled an authenticator: that takes a login through
# the PAM module (tests/test_pam_login.c), not this client.
expect_stdout_matches user_show_reports_no_authenticator "^authenticator +none$" \
	ob_ctl user show alice
ob_run ob_ctl --json user show alice
if [ "$OB_RC" -eq 0 ] && [ "$(json_field person mfa)" = none ] &&
	[ -z "$(json_field person mfa_enrolled)" ]; then
	ob_pass user_show_json_reports_no_authenticator
else
	ob_fail user_show_json_reports_no_authenticator "expected \"mfa\": \"none\" and no mfa_enrolled"
	ob_show_output
fi
ob_run ob_ctl --json user list
if [ "$OB_RC" -eq 0 ] && [ "$(python3 -c '
import json, sys
print(" ".join(sorted(set(p["mfa"] for p in json.load(sys.stdin)["people"]))))' <"$OB_OUT")" = none ]; then
	ob_pass user_list_json_has_mfa_of_everyone
else
	ob_fail user_list_json_has_mfa_of_everyone "expected \"mfa\": \"none\" on every person"
	ob_show_output
fi

expect_refused mfa_reset_unknown_user_refused 1 "no such person: nobody" ob_ctl mfa reset nobody
expect_refused mfa_reset_without_authenticator_refused 1 "alice has no authenticator to reset" \
	ob_ctl mfa reset alice
expect_refused mfa_reset_refuses_bad_username 1 "username must start with a lower-case letter" \
	ob_ctl mfa reset Alice
expect_refused mfa_reset_without_username_is_usage_error 2 "mfa reset: USERNAME is missing" \
	ob_ctl mfa reset
expect_refused mfa_without_subcommand_is_usage_error 2 "say which (reset)" ob_ctl mfa
expect_refused reset_mfa_option_of_user_add_is_usage_error 2 "--reset-mfa does not apply" \
	ob_ctl user add dave --first-name Dave --last-name Jones --reset-mfa

# The API itself: the errors by name, and a reset_mfa that is no bool.
printf '%s\n' \
	'{"method":"io.onboard.Admin.MfaReset","parameters":{"username":"alice"}}' \
	'{"method":"io.onboard.Admin.MfaReset","parameters":{"username":"nobody"}}' \
	'{"method":"io.onboard.Admin.MfaReset","parameters":{}}' \
	'{"method":"io.onboard.Admin.CodeIssue","parameters":{"username":"carol","reset_mfa":"yes"}}' |
	ob_varlink >"$OB_DIR/mfa" 2>"$OB_ERR"
mfa_check=$(python3 -c '
import json, sys
r = [json.loads(l) for l in open(sys.argv[1])]
got = [(x.get("error"), x.get("parameters", {}).get("parameter")) for x in r]
want = [("io.onboard.Admin.NoAuthenticator", None), ("io.onboard.Admin.UserNotFound", None),
        ("org.varlink.service.InvalidParameter", "username"),
        ("org.varlink.service.InvalidParameter", "reset_mfa")]
print("ok" if got == want else "expected %s, got %s" % (want, got))
' "$OB_DIR/mfa" 2>&1)
if [ "$mfa_check" = ok ]; then
	ob_pass mfa_reset_errors_are_named_in_the_interface
else
	ob_fail mfa_reset_errors_are_named_in_the_interface "$mfa_check"
	sed 's/^/  | /' "$OB_ERR"
fi

expect_json code_issue_reset_mfa_is_marked ob_ctl --json code issue alice --reset-mfa
reset_code=$(json_field code)
if [ "$(json_field reset_mfa)" = true ] && printf '%s\n' "$reset_code" | grep -E -q "$code_re"; then
	ob_pass code_issue_reset_mfa_reply_says_so
else
	ob_fail code_issue_reset_mfa_reply_says_so "expected a code and \"reset_mfa\": true"
	ob_show_output
fi
ob_run ob_ctl --json code list
if [ "$OB_RC" -eq 0 ] && [ "$(python3 -c '
import json, sys
codes = json.load(sys.stdin)["codes"]
print(" ".join("%s:%s:%s" % (c["username"], c["status"], c["reset_mfa"]) for c in codes))' <"$OB_OUT")" = \
	"alice:active:True carol:revoked:False" ]; then
	ob_pass code_list_json_marks_reset_mfa
else
	ob_fail code_list_json_marks_reset_mfa \
		"expected alice's active code with reset_mfa true and carol's revoked one false"
	ob_show_output
fi
expect_stdout_matches code_list_marks_reset_mfa "^alice +active .* yes$" ob_ctl code list
expect_stdout_matches code_list_leaves_ordinary_code_unmarked "^carol +revoked .* -$" \
	ob_ctl code list
expect_stdout_contains user_show_says_code_resets_mfa "resets the authenticator" \
	ob_ctl user show alice
expect_stdout_contains code_issue_reset_mfa_text_says_so "It resets MFA" \
	ob_ctl code issue carol --reset-mfa --lifetime 1d
expect_absent daemon_never_logs_a_reset_code "the code is in onboardd's log" \
	"$OB_LOG" "$reset_code"
# A new ordinary code replaces the reset code, and with it the reset.
expect_json code_issue_without_reset_mfa_is_not_marked ob_ctl --json code issue alice
if [ "$(json_field reset_mfa)" = false ]; then
	ob_run ob_ctl --json user show alice
	if [ "$(json_field code reset_mfa)" = false ] && [ "$(json_field code status)" = active ]; then
		ob_pass ordinary_code_replaces_reset_code
	else
		ob_fail ordinary_code_replaces_reset_code "expected alice's active code not to reset MFA"
		ob_show_output
	fi
else
	ob_fail ordinary_code_replaces_reset_code "expected \"reset_mfa\": false in the reply"
	ob_show_output
fi
expect_ok code_revoke_leaves_alice_without_code ob_ctl code revoke alice
expect_ok code_revoke_leaves_carol_without_code ob_ctl code revoke carol

# ------------------------------------------------------------ permissions

# nobody must be able to reach the socket to be told no by the daemon.
chmod 0711 "$OB_DIR"
expect_refused non_root_caller_is_refused 1 "is not an onboard administrator" \
	setpriv --reuid=65534 --regid=65534 --clear-groups \
	"$ONBOARDCTL" --socket "$OB_SOCKET" user list
expect_refused non_root_cannot_add 1 "permission denied" \
	setpriv --reuid=65534 --regid=65534 --clear-groups \
	"$ONBOARDCTL" --socket "$OB_SOCKET" user add dave --first-name Dave --last-name Jones
chmod 0700 "$OB_DIR"

# ------------------------------------------------------------ long lists

# 1,500 people whose fields are as long as the rules allow and, in the
# names and the e-mail address, all characters that JSON escapes: a page
# of them is near the largest a page can be.  Pages are what lets a list
# of them through the 64 KiB message cap (one reply would be over 1 MB).
pager_people=1500
list_start=$(date +%s)
python3 -c '
import json, sys
domain = "a" * 63 + "." + "b" * 63 + "." + "c" * 57 + ".org"
for i in range(int(sys.argv[1])):
    print(json.dumps({"method": "io.onboard.Admin.UserAdd", "parameters": {
        "username": "pager" + "x" * 23 + "%04d" % i,
        "first_name": ("\"\\/" * 22)[:64],
        "last_name": "/" * 64,
        "email": "/" * 60 + "%04d" % i + "@" + domain,
        "phone": "+1%014d" % i}}))
' "$pager_people" | ob_varlink >"$OB_DIR/added" 2>"$OB_ERR"
added_errors=$(count_errors <"$OB_DIR/added" 2>>"$OB_ERR")
if [ "$(wc -l <"$OB_DIR/added")" -ne "$pager_people" ] || [ "$added_errors" != 0 ]; then
	ob_fail adding_1500_people "expected $pager_people people added, got $added_errors errors"
	sed 's/^/  | /' "$OB_ERR"
fi

ob_run ob_ctl user list
pager_lines=$(grep -c '^pager' "$OB_OUT")
pager_unique=$(grep '^pager' "$OB_OUT" | awk '{ print $1 }' | LC_ALL=C sort -u -c && echo sorted)
if [ "$OB_RC" -ne 0 ]; then
	ob_fail user_list_pages_through_1500_people "user list failed with exit status $OB_RC"
	ob_show_output
elif [ "$(wc -l <"$OB_OUT")" -ne $((1 + pager_people + 5)) ] ||
	[ "$pager_lines" -ne "$pager_people" ] || [ "$pager_unique" != sorted ] ||
	[ "$(head -n 1 "$OB_OUT" | awk '{ print $1 }')" != USERNAME ]; then
	ob_fail user_list_pages_through_1500_people \
		"expected a header, the 5 first people and $pager_people others once each in order; got $(wc -l <"$OB_OUT") lines, $pager_lines of them pager"
else
	ob_run ob_ctl --json user list
	json_check=$(python3 -c '
import json, sys
people = json.load(sys.stdin)["people"]
names = [p["username"] for p in people]
pager = [p for p in people if p["username"].startswith("pager")]
ok = (len(pager) == int(sys.argv[1]) and names == sorted(set(names))
      and all(p["first_name"] == ("\"\\/" * 22)[:64] and len(p["email"]) == 254 for p in pager))
print("ok" if ok else "%d people, %d of them pager" % (len(people), len(pager)))
' "$pager_people" <"$OB_OUT" 2>&1)
	if [ "$OB_RC" -eq 0 ] && [ "$json_check" = ok ]; then
		ob_pass user_list_pages_through_1500_people
	else
		ob_fail user_list_pages_through_1500_people \
			"--json user list: expected one document with $pager_people pager people intact: $json_check"
		ob_show_output | head -n 20
	fi
fi

# The API under onboardctl's loop: a full page, next only when more
# follow, and limits outside 1..max refused.
last_pager=$(printf 'pagerxxxxxxxxxxxxxxxxxxxxxxx%04d' $((pager_people - 1)))
printf '%s\n' \
	'{"method":"io.onboard.Admin.UserList"}' \
	"{\"method\":\"io.onboard.Admin.UserList\",\"parameters\":{\"after\":\"$last_pager\",\"limit\":32}}" \
	'{"method":"io.onboard.Admin.UserList","parameters":{"after":"pagerxxxxxxxxxxxxxxxxxxxxxxx0099","limit":1}}' \
	'{"method":"io.onboard.Admin.UserList","parameters":{"limit":0}}' \
	'{"method":"io.onboard.Admin.UserList","parameters":{"limit":33}}' \
	'{"method":"io.onboard.Admin.CodeList","parameters":{"limit":257}}' \
	'{"method":"io.onboard.Admin.UserList","parameters":{"limit":"many"}}' |
	ob_varlink >"$OB_DIR/pages" 2>"$OB_ERR"
page_check=$(python3 -c '
import json, sys
r = [json.loads(l) for l in open(sys.argv[1])]
if len(r) != 7:
    sys.exit("expected 7 replies, got %d" % len(r))
first, last, one = (x.get("parameters", {}) for x in r[:3])
if len(first.get("people", [])) != 32 or first.get("next") != first["people"][-1]["username"]:
    sys.exit("the first page should hold 32 people and end at next")
if len(open(sys.argv[1]).readline()) > 60 * 1024:
    sys.exit("a full page of the longest people is over 60 KiB")
if last.get("people") != [] or "next" in last:
    sys.exit("after the last person: expected no people and no next, got %s" % r[1])
if [p["username"] for p in one.get("people", [])] != ["pagerxxxxxxxxxxxxxxxxxxxxxxx0100"] or \
        one.get("next") != "pagerxxxxxxxxxxxxxxxxxxxxxxx0100":
    sys.exit("limit 1 after person 99: expected person 100 and next, got %s" % r[2])
want = ["io.onboard.Admin.InvalidArgument"] * 3 + ["org.varlink.service.InvalidParameter"]
if [x.get("error") for x in r[3:]] != want:
    sys.exit("expected limits 0, 33 (people) and 257 (codes) refused, and a text limit: got %s"
             % [x.get("error") for x in r[3:]])
print("ok")
' "$OB_DIR/pages" 2>&1)
if [ "$page_check" = ok ]; then
	ob_pass user_list_next_only_when_more_follow
else
	ob_fail user_list_next_only_when_more_follow "$page_check"
	sed 's/^/  | /' "$OB_ERR"
fi

# An access code for each of them, then the list of codes.
python3 -c '
import json, sys
for i in range(int(sys.argv[1])):
    print(json.dumps({"method": "io.onboard.Admin.CodeIssue",
                      "parameters": {"username": "pager" + "x" * 23 + "%04d" % i}}))
' "$pager_people" | ob_varlink >"$OB_DIR/issued" 2>"$OB_ERR"
issued_errors=$(count_errors <"$OB_DIR/issued" 2>>"$OB_ERR")
# They are codes: not kept past their check.
rm -f "$OB_DIR/issued"
ob_run ob_ctl code list
code_lines=$(grep -c -E '^pager[x0-9]+ +active ' "$OB_OUT")
if [ "$issued_errors" != 0 ]; then
	ob_fail code_list_pages_through_1500_codes "issuing $pager_people codes gave $issued_errors errors"
	sed 's/^/  | /' "$OB_ERR"
elif [ "$OB_RC" -ne 0 ] || [ "$code_lines" -ne "$pager_people" ] ||
	[ "$(wc -l <"$OB_OUT")" -ne $((1 + pager_people + 2)) ]; then
	ob_fail code_list_pages_through_1500_codes \
		"expected a header, alice's and carol's codes and $pager_people active ones; got $(wc -l <"$OB_OUT") lines, $code_lines active pager"
	ob_show_output | head -n 20
else
	ob_run ob_ctl --json code list
	n=$(python3 -c '
import json, sys
codes = json.load(sys.stdin)["codes"]
names = [c["username"] for c in codes]
print(len(codes) if names == sorted(set(names)) else "unsorted")
' <"$OB_OUT" 2>&1)
	if [ "$OB_RC" -eq 0 ] && [ "$n" = $((pager_people + 2)) ]; then
		ob_pass code_list_pages_through_1500_codes
	else
		ob_fail code_list_pages_through_1500_codes \
			"--json code list: expected $((pager_people + 2)) codes in order, got $n"
		ob_show_output | head -n 20
	fi
fi
ob_say "# long lists: $(($(date +%s) - list_start)) s"

# ------------------------------------------------------- lockout, unlock

# One login dialogue on its own connection, as pam_onboard.so runs it:
# user answers a wrong access code.
wrong_code_login() {
	printf '%s\n' \
		"{\"method\":\"io.onboard.Login.Start\",\"parameters\":{\"phase\":\"auth\",\"user\":\"$1\",\"service\":\"test\"}}" \
		'{"method":"io.onboard.Login.Answer","parameters":{"answers":["AAAA-AAAA-AAAA-AAAA"]}}' |
		ob_varlink >"$OB_DIR/login" 2>"$OB_ERR"
	tail -n 1 "$OB_DIR/login"
}

expect_stdout_contains user_add_lola "lola" ob_ctl user add lola --first-name Lola --last-name Lock
expect_ok code_issue_to_lola ob_ctl code issue lola
expect_stdout_matches user_show_without_failures "^failed logins +0$" ob_ctl user show lola
expect_stdout_matches user_show_without_lock "^login lock +none$" ob_ctl user show lola
expect_stdout_contains unlock_without_failures_changes_nothing \
	"lola was not locked and had no failed logins: nothing changed" ob_ctl unlock lola
expect_refused unlock_unknown_user_refused 1 "no such person: nobody" ob_ctl unlock nobody
expect_refused unlock_refuses_bad_username 1 "username must start with a lower-case letter" \
	ob_ctl unlock Lola
expect_refused unlock_without_username_is_usage_error 2 "unlock: USERNAME is missing" \
	ob_ctl unlock
expect_refused unlock_takes_no_options 2 "option --lifetime does not apply" \
	ob_ctl unlock lola --lifetime 1d

reply=$(wrong_code_login lola)
case $reply in
*'"verdict":"auth_err"'*) ob_pass wrong_code_login_is_refused ;;
*) ob_fail wrong_code_login_is_refused "expected the verdict auth_err, got: $reply" ;;
esac
expect_stdout_matches user_show_counts_a_failure "^failed logins +1 in a row, the last " \
	ob_ctl user show lola
expect_stdout_contains unlock_clears_failures_of_an_unlocked_person \
	"lola was not locked: cleared 1 failed login" ob_ctl unlock lola
expect_stdout_matches unlock_leaves_no_failures "^failed logins +0$" ob_ctl user show lola

wrong_code_login lola >/dev/null
reply=$(wrong_code_login lola)
case $reply in
*'"verdict":"maxtries"'*'this account is locked until'* | *'this account is locked until'*'"verdict":"maxtries"'*)
	ob_pass second_failure_locks_and_says_until_when ;;
*) ob_fail second_failure_locks_and_says_until_when "expected maxtries and the lock, got: $reply" ;;
esac
# Two wrong codes from one place (the service "test") lock that place.
expect_stdout_matches user_show_says_locked_until \
	"^login lock +locked from 1 place until [0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}$" \
	ob_ctl user show lola
expect_stdout_matches user_show_counts_the_failures "^failed logins +2 in a row" \
	ob_ctl user show lola
# The person and user show name the same minute: the end of the lock
# rounded up (at the minute shown, it is over).
told=$(printf '%s' "$reply" | sed -n 's/.*this account is locked until \([0-9 :-]*[0-9]\)\..*/\1/p')
ob_ctl --json user show lola >"$OB_OUT" 2>"$OB_ERR"
until_s=$(json_field lockout places_locked_until)
want=$(date -d "@$(( (until_s + 59) / 60 * 60 ))" '+%Y-%m-%d %H:%M')
shown=$(ob_ctl user show lola | sed -n 's/^login lock *locked from 1 place until //p')
case $want in
*"$told") if [ "$shown" = "$want" ]; then
		ob_pass lock_minute_told_and_shown_agree
	else
		ob_fail lock_minute_told_and_shown_agree "locked_until $until_s: told '$told', user show '$shown', want '$want'"
	fi ;;
*) ob_fail lock_minute_told_and_shown_agree "locked_until $until_s: told '$told', want '$want'" ;;
esac
expect_json user_show_json_has_lockout ob_ctl --json user show lola
if [ "$(json_field lockout failures)" = 2 ] && [ "$(json_field lockout places_locked)" = 1 ] &&
	[ -n "$(json_field lockout places_locked_until)" ] &&
	[ -n "$(json_field lockout last_failure)" ]; then
	ob_pass user_show_json_has_failures_and_lock
else
	ob_fail user_show_json_has_failures_and_lock "expected lockout with 2 failures and a place locked"
	ob_show_output
fi
if grep -q "login: lola: locked until .* after 2 failed logins" "$OB_LOG"; then
	ob_pass lock_is_logged_with_the_name
else
	ob_fail lock_is_logged_with_the_name "no \"login: lola: locked until\" line in onboardd's log"
fi
expect_stdout_matches unlock_says_what_it_lifted \
	"^unlocked lola: lifted the lock until [0-9-]+ [0-9:]+ and cleared 2 failed logins$" \
	ob_ctl unlock lola
expect_stdout_matches unlock_leaves_no_lock "^login lock +none$" ob_ctl user show lola
if grep -q "admin: unlocked lola (locked until .* after 2 failed logins)" "$OB_LOG"; then
	ob_pass unlock_is_logged
else
	ob_fail unlock_is_logged "no \"admin: unlocked lola\" line in onboardd's log"
fi
wrong_code_login lola >/dev/null
wrong_code_login lola >/dev/null
expect_json unlock_json_is_one_document ob_ctl --json unlock lola
if [ "$(json_field username)" = lola ] && [ "$(json_field failures)" = 2 ] &&
	[ -n "$(json_field locked_until)" ]; then
	ob_pass unlock_json_tells_the_lock_lifted
else
	ob_fail unlock_json_tells_the_lock_lifted "expected username, 2 failures and locked_until"
	ob_show_output
fi

printf '%s\n' \
	'{"method":"io.onboard.Admin.Unlock","parameters":{"username":"nobody"}}' \
	'{"method":"io.onboard.Admin.Unlock","parameters":{}}' |
	ob_varlink >"$OB_DIR/unlock" 2>"$OB_ERR"
unlock_check=$(python3 -c '
import json, sys
r = [json.loads(l) for l in open(sys.argv[1])]
got = [(x.get("error"), x.get("parameters", {}).get("parameter")) for x in r]
want = [("io.onboard.Admin.UserNotFound", None), ("org.varlink.service.InvalidParameter", "username")]
print("ok" if got == want else "expected %s, got %s" % (want, got))
' "$OB_DIR/unlock" 2>&1)
if [ "$unlock_check" = ok ]; then
	ob_pass unlock_errors_are_named_in_the_interface
else
	ob_fail unlock_errors_are_named_in_the_interface "$unlock_check"
	sed 's/^/  | /' "$OB_ERR"
fi
expect_ok code_revoke_leaves_lola_without_code ob_ctl code revoke lola

# ----------------------------------------------------------- invitations

inv_re='^Invitation code: +[A-Z]{4}(-[A-Z]{4}){3}$'
expect_stdout_contains invite_list_empty "no invitations" ob_ctl invite list
expect_refused user_add_code_to_me_needs_invite 2 "--code-to-me goes with --invite" \
	ob_ctl user add ivy --first-name Ivy --last-name Ives --code-to-me
expect_stdout_matches user_add_with_invite_shows_code "$inv_re" \
	ob_ctl user add ivy --first-name Ivy --last-name Ives --invite
ivy_first=$(sed -n 's/^Invitation code: *//p' "$OB_OUT")
cp "$OB_OUT" "$OB_DIR/invited"
expect_stdout_contains user_add_with_invite_says_no_mail_yet "E-mail delivery is not built yet" \
	cat "$OB_DIR/invited"
rm -f "$OB_DIR/invited"
expect_json user_add_with_invite_json_has_code ob_ctl --json user add ian --first-name Ian \
	--last-name Ives --invite --code-to-me
if printf '%s\n' "$(json_field code)" | grep -E -q "$code_re" &&
	[ "$(json_field invitation status)" = pending ] &&
	[ "$(json_field person state)" = unfinished ] && [ "$(json_field delivery)" = administrator ]; then
	ob_pass user_add_with_invite_json_has_code_and_pending_invitation
else
	ob_fail user_add_with_invite_json_has_code_and_pending_invitation \
		"expected a code, a pending invitation, an unfinished person"
	ob_show_output
fi
expect_stdout_matches invite_list_shows_status "^ivy +pending " ob_ctl invite list
expect_absent invite_list_never_shows_a_code "the code or its hash is in invite list" \
	"$OB_OUT" "$ivy_first" hash
expect_refused invite_send_unknown_person 1 "no such person: nobody" ob_ctl invite send nobody

expect_json invite_send_supersedes ob_ctl --json invite send ivy --code-to-me
ivy_second=$(json_field code)
ob_run ob_ctl --json invite list
if [ -n "$ivy_first" ] && [ "$ivy_first" != "$ivy_second" ] && [ "$(python3 -c '
import json, sys
inv = json.load(sys.stdin)["invitations"]
print(" ".join(i["username"] + ":" + i["status"] for i in inv))' <"$OB_OUT")" = "ian:pending ivy:pending" ]; then
	ob_pass invite_send_gives_a_new_code_and_one_pending_invitation
else
	ob_fail invite_send_gives_a_new_code_and_one_pending_invitation \
		"expected a new code and ian and ivy pending"
	ob_show_output
fi
expect_absent daemon_never_logs_an_invitation_code "an invitation code is in onboardd's log" \
	"$OB_LOG" "$ivy_first" "$ivy_second"

expect_stdout_contains invite_revoke_then_list "revoked the invitation of ivy" \
	ob_ctl invite revoke ivy
expect_stdout_matches invite_list_shows_revoked "^ivy +revoked " ob_ctl invite list
expect_refused invite_revoke_twice_says_already_revoked 1 "already revoked" \
	ob_ctl invite revoke ivy
expect_refused invite_revoke_without_invitation 1 "alice has no invitation" \
	ob_ctl invite revoke alice
expect_json invite_revoke_json_is_one_document ob_ctl --json invite revoke ian

# ------------------------------------------------------- daemon stopped

ob_stop_daemon
expect_fail_with stopped_daemon_is_unreachable 3 "cannot reach onboardd at $OB_SOCKET" \
	ob_ctl user list
expect_fail_with missing_socket_is_unreachable 3 "cannot reach" \
	"$ONBOARDCTL" --socket "$OB_DIR/nothing-here.sock" status
ONBOARD_SOCKET=$OB_DIR/from-env.sock
export ONBOARD_SOCKET
expect_fail_with socket_from_environment 3 "$OB_DIR/from-env.sock" "$ONBOARDCTL" status
unset ONBOARD_SOCKET

# A peer that accepts and never answers, or answers garbage: exit 3 once
# the 10 s deadline has passed, not a hang.
fake_daemon() {
	$fake_as ${fake_py:-python3} -c '
import socket, sys, time
s = socket.socket(socket.AF_UNIX)
s.bind(sys.argv[1])
s.listen(4)
while True:
    c, _ = s.accept()
    if sys.argv[2] == "garbage":
        c.recv(65536)
        c.sendall(b"this is not json\0")
    elif sys.argv[2] == "valid":
        # Answers like a daemon with nobody in it.
        while c.recv(65536):
            c.sendall(b"{\"parameters\":{\"people\":[]}}\0")
    elif sys.argv[2] == "stuck":
        # Every page says more follow from the same place.
        while c.recv(65536):
            c.sendall(b"{\"parameters\":{\"people\":[],\"next\":\"a\"}}\0")
    else:
        time.sleep(60)
' "$1" "$2" &
	fake_pid=$!
	ob_track_pid "$fake_pid"
	ob_wait_socket "$1"
}

fake_daemon "$OB_DIR/hung.sock" hang
start=$(date +%s)
expect_fail_with hung_daemon_times_out 3 "no reply within 10 seconds" \
	"$ONBOARDCTL" --socket "$OB_DIR/hung.sock" user list
took=$(($(date +%s) - start))
if [ "$took" -ge 9 ] && [ "$took" -le 12 ]; then
	ob_pass hung_daemon_deadline_is_10_seconds
else
	ob_fail hung_daemon_deadline_is_10_seconds "expected about 10 s, took $took s"
fi
kill "$fake_pid" 2>/dev/null
wait "$fake_pid" 2>/dev/null

fake_daemon "$OB_DIR/garbage.sock" garbage
expect_fail_with garbage_reply_is_unreachable 3 "not a valid varlink message" \
	"$ONBOARDCTL" --socket "$OB_DIR/garbage.sock" status
kill "$fake_pid" 2>/dev/null
wait "$fake_pid" 2>/dev/null

# A next that does not move forward would have onboardctl ask forever.
fake_daemon "$OB_DIR/stuck.sock" stuck
expect_fail_with user_list_refuses_a_next_that_does_not_advance 3 "not a valid varlink message" \
	timeout 20 "$ONBOARDCTL" --socket "$OB_DIR/stuck.sock" user list
kill "$fake_pid" 2>/dev/null
wait "$fake_pid" 2>/dev/null

# Whoever serves the socket sees every call and decides what onboardctl
# prints (codes included): a socket served by anyone but root (or the
# caller) is refused before any call, whatever it answers.
if command -v setpriv >/dev/null 2>&1; then
	mkdir "$OB_DIR/nobody" || exit 99
	chown 65534:65534 "$OB_DIR/nobody"
	chmod 711 "$OB_DIR"
	# Not a python3 under root's home, which uid 65534 cannot run.
	fake_py=/usr/bin/python3
	[ -x "$fake_py" ] || fake_py=python3
	fake_as="setpriv --reuid=65534 --regid=65534 --clear-groups"
	fake_daemon "$OB_DIR/nobody/onboardd.sock" valid
	fake_as= fake_py=
	expect_fail_with socket_not_served_by_root_is_refused 3 \
		"served by uid 65534, not by root" \
		"$ONBOARDCTL" --socket "$OB_DIR/nobody/onboardd.sock" user list
	expect_fail_with socket_not_served_by_root_is_refused_for_status 3 \
		"served by uid 65534, not by root" \
		"$ONBOARDCTL" --socket "$OB_DIR/nobody/onboardd.sock" status
	kill "$fake_pid" 2>/dev/null
	wait "$fake_pid" 2>/dev/null
else
	ob_skip socket_not_served_by_root_is_refused "setpriv is not installed"
fi
# Terminal escapes never reach the terminal.  onboardd refuses control
# characters in what people and administrators set, so a stand-in puts
# them in every field of its replies: an OSC that retitles the
# window (ESC ] ... BEL), a CSI that clears the screen, the one-byte C1
# CSI (U+009B) and DEL.  onboardctl prints them as '?', and the daemon's
# own words (state, role, status, a code) as '?' whole.
python3 -c '
import json, socket, sys
EVIL = "A\x1b]0;owned\x07B\x1b[2J\u009b31m\x7fC"
person = {k: EVIL for k in ("username", "first_name", "last_name", "email", "phone", "org",
                            "link")}
person.update(state=EVIL, role=EVIL, permissions=[EVIL], groups=[EVIL], pools=[EVIL],
              created=1767225600, mfa=EVIL)
replies = {
    "io.onboard.Admin.Status": {"version": EVIL, "socket": EVIL, "people": 1},
    "io.onboard.Admin.UserShow": {"person": person},
    "io.onboard.Admin.CodeIssue": {"username": EVIL, "code": EVIL, "issued": 1767225600,
                                   "expires": 1767225600},
    "io.onboard.Admin.UserList": {"people": [person]},
    "io.onboard.Admin.BankList": {"people": [dict(person, deleted=1767225600)]},
    "io.onboard.Admin.CodeList": {"codes": [{"username": EVIL, "status": EVIL,
                                             "issued": 1767225600, "expires": 1767225600}]},
    "io.onboard.Admin.InviteList": {"invitations": [{"username": EVIL, "status": EVIL,
                                                     "issued": 1767225600,
                                                     "expires": 1767225600}]},
    "io.onboard.Admin.GroupList": {"groups": [{"name": EVIL, "org": EVIL, "members": 1,
                                               "created": 1767225600}]},
    "io.onboard.Admin.PoolList": {"pools": [{"name": EVIL, "org": EVIL, "seats": 2, "used": 1,
                                             "created": 1767225600}]},
    "io.onboard.Admin.Audit": {"events": [{"time": 1767225600, "event": EVIL, "result": EVIL,
                                           "subject": EVIL, "actor": EVIL, "uid": 7,
                                           "org": EVIL, "detail": EVIL}]},
}
s = socket.socket(socket.AF_UNIX)
s.bind(sys.argv[1])
s.listen(4)
while True:
    c, _ = s.accept()
    buf = b""
    while not buf.endswith(b"\0"):
        d = c.recv(65536)
        if not d:
            break
        buf += d
    if buf:
        method = json.loads(buf[:-1])["method"]
        if method in replies:
            msg = {"parameters": replies[method]}
        else:
            msg = {"error": "io.onboard.Admin.UserNotFound", "parameters": {"message": EVIL}}
        c.sendall(json.dumps(msg).encode() + b"\0")
    c.close()
' "$OB_DIR/escapes.sock" &
fake_pid=$!
ob_track_pid "$fake_pid"
ob_wait_socket "$OB_DIR/escapes.sock"
# escapes_filtered NAME ARGS...: onboardctl ARGS printed the stand-in's
# fields ('A?]0;owned?B?[2J?31m?C') and not one control character but
# the line ends, C0, DEL or C1, on stdout or stderr.
escapes_filtered() {
	name=$1
	shift
	ob_run "$ONBOARDCTL" --socket "$OB_DIR/escapes.sock" "$@"
	problem=$(python3 -c '
import re, sys
out = open(sys.argv[1], "rb").read() + open(sys.argv[2], "rb").read()
bad = re.search(rb"[\x00-\x09\x0b-\x1f\x7f]|\xc2[\x80-\x9f]", out)
if bad:
    print("a control character at byte %d: %r" % (bad.start(), out[max(0, bad.start() - 20):bad.end() + 20]))
elif b"A?]0;owned?B?[2J?31m?C" not in out:
    print("the field was not printed as A?]0;owned?B?[2J?31m?C")
' "$OB_OUT" "$OB_ERR")
	if [ -z "$problem" ]; then
		ob_pass "$name"
	else
		ob_fail "$name" "$problem"
		ob_show_output
	fi
}
escapes_filtered status_filters_escapes status
escapes_filtered user_show_filters_escapes user show someone
escapes_filtered user_list_filters_escapes user list
escapes_filtered bank_list_filters_escapes bank list
escapes_filtered code_list_filters_escapes code list
escapes_filtered invite_list_filters_escapes invite list
escapes_filtered group_list_filters_escapes group list
escapes_filtered pool_list_filters_escapes pool list
escapes_filtered audit_filters_escapes audit
escapes_filtered refusal_message_filters_escapes user delete someone
escapes_filtered code_issue_filters_escapes code issue someone
# With --json, json-c escapes C0 controls; DEL and the C1 controls are
# escaped by onboardctl (\u007f, \u009b), and the JSON still parses.
ob_run "$ONBOARDCTL" --socket "$OB_DIR/escapes.sock" --json user show someone
problem=$(python3 -c '
import json, re, sys
out = open(sys.argv[1], "rb").read()
bad = re.search(rb"[\x00-\x09\x0b-\x1f\x7f]|\xc2[\x80-\x9f]", out)
if bad:
    print("a control character at byte %d" % bad.start())
elif json.loads(out)["person"]["first_name"] != "A\x1b]0;owned\x07B\x1b[2J\u009b31m\x7fC":
    print("the JSON does not carry the field as sent")
' "$OB_OUT" 2>&1)
if [ -z "$problem" ]; then
	ob_pass json_user_show_escapes_del_and_c1
else
	ob_fail json_user_show_escapes_del_and_c1 "$problem"
	ob_show_output
fi
kill "$fake_pid" 2>/dev/null
wait "$fake_pid" 2>/dev/null

ob_summary
