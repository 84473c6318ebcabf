/* SPDX-License-Identifier: BSD-3-Clause */
/* The audit log's bounds (issue 9.4 and 18.4): the rate rule as a
 * table; floods of denied calls, reads and refused logins through
 * admin_call and login_call, as the server makes them, recorded as a
 * bounded number of events and a summary; retention and the audit
 * log's share of the map pruning instead of failing; an event that
 * cannot be stored counted and reported.  A real database per test,
 * in /dev/shm when there is one (thousands of commits); the clock is
 * the test's.  Callers other than root are base accounts of the host
 * (bin), as in test_admin_org. */
#include "config.h"

#include <errno.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>
#include <json-c/json.h>
#include <sodium.h>

#include "admin_private.h"
#include "audit.h"
#include "daemon.h"
#include "login.h"
#include "ob_protocol.h"
#include "policy_audit.h"
#include "store.h"
#include "throttle.h"
#include "unit_admin.h"
#include "varlink.h"

#define MAP_SIZE (64ULL << 20)

/* Each test runs at its own time, far from the others': the audit
 * module's per-caller windows (static, as in the daemon) of one test
 * are long over in the next. */
static int64_t clock_now;

static int64_t test_now(void)
{
	return clock_now;
}

static int fixture_open(struct fixture *f, uint64_t map_size)
{
	assert_int_equal(unit_dir_make(f->dir, sizeof(f->dir), unit_tmpfs(), "test_audit"), 0);
	clock_now += 86400;
	unit_daemon_open(&f->d, f->dir, map_size, test_now, clock_now);
	f->d.cfg.db_map_size = map_size;
	f->d.cfg.mfa = MFA_OFF;
	return 0;
}

static int fixture_setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	fixture_open(f, MAP_SIZE);
	*state = f;
	return 0;
}

static int fixture_teardown(void **state)
{
	struct fixture *f = *state;

	/* The windows this test left are over: their summaries go here. */
	clock_now += 3600;
	audit_tick(&f->d);
	unit_admin_close(f);
	return 0;
}

static void make_person(struct fixture *f, const char *name, enum person_role role,
			uint32_t perms)
{
	struct person p;

	unit_person(&p, name, "First", "Last", "default",
		    "$argon2id$v=19$m=65536,t=2,p=1$c2FsdA$aGFzaA");
	p.role = role;
	p.perms = perms;
	p.created = p.updated = p.password_set = clock_now - 86400;
	if (store_person_create(f->d.store, &p) != STORE_OK)
		fail_msg("cannot create %s", name);
}

static void call_as(struct fixture *f, uid_t uid, const char *method, const char *json)
{
	struct peer peer = { .uid = uid, .gid = uid, .pid = 1 };
	struct json_object *in = json ? json_tokener_parse(json) : NULL;

	json_object_put(admin_call(&f->d, &peer, &f->sess, method, in));
	json_object_put(in);
}

/* What the audit log holds, by event name. */
struct tally {
	unsigned events, named, summaries;
	const char *event;
	uint32_t summed; /* the N of the summaries */
	char last_summary[AUDIT_DETAIL_MAX + 1];
};

static int tally_one(const struct audit_event *e, void *ctx)
{
	struct tally *t = ctx;

	t->events++;
	if (t->event && strcmp(e->event, t->event) == 0)
		t->named++;
	if (strcmp(e->event, "audit.summary") == 0) {
		t->summaries++;
		t->summed += (uint32_t)strtoul(e->detail, NULL, 10);
		snprintf(t->last_summary, sizeof(t->last_summary), "%s", e->detail);
	}
	return 0;
}

static struct tally tally(struct fixture *f, const char *event)
{
	struct tally t = { .event = event };

	assert_int_equal(store_audit_each(f->d.store, 0, tally_one, &t), STORE_OK);
	return t;
}

static uint64_t map_used(struct fixture *f)
{
	struct store_stats st;

	assert_int_equal(store_stats(f->d.store, &st), STORE_OK);
	return st.map_used;
}

/* ------------------------------------------------------- the rule */

