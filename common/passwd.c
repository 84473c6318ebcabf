/* SPDX-License-Identifier: BSD-3-Clause */
/* getpwnam_r/getpwuid_r with a buffer that grows, and the system-account
 * rule. */
#include "config.h"

#include <errno.h>
#include <pwd.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "ob_cleanup.h"
#include "passwd.h"

static int passwd_lookup(const char *name, uid_t uid, struct passwd_entry *out)
{
	struct passwd pw, *res = NULL;
	size_t size = 4096;
	int r;

	memset(out, 0, sizeof(*out));
	for (;;) {
		_cleanup_free_ char *buf = malloc(size);

		if (!buf)
			return -ENOMEM;
		r = name ? getpwnam_r(name, &pw, buf, size, &res) : getpwuid_r(uid, &pw, buf, size, &res);
		if (r == ERANGE && size < PASSWD_BUF_MAX) {
			size *= 2;
			continue;
		}
		if (res) {
			size_t len = strlen(pw.pw_name);

			out->uid = pw.pw_uid;
			out->gid = pw.pw_gid;
			if (len <= OB_USERNAME_MAX)
				memcpy(out->name, pw.pw_name, len + 1);
			return 1;
		}
		if (r == 0 || r == ENOENT || r == ESRCH)
			return 0;
		return -r;
	}
}

int passwd_by_name(const char *name, struct passwd_entry *out)
{
	return passwd_lookup(name, 0, out);
}

int passwd_by_uid(uid_t uid, struct passwd_entry *out)
{
	return passwd_lookup(NULL, uid, out);
}

int passwd_kind(const char *name, uid_t uid_min, struct passwd_entry *out)
{
	int r;

	if (strcmp(name, "root") == 0)
		return PASSWD_ROOT;
	r = passwd_by_name(name, out);
	if (r <= 0)
		return r < 0 ? r : PASSWD_NONE;
	if (out->uid == 0)
		return PASSWD_ROOT;
	return out->uid < uid_min ? PASSWD_SYSTEM : PASSWD_REGULAR;
}
