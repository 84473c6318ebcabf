/* SPDX-License-Identifier: BSD-3-Clause */
/* What the PAM tests share: a temporary directory with a passwd file,
 * a daemon configuration and PAM service files; the test process under
 * pam_wrapper and nss_wrapper; a real onboardd to start and stop; admin
 * calls; stand-in daemons that misbehave; and one PAM transaction run
 * through libpamtest with its messages captured. */
#ifndef OB_HARNESS_H
#define OB_HARNESS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <json-c/json.h>
#include <libpamtest.h>

#define HARNESS_MAX_ANSWERS 48
#define HARNESS_MAX_LINES 64
#define HARNESS_LINE_MAX 1100 /* libpamtest copies at most PAM_MAX_MSG_SIZE (512) */

/* Called in the supervising process, before the re-execution, with the
 * test directory: writes what must exist when pam_wrapper starts (the
 * service files).  Returns 0 or -errno. */
typedef int (*harness_prepare_fn)(const char *dir);

/* First thing in main().  Without PAM_WRAPPER in the environment it makes
 * the test directory, writes passwd, group and onboardd.conf, calls
 * prepare, runs this same binary again under the wrappers, removes the
 * directory and exits with the run's status: it returns only in the
 * re-executed process.  See harness.c for why. */
void harness_init(int argc, char **argv, harness_prepare_fn prepare);

/* The test directory, and paths in it. */
const char *harness_dir(void);
/* Write DIR/pam.d/name, a PAM service file, from a printf format.
 * Returns 0 or -errno (-ENAMETOOLONG when it is over 4 KiB). */
