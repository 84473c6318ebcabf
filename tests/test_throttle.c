/* The table of access-code guesses per source (kiosk mode), with the
 * clock passed in: one source's waits and lock leave the others alone,
 * the table never holds more than THROTTLE_SOURCES_MAX sources, and when
 * full it forgets the least recently used source that holds no wait or
 * lock. */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <sodium.h>

#include "policy.h"
#include "throttle.h"

#define T0 1800000000LL

static const struct throttle_rules rules = { .attempts = 6, .lock_seconds = 900 };

static int table_new(void **state)
{
	*state = calloc(1, sizeof(struct throttle_sources));
	return *state ? 0 : -1;
}

static int table_free(void **state)
{
	free(*state);
	return 0;
}

/* The key of remote host number i. */
static void host(unsigned i, uint8_t key[THROTTLE_SOURCE_BYTES])
{
	char name[32];

	snprintf(name, sizeof(name), "192.0.2.%u", i);
	throttle_source_key("rhost", name, key);
}

static enum throttle_verdict check(struct throttle_sources *s, const uint8_t *key, int64_t now)
{
	int64_t until;

	return throttle_sources_check(s, key, &rules, now, &until);
}

/* n wrong codes from key at now. */
static void fail_n(struct throttle_sources *s, const uint8_t *key, unsigned n, int64_t now)
{
	int64_t until;

	for (unsigned i = 0; i < n; i++)
		throttle_sources_fail(s, key, &rules, now, &until);
}

static void keys_tell_kinds_and_values_apart(void **state)
{
	uint8_t a[THROTTLE_SOURCE_BYTES], b[THROTTLE_SOURCE_BYTES], c[THROTTLE_SOURCE_BYTES];

	(void)state;
	throttle_source_key("rhost", "tty1", a);
	throttle_source_key("tty", "tty1", b);
	throttle_source_key("rhost", "tty1", c);
	if (memcmp(a, b, sizeof(a)) == 0)
		fail_msg("a remote host and a terminal of the same name share a key");
	if (memcmp(a, c, sizeof(a)) != 0)
		fail_msg("the same source got two keys");
	throttle_source_key("tty", "", a);
	throttle_source_key("tt", "y", b);
	if (memcmp(a, b, sizeof(a)) == 0)
		fail_msg("kind and value run together in the key");
}

static void unknown_source_is_allowed_and_not_remembered(void **state)
{
	struct throttle_sources *s = *state;
	uint8_t k[THROTTLE_SOURCE_BYTES];

	host(1, k);
	assert_int_equal(check(s, k, T0), THROTTLE_ALLOW);
	assert_int_equal(throttle_sources_count(s), 0);
}

static void wrong_codes_make_one_source_wait_then_lock_it(void **state)
{
	struct throttle_sources *s = *state;
	uint8_t a[THROTTLE_SOURCE_BYTES], b[THROTTLE_SOURCE_BYTES];
	int64_t until = 0;

	host(1, a);
	host(2, b);
	fail_n(s, a, 3, T0);
	assert_int_equal(check(s, a, T0), THROTTLE_ALLOW);
	fail_n(s, a, 1, T0);
	if (throttle_sources_check(s, a, &rules, T0, &until) != THROTTLE_DELAY || until != T0 + 1)
		fail_msg("after 4 wrong codes: want a wait until T0+1, got until %lld",
			 (long long)(until - T0));
	assert_int_equal(check(s, b, T0), THROTTLE_ALLOW);
	fail_n(s, a, 1, T0 + 1);
	if (throttle_sources_fail(s, a, &rules, T0 + 3, &until) != true || until != T0 + 903)
		fail_msg("the 6th wrong code did not lock until T0+903 (%lld)",
			 (long long)(until - T0));
	assert_int_equal(check(s, a, T0 + 902), THROTTLE_LOCKED);
	assert_int_equal(check(s, b, T0 + 902), THROTTLE_ALLOW);
	/* The end of the lock leaves nothing, and frees the slot. */
	assert_int_equal(check(s, a, T0 + 903), THROTTLE_ALLOW);
	assert_int_equal(throttle_sources_count(s), 0);
}

