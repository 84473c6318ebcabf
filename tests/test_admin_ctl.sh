#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# The administration model through the real onboardctl against a real
# onboardd: host groups and seat pools (a full pool refuses), roles,
# permissions and links, modify, the user bank (delete, bank list,
# restore, purge with and without --yes), the audit log, access codes in
# bulk to files, and CSV import (a good file, a file with errors, ';',
# a BOM, quoted fields with commas and line breaks, invitations, and
# 10,000 rows, timed).

srcdir_tests=${top_srcdir:+$top_srcdir/tests}
. "${srcdir_tests:-$(dirname "$0")}/lib.sh"

if [ "$(id -u)" -ne 0 ]; then
	ob_skip administration_through_onboardctl \
		"needs root: every administrative call is refused to other users"
	exit 77
fi

ob_setup
ob_start_daemon

# ----------------------------------------------------------- helpers

# check NAME WHY CMD...: CMD (a test of the last output) decides.
check() {
	name=$1
	why=$2
	shift 2
	if "$@"; then
		ob_pass "$name"
	else
		ob_fail "$name" "$why"
		ob_show_output
	fi
}

# A python expression over the JSON document on the last stdout, "d";
# prints what it evaluates to.
jq_py() {
	python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
print(eval(sys.argv[2]))
' "$OB_OUT" "$1" 2>&1
}

# The JSON of "user show USERNAME", evaluated with jq_py (p is the person).
person_is() {
	ob_run ob_ctl --json user show "$1"
	[ "$OB_RC" -eq 0 ] && [ "$(jq_py "(lambda p: $2)(d['person'])")" = True ]
}

# The people and codes now, to show that a refused command changed nothing.
snapshot() {
	ob_snapshot "$OB_DIR/$1" || {
		ob_say "ERROR: cannot list the people and codes"
		exit 99
	}
}
unchanged_since() {
	snapshot now
	cmp -s "$OB_DIR/$1" "$OB_DIR/now"
}

mode_of() {
	stat -c %a "$1"
}

# ------------------------------------------------------ groups and pools

expect_stdout_contains group_add_says_what_was_added \
	"added host group ops in organisation default" ob_ctl group add ops
expect_ok group_add_second_group ob_ctl group add lab
expect_stdout_contains group_add_in_another_organisation "in organisation acme" \
	ob_ctl group add web --org acme
expect_refused group_add_twice_is_refused 1 "group ops already exists" ob_ctl group add ops
# A person's own Unix group has their name (the userdb socket): a host
# group may not take a person's name, nor a person a host group's.
expect_ok user_add_before_the_group ob_ctl user add nina --first-name Nina --last-name Berg
expect_refused group_add_refuses_a_persons_name 1 \
	"nina is a person's name: their own Unix group has it" ob_ctl group add nina
expect_refused user_add_refuses_a_groups_name 1 \
	"lab is the name of a host group: a person's own Unix group has their name" \
	ob_ctl user add lab --first-name Lab --last-name Rat
expect_refused pool_add_needs_seats 2 "--seats N is required" ob_ctl pool add office
expect_refused pool_add_refuses_zero_seats 2 "is not a number of seats" \
	ob_ctl pool add office --seats 0
expect_refused pool_add_refuses_seats_that_are_not_a_number 2 "is not a number of seats" \
	ob_ctl pool add office --seats two
expect_stdout_contains pool_add_says_what_was_added \
	"added seat pool office in organisation default" ob_ctl pool add office --seats 2
expect_stdout_matches group_list_shows_each_group "^ops +default +0 " ob_ctl group list
expect_json group_list_json_is_one_document ob_ctl --json group list
check group_list_json_holds_every_group "expected lab, ops and web" \
	test "$(jq_py "sorted(g['name'] for g in d['groups'])")" = "['lab', 'ops', 'web']"

# ----------------------------------------- people with roles, groups, pools

expect_stdout_contains user_add_with_role_group_and_pool "technician" \
	ob_ctl user add alice --first-name Alice --last-name Liddell --role technician \
	--group ops --pool office
check user_add_stores_role_group_and_pool "expected role technician, groups [ops], pools [office]" \
	person_is alice "p['role'] == 'technician' and p['groups'] == ['ops'] and p['pools'] == ['office']"
expect_ok user_add_with_two_groups \
	ob_ctl user add tom --first-name Tom --last-name Berg --email tom@example.org \
	--role technician --group ops --group lab
check user_add_keeps_every_repeated_group "expected tom in both ops and lab" \
	person_is tom "sorted(p['groups']) == ['lab', 'ops']"
