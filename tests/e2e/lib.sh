# SPDX-License-Identifier: BSD-3-Clause
# Shared helpers of the end-to-end tests (POSIX sh; source it with
# $srcdir_tests set: it sources tests/lib.sh first).  These tests run the real programs (sshd, login, su)
# with the shipped pam.d-examples and the built module against a test
# onboardd, so they need root and change the host: Unix accounts, a
# service file in /etc/pam.d.  Everything changed is put back byte for
# byte at exit, also on failure or interrupt.
#
#   e2e_require_root TEST        skip (77) with a message unless root
#   e2e_require PROG...          skip unless every program is installed
#   e2e_setup                    ob_setup, the system-file lock, the
#                                account files protected, a daemon that
#                                sees the host's real accounts
#   e2e_useradd NAME [OPTS]      a Unix account, removed with its home at exit
#   e2e_unix_account NAME [OPTS] the same with $UNIX_PASSWORD as its password
#   e2e_install_stack EX SVC     pam.d-examples/EX as /etc/pam.d/SVC, with
#                                the built module on the test socket
#   e2e_invite NAME              a person with an invitation: $E2E_CODE
#   e2e_access_code NAME         a person with an access code: $E2E_CODE
#   e2e_dialog OUT ANSWERS... -- PROGRAM ARG...
#                                tests/e2e/dialog.exp on a terminal;
#                                output in $OB_DIR/OUT.out, status returned
#   e2e_logged_in NAME OUT USER STATUS
#                                pass when the dialogue ended with status 0
#                                and the command ran as USER
#   e2e_refused NAME OUT STATUS TEXT...
#                                pass when it failed, each TEXT was shown
#                                and no command ran (a time-out is no
#                                refusal)
#   e2e_registered NAME HOME OUT USER STATUS
#                                e2e_logged_in, e2e_check_home, and
#                                E2E_TOTP_KEY from the enrolment
#   e2e_adopted_logins DRIVE USER CODE REFUSAL NAME...
#                                an adopted account's registration, login
#                                and refused old password through DRIVE
#   e2e_preload_foreign          LD_PRELOAD for sshd/login in a sanitized
#                                build (the module needs the ASan runtime)

. "$srcdir_tests/lib.sh"

E2E_TOP=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
E2E_DIALOG="$E2E_TOP/tests/e2e/dialog.exp"
: "${PAM_ONBOARD_SO:=./.libs/pam_onboard.so}"
E2E_ACCOUNTS=
E2E_MADE_DIRS=

e2e_require_root() {
	if [ "$(id -u)" -ne 0 ]; then
		ob_say "SKIP: $1 runs the real $2 as root, with its own Unix accounts and PAM service; run it as root"
		exit 77
	fi
}

e2e_require() {
	for prog in "$@"; do
		if ! command -v "$prog" >/dev/null 2>&1 && [ ! -x "$prog" ]; then
			ob_say "SKIP: $prog is not installed (scripts/deps.sh installs it)"
			exit 77
		fi
	done
}

# Everything the test made goes: its programs (ob_track_pid), accounts
# (through the restored files), their homes and mail, the directories it
# had to create.
e2e_cleanup() {
	ob_kill_tracked
	ob_kill_daemon
	# lastlog is indexed by uid: a later account with the same uid must
	# not inherit "Last login" of ours.
	for name in $E2E_ACCOUNTS; do
		lastlog -C -u "$name" >/dev/null 2>&1
	done
	ob_restore_files
	for name in $E2E_ACCOUNTS; do
		rm -rf "/home/${name:?}" "/var/mail/${name:?}"
	done
	for dir in $E2E_MADE_DIRS; do
		rmdir "$dir" 2>/dev/null
	done
	ob_cleanup
}

e2e_setup() {
	PAM_ONBOARD_SO=$(ob_abs "$PAM_ONBOARD_SO")
	if [ ! -f "$PAM_ONBOARD_SO" ]; then
		ob_say "ERROR: $PAM_ONBOARD_SO is not built (run make first, or set PAM_ONBOARD_SO)"
		exit 99
	fi
	ob_setup
	trap e2e_cleanup EXIT
	ob_lock_system_files
	ob_protect_accounts
	# The daemon must see the accounts useradd makes: no nss_wrapper,
	# only the ASan runtime when lib.sh put it first.
	case $OB_PRELOAD in
	*" "*) OB_PRELOAD=${OB_PRELOAD%% *} ;;
	*) OB_PRELOAD= ;;
	esac
	E2E_ANSWERS=$OB_DIR/answers
	E2E_KEY_FILE=$OB_DIR/totp.key
	export E2E_KEY_FILE
}

