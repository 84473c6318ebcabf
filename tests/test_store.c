/* SPDX-License-Identifier: BSD-3-Clause */
/* The LMDB store, against a real database in a fresh directory per test.
 * A few tests write raw records with lmdb directly to prove that the
 * store refuses what it did not write (that is why lmdb.h is here). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <cmocka.h>
#include <lmdb.h>

#include "store.h"
#include "unit_store.h"

#define T0 1800000000LL /* an arbitrary "now" */
#define DAY 86400LL
#define MAP_SIZE (64ULL << 20)
#define PWHASH_OLD "$argon2id$v=19$m=65536,t=2,p=1$b2xkc2FsdA$b2xkaGFzaA"
#define PWHASH_NEW "$argon2id$v=19$m=65536,t=2,p=1$bmV3c2FsdA$bmV3aGFzaA/+"

struct fixture {
	char dir[UNIT_DIR_MAX];
	struct store *st;
};

/* Fail with both results by name, and the call that gave them. */
/* ------------------------------------------------------------ helpers */

static int fixture_setup(void **state)
{
	struct fixture *f = unit_fixture_new(sizeof(*f), "/tmp", "test_store");

	assert_non_null(f);
	unit_store_open(&f->st, f->dir, MAP_SIZE);
	*state = f;
	return 0;
}

static int fixture_teardown(void **state)
{
	struct fixture *f = *state;

	store_close(f->st);
	(void)unit_fixture_free(f);
	return 0;
}

static void reopen(struct fixture *f, uint64_t map_size)
{
	int r;

	store_close(f->st);
	f->st = NULL;
	r = store_open(&f->st, f->dir, map_size);
	if (r < 0)
		fail_msg("reopening %s: %s", f->dir, strerror(-r));
}

static void person_fill(struct person *p, const char *username, const char *first)
{
	unit_person(p, username, first, "Lindqvist", "default", PWHASH_OLD);
	snprintf(p->email, sizeof(p->email), "%s@example.org", username);
	p->created = T0;
	p->updated = T0;
}

static void add_person(struct fixture *f, const char *username)
{
	struct person p;

	person_fill(&p, username, "Åsa");
	assert_result(store_person_create(f->st, &p), STORE_OK);
}

/* A recognisable hash: every byte is b. */
static const uint8_t *hash_of(uint8_t h[CODE_HASH_BYTES], uint8_t b)
{
	memset(h, b, CODE_HASH_BYTES);
	return h;
}

static void issue(struct fixture *f, const char *username, uint8_t b, int64_t now,
		  int64_t expires)
{
	uint8_t h[CODE_HASH_BYTES];
	struct access_code c;

	assert_result(store_code_issue(f->st, username, hash_of(h, b), now, expires, 0, &c),
		      STORE_OK);
	assert_int_equal(c.state, CODE_ACTIVE);
	assert_memory_equal(c.hash, h, CODE_HASH_BYTES);
}

static enum store_result redeem(struct fixture *f, const char *username, uint8_t b,
				const char *request_id, int64_t now)
{
	uint8_t h[CODE_HASH_BYTES];

	return store_code_redeem(f->st, username, hash_of(h, b), request_id, now, PWHASH_NEW,
				 NULL, NULL, NULL);
}

static enum store_result find(struct fixture *f, uint8_t b, char *who)
{
	uint8_t h[CODE_HASH_BYTES];

	return store_code_find(f->st, hash_of(h, b), who);
}

/* Write one raw value with lmdb, the store closed meanwhile (one process
 * must not open the same environment twice). */
/* Delete key from db behind the store's back (the store is closed). */
static void raw_del(struct fixture *f, const char *db, const char *key)
{
	MDB_env *env;
	MDB_txn *txn;
	MDB_dbi dbi;
	MDB_val k = { .mv_size = strlen(key), .mv_data = (void *)key };

	store_close(f->st);
	f->st = NULL;
	assert_int_equal(mdb_env_create(&env), 0);
	assert_int_equal(mdb_env_set_maxdbs(env, 16), 0);
	assert_int_equal(mdb_env_open(env, f->dir, 0, 0600), 0);
	assert_int_equal(mdb_txn_begin(env, NULL, 0, &txn), 0);
	assert_int_equal(mdb_dbi_open(txn, db, 0, &dbi), 0);
	assert_int_equal(mdb_del(txn, dbi, &k, NULL), 0);
	assert_int_equal(mdb_txn_commit(txn), 0);
	mdb_env_close(env);
}

static void raw_put(struct fixture *f, const char *db, const char *key, const char *value)
{
	MDB_env *env;
	MDB_txn *txn;
	MDB_dbi dbi;
	MDB_val k = { .mv_size = strlen(key), .mv_data = (void *)key };
	MDB_val v = { .mv_size = strlen(value), .mv_data = (void *)value };

	store_close(f->st);
	f->st = NULL;
	assert_int_equal(mdb_env_create(&env), 0);
	assert_int_equal(mdb_env_set_maxdbs(env, 8), 0);
	assert_int_equal(mdb_env_open(env, f->dir, 0, 0600), 0);
	assert_int_equal(mdb_txn_begin(env, NULL, 0, &txn), 0);
	assert_int_equal(mdb_dbi_open(txn, db, MDB_CREATE, &dbi), 0);
	assert_int_equal(mdb_put(txn, dbi, &k, &v, 0), 0);
	assert_int_equal(mdb_txn_commit(txn), 0);
	mdb_env_close(env);
}

/* Read one raw value with lmdb into buf (NUL-terminated), the store
 * closed meanwhile; returns its length. */
static size_t raw_get(struct fixture *f, const char *db, const char *key, char *buf,
		      size_t size)
{
	MDB_env *env;
	MDB_txn *txn;
	MDB_dbi dbi;
	MDB_val k = { .mv_size = strlen(key), .mv_data = (void *)key };
	MDB_val v;

	store_close(f->st);
	f->st = NULL;
	assert_int_equal(mdb_env_create(&env), 0);
	assert_int_equal(mdb_env_set_maxdbs(env, 8), 0);
	assert_int_equal(mdb_env_open(env, f->dir, MDB_RDONLY, 0600), 0);
	assert_int_equal(mdb_txn_begin(env, NULL, MDB_RDONLY, &txn), 0);
	assert_int_equal(mdb_dbi_open(txn, db, 0, &dbi), 0);
	assert_int_equal(mdb_get(txn, dbi, &k, &v), 0);
	if (v.mv_size >= size)
		fail_msg("the record under %s is %zu bytes, more than the test's %zu", key,
			 v.mv_size, size);
	memcpy(buf, v.mv_data, v.mv_size);
	buf[v.mv_size] = '\0';
	mdb_txn_abort(txn);
	mdb_env_close(env);
	reopen(f, MAP_SIZE);
	return v.mv_size;
}

/* A recognisable sealed secret: byte i is b + i. */
static void sealed_fill(uint8_t sealed[STORE_TOTP_SEALED_BYTES], uint8_t b)
{
	for (size_t i = 0; i < STORE_TOTP_SEALED_BYTES; i++)
		sealed[i] = (uint8_t)(b + i);
}

/* Give username an authenticator as enrolment would: sealed secret,
 * watermark at step, enrolled at T0 + 100. */
static void enrol(struct fixture *f, const char *username, uint8_t b, int64_t step)
{
	struct person p;

	assert_result(store_person_get(f->st, username, &p), STORE_OK);
	p.flags |= PERSON_MFA_ENROLLED;
	sealed_fill(p.totp_sealed, b);
	p.totp_last_step = step;
	p.mfa_enrolled = T0 + 100;
	assert_result(store_person_put(f->st, &p), STORE_OK);
}

static bool all_zero(const uint8_t *b, size_t n)
{
	uint8_t acc = 0;

	for (size_t i = 0; i < n; i++)
		acc |= b[i];
	return acc == 0;
}

/* ------------------------------------------------------------ people */

static void person_create_then_get(void **state)
{
	struct fixture *f = *state;
	struct person p, got;

	person_fill(&p, "alice", "Åsa");
	snprintf(p.phone, sizeof(p.phone), "+46701234567");
	p.flags = PERSON_EXISTING_ACCOUNT;
	assert_result(store_person_create(f->st, &p), STORE_OK);
	assert_int_equal(p.version, 1);

	assert_result(store_person_get(f->st, "alice", &got), STORE_OK);
	assert_int_equal(got.version, 1);
	assert_string_equal(got.username, "alice");
	assert_string_equal(got.first_name, "Åsa");
	assert_string_equal(got.last_name, "Lindqvist");
	assert_string_equal(got.email, "alice@example.org");
	assert_string_equal(got.phone, "+46701234567");
	assert_string_equal(got.org, "default");
	assert_string_equal(got.pwhash, PWHASH_OLD);
	assert_int_equal(got.flags, PERSON_EXISTING_ACCOUNT);
	assert_int_equal(got.created, T0);
	assert_int_equal(got.updated, T0);
	assert_int_equal(got.password_set, 0);

	assert_result(store_person_get(f->st, "bob", &got), STORE_NOT_FOUND);
	assert_result(store_person_get(f->st, "", &got), STORE_NOT_FOUND);
}

static void person_create_twice_exists(void **state)
{
	struct fixture *f = *state;
	struct person p, got;

	add_person(f, "alice");
	person_fill(&p, "alice", "Other");
	assert_result(store_person_create(f->st, &p), STORE_EXISTS);
	assert_result(store_person_get(f->st, "alice", &got), STORE_OK);
	assert_string_equal(got.first_name, "Åsa");
}

static void person_put_conflict_on_stale_version(void **state)
{
	struct fixture *f = *state;
	struct person a, b, got;

	add_person(f, "alice");
	assert_result(store_person_get(f->st, "alice", &a), STORE_OK);
	b = a;

	snprintf(a.first_name, sizeof(a.first_name), "Anna");
	assert_result(store_person_put(f->st, &a), STORE_OK);
	assert_int_equal(a.version, 2);

	/* b was read before a's write: its version is stale. */
	snprintf(b.first_name, sizeof(b.first_name), "Berit");
	assert_result(store_person_put(f->st, &b), STORE_CONFLICT);
	assert_int_equal(b.version, 1);

	assert_result(store_person_get(f->st, "alice", &got), STORE_OK);
	assert_string_equal(got.first_name, "Anna");
	assert_int_equal(got.version, 2);
}

static void person_put_unknown_not_found(void **state)
{
	struct fixture *f = *state;
	struct person p;

	person_fill(&p, "ghost", "Gus");
	p.version = 1;
	assert_result(store_person_put(f->st, &p), STORE_NOT_FOUND);
}

struct collect {
	char names[8][OB_USERNAME_MAX + 16]; /* a name, or "name:state" */
	int n;
	int stop_after;
};

static int collect_person(const struct person *p, void *ctx)
{
	struct collect *c = ctx;

	assert_true(c->n < 8);
	snprintf(c->names[c->n++], sizeof(c->names[0]), "%s", p->username);
	return c->n == c->stop_after;
}

static void person_each_in_order(void **state)
{
	struct fixture *f = *state;
	struct collect c = { .stop_after = -1 };

	add_person(f, "mona");
	add_person(f, "adam");
	add_person(f, "zoe");
	add_person(f, "bert");
	assert_result(store_person_each(f->st, NULL, collect_person, &c), STORE_OK);
	assert_int_equal(c.n, 4);
	assert_string_equal(c.names[0], "adam");
	assert_string_equal(c.names[1], "bert");
	assert_string_equal(c.names[2], "mona");
	assert_string_equal(c.names[3], "zoe");
}

static void person_each_stops_when_asked(void **state)
{
	struct fixture *f = *state;
	struct collect c = { .stop_after = 2 };

	add_person(f, "adam");
	add_person(f, "bert");
	add_person(f, "carl");
	assert_result(store_person_each(f->st, NULL, collect_person, &c), STORE_OK);
	assert_int_equal(c.n, 2);
}

/* ------------------------------------------------------------ codes */

static void code_issue_supersedes_previous(void **state)
{
	struct fixture *f = *state;
	char who[OB_USERNAME_MAX + 1];
	struct access_code c;

	add_person(f, "alice");
	issue(f, "alice", 0x11, T0, T0 + 90 * DAY);
	assert_result(find(f, 0x11, who), STORE_OK);
	assert_string_equal(who, "alice");

	issue(f, "alice", 0x22, T0 + 10, T0 + 10 + 90 * DAY);
	assert_result(find(f, 0x11, who), STORE_NOT_FOUND);
	assert_result(find(f, 0x22, who), STORE_OK);
	assert_string_equal(who, "alice");

	assert_result(store_code_get(f->st, "alice", &c), STORE_OK);
	assert_int_equal(c.state, CODE_ACTIVE);
	assert_int_equal(c.issued, T0 + 10);
	assert_int_equal(c.version, 2);

	/* The first code no longer opens anything; the second does. */
	assert_result(redeem(f, "alice", 0x11, "r1", T0 + 20), STORE_MISMATCH);
	assert_result(redeem(f, "alice", 0x22, "r2", T0 + 20), STORE_OK);
}

/* The codes a code replaced while usable are remembered, newest first,
 * at most STORE_REPLACED_MAX, through the record; an expired one is not. */
static void code_issue_remembers_the_codes_it_replaced(void **state)
{
	struct fixture *f = *state;
	struct access_code c;
	uint8_t h[CODE_HASH_BYTES];

	add_person(f, "alice");
	issue(f, "alice", 0x10, T0, T0 + 5);
	/* 0x10 has expired when 0x11 comes: not remembered. */
	issue(f, "alice", 0x11, T0 + 10, T0 + 90 * DAY);
	assert_result(store_code_get(f->st, "alice", &c), STORE_OK);
	assert_int_equal(c.nreplaced, 0);
	for (uint8_t b = 0x12; b <= 0x17; b++)
		issue(f, "alice", b, T0 + 20 + b, T0 + 90 * DAY);
	assert_result(store_code_get(f->st, "alice", &c), STORE_OK);
	assert_int_equal(c.nreplaced, STORE_REPLACED_MAX);
	for (unsigned i = 0; i < STORE_REPLACED_MAX; i++)
		assert_memory_equal(c.replaced[i], hash_of(h, (uint8_t)(0x16 - i)), CODE_HASH_BYTES);
	/* Revoking the code keeps them. */
	assert_result(store_code_revoke(f->st, "alice", T0 + 100), STORE_OK);
	assert_result(store_code_get(f->st, "alice", &c), STORE_OK);
	assert_int_equal(c.nreplaced, STORE_REPLACED_MAX);
}

