/* SPDX-License-Identifier: BSD-3-Clause */
/* The rules of onboard, pure: time is a parameter, nothing is read or
 * written.  The words a person reads at the login prompt are in
 * policy_text.c; a rule that explains itself (policy_split_name, and
 * policy_add_message for the administrator) words its reason here. */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sodium.h>

#include "policy.h"
#include "utf8.h"
#include "validate.h"

enum code_status policy_code_status(const struct access_code *c, int64_t now)
{
	switch (c->state) {
	case CODE_USED:
		return CODE_STATUS_USED;
	case CODE_REVOKED:
		return CODE_STATUS_REVOKED;
	case CODE_SUPERSEDED:
		return CODE_STATUS_SUPERSEDED;
	case CODE_ACTIVE:
		return now >= c->expires ? CODE_STATUS_EXPIRED : CODE_STATUS_ACTIVE;
	}
	/* An unknown stored state is never usable. */
	return CODE_STATUS_REVOKED;
}

const char *policy_code_status_name(enum code_status s)
{
	switch (s) {
	case CODE_STATUS_ACTIVE:
		return "active";
	case CODE_STATUS_USED:
		return "used";
	case CODE_STATUS_REVOKED:
		return "revoked";
	case CODE_STATUS_SUPERSEDED:
		return "superseded";
	case CODE_STATUS_EXPIRED:
		return "expired";
	}
	return "unknown";
}

enum add_verdict policy_user_add(bool in_onboard, enum account_kind kind, bool existing_account)
{
	if (in_onboard)
		return ADD_TAKEN;
	switch (kind) {
	case ACCOUNT_SYSTEM:
		return ADD_SYSTEM_ACCOUNT;
	case ACCOUNT_REGULAR:
		return existing_account ? ADD_OK : ADD_UNIX_EXISTS;
	case ACCOUNT_NONE:
		return existing_account ? ADD_NO_UNIX_ACCOUNT : ADD_OK;
	}
	return ADD_SYSTEM_ACCOUNT;
}

const char *policy_add_message(enum add_verdict v, const char *username, char *buf, size_t size)
{
	switch (v) {
	case ADD_OK:
		snprintf(buf, size, "%s can be added", username);
		break;
	case ADD_TAKEN:
		snprintf(buf, size, "username %s is already registered in onboard", username);
		break;
	case ADD_SYSTEM_ACCOUNT:
		snprintf(buf, size, "username %s belongs to root or a system account of this host "
			 "and cannot be managed by onboard", username);
		break;
	case ADD_UNIX_EXISTS:
		snprintf(buf, size, "a Unix account named %s already exists on this host; "
			 "add --existing-account to let onboard manage it", username);
		break;
	case ADD_NO_UNIX_ACCOUNT:
		snprintf(buf, size, "--existing-account given, but there is no Unix account "
			 "named %s on this host", username);
		break;
	}
	return buf;
}

enum login_entry policy_login_entry(const struct person *p, const struct access_code *c,
				    int64_t now)
{
	if (p->flags & PERSON_DISABLED)
		return LOGIN_ENTRY_DISABLED;
	if (p->pwhash[0])
		return LOGIN_ENTRY_SECRET;
	if (c && policy_code_status(c, now) == CODE_STATUS_ACTIVE)
		return LOGIN_ENTRY_SECRET;
	return LOGIN_ENTRY_UNFINISHED;
}

/* Code points in well-formed UTF-8; control characters make it invalid. */
static bool password_chars(const char *pw, size_t *count)
{
	size_t n = 0;

	if (!validate_utf8(pw, strlen(pw)))
		return false;
	for (const unsigned char *s = (const unsigned char *)pw; *s; s++) {
		if (*s < 0x20 || *s == 0x7f)
			return false;
		if ((*s & 0xc0) != 0x80)
			n++;
	}
	*count = n;
	return true;
}

/* Lower case for the letters names are mostly written in: ASCII,
 * Latin-1, Greek and Cyrillic.  Anything else compares as it is. */
