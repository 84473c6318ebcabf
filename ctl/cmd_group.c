/* SPDX-License-Identifier: BSD-3-Clause */
/* onboardctl's commands about host groups and seat pools: add, list,
 * assign and unassign.  The names' rules, seats and organisations are
 * the daemon's to check. */
#include "config.h"

#include <errno.h>
#include <stdio.h>

#include "cmd.h"
#include "ob_protocol.h"
#include "output.h"

/* {"name": name} and, given, {"org": --org}; NULL when out of memory. */
static struct json_object *group_params_name(const struct ctl *c, const char *name)
{
	struct json_object *p = json_object_new_object();

	if (!p || ctl_add_string(p, "name", name) < 0 ||
	    (c->opt[OPT_ORG] && ctl_add_string(p, "org", c->opt[OPT_ORG]) < 0)) {
		json_object_put(p);
		return NULL;
	}
	return p;
}

/* The "org" of the reply's object under key, for the line that says
 * what was added. */
static const char *group_reply_org(struct json_object *rparams, const char *key, char *buf,
				   size_t size)
{
	struct json_object *o, *v;

	if (json_object_object_get_ex(rparams, key, &o) &&
	    json_object_object_get_ex(o, "org", &v) && json_object_is_type(v, json_type_string))
		return output_sanitize(json_object_get_string(v), buf, size);
	return "?";
}

struct group_added {
	const char *key, *what, *name;
};

/* The line that says what was added, and where. */
static int group_added(void *ctx, struct json_object *rparams)
{
	const struct group_added *g = ctx;
	char org[OB_ORG_MAX * 2 + 1];

	return output_line("added %s %s in organisation %s", g->what, g->name,
			   group_reply_org(rparams, g->key, org, sizeof(org))) < 0
		       ? -EIO
		       : output_finish();
}

/* Add a group or pool and say so. */
static int group_add(struct ctl *c, const char *method, struct json_object *p, const char *key,
		     const char *what)
{
	struct group_added g = { key, what, c->arg[0] };

	return ctl_run_with(c, method, p, group_added, &g);
}

/* Assign or unassign: {"username": USERNAME, key: NAME}; then the line
 * "VERB USERNAME WHERE NAME TAIL". */
static int group_member(struct ctl *c, const char *method, const char *key, const char *verb,
			const char *where, const char *tail)
{
	struct json_object *p = ctl_params_username(c->arg[0]);
	char line[160];

	if (!p || ctl_add_string(p, key, c->arg[1]) < 0) {
		json_object_put(p);
		return ctl_oom();
	}
	snprintf(line, sizeof(line), "%s %s %s %s%s", verb, c->arg[0], where, c->arg[1], tail);
	return ctl_run_line(c, method, p, line);
}

int cmd_group_add(struct ctl *c)
{
	struct json_object *p = group_params_name(c, c->arg[0]);

	if (!p)
		return ctl_oom();
	return group_add(c, OB_ADMIN_GROUP_ADD, p, "group", "host group");
}

int cmd_group_list(struct ctl *c)
{
	return ctl_run(c, OB_ADMIN_GROUP_LIST, NULL, output_groups);
}

int cmd_group_assign(struct ctl *c)
{
	return group_member(c, OB_ADMIN_GROUP_ASSIGN, "group", "assigned", "to host group", "");
}

int cmd_group_unassign(struct ctl *c)
{
	return group_member(c, OB_ADMIN_GROUP_UNASSIGN, "group", "took", "out of host group", "");
}

int cmd_pool_add(struct ctl *c)
{
	struct json_object *p;
	long long seats;

	if (!c->opt[OPT_SEATS]) {
		ctl_usage_error("pool add: --seats N is required");
		return CTL_EXIT_USAGE;
	}
	if (!ctl_parse_int(c->opt[OPT_SEATS], 1, 1000000, &seats)) {
		ctl_usage_error("--seats: '%s' is not a number of seats from 1 to 1000000",
				c->opt[OPT_SEATS]);
		return CTL_EXIT_USAGE;
	}
	p = group_params_name(c, c->arg[0]);
	if (!p || ctl_add(p, "seats", json_object_new_int64(seats)) < 0) {
		json_object_put(p);
		return ctl_oom();
	}
	return group_add(c, OB_ADMIN_POOL_ADD, p, "pool", "seat pool");
}

int cmd_pool_list(struct ctl *c)
{
	return ctl_run(c, OB_ADMIN_POOL_LIST, NULL, output_pools);
}

int cmd_pool_assign(struct ctl *c)
{
	return group_member(c, OB_ADMIN_POOL_ASSIGN, "pool", "gave", "a seat in pool", "");
}

int cmd_pool_unassign(struct ctl *c)
{
	return group_member(c, OB_ADMIN_POOL_UNASSIGN, "pool", "took", "out of pool",
			    ": the seat is free");
}
