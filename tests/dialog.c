/* SPDX-License-Identifier: BSD-3-Clause */
/* The person at the prompt, for the PAM tests (see dialog.h). */
#include "config.h"

#include <ctype.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>
#include <json-c/json.h>
#include <security/pam_appl.h>

#include "dialog.h"
#include "ob_protocol.h"

static bool key_ok(const char *key)
{
	if (!key[0])
		return false;
	for (const char *p = key; *p; p++)
		if (!(isupper((unsigned char)*p) || (*p >= '2' && *p <= '7')))
			return false;
	return true;
}

/* The code oathtool computes for key at now + offset. */
void dialog_oathtool_code(const char *key, long offset, char out[16])
{
	dialog_oathtool_code_opts(key, offset, NULL, out);
}

void dialog_oathtool_code_opts(const char *key, long offset, const char *opts, char out[16])
{
	char cmd[320];
	FILE *p;

	if (!key_ok(key))
		fail_msg("no authenticator key was shown or given (\"%s\")", key);
	/* oathtool is not ours: none of the test's preloads (sanitizers,
	 * wrappers) for it. */
	snprintf(cmd, sizeof(cmd), "env -u LD_PRELOAD oathtool %s -b --now=@%lld %s",
		 opts ? opts : "--totp", (long long)time(NULL) + offset, key);
	p = popen(cmd, "r");
	if (!p || !fgets(out, 16, p))
		fail_msg("oathtool did not answer: %s", cmd);
	pclose(p);
	out[strcspn(out, "\n")] = '\0';
}

static void append(char *buf, size_t size, const char *text, const char *sep)
{
	size_t n = strlen(buf);

	snprintf(buf + n, size - n, "%s%s", text, sep);
}

/* Keep the key the enrolment shows ("Or add the key by hand: ABCD EFGH"). */
static void catch_key(struct dialog *dl, const char *msg)
{
	const char *k = strstr(msg, DIALOG_KEY_LINE), *line = DIALOG_KEY_LINE;
	size_t n = 0;

	if (!k) {
		/* "Key: " at the start of a line of the message. */
		line = DIALOG_KEY_LINE_PLAIN;
		k = strncmp(msg, line, strlen(line)) == 0 ? msg : NULL;
		for (const char *nl = msg; !k && (nl = strchr(nl, '\n')); nl++)
			if (strncmp(nl + 1, line, strlen(line)) == 0)
				k = nl + 1;
	}
	if (!k)
		return;
	for (k += strlen(line); *k && *k != '\n' && n + 1 < sizeof(dl->key); k++)
		if (*k != ' ')
			dl->key[n++] = *k;
	dl->key[n] = '\0';
}

static const char *answer(struct dialog *dl)
{
	const char *a;

	if (dl->next >= DIALOG_MAX_ANSWERS || !dl->answers[dl->next])
		return NULL;
	a = dl->answers[dl->next++];
	if (strncmp(a, "@TOTP", 5) != 0)
		return a;
	dialog_oathtool_code_opts(dl->key, a[5] ? strtol(a + 5, NULL, 10) : 0, dl->oath_opts,
				  dl->last_code);
	return dl->last_code;
}

