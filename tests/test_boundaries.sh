#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# The boundaries between the parts of the code, as daemon/README states
# them, checked on the sources (plain sh, grep, sed, awk).  Each broken
# rule is printed as FILE:LINE: what, and the test fails.
#
#   1. Only the LMDB backend, daemon/store/store_lmdb*.c and its private
#      header store_lmdb_private.h, includes <lmdb.h>, and that header is
#      included by daemon/store/store_lmdb*.c only; no file includes
#      <libpq-fe.h> (a second backend, in daemon/store/, will).
#   2. The pure rules (everything in daemon/rules/) include
#      only the headers listed below and call nothing that reads the
#      clock, files, sockets, the log, the passwd database, the
#      environment or randomness, nor a store or configuration function
#      (store.h and conf.h are there for their types and inline helpers).
#   3. A room (a folder of daemon/) is entered through its public headers
#      only, as daemon/README lists them: a file outside the room that
#      includes another of its headers fails.  Inside the rooms: login's
#      private header is included by daemon/login/login*.c only, admin's
#      by daemon/admin/admin*.c only, admin_import.h (what the two import
#      files share) by daemon/admin/admin_import*.c only.
#   4. The programs do not include each other: pam_module/ nothing of
#      daemon/ or ctl/, ctl/ nothing of daemon/ or pam_module/, daemon/
#      nothing of ctl/ or pam_module/, and common/ and include/ (shared
#      by all three) nothing of any of them.
#   5. The login files call each other in layers, never sideways or up:
#      login.c on top, the flows (the other daemon/login/login_*.c) in
#      the middle, daemon/login/login_dialogue.c below.  (tests/test_layers.sh
#      checks the whole daemon for circles on the built objects.)
#   6. Every source file carries its SPDX licence line (scripts/spdx.sh).
#
# The tests, fuzz targets and benchmarks may reach into any part.
#
# Usage: test_boundaries.sh [TOP_SRCDIR]  (make check passes $top_srcdir)

top=${1:-${top_srcdir:-$(dirname "$0")/..}}
cd "$top" || exit 99

# A tree that is not ours would pass every rule: make sure it is.
for f in daemon/store/store_lmdb.c daemon/store/store_lmdb_private.h daemon/store/store.h \
	 daemon/rules/policy.c daemon/rules/validate.c daemon/login/login_private.h \
	 daemon/admin/admin_private.h daemon/base/conf.h pam_module/pam_onboard.c ctl/onboardctl.c common/varlink.c; do
	if [ ! -f "$f" ]; then
		echo "test_boundaries: $top/$f is missing: not the onboard source tree" >&2
		exit 99
	fi
done

failed=0
checked=0

# Each check below is a pipeline that prints what it finds (in a subshell,
# so a count could not come back): its output is what fails the test.
fail() { # FILE LINE WHAT
	echo "$1:$2: $3"
}

# The C files of the directories given, one a line.
sources() {
	find "$@" -type f \( -name '*.c' -o -name '*.h' \) | LC_ALL=C sort
}

# The #include lines of file $1, as "LINE KIND NAME": KIND is q for
# "name", a for <name>.
includes() {
	grep -n '^[[:space:]]*#[[:space:]]*include' "$1" |
	sed -n -e 's/^\([0-9]*\):[[:space:]]*#[[:space:]]*include[[:space:]]*"\([^"]*\)".*/\1 q \2/p' \
	       -e 's/^\([0-9]*\):[[:space:]]*#[[:space:]]*include[[:space:]]*<\([^>]*\)>.*/\1 a \2/p'
}

# File $1 with its comments and the contents of its string and character
# literals blanked, line for line (so grep -n still gives its lines).
code() {
	awk '
	{
		line = $0; out = ""; n = length(line); i = 1
		while (i <= n) {
			c = substr(line, i, 1); c2 = substr(line, i, 2)
			if (incomment) {
				if (c2 == "*/") { incomment = 0; i += 2; out = out " " } else i++
				continue
			}
			if (c2 == "/*") { incomment = 1; i += 2; continue }
			if (c2 == "//") break
			if (c == "\"" || c == "\047") {
				j = i + 1
				while (j <= n && substr(line, j, 1) != c) {
					if (substr(line, j, 1) == "\\") j++
					j++
				}
				out = out c c; i = j + 1
				continue
			}
			out = out c; i++
		}
		print out
	}' "$1"
}

# ---------------------------------------------------------------- rule 1
for f in $(sources daemon pam_module ctl common include); do
	checked=$((checked + 1))
	includes "$f" | while read -r line kind name; do
		case "${name##*/}" in
		lmdb.h)
			case "$f" in
			daemon/store/store_lmdb*.c | daemon/store/store_lmdb_private.h) ;;
			*) fail "$f" "$line" "includes lmdb.h: only daemon/store/store_lmdb*.c talk to LMDB" ;;
			esac
			;;
		store_lmdb_private.h)
			case "$f" in
			daemon/store/store_lmdb*.c) ;;
			*) fail "$f" "$line" "includes store_lmdb_private.h: only daemon/store/store_lmdb*.c may" ;;
			esac
			;;
		libpq-fe.h)
			fail "$f" "$line" "includes libpq-fe.h: only a store backend may talk to PostgreSQL"
			;;
		esac
	done | grep . && failed=$((failed + 1))
