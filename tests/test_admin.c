/* SPDX-License-Identifier: BSD-3-Clause */
/* io.onboard.Admin calls that onboardctl cannot drive to the end alone:
 * a person with an authenticator only comes from a login through the PAM
 * module, so here the store is given one directly and admin_call is
 * called as the server would, against a real database in a fresh
 * directory per test.  The clock is the test's: it also stands in for a
 * login that writes the person between the call's read and its write. */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <pwd.h>
#include <cmocka.h>
#include <json-c/json.h>

#include "accounts.h"
#include "admin_private.h"
#include "daemon.h"
#include "ob_cleanup.h"
#include "ob_protocol.h"
#include "store.h"
#include "unit_admin.h"
#include "varlink.h"

#define T0 1800000000LL /* an arbitrary "now" */
#define ENROLLED_AT (T0 - 86400)
#define MAP_SIZE (64ULL << 20)
#define PWHASH "$argon2id$v=19$m=65536,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2g"

/* The clock.  While interfere is positive, each reading first writes
 * the person named victim (a TOTP step accepted by a login), so that
 * the admin call's compare-and-swap finds a newer version. */
static struct store *clock_store;
static const char *victim;
static int interfere;
static int64_t next_step = 1000;
static int64_t clock_ahead; /* seconds the clock is moved on */

static int64_t test_now(void)
{
	if (interfere > 0 && victim) {
		struct person v;

		interfere--;
		if (store_person_get(clock_store, victim, &v) != STORE_OK ||
		    store_totp_advance(clock_store, victim, v.totp_sealed, next_step++) != STORE_OK)
			fail_msg("the stand-in login could not write %s", victim);
	}
	return T0 + clock_ahead;
}

static int fixture_setup(void **state)
{
	struct fixture *f = unit_fixture_new(sizeof(*f), "/tmp", "test_admin");

	assert_non_null(f);
	unit_daemon_open(&f->d, f->dir, MAP_SIZE, test_now, T0);
	clock_store = f->d.store;
	victim = NULL;
	interfere = 0;
	clock_ahead = 0;
	*state = f;
	return 0;
}

static int fixture_teardown(void **state)
{
	unit_admin_close(*state);
	return 0;
}

/* Store a person with a password and, if enrolled, an authenticator. */
static void add_person(struct fixture *f, const char *username, bool enrolled)
{
	struct person p;

	unit_person(&p, username, "Ada", "Lovelace", "default", PWHASH);
	p.created = T0 - 10 * 86400;
	p.updated = p.created;
	p.password_set = p.created;
	if (store_person_create(f->d.store, &p) != STORE_OK)
		fail_msg("cannot create %s", username);
	if (!enrolled)
		return;
	p.flags |= PERSON_MFA_ENROLLED;
	memset(p.totp_sealed, 0xa5, sizeof(p.totp_sealed));
	p.totp_last_step = 500;
	p.mfa_enrolled = ENROLLED_AT;
	if (store_person_put(f->d.store, &p) != STORE_OK)
		fail_msg("cannot enrol %s", username);
}

/* Make the call as root; the reply is checked for its error name (NULL:
 * a reply) and returned, its parameters in *params. */
static struct json_object *call(struct fixture *f, const char *method, const char *params_json,
				const char *want_error, struct json_object **params)
{
	return unit_call_as(f, 0, method, params_json, want_error, NULL, params);
}

static const char *member_string(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
		fail_msg("no string \"%s\" in %s", key, json_object_to_json_string(o));
	return json_object_get_string(v);
}

static struct json_object *member(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v))
		fail_msg("no \"%s\" in %s", key, json_object_to_json_string(o));
	return v;
}

static bool is_zero(const uint8_t *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (b[i])
			return false;
	return true;
}

static void assert_enrolled(struct fixture *f, const char *username)
{
	struct person p;

	assert_int_equal(store_person_get(f->d.store, username, &p), STORE_OK);
	if (!(p.flags & PERSON_MFA_ENROLLED) || p.mfa_enrolled != ENROLLED_AT ||
	    is_zero(p.totp_sealed, sizeof(p.totp_sealed)))
		fail_msg("%s should still have their authenticator", username);
}