static uint32_t name_fold(uint32_t cp)
{
	if ((cp >= 'A' && cp <= 'Z') || (cp >= 0xc0 && cp <= 0xde && cp != 0xd7) ||
	    (cp >= 0x391 && cp <= 0x3a9) || (cp >= 0x410 && cp <= 0x42f))
		return cp + 0x20;
	if (cp >= 0x400 && cp <= 0x40f)
		return cp + 0x50;
	return cp;
}

/* Whether the word w[0..wn) occurs in pw, letters compared folded.  Both
 * are valid UTF-8 (the name by its rule, pw by password_chars). */
static bool contains_folded(const char *pw, const char *w, size_t wn)
{
	const unsigned char *p = (const unsigned char *)pw, *u = (const unsigned char *)w;
	size_t n = strlen(pw), start = 0;
	uint32_t a, b;

	while (start < n) {
		size_t i = start, k = 0;
		bool same = true;

		while (same && k < wn) {
			same = i < n && utf8_next(p, n, &i, &a) && utf8_next(u, wn, &k, &b) &&
			       name_fold(a) == name_fold(b);
		}
		if (same)
			return true;
		i = start;
		if (!utf8_next(p, n, &i, &a))
			return false;
		start = i;
	}
	return false;
}

/* Whether pw contains one of the words of name (split at spaces, dashes,
 * apostrophes and dots) that has at least 3 letters: "TomTink2024!"
 * for Tom Tink.  Shorter words (Al, Li, de) are in too many passwords
 * to mean anything. */
static bool contains_name(const char *pw, const char *name)
{
	size_t i = 0, n = strlen(name);

	while (i < n) {
		size_t w = strcspn(name + i, " -'.");
		size_t letters = 0;

		for (size_t k = 0; k < w; k++)
			if (((unsigned char)name[i + k] & 0xc0) != 0x80)
				letters++;
		if (letters >= 3 && contains_folded(pw, name + i, w))
			return true;
		i += w + 1;
	}
	return false;
}

/* Whether pw contains the person's first or last name, or a word of
 * either (any case); the whole of both, as a pair, is in it then too. */
static bool password_is_name(const char *pw, const struct person *p)
{
	return contains_name(pw, p->first_name) || contains_name(pw, p->last_name);
}

enum password_verdict policy_password(const struct password_rules *r, const char *pw,
				      const char *confirm, const struct person *p)
{
	size_t n;

	if (strcmp(pw, confirm) != 0)
		return PASSWORD_MISMATCH;
	if (!password_chars(pw, &n))
		return PASSWORD_BAD_CHARACTERS;
	if (n < r->min_length)
		return PASSWORD_TOO_SHORT;
	if (n > r->max_length)
		return PASSWORD_TOO_LONG;
	if (strcasecmp(pw, p->username) == 0)
		return PASSWORD_IS_USERNAME;
	if (password_is_name(pw, p))
		return PASSWORD_IS_NAME;
	return PASSWORD_OK;
}

enum password_verdict policy_password_change(const struct password_rules *r, const char *pw,
					     const char *confirm, const struct person *p,
					     const char *current)
{
	enum password_verdict v = policy_password(r, pw, confirm, p);
	size_t len = strlen(pw);

	/* Both are secrets: compared in constant time once the lengths agree. */
	if (v == PASSWORD_OK && len == strlen(current) && sodium_memcmp(pw, current, len) == 0)
		return PASSWORD_UNCHANGED;
	return v;
}

enum mfa_step policy_mfa_step(enum mfa_mode mode, const struct person *p)
{
	if (!p->pwhash[0] || mode == MFA_OFF)
		return MFA_STEP_NONE;
	if (p->flags & PERSON_MFA_ENROLLED)
		return MFA_STEP_VERIFY;
	return mode == MFA_REQUIRED ? MFA_STEP_ENROL : MFA_STEP_NONE;
}

enum person_state policy_person_state(enum mfa_mode mode, const struct person *p)
{
	if (p->flags & PERSON_DISABLED)
		return PERSON_STATE_DISABLED;
	if (!p->pwhash[0])
		return PERSON_STATE_UNFINISHED;
	if (policy_mfa_step(mode, p) == MFA_STEP_ENROL)
		return PERSON_STATE_PASSWORD_SET;
	return PERSON_STATE_ACTIVE;
}

