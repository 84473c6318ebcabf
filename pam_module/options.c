/* SPDX-License-Identifier: BSD-3-Clause */
/* Parsing the arguments of a pam_onboard.so line. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "names.h"
#include "ob_cleanup.h"
#include "ob_protocol.h"
#include "options.h"

/* Each setter returns 0, or -EINVAL when the value is not acceptable
 * (the option then keeps its default), or for group= and pool= -E2BIG
 * (one group too many) and -EEXIST (a second pool). */
struct option_def {
	const char *name;
	bool has_value; /* name=VALUE, or a bare flag */
	int (*set)(struct options *o, const char *value);
	const char *expect; /* what a good value looks like, for the warning */
};

static int options_set_socket(struct options *o, const char *value)
{
	size_t n = strlen(value);

	if (value[0] != '/' || n >= sizeof(o->socket))
		return -EINVAL;
	memcpy(o->socket, value, n + 1);
	return 0;
}

static int options_set_people(struct options *o, const char *value)
{
	size_t n = strlen(value);

	if (value[0] != '/' || n > OPTIONS_PATH_MAX)
		return -EINVAL;
	memcpy(o->people, value, n + 1);
	return 0;
}

static int options_set_timeout(struct options *o, const char *value)
{
	long v = 0;

	/* Plain decimal digits only: no sign, no spaces, no suffix. */
	if (!value[0] || strlen(value) > 2)
		return -EINVAL;
	for (const char *p = value; *p; p++) {
		if (*p < '0' || *p > '9')
			return -EINVAL;
		v = v * 10 + (*p - '0');
	}
	if (v < OPTIONS_TIMEOUT_MIN || v > OPTIONS_TIMEOUT_MAX)
		return -EINVAL;
	o->timeout = (int)v;
	return 0;
}

static int options_set_debug(struct options *o, const char *value)
{
	o->debug = true;
	return 0;
}

static int options_set_unavailable(struct options *o, const char *value)
{
	if (strcmp(value, "fail") == 0)
		o->unavailable_ignore = false;
	else if (strcmp(value, "ignore") == 0)
		o->unavailable_ignore = true;
	else
		return -EINVAL;
	return 0;
}

static int options_set_kiosk(struct options *o, const char *value)
{
	o->kiosk = true;
	return 0;
}

/* The daemon's rule for group and pool names (validate_group_name): a
 * name the daemon would not take could never match anyway. */
static bool options_name_ok(const char *value)
{
	return name_check(value, OPTIONS_NAME_MAX) == NAME_OK;
}

static int options_set_group(struct options *o, const char *value)
{
	if (!options_name_ok(value))
		return -EINVAL;
	for (unsigned i = 0; i < o->ngroups; i++)
		if (strcmp(o->groups[i], value) == 0)
			return 0;
	if (o->ngroups == OPTIONS_GROUPS_MAX)
		return -E2BIG;
	memcpy(o->groups[o->ngroups++], value, strlen(value) + 1);
	return 0;
}

static int options_set_pool(struct options *o, const char *value)
{
	if (!options_name_ok(value))
		return -EINVAL;
	/* The same pool twice is harmless; two pools are a mistake that
	 * must not silently become either one. */
	if (o->pool[0] && strcmp(o->pool, value) != 0)
		return -EEXIST;
	memcpy(o->pool, value, strlen(value) + 1);
	return 0;
}

static const struct option_def options_table[] = {
	{ "socket", true, options_set_socket, "an absolute path shorter than 108 bytes" },
	{ "timeout", true, options_set_timeout, "whole seconds from 1 to 60" },
	{ "people", true, options_set_people, "an absolute path of at most 255 bytes" },
	{ "debug", false, options_set_debug, "no value" },
	{ "unavailable", true, options_set_unavailable, "fail or ignore" },
	{ "kiosk", false, options_set_kiosk, "no value" },
	{ "group", true, options_set_group,
	  "1 to 32 of a-z 0-9 _ - . beginning with a letter or _" },
	{ "pool", true, options_set_pool, "1 to 32 of a-z 0-9 _ - . beginning with a letter or _" },
};

void options_defaults(struct options *o)
{
	memset(o, 0, sizeof(*o));
	/* OB_DEFAULT_SOCKET is a short constant: it always fits. */
	memcpy(o->socket, OB_DEFAULT_SOCKET, sizeof(OB_DEFAULT_SOCKET));
	o->timeout = OPTIONS_TIMEOUT_DEFAULT;
	memcpy(o->people, OB_DEFAULT_PEOPLE, sizeof(OB_DEFAULT_PEOPLE));
	o->debug = false;
	o->unavailable_ignore = false;
	o->kiosk = false;
	o->ngroups = 0;
	o->pool[0] = '\0';
}

/* The table entry whose name is the part of arg before '=' (or all of
 * arg), or NULL. */
static const struct option_def *options_find(const char *arg, const char **value)
{
	size_t klen = strcspn(arg, "=");

	*value = arg[klen] == '=' ? arg + klen + 1 : NULL;
	for (size_t i = 0; i < OB_ARRAY_SIZE(options_table); i++) {
		const struct option_def *d = &options_table[i];

		if (strlen(d->name) == klen && strncmp(arg, d->name, klen) == 0)
			return d;
	}
	return NULL;
}

int options_parse(struct options *o, int argc, const char **argv, options_warn_fn warn,
		  void *ctx)
{
	int bad = 0;

	options_defaults(o);
	for (int i = 0; i < argc; i++) {
		const char *arg = argv[i] ? argv[i] : "";
		const char *value;
		const struct option_def *d = options_find(arg, &value);
		int r;

		if (!d) {
			if (warn)
				warn(ctx, "unknown option \"%s\" ignored", arg);
			bad++;
			continue;
		}
		r = d->has_value != (value != NULL) ? -EINVAL : d->set(o, value ? value : "");
		if (r == 0)
			continue;
		bad++;
		if (!warn)
			continue;
		if (r == -E2BIG)
			warn(ctx, "option \"%s\" ignored: at most %d groups", arg,
			     OPTIONS_GROUPS_MAX);
		else if (r == -EEXIST)
			warn(ctx, "option \"%s\" ignored: only one pool, pool=%s holds", arg,
			     o->pool);
		else
			warn(ctx, "bad value in option \"%s\" (expected %s): %s", arg, d->expect,
			     d->set == options_set_group || d->set == options_set_pool
				     ? "ignored"
				     : "using the default");
	}
	return bad;
}
