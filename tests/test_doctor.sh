#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# onboardctl doctor: each planted mistake of tests/doctor/ is found at its
# file and line, and nothing else; the clean tree and the shipped
# pam.d-examples give "no problems found"; the socket, the state files
# and an unreachable daemon are checked against a real onboardd in a
# temporary directory.  See tests/doctor/README for the fixtures.

srcdir_tests=${top_srcdir:+$top_srcdir/tests}
srcdir_tests=${srcdir_tests:-$(dirname "$0")}
. "$srcdir_tests/lib.sh"
FIXTURES=$(cd "$srcdir_tests/doctor" && pwd)
EXAMPLES=$(cd "$srcdir_tests/../pam.d-examples" && pwd)

# Ownership is part of what doctor checks: the daemon's files must be
# root's, which only root can arrange.
if [ "$(id -u)" -ne 0 ]; then
	ob_skip doctor "needs root (doctor checks that onboardd's socket and files are root's)"
	ob_summary
	exit 77
fi

ob_setup
ob_start_daemon
NOBODY=65534

# ------------------------------------------------------------- helpers

# A fresh tree: common/, clean/, then fixture $1 on top.  Sets $TREE.
make_tree() {
	TREE=$OB_DIR/tree-$1
	rm -rf "$TREE"
	mkdir -p "$TREE" || exit 99
	cp -R "$FIXTURES/common/." "$FIXTURES/clean/." "$TREE/" || exit 99
	if [ "$1" != clean ]; then
		cp -R "$FIXTURES/$1/." "$TREE/" || exit 99
	fi
	TREE=$(cd "$TREE" && pwd -P)
}

# The socket checked is $SOCK.
SOCK=$OB_SOCKET
doctor() {
	"$ONBOARDCTL" doctor --root "$TREE" --socket "$SOCK" --state-dir "$OB_STATE" "$@"
}

# Why the last run did not find exactly the findings listed in file $1
# (lines "PATH:LINE: PROBLEM", PATH inside $TREE unless absolute): empty
# when it did.
findings_problem() {
	want=$(grep -c . "$1")
	if [ "$want" -eq 0 ]; then
		if [ "$OB_RC" -ne 0 ] || [ "$(cat "$OB_OUT")" != "no problems found" ]; then
			echo "expected exit status 0 and only 'no problems found'"
		fi
		return
	fi
	if [ "$OB_RC" -ne 1 ]; then
		echo "expected exit status 1"
		return
	fi
	while IFS= read -r line; do
		[ -n "$line" ] || continue
		case $line in
		/*) full=$line ;;
		*) full=$TREE/$line ;;
		esac
		if ! grep -F -q -e "$full: " "$OB_OUT"; then
			echo "expected a line starting '$full: '"
			return
		fi
	done <"$1"
	if [ "$want" -eq 1 ]; then
		summary="1 problem found"
	else
		summary="$want problems found"
	fi
	if [ "$(tail -n 1 "$OB_OUT")" != "$summary" ] ||
		[ "$(wc -l <"$OB_OUT")" -ne $((want + 1)) ]; then
		echo "expected exactly $want finding(s) and '$summary'"
	fi
}

# findings_verdict NAME EXPECT-FILE PROBLEM: pass without a PROBLEM, or
# fail saying it, with the findings expected and doctor's output.
findings_verdict() {
	if [ -z "$3" ]; then
		ob_pass "$1"
	else
		ob_fail "$1" "$3"
		ob_say "  expected:"
		sed 's/^/  | /' "$2"
		ob_show_output
	fi
}

# expect_findings NAME EXPECT-FILE [ARGS...]: doctor (on $TREE) prints
# exactly those findings.
expect_findings() {
	name=$1
	expect=$2
	shift 2
	ob_run doctor "$@"
	problem=$(findings_problem "$expect")
	findings_verdict "$name" "$expect" "$problem"
}

# expect_one NAME "PATH:LINE: PROBLEM" [ARGS...]
expect_one() {
	name=$1
	printf '%s\n' "$2" >"$OB_DIR/expect"
	shift 2
	expect_findings "$name" "$OB_DIR/expect" "$@"
}

# ------------------------------------------------------------ fixtures

make_tree clean
expect_findings clean_tree_has_no_problems "$FIXTURES/clean/expect"

for dir in "$FIXTURES"/*/; do
	fixture=$(basename "$dir")
	case $fixture in common | clean | root_*) continue ;; esac
	make_tree "$fixture"
	args=
	if [ -f "$dir/args" ]; then
		args=$(sed "s|@TREE@|$TREE|g" "$dir/args")
	fi
	if [ -s "$dir/expect" ]; then
		name=doctor_finds_$fixture
	else
		name=doctor_accepts_$fixture
	fi
	# shellcheck disable=SC2086 # args are words without blanks
	expect_findings "$name" "$dir/expect" $args