static void code_redeem_sets_password_and_marks_used(void **state)
{
	struct fixture *f = *state;
	char who[OB_USERNAME_MAX + 1];
	uint8_t h[CODE_HASH_BYTES];
	struct access_code out, got;
	struct person p;

	add_person(f, "alice");
	issue(f, "alice", 0x33, T0, T0 + 90 * DAY);
	assert_result(store_code_redeem(f->st, "alice", hash_of(h, 0x33), "req-1", T0 + 60,
					PWHASH_NEW, &out, NULL, NULL),
		      STORE_OK);
	assert_int_equal(out.state, CODE_USED);
	assert_int_equal(out.closed, T0 + 60);
	assert_string_equal(out.request_id, "req-1");

	assert_result(store_code_get(f->st, "alice", &got), STORE_OK);
	assert_int_equal(got.state, CODE_USED);
	assert_int_equal(got.closed, T0 + 60);
	assert_string_equal(got.request_id, "req-1");

	assert_result(store_person_get(f->st, "alice", &p), STORE_OK);
	assert_string_equal(p.pwhash, PWHASH_NEW);
	assert_int_equal(p.password_set, T0 + 60);
	assert_int_equal(p.updated, T0 + 60);
	assert_int_equal(p.version, 2);

	/* A used code is no longer found by its hash. */
	assert_result(find(f, 0x33, who), STORE_NOT_FOUND);
}

static void code_redeem_twice_is_used(void **state)
{
	struct fixture *f = *state;

	add_person(f, "alice");
	issue(f, "alice", 0x44, T0, T0 + 90 * DAY);
	assert_result(redeem(f, "alice", 0x44, "req-1", T0 + 1), STORE_OK);
	assert_result(redeem(f, "alice", 0x44, "req-2", T0 + 2), STORE_USED);
	assert_result(redeem(f, "alice", 0x44, "", T0 + 2), STORE_USED);
}

static void code_redeem_same_request_id_is_ok(void **state)
{
	struct fixture *f = *state;
	uint8_t h[CODE_HASH_BYTES];
	struct access_code out;
	struct person p;

	add_person(f, "alice");
	issue(f, "alice", 0x55, T0, T0 + 90 * DAY);
	assert_result(redeem(f, "alice", 0x55, "req-1", T0 + 1), STORE_OK);
	/* The caller did not learn the outcome and asks again. */
	assert_result(store_code_redeem(f->st, "alice", hash_of(h, 0x55), "req-1", T0 + 5,
					"$argon2id$other", &out, NULL, NULL),
		      STORE_OK);
	assert_int_equal(out.state, CODE_USED);
	assert_int_equal(out.closed, T0 + 1);
	/* The retry changed nothing. */
	assert_result(store_person_get(f->st, "alice", &p), STORE_OK);
	assert_string_equal(p.pwhash, PWHASH_NEW);
	assert_int_equal(p.version, 2);
	assert_int_equal(p.password_set, T0 + 1);
}

static void code_redeem_mismatch_leaves_code_active(void **state)
{
	struct fixture *f = *state;
	char who[OB_USERNAME_MAX + 1];
	struct access_code c;
	struct person p;

	add_person(f, "alice");
	issue(f, "alice", 0x66, T0, T0 + 90 * DAY);
	assert_result(redeem(f, "alice", 0x67, "req-1", T0 + 1), STORE_MISMATCH);

	assert_result(store_code_get(f->st, "alice", &c), STORE_OK);
	assert_int_equal(c.state, CODE_ACTIVE);
	assert_int_equal(c.version, 1);
	assert_result(find(f, 0x66, who), STORE_OK);
	assert_result(store_person_get(f->st, "alice", &p), STORE_OK);
	assert_string_equal(p.pwhash, PWHASH_OLD);
	/* And the right code still works. */
	assert_result(redeem(f, "alice", 0x66, "req-2", T0 + 2), STORE_OK);
}

static void code_redeem_expired(void **state)
{
	struct fixture *f = *state;
	struct person p;

	add_person(f, "alice");
	issue(f, "alice", 0x77, T0, T0 + 90 * DAY);
	/* now == expires is already too late. */
	assert_result(redeem(f, "alice", 0x77, "req-1", T0 + 90 * DAY), STORE_EXPIRED);
	assert_result(redeem(f, "alice", 0x77, "req-2", T0 + 91 * DAY), STORE_EXPIRED);
	assert_result(store_person_get(f->st, "alice", &p), STORE_OK);
	assert_string_equal(p.pwhash, PWHASH_OLD);
	/* One second earlier it was still good. */
	assert_result(redeem(f, "alice", 0x77, "req-3", T0 + 90 * DAY - 1), STORE_OK);
}

/* The order of checks in store.h: a wrong code says nothing about the
 * state of the right one, and a closed code is reported before expiry. */
static void code_redeem_checks_in_contract_order(void **state)
{
	struct fixture *f = *state;
	const int64_t late = T0 + 2 * DAY;

	add_person(f, "alice");
	issue(f, "alice", 0x78, T0, T0 + DAY);
	assert_result(redeem(f, "alice", 0x79, "req-1", late), STORE_MISMATCH);
	assert_result(store_code_revoke(f->st, "alice", T0 + 1), STORE_OK);
	assert_result(redeem(f, "alice", 0x79, "req-1", late), STORE_MISMATCH);
	assert_result(redeem(f, "alice", 0x78, "req-1", late), STORE_REVOKED);

	issue(f, "alice", 0x7a, T0, T0 + DAY);
	assert_result(redeem(f, "alice", 0x7a, "req-2", T0 + 1), STORE_OK);
	assert_result(redeem(f, "alice", 0x7a, "req-3", late), STORE_USED);
	assert_result(redeem(f, "alice", 0x7a, "req-2", late), STORE_OK);
}

static void code_redeem_unknown_person_or_no_code_not_found(void **state)
{
	struct fixture *f = *state;

	assert_result(redeem(f, "ghost", 0x01, "req-1", T0), STORE_NOT_FOUND);
	add_person(f, "alice");
	assert_result(redeem(f, "alice", 0x01, "req-1", T0), STORE_NOT_FOUND);
}

static void code_revoke_then_redeem_is_revoked(void **state)
{
	struct fixture *f = *state;
	char who[OB_USERNAME_MAX + 1];
	struct access_code c;

	add_person(f, "alice");
	issue(f, "alice", 0x88, T0, T0 + 90 * DAY);
	assert_result(store_code_revoke(f->st, "alice", T0 + 30), STORE_OK);
	assert_result(store_code_get(f->st, "alice", &c), STORE_OK);
	assert_int_equal(c.state, CODE_REVOKED);
	assert_int_equal(c.closed, T0 + 30);
	assert_result(find(f, 0x88, who), STORE_NOT_FOUND);

	assert_result(redeem(f, "alice", 0x88, "req-1", T0 + 40), STORE_REVOKED);
	assert_result(store_code_revoke(f->st, "alice", T0 + 50), STORE_REVOKED);
}

static void code_revoke_used_or_expired_refused(void **state)
{
	struct fixture *f = *state;

	add_person(f, "alice");
	issue(f, "alice", 0x89, T0, T0 + DAY);
	assert_result(store_code_revoke(f->st, "alice", T0 + DAY), STORE_EXPIRED);
	issue(f, "alice", 0x8a, T0, T0 + DAY);
	assert_result(redeem(f, "alice", 0x8a, "req-1", T0 + 1), STORE_OK);
	assert_result(store_code_revoke(f->st, "alice", T0 + 2), STORE_USED);
}

static void code_revoke_without_code_not_found(void **state)
{
	struct fixture *f = *state;

	add_person(f, "alice");
	assert_result(store_code_revoke(f->st, "alice", T0), STORE_NOT_FOUND);
	assert_result(store_code_revoke(f->st, "ghost", T0), STORE_NOT_FOUND);
}

static void code_issue_unknown_person_not_found(void **state)
{
	struct fixture *f = *state;
	char who[OB_USERNAME_MAX + 1];
	uint8_t h[CODE_HASH_BYTES];
	struct access_code c;

	assert_result(store_code_issue(f->st, "ghost", hash_of(h, 0x99), T0, T0 + DAY, 0, &c),
		      STORE_NOT_FOUND);
	assert_result(find(f, 0x99, who), STORE_NOT_FOUND);
	assert_result(store_code_get(f->st, "ghost", &c), STORE_NOT_FOUND);
}

static void code_issue_same_hash_to_two_people_refused(void **state)
{
	struct fixture *f = *state;
	char who[OB_USERNAME_MAX + 1];
	uint8_t h[CODE_HASH_BYTES];
	struct access_code c;

	add_person(f, "alice");
	add_person(f, "bob");
	issue(f, "alice", 0xaa, T0, T0 + DAY);
	assert_result(store_code_issue(f->st, "bob", hash_of(h, 0xaa), T0, T0 + DAY, 0, &c),
		      STORE_EXISTS);
	assert_result(store_code_get(f->st, "bob", &c), STORE_NOT_FOUND);
	assert_result(find(f, 0xaa, who), STORE_OK);
	assert_string_equal(who, "alice");
}

static int collect_code(const struct access_code *c, void *ctx)
{
	struct collect *col = ctx;

	assert_true(col->n < 8);
	snprintf(col->names[col->n++], sizeof(col->names[0]), "%s:%d", c->username, c->state);
	return 0;
}

static void code_each_lists_current_codes(void **state)
{
	struct fixture *f = *state;
	struct collect c = { .stop_after = -1 };
	char want[2][OB_USERNAME_MAX + 16];

	add_person(f, "bob");
	add_person(f, "alice");
	add_person(f, "carl");
	issue(f, "bob", 0xb1, T0, T0 + DAY);
	issue(f, "alice", 0xb2, T0, T0 + DAY);
	assert_result(store_code_revoke(f->st, "bob", T0 + 1), STORE_OK);
	assert_result(store_code_each(f->st, NULL, collect_code, &c), STORE_OK);
	assert_int_equal(c.n, 2);
	snprintf(want[0], sizeof(want[0]), "alice:%d", CODE_ACTIVE);
	snprintf(want[1], sizeof(want[1]), "bob:%d", CODE_REVOKED);
	assert_string_equal(c.names[0], want[0]);
	assert_string_equal(c.names[1], want[1]);
}

/* Pages resume from the last username of the previous page: an exact
 * match is skipped, an absent key starts at the next name after it, and
 * a name that merely begins with the key comes after it. */
static void each_after_starts_strictly_after_the_key(void **state)
{
	struct fixture *f = *state;
	static const struct {
		const char *after;
		const char *first;
		int n;
	} cases[] = {
		{ "", "adam", 5 },
		{ "a", "adam", 5 },
		{ "adam", "bert", 4 },
		{ "bert", "bertil", 3 },
		{ "bertha", "bertil", 3 },
		{ "bertil", "mona", 2 },
		/* Longer than any username: cut, with the same answer. */
		{ "monazzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz", "zoe", 1 },
	};
	struct collect c;

	add_person(f, "zoe");
	add_person(f, "bertil");
	add_person(f, "adam");
	add_person(f, "mona");
	add_person(f, "bert");
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memset(&c, 0, sizeof(c));
		c.stop_after = -1;
		assert_result(store_person_each(f->st, cases[i].after, collect_person, &c), STORE_OK);
		if (c.n != cases[i].n || strcmp(c.names[0], cases[i].first) != 0)
			fail_msg("after '%s': expected %d people from %s, got %d from '%s'",
				 cases[i].after, cases[i].n, cases[i].first, c.n, c.names[0]);
	}

	/* Two pages of two and a last page of one: every name once. */
	memset(&c, 0, sizeof(c));
	c.stop_after = 2;
	assert_result(store_person_each(f->st, NULL, collect_person, &c), STORE_OK);
	c.stop_after = 4;
	assert_result(store_person_each(f->st, c.names[1], collect_person, &c), STORE_OK);
	c.stop_after = -1;
	assert_result(store_person_each(f->st, c.names[3], collect_person, &c), STORE_OK);
	assert_int_equal(c.n, 5);
	assert_string_equal(c.names[0], "adam");
	assert_string_equal(c.names[1], "bert");
	assert_string_equal(c.names[2], "bertil");
	assert_string_equal(c.names[3], "mona");
	assert_string_equal(c.names[4], "zoe");

	issue(f, "bert", 0x21, T0, T0 + DAY);
	issue(f, "bertil", 0x22, T0, T0 + DAY);
	issue(f, "zoe", 0x23, T0, T0 + DAY);
	memset(&c, 0, sizeof(c));
	assert_result(store_code_each(f->st, "bert", collect_code, &c), STORE_OK);
	assert_int_equal(c.n, 2);
	assert_string_equal(c.names[0], "bertil:1");
	assert_string_equal(c.names[1], "zoe:1");
	memset(&c, 0, sizeof(c));
	assert_result(store_code_each(f->st, "bertha", collect_code, &c), STORE_OK);
	assert_int_equal(c.n, 2);
	assert_string_equal(c.names[0], "bertil:1");
}

static void each_after_past_the_end_is_empty(void **state)
{
	struct fixture *f = *state;
	struct collect c = { .stop_after = -1 };

	assert_result(store_person_each(f->st, "a", collect_person, &c), STORE_OK);
	assert_result(store_code_each(f->st, "a", collect_code, &c), STORE_OK);
	assert_int_equal(c.n, 0);

	add_person(f, "adam");
	add_person(f, "zoe");
	issue(f, "adam", 0x31, T0, T0 + DAY);
	issue(f, "zoe", 0x32, T0, T0 + DAY);
	assert_result(store_person_each(f->st, "zoe", collect_person, &c), STORE_OK);
	assert_result(store_person_each(f->st, "zzz", collect_person, &c), STORE_OK);
	assert_result(store_code_each(f->st, "zoe", collect_code, &c), STORE_OK);
	assert_result(store_code_each(f->st, "zzz", collect_code, &c), STORE_OK);
	if (c.n != 0)
		fail_msg("expected nothing after the last key, got %d records, first '%s'", c.n,
			 c.names[0]);
}

/* ------------------------------------------------------------ authenticator */

static void person_totp_fields_round_trip(void **state)
{
	struct fixture *f = *state;
	uint8_t want[STORE_TOTP_SEALED_BYTES];
	struct person p, got;

	person_fill(&p, "alice", "Åsa");
	p.flags = PERSON_EXISTING_ACCOUNT | PERSON_MFA_ENROLLED;
	sealed_fill(p.totp_sealed, 0xf0); /* wraps: every byte value class */
	p.totp_last_step = 60000000;
	p.mfa_enrolled = T0 + 5;
	assert_result(store_person_create(f->st, &p), STORE_OK);
	sealed_fill(want, 0xf0);

	reopen(f, MAP_SIZE);
	assert_result(store_person_get(f->st, "alice", &got), STORE_OK);
	assert_int_equal(got.flags, PERSON_EXISTING_ACCOUNT | PERSON_MFA_ENROLLED);
	assert_memory_equal(got.totp_sealed, want, STORE_TOTP_SEALED_BYTES);
	assert_int_equal(got.totp_last_step, 60000000);
	assert_int_equal(got.mfa_enrolled, T0 + 5);
	assert_string_equal(got.pwhash, PWHASH_OLD);

	/* A write of other fields carries them along. */
	snprintf(got.first_name, sizeof(got.first_name), "Anna");
	assert_result(store_person_put(f->st, &got), STORE_OK);
	assert_result(store_person_get(f->st, "alice", &p), STORE_OK);
	assert_string_equal(p.first_name, "Anna");
	assert_memory_equal(p.totp_sealed, want, STORE_TOTP_SEALED_BYTES);
	assert_int_equal(p.totp_last_step, 60000000);
	assert_int_equal(p.mfa_enrolled, T0 + 5);
}

