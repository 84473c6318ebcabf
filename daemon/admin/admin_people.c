/* SPDX-License-Identifier: BSD-3-Clause */
/* io.onboard.Admin: changing people after UserAdd (UserModify, the user
 * bank: UserDelete, UserRestore, UserPurge, BankList), host groups and
 * seat pools, and access codes in bulk.  Each call reads, asks the
 * policy, and writes through store_people_write, which keeps e-mail
 * addresses unique and seats within their pools. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sodium.h>

#include "accounts.h"
#include "admin_private.h"
#include "admin_reply.h"
#include "log.h"
#include "ob_cleanup.h"
#include "ob_json.h"
#include "ob_protocol.h"
#include "store_record.h"
#include "validate.h"
#include "varlink.h"

#define ADMIN_PUT_ATTEMPTS 3

static enum mfa_mode people_mode(const struct admin_ctx *x)
{
	return (enum mfa_mode)x->d->cfg.mfa;
}

/* Write one changed person; the reply is the person as stored. */
static struct json_object *people_put(struct admin_ctx *x, struct person *p,
				      const char *event, const char *what)
{
	struct person_change c = { .op = PERSON_UPDATE, .p = p };
	struct store_failure fail;
	enum store_result r;

	p->updated = x->d->now();
	r = store_people_write(x->d->store, &c, 1, &fail);
	if (r != STORE_OK) {
		admin_audit_limited(x, false, p->username, p->org, event, store_result_name(r),
				    "%s", "");
		return admin_write_error(p, r, &fail, what);
	}
	return admin_reply_with("person", admin_person_json(p, people_mode(x)));
}

/* ------------------------------------------------------------- modify */

struct json_object *admin_user_modify(struct admin_ctx *x, struct json_object *params)
{
	_cleanup_person_ struct person p = { 0 };
	_cleanup_person_ struct person old = { 0 };
	struct json_object *err = NULL, *out;
	const char *username;

	if (admin_get_username(params, &username, &err) < 0 ||
	    admin_find_target(x, username, "change them", &old, &err) < 0)
		return err;
	p = old;
	if (admin_person_fields(params, &p, false, &err) < 0 ||
	    admin_person_check(x, &p, &old, &err) < 0)
		return err;
	if (strcmp(p.username, x->a.username) == 0 && !x->a.root && p.role != old.role)
		return admin_error(OB_ERR_INVALID_ARGUMENT, "nobody changes their own role");
	out = people_put(x, &p, "user.modify", "change the person");
	if (admin_is_error(out, NULL))
		return out;
	log_info("admin: changed %s", p.username);
	admin_audit(x, p.username, p.org, "user.modify", "ok", "role %s",
		    record_role_name(p.role));
	return out;
}

/* ------------------------------------------------------------- the bank */

/* The people linked to a person, read once for both the refusal and,
 * with force, the write that clears their links. */
struct people_linked {
	const char *username;
	struct person *list;
	size_t n, cap;
	bool oom;
};

static int people_collect_linked(const struct person *p, void *ctx)
{
	struct people_linked *u = ctx;

	if (strcmp(p->link, u->username) != 0)
		return 0;
	if (u->n == u->cap) {
		size_t cap = u->cap ? u->cap * 2 : 8;
		struct person *n = reallocarray(u->list, cap, sizeof(*n));

		if (!n) {
			u->oom = true;
			return 1;
		}
		u->list = n;
		u->cap = cap;
	}
	u->list[u->n++] = *p;
	return 0;
}

/* Read who links to username into *u.  0, or sets *err (storage, or
 * NULL for memory). */
static int people_linked_read(struct admin_ctx *x, const char *username,
			      struct people_linked *u, struct json_object **err)
{
	enum store_result r;
	struct store_skipped sk;

