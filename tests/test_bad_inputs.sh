#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# The table of bad inputs (issue 16): one named row each, across the
# protocol (tests/bad_inputs.py), onboardctl's and onboardd's command
# lines, CSV files, the configuration and key files and the storage.
# Each row checks the clear one-line error it must get, and afterwards
# that the daemon still serves everyone else (GetInfo on a fresh
# connection and a real password login) and that nothing changed (the
# people and codes listed before and after).  The PAM conversation's rows
# are tests/test_pam_badconv.c.  tests/README lists the surfaces.

srcdir_tests=${top_srcdir:+$top_srcdir/tests}
. "${srcdir_tests:-$(dirname "$0")}/lib.sh"
py=/usr/bin/python3
[ -x "$py" ] || py=python3
if ! command -v "$py" >/dev/null 2>&1; then
	echo "SKIP: python3 is not installed"
	exit 77
fi
if [ "$(id -u)" -ne 0 ]; then
	# The rows run logins for another user and administer: uid 0 only.
	echo "SKIP: needs root (onboardd lets only uid 0 administer and log others in)"
	exit 77
fi
table="$py ${srcdir_tests:-$(dirname "$0")}/bad_inputs.py"

ob_setup
# mfa off: the health check's login is a password alone.
printf 'mfa = off\npassword_min_length = 15\n' >>"$OB_CONF"
ob_start_daemon
if ! $table "$OB_SOCKET" setup; then
	ob_fail table_setup "cannot add the people the rows use"
	ob_summary
	exit 1
fi

# ------------------------------------------------------------ protocol
$table "$OB_SOCKET" proto "$OB_DAEMON_PID" >"$OB_DIR/proto.out" 2>&1
while IFS= read -r line; do
	case $line in
	"ok - "*) ob_pass "${line#ok - }" ;;
	"FAIL - "*) rest=${line#FAIL - }; ob_fail "${rest%%:*}" "${rest#*: }" ;;
	*) ob_say "  $line" ;;
	esac
done <"$OB_DIR/proto.out"


# ---------------------------------------------------------- the checks
# Why the test daemon does not serve a newcomer (GetInfo, a real login),
# or nothing.
health_problem() {
	if ! kill -0 "$OB_DAEMON_PID" 2>/dev/null; then
		echo "onboardd is gone"
		return
	fi
	$table "$OB_SOCKET" health 2>&1
}

# row_end NAME PROBLEM: the people and codes are what they were before
# the row (row_begin), the daemon serves; pass or fail the row.
row_begin() {
	$table "$OB_SOCKET" snapshot >"$OB_DIR/before" 2>&1
}
row_end() {
	name=$1
	problem=$2
	if [ -z "$problem" ]; then
		$table "$OB_SOCKET" snapshot >"$OB_DIR/after" 2>&1
		cmp -s "$OB_DIR/before" "$OB_DIR/after" || problem="the people or codes changed"
	fi
	[ -z "$problem" ] && problem=$(health_problem)
	if [ -z "$problem" ]; then
		ob_pass "$name"
	else
		ob_fail "$name" "$problem"
		ob_show_output
	fi
}

# ctl_row NAME EXIT TEXT ARGS...: onboardctl ARGS exits EXIT with TEXT
# in its one-line reason (lib.sh: ob_failure_problem; a usage error adds
# the hint line), and changes nothing.
ctl_row() {
	name=$1 want_rc=$2 want_text=$3
	shift 3
	row_begin
	ob_run "$ONBOARDCTL" "$@"
	row_end "$name" "$(ob_failure_problem "$want_rc" "$want_text")"
}

# csv_row NAME TEXT FILE: importing FILE is refused (exit 1), the first
# line on stderr names the file and says TEXT, and nobody is added.
csv_row() {
	name=$1 want_text=$2 file=$3
	row_begin
	ob_run "$ONBOARDCTL" --socket "$OB_SOCKET" user import "$file"
	problem=
	if [ "$OB_RC" -ne 1 ]; then
		problem="expected exit status 1, got $OB_RC"
	elif ! head -n 1 "$OB_ERR" | grep -F -q -e "$want_text"; then
		problem="expected '$want_text' on the first line of stderr"
	fi
	row_end "$name" "$problem"
}

