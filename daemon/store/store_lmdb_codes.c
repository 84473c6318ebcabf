/* SPDX-License-Identifier: BSD-3-Clause */
/* The LMDB backend's access codes: a record of a kind (struct
 * store_kind, read, written and revoked by store_lmdb_records.c) with an
 * index of the active codes' hashes.  Invitations, the other kind, are
 * store_lmdb_invites.c; closing both when a person is disabled or
 * purged is store_lmdb_people.c's. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sodium.h>

#include "log.h"
#include "store_lmdb_private.h"

/* ------------------------------------------------------------ codes as a kind */

static bool store_code_decode(const struct store_bytes *k, const struct store_bytes *v, void *out)
{
	return record_code_decode(k, v, out);
}

static struct json_object *store_code_encode(const void *rec)
{
	return record_code_encode(rec);
}

static enum store_result store_code_open(const void *rec, int64_t now);
static int store_code_revoke_rec(struct store *st, MDB_txn *txn, void *rec, int64_t now);

const struct store_kind store_codes_kind = {
	"codes", offsetof(struct store, codes), store_code_decode, store_code_encode,
	store_code_open, store_code_revoke_rec,
};

static int store_code_write(struct store *st, MDB_txn *txn, const struct access_code *c)
{
	return store_rec_write(st, txn, &store_codes_kind, c->username, c);
}

static enum store_result store_code_read(struct store *st, MDB_txn *txn, const MDB_val *k,
					 struct access_code *out)
{
	return store_rec_read(st, txn, &store_codes_kind, k, out);
}

/* ------------------------------------------------------------ codes */

/* Drop the index entry of an active code, if it still names this person. */
int store_hash_unindex(struct store *st, MDB_txn *txn, const struct access_code *c)
{
	MDB_val hk = { .mv_size = CODE_HASH_BYTES, .mv_data = (void *)c->hash };
	MDB_val hv;
	int rc;

	rc = mdb_get(txn, st->code_hashes, &hk, &hv);
	if (rc == MDB_NOTFOUND)
		return 0;
	if (rc)
		return rc;
	if (!record_key_matches(&STORE_SPAN(&hv), c->username))
		return 0;
	return mdb_del(txn, st->code_hashes, &hk, NULL);
}

/* Why a code cannot be used or revoked now, or STORE_OK. */
static enum store_result store_code_closed(const struct access_code *c, int64_t now)
{
	switch (c->state) {
	case CODE_USED:
		return STORE_USED;
	case CODE_REVOKED:
		return STORE_REVOKED;
	case CODE_SUPERSEDED:
		return STORE_SUPERSEDED;
	case CODE_ACTIVE:
		break;
	}
	return now >= c->expires ? STORE_EXPIRED : STORE_OK;
}

/* Issue a code to the person of key k in txn, as store_code_issue
 * describes; *rc receives an LMDB code when the result is not STORE_OK
 * and the transaction must be given up (0 for a result of the store's:
 * STORE_NOT_FOUND, STORE_EXISTS).  The transaction is never ended here. */
