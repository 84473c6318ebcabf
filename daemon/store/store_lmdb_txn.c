/* SPDX-License-Identifier: BSD-3-Clause */
/* The bottom of the LMDB backend: what every other store_lmdb*.c calls
 * inside or around its transactions.  The names of the results, the
 * translation of LMDB's errors into them (failing, committing, a corrupt
 * record), a username as a key, a record read and decoded, a record
 * written as JSON, and the listing walk with what it skipped.  It calls no other file of the
 * backend (store_lmdb_private.h gives the order of the files). */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/statvfs.h>
#include <sodium.h>

#include "log.h"
#include "names.h"
#include "store_lmdb_private.h"

static const char *const store_result_names[] = {
	[STORE_OK] = "ok",
	[STORE_NOT_FOUND] = "not found",
	[STORE_EXISTS] = "already exists",
	[STORE_CONFLICT] = "conflict",
	[STORE_USED] = "already used",
	[STORE_EXPIRED] = "expired",
	[STORE_REVOKED] = "revoked",
	[STORE_SUPERSEDED] = "superseded",
	[STORE_MISMATCH] = "mismatch",
	[STORE_FULL] = "full",
	[STORE_UNAVAILABLE] = "unavailable",
	[STORE_EMAIL_TAKEN] = "e-mail address taken",
	[STORE_NO_GROUP] = "no such group",
	[STORE_NO_POOL] = "no such pool",
	[STORE_POOL_FULL] = "pool full",
	[STORE_NO_ID] = "no free uid in uid_range",
};

const char *store_result_name(enum store_result r)
{
	if ((unsigned)r < sizeof(store_result_names) / sizeof(store_result_names[0]) &&
	    store_result_names[r])
		return store_result_names[r];
	return "unknown";
}

/* ------------------------------------------------------------ errors */

/* Abort txn (if any) and say what failed; a full map is the one failure
 * the caller can act on, everything else is "unavailable". */
enum store_result store_fail(MDB_txn *txn, int rc, const char *what)
{
	if (txn)
		mdb_txn_abort(txn);
	if (rc == MDB_MAP_FULL) {
		log_warnx("store: %s: the database map is full (raise db_map_size)", what);
		return STORE_FULL;
	}
	/* The file system is full: as for a full map, nothing was written
	 * (LMDB writes the meta page last) and space is what is missing, not
	 * "unavailable", which told the administrator nothing. */
	if (rc == ENOSPC || rc == EDQUOT) {
		log_warnx("store: %s: the database's file system is full: %s", what, strerror(rc));
		return STORE_FULL;
	}
	log_warnx("store: %s: %s", what, mdb_strerror(rc));
	return STORE_UNAVAILABLE;
}

/* LMDB reports a short write as EIO (mdb_page_flush picks no finer
 * code): on a file system left with less than this, a failed commit was
 * a full disk. */
#define STORE_ROOM_MIN (1024 * 1024)

static int store_short_write(MDB_env *env, int rc)
{
	const char *path;
	struct statvfs sv;

	if (rc != EIO || !env || mdb_env_get_path(env, &path) || statvfs(path, &sv) < 0)
		return rc;
	return (uint64_t)sv.f_bavail * sv.f_frsize < STORE_ROOM_MIN ? ENOSPC : rc;
}

/* A commit is durable on disk before it returns (no MDB_NOSYNC). */
enum store_result store_commit(MDB_txn *txn, const char *what)
{
	MDB_env *env = mdb_txn_env(txn);
	int rc = mdb_txn_commit(txn);

	return rc ? store_fail(NULL, store_short_write(env, rc), what) : STORE_OK;
}

/* End a write transaction by what its steps came to: given up on an
 * LMDB code rc (store_fail) or a result r other than STORE_OK (which
 * is returned), else committed. */
enum store_result store_end(MDB_txn *txn, int rc, enum store_result r, const char *what)
{
	if (rc)
		return store_fail(txn, rc, what);
	if (r != STORE_OK) {
		mdb_txn_abort(txn);
		return r;
	}
	return store_commit(txn, what);
}

enum store_result store_corrupt(MDB_txn *txn, const char *db)
{
	if (txn)
		mdb_txn_abort(txn);
	log_warnx("store: a record in \"%s\" is corrupt or of an unknown format", db);
	return STORE_UNAVAILABLE;
}

/* A key as text for a message: a corrupt record's key may be anything. */
static void store_key_text(const MDB_val *k, char *buf, size_t size)
{
	size_t n = k->mv_size < size - 1 ? k->mv_size : size - 1;
	const unsigned char *p = k->mv_data;

	for (size_t i = 0; i < n; i++)
		buf[i] = p[i] >= 0x20 && p[i] < 0x7f && p[i] != '"' ? (char)p[i] : '?';
	buf[n] = '\0';
}

/* A record of db (key k) that cannot be read, in a get: say which. */
enum store_result store_corrupt_key(const char *db, const MDB_val *k)
{
	char key[OB_USERNAME_MAX + 1];

	store_key_text(k, key, sizeof(key));
	log_warnx("store: the record of \"%s\" in \"%s\" is corrupt or of an unknown format; "
		  "restore it from backup or remove it", key, db);
	return STORE_UNAVAILABLE;
}

bool store_key_of(MDB_val *k, const char *name, size_t max)
{
	size_t n = name_length(name, max);

	if (n == 0)
		return false;
	k->mv_data = (void *)name;
	k->mv_size = n;
	return true;
}

/* A username as a key; false when it cannot name anyone. */
bool store_key_username(MDB_val *k, const char *username)
{
	return store_key_of(k, username, OB_USERNAME_MAX);
}

/* ------------------------------------------------------------ reading */

