/* SPDX-License-Identifier: BSD-3-Clause */
/* The field rules for people, as tables of inputs and verdicts. */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "ob_cleanup.h"
#include "utf8.h"
#include "validate.h"

struct row {
	const char *in;
	bool valid;
};

/* A string of n copies of c followed by tail. */
static char *repeat(char *buf, size_t n, char c, const char *tail)
{
	memset(buf, c, n);
	strcpy(buf + n, tail);
	return buf;
}

static void utf8_accepts_well_formed_and_rejects_the_rest(void **state)
{
	static const struct {
		const char *bytes;
		size_t len;
		bool valid;
	} rows[] = {
		{ "", 0, true },
		{ "plain ascii", 11, true },
		{ "\xc3\x85sa", 4, true },          /* Åsa */
		{ "\xe2\x82\xac", 3, true },        /* € U+20AC */
		{ "\xef\xbf\xbf", 3, true },        /* U+FFFF */
		{ "\xf0\x9f\x98\x80", 4, true },    /* U+1F600 */
		{ "\xf4\x8f\xbf\xbf", 4, true },    /* U+10FFFF, the last one */
		{ "\xed\x9f\xbf", 3, true },        /* U+D7FF, just below surrogates */
		{ "\xee\x80\x80", 3, true },        /* U+E000, just above */
		{ "\xc0\x80", 2, false },           /* overlong NUL */
		{ "\xc1\xbf", 2, false },           /* overlong '\x7f' */
		{ "\xe0\x80\xaf", 3, false },       /* overlong '/' */
		{ "\xe0\x9f\xbf", 3, false },       /* overlong U+07FF */
		{ "\xf0\x80\x80\xaf", 4, false },   /* overlong '/' in four bytes */
		{ "\xf0\x8f\xbf\xbf", 4, false },   /* overlong U+FFFF */
		{ "\xed\xa0\x80", 3, false },       /* U+D800 surrogate */
		{ "\xed\xbf\xbf", 3, false },       /* U+DFFF surrogate */
		{ "\xf4\x90\x80\x80", 4, false },   /* U+110000 */
		{ "\xf5\x80\x80\x80", 4, false },   /* lead byte F5 */
		{ "\xff", 1, false },
		{ "\x80", 1, false },               /* lone continuation */
		{ "a\xc3", 2, false },              /* truncated two-byte */
		{ "\xe2\x82", 2, false },           /* truncated three-byte */
		{ "\xf0\x9f\x98", 3, false },       /* truncated four-byte */
		{ "\xc3\x28", 2, false },           /* bad continuation */
		{ "\xe2\x28\xa1", 3, false },
	};

	(void)state;
	for (size_t i = 0; i < OB_ARRAY_SIZE(rows); i++)
		if (validate_utf8(rows[i].bytes, rows[i].len) != rows[i].valid)
			fail_msg("row %zu: want %s, got the opposite", i,
				 rows[i].valid ? "valid" : "invalid");
}

static void utf8_checks_exactly_len_bytes(void **state)
{
	(void)state;
	/* The bad byte lies beyond len: not looked at. */
	assert_true(validate_utf8("abc\xff", 3));
	/* A NUL inside is well-formed UTF-8; names refuse it elsewhere. */
	assert_true(validate_utf8("a\0b", 3));
	assert_false(validate_utf8("abc\xff", 4));
}

/* The one rule every field people and administrators set goes through:
 * Unicode's format characters (category Cf: the bidi controls, zero
 * widths, soft hyphen, BOM, tags, ...), each range and its neighbours. */
