#!/bin/sh
# Install what onboard needs to build, test and run, from Debian 12's
# packages.  Safe to run again: it installs only what is missing.
set -eu

PACKAGES="build-essential autoconf automake libtool pkg-config
libpam0g-dev libsodium-dev liblmdb-dev libsystemd-dev libjson-c-dev libinih-dev
libcmocka-dev libpamtest0-dev libpam-wrapper libnss-wrapper
pamtester lmdb-utils libfaketime python3
liboath-dev libqrencode-dev oathtool expect libpwquality-dev cracklib-runtime
libcsv-dev
openssh-server openssh-client login util-linux passwd libpam-modules"

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
apt-get update -q
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends $missing