done

# ------------------------------------------------- terminal escapes

# What doctor quotes of a file, a token of a bad line or an included
# name, cannot drive the terminal: an OSC that retitles the window (ESC
# ] ... BEL) and a CSI that clears the screen are printed with '?' for
# the control characters, as text and as JSON.
make_tree clean
printf 'auth\033]0;owned\007   required   pam_env.so\nauth [success=ok defualt\033[2J=die] pam_env.so\n@include common-\033[2Jx\n' \
	>>"$TREE/etc/pam.d/login"
esc_line=$(($(wc -l <"$TREE/etc/pam.d/login") - 2))
# escapes_problem FILE...: why the output is not as wanted, or nothing.
escapes_problem() {
	python3 -c '
import re, sys
out = b"".join(open(f, "rb").read() for f in sys.argv[2:])
first = int(sys.argv[1])
bad = re.search(rb"[\x00-\x09\x0b-\x1f\x7f]|\xc2[\x80-\x9f]", out)
if bad:
    print("a control character: %r" % out[max(0, bad.start() - 30):bad.end() + 10])
for want in (b"auth?]0;owned?", b"defualt?[2J=die", b"common-?[2Jx"):
    if want not in out:
        print("%s is not quoted" % want.decode())
for n in range(first, first + 3):
    if ("etc/pam.d/login:%d: " % n).encode() not in out and b"\"line\": %d," % n not in out:
        print("no finding at login:%d" % n)
' "$esc_line" "$@"
}
# escapes_filtered NAME [ARGS...]: doctor ARGS finds the problems (exit
# status 1) and prints no escape of the files.
escapes_filtered() {
	name=$1
	shift
	ob_run doctor "$@"
	problem=$(escapes_problem "$OB_OUT" "$OB_ERR")
	if [ "$OB_RC" -eq 1 ] && [ -z "$problem" ]; then
		ob_pass "$name"
	else
		ob_fail "$name" "${problem:-expected exit status 1}"
		ob_show_output
	fi
}
escapes_filtered doctor_filters_escapes_from_files
escapes_filtered doctor_json_filters_escapes_from_files --json

# ---------------------------------------------- staying inside --root

# Secrets outside every tree, each line with a marker that must never
# reach doctor's output.  ../../../ from a tree's etc/pam.d, and from its
# etc/ssh, is $OB_DIR.
MARK=doctor-secret-7f3a91
SECRETS=$OB_DIR/secrets
mkdir -p "$SECRETS/sshd.d" || exit 99
# shellcheck disable=SC2016 # a hash's "$y$", not a variable
printf 'root:%s:19000:0:99999:7:::\nalice:$y$j9T$%s:19000:0:99999:7:::\n' "$MARK" "$MARK" \
	>"$SECRETS/shadow" || exit 99
printf 'UsePAM no # %s\n' "$MARK" >"$SECRETS/sshd.conf" || exit 99
cp "$SECRETS/sshd.conf" "$SECRETS/sshd.d/50.conf" || exit 99
cp "$SECRETS/shadow" "$OB_DIR/doctor-secret" || exit 99
cp "$SECRETS/sshd.conf" "$OB_DIR/doctor-secret-sshd" || exit 99

# timeout only keeps a doctor that walks the host's filesystem (as it
# once did) from hanging the suite: the assertions are on the output.
GUARD=
command -v timeout >/dev/null 2>&1 && GUARD="timeout 120"