static void format_characters_table(void **state)
{
	static const struct {
		uint32_t cp;
		bool format;
	} rows[] = {
		{ 'A', false },     { 0xac, false },    { 0xad, true },     { 0xae, false },
		{ 0x5ff, false },   { 0x600, true },    { 0x605, true },    { 0x606, false },
		{ 0x61c, true },    { 0x6dd, true },    { 0x70f, true },    { 0x890, true },
		{ 0x891, true },    { 0x8e2, true },    { 0x180e, true },   { 0x200a, false },
		{ 0x200b, true },   { 0x200f, true },   { 0x2010, false },  { 0x2029, false },
		{ 0x202a, true },   { 0x202e, true },   { 0x202f, false },  { 0x205f, false },
		{ 0x2060, true },   { 0x2064, true },   { 0x2066, true },   { 0x2069, true },
		{ 0x206f, true },   { 0x2070, false },  { 0xfefe, false },  { 0xfeff, true },
		{ 0xfff8, false },  { 0xfff9, true },   { 0xfffb, true },   { 0xfffc, false },
		{ 0x110bd, true },  { 0x110cd, true },  { 0x13430, true },  { 0x1343f, true },
		{ 0x1bca0, true },  { 0x1bca3, true },  { 0x1d173, true },  { 0x1d17a, true },
		{ 0x1d17b, false }, { 0xe0000, false }, { 0xe0001, true },  { 0xe0020, true },
		{ 0xe007f, true },  { 0xe0080, false }, { 0x10ffff, false },
	};

	(void)state;
	for (size_t i = 0; i < OB_ARRAY_SIZE(rows); i++)
		if (utf8_is_format(rows[i].cp) != rows[i].format)
			fail_msg("U+%04X: want %s", (unsigned)rows[i].cp,
				 rows[i].format ? "a format character" : "not one");
	assert_false(utf8_has_format("Anna", 4, NULL));
	assert_true(utf8_has_format("An\xe2\x80\x8bna", 7, NULL));
	/* Only the first len bytes count. */
	assert_false(utf8_has_format("An\xe2\x80\x8bna", 2, NULL));
}

static void check_table(const char *rule, const struct row *rows, size_t n,
			const char *(*fn)(const char *))
{
	for (size_t i = 0; i < n; i++) {
		const char *why = fn(rows[i].in);

		if (rows[i].valid && why)
			fail_msg("%s \"%s\" refused: %s", rule, rows[i].in, why);
		if (!rows[i].valid && !why)
			fail_msg("%s \"%s\" accepted, want refused", rule, rows[i].in);
	}
}

static void username_table(void **state)
{
	char max[64], over[64];
	const struct row rows[] = {
		{ "alice", true },
		{ "_svc", true },
		{ "a", true },
		{ "bob.smith", true },
		{ "bob-smith", true },
		{ "bob_smith2", true },
		{ "a1.2-3_", true },
		{ repeat(max, 32, 'a', ""), true },
		{ repeat(over, 33, 'a', ""), false },
		{ "", false },
		{ "Alice", false },
		{ "aLice", false },
		{ "1alice", false },
		{ "-alice", false },
		{ ".alice", false },
		{ ".", false },
		{ "..", false },
		{ "alice$", false },
		{ "ali ce", false },
		{ "alice:", false },
		{ "al/ice", false },
		{ "\xc3\xa5sa", false }, /* åsa */
		{ "a\xc3\xa5", false },
		{ "ali\tce", false },
	};

	(void)state;
	check_table("username", rows, OB_ARRAY_SIZE(rows), validate_username);
	assert_null(validate_username(max));
}

static void username_reasons_name_the_rule(void **state)
{
	char over[64];

	(void)state;
	assert_string_equal(validate_username(""), "username must be 1 to 32 characters");
	assert_string_equal(validate_username(repeat(over, 33, 'b', "")),
			    "username must be 1 to 32 characters");
	assert_string_equal(validate_username("9lives"),
			    "username must start with a lower-case letter or '_'");
	assert_non_null(strstr(validate_username("bob$"), "lower-case letters, digits"));
	assert_non_null(validate_username(NULL));
}

static void org_table(void **state)
{
	char max[80], over[80];
	const struct row rows[] = {
		{ "acme", true },
		{ "acme-corp.se", true },
		{ "_internal", true },
		{ repeat(max, 64, 'o', ""), true },
		{ repeat(over, 65, 'o', ""), false },
		{ "", false },
		{ "Acme", false },
		{ "1acme", false },
		{ "acme corp", false },
	};

	(void)state;
	check_table("organisation", rows, OB_ARRAY_SIZE(rows), validate_org);
	assert_non_null(strstr(validate_org("Acme"), "organisation name"));
}

