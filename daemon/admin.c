/* io.onboard.Admin: the calls onboardctl makes.  Each handler checks its
 * parameters, asks the policy, touches the store once and builds one
 * reply.  Every refusal carries one line for the administrator in
 * "message"; access codes appear only in the CodeIssue reply. */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <sodium.h>

#include "accounts.h"
#include "accounts_groups.h"
#include "admin_private.h"
#include "admin_reply.h"
#include "code.h"
#include "daemon.h"
#include "duration.h"
#include "invite.h"
#include "log.h"
#include "ob_cleanup.h"
#include "ob_protocol.h"
#include "passwd.h"
#include "peoplefile.h"
#include "policy.h"
#include "store_record.h"
#include "audit.h"
#include "policy_audit.h"
#include "throttle.h"
#include "validate.h"
#include "varlink.h"

/* Shortest code lifetime: a code nobody can type in time is useless. */
#define ADMIN_CODE_LIFETIME_MIN 60

/* ------------------------------------------------------------ parameters */

/* An optional string: absent, null and "" all mean absent (*out NULL). */
static int admin_get_optional(struct json_object *params, const char *key, const char **out,
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

/* ------------------------------------------------------------- records */


static bool admin_person_enrolled(const struct person *p)
{
	return (p->flags & PERSON_MFA_ENROLLED) != 0;
}

static struct json_object *admin_names_json(const store_name *names, unsigned n)
{
	struct json_object *a = json_object_new_array();

	for (unsigned i = 0; a && i < n; i++) {
		struct json_object *j = json_object_new_string(names[i]);

		if (!j || json_object_array_add(a, j) < 0) {
			json_object_put(j);
			json_object_put(a);
			return NULL;
		}
	}
	return a;
}

static struct json_object *admin_perms_json(uint32_t perms)
{
	struct json_object *a = json_object_new_array();

	for (uint32_t bit = 1; a && bit <= PERM_ALL; bit <<= 1) {
		struct json_object *j;

		if (!(perms & bit))
			continue;
		j = json_object_new_string(policy_perm_name(bit));
		if (!j || json_object_array_add(a, j) < 0) {
			json_object_put(j);
			json_object_put(a);
			return NULL;
		}
	}
	return a;
}

/* A Person of io.onboard.Admin.varlink; never the password hash, nor
 * anything of the authenticator but whether there is one and since when.
 * mode: the configured MFA policy, which a person's state depends on. */
struct json_object *admin_person_json(const struct person *p, enum mfa_mode mode)
{
	struct json_object *o = json_object_new_object();

	if (!o)
		return NULL;
	if (admin_set_string(o, "username", p->username) < 0 ||
	    admin_set_string(o, "first_name", p->first_name) < 0 ||
	    admin_set_string(o, "last_name", p->last_name) < 0 ||
	    (p->email[0] && admin_set_string(o, "email", p->email) < 0) ||
	    (p->phone[0] && admin_set_string(o, "phone", p->phone) < 0) ||
	    admin_set_string(o, "org", p->org) < 0 ||
	    admin_set_string(o, "state", policy_person_state_name(policy_person_state(mode, p))) < 0 ||
	    admin_set(o, "existing_account",
		      json_object_new_boolean(!!(p->flags & PERSON_EXISTING_ACCOUNT))) < 0 ||
	    admin_set(o, "account_created",
		      json_object_new_boolean(!!(p->flags & PERSON_ACCOUNT_CREATED))) < 0 ||
	    admin_set_int(o, "created", p->created) < 0 ||
	    (p->password_set && admin_set_int(o, "password_set", p->password_set) < 0) ||
	    admin_set_string(o, "mfa", admin_person_enrolled(p) ? "enrolled" : "none") < 0 ||
	    (admin_person_enrolled(p) &&
	     admin_set_int(o, "mfa_enrolled", p->mfa_enrolled) < 0) ||
	    admin_set_string(o, "role", record_role_name(p->role)) < 0 ||
	    admin_set(o, "permissions", admin_perms_json(p->perms)) < 0 ||
	    admin_set(o, "groups", admin_names_json(p->groups, p->ngroups)) < 0 ||
	    admin_set(o, "pools", admin_names_json(p->pools, p->npools)) < 0 ||
	    (p->link[0] && admin_set_string(o, "link", p->link) < 0) ||
	    (p->deleted && admin_set_int(o, "deleted", p->deleted) < 0)) {
		json_object_put(o);
		return NULL;
	}
	return o;
}

/* A Code: status and times, never the code or its hash. */
static struct json_object *admin_code_json(const struct access_code *c, int64_t now)
{
	struct json_object *o = json_object_new_object();

	if (!o)
		return NULL;
	if (admin_set_string(o, "username", c->username) < 0 ||
	    admin_set_string(o, "status",
			     policy_code_status_name(policy_code_status(c, now))) < 0 ||
	    admin_set_int(o, "issued", c->issued) < 0 ||
	    admin_set_int(o, "expires", c->expires) < 0 ||
	    (c->closed && admin_set_int(o, "closed", c->closed) < 0) ||
	    admin_set(o, "reset_mfa",
		      json_object_new_boolean(!!(c->flags & CODE_FLAG_RESET_MFA))) < 0) {
		json_object_put(o);
		return NULL;
	}
	return o;
}

/* A Lockout: the failures that still count at now, and the lock while it
 * holds. */
static struct json_object *admin_lockout_json(const struct throttle *stored, int64_t now)
{
	struct json_object *o = json_object_new_object();
	struct throttle t = *stored;
	int64_t place_until;
	unsigned places;

	if (!o)
		return NULL;
	policy_throttle_expire(&t, now);
	places = policy_throttle_places_locked(&t, now, &place_until);
	if (admin_set_int(o, "failures", t.failures) < 0 ||
	    (t.last_failure && admin_set_int(o, "last_failure", t.last_failure) < 0) ||
	    (t.locked_until && admin_set_int(o, "locked_until", t.locked_until) < 0) ||
	    (places && admin_set_int(o, "places_locked", places) < 0) ||
	    (places && admin_set_int(o, "places_locked_until", place_until) < 0)) {
		json_object_put(o);
		return NULL;
	}
	return o;
}

/* Refused calls are logged through audit_log_refusal: at most ten
 * lines a minute in all. */
static struct audit_rate admin_log_rate;
/* Callers who are no administrator at all (any local user) have a budget
 * of their own: spent in a loop, it must not hide the refusals of
 * administrators. */
static struct audit_rate admin_stranger_log_rate;

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

/* ------------------------------------------------------------- methods */

struct admin_count {
	struct admin_ctx *x;
	uint64_t n;
};

static int admin_count_visible(const struct person *p, void *ctx)
{
	struct admin_count *c = ctx;

	if (policy_admin_sees(&c->x->a, p->org))
		c->n++;
	return 0;
}

static struct json_object *admin_status(struct admin_ctx *x, struct json_object *params)
{
	struct daemon *d = x->d;
	struct admin_count count = { .x = x };
	struct json_object *p;
	struct store_stats st;
	enum store_result r;

	(void)params;
	r = store_stats(d->store, &st);
	if (r != STORE_OK)
		return admin_storage_error(r, "report its statistics");
	/* The people of other organisations are not the caller's to count:
	 * root sees the whole database's count, anyone else their own
	 * organisation's (the user bank included, as in the total). */
	if (!x->a.root) {
		r = store_person_each(d->store, NULL, admin_count_visible, &count);
		if (r != STORE_OK)
			return admin_storage_error(r, "count the people");
		st.people = count.n;
	}
	p = json_object_new_object();
	if (!p)
		return NULL;
	if (admin_set_string(p, "version", PACKAGE_VERSION) < 0 ||
	    admin_set_int(p, "schema_version", st.schema_version) < 0 ||
	    admin_set_int(p, "people", (int64_t)st.people) < 0 ||
	    admin_set_int(p, "map_size", (int64_t)st.map_size) < 0 ||
	    admin_set_int(p, "map_used", (int64_t)st.map_used) < 0 ||
	    admin_set_int(p, "uptime", d->now() - d->started) < 0 ||
	    admin_set_int(p, "audit_dropped", (int64_t)audit_dropped()) < 0 ||
	    admin_set_int(p, "audit_pruned", (int64_t)audit_pruned()) < 0 ||
	    admin_set_string(p, "socket", d->socket_path ? d->socket_path : "") < 0) {
		json_object_put(p);
		return NULL;
	}
	return varlink_reply_new(p);
}

/* An optional string that may be "" (to clear): *present says whether it
 * was given. */
static int admin_get_clearable(struct json_object *params, const char *key, const char **out,
			       bool *present, struct json_object **err)
{
	int r = varlink_get_string(params, key, ADMIN_TEXT_MAX, out);

	*present = r == 0;
	if (r == -ENOENT) {
		*out = NULL;
		return 0;
	}
	if (r < 0)
		*err = admin_bad_parameter(key, r, ADMIN_WANTS_TEXT);
	return r;
}

int admin_get_names(struct json_object *params, const char *key, store_name *names,
		    unsigned *n, unsigned max, struct json_object **err)
{
	struct json_object *arr;
	const char *why;
	size_t len;

	*n = 0;
	if (!json_object_object_get_ex(params, key, &arr) || json_object_is_type(arr, json_type_null))
		return 0;
	if (!json_object_is_type(arr, json_type_array)) {
		*err = admin_bad_parameter(key, -EINVAL, "a list of names");
		return -EINVAL;
	}
	len = json_object_array_length(arr);
	if (len > max) {
		*err = admin_error(OB_ERR_INVALID_ARGUMENT, "at most %u %s per person", max, key);
		return -EINVAL;
	}
	for (size_t i = 0; i < len; i++) {
		struct json_object *j = json_object_array_get_idx(arr, i);
		const char *s = json_object_is_type(j, json_type_string) ? json_object_get_string(j)
									 : NULL;

		if (!s || strlen(s) != (size_t)json_object_get_string_len(j)) {
			*err = admin_bad_parameter(key, -EINVAL, "a list of names");
			return -EINVAL;
		}
		why = validate_group_name(s);
		if (why) {
			*err = varlink_error_msg(OB_ERR_INVALID_ARGUMENT, why);
			return -EINVAL;
		}
		if (!store_names_has(names, *n, s))
			snprintf(names[(*n)++], sizeof(store_name), "%s", s);
	}
	return 0;
}

/* The permissions parameter into *perms (absent: unchanged). */
static int admin_get_perms(struct json_object *params, uint32_t *perms,
			   struct json_object **err)
{
	struct json_object *arr;
	uint32_t bits = 0, bit;

	if (!json_object_object_get_ex(params, "permissions", &arr) ||
	    json_object_is_type(arr, json_type_null))
		return 0;
	if (!json_object_is_type(arr, json_type_array)) {
		*err = admin_bad_parameter("permissions", -EINVAL, "a list of permission names");
		return -EINVAL;
	}
	for (size_t i = 0; i < json_object_array_length(arr); i++) {
		struct json_object *j = json_object_array_get_idx(arr, i);
		const char *s = json_object_is_type(j, json_type_string) ? json_object_get_string(j)
									 : "";

		bit = strlen(s) < 16 ? policy_perm_parse(s) : 0;
		if (!bit) {
			*err = admin_error(OB_ERR_INVALID_ARGUMENT,
					   "unknown permission (known: users, invites, codes, "
					   "groups, pools, audit, bank)");
			return -EINVAL;
		}
		bits |= bit;
	}
	*perms = bits;
	return 0;
}

int admin_person_fields(struct json_object *params, struct person *p, bool create,
			struct json_object **err)
{
	static const struct {
		const char *key, *what;
		size_t off;
	} names[] = {
		{ "first_name", "first name", offsetof(struct person, first_name) },
		{ "last_name", "last name", offsetof(struct person, last_name) },
	};
	const char *s, *why;
	char reason[160];
	bool present;
	int r;

	for (size_t i = 0; i < OB_ARRAY_SIZE(names); i++) {
		r = varlink_get_string(params, names[i].key, ADMIN_TEXT_MAX, &s);
		if (r == -ENOENT && !create)
			continue;
		if (r < 0) {
			*err = admin_bad_parameter(names[i].key, r, ADMIN_WANTS_TEXT);
			return r;
		}
		why = validate_name(s, names[i].what, reason, sizeof(reason));
		if (why) {
			*err = varlink_error_msg(OB_ERR_INVALID_ARGUMENT, why);
			return -EINVAL;
		}
		/* validate_name bounds s to OB_NAME_MAX bytes. */
		snprintf((char *)p + names[i].off, OB_NAME_MAX + 1, "%s", s);
	}
	if (admin_get_clearable(params, "email", &s, &present, err) < 0)
		return -EINVAL;
	if (present && s[0]) {
		why = validate_email(s);
		if (why) {
			*err = varlink_error_msg(OB_ERR_INVALID_ARGUMENT, why);
			return -EINVAL;
		}
	}
	if (present)
		snprintf(p->email, sizeof(p->email), "%s", s);
	if (admin_get_clearable(params, "phone", &s, &present, err) < 0)
		return -EINVAL;
	if (present && s[0]) {
		why = validate_phone(s, p->phone);
		if (why) {
			*err = varlink_error_msg(OB_ERR_INVALID_ARGUMENT, why);
			return -EINVAL;
		}
	} else if (present) {
		p->phone[0] = '\0';
	}
	if (admin_get_clearable(params, "role", &s, &present, err) < 0)
		return -EINVAL;
	if (present && (strlen(s) >= 16 || !record_role_parse(s, &p->role))) {
		*err = admin_error(OB_ERR_INVALID_ARGUMENT,
				   "unknown role (known: user, admin, technician, assistant)");
		return -EINVAL;
	}
	if (admin_get_perms(params, &p->perms, err) < 0)
		return -EINVAL;
	if (admin_get_clearable(params, "link", &s, &present, err) < 0)
		return -EINVAL;
	if (present && s[0]) {
		why = validate_username(s);
		if (why) {
			*err = varlink_error_msg(OB_ERR_INVALID_ARGUMENT, why);
			return -EINVAL;
		}
	}
	if (present)
		snprintf(p->link, sizeof(p->link), "%s", s);
	return 0;
}

/* Each group or pool p names must exist in p's organisation. */
static int admin_names_check(struct admin_ctx *x, const struct person *p, bool pools,
			     struct json_object **err)
{
	unsigned n = pools ? p->npools : p->ngroups;
	enum store_result r;
	struct group g;
	struct pool pl;
	const char *name, *org;

	for (unsigned i = 0; i < n; i++) {
		name = pools ? p->pools[i] : p->groups[i];
		r = pools ? store_pool_get(x->d->store, name, &pl)
			  : store_group_get(x->d->store, name, &g);
		org = pools ? pl.org : g.org;
		if (r == STORE_OK && strcmp(org, p->org) != 0)
			r = STORE_NOT_FOUND;
		if (r == STORE_NOT_FOUND) {
			*err = admin_error(pools ? OB_ERR_POOL_NOT_FOUND : OB_ERR_GROUP_NOT_FOUND,
					   "no such %s in organisation %s: %s",
					   pools ? "pool" : "group", p->org, name);
			return -EINVAL;
		}
		if (r != STORE_OK) {
			*err = admin_storage_error(r, pools ? "read the pool" : "read the group");
			return -EIO;
		}
	}
	return 0;
}

int admin_person_check(struct admin_ctx *x, const struct person *p, const struct person *old,
		       struct json_object **err)
{
	_cleanup_person_ struct person linked = { 0 };
	char text[OB_TEXT_MAX];
	const char *why;
	enum store_result r = STORE_NOT_FOUND;

	why = policy_grant(&x->a, p, old);
	if (why) {
		*err = admin_error(VL_ERR_PERMISSION_DENIED, "permission denied: %s", why);
		return -EINVAL;
	}
	if (p->link[0]) {
		r = store_person_get(x->d->store, p->link, &linked);
		if (r != STORE_OK && r != STORE_NOT_FOUND) {
			*err = admin_storage_error(r, "read the linked person");
			return -EIO;
		}
	}
	why = policy_person_links(p, r == STORE_OK ? &linked : NULL, text, sizeof(text));
	if (why) {
		*err = varlink_error_msg(OB_ERR_INVALID_ARGUMENT, why);
		return -EINVAL;
	}
	/* A new link is an act on the person linked to as well. */
	if (p->link[0] && (!old || strcmp(old->link, p->link) != 0) &&
	    admin_may_act_on(x, &linked, "link people to them", err) < 0)
		return -EPERM;
	if (admin_names_check(x, p, false, err) < 0 || admin_names_check(x, p, true, err) < 0)
		return -EINVAL;
	return 0;
}

struct json_object *admin_write_error(const struct person *p, enum store_result r,
				      const struct store_failure *f, const char *what)
{
	switch (r) {
	case STORE_EMAIL_TAKEN:
		return admin_error(OB_ERR_INVALID_ARGUMENT,
				   "e-mail address %s is already used by another person of "
				   "organisation %s", p->email, p->org);
	case STORE_POOL_FULL:
		return admin_error(OB_ERR_POOL_FULL, "pool %s has no free seat", f->what);
	case STORE_NO_POOL:
		return admin_error(OB_ERR_POOL_NOT_FOUND, "no such pool: %s", f->what);
	case STORE_NO_GROUP:
		return admin_error(OB_ERR_GROUP_NOT_FOUND, "no such group: %s", f->what);
	case STORE_NOT_FOUND:
		return admin_error(OB_ERR_USER_NOT_FOUND, "no such person: %s", p->username);
	case STORE_CONFLICT:
		return admin_error(OB_ERR_CONFLICT, "%s was changed at the same time: try again",
				   p->username);
	default:
		return admin_storage_error(r, what);
	}
}

/* Why username cannot be added: taken by someone, or a host account. */
static struct json_object *admin_add_refusal(struct admin_ctx *x, const struct person *old,
					     enum add_verdict v, const char *username)
{
	char text[OB_TEXT_MAX];

	if (v == ADD_TAKEN) {
		policy_taken_message(&x->a, old, text, sizeof(text));
		return varlink_error_msg(OB_ERR_USER_EXISTS, text);
	}
	policy_add_message(v, username, text, sizeof(text));
	return varlink_error_msg(OB_ERR_INVALID_ARGUMENT, text);
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

static struct json_object *admin_user_add(struct admin_ctx *x, struct json_object *params)
{
	struct daemon *d = x->d;
	_cleanup_person_ struct person p = { 0 };
	_cleanup_person_ struct person old = { 0 };
	struct json_object *err = NULL;
	struct store_failure fail;
	struct person_change c = { .op = PERSON_CREATE, .p = &p };
	enum store_result r;
	enum add_verdict v;
	const char *username;
	bool existing = false, invite = false, to_me = false, create = false, keep = false;
	char why[256];
	int64_t now = d->now();
	int e;

	if (admin_get_username(params, &username, &err) < 0)
		return err;
	snprintf(p.username, sizeof(p.username), "%s", username);
	if (admin_person_fields(params, &p, true, &err) < 0 ||
	    admin_get_names(params, "groups", p.groups, &p.ngroups, OB_PERSON_GROUPS_MAX,
			    &err) < 0 ||
	    admin_get_names(params, "pools", p.pools, &p.npools, OB_PERSON_POOLS_MAX, &err) < 0)
		return err;
	e = varlink_get_bool(params, "existing_account", &existing);
	if (e < 0 && e != -ENOENT)
		return admin_bad_parameter("existing_account", e, "true or false");
	e = varlink_get_bool(params, "create_account", &create);
	if (e < 0 && e != -ENOENT)
		return admin_bad_parameter("create_account", e, "true or false");
	if (create && existing)
		return admin_error(OB_ERR_INVALID_ARGUMENT,
				   "--create-account and --existing-account exclude each other");
	if (create && !x->a.root)
		return admin_error(VL_ERR_PERMISSION_DENIED,
				   "permission denied: only root may create Unix accounts");
	e = varlink_get_bool(params, "keep_unix_password", &keep);
	if (e < 0 && e != -ENOENT)
		return admin_bad_parameter("keep_unix_password", e, "true or false");
	if (keep && !existing)
		return admin_error(OB_ERR_INVALID_ARGUMENT,
				   "--keep-unix-password goes with --existing-account");
	/* Adopting an account hands whoever can issue the person a code the
	 * account's files, groups and sudo rights: root's decision alone. */
	if (existing && !x->a.root)
		return admin_error(VL_ERR_PERMISSION_DENIED,
				   "permission denied: only root may adopt an existing Unix "
				   "account");
	e = varlink_get_bool(params, "invite", &invite);
	if (e < 0 && e != -ENOENT)
		return admin_bad_parameter("invite", e, "true or false");
	if (admin_may_invite(x, invite, &err) < 0)
		return err;
	/* Every invitation code is shown to the administrator (invite.c). */
	e = varlink_get_bool(params, "code_to_me", &to_me);
	if (e < 0 && e != -ENOENT)
		return admin_bad_parameter("code_to_me", e, "true or false");
	if (admin_get_org(x, params, p.org, &err) < 0)
		return err;

	r = store_person_get(d->store, p.username, &old);
	if (r != STORE_OK && r != STORE_NOT_FOUND)
		return admin_storage_error(r, "read the person");
	v = policy_user_add(r == STORE_OK, accounts_kind(p.username, d->cfg.uid_min), existing);
	if (v != ADD_OK)
		return admin_add_refusal(x, &old, v, p.username);
	if (admin_person_check(x, &p, NULL, &err) < 0)
		return err;

	/* The Unix account first: a person without one could not log in,
	 * and a failed store write takes it away again. */
	if (create && accounts_create(p.username, p.first_name, p.last_name, d->cfg.account_shell,
				      d->cfg.account_home == ACCOUNT_HOME_CREATE, why,
				      sizeof(why)) < 0) {
		admin_audit(x, p.username, p.org, "account.create", "failed", "%s", why);
		return admin_error(OB_ERR_INVALID_ARGUMENT, "the Unix account %s could not be "
				   "created: %s", p.username, why);
	}
	p.flags = existing ? PERSON_EXISTING_ACCOUNT : create ? PERSON_ACCOUNT_CREATED : 0;
	if (keep)
		p.flags |= PERSON_UNIX_PASSWORD_KEPT;
	p.created = now;
	p.updated = now;
	r = store_people_write(d->store, &c, 1, &fail);
	if (r != STORE_OK && create &&
	    accounts_remove(p.username, d->cfg.account_home == ACCOUNT_HOME_CREATE, why,
			    sizeof(why)) < 0)
		log_warnx("admin: %s could not be added, and the Unix account made for them "
			  "could not be removed (%s): remove it with userdel", p.username, why);
	if (r == STORE_EXISTS && store_person_get(d->store, p.username, &old) == STORE_OK)
		return admin_add_refusal(x, &old, ADD_TAKEN, p.username);
	if (r != STORE_OK) {
		admin_audit_limited(x, false, p.username, p.org, "user.add", store_result_name(r),
				    "refused");
		return admin_write_error(&p, r, &fail, "add the person");
	}
	/* The old Unix password must not log in beside onboard (nor after a
	 * purge): locked now, or the person goes again.  Locked after the
	 * write, so that a refused write leaves the account untouched; until
	 * now the old password worked anyway. */
	if (existing && !keep && accounts_lock(p.username, why, sizeof(why)) < 0) {
		c.op = PERSON_REMOVE;
		r = store_people_write(d->store, &c, 1, &fail);
		admin_audit(x, p.username, p.org, "account.lock", "failed", "%s", why);
		if (r != STORE_OK) {
			log_warnx("admin: the Unix password of %s could not be locked (%s), and "
				  "the person could not be taken away again (%s): delete and "
				  "purge them", p.username, why, store_result_name(r));
			return admin_error(OB_ERR_STORAGE, "the Unix password of %s could not be "
					   "locked (%s), and the person could not be taken away "
					   "again: delete and purge them", p.username, why);
		}
		return admin_error(OB_ERR_INVALID_ARGUMENT, "the Unix password of %s could not "
				   "be locked (%s): the account was not adopted", p.username, why);
	}
	log_info("admin: added %s%s", p.username,
		 existing ? keep ? " (existing Unix account, its password kept)"
				 : " (existing Unix account, its password locked)"
			  : create ? " (Unix account created)" : "");
	admin_audit(x, p.username, p.org, "user.add", "ok", "role %s%s",
		    record_role_name(p.role),
		    existing ? keep ? ", existing Unix account, password kept by root's choice"
				    : ", existing Unix account, password locked"
			     : create ? ", Unix account created" : "");
	if (invite)
		return invite_user_added(x, &p, admin_person_json(&p, (enum mfa_mode)d->cfg.mfa));
	return admin_reply_with("person", admin_person_json(&p, (enum mfa_mode)d->cfg.mfa));
}

static struct json_object *admin_user_show(struct admin_ctx *x, struct json_object *params)
{
	struct daemon *d = x->d;
	_cleanup_person_ struct person p = { 0 };
	struct json_object *err = NULL, *out;
	struct access_code c;
	const char *username;
	enum store_result r;

	if (admin_get_username(params, &username, &err) < 0 ||
	    admin_find_person(x, username, &p, &err) < 0)
		return err;
	r = store_code_get(d->store, username, &c);
	if (r != STORE_OK && r != STORE_NOT_FOUND)
		return admin_storage_error(r, "read the access code");
	out = json_object_new_object();
	if (!out)
		return NULL;
	if (admin_set(out, "person", admin_person_json(&p, (enum mfa_mode)d->cfg.mfa)) < 0 ||
	    (r == STORE_OK && admin_set(out, "code", admin_code_json(&c, d->now())) < 0) ||
	    admin_set(out, "lockout", admin_lockout_json(&p.throttle, d->now())) < 0) {
		json_object_put(out);
		return NULL;
	}
	sodium_memzero(&c, sizeof(c));
	return varlink_reply_new(out);
}

/* Pages of UserList and CodeList.  A page at its largest, every field
 * as long and as escaped as it may be, must stay well under the 64 KiB
 * message cap: json-c writes UTF-8 raw but escapes '"', '\\' and '/' as
 * two bytes.  A name may be all such characters, and so may the 64-byte
 * local part of an e-mail address ('/'); usernames, organisations, phone
 * numbers and states never need escaping; a time may take 20 bytes.  The
 * constant terms are the keys and punctuation of admin_person_json and
 * admin_code_json: a field added there must be added here. */
/* ADMIN_PERSON_JSON_MAX is in admin_private.h, next to admin_person_json. */
#define ADMIN_CODE_JSON_MAX                                                     \
	(71 + OB_USERNAME_MAX + sizeof("superseded") - 1 + sizeof("false") - 1 + \
	 3 * 20)
/* {"parameters":{"people":[...],"next":"USERNAME"}} with room to spare. */
#define ADMIN_PAGE_OVERHEAD 128
#define ADMIN_PAGE_BUDGET (60 * 1024)

#define ADMIN_PEOPLE_PAGE_MAX 32
#define ADMIN_PEOPLE_PAGE_DEFAULT 32
#define ADMIN_CODES_PAGE_MAX 256
#define ADMIN_CODES_PAGE_DEFAULT 200

/* Records are separated by a comma. */
_Static_assert(ADMIN_PEOPLE_PAGE_MAX * (ADMIN_PERSON_JSON_MAX + 1) + ADMIN_PAGE_OVERHEAD <=
		       ADMIN_PAGE_BUDGET,
	       "a full page of people may not fit in one message");
_Static_assert(ADMIN_CODES_PAGE_MAX * (ADMIN_CODE_JSON_MAX + 1) + ADMIN_PAGE_OVERHEAD <=
		       ADMIN_PAGE_BUDGET,
	       "a full page of access codes may not fit in one message");
_Static_assert(ADMIN_PAGE_BUDGET < OB_MAX_MESSAGE, "the page budget exceeds the message cap");

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

int admin_list_take(struct admin_list *l, struct json_object *o, const char *username)
{
	if (!o || json_object_array_add(l->arr, o) < 0) {
		json_object_put(o);
		l->oom = true;
		return 1;
	}
	snprintf(l->last, sizeof(l->last), "%s", username);
	return 0;
}

static int admin_list_person(const struct person *p, void *ctx)
{
	struct admin_list *l = ctx;

	/* The bank has its own list. */
	if (p->deleted || !policy_admin_sees(&l->x->a, p->org))
		return 0;
	if (admin_list_full(l))
		return 1;
	return admin_list_take(l, admin_person_json(p, l->mode), p->username);
}

static int admin_list_code(const struct access_code *c, void *ctx)
{
	struct admin_list *l = ctx;

	if (!admin_visible(l->x, c->username))
		return 0;
	if (admin_list_full(l))
		return 1;
	return admin_list_take(l, admin_code_json(c, l->now), c->username);
}

struct json_object *admin_list_reply(struct admin_list *l, enum store_result r,
				     const char *key, const char *what)
{
	struct store_skipped sk;
	struct json_object *p;

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
			  admin_set_string(p, "corrupt_first", sk.first) < 0))) {
		json_object_put(p);
		return NULL;
	}
	return varlink_reply_new(p);
}

