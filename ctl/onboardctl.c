/* onboardctl: the administrators' client of onboardd.  A table of
 * commands; each builds one io.onboard.Admin call, sends it with a
 * deadline and prints the reply.  Policy lives in the daemon: the client
 * only checks what it must to form the call.
 *
 * Exit status: 0 done, 1 the daemon refused (its one-line reason on
 * stderr), 2 usage error, 3 the daemon cannot be reached. */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client.h"
#include "duration.h"
#include "ob_cleanup.h"
#include "ob_protocol.h"
#include "output.h"
#include "varlink.h"

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
	OPT_LIFETIME,
	OPT_RESET_MFA,
	OPT_INVITE,
	OPT_CODE_TO_ME,
	OPT_COUNT,
};

struct ctl_option {
	const char *name;
	bool has_value;
	enum ctl_opt id;
};

/* Accepted before and after the command words. */
static const struct ctl_option ctl_global_options[] = {
	{ "socket", true, OPT_SOCKET },
	{ "json", false, OPT_JSON },
	{ "help", false, OPT_HELP },
	{ "version", false, OPT_VERSION },
	{ NULL, false, 0 },
};

static const struct ctl_option ctl_user_add_options[] = {
	{ "first-name", true, OPT_FIRST_NAME },
	{ "last-name", true, OPT_LAST_NAME },
	{ "email", true, OPT_EMAIL },
	{ "phone", true, OPT_PHONE },
	{ "existing-account", false, OPT_EXISTING_ACCOUNT },
	{ "invite", false, OPT_INVITE },
	{ "code-to-me", false, OPT_CODE_TO_ME },
	{ NULL, false, 0 },
};

static const struct ctl_option ctl_invite_send_options[] = {
	{ "code-to-me", false, OPT_CODE_TO_ME },
	{ NULL, false, 0 },
};

static const struct ctl_option ctl_code_issue_options[] = {
	{ "lifetime", true, OPT_LIFETIME },
	{ "reset-mfa", false, OPT_RESET_MFA },
	{ NULL, false, 0 },
};

static const struct ctl_option ctl_no_options[] = {
	{ NULL, false, 0 },
};

/* One invocation: the options seen (NULL when not given; "" for a flag)
 * and the command's positional argument. */
struct ctl {
	const char *opt[OPT_COUNT];
	const char *arg;
	const char *socket;
	bool json;
};

struct ctl_command {
	const char *words[2];
	bool takes_username;
	const struct ctl_option *options;
	int (*run)(struct ctl *c);
};

/* ------------------------------------------------------------ messages */

static void ctl_usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void ctl_usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("onboardctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\nTry 'onboardctl --help'.\n", stderr);
}

static void ctl_help(void)
{
	printf("Usage: onboardctl [--socket PATH] [--json] COMMAND ...\n"
	       "\n"
	       "Administer onboard through onboardd.\n"
	       "\n"
	       "Commands:\n"
	       "  status                          the daemon's version, uptime and database\n"
	       "  user add USERNAME --first-name F --last-name L [--email E] [--phone P]\n"
	       "           [--existing-account] [--invite [--code-to-me]]\n"
	       "                                  add a person (--existing-account lets onboard\n"
	       "                                  manage a Unix account that already exists;\n"
	       "                                  --invite also invites them, as invite send)\n"
	       "  user show USERNAME              one person, their authenticator and their\n"
	       "                                  access code's status\n"
	       "  user list                       every person\n"
	       "  code issue USERNAME [--lifetime DURATION] [--reset-mfa]\n"
	       "                                  issue an access code (shown once; replaces\n"
	       "                                  the previous one; DURATION like 90d, 12h, 15m;\n"
	       "                                  --reset-mfa: the login with it also removes\n"
	       "                                  the authenticator, to enrol a new one)\n"
	       "  code revoke USERNAME            revoke a person's unused access code\n"
	       "  code list                       every access code's status, never the code\n"
	       "  invite send USERNAME [--code-to-me]\n"
	       "                                  invite a person to register: a code valid\n"
	       "                                  for invitation_lifetime (replaces a pending\n"
	       "                                  one). E-mail delivery is not built yet: the\n"
	       "                                  code is always shown to you, once, and\n"
	       "                                  --code-to-me says exactly that\n"
	       "  invite revoke USERNAME          withdraw a person's pending invitation\n"
	       "  invite list                     every invitation's status and expiry,\n"
	       "                                  never the code\n"
	       "  mfa reset USERNAME              remove a person's authenticator: they enrol\n"
	       "                                  a new one at their next login, after the\n"
	       "                                  password\n"
	       "  unlock USERNAME                 lift a person's lock after failed logins and\n"
	       "                                  clear their count of failures\n"
	       "\n"
	       "Options:\n"
	       "  --socket PATH  onboardd's socket (default: $ONBOARD_SOCKET, else %s)\n"
	       "  --json         print the reply as one JSON document\n"
	       "  --help         show this help\n"
	       "  --version      show the version\n"
	       "\n"
	       "Exit status: 0 done, 1 refused by onboardd, 2 usage error, 3 onboardd unreachable.\n",
	       OB_DEFAULT_SOCKET);
}