/* store.h: the sealed secret is kept only while the person is enrolled. */
static void totp_sealed_stored_only_when_enrolled(void **state)
{
	struct fixture *f = *state;
	char raw[1024];
	struct person p, got;

	person_fill(&p, "alice", "Åsa");
	sealed_fill(p.totp_sealed, 0x10);
	p.totp_last_step = 7;
	assert_result(store_person_create(f->st, &p), STORE_OK);
	raw_get(f, "people", "alice", raw, sizeof(raw));
	if (strstr(raw, "totp_sealed"))
		fail_msg("a person without an authenticator has a sealed secret: %s", raw);
	assert_result(store_person_get(f->st, "alice", &got), STORE_OK);
	if (!all_zero(got.totp_sealed, sizeof(got.totp_sealed)))
		fail_msg("totp_sealed read back non-zero without PERSON_MFA_ENROLLED");
	assert_int_equal(got.totp_last_step, 7);
	assert_int_equal(got.flags & PERSON_MFA_ENROLLED, 0);
}

/* A person record written before the authenticator fields existed (rv 1)
 * is read as a person without one, and written back in the new format. */
static void record_without_totp_fields_still_decodes(void **state)
{
	struct fixture *f = *state;
	static const char old[] =
		"{\"rv\":1,\"version\":3,\"username\":\"olle\",\"first_name\":\"Olle\","
		"\"last_name\":\"Berg\",\"email\":\"olle@example.org\",\"phone\":\"\","
		"\"org\":\"default\",\"flags\":1,\"pwhash\":\"" PWHASH_OLD "\","
		"\"created\":1700000000,\"updated\":1700000100,\"password_set\":1700000100}";
	char raw[1024];
	struct person p;

	raw_put(f, "people", "olle", old);
	reopen(f, MAP_SIZE);
	assert_result(store_person_get(f->st, "olle", &p), STORE_OK);
	assert_int_equal(p.version, 3);
	assert_string_equal(p.first_name, "Olle");
	assert_string_equal(p.pwhash, PWHASH_OLD);
	assert_int_equal(p.flags, PERSON_EXISTING_ACCOUNT);
	assert_int_equal(p.password_set, 1700000100);
	if (!all_zero(p.totp_sealed, sizeof(p.totp_sealed)) || p.totp_last_step != 0 ||
	    p.mfa_enrolled != 0)
		fail_msg("an old record decoded with authenticator fields: last_step %lld, "
			 "enrolled %lld",
			 (long long)p.totp_last_step, (long long)p.mfa_enrolled);

	/* Its first write makes it a current record, nothing else lost. */
	p.totp_last_step = 5;
	assert_result(store_person_put(f->st, &p), STORE_OK);
	raw_get(f, "people", "olle", raw, sizeof(raw));
	if (!strstr(raw, "\"rv\":3,") || !strstr(raw, "\"totp_last_step\":5"))
		fail_msg("the rewritten record is not in the current format: %s", raw);
	assert_result(store_person_get(f->st, "olle", &p), STORE_OK);
	assert_int_equal(p.version, 4);
	assert_int_equal(p.totp_last_step, 5);
	assert_int_equal(p.updated, 1700000100);
	assert_string_equal(p.email, "olle@example.org");
	assert_string_equal(p.pwhash, PWHASH_OLD);
}

static void totp_advance_only_forwards(void **state)
{
	struct fixture *f = *state;
	static const struct {
		int64_t step;
		enum store_result want;
		int64_t stored; /* the watermark after the call */
	} cases[] = {
		{ 100, STORE_OK, 100 },  { 100, STORE_USED, 100 }, { 99, STORE_USED, 100 },
		{ 101, STORE_OK, 101 },  { 0, STORE_USED, 101 },   { -1, STORE_USED, 101 },
		{ 5000, STORE_OK, 5000 },
	};
	struct person p;
	enum store_result r;

	uint8_t sealed[STORE_TOTP_SEALED_BYTES];

	add_person(f, "alice");
	enrol(f, "alice", 0x20, 0);
	sealed_fill(sealed, 0x20);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		r = store_totp_advance(f->st, "alice", sealed, cases[i].step);
		assert_result(store_person_get(f->st, "alice", &p), STORE_OK);
		if (r != cases[i].want || p.totp_last_step != cases[i].stored)
			fail_msg("advance to %lld: got \"%s\" and watermark %lld, expected \"%s\" "
				 "and %lld",
				 (long long)cases[i].step, store_result_name(r),
				 (long long)p.totp_last_step, store_result_name(cases[i].want),
				 (long long)cases[i].stored);
	}
	assert_result(store_totp_advance(f->st, "ghost", sealed, 102), STORE_NOT_FOUND);
	assert_result(store_totp_advance(f->st, "", sealed, 102), STORE_NOT_FOUND);
	assert_result(store_totp_advance(f->st, NULL, sealed, 102), STORE_NOT_FOUND);
}

/* A code verified with an authenticator that was reset, replaced or
 * whose person was disabled meanwhile does not count. */
static void totp_advance_refuses_a_changed_authenticator(void **state)
{
	struct fixture *f = *state;
	uint8_t sealed[STORE_TOTP_SEALED_BYTES], other[STORE_TOTP_SEALED_BYTES];
	struct person p;

	add_person(f, "alice");
	enrol(f, "alice", 0x21, 0);
	sealed_fill(sealed, 0x21);
	sealed_fill(other, 0x22);
	assert_result(store_totp_advance(f->st, "alice", other, 10), STORE_CONFLICT);
	assert_result(store_totp_advance(f->st, "alice", sealed, 10), STORE_OK);
	assert_result(store_person_get(f->st, "alice", &p), STORE_OK);
	p.flags |= PERSON_DISABLED;
	assert_result(store_person_put(f->st, &p), STORE_OK);
	assert_result(store_totp_advance(f->st, "alice", sealed, 11), STORE_CONFLICT);
	p.flags &= ~(PERSON_DISABLED | PERSON_MFA_ENROLLED);
	memset(p.totp_sealed, 0, sizeof(p.totp_sealed));
	assert_result(store_person_put(f->st, &p), STORE_OK);
	assert_result(store_totp_advance(f->st, "alice", sealed, 12), STORE_CONFLICT);
}

/* The watermark is a write like any other: its version bump makes a
 * person_put based on an earlier read conflict instead of rolling the
 * watermark back (which would let a used code through again). */
static void totp_advance_bumps_version(void **state)
{
	struct fixture *f = *state;
	uint8_t sealed[STORE_TOTP_SEALED_BYTES];
	struct person before, after;

	add_person(f, "alice");
	enrol(f, "alice", 0x30, 10);
	assert_result(store_person_get(f->st, "alice", &before), STORE_OK);
	assert_int_equal(before.version, 2);

	sealed_fill(sealed, 0x30);
	assert_result(store_totp_advance(f->st, "alice", sealed, 11), STORE_OK);
	assert_result(store_person_get(f->st, "alice", &after), STORE_OK);
	assert_int_equal(after.version, 3);
	assert_int_equal(after.totp_last_step, 11);
	/* The store has no clock: updated is not touched. */
	assert_int_equal(after.updated, before.updated);
	assert_int_equal(after.mfa_enrolled, before.mfa_enrolled);
	assert_memory_equal(after.totp_sealed, before.totp_sealed, STORE_TOTP_SEALED_BYTES);

	/* A refused step writes nothing. */
	assert_result(store_totp_advance(f->st, "alice", sealed, 11), STORE_USED);
	assert_result(store_person_get(f->st, "alice", &after), STORE_OK);
	assert_int_equal(after.version, 3);

	snprintf(before.first_name, sizeof(before.first_name), "Stale");
	assert_result(store_person_put(f->st, &before), STORE_CONFLICT);
	assert_result(store_person_get(f->st, "alice", &after), STORE_OK);
	assert_int_equal(after.totp_last_step, 11);
}

static void code_redeem_with_reset_mfa_clears_authenticator(void **state)
{
	struct fixture *f = *state;
	uint8_t h[CODE_HASH_BYTES];
	struct access_code c;
	char raw[1024];
	struct person p;

	add_person(f, "alice");
	assert_result(store_person_get(f->st, "alice", &p), STORE_OK);
	p.flags |= PERSON_EXISTING_ACCOUNT;
	assert_result(store_person_put(f->st, &p), STORE_OK);
	enrol(f, "alice", 0x40, 900);
	assert_result(store_code_issue(f->st, "alice", hash_of(h, 0xd1), T0, T0 + DAY,
				       CODE_FLAG_RESET_MFA, &c),
		      STORE_OK);

	/* A refused redeem leaves the authenticator as it was. */
	assert_result(redeem(f, "alice", 0xd2, "req-1", T0 + 1), STORE_MISMATCH);
	assert_result(store_person_get(f->st, "alice", &p), STORE_OK);
	assert_int_equal(p.flags & PERSON_MFA_ENROLLED, PERSON_MFA_ENROLLED);
	assert_int_equal(p.totp_last_step, 900);

	assert_result(redeem(f, "alice", 0xd1, "req-2", T0 + 2), STORE_OK);
	assert_result(store_person_get(f->st, "alice", &p), STORE_OK);
	assert_string_equal(p.pwhash, PWHASH_NEW);
	assert_int_equal(p.password_set, T0 + 2);
	assert_int_equal(p.flags, PERSON_EXISTING_ACCOUNT);
	if (!all_zero(p.totp_sealed, sizeof(p.totp_sealed)))
		fail_msg("the sealed secret survived a reset code");
	assert_int_equal(p.totp_last_step, 0);
	assert_int_equal(p.mfa_enrolled, 0);
	assert_int_equal(p.version, 4);
	raw_get(f, "people", "alice", raw, sizeof(raw));
	if (strstr(raw, "totp_sealed"))
		fail_msg("the record still holds a sealed secret after a reset: %s", raw);
}

static void code_redeem_without_reset_mfa_keeps_authenticator(void **state)
{
	struct fixture *f = *state;
	uint8_t want[STORE_TOTP_SEALED_BYTES];
	struct person p;

	add_person(f, "alice");
	enrol(f, "alice", 0x50, 777);
	issue(f, "alice", 0xd3, T0, T0 + DAY); /* flags 0 */
	assert_result(redeem(f, "alice", 0xd3, "req-1", T0 + 3), STORE_OK);
	assert_result(store_person_get(f->st, "alice", &p), STORE_OK);
	assert_string_equal(p.pwhash, PWHASH_NEW);
	sealed_fill(want, 0x50);
	assert_int_equal(p.flags & PERSON_MFA_ENROLLED, PERSON_MFA_ENROLLED);
	assert_memory_equal(p.totp_sealed, want, STORE_TOTP_SEALED_BYTES);
	assert_int_equal(p.totp_last_step, 777);
	assert_int_equal(p.mfa_enrolled, T0 + 100);
}

/* The size stated in store_lmdb.c: every field full, every byte of every
 * string one that JSON must escape as \u00XX. */
static void person_record_worst_case_size_is_bounded(void **state)
{
	struct fixture *f = *state;
	char raw[8192];
	struct person p, got;
	size_t n;

	person_fill(&p, "alice", "x");
	memset(p.username, 'a', OB_USERNAME_MAX);
	memset(p.first_name, 0x01, OB_NAME_MAX);
	memset(p.last_name, 0x01, OB_NAME_MAX);
	memset(p.email, 0x01, OB_EMAIL_MAX);
	memset(p.phone, 0x01, OB_PHONE_MAX);
	memset(p.org, 0x01, OB_ORG_MAX);
	memset(p.pwhash, 0x01, sizeof(p.pwhash) - 1);
	p.flags = UINT32_MAX;
	p.created = p.updated = p.password_set = INT64_MAX;
	p.totp_last_step = p.mfa_enrolled = INT64_MAX;
	sealed_fill(p.totp_sealed, 0x99);
	p.throttle.failures = UINT32_MAX;
	p.throttle.last_failure = p.throttle.locked_until = INT64_MAX;
	assert_result(store_person_create(f->st, &p), STORE_OK);
	n = raw_get(f, "people", p.username, raw, sizeof(raw));
	if (n >= 4608)
		fail_msg("the worst-case person record is %zu bytes, over the 4.5 KiB stated", n);
	assert_result(store_person_get(f->st, p.username, &got), STORE_OK);
	assert_memory_equal(got.last_name, p.last_name, sizeof(p.last_name));
	assert_memory_equal(got.totp_sealed, p.totp_sealed, STORE_TOTP_SEALED_BYTES);
	assert_int_equal(got.throttle.failures, UINT32_MAX);
	assert_int_equal(got.throttle.locked_until, INT64_MAX);
}

/* ------------------------------------------------------------ throttle */

#define assert_throttle(t, f_, last_, until_)                                               \
	do {                                                                               \
		if ((t).failures != (f_) || (t).last_failure != (last_) ||                 \
		    (t).locked_until != (until_))                                          \
			fail_msg("throttle %u/%lld/%lld, expected %u/%lld/%lld", (t).failures, \
				 (long long)(t).last_failure, (long long)(t).locked_until,   \
				 (unsigned)(f_), (long long)(last_), (long long)(until_));   \
	} while (0)

static void throttle_put_round_trips_without_a_new_version(void **state)
{
	struct fixture *f = *state;
	struct throttle zero = { 0 },
			t = { .failures = 3, .last_failure = T0 + 9, .locked_until = T0 + 909 }, got;
	struct person p;
	char raw[1024];

	add_person(f, "alice");
	assert_result(store_throttle_get(f->st, "alice", &got), STORE_OK);
	assert_throttle(got, 0, 0, 0);
	assert_result(store_throttle_put(f->st, "alice", &zero, &t), STORE_OK);
	assert_result(store_throttle_get(f->st, "alice", &got), STORE_OK);
	assert_throttle(got, 3, T0 + 9, T0 + 909);
	assert_result(store_person_get(f->st, "alice", &p), STORE_OK);
	assert_throttle(p.throttle, 3, T0 + 9, T0 + 909);
	/* Not an edit of the person: no version to conflict with. */
	assert_int_equal(p.version, 1);
	assert_int_equal(p.updated, T0);
	assert_string_equal(p.pwhash, PWHASH_OLD);
	raw_get(f, "people", "alice", raw, sizeof(raw));
	if (!strstr(raw, "\"failures\":3,\"last_failure\":1800000009,\"locked_until\":1800000909"))
		fail_msg("the throttle is not in the record: %s", raw);

	/* Back to zero: the record carries no throttle at all. */
	assert_result(store_throttle_put(f->st, "alice", &t, &zero), STORE_OK);
	raw_get(f, "people", "alice", raw, sizeof(raw));
	if (strstr(raw, "failures") || strstr(raw, "locked_until"))
		fail_msg("a cleared throttle left fields behind: %s", raw);
	assert_result(store_throttle_get(f->st, "alice", &got), STORE_OK);
	assert_throttle(got, 0, 0, 0);
}

