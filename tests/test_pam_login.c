/* SPDX-License-Identifier: BSD-3-Clause */
/* The built pam_onboard.so driven through libpam (pam_wrapper) against a
 * real onboardd in a temporary directory, and against stand-ins that
 * hang, talk nonsense or break the protocol.
 *
 * The stacks are those of pam.d-examples/: onboard first with
 * [success=done ignore=ignore default=die], then pam_matrix (pam_wrapper's
 * file-backed test module) in the place of pam_unix. */
#include "config.h"

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
#include <grp.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <cmocka.h>
#include <security/pam_appl.h>

#include "harness.h"
#include "ob_protocol.h"
#include "relay.h"
#include "varlink.h"

#define NEW_PASSWORD "Tr0ub4dor&3-horse"
#define OTHER_PASSWORD "another-Good-pass-9"

/* The timeouts written into the service files below. */
#define DIRECT_TIMEOUT 3
#define FAKE_TIMEOUT 2

struct fixture {
	struct harness_daemon d;
	pid_t fake;
	int tripwire;
};

/* ------------------------------------------------------------ services */

/* Runs in the supervisor, before pam_wrapper starts: see harness.c. */
static int prepare(const char *dir)
{
	const char *so = harness_module(), *w = harness_wrapper_modules();
	char sock[PATH_MAX], fake[PATH_MAX], wire[PATH_MAX], passdb[PATH_MAX], people[PATH_MAX];
	int r;

	/* st is a link to the running daemon's state directory (see
	 * point_people): the module reads its people file through it. */
	harness_path(people, sizeof(people), "st/" OB_PEOPLE_FILE);
	harness_path(sock, sizeof(sock), "onboardd.sock");
	harness_path(fake, sizeof(fake), "fake.sock");
	harness_path(wire, sizeof(wire), "tripwire.sock");
	harness_path(passdb, sizeof(passdb), "passdb");
	/* These tests are about the first factor: people here have no
	 * authenticator, and none is demanded (test_pam_mfa covers that). */
	r = harness_append_file("onboardd.conf", "mfa = optional\n");
	if (r < 0)
		return r;
	/* pam_matrix's accounts: user:password:service (for the account
	 * phase the service must match). */
	r = harness_write_file("passdb", "root:rootpw:onboard\n"
					 "sysuser:syspw:onboard-tripwire\n"
					 "carol:carolpw:onboard\n"
					 "erin:erin-matrix-pw:onboard\n"
					 "carol:carolpw:onboard-fake-stack\n"
					 "erin:erin-matrix-pw:onboard-fake-stack\n"
					 "erin:erin-matrix-pw:onboard-ignore\n"
					 "erin:erin-matrix-pw:onboard-fake-ignore\n"
					 "erin:erin-matrix-pw:onboard-items-ignore\n"
					 "sysuser:syspw:onboard\n");
	if (r < 0)
		return r;
	/* The shipped stack, with pam_matrix in the place of pam_unix. */
	r = harness_write_service("onboard",
			  "auth [success=done ignore=ignore default=die] %s socket=%s timeout=%d "
			  "people=%s\n"
			  "auth required %s/pam_matrix.so passdb=%s verbose\n"
			  "account [success=done ignore=ignore default=die] %s socket=%s timeout=%d "
			  "people=%s\n"
			  "account required %s/pam_matrix.so passdb=%s\n",
			  so, sock, DIRECT_TIMEOUT, people, w, passdb, so, sock, DIRECT_TIMEOUT,
			  people, w, passdb);
	if (r < 0)
		return r;
	r = harness_write_service("onboard-ignore",
			  "auth [success=done ignore=ignore default=die] %s socket=%s timeout=%d "
			  "unavailable=ignore people=%s\n"
			  "auth required %s/pam_matrix.so passdb=%s verbose\n",
			  so, sock, DIRECT_TIMEOUT, people, w, passdb);
	if (r < 0)
		return r;
	/* The stand-in daemon in the shipped stack, and with
	 * unavailable=ignore: what the module returns decides whether
	 * pam_matrix runs. */
	r = harness_write_service("onboard-fake-stack",
			  "auth [success=done ignore=ignore default=die] %s socket=%s timeout=%d "
			  "people=%s\n"
			  "auth required %s/pam_matrix.so passdb=%s verbose\n",
			  so, fake, FAKE_TIMEOUT, people, w, passdb);
	if (r < 0)
		return r;
	r = harness_write_service("onboard-fake-ignore",
			  "auth [success=done ignore=ignore default=die] %s socket=%s timeout=%d "
			  "unavailable=ignore people=%s\n"
			  "auth required %s/pam_matrix.so passdb=%s verbose\n",
			  so, fake, FAKE_TIMEOUT, people, w, passdb);
	if (r < 0)
		return r;
	/* The module alone: what it returns is what PAM returns. */
	r = harness_write_service("onboard-direct",
			  "auth required %s socket=%s timeout=%d people=%s\n"
			  "account required %s socket=%s timeout=%d people=%s\n",
			  so, sock, DIRECT_TIMEOUT, people, so, sock, DIRECT_TIMEOUT, people);
	if (r < 0)
		return r;
	/* The real daemon with unavailable=ignore, and PAM_RHOST, PAM_RUSER
	 * and PAM_TTY set from the environment first (see below). */
	r = harness_write_service("onboard-items-ignore",
			  "auth [default=ignore] %s/pam_set_items.so\n"
			  "auth [success=done ignore=ignore default=die] %s socket=%s timeout=%d "
			  "unavailable=ignore people=%s\n"
			  "auth required %s/pam_matrix.so passdb=%s verbose\n",
			  w, so, sock, DIRECT_TIMEOUT, people, w, passdb);
	if (r < 0)
		return r;
	/* Stand-in daemons; pam_set_items.so sets PAM_RHOST, PAM_RUSER and
	 * PAM_TTY from the environment first, and its result counts for
	 * nothing (as "optional" it would turn onboard's PAM_IGNORE into a
	 * success of the stack).  debug runs the module's debug lines. */
	r = harness_write_service("onboard-fake",
			  "auth [default=ignore] %s/pam_set_items.so\n"
			  "auth required %s socket=%s timeout=%d people=%s debug\n",
			  w, so, fake, FAKE_TIMEOUT, people);
	if (r < 0)
		return r;
	/* A socket nobody answers: any connection is a failed test. */
	return harness_write_service("onboard-tripwire",
			     "auth [success=done ignore=ignore default=die] %s socket=%s timeout=%d "
			     "people=%s\n"
			     "auth required %s/pam_matrix.so passdb=%s verbose\n",
			     so, wire, FAKE_TIMEOUT, people, w, passdb);
}

/* ------------------------------------------------------------ fixtures */

/* DIR/st, through which the services read the people file, links to
 * dir (NULL: to nothing). */
static int point_people(const char *dir)
{
	char link[PATH_MAX];

	harness_path(link, sizeof(link), "st");
	if (unlink(link) < 0 && errno != ENOENT)
		return -1;
	return dir && symlink(dir, link) < 0 ? -1 : 0;
}

static int with_daemon(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	f->tripwire = -1;
	*state = f;
	if (harness_daemon_start(&f->d) < 0)
		return -1;
	return point_people(f->d.state);
}

static int without_daemon(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	f->tripwire = -1;
	*state = f;
	return point_people(NULL);
}

/* A daemon that does not stop cleanly (or a sanitizer report at its
 * exit) fails the test. */
static int teardown(void **state)
{
	struct fixture *f = *state;
	int r;

	if (!f)
		return 0;
	harness_fake_stop(f->fake);
	if (f->tripwire >= 0)
		close(f->tripwire);
	r = harness_daemon_stop(&f->d);
	free(f);
	if (r != 0)
		fprintf(stderr, "onboardd did not stop cleanly (status %d)\n", r);
	return r == 0 ? 0 : -1;
}

/* ------------------------------------------------------------- helpers */

static const char *pam_name(int rv)
{
	switch (rv) {
	case PAM_SUCCESS: return "PAM_SUCCESS";
	case PAM_AUTH_ERR: return "PAM_AUTH_ERR";
	case PAM_PERM_DENIED: return "PAM_PERM_DENIED";
	case PAM_IGNORE: return "PAM_IGNORE";
	case PAM_AUTHINFO_UNAVAIL: return "PAM_AUTHINFO_UNAVAIL";
	case PAM_SERVICE_ERR: return "PAM_SERVICE_ERR";
	case PAM_CONV_ERR: return "PAM_CONV_ERR";
	case PAM_USER_UNKNOWN: return "PAM_USER_UNKNOWN";
	case PAM_AUTHTOK_ERR: return "PAM_AUTHTOK_ERR";
	case PAM_MAXTRIES: return "PAM_MAXTRIES";
	case PAM_ACCT_EXPIRED: return "PAM_ACCT_EXPIRED";
	case PAM_BUF_ERR: return "PAM_BUF_ERR";
	default: return "another PAM code";
	}
}

/* Fail, with the whole exchange, when rv is not want. */
#define assert_login(l, want)                                                             \
	do {                                                                              \
		char transcript_[4096];                                                   \
		if ((l)->rv != (want))                                                    \
			fail_msg("%s for %s on %s: got %s (%d), want %s; the person saw: %s", \
				 (l)->op == PAMTEST_ACCOUNT ? "account" : "authenticate",     \
				 (l)->user, (l)->service, pam_name((l)->rv), (l)->rv,         \
				 pam_name(want),                                              \
				 harness_login_transcript((l), transcript_, sizeof(transcript_))); \
	} while (0)

