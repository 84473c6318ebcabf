/* SPDX-License-Identifier: BSD-3-Clause */
/* Varlink message codec: framing, parsing and building. */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>

#include "ob_protocol.h"
#include "utf8.h"
#include "varlink.h"

#define VARLINK_MAX_DEPTH 16

/* Move what r holds to a buffer of cap bytes (cap >= r->len).  The old
 * buffer held messages with passwords: wiped whole before it is freed. */
static int varlink_reader_resize(struct varlink_reader *r, size_t cap)
{
	char *buf = malloc(cap);

	if (!buf)
		return -ENOMEM;
	if (r->buf) {
		memcpy(buf, r->buf, r->len);
		sodium_memzero(r->buf, r->cap);
		free(r->buf);
	}
	r->buf = buf;
	r->cap = cap;
	return 0;
}

int varlink_reader_space(struct varlink_reader *r, char **at, size_t *room)
{
	if (!r->buf) {
		r->len = 0;
		if (varlink_reader_resize(r, VARLINK_READER_MIN) < 0)
			return -ENOMEM;
	} else if (r->len == r->cap && r->cap < OB_MAX_MESSAGE + 1) {
		size_t cap = r->cap * 2;

		if (cap > OB_MAX_MESSAGE + 1)
			cap = OB_MAX_MESSAGE + 1;
		if (varlink_reader_resize(r, cap) < 0)
			return -ENOMEM;
	}
	*at = r->buf + r->len;
	*room = r->cap - r->len;
	return 0;
}

void varlink_reader_commit(struct varlink_reader *r, size_t n)
{
	r->len += n;
}

bool varlink_reader_pending(const struct varlink_reader *r)
{
	return r->buf && r->len > 0;
}

void varlink_reader_free(struct varlink_reader *r)
{
	if (r->buf) {
		sodium_memzero(r->buf, r->cap);
		free(r->buf);
	}
	r->buf = NULL;
	r->cap = 0;
	r->len = 0;
}

int varlink_reader_next(struct varlink_reader *r, struct json_object **msg)
{
	char *nul;
	size_t n;
	int ret;

	*msg = NULL;
	if (!r->buf || r->len == 0)
		return 0;
	nul = memchr(r->buf, '\0', r->len);
	if (!nul)
		return r->len > OB_MAX_MESSAGE ? -EMSGSIZE : 0;
	n = (size_t)(nul - r->buf);
	ret = varlink_parse(r->buf, n, msg);
	/* Drop the message and its NUL; keep what followed it. */
	sodium_memzero(r->buf, n + 1);
	memmove(r->buf, r->buf + n + 1, r->len - n - 1);
	r->len -= n + 1;
	sodium_memzero(r->buf + r->len, n + 1);
	/* Back to the first size once a long message is taken (when that
	 * fails, the larger buffer is simply kept). */
	if (r->cap > VARLINK_READER_MIN && r->len <= VARLINK_READER_MIN)
		(void)varlink_reader_resize(r, VARLINK_READER_MIN);
	return ret < 0 ? ret : 1;
}

/* json-c decodes "\u0000" inside keys and strings into a NUL that cuts
 * them short, so that two keys can both read as "method".  No message of
 * ours has a use for it. */
static bool varlink_has_escaped_nul(const char *data, size_t len)
{
	return memmem(data, len, "\\u0000", 6) != NULL;
}

/* json-c keeps the last of two equal keys and drops the first without a
 * word, so {"user":"a","user":"b"} would mean something else to us than
 * to a checker that keeps the first.  The raw text of a valid message has
 * one ':' outside strings per object member; the parsed tree has as many
 * members only if no key repeated in any object at any depth (a repeated
 * key loses a member, and what its dropped value held is lost too). */
static size_t varlink_raw_members(const char *data, size_t len)
{
	bool in_string = false;
	size_t n = 0;

	for (size_t i = 0; i < len; i++) {
		if (in_string) {
			if (data[i] == '\\')
				i++;
			else if (data[i] == '"')
				in_string = false;
		} else if (data[i] == '"') {
			in_string = true;
		} else if (data[i] == '\'') {
			/* json-c takes 'strings' even when strict, and a '"'
			 * inside one would hide a ':' from this count: a
			 * message of ours never has one, so no count fits. */
			return SIZE_MAX;
		} else if (data[i] == ':') {
			n++;
		}
	}
	return n;
}

/* Members of every object in obj; the tokener's depth limit bounds the
 * recursion. */