# daemon_row NAME EXIT TEXT ARGS...: a second onboardd, given ARGS after
# a sound configuration, state directory and socket of its own, exits
# EXIT at once with one line holding TEXT (a usage error: and the hint
# "Try 'onboardd --help'."), never serves its socket, and the test
# daemon serves on, unchanged.
OB_SECOND=$OB_DIR/second.sock
daemon_row() {
	name=$1 want_rc=$2 want_text=$3
	shift 3
	row_begin
	rm -f "$OB_SECOND"
	ob_run timeout 20 env LD_PRELOAD="$OB_PRELOAD" NSS_WRAPPER_PASSWD="$OB_PASSWD" \
		NSS_WRAPPER_GROUP="$OB_GROUP" "$ONBOARDD" --foreground --socket "$OB_SECOND" \
		--state-dir "$OB_DIR/second" --config "$OB_CONF" "$@"
	# --foreground logs to stderr: what stdout had goes with it.
	cat "$OB_OUT" >>"$OB_ERR"
	: >"$OB_OUT"
	lines=$(grep -c . "$OB_ERR")
	problem=
	if [ "$OB_RC" -ne "$want_rc" ]; then
		problem="expected exit status $want_rc, got $OB_RC"
	elif ! grep -F -q -e "$want_text" "$OB_ERR"; then
		problem="expected '$want_text' in the message"
	elif [ "$want_rc" -eq 2 ]; then
		if [ "$lines" -ne 2 ] || [ "$(sed -n 2p "$OB_ERR")" != "Try 'onboardd --help'." ]; then
			problem="expected one line and \"Try 'onboardd --help'.\""
		fi
	elif [ "$lines" -ne 1 ]; then
		problem="expected exactly one line, got $lines"
	fi
	if [ -z "$problem" ] && [ -S "$OB_SECOND" ]; then
		problem="the refused onboardd left its socket behind"
	fi
	row_end "$name" "$problem"
}

# ------------------------------------------------------- onboardctl
ctl=$ONBOARDCTL
ctl_row ctl_unknown_command_gets_one_line_and_a_hint 2 "unknown command 'frobnicate'" \
	--socket "$OB_SOCKET" frobnicate
ctl_row ctl_unknown_option_gets_one_line_and_a_hint 2 "unknown option --bogus" \
	--socket "$OB_SOCKET" --bogus status
ctl_row ctl_missing_username_gets_one_line_and_a_hint 2 "USERNAME is missing" \
	--socket "$OB_SOCKET" user show
ctl_row ctl_option_given_twice_gets_one_line_and_a_hint 2 "option --socket given twice" \
	--socket "$OB_SOCKET" --socket "$OB_SOCKET" status
ctl_row ctl_bad_duration_gets_one_line_and_a_hint 2 "'5x' is not a duration" \
	--socket "$OB_SOCKET" code issue victim --lifetime 5x
ctl_row ctl_duration_over_ten_years_gets_one_line_and_a_hint 2 "'99999d' is not a duration" \
	--socket "$OB_SOCKET" code issue victim --lifetime 99999d
ctl_row ctl_bad_username_characters_are_refused 1 "username may contain only" \
	--socket "$OB_SOCKET" user add 'bad name' --first-name A --last-name B
ctl_row ctl_username_over_32_bytes_is_refused 1 "username must be 1 to 32 characters" \
	--socket "$OB_SOCKET" user add "$(printf 'u%.0s' $(seq 40))" --first-name A --last-name B
ctl_row ctl_newline_in_a_name_is_refused 1 "must not contain control characters" \
	--socket "$OB_SOCKET" user add newline --first-name "$(printf 'A\nB')" --last-name B
ctl_row ctl_bad_email_is_refused 1 "e-mail address is not valid" \
	--socket "$OB_SOCKET" user add mailless --first-name A --last-name B --email notanemail
