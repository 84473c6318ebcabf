/* SPDX-License-Identifier: BSD-3-Clause */
/* A person in an administrative call: the Person JSON of replies, the
 * fields UserAdd and UserModify read, and the rules that need other
 * records.  Below the call files, above admin_common.c. */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <time.h>
#include <sodium.h>

#include "admin_private.h"
#include "admin_reply.h"
#include "daemon.h"
#include "ob_cleanup.h"
#include "ob_json.h"
#include "ob_protocol.h"
#include "policy.h"
#include "store_record.h"
#include "validate.h"
#include "varlink.h"

/* ------------------------------------------------------------- records */


bool admin_person_enrolled(const struct person *p)
{
	return (p->flags & PERSON_MFA_ENROLLED) != 0;
}

static struct json_object *admin_names_json(const store_name *names, unsigned n)
{
	_cleanup_json_ struct json_object *a = json_object_new_array();

	for (unsigned i = 0; a && i < n; i++) {
		struct json_object *j = json_object_new_string(names[i]);

		if (admin_append(a, j) < 0)
			return NULL;
	}
	return ob_json_take(&a);
}

static struct json_object *admin_perms_json(uint32_t perms)
{
	_cleanup_json_ struct json_object *a = json_object_new_array();

	for (uint32_t bit = 1; a && bit <= PERM_ALL; bit <<= 1) {
		struct json_object *j;

		if (!(perms & bit))
			continue;
		j = json_object_new_string(policy_perm_name(bit));
		if (admin_append(a, j) < 0)
			return NULL;
	}
	return ob_json_take(&a);
}

/* A Person of io.onboard.Admin.varlink; never the password hash, nor
 * anything of the authenticator but whether there is one and since when.
 * mode: the configured MFA policy, which a person's state depends on. */
struct json_object *admin_person_json(const struct person *p, enum mfa_mode mode)
{
	_cleanup_json_ struct json_object *o = json_object_new_object();

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
	    (p->deleted && admin_set_int(o, "deleted", p->deleted) < 0) ||
	    (p->uid && admin_set_int(o, "uid", p->uid) < 0))
		return NULL;
	return ob_json_take(&o);
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

/* An optional clearable field copied into dst (size bytes) when given:
 * "" clears it, anything else must pass rule (which says why not). */
static int admin_take_clearable(struct json_object *params, const char *key,
				const char *(*rule)(const char *s), char *dst, size_t size,
				struct json_object **err)
{
	const char *s, *why;
	bool present;

	if (admin_get_clearable(params, key, &s, &present, err) < 0)
		return -EINVAL;
	if (!present)
		return 0;
	if (s[0]) {
		why = rule(s);
		if (why) {
			*err = varlink_error_msg(OB_ERR_INVALID_ARGUMENT, why);
			return -EINVAL;
		}
	}
	snprintf(dst, size, "%s", s);
	return 0;
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
	if (admin_take_clearable(params, "email", validate_email, p->email, sizeof(p->email),
				 err) < 0)
		return -EINVAL;
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
	return admin_take_clearable(params, "link", validate_username, p->link, sizeof(p->link),
				    err);
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
