# SPDX-License-Identifier: BSD-3-Clause
# Shared helpers for the script tests (POSIX sh; source it, do not run it).
#
#   ob_setup                 fresh temporary directory $OB_DIR with a test
#                            configuration and an nss_wrapper user database;
#                            everything is removed at exit, also on failure
#   ob_start_daemon          start onboardd on $OB_SOCKET, wait until it answers
#   ob_stop_daemon           SIGTERM it and check that it exited cleanly
#   ob_ctl ARGS...           run onboardctl against the test daemon
#   ob_varlink               send raw varlink calls (a JSON object a line
#                            on stdin) on one connection, print replies
#   ob_track_pid PID         kill (and wait for) another background
#                            process at exit
#   ob_lock_system_files     take the lock of the tests that change the
#                            host's files; ob_protect_file FILE puts FILE
#                            back at exit, ob_protect_accounts the user
#                            database (passwd, shadow, group...)
#   ob_sanitized             true in a sanitizer build
#   expect_ok NAME CMD...                    CMD succeeds
#   expect_fail_with NAME EXIT TEXT CMD...   CMD exits EXIT, stdout empty,
#                                            TEXT in its one-line reason
#   expect_refused NAME EXIT TEXT CMD...     the same, and user list and
#                                            code list did not change
#   expect_stdout_contains NAME TEXT CMD...  CMD succeeds, TEXT on stdout
#   expect_stdout_matches NAME ERE CMD...    CMD succeeds, a stdout line
#                                            matches the extended regex
#   expect_json NAME CMD...                  CMD succeeds, stdout is JSON
#   ob_pass NAME / ob_fail NAME WHY / ob_skip NAME WHY
#   ob_summary               "N passed, M failed, K skipped"; the exit status
#
# After a CMD, $OB_OUT and $OB_ERR name files holding its stdout and
# stderr, and $OB_RC is its exit status.
#
# Under "make check" the environment comes from AM_TESTS_ENVIRONMENT in
# Makefile.am; run by hand from the build directory, the programs default
# to ./onboardd and ./onboardctl.

: "${ONBOARDD:=./onboardd}"
: "${ONBOARDCTL:=./onboardctl}"
: "${OB_SANITIZERS:=no}"

OB_PASSED=0
OB_FAILED=0
OB_SKIPPED=0
OB_DIR=
OB_DAEMON_PID=
OB_LOG=
OB_RC=0

ob_say() {
	printf '%s\n' "$*"
}

