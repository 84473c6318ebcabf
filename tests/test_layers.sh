#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# No circles in onboardd (daemon/README): read from the built objects, not
# the sources, so that it is what the linker sees.  For every object of
# libonboardd, nm gives the functions and data it defines and those it
# uses; "file A uses file B" when A uses a symbol B defines.  Two checks:
#
#   1. Between files: the graph has no loop.  A flow calls the dialogue's
#      shared steps, never the other way round; the calls call the shared
#      pieces of administration, the dispatch calls the calls.
#   2. Between rooms (the subfolders of daemon/): the same graph with each
#      file replaced by its room has no loop either, so each room uses only
#      rooms below it, in the order daemon/README gives.
#
# Each loop is printed as the files (or rooms) on it, with the symbols
# that close it, and the test fails.
#
# Usage: test_layers.sh [BUILDDIR]  (make check runs it in the build tree)

build=${1:-.}
cd "$build" || exit 99
if ! command -v nm >/dev/null 2>&1 || ! command -v tsort >/dev/null 2>&1; then
	echo "test_layers: SKIP: nm (binutils) or tsort (coreutils) is not installed"
	exit 77
fi

tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT

# libtool keeps the library's objects in .libs/ beside the .lo files
# (daemon/ROOM/.libs/daemon_ROOM_libROOM_la-NAME.o), and, building static
# objects too, a second copy beside them: both name the same file.
find daemon -name '*_la-*.o' | LC_ALL=C sort >"$tmp/objects"
count=$(wc -l <"$tmp/objects")
if [ "$count" -lt 20 ]; then
	echo "test_layers: only $count objects of the daemon under $build/daemon: build it first" >&2
	exit 99
fi

# "FILE ROOM" for each object: the room is the folder under daemon/.
while read -r o; do
	name=${o##*/}
	name=${name#*_la-}
	name=${name%.o}
	dir=${o%/.libs/*}
	room=${dir#daemon}
	room=${room#/}
	echo "$o ${room:-daemon}/$name ${room:-daemon}"
done <"$tmp/objects" >"$tmp/names"

# "D FILE SYMBOL" and "U FILE SYMBOL".
while read -r o file room; do
	nm "$o" | awk -v f="$file" '
		NF == 3 && $2 ~ /^[TDBRGSV]$/ { print "D", f, $3 }
		$1 == "U" { print "U", f, $2 }'
done <"$tmp/names" >"$tmp/syms"

# "USER DEFINER SYMBOL" for each use of another file's symbol.
awk '$1 == "D" { def[$3] = $2; next }
     { use[n++] = $2 " " $3 }
     END {
	for (i = 0; i < n; i++) {
		split(use[i], a, " ")
		if ((a[2] in def) && def[a[2]] != a[1])
			print a[1], def[a[2]], a[2]
	}
     }' "$tmp/syms" | LC_ALL=C sort -u >"$tmp/uses"

failed=0

# A loop of the graph in file $1 ("FROM TO SYMBOL" lines): tsort names the
# members of each loop it breaks; print them with the uses among them.
loops() { # USES-FILE WHAT
	awk '{ print $1, $2 }' "$1" | LC_ALL=C sort -u >"$tmp/edges"
	tsort "$tmp/edges" 2>"$tmp/tsort" >/dev/null && return 0
	sed -n 's/^tsort: \([^ :]*\)$/\1/p' "$tmp/tsort" | LC_ALL=C sort -u >"$tmp/members"
	echo "test_layers: the $2 call each other in a circle; the uses among"
	echo "  $(tr '\n' ' ' <"$tmp/members")are:"
	awk 'NR == FNR { m[$1] = 1; next }
	     ($1 in m) && ($2 in m) {
		k = $1 " uses " $2
		if (++n[k] <= 3) print "  " k ": " $3
		else if (n[k] == 4) print "  " k ": ... (more)"
	     }' "$tmp/members" "$1"
	return 1
}

loops "$tmp/uses" "files of onboardd" || failed=1

# The same between rooms.
awk 'NR == FNR { room[$2] = $3; next }
     room[$1] != room[$2] { print room[$1], room[$2], $1 "->" $2 "(" $3 ")" }' \
	"$tmp/names" "$tmp/uses" | LC_ALL=C sort -u >"$tmp/room_uses"
loops "$tmp/room_uses" "rooms of onboardd" || failed=1

if [ "$failed" -ne 0 ]; then
	echo "test_layers: see daemon/README for the order of the rooms"
	exit 1
fi
files=$(awk '{ print $2 }' "$tmp/names" | LC_ALL=C sort -u | wc -l)
rooms=$(awk '{ print $3 }' "$tmp/names" | LC_ALL=C sort -u | wc -l)
uses=$(awk '{ print $1, $2 }' "$tmp/uses" | LC_ALL=C sort -u | wc -l)
echo "test_layers: $files files in $rooms rooms, $uses uses between files, no circle"
exit 0
