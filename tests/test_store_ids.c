/* SPDX-License-Identifier: BSD-3-Clause */
/* The store's Unix ids (issue 12): each person and host group gets one
 * id, once, from the range; the host's ids are passed over; a full
 * range refuses and changes nothing; an id is never given again, not
 * even after a purge; ids survive a reopen; a store made before ids
 * gives them in one go.  Also the host files' reader and the uid_range
 * check (daemon/base/hostids.c). */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <json-c/json.h>
#include <lmdb.h>

#include "hostids.h"
#include "store.h"
#include "store_record.h"
#include "unit_store.h"

#define MAP_SIZE (64ULL << 20)
#define T0 1700000000LL

struct fixture {
	char dir[UNIT_DIR_MAX];
	struct store *st;
};

static int setup(void **state)
{
	struct fixture *f = unit_fixture_new(sizeof(*f), "/tmp", "test_store_ids");

	assert_non_null(f);
	unit_store_open(&f->st, f->dir, MAP_SIZE);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	store_close(f->st);
	(void)unit_fixture_free(f);
	return 0;
}

/* The ids a fake host holds: taken[] ends with 0. */
static bool taken_by_host(uint32_t id, void *ctx)
{
	for (const uint32_t *t = ctx; *t; t++)
		if (*t == id)
			return true;
	return false;
}

static void range(struct fixture *f, uint32_t first, uint32_t last, const uint32_t *host)
{
	struct store_ids ids = { .first = first, .last = last,
				 .host_taken = host ? taken_by_host : NULL, .ctx = (void *)host };

	store_ids_set(f->st, &ids);
}

static enum store_result add(struct fixture *f, const char *name, uint32_t *uid)
{
	struct person p;
	enum store_result r;

	unit_person(&p, name, "Ada", "Lovelace", "default", "");
	p.created = p.updated = T0;
	p.uid = 4242; /* what a caller says is not taken: the store gives */
	r = store_person_create(f->st, &p);
	*uid = r == STORE_OK ? p.uid : 0;
	return r;
}

static uint32_t uid_of(struct fixture *f, const char *name)
{
	_cleanup_person_ struct person p;

	assert_result(store_person_get(f->st, name, &p), STORE_OK);
	return p.uid;
}

static void purge(struct fixture *f, const char *name)
{
	_cleanup_person_ struct person p;
	struct person_change c = { .op = PERSON_REMOVE, .p = &p };

	assert_result(store_person_get(f->st, name, &p), STORE_OK);
	assert_result(store_people_write(f->st, &c, 1, NULL), STORE_OK);
}

/* Ids in order from the range's start, people and groups from one
 * counter, and an update keeps the stored id whatever it says. */
static void ids_are_given_in_order_from_one_counter(void **state)
{
	struct fixture *f = *state;
	struct group g = { .name = "staff", .org = "default", .created = T0, .gid = 7 };
	enum store_id_kind kind;
	char name[STORE_ID_NAME_MAX + 1];
	_cleanup_person_ struct person p;
	uint32_t uid;

	range(f, 70000, 70009, NULL);
	assert_result(add(f, "ada", &uid), STORE_OK);
	assert_int_equal(uid, 70000);
	assert_result(store_group_create(f->st, &g), STORE_OK);
	assert_result(store_group_get(f->st, "staff", &g), STORE_OK);
	assert_int_equal(g.gid, 70001);
	assert_result(add(f, "bea", &uid), STORE_OK);
	assert_int_equal(uid, 70002);

	assert_result(store_id_find(f->st, 70000, &kind, name), STORE_OK);
	assert_int_equal(kind, STORE_ID_PERSON);
	assert_string_equal(name, "ada");
	assert_result(store_id_find(f->st, 70001, &kind, name), STORE_OK);
	assert_int_equal(kind, STORE_ID_GROUP);
	assert_string_equal(name, "staff");
	assert_result(store_id_find(f->st, 70003, &kind, name), STORE_NOT_FOUND);

	assert_result(store_person_get(f->st, "ada", &p), STORE_OK);
	p.uid = 0; /* an edit that does not know of ids */
	snprintf(p.first_name, sizeof(p.first_name), "Ada Augusta");
	assert_result(store_person_put(f->st, &p), STORE_OK);
	assert_int_equal(uid_of(f, "ada"), 70000);
}

/* The ids the host's files hold are passed over. */
static void host_ids_are_skipped(void **state)
{
	static const uint32_t host[] = { 70000, 70001, 70003, 0 };
	struct fixture *f = *state;
	uint32_t uid;

	range(f, 70000, 70009, host);
	assert_result(add(f, "ada", &uid), STORE_OK);
	assert_int_equal(uid, 70002);
	assert_result(add(f, "bea", &uid), STORE_OK);
	assert_int_equal(uid, 70004);
}

