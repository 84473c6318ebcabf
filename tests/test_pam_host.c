/* SPDX-License-Identifier: BSD-3-Clause */
/* The host's rules in the account phase, through the real module and a
 * real onboardd: a host declares its groups (group=NAME) and a seat pool
 * (pool=NAME) on its pam_onboard.so line; a technician gets in only
 * where one of their groups is declared, other people whatever the
 * groups; a host with a pool lets in only the pool's people.  The
 * person is told why, and the refusal is in the audit log. */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <security/pam_appl.h>

#include "dialog.h"
#include "harness.h"
#include "ob_protocol.h"

/* mfa = off: a password alone finishes a registration (15 characters). */
#define PASSWORD "correct-horse-battery-staple"

struct fixture {
	struct harness_daemon d;
};

/* An admin call from JSON text, which must succeed. */
static void admin(struct fixture *f, const char *method, const char *json)
{
	struct json_object *p = json_tokener_parse(json);

	if (!p)
		fail_msg("test bug: %s is not JSON", json);
	if (harness_admin_call(&f->d, method, p) != 0)
		fail_msg("%s %s was refused", method, json);
}

/* Add user with the extra UserAdd fields, and register them with an
 * access code and a password. */
static void registered(struct fixture *f, const char *user, const char *extra)
{
	struct dialog dl = { .answers = { NULL, user, PASSWORD, PASSWORD } };
	char json[512], code[32];

	snprintf(json, sizeof(json),
		 "{\"username\":\"%s\",\"first_name\":\"Ted\",\"last_name\":\"Host\"%s%s}", user,
		 extra ? "," : "", extra ? extra : "");
	admin(f, OB_ADMIN_USER_ADD, json);
	assert_int_equal(harness_code_issue(&f->d, user, 0, code, NULL), 0);
	dl.answers[0] = code;
	dialog_run(&dl, "onboard", user, PAMTEST_AUTHENTICATE);
	dialog_expect(&dl, PAM_SUCCESS, NULL);
}

/* The account phase of user on service: rv and (when not NULL) what the
 * person is told. */
static void account(const char *service, const char *user, int rv, const char *fragment)
{
	struct dialog dl = { 0 };

	dialog_run(&dl, service, user, PAMTEST_ACCOUNT);
	dialog_expect(&dl, rv, fragment);
}

/* How many "login.host" refusals of user the audit log holds whose
 * detail contains detail (any detail when NULL). */
static int host_denials(struct fixture *f, const char *user, const char *detail)
{
	struct json_object *reply = NULL, *rp = NULL, *events, *e, *v;
	int n = 0;

	assert_int_equal(harness_admin_reply(&f->d, OB_ADMIN_AUDIT, json_object_new_object(),
					     &reply, &rp),
			 0);
	if (!json_object_object_get_ex(rp, "events", &events) ||
	    !json_object_is_type(events, json_type_array))
		fail_msg("Audit replied without events: %s", json_object_to_json_string(rp));
	for (size_t i = 0; i < json_object_array_length(events); i++) {
		e = json_object_array_get_idx(events, i);
		if (!json_object_object_get_ex(e, "event", &v) ||
		    strcmp(json_object_get_string(v), "login.host") != 0)
			continue;
		if (!json_object_object_get_ex(e, "subject", &v) ||
		    strcmp(json_object_get_string(v), user) != 0)
			continue;
		if (!json_object_object_get_ex(e, "result", &v) ||
		    strcmp(json_object_get_string(v), "denied") != 0)
			fail_msg("a login.host event of %s is not \"denied\": %s", user,
				 json_object_to_json_string(e));
		if (!detail || (json_object_object_get_ex(e, "detail", &v) &&
				strstr(json_object_get_string(v), detail)))
			n++;
	}
	json_object_put(reply);
	return n;
}

static void technician_with_a_matching_group_gets_in(void **state)
{
	struct fixture *f = *state;

	registered(f, "tech", "\"role\":\"technician\",\"groups\":[\"clinic-b\"]");
	account("clinic", "tech", PAM_SUCCESS, NULL);
	if (host_denials(f, "tech", NULL) != 0)
		fail_msg("a login let in is in the audit log as a host refusal");
}

