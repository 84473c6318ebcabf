/* SPDX-License-Identifier: BSD-3-Clause */
/* The second factor through the real module and a real onboardd: an
 * authenticator app is enrolled during login, after the first password
 * and never before it; later logins ask for password and code; codes are
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
#include "ob_protocol.h"

#define PASSWORD "Tr0ub4dor&3-horse"
#define PASSWORD2 "another-Good-pass-9"

struct fixture {
	struct harness_daemon d;
};







static void run(struct dialog *dl, const char *user, enum pamtest_ops op)
{
	dialog_run(dl, "onboard", user, op);
}

static void login(struct dialog *dl, const char *user)
{
	run(dl, user, PAMTEST_AUTHENTICATE);
}


static void add_person(struct fixture *f, const char *user)
{
	assert_int_equal(harness_user_add(&f->d, user, "Tom", "Tester"), 0);
}

/* What the administrator sees as the person's state. */
static void expect_state(struct fixture *f, const char *user, const char *want)
{
	struct json_object *p = json_object_new_object(), *reply = NULL, *rp = NULL, *person, *st;

	json_object_object_add(p, "username", json_object_new_string(user));
	assert_int_equal(harness_admin_reply(&f->d, OB_ADMIN_USER_SHOW, p, &reply, &rp), 0);
	if (!json_object_object_get_ex(rp, "person", &person) ||
	    !json_object_object_get_ex(person, "state", &st) ||
	    strcmp(json_object_get_string(st), want) != 0)
		fail_msg("%s's state is not %s: %s", user, want, json_object_to_json_string(rp));
	json_object_put(reply);
}

/* After a reset, the login took the password and went on to enrol a new
 * authenticator, with a key other than oldkey. */
static void expect_enrolled_afresh(const struct dialog *dl, const char *oldkey)
{
	dialog_expect(dl, PAM_SUCCESS, "authenticator app is set up");
	if (strcmp(dl->prompts, "Password: |Code shown by the app: |") != 0)
		fail_msg("prompts: %s", dl->prompts);
	if (strcmp(oldkey, dl->key) == 0)
		fail_msg("the new enrolment reused the old key");
}

/* Register user with a code and enrol an authenticator; key gets it. */
static void register_and_enrol(struct fixture *f, const char *user, char key[80])
{
	struct dialog dl = { .answers = { NULL, user, PASSWORD, PASSWORD, "@TOTP" } };
	char code[32];

	assert_int_equal(harness_code_issue(&f->d, user, 0, code, NULL), 0);
	dl.answers[0] = code;
	login(&dl, user);
	dialog_expect(&dl, PAM_SUCCESS, "authenticator app is set up");
	memcpy(key, dl.key, sizeof(dl.key));
}

/* ---------------------------------------------------------------- tests */

static void enrolment_follows_the_first_password_never_precedes_it(void **state)
{
	struct fixture *f = *state;
	struct dialog dl = { .answers = { NULL, "tom", PASSWORD, PASSWORD, "@TOTP" } };
	char code[32];

	add_person(f, "tom");
	assert_int_equal(harness_code_issue(&f->d, "tom", 0, code, NULL), 0);
	dl.answers[0] = code;
	login(&dl, "tom");
	dialog_expect(&dl, PAM_SUCCESS, "authenticator app is set up");
	/* Order: code, username, password twice, then the app's code. */
	if (strcmp(dl.prompts, "Access code: |Confirm your username: |New password: |"
			       "Repeat new password: |Code shown by the app: |") != 0)
		fail_msg("prompts in the wrong order: %s", dl.prompts);
	dialog_expect(&dl, PAM_SUCCESS, "otpauth://totp/");
	dialog_expect(&dl, PAM_SUCCESS, "\xe2\x96\x88"); /* the QR code's blocks */
	dialog_expect(&dl, PAM_SUCCESS, DIALOG_KEY_LINE);
}

static void person_without_password_is_never_asked_for_a_code(void **state)
{
	struct fixture *f = *state;
	struct dialog dl = { .answers = { "123456", "123456" } };

	add_person(f, "una");
	login(&dl, "una");
	dialog_expect(&dl, PAM_AUTH_ERR, "registration is not finished");
	if (strstr(dl.prompts, "Authenticator") || strstr(dl.prompts, "app"))
		fail_msg("a person without a password was asked for an MFA code: %s", dl.prompts);
}