ctl_row ctl_bad_phone_is_refused 1 "E.164" \
	--socket "$OB_SOCKET" user add phoneless --first-name A --last-name B --phone 12ab
ctl_row ctl_unknown_role_is_refused 1 "unknown role" \
	--socket "$OB_SOCKET" user add roleless --first-name A --last-name B --role god
ctl_row ctl_code_for_nobody_is_refused 1 "no such person: nobody" \
	--socket "$OB_SOCKET" code issue nobody
ctl_row ctl_bad_unlock_source_is_refused 1 "a source is rhost=HOST" \
	--socket "$OB_SOCKET" source unlock nothing
ctl_row ctl_socket_that_does_not_exist_is_one_line 3 "cannot reach onboardd" \
	--socket "$OB_DIR/nothing.sock" status
ctl_row ctl_socket_path_too_long_is_one_line 3 "File name too long" \
	--socket "$OB_DIR/$(printf 'x%.0s' $(seq 120))" status

# ------------------------------------------------------------ CSV files
csvdir=$OB_DIR/csv
mkdir -p "$csvdir"
: >"$csvdir/empty.csv"
csv_row csv_empty_file_is_refused "the file is empty" "$csvdir/empty.csv"
printf 'username,first_name,last_name\n' >"$csvdir/header.csv"
csv_row csv_header_only_is_refused "no rows to import after the header" "$csvdir/header.csv"
printf 'username,first_name\nann2,Ann\n' >"$csvdir/nocol.csv"
csv_row csv_missing_column_is_refused "the column 'last_name' is missing" "$csvdir/nocol.csv"
printf 'username,first_name,last_name,shoesize\nann8,Ann,One,42\n' >"$csvdir/extra.csv"
csv_row csv_unknown_column_is_refused "unknown column 'shoesize'" "$csvdir/extra.csv"
printf 'username,first_name,last_name\nann3,"Ann,One\n' >"$csvdir/quote.csv"
csv_row csv_unclosed_quote_is_refused "a quoted field is not closed" "$csvdir/quote.csv"
printf 'username,first_name,last_name\nann4,A\377n,One\n' >"$csvdir/utf8.csv"
csv_row csv_invalid_utf8_is_refused "not valid UTF-8" "$csvdir/utf8.csv"
printf 'username,first_name,last_name\nann5,Ann\000x,One\n' >"$csvdir/nul.csv"
csv_row csv_nul_byte_is_refused "a NUL byte" "$csvdir/nul.csv"
$py -c "print('username,first_name,last_name'); print('ann7,' + 'A' * 100000 + ',One')" \
	>"$csvdir/long.csv"
csv_row csv_100_kb_field_is_refused "a field is longer than 1024 bytes" "$csvdir/long.csv"
head -c 3000 /dev/urandom >"$csvdir/binary.csv"
printf '\377' >>"$csvdir/binary.csv"
csv_row csv_binary_file_is_refused "$csvdir/binary.csv:" "$csvdir/binary.csv"
printf 'username,first_name,last_name\nann6,Ann,One\nann6,Ann,Two\n' >"$csvdir/dup.csv"
csv_row csv_repeated_username_imports_nobody "ann6 is also on row 2" "$csvdir/dup.csv"
printf 'username,first_name,last_name\nann10,Ann,One\nbad name,B,C\n' >"$csvdir/badrow.csv"
csv_row csv_one_bad_row_imports_nobody "username may contain only" "$csvdir/badrow.csv"
printf 'username,first_name,last_name\nvictim,Vic,Tim\n' >"$csvdir/taken.csv"
csv_row csv_taken_username_imports_nobody "victim" "$csvdir/taken.csv"
csv_row csv_missing_file_is_refused "No such file or directory" "$csvdir/absent.csv"
csv_row csv_directory_is_refused "Is a directory" "$csvdir"

# ---------------------------------------------------- onboardd's command line
daemon_row daemon_unknown_option_gets_one_line_and_a_hint 2 "unrecognized option '--bogus'" --bogus
daemon_row daemon_option_without_its_value_gets_one_line_and_a_hint 2 "requires an argument" \
	--config