/* ---------------------------------------------------------------- tests */

static void mfa_reset_removes_the_authenticator(void **state)
{
	struct fixture *f = *state;
	struct json_object *reply, *params, *person;
	struct person before, after;

	add_person(f, "ada", true);
	assert_int_equal(store_person_get(f->d.store, "ada", &before), STORE_OK);
	reply = call(f, OB_ADMIN_MFA_RESET, "{\"username\":\"ada\"}", NULL, &params);
	person = member(params, "person");
	assert_string_equal(member_string(person, "mfa"), "none");
	assert_false(json_object_object_get_ex(person, "mfa_enrolled", NULL));
	/* mfa = required (the default): the password stays, a new
	 * authenticator is to come. */
	assert_string_equal(member_string(person, "state"), "password_set");
	json_object_put(reply);

	assert_int_equal(store_person_get(f->d.store, "ada", &after), STORE_OK);
	assert_false(after.flags & PERSON_MFA_ENROLLED);
	assert_true(is_zero(after.totp_sealed, sizeof(after.totp_sealed)));
	assert_int_equal(after.totp_last_step, 0);
	assert_int_equal(after.mfa_enrolled, 0);
	assert_int_equal(after.updated, T0);
	assert_int_equal(after.version, before.version + 1);
	/* Only the authenticator goes: the password stays. */
	assert_string_equal(after.pwhash, PWHASH);
	assert_int_equal(after.password_set, before.password_set);

	/* And a second reset finds nothing to remove. */
	reply = call(f, OB_ADMIN_MFA_RESET, "{\"username\":\"ada\"}", OB_ERR_NO_AUTHENTICATOR,
		     &params);
	assert_string_equal(member_string(params, "message"), "ada has no authenticator to reset");
	json_object_put(reply);
	assert_int_equal(store_person_get(f->d.store, "ada", &before), STORE_OK);
	assert_int_equal(before.version, after.version);
}

static void mfa_reset_leaves_other_people_alone(void **state)
{
	struct fixture *f = *state;
	struct json_object *reply, *params;

	add_person(f, "ada", true);
	add_person(f, "grace", true);
	reply = call(f, OB_ADMIN_MFA_RESET, "{\"username\":\"grace\"}", NULL, &params);
	json_object_put(reply);
	assert_enrolled(f, "ada");
}

static void mfa_reset_retries_after_a_concurrent_write(void **state)
{
	struct fixture *f = *state;
	struct json_object *reply, *params;
	struct person p;

	add_person(f, "ada", true);
	/* A login accepts a TOTP code between the first read and write, and
	 * again between the second ones: the third attempt goes through. */
	victim = "ada";
	interfere = 2;
	reply = call(f, OB_ADMIN_MFA_RESET, "{\"username\":\"ada\"}", NULL, &params);
	json_object_put(reply);
	if (interfere != 0)
		fail_msg("expected 3 attempts, made %d", 3 - interfere);
	assert_int_equal(store_person_get(f->d.store, "ada", &p), STORE_OK);
	assert_false(p.flags & PERSON_MFA_ENROLLED);
	/* The watermark the login advanced is gone with the authenticator. */
	assert_int_equal(p.totp_last_step, 0);
	assert_true(is_zero(p.totp_sealed, sizeof(p.totp_sealed)));
}

static void mfa_reset_gives_up_after_three_conflicts(void **state)
{
	struct fixture *f = *state;
	struct json_object *reply, *params;

	add_person(f, "ada", true);
	victim = "ada";
	interfere = 100;
	reply = call(f, OB_ADMIN_MFA_RESET, "{\"username\":\"ada\"}", OB_ERR_CONFLICT, &params);
	json_object_put(reply);
	if (interfere != 100 - 3)
		fail_msg("expected 3 attempts before giving up, made %d", 100 - interfere);
	assert_enrolled(f, "ada");
}

