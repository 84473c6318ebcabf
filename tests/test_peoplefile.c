/* SPDX-License-Identifier: BSD-3-Clause */
/* The people file (daemon/store/peoplefile.c) follows the store through
 * admin calls on a store of 20,000 people: a name added is in it when the
 * call returns, a name purged is gone, and the module's own reader
 * (pam_module/people.c) accepts every version.  An add appends its name
 * to the same file rather than writing everyone's again (the cost of one
 * call must not grow with the number of people: with a million, the
 * rewrite took longer than onboardctl waits); a file that is missing or
 * not as the daemon left it is written anew. */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>
#include <json-c/json.h>

#include "admin_private.h"
#include "daemon.h"
#include "ob_cleanup.h"
#include "ob_protocol.h"
#include "people.h"
#include "peoplefile.h"
#include "store.h"
#include "unit_admin.h"

#define T0 1800000000LL
#define MAP_SIZE (256ULL << 20)
#define PEOPLE 20000
#define BATCH 5000

static int64_t test_now(void)
{
	return T0;
}

static void people_path(const struct fixture *f, char *path, size_t size)
{
	snprintf(path, size, "%s/" OB_PEOPLE_FILE, f->dir);
}

static void name_of(unsigned i, char *buf, size_t size)
{
	snprintf(buf, size, "p%05u", i);
}

/* The store with PEOPLE people, and the file written as at start-up. */
static int fixture_setup(void **state)
{
	struct fixture *f = unit_fixture_new(sizeof(*f), "/tmp", "test_peoplefile");
	static struct person p[BATCH];
	static struct person_change c[BATCH];
	struct store_failure fail;
	char name[32];

	assert_non_null(f);
	unit_daemon_open(&f->d, f->dir, MAP_SIZE, test_now, T0);
	f->d.state_dir = f->dir;
	for (unsigned i = 0; i < PEOPLE; i += BATCH) {
		for (unsigned j = 0; j < BATCH; j++) {
			name_of(i + j, name, sizeof(name));
			unit_person(&p[j], name, "Ada", "Lovelace", "default", "");
			p[j].created = p[j].updated = T0;
			c[j] = (struct person_change){ .op = PERSON_CREATE, .p = &p[j] };
		}
		if (store_people_write(f->d.store, c, BATCH, &fail) != STORE_OK)
			fail_msg("cannot load people %u...", i);
	}
	assert_int_equal(peoplefile_write(&f->d), 0);
	*state = f;
	return 0;
}

static int fixture_teardown(void **state)
{
	unit_admin_close(*state);
	return 0;
}

static void call(struct fixture *f, const char *method, const char *params_json)
{
	json_object_put(unit_call_as(f, 0, method, params_json, NULL, NULL, NULL));
}

static void add(struct fixture *f, const char *username)
{
	char params[128];

	snprintf(params, sizeof(params),
		 "{\"username\":\"%s\",\"first_name\":\"New\",\"last_name\":\"Comer\"}", username);
	call(f, OB_IFACE_ADMIN ".UserAdd", params);
}

static void purge(struct fixture *f, const char *username)
{
	char params[64];

	snprintf(params, sizeof(params), "{\"username\":\"%s\"}", username);
	call(f, OB_IFACE_ADMIN ".UserDelete", params);
	call(f, OB_IFACE_ADMIN ".UserPurge", params);
}

/* The module's answer for username: 1 listed, 0 not; the file must be
 * one the module trusts and reads. */
