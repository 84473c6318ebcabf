/* SPDX-License-Identifier: BSD-3-Clause */
/* The LMDB backend's Unix ids: one counter for people's uids and host
 * groups' gids, and the index id -> holder that finds a record by its id
 * (GetUserRecord by uid) and keeps every id ever given, so that none is
 * given twice.
 *
 * Layout: "ids" maps a 4-byte big-endian id to one byte of kind ('u' a
 * person, 'g' a host group, '-' given once and its holder purged) and
 * the holder's name; "meta" holds "next_id", where the next search
 * begins (4 bytes, big-endian). */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "log.h"
#include "store_lmdb_private.h"

#define STORE_KEY_NEXT_ID "next_id"
#define STORE_ID_PURGED '-'

void store_ids_set(struct store *st, const struct store_ids *ids)
{
	if (ids->first == 0 || ids->first > ids->last)
		return;
	st->idcfg = *ids;
}

static void store_id_key(MDB_val *k, uint8_t buf[4], uint32_t id)
{
	buf[0] = (uint8_t)(id >> 24);
	buf[1] = (uint8_t)(id >> 16);
	buf[2] = (uint8_t)(id >> 8);
	buf[3] = (uint8_t)id;
	k->mv_data = buf;
	k->mv_size = 4;
}

static uint32_t store_id_of(const void *p)
{
	const uint8_t *b = p;

	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

/* Where the last search ended: 0 when never. */
static int store_id_next_get(struct store *st, MDB_txn *txn, uint32_t *out)
{
	MDB_val k = { .mv_size = strlen(STORE_KEY_NEXT_ID), .mv_data = (void *)STORE_KEY_NEXT_ID };
	MDB_val v;
	int rc = mdb_get(txn, st->meta, &k, &v);

	*out = 0;
	if (rc == MDB_NOTFOUND)
		return 0;
	if (rc)
		return rc;
	if (v.mv_size != 4)
		return MDB_CORRUPTED;
	*out = store_id_of(v.mv_data);
	return 0;
}

/* Whether id may be given: neither the host's nor ever given. */
static int store_id_free(struct store *st, MDB_txn *txn, uint32_t id, bool *free_)
{
	uint8_t buf[4];
	MDB_val k, v;
	int rc;

	*free_ = false;
	if (st->idcfg.host_taken && st->idcfg.host_taken(id, st->idcfg.ctx))
		return 0;
	store_id_key(&k, buf, id);
	rc = mdb_get(txn, st->ids, &k, &v);
	if (rc == MDB_NOTFOUND) {
		*free_ = true;
		return 0;
	}
	return rc;
}

/* Give name (of kind) the next free id of the range in txn: *out
 * receives it.  Returns an LMDB code; *r is STORE_NO_ID when the range
 * has none left (nothing written), else STORE_OK.  The search begins
 * where the last one ended and goes round the range once: an id skipped
 * before (the host's then) or below a range that moved is found too, and
 * one ever given is not, whatever the counter says. */
int store_id_take(struct store *st, MDB_txn *txn, enum store_id_kind kind, const char *name,
		  uint32_t *out, enum store_result *r)
{
	uint32_t first = st->idcfg.first, last = st->idcfg.last, start, id;
	uint64_t tried;
	char val[1 + STORE_ID_NAME_MAX];
	uint8_t kb[4], nb[4];
	MDB_val k, v, nk = { .mv_size = strlen(STORE_KEY_NEXT_ID),
			     .mv_data = (void *)STORE_KEY_NEXT_ID };
	size_t n = strlen(name);
	bool ok = false;
	int rc;

	*r = STORE_OK;
	*out = 0;
	if (n == 0 || n > STORE_ID_NAME_MAX)
		return EINVAL;
	rc = store_id_next_get(st, txn, &start);
	if (rc)
		return rc;
	if (start < first || start > last)
		start = first;
	id = start;
	for (tried = 0; tried <= (uint64_t)last - first; tried++) {
		rc = store_id_free(st, txn, id, &ok);
		if (rc)
			return rc;
		if (ok)
			break;
		id = id == last ? first : id + 1;
	}
	if (!ok) {
		log_warnx("store: no free uid in uid_range %u-%u for %s", first, last, name);
		*r = STORE_NO_ID;
		return 0;
	}
	val[0] = kind == STORE_ID_GROUP ? 'g' : 'u';
	memcpy(val + 1, name, n);
	store_id_key(&k, kb, id);
	v.mv_data = val;
	v.mv_size = n + 1;
	rc = mdb_put(txn, st->ids, &k, &v, MDB_NOOVERWRITE);
	if (rc)
		return rc;
	store_id_key(&v, nb, id == last ? first : id + 1);
	rc = mdb_put(txn, st->meta, &nk, &v, 0);
	if (rc)
		return rc;
	*out = id;
	return 0;
}

/* A purged holder's id stays taken, marked so: never given again. */
int store_id_release(struct store *st, MDB_txn *txn, uint32_t id, const char *name)
{
	char val[1 + STORE_ID_NAME_MAX];
	size_t n = strlen(name);
	uint8_t kb[4];
	MDB_val k, v;

	if (!id)
		return 0;
	if (n > STORE_ID_NAME_MAX)
		n = STORE_ID_NAME_MAX;
	val[0] = STORE_ID_PURGED;
	memcpy(val + 1, name, n);
	store_id_key(&k, kb, id);
	v.mv_data = val;
	v.mv_size = n + 1;
	return mdb_put(txn, st->ids, &k, &v, 0);
}

enum store_result store_id_find(struct store *st, uint32_t id, enum store_id_kind *kind,
				char name[STORE_ID_NAME_MAX + 1])
{
	enum store_result r = STORE_NOT_FOUND;
	uint8_t kb[4];
	MDB_txn *txn;
	MDB_val k, v;
	int rc;

	name[0] = '\0';
	rc = mdb_txn_begin(st->env, NULL, MDB_RDONLY, &txn);
	if (rc)
		return store_fail(NULL, rc, "find an id");
	store_id_key(&k, kb, id);
	rc = mdb_get(txn, st->ids, &k, &v);
	if (rc && rc != MDB_NOTFOUND)
		return store_fail(txn, rc, "find an id");
	if (rc == 0 && v.mv_size >= 2 && v.mv_size <= STORE_ID_NAME_MAX + 1 &&
	    !memchr(v.mv_data, '\0', v.mv_size)) {
		const char *b = v.mv_data;

		if (b[0] == 'u' || b[0] == 'g') {
			*kind = b[0] == 'u' ? STORE_ID_PERSON : STORE_ID_GROUP;
			memcpy(name, b + 1, v.mv_size - 1);
			name[v.mv_size - 1] = '\0';
			r = STORE_OK;
		}
	} else if (rc == 0) {
		r = store_corrupt_key("ids", &k);
	}
	mdb_txn_abort(txn);
	return r;
}
