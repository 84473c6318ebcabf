/* SPDX-License-Identifier: BSD-3-Clause */
/* Throttling through the real module and a real onboardd (with
 * lockout_attempts = 3, lockout_total_attempts = 6): failed passwords,
 * access codes and authenticator codes in a row from one place lock the
 * person there; a locked person is told until when, and a right password
 * then gets exactly the answer a wrong one gets; the person from another
 * place is not locked, until 6 failures in a row from anywhere lock them
 * everywhere; the account phase (ssh keys) never refuses for a lock; an
 * administrator's unlock, the end of the lock and a successful login
 * each start the count again. */
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

#include "client.h"
#include "dialog.h"
#include "harness.h"
#include "ob_protocol.h"

#define PASSWORD "Tr0ub4dor&3-horse"
#define WRONG "not-the-password-1"
#define ATTEMPTS_LINE "lockout_attempts = 3\n"
#define TOTAL_LINE "lockout_total_attempts = 6\n"
#define LOCK_SECONDS (15 * 60) /* lockout_minutes is left at its default */

struct fixture {
	struct harness_daemon d;
};

/* ------------------------------------------------------------- helpers */

static void login(struct dialog *dl, const char *user)
{
	dialog_run(dl, "onboard", user, PAMTEST_AUTHENTICATE);
}

static void expect_not_shown(const struct dialog *dl, const char *fragment)
{
	if (strstr(dl->shown, fragment))
		fail_msg("\"%s\" was shown\nprompts: %s\nshown:\n%s", fragment, dl->prompts,
			 dl->shown);
}

/* A login with one answer, key (for "@TOTP" answers) copied in, from
 * the remote host rhost (NULL: none, the service is the place). */
static void login_from(struct dialog *dl, const char *rhost, const char *user, const char *key,
		       const char *a0, const char *a1)
{
	memset(dl, 0, sizeof(*dl));
	dl->answers[0] = a0;
	dl->answers[1] = a1;
	dl->rhost = rhost;
	if (key)
		snprintf(dl->key, sizeof(dl->key), "%s", key);
	login(dl, user);
}

static void login_with(struct dialog *dl, const char *user, const char *key, const char *a0,
		       const char *a1)
{
	login_from(dl, NULL, user, key, a0, a1);
}

/* Add user and register them with a code, a password and an
 * authenticator; key gets the authenticator's key. */
static void registered(struct fixture *f, const char *user, char key[80])
{
	struct dialog dl = { .answers = { NULL, user, PASSWORD, PASSWORD, "@TOTP" } };
	char code[32];

	assert_int_equal(harness_user_add(&f->d, user, "Lou", "Locke"), 0);
	assert_int_equal(harness_code_issue(&f->d, user, 0, code, NULL), 0);
	dl.answers[0] = code;
	login(&dl, user);
	dialog_expect(&dl, PAM_SUCCESS, "authenticator app is set up");
	memcpy(key, dl.key, sizeof(dl.key));
}

/* The lock message for a lock that began between from and to, as the
 * daemon words it: local time, minute rounded up, the date when not
 * today. */
static bool lock_text_matches(const char *shown, time_t from, time_t to)
{
	for (time_t t = from; t <= to; t++) {
		time_t until = t + LOCK_SECONDS, shown_at = (until + 59) / 60 * 60;
		struct tm a, b;
		char when[32], want[128];

		localtime_r(&shown_at, &a);
		localtime_r(&t, &b);
		if (a.tm_year == b.tm_year && a.tm_yday == b.tm_yday)
			strftime(when, sizeof(when), "%H:%M", &a);
		else
			strftime(when, sizeof(when), "%Y-%m-%d %H:%M", &a);
		snprintf(want, sizeof(want),
			 "Too many failed attempts: this account is locked until %s.", when);
		if (strstr(shown, want))
			return true;
	}
	return false;
}

/* Lock user with three wrong passwords; the third is told the lock. */
static void lock_with_passwords(const char *user)
{
	struct dialog dl;
	time_t before;

	for (int i = 0; i < 2; i++) {
		login_with(&dl, user, NULL, WRONG, NULL);
		dialog_expect(&dl, PAM_AUTH_ERR, "Login incorrect");
		expect_not_shown(&dl, "locked");
	}
	before = time(NULL);
	login_with(&dl, user, NULL, WRONG, NULL);
	dialog_expect(&dl, PAM_MAXTRIES, "Login incorrect");
	if (!lock_text_matches(dl.shown, before, time(NULL)))
		fail_msg("the third failure did not say until when the account is locked:\n%s",
			 dl.shown);
}