static void throttle_put_conflicts_when_the_stored_one_moved(void **state)
{
	struct fixture *f = *state;
	struct throttle zero = { 0 }, one = { .failures = 1, .last_failure = T0 },
			two = { .failures = 2, .last_failure = T0 + 1 }, got;

	add_person(f, "alice");
	assert_result(store_throttle_put(f->st, "alice", &zero, &one), STORE_OK);
	/* A second dialogue that read zero before the first one wrote. */
	assert_result(store_throttle_put(f->st, "alice", &zero, &one), STORE_CONFLICT);
	assert_result(store_throttle_get(f->st, "alice", &got), STORE_OK);
	assert_throttle(got, 1, T0, 0);
	assert_result(store_throttle_put(f->st, "alice", &one, &two), STORE_OK);
	/* NULL: whatever is stored (an administrator's unlock). */
	assert_result(store_throttle_put(f->st, "alice", NULL, &zero), STORE_OK);
	assert_result(store_throttle_get(f->st, "alice", &got), STORE_OK);
	assert_throttle(got, 0, 0, 0);
	assert_result(store_throttle_put(f->st, "ghost", NULL, &one), STORE_NOT_FOUND);
	assert_result(store_throttle_put(f->st, "", NULL, &one), STORE_NOT_FOUND);
	assert_result(store_throttle_get(f->st, "ghost", &got), STORE_NOT_FOUND);
	/* Times are never negative in a record. */
	two.last_failure = -1;
	assert_result(store_throttle_put(f->st, "alice", NULL, &two), STORE_UNAVAILABLE);
	assert_result(store_throttle_get(f->st, "alice", &got), STORE_OK);
	assert_throttle(got, 0, 0, 0);
}

/* The failures per place (issue 9.7) ride in the same record: at most
 * THROTTLE_PLACES, round-tripped exactly, dropped with the rest; a
 * record with more, or a malformed one, is refused rather than read. */
static void throttle_places_round_trip(void **state)
{
	struct fixture *f = *state;
	struct throttle zero = { 0 }, t = { .failures = 7, .last_failure = T0 + 3 }, got;
	char raw[2048], bad[2048], *at;

	add_person(f, "alice");
	t.nplaces = 2;
	memset(t.places[0].key, 0xa1, THROTTLE_PLACE_BYTES);
	t.places[0].failures = 5;
	t.places[0].last_failure = T0 + 2;
	t.places[0].locked_until = T0 + 902;
	memset(t.places[1].key, 0xb2, THROTTLE_PLACE_BYTES);
	t.places[1].failures = 2;
	t.places[1].last_failure = T0 + 3;
	assert_result(store_throttle_put(f->st, "alice", &zero, &t), STORE_OK);
	assert_result(store_throttle_get(f->st, "alice", &got), STORE_OK);
	assert_int_equal(got.nplaces, 2);
	assert_memory_equal(got.places[0].key, t.places[0].key, THROTTLE_PLACE_BYTES);
	assert_int_equal(got.places[0].failures, 5);
	assert_int_equal(got.places[0].locked_until, T0 + 902);
	assert_int_equal(got.places[1].failures, 2);
	assert_int_equal(got.places[1].last_failure, T0 + 3);
	assert_int_equal(got.places[1].locked_until, 0);
	/* The same throttle again is not a conflict, another place is. */
	got.places[1].failures = 3;
	assert_result(store_throttle_put(f->st, "alice", &got, &t), STORE_CONFLICT);
	raw_get(f, "people", "alice", raw, sizeof(raw));
	if (!strstr(raw, "\"places\":[{\"key\":\"a1a1a1a1a1a1a1a1\",\"failures\":5,"))
		fail_msg("the places are not in the record: %s", raw);
	/* A place that is not four fields: the record is refused. */
	at = strstr(raw, "\"places\":[");
	assert_non_null(at);
	snprintf(bad, sizeof(bad), "%.*s\"places\":[{\"key\":\"zz\"},%s", (int)(at - raw), raw,
		 at + strlen("\"places\":["));
	raw_put(f, "people", "alice", bad);
	reopen(f, MAP_SIZE);
	assert_result(store_throttle_get(f->st, "alice", &got), STORE_UNAVAILABLE);
	/* Cleared: no place left behind. */
	raw_put(f, "people", "alice", raw);
	reopen(f, MAP_SIZE);
	assert_result(store_throttle_put(f->st, "alice", NULL, &zero), STORE_OK);
	raw_get(f, "people", "alice", raw, sizeof(raw));
	if (strstr(raw, "places"))
		fail_msg("a cleared throttle left places behind: %s", raw);
}

/* A person read before a failed login and written after it (an
 * enrolment, an administrator's edit) keeps the failure: only
 * store_throttle_put writes the throttle. */
static void person_put_keeps_the_stored_throttle(void **state)
{
	struct fixture *f = *state;
	struct throttle zero = { 0 }, t = { .failures = 2, .last_failure = T0 + 5 }, got;
	struct person before;

	add_person(f, "alice");
	assert_result(store_person_get(f->st, "alice", &before), STORE_OK);
	assert_result(store_throttle_put(f->st, "alice", &zero, &t), STORE_OK);
	snprintf(before.first_name, sizeof(before.first_name), "Alicia");
	assert_result(store_person_put(f->st, &before), STORE_OK);
	assert_throttle(before.throttle, 2, T0 + 5, 0);
	assert_result(store_throttle_get(f->st, "alice", &got), STORE_OK);
	assert_throttle(got, 2, T0 + 5, 0);

	/* Nor can a put clear it. */
	memset(&before.throttle, 0, sizeof(before.throttle));
	assert_result(store_person_put(f->st, &before), STORE_OK);
	assert_result(store_throttle_get(f->st, "alice", &got), STORE_OK);
	assert_throttle(got, 2, T0 + 5, 0);

	/* The other writes of the person keep it too. */
	enrol(f, "alice", 0x60, 10);
	{
		uint8_t sealed[STORE_TOTP_SEALED_BYTES];

		sealed_fill(sealed, 0x60);
		assert_result(store_totp_advance(f->st, "alice", sealed, 11), STORE_OK);
	}
	issue(f, "alice", 0xe1, T0, T0 + DAY);
	assert_result(redeem(f, "alice", 0xe1, "req-1", T0 + 1), STORE_OK);
	assert_result(store_throttle_get(f->st, "alice", &got), STORE_OK);
	assert_throttle(got, 2, T0 + 5, 0);
}

/* ------------------------------------------------------------ database */

static void map_full_is_reported_and_nothing_written(void **state)
{
	struct fixture *f = *state;
	char name[OB_USERNAME_MAX + 1];
	struct person p, got;
	enum store_result r = STORE_OK;
	int i, n;

	/* 128 KiB: each person is also in the ids index, with the counter
	 * in meta: in 64 KiB two fitted (two more pages copied a write). */
	reopen(f, 128 * 1024);
	/* Far more people than 128 KiB can hold. */
	for (n = 0; n < 2000; n++) {
		snprintf(name, sizeof(name), "user%04d", n);
		person_fill(&p, name, "Filler");
		memset(p.last_name, 'x', OB_NAME_MAX);
		r = store_person_create(f->st, &p);
		if (r != STORE_OK)
			break;
	}
	assert_result(r, STORE_FULL);
	if (n < 5)
		fail_msg("the map was full after %d people: the test proves too little", n);
	for (i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "user%04d", i);
		assert_result(store_person_get(f->st, name, &got), STORE_OK);
		assert_string_equal(got.username, name);
	}
	snprintf(name, sizeof(name), "user%04d", n);
	assert_result(store_person_get(f->st, name, &got), STORE_NOT_FOUND);

	/* After the failure the store still works, and a bigger map helps. */
	reopen(f, MAP_SIZE);
	assert_result(store_person_create(f->st, &p), STORE_OK);
	assert_result(store_person_get(f->st, name, &got), STORE_OK);
}

static void schema_version_mismatch_refused(void **state)
{
	struct fixture *f = *state;
	int r;

	add_person(f, "alice");
	raw_put(f, "meta", "schema_version", "4");
	r = store_open(&f->st, f->dir, MAP_SIZE);
	assert_int_equal(r, -EPROTO);
	assert_null(f->st);

	/* Only the version itself was wrong: back at 3, the data is there. */
	raw_put(f, "meta", "schema_version", "3");
	reopen(f, MAP_SIZE);
	assert_result(store_person_get(f->st, "alice", &(struct person){ 0 }), STORE_OK);
}

static void reopen_keeps_data(void **state)
{
	struct fixture *f = *state;
	struct access_code c;
	struct person p;
	char who[OB_USERNAME_MAX + 1];

	add_person(f, "alice");
	issue(f, "alice", 0xc1, T0, T0 + DAY);
	reopen(f, MAP_SIZE);
	assert_result(store_person_get(f->st, "alice", &p), STORE_OK);
	assert_string_equal(p.first_name, "Åsa");
	assert_result(store_code_get(f->st, "alice", &c), STORE_OK);
	assert_int_equal(c.state, CODE_ACTIVE);
	assert_int_equal(c.expires, T0 + DAY);
	assert_result(find(f, 0xc1, who), STORE_OK);
	assert_string_equal(who, "alice");
}

static void database_files_are_private(void **state)
{
	struct fixture *f = *state;
	char path[128];
	struct stat sb;

	snprintf(path, sizeof(path), "%s/data.mdb", f->dir);
	assert_int_equal(stat(path, &sb), 0);
	if (sb.st_mode & 077)
		fail_msg("%s has mode %o: others can read the password hashes", path,
			 (unsigned)(sb.st_mode & 0777));
}

static void stats_counts_people(void **state)
{
	struct fixture *f = *state;
	struct store_stats s;

	assert_result(store_stats(f->st, &s), STORE_OK);
	assert_int_equal(s.people, 0);
	assert_int_equal(s.schema_version, STORE_SCHEMA_VERSION);
	assert_int_equal(s.map_size, MAP_SIZE);
	add_person(f, "alice");
	add_person(f, "bob");
	assert_result(store_stats(f->st, &s), STORE_OK);
	assert_int_equal(s.people, 2);
	assert_true(s.map_used > 0 && s.map_used <= s.map_size);
}

/* 60 bytes, 0x01 to 0x3c, and the same without its last byte. */
#define SEALED_HEX_SHORT                                                                   \
	"0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20"                \
	"2122232425262728292a2b2c2d2e2f303132333435363738393a3b"
#define SEALED_HEX SEALED_HEX_SHORT "3c"

