/* SPDX-License-Identifier: BSD-3-Clause */
/* passwd through the real module and a real onboardd (pam_chauthtok, both
 * of libpam's passes): an active person changes their password with the
 * current one (and their authenticator's code when they have one) and
 * the new one twice, under the same rules as a first password; a person
 * whose registration is not finished is refused with the login's
 * guidance; root and people onboard does not know are left to the rest
 * of the stack: pam_matrix (pam_wrapper's file-backed test module) here,
 * pam_unix on a real host.  Like pam_unix, pam_matrix changes a password
 * only when it ran in both passes, so the stack must learn in the first
 * pass, before any prompt, whether onboard will act. */
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
#define NEW_PASSWORD "velvet-Orchid-quay-58"
#define UNFINISHED "Your registration is not finished"
/* What pam_matrix asks: the old password in the first pass, the new one
 * twice in the second. */
#define MATRIX_PROMPTS "Old password: |New Password :|Verify New Password :|"
/* The tripwire service's timeout: a connection there waits this long. */
#define WIRE_TIMEOUT 1

struct fixture {
	struct harness_daemon d;
	int tripwire;
};







static void run(struct dialog *dl, const char *service, const char *user, enum pamtest_ops op)
{
	dialog_run(dl, service, user, op);
}

static void login(struct dialog *dl, const char *user)
{
	run(dl, "onboard", user, PAMTEST_AUTHENTICATE);
}

static void passwd(struct dialog *dl, const char *user)
{
	run(dl, "onboard", user, PAMTEST_CHAUTHTOK);
}


static void expect_prompts(const struct dialog *dl, const char *want)
{
	if (strcmp(dl->prompts, want) != 0)
		fail_msg("prompts: %s\nwant:    %s\nshown:\n%s", dl->prompts, want, dl->shown);
}

static void add_person(struct fixture *f, const char *user)
{
	assert_int_equal(harness_user_add(&f->d, user, "Tom", "Tester"), 0);
}

/* Register user with an access code and PASSWORD; with an authenticator
 * to set up (mfa = required), key receives its key. */
static void register_person(struct fixture *f, const char *user, char key[80])
{
	struct dialog dl = { .answers = { NULL, user, PASSWORD, PASSWORD, "@TOTP" } };
	char code[32];

	add_person(f, user);
	assert_int_equal(harness_code_issue(&f->d, user, 0, code, NULL), 0);
	dl.answers[0] = code;
	login(&dl, user);
	dialog_expect(&dl, PAM_SUCCESS, NULL);
	if (key) {
		dialog_expect(&dl, PAM_SUCCESS, "authenticator app is set up");
		memcpy(key, dl.key, sizeof(dl.key));
	}
}

/* Whether password logs user in (mfa = optional: nothing else is asked). */
static int login_with(const char *user, const char *password)
{
	struct dialog dl = { .answers = { password } };

	login(&dl, user);
	return dl.rv;
}

/* After a change (or none), user logs in with the password in force and
 * not with the other; why says what a failure means. */
static void expect_password_in_force(const char *user, const char *in_force, const char *other,
				     const char *why)
{
	if (login_with(user, in_force) != PAM_SUCCESS)
		fail_msg("%s: the password in force does not log in", why);
	if (login_with(user, other) != PAM_AUTH_ERR)
		fail_msg("%s: the other password logs in", why);
}

/* ---------------------------------------------------------------- tests */

static void passwd_refused_during_registration(void **state)
{
	struct fixture *f = *state;
	struct dialog dl = { .answers = { "whatever-1", NEW_PASSWORD, NEW_PASSWORD } };
	struct dialog later = { .answers = { NULL, "una", PASSWORD, PASSWORD } };
	char code[32];

	add_person(f, "una");
	assert_int_equal(harness_code_issue(&f->d, "una", 0, code, NULL), 0);
	passwd(&dl, "una");
	dialog_expect(&dl, PAM_AUTHTOK_ERR, UNFINISHED);
	/* Refused before anything is asked: not even the access code. */
	expect_prompts(&dl, "");
	/* The same words as at the login prompt. */
	if (!strstr(dl.shown, "ask your administrator for an access code"))
		fail_msg("the guidance differs from the login's:\n%s", dl.shown);
	/* And the registration is still there to finish. */
	later.answers[0] = code;
	login(&later, "una");
	dialog_expect(&later, PAM_SUCCESS, NULL);
}

