/* SPDX-License-Identifier: BSD-3-Clause */
/* The audit log's entry for the login side, and for administrative
 * calls through admin_audit (admin_private.h), which calls audit_admin. */
#ifndef OB_AUDIT_H
#define OB_AUDIT_H

#include <stdarg.h>
#include <sys/types.h>

#include "daemon.h"
#include "policy_audit.h"

/* Append an audit event of a login dialogue about person p: event
 * ("login.code", "login.mfa_enrolled", ...), result, and a detail that
 * never holds a secret. */
void audit_login(struct daemon *d, const struct person *p, const char *event,
		 const char *result, const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* The same event filled in (with its time) but not appended, for a change
 * of the login's that records it in its own transaction, both or neither
 * in one durable commit (store_code_redeem, store_invite_accept,
 * store_people_write_audited, within audit_bounds).  Once that change is
 * committed, audit_login_recorded does what audit_login does after its
 * append: the line of the log, and the count of events lost before it.
 * A change that fails has stored no event: audit_login records its
 * failure on its own, as before. */
void audit_login_fill(struct daemon *d, struct audit_event *e, const struct person *p,
		      const char *event, const char *result, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));
void audit_login_recorded(struct daemon *d, const struct audit_event *e);

/* The bounds the audit log is kept within at now (audit_retention,
 * audit_max_size), for a change that appends its events itself: b,
 * filled. */
const struct audit_bounds *audit_bounds(struct daemon *d, int64_t now, struct audit_bounds *b);

/* An event of a login that concerns no person yet (a kiosk source locked
 * by wrong access codes); only root reads it, as it has no organisation. */
void audit_host(struct daemon *d, const char *event, const char *result, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* The same for events anyone can cause at will (a refusal at this host,
 * a wrong password or code, a lock, "login.lockout", counted apart from
 * the others): at most AUDIT_RATE_LIMIT a minute per
 * person (or, for audit_host_limited, per who: the source), the rest
 * recorded as one summary event when the minute is over. */
void audit_login_limited(struct daemon *d, const struct person *p, const char *event,
			 const char *result, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
void audit_host_limited(struct daemon *d, const char *who, const char *event,
			const char *result, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

/* An administrative call's event, as admin_audit and
 * admin_audit_limited file it: by uid (actor, their username, or ""),
 * about subject (may be NULL) in org.  EVERY records it; READ and DENIED
 * count it as a read or a denied call of actor's (or of "uid N") under
 * the rate rule of audit_login_limited. */
enum audit_admin_count { AUDIT_ADMIN_EVERY, AUDIT_ADMIN_READ, AUDIT_ADMIN_DENIED };
void audit_admin(struct daemon *d, uid_t uid, const char *actor, enum audit_admin_count count,
		 const char *subject, const char *org, const char *event, const char *result,
		 const char *fmt, va_list ap) __attribute__((format(printf, 9, 0)));

/* The same event filled in (with its time) but not appended, for a call
 * that records its events in the transaction of its change
 * (store_codes_issue_many) and writes one line to the log for all of
 * them itself. */
void audit_admin_fill(struct daemon *d, struct audit_event *e, uid_t uid, const char *actor,
		      const char *subject, const char *org, const char *event, const char *result,
		      const char *fmt, ...) __attribute__((format(printf, 9, 10)));

/* Record the summaries of the windows that are over (also done at each
 * event; call it where time passes without one). */
void audit_tick(struct daemon *d);

/* The most events one Audit call reads: a page ends there, with "next",
 * even with no event of the caller's on it (10,000 take about 50 ms). */
#define AUDIT_SCAN_MAX 10000

/* Events that could not be stored since the daemon started. */
uint64_t audit_dropped(void);
/* Events pruned for room (audit_max_size) before their audit_retention
 * since the daemon started. */
uint64_t audit_pruned(void);

/* Log a refusal that any local user can cause at will (a call they may
 * not make, a login that is not theirs to check): at most
 * AUDIT_LOG_REFUSALS lines a minute for each rate (one per kind of
 * refusal, kept by the caller), the rest counted in one line with the
 * first refusal logged after the minute.  A line each (1,600 a second
 * from one client) would be enough for journald's rate limit to drop
 * every line of onboardd, other people's lockouts among them.  The audit
 * log records them under its own rule. */
#define AUDIT_LOG_REFUSALS 10
void audit_log_refusal(struct daemon *d, struct audit_rate *rate, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