/* --------------------------------------------------------------- calls */

/* The daemon's reason, on one line and unable to drive the terminal. */
static void ctl_print_refusal(const char *text)
{
	char line[OB_TEXT_MAX + 1];
	size_t i;

	for (i = 0; text[i] && i < OB_TEXT_MAX; i++)
		line[i] = (unsigned char)text[i] < 0x20 || text[i] == 0x7f ? '?' : text[i];
	line[i] = '\0';
	fprintf(stderr, "onboardctl: %s\n", line);
}

/* Say why a call failed (r from client_connect or client_call, not 0)
 * and return the exit status.  An error reply is released. */
static int ctl_call_failed(const struct ctl *c, int r, struct json_object **reply,
			   struct json_object *rparams, const char *error)
{
	if (r < 0) {
		fprintf(stderr, "onboardctl: cannot reach onboardd at %s: %s\n", c->socket,
			r == -ETIMEDOUT ? "no reply within 10 seconds"
			: r == -EBADMSG ? "the reply is not a valid varlink message"
					: strerror(-r));
		return CTL_EXIT_UNREACHABLE;
	}
	ctl_print_refusal(client_error_message(rparams, error));
	varlink_wipe(*reply);
	json_object_put(*reply);
	*reply = NULL;
	return CTL_EXIT_REFUSED;
}

/* Make one call.  Returns CTL_EXIT_OK with *reply (free with ctl_release)
 * and *params set, or another exit status after saying why on stderr. */
static int ctl_call(struct ctl *c, const char *method, struct json_object *params,
		    struct json_object **reply, struct json_object **rparams)
{
	struct client cl;
	const char *error = NULL;
	int r;

	*reply = NULL;
	r = client_connect(&cl, c->socket, CTL_TIMEOUT_MS);
	if (r == 0)
		r = client_call(&cl, method, params, reply, rparams, &error);
	client_close(&cl);
	json_object_put(params);
	if (r != 0)
		return ctl_call_failed(c, r, reply, *rparams, error);
	return CTL_EXIT_OK;
}

/* Replies may carry a code: wipe before release. */
static void ctl_release(struct json_object *reply)
{
	varlink_wipe(reply);
	json_object_put(reply);
}

/* The exit status after printing a reply (r from output_*). */
static int ctl_output_done(int r)
{
	if (r < 0) {
		fprintf(stderr, "onboardctl: cannot write the output: %s\n", strerror(-r));
		return CTL_EXIT_REFUSED;
	}
	return CTL_EXIT_OK;
}

