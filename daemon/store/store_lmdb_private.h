/* SPDX-License-Identifier: BSD-3-Clause */
/* What the files of the LMDB backend share: the store itself, the kinds
 * of per-person record, and the helpers they call in each other.  Only
 * daemon/store_lmdb*.c include it (tests/test_boundaries.sh), so no LMDB
 * type or error code leaves them.  Each helper's comment is at its
 * definition, in the file named above it here.
 *
 * The files are layered: each calls only those below it, never one
 * above or beside it (tests/test_layers.sh), bottom to top:
 *   store_lmdb_probe.c    the look at data.mdb before LMDB maps it
 *   store_lmdb_txn.c      results and LMDB's errors, keys, reads and
 *                         JSON writes,
 *                         the listing walk
 *   store_lmdb_records.c  the per-person records: a person, the e-mail
 *                         key, a record of a kind (code or invitation)
 *   store_lmdb_ids.c      the Unix ids: the counter and the index
 *   store_lmdb_audit.c    the audit log; the changes above it append
 *                         the event that records them in their own
 *                         transaction (store_audit_put)
 *   store_lmdb_codes.c, store_lmdb_invites.c, store_lmdb_groups.c
 *                         one kind of record each
 *   store_lmdb_people.c   people, and their changes that reach the
 *                         e-mail index, the seats, codes and invitations
 *   store_lmdb.c          the environment, the schema and its
 *                         migrations, the key check, the statistics
 *
 * One return convention per function, never two in one int: a helper
 * that works in a transaction returns an LMDB code (0, one of LMDB's
 * negative MDB_* codes, or a positive errno as LMDB gives them), which
 * store_fail turns into an enum store_result; one that returns an enum
 * store_result and may have an LMDB code to pass on as well gives it
 * through an int *rc (store_audit_append_txn the other way round); a
 * key is built or not (bool); -errno belongs to the calls of store.h
 * that return an int, and to the schema steps store_open runs. */
#ifndef OB_STORE_LMDB_PRIVATE_H
#define OB_STORE_LMDB_PRIVATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <json-c/json.h>
#include <lmdb.h>

#include "ob_json.h"
#include "store.h"
#include "store_record.h"

/* Compact, and argon2 hashes readable in mdb_dump: no "\/". */
#define STORE_JSON_FLAGS (JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)

/* An LMDB value as the record code sees it. */
#define STORE_SPAN(v) ((struct store_bytes){ .data = (v)->mv_data, .size = (v)->mv_size })

struct store {
	MDB_env *env;
	MDB_dbi meta;
	MDB_dbi people;
	MDB_dbi codes;
	MDB_dbi code_hashes;
	MDB_dbi invitations;
	MDB_dbi groups;
	MDB_dbi pools;
	MDB_dbi emails;
	MDB_dbi audit;
	MDB_dbi ids; /* Unix id -> holder (store_lmdb_ids.c) */
	struct store_ids idcfg;
	uint32_t schema_version;
	uint64_t people_changes; /* store_people_changes */
	char *news;              /* store_people_news: the names created */
	size_t news_len, news_size;
	bool news_reread;
};

/* Decode the record of key k, value v into out (of the type the caller
 * knows); false when it is corrupt or of an unknown format. */
typedef bool (*store_decoder)(const struct store_bytes *k, const struct store_bytes *v,
			      void *out);

/* Access codes and invitations are kept the same way: one record per
 * person, under their username, in a database of its own.  A kind says
 * which database and how its records read and write. */
struct store_kind {
	const char *db; /* its name, for messages */
	size_t dbi;     /* offsetof(struct store, <its MDB_dbi>) */
	store_decoder decode;
	struct json_object *(*encode)(const void *rec);
	/* STORE_OK while the record may still be used or revoked at now,
	 * else why not (STORE_USED, STORE_EXPIRED, ...). */
	enum store_result (*open)(const void *rec, int64_t now);
	/* Close an open record as revoked at now and write it: an LMDB code. */
	int (*revoke)(struct store *st, MDB_txn *txn, void *rec, int64_t now);
};

/* Either kind's record, read where the kind is not known in advance. */
union store_rec {
	struct access_code code;
	struct invitation invite;
};

/* The listing of one type of record: STORE_EACH(name, type, decode,
 * cleanup) defines store_walk_<name>(st, dbi, db, after, fn, ctx), which
 * walks dbi (store_walk), decodes each record into a type with decode
 * (record_*_decode) and hands it to fn, which returns non-zero to stop.
 * cleanup is the type's cleanup attribute (_cleanup_person_), or empty. */