static size_t varlink_tree_members(struct json_object *obj)
{
	size_t n = 0, i, len;

	switch (json_object_get_type(obj)) {
	case json_type_array:
		len = json_object_array_length(obj);
		for (i = 0; i < len; i++)
			n += varlink_tree_members(json_object_array_get_idx(obj, i));
		break;
	case json_type_object: {
		json_object_object_foreach(obj, key, val) {
			(void)key;
			n += 1 + varlink_tree_members(val);
		}
		break;
	}
	default:
		break;
	}
	return n;
}

/* json-c copies every string it parses through the tokener's own buffer,
 * and frees it unwiped: answers carry passwords. */
static void varlink_tokener_free(struct json_tokener *tok)
{
	if (tok->pb && tok->pb->buf && tok->pb->size > 0)
		sodium_memzero(tok->pb->buf, (size_t)tok->pb->size);
	json_tokener_free(tok);
}

int varlink_parse(const char *data, size_t len, struct json_object **msg)
{
	struct json_tokener *tok;
	struct json_object *obj;

	*msg = NULL;
	if (len > OB_MAX_MESSAGE)
		return -EMSGSIZE;
	if (len == 0 || len > (size_t)INT32_MAX || memchr(data, '\0', len) ||
	    !utf8_valid(data, len) || varlink_has_escaped_nul(data, len))
		return -EBADMSG;
	tok = json_tokener_new_ex(VARLINK_MAX_DEPTH);
	if (!tok)
		return -ENOMEM;
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
	obj = json_tokener_parse_ex(tok, data, (int)len);
	/* The whole message must be one complete value and nothing else. */
	if (!obj || json_tokener_get_error(tok) != json_tokener_success ||
	    json_tokener_get_parse_end(tok) != len ||
	    !json_object_is_type(obj, json_type_object) ||
	    varlink_tree_members(obj) != varlink_raw_members(data, len)) {
		if (obj) {
			varlink_wipe(obj);
			json_object_put(obj);
		}
		varlink_tokener_free(tok);
		return -EBADMSG;
	}
	varlink_tokener_free(tok);
	*msg = obj;
	return 0;
}

/* The "parameters" of msg, which must be an object; an empty one is
 * added (and owned by msg) where there are none. */
static int message_params(struct json_object *msg, struct json_object **params)
{
	struct json_object *p;

	if (json_object_object_get_ex(msg, "parameters", &p) && p) {
		if (!json_object_is_type(p, json_type_object))
			return -EBADMSG;
	} else {
		p = json_object_new_object();
		if (!p)
			return -ENOMEM;
		json_object_object_add(msg, "parameters", p);
	}
	*params = p;
	return 0;
}

int varlink_call_split(struct json_object *msg, const char **method,
		       struct json_object **params, bool *oneway)
{
	struct json_object *m, *p, *flag = NULL;
	bool wanted = false;
	int r;

	if (!json_object_object_get_ex(msg, "method", &m) ||
	    !json_object_is_type(m, json_type_string) ||
	    json_object_get_string_len(m) == 0 ||
	    (size_t)json_object_get_string_len(m) != strlen(json_object_get_string(m)))
		return -EBADMSG;
	/* We answer every call once: a call that wants more replies, or
	 * to upgrade the connection, gets an error it can be told (the
	 * caller decides which), not a hang-up. */
	for (size_t i = 0; i < 2; i++) {
		static const char *const flags[] = { "more", "upgrade" };

		if (json_object_object_get_ex(msg, flags[i], &flag) && flag &&
		    !json_object_is_type(flag, json_type_boolean))
			return -EBADMSG;
		if (flag && json_object_get_boolean(flag))
			wanted = true;
		flag = NULL;
	}
	*oneway = json_object_object_get_ex(msg, "oneway", &flag) &&
		  json_object_is_type(flag, json_type_boolean) && json_object_get_boolean(flag);
	r = message_params(msg, &p);
	if (r < 0)
		return r;
	*method = json_object_get_string(m);
	*params = p;
	return wanted ? -EOPNOTSUPP : 0;
}

int varlink_reply_split(struct json_object *msg, const char **error,
			struct json_object **params)
{
	struct json_object *e;

	*error = NULL;
	if (json_object_object_get_ex(msg, "error", &e) && e) {
		if (!json_object_is_type(e, json_type_string) ||
		    json_object_get_string_len(e) == 0)
			return -EBADMSG;
		*error = json_object_get_string(e);
	}
	return message_params(msg, params);
}

