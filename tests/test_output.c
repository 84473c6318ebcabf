/* SPDX-License-Identifier: BSD-3-Clause */
/* onboardctl's output: what output_sanitize lets through to a terminal. */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "ob_cleanup.h"
#include "output.h"

/* Names stored before onboardd refused format characters still print
 * without them: '?' in their place, as for control characters. */
static void sanitize_table(void **state)
{
	static const struct {
		const char *in, *want;
	} rows[] = {
		{ "Anna", "Anna" },
		{ "\xc3\x85sa", "\xc3\x85sa" },                     /* Åsa kept */
		{ "\xd8\xa3\xd8\xad\xd9\x85\xd8\xaf", "\xd8\xa3\xd8\xad\xd9\x85\xd8\xaf" },
		{ "Eve\xe2\x80\xae" "kniT", "Eve?kniT" },             /* U+202E */
		{ "\xe2\x81\xa6" "Tom\xe2\x81\xa9", "?Tom?" },        /* U+2066, U+2069 */
		{ "T\xe2\x80\x8bom", "T?om" },                        /* U+200B */
		{ "T\xc2\xadom", "T?om" },                            /* U+00AD */
		{ "Tom\xf3\xa0\x81\x81", "Tom?" },                    /* U+E0041 */
		{ "a\x1b[31mb", "a?[31mb" },
		{ "a\xc2\x9b" "b", "a?b" },                           /* C1 CSI */
	};
	char buf[64];

	(void)state;
	for (size_t i = 0; i < OB_ARRAY_SIZE(rows); i++) {
		output_sanitize(rows[i].in, buf, sizeof(buf));
		if (strcmp(buf, rows[i].want) != 0)
			fail_msg("row %zu: got \"%s\", want \"%s\"", i, buf, rows[i].want);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(sanitize_table),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
