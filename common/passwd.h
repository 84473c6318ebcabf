/* SPDX-License-Identifier: BSD-3-Clause */
/* One way to ask the user database (NSS) about an account, and one rule
 * for which accounts are the system's, shared by the PAM module and
 * onboardd. */
#ifndef OB_PASSWD_H
#define OB_PASSWD_H

#include <sys/types.h>

#include "ob_protocol.h"

/* The largest buffer a lookup grows to when getpwnam_r answers ERANGE. */
#define PASSWD_BUF_MAX (1024 * 1024)

struct passwd_entry {
	uid_t uid;
	gid_t gid;
	/* The database's own spelling of the name (NSS may ignore case),
	 * or "" when it is longer than any name onboard holds. */
	char name[OB_USERNAME_MAX + 1];
};

/* Look name up with getpwnam_r, the buffer growing on ERANGE up to
 * PASSWD_BUF_MAX.  1 and *out filled when the account exists, 0 when
 * NSS says there is no such name (no entry, ENOENT or ESRCH), -errno
 * when the lookup failed (other NSS errors are left to the caller). */
int passwd_by_name(const char *name, struct passwd_entry *out);
/* The same, by uid (getpwuid_r). */
int passwd_by_uid(uid_t uid, struct passwd_entry *out);

enum passwd_kind {
	PASSWD_NONE,	/* no such account */
	PASSWD_REGULAR, /* uid_min or above */
	PASSWD_SYSTEM,	/* below uid_min */
	PASSWD_ROOT,	/* named "root", or uid 0 */
};

/* The rule: "root" by name (before any lookup), any uid 0, any uid below
 * uid_min is a system account.  The kind, or -errno when the lookup
 * failed (callers fail closed: such a name is not one to claim); *out
 * is filled for PASSWD_REGULAR and PASSWD_SYSTEM. */
int passwd_kind(const char *name, uid_t uid_min, struct passwd_entry *out);

#endif