/* Records the store did not write the way it writes them. */
static void corrupt_records_are_unavailable(void **state)
{
	struct fixture *f = *state;
	static const char *const bad[] = {
		"not json",
		"{\"rv\":1,\"version\":1,\"username\":\"eve\"", /* truncated */
		"[1,2,3]",
		/* another record format */
		"{\"rv\":3,\"version\":1,\"username\":\"eve\",\"first_name\":\"E\",\"last_name\":\"V\","
		"\"email\":\"\",\"phone\":\"\",\"org\":\"\",\"flags\":0,\"pwhash\":\"\","
		"\"created\":1,\"updated\":1,\"password_set\":0}",
		/* a phone number longer than its field */
		"{\"rv\":1,\"version\":1,\"username\":\"eve\",\"first_name\":\"E\",\"last_name\":\"V\","
		"\"email\":\"\",\"phone\":\"+1234567890123456789\",\"org\":\"\",\"flags\":0,"
		"\"pwhash\":\"\",\"created\":1,\"updated\":1,\"password_set\":0}",
		/* flags of the wrong type */
		"{\"rv\":1,\"version\":1,\"username\":\"eve\",\"first_name\":\"E\",\"last_name\":\"V\","
		"\"email\":\"\",\"phone\":\"\",\"org\":\"\",\"flags\":\"0\",\"pwhash\":\"\","
		"\"created\":1,\"updated\":1,\"password_set\":0}",
		/* filed under another name */
		"{\"rv\":1,\"version\":1,\"username\":\"mallory\",\"first_name\":\"E\",\"last_name\":\"V\","
		"\"email\":\"\",\"phone\":\"\",\"org\":\"\",\"flags\":0,\"pwhash\":\"\","
		"\"created\":1,\"updated\":1,\"password_set\":0}",
		/* rv 1 predates authenticators: enrolled... */
		"{\"rv\":1,\"version\":1,\"username\":\"eve\",\"first_name\":\"E\",\"last_name\":\"V\","
		"\"email\":\"\",\"phone\":\"\",\"org\":\"\",\"flags\":4,\"pwhash\":\"\","
		"\"created\":1,\"updated\":1,\"password_set\":0}",
		/* ...or carrying a watermark is not an rv 1 record */
		"{\"rv\":1,\"version\":1,\"username\":\"eve\",\"first_name\":\"E\",\"last_name\":\"V\","
		"\"email\":\"\",\"phone\":\"\",\"org\":\"\",\"flags\":0,\"pwhash\":\"\","
		"\"created\":1,\"updated\":1,\"password_set\":0,\"totp_last_step\":5}",
		/* rv 2 without its watermark: it must not read as 0 */
		"{\"rv\":2,\"version\":1,\"username\":\"eve\",\"first_name\":\"E\",\"last_name\":\"V\","
		"\"email\":\"\",\"phone\":\"\",\"org\":\"\",\"flags\":0,\"pwhash\":\"\","
		"\"created\":1,\"updated\":1,\"password_set\":0,\"mfa_enrolled\":0}",
		/* a negative watermark */
		"{\"rv\":2,\"version\":1,\"username\":\"eve\",\"first_name\":\"E\",\"last_name\":\"V\","
		"\"email\":\"\",\"phone\":\"\",\"org\":\"\",\"flags\":0,\"pwhash\":\"\","
		"\"created\":1,\"updated\":1,\"password_set\":0,\"totp_last_step\":-1,"
		"\"mfa_enrolled\":0}",
		/* enrolled without a sealed secret */
		"{\"rv\":2,\"version\":1,\"username\":\"eve\",\"first_name\":\"E\",\"last_name\":\"V\","
		"\"email\":\"\",\"phone\":\"\",\"org\":\"\",\"flags\":4,\"pwhash\":\"\","
		"\"created\":1,\"updated\":1,\"password_set\":0,\"totp_last_step\":0,"
		"\"mfa_enrolled\":1}",
		/* a sealed secret without enrolment */
		"{\"rv\":2,\"version\":1,\"username\":\"eve\",\"first_name\":\"E\",\"last_name\":\"V\","
		"\"email\":\"\",\"phone\":\"\",\"org\":\"\",\"flags\":0,\"pwhash\":\"\","
		"\"created\":1,\"updated\":1,\"password_set\":0,\"totp_sealed\":\"" SEALED_HEX "\","
		"\"totp_last_step\":0,\"mfa_enrolled\":0}",
		/* a sealed secret one byte short */
		"{\"rv\":2,\"version\":1,\"username\":\"eve\",\"first_name\":\"E\",\"last_name\":\"V\","
		"\"email\":\"\",\"phone\":\"\",\"org\":\"\",\"flags\":4,\"pwhash\":\"\","
		"\"created\":1,\"updated\":1,\"password_set\":0,\"totp_sealed\":\"" SEALED_HEX_SHORT "\","
		"\"totp_last_step\":0,\"mfa_enrolled\":1}",
		/* a sealed secret that is not hex */
		"{\"rv\":2,\"version\":1,\"username\":\"eve\",\"first_name\":\"E\",\"last_name\":\"V\","
		"\"email\":\"\",\"phone\":\"\",\"org\":\"\",\"flags\":4,\"pwhash\":\"\","
		"\"created\":1,\"updated\":1,\"password_set\":0,\"totp_sealed\":\"" SEALED_HEX_SHORT "zz\","
		"\"totp_last_step\":0,\"mfa_enrolled\":1}",
		/* part of a throttle */
		"{\"rv\":2,\"version\":1,\"username\":\"eve\",\"first_name\":\"E\",\"last_name\":\"V\","
		"\"email\":\"\",\"phone\":\"\",\"org\":\"\",\"flags\":0,\"pwhash\":\"\","
		"\"created\":1,\"updated\":1,\"password_set\":0,\"totp_last_step\":0,"
		"\"mfa_enrolled\":0,\"failures\":3,\"last_failure\":5}",
		/* a lock without a time */
		"{\"rv\":2,\"version\":1,\"username\":\"eve\",\"first_name\":\"E\",\"last_name\":\"V\","
		"\"email\":\"\",\"phone\":\"\",\"org\":\"\",\"flags\":0,\"pwhash\":\"\","
		"\"created\":1,\"updated\":1,\"password_set\":0,\"totp_last_step\":0,"
		"\"mfa_enrolled\":0,\"failures\":3,\"last_failure\":5,\"locked_until\":null}",
		/* a negative lock */
		"{\"rv\":2,\"version\":1,\"username\":\"eve\",\"first_name\":\"E\",\"last_name\":\"V\","
		"\"email\":\"\",\"phone\":\"\",\"org\":\"\",\"flags\":0,\"pwhash\":\"\","
		"\"created\":1,\"updated\":1,\"password_set\":0,\"totp_last_step\":0,"
		"\"mfa_enrolled\":0,\"failures\":3,\"last_failure\":5,\"locked_until\":-1}",
		/* more failures than the field holds */
		"{\"rv\":2,\"version\":1,\"username\":\"eve\",\"first_name\":\"E\",\"last_name\":\"V\","
		"\"email\":\"\",\"phone\":\"\",\"org\":\"\",\"flags\":0,\"pwhash\":\"\","
		"\"created\":1,\"updated\":1,\"password_set\":0,\"totp_last_step\":0,"
		"\"mfa_enrolled\":0,\"failures\":4294967296,\"last_failure\":5,\"locked_until\":0}",
		/* rv 1 predates the throttle too */
		"{\"rv\":1,\"version\":1,\"username\":\"eve\",\"first_name\":\"E\",\"last_name\":\"V\","
		"\"email\":\"\",\"phone\":\"\",\"org\":\"\",\"flags\":0,\"pwhash\":\"\","
		"\"created\":1,\"updated\":1,\"password_set\":0,"
		"\"failures\":1,\"last_failure\":5,\"locked_until\":0}",
	};
	static const char good[] =
		"{\"rv\":1,\"version\":1,\"username\":\"eve\",\"first_name\":\"E\",\"last_name\":\"V\","
		"\"email\":\"\",\"phone\":\"\",\"org\":\"\",\"flags\":0,\"pwhash\":\"\","
		"\"created\":1,\"updated\":1,\"password_set\":0}";
	static const char good_enrolled[] =
		"{\"rv\":2,\"version\":1,\"username\":\"eve\",\"first_name\":\"E\",\"last_name\":\"V\","
		"\"email\":\"\",\"phone\":\"\",\"org\":\"\",\"flags\":4,\"pwhash\":\"\","
		"\"created\":1,\"updated\":1,\"password_set\":0,\"totp_sealed\":\"" SEALED_HEX "\","
		"\"totp_last_step\":9,\"mfa_enrolled\":1}";
	static const char good_locked[] =
		"{\"rv\":2,\"version\":1,\"username\":\"eve\",\"first_name\":\"E\",\"last_name\":\"V\","
		"\"email\":\"\",\"phone\":\"\",\"org\":\"\",\"flags\":0,\"pwhash\":\"\","
		"\"created\":1,\"updated\":1,\"password_set\":0,\"totp_last_step\":0,"
		"\"mfa_enrolled\":0,\"failures\":10,\"last_failure\":1700000000,"
		"\"locked_until\":1700000900}";
	struct collect c = { .stop_after = -1 };
	struct store_skipped sk;
	struct person p;
	size_t i;

	/* The well-formed records these are made from are accepted. */
	raw_put(f, "people", "eve", good);
	reopen(f, MAP_SIZE);
	assert_result(store_person_get(f->st, "eve", &p), STORE_OK);
	assert_string_equal(p.first_name, "E");
	raw_put(f, "people", "eve", good_enrolled);
	reopen(f, MAP_SIZE);
	assert_result(store_person_get(f->st, "eve", &p), STORE_OK);
	assert_int_equal(p.flags, PERSON_MFA_ENROLLED);
	assert_int_equal(p.totp_last_step, 9);
	assert_int_equal(p.totp_sealed[0], 0x01);
	assert_int_equal(p.totp_sealed[STORE_TOTP_SEALED_BYTES - 1], 0x3c);
	/* rv 2 written before the throttle existed: no failures. */
	assert_throttle(p.throttle, 0, 0, 0);
	raw_put(f, "people", "eve", good_locked);
	reopen(f, MAP_SIZE);
	assert_result(store_person_get(f->st, "eve", &p), STORE_OK);
	assert_throttle(p.throttle, 10, 1700000000, 1700000900);

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		raw_put(f, "people", "eve", bad[i]);
		reopen(f, MAP_SIZE);
		if (store_person_get(f->st, "eve", &p) != STORE_UNAVAILABLE)
			fail_msg("record %zu was accepted: %s", i, bad[i]);
		assert_string_equal(p.username, "");
		/* A listing leaves it out, names it, and goes on. */
		c.n = 0;
		assert_result(store_person_each(f->st, NULL, collect_person, &c), STORE_OK);
		assert_int_equal(c.n, 0);
		store_last_skipped(&sk);
		assert_int_equal(sk.count, 1);
		assert_string_equal(sk.first, "eve");
	}
}

static void corrupt_code_record_is_unavailable(void **state)
{
	struct fixture *f = *state;
	struct access_code c;

	add_person(f, "alice");
	/* A hash one hex digit short. */
	raw_put(f, "codes", "alice",
		"{\"rv\":1,\"version\":1,\"username\":\"alice\",\"hash\":\"0123456789abcdef0123"
		"456789abcdef0123456789abcdef0123456789abcde\",\"state\":\"active\",\"flags\":0,"
		"\"issued\":1,\"expires\":2,\"closed\":0,\"request_id\":\"\"}");
	reopen(f, MAP_SIZE);
	assert_result(store_code_get(f->st, "alice", &c), STORE_UNAVAILABLE);
	assert_result(redeem(f, "alice", 0x01, "req-1", 1), STORE_UNAVAILABLE);
}

/* ------------------------------------------------------------ invitations */

#define NAME_FIRST "Ada"
#define NAME_LAST "King Lovelace"

static void invite(struct fixture *f, const char *username, uint8_t b, int verify_b,
		   int64_t now, int64_t expires)
{
	uint8_t h[CODE_HASH_BYTES], v[CODE_HASH_BYTES];
	struct invitation inv;

	assert_result(store_invite_issue(f->st, username, hash_of(h, b),
					 verify_b >= 0 ? hash_of(v, (uint8_t)verify_b) : NULL, now,
					 expires, &inv),
		      STORE_OK);
	assert_int_equal(inv.state, INVITE_PENDING);
	assert_memory_equal(inv.hash, h, CODE_HASH_BYTES);
	assert_int_equal(inv.has_verification, verify_b >= 0);
}

/* Accept with code b and verification code verify_b (-1: none given). */
static enum store_result accept_v(struct fixture *f, const char *username, uint8_t b,
				  int verify_b, const char *request_id, int64_t now)
{
	uint8_t h[CODE_HASH_BYTES], v[CODE_HASH_BYTES];

	return store_invite_accept(f->st, username, hash_of(h, b),
				   verify_b >= 0 ? hash_of(v, (uint8_t)verify_b) : NULL,
				   request_id, now, NAME_FIRST, NAME_LAST, PWHASH_NEW, NULL, NULL,
				   NULL);
}

static enum store_result accept_inv(struct fixture *f, const char *username, uint8_t b,
				const char *request_id, int64_t now)
{
	return accept_v(f, username, b, -1, request_id, now);
}

/* A person without a password yet, as an administrator adds them. */
static void add_invitee(struct fixture *f, const char *username)
{
	struct person p;

	person_fill(&p, username, "Ada");
	p.pwhash[0] = '\0';
	assert_result(store_person_create(f->st, &p), STORE_OK);
}

static void invite_issue_supersedes_previous(void **state)
{
	struct fixture *f = *state;
	struct invitation inv;

	add_invitee(f, "ada");
	invite(f, "ada", 0x11, -1, T0, T0 + 30 * DAY);
	invite(f, "ada", 0x22, -1, T0 + 10, T0 + 10 + 30 * DAY);
	assert_result(store_invite_get(f->st, "ada", &inv), STORE_OK);
	assert_int_equal(inv.state, INVITE_PENDING);
	assert_int_equal(inv.issued, T0 + 10);
	assert_int_equal(inv.version, 2);
	assert_true(inv.has_previous);

	/* The first code is told apart from a wrong one, and opens nothing. */
	assert_result(accept_inv(f, "ada", 0x11, "r1", T0 + 20), STORE_SUPERSEDED);
	assert_result(accept_inv(f, "ada", 0x12, "r1", T0 + 20), STORE_MISMATCH);
	assert_result(accept_inv(f, "ada", 0x22, "r2", T0 + 20), STORE_OK);
}

/* Not only the invitation just before: those before it too. */
static void invite_issue_remembers_older_invitations(void **state)
{
	struct fixture *f = *state;
	struct invitation inv;

	add_invitee(f, "ada");
	for (uint8_t b = 0x11; b <= 0x17; b++)
		invite(f, "ada", b, -1, T0 + b, T0 + 30 * DAY);
	assert_result(store_invite_get(f->st, "ada", &inv), STORE_OK);
	assert_true(inv.has_previous);
	assert_int_equal(inv.nolder, STORE_REPLACED_MAX);
	assert_result(accept_inv(f, "ada", 0x15, "r1", T0 + 40), STORE_SUPERSEDED);
	assert_result(accept_inv(f, "ada", 0x12, "r1", T0 + 40), STORE_SUPERSEDED);
	/* The oldest is beyond what is remembered. */
	assert_result(accept_inv(f, "ada", 0x11, "r1", T0 + 40), STORE_MISMATCH);
	assert_result(accept_inv(f, "ada", 0x17, "r2", T0 + 40), STORE_OK);
}

static void invite_accept_sets_names_password_and_marks_accepted(void **state)
{
	struct fixture *f = *state;
	uint8_t h[CODE_HASH_BYTES];
	struct invitation out, got;
	struct person p;

	add_invitee(f, "ada");
	invite(f, "ada", 0x33, -1, T0, T0 + 30 * DAY);
	assert_result(store_invite_accept(f->st, "ada", hash_of(h, 0x33), NULL, "req-1", T0 + 60,
					  NAME_FIRST, NAME_LAST, PWHASH_NEW, &out, NULL, NULL),
		      STORE_OK);
	assert_int_equal(out.state, INVITE_ACCEPTED);
	assert_int_equal(out.closed, T0 + 60);
	assert_string_equal(out.request_id, "req-1");

	assert_result(store_invite_get(f->st, "ada", &got), STORE_OK);
	assert_int_equal(got.state, INVITE_ACCEPTED);
	assert_int_equal(got.closed, T0 + 60);
	assert_string_equal(got.request_id, "req-1");

	assert_result(store_person_get(f->st, "ada", &p), STORE_OK);
	assert_string_equal(p.first_name, NAME_FIRST);
	assert_string_equal(p.last_name, NAME_LAST);
	assert_string_equal(p.pwhash, PWHASH_NEW);
	assert_int_equal(p.password_set, T0 + 60);
	assert_int_equal(p.updated, T0 + 60);
	assert_int_equal(p.version, 2);
}

static void invite_accept_twice_is_used(void **state)
{
	struct fixture *f = *state;

	add_invitee(f, "ada");
	invite(f, "ada", 0x44, -1, T0, T0 + 30 * DAY);
	assert_result(accept_inv(f, "ada", 0x44, "req-1", T0 + 1), STORE_OK);
	assert_result(accept_inv(f, "ada", 0x44, "req-2", T0 + 2), STORE_USED);
	assert_result(accept_inv(f, "ada", 0x44, "", T0 + 2), STORE_USED);
}

/* A person who registered with an access code meanwhile: the leftover
 * invitation cannot set the password again. */
static void invite_accept_after_registration_is_used(void **state)
{
	struct fixture *f = *state;
	struct person p;

	add_invitee(f, "ada");
	invite(f, "ada", 0x46, -1, T0, T0 + 30 * DAY);
	issue(f, "ada", 0x47, T0, T0 + DAY);
	assert_result(redeem(f, "ada", 0x47, "req-code", T0 + 1), STORE_OK);
	assert_result(store_person_get(f->st, "ada", &p), STORE_OK);
	assert_result(accept_inv(f, "ada", 0x46, "req-inv", T0 + 2), STORE_USED);
	{
		struct person after;

		assert_result(store_person_get(f->st, "ada", &after), STORE_OK);
		assert_string_equal(after.pwhash, p.pwhash);
		assert_int_equal(after.version, p.version);
	}
}

static void invite_accept_same_request_id_is_ok(void **state)
{
	struct fixture *f = *state;
	uint8_t h[CODE_HASH_BYTES];
	struct invitation out;
	struct person p;

	add_invitee(f, "ada");
	invite(f, "ada", 0x55, -1, T0, T0 + 30 * DAY);
	assert_result(accept_inv(f, "ada", 0x55, "req-1", T0 + 1), STORE_OK);
	assert_result(store_invite_accept(f->st, "ada", hash_of(h, 0x55), NULL, "req-1", T0 + 5,
					  "Other", "Name", "$argon2id$other", &out, NULL,
					  NULL),
		      STORE_OK);
	assert_int_equal(out.state, INVITE_ACCEPTED);
	assert_int_equal(out.closed, T0 + 1);
	/* The retry changed nothing. */
	assert_result(store_person_get(f->st, "ada", &p), STORE_OK);
	assert_string_equal(p.pwhash, PWHASH_NEW);
	assert_string_equal(p.first_name, NAME_FIRST);
	assert_int_equal(p.version, 2);
}

static void invite_accept_mismatch_leaves_invitation_pending(void **state)
{
	struct fixture *f = *state;
	struct invitation inv;
	struct person p;

	add_invitee(f, "ada");
	invite(f, "ada", 0x66, -1, T0, T0 + 30 * DAY);
	assert_result(accept_inv(f, "ada", 0x67, "req-1", T0 + 1), STORE_MISMATCH);
	assert_result(store_invite_get(f->st, "ada", &inv), STORE_OK);
	assert_int_equal(inv.state, INVITE_PENDING);
	assert_int_equal(inv.version, 1);
	assert_result(store_person_get(f->st, "ada", &p), STORE_OK);
	assert_string_equal(p.pwhash, "");
	assert_string_equal(p.first_name, "Ada");
	assert_result(accept_inv(f, "ada", 0x66, "req-2", T0 + 2), STORE_OK);
}