static void rate_rule_as_a_table(void **state)
{
	static const struct {
		int64_t at;     /* seconds after the first event */
		int verdict;    /* AUDIT_RATE_* */
		uint32_t summary;
	} rows[] = {
		/* limit 3: three recorded, then counted */
		{ 0, AUDIT_RATE_RECORD, 0 },    { 1, AUDIT_RATE_RECORD, 0 },
		{ 2, AUDIT_RATE_RECORD, 0 },    { 3, AUDIT_RATE_SUPPRESS, 0 },
		{ 59, AUDIT_RATE_SUPPRESS, 0 },
		/* the window is over: its two are summed up, a new one begins */
		{ 60, AUDIT_RATE_RECORD, 2 },   { 61, AUDIT_RATE_RECORD, 0 },
		{ 62, AUDIT_RATE_RECORD, 0 },   { 63, AUDIT_RATE_SUPPRESS, 0 },
		/* a clock that went back ends the window too */
		{ 10, AUDIT_RATE_RECORD, 1 },
		/* a window without suppressed events has nothing to sum */
		{ 500, AUDIT_RATE_RECORD, 0 },
	};
	struct audit_rate r = { 0 };
	const int64_t t0 = 1800000000;

	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		uint32_t summary = 99;
		int v = (int)policy_audit_rate(&r, 3, t0 + rows[i].at, &summary);

		if (v != rows[i].verdict || summary != rows[i].summary)
			fail_msg("row %zu (at +%lld): verdict %d summary %u, want %d and %u", i,
				 (long long)rows[i].at, v, summary, rows[i].verdict,
				 rows[i].summary);
	}
}

static void rate_expiry_as_a_table(void **state)
{
	struct audit_rate r = { .window = 1000, .recorded = 10, .suppressed = 7 };
	uint32_t n = 99;

	(void)state;
	/* Within the window: kept, nothing to sum yet. */
	assert_false(policy_audit_rate_expire(&r, 1059, &n));
	assert_int_equal(n, 0);
	assert_true(policy_audit_rate_expire(&r, 1060, &n));
	assert_int_equal(n, 7);
	/* Cleared: free, and nothing twice. */
	assert_true(policy_audit_rate_expire(&r, 1061, &n));
	assert_int_equal(n, 0);
}

/* Two callers (limit 2 each) sharing a budget of 3: the third event in
 * all is the last recorded; the caller's own count then tells the rest. */
static void shared_rate_rule_as_a_table(void **state)
{
	static const struct {
		int caller;  /* 0 or 1 */
		int64_t at;
		int verdict; /* AUDIT_RATE_* */
		uint32_t summary;
	} rows[] = {
		{ 0, 0, AUDIT_RATE_RECORD, 0 },   { 0, 1, AUDIT_RATE_RECORD, 0 },
		{ 0, 2, AUDIT_RATE_SUPPRESS, 0 }, /* the caller's own limit */
		{ 1, 3, AUDIT_RATE_RECORD, 0 },   /* the third in all */
		{ 1, 4, AUDIT_RATE_SUPPRESS, 0 }, /* all's limit, not the caller's */
		/* both windows over: caller 1's summary counts the one all's
		 * budget refused */
		{ 1, 63, AUDIT_RATE_RECORD, 1 },  { 0, 64, AUDIT_RATE_RECORD, 1 },
	};
	struct audit_rate r[2] = { { 0 } }, all = { 0 };
	const int64_t t0 = 1800000000;

	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		uint32_t summary = 99;
		int v = (int)policy_audit_rate_shared(&r[rows[i].caller], 2, &all, 3,
						      t0 + rows[i].at, &summary);

		if (v != rows[i].verdict || summary != rows[i].summary)
			fail_msg("row %zu (at +%lld): verdict %d summary %u, want %d and %u", i,
				 (long long)rows[i].at, v, summary, rows[i].verdict,
				 rows[i].summary);
	}
}

/* ----------------------------------------------------------- floods */

/* The finding (issue 18.4): an administrator with only 'groups' made
 * 16,187 denied calls in 10 s, each one an event (data.mdb grew by 300
 * KB/s).  Now 16,000 denied calls in one minute are AUDIT_RATE_LIMIT
 * events and, when the minute is over, one summary that counts the
 * rest. */
