/* SPDX-License-Identifier: BSD-3-Clause */
/* Every message and prompt the module passes to the application is
 * within PAM's bound of PAM_MAX_MSG_SIZE (512) bytes with its NUL, in
 * every flow, through the real module and a real onboardd: a LightDM
 * greeter is handed at most 1,024 bytes of a message but told its whole
 * length, and waits for the rest for ever.  And the enrolment a greeter
 * can show: on a graphical service the last message before the app's
 * code prompt is the key in groups of four with issuer and account, and
 * no QR code; a console keeps the QR code. */
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
#include <security/_pam_types.h>

#include "dialog.h"
#include "harness.h"
#include "ob_protocol.h"

#define PASSWORD "Tr0ub4dor&3-horse"
#define NEW_PASSWORD "velvet-Orchid-quay-58"
#define QR_BLOCK "\xe2\x96\x88"
/* liblightdm's MAX_MESSAGE_LENGTH: one message from LightDM to its
 * greeter, which carries every message of one conversation call. */
#define LIGHTDM_MESSAGE_MAX 1024

struct fixture {
	struct harness_daemon d;
};

/* The bound, and that the dialogue said something at all. */
static void expect_bounded(const struct dialog *dl, const char *flow)
{
	if (dl->nmessages == 0)
		fail_msg("%s: nothing was said", flow);
	if (dl->longest + 1 > PAM_MAX_MSG_SIZE)
		fail_msg("%s: a message of %zu bytes (over PAM_MAX_MSG_SIZE %d with its NUL): "
			 "\"%s...\"", flow, dl->longest, PAM_MAX_MSG_SIZE, dl->longest_head);
	/* LightDM sends the messages of one conversation call to its greeter
	 * as one message of at most 1,024 bytes, with a header of 12. */
	if (dl->longest_call + 12 > LIGHTDM_MESSAGE_MAX)
		fail_msg("%s: one conversation call of %zu bytes (LightDM's greeter takes %d)",
			 flow, dl->longest_call + 12, LIGHTDM_MESSAGE_MAX);
}

static void add(struct fixture *f, const char *user)
{
	assert_int_equal(harness_user_add(&f->d, user, "Tom", "Tester"), 0);
}

/* Code login, new password, enrolment: the key into *key. */
static void code_login(struct fixture *f, const char *service, const char *user,
		       bool reset_mfa, struct dialog *dl)
{
	char code[32];

	assert_int_equal(harness_code_issue_ex(&f->d, user, 0, reset_mfa, code, NULL), 0);
	dl->answers[0] = code;
	dl->answers[1] = user;
	dl->answers[2] = NEW_PASSWORD;
	dl->answers[3] = NEW_PASSWORD;
	dl->answers[4] = "@TOTP";
	dialog_run(dl, service, user, PAMTEST_AUTHENTICATE);
	dialog_expect(dl, PAM_SUCCESS, "authenticator app is set up");
	dl->answers[0] = NULL; /* the code's buffer ends here */
}

/* ---------------------------------------------------------------- tests */

static void code_and_enrolment_messages_are_bounded(void **state)
{
	struct fixture *f = *state;
	struct dialog dl = { 0 };

	add(f, "tom");
	code_login(f, "onboard", "tom", false, &dl);
	dialog_expect(&dl, PAM_SUCCESS, QR_BLOCK);
	dialog_expect(&dl, PAM_SUCCESS, "otpauth://totp/");
	expect_bounded(&dl, "code and enrolment");
}

static void enrolled_login_and_its_refusals_are_bounded(void **state)
{
	struct fixture *f = *state;
	struct dialog reg = { 0 };
	struct dialog ok = { .answers = { NEW_PASSWORD, "@TOTP+30" } };
	struct dialog wrong = { .answers = { "not-the-password" } };
	struct dialog bad = { .answers = { NEW_PASSWORD, "000000" } };

	add(f, "ann");
	code_login(f, "onboard", "ann", false, &reg);
	memcpy(ok.key, reg.key, sizeof(ok.key));
	dialog_run(&ok, "onboard", "ann", PAMTEST_AUTHENTICATE);
	dialog_expect(&ok, PAM_SUCCESS, NULL);
	expect_bounded(&ok, "password and authenticator");
	dialog_run(&wrong, "onboard", "ann", PAMTEST_AUTHENTICATE);
	dialog_expect(&wrong, PAM_AUTH_ERR, "Login incorrect");
	expect_bounded(&wrong, "wrong password");
	dialog_run(&bad, "onboard", "ann", PAMTEST_AUTHENTICATE);
	dialog_expect(&bad, PAM_AUTH_ERR, NULL);
	expect_bounded(&bad, "wrong authenticator code");
}