static struct json_object *admin_user_list(struct admin_ctx *x, struct json_object *params)
{
	struct daemon *d = x->d;
	struct admin_list l = { .x = x, .now = d->now(), .mode = (enum mfa_mode)d->cfg.mfa };
	struct json_object *err = NULL;
	const char *after;
	enum store_result r;

	if (admin_list_start(params, ADMIN_PEOPLE_PAGE_MAX, ADMIN_PEOPLE_PAGE_DEFAULT, &l, &after,
			     &err) < 0)
		return err;
	r = store_person_each(d->store, after, admin_list_person, &l);
	return admin_list_reply(&l, r, "people", "list the people");
}

static struct json_object *admin_code_list(struct admin_ctx *x, struct json_object *params)
{
	struct daemon *d = x->d;
	struct admin_list l = { .x = x, .now = d->now(), .mode = (enum mfa_mode)d->cfg.mfa };
	struct json_object *err = NULL;
	const char *after;
	enum store_result r;

	if (admin_list_start(params, ADMIN_CODES_PAGE_MAX, ADMIN_CODES_PAGE_DEFAULT, &l, &after,
			     &err) < 0)
		return err;
	r = store_code_each(d->store, after, admin_list_code, &l);
	return admin_list_reply(&l, r, "codes", "list the access codes");
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
	sodium_memzero(hash, sizeof(hash));
	/* code_generate's output is canonical, so formatting cannot fail. */
	if (r != STORE_OK || code_format(plain, shown) < 0)
		shown[0] = '\0';
	sodium_memzero(plain, sizeof(plain));
	return r;
}

