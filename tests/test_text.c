/* SPDX-License-Identifier: BSD-3-Clause */
/* The one printable-text filter (common/text.c), in each of the ways its
 * callers use it: log lines (TEXT_ASCII), messages a person reads
 * (TEXT_LINES), a tool's error text (no flag), a terminal that renders
 * UTF-8 (TEXT_UNICODE). */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "ob_cleanup.h"
#include "text.h"

static void printable_table(void **state)
{
	static const struct {
		unsigned flags;
		const char *in, *want;
	} rows[] = {
		{ TEXT_ASCII, "alice", "alice" },
		{ TEXT_ASCII, "a\nb\tc\x7f", "a?b?c?" },
		{ TEXT_ASCII, "\xc3\x85sa", "??sa" },               /* every byte */
		{ TEXT_ASCII, "a\xc2\x9b" "b", "a??b" },
		{ TEXT_LINES, "a\nb\tc\rd\x1b[m\x7f", "a\nb\tc?d?[m?" },
		{ TEXT_LINES, "\xc3\x85sa\xc2\x9b", "\xc3\x85sa\xc2\x9b" }, /* bytes pass */
		{ 0, "a\nb\tc\x7f\xc3\x85", "a?b?c?\xc3\x85" },
		{ TEXT_UNICODE, "a\nb", "a?b" },
		{ TEXT_UNICODE, "\xc3\x85sa", "\xc3\x85sa" },
		{ TEXT_UNICODE, "a\xc2\x9b" "b", "a?b" },           /* C1 CSI: one '?' */
		{ TEXT_UNICODE, "Eve\xe2\x80\xae" "kniT", "Eve?kniT" }, /* U+202E */
		{ TEXT_UNICODE, "Tom\xf3\xa0\x81\x81", "Tom?" },    /* U+E0041 */
		{ TEXT_UNICODE, "a\xc2", "a\xc2" },                 /* cut: byte kept */
		{ TEXT_ASCII, "", "" },
	};
	char buf[64];

	(void)state;
	for (size_t i = 0; i < OB_ARRAY_SIZE(rows); i++) {
		text_printable(buf, sizeof(buf), rows[i].in, rows[i].flags);
		if (strcmp(buf, rows[i].want) != 0)
			fail_msg("row %zu: got \"%s\", want \"%s\"", i, buf, rows[i].want);
		/* In place, as the module and accounts.c use it. */
		strcpy(buf, rows[i].in);
		text_printable(buf, strlen(buf) + 1, buf, rows[i].flags);
		if (strcmp(buf, rows[i].want) != 0)
			fail_msg("row %zu in place: got \"%s\", want \"%s\"", i, buf,
				 rows[i].want);
	}
}

/* NULL reads as "", and the copy is cut to fit with its NUL. */
static void printable_bounds(void **state)
{
	char buf[4];

	(void)state;
	memset(buf, 'x', sizeof(buf));
	assert_string_equal(text_printable(buf, sizeof(buf), NULL, TEXT_ASCII), "");
	assert_string_equal(text_printable(buf, sizeof(buf), "abcdef", TEXT_ASCII), "abc");
	assert_string_equal(text_printable(buf, sizeof(buf), "\x01\x02\x03\x04", 0), "???");
	assert_string_equal(text_printable(buf, 1, "abc", 0), "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(printable_table),
		cmocka_unit_test(printable_bounds),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
