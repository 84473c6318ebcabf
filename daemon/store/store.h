/* SPDX-License-Identifier: BSD-3-Clause */
/* The storage interface.  It speaks in operations, not tables, so that a
 * second backend (a fleet's shared database, with LMDB as each host's
 * cache) can stand behind the same calls.  Only the LMDB backend's files
 * (store_lmdb*.c) include lmdb.h; no LMDB type or error code leaves them.
 *
 * Every call is one transaction.  Times are seconds since the epoch and
 * always passed in: the store never reads the clock. */
#ifndef OB_STORE_H
#define OB_STORE_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sodium.h>

#include "ob_protocol.h"

/* Version of the database layout; store_open refuses any other. */
/* 2: host groups, seat pools, the e-mail index and the audit log.  A
 * version 1 database is brought to 2 when opened (store_open).
 * 3: each enrolled person's authenticator parameters (algorithm, digits,
 * period) are stored with them.  A version 2 database is brought to 3
 * when opened: the people enrolled before are stamped with the
 * parameters given to store_open_upgrade, the configuration of the time
 * (see struct store_totp). */
#define STORE_SCHEMA_VERSION 3

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
	STORE_EMAIL_TAKEN, /* another person of the organisation has this e-mail */
	STORE_NO_GROUP,    /* a host group named does not exist */
	STORE_NO_POOL,     /* a seat pool named does not exist */
	STORE_POOL_FULL,   /* a seat pool has no free seat */
	STORE_NO_ID,       /* no free Unix id left in the store's range (store_ids_set) */
};

/* Short English name of a result, for logs ("expired", "full", ...). */
const char *store_result_name(enum store_result r);

#define PERSON_EXISTING_ACCOUNT 0x1u /* adopted an existing Unix account */
#define PERSON_DISABLED 0x2u
#define PERSON_MFA_ENROLLED 0x4u /* totp_sealed holds an active authenticator */
#define PERSON_ACCOUNT_CREATED 0x8u /* onboard made the Unix account (--create-account) */
/* Adopted with --keep-unix-password: its Unix password was not locked. */
#define PERSON_UNIX_PASSWORD_KEPT 0x80u

enum person_role {
	ROLE_USER = 0,
	ROLE_ADMIN,      /* main administrator of their organisation */
	ROLE_TECHNICIAN, /* logs in only where a host declares one of their groups */
	ROLE_ASSISTANT,  /* linked to the person they assist */
};

/* Delegated administration: what a person other than a main
 * administrator may do with onboardctl. */
#define PERM_USERS 0x01u
#define PERM_INVITES 0x02u
#define PERM_CODES 0x04u
#define PERM_GROUPS 0x08u
#define PERM_POOLS 0x10u
#define PERM_AUDIT 0x20u
#define PERM_BANK 0x40u
#define PERM_ALL 0x7fu

typedef char store_name[OB_GROUP_NAME_MAX + 1]; /* a group or pool name */

/* Whether name is one of the first n of names. */
static inline bool store_names_has(const store_name *names, unsigned n, const char *name)
{
	for (unsigned i = 0; i < n; i++)
		if (strcmp(names[i], name) == 0)
			return true;
	return false;
}

/* A TOTP secret sealed with the key file's secret_key (XSalsa20-Poly1305):
 * nonce, MAC and the 20-byte secret.  The store never sees it open. */
#define STORE_TOTP_SEALED_BYTES (24 + 16 + 20)

/* A person's failed logins from one place (the remote host, else the
 * terminal, else the service), known by a hash of it: many wrong guesses
 * from one place lock that place for the person, not the person
 * everywhere (policy_throttle_*). */
#define THROTTLE_PLACES 4
#define THROTTLE_PLACE_BYTES 8

struct throttle_place {
	uint8_t key[THROTTLE_PLACE_BYTES];
	uint32_t failures;    /* in a row from there */
	int64_t last_failure;
	int64_t locked_until; /* the place is locked for the person while now < it */
};