# expect_inside NAME EXPECT-FILE [ARGS...]: the findings of expect_findings,
# no marker anywhere in the output, and no file named outside $TREE.
expect_inside() {
	name=$1
	expect=$2
	shift 2
	# shellcheck disable=SC2086 # GUARD is a command and its argument
	ob_run $GUARD "$ONBOARDCTL" doctor --root "$TREE" --socket "$SOCK" \
		--state-dir "$OB_STATE" "$@"
	problem=$(findings_problem "$expect")
	if [ "$OB_RC" -eq 124 ]; then
		problem="doctor did not finish (killed by the guard)"
	elif grep -q "$MARK" "$OB_OUT" "$OB_ERR"; then
		problem="a line of a file outside the tree was printed"
	elif grep -v -e "^$TREE/" -e '^[0-9]* problems\{0,1\} found$' -e '^no problems found$' \
		"$OB_OUT" | grep -q .; then
		problem="a file outside the tree was named"
	fi
	findings_verdict "$name" "$expect" "$problem"
}

# ".." in a pam.d include and in sshd Includes stops at the tree's root.
make_tree root_dotdot
expect_inside doctor_dotdot_stays_inside_root "$FIXTURES/root_dotdot/expect"

# Absolute symlinks are resolved against the tree, as in a chroot: to a
# file (pam.d, sshd) and to a directory an Include pattern goes through.
make_tree root_symlink
ln -s "$SECRETS/shadow" "$TREE/etc/pam.d/site-auth" &&
	ln -s "$SECRETS/sshd.conf" "$TREE/etc/ssh/site.conf" &&
	ln -s "$SECRETS/sshd.d" "$TREE/etc/ssh/sshd_config.d" || exit 99
expect_inside doctor_symlink_resolves_inside_root "$FIXTURES/root_symlink/expect"
# And through a relative symlink that climbs as far as it can.
rm -f "$TREE/etc/pam.d/site-auth"
ln -s "../../../../../../../../../../..$SECRETS/shadow" "$TREE/etc/pam.d/site-auth" || exit 99
expect_inside doctor_relative_symlink_resolves_inside_root "$FIXTURES/root_symlink/expect"

# Include /../../../../*/*/*/*/*/* is refused as too deep, not walked.
make_tree root_glob_deep
expect_inside doctor_deep_glob_is_bounded "$FIXTURES/root_glob_deep/expect"

# PAM includes that fan out: 8^12 of them, of which doctor follows 4096.
make_tree root_pam_fanout
expect_inside doctor_pam_include_fanout_is_bounded "$FIXTURES/root_pam_fanout/expect"

# More files than doctor reads for one pattern.
make_tree root_glob_wide
mkdir "$TREE/etc/ssh/wide" || exit 99
i=0
while [ $i -lt 300 ]; do
	printf 'UsePAM yes\n' >"$TREE/etc/ssh/wide/$i.conf" || exit 99
	i=$((i + 1))
done
expect_inside doctor_wide_glob_is_bounded "$FIXTURES/root_glob_wide/expect"

# A few includes of big files: the lines doctor reads are bounded too.
make_tree root_pam_lines
i=0
while [ $i -lt 30000 ]; do
	echo 'auth optional pam_permit.so'
	i=$((i + 1))
done >"$TREE/etc/pam.d/site-big" || exit 99
expect_inside doctor_pam_lines_are_bounded "$FIXTURES/root_pam_lines/expect"

# Many Include lines, each within its bound, do not add up without one.
make_tree root_glob_many
mkdir "$TREE/many" || exit 99
(cd "$TREE/many" && seq 1 2000 | xargs touch) || exit 99
i=0
while [ $i -lt 40 ]; do
	printf 'Include /many/x*\n' >>"$TREE/etc/ssh/sshd_config" || exit 99
	i=$((i + 1))
done
expect_inside doctor_many_include_lines_are_bounded_together "$FIXTURES/root_glob_many/expect"

# A FIFO and a device are named, never opened.  The kernel tells: an
# inotify watch on each sees every open of it (not doctor's O_PATH
# look-ups, which open nothing), and is read once doctor has exited.
WATCH='
import ctypes, os, subprocess, sys
IN_OPEN = 0x20
sep = sys.argv.index("--")
libc = ctypes.CDLL(None, use_errno=True)
fd = libc.inotify_init1(os.O_NONBLOCK | os.O_CLOEXEC)
if fd < 0:
    sys.exit(99)