daemon_row daemon_extra_argument_gets_one_line_and_a_hint 2 "unexpected argument: extra" extra
daemon_row daemon_socket_path_too_long_is_one_line 1 "File name too long" \
	--socket "$OB_DIR/$(printf 'x%.0s' $(seq 120))"
daemon_row daemon_socket_under_a_file_is_one_line 1 "s.sock: Not a directory" \
	--socket "$OB_CONF/s.sock"

# ---------------------------------------------- configuration and key files
confrow() { # NAME TEXT CONTENTS [MODE]: onboardd refuses that configuration
	f=$OB_DIR/bad.conf
	rm -f "$f"
	printf '%s' "$3" >"$f"
	chmod "${4:-0600}" "$f"
	daemon_row "$1" 1 "$2" --config "$f"
}
confrow config_unknown_key_is_one_line "frobnicate: unknown key" 'frobnicate = 1
'
confrow config_bad_value_is_one_line "mfa: must be one of required, optional, off" 'mfa = sometimes
'
confrow config_line_without_equals_is_one_line ":1: expected key = value" 'mfa off
'
confrow config_repeated_key_is_one_line "mfa: set twice (first on line 1)" 'mfa = off
mfa = off
'
printf 'mfa = off\n\000\n' >"$OB_DIR/bad.conf"
daemon_row config_binary_is_one_line 1 "contains a NUL byte" --config "$OB_DIR/bad.conf"
confrow config_line_of_100_kb_is_one_line "line too long" \
	"totp_issuer = $(head -c 100000 /dev/zero | tr '\0' x)
"
confrow config_tiny_map_size_is_one_line "db_map_size: must be a size such as 512M" 'db_map_size = 1K
'
confrow config_relative_key_file_is_one_line "key_file: must be an absolute path" 'key_file = relative.key
'
confrow config_missing_terms_file_is_one_line "terms_file: /nonexistent/terms: cannot open" \
	'terms_file = /nonexistent/terms
'
confrow config_writable_by_others_is_one_line "writable by group or others (mode 0666)" 'mfa = off
' 0666
printf 'mfa = off\n' >"$OB_DIR/owned.conf"
chmod 0600 "$OB_DIR/owned.conf"
chown 65534 "$OB_DIR/owned.conf"
daemon_row config_of_another_owner_is_one_line 1 "owned by uid 65534" --config "$OB_DIR/owned.conf"
ln -s "$OB_CONF" "$OB_DIR/linked.conf"
daemon_row config_symlink_is_one_line 1 "is a symbolic link; refusing to follow it" \
	--config "$OB_DIR/linked.conf"
daemon_row config_directory_is_one_line 1 "not a regular file" --config "$OB_DIR"
daemon_row config_missing_given_file_is_one_line 1 "cannot open: No such file or directory" \
	--config "$OB_DIR/absent.conf"

# A sound state directory of the second onboardd, with one person: each
# key-file and storage row breaks a copy of it.
good=$OB_DIR/good
LD_PRELOAD=$OB_PRELOAD NSS_WRAPPER_PASSWD=$OB_PASSWD NSS_WRAPPER_GROUP=$OB_GROUP \
	"$ONBOARDD" --foreground --socket "$OB_SECOND" --state-dir "$good" --config "$OB_CONF" \
	</dev/null >>"$OB_DIR/good.log" 2>&1 &
