#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# A graphical kiosk end to end: the real LightDM with the real
# lightdm-gtk-greeter on Xvfb (display :91, never :0), a private system
# bus of its own (a dbus-daemon on its own socket; no systemd), the
# shipped pam.d-examples/lightdm installed as /etc/pam.d/lightdm (the
# service name is LightDM's, fixed) with the built module on a test
# onboardd, driven with xdotool as a person at the kiosk would:
#   - a new person types the access code into the greeter's field,
#     confirms the username, sets a password, and enrols the app with
#     the key the greeter shows (read off the screen with tesseract: the
#     product has no switch that reveals a secret, and during enrolment
#     the key exists only in onboardd's memory);
#   - later logs in with password and the app's code;
#   - after an MFA reset (an access code issued with --reset-mfa) enrols
#     anew at the greeter;
#   - and the greeter answers throughout (each prompt arrives, each login
#     ends in a session, the greeter comes back).
# The screenshot of the enrolment step is kept as lightdm-enrol.png in
# $OB_LIGHTDM_SHOTS when that is set (doc/lightdm-enrol.png was taken so).
#
# /etc/pam.d/lightdm, the greeter's home /var/lib/lightdm and
# /var/lib/lightdm-data are put back exactly at exit, also on failure;
# LightDM reads its configuration from the test's own file (-c), so
# /etc/lightdm is never touched.  Every process started is killed.
srcdir_tests=${top_srcdir:+$top_srcdir/tests}
srcdir_tests=${srcdir_tests:-$(dirname "$0")/..}
. "$srcdir_tests/e2e/lib.sh"

e2e_require_root test_lightdm.sh LightDM
e2e_require lightdm /usr/sbin/lightdm-gtk-greeter Xvfb xdotool dbus-daemon import tesseract \
	oathtool useradd tar strace
if ob_sanitized; then
	# LightDM's session child loads the module; it is not ours to run
	# under the ASan runtime.
	ob_say "SKIP: the real LightDM does not load a sanitized module"
	exit 77
fi
LDM_DISPLAY=91
if [ -e /tmp/.X11-unix/X$LDM_DISPLAY ] || [ -e /tmp/.X$LDM_DISPLAY-lock ]; then
	ob_say "SKIP: display :$LDM_DISPLAY is in use"
	exit 77
fi
e2e_setup

PASSWORD=Copper-Kettle-Meadow-4471
PERSON=obldm1

# ------------------------------------------------------------- the stage

LDM=$OB_DIR/ldm
LDM_LOG=$LDM/log/lightdm.log
LDM_XAUTH=$LDM/run/root/:$LDM_DISPLAY

# What LightDM changes outside its -c file: the greeter's home and the
# shared data directory.  Put back as they were (absent included).
ldm_snapshot() {
	for d in /var/lib/lightdm /var/lib/lightdm-data; do
		name=$(echo "$d" | tr / _)
		if [ -e "$d" ]; then
			tar -C / -cpf "$OB_DIR/$name.tar" "${d#/}" || exit 99
		else
			: >"$OB_DIR/$name.absent"
		fi
	done
}

ldm_restore() {
	for d in /var/lib/lightdm /var/lib/lightdm-data; do
		name=$(echo "$d" | tr / _)
		if [ -f "$OB_DIR/$name.tar" ]; then
			rm -rf "$d" && tar -C / -xpf "$OB_DIR/$name.tar"
		elif [ -f "$OB_DIR/$name.absent" ]; then
			rm -rf "$d"
		fi
	done
}

