/* SPDX-License-Identifier: BSD-3-Clause */
/* What every io.onboard.Admin call stands on: the optional parameters,
 * the lookups that respect the caller's organisation, the authority
 * rule, pages of lists, issuing a code and the calls' audit events.
 * Below every call file; it calls none of them. */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <time.h>
#include <sodium.h>

#include "accounts.h"
#include "accounts_groups.h"
#include "admin_private.h"
#include "admin_reply.h"
#include "audit.h"
#include "code.h"
#include "daemon.h"
#include "duration.h"
#include "log.h"
#include "ob_cleanup.h"
#include "ob_json.h"
#include "ob_protocol.h"
#include "policy.h"
#include "validate.h"
#include "varlink.h"

/* Shortest code lifetime: a code nobody can type in time is useless. */
#define ADMIN_CODE_LIFETIME_MIN 60

/* ------------------------------------------------------------ parameters */

/* An optional string: absent, null and "" all mean absent (*out NULL). */
int admin_get_optional(struct json_object *params, const char *key, const char **out,
		       struct json_object **err)
{
	int r = varlink_get_string(params, key, ADMIN_TEXT_MAX, out);

	if (r == -ENOENT || (r == 0 && !(*out)[0])) {
		*out = NULL;
		return 0;
	}
	if (r < 0)
		*err = admin_bad_parameter(key, r, ADMIN_WANTS_TEXT);
	return r;
}

/* Refused calls are logged through audit_log_refusal: at most ten
 * lines a minute in all. */
struct audit_rate admin_log_rate;

/* Look a person up for a call about them; *err is the refusal.  People
 * of another organisation do not exist for the caller. */
int admin_find_person(struct admin_ctx *x, const char *username, struct person *p,
		      struct json_object **err)
{
	enum store_result r = store_person_get(x->d->store, username, p);

	if (r == STORE_OK && policy_admin_sees(&x->a, p->org))
		return 0;
	if (r == STORE_OK || r == STORE_NOT_FOUND) {
		sodium_memzero(p, sizeof(*p));
		*err = admin_error(OB_ERR_USER_NOT_FOUND, "no such person: %s", username);
	} else {
		*err = admin_storage_error(r, "read the person");
	}
	return -ENOENT;
}

const char *admin_may_act_on_why(struct admin_ctx *x, const struct person *p, const char *what,
				 char *buf, size_t size)
{
	char group[ACCOUNTS_GROUP_MAX] = "";

	/* The host's groups matter only for a delegated administrator: no
	 * user database lookup for root and main administrators. */
	if (!x->a.root && x->a.role != ROLE_ADMIN)
		accounts_host_admin(p->username, group);
	return policy_admin_may_act_on_account(&x->a, p, group[0] ? group : NULL, what, buf,
					       size);
}

int admin_may_act_on(struct admin_ctx *x, const struct person *p, const char *what,
		     struct json_object **err)
{
	char text[OB_TEXT_MAX];
	const char *why = admin_may_act_on_why(x, p, what, text, sizeof(text));

	if (!why)
		return 0;
	audit_log_refusal(x->d, &admin_log_rate, "admin: %s refused: %s", x->a.username, why);
	admin_audit_limited(x, false, p->username, p->org, "admin.denied", "denied", "%s", why);
	*err = admin_error(VL_ERR_PERMISSION_DENIED, "permission denied: %s", why);
	return -EPERM;
}

int admin_find_target(struct admin_ctx *x, const char *username, const char *what,
		      struct person *p, struct json_object **err)
{
	if (admin_find_person(x, username, p, err) < 0)
		return -ENOENT;
	if (admin_may_act_on(x, p, what, err) < 0) {
		sodium_memzero(p, sizeof(*p));
		return -EPERM;
	}
	return 0;
}

bool admin_visible(struct admin_ctx *x, const char *username)
{
	_cleanup_person_ struct person p = { 0 };

	if (x->a.root)
		return true;
	return store_person_get(x->d->store, username, &p) == STORE_OK &&
	       policy_admin_sees(&x->a, p.org);
}