static struct json_object *admin_code_issue(struct admin_ctx *x, struct json_object *params)
{
	struct daemon *d = x->d;
	_cleanup_person_ struct person p = { 0 };
	struct json_object *err = NULL, *out;
	struct access_code rec;
	const char *username;
	char shown[CODE_FORMATTED + 1], when[32];
	long long lifetime;
	int64_t now = d->now();
	bool reset_mfa = false;
	enum store_result r;
	int e;

	if (admin_get_username(params, &username, &err) < 0)
		return err;
	if (admin_get_lifetime(params, d->cfg.code_lifetime, &lifetime, &err) < 0)
		return err;
	e = varlink_get_bool(params, "reset_mfa", &reset_mfa);
	if (e < 0 && e != -ENOENT)
		return admin_bad_parameter("reset_mfa", e, "true or false");
	if (admin_find_target(x, username,
			      reset_mfa ? "issue them an access code that resets their "
					  "authenticator" : "issue them an access code",
			      &p, &err) < 0)
		return err;
	if (p.flags & PERSON_DISABLED)
		return admin_error(OB_ERR_INVALID_ARGUMENT,
				   "%s is %s: no access code can be issued", username,
				   p.deleted ? "in the user bank" : "disabled");

	r = admin_issue_code(d, username, now, lifetime, reset_mfa ? CODE_FLAG_RESET_MFA : 0,
			     shown, &rec);
	if (r != STORE_OK) {
		admin_audit_limited(x, false, username, p.org, "code.issue", store_result_name(r),
				    "refused");
		if (r == STORE_NOT_FOUND)
			return admin_error(OB_ERR_USER_NOT_FOUND, "no such person: %s", username);
		return admin_storage_error(r, "store the access code");
	}
	out = json_object_new_object();
	if (out && (admin_set_string(out, "code", shown) < 0 ||
		    admin_set_string(out, "username", username) < 0 ||
		    admin_set_int(out, "expires", rec.expires) < 0 ||
		    admin_set(out, "reset_mfa",
			      json_object_new_boolean(!!(rec.flags & CODE_FLAG_RESET_MFA))) < 0)) {
		varlink_wipe(out);
		json_object_put(out);
		out = NULL;
	}
	sodium_memzero(shown, sizeof(shown));
	log_info("admin: issued an access code to %s, valid until %s%s", username,
		 log_utc(rec.expires, when, sizeof(when)),
		 rec.flags & CODE_FLAG_RESET_MFA ? ", resetting the authenticator" : "");
	admin_audit(x, username, p.org, "code.issue", "ok", "valid until %s%s", when,
		    rec.flags & CODE_FLAG_RESET_MFA ? ", resets the authenticator" : "");
	sodium_memzero(&rec, sizeof(rec));
	return out ? varlink_reply_new(out) : NULL;
}

