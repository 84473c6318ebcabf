/* SPDX-License-Identifier: BSD-3-Clause */
/* The rules of administration (policy_admin.c) as tables: who may make
 * which call, who may hand out roles, what a role requires of links,
 * why a username is taken, and which hosts let whom in. */
#include "config.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "policy_admin.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

static struct actor actor(bool root, enum person_role role, uint32_t perms, const char *org)
{
	struct actor a = { .root = root, .role = role, .perms = perms };

	snprintf(a.org, sizeof(a.org), "%s", org);
	return a;
}

static void admin_may_follows_role_and_permissions(void **state)
{
	static const struct {
		bool root;
		enum person_role role;
		uint32_t perms, need;
		bool may;
		const char *missing;
	} rows[] = {
		{ true, ROLE_USER, 0, PERM_CODES, true, NULL },
		{ false, ROLE_ADMIN, 0, PERM_AUDIT, true, NULL },
		{ false, ROLE_ADMIN, 0, NEED_MAIN_ADMIN, true, NULL },
		{ false, ROLE_USER, PERM_CODES, PERM_CODES, true, NULL },
		{ false, ROLE_USER, PERM_CODES, PERM_USERS, false, "users" },
		{ false, ROLE_USER, PERM_USERS, PERM_USERS | PERM_INVITES, false, "invites" },
		{ false, ROLE_USER, PERM_ALL, NEED_MAIN_ADMIN, false, "main administrator" },
		{ false, ROLE_USER, PERM_AUDIT, NEED_ANY_ADMIN, true, NULL },
		{ false, ROLE_TECHNICIAN, 0, NEED_ANY_ADMIN, false, NULL },
		{ false, ROLE_USER, PERM_BANK, PERM_BANK, true, NULL },
	};

	(void)state;
	for (size_t i = 0; i < N(rows); i++) {
		struct actor a = actor(rows[i].root, rows[i].role, rows[i].perms, "acme");
		const char *missing = NULL;
		bool may = policy_admin_may(&a, rows[i].need, &missing);

		if (may != rows[i].may)
			fail_msg("row %zu: expected %s", i, rows[i].may ? "allowed" : "refused");
		if (rows[i].missing && (!missing || strcmp(missing, rows[i].missing) != 0))
			fail_msg("row %zu: expected missing %s, got %s", i, rows[i].missing,
				 missing ? missing : "(none)");
	}
}

/* The authority rule as a table: every caller against every target.
 * Targets are named by their rights; "self" is the caller's own record.
 * Expected: 'y' acts, 'n' refused, with the word the refusal must hold. */
enum who { W_ROOT, W_MAIN, W_MAIN_OTHER, W_CODES, W_USERS_CODES, W_ALL, W_PLAIN, W_N };

static const struct {
	const char *name;
	bool root;
	enum person_role role;
	uint32_t perms;
	const char *org;
} who[W_N] = {
	[W_ROOT] = { "root", true, ROLE_ADMIN, PERM_ALL, "" },
	[W_MAIN] = { "ada", false, ROLE_ADMIN, PERM_ALL, "acme" },
	[W_MAIN_OTHER] = { "oda", false, ROLE_ADMIN, PERM_ALL, "other" },
	[W_CODES] = { "cody", false, ROLE_USER, PERM_CODES, "acme" },
	[W_USERS_CODES] = { "uma", false, ROLE_USER, PERM_USERS | PERM_CODES, "acme" },
	[W_ALL] = { "alma", false, ROLE_USER, PERM_ALL, "acme" },
	[W_PLAIN] = { "paul", false, ROLE_USER, 0, "acme" },
};

enum tgt { T_MAIN, T_MORE, T_SAME, T_SUBSET, T_PLAIN, T_OTHER_ORG, T_SELF, T_N };

