/* SPDX-License-Identifier: BSD-3-Clause */
/* The secret key file: created once with mode 0600, read back the same
 * on every start, refused whenever someone else could have seen or
 * replaced it. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>
#include <sodium.h>

#include "keys.h"
#include "ob_cleanup.h"
#include "unit.h"

/* The fixture: path is dir/secret.key. */
static int setup(void **state)
{
	return unit_file_setup(state, "test_keys", "secret.key");
}

static void write_bytes(const char *path, size_t len, mode_t mode)
{
	uint8_t buf[256];
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);

	assert_true(len <= sizeof(buf));
	randombytes_buf(buf, sizeof(buf));
	assert_true(fd >= 0);
	assert_int_equal(write(fd, buf, len), (ssize_t)len);
	assert_int_equal(fchmod(fd, mode), 0);
	assert_int_equal(close(fd), 0);
}

static bool all_zero(const void *p, size_t len)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < len; i++)
		if (b[i])
			return false;
	return true;
}

static void load_ok(struct unit_file *f, struct keys *k)
{
	int r = keys_load(k, f->path, f->err, sizeof(f->err));

	if (r != 0)
		fail_msg("keys_load %s: %d: %s", f->path, r, f->err);
}

static void first_load_creates_0600_file_of_64_random_bytes(void **state)
{
	struct unit_file *f = *state;
	uint8_t file[KEYS_FILE_BYTES];
	struct keys k;
	struct stat st;
	int fd;

	load_ok(f, &k);
	assert_int_equal(lstat(f->path, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal(st.st_uid, geteuid());
	assert_int_equal(st.st_size, KEYS_FILE_BYTES);
	/* What was loaded is what is in the file, in the documented order. */
	fd = open(f->path, O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(read(fd, file, sizeof(file)), (ssize_t)sizeof(file));
	close(fd);
	assert_memory_equal(k.code_key, file, sizeof(k.code_key));
	assert_memory_equal(k.secret_key, file + sizeof(k.code_key), sizeof(k.secret_key));
	assert_false(all_zero(k.code_key, sizeof(k.code_key)));
	assert_false(all_zero(k.secret_key, sizeof(k.secret_key)));
	assert_memory_not_equal(k.code_key, k.secret_key, sizeof(k.code_key));
	keys_wipe(&k);
}

static void file_is_created_0600_under_a_strict_umask(void **state)
{
	struct unit_file *f = *state;
	struct keys k;
	struct stat st;
	mode_t old = umask(0777);

	load_ok(f, &k);
	umask(old);
	assert_int_equal(stat(f->path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	keys_wipe(&k);
}

static void second_load_reads_the_same_keys(void **state)
{
	struct unit_file *f = *state;
	uint8_t h1[32], h2[32];
	struct keys a, b;

	load_ok(f, &a);
	load_ok(f, &b);
	assert_memory_equal(&a, &b, sizeof(a));
	keys_code_hash(&a, "ABCDEFGHIJKLMNOP", h1);
	keys_code_hash(&b, "ABCDEFGHIJKLMNOP", h2);
	assert_memory_equal(h1, h2, sizeof(h1));
	keys_wipe(&a);
	keys_wipe(&b);
}

static void hash_differs_with_another_key_or_code(void **state)
{
	struct unit_file *f = *state;
	char other[128];
	uint8_t h1[32], h2[32], h3[32], plain[32];
	struct keys a, b;

	snprintf(other, sizeof(other), "%s/other.key", f->dir);
	load_ok(f, &a);
	assert_int_equal(keys_load(&b, other, f->err, sizeof(f->err)), 0);
	keys_code_hash(&a, "ABCDEFGHIJKLMNOP", h1);
	keys_code_hash(&b, "ABCDEFGHIJKLMNOP", h2);
	keys_code_hash(&a, "ABCDEFGHIJKLMNOQ", h3);
	assert_memory_not_equal(h1, h2, sizeof(h1));
	assert_memory_not_equal(h1, h3, sizeof(h1));
	/* Keyed: not the plain BLAKE2b of the code. */
	crypto_generichash(plain, sizeof(plain), (const unsigned char *)"ABCDEFGHIJKLMNOP", 16,
			   NULL, 0);
	assert_memory_not_equal(h1, plain, sizeof(h1));
	keys_wipe(&a);
	keys_wipe(&b);
}

static void file_open_to_group_or_others_refused(void **state)
{
	static const mode_t modes[] = { 0640, 0604, 0610, 0660, 0644, 0666 };
	struct unit_file *f = *state;
	struct keys k;

	for (size_t i = 0; i < OB_ARRAY_SIZE(modes); i++) {
		write_bytes(f->path, KEYS_FILE_BYTES, modes[i]);
		assert_int_equal(keys_load(&k, f->path, f->err, sizeof(f->err)), -EPERM);
		if (!strstr(f->err, f->path) || !strstr(f->err, "must be 0600"))
			fail_msg("mode %04o: error \"%s\"", (unsigned)modes[i], f->err);
		assert_true(all_zero(&k, sizeof(k)));
	}
	/* Any mode closed to group and others will do, read-only too. */
	write_bytes(f->path, KEYS_FILE_BYTES, 0400);
	load_ok(f, &k);
	keys_wipe(&k);
}

static void file_of_wrong_size_refused(void **state)
{
	static const size_t sizes[] = { 0, 32, KEYS_FILE_BYTES - 1, KEYS_FILE_BYTES + 1, 128 };
	struct unit_file *f = *state;
	char want[64];
	struct keys k;

	for (size_t i = 0; i < OB_ARRAY_SIZE(sizes); i++) {
		write_bytes(f->path, sizes[i], 0600);
		assert_int_equal(keys_load(&k, f->path, f->err, sizeof(f->err)), -EINVAL);
		snprintf(want, sizeof(want), "%zu bytes; a key file holds exactly 64", sizes[i]);
		if (!strstr(f->err, f->path) || !strstr(f->err, want))
			fail_msg("size %zu: error \"%s\"", sizes[i], f->err);
	}
}

static void symlink_refused_even_to_a_good_file(void **state)
{
	struct unit_file *f = *state;
	char target[128], want[256];
	struct keys k;

	snprintf(target, sizeof(target), "%s/real.key", f->dir);
	write_bytes(target, KEYS_FILE_BYTES, 0600);
	assert_int_equal(symlink(target, f->path), 0);
	assert_int_equal(keys_load(&k, f->path, f->err, sizeof(f->err)), -ELOOP);
	snprintf(want, sizeof(want), "%s: is a symbolic link; refusing to follow it", f->path);
	assert_string_equal(f->err, want);
}

static void dangling_symlink_is_not_followed_to_create(void **state)
{
	struct unit_file *f = *state;
	char target[128];
	struct keys k;

	snprintf(target, sizeof(target), "%s/elsewhere.key", f->dir);
	assert_int_equal(symlink(target, f->path), 0);
	assert_int_equal(keys_load(&k, f->path, f->err, sizeof(f->err)), -ELOOP);
	assert_int_equal(access(target, F_OK), -1);
}

static void fifo_or_directory_refused_without_blocking(void **state)
{
	struct unit_file *f = *state;
	struct keys k;

	assert_int_equal(mkfifo(f->path, 0600), 0);
	alarm(10); /* a hang becomes a failure */
	assert_int_equal(keys_load(&k, f->path, f->err, sizeof(f->err)), -EINVAL);
	alarm(0);
	assert_non_null(strstr(f->err, "not a regular file"));
	assert_int_equal(unlink(f->path), 0);
	assert_int_equal(mkdir(f->path, 0700), 0);
	assert_int_equal(keys_load(&k, f->path, f->err, sizeof(f->err)), -EINVAL);
	assert_non_null(strstr(f->err, "not a regular file"));
}

static void file_of_another_user_refused(void **state)
{
	struct unit_file *f = *state;
	struct keys k;

	if (geteuid() != 0)
		skip(); /* only root can give a file away */
	write_bytes(f->path, KEYS_FILE_BYTES, 0600);
	assert_int_equal(chown(f->path, 4242, 4242), 0);
	assert_int_equal(keys_load(&k, f->path, f->err, sizeof(f->err)), -EPERM);
	assert_non_null(strstr(f->err, "owned by uid 4242"));
}

static void missing_directory_named_in_error(void **state)
{
	struct unit_file *f = *state;
	char path[128];
	struct keys k;

	snprintf(path, sizeof(path), "%s/nope/secret.key", f->dir);
	assert_int_equal(keys_load(&k, path, f->err, sizeof(f->err)), -ENOENT);
	assert_non_null(strstr(f->err, path));
	assert_non_null(strstr(f->err, "cannot create"));
}

static void wipe_zeroes_both_keys(void **state)
{
	struct unit_file *f = *state;
	struct keys k;

	load_ok(f, &k);
	keys_wipe(&k);
	assert_true(all_zero(&k, sizeof(k)));
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, unit_fixture_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(first_load_creates_0600_file_of_64_random_bytes),
		T(file_is_created_0600_under_a_strict_umask),
		T(second_load_reads_the_same_keys),
		T(hash_differs_with_another_key_or_code),
		T(file_open_to_group_or_others_refused),
		T(file_of_wrong_size_refused),
		T(symlink_refused_even_to_a_good_file),
		T(dangling_symlink_is_not_followed_to_create),
		T(fifo_or_directory_refused_without_blocking),
		T(file_of_another_user_refused),
		T(missing_directory_named_in_error),
		T(wipe_zeroes_both_keys),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
