/* SPDX-License-Identifier: BSD-3-Clause */
/* io.onboard.Admin: Status, UserAdd, UserShow, UserList and CodeList.
 * Each handler checks its parameters, asks the policy, touches the store
 * once and builds one reply. */
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
#include "admin_private.h"
#include "admin_reply.h"
#include "audit.h"
#include "code.h"
#include "daemon.h"
#include "log.h"
#include "ob_cleanup.h"
#include "ob_json.h"
#include "ob_protocol.h"
#include "policy.h"
#include "store_record.h"
#include "throttle.h"
#include "validate.h"
#include "varlink.h"

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

/* A Code: status and times, never the code or its hash. */
static struct json_object *admin_code_json(const struct access_code *c, int64_t now)
{
	return admin_closable_json(c->username, policy_code_status_name(policy_code_status(c, now)),
				   c->issued, c->expires, c->closed, "reset_mfa",
				   (c->flags & CODE_FLAG_RESET_MFA) != 0);
}

/* A Lockout: the failures that still count at now, and the lock while it
 * holds. */
static struct json_object *admin_lockout_json(const struct throttle *stored, int64_t now)
{
	_cleanup_json_ struct json_object *o = json_object_new_object();
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
	    (places && admin_set_int(o, "places_locked_until", place_until) < 0))
		return NULL;
	return ob_json_take(&o);
}

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

struct json_object *admin_status(struct admin_ctx *x, struct json_object *params)
{
	struct daemon *d = x->d;
	struct admin_count count = { .x = x };
	_cleanup_json_ struct json_object *p = NULL;
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
		r = store_person_each_with(d->store, x->a.org, admin_count_visible, &count);
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
	    admin_set_string(p, "socket", d->socket_path ? d->socket_path : "") < 0)
		return NULL;
	return varlink_reply_new(ob_json_take(&p));
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

struct json_object *admin_user_add(struct admin_ctx *x, struct json_object *params)
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
	/* Every invitation code is shown to the administrator (admin_invite.c). */
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
	/* Their own Unix group has their name: a host group of that name
	 * could not be served beside it (userdb). */
	if (store_group_get(d->store, p.username, &(struct group){ 0 }) == STORE_OK)
		return admin_error(OB_ERR_INVALID_ARGUMENT,
				   "%s is the name of a host group: a person's own Unix group "
				   "has their name, choose another username", p.username);

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
		if (r == STORE_NO_ID)
			return admin_no_id_error(&d->cfg);
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

struct json_object *admin_user_show(struct admin_ctx *x, struct json_object *params)
{
	struct daemon *d = x->d;
	_cleanup_person_ struct person p = { 0 };
	_cleanup_json_ struct json_object *out = NULL;
	struct json_object *err = NULL;
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
	    admin_set(out, "lockout", admin_lockout_json(&p.throttle, d->now())) < 0)
		return NULL;
	OB_WIPE(c);
	return varlink_reply_new(ob_json_take(&out));
}

static int admin_list_person(const struct person *p, void *ctx)
{
	struct admin_list *l = ctx;
	int r;

	/* The bank has its own list. */
	r = admin_list_offer(l, !p->deleted && policy_admin_sees(&l->x->a, p->org));
	return r >= 0 ? r : admin_list_take(l, admin_person_json(p, l->mode), p->username);
}

static int admin_list_code(const struct access_code *c, void *ctx)
{
	struct admin_list *l = ctx;
	int r = admin_list_offer(l, admin_visible(l->x, c->username));

	return r >= 0 ? r : admin_list_take(l, admin_code_json(c, l->now), c->username);
}

struct json_object *admin_user_list(struct admin_ctx *x, struct json_object *params)
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

struct json_object *admin_code_list(struct admin_ctx *x, struct json_object *params)
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