static void active_login_takes_password_then_authenticator_code(void **state)
{
	struct fixture *f = *state;
	struct dialog dl = { .answers = { PASSWORD, "@TOTP+30" } };

	add_person(f, "ann");
	register_and_enrol(f, "ann", dl.key);
	login(&dl, "ann");
	dialog_expect(&dl, PAM_SUCCESS, NULL);
	if (strcmp(dl.prompts, "Password: |Authenticator code: |") != 0)
		fail_msg("prompts: %s", dl.prompts);
}

static void replayed_code_refused(void **state)
{
	struct fixture *f = *state;
	struct dialog first = { .answers = { PASSWORD, "@TOTP+30" } };
	struct dialog again = { .answers = { PASSWORD, NULL } };

	add_person(f, "rex");
	register_and_enrol(f, "rex", first.key);
	login(&first, "rex");
	dialog_expect(&first, PAM_SUCCESS, NULL);
	again.answers[1] = first.last_code;
	login(&again, "rex");
	dialog_expect(&again, PAM_AUTH_ERR, "already been used");
}

static void wrong_and_out_of_window_codes_refused(void **state)
{
	struct fixture *f = *state;
	struct dialog late = { .answers = { PASSWORD, "@TOTP+3600" } };
	struct dialog old = { .answers = { PASSWORD, "@TOTP-120" } };
	struct dialog bad = { .answers = { PASSWORD, "12345" } };
	struct dialog wrongpw = { .answers = { "not-the-password", "@TOTP" } };

	add_person(f, "wim");
	register_and_enrol(f, "wim", late.key);
	memcpy(old.key, late.key, sizeof(old.key));
	memcpy(wrongpw.key, late.key, sizeof(wrongpw.key));
	login(&late, "wim");
	dialog_expect(&late, PAM_AUTH_ERR, "Login incorrect");
	login(&old, "wim");
	dialog_expect(&old, PAM_AUTH_ERR, "Login incorrect");
	login(&bad, "wim");
	dialog_expect(&bad, PAM_AUTH_ERR, "Login incorrect");
	/* A wrong password ends it before any authenticator prompt. */
	login(&wrongpw, "wim");
	dialog_expect(&wrongpw, PAM_AUTH_ERR, "Login incorrect");
	if (strstr(wrongpw.prompts, "Authenticator"))
		fail_msg("asked for a code after a wrong password: %s", wrongpw.prompts);
}

static void stopping_after_the_password_resumes_at_enrolment(void **state)
{
	struct fixture *f = *state;
	struct dialog first = { .answers = { NULL, "ida", PASSWORD, PASSWORD, "@TOTP+3600",
					     "@TOTP+3600", "@TOTP+3600" } };
	struct dialog resume = { .answers = { PASSWORD, "@TOTP" } };
	struct dialog acct = { .answers = { NULL } }, acct2 = { .answers = { NULL } };
	char code[32];

	add_person(f, "ida");
	assert_int_equal(harness_code_issue(&f->d, "ida", 0, code, NULL), 0);
	first.answers[0] = code;
	login(&first, "ida");
	dialog_expect(&first, PAM_AUTH_ERR, "was not set up");
	expect_state(f, "ida", "password_set");
	/* Nor may she in by a way onboard's auth does not see (an ssh key):
	 * the account phase stops her too. */
	run(&acct, "ida", PAMTEST_ACCOUNT);
	dialog_expect(&acct, PAM_PERM_DENIED, "set up your authenticator app");
	/* Next time: password, then straight to enrolment, never an MFA prompt. */
	login(&resume, "ida");
	dialog_expect(&resume, PAM_SUCCESS, "authenticator app is set up");
	if (strcmp(resume.prompts, "Password: |Code shown by the app: |") != 0)
		fail_msg("prompts: %s", resume.prompts);
	if (strcmp(first.key, resume.key) == 0)
		fail_msg("the second enrolment showed the same key as the abandoned one");
	expect_state(f, "ida", "active");
	run(&acct2, "ida", PAMTEST_ACCOUNT);
	dialog_expect(&acct2, PAM_SUCCESS, NULL);
}

static void mfa_reset_makes_the_person_enrol_again(void **state)
{
	struct fixture *f = *state;
	struct dialog dl = { .answers = { PASSWORD, "@TOTP" } };
	struct json_object *p = json_object_new_object();
	char oldkey[80];

	add_person(f, "max");
	register_and_enrol(f, "max", oldkey);
	json_object_object_add(p, "username", json_object_new_string("max"));
	assert_int_equal(harness_admin_call(&f->d, OB_ADMIN_MFA_RESET, p), 0);
	login(&dl, "max");
	expect_enrolled_afresh(&dl, oldkey);
}