expect_ok user_add_with_permissions \
	ob_ctl user add dora --first-name Dora --last-name Ek --permissions codes,audit
check user_add_stores_permissions "expected permissions codes and audit" \
	person_is dora "sorted(p['permissions']) == ['audit', 'codes']"
expect_refused user_add_assistant_needs_link 1 "role assistant needs --link" \
	ob_ctl user add dave --first-name Dave --last-name Dahl --role assistant
expect_refused user_add_refuses_unknown_role 1 "unknown role" \
	ob_ctl user add dave --first-name Dave --last-name Dahl --role boss
expect_refused user_add_refuses_group_of_other_organisation 1 "no such group in organisation default: web" \
	ob_ctl user add dave --first-name Dave --last-name Dahl --group web
expect_ok user_add_assistant_with_link \
	ob_ctl user add dave --first-name Dave --last-name Dahl --role assistant --link alice
check user_add_stores_link "expected dave linked to alice" person_is dave "p['link'] == 'alice'"
expect_ok user_add_takes_the_last_seat \
	ob_ctl user add ben --first-name Ben --last-name Smith --pool office
expect_refused user_add_to_full_pool_is_refused 1 "pool office has no free seat" \
	ob_ctl user add carol --first-name Carol --last-name Jones --pool office
expect_stdout_matches pool_list_shows_used_and_total "^office +default +2/2 full " ob_ctl pool list
expect_json pool_list_json_is_one_document ob_ctl --json pool list
check pool_list_json_has_seats "expected office with 2 of 2 seats used" \
	test "$(jq_py "[(p['name'], p['used'], p['seats']) for p in d['pools']]")" = "[('office', 2, 2)]"
expect_refused pool_assign_to_full_pool_is_refused 1 "no free seat" \
	ob_ctl pool assign dora office
expect_stdout_contains pool_unassign_frees_the_seat "took ben out of pool office" \
	ob_ctl pool unassign ben office
expect_stdout_matches pool_list_after_unassign "^office +default +1/2 " ob_ctl pool list
expect_stdout_contains pool_assign_takes_the_free_seat "gave dora a seat in pool office" \
	ob_ctl pool assign dora office
check pool_assign_shows_in_person "expected dora in pool office" \
	person_is dora "p['pools'] == ['office']"
expect_stdout_contains group_assign_puts_person_in_group "assigned ben to host group lab" \
	ob_ctl group assign ben lab
check group_assign_shows_in_person "expected ben in group lab" person_is ben "p['groups'] == ['lab']"
expect_stdout_matches group_list_counts_members "^lab +default +2 " ob_ctl group list
expect_stdout_contains group_unassign_takes_person_out "took ben out of host group lab" \
	ob_ctl group unassign ben lab
check group_unassign_shows_in_person "expected ben in no group" person_is ben "p['groups'] == []"
expect_refused group_assign_unknown_group_is_refused 1 "no such group" \
	ob_ctl group assign ben nogroup
expect_refused group_assign_needs_group 2 "group assign: GROUP is missing" \
	ob_ctl group assign ben
expect_stdout_contains user_show_names_groups_and_pools "seat pools         office" \
	ob_ctl user show alice

# ------------------------------------------------------------- modify

expect_ok user_modify_changes_given_fields \
	ob_ctl user modify ben --email ben@example.org --phone "+46 70 765 43 21" --first-name Robert
check user_modify_stores_new_values "expected Robert, ben@example.org, +46707654321" \
	person_is ben "(p['first_name'], p['email'], p['phone'], p['last_name']) == ('Robert', 'ben@example.org', '+46707654321', 'Smith')"
# A modify reply does not carry the access code: it must not say "none"
# for a person who has one (issue 9).
ob_ctl code issue ben >/dev/null
ob_run ob_ctl user modify ben --last-name Smith
check user_modify_does_not_deny_the_access_code "expected no 'access code none' line" \
	sh -c '[ "$1" -eq 0 ] && ! grep -q "^access code *none" "$2"' - "$OB_RC" "$OB_OUT"
expect_stdout_matches user_show_still_tells_the_access_code '^access code +active' \
	ob_ctl user show ben
expect_ok user_modify_empty_email_clears_it ob_ctl user modify ben --email ""
check user_modify_cleared_email "expected no e-mail" person_is ben "p.get('email') in (None, '')"
expect_ok user_modify_permissions ob_ctl user modify dora --permissions invites
check user_modify_replaces_permissions "expected permissions [invites]" \
	person_is dora "p['permissions'] == ['invites']"
