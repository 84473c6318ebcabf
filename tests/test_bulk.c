/* SPDX-License-Identifier: BSD-3-Clause */
/* The two files codes given out in bulk go to (ctl/bulk.c: code issue
 * --all-without-email --output, user import --invite --output): created
 * mode 0600 whatever the umask, never over an existing file, never
 * through a symbolic link planted at either name, even one planted after
 * the check (bulk_open itself refuses); and every cell of the CSV that a
 * spreadsheet would run as a formula (=, +, -, @, a tab or a carriage
 * return first) written as text. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>
#include <json-c/json.h>

#include "../ctl/bulk.h"
#include "unit.h"

#define CODE "ABCD-EFGH-JKMN-PQRS"
/* 2026-01-01T00:00:00Z */
#define EXPIRES 1767225600LL
#define KEEP "keep me\n"

struct fixture {
	char dir[UNIT_DIR_MAX];
	char csv[PATH_MAX], sheet[PATH_MAX], target[PATH_MAX];
};

static int setup(void **state)
{
	struct fixture *f = unit_fixture_new(sizeof(*f), "/tmp", "ob-bulk");

	if (!f)
		return -1;
	snprintf(f->csv, sizeof(f->csv), "%s/codes.csv", f->dir);
	snprintf(f->sheet, sizeof(f->sheet), "%s/codes.txt", f->dir);
	snprintf(f->target, sizeof(f->target), "%s/target", f->dir);
	*state = f;
	return 0;
}

static void write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
}

/* The whole of path ("" when missing) into buf. */
static const char *read_file(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t n = 0;
	ssize_t r;

	buf[0] = '\0';
	if (fd < 0)
		return buf;
	while (n + 1 < size && (r = read(fd, buf + n, size - 1 - n)) > 0)
		n += (size_t)r;
	buf[n] = '\0';
	close(fd);
	return buf;
}

static bool exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

/* An IssuedCode as the daemon sends it. */
static struct json_object *issued(const char *username, const char *first, const char *last)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "username", json_object_new_string(username));
	json_object_object_add(o, "first_name", json_object_new_string(first));
	json_object_object_add(o, "last_name", json_object_new_string(last));
	json_object_object_add(o, "code", json_object_new_string(CODE));
	json_object_object_add(o, "expires", json_object_new_int64(EXPIRES));
	return o;
}

/* ----------------------------------------------------------- the files */