static void mfa_reset_unknown_person_not_found(void **state)
{
	struct fixture *f = *state;
	struct json_object *reply, *params;

	reply = call(f, OB_ADMIN_MFA_RESET, "{\"username\":\"nobody\"}", OB_ERR_USER_NOT_FOUND,
		     &params);
	assert_string_equal(member_string(params, "message"), "no such person: nobody");
	json_object_put(reply);
}

static void user_show_reports_the_authenticator_and_not_its_secret(void **state)
{
	struct fixture *f = *state;
	struct json_object *reply, *params, *person;
	const char *text;

	add_person(f, "ada", true);
	reply = call(f, OB_ADMIN_USER_SHOW, "{\"username\":\"ada\"}", NULL, &params);
	person = member(params, "person");
	assert_string_equal(member_string(person, "mfa"), "enrolled");
	assert_int_equal(json_object_get_int64(member(person, "mfa_enrolled")), ENROLLED_AT);
	text = json_object_to_json_string(reply);
	if (strstr(text, "totp") || strstr(text, "a5a5") || strstr(text, "pwhash"))
		fail_msg("UserShow shows what it must not: %s", text);
	json_object_put(reply);
}

static void code_issue_with_reset_mfa_stores_the_flag(void **state)
{
	struct fixture *f = *state;
	struct json_object *reply, *params;
	struct access_code c;

	add_person(f, "ada", true);
	reply = call(f, OB_ADMIN_CODE_ISSUE, "{\"username\":\"ada\",\"reset_mfa\":true}", NULL,
		     &params);
	assert_true(json_object_get_boolean(member(params, "reset_mfa")));
	varlink_wipe(reply);
	json_object_put(reply);
	assert_int_equal(store_code_get(f->d.store, "ada", &c), STORE_OK);
	assert_int_equal(c.flags & CODE_FLAG_RESET_MFA, CODE_FLAG_RESET_MFA);
	/* Issuing is not redeeming: the authenticator stays until the login. */
	assert_enrolled(f, "ada");

	reply = call(f, OB_ADMIN_CODE_ISSUE, "{\"username\":\"ada\"}", NULL, &params);
	assert_false(json_object_get_boolean(member(params, "reset_mfa")));
	varlink_wipe(reply);
	json_object_put(reply);
	assert_int_equal(store_code_get(f->d.store, "ada", &c), STORE_OK);
	assert_int_equal(c.flags & CODE_FLAG_RESET_MFA, 0);
}

/* A full page of people as long as the rules allow, with every
 * authenticator field present and as many groups, pools and permissions
 * as a person may have, stays under the page budget of 60 KiB; one such
 * person takes at most ADMIN_PERSON_JSON_MAX. */
