/* SPDX-License-Identifier: BSD-3-Clause */
/* What the cmocka unit tests share: a fresh directory per test, removed
 * afterwards with everything in it.  Header-only, so that a unit test
 * stays one source file (Makefile.am); include it after cmocka.h. */
#ifndef OB_TEST_UNIT_H
#define OB_TEST_UNIT_H

#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Where a test's database goes: /dev/shm when it may, for speed. */
static inline const char *unit_tmpfs(void)
{
	return access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
}

/* mkdtemp of base/name.XXXXXX into dir.  0, or -1 with errno set. */
static inline int unit_dir_make(char *dir, size_t size, const char *base, const char *name)
{
	if ((size_t)snprintf(dir, size, "%s/%s.XXXXXX", base, name) >= size) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return mkdtemp(dir) ? 0 : -1;
}

static inline int unit_remove_entry(const char *path, const struct stat *st, int flag,
				    struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

/* Remove dir and all below it (links are removed, not followed).  0, or
 * -1 saying why on stderr. */
static inline int unit_dir_remove(const char *dir)
{
	if (nftw(dir, unit_remove_entry, 8, FTW_DEPTH | FTW_PHYS) == 0)
		return 0;
	fprintf(stderr, "cannot remove %s: %s\n", dir, strerror(errno));
	return -1;
}

/* The size of a fixture's directory name: "/tmp/" or "/dev/shm/", a
 * test's name and ".XXXXXX". */
#define UNIT_DIR_MAX 64

/* A cmocka fixture of size bytes whose first member is
 * char dir[UNIT_DIR_MAX]: zeroed, with dir made as base/name.XXXXXX.
 * NULL when that fails. */
static inline void *unit_fixture_new(size_t size, const char *base, const char *name)
{
	char *f;

	if (size < UNIT_DIR_MAX || !(f = calloc(1, size)))
		return NULL;
	if (unit_dir_make(f, UNIT_DIR_MAX, base, name) < 0) {
		free(f);
		return NULL;
	}
	return f;
}

/* Remove the fixture's directory with all in it, and free it.  0, or -1
 * when the directory could not be removed. */
static inline int unit_fixture_free(void *f)
{
	int r = unit_dir_remove(f);

	free(f);
	return r;
}

/* A fixture for a test of one file: its directory, the file's path in
 * it, and room for the error line the code under test writes. */
struct unit_file {
	char dir[UNIT_DIR_MAX];
	char path[96];
	char err[512];
};

/* *state: a unit_file in base/name.XXXXXX for dir/file.  0 or -1. */
static inline int unit_file_setup(void **state, const char *name, const char *file)
{
	struct unit_file *f = unit_fixture_new(sizeof(*f), "/tmp", name);

	if (!f)
		return -1;
	if ((size_t)snprintf(f->path, sizeof(f->path), "%s/%s", f->dir, file) >= sizeof(f->path)) {
		(void)unit_fixture_free(f);
		return -1;
	}
	*state = f;
	return 0;
}

/* The teardown of a fixture made by unit_fixture_new. */
static inline int unit_fixture_teardown(void **state)
{
	return unit_fixture_free(*state);
}

#endif
