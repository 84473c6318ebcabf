/* SPDX-License-Identifier: BSD-3-Clause */
/* The LMDB backend's people: the person records (with their throttle
 * and the authenticator's last step; reading and writing one is
 * store_lmdb_records.c's), the e-mail index, and the changes of people
 * in one transaction, which keep the index, the seats of the pools
 * (store_lmdb_groups.c) and the person's code and invitation
 * (store_lmdb_codes.c, store_lmdb_invites.c) in step.  The top of the
 * records: it calls the file of each kind, none of them calls it. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>

#include "log.h"
#include "store_lmdb_private.h"

/* ------------------------------------------------------------ people */

/* Both go through store_people_write, which keeps the e-mail index and
 * the seats. */
enum store_result store_person_create(struct store *st, struct person *p)
{
	struct person_change c = { .op = PERSON_CREATE, .p = p };

	return store_people_write(st, &c, 1, NULL);
}

enum store_result store_person_get(struct store *st, const char *username, struct person *out)
{
	MDB_val k;

	return store_get_once(st, st->people, "people",
			      store_key_username(&k, username) ? &k : NULL, store_person_decode,
			      out, sizeof(*out));
}

enum store_result store_person_put(struct store *st, struct person *p)
{
	struct person_change c = { .op = PERSON_UPDATE, .p = p };

	if (p->version >= INT64_MAX)
		return STORE_CONFLICT;
	return store_people_write(st, &c, 1, NULL);
}

enum store_result store_throttle_get(struct store *st, const char *username,
				     struct throttle *out)
{
	_cleanup_person_ struct person p;
	enum store_result r = store_person_get(st, username, &p);

	memset(out, 0, sizeof(*out));
	if (r == STORE_OK)
		*out = p.throttle;
	return r;
}

static bool store_throttle_equal(const struct throttle *a, const struct throttle *b)
{
	if (a->failures != b->failures || a->last_failure != b->last_failure ||
	    a->locked_until != b->locked_until || a->nplaces != b->nplaces)
		return false;
	for (unsigned i = 0; i < a->nplaces && i < THROTTLE_PLACES; i++) {
		const struct throttle_place *x = &a->places[i], *y = &b->places[i];

		if (memcmp(x->key, y->key, sizeof(x->key)) != 0 || x->failures != y->failures ||
		    x->last_failure != y->last_failure || x->locked_until != y->locked_until)
			return false;
	}
	return true;
}

enum store_result store_throttle_put(struct store *st, const char *username,
				     const struct throttle *expected, const struct throttle *t)
{
	_cleanup_person_ struct person p;
	enum store_result r;
	MDB_txn *txn;
	MDB_val k;
	int rc;

	r = store_person_begin(st, 0, username, &k, &txn, &p, "write throttle");
	if (r != STORE_OK)
		return r;
	if (expected && !store_throttle_equal(&p.throttle, expected)) {
		mdb_txn_abort(txn);
		return STORE_CONFLICT;
	}
	if (store_throttle_equal(&p.throttle, t)) {
		/* Nothing to change: no write, no fsync. */
		mdb_txn_abort(txn);
		return STORE_OK;
	}
	p.throttle = *t;
	/* The same version: see store.h. */
	rc = store_person_write(st, txn, &p, p.version);
	if (rc)
		return store_fail(txn, rc, "write throttle");
	return store_commit(txn, "write throttle");
}

STORE_EACH(person, struct person, record_person_decode, _cleanup_person_)

enum store_result store_person_each(struct store *st, const char *after,
				    int (*fn)(const struct person *p, void *ctx), void *ctx)
{
	return store_walk_person(st, st->people, "people", after, fn, ctx);
}

struct store_each_with {
	struct store_each_person e;
	const char *needle;
	size_t len;
};