/* A person's failed logins in a row and their lock (the policy reads and
 * writes it: policy_throttle_*).  Times are seconds since the epoch, 0
 * for never.  All zero: no failure since the last successful login. */
struct throttle {
	uint32_t failures;    /* failed passwords, codes, authenticator codes in a row,
			       * from anywhere */
	int64_t last_failure; /* when the last of them was */
	int64_t locked_until; /* the overall lock: holds while now < locked_until */
	/* The places of the latest failures, at most THROTTLE_PLACES (the
	 * oldest is dropped for a new one): places[0..nplaces). */
	unsigned nplaces;
	struct throttle_place places[THROTTLE_PLACES];
};

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
	/* How the authenticator makes its codes, fixed at its enrolment, so
	 * that a change of totp_algorithm or totp_digits in onboardd.conf
	 * applies to new enrolments only.  Stored only with
	 * PERSON_MFA_ENROLLED and digits set; digits 0: none stored. */
	struct store_totp {
		uint8_t algorithm; /* enum totp_algorithm (totp.h): 0 sha1, 1 sha256, 2 sha512 */
		uint8_t digits;    /* 6 or 8; 0: not stored */
		uint16_t period;   /* seconds per step */
	} totp;
	/* Written only by store_throttle_put: the other writes keep what is
	 * stored, and it does not change the version. */
	struct throttle throttle;
	enum person_role role;
	uint32_t perms; /* PERM_* */
	unsigned ngroups, npools;
	store_name groups[OB_PERSON_GROUPS_MAX];
	store_name pools[OB_PERSON_POOLS_MAX];
	char link[OB_USERNAME_MAX + 1]; /* "" when none */
	int64_t deleted; /* in the user bank since (with PERSON_DISABLED); 0: not */
	/* Unix uid, and gid of the person's own group, given once by the
	 * store (store_ids_set); 0: none yet.  A write keeps the stored one. */
	uint32_t uid;
};

/* A person read into a scope holds a password hash and a sealed secret:
 * declare it _cleanup_person_ and it is wiped on every way out. */
static inline void store_person_wipep(struct person *p)
{
	sodium_memzero(p, sizeof(*p));
}
#define _cleanup_person_ __attribute__((cleanup(store_person_wipep)))

struct group {
	store_name name;
	char org[OB_ORG_MAX + 1];
	int64_t created;
	uint32_t gid; /* given by the store at creation (store_ids_set); 0: none yet */
};

struct pool {
	store_name name;
	char org[OB_ORG_MAX + 1];
	uint32_t seats;
	uint32_t used; /* kept by store_people_write: the people assigned */
	int64_t created;
};

#define AUDIT_EVENT_MAX 32
#define AUDIT_RESULT_MAX 32
#define AUDIT_DETAIL_MAX 200

/* One line of the audit log; never a secret. */
struct audit_event {
	uint64_t id;  /* assigned by store_audit_append: 1, 2, ... */
	int64_t time;
	int64_t uid;  /* the caller's uid; -1 for events of a login dialogue */
	char actor[OB_USERNAME_MAX + 1];   /* the caller as an onboard person, or "" */
	char org[OB_ORG_MAX + 1];          /* whose organisation it concerns, or "" */
	char subject[OB_USERNAME_MAX + 1]; /* the person it is about, or "" */
	char event[AUDIT_EVENT_MAX + 1];   /* "user.add", "code.issue", "login.code", ... */
	char result[AUDIT_RESULT_MAX + 1]; /* "ok", or why not */
	char detail[AUDIT_DETAIL_MAX + 1];
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
/* Earlier codes (and invitations) remembered as replaced. */
#define STORE_REPLACED_MAX 4

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
	/* The codes this one replaced while they could still be used,
	 * newest first, so that one typed later is told it was replaced
	 * rather than that it is wrong. */
	unsigned nreplaced;
	uint8_t replaced[STORE_REPLACED_MAX][CODE_HASH_BYTES];
};

/* Invitations: one record per person, the latest; like access codes. */
enum invite_state {
	INVITE_PENDING = 1,
	INVITE_ACCEPTED,
	INVITE_REVOKED,
	INVITE_SUPERSEDED,
};

