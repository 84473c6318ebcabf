/* SPDX-License-Identifier: BSD-3-Clause */
/* UID_MIN from /etc/login.defs: the line between system accounts, which
 * onboard never manages, and regular ones. */
#ifndef OB_LOGINDEFS_H
#define OB_LOGINDEFS_H

#include <sys/types.h>

#define LOGINDEFS_PATH "/etc/login.defs"
#define LOGINDEFS_UID_MIN_DEFAULT 1000

/* UID_MIN as set in the file at path, or LOGINDEFS_UID_MIN_DEFAULT when
 * the file or the setting is missing or not a number. */
uid_t logindefs_uid_min(const char *path);

/* The same answer, but the file is read again only when it changed:
 * each call stats it, and reads it when its device, inode, size, mtime or
 * ctime differ from the last read, or when its mtime is within 2 s of
 * now (a change in the same clock tick could keep size and mtime).  For
 * the PAM module, which asks on every call: 12.7 µs a read, against a
 * stat.  Safe from several threads (PAM modules run in threaded
 * programs): one lock, never waited for; a caller that finds it taken
 * reads the file itself. */
uid_t logindefs_uid_min_cached(const char *path);
/* How many times logindefs_uid_min_cached has read a file (for tests). */
unsigned logindefs_cache_reads(void);

#endif
