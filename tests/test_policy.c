/* SPDX-License-Identifier: BSD-3-Clause */
/* The rules as tables, with the clock passed in. */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "policy.h"

#define T0 1800000000LL /* an arbitrary "now" */
#define DAY 86400LL

static struct access_code code_in(enum code_state state, int64_t issued, int64_t expires)
{
	struct access_code c;

	memset(&c, 0, sizeof(c));
	strcpy(c.username, "alice");
	c.state = state;
	c.issued = issued;
	c.expires = expires;
	return c;
}

static void code_status_table(void **state)
{
	static const struct {
		enum code_state stored;
		int64_t expires;
		int64_t now;
		enum code_status want;
	} rows[] = {
		{ CODE_ACTIVE, T0 + 90 * DAY, T0, CODE_STATUS_ACTIVE },
		{ CODE_ACTIVE, T0 + 90 * DAY, T0 + 90 * DAY - 1, CODE_STATUS_ACTIVE },
		{ CODE_ACTIVE, T0 + 90 * DAY, T0 + 90 * DAY, CODE_STATUS_EXPIRED },
		{ CODE_ACTIVE, T0 + 90 * DAY, T0 + 365 * DAY, CODE_STATUS_EXPIRED },
		{ CODE_USED, T0 + 90 * DAY, T0, CODE_STATUS_USED },
		{ CODE_USED, T0 + 90 * DAY, T0 + 100 * DAY, CODE_STATUS_USED },
		{ CODE_REVOKED, T0 + 90 * DAY, T0, CODE_STATUS_REVOKED },
		{ CODE_REVOKED, T0 + 90 * DAY, T0 + 100 * DAY, CODE_STATUS_REVOKED },
		{ CODE_SUPERSEDED, T0 + 90 * DAY, T0, CODE_STATUS_SUPERSEDED },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct access_code c = code_in(rows[i].stored, T0, rows[i].expires);
		enum code_status got = policy_code_status(&c, rows[i].now);

		if (got != rows[i].want)
			fail_msg("row %zu: want %s, got %s", i,
				 policy_code_status_name(rows[i].want), policy_code_status_name(got));
	}
}

static void user_add_table(void **state)
{
	static const struct {
		bool in_onboard;
		enum account_kind kind;
		bool existing;
		enum add_verdict want;
	} rows[] = {
		{ false, ACCOUNT_NONE, false, ADD_OK },
		{ false, ACCOUNT_NONE, true, ADD_NO_UNIX_ACCOUNT },
		{ false, ACCOUNT_REGULAR, false, ADD_UNIX_EXISTS },
		{ false, ACCOUNT_REGULAR, true, ADD_OK },
		{ false, ACCOUNT_SYSTEM, false, ADD_SYSTEM_ACCOUNT },
		{ false, ACCOUNT_SYSTEM, true, ADD_SYSTEM_ACCOUNT },
		{ true, ACCOUNT_NONE, false, ADD_TAKEN },
		{ true, ACCOUNT_REGULAR, true, ADD_TAKEN },
		{ true, ACCOUNT_SYSTEM, false, ADD_TAKEN },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		enum add_verdict got = policy_user_add(rows[i].in_onboard, rows[i].kind,
						       rows[i].existing);

		if (got != rows[i].want)
			fail_msg("row %zu: want %d, got %d", i, rows[i].want, got);
	}
}

static void user_add_messages_name_the_reason(void **state)
{
	char buf[256];

	(void)state;
	assert_non_null(strstr(policy_add_message(ADD_TAKEN, "alice", buf, sizeof(buf)),
			       "already"));
	assert_non_null(strstr(policy_add_message(ADD_SYSTEM_ACCOUNT, "daemon", buf, sizeof(buf)),
			       "system account"));
	assert_non_null(strstr(policy_add_message(ADD_UNIX_EXISTS, "bob", buf, sizeof(buf)),
			       "--existing-account"));
	assert_non_null(strstr(policy_add_message(ADD_NO_UNIX_ACCOUNT, "carol", buf, sizeof(buf)),
			       "no Unix account"));
	assert_non_null(strstr(policy_add_message(ADD_TAKEN, "alice", buf, sizeof(buf)), "alice"));
}

static struct person person_with(const char *pwhash, uint32_t flags)
{
	struct person p;

	memset(&p, 0, sizeof(p));
	strcpy(p.username, "alice");
	strcpy(p.first_name, "Alice");
	strcpy(p.last_name, "Lindqvist");
	strcpy(p.pwhash, pwhash);
	p.flags = flags;
	return p;
}

static void login_entry_table(void **state)
{
	struct access_code active = code_in(CODE_ACTIVE, T0, T0 + 90 * DAY);
	struct access_code used = code_in(CODE_USED, T0, T0 + 90 * DAY);
	struct access_code revoked = code_in(CODE_REVOKED, T0, T0 + 90 * DAY);
	struct person nopw = person_with("", 0);
	struct person pw = person_with("$argon2id$v=19$m=8192,t=1,p=1$x$y", 0);
	struct person disabled = person_with("$argon2id$v=19$m=8192,t=1,p=1$x$y", PERSON_DISABLED);
	struct person disabled_nopw = person_with("", PERSON_DISABLED);
	const struct {
		const struct person *p;
		const struct access_code *c;
		int64_t now;
		enum login_entry want;
	} rows[] = {
		{ &nopw, NULL, T0, LOGIN_ENTRY_UNFINISHED },
		{ &nopw, &active, T0, LOGIN_ENTRY_SECRET },
		{ &nopw, &active, T0 + 90 * DAY, LOGIN_ENTRY_UNFINISHED }, /* expired */
		{ &nopw, &used, T0, LOGIN_ENTRY_UNFINISHED },
		{ &nopw, &revoked, T0, LOGIN_ENTRY_UNFINISHED },
		{ &pw, NULL, T0, LOGIN_ENTRY_SECRET },
		{ &pw, &active, T0, LOGIN_ENTRY_SECRET },
		{ &pw, &used, T0, LOGIN_ENTRY_SECRET },
		{ &disabled, &active, T0, LOGIN_ENTRY_DISABLED },
		{ &disabled_nopw, NULL, T0, LOGIN_ENTRY_DISABLED },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		enum login_entry got = policy_login_entry(rows[i].p, rows[i].c, rows[i].now);

		if (got != rows[i].want)
			fail_msg("row %zu: want %d, got %d", i, rows[i].want, got);
	}
}

