/* SPDX-License-Identifier: BSD-3-Clause */
/* Building administrative replies (see admin_reply.h). */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "admin_reply.h"
#include "log.h"
#include "ob_json.h"
#include "ob_protocol.h"
#include "validate.h"
#include "varlink.h"

/* Add v under key; v is released when it cannot be added. */
int admin_set(struct json_object *o, const char *key, struct json_object *v)
{
	return varlink_set(o, key, v);
}

int admin_append(struct json_object *arr, struct json_object *v)
{
	if (!v || json_object_array_add(arr, v) < 0) {
		json_object_put(v);
		return -ENOMEM;
	}
	return 0;
}

int admin_set_string(struct json_object *o, const char *key, const char *s)
{
	return admin_set(o, key, json_object_new_string(s));
}

int admin_set_int(struct json_object *o, const char *key, int64_t v)
{
	return admin_set(o, key, json_object_new_int64(v));
}

struct json_object *admin_error(const char *error, const char *fmt, ...)
{
	char text[OB_TEXT_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	return varlink_error_msg(error, text);
}

/* org.varlink.service.InvalidParameter for a parameter that is missing
 * (r == -ENOENT) or is not what it should be (wants: "a string of at
 * most 1024 bytes"). */
struct json_object *admin_bad_parameter(const char *name, int r, const char *wants)
{
	struct json_object *p = json_object_new_object();
	char text[160];

	if (!p)
		return NULL;
	if (r == -ENOENT)
		snprintf(text, sizeof(text), "parameter %s is missing", name);
	else
		snprintf(text, sizeof(text), "parameter %s must be %s", name, wants);
	if (admin_set_string(p, "parameter", name) < 0 || admin_set_string(p, "message", text) < 0) {
		json_object_put(p);
		return NULL;
	}
	return varlink_error_new(VL_ERR_INVALID_PARAMETER, p);
}

/* A reply whose parameters hold one member, or NULL on memory
 * exhaustion (val is released then). */
struct json_object *admin_reply_with(const char *key, struct json_object *val)
{
	struct json_object *p = json_object_new_object();

	if (!p) {
		json_object_put(val);
		return NULL;
	}
	if (admin_set(p, key, val) < 0) {
		json_object_put(p);
		return NULL;
	}
	return varlink_reply_new(p);
}

/* A time for the log: "2025-02-22 09:00:00 UTC". */

struct json_object *admin_storage_error(enum store_result r, const char *what)
{
	if (r == STORE_FULL)
		return varlink_error_msg(OB_ERR_STORAGE_FULL,
					 "the database is full: raise db_map_size in onboardd.conf, "
					 "or free space on its file system (onboardd's log says which)");
	log_warnx("admin: %s: store: %s", what, store_result_name(r));
	return admin_error(OB_ERR_STORAGE, "the database could not %s (%s)", what,
			   store_result_name(r));
}

struct json_object *admin_no_id_error(const struct config *cfg)
{
	log_warnx("admin: no free uid in uid_range %u-%u", cfg->uid_range.first,
		  cfg->uid_range.last);
	return admin_error(OB_ERR_STORAGE_FULL,
			   "no free uid in uid_range %u-%u: widen uid_range in onboardd.conf",
			   cfg->uid_range.first, cfg->uid_range.last);
}

int admin_get_name(struct json_object *params, const char *key,
		   const char *(*rule)(const char *s), const char **out, struct json_object **err)
{
	const char *why;
	int r = varlink_get_string(params, key, ADMIN_TEXT_MAX, out);

	if (r < 0) {
		*err = admin_bad_parameter(key, r, ADMIN_WANTS_TEXT);
		return r;
	}
	why = rule(*out);
	if (why) {
		*err = varlink_error_msg(OB_ERR_INVALID_ARGUMENT, why);
		return -EINVAL;
	}
	return 0;
}

/* A required username parameter, valid by the username rule.  Returns 0,
 * or sets *err to the reply that refuses the call. */
int admin_get_username(struct json_object *params, const char **out,
			      struct json_object **err)
{
	return admin_get_name(params, "username", validate_username, out, err);
}

struct json_object *admin_issued_json(const char *username, const char *first_name,
				      const char *last_name, const char *code, int64_t expires)
{
	struct json_object *o = json_object_new_object();

	if (!o || admin_set_string(o, "username", username) < 0 ||
	    admin_set_string(o, "first_name", first_name) < 0 ||
	    admin_set_string(o, "last_name", last_name) < 0 ||
	    admin_set_string(o, "code", code) < 0 || admin_set_int(o, "expires", expires) < 0) {
		varlink_wipe(o);
		json_object_put(o);
		return NULL;
	}
	return o;
}

struct json_object *admin_codes_reply(struct json_object *arr, struct json_object *next)
{
	struct json_object *out = arr ? json_object_new_object() : NULL;

	if (!out || admin_set(out, "codes", arr) < 0 || (next && admin_set(out, "next", next) < 0)) {
		if (!out) {
			varlink_wipe(arr);
			json_object_put(arr);
		} else {
			varlink_wipe(out);
			json_object_put(out);
		}
		json_object_put(next);
		return NULL;
	}
	return varlink_reply_new(out);
}

bool admin_is_error(struct json_object *reply, const char *name)
{
	struct json_object *e;

	if (!reply)
		return true; /* out of memory: not a success */
	if (!json_object_object_get_ex(reply, "error", &e))
		return false;
	return !name || (json_object_is_type(e, json_type_string) &&
			 strcmp(json_object_get_string(e), name) == 0);
}
