#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# onboardd against clients that misbehave: one that does not read its
# replies for a while, one that never calls, one that trickles a message
# byte by byte, many connections of uid 0 and of another uid.

srcdir_tests=${top_srcdir:+$top_srcdir/tests}
. "${srcdir_tests:-$(dirname "$0")}/lib.sh"
py=/usr/bin/python3
[ -x "$py" ] || py=python3
client="$py ${srcdir_tests:-$(dirname "$0")}/server_client.py"

if ! command -v "$py" >/dev/null 2>&1; then
	echo "SKIP: python3 is not installed"
	exit 77
fi

ob_setup
printf 'max_connections_per_uid = 3\nworkers = 1\nlockout_attempts = 5\n' >>"$OB_CONF"
ob_start_daemon

check() { # NAME CMD...
	name=$1
	shift
	if out=$("$@" 2>&1); then
		ob_pass "$name"
		ob_say "  $out"
	else
		ob_fail "$name" "$out"
	fi
}

# First, on a fresh daemon (as root: the burst is 100 connections at once).
if ob_sanitized; then
	ob_skip idle_memory_is_given_back_after_a_burst "a sanitized onboardd: ASan's allocator keeps freed memory (its quarantine)"
elif [ "$(id -u)" -eq 0 ]; then
	check idle_memory_is_given_back_after_a_burst $client idle-memory "$OB_SOCKET" "$OB_DAEMON_PID"
else
	ob_skip idle_memory_is_given_back_after_a_burst "needs root (100 connections of one uid)"
fi

# Not root, this test's own uid is the capped one: count its connections
# first, before the clients below (a flood still draining) hold some.
if [ "$(id -u)" -ne 0 ]; then
	check other_uids_are_capped_per_uid $client capped "$OB_SOCKET" 3
fi
check unread_replies_leave_the_daemon_idle $client unread-replies "$OB_SOCKET" "$OB_DAEMON_PID"
check more_gets_an_error_and_keeps_the_connection $client more "$OB_SOCKET"
check silent_and_trickling_connections_are_closed $client slow-clients "$OB_SOCKET"
check calls_up_to_the_cap_are_read_longer_ones_refused $client near-cap "$OB_SOCKET"
check one_pipelining_client_does_not_starve_the_others $client flood-starves "$OB_SOCKET"
if [ "$(id -u)" -eq 0 ]; then
	check uid_0_is_not_capped_per_uid $client uid0-not-capped "$OB_SOCKET" 8
	check parallel_guesses_cannot_outrun_the_lock $client lock-race "$OB_SOCKET"
	check answers_of_100000_bytes_are_refused $client huge-answer "$OB_SOCKET"
	check setuid_clients_are_counted_for_their_real_uid $client setuid-capped "$OB_SOCKET" 3
	if command -v setpriv >/dev/null 2>&1; then
		chmod 711 "$OB_DIR"
		check other_uids_are_capped_per_uid \
			setpriv --reuid=65534 --regid=65534 --clear-groups $client capped "$OB_SOCKET" 3
	else
		ob_skip other_uids_are_capped_per_uid "setpriv is not installed"
	fi
else
	ob_skip uid_0_is_not_capped_per_uid "needs root"
	ob_skip setuid_clients_are_counted_for_their_real_uid "needs root (setresuid)"
fi

ob_stop_daemon

# systemd socket activation: the daemon serves the socket it is given.
if command -v systemd-socket-activate >/dev/null 2>&1; then
	act=$OB_DIR/activated.sock
	LD_PRELOAD=$OB_PRELOAD NSS_WRAPPER_PASSWD=$OB_PASSWD NSS_WRAPPER_GROUP=$OB_GROUP \
		systemd-socket-activate -l "$act" "$ONBOARDD" --foreground \
		--socket "$OB_DIR/unused.sock" --state-dir "$OB_STATE" --config "$OB_CONF" \
		</dev/null >>"$OB_LOG" 2>&1 &
	act_pid=$!
	ob_track_pid "$act_pid"
	ob_wait_socket "$act"
	# Only root administers: another user is refused, and the refusal
	# (onboardd's own words) shows who serves the socket all the same.
	if [ "$(id -u)" -eq 0 ]; then
		want="\"socket\": *\"$act\""
	else
		want="is not an onboard administrator"
	fi
	"$ONBOARDCTL" --socket "$act" --json status >"$OB_DIR/act.json" 2>&1
	if grep -q "$want" "$OB_DIR/act.json" && [ ! -e "$OB_DIR/unused.sock" ]; then
		ob_pass daemon_serves_the_socket_systemd_passes
	else
		ob_fail daemon_serves_the_socket_systemd_passes "status over $act: $(cat "$OB_DIR/act.json")"
	fi
	kill "$act_pid" 2>/dev/null
	wait "$act_pid" 2>/dev/null
else
	ob_skip daemon_serves_the_socket_systemd_passes "systemd-socket-activate is not installed"
fi

ob_summary