# Every process of ours: LightDM, then what it started and left (its log
# names each), then the bus.  Only pids LightDM's log names, and only
# while they still run one of the programs we know.
ldm_stop() {
	if [ -n "$LDM_PID" ]; then
		kill "$LDM_PID" 2>/dev/null
		i=0
		while kill -0 "$LDM_PID" 2>/dev/null && [ $i -lt 50 ]; do
			sleep 0.1
			i=$((i + 1))
		done
		kill -9 "$LDM_PID" 2>/dev/null
		wait "$LDM_PID" 2>/dev/null
		LDM_PID=
	fi
	if [ -f "$LDM_LOG" ]; then
		for pid in $(sed -n -e 's/.*Launching process \([0-9]*\):.*/\1/p' \
			-e 's/.*Session pid=\([0-9]*\):.*/\1/p' "$LDM_LOG" | sort -u); do
			case $(cat "/proc/$pid/cmdline" 2>/dev/null | tr '\0' ' ') in
			*lightdm* | *Xvfb* | *"$LDM"*) kill -9 "$pid" 2>/dev/null ;;
			esac
		done
	fi
	if [ -f "$LDM/xvfb.pid" ]; then
		pid=$(cat "$LDM/xvfb.pid")
		case $(cat "/proc/$pid/cmdline" 2>/dev/null | tr '\0' ' ') in
		*Xvfb*) kill -9 "$pid" 2>/dev/null ;;
		esac
	fi
	# Anything else still on our display (the greeter's helpers): the
	# display was free when the test began, so whatever names it is ours.
	for env in /proc/[0-9]*/environ; do
		if cat "$env" 2>/dev/null | tr '\0' '\n' | grep -q -x "DISPLAY=:$LDM_DISPLAY"; then
			pid=${env#/proc/}
			kill -9 "${pid%/environ}" 2>/dev/null
		fi
	done
	if [ -n "$LDM_BUS_PID" ]; then
		kill "$LDM_BUS_PID" 2>/dev/null
		wait "$LDM_BUS_PID" 2>/dev/null
		LDM_BUS_PID=
	fi
}

ldm_cleanup() {
	ldm_stop
	ldm_restore
	rm -f "/tmp/.X$LDM_DISPLAY-lock" "/tmp/.X11-unix/X$LDM_DISPLAY"
	e2e_cleanup
}
trap ldm_cleanup EXIT
ldm_snapshot

mkdir -p "$LDM/log" "$LDM/run" "$LDM/cache" "$LDM/sessions" "$LDM/marks" || exit 99
# The session runs as the person: it must reach its script and write its
# mark.
chmod 0711 "$OB_DIR"
chmod 0755 "$LDM" "$LDM/sessions"
chmod 1777 "$LDM/marks"

# LightDM starts the X server with the arguments of a console one (vt7,
# -novtswitch, -seat); Xvfb wants a screen instead.
cat >"$LDM/xserver" <<EOF
#!/bin/sh
echo \$\$ >"$LDM/xvfb.pid"
display=\$1
auth=
while [ \$# -gt 0 ]; do
	[ "\$1" = -auth ] && auth=\$2
	shift
done
exec Xvfb "\$display" -screen 0 1024x768x24 -nolisten tcp -auth "\$auth"
EOF
# The session proves who logged in, and ends: LightDM shows the greeter
# again.
cat >"$LDM/session" <<EOF
#!/bin/sh
id -un >>"$LDM/marks/sessions"
EOF
# Named as the session lightdm-gtk-greeter asks for by default.
cat >"$LDM/sessions/lightdm-xsession.desktop" <<EOF
[Desktop Entry]
Name=onboard test session
Exec=$LDM/session
Type=Application
EOF
# The greeter as it is, but its text drawn larger (GTK's own scaling of
# fonts) and its message line in a monospace font (user CSS, which GTK
# reads from XDG_CONFIG_HOME): OCR takes a proportional 5 for an S and a
# 6 for an E, and base32 keys have both.  An administrator may well want
# the same for people reading a key off the screen.
mkdir -p "$LDM/greeter-config/gtk-3.0" || exit 99
cat >"$LDM/greeter-config/gtk-3.0/gtk.css" <<EOF
#greeter_infobar label { font-family: "DejaVu Sans Mono", monospace; }
EOF
chmod -R a+rX "$LDM/greeter-config"
cat >"$LDM/greeter" <<EOF
#!/bin/sh
GDK_DPI_SCALE=1.6 XDG_CONFIG_HOME=$LDM/greeter-config exec "\$@"
EOF
chmod 0755 "$LDM/xserver" "$LDM/session" "$LDM/greeter"
cat >"$LDM/lightdm.conf" <<EOF
[LightDM]
minimum-display-number=$LDM_DISPLAY
sessions-directory=$LDM/sessions
[Seat:*]
xserver-command=$LDM/xserver
greeter-session=lightdm-gtk-greeter
greeter-wrapper=$LDM/greeter
greeter-hide-users=true
greeter-show-manual-login=true
user-session=lightdm-xsession
session-wrapper=/usr/bin/env
EOF
cat >"$LDM/bus.conf" <<EOF
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>system</type>
  <listen>unix:path=$LDM/system_bus_socket</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow user="*"/>
    <allow own="*"/>
    <allow send_destination="*"/>
    <allow receive_sender="*"/>
  </policy>
</busconfig>
EOF

ldm_start() {
	dbus-daemon --nofork --config-file="$LDM/bus.conf" >"$LDM/bus.log" 2>&1 &
	LDM_BUS_PID=$!
	ob_wait_socket "$LDM/system_bus_socket"
	# glibc's nss-systemd asks every service in /run/systemd/userdb
	# about users and groups; another program's service there (a
	# benchmark's onboardd, say) is not this test's to wait for.
	bypass=
	for svc in /run/systemd/userdb/*; do
		svc=${svc##*/}
		case $svc in
		io.systemd.* | "*") ;;
		*) bypass=${bypass:+$bypass,}$svc ;;
		esac
	done
	DBUS_SYSTEM_BUS_ADDRESS=unix:path=$LDM/system_bus_socket SYSTEMD_BYPASS_USERDB=$bypass \
		lightdm -d -c "$LDM/lightdm.conf" --log-dir="$LDM/log" --run-dir="$LDM/run" \
		--cache-dir="$LDM/cache" >"$LDM/lightdm.out" 2>&1 &
	LDM_PID=$!
}

