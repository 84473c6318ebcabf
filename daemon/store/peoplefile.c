/* Writing the people file (see peoplefile.h). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "daemon.h"
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

static int peoplefile_add(const struct person *p, void *ctx)
{
	return peoplefile_add_name(ctx, p->username);
}

static int peoplefile_none(const struct person *p, void *ctx)
{
	(void)p;
	(void)ctx;
	return 0;
}

/* The listing skips a record it cannot read, but that person is still
 * onboard's (the daemon refuses their logins): left out of the file, they
 * would pass for a user onboard does not manage while it is down.  Each
 * skipped key is added, found by listing again after the last one; a key
 * that is not a valid name cannot be written, and fails the file. */
static int peoplefile_add_skipped(struct daemon *d, struct peoplefile_buf *b)
{
	struct store_skipped sk;
	char after[OB_USERNAME_MAX + 1] = "";

	for (store_last_skipped(&sk); sk.count; store_last_skipped(&sk)) {
		/* No progress (a key longer than a name, cut) fails too. */
		if (name_check(sk.first, OB_USERNAME_MAX) != NAME_OK ||
		    strcmp(sk.first, after) == 0)
			return -EBADMSG;
		if (peoplefile_add_name(b, sk.first) || b->err)
			return b->err ? b->err : -ENOMEM;
		snprintf(after, sizeof(after), "%s", sk.first);
		if (store_person_each(d->store, after, peoplefile_none, NULL) != STORE_OK)
			return -EIO;
	}
	return 0;
}

static int peoplefile_write_all(int fd, const char *data, size_t len)
{
	while (len) {
		ssize_t n = write(fd, data, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		data += n;
		len -= (size_t)n;
	}
	return 0;
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
	r = peoplefile_write_all(fd, OB_PEOPLE_HEADER, strlen(OB_PEOPLE_HEADER));
	if (r == 0)
		r = peoplefile_write_all(fd, b->data ? b->data : "", b->len);
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
	if (store_person_each(d->store, NULL, peoplefile_add, &b) != STORE_OK)
		r = -EIO;
	else if (!(r = b.err ? b.err : peoplefile_add_skipped(d, &b)))
		r = peoplefile_replace(d->state_dir, &b);
	free(b.data);
	if (r == 0) {
		d->people_synced = changes;
		return 0;
	}
	log_warnx("cannot write the people file in %s: %s; removed, so that the module fails "
		  "closed for everyone while onboardd is down",
		  d->state_dir, strerror(-r));
	if (snprintf(path, sizeof(path), "%s/" OB_PEOPLE_FILE, d->state_dir) < (int)sizeof(path))
		unlink(path);
	return r;
}

void peoplefile_sync(struct daemon *d)
{
	if (d->store && store_people_changes(d->store) != d->people_synced)
		peoplefile_write(d);
}
