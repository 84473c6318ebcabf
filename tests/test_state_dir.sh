#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# onboardd refuses to start on state it cannot trust, each time with one
# clear line: a state directory others can write to or that is a symbolic
# link (the lock file and the key would be written where an attacker
# points), a missing key file beside a database (a new key would silently
# make every authenticator and access code unusable) or one of another
# database, a lock.mdb or data.mdb others could write, and a data.mdb that
# is empty, truncated or not LMDB (LMDB would start an empty database, or
# die of SIGBUS).  And it still starts where all is well.

srcdir_tests=${top_srcdir:+$top_srcdir/tests}
. "${srcdir_tests:-$(dirname "$0")}/lib.sh"

py=/usr/bin/python3
[ -x "$py" ] || py=python3
if ! command -v "$py" >/dev/null 2>&1; then
	echo "SKIP: python3 is not installed"
	exit 77
fi

ob_setup

# Run onboardd on state dir $2 until it exits or answers.  It must exit
# with status 1 (not a signal) and its log must hold pattern $3.
expect_refusal() { # NAME STATE PATTERN
	name=$1 state=$2 pattern=$3
	: >"$OB_DIR/refusal.log"
	LD_PRELOAD=$OB_PRELOAD NSS_WRAPPER_PASSWD=$OB_PASSWD NSS_WRAPPER_GROUP=$OB_GROUP \
		"$ONBOARDD" --foreground --socket "$OB_SOCKET" --state-dir "$state" \
		--config "$OB_CONF" </dev/null >"$OB_DIR/refusal.log" 2>&1 &
	pid=$!
	ob_track_pid "$pid"
	started=
	i=0
	while kill -0 "$pid" 2>/dev/null && [ $i -lt 100 ]; do
		if [ -S "$OB_SOCKET" ] && ob_ctl status >/dev/null 2>&1; then
			started=1
			break
		fi
		sleep 0.1
		i=$((i + 1))
	done
	if [ -n "$started" ] || kill -0 "$pid" 2>/dev/null; then
		kill "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
		rm -f "$OB_SOCKET"
		ob_fail "$name" "onboardd started on $state; its log: $(cat "$OB_DIR/refusal.log")"
		return
	fi
	wait "$pid"
	rc=$?
	rm -f "$OB_SOCKET"
	if [ $rc -ne 1 ]; then
		ob_fail "$name" "onboardd exited with status $rc (1 expected); its log: $(cat "$OB_DIR/refusal.log")"
	elif ! grep -q -e "$pattern" "$OB_DIR/refusal.log"; then
		ob_fail "$name" "no \"$pattern\" in its log: $(cat "$OB_DIR/refusal.log")"
	elif [ "$(grep -c . "$OB_DIR/refusal.log")" -ne 1 ]; then
		ob_fail "$name" "more than one line: $(cat "$OB_DIR/refusal.log")"
	else
		ob_pass "$name"
		ob_say "  $(cat "$OB_DIR/refusal.log")"
	fi
}

# A sound state directory with a database and, when we may administer
# it (only root does), a person in it.
ob_start_daemon
if [ "$(id -u)" -eq 0 ]; then
	ob_ctl user add anna --first-name Anna --last-name Berg >/dev/null 2>&1 ||
		ob_fail setup "user add: $(ob_ctl user add anna --first-name Anna --last-name Berg 2>&1)"
fi
ob_kill_daemon
ob_pass daemon_starts_on_a_sound_state_directory

# -- the state directory
chmod 0777 "$OB_STATE"
ln -s "$OB_DIR/planted" "$OB_STATE/onboardd.lock.new"
expect_refusal world_writable_state_dir_is_refused "$OB_STATE" \
	"state directory $OB_STATE: writable by group or others (mode 0777)"
rm -f "$OB_STATE/onboardd.lock.new"
chmod 0770 "$OB_STATE"
expect_refusal group_writable_state_dir_is_refused "$OB_STATE" "writable by group or others (mode 0770)"
chmod 0700 "$OB_STATE"

