/* The audit log: every administrative call that changes something and
 * every security event of a login, appended to the store's audit table
 * and written to the log (the journal, when onboardd runs under
 * systemd).  Never a secret: callers pass names, outcomes and times,
 * and the detail is checked to be printable.  io.onboard.Admin.Audit
 * reads it back. */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "admin_private.h"
#include "admin_reply.h"
#include <sodium.h>

#include "audit.h"
#include "log.h"
#include "ob_protocol.h"
#include "policy_audit.h"
#include "text.h"
#include "validate.h"
#include "varlink.h"

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

static const struct audit_bounds *audit_bounds(struct daemon *d, int64_t now,
					       struct audit_bounds *b)
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

static void audit_append(struct daemon *d, struct audit_event *e)
{
	enum store_result r;

	char by[48];

	e->time = d->now();
	r = audit_store(d, e);
	if (e->actor[0])
		snprintf(by, sizeof(by), "%s", e->actor);
	else if (e->uid >= 0)
		snprintf(by, sizeof(by), "uid %lld", (long long)e->uid);
	else
		snprintf(by, sizeof(by), "the login");
	log_info("audit: %s%s%s by %s: %s%s%s", e->event, e->subject[0] ? " of " : "",
		 e->subject, by, e->result, e->detail[0] ? ": " : "", e->detail);
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

/* The organisation an event about subject is filed under, when the
 * caller gave none: the person's, as long as the caller sees it.  A call
 * that named someone of another organisation (to them, no such person)
 * is the caller's own business, and not for the other organisation's
 * auditors to read. */
static const char *admin_audit_org(struct admin_ctx *x, const char *subject, const char *org,
				   char porg[OB_ORG_MAX + 1])
{
	struct person p;

	if (org || !subject)
		return org;
	if (store_person_get(x->d->store, subject, &p) == STORE_OK &&
	    policy_admin_sees(&x->a, p.org)) {
		snprintf(porg, OB_ORG_MAX + 1, "%s", p.org);
		org = porg;
	}
	sodium_memzero(&p, sizeof(p));
	return org;
}

void admin_audit(struct admin_ctx *x, const char *subject, const char *org, const char *event,
		 const char *result, const char *fmt, ...)
{
	struct audit_event e = { .uid = x->uid };
	char porg[OB_ORG_MAX + 1] = "";
	va_list ap;

	org = admin_audit_org(x, subject, org, porg);
	va_start(ap, fmt);
	audit_vfill(&e, subject, org ? org : x->a.org, event, result, fmt, ap);
	va_end(ap);
	text_printable(e.actor, sizeof(e.actor), x->a.username, TEXT_ASCII);
	audit_append(x->d, &e);
}

void admin_audit_limited(struct admin_ctx *x, bool read, const char *subject, const char *org,
			 const char *event, const char *result, const char *fmt, ...)
{
	struct audit_event e = { .uid = x->uid };
	char who[AUDIT_WHO_MAX], porg[OB_ORG_MAX + 1] = "";
	va_list ap;

	/* Filed as admin_audit files it. */
	org = admin_audit_org(x, subject, org, porg);
	va_start(ap, fmt);
	audit_vfill(&e, subject, org ? org : x->a.org, event, result, fmt, ap);
	va_end(ap);
	text_printable(e.actor, sizeof(e.actor), x->a.username, TEXT_ASCII);
	/* Root's calls are recorded one by one: root owns the log anyway. */
	if (x->a.root) {
		audit_append(x->d, &e);
		return;
	}
	if (e.actor[0])
		snprintf(who, sizeof(who), "%s", e.actor);
	else
		snprintf(who, sizeof(who), "uid %lld", (long long)x->uid);
	audit_limited(x->d, &e, read ? AUDIT_KIND_READ : AUDIT_KIND_DENIED, who);
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

void audit_host(struct daemon *d, const char *event, const char *result, const char *fmt, ...)
{
	struct audit_event e = { .uid = -1 };
	va_list ap;

	va_start(ap, fmt);
	audit_vfill(&e, NULL, NULL, event, result, fmt, ap);
	va_end(ap);
	audit_append(d, &e);
}

void audit_login(struct daemon *d, const struct person *p, const char *event,
		 const char *result, const char *fmt, ...)
{
	struct audit_event e = { .uid = -1 };
	va_list ap;

	va_start(ap, fmt);
	audit_vfill(&e, p->username, p->org, event, result, fmt, ap);
	va_end(ap);
	audit_append(d, &e);
}

/* ------------------------------------------------------------- Audit */

#define AUDIT_PAGE_MAX 500
#define AUDIT_PAGE_DEFAULT 200
/* An Event at its largest: keys and punctuation, an id, a time and a
 * uid of 20 bytes each, and every text escaped at two bytes a byte. */
#define AUDIT_JSON_MAX                                                                  \
	(120 + 3 * 20 + 2 * (OB_USERNAME_MAX * 2 + OB_ORG_MAX + AUDIT_EVENT_MAX +       \
			     AUDIT_RESULT_MAX + AUDIT_DETAIL_MAX))

struct audit_page {
	struct admin_ctx *x;
	struct json_object *arr;
	int64_t since;
	const char *user;
	size_t limit, bytes, scanned;
	uint64_t last;
	bool more, oom;
};

static struct json_object *audit_json(const struct audit_event *e)
{
	struct json_object *o = json_object_new_object();

	if (!o)
		return NULL;
	if (admin_set_int(o, "id", (int64_t)e->id) < 0 || admin_set_int(o, "time", e->time) < 0 ||
	    (e->uid >= 0 && admin_set_int(o, "uid", e->uid) < 0) ||
	    (e->actor[0] && admin_set_string(o, "actor", e->actor) < 0) ||
	    (e->org[0] && admin_set_string(o, "org", e->org) < 0) ||
	    (e->subject[0] && admin_set_string(o, "subject", e->subject) < 0) ||
	    admin_set_string(o, "event", e->event) < 0 ||
	    admin_set_string(o, "result", e->result) < 0 ||
	    (e->detail[0] && admin_set_string(o, "detail", e->detail) < 0)) {
		json_object_put(o);
		return NULL;
	}
	return o;
}

static int audit_take(const struct audit_event *e, void *ctx)
{
	struct audit_page *pg = ctx;
	struct json_object *o;

	/* A page that has read AUDIT_SCAN_MAX events ends there, full or
	 * not: one call must not hold the daemon for the whole log. */
	if (pg->scanned++ >= AUDIT_SCAN_MAX) {
		pg->more = true;
		return 1;
	}
	/* Events passed over are behind the page too: the next one starts
	 * after them. */
	if (e->time < pg->since || !policy_admin_sees(&pg->x->a, e->org) ||
	    (pg->user && strcmp(e->subject, pg->user) != 0 && strcmp(e->actor, pg->user) != 0)) {
		pg->last = e->id;
		return 0;
	}
	/* A page ends at limit events, or before it would outgrow a message. */
	if (json_object_array_length(pg->arr) >= pg->limit || pg->bytes + AUDIT_JSON_MAX > 56 * 1024) {
		pg->more = true;
		return 1;
	}
	o = audit_json(e);
	if (!o || json_object_array_add(pg->arr, o) < 0) {
		json_object_put(o);
		pg->oom = true;
		return 1;
	}
	pg->bytes += strlen(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN)) + 1;
	pg->last = e->id;
	return 0;
}

struct json_object *audit_list(struct admin_ctx *x, struct json_object *params)
{
	struct audit_page pg = { .x = x, .limit = AUDIT_PAGE_DEFAULT };
	struct json_object *p;
	const char *why;
	long long since = 0, after = 0, limit = AUDIT_PAGE_DEFAULT;
	enum store_result r;
	int e;

	if ((e = varlink_get_int(params, "since", &since)) < 0 && e != -ENOENT)
		return admin_bad_parameter("since", e, "seconds since the epoch");
	if ((e = varlink_get_int(params, "after", &after)) < 0 && e != -ENOENT)
		return admin_bad_parameter("after", e, "an event id");
	if ((e = varlink_get_int(params, "limit", &limit)) < 0 && e != -ENOENT)
		return admin_bad_parameter("limit", e, "a whole number");
	e = varlink_get_string(params, "user", ADMIN_TEXT_MAX, &pg.user);
	if (e == -ENOENT || (e == 0 && !pg.user[0]))
		pg.user = NULL;
	else if (e < 0)
		return admin_bad_parameter("user", e, ADMIN_WANTS_TEXT);
	else if ((why = validate_username(pg.user)))
		return varlink_error_msg(OB_ERR_INVALID_ARGUMENT, why);
	if (limit < 1 || limit > AUDIT_PAGE_MAX)
		return admin_error(OB_ERR_INVALID_ARGUMENT, "limit must be between 1 and %d",
				   AUDIT_PAGE_MAX);
	if (since < 0 || after < 0)
		return admin_error(OB_ERR_INVALID_ARGUMENT, "since and after cannot be negative");
	pg.since = since;
	pg.limit = (size_t)limit;
	pg.arr = json_object_new_array();
	if (!pg.arr)
		return NULL;
	r = store_audit_each(x->d->store, (uint64_t)after, audit_take, &pg);
	if (pg.oom || r != STORE_OK) {
		json_object_put(pg.arr);
		return pg.oom ? NULL : admin_storage_error(r, "read the audit log");
	}
	p = json_object_new_object();
	if (!p || admin_set(p, "events", pg.arr) < 0 ||
	    (pg.more && admin_set_int(p, "next", (int64_t)pg.last) < 0)) {
		if (!p)
			json_object_put(pg.arr);
		json_object_put(p);
		return NULL;
	}
	return varlink_reply_new(p);
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
