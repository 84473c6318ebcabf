/* SPDX-License-Identifier: BSD-3-Clause */
/* Registration with an invitation through the real module and a real
 * onboardd: invitation code (and verification code when configured),
 * name confirmed or corrected, terms of use accepted, first password,
 * then the authenticator app.  Wrong, expired, revoked, superseded and
 * used invitation codes are refused with their own words.  Codes are
 * computed by oathtool from the key the person was shown. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>
#include <security/pam_appl.h>

#include "dialog.h"
#include "harness.h"
#include "ob_cleanup.h"
#include "ob_protocol.h"
#include "varlink.h"

#define PASSWORD "Tr0ub4dor&3-horse"
#define TERMS_TEXT "Use this host for work only.\nBe kind to the other users."
#define NAME_PROMPT "Your name is registered as Ada Lovelace. Press Enter to keep it, " \
		    "or type your name as it should be: "
#define TERMS_PROMPT "Do you accept these terms of use? Type yes to accept: "
#define CODE_MAX 32

struct fixture {
	struct harness_daemon d;
};

/* ------------------------------------------------------------- dialogue */







static void login(struct dialog *dl, const char *user)
{
	dialog_run(dl, "onboard", user, PAMTEST_AUTHENTICATE);
}


/* --------------------------------------------------------------- admin */

static void add_ada(struct fixture *f, const char *user)
{
	assert_int_equal(harness_user_add(&f->d, user, "Ada", "Lovelace"), 0);
}

/* InviteSend: code and (when issued) verification code as shown. */
static void invite(struct fixture *f, const char *user, char code[CODE_MAX],
		   char verification[CODE_MAX])
{
	struct json_object *p = json_object_new_object(), *reply = NULL, *rp = NULL;
	const char *s = NULL;

	json_object_object_add(p, "username", json_object_new_string(user));
	json_object_object_add(p, "code_to_me", json_object_new_boolean(1));
	assert_int_equal(harness_admin_reply(&f->d, OB_ADMIN_INVITE_SEND, p, &reply, &rp), 0);
	if (varlink_get_string(rp, "code", CODE_MAX - 1, &s) < 0)
		fail_msg("InviteSend replied without a code");
	snprintf(code, CODE_MAX, "%s", s);
	if (verification) {
		if (varlink_get_string(rp, "verification_code", CODE_MAX - 1, &s) < 0)
			fail_msg("InviteSend replied without a verification code");
		snprintf(verification, CODE_MAX, "%s", s);
	} else if (varlink_get_string(rp, "verification_code", CODE_MAX - 1, &s) == 0) {
		fail_msg("a verification code came without invite_verification = admin");
	}
	json_object_put(reply);
}

static void admin_username_call(struct fixture *f, const char *method, const char *user)
{
	struct json_object *p = json_object_new_object();

	json_object_object_add(p, "username", json_object_new_string(user));
	assert_int_equal(harness_admin_call(&f->d, method, p), 0);
}

/* A member of the person in UserShow's reply, into out. */
static void person_field(struct fixture *f, const char *user, const char *key, char *out,
			 size_t size)
{
	struct json_object *p = json_object_new_object(), *reply = NULL, *rp = NULL, *person;
	const char *s = NULL;

	json_object_object_add(p, "username", json_object_new_string(user));
	assert_int_equal(harness_admin_reply(&f->d, OB_ADMIN_USER_SHOW, p, &reply, &rp), 0);
	if (!json_object_object_get_ex(rp, "person", &person) ||
	    varlink_get_string(person, key, OB_TEXT_MAX, &s) < 0)
		fail_msg("UserShow of %s has no person.%s", user, key);
	snprintf(out, size, "%s", s);
	json_object_put(reply);
}

/* The status InviteList gives for user's invitation. */
static void invite_status(struct fixture *f, const char *user, char *out, size_t size)
{
	struct json_object *reply = NULL, *rp = NULL, *arr;
	const char *s;

	out[0] = '\0';
	assert_int_equal(harness_admin_reply(&f->d, OB_ADMIN_INVITE_LIST, json_object_new_object(),
					     &reply, &rp),
			 0);
	assert_true(json_object_object_get_ex(rp, "invitations", &arr));
	for (size_t i = 0; i < json_object_array_length(arr); i++) {
		struct json_object *inv = json_object_array_get_idx(arr, i);

		if (varlink_get_string(inv, "username", 64, &s) == 0 && strcmp(s, user) == 0 &&
		    varlink_get_string(inv, "status", 32, &s) == 0)
			snprintf(out, size, "%s", s);
	}
	json_object_put(reply);
}

