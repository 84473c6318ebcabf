/* SPDX-License-Identifier: BSD-3-Clause */
/* onboardctl: the administrators' client of onboardd.  A table of
 * commands (ctl/cmd.h); each forms its io.onboard.Admin calls, sends them
 * with a deadline and prints the reply.  This file reads the command
 * line.  Policy lives in the daemon: the client only checks what it must
 * to form the call.
 *
 * Exit status: 0 done, 1 the daemon refused (its one-line reason on
 * stderr), 2 usage error, 3 the daemon cannot be reached. */
#include "config.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "ctl.h"
#include "doctor.h"
#include "ob_cleanup.h"
#include "ob_protocol.h"
#include "output.h"

struct ctl_option {
	const char *name;
	bool has_value;
	enum ctl_opt id;
};

/* Options that may be given more than once: every value is kept (struct
 * ctl's many[]). */
static bool ctl_repeatable(enum ctl_opt id)
{
	return id == OPT_GROUP || id == OPT_POOL;
}

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
	{ "create-account", false, OPT_CREATE_ACCOUNT },
	{ "keep-unix-password", false, OPT_KEEP_UNIX_PASSWORD },
	{ "invite", false, OPT_INVITE },
	{ "code-to-me", false, OPT_CODE_TO_ME },
	{ "role", true, OPT_ROLE },
	{ "permissions", true, OPT_PERMISSIONS },
	{ "org", true, OPT_ORG },
	{ "group", true, OPT_GROUP },
	{ "pool", true, OPT_POOL },
	{ "link", true, OPT_LINK },
	{ NULL, false, 0 },
};

static const struct ctl_option ctl_user_modify_options[] = {
	{ "first-name", true, OPT_FIRST_NAME },
	{ "last-name", true, OPT_LAST_NAME },
	{ "email", true, OPT_EMAIL },
	{ "phone", true, OPT_PHONE },
	{ "role", true, OPT_ROLE },
	{ "permissions", true, OPT_PERMISSIONS },
	{ "link", true, OPT_LINK },
	{ NULL, false, 0 },
};

static const struct ctl_option ctl_user_delete_options[] = {
	{ "force", false, OPT_FORCE },
	{ NULL, false, 0 },
};

static const struct ctl_option ctl_user_purge_options[] = {
	{ "yes", false, OPT_YES },
	{ "force", false, OPT_FORCE },
	{ NULL, false, 0 },
};

static const struct ctl_option ctl_user_import_options[] = {
	{ "org", true, OPT_ORG },
	{ "invite", false, OPT_INVITE },
	{ "dry-run", false, OPT_DRY_RUN },
	{ "output", true, OPT_OUTPUT },
	{ NULL, false, 0 },
};

static const struct ctl_option ctl_bank_list_options[] = {
	{ "search", true, OPT_SEARCH },
	{ NULL, false, 0 },
};

static const struct ctl_option ctl_invite_send_options[] = {
	{ "code-to-me", false, OPT_CODE_TO_ME },
	{ NULL, false, 0 },
};

static const struct ctl_option ctl_code_issue_options[] = {
	{ "lifetime", true, OPT_LIFETIME },
	{ "reset-mfa", false, OPT_RESET_MFA },
	{ "all-without-email", false, OPT_ALL_WITHOUT_EMAIL },
	{ "org", true, OPT_ORG },
	{ "output", true, OPT_OUTPUT },
	{ NULL, false, 0 },
};

static const struct ctl_option ctl_group_add_options[] = {
	{ "org", true, OPT_ORG },
	{ NULL, false, 0 },
};

static const struct ctl_option ctl_pool_add_options[] = {
	{ "seats", true, OPT_SEATS },
	{ "org", true, OPT_ORG },
	{ NULL, false, 0 },
};

static const struct ctl_option ctl_audit_options[] = {
	{ "since", true, OPT_SINCE },
	{ "user", true, OPT_USER },
	{ NULL, false, 0 },
};

static const struct ctl_option ctl_doctor_options[] = {
	{ "root", true, OPT_ROOT },
	{ "state-dir", true, OPT_STATE_DIR },
	{ "sshd-config", true, OPT_SSHD_CONFIG },
	{ NULL, false, 0 },
};