/* Call method and print the reply with show (or as JSON). */
static int ctl_run(struct ctl *c, const char *method, struct json_object *params,
		   int (*show)(struct json_object *params))
{
	struct json_object *reply, *rparams;
	int r;

	r = ctl_call(c, method, params, &reply, &rparams);
	if (r != CTL_EXIT_OK)
		return r;
	r = c->json ? output_json(rparams) : show(rparams);
	ctl_release(reply);
	return ctl_output_done(r);
}

/* Parameters {"username": arg}, or NULL on memory exhaustion. */
static struct json_object *ctl_params_username(const struct ctl *c)
{
	struct json_object *p = json_object_new_object();
	struct json_object *u = json_object_new_string(c->arg);

	if (!p || !u || json_object_object_add(p, "username", u) < 0) {
		json_object_put(p);
		json_object_put(u);
		return NULL;
	}
	return p;
}

static int ctl_add(struct json_object *p, const char *key, struct json_object *v)
{
	if (!v || json_object_object_add(p, key, v) < 0) {
		json_object_put(v);
		return -ENOMEM;
	}
	return 0;
}

static int ctl_oom(void)
{
	fputs("onboardctl: out of memory\n", stderr);
	return CTL_EXIT_REFUSED;
}

/* ------------------------------------------------------------ commands */

static int ctl_status(struct ctl *c)
{
	return ctl_run(c, OB_ADMIN_STATUS, NULL, output_status);
}

static int ctl_user_add(struct ctl *c)
{
	static const struct {
		enum ctl_opt opt;
		const char *key;
	} fields[] = {
		{ OPT_FIRST_NAME, "first_name" },
		{ OPT_LAST_NAME, "last_name" },
		{ OPT_EMAIL, "email" },
		{ OPT_PHONE, "phone" },
	};
	struct json_object *p;

	if (!c->opt[OPT_FIRST_NAME]) {
		ctl_usage_error("user add: --first-name is required");
		return CTL_EXIT_USAGE;
	}
	if (!c->opt[OPT_LAST_NAME]) {
		ctl_usage_error("user add: --last-name is required");
		return CTL_EXIT_USAGE;
	}
	if (c->opt[OPT_CODE_TO_ME] && !c->opt[OPT_INVITE]) {
		ctl_usage_error("user add: --code-to-me goes with --invite");
		return CTL_EXIT_USAGE;
	}
	p = ctl_params_username(c);
	if (!p)
		return ctl_oom();
	for (size_t i = 0; i < OB_ARRAY_SIZE(fields); i++) {
		const char *v = c->opt[fields[i].opt];

		if (v && ctl_add(p, fields[i].key, json_object_new_string(v)) < 0) {
			json_object_put(p);
			return ctl_oom();
		}
	}
	if ((c->opt[OPT_EXISTING_ACCOUNT] &&
	     ctl_add(p, "existing_account", json_object_new_boolean(1)) < 0) ||
	    (c->opt[OPT_INVITE] && ctl_add(p, "invite", json_object_new_boolean(1)) < 0) ||
	    (c->opt[OPT_CODE_TO_ME] && ctl_add(p, "code_to_me", json_object_new_boolean(1)) < 0)) {
		json_object_put(p);
		return ctl_oom();
	}
	return ctl_run(c, OB_ADMIN_USER_ADD, p,
		       c->opt[OPT_INVITE] ? output_user_invited : output_person);
}

static int ctl_user_show(struct ctl *c)
{
	struct json_object *p = ctl_params_username(c);

	if (!p)
		return ctl_oom();
	return ctl_run(c, OB_ADMIN_USER_SHOW, p, output_person);
}

/* Add the records of one page (the array under key in rparams) to all.
 * Returns 0, -EBADMSG when the page has no such array, -ENOMEM. */
static int ctl_list_take(struct json_object *all, struct json_object *rparams, const char *key)
{
	struct json_object *page;
	size_t n;

	if (!json_object_object_get_ex(rparams, key, &page) ||
	    !json_object_is_type(page, json_type_array))
		return -EBADMSG;
	n = json_object_array_length(page);
	for (size_t i = 0; i < n; i++) {
		struct json_object *o = json_object_array_get_idx(page, i);

		if (json_object_array_add(all, json_object_get(o)) < 0) {
			json_object_put(o);
			return -ENOMEM;
		}
	}
	return 0;
}