done

# ---------------------------------------------------------------- rule 2
pure=$(sources daemon/rules)
# The headers they may include: the C library's that do no I/O (stdio.h
# for snprintf, time.h for struct tm and strftime), libsodium for its
# constant-time compare and wipe, json-c (userrecord.c builds records in
# memory), each other, the types of the store and the configuration, and
# the pure parts of common/.
pure_headers="config.h stdbool.h stddef.h stdint.h inttypes.h limits.h string.h strings.h \
ctype.h errno.h stdarg.h stdio.h time.h sodium.h \
audit_events.h policy.h policy_admin.h policy_audit.h validate.h store.h conf.h \
duration.h utf8.h names.h ob_protocol.h userrecord.h json-c/json.h"
# What they may not call (localtime_r is not among them: the lock message
# shows the local time of an instant it is given, and the C library reads
# the time zone for it).
impure='time|clock|clock_gettime|gettimeofday|open|openat|creat|read|write|pread|pwrite|readv|writev|close|fopen|fdopen|freopen|fclose|fread|fwrite|fgets|fgetc|getc|getchar|fputs|fputc|putc|putchar|puts|printf|fprintf|vprintf|vfprintf|dprintf|perror|getline|getdelim|stat|fstat|lstat|fstatat|access|unlink|unlinkat|rename|renameat|mkdir|rmdir|opendir|readdir|fsync|fdatasync|ftruncate|mmap|ioctl|fcntl|dup|dup2|pipe|socket|connect|bind|listen|accept|accept4|send|sendto|sendmsg|recv|recvfrom|recvmsg|shutdown|poll|ppoll|select|epoll_[a-z_]*|syslog|vsyslog|openlog|sd_[a-z_]*|mdb_[a-z_]*|PQ[A-Za-z]*|pthread_[a-z_]*|getpw[a-z_]*|getgr[a-z_]*|getsp[a-z_]*|getenv|secure_getenv|setenv|unsetenv|putenv|system|popen|fork|vfork|exec[a-z]*|kill|raise|signal|sigaction|sleep|usleep|nanosleep|exit|_exit|abort|getpid|getuid|geteuid|rand|random|srand|getrandom|randombytes[a-z_]*|arc4random[a-z_]*'
# The store's and the configuration's own inline helpers are pure.
inline=$(sed -n -e 's/^static inline[^(]*[^A-Za-z0-9_]\(store_[A-Za-z0-9_]*\)(.*/\1/p' \
	-e 's/^static inline[^(]*[^A-Za-z0-9_]\(conf_[A-Za-z0-9_]*\)(.*/\1/p' \
	daemon/store/store.h daemon/base/conf.h | tr '\n' '|')
inline=${inline%|}
for f in $pure; do
	checked=$((checked + 1))
	includes "$f" | while read -r line kind name; do
		case " $pure_headers " in
		*" $name "*) ;;
		*) fail "$f" "$line" "the pure rules include $name (not on their list in tests/test_boundaries.sh)" ;;
		esac
	done | grep . && failed=$((failed + 1))
	code "$f" | grep -nE "(^|[^A-Za-z0-9_.>])($impure)[[:space:]]*\(" | while IFS=: read -r line _; do
		fail "$f" "$line" "the pure rules do I/O: $(sed -n "${line}s/^[[:space:]]*//p" "$f")"
	done | grep . && failed=$((failed + 1))
	code "$f" | grep -nE "(^|[^A-Za-z0-9_.>])(store|conf)_[A-Za-z0-9_]*[[:space:]]*\(" |
	grep -vE "(^|[^A-Za-z0-9_])(${inline:-@})[[:space:]]*\(" |
	while IFS=: read -r line _; do
		fail "$f" "$line" "the pure rules call the store or the configuration: $(sed -n "${line}s/^[[:space:]]*//p" "$f")"
	done | grep . && failed=$((failed + 1))
done

# ---------------------------------------------------------------- rule 3
for f in $(sources daemon pam_module ctl common include); do
	includes "$f" | while read -r line kind name; do
		case "$name" in
		login_private.h)
			case "$f" in
			daemon/login/login*.c) ;;
			*) fail "$f" "$line" "includes login_private.h: only daemon/login/login*.c may" ;;
			esac
			;;
		admin_private.h)
			case "$f" in
			daemon/admin/admin*.c | daemon/admin/admin_import.h) ;;
			*) fail "$f" "$line" "includes admin_private.h: only daemon/admin/admin*.c may" ;;
			esac
			;;
		admin_import.h)
			case "$f" in
			daemon/admin/admin_import*.c) ;;
			*) fail "$f" "$line" "includes admin_import.h: only daemon/admin/admin_import*.c may" ;;
			esac
			;;
		esac
	done | grep . && failed=$((failed + 1))