static const struct ctl_option ctl_no_options[] = {
	{ NULL, false, 0 },
};

/* ------------------------------------------------------------ messages */

/* Each command's lines of --help: its synopsis, then what it does from
 * the 35th column.  onboardctl --help prints them all, onboardctl
 * COMMAND --help its own (tests/test_man.sh holds them to onboardctl(8)). */
static const char help_status[] =
	"  status                          the daemon's version, uptime and database\n";

static const char help_user_add[] =
	"  user add USERNAME --first-name F --last-name L [--email E] [--phone P]\n"
	"           [--role R] [--permissions LIST] [--org O] [--group G]...\n"
	"           [--pool P]... [--link USER] [--existing-account | --create-account]\n"
	"           [--keep-unix-password] [--invite [--code-to-me]]\n"
	"                                  add a person (--existing-account, as root, lets\n"
	"                                  onboard manage a Unix account that already\n"
	"                                  exists and locks its Unix password, unless\n"
	"                                  --keep-unix-password;\n"
	"                                  --create-account, as root, makes it;\n"
	"                                  --invite also invites them, as invite send;\n"
	"                                  roles: user, admin, technician, assistant;\n"
	"                                  permissions: users, invites, codes, groups,\n"
	"                                  pools, audit, bank, separated by commas)\n";

static const char help_user_show[] =
	"  user show USERNAME              one person, their authenticator and their\n"
	"                                  access code's status\n";

static const char help_user_list[] =
	"  user list                       every person\n";

static const char help_user_modify[] =
	"  user modify USERNAME [--first-name F] [--last-name L] [--email E]\n"
	"           [--phone P] [--role R] [--permissions LIST] [--link USER]\n"
	"                                  change a person (\"\" clears e-mail, phone,\n"
	"                                  link and permissions)\n";

static const char help_user_delete[] =
	"  user delete USERNAME [--force]  move a person to the user bank (--force: also\n"
	"                                  when others are linked to them)\n";

static const char help_user_restore[] =
	"  user restore USERNAME           take a person out of the user bank\n";

static const char help_user_purge[] =
	"  user purge USERNAME [--yes] [--force]\n"
	"                                  remove a person in the user bank for good\n"
	"                                  (asks first; --yes does not)\n";

static const char help_user_import[] =
	"  user import FILE.csv [--org ORG] [--invite --output FILE] [--dry-run]\n"
	"                                  add the people of a spreadsheet saved as CSV:\n"
	"                                  all of them or, when a row is wrong, none\n";

static const char help_bank_list[] =
	"  bank list [--search TEXT]       the people in the user bank\n";

static const char help_code_issue[] =
	"  code issue USERNAME [--lifetime DURATION] [--reset-mfa]\n"
	"                                  issue an access code (shown once; replaces\n"
	"                                  the previous one; DURATION like 90d, 12h, 15m;\n"
	"                                  --reset-mfa: the login with it also removes\n"
	"                                  the authenticator, to enrol a new one)\n"
	"  code issue --all-without-email --output FILE [--org ORG] [--lifetime D]\n"
	"                                  an access code for everyone without e-mail,\n"
	"                                  written to FILE (CSV) and a printable sheet\n";

static const char help_code_revoke[] =
	"  code revoke USERNAME            revoke a person's unused access code\n";

static const char help_code_list[] =
	"  code list                       every access code's status, never the code\n";

static const char help_invite_send[] =
	"  invite send USERNAME [--code-to-me]\n"
	"                                  invite a person to register: a code valid\n"
	"                                  for invitation_lifetime (replaces a pending\n"
	"                                  one). E-mail delivery is not built yet: the\n"
	"                                  code is always shown to you, once, and\n"
	"                                  --code-to-me says exactly that\n";

static const char help_invite_revoke[] =
	"  invite revoke USERNAME          withdraw a person's pending invitation\n";

static const char help_invite_list[] =
	"  invite list                     every invitation's status and expiry,\n"
	"                                  never the code\n";

static const char help_mfa_reset[] =
	"  mfa reset USERNAME              remove a person's authenticator: they enrol\n"
	"                                  a new one at their next login, after the\n"
	"                                  password\n";

