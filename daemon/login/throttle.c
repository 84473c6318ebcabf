/* SPDX-License-Identifier: BSD-3-Clause */
/* Throttling of logins: read the person's throttle, let the policy decide,
 * write the outcome back only if nobody else wrote in between.  The
 * daemon's dialogues run on one thread today, so a conflict needs another
 * process (or, later, another host) writing the same person; the loop
 * keeps the count exact when that happens.
 * Access-code guesses without a username are counted per source instead,
 * in a bounded table in memory (at the end of this file): there is no
 * person to store them with, and a restart, which forgets them, is not
 * something a guesser can cause. */
#include "config.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "audit.h"
#include "log.h"
#include "store.h"
#include "throttle.h"

/* Losing the compare-and-swap this often means someone rewrites the
 * person in a loop: give up rather than spin. */
#define THROTTLE_PUT_ATTEMPTS 5

/* Failures the store could not take (a full map, a broken disk) are
 * kept here until it can: a failure that is not recorded must not be a
 * free guess.  While a person has one, every try of theirs first writes
 * it to the store, and is refused when that still fails (fail closed:
 * also a right password).  The table is bounded; when it is full the
 * failures beyond are lost, and then nobody's try goes on until every
 * failure held here has been written (a write that succeeds is the
 * proof that recording works again). */
#define THROTTLE_UNRECORDED_MAX 256

struct throttle_unrecorded {
	char username[OB_USERNAME_MAX + 1]; /* "" for a free slot */
	uint8_t place[THROTTLE_PLACE_BYTES]; /* of the last one */
	uint32_t failures;
	int64_t last;
};

static struct throttle_unrecorded unrecorded[THROTTLE_UNRECORDED_MAX];
static bool unrecorded_lost;

static struct throttle_unrecorded *unrecorded_find(const char *username)
{
	for (size_t i = 0; i < THROTTLE_UNRECORDED_MAX; i++)
		if (unrecorded[i].username[0] && strcmp(unrecorded[i].username, username) == 0)
			return &unrecorded[i];
	return NULL;
}

static void unrecorded_add(const char *username, const uint8_t place[THROTTLE_PLACE_BYTES],
			   int64_t now)
{
	struct throttle_unrecorded *u = unrecorded_find(username);

	for (size_t i = 0; !u && i < THROTTLE_UNRECORDED_MAX; i++)
		if (!unrecorded[i].username[0]) {
			u = &unrecorded[i];
			snprintf(u->username, sizeof(u->username), "%s", username);
		}
	if (!u) {
		unrecorded_lost = true;
		return;
	}
	if (u->failures < UINT32_MAX)
		u->failures++;
	u->last = now;
	memcpy(u->place, place, THROTTLE_PLACE_BYTES);
}

/* Count n failures, the last at when, into username's stored throttle.
 * STORE_OK with *t the new throttle and *old the one before.  With
 * have_old, *old is the throttle as the caller read it: the first write
 * expects it, and only a conflict reads the store. */
static enum store_result throttle_count(struct daemon *d, const char *username,
					const uint8_t place[THROTTLE_PLACE_BYTES], uint32_t n,
					int64_t when, bool have_old, struct throttle *old,
					struct throttle *t, bool *locked, int64_t *until)
{
	struct throttle_rules rules = policy_throttle_rules(&d->cfg);
	enum store_result r = STORE_CONFLICT;

	for (int i = 0; i < THROTTLE_PUT_ATTEMPTS && r == STORE_CONFLICT; i++) {
		if (i > 0 || !have_old) {
			r = store_throttle_get(d->store, username, old);
			if (r != STORE_OK)
				break;
		}
		*t = *old;
		/* More than attempts cannot change anything: a lock holds. */
		for (uint32_t k = 0;
		     k < n && !(*locked = policy_throttle_fail(t, &rules, place, when, until)); k++)
			;
		r = store_throttle_put(d->store, username, old, t);
	}
	return r;
}

