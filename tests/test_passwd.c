/* SPDX-License-Identifier: BSD-3-Clause */
/* The one passwd lookup and the one system-account rule (common/passwd.c)
 * that the PAM module and onboardd share, against this host's own user
 * database; and UID_MIN read from login.defs, cached by the file's
 * identity (common/logindefs.c). */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <cmocka.h>

#include "logindefs.h"
#include "passwd.h"

#define NO_SUCH_USER "ob-no-such-user-7q"

static void root_is_root_by_name_and_by_uid(void **state)
{
	struct passwd_entry pw;

	(void)state;
	assert_int_equal(passwd_kind("root", 0, &pw), PASSWD_ROOT);
	assert_int_equal(passwd_by_uid(0, &pw), 1);
	assert_int_equal(pw.uid, 0);
	assert_string_equal(pw.name, "root");
	assert_int_equal(passwd_by_name("root", &pw), 1);
	assert_int_equal(pw.uid, 0);
	assert_int_equal(pw.gid, 0);
}

static void an_unknown_name_is_none(void **state)
{
	struct passwd_entry pw;

	(void)state;
	assert_int_equal(passwd_by_name(NO_SUCH_USER, &pw), 0);
	assert_int_equal(passwd_kind(NO_SUCH_USER, 1000, &pw), PASSWD_NONE);
}

/* uid_min is the first regular uid: an account with uid u is regular
 * for uid_min u and a system account for uid_min u + 1. */
static void uid_min_is_the_line(void **state)
{
	struct passwd_entry pw, kind;
	char name[sizeof(pw.name)];
	uid_t uid = 0;

	(void)state;
	for (uid_t u = 1; u < 1000 && !uid; u++)
		if (passwd_by_uid(u, &pw) == 1 && pw.name[0])
			uid = u;
	if (!uid)
		skip();
	memcpy(name, pw.name, sizeof(name));
	assert_int_equal(passwd_kind(name, uid, &kind), PASSWD_REGULAR);
	assert_int_equal(kind.uid, uid);
	assert_string_equal(kind.name, name);
	assert_int_equal(passwd_kind(name, uid + 1, &kind), PASSWD_SYSTEM);
	assert_int_equal(passwd_kind(name, 0, &kind), PASSWD_REGULAR);
}

/* ---------------------------------------------------- login.defs cache */

/* A login.defs in a temporary directory, with its mtime age seconds in
 * the past (a file written just now is not trusted to stay unchanged:
 * see logindefs_uid_min_cached). */
struct defs {
	char dir[64], path[96], tmp[96];
};

static void defs_write(struct defs *d, const char *text, long age)
{
	struct timespec times[2];
	FILE *f = fopen(d->tmp, "w");

	assert_non_null(f);
	assert_true(fputs(text, f) >= 0);
	assert_int_equal(fclose(f), 0);
	clock_gettime(CLOCK_REALTIME, &times[0]);
	times[0].tv_sec -= age;
	times[1] = times[0];
	assert_int_equal(utimensat(AT_FDCWD, d->tmp, times, 0), 0);
	/* A new file each time, renamed over the old one, as an editor
	 * would: same size and mtime, another inode. */
	assert_int_equal(rename(d->tmp, d->path), 0);
}

static void defs_setup(struct defs *d)
{
	snprintf(d->dir, sizeof(d->dir), "/tmp/ob-logindefs-XXXXXX");
	assert_non_null(mkdtemp(d->dir));
	snprintf(d->path, sizeof(d->path), "%s/login.defs", d->dir);
	snprintf(d->tmp, sizeof(d->tmp), "%s/login.defs.new", d->dir);
}

static void defs_teardown(struct defs *d)
{
	unlink(d->path);
	unlink(d->tmp);
	rmdir(d->dir);
}