# ------------------------------------------------------------- the person

ldm_x() {
	DISPLAY=:$LDM_DISPLAY XAUTHORITY=$LDM_XAUTH "$@"
}

# How many times LightDM's log has a line matching $1 (grep -E).
ldm_count() {
	n=$(grep -c -E "$1" "$LDM_LOG" 2>/dev/null)
	echo "${n:-0}"
}

# Wait, at most 30 s, until the log has more than $2 lines matching $1.
# A greeter that stops answering stops here.
ldm_wait() {
	i=0
	while [ "$(ldm_count "$1")" -le "$2" ]; do
		if [ $i -ge 300 ]; then
			ob_say "no '$1' in LightDM's log after 30 s (had $2)"
			return 1
		fi
		if ! kill -0 "$LDM_PID" 2>/dev/null; then
			ob_say "LightDM exited"
			return 1
		fi
		sleep 0.1
		i=$((i + 1))
	done
	return 0
}

# Type $1 and Enter into the field that has the focus.
ldm_type() {
	ldm_x xdotool type --delay 40 -- "$1" && ldm_x xdotool key Return
}

PROMPTS=0
# Wait for the next conversation of the login that asks something, then
# type $1.  LightDM logs "Prompt greeter" for every conversation call;
# one that only tells (the module makes a call of each message before a
# prompt) it answers at once itself, so the call that asks is the one
# after which the log stays quiet.
ldm_settle() {
	ldm_wait "Prompt greeter with" "$PROMPTS" || return 1
	size=$(wc -c <"$LDM_LOG")
	while sleep 0.5 && [ "$(wc -c <"$LDM_LOG")" -ne "$size" ]; do
		size=$(wc -c <"$LDM_LOG")
	done
	PROMPTS=$(ldm_count "Prompt greeter with")
}

ldm_answer() {
	ldm_settle || return 1
	# The greeter redraws its field after the prompt arrives.
	sleep 0.3
	ldm_type "$1"
}