/* Register user with an invitation and enrol the authenticator. */
static void register_with(struct fixture *f, const char *user, const char *code,
			  struct dialog *dl)
{
	const char *answers[] = { code, "", "yes", PASSWORD, PASSWORD, "@TOTP" };

	(void)f;
	for (size_t i = 0; i < OB_ARRAY_SIZE(answers); i++)
		dl->answers[i] = answers[i];
	login(dl, user);
	dialog_expect(dl, PAM_SUCCESS, "authenticator app is set up");
}

/* ---------------------------------------------------------------- tests */

static void invitation_then_name_then_terms_then_password_then_enrolment(void **state)
{
	struct fixture *f = *state;
	struct dialog dl = { 0 };
	struct dialog again = { .answers = { PASSWORD, "@TOTP+30" } };
	char code[CODE_MAX], got[64];

	add_ada(f, "ada");
	invite(f, "ada", code, NULL);
	register_with(f, "ada", code, &dl);
	if (strcmp(dl.prompts, "Invitation code: |" NAME_PROMPT "|" TERMS_PROMPT "|"
			       "New password: |Repeat new password: |Code shown by the app: |") != 0)
		fail_msg("prompts in the wrong order: %s", dl.prompts);
	dialog_expect(&dl, PAM_SUCCESS, "Your registration is not finished: enter the invitation code "
				 "from your welcome message.");
	dialog_expect(&dl, PAM_SUCCESS, TERMS_TEXT);
	dialog_expect(&dl, PAM_SUCCESS, "Welcome, Ada.");
	dialog_expect(&dl, PAM_SUCCESS, "otpauth://totp/");
	/* The registered name was kept; the person is active. */
	person_field(f, "ada", "first_name", got, sizeof(got));
	assert_string_equal(got, "Ada");
	person_field(f, "ada", "state", got, sizeof(got));
	assert_string_equal(got, "active");
	person_field(f, "ada", "mfa", got, sizeof(got));
	assert_string_equal(got, "enrolled");
	invite_status(f, "ada", got, sizeof(got));
	assert_string_equal(got, "accepted");
	/* From now on: password and authenticator code. */
	memcpy(again.key, dl.key, sizeof(again.key));
	login(&again, "ada");
	dialog_expect(&again, PAM_SUCCESS, NULL);
	if (strcmp(again.prompts, "Password: |Authenticator code: |") != 0)
		fail_msg("prompts after registration: %s", again.prompts);
}

static void name_correction_is_stored(void **state)
{
	struct fixture *f = *state;
	struct dialog dl = { .answers = { NULL, "Ada", "  Augusta Ada King  ", "yes", PASSWORD,
					  PASSWORD, "@TOTP" } };
	char code[CODE_MAX], got[64];

	add_ada(f, "ada");
	invite(f, "ada", code, NULL);
	dl.answers[0] = code;
	login(&dl, "ada");
	dialog_expect(&dl, PAM_SUCCESS, "Welcome, Augusta Ada.");
	/* A name without a last name was asked again, with the reason. */
	dialog_expect(&dl, PAM_SUCCESS, "first and last name");
	if (!strstr(dl.prompts, NAME_PROMPT "|" NAME_PROMPT "|" TERMS_PROMPT))
		fail_msg("the name was not asked again: %s", dl.prompts);
	person_field(f, "ada", "first_name", got, sizeof(got));
	assert_string_equal(got, "Augusta Ada");
	person_field(f, "ada", "last_name", got, sizeof(got));
	assert_string_equal(got, "King");
}

static void terms_refused_changes_nothing(void **state)
{
	struct fixture *f = *state;
	struct dialog dl = { .answers = { NULL, "Ada Byron", "no" } };
	struct dialog later = { 0 };
	char code[CODE_MAX], got[64];

	add_ada(f, "ada");
	invite(f, "ada", code, NULL);
	dl.answers[0] = code;
	login(&dl, "ada");
	dialog_expect(&dl, PAM_AUTH_ERR, "You did not accept the terms of use");
	if (strstr(dl.prompts, "New password"))
		fail_msg("asked for a password after the terms were refused: %s", dl.prompts);
	person_field(f, "ada", "state", got, sizeof(got));
	assert_string_equal(got, "unfinished");
	person_field(f, "ada", "last_name", got, sizeof(got));
	assert_string_equal(got, "Lovelace");
	invite_status(f, "ada", got, sizeof(got));
	assert_string_equal(got, "pending");
	/* The invitation still works. */
	register_with(f, "ada", code, &later);
}

