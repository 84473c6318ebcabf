#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Install the dependencies, build, and run onboardd in the foreground on
# a socket and state directory under ./demo, with a first person (ada)
# holding a fresh access code, and a PAM service "onboard-demo" to try a
# login with pamtester.  Ctrl-C stops the daemon and removes the service.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

sh scripts/deps.sh
# autoreconf is chatty; show what it said only when it fails.
if ! autoreconf -fi >"${TMPDIR:-/tmp}/onboard-autoreconf.log" 2>&1; then
	cat "${TMPDIR:-/tmp}/onboard-autoreconf.log" >&2
	exit 1
fi
build="$top/build/demo"
mkdir -p "$build"
[ -f "$build/Makefile" ] || (cd "$build" && "$top/configure" -q)
make -C "$build" -j"$(nproc 2>/dev/null || echo 2)" onboardd onboardctl pam_onboard.la >/dev/null

demo="$top/demo"
sock="$demo/onboardd.sock"
mkdir -p "$demo"
chmod 700 "$demo"
if [ ! -f "$demo/onboardd.conf" ]; then
	cat >"$demo/onboardd.conf" <<CONF
# onboardd.conf for the demo; every key is described in onboardd.conf(5).
code_lifetime = 90d
CONF
	chmod 600 "$demo/onboardd.conf"
fi

"$build/onboardd" --foreground --socket "$sock" --state-dir "$demo/state" \
	--config "$demo/onboardd.conf" &
pid=$!
service=/etc/pam.d/onboard-demo
made_service=no
cleanup() {
	kill "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
	[ "$made_service" = no ] || rm -f "$service"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

i=0
until "$build/onboardctl" --socket "$sock" status >/dev/null 2>&1; do
	i=$((i + 1))
	if [ $i -gt 100 ] || ! kill -0 "$pid" 2>/dev/null; then
		echo "demo: onboardd did not start" >&2
		exit 1
	fi
	sleep 0.1
done

ctl() { "$build/onboardctl" --socket "$sock" "$@"; }
ctl user show ada >/dev/null 2>&1 ||
	ctl user add ada --first-name Ada --last-name Lovelace >/dev/null
code=$(ctl --json code issue ada | sed -n 's/.*"code": *"\([A-Z-]*\)".*/\1/p')

if [ "$(id -u)" -eq 0 ] && [ ! -e "$service" ]; then
	sed -e "s|@PAM_ONBOARD_SO@|$build/.libs/pam_onboard.so|g" -e "s|@SOCKET@|$sock|g" \
		pam.d-examples/onboard-demo >"$service"
	made_service=yes
fi

cat <<EOT

onboardd is running on $sock (state in $demo/state).

A first person is registered: ada (Ada Lovelace), with this access code:

    $code

ada is already a Unix user, served by onboardd's userdb socket (no useradd):

    $(getent passwd ada 2>/dev/null || echo "getent passwd ada: not found (nsswitch.conf does not ask systemd)")

Try the first login in another terminal:

    pamtester onboard-demo ada authenticate

Type the code (any case, dashes optional), confirm the username "ada",
choose a password (at least 8 characters), then scan the QR code with an
authenticator app and type the code it shows (no phone at hand:
oathtool --totp -b KEY computes it from the key shown).  Then log in
with the password and the app's code:

    pamtester onboard-demo ada authenticate acct_mgmt

Administer with:

    $build/onboardctl --socket $sock user list

Ctrl-C stops the daemon$( [ "$made_service" = yes ] && echo " and removes $service").
EOT
wait "$pid"
