/* SPDX-License-Identifier: BSD-3-Clause */
/* The LMDB backend's audit log: events under 8-byte big-endian ids,
 * appended in order, pruned oldest first within the bounds given. */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "log.h"
#include "store_lmdb_private.h"

/* ------------------------------------------------------------ audit */

static void store_audit_key(uint64_t id, uint8_t key[8])
{
	for (int i = 7; i >= 0; i--, id >>= 8)
		key[i] = (uint8_t)id;
}

static uint64_t store_audit_bytes(const MDB_stat *ms)
{
	return (ms->ms_branch_pages + ms->ms_leaf_pages + ms->ms_overflow_pages) *
	       (uint64_t)ms->ms_psize;
}

/* Delete, oldest first, at most max events out of bounds b (NULL: any).
 * 0 or an LMDB code. */
static int store_audit_prune(MDB_txn *txn, MDB_dbi dbi, const struct audit_bounds *b,
			     unsigned max, unsigned *n)
{
	struct audit_event e;
	MDB_cursor *cur;
	MDB_stat ms;
	MDB_val k, v;
	bool over = false;
	int rc;

	if (b && b->max_bytes) {
		if ((rc = mdb_stat(txn, dbi, &ms)))
			return rc;
		over = store_audit_bytes(&ms) > b->max_bytes;
	}
	if ((rc = mdb_cursor_open(txn, dbi, &cur)))
		return rc;
	while (*n < max) {
		/* The newest event stays: the next id is the last one's + 1,
		 * and ids are never given twice. */
		if ((rc = mdb_stat(txn, dbi, &ms)) || ms.ms_entries <= 1)
			break;
		/* Over the cap, down to 7/8 of it: pruning then pauses for a
		 * while instead of running at every append. */
		if (over)
			over = store_audit_bytes(&ms) > b->max_bytes / 8 * 7;
		rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST);
		if (rc)
			break;
		/* A record that cannot be read is kept unless space is short:
		 * it may be what someone wants to look at. */
		if (b && !over &&
		    !(b->oldest && record_audit_decode(&STORE_SPAN(&v), &e) && e.time < b->oldest))
			break;
		if ((rc = mdb_cursor_del(cur, 0)))
			break;
		(*n)++;
	}
	mdb_cursor_close(cur);
	return rc == MDB_NOTFOUND ? 0 : rc;
}

/* Prune within b (NULL: no pruning), then append e with the next id, in
 * txn, which is never ended here: 0 with *r the store's result (not
 * STORE_OK: give the transaction up), or an LMDB code.  A change and the
 * events that record it go in one transaction (store_codes_issue_many). */
int store_audit_put(struct store *st, MDB_txn *txn, struct audit_event *e,
		    const struct audit_bounds *b, unsigned *pruned, enum store_result *r)
{
	_cleanup_json_ struct json_object *o = NULL;
	MDB_cursor *cur;
	MDB_val k, v;
	uint8_t key[8];
	uint64_t last = 0;
	const char *s;
	size_t len;
	int rc;

	*r = STORE_OK;
	if (b && (rc = store_audit_prune(txn, st->audit, b, AUDIT_PRUNE_BATCH, pruned)))
		return rc;
	rc = mdb_cursor_open(txn, st->audit, &cur);
	if (rc)
		return rc;
	rc = mdb_cursor_get(cur, &k, &v, MDB_LAST);
	if (rc == 0 && k.mv_size == 8) {
		for (int i = 0; i < 8; i++)
			last = last << 8 | ((const uint8_t *)k.mv_data)[i];
	} else if (rc != MDB_NOTFOUND) {
		mdb_cursor_close(cur);
		if (!rc)
			*r = store_corrupt(NULL, "audit");
		return rc;
	}
	mdb_cursor_close(cur);
	if (last >= INT64_MAX) {
		*r = store_corrupt(NULL, "audit");
		return 0;
	}
	e->id = last + 1;
	o = record_audit_encode(e);
	s = o ? json_object_to_json_string_length(o, STORE_JSON_FLAGS, &len) : NULL;
	if (!s) {
		log_warnx("store: refusing to write a malformed audit event");
		*r = STORE_UNAVAILABLE;
		return 0;
	}
	store_audit_key(e->id, key);
	k.mv_data = key;
	k.mv_size = sizeof(key);
	v.mv_data = (void *)s;
	v.mv_size = len;
	return mdb_put(txn, st->audit, &k, &v, MDB_APPEND);
}

/* One attempt: prune within b, then append, in a transaction of its own. */
static int store_audit_append_txn(struct store *st, struct audit_event *e,
				  const struct audit_bounds *b, unsigned *pruned,
				  enum store_result *r)
{
	MDB_txn *txn;
	int rc;

	*r = STORE_OK;
	rc = mdb_txn_begin(st->env, NULL, 0, &txn);
	if (rc)
		return rc;
	rc = store_audit_put(st, txn, e, b, pruned, r);
	if (rc || *r != STORE_OK) {
		mdb_txn_abort(txn);
		return rc;
	}
	return mdb_txn_commit(txn);
}

enum store_result store_audit_append_bounded(struct store *st, struct audit_event *e,
					     const struct audit_bounds *b, unsigned *pruned)
{
	enum store_result r;
	unsigned n = 0;
	int rc;

	rc = store_audit_append_txn(st, e, b, &n, &r);
	if (pruned)
		*pruned = rc || r != STORE_OK ? 0 : n;
	if (rc)
		return store_fail(NULL, rc, "append audit event");
	return r;
}

enum store_result store_audit_append(struct store *st, struct audit_event *e)
{
	return store_audit_append_bounded(st, e, NULL, NULL);
}

enum store_result store_audit_size(struct store *st, uint64_t *bytes, uint64_t *events)
{
	MDB_txn *txn;
	MDB_stat ms;
	int rc;

	rc = mdb_txn_begin(st->env, NULL, MDB_RDONLY, &txn);
	if (rc)
		return store_fail(NULL, rc, "audit size");
	rc = mdb_stat(txn, st->audit, &ms);
	mdb_txn_abort(txn);
	if (rc)
		return store_fail(NULL, rc, "audit size");
	*bytes = store_audit_bytes(&ms);
	*events = ms.ms_entries;
	return STORE_OK;
}

enum store_result store_audit_each(struct store *st, uint64_t after,
				   int (*fn)(const struct audit_event *e, void *ctx), void *ctx)
{
	enum store_result r = STORE_OK;
	struct audit_event e;
	MDB_cursor *cur;
	MDB_txn *txn;
	MDB_val k, v;
	uint8_t key[8];
	int rc;

	if (after >= INT64_MAX)
		return STORE_OK;
	r = store_cursor_begin(st, st->audit, &txn, &cur, "list audit events");
	if (r != STORE_OK)
		return r;
	store_audit_key(after + 1, key);
	k.mv_data = key;
	k.mv_size = sizeof(key);
	for (rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE); rc == 0;
	     rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
		if (!record_audit_decode(&STORE_SPAN(&v), &e)) {
			r = store_corrupt(NULL, "audit");
			break;
		}
		if (fn(&e, ctx))
			break;
	}
	if (r == STORE_OK && rc != 0 && rc != MDB_NOTFOUND) {
		log_warnx("store: list audit events: %s", mdb_strerror(rc));
		r = STORE_UNAVAILABLE;
	}
	mdb_cursor_close(cur);
	mdb_txn_abort(txn);
	return r;
}