static void password_rules_table(void **state)
{
	static const struct password_rules rules = { .min_length = 8, .max_length = 64 };
	struct person p = person_with("", 0);
	static const char long65[] =
		"abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijklm";
	static const char long64[] =
		"abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijkl";
	const struct {
		const char *pw;
		const char *confirm;
		enum password_verdict want;
	} rows[] = {
		{ "correct horse", "correct horse", PASSWORD_OK },
		{ "correct horse", "correct hors", PASSWORD_MISMATCH },
		{ "short", "short", PASSWORD_TOO_SHORT },
		{ "1234567", "1234567", PASSWORD_TOO_SHORT },
		{ "12345678", "12345678", PASSWORD_OK },
		/* eight characters, more than eight bytes */
		{ "\xc3\xa5\xc3\xa4\xc3\xb6\xc3\xa5\xc3\xa4\xc3\xb6\xc3\xa5\xc3\xa4",
		  "\xc3\xa5\xc3\xa4\xc3\xb6\xc3\xa5\xc3\xa4\xc3\xb6\xc3\xa5\xc3\xa4", PASSWORD_OK },
		/* seven characters, fourteen bytes */
		{ "\xc3\xa5\xc3\xa4\xc3\xb6\xc3\xa5\xc3\xa4\xc3\xb6\xc3\xa5",
		  "\xc3\xa5\xc3\xa4\xc3\xb6\xc3\xa5\xc3\xa4\xc3\xb6\xc3\xa5", PASSWORD_TOO_SHORT },
		{ long64, long64, PASSWORD_OK },
		{ long65, long65, PASSWORD_TOO_LONG },
		{ "bad\x01password", "bad\x01password", PASSWORD_BAD_CHARACTERS },
		{ "bad\xff\xfepassword", "bad\xff\xfepassword", PASSWORD_BAD_CHARACTERS },
		{ "alice", "alice", PASSWORD_TOO_SHORT },
		{ "malice-alice", "malice-alice", PASSWORD_IS_NAME },
		{ "malicious1", "malicious1", PASSWORD_OK },
		{ "correct horse", "correct horse", PASSWORD_OK },
		{ "Lindqvist", "Lindqvist", PASSWORD_IS_NAME },
		{ "lindqvist", "lindqvist", PASSWORD_IS_NAME },
		{ "Alice Lindqvist", "Alice Lindqvist", PASSWORD_IS_NAME },
		{ "alicelindqvist", "alicelindqvist", PASSWORD_IS_NAME },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		enum password_verdict got = policy_password(&rules, rows[i].pw, rows[i].confirm, &p);

		if (got != rows[i].want)
			fail_msg("row %zu (%s): want %d, got %d", i, rows[i].pw, rows[i].want, got);
	}
}

/* README: a new password is "not the username or name": one that
 * contains the person's first or last name (any case, three letters or
 * more) is refused, not only one that is exactly the name. */
static void password_containing_a_name_refused(void **state)
{
	static const struct password_rules rules = { .min_length = 8, .max_length = 64 };
	const struct {
		const char *first, *last, *pw;
		enum password_verdict want;
	} rows[] = {
		{ "Tom", "Tink", "TomTink2024!", PASSWORD_IS_NAME },
		{ "Tom", "Tink", "2024!tomtink", PASSWORD_IS_NAME },
		{ "Tom", "Tink", "xxTOMxx2024!", PASSWORD_IS_NAME },
		{ "Tom", "Tink", "tink-rocks-42", PASSWORD_IS_NAME },
		{ "Tom", "Tink", "Tom Tink rules", PASSWORD_IS_NAME },
		{ "Tom", "Tink", "correct horse", PASSWORD_OK },
		{ "Tom", "Tink", "To-m Ti-nk 2024", PASSWORD_OK },
		/* Names of one or two letters are everywhere: not refused. */
		{ "Al", "Ng", "Albatross-Ng-99", PASSWORD_OK },
		/* Each word of a name of several words counts. */
		{ "Anna Maria", "de la Cruz", "MARIA-winter-77", PASSWORD_IS_NAME },
		{ "Anna Maria", "de la Cruz", "cruzcontrol!!", PASSWORD_IS_NAME },
		{ "Anna Maria", "de la Cruz", "delay-lately-7", PASSWORD_OK },
		/* Letters beyond ASCII, in any case. */
		{ "\xc3\x85" "sa", "\xc3\x96" "berg", "\xc3\xa5" "sa-summer-24", PASSWORD_IS_NAME },
		{ "\xc3\x85" "sa", "\xc3\x96" "berg", "x\xc3\x96" "BERGx2024", PASSWORD_IS_NAME },
		{ "\xc3\x85" "sa", "\xc3\x96" "berg", "asa-oberg-2024", PASSWORD_OK },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct person p = person_with("", 0);
		enum password_verdict got;

		snprintf(p.first_name, sizeof(p.first_name), "%s", rows[i].first);
		snprintf(p.last_name, sizeof(p.last_name), "%s", rows[i].last);
		got = policy_password(&rules, rows[i].pw, rows[i].pw, &p);
		if (got != rows[i].want)
			fail_msg("row %zu (%s for %s %s): want %d, got %d", i, rows[i].pw,
				 rows[i].first, rows[i].last, rows[i].want, got);
	}
}

static void password_equal_to_username_refused(void **state)
{
	static const struct password_rules rules = { .min_length = 8, .max_length = 64 };
	struct person p = person_with("", 0);

	(void)state;
	strcpy(p.username, "alexandra");
	assert_int_equal(policy_password(&rules, "alexandra", "alexandra", &p),
			 PASSWORD_IS_USERNAME);
	assert_int_equal(policy_password(&rules, "Alexandra", "Alexandra", &p),
			 PASSWORD_IS_USERNAME);
}

static void password_change_table(void **state)
{
	static const struct password_rules rules = { .min_length = 8, .max_length = 64 };
	struct person p = person_with("", 0);
	const struct {
		const char *pw;
		const char *confirm;
		const char *current;
		enum password_verdict want;
	} rows[] = {
		{ "correct horse", "correct horse", "battery staple", PASSWORD_OK },
		{ "battery staple", "battery staple", "battery staple", PASSWORD_UNCHANGED },
		/* case counts: another password, not the same one */
		{ "Battery Staple", "Battery Staple", "battery staple", PASSWORD_OK },
		/* a prefix or an extension of the current one is another one */
		{ "battery stapl", "battery stapl", "battery staple", PASSWORD_OK },
		{ "battery staples", "battery staples", "battery staple", PASSWORD_OK },
		/* the other rules still hold, and come first */
		{ "battery staple", "battery stapl", "battery staple", PASSWORD_MISMATCH },
		{ "short", "short", "short", PASSWORD_TOO_SHORT },
		{ "Lindqvist", "Lindqvist", "Lindqvist", PASSWORD_IS_NAME },
		{ "bad\x01password", "bad\x01password", "bad\x01password", PASSWORD_BAD_CHARACTERS },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		enum password_verdict got =
			policy_password_change(&rules, rows[i].pw, rows[i].confirm, &p, rows[i].current);

		if (got != rows[i].want)
			fail_msg("row %zu (%s, current %s): want %d, got %d", i, rows[i].pw,
				 rows[i].current, rows[i].want, got);
	}
}

static void password_messages_give_the_reason(void **state)
{
	static const struct password_rules rules = { .min_length = 8, .max_length = 64 };
	char buf[256];

	(void)state;
	assert_non_null(strstr(policy_password_message(PASSWORD_TOO_SHORT, &rules, buf, sizeof(buf)),
			       "at least 8"));
	assert_non_null(strstr(policy_password_message(PASSWORD_TOO_LONG, &rules, buf, sizeof(buf)),
			       "at most 64"));
	assert_non_null(strstr(policy_password_message(PASSWORD_MISMATCH, &rules, buf, sizeof(buf)),
			       "do not match"));
	assert_non_null(strstr(policy_password_message(PASSWORD_IS_USERNAME, &rules, buf, sizeof(buf)),
			       "username"));
	assert_non_null(strstr(policy_password_message(PASSWORD_IS_NAME, &rules, buf, sizeof(buf)),
			       "name"));
	assert_non_null(strstr(policy_password_message(PASSWORD_UNCHANGED, &rules, buf, sizeof(buf)),
			       "differ from your current password"));
}