#define assert_said(l, fragment)                                                          \
	do {                                                                              \
		char transcript_[4096];                                                   \
		if (!harness_login_said((l), (fragment)))                                 \
			fail_msg("the person was not told \"%s\"; they saw: %s", (fragment),  \
				 harness_login_transcript((l), transcript_, sizeof(transcript_))); \
	} while (0)

static void login_init(struct harness_login *l, const char *service, const char *user,
		       enum pamtest_ops op)
{
	memset(l, 0, sizeof(*l));
	l->service = service;
	l->user = user;
	l->op = op;
}

static void login_done(struct harness_login *l)
{
	free(l->user_out);
	l->user_out = NULL;
}

/* Authenticate user through service with the given answers. */
static int auth(const char *service, const char *user, const char *secret1,
		const char *secret2, const char *secret3, const char *text1)
{
	struct harness_login l;

	login_init(&l, service, user, PAMTEST_AUTHENTICATE);
	l.secret[0] = secret1;
	l.secret[1] = secret2;
	l.secret[2] = secret3;
	l.text[0] = text1;
	harness_login_run(&l);
	login_done(&l);
	return l.rv;
}

/* The first login with an access code: code, username, new password
 * twice.  Checks every step and returns nothing. */
static void register_with_code(const char *user, const char *code, const char *password)
{
	struct harness_login l;

	login_init(&l, "onboard", user, PAMTEST_AUTHENTICATE);
	l.secret[0] = code;
	l.secret[1] = password;
	l.secret[2] = password;
	l.text[0] = user;
	harness_login_run(&l);
	assert_login(&l, PAM_SUCCESS);
	login_done(&l);
}

static void add_person(struct fixture *f, const char *user)
{
	int r = harness_user_add(&f->d, user, "Test", "Person");

	if (r != 0)
		fail_msg("UserAdd %s failed (%d)", user, r);
}

static void issue_code(struct fixture *f, const char *user, char code[32])
{
	int r = harness_code_issue(&f->d, user, 0, code, NULL);

	if (r != 0)
		fail_msg("CodeIssue %s failed (%d)", user, r);
}

/* ---------------------------------------------- access codes, passwords */

static void code_login_sets_password_then_password_login_works(void **state)
{
	struct fixture *f = *state;
	char code[32];

	add_person(f, "alice");
	issue_code(f, "alice", code);
	register_with_code("alice", code, NEW_PASSWORD);
	assert_int_equal(auth("onboard", "alice", NEW_PASSWORD, NULL, NULL, NULL), PAM_SUCCESS);
	/* The direct stack shows it is onboard's own success. */
	assert_int_equal(auth("onboard-direct", "alice", NEW_PASSWORD, NULL, NULL, NULL),
			 PAM_SUCCESS);
}

/* A password of 100 four-byte characters (400 bytes) is hashed whole: its
 * first 256 bytes are not the password. */
static void long_multibyte_password_is_not_truncated(void **state)
{
	struct fixture *f = *state;
	char longpw[401], prefix[257];
	char code[32];

	/* U+1F600 to U+1F663: a hundred different characters. */
	for (size_t i = 0; i < 100; i++) {
		unsigned cp = 0x1F600 + (unsigned)i;

		longpw[4 * i] = (char)(0xf0 | (cp >> 18));
		longpw[4 * i + 1] = (char)(0x80 | ((cp >> 12) & 0x3f));
		longpw[4 * i + 2] = (char)(0x80 | ((cp >> 6) & 0x3f));
		longpw[4 * i + 3] = (char)(0x80 | (cp & 0x3f));
	}
	longpw[400] = '\0';
	memcpy(prefix, longpw, 256);
	prefix[256] = '\0';
	add_person(f, "lena");
	issue_code(f, "lena", code);
	register_with_code("lena", code, longpw);
	assert_int_equal(auth("onboard", "lena", longpw, NULL, NULL, NULL), PAM_SUCCESS);
	assert_int_equal(auth("onboard", "lena", prefix, NULL, NULL, NULL), PAM_AUTH_ERR);
}

static unsigned count_in_file(const char *path, const char *fragment)
{
	char line[1024];
	unsigned n = 0;
	FILE *f = fopen(path, "re");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		n += strstr(line, fragment) != NULL;
	fclose(f);
	return n;
}

/* A password hashed at one cost is hashed anew, once, at the first login
 * after the configured cost changed. */
static void password_rehashed_when_the_cost_changes(void **state)
{
	static const char cheap[] = "password_hash_ops = 1\npassword_hash_memory = 8M\n"
				    "uid_min = 1000\nmfa = optional\nuserdb_socket =\n";
	static const char dearer[] = "password_hash_ops = 2\npassword_hash_memory = 16M\n"
				     "uid_min = 1000\nmfa = optional\nuserdb_socket =\n";
	struct fixture *f = *state;
	char code[32];

	add_person(f, "rolf");
	issue_code(f, "rolf", code);
	register_with_code("rolf", code, NEW_PASSWORD);
	assert_int_equal(harness_write_file("onboardd.conf", dearer), 0);
	assert_int_equal(harness_daemon_restart(&f->d, ""), 0);
	assert_int_equal(harness_write_file("onboardd.conf", cheap), 0);
	assert_int_equal(auth("onboard", "rolf", NEW_PASSWORD, NULL, NULL, NULL), PAM_SUCCESS);
	assert_int_equal(auth("onboard", "rolf", NEW_PASSWORD, NULL, NULL, NULL), PAM_SUCCESS);
	if (count_in_file(f->d.log, "rolf: password rehashed with the configured cost: ok") != 1)
		fail_msg("want exactly one rehash of rolf's password in %s", f->d.log);
	assert_int_equal(auth("onboard", "rolf", OTHER_PASSWORD, NULL, NULL, NULL), PAM_AUTH_ERR);
}

static void second_of_two_issued_codes_works_first_does_not(void **state)
{
	struct fixture *f = *state;
	char first[32], second[32];
	int rv;

	add_person(f, "anna");
	issue_code(f, "anna", first);
	issue_code(f, "anna", second);
	assert_string_not_equal(first, second);
	rv = auth("onboard", "anna", first, NEW_PASSWORD, NEW_PASSWORD, "anna");
	if (rv != PAM_AUTH_ERR)
		fail_msg("the superseded first code gave %s, want PAM_AUTH_ERR", pam_name(rv));
	register_with_code("anna", second, NEW_PASSWORD);
	assert_int_equal(auth("onboard", "anna", NEW_PASSWORD, NULL, NULL, NULL), PAM_SUCCESS);
}

static void used_code_refused(void **state)
{
	struct fixture *f = *state;
	struct harness_login l;
	char code[32];

	add_person(f, "ulla");
	issue_code(f, "ulla", code);
	register_with_code("ulla", code, NEW_PASSWORD);

	login_init(&l, "onboard", "ulla", PAMTEST_AUTHENTICATE);
	l.secret[0] = code;
	l.secret[1] = OTHER_PASSWORD;
	l.secret[2] = OTHER_PASSWORD;
	l.text[0] = "ulla";
	harness_login_run(&l);
	assert_login(&l, PAM_AUTH_ERR);
	login_done(&l);
	/* Nothing was changed by the refused attempt. */
	assert_int_equal(auth("onboard", "ulla", NEW_PASSWORD, NULL, NULL, NULL), PAM_SUCCESS);
	assert_int_equal(auth("onboard", "ulla", OTHER_PASSWORD, NULL, NULL, NULL), PAM_AUTH_ERR);
}

static void revoked_code_refused(void **state)
{
	struct fixture *f = *state;
	struct harness_login l;
	char code[32];

	add_person(f, "rita");
	issue_code(f, "rita", code);
	assert_int_equal(harness_code_revoke(&f->d, "rita"), 0);

	login_init(&l, "onboard", "rita", PAMTEST_AUTHENTICATE);
	l.secret[0] = code;
	l.secret[1] = NEW_PASSWORD;
	l.secret[2] = NEW_PASSWORD;
	l.text[0] = "rita";
	harness_login_run(&l);
	assert_login(&l, PAM_AUTH_ERR);
	/* No password and no usable code: the person is told what is
	 * missing instead of being asked for anything. */
	assert_said(&l, "registration is not finished");
	login_done(&l);
}

/* The default lifetime, 90 days, seen from the daemon's own clock moved
 * forward with libfaketime: a day before the end the code works, at the
 * end it does not. */
static void code_valid_for_ninety_days_then_expired(void **state)
{
	struct fixture *f = *state;
	struct harness_login l;
	char code_eva[32], code_evan[32];

	add_person(f, "eva");
	add_person(f, "evan");
	issue_code(f, "eva", code_eva);
	issue_code(f, "evan", code_evan);

	assert_int_equal(harness_daemon_restart(&f->d, "+89d"), 0);
	login_init(&l, "onboard", "evan", PAMTEST_AUTHENTICATE);
	l.secret[0] = code_evan;
	l.secret[1] = NEW_PASSWORD;
	l.secret[2] = NEW_PASSWORD;
	l.text[0] = "evan";
	harness_login_run(&l);
	assert_login(&l, PAM_SUCCESS);
	login_done(&l);

	assert_int_equal(harness_daemon_restart(&f->d, "+90d"), 0);
	login_init(&l, "onboard", "eva", PAMTEST_AUTHENTICATE);
	l.secret[0] = code_eva;
	l.secret[1] = NEW_PASSWORD;
	l.secret[2] = NEW_PASSWORD;
	l.text[0] = "eva";
	harness_login_run(&l);
	assert_login(&l, PAM_AUTH_ERR);
	/* Told why, as for the other ends of a code: not only that the
	 * registration is unfinished. */
	assert_said(&l, "This access code has expired. Ask your administrator for a new one.");
	login_done(&l);
}