struct invitation {
	uint64_t version;
	char username[OB_USERNAME_MAX + 1];
	uint8_t hash[CODE_HASH_BYTES]; /* keyed BLAKE2b of the canonical code */
	/* A second code given by another channel (invite_verification). */
	bool has_verification;
	uint8_t verification_hash[CODE_HASH_BYTES];
	/* The invitation this one replaced, so that its code, typed later,
	 * is told apart from a wrong one (STORE_SUPERSEDED). */
	bool has_previous;
	uint8_t previous_hash[CODE_HASH_BYTES];
	enum invite_state state;
	int64_t issued;
	int64_t expires;
	int64_t closed; /* when accepted or revoked; 0 while pending */
	char request_id[REQUEST_ID_MAX + 1]; /* of the accepting request */
	/* Invitations replaced before the previous one, newest first. */
	unsigned nolder;
	uint8_t older[STORE_REPLACED_MAX][CODE_HASH_BYTES];
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
 * schema version, -EUCLEAN for a data.mdb that is empty, truncated or not
 * LMDB (store_probe), -EACCES, -ENOSPC, -ENOMEM, -EIO. */
int store_open(struct store **out, const char *dir, uint64_t map_size);
/* The same, and a database of schema 2 is brought to 3 with legacy as
 * the authenticator parameters of the people enrolled before they were
 * stored (NULL: sha1, 6 digits, 30 s, the built-in defaults).  onboardd
 * gives its configuration: the one those people enrolled under, unless it
 * was changed before this upgrade (which locked them out already). */
int store_open_upgrade(struct store **out, const char *dir, uint64_t map_size,
		       const struct store_totp *legacy);
void store_close(struct store *st);

/* Look at dir/data.mdb without opening it with LMDB (store_open does
 * this first): 0 when there is none (a new database will be made), 1 for
 * a file that looks like a whole LMDB database, -EUCLEAN for an empty,
 * truncated or foreign one (the reason is logged), or another -errno. */
int store_probe(const char *dir);

/* The key file's check value (keys_check_value): stored in the database
 * the first time (a database of an older onboardd gets it then), and
 * compared in constant time at every later start, so that a key file of
 * another database, or a new one, stops the start instead of making every
 * access code and authenticator fail.  0, -EKEYREJECTED when the stored
 * value differs, or another -errno. */
#define STORE_KEY_CHECK_BYTES 32
int store_key_check(struct store *st, const uint8_t check[STORE_KEY_CHECK_BYTES]);

/* STORE_OK (p->version set to 1), STORE_EXISTS, STORE_FULL, STORE_UNAVAILABLE. */
enum store_result store_person_create(struct store *st, struct person *p);

/* STORE_OK, STORE_NOT_FOUND, STORE_UNAVAILABLE. */
enum store_result store_person_get(struct store *st, const char *username, struct person *out);

/* Write p only if the stored version is still p->version; on STORE_OK
 * p->version is the new version.  p->throttle is not written: the stored
 * one stays, and p->throttle receives it.  STORE_OK, STORE_CONFLICT,
 * STORE_NOT_FOUND, STORE_FULL, STORE_UNAVAILABLE. */
enum store_result store_person_put(struct store *st, struct person *p);

/* The person's throttle alone.  STORE_OK, STORE_NOT_FOUND, STORE_UNAVAILABLE. */
enum store_result store_throttle_get(struct store *st, const char *username,
				     struct throttle *out);

/* Replace the person's throttle with *t, only if the stored one still
 * equals *expected (NULL: whatever it is), in one transaction.  Nothing
 * else of the person changes, not even the version: a failed login never
 * makes an administrator's edit or an enrolment in flight conflict.
 * STORE_OK, STORE_CONFLICT (the stored throttle is not *expected: read
 * again), STORE_NOT_FOUND, STORE_FULL, STORE_UNAVAILABLE (also for a
 * negative time). */
enum store_result store_throttle_put(struct store *st, const char *username,
				     const struct throttle *expected, const struct throttle *t);

/* A record that cannot be read (corrupt, or of an unknown format) is
 * STORE_UNAVAILABLE to a get, and is skipped by the listings
 * (store_person_each, store_code_each, store_invite_each,
 * store_group_each, store_pool_each), which log it with its key and go
 * on.  store_last_skipped tells what the calling thread's last listing
 * skipped: per thread, as the workers list concurrently. */
struct store_skipped {
	unsigned count;
	char first[OB_USERNAME_MAX + 1]; /* key of the first skipped, printable; "" */
};
void store_last_skipped(struct store_skipped *out);

/* Call fn for every person in username order, in one read transaction;
 * fn returns 0 to go on, non-zero to stop.  With after neither NULL nor
 * "", start at the first username strictly after it (which need not
 * exist): pages resume from the last username of the previous one.
 * STORE_OK or STORE_UNAVAILABLE. */
enum store_result store_person_each(struct store *st, const char *after,
				    int (*fn)(const struct person *p, void *ctx), void *ctx);

/* store_person_each for the people whose record may hold needle as a
 * string (a username in a link, a group's or a pool's name, an
 * organisation): a record that is JSON and has neither needle's bytes
 * nor a backslash (an escape could spell them) cannot, and is passed
 * over without being decoded; every other record is decoded (skipped
 * and counted as store_person_each does when it cannot be).  fn still
 * checks the field it wants: it may see people who hold needle
 * elsewhere.  A scan of bytes instead of a decode per person. */
enum store_result store_person_each_with(struct store *st, const char *needle,
					 int (*fn)(const struct person *p, void *ctx), void *ctx);
/* The same from the first username strictly after after (NULL or "":
 * from the first), as store_person_each: pages of the people who may
 * hold needle (the userdb socket's memberships). */
enum store_result store_person_each_with_after(struct store *st, const char *after,
					       const char *needle,
					       int (*fn)(const struct person *p, void *ctx),
					       void *ctx);

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
 * e (NULL: none) is the audit event that records the redemption: it is
 * appended within bounds b in the same transaction (as
 * store_audit_append_bounded), so the redemption and its event are
 * written both or neither, in one durable commit; e->id receives its id.
 * On STORE_OK it was appended (a replay appends it alone); on any other
 * result nothing was written, and a failure of the append itself (a full
 * map, STORE_FULL) leaves the code unredeemed.
 * Also STORE_FULL, STORE_UNAVAILABLE. */
struct audit_event;
struct audit_bounds;
enum store_result store_code_redeem(struct store *st, const char *username,
				    const uint8_t hash[CODE_HASH_BYTES],
				    const char *request_id, int64_t now,
				    const char *new_pwhash, struct access_code *code_out,
				    struct audit_event *e, const struct audit_bounds *b);

/* Advance the person's TOTP watermark to step, only forwards, in one
 * transaction, and only while the authenticator that verified the code
 * is still theirs: STORE_CONFLICT when the person is no longer enrolled,
 * is disabled, or has another sealed secret than sealed (a reset or a new
 * enrolment since the dialogue read it); STORE_USED when step <= the
 * stored totp_last_step (a replayed or older code); STORE_OK when the
 * step is now stored (version bumped); STORE_NOT_FOUND; STORE_FULL;
 * STORE_UNAVAILABLE. */
enum store_result store_totp_advance(struct store *st, const char *username,
				     const uint8_t sealed[STORE_TOTP_SEALED_BYTES], int64_t step);

/* Call fn for every code record in username order (one read txn),
 * starting strictly after after as store_person_each does. */
enum store_result store_code_each(struct store *st, const char *after,
				  int (*fn)(const struct access_code *c, void *ctx), void *ctx);

/* Issue an invitation to username: in one transaction, a pending
 * previous one is superseded (its hash kept as previous_hash) and the new
 * one (INVITE_PENDING, issued = now) stored.  verification_hash may be
 * NULL.  *out (may be NULL) receives the new record.  STORE_OK,
 * STORE_NOT_FOUND (no such person), STORE_FULL, STORE_UNAVAILABLE. */
enum store_result store_invite_issue(struct store *st, const char *username,
				     const uint8_t hash[CODE_HASH_BYTES],
				     const uint8_t *verification_hash, int64_t now,
				     int64_t expires, struct invitation *out);

/* The person's current invitation record, whatever its state.
 * STORE_OK, STORE_NOT_FOUND, STORE_UNAVAILABLE. */
enum store_result store_invite_get(struct store *st, const char *username,
				   struct invitation *out);

/* Revoke the person's pending invitation.  STORE_OK, STORE_NOT_FOUND (no
 * invitation), STORE_USED (accepted), STORE_EXPIRED, STORE_REVOKED,
 * STORE_SUPERSEDED, STORE_FULL, STORE_UNAVAILABLE. */
enum store_result store_invite_revoke(struct store *st, const char *username, int64_t now);

/* Call fn for every invitation record in username order (one read txn),
 * starting strictly after after as store_person_each does. */
enum store_result store_invite_each(struct store *st, const char *after,
				    int (*fn)(const struct invitation *inv, void *ctx),
				    void *ctx);

/* Accept an invitation exactly once, and in the same transaction write
 * the person's names (as confirmed or corrected), pwhash, password_set =
 * now, updated = now and version.  Hashes are compared in constant time.
 * Order of checks, as store_code_redeem: no person or no invitation ->
 * STORE_NOT_FOUND; hash differs -> STORE_SUPERSEDED when it is the
 * replaced invitation's, else STORE_MISMATCH; a verification code was
 * issued and verification_hash is NULL or differs -> STORE_MISMATCH;
 * accepted -> STORE_USED, unless by this same request_id, then STORE_OK
 * (the outcome of an uncertain earlier call); revoked -> STORE_REVOKED;
 * superseded -> STORE_SUPERSEDED; now >= expires -> STORE_EXPIRED.  On
 * STORE_OK the invitation is INVITE_ACCEPTED with closed = now and
 * request_id recorded; *out (may be NULL) receives it.  e and b as
 * store_code_redeem: the event of the acceptance in its transaction, both
 * or neither.  Also STORE_FULL, STORE_UNAVAILABLE (also for malformed
 * names, request id or hash). */
enum store_result store_invite_accept(struct store *st, const char *username,
				      const uint8_t hash[CODE_HASH_BYTES],
				      const uint8_t *verification_hash, const char *request_id,
				      int64_t now, const char *first_name, const char *last_name,
				      const char *new_pwhash, struct invitation *out,
				      struct audit_event *e, const struct audit_bounds *b);

enum store_result store_stats(struct store *st, struct store_stats *out);

/* ------------------------------------------------ people, in one go */

enum person_op {
	PERSON_CREATE, /* p is new: STORE_EXISTS when the username is taken */
	PERSON_UPDATE, /* p->version is the version read: STORE_CONFLICT if not current */
	PERSON_REMOVE, /* purge p->username (p->version as read), with their codes */
};

struct person_change {
	enum person_op op;
	struct person *p;
	/* PERSON_CREATE only: also a pending invitation with this code hash,
	 * issued at p->created and valid until invite_expires (NULL: none). */
	const uint8_t *invite_hash;
	int64_t invite_expires;
};

/* Where store_people_write stopped: the change at index, and the group,
 * pool or e-mail address concerned. */
struct store_failure {
	size_t index;
	char what[OB_EMAIL_MAX + 1];
};

/* Apply n changes in one transaction, all or nothing, keeping what the
 * store guarantees: usernames unique; e-mail addresses unique within an
 * organisation, in any case (STORE_EMAIL_TAKEN); the groups and pools a
 * person names exist (STORE_NO_GROUP, STORE_NO_POOL); no pool holds more
 * people than seats (STORE_POOL_FULL).  A person who becomes
 * PERSON_DISABLED loses their access code and invitation, when still
 * usable, revoked at p->updated in the same transaction; a removed person's
 * codes, invitation and seats go with them.  Throttles stay as stored
 * (store_throttle_put's alone).  On STORE_OK every p->version is the
 * version written (1 for a create); otherwise nothing was written and
 * *fail (may be NULL) says where.  Also STORE_NOT_FOUND, STORE_FULL,
 * STORE_UNAVAILABLE. */
enum store_result store_people_write(struct store *st, struct person_change *c, size_t n,
				     struct store_failure *fail);

/* store_people_write, and e (NULL: none) appended within bounds b in the
 * same transaction (as store_audit_append_bounded): the change and the
 * event that records it are written both or neither.  e->id receives
 * its id.  On a failure of the append, fail->index is n. */
enum store_result store_people_write_audited(struct store *st, struct person_change *c, size_t n,
					     struct store_failure *fail, struct audit_event *e,
					     const struct audit_bounds *b);

/* How many store_people_write calls that created or removed someone were
 * committed since the store was opened (the people file follows it). */
uint64_t store_people_changes(const struct store *st);

/* What those changes were, for a reader that follows the people without
 * listing them all again (the people file): the usernames created since
 * the last store_people_news_clear, each ending in '\n', in *names (len
 * bytes, NULL when none; the store's, valid until the next write), and
 * *reread true when that is not the whole story: someone was removed, or
 * the names outgrew STORE_NEWS_MAX or memory.  Then list them again. */
#define STORE_NEWS_MAX (4u << 20)
void store_people_news(const struct store *st, const char **names, size_t *len, bool *reread);
void store_people_news_clear(struct store *st);

/* Call fn with the username of every person in username order, in one
 * read transaction, without reading their records (a record that cannot
 * be read is visited too: its key is all there is): name is len bytes,
 * not NUL-terminated, as the key holds it.  fn returns 0 to go on,
 * non-zero to stop.  after as store_person_each's.  STORE_OK or
 * STORE_UNAVAILABLE. */
enum store_result store_person_names_each(struct store *st, const char *after,
					  int (*fn)(const char *name, size_t len, void *ctx),
					  void *ctx);

/* Who has the e-mail address in org (any case).  STORE_OK with username
 * filled, STORE_NOT_FOUND, STORE_UNAVAILABLE. */
enum store_result store_email_find(struct store *st, const char *org, const char *email,
				   char username[OB_USERNAME_MAX + 1]);

/* ------------------------------------------------ groups and pools */

/* STORE_OK, STORE_EXISTS, STORE_FULL, STORE_UNAVAILABLE. */
enum store_result store_group_create(struct store *st, const struct group *g);
enum store_result store_group_get(struct store *st, const char *name, struct group *out);
enum store_result store_group_each(struct store *st,
				   int (*fn)(const struct group *g, void *ctx), void *ctx);
/* A new pool has used = 0 whatever p->used says. */
enum store_result store_pool_create(struct store *st, const struct pool *p);
enum store_result store_pool_get(struct store *st, const char *name, struct pool *out);
enum store_result store_pool_each(struct store *st,
				  int (*fn)(const struct pool *p, void *ctx), void *ctx);

/* ------------------------------------------------ audit */

/* Append e with the next id (written back to e->id).  STORE_OK,
 * STORE_FULL, STORE_UNAVAILABLE. */
enum store_result store_audit_append(struct store *st, struct audit_event *e);

/* What the audit log may hold: events older than oldest (seconds since
 * the epoch; 0: no limit) go, and so do the oldest while the audit table
 * takes more than max_bytes of the map (0: no cap). */
struct audit_bounds {
	int64_t oldest;
	uint64_t max_bytes;
};
/* Events pruned by one append, at most: a write transaction stays short
 * however much is due, and the rest goes with the next appends. */
#define AUDIT_PRUNE_BATCH 64

/* store_audit_append within bounds: in the same transaction, before the
 * append, at most AUDIT_PRUNE_BATCH events that are out of bounds are
 * deleted, oldest first (over max_bytes, down to 7/8 of it); the newest
 * event always stays, so that ids are never given twice.  *pruned (may
 * be NULL) receives how many events went. */
enum store_result store_audit_append_bounded(struct store *st, struct audit_event *e,
					     const struct audit_bounds *b, unsigned *pruned);
/* Bytes of the map the audit table takes, and its events. */
enum store_result store_audit_size(struct store *st, uint64_t *bytes, uint64_t *events);
/* Events with id > after, oldest first, until fn returns non-zero. */
enum store_result store_audit_each(struct store *st, uint64_t after,
				   int (*fn)(const struct audit_event *e, void *ctx), void *ctx);

/* ------------------------------------------------ a login's step */

/* store_person_get, store_code_get and store_invite_get of username in
 * one read transaction (a login's Start needs all three; issue 11).
 * Returns the person's result; on STORE_OK, *code_r and *invite_r are
 * the code's and the invitation's (STORE_OK, STORE_NOT_FOUND,
 * STORE_UNAVAILABLE), else STORE_NOT_FOUND.  What is not STORE_OK is
 * zeroed.  (store_lmdb_once.c) */
enum store_result store_person_get_secrets(struct store *st, const char *username,
					   struct person *out, struct access_code *code,
					   enum store_result *code_r, struct invitation *invite,
					   enum store_result *invite_r);


/* ------------------------------------------------ codes, in one go */

/* One person's code of a store_codes_issue_many. */
struct code_grant {
	const char *username;
	uint8_t hash[CODE_HASH_BYTES];  /* keyed BLAKE2b of the canonical code */
	struct access_code rec;         /* receives the record issued */
	struct audit_event event;       /* recorded with it; its id is written back */
};

/* Issue n codes as store_code_issue does (all valid until expires, with
 * flags), each with its audit event appended within bounds b (NULL:
 * none, as store_audit_append_bounded), in one transaction: all or
 * nothing.  On failure nothing was written, and *fail (may be NULL) has
 * the index and username of the grant it stopped at: STORE_NOT_FOUND (no
 * such person), STORE_EXISTS (another person's active code has that
 * hash: draw a new code for it and call again), STORE_FULL,
 * STORE_UNAVAILABLE. */
enum store_result store_codes_issue_many(struct store *st, struct code_grant *g, size_t n,
					 int64_t now, int64_t expires, uint32_t flags,
					 const struct audit_bounds *b, struct store_failure *fail);


/* ------------------------------------------------ Unix ids */

/* Every person gets a uid (the gid of their own group too), and every
 * host group a gid, once, from one counter: a person's gid and a group's
 * never meet, and an id once given is never given again, not even after
 * a purge (the store remembers it).  An id host_taken says the host's
 * own files use is passed over.  A store that was never told a range
 * uses STORE_IDS_FIRST..STORE_IDS_LAST with no host check. */
#define STORE_IDS_FIRST 65536u
#define STORE_IDS_LAST 99999u
struct store_ids {
	uint32_t first, last; /* the range, both included; 0 < first <= last */
	bool (*host_taken)(uint32_t id, void *ctx); /* NULL: none */
	void *ctx;
};
void store_ids_set(struct store *st, const struct store_ids *ids);

/* Give every person and group that has no id yet one, in name order
 * (people first), in one transaction: the upgrade of a store made before
 * ids.  *people and *groups receive how many.  STORE_OK, STORE_NO_ID
 * (nothing written), STORE_FULL, STORE_UNAVAILABLE. */
enum store_result store_ids_assign(struct store *st, unsigned *people, unsigned *groups);

enum store_id_kind {
	STORE_ID_PERSON = 1,
	STORE_ID_GROUP,
};
#define STORE_ID_NAME_MAX (OB_USERNAME_MAX > OB_GROUP_NAME_MAX ? OB_USERNAME_MAX : OB_GROUP_NAME_MAX)

/* Who holds id now: a person (uid and their own group's gid) or a host
 * group.  STORE_OK, STORE_NOT_FOUND (never given, or its holder was
 * purged), STORE_UNAVAILABLE. */
enum store_result store_id_find(struct store *st, uint32_t id, enum store_id_kind *kind,
				char name[STORE_ID_NAME_MAX + 1]);

#endif
