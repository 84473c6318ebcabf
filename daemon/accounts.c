/* Classifying host accounts through NSS. */
#include "config.h"

#include <errno.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>

#include "accounts.h"

enum account_kind accounts_kind(const char *username, uid_t uid_min)
{
	struct passwd pw, *res = NULL;
	char buf[4096];
	int r;

	if (strcmp(username, "root") == 0)
		return ACCOUNT_SYSTEM;
	r = getpwnam_r(username, &pw, buf, sizeof(buf), &res);
	if (r == 0 && !res)
		return ACCOUNT_NONE;
	if (r != 0 || !res)
		return r == ENOENT || r == ESRCH ? ACCOUNT_NONE : ACCOUNT_SYSTEM;
	if (res->pw_uid == 0 || res->pw_uid < uid_min)
		return ACCOUNT_SYSTEM;
	return ACCOUNT_REGULAR;
}