static const char help_source_unlock[] =
	"  source unlock KIND=VALUE        lift a kiosk source's lock after wrong access\n"
	"                                  codes (rhost=HOST, tty=TTY or service=NAME)\n";

static const char help_unlock[] =
	"  unlock USERNAME                 lift a person's lock after failed logins and\n"
	"                                  clear their count of failures\n";

static const char help_group_add[] =
	"  group add NAME [--org O]        a host group (hosts name it in pam_onboard's\n"
	"                                  group=NAME)\n";

static const char help_group_list[] =
	"  group list                      the host groups and their members\n";

static const char help_group_assign[] =
	"  group assign|unassign USERNAME GROUP\n"
	"                                  put a person in a host group, or take them out\n";

static const char help_pool_add[] =
	"  pool add NAME --seats N [--org O]\n"
	"                                  a seat pool of N seats\n";

static const char help_pool_list[] =
	"  pool list                       the seat pools, seats used and total\n";

static const char help_pool_assign[] =
	"  pool assign|unassign USERNAME POOL\n"
	"                                  give a person a seat in a pool, or take it back\n";

static const char help_audit[] =
	"  audit [--since TIME] [--user USERNAME]\n"
	"                                  the audit log (TIME: seconds since the epoch,\n"
	"                                  2025-01-31, 2025-01-31T08:00:00 in UTC, or\n"
	"                                  how long ago, like 2h or 7d)\n";

static const char help_doctor[] =
	"  doctor [--root DIR] [--state-dir DIR] [--sshd-config FILE]\n"
	"                                  check the PAM stacks, sshd, the socket and\n"
	"                                  the state files for mistakes that let logins\n"
	"                                  skip onboard; exit 1 when it finds any\n";

static const char ctl_help_options[] =
	"Options:\n"
	"  --socket PATH  onboardd's socket (default: $ONBOARD_SOCKET, else " OB_DEFAULT_SOCKET ")\n"
	"  --json         print the reply as one JSON document; errors as one JSON object\n"
	"                 on stderr, {\"error\": NAME, \"message\": TEXT}\n"
	"  --help         show this help\n"
	"  --version      show the version\n"
	"\n"
	"Exit status: 0 done, 1 refused by onboardd, 2 usage error, 3 onboardd unreachable.\n";

struct ctl_command {
	const char *words[2];
	const char *args[2]; /* the positional arguments' names */
	unsigned required;   /* how many of them must be there */
	const struct ctl_option *options;
	int (*run)(struct ctl *c);
	const char *help; /* its lines of --help (shared by assign and unassign) */
};

/* doctor reads the files and the socket itself (ctl/doctor.c); without
 * --socket or $ONBOARD_SOCKET it checks the default socket inside --root. */
static int ctl_doctor(struct ctl *c)
{
	const char *env = getenv("ONBOARD_SOCKET");
	struct doctor_options o = {
		.root = c->opt[OPT_ROOT],
		.socket = c->opt[OPT_SOCKET] || (env && env[0]) ? c->socket : NULL,
		.state_dir = c->opt[OPT_STATE_DIR],
		.sshd_config = c->opt[OPT_SSHD_CONFIG],
		.json = c->json,
	};

	if ((o.root && !o.root[0]) || (o.state_dir && !o.state_dir[0]) ||
	    (o.sshd_config && !o.sshd_config[0])) {
		ctl_usage_error("doctor: a path is empty");
		return CTL_EXIT_USAGE;
	}
	return doctor_run(&o);
}