enum store_result store_code_put(struct store *st, MDB_txn *txn, const MDB_val *k,
				 const uint8_t hash[CODE_HASH_BYTES], int64_t now, int64_t expires,
				 uint32_t flags, struct access_code *out, int *rc)
{
	struct access_code old, c;
	enum store_result r;
	MDB_val hk, hv;

	*rc = mdb_get(txn, st->people, (MDB_val *)k, &hv);
	if (*rc == MDB_NOTFOUND) {
		*rc = 0;
		return STORE_NOT_FOUND;
	}
	if (*rc)
		return STORE_UNAVAILABLE;
	r = store_code_read(st, txn, k, &old);
	if (r != STORE_OK && r != STORE_NOT_FOUND)
		return r;
	memset(&c, 0, sizeof(c));
	c.version = 1;
	if (r == STORE_OK) {
		/* Only the latest record is kept: the new one replaces the old,
		 * whose hash must no longer lead anywhere. */
		if (old.version >= INT64_MAX)
			return store_corrupt(NULL, "codes");
		c.version = old.version + 1;
		if (old.state == CODE_ACTIVE && (*rc = store_hash_unindex(st, txn, &old)))
			return STORE_UNAVAILABLE;
		/* Remembered (the newest few) so that a replaced code typed
		 * later is told so; one that had already ended keeps no
		 * answer of its own. */
		if (old.state == CODE_ACTIVE && now < old.expires)
			memcpy(c.replaced[c.nreplaced++], old.hash, CODE_HASH_BYTES);
		for (unsigned i = 0; i < old.nreplaced && c.nreplaced < STORE_REPLACED_MAX; i++)
			memcpy(c.replaced[c.nreplaced++], old.replaced[i], CODE_HASH_BYTES);
	}
	memcpy(c.username, k->mv_data, k->mv_size);
	memcpy(c.hash, hash, CODE_HASH_BYTES);
	c.state = CODE_ACTIVE;
	c.flags = flags;
	c.issued = now;
	c.expires = expires;
	if ((*rc = store_code_write(st, txn, &c)))
		return STORE_UNAVAILABLE;
	hk.mv_size = CODE_HASH_BYTES;
	hk.mv_data = c.hash;
	*rc = mdb_put(txn, st->code_hashes, &hk, (MDB_val *)k, MDB_NOOVERWRITE);
	if (*rc == MDB_KEYEXIST) {
		/* Two people cannot hold the same active code. */
		*rc = 0;
		log_warnx("store: issue code: another person holds an active code with this hash");
		return STORE_EXISTS;
	}
	if (*rc)
		return STORE_UNAVAILABLE;
	if (out)
		*out = c;
	return STORE_OK;
}

enum store_result store_code_issue(struct store *st, const char *username,
				   const uint8_t hash[CODE_HASH_BYTES], int64_t now,
				   int64_t expires, uint32_t flags, struct access_code *out)
{
	struct access_code c;
	enum store_result r;
	MDB_txn *txn;
	MDB_val k;
	int rc;

	r = store_key_begin(st, 0, username, &k, &txn, "issue code");
	if (r != STORE_OK)
		return r;
	r = store_code_put(st, txn, &k, hash, now, expires, flags, &c, &rc);
	r = store_end(txn, rc, r, "issue code");
	if (r == STORE_OK && out)
		*out = c;
	return r;
}

enum store_result store_code_get(struct store *st, const char *username,
				 struct access_code *out)
{
	return store_rec_get(st, &store_codes_kind, username, out, sizeof(*out));
}

static enum store_result store_code_open(const void *rec, int64_t now)
{
	return store_code_closed(rec, now);
}

static int store_code_revoke_rec(struct store *st, MDB_txn *txn, void *rec, int64_t now)
{
	struct access_code *c = rec;
	int rc;

	if (c->version >= INT64_MAX)
		return EOVERFLOW;
	if ((rc = store_hash_unindex(st, txn, c)))
		return rc;
	c->state = CODE_REVOKED;
	c->closed = now;
	c->version++;
	return store_code_write(st, txn, c);
}

enum store_result store_code_revoke(struct store *st, const char *username, int64_t now)
{
	return store_rec_revoke(st, &store_codes_kind, username, now);
}

enum store_result store_code_find(struct store *st, const uint8_t hash[CODE_HASH_BYTES],
				  char username[OB_USERNAME_MAX + 1])
{
	MDB_val hk = { .mv_size = CODE_HASH_BYTES, .mv_data = (void *)hash };
	MDB_val hv;
	MDB_txn *txn;
	int rc;

	username[0] = '\0';
	rc = mdb_txn_begin(st->env, NULL, MDB_RDONLY, &txn);
	if (rc)
		return store_fail(NULL, rc, "find code");
	rc = mdb_get(txn, st->code_hashes, &hk, &hv);
	if (rc == MDB_NOTFOUND) {
		mdb_txn_abort(txn);
		return STORE_NOT_FOUND;
	}
	if (rc)
		return store_fail(txn, rc, "find code");
	if (hv.mv_size == 0 || hv.mv_size > OB_USERNAME_MAX || memchr(hv.mv_data, '\0', hv.mv_size))
		return store_corrupt(txn, "code_hashes");
	memcpy(username, hv.mv_data, hv.mv_size);
	username[hv.mv_size] = '\0';
	mdb_txn_abort(txn);
	return STORE_OK;
}