static void technician_without_a_matching_group_is_refused(void **state)
{
	struct fixture *f = *state;

	registered(f, "tina", "\"role\":\"technician\",\"groups\":[\"clinic-z\"]");
	account("clinic", "tina", PAM_PERM_DENIED, "assigned to none of them");
	/* A host that declares no group lets no technician in. */
	account("nogroup", "tina", PAM_PERM_DENIED, "this host belongs to no group");
	/* Both refusals are in the audit log, under her name. */
	if (host_denials(f, "tina", "technician in none of the host's groups") != 2)
		fail_msg("the audit log does not hold tina's two host refusals");
}

static void ordinary_people_and_admins_ignore_groups(void **state)
{
	struct fixture *f = *state;

	registered(f, "olle", NULL);
	registered(f, "adam", "\"role\":\"admin\"");
	account("clinic", "olle", PAM_SUCCESS, NULL);
	account("nogroup", "adam", PAM_SUCCESS, NULL);
}

static void pool_member_gets_in_and_others_are_refused(void **state)
{
	struct fixture *f = *state;

	registered(f, "uma", "\"pools\":[\"lab\"]");
	registered(f, "val", NULL);
	account("lab", "uma", PAM_SUCCESS, NULL);
	account("lab", "val", PAM_PERM_DENIED, "only for people in seat pool lab");
	/* Whatever the role. */
	registered(f, "ada", "\"role\":\"admin\"");
	account("lab", "ada", PAM_PERM_DENIED, "seat pool lab");
	if (host_denials(f, "val", "not in the host's pool") != 1 ||
	    host_denials(f, "ada", "not in the host's pool") != 1)
		fail_msg("the pool refusals of val and ada are not in the audit log once each");
	if (host_denials(f, "uma", NULL) != 0)
		fail_msg("uma, let in, is in the audit log as a host refusal");
}

/* ------------------------------------------------------------- fixtures */

static int with_daemon(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	*state = f;
	if (harness_daemon_start(&f->d) < 0)
		return -1;
	admin(f, OB_ADMIN_GROUP_ADD, "{\"name\":\"clinic-a\"}");
	admin(f, OB_ADMIN_GROUP_ADD, "{\"name\":\"clinic-b\"}");
	admin(f, OB_ADMIN_GROUP_ADD, "{\"name\":\"clinic-z\"}");
	admin(f, OB_ADMIN_POOL_ADD, "{\"name\":\"lab\",\"seats\":5}");
	return 0;
}

/* One service per host: its account line, then pam_permit so that only
 * onboard's verdict decides. */
static int write_service(const char *name, const char *sock, const char *options)
{
	return harness_write_service(
		name,
		"auth [success=done ignore=ignore default=die] %s socket=%s timeout=10\n"
		"auth required pam_deny.so\n"
		"account [success=ok ignore=ignore default=die] %s socket=%s timeout=10%s\n"
		"account required pam_permit.so\n",
		harness_module(), sock, harness_module(), sock, options);
}

static int prepare(const char *dir)
{
	char sock[PATH_MAX];
	int r;

	(void)dir;
	harness_path(sock, sizeof(sock), "onboardd.sock");
	r = harness_append_file("onboardd.conf", "mfa = off\n");
	if (r >= 0)
		r = write_service("onboard", sock, "");
	if (r >= 0)
		r = write_service("clinic", sock, " group=clinic-a group=clinic-b");
	if (r >= 0)
		r = write_service("nogroup", sock, "");
	if (r >= 0)
		r = write_service("lab", sock, " pool=lab");
	return r;
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
#define T(t) cmocka_unit_test_setup_teardown(t, with_daemon, harness_fixture_stop)
		T(technician_with_a_matching_group_gets_in),
		T(technician_without_a_matching_group_is_refused),
		T(ordinary_people_and_admins_ignore_groups),
		T(pool_member_gets_in_and_others_are_refused),
#undef T
	};

	return HARNESS_MAIN("test_pam_host", HARNESS_WHY_ROOT, prepare, tests);
}