static void a_flood_of_denied_calls_is_summed_up(void **state)
{
	struct fixture *f = *state;
	uid_t bin = unit_uid_of("bin");
	uint64_t before, after;
	struct tally t;

	make_person(f, "bin", ROLE_USER, PERM_GROUPS);
	before = map_used(f);
	for (int i = 0; i < 16000; i++)
		call_as(f, bin, OB_ADMIN_CODE_ISSUE, "{\"username\":\"bin\"}");
	after = map_used(f);
	t = tally(f, "admin.denied");
	print_message("16000 denied calls: %u events, data.mdb +%llu bytes\n", t.events,
		      (unsigned long long)(after - before));
	assert_int_equal(t.named, AUDIT_RATE_LIMIT);
	assert_int_equal(t.summaries, 0);
	/* The minute is over: the next call of anyone brings the summary. */
	clock_now += AUDIT_RATE_WINDOW;
	call_as(f, 0, OB_ADMIN_STATUS, NULL);
	t = tally(f, "admin.denied");
	assert_int_equal(t.summaries, 1);
	assert_int_equal(t.summed, 16000 - AUDIT_RATE_LIMIT);
	if (!strstr(t.last_summary, "denied calls by bin in the last minute"))
		fail_msg("the summary says: %s", t.last_summary);
	/* The next minute records again. */
	call_as(f, bin, OB_ADMIN_CODE_ISSUE, "{\"username\":\"bin\"}");
	assert_int_equal(tally(f, "admin.denied").named, AUDIT_RATE_LIMIT + 1);
}

/* The dispatcher's refusals were limited, but not the calls refused
 * further in: by the authority rule (a delegated administrator issuing
 * a main administrator a code) or by the store (an address already
 * used, a full pool).  2,000 such calls were 2,000 events each. */
static void a_flood_of_calls_refused_past_the_dispatcher_is_summed_up(void **state)
{
	struct fixture *f = *state;
	uid_t bin = unit_uid_of("bin");
	struct tally t;

	make_person(f, "bin", ROLE_USER, PERM_CODES | PERM_USERS);
	make_person(f, "boss", ROLE_ADMIN, 0);
	make_person(f, "ann", ROLE_USER, 0);
	call_as(f, 0, OB_ADMIN_USER_MODIFY, "{\"username\":\"ann\",\"email\":\"a@example.org\"}");
	make_person(f, "bob", ROLE_USER, 0);
	for (int i = 0; i < 2000; i++) {
		call_as(f, bin, OB_ADMIN_CODE_ISSUE, "{\"username\":\"boss\"}");
		call_as(f, bin, OB_ADMIN_USER_MODIFY,
			"{\"username\":\"bob\",\"email\":\"a@example.org\"}");
	}
	t = tally(f, "admin.denied");
	print_message("2000 calls refused by the authority rule: %u events\n", t.named);
	assert_true(t.named <= AUDIT_RATE_LIMIT);
	t = tally(f, "user.modify");
	print_message("2000 calls refused by the store: %u events\n", t.named);
	/* Root's change of ann, and at most the caller's share of bin's. */
	assert_true(t.named <= 1 + AUDIT_RATE_LIMIT);
}

/* Reads are audited under the same rule, per caller; one caller's flood
 * does not silence another's; root's reads are all recorded. */
static void a_flood_of_reads_is_summed_up_per_caller(void **state)
{
	struct fixture *f = *state;
	uid_t bin = unit_uid_of("bin"), sys = unit_uid_of("sys");
	struct tally t;

	make_person(f, "bin", ROLE_USER, PERM_GROUPS);
	make_person(f, "sys", ROLE_ADMIN, 0);
	for (int i = 0; i < 500; i++)
		call_as(f, bin, OB_ADMIN_GROUP_LIST, NULL);
	for (int i = 0; i < 3; i++)
		call_as(f, sys, OB_ADMIN_GROUP_LIST, NULL);
	for (int i = 0; i < 30; i++)
		call_as(f, 0, OB_ADMIN_GROUP_LIST, NULL);
	t = tally(f, "group.list");
	assert_int_equal(t.named, AUDIT_RATE_LIMIT + 3 + 30);
	clock_now += AUDIT_RATE_WINDOW;
	audit_tick(&f->d);
	t = tally(f, "group.list");
	assert_int_equal(t.summaries, 1);
	assert_int_equal(t.summed, 500 - AUDIT_RATE_LIMIT);
}