/* Write what the table holds.  0 when it is empty afterwards. */
static int throttle_flush(struct daemon *d)
{
	struct throttle old, t;
	enum store_result r;
	int64_t until;
	bool locked;

	for (size_t i = 0; i < THROTTLE_UNRECORDED_MAX; i++) {
		struct throttle_unrecorded *u = &unrecorded[i];

		if (!u->username[0])
			continue;
		r = throttle_count(d, u->username, u->place, u->failures, u->last, false, &old,
				   &t, &locked, &until);
		/* Someone deleted: nobody to count against. */
		if (r != STORE_OK && r != STORE_NOT_FOUND)
			return -EIO;
		log_info("login: %s: %u failed login%s recorded now that the store can write",
			 u->username, u->failures, u->failures == 1 ? "" : "s");
		memset(u, 0, sizeof(*u));
	}
	if (unrecorded_lost)
		log_warnx("login: the store can write again: failed logins of some people "
			  "were lost while it could not");
	unrecorded_lost = false;
	return 0;
}

int throttle_pending(struct daemon *d, const char *username)
{
	if (!unrecorded_lost && !unrecorded_find(username))
		return 0;
	if (throttle_flush(d) < 0) {
		log_warnx("login: %s: refused unchecked: failed logins cannot be recorded",
			  username);
		return -EIO;
	}
	return 1;
}

int throttle_check(struct daemon *d, const struct throttle *t,
		   const uint8_t place[THROTTLE_PLACE_BYTES], int64_t *until)
{
	struct throttle_rules rules = policy_throttle_rules(&d->cfg);

	*until = 0;
	return (int)policy_throttle_check(t, &rules, place, d->now(), until);
}

int throttle_gate(struct daemon *d, const char *username,
		  const uint8_t place[THROTTLE_PLACE_BYTES], int64_t *until)
{
	struct throttle t;
	enum store_result r;

	*until = 0;
	if (throttle_pending(d, username) < 0)
		return -EIO;
	r = store_throttle_get(d->store, username, &t);
	if (r != STORE_OK) {
		log_warnx("login: %s: cannot read the failed logins: %s", username,
			  store_result_name(r));
		return -EIO;
	}
	return throttle_check(d, &t, place, until);
}

int throttle_failure(struct daemon *d, const char *username,
		     const uint8_t place[THROTTLE_PLACE_BYTES], const char *what,
		     const char *service, const char *rhost, int64_t *until)
{
	return throttle_failure_of(d, username, NULL, NULL, place, what, service, rhost, until);
}

int throttle_failure_of(struct daemon *d, const char *username, const struct person *p,
			struct throttle *read, const uint8_t place[THROTTLE_PLACE_BYTES],
			const char *what, const char *service, const char *rhost, int64_t *until)
{
	struct throttle_rules rules = policy_throttle_rules(&d->cfg);
	struct throttle old, t;
	enum store_result r;
	bool locked = false, was_locked = false, everywhere;
	int64_t before;
	char when[40];

	*until = 0;
	if (read)
		old = *read;
	r = throttle_count(d, username, place, 1, d->now(), read != NULL, &old, &t, &locked,
			   until);
	if (read && r == STORE_OK)
		*read = t;
	if (r != STORE_OK) {
		log_warnx("login: %s: cannot record a failed %s: %s; the next try is refused "
			  "until it is", username, what, store_result_name(r));
		if (r != STORE_NOT_FOUND)
			unrecorded_add(username, place, d->now());
		return -EIO;
	}
	/* Locked before this failure (it was then refused unread, and only
	 * counted because it raced with the lock)? */
	was_locked = policy_throttle_check(&old, &rules, place, d->now(), &before) ==
		     THROTTLE_LOCKED;
	if (!locked)
		return 0;
	if (!was_locked) {
		_cleanup_person_ struct person got;

		everywhere = t.locked_until != 0;
		log_info("login: %s: locked until %s after %u failed login%s in a row %s, the "
			 "last a wrong %s (" LOG_WHERE ")",
			 username, log_utc(*until, when, sizeof(when)),
			 everywhere ? t.failures : rules.attempts,
			 (everywhere ? t.failures : rules.attempts) == 1 ? "" : "s",
			 everywhere ? "from anywhere: locked everywhere" : "from one place: "
									  "locked from there",
			 what, service, rhost);
		/* A guesser decides how many locks there are (every place,
		 * every person): under the rate rule, as the person's locks
		 * (apart from their failures, which must not crowd them out). */
		if (!p && store_person_get(d->store, username, &got) == STORE_OK)
			p = &got;
		if (p)
			audit_login_limited(d, p, "login.lockout", "locked",
					    "%s until %s after %u failures (" LOG_WHERE ")",
					    everywhere ? "everywhere" : "from one place",
					    log_utc(*until, when, sizeof(when)),
					    everywhere ? t.failures : rules.attempts, service,
					    rhost);
	}
	return 1;
}