/* Why an access code cannot be revoked, in the administrator's words. */
static const char *admin_revoke_reason(enum store_result r)
{
	switch (r) {
	case STORE_USED:
		return "is already used";
	case STORE_EXPIRED:
		return "has already expired";
	case STORE_REVOKED:
		return "is already revoked";
	case STORE_SUPERSEDED:
		return "was already replaced by a newer one";
	default:
		return NULL;
	}
}

static struct json_object *admin_code_revoke(struct admin_ctx *x, struct json_object *params)
{
	struct daemon *d = x->d;
	_cleanup_person_ struct person p = { 0 };
	struct json_object *err = NULL;
	const char *username, *why;
	enum store_result r;

	if (admin_get_username(params, &username, &err) < 0 ||
	    admin_find_target(x, username, "revoke their access code", &p, &err) < 0)
		return err;
	r = store_code_revoke(d->store, username, d->now());
	if (r == STORE_NOT_FOUND)
		return admin_error(OB_ERR_NO_CODE, "%s has no access code", username);
	why = admin_revoke_reason(r);
	if (why)
		return admin_error(OB_ERR_NO_CODE, "%s's access code %s", username, why);
	if (r != STORE_OK)
		return admin_storage_error(r, "revoke the access code");
	log_info("admin: revoked the access code of %s", username);
	admin_audit(x, username, p.org, "code.revoke", "ok", "%s", "");
	return varlink_reply_new(NULL);
}

