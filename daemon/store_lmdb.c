/* The LMDB storage backend, the only file that includes lmdb.h.
 *
 * Layout: named databases "meta" (schema_version), "people" (username ->
 * person), "codes" (username -> the person's current access code),
 * "code_hashes" (32-byte code hash -> username, for active codes only),
 * "invitations" (username -> the person's latest invitation), and since
 * schema 2 "groups" (name -> host group), "pools" (name -> seat pool with
 * its count of seats used), "emails" (organisation, 0x1f, lower-case
 * e-mail -> username) and "audit" (8-byte big-endian id -> event).
 * Records are small JSON objects carrying "rv" (record format) and their
 * "version" counter, so that mdb_dump shows readable text and fields can
 * be added.  Every LMDB return code is translated here: callers see only
 * enum store_result and -errno.
 *
 * The records themselves (JSON, versions, sizes) are store_record.c's. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <json-c/json.h>
#include <lmdb.h>
#include <sodium.h>

#include "log.h"
#include "store.h"
#include "store_record.h"

#define STORE_MAX_DBS 12
#define STORE_KEY_SCHEMA "schema_version"
#define STORE_KEY_CHECK "key_check" /* store_key_check */
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
	uint32_t schema_version;
	uint64_t people_changes; /* store_people_changes */
};

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
};

const char *store_result_name(enum store_result r)
{
	if ((unsigned)r < sizeof(store_result_names) / sizeof(store_result_names[0]) &&
	    store_result_names[r])
		return store_result_names[r];
	return "unknown";
}

/* ------------------------------------------------------------ errors */

/* LMDB's own codes are negative, system errors positive errno values. */
static int store_errno(int rc)
{
	if (rc >= 0)
		return -rc;
	switch (rc) {
	case MDB_MAP_FULL:
		return -ENOSPC;
	case MDB_READERS_FULL:
		return -EAGAIN;
	default:
		return -EIO;
	}
}

/* Abort txn (if any) and say what failed; a full map is the one failure
 * the caller can act on, everything else is "unavailable". */
static enum store_result store_fail(MDB_txn *txn, int rc, const char *what)
{
	if (txn)
		mdb_txn_abort(txn);
	if (rc == MDB_MAP_FULL) {
		log_warnx("store: %s: the database map is full (raise db_map_size)", what);
		return STORE_FULL;
	}
	log_warnx("store: %s: %s", what, mdb_strerror(rc));
	return STORE_UNAVAILABLE;
}

/* A commit is durable on disk before it returns (no MDB_NOSYNC). */
static enum store_result store_commit(MDB_txn *txn, const char *what)
{
	int rc = mdb_txn_commit(txn);

	return rc ? store_fail(NULL, rc, what) : STORE_OK;
}

static enum store_result store_corrupt(MDB_txn *txn, const char *db)
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
static enum store_result store_corrupt_key(const char *db, const MDB_val *k)
{
	char key[OB_USERNAME_MAX + 1];

	store_key_text(k, key, sizeof(key));
	log_warnx("store: the record of \"%s\" in \"%s\" is corrupt or of an unknown format; "
		  "restore it from backup or remove it", key, db);
	return STORE_UNAVAILABLE;
}

/* A username as a key; false when it cannot name anyone. */
static bool store_key_username(MDB_val *k, const char *username)
{
	size_t n;

	if (!username)
		return false;
	n = strnlen(username, OB_USERNAME_MAX + 1);
	if (n == 0 || n > OB_USERNAME_MAX)
		return false;
	k->mv_data = (void *)username;
	k->mv_size = n;
	return true;
}

/* ------------------------------------------------------------ encoding */

/* Put o's text under key.  secret: wipe the text once LMDB has copied it.
 * Returns an LMDB code (ENOMEM when json-c cannot print). */