static int store_visit_with(const MDB_val *k, const MDB_val *v, void *arg)
{
	struct store_each_with *w = arg;

	/* JSON writes a string's bytes as they are unless it escapes one. */
	if (v->mv_size && *(const char *)v->mv_data == '{' &&
	    !memmem(v->mv_data, v->mv_size, w->needle, w->len) &&
	    !memchr(v->mv_data, '\\', v->mv_size))
		return 0;
	return store_visit_person(k, v, &w->e);
}

enum store_result store_person_each_with(struct store *st, const char *needle,
					 int (*fn)(const struct person *p, void *ctx), void *ctx)
{
	return store_person_each_with_after(st, NULL, needle, fn, ctx);
}

enum store_result store_person_each_with_after(struct store *st, const char *after,
					       const char *needle,
					       int (*fn)(const struct person *p, void *ctx),
					       void *ctx)
{
	struct store_each_with w = { .e = { .fn = fn, .ctx = ctx }, .needle = needle,
				     .len = strlen(needle) };

	return store_walk(st, st->people, "people", after, store_visit_with, &w);
}

/* updated is left alone: the store has no clock, and a code accepted is
 * not an edit of the person. */
enum store_result store_totp_advance(struct store *st, const char *username,
				     const uint8_t sealed[STORE_TOTP_SEALED_BYTES], int64_t step)
{
	_cleanup_person_ struct person p;
	enum store_result r;
	MDB_txn *txn;
	MDB_val k;
	int rc;

	r = store_person_begin(st, 0, username, &k, &txn, &p, "advance totp");
	if (r != STORE_OK)
		return r;
	if (!(p.flags & PERSON_MFA_ENROLLED) || (p.flags & PERSON_DISABLED) ||
	    sodium_memcmp(p.totp_sealed, sealed, STORE_TOTP_SEALED_BYTES) != 0)
		r = STORE_CONFLICT;
	else if (step <= p.totp_last_step)
		r = STORE_USED;
	if (r != STORE_OK) {
		mdb_txn_abort(txn);
		return r;
	}
	if (p.version >= INT64_MAX)
		return store_fail(txn, EOVERFLOW, "advance totp");
	p.totp_last_step = step;
	rc = store_person_write(st, txn, &p, p.version + 1);
	if (rc)
		return store_fail(txn, rc, "advance totp");
	return store_commit(txn, "advance totp");
}

enum store_result store_email_find(struct store *st, const char *org, const char *email,
				   char username[OB_USERNAME_MAX + 1])
{
	char buf[OB_ORG_MAX + OB_EMAIL_MAX + 2];
	MDB_txn *txn;
	MDB_val k, v;
	int rc;

	username[0] = '\0';
	if (!store_email_key(&k, buf, sizeof(buf), org, email))
		return STORE_NOT_FOUND;
	rc = mdb_txn_begin(st->env, NULL, MDB_RDONLY, &txn);
	if (rc)
		return store_fail(NULL, rc, "find e-mail");
	rc = mdb_get(txn, st->emails, &k, &v);
	if (rc == 0 && (v.mv_size == 0 || v.mv_size > OB_USERNAME_MAX))
		return store_corrupt(txn, "emails");
	if (rc == 0) {
		memcpy(username, v.mv_data, v.mv_size);
		username[v.mv_size] = '\0';
	}
	mdb_txn_abort(txn);
	if (rc == MDB_NOTFOUND)
		return STORE_NOT_FOUND;
	return rc ? store_fail(NULL, rc, "find e-mail") : STORE_OK;
}

/* Move the index entry of one person from old (may be NULL) to new (may
 * be NULL).  STORE_EMAIL_TAKEN when new's address belongs to another. */