static void expired_invitation_refused(void **state)
{
	struct fixture *f = *state;
	struct dialog dl = { .answers = { NULL } };
	char code[CODE_MAX], got[64];
	int r;

	add_ada(f, "ada");
	invite(f, "ada", code, NULL);
	r = harness_daemon_restart(&f->d, "+31d");
	if (r == -ENOENT)
		skip();
	assert_int_equal(r, 0);
	dl.answers[0] = code;
	login(&dl, "ada");
	dialog_expect(&dl, PAM_AUTH_ERR, "This invitation has expired");
	invite_status(f, "ada", got, sizeof(got));
	assert_string_equal(got, "expired");
	person_field(f, "ada", "state", got, sizeof(got));
	assert_string_equal(got, "unfinished");
}

static void revoked_invitation_refused(void **state)
{
	struct fixture *f = *state;
	struct dialog dl = { .answers = { NULL } };
	char code[CODE_MAX];

	add_ada(f, "ada");
	invite(f, "ada", code, NULL);
	admin_username_call(f, OB_ADMIN_INVITE_REVOKE, "ada");
	dl.answers[0] = code;
	login(&dl, "ada");
	dialog_expect(&dl, PAM_AUTH_ERR, "This invitation has been withdrawn");
	if (strstr(dl.prompts, "New password") || strstr(dl.prompts, "registered as"))
		fail_msg("a revoked invitation went on: %s", dl.prompts);
}

static void superseded_invitation_refused(void **state)
{
	struct fixture *f = *state;
	struct dialog first = { .answers = { NULL } };
	struct dialog newest = { 0 };
	char code1[CODE_MAX], code2[CODE_MAX];

	add_ada(f, "ada");
	invite(f, "ada", code1, NULL);
	invite(f, "ada", code2, NULL);
	assert_string_not_equal(code1, code2);
	first.answers[0] = code1;
	login(&first, "ada");
	dialog_expect(&first, PAM_AUTH_ERR, "replaced by a newer one");
	/* The newest one opens registration. */
	register_with(f, "ada", code2, &newest);
}

/* Not only the invitation just before the newest: one sent two sends
 * ago is told it was replaced too, not "not right". */
static void invitation_two_sends_old_told_it_was_replaced(void **state)
{
	struct fixture *f = *state;
	struct dialog first = { .answers = { NULL } };
	struct dialog newest = { 0 };
	char code1[CODE_MAX], code2[CODE_MAX], code3[CODE_MAX];

	add_ada(f, "ada");
	invite(f, "ada", code1, NULL);
	invite(f, "ada", code2, NULL);
	invite(f, "ada", code3, NULL);
	first.answers[0] = code1;
	login(&first, "ada");
	dialog_expect(&first, PAM_AUTH_ERR, "replaced by a newer one");
	register_with(f, "ada", code3, &newest);
}

static void wrong_invitation_code_refused(void **state)
{
	struct fixture *f = *state;
	struct dialog dl = { .answers = { "ABCD-EFGH-JKMN-PQRS" } };
	char code[CODE_MAX];

	add_ada(f, "ada");
	invite(f, "ada", code, NULL);
	login(&dl, "ada");
	dialog_expect(&dl, PAM_AUTH_ERR, "This code is not right");
	if (strstr(dl.prompts, "registered as"))
		fail_msg("a wrong code went on: %s", dl.prompts);
}

/* onboardd.conf with line added; the original is put back by teardown. */
static void conf_with(const char *line)
{
	assert_non_null(harness_conf_save());
	assert_int_equal(harness_append_file("onboardd.conf", line), 0);
	assert_int_equal(harness_append_file("onboardd.conf", "\n"), 0);
}

