/* SPDX-License-Identifier: BSD-3-Clause */
/* io.onboard.Admin.CodeIssueBulk: an access code for everyone of an
 * organisation without an e-mail address, a page at a time, each page in
 * one transaction with its audit events and one line of log. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>

#include "admin_private.h"
#include "admin_reply.h"
#include "log.h"
#include "ob_cleanup.h"
#include "ob_protocol.h"
#include "varlink.h"

/* ------------------------------------------------------ codes in bulk */

#define BULK_PAGE_MAX 200
#define BULK_PAGE_DEFAULT 100

/* One person of a page: who, their code to store and its text. */
struct bulk_one {
	struct person p;
	struct code_grant g;
	char shown[CODE_FORMATTED + 1];
};

struct bulk_page {
	struct admin_ctx *x;
	const char *org;
	size_t limit;
	struct bulk_one *who;
	size_t n;
	char last[OB_USERNAME_MAX + 1];
	bool more;
	size_t skipped; /* above the caller's authority: no code */
};

static int bulk_take(const struct person *p, void *ctx)
{
	struct bulk_page *b = ctx;
	char text[OB_TEXT_MAX];

	if (p->email[0] || (p->flags & PERSON_DISABLED) || strcmp(p->org, b->org) != 0)
		return 0;
	if (b->n >= b->limit) {
		b->more = true;
		return 1;
	}
	/* The page goes on after the last person looked at, issued or not,
	 * so that nobody is skipped (or counted) twice. */
	snprintf(b->last, sizeof(b->last), "%s", p->username);
	if (admin_may_act_on_why(b->x, p, "issue them an access code", text, sizeof(text))) {
		b->skipped++;
		return 0;
	}
	b->who[b->n++].p = *p;
	return 0;
}

/* Draw a new code for o: its hash to store and its text to show. */
static void bulk_draw(struct daemon *d, struct bulk_one *o)
{
	char plain[CODE_LETTERS + 1];

	code_generate(plain);
	keys_code_hash(&d->keys, plain, o->g.hash);
	/* code_generate's output is canonical, so formatting cannot fail. */
	if (code_format(plain, o->shown) < 0)
		o->shown[0] = '\0';
	OB_WIPE(plain);
}

/* The page's codes and their audit events in one transaction, all or
 * none; one another person holds is drawn again (a few times).  100,000
 * codes were 200,000 durable commits, one for the code and one for its
 * event, and a line of log each (6.7 MB). */
static enum store_result bulk_issue(struct admin_ctx *x, struct bulk_page *b, int64_t now,
				    int64_t lifetime)
{
	struct code_grant *g = calloc(b->n, sizeof(*g));
	struct store_failure fail = { 0 };
	struct audit_bounds ab;
	enum store_result r;

	if (!g)
		return STORE_UNAVAILABLE;
	for (size_t i = 0; i < b->n; i++) {
		g[i].username = b->who[i].p.username;
		audit_admin_fill(x->d, &g[i].event, x->uid, x->a.username, g[i].username, b->org,
				 "code.issue", "ok", "in bulk");
		bulk_draw(x->d, &b->who[i]);
		memcpy(g[i].hash, b->who[i].g.hash, CODE_HASH_BYTES);
	}
	for (int i = 0;; i++) {
		r = store_codes_issue_many(x->d->store, g, b->n, now, now + lifetime, 0,
					   audit_bounds(x->d, now, &ab), &fail);
		if (r != STORE_EXISTS || i >= 3 || fail.index >= b->n)
			break;
		bulk_draw(x->d, &b->who[fail.index]);
		memcpy(g[fail.index].hash, b->who[fail.index].g.hash, CODE_HASH_BYTES);
	}
	for (size_t i = 0; r == STORE_OK && i < b->n; i++)
		b->who[i].g.rec = g[i].rec;
	sodium_memzero(g, b->n * sizeof(*g));
	free(g);
	return r;
}

struct json_object *admin_code_issue_bulk(struct admin_ctx *x, struct json_object *params)
{
	struct bulk_page b = { .x = x, .limit = BULK_PAGE_DEFAULT };
	struct json_object *err = NULL, *arr, *out, *rp;
	char org[OB_ORG_MAX + 1], who[OB_USERNAME_MAX + 16];
	long long lifetime, limit = BULK_PAGE_DEFAULT;
	const char *after = NULL;
	enum store_result r;
	int e;

	if (admin_get_org(x, params, org, &err) < 0)
		return err;
	if (admin_get_lifetime(params, x->d->cfg.code_lifetime, &lifetime, &err) < 0)
		return err;
	e = varlink_get_int(params, "limit", &limit);
	if (e < 0 && e != -ENOENT)
		return admin_bad_parameter("limit", e, "a whole number");
	if (limit < 1 || limit > BULK_PAGE_MAX)
		return admin_error(OB_ERR_INVALID_ARGUMENT, "limit must be between 1 and %d",
				   BULK_PAGE_MAX);
	e = varlink_get_string(params, "after", ADMIN_TEXT_MAX, &after);
	if (e == -ENOENT)
		after = NULL;
	else if (e < 0)
		return admin_bad_parameter("after", e, ADMIN_WANTS_TEXT);
	b.org = org;
	b.limit = (size_t)limit;
	b.who = calloc(b.limit, sizeof(*b.who));
	arr = json_object_new_array();
	if (!b.who || !arr) {
		free(b.who);
		json_object_put(arr);
		return NULL;
	}
	r = store_person_each(x->d->store, after, bulk_take, &b);
	if (r == STORE_OK && b.n)
		r = bulk_issue(x, &b, x->d->now(), lifetime);
	for (size_t i = 0; r == STORE_OK && i < b.n; i++) {
		struct bulk_one *o = &b.who[i];
		struct json_object *j = admin_issued_json(o->p.username, o->p.first_name,
							  o->p.last_name, o->shown, o->g.rec.expires);

		/* Issued but not shown: the next run supersedes them. */
		if (!j || json_object_array_add(arr, j) < 0) {
			json_object_put(j);
			r = STORE_UNAVAILABLE;
		}
	}
	sodium_memzero(b.who, b.limit * sizeof(*b.who));
	free(b.who);
	/* One line for the page, however many codes (each has its event). */
	if (x->a.username[0])
		snprintf(who, sizeof(who), "%s", x->a.username);
	else
		snprintf(who, sizeof(who), "uid %lld", (long long)x->uid);
	log_info("admin: %s issued %zu access codes in bulk (%s, after \"%s\")%s%s; skipped %zu "
		 "above the caller's authority", who, r == STORE_OK ? b.n : 0, org,
		 after ? after : "", r == STORE_OK ? "" : ", none stored: ",
		 r == STORE_OK ? "" : store_result_name(r), b.skipped);
	if (r != STORE_OK) {
		varlink_wipe(arr);
		json_object_put(arr);
		return admin_storage_error(r, "issue the access codes");
	}
	if (b.skipped)
		admin_audit_limited(x, false, NULL, org, "code.issue", "denied",
				    "in bulk: %zu people above the caller's authority skipped",
				    b.skipped);
	out = admin_codes_reply(arr, b.more ? json_object_new_string(b.last) : NULL);
	if (out && b.skipped &&
	    (!json_object_object_get_ex(out, "parameters", &rp) ||
	     admin_set_int(rp, "skipped", (int64_t)b.skipped) < 0)) {
		varlink_wipe(out);
		json_object_put(out);
		return NULL;
	}
	return out;
}