static void unchanged_login_defs_is_read_once(void **state)
{
	struct defs d;
	unsigned reads;

	(void)state;
	defs_setup(&d);
	defs_write(&d, "# test\nUID_MIN\t\t 1234\n", 100);
	reads = logindefs_cache_reads();
	assert_int_equal(logindefs_uid_min_cached(d.path), 1234);
	assert_int_equal(logindefs_cache_reads(), reads + 1);
	for (int i = 0; i < 5; i++)
		assert_int_equal(logindefs_uid_min_cached(d.path), 1234);
	assert_int_equal(logindefs_cache_reads(), reads + 1);
	defs_teardown(&d);
}

static void changed_login_defs_is_read_again(void **state)
{
	struct defs d;
	unsigned reads;

	(void)state;
	defs_setup(&d);
	defs_write(&d, "UID_MIN 1234\n", 100);
	assert_int_equal(logindefs_uid_min_cached(d.path), 1234);
	reads = logindefs_cache_reads();
	/* Same size, another mtime. */
	defs_write(&d, "UID_MIN 2345\n", 50);
	assert_int_equal(logindefs_uid_min_cached(d.path), 2345);
	assert_int_equal(logindefs_cache_reads(), reads + 1);
	/* Same size, same mtime, another inode. */
	defs_write(&d, "UID_MIN 3456\n", 50);
	assert_int_equal(logindefs_uid_min_cached(d.path), 3456);
	assert_int_equal(logindefs_cache_reads(), reads + 2);
	/* Another size. */
	defs_write(&d, "UID_MIN 500 # low\n", 50);
	assert_int_equal(logindefs_uid_min_cached(d.path), 500);
	assert_int_equal(logindefs_cache_reads(), reads + 3);
	/* Gone: the default, as for the uncached read; back: read. */
	assert_int_equal(unlink(d.path), 0);
	assert_int_equal(logindefs_uid_min_cached(d.path), LOGINDEFS_UID_MIN_DEFAULT);
	defs_write(&d, "UID_MIN 500 # low\n", 50);
	assert_int_equal(logindefs_uid_min_cached(d.path), 500);
	defs_teardown(&d);
}

/* A file changed within the same clock tick as it was read could keep
 * its size and mtime: one whose mtime is that recent is read each time. */
static void login_defs_written_just_now_is_not_cached(void **state)
{
	struct defs d;
	unsigned reads;

	(void)state;
	defs_setup(&d);
	defs_write(&d, "UID_MIN 1234\n", 0);
	reads = logindefs_cache_reads();
	assert_int_equal(logindefs_uid_min_cached(d.path), 1234);
	assert_int_equal(logindefs_uid_min_cached(d.path), 1234);
	assert_int_equal(logindefs_cache_reads(), reads + 2);
	defs_teardown(&d);
}

/* The cache answers what the uncached read answers. */
static void cached_login_defs_reads_as_uncached(void **state)
{
	static const char *const texts[] = {
		"", "UID_MIN 0\n", "UID_MIN x\n", "UID_MIN 1500 junk\n", "  UID_MIN   1500  \n",
		"UID_MIN 1500\nUID_MIN 1600\n", "UID_MINX 5\n", "UID_MIN 4294967295\n",
		"#UID_MIN 5\nSYS_UID_MAX 999\n",
	};
	struct defs d;

	(void)state;
	defs_setup(&d);
	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		defs_write(&d, texts[i], 100 + (long)i);
		assert_int_equal(logindefs_uid_min_cached(d.path), logindefs_uid_min(d.path));
	}
	defs_teardown(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(root_is_root_by_name_and_by_uid),
		cmocka_unit_test(an_unknown_name_is_none),
		cmocka_unit_test(uid_min_is_the_line),
		cmocka_unit_test(unchanged_login_defs_is_read_once),
		cmocka_unit_test(changed_login_defs_is_read_again),
		cmocka_unit_test(login_defs_written_just_now_is_not_cached),
		cmocka_unit_test(cached_login_defs_reads_as_uncached),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