/* An invited person is told at passwd what the login tells them: the
 * invitation code, not an access code they were never given. */
static void passwd_of_invited_person_names_the_invitation(void **state)
{
	struct fixture *f = *state;
	struct dialog dl = { .answers = { "whatever-1", NEW_PASSWORD, NEW_PASSWORD } };
	struct dialog at_login = { 0 };
	struct json_object *p = json_object_new_object();

	add_person(f, "ivo");
	json_object_object_add(p, "username", json_object_new_string("ivo"));
	assert_int_equal(harness_admin_call(&f->d, OB_ADMIN_INVITE_SEND, p), 0);
	passwd(&dl, "ivo");
	dialog_expect(&dl, PAM_AUTHTOK_ERR, "enter the invitation code from your welcome message");
	expect_prompts(&dl, "");
	if (strstr(dl.shown, "access code"))
		fail_msg("passwd told an invited person about an access code:\n%s", dl.shown);
	/* The login asks for that very code. */
	login(&at_login, "ivo");
	if (!strstr(at_login.prompts, "Invitation code: "))
		fail_msg("the login did not ask for the invitation code: %s", at_login.prompts);
}

static void passwd_works_after_registration(void **state)
{
	struct fixture *f = *state;
	struct dialog dl = { .answers = { PASSWORD, NEW_PASSWORD, NEW_PASSWORD } };

	register_person(f, "pat", NULL);
	passwd(&dl, "pat");
	dialog_expect(&dl, PAM_SUCCESS, "Your password has been changed");
	expect_prompts(&dl, "Current password: |New password: |Repeat new password: |");
	expect_password_in_force("pat", NEW_PASSWORD, PASSWORD, "after the change");
}

static void passwd_wrong_current_password_refused(void **state)
{
	struct fixture *f = *state;
	struct dialog dl = { .answers = { "not-the-password", NEW_PASSWORD, NEW_PASSWORD } };

	register_person(f, "wes", NULL);
	passwd(&dl, "wes");
	dialog_expect(&dl, PAM_AUTH_ERR, NULL);
	/* Nothing more is asked once the current password is wrong. */
	expect_prompts(&dl, "Current password: |");
	expect_password_in_force("wes", PASSWORD, NEW_PASSWORD,
				 "the current password given was wrong");
}

static void passwd_new_password_rules_give_the_reason(void **state)
{
	struct fixture *f = *state;
	struct dialog dl = { .answers = { PASSWORD, "short", "short", PASSWORD, PASSWORD,
					  NEW_PASSWORD, "velvet-Orchid-quay-59" } };

	register_person(f, "ria", NULL);
	passwd(&dl, "ria");
	dialog_expect(&dl, PAM_AUTHTOK_ERR, "at least 8 characters");
	dialog_expect(&dl, PAM_AUTHTOK_ERR, "must differ from your current password");
	dialog_expect(&dl, PAM_AUTHTOK_ERR, "do not match");
	dialog_expect(&dl, PAM_AUTHTOK_ERR, "Your password was not changed");
	/* Three tries, then the end. */
	expect_prompts(&dl, "Current password: |New password: |Repeat new password: |"
			    "New password: |Repeat new password: |New password: |"
			    "Repeat new password: |");
	if (login_with("ria", PASSWORD) != PAM_SUCCESS)
		fail_msg("the password changed although every new one was refused");
}

static void passwd_asks_authenticator_when_enrolled(void **state)
{
	struct fixture *f = *state;
	struct dialog dl = { .answers = { PASSWORD, "@TOTP+30", NEW_PASSWORD, NEW_PASSWORD } };
	struct dialog old = { .answers = { PASSWORD, "000000" } };
	struct dialog now = { .answers = { NEW_PASSWORD, NULL } };

	register_person(f, "ava", dl.key);
	passwd(&dl, "ava");
	dialog_expect(&dl, PAM_SUCCESS, "Your password has been changed");
	expect_prompts(&dl, "Current password: |Authenticator code: |New password: |"
			    "Repeat new password: |");
	/* Logins after the change: the old password stops at itself, the new
	 * one leads to the authenticator (answered with the code the change
	 * spent: a valid one would have to wait for the next time step). */
	login(&old, "ava");
	dialog_expect(&old, PAM_AUTH_ERR, NULL);
	expect_prompts(&old, "Password: |");
	now.answers[1] = dl.last_code;
	login(&now, "ava");
	dialog_expect(&now, PAM_AUTH_ERR, "already been used");
	expect_prompts(&now, "Password: |Authenticator code: |");
}

