/* The storage interface.  It speaks in operations, not tables, so that a
 * second backend (a fleet's shared database, with LMDB as each host's
 * cache) can stand behind the same calls.  Only store_lmdb.c includes
 * lmdb.h; no LMDB type or error code leaves it.
 *
 * Every call is one transaction.  Times are seconds since the epoch and
 * always passed in: the store never reads the clock. */
#ifndef OB_STORE_H
#define OB_STORE_H

#include <stdbool.h>
#include <stdint.h>
#include <sodium.h>

#include "ob_protocol.h"

/* Version of the database layout; store_open refuses any other. */
#define STORE_SCHEMA_VERSION 1

enum store_result {
	STORE_OK = 0,
	STORE_NOT_FOUND,   /* no such person, or no code issued */
	STORE_EXISTS,      /* create of something that is already there */
	STORE_CONFLICT,    /* the version read is no longer current */
	STORE_USED,        /* code already consumed (by another request) */
	STORE_EXPIRED,     /* code past its expiry */
	STORE_REVOKED,     /* code revoked by an administrator */
	STORE_SUPERSEDED,  /* code replaced by a newer one */
	STORE_MISMATCH,    /* the code given is not this person's code */
	STORE_FULL,        /* the database map is full: nothing written */
	STORE_UNAVAILABLE, /* I/O error, corrupt record or other failure */
};

/* Short English name of a result, for logs ("expired", "full", ...). */
const char *store_result_name(enum store_result r);

#define PERSON_EXISTING_ACCOUNT 0x1u /* adopted an existing Unix account */
#define PERSON_DISABLED 0x2u
#define PERSON_MFA_ENROLLED 0x4u /* totp_sealed holds an active authenticator */

/* A TOTP secret sealed with the key file's secret_key (XSalsa20-Poly1305):
 * nonce, MAC and the 20-byte secret.  The store never sees it open. */
#define STORE_TOTP_SEALED_BYTES (24 + 16 + 20)

struct person {
	uint64_t version; /* 1 on create, +1 on each write */
	char username[OB_USERNAME_MAX + 1];
	char first_name[OB_NAME_MAX + 1];
	char last_name[OB_NAME_MAX + 1];
	char email[OB_EMAIL_MAX + 1]; /* "" when none */
	char phone[OB_PHONE_MAX + 1]; /* "" when none */
	char org[OB_ORG_MAX + 1];
	uint32_t flags;
	char pwhash[crypto_pwhash_STRBYTES]; /* "" until a password is set */
	int64_t created;
	int64_t updated;
	int64_t password_set; /* 0: never */
	/* Stored only with PERSON_MFA_ENROLLED; read back as zeros without it. */
	uint8_t totp_sealed[STORE_TOTP_SEALED_BYTES];
	int64_t totp_last_step; /* highest TOTP time step accepted: replay watermark */
	int64_t mfa_enrolled;   /* when the authenticator became active; 0: never */
};

#define CODE_HASH_BYTES 32
#define REQUEST_ID_MAX 32 /* hex characters */

enum code_state {
	CODE_ACTIVE = 1,
	CODE_USED,
	CODE_REVOKED,
	CODE_SUPERSEDED,
};

#define CODE_FLAG_RESET_MFA 0x1u

/* A person's current access code (only the latest is kept). */
struct access_code {
	uint64_t version;
	char username[OB_USERNAME_MAX + 1];
	uint8_t hash[CODE_HASH_BYTES]; /* keyed BLAKE2b of the canonical code */
	enum code_state state;
	uint32_t flags;
	int64_t issued;
	int64_t expires;
	int64_t closed; /* when used, revoked or superseded; 0 while active */
	char request_id[REQUEST_ID_MAX + 1]; /* of the consuming request */
};

struct store_stats {
	uint32_t schema_version;
	uint64_t people;
	uint64_t map_size;  /* bytes */
	uint64_t map_used;  /* bytes in use */
};

struct store;

/* Open (creating if needed) the database in directory dir with a map of
 * map_size bytes.  Returns 0, or -errno: -EPROTO for a database of another
 * schema version, -EACCES, -ENOSPC, -ENOMEM, -EIO. */
int store_open(struct store **out, const char *dir, uint64_t map_size);
void store_close(struct store *st);

/* STORE_OK (p->version set to 1), STORE_EXISTS, STORE_FULL, STORE_UNAVAILABLE. */
enum store_result store_person_create(struct store *st, struct person *p);