# The issue's reproduction: a link to where the attacker wants the lock
# file and the key; nothing may appear there.
mkdir "$OB_DIR/elsewhere"
ln -s "$OB_DIR/elsewhere" "$OB_DIR/linked"
expect_refusal symlinked_state_dir_is_refused "$OB_DIR/linked" "is a symbolic link"
if [ -n "$(ls -A "$OB_DIR/elsewhere")" ]; then
	ob_fail symlinked_state_dir_is_left_alone "onboardd wrote $(ls -A "$OB_DIR/elsewhere")"
else
	ob_pass symlinked_state_dir_is_left_alone
fi

# A link on the way, in a directory others can write to: they could
# point it elsewhere, though where it leads now is sound.
mkdir -m 0700 "$OB_DIR/real" "$OB_DIR/real/state" "$OB_DIR/open2"
ln -s "$OB_DIR/real" "$OB_DIR/open2/l"
chmod 0777 "$OB_DIR/open2"
expect_refusal link_in_a_directory_others_write_is_refused "$OB_DIR/open2/l/state" \
	"$OB_DIR/open2, a directory on its path, is writable by group or others"
chmod 0700 "$OB_DIR/open2"

# A parent others can write to (not sticky) could swap the directory.
mkdir -m 0700 "$OB_DIR/open" "$OB_DIR/open/state"
chmod 0777 "$OB_DIR/open"
expect_refusal parent_writable_by_others_is_refused "$OB_DIR/open/state" \
	"$OB_DIR/open, a directory on its path, is writable by group or others"
# The same directory reached through a sound link: the directories above
# the real one are found through "..".
mkdir -m 0700 "$OB_DIR/open/real" "$OB_DIR/open/real/state"
ln -s "$OB_DIR/open/real" "$OB_DIR/via"
expect_refusal parent_behind_a_link_is_refused "$OB_DIR/via/state" \
	"$OB_DIR/open, a directory above it, is writable by group or others"
# ... unless sticky, as /tmp is: nobody else can rename what we own.
chmod 1777 "$OB_DIR/open"
saved_state=$OB_STATE
OB_STATE=$OB_DIR/open/state
ob_start_daemon
ob_kill_daemon
OB_STATE=$saved_state
ob_pass sticky_parent_is_accepted
chmod 0700 "$OB_DIR/open"

if [ "$(id -u)" -eq 0 ]; then
	chown 65534 "$OB_STATE"
	expect_refusal state_dir_of_another_user_is_refused "$OB_STATE" \
		"state directory $OB_STATE: owned by uid 65534"
	chown 0 "$OB_STATE"
else
	ob_skip state_dir_of_another_user_is_refused "needs root to chown"
fi

# -- the key file
# One named in the configuration: its directory is checked the same way.
mkdir -m 0777 "$OB_DIR/keys"
chmod 0777 "$OB_DIR/keys"
cp "$OB_CONF" "$OB_DIR/conf.saved"
printf 'key_file = %s/keys/secret.key\n' "$OB_DIR" >>"$OB_CONF"
expect_refusal key_file_in_a_directory_others_write_is_refused "$OB_STATE" \
	"key file directory $OB_DIR/keys: writable by group or others (mode 0777)"
if [ -e "$OB_DIR/keys/secret.key" ]; then
	ob_fail key_file_is_not_made_there "a key file was made in $OB_DIR/keys"
else
	ob_pass key_file_is_not_made_there
fi
cp "$OB_DIR/conf.saved" "$OB_CONF"

mv "$OB_STATE/secret.key" "$OB_DIR/secret.key.backup"
expect_refusal missing_key_beside_database_is_refused "$OB_STATE" \
	"secret.key is missing, but $OB_STATE/data.mdb exists: restore the key file from backup"
if [ -e "$OB_STATE/secret.key" ]; then
	ob_fail missing_key_is_not_replaced "a new key file was made"
else
	ob_pass missing_key_is_not_replaced
fi
mv "$OB_DIR/secret.key.backup" "$OB_STATE/secret.key"