expect_refused user_modify_refuses_bad_email 1 "e-mail address is not valid" \
	ob_ctl user modify ben --email not-an-address
expect_refused user_modify_without_changes_is_usage_error 2 "nothing to change" \
	ob_ctl user modify ben
expect_refused user_modify_unknown_person 1 "no such person: nobody" \
	ob_ctl user modify nobody --first-name X

# ------------------------------------------------------------ user bank

ob_run ob_ctl user delete alice
if [ "$OB_RC" -eq 1 ] && grep -q "linked" "$OB_ERR" && grep -q "dave" "$OB_ERR" &&
	[ ! -s "$OB_OUT" ] && person_is alice "p['state'] != 'disabled'"; then
	ob_pass user_delete_refuses_person_others_are_linked_to_and_names_them
else
	ob_fail user_delete_refuses_person_others_are_linked_to_and_names_them \
		"expected exit 1 naming dave, and alice still there"
	ob_show_output
fi
expect_stdout_contains user_delete_moves_to_bank "moved ben to the user bank" \
	ob_ctl user delete ben
expect_ok user_list_after_delete ob_ctl user list
check user_list_leaves_out_the_bank "expected ben not in user list" \
	sh -c "! grep -q '^ben ' '$OB_OUT'"
expect_stdout_matches bank_list_shows_deleted_person "^ben +default " ob_ctl bank list
expect_stdout_matches bank_list_search_finds_by_name "^ben " ob_ctl bank list --search SMITH
expect_stdout_contains bank_list_search_without_match "nobody in the user bank" \
	ob_ctl bank list --search nomatch
expect_json bank_list_json_is_one_document ob_ctl --json bank list
check bank_list_json_has_bob "expected only ben, with a deletion time" \
	test "$(jq_py "[(p['username'], 'deleted' in p) for p in d['people']]")" = "[('ben', True)]"
expect_refused user_add_of_banked_username_says_how_to_restore 1 "onboardctl user restore ben" \
	ob_ctl user add ben --first-name Ben --last-name Other
expect_stdout_contains user_restore_brings_back "restored ben from the user bank" \
	ob_ctl user restore ben
expect_stdout_contains bank_is_empty_after_restore "nobody in the user bank" ob_ctl bank list
expect_refused user_restore_of_person_not_in_bank 1 "is not in the user bank" \
	ob_ctl user restore ben
expect_refused user_purge_of_person_not_in_bank 1 "delete them first" \
	ob_ctl user purge ben --yes
expect_ok user_delete_again ob_ctl user delete ben
snapshot before_purge
ob_run ob_ctl user purge ben </dev/null
if [ "$OB_RC" -eq 2 ] && grep -q "not a terminal: give --yes" "$OB_ERR" && [ ! -s "$OB_OUT" ] &&
	unchanged_since before_purge; then
	ob_pass user_purge_without_yes_and_no_terminal_is_refused
else
	ob_fail user_purge_without_yes_and_no_terminal_is_refused \
		"expected exit 2 asking for --yes, and ben still in the bank"
	ob_show_output
fi
expect_stdout_matches bank_still_holds_bob "^ben " ob_ctl bank list
if command -v script >/dev/null 2>&1; then
	# script(1) gives onboardctl a terminal; the answer comes on it.
	ob_run sh -c "printf 'n\\n' | script -qec '$ONBOARDCTL --socket $OB_SOCKET user purge ben' /dev/null"
	if [ "$OB_RC" -eq 1 ] && grep -q "Purge ben for good? \[y/N\]" "$OB_OUT" &&
		grep -q "ben was not purged" "$OB_OUT"; then
		ob_pass user_purge_on_terminal_asks_and_no_keeps
	else
		ob_fail user_purge_on_terminal_asks_and_no_keeps \
			"expected the question, and 'not purged' after n"
		ob_show_output
	fi
	expect_stdout_matches bank_still_holds_bob_after_no "^ben " ob_ctl bank list
	ob_run sh -c "printf 'y\\n' | script -qec '$ONBOARDCTL --socket $OB_SOCKET user purge ben' /dev/null"
	if [ "$OB_RC" -eq 0 ] && grep -q "purged ben for good" "$OB_OUT"; then
		ob_pass user_purge_on_terminal_yes_purges
	else
		ob_fail user_purge_on_terminal_yes_purges "expected ben purged after y"
		ob_show_output
	fi
else
	ob_skip user_purge_on_terminal "script(1) not found (util-linux)"
	expect_stdout_contains user_purge_with_yes_purges "purged ben for good" \
		ob_ctl user purge ben --yes