static void mfa_step_table(void **state)
{
	struct person nopw = person_with("", 0);
	struct person nopw_enrolled = person_with("", PERSON_MFA_ENROLLED);
	struct person pw = person_with("$argon2id$x", 0);
	struct person enrolled = person_with("$argon2id$x", PERSON_MFA_ENROLLED);
	const struct {
		enum mfa_mode mode;
		const struct person *p;
		enum mfa_step want;
	} rows[] = {
		/* The invariant: nothing of MFA before a password exists. */
		{ MFA_REQUIRED, &nopw, MFA_STEP_NONE },
		{ MFA_OPTIONAL, &nopw, MFA_STEP_NONE },
		{ MFA_OFF, &nopw, MFA_STEP_NONE },
		{ MFA_REQUIRED, &nopw_enrolled, MFA_STEP_NONE },
		{ MFA_OPTIONAL, &nopw_enrolled, MFA_STEP_NONE },
		/* Password set, no authenticator yet. */
		{ MFA_REQUIRED, &pw, MFA_STEP_ENROL },
		{ MFA_OPTIONAL, &pw, MFA_STEP_NONE },
		{ MFA_OFF, &pw, MFA_STEP_NONE },
		/* An enrolled authenticator is always asked for, unless MFA is off. */
		{ MFA_REQUIRED, &enrolled, MFA_STEP_VERIFY },
		{ MFA_OPTIONAL, &enrolled, MFA_STEP_VERIFY },
		{ MFA_OFF, &enrolled, MFA_STEP_NONE },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		enum mfa_step got = policy_mfa_step(rows[i].mode, rows[i].p);

		if (got != rows[i].want)
			fail_msg("row %zu: want %d, got %d", i, rows[i].want, got);
	}
}

static void person_state_table(void **state)
{
	struct person nopw = person_with("", 0);
	struct person pw = person_with("$argon2id$x", 0);
	struct person enrolled = person_with("$argon2id$x", PERSON_MFA_ENROLLED);
	struct person disabled = person_with("$argon2id$x", PERSON_DISABLED | PERSON_MFA_ENROLLED);
	const struct {
		enum mfa_mode mode;
		const struct person *p;
		enum person_state want;
	} rows[] = {
		{ MFA_REQUIRED, &nopw, PERSON_STATE_UNFINISHED },
		{ MFA_OFF, &nopw, PERSON_STATE_UNFINISHED },
		{ MFA_REQUIRED, &pw, PERSON_STATE_PASSWORD_SET },
		{ MFA_OPTIONAL, &pw, PERSON_STATE_ACTIVE },
		{ MFA_OFF, &pw, PERSON_STATE_ACTIVE },
		{ MFA_REQUIRED, &enrolled, PERSON_STATE_ACTIVE },
		{ MFA_REQUIRED, &disabled, PERSON_STATE_DISABLED },
		{ MFA_OFF, &disabled, PERSON_STATE_DISABLED },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		enum person_state got = policy_person_state(rows[i].mode, rows[i].p);

		if (got != rows[i].want)
			fail_msg("row %zu: want %s, got %s", i, policy_person_state_name(rows[i].want),
				 policy_person_state_name(got));
	}
}

static void password_min_table(void **state)
{
	(void)state;
	assert_int_equal(policy_password_min(MFA_REQUIRED, 8), 8);
	assert_int_equal(policy_password_min(MFA_OPTIONAL, 8), 8);
	assert_int_equal(policy_password_min(MFA_OFF, 8), 15);
	assert_int_equal(policy_password_min(MFA_OFF, 20), 20);
	assert_int_equal(policy_password_min(MFA_REQUIRED, 12), 12);
}

static void account_table(void **state)
{
	struct person nopw = person_with("", 0);
	struct person pw = person_with("$argon2id$x", 0);
	struct person disabled = person_with("$argon2id$x", PERSON_DISABLED);

	(void)state;
	assert_int_equal(policy_account(&nopw), ACCOUNT_UNFINISHED);
	assert_int_equal(policy_account(&pw), ACCOUNT_OK);
	assert_int_equal(policy_account(&disabled), ACCOUNT_DISABLED);
}

/* The account phase never refuses for a lock from wrong guesses (it
 * also follows ssh key logins, which guess nothing); a disable does. */
static void account_phase_table(void **state)
{
	struct person nopw = person_with("", 0);
	struct person pw = person_with("$argon2id$x", 0);
	struct person enrolled = person_with("$argon2id$x", PERSON_MFA_ENROLLED);
	struct person disabled = person_with("$argon2id$x", PERSON_DISABLED);
	struct person locked = person_with("$argon2id$x", PERSON_MFA_ENROLLED);
	struct person locked_pw = person_with("$argon2id$x", 0);
	const struct {
		enum mfa_mode mode;
		const struct person *p;
		enum account_verdict want;
	} rows[] = {
		{ MFA_REQUIRED, &nopw, ACCOUNT_UNFINISHED },
		{ MFA_REQUIRED, &pw, ACCOUNT_NO_AUTHENTICATOR },
		{ MFA_OPTIONAL, &pw, ACCOUNT_OK },
		{ MFA_OFF, &pw, ACCOUNT_OK },
		{ MFA_REQUIRED, &enrolled, ACCOUNT_OK },
		{ MFA_REQUIRED, &locked, ACCOUNT_OK },
		{ MFA_OFF, &locked_pw, ACCOUNT_OK },
		{ MFA_REQUIRED, &disabled, ACCOUNT_DISABLED },
	};

	(void)state;
	locked.throttle = (struct throttle){ .failures = 100, .last_failure = T0,
					     .locked_until = T0 + 900 };
	locked_pw.throttle = locked.throttle;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		enum account_verdict got = policy_account_phase(rows[i].mode, rows[i].p);

		if (got != rows[i].want)
			fail_msg("row %zu: want %d, got %d", i, rows[i].want, got);
	}
}

static void code_outcome_texts_are_distinct_and_secret_free(void **state)
{
	static const enum store_result outcomes[] = {
		STORE_MISMATCH, STORE_USED, STORE_EXPIRED, STORE_REVOKED, STORE_SUPERSEDED,
	};

	(void)state;
	for (size_t i = 0; i < sizeof(outcomes) / sizeof(outcomes[0]); i++) {
		const char *t = policy_text_code_outcome(outcomes[i]);

		assert_non_null(t);
		assert_true(strlen(t) > 10);
		assert_null(strchr(t, '\n'));
	}
	assert_string_not_equal(policy_text_code_outcome(STORE_USED),
				policy_text_code_outcome(STORE_EXPIRED));
	assert_non_null(strstr(policy_text_unfinished(), "registration is not finished"));
}

/* ---------------------------------------------------------- invitations */

static struct invitation invite_in(enum invite_state state, int64_t expires)
{
	struct invitation inv;

	memset(&inv, 0, sizeof(inv));
	strcpy(inv.username, "alice");
	inv.state = state;
	inv.issued = T0;
	inv.expires = expires;
	return inv;
}

static void invite_status_table(void **state)
{
	static const struct {
		enum invite_state stored;
		int64_t now;
		enum invite_status want;
	} rows[] = {
		{ INVITE_PENDING, T0, INVITE_STATUS_PENDING },
		{ INVITE_PENDING, T0 + 30 * DAY - 1, INVITE_STATUS_PENDING },
		{ INVITE_PENDING, T0 + 30 * DAY, INVITE_STATUS_EXPIRED },
		{ INVITE_ACCEPTED, T0, INVITE_STATUS_ACCEPTED },
		{ INVITE_ACCEPTED, T0 + 40 * DAY, INVITE_STATUS_ACCEPTED },
		{ INVITE_REVOKED, T0, INVITE_STATUS_REVOKED },
		{ INVITE_REVOKED, T0 + 40 * DAY, INVITE_STATUS_REVOKED },
		{ INVITE_SUPERSEDED, T0, INVITE_STATUS_SUPERSEDED },
		{ (enum invite_state)99, T0, INVITE_STATUS_REVOKED },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct invitation inv = invite_in(rows[i].stored, T0 + 30 * DAY);
		enum invite_status got = policy_invite_status(&inv, rows[i].now);

		if (got != rows[i].want)
			fail_msg("row %zu: want %s, got %s", i,
				 policy_invite_status_name(rows[i].want),
				 policy_invite_status_name(got));
	}
}