static void files_are_0600_whatever_the_umask(void **state)
{
	struct fixture *f = *state;
	struct bulk_files b;
	struct stat st;
	mode_t old = umask(0);
	int r = bulk_open(&b, f->csv, BULK_ACCESS_CODES);

	umask(old);
	assert_int_equal(r, 0);
	assert_int_equal(bulk_finish(&b), 0);
	assert_int_equal(lstat(f->csv, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal(lstat(f->sheet, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0600);
}

/* bulk_open refuses by itself, not only through bulk_check: a file may
 * appear between the two. */
static void existing_csv_is_never_written_over(void **state)
{
	struct fixture *f = *state;
	struct bulk_files b;
	char buf[64];

	write_file(f->csv, KEEP);
	assert_int_equal(bulk_check(f->csv), -EEXIST);
	assert_int_equal(bulk_open(&b, f->csv, BULK_ACCESS_CODES), -EEXIST);
	assert_string_equal(read_file(f->csv, buf, sizeof(buf)), KEEP);
	assert_false(exists(f->sheet));
}

static void existing_sheet_is_never_written_over(void **state)
{
	struct fixture *f = *state;
	struct bulk_files b;
	char buf[64];

	write_file(f->sheet, KEEP);
	assert_int_equal(bulk_check(f->csv), -EEXIST);
	assert_int_equal(bulk_open(&b, f->csv, BULK_INVITATIONS), -EEXIST);
	assert_string_equal(read_file(f->sheet, buf, sizeof(buf)), KEEP);
	/* Nothing is left behind of the CSV it had made. */
	assert_false(exists(f->csv));
}

/* A link to a file that exists, at either name: refused, the file
 * unchanged, nothing left behind. */
static void symlink_to_a_file_is_refused(void **state)
{
	struct fixture *f = *state;
	const char *names[2] = { f->csv, f->sheet };
	struct bulk_files b;
	char buf[64];

	write_file(f->target, KEEP);
	for (size_t i = 0; i < 2; i++) {
		assert_int_equal(symlink(f->target, names[i]), 0);
		assert_int_equal(bulk_check(f->csv), -EEXIST);
		assert_true(bulk_open(&b, f->csv, BULK_ACCESS_CODES) < 0);
		assert_string_equal(read_file(f->target, buf, sizeof(buf)), KEEP);
		assert_false(exists(names[1 - i]));
		assert_int_equal(unlink(names[i]), 0);
	}
}

/* A dangling link: following it would create the file where the link
 * points, somewhere the administrator did not choose. */
static void dangling_symlink_is_not_followed(void **state)
{
	struct fixture *f = *state;
	const char *names[2] = { f->csv, f->sheet };
	struct bulk_files b;

	for (size_t i = 0; i < 2; i++) {
		assert_int_equal(symlink(f->target, names[i]), 0);
		assert_int_equal(bulk_check(f->csv), -EEXIST);
		assert_true(bulk_open(&b, f->csv, BULK_INVITATIONS) < 0);
		assert_false(exists(f->target));
		assert_false(exists(names[1 - i]));
		assert_int_equal(unlink(names[i]), 0);
	}
}

/* --------------------------------------------------- formula injection */

static void formula_cells_are_written_as_text(void **state)
{
	static const char starts[] = "=+-@\t\r";
	struct fixture *f = *state;
	struct bulk_files b;
	char csv[8192], sheet[16384], want[8192], first[32], last[32], user[32];
	struct json_object *o;
	size_t at;

	assert_int_equal(bulk_open(&b, f->csv, BULK_ACCESS_CODES), 0);
	/* A plain row: nothing added to what needs nothing. */
	o = issued("ann", "Ann", "Ek");
	assert_int_equal(bulk_write(&b, o), 0);
	json_object_put(o);
	at = (size_t)snprintf(want, sizeof(want),
			      "username,first_name,last_name,code,expires\n"
			      "ann,Ann,Ek," CODE ",2026-01-01T00:00:00Z\n");
	for (size_t i = 0; i < sizeof(starts) - 1; i++) {
		char c = starts[i];

		snprintf(user, sizeof(user), "%cu%zu", c, i);
		snprintf(first, sizeof(first), "%cSUM(A1:A9)", c);
		snprintf(last, sizeof(last), "%ccmd|' /C calc'!A0", c);
		o = issued(user, first, last);
		assert_int_equal(bulk_write(&b, o), 0);
		json_object_put(o);
		/* Each cell quoted, an apostrophe first, quotes doubled. */
		at += (size_t)snprintf(want + at, sizeof(want) - at,
				       "\"'%cu%zu\",\"'%cSUM(A1:A9)\",\"'%ccmd|' /C calc'!A0\","
				       CODE ",2026-01-01T00:00:00Z\n",
				       c, i, c, c);
	}
	assert_int_equal(bulk_finish(&b), 0);
	read_file(f->csv, csv, sizeof(csv));
	if (strcmp(csv, want) != 0)
		fail_msg("the CSV is\n%s\nwant\n%s", csv, want);
	/* The sheet is for printing: no tab or carriage return of a name
	 * reaches it either. */
	read_file(f->sheet, sheet, sizeof(sheet));
	for (size_t i = 0; sheet[i]; i++)
		if ((unsigned char)sheet[i] < 0x20 && sheet[i] != '\n')
			fail_msg("the sheet holds byte 0x%02x at %zu", (unsigned char)sheet[i], i);
	assert_non_null(strstr(sheet, "Name:             =SUM(A1:A9) =cmd"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(t) cmocka_unit_test_setup_teardown(t, setup, unit_fixture_teardown)
		T(files_are_0600_whatever_the_umask),
		T(existing_csv_is_never_written_over),
		T(existing_sheet_is_never_written_over),
		T(symlink_to_a_file_is_refused),
		T(dangling_symlink_is_not_followed),
		T(formula_cells_are_written_as_text),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