/* The Lockout of UserShow: failures and locked_until (0 when absent). */
static void lockout_of(struct fixture *f, const char *user, long long *failures,
		       long long *locked_until)
{
	struct json_object *p = json_object_new_object(), *reply = NULL, *rp = NULL, *lo;
	const char *error = NULL;
	struct client c;
	int r;

	json_object_object_add(p, "username", json_object_new_string(user));
	r = client_connect(&c, f->d.socket, 5000);
	if (r < 0)
		fail_msg("cannot connect to onboardd: %s", strerror(-r));
	r = client_call(&c, OB_ADMIN_USER_SHOW, p, &reply, &rp, &error);
	client_close(&c);
	json_object_put(p);
	if (r != 0 || !json_object_object_get_ex(rp, "lockout", &lo))
		fail_msg("UserShow %s: %s", user, r ? (error ? error : strerror(-r)) : "no lockout");
	*failures = -1;
	*locked_until = 0;
	if (varlink_get_int(lo, "failures", failures) < 0)
		fail_msg("UserShow %s: lockout without failures", user);
	/* Locked everywhere, else from a place. */
	if (varlink_get_int(lo, "locked_until", locked_until) < 0)
		varlink_get_int(lo, "places_locked_until", locked_until);
	json_object_put(reply);
}

/* Lines of the daemon's log that contain text. */
static int log_count(const struct fixture *f, const char *text)
{
	char line[1024];
	FILE *fp = fopen(f->d.log, "r");
	int n = 0;

	if (!fp)
		fail_msg("cannot read the daemon's log %s", f->d.log);
	while (fgets(line, sizeof(line), fp))
		n += strstr(line, text) != NULL;
	fclose(fp);
	return n;
}

/* ---------------------------------------------------------------- tests */

static void three_wrong_passwords_lock_the_account(void **state)
{
	struct fixture *f = *state;
	long long failures, until;
	char key[80];
	time_t now;

	registered(f, "lea", key);
	lock_with_passwords("lea");
	now = time(NULL);
	lockout_of(f, "lea", &failures, &until);
	assert_int_equal(failures, 3);
	if (until < now + LOCK_SECONDS - 60 || until > now + LOCK_SECONDS)
		fail_msg("locked until %lld, want about %lld", until,
			 (long long)now + LOCK_SECONDS);
	/* The lock is logged with the person's name. */
	if (log_count(f, "login: lea: locked until") != 1)
		fail_msg("the lock of lea is not logged once");
}

static void right_password_while_locked_answers_as_a_wrong_one(void **state)
{
	struct fixture *f = *state;
	struct dialog right, wrong;
	int accepted;
	char key[80];

	registered(f, "ron", key);
	lock_with_passwords("ron");
	accepted = log_count(f, "ron: password accepted");
	login_with(&right, "ron", key, PASSWORD, "@TOTP+30");
	login_with(&wrong, "ron", key, WRONG, "@TOTP+30");
	dialog_expect(&right, PAM_MAXTRIES, "this account is locked until ");
	if (right.rv != wrong.rv || strcmp(right.prompts, wrong.prompts) != 0 ||
	    strcmp(right.shown, wrong.shown) != 0)
		fail_msg("a right password while locked was answered differently from a wrong one:\n"
			 "right (%s): %s\n%s\nwrong (%s): %s\n%s",
			 pam_strerror(NULL, right.rv), right.prompts, right.shown,
			 pam_strerror(NULL, wrong.rv), wrong.prompts, wrong.shown);
	if (strcmp(right.prompts, "Password: |") != 0)
		fail_msg("prompts while locked: %s", right.prompts);
	expect_not_shown(&right, "Login incorrect");
	/* Not even checked: nothing about the password reached the log. */
	if (log_count(f, "ron: password accepted") != accepted)
		fail_msg("the password of a locked person was checked");
	if (log_count(f, "ron: refused unchecked: locked") != 2)
		fail_msg("the two refusals while locked are not logged");
}

static void unlock_lets_the_right_password_in(void **state)
{
	struct fixture *f = *state;
	struct json_object *p = json_object_new_object();
	long long failures, until;
	struct dialog dl;
	char key[80];

	registered(f, "uma", key);
	lock_with_passwords("uma");
	json_object_object_add(p, "username", json_object_new_string("uma"));
	assert_int_equal(harness_admin_call(&f->d, OB_ADMIN_UNLOCK, p), 0);
	lockout_of(f, "uma", &failures, &until);
	assert_int_equal(failures, 0);
	assert_int_equal(until, 0);
	login_with(&dl, "uma", key, PASSWORD, "@TOTP+30");
	dialog_expect(&dl, PAM_SUCCESS, NULL);
	if (strcmp(dl.prompts, "Password: |Authenticator code: |") != 0)
		fail_msg("prompts after the unlock: %s", dl.prompts);
}