static void authority_is_a_subset_of_rights(void **state)
{
	/* The target "more", "same" and "subset" are relative to the caller:
	 * their permissions per caller (root and main administrators hold
	 * everything, so for them "more" is a delegated administrator with
	 * all permissions). */
	static const uint32_t more[W_N] = {
		[W_ROOT] = PERM_ALL, [W_MAIN] = PERM_ALL, [W_MAIN_OTHER] = PERM_ALL,
		[W_CODES] = PERM_CODES | PERM_USERS, [W_USERS_CODES] = PERM_USERS | PERM_AUDIT,
		[W_ALL] = PERM_ALL, /* no more exists: a main administrator is T_MAIN */
		[W_PLAIN] = PERM_CODES,
	};
	static const uint32_t subset[W_N] = {
		[W_ROOT] = PERM_CODES, [W_MAIN] = PERM_CODES, [W_MAIN_OTHER] = PERM_CODES,
		[W_CODES] = 0, [W_USERS_CODES] = PERM_CODES, [W_ALL] = PERM_USERS | PERM_BANK,
		[W_PLAIN] = 0,
	};
	/* caller x target: y = acts; otherwise the word in the refusal. */
	static const char *const want[W_N][T_N] = {
		/*                 main                  more           same       subset   plain    other org            self */
		[W_ROOT] =        { "y",                 "y",           "y",       "y",     "y",     "y",                 "y" },
		[W_MAIN] =        { "y",                 "y",           "y",       "y",     "y",     "another organisation", "y" },
		[W_MAIN_OTHER] =  { "another organisation", "another organisation", "another organisation", "another organisation", "another organisation", "y", "y" },
		[W_CODES] =       { "main administrator", "'users'",    "y",       "y",     "y",     "another organisation", "y" },
		[W_USERS_CODES] = { "main administrator", "'audit'",    "y",       "y",     "y",     "another organisation", "y" },
		[W_ALL] =         { "main administrator", "y",          "y",       "y",     "y",     "another organisation", "y" },
		[W_PLAIN] =       { "not an onboard administrator", "not an onboard administrator",
				    "not an onboard administrator", "not an onboard administrator",
				    "not an onboard administrator", "another organisation",
				    "not an onboard administrator" },
	};

	(void)state;
	for (int w = 0; w < W_N; w++) {
		struct actor a = actor(who[w].root, who[w].role, who[w].perms, who[w].org);

		snprintf(a.username, sizeof(a.username), "%s", who[w].root ? "" : who[w].name);
		for (int t = 0; t < T_N; t++) {
			struct person p = { .role = ROLE_USER };
			char buf[512];
			const char *why;

			snprintf(p.org, sizeof(p.org), "acme");
			snprintf(p.username, sizeof(p.username), "target");
			switch (t) {
			case T_MAIN:
				p.role = ROLE_ADMIN;
				break;
			case T_MORE:
				p.perms = more[w];
				break;
			case T_SAME:
				p.perms = who[w].perms;
				break;
			case T_SUBSET:
				p.perms = subset[w];
				break;
			case T_PLAIN:
				break;
			case T_OTHER_ORG:
				snprintf(p.org, sizeof(p.org), "%s",
					 w == W_MAIN_OTHER ? "acme" : "other");
				break;
			case T_SELF:
				snprintf(p.username, sizeof(p.username), "%s", who[w].name);
				snprintf(p.org, sizeof(p.org), "%s", who[w].root ? "acme" : who[w].org);
				p.role = who[w].role;
				p.perms = who[w].role == ROLE_ADMIN ? 0 : who[w].perms;
				break;
			}
			/* The main administrator of another organisation: their
			 * own organisation's people are the ones they act on. */
			if (w == W_MAIN_OTHER && t != T_OTHER_ORG && t != T_SELF)
				snprintf(p.org, sizeof(p.org), "acme");
			if (w == W_MAIN_OTHER && t == T_OTHER_ORG)
				snprintf(p.org, sizeof(p.org), "other");
			why = policy_admin_may_act_on(&a, &p, "issue them an access code", buf,
						      sizeof(buf));
			if (strcmp(want[w][t], "y") == 0) {
				if (why)
					fail_msg("%s on target %d: refused: %s", who[w].name, t, why);
				continue;
			}
			if (!why)
				fail_msg("%s on target %d: acted, expected refusal (%s)", who[w].name,
					 t, want[w][t]);
			if (!strstr(why, want[w][t]) || !strstr(why, "issue them an access code") ||
			    strchr(why, '\n'))
				fail_msg("%s on target %d: refusal \"%s\" lacks \"%s\"", who[w].name,
					 t, why, want[w][t]);
		}
	}
}