	memset(u, 0, sizeof(*u));
	u->username = username;
	r = store_person_each_with(x->d->store, username, people_collect_linked, u);
	/* A record that cannot be read may be one linked: not knowing is
	 * not "nobody" here. */
	store_last_skipped(&sk);
	if (r == STORE_OK && sk.count)
		r = STORE_UNAVAILABLE;
	if (r == STORE_OK && !u->oom)
		return 0;
	*err = r != STORE_OK ? admin_storage_error(r, "look for linked people") : NULL;
	return -EIO;
}

static void people_linked_free(struct people_linked *u)
{
	if (u->list)
		sodium_memzero(u->list, u->n * sizeof(*u->list));
	free(u->list);
	u->list = NULL;
}

/* Linked, naming (at most 50 of) the people of u: enough to act on. */
static struct json_object *people_linked_error(const struct people_linked *u, const char *what)
{
	struct json_object *p = json_object_new_object(), *names = json_object_new_array();
	char text[256];

	for (size_t i = 0; names && i < u->n && i < 50; i++)
		if (json_object_array_add(names, json_object_new_string(u->list[i].username)) < 0)
			break;
	snprintf(text, sizeof(text), "%zu %s linked to %s: change their link first, or %s with "
		 "--force", u->n, u->n == 1 ? "person is" : "people are", u->username, what);
	if (!p || admin_set_string(p, "message", text) < 0 || admin_set(p, "linked", names) < 0) {
		json_object_put(p);
		return NULL;
	}
	return varlink_error_new(OB_ERR_LINKED, p);
}

static int people_get_force(struct json_object *params, bool *force, struct json_object **err)
{
	int e = varlink_get_bool(params, "force", force);

	if (e < 0 && e != -ENOENT) {
		*err = admin_bad_parameter("force", e, "true or false");
		return e;
	}
	return 0;
}

struct json_object *admin_user_delete(struct admin_ctx *x, struct json_object *params)
{
	_cleanup_person_ struct person p = { 0 };
	struct json_object *err = NULL, *out;
	const char *username;
	bool force = false;

	if (admin_get_username(params, &username, &err) < 0 ||
	    people_get_force(params, &force, &err) < 0 ||
	    admin_find_target(x, username, "delete them", &p, &err) < 0)
		return err;
	if (strcmp(username, x->a.username) == 0)
		return admin_error(OB_ERR_INVALID_ARGUMENT, "nobody deletes themselves");
	if (p.deleted)
		return admin_error(OB_ERR_INVALID_ARGUMENT, "%s is already in the user bank",
				   username);
	if (!force) {
		struct people_linked u;

		if (people_linked_read(x, username, &u, &err) < 0)
			return err;
		err = u.n ? people_linked_error(&u, "delete") : NULL;
		people_linked_free(&u);
		if (err)
			return err;
	}
	p.flags |= PERSON_DISABLED;
	p.deleted = x->d->now();
	p.npools = 0; /* seats are given back to their pools */
	out = people_put(x, &p, "user.delete", "move the person to the user bank");
	if (admin_is_error(out, NULL))
		return out;
	log_info("admin: moved %s to the user bank", username);
	admin_audit(x, username, p.org, "user.delete", "ok", "%s",
		    force ? "forced, people stay linked" : "");
	return out;
}

struct json_object *admin_user_restore(struct admin_ctx *x, struct json_object *params)
{
	_cleanup_person_ struct person p = { 0 };
	struct json_object *err = NULL, *out;
	const char *username;

	if (admin_get_username(params, &username, &err) < 0 ||
	    admin_find_target(x, username, "restore them", &p, &err) < 0)
		return err;
	if (!p.deleted)
		return admin_error(OB_ERR_INVALID_ARGUMENT, "%s is not in the user bank", username);
	p.flags &= ~PERSON_DISABLED;
	p.deleted = 0;
	out = people_put(x, &p, "user.restore", "restore the person");
	if (admin_is_error(out, NULL))
		return out;
	log_info("admin: restored %s from the user bank", username);
	admin_audit(x, username, p.org, "user.restore", "ok", "%s", "");
	return out;
}

/* What purging p does to their Unix account, in one line into text ("":
 * onboard has nothing to do with it).  0, or -EIO with *err set. */
