/* SPDX-License-Identifier: BSD-3-Clause */
/* Throttling of logins, per person and place (the remote host, else the
 * terminal, else the service, as a key of THROTTLE_PLACE_BYTES: the
 * first bytes of throttle_source_key): the policy's rules
 * (policy_throttle_*) applied to what the store keeps, with compare-and-swap so that two
 * dialogues failing at once both count; and per source for access-code
 * guesses without a username (kiosk), in memory. */
#ifndef OB_THROTTLE_H
#define OB_THROTTLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "daemon.h"
#include "policy.h"

/* May username try a secret now?  Returns THROTTLE_ALLOW, or
 * THROTTLE_DELAY or THROTTLE_LOCKED with *until set; -EIO when the store
 * cannot say, or when a failure of the person's (or, after the daemon's
 * table of them filled, anyone's) could not be recorded and still cannot
 * (the caller refuses: a lock must never be skipped, and a failure the
 * store cannot take must not be a free guess). */
int throttle_gate(struct daemon *d, const char *username,
		  const uint8_t place[THROTTLE_PLACE_BYTES], int64_t *until);

/* throttle_gate in its parts, for a caller that reads the person's
 * throttle with the person (one read of the person per step, issue 11).
 * throttle_pending writes the failures kept in memory (see
 * throttle_gate) first: 0 when there were none of username's (or,
 * after the table filled, anyone's), 1 when they are written now (the
 * stored throttle changed: read it again), -EIO when they still cannot
 * be (refuse).  throttle_check is the verdict on t, as read: what
 * throttle_gate returns but -EIO. */
int throttle_pending(struct daemon *d, const char *username);
int throttle_check(struct daemon *d, const struct throttle *t,
		   const uint8_t place[THROTTLE_PLACE_BYTES], int64_t *until);

/* Count one failed secret from place (what: "password", "access code",
 * ... for the log).  Returns 1 when the person is locked now, from there
 * or everywhere (*until: till when), 0
 * when not, -EIO when the failure could not be recorded: it is then kept
 * in memory, and throttle_gate refuses the person until it is written.
 * A lock is logged with the person's name. */
int throttle_failure(struct daemon *d, const char *username,
		     const uint8_t place[THROTTLE_PLACE_BYTES], const char *what,
		     const char *service, const char *rhost, int64_t *until);

/* throttle_failure with what the caller read: read (may be NULL) the
 * person's throttle as read in this step, which the first write expects
 * (compare-and-swap: a conflict reads it anew), and on 0 or 1 what is
 * stored now; p (may be NULL) the person, for the audit event of a
 * lock, instead of reading them again. */
int throttle_failure_of(struct daemon *d, const char *username, const struct person *p,
			struct throttle *read, const uint8_t place[THROTTLE_PLACE_BYTES],
			const char *what, const char *service, const char *rhost, int64_t *until);

/* A successful login from place: the count in a row starts again, and
 * the place's (policy_throttle_success).  Returns 0 or -EIO. */
int throttle_success(struct daemon *d, const char *username,
		     const uint8_t place[THROTTLE_PLACE_BYTES]);
/* The same from read (may be NULL), the throttle as read in this step:
 * nothing is read when it has nothing to clear; a write expects it, and
 * on 0 it holds what is stored. */
int throttle_success_of(struct daemon *d, const char *username, struct throttle *read,
			const uint8_t place[THROTTLE_PLACE_BYTES]);

/* Access-code guesses without a username (kiosk), per source: the
 * policy's rules (policy_source_*) over a table in the daemon's memory.
 * A source is known by a hash of what names it, so every entry has one
 * size; the table holds THROTTLE_SOURCES_MAX of them, and a source is
 * forgotten only when its count has run out (policy_source_expire).
 * When every slot holds a source that still counts, a new source is not
 * given one: its wrong codes count in one shared throttle, "overflow",
 * under the same rules, and every source the table does not hold waits
 * or is locked with it.  A guesser who spreads over more sources than
 * the table holds therefore gets attempts guesses per lock_seconds for
 * all the extra sources together, not attempts for each (the table used
 * to forget the oldest: 1,100 rotating hosts then guessed without end).
 * Memory never grows, whatever an attacker sends. */
#define THROTTLE_SOURCE_BYTES 16
#define THROTTLE_SOURCES_MAX 1024

struct throttle_source {
	uint8_t key[THROTTLE_SOURCE_BYTES];
	struct throttle t;
	uint64_t used; /* the table's tick at the last lookup: 0 for a free slot */
};

struct throttle_sources {
	struct throttle_source e[THROTTLE_SOURCES_MAX];
	struct throttle overflow; /* sources the full table could not hold */
	uint64_t tick;
};

/* What throttle_sources_fail did with a wrong code. */
enum source_outcome {
	SOURCE_COUNTED,          /* counted for the source */
	SOURCE_LOCKED,           /* counted, and the source is locked */
	SOURCE_OVERFLOW,         /* the table is full: counted in the overflow */
	SOURCE_OVERFLOW_LOCKED,  /* ... and every source outside the table is locked */
};

/* The key of a source: the remote host when the application gave one,
 * else the terminal, else the service ("" when none).  kind is "rhost",
 * "tty" or "service". */
void throttle_source_key(const char *kind, const char *value,
			 uint8_t key[THROTTLE_SOURCE_BYTES]);

/* The table alone, clock and rules passed in (unit tests). */
enum throttle_verdict throttle_sources_check(struct throttle_sources *s,
					     const uint8_t key[THROTTLE_SOURCE_BYTES],
					     const struct throttle_rules *r, int64_t now,
					     int64_t *until);
enum source_outcome throttle_sources_fail(struct throttle_sources *s,
					  const uint8_t key[THROTTLE_SOURCE_BYTES],
					  const struct throttle_rules *r, int64_t now, int64_t *until);
/* Sources the table holds now. */
size_t throttle_sources_count(const struct throttle_sources *s);

/* An administrator's unlock of a source: forget its count and lock.
 * *was receives what there was; false when the table does not hold the
 * source (nothing to lift). */
bool throttle_source_unlock(const uint8_t key[THROTTLE_SOURCE_BYTES], struct throttle *was);

/* The daemon's own table (one daemon per process), with its clock and
 * configuration.  gate: THROTTLE_ALLOW, or THROTTLE_DELAY or
 * THROTTLE_LOCKED with *until.  failure, called after gate allowed the
 * code: 1 when the source is locked now (*until: till when), 0 when not;
 * name is the source as the log shows it.  A lock is logged and audited. */
int throttle_source_gate(struct daemon *d, const uint8_t key[THROTTLE_SOURCE_BYTES],
			 int64_t *until);
int throttle_source_failure(struct daemon *d, const uint8_t key[THROTTLE_SOURCE_BYTES],
			    const char *name, int64_t *until);

#endif
