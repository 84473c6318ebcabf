/* SPDX-License-Identifier: BSD-3-Clause */
/* The rules of administration (see policy_admin.h). */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "policy_admin.h"

static const struct {
	uint32_t bit;
	const char *name;
} policy_perms[] = {
	{ PERM_USERS, "users" },   { PERM_INVITES, "invites" }, { PERM_CODES, "codes" },
	{ PERM_GROUPS, "groups" }, { PERM_POOLS, "pools" },     { PERM_AUDIT, "audit" },
	{ PERM_BANK, "bank" },
};

#define POLICY_NPERMS (sizeof(policy_perms) / sizeof(policy_perms[0]))

const char *policy_perm_name(uint32_t perm)
{
	for (size_t i = 0; i < POLICY_NPERMS; i++)
		if (policy_perms[i].bit == perm)
			return policy_perms[i].name;
	return NULL;
}

uint32_t policy_perm_parse(const char *name)
{
	for (size_t i = 0; i < POLICY_NPERMS; i++)
		if (strcmp(policy_perms[i].name, name) == 0)
			return policy_perms[i].bit;
	return 0;
}

bool policy_is_admin(const struct person *p)
{
	if (p->flags & PERSON_DISABLED)
		return false;
	return p->role == ROLE_ADMIN || (p->perms & PERM_ALL) != 0;
}

bool policy_admin_may(const struct actor *a, uint32_t need, const char **missing)
{
	*missing = NULL;
	if (a->root || a->role == ROLE_ADMIN)
		return true;
	if (need == NEED_MAIN_ADMIN) {
		*missing = "main administrator";
		return false;
	}
	if (need == NEED_ANY_ADMIN)
		return (a->perms & PERM_ALL) != 0;
	for (size_t i = 0; i < POLICY_NPERMS; i++) {
		if ((need & policy_perms[i].bit) && !(a->perms & policy_perms[i].bit)) {
			*missing = policy_perms[i].name;
			return false;
		}
	}
	return true;
}

bool policy_admin_sees(const struct actor *a, const char *org)
{
	return a->root || strcmp(a->org, org) == 0;
}

const char *policy_admin_may_act_on(const struct actor *a, const struct person *target,
				    const char *what, char *buf, size_t size)
{
	uint32_t beyond;

	if (a->root)
		return NULL;
	/* Checked here too, though callers do not see other organisations:
	 * the rule must hold on its own. */
	if (strcmp(a->org, target->org) != 0) {
		snprintf(buf, size, "%s is in another organisation: you administer %s only, and "
			 "may not %s", target->username, a->org, what);
		return buf;
	}
	if (a->role == ROLE_ADMIN)
		return NULL;
	if ((a->perms & PERM_ALL) == 0) {
		snprintf(buf, size, "you are not an onboard administrator: only an administrator "
			 "may %s", what);
		return buf;
	}
	if (target->role == ROLE_ADMIN) {
		snprintf(buf, size, "%s is a main administrator: only root or a main "
			 "administrator may %s", target->username, what);
		return buf;
	}
	/* Whoever can log in as target holds target's rights: only someone
	 * who holds them all already may give that way in. */
	beyond = target->perms & PERM_ALL & ~a->perms;
	if (beyond) {
		snprintf(buf, size, "%s holds the '%s' permission, which you lack: only root, a "
			 "main administrator or someone holding all of %s's permissions may %s",
			 target->username, policy_perm_name(beyond & -beyond), target->username,
			 what);
		return buf;
	}
	return NULL;
}

const char *policy_admin_may_act_on_account(const struct actor *a, const struct person *target,
					    const char *host_group, const char *what, char *buf,
					    size_t size)
{
	const char *why = policy_admin_may_act_on(a, target, what, buf, size);

	if (why || !host_group || a->root || a->role == ROLE_ADMIN)
		return why;
	snprintf(buf, size, "%s's Unix account administers this host (%s%s): only root or a "
		 "main administrator may %s", target->username,
		 strcmp(host_group, "uid 0") == 0 ? "" : "group ", host_group, what);
	return buf;
}

const char *policy_grant(const struct actor *a, const struct person *p,
			 const struct person *old)
{
	bool raises = p->role == ROLE_ADMIN || p->perms != 0;

	if (old && p->role == old->role && p->perms == old->perms)
		return NULL; /* nothing handed out by this call */
	if (!raises && (!old || (old->role != ROLE_ADMIN && old->perms == 0)))
		return NULL;
	if (a->root || a->role == ROLE_ADMIN)
		return NULL;
	return "only a main administrator may give or take the admin role or permissions";
}

const char *policy_person_links(const struct person *p, const struct person *linked,
				char *buf, size_t size)
{
	if (!p->link[0]) {
		if (p->role == ROLE_ASSISTANT) {
			snprintf(buf, size, "role assistant needs --link USERNAME: the person %s "
				 "assists", p->username);
			return buf;
		}
		return NULL;
	}
	if (strcmp(p->link, p->username) == 0) {
		snprintf(buf, size, "%s cannot be linked to themselves", p->username);
		return buf;
	}
	if (!linked || strcmp(linked->org, p->org) != 0) {
		snprintf(buf, size, "cannot link to %s: no such person in organisation %s",
			 p->link, p->org);
		return buf;
	}
	if (linked->flags & PERSON_DISABLED) {
		snprintf(buf, size, "cannot link to %s: they are in the user bank", p->link);
		return buf;
	}
	return NULL;
}

const char *policy_taken_message(const struct actor *a, const struct person *existing,
				 char *buf, size_t size)
{
	bool mine = policy_admin_sees(a, existing->org);
	char when[32] = "";
	struct tm tm;
	time_t t = (time_t)existing->deleted;

	if (!mine) {
		snprintf(buf, size, "username %s is registered in another organisation",
			 existing->username);
		return buf;
	}
	if (existing->deleted) {
		if (gmtime_r(&t, &tm))
			strftime(when, sizeof(when), " since %Y-%m-%d", &tm);
		snprintf(buf, size, "username %s belongs to a person in the user bank%s: "
			 "a main administrator can restore them with "
			 "'onboardctl user restore %s'", existing->username, when,
			 existing->username);
		return buf;
	}
	if (a->root)
		snprintf(buf, size, "username %s is already registered (organisation %s)",
			 existing->username, existing->org);
	else
		snprintf(buf, size, "username %s is already registered in your organisation",
			 existing->username);
	return buf;
}

enum host_access policy_host_access(const struct person *p, const struct host *h)
{
	if (h->pool && h->pool[0] && !store_names_has(p->pools, p->npools, h->pool))
		return HOST_NO_POOL;
	if (p->role == ROLE_TECHNICIAN) {
		for (size_t i = 0; i < h->ngroups; i++)
			if (store_names_has(p->groups, p->ngroups, h->groups[i]))
				return HOST_OK;
		return HOST_NO_GROUP;
	}
	return HOST_OK;
}

const char *policy_host_message(enum host_access v, const struct host *h, char *buf,
				size_t size)
{
	switch (v) {
	case HOST_OK:
		return NULL;
	case HOST_NO_GROUP:
		snprintf(buf, size, "%s",
			 h->ngroups ? "Technicians may log in here only when assigned to one of "
				      "this host's groups, and you are assigned to none of them. "
				      "Ask your administrator."
				    : "Technicians may not log in here: this host belongs to no "
				      "group. Ask your administrator.");
		return buf;
	case HOST_NO_POOL:
		snprintf(buf, size, "This host is only for people in seat pool %s, and you are "
			 "not one of them. Ask your administrator.", h->pool);
		return buf;
	}
	return NULL;
}
