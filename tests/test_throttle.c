/* SPDX-License-Identifier: BSD-3-Clause */
/* The table of access-code guesses per source (kiosk mode), with the
 * clock passed in: one source's waits and lock leave the others alone,
 * the table never holds more than THROTTLE_SOURCES_MAX sources, and when
 * full of sources that still count it forgets none: new sources count
 * together in one overflow throttle. */
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

#include <errno.h>
#include <unistd.h>

#include "daemon.h"
#include "policy.h"
#include "store.h"
#include "throttle.h"
#include "unit_store.h"

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

/* Sources 0 to count - 1 (see host) fail n times each, source i at
 * now + i * step. */
static void fail_sources(struct throttle_sources *s, unsigned count, unsigned n, int64_t now,
			 int64_t step)
{
	uint8_t k[THROTTLE_SOURCE_BYTES];

	for (unsigned i = 0; i < count; i++) {
		host(i, k);
		fail_n(s, k, n, now + (int64_t)i * step);
	}
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
	if (throttle_sources_fail(s, a, &rules, T0 + 3, &until) != SOURCE_LOCKED || until != T0 + 903)
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

	fail_sources(s, 3 * THROTTLE_SOURCES_MAX, 1, T0, 1);
	assert_true(throttle_sources_count(s) <= THROTTLE_SOURCES_MAX);
	/* The newest is there, with its failure. */
	host(3 * THROTTLE_SOURCES_MAX - 1, k);
	fail_n(s, k, 3, T0 + 3 * THROTTLE_SOURCES_MAX);
	assert_int_equal(check(s, k, T0 + 3 * THROTTLE_SOURCES_MAX), THROTTLE_DELAY);
}

/* Every slot holds a source with a wrong code: a new source is not
 * given one (that would hand the forgotten source a fresh count), its
 * wrong codes count together with every other source outside the
 * table, and attempts of them lock all those sources at once. */
static void full_table_counts_new_sources_together(void **state)
{
	struct throttle_sources *s = *state;
	uint8_t k[THROTTLE_SOURCE_BYTES], first[THROTTLE_SOURCE_BYTES];
	int64_t until;

	fail_sources(s, THROTTLE_SOURCES_MAX, 1, T0, 0);
	for (unsigned i = 0; i < rules.attempts; i++) {
		enum source_outcome o;

		host(THROTTLE_SOURCES_MAX + i, k);
		assert_int_equal(check(s, k, T0 + 60 * i), THROTTLE_ALLOW);
		o = throttle_sources_fail(s, k, &rules, T0 + 60 * i, &until);
		assert_int_equal(o, i + 1 < rules.attempts ? SOURCE_OVERFLOW
							   : SOURCE_OVERFLOW_LOCKED);
	}
	assert_int_equal(throttle_sources_count(s), THROTTLE_SOURCES_MAX);
	/* No source in the table was forgotten: the first still counts
	 * its wrong code, and three more make it wait. */
	host(0, first);
	fail_n(s, first, 3, T0 + 300);
	assert_int_equal(check(s, first, T0 + 300), THROTTLE_DELAY);
	/* Every source outside the table is locked now, also one never seen. */
	host(5 * THROTTLE_SOURCES_MAX, k);
	assert_int_equal(check(s, k, T0 + 301), THROTTLE_LOCKED);
	/* The lock (from the 6th wrong code, at T0+300) holds for every
	 * source without a count of its own, also one whose count ran out. */
	host(1, k);
	assert_int_equal(check(s, k, T0 + 901), THROTTLE_LOCKED);
	/* When it ends, the slots whose count ran out take new sources, each
	 * with its own count again. */
	host(6 * THROTTLE_SOURCES_MAX, k);
	assert_int_equal(check(s, k, T0 + 1200), THROTTLE_ALLOW);
	assert_int_equal(throttle_sources_fail(s, k, &rules, T0 + 1200, &until), SOURCE_COUNTED);
	host(7 * THROTTLE_SOURCES_MAX, k);
	assert_int_equal(check(s, k, T0 + 1200), THROTTLE_ALLOW);
}

/* The finding: 1,100 remote hosts in rotation, each trying a code as
 * soon as it may, for 200 s.  The table forgot the oldest and let 1.6
 * million codes be checked; now at most attempts per source the table
 * holds, and attempts for all the others together, before locks. */
