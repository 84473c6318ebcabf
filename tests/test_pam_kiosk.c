/* SPDX-License-Identifier: BSD-3-Clause */
/* Kiosk mode through the real module and a real onboardd
 * (pam_onboard.so kiosk): when the application names nobody, one prompt
 * takes a username or an access code.  A username goes on as that
 * person's login; a code finds its holder, who confirms the username and
 * goes on as in a code login (new password, then the authenticator); the
 * module sets PAM_USER only after a success (or, for a name onboard does
 * not know, hands it to the rest of the stack).  Code guesses are
 * throttled per source.  Stand-in daemons show what the module sends and
 * that it takes a name from the daemon only in kiosk mode and never
 * root's. */
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

#define PASSWORD "Tr0ub4dor&3-horse"
#define PASSWORD2 "another-Good-pass-9"
/* A code of the right shape that nobody holds (codes are drawn at
 * random: the chance that this one is issued is nil). */
#define WRONG_CODE "ZZZZ-YYYY-XXXX-WWWW"
/* lockout_attempts in this test's onboardd.conf: the 4th wrong code
 * from one source locks it (the growing waits before are in
 * test_policy and test_throttle, where the clock is the test's). */
#define ATTEMPTS 4

struct fixture {
	struct harness_daemon d;
	pid_t fake;
};

/* ------------------------------------------------------------- helpers */

static void kiosk(struct dialog *dl)
{
	dialog_run(dl, "kiosk", NULL, PAMTEST_AUTHENTICATE);
}

static void expect_user(const struct dialog *dl, const char *want)
{
	if (strcmp(dl->user_out, want) != 0)
		fail_msg("PAM_USER is \"%s\", want \"%s\"\nprompts: %s\nshown:\n%s", dl->user_out,
			 want, dl->prompts, dl->shown);
}

static void expect_not_asked(const struct dialog *dl, const char *fragment)
{
	if (strstr(dl->prompts, fragment) || strstr(dl->shown, fragment))
		fail_msg("\"%s\" was shown or asked\nprompts: %s\nshown:\n%s", fragment, dl->prompts,
			 dl->shown);
}

static void issue(struct fixture *f, const char *user, char code[32])
{
	assert_int_equal(harness_code_issue(&f->d, user, 0, code, NULL), 0);
}

/* Add user, register them with an access code through their own login
 * (password and authenticator); key gets the authenticator's key. */
static void registered(struct fixture *f, const char *user, char key[80])
{
	struct dialog dl = { .answers = { NULL, user, PASSWORD, PASSWORD, "@TOTP" } };
	char code[32];

	assert_int_equal(harness_user_add(&f->d, user, "Kim", "Kiosk"), 0);
	issue(f, user, code);
	dl.answers[0] = code;
	dialog_run(&dl, "kiosk", user, PAMTEST_AUTHENTICATE);
	dialog_expect(&dl, PAM_SUCCESS, "authenticator app is set up");
	memcpy(key, dl.key, sizeof(dl.key));
}

/* A kiosk login of the holder of code from rhost: the code, the
 * username, a new password twice, the authenticator's set-up. */
static void code_login_from(struct dialog *dl, const char *code, const char *user,
			    const char *rhost, const char *tty)
{
	memset(dl, 0, sizeof(*dl));
	dl->answers[0] = code;
	dl->answers[1] = user;
	dl->answers[2] = PASSWORD;
	dl->answers[3] = PASSWORD;
	dl->answers[4] = "@TOTP";
	dl->rhost = rhost;
	dl->tty = tty;
	kiosk(dl);
}

static void code_login(struct dialog *dl, const char *code, const char *user,
		       const char *rhost)
{
	code_login_from(dl, code, user, rhost, NULL);
}

/* Reads DIR/fake.log, where the stand-in records each dialogue. */
static void read_fake_log(char *buf, size_t size)
{
	(void)harness_read_file("fake.log", buf, size);
}

/* --------------------------------------------------- the real daemon */

static void kiosk_asks_for_a_username_or_an_access_code(void **state)
{
	struct dialog dl = { 0 };

	(void)state;
	kiosk(&dl);
	/* No answer given: the conversation fails at the first prompt. */
	if (strcmp(dl.prompts, "Username or access code: |") != 0)
		fail_msg("the kiosk asked \"%s\"", dl.prompts);
	assert_int_not_equal(dl.rv, PAM_SUCCESS);
	/* libpam's own "login:" prompt was not used. */
	expect_not_asked(&dl, "login:");
}