/* An ssh key login never asks a password, and guesses nothing: the
 * account phase lets it in whatever lock wrong guesses made (issue 9.7:
 * it used to refuse, so a guesser locked the person's keys out too).
 * This test used to be "a locked person is refused at the account
 * phase"; the rule is now the opposite. */
static void a_lock_does_not_refuse_a_key_login_at_the_account_phase(void **state)
{
	struct fixture *f = *state;
	struct dialog dl = { 0 };
	long long failures, until;
	char key[80];

	registered(f, "kai", key);
	dialog_run(&dl, "onboard", "kai", PAMTEST_ACCOUNT);
	dialog_expect(&dl, PAM_SUCCESS, NULL);
	/* Locked from the place of the guesses... */
	lock_with_passwords("kai");
	lockout_of(f, "kai", &failures, &until);
	assert_true(until > 0);
	memset(&dl, 0, sizeof(dl));
	dialog_run(&dl, "onboard", "kai", PAMTEST_ACCOUNT);
	dialog_expect(&dl, PAM_SUCCESS, NULL);
	expect_not_shown(&dl, "locked");
	/* ... and everywhere: 6 in a row. */
	for (int i = 0; i < 3; i++) {
		login_from(&dl, "192.0.2.50", "kai", NULL, WRONG, NULL);
		dialog_expect(&dl, i < 2 ? PAM_AUTH_ERR : PAM_MAXTRIES, "Login incorrect");
	}
	login_from(&dl, "198.51.100.50", "kai", key, PASSWORD, "@TOTP+30");
	dialog_expect(&dl, PAM_MAXTRIES, "this account is locked until ");
	memset(&dl, 0, sizeof(dl));
	dialog_run(&dl, "onboard", "kai", PAMTEST_ACCOUNT);
	dialog_expect(&dl, PAM_SUCCESS, NULL);
	if (dl.prompts[0])
		fail_msg("the account phase asked something: %s", dl.prompts);
}

/* Many wrong guesses from one remote host lock that host for the
 * person; the person from another host still gets in (issue 9.7). */
static void a_guesser_locks_their_place_not_the_person(void **state)
{
	struct fixture *f = *state;
	struct dialog dl;
	char key[80];

	registered(f, "pia", key);
	for (int i = 0; i < 3; i++) {
		login_from(&dl, "192.0.2.66", "pia", NULL, WRONG, NULL);
		dialog_expect(&dl, i < 2 ? PAM_AUTH_ERR : PAM_MAXTRIES, "Login incorrect");
	}
	/* The guesser's host: refused unchecked, the right password too. */
	login_from(&dl, "192.0.2.66", "pia", key, PASSWORD, "@TOTP+30");
	dialog_expect(&dl, PAM_MAXTRIES, "this account is locked until ");
	/* The person from elsewhere: in. */
	login_from(&dl, "198.51.100.7", "pia", key, PASSWORD, "@TOTP+30");
	dialog_expect(&dl, PAM_SUCCESS, NULL);
	if (strcmp(dl.prompts, "Password: |Authenticator code: |") != 0)
		fail_msg("prompts from another host: %s", dl.prompts);
	/* Their success does not lift the guesser's lock. */
	login_from(&dl, "192.0.2.66", "pia", key, PASSWORD, "@TOTP+60");
	dialog_expect(&dl, PAM_MAXTRIES, "this account is locked until ");
	if (log_count(f, "login: pia: locked until") != 1)
		fail_msg("the lock of pia's place is not logged once");
}

/* NIST SP 800-63B: failures in a row from anywhere are bounded too:
 * the 6th (lockout_total_attempts) locks the person everywhere. */
static void failures_from_many_places_lock_everywhere(void **state)
{
	struct fixture *f = *state;
	static const char *const hosts[] = { "192.0.2.1", "192.0.2.2", "192.0.2.3" };
	struct dialog dl;
	char key[80];

	registered(f, "zed", key);
	for (int i = 0; i < 6; i++) {
		login_from(&dl, hosts[i % 3], "zed", NULL, WRONG, NULL);
		dialog_expect(&dl, i < 5 ? PAM_AUTH_ERR : PAM_MAXTRIES, "Login incorrect");
	}
	login_from(&dl, "203.0.113.9", "zed", key, PASSWORD, "@TOTP+30");
	dialog_expect(&dl, PAM_MAXTRIES, "this account is locked until ");
	if (strstr(dl.prompts, "Authenticator"))
		fail_msg("a person locked everywhere was checked: %s", dl.prompts);
}

