/* SPDX-License-Identifier: BSD-3-Clause */
/* The LMDB backend's invitations: one record per person, kept as an
 * access code is (struct store_kind, store_lmdb_records.c). */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sodium.h>

#include "log.h"
#include "store_lmdb_private.h"

/* ------------------------------------------------------------ invitations */

static bool store_invite_decode(const struct store_bytes *k, const struct store_bytes *v,
				void *out)
{
	return record_invite_decode(k, v, out);
}

static struct json_object *store_invite_encode(const void *rec)
{
	return record_invite_encode(rec);
}

static enum store_result store_invite_open(const void *rec, int64_t now);
static int store_invite_revoke_rec(struct store *st, MDB_txn *txn, void *rec, int64_t now);

const struct store_kind store_invites_kind = {
	"invitations", offsetof(struct store, invitations), store_invite_decode,
	store_invite_encode, store_invite_open, store_invite_revoke_rec,
};

static int store_invite_write(struct store *st, MDB_txn *txn, const struct invitation *inv)
{
	return store_rec_write(st, txn, &store_invites_kind, inv->username, inv);
}

static enum store_result store_invite_read(struct store *st, MDB_txn *txn, const MDB_val *k,
					   struct invitation *out)
{
	return store_rec_read(st, txn, &store_invites_kind, k, out);
}

/* Why an invitation cannot be accepted or revoked now, or STORE_OK. */
static enum store_result store_invite_closed(const struct invitation *inv, int64_t now)
{
	switch (inv->state) {
	case INVITE_ACCEPTED:
		return STORE_USED;
	case INVITE_REVOKED:
		return STORE_REVOKED;
	case INVITE_SUPERSEDED:
		return STORE_SUPERSEDED;
	case INVITE_PENDING:
		break;
	}
	return now >= inv->expires ? STORE_EXPIRED : STORE_OK;
}

/* Write a new pending invitation for the person of key k inside txn,
 * superseding a pending one; *out receives it.  STORE_OK, or
 * STORE_UNAVAILABLE with *rc an LMDB code when there is one. */
enum store_result store_invite_put(struct store *st, MDB_txn *txn, const MDB_val *k,
				   const uint8_t hash[CODE_HASH_BYTES],
				   const uint8_t *verification_hash, int64_t now,
				   int64_t expires, struct invitation *out, int *rc)
{
	struct invitation old, inv;
	enum store_result r;

	*rc = 0;
	r = store_invite_read(st, txn, k, &old);
	if (r != STORE_OK && r != STORE_NOT_FOUND)
		return r;
	memset(&inv, 0, sizeof(inv));
	inv.version = 1;
	if (r == STORE_OK) {
		if (old.version >= INT64_MAX)
			return store_corrupt(NULL, "invitations");
		inv.version = old.version + 1;
		/* Only a pending invitation is superseded: the code of an
		 * accepted, revoked or expired one keeps its own answer. */
		if (old.state == INVITE_PENDING && now < old.expires) {
			inv.has_previous = true;
			memcpy(inv.previous_hash, old.hash, CODE_HASH_BYTES);
			/* And those it had replaced, newest first. */
			if (old.has_previous)
				memcpy(inv.older[inv.nolder++], old.previous_hash, CODE_HASH_BYTES);
			for (unsigned i = 0; i < old.nolder && inv.nolder < STORE_REPLACED_MAX; i++)
				memcpy(inv.older[inv.nolder++], old.older[i], CODE_HASH_BYTES);
		}
	}
	memcpy(inv.username, k->mv_data, k->mv_size);
	memcpy(inv.hash, hash, CODE_HASH_BYTES);
	if (verification_hash) {
		inv.has_verification = true;
		memcpy(inv.verification_hash, verification_hash, CODE_HASH_BYTES);
	}
	inv.state = INVITE_PENDING;
	inv.issued = now;
	inv.expires = expires;
	*rc = store_invite_write(st, txn, &inv);
	if (*rc)
		return STORE_UNAVAILABLE;
	if (out)
		*out = inv;
	return STORE_OK;
}

enum store_result store_invite_issue(struct store *st, const char *username,
				     const uint8_t hash[CODE_HASH_BYTES],
				     const uint8_t *verification_hash, int64_t now,
				     int64_t expires, struct invitation *out)
{
	struct invitation inv;
	enum store_result r;
	MDB_txn *txn;
	MDB_val k, v;
	int rc;

	r = store_key_begin(st, 0, username, &k, &txn, "issue invitation");
	if (r != STORE_OK)
		return r;
	rc = mdb_get(txn, st->people, &k, &v);
	if (rc == MDB_NOTFOUND) {
		mdb_txn_abort(txn);
		return STORE_NOT_FOUND;
	}
	if (rc)
		return store_fail(txn, rc, "issue invitation");
	r = store_invite_put(st, txn, &k, hash, verification_hash, now, expires, &inv, &rc);
	r = store_end(txn, rc, r, "issue invitation");
	if (r == STORE_OK && out)
		*out = inv;
	return r;
}

enum store_result store_invite_get(struct store *st, const char *username,
				   struct invitation *out)
{
	return store_rec_get(st, &store_invites_kind, username, out, sizeof(*out));
}

static enum store_result store_invite_open(const void *rec, int64_t now)
{
	return store_invite_closed(rec, now);
}

static int store_invite_revoke_rec(struct store *st, MDB_txn *txn, void *rec, int64_t now)
{
	struct invitation *inv = rec;

	if (inv->version >= INT64_MAX)
		return EOVERFLOW;
	inv->state = INVITE_REVOKED;
	inv->closed = now;
	inv->version++;
	return store_invite_write(st, txn, inv);
}