static void user_list_page_of_enrolled_people_fits(void **state)
{
	struct fixture *f = *state;
	struct json_object *reply, *params, *people;
	struct person p = { 0 };
	char *text;
	size_t len;

	for (int i = 0; i < OB_PERSON_GROUPS_MAX; i++) {
		struct group g = { .created = T0 };

		snprintf(g.name, sizeof(g.name), "g%031d", i);
		memset(g.org, 'o', OB_ORG_MAX);
		assert_int_equal(store_group_create(f->d.store, &g), STORE_OK);
	}
	for (int i = 0; i < OB_PERSON_POOLS_MAX; i++) {
		struct pool pl = { .seats = 100, .created = T0 };

		snprintf(pl.name, sizeof(pl.name), "q%031d", i);
		memset(pl.org, 'o', OB_ORG_MAX);
		assert_int_equal(store_pool_create(f->d.store, &pl), STORE_OK);
	}
	for (int i = 0; i < 32; i++) {
		memset(&p, 0, sizeof(p));
		snprintf(p.username, sizeof(p.username), "p%031d", i);
		for (int k = 0; k < OB_PERSON_GROUPS_MAX; k++)
			snprintf(p.groups[p.ngroups++], sizeof(store_name), "g%031d", k);
		for (int k = 0; k < OB_PERSON_POOLS_MAX; k++)
			snprintf(p.pools[p.npools++], sizeof(store_name), "q%031d", k);
		p.role = ROLE_TECHNICIAN;
		p.perms = PERM_ALL;
		memset(p.link, 'l', OB_USERNAME_MAX);
		memset(p.first_name, '"', OB_NAME_MAX);
		memset(p.last_name, '\\', OB_NAME_MAX);
		memset(p.email, '/', 64);
		snprintf(p.email + 64, sizeof(p.email) - 64, "@%.63s.%.63s.%.57s.org",
			 "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
			 "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb",
			 "ccccccccccccccccccccccccccccccccccccccccccccccccccccccccc");
		assert_int_equal(strlen(p.email), OB_EMAIL_MAX);
		/* Addresses are unique in an organisation. */
		p.email[0] = (char)('a' + i % 26);
		p.email[1] = (char)('a' + i / 26);
		snprintf(p.phone, sizeof(p.phone), "+1%014d", i);
		memset(p.org, 'o', OB_ORG_MAX);
		snprintf(p.pwhash, sizeof(p.pwhash), "%s", PWHASH);
		p.created = p.updated = p.password_set = INT64_MAX;
		p.flags = PERSON_EXISTING_ACCOUNT | PERSON_MFA_ENROLLED;
		memset(p.totp_sealed, 0xa5, sizeof(p.totp_sealed));
		p.mfa_enrolled = INT64_MAX;
		assert_int_equal(store_person_create(f->d.store, &p), STORE_OK);
	}
	reply = call(f, OB_ADMIN_USER_LIST, "{\"limit\":32}", NULL, &params);
	people = member(params, "people");
	assert_int_equal(json_object_array_length(people), 32);
	len = strlen(json_object_to_json_string_ext(json_object_array_get_idx(people, 0),
						    JSON_C_TO_STRING_PLAIN));
	if (len > ADMIN_PERSON_JSON_MAX)
		fail_msg("one person takes %zu bytes of JSON, over the %d of ADMIN_PERSON_JSON_MAX",
			 len, (int)ADMIN_PERSON_JSON_MAX);
	assert_int_equal(varlink_encode(reply, &text, &len), 0);
	if (len > 60 * 1024)
		fail_msg("a full page takes %zu bytes, over the 60 KiB budget", len);
	free(text);
	json_object_put(reply);
}


/* A listing read page by page is one audit event, recorded at its first
 * page, not one per page: a long listing does not flood the audit log
 * (nor push its older events out). */
static void listing_of_several_pages_is_one_audit_event(void **state)
{
	struct fixture *f = *state;
	struct json_object *reply, *params;
	uint64_t bytes, events0, events1;
	char next[64] = "", in[128];
	unsigned pages = 0;

	add_person(f, "la", false);
	add_person(f, "lb", false);
	add_person(f, "lc", false);
	assert_int_equal(store_audit_size(f->d.store, &bytes, &events0), STORE_OK);
	do {
		if (next[0])
			snprintf(in, sizeof(in), "{\"limit\":1,\"after\":\"%s\"}", next);
		else
			snprintf(in, sizeof(in), "{\"limit\":1}");
		reply = call(f, OB_ADMIN_USER_LIST, in, NULL, &params);
		{
			struct json_object *n = NULL;

			snprintf(next, sizeof(next), "%s",
				 json_object_object_get_ex(params, "next", &n) && n
					 ? json_object_get_string(n)
					 : "");
		}
		json_object_put(reply);
		pages++;
	} while (next[0] && pages < 10);
	assert_true(pages >= 3);
	assert_int_equal(store_audit_size(f->d.store, &bytes, &events1), STORE_OK);
	if (events1 != events0 + 1)
		fail_msg("%u pages of one listing made %llu audit events", pages,
			 (unsigned long long)(events1 - events0));
}