for path in sys.argv[2:sep]:
    if libc.inotify_add_watch(fd, path.encode(), IN_OPEN) < 0:
        sys.exit(99)
rc = subprocess.run(sys.argv[sep + 1:]).returncode
try:
    opens = len(os.read(fd, 65536)) // 16
except BlockingIOError:
    opens = 0
with open(sys.argv[1], "w") as f:
    f.write("%d\n" % opens)
sys.exit(rc)
'
make_tree root_special
mkfifo "$TREE/etc/pam.d/pipe" "$TREE/etc/ssh/pipe" || exit 99
if ! mknod "$TREE/etc/ssh/null" c 1 3 2>/dev/null; then
	ob_skip doctor_fifo_and_device_are_not_opened "cannot make a device node here"
else
	: >"$OB_DIR/opens"
	expect_inside doctor_fifo_and_device_are_reported "$FIXTURES/root_special/expect"
	# shellcheck disable=SC2086 # GUARD is a command and its argument
	ob_run python3 -c "$WATCH" "$OB_DIR/opens" "$TREE/etc/pam.d/pipe" "$TREE/etc/ssh/pipe" \
		"$TREE/etc/ssh/null" -- $GUARD "$ONBOARDCTL" doctor --root "$TREE" --socket "$SOCK" \
		--state-dir "$OB_STATE"
	if [ "$OB_RC" -eq 1 ] && [ "$(cat "$OB_DIR/opens")" = 0 ]; then
		ob_pass doctor_fifo_and_device_are_not_opened
	else
		ob_fail doctor_fifo_and_device_are_not_opened \
			"expected exit 1 and no open (opens seen: $(cat "$OB_DIR/opens"))"
		ob_show_output
	fi
fi

# ------------------------------------------------- the shipped examples

# Every example, onboard-demo with its placeholders filled in as
# scripts/demo.sh does.
make_tree clean
rm -f "$TREE/etc/pam.d/login" "$TREE/etc/pam.d/sshd"
for f in login sshd su kiosk lightdm passwd onboard-demo; do
	sed -e 's|@PAM_ONBOARD_SO@|pam_onboard.so|' -e 's|@SOCKET@|/run/onboard/onboardd.sock|' \
		"$EXAMPLES/$f" >"$TREE/etc/pam.d/$f" || exit 99
done
expect_findings shipped_examples_have_no_problems "$FIXTURES/clean/expect"

# ------------------------------------------------ real "sshd -T" output

# What the installed sshd prints is what doctor reads on a host.  sshd -T
# wants /run/sshd: it gets one in a private mount namespace, so the
# host's /run is not touched.
SSHD=
for p in /usr/sbin/sshd /usr/local/sbin/sshd /sbin/sshd; do
	[ -x "$p" ] && SSHD=$p && break
done
make_tree clean
printf 'UsePAM yes\nKbdInteractiveAuthentication no\nAuthenticationMethods publickey\n' \
	>"$OB_DIR/sshd_config.real"
# shellcheck disable=SC2016 # $0 and $1 belong to the inner shell
if [ -z "$SSHD" ] || ! command -v unshare >/dev/null 2>&1; then
	ob_skip real_sshd_T_output_is_read "no sshd or no unshare(1) here"
elif ! unshare -m sh -c 'mount -t tmpfs tmpfs /run && mkdir /run/sshd &&
		exec "$0" -T -f "$1"' "$SSHD" "$OB_DIR/sshd_config.real" \
		>"$TREE/sshd-T.txt" 2>"$OB_DIR/sshd-T.err"; then
	ob_skip real_sshd_T_output_is_read "$SSHD -T failed: $(head -n 1 "$OB_DIR/sshd-T.err")"
else
	kbd=$(grep -n '^kbdinteractiveauthentication no$' "$TREE/sshd-T.txt" | cut -d: -f1)
	methods=$(grep -n '^authenticationmethods publickey$' "$TREE/sshd-T.txt" | cut -d: -f1)
	{
		echo "sshd-T.txt:$kbd: keyboard-interactive is disabled"
		echo "sshd-T.txt:$methods: AuthenticationMethods never includes keyboard-interactive"
	} >"$OB_DIR/expect.real"
	expect_findings real_sshd_T_output_is_read "$OB_DIR/expect.real" \
		--sshd-config "$TREE/sshd-T.txt"