static void lock_and_unfinished_registration_are_bounded(void **state)
{
	struct fixture *f = *state;
	struct dialog unfinished = { .answers = { "whatever-typed" } };
	struct dialog reg = { 0 };

	add(f, "una");
	dialog_run(&unfinished, "onboard", "una", PAMTEST_AUTHENTICATE);
	dialog_expect(&unfinished, PAM_AUTH_ERR, "registration is not finished");
	expect_bounded(&unfinished, "unfinished registration");
	code_login(f, "onboard", "una", false, &reg);
	/* lockout_attempts = 3 (prepare): the fourth is told of the lock. */
	for (int i = 0; i < 4; i++) {
		struct dialog dl = { .answers = { "wrong-password-again" } };

		dialog_run(&dl, "onboard", "una", PAMTEST_AUTHENTICATE);
		expect_bounded(&dl, "failures and the lock");
		if (i == 3)
			dialog_expect(&dl, dl.rv, "Too many failed attempts");
	}
}

static void wrong_enrolment_code_is_bounded(void **state)
{
	struct fixture *f = *state;
	struct dialog dl = { .answers = { NULL, "wes", NEW_PASSWORD, NEW_PASSWORD, "000000",
					  "@TOTP" } };
	char code[32];

	add(f, "wes");
	assert_int_equal(harness_code_issue(&f->d, "wes", 0, code, NULL), 0);
	dl.answers[0] = code;
	dialog_run(&dl, "onboard", "wes", PAMTEST_AUTHENTICATE);
	dialog_expect(&dl, PAM_SUCCESS, "That code is not right");
	expect_bounded(&dl, "wrong code at the enrolment");
}

static void reset_and_new_enrolment_are_bounded(void **state)
{
	struct fixture *f = *state;
	struct dialog first = { 0 }, again = { 0 };

	add(f, "rey");
	code_login(f, "onboard", "rey", false, &first);
	code_login(f, "onboard", "rey", true, &again);
	if (strcmp(first.key, again.key) == 0)
		fail_msg("the reset reused the key");
	expect_bounded(&again, "reset and new enrolment");
}

static void reset_during_a_login_is_bounded(void **state)
{
	struct fixture *f = *state;
	struct dialog reg = { 0 };
	struct dialog dl = { .answers = { NEW_PASSWORD, "@TOTP" },
			     .reset_at = "Password", .reset_user = "ria" };

	add(f, "ria");
	code_login(f, "onboard", "ria", false, &reg);
	dl.daemon = &f->d;
	dialog_run(&dl, "onboard", "ria", PAMTEST_AUTHENTICATE);
	dialog_expect(&dl, PAM_SUCCESS, "authenticator app is set up");
	expect_bounded(&dl, "reset, then the password, then enrolment");
}

static void password_change_is_bounded(void **state)
{
	struct fixture *f = *state;
	struct dialog reg = { 0 };
	struct dialog dl = { .answers = { NEW_PASSWORD, "@TOTP+30", PASSWORD, PASSWORD } };

	add(f, "ava");
	code_login(f, "onboard", "ava", false, &reg);
	memcpy(dl.key, reg.key, sizeof(dl.key));
	dialog_run(&dl, "onboard", "ava", PAMTEST_CHAUTHTOK);
	dialog_expect(&dl, PAM_SUCCESS, "Your password has been changed");
	expect_bounded(&dl, "password change");
}