static int listed(const struct fixture *f, const char *username)
{
	char path[4096], err[256];
	int r;

	people_path(f, path, sizeof(path));
	r = people_file_lookup(path, geteuid(), username, err, sizeof(err));
	if (r < 0)
		fail_msg("the module refuses the people file: %s", err);
	return r;
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every line of the file after the header, counted; each of the first
 * PEOPLE names but those from skip_from to skip_to (excluded) is a line
 * of it, and the others are not; every 97th is also asked of the
 * module's reader. */
static size_t lines_checked(const struct fixture *f, unsigned skip_from, unsigned skip_to)
{
	char path[4096], name[32];
	_cleanup_free_ char *buf = NULL;
	_cleanup_free_ char **lines = NULL;
	size_t size = 0, n = 0;
	FILE *fp;
	char *line, *end;

	people_path(f, path, sizeof(path));
	fp = fopen(path, "r");
	assert_non_null(fp);
	assert_true(getdelim(&buf, &size, '\0', fp) > 0);
	fclose(fp);
	assert_memory_equal(buf, OB_PEOPLE_HEADER, strlen(OB_PEOPLE_HEADER));
	lines = calloc(strlen(buf), sizeof(*lines));
	assert_non_null(lines);
	for (line = buf + strlen(OB_PEOPLE_HEADER); *line; line = end + 1) {
		end = strchr(line, '\n');
		assert_non_null(end);
		*end = '\0';
		lines[n++] = line;
	}
	qsort(lines, n, sizeof(*lines), name_cmp);
	for (unsigned i = 0; i < PEOPLE; i++) {
		bool want = i < skip_from || i >= skip_to;
		char *key = name;

		name_of(i, name, sizeof(name));
		if (!!bsearch(&key, lines, n, sizeof(*lines), name_cmp) != want)
			fail_msg("%s is %s the people file", name, want ? "missing from" : "still in");
		if (i % 97 == 0 || !want)
			assert_int_equal(listed(f, name), want);
	}
	return n;
}

static ino_t inode_of(const struct fixture *f, off_t *size)
{
	char path[4096];
	struct stat st;

	people_path(f, path, sizeof(path));
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	if (size)
		*size = st.st_size;
	return st.st_ino;
}

static void start_up_lists_everyone(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(lines_checked(f, 0, 0), PEOPLE);
	assert_int_equal(listed(f, "nobody-here"), 0);
}

/* The old code wrote all 20,000 names again for each add (a new file
 * renamed over the old: another inode). */
static void an_add_appends_its_name(void **state)
{
	struct fixture *f = *state;
	off_t before, after;
	ino_t ino = inode_of(f, &before);

	add(f, "newcomer");
	assert_int_equal(listed(f, "newcomer"), 1);
	assert_true(inode_of(f, &after) == ino);
	assert_int_equal(after, before + (off_t)strlen("newcomer\n"));
	add(f, "second");
	assert_int_equal(listed(f, "second"), 1);
	assert_true(inode_of(f, NULL) == ino);
	assert_int_equal(lines_checked(f, 0, 0), PEOPLE + 2);
}

/* A purge writes the file whole: the name gone, everyone else (those
 * appended too) still there. */
static void a_purge_removes_the_name(void **state)
{
	struct fixture *f = *state;
	char name[32];

	add(f, "newcomer");
	name_of(42, name, sizeof(name));
	purge(f, name);
	assert_int_equal(listed(f, name), 0);
	assert_int_equal(listed(f, "newcomer"), 1);
	assert_int_equal(lines_checked(f, 42, 43), PEOPLE);
	purge(f, "newcomer");
	assert_int_equal(listed(f, "newcomer"), 0);
	/* Adds after a purge append again. */
	add(f, "third");
	assert_int_equal(listed(f, "third"), 1);
	assert_int_equal(lines_checked(f, 42, 43), PEOPLE);
}

/* Nothing is appended to a file the daemon did not leave so: missing
 * (removed after a failure), or not beginning with the header; it is
 * written anew from the store. */
static void a_file_not_as_left_is_written_anew(void **state)
{
	struct fixture *f = *state;
	char path[4096];
	FILE *fp;

	people_path(f, path, sizeof(path));
	assert_int_equal(unlink(path), 0);
	add(f, "newcomer");
	assert_int_equal(lines_checked(f, 0, 0), PEOPLE + 1);
	assert_int_equal(listed(f, "newcomer"), 1);
	fp = fopen(path, "w");
	assert_non_null(fp);
	fputs("someone else's file\n", fp);
	fclose(fp);
	add(f, "second");
	assert_int_equal(lines_checked(f, 0, 0), PEOPLE + 2);
	assert_int_equal(listed(f, "second"), 1);
}

/* The store tells what changed: the names created, or that the reader
 * must list everyone again (a removal). */
static void the_store_tells_what_changed(void **state)
{
	struct fixture *f = *state;
	struct person p;
	struct person_change c = { .op = PERSON_CREATE, .p = &p };
	const char *names;
	size_t len;
	bool reread;

	store_people_news(f->d.store, &names, &len, &reread);
	assert_int_equal(len, 0);
	assert_false(reread);
	unit_person(&p, "anna", "Anna", "A", "default", "");
	assert_int_equal(store_people_write(f->d.store, &c, 1, NULL), STORE_OK);
	unit_person(&p, "bert", "Bert", "B", "default", "");
	assert_int_equal(store_people_write(f->d.store, &c, 1, NULL), STORE_OK);
	store_people_news(f->d.store, &names, &len, &reread);
	assert_int_equal(len, strlen("anna\nbert\n"));
	assert_memory_equal(names, "anna\nbert\n", len);
	assert_false(reread);
	c.op = PERSON_REMOVE;
	assert_int_equal(store_people_write(f->d.store, &c, 1, NULL), STORE_OK);
	store_people_news(f->d.store, &names, &len, &reread);
	assert_true(reread);
	peoplefile_sync(&f->d);
	store_people_news(f->d.store, &names, &len, &reread);
	assert_false(reread);
	assert_int_equal(listed(f, "anna"), 1);
	assert_int_equal(listed(f, "bert"), 0);
}

struct seen {
	unsigned n;
	bool anna, bert, cleo;
};

static int saw(const struct person *p, void *ctx)
{
	struct seen *s = ctx;

	s->n++;
	s->anna |= strcmp(p->username, "anna") == 0;
	s->bert |= strcmp(p->username, "bert") == 0;
	s->cleo |= strcmp(p->username, "cleo") == 0;
	return 0;
}

/* The walks UserDelete, UserPurge, the member counts of GroupList and a
 * non-root Status make over everyone decode only the records that may
 * hold what they look for (with 1,000,000 people, a delete decoding all
 * of them took 19 s): here none of the 20,000 others. */
static void a_walk_with_a_needle_decodes_only_who_may_hold_it(void **state)
{
	struct fixture *f = *state;
	struct person p;
	struct seen s = { 0 };

	unit_person(&p, "anna", "Anna", "A", "default", "");
	snprintf(p.link, sizeof(p.link), "p00007");
	assert_int_equal(store_person_create(f->d.store, &p), STORE_OK);
	/* A backslash could escape the name's bytes: decoded too. */
	unit_person(&p, "bert", "Be\\rt", "B", "default", "");
	assert_int_equal(store_person_create(f->d.store, &p), STORE_OK);
	unit_person(&p, "cleo", "Cleo", "C", "default", "");
	assert_int_equal(store_person_create(f->d.store, &p), STORE_OK);
	assert_int_equal(store_person_each_with(f->d.store, "p00007", saw, &s), STORE_OK);
	/* p00007 itself (its username is in its record) and anna; bert for
	 * the backslash; not cleo, nor anyone else. */
	assert_true(s.anna);
	assert_true(s.bert);
	assert_false(s.cleo);
	assert_int_equal(s.n, 3);
}

#define T(name) cmocka_unit_test_setup_teardown(name, fixture_setup, fixture_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(start_up_lists_everyone),
		T(an_add_appends_its_name),
		T(a_purge_removes_the_name),
		T(a_file_not_as_left_is_written_anew),
		T(the_store_tells_what_changed),
		T(a_walk_with_a_needle_decodes_only_who_may_hold_it),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
