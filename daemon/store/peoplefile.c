/* SPDX-License-Identifier: BSD-3-Clause */
/* Writing the people file (see peoplefile.h). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "daemon.h"
#include "fdio.h"
#include "log.h"
#include "names.h"
#include "ob_cleanup.h"
#include "ob_protocol.h"
#include "peoplefile.h"

struct peoplefile_buf {
	char *data;
	size_t len, size;
	int err;
};

static int peoplefile_add_name(struct peoplefile_buf *b, const char *name)
{
	size_t n = strlen(name);

	if (b->len + n + 2 > b->size) {
		size_t size = b->size ? b->size * 2 : 4096;
		char *data;

		while (size < b->len + n + 2)
			size *= 2;
		data = realloc(b->data, size);
		if (!data) {
			b->err = -ENOMEM;
			return 1;
		}
		b->data = data;
		b->size = size;
	}
	memcpy(b->data + b->len, name, n);
	b->len += n;
	b->data[b->len++] = '\n';
	return 0;
}

/* A key goes in as it is, checked: the file is a list of lines, and a
 * key that is not a valid name (a record written behind the store's
 * back) cannot be written in it, and fails the file. */
static int peoplefile_add(const char *name, size_t len, void *ctx)
{
	struct peoplefile_buf *b = ctx;
	char buf[OB_USERNAME_MAX + 1];

	if (len == 0 || len > OB_USERNAME_MAX || memchr(name, '\0', len)) {
		b->err = -EBADMSG;
		return 1;
	}
	memcpy(buf, name, len);
	buf[len] = '\0';
	if (name_check(buf, OB_USERNAME_MAX) != NAME_OK) {
		b->err = -EBADMSG;
		return 1;
	}
	return peoplefile_add_name(b, buf);
}

/* Write b to dir/OB_PEOPLE_FILE through a new temporary file, flushed,
 * then renamed over the old one, and the directory flushed. */
static int peoplefile_replace(const char *dir, const struct peoplefile_buf *b)
{
	char tmp[PATH_MAX], path[PATH_MAX];
	_cleanup_close_ int dfd = -1;
	int fd, r;

	if (snprintf(tmp, sizeof(tmp), "%s/." OB_PEOPLE_FILE ".tmp", dir) >= (int)sizeof(tmp) ||
	    snprintf(path, sizeof(path), "%s/" OB_PEOPLE_FILE, dir) >= (int)sizeof(path))
		return -ENAMETOOLONG;
	/* A leftover of a crash; O_EXCL|O_NOFOLLOW below refuse anything
	 * planted in its place. */
	if (unlink(tmp) < 0 && errno != ENOENT)
		return -errno;
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	r = fd_write_all(fd, OB_PEOPLE_HEADER, strlen(OB_PEOPLE_HEADER));
	if (r == 0)
		r = fd_write_all(fd, b->data ? b->data : "", b->len);
	/* Root's and 0600 whatever the umask or a setgid directory did (a
	 * daemon run by another user in tests keeps its own). */
	if (r == 0 && ((geteuid() == 0 && fchown(fd, 0, 0) < 0) || fchmod(fd, 0600) < 0))
		r = -errno;
	if (r == 0 && fsync(fd) < 0)
		r = -errno;
	if (close(fd) < 0 && r == 0)
		r = -errno;
	if (r == 0 && rename(tmp, path) < 0)
		r = -errno;
	if (r < 0) {
		unlink(tmp);
		return r;
	}
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0)
		fsync(dfd);
	return 0;
}

