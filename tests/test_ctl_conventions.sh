#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# onboardctl's conventions, for every command (issue 15, item 9):
#   - COMMAND --help prints that command's usage on stdout and exits 0;
#   - every usage error (an unknown option, a missing or extra argument,
#     an option of another command, an option without its value) exits 2,
#     as one line and the hint, or with --json as one JSON object on
#     stderr named io.onboard.ctl.UsageError, and nothing on stdout;
#   - with --json, an unreachable daemon and the daemon's refusal are one
#     JSON object on stderr too: io.onboard.ctl.Unreachable (exit 3), and
#     the daemon's own io.onboard.Admin.* name (exit 1).
# Runs as any user: the refusal checked is the one the caller gets.

srcdir_tests=${top_srcdir:+$top_srcdir/tests}
. "${srcdir_tests:-$(dirname "$0")}/lib.sh"

ob_setup

# Every command: its words, one argument too many (or a missing one), an
# option that belongs to another command.
# words|arguments that make a complete call|an option it does not take
COMMANDS='status||--seats=3
user add|alice --first-name A --last-name B|--seats=3
user show|alice|--force
user list||--force
user modify|alice --email a@example.org|--seats=3
user delete|alice|--seats=3
user restore|alice|--force
user purge|alice --yes|--seats=3
user import|people.csv|--seats=3
bank list||--force
code issue|alice|--seats=3
code revoke|alice|--force
code list||--force
invite send|alice|--force
invite revoke|alice|--force
invite list||--force
mfa reset|alice|--force
unlock|alice|--force
source unlock|rhost=10.0.0.1|--force
group add|ops|--force
group list||--force
group assign|alice ops|--force
group unassign|alice ops|--force
pool add|seats --seats 2|--force
pool list||--force
pool assign|alice seats|--force
pool unassign|alice seats|--force
audit||--force
doctor||--force'

# The JSON object on the last command's stderr: "NAME" when it is exactly
# one object with a string "error" and a non-empty "message", else why not.
json_error_name() {
	python3 -c '
import json, sys
lines = open(sys.argv[1]).read().splitlines()
if len(lines) != 1:
    sys.exit("expected one line on stderr, got %d" % len(lines))
o = json.loads(lines[0])
if not isinstance(o, dict) or sorted(o) != ["error", "message"]:
    sys.exit("expected an object with error and message only")
if not isinstance(o["error"], str) or not isinstance(o["message"], str) or not o["message"]:
    sys.exit("error and message must be strings, message not empty")
print(o["error"])
' "$OB_ERR" 2>&1
}

# expect_json_error NAME EXIT ERROR CMD...: CMD exits EXIT with nothing on
# stdout and one JSON object on stderr whose error is ERROR (or, ending in
# '.', begins with it).
expect_json_error() {
	name=$1
	want_rc=$2
	want_error=$3
	shift 3
	ob_run "$@"
	got=$(json_error_name)
	case $want_error in
	*.) matches=$(case $got in "$want_error"*) echo y ;; esac) ;;
	*) matches=$([ "$got" = "$want_error" ] && echo y) ;;
	esac
	if [ "$OB_RC" -eq "$want_rc" ] && [ ! -s "$OB_OUT" ] && [ "$matches" = y ]; then
		ob_pass "$name"
	else
		ob_fail "$name" "expected exit $want_rc and the JSON error $want_error on stderr ($got)"
		ob_say "  command: $*"
		ob_show_output
	fi
}

