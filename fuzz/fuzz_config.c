/* SPDX-License-Identifier: BSD-3-Clause */
/* onboardd.conf against arbitrary bytes, through the real file checks:
 * what config_load accepts is within the ranges of onboardd.conf(5) and
 * touches only the keys the file names; what it refuses leaves the
 * defaults alone and says why in one line that starts with the path.
 * config_parse_size is checked against a second, plainer reading. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <sodium.h>

#include "conf.h"
#include "duration.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MIB (1024ULL * 1024)
#define GIB (1024 * MIB)
#define TIB (1024 * GIB)

/* Longer than any size config_parse_size could accept. */
#define FUZZ_SIZE_TEXT_MAX 64

/* The error buffer the daemon passes; the canary after it catches a
 * write past errlen. */
#define FUZZ_ERRLEN 512
#define FUZZ_CANARY 0x5a
#define FUZZ_CANARY_LEN 64

static char fuzz_dir[PATH_MAX - 32];
static char fuzz_path[PATH_MAX];

static void fuzz_cleanup(void)
{
	unlink(fuzz_path);
	rmdir(fuzz_dir);
}

/* One private directory for the whole run: mkdtemp makes it 0700, so the
 * file in it is ours alone. */
static void fuzz_setup(void)
{
	const char *tmp = getenv("TMPDIR");

	if (fuzz_path[0])
		return;
	if (!tmp || tmp[0] != '/')
		tmp = "/tmp";
	if (snprintf(fuzz_dir, sizeof(fuzz_dir), "%s/onboard-fuzz-config.XXXXXX", tmp) >=
	    (int)sizeof(fuzz_dir) || !mkdtemp(fuzz_dir)) {
		perror("fuzz_config: mkdtemp");
		abort();
	}
	snprintf(fuzz_path, sizeof(fuzz_path), "%s/onboardd.conf", fuzz_dir);
	atexit(fuzz_cleanup);
}

static void fuzz_write(const uint8_t *data, size_t size)
{
	int fd = open(fuzz_path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
	size_t off = 0;

	if (fd < 0 || fchmod(fd, 0600) < 0) {
		perror("fuzz_config: open");
		abort();
	}
	while (off < size) {
		ssize_t n = write(fd, data + off, size - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			perror("fuzz_config: write");
			abort();
		}
		off += (size_t)n;
	}
	if (close(fd) < 0)
		abort();
}

static bool fuzz_in(uint64_t v, uint64_t lo, uint64_t hi)
{
	return v >= lo && v <= hi;
}

/* Each range as onboardd.conf(5) states it, written out again here rather
 * than taken from conf.c's table. */
static void fuzz_check_ranges(const struct config *c, const struct config *d)
{
	if (c->code_lifetime < 60 || c->code_lifetime > 3650LL * 86400)
		abort();
	if (!fuzz_in(c->db_map_size, MIB, TIB))
		abort();
	if (!fuzz_in(c->pwhash_ops, crypto_pwhash_OPSLIMIT_MIN, crypto_pwhash_OPSLIMIT_MAX))
		abort();
	if (!fuzz_in(c->pwhash_mem, crypto_pwhash_MEMLIMIT_MIN, GIB))
		abort();
	if (!fuzz_in(c->workers, 1, 64) || !fuzz_in(c->worker_queue, 1, 4096))
		abort();
	if (!fuzz_in(c->max_connections, 1, 65536) || !fuzz_in(c->max_connections_per_uid, 1, 65536))
		abort();
	if (!fuzz_in(c->max_dialogues_per_user, 1, 65536) || !fuzz_in(c->connection_reserve, 0, 65535))
		abort();
	if (c->login_timeout < 10 || c->login_timeout > 3600)
		abort();
	if (c->shutdown_timeout < 1 || c->shutdown_timeout > 600)
		abort();
	/* uid_min has no range in the manual: the default, or a uid that is
	 * neither root nor negative as a signed int. */
	if (c->uid_min != d->uid_min && !fuzz_in(c->uid_min, 1, 0x7fffffff))
		abort();
	if (!fuzz_in(c->password_min_length, 8, 64))
		abort();
	if (!memchr(c->key_file, '\0', sizeof(c->key_file)))
		abort();
	if (c->key_file[0] && c->key_file[0] != '/')
		abort();
}

/* A field whose key the file does not mention keeps its default.  Only
 * called on success, when the file holds no NUL byte. */
static void fuzz_check_untouched(const char *text, const struct config *c,
				 const struct config *d)
{
#define UNTOUCHED(key, field) \
	if (!strstr(text, key) && memcmp(&c->field, &d->field, sizeof(c->field)) != 0) \
		abort()
	UNTOUCHED("code_lifetime", code_lifetime);
	UNTOUCHED("db_map_size", db_map_size);
	UNTOUCHED("password_hash_ops", pwhash_ops);
	UNTOUCHED("password_hash_memory", pwhash_mem);
	UNTOUCHED("workers", workers);
	UNTOUCHED("worker_queue", worker_queue);
	UNTOUCHED("max_connections", max_connections);
	UNTOUCHED("max_connections_per_uid", max_connections_per_uid);
	UNTOUCHED("max_dialogues_per_user", max_dialogues_per_user);
	UNTOUCHED("connection_reserve", connection_reserve);
	UNTOUCHED("login_timeout", login_timeout);
	UNTOUCHED("shutdown_timeout", shutdown_timeout);
	UNTOUCHED("uid_min", uid_min);
	UNTOUCHED("password_min_length", password_min_length);
	UNTOUCHED("key_file", key_file);
#undef UNTOUCHED
}

static void fuzz_check_error(const char *err, const char *canary)
{
	size_t plen = strlen(fuzz_path), len;

	for (size_t i = 0; i < FUZZ_CANARY_LEN; i++)
		if ((unsigned char)canary[i] != FUZZ_CANARY)
			abort();
	len = strnlen(err, FUZZ_ERRLEN);
	if (len == 0 || len == FUZZ_ERRLEN)
		abort();
	/* One line: the key is shown with '?' for anything not printable. */
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)err[i] < 0x20 || (unsigned char)err[i] == 0x7f)
			abort();
	if (strncmp(err, fuzz_path, plen) != 0 || err[plen] != ':')
		abort();
}