static void kiosk_is_bounded(void **state)
{
	struct fixture *f = *state;
	struct dialog dl = { .answers = { NULL, "kim", NEW_PASSWORD, NEW_PASSWORD, "@TOTP" } };
	struct dialog nobody = { .answers = { "AAAA-BBBB-CCCC-DDDD" }, .rhost = "kiosk-7" };
	char code[32];

	add(f, "kim");
	assert_int_equal(harness_code_issue(&f->d, "kim", 0, code, NULL), 0);
	dl.answers[0] = code;
	dialog_run(&dl, "kiosk", NULL, PAMTEST_AUTHENTICATE);
	dialog_expect(&dl, PAM_SUCCESS, "authenticator app is set up");
	expect_bounded(&dl, "kiosk");
	dialog_run(&nobody, "kiosk", NULL, PAMTEST_AUTHENTICATE);
	dialog_expect(&nobody, PAM_AUTH_ERR, NULL);
	expect_bounded(&nobody, "kiosk, wrong code");
}

/* The terms of use may be 8 KiB, and a paragraph a line of its own. */
static void invitation_with_long_terms_is_bounded(void **state)
{
	struct fixture *f = *state;
	struct json_object *p = json_object_new_object(), *reply = NULL, *rp = NULL, *c;
	struct dialog dl = { .answers = { NULL, "", "yes", NEW_PASSWORD, NEW_PASSWORD,
					  "@TOTP" } };
	char code[32];

	add(f, "ivy");
	json_object_object_add(p, "username", json_object_new_string("ivy"));
	json_object_object_add(p, "code_to_me", json_object_new_boolean(1));
	assert_int_equal(harness_admin_reply(&f->d, OB_ADMIN_INVITE_SEND, p, &reply, &rp), 0);
	assert_true(json_object_object_get_ex(rp, "code", &c));
	snprintf(code, sizeof(code), "%s", json_object_get_string(c));
	json_object_put(reply);
	dl.answers[0] = code;
	dialog_run(&dl, "onboard", "ivy", PAMTEST_AUTHENTICATE);
	dialog_expect(&dl, PAM_SUCCESS, "authenticator app is set up");
	dialog_expect(&dl, PAM_SUCCESS, "paragraph 39");
	dialog_expect(&dl, PAM_SUCCESS, "the end of the long paragraph.");
	expect_bounded(&dl, "invitation with terms");
}

/* A graphical greeter's service (graphical_services): the key, grouped,
 * with issuer and account, is the last message before the code prompt;
 * no QR code, no URI. */
static void greeter_enrolment_ends_with_the_key(void **state)
{
	struct fixture *f = *state;
	struct dialog dl = { 0 };
	const char *m = dl.before_prompt;

	add(f, "gil");
	code_login(f, "lightdm", "gil", false, &dl);
	expect_bounded(&dl, "greeter enrolment");
	if (strstr(dl.shown, QR_BLOCK) || strstr(dl.shown, "otpauth://"))
		fail_msg("a greeter was shown a QR code or a URI:\n%s", dl.shown);
	if (!strstr(m, "Issuer: onboard-test\n") || !strstr(m, "Account: gil\n") ||
	    !strstr(m, "\nKey: "))
		fail_msg("the last message before the code prompt is not the key with issuer "
			 "and account:\n%s", m);
	/* Groups of four. */
	if (strlen(dl.key) != 32 || !strstr(m, "Key: ") || strstr(m, "Key: ")[9] != ' ')
		fail_msg("the key is not in groups of four: \"%s\"", m);
}

/* Any other service keeps the QR code. */
static void console_enrolment_keeps_the_qr(void **state)
{
	struct fixture *f = *state;
	struct dialog dl = { 0 };

	add(f, "con");
	code_login(f, "onboard", "con", false, &dl);
	dialog_expect(&dl, PAM_SUCCESS, QR_BLOCK);
	dialog_expect(&dl, PAM_SUCCESS, DIALOG_KEY_LINE);
}

/* The module refuses a reply with a longer message (a daemon from before
 * the cut): the application never sees it. */
static void module_refuses_a_message_over_the_bound(void **state)
{
	struct fixture *f = *state;
	struct dialog dl = { .answers = { "anything" } };
	char path[PATH_MAX];
	pid_t fake;

	(void)f;
	fake = harness_fake_start(harness_path(path, sizeof(path), "fake.sock"),
				  FAKE_LONG_MESSAGE);
	assert_true(fake > 0);
	dialog_run(&dl, "onboard-fake", "erin", PAMTEST_AUTHENTICATE);
	harness_fake_stop(fake);
	dialog_expect(&dl, PAM_AUTHINFO_UNAVAIL, NULL);
	if (dl.longest + 1 > PAM_MAX_MSG_SIZE || dl.prompts[0])
		fail_msg("the module passed on a message of %zu bytes (prompts: %s)", dl.longest,
			 dl.prompts);
}