/* The parameters of the page after the one in rparams, which was asked
 * for with asked (NULL: from the start): NULL in *params when it was the
 * last.  A next that does not move forward would loop forever: -EBADMSG.
 * Returns 0, -EBADMSG or -ENOMEM. */
static int ctl_list_next(struct json_object *rparams, struct json_object *asked,
			 struct json_object **params)
{
	struct json_object *v, *after = NULL;
	const char *next;

	*params = NULL;
	if (!json_object_object_get_ex(rparams, "next", &v) || json_object_is_type(v, json_type_null))
		return 0;
	if (!json_object_is_type(v, json_type_string))
		return -EBADMSG;
	next = json_object_get_string(v);
	if (asked)
		json_object_object_get_ex(asked, "after", &after);
	if (!next[0] || (after && strcmp(next, json_object_get_string(after)) <= 0))
		return -EBADMSG;
	*params = json_object_new_object();
	if (!*params || ctl_add(*params, "after", json_object_new_string(next)) < 0) {
		json_object_put(*params);
		*params = NULL;
		return -ENOMEM;
	}
	return 0;
}

/* A list call: every page, on one connection, gathered into one document
 * {key: [...]} and printed with show (or as JSON), so that the output is
 * what one reply holding them all would give.  The daemon picks the page
 * size.  Lists carry no secrets, and their records are shared with the
 * gathered array: the replies are released without wiping. */
static int ctl_list(struct ctl *c, const char *method, const char *key,
		    int (*show)(struct json_object *params))
{
	struct json_object *doc = json_object_new_object(), *all = json_object_new_array();
	struct json_object *params = NULL, *next, *reply = NULL, *rparams = NULL;
	const char *error = NULL;
	struct client cl;
	int r;

	if (!doc || !all || json_object_object_add(doc, key, all) < 0) {
		json_object_put(doc);
		json_object_put(all);
		return ctl_oom();
	}
	r = client_connect(&cl, c->socket, CTL_TIMEOUT_MS);
	while (r == 0) {
		r = client_call(&cl, method, params, &reply, &rparams, &error);
		if (r != 0)
			break;
		next = NULL;
		r = ctl_list_take(all, rparams, key);
		if (r == 0)
			r = ctl_list_next(rparams, params, &next);
		json_object_put(reply);
		reply = NULL;
		json_object_put(params);
		params = next;
		if (r != 0 || !params)
			break;
	}
	client_close(&cl);
	json_object_put(params);
	if (r == -ENOMEM) {
		json_object_put(doc);
		return ctl_oom();
	}
	if (r != 0) {
		json_object_put(doc);
		return ctl_call_failed(c, r, &reply, rparams, error);
	}
	r = c->json ? output_json(doc) : show(doc);
	json_object_put(doc);
	return ctl_output_done(r);
}

static int ctl_user_list(struct ctl *c)
{
	return ctl_list(c, OB_ADMIN_USER_LIST, "people", output_people);
}

static int ctl_code_issue(struct ctl *c)
{
	struct json_object *p;
	int64_t lifetime = 0;

	if (c->opt[OPT_LIFETIME] && duration_parse(c->opt[OPT_LIFETIME], &lifetime) < 0) {
		ctl_usage_error("--lifetime: '%s' is not a duration: write it like 90d, 12h or "
				"1d12h (at most 10 years)", c->opt[OPT_LIFETIME]);
		return CTL_EXIT_USAGE;
	}
	p = ctl_params_username(c);
	if (!p)
		return ctl_oom();
	if ((lifetime && ctl_add(p, "lifetime", json_object_new_int64(lifetime)) < 0) ||
	    (c->opt[OPT_RESET_MFA] && ctl_add(p, "reset_mfa", json_object_new_boolean(1)) < 0)) {
		json_object_put(p);
		return ctl_oom();
	}
	return ctl_run(c, OB_ADMIN_CODE_ISSUE, p, output_code_issued);
}

