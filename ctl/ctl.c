/* SPDX-License-Identifier: BSD-3-Clause */
/* The plumbing every onboardctl command uses: one call or a paged list
 * with a deadline, the daemon's refusal on one line, and the small
 * builders of call parameters. */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ctl.h"
#include "duration.h"
#include "ob_protocol.h"
#include "output.h"
#include "text.h"
#include "varlink.h"

static bool ctl_json_errors;

void ctl_errors_as_json(bool on)
{
	ctl_json_errors = on;
}

static void ctl_verror(const char *name, const char *fmt, va_list ap)
{
	char text[OB_TEXT_MAX + 1], line[OB_TEXT_MAX + 1];
	struct json_object *o;
	const char *s;

	vsnprintf(text, sizeof(text), fmt, ap);
	output_sanitize(text, line, sizeof(line));
	if (!ctl_json_errors) {
		fprintf(stderr, "onboardctl: %s\n", line);
		return;
	}
	o = json_object_new_object();
	if (o && json_object_object_add(o, "error", json_object_new_string(name)) == 0 &&
	    json_object_object_add(o, "message", json_object_new_string(line)) == 0 &&
	    (s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
						       JSON_C_TO_STRING_NOSLASHESCAPE)))
		fprintf(stderr, "%s\n", s);
	else /* out of memory: still one JSON object, with nothing to quote */
		fprintf(stderr, "{\"error\":\"%s\",\"message\":\"out of memory\"}\n",
			CTL_ERR_NO_MEMORY);
	json_object_put(o);
}

void ctl_error(const char *name, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ctl_verror(name, fmt, ap);
	va_end(ap);
}

/* In --json mode the hint would not be JSON: the error's name says it. */
void ctl_usage_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ctl_verror(CTL_ERR_USAGE, fmt, ap);
	va_end(ap);
	if (!ctl_json_errors)
		fputs("Try 'onboardctl --help'.\n", stderr);
}

int ctl_oom(void)
{
	ctl_error(CTL_ERR_NO_MEMORY, "out of memory");
	return CTL_EXIT_REFUSED;
}

/* The daemon's reason; for Linked, with the people it names. */
static const char *ctl_refusal_text(struct json_object *rparams, const char *error, char *buf,
				    size_t size)
{
	const char *msg = client_error_message(rparams, error);
	struct json_object *linked;
	size_t n, used;

	if (!error || strcmp(error, OB_ERR_LINKED) != 0 ||
	    !json_object_object_get_ex(rparams, "linked", &linked) ||
	    !json_object_is_type(linked, json_type_array) ||
	    (n = json_object_array_length(linked)) == 0)
		return msg;
	snprintf(buf, size, "%s (linked to them:", msg);
	for (size_t i = 0; i < n; i++) {
		struct json_object *v = json_object_array_get_idx(linked, i);

		used = strlen(buf);
		if (json_object_is_type(v, json_type_string))
			snprintf(buf + used, size - used, " %s", json_object_get_string(v));
	}
	used = strlen(buf);
	snprintf(buf + used, size - used, ")");
	return buf;
}

/* Say why a call failed (r from client_connect or client_call, not 0)
 * and return the exit status.  An error reply is released. */
static int ctl_call_failed(const struct ctl *c, int timeout_ms, int r, struct json_object **reply,
			   struct json_object *rparams, const char *error)
{
	char text[OB_TEXT_MAX];

	if (r == -ENOMEM)
		return ctl_oom();
	if (r == -ETIMEDOUT) {
		ctl_error(CTL_ERR_UNREACHABLE, "cannot reach onboardd at %s: no reply within %d "
			  "seconds", c->socket, timeout_ms / 1000);
		return CTL_EXIT_UNREACHABLE;
	}
	if (r < 0) {
		ctl_error(CTL_ERR_UNREACHABLE, "cannot reach onboardd at %s: %s", c->socket,
			  r == -EBADMSG ? "the reply is not a valid varlink message" : strerror(-r));
		return CTL_EXIT_UNREACHABLE;
	}
	ctl_error(error && error[0] ? error : CTL_ERR_BAD_REPLY, "%s",
		  ctl_refusal_text(rparams, error, text, sizeof(text)));
	ctl_release(*reply);
	*reply = NULL;
	return CTL_EXIT_REFUSED;
}

