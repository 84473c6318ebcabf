#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Install what onboard needs to build, test and run, from Debian 12's
# packages.  Safe to run again: it installs only what is missing.
set -eu

PACKAGES="build-essential autoconf automake libtool pkg-config
libpam0g-dev libsodium-dev liblmdb-dev libsystemd-dev libjson-c-dev libinih-dev
libcmocka-dev libpamtest0-dev libpam-wrapper libnss-wrapper
pamtester lmdb-utils libfaketime python3 mandoc
liboath-dev libqrencode-dev oathtool expect libpwquality-dev cracklib-runtime
libcsv-dev valgrind
openssh-server openssh-client login util-linux passwd libpam-modules
lightdm lightdm-gtk-greeter xvfb xdotool dbus x11-apps imagemagick
tesseract-ocr tesseract-ocr-eng strace fonts-dejavu-core"

missing=""
for p in $PACKAGES; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
		missing="$missing $p"
done
if [ -z "$missing" ]; then
	echo "deps: everything is installed"
	exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
	echo "deps: missing:$missing; run this script as root (or install them)" >&2
	exit 1
fi
echo "deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
# openssh-server is here for the end-to-end tests, which run their own
# sshd on 127.0.0.1: Debian must not start one on port 22 as it installs
# it.  policy-rc.d (see invoke-rc.d(8)) says no to every start while it
# exists; ours exists only for this install, and one already there is
# left alone.
policy=/usr/sbin/policy-rc.d
if [ ! -e "$policy" ]; then
	printf '#!/bin/sh\n# scripts/deps.sh of onboard: no service starts while it installs\nexit 101\n' >"$policy"
	chmod 0755 "$policy"
	trap 'rm -f "$policy"' EXIT
	trap 'exit 130' INT TERM
fi
apt-get update -q
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends $missing
