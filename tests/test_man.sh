#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# The manual pages (issue 15, item 8): mandoc -Tlint finds nothing in any
# of them, and they list what the programs' --help lists, command by
# command and option by option, each way round (tests/man_help.py).

srcdir_tests=${top_srcdir:+$top_srcdir/tests}
. "${srcdir_tests:-$(dirname "$0")}/lib.sh"

mandir=${top_srcdir:-$(dirname "$0")/..}/man
ob_setup

if command -v mandoc >/dev/null 2>&1; then
	for page in "$mandir"/*.[1-8]; do
		name=lint_$(basename "$page" | tr . _)
		# -W style: every message mandoc has, down to style.
		if mandoc -Tlint -W style "$page" >"$OB_OUT" 2>&1; then
			ob_pass "$name"
		else
			ob_fail "$name" "mandoc -Tlint reports:"
			sed 's/^/  | /' "$OB_OUT"
		fi
	done
else
	ob_skip lint "mandoc is not installed (Debian: apt-get install mandoc)"
fi

if python3 "${srcdir_tests:-$(dirname "$0")}/man_help.py" "$ONBOARDCTL" "$ONBOARDD" \
	"$mandir" >"$OB_OUT" 2>&1; then
	ob_pass pages_match_help
else
	ob_fail pages_match_help "the pages and --help disagree:"
fi
grep -v '^ok - ' "$OB_OUT" | sed 's/^/  | /'

ob_summary