# Absolute path of a program, so that the tests may cd.
ob_abs() {
	case $1 in
	/*) printf '%s\n' "$1" ;;
	*) printf '%s/%s\n' "$(pwd)" "$1" ;;
	esac
}

# Tests that change the host's own files (/etc/passwd and friends,
# /etc/pam.d) take this lock first, so that make -j never runs two of them
# at once, and register what they change with ob_protect_file: each file
# is copied now and put back byte for byte at exit, also on failure.
OB_PROTECTED=
ob_lock_system_files() {
	exec 9>"${TMPDIR:-/tmp}/onboard-tests-system-files.lock"
	if ! flock -w 600 9; then
		ob_say "ERROR: another test held the system files for 10 minutes"
		exit 99
	fi
}

ob_protect_file() {
	if [ -e "$1" ]; then
		cp -a "$1" "$OB_DIR/protected.$(printf '%s' "$1" | tr / _)" || exit 99
	fi
	OB_PROTECTED="$OB_PROTECTED $1"
}

# The host's user database, with the backups shadow's tools keep.
ob_protect_accounts() {
	for f in /etc/passwd /etc/shadow /etc/group /etc/gshadow /etc/subuid /etc/subgid; do
		ob_protect_file "$f"
		ob_protect_file "$f-"
	done
}

ob_restore_files() {
	for f in $OB_PROTECTED; do
		saved="$OB_DIR/protected.$(printf '%s' "$f" | tr / _)"
		if [ -e "$saved" ]; then
			# Beside it, then renamed over it: a copy in place would
			# leave the file empty or half written for a moment, and
			# a test reading the passwd database in parallel (make -j)
			# would find no "bin" there.
			cp -a "$saved" "$f.ob-restore" && mv -f "$f.ob-restore" "$f"
		else
			rm -f "$f"
		fi
	done
	OB_PROTECTED=
}

# Other background processes of a test, killed at exit (waited for, so
# that none still uses what the cleanup removes next).
OB_PIDS=
ob_track_pid() {
	OB_PIDS="$OB_PIDS $1"
}

# ob_wait_socket PATH: wait until a stand-in or socket-activated
# daemon has bound PATH, at most 5 s (what it then answers is the test's
# to check).
ob_wait_socket() {
	i=0
	while [ ! -S "$1" ] && [ $i -lt 50 ]; do
		sleep 0.1
		i=$((i + 1))
	done
}

ob_kill_tracked() {
	for pid in $OB_PIDS; do
		kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	done
	OB_PIDS=
}

ob_cleanup() {
	ob_kill_tracked
	ob_kill_daemon
	ob_restore_files
	if [ -n "$OB_DIR" ] && [ -d "$OB_DIR" ]; then
		rm -rf "$OB_DIR"
	fi
}

ob_setup() {
	ONBOARDD=$(ob_abs "$ONBOARDD")
	ONBOARDCTL=$(ob_abs "$ONBOARDCTL")
	for prog in "$ONBOARDD" "$ONBOARDCTL"; do
		if [ ! -x "$prog" ]; then
			ob_say "ERROR: $prog is not built (run make first, or set ONBOARDD/ONBOARDCTL)"
			exit 99
		fi
	done
	OB_DIR=$(mktemp -d "${TMPDIR:-/tmp}/onboard-test.XXXXXX") || exit 99
	trap ob_cleanup EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	OB_SOCKET=$OB_DIR/onboardd.sock
	OB_STATE=$OB_DIR/state
	OB_CONF=$OB_DIR/onboardd.conf
	OB_LOG=$OB_DIR/onboardd.log
	OB_OUT=$OB_DIR/stdout
	OB_ERR=$OB_DIR/stderr
	ob_write_config
	ob_write_nss
}

# Cheap hashing keeps the tests fast; uid_min is fixed so that the
# classification of accounts does not depend on the host's login.defs; a
# dialogue left open at ob_stop_daemon holds the stop 3 s, not 20.
ob_write_config() {
	(umask 077 && cat >"$OB_CONF" <<-EOF
	# onboardd test configuration
	password_hash_ops = 1
	password_hash_memory = 8M
	uid_min = 1000
	shutdown_timeout = 3s
	userdb_socket =
	EOF
	) || exit 99
	chmod 0600 "$OB_CONF"
}

# The daemon sees this user database instead of the host's: root, a
# system account, one below uid_min, and bob, a regular Unix account.
ob_write_nss() {
	OB_PASSWD=$OB_DIR/passwd
	OB_GROUP=$OB_DIR/group
	cat >"$OB_PASSWD" <<-EOF
	root:x:0:0:root:/root:/bin/sh
	daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin
	sysuser:x:500:500:system user:/nonexistent:/usr/sbin/nologin
	bob:x:1001:1001:Bob Regular:/home/bob:/bin/sh
	EOF
	cat >"$OB_GROUP" <<-EOF
	root:x:0:
	daemon:x:1:
	sysuser:x:500:
	bob:x:1001:
	EOF
	# Not root (a package build): onboardd's own uid must have an entry,
	# as on a real host, or cracklib (whose check looks the caller up)
	# says "you are not registered in the password file" and onboardd
	# warns its dictionary cannot be read.  A name no test uses.
	me=$(id -u)
	if [ "$me" -ne 0 ] && ! grep -q "^[^:]*:x:$me:" "$OB_PASSWD"; then
		printf 'obbuild:x:%s:%s:the build:/nonexistent:/usr/sbin/nologin\n' "$me" \
			"$(id -g)" >>"$OB_PASSWD"
		printf 'obbuild:x:%s:\n' "$(id -g)" >>"$OB_GROUP"
	fi
	# configure fills NSS_WRAPPER_LIB; by hand, ask pkg-config.
	if [ -z "${NSS_WRAPPER_LIB:-}" ]; then
		NSS_WRAPPER_LIB=$(pkg-config --libs nss_wrapper 2>/dev/null)
	fi
	# Trim the blanks pkg-config leaves.
	NSS_WRAPPER_LIB=$(printf '%s' "$NSS_WRAPPER_LIB" | tr -d ' \t')
	if [ -z "$NSS_WRAPPER_LIB" ] || [ ! -f "$NSS_WRAPPER_LIB" ]; then
		ob_say "ERROR: nss_wrapper not found (install libnss-wrapper); NSS_WRAPPER_LIB='$NSS_WRAPPER_LIB'"
		exit 99
	fi
	OB_PRELOAD=$NSS_WRAPPER_LIB
	# A sanitized onboardd needs the ASan runtime loaded before anything.
	if ob_sanitized; then
		OB_PRELOAD="$ASAN_LIB $OB_PRELOAD"
	fi
}

# configure sets ASAN_LIB only for a sanitized build, so it is the
# signal too when OB_SANITIZERS did not come through.
ob_sanitized() {
	[ -n "${ASAN_LIB:-}" ] && { [ "$OB_SANITIZERS" = yes ] || [ -f "$ASAN_LIB" ]; }
}

# Send the varlink calls on stdin (one JSON object a line) on one
# connection to the test daemon, and print each reply as one line.
# Quicker than one onboardctl a call, which matters with a sanitized
# onboardctl.
ob_varlink() {
	python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
buf = b""
for line in sys.stdin:
    s.sendall(line.strip().encode() + b"\0")
    while b"\0" not in buf:
        chunk = s.recv(65536)
        if not chunk:
            sys.exit("onboardd closed the connection")
        buf += chunk
    msg, buf = buf.split(b"\0", 1)
    print(msg.decode())
' "$OB_SOCKET"
}

ob_ctl() {
	"$ONBOARDCTL" --socket "$OB_SOCKET" "$@"
}

ob_start_daemon() {
	LD_PRELOAD=$OB_PRELOAD NSS_WRAPPER_PASSWD=$OB_PASSWD NSS_WRAPPER_GROUP=$OB_GROUP \
		"$ONBOARDD" --foreground --socket "$OB_SOCKET" --state-dir "$OB_STATE" \
		--config "$OB_CONF" </dev/null >>"$OB_LOG" 2>&1 &
	OB_DAEMON_PID=$!
	# Ready means answering, not only bound: wait up to 10 s.
	i=0
	while [ $i -lt 100 ]; do
		if ! kill -0 "$OB_DAEMON_PID" 2>/dev/null; then
			wait "$OB_DAEMON_PID"
			ob_say "ERROR: onboardd exited with status $? at start-up; its log:"
			sed 's/^/  | /' "$OB_LOG"
			OB_DAEMON_PID=
			exit 99
		fi
		# Any answer will do, "permission denied" (exit 1) included.
		if [ -S "$OB_SOCKET" ]; then
			ob_ctl status >/dev/null 2>&1
			case $? in 0 | 1) return 0 ;; esac
		fi
		sleep 0.1
		i=$((i + 1))
	done
	ob_say "ERROR: onboardd did not answer on $OB_SOCKET within 10 s; its log:"
	sed 's/^/  | /' "$OB_LOG"
	exit 99
}

# SIGTERM, then SIGKILL after 10 s.  Returns the daemon's exit status.
ob_kill_daemon() {
	[ -n "$OB_DAEMON_PID" ] || return 0
	kill -TERM "$OB_DAEMON_PID" 2>/dev/null
	i=0
	while kill -0 "$OB_DAEMON_PID" 2>/dev/null && [ $i -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	kill -KILL "$OB_DAEMON_PID" 2>/dev/null
	wait "$OB_DAEMON_PID"
	rc=$?
	OB_DAEMON_PID=
	return $rc
}

# Stop the daemon as a check of its own: a clean exit, and no sanitizer
# report in its log.
ob_stop_daemon() {
	ob_kill_daemon
	rc=$?
	if [ $rc -ne 0 ]; then
		ob_fail daemon_stops_cleanly "onboardd exited with status $rc after SIGTERM"
		sed 's/^/  | /' "$OB_LOG"
	elif grep -q -e 'ERROR: AddressSanitizer' -e 'ERROR: LeakSanitizer' \
		-e 'runtime error:' "$OB_LOG"; then
		ob_fail daemon_stops_cleanly "a sanitizer reported an error in onboardd's log"
		sed 's/^/  | /' "$OB_LOG"
	else
		ob_pass daemon_stops_cleanly
	fi
}

# ------------------------------------------------------------ assertions

ob_pass() {
	OB_PASSED=$((OB_PASSED + 1))
	ob_say "ok - $1"
}

ob_fail() {
	OB_FAILED=$((OB_FAILED + 1))
	ob_say "FAIL - $1: $2"
}

ob_skip() {
	OB_SKIPPED=$((OB_SKIPPED + 1))
	ob_say "SKIP: $2 ($1)"
}

# Run a command, keeping its output and status.
ob_run() {
	"$@" >"$OB_OUT" 2>"$OB_ERR"
	OB_RC=$?
}

# What came, for a failure report.
ob_show_output() {
	ob_say "  exit status: $OB_RC"
	if [ -s "$OB_OUT" ]; then
		ob_say "  stdout:"
		sed 's/^/  | /' "$OB_OUT"
	else
		ob_say "  stdout: (empty)"
	fi
	if [ -s "$OB_ERR" ]; then
		ob_say "  stderr:"
		sed 's/^/  | /' "$OB_ERR"
	else
		ob_say "  stderr: (empty)"
	fi
}

expect_ok() {
	name=$1
	shift
	ob_run "$@"
	if [ "$OB_RC" -eq 0 ]; then
		ob_pass "$name"
	else
		ob_fail "$name" "expected success of: $*"
		ob_show_output
	fi
}

# Why the last command's failure is not the one expected: empty when it
# is.  A refusal has one line on stderr, a usage error that line and the
# hint; neither prints anything on stdout.
ob_failure_problem() {
	want_rc=$1
	want_text=$2
	lines=$(wc -l <"$OB_ERR")
	if [ "$OB_RC" -ne "$want_rc" ]; then
		echo "expected exit status $want_rc, got $OB_RC"
	elif ! grep -F -q -e "$want_text" "$OB_ERR"; then
		echo "expected '$want_text' in the message"
	elif [ -s "$OB_OUT" ]; then
		echo "expected nothing on stdout"
	elif [ "$want_rc" -eq 2 ]; then
		if [ "$lines" -ne 2 ] || [ "$(sed -n 2p "$OB_ERR")" != "Try 'onboardctl --help'." ]; then
			echo "expected one line and \"Try 'onboardctl --help'.\" on stderr"
		fi
	elif [ "$lines" -ne 1 ]; then
		echo "expected exactly one line on stderr, got $lines"
	fi
}

expect_fail_with() {
	name=$1
	want_rc=$2
	want_text=$3
	shift 3
	ob_run "$@"
	problem=$(ob_failure_problem "$want_rc" "$want_text")
	if [ -z "$problem" ]; then
		ob_pass "$name"
	else
		ob_fail "$name" "$problem"
		ob_say "  command: $*"
		ob_show_output
	fi
}

# The people and codes the daemon holds, as JSON.
ob_snapshot() {
	ob_ctl --json user list >"$1" 2>&1 && ob_ctl --json code list >>"$1" 2>&1
}

expect_refused() {
	name=$1
	want_rc=$2
	want_text=$3
	shift 3
	if ! ob_snapshot "$OB_DIR/before"; then
		ob_fail "$name" "cannot list people and codes before the command"
		sed 's/^/  | /' "$OB_DIR/before"
		return
	fi
	ob_run "$@"
	problem=$(ob_failure_problem "$want_rc" "$want_text")
	if [ -z "$problem" ]; then
		ob_snapshot "$OB_DIR/after"
		if ! cmp -s "$OB_DIR/before" "$OB_DIR/after"; then
			problem="the refused command changed the people or codes"
			ob_fail "$name" "$problem"
			diff "$OB_DIR/before" "$OB_DIR/after" | sed 's/^/  | /'
			return
		fi
		ob_pass "$name"
	else
		ob_fail "$name" "$problem"
		ob_say "  command: $*"
		ob_show_output
	fi
}

# expect_absent NAME WHY FILE TEXT...: none of the TEXTs is in FILE (a
# secret that must not show there); WHY says what it means if one is.
expect_absent() {
	name=$1
	why=$2
	file=$3
	shift 3
	for text in "$@"; do
		if grep -F -q -e "$text" "$file"; then
			ob_fail "$name" "$why"
			return 1
		fi
	done
	ob_pass "$name"
}

# ob_expect_stdout NAME HOW WANT SAID COMMAND...: COMMAND succeeds and
# grep HOW (-F: the text, -E: a pattern) finds WANT on its stdout; SAID
# is what was expected, in the failure's words.
ob_expect_stdout() {
	name=$1
	how=$2
	want=$3
	said=$4
	shift 4
	ob_run "$@"
	if [ "$OB_RC" -eq 0 ] && grep "$how" -q -e "$want" "$OB_OUT"; then
		ob_pass "$name"
	else
		ob_fail "$name" "expected success and $said on stdout"
		ob_say "  command: $*"
		ob_show_output
	fi
}

expect_stdout_contains() {
	name=$1
	want=$2
	shift 2
	ob_expect_stdout "$name" -F "$want" "'$want'" "$@"
}

expect_stdout_matches() {
	name=$1
	want=$2
	shift 2
	ob_expect_stdout "$name" -E "$want" "a line matching /$want/" "$@"
}

# Whether a file holds exactly one JSON document.
ob_is_json() {
	python3 -c 'import json,sys; json.load(sys.stdin)' <"$1" 2>/dev/null
}

expect_json() {
	name=$1
	shift
	ob_run "$@"
	if [ "$OB_RC" -eq 0 ] && ob_is_json "$OB_OUT"; then
		ob_pass "$name"
	else
		ob_fail "$name" "expected success and one JSON document on stdout"
		ob_say "  command: $*"
		ob_show_output
	fi
}

# A field of the JSON document on the last command's stdout (a path of
# keys and indexes: json_field code, json_field person existing_account).
json_field() {
	python3 -c '
import json, sys
v = json.load(open(sys.argv[1]))
for k in sys.argv[2:]:
    v = v[int(k)] if isinstance(v, list) else v[k]
print(json.dumps(v) if isinstance(v, (bool, dict, list)) or v is None else v)
' "$OB_OUT" "$@" 2>/dev/null
}

ob_summary() {
	ob_say "$OB_PASSED passed, $OB_FAILED failed, $OB_SKIPPED skipped"
	if [ "$OB_FAILED" -ne 0 ]; then
		if [ -n "$OB_LOG" ] && [ -s "$OB_LOG" ]; then
			ob_say "onboardd's log:"
			sed 's/^/  | /' "$OB_LOG"
		fi
		return 1
	fi
	return 0
}
