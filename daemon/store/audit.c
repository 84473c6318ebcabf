/* SPDX-License-Identifier: BSD-3-Clause */
/* The audit log: every administrative call that changes something and
 * every security event of a login, appended to the store's audit table
 * and written to the log (the journal, when onboardd runs under
 * systemd).  Never a secret: callers pass names, outcomes and times,
 * and the detail is checked to be printable.  io.onboard.Admin.Audit
 * reads it back (admin_audit.c). */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "audit.h"
#include "audit_events.h"
#include "log.h"
#include "ob_protocol.h"
#include "policy_audit.h"
#include "text.h"

/* ------------------------------------------------------------ limits
 *
 * The log is bounded three ways.  Events anyone can cause at will (a
 * denied call, a read, a refused or failed login) are recorded at most
 * AUDIT_RATE_LIMIT a minute per caller (policy_audit_rate) and the rest
 * summed up in one event; a flood of 16,187 denied calls in 10 s used to
 * be 16,187 events.  Callers beyond AUDIT_SLOTS within a minute share
 * one count per kind, and all callers together get AUDIT_RATE_TOTAL
 * events and AUDIT_SUMMARY_TOTAL summaries a minute, the rest counted in
 * their caller's summary or the shared one (256 callers used to get
 * 2,570 events and 257 summaries a minute between them).  Every append
 * prunes, in the same transaction, events older than audit_retention
 * and, beyond audit_max_size, the oldest (store_audit_append_bounded):
 * the audit log never fills the map alone; those that go before their
 * retention are counted, shown by Status and warned of.
 * An event that still cannot be stored is counted, shown by Status, and
 * recorded as a count with the next event that can be. */

enum audit_kind {
	AUDIT_KIND_DENIED,
	AUDIT_KIND_READ,
	AUDIT_KIND_LOGIN,
	AUDIT_KIND_LOCKOUT,
	AUDIT_KINDS
};

static const char *const audit_kind_words[AUDIT_KINDS] = {
	[AUDIT_KIND_DENIED] = "denied calls",
	[AUDIT_KIND_READ] = "read calls",
	[AUDIT_KIND_LOGIN] = "refused or failed logins",
	[AUDIT_KIND_LOCKOUT] = "lockouts",
};

/* One caller's count.  A fixed table: callers beyond it share one slot
 * per kind, so that memory does not grow with them either. */
#define AUDIT_SLOTS 256
#define AUDIT_WHO_MAX 80

struct audit_slot {
	struct audit_rate rate;
	bool used;
	enum audit_kind kind;
	char who[AUDIT_WHO_MAX];
	struct audit_event last; /* the last event not recorded: whose they are */
};

static struct audit_slot audit_slots[AUDIT_SLOTS];
static struct audit_slot audit_others[AUDIT_KINDS];
/* All callers' events and single callers' summaries this minute. */
static struct audit_rate audit_all_events, audit_all_summaries;
static uint64_t audit_dropped_pending, audit_dropped_total;
/* Events pruned for room before their retention, and when the log last
 * said so. */
static uint64_t audit_pruned_total;
static int64_t audit_pruned_told;

uint64_t audit_dropped(void)
{
	return audit_dropped_total;
}

uint64_t audit_pruned(void)
{
	return audit_pruned_total;
}

const struct audit_bounds *audit_bounds(struct daemon *d, int64_t now, struct audit_bounds *b)
{
	uint64_t map = d->cfg.db_map_size;

	b->oldest = now > d->cfg.audit_retention ? now - d->cfg.audit_retention : 0;
	/* A quarter of the map by default, and never more than three
	 * quarters whatever is configured: the people come first. */
	b->max_bytes = d->cfg.audit_max_size ? d->cfg.audit_max_size : map / 4;
	if (map && b->max_bytes > map / 4 * 3)
		b->max_bytes = map / 4 * 3;
	return b;
}

static enum store_result audit_store(struct daemon *d, struct audit_event *e)
{
	struct audit_bounds b;
	uint64_t bytes = 0, events;
	unsigned pruned = 0;
	enum store_result r;
	bool full;

	audit_bounds(d, e->time, &b);
	/* The store prunes for room when its table is over max_bytes as it
	 * appends (the same measure): those events had not reached their
	 * retention, and an investigator must be able to learn that the log
	 * no longer reaches back that far. */
	full = b.max_bytes && store_audit_size(d->store, &bytes, &events) == STORE_OK &&
	       bytes > b.max_bytes;
	r = store_audit_append_bounded(d->store, e, &b, &pruned);
	if (!pruned)
		return r;
	if (!full) {
		log_debug("audit: pruned %u event%s older than audit_retention", pruned,
			  pruned == 1 ? "" : "s");
		return r;
	}
	audit_pruned_total += pruned;
	/* Told at once, then at most once an hour. */
	if (!audit_pruned_told || e->time < audit_pruned_told ||
	    e->time - audit_pruned_told >= 3600) {
		audit_pruned_told = e->time;
		log_warnx("audit: the audit log is at audit_max_size (%llu bytes): its oldest "
			  "events go before audit_retention, %llu so far",
			  (unsigned long long)b.max_bytes, (unsigned long long)audit_pruned_total);
	}
	return r;
}