/* STORE_OK, STORE_NOT_FOUND, STORE_UNAVAILABLE. */
enum store_result store_person_get(struct store *st, const char *username, struct person *out);

/* Write p only if the stored version is still p->version; on STORE_OK
 * p->version is the new version.  STORE_OK, STORE_CONFLICT,
 * STORE_NOT_FOUND, STORE_FULL, STORE_UNAVAILABLE. */
enum store_result store_person_put(struct store *st, struct person *p);

/* Call fn for every person in username order, in one read transaction;
 * fn returns 0 to go on, non-zero to stop.  With after neither NULL nor
 * "", start at the first username strictly after it (which need not
 * exist): pages resume from the last username of the previous one.
 * STORE_OK or STORE_UNAVAILABLE. */
enum store_result store_person_each(struct store *st, const char *after,
				    int (*fn)(const struct person *p, void *ctx), void *ctx);

/* Issue a code to username: in one transaction, an active previous code
 * becomes CODE_SUPERSEDED (closed = now) and the new one (CODE_ACTIVE,
 * issued = now) is stored.  *out receives the new record.
 * STORE_OK, STORE_NOT_FOUND (no such person), STORE_EXISTS (another
 * person's active code has this hash: draw a new code), STORE_FULL,
 * STORE_UNAVAILABLE. */
enum store_result store_code_issue(struct store *st, const char *username,
				   const uint8_t hash[CODE_HASH_BYTES], int64_t now,
				   int64_t expires, uint32_t flags, struct access_code *out);

/* The person's current code record, whatever its state.
 * STORE_OK, STORE_NOT_FOUND, STORE_UNAVAILABLE. */
enum store_result store_code_get(struct store *st, const char *username,
				 struct access_code *out);

/* Revoke the person's unused code.  STORE_OK, STORE_NOT_FOUND (no code),
 * STORE_USED, STORE_EXPIRED, STORE_REVOKED, STORE_SUPERSEDED (the current
 * code is not active: nothing to revoke), STORE_FULL, STORE_UNAVAILABLE. */
enum store_result store_code_revoke(struct store *st, const char *username, int64_t now);

/* Who holds the active code with this hash (kiosk logins).
 * STORE_OK with username filled, STORE_NOT_FOUND, STORE_UNAVAILABLE. */
enum store_result store_code_find(struct store *st, const uint8_t hash[CODE_HASH_BYTES],
				  char username[OB_USERNAME_MAX + 1]);

/* Redeem a code exactly once and set the person's new password in the
 * same transaction.  The hash is compared in constant time.  Order of
 * checks: no person or no code -> STORE_NOT_FOUND; hash differs ->
 * STORE_MISMATCH; code used -> STORE_USED, unless it was used by this
 * same request_id, in which case STORE_OK (the outcome of an uncertain
 * earlier call); revoked -> STORE_REVOKED; superseded ->
 * STORE_SUPERSEDED; now >= expires -> STORE_EXPIRED.  On STORE_OK the code
 * is CODE_USED with closed = now and request_id recorded, and the
 * person's pwhash, password_set = now, updated = now and version are
 * written; a code with CODE_FLAG_RESET_MFA also clears the person's
 * authenticator (PERSON_MFA_ENROLLED, totp_sealed, totp_last_step,
 * mfa_enrolled) in the same transaction; *code_out (may be NULL) receives
 * the code record.
 * Also STORE_FULL, STORE_UNAVAILABLE. */
enum store_result store_code_redeem(struct store *st, const char *username,
				    const uint8_t hash[CODE_HASH_BYTES],
				    const char *request_id, int64_t now,
				    const char *new_pwhash, struct access_code *code_out);

/* Advance the person's TOTP watermark to step, only forwards, in one
 * transaction: STORE_OK when step > the stored totp_last_step (now
 * stored, version bumped); STORE_USED when step <= it (a replayed or
 * older code); STORE_NOT_FOUND; STORE_FULL; STORE_UNAVAILABLE. */
enum store_result store_totp_advance(struct store *st, const char *username, int64_t step);

/* Call fn for every code record in username order (one read txn),
 * starting strictly after after as store_person_each does. */
enum store_result store_code_each(struct store *st, const char *after,
				  int (*fn)(const struct access_code *c, void *ctx), void *ctx);

enum store_result store_stats(struct store *st, struct store_stats *out);

#endif