static void kiosk_username_goes_on_as_that_persons_login(void **state)
{
	struct fixture *f = *state;
	struct dialog dl = { .answers = { "kim", PASSWORD, "@TOTP+30" } };
	char key[80];

	registered(f, "kim", key);
	memcpy(dl.key, key, sizeof(dl.key));
	kiosk(&dl);
	dialog_expect(&dl, PAM_SUCCESS, "Password: ");
	expect_user(&dl, "kim");
}

static void kiosk_username_with_a_wrong_password_names_nobody(void **state)
{
	struct fixture *f = *state;
	struct dialog dl = { .answers = { "kim", "not-the-password" } };
	char key[80];

	registered(f, "kim", key);
	kiosk(&dl);
	dialog_expect(&dl, PAM_AUTH_ERR, "Login incorrect.");
	expect_user(&dl, "");
}

static void kiosk_access_code_finds_its_holder_who_registers(void **state)
{
	struct fixture *f = *state;
	struct dialog dl, again = { .answers = { "cleo", PASSWORD, "@TOTP+30" } };
	char code[32];

	assert_int_equal(harness_user_add(&f->d, "cleo", "Cleo", "Code"), 0);
	issue(f, "cleo", code);
	code_login(&dl, code, "cleo", NULL);
	dialog_expect(&dl, PAM_SUCCESS, "Access code accepted.");
	dialog_expect(&dl, PAM_SUCCESS, "Confirm your username: ");
	dialog_expect(&dl, PAM_SUCCESS, "New password: ");
	dialog_expect(&dl, PAM_SUCCESS, "authenticator app is set up");
	expect_user(&dl, "cleo");
	/* The password is hers now, with the authenticator, at the kiosk. */
	memcpy(again.key, dl.key, sizeof(again.key));
	kiosk(&again);
	dialog_expect(&again, PAM_SUCCESS, NULL);
	expect_user(&again, "cleo");
	/* And the code is spent. */
	code_login(&dl, code, "cleo", NULL);
	dialog_expect(&dl, PAM_AUTH_ERR, "Login incorrect.");
	expect_not_asked(&dl, "Confirm your username");
}

static void kiosk_code_typed_in_lower_case_with_spaces_works(void **state)
{
	struct fixture *f = *state;
	struct dialog dl;
	char code[32], typed[40];
	size_t n = 0;

	assert_int_equal(harness_user_add(&f->d, "cleo", "Cleo", "Code"), 0);
	issue(f, "cleo", code);
	for (const char *p = code; *p && n + 2 < sizeof(typed); p++)
		typed[n++] = *p == '-' ? ' ' : (char)(*p - 'A' + 'a');
	typed[n] = '\0';
	code_login(&dl, typed, "cleo", NULL);
	dialog_expect(&dl, PAM_SUCCESS, "authenticator app is set up");
	expect_user(&dl, "cleo");
}

static void kiosk_code_never_skips_an_enrolled_authenticator(void **state)
{
	struct fixture *f = *state;
	struct dialog dl = { 0 };
	char key[80], code[32];

	registered(f, "kim", key);
	issue(f, "kim", code);
	dl.answers[0] = code;
	dl.answers[1] = "kim";
	dl.answers[2] = PASSWORD2;
	dl.answers[3] = PASSWORD2;
	dl.answers[4] = "@TOTP+30";
	memcpy(dl.key, key, sizeof(dl.key));
	kiosk(&dl);
	dialog_expect(&dl, PAM_SUCCESS, "Confirm your username: ");
	dialog_expect(&dl, PAM_SUCCESS, "New password: ");
	/* The app's code was asked, no new app was set up. */
	dialog_expect(&dl, PAM_SUCCESS, "Authenticator code: ");
	expect_not_asked(&dl, "scan this QR code");
	expect_user(&dl, "kim");
}