static void fuzz_load(const uint8_t *data, size_t size)
{
	struct config c, d;
	char err[FUZZ_ERRLEN + FUZZ_CANARY_LEN], *text;
	int r;

	fuzz_write(data, size);
	config_defaults(&c);
	d = c;
	memset(err, FUZZ_CANARY, sizeof(err));
	r = config_load(&c, fuzz_path, true, err, FUZZ_ERRLEN);
	if (r == 0) {
		if (err[0] != '\0' || memchr(data, '\0', size))
			abort();
		fuzz_check_ranges(&c, &d);
		text = malloc(size + 1);
		if (!text)
			return;
		memcpy(text, data, size);
		text[size] = '\0';
		fuzz_check_untouched(text, &c, &d);
		free(text);
	} else {
		if (r > 0 || r < -4095)
			abort();
		fuzz_check_error(err, err + FUZZ_ERRLEN);
		if (memcmp(&c, &d, sizeof(c)) != 0)
			abort();
	}
}

/* The size grammar read a second way: digits, at most one unit letter,
 * overflow found with the builtins instead of by division. */
static int fuzz_ref_size(const char *s, uint64_t *out)
{
	uint64_t n = 0, mul = 1;
	const char *p = s;

	for (; *p >= '0' && *p <= '9'; p++)
		if (__builtin_mul_overflow(n, 10, &n) || __builtin_add_overflow(n, *p - '0', &n))
			return -1;
	if (p == s)
		return -1;
	if (*p) {
		const char *units = "KkMmGgTt", *u = strchr(units, *p);

		if (!u || p[1])
			return -1;
		mul = 1ULL << (10 * (1 + (u - units) / 2));
	}
	return __builtin_mul_overflow(n, mul, out) ? -1 : 0;
}

static void fuzz_size(const uint8_t *data, size_t size)
{
	char text[FUZZ_SIZE_TEXT_MAX + 1];
	uint64_t got = 1, want = 0;
	int r, ref;

	if (size > FUZZ_SIZE_TEXT_MAX)
		size = FUZZ_SIZE_TEXT_MAX;
	memcpy(text, data, size);
	text[size] = '\0';
	r = config_parse_size(text, &got);
	ref = fuzz_ref_size(text, &want);
	if (r == 0) {
		if (ref != 0 || got != want)
			abort();
	} else {
		if (r != -EINVAL || ref == 0 || got != 0)
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_setup();
	fuzz_load(data, size);
	fuzz_size(data, size);
	return 0;
}