/* A plain person (no permissions) whose Unix account administers the
 * host: every caller x each way an account does (or none).  Root and
 * main administrators act; every delegated administrator is refused,
 * naming the group, however many permissions they hold. */
static void an_account_that_administers_the_host_is_above_delegates(void **state)
{
	static const char *const groups[] = { NULL, "sudo", "wheel", "admin", "root", "uid 0",
					      "unknown" };

	(void)state;
	for (int w = 0; w < W_N; w++) {
		struct actor a = actor(who[w].root, who[w].role, who[w].perms, who[w].org);

		snprintf(a.username, sizeof(a.username), "%s", who[w].root ? "" : who[w].name);
		for (size_t g = 0; g < sizeof(groups) / sizeof(groups[0]); g++) {
			struct person p = { .role = ROLE_USER };
			char buf[512];
			const char *why;
			bool acts = who[w].root || who[w].role == ROLE_ADMIN ||
				    (!groups[g] && who[w].perms);

			snprintf(p.org, sizeof(p.org), "%s", w == W_MAIN_OTHER ? "other" : "acme");
			snprintf(p.username, sizeof(p.username), "opal");
			why = policy_admin_may_act_on_account(&a, &p, groups[g], "issue them a code",
							      buf, sizeof(buf));
			if (acts && why)
				fail_msg("%s on an account of %s: refused (%s)", who[w].name,
					 groups[g] ? groups[g] : "no group", why);
			if (!acts && !why)
				fail_msg("%s on an account of %s: acts", who[w].name,
					 groups[g] ? groups[g] : "no group");
			if (!acts && groups[g] && who[w].perms &&
			    (!strstr(why, "administers this host") || !strstr(why, groups[g])))
				fail_msg("%s on an account of %s: '%s' does not say why", who[w].name,
					 groups[g], why);
		}
	}
}

/* Every single permission the caller lacks is named; every subset of the
 * caller's own is allowed: all 128 x 128 combinations. */
static void authority_over_every_permission_set(void **state)
{
	(void)state;
	for (uint32_t mine = 1; mine <= PERM_ALL; mine++) {
		struct actor a = actor(false, ROLE_USER, mine, "acme");

		for (uint32_t theirs = 0; theirs <= PERM_ALL; theirs++) {
			struct person p = { .role = ROLE_USER, .perms = theirs };
			char buf[512];
			const char *why;

			snprintf(p.org, sizeof(p.org), "acme");
			snprintf(p.username, sizeof(p.username), "t");
			why = policy_admin_may_act_on(&a, &p, "unlock them", buf, sizeof(buf));
			if (((theirs & ~mine) == 0) != (why == NULL))
				fail_msg("perms %#x on %#x: %s", mine, theirs, why ? why : "acted");
			if (why && !strstr(why, policy_perm_name((theirs & ~mine) & -(theirs & ~mine))))
				fail_msg("perms %#x on %#x: %s names the wrong permission", mine,
					 theirs, why);
			/* A main administrator is above every delegated one, whatever
			 * permissions are stored with them. */
			p.role = ROLE_ADMIN;
			assert_non_null(policy_admin_may_act_on(&a, &p, "unlock them", buf,
								sizeof(buf)));
		}
	}
}

static void permission_names_round_trip(void **state)
{
	(void)state;
	for (uint32_t bit = 1; bit <= PERM_ALL; bit <<= 1) {
		const char *name = policy_perm_name(bit);

		assert_non_null(name);
		assert_int_equal(policy_perm_parse(name), bit);
	}
	assert_int_equal(policy_perm_parse("root"), 0);
	assert_null(policy_perm_name(PERM_ALL));
}