# The greeter's manual login starts a login without a username at once,
# its focus in the username field.  Leaving that field empty (Tab) and
# pressing Enter starts it again without one: onboard's kiosk question
# then waits in the password field.
ldm_kiosk_field() {
	cancels=$(ldm_count "Cancel authentication")
	ldm_wait "Greeter start authentication$" "$STARTS" || return 1
	ldm_wait "Prompt greeter with" "$PROMPTS" || return 1
	sleep 0.7
	before=$(ldm_count "Prompt greeter with")
	ldm_x xdotool key Tab && sleep 0.3 && ldm_x xdotool key Return || return 1
	ldm_wait "Cancel authentication" "$cancels" || return 1
	# The new login's question: ldm_answer takes it.
	ldm_wait "Prompt greeter with" "$before" || return 1
	PROMPTS=$before
	STARTS=$(ldm_count "Greeter start authentication$")
}

# A person who knows their username types it into the username field
# of a fresh greeter: the login of that name starts.
ldm_username() {
	ldm_wait "Greeter start authentication$" "$STARTS" || return 1
	STARTS=$(ldm_count "Greeter start authentication$")
	ldm_wait "Prompt greeter with" "$PROMPTS" || return 1
	PROMPTS=$(ldm_count "Prompt greeter with")
	sleep 0.7
	ldm_type "$1"
}

STARTS=0
DONE=0
SESSIONS=0
# The login ended with success, and the session ran as $1.
ldm_logged_in() {
	ldm_wait "Authenticate result for user $1: Success" "$DONE" || return 1
	DONE=$(ldm_count "Authenticate result for user $1: Success")
	i=0
	while [ "$(cat "$LDM/marks/sessions" 2>/dev/null | grep -c -x "$1")" -le "$SESSIONS" ]; do
		[ $i -ge 100 ] && ob_say "no session of $1 ran" && return 1
		sleep 0.1
		i=$((i + 1))
	done
	SESSIONS=$((SESSIONS + 1))
}
ldm_shot() {
	ldm_x import -window root "$OB_DIR/$1.png"
}

# The key the greeter shows (its last message: "Key: ABCD EFGH ..."),
# read off the screen: tesseract reads the screenshot prepared two ways,
# and each group of four letters is the one most of the readings that
# make a group of four base32 letters there agree on (base32 has no 0, 1
# or 8: those are O, I and B misread).  Its text in $OB_DIR/$1-ocr.txt.
ldm_read_key() {
	ldm_shot "$1" || return 1
	: >"$OB_DIR/$1-groups"
	n=0
	for how in "-resize 200%" "-resize 300% -threshold 50%"; do
		n=$((n + 1))
		# shellcheck disable=SC2086 # $how is options
		convert "$OB_DIR/$1.png" -crop 1024x728+0+40 -colorspace Gray $how \
			"$OB_DIR/$1-ocr$n.png" &&
			tesseract "$OB_DIR/$1-ocr$n.png" "$OB_DIR/$1-ocr$n" --psm 6 \
				>/dev/null 2>&1 || continue
		[ $n -eq 1 ] && cp "$OB_DIR/$1-ocr$n.txt" "$OB_DIR/$1-ocr.txt"
		sed -n 's/^.*Key: *//p' "$OB_DIR/$1-ocr$n.txt" | head -n 1 | tr 'a-z018' 'A-ZOIB' |
			awk '{ for (i = 1; i <= NF; i++) if ($i ~ /^[A-Z2-7][A-Z2-7][A-Z2-7][A-Z2-7]$/) print i, $i }' \
				>>"$OB_DIR/$1-groups"
	done
	sort "$OB_DIR/$1-groups" | uniq -c | sort -k2,2n -k1,1nr |
		awk '!seen[$2]++ { g[$2] = $3 }
			END { for (i = 1; i <= 8; i++) key = key (i in g ? g[i] : "????"); print key }'
}

# The app's code for key $1, $2 seconds from now.
ldm_code() {
	env -u LD_PRELOAD oathtool --totp -b --now="@$(($(date +%s) + ${2:-0}))" "$1"
}