/* A code replaced by a newer one is told so (README: a new code makes
 * the old one worthless), not "Login incorrect"; the newest works. */
static void superseded_code_told_it_was_replaced(void **state)
{
	struct fixture *f = *state;
	struct harness_login l;
	char code1[32], code2[32], code3[32];

	add_person(f, "sara");
	issue_code(f, "sara", code1);
	issue_code(f, "sara", code2);
	issue_code(f, "sara", code3);
	for (int i = 0; i < 2; i++) {
		login_init(&l, "onboard", "sara", PAMTEST_AUTHENTICATE);
		l.secret[0] = i == 0 ? code1 : code2;
		l.secret[1] = NEW_PASSWORD;
		l.secret[2] = NEW_PASSWORD;
		l.text[0] = "sara";
		harness_login_run(&l);
		assert_login(&l, PAM_AUTH_ERR);
		assert_said(&l, "This access code has been replaced by a newer one");
		login_done(&l);
	}
	register_with_code("sara", code3, NEW_PASSWORD);
}

static void wrong_username_confirmation_leaves_code_valid(void **state)
{
	struct fixture *f = *state;
	struct harness_login l;
	char code[32];

	add_person(f, "wanda");
	issue_code(f, "wanda", code);

	login_init(&l, "onboard", "wanda", PAMTEST_AUTHENTICATE);
	l.secret[0] = code;
	l.secret[1] = NEW_PASSWORD;
	l.secret[2] = NEW_PASSWORD;
	l.text[0] = "wendy";
	harness_login_run(&l);
	assert_login(&l, PAM_AUTH_ERR);
	assert_said(&l, "still valid");
	login_done(&l);
	/* No password was set by the failed attempt... */
	assert_int_equal(auth("onboard", "wanda", NEW_PASSWORD, NULL, NULL, NULL), PAM_AUTH_ERR);
	/* ...and the code still works. */
	register_with_code("wanda", code, NEW_PASSWORD);
	assert_int_equal(auth("onboard", "wanda", NEW_PASSWORD, NULL, NULL, NULL), PAM_SUCCESS);
}

static void code_accepted_in_lower_case_without_dashes(void **state)
{
	struct fixture *f = *state;
	char code[32], typed[32];
	size_t n = 0;

	add_person(f, "lena");
	issue_code(f, "lena", code);
	for (const char *p = code; *p; p++)
		if (*p != '-')
			typed[n++] = (char)(*p >= 'A' && *p <= 'Z' ? *p - 'A' + 'a' : *p);
	typed[n] = '\0';
	assert_int_equal(strlen(typed), 16);
	register_with_code("lena", typed, NEW_PASSWORD);
	assert_int_equal(auth("onboard", "lena", NEW_PASSWORD, NULL, NULL, NULL), PAM_SUCCESS);
}

/* The first password goes through our rules and libpwquality; the person
 * is told why one is refused and tries again. */
static void weak_first_password_refused_with_the_reason(void **state)
{
	struct fixture *f = *state;
	struct harness_login l;
	char code[32];

	add_person(f, "wanda2");
	issue_code(f, "wanda2", code);
	login_init(&l, "onboard", "wanda2", PAMTEST_AUTHENTICATE);
	l.secret[0] = code;
	l.secret[1] = "short";
	l.secret[2] = "short";
	l.secret[3] = "password";
	l.secret[4] = "password";
	l.secret[5] = NEW_PASSWORD;
	l.secret[6] = NEW_PASSWORD;
	l.text[0] = "wanda2";
	harness_login_run(&l);
	assert_login(&l, PAM_SUCCESS);
	assert_said(&l, "at least 8 characters");
	assert_said(&l, "dictionary");
	login_done(&l);
}

static void wrong_password_refused(void **state)
{
	struct fixture *f = *state;
	struct harness_login l;
	char code[32];

	/* erin also has a password in pam_matrix's file, the stand-in for
	 * pam_unix: a wrong onboard password must not fall through to it. */
	add_person(f, "erin");
	issue_code(f, "erin", code);
	register_with_code("erin", code, NEW_PASSWORD);

	login_init(&l, "onboard", "erin", PAMTEST_AUTHENTICATE);
	l.secret[0] = "erin-matrix-pw";
	harness_login_run(&l);
	assert_login(&l, PAM_AUTH_ERR);
	if (harness_login_said(&l, "Authentication succeeded"))
		fail_msg("the wrong password fell through to the next module");
	login_done(&l);
	assert_int_equal(auth("onboard", "erin", OTHER_PASSWORD, NULL, NULL, NULL), PAM_AUTH_ERR);
	assert_int_equal(auth("onboard", "erin", NEW_PASSWORD, NULL, NULL, NULL), PAM_SUCCESS);
}

/* ------------------------------------------- people onboard leaves alone */

static void unknown_user_is_ignored_and_falls_through(void **state)
{
	struct harness_login l;

	/* carol is unknown to onboard and has a pam_matrix password. */
	login_init(&l, "onboard", "carol", PAMTEST_AUTHENTICATE);
	l.secret[0] = "carolpw";
	harness_login_run(&l);
	assert_login(&l, PAM_SUCCESS);
	assert_said(&l, "Authentication succeeded"); /* pam_matrix's verbose line */
	assert_int_equal(l.nerr, 0);
	login_done(&l);
	/* pam_matrix, not onboard, decides: its wrong password fails. */
	assert_int_equal(auth("onboard", "carol", "not-carols", NULL, NULL, NULL), PAM_AUTH_ERR);
}

static void root_falls_through_to_next_module(void **state)
{
	struct harness_login l;

	login_init(&l, "onboard", "root", PAMTEST_AUTHENTICATE);
	l.secret[0] = "rootpw";
	harness_login_run(&l);
	assert_login(&l, PAM_SUCCESS);
	assert_said(&l, "Authentication succeeded");
	login_done(&l);
	assert_int_equal(auth("onboard", "root", "wrong", NULL, NULL, NULL), PAM_AUTH_ERR);
}

static void root_falls_through_while_daemon_stopped(void **state)
{
	struct fixture *f = *state;
	struct harness_login l;

	assert_int_equal(harness_daemon_stop(&f->d), 0);
	login_init(&l, "onboard", "root", PAMTEST_AUTHENTICATE);
	l.secret[0] = "rootpw";
	harness_login_run(&l);
	assert_login(&l, PAM_SUCCESS);
	assert_said(&l, "Authentication succeeded");
	if (harness_login_said(&l, RELAY_TEXT_UNAVAILABLE))
		fail_msg("root was told the login service is unavailable");
	login_done(&l);
}

