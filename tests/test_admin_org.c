/* SPDX-License-Identifier: BSD-3-Clause */
/* The administration model through admin_call, as the server calls it:
 * organisations, delegated administrators, usernames that are taken,
 * host groups, seat pools, links, the user bank, imports, codes in bulk
 * and the audit log.  Callers other than root are real uids of the
 * host's base accounts (daemon, bin, sys), whose names the test makes
 * onboard people with the role or permissions each case needs: the
 * daemon finds them by getpwuid exactly as for a real administrator. */
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
#include <time.h>
#include <unistd.h>
#include <cmocka.h>
#include <json-c/json.h>

#include "admin_private.h"
#include "daemon.h"
#include "ob_protocol.h"
#include "store.h"
#include "unit_admin.h"
#include "varlink.h"

#define T0 1800000000LL
#define MAP_SIZE (256ULL << 20)

static int64_t test_now(void)
{
	return T0;
}

static int fixture_setup(void **state)
{
	struct fixture *f = unit_fixture_new(sizeof(*f), "/tmp", "test_admin_org");

	assert_non_null(f);
	unit_daemon_open(&f->d, f->dir, MAP_SIZE, test_now, T0);
	*state = f;
	return 0;
}

static int fixture_teardown(void **state)
{
	unit_admin_close(*state);
	return 0;
}

/* A call whose reply is not needed. */
static void ok(struct fixture *f, uid_t uid, const char *method, const char *json)
{
	json_object_put(unit_call_as(f, uid, method, json, NULL, NULL, NULL));
}

static void refused(struct fixture *f, uid_t uid, const char *method, const char *json,
		    const char *error, const char *text)
{
	json_object_put(unit_call_as(f, uid, method, json, error, text, NULL));
}

/* Make name (a base account) an onboard person of org with role and
 * permissions, straight in the store. */
static void make_person(struct fixture *f, const char *name, const char *org,
			enum person_role role, uint32_t perms)
{
	struct person p;

	unit_person(&p, name, "First", "Last", org, "");
	p.role = role;
	p.perms = perms;
	p.created = p.updated = T0;
	if (store_person_create(f->d.store, &p) != STORE_OK)
		fail_msg("cannot create %s", name);
}

static void add_user(struct fixture *f, const char *username, const char *org,
		     const char *extra)
{
	char json[512];

	snprintf(json, sizeof(json),
		 "{\"username\":\"%s\",\"first_name\":\"Ann\",\"last_name\":\"Berg\","
		 "\"org\":\"%s\"%s%s}",
		 username, org, extra ? "," : "", extra ? extra : "");
	ok(f, 0, OB_ADMIN_USER_ADD, json);
}

static struct person get(struct fixture *f, const char *username)
{
	struct person p;

	if (store_person_get(f->d.store, username, &p) != STORE_OK)
		fail_msg("%s is not in the store", username);
	return p;
}

/* ------------------------------------------------ who may call */

static void delegated_admin_is_allowed_its_permission_and_refused_others(void **state)
{
	struct fixture *f = *state;
	uid_t bin = unit_uid_of("bin");

	make_person(f, "bin", "acme", ROLE_USER, PERM_CODES);
	add_user(f, "alice", "acme", NULL);
	ok(f, bin, OB_ADMIN_CODE_ISSUE, "{\"username\":\"alice\"}");
	refused(f, bin, OB_ADMIN_USER_ADD,
		"{\"username\":\"bob\",\"first_name\":\"B\",\"last_name\":\"C\"}",
		VL_ERR_PERMISSION_DENIED, "needs the 'users' permission");
	refused(f, bin, OB_ADMIN_INVITE_SEND, "{\"username\":\"alice\"}", VL_ERR_PERMISSION_DENIED,
		"'invites'");
	refused(f, bin, OB_ADMIN_USER_RESTORE, "{\"username\":\"alice\"}",
		VL_ERR_PERMISSION_DENIED, "only a main administrator");
	/* Adding people does not bring inviting with it. */
	make_person(f, "sys", "acme", ROLE_USER, PERM_USERS);
	refused(f, unit_uid_of("sys"), OB_ADMIN_USER_ADD,
		"{\"username\":\"bob\",\"first_name\":\"B\",\"last_name\":\"C\","
		"\"invite\":true}",
		VL_ERR_PERMISSION_DENIED, "inviting needs the 'invites' permission");
	refused(f, unit_uid_of("sys"), OB_ADMIN_USER_IMPORT,
		"{\"rows\":[],\"invite\":true,\"commit\":true}", VL_ERR_PERMISSION_DENIED,
		"inviting needs the 'invites' permission");
	assert_int_equal(store_person_get(f->d.store, "bob", &(struct person){ 0 }),
			 STORE_NOT_FOUND);
}

static void unknown_uid_and_banked_admin_are_refused(void **state)
{
	struct fixture *f = *state;
	uid_t sys = unit_uid_of("sys"), bin = unit_uid_of("bin");

	refused(f, sys, OB_ADMIN_STATUS, NULL, VL_ERR_PERMISSION_DENIED,
		"sys is not an onboard administrator");
	/* A person without role or permission is not an administrator. */
	make_person(f, "sys", "acme", ROLE_USER, 0);
	refused(f, sys, OB_ADMIN_STATUS, NULL, VL_ERR_PERMISSION_DENIED, "not an onboard");
	/* Nor is a main administrator in the bank. */
	make_person(f, "bin", "acme", ROLE_ADMIN, 0);
	ok(f, bin, OB_ADMIN_STATUS, NULL);
	ok(f, 0, OB_ADMIN_USER_DELETE, "{\"username\":\"bin\"}");
	refused(f, bin, OB_ADMIN_STATUS, NULL, VL_ERR_PERMISSION_DENIED, "not an onboard");
}

static void main_admin_sees_only_their_organisation(void **state)
{
	struct fixture *f = *state;
	uid_t adm = unit_uid_of("daemon");
	struct json_object *reply, *params, *people;

	make_person(f, "daemon", "acme", ROLE_ADMIN, 0);
	add_user(f, "alice", "acme", NULL);
	add_user(f, "olga", "other", NULL);
	refused(f, adm, OB_ADMIN_USER_SHOW, "{\"username\":\"olga\"}", OB_ERR_USER_NOT_FOUND,
		"no such person: olga");
	refused(f, adm, OB_ADMIN_CODE_ISSUE, "{\"username\":\"olga\"}", OB_ERR_USER_NOT_FOUND, NULL);
	ok(f, adm, OB_ADMIN_USER_SHOW, "{\"username\":\"alice\"}");
	reply = unit_call_as(f, adm, OB_ADMIN_USER_LIST, NULL, NULL, NULL, &params);
	people = json_object_object_get(params, "people");
	/* daemon and alice; not olga. */
	assert_int_equal(json_object_array_length(people), 2);
	assert_null(strstr(json_object_to_json_string(people), "olga"));
	json_object_put(reply);
	refused(f, adm, OB_ADMIN_USER_ADD,
		"{\"username\":\"bob\",\"first_name\":\"B\",\"last_name\":\"C\",\"org\":\"other\"}",
		VL_ERR_PERMISSION_DENIED, "organisation acme only");
	/* Without org the person joins the administrator's organisation. */
	ok(f, adm, OB_ADMIN_USER_ADD, "{\"username\":\"bob\",\"first_name\":\"B\",\"last_name\":\"C\"}");
	assert_string_equal(get(f, "bob").org, "acme");
}