static void verification_code_required_when_configured(void **state)
{
	struct fixture *f = *state;
	struct dialog without = { .answers = { NULL, "ABCD-EFGH" } };
	struct dialog with = { .answers = { NULL, NULL, "", "yes", PASSWORD, PASSWORD,
					    "@TOTP" } };
	char code[CODE_MAX], verification[CODE_MAX];

	conf_with("invite_verification = admin");
	assert_int_equal(harness_daemon_restart(&f->d, ""), 0);
	add_ada(f, "ada");
	invite(f, "ada", code, verification);
	assert_int_equal(strlen(verification), 9); /* ABCD-EFGH */
	without.answers[0] = code;
	if (strcmp(verification, "ABCD-EFGH") == 0)
		without.answers[1] = "HGFE-DCBA";
	login(&without, "ada");
	dialog_expect(&without, PAM_AUTH_ERR, "verification code is not right");
	if (strcmp(without.prompts, "Invitation code: |Verification code: |") != 0)
		fail_msg("prompts: %s", without.prompts);
	with.answers[0] = code;
	with.answers[1] = verification;
	login(&with, "ada");
	dialog_expect(&with, PAM_SUCCESS, "authenticator app is set up");
	if (strncmp(with.prompts, "Invitation code: |Verification code: |" NAME_PROMPT "|",
		    strlen("Invitation code: |Verification code: |" NAME_PROMPT "|")) != 0)
		fail_msg("prompts: %s", with.prompts);
}

static void used_invitation_refused(void **state)
{
	struct fixture *f = *state;
	struct dialog dl = { 0 };
	struct dialog again = { .answers = { NULL } };
	char code[CODE_MAX];

	add_ada(f, "ada");
	invite(f, "ada", code, NULL);
	register_with(f, "ada", code, &dl);
	again.answers[0] = code;
	login(&again, "ada");
	dialog_expect(&again, PAM_AUTH_ERR, "This invitation has already been used");
}

static void access_code_accepted_at_the_invitation_prompt(void **state)
{
	struct fixture *f = *state;
	struct dialog dl = { .answers = { NULL, "ada", PASSWORD, PASSWORD, "@TOTP" } };
	char code[CODE_MAX], access[32];

	add_ada(f, "ada");
	invite(f, "ada", code, NULL);
	assert_int_equal(harness_code_issue(&f->d, "ada", 0, access, NULL), 0);
	dl.answers[0] = access;
	login(&dl, "ada");
	dialog_expect(&dl, PAM_SUCCESS, "authenticator app is set up");
	if (strncmp(dl.prompts, "Invitation code: |Confirm your username: |",
		    strlen("Invitation code: |Confirm your username: |")) != 0)
		fail_msg("prompts: %s", dl.prompts);
}

/* ------------------------------------------------------------- fixtures */

static int with_daemon(void **state)
{
	return harness_fixture_start(state, sizeof(struct fixture));
}

/* The service file and the terms of use, before the run: the harness
 * writes onboardd.conf once, and the terms go in it here. */
static int prepare(const char *dir)
{
	char sock[PATH_MAX], terms[PATH_MAX], text[2 * PATH_MAX + 512];
	int r;

	harness_path(sock, sizeof(sock), "onboardd.sock");
	harness_path(terms, sizeof(terms), "terms.txt");
	(void)dir;
	if ((r = harness_write_service("onboard",
				       "auth [success=done ignore=ignore default=die] %s socket=%s "
				       "timeout=10\n"
				       "auth required pam_deny.so\n",
				       harness_module(), sock)) < 0 ||
	    (r = harness_write_file("terms.txt", TERMS_TEXT "\n")) < 0)
		return r;
	snprintf(text, sizeof(text), "terms_file = %s\n", terms);
	return harness_append_file("onboardd.conf", text);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
#define T(t) cmocka_unit_test_setup_teardown(t, with_daemon, harness_fixture_stop)
		T(invitation_then_name_then_terms_then_password_then_enrolment),
		T(name_correction_is_stored),
		T(terms_refused_changes_nothing),
		T(expired_invitation_refused),
		T(revoked_invitation_refused),
		T(superseded_invitation_refused),
		T(invitation_two_sends_old_told_it_was_replaced),
		T(wrong_invitation_code_refused),
		T(verification_code_required_when_configured),
		T(used_invitation_refused),
		T(access_code_accepted_at_the_invitation_prompt),
#undef T
	};

	return DIALOG_MAIN("test_pam_invite", HARNESS_WHY_ROOT, prepare, tests);
}