static int conv(int n, const struct pam_message **msg, struct pam_response **resp, void *data)
{
	struct dialog *dl = data;
	struct pam_response *r = calloc((size_t)n, sizeof(*r));
	size_t call = 0;

	if (!r)
		return PAM_BUF_ERR;
	for (int i = 0; i < n; i++)
		call += strlen(msg[i]->msg) + 8;
	if (call > dl->longest_call)
		dl->longest_call = call;
	for (int i = 0; i < n; i++) {
		size_t len = strlen(msg[i]->msg);
		const char *a;

		dl->nmessages++;
		if (len > dl->longest) {
			dl->longest = len;
			snprintf(dl->longest_head, sizeof(dl->longest_head), "%s", msg[i]->msg);
		}
		switch (msg[i]->msg_style) {
		case PAM_PROMPT_ECHO_OFF:
		case PAM_PROMPT_ECHO_ON:
			append(dl->prompts, sizeof(dl->prompts), msg[i]->msg, "|");
			memcpy(dl->before_prompt, dl->last_info, sizeof(dl->last_info));
			if (dl->reset_at && strstr(msg[i]->msg, dl->reset_at)) {
				struct json_object *p = json_object_new_object();

				json_object_object_add(p, "username",
						       json_object_new_string(dl->reset_user));
				if (harness_admin_call(dl->daemon, OB_ADMIN_MFA_RESET, p) != 0)
					fail_msg("the reset during the login failed");
			}
			a = answer(dl);
			if (!a) {
				for (int j = 0; j < i; j++)
					free(r[j].resp);
				free(r);
				return PAM_CONV_ERR;
			}
			r[i].resp = strdup(a);
			break;
		default:
			catch_key(dl, msg[i]->msg);
			snprintf(dl->last_info, sizeof(dl->last_info), "%s", msg[i]->msg);
			append(dl->shown, sizeof(dl->shown), msg[i]->msg, "\n");
			break;
		}
	}
	*resp = r;
	return PAM_SUCCESS;
}

void dialog_run(struct dialog *dl, const char *service, const char *user, enum pamtest_ops op)
{
	/* The handle is kept first: libpamtest stops at a failing case and
	 * ends the handle unless a keep came before, and PAM_USER must be
	 * read after a refusal too (a refusal names nobody). */
	struct pam_testcase tests[] = { pam_test(PAMTEST_KEEPHANDLE, PAM_SUCCESS),
					pam_test(op, PAM_SUCCESS) };
	enum pamtest_err perr;
	pam_handle_t *ph;
	const void *u = NULL;

	harness_item_env("PAM_RHOST", dl->rhost);
	harness_item_env("PAM_TTY", dl->tty);
	dl->user_out[0] = '\0';
	/* libpamtest 1.1's run_pamtest_conv macro misplaces a parenthesis:
	 * call the function behind it. */
	perr = _pamtest_conv(service, user, conv, dl, tests, sizeof(tests) / sizeof(tests[0]),
			     NULL);
	harness_item_env("PAM_RHOST", NULL);
	harness_item_env("PAM_TTY", NULL);
	dl->rv = tests[1].op_rv;
	ph = tests[0].case_out.ph;
	if (ph) {
		if (pam_get_item(ph, PAM_USER, &u) == PAM_SUCCESS && u)
			snprintf(dl->user_out, sizeof(dl->user_out), "%s", (const char *)u);
		pam_end(ph, dl->rv);
	}
	if (perr != PAMTEST_ERR_OK && perr != PAMTEST_ERR_CASE)
		fail_msg("libpamtest failed: %s", pamtest_strerror(perr));
	if (!ph)
		fail_msg("libpamtest kept no PAM handle");
}

void dialog_expect(const struct dialog *dl, int rv, const char *fragment)
{
	if (dl->rv != rv)
		fail_msg("login gave %s, want %s\nprompts: %s\nshown:\n%s", pam_strerror(NULL, dl->rv),
			 pam_strerror(NULL, rv), dl->prompts, dl->shown);
	if (fragment && !strstr(dl->shown, fragment) && !strstr(dl->prompts, fragment))
		fail_msg("\"%s\" was not shown\nprompts: %s\nshown:\n%s", fragment, dl->prompts,
			 dl->shown);
}

bool dialog_on_path(const char *prog)
{
	const char *path = getenv("PATH");
	char dir[PATH_MAX], file[PATH_MAX + 64];

	while (path && *path) {
		size_t n = strcspn(path, ":");

		snprintf(dir, sizeof(dir), "%.*s", (int)n, path);
		snprintf(file, sizeof(file), "%s/%s", dir[0] ? dir : ".", prog);
		if (access(file, X_OK) == 0)
			return true;
		path += n + (path[n] == ':');
	}
	return false;
}

int dialog_main(int argc, char **argv, const char *name, const char *why_root,
		harness_prepare_fn prepare, const struct CMUnitTest *tests, size_t n)
{
	if (!dialog_on_path("oathtool")) {
		printf("SKIP: oathtool is not installed\n");
		return 77;
	}
	return harness_main(argc, argv, name, why_root, prepare, tests, n);
}