static const struct ctl_command ctl_commands[] = {
	{ { "status", NULL }, { NULL }, 0, ctl_no_options, cmd_status,
	  help_status },
	{ { "user", "add" }, { "USERNAME" }, 1, ctl_user_add_options, cmd_user_add,
	  help_user_add },
	{ { "user", "show" }, { "USERNAME" }, 1, ctl_no_options, cmd_user_show,
	  help_user_show },
	{ { "user", "list" }, { NULL }, 0, ctl_no_options, cmd_user_list,
	  help_user_list },
	{ { "user", "modify" }, { "USERNAME" }, 1, ctl_user_modify_options, cmd_user_modify,
	  help_user_modify },
	{ { "user", "delete" }, { "USERNAME" }, 1, ctl_user_delete_options, cmd_user_delete,
	  help_user_delete },
	{ { "user", "restore" }, { "USERNAME" }, 1, ctl_no_options, cmd_user_restore,
	  help_user_restore },
	{ { "user", "purge" }, { "USERNAME" }, 1, ctl_user_purge_options, cmd_user_purge,
	  help_user_purge },
	{ { "user", "import" }, { "FILE" }, 1, ctl_user_import_options, cmd_user_import,
	  help_user_import },
	{ { "bank", "list" }, { NULL }, 0, ctl_bank_list_options, cmd_bank_list,
	  help_bank_list },
	{ { "code", "issue" }, { "USERNAME" }, 0, ctl_code_issue_options, cmd_code_issue,
	  help_code_issue },
	{ { "code", "revoke" }, { "USERNAME" }, 1, ctl_no_options, cmd_code_revoke,
	  help_code_revoke },
	{ { "code", "list" }, { NULL }, 0, ctl_no_options, cmd_code_list,
	  help_code_list },
	{ { "invite", "send" }, { "USERNAME" }, 1, ctl_invite_send_options, cmd_invite_send,
	  help_invite_send },
	{ { "invite", "revoke" }, { "USERNAME" }, 1, ctl_no_options, cmd_invite_revoke,
	  help_invite_revoke },
	{ { "invite", "list" }, { NULL }, 0, ctl_no_options, cmd_invite_list,
	  help_invite_list },
	{ { "mfa", "reset" }, { "USERNAME" }, 1, ctl_no_options, cmd_mfa_reset,
	  help_mfa_reset },
	{ { "unlock", NULL }, { "USERNAME" }, 1, ctl_no_options, cmd_unlock,
	  help_unlock },
	{ { "source", "unlock" }, { "SOURCE" }, 1, ctl_no_options, cmd_source_unlock,
	  help_source_unlock },
	{ { "group", "add" }, { "NAME" }, 1, ctl_group_add_options, cmd_group_add,
	  help_group_add },
	{ { "group", "list" }, { NULL }, 0, ctl_no_options, cmd_group_list,
	  help_group_list },
	{ { "group", "assign" }, { "USERNAME", "GROUP" }, 2, ctl_no_options, cmd_group_assign,
	  help_group_assign },
	{ { "group", "unassign" }, { "USERNAME", "GROUP" }, 2, ctl_no_options, cmd_group_unassign,
	  help_group_assign },
	{ { "pool", "add" }, { "NAME" }, 1, ctl_pool_add_options, cmd_pool_add,
	  help_pool_add },
	{ { "pool", "list" }, { NULL }, 0, ctl_no_options, cmd_pool_list,
	  help_pool_list },
	{ { "pool", "assign" }, { "USERNAME", "POOL" }, 2, ctl_no_options, cmd_pool_assign,
	  help_pool_assign },
	{ { "pool", "unassign" }, { "USERNAME", "POOL" }, 2, ctl_no_options, cmd_pool_unassign,
	  help_pool_assign },
	{ { "audit", NULL }, { NULL }, 0, ctl_audit_options, cmd_audit,
	  help_audit },
	{ { "doctor", NULL }, { NULL }, 0, ctl_doctor_options, ctl_doctor,
	  help_doctor },
};

static void ctl_help(void)
{
	const char *last = NULL;

	printf("Usage: onboardctl [--socket PATH] [--json] COMMAND ...\n"
	       "       onboardctl COMMAND --help\n"
	       "\n"
	       "Administer onboard through onboardd.\n"
	       "\n"
	       "Commands:\n");
	for (size_t i = 0; i < OB_ARRAY_SIZE(ctl_commands); i++) {
		if (ctl_commands[i].help != last)
			fputs(ctl_commands[i].help, stdout);
		last = ctl_commands[i].help;
	}
	printf("\n%s", ctl_help_options);
}

/* onboardctl COMMAND --help: that command's lines and the options every
 * command takes. */