const char *policy_person_state_name(enum person_state s)
{
	switch (s) {
	case PERSON_STATE_UNFINISHED:
		return "unfinished";
	case PERSON_STATE_PASSWORD_SET:
		return "password_set";
	case PERSON_STATE_ACTIVE:
		return "active";
	case PERSON_STATE_DISABLED:
		return "disabled";
	}
	return "unknown";
}

unsigned policy_password_min(enum mfa_mode mode, unsigned configured)
{
	/* NIST SP 800-63B: 8 with a second factor, 15 when it is the only one. */
	if (mode == MFA_OFF && configured < 15)
		return 15;
	return configured;
}

enum account_verdict policy_account(const struct person *p)
{
	if (p->flags & PERSON_DISABLED)
		return ACCOUNT_DISABLED;
	if (!p->pwhash[0])
		return ACCOUNT_UNFINISHED;
	return ACCOUNT_OK;
}

enum account_verdict policy_account_phase(enum mfa_mode mode, const struct person *p)
{
	enum account_verdict v = policy_account(p);

	if (v != ACCOUNT_OK)
		return v;
	if (policy_mfa_step(mode, p) == MFA_STEP_ENROL)
		return ACCOUNT_NO_AUTHENTICATOR;
	return ACCOUNT_OK;
}

struct throttle_rules policy_throttle_rules(const struct config *c)
{
	struct throttle_rules r = {
		.attempts = c->lockout_attempts,
		.total_attempts = c->lockout_total_attempts,
		.lock_seconds = (int64_t)c->lockout_minutes * 60,
	};

	return r;
}

/* The wait after failures: nothing for the first free ones, then first
 * seconds, doubling at each failure, never more than max. */
static int64_t policy_backoff(uint32_t failures, uint32_t free, int64_t first, int64_t max)
{
	int64_t d = first;

	if (failures <= free)
		return 0;
	/* Doubling stops at the cap: no shift can overflow. */
	for (uint32_t i = failures - free - 1; i > 0 && d < max; i--)
		d *= 2;
	return d < max ? d : max;
}

int64_t policy_throttle_delay(uint32_t failures)
{
	return policy_backoff(failures, THROTTLE_FREE_FAILURES, 2, THROTTLE_DELAY_MAX);
}

static struct throttle_place *throttle_place_find(struct throttle *t,
						   const uint8_t key[THROTTLE_PLACE_BYTES])
{
	for (unsigned i = 0; i < t->nplaces && i < THROTTLE_PLACES; i++)
		if (memcmp(t->places[i].key, key, THROTTLE_PLACE_BYTES) == 0)
			return &t->places[i];
	return NULL;
}

static void throttle_place_drop(struct throttle *t, struct throttle_place *pl)
{
	size_t i = (size_t)(pl - t->places);

	memmove(pl, pl + 1, (t->nplaces - i - 1) * sizeof(*pl));
	t->nplaces--;
	memset(&t->places[t->nplaces], 0, sizeof(*pl));
}

void policy_throttle_expire(struct throttle *t, int64_t now)
{
	if (t->nplaces > THROTTLE_PLACES)
		t->nplaces = THROTTLE_PLACES;
	if (t->locked_until && now >= t->locked_until) {
		policy_throttle_clear(t);
		return;
	}
	for (unsigned i = t->nplaces; i-- > 0;)
		if (t->places[i].locked_until && now >= t->places[i].locked_until)
			throttle_place_drop(t, &t->places[i]);
}

enum throttle_verdict policy_throttle_check(const struct throttle *stored,
					    const struct throttle_rules *r,
					    const uint8_t place[THROTTLE_PLACE_BYTES], int64_t now,
					    int64_t *until)
{
	struct throttle t = *stored;
	struct throttle_place *pl;
	int64_t delay;

	(void)r;
	*until = 0;
	policy_throttle_expire(&t, now);
	if (t.locked_until) {
		*until = t.locked_until;
		return THROTTLE_LOCKED;
	}
	pl = throttle_place_find(&t, place);
	if (!pl)
		return THROTTLE_ALLOW;
	if (pl->locked_until) {
		*until = pl->locked_until;
		return THROTTLE_LOCKED;
	}
	delay = policy_throttle_delay(pl->failures);
	/* A clock that went back makes no one wait: the delay only slows
	 * guessing, the lock is what stops it. */
	if (delay && now >= pl->last_failure && now - pl->last_failure < delay) {
		*until = pl->last_failure + delay;
		return THROTTLE_DELAY;
	}
	return THROTTLE_ALLOW;
}