/* An authenticator reset while a login is open no longer works in it:
 * the code is checked against the person as they are when it arrives. */
static void authenticator_reset_during_a_login_is_not_accepted(void **state)
{
	struct fixture *f = *state;
	struct dialog dl = { .answers = { PASSWORD, "@TOTP+30" }, .reset_at = "Authenticator",
			     .reset_user = "ron" };

	add_person(f, "ron");
	register_and_enrol(f, "ron", dl.key);
	dl.daemon = &f->d;
	login(&dl, "ron");
	dialog_expect(&dl, PAM_AUTH_ERR, "changed during this login");
}

/* Reset while the login waits at "Password:": the password is checked
 * against the person as they are then, so the old authenticator is
 * gone and the login goes on to enrol a new one. */
static void authenticator_reset_before_the_password_leads_to_enrolment(void **state)
{
	struct fixture *f = *state;
	/* The code answered is the new app's, from the key the enrolment
	 * shows (dialog.c keeps it). */
	struct dialog dl = { .answers = { PASSWORD, "@TOTP" }, .reset_at = "Password",
			     .reset_user = "rut" };
	char oldkey[80];

	add_person(f, "rut");
	register_and_enrol(f, "rut", oldkey);
	dl.daemon = &f->d;
	login(&dl, "rut");
	/* After the reset at "Password:", the password still works, and the
	 * login goes on to enrol a new authenticator, not to the old one. */
	if (strstr(dl.prompts, "Authenticator code"))
		fail_msg("the reset authenticator was still asked for: %s", dl.prompts);
	expect_enrolled_afresh(&dl, oldkey);
}

static void code_never_bypasses_an_enrolled_authenticator(void **state)
{
	struct fixture *f = *state;
	struct dialog dl = { .answers = { NULL, "cid", PASSWORD2, PASSWORD2, "@TOTP+30" } };
	char code[32];

	add_person(f, "cid");
	register_and_enrol(f, "cid", dl.key);
	assert_int_equal(harness_code_issue(&f->d, "cid", 0, code, NULL), 0);
	dl.answers[0] = code;
	login(&dl, "cid");
	dialog_expect(&dl, PAM_SUCCESS, NULL);
	if (!strstr(dl.prompts, "Repeat new password: |Authenticator code: |"))
		fail_msg("the code login did not ask for the authenticator: %s", dl.prompts);
}

/* With an authenticator enrolled, an access code (not a reset code)
 * changes nothing until the authenticator's code is right: a wrong one
 * leaves the old password in place and the code unspent. */
static void code_login_changes_nothing_without_the_authenticator(void **state)
{
	struct fixture *f = *state;
	struct dialog bad = { .answers = { NULL, "kim", PASSWORD2, PASSWORD2, "@TOTP+3600" } };
	/* A right password is what brings the authenticator prompt. */
	struct dialog old = { .answers = { PASSWORD, "@TOTP+3600" } };
	struct dialog again = { .answers = { NULL, "kim", PASSWORD2, PASSWORD2, "@TOTP+30" } };
	char code[32];

	add_person(f, "kim");
	register_and_enrol(f, "kim", bad.key);
	memcpy(old.key, bad.key, sizeof(old.key));
	memcpy(again.key, bad.key, sizeof(again.key));
	assert_int_equal(harness_code_issue(&f->d, "kim", 0, code, NULL), 0);
	bad.answers[0] = code;
	again.answers[0] = code;
	login(&bad, "kim");
	dialog_expect(&bad, PAM_AUTH_ERR, "Login incorrect");
	login(&old, "kim");
	if (strcmp(old.prompts, "Password or access code: |Authenticator code: |") != 0)
		fail_msg("the old password no longer works: %s", old.prompts);
	/* The code is still good, and with the right authenticator code it
	 * sets the new password. */
	login(&again, "kim");
	dialog_expect(&again, PAM_SUCCESS, "Your new password is set");
}

static void code_with_reset_mfa_leads_to_enrolment(void **state)
{
	struct fixture *f = *state;
	struct dialog dl = { .answers = { NULL, "rea", PASSWORD2, PASSWORD2, "@TOTP" } };
	char code[32], oldkey[80];

	add_person(f, "rea");
	register_and_enrol(f, "rea", oldkey);
	assert_int_equal(harness_code_issue_ex(&f->d, "rea", 0, true, code, NULL), 0);
	dl.answers[0] = code;
	login(&dl, "rea");
	dialog_expect(&dl, PAM_SUCCESS, "authenticator app is set up");
	if (!strstr(dl.prompts, "Repeat new password: |Code shown by the app: |"))
		fail_msg("the reset code did not lead to enrolment: %s", dl.prompts);
}

