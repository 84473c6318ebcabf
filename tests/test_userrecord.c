/* SPDX-License-Identifier: BSD-3-Clause */
/* The user and group records of the userdb socket (daemon/rules/
 * userrecord.c), as tables: what each field is made of, who has a
 * record, and that no record ever holds a secret. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include <json-c/json.h>

#include "store.h"
#include "unit_store.h"
#include "userrecord.h"

#define PWHASH "$argon2id$v=19$m=65536,t=2,p=1$c2VjcmV0c2FsdA$c2VjcmV0aGFzaA"

static void person(struct person *p, const char *name, const char *first, const char *last,
		   uint32_t uid, uint32_t flags, int64_t deleted)
{
	unit_person(p, name, first, last, "acme", PWHASH);
	p->uid = uid;
	p->flags = flags;
	p->deleted = deleted;
	/* Everything a record must never show. */
	snprintf(p->email, sizeof(p->email), "%s@secret-mail.example", name);
	snprintf(p->phone, sizeof(p->phone), "+4670SECRETPHONE");
	memset(p->totp_sealed, 0xab, sizeof(p->totp_sealed));
	p->flags |= PERSON_MFA_ENROLLED;
	p->totp_last_step = 123456789;
	p->role = ROLE_ADMIN;
}

static const char *str_of(struct json_object *o, const char *key)
{
	struct json_object *j;

	return json_object_object_get_ex(o, key, &j) ? json_object_get_string(j) : NULL;
}

static int64_t int_of(struct json_object *o, const char *key)
{
	struct json_object *j;

	return json_object_object_get_ex(o, key, &j) ? json_object_get_int64(j) : -1;
}

static void user_records_are_made_of_the_person(void **state)
{
	static const struct {
		const char *name, *first, *last;
		uint32_t uid, flags;
		const char *real; /* NULL: no realName */
		bool locked;
	} rows[] = {
		{ "ada", "Ada", "Lovelace", 65536, 0, "Ada Lovelace", false },
		{ "bea", "Béatrice", "", 70000, 0, "Béatrice", false },
		{ "cid", "", "Cid", 99999, 0, "Cid", false },
		{ "dan", "", "", 65540, 0, NULL, false },
		{ "eve", "Eve", "Locked", 65541, PERSON_DISABLED, "Eve Locked", true },
		{ "fay", "Fay", "Unfinished", 65542, 0, "Fay Unfinished", false },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct person p;
		struct json_object *o, *j;
		char home[64];

		person(&p, rows[i].name, rows[i].first, rows[i].last, rows[i].uid, rows[i].flags, 0);
		if (strcmp(rows[i].name, "fay") == 0)
			p.pwhash[0] = '\0'; /* no password yet: still a user */
		o = userrecord_user(&p, "/bin/zsh");
		assert_non_null(o);
		assert_string_equal(str_of(o, "userName"), rows[i].name);
		assert_int_equal(int_of(o, "uid"), rows[i].uid);
		assert_int_equal(int_of(o, "gid"), rows[i].uid);
		if (rows[i].real)
			assert_string_equal(str_of(o, "realName"), rows[i].real);
		else
			assert_null(str_of(o, "realName"));
		snprintf(home, sizeof(home), "/home/%s", rows[i].name);
		assert_string_equal(str_of(o, "homeDirectory"), home);
		assert_string_equal(str_of(o, "shell"), "/bin/zsh");
		assert_string_equal(str_of(o, "disposition"), "regular");
		assert_string_equal(str_of(o, "service"), "io.onboard");
		assert_int_equal(json_object_object_get_ex(o, "locked", &j), rows[i].locked);
		if (rows[i].locked)
			assert_true(json_object_get_boolean(j));
		json_object_put(o);
	}
}

/* No uid yet, or in the user bank: no record at all. */
static void who_has_no_record(void **state)
{
	static const struct {
		uint32_t uid, flags;
		int64_t deleted;
		bool served;
	} rows[] = {
		{ 65536, 0, 0, true },
		{ 65536, PERSON_DISABLED, 0, true },
		{ 0, 0, 0, false },
		{ 65536, PERSON_DISABLED, 1700000000, false },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct person p;
		struct json_object *u, *g;

		person(&p, "ada", "Ada", "L", rows[i].uid, rows[i].flags, rows[i].deleted);
		assert_int_equal(userrecord_served(&p), rows[i].served);
		u = userrecord_user(&p, "/bin/sh");
		g = userrecord_group_own(&p);
		assert_int_equal(u != NULL, rows[i].served);
		assert_int_equal(g != NULL, rows[i].served);
		json_object_put(u);
		json_object_put(g);
	}
}

static void group_records(void **state)
{
	struct group g = { .name = "staff", .org = "acme", .created = 1, .gid = 65600 };
	struct group none = { .name = "old", .org = "acme", .created = 1 };
	struct person p;
	struct json_object *o;

	(void)state;
	o = userrecord_group_host(&g);
	assert_non_null(o);
	assert_string_equal(str_of(o, "groupName"), "staff");
	assert_int_equal(int_of(o, "gid"), 65600);
	assert_string_equal(str_of(o, "service"), "io.onboard");
	/* No members list: GetMemberships says who, a page at a time. */
	assert_false(json_object_object_get_ex(o, "members", NULL));
	json_object_put(o);
	assert_null(userrecord_group_host(&none));

	person(&p, "ada", "Ada", "L", 65536, 0, 0);
	o = userrecord_group_own(&p);
	assert_non_null(o);
	assert_string_equal(str_of(o, "groupName"), "ada");
	assert_int_equal(int_of(o, "gid"), 65536);
	json_object_put(o);
}

/* Whatever the person holds, the record shows none of it: no hash, no
 * "privileged" section, no authenticator, no e-mail, phone, role or
 * organisation. */
static void no_record_holds_a_secret(void **state)
{
	static const char *const never[] = {
		"argon2", "c2VjcmV0", "privileged", "hashedPassword", "secret-mail", "SECRETPHONE",
		"totp", "acme", "admin", "email", "phone", "role", "org", "pwhash", "sealed",
	};
	struct person p;
	struct json_object *recs[2];

	(void)state;
	person(&p, "ada", "Ada", "L", 65536, PERSON_DISABLED, 0);
	recs[0] = userrecord_user(&p, "/bin/sh");
	recs[1] = userrecord_group_own(&p);
	for (size_t r = 0; r < 2; r++) {
		const char *s;

		assert_non_null(recs[r]);
		s = json_object_to_json_string_ext(recs[r], JSON_C_TO_STRING_PLAIN);
		for (size_t i = 0; i < sizeof(never) / sizeof(never[0]); i++)
			if (strstr(s, never[i]))
				fail_msg("record %s holds \"%s\"", s, never[i]);
		json_object_put(recs[r]);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(user_records_are_made_of_the_person),
		cmocka_unit_test(who_has_no_record),
		cmocka_unit_test(group_records),
		cmocka_unit_test(no_record_holds_a_secret),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