static void only_main_admins_grant_roles_and_permissions(void **state)
{
	struct fixture *f = *state;
	uid_t bin = unit_uid_of("bin"), adm = unit_uid_of("daemon");

	make_person(f, "bin", "acme", ROLE_USER, PERM_USERS);
	make_person(f, "daemon", "acme", ROLE_ADMIN, 0);
	refused(f, bin, OB_ADMIN_USER_ADD,
		"{\"username\":\"eve\",\"first_name\":\"E\",\"last_name\":\"V\",\"role\":\"admin\"}",
		VL_ERR_PERMISSION_DENIED, "only a main administrator");
	refused(f, bin, OB_ADMIN_USER_ADD,
		"{\"username\":\"eve\",\"first_name\":\"E\",\"last_name\":\"V\","
		"\"permissions\":[\"codes\"]}",
		VL_ERR_PERMISSION_DENIED, "only a main administrator");
	ok(f, adm, OB_ADMIN_USER_ADD,
	   "{\"username\":\"eve\",\"first_name\":\"E\",\"last_name\":\"V\","
	   "\"permissions\":[\"codes\",\"audit\"]}");
	assert_int_equal(get(f, "eve").perms, PERM_CODES | PERM_AUDIT);
	refused(f, adm, OB_ADMIN_USER_ADD,
		"{\"username\":\"eva\",\"first_name\":\"E\",\"last_name\":\"V\","
		"\"permissions\":[\"everything\"]}",
		OB_ERR_INVALID_ARGUMENT, "unknown permission");
	/* Nor by a change: of themselves (a permission, the role), of a
	 * person below them. */
	add_user(f, "pat", "acme", NULL);
	refused(f, bin, OB_ADMIN_USER_MODIFY, "{\"username\":\"bin\",\"permissions\":"
		"[\"users\",\"codes\"]}", VL_ERR_PERMISSION_DENIED, "only a main administrator");
	refused(f, bin, OB_ADMIN_USER_MODIFY, "{\"username\":\"bin\",\"role\":\"admin\"}",
		VL_ERR_PERMISSION_DENIED, "only a main administrator");
	refused(f, bin, OB_ADMIN_USER_MODIFY, "{\"username\":\"pat\",\"permissions\":"
		"[\"users\"]}", VL_ERR_PERMISSION_DENIED, "only a main administrator");
	refused(f, bin, OB_ADMIN_USER_MODIFY, "{\"username\":\"pat\",\"role\":\"admin\"}",
		VL_ERR_PERMISSION_DENIED, "only a main administrator");
	assert_int_equal(get(f, "bin").perms, PERM_USERS);
	assert_int_equal(get(f, "pat").perms, 0);
	/* The organisation keeps a main administrator: none deletes or
	 * demotes themselves. */
	refused(f, adm, OB_ADMIN_USER_DELETE, "{\"username\":\"daemon\"}", OB_ERR_INVALID_ARGUMENT,
		"nobody deletes themselves");
	refused(f, adm, OB_ADMIN_USER_MODIFY, "{\"username\":\"daemon\",\"role\":\"user\"}",
		OB_ERR_INVALID_ARGUMENT, "own role");
	refused(f, bin, OB_ADMIN_USER_DELETE, "{\"username\":\"daemon\"}",
		VL_ERR_PERMISSION_DENIED, "main administrator");
}

/* ------------------------------------------------ usernames */

static void taken_username_says_why(void **state)
{
	struct fixture *f = *state;
	uid_t acme = unit_uid_of("daemon"), other = unit_uid_of("bin");
	const char *again = "{\"username\":\"alice\",\"first_name\":\"A\",\"last_name\":\"B\"}";
	struct json_object *reply, *params;

	make_person(f, "daemon", "acme", ROLE_ADMIN, 0);
	make_person(f, "bin", "other", ROLE_ADMIN, 0);
	add_user(f, "alice", "acme", NULL);
	refused(f, acme, OB_ADMIN_USER_ADD, again, OB_ERR_USER_EXISTS,
		"already registered in your organisation");
	reply = unit_call_as(f, other, OB_ADMIN_USER_ADD, again, OB_ERR_USER_EXISTS,
			"registered in another organisation", &params);
	/* Nothing more about it: not which one. */
	assert_null(strstr(json_object_to_json_string(params), "acme"));
	json_object_put(reply);
	ok(f, acme, OB_ADMIN_USER_DELETE, "{\"username\":\"alice\"}");
	refused(f, acme, OB_ADMIN_USER_ADD, again, OB_ERR_USER_EXISTS,
		"onboardctl user restore alice");
	refused(f, other, OB_ADMIN_USER_ADD, again, OB_ERR_USER_EXISTS,
		"registered in another organisation");
	/* The host's own accounts are never claimed. */
	refused(f, 0, OB_ADMIN_USER_ADD,
		"{\"username\":\"root\",\"first_name\":\"A\",\"last_name\":\"B\"}",
		OB_ERR_INVALID_ARGUMENT, "root");
	refused(f, 0, OB_ADMIN_USER_ADD,
		"{\"username\":\"mail\",\"first_name\":\"A\",\"last_name\":\"B\"}",
		OB_ERR_INVALID_ARGUMENT, "system account");
}

static void email_is_unique_in_an_organisation_in_any_case(void **state)
{
	struct fixture *f = *state;

	add_user(f, "alice", "acme", "\"email\":\"Alice@Example.org\"");
	refused(f, 0, OB_ADMIN_USER_ADD,
		"{\"username\":\"alicia\",\"first_name\":\"A\",\"last_name\":\"B\","
		"\"org\":\"acme\",\"email\":\"alice@EXAMPLE.org\"}",
		OB_ERR_INVALID_ARGUMENT, "already used by another person of organisation acme");
	add_user(f, "alicia", "other", "\"email\":\"alice@example.org\"");
	refused(f, 0, OB_ADMIN_USER_MODIFY,
		"{\"username\":\"alicia\",\"email\":\"not an address\"}", OB_ERR_INVALID_ARGUMENT,
		NULL);
	assert_string_equal(get(f, "alicia").email, "alice@example.org");
	ok(f, 0, OB_ADMIN_USER_MODIFY, "{\"username\":\"alicia\",\"email\":\"\"}");
	assert_string_equal(get(f, "alicia").email, "");
}

/* ------------------------------------------------ groups and pools */

static void groups_and_pools_are_checked_and_seats_counted(void **state)
{
	struct fixture *f = *state;
	struct json_object *reply, *params, *pool;

	ok(f, 0, OB_ADMIN_GROUP_ADD, "{\"name\":\"clinic-a\",\"org\":\"acme\"}");
	refused(f, 0, OB_ADMIN_GROUP_ADD, "{\"name\":\"clinic-a\"}", OB_ERR_GROUP_EXISTS, NULL);
	refused(f, 0, OB_ADMIN_GROUP_ADD, "{\"name\":\"Bad Name\"}", OB_ERR_INVALID_ARGUMENT,
		"group and pool names");
	ok(f, 0, OB_ADMIN_POOL_ADD, "{\"name\":\"lab\",\"seats\":1,\"org\":\"acme\"}");
	refused(f, 0, OB_ADMIN_POOL_ADD, "{\"name\":\"big\",\"seats\":0}", OB_ERR_INVALID_ARGUMENT,
		"seats");
	add_user(f, "tom", "acme", "\"role\":\"technician\",\"groups\":[\"clinic-a\"]");
	add_user(f, "una", "acme", NULL);
	add_user(f, "vic", "acme", NULL);
	refused(f, 0, OB_ADMIN_GROUP_ASSIGN, "{\"username\":\"una\",\"group\":\"nowhere\"}",
		OB_ERR_GROUP_NOT_FOUND, "nowhere");
	ok(f, 0, OB_ADMIN_POOL_ASSIGN, "{\"username\":\"una\",\"pool\":\"lab\"}");
	refused(f, 0, OB_ADMIN_POOL_ASSIGN, "{\"username\":\"vic\",\"pool\":\"lab\"}",
		OB_ERR_POOL_FULL, "pool lab has no free seat");
	assert_int_equal(get(f, "vic").npools, 0);
	reply = unit_call_as(f, 0, OB_ADMIN_POOL_LIST, NULL, NULL, NULL, &params);
	pool = json_object_array_get_idx(json_object_object_get(params, "pools"), 0);
	assert_int_equal(json_object_get_int(json_object_object_get(pool, "used")), 1);
	assert_int_equal(json_object_get_int(json_object_object_get(pool, "seats")), 1);
	json_object_put(reply);
	/* A seat given back can be taken. */
	ok(f, 0, OB_ADMIN_POOL_UNASSIGN, "{\"username\":\"una\",\"pool\":\"lab\"}");
	ok(f, 0, OB_ADMIN_POOL_ASSIGN, "{\"username\":\"vic\",\"pool\":\"lab\"}");
	/* Groups of another organisation do not exist for its people. */
	add_user(f, "ola", "other", NULL);
	refused(f, 0, OB_ADMIN_GROUP_ASSIGN, "{\"username\":\"ola\",\"group\":\"clinic-a\"}",
		OB_ERR_GROUP_NOT_FOUND, "organisation other");
}