static void send_drop(void *ctx, struct json_object *msg)
{
	(void)ctx;
	json_object_put(msg);
}

/* The finding (issue 9.4): a person onboard calling Login.Start for
 * themselves with a pool they are not in, in a loop, made 3,055 events
 * a second. */
static void a_flood_of_refused_logins_is_summed_up(void **state)
{
	struct fixture *f = *state;
	struct peer root = { 0, 0, 1 };
	struct json_object *start =
		json_tokener_parse("{\"phase\":\"account\",\"user\":\"ada\",\"service\":\"sshd\","
				   "\"rhost\":\"192.0.2.9\",\"pool\":\"lab\"}");
	struct tally t;

	assert_non_null(start);
	make_person(f, "ada", ROLE_USER, 0);
	for (int i = 0; i < 3000; i++) {
		struct login *l = login_new(&f->d, &root, send_drop, NULL);

		assert_non_null(l);
		assert_int_equal(login_call(l, OB_LOGIN_START, start), 0);
		login_free(l);
	}
	json_object_put(start);
	t = tally(f, "login.host");
	assert_int_equal(t.named, AUDIT_RATE_LIMIT);
	clock_now += AUDIT_RATE_WINDOW;
	audit_tick(&f->d);
	t = tally(f, "login.host");
	assert_int_equal(t.summaries, 1);
	assert_int_equal(t.summed, 3000 - AUDIT_RATE_LIMIT);
	if (!strstr(t.last_summary, "refused or failed logins by ada"))
		fail_msg("the summary says: %s", t.last_summary);
}

/* One caller is held to AUDIT_RATE_LIMIT events a minute, but each of
 * 256 callers used to get as many, and a summary each: a guesser trying
 * wrong passwords for 1,000 people from rotating addresses made 2,570
 * events and 257 summaries a minute, and so pushed the oldest events
 * out of the audit log's share of the map within hours.  All callers
 * together now get AUDIT_RATE_TOTAL events and AUDIT_SUMMARY_TOTAL
 * summaries a minute (the rest summed up in one event per kind), and
 * every event is still counted somewhere. */
static void a_flood_by_many_callers_is_bounded_in_all(void **state)
{
	struct fixture *f = *state;
	struct person p = { 0 };
	uint64_t bytes0 = 0, bytes1 = 0, n = 0;
	const int people = 1000, each = 20, minutes = 10;
	struct tally t;

	snprintf(p.org, sizeof(p.org), "default");
	for (int round = 0; round < each; round++)
		for (int i = 0; i < people; i++) {
			snprintf(p.username, sizeof(p.username), "guessed%04d", i);
			audit_login_limited(&f->d, &p, "login.failed", "refused",
					    "wrong password (service sshd, from 2001:db8:%x::%x)",
					    i, round);
		}
	t = tally(f, "login.failed");
	print_message("%d refused logins of %d people in a minute: %u events\n", people * each,
		      people, t.named);
	assert_true(t.named <= AUDIT_RATE_TOTAL);
	clock_now += AUDIT_RATE_WINDOW;
	audit_tick(&f->d);
	t = tally(f, "login.failed");
	print_message("... and %u summaries after it\n", t.summaries);
	assert_true(t.summaries <= AUDIT_SUMMARY_TOTAL + 3);
	/* Nothing uncounted: what was not recorded is in a summary. */
	assert_int_equal(t.named + t.summed, people * each);

	/* The same flood for ten minutes: the growth of the audit log an
	 * attacker can cause at most (details as long as they come). */
	assert_int_equal(store_audit_size(f->d.store, &bytes0, &n), STORE_OK);
	for (int m = 0; m < minutes; m++) {
		for (int round = 0; round < 3; round++)
			for (int i = 0; i < people; i++) {
				snprintf(p.username, sizeof(p.username), "guessed%04d", i);
				audit_login_limited(&f->d, &p, "login.failed", "refused",
						    "wrong password (service sshd-with-a-long-name, "
						    "from 2001:db8:aaaa:bbbb:cccc:dddd:%x:%x)", i, m);
			}
		clock_now += AUDIT_RATE_WINDOW;
	}
	audit_tick(&f->d);
	assert_int_equal(store_audit_size(f->d.store, &bytes1, &n), STORE_OK);
	print_message("a flood of %d people's refused logins for %d minutes: the audit log "
		      "grew by %llu bytes a minute\n", people, minutes,
		      (unsigned long long)((bytes1 - bytes0) / minutes));
}