int harness_write_service(const char *name, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* DIR/name into buf; aborts the test run if it does not fit. */
const char *harness_path(char *buf, size_t size, const char *name);

/* Write DIR/name (mode 0600) with the given contents. Returns 0 or -errno. */
int harness_write_file(const char *name, const char *text);
/* Append text to DIR/name (created 0600 when missing). */
int harness_append_file(const char *name, const char *text);

/* DIR/name into buf (size bytes with the NUL; a longer file is cut):
 * the number of bytes read, or -errno with buf "". */
ssize_t harness_read_file(const char *name, char *buf, size_t size);

/* The most of onboardd.conf harness_conf_save keeps. */
#define HARNESS_CONF_MAX 4096
/* Keep onboardd.conf as it is now, for a test about to change it:
 * harness_fixture_stop puts it back (a second call in the same test
 * keeps the first copy).  Returns the text kept, or NULL
 * when it cannot be read whole. */
const char *harness_conf_save(void);
/* Put back what harness_conf_save kept, if anything.  0 or -errno. */
int harness_conf_restore(void);

/* The module under test, the wrapper modules' directory. */
const char *harness_module(void);
const char *harness_wrapper_modules(void);

/* -------------------------------------------------------------- onboardd */

struct harness_daemon {
	pid_t pid;
	char socket[108];
	char state[256];
	char log[256];
	char faketime[32]; /* libfaketime's FAKETIME for the daemon, or "" */
};

/* Start onboardd on DIR/onboardd.sock with a fresh state directory and
 * wait, at most 10 s, until it accepts connections.  Returns 0 or -errno
 * (its log is printed when it does not come up). */
int harness_daemon_start(struct harness_daemon *d);
/* SIGTERM and wait, at most 10 s.  Returns the exit status (0 for a clean
 * stop), or -1 when it had to be killed.  Its log is printed when the stop
 * was not clean. Calling it on a stopped daemon returns 0. */
int harness_daemon_stop(struct harness_daemon *d);
/* Stop the daemon and start it again on the same state directory with
 * its clock moved by offset (libfaketime's FAKETIME form, e.g. "+90d";
 * "" for the real clock).  Returns 0 or -errno; -ENOENT when libfaketime
 * is not installed. */
int harness_daemon_restart(struct harness_daemon *d, const char *offset);

/* Admin calls straight to the daemon.  Each returns 0, or -errno, or 1
 * for an error reply (printed on stderr). */
int harness_user_add(const struct harness_daemon *d, const char *username, const char *first,
		     const char *last);
/* lifetime in seconds, 0 for the daemon's default; code gets the code as
 * shown (ABCD-EFGH-JKMN-PQRS), expires its expiry (may be NULL). */
int harness_code_issue(const struct harness_daemon *d, const char *username, long long lifetime,
		       char code[32], long long *expires);
int harness_code_revoke(const struct harness_daemon *d, const char *username);
/* The same as harness_code_issue, optionally with reset_mfa. */
int harness_code_issue_ex(const struct harness_daemon *d, const char *username,
			  long long lifetime, bool reset_mfa, char code[32], long long *expires);
/* Any admin call; params is taken over.  0, -errno, or 1 for an error
 * reply (printed). */
int harness_admin_call(const struct harness_daemon *d, const char *method,
		       struct json_object *params);
/* The same, keeping a success reply: *reply (release it) and *rparams,
 * borrowed from it. */
int harness_admin_reply(const struct harness_daemon *d, const char *method,
			struct json_object *params, struct json_object **reply,
			struct json_object **rparams);

/* ------------------------------------------------------ stand-in daemons */

enum harness_fake {
	FAKE_HUNG,              /* accepts, reads, never answers */
	FAKE_GARBAGE,           /* answers "not json" */
	FAKE_BUSY,              /* answers io.onboard.Login.Busy */
	FAKE_PROMPT_IN_VERDICT, /* a prompt in the reply with verdict success */
	FAKE_ENDLESS,           /* asks forever, never a verdict */
	FAKE_UNKNOWN_VERDICT,   /* verdict "welcome" */
	FAKE_ECHO,              /* asks three things, records, verdict success
				 * with user = the text answer */
	FAKE_ECHO_NOT_ROOT,     /* FAKE_ECHO, listening as uid 65534 */
	FAKE_BUSY_ON_ANSWER,    /* asks a secret, answers it with Busy */
	FAKE_DROP_ON_ANSWER,    /* asks a secret, hangs up on the answer */
	FAKE_LONG_MESSAGE,      /* a message of 512 bytes before a prompt */
};

/* A child process serving path the way mode says, until stopped.  In
 * FAKE_ECHO it appends each dialogue to DIR/fake.log (emptied here) as
 * one JSON line {"start": {...}, "answers": [...]}.  Returns the pid or
 * -errno. */
pid_t harness_fake_start(const char *path, enum harness_fake mode);
void harness_fake_stop(pid_t pid);

/* A listening socket nobody serves: connections wait in its backlog,
 * where harness_tripwire_touched finds them. Returns the fd or -errno. */
int harness_tripwire_open(const char *path);
/* Whether anything connected since it was opened. */
bool harness_tripwire_touched(int fd);

/* ------------------------------------------------------- a PAM transaction */

struct harness_login {
	/* in */
	const char *service;
	const char *user;
	enum pamtest_ops op;                     /* PAMTEST_AUTHENTICATE or _ACCOUNT */
	int flags;                               /* PAM flags of the call (PAM_SILENT) */
	const char *secret[HARNESS_MAX_ANSWERS]; /* answers to echo-off prompts */
	const char *text[HARNESS_MAX_ANSWERS];   /* answers to echo-on prompts */
	const char *rhost, *ruser, *tty;         /* PAM items, when set */
	/* out */
	int rv;         /* what the PAM call returned */
	char *user_out; /* PAM_USER afterwards (free) */
	double seconds; /* how long the call took */
	size_t ninfo, nerr;
	char info[HARNESS_MAX_LINES][HARNESS_LINE_MAX];
	char err[HARNESS_MAX_LINES][HARNESS_LINE_MAX];
};

/* Run l->op for l->user through service.  Fails the test when libpamtest
 * itself fails. */
void harness_login_run(struct harness_login *l);
/* Whether an info or error line contains fragment. */
bool harness_login_said(const struct harness_login *l, const char *fragment);
/* Set var to value, or unset it for NULL: PAM items for pam_set_items.so. */
void harness_item_env(const char *var, const char *value);
/* All lines, for failure messages. */
const char *harness_login_transcript(const struct harness_login *l, char *buf, size_t size);

/* ------------------------------------------------------------ fixtures */

struct CMUnitTest;

/* A cmocka setup and teardown for fixtures whose first member is a
 * struct harness_daemon: start sets *state to a zeroed fixture of size
 * bytes with its daemon running; stop stops the daemon (-1 when it did
 * not stop cleanly), frees the fixture and puts back onboardd.conf when
 * the test saved it (harness_conf_save). */
int harness_fixture_start(void **state, size_t size);
int harness_fixture_stop(void **state);

/* main() of a PAM test named name: skip (77) unless root, saying why_root;
 * then harness_init(prepare), OB_TEST_FILTER=pattern to run only the
 * matching tests, and the n tests. */
int harness_main(int argc, char **argv, const char *name, const char *why_root,
		 harness_prepare_fn prepare, const struct CMUnitTest *tests, size_t n);
/* The same with n counted from the array tests. */
#define HARNESS_MAIN(name, why_root, prepare, tests) \
	harness_main(argc, argv, name, why_root, prepare, tests, sizeof(tests) / sizeof((tests)[0]))
/* Why most PAM tests need root. */
#define HARNESS_WHY_ROOT "onboardd trusts only uid 0 to log in other users"

#endif