static void invite_accept_expired(void **state)
{
	struct fixture *f = *state;
	struct person p;

	add_invitee(f, "ada");
	invite(f, "ada", 0x77, -1, T0, T0 + 30 * DAY);
	assert_result(accept_inv(f, "ada", 0x77, "req-1", T0 + 30 * DAY), STORE_EXPIRED);
	assert_result(store_person_get(f->st, "ada", &p), STORE_OK);
	assert_string_equal(p.pwhash, "");
	assert_result(accept_inv(f, "ada", 0x77, "req-2", T0 + 30 * DAY - 1), STORE_OK);
}

static void invite_accept_needs_the_verification_code(void **state)
{
	struct fixture *f = *state;
	struct person p;

	add_invitee(f, "ada");
	invite(f, "ada", 0x70, 0x71, T0, T0 + 30 * DAY);
	assert_result(accept_inv(f, "ada", 0x70, "req-1", T0 + 1), STORE_MISMATCH);
	assert_result(accept_v(f, "ada", 0x70, 0x72, "req-1", T0 + 1), STORE_MISMATCH);
	/* The verification code alone, with a wrong invitation code: no. */
	assert_result(accept_v(f, "ada", 0x7f, 0x71, "req-1", T0 + 1), STORE_MISMATCH);
	assert_result(store_person_get(f->st, "ada", &p), STORE_OK);
	assert_string_equal(p.pwhash, "");
	assert_result(accept_v(f, "ada", 0x70, 0x71, "req-1", T0 + 1), STORE_OK);
}

/* A wrong code says nothing about the state of the right one, and a
 * closed invitation is reported before its expiry. */
static void invite_accept_checks_in_contract_order(void **state)
{
	struct fixture *f = *state;
	const int64_t late = T0 + 40 * DAY;

	add_invitee(f, "ada");
	invite(f, "ada", 0x78, -1, T0, T0 + DAY);
	assert_result(accept_inv(f, "ada", 0x79, "req-1", late), STORE_MISMATCH);
	assert_result(store_invite_revoke(f->st, "ada", T0 + 1), STORE_OK);
	assert_result(accept_inv(f, "ada", 0x79, "req-1", late), STORE_MISMATCH);
	assert_result(accept_inv(f, "ada", 0x78, "req-1", late), STORE_REVOKED);

	invite(f, "ada", 0x7a, -1, T0, T0 + DAY);
	assert_result(accept_inv(f, "ada", 0x7a, "req-2", T0 + 1), STORE_OK);
	assert_result(accept_inv(f, "ada", 0x7a, "req-3", late), STORE_USED);
	assert_result(accept_inv(f, "ada", 0x7a, "req-2", late), STORE_OK);
}

static void invite_accept_unknown_person_or_no_invitation_not_found(void **state)
{
	struct fixture *f = *state;

	assert_result(accept_inv(f, "ghost", 0x01, "req-1", T0), STORE_NOT_FOUND);
	add_invitee(f, "ada");
	assert_result(accept_inv(f, "ada", 0x01, "req-1", T0), STORE_NOT_FOUND);
}