/* A lock is an event of its own (login.lockout), and it was recorded
 * whatever the rate: a guesser rotating places and people (who have no
 * password yet, so that a wrong code costs the daemon no hashing) made
 * one for every place and person locked, 11 per person and lock period
 * with the defaults, beyond every bound above.  Now they count with the
 * person's refused logins. */
static void a_flood_of_lockouts_is_bounded_in_all(void **state)
{
	struct fixture *f = *state;
	const int people = 300;
	char name[32];
	int64_t until;
	struct tally t;

	/* One person's ten wrong passwords do not crowd out their lock. */
	make_person(f, "ada", ROLE_USER, 0);
	for (int k = 0; k < 10; k++) {
		const uint8_t here[THROTTLE_PLACE_BYTES] = { 9 };
		struct person ada = { .username = "ada", .org = "default" };

		audit_login_limited(&f->d, &ada, "login.failed", "refused", "wrong password");
		throttle_failure(&f->d, "ada", here, "password", "sshd", "192.0.2.9", &until);
	}
	assert_int_equal(tally(f, "login.failed").named, 10);
	assert_int_equal(tally(f, "login.lockout").named, 1);
	clock_now += AUDIT_RATE_WINDOW;
	audit_tick(&f->d);

	f->d.cfg.lockout_attempts = 2;
	f->d.cfg.lockout_total_attempts = 4;
	for (int i = 0; i < people; i++) {
		snprintf(name, sizeof(name), "locked%03d", i);
		make_person(f, name, ROLE_USER, 0);
		for (int k = 0; k < 4; k++) {
			const uint8_t place[THROTTLE_PLACE_BYTES] = { (uint8_t)(k / 2 + 1) };

			throttle_failure(&f->d, name, place, "access code", "sshd", "2001:db8::1",
					 &until);
		}
	}
	t = tally(f, "login.lockout");
	print_message("%d people locked from two places and everywhere: %u events\n", people,
		      t.named - 1);
	assert_true(t.named - 1 <= AUDIT_RATE_TOTAL);
	clock_now += AUDIT_RATE_WINDOW;
	audit_tick(&f->d);
	t = tally(f, "login.lockout");
	assert_true(t.summaries <= AUDIT_SUMMARY_TOTAL + 3);
	/* Every lock is counted: recorded, or in a summary. */
	assert_int_equal(t.named - 1 + t.summed, 2 * people);
}

/* --------------------------------------------------- retention, size */

static void events_older_than_the_retention_are_pruned(void **state)
{
	struct fixture *f = *state;
	struct tally t;

	for (int i = 0; i < 100; i++)
		audit_host(&f->d, "test.old", "ok", "%d", i);
	assert_int_equal(tally(f, "test.old").named, 100);
	clock_now += f->d.cfg.audit_retention + 1;
	/* At most AUDIT_PRUNE_BATCH go with each new event. */
	audit_host(&f->d, "test.new", "ok", "first");
	t = tally(f, "test.old");
	assert_int_equal(t.named, 100 - AUDIT_PRUNE_BATCH);
	audit_host(&f->d, "test.new", "ok", "second");
	t = tally(f, "test.old");
	assert_int_equal(t.named, 0);
	assert_int_equal(t.events, 2);
	/* What is younger stays. */
	clock_now += f->d.cfg.audit_retention / 2;
	audit_host(&f->d, "test.new", "ok", "third");
	assert_int_equal(tally(f, "test.new").named, 3);
}

/* The store afresh (its data file gone) on a 1 MiB map, for the tests of
 * a full audit log. */
static void reopen_small(struct fixture *f)
{
	char path[128];

	store_close(f->d.store);
	f->d.store = NULL;
	snprintf(path, sizeof(path), "%s/data.mdb", f->dir);
	unlink(path);
	assert_int_equal(store_open(&f->d.store, f->dir, 1 << 20), 0);
	f->d.cfg.db_map_size = 1 << 20;
}

/* n events, each with a detail long enough to take room. */
static void fill(struct fixture *f, int n)
{
	for (int i = 0; i < n; i++)
		audit_host(&f->d, "test.fill", "ok", "event %d of a long enough detail to take room",
			   i);
}