# The key of an enrolment as onboardd sends it: strace (as root) reads
# the daemon's replies, the test-only way to learn a secret that exists
# only in the daemon's memory until the enrolment ends (the product has
# no switch that reveals it).  ldm_tap starts, ldm_tapped_key reads the
# last key and stops it.
LDM_TAP=
ldm_tap() {
	: >"$OB_DIR/tap"
	strace -q -f -p "$OB_DAEMON_PID" -e trace=write,sendto,sendmsg -e signal=none -s 65536 \
		-o "$OB_DIR/tap" 2>/dev/null &
	LDM_TAP=$!
	ob_track_pid "$LDM_TAP"
	# strace is attached once it has written its first line, or soon.
	sleep 1
}

ldm_tapped_key() {
	grep -o 'Key: [A-Z2-7 ]*' "$OB_DIR/tap" | tail -n 1 | sed 's/^Key: //' | tr -d ' '
	kill "$LDM_TAP" 2>/dev/null
	wait "$LDM_TAP" 2>/dev/null
}

# Enrolment at the greeter: wait for the code prompt, check what the
# greeter shows on the screen (OCR, screenshot $1: the key with issuer
# and account, no QR code), type the app's code.  KEY gets the key.
ldm_enrol() {
	ldm_settle || return 1
	KEY=$(ldm_tapped_key)
	sleep 0.5
	seen=$(ldm_read_key "$1")
	if ! grep -q "Account: ${PERSON%?}" "$OB_DIR/$1-ocr.txt" ||
		! grep -q "Issuer: " "$OB_DIR/$1-ocr.txt" || ! grep -q "Key: " "$OB_DIR/$1-ocr.txt"; then
		ob_say "the greeter's last message is not the key with issuer and account:"
		sed 's/^/  | /' "$OB_DIR/$1-ocr.txt"
		return 1
	fi
	case $KEY in
	[A-Z2-7][A-Z2-7][A-Z2-7][A-Z2-7][A-Z2-7][A-Z2-7][A-Z2-7][A-Z2-7]?*) ;;
	*)
		ob_say "onboardd sent no key: \"$KEY\""
		return 1
		;;
	esac
	# What the screen shows is that key: OCR may misread a few letters of
	# it (I for J, S for 5) or lose a group, not more.
	same=$(printf '%s\n%s\n' "$KEY" "$seen" | awk 'NR == 1 { a = $0 } NR == 2 {
		n = 0; for (i = 1; i <= length(a); i++) if (substr(a, i, 1) == substr($0, i, 1)) n++; print n }')
	if [ "${same:-0}" -lt 24 ]; then
		ob_say "the greeter shows another key: sent $KEY, read $seen"
		return 1
	fi
	ldm_type "$(ldm_code "$KEY")"
}

# ------------------------------------------------------------- the story

e2e_install_stack lightdm lightdm
ob_start_daemon
e2e_useradd "$PERSON"
e2e_access_code "$PERSON" Lee Dee
CODE=$E2E_CODE

ldm_start
if ! ldm_wait "Greeter start authentication" 0; then
	sed 's/^/  | /' "$LDM_LOG" "$LDM/lightdm.out" 2>/dev/null | tail -n 40
	ob_fail lightdm_greeter_starts "the greeter did not start a login"
	ob_summary
	exit 1
fi
ob_pass lightdm_greeter_starts

# ----------------------------------------------------- the first login
# The code into the greeter's password field, then the username, the new
# password twice (one conversation, two prompts), and the app's code
# computed from the key the greeter shows.
ldm_tap
if ldm_kiosk_field && ldm_answer "$CODE" && ldm_answer "$PERSON" &&
	ldm_answer "$PASSWORD" && sleep 0.5 && ldm_type "$PASSWORD" && ldm_enrol enrol &&
	ldm_logged_in "$PERSON"; then
	ob_pass lightdm_code_password_and_enrolment_at_the_greeter
else
	ob_fail lightdm_code_password_and_enrolment_at_the_greeter "see LightDM's log"
fi
FIRST_KEY=$KEY
if [ -n "$OB_LIGHTDM_SHOTS" ]; then
	cp "$OB_DIR/enrol.png" "$OB_LIGHTDM_SHOTS/lightdm-enrol.png"
fi

# ----------------------------------------------------- a later login
# The username, the password, the app's code of the next time step (the
# enrolment spent this one).
if ldm_username "$PERSON" && ldm_answer "$PASSWORD" &&
	ldm_answer "$(ldm_code "$FIRST_KEY" 30)" && ldm_logged_in "$PERSON"; then
	ob_pass lightdm_password_and_app_code_login
