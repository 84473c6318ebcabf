/* SPDX-License-Identifier: BSD-3-Clause */
/* Opening the files onboardd trusts (its configuration, its key file):
 * never through a symbolic link, never a FIFO or a device, only with the
 * right owner and mode. */
#ifndef OB_SECFILE_H
#define OB_SECFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>

struct secfile_rule {
	bool root_may_own;      /* besides the daemon's own uid */
	mode_t forbidden;       /* mode bits the file must not have */
	const char *what_bits;  /* "writable by group or others" */
	const char *fix;        /* "run chmod go-w" */
};

/* Open path read-only under rule.  Returns the fd with *st filled, or
 * -errno with one line naming path in err (-ENOENT when it is missing). */
int secfile_open(const char *path, const struct secfile_rule *rule, struct stat *st, char *err,
		 size_t errlen);

#endif
