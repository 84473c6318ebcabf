/* SPDX-License-Identifier: BSD-3-Clause */
/* libpwquality as onboard configures it: guessable passwords are refused
 * with a reason, composition rules are not applied. */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "quality.h"

static void guessable_passwords_refused_with_a_reason(void **state)
{
	static const struct {
		const char *pw, *reason;
	} rows[] = {
		{ "password", "dictionary" },
		{ "Password1", "dictionary" },
		{ "abcdefghij", "" },          /* a sequence: some reason */
		{ "aaaaaaaaaaaa", "" },        /* repetition */
		{ "alicealice99", "user name" },
		{ "racecar-racecar", "" },     /* palindrome */
	};
	char why[256];

	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const char *r = quality_check(rows[i].pw, NULL, "alice", why, sizeof(why));

		if (!r)
			fail_msg("\"%s\" was accepted", rows[i].pw);
		if (!strstr(r, rows[i].reason))
			fail_msg("\"%s\": reason \"%s\" does not mention \"%s\"", rows[i].pw, r,
				 rows[i].reason);
		assert_null(strchr(r, '\n'));
	}
}

static void no_composition_rules(void **state)
{
	static const char *const good[] = {
		"correct horse battery staple", /* lower case and spaces only */
		"tr0ub4dor&3-horse",
		"LANGEFORSENSEN HOGTIDLIGT",   /* upper case only */
		"vinter\xc3\xa4ppleb\xc3\xa4nk",
	};
	char why[256];

	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		const char *r = quality_check(good[i], NULL, "alice", why, sizeof(why));

		if (r)
			fail_msg("\"%s\" refused: %s", good[i], r);
	}
}

static void too_similar_to_the_old_password_refused(void **state)
{
	char why[256];

	(void)state;
	assert_non_null(quality_check("correct horse battery staples",
				      "correct horse battery staple", "alice", why, sizeof(why)));
	assert_null(quality_check("vinter\xc3\xa4ppleb\xc3\xa4nk", "correct horse battery staple",
				  "alice", why, sizeof(why)));
}

/* Without a readable dictionary every password would be refused "error
 * loading dictionary" and nobody could register: the check goes, the
 * others stay. */
static void unreadable_dictionary_turns_only_the_dictionary_off(void **state)
{
	char why[256];

	(void)state;
	assert_int_equal(quality_init(NULL), 0);
	assert_int_equal(quality_init("/nonexistent/onboard-test/pw_dict"), 1);
	if (quality_check("vinter\xc3\xa4ppleb\xc3\xa4nk", NULL, "alice", why, sizeof(why)))
		fail_msg("a good password refused without the dictionary: %s", why);
	assert_non_null(quality_check("alicealicealice", NULL, "alice", why, sizeof(why)));
	assert_int_equal(quality_init(NULL), 0);
	assert_non_null(quality_check("password", NULL, "alice", why, sizeof(why)));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(guessable_passwords_refused_with_a_reason),
		cmocka_unit_test(no_composition_rules),
		cmocka_unit_test(too_similar_to_the_old_password_refused),
		cmocka_unit_test(unreadable_dictionary_turns_only_the_dictionary_off),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