/* Connect, and make sure root's daemon answers: onboardctl sends
 * administrators' calls and prints the codes it is given, so a process
 * that took over the socket path must get neither.  A caller who is not
 * root may also use a daemon of their own (the tests run one), which
 * learns nothing its owner could not.  Returns 0, -errno from
 * client_connect, or 1 after saying why the daemon is refused. */
static int ctl_open(struct ctl *c, struct client *cl)
{
	uid_t self = getuid(), peer = (uid_t)-1;
	char text[OB_TEXT_MAX];
	int r = client_connect(cl, c->socket, CTL_TIMEOUT_MS);

	if (r < 0)
		return r;
	r = client_served_by(cl, self == geteuid() ? self : 0, &peer);
	if (r == 0)
		return 0;
	client_close(cl);
	if (r == -EPERM)
		snprintf(text, sizeof(text), "refusing the daemon at %s: the socket is served by "
			 "uid %u, not by root", c->socket, (unsigned)peer);
	else
		snprintf(text, sizeof(text), "cannot tell who serves %s: %s", c->socket,
			 strerror(-r));
	ctl_error(CTL_ERR_UNTRUSTED, "%s", text);
	return 1;
}

int ctl_connect(struct ctl *c, struct client *cl)
{
	int r = ctl_open(c, cl);

	if (r == 0)
		return CTL_EXIT_OK;
	if (r > 0)
		return CTL_EXIT_UNREACHABLE;
	return ctl_call_failed(c, CTL_TIMEOUT_MS, r, &(struct json_object *){ NULL }, NULL, NULL);
}

int ctl_call_on(struct ctl *c, struct client *cl, const char *method, struct json_object *params,
		struct json_object **reply, struct json_object **rparams)
{
	const char *error = NULL;
	int r = client_call(cl, method, params, reply, rparams, &error);

	json_object_put(params);
	if (r != 0)
		return ctl_call_failed(c, cl->timeout_ms, r, reply, *rparams, error);
	return CTL_EXIT_OK;
}

int ctl_call(struct ctl *c, const char *method, struct json_object *params,
	     struct json_object **reply, struct json_object **rparams)
{
	struct client cl;
	int r;

	*reply = NULL;
	*rparams = NULL;
	r = ctl_connect(c, &cl);
	if (r != CTL_EXIT_OK) {
		json_object_put(params);
		return r;
	}
	r = ctl_call_on(c, &cl, method, params, reply, rparams);
	client_close(&cl);
	return r;
}

void ctl_release(struct json_object *reply)
{
	varlink_wipe(reply);
	json_object_put(reply);
}

int ctl_output_done(int r)
{
	if (r < 0) {
		ctl_error(CTL_ERR_LOCAL, "cannot write the output: %s", strerror(-r));
		return CTL_EXIT_REFUSED;
	}
	return CTL_EXIT_OK;
}

int ctl_run_with(struct ctl *c, const char *method, struct json_object *params,
		 int (*show)(void *ctx, struct json_object *params), void *ctx)
{
	struct json_object *reply, *rparams;
	int r;

	r = ctl_call(c, method, params, &reply, &rparams);
	if (r != CTL_EXIT_OK)
		return r;
	r = c->json ? output_json(rparams) : show(ctx, rparams);
	ctl_release(reply);
	return ctl_output_done(r);
}

static int run_show(void *ctx, struct json_object *params)
{
	int (*const *show)(struct json_object *params) = ctx;

	return (*show)(params);
}

int ctl_run(struct ctl *c, const char *method, struct json_object *params,
	    int (*show)(struct json_object *params))
{
	return ctl_run_with(c, method, params, run_show, &show);
}

