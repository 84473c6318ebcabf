/* SPDX-License-Identifier: BSD-3-Clause */
/* bench_pam: onboard's figures through the real pam_onboard.so, the way
 * sshd or login calls it, with the service file in a directory of the
 * bench's own (pam_start_confdir: nothing under /etc is touched).
 *   acct   pam_acct_mgmt for one user, COUNT times on one handle: each
 *          call is the module's whole account phase (the account lookup,
 *          a connection, the daemon's answer);
 *   login  access-code logins (pam_authenticate, answering the daemon's
 *          prompts: the code, the username, a new password twice) for the
 *          people of a CSV file as `onboardctl code issue --all-without-email`
 *          writes it, or for one --user with its --code.  Each login's last
 *          step (from the new password's answer to the verdict: the hash
 *          on a worker, the redemption of the code, the reply) is timed.
 * It prints "key value" lines for bench/goals.sh, and asserts nothing. */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <security/pam_appl.h>

#include "bench_args.h"
#include "bench_stats.h"

#define BP_MAX_PEOPLE 100000

struct bp_person {
	char user[64];
	char code[64];
};

/* What the conversation answers, and when it last answered. */
struct bp_conv {
	const struct bp_person *who;
	char password[64];
	double answered;
	unsigned prompts;
};

/* Answer each prompt by what it asks for; information is only read. */
static int bp_converse(int n, const struct pam_message **msg, struct pam_response **resp,
		       void *data)
{
	struct bp_conv *c = data;
	struct pam_response *r = calloc((size_t)n, sizeof(*r));
	unsigned asked = c->prompts;

	if (!r)
		return PAM_BUF_ERR;
	for (int i = 0; i < n; i++) {
		const char *q = msg[i]->msg ? msg[i]->msg : "", *a = NULL;

		if (msg[i]->msg_style != PAM_PROMPT_ECHO_OFF &&
		    msg[i]->msg_style != PAM_PROMPT_ECHO_ON)
			continue;
		c->prompts++;
		if (strcasestr(q, "code"))
			a = c->who->code;
		else if (strcasestr(q, "username"))
			a = c->who->user;
		else if (strcasestr(q, "password"))
			a = c->password;
		if (!a) {
			fprintf(stderr, "bench_pam: no answer for the prompt \"%s\"\n", q);
			free(r);
			return PAM_CONV_ERR;
		}
		r[i].resp = strdup(a);
	}
	*resp = r;
	/* A message that only informs ends no step: the clock runs from the
	 * last answer. */
	if (c->prompts != asked)
		c->answered = bench_now();
	return PAM_SUCCESS;
}

static int bp_acct(const char *confdir, const char *service, const char *user,
		   unsigned long count)
{
	struct bp_person nobody = { "", "" };
	struct bp_conv c = { .who = &nobody };
	struct pam_conv conv = { bp_converse, &c };
	pam_handle_t *pamh = NULL;
	double *lat = calloc(count, sizeof(*lat));
	int r, first = PAM_SUCCESS;

	if (!lat)
		return 1;
	r = pam_start_confdir(service, user, &conv, confdir, &pamh);
	if (r != PAM_SUCCESS) {
		fprintf(stderr, "bench_pam: pam_start_confdir: %s\n", pam_strerror(pamh, r));
		return 1;
	}
	pam_set_item(pamh, PAM_RHOST, "192.0.2.7");
	for (unsigned long i = 0; i < count; i++) {
		double t0 = bench_now();

		r = pam_acct_mgmt(pamh, PAM_SILENT);
		lat[i] = bench_now() - t0;
		if (i == 0)
			first = r;
	}
	printf("acct_result %s\n", first == PAM_SUCCESS ? "success" : "failure");
	if (first != PAM_SUCCESS)
		fprintf(stderr, "bench_pam: pam_acct_mgmt for %s: %s\n", user,
			pam_strerror(pamh, first));
	bench_report_us("acct", lat, count);
	pam_end(pamh, r);
	free(lat);
	return first == PAM_SUCCESS ? 0 : 1;
}