static void rotating_sources_beyond_the_table_are_bounded(void **state)
{
	struct throttle_sources *s = *state;
	uint8_t k[THROTTLE_SOURCE_BYTES];
	unsigned hosts = THROTTLE_SOURCES_MAX + 76, checked = 0;
	int64_t until;

	for (int64_t t = T0; t < T0 + 200; t++)
		for (unsigned i = 0; i < hosts; i++) {
			host(i, k);
			if (throttle_sources_check(s, k, &rules, t, &until) != THROTTLE_ALLOW)
				continue;
			checked++;
			throttle_sources_fail(s, k, &rules, t, &until);
		}
	if (checked > (THROTTLE_SOURCES_MAX + 1) * rules.attempts)
		fail_msg("%u codes checked from %u sources in 200 s (at most %u)", checked, hosts,
			 (THROTTLE_SOURCES_MAX + 1) * rules.attempts);
	print_message("%u codes checked from %u rotating sources in 200 s\n", checked, hosts);
}

static void a_flood_of_new_sources_does_not_free_a_locked_one(void **state)
{
	struct throttle_sources *s = *state;
	uint8_t locked[THROTTLE_SOURCE_BYTES];

	throttle_source_key("tty", "tty7", locked);
	fail_n(s, locked, rules.attempts, T0);
	assert_int_equal(check(s, locked, T0), THROTTLE_LOCKED);
	fail_sources(s, 2 * THROTTLE_SOURCES_MAX, 1, T0 + 1, 0);
	assert_int_equal(throttle_sources_count(s), THROTTLE_SOURCES_MAX);
	assert_int_equal(check(s, locked, T0 + 1), THROTTLE_LOCKED);
}

/* A table full of locked sources stays so: a new one waits with the
 * overflow, no locked source is let go early. */
static void when_every_source_is_locked_none_is_forgotten(void **state)
{
	struct throttle_sources *s = *state;
	uint8_t k[THROTTLE_SOURCE_BYTES], oldest[THROTTLE_SOURCE_BYTES];
	int64_t until;

	fail_sources(s, THROTTLE_SOURCES_MAX, rules.attempts, T0, 0);
	host(THROTTLE_SOURCES_MAX, k);
	assert_int_equal(throttle_sources_fail(s, k, &rules, T0, &until), SOURCE_OVERFLOW);
	assert_int_equal(throttle_sources_count(s), THROTTLE_SOURCES_MAX);
	host(0, oldest);
	assert_int_equal(check(s, oldest, T0), THROTTLE_LOCKED);
	host(1, k);
	assert_int_equal(check(s, k, T0), THROTTLE_LOCKED);
}

/* ------------------------------------ failures the store cannot take */

static int64_t clock_now = T0;

static int64_t test_now(void)
{
	return clock_now;
}

/* store_throttle_put, through the linker's --wrap: while throttle_full,
 * it fails as with a full map. */
static bool throttle_full;

enum store_result __real_store_throttle_put(struct store *st, const char *username,
					    const struct throttle *expected,
					    const struct throttle *t);
enum store_result __wrap_store_throttle_put(struct store *st, const char *username,
					    const struct throttle *expected,
					    const struct throttle *t);

enum store_result __wrap_store_throttle_put(struct store *st, const char *username,
					    const struct throttle *expected,
					    const struct throttle *t)
{
	if (throttle_full)
		return STORE_FULL;
	return __real_store_throttle_put(st, username, expected, t);
}

static void add_person(struct store *st, const char *username)
{
	struct person p;

	unit_person(&p, username, "Ada", "Lovelace", "default",
		    "$argon2id$v=19$m=65536,t=2,p=1$c2FsdA$aGFzaA");
	p.created = p.updated = p.password_set = T0 - 86400;
	if (store_person_create(st, &p) != STORE_OK)
		fail_msg("cannot create %s", username);
}

/* The finding (issue 9.5): with the database full, 40 wrong passwords
 * got no wait and no lock, and the right one then went in.  Now the
 * failure that cannot be written is held in memory, and every next try
 * of that person (the right password too) is refused unread until it is
 * written; other people are not concerned; once the store can write
 * again the failure is recorded and counts. */