static enum store_result store_email_move(struct store *st, MDB_txn *txn,
					  const struct person *old, const struct person *new,
					  int *rc)
{
	char ob[OB_ORG_MAX + OB_EMAIL_MAX + 2], nb[OB_ORG_MAX + OB_EMAIL_MAX + 2];
	bool has_old = old && old->email[0], has_new = new && new->email[0];
	MDB_val ok, nk, v;

	*rc = 0;
	if (has_old && !store_email_key(&ok, ob, sizeof(ob), old->org, old->email))
		has_old = false;
	if (has_new && !store_email_key(&nk, nb, sizeof(nb), new->org, new->email))
		return STORE_UNAVAILABLE;
	if (has_old && has_new && ok.mv_size == nk.mv_size &&
	    memcmp(ok.mv_data, nk.mv_data, ok.mv_size) == 0)
		return STORE_OK;
	if (has_old) {
		*rc = mdb_get(txn, st->emails, &ok, &v);
		if (*rc == 0 && record_key_matches(&STORE_SPAN(&v), old->username))
			*rc = mdb_del(txn, st->emails, &ok, NULL);
		if (*rc == MDB_NOTFOUND)
			*rc = 0;
		if (*rc)
			return STORE_UNAVAILABLE;
	}
	if (!has_new)
		return STORE_OK;
	*rc = mdb_get(txn, st->emails, &nk, &v);
	if (*rc == 0) {
		*rc = 0;
		if (!record_key_matches(&STORE_SPAN(&v), new->username))
			return STORE_EMAIL_TAKEN;
		return STORE_OK;
	}
	if (*rc != MDB_NOTFOUND)
		return STORE_UNAVAILABLE;
	v.mv_data = (void *)new->username;
	v.mv_size = strlen(new->username);
	*rc = mdb_put(txn, st->emails, &nk, &v, 0);
	return *rc ? STORE_UNAVAILABLE : STORE_OK;
}

/* ------------------------------------------------------------ both kinds, for people's changes */

/* Close the person's active code and pending invitation at now; with
 * drop, delete the records too (a purge). */
static int store_codes_close(struct store *st, MDB_txn *txn, MDB_val *k, int64_t now, bool drop)
{
	static const struct store_kind *const kinds[] = { &store_codes_kind, &store_invites_kind };
	union store_rec rec;
	enum store_result r;
	int rc = 0;

	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]) && !rc; i++) {
		r = store_rec_read(st, txn, kinds[i], k, &rec);
		if (r == STORE_NOT_FOUND)
			continue;
		if (r != STORE_OK)
			return EIO;
		if (!drop) {
			if (kinds[i]->open(&rec, now) == STORE_OK)
				rc = kinds[i]->revoke(st, txn, &rec, now);
			continue;
		}
		/* An active code's hash must not lead to a purged person. */
		if (kinds[i] == &store_codes_kind && rec.code.state == CODE_ACTIVE)
			rc = store_hash_unindex(st, txn, &rec.code);
		if (!rc)
			rc = mdb_del(txn, store_kind_dbi(st, kinds[i]), k, NULL);
	}
	return rc;
}

/* ------------------------------------------------------------ people, in one go */

/* One change inside txn.  *rc carries an LMDB code when the result is
 * STORE_UNAVAILABLE because of one. */