/* The people of a code file: username,first_name,last_name,code,expires. */
static size_t bp_read_codes(const char *path, struct bp_person *people, size_t max)
{
	char line[512];
	size_t n = 0;
	FILE *f = fopen(path, "re");

	if (!f) {
		fprintf(stderr, "bench_pam: %s: %s\n", path, strerror(errno));
		return 0;
	}
	while (n < max && fgets(line, sizeof(line), f)) {
		char *save = NULL, *user = strtok_r(line, ",\r\n", &save);
		char *code;

		strtok_r(NULL, ",\r\n", &save);
		strtok_r(NULL, ",\r\n", &save);
		code = strtok_r(NULL, ",\r\n", &save);
		if (!user || !code || strcmp(user, "username") == 0)
			continue;
		snprintf(people[n].user, sizeof(people[n].user), "%s", user);
		snprintf(people[n].code, sizeof(people[n].code), "%s", code);
		n++;
	}
	fclose(f);
	return n;
}

static int bp_login(const char *confdir, const char *service, struct bp_person *people,
		    size_t n, const char *password)
{
	double *lat = calloc(n ? n : 1, sizeof(*lat));
	size_t ok = 0;

	if (!lat)
		return 1;
	for (size_t i = 0; i < n; i++) {
		struct bp_conv c = { .who = &people[i] };
		struct pam_conv conv = { bp_converse, &c };
		pam_handle_t *pamh = NULL;
		int r;

		if (password)
			snprintf(c.password, sizeof(c.password), "%s", password);
		else
			snprintf(c.password, sizeof(c.password), "Tern-%05zu-quay-river", i);
		r = pam_start_confdir(service, people[i].user, &conv, confdir, &pamh);
		if (r == PAM_SUCCESS) {
			pam_set_item(pamh, PAM_RHOST, "192.0.2.7");
			r = pam_authenticate(pamh, 0);
		}
		if (r == PAM_SUCCESS && c.prompts >= 3)
			lat[ok++] = bench_now() - c.answered;
		else
			fprintf(stderr, "bench_pam: login of %s: %s\n", people[i].user,
				pam_strerror(pamh, r));
		pam_end(pamh, r);
	}
	printf("login_ok %zu\nlogin_failed %zu\n", ok, n - ok);
	bench_report_us("redeem", lat, ok);
	free(lat);
	return ok == n ? 0 : 1;
}

static void bp_usage(FILE *f)
{
	fprintf(f, "usage: bench_pam acct --confdir DIR --service S --user U [--count N]\n"
		   "       bench_pam login --confdir DIR --service S\n"
		   "                 (--codes FILE.csv [--count N] | --user U --code C)\n"
		   "                 [--password P]\n");
}

int main(int argc, char **argv)
{
	const char *confdir = NULL, *service = NULL, *user = NULL, *code = NULL, *codes = NULL;
	const char *password = NULL, *cmd;
	unsigned long count = 1000;
	const struct bench_arg args[] = {
		BENCH_TEXT("confdir", confdir),
		BENCH_TEXT("service", service),
		BENCH_TEXT("user", user),
		BENCH_TEXT("code", code),
		BENCH_TEXT("codes", codes),
		BENCH_TEXT("password", password),
		BENCH_NUMBER("count", count, 1, BP_MAX_PEOPLE),
	};
	int ret;

	ret = bench_parse_args(argc, argv, "bench_pam", args, 1, bp_usage);
	if (ret != 0)
		return ret > 0 ? 0 : 2;
	if (!confdir || !service) {
		bp_usage(stderr);
		return 2;
	}
	cmd = argv[optind];
	if (strcmp(cmd, "acct") == 0 && user)
		return bp_acct(confdir, service, user, count);
	if (strcmp(cmd, "login") == 0 && (codes || (user && code))) {
		struct bp_person *people = calloc(codes ? count : 1, sizeof(*people));
		size_t n = 1;

		if (!people)
			return 1;
		if (codes) {
			n = bp_read_codes(codes, people, count);
		} else {
			snprintf(people[0].user, sizeof(people[0].user), "%s", user);
			snprintf(people[0].code, sizeof(people[0].code), "%s", code);
		}
		ret = bp_login(confdir, service, people, n, password);
		free(people);
		return ret;
	}
	bp_usage(stderr);
	return 2;
}