/* A 1 MiB map: the audit log's share (a quarter) fills, the oldest
 * events give way, nothing is dropped, and the people still have room. */
static void a_full_audit_share_prunes_instead_of_failing(void **state)
{
	struct fixture *f = *state;
	uint64_t bytes = 0, events = 0;

	reopen_small(f);
	fill(f, 5000);
	assert_int_equal(audit_dropped(), 0);
	assert_int_equal(store_audit_size(f->d.store, &bytes, &events), STORE_OK);
	print_message("5000 events into a 1 MiB map: %llu kept in %llu bytes\n",
		      (unsigned long long)events, (unsigned long long)bytes);
	assert_true(bytes <= (1 << 20) / 4 + 8192);
	assert_true(events < 5000);
	make_person(f, "ada", ROLE_USER, 0);
}

/* What Status says under key (0 when it says nothing). */
static int64_t status_int(struct fixture *f, const char *key)
{
	struct peer root = { 0, 0, 1 };
	struct json_object *reply = admin_call(&f->d, &root, &f->sess, OB_ADMIN_STATUS, NULL);
	struct json_object *p, *v;
	int64_t n = 0;

	assert_true(json_object_object_get_ex(reply, "parameters", &p));
	if (json_object_object_get_ex(p, key, &v))
		n = json_object_get_int64(v);
	json_object_put(reply);
	return n;
}

/* Events that go for room, before their audit_retention, are what an
 * investigator may miss: they used to go with a debug line only.  Now
 * they are counted, Status shows the count, and the log warns; events
 * that reached the retention are not counted. */
static void events_pruned_for_room_are_counted_and_shown(void **state)
{
	struct fixture *f = *state;
	uint64_t bytes = 0, events = 0;
	int64_t before = status_int(f, "audit_pruned");

	for (int i = 0; i < 100; i++)
		audit_host(&f->d, "test.old", "ok", "%d", i);
	clock_now += f->d.cfg.audit_retention + 1;
	audit_host(&f->d, "test.new", "ok", "first");
	audit_host(&f->d, "test.new", "ok", "second");
	assert_int_equal(tally(f, "test.old").named, 0);
	assert_int_equal(status_int(f, "audit_pruned"), before);

	reopen_small(f);
	fill(f, 5000);
	assert_int_equal(store_audit_size(f->d.store, &bytes, &events), STORE_OK);
	assert_int_equal(status_int(f, "audit_pruned") - before, 5000 - (int64_t)events);
}

/* A cap configured beyond the map is held to three quarters of it: the
 * audit log alone still cannot fill the map. */
static void a_cap_beyond_the_map_still_leaves_room(void **state)
{
	struct fixture *f = *state;
	uint64_t bytes = 0, events = 0;

	reopen_small(f);
	f->d.cfg.audit_max_size = 1ULL << 40;
	fill(f, 12000);
	assert_int_equal(audit_dropped(), 0);
	assert_int_equal(store_audit_size(f->d.store, &bytes, &events), STORE_OK);
	assert_true(bytes <= (1 << 20) / 4 * 3 + 8192);
	make_person(f, "ada", ROLE_USER, 0);
}

/* Audit walked the whole log for one page: an administrator with only
 * 'audit' in an organisation with few events made onboardd read every
 * event of the log (up to the audit log's share of the map, about 1.3
 * million with the defaults) on each call, holding every login behind
 * it.  Now one call reads at most AUDIT_SCAN_MAX events, and a page that
 * stops there says where to go on ("next"), as onboardctl does. */
