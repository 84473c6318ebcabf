/* SPDX-License-Identifier: BSD-3-Clause */
/* Access codes: generation, the grouped display form, and reading back
 * what a person typed. */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include <sodium.h>

#include "ob_cleanup.h"
#include "code.h"

#define ALPHABET_SIZE (sizeof(CODE_ALPHABET) - 1)
#define MANY 10000

static bool in_alphabet(char c)
{
	return c != '\0' && strchr(CODE_ALPHABET, c) != NULL;
}

static void alphabet_leaves_out_look_alike_letters(void **state)
{
	(void)state;
	assert_int_equal(ALPHABET_SIZE, 23);
	assert_null(strchr(CODE_ALPHABET, 'I'));
	assert_null(strchr(CODE_ALPHABET, 'L'));
	assert_null(strchr(CODE_ALPHABET, 'O'));
}

/* Also a rough uniformity check: in 10,000 codes each letter is expected
 * about 6,956 times with a standard deviation near 82; a letter outside
 * +-20% means a broken generator, not bad luck. */
static void generated_codes_are_16_letters_of_the_alphabet(void **state)
{
	size_t count[256] = { 0 };
	char code[CODE_LETTERS + 1], prev[CODE_LETTERS + 1] = "";
	const double expect = (double)MANY * CODE_LETTERS / ALPHABET_SIZE;

	(void)state;
	for (int n = 0; n < MANY; n++) {
		memset(code, '?', sizeof(code));
		code_generate(code);
		if (strlen(code) != CODE_LETTERS)
			fail_msg("code %d is %zu letters long", n, strlen(code));
		for (size_t i = 0; i < CODE_LETTERS; i++) {
			if (!in_alphabet(code[i]))
				fail_msg("code %s has '%c', not in the alphabet", code, code[i]);
			count[(unsigned char)code[i]]++;
		}
		if (strcmp(code, prev) == 0)
			fail_msg("the same code %s came twice in a row", code);
		memcpy(prev, code, sizeof(prev));
	}
	for (size_t i = 0; i < ALPHABET_SIZE; i++) {
		size_t seen = count[(unsigned char)CODE_ALPHABET[i]];

		if (seen < expect * 0.8 || seen > expect * 1.2)
			fail_msg("letter %c seen %zu times in %d codes, expected about %.0f",
				 CODE_ALPHABET[i], seen, MANY, expect);
	}
}

static void format_groups_by_four(void **state)
{
	char out[CODE_FORMATTED + 1];

	(void)state;
	assert_int_equal(code_format("ABCDEFGHJKMNPQRS", out), 0);
	assert_string_equal(out, "ABCD-EFGH-JKMN-PQRS");
	assert_int_equal(strlen(out), CODE_FORMATTED);
}

static void format_refuses_what_is_not_canonical(void **state)
{
	static const char *const bad[] = {
		"", "ABCDEFGHJKMNPQR", "ABCDEFGHJKMNPQRST", "abcdefghjkmnpqrs",
		"ABCD-EFGH-JKMN-PQRS", "ABCDEFGHIKMNPQRS", "ABCDEFGHJKMNPQR1",
	};
	char out[CODE_FORMATTED + 1];

	(void)state;
	for (size_t i = 0; i < OB_ARRAY_SIZE(bad); i++)
		if (code_format(bad[i], out) != -EINVAL)
			fail_msg("code_format accepted \"%s\"", bad[i]);
}

static void normalise_accepts_how_people_type(void **state)
{
	static const char *const typed[] = {
		"ABCDEFGHJKMNPQRS",
		"abcdefghjkmnpqrs",
		"ABCD-EFGH-JKMN-PQRS",
		"abcd-efgh-jkmn-pqrs",
		"ABCD EFGH JKMN PQRS",
		"aBcD-eFgH jKmN-pQrS",
		"  abcd-efgh-jkmn-pqrs  ",
		"ABCD--EFGH  JKMN -PQRS",
		"abcd\tefgh\tjkmn\tpqrs",
		"A-B-C-D-E-F-G-H-J-K-M-N-P-Q-R-S",
	};
	char out[CODE_LETTERS + 1];

	(void)state;
	for (size_t i = 0; i < OB_ARRAY_SIZE(typed); i++) {
		if (code_normalise(typed[i], out) != 0)
			fail_msg("\"%s\" was refused", typed[i]);
		if (strcmp(out, "ABCDEFGHJKMNPQRS") != 0)
			fail_msg("\"%s\" read as \"%s\"", typed[i], out);
	}
}