/* The other way round: the code a login accepted is refused at passwd,
 * although it is still within the window (the login spent the next time
 * step's code, so the clock cannot have moved past it), and the password
 * stays as it was. */
static void passwd_refuses_the_code_the_login_used(void **state)
{
	struct fixture *f = *state;
	struct dialog in = { .answers = { PASSWORD, "@TOTP+30" } };
	struct dialog dl = { .answers = { PASSWORD, NULL, NEW_PASSWORD, NEW_PASSWORD } };
	struct dialog after = { .answers = { NEW_PASSWORD } };

	register_person(f, "ivo", in.key);
	login(&in, "ivo");
	dialog_expect(&in, PAM_SUCCESS, NULL);
	expect_prompts(&in, "Password: |Authenticator code: |");
	dl.answers[1] = in.last_code;
	passwd(&dl, "ivo");
	dialog_expect(&dl, PAM_AUTH_ERR, "already been used");
	expect_prompts(&dl, "Current password: |Authenticator code: |");
	login(&after, "ivo");
	dialog_expect(&after, PAM_AUTH_ERR, NULL);
	expect_prompts(&after, "Password: |");
}

static void passwd_wrong_authenticator_code_refused(void **state)
{
	struct fixture *f = *state;
	struct dialog dl = { .answers = { PASSWORD, "000000", NEW_PASSWORD, NEW_PASSWORD } };
	struct dialog after = { .answers = { NEW_PASSWORD } };

	register_person(f, "abe", dl.key);
	/* 000000 could be the current code once in a million runs. */
	dialog_oathtool_code(dl.key, 0, dl.last_code);
	if (strcmp(dl.last_code, "000000") == 0)
		dl.answers[1] = "111111";
	passwd(&dl, "abe");
	dialog_expect(&dl, PAM_AUTH_ERR, NULL);
	expect_prompts(&dl, "Current password: |Authenticator code: |");
	login(&after, "abe");
	dialog_expect(&after, PAM_AUTH_ERR, NULL);
	expect_prompts(&after, "Password: |");
}

/* Whether pam_matrix's password file holds line. */
static bool passdb_has(const char *line)
{
	char path[PATH_MAX], buf[256];
	bool found = false;
	FILE *fp = fopen(harness_path(path, sizeof(path), "passdb"), "re");

	if (!fp)
		fail_msg("cannot read %s", path);
	while (!found && fgets(buf, sizeof(buf), fp))
		found = strncmp(buf, line, strlen(line)) == 0 && buf[strlen(line)] == '\n';
	fclose(fp);
	return found;
}

static void unmanaged_user_is_ignored(void **state)
{
	struct fixture *f = *state;
	struct dialog root = { .answers = { "rootpw", "root-new-pw", "root-new-pw" } };
	struct dialog bob = { .answers = { "bobpw", "bob-new-pw", "bob-new-pw" } };
	struct dialog wire = { .answers = { "bobpw", "bob-other-pw", "bob-other-pw" } };
	char path[PATH_MAX];

	f->tripwire = harness_tripwire_open(harness_path(path, sizeof(path), "tripwire.sock"));
	assert_true(f->tripwire >= 0);
	/* Root never reaches the daemon, not even its socket: onboard steps
	 * aside in both passes and pam_matrix changes root's password. */
	run(&root, "onboard-tripwire", "root", PAMTEST_CHAUTHTOK);
	dialog_expect(&root, PAM_SUCCESS, NULL);
	expect_prompts(&root, MATRIX_PROMPTS);
	if (harness_tripwire_touched(f->tripwire))
		fail_msg("root's password change was sent to the daemon");
	if (!passdb_has("root:root-new-pw:onboard-tripwire"))
		fail_msg("pam_matrix did not change root's password");
	/* A regular account onboard does not know: the daemon says so in
	 * both passes, and pam_matrix does the change. */
	passwd(&bob, "bob");
	dialog_expect(&bob, PAM_SUCCESS, NULL);
	expect_prompts(&bob, MATRIX_PROMPTS);
	if (!passdb_has("bob:bob-new-pw:onboard"))
		fail_msg("pam_matrix did not change bob's password");
	/* The tripwire works: a regular name does reach it, and with nobody
	 * answering the first pass fails closed, before any prompt. */
	run(&wire, "onboard-tripwire", "bob", PAMTEST_CHAUTHTOK);
	dialog_expect(&wire, PAM_AUTHINFO_UNAVAIL, NULL);
	expect_prompts(&wire, "");
	assert_true(harness_tripwire_touched(f->tripwire));
}

