/* SPDX-License-Identifier: BSD-3-Clause */
/* The per-person records that codes, invitations and people all read
 * and write inside their transactions: the person record, the key of
 * the e-mail index, and a record of a kind (struct store_kind: an access
 * code or an invitation, one per person under their username).  Above
 * store_lmdb_txn.c, below the files of each kind. */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "log.h"
#include "store_lmdb_private.h"

/* ------------------------------------------------------------ people */

int store_person_write(struct store *st, MDB_txn *txn, const struct person *p,
		       uint64_t version)
{
	_cleanup_person_json_ struct json_object *o = record_person_encode(p, version);
	MDB_val k;

	if (!o || !store_key_username(&k, p->username))
		return EINVAL;
	return store_put_json(txn, st->people, &k, o, true);
}

/* record_person_decode as a store_decoder. */
bool store_person_decode(const struct store_bytes *k, const struct store_bytes *v,
				void *out)
{
	return record_person_decode(k, v, out);
}

/* Read and decode one record inside txn; out is only filled on STORE_OK. */
enum store_result store_person_read(struct store *st, MDB_txn *txn, const MDB_val *k,
				    struct person *out)
{
	return store_get_decoded(txn, st->people, "people", k, store_person_decode, out);
}

/* Set k to username's key and begin a transaction (flags: 0 or
 * MDB_RDONLY) in *txn, for the caller to commit or abort: STORE_OK;
 * STORE_NOT_FOUND for a name that cannot be a key, or store_fail's
 * result (what names the step in a message), with no transaction. */
enum store_result store_key_begin(struct store *st, unsigned flags, const char *username,
				  MDB_val *k, MDB_txn **txn, const char *what)
{
	int rc;

	if (!store_key_username(k, username))
		return STORE_NOT_FOUND;
	rc = mdb_txn_begin(st->env, NULL, flags, txn);
	return rc ? store_fail(NULL, rc, what) : STORE_OK;
}

/* store_key_begin, then read username's person into out: the start of
 * every change of a person, and of the login's reads.  On STORE_OK *txn
 * is the transaction, for the caller to commit or abort; on anything
 * else it is already aborted. */
enum store_result store_person_begin(struct store *st, unsigned flags, const char *username,
				     MDB_val *k, MDB_txn **txn, struct person *out,
				     const char *what)
{
	enum store_result r = store_key_begin(st, flags, username, k, txn, what);

	if (r != STORE_OK)
		return r;
	r = store_person_read(st, *txn, k, out);
	if (r != STORE_OK)
		mdb_txn_abort(*txn);
	return r;
}

/* A redemption's request id (at most REQUEST_ID_MAX bytes, "" for none)
 * and new password hash (one byte or more that fit a person's pwhash),
 * both given. */
bool store_redeem_args_ok(const char *request_id, const char *new_pwhash)
{
	size_t n;

	if (!request_id || strnlen(request_id, REQUEST_ID_MAX + 1) > REQUEST_ID_MAX || !new_pwhash)
		return false;
	n = strnlen(new_pwhash, crypto_pwhash_STRBYTES);
	return n > 0 && n < crypto_pwhash_STRBYTES;
}

/* ------------------------------------------------------------ e-mail index */

/* The index key of an address in an organisation: org, 0x1f (never in
 * an organisation name), the address in ASCII lower case.  False when
 * either does not fit (as store_key_username). */
bool store_email_key(MDB_val *k, char *buf, size_t size, const char *org, const char *email)
{
	size_t no = strnlen(org, OB_ORG_MAX + 1), ne = strnlen(email, OB_EMAIL_MAX + 1);

	if (no > OB_ORG_MAX || ne == 0 || ne > OB_EMAIL_MAX || no + ne + 2 > size)
		return false;
	memcpy(buf, org, no);
	buf[no] = 0x1f;
	for (size_t i = 0; i < ne; i++)
		buf[no + 1 + i] = email[i] >= 'A' && email[i] <= 'Z' ? (char)(email[i] - 'A' + 'a')
								    : email[i];
	k->mv_data = buf;
	k->mv_size = no + 1 + ne;
	return true;
}

/* ------------------------------------------------------------ records of a kind */

/* The database of a kind in st. */
MDB_dbi store_kind_dbi(const struct store *st, const struct store_kind *kind)
{
	return *(const MDB_dbi *)((const char *)st + kind->dbi);
}

/* Write rec, the record of username, of its kind inside txn. */
int store_rec_write(struct store *st, MDB_txn *txn, const struct store_kind *kind,
		    const char *username, const void *rec)
{
	_cleanup_json_ struct json_object *o = kind->encode(rec);
	MDB_val k;

	if (!o || !store_key_username(&k, username))
		return EINVAL;
	return store_put_json(txn, store_kind_dbi(st, kind), &k, o, false);
}

/* Read and decode the record of key k of its kind inside txn; out is
 * only filled on STORE_OK. */
enum store_result store_rec_read(struct store *st, MDB_txn *txn,
				 const struct store_kind *kind, const MDB_val *k, void *out)
{
	return store_get_decoded(txn, store_kind_dbi(st, kind), kind->db, k, kind->decode, out);
}

/* The record of username of its kind, in a read transaction of its own. */
enum store_result store_rec_get(struct store *st, const struct store_kind *kind,
				const char *username, void *out, size_t size)
{
	MDB_val k;

	return store_get_once(st, store_kind_dbi(st, kind), kind->db,
			      store_key_username(&k, username) ? &k : NULL, kind->decode, out, size);
}

/* Revoke username's open record of its kind, in one transaction. */
enum store_result store_rec_revoke(struct store *st, const struct store_kind *kind,
				   const char *username, int64_t now)
{
	union store_rec rec;
	enum store_result r;
	MDB_txn *txn;
	MDB_val k;
	int rc = 0;

	r = store_key_begin(st, 0, username, &k, &txn, kind->db);
	if (r != STORE_OK)
		return r;
	r = store_rec_read(st, txn, kind, &k, &rec);
	if (r == STORE_OK)
		r = kind->open(&rec, now);
	if (r == STORE_OK)
		rc = kind->revoke(st, txn, &rec, now);
	return store_end(txn, rc, r, kind->db);
}
