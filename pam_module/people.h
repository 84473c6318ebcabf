/* SPDX-License-Identifier: BSD-3-Clause */
/* The people file: onboardd's list of the usernames it manages, read by
 * the module only when the daemon cannot be asked, to tell a local user
 * onboard has nothing to do with (who then goes on through the rest of
 * the stack) from one of onboard's people (who fails closed). */
#ifndef OB_PEOPLE_H
#define OB_PEOPLE_H

#include <stddef.h>
#include <sys/types.h>

#include "ob_protocol.h"

/* Largest people file the module reads: 1,900,000 usernames of the
 * longest kind (32 bytes and a newline), or more of shorter ones.  It
 * is read only while onboardd cannot be asked. */
#define PEOPLE_FILE_MAX (64 * 1024 * 1024)

/* Whether user is listed in the people file at path, which must be a
 * regular file (not reached through a symbolic link as its last part)
 * owned by owner (0 in the module; the tests pass their own uid), not
 * writable by group or others, at most PEOPLE_FILE_MAX bytes, and begin
 * with OB_PEOPLE_HEADER.  Returns 1 when listed, 0 when not, or -errno
 * when the file cannot be trusted or read (then nobody can be proven
 * unmanaged), with one line in err saying why. */
int people_file_lookup(const char *path, uid_t owner, const char *user, char *err,
		       size_t errlen);

#endif