int throttle_success(struct daemon *d, const char *username,
		     const uint8_t place[THROTTLE_PLACE_BYTES])
{
	return throttle_success_of(d, username, NULL, place);
}

static bool throttle_same(const struct throttle *a, const struct throttle *b)
{
	return a->failures == b->failures && a->last_failure == b->last_failure &&
	       a->locked_until == b->locked_until && a->nplaces == b->nplaces;
}

int throttle_success_of(struct daemon *d, const char *username, struct throttle *read,
			const uint8_t place[THROTTLE_PLACE_BYTES])
{
	struct throttle old, t;
	enum store_result r = STORE_CONFLICT;

	for (int i = 0; i < THROTTLE_PUT_ATTEMPTS && r == STORE_CONFLICT; i++) {
		if (i == 0 && read) {
			old = *read;
		} else {
			r = store_throttle_get(d->store, username, &old);
			if (r != STORE_OK)
				break;
		}
		t = old;
		policy_throttle_success(&t, place);
		/* Most logins had no failure before: nothing to write. */
		if (throttle_same(&t, &old))
			return 0;
		r = store_throttle_put(d->store, username, &old, &t);
	}
	if (r != STORE_OK) {
		log_warnx("login: %s: cannot clear the failed logins: %s", username,
			  store_result_name(r));
		return -EIO;
	}
	if (read)
		*read = t;
	return 0;
}

/* ------------------------------------------ code guesses per source (kiosk) */

/* The daemon's table.  One daemon per process, and its dialogues run on
 * one thread: a static table needs no lock and no allocation. */
static struct throttle_sources throttle_table;

void throttle_source_key(const char *kind, const char *value,
			 uint8_t key[THROTTLE_SOURCE_BYTES])
{
	crypto_generichash_state st;

	/* The NUL after kind keeps "tty" + "x" apart from "ttyx" + "". */
	crypto_generichash_init(&st, NULL, 0, THROTTLE_SOURCE_BYTES);
	crypto_generichash_update(&st, (const unsigned char *)kind, strlen(kind) + 1);
	crypto_generichash_update(&st, (const unsigned char *)value, strlen(value));
	crypto_generichash_final(&st, key, THROTTLE_SOURCE_BYTES);
}

static struct throttle_source *throttle_sources_find(struct throttle_sources *s,
						     const uint8_t key[THROTTLE_SOURCE_BYTES])
{
	for (size_t i = 0; i < THROTTLE_SOURCES_MAX; i++)
		if (s->e[i].used && memcmp(s->e[i].key, key, THROTTLE_SOURCE_BYTES) == 0)
			return &s->e[i];
	return NULL;
}

/* A slot for a new source: a free one, or one whose count has run out.
 * NULL when every slot holds a source that still counts: forgetting one
 * would hand its guesser a fresh count (see throttle.h). */
static struct throttle_source *throttle_sources_slot(struct throttle_sources *s,
						     const struct throttle_rules *r, int64_t now)
{
	for (size_t i = 0; i < THROTTLE_SOURCES_MAX; i++) {
		struct throttle_source *e = &s->e[i];

		if (e->used) {
			policy_source_expire(&e->t, r, now);
			if (e->t.failures || e->t.locked_until)
				continue;
		}
		return e;
	}
	return NULL;
}