/* ------------------------------------------------------------- fixtures */

/* harness_fixture_stop puts the configuration back as the harness wrote
 * it, for a test that changes it. */
static int with_daemon_conf_saved(void **state)
{
	if (!harness_conf_save())
		return -1;
	return harness_fixture_start(state, sizeof(struct fixture));
}

/* The authenticator's algorithm and digits are the person's, from their
 * enrolment: a change in onboardd.conf applies to new enrolments only. */
static void config_change_applies_to_new_enrolments_only(void **state)
{
	struct fixture *f = *state;
	struct dialog old = { .answers = { PASSWORD, "@TOTP+30" } };
	struct dialog fresh = { .answers = { NULL, "nia", PASSWORD, PASSWORD, "@TOTP" },
				.oath_opts = "--totp=sha256 --digits=8" };
	struct dialog again = { .answers = { PASSWORD, "@TOTP+30" },
				.oath_opts = "--totp=sha256 --digits=8" };
	char code[32];

	/* Enrolled under the defaults: sha1, 6 digits. */
	add_person(f, "ola");
	register_and_enrol(f, "ola", old.key);
	assert_int_equal(harness_append_file("onboardd.conf",
					     "totp_algorithm = sha256\ntotp_digits = 8\n"), 0);
	assert_int_equal(harness_daemon_restart(&f->d, ""), 0);
	/* Her app still makes sha1 codes of 6 digits, and they still work. */
	login(&old, "ola");
	dialog_expect(&old, PAM_SUCCESS, NULL);
	if (strlen(old.last_code) != 6)
		fail_msg("the old app's code is not 6 digits: %s", old.last_code);
	/* A new enrolment gets the new parameters, and keeps them. */
	add_person(f, "nia");
	assert_int_equal(harness_code_issue(&f->d, "nia", 0, code, NULL), 0);
	fresh.answers[0] = code;
	login(&fresh, "nia");
	dialog_expect(&fresh, PAM_SUCCESS, "authenticator app is set up");
	dialog_expect(&fresh, PAM_SUCCESS, "algorithm=SHA256&digits=8");
	memcpy(again.key, fresh.key, sizeof(again.key));
	login(&again, "nia");
	dialog_expect(&again, PAM_SUCCESS, NULL);
	if (strlen(again.last_code) != 8)
		fail_msg("the new app's code is not 8 digits: %s", again.last_code);
}

static int with_daemon(void **state)
{
	return harness_fixture_start(state, sizeof(struct fixture));
}

static int prepare(const char *dir)
{
	char sock[PATH_MAX];

	harness_path(sock, sizeof(sock), "onboardd.sock");
	(void)dir;
	return harness_write_service(
		"onboard",
		"auth [success=done ignore=ignore default=die] %s socket=%s timeout=10\n"
		"auth required pam_deny.so\n"
		"account [success=done ignore=ignore default=bad] %s socket=%s timeout=10\n"
		"account required pam_deny.so\n",
		harness_module(), sock, harness_module(), sock);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
#define T(t) cmocka_unit_test_setup_teardown(t, with_daemon, harness_fixture_stop)
		T(enrolment_follows_the_first_password_never_precedes_it),
		T(person_without_password_is_never_asked_for_a_code),
		T(active_login_takes_password_then_authenticator_code),
		T(replayed_code_refused),
		T(wrong_and_out_of_window_codes_refused),
		T(stopping_after_the_password_resumes_at_enrolment),
		T(mfa_reset_makes_the_person_enrol_again),
		T(authenticator_reset_during_a_login_is_not_accepted),
		T(authenticator_reset_before_the_password_leads_to_enrolment),
		T(code_never_bypasses_an_enrolled_authenticator),
		T(code_login_changes_nothing_without_the_authenticator),
		T(code_with_reset_mfa_leads_to_enrolment),
#undef T
		cmocka_unit_test_setup_teardown(config_change_applies_to_new_enrolments_only,
						with_daemon_conf_saved, harness_fixture_stop),
	};

	return DIALOG_MAIN("test_pam_mfa", HARNESS_WHY_ROOT, prepare, tests);
}