static int run_line(void *ctx, struct json_object *params)
{
	(void)params;
	return output_line("%s", (const char *)ctx) < 0 ? -EIO : output_finish();
}

int ctl_run_line(struct ctl *c, const char *method, struct json_object *params,
		 const char *done)
{
	return ctl_run_with(c, method, params, run_line, (void *)done);
}

int ctl_run_user(struct ctl *c, const char *method, int (*show)(struct json_object *params))
{
	struct json_object *p = ctl_params_username(c->arg[0]);

	if (!p)
		return ctl_oom();
	return ctl_run(c, method, p, show);
}

int ctl_run_user_line(struct ctl *c, const char *method, const char *before, const char *after)
{
	struct json_object *p = ctl_params_username(c->arg[0]);
	char line[256];

	if (!p)
		return ctl_oom();
	snprintf(line, sizeof(line), "%s%s%s", before, c->arg[0], after);
	return ctl_run_line(c, method, p, line);
}

/* ---------------------------------------------------------------- lists */

long ctl_list_take(struct json_object *all, struct json_object *rparams, const char *key)
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
	return (long)n;
}

/* A copy of base (or a new object), or NULL. */
static struct json_object *ctl_list_params(struct json_object *base)
{
	struct json_object *p = NULL;

	if (!base)
		return json_object_new_object();
	if (json_object_deep_copy(base, &p, NULL) < 0)
		return NULL;
	return p;
}

/* The parameters of the page after the one in rparams, which was asked
 * for with asked: NULL in *params when it was the last.  A next that does
 * not move forward would loop forever: -EBADMSG.  Returns 0, -EBADMSG or
 * -ENOMEM. */
static int ctl_list_next(struct json_object *rparams, struct json_object *asked,
			 struct json_object *base, struct json_object **params)
{
	struct json_object *v, *after = NULL, *nv;

	*params = NULL;
	if (!json_object_object_get_ex(rparams, "next", &v) || json_object_is_type(v, json_type_null))
		return 0;
	if (asked)
		json_object_object_get_ex(asked, "after", &after);
	if (json_object_is_type(v, json_type_string)) {
		const char *next = json_object_get_string(v);

		if (!next[0] || (after && strcmp(next, json_object_get_string(after)) <= 0))
			return -EBADMSG;
		nv = json_object_new_string(next);
	} else if (json_object_is_type(v, json_type_int)) {
		int64_t next = json_object_get_int64(v);

		if (next < 0 || (after && next <= json_object_get_int64(after)))
			return -EBADMSG;
		nv = json_object_new_int64(next);
	} else {
		return -EBADMSG;
	}
	*params = ctl_list_params(base);
	if (!*params || ctl_add(*params, "after", nv) < 0) {
		if (!*params)
			json_object_put(nv);
		json_object_put(*params);
		*params = NULL;
		return -ENOMEM;
	}
	return 0;
}

/* Add up what a page says the daemon could not read ("corrupt"), and
 * keep the key of the first such record, printable. */
static void ctl_list_corrupt(struct json_object *rparams, int64_t *count, char *first,
			     size_t size)
{
	struct json_object *v;

	if (!json_object_object_get_ex(rparams, "corrupt", &v) ||
	    !json_object_is_type(v, json_type_int) || json_object_get_int64(v) <= 0)
		return;
	if (*count == 0 && json_object_object_get_ex(rparams, "corrupt_first", &v) &&
	    json_object_is_type(v, json_type_string)) {
		text_printable(first, size, json_object_get_string(v), TEXT_ASCII);
	}
	if (json_object_object_get_ex(rparams, "corrupt", &v) &&
	    json_object_get_int64(v) < INT32_MAX)
		*count += json_object_get_int64(v);
}

/* Lists carry no secrets, and their records are shared with the
 * gathered array: the replies are released without wiping. */