static void group_name_table(void **state)
{
	char max[80], over[80];
	const struct row rows[] = {
		{ "clinic-a", true },
		{ "lab.2", true },
		{ "_ops", true },
		{ repeat(max, 32, 'g', ""), true },
		{ repeat(over, 33, 'g', ""), false },
		{ "", false },
		{ "Clinic", false },
		{ "2lab", false },
		{ "lab pool", false },
		{ "lab|pool", false },
	};

	(void)state;
	check_table("group name", rows, OB_ARRAY_SIZE(rows), validate_group_name);
	assert_non_null(strstr(validate_group_name("Clinic"), "group and pool names"));
}

static const char *first_name(const char *s)
{
	static char buf[128];

	return validate_name(s, "first name", buf, sizeof(buf));
}

static void name_table(void **state)
{
	char max[80], over[80], max_utf8[80], over_utf8[80];
	const struct row rows[] = {
		{ "Anna", true },
		{ "\xc3\x85sa", true },               /* Åsa */
		{ "Ren\xc3\xa9", true },              /* René */
		{ "M\xc3\xbcller", true },            /* Müller */
		{ "Mary Ann", true },
		{ "O'Brien", true },
		{ "Jean-Luc", true },
		{ "\xe6\x9d\x8e", true },              /* 李 */
		{ "J", true },
		{ repeat(max, 64, 'x', ""), true },
		{ repeat(over, 65, 'x', ""), false },
		/* 62 ASCII bytes and a two-byte letter: 64 bytes, 63 characters. */
		{ repeat(max_utf8, 62, 'x', "\xc3\xa9"), true },
		{ repeat(over_utf8, 63, 'x', "\xc3\xa9"), false },
		{ "", false },
		{ " ", false },
		{ "   ", false },
		{ " Anna", false },
		{ "Anna ", false },
		{ "An:na", false },
		{ ":", false },
		{ "An\tna", false },
		{ "An\nna", false },
		{ "An\rna", false },
		{ "Anna\x7f", false },
		{ "Anna\x1b[31m", false },            /* terminal escape */
		{ "An\xc2\x85na", false },            /* U+0085 NEL, a C1 control */
		{ "An\xe2\x80\xa8na", false },        /* U+2028 line separator */
		{ "\xc0\xc1", false },
		{ "Ren\xc3", false },                 /* truncated */
		{ "\xc3\x28", false },
		{ "\xc1\x81nna", false },             /* overlong 'A' */
		{ "\xe0\x81\x81", false },            /* overlong 'A', three bytes */
		{ "\xed\xa0\x80", false },            /* surrogate */
		{ "\xf4\x90\x80\x80", false },        /* above U+10FFFF */
		/* Right-to-left letters are letters... */
		{ "\xd8\xa3\xd8\xad\xd9\x85\xd8\xaf", true }, /* Arabic Ahmad */
		{ "\xd7\xa9\xd7\xa8\xd7\x94", true },          /* Hebrew Sarah */
		/* ...but what turns text around or hides is refused. */
		{ "Anna\xe2\x80\xae", false },            /* U+202E right-to-left override */
		{ "\xe2\x80\xaa" "Anna", false },          /* U+202A */
		{ "\xe2\x81\xa6" "Anna\xe2\x81\xa9", false }, /* U+2066 isolate, U+2069 */
		{ "An\xe2\x80\x8bna", false },             /* U+200B zero width space */
		{ "An\xe2\x80\x8dna", false },             /* U+200D zero width joiner */
		{ "Anna\xe2\x80\x8e", false },             /* U+200E left-to-right mark */
		{ "An\xc2\xadna", false },                 /* U+00AD soft hyphen */
		{ "Anna\xef\xbb\xbf", false },             /* U+FEFF */
		{ "\xd8\x9c\xd8\xa3", false },             /* U+061C Arabic letter mark */
		{ "An\xe2\x81\xa0na", false },             /* U+2060 word joiner */
		{ "An\xef\xbf\xb9na", false },             /* U+FFF9 */
		{ "Anna\xf3\xa0\x81\x81", false },         /* U+E0041 tag letter */
	};

	(void)state;
	check_table("first name", rows, OB_ARRAY_SIZE(rows), first_name);
}