static void only_main_admins_grant(void **state)
{
	static const struct {
		bool root;
		enum person_role actor_role;
		enum person_role old_role, new_role;
		uint32_t old_perms, new_perms;
		bool creating, allowed;
	} rows[] = {
		{ false, ROLE_USER, 0, ROLE_USER, 0, 0, true, true },
		{ false, ROLE_USER, 0, ROLE_TECHNICIAN, 0, 0, true, true },
		{ false, ROLE_USER, 0, ROLE_ADMIN, 0, 0, true, false },
		{ false, ROLE_USER, 0, ROLE_USER, 0, PERM_CODES, true, false },
		{ false, ROLE_ADMIN, 0, ROLE_ADMIN, 0, PERM_CODES, true, true },
		{ true, ROLE_USER, 0, ROLE_ADMIN, 0, 0, true, true },
		/* taking away is granting too */
		{ false, ROLE_USER, ROLE_ADMIN, ROLE_USER, 0, 0, false, false },
		{ false, ROLE_USER, ROLE_USER, ROLE_USER, PERM_AUDIT, 0, false, false },
		/* unchanged roles and permissions are no grant */
		{ false, ROLE_USER, ROLE_ADMIN, ROLE_ADMIN, 0, 0, false, true },
	};

	(void)state;
	for (size_t i = 0; i < N(rows); i++) {
		struct actor a = actor(rows[i].root, rows[i].actor_role, PERM_USERS, "acme");
		struct person old = { .role = rows[i].old_role, .perms = rows[i].old_perms };
		struct person p = { .role = rows[i].new_role, .perms = rows[i].new_perms };
		const char *why = policy_grant(&a, &p, rows[i].creating ? NULL : &old);

		if ((why == NULL) != rows[i].allowed)
			fail_msg("row %zu: expected %s, got %s", i,
				 rows[i].allowed ? "allowed" : "refused", why ? why : "allowed");
	}
}

static void links_follow_the_role(void **state)
{
	static const struct {
		enum person_role role;
		const char *link, *linked_org;
		bool linked_banked;
		const char *want; /* NULL: keeps the rules */
	} rows[] = {
		{ ROLE_USER, "", NULL, false, NULL },
		{ ROLE_ASSISTANT, "", NULL, false, "needs --link" },
		{ ROLE_ASSISTANT, "doc", "acme", false, NULL },
		{ ROLE_ASSISTANT, "doc", "other", false, "no such person in organisation acme" },
		{ ROLE_ASSISTANT, "doc", NULL, false, "no such person" },
		{ ROLE_ASSISTANT, "doc", "acme", true, "user bank" },
		{ ROLE_USER, "me", "acme", false, "themselves" },
	};

	(void)state;
	for (size_t i = 0; i < N(rows); i++) {
		struct person p = { .role = rows[i].role }, l = { 0 };
		char buf[256];
		const char *why;

		snprintf(p.username, sizeof(p.username), "me");
		snprintf(p.org, sizeof(p.org), "acme");
		snprintf(p.link, sizeof(p.link), "%s", rows[i].link);
		if (rows[i].linked_org) {
			snprintf(l.username, sizeof(l.username), "%s", rows[i].link);
			snprintf(l.org, sizeof(l.org), "%s", rows[i].linked_org);
			l.flags = rows[i].linked_banked ? PERSON_DISABLED : 0;
		}
		why = policy_person_links(&p, rows[i].linked_org ? &l : NULL, buf, sizeof(buf));
		if (!rows[i].want && why)
			fail_msg("row %zu: expected no refusal, got %s", i, why);
		if (rows[i].want && (!why || !strstr(why, rows[i].want)))
			fail_msg("row %zu: expected \"%s\", got %s", i, rows[i].want,
				 why ? why : "(none)");
	}
}