int admin_get_org(struct admin_ctx *x, struct json_object *params, char org[OB_ORG_MAX + 1],
		  struct json_object **err)
{
	const char *s, *why;

	if (admin_get_optional(params, "org", &s, err) < 0)
		return -EINVAL;
	if (s && (why = validate_org(s))) {
		*err = varlink_error_msg(OB_ERR_INVALID_ARGUMENT, why);
		return -EINVAL;
	}
	if (!s)
		s = x->a.root ? ADMIN_ORG_DEFAULT : x->a.org;
	if (!policy_admin_sees(&x->a, s)) {
		*err = admin_error(VL_ERR_PERMISSION_DENIED,
				   "permission denied: you administer organisation %s only",
				   x->a.org);
		return -EPERM;
	}
	snprintf(org, OB_ORG_MAX + 1, "%s", s);
	return 0;
}

int admin_may_invite(struct admin_ctx *x, bool invite, struct json_object **err)
{
	const char *missing;

	if (!invite || policy_admin_may(&x->a, PERM_INVITES, &missing))
		return 0;
	*err = admin_error(VL_ERR_PERMISSION_DENIED,
			   "permission denied: inviting needs the '%s' permission", missing);
	return -EPERM;
}

int admin_get_lifetime(struct json_object *params, long long dflt, long long *out,
		       struct json_object **err)
{
	int e = varlink_get_int(params, "lifetime", out);

	if (e == -ENOENT)
		*out = dflt;
	else if (e < 0) {
		*err = admin_bad_parameter("lifetime", e, "a number of seconds");
		return e;
	}
	if (*out < ADMIN_CODE_LIFETIME_MIN || *out > DURATION_MAX_SECONDS) {
		*err = varlink_error_msg(OB_ERR_INVALID_ARGUMENT,
					 "code lifetime must be between 1 minute and 10 years");
		return -EINVAL;
	}
	return 0;
}

int admin_list_start(struct json_object *params, long long max, long long dflt,
		     struct admin_list *l, const char **after, struct json_object **err)
{
	long long limit = dflt;
	int r;

	/* Any string is a position in username order: it need not be a
	 * username, nor one that exists. */
	if (admin_get_optional(params, "after", after, err) < 0)
		return -EINVAL;
	r = varlink_get_int(params, "limit", &limit);
	if (r < 0 && r != -ENOENT) {
		*err = admin_bad_parameter("limit", r, "a whole number");
		return r;
	}
	if (limit < 1 || limit > max) {
		*err = admin_error(OB_ERR_INVALID_ARGUMENT, "limit must be between 1 and %lld",
				   max);
		return -EINVAL;
	}
	l->limit = (size_t)limit;
	l->arr = json_object_new_array();
	if (!l->arr) {
		*err = NULL;
		return -ENOMEM;
	}
	return 0;
}

bool admin_list_full(struct admin_list *l)
{
	if (json_object_array_length(l->arr) < l->limit)
		return false;
	l->more = true;
	return true;
}

struct json_object *admin_closable_json(const char *username, const char *status, int64_t issued,
					int64_t expires, int64_t closed, const char *flag,
					bool on)
{
	_cleanup_json_ struct json_object *o = json_object_new_object();

	if (!o)
		return NULL;
	if (admin_set_string(o, "username", username) < 0 ||
	    admin_set_string(o, "status", status) < 0 ||
	    admin_set_int(o, "issued", issued) < 0 || admin_set_int(o, "expires", expires) < 0 ||
	    (closed && admin_set_int(o, "closed", closed) < 0) ||
	    admin_set(o, flag, json_object_new_boolean(on)) < 0)
		return NULL;
	return ob_json_take(&o);
}

int admin_list_offer(struct admin_list *l, bool sees)
{
	if (!sees)
		return 0;
	return admin_list_full(l) ? 1 : -1;
}