static void kiosk_wrong_code_is_login_incorrect(void **state)
{
	struct dialog dl = { .answers = { WRONG_CODE } };

	(void)state;
	kiosk(&dl);
	dialog_expect(&dl, PAM_AUTH_ERR, "Login incorrect.");
	expect_not_asked(&dl, "Confirm your username");
	/* Neither a code nor a username: the same words. */
	memset(&dl, 0, sizeof(dl));
	dl.answers[0] = "no such thing!";
	kiosk(&dl);
	dialog_expect(&dl, PAM_AUTH_ERR, "Login incorrect.");
}

static void kiosk_code_confirmed_with_a_wrong_username_stays_valid(void **state)
{
	struct fixture *f = *state;
	struct dialog dl = { 0 };
	char code[32];

	assert_int_equal(harness_user_add(&f->d, "cleo", "Cleo", "Code"), 0);
	issue(f, "cleo", code);
	dl.answers[0] = code;
	dl.answers[1] = "kim";
	kiosk(&dl);
	dialog_expect(&dl, PAM_AUTH_ERR, "does not match");
	dialog_expect(&dl, PAM_AUTH_ERR, "still valid");
	expect_not_asked(&dl, "New password");
	code_login(&dl, code, "cleo", NULL);
	dialog_expect(&dl, PAM_SUCCESS, "authenticator app is set up");
	expect_user(&dl, "cleo");
}

static void kiosk_name_onboard_does_not_know_goes_to_the_rest_of_the_stack(void **state)
{
	struct dialog dl = { .answers = { "bob" } };

	(void)state;
	/* The stack's next line (pam_succeed_if, standing in for pam_unix)
	 * lets bob and root in: the name reached it as PAM_USER. */
	kiosk(&dl);
	dialog_expect(&dl, PAM_SUCCESS, NULL);
	expect_user(&dl, "bob");
	memset(&dl, 0, sizeof(dl));
	dl.answers[0] = "root";
	kiosk(&dl);
	dialog_expect(&dl, PAM_SUCCESS, NULL);
	expect_user(&dl, "root");
	/* Anyone else the rest of the stack refuses: pam_deny. */
	memset(&dl, 0, sizeof(dl));
	dl.answers[0] = "nobody-here";
	kiosk(&dl);
	dialog_expect(&dl, PAM_AUTH_ERR, NULL);
}

static void kiosk_code_guesses_are_throttled_per_source(void **state)
{
	struct fixture *f = *state;
	struct dialog dl;
	char code[32], dora[32], ella[32];

	assert_int_equal(harness_user_add(&f->d, "cleo", "Cleo", "Code"), 0);
	assert_int_equal(harness_user_add(&f->d, "dora", "Dora", "Code"), 0);
	assert_int_equal(harness_user_add(&f->d, "ella", "Ella", "Code"), 0);
	issue(f, "cleo", code);
	issue(f, "dora", dora);
	issue(f, "ella", ella);
	for (int i = 1; i <= ATTEMPTS; i++) {
		memset(&dl, 0, sizeof(dl));
		dl.answers[0] = WRONG_CODE;
		dl.rhost = "198.51.100.7";
		kiosk(&dl);
		dialog_expect(&dl, i < ATTEMPTS ? PAM_AUTH_ERR : PAM_MAXTRIES, "Login incorrect.");
		if (i < ATTEMPTS)
			expect_not_asked(&dl, "Too many attempts");
	}
	dialog_expect(&dl, PAM_MAXTRIES, "Too many attempts from here: try again in 15 minutes.");
	/* The lock is in the audit log, with the source and never a code. */
	{
		struct json_object *reply = NULL, *rp = NULL;
		const char *text;

		assert_int_equal(harness_admin_reply(&f->d, OB_ADMIN_AUDIT, json_object_new_object(),
						     &reply, &rp),
				 0);
		text = json_object_to_json_string(rp);
		if (!strstr(text, "kiosk.source_lock") || !strstr(text, "rhost 198.51.100.7"))
			fail_msg("no audit event of the source lock: %s", text);
		if (strstr(text, WRONG_CODE))
			fail_msg("a typed code is in the audit log: %s", text);
		json_object_put(reply);
	}
	/* The right code from there is refused unread. */
	code_login(&dl, code, "cleo", "198.51.100.7");
	dialog_expect(&dl, PAM_MAXTRIES, "Too many attempts from here: try again in");
	expect_not_asked(&dl, "Confirm your username");
	/* A username from there is not a code guess: its own login. */
	memset(&dl, 0, sizeof(dl));
	dl.answers[0] = "bob";
	dl.rhost = "198.51.100.7";
	kiosk(&dl);
	dialog_expect(&dl, PAM_SUCCESS, NULL);
	/* Another host, and a terminal without a host, are other sources. */
	code_login(&dl, dora, "dora", "198.51.100.8");
	dialog_expect(&dl, PAM_SUCCESS, "authenticator app is set up");
	expect_user(&dl, "dora");
	code_login_from(&dl, ella, "ella", NULL, "tty3");
	dialog_expect(&dl, PAM_SUCCESS, "authenticator app is set up");
	expect_user(&dl, "ella");
	/* An administrator lifts the source's lock: the right code works. */
	{
		struct json_object *p = json_object_new_object();

		json_object_object_add(p, "source", json_object_new_string("rhost=198.51.100.7"));
		assert_int_equal(harness_admin_call(&f->d, OB_ADMIN_SOURCE_UNLOCK, p), 0);
	}
	code_login(&dl, code, "cleo", "198.51.100.7");
	dialog_expect(&dl, PAM_SUCCESS, "authenticator app is set up");
	expect_user(&dl, "cleo");
}

