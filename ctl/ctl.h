/* SPDX-License-Identifier: BSD-3-Clause */
/* What onboardctl's commands share: the parsed command line, the exit
 * statuses, and the plumbing of a call (ctl/ctl.c).  Each command is a
 * cmd_* function (ctl/cmd.h) that forms its calls, checks only what it
 * must to form them, and prints the reply. */
#ifndef OB_CTL_H
#define OB_CTL_H

#include <stdbool.h>
#include <stddef.h>
#include <json-c/json.h>

#include "client.h"

#define CTL_TIMEOUT_MS 10000

enum ctl_exit {
	CTL_EXIT_OK = 0,
	CTL_EXIT_REFUSED = 1,
	CTL_EXIT_USAGE = 2,
	CTL_EXIT_UNREACHABLE = 3,
};

enum ctl_opt {
	OPT_SOCKET,
	OPT_JSON,
	OPT_HELP,
	OPT_VERSION,
	OPT_FIRST_NAME,
	OPT_LAST_NAME,
	OPT_EMAIL,
	OPT_PHONE,
	OPT_EXISTING_ACCOUNT,
	OPT_CREATE_ACCOUNT,
	OPT_KEEP_UNIX_PASSWORD,
	OPT_LIFETIME,
	OPT_RESET_MFA,
	OPT_INVITE,
	OPT_CODE_TO_ME,
	OPT_ROOT,
	OPT_STATE_DIR,
	OPT_SSHD_CONFIG,
	OPT_ROLE,
	OPT_PERMISSIONS,
	OPT_ORG,
	OPT_GROUP,
	OPT_POOL,
	OPT_LINK,
	OPT_FORCE,
	OPT_YES,
	OPT_SEARCH,
	OPT_SEATS,
	OPT_SINCE,
	OPT_USER,
	OPT_ALL_WITHOUT_EMAIL,
	OPT_OUTPUT,
	OPT_DRY_RUN,
	OPT_COUNT,
};

/* One invocation.  opt[] holds the value of each option given (the last
 * one of a repeatable option; "" for a flag), NULL for the others;
 * many[] every value of a repeatable option, in order. */
struct ctl {
	const char *opt[OPT_COUNT];
	const char **many[OPT_COUNT];
	size_t nmany[OPT_COUNT];
	const char *arg[2]; /* the positional arguments, NULL when absent */
	const char *socket;
	bool json;
};

/* The names of the errors onboardctl finds itself, as "error" of the
 * JSON object that --json prints on stderr (onboardctl(8) lists them);
 * onboardd's refusals keep their io.onboard.* names. */
#define CTL_ERR_USAGE "io.onboard.ctl.UsageError"	      /* exit 2 */
#define CTL_ERR_UNREACHABLE "io.onboard.ctl.Unreachable"      /* exit 3 */
#define CTL_ERR_UNTRUSTED "io.onboard.ctl.UntrustedDaemon"    /* exit 3 */
#define CTL_ERR_BAD_REPLY "io.onboard.ctl.BadReply"	      /* exit 1 */
#define CTL_ERR_NO_MEMORY "io.onboard.ctl.OutOfMemory"	      /* exit 1 */
#define CTL_ERR_LOCAL "io.onboard.ctl.LocalError"	      /* exit 1 */
#define CTL_ERR_CANCELLED "io.onboard.ctl.Cancelled"	      /* exit 1 */

/* From then on every error goes to stderr as one JSON object a line,
 * {"error": NAME, "message": TEXT}, instead of "onboardctl: TEXT". */
void ctl_errors_as_json(bool on);

/* One error on stderr: "onboardctl: TEXT", or the JSON object above.
 * Control characters in TEXT are replaced: a daemon's or a file's text
 * cannot drive the terminal. */
void ctl_error(const char *name, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void ctl_usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int ctl_oom(void);

/* Connect to c->socket.  Returns CTL_EXIT_OK, or CTL_EXIT_UNREACHABLE
 * after saying why. */
int ctl_connect(struct ctl *c, struct client *cl);

/* One call on an open connection; params is taken over (may be NULL).
 * Returns CTL_EXIT_OK with *reply (release with ctl_release) and
 * *rparams set, or another exit status after saying why on stderr. */
int ctl_call_on(struct ctl *c, struct client *cl, const char *method, struct json_object *params,
		struct json_object **reply, struct json_object **rparams);

/* The same on a connection of its own. */
int ctl_call(struct ctl *c, const char *method, struct json_object *params,
	     struct json_object **reply, struct json_object **rparams);

/* Wipe (replies may carry a code) and release. */
void ctl_release(struct json_object *reply);

/* The exit status after printing (r from output_*). */
int ctl_output_done(int r);

/* Call method and print the reply with show, or as JSON. */
int ctl_run(struct ctl *c, const char *method, struct json_object *params,
	    int (*show)(struct json_object *params));

/* Call method and print the reply with show(ctx, reply), or as JSON:
 * what ctl_run and ctl_run_line are made of. */
int ctl_run_with(struct ctl *c, const char *method, struct json_object *params,
		 int (*show)(void *ctx, struct json_object *params), void *ctx);

/* Call method, then print the reply as JSON or the line "done". */
int ctl_run_line(struct ctl *c, const char *method, struct json_object *params,
		 const char *done);

/* The calls about one person, {"username": the first argument}: print
 * the reply with show, or the line "BEFORE USERNAME AFTER". */
int ctl_run_user(struct ctl *c, const char *method, int (*show)(struct json_object *params));
int ctl_run_user_line(struct ctl *c, const char *method, const char *before, const char *after);

/* Every page of a list on one connection, gathered into one document
 * {key: [...]} and printed with show (or as JSON).  base holds the
 * parameters of every page (taken over; NULL for none); "after" is set
 * from each page's "next", a string or a number, until it is absent. */
int ctl_list(struct ctl *c, const char *method, struct json_object *base, const char *key,
	     int (*show)(struct json_object *params));

/* Parameter building: each returns 0 or -ENOMEM.  ctl_add takes v over
 * (NULL counts as out of memory). */
int ctl_add(struct json_object *p, const char *key, struct json_object *v);
int ctl_add_string(struct json_object *p, const char *key, const char *s);
/* An array of strings: the values themselves, or (split = true) each
 * split at commas, empty pieces dropped. */
int ctl_add_strings(struct json_object *p, const char *key, const char *const *v, size_t n,
		    bool split);
/* Add the records of one page (the array under key in rparams) to all.
 * Returns how many, -EBADMSG when the page has no such array, -ENOMEM. */
long ctl_list_take(struct json_object *all, struct json_object *rparams, const char *key);
/* A new object {"username": username}, or NULL. */
struct json_object *ctl_params_username(const char *username);

/* --lifetime DURATION into *seconds (left as it is when absent): 0, or
 * -EINVAL after the usage error. */
int ctl_lifetime(const struct ctl *c, int64_t *seconds);

/* A whole number from min to max in text; false otherwise. */
bool ctl_parse_int(const char *text, long long min, long long max, long long *out);

#endif