# A test account.  It must not exist yet: the test would otherwise
# change, and at exit remove, someone's real account.
e2e_useradd() {
	name=$1
	shift
	if getent passwd "$name" >/dev/null; then
		ob_say "ERROR: the account $name exists already; the test will not touch it"
		exit 99
	fi
	if ! useradd -M -s /bin/sh "$@" "$name" >"$OB_ERR" 2>&1; then
		ob_say "ERROR: useradd $name failed:"
		sed 's/^/  | /' "$OB_ERR"
		exit 99
	fi
	E2E_ACCOUNTS="$E2E_ACCOUNTS $name"
}

# e2e_unix_account NAME [USERADD OPTION...]: e2e_useradd, with
# $UNIX_PASSWORD as the account's own Unix password.
e2e_unix_account() {
	e2e_useradd "$@"
	printf '%s:%s\n' "$1" "$UNIX_PASSWORD" | chpasswd || exit 99
}

# A directory the program needs that the host may lack; removed at exit
# when the test made it.
e2e_need_dir() {
	if [ ! -d "$1" ]; then
		mkdir -m "$2" "$1" || exit 99
		E2E_MADE_DIRS="$1 $E2E_MADE_DIRS"
	fi
}

# The example as the administrator would install it, but with the built
# module by absolute path and the test daemon's socket.  Comment lines
# are left as they are; every pam_onboard.so line must have been
# rewritten, or the test would run without the module under test.
e2e_install_stack() {
	example=$E2E_TOP/pam.d-examples/$1
	target=/etc/pam.d/$2
	ob_protect_file "$target"
	# Written beside and renamed, so that no program reads half a stack.
	if ! sed -e "/^[[:space:]]*#/!s|[[:space:]]pam_onboard\\.so| $PAM_ONBOARD_SO socket=$OB_SOCKET|" \
		"$example" >"$target.e2e-tmp" || ! chmod 0644 "$target.e2e-tmp" ||
		! mv "$target.e2e-tmp" "$target"; then
		rm -f "$target.e2e-tmp"
		ob_say "ERROR: cannot install $example as $target"
		exit 99
	fi
	want=$(grep -c '^[^#]*[[:space:]]pam_onboard\.so' "$example")
	got=$(grep -c -F "$PAM_ONBOARD_SO socket=$OB_SOCKET" "$target")
	if [ "$want" -lt 2 ] || [ "$got" -ne "$want" ]; then
		ob_say "ERROR: $example: expected pam_onboard.so in auth and account, rewrote $got of $want lines"
		exit 99
	fi
}

# A person with an invitation shown to the administrator ("code").
e2e_invite() {
	ob_run ob_ctl --json user add "$1" --first-name "$2" --last-name "$3" \
		--existing-account --invite
	E2E_CODE=$(json_field code)
	if [ "$OB_RC" -ne 0 ] || [ -z "$E2E_CODE" ]; then
		ob_say "ERROR: onboardctl user add $1 --invite gave no code"
		ob_show_output
		exit 99
	fi
}

# A person without a password and an access code for them.
e2e_access_code() {
	ob_run ob_ctl user add "$1" --first-name "$2" --last-name "$3" --existing-account
	if [ "$OB_RC" -ne 0 ]; then
		ob_say "ERROR: onboardctl user add $1 failed"
		ob_show_output
		exit 99
	fi
	e2e_issue_code "$1"
}

e2e_issue_code() {
	ob_run ob_ctl --json code issue "$1"
	E2E_CODE=$(json_field code)
	if [ "$OB_RC" -ne 0 ] || [ -z "$E2E_CODE" ]; then
		ob_say "ERROR: onboardctl code issue $1 gave no code"
		ob_show_output
		exit 99
	fi
}

# The ASan runtime for sshd and login, which are not sanitized but load
# our sanitized module; their own leaks are not ours to report.
E2E_PRELOAD_ENV=
e2e_preload_foreign() {
	if ob_sanitized; then
		# shellcheck disable=SC2034 # used by the tests
		E2E_PRELOAD_ENV="LD_PRELOAD=$ASAN_LIB ASAN_OPTIONS=detect_leaks=0:abort_on_error=1"
	fi
}