static int ctl_code_revoke(struct ctl *c)
{
	struct json_object *p = ctl_params_username(c), *reply, *rparams;
	int r;

	if (!p)
		return ctl_oom();
	r = ctl_call(c, OB_ADMIN_CODE_REVOKE, p, &reply, &rparams);
	if (r != CTL_EXIT_OK)
		return r;
	if (c->json)
		r = output_json(rparams);
	else
		r = output_line("revoked the access code of %s", c->arg) < 0 ? -EIO
									   : output_finish();
	ctl_release(reply);
	return ctl_output_done(r);
}

static int ctl_code_list(struct ctl *c)
{
	return ctl_list(c, OB_ADMIN_CODE_LIST, "codes", output_codes);
}

static int ctl_mfa_reset(struct ctl *c)
{
	struct json_object *p = ctl_params_username(c), *reply, *rparams;
	int r;

	if (!p)
		return ctl_oom();
	r = ctl_call(c, OB_ADMIN_MFA_RESET, p, &reply, &rparams);
	if (r != CTL_EXIT_OK)
		return r;
	if (c->json)
		r = output_json(rparams);
	else
		r = output_line("removed the authenticator of %s: they enrol a new one at their "
				"next login, after their password", c->arg) < 0 ? -EIO
										: output_finish();
	ctl_release(reply);
	return ctl_output_done(r);
}

static int ctl_unlock(struct ctl *c)
{
	struct json_object *p = ctl_params_username(c);

	if (!p)
		return ctl_oom();
	return ctl_run(c, OB_ADMIN_UNLOCK, p, output_unlocked);
}

static int ctl_invite_send(struct ctl *c)
{
	struct json_object *p = ctl_params_username(c);

	if (!p)
		return ctl_oom();
	if (c->opt[OPT_CODE_TO_ME] && ctl_add(p, "code_to_me", json_object_new_boolean(1)) < 0) {
		json_object_put(p);
		return ctl_oom();
	}
	return ctl_run(c, OB_ADMIN_INVITE_SEND, p, output_invitation_issued);
}

static int ctl_invite_revoke(struct ctl *c)
{
	struct json_object *p = ctl_params_username(c), *reply, *rparams;
	int r;

	if (!p)
		return ctl_oom();
	r = ctl_call(c, OB_ADMIN_INVITE_REVOKE, p, &reply, &rparams);
	if (r != CTL_EXIT_OK)
		return r;
	if (c->json)
		r = output_json(rparams);
	else
		r = output_line("revoked the invitation of %s", c->arg) < 0 ? -EIO : output_finish();
	ctl_release(reply);
	return ctl_output_done(r);
}

static int ctl_invite_list(struct ctl *c)
{
	return ctl_list(c, OB_ADMIN_INVITE_LIST, "invitations", output_invitations);
}

static const struct ctl_command ctl_commands[] = {
	{ { "status", NULL }, false, ctl_no_options, ctl_status },
	{ { "user", "add" }, true, ctl_user_add_options, ctl_user_add },
	{ { "user", "show" }, true, ctl_no_options, ctl_user_show },
	{ { "user", "list" }, false, ctl_no_options, ctl_user_list },
	{ { "code", "issue" }, true, ctl_code_issue_options, ctl_code_issue },
	{ { "code", "revoke" }, true, ctl_no_options, ctl_code_revoke },
	{ { "code", "list" }, false, ctl_no_options, ctl_code_list },
	{ { "invite", "send" }, true, ctl_invite_send_options, ctl_invite_send },
	{ { "invite", "revoke" }, true, ctl_no_options, ctl_invite_revoke },
	{ { "invite", "list" }, false, ctl_no_options, ctl_invite_list },
	{ { "mfa", "reset" }, true, ctl_no_options, ctl_mfa_reset },
	{ { "unlock", NULL }, true, ctl_no_options, ctl_unlock },
};