static void taken_message_names_the_reason(void **state)
{
	static const struct {
		bool root;
		const char *actor_org, *org;
		int64_t deleted;
		const char *want, *never;
	} rows[] = {
		{ false, "acme", "acme", 0, "already registered in your organisation", NULL },
		/* never " other": the other organisation is not named */
		{ false, "acme", "other", 0, "registered in another organisation", " other" },
		{ false, "acme", "other", 1800000000, "registered in another organisation", "bank" },
		{ false, "acme", "acme", 1800000000, "onboardctl user restore ann", NULL },
		{ true, "", "acme", 0, "already registered (organisation acme)", NULL },
	};

	(void)state;
	for (size_t i = 0; i < N(rows); i++) {
		struct actor a = actor(rows[i].root, ROLE_ADMIN, 0, rows[i].actor_org);
		struct person p = { .deleted = rows[i].deleted };
		char buf[256];

		snprintf(p.username, sizeof(p.username), "ann");
		snprintf(p.org, sizeof(p.org), "%s", rows[i].org);
		policy_taken_message(&a, &p, buf, sizeof(buf));
		if (!strstr(buf, rows[i].want))
			fail_msg("row %zu: expected \"%s\" in \"%s\"", i, rows[i].want, buf);
		if (rows[i].never && strstr(buf, rows[i].never))
			fail_msg("row %zu: \"%s\" says too much: %s", i, rows[i].never, buf);
	}
}

static void hosts_let_in_by_group_and_pool(void **state)
{
	static const char *const clinic[] = { "clinic-a", "clinic-b" };
	static const struct {
		enum person_role role;
		const char *group, *pool; /* the person's */
		size_t host_groups;       /* of clinic[] */
		const char *host_pool;
		enum host_access want;
	} rows[] = {
		{ ROLE_TECHNICIAN, "clinic-b", NULL, 2, NULL, HOST_OK },
		{ ROLE_TECHNICIAN, "clinic-b", NULL, 1, NULL, HOST_NO_GROUP },
		{ ROLE_TECHNICIAN, NULL, NULL, 2, NULL, HOST_NO_GROUP },
		{ ROLE_TECHNICIAN, "clinic-a", NULL, 0, NULL, HOST_NO_GROUP },
		{ ROLE_USER, NULL, NULL, 2, NULL, HOST_OK },
		{ ROLE_ADMIN, NULL, NULL, 2, NULL, HOST_OK },
		{ ROLE_USER, NULL, "lab", 0, "lab", HOST_OK },
		{ ROLE_USER, NULL, NULL, 0, "lab", HOST_NO_POOL },
		{ ROLE_ADMIN, NULL, "other", 0, "lab", HOST_NO_POOL },
		{ ROLE_TECHNICIAN, "clinic-a", "lab", 1, "lab", HOST_OK },
		{ ROLE_TECHNICIAN, "clinic-a", NULL, 1, "lab", HOST_NO_POOL },
	};

	(void)state;
	for (size_t i = 0; i < N(rows); i++) {
		struct person p = { .role = rows[i].role };
		struct host h = { .groups = clinic, .ngroups = rows[i].host_groups,
				  .pool = rows[i].host_pool };
		char buf[256];
		enum host_access v;

		if (rows[i].group)
			snprintf(p.groups[p.ngroups++], sizeof(store_name), "%s", rows[i].group);
		if (rows[i].pool)
			snprintf(p.pools[p.npools++], sizeof(store_name), "%s", rows[i].pool);
		v = policy_host_access(&p, &h);
		if (v != rows[i].want)
			fail_msg("row %zu: expected %d, got %d", i, rows[i].want, v);
		if (v != HOST_OK && !policy_host_message(v, &h, buf, sizeof(buf)))
			fail_msg("row %zu: a refusal without a message", i);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(admin_may_follows_role_and_permissions),
		cmocka_unit_test(permission_names_round_trip),
		cmocka_unit_test(authority_is_a_subset_of_rights),
		cmocka_unit_test(authority_over_every_permission_set),
		cmocka_unit_test(an_account_that_administers_the_host_is_above_delegates),
		cmocka_unit_test(only_main_admins_grant),
		cmocka_unit_test(links_follow_the_role),
		cmocka_unit_test(taken_message_names_the_reason),
		cmocka_unit_test(hosts_let_in_by_group_and_pool),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