# A key file that is there but is not this database's: another database's
# (or a fresh one made by hand) would make every access code and
# authenticator fail while the daemon says "ready".
cp "$OB_STATE/secret.key" "$OB_DIR/secret.key.backup"
head -c 64 /dev/urandom >"$OB_STATE/secret.key"
chmod 0600 "$OB_STATE/secret.key"
expect_refusal key_file_of_another_database_is_refused "$OB_STATE" \
	"key file $OB_STATE/secret.key does not belong to the database in $OB_STATE"
: >"$OB_STATE/secret.key"
expect_refusal empty_key_file_is_refused "$OB_STATE" "secret.key: 0 bytes; a key file holds exactly 64"
cp "$OB_DIR/secret.key.backup" "$OB_STATE/secret.key"
chmod 0600 "$OB_STATE/secret.key"

# -- lock.mdb and data.mdb: only files nobody else could have written
# (planted while the directory was open to others, they would keep
# access to the database after it was closed).
mv "$OB_STATE/lock.mdb" "$OB_DIR/lock.mdb.backup"
ln -s "$OB_DIR/planted.lock" "$OB_STATE/lock.mdb"
expect_refusal symlinked_lock_file_is_refused "$OB_STATE" "lock.mdb is a symbolic link"
if [ -e "$OB_DIR/planted.lock" ]; then
	ob_fail symlinked_lock_file_is_not_followed "LMDB made $OB_DIR/planted.lock through the link"
else
	ob_pass symlinked_lock_file_is_not_followed
fi
rm -f "$OB_STATE/lock.mdb"
mv "$OB_DIR/lock.mdb.backup" "$OB_STATE/lock.mdb"
chmod 0666 "$OB_STATE/lock.mdb"
expect_refusal lock_file_others_write_is_refused "$OB_STATE" \
	"lock.mdb is writable by group or others (mode 0666)"
chmod 0600 "$OB_STATE/lock.mdb"
chmod 0644 "$OB_STATE/data.mdb"
expect_refusal database_others_read_is_refused "$OB_STATE" \
	"data.mdb is readable by group or others (mode 0644)"
chmod 0600 "$OB_STATE/data.mdb"
if [ "$(id -u)" -eq 0 ]; then
	chown 65534 "$OB_STATE/data.mdb"
	expect_refusal database_of_another_user_is_refused "$OB_STATE" \
		"data.mdb is owned by uid 65534"
	chown 0 "$OB_STATE/data.mdb"
	# A lock file of another user's: theirs to hold, and onboardd would
	# be told "another onboardd is using it" for ever.
	chown 65534 "$OB_STATE/onboardd.lock"
	expect_refusal lock_file_of_another_user_is_refused "$OB_STATE" \
		"onboardd.lock in it is not a regular file of root's"
	chown 0 "$OB_STATE/onboardd.lock"
else
	ob_skip database_of_another_user_is_refused "needs root to chown"
fi
rm -f "$OB_STATE/onboardd.lock"
mkfifo -m 0600 "$OB_STATE/onboardd.lock"
expect_refusal fifo_lock_file_is_refused "$OB_STATE" "onboardd.lock in it is not a regular file"
rm -f "$OB_STATE/onboardd.lock"

# -- data.mdb
cp "$OB_STATE/data.mdb" "$OB_DIR/data.mdb.backup"
: >"$OB_STATE/data.mdb"
expect_refusal empty_database_is_refused "$OB_STATE" "data.mdb is empty (0 bytes)"
cp "$OB_DIR/data.mdb.backup" "$OB_STATE/data.mdb"
truncate -s 8192 "$OB_STATE/data.mdb"
expect_refusal truncated_database_is_refused "$OB_STATE" "data.mdb is truncated"
printf 'SQLite format 3\000%08192d' 0 >"$OB_STATE/data.mdb"
expect_refusal foreign_database_is_refused "$OB_STATE" "data.mdb is not an LMDB database"
ln -s "$OB_DIR/data.mdb.backup" "$OB_STATE/data.mdb.link"
mv -f "$OB_STATE/data.mdb.link" "$OB_STATE/data.mdb"
expect_refusal symlinked_database_is_refused "$OB_STATE" "data.mdb is a symbolic link"
rm -f "$OB_STATE/data.mdb"
mkfifo -m 0600 "$OB_STATE/data.mdb"
expect_refusal fifo_database_is_refused "$OB_STATE" "data.mdb is not a regular file"
rm -f "$OB_STATE/data.mdb"
cp "$OB_DIR/data.mdb.backup" "$OB_STATE/data.mdb"
# What follows needs people in the database, and only root administers.
if [ "$(id -u)" -ne 0 ]; then
	for t in missing_database_beside_people_is_refused missing_database_is_not_made_afresh \
		daemon_starts_again_once_restored corrupt_record_is_left_out_of_the_list_and_reported \
		corrupt_record_fails_alone corrupt_record_stays_in_the_people_file; do
		ob_skip "$t" "needs root (only root administers, to add people)"
	done
	ob_summary
	exit $?