/* A full range: the create is refused, nothing written; a group too. */
static void a_full_range_refuses_and_changes_nothing(void **state)
{
	static const uint32_t host[] = { 70001, 0 };
	struct fixture *f = *state;
	struct group g = { .name = "staff", .org = "default", .created = T0 };
	_cleanup_person_ struct person p;
	uint32_t uid;

	range(f, 70000, 70002, host);
	assert_result(add(f, "ada", &uid), STORE_OK);
	assert_result(add(f, "bea", &uid), STORE_OK);
	assert_int_equal(uid, 70002);
	assert_result(add(f, "cid", &uid), STORE_NO_ID);
	assert_result(store_person_get(f->st, "cid", &p), STORE_NOT_FOUND);
	assert_result(store_group_create(f->st, &g), STORE_NO_ID);
	assert_result(store_group_get(f->st, "staff", &g), STORE_NOT_FOUND);
	/* A wider range goes on. */
	range(f, 70000, 70003, host);
	assert_result(add(f, "cid", &uid), STORE_OK);
	assert_int_equal(uid, 70003);
}

/* A purged person's uid is never given again, not even when the range
 * is full but for it, and not after a reopen. */
static void a_purged_uid_is_never_given_again(void **state)
{
	struct fixture *f = *state;
	enum store_id_kind kind;
	char name[STORE_ID_NAME_MAX + 1];
	uint32_t uid;

	range(f, 70000, 70001, NULL);
	assert_result(add(f, "ada", &uid), STORE_OK);
	assert_int_equal(uid, 70000);
	purge(f, "ada");
	assert_result(store_id_find(f->st, 70000, &kind, name), STORE_NOT_FOUND);
	assert_result(add(f, "ada", &uid), STORE_OK);
	assert_int_equal(uid, 70001); /* the same name: still a new uid */
	purge(f, "ada");
	assert_result(add(f, "bea", &uid), STORE_NO_ID);
	store_close(f->st);
	unit_store_open(&f->st, f->dir, MAP_SIZE);
	range(f, 70000, 70001, NULL);
	assert_result(add(f, "bea", &uid), STORE_NO_ID);
}

/* Ids stay what they were across a reopen, and the counter goes on. */
static void ids_are_stable_across_a_reopen(void **state)
{
	struct fixture *f = *state;
	uint32_t uid;

	range(f, 80000, 80100, NULL);
	assert_result(add(f, "ada", &uid), STORE_OK);
	assert_result(add(f, "bea", &uid), STORE_OK);
	store_close(f->st);
	unit_store_open(&f->st, f->dir, MAP_SIZE);
	range(f, 80000, 80100, NULL);
	assert_int_equal(uid_of(f, "ada"), 80000);
	assert_int_equal(uid_of(f, "bea"), 80001);
	assert_result(add(f, "cid", &uid), STORE_OK);
	assert_int_equal(uid, 80002);
}

/* Write a person record without "uid" behind the store's back, as a
 * store made before ids holds it. */
static void put_old_person(struct fixture *f, const char *name)
{
	struct json_object *o;
	struct person p;
	MDB_env *env;
	MDB_txn *txn;
	MDB_dbi dbi;
	MDB_val k, v;
	const char *s;

	unit_person(&p, name, "Old", "Timer", "default", "");
	p.created = p.updated = T0;
	o = record_person_encode(&p, 1);
	assert_non_null(o);
	s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
	assert_null(strstr(s, "\"uid\""));
	assert_int_equal(mdb_env_create(&env), 0);
	assert_int_equal(mdb_env_set_maxdbs(env, 16), 0);
	assert_int_equal(mdb_env_set_mapsize(env, MAP_SIZE), 0);
	assert_int_equal(mdb_env_open(env, f->dir, 0, 0600), 0);
	assert_int_equal(mdb_txn_begin(env, NULL, 0, &txn), 0);
	assert_int_equal(mdb_dbi_open(txn, "people", 0, &dbi), 0);
	k.mv_data = (void *)name;
	k.mv_size = strlen(name);
	v.mv_data = (void *)s;
	v.mv_size = strlen(s);
	assert_int_equal(mdb_put(txn, dbi, &k, &v, 0), 0);
	assert_int_equal(mdb_txn_commit(txn), 0);
	mdb_env_close(env);
	json_object_put(o);
}

/* A store of people without ids (made before them) gets them in one go,
 * in name order; a second run gives none; the counter goes on after. */