/* ------------------------------------------------------------- fixtures */

/* The daemon's configuration as the harness wrote it, read once: each
 * test starts from it and adds its own mfa line (a key may appear only
 * once in the file). */
static int write_config(const char *extra)
{
	static char base[4096];
	int r;

	if (!base[0]) {
		ssize_t n = harness_read_file("onboardd.conf", base, sizeof(base));

		if (n < 0)
			return (int)n;
		if (n == 0 || (size_t)n == sizeof(base) - 1)
			return -EFBIG;
	}
	r = harness_write_file("onboardd.conf", base);
	if (r >= 0 && extra)
		r = harness_append_file("onboardd.conf", extra);
	return r;
}

static int start(void **state, const char *extra)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	f->tripwire = -1;
	*state = f;
	if (write_config(extra) < 0)
		return -1;
	return harness_daemon_start(&f->d) < 0 ? -1 : 0;
}

/* People here have no authenticator, and none is demanded. */
static int with_daemon(void **state)
{
	return start(state, "mfa = optional\n");
}

/* The default: an authenticator is set up at the first login. */
static int with_daemon_mfa(void **state)
{
	return start(state, NULL);
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	int r;

	if (!f)
		return 0;
	if (f->tripwire >= 0)
		close(f->tripwire);
	r = harness_daemon_stop(&f->d);
	free(f);
	return r == 0 ? 0 : -1;
}

/* Runs in the supervisor, before pam_wrapper starts: see harness.c.  The
 * password stack is pam.d-examples/passwd's, with pam_matrix in the place
 * of common-password. */
static int prepare(const char *dir)
{
	const char *so = harness_module(), *w = harness_wrapper_modules();
	char sock[PATH_MAX], wire[PATH_MAX], passdb[PATH_MAX];
	int r;

	(void)dir;
	harness_path(sock, sizeof(sock), "onboardd.sock");
	harness_path(wire, sizeof(wire), "tripwire.sock");
	harness_path(passdb, sizeof(passdb), "passdb");
	/* pam_matrix's accounts: user:password:service. */
	r = harness_write_file("passdb", "root:rootpw:onboard-tripwire\n"
					 "bob:bobpw:onboard\n");
	if (r < 0)
		return r;
	r = harness_write_service(
		"onboard",
		"auth [success=done ignore=ignore default=die] %s socket=%s timeout=10\n"
		"auth required pam_deny.so\n"
		"password [success=done ignore=ignore default=die] %s socket=%s timeout=10\n"
		"password required %s/pam_matrix.so passdb=%s\n",
		so, sock, so, sock, w, passdb);
	if (r < 0)
		return r;
	return harness_write_service(
		"onboard-tripwire",
		"password [success=done ignore=ignore default=die] %s socket=%s timeout=%d\n"
		"password required %s/pam_matrix.so passdb=%s\n",
		so, wire, WIRE_TIMEOUT, w, passdb);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
#define T(t) cmocka_unit_test_setup_teardown(t, with_daemon, teardown)
#define T_MFA(t) cmocka_unit_test_setup_teardown(t, with_daemon_mfa, teardown)
		T(passwd_refused_during_registration),
		T(passwd_of_invited_person_names_the_invitation),
		T(passwd_works_after_registration),
		T(passwd_wrong_current_password_refused),
		T(passwd_new_password_rules_give_the_reason),
		T_MFA(passwd_asks_authenticator_when_enrolled),
		T_MFA(passwd_refuses_the_code_the_login_used),
		T_MFA(passwd_wrong_authenticator_code_refused),
		T(unmanaged_user_is_ignored),
#undef T_MFA
#undef T
	};

	return DIALOG_MAIN("test_pam_passwd",
			   "onboardd trusts only uid 0 to change other users' passwords", prepare,
			   tests);
}
