/* SPDX-License-Identifier: BSD-3-Clause */
/* io.systemd.UserDatabase: GetUserRecord, GetGroupRecord and
 * GetMemberships as systemd's docs/USER_GROUP_API.md defines them, from
 * the store; see userdb.h.
 *
 * Who is served: a person with a uid who is not in the user bank (a
 * disabled one, locked), unless the host's own files name them (a
 * /etc/passwd user of that name, or a /etc/group group of the name of
 * their own group): the files answer first for those, and two answers
 * for one name would be a surprise.  A host group is served unless a
 * person or the host's /etc/group has its name. */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hostids.h"
#include "log.h"
#include "ob_json.h"
#include "ob_protocol.h"
#include "store.h"
#include "userdb.h"
#include "userrecord.h"
#include "varlink.h"

#define USERDB_ERR(name) USERDB_IFACE "." name
/* What a stored person record that names at least one host group holds
 * (the store's compact JSON: "groups":["NAME",...]); a needle, not a
 * rule: the members are checked field by field. */
#define USERDB_ANY_GROUP "\"groups\":[\""
/* Replies read from the store at a time. */
#define USERDB_PAGE 64

enum userdb_what { USERDB_USERS, USERDB_GROUPS, USERDB_MEMBERSHIPS };

struct userdb_query {
	struct daemon *d;
	enum userdb_what what;
	bool more;
	/* Enumeration: where the walk is (people first, then groups for
	 * GetGroupRecord), and the replies read ahead. */
	bool walking, groups_phase, done;
	char after[STORE_ID_NAME_MAX + 1];
	char filter_group[OB_GROUP_NAME_MAX + 1]; /* GetMemberships by group */
	struct json_object *page[USERDB_PAGE * OB_PERSON_GROUPS_MAX];
	size_t head, tail;
	unsigned sent;
	struct json_object *error; /* the one reply of a failed query */
};

/* ------------------------------------------------------------ start-up */

static bool userdb_host_taken(uint32_t id, void *ctx)
{
	struct daemon *d = ctx;

	hostids_refresh(d->hostids);
	return hostids_id_taken(d->hostids, id);
}

static int userdb_log_shadowed(const struct person *p, void *ctx)
{
	struct daemon *d = ctx;

	if (!userrecord_served(p))
		return 0;
	if (hostids_has_user(d->hostids, p->username))
		log_warnx("userdb: %s is a user of /etc/passwd: the files answer for them, "
			  "not onboard's uid %u", p->username, p->uid);
	else if (hostids_has_group(d->hostids, p->username))
		log_warnx("userdb: %s is a group of /etc/group: %s is not served as a Unix user "
			  "(its own group would have two gids)", p->username, p->username);
	return 0;
}

int userdb_start(struct daemon *d)
{
	const struct config_range *rg = &d->cfg.uid_range;
	struct store_ids ids = { .first = rg->first, .last = rg->last,
				 .host_taken = userdb_host_taken, .ctx = d };
	enum store_result r;
	unsigned np = 0, ng = 0;
	char why[512];
	int e;

	if (hostids_range_check(rg->first, rg->last, "/etc/login.defs", "/etc/subuid",
				"/etc/subgid", why, sizeof(why))) {
		log_warnx("%s; onboardd did not start", why);
		return -ERANGE;
	}
	e = hostids_new(&d->hostids, "/etc/passwd", "/etc/group");
	if (e < 0) {
		log_warnx("cannot read /etc/passwd or /etc/group: %s", strerror(-e));
		return e;
	}
	store_ids_set(d->store, &ids);
	r = store_ids_assign(d->store, &np, &ng);
	if (r != STORE_OK) {
		log_warnx("cannot give uids to the people and groups that have none: %s%s",
			  store_result_name(r), r == STORE_NO_ID ? " (widen uid_range)" : "");
		return -ENOSPC;
	}
	if (np || ng)
		log_info("userdb: gave %u people uids and %u groups gids from uid_range %u-%u",
			 np, ng, rg->first, rg->last);
	(void)store_person_each(d->store, NULL, userdb_log_shadowed, d);
	return 0;
}