static void a_store_without_ids_gets_them_in_name_order(void **state)
{
	struct fixture *f = *state;
	unsigned np, ng;
	uint32_t uid;

	store_close(f->st);
	f->st = NULL;
	put_old_person(f, "cid");
	put_old_person(f, "ada");
	unit_store_open(&f->st, f->dir, MAP_SIZE);
	range(f, 90000, 90100, NULL);
	assert_int_equal(uid_of(f, "ada"), 0);
	assert_result(store_ids_assign(f->st, &np, &ng), STORE_OK);
	assert_int_equal(np, 2);
	assert_int_equal(ng, 0);
	assert_int_equal(uid_of(f, "ada"), 90000);
	assert_int_equal(uid_of(f, "cid"), 90001);
	assert_result(store_ids_assign(f->st, &np, &ng), STORE_OK);
	assert_int_equal(np, 0);
	assert_result(add(f, "bea", &uid), STORE_OK);
	assert_int_equal(uid, 90002);
}

/* ------------------------------------------------------------ host files */

static void write_file(const char *path, const char *text)
{
	FILE *fp = fopen(path, "w");

	assert_non_null(fp);
	fputs(text, fp);
	assert_int_equal(fclose(fp), 0);
}

static void host_files_are_read_directly(void **state)
{
	struct fixture *f = *state;
	char pw[UNIT_DIR_MAX + 16], gr[UNIT_DIR_MAX + 16];
	struct hostids *h;

	snprintf(pw, sizeof(pw), "%s/passwd", f->dir);
	snprintf(gr, sizeof(gr), "%s/group", f->dir);
	write_file(pw, "root:x:0:0:root:/root:/bin/sh\n# a comment\n+nis::::::\n"
		       "alice:x:70005:70005::/home/alice:/bin/sh\nbroken line\n");
	write_file(gr, "root:x:0:\nwheel:x:70007:alice\n");
	assert_int_equal(hostids_new(&h, pw, gr), 0);
	assert_true(hostids_id_taken(h, 0));
	assert_true(hostids_id_taken(h, 70005));
	assert_true(hostids_id_taken(h, 70007));
	assert_false(hostids_id_taken(h, 70006));
	assert_true(hostids_has_user(h, "alice"));
	assert_false(hostids_has_user(h, "wheel"));
	assert_true(hostids_has_group(h, "wheel"));
	assert_false(hostids_has_user(h, "+nis"));
	/* A useradd while we run is seen at the next refresh. */
	write_file(pw, "root:x:0:0:root:/root:/bin/sh\nzed:x:70006:70006::/:/bin/sh\n");
	hostids_refresh(h);
	assert_true(hostids_id_taken(h, 70006));
	assert_true(hostids_has_user(h, "zed"));
	assert_false(hostids_has_user(h, "alice"));
	hostids_free(h);
}

static void uid_range_is_checked_against_the_hosts_ranges(void **state)
{
	static const struct {
		uint32_t first, last;
		bool ok;
	} rows[] = {
		{ 65536, 99999, true },    /* the default */
		{ 100000, 165535, false }, /* the subordinate ids of subuid */
		{ 99999, 100000, false },  /* touches them */
		{ 1000, 5000, false },     /* useradd's range */
		{ 60000, 60000, false },   /* UID_MAX itself */
		{ 60001, 60100, false },   /* systemd-homed */
		{ 61184, 61200, false },   /* DynamicUser */
		{ 65534, 65534, false },   /* nobody */
		{ 65535, 65536, false },   /* (uint16_t)-1 */
		{ 200000, 299999, true },
		{ 5, 4, false },
	};
	struct fixture *f = *state;
	char defs[UNIT_DIR_MAX + 16], sub[UNIT_DIR_MAX + 16], why[256];

	snprintf(defs, sizeof(defs), "%s/login.defs", f->dir);
	snprintf(sub, sizeof(sub), "%s/subuid", f->dir);
	write_file(defs, "# login.defs\nUID_MIN 1000\nUID_MAX 60000\nGID_MAX\t50000\n");
	write_file(sub, "alice:100000:65536\n");
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const char *r = hostids_range_check(rows[i].first, rows[i].last, defs, sub,
						    "/nonexistent", why, sizeof(why));

		if ((r == NULL) != rows[i].ok)
			fail_msg("uid_range %u-%u: %s", rows[i].first, rows[i].last,
				 r ? r : "accepted");
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(ids_are_given_in_order_from_one_counter, setup,
						teardown),
		cmocka_unit_test_setup_teardown(host_ids_are_skipped, setup, teardown),
		cmocka_unit_test_setup_teardown(a_full_range_refuses_and_changes_nothing, setup,
						teardown),
		cmocka_unit_test_setup_teardown(a_purged_uid_is_never_given_again, setup,
						teardown),
		cmocka_unit_test_setup_teardown(ids_are_stable_across_a_reopen, setup, teardown),
		cmocka_unit_test_setup_teardown(a_store_without_ids_gets_them_in_name_order,
						setup, teardown),
		cmocka_unit_test_setup_teardown(host_files_are_read_directly, setup, teardown),
		cmocka_unit_test_setup_teardown(uid_range_is_checked_against_the_hosts_ranges,
						setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