fi

# ------------------------------------------------------ --json, --help

make_tree sufficient_above
ob_run doctor --json
if [ "$OB_RC" -eq 1 ] && ob_is_json "$OB_OUT" && [ "$(json_field problems)" = 1 ] &&
	[ "$(json_field findings 0 file)" = "$TREE/etc/pam.d/login" ] &&
	[ "$(json_field findings 0 line)" = 3 ] &&
	[ "$(json_field findings 0 check)" = pam-skip-done ]; then
	ob_pass doctor_json_is_one_document_with_findings
else
	ob_fail doctor_json_is_one_document_with_findings \
		"expected exit 1 and {findings: [{file: .../login, line: 3, check: pam-skip-done}], problems: 1}"
	ob_show_output
fi
make_tree clean
ob_run doctor --json
if [ "$OB_RC" -eq 0 ] && ob_is_json "$OB_OUT" && [ "$(json_field problems)" = 0 ] &&
	[ "$(json_field findings)" = "[]" ]; then
	ob_pass doctor_json_clean_has_empty_findings
else
	ob_fail doctor_json_clean_has_empty_findings "expected exit 0 and an empty findings array"
	ob_show_output
fi
expect_fail_with doctor_refuses_missing_root 2 "--root" \
	"$ONBOARDCTL" doctor --root "$OB_DIR/no-such-tree"
expect_fail_with doctor_refuses_empty_path 2 "a path is empty" \
	"$ONBOARDCTL" doctor --state-dir=

# ------------------------------------------------ socket, state, daemon

make_tree clean

SOCK=$OB_DIR/none.sock
expect_one socket_missing_is_found "$SOCK:0: onboardd's socket is missing"

: >"$OB_DIR/plain"
SOCK=$OB_DIR/plain
expect_one socket_not_a_socket_is_found "$SOCK:0: not a socket"
SOCK=$OB_SOCKET

chmod 0600 "$OB_SOCKET"
expect_one socket_mode_that_keeps_callers_out_is_found \
	"$OB_SOCKET:0: socket mode keeps callers out"
chmod 0666 "$OB_SOCKET"

chown "$NOBODY" "$OB_SOCKET"
expect_one socket_not_owned_by_root_is_found "$OB_SOCKET:0: socket not owned by root"
chown 0 "$OB_SOCKET"

chmod 0777 "$OB_DIR"
expect_one socket_directory_writable_by_others_is_found \
	"$OB_DIR:0: directory writable by group or others"
chmod 0700 "$OB_DIR"

# $OB_DIR sits in the sticky /tmp: its owner, not /tmp, is to blame.
chown "$NOBODY" "$OB_DIR"
expect_one socket_directory_not_owned_by_root_is_found \
	"$OB_DIR:0: directory not owned by root"
chown 0 "$OB_DIR"

# A socket file nobody listens on.
python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX)
s.bind(sys.argv[1])
s.close()
' "$OB_DIR/stale.sock" && chmod 0666 "$OB_DIR/stale.sock"
SOCK=$OB_DIR/stale.sock
expect_one daemon_unreachable_is_found "$SOCK:0: onboardd does not answer"
SOCK=$OB_SOCKET

# A socket that root made, served by nobody: it answers GetInfo as
# onboardd does, but the kernel names nobody as the peer, since that is
# who called listen(2).
SERVE='
import socket, sys
s = socket.socket(fileno=int(sys.argv[1]))
s.listen(4)
while True:
    c, _ = s.accept()
    try:
        buf = b""
        while b"\0" not in buf:
            d = c.recv(4096)
            if not d:
                break
            buf += d
        if buf:
            c.sendall(b"{\"parameters\":{\"vendor\":\"someone else\",\"product\":\"x\",\"version\":\"0\",\"url\":\"\",\"interfaces\":[]}}\0")
    except OSError:
        pass
    c.close()
'
if ! command -v setpriv >/dev/null 2>&1; then
	ob_skip daemon_not_root_is_found "setpriv (util-linux) is not installed"
else
	python3 -c '