void userdb_stop(struct daemon *d)
{
	hostids_free(d->hostids);
	d->hostids = NULL;
}

/* ------------------------------------------------------------ who is served */

static bool userdb_person_ok(struct daemon *d, const struct person *p)
{
	return userrecord_served(p) && !hostids_has_user(d->hostids, p->username) &&
	       !hostids_has_group(d->hostids, p->username);
}

static bool userdb_group_ok(struct daemon *d, const struct group *g)
{
	_cleanup_person_ struct person p;

	if (!g->gid || hostids_has_group(d->hostids, g->name) ||
	    hostids_has_user(d->hostids, g->name))
		return false;
	/* A person's own group of that name wins. */
	return store_person_get(d->store, g->name, &p) == STORE_NOT_FOUND;
}

/* Whether name is a host group that is served. */
static bool userdb_host_group(struct daemon *d, const char *name)
{
	struct group g;

	return store_group_get(d->store, name, &g) == STORE_OK && userdb_group_ok(d, &g);
}

/* ------------------------------------------------------------ replies */

static struct json_object *userdb_error(const char *name)
{
	return varlink_error_new(name, NULL);
}

static struct json_object *userdb_bad_parameter(const char *name)
{
	struct json_object *p = json_object_new_object();

	if (p)
		json_object_object_add(p, "parameter", json_object_new_string(name));
	return varlink_error_new(VL_ERR_INVALID_PARAMETER, p);
}

/* {"record": rec, "incomplete": false}: nothing is ever left out of
 * what onboard serves, so no record is incomplete. */
static struct json_object *userdb_record(struct json_object *rec)
{
	struct json_object *p;

	if (!rec)
		return NULL;
	p = json_object_new_object();
	if (!p) {
		json_object_put(rec);
		return NULL;
	}
	json_object_object_add(p, "record", rec);
	json_object_object_add(p, "incomplete", json_object_new_boolean(0));
	return p;
}

static struct json_object *userdb_membership(const char *user, const char *group)
{
	struct json_object *p = json_object_new_object();

	if (p) {
		json_object_object_add(p, "userName", json_object_new_string(user));
		json_object_object_add(p, "groupName", json_object_new_string(group));
	}
	return p;
}

static bool userdb_push(struct userdb_query *q, struct json_object *params)
{
	if (!params || q->tail >= OB_ARRAY_SIZE(q->page)) {
		json_object_put(params);
		return false;
	}
	q->page[q->tail++] = params;
	return true;
}

/* ------------------------------------------------------------ the walk */

/* The memberships of p to serve: their host groups that are served. */
static void userdb_push_memberships(struct userdb_query *q, const struct person *p)
{
	for (unsigned i = 0; i < p->ngroups; i++) {
		struct group g;

		if (q->filter_group[0] && strcmp(q->filter_group, p->groups[i]) != 0)
			continue;
		if (store_group_get(q->d->store, p->groups[i], &g) != STORE_OK ||
		    !userdb_group_ok(q->d, &g))
			continue;
		(void)userdb_push(q, userdb_membership(p->username, g.name));
	}
}

static int userdb_visit_person(const struct person *p, void *ctx)
{
	struct userdb_query *q = ctx;

	snprintf(q->after, sizeof(q->after), "%s", p->username);
	if (!userdb_person_ok(q->d, p))
		return 0;
	if (q->what == USERDB_USERS)
		(void)userdb_push(q, userdb_record(userrecord_user(p, q->d->cfg.account_shell)));
	else if (q->what == USERDB_GROUPS)
		(void)userdb_push(q, userdb_record(userrecord_group_own(p)));
	else
		userdb_push_memberships(q, p);
	return q->tail >= USERDB_PAGE;
}

struct userdb_group_walk {
	struct userdb_query *q;
};