#define STORE_EACH(name, type, decode, cleanup)					\
	struct store_each_##name {						\
		int (*fn)(const type *rec, void *ctx);				\
		void *ctx;							\
	};									\
										\
	static int store_visit_##name(const MDB_val *k, const MDB_val *v, void *arg) \
	{									\
		struct store_each_##name *e = arg;				\
		cleanup type rec;						\
										\
		if (!decode(&STORE_SPAN(k), &STORE_SPAN(v), &rec))		\
			return -1;						\
		return e->fn(&rec, e->ctx) != 0;				\
	}									\
										\
	static enum store_result store_walk_##name(struct store *st, MDB_dbi dbi, \
						   const char *db, const char *after, \
						   int (*fn)(const type *rec, void *ctx), \
						   void *ctx)			\
	{									\
		struct store_each_##name e = { .fn = fn, .ctx = ctx };		\
										\
		return store_walk(st, dbi, db, after, store_visit_##name, &e);	\
	}

/* store_lmdb_txn.c: errors, keys, writing, listing */
enum store_result store_fail(MDB_txn *txn, int rc, const char *what);
enum store_result store_commit(MDB_txn *txn, const char *what);
enum store_result store_end(MDB_txn *txn, int rc, enum store_result r, const char *what);
enum store_result store_corrupt(MDB_txn *txn, const char *db);
enum store_result store_corrupt_key(const char *db, const MDB_val *k);
/* name (1 to max bytes) as a key; false when it cannot be one. */
bool store_key_of(MDB_val *k, const char *name, size_t max);
bool store_key_username(MDB_val *k, const char *username);
enum store_result store_get_decoded(MDB_txn *txn, MDB_dbi dbi, const char *db,
				    const MDB_val *k, store_decoder decode, void *out);
enum store_result store_get_once(struct store *st, MDB_dbi dbi, const char *db,
				 const MDB_val *k, store_decoder decode, void *out, size_t size);
int store_put_json(MDB_txn *txn, MDB_dbi dbi, MDB_val *key, struct json_object *o, bool secret);
enum store_result store_cursor_begin(struct store *st, MDB_dbi dbi, MDB_txn **txn,
				     MDB_cursor **cur, const char *what);
enum store_result store_walk(struct store *st, MDB_dbi dbi, const char *db, const char *after,
			     int (*visit)(const MDB_val *k, const MDB_val *v, void *arg),
			     void *arg);

/* store_lmdb_records.c: a person, the e-mail key, records of a kind */
bool store_person_decode(const struct store_bytes *k, const struct store_bytes *v, void *out);
int store_person_write(struct store *st, MDB_txn *txn, const struct person *p, uint64_t version);
enum store_result store_person_read(struct store *st, MDB_txn *txn, const MDB_val *k,
				    struct person *out);
enum store_result store_key_begin(struct store *st, unsigned flags, const char *username,
				  MDB_val *k, MDB_txn **txn, const char *what);
bool store_redeem_args_ok(const char *request_id, const char *new_pwhash);
enum store_result store_person_begin(struct store *st, unsigned flags, const char *username,
				     MDB_val *k, MDB_txn **txn, struct person *out,
				     const char *what);
bool store_email_key(MDB_val *k, char *buf, size_t size, const char *org, const char *email);
MDB_dbi store_kind_dbi(const struct store *st, const struct store_kind *kind);
int store_rec_write(struct store *st, MDB_txn *txn, const struct store_kind *kind,
		    const char *username, const void *rec);
enum store_result store_rec_read(struct store *st, MDB_txn *txn, const struct store_kind *kind,
				 const MDB_val *k, void *out);
enum store_result store_rec_get(struct store *st, const struct store_kind *kind,
				const char *username, void *out, size_t size);
enum store_result store_rec_revoke(struct store *st, const struct store_kind *kind,
				   const char *username, int64_t now);

/* store_lmdb_ids.c: the Unix ids */
int store_id_take(struct store *st, MDB_txn *txn, enum store_id_kind kind, const char *name,
		  uint32_t *out, enum store_result *r);
int store_id_release(struct store *st, MDB_txn *txn, uint32_t id, const char *name);

/* store_lmdb_codes.c */
extern const struct store_kind store_codes_kind;
int store_hash_unindex(struct store *st, MDB_txn *txn, const struct access_code *c);
enum store_result store_code_put(struct store *st, MDB_txn *txn, const MDB_val *k,
				 const uint8_t hash[CODE_HASH_BYTES], int64_t now, int64_t expires,
				 uint32_t flags, struct access_code *out, int *rc);

/* store_lmdb_audit.c */
int store_audit_put(struct store *st, MDB_txn *txn, struct audit_event *e,
		    const struct audit_bounds *b, unsigned *pruned, enum store_result *r);

/* store_lmdb_audit.c */
int store_audit_put(struct store *st, MDB_txn *txn, struct audit_event *e,
		    const struct audit_bounds *b, unsigned *pruned, enum store_result *r);

/* store_lmdb_invites.c */
extern const struct store_kind store_invites_kind;
enum store_result store_invite_put(struct store *st, MDB_txn *txn, const MDB_val *k,
				   const uint8_t hash[CODE_HASH_BYTES],
				   const uint8_t *verification_hash, int64_t now, int64_t expires,
				   struct invitation *out, int *rc);

/* store_lmdb_groups.c: what a change of people asks of groups and pools */
enum store_result store_seats_move(struct store *st, MDB_txn *txn, const struct person *old,
				   const struct person *new, struct store_failure *fail, int *rc);
enum store_result store_groups_check(struct store *st, MDB_txn *txn, const struct person *old,
				     const struct person *new, struct store_failure *fail);

#endif
