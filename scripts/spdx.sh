#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Put the SPDX licence line at the top of every source file that lacks it
# (after a #! line), or with --check list the files without it and fail.
# The files: C, shell, Python, expect, autotools, varlink, the units and
# snippets, man pages.  Data (test corpora, examples of PAM files, the
# catalog's text) is left alone.
set -eu
cd "$(dirname "$0")/.."
tag='SPDX-License-Identifier: BSD-3-Clause'
check=false
[ "${1:-}" = --check ] && check=true
missing=0
# A git checkout: the files git tracks; a release tarball: its files,
# less what autotools put there.
if [ -e .git ]; then
	files=$(git ls-files)
else
	# less what make distcheck (_build, _inst) or an in-tree build made.
	files=$(find . -type f ! -path './build-aux/*' ! -path './m4/*' ! -path './autom4te.cache/*' \
		! -path './_build/*' ! -path './_inst/*' ! -name config.h \
		! -path './daemon/core/interfaces.c' | sed 's|^\./||')
fi
for f in $files; do
	case $f in
	*.c | *.h) line="/* $tag */" ;;
	*.sh | *.bash | *.py | *.exp | .ci/run | Makefile.am | configure.ac | *.varlink | systemd/*) line="# $tag" ;;
	*.[158] | *.[158].in) line=".\\\" $tag" ;;
	*) continue ;;
	esac
	[ -f "$f" ] || continue
	head -n 3 "$f" | grep -q "$tag" && continue
	if $check; then
		echo "$f: no SPDX-License-Identifier line"
		missing=$((missing + 1))
		continue
	fi
	if head -n 1 "$f" | grep -q '^#!'; then
		{ head -n 1 "$f"; echo "$line"; tail -n +2 "$f"; } >"$f.spdx"
	else
		{ echo "$line"; cat "$f"; } >"$f.spdx"
	fi
	chmod --reference="$f" "$f.spdx"
	mv "$f.spdx" "$f"
done
[ "$missing" -eq 0 ]