static int userdb_visit_group(const struct group *g, void *ctx)
{
	struct userdb_group_walk *w = ctx;
	struct userdb_query *q = w->q;

	/* store_group_each has no cursor: groups are few (an
	 * administrator makes each); the walk passes over those sent. */
	if (q->after[0] && strcmp(g->name, q->after) <= 0)
		return 0;
	snprintf(q->after, sizeof(q->after), "%s", g->name);
	if (userdb_group_ok(q->d, g))
		(void)userdb_push(q, userdb_record(userrecord_group_host(g)));
	return q->tail >= USERDB_PAGE;
}

/* Read the next page of an enumeration into the queue: the people's
 * walk stops once a page is read, and goes on after the last person it
 * visited; a walk that ends before is the end of the people (then the
 * host groups, for GetGroupRecord). */
static void userdb_fill(struct userdb_query *q)
{
	enum store_result r;

	while (!q->done && q->head == q->tail) {
		q->head = q->tail = 0;
		if (!q->groups_phase && q->what == USERDB_MEMBERSHIPS) {
			/* Only the people whose record may name the group (or
			 * any group) are decoded: a byte scan passes over the
			 * rest, so a group's members are found in a few
			 * milliseconds among 30,000 people, not half a second. */
			r = store_person_each_with_after(q->d->store, q->after,
							 q->filter_group[0] ? q->filter_group
									    : USERDB_ANY_GROUP,
							 userdb_visit_person, q);
			if (r == STORE_OK && q->tail < USERDB_PAGE)
				q->done = true;
		} else if (!q->groups_phase) {
			r = store_person_each(q->d->store, q->after, userdb_visit_person, q);
			if (r == STORE_OK && q->tail < USERDB_PAGE) {
				q->after[0] = '\0';
				q->groups_phase = q->what == USERDB_GROUPS;
				q->done = !q->groups_phase;
			}
		} else {
			struct userdb_group_walk w = { .q = q };

			r = store_group_each(q->d->store, userdb_visit_group, &w);
			if (r == STORE_OK && q->tail < USERDB_PAGE)
				q->done = true;
		}
		if (r != STORE_OK) {
			q->error = userdb_error(USERDB_ERR("ServiceNotAvailable"));
			q->done = true;
		}
	}
}

/* ------------------------------------------------------------ lookups */

/* The person named, or with uid, or both (which must agree). */
static struct json_object *userdb_find_person(struct userdb_query *q, const char *name,
					      long long uid, struct person *p)
{
	char byid[STORE_ID_NAME_MAX + 1];
	enum store_id_kind kind = 0;
	enum store_result r;

	if (uid >= 0) {
		r = store_id_find(q->d->store, (uint32_t)uid, &kind, byid);
		if (r == STORE_UNAVAILABLE)
			return userdb_error(USERDB_ERR("ServiceNotAvailable"));
		if (r != STORE_OK || kind != STORE_ID_PERSON) {
			if (name)
				goto by_name;
			return userdb_error(USERDB_ERR("NoRecordFound"));
		}
		if (name && strcmp(name, byid) != 0)
			return userdb_error(USERDB_ERR("ConflictingRecordFound"));
		name = byid;
	}
by_name:
	if (strlen(name) > OB_USERNAME_MAX)
		return userdb_error(USERDB_ERR("NoRecordFound"));
	r = store_person_get(q->d->store, name, p);
	if (r == STORE_UNAVAILABLE)
		return userdb_error(USERDB_ERR("ServiceNotAvailable"));
	if (r != STORE_OK || !userdb_person_ok(q->d, p))
		return userdb_error(USERDB_ERR("NoRecordFound"));
	if (uid >= 0 && p->uid != (uint32_t)uid)
		return userdb_error(USERDB_ERR("ConflictingRecordFound"));
	return NULL;
}