done
# The public headers of each room (daemon/README); base/ and rules/, at the
# bottom, are public through and through.
public_store="store.h audit.h peoplefile.h store_record.h"
public_login="login.h throttle.h quality.h"
public_admin="admin.h"
public_userdb="userdb.h"
public_core="server.h"
for f in $(sources daemon); do
	checked=$((checked + 1))
	room=${f#daemon/}
	room=${room%%/*}
	includes "$f" | while read -r line kind name; do
		[ "$kind" = q ] || continue
		owner=$(find daemon -mindepth 2 -maxdepth 2 -type f -name "${name##*/}" | head -n 1)
		[ -n "$owner" ] || continue
		other=${owner#daemon/}
		other=${other%%/*}
		[ "$other" = "$room" ] && continue
		case $other in
		base | rules) continue ;;
		esac
		public=
		eval "public=\$public_$other"
		case " $public " in
		*" ${name##*/} "*) ;;
		*) fail "$f" "$line" "includes ${name##*/}, a header of daemon/$other/ that is not among its public ones ($public)" ;;
		esac
	done | grep . && failed=$((failed + 1))
done

# ---------------------------------------------------------------- rule 4
# A quoted name resolves as the compiler does: beside the file first, then
# include/ and common/ (AM_CPPFLAGS).  A name found only in a forbidden
# directory, or a path through one, is a violation.
for room in daemon ctl pam_module; do
	eval "headers_$room=\" $(find "$room" -type f -name '*.h' | sed 's,.*/,,' | tr '\n' ' ')\""
done
foreign() { # FILE FORBIDDEN-DIR...
	f=$1
	shift
	dir=${f%/*}
	includes "$f" | while read -r line kind name; do
		path=$name
		while :; do
			case "$path" in
			../*) path=${path#../} ;;
			./*) path=${path#./} ;;
			*) break ;;
			esac
		done
		for room in "$@"; do
			case "$path" in
			"$room"/*)
				fail "$f" "$line" "includes $name from $room/"
				continue
				;;
			*/*) continue ;;
			esac
			[ "$kind" = q ] || continue
			[ -f "$dir/$path" ] || [ -f "include/$path" ] || [ -f "common/$path" ] && continue
			headers=
			eval "headers=\$headers_$room"
			case "$headers" in
			*" $path "*) fail "$f" "$line" "includes $name, a header of $room/" ;;
			esac
		done
	done | grep . && failed=$((failed + 1))
}
for f in $(sources pam_module); do
	checked=$((checked + 1))
	foreign "$f" daemon ctl
done
for f in $(sources ctl); do
	checked=$((checked + 1))
	foreign "$f" daemon pam_module
done
for f in $(sources daemon); do
	checked=$((checked + 1))
	foreign "$f" ctl pam_module
done
for f in $(sources common include); do
	checked=$((checked + 1))
	foreign "$f" daemon ctl pam_module
done

# ---------------------------------------------------------------- rule 5
# Each login file's layer: 2 for login.c, 0 for login_dialogue.c, 1 for
# a flow.  A call to a function another login file defines (not static)
# is a violation unless that file's layer is below the caller's.
login_layer() {
	case "$1" in
	daemon/login/login.c) echo 2 ;;
	daemon/login/login_dialogue.c) echo 0 ;;
	*) echo 1 ;;
	esac
}
login_defs=$(for f in daemon/login/login*.c; do
	code "$f" | grep -v '^static' |
	sed -n 's/^[a-z][^(]*[^A-Za-z0-9_]\(login_[A-Za-z0-9_]*\)(.*/\1/p' | sed "s|^|$f |"
done)
for f in daemon/login/login*.c; do
	checked=$((checked + 1))
	echo "$login_defs" | while read -r g name; do
		[ "$g" = "$f" ] && continue
		[ "$(login_layer "$g")" -lt "$(login_layer "$f")" ] && continue
		code "$f" | grep -nE "(^|[^A-Za-z0-9_])$name[[:space:]]*\(" | while IFS=: read -r line _; do
			fail "$f" "$line" "calls $name of $g, a login file of its own layer or above"
		done
	done | grep . && failed=$((failed + 1))
done

# ---------------------------------------------------------------- rule 6
# Every source file says its licence (COPYING) in an SPDX line.
if ! sh "$top/scripts/spdx.sh" --check; then
	echo "test_boundaries: run scripts/spdx.sh to add the SPDX lines"
	failed=$((failed + 1))
fi

if [ "$failed" -ne 0 ]; then
	echo "test_boundaries: a boundary is crossed (see daemon/README)"
	exit 1
fi
echo "test_boundaries: $checked file checks, every boundary holds"
exit 0