static void name_reason_names_the_field_and_the_rule(void **state)
{
	char buf[128], tiny[8];

	(void)state;
	assert_ptr_equal(validate_name("A:B", "first name", buf, sizeof(buf)), buf);
	assert_string_equal(buf, "first name must not contain ':'");
	assert_string_equal(validate_name("", "last name", buf, sizeof(buf)),
			    "last name must not be empty");
	assert_string_equal(validate_name(" Smith", "last name", buf, sizeof(buf)),
			    "last name must not start or end with a space");
	assert_string_equal(validate_name("a\x01", "last name", buf, sizeof(buf)),
			    "last name must not contain control characters");
	assert_string_equal(validate_name("\xff", "last name", buf, sizeof(buf)),
			    "last name is not valid UTF-8");
	assert_null(validate_name("Smith", "last name", buf, sizeof(buf)));
	assert_string_equal(validate_name("Smith\xe2\x80\xae", "last name", buf, sizeof(buf)),
			    "last name must not contain invisible or text-direction characters "
			    "(U+202E)");
	/* A small buffer truncates the reason but still terminates it. */
	assert_ptr_equal(validate_name("A:B", "first name", tiny, sizeof(tiny)), tiny);
	assert_int_equal(strlen(tiny), sizeof(tiny) - 1);
}

/* "a@" and a domain of exactly len bytes: labels of 49 letters joined by
 * dots, ending in ".org". */
static char *email_of_length(char *buf, size_t len)
{
	size_t off = 2;

	memcpy(buf, "a@", 2);
	while (len - off > 4 + 50) {
		memset(buf + off, 'd', 49);
		buf[off + 49] = '.';
		off += 50;
	}
	memset(buf + off, 'e', len - off - 4);
	memcpy(buf + len - 4, ".org", 5);
	return buf;
}

static void email_table(void **state)
{
	char local64[128], local65[128], total254[300], total255[300];
	char label63[128] = "a@", label64[128] = "a@";
	const struct row rows[] = {
		{ "alice@example.org", true },
		{ "Alice.Smith@Example.ORG", true },
		{ "alice+tag@mail.example.co.uk", true },
		{ "a@b.co", true },
		{ "o'brien@example.ie", true },
		{ "x_y-z!#$%&'*/=?^`{|}~@example.com", true },
		{ "user@sub-domain.example.org", true },
		{ "user@123.example", true },
		{ repeat(local64, 64, 'l', "@example.org"), true },
		{ repeat(local65, 65, 'l', "@example.org"), false },
		{ repeat(label63 + 2, 63, 'd', ".org") - 2, true },
		{ repeat(label64 + 2, 64, 'd', ".org") - 2, false },
		{ email_of_length(total254, 254), true },
		{ email_of_length(total255, 255), false },
		{ "", false },
		{ "alice", false },
		{ "alice.example.org", false },
		{ "alice@@example.org", false },
		{ "al@ice@example.org", false },
		{ "@example.org", false },
		{ "alice@", false },
		{ ".alice@example.org", false },
		{ "alice.@example.org", false },
		{ "al..ice@example.org", false },
		{ "alice@.example.org", false },
		{ "alice@example.org.", false },
		{ "alice@example..org", false },
		{ "alice@-example.org", false },
		{ "alice@example-.org", false },
		{ "alice@example.-org", false },
		{ "alice@localhost", false },
		{ "alice@example_org.com", false },
		{ "ali ce@example.org", false },
		{ "alice@exa mple.org", false },
		{ "\"alice\"@example.org", false },
		{ "alice(comment)@example.org", false },
		{ "alice@[192.0.2.1]", false },
		{ "al\xc3\xa9@example.org", false },
		{ "alice@ex\xc3\xa4mple.org", false },
		{ "alice@example.org\n", false },
		{ "alice@example.org\nBcc: x@y.z", false },
	};

	(void)state;
	assert_int_equal(strlen(total254), 254);
	assert_int_equal(strlen(total255), 255);
	check_table("e-mail", rows, OB_ARRAY_SIZE(rows), validate_email);
}