/* Where a login's event happened, as LOG_WHERE wrote it at the end of
 * its detail ("... (service S, from H)"): the journal gets both as
 * fields of their own.  "" when the detail does not say. */
static void audit_where(const char *detail, char service[64], char rhost[256])
{
	const char *at = NULL;

	service[0] = rhost[0] = '\0';
	for (const char *p = detail; (p = strstr(p, "service ")); p++)
		at = p;
	if (!at || sscanf(at, "service %63[^,], from %255[^)]", service, rhost) != 2)
		service[0] = rhost[0] = '\0';
}

/* The line of e, as a journal entry with fields of its own where the
 * log is the journal (MESSAGE_ID per kind of event: audit_events.c and
 * catalog/onboard.catalog). */
static void audit_journal(const struct audit_event *e, const char *by)
{
	char id[24] = "", service[64], rhost[256];
	struct log_field f[] = {
		{ "ONBOARD_EVENT", e->event },   { "ONBOARD_USER", e->subject },
		{ "ONBOARD_ACTOR", by },         { "ONBOARD_RESULT", e->result },
		{ "ONBOARD_ORG", e->org },       { "ONBOARD_DETAIL", e->detail },
		{ "ONBOARD_SERVICE", service },  { "ONBOARD_RHOST", rhost },
		{ "ONBOARD_AUDIT_ID", id },
	};

	audit_where(e->detail, service, rhost);
	if (e->id)
		snprintf(id, sizeof(id), "%llu", (unsigned long long)e->id);
	log_entry(6, audit_event_kind(e->event)->message_id, f, sizeof(f) / sizeof(f[0]),
		  "audit: %s%s%s by %s: %s%s%s", e->event, e->subject[0] ? " of " : "", e->subject,
		  by, e->result, e->detail[0] ? ": " : "", e->detail);
}

/* The line of the log of e, stored (r) or not, and the count of the
 * events that could not be. */
static void audit_told(struct daemon *d, const struct audit_event *e, enum store_result r)
{
	char by[48];

	if (e->actor[0])
		snprintf(by, sizeof(by), "%s", e->actor);
	else if (e->uid >= 0)
		snprintf(by, sizeof(by), "uid %lld", (long long)e->uid);
	else
		snprintf(by, sizeof(by), "the login");
	audit_journal(e, by);
	if (r != STORE_OK) {
		audit_dropped_pending++;
		audit_dropped_total++;
		log_warnx("audit: the event could not be stored (%s): %llu event%s lost so far",
			  store_result_name(r), (unsigned long long)audit_dropped_total,
			  audit_dropped_total == 1 ? "" : "s");
		return;
	}
	if (audit_dropped_pending) {
		struct audit_event lost = { .uid = -1, .time = e->time };

		snprintf(lost.event, sizeof(lost.event), "audit.dropped");
		snprintf(lost.result, sizeof(lost.result), "lost");
		snprintf(lost.detail, sizeof(lost.detail),
			 "%llu event%s could not be recorded before this one",
			 (unsigned long long)audit_dropped_pending,
			 audit_dropped_pending == 1 ? "" : "s");
		if (audit_store(d, &lost) == STORE_OK) {
			log_warnx("audit: %s", lost.detail);
			audit_dropped_pending = 0;
		}
	}
}

static void audit_append(struct daemon *d, struct audit_event *e)
{
	e->time = d->now();
	audit_told(d, e, audit_store(d, e));
}

/* n suppressed events of a single caller whose summary is beyond
 * AUDIT_SUMMARY_TOTAL: counted in the shared summary of their kind. */
static void audit_fold(struct audit_slot *s, uint32_t n, int64_t now)
{
	struct audit_slot *o = &audit_others[s->kind];

	if (!o->rate.recorded && !o->rate.suppressed)
		o->rate.window = now;
	o->rate.suppressed = n > UINT32_MAX - o->rate.suppressed ? UINT32_MAX
								 : o->rate.suppressed + n;
	o->kind = s->kind;
	snprintf(o->who, sizeof(o->who), "other callers");
	o->last = s->last;
}