static int people_purge_account(struct admin_ctx *x, const struct person *p, char *text,
				size_t size, struct json_object **err)
{
	bool home = x->d->cfg.account_home == ACCOUNT_HOME_CREATE;
	char why[256];
	int e;

	text[0] = '\0';
	if (p->flags & PERSON_EXISTING_ACCOUNT) {
		/* Not onboard's to remove: it stays, as locked as adopted. */
		if (p->flags & PERSON_UNIX_PASSWORD_KEPT)
			snprintf(text, size, "the Unix account %s stays, with the Unix password "
				 "root kept at adoption (userdel removes it)", p->username);
		else
			snprintf(text, size, "the Unix account %s stays, its password locked "
				 "(usermod --unlock %s gives back the password it had; userdel "
				 "removes it)", p->username, p->username);
		return 0;
	}
	if (!(p->flags & PERSON_ACCOUNT_CREATED))
		return 0;
	e = accounts_remove(p->username, home, why, sizeof(why));
	if (e == -ENOENT) {
		snprintf(text, size, "the Unix account %s onboard created was already gone",
			 p->username);
		return 0;
	}
	if (e < 0) {
		admin_audit(x, p->username, p->org, "account.remove", "failed", "%s", why);
		*err = admin_error(OB_ERR_INVALID_ARGUMENT, "the Unix account %s that onboard "
				   "created could not be removed (%s): %s was not purged",
				   p->username, why, p->username);
		return -EIO;
	}
	snprintf(text, size, "the Unix account %s onboard created was removed%s", p->username,
		 home ? " with its home directory" : " (its home directory, if any, is kept)");
	return 0;
}

struct json_object *admin_user_purge(struct admin_ctx *x, struct json_object *params)
{
	_cleanup_person_ struct person p = { 0 };
	struct people_linked u;
	struct person_change *c = NULL;
	_cleanup_json_ struct json_object *out = NULL;
	struct json_object *err = NULL;
	char account[256];
	struct store_failure fail;
	const char *username;
	enum store_result r;
	bool force = false;

	if (admin_get_username(params, &username, &err) < 0 ||
	    people_get_force(params, &force, &err) < 0 ||
	    admin_find_target(x, username, "purge them", &p, &err) < 0)
		return err;
	if (!p.deleted)
		return admin_error(OB_ERR_INVALID_ARGUMENT,
				   "%s is not in the user bank: delete them first", username);
	if (people_linked_read(x, username, &u, &err) < 0)
		return err;
	if (u.n && !force) {
		err = people_linked_error(&u, "purge");
		people_linked_free(&u);
		return err;
	}
	/* An account onboard made goes with the person, before the record
	 * does: when it cannot, nothing is purged and the reason is told. */
	if (people_purge_account(x, &p, account, sizeof(account), &err) < 0) {
		people_linked_free(&u);
		return err;
	}
	/* With force, the links to the purged person are cleared in the same
	 * transaction: a freed username must not stay someone's link. */
	c = calloc(u.n + 1, sizeof(*c));
	if (!c) {
		people_linked_free(&u);
		return NULL;
	}
	for (size_t i = 0; i < u.n; i++) {
		u.list[i].link[0] = '\0';
		u.list[i].updated = x->d->now();
		c[i] = (struct person_change){ .op = PERSON_UPDATE, .p = &u.list[i] };
	}
	c[u.n] = (struct person_change){ .op = PERSON_REMOVE, .p = &p };
	r = store_people_write(x->d->store, c, u.n + 1, &fail);
	people_linked_free(&u);
	free(c);
	if (r != STORE_OK) {
		if (account[0])
			log_warnx("admin: %s: %s, but the person could not be purged (%s)",
				  username, account, store_result_name(r));
		return admin_write_error(&p, r, &fail, "purge the person");
	}
	log_info("admin: purged %s from the user bank%s%s", username, account[0] ? "; " : "",
		 account);
	admin_audit(x, username, p.org, "user.purge", "ok", "%zu link%s cleared%s%s", u.n,
		    u.n == 1 ? "" : "s", account[0] ? "; " : "", account);
	if (!account[0])
		return varlink_reply_new(NULL);
	out = json_object_new_object();
	if (!out || admin_set_string(out, "unix_account", account) < 0)
		return NULL;
	return varlink_reply_new(ob_json_take(&out));
}

