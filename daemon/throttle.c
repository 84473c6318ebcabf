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

int throttle_gate(struct daemon *d, const char *username, int64_t *until)
{
	struct throttle_rules rules = policy_throttle_rules(&d->cfg);
	struct throttle t;
	enum store_result r;

	*until = 0;
	r = store_throttle_get(d->store, username, &t);
	if (r != STORE_OK) {
		log_warnx("login: %s: cannot read the failed logins: %s", username,
			  store_result_name(r));
		return -EIO;
	}
	return (int)policy_throttle_check(&t, &rules, d->now(), until);
}

int throttle_failure(struct daemon *d, const char *username, const char *what,
		     const char *service, const char *rhost, int64_t *until)
{
	struct throttle_rules rules = policy_throttle_rules(&d->cfg);
	struct throttle old, t;
	enum store_result r = STORE_CONFLICT;
	bool locked = false, was_locked = false;
	char when[40];

	*until = 0;
	for (int i = 0; i < THROTTLE_PUT_ATTEMPTS && r == STORE_CONFLICT; i++) {
		r = store_throttle_get(d->store, username, &old);
		if (r != STORE_OK)
			break;
		t = old;
		was_locked = old.locked_until && d->now() < old.locked_until;
		locked = policy_throttle_fail(&t, &rules, d->now());
		r = store_throttle_put(d->store, username, &old, &t);
	}
	if (r != STORE_OK) {
		log_warnx("login: %s: cannot record a failed %s: %s", username, what,
			  store_result_name(r));
		return -EIO;
	}
	if (!locked)
		return 0;
	*until = t.locked_until;
	if (!was_locked) {
		struct person p;

		log_info("login: %s: locked until %s after %u failed login%s in a row, the last "
			 "a wrong %s (service %s, from %s)",
			 username, log_utc(t.locked_until, when, sizeof(when)), t.failures,
			 t.failures == 1 ? "" : "s", what, service, rhost);
		if (store_person_get(d->store, username, &p) == STORE_OK)
			audit_login(d, &p, "login.lockout", "locked", "until %s after %u failures",
				    log_utc(t.locked_until, when, sizeof(when)), t.failures);
		sodium_memzero(&p, sizeof(p));
	}
	return 1;
}

int throttle_success(struct daemon *d, const char *username)
{
	struct throttle old, zero;
	enum store_result r = STORE_CONFLICT;

	policy_throttle_clear(&zero);
	for (int i = 0; i < THROTTLE_PUT_ATTEMPTS && r == STORE_CONFLICT; i++) {
		r = store_throttle_get(d->store, username, &old);
		if (r != STORE_OK)
			break;
		/* Most logins had no failure before: nothing to write. */
		if (old.failures == 0 && old.locked_until == 0 && old.last_failure == 0)
			return 0;
		r = store_throttle_put(d->store, username, &old, &zero);
	}
	if (r != STORE_OK) {
		log_warnx("login: %s: cannot clear the failed logins: %s", username,
			  store_result_name(r));
		return -EIO;
	}
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