static const char *error_message(struct json_object *params)
{
	return member_string(params, "message");
}

static const char *reply_message(struct json_object *reply)
{
	return error_message(member(reply, "parameters"));
}

/* A name that would turn the text around or hide part of it is refused
 * by UserAdd and UserModify, and nothing is stored. */
static void names_with_format_characters_refused(void **state)
{
	static const struct {
		const char *field, *json, *cp;
	} rows[] = {
		{ "first name", "Eve\\u202e", "U+202E" },
		{ "last name", "\\u2066Tink\\u2069", "U+2066" },
		{ "first name", "T\\u200bom", "U+200B" },
		{ "last name", "Ti\\u00adnk", "U+00AD" },
	};
	struct fixture *f = *state;
	struct json_object *reply, *params;
	struct person p;
	char json[256], want[160];

	for (size_t i = 0; i < OB_ARRAY_SIZE(rows); i++) {
		bool first = rows[i].field[0] == 'f';

		snprintf(json, sizeof(json),
			 "{\"username\":\"zzbidi\",\"first_name\":\"%s\",\"last_name\":\"%s\"}",
			 first ? rows[i].json : "Tink", first ? "Tink" : rows[i].json);
		reply = call(f, OB_ADMIN_USER_ADD, json, OB_ERR_INVALID_ARGUMENT, &params);
		snprintf(want, sizeof(want),
			 "%s must not contain invisible or text-direction characters (%s)",
			 rows[i].field, rows[i].cp);
		assert_string_equal(error_message(params), want);
		json_object_put(reply);
		assert_int_equal(store_person_get(f->d.store, "zzbidi", &p), STORE_NOT_FOUND);
	}
	add_person(f, "zzmod", false);
	reply = call(f, OB_ADMIN_USER_MODIFY,
		     "{\"username\":\"zzmod\",\"first_name\":\"Ada\\u202eecalevol\"}",
		     OB_ERR_INVALID_ARGUMENT, &params);
	assert_non_null(strstr(error_message(params), "U+202E"));
	json_object_put(reply);
	assert_int_equal(store_person_get(f->d.store, "zzmod", &p), STORE_OK);
	assert_string_equal(p.first_name, "Ada");
}

/* A spreadsheet row with such a name fails with its row and column, and
 * the import adds nobody. */
static void import_row_with_format_characters_refused(void **state)
{
	struct fixture *f = *state;
	struct json_object *reply, *params, *fails, *one;
	struct person p;

	reply = call(f, OB_ADMIN_USER_IMPORT,
		     "{\"rows\":[{\"row\":2,\"username\":\"zzok\",\"first_name\":\"Tom\","
		     "\"last_name\":\"Tink\"},{\"row\":3,\"username\":\"zzbad\","
		     "\"first_name\":\"Eve\",\"last_name\":\"\\u2067Tink\"}],\"commit\":true}",
		     NULL, &params);
	assert_int_equal(json_object_get_int64(member(params, "imported")), 0);
	fails = member(params, "failures");
	assert_int_equal(json_object_array_length(fails), 1);
	one = json_object_array_get_idx(fails, 0);
	assert_int_equal(json_object_get_int64(member(one, "row")), 3);
	assert_string_equal(member_string(one, "column"), "last_name");
	assert_string_equal(member_string(one, "reason"),
			    "last name must not contain invisible or text-direction characters "
			    "(U+2067)");
	json_object_put(reply);
	assert_int_equal(store_person_get(f->d.store, "zzok", &p), STORE_NOT_FOUND);
}

/* One UserImport page of 64 rows (row first on, no commit) on the
 * connection whose session is *sess.  The reply; *refused set when it
 * is an error. */