/* Writes that lose the compare-and-swap to a login (a TOTP watermark, a
 * new password) read again; more losses than this mean something is
 * rewriting the person in a loop, and the administrator may try again. */
#define ADMIN_PUT_ATTEMPTS 3

static struct json_object *admin_mfa_reset(struct admin_ctx *x, struct json_object *params)
{
	struct daemon *d = x->d;
	_cleanup_person_ struct person p = { 0 };
	struct json_object *err = NULL;
	const char *username;
	enum store_result r = STORE_CONFLICT;

	if (admin_get_username(params, &username, &err) < 0)
		return err;
	for (int i = 0; i < ADMIN_PUT_ATTEMPTS && r == STORE_CONFLICT; i++) {
		if (admin_find_target(x, username, "reset their authenticator", &p, &err) < 0)
			return err;
		if (!admin_person_enrolled(&p))
			return admin_error(OB_ERR_NO_AUTHENTICATOR,
					   "%s has no authenticator to reset", username);
		/* The same fields as a code issued with reset_mfa clears. */
		p.flags &= ~PERSON_MFA_ENROLLED;
		sodium_memzero(p.totp_sealed, sizeof(p.totp_sealed));
		p.totp_last_step = 0;
		p.mfa_enrolled = 0;
		p.updated = d->now();
		r = store_person_put(d->store, &p);
	}
	if (r == STORE_NOT_FOUND)
		return admin_error(OB_ERR_USER_NOT_FOUND, "no such person: %s", username);
	if (r == STORE_CONFLICT)
		return admin_error(OB_ERR_CONFLICT,
				   "%s was changed while the authenticator was being reset: "
				   "try again", username);
	if (r != STORE_OK)
		return admin_storage_error(r, "reset the authenticator");
	log_info("admin: reset the authenticator of %s: they enrol again at their next login",
		 username);
	admin_audit(x, username, p.org, "mfa.reset", "ok", "%s", "");
	return admin_reply_with("person", admin_person_json(&p, (enum mfa_mode)d->cfg.mfa));
}