static void invite_entry_table(void **state)
{
	struct person nopw = person_with("", 0);
	struct person pw = person_with("$argon2id$x", 0);
	struct person disabled = person_with("", PERSON_DISABLED);
	struct invitation pending = invite_in(INVITE_PENDING, T0 + DAY);
	struct invitation accepted = invite_in(INVITE_ACCEPTED, T0 + DAY);
	struct invitation revoked = invite_in(INVITE_REVOKED, T0 + DAY);
	struct invitation expired = invite_in(INVITE_PENDING, T0 - 1);

	(void)state;
	assert_true(policy_invite_entry(&nopw, &pending));
	assert_true(policy_invite_entry(&nopw, &revoked));
	assert_true(policy_invite_entry(&nopw, &expired));
	assert_false(policy_invite_entry(&nopw, &accepted));
	assert_false(policy_invite_entry(&nopw, NULL));
	/* A password set by other means ends the invitation's role. */
	assert_false(policy_invite_entry(&pw, &pending));
	assert_false(policy_invite_entry(&disabled, &pending));
}

static void split_name_table(void **state)
{
	static const struct {
		const char *typed, *first, *last; /* first NULL: refused */
		const char *why;
	} rows[] = {
		{ "Ada Lovelace", "Ada", "Lovelace", NULL },
		{ "  Ada Lovelace  ", "Ada", "Lovelace", NULL },
		{ "Augusta Ada King", "Augusta Ada", "King", NULL },
		{ "Ada  Lovelace", "Ada", "Lovelace", NULL },
		{ "Åsa Öberg", "Åsa", "Öberg", NULL },
		{ "Ada", NULL, NULL, "first and last name" },
		{ "Ada:x Lovelace", NULL, NULL, "first name" },
		{ "Ada Love\x01lace", NULL, NULL, "last name" },
		{ "Ada \xff", NULL, NULL, "last name" },
	};
	char first[OB_NAME_MAX + 1], last[OB_NAME_MAX + 1], why[160];
	char longname[2 * OB_NAME_MAX + 8];

	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const char *r = policy_split_name(rows[i].typed, first, last, why, sizeof(why));

		if (rows[i].first) {
			if (r)
				fail_msg("row %zu (%s) refused: %s", i, rows[i].typed, r);
			assert_string_equal(first, rows[i].first);
			assert_string_equal(last, rows[i].last);
		} else {
			if (!r)
				fail_msg("row %zu (%s) accepted as \"%s\" \"%s\"", i, rows[i].typed,
					 first, last);
			if (!strstr(r, rows[i].why))
				fail_msg("row %zu: the reason \"%s\" does not name %s", i, r,
					 rows[i].why);
			assert_string_equal(first, "");
		}
	}
	memset(longname, 'a', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	longname[3] = ' ';
	assert_non_null(policy_split_name(longname, first, last, why, sizeof(why)));
}

static void terms_answer_table(void **state)
{
	(void)state;
	assert_true(policy_terms_accepted("yes"));
	assert_true(policy_terms_accepted("YES"));
	assert_true(policy_terms_accepted(" Yes "));
	assert_false(policy_terms_accepted(""));
	assert_false(policy_terms_accepted("y"));
	assert_false(policy_terms_accepted("yes please"));
	assert_false(policy_terms_accepted("no"));
	assert_false(policy_terms_accepted("yess"));
}

static void invite_outcome_texts_are_distinct(void **state)
{
	static const enum store_result outcomes[] = {
		STORE_MISMATCH, STORE_USED, STORE_EXPIRED, STORE_REVOKED, STORE_SUPERSEDED,
		STORE_UNAVAILABLE,
	};
	static const char *const words[] = {
		"not right", "already been used", "expired", "withdrawn", "newer one",
		"Try again later",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(outcomes) / sizeof(outcomes[0]); i++) {
		const char *t = policy_text_invite_outcome(outcomes[i]);

		if (!strstr(t, words[i]))
			fail_msg("outcome %zu: \"%s\" does not say \"%s\"", i, t, words[i]);
		assert_null(strchr(t, '\n'));
		for (size_t j = i + 1; j < sizeof(outcomes) / sizeof(outcomes[0]); j++)
			assert_string_not_equal(t, policy_text_invite_outcome(outcomes[j]));
	}
	assert_non_null(strstr(policy_text_invite_unfinished(),
			       "Your registration is not finished: enter the invitation code "
			       "from your welcome message."));
	assert_non_null(strstr(policy_text_terms_refused(), "nothing was changed"));
	assert_non_null(strstr(policy_text_verification_wrong(), "verification code"));
}

/* ------------------------------------------------------------ throttling */

static const char *throttle_name(enum throttle_verdict v)
{
	switch (v) {
	case THROTTLE_ALLOW:
		return "allow";
	case THROTTLE_DELAY:
		return "delay";
	case THROTTLE_LOCKED:
		return "locked";
	}
	return "?";
}