fi
expect_refused purged_person_is_gone 1 "no such person: ben" ob_ctl user show ben
expect_ok purged_username_is_free ob_ctl user add ben --first-name Ben --last-name New
expect_ok user_delete_for_purge_with_yes ob_ctl user delete ben
expect_stdout_contains user_purge_with_yes_purges "purged ben for good" \
	ob_ctl user purge ben --yes
expect_stdout_contains user_delete_with_force_despite_link "moved alice to the user bank" \
	ob_ctl user delete alice --force
expect_ok user_restore_alice ob_ctl user restore alice

# -------------------------------------------------------------- audit

# 250 more events on one connection: the log is longer than a page (200).
python3 -c '
import json
for i in range(250):
    print(json.dumps({"method": "io.onboard.Admin.UserShow", "parameters": {"username": "dora"}}))
' | ob_varlink >/dev/null 2>"$OB_ERR"
expect_ok audit_lists_events ob_ctl audit
check audit_shows_one_line_per_event_with_header "expected the header and user.add of alice by uid 0" \
	sh -c "head -n 1 '$OB_OUT' | grep -q '^TIME (UTC) ' &&
		grep -E -q '^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9:]{8} +user.add +ok +alice +uid 0 ' '$OB_OUT'"
text_events=$(($(wc -l <"$OB_OUT") - 1))
expect_json audit_json_is_one_document ob_ctl --json audit
# The listing itself may be audited: the second one may show one more.
check audit_pages_through_every_event "expected at least the $text_events events of the text, over 250, each once in order" \
	test "$(jq_py "len(d['events']) >= $text_events and len(d['events']) > 250 and [e['id'] for e in d['events']] == sorted(set(e['id'] for e in d['events']))")" = True
first_utc=$(jq_py "__import__('datetime').datetime.fromtimestamp(d['events'][0]['time'], __import__('datetime').timezone.utc).strftime('%Y-%m-%d %H:%M:%S')")
ob_run env TZ=Pacific/Kiritimati "$ONBOARDCTL" --socket "$OB_SOCKET" audit
check audit_times_are_utc "expected the first event at $first_utc, whatever TZ says" \
	sh -c "sed -n 2p '$OB_OUT' | grep -q '^$first_utc '"
expect_stdout_matches audit_for_one_user " user.delete +ok +ben " ob_ctl audit --user ben
expect_json audit_for_one_user_json ob_ctl --json audit --user ben
check audit_user_filter_keeps_that_person "expected only events about or by ben" \
	test "$(jq_py "len(d['events']) > 3 and all('ben' in (e.get('subject'), e.get('actor')) for e in d['events'])")" = True
expect_stdout_contains audit_since_the_future_is_empty "no events" \
	ob_ctl audit --since 2099-01-01
expect_stdout_contains audit_since_a_duration "user.show" ob_ctl audit --since 1h
expect_stdout_contains audit_since_seconds "user.show" ob_ctl audit --since 0
expect_stdout_contains audit_since_date_time "no events" \
	ob_ctl audit --since 2099-01-01T00:00:00
expect_refused audit_since_impossible_date_is_usage_error 2 "is not a time" \
	ob_ctl audit --since 2025-02-30
expect_refused audit_since_garbage_is_usage_error 2 "is not a time" \
	ob_ctl audit --since yesterday

# ---------------------------------------------------------- bulk codes

codes=$OB_DIR/codes.csv
expect_refused code_issue_bulk_needs_output 2 "--output FILE is required" \
	ob_ctl code issue --all-without-email
expect_refused code_issue_bulk_takes_no_username 2 "not both" \
	ob_ctl code issue alice --all-without-email --output "$codes"
# Who has no e-mail address (and is not in the bank): they get codes.
ob_run ob_ctl --json user list
no_email=$(jq_py "' '.join(sorted(p['username'] for p in d['people'] if not p.get('email')))")
no_email_n=$(echo "$no_email" | wc -w)
ob_run ob_ctl code issue --all-without-email --output "$codes"
check code_issue_bulk_says_how_many "expected 'issued $no_email_n access codes: $codes, $OB_DIR/codes.txt'" \
	test "$OB_RC" -eq 0 -a "$(cat "$OB_OUT")" = "issued $no_email_n access codes: $codes, $OB_DIR/codes.txt"
