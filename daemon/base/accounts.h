/* SPDX-License-Identifier: BSD-3-Clause */
/* What the host's own user database says about a username. */
#ifndef OB_ACCOUNTS_H
#define OB_ACCOUNTS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "policy.h"

/* ACCOUNT_SYSTEM for "root", any uid 0 and any uid below uid_min (the
 * rule the PAM module applies too: passwd_kind, common/passwd.h);
 * ACCOUNT_REGULAR for other existing accounts; ACCOUNT_NONE when the name
 * is unknown to getpwnam_r.  A lookup error counts as ACCOUNT_SYSTEM: when
 * in doubt, do not claim the name. */
enum account_kind accounts_kind(const char *username, uid_t uid_min);

/* accounts_kind for many names in a row (an import): the passwd
 * database read once.  When every passwd source of nsswitch.conf (path)
 * enumerates all it resolves ("files", "compat", "systemd": nss-systemd
 * lists every userdb record it answers for), getpwent is read once and
 * each name is looked up in that snapshot: no lookup per name, which for
 * an unknown name is the slowest (61 us through nss-systemd).  With any
 * other source (sss, ldap, winbind: enumeration is off or partial by
 * default), or when the file or the enumeration cannot be read, every
 * name goes to accounts_kind, getpwnam_r as before: a name that exists
 * as a Unix account is always found.  NULL when out of memory. */
#ifndef ACCOUNTS_NSSWITCH
#define ACCOUNTS_NSSWITCH "/etc/nsswitch.conf"
#endif
struct accounts_snapshot;
struct accounts_snapshot *accounts_snapshot_new(const char *nsswitch);
/* Whether the snapshot holds the whole database (else names go to NSS). */
bool accounts_snapshot_complete(const struct accounts_snapshot *s);
enum account_kind accounts_snapshot_kind(const struct accounts_snapshot *s,
					 const char *username, uid_t uid_min);
void accounts_snapshot_free(struct accounts_snapshot *s);

#ifndef ACCOUNTS_USERADD
#define ACCOUNTS_USERADD "/usr/sbin/useradd"
#endif
#ifndef ACCOUNTS_USERDEL
#define ACCOUNTS_USERDEL "/usr/sbin/userdel"
#endif
#ifndef ACCOUNTS_USERMOD
#define ACCOUNTS_USERMOD "/usr/sbin/usermod"
#endif

/* Make a regular Unix account (useradd: its own group, the host's next
 * uid, password locked: onboard's PAM module logs it in) with the name
 * in the comment, shell, and a home directory now when create_home (else
 * pam_mkhomedir makes it at the first login).  0, or -errno with the
 * reason useradd gave in err. */
int accounts_create(const char *username, const char *first, const char *last,
		    const char *shell, bool create_home, char *err, size_t errlen);
/* Undo accounts_create (userdel; --remove takes the home too); err as
 * there.  Each tool is stopped after 30 seconds (-ETIMEDOUT). */
int accounts_remove(const char *username, bool remove_home, char *err, size_t errlen);
/* -ENOENT from accounts_remove: there is no such account. */

/* Lock the Unix password of an adopted account (usermod --lock: a '!'
 * before the hash in /etc/shadow), so that the password it had before
 * onboard no longer logs in, through onboard or beside it.  The hash is
 * kept: usermod --unlock gives it back.  0, or -errno with err. */
int accounts_lock(const char *username, char *err, size_t errlen);

#endif