static void throttle_delay_table(void **state)
{
	static const struct {
		uint32_t failures;
		int64_t want;
	} rows[] = {
		{ 0, 0 },  { 1, 0 },  { 2, 0 },  { 3, 0 },   { 4, 2 },
		{ 5, 4 },  { 6, 8 },  { 7, 16 }, { 8, 32 },  { 9, 60 },
		{ 10, 60 }, { 40, 60 }, { UINT32_MAX, 60 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		int64_t got = policy_throttle_delay(rows[i].failures);

		if (got != rows[i].want)
			fail_msg("%u failures: delay %lld s, want %lld s", rows[i].failures,
				 (long long)got, (long long)rows[i].want);
	}
}

/* Places (remote hosts) of the tests. */
static const uint8_t PA[THROTTLE_PLACE_BYTES] = { 'A' };
static const uint8_t PB[THROTTLE_PLACE_BYTES] = { 'B' };
static const uint8_t PC[THROTTLE_PLACE_BYTES] = { 'C' };

/* A throttle of failures in a row, all from place A, the last at last;
 * lock: A's lock, everywhere: the person's. */
static struct throttle from_a(uint32_t failures, int64_t last, int64_t lock, int64_t everywhere)
{
	struct throttle t = { .failures = failures, .last_failure = last,
			      .locked_until = everywhere };

	if (failures) {
		t.nplaces = 1;
		memcpy(t.places[0].key, PA, THROTTLE_PLACE_BYTES);
		t.places[0].failures = failures;
		t.places[0].last_failure = last;
		t.places[0].locked_until = lock;
	}
	return t;
}

static void throttle_check_table(void **state)
{
	static const struct throttle_rules rules = { .attempts = 10, .total_attempts = 100,
						     .lock_seconds = 900 };
	const struct {
		struct throttle t;
		int64_t now;
		const uint8_t *place;
		enum throttle_verdict want;
		int64_t until;
	} rows[] = {
		/* Nothing failed. */
		{ from_a(0, 0, 0, 0), T0, PA, THROTTLE_ALLOW, 0 },
		/* The first failures cost nothing: typing mistakes. */
		{ from_a(1, T0, 0, 0), T0, PA, THROTTLE_ALLOW, 0 },
		{ from_a(3, T0, 0, 0), T0, PA, THROTTLE_ALLOW, 0 },
		/* Then a growing wait after the last failure, from there. */
		{ from_a(4, T0, 0, 0), T0, PA, THROTTLE_DELAY, T0 + 2 },
		{ from_a(4, T0, 0, 0), T0 + 1, PA, THROTTLE_DELAY, T0 + 2 },
		{ from_a(4, T0, 0, 0), T0 + 2, PA, THROTTLE_ALLOW, 0 },
		{ from_a(6, T0, 0, 0), T0 + 7, PA, THROTTLE_DELAY, T0 + 8 },
		{ from_a(9, T0, 0, 0), T0 + 59, PA, THROTTLE_DELAY, T0 + 60 },
		{ from_a(9, T0, 0, 0), T0 + 60, PA, THROTTLE_ALLOW, 0 },
		/* ... and not from elsewhere. */
		{ from_a(9, T0, 0, 0), T0 + 59, PB, THROTTLE_ALLOW, 0 },
		/* A clock that went back does not make anyone wait. */
		{ from_a(9, T0 + 100, 0, 0), T0, PA, THROTTLE_ALLOW, 0 },
		/* The place locked, to the second; another place is not. */
		{ from_a(10, T0, T0 + 900, 0), T0, PA, THROTTLE_LOCKED, T0 + 900 },
		{ from_a(10, T0, T0 + 900, 0), T0 + 899, PA, THROTTLE_LOCKED, T0 + 900 },
		{ from_a(10, T0, T0 + 900, 0), T0 + 899, PB, THROTTLE_ALLOW, 0 },
		/* Expired: allowed at once, with no leftover delay. */
		{ from_a(10, T0, T0 + 900, 0), T0 + 900, PA, THROTTLE_ALLOW, 0 },
		{ from_a(10, T0, T0 + 900, 0), T0 + 365 * DAY, PA, THROTTLE_ALLOW, 0 },
		/* Locked everywhere: from every place. */
		{ from_a(100, T0, 0, T0 + 900), T0, PB, THROTTLE_LOCKED, T0 + 900 },
		{ from_a(100, T0, 0, T0 + 900), T0 + 899, PC, THROTTLE_LOCKED, T0 + 900 },
		{ from_a(100, T0, 0, T0 + 900), T0 + 900, PA, THROTTLE_ALLOW, 0 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		int64_t until = -1;
		enum throttle_verdict got = policy_throttle_check(&rows[i].t, &rules, rows[i].place,
								  rows[i].now, &until);

		if (got != rows[i].want || until != rows[i].until)
			fail_msg("row %zu: %s until %lld, want %s until %lld", i, throttle_name(got),
				 (long long)until, throttle_name(rows[i].want),
				 (long long)rows[i].until);
	}
}

/* A person's history, event by event: what each does to the state and
 * what a check from the same place says afterwards. */
enum throttle_event { EV_FAIL, EV_SUCCESS, EV_CLEAR };

struct throttle_step {
	enum throttle_event ev;
	const uint8_t *place;
	int64_t now;
	bool locked;      /* EV_FAIL's result */
	uint32_t failures; /* in a row, from anywhere */
	int64_t locked_until; /* the lock that holds at place (everywhere, or its own) */
	enum throttle_verdict check; /* policy_throttle_check at now afterwards */
};

static int64_t lock_at(const struct throttle *t, const uint8_t *place)
{
	if (t->locked_until)
		return t->locked_until;
	for (unsigned i = 0; i < t->nplaces; i++)
		if (memcmp(t->places[i].key, place, THROTTLE_PLACE_BYTES) == 0)
			return t->places[i].locked_until;
	return 0;
}

static void throttle_run(const char *name, const struct throttle_rules *rules,
			 const struct throttle_step *steps, size_t n)
{
	struct throttle t;
	int64_t until;

	policy_throttle_clear(&t);
	for (size_t i = 0; i < n; i++) {
		bool locked = false;
		enum throttle_verdict v;

		if (steps[i].ev == EV_FAIL)
			locked = policy_throttle_fail(&t, rules, steps[i].place, steps[i].now, NULL);
		else if (steps[i].ev == EV_SUCCESS)
			policy_throttle_success(&t, steps[i].place);
		else
			policy_throttle_clear(&t);
		v = policy_throttle_check(&t, rules, steps[i].place, steps[i].now, &until);
		if (locked != steps[i].locked || t.failures != steps[i].failures ||
		    lock_at(&t, steps[i].place) != steps[i].locked_until || v != steps[i].check)
			fail_msg("%s, step %zu: locked %d, %u failures, locked until %lld, check %s; "
				 "want %d, %u, %lld, %s",
				 name, i, locked, t.failures, (long long)lock_at(&t, steps[i].place),
				 throttle_name(v), steps[i].locked, steps[i].failures,
				 (long long)steps[i].locked_until, throttle_name(steps[i].check));
		if (steps[i].ev == EV_FAIL && t.last_failure != steps[i].now && !steps[i].locked)
			fail_msg("%s, step %zu: last failure %lld, want %lld", name, i,
				 (long long)t.last_failure, (long long)steps[i].now);
		if (t.nplaces > THROTTLE_PLACES)
			fail_msg("%s, step %zu: %u places", name, i, t.nplaces);
	}
}

#define STEPS(s) s, sizeof(s) / sizeof(s[0])

static void throttle_threshold_locks_and_lock_expires(void **state)
{
	static const struct throttle_rules rules = { .attempts = 3, .total_attempts = 100,
						     .lock_seconds = 900 };
	static const struct throttle_step steps[] = {
		/* Below the threshold. */
		{ EV_FAIL, PA, T0, false, 1, 0, THROTTLE_ALLOW },
		{ EV_FAIL, PA, T0 + 5, false, 2, 0, THROTTLE_ALLOW },
		/* Reaching it locks the place for lock_seconds from this failure. */
		{ EV_FAIL, PA, T0 + 9, true, 3, T0 + 909, THROTTLE_LOCKED },
		/* A failure while locked (a dialogue that began before the lock)
		 * neither extends the lock nor counts. */
		{ EV_FAIL, PA, T0 + 100, true, 3, T0 + 909, THROTTLE_LOCKED },
		/* After the lock: the place counts from one again; the failures
		 * in a row from anywhere go on. */
		{ EV_FAIL, PA, T0 + 909, false, 4, 0, THROTTLE_ALLOW },
		{ EV_FAIL, PA, T0 + 910, false, 5, 0, THROTTLE_ALLOW },
		{ EV_FAIL, PA, T0 + 911, true, 6, T0 + 1811, THROTTLE_LOCKED },
	};

	(void)state;
	throttle_run("lock and expiry", &rules, STEPS(steps));
}

/* The finding (issue 9.7): a guesser at one place locked the person out
 * everywhere.  Now the place is locked; the person from elsewhere is
 * not, and their success there does not unlock the guesser's place. */
static void throttle_a_guesser_locks_only_their_place(void **state)
{
	static const struct throttle_rules rules = { .attempts = 3, .total_attempts = 100,
						     .lock_seconds = 900 };
	static const struct throttle_step steps[] = {
		{ EV_FAIL, PA, T0, false, 1, 0, THROTTLE_ALLOW },
		{ EV_FAIL, PA, T0 + 1, false, 2, 0, THROTTLE_ALLOW },
		{ EV_FAIL, PA, T0 + 2, true, 3, T0 + 902, THROTTLE_LOCKED },
		/* The person, from B: not locked, a typo of theirs counts for B. */
		{ EV_FAIL, PB, T0 + 3, false, 4, 0, THROTTLE_ALLOW },
		{ EV_SUCCESS, PB, T0 + 4, false, 0, 0, THROTTLE_ALLOW },
		/* A is still locked for the guesser. */
		{ EV_FAIL, PA, T0 + 5, true, 0, T0 + 902, THROTTLE_LOCKED },
	};

	(void)state;
	throttle_run("one place", &rules, STEPS(steps));
}

/* NIST SP 800-63B: at most total_attempts failures in a row from
 * anywhere, then the person is locked everywhere. */
static void throttle_failures_from_anywhere_lock_everywhere(void **state)
{
	static const struct throttle_rules rules = { .attempts = 3, .total_attempts = 5,
						     .lock_seconds = 600 };
	static const struct throttle_step steps[] = {
		{ EV_FAIL, PA, T0, false, 1, 0, THROTTLE_ALLOW },
		{ EV_FAIL, PA, T0, false, 2, 0, THROTTLE_ALLOW },
		{ EV_FAIL, PB, T0, false, 3, 0, THROTTLE_ALLOW },
		{ EV_FAIL, PB, T0, false, 4, 0, THROTTLE_ALLOW },
		{ EV_FAIL, PC, T0 + 1, true, 5, T0 + 601, THROTTLE_LOCKED },
		/* From every place, new ones too. */
		{ EV_FAIL, PA, T0 + 2, true, 5, T0 + 601, THROTTLE_LOCKED },
		/* The end of it leaves nothing. */
		{ EV_FAIL, PA, T0 + 601, false, 1, 0, THROTTLE_ALLOW },
	};

	(void)state;
	throttle_run("everywhere", &rules, STEPS(steps));
}

/* A place per remote host would let a guesser grow the record: at most
 * THROTTLE_PLACES are kept, the one with the oldest failure dropped. */
static void throttle_places_are_bounded(void **state)
{
	static const struct throttle_rules rules = { .attempts = 3, .total_attempts = 100,
						     .lock_seconds = 600 };
	struct throttle t;
	uint8_t k[THROTTLE_PLACE_BYTES] = { 0 };
	int64_t until;

	(void)state;
	policy_throttle_clear(&t);
	for (unsigned i = 0; i < 3 * THROTTLE_PLACES; i++) {
		k[0] = (uint8_t)(i + 1);
		policy_throttle_fail(&t, &rules, k, T0 + i, NULL);
		assert_true(t.nplaces <= THROTTLE_PLACES);
	}
	assert_int_equal(t.nplaces, THROTTLE_PLACES);
	assert_int_equal(t.failures, 3 * THROTTLE_PLACES);
	/* The newest places are kept, the oldest gone. */
	for (unsigned i = 0; i < THROTTLE_PLACES; i++)
		assert_int_equal(t.places[i].key[0], 2 * THROTTLE_PLACES + i + 1);
	/* A locked place stays while unlocked ones come and go: guessing
	 * from other places does not unlock it. */
	policy_throttle_clear(&t);
	k[0] = 0xee;
	policy_throttle_fail(&t, &rules, k, T0, NULL);
	policy_throttle_fail(&t, &rules, k, T0, NULL);
	assert_true(policy_throttle_fail(&t, &rules, k, T0, NULL));
	for (unsigned i = 0; i < 3 * THROTTLE_PLACES; i++) {
		k[0] = (uint8_t)(i + 1);
		policy_throttle_fail(&t, &rules, k, T0 + 1 + i, NULL);
	}
	k[0] = 0xee;
	assert_int_equal(t.nplaces, THROTTLE_PLACES);
	assert_int_equal(policy_throttle_check(&t, &rules, k, T0 + 100, &until), THROTTLE_LOCKED);
	assert_int_equal(policy_throttle_places_locked(&t, T0 + 100, &until), 1);
	assert_int_equal(until, T0 + 600);
}

static void throttle_success_or_unlock_resets(void **state)
{
	static const struct throttle_rules rules = { .attempts = 3, .total_attempts = 100,
						     .lock_seconds = 600 };
	static const struct throttle_step steps[] = {
		{ EV_FAIL, PA, T0, false, 1, 0, THROTTLE_ALLOW },
		{ EV_FAIL, PA, T0 + 1, false, 2, 0, THROTTLE_ALLOW },
		/* A successful login: 2 wrong, 1 right, 2 wrong is not a lock. */
		{ EV_SUCCESS, PA, T0 + 2, false, 0, 0, THROTTLE_ALLOW },
		{ EV_FAIL, PA, T0 + 3, false, 1, 0, THROTTLE_ALLOW },
		{ EV_FAIL, PA, T0 + 4, false, 2, 0, THROTTLE_ALLOW },
		{ EV_FAIL, PA, T0 + 5, true, 3, T0 + 605, THROTTLE_LOCKED },
		/* An administrator's unlock, long before the lock ends. */
		{ EV_CLEAR, PA, T0 + 6, false, 0, 0, THROTTLE_ALLOW },
		{ EV_FAIL, PA, T0 + 7, false, 1, 0, THROTTLE_ALLOW },
	};

	(void)state;
	throttle_run("reset", &rules, STEPS(steps));
}

static void throttle_delays_grow_before_the_lock(void **state)
{
	static const struct throttle_rules rules = { .attempts = 10, .total_attempts = 100,
						     .lock_seconds = 900 };
	/* Each failure comes as soon as the previous wait allows. */
	static const struct throttle_step steps[] = {
		{ EV_FAIL, PA, T0, false, 1, 0, THROTTLE_ALLOW },
		{ EV_FAIL, PA, T0, false, 2, 0, THROTTLE_ALLOW },
		{ EV_FAIL, PA, T0, false, 3, 0, THROTTLE_ALLOW },
		{ EV_FAIL, PA, T0, false, 4, 0, THROTTLE_DELAY },
		{ EV_FAIL, PA, T0 + 2, false, 5, 0, THROTTLE_DELAY },
		{ EV_FAIL, PA, T0 + 6, false, 6, 0, THROTTLE_DELAY },
		{ EV_FAIL, PA, T0 + 14, false, 7, 0, THROTTLE_DELAY },
		{ EV_FAIL, PA, T0 + 30, false, 8, 0, THROTTLE_DELAY },
		{ EV_FAIL, PA, T0 + 62, false, 9, 0, THROTTLE_DELAY },
		{ EV_FAIL, PA, T0 + 122, true, 10, T0 + 1022, THROTTLE_LOCKED },
	};

	(void)state;
	throttle_run("delays", &rules, STEPS(steps));
}

static void throttle_expired_lock_leaves_nothing(void **state)
{
	struct throttle t = from_a(100, T0, 0, T0 + 900);

	(void)state;
	policy_throttle_expire(&t, T0 + 899);
	if (t.failures != 100 || t.locked_until != T0 + 900)
		fail_msg("a lock that still holds was forgotten");
	policy_throttle_expire(&t, T0 + 900);
	if (t.failures || t.last_failure || t.locked_until || t.nplaces)
		fail_msg("an expired lock left %u failures, lock until %lld", t.failures,
			 (long long)t.locked_until);
	/* A place's expired lock leaves the place out, the count in a row in. */
	t = from_a(10, T0, T0 + 900, 0);
	policy_throttle_expire(&t, T0 + 900);
	assert_int_equal(t.nplaces, 0);
	assert_int_equal(t.failures, 10);
	/* Failures without a lock do not expire: they last until a success. */
	t = from_a(2, T0, 0, 0);
	policy_throttle_expire(&t, T0 + 365 * DAY);
	assert_int_equal(t.failures, 2);
	assert_int_equal(t.nplaces, 1);
}

static void throttle_one_attempt_locks_at_once(void **state)
{
	static const struct throttle_rules rules = { .attempts = 1, .total_attempts = 100,
						     .lock_seconds = 60 };
	static const struct throttle_step steps[] = {
		{ EV_FAIL, PA, T0, true, 1, T0 + 60, THROTTLE_LOCKED },
		{ EV_FAIL, PA, T0 + 60, true, 2, T0 + 120, THROTTLE_LOCKED },
	};

	(void)state;
	throttle_run("one attempt", &rules, STEPS(steps));
}

static void throttle_rules_come_from_the_configuration(void **state)
{
	struct config c;
	struct throttle_rules r;

	(void)state;
	config_defaults(&c);
	r = policy_throttle_rules(&c);
	assert_int_equal(r.attempts, 10);
	assert_int_equal(r.total_attempts, 100);
	assert_int_equal(r.lock_seconds, 15 * 60);
	c.lockout_attempts = 3;
	c.lockout_minutes = 1440;
	r = policy_throttle_rules(&c);
	assert_int_equal(r.attempts, 3);
	assert_int_equal(r.lock_seconds, DAY);
}

static void throttle_texts_say_until_when(void **state)
{
	/* T0 is 2027-01-15 08:00:00 UTC. */
	static const struct {
		int64_t until, now;
		const char *want;
	} rows[] = {
		{ T0 + 900, T0, "Too many failed attempts: this account is locked until 08:15." },
		/* Rounded up: at the minute shown, the lock is over. */
		{ T0 + 901, T0, "Too many failed attempts: this account is locked until 08:16." },
		{ T0 + 959, T0, "Too many failed attempts: this account is locked until 08:16." },
		/* Another day: the date too. */
		{ T0 + DAY, T0,
		  "Too many failed attempts: this account is locked until 2027-01-16 08:00." },
	};
	char buf[160];

	(void)state;
	setenv("TZ", "UTC", 1);
	tzset();
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		assert_string_equal(policy_text_locked(rows[i].until, rows[i].now, buf, sizeof(buf)),
				    rows[i].want);
	assert_string_equal(policy_text_wait(T0 + 4, T0, buf, sizeof(buf)),
			    "Too many failed attempts: wait 4 seconds, then try again.");
	assert_string_equal(policy_text_wait(T0 + 1, T0, buf, sizeof(buf)),
			    "Too many failed attempts: wait 1 second, then try again.");
	/* A short buffer is cut, never overrun. */
	policy_text_locked(T0 + 900, T0, buf, 10);
	assert_int_equal(strlen(buf), 9);
}

/* ------------------------------------------- code guesses per source */

static void source_delay_table(void **state)
{
	static const struct {
		uint32_t failures;
		int64_t want;
	} rows[] = {
		{ 0, 0 },  { 1, 0 },   { 2, 0 },   { 3, 0 },   { 4, 1 },
		{ 5, 2 },  { 6, 4 },   { 7, 8 },   { 8, 16 },  { 9, 32 },
		{ 10, 60 }, { 11, 60 }, { 40, 60 }, { UINT32_MAX, 60 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		int64_t got = policy_source_delay(rows[i].failures);

		if (got != rows[i].want)
			fail_msg("%u wrong codes: delay %lld s, want %lld s", rows[i].failures,
				 (long long)got, (long long)rows[i].want);
	}
}

static void source_check_table(void **state)
{
	static const struct throttle_rules rules = { .attempts = 10, .lock_seconds = 900 };
	static const struct {
		struct throttle t;
		int64_t now;
		enum throttle_verdict want;
		int64_t until;
	} rows[] = {
		{ { .failures = 0, .last_failure = 0, .locked_until = 0 }, T0, THROTTLE_ALLOW, 0 },
		{ { .failures = 3, .last_failure = T0, .locked_until = 0 }, T0, THROTTLE_ALLOW, 0 },
		/* From the fourth wrong code: 1 s, doubling. */
		{ { .failures = 4, .last_failure = T0, .locked_until = 0 }, T0, THROTTLE_DELAY, T0 + 1 },
		{ { .failures = 4, .last_failure = T0, .locked_until = 0 }, T0 + 1, THROTTLE_ALLOW, 0 },
		{ { .failures = 5, .last_failure = T0, .locked_until = 0 }, T0 + 1, THROTTLE_DELAY, T0 + 2 },
		{ { .failures = 9, .last_failure = T0, .locked_until = 0 }, T0 + 31, THROTTLE_DELAY, T0 + 32 },
		{ { .failures = 9, .last_failure = T0, .locked_until = 0 }, T0 + 32, THROTTLE_ALLOW, 0 },
		/* A clock that went back makes no one wait. */
		{ { .failures = 9, .last_failure = T0 + 100, .locked_until = 0 }, T0, THROTTLE_ALLOW, 0 },
		/* Locked, to the second; then nothing is left. */
		{ { .failures = 10, .last_failure = T0, .locked_until = T0 + 900 }, T0, THROTTLE_LOCKED, T0 + 900 },
		{ { .failures = 10, .last_failure = T0, .locked_until = T0 + 900 }, T0 + 899, THROTTLE_LOCKED, T0 + 900 },
		{ { .failures = 10, .last_failure = T0, .locked_until = T0 + 900 }, T0 + 900, THROTTLE_ALLOW, 0 },
		/* A quiet lock_seconds forgets the count. */
		{ { .failures = 9, .last_failure = T0, .locked_until = 0 }, T0 + 900, THROTTLE_ALLOW, 0 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		int64_t until = -1;
		enum throttle_verdict got = policy_source_check(&rows[i].t, &rules, rows[i].now,
								&until);

		if (got != rows[i].want || until != rows[i].until)
			fail_msg("row %zu: %s until %lld, want %s until %lld", i, throttle_name(got),
				 (long long)until, throttle_name(rows[i].want),
				 (long long)rows[i].until);
	}
}

/* A source's history, one wrong code after another at the given times:
 * the state afterwards and what a check says. */
static void source_guessing_waits_then_locks_then_starts_over(void **state)
{
	static const struct throttle_rules rules = { .attempts = 6, .lock_seconds = 600 };
	static const struct {
		int64_t now;
		bool locked;
		uint32_t failures;
		int64_t locked_until;
		enum throttle_verdict check;
	} steps[] = {
		{ T0, false, 1, 0, THROTTLE_ALLOW },
		{ T0, false, 2, 0, THROTTLE_ALLOW },
		{ T0, false, 3, 0, THROTTLE_ALLOW },
		{ T0, false, 4, 0, THROTTLE_DELAY },
		{ T0 + 1, false, 5, 0, THROTTLE_DELAY },
		{ T0 + 3, true, 6, T0 + 603, THROTTLE_LOCKED },
		/* A failure counted while locked (it began before) changes nothing. */
		{ T0 + 10, true, 6, T0 + 603, THROTTLE_LOCKED },
		/* After the lock: from one again. */
		{ T0 + 603, false, 1, 0, THROTTLE_ALLOW },
		/* A quiet lock_seconds: from one again too. */
		{ T0 + 1203, false, 1, 0, THROTTLE_ALLOW },
		{ T0 + 1204, false, 2, 0, THROTTLE_ALLOW },
	};
	struct throttle t;

	(void)state;
	policy_throttle_clear(&t);
	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		bool locked = policy_source_fail(&t, &rules, steps[i].now);
		int64_t until;
		enum throttle_verdict v = policy_source_check(&t, &rules, steps[i].now, &until);

		if (locked != steps[i].locked || t.failures != steps[i].failures ||
		    t.locked_until != steps[i].locked_until || v != steps[i].check)
			fail_msg("step %zu: locked %d, %u failures, locked until %lld, check %s; "
				 "want %d, %u, %lld, %s",
				 i, locked, t.failures, (long long)t.locked_until, throttle_name(v),
				 steps[i].locked, steps[i].failures, (long long)steps[i].locked_until,
				 throttle_name(steps[i].check));
	}
}

static void source_text_says_how_long(void **state)
{
	char buf[128];

	(void)state;
	assert_string_equal(policy_text_source_wait(T0 + 1, T0, buf, sizeof(buf)),
			    "Too many attempts from here: try again in 1 second.");
	assert_string_equal(policy_text_source_wait(T0 + 32, T0, buf, sizeof(buf)),
			    "Too many attempts from here: try again in 32 seconds.");
	assert_string_equal(policy_text_source_wait(T0 + 900, T0, buf, sizeof(buf)),
			    "Too many attempts from here: try again in 15 minutes.");
	assert_string_equal(policy_text_source_wait(T0 + 121, T0, buf, sizeof(buf)),
			    "Too many attempts from here: try again in 3 minutes.");
	/* Already over: never "0 seconds". */
	assert_string_equal(policy_text_source_wait(T0, T0, buf, sizeof(buf)),
			    "Too many attempts from here: try again in 1 second.");
}

/* Texts cut into messages: at a newline within the bound, else a space,
 * else before a UTF-8 character; the newline or space is dropped. */
static void text_piece_table(void **state)
{
	static const struct {
		const char *text;
		size_t max, len, next;
	} t[] = {
		{ "", 8, 0, 0 },
		{ "short", 8, 5, 5 },
		{ "exactly8", 8, 8, 8 },
		{ "ab\ncd\nefgh", 8, 5, 6 },       /* the last newline within 8 */
		{ "abcdefgh\nij", 8, 8, 9 },        /* a newline just past: a full piece */
		{ "ab cd efgh ij", 8, 5, 6 },       /* no newline: the last space */
		{ "ab\ncd ef gh", 8, 2, 3 },        /* a newline wins over a later space */
		{ "abcdefghijkl", 8, 8, 8 },        /* one word: cut at the bound */
		{ "abcdef\xe2\x96\x88x", 8, 6, 6 }, /* not inside U+2588 */
		{ "abcdefg\xe2\x96\x88", 8, 7, 7 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		size_t next = 99, len = policy_text_piece(t[i].text, t[i].max, &next);

		if (len != t[i].len || next != t[i].next)
			fail_msg("\"%s\" (max %zu): %zu, next %zu; want %zu, next %zu", t[i].text,
				 t[i].max, len, next, t[i].len, t[i].next);
	}
}

/* A whole text cut piece by piece: every piece within the bound, nothing
 * lost but the newlines and spaces at the cuts. */
static void text_pieces_cover_the_text(void **state)
{
	char text[3000], joined[3000] = "";
	size_t n = 0, o = 0;

	(void)state;
	for (int i = 0; i < 30; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n, "line %d \xe2\x96\x88\xe2\x96\x84 "
				      "of a QR code drawn in blocks\n", i);
	for (const char *p = text; *p;) {
		size_t next, len = policy_text_piece(p, 511, &next);

		assert_true(len >= 1 && len <= 511);
		memcpy(joined + o, p, len);
		o += len;
		if (next == len + 1)
			joined[o++] = p[len]; /* the dropped separator, put back */
		p += next;
	}
	joined[o] = '\0';
	assert_string_equal(joined, text);
}

/* The enrolment's view by PAM service: the key for the listed services
 * (whole names, any separator), the QR code for every other. */
static void enrol_view_table(void **state)
{
	static const struct {
		const char *list, *service;
		enum enrol_view want;
	} t[] = {
		{ "lightdm gdm-password sddm", "lightdm", ENROL_VIEW_KEY },
		{ "lightdm gdm-password sddm", "gdm-password", ENROL_VIEW_KEY },
		{ "lightdm gdm-password sddm", "sddm", ENROL_VIEW_KEY },
		{ "lightdm,gdm-password\tsddm", "gdm-password", ENROL_VIEW_KEY },
		{ "  lightdm  ", "lightdm", ENROL_VIEW_KEY },
		{ "lightdm gdm-password sddm", "login", ENROL_VIEW_QR },
		{ "lightdm gdm-password sddm", "sshd", ENROL_VIEW_QR },
		{ "lightdm gdm-password sddm", "gdm", ENROL_VIEW_QR },         /* a prefix */
		{ "lightdm gdm-password sddm", "lightdm-greeter", ENROL_VIEW_QR }, /* longer */
		{ "lightdm gdm-password sddm", "LightDM", ENROL_VIEW_QR },      /* case counts */
		{ "lightdm", "", ENROL_VIEW_QR },
		{ "lightdm", NULL, ENROL_VIEW_QR },
		{ "", "lightdm", ENROL_VIEW_QR },
		{ NULL, "lightdm", ENROL_VIEW_QR },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (policy_enrol_view(t[i].list, t[i].service) != t[i].want)
			fail_msg("service %s in \"%s\": want %s", t[i].service ? t[i].service : "NULL",
				 t[i].list ? t[i].list : "NULL",
				 t[i].want == ENROL_VIEW_KEY ? "the key" : "the QR code");
}

/* What a greeter shows last: issuer, account, key; the settings only when
 * an app would not guess them. */
static void enrol_card_says_issuer_account_key(void **state)
{
	char buf[512];

	(void)state;
	policy_text_enrol_card("kiosk.example", "ada", "ABCD EFGH", NULL, 0, buf, sizeof(buf));
	assert_string_equal(buf, "Add this key to your authenticator app, then type its code:\n"
				 "Issuer: kiosk.example\nAccount: ada\nKey: ABCD EFGH");
	policy_text_enrol_card("h", "ada", "ABCD", "SHA256", 8, buf, sizeof(buf));
	assert_non_null(strstr(buf, "\nKey: ABCD\nType: time-based, SHA256, 8 digits"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(code_status_table),
		cmocka_unit_test(user_add_table),
		cmocka_unit_test(user_add_messages_name_the_reason),
		cmocka_unit_test(login_entry_table),
		cmocka_unit_test(password_rules_table),
		cmocka_unit_test(password_equal_to_username_refused),
		cmocka_unit_test(password_containing_a_name_refused),
		cmocka_unit_test(password_change_table),
		cmocka_unit_test(password_messages_give_the_reason),
		cmocka_unit_test(mfa_step_table),
		cmocka_unit_test(person_state_table),
		cmocka_unit_test(password_min_table),
		cmocka_unit_test(account_table),
		cmocka_unit_test(account_phase_table),
		cmocka_unit_test(code_outcome_texts_are_distinct_and_secret_free),
		cmocka_unit_test(invite_status_table),
		cmocka_unit_test(invite_entry_table),
		cmocka_unit_test(split_name_table),
		cmocka_unit_test(terms_answer_table),
		cmocka_unit_test(invite_outcome_texts_are_distinct),
		cmocka_unit_test(throttle_delay_table),
		cmocka_unit_test(throttle_check_table),
		cmocka_unit_test(throttle_threshold_locks_and_lock_expires),
		cmocka_unit_test(throttle_a_guesser_locks_only_their_place),
		cmocka_unit_test(throttle_failures_from_anywhere_lock_everywhere),
		cmocka_unit_test(throttle_places_are_bounded),
		cmocka_unit_test(throttle_success_or_unlock_resets),
		cmocka_unit_test(throttle_delays_grow_before_the_lock),
		cmocka_unit_test(throttle_expired_lock_leaves_nothing),
		cmocka_unit_test(throttle_one_attempt_locks_at_once),
		cmocka_unit_test(throttle_rules_come_from_the_configuration),
		cmocka_unit_test(throttle_texts_say_until_when),
		cmocka_unit_test(source_delay_table),
		cmocka_unit_test(source_check_table),
		cmocka_unit_test(source_guessing_waits_then_locks_then_starts_over),
		cmocka_unit_test(source_text_says_how_long),
		cmocka_unit_test(text_piece_table),
		cmocka_unit_test(enrol_view_table),
		cmocka_unit_test(enrol_card_says_issuer_account_key),
		cmocka_unit_test(text_pieces_cover_the_text),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