static void ctl_command_help(const struct ctl_command *cmd)
{
	printf("Usage: onboardctl [--socket PATH] [--json] %s%s%s ...\n\n%s\n%s",
	       cmd->words[0], cmd->words[1] ? " " : "", cmd->words[1] ? cmd->words[1] : "",
	       cmd->help, ctl_help_options);
}

/* ------------------------------------------------------------- parsing */

static const struct ctl_option *ctl_find_option(const struct ctl_option *table,
						const char *name, size_t len)
{
	for (; table->name; table++)
		if (strlen(table->name) == len && strncmp(table->name, name, len) == 0)
			return table;
	return NULL;
}

/* An option of any command, by name: a name means the same in every
 * table, so one pass reads the whole line before the command is known. */
static const struct ctl_option *ctl_any_option(const char *name, size_t len)
{
	const struct ctl_option *o = ctl_find_option(ctl_global_options, name, len);

	for (size_t i = 0; !o && i < OB_ARRAY_SIZE(ctl_commands); i++)
		o = ctl_find_option(ctl_commands[i].options, name, len);
	return o;
}

/* Keep one more value of a repeatable option.  Returns 0 or -ENOMEM. */
static int ctl_keep(struct ctl *c, enum ctl_opt id, const char *value)
{
	const char **v = reallocarray(c->many[id], c->nmany[id] + 1, sizeof(*v));

	if (!v)
		return -ENOMEM;
	v[c->nmany[id]++] = value;
	c->many[id] = v;
	return 0;
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
	if (ctl_repeatable(o->id)) {
		if (ctl_keep(c, o->id, value) < 0) {
			ctl_oom();
			return -ENOMEM;
		}
	} else if (c->opt[o->id]) {
		/* A repeated option is more likely a slip than an intent. */
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

/* Check the words and options against cmd; set c->arg[].  Returns 0, or
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
	for (unsigned a = 0; a < OB_ARRAY_SIZE(cmd->args) && cmd->args[a]; a++) {
		if (used >= n) {
			if (a < cmd->required) {
				ctl_usage_error("%s: %s is missing", name, cmd->args[a]);
				return -EINVAL;
			}
			break;
		}
		c->arg[a] = words[used++];
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
	char subs[256] = "";

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

/* Read the command line and run the command.  Returns the exit status. */
static int ctl_main(struct ctl *c, int argc, char **argv)
{
	const char *words[4];
	const struct ctl_command *cmd;
	const char *env;
	int n;

	n = ctl_parse(c, argc, argv, words, (int)OB_ARRAY_SIZE(words));
	if (n < 0)
		return CTL_EXIT_USAGE;
	if (c->opt[OPT_HELP] && n == 0) {
		ctl_help();
		return output_finish() < 0 ? CTL_EXIT_REFUSED : CTL_EXIT_OK;
	}
	if (c->opt[OPT_VERSION]) {
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
	if (c->opt[OPT_HELP]) {
		ctl_command_help(cmd);
		return output_finish() < 0 ? CTL_EXIT_REFUSED : CTL_EXIT_OK;
	}
	if (ctl_check(c, cmd, words, n) < 0)
		return CTL_EXIT_USAGE;
	c->json = c->opt[OPT_JSON] != NULL;
	env = getenv("ONBOARD_SOCKET");
	if (c->opt[OPT_SOCKET])
		c->socket = c->opt[OPT_SOCKET];
	else if (env && env[0])
		c->socket = env;
	else
		c->socket = OB_DEFAULT_SOCKET;
	if (!c->socket[0]) {
		ctl_usage_error("--socket: the path is empty");
		return CTL_EXIT_USAGE;
	}
	return cmd->run(c);
}

int main(int argc, char **argv)
{
	struct ctl c = { 0 };
	int r;

	/* Errors are JSON from the first one on, whatever comes before --json. */
	for (int i = 1; i < argc && strcmp(argv[i], "--") != 0; i++)
		if (strcmp(argv[i], "--json") == 0)
			ctl_errors_as_json(true);
	r = ctl_main(&c, argc, argv);

	for (int id = 0; id < OPT_COUNT; id++)
		free(c.many[id]);
	return r;
}