/* The finding (issue 9.6): 1,100 rotating remote hosts guessed codes
 * without end, the table of 1,024 sources forgetting the oldest.  Now,
 * with the table full of sources that still count, the wrong codes of
 * new sources count together: ATTEMPTS of them lock every source the
 * table does not hold, one never seen too, even for a right code. */
static void kiosk_sources_beyond_the_table_are_locked_together(void **state)
{
	struct fixture *f = *state;
	struct dialog dl;
	char code[32], host[32];

	assert_int_equal(harness_user_add(&f->d, "nina", "Nina", "Code"), 0);
	issue(f, "nina", code);
	for (int i = 0; i < 1024 + ATTEMPTS; i++) {
		memset(&dl, 0, sizeof(dl));
		dl.answers[0] = WRONG_CODE;
		snprintf(host, sizeof(host), "10.%d.%d.1", i / 256, i % 256);
		dl.rhost = host;
		kiosk(&dl);
		if (i < 1024 + ATTEMPTS - 1) {
			dialog_expect(&dl, PAM_AUTH_ERR, "Login incorrect.");
		} else {
			dialog_expect(&dl, PAM_MAXTRIES, "Too many attempts from here");
		}
	}
	code_login(&dl, code, "nina", "10.99.99.99");
	dialog_expect(&dl, PAM_MAXTRIES, "Too many attempts from here: try again in");
	expect_not_asked(&dl, "Confirm your username");
}

static void kiosk_with_the_daemon_down_still_lets_root_in(void **state)
{
	struct fixture *f = *state;
	struct dialog dl = { .answers = { "root" } };

	assert_int_equal(harness_daemon_stop(&f->d), 0);
	/* Told why, then asked the name as any login asks it. */
	kiosk(&dl);
	dialog_expect(&dl, PAM_SUCCESS, "The login service is not available right now.");
	if (strncmp(dl.prompts, "login:", 6) != 0)
		fail_msg("the name was not asked with libpam's prompt: %s", dl.prompts);
	expect_user(&dl, "root");
	/* Anyone who may be onboard's is refused, as without a kiosk. */
	memset(&dl, 0, sizeof(dl));
	dl.answers[0] = "kim";
	kiosk(&dl);
	dialog_expect(&dl, PAM_AUTHINFO_UNAVAIL, "not available");
	memset(&dl, 0, sizeof(dl));
	dl.answers[0] = "bob";
	kiosk(&dl);
	dialog_expect(&dl, PAM_AUTHINFO_UNAVAIL, "not available");
}

static void kiosk_with_a_user_from_the_application_is_a_normal_login(void **state)
{
	struct fixture *f = *state;
	struct dialog dl = { .answers = { PASSWORD, "@TOTP+30" } };
	char key[80];

	registered(f, "kim", key);
	memcpy(dl.key, key, sizeof(dl.key));
	dialog_run(&dl, "kiosk", "kim", PAMTEST_AUTHENTICATE);
	dialog_expect(&dl, PAM_SUCCESS, "Password: ");
	expect_not_asked(&dl, "Username or access code");
	expect_user(&dl, "kim");
}