# e2e_dialog OUT ANSWER... -- PROGRAM ARG...
e2e_dialog() {
	out=$OB_DIR/$1.out
	shift
	: >"$E2E_ANSWERS"
	while [ $# -gt 0 ] && [ "$1" != -- ]; do
		printf '%s\n' "$1" >>"$E2E_ANSWERS"
		shift
	done
	shift
	rm -f "$E2E_KEY_FILE"
	expect -f "$E2E_DIALOG" "$E2E_ANSWERS" "$@" >"$out" 2>&1 </dev/null
}

e2e_show() {
	ob_say "  exit status: $2; what the terminal showed:"
	# The QR code is long and says nothing about a failure.
	grep -v -e '█' -e '▀' -e '▄' "$OB_DIR/$1.out" | tr -d '\r' | sed 's/^/  | /'
}

# The remote or shell command prints this line; the typed command, if
# echoed, does not match it.
# shellcheck disable=SC2016,SC2034 # expanded by the login's shell; used by the tests
E2E_ID_CMD='echo "E2E-ID=$(id -un)"'

# A sanitized module reports on the terminal of the program that loaded it.
e2e_sanitizer_report() {
	grep -q -e 'ERROR: AddressSanitizer' -e 'ERROR: LeakSanitizer' -e 'runtime error:' \
		"$OB_DIR/$1.out"
}

e2e_logged_in() {
	if e2e_sanitizer_report "$2"; then
		ob_fail "$1" "a sanitizer reported an error"
		e2e_show "$2" "$4"
	elif [ "$4" -ne 0 ]; then
		ob_fail "$1" "the login of $3 failed"
		e2e_show "$2" "$4"
	elif ! tr -d '\r' <"$OB_DIR/$2.out" | grep -q -x "E2E-ID=$3"; then
		ob_fail "$1" "the command did not run as $3"
		e2e_show "$2" "$4"
	else
		ob_pass "$1"
		return 0
	fi
	return 1
}

e2e_refused() {
	name=$1
	out=$2
	rc=$3
	shift 3
	if e2e_sanitizer_report "$out"; then
		ob_fail "$name" "a sanitizer reported an error"
	elif [ "$rc" -eq 0 ] || tr -d '\r' <"$OB_DIR/$out.out" | grep -q '^E2E-ID='; then
		ob_fail "$name" "the login went through"
	elif [ "$rc" -eq 96 ] || [ "$rc" -eq 98 ]; then
		ob_fail "$name" "the dialogue did not get to the refusal (dialog.exp status $rc)"
	else
		for text in "$@"; do
			if ! grep -q -F -e "$text" "$OB_DIR/$out.out"; then
				ob_fail "$name" "refused, but '$text' was not shown"
				e2e_show "$out" "$rc"
				return 1
			fi
		done
		ob_pass "$name"
		return 0
	fi
	e2e_show "$out" "$rc"
	return 1
}

# e2e_registered LOGGED_IN HOME OUT USER RC: the first login OUT of USER
# (status RC) registered and enrolled: e2e_logged_in as LOGGED_IN,
# e2e_check_home as HOME, and E2E_TOTP_KEY becomes the key it showed,
# for the logins after it.
e2e_registered() {
	e2e_logged_in "$1" "$3" "$4" "$5"
	e2e_check_home "$2" "$4"
	E2E_TOTP_KEY=$(e2e_key)
	export E2E_TOTP_KEY
}

# e2e_adopted_logins DRIVE USER CODE REFUSAL NAME1 NAME2 NAME3 NAME4: the
# adopted account USER through DRIVE (login_as or su_as, called as DRIVE
# OUT USER ANSWER...): the first login with the access code CODE
# registers, with a new $PASSWORD, and enrols (e2e_registered as NAME1,
# NAME2); the next takes the password and the authenticator's next code
# (NAME3); the old $UNIX_PASSWORD is refused by onboard, showing
# REFUSAL, and not asked again by pam_unix (NAME4).  DRIVE sets $out and
# $user: the names here are its own.
e2e_adopted_logins() {
	e2e_al_drive=$1
	e2e_al_user=$2
	e2e_al_code=$3
	e2e_al_refusal=$4
	shift 4
	E2E_TOTP_KEY=
	"$e2e_al_drive" code "$e2e_al_user" "$e2e_al_code" "$e2e_al_user" "$PASSWORD" \
		"$PASSWORD" @TOTP
	e2e_registered "$1" "$2" code "$e2e_al_user" $?
	# The next time step: the enrolment used this one.
	"$e2e_al_drive" password "$e2e_al_user" "$PASSWORD" @TOTP+30
	e2e_logged_in "$3" password "$e2e_al_user" $?
	"$e2e_al_drive" wrongpw "$e2e_al_user" "$UNIX_PASSWORD" "$UNIX_PASSWORD"
	e2e_refused "$4" wrongpw $? "$e2e_al_refusal"
}

# The key shown at the last enrolment.
e2e_key() {
	cat "$E2E_KEY_FILE" 2>/dev/null
}

# Whether the first login made NAME's home directory, theirs and private.
e2e_check_home() {
	got=$(stat -c '%U %a' "/home/$2" 2>/dev/null)
	if [ "$got" = "$2 700" ]; then
		ob_pass "$1"
	else
		ob_fail "$1" "/home/$2: expected owner $2 and mode 700, got '${got:-no directory}'"
	fi
}

# ------------------------------------------------------------- sshd

# e2e_start_sshd SERVICE: the real sshd on a free port of 127.0.0.1, as
# PAM service SERVICE (sshd names it after its program: a link of that
# name), with pam.d-examples/sshd installed as /etc/pam.d/SERVICE, root's
# own key, and its log in $SSHD_LOG; then e2e_ssh_kbd and e2e_ssh_root log
# in through it.
e2e_start_sshd() {

	# A port nobody listens on now.
	PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])') ||
		exit 99
	SSHD_DIR=$OB_DIR/sshd
	mkdir -m 0700 "$SSHD_DIR" || exit 99
	ssh-keygen -q -t ed25519 -N '' -C onboard-e2e-host -f "$SSHD_DIR/host_key" || exit 99
	ssh-keygen -q -t ed25519 -N '' -C onboard-e2e-root -f "$SSHD_DIR/root_key" || exit 99
	cp "$SSHD_DIR/root_key.pub" "$SSHD_DIR/authorized_keys.root" || exit 99
	# StrictModes would refuse key files below the world-writable /tmp.
	cat >"$SSHD_DIR/sshd_config" <<EOF