static void invite_accept_refuses_malformed_names(void **state)
{
	struct fixture *f = *state;
	uint8_t h[CODE_HASH_BYTES];
	char longname[OB_NAME_MAX + 2];

	memset(longname, 'a', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	add_invitee(f, "ada");
	invite(f, "ada", 0x02, -1, T0, T0 + DAY);
	assert_result(store_invite_accept(f->st, "ada", hash_of(h, 0x02), NULL, "r", T0 + 1, "",
					  NAME_LAST, PWHASH_NEW, NULL, NULL, NULL),
		      STORE_UNAVAILABLE);
	assert_result(store_invite_accept(f->st, "ada", hash_of(h, 0x02), NULL, "r", T0 + 1,
					  NAME_FIRST, longname, PWHASH_NEW, NULL, NULL, NULL),
		      STORE_UNAVAILABLE);
	assert_result(accept_inv(f, "ada", 0x02, "r", T0 + 1), STORE_OK);
}

static void invite_revoke_then_accept_is_revoked(void **state)
{
	struct fixture *f = *state;
	struct invitation inv;

	add_invitee(f, "ada");
	invite(f, "ada", 0x88, -1, T0, T0 + 30 * DAY);
	assert_result(store_invite_revoke(f->st, "ada", T0 + 30), STORE_OK);
	assert_result(store_invite_get(f->st, "ada", &inv), STORE_OK);
	assert_int_equal(inv.state, INVITE_REVOKED);
	assert_int_equal(inv.closed, T0 + 30);
	assert_result(accept_inv(f, "ada", 0x88, "req-1", T0 + 40), STORE_REVOKED);
	assert_result(store_invite_revoke(f->st, "ada", T0 + 50), STORE_REVOKED);
	/* A new invitation after a revoked one: the old code is just wrong. */
	invite(f, "ada", 0x89, -1, T0 + 60, T0 + DAY);
	assert_result(store_invite_get(f->st, "ada", &inv), STORE_OK);
	assert_false(inv.has_previous);
	assert_result(accept_inv(f, "ada", 0x88, "req-2", T0 + 70), STORE_MISMATCH);
}

static void invite_revoke_accepted_or_expired_refused(void **state)
{
	struct fixture *f = *state;

	add_invitee(f, "ada");
	assert_result(store_invite_revoke(f->st, "ada", T0), STORE_NOT_FOUND);
	assert_result(store_invite_revoke(f->st, "ghost", T0), STORE_NOT_FOUND);
	invite(f, "ada", 0x8b, -1, T0, T0 + DAY);
	assert_result(store_invite_revoke(f->st, "ada", T0 + DAY), STORE_EXPIRED);
	invite(f, "ada", 0x8c, -1, T0, T0 + DAY);
	assert_result(accept_inv(f, "ada", 0x8c, "req-1", T0 + 1), STORE_OK);
	assert_result(store_invite_revoke(f->st, "ada", T0 + 2), STORE_USED);
}

static void invite_issue_unknown_person_not_found(void **state)
{
	struct fixture *f = *state;
	uint8_t h[CODE_HASH_BYTES];
	struct invitation inv;

	assert_result(store_invite_issue(f->st, "ghost", hash_of(h, 0x99), NULL, T0, T0 + DAY,
					 &inv),
		      STORE_NOT_FOUND);
	assert_result(store_invite_get(f->st, "ghost", &inv), STORE_NOT_FOUND);
}

static int collect_invite(const struct invitation *inv, void *ctx)
{
	struct collect *col = ctx;

	assert_true(col->n < 8);
	snprintf(col->names[col->n++], sizeof(col->names[0]), "%s:%d", inv->username,
		 inv->state);
	return 0;
}

static void invite_each_lists_current_invitations(void **state)
{
	struct fixture *f = *state;
	struct collect c = { .stop_after = -1 };
	char want[2][OB_USERNAME_MAX + 16];

	add_invitee(f, "bob");
	add_invitee(f, "ada");
	add_invitee(f, "carl");
	invite(f, "bob", 0xb1, -1, T0, T0 + DAY);
	invite(f, "ada", 0xb2, 0xb3, T0, T0 + DAY);
	assert_result(store_invite_revoke(f->st, "bob", T0 + 1), STORE_OK);
	assert_result(store_invite_each(f->st, NULL, collect_invite, &c), STORE_OK);
	assert_int_equal(c.n, 2);
	snprintf(want[0], sizeof(want[0]), "ada:%d", INVITE_PENDING);
	snprintf(want[1], sizeof(want[1]), "bob:%d", INVITE_REVOKED);
	assert_string_equal(c.names[0], want[0]);
	assert_string_equal(c.names[1], want[1]);
	c.n = 0;
	assert_result(store_invite_each(f->st, "ada", collect_invite, &c), STORE_OK);
	assert_int_equal(c.n, 1);
}

static void invite_record_round_trips_and_survives_reopen(void **state)
{
	struct fixture *f = *state;
	uint8_t v[CODE_HASH_BYTES], prev[CODE_HASH_BYTES];
	struct invitation inv;

	add_invitee(f, "ada");
	invite(f, "ada", 0xc0, -1, T0, T0 + DAY);
	invite(f, "ada", 0xc1, 0xc2, T0 + 5, T0 + 7 * DAY);
	reopen(f, MAP_SIZE);
	assert_result(store_invite_get(f->st, "ada", &inv), STORE_OK);
	assert_string_equal(inv.username, "ada");
	assert_true(inv.has_verification);
	assert_memory_equal(inv.verification_hash, hash_of(v, 0xc2), CODE_HASH_BYTES);
	assert_true(inv.has_previous);
	assert_memory_equal(inv.previous_hash, hash_of(prev, 0xc0), CODE_HASH_BYTES);
	assert_int_equal(inv.issued, T0 + 5);
	assert_int_equal(inv.expires, T0 + 7 * DAY);
	assert_int_equal(inv.closed, 0);
}

static void corrupt_invitation_record_is_unavailable(void **state)
{
	struct fixture *f = *state;
	struct invitation inv;

	add_invitee(f, "ada");
	/* An unknown state. */
	raw_put(f, "invitations", "ada",
		"{\"rv\":1,\"version\":1,\"username\":\"ada\",\"hash\":\"0123456789abcdef0123"
		"456789abcdef0123456789abcdef0123456789abcdef\",\"state\":\"open\","
		"\"issued\":1,\"expires\":2,\"closed\":0,\"request_id\":\"\"}");
	reopen(f, MAP_SIZE);
	assert_result(store_invite_get(f->st, "ada", &inv), STORE_UNAVAILABLE);
	assert_result(accept_inv(f, "ada", 0x01, "req-1", 1), STORE_UNAVAILABLE);
}

/* ------------------------------------------------ administration model */

static void email_unique_in_org_any_case(void **state)
{
	struct fixture *f = *state;
	struct person p;
	char who[OB_USERNAME_MAX + 1];

	add_person(f, "anna"); /* anna@example.org in default */
	person_fill(&p, "bert", "Bert");
	snprintf(p.email, sizeof(p.email), "ANNA@Example.ORG");
	assert_result(store_person_create(f->st, &p), STORE_EMAIL_TAKEN);
	assert_result(store_person_get(f->st, "bert", &p), STORE_NOT_FOUND);
	/* Another organisation may use it. */
	person_fill(&p, "bert", "Bert");
	snprintf(p.email, sizeof(p.email), "anna@example.org");
	snprintf(p.org, sizeof(p.org), "other");
	assert_result(store_person_create(f->st, &p), STORE_OK);
	assert_result(store_email_find(f->st, "default", "Anna@EXAMPLE.org", who), STORE_OK);
	assert_string_equal(who, "anna");
	/* A changed address frees the old one. */
	assert_result(store_person_get(f->st, "anna", &p), STORE_OK);
	snprintf(p.email, sizeof(p.email), "a2@example.org");
	assert_result(store_person_put(f->st, &p), STORE_OK);
	assert_result(store_email_find(f->st, "default", "anna@example.org", who), STORE_NOT_FOUND);
}

static void pool_seats_are_claimed_and_given_back(void **state)
{
	struct fixture *f = *state;
	struct pool pl = { .name = "lab", .org = "default", .seats = 1, .created = T0 };
	struct person p, q;
	struct store_failure fail;
	struct person_change c;

	assert_result(store_pool_create(f->st, &pl), STORE_OK);
	assert_result(store_pool_create(f->st, &pl), STORE_EXISTS);
	person_fill(&p, "anna", "Anna");
	snprintf(p.pools[p.npools++], sizeof(store_name), "lab");
	assert_result(store_person_create(f->st, &p), STORE_OK);
	person_fill(&q, "bert", "Bert");
	snprintf(q.pools[q.npools++], sizeof(store_name), "lab");
	c = (struct person_change){ .op = PERSON_CREATE, .p = &q };
	assert_result(store_people_write(f->st, &c, 1, &fail), STORE_POOL_FULL);
	assert_string_equal(fail.what, "lab");
	assert_result(store_person_get(f->st, "bert", &q), STORE_NOT_FOUND);
	assert_result(store_pool_get(f->st, "lab", &pl), STORE_OK);
	assert_int_equal(pl.used, 1);
	/* anna leaves the pool: the seat is free again. */
	assert_result(store_person_get(f->st, "anna", &p), STORE_OK);
	p.npools = 0;
	assert_result(store_person_put(f->st, &p), STORE_OK);
	assert_result(store_pool_get(f->st, "lab", &pl), STORE_OK);
	assert_int_equal(pl.used, 0);
	/* A pool or group that does not exist is refused. */
	person_fill(&q, "bert", "Bert");
	snprintf(q.groups[q.ngroups++], sizeof(store_name), "nogroup");
	c = (struct person_change){ .op = PERSON_CREATE, .p = &q };
	assert_result(store_people_write(f->st, &c, 1, &fail), STORE_NO_GROUP);
}

static void batch_is_all_or_nothing(void **state)
{
	struct fixture *f = *state;
	struct person a, b, c2;
	struct person_change c[3];
	struct store_failure fail;

	person_fill(&a, "anna", "Anna");
	person_fill(&b, "bert", "Bert");
	person_fill(&c2, "anna", "Anna2"); /* the same username twice */
	snprintf(c2.email, sizeof(c2.email), "other@example.org");
	c[0] = (struct person_change){ .op = PERSON_CREATE, .p = &a };
	c[1] = (struct person_change){ .op = PERSON_CREATE, .p = &b };
	c[2] = (struct person_change){ .op = PERSON_CREATE, .p = &c2 };
	assert_result(store_people_write(f->st, c, 3, &fail), STORE_EXISTS);
	assert_int_equal(fail.index, 2);
	assert_result(store_person_get(f->st, "anna", &a), STORE_NOT_FOUND);
	assert_result(store_person_get(f->st, "bert", &b), STORE_NOT_FOUND);
}

static void disabling_revokes_code_and_remove_purges(void **state)
{
	struct fixture *f = *state;
	uint8_t hash[CODE_HASH_BYTES];
	struct access_code c;
	struct person p;
	struct person_change ch;
	char who[OB_USERNAME_MAX + 1];

	add_person(f, "anna");
	memset(hash, 7, sizeof(hash));
	assert_result(store_code_issue(f->st, "anna", hash, T0, T0 + 1000, 0, &c), STORE_OK);
	assert_result(store_person_get(f->st, "anna", &p), STORE_OK);
	p.flags |= PERSON_DISABLED;
	p.deleted = T0 + 5;
	p.updated = T0 + 5;
	assert_result(store_person_put(f->st, &p), STORE_OK);
	assert_result(store_code_get(f->st, "anna", &c), STORE_OK);
	assert_int_equal(c.state, CODE_REVOKED);
	assert_int_equal(c.closed, T0 + 5);
	assert_result(store_code_find(f->st, hash, who), STORE_NOT_FOUND);
	ch = (struct person_change){ .op = PERSON_REMOVE, .p = &p };
	assert_result(store_people_write(f->st, &ch, 1, NULL), STORE_OK);
	assert_result(store_person_get(f->st, "anna", &p), STORE_NOT_FOUND);
	assert_result(store_code_get(f->st, "anna", &c), STORE_NOT_FOUND);
	assert_result(store_email_find(f->st, "default", "anna@example.org", who), STORE_NOT_FOUND);
}

static int audit_collect(const struct audit_event *e, void *ctx)
{
	uint64_t *ids = ctx;

	ids[ids[0] + 1] = e->id;
	ids[0]++;
	return 0;
}

static void audit_ids_grow_and_page(void **state)
{
	struct fixture *f = *state;
	struct audit_event e = { .time = T0, .uid = 0 };
	uint64_t ids[8] = { 0 };

	for (int i = 0; i < 3; i++) {
		snprintf(e.event, sizeof(e.event), "test.%d", i);
		snprintf(e.result, sizeof(e.result), "ok");
		assert_result(store_audit_append(f->st, &e), STORE_OK);
		assert_int_equal(e.id, (uint64_t)i + 1);
	}
	assert_result(store_audit_each(f->st, 1, audit_collect, ids), STORE_OK);
	assert_int_equal(ids[0], 2);
	assert_int_equal(ids[1], 2);
	assert_int_equal(ids[2], 3);
}

/* ------------------------------------------------------------ codes in bulk */

static void grant_fill(struct code_grant *g, const char *username, uint8_t b)
{
	memset(g, 0, sizeof(*g));
	g->username = username;
	memset(g->hash, b, CODE_HASH_BYTES);
	g->event.time = T0;
	snprintf(g->event.subject, sizeof(g->event.subject), "%s", username);
	snprintf(g->event.event, sizeof(g->event.event), "code.issue");
	snprintf(g->event.result, sizeof(g->event.result), "ok");
}

static uint64_t audit_events(struct fixture *f)
{
	uint64_t bytes, events;

	assert_result(store_audit_size(f->st, &bytes, &events), STORE_OK);
	return events;
}

static void codes_issue_many_issues_each_with_its_event(void **state)
{
	struct fixture *f = *state;
	const char *names[] = { "alice", "bob", "carol" };
	struct code_grant g[3];
	struct store_failure fail;
	struct access_code c;
	uint8_t h[CODE_HASH_BYTES];
	char who[OB_USERNAME_MAX + 1];
	uint64_t ids[8] = { 0 };

	for (int i = 0; i < 3; i++)
		add_person(f, names[i]);
	issue(f, "alice", 0x11, T0, T0 + DAY);
	for (int i = 0; i < 3; i++)
		grant_fill(&g[i], names[i], (uint8_t)(0x21 + i));
	assert_result(store_codes_issue_many(f->st, g, 3, T0 + 1, T0 + DAY, 0, NULL, &fail),
		      STORE_OK);
	for (int i = 0; i < 3; i++) {
		assert_result(store_code_get(f->st, names[i], &c), STORE_OK);
		assert_int_equal(c.state, CODE_ACTIVE);
		assert_memory_equal(c.hash, hash_of(h, (uint8_t)(0x21 + i)), CODE_HASH_BYTES);
		assert_int_equal(c.issued, T0 + 1);
		assert_int_equal(g[i].rec.version, c.version);
		assert_int_equal(g[i].event.id, (uint64_t)i + 1);
		assert_result(store_code_find(f->st, c.hash, who), STORE_OK);
		assert_string_equal(who, names[i]);
	}
	/* alice's earlier code was superseded as store_code_issue does it. */
	assert_result(store_code_get(f->st, "alice", &c), STORE_OK);
	assert_int_equal(c.nreplaced, 1);
	assert_result(store_code_find(f->st, hash_of(h, 0x11), who), STORE_NOT_FOUND);
	assert_result(store_audit_each(f->st, 0, audit_collect, ids), STORE_OK);
	assert_int_equal(ids[0], 3);
}

/* Any grant that cannot be issued leaves every other as it was: no code,
 * no audit event. */
static void codes_issue_many_is_all_or_nothing(void **state)
{
	struct fixture *f = *state;
	struct code_grant g[3];
	struct store_failure fail;
	struct access_code c;
	uint8_t h[CODE_HASH_BYTES];

	add_person(f, "alice");
	add_person(f, "carol");
	issue(f, "carol", 0x33, T0, T0 + DAY);
	grant_fill(&g[0], "alice", 0x21);
	grant_fill(&g[1], "nobody", 0x22);
	grant_fill(&g[2], "carol", 0x23);
	assert_result(store_codes_issue_many(f->st, g, 3, T0 + 1, T0 + DAY, 0, NULL, &fail),
		      STORE_NOT_FOUND);
	assert_int_equal(fail.index, 1);
	assert_string_equal(fail.what, "nobody");
	assert_result(store_code_get(f->st, "alice", &c), STORE_NOT_FOUND);
	assert_result(store_code_get(f->st, "carol", &c), STORE_OK);
	assert_memory_equal(c.hash, hash_of(h, 0x33), CODE_HASH_BYTES);
	assert_int_equal(audit_events(f), 0);

	/* alice would get carol's active code: refused, carol's untouched. */
	grant_fill(&g[0], "alice", 0x21);
	grant_fill(&g[1], "alice", 0x33);
	assert_result(store_codes_issue_many(f->st, g, 2, T0 + 1, T0 + DAY, 0, NULL, &fail),
		      STORE_EXISTS);
	assert_int_equal(fail.index, 1);
	assert_result(store_code_get(f->st, "alice", &c), STORE_NOT_FOUND);
	assert_result(store_code_find(f->st, hash_of(h, 0x21), c.username), STORE_NOT_FOUND);
	assert_int_equal(audit_events(f), 0);
}

static void codes_issue_many_map_full_writes_nothing(void **state)
{
	struct fixture *f = *state;
	static char names[2000][OB_USERNAME_MAX + 1];
	static struct code_grant g[2000];
	struct store_failure fail;
	struct access_code c;
	struct person p;
	int n;

	reopen(f, 256 * 1024);
	for (n = 0; n < 2000; n++) {
		snprintf(names[n], sizeof(names[n]), "user%04d", n);
		person_fill(&p, names[n], "Filler");
		if (store_person_create(f->st, &p) != STORE_OK)
			break;
	}
	if (n < 50)
		fail_msg("the map was full after %d people: the test proves too little", n);
	for (int i = 0; i < n; i++)
		grant_fill(&g[i], names[i], (uint8_t)i);
	/* Distinct hashes: the map, not a collision, must be what stops it. */
	for (int i = 0; i < n; i++)
		g[i].hash[1] = (uint8_t)(i >> 8);
	assert_result(store_codes_issue_many(f->st, g, (size_t)n, T0, T0 + DAY, 0, NULL, &fail),
		      STORE_FULL);
	for (int i = 0; i < n; i++)
		assert_result(store_code_get(f->st, names[i], &c), STORE_NOT_FOUND);
	assert_int_equal(audit_events(f), 0);
}

/* The people and the event of their import: both or neither. */
static void people_write_audited_is_one_transaction(void **state)
{
	struct fixture *f = *state;
	struct person a, b, got;
	struct person_change c[2] = { { .op = PERSON_CREATE, .p = &a },
				      { .op = PERSON_CREATE, .p = &b } };
	struct audit_event e = { .time = T0 };
	struct store_failure fail;
	uint64_t ids[4] = { 0 };

	snprintf(e.event, sizeof(e.event), "user.import");
	snprintf(e.result, sizeof(e.result), "ok");
	person_fill(&a, "alice", "Alice");
	person_fill(&b, "bob", "Bob");
	assert_result(store_people_write_audited(f->st, c, 2, &fail, &e, NULL), STORE_OK);
	assert_int_equal(e.id, 1);
	assert_result(store_person_get(f->st, "bob", &got), STORE_OK);
	/* bob again: refused, and neither carol nor the event goes in. */
	person_fill(&a, "carol", "Carol");
	person_fill(&b, "bob", "Bob");
	assert_result(store_people_write_audited(f->st, c, 2, &fail, &e, NULL), STORE_EXISTS);
	assert_int_equal(fail.index, 1);
	assert_result(store_person_get(f->st, "carol", &got), STORE_NOT_FOUND);
	assert_result(store_audit_each(f->st, 0, audit_collect, ids), STORE_OK);
	assert_int_equal(ids[0], 1);
}

static void schema_1_database_gets_email_index(void **state)
{
	struct fixture *f = *state;
	struct store_stats st;
	char who[OB_USERNAME_MAX + 1];

	add_person(f, "anna");
	store_close(f->st);
	f->st = NULL;
	raw_put(f, "meta", "schema_version", "1");
	raw_del(f, "emails", "default\x1f" "anna@example.org");
	reopen(f, MAP_SIZE);
	assert_result(store_stats(f->st, &st), STORE_OK);
	assert_int_equal(st.schema_version, STORE_SCHEMA_VERSION);
	assert_result(store_email_find(f->st, "default", "anna@example.org", who), STORE_OK);
	assert_string_equal(who, "anna");
}

/* A record that cannot be read fails alone in the upgrade from schema 1
 * too: the others get their e-mail index, and the database opens. */
static void schema_1_upgrade_skips_a_corrupt_record(void **state)
{
	struct fixture *f = *state;
	struct store_stats st;
	struct person p;
	char who[OB_USERNAME_MAX + 1];

	add_person(f, "anna");
	store_close(f->st);
	f->st = NULL;
	raw_put(f, "people", "bad", "{\"rv\":3,");
	raw_put(f, "meta", "schema_version", "1");
	raw_del(f, "emails", "default\x1f" "anna@example.org");
	reopen(f, MAP_SIZE);
	assert_result(store_stats(f->st, &st), STORE_OK);
	assert_int_equal(st.schema_version, STORE_SCHEMA_VERSION);
	assert_result(store_email_find(f->st, "default", "anna@example.org", who), STORE_OK);
	assert_string_equal(who, "anna");
	assert_result(store_person_get(f->st, "bad", &p), STORE_UNAVAILABLE);
}

/* An rv 3 record of an enrolled person as schema 2 wrote it: no
 * authenticator parameters. */
#define SCHEMA2_ENROLLED(name)                                                             \
	"{\"rv\":3,\"version\":4,\"username\":\"" name "\",\"first_name\":\"E\","          \
	"\"last_name\":\"V\",\"email\":\"\",\"phone\":\"\",\"org\":\"default\",\"flags\":4,"    \
	"\"pwhash\":\"\",\"created\":1,\"updated\":1,\"password_set\":1,"                  \
	"\"totp_sealed\":\"" SEALED_HEX "\",\"totp_last_step\":9,\"mfa_enrolled\":1,"         \
	"\"role\":\"user\",\"perms\":0,\"groups\":[],\"pools\":[],\"link\":\"\",\"deleted\":0}"

/* Schema 2 to 3: the people enrolled before are stamped with the
 * parameters given (the configuration of the time), once; the others
 * are left alone, and so is a person already stamped. */
static void schema_2_database_stamps_enrolled_people(void **state)
{
	struct fixture *f = *state;
	const struct store_totp legacy = { .algorithm = 1, .digits = 8, .period = 30 };
	const struct store_totp later = { .algorithm = 2, .digits = 6, .period = 60 };
	struct store_stats st;
	struct person p;
	int r;

	add_person(f, "anna"); /* not enrolled */
	raw_put(f, "people", "eve", SCHEMA2_ENROLLED("eve"));
	raw_put(f, "people", "ida", SCHEMA2_ENROLLED("ida"));
	raw_put(f, "people", "bad", "{\"rv\":3,");
	raw_put(f, "meta", "schema_version", "2");
	r = store_open_upgrade(&f->st, f->dir, MAP_SIZE, &legacy);
	if (r < 0)
		fail_msg("store_open_upgrade: %s", strerror(-r));
	assert_result(store_stats(f->st, &st), STORE_OK);
	assert_int_equal(st.schema_version, 3);
	assert_result(store_person_get(f->st, "eve", &p), STORE_OK);
	assert_int_equal(p.totp.algorithm, 1);
	assert_int_equal(p.totp.digits, 8);
	assert_int_equal(p.totp.period, 30);
	/* Nothing else moved, not even the version. */
	assert_int_equal(p.version, 4);
	assert_int_equal(p.totp_last_step, 9);
	assert_int_equal(p.totp_sealed[STORE_TOTP_SEALED_BYTES - 1], 0x3c);
	assert_result(store_person_get(f->st, "ida", &p), STORE_OK);
	assert_int_equal(p.totp.digits, 8);
	assert_result(store_person_get(f->st, "anna", &p), STORE_OK);
	assert_int_equal(p.totp.digits, 0);
	assert_result(store_person_get(f->st, "bad", &p), STORE_UNAVAILABLE);
	/* Once: a later open with other parameters changes nobody. */
	store_close(f->st);
	f->st = NULL;
	r = store_open_upgrade(&f->st, f->dir, MAP_SIZE, &later);
	assert_int_equal(r, 0);
	assert_result(store_person_get(f->st, "eve", &p), STORE_OK);
	assert_int_equal(p.totp.algorithm, 1);
	assert_int_equal(p.totp.digits, 8);
}

/* The parameters are written at enrolment, kept by other writes, and
 * dropped with the authenticator; malformed ones are refused. */
static void person_totp_parameters_round_trip(void **state)
{
	struct fixture *f = *state;
	static const char *const bad[] = {
		"\"totp_algorithm\":\"md5\",\"totp_digits\":6,\"totp_period\":30",
		"\"totp_algorithm\":\"sha1\",\"totp_digits\":7,\"totp_period\":30",
		"\"totp_algorithm\":\"sha1\",\"totp_digits\":6,\"totp_period\":0",
		"\"totp_algorithm\":\"sha1\",\"totp_digits\":6",
	};
	char rec[2048];
	struct person p;

	add_person(f, "ola");
	assert_result(store_person_get(f->st, "ola", &p), STORE_OK);
	p.flags |= PERSON_MFA_ENROLLED;
	sealed_fill(p.totp_sealed, 0x10);
	p.totp = (struct store_totp){ .algorithm = 2, .digits = 8, .period = 30 };
	assert_result(store_person_put(f->st, &p), STORE_OK);
	reopen(f, MAP_SIZE);
	assert_result(store_person_get(f->st, "ola", &p), STORE_OK);
	assert_int_equal(p.totp.algorithm, 2);
	assert_int_equal(p.totp.digits, 8);
	assert_int_equal(p.totp.period, 30);
	snprintf(p.first_name, sizeof(p.first_name), "Ola");
	assert_result(store_person_put(f->st, &p), STORE_OK);
	assert_result(store_person_get(f->st, "ola", &p), STORE_OK);
	assert_int_equal(p.totp.digits, 8);
	/* Not enrolled: not written. */
	p.flags &= ~PERSON_MFA_ENROLLED;
	assert_result(store_person_put(f->st, &p), STORE_OK);
	assert_result(store_person_get(f->st, "ola", &p), STORE_OK);
	assert_int_equal(p.totp.digits, 0);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(rec, sizeof(rec), "%.*s,%s}", (int)strlen(SCHEMA2_ENROLLED("eve")) - 1,
			 SCHEMA2_ENROLLED("eve"), bad[i]);
		raw_put(f, "people", "eve", rec);
		reopen(f, MAP_SIZE);
		if (store_person_get(f->st, "eve", &p) != STORE_UNAVAILABLE)
			fail_msg("record %zu was accepted: %s", i, rec);
	}
	/* The well-formed one is read. */
	snprintf(rec, sizeof(rec), "%.*s,%s}", (int)strlen(SCHEMA2_ENROLLED("eve")) - 1,
		 SCHEMA2_ENROLLED("eve"),
		 "\"totp_algorithm\":\"sha256\",\"totp_digits\":6,\"totp_period\":30");
	raw_put(f, "people", "eve", rec);
	reopen(f, MAP_SIZE);
	assert_result(store_person_get(f->st, "eve", &p), STORE_OK);
	assert_int_equal(p.totp.algorithm, 1);
}

