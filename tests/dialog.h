/* SPDX-License-Identifier: BSD-3-Clause */
/* A person at a login prompt, for the PAM tests: answers given in order,
 * everything shown kept, and authenticator codes computed by oathtool
 * from the key the enrolment showed. */
#ifndef OB_TEST_DIALOG_H
#define OB_TEST_DIALOG_H

#include <stdbool.h>
#include <stddef.h>
#include <libpamtest.h>

#include "harness.h"

#define DIALOG_MAX_ANSWERS 12
#define DIALOG_KEY_LINE "Or add the key by hand: "
/* The key as a graphical greeter shows it (graphical_services). */
#define DIALOG_KEY_LINE_PLAIN "Key: "

/* Answers go to the prompts in order.  "@TOTP" is the authenticator code
 * for now, "@TOTP+30" for 30 seconds later (the next step), "@TOTP-120"
 * out of the window, computed from key. */
struct dialog {
	const char *answers[DIALOG_MAX_ANSWERS];
	size_t next;
	char key[80];        /* base32, from the enrolment or given */
	/* oathtool's options for "@TOTP" answers, e.g. "--totp=sha256
	 * --digits=8"; NULL: its defaults (sha1, 6 digits, 30 s). */
	const char *oath_opts;
	char last_code[16];  /* the last authenticator code answered */
	char prompts[2048];  /* every prompt, separated by '|' */
	char shown[16384];   /* every info and error message */
	int rv;              /* what the PAM call returned */
	/* When a prompt containing reset_at appears, the administrator resets
	 * reset_user's authenticator (through daemon) before the answer. */
	const char *reset_at, *reset_user;
	const struct harness_daemon *daemon;
	/* PAM_RHOST and PAM_TTY for pam_set_items.so, when the service has
	 * it (NULL: not set); PAM_USER after the call ("" when unset). */
	const char *rhost, *tty;
	char user_out[64];
	/* The longest message or prompt the module passed, in bytes without
	 * its NUL, with its first bytes and how many messages there were;
	 * and the last info or error message before the last prompt. */
	size_t longest, nmessages;
	/* The most bytes one conversation call carried: each message's
	 * length plus 8 (LightDM's style and length words), summed. */
	size_t longest_call;
	char longest_head[80];
	char last_info[1024], before_prompt[1024];
};

/* The code oathtool computes for key at now + offset seconds. */
void dialog_oathtool_code(const char *key, long offset, char out[16]);
/* The same with oathtool's options opts (NULL: none). */
void dialog_oathtool_code_opts(const char *key, long offset, const char *opts, char out[16]);

/* Whether an executable prog is on PATH (tests skip without oathtool). */
bool dialog_on_path(const char *prog);

/* Run one PAM operation for user through service with dl as the person. */
void dialog_run(struct dialog *dl, const char *service, const char *user, enum pamtest_ops op);

/* Fail the test unless the call returned rv and (when not NULL) fragment
 * was shown or asked. */
void dialog_expect(const struct dialog *dl, int rv, const char *fragment);

/* harness_main for tests that answer authenticator codes: skip (77)
 * without oathtool first. */
int dialog_main(int argc, char **argv, const char *name, const char *why_root,
		harness_prepare_fn prepare, const struct CMUnitTest *tests, size_t n);
/* The same with n counted from the array tests. */
#define DIALOG_MAIN(name, why_root, prepare, tests) \
	dialog_main(argc, argv, name, why_root, prepare, tests, sizeof(tests) / sizeof((tests)[0]))

#endif