static struct json_object *import_rows(struct fixture *f, struct admin_session **sess,
				       unsigned first, unsigned count, bool *refused)
{
	static const struct peer root = { 0, 0, 1 };
	struct json_object *in = json_object_new_object(), *rows = json_object_new_array();
	struct json_object *reply;

	for (unsigned i = 0; i < count; i++) {
		struct json_object *r = json_object_new_object();
		char name[32];

		snprintf(name, sizeof(name), "imp%07u", first + i);
		json_object_object_add(r, "row", json_object_new_int64(first + i));
		json_object_object_add(r, "username", json_object_new_string(name));
		json_object_object_add(r, "first_name", json_object_new_string("Tom"));
		json_object_object_add(r, "last_name", json_object_new_string("Tink"));
		json_object_array_add(rows, r);
	}
	json_object_object_add(in, "rows", rows);
	reply = admin_call(&f->d, &root, sess, OB_ADMIN_USER_IMPORT, in);
	json_object_put(in);
	assert_non_null(reply);
	*refused = json_object_object_get_ex(reply, "error", NULL);
	return reply;
}

/* A page of OB_IMPORT_BATCH_MAX rows, numbered from first. */
static struct json_object *import_page(struct fixture *f, struct admin_session **sess,
				       unsigned first, bool *refused)
{
	return import_rows(f, sess, first, OB_IMPORT_BATCH_MAX, refused);
}

/* Pages on *sess until one is refused; that one's message in msg, the
 * rows taken returned. */
static unsigned import_until_refused(struct fixture *f, struct admin_session **sess,
				     char *msg, size_t size)
{
	struct json_object *reply, *e;
	unsigned taken = 0;
	bool refused;

	for (;;) {
		reply = import_page(f, sess, taken + 1, &refused);
		if (refused)
			break;
		json_object_put(reply);
		taken += OB_IMPORT_BATCH_MAX;
		if (taken > OB_IMPORT_ROWS_MAX)
			fail_msg("an import took %u rows", taken);
	}
	e = member(reply, "error");
	if (strcmp(json_object_get_string(e), OB_ERR_INVALID_ARGUMENT) != 0)
		fail_msg("refused with %s", json_object_to_json_string(reply));
	snprintf(msg, size, "%s", error_message(member(reply, "parameters")));
	json_object_put(reply);
	return taken;
}

/* The rows an unfinished import on *sess holds, as UserImport says. */
static int64_t import_received(struct fixture *f, struct admin_session **sess)
{
	static const struct peer root = { 0, 0, 1 };
	struct json_object *in = json_tokener_parse("{}"), *reply, *p;
	int64_t n;

	reply = admin_call(&f->d, &root, sess, OB_ADMIN_USER_IMPORT, in);
	json_object_put(in);
	p = member(reply, "parameters");
	n = json_object_get_int64(member(p, "received"));
	json_object_put(reply);
	return n;
}

/* Unfinished imports hold at most half of import_memory each and
 * import_memory in all, counted by what their rows really take; a page
 * beyond is refused naming the bound and changes nothing. */
static void import_memory_is_bounded_per_import_and_in_all(void **state)
{
	struct fixture *f = *state;
	struct admin_session *b = NULL, *c = NULL;
	char msg[512];
	unsigned taken;
	bool refused;

	f->d.cfg.import_memory = 1 << 20;
	taken = import_until_refused(f, &f->sess, msg, sizeof(msg));
	if (!strstr(msg, "half of import_memory (1.0 MiB, onboardd.conf)"))
		fail_msg("the per-import refusal does not name the bound: %s", msg);
	assert_true(taken > 0);
	/* What is counted is what the rows take: at least their texts
	 * ("imp0000001", "Tom", "Tink" and the empty fields: 22 bytes). */
	if (f->d.import_bytes < taken * 22 ||
	    f->d.import_bytes > f->d.cfg.import_memory / 2)
		fail_msg("%u rows counted as %zu bytes", taken, f->d.import_bytes);
	assert_int_equal(import_received(f, &f->sess), taken);

	/* A second connection fills the rest; a third finds nothing left. */
	import_until_refused(f, &b, msg, sizeof(msg));
	assert_true(f->d.import_bytes <= f->d.cfg.import_memory);
	import_until_refused(f, &c, msg, sizeof(msg));
	if (!strstr(msg, "all that import_memory (1.0 MiB, onboardd.conf) allows"))
		fail_msg("the refusal at the bound of all imports does not name it: %s", msg);

	/* A closed connection gives its room back. */
	admin_session_free(b);
	b = NULL;
	json_object_put(import_page(f, &c, 1000, &refused));
	assert_false(refused);
	admin_session_free(c);
}

