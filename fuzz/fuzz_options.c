/* SPDX-License-Identifier: BSD-3-Clause */
/* options_parse against arbitrary module lines: the input is cut at each
 * '\n' into arguments, and the result is checked against a second,
 * plainer reading of pam_onboard(8)'s options.  Every warning must be one
 * line that names its argument, and there must be one per bad argument. */
#include "config.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ob_protocol.h"
#include "options.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_MAX_ARGS 64
#define FUZZ_MSG_MAX 512

struct fuzz_expect {
	struct options o;
	int bad[FUZZ_MAX_ARGS]; /* indexes of the arguments to be warned about */
	int nbad;
};

struct fuzz_warn {
	const char **argv;
	const struct fuzz_expect *e;
	int calls;
};

__attribute__((format(printf, 2, 3)))
static void fuzz_warn(void *ctx, const char *fmt, ...)
{
	struct fuzz_warn *w = ctx;
	char msg[FUZZ_MSG_MAX];
	const char *arg;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (n <= 0 || strchr(msg, '\n'))
		abort();
	/* Warnings come in argument order: the n-th names the n-th bad
	 * argument (when the message was not cut short). */
	if (w->calls >= w->e->nbad)
		abort();
	arg = w->argv[w->e->bad[w->calls]];
	if (n < (int)sizeof(msg) && arg && !strstr(msg, arg))
		abort();
	w->calls++;
}

/* pam_onboard(8): 1 to 32 of a-z, 0-9, '_', '-', '.', the first a
 * lower-case letter or '_'. */
static bool fuzz_ref_name(const char *v)
{
	size_t n = strlen(v);

	return n >= 1 && n <= 32 && strchr("abcdefghijklmnopqrstuvwxyz_", v[0]) &&
	       strspn(v, "abcdefghijklmnopqrstuvwxyz0123456789_-.") == n;
}

static bool fuzz_ref_set(struct options *o, const char *arg)
{
	const char *v;

	if (strcmp(arg, "debug") == 0) {
		o->debug = true;
		return true;
	}
	if (strncmp(arg, "socket=", 7) == 0) {
		v = arg + 7;
		if (v[0] != '/' || strlen(v) > sizeof(o->socket) - 1)
			return false;
		strcpy(o->socket, v);
		return true;
	}
	if (strncmp(arg, "people=", 7) == 0) {
		v = arg + 7;
		if (v[0] != '/' || strlen(v) > 255)
			return false;
		strcpy(o->people, v);
		return true;
	}
	if (strncmp(arg, "timeout=", 8) == 0) {
		v = arg + 8;
		if (strlen(v) < 1 || strlen(v) > 2 || strspn(v, "0123456789") != strlen(v) ||
		    atoi(v) < 1 || atoi(v) > 60)
			return false;
		o->timeout = atoi(v);
		return true;
	}
	if (strcmp(arg, "unavailable=fail") == 0) {
		o->unavailable_ignore = false;
		return true;
	}
	if (strcmp(arg, "unavailable=ignore") == 0) {
		o->unavailable_ignore = true;
		return true;
	}
	if (strcmp(arg, "kiosk") == 0) {
		o->kiosk = true;
		return true;
	}
	if (strncmp(arg, "group=", 6) == 0) {
		v = arg + 6;
		if (!fuzz_ref_name(v))
			return false;
		for (unsigned i = 0; i < o->ngroups; i++)
			if (strcmp(o->groups[i], v) == 0)
				return true;
		if (o->ngroups == 8)
			return false;
		strcpy(o->groups[o->ngroups++], v);
		return true;
	}
	if (strncmp(arg, "pool=", 5) == 0) {
		v = arg + 5;
		if (!fuzz_ref_name(v) || (o->pool[0] && strcmp(o->pool, v) != 0))
			return false;
		strcpy(o->pool, v);
		return true;
	}
	return false;
}

static void fuzz_reference(int argc, const char **argv, struct fuzz_expect *e)
{
	memset(e, 0, sizeof(*e));
	strcpy(e->o.socket, OB_DEFAULT_SOCKET);
	strcpy(e->o.people, OB_DEFAULT_PEOPLE);
	e->o.timeout = OPTIONS_TIMEOUT_DEFAULT;
	for (int i = 0; i < argc; i++)
		if (!fuzz_ref_set(&e->o, argv[i] ? argv[i] : ""))
			e->bad[e->nbad++] = i;
}

static void fuzz_check(const struct options *o, const struct fuzz_expect *e)
{
	if (!memchr(o->socket, '\0', sizeof(o->socket)) || o->socket[0] != '/')
		abort();
	if (o->timeout < OPTIONS_TIMEOUT_MIN || o->timeout > OPTIONS_TIMEOUT_MAX)
		abort();
	if (!memchr(o->people, '\0', sizeof(o->people)) || o->people[0] != '/' ||
	    strcmp(o->people, e->o.people) != 0)
		abort();
	if (strcmp(o->socket, e->o.socket) != 0 || o->timeout != e->o.timeout ||
	    o->debug != e->o.debug || o->unavailable_ignore != e->o.unavailable_ignore)
		abort();
	if (o->kiosk != e->o.kiosk || o->ngroups != e->o.ngroups || o->ngroups > 8 ||
	    strcmp(o->pool, e->o.pool) != 0)
		abort();
	for (unsigned i = 0; i < o->ngroups; i++)
		if (strcmp(o->groups[i], e->o.groups[i]) != 0)
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *argv[FUZZ_MAX_ARGS];
	struct fuzz_expect e;
	struct fuzz_warn w = { 0 };
	struct options o, quiet;
	char *text;
	int argc = 0, r;

	text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	/* One argument per line; a final '\n' ends the last one rather than
	 * starting another.  A line of a single NUL byte stands for a NULL
	 * argument, which PAM never passes but options_parse accepts. */
	for (size_t i = 0; i < size && argc < FUZZ_MAX_ARGS;) {
		char *nl = memchr(text + i, '\n', size - i);
		size_t end = nl ? (size_t)(nl - text) : size;

		text[end] = '\0';
		argv[argc++] = end - i == 1 && text[i] == '\0' ? NULL : text + i;
		i = end + 1;
	}

	fuzz_reference(argc, argv, &e);
	w.argv = argv;
	w.e = &e;
	r = options_parse(&o, argc, argv, fuzz_warn, &w);
	if (r != w.calls || r != e.nbad)
		abort();
	fuzz_check(&o, &e);
	/* Without a callback: the same result, silently. */
	if (options_parse(&quiet, argc, argv, NULL, NULL) != r)
		abort();
	fuzz_check(&quiet, &e);
	free(text);
	return 0;
}