/* The events of a window that were not recorded, as one. */
static void audit_summary(struct daemon *d, struct audit_slot *s, uint32_t n)
{
	struct audit_event e = s->last;
	uint32_t ignored;

	if (!n)
		return;
	/* A summary of one caller is one more event: beyond the summaries
	 * of all callers a minute, its count goes to the shared one. */
	if (s->used && policy_audit_rate(&audit_all_summaries, AUDIT_SUMMARY_TOTAL, d->now(),
					 &ignored) == AUDIT_RATE_SUPPRESS) {
		audit_fold(s, n, d->now());
		return;
	}
	/* The shared slot sums up several callers: only root reads it. */
	if (!s->used) {
		e.uid = -1;
		e.actor[0] = e.subject[0] = e.org[0] = '\0';
	}
	snprintf(e.event, sizeof(e.event), "audit.summary");
	snprintf(e.result, sizeof(e.result), "suppressed");
	snprintf(e.detail, sizeof(e.detail), "%u %s by %s in the last minute (%s: %s), beyond %d",
		 n, audit_kind_words[s->kind], s->who, s->last.event, s->last.result,
		 AUDIT_RATE_LIMIT);
	audit_append(d, &e);
}

void audit_tick(struct daemon *d)
{
	int64_t now;
	uint32_t n;
	bool any = false;

	/* Most of the time nothing is counted: not even a look at the clock. */
	for (size_t i = 0; i < AUDIT_SLOTS && !any; i++)
		any = audit_slots[i].used;
	for (size_t i = 0; i < AUDIT_KINDS && !any; i++)
		any = audit_others[i].rate.recorded || audit_others[i].rate.suppressed;
	if (!any)
		return;
	now = d->now();

	for (size_t i = 0; i < AUDIT_SLOTS; i++) {
		struct audit_slot *s = &audit_slots[i];

		if (!s->used)
			continue;
		if (policy_audit_rate_expire(&s->rate, now, &n)) {
			audit_summary(d, s, n);
			memset(s, 0, sizeof(*s));
		}
	}
	for (size_t i = 0; i < AUDIT_KINDS; i++)
		if (policy_audit_rate_expire(&audit_others[i].rate, now, &n))
			audit_summary(d, &audit_others[i], n);
}

static struct audit_slot *audit_slot(enum audit_kind kind, const char *who)
{
	struct audit_slot *free = NULL;

	for (size_t i = 0; i < AUDIT_SLOTS; i++) {
		struct audit_slot *s = &audit_slots[i];

		if (!s->used) {
			if (!free)
				free = s;
		} else if (s->kind == kind && strcmp(s->who, who) == 0) {
			return s;
		}
	}
	if (!free) {
		free = &audit_others[kind];
		free->kind = kind;
		snprintf(free->who, sizeof(free->who), "other callers");
		return free;
	}
	free->used = true;
	free->kind = kind;
	text_printable(free->who, sizeof(free->who), who, TEXT_ASCII);
	return free;
}

/* e, unless its caller had AUDIT_RATE_LIMIT of this kind this minute. */
static void audit_limited(struct daemon *d, struct audit_event *e, enum audit_kind kind,
			  const char *who)
{
	struct audit_slot *s;
	uint32_t n;

	audit_tick(d);
	s = audit_slot(kind, who);
	e->time = d->now();
	if (policy_audit_rate_shared(&s->rate, AUDIT_RATE_LIMIT, &audit_all_events,
				     AUDIT_RATE_TOTAL, e->time, &n) == AUDIT_RATE_RECORD) {
		audit_summary(d, s, n);
		audit_append(d, e);
		return;
	}
	audit_summary(d, s, n);
	s->last = *e;
	if (s->rate.suppressed == 1 && s->rate.recorded >= AUDIT_RATE_LIMIT)
		log_info("audit: more than %d %s by %s this minute: the rest are counted, and "
			 "recorded as one event when the minute is over",
			 AUDIT_RATE_LIMIT, audit_kind_words[kind], s->who);
	else if (s->rate.suppressed == 1)
		log_info("audit: more than %d events a minute of all callers: %s by %s are "
			 "counted, and recorded as one event when the minute is over",
			 AUDIT_RATE_TOTAL, audit_kind_words[kind], s->who);
}

static void audit_vfill(struct audit_event *e, const char *subject, const char *org,
			const char *event, const char *result, const char *fmt, va_list ap)
{
	char detail[AUDIT_DETAIL_MAX + 1];

	/* Anything but printable ASCII becomes '?', so a name cannot forge
	 * a line of the log. */
	text_printable(e->subject, sizeof(e->subject), subject, TEXT_ASCII);
	text_printable(e->org, sizeof(e->org), org, TEXT_ASCII);
	text_printable(e->event, sizeof(e->event), event, TEXT_ASCII);
	text_printable(e->result, sizeof(e->result), result, TEXT_ASCII);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	text_printable(e->detail, sizeof(e->detail), detail, TEXT_ASCII);
}