int peoplefile_write(struct daemon *d)
{
	struct peoplefile_buf b = { 0 };
	uint64_t changes = store_people_changes(d->store);
	char path[PATH_MAX];
	int r;

	if (!d->state_dir)
		return 0;
	/* The usernames are the keys: a record that cannot be read is
	 * still onboard's person (the daemon refuses their logins), and is
	 * in the file like everyone else; no record is decoded. */
	if (store_person_names_each(d->store, NULL, peoplefile_add, &b) != STORE_OK)
		r = -EIO;
	else if (!(r = b.err))
		r = peoplefile_replace(d->state_dir, &b);
	free(b.data);
	if (r == 0) {
		d->people_synced = changes;
		store_people_news_clear(d->store);
		return 0;
	}
	log_warnx("cannot write the people file in %s: %s; removed, so that the module fails "
		  "closed for everyone while onboardd is down",
		  d->state_dir, strerror(-r));
	if (snprintf(path, sizeof(path), "%s/" OB_PEOPLE_FILE, d->state_dir) < (int)sizeof(path))
		unlink(path);
	return r;
}

/* Add the lines of names (each a valid name ending in '\n', checked) to
 * the end of dir/OB_PEOPLE_FILE, flushed.  Only to the file as
 * peoplefile_replace leaves it: root's (or ours), 0600, a regular file
 * that begins with the header and ends with a newline; anything else,
 * a missing file included, is -ESTALE, and the caller writes it anew. */
static int peoplefile_append(const char *dir, const char *names, size_t len)
{
	char path[PATH_MAX], head[sizeof(OB_PEOPLE_HEADER)], name[OB_USERNAME_MAX + 1], last;
	size_t hlen = strlen(OB_PEOPLE_HEADER);
	_cleanup_close_ int fd = -1;
	struct stat st;
	int r;

	for (const char *line = names, *end; line < names + len; line = end + 1) {
		end = memchr(line, '\n', (size_t)(names + len - line));
		if (!end || end == line || (size_t)(end - line) > OB_USERNAME_MAX)
			return -EBADMSG;
		memcpy(name, line, (size_t)(end - line));
		name[end - line] = '\0';
		if (strlen(name) != (size_t)(end - line) ||
		    name_check(name, OB_USERNAME_MAX) != NAME_OK)
			return -EBADMSG;
	}
	if (snprintf(path, sizeof(path), "%s/" OB_PEOPLE_FILE, dir) >= (int)sizeof(path))
		return -ENAMETOOLONG;
	fd = open(path, O_RDWR | O_APPEND | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT || errno == ELOOP ? -ESTALE : -errno;
	if (fstat(fd, &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode) || st.st_uid != (geteuid() == 0 ? 0 : geteuid()) ||
	    (st.st_mode & 07777) != 0600 || st.st_size < (off_t)hlen ||
	    pread(fd, head, hlen, 0) != (ssize_t)hlen || memcmp(head, OB_PEOPLE_HEADER, hlen) ||
	    pread(fd, &last, 1, st.st_size - 1) != 1 || last != '\n')
		return -ESTALE;
	r = fd_write_all(fd, names, len);
	if (r == 0 && fsync(fd) < 0)
		r = -errno;
	return r;
}

/* A person created is in the file before the call that created them
 * returns: their name appended, flushed, so that one call costs its own
 * names and not everyone's.  Only a removal (or news the store could not
 * keep) writes the whole file again.  A failed append may have left half
 * a line (which the module refuses): the file is written whole instead,
 * and when that fails too it is removed (peoplefile_write), so that the
 * module fails closed. */
void peoplefile_sync(struct daemon *d)
{
	const char *names;
	size_t len;
	bool reread;
	int r;

	if (!d->store || store_people_changes(d->store) == d->people_synced)
		return;
	store_people_news(d->store, &names, &len, &reread);
	if (!d->state_dir) {
		d->people_synced = store_people_changes(d->store);
		store_people_news_clear(d->store);
		return;
	}
	if (reread) {
		peoplefile_write(d);
		return;
	}
	r = len ? peoplefile_append(d->state_dir, names, len) : 0;
	if (r < 0) {
		/* Written anew from the store; removed if that fails too. */
		if (r != -ESTALE)
			log_warnx("cannot add to the people file in %s: %s; writing it anew",
				  d->state_dir, strerror(-r));
		peoplefile_write(d);
		return;
	}
	d->people_synced = store_people_changes(d->store);
	store_people_news_clear(d->store);
}
