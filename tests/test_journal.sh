#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Audit events are structured journal entries: a MESSAGE_ID per kind of
# event (daemon/rules/audit_events.c), described in catalog/onboard.catalog
# for journalctl -x, with ONBOARD_* fields and never a secret; on a file
# or a terminal the log is plain lines without priority prefixes.
#
# Where no journald runs (CI), a stand-in binds the journal's native
# socket (/run/systemd/journal/socket) for the length of the test and
# records what onboardd sends there; it is removed afterwards.  Where a
# journald runs, that part is skipped: the test never takes its socket.
srcdir_tests=${top_srcdir:+$top_srcdir/tests}
. "${srcdir_tests:-$(dirname "$0")}/lib.sh"
top=${top_srcdir:-$(dirname "$0")/..}
py=/usr/bin/python3
[ -x "$py" ] || py=python3

ob_setup

# ------------------------------------------------ the table and the catalog
table=$top/daemon/rules/audit_events.c
catalog=$top/catalog/onboard.catalog
ids_table=$(grep -oE '"[0-9a-f]{32}"' "$table" | tr -d '"' | sort)
ids_catalog=$(sed -n 's/^-- \([0-9a-f]\{32\}\)$/\1/p' "$catalog" | sort)
if [ -n "$ids_table" ] && [ "$ids_table" = "$ids_catalog" ] &&
	[ "$(echo "$ids_table" | uniq | wc -l)" -eq "$(echo "$ids_table" | wc -l)" ]; then
	ob_pass every_message_id_is_in_the_catalog_once
else
	ob_fail every_message_id_is_in_the_catalog_once "the IDs of $table and $catalog differ or repeat"
fi
# Every event name the daemon records has its own MESSAGE_ID.
missing=
for ev in $(grep -rhoE '"(account|admin|audit|bank|code|group|invite|kiosk|login|mfa|pool|source|user)\.[a-z_]+"' \
	"$top/daemon" | tr -d '"' | sort -u); do
	case $ev in *.h) continue ;; esac
	grep -q "{ \"$ev\"," "$table" || missing="$missing $ev"
done
for kind in group pool; do
	for op in assign unassign; do
		grep -q "{ \"$kind.$op\"," "$table" || missing="$missing $kind.$op"
	done
done
if [ -z "$missing" ]; then
	ob_pass every_event_has_a_message_id
else
	ob_fail every_event_has_a_message_id "no MESSAGE_ID for:$missing"
fi

# ------------------------------------------------ plain lines on a file
ob_start_daemon
ob_ctl user add plain --first-name Pia --last-name Lind >/dev/null 2>&1
if grep -q '^onboardd: ready on ' "$OB_LOG" && ! grep -q '^<[0-9]>' "$OB_LOG"; then
	ob_pass a_file_gets_plain_lines_without_priority_prefixes
else
	ob_fail a_file_gets_plain_lines_without_priority_prefixes "$(head -3 "$OB_LOG")"
fi
ob_stop_daemon

# ------------------------------------------------ systemctl status
# What systemd's notify socket hears (a stand-in in the test's directory):
# READY=1, then STATUS= lines with the people, the connections and the
# password checks, told again when they change (at most every 5 s).
notify=$OB_DIR/notify.sock
heard=$OB_DIR/notify.jsonl
"$py" "${srcdir_tests:-$(dirname "$0")}/journal_double.py" "$notify" "$heard" &
notify_pid=$!
ob_track_pid "$notify_pid"
i=0
while [ $i -lt 100 ] && ! grep -q ready "$heard" 2>/dev/null; do sleep 0.1; i=$((i + 1)); done
NOTIFY_SOCKET=$notify
export NOTIFY_SOCKET
ob_start_daemon
unset NOTIFY_SOCKET
ob_ctl user add st1 --first-name Sten --last-name Ek >/dev/null 2>&1
ob_ctl user add st2 --first-name Sara --last-name Ek >/dev/null 2>&1
i=0
[ "$(id -u)" -ne 0 ] || while [ $i -lt 150 ] && ! grep -q '"STATUS": "3 people;' "$heard"; do sleep 0.1; i=$((i + 1)); done
ob_stop_daemon
# Only root administers: another user hears the first status alone.
if [ "$(id -u)" -ne 0 ]; then
	first='"STATUS": "0 people; [0-9]+ connections? open; [0-9]+ password checks? waiting or running"'
	later='"READY": "1"'
else
	first='"STATUS": "1 person; [0-9]+ connections? open; [0-9]+ password checks? waiting or running"'
	later='"STATUS": "3 people; 0 connections open; 0 password checks waiting or running"'
fi
if grep -q '"READY": "1"' "$heard" && grep -qE "$first" "$heard" && grep -q "$later" "$heard"; then
	ob_pass systemctl_status_tells_people_connections_and_checks
else
	ob_fail systemctl_status_tells_people_connections_and_checks "heard: $(tr '\n' ' ' <"$heard")"
fi