/* ------------------------------------------------ links and the bank */

static void assistant_needs_a_link_and_linked_people_block_delete(void **state)
{
	struct fixture *f = *state;
	struct json_object *reply, *params;

	add_user(f, "doc", "acme", NULL);
	add_user(f, "ext", "other", NULL);
	refused(f, 0, OB_ADMIN_USER_ADD,
		"{\"username\":\"asa\",\"first_name\":\"A\",\"last_name\":\"S\",\"org\":\"acme\","
		"\"role\":\"assistant\"}",
		OB_ERR_INVALID_ARGUMENT, "needs --link");
	refused(f, 0, OB_ADMIN_USER_ADD,
		"{\"username\":\"asa\",\"first_name\":\"A\",\"last_name\":\"S\",\"org\":\"acme\","
		"\"role\":\"assistant\",\"link\":\"ext\"}",
		OB_ERR_INVALID_ARGUMENT, "no such person in organisation acme");
	add_user(f, "asa", "acme", "\"role\":\"assistant\",\"link\":\"doc\"");
	reply = unit_call_as(f, 0, OB_ADMIN_USER_DELETE, "{\"username\":\"doc\"}", OB_ERR_LINKED,
			"1 person is linked to doc", &params);
	assert_string_equal(
		json_object_get_string(json_object_array_get_idx(json_object_object_get(params, "linked"), 0)),
		"asa");
	json_object_put(reply);
	assert_int_equal(get(f, "doc").deleted, 0);
	ok(f, 0, OB_ADMIN_USER_DELETE, "{\"username\":\"doc\",\"force\":true}");
	/* Purging needs force too, and then clears the link. */
	refused(f, 0, OB_ADMIN_USER_PURGE, "{\"username\":\"doc\"}", OB_ERR_LINKED, NULL);
	ok(f, 0, OB_ADMIN_USER_PURGE, "{\"username\":\"doc\",\"force\":true}");
	assert_string_equal(get(f, "asa").link, "");
}

static void user_bank_keeps_deleted_people_until_purged(void **state)
{
	struct fixture *f = *state;
	uid_t bin = unit_uid_of("bin");
	struct json_object *reply, *params;
	struct access_code c;

	make_person(f, "bin", "acme", ROLE_USER, PERM_USERS | PERM_BANK);
	add_user(f, "kim", "acme", "\"email\":\"kim@example.org\"");
	ok(f, 0, OB_ADMIN_CODE_ISSUE, "{\"username\":\"kim\"}");
	refused(f, 0, OB_ADMIN_USER_PURGE, "{\"username\":\"kim\"}", OB_ERR_INVALID_ARGUMENT,
		"delete them first");
	ok(f, bin, OB_ADMIN_USER_DELETE, "{\"username\":\"kim\"}");
	assert_true(get(f, "kim").flags & PERSON_DISABLED);
	assert_int_equal(store_code_get(f->d.store, "kim", &c), STORE_OK);
	assert_int_equal(c.state, CODE_REVOKED);
	refused(f, 0, OB_ADMIN_CODE_ISSUE, "{\"username\":\"kim\"}", OB_ERR_INVALID_ARGUMENT,
		"in the user bank");
	reply = unit_call_as(f, bin, OB_ADMIN_BANK_LIST, "{\"search\":\"KIM@\"}", NULL, NULL, &params);
	assert_int_equal(json_object_array_length(json_object_object_get(params, "people")), 1);
	json_object_put(reply);
	reply = unit_call_as(f, bin, OB_ADMIN_USER_LIST, NULL, NULL, NULL, &params);
	assert_null(strstr(json_object_to_json_string(params), "kim"));
	json_object_put(reply);
	refused(f, bin, OB_ADMIN_USER_RESTORE, "{\"username\":\"kim\"}", VL_ERR_PERMISSION_DENIED,
		"main administrator");
	ok(f, 0, OB_ADMIN_USER_RESTORE, "{\"username\":\"kim\"}");
	assert_false(get(f, "kim").flags & PERSON_DISABLED);
	ok(f, 0, OB_ADMIN_USER_DELETE, "{\"username\":\"kim\"}");
	ok(f, 0, OB_ADMIN_USER_PURGE, "{\"username\":\"kim\"}");
	/* The username and the address are free again. */
	add_user(f, "kim", "acme", "\"email\":\"kim@example.org\"");
}

/* ------------------------------------------------ import */

/* Send rows (a JSON array text) and commit; the reply's parameters. */
static struct json_object *import(struct fixture *f, const char *rows, const char *opts,
				  struct json_object **params)
{
	char *json;
	struct json_object *reply;

	if (asprintf(&json, "{\"rows\":%s,\"commit\":true%s%s}", rows, opts ? "," : "",
		     opts ? opts : "") < 0)
		fail_msg("out of memory");
	reply = unit_call_as(f, 0, OB_ADMIN_USER_IMPORT, json, NULL, NULL, params);
	free(json);
	return reply;
}

static int64_t member_int(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v))
		fail_msg("no %s in %s", key, json_object_to_json_string(o));
	return json_object_get_int64(v);
}

static void import_of_good_rows_adds_everyone(void **state)
{
	struct fixture *f = *state;
	struct json_object *reply, *params;

	ok(f, 0, OB_ADMIN_POOL_ADD, "{\"name\":\"lab\",\"seats\":5,\"org\":\"acme\"}");
	reply = import(f,
		       "[{\"row\":2,\"username\":\"asa\",\"first_name\":\"Åsa\",\"last_name\":\"Ek\","
		       "\"role\":\"assistant\",\"link\":\"doc\"},"
		       "{\"row\":3,\"username\":\"doc\",\"first_name\":\"Doc\",\"last_name\":\"Lind\","
		       "\"email\":\"doc@example.org\",\"pools\":[\"lab\"]}]",
		       "\"org\":\"acme\"", &params);
	assert_int_equal(member_int(params, "imported"), 2);
	assert_int_equal(member_int(params, "failures_total"), 0);
	json_object_put(reply);
	assert_string_equal(get(f, "asa").link, "doc");
	assert_string_equal(get(f, "doc").org, "acme");
}