/* -------------------------------------------------------------- set-up */

static int with_daemon(void **state)
{
	return harness_fixture_start(state, sizeof(struct fixture));
}

static int teardown(void **state)
{
	return harness_fixture_stop(state);
}

static int write_terms(void)
{
	char terms[9000] = "", line[200], path[PATH_MAX], conf[PATH_MAX + 32];
	size_t n = 0;

	for (int i = 0; i < 40; i++)
		n += (size_t)snprintf(terms + n, sizeof(terms) - n,
				      "%d. This is paragraph %d of the terms of use, a line of "
				      "about a hundred and fifty bytes, as a site would write "
				      "it.\n", i, i);
	/* One paragraph of 1,500 bytes without a newline. */
	for (int i = 0; i < 15; i++) {
		snprintf(line, sizeof(line), "Sentence %02d of the long paragraph says what "
			 "it says, at length, with no line break. ", i);
		n += (size_t)snprintf(terms + n, sizeof(terms) - n, "%s", line);
	}
	snprintf(terms + n, sizeof(terms) - n, "This is the end of the long paragraph.\n");
	if (harness_write_file("terms.txt", terms) < 0)
		return -EIO;
	harness_path(path, sizeof(path), "terms.txt");
	snprintf(conf, sizeof(conf), "terms_file = %s\n", path);
	return harness_append_file("onboardd.conf", conf);
}

static int prepare(const char *dir)
{
	char sock[PATH_MAX];
	const char *so = harness_module(), *w = harness_wrapper_modules();
	int r;

	(void)dir;
	harness_path(sock, sizeof(sock), "onboardd.sock");
	r = harness_append_file("onboardd.conf", "lockout_attempts = 3\n"
				"totp_issuer = onboard-test\n");
	if (r >= 0)
		r = write_terms();
	if (r >= 0)
		r = harness_write_service("onboard",
					  "auth [default=ignore] %s/pam_set_items.so\n"
					  "auth [success=done ignore=ignore default=die] %s socket=%s "
					  "timeout=10\n"
					  "auth required pam_deny.so\n"
					  "password required %s socket=%s timeout=10\n",
					  w, so, sock, so, sock);
	if (r >= 0) {
		char fake[PATH_MAX];

		harness_path(fake, sizeof(fake), "fake.sock");
		r = harness_write_service("onboard-fake", "auth required %s socket=%s timeout=5\n",
					  so, fake);
	}
	/* The name of LightDM's own stack: a graphical greeter. */
	if (r >= 0)
		r = harness_write_service("lightdm",
					  "auth [success=done ignore=ignore default=die] %s socket=%s "
					  "timeout=10\n"
					  "auth required pam_deny.so\n",
					  so, sock);
	if (r >= 0)
		r = harness_write_service("kiosk",
					  "auth [default=ignore] %s/pam_set_items.so\n"
					  "auth [success=done ignore=ignore default=die] %s socket=%s "
					  "timeout=10 kiosk\n"
					  "auth required pam_deny.so\n",
					  w, so, sock);
	return r;
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
#define T(t) cmocka_unit_test_setup_teardown(t, with_daemon, teardown)
		T(code_and_enrolment_messages_are_bounded),
		T(enrolled_login_and_its_refusals_are_bounded),
		T(lock_and_unfinished_registration_are_bounded),
		T(wrong_enrolment_code_is_bounded),
		T(reset_and_new_enrolment_are_bounded),
		T(reset_during_a_login_is_bounded),
		T(password_change_is_bounded),
		T(kiosk_is_bounded),
		T(invitation_with_long_terms_is_bounded),
		T(greeter_enrolment_ends_with_the_key),
		T(console_enrolment_keeps_the_qr),
		T(module_refuses_a_message_over_the_bound),
#undef T
	};

	return DIALOG_MAIN("test_pam_messages", HARNESS_WHY_ROOT, prepare, tests);
}