static struct json_object *userdb_find_group(struct userdb_query *q, const char *name,
					     long long gid)
{
	_cleanup_person_ struct person p;
	char byid[STORE_ID_NAME_MAX + 1];
	enum store_id_kind kind = 0;
	enum store_result r;
	struct group g;

	if (gid >= 0) {
		r = store_id_find(q->d->store, (uint32_t)gid, &kind, byid);
		if (r == STORE_UNAVAILABLE)
			return userdb_error(USERDB_ERR("ServiceNotAvailable"));
		if (r != STORE_OK)
			return userdb_error(USERDB_ERR("NoRecordFound"));
		if (name && strcmp(name, byid) != 0)
			return userdb_error(USERDB_ERR("ConflictingRecordFound"));
		name = byid;
	}
	if (strlen(name) > STORE_ID_NAME_MAX)
		return userdb_error(USERDB_ERR("NoRecordFound"));
	if (store_person_get(q->d->store, name, &p) == STORE_OK && userdb_person_ok(q->d, &p)) {
		if (gid >= 0 && p.uid != (uint32_t)gid)
			return userdb_error(USERDB_ERR("ConflictingRecordFound"));
		(void)userdb_push(q, userdb_record(userrecord_group_own(&p)));
	} else if (store_group_get(q->d->store, name, &g) == STORE_OK && userdb_group_ok(q->d, &g)) {
		if (gid >= 0 && g.gid != (uint32_t)gid)
			return userdb_error(USERDB_ERR("ConflictingRecordFound"));
		(void)userdb_push(q, userdb_record(userrecord_group_host(&g)));
	}
	return q->tail ? NULL : userdb_error(USERDB_ERR("NoRecordFound"));
}

/* ------------------------------------------------------------ parameters */

/* Only the keys of allowed; a string key's value a string, an id's a
 * whole number 0 .. 2^32-2.  NULL, or the error reply. */
static struct json_object *userdb_params(struct json_object *params, const char *const *allowed,
					 const char *idkey, long long *id, const char **names,
					 const char **service)
{
	*id = -1;
	json_object_object_foreach(params, key, val) {
		size_t i;

		for (i = 0; allowed[i] && strcmp(allowed[i], key) != 0; i++)
			;
		if (!allowed[i])
			return userdb_bad_parameter(key);
		if (json_object_is_type(val, json_type_null))
			continue;
		if (idkey && strcmp(key, idkey) == 0) {
			int64_t v;

			if (!json_object_is_type(val, json_type_int))
				return userdb_bad_parameter(key);
			errno = 0;
			v = json_object_get_int64(val);
			if (errno || v < 0 || v > (int64_t)UINT32_MAX - 1)
				return userdb_bad_parameter(key);
			*id = v;
			continue;
		}
		if (!json_object_is_type(val, json_type_string) ||
		    (size_t)json_object_get_string_len(val) != strlen(json_object_get_string(val)))
			return userdb_bad_parameter(key);
		if (strcmp(key, "service") == 0)
			*service = json_object_get_string(val);
		else
			names[i] = json_object_get_string(val);
	}
	return NULL;
}

int userdb_begin(struct daemon *d, const char *service, const char *method,
		 struct json_object *params, bool more, struct userdb_query **out,
		 struct json_object **err)
{
	static const char *const user_keys[] = { "uid", "userName", "service", NULL };
	static const char *const group_keys[] = { "gid", "groupName", "service", NULL };
	static const char *const member_keys[] = { "userName", "groupName", "service", NULL };
	const char *names[3] = { NULL, NULL, NULL }, *svc = NULL;
	struct userdb_query *q;
	long long id = -1;
	_cleanup_person_ struct person p;