/* Checks in the order store.h promises.  *replay: the code was consumed
 * by this same request earlier, and that outcome stands. */
static enum store_result store_redeem_check(const struct access_code *c,
					    const uint8_t hash[CODE_HASH_BYTES],
					    const char *request_id, int64_t now, bool *replay)
{
	*replay = false;
	if (sodium_memcmp(c->hash, hash, CODE_HASH_BYTES) != 0)
		return STORE_MISMATCH;
	if (c->state == CODE_USED && request_id[0] && strcmp(c->request_id, request_id) == 0) {
		*replay = true;
		return STORE_OK;
	}
	return store_code_closed(c, now);
}

/* Forget the person's authenticator: they enrol again after the password. */
static void store_mfa_clear(struct person *p)
{
	p->flags &= ~PERSON_MFA_ENROLLED;
	sodium_memzero(p->totp_sealed, sizeof(p->totp_sealed));
	p->totp_last_step = 0;
	p->mfa_enrolled = 0;
	memset(&p->totp, 0, sizeof(p->totp));
}

/* Consume the code and set the password (and clear the authenticator
 * for a reset code), all in txn. */
static int store_redeem_write(struct store *st, MDB_txn *txn, struct access_code *c,
			      struct person *p, const char *request_id, int64_t now,
			      const char *new_pwhash)
{
	int rc;

	if (c->version >= INT64_MAX || p->version >= INT64_MAX)
		return EOVERFLOW;
	if ((rc = store_hash_unindex(st, txn, c)))
		return rc;
	c->state = CODE_USED;
	c->closed = now;
	snprintf(c->request_id, sizeof(c->request_id), "%s", request_id);
	c->version++;
	if ((rc = store_code_write(st, txn, c)))
		return rc;
	snprintf(p->pwhash, sizeof(p->pwhash), "%s", new_pwhash);
	p->password_set = now;
	p->updated = now;
	if (c->flags & CODE_FLAG_RESET_MFA)
		store_mfa_clear(p);
	return store_person_write(st, txn, p, p->version + 1);
}

enum store_result store_code_redeem(struct store *st, const char *username,
				    const uint8_t hash[CODE_HASH_BYTES],
				    const char *request_id, int64_t now,
				    const char *new_pwhash, struct access_code *code_out,
				    struct audit_event *e, const struct audit_bounds *b)
{
	struct access_code c;
	_cleanup_person_ struct person p;
	enum store_result r;
	MDB_txn *txn;
	MDB_val k;
	bool replay = false;
	unsigned pruned = 0;
	int rc;

	if (!store_redeem_args_ok(request_id, new_pwhash)) {
		log_warnx("store: redeem code: malformed request id or password hash");
		return STORE_UNAVAILABLE;
	}
	r = store_person_begin(st, 0, username, &k, &txn, &p, "redeem code");
	if (r != STORE_OK)
		return r;
	r = store_code_read(st, txn, &k, &c);
	if (r == STORE_OK)
		r = store_redeem_check(&c, hash, request_id, now, &replay);
	/* A replay writes nothing but its event, as the first time did. */
	if (r != STORE_OK || (replay && !e)) {
		mdb_txn_abort(txn);
		goto out;
	}
	rc = replay ? 0 : store_redeem_write(st, txn, &c, &p, request_id, now, new_pwhash);
	/* The event that records the redemption in its transaction: both or
	 * neither, and one durable commit (issue 11: there were two). */
	if (!rc && e)
		rc = store_audit_put(st, txn, e, b, &pruned, &r);
	r = store_end(txn, rc, r, "redeem code");
out:
	if (r == STORE_OK && code_out)
		*code_out = c;
	return r;
}

STORE_EACH(code, struct access_code, record_code_decode, )

enum store_result store_code_each(struct store *st, const char *after,
				  int (*fn)(const struct access_code *c, void *ctx), void *ctx)
{
	return store_walk_code(st, st->codes, "codes", after, fn, ctx);
}
