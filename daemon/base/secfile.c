/* SPDX-License-Identifier: BSD-3-Clause */
/* Safe opening of trusted files. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "secfile.h"

int secfile_open(const char *path, const struct secfile_rule *rule, struct stat *st, char *err,
		 size_t errlen)
{
	uid_t euid = geteuid();
	int fd, r;

	/* O_NONBLOCK: a FIFO planted at path must not hang start-up. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY);
	if (fd < 0) {
		r = -errno;
		if (r == -ELOOP && lstat(path, st) == 0 && S_ISLNK(st->st_mode))
			snprintf(err, errlen, "%s: is a symbolic link; refusing to follow it", path);
		else
			snprintf(err, errlen, "%s: cannot open: %s", path, strerror(-r));
		return r;
	}
	if (fstat(fd, st) < 0) {
		r = -errno;
		snprintf(err, errlen, "%s: cannot stat: %s", path, strerror(-r));
	} else if (!S_ISREG(st->st_mode)) {
		r = -EINVAL;
		snprintf(err, errlen, "%s: not a regular file", path);
	} else if (st->st_uid != euid && !(rule->root_may_own && st->st_uid == 0)) {
		r = -EPERM;
		snprintf(err, errlen, "%s: owned by uid %u; it must belong to %suid %u that runs onboardd",
			 path, (unsigned)st->st_uid, rule->root_may_own && euid ? "root or " : "",
			 (unsigned)euid);
	} else if (st->st_mode & rule->forbidden) {
		r = -EPERM;
		snprintf(err, errlen, "%s: %s (mode %04o); %s", path, rule->what_bits,
			 (unsigned)(st->st_mode & 07777), rule->fix);
	} else {
		return fd;
	}
	close(fd);
	return r;
}
