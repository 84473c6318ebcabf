/* SPDX-License-Identifier: BSD-3-Clause */
/* Reading the people file (see people.h). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fdio.h"
#include "ob_cleanup.h"
#include "people.h"

/* Read all of fd (size bytes as fstat said) into a new NUL-terminated
 * buffer.  A file that changes size under us is refused. */
static int people_read(int fd, size_t size, char **out)
{
	_cleanup_free_ char *buf = malloc(size + 1);
	int r;

	if (!buf)
		return -ENOMEM;
	r = fd_read_all(fd, buf, size);
	if (r < 0)
		return r;
	buf[size] = '\0';
	*out = buf;
	buf = NULL;
	return 0;
}

int people_file_lookup(const char *path, uid_t owner, const char *user, char *err,
		       size_t errlen)
{
	_cleanup_close_ int fd = -1;
	_cleanup_free_ char *buf = NULL;
	size_t ulen = strlen(user), hlen = strlen(OB_PEOPLE_HEADER);
	struct stat st;
	int r;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY);
	if (fd < 0) {
		r = -errno;
		snprintf(err, errlen, "cannot open %s: %s", path, strerror(errno));
		return r;
	}
	if (fstat(fd, &st) < 0) {
		r = -errno;
		snprintf(err, errlen, "cannot stat %s: %s", path, strerror(errno));
		return r;
	}
	/* Only the daemon's own file tells who is not onboard's: a file
	 * anyone else could have written proves nothing. */
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s is not a regular file", path);
		return -EPERM;
	}
	if (st.st_uid != owner) {
		snprintf(err, errlen, "%s is owned by uid %u, not %u", path, (unsigned)st.st_uid,
			 (unsigned)owner);
		return -EPERM;
	}
	if (st.st_mode & (S_IWGRP | S_IWOTH)) {
		snprintf(err, errlen, "%s is writable by group or others", path);
		return -EPERM;
	}
	if (st.st_size < (off_t)hlen || st.st_size > PEOPLE_FILE_MAX) {
		snprintf(err, errlen, "%s has an implausible size (%lld bytes)", path,
			 (long long)st.st_size);
		return -EFBIG;
	}
	r = people_read(fd, (size_t)st.st_size, &buf);
	if (r < 0) {
		snprintf(err, errlen, "cannot read %s: %s", path, strerror(-r));
		return r;
	}
	/* The header says the daemon wrote it all: a truncated or foreign
	 * file does not start with it or does not end with a newline. */
	if (strncmp(buf, OB_PEOPLE_HEADER, hlen) != 0 || buf[st.st_size - 1] != '\n' ||
	    strlen(buf) != (size_t)st.st_size) {
		snprintf(err, errlen, "%s is not a people file written by onboardd", path);
		return -EBADMSG;
	}
	if (!ulen)
		return 0;
	/* Bounded by the file's end: memchr, not strchr, whose checked
	 * forms (ASan's) measure the rest of the string at every call, a
	 * square of the file's size. */
	for (const char *line = buf + hlen, *stop = buf + st.st_size; line < stop;) {
		const char *end = memchr(line, '\n', (size_t)(stop - line));

		if ((size_t)(end - line) == ulen && memcmp(line, user, ulen) == 0)
			return 1;
		line = end + 1;
	}
	return 0;
}