static void a_failure_that_cannot_be_recorded_refuses_the_next_try(void **state)
{
	char dir[UNIT_DIR_MAX];
	struct daemon d = { .now = test_now };
	const uint8_t here[THROTTLE_PLACE_BYTES] = { 1 };
	struct throttle t;
	unsigned refused = 0;
	int64_t until;

	(void)state;
	assert_int_equal(unit_dir_make(dir, sizeof(dir), unit_tmpfs(), "test_throttle"), 0);
	config_defaults(&d.cfg);
	unit_store_open(&d.store, dir, 1 << 20);
	add_person(d.store, "ada");
	add_person(d.store, "bob");
	throttle_full = true;
	clock_now = T0;
	/* The first wrong password is looked at, and cannot be recorded. */
	assert_int_equal(throttle_gate(&d, "ada", here, &until), THROTTLE_ALLOW);
	assert_int_equal(throttle_failure(&d, "ada", here, "password", "sshd", "192.0.2.1", &until),
			 -EIO);
	/* 39 more tries, and then the right password: none is looked at. */
	for (int i = 0; i < 40; i++) {
		clock_now++;
		if (throttle_gate(&d, "ada", here, &until) < 0)
			refused++;
	}
	assert_int_equal(refused, 40);
	/* Someone else's login is not concerned. */
	assert_int_equal(throttle_gate(&d, "bob", here, &until), THROTTLE_ALLOW);
	/* The store writes again: the failure is written and counts. */
	throttle_full = false;
	assert_int_equal(throttle_gate(&d, "ada", here, &until), THROTTLE_ALLOW);
	assert_int_equal(store_throttle_get(d.store, "ada", &t), STORE_OK);
	assert_int_equal(t.failures, 1);
	assert_int_equal(t.last_failure, T0);
	store_close(d.store);
	assert_int_equal(unit_dir_remove(dir), 0);
}

/* The table of failures the store could not take holds 256 people.  A
 * failure beyond it is lost, so from then on nobody's try goes on (also
 * a right password of someone who never failed) until everything held
 * has been written: the table fails closed when it overflows. */
static void a_full_table_of_unrecorded_failures_refuses_everyone(void **state)
{
	char dir[UNIT_DIR_MAX], name[32];
	struct daemon d = { .now = test_now };
	const uint8_t here[THROTTLE_PLACE_BYTES] = { 2 };
	struct throttle t;
	int64_t until;

	(void)state;
	assert_int_equal(unit_dir_make(dir, sizeof(dir), unit_tmpfs(), "test_throttle"), 0);
	config_defaults(&d.cfg);
	unit_store_open(&d.store, dir, 4 << 20);
	for (int i = 0; i < 257; i++) {
		snprintf(name, sizeof(name), "p%03d", i);
		add_person(d.store, name);
	}
	add_person(d.store, "zed");
	throttle_full = true;
	clock_now = T0 + 100000;
	for (int i = 0; i < 257; i++) {
		snprintf(name, sizeof(name), "p%03d", i);
		assert_int_equal(throttle_gate(&d, name, here, &until), THROTTLE_ALLOW);
		assert_int_equal(throttle_failure(&d, name, here, "password", "sshd", "192.0.2.2",
						  &until), -EIO);
	}
	/* The 257th was lost: zed, who never failed, is refused unchecked. */
	assert_int_equal(throttle_gate(&d, "zed", here, &until), -EIO);
	/* The store writes again: the 256 held are written, and logins go on. */
	throttle_full = false;
	assert_int_equal(throttle_gate(&d, "zed", here, &until), THROTTLE_ALLOW);
	assert_int_equal(store_throttle_get(d.store, "p000", &t), STORE_OK);
	assert_int_equal(t.failures, 1);
	assert_int_equal(store_throttle_get(d.store, "p255", &t), STORE_OK);
	assert_int_equal(t.failures, 1);
	store_close(d.store);
	assert_int_equal(unit_dir_remove(dir), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(t) cmocka_unit_test_setup_teardown(t, table_new, table_free)
		T(keys_tell_kinds_and_values_apart),
		T(unknown_source_is_allowed_and_not_remembered),
		T(wrong_codes_make_one_source_wait_then_lock_it),
		T(table_never_holds_more_than_its_size),
		T(full_table_counts_new_sources_together),
		T(rotating_sources_beyond_the_table_are_bounded),
		T(a_flood_of_new_sources_does_not_free_a_locked_one),
		T(when_every_source_is_locked_none_is_forgotten),
#undef T
		cmocka_unit_test(a_failure_that_cannot_be_recorded_refuses_the_next_try),
		cmocka_unit_test(a_full_table_of_unrecorded_failures_refuses_everyone),
	};

	if (sodium_init() < 0)
		return 99;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