static struct json_object *admin_unlock(struct admin_ctx *x, struct json_object *params)
{
	struct daemon *d = x->d;
	struct person p;
	struct json_object *err = NULL, *out;
	struct throttle old, zero;
	const char *username;
	enum store_result r = STORE_CONFLICT;
	int64_t now = d->now();
	char when[32];

	if (admin_get_username(params, &username, &err) < 0 ||
	    admin_find_target(x, username, "unlock them", &p, &err) < 0)
		return err;
	sodium_memzero(&p, sizeof(p));
	policy_throttle_clear(&zero);
	/* Compare-and-swap, so that the reply tells exactly what was lifted. */
	for (int i = 0; i < ADMIN_PUT_ATTEMPTS && r == STORE_CONFLICT; i++) {
		r = store_throttle_get(d->store, username, &old);
		if (r == STORE_OK)
			r = store_throttle_put(d->store, username, &old, &zero);
	}
	if (r == STORE_NOT_FOUND)
		return admin_error(OB_ERR_USER_NOT_FOUND, "no such person: %s", username);
	if (r == STORE_CONFLICT)
		return admin_error(OB_ERR_CONFLICT,
				   "%s kept failing logins while being unlocked: try again", username);
	if (r != STORE_OK)
		return admin_storage_error(r, "unlock the person");
	policy_throttle_expire(&old, now);
	/* What was lifted: the lock everywhere, else the latest of a place. */
	if (!old.locked_until)
		policy_throttle_places_locked(&old, now, &old.locked_until);
	if (old.locked_until)
		log_info("admin: unlocked %s (locked until %s after %u failed login%s)", username,
			 log_utc(old.locked_until, when, sizeof(when)), old.failures,
			 old.failures == 1 ? "" : "s");
	else if (old.failures)
		log_info("admin: cleared %u failed login%s of %s (not locked)", old.failures,
			 old.failures == 1 ? "" : "s", username);
	admin_audit(x, username, NULL, "user.unlock", "ok", "%u failure%s", old.failures,
		    old.failures == 1 ? "" : "s");
	out = json_object_new_object();
	if (!out)
		return NULL;
	if (admin_set_string(out, "username", username) < 0 ||
	    admin_set_int(out, "failures", old.failures) < 0 ||
	    (old.locked_until && admin_set_int(out, "locked_until", old.locked_until) < 0)) {
		json_object_put(out);
		return NULL;
	}
	return varlink_reply_new(out);
}