enum throttle_verdict throttle_sources_check(struct throttle_sources *s,
					     const uint8_t key[THROTTLE_SOURCE_BYTES],
					     const struct throttle_rules *r, int64_t now,
					     int64_t *until)
{
	struct throttle_source *e = throttle_sources_find(s, key);

	*until = 0;
	/* A source the table does not hold waits with the overflow (which
	 * counts nothing unless the table has been full). */
	if (!e) {
		policy_source_expire(&s->overflow, r, now);
		return policy_source_check(&s->overflow, r, now, until);
	}
	e->used = ++s->tick;
	policy_source_expire(&e->t, r, now);
	/* Nothing left to remember: the slot is free again. */
	if (!e->t.failures && !e->t.locked_until) {
		memset(e, 0, sizeof(*e));
		return policy_source_check(&s->overflow, r, now, until);
	}
	return policy_source_check(&e->t, r, now, until);
}

enum source_outcome throttle_sources_fail(struct throttle_sources *s,
					  const uint8_t key[THROTTLE_SOURCE_BYTES],
					  const struct throttle_rules *r, int64_t now, int64_t *until)
{
	struct throttle_source *e = throttle_sources_find(s, key);

	*until = 0;
	if (!e) {
		e = throttle_sources_slot(s, r, now);
		if (!e) {
			if (!policy_source_fail(&s->overflow, r, now))
				return SOURCE_OVERFLOW;
			*until = s->overflow.locked_until;
			return SOURCE_OVERFLOW_LOCKED;
		}
		memset(e, 0, sizeof(*e));
		memcpy(e->key, key, THROTTLE_SOURCE_BYTES);
	}
	e->used = ++s->tick;
	if (!policy_source_fail(&e->t, r, now))
		return SOURCE_COUNTED;
	*until = e->t.locked_until;
	return SOURCE_LOCKED;
}

size_t throttle_sources_count(const struct throttle_sources *s)
{
	size_t n = 0;

	for (size_t i = 0; i < THROTTLE_SOURCES_MAX; i++)
		n += s->e[i].used != 0;
	return n;
}

bool throttle_source_unlock(const uint8_t key[THROTTLE_SOURCE_BYTES], struct throttle *was)
{
	struct throttle_source *e = throttle_sources_find(&throttle_table, key);

	memset(was, 0, sizeof(*was));
	if (!e)
		return false;
	*was = e->t;
	memset(e, 0, sizeof(*e));
	return true;
}

int throttle_source_gate(struct daemon *d, const uint8_t key[THROTTLE_SOURCE_BYTES],
			 int64_t *until)
{
	struct throttle_rules rules = policy_throttle_rules(&d->cfg);

	return (int)throttle_sources_check(&throttle_table, key, &rules, d->now(), until);
}

int throttle_source_failure(struct daemon *d, const uint8_t key[THROTTLE_SOURCE_BYTES],
			    const char *name, int64_t *until)
{
	struct throttle_rules rules = policy_throttle_rules(&d->cfg);
	char when[40];

	/* Called only after the gate let a code through: a lock is new. */
	switch (throttle_sources_fail(&throttle_table, key, &rules, d->now(), until)) {
	case SOURCE_COUNTED:
		return 0;
	case SOURCE_OVERFLOW:
		log_warnx("login: kiosk: the table of %d sources is full: the wrong code from %s "
			  "counts for every source outside it",
			  THROTTLE_SOURCES_MAX, name);
		return 0;
	case SOURCE_OVERFLOW_LOCKED:
		log_warnx("login: kiosk: access codes from every source outside the full table "
			  "refused until %s after %u wrong codes (the last from %s)",
			  log_utc(*until, when, sizeof(when)), rules.attempts, name);
		audit_host(d, "kiosk.overflow_lock", "locked",
			   "every source beyond %d until %s", THROTTLE_SOURCES_MAX, when);
		return 1;
	case SOURCE_LOCKED:
		break;
	}
	log_info("login: kiosk: access codes from %s refused until %s after %u wrong codes", name,
		 log_utc(*until, when, sizeof(when)), rules.attempts);
	audit_host(d, "kiosk.source_lock", "locked", "%s until %s", name, when);
	return 1;
}
