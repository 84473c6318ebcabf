#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Unfinished imports cannot exhaust onboardd's memory: a delegated
# administrator with 'users' opens 32 connections (all that one uid may
# hold) and sends UserImport pages on each without ever committing.  The
# daemon's resident memory (VmRSS) must stay under import_memory plus
# its baseline, and each connection is refused with an error that names
# the bound.  Needs root, to run the client as another uid (setpriv).
srcdir_tests=${top_srcdir:+$top_srcdir/tests}
. "${srcdir_tests:-$(dirname "$0")}/lib.sh"
py=/usr/bin/python3
[ -x "$py" ] || py=python3

if [ "$(id -u)" -ne 0 ]; then
	ob_say "SKIP: test_import_memory.sh needs root (it runs the client as another uid with setpriv)"
	exit 77
fi
if ! command -v setpriv >/dev/null 2>&1 || ! command -v "$py" >/dev/null 2>&1; then
	ob_say "SKIP: setpriv (util-linux) or python3 is not installed"
	exit 77
fi

ob_setup
rss=rss
if ob_sanitized; then
	ob_say "# a sanitized onboardd: its RSS is reported, not checked (ASan's quarantine)"
	rss=norss
fi
bound=$((16 * 1024 * 1024))
printf 'import_memory = 16M\nmax_connections_per_uid = 32\n' >>"$OB_CONF"
printf 'importer:x:1600:1600:Importer:/nonexistent:/bin/sh\n' >>"$OB_PASSWD"
chmod 0711 "$OB_DIR"
ob_start_daemon

expect_ok setup_delegated_importer ob_ctl user add importer --first-name Imp --last-name Orter \
	--existing-account --keep-unix-password --org acme --permissions users

if out=$(setpriv --reuid=1600 --regid=1600 --clear-groups "$py" \
	"${srcdir_tests:-$(dirname "$0")}/import_flood.py" "$OB_SOCKET" "$OB_DAEMON_PID" \
	"$bound" 32 "$rss" 2>&1); then
	ob_pass unfinished_imports_stay_under_import_memory
	ob_say "  $out"
else
	ob_fail unfinished_imports_stay_under_import_memory "$out"
fi

# The connections are closed: their room is free for a new import.
i=0
while :; do
	reply=$(printf '%s\n' '{"method":"io.onboard.Admin.UserImport","parameters":{"rows":[{"row":1,"username":"zz1","first_name":"A","last_name":"B"}]}}' |
		ob_varlink)
	case $reply in *'"received"'*) break ;; esac
	# The daemon notices the closed connections at its next turn.
	i=$((i + 1))
	[ $i -lt 50 ] || break
	sleep 0.1
done
case $reply in
*'"received": 1'* | *'"received":1'*) ob_pass closed_connections_give_their_room_back ;;
*) ob_fail closed_connections_give_their_room_back "$reply" ;;
esac

ob_stop_daemon
ob_summary