/* Every failure of every row, nothing imported. */
static void import_with_errors_imports_nothing_and_reports_all(void **state)
{
	struct fixture *f = *state;
	struct json_object *reply, *params, *fails;
	const char *text;

	add_user(f, "taken", "acme", "\"email\":\"x@example.org\"");
	ok(f, 0, OB_ADMIN_POOL_ADD, "{\"name\":\"lab\",\"seats\":1,\"org\":\"acme\"}");
	reply = import(f,
		       "[{\"row\":2,\"username\":\"good\",\"first_name\":\"G\",\"last_name\":\"H\","
		       "\"pools\":[\"lab\"]},"
		       "{\"row\":3,\"username\":\"Bad Name\",\"first_name\":\"\",\"last_name\":\"H\","
		       "\"email\":\"nope\"},"
		       "{\"row\":4,\"username\":\"taken\",\"first_name\":\"T\",\"last_name\":\"H\"},"
		       "{\"row\":5,\"username\":\"good\",\"first_name\":\"G\",\"last_name\":\"H\"},"
		       "{\"row\":6,\"username\":\"dup\",\"first_name\":\"D\",\"last_name\":\"H\","
		       "\"email\":\"X@example.org\",\"pools\":[\"lab\"],\"role\":\"chief\"}]",
		       "\"org\":\"acme\"", &params);
	assert_int_equal(member_int(params, "imported"), 0);
	fails = json_object_object_get(params, "failures");
	text = json_object_to_json_string(fails);
	assert_int_equal(member_int(params, "failures_total"),
			 (int64_t)json_object_array_length(fails));
	/* Row 3: username, first_name and email each; 4 taken; 5 repeats 2;
	 * 6: the address is taken, no seat is left, the role is unknown. */
	static const char *const wants[] = {
		"\"row\": 3, \"column\": \"username\"", "\"row\": 3, \"column\": \"first_name\"",
		"\"row\": 3, \"column\": \"email\"",    "\"row\": 4, \"column\": \"username\"",
		"also on row 2",                        "\"row\": 6, \"column\": \"email\"",
		"\"row\": 6, \"column\": \"pools\"",    "\"row\": 6, \"column\": \"role\"",
	};
	for (size_t i = 0; i < sizeof(wants) / sizeof(wants[0]); i++)
		if (!strstr(text, wants[i]))
			fail_msg("the report lacks %s: %s", wants[i], text);
	json_object_put(reply);
	assert_int_equal(store_person_get(f->d.store, "good", &(struct person){ 0 }),
			 STORE_NOT_FOUND);
}

static void import_dry_run_writes_nothing(void **state)
{
	struct fixture *f = *state;
	struct json_object *reply, *params;

	reply = import(f, "[{\"row\":2,\"username\":\"dry\",\"first_name\":\"D\",\"last_name\":\"R\"}]",
		       "\"dry_run\":true", &params);
	assert_int_equal(member_int(params, "imported"), 0);
	assert_int_equal(member_int(params, "failures_total"), 0);
	json_object_put(reply);
	assert_int_equal(store_person_get(f->d.store, "dry", &(struct person){ 0 }),
			 STORE_NOT_FOUND);
}