/* BankList: paged as UserList. */
#define BANK_PAGE_MAX 32

struct bank_page {
	struct admin_list l;
	const char *search;
};

/* Whether needle is in hay, ignoring ASCII case. */
static bool bank_contains(const char *hay, const char *needle)
{
	size_t n = strlen(needle);

	for (; *hay; hay++)
		if (strncasecmp(hay, needle, n) == 0)
			return true;
	return n == 0;
}

static int bank_take(const struct person *p, void *ctx)
{
	struct bank_page *b = ctx;

	if (!p->deleted || !policy_admin_sees(&b->l.x->a, p->org))
		return 0;
	if (b->search && !bank_contains(p->username, b->search) &&
	    !bank_contains(p->first_name, b->search) && !bank_contains(p->last_name, b->search) &&
	    !bank_contains(p->email, b->search))
		return 0;
	if (admin_list_full(&b->l))
		return 1;
	return admin_list_take(&b->l, admin_person_json(p, b->l.mode), p->username);
}

struct json_object *admin_bank_list(struct admin_ctx *x, struct json_object *params)
{
	struct bank_page b = { .l = { .x = x, .mode = people_mode(x) } };
	struct json_object *err = NULL;
	const char *after = NULL;
	int e;

	e = varlink_get_string(params, "search", OB_NAME_MAX, &b.search);
	if (e == -ENOENT || (e == 0 && !b.search[0]))
		b.search = NULL;
	else if (e < 0)
		return admin_bad_parameter("search", e, "a string of at most 64 bytes");
	if (admin_list_start(params, BANK_PAGE_MAX, BANK_PAGE_MAX, &b.l, &after, &err) < 0)
		return err;
	return admin_list_reply(&b.l, store_person_each(x->d->store, after, bank_take, &b),
				"people", "list the user bank");
}

/* ------------------------------------------------------ groups and pools */

/* The name parameter under key, valid as a group or pool name. */
static int group_get_name(struct json_object *params, const char *key, const char **out,
			  struct json_object **err)
{
	return admin_get_name(params, key, validate_group_name, out, err);
}


struct group_count {
	const char *name;
	bool pools;
	int64_t n;
};

static int group_count_member(const struct person *p, void *ctx)
{
	struct group_count *c = ctx;
	const store_name *names = c->pools ? p->pools : p->groups;
	unsigned n = c->pools ? p->npools : p->ngroups;

	for (unsigned i = 0; i < n; i++)
		if (strcmp(names[i], c->name) == 0)
			c->n++;
	return 0;
}

static struct json_object *group_json(struct admin_ctx *x, const struct group *g)
{
	struct group_count c = { .name = g->name };
	_cleanup_json_ struct json_object *o = json_object_new_object();
	struct store_skipped sk = { 0 };

	/* -1: not known (a record that cannot be read may be a member). */
	if (store_person_each_with(x->d->store, g->name, group_count_member, &c) == STORE_OK)
		store_last_skipped(&sk);
	else
		c.n = -1;
	if (sk.count)
		c.n = -1;
	if (!o || admin_set_string(o, "name", g->name) < 0 ||
	    admin_set_string(o, "org", g->org) < 0 || admin_set_int(o, "members", c.n) < 0 ||
	    admin_set_int(o, "created", g->created) < 0)
		return NULL;
	return ob_json_take(&o);
}

static struct json_object *pool_json(const struct pool *p)
{
	_cleanup_json_ struct json_object *o = json_object_new_object();

	if (!o || admin_set_string(o, "name", p->name) < 0 ||
	    admin_set_string(o, "org", p->org) < 0 || admin_set_int(o, "seats", p->seats) < 0 ||
	    admin_set_int(o, "used", p->used) < 0 || admin_set_int(o, "created", p->created) < 0)
		return NULL;
	return ob_json_take(&o);
}