int admin_list_take(struct admin_list *l, struct json_object *o, const char *username)
{
	if (admin_append(l->arr, o) < 0) {
		l->oom = true;
		return 1;
	}
	snprintf(l->last, sizeof(l->last), "%s", username);
	return 0;
}

struct json_object *admin_list_reply(struct admin_list *l, enum store_result r,
				     const char *key, const char *what)
{
	struct store_skipped sk;
	_cleanup_json_ struct json_object *p = NULL;

	if (l->oom || r != STORE_OK) {
		json_object_put(l->arr);
		return l->oom ? NULL : admin_storage_error(r, what);
	}
	p = json_object_new_object();
	if (!p) {
		json_object_put(l->arr);
		return NULL;
	}
	/* Records the store could not read were left out (and logged):
	 * the page says so rather than look complete. */
	store_last_skipped(&sk);
	if (admin_set(p, key, l->arr) < 0 || (l->more && admin_set_string(p, "next", l->last) < 0) ||
	    (sk.count && (admin_set_int(p, "corrupt", sk.count) < 0 ||
			  admin_set_string(p, "corrupt_first", sk.first) < 0)))
		return NULL;
	return varlink_reply_new(ob_json_take(&p));
}

enum store_result admin_issue_code(struct daemon *d, const char *username, int64_t now,
				   int64_t lifetime, uint32_t flags,
				   char shown[CODE_FORMATTED + 1], struct access_code *rec)
{
	char plain[CODE_LETTERS + 1];
	uint8_t hash[CODE_HASH_BYTES];
	enum store_result r;

	shown[0] = '\0';
	code_generate(plain);
	keys_code_hash(&d->keys, plain, hash);
	r = store_code_issue(d->store, username, hash, now, now + lifetime, flags, rec);
	OB_WIPE(hash);
	/* code_generate's output is canonical, so formatting cannot fail. */
	if (r != STORE_OK || code_format(plain, shown) < 0)
		shown[0] = '\0';
	OB_WIPE(plain);
	return r;
}

/* ------------------------------------------------------------ audit */

/* The organisation an event about subject is filed under, when the
 * caller gave none: the person's, as long as the caller sees it.  A call
 * that named someone of another organisation (to them, no such person)
 * is the caller's own business, and not for the other organisation's
 * auditors to read. */
static const char *admin_audit_org(struct admin_ctx *x, const char *subject, const char *org,
				   char porg[OB_ORG_MAX + 1])
{
	_cleanup_person_ struct person p = { 0 };

	if (org || !subject)
		return org;
	if (store_person_get(x->d->store, subject, &p) == STORE_OK &&
	    policy_admin_sees(&x->a, p.org)) {
		snprintf(porg, OB_ORG_MAX + 1, "%s", p.org);
		org = porg;
	}
	return org;
}

void admin_audit(struct admin_ctx *x, const char *subject, const char *org, const char *event,
		 const char *result, const char *fmt, ...)
{
	char porg[OB_ORG_MAX + 1] = "";
	va_list ap;

	org = admin_audit_org(x, subject, org, porg);
	va_start(ap, fmt);
	audit_admin(x->d, x->uid, x->a.username, AUDIT_ADMIN_EVERY, subject,
		    org ? org : x->a.org, event, result, fmt, ap);
	va_end(ap);
}

void admin_audit_limited(struct admin_ctx *x, bool read, const char *subject, const char *org,
			 const char *event, const char *result, const char *fmt, ...)
{
	char porg[OB_ORG_MAX + 1] = "";
	va_list ap;

	/* Filed as admin_audit files it.  Root's calls are recorded one by
	 * one: root owns the log anyway. */
	org = admin_audit_org(x, subject, org, porg);
	va_start(ap, fmt);
	audit_admin(x->d, x->uid, x->a.username,
		    x->a.root ? AUDIT_ADMIN_EVERY : read ? AUDIT_ADMIN_READ : AUDIT_ADMIN_DENIED,
		    subject, org ? org : x->a.org, event, result, fmt, ap);
	va_end(ap);
}