fi
# A data.mdb gone while the people file still names its people: a new,
# empty database would make them people onboard does not manage (their
# logins left to the rest of the stack), and the people file would be
# rewritten empty.
rm -f "$OB_STATE/data.mdb" "$OB_STATE/lock.mdb"
expect_refusal missing_database_beside_people_is_refused "$OB_STATE" \
	"data.mdb is missing, but $OB_STATE/people names the people it held"
if grep -qx anna "$OB_STATE/people" && [ ! -e "$OB_STATE/data.mdb" ]; then
	ob_pass missing_database_is_not_made_afresh
else
	ob_fail missing_database_is_not_made_afresh "people file: $(cat "$OB_STATE/people")"
fi
cp "$OB_DIR/data.mdb.backup" "$OB_STATE/data.mdb"

# All restored: it starts, and anna is still there.
ob_start_daemon
if ob_ctl user show anna >/dev/null 2>&1; then
	ob_pass daemon_starts_again_once_restored
else
	ob_fail daemon_starts_again_once_restored "$(ob_ctl user show anna 2>&1)"
fi

# -- one corrupt record: bytes of anna's record overwritten in data.mdb
# (every copy of it: LMDB may keep an older page too), the length kept.
ob_ctl user add bert --first-name Bert --last-name Berg >/dev/null 2>&1
ob_kill_daemon
"$py" - "$OB_STATE/data.mdb" <<'PY'
import sys
path = sys.argv[1]
data = open(path, "rb").read()
old = b'"username":"anna"'
if old not in data:
    sys.exit("anna's record is not in data.mdb")
open(path, "r+b").write(data.replace(old, b'"usernam\x01":"anna"'))
PY
ob_start_daemon
ob_run ob_ctl user list
if [ $OB_RC -eq 0 ] && grep -q bert "$OB_OUT" && ! grep -q anna "$OB_OUT" &&
	grep -q "1 record(s) could not be read.*(the first: anna)" "$OB_ERR" &&
	grep -q 'the record of "anna" is corrupt' "$OB_LOG"; then
	ob_pass corrupt_record_is_left_out_of_the_list_and_reported
	ob_say "  $(cat "$OB_ERR")"
else
	ob_fail corrupt_record_is_left_out_of_the_list_and_reported \
		"exit $OB_RC: $(cat "$OB_OUT" "$OB_ERR")"
fi
ob_run ob_ctl user show anna
if [ $OB_RC -ne 0 ] && ob_run ob_ctl user show bert && [ $OB_RC -eq 0 ]; then
	ob_pass corrupt_record_fails_alone
else
	ob_fail corrupt_record_fails_alone "exit $OB_RC: $(cat "$OB_OUT" "$OB_ERR")"
fi
# The people file, read by the module while onboardd is down, still
# names anna: left out, she would pass for a local user onboard does not
# manage and log in through the rest of the stack alone.
if grep -qx anna "$OB_STATE/people" && grep -qx bert "$OB_STATE/people"; then
	ob_pass corrupt_record_stays_in_the_people_file
else
	ob_fail corrupt_record_stays_in_the_people_file "$(cat "$OB_STATE/people" 2>&1)"
fi
ob_stop_daemon

ob_summary