/* ------------------------------------------------------------- parsing */

static const struct ctl_option *ctl_find_option(const struct ctl_option *table,
						const char *name, size_t len)
{
	for (; table->name; table++)
		if (strlen(table->name) == len && strncmp(table->name, name, len) == 0)
			return table;
	return NULL;
}

/* An option of any command, by name: names are unique across the
 * tables, so one pass reads the whole line before the command is known. */
static const struct ctl_option *ctl_any_option(const char *name, size_t len)
{
	const struct ctl_option *o = ctl_find_option(ctl_global_options, name, len);

	for (size_t i = 0; !o && i < OB_ARRAY_SIZE(ctl_commands); i++)
		o = ctl_find_option(ctl_commands[i].options, name, len);
	return o;
}

/* Take the option at argv[*i] ("--name", "--name=value" or "--name
 * value").  Returns 0, or -EINVAL after a usage message. */
static int ctl_take_option(struct ctl *c, int argc, char **argv, int *i)
{
	const char *arg = argv[*i] + 2, *eq = strchr(arg, '=');
	size_t len = eq ? (size_t)(eq - arg) : strlen(arg);
	const struct ctl_option *o = ctl_any_option(arg, len);
	const char *value = "";

	if (!o) {
		ctl_usage_error("unknown option --%.*s", (int)len, arg);
		return -EINVAL;
	}
	if (o->has_value) {
		if (eq) {
			value = eq + 1;
		} else if (*i + 1 < argc) {
			value = argv[++*i];
		} else {
			ctl_usage_error("option --%s needs a value", o->name);
			return -EINVAL;
		}
	} else if (eq) {
		ctl_usage_error("option --%s takes no value", o->name);
		return -EINVAL;
	}
	/* A repeated option is more likely a slip than an intent. */
	if (c->opt[o->id]) {
		ctl_usage_error("option --%s given twice", o->name);
		return -EINVAL;
	}
	c->opt[o->id] = value;
	return 0;
}

/* Options may come before, between and after the words; "--" ends them.
 * Fills words[] (at most max) and returns their number, or -EINVAL. */
static int ctl_parse(struct ctl *c, int argc, char **argv, const char **words, int max)
{
	bool options_done = false;
	int n = 0;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!options_done && strcmp(a, "--") == 0) {
			options_done = true;
			continue;
		}
		if (!options_done && a[0] == '-' && a[1] == '-') {
			if (ctl_take_option(c, argc, argv, &i) < 0)
				return -EINVAL;
			continue;
		}
		if (!options_done && strcmp(a, "-h") == 0) {
			c->opt[OPT_HELP] = "";
			continue;
		}
		if (!options_done && a[0] == '-' && a[1]) {
			ctl_usage_error("unknown option %s", a);
			return -EINVAL;
		}
		if (n >= max) {
			ctl_usage_error("unexpected argument '%s'", a);
			return -EINVAL;
		}
		words[n++] = a;
	}
	return n;
}

/* The command named by the leading words, or NULL. */
static const struct ctl_command *ctl_lookup(const char **words, int n)
{
	for (size_t i = 0; i < OB_ARRAY_SIZE(ctl_commands); i++) {
		const struct ctl_command *cmd = &ctl_commands[i];

		if (n < 1 || strcmp(words[0], cmd->words[0]) != 0)
			continue;
		if (!cmd->words[1])
			return cmd;
		if (n >= 2 && strcmp(words[1], cmd->words[1]) == 0)
			return cmd;
	}
	return NULL;
}

/* Whether option id is in table. */
static bool ctl_table_has(const struct ctl_option *table, int id)
{
	for (; table->name; table++)
		if ((int)table->id == id)
			return true;
	return false;
}

