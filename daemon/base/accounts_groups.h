/* SPDX-License-Identifier: BSD-3-Clause */
/* Which Unix accounts administer the host, by their groups.  Apart from
 * accounts.h because <grp.h> names a struct group of its own, as the
 * store does. */
#ifndef OB_ACCOUNTS_GROUPS_H
#define OB_ACCOUNTS_GROUPS_H

/* Whether username's Unix account administers the host: uid 0, or a
 * member (primary or supplementary) of root, sudo, wheel or admin.  0
 * and group[0] = '\0' when not (also when there is no such account);
 * 1 with the group's name (or "uid 0") in group; a lookup that fails
 * counts as 1 ("unknown"): when in doubt, the account is above. */
#define ACCOUNTS_GROUP_MAX 32
int accounts_host_admin(const char *username, char group[ACCOUNTS_GROUP_MAX]);

#endif