# One line of log for the call, not one per code (the codes' audit events
# are in the store, written with them).
check code_issue_bulk_logs_one_summary_line "expected one 'issued $no_email_n access codes in bulk' line and no per-person line" \
	test "$(grep -c "issued $no_email_n access codes in bulk" "$OB_LOG")" = 1 \
	-a "$(grep -c 'audit: code.issue of .* in bulk' "$OB_LOG")" = 0
ob_run ob_ctl --json audit
check code_issue_bulk_audits_every_code "expected $no_email_n code.issue events in bulk" \
	test "$(jq_py "len([e for e in d['events'] if e.get('event') == 'code.issue' and e.get('detail') == 'in bulk'])")" = "$no_email_n"
check code_issue_bulk_files_are_0600 "expected mode 600 for both files" \
	test "$(mode_of "$codes") $(mode_of "$OB_DIR/codes.txt")" = "600 600"
csv_check=$(python3 -c '
import csv, re, sys
rows = list(csv.reader(open(sys.argv[1], newline="")))
ok = rows[0] == ["username", "first_name", "last_name", "code", "expires"]
ok = ok and " ".join(r[0] for r in rows[1:]) == sys.argv[2]
ok = ok and all(re.fullmatch(r"[A-Z]{4}(-[A-Z]{4}){3}", r[3]) for r in rows[1:])
ok = ok and all(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", r[4]) for r in rows[1:])
sheet = open(sys.argv[3]).read()
ok = ok and all(("Username:         %s\n" % r[0]) in sheet and ("Access code:      %s\n" % r[3]) in sheet
                for r in rows[1:])
ok = ok and sheet.count("Access code:") == len(rows) - 1
print("ok" if ok else rows)
' "$codes" "$no_email" "$OB_DIR/codes.txt" 2>&1)
check code_issue_bulk_csv_and_sheet_hold_every_code "expected a CSV row and a sheet block for: $no_email; got $csv_check" \
	test "$csv_check" = ok
first_code=$(sed -n 2p "$codes" | cut -d, -f4)
check code_issue_bulk_never_prints_a_code "a code was on stdout or in onboardd's log" \
	sh -c "! grep -q '$first_code' '$OB_OUT' '$OB_ERR' '$OB_LOG'"
expect_stdout_matches code_issue_bulk_codes_are_active "^alice +active " ob_ctl code list
expect_refused code_issue_bulk_refuses_to_overwrite 1 "exists already" \
	ob_ctl code issue --all-without-email --output "$codes"
: >"$OB_DIR/sheetonly.txt"
expect_refused code_issue_bulk_refuses_when_sheet_exists 1 "sheetonly.txt exists already" \
	ob_ctl code issue --all-without-email --output "$OB_DIR/sheetonly.csv"
check code_issue_bulk_leaves_nothing_after_refusal "expected no sheetonly.csv" \
	test ! -e "$OB_DIR/sheetonly.csv"
ln -s "$OB_DIR/target" "$OB_DIR/link.csv"
expect_refused code_issue_bulk_refuses_symlink 1 "exists already" \
	ob_ctl code issue --all-without-email --output "$OB_DIR/link.csv"
check code_issue_bulk_did_not_follow_symlink "expected no file at the link's target" \
	test ! -e "$OB_DIR/target"
expect_ok user_add_in_acme ob_ctl user add olga --first-name Olga --last-name Berg --org acme
expect_json code_issue_bulk_for_one_organisation \
	ob_ctl --json code issue --all-without-email --org acme --lifetime 7d --output "$OB_DIR/acme"
check code_issue_bulk_json_summary "expected 1 code, in acme and acme.txt" \
	test "$(jq_py "(d['issued'], d['output'], d['sheet'])")" = "(1, '$OB_DIR/acme', '$OB_DIR/acme.txt')"
check code_issue_bulk_org_limits_people "expected only olga in the acme file" \
	test "$(cut -d, -f1 "$OB_DIR/acme" | tr '\n' ' ')" = "username olga "
# A name a spreadsheet would take for a formula is written as text.
expect_ok user_add_formula_name ob_ctl user add fred --first-name =cmd --last-name Fors --org formula
expect_ok code_issue_bulk_for_formula_name \
	ob_ctl code issue --all-without-email --org formula --output "$OB_DIR/formula.csv"
check code_issue_bulk_quotes_formula_names "expected the first name written as \"'=cmd\"" \
	grep -q "^fred,\"'=cmd\",Fors," "$OB_DIR/formula.csv"

# ---------------------------------------------------------- CSV import

# A good file: names from the header in other spellings, quoted fields
# with the delimiter and doubled quotes, lists of groups.
cat >"$OB_DIR/good.csv" <<'EOF'
Username,First Name,lastname,E-mail,mobile,groups,pools,role,link
erin,Erin,"Ek, Jr.",erin@example.org,+46 70 100 00 01,"ops|lab",,technician,
frank,"Frank ""Frankie""",Fors,,,,,,
gina,Gina,Gren,gina@example.org,,ops lab,,assistant,frank
EOF
ob_run ob_ctl user import "$OB_DIR/good.csv"
check import_good_file "expected 'imported 3 people from $OB_DIR/good.csv'" \
	test "$OB_RC" -eq 0 -a "$(cat "$OB_OUT")" = "imported 3 people from $OB_DIR/good.csv"
check import_keeps_quoted_comma "expected erin's last name 'Ek, Jr.' and groups lab, ops" \
	person_is erin "p['last_name'] == 'Ek, Jr.' and sorted(p['groups']) == ['lab', 'ops'] and p['phone'] == '+46701000001' and p['role'] == 'technician'"
check import_keeps_doubled_quotes "expected frank's first name 'Frank \"Frankie\"'" \
	person_is frank "p['first_name'] == 'Frank \"Frankie\"'"
check import_reads_links "expected gina linked to frank" person_is gina "p['link'] == 'frank'"

# A value in a column whose header is blank (even quoted blanks) is an
# error, not something quietly left out.
printf 'username,first_name,last_name," "\npia,Pia,Pe,secret-value\n' >"$OB_DIR/blank.csv"
ob_run ob_ctl user import "$OB_DIR/blank.csv"
check import_value_under_blank_header_is_refused "expected exit 1 and the column named" \
	sh -c "[ $OB_RC -eq 1 ] && grep -q 'blank.csv:2: column 4 holds a value but has no name' '$OB_ERR'"
expect_fail_with import_refused_file_adds_nobody 1 "no such person: pia" ob_ctl user show pia

# On a terminal, a progress bar on stderr shows the rows sent.
if command -v script >/dev/null 2>&1; then
	printf 'username,first_name,last_name\nbar1,Bar,One\nbar2,Bar,Two\n' >"$OB_DIR/bar.csv"
	ob_run script -qec "$ONBOARDCTL --socket $OB_SOCKET user import $OB_DIR/bar.csv" /dev/null
	check import_shows_progress_bar_on_terminal "expected 'importing [###...] 2/2' and the summary" \
		sh -c "grep -q 'importing \[#*\] 2/2' '$OB_OUT' && grep -q 'imported 2 people' '$OB_OUT'"
else
	ob_skip import_shows_progress_bar_on_terminal "script (util-linux) is not installed"
fi

# ';' as spreadsheets in Swedish write it, with a BOM and CRLF.
printf '\357\273\277username;first_name;last_name;email\r\nasa;\303\205sa;\303\226berg;asa@example.org\r\nbo;Bo;"Lund; Sr.";\r\n' \
	>"$OB_DIR/semicolon.csv"
expect_stdout_contains import_semicolon_bom_crlf "imported 2 people" \
	ob_ctl user import "$OB_DIR/semicolon.csv"
asa_and_bo() {
	person_is asa "p['first_name'] == 'Åsa' and p['last_name'] == 'Öberg'" &&
		person_is bo "p['last_name'] == 'Lund; Sr.'"
}
check import_semicolon_file_reads_utf8_names "expected Åsa Öberg and bo's last name 'Lund; Sr.'" \
	asa_and_bo

# A file with errors: nothing imported, every failure reported with its
# row and column.  The record on line 3 spans lines 3 and 4 (a line break
# in quotes), so the rows after it start a line later.
cat >"$OB_DIR/errors.csv" <<'EOF'
username,first_name,last_name,email,groups
hugo,Hugo,Holm,hugo@example.org,ops
ida,"Ida
Marie",Ing,,
Bad,Jon,Jung,,
hugo,Hugo,Again,HUGO@example.org,
kim,Kim,,kim@,nogroup
alice,Alice,Again,,
EOF
snapshot before_errors
ob_run ob_ctl user import "$OB_DIR/errors.csv"
f=$OB_DIR/errors.csv
report_check=$(for want in "$f:3: first_name: " "$f:5: username: " "$f:6: username: hugo is also on row 2" \
	"$f:6: email: " "$f:7: last_name: is required" "$f:7: email: " "$f:7: groups: no such group" \
	"$f:8: username: username alice is already registered"; do
	grep -F -q -e "$want" "$OB_ERR" || echo "missing '$want'"
done)
check import_with_errors_reports_every_failure_with_row_and_column "$report_check" \
	test -z "$report_check" -a "$OB_RC" -eq 1
check import_with_errors_says_nothing_imported "expected 'refused: 5 rows have errors, nothing imported'" \
	test "$(cat "$OB_OUT")" = "refused: 5 rows have errors, nothing imported"
check import_with_errors_changes_nothing "the refused import changed the people or codes" \
	unchanged_since before_errors
check import_refused_leaves_good_row_out "expected no hugo" sh -c "! $ONBOARDCTL --socket $OB_SOCKET user show hugo >/dev/null 2>&1"

# More failures than one page holds (100): every one is reported.
python3 -c '
print("username,first_name,last_name")
for i in range(150):
    print("Bad%03d,First,Last" % i)
' >"$OB_DIR/many_errors.csv"
ob_run ob_ctl user import "$OB_DIR/many_errors.csv"
check import_reports_failures_of_every_page "expected 150 lines, rows 2 to 151" \
	test "$OB_RC" -eq 1 -a "$(grep -c ': username: ' "$OB_ERR")" -eq 150 -a \
	"$(grep -c "^$OB_DIR/many_errors.csv:151: username: " "$OB_ERR")" -eq 1

# What the client finds itself: nothing is sent.
printf 'username,first_name,surname\nlena,Lena,Lind\n' >"$OB_DIR/unknown_column.csv"
snapshot before_client_checks
ob_run ob_ctl user import "$OB_DIR/unknown_column.csv"
check import_unknown_column_is_refused_before_sending "expected the unknown column, the missing last_name, exit 1" \
	sh -c "[ $OB_RC -eq 1 ] && grep -q \"unknown_column.csv:1: unknown column 'surname'\" '$OB_ERR' &&
		grep -q \"the column 'last_name' is missing\" '$OB_ERR' && [ ! -s '$OB_OUT' ]"
printf 'username,first_name,last_name\nlena,Lena,Lind,extra\n' >"$OB_DIR/too_many.csv"
ob_run ob_ctl user import "$OB_DIR/too_many.csv"
check import_row_with_too_many_fields_is_refused "expected too_many.csv:2: more fields" \
	sh -c "[ $OB_RC -eq 1 ] && grep -q 'too_many.csv:2: more fields than the header' '$OB_ERR'"
printf 'username,first_name,last_name\nlena,"Lena,Lind\n' >"$OB_DIR/open_quote.csv"
ob_run ob_ctl user import "$OB_DIR/open_quote.csv"
check import_unclosed_quote_is_refused "expected open_quote.csv:2: not closed" \
	sh -c "[ $OB_RC -eq 1 ] && grep -q 'open_quote.csv:2: a quoted field is not closed' '$OB_ERR'"
printf 'username,first_name,last_name\nlena,L\351na,Lind\n' >"$OB_DIR/latin1.csv"
ob_run ob_ctl user import "$OB_DIR/latin1.csv"
check import_latin1_is_refused "expected latin1.csv:2: not valid UTF-8" \
	sh -c "[ $OB_RC -eq 1 ] && grep -q 'latin1.csv:2: not valid UTF-8' '$OB_ERR'"
ob_run ob_ctl user import "$OB_DIR/no_such_file.csv"
check import_missing_file_is_refused "expected 'No such file'" \
	sh -c "[ $OB_RC -eq 1 ] && grep -q 'no_such_file.csv: No such file or directory' '$OB_ERR'"
check client_refusals_send_nothing "a refused file changed the people" unchanged_since before_client_checks

# Dry run: every check, nothing written.
printf 'username,first_name,last_name\nlena,Lena,Lind\nmats,Mats,Mo\n' >"$OB_DIR/dry.csv"
expect_stdout_contains import_dry_run_checks_and_writes_nothing \
	"dry run: 2 rows checked, nothing imported" ob_ctl user import "$OB_DIR/dry.csv" --dry-run
check import_dry_run_added_nobody "expected no lena" sh -c "! $ONBOARDCTL --socket $OB_SOCKET user show lena >/dev/null 2>&1"

# Invitations: the codes go to files, like bulk codes.
expect_refused import_invite_needs_output 2 "--output FILE is required" \
	ob_ctl user import "$OB_DIR/dry.csv" --invite
expect_refused import_output_needs_invite 2 "--output goes with --invite" \
	ob_ctl user import "$OB_DIR/dry.csv" --output "$OB_DIR/x.csv"
: >"$OB_DIR/taken.csv"
expect_refused import_invite_refuses_existing_output 1 "exists already" \
	ob_ctl user import "$OB_DIR/dry.csv" --invite --output "$OB_DIR/taken.csv"
ln -s "$OB_DIR/invite-target" "$OB_DIR/invite-link.csv"
expect_refused import_invite_refuses_symlink 1 "exists already" \
	ob_ctl user import "$OB_DIR/dry.csv" --invite --output "$OB_DIR/invite-link.csv"
check import_invite_did_not_follow_symlink "expected no file at the link's target, no sheet" \
	test ! -e "$OB_DIR/invite-target" -a ! -e "$OB_DIR/invite-link.txt"
ob_run ob_ctl user import "$OB_DIR/dry.csv" --invite --output "$OB_DIR/invitations.csv"
check import_invite_says_where_codes_are "expected the summary naming both files" \
	test "$OB_RC" -eq 0 -a "$(cat "$OB_OUT")" = "imported 2 people from $OB_DIR/dry.csv; invitation codes: $OB_DIR/invitations.csv, $OB_DIR/invitations.txt"
check import_invite_files_are_0600_with_both_codes "expected lena and mats with codes, mode 600" \
	sh -c "[ \"\$(stat -c %a '$OB_DIR/invitations.csv' '$OB_DIR/invitations.txt' | tr '\n' ' ')\" = '600 600 ' ] &&
		grep -E -q '^lena,Lena,Lind,[A-Z]{4}(-[A-Z]{4}){3},' '$OB_DIR/invitations.csv' &&
		grep -E -q '^mats,Mats,Mo,[A-Z]{4}(-[A-Z]{4}){3},' '$OB_DIR/invitations.csv' &&
		[ \$(grep -c 'Invitation code:' '$OB_DIR/invitations.txt') -eq 2 ]"
expect_stdout_matches import_invite_invitations_are_pending "^lena +pending " ob_ctl invite list

# --json: one document with the whole outcome.
printf 'username,first_name,last_name\nnils,Nils,Nord\nBad,X,Y\n' >"$OB_DIR/json.csv"
ob_run ob_ctl --json user import "$OB_DIR/json.csv"
check import_json_is_one_document_with_failures "expected one failure on row 3, nothing imported" \
	test "$OB_RC" -eq 1 -a "$(jq_py "(d['imported'], d['failures_total'], d['failures'][0]['row'], d['failures'][0]['column'])")" = "(0, 1, 3, 'username')"

# 10,000 rows in one go, timed.
python3 -c '
print("username,first_name,last_name,email,phone")
for i in range(10000):
    print("bulk%05d,First%d,\"Last, %d\",bulk%05d@example.org,+4670%07d" % (i, i, i, i, i))
' >"$OB_DIR/big.csv"
start=$(date +%s.%N)
ob_run ob_ctl user import "$OB_DIR/big.csv"
end=$(date +%s.%N)
elapsed=$(python3 -c "import sys; print('%.2f' % (float(sys.argv[2]) - float(sys.argv[1])))" "$start" "$end")
ob_say "# user import of 10000 rows took $elapsed s"
check import_10000_rows "expected 'imported 10000 people from $OB_DIR/big.csv'" \
	test "$OB_RC" -eq 0 -a "$(cat "$OB_OUT")" = "imported 10000 people from $OB_DIR/big.csv"
ob_run ob_ctl --json user list
check import_10000_rows_are_all_there "expected 10000 bulk people with their fields" \
	test "$(jq_py "sum(1 for p in d['people'] if p['username'].startswith('bulk') and p['last_name'] == 'Last, ' + str(int(p['username'][4:])))")" = 10000
# Again: every row fails twice (username and e-mail taken), 20,000
# failures in 200 pages, each reported.
ob_run ob_ctl user import "$OB_DIR/big.csv"
check import_of_the_same_file_again_reports_20000_failures "expected exit 1, the summary and 20000 lines" \
	test "$OB_RC" -eq 1 -a "$(cat "$OB_OUT")" = "refused: 10000 rows have errors, nothing imported" -a \
	"$(wc -l <"$OB_ERR")" -eq 20000

# Kiosk sources: an unknown one has nothing to lift; a malformed one is
# refused.
expect_stdout_contains source_unlock_says_nothing_was_locked \
	"rhost=192.0.2.1 was not locked: cleared 0 wrong codes" ob_ctl source unlock rhost=192.0.2.1
expect_fail_with source_unlock_needs_kind_and_value 1 "rhost=HOST, tty=TTY or service=NAME" \
	ob_ctl source unlock host=192.0.2.1

ob_stop_daemon
ob_summary || exit 1
