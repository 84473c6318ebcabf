/* SPDX-License-Identifier: BSD-3-Clause */
/* The audit log's rate rule, as a pure function like policy.h: events
 * anyone can cause at will (a denied call, a read, a refused or failed
 * login) are recorded at most AUDIT_RATE_LIMIT times a minute per
 * caller; the rest are counted and recorded as one summary event when
 * the minute is over ("N denied calls by X in the last minute").  No
 * clock, no storage, no I/O. */
#ifndef OB_POLICY_AUDIT_H
#define OB_POLICY_AUDIT_H

#include <stdbool.h>
#include <stdint.h>

#define AUDIT_RATE_WINDOW 60 /* seconds */
#define AUDIT_RATE_LIMIT 10  /* events recorded per caller and window */
/* All callers together, per window: a guesser who spreads over many
 * callers (people guessed at, kiosk sources, administrators) gets no
 * more than this, so that the growth of the audit log an attacker can
 * cause, and with it how soon they can push the oldest events out of
 * its share of the map, is bounded whatever they rotate. */
#define AUDIT_RATE_TOTAL 60    /* events recorded, of all callers */
#define AUDIT_SUMMARY_TOTAL 60 /* summaries of single callers */

/* One caller's window.  All zero: nothing counted. */
struct audit_rate {
	int64_t window;      /* when the current window began */
	uint32_t recorded;   /* events recorded in it */
	uint32_t suppressed; /* events counted, not recorded, in it */
};

enum audit_rate_verdict {
	AUDIT_RATE_RECORD,
	AUDIT_RATE_SUPPRESS,
};

/* One more event of the caller at now, at most limit recorded per
 * window.  When an earlier window is over (or the clock went back) and
 * held suppressed events, *summary receives their number, to be
 * recorded before this event; else 0. */
enum audit_rate_verdict policy_audit_rate(struct audit_rate *r, uint32_t limit, int64_t now,
					  uint32_t *summary);

/* policy_audit_rate for a caller (r, limit) whose events also count
 * against all callers' (all, total): an event the caller may record but
 * all callers may not is counted as the caller's suppressed one, so that
 * their summary still tells it.  *summary as policy_audit_rate's for r. */
enum audit_rate_verdict policy_audit_rate_shared(struct audit_rate *r, uint32_t limit,
						 struct audit_rate *all, uint32_t total, int64_t now,
						 uint32_t *summary);

/* At now, with no new event: when the window is over, *summary receives
 * what it suppressed (0 for none) and r is cleared.  Returns true when r
 * holds nothing any more (the caller may forget it). */
bool policy_audit_rate_expire(struct audit_rate *r, int64_t now, uint32_t *summary);

#endif