int ctl_list(struct ctl *c, const char *method, struct json_object *base, const char *key,
	     int (*show)(struct json_object *params))
{
	struct json_object *doc = json_object_new_object(), *all = json_object_new_array();
	struct json_object *params = NULL, *next, *reply = NULL, *rparams = NULL;
	const char *error = NULL;
	struct client cl;
	int64_t corrupt = 0;
	char corrupt_first[OB_USERNAME_MAX + 1] = "";
	long taken;
	int r;

	if (!doc || !all || json_object_object_add(doc, key, all) < 0 ||
	    !(params = ctl_list_params(base))) {
		if (!json_object_object_get_ex(doc, key, NULL))
			json_object_put(all);
		json_object_put(doc);
		json_object_put(base);
		return ctl_oom();
	}
	r = ctl_open(c, &cl);
	if (r > 0) {
		json_object_put(doc);
		json_object_put(params);
		json_object_put(base);
		return CTL_EXIT_UNREACHABLE;
	}
	while (r == 0) {
		r = client_call(&cl, method, params, &reply, &rparams, &error);
		if (r != 0)
			break;
		next = NULL;
		taken = ctl_list_take(all, rparams, key);
		r = taken < 0 ? (int)taken : 0;
		ctl_list_corrupt(rparams, &corrupt, corrupt_first, sizeof(corrupt_first));
		if (r == 0)
			r = ctl_list_next(rparams, params, base, &next);
		json_object_put(reply);
		reply = NULL;
		json_object_put(params);
		params = next;
		if (r != 0 || !params)
			break;
	}
	client_close(&cl);
	json_object_put(params);
	json_object_put(base);
	if (r != 0) {
		json_object_put(doc);
		return ctl_call_failed(c, cl.timeout_ms, r, &reply, rparams, error);
	}
	r = c->json ? output_json(doc) : show(doc);
	json_object_put(doc);
	if (corrupt > 0)
		ctl_error(CTL_ERR_BAD_REPLY, "%lld record(s) could not be read and are missing "
			  "from this list (the first: %s); onboardd's log names each",
			  (long long)corrupt, corrupt_first);
	return ctl_output_done(r);
}

/* ----------------------------------------------------------- parameters */

int ctl_add(struct json_object *p, const char *key, struct json_object *v)
{
	return varlink_set(p, key, v);
}

int ctl_add_string(struct json_object *p, const char *key, const char *s)
{
	return ctl_add(p, key, json_object_new_string(s));
}

int ctl_add_strings(struct json_object *p, const char *key, const char *const *v, size_t n,
		    bool split)
{
	struct json_object *arr = json_object_new_array();

	if (!arr)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		const char *s = v[i];

		while (*s) {
			size_t len = split ? strcspn(s, ",") : strlen(s);
			struct json_object *o;

			if (len > 0) {
				o = json_object_new_string_len(s, (int)(len > INT_MAX ? INT_MAX
										    : len));
				if (!o || json_object_array_add(arr, o) < 0) {
					json_object_put(o);
					json_object_put(arr);
					return -ENOMEM;
				}
			}
			s += len;
			if (*s == ',')
				s++;
		}
	}
	return ctl_add(p, key, arr);
}

int ctl_lifetime(const struct ctl *c, int64_t *seconds)
{
	if (c->opt[OPT_LIFETIME] && duration_parse(c->opt[OPT_LIFETIME], seconds) < 0) {
		ctl_usage_error("--lifetime: '%s' is not a duration: write it like 90d, 12h or "
				"1d12h (at most 10 years)", c->opt[OPT_LIFETIME]);
		return -EINVAL;
	}
	return 0;
}

struct json_object *ctl_params_username(const char *username)
{
	struct json_object *p = json_object_new_object();

	if (!p || ctl_add_string(p, "username", username) < 0) {
		json_object_put(p);
		return NULL;
	}
	return p;
}

bool ctl_parse_int(const char *text, long long min, long long max, long long *out)
{
	char *end;
	long long v;

	if (!text[0] || text[0] == '+' || text[0] == ' ')
		return false;
	errno = 0;
	v = strtoll(text, &end, 10);
	if (errno || *end || v < min || v > max)
		return false;
	*out = v;
	return true;
}