int varlink_encode(struct json_object *msg, char **out, size_t *len)
{
	const char *s;
	size_t n;
	char *buf;

	*out = NULL;
	*len = 0;
	s = json_object_to_json_string_length(msg, JSON_C_TO_STRING_PLAIN, &n);
	if (!s)
		return -ENOMEM;
	if (n > OB_MAX_MESSAGE) {
		sodium_memzero((char *)s, n);
		return -EMSGSIZE;
	}
	buf = malloc(n + 1);
	if (!buf) {
		sodium_memzero((char *)s, n);
		return -ENOMEM;
	}
	memcpy(buf, s, n);
	buf[n] = '\0';
	/* json-c keeps its rendering inside the object; do not leave a copy
	 * of a secret there. */
	sodium_memzero((char *)s, n);
	*out = buf;
	*len = n + 1;
	return 0;
}

static struct json_object *object_with(const char *key, struct json_object *val)
{
	struct json_object *o = json_object_new_object();

	if (!o) {
		json_object_put(val);
		return NULL;
	}
	json_object_object_add(o, key, val);
	return o;
}

/* {key: name, "parameters": params}, params taken over (NULL for {}):
 * a call and an error are the same message but for the key. */
static struct json_object *named_with_params(const char *key, const char *name,
					     struct json_object *params)
{
	struct json_object *o;

	if (!params)
		params = json_object_new_object();
	o = object_with(key, json_object_new_string(name));
	if (!o || !params) {
		json_object_put(o);
		json_object_put(params);
		return NULL;
	}
	json_object_object_add(o, "parameters", params);
	return o;
}

struct json_object *varlink_call_new(const char *method, struct json_object *params)
{
	return named_with_params("method", method, params);
}

struct json_object *varlink_reply_new(struct json_object *params)
{
	if (!params)
		params = json_object_new_object();
	if (!params)
		return NULL;
	return object_with("parameters", params);
}

struct json_object *varlink_error_new(const char *error, struct json_object *params)
{
	return named_with_params("error", error, params);
}

int varlink_set(struct json_object *obj, const char *key, struct json_object *v)
{
	if (!v || json_object_object_add(obj, key, v) < 0) {
		json_object_put(v);
		return -ENOMEM;
	}
	return 0;
}

struct json_object *varlink_error_msg(const char *error, const char *text)
{
	struct json_object *p = object_with("message", json_object_new_string(text));

	if (!p)
		return NULL;
	return varlink_error_new(error, p);
}

void varlink_wipe(struct json_object *obj)
{
	size_t i, n;

	if (!obj)
		return;
	switch (json_object_get_type(obj)) {
	case json_type_string:
		/* json-c hands out the string's own storage. */
		sodium_memzero((char *)json_object_get_string(obj),
			       (size_t)json_object_get_string_len(obj));
		break;
	case json_type_array:
		n = json_object_array_length(obj);
		for (i = 0; i < n; i++)
			varlink_wipe(json_object_array_get_idx(obj, i));
		break;
	case json_type_object: {
		json_object_object_foreach(obj, key, val) {
			(void)key;
			varlink_wipe(val);
		}
		break;
	}
	default:
		break;
	}
}

int varlink_get_string(struct json_object *params, const char *key, size_t max,
		       const char **out)
{
	struct json_object *v;
	size_t n;

	*out = NULL;
	if (!params || !json_object_object_get_ex(params, key, &v) || !v)
		return -ENOENT;
	if (!json_object_is_type(v, json_type_string))
		return -EINVAL;
	n = (size_t)json_object_get_string_len(v);
	if (n > max || strlen(json_object_get_string(v)) != n)
		return -EINVAL;
	*out = json_object_get_string(v);
	return 0;
}

int varlink_get_bool(struct json_object *params, const char *key, bool *out)
{
	struct json_object *v;

	if (!params || !json_object_object_get_ex(params, key, &v) || !v)
		return -ENOENT;
	if (!json_object_is_type(v, json_type_boolean))
		return -EINVAL;
	*out = json_object_get_boolean(v);
	return 0;
}

int varlink_get_int(struct json_object *params, const char *key, long long *out)
{
	struct json_object *v;

	if (!params || !json_object_object_get_ex(params, key, &v) || !v)
		return -ENOENT;
	if (!json_object_is_type(v, json_type_int))
		return -EINVAL;
	*out = (long long)json_object_get_int64(v);
	/* json-c clamps what does not fit in int64 to its limits; below, it
	 * cannot be told from INT64_MIN, which no parameter of ours needs. */
	if ((*out == INT64_MAX && json_object_get_uint64(v) != (uint64_t)INT64_MAX) ||
	    *out == INT64_MIN)
		return -EINVAL;
	return 0;
}
