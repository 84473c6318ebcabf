/* SPDX-License-Identifier: BSD-3-Clause */
/* The secret key file: created once with fresh random keys, then only
 * read, and only if nobody but us could have read or replaced it. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <sodium.h>

#include "fdio.h"
#include "keys.h"
#include "secfile.h"

_Static_assert(sizeof(((struct keys *)0)->code_key) + sizeof(((struct keys *)0)->secret_key) ==
		       KEYS_FILE_BYTES,
	       "the key file holds exactly the keys");

/* Returns the number of bytes read, short only at end of file. */
static ssize_t keys_read_all(int fd, uint8_t *buf, size_t len)
{
	size_t got = 0;

	while (got < len) {
		ssize_t n = read(fd, buf + got, len - got);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	return (ssize_t)got;
}

/* A new directory entry is durable only once its directory is synced. */
static int keys_sync_dir(const char *path)
{
	char dir[PATH_MAX];
	const char *slash = strrchr(path, '/');
	int fd, r = 0;

	if (!slash)
		snprintf(dir, sizeof(dir), ".");
	else if (slash == path)
		snprintf(dir, sizeof(dir), "/");
	else if ((size_t)(slash - path) >= sizeof(dir))
		return -ENAMETOOLONG;
	else
		snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fsync(fd) < 0)
		r = -errno;
	close(fd);
	return r;
}

/* Create path with fresh keys.  Returns 0, -EEXIST when it is already
 * there, or another -errno with err set. */
static int keys_create(const char *path, char *err, size_t errlen)
{
	uint8_t buf[KEYS_FILE_BYTES];
	const char *what = "cannot write";
	int fd, r;

	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0) {
		r = -errno;
		if (r != -EEXIST)
			snprintf(err, errlen, "%s: cannot create: %s", path, strerror(-r));
		return r;
	}
	randombytes_buf(buf, sizeof(buf));
	/* fchmod: a strict umask must not leave a file that we cannot read. */
	r = fchmod(fd, 0600) < 0 ? -errno : fd_write_all(fd, buf, sizeof(buf));
	sodium_memzero(buf, sizeof(buf));
	if (r == 0 && fsync(fd) < 0)
		r = -errno;
	if (close(fd) < 0 && r == 0)
		r = -errno;
	if (r == 0 && (r = keys_sync_dir(path)) < 0)
		what = "cannot sync its directory";
	if (r < 0) {
		/* A partial file would make every later start refuse to run. */
		unlink(path);
		snprintf(err, errlen, "%s: %s: %s", path, what, strerror(-r));
	}
	return r;
}

static int keys_read(struct keys *k, const char *path, char *err, size_t errlen)
{
	static const struct secfile_rule rule = {
		.root_may_own = false,
		.forbidden = 077,
		.what_bits = "open to group or others",
		.fix = "it must be 0600",
	};
	uint8_t buf[KEYS_FILE_BYTES + 1];
	struct stat st;
	ssize_t n;
	int fd, r = 0;

	fd = secfile_open(path, &rule, &st, err, errlen);
	if (fd < 0)
		return fd;
	if (st.st_size != KEYS_FILE_BYTES) {
		snprintf(err, errlen, "%s: %lld bytes; a key file holds exactly %d", path,
			 (long long)st.st_size, KEYS_FILE_BYTES);
		close(fd);
		return -EINVAL;
	}
	/* One byte more than expected: a file that grew after fstat is refused too. */
	n = keys_read_all(fd, buf, sizeof(buf));
	close(fd);
	if (n < 0) {
		r = (int)n;
		snprintf(err, errlen, "%s: cannot read: %s", path, strerror(-r));
	} else if (n != KEYS_FILE_BYTES) {
		r = -EINVAL;
		snprintf(err, errlen, "%s: changed size while being read", path);
	} else {
		memcpy(k->code_key, buf, sizeof(k->code_key));
		memcpy(k->secret_key, buf + sizeof(k->code_key), sizeof(k->secret_key));
	}
	sodium_memzero(buf, sizeof(buf));
	return r;
}

int keys_load(struct keys *k, const char *path, char *err, size_t errlen)
{
	int r;

	keys_wipe(k);
	if (errlen)
		err[0] = '\0';
	if (sodium_init() < 0) {
		snprintf(err, errlen, "%s: libsodium could not be initialised", path);
		return -EIO;
	}
	r = keys_create(path, err, errlen);
	if (r < 0 && r != -EEXIST)
		return r;
	/* Read back even what we just wrote: one path checks every key file. */
	r = keys_read(k, path, err, errlen);
	if (r < 0)
		keys_wipe(k);
	return r;
}

void keys_wipe(struct keys *k)
{
	sodium_memzero(k, sizeof(*k));
}

void keys_code_hash(const struct keys *k, const char *canonical, uint8_t out[32])
{
	/* Cannot fail: the output and key lengths are within BLAKE2b's bounds. */
	(void)crypto_generichash(out, 32, (const unsigned char *)canonical, strlen(canonical),
				 k->code_key, sizeof(k->code_key));
}

void keys_check_value(const struct keys *k, uint8_t out[32])
{
	static const char label[] = "onboard key file check value 1";
	crypto_generichash_state h;

	/* Cannot fail: the output and key lengths are within BLAKE2b's bounds. */
	(void)crypto_generichash_init(&h, k->code_key, sizeof(k->code_key), 32);
	(void)crypto_generichash_update(&h, (const unsigned char *)label, sizeof(label) - 1);
	(void)crypto_generichash_update(&h, k->secret_key, sizeof(k->secret_key));
	(void)crypto_generichash_final(&h, out, 32);
	sodium_memzero(&h, sizeof(h));
}