static void lock_expires_after_lockout_minutes(void **state)
{
	struct fixture *f = *state;
	struct dialog dl;
	char key[80];
	int r;

	registered(f, "eva", key);
	lock_with_passwords("eva");
	r = harness_daemon_restart(&f->d, "+14m");
	if (r == -ENOENT)
		skip();
	assert_int_equal(r, 0);
	login_with(&dl, "eva", key, PASSWORD, "@TOTP+840");
	dialog_expect(&dl, PAM_MAXTRIES, "this account is locked until ");
	assert_int_equal(harness_daemon_restart(&f->d, "+16m"), 0);
	login_with(&dl, "eva", key, PASSWORD, "@TOTP+960");
	dialog_expect(&dl, PAM_SUCCESS, NULL);
	if (strcmp(dl.prompts, "Password: |Authenticator code: |") != 0)
		fail_msg("prompts after the lock ran out: %s", dl.prompts);
}

static void success_resets_the_failure_count(void **state)
{
	struct fixture *f = *state;
	long long failures, until;
	struct dialog dl;
	char key[80];

	registered(f, "sam", key);
	for (int i = 0; i < 2; i++) {
		login_with(&dl, "sam", NULL, WRONG, NULL);
		dialog_expect(&dl, PAM_AUTH_ERR, "Login incorrect");
	}
	login_with(&dl, "sam", key, PASSWORD, "@TOTP+30");
	dialog_expect(&dl, PAM_SUCCESS, NULL);
	lockout_of(f, "sam", &failures, &until);
	assert_int_equal(failures, 0);
	for (int i = 0; i < 2; i++) {
		login_with(&dl, "sam", NULL, WRONG, NULL);
		dialog_expect(&dl, PAM_AUTH_ERR, "Login incorrect");
		expect_not_shown(&dl, "locked");
	}
	lockout_of(f, "sam", &failures, &until);
	assert_int_equal(failures, 2);
	assert_int_equal(until, 0);
	/* Still checked: the right password leads on to the authenticator
	 * (left unanswered: this time step's code is used already). */
	login_with(&dl, "sam", key, PASSWORD, NULL);
	if (strcmp(dl.prompts, "Password: |Authenticator code: |") != 0)
		fail_msg("prompts after 2 + 2 failures around a success: %s\n%s", dl.prompts,
			 dl.shown);
}

static void wrong_authenticator_codes_lock_too(void **state)
{
	struct fixture *f = *state;
	struct dialog dl;
	char key[80];

	registered(f, "tim", key);
	for (int i = 0; i < 2; i++) {
		login_with(&dl, "tim", key, PASSWORD, "@TOTP+3600");
		dialog_expect(&dl, PAM_AUTH_ERR, "Login incorrect");
	}
	login_with(&dl, "tim", key, PASSWORD, "@TOTP+3600");
	dialog_expect(&dl, PAM_MAXTRIES, "this account is locked until ");
	/* Now even the right password and code are refused, unchecked. */
	login_with(&dl, "tim", key, PASSWORD, "@TOTP+30");
	dialog_expect(&dl, PAM_MAXTRIES, "this account is locked until ");
	if (strstr(dl.prompts, "Authenticator"))
		fail_msg("a locked person was asked for a code: %s", dl.prompts);
}

static void guessed_access_codes_lock_too(void **state)
{
	struct fixture *f = *state;
	struct dialog dl, wrong;
	char code[32], guess[32];

	assert_int_equal(harness_user_add(&f->d, "gus", "Gus", "Guesser"), 0);
	assert_int_equal(harness_code_issue(&f->d, "gus", 0, code, NULL), 0);
	/* Another code of the same form: one letter changed. */
	snprintf(guess, sizeof(guess), "%s", code);
	guess[0] = guess[0] == 'A' ? 'B' : 'A';
	for (int i = 0; i < 2; i++) {
		login_with(&dl, "gus", NULL, guess, NULL);
		dialog_expect(&dl, PAM_AUTH_ERR, "Login incorrect");
	}
	login_with(&dl, "gus", NULL, guess, NULL);
	dialog_expect(&dl, PAM_MAXTRIES, "this account is locked until ");
	/* The right code now gets what a wrong one gets, and stays valid. */
	login_with(&dl, "gus", NULL, code, "gus");
	login_with(&wrong, "gus", NULL, guess, "gus");
	dialog_expect(&dl, PAM_MAXTRIES, "this account is locked until ");
	if (strcmp(dl.prompts, wrong.prompts) != 0 || strcmp(dl.shown, wrong.shown) != 0)
		fail_msg("the right code while locked was answered differently:\n%s%s\n%s%s",
			 dl.prompts, dl.shown, wrong.prompts, wrong.shown);
}

