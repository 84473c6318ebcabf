#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# make install DESTDIR=... (issue 15, item 2): every part in the
# directory configure chose for it, and nothing else; the units name the
# configured paths; an administrator's onboardd.conf survives a second
# install; make uninstall leaves no file behind.

srcdir_tests=${top_srcdir:+$top_srcdir/tests}
. "${srcdir_tests:-$(dirname "$0")}/lib.sh"

: "${MAKE:=make}"
: "${abs_top_builddir:=$(pwd)}"
: "${top_srcdir:=$(dirname "$0")/..}"
ob_setup
dest=$OB_DIR/root

# Run make in the build tree, quietly; its output on failure.
ob_make() {
	# The make check that runs us must not hand its targets down.
	env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL $MAKE -s -C "$abs_top_builddir" "$@" \
		>"$OB_DIR/make.log" 2>&1
}

if ! ob_make print-install-dirs; then
	ob_fail print_install_dirs "make print-install-dirs failed"
	sed 's/^/  | /' "$OB_DIR/make.log"
	ob_summary
	exit 1
fi
grep -E '^[a-z_]+=' "$OB_DIR/make.log" >"$OB_DIR/dirs"
. "$OB_DIR/dirs"

# What must be there, and nothing else.
{
	echo "$sbindir/onboardd"
	echo "$sbindir/onboardctl"
	echo "$pamdir/pam_onboard.so"
	for page in "$top_srcdir"/man/*.[1-8]; do
		name=$(basename "$page")
		echo "$mandir/man${name##*.}/$name"
	done
	for iface in "$top_srcdir"/varlink/*.varlink; do
		echo "$varlinkdir/$(basename "$iface")"
	done
	for unit in $systemd_units; do
		echo "$systemdsystemunitdir/$(basename "$unit")"
	done
	echo "$sysusersdir/onboard.conf"
	echo "$tmpfilesdir/onboard.conf"
	echo "$onboardconfdir/onboardd.conf"
	echo "$pamconfigsdir/onboard"
	echo "$bashcompletiondir/onboardctl"
	echo "$catalogdir/onboard.catalog"
} | sort >"$OB_DIR/want"

if ob_make install DESTDIR="$dest"; then
	ob_pass make_install
else
	ob_fail make_install "make install DESTDIR=$dest failed"
	sed 's/^/  | /' "$OB_DIR/make.log"
fi
(cd "$dest" && find . ! -type d | sed 's/^\.//' | sort) >"$OB_DIR/got"
if cmp -s "$OB_DIR/want" "$OB_DIR/got"; then
	ob_pass installed_files_are_the_list
else
	ob_fail installed_files_are_the_list "- missing, + not expected:"
	diff "$OB_DIR/want" "$OB_DIR/got" | grep '^[<>]' | sed 's/^</  | -/; s/^>/  | +/'
fi

# The units: the configured path of onboardd, no placeholder left.
service=$dest$systemdsystemunitdir/onboardd.service
if grep -q -x "ExecStart=$sbindir/onboardd" "$service" 2>/dev/null &&
	! grep -q '@[a-z_]*@' "$dest$systemdsystemunitdir"/*; then
	ob_pass units_name_configured_paths
else
	ob_fail units_name_configured_paths "expected ExecStart=$sbindir/onboardd and no @placeholder@"
	grep -n 'ExecStart\|@' "$dest$systemdsystemunitdir"/* | sed 's/^/  | /'
fi

# The profile names the module in the three stacks.
profile=$dest$pamconfigsdir/onboard
for field in Auth Account Password; do
	if sed -n "/^$field:/,/^[A-Z]/p" "$profile" | grep -q 'pam_onboard\.so'; then
		ob_pass "profile_has_$(echo "$field" | tr A-Z a-z)"
	else
		ob_fail "profile_has_$(echo "$field" | tr A-Z a-z)" "no pam_onboard.so under $field: in $profile"
	fi
done

# The completion, sourced in bash, offers the commands and a command's
# options that --help lists.
completion=$dest$bashcompletiondir/onboardctl
if command -v bash >/dev/null 2>&1; then
	got=$(bash -c '. "$1"
		COMP_WORDS=("$2" user ""); COMP_CWORD=2; _onboardctl; echo "${COMPREPLY[*]}"
		COMP_WORDS=("$2" user add --first); COMP_CWORD=3; _onboardctl; echo "${COMPREPLY[*]}"' \
		sh "$completion" "$ONBOARDCTL" 2>&1)
	case " $(printf '%s\n' "$got" | head -n 1) | $(printf '%s\n' "$got" | sed -n 2p)" in
	*" add "*" list "*" show | --first-name") ok=yes ;;
	*) ok=no ;;
	esac
	if [ "$ok" = yes ]; then
		ob_pass bash_completion_completes
	else
		ob_fail bash_completion_completes "unexpected completions:"
		printf '%s\n' "$got" | sed 's/^/  | /'
	fi
fi

# A second install keeps the administrator's configuration.
conf=$dest$onboardconfdir/onboardd.conf
echo 'mfa = optional' >>"$conf"
cp "$conf" "$OB_DIR/conf.mine"
if ob_make install DESTDIR="$dest" && cmp -s "$conf" "$OB_DIR/conf.mine"; then
	ob_pass second_install_keeps_onboardd_conf
else
	ob_fail second_install_keeps_onboardd_conf "the configuration was written over (or install failed)"
	sed 's/^/  | /' "$OB_DIR/make.log"
fi

# make uninstall: nothing left but the administrator's configuration;
# the example itself would have gone.
if ob_make uninstall DESTDIR="$dest"; then
	left=$(cd "$dest" && find . ! -type d | sed 's/^\.//')
	if [ "$left" = "$onboardconfdir/onboardd.conf" ]; then
		ob_pass uninstall_leaves_only_a_changed_conf
	else
		ob_fail uninstall_leaves_only_a_changed_conf "left: $left"
	fi
	cp "$top_srcdir/data/onboardd.conf" "$conf"
	if ob_make uninstall DESTDIR="$dest" && [ ! -e "$conf" ]; then
		ob_pass uninstall_removes_the_example
	else
		ob_fail uninstall_removes_the_example "the unchanged example was left"
	fi
else
	ob_fail make_uninstall "make uninstall failed"
	sed 's/^/  | /' "$OB_DIR/make.log"
fi

ob_summary