/* Whether anyone of another organisation than org's is in the store. */
struct admin_orgs {
	const char *org;
	bool other;
};

static int admin_other_org(const struct person *p, void *ctx)
{
	struct admin_orgs *o = ctx;

	o->other = strcmp(p->org, o->org) != 0;
	return o->other;
}

/* A kiosk source locked by wrong access codes: "rhost=HOST", "tty=TTY"
 * or "service=NAME", as the log names it. */
static struct json_object *admin_source_unlock(struct admin_ctx *x, struct json_object *params)
{
	static const char *const kinds[] = { "rhost", "tty", "service" };
	uint8_t key[THROTTLE_SOURCE_BYTES];
	struct throttle_rules rules;
	struct json_object *out;
	struct throttle was;
	const char *source, *eq;
	char kind[16];
	size_t i;
	int e;

	e = varlink_get_string(params, "source", ADMIN_TEXT_MAX, &source);
	if (e < 0)
		return admin_bad_parameter("source", e, "KIND=VALUE");
	eq = strchr(source, '=');
	for (i = 0; eq && i < OB_ARRAY_SIZE(kinds); i++)
		if (strlen(kinds[i]) == (size_t)(eq - source) &&
		    strncmp(source, kinds[i], (size_t)(eq - source)) == 0)
			break;
	if (!eq || i == OB_ARRAY_SIZE(kinds) || !eq[1])
		return admin_error(OB_ERR_INVALID_ARGUMENT,
				   "a source is rhost=HOST, tty=TTY or service=NAME");
	/* A source is the host's, and its wrong codes may have been guesses
	 * at any organisation's codes: a main administrator lifts its lock
	 * only where theirs is the only organisation. */
	if (!x->a.root) {
		struct admin_orgs o = { .org = x->a.org };
		struct store_skipped sk;
		enum store_result r = store_person_each(x->d->store, NULL, admin_other_org, &o);

		if (r != STORE_OK)
			return admin_storage_error(r, "read the organisations");
		store_last_skipped(&sk);
		if (o.other || sk.count) {
			admin_audit_limited(x, false, NULL, x->a.org, "admin.denied", "denied",
					    "SourceUnlock: other organisations share the source");
			return admin_error(VL_ERR_PERMISSION_DENIED,
					   "permission denied: kiosk sources are shared by every "
					   "organisation on this host: only root may unlock one");
		}
	}
	snprintf(kind, sizeof(kind), "%s", kinds[i]);
	throttle_source_key(kind, eq + 1, key);
	throttle_source_unlock(key, &was);
	rules = policy_throttle_rules(&x->d->cfg);
	policy_source_expire(&was, &rules, x->d->now());
	admin_audit(x, NULL, x->a.org, "source.unlock", "ok", "%s %s: %u failure%s", kind,
		    was.locked_until ? "was locked" : "was not locked", was.failures,
		    was.failures == 1 ? "" : "s");
	out = json_object_new_object();
	if (!out || admin_set_string(out, "source", source) < 0 ||
	    admin_set_int(out, "failures", was.failures) < 0 ||
	    (was.locked_until && admin_set_int(out, "locked_until", was.locked_until) < 0)) {
		json_object_put(out);
		return NULL;
	}
	return varlink_reply_new(out);
}

/* --------------------------------------------------------------- dispatch */

static const struct {
	const char *method;
	struct json_object *(*fn)(struct admin_ctx *x, struct json_object *params);
	uint32_t need; /* PERM_* or NEED_* */
	/* Calls that change nothing audit themselves here under this name;
	 * the others write their own event, with what they changed. */
	const char *read_event;
} admin_methods[] = {
	{ OB_ADMIN_STATUS, admin_status, NEED_ANY_ADMIN, NULL },
	{ OB_ADMIN_USER_ADD, admin_user_add, PERM_USERS, NULL },
	{ OB_ADMIN_USER_SHOW, admin_user_show, PERM_USERS, "user.show" },
	{ OB_ADMIN_USER_LIST, admin_user_list, PERM_USERS, "user.list" },
	{ OB_ADMIN_USER_MODIFY, admin_user_modify, PERM_USERS, NULL },
	{ OB_ADMIN_USER_DELETE, admin_user_delete, PERM_USERS, NULL },
	{ OB_ADMIN_USER_RESTORE, admin_user_restore, NEED_MAIN_ADMIN, NULL },
	{ OB_ADMIN_USER_PURGE, admin_user_purge, NEED_MAIN_ADMIN, NULL },
	{ OB_ADMIN_BANK_LIST, admin_bank_list, PERM_BANK, "bank.list" },
	{ OB_ADMIN_USER_IMPORT, admin_user_import, PERM_USERS, NULL },
	{ OB_ADMIN_USER_IMPORT_FAILURES, admin_import_failures, PERM_USERS, NULL },
	{ OB_ADMIN_USER_IMPORT_CODES, admin_import_codes, PERM_USERS | PERM_INVITES, NULL },
	{ OB_ADMIN_CODE_ISSUE, admin_code_issue, PERM_CODES, NULL },
	{ OB_ADMIN_CODE_ISSUE_BULK, admin_code_issue_bulk, PERM_CODES, NULL },
	{ OB_ADMIN_CODE_REVOKE, admin_code_revoke, PERM_CODES, NULL },
	{ OB_ADMIN_CODE_LIST, admin_code_list, PERM_CODES, "code.list" },
	{ OB_ADMIN_MFA_RESET, admin_mfa_reset, PERM_USERS, NULL },
	{ OB_ADMIN_INVITE_SEND, invite_send, PERM_INVITES, NULL },
	{ OB_ADMIN_INVITE_REVOKE, invite_revoke, PERM_INVITES, NULL },
	{ OB_ADMIN_INVITE_LIST, invite_list, PERM_INVITES, "invite.list" },
	{ OB_ADMIN_UNLOCK, admin_unlock, PERM_USERS, NULL },
	{ OB_ADMIN_GROUP_ADD, admin_group_add, PERM_GROUPS, NULL },
	{ OB_ADMIN_GROUP_LIST, admin_group_list, PERM_GROUPS, "group.list" },
	{ OB_ADMIN_GROUP_ASSIGN, admin_group_assign, PERM_GROUPS, NULL },
	{ OB_ADMIN_GROUP_UNASSIGN, admin_group_unassign, PERM_GROUPS, NULL },
	{ OB_ADMIN_POOL_ADD, admin_pool_add, PERM_POOLS, NULL },
	{ OB_ADMIN_POOL_LIST, admin_pool_list, PERM_POOLS, "pool.list" },
	{ OB_ADMIN_POOL_ASSIGN, admin_pool_assign, PERM_POOLS, NULL },
	{ OB_ADMIN_POOL_UNASSIGN, admin_pool_unassign, PERM_POOLS, NULL },
	{ OB_ADMIN_AUDIT, audit_list, PERM_AUDIT, "audit.read" },
	{ OB_ADMIN_SOURCE_UNLOCK, admin_source_unlock, NEED_MAIN_ADMIN, NULL },
};