void audit_admin(struct daemon *d, uid_t uid, const char *actor, enum audit_admin_count count,
		 const char *subject, const char *org, const char *event, const char *result,
		 const char *fmt, va_list ap)
{
	struct audit_event e = { .uid = uid };
	char who[AUDIT_WHO_MAX];

	audit_vfill(&e, subject, org, event, result, fmt, ap);
	text_printable(e.actor, sizeof(e.actor), actor, TEXT_ASCII);
	if (count == AUDIT_ADMIN_EVERY) {
		audit_append(d, &e);
		return;
	}
	if (e.actor[0])
		snprintf(who, sizeof(who), "%s", e.actor);
	else
		snprintf(who, sizeof(who), "uid %lld", (long long)uid);
	audit_limited(d, &e, count == AUDIT_ADMIN_READ ? AUDIT_KIND_READ : AUDIT_KIND_DENIED, who);
}

void audit_admin_fill(struct daemon *d, struct audit_event *e, uid_t uid, const char *actor,
		      const char *subject, const char *org, const char *event, const char *result,
		      const char *fmt, ...)
{
	va_list ap;

	memset(e, 0, sizeof(*e));
	e->uid = uid;
	e->time = d->now();
	va_start(ap, fmt);
	audit_vfill(e, subject, org, event, result, fmt, ap);
	va_end(ap);
	text_printable(e->actor, sizeof(e->actor), actor, TEXT_ASCII);
}

void audit_login_limited(struct daemon *d, const struct person *p, const char *event,
			 const char *result, const char *fmt, ...)
{
	struct audit_event e = { .uid = -1 };
	va_list ap;

	va_start(ap, fmt);
	audit_vfill(&e, p->username, p->org, event, result, fmt, ap);
	va_end(ap);
	/* A person's locks are counted apart from their failures: the ten
	 * wrong passwords that lock them must not crowd out the lock. */
	audit_limited(d, &e,
		      strcmp(event, "login.lockout") == 0 ? AUDIT_KIND_LOCKOUT : AUDIT_KIND_LOGIN,
		      e.subject);
}

void audit_host_limited(struct daemon *d, const char *who, const char *event,
			const char *result, const char *fmt, ...)
{
	struct audit_event e = { .uid = -1 };
	va_list ap;

	va_start(ap, fmt);
	audit_vfill(&e, NULL, NULL, event, result, fmt, ap);
	va_end(ap);
	audit_limited(d, &e, AUDIT_KIND_LOGIN, who);
}

/* An event of the daemon's own (no caller uid), appended. */
static void __attribute__((format(printf, 6, 0)))
audit_vappend(struct daemon *d, const char *subject, const char *org, const char *event,
	      const char *result, const char *fmt, va_list ap)
{
	struct audit_event e = { .uid = -1 };

	audit_vfill(&e, subject, org, event, result, fmt, ap);
	audit_append(d, &e);
}

void audit_host(struct daemon *d, const char *event, const char *result, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	audit_vappend(d, NULL, NULL, event, result, fmt, ap);
	va_end(ap);
}

void audit_login(struct daemon *d, const struct person *p, const char *event,
		 const char *result, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	audit_vappend(d, p->username, p->org, event, result, fmt, ap);
	va_end(ap);
}

void audit_login_fill(struct daemon *d, struct audit_event *e, const struct person *p,
		      const char *event, const char *result, const char *fmt, ...)
{
	va_list ap;

	memset(e, 0, sizeof(*e));
	e->uid = -1;
	e->time = d->now();
	va_start(ap, fmt);
	audit_vfill(e, p->username, p->org, event, result, fmt, ap);
	va_end(ap);
}

void audit_login_recorded(struct daemon *d, const struct audit_event *e)
{
	audit_told(d, e, STORE_OK);
}

void audit_log_refusal(struct daemon *d, struct audit_rate *rate, const char *fmt, ...)
{
	char line[OB_TEXT_MAX + 128];
	uint32_t quiet;
	va_list ap;

	if (policy_audit_rate(rate, AUDIT_LOG_REFUSALS, d->now(), &quiet) == AUDIT_RATE_SUPPRESS)
		return;
	if (quiet)
		log_info("%u more refusal%s like the next in the last minute, not logged one by "
			 "one (at most %d a minute)", quiet, quiet == 1 ? "" : "s",
			 AUDIT_LOG_REFUSALS);
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	log_info("%s", line);
}