ListenAddress 127.0.0.1:$PORT
HostKey $SSHD_DIR/host_key
PidFile $SSHD_DIR/sshd.pid
UsePAM yes
KbdInteractiveAuthentication yes
PasswordAuthentication no
PubkeyAuthentication yes
AuthorizedKeysFile $SSHD_DIR/authorized_keys.%u
StrictModes no
PermitRootLogin prohibit-password
UseDNS no
PrintMotd no
PrintLastLog no
Subsystem sftp internal-sftp
LogLevel VERBOSE
EOF
	ln -s /usr/sbin/sshd "$SSHD_DIR/$1" || exit 99
	# sshd's privilege separation directory, which its service unit makes.
	e2e_need_dir /run/sshd 0755
	e2e_install_stack sshd "$1"

	SSHD_LOG=$OB_DIR/sshd.log
	# shellcheck disable=SC2086 # E2E_PRELOAD_ENV is words without blanks
	env $E2E_PRELOAD_ENV "$SSHD_DIR/$1" -D -e -f "$SSHD_DIR/sshd_config" \
		</dev/null >"$SSHD_LOG" 2>&1 &
	sshd_pid=$!
	ob_track_pid "$sshd_pid"
	i=0
	until grep -q "Server listening on 127.0.0.1 port $PORT" "$SSHD_LOG"; do
		i=$((i + 1))
		if [ $i -gt 100 ] || ! kill -0 "$sshd_pid" 2>/dev/null; then
			ob_say "ERROR: sshd did not start on 127.0.0.1:$PORT; its log:"
			sed 's/^/  | /' "$SSHD_LOG"
			exit 99
		fi
		sleep 0.1
	done
	SSH_OPTS="-F /dev/null -p $PORT -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null
-o GlobalKnownHostsFile=/dev/null -o LogLevel=ERROR -o NumberOfPasswordPrompts=1"
}

# e2e_ssh_kbd OUT USER ANSWER...: a keyboard-interactive login running the
# id command; the status is ssh's.
e2e_ssh_kbd() {
	out=$1
	user=$2
	shift 2
	# shellcheck disable=SC2086 # SSH_OPTS is words without blanks
	e2e_dialog "$out" "$@" -- ssh $SSH_OPTS -o PreferredAuthentications=keyboard-interactive \
		"$user@127.0.0.1" "$E2E_ID_CMD"
}

# e2e_ssh_root OUT: root by its public key, never asked anything.
e2e_ssh_root() {
	# shellcheck disable=SC2086
	e2e_dialog "$1" -- ssh $SSH_OPTS -o PreferredAuthentications=publickey -o BatchMode=yes \
		-o IdentitiesOnly=yes -i "$SSHD_DIR/root_key" root@127.0.0.1 "$E2E_ID_CMD"
}