/* An import nobody adds to for login_timeout is dropped with what it
 * holds, by the event loop's sweep or at the next call; the connection
 * is told so and must start the file again. */
static void idle_import_is_dropped(void **state)
{
	struct fixture *f = *state;
	struct admin_session *b = NULL;
	struct json_object *reply;
	size_t empty;
	bool refused;

	assert_int_equal(import_received(f, &b), 0);
	empty = f->d.import_bytes;
	for (unsigned i = 0; i < 4; i++) {
		json_object_put(import_page(f, &f->sess, 1 + i * OB_IMPORT_BATCH_MAX, &refused));
		assert_false(refused);
	}
	assert_true(f->d.import_bytes > 2 * empty);
	clock_ahead = f->d.cfg.login_timeout;
	admin_import_sweep(&f->d);
	assert_true(f->d.import_bytes > 2 * empty);
	clock_ahead = f->d.cfg.login_timeout + 1;
	admin_import_sweep(&f->d);
	/* Nothing but the two empty imports themselves. */
	if (f->d.import_bytes > 2 * empty)
		fail_msg("%zu bytes still held after the sweep", f->d.import_bytes);
	reply = import_page(f, &f->sess, 257, &refused);
	assert_true(refused);
	if (!strstr(reply_message(reply), "idle for longer than login_timeout"))
		fail_msg("%s", json_object_to_json_string(reply));
	json_object_put(reply);
	/* Then a new import starts. */
	json_object_put(import_page(f, &f->sess, 1, &refused));
	assert_false(refused);
	assert_int_equal(import_received(f, &f->sess), OB_IMPORT_BATCH_MAX);
	admin_session_free(b);
}

/* The most rows an import takes, 100,000, go in with one commit, as
 * one transaction with one audit event, within the default import_memory
 * (64 MiB: a row is held packed, not as a whole 1.4 KB record). */
static void import_of_100000_rows_is_one_call(void **state)
{
	static const struct peer root = { 0, 0, 1 };
	struct fixture *f = *state;
	struct json_object *in, *reply, *p;
	struct person got;
	uint64_t bytes, events0, events1;
	unsigned n = 0;
	bool refused;

	assert_int_equal(f->d.cfg.import_memory, 64u << 20);
	/* Room for 100,000 uids: the default uid_range holds 34,464. */
	store_ids_set(f->d.store, &(struct store_ids){ .first = 700000000u, .last = 700999999u });
	assert_int_equal(store_audit_size(f->d.store, &bytes, &events0), STORE_OK);
	while (n < OB_IMPORT_ROWS_MAX) {
		unsigned count = OB_IMPORT_ROWS_MAX - n < OB_IMPORT_BATCH_MAX ? OB_IMPORT_ROWS_MAX - n
									 : OB_IMPORT_BATCH_MAX;

		reply = import_rows(f, &f->sess, n + 1, count, &refused);
		if (refused)
			fail_msg("refused after %u rows: %s", n, json_object_to_json_string(reply));
		json_object_put(reply);
		n += count;
	}
	in = json_tokener_parse("{\"commit\":true}");
	reply = admin_call(&f->d, &root, &f->sess, OB_ADMIN_USER_IMPORT, in);
	json_object_put(in);
	p = member(reply, "parameters");
	if (json_object_get_int64(member(p, "imported")) != n)
		fail_msg("commit of %u rows: %s", n, json_object_to_json_string(reply));
	json_object_put(reply);
	assert_int_equal(store_person_get(f->d.store, "imp0000001", &got), STORE_OK);
	assert_int_equal(store_person_get(f->d.store, "imp0100000", &got), STORE_OK);
	assert_int_equal(store_audit_size(f->d.store, &bytes, &events1), STORE_OK);
	assert_int_equal(events1, events0 + 1);
}