import os, socket, sys
s = socket.socket(socket.AF_UNIX)
s.bind(sys.argv[1])
os.chmod(sys.argv[1], 0o666)
os.set_inheritable(s.fileno(), True)
os.execvp("setpriv", ["setpriv", "--reuid=" + sys.argv[2], "--regid=" + sys.argv[2],
                      "--clear-groups", "python3", "-c", sys.argv[3], str(s.fileno())])
' "$OB_DIR/other.sock" "$NOBODY" "$SERVE" &
	other_pid=$!
	ob_track_pid "$other_pid"
	# Ready once it accepts.
	i=0
	until python3 -c '
import socket, sys
socket.socket(socket.AF_UNIX).connect(sys.argv[1])' "$OB_DIR/other.sock" 2>/dev/null; do
		i=$((i + 1))
		if [ $i -gt 50 ] || ! kill -0 "$other_pid" 2>/dev/null; then
			ob_say "ERROR: the listener run as nobody did not start"
			exit 99
		fi
		sleep 0.1
	done
	SOCK=$OB_DIR/other.sock
	expect_one daemon_not_root_is_found "$SOCK:0: onboardd does not run as root"
	SOCK=$OB_SOCKET
	kill "$other_pid"
	wait "$other_pid" 2>/dev/null
fi

chmod 0644 "$OB_STATE/secret.key"
expect_one key_file_readable_by_others_is_found \
	"$OB_STATE/secret.key:0: readable by group or others"
chmod 0600 "$OB_STATE/secret.key"

chown "$NOBODY" "$OB_STATE/secret.key"
expect_one key_file_not_owned_by_root_is_found "$OB_STATE/secret.key:0: not owned by root"
chown 0 "$OB_STATE/secret.key"

chmod 0640 "$OB_STATE/data.mdb"
expect_one database_readable_by_group_is_found \
	"$OB_STATE/data.mdb:0: readable by group or others"
chmod 0600 "$OB_STATE/data.mdb"

chmod 0755 "$OB_STATE"
expect_one state_directory_open_is_found \
	"$OB_STATE:0: state directory open to group or others"
chmod 0700 "$OB_STATE"

# key_file in onboardd.conf moves the key file out of the state directory.
mkdir -p "$TREE/etc/onboard" "$TREE/etc/keys"
printf 'key_file = /etc/keys/onboard.key\n' >"$TREE/etc/onboard/onboardd.conf"
(umask 022 && : >"$TREE/etc/keys/onboard.key")
expect_one key_file_from_config_is_checked \
	"$TREE/etc/keys/onboard.key:0: readable by group or others"

# The default socket and state directory are looked up inside the tree
# too: absolute symlinks in it to this host's running onboardd and its
# state lead nowhere, so doctor neither talks to that daemon nor judges
# its files (a loose key file here is not the tree's).
make_tree clean
mkdir -p "$TREE/run" "$TREE/var/lib" || exit 99
ln -s "$OB_DIR" "$TREE/run/onboard" && ln -s "$OB_STATE" "$TREE/var/lib/onboard" || exit 99
chmod 0644 "$OB_STATE/secret.key"
printf '%s\n' "run/onboard/onboardd.sock:0: onboardd's socket is missing" \
	"var/lib/onboard:0: cannot check onboardd's state directory" >"$OB_DIR/expect"
ob_run "$ONBOARDCTL" doctor --root "$TREE"
findings_verdict doctor_default_socket_and_state_stay_inside_root "$OB_DIR/expect" "$(findings_problem "$OB_DIR/expect")"
chmod 0600 "$OB_STATE/secret.key"
# The socket found inside the tree (here a hard link to onboardd's) is
# the one doctor talks to.
rm -f "$TREE/run/onboard"
mkdir -p "$TREE/run/onboard" || exit 99
ln "$OB_SOCKET" "$TREE/run/onboard/onboardd.sock" || exit 99
printf '%s\n' "var/lib/onboard:0: cannot check onboardd's state directory" >"$OB_DIR/expect"
ob_run "$ONBOARDCTL" doctor --root "$TREE"
findings_verdict doctor_talks_to_the_socket_inside_root "$OB_DIR/expect" "$(findings_problem "$OB_DIR/expect")"

make_tree clean
expect_findings everything_restored_has_no_problems "$FIXTURES/clean/expect"

ob_stop_daemon
ob_summary
