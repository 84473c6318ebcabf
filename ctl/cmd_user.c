/* SPDX-License-Identifier: BSD-3-Clause */
/* onboardctl's commands about people: status, user add, show, list,
 * modify, delete, restore and purge, bank list, mfa reset and unlock. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "cmd.h"
#include "ob_cleanup.h"
#include "ob_protocol.h"
#include "output.h"

/* Options that become string parameters of the same meaning. */
struct user_field {
	enum ctl_opt opt;
	const char *key;
};

/* Add the string options of fields that were given to p.  Returns 0 or
 * -ENOMEM. */
static int user_strings(const struct ctl *c, struct json_object *p, const struct user_field *f,
			size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (c->opt[f[i].opt] && ctl_add_string(p, f[i].key, c->opt[f[i].opt]) < 0)
			return -ENOMEM;
	return 0;
}

/* --permissions LIST: comma-separated; "" is none (it clears them). */
static int user_permissions(const struct ctl *c, struct json_object *p)
{
	const char *v = c->opt[OPT_PERMISSIONS];

	return v ? ctl_add_strings(p, "permissions", &v, 1, true) : 0;
}

int cmd_status(struct ctl *c)
{
	return ctl_run(c, OB_ADMIN_STATUS, NULL, output_status);
}

int cmd_user_add(struct ctl *c)
{
	static const struct user_field fields[] = {
		{ OPT_FIRST_NAME, "first_name" }, { OPT_LAST_NAME, "last_name" },
		{ OPT_EMAIL, "email" },           { OPT_PHONE, "phone" },
		{ OPT_ROLE, "role" },             { OPT_ORG, "org" },
		{ OPT_LINK, "link" },
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
	p = ctl_params_username(c->arg[0]);
	if (!p || user_strings(c, p, fields, OB_ARRAY_SIZE(fields)) < 0 ||
	    user_permissions(c, p) < 0 ||
	    (c->nmany[OPT_GROUP] && ctl_add_strings(p, "groups", c->many[OPT_GROUP],
						    c->nmany[OPT_GROUP], false) < 0) ||
	    (c->nmany[OPT_POOL] && ctl_add_strings(p, "pools", c->many[OPT_POOL],
						   c->nmany[OPT_POOL], false) < 0) ||
	    (c->opt[OPT_EXISTING_ACCOUNT] &&
	     ctl_add(p, "existing_account", json_object_new_boolean(1)) < 0) ||
	    (c->opt[OPT_CREATE_ACCOUNT] &&
	     ctl_add(p, "create_account", json_object_new_boolean(1)) < 0) ||
	    (c->opt[OPT_KEEP_UNIX_PASSWORD] &&
	     ctl_add(p, "keep_unix_password", json_object_new_boolean(1)) < 0) ||
	    (c->opt[OPT_INVITE] && ctl_add(p, "invite", json_object_new_boolean(1)) < 0) ||
	    (c->opt[OPT_CODE_TO_ME] && ctl_add(p, "code_to_me", json_object_new_boolean(1)) < 0)) {
		json_object_put(p);
		return ctl_oom();
	}
	return ctl_run(c, OB_ADMIN_USER_ADD, p,
		       c->opt[OPT_INVITE] ? output_user_invited : output_person);
}

int cmd_user_show(struct ctl *c)
{
	return ctl_run_user(c, OB_ADMIN_USER_SHOW, output_person);
}

int cmd_user_list(struct ctl *c)
{
	return ctl_list(c, OB_ADMIN_USER_LIST, NULL, "people", output_people);
}

int cmd_user_modify(struct ctl *c)
{
	static const struct user_field fields[] = {
		{ OPT_FIRST_NAME, "first_name" }, { OPT_LAST_NAME, "last_name" },
		{ OPT_EMAIL, "email" },           { OPT_PHONE, "phone" },
		{ OPT_ROLE, "role" },             { OPT_LINK, "link" },
	};
	struct json_object *p;
	bool any = c->opt[OPT_PERMISSIONS] != NULL;

	for (size_t i = 0; i < OB_ARRAY_SIZE(fields); i++)
		any = any || c->opt[fields[i].opt];
	if (!any) {
		ctl_usage_error("user modify: nothing to change: give --first-name, --last-name, "
				"--email, --phone, --role, --permissions or --link");
		return CTL_EXIT_USAGE;
	}
	p = ctl_params_username(c->arg[0]);
	if (!p || user_strings(c, p, fields, OB_ARRAY_SIZE(fields)) < 0 ||
	    user_permissions(c, p) < 0) {
		json_object_put(p);
		return ctl_oom();
	}
	return ctl_run(c, OB_ADMIN_USER_MODIFY, p, output_person);
}

int cmd_user_delete(struct ctl *c)
{
	struct json_object *p = ctl_params_username(c->arg[0]);
	char line[160];

	if (!p || (c->opt[OPT_FORCE] && ctl_add(p, "force", json_object_new_boolean(1)) < 0)) {
		json_object_put(p);
		return ctl_oom();
	}
	snprintf(line, sizeof(line), "moved %s to the user bank: disabled, their access code and "
		 "invitation revoked; 'user restore %s' brings them back", c->arg[0], c->arg[0]);
	return ctl_run_line(c, OB_ADMIN_USER_DELETE, p, line);
}

int cmd_user_restore(struct ctl *c)
{
	return ctl_run_user_line(c, OB_ADMIN_USER_RESTORE, "restored ",
				 " from the user bank: enabled again");
}

/* Ask on the terminal.  Returns true for "y" or "yes". */
static bool user_confirm(const char *username)
{
	char answer[16];
	size_t n;

	fprintf(stderr, "Purge %s for good? [y/N] ", username);
	fflush(stderr);
	if (!fgets(answer, sizeof(answer), stdin))
		return false;
	n = strcspn(answer, "\r\n");
	answer[n] = '\0';
	return strcasecmp(answer, "y") == 0 || strcasecmp(answer, "yes") == 0;
}

int cmd_user_purge(struct ctl *c)
{
	struct json_object *p, *reply, *rparams, *v;
	char line[128], text[512];
	int r;

	/* Nothing brings a purged person back: a script must say so. */
	if (!c->opt[OPT_YES]) {
		if (!isatty(STDIN_FILENO)) {
			ctl_usage_error("user purge: standard input is not a terminal: give --yes "
					"to purge %s for good", c->arg[0]);
			return CTL_EXIT_USAGE;
		}
		if (!user_confirm(c->arg[0])) {
			ctl_error(CTL_ERR_CANCELLED, "%s was not purged", c->arg[0]);
			return CTL_EXIT_REFUSED;
		}
	}
	p = ctl_params_username(c->arg[0]);
	if (!p || (c->opt[OPT_FORCE] && ctl_add(p, "force", json_object_new_boolean(1)) < 0)) {
		json_object_put(p);
		return ctl_oom();
	}
	snprintf(line, sizeof(line), "purged %s for good: the username is free", c->arg[0]);
	r = ctl_call(c, OB_ADMIN_USER_PURGE, p, &reply, &rparams);
	if (r != CTL_EXIT_OK)
		return r;
	if (c->json) {
		r = output_json(rparams);
	} else {
		r = output_line("%s", line) < 0 ? -EIO : 0;
		/* What became of the Unix account, when onboard had a hand in it. */
		if (r == 0 && json_object_object_get_ex(rparams, "unix_account", &v) &&
		    json_object_is_type(v, json_type_string) &&
		    output_line("%s", output_sanitize(json_object_get_string(v), text,
							sizeof(text))) < 0)
			r = -EIO;
		if (r == 0)
			r = output_finish();
	}
	ctl_release(reply);
	return ctl_output_done(r);
}

int cmd_bank_list(struct ctl *c)
{
	struct json_object *base = NULL;

	if (c->opt[OPT_SEARCH]) {
		base = json_object_new_object();
		if (!base || ctl_add_string(base, "search", c->opt[OPT_SEARCH]) < 0) {
			json_object_put(base);
			return ctl_oom();
		}
	}
	return ctl_list(c, OB_ADMIN_BANK_LIST, base, "people", output_bank);
}

int cmd_mfa_reset(struct ctl *c)
{
	return ctl_run_user_line(c, OB_ADMIN_MFA_RESET, "removed the authenticator of ",
				 ": they enrol a new one at their next login, after their password");
}

int cmd_source_unlock(struct ctl *c)
{
	struct json_object *p = json_object_new_object();

	if (!p || ctl_add_string(p, "source", c->arg[0]) < 0) {
		json_object_put(p);
		return ctl_oom();
	}
	return ctl_run(c, OB_ADMIN_SOURCE_UNLOCK, p, output_source_unlocked);
}

int cmd_unlock(struct ctl *c)
{
	return ctl_run_user(c, OB_ADMIN_UNLOCK, output_unlocked);
}
