/* SPDX-License-Identifier: BSD-3-Clause */
/* Durations as administrators write them, as tables. */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "ob_cleanup.h"
#include "duration.h"

#define MIN 60LL
#define HOUR 3600LL
#define DAY 86400LL
#define WEEK (7 * DAY)

static void parse_table(void **state)
{
	static const struct {
		const char *text;
		int64_t seconds; /* 0: refused */
	} rows[] = {
		{ "90d", 90 * DAY },
		{ "12h", 12 * HOUR },
		{ "15m", 15 * MIN },
		{ "30s", 30 },
		{ "2w", 2 * WEEK },
		{ "1d12h", DAY + 12 * HOUR },
		{ "1w2d3h4m5s", WEEK + 2 * DAY + 3 * HOUR + 4 * MIN + 5 },
		{ "1s", 1 },
		{ "1d0h", DAY },
		{ "007d", 7 * DAY },
		{ "3650d", DURATION_MAX_SECONDS },            /* ten years exactly */
		{ "87600h", DURATION_MAX_SECONDS },
		{ "315360000s", DURATION_MAX_SECONDS },
		{ "3649d23h59m59s", DURATION_MAX_SECONDS - 1 },
		{ "521w", 521 * WEEK },
		{ "3651d", 0 },                               /* over ten years */
		{ "3650d1s", 0 },
		{ "315360001s", 0 },
		{ "522w", 0 },
		{ "3000d3000d", 0 },                          /* the sum is over */
		{ "0d", 0 },
		{ "0s", 0 },
		{ "0d0h0m", 0 },
		{ "90", 0 },                                  /* no unit */
		{ "1d12", 0 },
		{ "5x", 0 },
		{ "5dd", 0 },
		{ "d", 0 },
		{ "", 0 },
		{ "-5d", 0 },
		{ "+5d", 0 },
		{ "5 d", 0 },
		{ " 5d", 0 },
		{ "5d ", 0 },
		{ "5d\n", 0 },
		{ "1.5d", 0 },
		{ "0x10s", 0 },
		{ "\xef\xbc\x95" "d", 0 },                    /* fullwidth 5 */
		{ "9223372036854775807s", 0 },                /* INT64_MAX */
		{ "9223372036854775808s", 0 },
		{ "99999999999999999999999999d", 0 },
		{ "18446744073709551617s", 0 },               /* 2^64 + 1 */
		{ "106751991167300d", 0 },                    /* days * 86400 overflows int64 */
	};

	(void)state;
	for (size_t i = 0; i < OB_ARRAY_SIZE(rows); i++) {
		int64_t got = -12345;
		int r = duration_parse(rows[i].text, &got);

		if (rows[i].seconds && (r != 0 || got != rows[i].seconds))
			fail_msg("\"%s\": want %lld s, got r=%d, %lld s", rows[i].text,
				 (long long)rows[i].seconds, r, (long long)got);
		if (!rows[i].seconds && (r != -EINVAL || got != 0))
			fail_msg("\"%s\": want -EINVAL and 0, got r=%d, %lld s", rows[i].text, r,
				 (long long)got);
	}
}

static void parse_refuses_null(void **state)
{
	int64_t got = 7;

	(void)state;
	assert_int_equal(duration_parse(NULL, &got), -EINVAL);
	assert_int_equal(got, 0);
}

static void format_table(void **state)
{
	static const struct {
		int64_t seconds;
		const char *text;
	} rows[] = {
		{ 90 * DAY, "90d" },
		{ DAY + 12 * HOUR, "1d12h" },
		{ 45, "45s" },
		{ 0, "0s" },
		{ HOUR + MIN + 1, "1h1m1s" },
		{ 2 * WEEK, "14d" },                  /* days, not weeks */
		{ 15 * MIN, "15m" },
		{ DAY + 30, "1d30s" },
		{ DURATION_MAX_SECONDS, "3650d" },
	};
	char out[32];

	(void)state;
	for (size_t i = 0; i < OB_ARRAY_SIZE(rows); i++) {
		assert_int_equal(duration_format(rows[i].seconds, out, sizeof(out)), 0);
		if (strcmp(out, rows[i].text) != 0)
			fail_msg("%lld s: want \"%s\", got \"%s\"", (long long)rows[i].seconds,
				 rows[i].text, out);
	}
}

static void format_checks_its_buffer_and_sign(void **state)
{
	char out[8];

	(void)state;
	assert_int_equal(duration_format(-1, out, sizeof(out)), -EINVAL);
	/* "1d12h" needs 6 bytes with its NUL. */
	assert_int_equal(duration_format(DAY + 12 * HOUR, out, 6), 0);
	assert_string_equal(out, "1d12h");
	assert_int_equal(duration_format(DAY + 12 * HOUR, out, 5), -ENOSPC);
	assert_int_equal(duration_format(DAY + 12 * HOUR, out, 2), -ENOSPC);
	assert_int_equal(duration_format(0, out, 2), -ENOSPC);
	assert_int_equal(duration_format(5, out, 0), -ENOSPC);
	/* "106751991167300d15h30m7s" does not fit in 8 bytes. */
	assert_int_equal(duration_format(INT64_MAX, out, sizeof(out)), -ENOSPC);
}

/* Every text format writes parses back to the same number of seconds,
 * across the whole accepted range. */
/* The end of a lock as people are shown it, to the minute: rounded up,
 * by the login and by onboardctl alike. */
static void minute_up_table(void **state)
{
	static const struct {
		int64_t in, want;
	} rows[] = {
		{ 0, 0 },           { 1, 60 },          { 59, 60 },         { 60, 60 },
		{ 61, 120 },        { 1800000000, 1800000000 }, { 1800000001, 1800000060 },
		{ 1800000059, 1800000060 }, { -1, 0 },  { -60, -60 },       { -61, -60 },
		{ INT64_MAX, INT64_MAX },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		if (duration_minute_up(rows[i].in) != rows[i].want)
			fail_msg("%lld: want %lld, got %lld", (long long)rows[i].in,
				 (long long)rows[i].want, (long long)duration_minute_up(rows[i].in));
}

static void format_and_parse_round_trip(void **state)
{
	char out[64];

	(void)state;
	for (int64_t s = 1; s <= DURATION_MAX_SECONDS; s += s / 7 + 9973) {
		int64_t back = 0;

		assert_int_equal(duration_format(s, out, sizeof(out)), 0);
		if (duration_parse(out, &back) != 0 || back != s)
			fail_msg("%lld s formatted as \"%s\" parsed back as %lld", (long long)s,
				 out, (long long)back);
	}
	for (int64_t s = 1; s <= 2 * DAY; s += 37) {
		int64_t back = 0;

		assert_int_equal(duration_format(s, out, sizeof(out)), 0);
		assert_int_equal(duration_parse(out, &back), 0);
		assert_int_equal(back, s);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parse_table),
		cmocka_unit_test(parse_refuses_null),
		cmocka_unit_test(format_table),
		cmocka_unit_test(format_checks_its_buffer_and_sign),
		cmocka_unit_test(format_and_parse_round_trip),
		cmocka_unit_test(minute_up_table),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