printf '%s\n' "$COMMANDS" | while IFS='|' read -r words args other; do
	tag=$(printf '%s' "$words" | tr ' ' _)
	# shellcheck disable=SC2086
	set -- $words
	# --help: that command's usage, nothing else.
	ob_run "$ONBOARDCTL" "$@" --help
	if [ "$OB_RC" -eq 0 ] && [ ! -s "$OB_ERR" ] &&
		head -n 1 "$OB_OUT" | grep -F -q "Usage: onboardctl [--socket PATH] [--json] $words " &&
		grep -q "^  $(printf '%s' "$words" | sed 's/assign$/assign|unassign/; s/unassign|unassign/assign|unassign/')" "$OB_OUT"; then
		ob_pass "${tag}_help"
	else
		ob_fail "${tag}_help" "expected exit 0 and the usage of '$words' on stdout"
		ob_show_output
	fi
	# An unknown option, as text and as JSON.
	expect_fail_with "${tag}_unknown_option_exits_2" 2 "unknown option --no-such-option" \
		"$ONBOARDCTL" --socket "$OB_SOCKET" "$@" --no-such-option
	expect_json_error "${tag}_unknown_option_json" 2 io.onboard.ctl.UsageError \
		"$ONBOARDCTL" --socket "$OB_SOCKET" --json "$@" --no-such-option
	# An option of another command.
	# shellcheck disable=SC2086
	expect_fail_with "${tag}_foreign_option_exits_2" 2 "does not apply here" \
		"$ONBOARDCTL" --socket "$OB_SOCKET" "$@" $args "$other"
	# shellcheck disable=SC2086
	expect_json_error "${tag}_foreign_option_json" 2 io.onboard.ctl.UsageError \
		"$ONBOARDCTL" --socket "$OB_SOCKET" "$@" $args "$other" --json
	# One argument too many.
	# shellcheck disable=SC2086
	expect_fail_with "${tag}_extra_argument_exits_2" 2 "unexpected argument" \
		"$ONBOARDCTL" --socket "$OB_SOCKET" "$@" $args one-too-many
	# A missing one, where the command needs any.
	case $args in
	'' | --*) ;;
	*)
		expect_fail_with "${tag}_missing_argument_exits_2" 2 "is missing" \
			"$ONBOARDCTL" --socket "$OB_SOCKET" "$@"
		expect_json_error "${tag}_missing_argument_json" 2 io.onboard.ctl.UsageError \
			"$ONBOARDCTL" --json --socket "$OB_SOCKET" "$@"
		;;
	esac
	# The daemon cannot be reached (doctor reads files, not only the
	# socket, and says so on stdout).
	if [ "$words" != doctor ] && [ "$words" != "user import" ]; then
		# shellcheck disable=SC2086
		expect_json_error "${tag}_unreachable_json" 3 io.onboard.ctl.Unreachable \
			"$ONBOARDCTL" --json --socket "$OB_DIR/nothing.sock" "$@" $args
	fi
	# Track the counts of the subshell's checks for the summary.
	printf '%s %s %s\n' "$OB_PASSED" "$OB_FAILED" "$OB_SKIPPED" >"$OB_DIR/counts"
done
read -r OB_PASSED OB_FAILED OB_SKIPPED <"$OB_DIR/counts"

# Usage errors that are not about one command.
expect_fail_with no_command_exits_2 2 "no command given" "$ONBOARDCTL"
expect_json_error no_command_json 2 io.onboard.ctl.UsageError "$ONBOARDCTL" --json
expect_fail_with unknown_command_exits_2 2 "unknown command" "$ONBOARDCTL" frobnicate
expect_json_error unknown_command_json 2 io.onboard.ctl.UsageError "$ONBOARDCTL" frobnicate --json
expect_fail_with missing_value_exits_2 2 "needs a value" "$ONBOARDCTL" audit --since
expect_fail_with value_to_flag_exits_2 2 "takes no value" "$ONBOARDCTL" user delete x --force=1
expect_fail_with bad_duration_exits_2 2 "not a duration" \
	"$ONBOARDCTL" --socket "$OB_SOCKET" code issue alice --lifetime soon
expect_json_error bad_duration_json 2 io.onboard.ctl.UsageError \
	"$ONBOARDCTL" --json --socket "$OB_SOCKET" code issue alice --lifetime soon
expect_fail_with bad_seats_exits_2 2 "--seats" \
	"$ONBOARDCTL" --socket "$OB_SOCKET" pool add p --seats many
expect_fail_with unknown_help_topic_exits_2 2 "unknown command" "$ONBOARDCTL" frobnicate --help

# The daemon's refusal keeps its name: as root, nobody is no one; as
# anyone else, the call is not theirs to make (varlink's own error).
ob_start_daemon
if [ "$(id -u)" -eq 0 ]; then
	expect_json_error refusal_json_has_daemon_error 1 io.onboard.Admin.UserNotFound \
		ob_ctl --json user show nobody
else
	expect_json_error refusal_json_has_daemon_error 1 org.varlink.service.PermissionDenied \
		ob_ctl --json user show nobody
fi
# Text mode is unchanged: one line, no JSON.
expect_fail_with refusal_text_is_one_line 1 "onboardctl: " ob_ctl user show nobody
ob_stop_daemon

ob_summary