static void email_reasons_say_what_is_wrong(void **state)
{
	const char *why;

	(void)state;
	why = validate_email("alice.example.org");
	assert_non_null(why);
	assert_non_null(strstr(why, "e-mail address is not valid: "));
	assert_non_null(strstr(why, "'@'"));
	assert_non_null(strstr(validate_email("alice@localhost"), "two parts"));
	assert_non_null(strstr(validate_email("alice@-x.org"), "'-'"));
	assert_null(strchr(validate_email("a..b@example.org"), '\n'));
	assert_non_null(validate_email(NULL));
}

static void phone_table(void **state)
{
	static const struct {
		const char *in;
		const char *canonical; /* NULL: refused */
	} rows[] = {
		{ "+46701234567", "+46701234567" },
		{ "+46 70-123 45 67", "+46701234567" },
		{ "+1 (555) 010-0199", "+15550100199" },
		{ "+49.30.1234567", "+49301234567" },
		{ " +44 20 7946 0958 ", "+442079460958" },
		/* "(0)": the trunk prefix dialled at home, never after the
		 * country code. */
		{ "+46 (0)70 123 45 67", "+46701234567" },
		{ "+44 (0)20 7946 0958", "+442079460958" },
		{ "+49(0)301234567", "+49301234567" },
		{ "+(0)46701234567", NULL },
		{ "+46 (0)(0)70 123 45 67", NULL },
		{ "+46 70 (0)123 45 67", NULL },
		{ "+1234567", "+1234567" },                   /* 7 digits, the shortest */
		{ "+123456789012345", "+123456789012345" },   /* 15 digits, the longest */
		{ "+123456", NULL },                          /* 6 digits */
		{ "+1234567890123456", NULL },                /* 16 digits */
		{ "0701234567", NULL },                       /* no '+' */
		{ "46701234567", NULL },
		{ "+0701234567", NULL },                      /* 0 after '+' */
		{ "+46 70 ABC 45 67", NULL },
		{ "+46701234567x", NULL },
		{ "++46701234567", NULL },
		{ "+46+701234567", NULL },
		{ "4670+1234567", NULL },
		{ "+46/701234567", NULL },
		{ "+", NULL },
		{ "", NULL },
		{ "+46\n701234567", NULL },
		{ "+4\xd9\xa6" "701234567", NULL },           /* Arabic-Indic digit */
		{ "+46 7 0 1 2 3 4 5 6 7 - - - - - - - - - - - - - - - - - - - - - - - - - -", NULL },
	};
	char out[OB_PHONE_MAX + 1];

	(void)state;
	for (size_t i = 0; i < OB_ARRAY_SIZE(rows); i++) {
		const char *why;

		memset(out, 'Z', sizeof(out));
		why = validate_phone(rows[i].in, out);
		if (rows[i].canonical) {
			if (why)
				fail_msg("phone \"%s\" refused: %s", rows[i].in, why);
			if (strcmp(out, rows[i].canonical) != 0)
				fail_msg("phone \"%s\": want %s, got %s", rows[i].in,
					 rows[i].canonical, out);
		} else {
			if (!why)
				fail_msg("phone \"%s\" accepted as %s, want refused", rows[i].in, out);
			if (out[0] != '\0')
				fail_msg("phone \"%s\" refused but left \"%.*s\" in out",
					 rows[i].in, OB_PHONE_MAX, out);
		}
	}
}

static void phone_reason_shows_the_form(void **state)
{
	char out[OB_PHONE_MAX + 1];

	(void)state;
	assert_string_equal(validate_phone("0701234567", out),
			    "phone number must be in international E.164 form, e.g. +46701234567");
	assert_non_null(validate_phone(NULL, out));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(utf8_accepts_well_formed_and_rejects_the_rest),
		cmocka_unit_test(utf8_checks_exactly_len_bytes),
		cmocka_unit_test(format_characters_table),
		cmocka_unit_test(username_table),
		cmocka_unit_test(username_reasons_name_the_rule),
		cmocka_unit_test(org_table),
		cmocka_unit_test(group_name_table),
		cmocka_unit_test(name_table),
		cmocka_unit_test(name_reason_names_the_field_and_the_rule),
		cmocka_unit_test(email_table),
		cmocka_unit_test(email_reasons_say_what_is_wrong),
		cmocka_unit_test(phone_table),
		cmocka_unit_test(phone_reason_shows_the_form),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