/* ------------------------------------------------ damaged database files */

/* Run store_open on f->dir with stderr going to a file; the log is
 * returned in log (NUL-terminated). */
static int open_logged(struct fixture *f, char *log, size_t size)
{
	char path[128];
	int saved, fd, r;
	ssize_t n;

	snprintf(path, sizeof(path), "%s.log", f->dir);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	assert_true(fd >= 0);
	fflush(stderr);
	saved = dup(2);
	assert_true(saved >= 0);
	assert_true(dup2(fd, 2) == 2);
	r = store_open(&f->st, f->dir, MAP_SIZE);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	n = pread(fd, log, size - 1, 0);
	log[n > 0 ? n : 0] = '\0';
	close(fd);
	unlink(path);
	return r;
}

static void data_path(struct fixture *f, char *path, size_t size)
{
	snprintf(path, size, "%s/data.mdb", f->dir);
}

/* Close the store and cut data.mdb to len bytes. */
static void cut_data(struct fixture *f, off_t len)
{
	char path[128];

	store_close(f->st);
	f->st = NULL;
	data_path(f, path, sizeof(path));
	assert_int_equal(truncate(path, len), 0);
}

/* A new database in the same directory. */
static void reopen_fresh(struct fixture *f)
{
	char path[128];

	store_close(f->st);
	f->st = NULL;
	data_path(f, path, sizeof(path));
	unlink(path);
	snprintf(path, sizeof(path), "%s/lock.mdb", f->dir);
	unlink(path);
	reopen(f, MAP_SIZE);
}

static void expect_refused(struct fixture *f, const char *why)
{
	char log[2048];
	int r = open_logged(f, log, sizeof(log));

	if (r != -EUCLEAN || !strstr(log, why) || !strstr(log, "restore it from backup"))
		fail_msg("store_open: %d (%s), log: %s", r, r < 0 ? strerror(-r) : "opened", log);
	assert_null(f->st);
}

/* Refused with -EUCLEAN and why in the log, and nothing opened. */
static void expect_refused_as(struct fixture *f, const char *why)
{
	char log[2048];
	int r = open_logged(f, log, sizeof(log));

	if (r != -EUCLEAN || !strstr(log, why))
		fail_msg("store_open: %d (%s), log: %s", r, r < 0 ? strerror(-r) : "opened", log);
	assert_null(f->st);
}

/* The database's files are only used when nobody else could have
 * written to them: a data.mdb or lock.mdb left by whoever could write to
 * the state directory once (before it was made safe) would let them go on
 * changing the database, or LMDB's reader table, through a handle they
 * kept or as the file's owner.  lock.mdb is never followed through a
 * link (LMDB would create and write what it points to), and neither is
 * made of a FIFO or a device. */
static void database_files_others_could_write_are_refused(void **state)
{
	struct fixture *f = *state;
	char data[128], lock[128], target[160];
	struct stat sb;

	add_person(f, "anna");
	store_close(f->st);
	f->st = NULL;
	data_path(f, data, sizeof(data));
	snprintf(lock, sizeof(lock), "%s/lock.mdb", f->dir);
	snprintf(target, sizeof(target), "%s.target", f->dir);

	assert_int_equal(chmod(data, 0666), 0);
	expect_refused_as(f, "data.mdb is writable by group or others (mode 0666)");
	assert_int_equal(chmod(data, 0644), 0);
	expect_refused_as(f, "data.mdb is readable by group or others (mode 0644)");
	assert_int_equal(chmod(data, 0600), 0);

	assert_int_equal(chmod(lock, 0666), 0);
	expect_refused_as(f, "lock.mdb is writable by group or others (mode 0666)");
	assert_int_equal(chmod(lock, 0600), 0);

	/* A link where lock.mdb goes: refused, and nothing made through it. */
	assert_int_equal(unlink(lock), 0);
	assert_int_equal(symlink(target, lock), 0);
	expect_refused_as(f, "lock.mdb is a symbolic link");
	if (lstat(target, &sb) == 0)
		fail_msg("%s was made through the link", target);
	assert_int_equal(unlink(lock), 0);
	assert_int_equal(mkfifo(lock, 0600), 0);
	expect_refused_as(f, "lock.mdb is not a regular file");
	assert_int_equal(unlink(lock), 0);

	if (geteuid() == 0) {
		assert_int_equal(chown(data, 65534, 65534), 0);
		expect_refused_as(f, "data.mdb is owned by uid 65534");
		assert_int_equal(chown(data, 0, 0), 0);
		reopen(f, MAP_SIZE); /* lock.mdb made afresh */
		store_close(f->st);
		f->st = NULL;
		assert_int_equal(chown(lock, 65534, 65534), 0);
		expect_refused_as(f, "lock.mdb is owned by uid 65534");
		assert_int_equal(chown(lock, 0, 0), 0);
	}
	/* All put right: it opens, and anna is there. */
	reopen(f, MAP_SIZE);
	{
		struct person p;

		assert_result(store_person_get(f->st, "anna", &p), STORE_OK);
	}
}

/* The key file is bound to the database: a keyed check value of it is
 * stored at the first start, and a key file of another database (or a
 * fresh one) is told apart before any code or authenticator fails. */
static void key_check_value_binds_the_key_file(void **state)
{
	struct fixture *f = *state;
	uint8_t a[STORE_KEY_CHECK_BYTES], b[STORE_KEY_CHECK_BYTES];

	memset(a, 0xa5, sizeof(a));
	memset(b, 0xa5, sizeof(b));
	b[sizeof(b) - 1] ^= 1;
	assert_int_equal(store_key_check(f->st, a), 0); /* stamped */
	assert_int_equal(store_key_check(f->st, a), 0);
	assert_int_equal(store_key_check(f->st, b), -EKEYREJECTED);
	reopen(f, MAP_SIZE);
	assert_int_equal(store_key_check(f->st, b), -EKEYREJECTED);
	assert_int_equal(store_key_check(f->st, a), 0);
}

static void empty_data_file_is_refused(void **state)
{
	struct fixture *f = *state;

	add_person(f, "anna");
	cut_data(f, 0);
	expect_refused(f, "is empty (0 bytes)");
	/* Still there, still refused: nothing was made of it. */
	expect_refused(f, "is empty (0 bytes)");
}

static void truncated_data_file_is_refused(void **state)
{
	struct fixture *f = *state;
	char name[16];
	struct stat sb;
	char path[128];
	long page = sysconf(_SC_PAGESIZE);

	/* Enough people for pages beyond the two meta pages. */
	for (int i = 0; i < 40; i++) {
		snprintf(name, sizeof(name), "person%02d", i);
		add_person(f, name);
	}
	data_path(f, path, sizeof(path));
	assert_int_equal(stat(path, &sb), 0);
	assert_true(sb.st_size > 4 * page);
	/* The meta pages whole, the rest gone: LMDB would SIGBUS. */
	cut_data(f, 2 * page);
	expect_refused(f, "is truncated");
	/* Half a meta page. */
	cut_data(f, 100);
	expect_refused(f, "too short to be an LMDB database");
	/* The second meta page missing. */
	reopen_fresh(f);
	add_person(f, "anna");
	cut_data(f, page + 50);
	expect_refused(f, "is truncated");
}

static void foreign_data_file_is_refused(void **state)
{
	struct fixture *f = *state;
	static const char sqlite[] = "SQLite format 3";
	uint8_t page[8192] = { 0 };
	uint32_t version = 2;
	char path[128];
	int fd;

	add_person(f, "anna");
	store_close(f->st);
	f->st = NULL;
	data_path(f, path, sizeof(path));
	/* Another format version of LMDB: the version follows the magic. */
	fd = open(path, O_RDWR);
	assert_true(fd >= 0);
	assert_int_equal(pwrite(fd, &version, sizeof(version), 20), sizeof(version));
	close(fd);
	expect_refused(f, "another format version");
	/* Not LMDB at all. */
	memcpy(page, sqlite, sizeof(sqlite));
	fd = open(path, O_WRONLY | O_TRUNC);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, page, sizeof(page)), sizeof(page));
	close(fd);
	expect_refused(f, "not an LMDB database");
}

static void corrupt_record_is_skipped_by_listings(void **state)
{
	struct fixture *f = *state;
	struct collect c = { .stop_after = -1 };
	struct store_skipped sk;
	struct person p;
	char log[2048];

	add_person(f, "anna");
	add_person(f, "bert");
	add_person(f, "carl");
	issue(f, "anna", 0x01, T0, T0 + DAY);
	issue(f, "bert", 0x02, T0, T0 + DAY);
	issue(f, "carl", 0x03, T0, T0 + DAY);
	raw_put(f, "people", "bert", "{\"rv\":3,\"version\":1,\"username\":\"be");
	raw_put(f, "codes", "bert", "\x01\x02garbage");
	assert_int_equal(open_logged(f, log, sizeof(log)), 0);
	assert_result(store_person_each(f->st, NULL, collect_person, &c), STORE_OK);
	assert_int_equal(c.n, 2);
	assert_string_equal(c.names[0], "anna");
	assert_string_equal(c.names[1], "carl");
	store_last_skipped(&sk);
	assert_int_equal(sk.count, 1);
	assert_string_equal(sk.first, "bert");
	/* A page that starts after it: nothing skipped. */
	c.n = 0;
	assert_result(store_person_each(f->st, "bert", collect_person, &c), STORE_OK);
	assert_int_equal(c.n, 1);
	store_last_skipped(&sk);
	assert_int_equal(sk.count, 0);
	c.n = 0;
	assert_result(store_code_each(f->st, NULL, collect_code, &c), STORE_OK);
	assert_int_equal(c.n, 2);
	store_last_skipped(&sk);
	assert_int_equal(sk.count, 1);
	assert_string_equal(sk.first, "bert");
	/* Its own get fails, and only it. */
	assert_result(store_person_get(f->st, "bert", &p), STORE_UNAVAILABLE);
	assert_result(store_person_get(f->st, "carl", &p), STORE_OK);
}

static void result_names_are_distinct(void **state)
{
	enum store_result a, b;

	for (a = STORE_OK; a <= STORE_UNAVAILABLE; a++) {
		assert_string_not_equal(store_result_name(a), "unknown");
		for (b = a + 1; b <= STORE_UNAVAILABLE; b++)
			assert_string_not_equal(store_result_name(a), store_result_name(b));
	}
	assert_string_equal(store_result_name(STORE_FULL), "full");
	assert_string_equal(store_result_name((enum store_result)99), "unknown");
}

#define T(name) cmocka_unit_test_setup_teardown(name, fixture_setup, fixture_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(person_create_then_get),
		T(person_create_twice_exists),
		T(person_put_conflict_on_stale_version),
		T(person_put_unknown_not_found),
		T(person_each_in_order),
		T(person_each_stops_when_asked),
		T(code_issue_supersedes_previous),
		T(code_redeem_sets_password_and_marks_used),
		T(code_redeem_twice_is_used),
		T(code_redeem_same_request_id_is_ok),
		T(code_redeem_mismatch_leaves_code_active),
		T(code_redeem_expired),
		T(code_redeem_checks_in_contract_order),
		T(code_redeem_unknown_person_or_no_code_not_found),
		T(code_revoke_then_redeem_is_revoked),
		T(code_revoke_used_or_expired_refused),
		T(code_revoke_without_code_not_found),
		T(code_issue_unknown_person_not_found),
		T(code_issue_same_hash_to_two_people_refused),
		T(code_each_lists_current_codes),
		T(each_after_starts_strictly_after_the_key),
		T(each_after_past_the_end_is_empty),
		T(map_full_is_reported_and_nothing_written),
		T(codes_issue_many_issues_each_with_its_event),
		T(codes_issue_many_is_all_or_nothing),
		T(codes_issue_many_map_full_writes_nothing),
		T(people_write_audited_is_one_transaction),
		T(schema_version_mismatch_refused),
		T(reopen_keeps_data),
		T(database_files_are_private),
		T(stats_counts_people),
		T(corrupt_records_are_unavailable),
		T(corrupt_code_record_is_unavailable),
		T(person_totp_fields_round_trip),
		T(totp_sealed_stored_only_when_enrolled),
		T(record_without_totp_fields_still_decodes),
		T(totp_advance_only_forwards),
		T(totp_advance_refuses_a_changed_authenticator),
		T(totp_advance_bumps_version),
		T(code_redeem_with_reset_mfa_clears_authenticator),
		T(code_redeem_without_reset_mfa_keeps_authenticator),
		T(person_record_worst_case_size_is_bounded),
		T(throttle_put_round_trips_without_a_new_version),
		T(throttle_put_conflicts_when_the_stored_one_moved),
		T(throttle_places_round_trip),
		T(person_put_keeps_the_stored_throttle),
		T(invite_issue_supersedes_previous),
		T(invite_accept_sets_names_password_and_marks_accepted),
		T(invite_accept_twice_is_used),
		T(invite_accept_after_registration_is_used),
		T(invite_accept_same_request_id_is_ok),
		T(invite_accept_mismatch_leaves_invitation_pending),
		T(invite_accept_expired),
		T(invite_issue_remembers_older_invitations),
		T(code_issue_remembers_the_codes_it_replaced),
		T(invite_accept_needs_the_verification_code),
		T(invite_accept_checks_in_contract_order),
		T(invite_accept_unknown_person_or_no_invitation_not_found),
		T(invite_accept_refuses_malformed_names),
		T(invite_revoke_then_accept_is_revoked),
		T(invite_revoke_accepted_or_expired_refused),
		T(invite_issue_unknown_person_not_found),
		T(invite_each_lists_current_invitations),
		T(invite_record_round_trips_and_survives_reopen),
		T(corrupt_invitation_record_is_unavailable),
		cmocka_unit_test(result_names_are_distinct),
		T(email_unique_in_org_any_case),
		T(pool_seats_are_claimed_and_given_back),
		T(batch_is_all_or_nothing),
		T(disabling_revokes_code_and_remove_purges),
		T(audit_ids_grow_and_page),
		T(schema_1_database_gets_email_index),
		T(schema_1_upgrade_skips_a_corrupt_record),
		T(schema_2_database_stamps_enrolled_people),
		T(person_totp_parameters_round_trip),
		T(empty_data_file_is_refused),
		T(truncated_data_file_is_refused),
		T(foreign_data_file_is_refused),
		T(database_files_others_could_write_are_refused),
		T(key_check_value_binds_the_key_file),
		T(corrupt_record_is_skipped_by_listings),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