static void module_without_kiosk_and_no_user_asks_pams_own_prompt(void **state)
{
	struct fixture *f = *state;
	struct dialog dl = { .answers = { "kim", PASSWORD, "@TOTP+30" } };
	char key[80];

	registered(f, "kim", key);
	memcpy(dl.key, key, sizeof(dl.key));
	dialog_run(&dl, "plain", NULL, PAMTEST_AUTHENTICATE);
	dialog_expect(&dl, PAM_SUCCESS, "Password: ");
	expect_not_asked(&dl, "Username or access code");
	if (strncmp(dl.prompts, "login:", 6) != 0)
		fail_msg("the first prompt was not libpam's login prompt: %s", dl.prompts);
	expect_user(&dl, "kim");
	/* And an access code typed there is only a username: not ours. */
	memset(&dl, 0, sizeof(dl));
	dl.answers[0] = WRONG_CODE;
	dialog_run(&dl, "plain", NULL, PAMTEST_AUTHENTICATE);
	dialog_expect(&dl, PAM_AUTH_ERR, NULL);
	expect_not_asked(&dl, "Too many attempts");
}

/* ---------------------------------------------------- stand-in daemons */

static void kiosk_module_sends_no_user_and_the_hosts_declarations(void **state)
{
	struct fixture *f = *state;
	struct dialog dl = { .answers = { "s3cret", "grace" } };
	char path[PATH_MAX], record[4096];
	static const char *const want[] = {
		"\"phase\":\"auth\"", "\"kiosk\":true", "\"groups\":[\"clinic-a\",\"clinic-b\"]",
		"\"pool\":\"lab\"", "\"rhost\":\"203.0.113.9\"",
	};

	f->fake = harness_fake_start(harness_path(path, sizeof(path), "fake.sock"), FAKE_ECHO);
	assert_true(f->fake > 0);
	dl.rhost = "203.0.113.9";
	dialog_run(&dl, "kiosk-fake", NULL, PAMTEST_AUTHENTICATE);
	dialog_expect(&dl, PAM_SUCCESS, "fake: hello");
	expect_user(&dl, "grace");
	read_fake_log(record, sizeof(record));
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		if (!strstr(record, want[i]))
			fail_msg("the daemon did not receive %s; it got: %s", want[i], record);
	if (strstr(record, "\"user\""))
		fail_msg("a kiosk login sent a user: %s", record);
}

static void kiosk_module_never_takes_root_or_a_system_account(void **state)
{
	struct fixture *f = *state;
	static const struct {
		const char *name;
		int rv;
	} rows[] = {
		{ "root", PAM_AUTH_ERR },
		{ "daemon", PAM_AUTH_ERR },
		{ "sysuser", PAM_AUTH_ERR },
		/* Not a username at all. */
		{ "Bad Name", PAM_SERVICE_ERR },
		{ "../x", PAM_SERVICE_ERR },
	};
	char path[PATH_MAX];

	f->fake = harness_fake_start(harness_path(path, sizeof(path), "fake.sock"), FAKE_ECHO);
	assert_true(f->fake > 0);
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct dialog dl = { .answers = { "s3cret", rows[i].name } };

		dialog_run(&dl, "kiosk-fake", NULL, PAMTEST_AUTHENTICATE);
		if (dl.rv != rows[i].rv)
			fail_msg("the daemon named \"%s\": %s, want %s", rows[i].name,
				 pam_strerror(NULL, dl.rv), pam_strerror(NULL, rows[i].rv));
		/* Refused, and the name the daemon gave is not left behind. */
		expect_user(&dl, "");
	}
}

static void module_outside_kiosk_keeps_the_applications_user(void **state)
{
	struct fixture *f = *state;
	struct dialog dl = { .answers = { "s3cret", "mallory" } };
	char path[PATH_MAX], record[4096];

	f->fake = harness_fake_start(harness_path(path, sizeof(path), "fake.sock"), FAKE_ECHO);
	assert_true(f->fake > 0);
	dialog_run(&dl, "plain-fake", "erin", PAMTEST_AUTHENTICATE);
	dialog_expect(&dl, PAM_SUCCESS, NULL);
	expect_user(&dl, "erin");
	read_fake_log(record, sizeof(record));
	if (!strstr(record, "\"user\":\"erin\"") || !strstr(record, "\"groups\":[\"clinic-a\"]") ||
	    !strstr(record, "\"pool\":\"lab\"") || strstr(record, "\"kiosk\""))
		fail_msg("the daemon got: %s", record);
}

