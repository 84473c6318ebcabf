/* SPDX-License-Identifier: BSD-3-Clause */
/* The rules of administration, as pure functions like policy.h: who may
 * do what, what a person's role requires, why a username is taken, and
 * which hosts let a person in.  No clock, no storage, no I/O. */
#ifndef OB_POLICY_ADMIN_H
#define OB_POLICY_ADMIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store.h"

/* Who makes an administrative call. */
struct actor {
	bool root;                          /* uid 0: everything, every organisation */
	char username[OB_USERNAME_MAX + 1]; /* the onboard person, "" for root */
	char org[OB_ORG_MAX + 1];
	enum person_role role;
	uint32_t perms; /* as stored; a main administrator has them all anyway */
};

/* Needs beyond the PERM_* bits. */
#define NEED_ANY_ADMIN 0u          /* any administrator (status) */
#define NEED_MAIN_ADMIN 0x80000000u /* root or role admin only */

/* Whether a person may use onboardctl at all: role admin, or some
 * permission, and not in the bank. */
bool policy_is_admin(const struct person *p);
/* Whether a may make a call that needs need (PERM_* bits, or one of the
 * NEED_* values).  On false, *missing names what is missing ("codes",
 * "main administrator", ...). */
bool policy_admin_may(const struct actor *a, uint32_t need, const char **missing);
/* Whether a sees the people, groups and pools of org. */
bool policy_admin_sees(const struct actor *a, const char *org);

/* The authority rule: whether a may act on target (read, changed, given
 * a way to log in) by a call described by what ("issue them an access
 * code", ...).  Root acts on everyone; a main administrator on everyone
 * of their organisation; a delegated administrator only on people of
 * their organisation whose rights are a subset of their own: never a
 * main administrator, never someone holding a permission they lack.
 * NULL when a may, else the reason in one line, written into buf. */
const char *policy_admin_may_act_on(const struct actor *a, const struct person *target,
				    const char *what, char *buf, size_t size);

/* The same for a target whose Unix account administers the host
 * (host_group: the group that makes it so, "sudo", "wheel", ..., or
 * "uid 0"; NULL when it administers nothing): whoever can log in as it
 * holds the host, which no onboard permission describes, so only root
 * and main administrators may act on it. */
const char *policy_admin_may_act_on_account(const struct actor *a, const struct person *target,
					    const char *host_group, const char *what, char *buf,
					    size_t size);

/* "users", "invites", ... for one PERM_* bit; NULL otherwise. */
const char *policy_perm_name(uint32_t perm);
/* The bit of a permission's name, or 0. */
uint32_t policy_perm_parse(const char *name);

/* Who may hand out role admin or permissions: root and main
 * administrators.  NULL when a may give p the role and permissions it
 * has (old: the person before, NULL for a new one), else the reason. */
const char *policy_grant(const struct actor *a, const struct person *p,
			 const struct person *old);

/* The rules of a person's role and link.  linked: the person p links
 * to (NULL when p has no link, or when it names nobody).  NULL when p
 * keeps them, else the reason, written into buf. */
const char *policy_person_links(const struct person *p, const struct person *linked,
				char *buf, size_t size);

/* Why username (held by existing) cannot be added by a, in one line. */
const char *policy_taken_message(const struct actor *a, const struct person *existing,
				 char *buf, size_t size);

/* The host's declarations from its PAM line. */
struct host {
	const char *const *groups; /* group=NAME ... */
	size_t ngroups;
	const char *pool;          /* pool=NAME, or NULL */
};

enum host_access {
	HOST_OK,
	HOST_NO_GROUP, /* a technician assigned to none of the host's groups */
	HOST_NO_POOL,  /* the host requires a pool the person is not in */
};
/* Technicians need one of the host's groups (a host that declares none
 * lets no technician in); main administrators and everybody else are not
 * subject to groups.  A host with a pool lets in only that pool's people,
 * whatever their role. */
enum host_access policy_host_access(const struct person *p, const struct host *h);
const char *policy_host_message(enum host_access v, const struct host *h, char *buf,
				size_t size);

#endif
