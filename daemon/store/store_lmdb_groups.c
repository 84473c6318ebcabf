/* SPDX-License-Identifier: BSD-3-Clause */
/* The LMDB backend's host groups and seat pools, and what a change of
 * people asks of them: the groups named must exist, and each pool gives
 * and takes back its seats (store_lmdb_people.c). */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "log.h"
#include "store_lmdb_private.h"

/* ------------------------------------------------------------ groups, pools */

/* A group or pool name as a key. */
static bool store_key_name(MDB_val *k, const char *name)
{
	return store_key_of(k, name, OB_GROUP_NAME_MAX);
}

/* record_group_decode and record_pool_decode as store_decoders. */
static bool store_group_decode(const struct store_bytes *k, const struct store_bytes *v,
			       void *out)
{
	return record_group_decode(k, v, out);
}

static bool store_pool_decode(const struct store_bytes *k, const struct store_bytes *v,
			      void *out)
{
	return record_pool_decode(k, v, out);
}

static enum store_result store_pool_read(struct store *st, MDB_txn *txn, const char *name,
					 struct pool *out)
{
	enum store_result r;
	MDB_val k;

	if (!store_key_name(&k, name))
		return STORE_NO_POOL;
	r = store_get_decoded(txn, st->pools, "pools", &k, store_pool_decode, out);
	return r == STORE_NOT_FOUND ? STORE_NO_POOL : r;
}

static int store_pool_write(struct store *st, MDB_txn *txn, const struct pool *p,
			    unsigned flags)
{
	_cleanup_json_ struct json_object *o = record_pool_encode(p);
	MDB_val k;
	const char *s;
	size_t len;
	MDB_val v;

	if (!o || !store_key_name(&k, p->name))
		return EINVAL;
	s = json_object_to_json_string_length(o, STORE_JSON_FLAGS, &len);
	v.mv_data = (void *)s;
	v.mv_size = len;
	return s ? mdb_put(txn, st->pools, &k, &v, flags) : ENOMEM;
}

/* Seats: claim one in every pool new names and old did not, give back
 * every one old held and new does not (old or new may be NULL). */
enum store_result store_seats_move(struct store *st, MDB_txn *txn,
				   const struct person *old, const struct person *new,
				   struct store_failure *fail, int *rc)
{
	struct pool pl;
	enum store_result r;

	*rc = 0;
	for (unsigned i = 0; old && i < old->npools; i++) {
		if (new && store_names_has(new->pools, new->npools, old->pools[i]))
			continue;
		r = store_pool_read(st, txn, old->pools[i], &pl);
		if (r == STORE_NO_POOL)
			continue; /* pools are never removed; nothing to give back */
		if (r != STORE_OK)
			return r;
		if (pl.used > 0)
			pl.used--;
		if ((*rc = store_pool_write(st, txn, &pl, 0)))
			return STORE_UNAVAILABLE;
	}
	for (unsigned i = 0; new && i < new->npools; i++) {
		if (old && store_names_has(old->pools, old->npools, new->pools[i]))
			continue;
		r = store_pool_read(st, txn, new->pools[i], &pl);
		if (r == STORE_OK && pl.used >= pl.seats)
			r = STORE_POOL_FULL;
		if (r != STORE_OK) {
			if (fail)
				snprintf(fail->what, sizeof(fail->what), "%s", new->pools[i]);
			return r;
		}
		pl.used++;
		if ((*rc = store_pool_write(st, txn, &pl, 0)))
			return STORE_UNAVAILABLE;
	}
	return STORE_OK;
}

enum store_result store_groups_check(struct store *st, MDB_txn *txn,
				     const struct person *old, const struct person *new,
				     struct store_failure *fail)
{
	MDB_val k, v;
	int rc;

	for (unsigned i = 0; i < new->ngroups; i++) {
		if (old && store_names_has(old->groups, old->ngroups, new->groups[i]))
			continue;
		rc = store_key_name(&k, new->groups[i]) ? mdb_get(txn, st->groups, &k, &v)
							 : MDB_NOTFOUND;
		if (rc == MDB_NOTFOUND) {
			if (fail)
				snprintf(fail->what, sizeof(fail->what), "%s", new->groups[i]);
			return STORE_NO_GROUP;
		}
		if (rc)
			return STORE_UNAVAILABLE;
	}
	return STORE_OK;
}

/* ------------------------------------------------------------ groups and pools */

enum store_result store_group_create(struct store *st, const struct group *g)
{
	_cleanup_json_ struct json_object *o = NULL;
	struct group fresh = *g;
	enum store_result r;
	MDB_txn *txn;
	MDB_val k, v;
	int rc;

	if (!store_key_name(&k, g->name))
		return STORE_UNAVAILABLE;
	rc = mdb_txn_begin(st->env, NULL, 0, &txn);
	if (rc)
		return store_fail(NULL, rc, "create group");
	rc = mdb_get(txn, st->groups, &k, &v);
	if (rc == 0) {
		mdb_txn_abort(txn);
		return STORE_EXISTS;
	}
	if (rc != MDB_NOTFOUND)
		return store_fail(txn, rc, "create group");
	/* Its gid comes from the people's counter: never a person's. */
	rc = store_id_take(st, txn, STORE_ID_GROUP, g->name, &fresh.gid, &r);
	if (rc)
		return store_fail(txn, rc, "create group");
	if (r != STORE_OK) {
		mdb_txn_abort(txn);
		return r;
	}
	o = record_group_encode(&fresh);
	rc = o ? store_put_json(txn, st->groups, &k, o, false) : ENOMEM;
	if (rc)
		return store_fail(txn, rc, "create group");
	return store_commit(txn, "create group");
}

enum store_result store_group_get(struct store *st, const char *name, struct group *out)
{
	MDB_val k;

	return store_get_once(st, st->groups, "groups", store_key_name(&k, name) ? &k : NULL,
			      store_group_decode, out, sizeof(*out));
}

STORE_EACH(group, struct group, record_group_decode, )

enum store_result store_group_each(struct store *st,
				   int (*fn)(const struct group *g, void *ctx), void *ctx)
{
	return store_walk_group(st, st->groups, "groups", NULL, fn, ctx);
}

enum store_result store_pool_create(struct store *st, const struct pool *p)
{
	struct pool fresh = *p;
	MDB_txn *txn;
	int rc;

	fresh.used = 0;
	rc = mdb_txn_begin(st->env, NULL, 0, &txn);
	if (rc)
		return store_fail(NULL, rc, "create pool");
	rc = store_pool_write(st, txn, &fresh, MDB_NOOVERWRITE);
	if (rc == MDB_KEYEXIST) {
		mdb_txn_abort(txn);
		return STORE_EXISTS;
	}
	if (rc)
		return store_fail(txn, rc, "create pool");
	return store_commit(txn, "create pool");
}

enum store_result store_pool_get(struct store *st, const char *name, struct pool *out)
{
	MDB_val k;

	return store_get_once(st, st->pools, "pools", store_key_name(&k, name) ? &k : NULL,
			      store_pool_decode, out, sizeof(*out));
}

STORE_EACH(pool, struct pool, record_pool_decode, )

enum store_result store_pool_each(struct store *st,
				  int (*fn)(const struct pool *p, void *ctx), void *ctx)
{
	return store_walk_pool(st, st->pools, "pools", NULL, fn, ctx);
}
