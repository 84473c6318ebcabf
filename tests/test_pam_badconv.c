/* SPDX-License-Identifier: BSD-3-Clause */
/* The PAM conversation's rows of the bad-input table (issue 16; the
 * other surfaces are tests/test_bad_inputs.sh): an application whose
 * conversation function returns no replies, a NULL answer, 10 KiB or
 * invalid UTF-8, or fails, at the first prompt or further on.  Each
 * row: the PAM result it must get (never a success, never a crash),
 * at most one error line told to the person, and afterwards nothing lost:
 * the person and their access code are as they were, and the code
 * still registers them through a sound conversation, which is also
 * the daemon serving everyone else. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <security/pam_appl.h>

#include "harness.h"
#include "ob_protocol.h"

#define USER "pat"
#define NEW_PASSWORD "Tr0ub4dor&3-horse"
#define BIG_ANSWER (10 * 1024)

enum conv_mode {
	CONV_NO_REPLIES,      /* PAM_SUCCESS and *resp NULL */
	CONV_NULL_ANSWER,     /* a reply whose resp is NULL */
	CONV_10K_ANSWER,      /* 10 KiB typed at the prompt */
	CONV_INVALID_UTF8,    /* bytes that are not UTF-8 */
	CONV_FAILS,           /* the function returns PAM_CONV_ERR */
	CONV_BUF_ERR,         /* the function returns PAM_BUF_ERR */
	CONV_FAILS_LATER,     /* right code, then PAM_CONV_ERR at the username */
	CONV_NULL_LATER,      /* right code and username, NULL new password */
};

struct conv_state {
	enum conv_mode mode;
	const char *code;
	unsigned asked;  /* prompts seen */
	unsigned errors; /* error lines shown */
	char said[2048]; /* what was shown, for the failure message */
};

static char *dup_answer(const char *s)
{
	char *r = strdup(s);

	if (!r)
		abort();
	return r;
}

/* Answers the good dialogue up to where the mode breaks it. */
static char *good_answer(struct conv_state *st, int style)
{
	/* The access code, the username typed back, then the password. */
	if (style == PAM_PROMPT_ECHO_ON)
		return dup_answer(USER);
	if (st->asked == 1)
		return dup_answer(st->code);
	return dup_answer(NEW_PASSWORD);
}

static int bad_conv(int n, const struct pam_message **msg, struct pam_response **resp,
		    void *data)
{
	struct conv_state *st = data;
	struct pam_response *r;

	*resp = NULL;
	for (int i = 0; i < n; i++) {
		size_t used = strlen(st->said);

		if (msg[i]->msg_style == PAM_ERROR_MSG)
			st->errors++;
		if (msg[i]->msg_style == PAM_ERROR_MSG || msg[i]->msg_style == PAM_TEXT_INFO)
			snprintf(st->said + used, sizeof(st->said) - used, "[%s] ", msg[i]->msg);
	}
	switch (st->mode) {
	case CONV_FAILS:
		return PAM_CONV_ERR;
	case CONV_BUF_ERR:
		return PAM_BUF_ERR;
	case CONV_NO_REPLIES:
		return PAM_SUCCESS;
	default:
		break;
	}
	r = calloc((size_t)n, sizeof(*r));
	if (!r)
		return PAM_BUF_ERR;
	for (int i = 0; i < n; i++) {
		int style = msg[i]->msg_style;

		if (style != PAM_PROMPT_ECHO_OFF && style != PAM_PROMPT_ECHO_ON)
			continue;
		st->asked++;
		switch (st->mode) {
		case CONV_NULL_ANSWER:
			break;
		case CONV_10K_ANSWER: {
			char *big = malloc(BIG_ANSWER + 1);

			if (!big)
				abort();
			memset(big, 'A', BIG_ANSWER);
			big[BIG_ANSWER] = '\0';
			r[i].resp = big;
			break;
		}
		case CONV_INVALID_UTF8:
			r[i].resp = dup_answer("\xff\xfe\xc0\xaf");
			break;
		case CONV_FAILS_LATER:
			if (style == PAM_PROMPT_ECHO_ON) {
				for (int j = 0; j < n; j++)
					free(r[j].resp);
				free(r);
				return PAM_CONV_ERR;
			}
			r[i].resp = good_answer(st, style);
			break;
		case CONV_NULL_LATER:
			r[i].resp = st->asked <= 2 ? good_answer(st, style) : NULL;
			break;
		default:
			break;
		}
	}
	*resp = r;
	return PAM_SUCCESS;
}

/* The person and every code's status, as onboardd lists them. */
static char *snapshot(const struct harness_daemon *d)
{
	struct json_object *reply = NULL, *p = NULL, *params;
	char *out = NULL;
	int r;

	params = json_object_new_object();
	json_object_object_add(params, "username", json_object_new_string(USER));
	r = harness_admin_reply(d, OB_ADMIN_USER_SHOW, params, &reply, &p);
	assert_int_equal(r, 0);
	out = strdup(json_object_to_json_string_ext(p, JSON_C_TO_STRING_PLAIN));
	json_object_put(reply);
	r = harness_admin_reply(d, OB_ADMIN_CODE_LIST, json_object_new_object(), &reply, &p);
	assert_int_equal(r, 0);
	assert_non_null(out);
	{
		const char *codes = json_object_to_json_string_ext(p, JSON_C_TO_STRING_PLAIN);
		char *both = malloc(strlen(out) + strlen(codes) + 2);

		assert_non_null(both);
		sprintf(both, "%s\n%s", out, codes);
		free(out);
		out = both;
	}
	json_object_put(reply);
	return out;
}