struct json_object *admin_group_add(struct admin_ctx *x, struct json_object *params)
{
	struct json_object *err = NULL;
	_cleanup_person_ struct person other;
	struct group g = { 0 };
	const char *name;
	enum store_result r;

	if (group_get_name(params, "name", &name, &err) < 0 ||
	    admin_get_org(x, params, g.org, &err) < 0)
		return err;
	snprintf(g.name, sizeof(g.name), "%s", name);
	/* A person's own Unix group has their name (userdb): a host group
	 * of it could not be served beside it. */
	if (store_person_get(x->d->store, name, &other) == STORE_OK)
		return admin_error(OB_ERR_INVALID_ARGUMENT,
				   "%s is a person's name: their own Unix group has it, choose "
				   "another group name", name);
	g.created = x->d->now();
	r = store_group_create(x->d->store, &g);
	if (r == STORE_EXISTS)
		return admin_error(OB_ERR_GROUP_EXISTS, "group %s already exists", name);
	if (r == STORE_NO_ID)
		return admin_no_id_error(&x->d->cfg);
	if (r != STORE_OK)
		return admin_storage_error(r, "add the group");
	log_info("admin: added host group %s (%s)", g.name, g.org);
	admin_audit(x, NULL, g.org, "group.add", "ok", "group %s", g.name);
	return admin_reply_with("group", group_json(x, &g));
}

struct json_object *admin_pool_add(struct admin_ctx *x, struct json_object *params)
{
	struct json_object *err = NULL;
	struct pool p = { 0 };
	const char *name;
	long long seats = 0;
	enum store_result r;
	int e;

	if (group_get_name(params, "name", &name, &err) < 0 ||
	    admin_get_org(x, params, p.org, &err) < 0)
		return err;
	e = varlink_get_int(params, "seats", &seats);
	if (e < 0)
		return admin_bad_parameter("seats", e, "a whole number");
	if (seats < 1 || seats > 1000000)
		return admin_error(OB_ERR_INVALID_ARGUMENT, "seats must be between 1 and 1000000");
	snprintf(p.name, sizeof(p.name), "%s", name);
	p.seats = (uint32_t)seats;
	p.created = x->d->now();
	r = store_pool_create(x->d->store, &p);
	if (r == STORE_EXISTS)
		return admin_error(OB_ERR_POOL_EXISTS, "pool %s already exists", name);
	if (r != STORE_OK)
		return admin_storage_error(r, "add the pool");
	log_info("admin: added seat pool %s with %u seats (%s)", p.name, p.seats, p.org);
	admin_audit(x, NULL, p.org, "pool.add", "ok", "pool %s, %u seats", p.name, p.seats);
	return admin_reply_with("pool", pool_json(&p));
}

struct group_list {
	struct admin_ctx *x;
	struct json_object *arr;
	bool oom;
};

static int group_list_take(const struct group *g, void *ctx)
{
	struct group_list *l = ctx;
	struct json_object *o;

	if (!policy_admin_sees(&l->x->a, g->org))
		return 0;
	o = group_json(l->x, g);
	if (admin_append(l->arr, o) < 0) {
		l->oom = true;
		return 1;
	}
	return 0;
}

static int pool_list_take(const struct pool *p, void *ctx)
{
	struct group_list *l = ctx;
	struct json_object *o;

	if (!policy_admin_sees(&l->x->a, p->org))
		return 0;
	o = pool_json(p);
	if (admin_append(l->arr, o) < 0) {
		l->oom = true;
		return 1;
	}
	return 0;
}

/* Groups and pools are few (tens): one reply holds them all, and a list
 * that would not fit says so (ReplyTooLarge from the server). */
static struct json_object *group_list_reply(struct group_list *l, enum store_result r,
					    const char *key)
{
	if (l->oom || r != STORE_OK) {
		json_object_put(l->arr);
		return l->oom ? NULL : admin_storage_error(r, "list them");
	}
	return admin_reply_with(key, l->arr);
}