/* ------------------------------------------------ the accounts, once per import */

static void nsswitch_write(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

/* Every name the host has, and some it has not, get the answer of
 * getpwnam_r from the snapshot, whether it was read whole or not. */
static void accounts_snapshot_answers_as_nss(void **state)
{
	struct fixture *f = *state;
	static const char *const confs[] = {
		"# comment\npasswd:  files [NOTFOUND=return] systemd\ngroup: files\n",
		"passwd: files sss\n",
		"group: files\n",
		"passwd: files sss\npasswd: files\n",
		"passwd: files\npasswd: files ldap\n",
	};
	static const bool whole[] = { true, false, false, false, false };
	static const char *const unknown[] = { "ob-no-such-name", "ROOT", "root ", "nobody2x" };
	char path[UNIT_DIR_MAX + 32];
	uid_t mins[] = { 0, 100, 1000, 60000 };

	snprintf(path, sizeof(path), "%s/nsswitch.conf", f->dir);
	for (size_t c = 0; c < sizeof(confs) / sizeof(confs[0]); c++) {
		struct accounts_snapshot *s;
		struct passwd *pw;
		size_t n = 0;

		nsswitch_write(path, confs[c]);
		s = accounts_snapshot_new(path);
		assert_non_null(s);
		assert_int_equal(accounts_snapshot_complete(s), whole[c]);
		for (size_t m = 0; m < sizeof(mins) / sizeof(mins[0]); m++) {
			setpwent();
			while ((pw = getpwent())) {
				if (accounts_snapshot_kind(s, pw->pw_name, mins[m]) !=
				    accounts_kind(pw->pw_name, mins[m]))
					fail_msg("%s (uid_min %u): the snapshot and NSS differ",
						 pw->pw_name, (unsigned)mins[m]);
				n++;
			}
			endpwent();
			for (size_t u = 0; u < sizeof(unknown) / sizeof(unknown[0]); u++)
				assert_int_equal(accounts_snapshot_kind(s, unknown[u], mins[m]),
						 accounts_kind(unknown[u], mins[m]));
		}
		assert_true(n > 0);
		assert_int_equal(accounts_snapshot_kind(s, "root", 1000), ACCOUNT_SYSTEM);
		assert_int_equal(accounts_snapshot_kind(s, "ob-no-such-name", 1000), ACCOUNT_NONE);
		accounts_snapshot_free(s);
	}
	/* No nsswitch.conf: every name to NSS. */
	snprintf(path, sizeof(path), "%s/none", f->dir);
	{
		struct accounts_snapshot *s = accounts_snapshot_new(path);

		assert_false(accounts_snapshot_complete(s));
		assert_int_equal(accounts_snapshot_kind(s, "root", 1000), ACCOUNT_SYSTEM);
		accounts_snapshot_free(s);
	}
}

#define T(name) cmocka_unit_test_setup_teardown(name, fixture_setup, fixture_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(mfa_reset_removes_the_authenticator),
		T(mfa_reset_leaves_other_people_alone),
		T(mfa_reset_retries_after_a_concurrent_write),
		T(mfa_reset_gives_up_after_three_conflicts),
		T(mfa_reset_unknown_person_not_found),
		T(user_show_reports_the_authenticator_and_not_its_secret),
		T(code_issue_with_reset_mfa_stores_the_flag),
		T(user_list_page_of_enrolled_people_fits),
		T(names_with_format_characters_refused),
		T(import_row_with_format_characters_refused),
		T(import_memory_is_bounded_per_import_and_in_all),
		T(idle_import_is_dropped),
		T(accounts_snapshot_answers_as_nss),
		T(import_of_100000_rows_is_one_call),
		T(listing_of_several_pages_is_one_audit_event),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