static void one_audit_page_reads_a_bounded_part_of_the_log(void **state)
{
	struct fixture *f = *state;
	struct peer peer = { .uid = unit_uid_of("bin"), .gid = 0, .pid = 1 };
	struct json_object *reply, *p, *next, *in;
	struct timespec t0, t1;
	const int n = 30000;
	int pages = 0;
	long long after = 0;

	make_person(f, "bin", ROLE_USER, PERM_AUDIT);
	for (int i = 0; i < n; i++)
		audit_host(&f->d, "test.host", "ok", "%d", i);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	reply = admin_call(&f->d, &peer, &f->sess, OB_ADMIN_AUDIT, NULL);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	assert_true(json_object_object_get_ex(reply, "parameters", &p));
	print_message("one page of Audit over %d events of another organisation: %.1f ms\n", n,
		      (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6);
	/* Root's events are not bin's: the page is empty, and goes on. */
	assert_int_equal(json_object_array_length(json_object_object_get(p, "events")), 0);
	assert_true(json_object_object_get_ex(p, "next", &next));
	json_object_put(reply);
	/* Followed to the end, the pages see the whole log. */
	do {
		char json[64];

		snprintf(json, sizeof(json), "{\"after\":%lld}", after);
		in = json_tokener_parse(json);
		reply = admin_call(&f->d, &peer, &f->sess, OB_ADMIN_AUDIT, in);
		json_object_put(in);
		assert_true(json_object_object_get_ex(reply, "parameters", &p));
		after = json_object_object_get_ex(p, "next", &next) ? json_object_get_int64(next) : -1;
		json_object_put(reply);
		pages++;
	} while (after >= 0 && pages < 1000);
	assert_true(pages >= n / AUDIT_SCAN_MAX && pages < 1000);
}

/* ------------------------------------------------- dropped events */

/* store_audit_append_bounded through the linker's --wrap: it fails as a
 * broken disk would while broken is set. */
static bool broken;

enum store_result __real_store_audit_append_bounded(struct store *st, struct audit_event *e,
						    const struct audit_bounds *b,
						    unsigned *pruned);
enum store_result __wrap_store_audit_append_bounded(struct store *st, struct audit_event *e,
						    const struct audit_bounds *b,
						    unsigned *pruned);

enum store_result __wrap_store_audit_append_bounded(struct store *st, struct audit_event *e,
						    const struct audit_bounds *b,
						    unsigned *pruned)
{
	if (broken)
		return STORE_UNAVAILABLE;
	return __real_store_audit_append_bounded(st, e, b, pruned);
}

static void a_dropped_event_is_counted_and_reported(void **state)
{
	struct fixture *f = *state;
	uint64_t before = audit_dropped();
	struct json_object *reply, *p, *v;
	struct peer root = { 0, 0, 1 };
	struct tally t;

	broken = true;
	for (int i = 0; i < 5; i++)
		audit_host(&f->d, "test.lost", "ok", "%d", i);
	broken = false;
	assert_int_equal(audit_dropped() - before, 5);
	/* Status shows the count. */
	reply = admin_call(&f->d, &root, &f->sess, OB_ADMIN_STATUS, NULL);
	assert_true(json_object_object_get_ex(reply, "parameters", &p));
	assert_true(json_object_object_get_ex(p, "audit_dropped", &v));
	assert_int_equal(json_object_get_int64(v), (int64_t)audit_dropped());
	json_object_put(reply);
	/* The next event that can be stored brings the count with it. */
	audit_host(&f->d, "test.kept", "ok", "after");
	t = tally(f, "audit.dropped");
	assert_int_equal(t.named, 1);
	assert_int_equal(tally(f, "test.lost").named, 0);
	assert_int_equal(tally(f, "test.kept").named, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(rate_rule_as_a_table),
		cmocka_unit_test(rate_expiry_as_a_table),
		cmocka_unit_test(shared_rate_rule_as_a_table),
#define T(t) cmocka_unit_test_setup_teardown(t, fixture_setup, fixture_teardown)
		T(a_flood_of_denied_calls_is_summed_up),
		T(a_flood_of_calls_refused_past_the_dispatcher_is_summed_up),
		T(a_flood_of_reads_is_summed_up_per_caller),
		T(a_flood_of_refused_logins_is_summed_up),
		T(a_flood_by_many_callers_is_bounded_in_all),
		T(a_flood_of_lockouts_is_bounded_in_all),
		T(events_older_than_the_retention_are_pruned),
		T(a_full_audit_share_prunes_instead_of_failing),
		T(a_cap_beyond_the_map_still_leaves_room),
		T(one_audit_page_reads_a_bounded_part_of_the_log),
		T(events_pruned_for_room_are_counted_and_shown),
		T(a_dropped_event_is_counted_and_reported),
#undef T
	};

	if (sodium_init() < 0)
		return 99;
	clock_now = 1800000000;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