static void table_never_holds_more_than_its_size(void **state)
{
	struct throttle_sources *s = *state;
	uint8_t k[THROTTLE_SOURCE_BYTES];

	for (unsigned i = 0; i < 3 * THROTTLE_SOURCES_MAX; i++) {
		host(i, k);
		fail_n(s, k, 1, T0 + i);
	}
	assert_int_equal(throttle_sources_count(s), THROTTLE_SOURCES_MAX);
	/* The newest is there, with its failure. */
	host(3 * THROTTLE_SOURCES_MAX - 1, k);
	fail_n(s, k, 3, T0 + 3 * THROTTLE_SOURCES_MAX);
	assert_int_equal(check(s, k, T0 + 3 * THROTTLE_SOURCES_MAX), THROTTLE_DELAY);
}

static void full_table_forgets_the_least_recently_used_idle_source(void **state)
{
	struct throttle_sources *s = *state;
	uint8_t k[THROTTLE_SOURCE_BYTES], first[THROTTLE_SOURCE_BYTES],
		second[THROTTLE_SOURCE_BYTES];

	for (unsigned i = 0; i < THROTTLE_SOURCES_MAX; i++) {
		host(i, k);
		fail_n(s, k, 1, T0);
	}
	host(0, first);
	host(1, second);
	/* The first source was looked at again: now the second is oldest. */
	assert_int_equal(check(s, first, T0), THROTTLE_ALLOW);
	host(THROTTLE_SOURCES_MAX, k);
	fail_n(s, k, 1, T0);
	assert_int_equal(throttle_sources_count(s), THROTTLE_SOURCES_MAX);
	/* The first kept its wrong code: three more make it wait. */
	fail_n(s, first, 3, T0);
	assert_int_equal(check(s, first, T0), THROTTLE_DELAY);
	/* The second starts again: three wrong codes are still free. */
	fail_n(s, second, 3, T0);
	assert_int_equal(check(s, second, T0), THROTTLE_ALLOW);
}

static void a_flood_of_new_sources_does_not_free_a_locked_one(void **state)
{
	struct throttle_sources *s = *state;
	uint8_t locked[THROTTLE_SOURCE_BYTES], k[THROTTLE_SOURCE_BYTES];

	throttle_source_key("tty", "tty7", locked);
	fail_n(s, locked, rules.attempts, T0);
	assert_int_equal(check(s, locked, T0), THROTTLE_LOCKED);
	for (unsigned i = 0; i < 2 * THROTTLE_SOURCES_MAX; i++) {
		host(i, k);
		fail_n(s, k, 1, T0 + 1);
	}
	assert_int_equal(throttle_sources_count(s), THROTTLE_SOURCES_MAX);
	assert_int_equal(check(s, locked, T0 + 1), THROTTLE_LOCKED);
}

static void when_every_source_is_locked_the_oldest_goes(void **state)
{
	struct throttle_sources *s = *state;
	uint8_t k[THROTTLE_SOURCE_BYTES], oldest[THROTTLE_SOURCE_BYTES];

	for (unsigned i = 0; i < THROTTLE_SOURCES_MAX; i++) {
		host(i, k);
		fail_n(s, k, rules.attempts, T0);
	}
	host(THROTTLE_SOURCES_MAX, k);
	fail_n(s, k, 1, T0);
	assert_int_equal(throttle_sources_count(s), THROTTLE_SOURCES_MAX);
	host(0, oldest);
	assert_int_equal(check(s, oldest, T0), THROTTLE_ALLOW);
	host(1, k);
	assert_int_equal(check(s, k, T0), THROTTLE_LOCKED);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(t) cmocka_unit_test_setup_teardown(t, table_new, table_free)
		T(keys_tell_kinds_and_values_apart),
		T(unknown_source_is_allowed_and_not_remembered),
		T(wrong_codes_make_one_source_wait_then_lock_it),
		T(table_never_holds_more_than_its_size),
		T(full_table_forgets_the_least_recently_used_idle_source),
		T(a_flood_of_new_sources_does_not_free_a_locked_one),
		T(when_every_source_is_locked_the_oldest_goes),
#undef T
	};

	if (sodium_init() < 0)
		return 99;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
