/* SPDX-License-Identifier: BSD-3-Clause */
/* The JSON user and group records of onboard's people and host groups,
 * as systemd's JSON User Records define them; see userrecord.h. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "userrecord.h"

bool userrecord_served(const struct person *p)
{
	return p->uid != 0 && p->deleted == 0 && p->username[0];
}

/* key: string value, or ok false. */
static void userrecord_str(struct json_object *o, const char *key, const char *v, bool *ok)
{
	struct json_object *j = *ok ? json_object_new_string(v) : NULL;

	if (!j || json_object_object_add(o, key, j) < 0) {
		json_object_put(j);
		*ok = false;
	}
}

static void userrecord_int(struct json_object *o, const char *key, uint32_t v, bool *ok)
{
	struct json_object *j = *ok ? json_object_new_int64(v) : NULL;

	if (!j || json_object_object_add(o, key, j) < 0) {
		json_object_put(j);
		*ok = false;
	}
}

static struct json_object *userrecord_done(struct json_object *o, bool ok)
{
	if (!ok) {
		json_object_put(o);
		return NULL;
	}
	return o;
}

struct json_object *userrecord_user(const struct person *p, const char *shell)
{
	struct json_object *o;
	char real[2 * OB_NAME_MAX + 2], home[sizeof("/home/") + OB_USERNAME_MAX];
	bool ok;

	if (!userrecord_served(p))
		return NULL;
	o = json_object_new_object();
	ok = o != NULL;
	userrecord_str(o, "userName", p->username, &ok);
	userrecord_int(o, "uid", p->uid, &ok);
	userrecord_int(o, "gid", p->uid, &ok);
	snprintf(real, sizeof(real), "%s%s%s", p->first_name,
		 p->first_name[0] && p->last_name[0] ? " " : "", p->last_name);
	if (real[0])
		userrecord_str(o, "realName", real, &ok);
	snprintf(home, sizeof(home), "/home/%s", p->username);
	userrecord_str(o, "homeDirectory", home, &ok);
	userrecord_str(o, "shell", shell, &ok);
	userrecord_str(o, "disposition", "regular", &ok);
	userrecord_str(o, "service", USERRECORD_SERVICE, &ok);
	/* Disabled: the uid stays theirs (their files keep their name, and
	 * nobody takes it for free); the account refuses them. */
	if (ok && (p->flags & PERSON_DISABLED)) {
		struct json_object *j = json_object_new_boolean(1);

		if (!j || json_object_object_add(o, "locked", j) < 0) {
			json_object_put(j);
			ok = false;
		}
	}
	return userrecord_done(o, ok);
}

struct json_object *userrecord_group_own(const struct person *p)
{
	struct json_object *o;
	bool ok;

	if (!userrecord_served(p))
		return NULL;
	o = json_object_new_object();
	ok = o != NULL;
	userrecord_str(o, "groupName", p->username, &ok);
	userrecord_int(o, "gid", p->uid, &ok);
	userrecord_str(o, "disposition", "regular", &ok);
	userrecord_str(o, "service", USERRECORD_SERVICE, &ok);
	return userrecord_done(o, ok);
}

struct json_object *userrecord_group_host(const struct group *g)
{
	struct json_object *o;
	bool ok;

	if (!g->gid || !g->name[0])
		return NULL;
	o = json_object_new_object();
	ok = o != NULL;
	userrecord_str(o, "groupName", g->name, &ok);
	userrecord_int(o, "gid", g->gid, &ok);
	userrecord_str(o, "disposition", "regular", &ok);
	userrecord_str(o, "service", USERRECORD_SERVICE, &ok);
	return userrecord_done(o, ok);
}