	*out = NULL;
	*err = NULL;
	q = calloc(1, sizeof(*q));
	if (!q)
		return -1;
	q->d = d;
	q->more = more;
	if (strcmp(method, USERDB_IFACE ".GetUserRecord") == 0) {
		q->what = USERDB_USERS;
		*err = userdb_params(params, user_keys, "uid", &id, names, &svc);
	} else if (strcmp(method, USERDB_IFACE ".GetGroupRecord") == 0) {
		q->what = USERDB_GROUPS;
		*err = userdb_params(params, group_keys, "gid", &id, names, &svc);
	} else if (strcmp(method, USERDB_IFACE ".GetMemberships") == 0) {
		q->what = USERDB_MEMBERSHIPS;
		*err = userdb_params(params, member_keys, NULL, &id, names, &svc);
	} else {
		struct json_object *m = json_object_new_object();

		if (m)
			json_object_object_add(m, "method", json_object_new_string(method));
		*err = varlink_error_new(VL_ERR_METHOD_NOT_FOUND, m);
	}
	if (!*err && (!svc || strcmp(svc, service) != 0))
		*err = userdb_error(USERDB_ERR("BadService"));
	if (*err)
		goto fail;
	hostids_refresh(d->hostids);
	memset(&p, 0, sizeof(p));
	if (q->what == USERDB_USERS && (names[1] || id >= 0)) {
		*err = userdb_find_person(q, names[1], id, &p);
		if (!*err)
			(void)userdb_push(q, userdb_record(userrecord_user(&p, d->cfg.account_shell)));
	} else if (q->what == USERDB_GROUPS && (names[1] || id >= 0)) {
		*err = userdb_find_group(q, names[1], id);
	} else if (q->what == USERDB_MEMBERSHIPS && names[1] && strlen(names[1]) > OB_GROUP_NAME_MAX) {
		*err = userdb_error(USERDB_ERR("NoRecordFound"));
	} else if (q->what == USERDB_MEMBERSHIPS && names[0]) {
		if (names[1])
			snprintf(q->filter_group, sizeof(q->filter_group), "%s", names[1]);
		*err = userdb_find_person(q, names[0], -1, &p);
		if (!*err)
			userdb_push_memberships(q, &p);
		if (!*err && !q->tail)
			*err = userdb_error(USERDB_ERR("NoRecordFound"));
		if (!*err && q->tail > 1 && !more)
			*err = varlink_error_new("org.varlink.service.ExpectedMore", NULL);
	} else if (q->what == USERDB_MEMBERSHIPS && names[1] && !userdb_host_group(d, names[1])) {
		/* A person's own group has no members but them, and is no
		 * one's supplementary group; nor has a name no group has.
		 * Answered at once: nss-systemd asks this for every group it
		 * enumerates, and a walk of the people each time made
		 * "getent group" of 30,000 people take minutes. */
		*err = userdb_error(USERDB_ERR("NoRecordFound"));
	} else {
		/* An enumeration: several replies, so "more" is a must. */
		if (!more) {
			*err = varlink_error_new("org.varlink.service.ExpectedMore", NULL);
			goto fail;
		}
		if (q->what == USERDB_MEMBERSHIPS && names[1])
			snprintf(q->filter_group, sizeof(q->filter_group), "%s", names[1]);
		q->walking = true;
		userdb_fill(q);
		if (q->error) {
			*err = q->error;
			q->error = NULL;
		} else if (q->head == q->tail) {
			*err = userdb_error(USERDB_ERR("NoRecordFound"));
		}
	}
	if (*err)
		goto fail;
	if (q->head == q->tail) {
		*err = userdb_error(USERDB_ERR("ServiceNotAvailable")); /* out of memory */
		goto fail;
	}
	*out = q;
	return 0;
fail:
	userdb_query_free(q);
	if (!*err)
		*err = userdb_error(USERDB_ERR("ServiceNotAvailable"));
	return -1;
}

int userdb_next(struct userdb_query *q, struct json_object **reply)
{
	struct json_object *params;
	bool more;

	if (q->head == q->tail && q->walking)
		userdb_fill(q);
	if (q->head == q->tail) {
		*reply = q->error ? q->error : userdb_error(USERDB_ERR("ServiceNotAvailable"));
		q->error = NULL;
		return 0;
	}
	params = q->page[q->head];
	q->page[q->head++] = NULL;
	/* Look ahead: "continues" only when another reply follows. */
	if (q->head == q->tail && q->walking)
		userdb_fill(q);
	more = q->head < q->tail;
	*reply = varlink_reply_new(params);
	if (*reply && more)
		json_object_object_add(*reply, "continues", json_object_new_boolean(1));
	q->sent++;
	return more ? 1 : 0;
}

void userdb_query_free(struct userdb_query *q)
{
	if (!q)
		return;
	for (size_t i = q->head; i < q->tail; i++)
		json_object_put(q->page[i]);
	json_object_put(q->error);
	free(q);
}