/* ------------------------------------------------------------- fixtures */

static int with_daemon(void **state)
{
	return harness_fixture_start(state, sizeof(struct fixture));
}

static int with_fake(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	*state = f;
	return f ? 0 : -1;
}

/* The fake daemon (if any), then the real one as every fixture. */
static int teardown(void **state)
{
	struct fixture *f = *state;

	if (f)
		harness_fake_stop(f->fake);
	return harness_fixture_stop(state);
}

/* One stack for the two services on the real daemon: pam_set_items
 * first (its result counts for nothing), onboard, then pam_succeed_if in
 * the place of pam_unix (root and bob get in there), then deny. */
static int write_real(const char *name, const char *options)
{
	char sock[PATH_MAX];
	const char *so = harness_module();

	harness_path(sock, sizeof(sock), "onboardd.sock");
	return harness_write_service(
		name,
		"auth [default=ignore] %s/pam_set_items.so\n"
		"auth [success=done ignore=ignore default=die] %s socket=%s timeout=10%s\n"
		"auth [success=done default=ignore] pam_succeed_if.so quiet user in root:bob\n"
		"auth required pam_deny.so\n"
		"account [success=ok ignore=ignore default=die] %s socket=%s timeout=10%s\n"
		"account required pam_permit.so\n",
		harness_wrapper_modules(), so, sock, options, so, sock, options);
}

/* A stand-in daemon's service: the module alone decides. */
static int write_fake(const char *name, const char *options)
{
	char sock[PATH_MAX];

	harness_path(sock, sizeof(sock), "fake.sock");
	return harness_write_service(name,
				     "auth [default=ignore] %s/pam_set_items.so\n"
				     "auth required %s socket=%s timeout=5 %s\n",
				     harness_wrapper_modules(), harness_module(), sock, options);
}

static int prepare(const char *dir)
{
	int r;

	(void)dir;
	r = harness_append_file("onboardd.conf", "lockout_attempts = 4\n");
	if (r >= 0)
		r = write_real("kiosk", " kiosk");
	if (r >= 0)
		r = write_real("plain", "");
	if (r >= 0)
		r = write_fake("kiosk-fake", "kiosk group=clinic-a group=clinic-b pool=lab debug");
	if (r >= 0)
		r = write_fake("plain-fake", "group=clinic-a pool=lab");
	return r;
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
#define T(t) cmocka_unit_test_setup_teardown(t, with_daemon, teardown)
		T(kiosk_asks_for_a_username_or_an_access_code),
		T(kiosk_username_goes_on_as_that_persons_login),
		T(kiosk_username_with_a_wrong_password_names_nobody),
		T(kiosk_access_code_finds_its_holder_who_registers),
		T(kiosk_code_typed_in_lower_case_with_spaces_works),
		T(kiosk_code_never_skips_an_enrolled_authenticator),
		T(kiosk_wrong_code_is_login_incorrect),
		T(kiosk_code_confirmed_with_a_wrong_username_stays_valid),
		T(kiosk_name_onboard_does_not_know_goes_to_the_rest_of_the_stack),
		T(kiosk_code_guesses_are_throttled_per_source),
		T(kiosk_sources_beyond_the_table_are_locked_together),
		T(kiosk_with_the_daemon_down_still_lets_root_in),
		T(kiosk_with_a_user_from_the_application_is_a_normal_login),
		T(module_without_kiosk_and_no_user_asks_pams_own_prompt),
#undef T
#define T(t) cmocka_unit_test_setup_teardown(t, with_fake, teardown)
		T(kiosk_module_sends_no_user_and_the_hosts_declarations),
		T(kiosk_module_never_takes_root_or_a_system_account),
		T(module_outside_kiosk_keeps_the_applications_user),
#undef T
	};

	return HARNESS_MAIN("test_pam_kiosk",
			    "onboardd trusts only uid 0 to run logins for others, and a kiosk login at all",
			    prepare, tests);
}