# ------------------------------------------------ the journal's entries
sock=/run/systemd/journal/socket
if [ "$(id -u)" -ne 0 ]; then
	ob_skip journal_entries "needs root (a stand-in for journald's socket in /run)"
	ob_summary
	exit $?
fi
if [ -e "$sock" ]; then
	ob_skip journal_entries "a journald serves $sock here: this test does not take it over"
	ob_summary
	exit $?
fi
made_dirs=
for d in /run/systemd /run/systemd/journal; do
	if [ ! -d "$d" ]; then
		mkdir -m 0755 "$d" && made_dirs="$d $made_dirs"
	fi
done
entries=$OB_DIR/journal.jsonl
journal_cleanup() {
	[ -n "$double_pid" ] && kill "$double_pid" 2>/dev/null && wait "$double_pid" 2>/dev/null
	rm -f "$sock"
	for d in $made_dirs; do rmdir "$d" 2>/dev/null; done
}
trap 'journal_cleanup; ob_cleanup' EXIT
"$py" "${srcdir_tests:-$(dirname "$0")}/journal_double.py" "$sock" "$entries" &
double_pid=$!
i=0
while [ $i -lt 100 ] && ! grep -q ready "$entries" 2>/dev/null; do sleep 0.1; i=$((i + 1)); done

: >"$OB_LOG"
JOURNAL_STREAM=$(stat -c '%d:%i' "$OB_LOG")
export JOURNAL_STREAM
ob_start_daemon
unset JOURNAL_STREAM
ob_ctl user add jo --first-name Jo --last-name Berg >/dev/null 2>&1
code=$(ob_ctl code issue jo 2>/dev/null | grep -oE '[A-Z0-9]{4}(-[A-Z0-9]{4})+' | head -1)
# A wrong code at a login of jo over sshd from 192.0.2.9: login.failed.
"$py" -c '
import sys; sys.path.insert(0, sys.argv[2])
from ob_client import conn, call
s = conn(sys.argv[1], 10)
call(s, "io.onboard.Login.Start", {"phase": "auth", "user": "jo", "service": "sshd", "rhost": "192.0.2.9"})
call(s, "io.onboard.Login.Answer", {"answers": ["WRNG-WRNG-WRNG-WRNG"]})
' "$OB_SOCKET" "${srcdir_tests:-$(dirname "$0")}" >/dev/null 2>&1
sleep 0.5
ob_stop_daemon

if "$py" - "$entries" "$table" "$code" <<'PY'; then
import json, re, sys
entries = [json.loads(l) for l in open(sys.argv[1])][1:]
ids = dict(re.findall(r'\{ "([a-z._]+)", "([0-9a-f]{32})" \}', open(sys.argv[2]).read()))
code = sys.argv[3]
def find(event, user):
    return [e for e in entries if e.get("ONBOARD_EVENT") == event and e.get("ONBOARD_USER") == user]
bad = []
add = find("user.add", "jo")
if not add:
    bad.append("no user.add entry for jo")
else:
    e = add[0]
    want = {"MESSAGE_ID": ids["user.add"], "PRIORITY": "6", "SYSLOG_IDENTIFIER": "onboardd",
            "ONBOARD_RESULT": "ok", "ONBOARD_ACTOR": "uid 0"}
    for k, v in want.items():
        if e.get(k) != v:
            bad.append(f"user.add: {k} is {e.get(k)!r}, want {v!r}")
    if not e.get("ONBOARD_AUDIT_ID", "").isdigit():
        bad.append("user.add: no ONBOARD_AUDIT_ID")
issue = find("code.issue", "jo")
if not issue or issue[0].get("MESSAGE_ID") != ids["code.issue"]:
    bad.append("no code.issue entry with its MESSAGE_ID")
failed = find("login.failed", "jo")
if not failed:
    bad.append("no login.failed entry")
elif failed[0].get("ONBOARD_SERVICE") != "sshd" or failed[0].get("ONBOARD_RHOST") != "192.0.2.9":
    bad.append(f"login.failed: service/rhost {failed[0].get('ONBOARD_SERVICE')!r}/{failed[0].get('ONBOARD_RHOST')!r}")
if not any(e.get("MESSAGE", "").startswith("ready on") for e in entries):
    bad.append("the plain log lines (ready on ...) are not entries")
if not code:
    bad.append("no access code was issued")
else:
    plain = code.replace("-", "")
    for e in entries:
        for k, v in e.items():
            if code in v or plain in v.replace("-", ""):
                bad.append(f"the access code is in {k} of {e.get('MESSAGE')!r}")
for b in bad:
    print(b)
sys.exit(1 if bad else 0)
PY
	ob_pass audit_events_are_journal_entries_with_fields_and_no_secret
else
	ob_fail audit_events_are_journal_entries_with_fields_and_no_secret "see above"
fi
if [ ! -s "$OB_LOG" ] || ! grep -q '^<' "$OB_LOG"; then
	ob_pass with_a_journal_nothing_goes_to_the_stream
else
	ob_fail with_a_journal_nothing_goes_to_the_stream "$(head -3 "$OB_LOG")"
fi
ob_summary