static int64_t throttle_lock_end(const struct throttle_rules *r, int64_t now)
{
	return now > INT64_MAX - r->lock_seconds ? INT64_MAX : now + r->lock_seconds;
}

bool policy_throttle_fail(struct throttle *t, const struct throttle_rules *r,
			  const uint8_t place[THROTTLE_PLACE_BYTES], int64_t now, int64_t *until)
{
	struct throttle_place *pl;
	int64_t dummy;

	if (!until)
		until = &dummy;
	*until = 0;
	policy_throttle_expire(t, now);
	if (t->locked_until) {
		*until = t->locked_until;
		return true;
	}
	pl = throttle_place_find(t, place);
	if (pl && pl->locked_until) {
		*until = pl->locked_until;
		return true;
	}
	if (!pl) {
		/* Full: the place whose last failure is oldest makes room, one
		 * that is not locked first (failing from other places must not
		 * unlock it). */
		if (t->nplaces == THROTTLE_PLACES) {
			struct throttle_place *old = NULL;

			for (unsigned i = 0; i < THROTTLE_PLACES; i++) {
				struct throttle_place *c = &t->places[i];

				if (!old || (!c->locked_until && old->locked_until) ||
				    (!c->locked_until == !old->locked_until &&
				     c->last_failure < old->last_failure))
					old = c;
			}
			throttle_place_drop(t, old);
		}
		pl = &t->places[t->nplaces++];
		memset(pl, 0, sizeof(*pl));
		memcpy(pl->key, place, THROTTLE_PLACE_BYTES);
	}
	if (pl->failures < UINT32_MAX)
		pl->failures++;
	pl->last_failure = now;
	if (t->failures < UINT32_MAX)
		t->failures++;
	t->last_failure = now;
	if (t->failures >= r->total_attempts) {
		t->locked_until = throttle_lock_end(r, now);
		*until = t->locked_until;
		return true;
	}
	if (pl->failures >= r->attempts) {
		pl->locked_until = throttle_lock_end(r, now);
		*until = pl->locked_until;
		return true;
	}
	return false;
}

void policy_throttle_success(struct throttle *t, const uint8_t place[THROTTLE_PLACE_BYTES])
{
	struct throttle_place *pl;

	if (t->nplaces > THROTTLE_PLACES)
		t->nplaces = THROTTLE_PLACES;
	t->failures = 0;
	t->last_failure = 0;
	t->locked_until = 0;
	pl = throttle_place_find(t, place);
	if (pl)
		throttle_place_drop(t, pl);
}

void policy_throttle_clear(struct throttle *t)
{
	memset(t, 0, sizeof(*t));
}

unsigned policy_throttle_places_locked(const struct throttle *t, int64_t now, int64_t *until)
{
	unsigned n = 0;

	*until = 0;
	for (unsigned i = 0; i < t->nplaces && i < THROTTLE_PLACES; i++)
		if (now < t->places[i].locked_until) {
			n++;
			if (t->places[i].locked_until > *until)
				*until = t->places[i].locked_until;
		}
	return n;
}

/* ---------------------------------------------------------- invitations */

enum invite_status policy_invite_status(const struct invitation *inv, int64_t now)
{
	switch (inv->state) {
	case INVITE_ACCEPTED:
		return INVITE_STATUS_ACCEPTED;
	case INVITE_REVOKED:
		return INVITE_STATUS_REVOKED;
	case INVITE_SUPERSEDED:
		return INVITE_STATUS_SUPERSEDED;
	case INVITE_PENDING:
		return now >= inv->expires ? INVITE_STATUS_EXPIRED : INVITE_STATUS_PENDING;
	}
	/* An unknown stored state is never usable. */
	return INVITE_STATUS_REVOKED;
}