struct json_object *admin_group_list(struct admin_ctx *x, struct json_object *params)
{
	struct group_list l = { .x = x, .arr = json_object_new_array() };

	(void)params;
	if (!l.arr)
		return NULL;
	return group_list_reply(&l, store_group_each(x->d->store, group_list_take, &l), "groups");
}

struct json_object *admin_pool_list(struct admin_ctx *x, struct json_object *params)
{
	struct group_list l = { .x = x, .arr = json_object_new_array() };

	(void)params;
	if (!l.arr)
		return NULL;
	return group_list_reply(&l, store_pool_each(x->d->store, pool_list_take, &l), "pools");
}

/* Assign or unassign: add or remove name in the person's groups or pools. */
static struct json_object *group_assign(struct admin_ctx *x, struct json_object *params,
					bool pools, bool assign)
{
	_cleanup_person_ struct person p = { 0 };
	struct json_object *err = NULL, *out = NULL;
	const char *username, *name, *kind = pools ? "pool" : "group";
	char event[24];
	store_name *names;
	unsigned *n, max = pools ? OB_PERSON_POOLS_MAX : OB_PERSON_GROUPS_MAX, at;

	if (admin_get_username(params, &username, &err) < 0 ||
	    group_get_name(params, kind, &name, &err) < 0)
		return err;
	snprintf(event, sizeof(event), "%s.%s", kind, assign ? "assign" : "unassign");
	for (int i = 0; i < ADMIN_PUT_ATTEMPTS; i++) {
		json_object_put(out);
		if (admin_find_target(x, username, assign ? "assign them" : "unassign them", &p,
				      &err) < 0)
			return err;
		if (p.deleted)
			return admin_error(OB_ERR_INVALID_ARGUMENT, "%s is in the user bank",
					   username);
		names = pools ? p.pools : p.groups;
		n = pools ? &p.npools : &p.ngroups;
		for (at = 0; at < *n && strcmp(names[at], name) != 0; at++)
			;
		if (assign && at < *n)
			return admin_error(OB_ERR_INVALID_ARGUMENT, "%s is already in %s %s",
					   username, kind, name);
		if (!assign && at == *n)
			return admin_error(OB_ERR_INVALID_ARGUMENT, "%s is not in %s %s", username,
					   kind, name);
		if (assign && *n >= max)
			return admin_error(OB_ERR_INVALID_ARGUMENT, "%s is already in %u %ss, the most "
					   "one person may be in", username, max, kind);
		if (assign) {
			snprintf(names[(*n)++], sizeof(store_name), "%s", name);
			/* p as its own old self: role, permissions and link are
			 * unchanged by an assignment (NULL would read as a new
			 * person, whose permissions only a main administrator
			 * may grant). */
			if (admin_person_check(x, &p, &p, &err) < 0)
				return err;
		} else {
			memmove(&names[at], &names[at + 1], (*n - at - 1) * sizeof(store_name));
			(*n)--;
		}
		out = people_put(x, &p, event, assign ? "assign" : "unassign");
		if (!admin_is_error(out, OB_ERR_CONFLICT))
			break;
	}
	if (out && !admin_is_error(out, NULL)) {
		log_info("admin: %s %s %s %s", assign ? "assigned" : "unassigned", username,
			 assign ? "to" : "from", name);
		admin_audit(x, username, p.org, event, "ok", "%s %s", kind, name);
	}
	return out;
}

struct json_object *admin_group_assign(struct admin_ctx *x, struct json_object *params)
{
	return group_assign(x, params, false, true);
}

struct json_object *admin_group_unassign(struct admin_ctx *x, struct json_object *params)
{
	return group_assign(x, params, false, false);
}

struct json_object *admin_pool_assign(struct admin_ctx *x, struct json_object *params)
{
	return group_assign(x, params, true, true);
}

struct json_object *admin_pool_unassign(struct admin_ctx *x, struct json_object *params)
{
	return group_assign(x, params, true, false);
}