static void normalise_refuses_what_is_not_a_code(void **state)
{
	static const char *const typed[] = {
		"",
		"----",
		"ABCDEFGHJKMNPQR",            /* 15 letters */
		"ABCD-EFGH-JKMN-PQR",
		"ABCDEFGHJKMNPQRST",          /* 17 letters */
		"ABCD-EFGH-JKMN-PQRS-T",
		"ABCD-EFGH-JKMN-PQR1",        /* a digit */
		"0BCD-EFGH-JKMN-PQRS",
		"ABCD-EFGH-IKMN-PQRS",        /* I */
		"ABCD-EFGH-JKLN-PQRS",        /* L */
		"ABCD-EFGH-JKMN-PQOS",        /* O */
		"abcd-efgh-jkmn-pqro",
		"ABCD.EFGH.JKMN.PQRS",        /* punctuation */
		"ABCD_EFGH_JKMN_PQRS",
		"ABCD/EFGH/JKMN/PQRS",
		"ABCD-EFGH-JKMN-PQRS.",
		"ABCD-EFGH-JKMN-PQRS\n",
		"\xc3\x84" "BCD-EFGH-JKMN-PQRS", /* Ä */
		"ABCD-EFGH-JKMN-PQR\xc5\x9a",    /* Ś */
	};
	char out[CODE_LETTERS + 1];

	(void)state;
	for (size_t i = 0; i < OB_ARRAY_SIZE(typed); i++) {
		memset(out, 'Z', sizeof(out));
		if (code_normalise(typed[i], out) != -EINVAL)
			fail_msg("\"%s\" was read as a code", typed[i]);
		for (size_t k = 0; k < sizeof(out); k++)
			if (out[k] != '\0')
				fail_msg("\"%s\" refused but out not wiped", typed[i]);
	}
}

/* CODE_INPUT_MAX bytes are read; one more is refused before any letter
 * past it is looked at. */
static void normalise_bounds_the_input(void **state)
{
	char typed[CODE_INPUT_MAX + 64], out[CODE_LETTERS + 1];
	size_t pad = CODE_INPUT_MAX - CODE_LETTERS;

	(void)state;
	memset(typed, ' ', pad);
	memcpy(typed + pad, "ABCDEFGHJKMNPQRS", CODE_LETTERS + 1);
	assert_int_equal(strlen(typed), CODE_INPUT_MAX);
	assert_int_equal(code_normalise(typed, out), 0);
	assert_string_equal(out, "ABCDEFGHJKMNPQRS");

	memset(typed, ' ', pad + 1);
	memcpy(typed + pad + 1, "ABCDEFGHJKMNPQRS", CODE_LETTERS + 1);
	assert_int_equal(code_normalise(typed, out), -EINVAL);

	memset(typed, '-', sizeof(typed) - 1);
	typed[sizeof(typed) - 1] = '\0';
	assert_int_equal(code_normalise(typed, out), -EINVAL);
}

static void verification_codes_are_8_letters_shown_in_two_groups(void **state)
{
	char plain[VERIFY_LETTERS + 1], shown[VERIFY_FORMATTED + 1], back[VERIFY_LETTERS + 1];
	char sixteen[CODE_LETTERS + 1];

	(void)state;
	code_generate_len(plain, VERIFY_LETTERS);
	assert_int_equal(strlen(plain), VERIFY_LETTERS);
	assert_int_equal(strspn(plain, CODE_ALPHABET), VERIFY_LETTERS);
	assert_int_equal(code_format_len(plain, shown, VERIFY_LETTERS), 0);
	assert_int_equal(strlen(shown), VERIFY_FORMATTED);
	assert_int_equal(shown[4], '-');
	assert_int_equal(code_normalise_len("abcd efgh", back, VERIFY_LETTERS), 0);
	assert_string_equal(back, "ABCDEFGH");
	assert_int_equal(code_normalise_len(shown, back, VERIFY_LETTERS), 0);
	assert_string_equal(back, plain);
	/* A 16-letter code is not a verification code, nor the reverse. */
	code_generate(sixteen);
	assert_int_equal(code_normalise_len(sixteen, back, VERIFY_LETTERS), -EINVAL);
	assert_int_equal(code_normalise(plain, sixteen), -EINVAL);
}

static void format_and_normalise_round_trip(void **state)
{
	char code[CODE_LETTERS + 1], shown[CODE_FORMATTED + 1], back[CODE_LETTERS + 1];

	(void)state;
	for (int n = 0; n < 1000; n++) {
		code_generate(code);
		assert_int_equal(code_format(code, shown), 0);
		assert_int_equal(code_normalise(shown, back), 0);
		if (strcmp(code, back) != 0)
			fail_msg("%s shown as %s read back as %s", code, shown, back);
		for (char *p = shown; *p; p++)
			if (*p >= 'A' && *p <= 'Z')
				*p = (char)(*p - 'A' + 'a');
		assert_int_equal(code_normalise(shown, back), 0);
		assert_string_equal(code, back);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(alphabet_leaves_out_look_alike_letters),
		cmocka_unit_test(generated_codes_are_16_letters_of_the_alphabet),
		cmocka_unit_test(format_groups_by_four),
		cmocka_unit_test(format_refuses_what_is_not_canonical),
		cmocka_unit_test(normalise_accepts_how_people_type),
		cmocka_unit_test(normalise_refuses_what_is_not_a_code),
		cmocka_unit_test(normalise_bounds_the_input),
		cmocka_unit_test(format_and_normalise_round_trip),
		cmocka_unit_test(verification_codes_are_8_letters_shown_in_two_groups),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