static enum store_result store_change_one(struct store *st, MDB_txn *txn,
					  struct person_change *c, struct store_failure *fail,
					  int *rc)
{
	_cleanup_person_ struct person cur;
	struct person *p = c->p, *old = NULL;
	enum store_result r;
	MDB_val k;

	*rc = 0;
	if (!store_key_username(&k, p->username))
		return STORE_UNAVAILABLE;
	r = store_person_read(st, txn, &k, &cur);
	if (r != STORE_OK && r != STORE_NOT_FOUND)
		return r;
	if (c->op == PERSON_CREATE) {
		if (r == STORE_OK)
			return STORE_EXISTS;
	} else {
		if (r == STORE_NOT_FOUND)
			return STORE_NOT_FOUND;
		old = &cur;
		if (cur.version != p->version || cur.version >= INT64_MAX)
			return STORE_CONFLICT;
		p->throttle = cur.throttle;
		p->uid = cur.uid; /* given once, by the store alone */
	}
	if (c->op == PERSON_REMOVE) {
		r = store_email_move(st, txn, old, NULL, rc);
		if (r == STORE_OK)
			r = store_seats_move(st, txn, old, NULL, fail, rc);
		if (r == STORE_OK && (*rc = store_codes_close(st, txn, &k, 0, true)))
			r = STORE_UNAVAILABLE;
		if (r == STORE_OK && (*rc = mdb_del(txn, st->people, &k, NULL)))
			r = STORE_UNAVAILABLE;
		if (r == STORE_OK && (*rc = store_id_release(st, txn, old->uid, old->username)))
			r = STORE_UNAVAILABLE;
		return r;
	}
	if (c->op == PERSON_CREATE) {
		*rc = store_id_take(st, txn, STORE_ID_PERSON, p->username, &p->uid, &r);
		if (*rc)
			return STORE_UNAVAILABLE;
		if (r != STORE_OK)
			return r;
	}
	r = store_email_move(st, txn, old, p, rc);
	if (r == STORE_EMAIL_TAKEN && fail)
		snprintf(fail->what, sizeof(fail->what), "%s", p->email);
	if (r == STORE_OK)
		r = store_groups_check(st, txn, old, p, fail);
	if (r == STORE_OK)
		r = store_seats_move(st, txn, old, p, fail, rc);
	if (r == STORE_OK && (p->flags & PERSON_DISABLED) &&
	    (!old || !(old->flags & PERSON_DISABLED)) &&
	    (*rc = store_codes_close(st, txn, &k, p->updated, false)))
		r = STORE_UNAVAILABLE;
	if (r == STORE_OK && (*rc = store_person_write(st, txn, p, old ? old->version + 1 : 1)))
		r = STORE_UNAVAILABLE;
	if (r == STORE_OK && c->op == PERSON_CREATE && c->invite_hash)
		r = store_invite_put(st, txn, &k, c->invite_hash, NULL, p->created,
				     c->invite_expires, NULL, rc);
	return r;
}

/* Keep the name of a person just created for store_people_news; a
 * removal, or a name that cannot be kept, asks the reader to list them
 * all again instead (and the names are dropped: they would be read). */
static void store_people_news_add(struct store *st, const struct person_change *c)
{
	size_t n = strnlen(c->p->username, sizeof(c->p->username)), size;
	char *news;

	if (st->news_reread || c->op == PERSON_UPDATE)
		return;
	if (c->op == PERSON_REMOVE || st->news_len + n + 1 > STORE_NEWS_MAX)
		goto reread;
	if (st->news_len + n + 1 > st->news_size) {
		size = st->news_size ? st->news_size : 4096;
		while (size < st->news_len + n + 1)
			size *= 2;
		news = realloc(st->news, size);
		if (!news)
			goto reread;
		st->news = news;
		st->news_size = size;
	}
	memcpy(st->news + st->news_len, c->p->username, n);
	st->news_len += n;
	st->news[st->news_len++] = '\n';
	return;
reread:
	store_people_news_clear(st);
	st->news_reread = true;
}

enum store_result store_people_write(struct store *st, struct person_change *c, size_t n,
				     struct store_failure *fail)
{
	return store_people_write_audited(st, c, n, fail, NULL, NULL);
}