enum store_result store_invite_revoke(struct store *st, const char *username, int64_t now)
{
	return store_rec_revoke(st, &store_invites_kind, username, now);
}

/* Checks in the order store.h promises.  *replay: accepted by this same
 * request earlier, and that outcome stands. */
static enum store_result store_accept_check(const struct invitation *inv,
					    const uint8_t hash[CODE_HASH_BYTES],
					    const uint8_t *verification_hash,
					    const char *request_id, int64_t now, bool *replay)
{
	uint8_t none[CODE_HASH_BYTES] = { 0 };
	bool verified;

	*replay = false;
	if (sodium_memcmp(inv->hash, hash, CODE_HASH_BYTES) != 0) {
		if (inv->has_previous &&
		    sodium_memcmp(inv->previous_hash, hash, CODE_HASH_BYTES) == 0)
			return STORE_SUPERSEDED;
		for (unsigned i = 0; i < inv->nolder && i < STORE_REPLACED_MAX; i++)
			if (sodium_memcmp(inv->older[i], hash, CODE_HASH_BYTES) == 0)
				return STORE_SUPERSEDED;
		return STORE_MISMATCH;
	}
	if (inv->has_verification) {
		/* Compared even without one given, so the time does not tell. */
		verified = sodium_memcmp(inv->verification_hash,
					 verification_hash ? verification_hash : none,
					 CODE_HASH_BYTES) == 0;
		if (!verification_hash || !verified)
			return STORE_MISMATCH;
	}
	if (inv->state == INVITE_ACCEPTED && request_id[0] &&
	    strcmp(inv->request_id, request_id) == 0) {
		*replay = true;
		return STORE_OK;
	}
	return store_invite_closed(inv, now);
}

/* A name for the person record: 1..OB_NAME_MAX bytes, no NUL inside. */
static bool store_name_ok(const char *s)
{
	size_t n = s ? strnlen(s, OB_NAME_MAX + 1) : 0;

	return n > 0 && n <= OB_NAME_MAX;
}

/* Accept the invitation and write the person, all in txn. */
static int store_accept_write(struct store *st, MDB_txn *txn, struct invitation *inv,
			      struct person *p, const char *request_id, int64_t now,
			      const char *first_name, const char *last_name,
			      const char *new_pwhash)
{
	int rc;

	if (inv->version >= INT64_MAX || p->version >= INT64_MAX)
		return EOVERFLOW;
	inv->state = INVITE_ACCEPTED;
	inv->closed = now;
	snprintf(inv->request_id, sizeof(inv->request_id), "%s", request_id);
	inv->version++;
	if ((rc = store_invite_write(st, txn, inv)))
		return rc;
	snprintf(p->first_name, sizeof(p->first_name), "%s", first_name);
	snprintf(p->last_name, sizeof(p->last_name), "%s", last_name);
	snprintf(p->pwhash, sizeof(p->pwhash), "%s", new_pwhash);
	p->password_set = now;
	p->updated = now;
	return store_person_write(st, txn, p, p->version + 1);
}

enum store_result store_invite_accept(struct store *st, const char *username,
				      const uint8_t hash[CODE_HASH_BYTES],
				      const uint8_t *verification_hash, const char *request_id,
				      int64_t now, const char *first_name, const char *last_name,
				      const char *new_pwhash, struct invitation *out,
				      struct audit_event *e, const struct audit_bounds *b)
{
	struct invitation inv;
	_cleanup_person_ struct person p;
	enum store_result r;
	MDB_txn *txn;
	MDB_val k;
	bool replay = false;
	unsigned pruned = 0;
	int rc;

	memset(&p, 0, sizeof(p));
	if (!store_redeem_args_ok(request_id, new_pwhash) || !store_name_ok(first_name) ||
	    !store_name_ok(last_name)) {
		log_warnx("store: accept invitation: malformed request id, names or password hash");
		return STORE_UNAVAILABLE;
	}
	r = store_person_begin(st, 0, username, &k, &txn, &p, "accept invitation");
	if (r != STORE_OK)
		return r;
	r = store_invite_read(st, txn, &k, &inv);
	if (r == STORE_OK)
		r = store_accept_check(&inv, hash, verification_hash, request_id, now, &replay);
	/* Registered meanwhile (an access code) or disabled: a leftover
	 * invitation must not set the password again. */
	if (r == STORE_OK && !replay && (p.pwhash[0] || (p.flags & PERSON_DISABLED)))
		r = STORE_USED;
	/* A replay writes nothing but its event, as the first time did. */
	if (r != STORE_OK || (replay && !e)) {
		mdb_txn_abort(txn);
		goto out;
	}
	rc = replay ? 0 : store_accept_write(st, txn, &inv, &p, request_id, now, first_name,
					     last_name, new_pwhash);
	/* The event that records the acceptance in its transaction: both or
	 * neither, one durable commit. */
	if (!rc && e)
		rc = store_audit_put(st, txn, e, b, &pruned, &r);
	r = store_end(txn, rc, r, "accept invitation");
out:
	if (r == STORE_OK && out)
		*out = inv;
	return r;
}

STORE_EACH(invite, struct invitation, record_invite_decode, )

enum store_result store_invite_each(struct store *st, const char *after,
				    int (*fn)(const struct invitation *inv, void *ctx),
				    void *ctx)
{
	return store_walk_invite(st, st->invitations, "invitations", after, fn, ctx);
}