static void sysuser_never_sent_to_daemon(void **state)
{
	struct fixture *f = *state;
	char wire[PATH_MAX];
	char longname[OB_USERNAME_MAX + 2];

	f->tripwire = harness_tripwire_open(harness_path(wire, sizeof(wire), "tripwire.sock"));
	assert_true(f->tripwire >= 0);

	/* uid 500, below uid_min: pam_matrix decides. */
	assert_int_equal(auth("onboard-tripwire", "sysuser", "syspw", NULL, NULL, NULL),
			 PAM_SUCCESS);
	assert_int_equal(auth("onboard-tripwire", "sysuser", "wrong", NULL, NULL, NULL),
			 PAM_AUTH_ERR);
	/* uid 1, and root by name. */
	auth("onboard-tripwire", "daemon", "x", NULL, NULL, NULL);
	auth("onboard-tripwire", "root", "x", NULL, NULL, NULL);
	/* A name longer than any onboard username is not ours either. */
	memset(longname, 'z', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	auth("onboard-tripwire", longname, "x", NULL, NULL, NULL);
	if (harness_tripwire_touched(f->tripwire))
		fail_msg("the module connected to the daemon for a system account");

	/* The tripwire works: a regular name does reach it (and, with nobody
	 * answering, fails closed after the timeout: frank is onboard's). */
	add_person(f, "frank");
	assert_int_equal(auth("onboard-tripwire", "frank", "x", NULL, NULL, NULL),
			 PAM_AUTHINFO_UNAVAIL);
	assert_true(harness_tripwire_touched(f->tripwire));
}

/* ------------------------------------------------- daemon not available */

static void stopped_daemon_gives_authinfo_unavail_within_timeout_plus_one_second(void **state)
{
	struct fixture *f = *state;
	struct harness_login l;

	add_person(f, "erin");
	assert_int_equal(harness_daemon_stop(&f->d), 0);

	/* erin has a pam_matrix password too: default=die keeps it unused. */
	login_init(&l, "onboard", "erin", PAMTEST_AUTHENTICATE);
	l.secret[0] = "erin-matrix-pw";
	harness_login_run(&l);
	assert_login(&l, PAM_AUTHINFO_UNAVAIL);
	assert_said(&l, RELAY_TEXT_UNAVAILABLE);
	if (l.seconds >= DIRECT_TIMEOUT + 1)
		fail_msg("took %.2f s, timeout is %d s", l.seconds, DIRECT_TIMEOUT);
	login_done(&l);
	/* Account phase too. */
	login_init(&l, "onboard", "erin", PAMTEST_ACCOUNT);
	harness_login_run(&l);
	assert_login(&l, PAM_AUTHINFO_UNAVAIL);
	login_done(&l);
}

static void hung_daemon_gives_authinfo_unavail_within_timeout_plus_one_second(void **state)
{
	struct fixture *f = *state;
	struct harness_login l;
	char path[PATH_MAX];

	f->fake = harness_fake_start(harness_path(path, sizeof(path), "fake.sock"), FAKE_HUNG);
	assert_true(f->fake > 0);
	login_init(&l, "onboard-fake", "erin", PAMTEST_AUTHENTICATE);
	l.secret[0] = "whatever";
	harness_login_run(&l);
	assert_login(&l, PAM_AUTHINFO_UNAVAIL);
	assert_said(&l, RELAY_TEXT_UNAVAILABLE);
	if (l.seconds >= FAKE_TIMEOUT + 1)
		fail_msg("took %.2f s, timeout is %d s", l.seconds, FAKE_TIMEOUT);
	/* It did wait for the deadline: this was the hang, not another error. */
	if (l.seconds < FAKE_TIMEOUT - 0.2)
		fail_msg("gave up after %.2f s, before the %d s timeout", l.seconds, FAKE_TIMEOUT);
	login_done(&l);
}

static void garbage_daemon_gives_authinfo_unavail(void **state)
{
	struct fixture *f = *state;
	struct harness_login l;
	char path[PATH_MAX];

	f->fake = harness_fake_start(harness_path(path, sizeof(path), "fake.sock"), FAKE_GARBAGE);
	assert_true(f->fake > 0);
	login_init(&l, "onboard-fake", "erin", PAMTEST_AUTHENTICATE);
	harness_login_run(&l);
	assert_login(&l, PAM_AUTHINFO_UNAVAIL);
	assert_said(&l, RELAY_TEXT_UNAVAILABLE);
	if (l.seconds >= FAKE_TIMEOUT)
		fail_msg("took %.2f s: garbage should be refused at once", l.seconds);
	login_done(&l);
}

static void read_fake_log(char *buf, size_t size);

/* Only root's daemon may decide: a listener of another uid that says
 * "success" is not believed. */
static void daemon_not_run_by_root_is_not_trusted(void **state)
{
	struct fixture *f = *state;
	struct harness_login l;
	char path[PATH_MAX], record[4096];

	f->fake = harness_fake_start(harness_path(path, sizeof(path), "fake.sock"),
				     FAKE_ECHO_NOT_ROOT);
	assert_true(f->fake > 0);
	login_init(&l, "onboard-fake", "erin", PAMTEST_AUTHENTICATE);
	l.secret[0] = "anything";
	l.secret[1] = "anything";
	l.text[0] = "erin";
	harness_login_run(&l);
	assert_login(&l, PAM_AUTHINFO_UNAVAIL);
	assert_said(&l, RELAY_TEXT_UNAVAILABLE);
	/* Not a word was exchanged: nothing of the listener's was shown,
	 * no answer reached it. */
	if (harness_login_said(&l, "fake:"))
		fail_msg("the person was shown what the listener of uid 65534 said");
	login_done(&l);
	read_fake_log(record, sizeof(record));
	if (record[0])
		fail_msg("the listener of uid 65534 received answers: %s", record);
}

/* Busy is what others cause by logging in at the same time: a refusal
 * told as such, never an outage, and never PAM_IGNORE. */
static void busy_daemon_gives_busy_message(void **state)
{
	struct fixture *f = *state;
	struct harness_login l;
	char path[PATH_MAX];

	f->fake = harness_fake_start(harness_path(path, sizeof(path), "fake.sock"), FAKE_BUSY);
	assert_true(f->fake > 0);
	login_init(&l, "onboard-fake", "erin", PAMTEST_AUTHENTICATE);
	harness_login_run(&l);
	assert_login(&l, PAM_AUTH_ERR);
	assert_said(&l, RELAY_TEXT_BUSY);
	assert_int_equal(l.nerr, 1);
	login_done(&l);
	/* With unavailable=ignore too: pam_matrix never gets to decide. */
	login_init(&l, "onboard-fake-ignore", "erin", PAMTEST_AUTHENTICATE);
	l.secret[0] = "erin-matrix-pw";
	harness_login_run(&l);
	assert_login(&l, PAM_AUTH_ERR);
	assert_said(&l, RELAY_TEXT_BUSY);
	login_done(&l);
}

/* ------------------------------------ unavailable=ignore after the prompt */

/* One byte that is not UTF-8 at onboard's prompt once switched onboard
 * off where unavailable=ignore is used (the daemon dropped the
 * connection, the module called that unavailable, pam_matrix decided
 * alone).  The module refuses it itself and sends nothing. */
static void non_utf8_answer_is_refused_not_ignored(void **state)
{
	struct fixture *f = *state;
	struct harness_login l;

	char code[32];

	add_person(f, "erin");
	issue_code(f, "erin", code);
	login_init(&l, "onboard-ignore", "erin", PAMTEST_AUTHENTICATE);
	l.secret[0] = "\xff";
	l.secret[1] = "erin-matrix-pw";
	harness_login_run(&l);
	assert_login(&l, PAM_AUTH_ERR);
	assert_said(&l, RELAY_TEXT_NOT_UTF8);
	if (harness_login_said(&l, RELAY_TEXT_UNAVAILABLE))
		fail_msg("a bad answer was told as an outage");
	login_done(&l);
	/* The same through the shipped stack (unavailable=fail). */
	login_init(&l, "onboard", "erin", PAMTEST_AUTHENTICATE);
	l.secret[0] = "caf\xc3";
	harness_login_run(&l);
	assert_login(&l, PAM_AUTH_ERR);
	assert_said(&l, RELAY_TEXT_NOT_UTF8);
	login_done(&l);
}

/* The hashing queue full after the person typed: busy, a refusal. */
static void busy_after_the_answer_is_refused_not_ignored(void **state)
{
	struct fixture *f = *state;
	struct harness_login l;
	char path[PATH_MAX];

	f->fake = harness_fake_start(harness_path(path, sizeof(path), "fake.sock"),
				     FAKE_BUSY_ON_ANSWER);
	assert_true(f->fake > 0);
	login_init(&l, "onboard-fake-ignore", "erin", PAMTEST_AUTHENTICATE);
	l.secret[0] = "junk";
	l.secret[1] = "erin-matrix-pw";
	harness_login_run(&l);
	assert_login(&l, PAM_AUTH_ERR);
	assert_said(&l, RELAY_TEXT_BUSY);
	if (harness_login_said(&l, RELAY_TEXT_UNAVAILABLE))
		fail_msg("busy was told as an outage");
	login_done(&l);
}

/* The connection dropped after the person typed: a refusal. */
static void dropped_after_the_answer_is_refused_not_ignored(void **state)
{
	struct fixture *f = *state;
	struct harness_login l;
	char path[PATH_MAX];

	f->fake = harness_fake_start(harness_path(path, sizeof(path), "fake.sock"),
				     FAKE_DROP_ON_ANSWER);
	assert_true(f->fake > 0);
	login_init(&l, "onboard-fake-ignore", "erin", PAMTEST_AUTHENTICATE);
	l.secret[0] = "junk";
	l.secret[1] = "erin-matrix-pw";
	harness_login_run(&l);
	assert_login(&l, PAM_AUTH_ERR);
	assert_said(&l, RELAY_TEXT_BROKEN);
	login_done(&l);
}

/* An item the application set from what a client sent (PAM_RHOST from a
 * host name, PAM_RUSER from a remote user name) reached the daemon
 * whatever its bytes: one that was not UTF-8 made the daemon drop
 * the connection before it answered Start, which the module read as
 * an outage, and with unavailable=ignore pam_matrix decided alone.  An
 * item that is not UTF-8 is left out now, as one too long is. */
static void non_utf8_item_does_not_switch_onboard_off(void **state)
{
	struct fixture *f = *state;
	static const char *const items[] = { "rhost", "ruser", "tty" };
	struct harness_login l;
	char code[32];

	add_person(f, "erin");
	issue_code(f, "erin", code);
	for (size_t i = 0; i < sizeof(items) / sizeof(items[0]); i++) {
		login_init(&l, "onboard-items-ignore", "erin", PAMTEST_AUTHENTICATE);
		l.rhost = i == 0 ? "host\xff" : "203.0.113.7";
		l.ruser = i == 1 ? "r\xc3" : "remote";
		l.tty = i == 2 ? "pts/\xfe" : "pts/7";
		/* Onboard's prompt gets the Unix password; pam_matrix would
		 * take it too. */
		l.secret[0] = "erin-matrix-pw";
		l.secret[1] = "erin-matrix-pw";
		harness_login_run(&l);
		if (l.rv != PAM_AUTH_ERR)
			fail_msg("%s not UTF-8: got %d, want PAM_AUTH_ERR", items[i], l.rv);
		if (harness_login_said(&l, "Authentication succeeded"))
			fail_msg("%s not UTF-8: pam_matrix decided alone", items[i]);
		login_done(&l);
	}
}

/* Before Start was answered, unavailable=ignore still steps aside: a
 * daemon that accepts and never answers. */
static void hung_before_start_still_ignored_with_unavailable_ignore(void **state)
{
	struct fixture *f = *state;
	struct harness_login l;
	char path[PATH_MAX];

	f->fake = harness_fake_start(harness_path(path, sizeof(path), "fake.sock"), FAKE_HUNG);
	assert_true(f->fake > 0);
	login_init(&l, "onboard-fake-ignore", "erin", PAMTEST_AUTHENTICATE);
	l.secret[0] = "erin-matrix-pw";
	harness_login_run(&l);
	assert_login(&l, PAM_SUCCESS);
	assert_said(&l, "Authentication succeeded");
	login_done(&l);
}

/* ------------------------------------------ the people file, daemon down */

/* A people file as the daemon writes it, in DIR/name/, with owner and
 * mode; DIR/st points there. */
static void plant_people(const char *name, const char *users, uid_t owner, mode_t mode)
{
	char dir[PATH_MAX], file[PATH_MAX], full[PATH_MAX], text[1024];

	harness_path(dir, sizeof(dir), name);
	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		fail_msg("mkdir %s: %s", dir, strerror(errno));
	snprintf(file, sizeof(file), "%s/" OB_PEOPLE_FILE, name);
	snprintf(text, sizeof(text), "%s%s", OB_PEOPLE_HEADER, users);
	assert_int_equal(harness_write_file(file, text), 0);
	harness_path(full, sizeof(full), file);
	if (chown(full, owner, owner) < 0 || chmod(full, mode) < 0)
		fail_msg("chown/chmod %s: %s", full, strerror(errno));
	assert_int_equal(point_people(dir), 0);
}

/* The daemon's people file, checked to be root's and 0600. */
static void read_people(const struct fixture *f, char *text, size_t size)
{
	char path[PATH_MAX];
	struct stat st;
	FILE *fp;
	size_t n;

	snprintf(path, sizeof(path), "%s/" OB_PEOPLE_FILE, f->d.state);
	fp = fopen(path, "re");
	assert_non_null(fp);
	assert_int_equal(fstat(fileno(fp), &st), 0);
	n = fread(text, 1, size - 1, fp);
	fclose(fp);
	text[n] = '\0';
	assert_int_equal(st.st_uid, 0);
	assert_int_equal(st.st_mode & 07777, 0600);
}

static struct json_object *username_param(const char *user)
{
	struct json_object *p = json_object_new_object();

	json_object_object_add(p, "username", json_object_new_string(user));
	return p;
}

/* The daemon lists its people and follows changes: a deleted person is
 * still listed (restorable: onboard's), a purged one is not. */
static void daemon_writes_the_people_file(void **state)
{
	struct fixture *f = *state;
	char text[1024];

	/* Written before the first call is answered. */
	assert_int_equal(harness_admin_call(&f->d, OB_ADMIN_STATUS, json_object_new_object()), 0);
	read_people(f, text, sizeof(text));
	assert_string_equal(text, OB_PEOPLE_HEADER);
	/* Each add appends its name: in the order added. */
	add_person(f, "erin");
	add_person(f, "ada");
	read_people(f, text, sizeof(text));
	assert_string_equal(text, OB_PEOPLE_HEADER "erin\nada\n");
	assert_int_equal(harness_admin_call(&f->d, OB_ADMIN_USER_DELETE, username_param("ada")),
			 0);
	read_people(f, text, sizeof(text));
	assert_string_equal(text, OB_PEOPLE_HEADER "erin\nada\n");
	assert_int_equal(harness_admin_call(&f->d, OB_ADMIN_USER_PURGE, username_param("ada")),
			 0);
	read_people(f, text, sizeof(text));
	assert_string_equal(text, OB_PEOPLE_HEADER "erin\n");
}

/* onboardd stopped: carol, whom onboard does not manage, logs in through
 * pam_matrix; erin, onboard's, is still refused. */
static void daemon_down_unmanaged_user_goes_on_managed_fails_closed(void **state)
{
	struct fixture *f = *state;
	struct harness_login l;

	add_person(f, "erin");
	assert_int_equal(harness_daemon_stop(&f->d), 0);
	login_init(&l, "onboard", "carol", PAMTEST_AUTHENTICATE);
	l.secret[0] = "carolpw";
	harness_login_run(&l);
	assert_login(&l, PAM_SUCCESS);
	if (harness_login_said(&l, RELAY_TEXT_UNAVAILABLE))
		fail_msg("carol was told the login service is unavailable");
	login_done(&l);
	login_init(&l, "onboard", "carol", PAMTEST_ACCOUNT);
	harness_login_run(&l);
	assert_login(&l, PAM_SUCCESS);
	login_done(&l);
	login_init(&l, "onboard", "erin", PAMTEST_AUTHENTICATE);
	l.secret[0] = "erin-matrix-pw";
	harness_login_run(&l);
	assert_login(&l, PAM_AUTHINFO_UNAVAIL);
	assert_said(&l, RELAY_TEXT_UNAVAILABLE);
	login_done(&l);
}

/* The people file cannot be written (as on a full disk: here a
 * directory sits where its temporary file goes, and the file is not as
 * the daemon left it, mode 0640, so that ada's name is not appended but
 * the file written whole): ada, added then, would be missing from it, so
 * the daemon removes it and, while onboardd is down, everyone (carol
 * too) fails closed until it is written again. */
static void people_file_not_written_fails_closed_for_everyone(void **state)
{
	struct fixture *f = *state;
	struct harness_login l;
	char tmp[PATH_MAX], file[PATH_MAX];

	add_person(f, "erin");
	snprintf(tmp, sizeof(tmp), "%s/." OB_PEOPLE_FILE ".tmp", f->d.state);
	snprintf(file, sizeof(file), "%s/" OB_PEOPLE_FILE, f->d.state);
	assert_int_equal(mkdir(tmp, 0700), 0);
	assert_int_equal(chmod(file, 0640), 0);
	add_person(f, "ada");
	if (access(file, F_OK) == 0)
		fail_msg("the people file stayed without ada");
	assert_int_equal(harness_daemon_stop(&f->d), 0);
	assert_int_equal(rmdir(tmp), 0);
	login_init(&l, "onboard", "carol", PAMTEST_AUTHENTICATE);
	l.secret[0] = "carolpw";
	harness_login_run(&l);
	assert_login(&l, PAM_AUTHINFO_UNAVAIL);
	login_done(&l);
	login_init(&l, "onboard", "ada", PAMTEST_AUTHENTICATE);
	harness_login_run(&l);
	assert_login(&l, PAM_AUTHINFO_UNAVAIL);
	login_done(&l);
}

/* A daemon that accepts and never answers: the same. */
static void hung_daemon_unmanaged_user_goes_on_managed_fails_closed(void **state)
{
	struct fixture *f = *state;
	struct harness_login l;
	char path[PATH_MAX];

	plant_people("st-fake", "erin\n", 0, 0600);
	f->fake = harness_fake_start(harness_path(path, sizeof(path), "fake.sock"), FAKE_HUNG);
	assert_true(f->fake > 0);
	login_init(&l, "onboard-fake-stack", "carol", PAMTEST_AUTHENTICATE);
	l.secret[0] = "carolpw";
	harness_login_run(&l);
	assert_login(&l, PAM_SUCCESS);
	login_done(&l);
	login_init(&l, "onboard-fake-stack", "erin", PAMTEST_AUTHENTICATE);
	l.secret[0] = "erin-matrix-pw";
	harness_login_run(&l);
	assert_login(&l, PAM_AUTHINFO_UNAVAIL);
	login_done(&l);
}

/* A people file anyone but root could have written proves nothing: a
 * file of another owner, one group or others may write, a symbolic link,
 * a truncated one, or none: carol fails closed like everyone else. */
static void untrustworthy_people_file_fails_closed(void **state)
{
	struct fixture *f = *state;
	char target[PATH_MAX], link[PATH_MAX];

	assert_int_equal(harness_daemon_stop(&f->d), 0);
	plant_people("st-other", "", 65534, 0600);
	assert_int_equal(auth("onboard", "carol", "carolpw", NULL, NULL, NULL),
			 PAM_AUTHINFO_UNAVAIL);
	plant_people("st-writable", "", 0, 0620);
	assert_int_equal(auth("onboard", "carol", "carolpw", NULL, NULL, NULL),
			 PAM_AUTHINFO_UNAVAIL);
	/* A symbolic link as the file itself, to a good file. */
	plant_people("st-good", "", 0, 0600);
	assert_int_equal(auth("onboard", "carol", "carolpw", NULL, NULL, NULL), PAM_SUCCESS);
	harness_path(target, sizeof(target), "st-good/" OB_PEOPLE_FILE);
	plant_people("st-link", "", 0, 0600);
	harness_path(link, sizeof(link), "st-link/" OB_PEOPLE_FILE);
	assert_int_equal(unlink(link), 0);
	assert_int_equal(symlink(target, link), 0);
	assert_int_equal(auth("onboard", "carol", "carolpw", NULL, NULL, NULL),
			 PAM_AUTHINFO_UNAVAIL);
	/* No header: not the daemon's. */
	assert_int_equal(harness_write_file("st-good/" OB_PEOPLE_FILE, "erin\n"), 0);
	assert_int_equal(auth("onboard", "carol", "carolpw", NULL, NULL, NULL),
			 PAM_AUTHINFO_UNAVAIL);
	/* None at all. */
	assert_int_equal(point_people(NULL), 0);
	assert_int_equal(auth("onboard", "carol", "carolpw", NULL, NULL, NULL),
			 PAM_AUTHINFO_UNAVAIL);
}

static void prompt_in_verdict_reply_fails_closed(void **state)
{
	struct fixture *f = *state;
	struct harness_login l;
	char path[PATH_MAX];

	f->fake = harness_fake_start(harness_path(path, sizeof(path), "fake.sock"),
				     FAKE_PROMPT_IN_VERDICT);
	assert_true(f->fake > 0);
	login_init(&l, "onboard-fake", "erin", PAMTEST_AUTHENTICATE);
	l.secret[0] = "anything";
	harness_login_run(&l);
	assert_login(&l, PAM_AUTHINFO_UNAVAIL);
	login_done(&l);
}

static void endless_dialogue_stops_after_the_round_limit(void **state)
{
	struct fixture *f = *state;
	struct harness_login l;
	char path[PATH_MAX];

	f->fake = harness_fake_start(harness_path(path, sizeof(path), "fake.sock"), FAKE_ENDLESS);
	assert_true(f->fake > 0);
	login_init(&l, "onboard-fake", "erin", PAMTEST_AUTHENTICATE);
	for (int i = 0; i < HARNESS_MAX_ANSWERS; i++)
		l.secret[i] = "again";
	harness_login_run(&l);
	assert_login(&l, PAM_MAXTRIES);
	assert_said(&l, RELAY_TEXT_BROKEN);
	login_done(&l);
}

static void unknown_verdict_fails_closed(void **state)
{
	struct fixture *f = *state;
	struct harness_login l;
	char path[PATH_MAX];

	f->fake = harness_fake_start(harness_path(path, sizeof(path), "fake.sock"),
				     FAKE_UNKNOWN_VERDICT);
	assert_true(f->fake > 0);
	login_init(&l, "onboard-fake", "erin", PAMTEST_AUTHENTICATE);
	harness_login_run(&l);
	assert_login(&l, PAM_SERVICE_ERR);
	login_done(&l);
}

static void unavailable_ignore_lets_the_stack_decide(void **state)
{
	struct fixture *f = *state;
	struct harness_login l;

	add_person(f, "erin");
	assert_int_equal(harness_daemon_stop(&f->d), 0);
	login_init(&l, "onboard-ignore", "erin", PAMTEST_AUTHENTICATE);
	l.secret[0] = "erin-matrix-pw";
	harness_login_run(&l);
	assert_login(&l, PAM_SUCCESS);
	assert_said(&l, "Authentication succeeded");
	assert_int_equal(l.nerr, 0);
	login_done(&l);
}

/* ------------------------------------------------------ the relay itself */

/* Reads DIR/fake.log, where FAKE_ECHO records each dialogue. */
static void read_fake_log(char *buf, size_t size)
{
	(void)harness_read_file("fake.log", buf, size);
}

static void dialogue_relays_items_prompts_answers_and_verdict(void **state)
{
	struct fixture *f = *state;
	struct harness_login l;
	char path[PATH_MAX], record[4096];
	static const char *const want[] = {
		"\"phase\":\"auth\"",        "\"user\":\"erin\"",    "\"service\":\"onboard-fake\"",
		"\"rhost\":\"203.0.113.7\"", "\"ruser\":\"remote\"", "\"tty\":\"pts\\/7\"",
		"\"answers\":[\"s3cret\",\"robert\"]",
	};

	f->fake = harness_fake_start(harness_path(path, sizeof(path), "fake.sock"), FAKE_ECHO);
	assert_true(f->fake > 0);
	login_init(&l, "onboard-fake", "erin", PAMTEST_AUTHENTICATE);
	l.secret[0] = "s3cret";
	l.text[0] = "robert";
	l.rhost = "203.0.113.7";
	l.ruser = "remote";
	l.tty = "pts/7";
	harness_login_run(&l);
	assert_login(&l, PAM_SUCCESS);
	assert_said(&l, "fake: hello");
	assert_said(&l, "fake: done");
	/* Outside kiosk mode the application's user stays, whatever name
	 * the verdict carries (test_pam_kiosk: where the daemon names them). */
	assert_non_null(l.user_out);
	assert_string_equal(l.user_out, "erin");
	login_done(&l);

	read_fake_log(record, sizeof(record));
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		if (!strstr(record, want[i]))
			fail_msg("the daemon did not receive %s; it got: %s", want[i], record);
}

static void silent_flag_hides_information_but_still_asks(void **state)
{
	struct fixture *f = *state;
	struct harness_login l;
	char path[PATH_MAX];

	f->fake = harness_fake_start(harness_path(path, sizeof(path), "fake.sock"), FAKE_ECHO);
	assert_true(f->fake > 0);
	login_init(&l, "onboard-fake", "erin", PAMTEST_AUTHENTICATE);
	l.flags = PAM_SILENT;
	l.secret[0] = "s3cret";
	l.text[0] = "robert";
	harness_login_run(&l);
	assert_login(&l, PAM_SUCCESS);
	if (l.ninfo || l.nerr)
		fail_msg("PAM_SILENT, yet the person was shown %zu lines", l.ninfo + l.nerr);
	assert_non_null(l.user_out);
	assert_string_equal(l.user_out, "erin");
	login_done(&l);
}

static void answer_longer_than_limit_refused(void **state)
{
	struct fixture *f = *state;
	struct harness_login l;
	char path[PATH_MAX], record[4096];
	char *huge = malloc(OB_ANSWER_MAX + 2);

	assert_non_null(huge);
	memset(huge, 'x', OB_ANSWER_MAX + 1);
	huge[OB_ANSWER_MAX + 1] = '\0';
	f->fake = harness_fake_start(harness_path(path, sizeof(path), "fake.sock"), FAKE_ECHO);
	assert_true(f->fake > 0);
	login_init(&l, "onboard-fake", "erin", PAMTEST_AUTHENTICATE);
	l.secret[0] = huge;
	l.text[0] = "erin";
	harness_login_run(&l);
	free(huge);
	assert_login(&l, PAM_AUTH_ERR);
	assert_said(&l, RELAY_TEXT_TOO_LONG);
	login_done(&l);
	/* Nothing was sent on: no Answer reached the daemon. */
	read_fake_log(record, sizeof(record));
	if (record[0])
		fail_msg("the daemon received answers: %s", record);
}

/* ------------------------------------------- held clients of one user */

enum held { HELD, REFUSED_UID, REFUSED_RESERVE, REFUSED_PERSON, REFUSED_OTHER, NOT_CONNECTED };

/* A login held open the way a stopped setuid PAM program holds one: a
 * connection of uid 0 (we are root) whose Start names real uid ruid and
 * user, left waiting at the first prompt.  Returns how the daemon took
 * it; *fd stays open either way (the caller closes it). */
static enum held hold_one(const char *socket_path, long long ruid, const char *user, int *fd)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct json_object *p = json_object_new_object();
	char *buf = NULL, reply[4096];
	size_t len = 0, got = 0;
	struct timeval tv = { .tv_sec = 10 };

	json_object_object_add(p, "phase", json_object_new_string(OB_PHASE_AUTH));
	json_object_object_add(p, "user", json_object_new_string(user));
	json_object_object_add(p, "service", json_object_new_string("su"));
	if (ruid >= 0)
		json_object_object_add(p, OB_LOGIN_RUID, json_object_new_int64(ruid));
	*fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(*fd >= 0);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", socket_path);
	setsockopt(*fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (connect(*fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return errno == EACCES ? NOT_CONNECTED : REFUSED_OTHER;
	{
		struct json_object *call = varlink_call_new(OB_LOGIN_START, p);

		assert_int_equal(varlink_encode(call, &buf, &len), 0);
		json_object_put(call);
	}
	if (send(*fd, buf, len, MSG_NOSIGNAL) != (ssize_t)len) {
		free(buf);
		return REFUSED_OTHER;
	}
	free(buf);
	while (got < sizeof(reply) - 1) {
		ssize_t n = recv(*fd, reply + got, sizeof(reply) - 1 - got, 0);

		if (n <= 0)
			return REFUSED_OTHER; /* closed at accept, or no reply */
		got += (size_t)n;
		if (memchr(reply, '\0', got))
			break;
	}
	reply[got] = '\0';
	if (!strstr(reply, OB_ERR_LOGIN_BUSY))
		return HELD;
	if (strstr(reply, "from this user"))
		return REFUSED_UID;
	if (strstr(reply, "kept for root"))
		return REFUSED_RESERVE;
	if (strstr(reply, "for this person"))
		return REFUSED_PERSON;
	return REFUSED_OTHER;
}

#define HOLD_CLIENTS 1000

/* Root's own login (sshd, login: real uid 0) of ada, timed. */
static double root_login_of_ada(const char *what, unsigned held)
{
	struct harness_login l;
	double s;

	login_init(&l, "onboard", "ada", PAMTEST_AUTHENTICATE);
	l.secret[0] = NEW_PASSWORD;
	harness_login_run(&l);
	assert_login(&l, PAM_SUCCESS);
	s = l.seconds;
	login_done(&l);
	printf("root's login of ada with %d clients of %s held (%u kept by onboardd): %.1f ms\n",
	       HOLD_CLIENTS, what, held, s * 1000);
	return s;
}

/* An ordinary user once started 260 setuid PAM clients (su) waiting at
 * a prompt, all uid 0 for the daemon, and every login after them was
 * told "not available".  Here 1,000 of one real uid, then 1,000 of as
 * many real uids, are held open, and root's login still goes through:
 * one uid gets max_connections_per_uid (32), one person
 * max_dialogues_per_user (4) dialogues not started by root, and all of
 * them together never the connection_reserve (64) kept for root. */
static void thousand_held_setuid_clients_do_not_block_root_login(void **state)
{
	struct fixture *f = *state;
	static int fds[HOLD_CLIENTS];
	unsigned count[NOT_CONNECTED + 1];
	struct rlimit rl;
	char code[32];

	/* Our 1,000 connections and the module's own need the room. */
	assert_int_equal(getrlimit(RLIMIT_NOFILE, &rl), 0);
	if (rl.rlim_cur < HOLD_CLIENTS + 256) {
		rl.rlim_cur = rl.rlim_max = HOLD_CLIENTS + 256;
		assert_int_equal(setrlimit(RLIMIT_NOFILE, &rl), 0);
	}
	add_person(f, "ada");
	add_person(f, "erin");
	issue_code(f, "ada", code);
	register_with_code("ada", code, NEW_PASSWORD);

	/* One real uid, 1000, as su run by one user 1,000 times. */
	memset(count, 0, sizeof(count));
	for (int i = 0; i < HOLD_CLIENTS; i++) {
		char name[16];

		/* ada and erin often, and 50 other names. */
		snprintf(name, sizeof(name), "n%d", i % 50);
		count[hold_one(f->d.socket, 1000, i % 5 == 0 ? "ada" : i % 5 == 1 ? "erin" : name,
			       &fds[i])]++;
	}
	/* First: on a daemon without these caps, root's login was the
	 * one refused here. */
	root_login_of_ada("one real uid", count[HELD]);
	if (count[HELD] > 32 || count[REFUSED_UID] == 0 || count[REFUSED_PERSON] == 0 ||
	    count[HELD] + count[REFUSED_UID] + count[REFUSED_PERSON] != HOLD_CLIENTS)
		fail_msg("one uid: %u held, %u refused for the uid, %u for a person, %u else",
			 count[HELD], count[REFUSED_UID], count[REFUSED_PERSON],
			 count[REFUSED_OTHER] + count[REFUSED_RESERVE]);
	for (int i = 0; i < HOLD_CLIENTS; i++)
		close(fds[i]);

	/* 1,000 real uids, one client each, for names nobody has: only the
	 * reserve stands between them and root's login. */
	memset(count, 0, sizeof(count));
	for (int i = 0; i < HOLD_CLIENTS; i++) {
		char name[16];

		snprintf(name, sizeof(name), "nobody%d", i);
		count[hold_one(f->d.socket, 2000 + i, name, &fds[i])]++;
	}
	root_login_of_ada("1,000 real uids", count[HELD]);
	if (count[HELD] > 256 - 64 || count[REFUSED_RESERVE] < HOLD_CLIENTS - (256 - 64) ||
	    count[REFUSED_OTHER])
		fail_msg("many uids: %u held, %u refused for the reserve, %u else", count[HELD],
			 count[REFUSED_RESERVE], count[REFUSED_OTHER]);
	for (int i = 0; i < HOLD_CLIENTS; i++)
		close(fds[i]);
}

/* Only uid 0's word about the real uid counts: a process of uid 65534
 * that claims real uid 0 is still 65534, capped as such (here by the
 * dialogues one person may have), not one of root's logins. */
static void real_uid_claim_of_a_non_root_peer_is_ignored(void **state)
{
	struct fixture *f = *state;
	unsigned held = 0;
	int status = 0;
	pid_t pid;

	add_person(f, "ada");
	/* uid 65534 must reach the socket in our directory. */
	assert_int_equal(chmod(harness_dir(), 0711), 0);
	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int fds[12];

		if (setgroups(0, NULL) < 0 || setgid(65534) < 0 || setuid(65534) < 0)
			_exit(255);
		for (int i = 0; i < 12; i++) {
			enum held h = hold_one(f->d.socket, 0, "ada", &fds[i]);

			if (h == NOT_CONNECTED)
				_exit(200);
			held += h == HELD;
		}
		_exit((int)held);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_int_equal(chmod(harness_dir(), 0700), 0);
	assert_true(WIFEXITED(status));
	if (WEXITSTATUS(status) == 200 || WEXITSTATUS(status) == 0)
		fail_msg("uid 65534 could not reach the daemon (status %d)", WEXITSTATUS(status));
	/* A non-root peer may only run its own login: for ada it gets the
	 * perm_denied verdict, but at most 4 connections got that far. */
	if (WEXITSTATUS(status) > 4)
		fail_msg("uid 65534 claiming real uid 0 held %d dialogues for ada",
			 WEXITSTATUS(status));
}

/* A setuid program stopped before its Start (or any uid-0 process whose
 * real uid is not 0) is counted for its real uid as soon as it
 * connects, from /proc, without a word from the module: 40 connections
 * of a process with real uid 1000 and effective uid 0, none saying who
 * it is, and the daemon keeps 32 and tells the other 8 it is busy. */
static void setuid_process_is_counted_for_its_real_uid_before_start(void **state)
{
	struct fixture *f = *state;
	int status = 0;
	pid_t pid;

	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int fds[40];
		unsigned held = 0, busy = 0;

		if (setresuid(1000, 0, 0) < 0)
			_exit(255);
		for (int i = 0; i < 40; i++) {
			char name[16];
			enum held h;

			snprintf(name, sizeof(name), "s%d", i);
			h = hold_one(f->d.socket, -1, name, &fds[i]);
			held += h == HELD;
			busy += h == REFUSED_UID;
		}
		/* The others are told busy, not dropped: a module would
		 * otherwise take a dropped connection for an outage. */
		_exit((int)held + (held + busy == 40 ? 0 : 100));
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	if (WEXITSTATUS(status) != 32)
		fail_msg("a process of real uid 1000 held %d connections (+100: some not told "
			 "busy), want 32", WEXITSTATUS(status));
}

/* The module takes a uid below login.defs' UID_MIN for a system account
 * and never asks the daemon, whose uid_min may be lower (onboardd.conf):
 * a person onboard manages there (sysuser, uid 500, with uid_min = 100)
 * logged in through the rest of the stack alone, without ever being
 * asked for anything by onboard.  A system account the people file
 * lists is asked about now. */
static void managed_account_below_uid_min_is_not_skipped(void **state)
{
	struct fixture *f = *state;
	struct json_object *p = json_object_new_object();
	const char *old = harness_conf_save(), *at;
	char low[HARNESS_CONF_MAX];
	struct harness_login l;
	int r;

	assert_non_null(old);
	at = strstr(old, "uid_min = 1000\n");
	assert_non_null(at);
	snprintf(low, sizeof(low), "%.*suid_min = 100\n%s", (int)(at - old), old,
		 at + strlen("uid_min = 1000\n"));
	assert_int_equal(harness_write_file("onboardd.conf", low), 0);
	r = harness_daemon_restart(&f->d, "");
	assert_int_equal(harness_conf_restore(), 0);
	assert_int_equal(r, 0);
	json_object_object_add(p, "username", json_object_new_string("sysuser"));
	json_object_object_add(p, "first_name", json_object_new_string("Sys"));
	json_object_object_add(p, "last_name", json_object_new_string("User"));
	json_object_object_add(p, "existing_account", json_object_new_boolean(1));
	json_object_object_add(p, "keep_unix_password", json_object_new_boolean(1));
	assert_int_equal(harness_admin_call(&f->d, OB_ADMIN_USER_ADD, p), 0);
	login_init(&l, "onboard", "sysuser", PAMTEST_AUTHENTICATE);
	l.secret[0] = "syspw";
	l.secret[1] = "syspw";
	harness_login_run(&l);
	if (harness_login_said(&l, "Authentication succeeded"))
		fail_msg("onboard's person sysuser (uid 500) logged in through pam_matrix alone");
	assert_login(&l, PAM_AUTH_ERR);
	login_done(&l);
}

/* max_dialogues_per_user keeps others from holding a person's logins,
 * yet it counted the person's own against what others held: four su
 * prompts for bob held by uid 1000 refused bob's own passwd and su
 * (real uid 1001).  Bob's own logins are bounded by his uid's cap, not
 * by what others hold for him; a fifth of uid 1000 is still refused. */
static void others_dialogues_do_not_block_the_persons_own(void **state)
{
	struct fixture *f = *state;
	int fds[4], own, fifth;

	(void)f;
	for (int i = 0; i < 4; i++)
		if (hold_one(f->d.socket, 1000, "bob", &fds[i]) != HELD)
			fail_msg("dialogue %d of uid 1000 for bob was not held", i);
	if (hold_one(f->d.socket, 1000, "bob", &fifth) != REFUSED_PERSON)
		fail_msg("a fifth dialogue of uid 1000 for bob was not refused");
	if (hold_one(f->d.socket, 1001, "bob", &own) != HELD)
		fail_msg("bob's own login (real uid 1001) was refused for what uid 1000 holds");
	close(own);
	close(fifth);
	for (int i = 0; i < 4; i++)
		close(fds[i]);
}

/* sudo runs its PAM conversation with real uid 0 too (it calls
 * setresuid(0, 0, 0) first), so neither /proc nor the module's getuid()
 * told an ordinary user's sudo prompts from root's own logins, which
 * only max_connections bounds: each user could hold every connection
 * with sudo prompts.  sudo names its caller in PAM_RUSER; with real
 * uid 0 the module now counts the login for that account.  Here uid
 * 1001 (bob) holds the 32 connections its cap allows, and a login from
 * a process of real uid 0 that names bob in PAM_RUSER is told busy;
 * one that names nobody (sshd, login) still goes through. */
static void login_with_real_uid_0_is_counted_for_pam_ruser(void **state)
{
	struct fixture *f = *state;
	struct harness_login l;
	int fds[32];
	char code[32];

	add_person(f, "erin");
	issue_code(f, "erin", code);
	for (int i = 0; i < 32; i++) {
		char name[16];

		snprintf(name, sizeof(name), "b%d", i);
		if (hold_one(f->d.socket, 1001, name, &fds[i]) != HELD)
			fail_msg("connection %d of real uid 1001 was not held", i);
	}
	login_init(&l, "onboard-items-ignore", "erin", PAMTEST_AUTHENTICATE);
	l.ruser = "bob";
	l.secret[0] = "erin-matrix-pw";
	l.secret[1] = "erin-matrix-pw";
	harness_login_run(&l);
	assert_login(&l, PAM_AUTH_ERR);
	assert_said(&l, RELAY_TEXT_BUSY);
	login_done(&l);
	/* No PAM_RUSER: root's own login, not bob's. */
	login_init(&l, "onboard-items-ignore", "erin", PAMTEST_AUTHENTICATE);
	l.secret[0] = "erin-matrix-pw";
	l.secret[1] = "erin-matrix-pw";
	harness_login_run(&l);
	assert_login(&l, PAM_AUTH_ERR);
	if (harness_login_said(&l, RELAY_TEXT_BUSY))
		fail_msg("a login without PAM_RUSER was counted for bob");
	login_done(&l);
	for (int i = 0; i < 32; i++)
		close(fds[i]);
}

/* 100,000 bytes typed at each kind of prompt of a real daemon, at the
 * access code (echo off) and at the username confirmation (echo on),
 * then at the password: each is refused as too long, the code stays
 * valid, and the daemon goes on serving the right answers. */
#define HUGE_ANSWER 100000

static void answer_of_100000_bytes_refused_and_daemon_keeps_serving(void **state)
{
	struct fixture *f = *state;
	struct harness_login l;
	char code[32];
	char *huge = malloc(HUGE_ANSWER + 1);

	assert_non_null(huge);
	memset(huge, 'x', HUGE_ANSWER);
	huge[HUGE_ANSWER] = '\0';
	add_person(f, "hugo");
	issue_code(f, "hugo", code);
	login_init(&l, "onboard", "hugo", PAMTEST_AUTHENTICATE);
	l.secret[0] = huge;
	harness_login_run(&l);
	assert_login(&l, PAM_AUTH_ERR);
	assert_said(&l, RELAY_TEXT_TOO_LONG);
	login_done(&l);
	login_init(&l, "onboard", "hugo", PAMTEST_AUTHENTICATE);
	l.secret[0] = code;
	l.text[0] = huge;
	harness_login_run(&l);
	assert_login(&l, PAM_AUTH_ERR);
	assert_said(&l, RELAY_TEXT_TOO_LONG);
	login_done(&l);
	/* The code was not spent, and the daemon still answers. */
	register_with_code("hugo", code, NEW_PASSWORD);
	login_init(&l, "onboard", "hugo", PAMTEST_AUTHENTICATE);
	l.secret[0] = huge;
	harness_login_run(&l);
	assert_login(&l, PAM_AUTH_ERR);
	assert_said(&l, RELAY_TEXT_TOO_LONG);
	login_done(&l);
	free(huge);
	assert_int_equal(auth("onboard", "hugo", NEW_PASSWORD, NULL, NULL, NULL), PAM_SUCCESS);
}

/* --------------------------------------------------------- account phase */

static void account_phase_success_for_registered_person(void **state)
{
	struct fixture *f = *state;
	struct harness_login l;
	char code[32];

	add_person(f, "ada");
	issue_code(f, "ada", code);
	register_with_code("ada", code, NEW_PASSWORD);
	login_init(&l, "onboard-direct", "ada", PAMTEST_ACCOUNT);
	harness_login_run(&l);
	assert_login(&l, PAM_SUCCESS);
	login_done(&l);
	/* ada is not in pam_matrix's file: success=done ends the stack. */
	login_init(&l, "onboard", "ada", PAMTEST_ACCOUNT);
	harness_login_run(&l);
	assert_login(&l, PAM_SUCCESS);
	login_done(&l);
}

static void account_phase_refuses_unfinished_registration(void **state)
{
	struct fixture *f = *state;
	struct harness_login l;
	char code[32];

	add_person(f, "nina");
	issue_code(f, "nina", code);
	login_init(&l, "onboard", "nina", PAMTEST_ACCOUNT);
	harness_login_run(&l);
	assert_login(&l, PAM_PERM_DENIED);
	assert_said(&l, "registration is not finished");
	login_done(&l);
}

static void account_phase_ignore_for_unknown(void **state)
{
	struct harness_login l;

	/* Both unknown to onboard; the next module tells them apart: carol
	 * is in pam_matrix's file for this service, dave is not.  Only
	 * PAM_IGNORE from onboard gives these two different results. */
	login_init(&l, "onboard", "carol", PAMTEST_ACCOUNT);
	harness_login_run(&l);
	assert_login(&l, PAM_SUCCESS);
	login_done(&l);
	login_init(&l, "onboard", "dave", PAMTEST_ACCOUNT);
	harness_login_run(&l);
	assert_login(&l, PAM_PERM_DENIED);
	assert_int_equal(l.nerr, 0);
	login_done(&l);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
#define DAEMON_TEST(t) cmocka_unit_test_setup_teardown(t, with_daemon, teardown)
#define FAKE_TEST(t) cmocka_unit_test_setup_teardown(t, without_daemon, teardown)
		DAEMON_TEST(code_login_sets_password_then_password_login_works),
		DAEMON_TEST(long_multibyte_password_is_not_truncated),
		DAEMON_TEST(password_rehashed_when_the_cost_changes),
		DAEMON_TEST(second_of_two_issued_codes_works_first_does_not),
		DAEMON_TEST(used_code_refused),
		DAEMON_TEST(revoked_code_refused),
		DAEMON_TEST(superseded_code_told_it_was_replaced),
		DAEMON_TEST(code_valid_for_ninety_days_then_expired),
		DAEMON_TEST(wrong_username_confirmation_leaves_code_valid),
		DAEMON_TEST(code_accepted_in_lower_case_without_dashes),
		DAEMON_TEST(weak_first_password_refused_with_the_reason),
		DAEMON_TEST(wrong_password_refused),
		DAEMON_TEST(unknown_user_is_ignored_and_falls_through),
		DAEMON_TEST(root_falls_through_to_next_module),
		DAEMON_TEST(root_falls_through_while_daemon_stopped),
		DAEMON_TEST(sysuser_never_sent_to_daemon),
		DAEMON_TEST(stopped_daemon_gives_authinfo_unavail_within_timeout_plus_one_second),
		FAKE_TEST(hung_daemon_gives_authinfo_unavail_within_timeout_plus_one_second),
		FAKE_TEST(garbage_daemon_gives_authinfo_unavail),
		FAKE_TEST(daemon_not_run_by_root_is_not_trusted),
		FAKE_TEST(busy_daemon_gives_busy_message),
		FAKE_TEST(prompt_in_verdict_reply_fails_closed),
		FAKE_TEST(endless_dialogue_stops_after_the_round_limit),
		FAKE_TEST(unknown_verdict_fails_closed),
		DAEMON_TEST(unavailable_ignore_lets_the_stack_decide),
		FAKE_TEST(dialogue_relays_items_prompts_answers_and_verdict),
		FAKE_TEST(silent_flag_hides_information_but_still_asks),
		FAKE_TEST(answer_longer_than_limit_refused),
		DAEMON_TEST(non_utf8_answer_is_refused_not_ignored),
		DAEMON_TEST(non_utf8_item_does_not_switch_onboard_off),
		DAEMON_TEST(login_with_real_uid_0_is_counted_for_pam_ruser),
		DAEMON_TEST(others_dialogues_do_not_block_the_persons_own),
		DAEMON_TEST(managed_account_below_uid_min_is_not_skipped),
		DAEMON_TEST(people_file_not_written_fails_closed_for_everyone),
		FAKE_TEST(busy_after_the_answer_is_refused_not_ignored),
		FAKE_TEST(dropped_after_the_answer_is_refused_not_ignored),
		FAKE_TEST(hung_before_start_still_ignored_with_unavailable_ignore),
		DAEMON_TEST(daemon_writes_the_people_file),
		DAEMON_TEST(daemon_down_unmanaged_user_goes_on_managed_fails_closed),
		FAKE_TEST(hung_daemon_unmanaged_user_goes_on_managed_fails_closed),
		DAEMON_TEST(untrustworthy_people_file_fails_closed),
		DAEMON_TEST(thousand_held_setuid_clients_do_not_block_root_login),
		DAEMON_TEST(real_uid_claim_of_a_non_root_peer_is_ignored),
		DAEMON_TEST(setuid_process_is_counted_for_its_real_uid_before_start),
		DAEMON_TEST(answer_of_100000_bytes_refused_and_daemon_keeps_serving),
		DAEMON_TEST(account_phase_success_for_registered_person),
		DAEMON_TEST(account_phase_refuses_unfinished_registration),
		DAEMON_TEST(account_phase_ignore_for_unknown),
#undef DAEMON_TEST
#undef FAKE_TEST
	};

	/* onboardd lets only uid 0 administer and run logins for other
	 * users, and the kernel tells it who we are: no wrapper can fake it. */
	return HARNESS_MAIN("test_pam_login", HARNESS_WHY_ROOT, prepare, tests);
}
