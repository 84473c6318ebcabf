/* The rules as tables, with the clock passed in. */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
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
		{ "alicealice", "alicealice", PASSWORD_OK },
		{ "ALICE123", "ALICE123", PASSWORD_OK },
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(code_status_table),
		cmocka_unit_test(user_add_table),
		cmocka_unit_test(user_add_messages_name_the_reason),
		cmocka_unit_test(login_entry_table),
		cmocka_unit_test(password_rules_table),
		cmocka_unit_test(password_equal_to_username_refused),
		cmocka_unit_test(password_messages_give_the_reason),
		cmocka_unit_test(mfa_step_table),
		cmocka_unit_test(password_min_table),
		cmocka_unit_test(account_table),
		cmocka_unit_test(code_outcome_texts_are_distinct_and_secret_free),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