enum store_result store_people_write_audited(struct store *st, struct person_change *c, size_t n,
					     struct store_failure *fail, struct audit_event *e,
					     const struct audit_bounds *b)
{
	enum store_result r = STORE_OK;
	MDB_txn *txn;
	unsigned pruned = 0;
	size_t i;
	int rc = 0;

	if (fail)
		memset(fail, 0, sizeof(*fail));
	rc = mdb_txn_begin(st->env, NULL, 0, &txn);
	if (rc)
		return store_fail(NULL, rc, "write people");
	for (i = 0; i < n && r == STORE_OK; i++) {
		r = store_change_one(st, txn, &c[i], fail, &rc);
		if (fail)
			fail->index = i;
	}
	/* The event that records the change, in its transaction: both or
	 * neither. */
	if (r == STORE_OK && e) {
		rc = store_audit_put(st, txn, e, b, &pruned, &r);
		if (fail)
			fail->index = n;
	}
	if (r != STORE_OK || rc) {
		if (rc)
			return store_fail(txn, rc, "write people");
		mdb_txn_abort(txn);
		return r;
	}
	r = store_commit(txn, "write people");
	if (r != STORE_OK)
		return r;
	for (i = 0; i < n; i++)
		if (c[i].op != PERSON_REMOVE)
			c[i].p->version = c[i].op == PERSON_CREATE ? 1 : c[i].p->version + 1;
	for (i = 0; i < n; i++)
		if (c[i].op != PERSON_UPDATE) {
			st->people_changes++;
			break;
		}
	for (i = 0; i < n; i++)
		store_people_news_add(st, &c[i]);
	return STORE_OK;
}

uint64_t store_people_changes(const struct store *st)
{
	return st->people_changes;
}

/* ------------------------------------------------------------ codes in bulk */

enum store_result store_codes_issue_many(struct store *st, struct code_grant *g, size_t n,
					 int64_t now, int64_t expires, uint32_t flags,
					 const struct audit_bounds *b, struct store_failure *fail)
{
	enum store_result r = STORE_OK;
	MDB_txn *txn;
	MDB_val k;
	size_t i;
	int rc;

	if (fail)
		memset(fail, 0, sizeof(*fail));
	rc = mdb_txn_begin(st->env, NULL, 0, &txn);
	if (rc)
		return store_fail(NULL, rc, "issue codes");
	/* One durable commit for all of them, each code with the audit event
	 * that records it: 100,000 codes used to be 200,000 commits. */
	for (i = 0; i < n; i++) {
		unsigned pruned = 0;

		if (!store_key_username(&k, g[i].username)) {
			r = STORE_NOT_FOUND;
			break;
		}
		r = store_code_put(st, txn, &k, g[i].hash, now, expires, flags, &g[i].rec, &rc);
		if (rc || r != STORE_OK)
			break;
		rc = store_audit_put(st, txn, &g[i].event, b, &pruned, &r);
		if (rc || r != STORE_OK)
			break;
	}
	if (i < n) {
		if (fail) {
			fail->index = i;
			snprintf(fail->what, sizeof(fail->what), "%s", g[i].username);
		}
		for (size_t j = 0; j <= i && j < n; j++)
			sodium_memzero(&g[j].rec, sizeof(g[j].rec));
		if (rc)
			return store_fail(txn, rc, "issue codes");
		mdb_txn_abort(txn);
		return r;
	}
	return store_commit(txn, "issue codes");
}

void store_people_news(const struct store *st, const char **names, size_t *len, bool *reread)
{
	*names = st->news;
	*len = st->news_len;
	*reread = st->news_reread;
}

void store_people_news_clear(struct store *st)
{
	free(st->news);
	st->news = NULL;
	st->news_len = st->news_size = 0;
	st->news_reread = false;
}

struct store_each_name {
	int (*fn)(const char *name, size_t len, void *ctx);
	void *ctx;
};

static int store_visit_name(const MDB_val *k, const MDB_val *v, void *arg)
{
	struct store_each_name *e = arg;

	(void)v;
	return e->fn(k->mv_data, k->mv_size, e->ctx) != 0;
}

/* The keys alone: LMDB hands the value's place without reading it, so
 * the walk costs the tree's pages, not a decode per person. */
enum store_result store_person_names_each(struct store *st, const char *after,
					  int (*fn)(const char *name, size_t len, void *ctx),
					  void *ctx)
{
	struct store_each_name e = { .fn = fn, .ctx = ctx };

	return store_walk(st, st->people, "people", after, store_visit_name, &e);
}