static const char *ctl_option_name(int id)
{
	const struct ctl_option *o;

	for (size_t i = 0; i < OB_ARRAY_SIZE(ctl_commands); i++)
		for (o = ctl_commands[i].options; o->name; o++)
			if ((int)o->id == id)
				return o->name;
	return "?";
}

/* Check the words and options against cmd; set c->arg.  Returns 0, or
 * -EINVAL after a usage message. */
static int ctl_check(struct ctl *c, const struct ctl_command *cmd, const char **words, int n)
{
	int used = cmd->words[1] ? 2 : 1;
	char name[32];

	snprintf(name, sizeof(name), "%s%s%s", cmd->words[0], cmd->words[1] ? " " : "",
		 cmd->words[1] ? cmd->words[1] : "");
	for (int id = 0; id < OPT_COUNT; id++) {
		if (!c->opt[id] || ctl_table_has(ctl_global_options, id) ||
		    ctl_table_has(cmd->options, id))
			continue;
		ctl_usage_error("%s: option --%s does not apply here", name, ctl_option_name(id));
		return -EINVAL;
	}
	if (cmd->takes_username) {
		if (n < used + 1) {
			ctl_usage_error("%s: USERNAME is missing", name);
			return -EINVAL;
		}
		c->arg = words[used++];
	}
	if (n > used) {
		ctl_usage_error("%s: unexpected argument '%s'", name, words[used]);
		return -EINVAL;
	}
	return 0;
}

/* Name the subcommands of a known group ("user: unknown command 'x'
 * (user has add, show, list)"), or say the word is no command. */
static void ctl_unknown_command(const char **words, int n)
{
	char subs[128] = "";

	for (size_t i = 0; i < OB_ARRAY_SIZE(ctl_commands); i++) {
		const struct ctl_command *cmd = &ctl_commands[i];
		size_t used = strlen(subs);

		if (!cmd->words[1] || strcmp(words[0], cmd->words[0]) != 0)
			continue;
		snprintf(subs + used, sizeof(subs) - used, "%s%s", used ? ", " : "", cmd->words[1]);
	}
	if (!subs[0])
		ctl_usage_error("unknown command '%s'", words[0]);
	else if (n < 2)
		ctl_usage_error("unknown command '%s': say which (%s)", words[0], subs);
	else
		ctl_usage_error("unknown command '%s %s': %s has %s", words[0], words[1],
				words[0], subs);
}

int main(int argc, char **argv)
{
	const char *words[4];
	const struct ctl_command *cmd;
	struct ctl c = { 0 };
	const char *env;
	int n;

	n = ctl_parse(&c, argc, argv, words, (int)OB_ARRAY_SIZE(words));
	if (n < 0)
		return CTL_EXIT_USAGE;
	if (c.opt[OPT_HELP]) {
		ctl_help();
		return output_finish() < 0 ? CTL_EXIT_REFUSED : CTL_EXIT_OK;
	}
	if (c.opt[OPT_VERSION]) {
		printf("onboardctl %s\n", PACKAGE_VERSION);
		return output_finish() < 0 ? CTL_EXIT_REFUSED : CTL_EXIT_OK;
	}
	if (n == 0) {
		ctl_usage_error("no command given");
		return CTL_EXIT_USAGE;
	}
	cmd = ctl_lookup(words, n);
	if (!cmd) {
		ctl_unknown_command(words, n);
		return CTL_EXIT_USAGE;
	}
	if (ctl_check(&c, cmd, words, n) < 0)
		return CTL_EXIT_USAGE;
	c.json = c.opt[OPT_JSON] != NULL;
	env = getenv("ONBOARD_SOCKET");
	if (c.opt[OPT_SOCKET])
		c.socket = c.opt[OPT_SOCKET];
	else if (env && env[0])
		c.socket = env;
	else
		c.socket = OB_DEFAULT_SOCKET;
	if (!c.socket[0]) {
		ctl_usage_error("--socket: the path is empty");
		return CTL_EXIT_USAGE;
	}
	return cmd->run(&c);
}