/* 10,000 rows in batches, as onboardctl sends them, in one transaction. */
static void import_of_ten_thousand_rows(void **state)
{
	struct fixture *f = *state;
	struct json_object *reply, *params;
	struct timespec t0, t1;
	char *batch = malloc(64 * 200 + 64);
	size_t len;

	assert_non_null(batch);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (int b = 0; b < 10000 / 50; b++) {
		len = (size_t)sprintf(batch, "{\"rows\":[");
		for (int i = 0; i < 50; i++) {
			int n = b * 50 + i;

			len += (size_t)sprintf(batch + len,
					       "%s{\"row\":%d,\"username\":\"u%05d\",\"first_name\":"
					       "\"F\",\"last_name\":\"L\",\"email\":\"u%05d@example.org\"}",
					       i ? "," : "", n + 2, n, n);
		}
		sprintf(batch + len, "]%s}", b == 10000 / 50 - 1 ? ",\"commit\":true" : "");
		reply = unit_call_as(f, 0, OB_ADMIN_USER_IMPORT, batch, NULL, NULL, &params);
		if (b == 10000 / 50 - 1)
			assert_int_equal(member_int(params, "imported"), 10000);
		json_object_put(reply);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	free(batch);
	print_message("imported 10000 rows in %.2f s\n",
		      (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
	assert_string_equal(get(f, "u09999").email, "u09999@example.org");
}

static void import_with_invite_hands_out_codes_once(void **state)
{
	struct fixture *f = *state;
	struct json_object *reply, *params, *codes;

	reply = import(f, "[{\"row\":2,\"username\":\"inv\",\"first_name\":\"I\",\"last_name\":\"N\"}]",
		       "\"invite\":true", &params);
	assert_int_equal(member_int(params, "imported"), 1);
	json_object_put(reply);
	/* In the same transaction as the person: pending, for 30 days. */
	{
		struct invitation inv;

		assert_int_equal(store_invite_get(f->d.store, "inv", &inv), STORE_OK);
		assert_int_equal(inv.state, INVITE_PENDING);
		assert_int_equal(inv.issued, T0);
		assert_int_equal(inv.expires, T0 + f->d.cfg.invitation_lifetime);
	}
	reply = unit_call_as(f, 0, OB_ADMIN_USER_IMPORT_CODES, "{\"after\":0}", NULL, NULL, &params);
	codes = json_object_object_get(params, "codes");
	assert_int_equal(json_object_array_length(codes), 1);
	assert_int_equal(strlen(json_object_get_string(
				 json_object_object_get(json_object_array_get_idx(codes, 0), "code"))),
			 19);
	json_object_put(reply);
	/* Given once: a second page has the code wiped. */
	reply = unit_call_as(f, 0, OB_ADMIN_USER_IMPORT_CODES, "{\"after\":0}", NULL, NULL, &params);
	codes = json_object_object_get(params, "codes");
	assert_string_equal(json_object_get_string(json_object_object_get(
				    json_object_array_get_idx(codes, 0), "code")),
			    "");
	json_object_put(reply);
}

/* ------------------------------------------------ codes in bulk, audit */

static void bulk_codes_go_to_people_without_email(void **state)
{
	struct fixture *f = *state;
	struct json_object *reply, *params, *codes;
	struct access_code before, after;

	add_user(f, "a1", "acme", NULL);
	add_user(f, "a2", "acme", "\"email\":\"a2@example.org\"");
	add_user(f, "a3", "acme", NULL);
	add_user(f, "b1", "other", NULL);
	ok(f, 0, OB_ADMIN_CODE_ISSUE, "{\"username\":\"a1\"}");
	assert_int_equal(store_code_get(f->d.store, "a1", &before), STORE_OK);
	reply = unit_call_as(f, 0, OB_ADMIN_CODE_ISSUE_BULK, "{\"org\":\"acme\",\"limit\":1}", NULL, NULL,
			&params);
	codes = json_object_object_get(params, "codes");
	assert_int_equal(json_object_array_length(codes), 1);
	assert_string_equal(json_object_get_string(json_object_object_get(params, "next")), "a1");
	json_object_put(reply);
	reply = unit_call_as(f, 0, OB_ADMIN_CODE_ISSUE_BULK, "{\"org\":\"acme\",\"after\":\"a1\"}", NULL,
			NULL, &params);
	codes = json_object_object_get(params, "codes");
	assert_int_equal(json_object_array_length(codes), 1);
	assert_string_equal(json_object_get_string(json_object_object_get(
				    json_object_array_get_idx(codes, 0), "username")),
			    "a3");
	assert_false(json_object_object_get_ex(params, "next", NULL));
	json_object_put(reply);
	assert_int_equal(store_code_get(f->d.store, "a1", &after), STORE_OK);
	assert_int_not_equal(before.version, after.version);
	assert_int_equal(store_code_get(f->d.store, "a2", &after), STORE_NOT_FOUND);
	assert_int_equal(store_code_get(f->d.store, "b1", &after), STORE_NOT_FOUND);
}

/* A page is one transaction with its audit events: a map that cannot
 * take them fails the call, with the reason, and issues no code at all. */
static void bulk_codes_on_a_full_map_issue_none(void **state)
{
	struct fixture *f = *state;
	struct json_object *reply;
	struct access_code c;
	struct person p;
	char name[OB_USERNAME_MAX + 1];
	uint64_t bytes, events;
	int n;

	store_close(f->d.store);
	unit_store_open(&f->d.store, f->dir, 256 * 1024);
	make_person(f, "outsider", "other", ROLE_USER, 0);
	for (n = 0; n < 3000; n++) {
		snprintf(name, sizeof(name), "p%04d", n);
		unit_person(&p, name, "First", "Last", "acme", "");
		p.created = p.updated = T0;
		if (store_person_create(f->d.store, &p) != STORE_OK)
			break;
	}
	if (n < 200)
		fail_msg("the map was full after %d people: the test proves too little", n);
	/* Room for a few codes one at a time (as the bulk issue used to go),
	 * not for a page of 200 and their events. */
	store_close(f->d.store);
	unit_store_open(&f->d.store, f->dir, 256 * 1024 + 48 * 1024);
	{
		uint8_t h[CODE_HASH_BYTES] = { 1 };

		assert_int_equal(store_code_issue(f->d.store, "outsider", h, T0, T0 + 60, 0, &c),
				 STORE_OK);
	}
	assert_int_equal(store_audit_size(f->d.store, &bytes, &events), STORE_OK);
	assert_int_equal(events, 0);
	reply = unit_call_as(f, 0, OB_ADMIN_CODE_ISSUE_BULK, "{\"org\":\"acme\",\"limit\":200}",
			     OB_ERR_STORAGE_FULL, "the database is full", NULL);
	json_object_put(reply);
	for (int i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "p%04d", i);
		if (store_code_get(f->d.store, name, &c) != STORE_NOT_FOUND)
			fail_msg("%s has a code", name);
	}
	/* Nor any code.issue event: the call's refusal is all there is. */
	assert_int_equal(store_audit_size(f->d.store, &bytes, &events), STORE_OK);
	assert_true(events <= 1);
}

static void audit_records_calls_and_is_scoped(void **state)
{
	struct fixture *f = *state;
	uid_t acme = unit_uid_of("daemon"), other = unit_uid_of("bin");
	struct json_object *reply, *params;
	const char *text;

	make_person(f, "daemon", "acme", ROLE_ADMIN, 0);
	make_person(f, "bin", "other", ROLE_USER, PERM_AUDIT);
	ok(f, acme, OB_ADMIN_USER_ADD, "{\"username\":\"al\",\"first_name\":\"A\",\"last_name\":\"L\"}");
	reply = unit_call_as(f, acme, OB_ADMIN_CODE_ISSUE, "{\"username\":\"al\"}", NULL, NULL, &params);
	{
		char code[32];

		snprintf(code, sizeof(code), "%s",
			 json_object_get_string(json_object_object_get(params, "code")));
		json_object_put(reply);
		reply = unit_call_as(f, acme, OB_ADMIN_AUDIT, "{\"user\":\"al\"}", NULL, NULL, &params);
		text = json_object_to_json_string(params);
		if (!strstr(text, "\"event\": \"user.add\"") ||
		    !strstr(text, "\"event\": \"code.issue\"") || !strstr(text, "\"actor\": \"daemon\""))
			fail_msg("the audit log lacks the calls: %s", text);
		/* Never the code itself. */
		assert_null(strstr(text, code));
		json_object_put(reply);
	}
	reply = unit_call_as(f, other, OB_ADMIN_AUDIT, NULL, NULL, NULL, &params);
	assert_null(strstr(json_object_to_json_string(params), "\"subject\": \"al\""));
	json_object_put(reply);
}

static int64_t later = T0 + 1000000;

static int64_t later_now(void)
{
	return later;
}

/* A delegated administrator of acme who looks up a person of other is
 * told "no such person"; the event of that refused read used to be
 * filed under the person's organisation, so other's auditors read
 * acme's administrator at work (and acme's did not). */
static void a_lookup_outside_the_organisation_is_filed_under_the_callers(void **state)
{
	struct fixture *f = *state;
	uid_t sys = unit_uid_of("sys"), bin = unit_uid_of("bin"), adm = unit_uid_of("daemon");
	struct json_object *reply, *params;

	/* Windows of their own: the audit rate of earlier tests is spent. */
	f->d.now = later_now;
	make_person(f, "sys", "acme", ROLE_USER, PERM_USERS);
	make_person(f, "daemon", "acme", ROLE_ADMIN, 0);
	make_person(f, "bin", "other", ROLE_ADMIN, 0);
	add_user(f, "olga", "other", NULL);
	refused(f, sys, OB_ADMIN_USER_SHOW, "{\"username\":\"olga\"}", OB_ERR_USER_NOT_FOUND,
		NULL);
	reply = unit_call_as(f, bin, OB_ADMIN_AUDIT, NULL, NULL, NULL, &params);
	if (strstr(json_object_to_json_string(params), "\"actor\": \"sys\""))
		fail_msg("other's audit log shows acme's administrator: %s",
			 json_object_to_json_string(params));
	json_object_put(reply);
	reply = unit_call_as(f, adm, OB_ADMIN_AUDIT, NULL, NULL, NULL, &params);
	if (!strstr(json_object_to_json_string(params), "\"actor\": \"sys\""))
		fail_msg("acme's audit log lacks its administrator's refused read: %s",
			 json_object_to_json_string(params));
	json_object_put(reply);
}

/* A kiosk source is the host's: its wrong codes may have been guesses at
 * any organisation's codes.  A main administrator of one organisation
 * could lift it for everyone, though they cannot even read its lock
 * (kiosk events are root's). */
static void a_source_shared_by_organisations_is_unlocked_by_root_only(void **state)
{
	struct fixture *f = *state;
	uid_t adm = unit_uid_of("daemon"), bin = unit_uid_of("bin");
	const char *src = "{\"source\":\"rhost=192.0.2.7\"}";

	make_person(f, "daemon", "acme", ROLE_ADMIN, 0);
	/* Theirs is the only organisation: the host's sources are theirs. */
	ok(f, adm, OB_ADMIN_SOURCE_UNLOCK, src);
	make_person(f, "bin", "other", ROLE_ADMIN, 0);
	refused(f, adm, OB_ADMIN_SOURCE_UNLOCK, src, VL_ERR_PERMISSION_DENIED, "only root");
	refused(f, bin, OB_ADMIN_SOURCE_UNLOCK, src, VL_ERR_PERMISSION_DENIED, "only root");
	ok(f, 0, OB_ADMIN_SOURCE_UNLOCK, src);
}

/* Lines of the log (stderr) that hold text, while fn(f) runs. */
static unsigned log_lines_while(struct fixture *f, void (*fn)(struct fixture *f),
				const char *text)
{
	char path[] = "/tmp/test_admin_org.log.XXXXXX", line[1024];
	int fd = mkstemp(path), saved = dup(2);
	unsigned n = 0;
	FILE *in;

	assert_true(fd >= 0 && saved >= 0);
	fflush(stderr);
	assert_true(dup2(fd, 2) == 2);
	fn(f);
	fflush(stderr);
	assert_true(dup2(saved, 2) == 2);
	close(saved);
	in = fdopen(fd, "r");
	assert_non_null(in);
	rewind(in);
	while (fgets(line, sizeof(line), in))
		n += strstr(line, text) != NULL;
	fclose(in);
	unlink(path);
	return n;
}

static void stranger_calls_in_a_loop(struct fixture *f)
{
	for (int i = 0; i < 2000; i++)
		refused(f, unit_uid_of("man"), OB_ADMIN_STATUS, NULL, VL_ERR_PERMISSION_DENIED, NULL);
}

static void delegated_calls_in_a_loop(struct fixture *f)
{
	for (int i = 0; i < 2000; i++)
		refused(f, unit_uid_of("sys"), OB_ADMIN_USER_LIST, NULL, VL_ERR_PERMISSION_DENIED, NULL);
}

/* Every refused administrative call was a line of the log: any local
 * user calling in a loop (16,000 calls in 10 s) made journald's rate
 * limit (10,000 lines in 30 s a service) drop all of onboardd's lines,
 * the lockouts of other people's logins among them.  Now at most
 * AUDIT_LOG_REFUSALS such lines a minute, and one that counts the rest. */
static void refusals_in_a_loop_do_not_flood_the_log(void **state)
{
	struct fixture *f = *state;
	unsigned n;

	f->d.now = later_now;
	make_person(f, "sys", "acme", ROLE_USER, PERM_CODES);
	n = log_lines_while(f, stranger_calls_in_a_loop, "refused");
	print_message("2000 calls of a stranger: %u lines of the log\n", n);
	assert_true(n <= 11);
	/* A minute later: the count of the rest, and ten lines again. */
	later += 60;
	n = log_lines_while(f, delegated_calls_in_a_loop, "refused");
	print_message("2000 refused calls of a delegated administrator: %u lines\n", n);
	assert_true(n >= 1 && n <= 11);
}

static void stranger_flood_then_one_delegated_refusal(struct fixture *f)
{
	stranger_calls_in_a_loop(f);
	refused(f, unit_uid_of("sys"), OB_ADMIN_USER_LIST, NULL, VL_ERR_PERMISSION_DENIED, NULL);
}

/* The budget of refusal lines is not one for all: a local user who is no
 * administrator, calling in a loop, spent it and hid the refusals of a
 * delegated administrator that came after, in the same minute. */
static void a_strangers_flood_does_not_hide_an_administrators_refusal(void **state)
{
	struct fixture *f = *state;
	unsigned n;

	f->d.now = later_now;
	later += 120;
	make_person(f, "sys", "acme", ROLE_USER, PERM_CODES);
	n = log_lines_while(f, stranger_flood_then_one_delegated_refusal, "sys refused");
	if (n != 1)
		fail_msg("the delegated administrator's refusal after a stranger's flood: %u lines, "
			 "want 1", n);
}

/* ------------------------------------------------ the rights table */

/* Every call that names a person, by every kind of caller, on every kind
 * of target, through admin_call as the caller's real uid.  Callers: root;
 * daemon, main administrator of acme; bin, main administrator of other;
 * sys, delegated with codes; sync, delegated with users and codes; games,
 * delegated with every permission; man, a person of acme without any. */
enum { C_ROOT, C_MAIN, C_MAIN_OTHER, C_CODES, C_USERS_CODES, C_ALL, C_PLAIN, C_N };

static const struct {
	const char *name; /* a base account; NULL: uid 0 */
	const char *org;
	enum person_role role;
	uint32_t perms;
} callers[C_N] = {
	[C_ROOT] = { NULL, "acme", ROLE_ADMIN, PERM_ALL },
	[C_MAIN] = { "daemon", "acme", ROLE_ADMIN, 0 },
	[C_MAIN_OTHER] = { "bin", "other", ROLE_ADMIN, 0 },
	[C_CODES] = { "sys", "acme", ROLE_USER, PERM_CODES },
	[C_USERS_CODES] = { "sync", "acme", ROLE_USER, PERM_USERS | PERM_CODES },
	[C_ALL] = { "games", "acme", ROLE_USER, PERM_ALL },
	[C_PLAIN] = { "man", "acme", ROLE_USER, 0 },
};

/* Targets: a main administrator; delegated administrators with every
 * permission, users and codes, codes only, audit only; a plain person;
 * a plain person of the other organisation; the caller themself.  Each
 * is "more", "same", "subset" or neither to some caller. */
#define TARGETS 8
#define T_SELF 7
static const struct {
	const char *name, *org;
	enum person_role role;
	uint32_t perms;
} targets[TARGETS - 1] = {
	{ "boss", "acme", ROLE_ADMIN, 0 },
	{ "tall", "acme", ROLE_USER, PERM_ALL },
	{ "tuc", "acme", ROLE_USER, PERM_USERS | PERM_CODES },
	{ "tcodes", "acme", ROLE_USER, PERM_CODES },
	{ "taudit", "acme", ROLE_USER, PERM_AUDIT },
	{ "tplain", "acme", ROLE_USER, 0 },
	{ "tother", "other", ROLE_USER, 0 },
};

/* The authority rule, caller x target, written out: A acts, M refused as
 * a main administrator, P refused for a permission the caller lacks, O
 * another organisation (no such person to them), X not an administrator
 * at all, - no such row (root has no record of its own). */
static const char *const authority[C_N] = {
	/*                 boss tall tuc tcodes taudit tplain tother self */
	[C_ROOT] =        "AAAAAAA-",
	[C_MAIN] =        "AAAAAAOA",
	[C_MAIN_OTHER] =  "OOOOOOAA",
	[C_CODES] =       "MPPAPAOA",
	[C_USERS_CODES] = "MPAAPAOA",
	[C_ALL] =         "MAAAAAOA",
	[C_PLAIN] =       "XXXXXXXX",
};

enum prep { PREP_NONE, PREP_CODE, PREP_INVITE, PREP_BANK, PREP_GROUP, PREP_POOL };

static const struct {
	const char *method;
	const char *params; /* %1$s the target, %2$s its organisation's letter */
	uint32_t need;      /* PERM_* or NEED_MAIN_ADMIN */
	enum prep prep;
	const char *self;   /* on oneself, when acted: the refusal's text, or NULL */
	bool link;          /* the target is the one linked to */
} calls[] = {
	{ OB_ADMIN_CODE_ISSUE, "{\"username\":\"%1$s\"}", PERM_CODES, PREP_NONE, NULL, false },
	{ OB_ADMIN_CODE_ISSUE, "{\"username\":\"%1$s\",\"reset_mfa\":true}", PERM_CODES, PREP_NONE,
	  NULL, false },
	{ OB_ADMIN_CODE_REVOKE, "{\"username\":\"%1$s\"}", PERM_CODES, PREP_CODE, NULL, false },
	{ OB_ADMIN_MFA_RESET, "{\"username\":\"%1$s\"}", PERM_USERS, PREP_NONE, NULL, false },
	{ OB_ADMIN_UNLOCK, "{\"username\":\"%1$s\"}", PERM_USERS, PREP_NONE, NULL, false },
	{ OB_ADMIN_INVITE_SEND, "{\"username\":\"%1$s\"}", PERM_INVITES, PREP_NONE, NULL, false },
	{ OB_ADMIN_INVITE_REVOKE, "{\"username\":\"%1$s\"}", PERM_INVITES, PREP_INVITE, NULL,
	  false },
	{ OB_ADMIN_USER_MODIFY, "{\"username\":\"%1$s\",\"first_name\":\"Changed\"}", PERM_USERS,
	  PREP_NONE, NULL, false },
	{ OB_ADMIN_USER_DELETE, "{\"username\":\"%1$s\"}", PERM_USERS, PREP_NONE,
	  "nobody deletes themselves", false },
	{ OB_ADMIN_USER_RESTORE, "{\"username\":\"%1$s\"}", NEED_MAIN_ADMIN, PREP_BANK,
	  "not in the user bank", false },
	{ OB_ADMIN_USER_PURGE, "{\"username\":\"%1$s\"}", NEED_MAIN_ADMIN, PREP_BANK,
	  "not in the user bank", false },
	{ OB_ADMIN_GROUP_ASSIGN, "{\"username\":\"%1$s\",\"group\":\"g%2$s\"}", PERM_GROUPS,
	  PREP_NONE, NULL, false },
	{ OB_ADMIN_GROUP_UNASSIGN, "{\"username\":\"%1$s\",\"group\":\"g%2$s\"}", PERM_GROUPS,
	  PREP_GROUP, NULL, false },
	{ OB_ADMIN_POOL_ASSIGN, "{\"username\":\"%1$s\",\"pool\":\"p%2$s\"}", PERM_POOLS,
	  PREP_NONE, NULL, false },
	{ OB_ADMIN_POOL_UNASSIGN, "{\"username\":\"%1$s\",\"pool\":\"p%2$s\"}", PERM_POOLS,
	  PREP_POOL, NULL, false },
	/* Linking an assistant (of the target's organisation) to the target. */
	{ OB_ADMIN_USER_MODIFY, "{\"username\":\"asst%2$s\",\"link\":\"%1$s\"}", PERM_USERS,
	  PREP_NONE, NULL, true },
};

static void make_rights_person(struct fixture *f, const char *name, const char *org,
			       enum person_role role, uint32_t perms)
{
	struct person p;

	unit_person(&p, name, "First", "Last", org, "");
	p.role = role;
	p.perms = perms;
	/* Enrolled, so that an authenticator reset has something to reset. */
	p.flags = PERSON_MFA_ENROLLED;
	p.mfa_enrolled = T0;
	p.created = p.updated = T0;
	if (store_person_create(f->d.store, &p) != STORE_OK)
		fail_msg("cannot create %s", name);
}

static void rights_prepare(struct fixture *f, enum prep prep)
{
	char json[256];
	const char *name, *org;

	for (int c = 0; c < C_N; c++)
		if (callers[c].name)
			make_rights_person(f, callers[c].name, callers[c].org, callers[c].role,
					   callers[c].perms);
	for (int t = 0; t < TARGETS - 1; t++)
		make_rights_person(f, targets[t].name, targets[t].org, targets[t].role,
				   targets[t].perms);
	make_rights_person(f, "assta", "acme", ROLE_USER, 0);
	make_rights_person(f, "assto", "other", ROLE_USER, 0);
	ok(f, 0, OB_ADMIN_GROUP_ADD, "{\"name\":\"ga\",\"org\":\"acme\"}");
	ok(f, 0, OB_ADMIN_GROUP_ADD, "{\"name\":\"go\",\"org\":\"other\"}");
	ok(f, 0, OB_ADMIN_POOL_ADD, "{\"name\":\"pa\",\"org\":\"acme\",\"seats\":100}");
	ok(f, 0, OB_ADMIN_POOL_ADD, "{\"name\":\"po\",\"org\":\"other\",\"seats\":100}");
	for (int i = 0; i < TARGETS - 1 + C_N; i++) {
		if (i < TARGETS - 1) {
			name = targets[i].name;
			org = targets[i].org;
		} else {
			name = callers[i - (TARGETS - 1)].name;
			org = callers[i - (TARGETS - 1)].org;
			if (!name)
				continue;
		}
		snprintf(json, sizeof(json), "{\"username\":\"%s\"}", name);
		if (prep == PREP_CODE)
			ok(f, 0, OB_ADMIN_CODE_ISSUE, json);
		if (prep == PREP_INVITE)
			ok(f, 0, OB_ADMIN_INVITE_SEND, json);
		/* The callers stay out of the bank: they would not be
		 * administrators there. */
		if (prep == PREP_BANK && i < TARGETS - 1)
			ok(f, 0, OB_ADMIN_USER_DELETE, json);
		if (prep == PREP_GROUP || prep == PREP_POOL) {
			snprintf(json, sizeof(json), "{\"username\":\"%s\",\"%s\":\"%c%c\"}", name,
				 prep == PREP_GROUP ? "group" : "pool",
				 prep == PREP_GROUP ? 'g' : 'p', org[0] == 'a' ? 'a' : 'o');
			ok(f, 0, prep == PREP_GROUP ? OB_ADMIN_GROUP_ASSIGN : OB_ADMIN_POOL_ASSIGN,
			   json);
		}
	}
}

static void rights_table_holds_for_every_call(void **state)
{
	(void)state;
	for (size_t k = 0; k < sizeof(calls) / sizeof(calls[0]); k++) {
		for (int c = 0; c < C_N; c++) {
			void *st = NULL;
			struct fixture *f;
			uid_t uid = callers[c].name ? unit_uid_of(callers[c].name) : 0;
			uint32_t perms = callers[c].role == ROLE_ADMIN ? PERM_ALL : callers[c].perms;
			bool main_admin = callers[c].role == ROLE_ADMIN;

			fixture_setup(&st);
			f = st;
			rights_prepare(f, calls[k].prep);
			for (int t = 0; t < TARGETS; t++) {
				const char *name = t == T_SELF ? callers[c].name : targets[t].name;
				const char *org = t == T_SELF ? callers[c].org : targets[t].org;
				char v = authority[c][t], json[256], org1[2] = { org[0], 0 };
				const char *err = NULL, *text = NULL;

				if (v == '-')
					continue;
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
				snprintf(json, sizeof(json), calls[k].params, name, org1);
#pragma GCC diagnostic pop
				if (v == 'X') {
					err = VL_ERR_PERMISSION_DENIED;
					text = "not an onboard administrator";
				} else if (calls[k].need == NEED_MAIN_ADMIN ? !main_admin
									    : (calls[k].need & ~perms) != 0) {
					err = VL_ERR_PERMISSION_DENIED;
					text = calls[k].need == NEED_MAIN_ADMIN
						       ? "only a main administrator"
						       : "permission";
				} else if (v == 'O') {
					err = OB_ERR_USER_NOT_FOUND;
					text = "no such person";
				} else if (v == 'M') {
					err = VL_ERR_PERMISSION_DENIED;
					text = "is a main administrator: only root or a main "
					       "administrator may";
				} else if (v == 'P') {
					err = VL_ERR_PERMISSION_DENIED;
					text = "which you lack";
				} else if (t == T_SELF && calls[k].self) {
					err = OB_ERR_INVALID_ARGUMENT;
					text = calls[k].self;
				}
				/* Every row in the log: a failure names its row. */
				print_message("%s as %s on %s: %s\n", calls[k].method + 17,
					      callers[c].name ? callers[c].name : "root", name,
					      err ? text : "acts");
				json_object_put(unit_call_as(f, uid, calls[k].method, json, err, text, NULL));
			}
			fixture_teardown(&st);
		}
	}
}

/* Bulk codes skip the people above the caller, and say how many. */
static void bulk_codes_skip_people_above_the_caller(void **state)
{
	struct fixture *f = *state;
	struct json_object *reply, *params, *codes;
	struct access_code c;
	const char *text;

	rights_prepare(f, PREP_NONE);
	/* sys (codes only) sees in acme: daemon, sync, games, boss, tall, tuc,
	 * taudit above them; sys, man, tcodes, tplain, assta within. */
	reply = unit_call_as(f, unit_uid_of("sys"), OB_ADMIN_CODE_ISSUE_BULK, "{\"limit\":2}", NULL, NULL,
			&params);
	codes = json_object_object_get(params, "codes");
	text = json_object_to_json_string(params);
	assert_int_equal(json_object_array_length(codes), 2);
	/* assta, boss, daemon, games, man: boss and daemon and games skipped. */
	if (!strstr(text, "\"assta\"") || !strstr(text, "\"man\"") ||
	    json_object_get_int64(json_object_object_get(params, "skipped")) != 3)
		fail_msg("first page: %s", text);
	assert_string_equal(json_object_get_string(json_object_object_get(params, "next")), "man");
	json_object_put(reply);
	reply = unit_call_as(f, unit_uid_of("sys"), OB_ADMIN_CODE_ISSUE_BULK,
			"{\"after\":\"man\",\"limit\":100}", NULL, NULL, &params);
	text = json_object_to_json_string(params);
	/* sync, sys, taudit, tall, tcodes, tplain, tuc: sys, tcodes, tplain. */
	if (json_object_array_length(json_object_object_get(params, "codes")) != 3 ||
	    json_object_get_int64(json_object_object_get(params, "skipped")) != 4 ||
	    json_object_object_get_ex(params, "next", NULL))
		fail_msg("second page: %s", text);
	json_object_put(reply);
	for (int t = 0; t < TARGETS - 1; t++) {
		enum store_result r = store_code_get(f->d.store, targets[t].name, &c);
		bool within = strcmp(targets[t].name, "tcodes") == 0 ||
			      strcmp(targets[t].name, "tplain") == 0;

		if ((r == STORE_OK) != within)
			fail_msg("%s: %s a code", targets[t].name, r == STORE_OK ? "has" : "lacks");
	}
	assert_int_equal(store_code_get(f->d.store, "daemon", &c), STORE_NOT_FOUND);
	/* A main administrator's bulk run skips nobody of theirs. */
	reply = unit_call_as(f, unit_uid_of("daemon"), OB_ADMIN_CODE_ISSUE_BULK, NULL, NULL, NULL, &params);
	assert_false(json_object_object_get_ex(params, "skipped", NULL));
	assert_int_equal(json_object_array_length(json_object_object_get(params, "codes")), 12);
	json_object_put(reply);
}

/* Status counts only the people the caller may see (issue 9). */
static void status_counts_only_the_callers_organisation(void **state)
{
	struct fixture *f = *state;
	struct json_object *reply, *params;

	make_person(f, "sys", "acme", ROLE_USER, PERM_AUDIT);
	make_person(f, "bin", "other", ROLE_ADMIN, 0);
	add_user(f, "a1", "acme", NULL);
	add_user(f, "o1", "other", NULL);
	add_user(f, "o2", "other", NULL);
	add_user(f, "o3", "other", NULL);
	reply = unit_call_as(f, unit_uid_of("sys"), OB_ADMIN_STATUS, NULL, NULL, NULL, &params);
	assert_int_equal(json_object_get_int64(json_object_object_get(params, "people")), 2);
	json_object_put(reply);
	reply = unit_call_as(f, unit_uid_of("bin"), OB_ADMIN_STATUS, NULL, NULL, NULL, &params);
	assert_int_equal(json_object_get_int64(json_object_object_get(params, "people")), 4);
	json_object_put(reply);
	reply = unit_call_as(f, 0, OB_ADMIN_STATUS, NULL, NULL, NULL, &params);
	assert_int_equal(json_object_get_int64(json_object_object_get(params, "people")), 6);
	json_object_put(reply);
}

/* An import by a delegated administrator may not link new people to
 * someone above them: the row is refused in the report. */
static void import_link_follows_the_authority_rule(void **state)
{
	struct fixture *f = *state;
	struct json_object *reply, *params;
	const char *text;
	char json[512];

	make_person(f, "sync", "acme", ROLE_USER, PERM_USERS);
	make_person(f, "boss", "acme", ROLE_ADMIN, 0);
	make_person(f, "peer", "acme", ROLE_USER, 0);
	snprintf(json, sizeof(json),
		 "{\"rows\":[{\"row\":2,\"username\":\"as1\",\"first_name\":\"A\","
		 "\"last_name\":\"S\",\"role\":\"assistant\",\"link\":\"boss\"},"
		 "{\"row\":3,\"username\":\"as2\",\"first_name\":\"A\",\"last_name\":\"S\","
		 "\"role\":\"assistant\",\"link\":\"peer\"}],\"commit\":true}");
	reply = unit_call_as(f, unit_uid_of("sync"), OB_ADMIN_USER_IMPORT, json, NULL, NULL, &params);
	text = json_object_to_json_string(params);
	if (member_int(params, "imported") != 0 ||
	    !strstr(text, "\"row\": 2, \"column\": \"link\"") ||
	    !strstr(text, "boss is a main administrator") || strstr(text, "\"row\": 3"))
		fail_msg("expected row 2 refused for its link, row 3 fine: %s", text);
	json_object_put(reply);
	/* UserAdd the same. */
	refused(f, unit_uid_of("sync"), OB_ADMIN_USER_ADD,
		"{\"username\":\"as3\",\"first_name\":\"A\",\"last_name\":\"S\","
		"\"role\":\"assistant\",\"link\":\"boss\"}",
		VL_ERR_PERMISSION_DENIED, "boss is a main administrator: only root or a main "
		"administrator may link people to them");
	ok(f, unit_uid_of("sync"), OB_ADMIN_USER_ADD,
	   "{\"username\":\"as4\",\"first_name\":\"A\",\"last_name\":\"S\","
	   "\"role\":\"assistant\",\"link\":\"peer\"}");
}

/* Adopting an existing Unix account is root's alone, whatever the
 * caller's permissions. */
static void only_root_adopts_an_existing_account(void **state)
{
	struct fixture *f = *state;

	make_person(f, "games", "acme", ROLE_USER, PERM_ALL);
	make_person(f, "daemon", "acme", ROLE_ADMIN, 0);
	refused(f, unit_uid_of("games"), OB_ADMIN_USER_ADD,
		"{\"username\":\"ann\",\"first_name\":\"A\",\"last_name\":\"B\","
		"\"existing_account\":true}",
		VL_ERR_PERMISSION_DENIED, "only root may adopt an existing Unix account");
	refused(f, unit_uid_of("daemon"), OB_ADMIN_USER_ADD,
		"{\"username\":\"ann\",\"first_name\":\"A\",\"last_name\":\"B\","
		"\"existing_account\":true}",
		VL_ERR_PERMISSION_DENIED, "only root may adopt an existing Unix account");
	assert_int_equal(store_person_get(f->d.store, "ann", &(struct person){ 0 }),
			 STORE_NOT_FOUND);
}

#define T(name) cmocka_unit_test_setup_teardown(name, fixture_setup, fixture_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(delegated_admin_is_allowed_its_permission_and_refused_others),
		T(unknown_uid_and_banked_admin_are_refused),
		T(main_admin_sees_only_their_organisation),
		T(only_main_admins_grant_roles_and_permissions),
		T(taken_username_says_why),
		T(email_is_unique_in_an_organisation_in_any_case),
		T(groups_and_pools_are_checked_and_seats_counted),
		T(assistant_needs_a_link_and_linked_people_block_delete),
		T(user_bank_keeps_deleted_people_until_purged),
		T(import_of_good_rows_adds_everyone),
		T(import_with_errors_imports_nothing_and_reports_all),
		T(import_dry_run_writes_nothing),
		T(import_of_ten_thousand_rows),
		T(import_with_invite_hands_out_codes_once),
		T(bulk_codes_go_to_people_without_email),
		T(bulk_codes_on_a_full_map_issue_none),
		T(audit_records_calls_and_is_scoped),
		T(a_lookup_outside_the_organisation_is_filed_under_the_callers),
		T(a_source_shared_by_organisations_is_unlocked_by_root_only),
		T(refusals_in_a_loop_do_not_flood_the_log),
		T(a_strangers_flood_does_not_hide_an_administrators_refusal),
		cmocka_unit_test(rights_table_holds_for_every_call),
		T(bulk_codes_skip_people_above_the_caller),
		T(only_root_adopts_an_existing_account),
		T(status_counts_only_the_callers_organisation),
		T(import_link_follows_the_authority_rule),
	};

	/* Calls as other uids need those uids' names: root or not, the
	 * base accounts are there; the rest needs no privilege. */
	cmocka_set_message_output(CM_OUTPUT_STDOUT);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