else
	ob_fail lightdm_password_and_app_code_login "see LightDM's log"
fi

# ------------------------------------------- an MFA reset, a new enrolment
ob_run ob_ctl --json code issue "$PERSON" --reset-mfa
CODE=$(json_field code)
[ -n "$CODE" ] || ob_fail lightdm_reset_code_issued "no code from code issue --reset-mfa"
ldm_tap
if ldm_kiosk_field && ldm_answer "$CODE" && ldm_answer "$PERSON" &&
	ldm_answer "$PASSWORD-2" && sleep 0.5 && ldm_type "$PASSWORD-2" &&
	ldm_enrol reset && ldm_logged_in "$PERSON" && [ "$KEY" != "$FIRST_KEY" ]; then
	ob_pass lightdm_mfa_reset_then_new_enrolment_at_the_greeter
else
	ob_fail lightdm_mfa_reset_then_new_enrolment_at_the_greeter "see LightDM's log"
fi

# ------------------------------------- the QR code's messages at a greeter
# With the greeter's service not graphical (graphical_services empty),
# the enrolment is the console's: intro, a QR code of about 1,700 bytes,
# the key and the URI.  Before onboard cut its texts this was one
# message of about 2,700 bytes, and lightdm-gtk-greeter, handed 1,024
# bytes of it, waited for the rest for ever.  Now it is several messages
# of at most 511 bytes, each in a conversation call of its own: the
# greeter takes them, asks for the code, and after three wrong codes
# (onboardd refuses the enrolment) starts the next login.  (LightDM
# 1.26's session child then ends with SIGSEGV, as after any failed login
# that named no user; LightDM reports "Authentication stopped before
# completion" and the greeter goes on.)
ob_stop_daemon
echo "graphical_services =" >>"$OB_CONF"
ob_start_daemon
ob_run ob_ctl --json code issue "$PERSON" --reset-mfa
CODE=$(json_field code)
fails=$(ldm_count "Authenticate result for user")
if ldm_kiosk_field && ldm_answer "$CODE" && ldm_answer "$PERSON" &&
	ldm_answer "$PASSWORD-3" && sleep 0.5 && ldm_type "$PASSWORD-3" &&
	prompts_before=$PROMPTS && ldm_settle && ldm_shot qr &&
	[ $((PROMPTS - prompts_before)) -ge 6 ] &&
	ldm_type 000000 && ldm_answer 000000 && ldm_answer 000000 &&
	ldm_wait "Authenticate result for user" "$fails" &&
	grep -q "authenticator enrolment failed" "$OB_LOG"; then
	ob_pass lightdm_qr_code_in_several_messages_does_not_freeze_the_greeter
else
	ob_fail lightdm_qr_code_in_several_messages_does_not_freeze_the_greeter "see LightDM's log"
fi

# ------------------------------------------------ the greeter still answers
# After the last session the greeter is back and starts the next login,
# which a person answers: no login ever hung it.
if ldm_wait "Greeter start authentication$" "$STARTS" &&
	ldm_wait "Prompt greeter with" "$PROMPTS" && ldm_shot last; then
	ob_pass lightdm_greeter_answers_throughout
else
	ob_fail lightdm_greeter_answers_throughout "no greeter after the last login"
fi
if [ "$OB_FAILED" -ne 0 ]; then
	ob_say "LightDM's log:"
	grep -E "Greeter|Prompt|Continue|Cancel|complete|Session pid|signal" "$LDM_LOG" |
		sed 's/^/  | /'
fi
# OB_LDM_KEEP=DIR keeps the logs and screenshots there, for a look.
if [ -n "$OB_LDM_KEEP" ]; then
	rm -rf "$OB_LDM_KEEP" && cp -a "$LDM" "$OB_LDM_KEEP" &&
		cp "$OB_DIR"/*.png "$OB_DIR"/*.txt "$OB_LOG" "$OB_LDM_KEEP/"
fi
ob_summary