/* One row: mode's conversation gets want, at most one error line (with
 * said in it, when given); nothing changed; the code still works. */
static void row(void **state, enum conv_mode mode, int want, const char *said)
{
	struct harness_daemon *d = *state;
	struct conv_state st = { .mode = mode };
	struct pam_testcase tests[] = { pam_test(PAMTEST_AUTHENTICATE, want) };
	struct harness_login good;
	char code[32], *before, *after;
	enum pamtest_err perr;

	assert_int_equal(harness_user_add(d, USER, "Pat", "Row"), 0);
	assert_int_equal(harness_code_issue(d, USER, 0, code, NULL), 0);
	st.code = code;
	before = snapshot(d);

	/* libpamtest.h's run_pamtest_conv macro has a parenthesis misplaced. */
	perr = _pamtest_conv("onboard", USER, bad_conv, &st, tests, 1, NULL);
	if (perr != PAMTEST_ERR_OK)
		fail_msg("expected %s, got %s (%s); shown: %s", pam_strerror(NULL, want),
			 pam_strerror(NULL, tests[0].op_rv), pamtest_strerror(perr), st.said);
	if (st.errors > 1)
		fail_msg("more than one error line shown: %s", st.said);
	if (said && !strstr(st.said, said))
		fail_msg("expected \"%s\" shown, got: %s", said, st.said);

	after = snapshot(d);
	if (strcmp(before, after) != 0)
		fail_msg("the person or the codes changed:\n%s\n%s", before, after);
	free(before);
	free(after);

	/* The code was not used up: a sound conversation registers with it. */
	memset(&good, 0, sizeof(good));
	good.service = "onboard";
	good.user = USER;
	good.op = PAMTEST_AUTHENTICATE;
	good.secret[0] = code;
	good.secret[1] = NEW_PASSWORD;
	good.secret[2] = NEW_PASSWORD;
	good.text[0] = USER;
	harness_login_run(&good);
	free(good.user_out);
	if (good.rv != PAM_SUCCESS) {
		char buf[2048];

		fail_msg("registering with the code afterwards: %s; %s",
			 pam_strerror(NULL, good.rv),
			 harness_login_transcript(&good, buf, sizeof(buf)));
	}
}

static void pam_conv_no_replies_fails_closed_and_code_survives(void **state)
{
	row(state, CONV_NO_REPLIES, PAM_CONV_ERR, NULL);
}

static void pam_conv_null_answer_fails_closed_and_code_survives(void **state)
{
	row(state, CONV_NULL_ANSWER, PAM_CONV_ERR, NULL);
}

static void pam_conv_10k_answer_is_refused_in_one_line_and_code_survives(void **state)
{
	row(state, CONV_10K_ANSWER, PAM_AUTH_ERR, "Input too long.");
}

static void pam_conv_invalid_utf8_is_refused_in_one_line_and_code_survives(void **state)
{
	row(state, CONV_INVALID_UTF8, PAM_AUTH_ERR, "not valid text (UTF-8)");
}

static void pam_conv_failing_function_gives_conv_err_and_code_survives(void **state)
{
	row(state, CONV_FAILS, PAM_CONV_ERR, NULL);
}

static void pam_conv_out_of_memory_gives_conv_err_and_code_survives(void **state)
{
	row(state, CONV_BUF_ERR, PAM_CONV_ERR, NULL);
}

static void pam_conv_failing_after_the_code_leaves_it_unused(void **state)
{
	row(state, CONV_FAILS_LATER, PAM_CONV_ERR, NULL);
}

static void pam_conv_null_new_password_leaves_the_code_unused(void **state)
{
	row(state, CONV_NULL_LATER, PAM_CONV_ERR, NULL);
}

static int prepare(const char *dir)
{
	const char *so = harness_module();
	char sock[4096];

	(void)dir;
	/* The rows are about the conversation, not the second factor. */
	if (harness_append_file("onboardd.conf", "mfa = optional\n") < 0)
		return -1;
	harness_path(sock, sizeof(sock), "onboardd.sock");
	/* The module alone: what it returns is what PAM returns. */
	return harness_write_service("onboard", "auth required %s socket=%s timeout=5\n", so, sock);
}

static int start(void **state)
{
	return harness_fixture_start(state, sizeof(struct harness_daemon));
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
#define ROW(t) cmocka_unit_test_setup_teardown(t, start, harness_fixture_stop)
		ROW(pam_conv_no_replies_fails_closed_and_code_survives),
		ROW(pam_conv_null_answer_fails_closed_and_code_survives),
		ROW(pam_conv_10k_answer_is_refused_in_one_line_and_code_survives),
		ROW(pam_conv_invalid_utf8_is_refused_in_one_line_and_code_survives),
		ROW(pam_conv_failing_function_gives_conv_err_and_code_survives),
		ROW(pam_conv_out_of_memory_gives_conv_err_and_code_survives),
		ROW(pam_conv_failing_after_the_code_leaves_it_unused),
		ROW(pam_conv_null_new_password_leaves_the_code_unused),
#undef ROW
	};

	return HARNESS_MAIN("test_pam_badconv", HARNESS_WHY_ROOT, prepare, tests);
}