const char *policy_invite_status_name(enum invite_status s)
{
	switch (s) {
	case INVITE_STATUS_PENDING:
		return "pending";
	case INVITE_STATUS_ACCEPTED:
		return "accepted";
	case INVITE_STATUS_REVOKED:
		return "revoked";
	case INVITE_STATUS_SUPERSEDED:
		return "superseded";
	case INVITE_STATUS_EXPIRED:
		return "expired";
	}
	return "unknown";
}

bool policy_invite_entry(const struct person *p, const struct invitation *inv)
{
	if (!inv || (p->flags & PERSON_DISABLED) || p->pwhash[0])
		return false;
	return inv->state != INVITE_ACCEPTED;
}

const char *policy_split_name(const char *typed, char first[OB_NAME_MAX + 1],
			      char last[OB_NAME_MAX + 1], char *buf, size_t size)
{
	const char *start = typed, *end, *space;
	size_t flen, llen;

	first[0] = last[0] = '\0';
	while (*start == ' ' || *start == '\t')
		start++;
	end = start + strlen(start);
	while (end > start && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	space = NULL;
	for (const char *q = start; q < end; q++)
		if (*q == ' ')
			space = q;
	if (!space) {
		snprintf(buf, size, "Type your first and last name with a space between them, "
			 "for example: Ada Lovelace.");
		return buf;
	}
	llen = (size_t)(end - space - 1);
	for (flen = (size_t)(space - start); flen > 0 && start[flen - 1] == ' '; flen--)
		;
	if (flen > OB_NAME_MAX || llen > OB_NAME_MAX) {
		snprintf(buf, size, "A first or last name may have at most %d bytes.", OB_NAME_MAX);
		return buf;
	}
	memcpy(first, start, flen);
	first[flen] = '\0';
	memcpy(last, space + 1, llen);
	last[llen] = '\0';
	if (validate_name(first, "first name", buf, size) ||
	    validate_name(last, "last name", buf, size)) {
		first[0] = last[0] = '\0';
		return buf;
	}
	return NULL;
}

bool policy_terms_accepted(const char *answer)
{
	size_t n;

	while (*answer == ' ' || *answer == '\t')
		answer++;
	n = strlen(answer);
	while (n > 0 && (answer[n - 1] == ' ' || answer[n - 1] == '\t'))
		n--;
	return n == 3 && strncasecmp(answer, "yes", 3) == 0;
}

/* ----------------------------------------- access-code guesses per source */

int64_t policy_source_delay(uint32_t failures)
{
	return policy_backoff(failures, SOURCE_FREE_FAILURES, 1, SOURCE_DELAY_MAX);
}

void policy_source_expire(struct throttle *t, const struct throttle_rules *r, int64_t now)
{
	if (t->locked_until) {
		if (now >= t->locked_until)
			policy_throttle_clear(t);
		return;
	}
	/* Nobody proves anything for a source, so nothing clears it but
	 * time: a quiet lock_seconds since the last wrong code. */
	if (t->failures && now >= t->last_failure && now - t->last_failure >= r->lock_seconds)
		policy_throttle_clear(t);
}

enum throttle_verdict policy_source_check(const struct throttle *t,
					  const struct throttle_rules *r, int64_t now,
					  int64_t *until)
{
	struct throttle c = *t;
	int64_t delay;

	*until = 0;
	policy_source_expire(&c, r, now);
	if (c.locked_until) {
		*until = c.locked_until;
		return THROTTLE_LOCKED;
	}
	delay = policy_source_delay(c.failures);
	/* As for a person: a clock that went back makes no one wait. */
	if (delay && now >= c.last_failure && now - c.last_failure < delay) {
		*until = c.last_failure + delay;
		return THROTTLE_DELAY;
	}
	return THROTTLE_ALLOW;
}

bool policy_source_fail(struct throttle *t, const struct throttle_rules *r, int64_t now)
{
	policy_source_expire(t, r, now);
	if (t->locked_until)
		return true;
	if (t->failures < UINT32_MAX)
		t->failures++;
	t->last_failure = now;
	if (t->failures < r->attempts)
		return false;
	t->locked_until = now > INT64_MAX - r->lock_seconds ? INT64_MAX : now + r->lock_seconds;
	return true;
}