static int store_put_json(MDB_txn *txn, MDB_dbi dbi, MDB_val *key, struct json_object *o,
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

static int store_person_write(struct store *st, MDB_txn *txn, const struct person *p,
			      uint64_t version)
{
	struct json_object *o = record_person_encode(p, version);
	MDB_val k;
	int rc;

	if (!o)
		return EINVAL;
	if (!store_key_username(&k, p->username)) {
		record_person_free(o);
		return EINVAL;
	}
	rc = store_put_json(txn, st->people, &k, o, true);
	record_person_free(o);
	return rc;
}

/* Access codes and invitations are kept the same way: one record per
 * person, under their username, in a database of its own.  A kind says
 * which database and how its records read and write. */
struct store_kind {
	const char *db; /* its name, for messages */
	size_t dbi;     /* offsetof(struct store, <its MDB_dbi>) */
	bool (*decode)(const struct store_bytes *k, const struct store_bytes *v, void *out);
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

static bool store_code_decode(const struct store_bytes *k, const struct store_bytes *v, void *out)
{
	return record_code_decode(k, v, out);
}

static struct json_object *store_code_encode(const void *rec)
{
	return record_code_encode(rec);
}

static bool store_invite_decode(const struct store_bytes *k, const struct store_bytes *v,
				void *out)
{
	return record_invite_decode(k, v, out);
}

static struct json_object *store_invite_encode(const void *rec)
{
	return record_invite_encode(rec);
}

static enum store_result store_code_open(const void *rec, int64_t now);
static int store_code_revoke_rec(struct store *st, MDB_txn *txn, void *rec, int64_t now);
static enum store_result store_invite_open(const void *rec, int64_t now);
static int store_invite_revoke_rec(struct store *st, MDB_txn *txn, void *rec, int64_t now);

static const struct store_kind store_codes_kind = {
	"codes", offsetof(struct store, codes), store_code_decode, store_code_encode,
	store_code_open, store_code_revoke_rec,
};
static const struct store_kind store_invites_kind = {
	"invitations", offsetof(struct store, invitations), store_invite_decode,
	store_invite_encode, store_invite_open, store_invite_revoke_rec,
};

static MDB_dbi store_kind_dbi(const struct store *st, const struct store_kind *kind)
{
	return *(const MDB_dbi *)((const char *)st + kind->dbi);
}

/* Write rec, the record of username, of its kind inside txn. */
static int store_rec_write(struct store *st, MDB_txn *txn, const struct store_kind *kind,
			   const char *username, const void *rec)
{
	struct json_object *o = kind->encode(rec);
	MDB_val k;
	int rc;

	if (!o)
		return EINVAL;
	if (!store_key_username(&k, username)) {
		json_object_put(o);
		return EINVAL;
	}
	rc = store_put_json(txn, store_kind_dbi(st, kind), &k, o, false);
	json_object_put(o);
	return rc;
}

static int store_code_write(struct store *st, MDB_txn *txn, const struct access_code *c)
{
	return store_rec_write(st, txn, &store_codes_kind, c->username, c);
}

static int store_invite_write(struct store *st, MDB_txn *txn, const struct invitation *inv)
{
	return store_rec_write(st, txn, &store_invites_kind, inv->username, inv);
}

/* ------------------------------------------------------------ decoding */

/* ------------------------------------------------------------ open */

static bool store_db_empty(MDB_txn *txn, MDB_dbi dbi, int *rc)
{
	MDB_stat ms;

	*rc = mdb_stat(txn, dbi, &ms);
	return *rc == 0 && ms.ms_entries == 0;
}

static int store_email_key(MDB_val *k, char *buf, size_t size, const char *org,
			   const char *email);

/* In a migration's write transaction: fn for every person that can be
 * read, in username order (a record that cannot be read is named and
 * left out: it fails alone, as anywhere else).  fn returns an LMDB code;
 * non-zero stops the walk.  0, or the LMDB code that stopped it. */
static int store_migrate_people(struct store *st, MDB_txn *txn,
				int (*fn)(struct store *st, MDB_txn *txn, const struct person *p,
					  void *arg),
				void *arg)
{
	MDB_val pk, pv;
	MDB_cursor *cur;
	struct person p;
	int rc;

	rc = mdb_cursor_open(txn, st->people, &cur);
	if (rc)
		return rc;
	for (rc = mdb_cursor_get(cur, &pk, &pv, MDB_FIRST); rc == 0;
	     rc = mdb_cursor_get(cur, &pk, &pv, MDB_NEXT)) {
		if (!record_person_decode(&STORE_SPAN(&pk), &STORE_SPAN(&pv), &p)) {
			store_corrupt_key("people", &pk);
			continue;
		}
		rc = fn(st, txn, &p, arg);
		sodium_memzero(&p, sizeof(p));
		if (rc)
			break;
	}
	mdb_cursor_close(cur);
	return rc == MDB_NOTFOUND ? 0 : rc;
}

/* Record that the database is now of schema version (one digit). */
static int store_schema_set(struct store *st, MDB_txn *txn, unsigned version)
{
	MDB_val k = { .mv_size = strlen(STORE_KEY_SCHEMA), .mv_data = (void *)STORE_KEY_SCHEMA };
	char digit = (char)('0' + version);
	MDB_val v = { .mv_size = 1, .mv_data = &digit };
	int rc = mdb_put(txn, st->meta, &k, &v, 0);

	if (rc)
		return store_errno(rc);
	st->schema_version = version;
	return 0;
}

/* Schema 1 had no e-mail index: build it from the people (the new
 * databases start empty).  Two people of one organisation with the same
 * address were allowed then: the first in username order keeps it in the
 * index, and the others are named in the log. */
static int store_migrate_1_person(struct store *st, MDB_txn *txn, const struct person *p,
				  void *arg)
{
	char buf[OB_ORG_MAX + OB_EMAIL_MAX + 2];
	MDB_val ek, v;
	int rc;

	(void)arg;
	if (!p->email[0] || store_email_key(&ek, buf, sizeof(buf), p->org, p->email) < 0)
		return 0;
	v.mv_data = (void *)p->username;
	v.mv_size = strlen(p->username);
	rc = mdb_put(txn, st->emails, &ek, &v, MDB_NOOVERWRITE);
	if (rc == MDB_KEYEXIST) {
		log_warnx("store: %s shares an e-mail address with another person of %s: fix it "
			  "with onboardctl user modify", p->username, p->org);
		rc = 0;
	}
	return rc;
}

static int store_migrate_1(struct store *st, MDB_txn *txn)
{
	int rc = store_migrate_people(st, txn, store_migrate_1_person, NULL);

	if (rc)
		return store_errno(rc);
	rc = store_schema_set(st, txn, 2);
	if (rc == 0)
		log_info("store: database brought from schema version 1 to 2");
	return rc;
}

/* Schema 2 kept no authenticator parameters with the person: every
 * enrolled person got the configuration's at each login.  Stamp that
 * (legacy) on each of them now, once, so that a later change of the
 * configuration no longer reaches them.  Who needs it is listed first:
 * writing while a cursor walks the same database is best left alone. */
struct store_names {
	char (*names)[OB_USERNAME_MAX + 1];
	size_t n, cap;
};

static int store_migrate_2_person(struct store *st, MDB_txn *txn, const struct person *p,
				  void *arg)
{
	struct store_names *l = arg;
	char (*more)[OB_USERNAME_MAX + 1];

	(void)st;
	(void)txn;
	if (!(p->flags & PERSON_MFA_ENROLLED) || p->totp.digits)
		return 0;
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 64;
		more = realloc(l->names, l->cap * sizeof(*l->names));
		if (!more)
			return ENOMEM;
		l->names = more;
	}
	memcpy(l->names[l->n++], p->username, sizeof(p->username));
	return 0;
}

static int store_migrate_2(struct store *st, MDB_txn *txn, const struct store_totp *legacy)
{
	static const struct store_totp defaults = { .algorithm = 0, .digits = 6, .period = 30 };
	struct store_names l = { 0 };
	MDB_val pk, pv;
	struct person p;
	int rc;

	if (!legacy)
		legacy = &defaults;
	rc = store_migrate_people(st, txn, store_migrate_2_person, &l);
	for (size_t i = 0; rc == 0 && i < l.n; i++) {
		pk.mv_data = l.names[i];
		pk.mv_size = strlen(l.names[i]);
		rc = mdb_get(txn, st->people, &pk, &pv);
		if (rc)
			break;
		if (!record_person_decode(&STORE_SPAN(&pk), &STORE_SPAN(&pv), &p)) {
			rc = MDB_CORRUPTED;
			break;
		}
		p.totp = *legacy;
		rc = store_person_write(st, txn, &p, p.version);
		sodium_memzero(&p, sizeof(p));
	}
	free(l.names);
	if (rc)
		return store_errno(rc);
	rc = store_schema_set(st, txn, 3);
	if (rc == 0)
		log_info("store: database brought from schema version 2 to 3: %zu enrolled people "
			 "keep the authenticator parameters in force now (algorithm %u, %u digits, "
			 "%u s)", l.n, (unsigned)legacy->algorithm, (unsigned)legacy->digits,
			 (unsigned)legacy->period);
	return rc;
}

/* A fresh database gets our schema version; any other is refused. */
static int store_schema_check(struct store *st, MDB_txn *txn, const struct store_totp *legacy)
{
	MDB_val k = { .mv_size = strlen(STORE_KEY_SCHEMA),
		      .mv_data = (void *)STORE_KEY_SCHEMA };
	MDB_val v;
	char buf[16];
	unsigned long n;
	char *end = buf;
	int rc, r;

	rc = mdb_get(txn, st->meta, &k, &v);
	if (rc == MDB_NOTFOUND) {
		if (!store_db_empty(txn, st->people, &rc) || !store_db_empty(txn, st->codes, &rc) ||
		    !store_db_empty(txn, st->code_hashes, &rc)) {
			if (rc)
				return store_errno(rc);
			log_warnx("store: the database holds records but no schema version");
			return -EPROTO;
		}
		v.mv_size = (size_t)snprintf(buf, sizeof(buf), "%d", STORE_SCHEMA_VERSION);
		v.mv_data = buf;
		rc = mdb_put(txn, st->meta, &k, &v, 0);
		if (rc)
			return store_errno(rc);
		st->schema_version = STORE_SCHEMA_VERSION;
		return 0;
	}
	if (rc)
		return store_errno(rc);
	n = 0;
	if (v.mv_size > 0 && v.mv_size < sizeof(buf)) {
		memcpy(buf, v.mv_data, v.mv_size);
		buf[v.mv_size] = '\0';
		errno = 0;
		if (buf[0] >= '0' && buf[0] <= '9')
			n = strtoul(buf, &end, 10);
		if (errno || *end)
			n = 0;
	}
	if (n == 1 && (r = store_migrate_1(st, txn)) < 0)
		return r;
	if (n == 1 || n == 2)
		return store_migrate_2(st, txn, legacy);
	if (n != STORE_SCHEMA_VERSION) {
		log_warnx("store: the database has schema version %lu, not %d", n,
			  STORE_SCHEMA_VERSION);
		return -EPROTO;
	}
	st->schema_version = (uint32_t)n;
	return 0;
}

static int store_open_dbs(struct store *st, const struct store_totp *legacy)
{
	MDB_txn *txn;
	int rc, r;

	rc = mdb_txn_begin(st->env, NULL, 0, &txn);
	if (rc)
		return store_errno(rc);
	if ((rc = mdb_dbi_open(txn, "meta", MDB_CREATE, &st->meta)) ||
	    (rc = mdb_dbi_open(txn, "people", MDB_CREATE, &st->people)) ||
	    (rc = mdb_dbi_open(txn, "codes", MDB_CREATE, &st->codes)) ||
	    (rc = mdb_dbi_open(txn, "code_hashes", MDB_CREATE, &st->code_hashes)) ||
	    (rc = mdb_dbi_open(txn, "invitations", MDB_CREATE, &st->invitations)) ||
	    (rc = mdb_dbi_open(txn, "groups", MDB_CREATE, &st->groups)) ||
	    (rc = mdb_dbi_open(txn, "pools", MDB_CREATE, &st->pools)) ||
	    (rc = mdb_dbi_open(txn, "emails", MDB_CREATE, &st->emails)) ||
	    (rc = mdb_dbi_open(txn, "audit", MDB_CREATE, &st->audit))) {
		mdb_txn_abort(txn);
		return store_errno(rc);
	}
	r = store_schema_check(st, txn, legacy);
	if (r < 0) {
		mdb_txn_abort(txn);
		return r;
	}
	rc = mdb_txn_commit(txn);
	return rc ? store_errno(rc) : 0;
}

/* What LMDB 0.9 keeps at the start of data.mdb, as far as the probe reads
 * it (lmdb's mdb.c: MDB_page, MDB_meta, MDB_db; the file is in this
 * build's byte order and word size, S = sizeof(size_t), which is LMDB's
 * pgno_t and txnid_t).  Pages 0 and 1 are the two meta pages: a page
 * header (page number S, padding 2, flags 2 with P_META 0x08, 4 more),
 * then the meta: magic 4, format version 4, fixed address S, map size S,
 * the free and main database records (8 + 5 S each; the free one's
 * first 4 bytes hold the page size), the last page used S and the id of
 * the transaction that wrote it S.  LMDB uses the meta with the higher
 * transaction id.  On x86-64: magic at 16, page size at 40, last page at
 * 136, transaction at 144. */
#define STORE_LMDB_MAGIC 0xBEEFC0DEu
#define STORE_LMDB_VERSION 1u
#define STORE_LMDB_P_META 0x08u
#define STORE_S sizeof(size_t)
#define STORE_PAGE_HEADER (STORE_S + 8)
#define STORE_META_FLAGS (STORE_S + 2)
#define STORE_META_MAGIC STORE_PAGE_HEADER
#define STORE_META_VERSION (STORE_PAGE_HEADER + 4)
#define STORE_META_PSIZE (STORE_PAGE_HEADER + 8 + 2 * STORE_S)
#define STORE_META_LAST_PG (STORE_META_PSIZE + 2 * (8 + 5 * STORE_S))
#define STORE_META_TXNID (STORE_META_LAST_PG + STORE_S)
#define STORE_META_END (STORE_META_TXNID + STORE_S)

struct store_meta {
	uint32_t psize;
	uint64_t last_pg;
	uint64_t txnid;
};

static ssize_t store_pread_all(int fd, uint8_t *buf, size_t len, off_t off)
{
	size_t got = 0;

	while (got < len) {
		ssize_t n = pread(fd, buf + got, len - got, off + (off_t)got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			break;
		got += (size_t)n;
	}
	return (ssize_t)got;
}

/* Decode one meta page from buf; NULL, or why it is not one. */
static const char *store_meta_parse(const uint8_t buf[STORE_META_END], struct store_meta *m)
{
	uint32_t magic, version;
	uint16_t flags;
	size_t last_pg, txnid;

	memcpy(&flags, buf + STORE_META_FLAGS, sizeof(flags));
	memcpy(&magic, buf + STORE_META_MAGIC, sizeof(magic));
	memcpy(&version, buf + STORE_META_VERSION, sizeof(version));
	memcpy(&m->psize, buf + STORE_META_PSIZE, sizeof(m->psize));
	memcpy(&last_pg, buf + STORE_META_LAST_PG, sizeof(last_pg));
	memcpy(&txnid, buf + STORE_META_TXNID, sizeof(txnid));
	m->last_pg = last_pg;
	m->txnid = txnid;
	if (magic != STORE_LMDB_MAGIC)
		return "not an LMDB database (no LMDB magic number at its start)";
	if (version != STORE_LMDB_VERSION)
		return "an LMDB database of another format version";
	if (!(flags & STORE_LMDB_P_META))
		return "an LMDB database whose meta page is damaged";
	/* LMDB's pages are powers of two from 512 bytes to 64 KiB. */
	if (m->psize < 512 || m->psize > 65536 || (m->psize & (m->psize - 1)))
		return "an LMDB database with an impossible page size";
	if (m->last_pg < 1 || m->last_pg > (uint64_t)INT64_MAX / m->psize - 1)
		return "an LMDB database with an impossible size";
	return NULL;
}

/* Whether a file of the database (st, at path) is one nobody else could
 * have written: whoever owns it, or may write to it, could go on changing
 * the database (or LMDB's reader table) under the daemon, as could
 * whoever planted it while the state directory was open to them.
 * forbidden: the mode bits it must not have.  Logs why not. */
static bool store_file_trusted(const char *path, const struct stat *st, mode_t forbidden,
			       const char *fix)
{
	mode_t mode = st->st_mode & 07777;

	if (S_ISLNK(st->st_mode)) {
		log_warnx("store: %s is a symbolic link; LMDB would follow it: %s; onboardd did "
			  "not start", path, fix);
		return false;
	}
	if (!S_ISREG(st->st_mode)) {
		log_warnx("store: %s is not a regular file; onboardd did not start", path);
		return false;
	}
	if (st->st_uid != 0 && st->st_uid != geteuid()) {
		log_warnx("store: %s is owned by uid %u, not by root%s: whoever owns it can change "
			  "the database; onboardd did not start", path, (unsigned)st->st_uid,
			  geteuid() ? " or the uid that runs onboardd" : "");
		return false;
	}
	if (mode & forbidden) {
		log_warnx("store: %s is %s by group or others (mode %04o): chmod 0600 it; "
			  "onboardd did not start", path, mode & forbidden & 022 ? "writable" : "readable",
			  (unsigned)mode);
		return false;
	}
	return true;
}

int store_probe(const char *dir)
{
	uint8_t buf[STORE_META_END];
	struct store_meta m[2];
	const char *why[2] = { NULL, NULL };
	char path[PATH_MAX];
	struct stat sb;
	uint64_t need;
	ssize_t n;
	int fd, pick, r;

	/* lock.mdb first, whether or not there is a data.mdb: LMDB opens it
	 * (creating it if missing) through any link, and keeps in it who
	 * reads which pages. */
	if (snprintf(path, sizeof(path), "%s/lock.mdb", dir) >= (int)sizeof(path))
		return -ENAMETOOLONG;
	if (lstat(path, &sb) == 0) {
		if (!store_file_trusted(path, &sb, 022,
					"remove it (LMDB makes it afresh when no onboardd runs)"))
			return -EUCLEAN;
	} else if (errno != ENOENT) {
		r = -errno;
		log_warnx("store: %s: cannot stat: %s", path, strerror(-r));
		return r;
	}
	if (snprintf(path, sizeof(path), "%s/data.mdb", dir) >= (int)sizeof(path))
		return -ENAMETOOLONG;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY);
	if (fd < 0) {
		r = -errno;
		if (r == -ENOENT)
			return 0;
		if (r == -ELOOP && lstat(path, &sb) == 0 && S_ISLNK(sb.st_mode)) {
			store_file_trusted(path, &sb, 077, "put the database itself there");
			return -EUCLEAN;
		}
		log_warnx("store: %s: cannot open: %s", path, strerror(-r));
		return r;
	}
	r = -EUCLEAN;
	if (fstat(fd, &sb) < 0) {
		r = -errno;
		log_warnx("store: %s: cannot stat: %s", path, strerror(-r));
		goto out;
	}
	/* It holds the password hashes: 0600, as LMDB made it. */
	if (!store_file_trusted(path, &sb, 077, ""))
		goto out;
	/* LMDB would take an empty file for a new database: every person
	 * would be gone without a word. */
	if (sb.st_size == 0) {
		log_warnx("store: %s is empty (0 bytes): restore it from backup (remove it only "
			  "to start a new, empty database); onboardd did not start", path);
		goto out;
	}
	n = store_pread_all(fd, buf, sizeof(buf), 0);
	if (n < 0) {
		r = (int)n;
		log_warnx("store: %s: cannot read: %s", path, strerror(-r));
		goto out;
	}
	if (n < (ssize_t)sizeof(buf) || (why[0] = store_meta_parse(buf, &m[0]))) {
		log_warnx("store: %s is %s: restore it from backup; onboardd did not start", path,
			  why[0] ? why[0] : "too short to be an LMDB database");
		goto out;
	}
	/* The second meta page, one page further. */
	n = store_pread_all(fd, buf, sizeof(buf), (off_t)m[0].psize);
	if (n < 0) {
		r = (int)n;
		log_warnx("store: %s: cannot read: %s", path, strerror(-r));
		goto out;
	}
	if (n < (ssize_t)sizeof(buf)) {
		log_warnx("store: %s is truncated (%lld bytes, less than its two meta pages): "
			  "restore it from backup; onboardd did not start",
			  path, (long long)sb.st_size);
		goto out;
	}
	why[1] = store_meta_parse(buf, &m[1]);
	if (why[1] || m[1].psize != m[0].psize) {
		log_warnx("store: %s: its second meta page is %s: restore it from backup; "
			  "onboardd did not start", path, why[1] ? why[1] : "of another page size");
		goto out;
	}
	/* Every page up to the last one used must be in the file: LMDB maps
	 * it, and a page past the end is a SIGBUS at the first touch. */
	pick = m[1].txnid > m[0].txnid;
	need = (m[pick].last_pg + 1) * m[pick].psize;
	if ((uint64_t)sb.st_size < need) {
		log_warnx("store: %s is truncated (%lld bytes; its last page used ends at %llu): "
			  "restore it from backup; onboardd did not start",
			  path, (long long)sb.st_size, (unsigned long long)need);
		goto out;
	}
	r = 1;
out:
	close(fd);
	return r;
}

int store_open(struct store **out, const char *dir, uint64_t map_size)
{
	return store_open_upgrade(out, dir, map_size, NULL);
}

int store_open_upgrade(struct store **out, const char *dir, uint64_t map_size,
		       const struct store_totp *legacy)
{
	long page = sysconf(_SC_PAGESIZE);
	struct store *st;
	int rc, r, dead;

	*out = NULL;
	if (!dir || map_size == 0 || map_size > SIZE_MAX / 2)
		return -EINVAL;
	/* LMDB maps whole pages; the file stays sparse whatever the size. */
	if (page > 0 && map_size % (uint64_t)page)
		map_size += (uint64_t)page - map_size % (uint64_t)page;
	/* Before LMDB maps it: an empty, truncated or foreign file is
	 * refused here with a reason, never opened. */
	r = store_probe(dir);
	if (r < 0)
		return r;
	st = calloc(1, sizeof(*st));
	if (!st)
		return -ENOMEM;
	rc = mdb_env_create(&st->env);
	if (rc) {
		free(st);
		return store_errno(rc);
	}
	if ((rc = mdb_env_set_maxdbs(st->env, STORE_MAX_DBS)) ||
	    (rc = mdb_env_set_mapsize(st->env, (size_t)map_size)) ||
	    (rc = mdb_env_open(st->env, dir, MDB_NOTLS, 0600))) {
		r = store_errno(rc);
		if (rc < 0) /* LMDB's own reason; the caller reports errno */
			log_warnx("store: database in %s: %s", dir, mdb_strerror(rc));
		goto fail;
	}
	/* Free reader slots left by a process that died. */
	mdb_reader_check(st->env, &dead);
	r = store_open_dbs(st, legacy);
	if (r < 0)
		goto fail;
	*out = st;
	return 0;
fail:
	mdb_env_close(st->env);
	free(st);
	return r;
}

int store_key_check(struct store *st, const uint8_t check[STORE_KEY_CHECK_BYTES])
{
	MDB_val k = { .mv_size = strlen(STORE_KEY_CHECK), .mv_data = (void *)STORE_KEY_CHECK };
	MDB_val v;
	MDB_txn *txn;
	int rc;

	rc = mdb_txn_begin(st->env, NULL, 0, &txn);
	if (rc)
		return store_errno(rc);
	rc = mdb_get(txn, st->meta, &k, &v);
	if (rc == 0) {
		bool same = v.mv_size == STORE_KEY_CHECK_BYTES &&
			    sodium_memcmp(v.mv_data, check, STORE_KEY_CHECK_BYTES) == 0;

		mdb_txn_abort(txn);
		return same ? 0 : -EKEYREJECTED;
	}
	if (rc != MDB_NOTFOUND) {
		mdb_txn_abort(txn);
		return store_errno(rc);
	}
	v.mv_data = (void *)check;
	v.mv_size = STORE_KEY_CHECK_BYTES;
	rc = mdb_put(txn, st->meta, &k, &v, 0);
	if (rc) {
		mdb_txn_abort(txn);
		return store_errno(rc);
	}
	rc = mdb_txn_commit(txn);
	return rc ? store_errno(rc) : 0;
}

void store_close(struct store *st)
{
	if (!st)
		return;
	mdb_env_close(st->env);
	free(st);
}

/* ------------------------------------------------------------ people */

/* Both go through store_people_write, which keeps the e-mail index and
 * the seats. */
enum store_result store_person_create(struct store *st, struct person *p)
{
	struct person_change c = { .op = PERSON_CREATE, .p = p };

	return store_people_write(st, &c, 1, NULL);
}

/* Read and decode one record inside txn; out is only filled on STORE_OK. */
static enum store_result store_person_read(struct store *st, MDB_txn *txn, const MDB_val *k,
					   struct person *out)
{
	MDB_val v;
	int rc;

	rc = mdb_get(txn, st->people, (MDB_val *)k, &v);
	if (rc == MDB_NOTFOUND)
		return STORE_NOT_FOUND;
	if (rc) {
		log_warnx("store: read person: %s", mdb_strerror(rc));
		return STORE_UNAVAILABLE;
	}
	if (!record_person_decode(&STORE_SPAN(k), &STORE_SPAN(&v), out))
		return store_corrupt_key("people", k);
	return STORE_OK;
}

/* Read and decode the record of key k of its kind inside txn; out is
 * only filled on STORE_OK. */
static enum store_result store_rec_read(struct store *st, MDB_txn *txn,
					const struct store_kind *kind, const MDB_val *k, void *out)
{
	MDB_val v;
	int rc;

	rc = mdb_get(txn, store_kind_dbi(st, kind), (MDB_val *)k, &v);
	if (rc == MDB_NOTFOUND)
		return STORE_NOT_FOUND;
	if (rc) {
		log_warnx("store: read %s: %s", kind->db, mdb_strerror(rc));
		return STORE_UNAVAILABLE;
	}
	if (!kind->decode(&STORE_SPAN(k), &STORE_SPAN(&v), out))
		return store_corrupt_key(kind->db, k);
	return STORE_OK;
}

static enum store_result store_code_read(struct store *st, MDB_txn *txn, const MDB_val *k,
					 struct access_code *out)
{
	return store_rec_read(st, txn, &store_codes_kind, k, out);
}

static enum store_result store_invite_read(struct store *st, MDB_txn *txn, const MDB_val *k,
					   struct invitation *out)
{
	return store_rec_read(st, txn, &store_invites_kind, k, out);
}

/* The record of username of its kind, in a read transaction of its own. */
static enum store_result store_rec_get(struct store *st, const struct store_kind *kind,
				       const char *username, void *out, size_t size)
{
	enum store_result r;
	MDB_txn *txn;
	MDB_val k;
	int rc;

	memset(out, 0, size);
	if (!store_key_username(&k, username))
		return STORE_NOT_FOUND;
	rc = mdb_txn_begin(st->env, NULL, MDB_RDONLY, &txn);
	if (rc)
		return store_fail(NULL, rc, kind->db);
	r = store_rec_read(st, txn, kind, &k, out);
	mdb_txn_abort(txn);
	return r;
}

enum store_result store_person_get(struct store *st, const char *username, struct person *out)
{
	enum store_result r;
	MDB_txn *txn;
	MDB_val k;
	int rc;

	memset(out, 0, sizeof(*out));
	if (!store_key_username(&k, username))
		return STORE_NOT_FOUND;
	rc = mdb_txn_begin(st->env, NULL, MDB_RDONLY, &txn);
	if (rc)
		return store_fail(NULL, rc, "get person");
	r = store_person_read(st, txn, &k, out);
	mdb_txn_abort(txn);
	return r;
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
	struct person p;
	enum store_result r = store_person_get(st, username, &p);

	memset(out, 0, sizeof(*out));
	if (r == STORE_OK)
		*out = p.throttle;
	sodium_memzero(&p, sizeof(p));
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
	struct person p;
	enum store_result r;
	MDB_txn *txn;
	MDB_val k;
	int rc;

	if (!store_key_username(&k, username))
		return STORE_NOT_FOUND;
	rc = mdb_txn_begin(st->env, NULL, 0, &txn);
	if (rc)
		return store_fail(NULL, rc, "write throttle");
	r = store_person_read(st, txn, &k, &p);
	if (r == STORE_OK && expected && !store_throttle_equal(&p.throttle, expected))
		r = STORE_CONFLICT;
	if (r != STORE_OK) {
		mdb_txn_abort(txn);
		goto out;
	}
	if (store_throttle_equal(&p.throttle, t)) {
		/* Nothing to change: no write, no fsync. */
		mdb_txn_abort(txn);
		goto out;
	}
	p.throttle = *t;
	/* The same version: see store.h. */
	rc = store_person_write(st, txn, &p, p.version);
	if (rc)
		r = store_fail(txn, rc, "write throttle");
	else
		r = store_commit(txn, "write throttle");
out:
	sodium_memzero(&p, sizeof(p));
	return r;
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
static enum store_result store_walk(struct store *st, MDB_dbi dbi, const char *db,
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
	rc = mdb_txn_begin(st->env, NULL, MDB_RDONLY, &txn);
	if (rc)
		return store_fail(NULL, rc, db);
	rc = mdb_cursor_open(txn, dbi, &cur);
	if (rc)
		return store_fail(txn, rc, db);
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

struct store_each_person {
	int (*fn)(const struct person *p, void *ctx);
	void *ctx;
};

static int store_visit_person(const MDB_val *k, const MDB_val *v, void *arg)
{
	struct store_each_person *e = arg;
	struct person p;
	int stop;

	if (!record_person_decode(&STORE_SPAN(k), &STORE_SPAN(v), &p))
		return -1;
	stop = e->fn(&p, e->ctx) != 0;
	sodium_memzero(&p, sizeof(p));
	return stop;
}

enum store_result store_person_each(struct store *st, const char *after,
				    int (*fn)(const struct person *p, void *ctx), void *ctx)
{
	struct store_each_person e = { .fn = fn, .ctx = ctx };

	return store_walk(st, st->people, "people", after, store_visit_person, &e);
}

/* ------------------------------------------------------------ codes */

/* Drop the index entry of an active code, if it still names this person. */
static int store_hash_unindex(struct store *st, MDB_txn *txn, const struct access_code *c)
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

enum store_result store_code_issue(struct store *st, const char *username,
				   const uint8_t hash[CODE_HASH_BYTES], int64_t now,
				   int64_t expires, uint32_t flags, struct access_code *out)
{
	struct access_code old, c;
	enum store_result r;
	MDB_txn *txn;
	MDB_val k, hk, hv;
	int rc;

	if (!store_key_username(&k, username))
		return STORE_NOT_FOUND;
	rc = mdb_txn_begin(st->env, NULL, 0, &txn);
	if (rc)
		return store_fail(NULL, rc, "issue code");
	rc = mdb_get(txn, st->people, &k, &hv);
	if (rc == MDB_NOTFOUND) {
		mdb_txn_abort(txn);
		return STORE_NOT_FOUND;
	}
	if (rc)
		return store_fail(txn, rc, "issue code");
	r = store_code_read(st, txn, &k, &old);
	if (r != STORE_OK && r != STORE_NOT_FOUND) {
		mdb_txn_abort(txn);
		return r;
	}
	memset(&c, 0, sizeof(c));
	c.version = 1;
	if (r == STORE_OK) {
		/* Only the latest record is kept: the new one replaces the old,
		 * whose hash must no longer lead anywhere. */
		if (old.version >= INT64_MAX)
			return store_corrupt(txn, "codes");
		c.version = old.version + 1;
		if (old.state == CODE_ACTIVE && (rc = store_hash_unindex(st, txn, &old)))
			return store_fail(txn, rc, "issue code");
		/* Remembered (the newest few) so that a replaced code typed
		 * later is told so; one that had already ended keeps no
		 * answer of its own. */
		if (old.state == CODE_ACTIVE && now < old.expires)
			memcpy(c.replaced[c.nreplaced++], old.hash, CODE_HASH_BYTES);
		for (unsigned i = 0; i < old.nreplaced && c.nreplaced < STORE_REPLACED_MAX; i++)
			memcpy(c.replaced[c.nreplaced++], old.replaced[i], CODE_HASH_BYTES);
	}
	memcpy(c.username, k.mv_data, k.mv_size);
	memcpy(c.hash, hash, CODE_HASH_BYTES);
	c.state = CODE_ACTIVE;
	c.flags = flags;
	c.issued = now;
	c.expires = expires;
	rc = store_code_write(st, txn, &c);
	if (rc)
		return store_fail(txn, rc, "issue code");
	hk.mv_size = CODE_HASH_BYTES;
	hk.mv_data = c.hash;
	rc = mdb_put(txn, st->code_hashes, &hk, &k, MDB_NOOVERWRITE);
	if (rc == MDB_KEYEXIST) {
		/* Two people cannot hold the same active code. */
		mdb_txn_abort(txn);
		log_warnx("store: issue code: another person holds an active code with this hash");
		return STORE_EXISTS;
	}
	if (rc)
		return store_fail(txn, rc, "issue code");
	r = store_commit(txn, "issue code");
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

/* Revoke username's open record of its kind, in one transaction. */
static enum store_result store_rec_revoke(struct store *st, const struct store_kind *kind,
					  const char *username, int64_t now)
{
	union store_rec rec;
	enum store_result r;
	MDB_txn *txn;
	MDB_val k;
	int rc;

	if (!store_key_username(&k, username))
		return STORE_NOT_FOUND;
	rc = mdb_txn_begin(st->env, NULL, 0, &txn);
	if (rc)
		return store_fail(NULL, rc, kind->db);
	r = store_rec_read(st, txn, kind, &k, &rec);
	if (r == STORE_OK)
		r = kind->open(&rec, now);
	if (r != STORE_OK) {
		mdb_txn_abort(txn);
		return r;
	}
	rc = kind->revoke(st, txn, &rec, now);
	if (rc)
		return store_fail(txn, rc, kind->db);
	return store_commit(txn, kind->db);
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
				    const char *new_pwhash, struct access_code *code_out)
{
	struct access_code c;
	struct person p;
	enum store_result r;
	MDB_txn *txn;
	MDB_val k;
	bool replay = false;
	size_t n;
	int rc;

	if (!request_id || strnlen(request_id, REQUEST_ID_MAX + 1) > REQUEST_ID_MAX ||
	    !new_pwhash || (n = strnlen(new_pwhash, sizeof(p.pwhash))) == 0 ||
	    n == sizeof(p.pwhash)) {
		log_warnx("store: redeem code: malformed request id or password hash");
		return STORE_UNAVAILABLE;
	}
	if (!store_key_username(&k, username))
		return STORE_NOT_FOUND;
	rc = mdb_txn_begin(st->env, NULL, 0, &txn);
	if (rc)
		return store_fail(NULL, rc, "redeem code");
	r = store_person_read(st, txn, &k, &p);
	if (r == STORE_OK)
		r = store_code_read(st, txn, &k, &c);
	if (r == STORE_OK)
		r = store_redeem_check(&c, hash, request_id, now, &replay);
	if (r != STORE_OK || replay) {
		mdb_txn_abort(txn);
		goto out;
	}
	rc = store_redeem_write(st, txn, &c, &p, request_id, now, new_pwhash);
	if (rc)
		r = store_fail(txn, rc, "redeem code");
	else
		r = store_commit(txn, "redeem code");
out:
	sodium_memzero(&p, sizeof(p));
	if (r == STORE_OK && code_out)
		*code_out = c;
	return r;
}

/* updated is left alone: the store has no clock, and a code accepted is
 * not an edit of the person. */
enum store_result store_totp_advance(struct store *st, const char *username,
				     const uint8_t sealed[STORE_TOTP_SEALED_BYTES], int64_t step)
{
	struct person p;
	enum store_result r;
	MDB_txn *txn;
	MDB_val k;
	int rc;

	if (!store_key_username(&k, username))
		return STORE_NOT_FOUND;
	rc = mdb_txn_begin(st->env, NULL, 0, &txn);
	if (rc)
		return store_fail(NULL, rc, "advance totp");
	r = store_person_read(st, txn, &k, &p);
	if (r == STORE_OK && (!(p.flags & PERSON_MFA_ENROLLED) || (p.flags & PERSON_DISABLED) ||
			      sodium_memcmp(p.totp_sealed, sealed, STORE_TOTP_SEALED_BYTES) != 0))
		r = STORE_CONFLICT;
	else if (r == STORE_OK && step <= p.totp_last_step)
		r = STORE_USED;
	if (r != STORE_OK) {
		mdb_txn_abort(txn);
		goto out;
	}
	if (p.version >= INT64_MAX) {
		r = store_fail(txn, EOVERFLOW, "advance totp");
		goto out;
	}
	p.totp_last_step = step;
	rc = store_person_write(st, txn, &p, p.version + 1);
	if (rc)
		r = store_fail(txn, rc, "advance totp");
	else
		r = store_commit(txn, "advance totp");
out:
	sodium_memzero(&p, sizeof(p));
	return r;
}

struct store_each_code {
	int (*fn)(const struct access_code *c, void *ctx);
	void *ctx;
};

static int store_visit_code(const MDB_val *k, const MDB_val *v, void *arg)
{
	struct store_each_code *e = arg;
	struct access_code c;

	if (!record_code_decode(&STORE_SPAN(k), &STORE_SPAN(v), &c))
		return -1;
	return e->fn(&c, e->ctx) != 0;
}

enum store_result store_code_each(struct store *st, const char *after,
				  int (*fn)(const struct access_code *c, void *ctx), void *ctx)
{
	struct store_each_code e = { .fn = fn, .ctx = ctx };

	return store_walk(st, st->codes, "codes", after, store_visit_code, &e);
}

/* ------------------------------------------------------------ invitations */



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
static enum store_result store_invite_put(struct store *st, MDB_txn *txn, const MDB_val *k,
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

	if (!store_key_username(&k, username))
		return STORE_NOT_FOUND;
	rc = mdb_txn_begin(st->env, NULL, 0, &txn);
	if (rc)
		return store_fail(NULL, rc, "issue invitation");
	rc = mdb_get(txn, st->people, &k, &v);
	if (rc == MDB_NOTFOUND) {
		mdb_txn_abort(txn);
		return STORE_NOT_FOUND;
	}
	if (rc)
		return store_fail(txn, rc, "issue invitation");
	r = store_invite_put(st, txn, &k, hash, verification_hash, now, expires, &inv, &rc);
	if (r != STORE_OK) {
		if (rc)
			return store_fail(txn, rc, "issue invitation");
		mdb_txn_abort(txn);
		return r;
	}
	r = store_commit(txn, "issue invitation");
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
				      const char *new_pwhash, struct invitation *out)
{
	struct invitation inv;
	struct person p;
	enum store_result r;
	MDB_txn *txn;
	MDB_val k;
	bool replay = false;
	size_t n;
	int rc;

	memset(&p, 0, sizeof(p));
	if (!request_id || strnlen(request_id, REQUEST_ID_MAX + 1) > REQUEST_ID_MAX ||
	    !new_pwhash || (n = strnlen(new_pwhash, sizeof(p.pwhash))) == 0 ||
	    n == sizeof(p.pwhash) || !store_name_ok(first_name) || !store_name_ok(last_name)) {
		log_warnx("store: accept invitation: malformed request id, names or password hash");
		return STORE_UNAVAILABLE;
	}
	if (!store_key_username(&k, username))
		return STORE_NOT_FOUND;
	rc = mdb_txn_begin(st->env, NULL, 0, &txn);
	if (rc)
		return store_fail(NULL, rc, "accept invitation");
	r = store_person_read(st, txn, &k, &p);
	if (r == STORE_OK)
		r = store_invite_read(st, txn, &k, &inv);
	if (r == STORE_OK)
		r = store_accept_check(&inv, hash, verification_hash, request_id, now, &replay);
	/* Registered meanwhile (an access code) or disabled: a leftover
	 * invitation must not set the password again. */
	if (r == STORE_OK && !replay && (p.pwhash[0] || (p.flags & PERSON_DISABLED)))
		r = STORE_USED;
	if (r != STORE_OK || replay) {
		mdb_txn_abort(txn);
		goto out;
	}
	rc = store_accept_write(st, txn, &inv, &p, request_id, now, first_name, last_name,
				new_pwhash);
	if (rc)
		r = store_fail(txn, rc, "accept invitation");
	else
		r = store_commit(txn, "accept invitation");
out:
	sodium_memzero(&p, sizeof(p));
	if (r == STORE_OK && out)
		*out = inv;
	return r;
}

struct store_each_invite {
	int (*fn)(const struct invitation *inv, void *ctx);
	void *ctx;
};

static int store_visit_invite(const MDB_val *k, const MDB_val *v, void *arg)
{
	struct store_each_invite *e = arg;
	struct invitation inv;

	if (!record_invite_decode(&STORE_SPAN(k), &STORE_SPAN(v), &inv))
		return -1;
	return e->fn(&inv, e->ctx) != 0;
}

enum store_result store_invite_each(struct store *st, const char *after,
				    int (*fn)(const struct invitation *inv, void *ctx),
				    void *ctx)
{
	struct store_each_invite e = { .fn = fn, .ctx = ctx };

	return store_walk(st, st->invitations, "invitations", after, store_visit_invite, &e);
}

/* ------------------------------------------------------------ stats */

enum store_result store_stats(struct store *st, struct store_stats *out)
{
	MDB_envinfo info;
	MDB_stat es, ps;
	MDB_txn *txn;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = mdb_env_info(st->env, &info)) || (rc = mdb_env_stat(st->env, &es)))
		return store_fail(NULL, rc, "stats");
	rc = mdb_txn_begin(st->env, NULL, MDB_RDONLY, &txn);
	if (rc)
		return store_fail(NULL, rc, "stats");
	rc = mdb_stat(txn, st->people, &ps);
	if (rc)
		return store_fail(txn, rc, "stats");
	mdb_txn_abort(txn);
	out->schema_version = st->schema_version;
	out->people = ps.ms_entries;
	out->map_size = info.me_mapsize;
	out->map_used = ((uint64_t)info.me_last_pgno + 1) * es.ms_psize;
	return STORE_OK;
}

/* ------------------------------------------------------------ e-mail index */

/* The index key of an address in an organisation: org, 0x1f (never in
 * an organisation name), the address in ASCII lower case.  -EINVAL when
 * either does not fit. */
static int store_email_key(MDB_val *k, char *buf, size_t size, const char *org,
			   const char *email)
{
	size_t no = strnlen(org, OB_ORG_MAX + 1), ne = strnlen(email, OB_EMAIL_MAX + 1);

	if (no > OB_ORG_MAX || ne == 0 || ne > OB_EMAIL_MAX || no + ne + 2 > size)
		return -EINVAL;
	memcpy(buf, org, no);
	buf[no] = 0x1f;
	for (size_t i = 0; i < ne; i++)
		buf[no + 1 + i] = email[i] >= 'A' && email[i] <= 'Z' ? (char)(email[i] - 'A' + 'a')
								    : email[i];
	k->mv_data = buf;
	k->mv_size = no + 1 + ne;
	return 0;
}

enum store_result store_email_find(struct store *st, const char *org, const char *email,
				   char username[OB_USERNAME_MAX + 1])
{
	char buf[OB_ORG_MAX + OB_EMAIL_MAX + 2];
	MDB_txn *txn;
	MDB_val k, v;
	int rc;

	username[0] = '\0';
	if (store_email_key(&k, buf, sizeof(buf), org, email) < 0)
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
	if (has_old && store_email_key(&ok, ob, sizeof(ob), old->org, old->email) < 0)
		has_old = false;
	if (has_new && store_email_key(&nk, nb, sizeof(nb), new->org, new->email) < 0)
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

/* ------------------------------------------------------------ groups, pools */

/* A group or pool name as a key. */
static bool store_key_name(MDB_val *k, const char *name)
{
	size_t n = name ? strnlen(name, OB_GROUP_NAME_MAX + 1) : 0;

	if (n == 0 || n > OB_GROUP_NAME_MAX)
		return false;
	k->mv_data = (void *)name;
	k->mv_size = n;
	return true;
}

static enum store_result store_pool_read(struct store *st, MDB_txn *txn, const char *name,
					 struct pool *out)
{
	MDB_val k, v;
	int rc;

	if (!store_key_name(&k, name))
		return STORE_NO_POOL;
	rc = mdb_get(txn, st->pools, &k, &v);
	if (rc == MDB_NOTFOUND)
		return STORE_NO_POOL;
	if (rc)
		return STORE_UNAVAILABLE;
	if (!record_pool_decode(&STORE_SPAN(&k), &STORE_SPAN(&v), out))
		return store_corrupt(NULL, "pools");
	return STORE_OK;
}

static int store_pool_write(struct store *st, MDB_txn *txn, const struct pool *p,
			    unsigned flags)
{
	struct json_object *o = record_pool_encode(p);
	MDB_val k;
	const char *s;
	size_t len;
	MDB_val v;
	int rc;

	if (!o)
		return EINVAL;
	if (!store_key_name(&k, p->name)) {
		json_object_put(o);
		return EINVAL;
	}
	s = json_object_to_json_string_length(o, STORE_JSON_FLAGS, &len);
	v.mv_data = (void *)s;
	v.mv_size = len;
	rc = s ? mdb_put(txn, st->pools, &k, &v, flags) : ENOMEM;
	json_object_put(o);
	return rc;
}

/* Seats: claim one in every pool new names and old did not, give back
 * every one old held and new does not (old or new may be NULL). */
static enum store_result store_seats_move(struct store *st, MDB_txn *txn,
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

static enum store_result store_groups_check(struct store *st, MDB_txn *txn,
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

/* ------------------------------------------------------------ people, in one go */

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

/* One change inside txn.  *rc carries an LMDB code when the result is
 * STORE_UNAVAILABLE because of one. */
static enum store_result store_change_one(struct store *st, MDB_txn *txn,
					  struct person_change *c, struct store_failure *fail,
					  int *rc)
{
	struct person cur;
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
		if (r == STORE_OK) {
			sodium_memzero(&cur, sizeof(cur));
			return STORE_EXISTS;
		}
	} else {
		if (r == STORE_NOT_FOUND)
			return STORE_NOT_FOUND;
		old = &cur;
		if (cur.version != p->version || cur.version >= INT64_MAX) {
			sodium_memzero(&cur, sizeof(cur));
			return STORE_CONFLICT;
		}
		p->throttle = cur.throttle;
	}
	if (c->op == PERSON_REMOVE) {
		r = store_email_move(st, txn, old, NULL, rc);
		if (r == STORE_OK)
			r = store_seats_move(st, txn, old, NULL, fail, rc);
		if (r == STORE_OK && (*rc = store_codes_close(st, txn, &k, 0, true)))
			r = STORE_UNAVAILABLE;
		if (r == STORE_OK && (*rc = mdb_del(txn, st->people, &k, NULL)))
			r = STORE_UNAVAILABLE;
		sodium_memzero(&cur, sizeof(cur));
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
	sodium_memzero(&cur, sizeof(cur));
	return r;
}

enum store_result store_people_write(struct store *st, struct person_change *c, size_t n,
				     struct store_failure *fail)
{
	enum store_result r = STORE_OK;
	MDB_txn *txn;
	size_t i;
	int rc;

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
	if (r != STORE_OK) {
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
	return STORE_OK;
}

uint64_t store_people_changes(const struct store *st)
{
	return st->people_changes;
}

/* ------------------------------------------------------------ groups and pools */

enum store_result store_group_create(struct store *st, const struct group *g)
{
	struct json_object *o = record_group_encode(g);
	MDB_txn *txn;
	MDB_val k;
	const char *s;
	size_t len;
	MDB_val v;
	int rc;

	if (!o || !store_key_name(&k, g->name)) {
		json_object_put(o);
		return STORE_UNAVAILABLE;
	}
	s = json_object_to_json_string_length(o, STORE_JSON_FLAGS, &len);
	rc = s ? mdb_txn_begin(st->env, NULL, 0, &txn) : ENOMEM;
	if (rc) {
		json_object_put(o);
		return store_fail(NULL, rc, "create group");
	}
	v.mv_data = (void *)s;
	v.mv_size = len;
	rc = mdb_put(txn, st->groups, &k, &v, MDB_NOOVERWRITE);
	json_object_put(o);
	if (rc == MDB_KEYEXIST) {
		mdb_txn_abort(txn);
		return STORE_EXISTS;
	}
	if (rc)
		return store_fail(txn, rc, "create group");
	return store_commit(txn, "create group");
}

enum store_result store_group_get(struct store *st, const char *name, struct group *out)
{
	MDB_txn *txn;
	MDB_val k, v;
	int rc;

	memset(out, 0, sizeof(*out));
	if (!store_key_name(&k, name))
		return STORE_NOT_FOUND;
	rc = mdb_txn_begin(st->env, NULL, MDB_RDONLY, &txn);
	if (rc)
		return store_fail(NULL, rc, "get group");
	rc = mdb_get(txn, st->groups, &k, &v);
	if (rc == MDB_NOTFOUND) {
		mdb_txn_abort(txn);
		return STORE_NOT_FOUND;
	}
	if (rc)
		return store_fail(txn, rc, "get group");
	if (!record_group_decode(&STORE_SPAN(&k), &STORE_SPAN(&v), out))
		return store_corrupt(txn, "groups");
	mdb_txn_abort(txn);
	return STORE_OK;
}

struct store_each_group {
	int (*fn)(const struct group *g, void *ctx);
	void *ctx;
};

static int store_visit_group(const MDB_val *k, const MDB_val *v, void *arg)
{
	struct store_each_group *e = arg;
	struct group g;

	if (!record_group_decode(&STORE_SPAN(k), &STORE_SPAN(v), &g))
		return -1;
	return e->fn(&g, e->ctx) != 0;
}

enum store_result store_group_each(struct store *st,
				   int (*fn)(const struct group *g, void *ctx), void *ctx)
{
	struct store_each_group e = { .fn = fn, .ctx = ctx };

	return store_walk(st, st->groups, "groups", NULL, store_visit_group, &e);
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
	enum store_result r;
	MDB_txn *txn;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = mdb_txn_begin(st->env, NULL, MDB_RDONLY, &txn);
	if (rc)
		return store_fail(NULL, rc, "get pool");
	r = store_pool_read(st, txn, name, out);
	mdb_txn_abort(txn);
	return r == STORE_NO_POOL ? STORE_NOT_FOUND : r;
}

struct store_each_pool {
	int (*fn)(const struct pool *p, void *ctx);
	void *ctx;
};

static int store_visit_pool(const MDB_val *k, const MDB_val *v, void *arg)
{
	struct store_each_pool *e = arg;
	struct pool p;

	if (!record_pool_decode(&STORE_SPAN(k), &STORE_SPAN(v), &p))
		return -1;
	return e->fn(&p, e->ctx) != 0;
}

enum store_result store_pool_each(struct store *st,
				  int (*fn)(const struct pool *p, void *ctx), void *ctx)
{
	struct store_each_pool e = { .fn = fn, .ctx = ctx };

	return store_walk(st, st->pools, "pools", NULL, store_visit_pool, &e);
}

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

/* One attempt: prune within b, then append. */
static int store_audit_append_txn(struct store *st, struct audit_event *e,
				  const struct audit_bounds *b, unsigned *pruned,
				  enum store_result *r)
{
	struct json_object *o;
	MDB_cursor *cur;
	MDB_txn *txn;
	MDB_val k, v;
	uint8_t key[8];
	uint64_t last = 0;
	const char *s;
	size_t len;
	int rc;

	*r = STORE_OK;
	rc = mdb_txn_begin(st->env, NULL, 0, &txn);
	if (rc)
		return rc;
	if (b && (rc = store_audit_prune(txn, st->audit, b, AUDIT_PRUNE_BATCH, pruned)))
		goto fail;
	rc = mdb_cursor_open(txn, st->audit, &cur);
	if (rc)
		goto fail;
	rc = mdb_cursor_get(cur, &k, &v, MDB_LAST);
	if (rc == 0 && k.mv_size == 8) {
		for (int i = 0; i < 8; i++)
			last = last << 8 | ((const uint8_t *)k.mv_data)[i];
	} else if (rc != MDB_NOTFOUND) {
		mdb_cursor_close(cur);
		if (!rc)
			*r = store_corrupt(txn, "audit");
		else
			mdb_txn_abort(txn);
		return rc;
	}
	mdb_cursor_close(cur);
	if (last >= INT64_MAX) {
		*r = store_corrupt(txn, "audit");
		return 0;
	}
	e->id = last + 1;
	o = record_audit_encode(e);
	s = o ? json_object_to_json_string_length(o, STORE_JSON_FLAGS, &len) : NULL;
	if (!s) {
		json_object_put(o);
		mdb_txn_abort(txn);
		log_warnx("store: refusing to write a malformed audit event");
		*r = STORE_UNAVAILABLE;
		return 0;
	}
	store_audit_key(e->id, key);
	k.mv_data = key;
	k.mv_size = sizeof(key);
	v.mv_data = (void *)s;
	v.mv_size = len;
	rc = mdb_put(txn, st->audit, &k, &v, MDB_APPEND);
	json_object_put(o);
	if (rc)
		goto fail;
	return mdb_txn_commit(txn);
fail:
	mdb_txn_abort(txn);
	return rc;
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
	rc = mdb_txn_begin(st->env, NULL, MDB_RDONLY, &txn);
	if (rc)
		return store_fail(NULL, rc, "list audit events");
	rc = mdb_cursor_open(txn, st->audit, &cur);
	if (rc)
		return store_fail(txn, rc, "list audit events");
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