good_pid=$!
i=0
while ! "$ONBOARDCTL" --socket "$OB_SECOND" user add keeper --first-name Kim --last-name Keep \
	>/dev/null 2>&1 && [ $i -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
kill "$good_pid"
wait "$good_pid"
rm -f "$OB_SECOND"
# state_row NAME TEXT FILE COMMAND...: COMMAND breaks FILE of a fresh
# copy ($OB_DIR/second); onboardd refuses it in one line holding TEXT and
# leaves FILE as it found it (a key not made anew, a database not
# "repaired" into an empty one).
state_row() {
	name=$1 want=$2 file=$OB_DIR/second/$3
	shift 3
	rm -rf "$OB_DIR/second"
	cp -a "$good" "$OB_DIR/second"
	"$@"
	sum=$(cksum <"$file" 2>/dev/null; ls -ld "$file" 2>/dev/null | cut -c1-10)
	daemon_row "$name" 1 "$want"
	if [ "$sum" != "$(cksum <"$file" 2>/dev/null; ls -ld "$file" 2>/dev/null | cut -c1-10)" ]; then
		ob_fail "$name" "$file was changed by the refused start"
	fi
}
S=$OB_DIR/second
state_row key_file_readable_by_others_is_one_line "open to group or others (mode 0644)" \
	secret.key chmod 0644 "$S/secret.key"
state_row key_file_of_another_owner_is_one_line "owned by uid 65534" \
	secret.key chown 65534 "$S/secret.key"
cp "$good/secret.key" "$OB_DIR/elsewhere.key"
state_row key_file_symlink_is_one_line "is a symbolic link; refusing to follow it" \
	secret.key ln -sf "$OB_DIR/elsewhere.key" "$S/secret.key"
state_row key_file_short_is_one_line "10 bytes; a key file holds exactly 64" \
	secret.key sh -c "head -c 10 /dev/urandom >'$S/secret.key'"
state_row key_file_long_is_one_line "164 bytes; a key file holds exactly 64" \
	secret.key sh -c "head -c 100 /dev/urandom >>'$S/secret.key'"
state_row key_file_of_another_database_is_one_line "does not belong to the database" \
	secret.key sh -c "head -c 64 /dev/urandom >'$S/secret.key'"
state_row key_file_directory_is_one_line "not a regular file" \
	secret.key sh -c "rm '$S/secret.key' && mkdir '$S/secret.key'"

# -------------------------------------------------------------- storage
state_row storage_empty_database_is_one_line "data.mdb is empty (0 bytes)" \
	data.mdb sh -c ": >'$S/data.mdb'"
state_row storage_truncated_database_is_one_line "data.mdb is truncated" \
	data.mdb truncate -s 5000 "$S/data.mdb"
state_row storage_foreign_file_is_one_line "data.mdb is not an LMDB database" \
	data.mdb sh -c "printf 'SQLite format 3\000' >'$S/data.mdb'; head -c 20000 /dev/zero >>'$S/data.mdb'"
state_row storage_corrupt_header_is_one_line "data.mdb is not an LMDB database" \
	data.mdb dd if=/dev/urandom of="$S/data.mdb" bs=1 seek=16 count=64 conv=notrunc status=none
# Bytes over pages 2 to 6 (the B-trees' pages, after the two meta
# pages), the same each run: LMDB keeps no checksum and followed a page
# number out of the file (onboardd died of SIGBUS at start), or aborted
# on an assertion, or said only "Input/output error".
damage() { # FILL: 00, ff or a seed of pseudo-random bytes
	$py -c '
import random, sys
fill = sys.argv[2]
if fill in ("00", "ff"):
    data = bytes([int(fill, 16)]) * (5 * 4096)
else:
    rnd = random.Random(fill)
    data = bytes(rnd.getrandbits(8) for _ in range(5 * 4096))
with open(sys.argv[1], "r+b") as f:
    f.seek(2 * 4096)
    f.write(data)
' "$S/data.mdb" "$1"
}
state_row storage_pages_of_ff_are_one_line_not_a_crash "data.mdb is damaged" data.mdb damage ff
state_row storage_random_pages_are_one_line_not_a_crash "data.mdb is damaged" data.mdb damage seed1
state_row storage_pages_failing_an_assertion_are_one_line "data.mdb is damaged" data.mdb damage seed4
state_row storage_zeroed_pages_are_one_line "data.mdb is damaged" data.mdb damage 00
state_row storage_database_a_directory_is_one_line "data.mdb is not a regular file" \
	data.mdb sh -c "rm '$S/data.mdb' && mkdir '$S/data.mdb'"

# A full map, a full disk and a read-only directory, each on a daemon of
# its own (onboardd.conf with extra lines, state directory, socket): a
# 6,000-row import that does not fit is refused whole in one line, and
# that daemon still logs in and serves, its people unchanged.
big=$OB_DIR/big.csv
$py -c '
print("username,first_name,last_name,email")
for i in range(6000):
    print("g%05d,Fill%s,Map%s,g%05d@example.org" % (i, "x" * 50, "y" * 50, i))' >"$big"
extra_start() { # STATE CONF-LINES: another onboardd on $OB_DIR/extra.sock
	xsock=$OB_DIR/extra.sock
	xconf=$OB_DIR/extra.conf
	rm -f "$xsock"
	cp "$OB_CONF" "$xconf"
	printf '%s\n' "$2" >>"$xconf"
	LD_PRELOAD=$OB_PRELOAD NSS_WRAPPER_PASSWD=$OB_PASSWD NSS_WRAPPER_GROUP=$OB_GROUP \
		"$ONBOARDD" --foreground --socket "$xsock" --state-dir "$1" --config "$xconf" \
		</dev/null >>"$OB_DIR/extra.log" 2>&1 &
	xpid=$!
	ob_track_pid "$xpid"
	i=0
	until "$ONBOARDCTL" --socket "$xsock" status >/dev/null 2>&1 || [ $i -ge 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	$table "$xsock" setup
}
extra_stop() {
	kill "$xpid" 2>/dev/null
	wait "$xpid" 2>/dev/null
}
# extra_row NAME TEXT COMMAND...: on the extra daemon, COMMAND fails
# (exit 1) with one line holding TEXT, changes nothing, and the extra
# daemon serves a real login afterwards.
extra_row() {
	name=$1 want=$2
	shift 2
	$table "$xsock" snapshot >"$OB_DIR/xbefore" 2>&1
	ob_run "$@"
	problem=$(ob_failure_problem 1 "$want")
	if [ -z "$problem" ]; then
		$table "$xsock" snapshot >"$OB_DIR/xafter" 2>&1
		cmp -s "$OB_DIR/xbefore" "$OB_DIR/xafter" || problem="the people or codes changed"
	fi
	[ -z "$problem" ] && problem=$($table "$xsock" health 2>&1)
	if [ -z "$problem" ]; then
		ob_pass "$name"
	else
		ob_fail "$name" "$problem"
		ob_show_output
	fi
}

extra_start "$OB_DIR/fullmap" "db_map_size = 1M"
extra_row storage_full_map_refuses_an_import_whole_in_one_line "the database is full" \
	"$ONBOARDCTL" --socket "$xsock" user import "$big"
extra_stop

if mkdir -p "$OB_DIR/disk" && mount -t tmpfs -o size=400k,mode=0700 tmpfs "$OB_DIR/disk" 2>/dev/null; then
	# Unmounted at exit too, before the directory is removed.
	trap 'ob_kill_tracked; umount "$OB_DIR/disk" 2>/dev/null; ob_cleanup' EXIT
	extra_start "$OB_DIR/disk/state" ""
	# The disk's 400 KiB are gone before the 1 GiB map: ENOSPC, which
	# said only "could not import the people (unavailable)".
	extra_row storage_full_disk_refuses_an_import_whole_in_one_line "free space on its file system" \
		"$ONBOARDCTL" --socket "$xsock" user import "$big"
	extra_stop
	# Read-only, with that database in it: the start is refused.
	if mount -o remount,ro "$OB_DIR/disk" 2>/dev/null; then
		daemon_row storage_read_only_directory_is_one_line 1 "Read-only file system" \
			--state-dir "$OB_DIR/disk/state"
	else
		ob_skip storage_read_only_directory_is_one_line "cannot remount a tmpfs read-only here"
	fi
	umount "$OB_DIR/disk"
else
	ob_skip storage_full_disk_refuses_an_import_whole_in_one_line "cannot mount a tmpfs (needs root and CAP_SYS_ADMIN)"
	ob_skip storage_read_only_directory_is_one_line "cannot mount a tmpfs (needs root and CAP_SYS_ADMIN)"
fi

ob_stop_daemon
ob_summary
