/* SPDX-License-Identifier: BSD-3-Clause */
/* Whether a Unix account administers the host, from the user and group
 * databases (NSS). */
#include "config.h"

#include <errno.h>
#include <grp.h>
#include <stdio.h>
#include <string.h>

#include "accounts_groups.h"
#include "ob_cleanup.h"
#include "passwd.h"

/* The groups that give an account the host (sudo's and polkit's usual
 * administrators on Debian and elsewhere). */
static const char *const accounts_admin_groups[] = { "root", "sudo", "wheel", "admin" };

int accounts_host_admin(const char *username, char group[ACCOUNTS_GROUP_MAX])
{
	struct passwd_entry pw;
	gid_t gids[256];
	int n = (int)OB_ARRAY_SIZE(gids), r;

	group[0] = '\0';
	r = passwd_by_name(username, &pw);
	if (r == 0)
		return 0;
	if (r < 0) {
		snprintf(group, ACCOUNTS_GROUP_MAX, "unknown");
		return 1;
	}
	if (pw.uid == 0) {
		snprintf(group, ACCOUNTS_GROUP_MAX, "uid 0");
		return 1;
	}
	/* More groups than fit: do not guess which were left out. */
	if (getgrouplist(username, pw.gid, gids, &n) < 0) {
		snprintf(group, ACCOUNTS_GROUP_MAX, "unknown");
		return 1;
	}
	for (int i = 0; i < n; i++) {
		struct group gr, *gres = NULL;
		char gbuf[4096];

		r = getgrgid_r(gids[i], &gr, gbuf, sizeof(gbuf), &gres);
		if (r == 0 && !gres)
			continue; /* a gid without a name gives nothing by name */
		if (r != 0) {
			snprintf(group, ACCOUNTS_GROUP_MAX, "unknown");
			return 1;
		}
		for (size_t j = 0; j < OB_ARRAY_SIZE(accounts_admin_groups); j++)
			if (strcmp(gres->gr_name, accounts_admin_groups[j]) == 0) {
				snprintf(group, ACCOUNTS_GROUP_MAX, "%s", gres->gr_name);
				return 1;
			}
	}
	return 0;
}