/* With the default lockout_attempts (10), the fourth failure in a row
 * makes the next try wait: a try too soon is refused unchecked, with the
 * wait, and does not count. */
static void tries_too_soon_after_failures_wait(void **state)
{
	struct fixture *f = *state;
	/* teardown puts the file back as prepare left it. */
	const char *saved = harness_conf_save();
	char conf[HARNESS_CONF_MAX], *at;
	long long failures, until;
	struct dialog dl;
	char key[80];

	if (!saved)
		fail_msg("cannot read onboardd.conf");
	snprintf(conf, sizeof(conf), "%s", saved);
	if (!(at = strstr(conf, ATTEMPTS_LINE)))
		fail_msg("onboardd.conf has no \"%s\"", ATTEMPTS_LINE);
	memmove(at, at + strlen(ATTEMPTS_LINE), strlen(at + strlen(ATTEMPTS_LINE)) + 1);
	assert_int_equal(harness_write_file("onboardd.conf", conf), 0);
	assert_int_equal(harness_daemon_restart(&f->d, ""), 0);

	registered(f, "wes", key);
	for (int i = 0; i < 4; i++) {
		login_with(&dl, "wes", NULL, WRONG, NULL);
		dialog_expect(&dl, PAM_AUTH_ERR, "Login incorrect");
	}
	/* The fourth made a 2 s wait; the fifth, once it is over, 4 s. */
	sleep(3);
	login_with(&dl, "wes", NULL, WRONG, NULL);
	dialog_expect(&dl, PAM_AUTH_ERR, "Login incorrect");
	login_with(&dl, "wes", key, PASSWORD, "@TOTP+30");
	dialog_expect(&dl, PAM_AUTH_ERR, "Too many failed attempts: wait ");
	expect_not_shown(&dl, "Login incorrect");
	if (strstr(dl.prompts, "Authenticator"))
		fail_msg("a try too soon was checked: %s", dl.prompts);
	lockout_of(f, "wes", &failures, &until);
	assert_int_equal(failures, 5);
	assert_int_equal(until, 0);
	sleep(5);
	login_with(&dl, "wes", key, PASSWORD, "@TOTP+30");
	dialog_expect(&dl, PAM_SUCCESS, NULL);
	lockout_of(f, "wes", &failures, &until);
	assert_int_equal(failures, 0);
}

/* ------------------------------------------------------------- fixtures */

static int with_daemon(void **state)
{
	return harness_fixture_start(state, sizeof(struct fixture));
}

static int prepare(const char *dir)
{
	char sock[PATH_MAX];
	int r;

	harness_path(sock, sizeof(sock), "onboardd.sock");
	(void)dir;
	r = harness_append_file("onboardd.conf", ATTEMPTS_LINE TOTAL_LINE);
	/* pam_set_items first: the dialogue's rhost, its result nothing. */
	return r < 0 ? r : harness_write_service(
		"onboard",
		"auth [default=ignore] %s/pam_set_items.so\n"
		"auth [success=done ignore=ignore default=die] %s socket=%s timeout=10\n"
		"auth required pam_deny.so\n"
		"account [success=ok ignore=ignore default=die] %s socket=%s timeout=10\n"
		"account required pam_permit.so\n",
		harness_wrapper_modules(), harness_module(), sock, harness_module(), sock);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
#define T(t) cmocka_unit_test_setup_teardown(t, with_daemon, harness_fixture_stop)
		T(three_wrong_passwords_lock_the_account),
		T(right_password_while_locked_answers_as_a_wrong_one),
		T(unlock_lets_the_right_password_in),
		T(a_lock_does_not_refuse_a_key_login_at_the_account_phase),
		T(a_guesser_locks_their_place_not_the_person),
		T(failures_from_many_places_lock_everywhere),
		T(lock_expires_after_lockout_minutes),
		T(success_resets_the_failure_count),
		T(wrong_authenticator_codes_lock_too),
		T(guessed_access_codes_lock_too),
		T(tries_too_soon_after_failures_wait),
#undef T
	};

	/* harness_fixture_stop also puts back onboardd.conf for the next
	 * test's daemon. */
	return DIALOG_MAIN("test_pam_lockout", HARNESS_WHY_ROOT, prepare, tests);
}