/* Read the record of key k in dbi (named db) inside txn and decode it
 * into out; out is only filled on STORE_OK.  STORE_NOT_FOUND when there
 * is none; a failed read or a record that does not decode is logged and
 * STORE_UNAVAILABLE. */
enum store_result store_get_decoded(MDB_txn *txn, MDB_dbi dbi, const char *db,
				    const MDB_val *k, store_decoder decode, void *out)
{
	MDB_val v;
	int rc;

	rc = mdb_get(txn, dbi, (MDB_val *)k, &v);
	if (rc == MDB_NOTFOUND)
		return STORE_NOT_FOUND;
	if (rc) {
		log_warnx("store: read %s: %s", db, mdb_strerror(rc));
		return STORE_UNAVAILABLE;
	}
	if (!decode(&STORE_SPAN(k), &STORE_SPAN(&v), out))
		return store_corrupt_key(db, k);
	return STORE_OK;
}

/* store_get_decoded in a read transaction of its own, out (size bytes)
 * zeroed first; k NULL for a name that cannot be a key: not found. */
enum store_result store_get_once(struct store *st, MDB_dbi dbi, const char *db,
				 const MDB_val *k, store_decoder decode, void *out, size_t size)
{
	enum store_result r;
	MDB_txn *txn;
	int rc;

	memset(out, 0, size);
	if (!k)
		return STORE_NOT_FOUND;
	rc = mdb_txn_begin(st->env, NULL, MDB_RDONLY, &txn);
	if (rc)
		return store_fail(NULL, rc, db);
	r = store_get_decoded(txn, dbi, db, k, decode, out);
	mdb_txn_abort(txn);
	return r;
}

/* ------------------------------------------------------------ encoding */

/* Put o's text under key.  secret: wipe the text once LMDB has copied it.
 * Returns an LMDB code (ENOMEM when json-c cannot print). */
int store_put_json(MDB_txn *txn, MDB_dbi dbi, MDB_val *key, struct json_object *o,
		   bool secret)
{
	const char *s;
	size_t len;
	MDB_val v;
	int rc;

	s = json_object_to_json_string_length(o, STORE_JSON_FLAGS, &len);
	if (!s)
		return ENOMEM;
	v.mv_data = (void *)s;
	v.mv_size = len;
	rc = mdb_put(txn, dbi, key, &v, 0);
	if (secret)
		sodium_memzero((char *)s, len);
	return rc;
}

/* ------------------------------------------------------------ listing */

/* A read transaction with a cursor on dbi, for a listing to walk: both
 * for the caller to close on STORE_OK, neither on anything else. */
enum store_result store_cursor_begin(struct store *st, MDB_dbi dbi, MDB_txn **txn,
				     MDB_cursor **cur, const char *what)
{
	int rc;

	rc = mdb_txn_begin(st->env, NULL, MDB_RDONLY, txn);
	if (rc)
		return store_fail(NULL, rc, what);
	rc = mdb_cursor_open(*txn, dbi, cur);
	return rc ? store_fail(*txn, rc, what) : STORE_OK;
}

/* What the calling thread's last listing skipped (store_last_skipped). */
static _Thread_local struct store_skipped store_skipped_last;

void store_last_skipped(struct store_skipped *out)
{
	*out = store_skipped_last;
}

/* A record a listing leaves out: logged with its key, and counted. */
static void store_skip(const char *db, const MDB_val *k)
{
	char key[OB_USERNAME_MAX + 1];

	store_key_text(k, key, sizeof(key));
	log_warnx("store: listing \"%s\": the record of \"%s\" is corrupt or of an unknown "
		  "format; skipped", db, key);
	if (store_skipped_last.count++ == 0)
		snprintf(store_skipped_last.first, sizeof(store_skipped_last.first), "%s", key);
}

/* Visit the records of dbi in key order in one read transaction, from
 * the first, or from the first key strictly after after (NULL or "": from
 * the first).  visit returns < 0 for a record it cannot decode (skipped,
 * logged and counted in store_skipped_last), > 0 to stop. */
enum store_result store_walk(struct store *st, MDB_dbi dbi, const char *db,
			     const char *after,
			     int (*visit)(const MDB_val *k, const MDB_val *v, void *arg),
			     void *arg)
{
	enum store_result r = STORE_OK;
	MDB_cursor *cur;
	MDB_txn *txn;
	MDB_val k, v;
	size_t n;
	int rc, stop;

	memset(&store_skipped_last, 0, sizeof(store_skipped_last));
	r = store_cursor_begin(st, dbi, &txn, &cur, db);
	if (r != STORE_OK)
		return r;
	if (after && after[0]) {
		/* Keys are usernames of at most OB_USERNAME_MAX bytes, and such
		 * a key comes after a longer one exactly when it comes after
		 * its first OB_USERNAME_MAX bytes: cut it (LMDB refuses long keys). */
		n = strnlen(after, OB_USERNAME_MAX);
		k.mv_data = (void *)after;
		k.mv_size = n;
		rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
		if (rc == 0 && k.mv_size == n && memcmp(k.mv_data, after, n) == 0)
			rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT);
	} else {
		rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST);
	}
	for (; rc == 0; rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
		stop = visit(&k, &v, arg);
		if (stop < 0) {
			/* One bad record must not hide all the others. */
			store_skip(db, &k);
			continue;
		}
		if (stop)
			break;
	}
	if (r == STORE_OK && rc != 0 && rc != MDB_NOTFOUND) {
		log_warnx("store: list %s: %s", db, mdb_strerror(rc));
		r = STORE_UNAVAILABLE;
	}
	mdb_cursor_close(cur);
	mdb_txn_abort(txn);
	return r;
}