/* A call that only read: who looked at whom, and whether it was let. */
static void admin_audit_read(struct admin_ctx *x, const char *event, struct json_object *params,
			     struct json_object *reply)
{
	const char *subject = NULL;
	struct json_object *e;

	if (varlink_get_string(params, "username", OB_USERNAME_MAX, &subject) < 0 ||
	    validate_username(subject))
		subject = NULL;
	if (reply && json_object_object_get_ex(reply, "error", &e))
		admin_audit_limited(x, true, subject, subject ? NULL : x->a.org, event, "refused", "%s",
			    json_object_get_string(e) + (strncmp(json_object_get_string(e),
								 OB_IFACE_ADMIN ".",
								 sizeof(OB_IFACE_ADMIN)) == 0
							 ? sizeof(OB_IFACE_ADMIN)
							 : 0));
	else
		admin_audit_limited(x, true, subject, subject ? NULL : x->a.org, event,
				    reply ? "ok" : "failed", "%s", "");
}

/* Who the peer is as an administrator: root, or the onboard person of
 * its Unix username.  0, or sets *err (PermissionDenied). */
static int admin_actor(struct admin_ctx *x, const struct peer *peer, struct json_object **err)
{
	_cleanup_person_ struct person p = { 0 };
	struct passwd_entry pw;
	enum store_result r;

	x->uid = peer->uid;
	if (peer->uid == 0) {
		x->a.root = true;
		x->a.role = ROLE_ADMIN;
		x->a.perms = PERM_ALL;
		return 0;
	}
	/* Name service lookups are local files on the hosts we serve; the
	 * reply to this call waits for it anyway. */
	if (passwd_by_uid(peer->uid, &pw) != 1 || validate_username(pw.name)) {
		audit_log_refusal(x->d, &admin_stranger_log_rate, "admin: uid %u refused: no valid Unix username",
				  (unsigned)peer->uid);
		*err = admin_error(VL_ERR_PERMISSION_DENIED,
				   "permission denied: uid %u is not an onboard administrator",
				   (unsigned)peer->uid);
		return -EPERM;
	}
	r = store_person_get(x->d->store, pw.name, &p);
	if (r != STORE_OK && r != STORE_NOT_FOUND) {
		*err = admin_storage_error(r, "read the administrator");
		return -EIO;
	}
	if (r == STORE_NOT_FOUND || !policy_is_admin(&p)) {
		audit_log_refusal(x->d, &admin_stranger_log_rate, "admin: %s (uid %u) refused: not an onboard administrator",
				  pw.name, (unsigned)peer->uid);
		*err = admin_error(VL_ERR_PERMISSION_DENIED,
				   "permission denied: %s is not an onboard administrator",
				   pw.name);
		return -EPERM;
	}
	snprintf(x->a.username, sizeof(x->a.username), "%s", p.username);
	snprintf(x->a.org, sizeof(x->a.org), "%s", p.org);
	x->a.role = p.role;
	x->a.perms = p.role == ROLE_ADMIN ? PERM_ALL : p.perms;
	return 0;
}

struct json_object *admin_call(struct daemon *d, const struct peer *peer,
			       struct admin_session **sess, const char *method,
			       struct json_object *params)
{
	struct admin_ctx x = { .d = d };
	struct json_object *p, *err = NULL, *reply;
	const char *missing;

	/* Checked before the method name: others learn nothing here. */
	if (admin_actor(&x, peer, &err) < 0)
		return err;
	/* Summaries of floods that ended are due even when nothing else is. */
	audit_tick(d);
	if (!*sess) {
		*sess = calloc(1, sizeof(**sess));
		if (!*sess)
			return NULL;
	}
	x.sess = *sess;
	for (size_t i = 0; i < OB_ARRAY_SIZE(admin_methods); i++) {
		if (strcmp(method, admin_methods[i].method) != 0)
			continue;
		if (!policy_admin_may(&x.a, admin_methods[i].need, &missing)) {
			audit_log_refusal(d, &admin_log_rate, "admin: %s refused %s: lacks %s", x.a.username, method,
					  missing);
			admin_audit_limited(&x, false, NULL, x.a.org, "admin.denied", "denied",
					    "%s needs %s", method + sizeof(OB_IFACE_ADMIN),
					    missing);
			if (admin_methods[i].need == NEED_MAIN_ADMIN)
				return admin_error(VL_ERR_PERMISSION_DENIED,
						   "permission denied: only a main administrator "
						   "may do this");
			return admin_error(VL_ERR_PERMISSION_DENIED,
					   "permission denied: this needs the '%s' permission",
					   missing);
		}
		reply = admin_methods[i].fn(&x, params);
		peoplefile_sync(d);
		if (admin_methods[i].read_event)
			admin_audit_read(&x, admin_methods[i].read_event, params, reply);
		return reply;
	}
	p = json_object_new_object();
	if (!p)
		return NULL;
	if (admin_set_string(p, "method", method) < 0) {
		json_object_put(p);
		return NULL;
	}
	return varlink_error_new(VL_ERR_METHOD_NOT_FOUND, p);
}

void admin_session_free(struct admin_session *s)
{
	if (!s)
		return;
	admin_import_free(s->import);
	free(s);
}
