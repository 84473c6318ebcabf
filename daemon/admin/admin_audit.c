/* SPDX-License-Identifier: BSD-3-Clause */
/* io.onboard.Admin.Audit: the audit log read back, a page at a time,
 * only the events of the organisations the caller sees (audit.c
 * appends them). */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "admin_private.h"
#include "admin_reply.h"
#include "audit.h"
#include "ob_json.h"
#include "ob_protocol.h"
#include "policy_admin.h"
#include "validate.h"
#include "varlink.h"

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
	_cleanup_json_ struct json_object *o = json_object_new_object();

	if (!o)
		return NULL;
	if (admin_set_int(o, "id", (int64_t)e->id) < 0 || admin_set_int(o, "time", e->time) < 0 ||
	    (e->uid >= 0 && admin_set_int(o, "uid", e->uid) < 0) ||
	    (e->actor[0] && admin_set_string(o, "actor", e->actor) < 0) ||
	    (e->org[0] && admin_set_string(o, "org", e->org) < 0) ||
	    (e->subject[0] && admin_set_string(o, "subject", e->subject) < 0) ||
	    admin_set_string(o, "event", e->event) < 0 ||
	    admin_set_string(o, "result", e->result) < 0 ||
	    (e->detail[0] && admin_set_string(o, "detail", e->detail) < 0))
		return NULL;
	return ob_json_take(&o);
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
	if (admin_append(pg->arr, o) < 0) {
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
