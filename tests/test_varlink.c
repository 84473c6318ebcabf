/* SPDX-License-Identifier: BSD-3-Clause */
/* The varlink codec (framing, parsing, building) and the client with its
 * deadlines, against a forked peer on a socket in a temporary directory. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "ob_cleanup.h"
#include "ob_protocol.h"
#include "client.h"
#include "varlink.h"

/* ------------------------------------------------------------ helpers */

static int parse_str(const char *s, struct json_object **msg)
{
	return varlink_parse(s, strlen(s), msg);
}

/* Copy len bytes into the reader as reads would, asking for room again
 * as the reader grows; returns what fit. */
static size_t feed(struct varlink_reader *r, const char *data, size_t len)
{
	size_t done = 0;

	while (done < len) {
		char *at;
		size_t room, n = len - done;

		assert_int_equal(varlink_reader_space(r, &at, &room), 0);
		if (room == 0)
			break;
		if (n > room)
			n = room;
		memcpy(at, data + done, n);
		varlink_reader_commit(r, n);
		done += n;
	}
	return done;
}

/* A JSON object {"p":"xxx..."} of exactly len bytes, NUL-terminated. */
static char *object_of_length(size_t len)
{
	char *s = malloc(len + 1);

	assert_non_null(s);
	assert_true(len >= 8);
	memcpy(s, "{\"p\":\"", 6);
	memset(s + 6, 'x', len - 8);
	memcpy(s + len - 2, "\"}", 3);
	return s;
}

/* ------------------------------------------------------------ parsing */

static void call_parses_method_parameters_and_oneway(void **state)
{
	struct json_object *msg, *params;
	const char *method, *user;
	bool oneway = false;

	(void)state;
	assert_int_equal(parse_str("{\"method\":\"io.onboard.Login.Start\","
				   "\"parameters\":{\"user\":\"alice\"},\"oneway\":true}", &msg), 0);
	assert_int_equal(varlink_call_split(msg, &method, &params, &oneway), 0);
	assert_string_equal(method, OB_LOGIN_START);
	assert_true(oneway);
	assert_int_equal(varlink_get_string(params, "user", OB_USERNAME_MAX, &user), 0);
	assert_string_equal(user, "alice");
	json_object_put(msg);

	assert_int_equal(parse_str("{\"method\":\"a.b.C\",\"parameters\":{}}", &msg), 0);
	assert_int_equal(varlink_call_split(msg, &method, &params, &oneway), 0);
	assert_false(oneway);
	json_object_put(msg);
}

static void call_without_parameters_gets_empty_object(void **state)
{
	struct json_object *msg, *params = NULL;
	const char *method;
	bool oneway;

	(void)state;
	assert_int_equal(parse_str("{\"method\":\"org.varlink.service.GetInfo\"}", &msg), 0);
	assert_int_equal(varlink_call_split(msg, &method, &params, &oneway), 0);
	assert_non_null(params);
	assert_true(json_object_is_type(params, json_type_object));
	assert_int_equal(json_object_object_length(params), 0);
	json_object_put(msg);

	assert_int_equal(parse_str("{\"method\":\"a.b.C\",\"parameters\":null}", &msg), 0);
	assert_int_equal(varlink_call_split(msg, &method, &params, &oneway), 0);
	assert_true(json_object_is_type(params, json_type_object));
	json_object_put(msg);
}

static void call_split_refuses_bad_calls(void **state)
{
	static const char *const bad[] = {
		"{}",
		"{\"parameters\":{}}",
		"{\"method\":5}",
		"{\"method\":\"\"}",
		"{\"method\":null}",
		"{\"method\":[\"a.b.C\"]}",
		"{\"method\":\"a.b.C\",\"parameters\":[]}",
		"{\"method\":\"a.b.C\",\"parameters\":\"x\"}",
		"{\"method\":\"a.b.C\",\"parameters\":1}",
		"{\"method\":\"a.b.C\",\"more\":\"yes\"}",
		"{\"method\":\"a.b.C\",\"upgrade\":1}",
	};

	(void)state;
	for (size_t i = 0; i < OB_ARRAY_SIZE(bad); i++) {
		struct json_object *msg, *params;
		const char *method;
		bool oneway;
		int r;

		if (parse_str(bad[i], &msg) != 0)
			fail_msg("%s: did not even parse", bad[i]);
		r = varlink_call_split(msg, &method, &params, &oneway);
		json_object_put(msg);
		if (r != -EBADMSG)
			fail_msg("%s: call_split gave %d, want -EBADMSG", bad[i], r);
	}
}

/* A call that wants more replies (or an upgrade) is a valid call we do
 * not support: the server answers it with an error, so the split gives
 * it whole, with its own code. */
static void call_with_more_true_is_told_apart(void **state)
{
	static const char *const calls[] = {
		"{\"method\":\"a.b.C\",\"more\":true}",
		"{\"method\":\"a.b.C\",\"upgrade\":true,\"parameters\":{\"x\":1}}",
	};

	(void)state;
	for (size_t i = 0; i < OB_ARRAY_SIZE(calls); i++) {
		struct json_object *msg, *params = NULL;
		const char *method = NULL;
		bool oneway = true;

		assert_int_equal(parse_str(calls[i], &msg), 0);
		assert_int_equal(varlink_call_split(msg, &method, &params, &oneway), -EOPNOTSUPP);
		assert_non_null(method);
		assert_string_equal(method, "a.b.C");
		assert_non_null(params);
		assert_false(oneway);
		json_object_put(msg);
	}
}

static void call_with_more_false_is_accepted(void **state)
{
	struct json_object *msg, *params;
	const char *method;
	bool oneway;

	(void)state;
	assert_int_equal(parse_str("{\"method\":\"a.b.C\",\"more\":false,\"upgrade\":false}", &msg), 0);
	assert_int_equal(varlink_call_split(msg, &method, &params, &oneway), 0);
	json_object_put(msg);
}

static void parse_rejects_what_is_not_one_json_object(void **state)
{
	static const char *const bad[] = {
		"{",
		"}",
		"{\"a\":}",
		"{\"a\" 1}",
		"{\"a\":1,}",
		"{\"a\":tru}",
		"{\"a\":01}",
		"{\"a\":\"unterminated}",
		"[1,2]",
		"[]",
		"\"string\"",
		"42",
		"null",
		"true",
		"{}{}",
		"{} {}",
		"{\"a\":1}x",
		"{\"a\":1}]",
		"{\"a\":1}\"",
		"garbage",
		" ",
	};
	struct json_object *msg = (struct json_object *)&msg;

	(void)state;
	for (size_t i = 0; i < OB_ARRAY_SIZE(bad); i++) {
		int r = parse_str(bad[i], &msg);

		if (r != -EBADMSG)
			fail_msg("'%s': parse gave %d, want -EBADMSG", bad[i], r);
		if (msg)
			fail_msg("'%s': refused but *msg was set", bad[i]);
	}
	assert_int_equal(varlink_parse("", 0, &msg), -EBADMSG);
	assert_int_equal(varlink_parse("{}\0{}", 5, &msg), -EBADMSG);
}

static void parse_rejects_invalid_utf8(void **state)
{
	static const char *const bad[] = {
		"{\"a\":\"\xff\"}",
		"{\"a\":\"\x80\"}",          /* lone continuation byte */
		"{\"a\":\"\xc3\"}",          /* truncated two-byte sequence */
		"{\"a\":\"\xe2\x82\"}",      /* truncated three-byte sequence */
		"{\"\xfe\":1}",              /* in a key */
	};
	struct json_object *msg;

	(void)state;
	for (size_t i = 0; i < OB_ARRAY_SIZE(bad); i++)
		if (parse_str(bad[i], &msg) != -EBADMSG)
			fail_msg("row %zu: invalid UTF-8 was accepted", i);
	assert_int_equal(parse_str("{\"a\":\"\xc3\x85sa \xe2\x82\xac \xf0\x9f\x98\x80\"}", &msg), 0);
	json_object_put(msg);
}

/* RFC 3629: the shortest form only, no surrogates, nothing above
 * U+10FFFF.  An overlong ':' or '/' must not slip past a later check. */
static void parse_rejects_overlong_surrogate_and_out_of_range_utf8(void **state)
{
	static const char *const bad[] = {
		"{\"a\":\"\xc0\xba\"}",             /* overlong ':' */
		"{\"a\":\"\xe0\x80\xaf\"}",         /* overlong '/' */
		"{\"a\":\"\xed\xa0\x80\"}",         /* U+D800 */
		"{\"a\":\"\xf4\x90\x80\x80\"}",     /* U+110000 */
	};
	struct json_object *msg;

	(void)state;
	for (size_t i = 0; i < OB_ARRAY_SIZE(bad); i++) {
		int r = parse_str(bad[i], &msg);

		json_object_put(msg);
		if (r != -EBADMSG)
			fail_msg("row %zu: ill-formed UTF-8 accepted (parse gave %d)", i, r);
	}
}

static char *nested(size_t depth)
{
	char *s = malloc(2 * depth + 16);
	size_t o = 0;

	assert_non_null(s);
	memcpy(s, "{\"a\":", 5);
	o = 5;
	for (size_t i = 1; i < depth; i++)
		s[o++] = '[';
	s[o++] = '1';
	for (size_t i = 1; i < depth; i++)
		s[o++] = ']';
	s[o++] = '}';
	s[o] = '\0';
	return s;
}

static void parse_rejects_deep_nesting(void **state)
{
	struct json_object *msg;
	char *ok = nested(8), *deep = nested(100), *very = nested(30000);

	(void)state;
	assert_int_equal(parse_str(ok, &msg), 0);
	json_object_put(msg);
	assert_int_equal(parse_str(deep, &msg), -EBADMSG);
	assert_int_equal(parse_str(very, &msg), -EBADMSG);
	free(ok);
	free(deep);
	free(very);
}

static void parse_rejects_over_the_cap(void **state)
{
	char *at_cap = object_of_length(OB_MAX_MESSAGE);
	char *over = object_of_length(OB_MAX_MESSAGE + 1);
	struct json_object *msg;

	(void)state;
	assert_int_equal(varlink_parse(at_cap, OB_MAX_MESSAGE, &msg), 0);
	json_object_put(msg);
	assert_int_equal(varlink_parse(over, OB_MAX_MESSAGE + 1, &msg), -EMSGSIZE);
	assert_null(msg);
	free(at_cap);
	free(over);
}

/* ------------------------------------------------------------ framing */

static void reader_waits_for_the_nul(void **state)
{
	static const char call[] = "{\"method\":\"a.b.C\"}";
	struct varlink_reader r = { 0 };
	struct json_object *msg;

	(void)state;
	assert_int_equal(varlink_reader_next(&r, &msg), 0);
	assert_false(varlink_reader_pending(&r));
	feed(&r, call, sizeof(call) - 1); /* everything but the NUL */
	assert_int_equal(varlink_reader_next(&r, &msg), 0);
	assert_null(msg);
	assert_true(varlink_reader_pending(&r));
	feed(&r, "", 1);
	assert_int_equal(varlink_reader_next(&r, &msg), 1);
	assert_non_null(msg);
	assert_false(varlink_reader_pending(&r));
	json_object_put(msg);
	varlink_reader_free(&r);
	assert_null(r.buf);
}

static void reader_assembles_a_message_fed_byte_by_byte(void **state)
{
	static const char call[] = "{\"method\":\"a.b.C\",\"parameters\":{\"x\":\"y\"}}";
	struct varlink_reader r = { 0 };
	struct json_object *msg;
	const char *method;
	struct json_object *params;
	bool oneway;

	(void)state;
	for (size_t i = 0; i < sizeof(call) - 1; i++) {
		feed(&r, call + i, 1);
		assert_int_equal(varlink_reader_next(&r, &msg), 0);
	}
	feed(&r, "", 1);
	assert_int_equal(varlink_reader_next(&r, &msg), 1);
	assert_int_equal(varlink_call_split(msg, &method, &params, &oneway), 0);
	assert_string_equal(method, "a.b.C");
	json_object_put(msg);
	varlink_reader_free(&r);
}

static void reader_splits_two_messages_in_one_read(void **state)
{
	static const char two[] = "{\"method\":\"a.b.One\"}\0{\"method\":\"a.b.Two\"}\0{\"meth";
	struct varlink_reader r = { 0 };
	struct json_object *msg, *params;
	const char *method;
	bool oneway;

	(void)state;
	feed(&r, two, sizeof(two) - 1);
	assert_int_equal(varlink_reader_next(&r, &msg), 1);
	assert_int_equal(varlink_call_split(msg, &method, &params, &oneway), 0);
	assert_string_equal(method, "a.b.One");
	json_object_put(msg);
	assert_int_equal(varlink_reader_next(&r, &msg), 1);
	assert_int_equal(varlink_call_split(msg, &method, &params, &oneway), 0);
	assert_string_equal(method, "a.b.Two");
	json_object_put(msg);
	/* The start of a third stays held. */
	assert_int_equal(varlink_reader_next(&r, &msg), 0);
	assert_true(varlink_reader_pending(&r));
	assert_int_equal(r.len, strlen("{\"meth"));
	varlink_reader_free(&r);
}

static void reader_drops_a_bad_message_and_keeps_the_next(void **state)
{
	static const char bytes[] = "not json\0\0{\"method\":\"a.b.C\"}\0";
	struct varlink_reader r = { 0 };
	struct json_object *msg;

	(void)state;
	feed(&r, bytes, sizeof(bytes) - 1);
	assert_int_equal(varlink_reader_next(&r, &msg), -EBADMSG);
	assert_null(msg);
	assert_int_equal(varlink_reader_next(&r, &msg), -EBADMSG); /* empty message */
	assert_int_equal(varlink_reader_next(&r, &msg), 1);
	json_object_put(msg);
	assert_false(varlink_reader_pending(&r));
	varlink_reader_free(&r);
}

static void reader_takes_a_message_exactly_at_the_cap(void **state)
{
	char *big = object_of_length(OB_MAX_MESSAGE);
	struct varlink_reader r = { 0 };
	struct json_object *msg;

	(void)state;
	/* OB_MAX_MESSAGE bytes without the NUL: it may still come. */
	assert_int_equal(feed(&r, big, OB_MAX_MESSAGE), OB_MAX_MESSAGE);
	assert_int_equal(varlink_reader_next(&r, &msg), 0);
	assert_int_equal(feed(&r, "", 1), 1);
	assert_int_equal(varlink_reader_next(&r, &msg), 1);
	assert_int_equal(json_object_get_string_len(json_object_object_get(msg, "p")),
			 OB_MAX_MESSAGE - 8);
	json_object_put(msg);
	varlink_reader_free(&r);
	free(big);
}

/* A connection holds a few KiB until a message needs more: the buffer
 * doubles up to the cap as a long message comes in, and goes back to its
 * first size once that message is taken. */
static void reader_grows_with_the_message_and_shrinks_after(void **state)
{
	char *big = object_of_length(OB_MAX_MESSAGE - 100);
	struct varlink_reader r = { 0 };
	struct json_object *msg;
	char *at;
	size_t room;

	(void)state;
	assert_int_equal(varlink_reader_space(&r, &at, &room), 0);
	assert_int_equal(room, VARLINK_READER_MIN);
	assert_int_equal(feed(&r, big, OB_MAX_MESSAGE - 100), OB_MAX_MESSAGE - 100);
	assert_true(r.cap >= OB_MAX_MESSAGE - 100 && r.cap <= OB_MAX_MESSAGE + 1);
	assert_int_equal(varlink_reader_next(&r, &msg), 0);
	/* The NUL, and the start of the next call behind it. */
	assert_int_equal(feed(&r, "\0{\"me", 5), 5);
	assert_int_equal(varlink_reader_next(&r, &msg), 1);
	json_object_put(msg);
	assert_int_equal(r.cap, VARLINK_READER_MIN);
	assert_int_equal(r.len, 4);
	assert_memory_equal(r.buf, "{\"me", 4);
	varlink_reader_free(&r);
	assert_null(r.buf);
	free(big);
}

static void reader_refuses_an_oversized_message(void **state)
{
	char *big = object_of_length(OB_MAX_MESSAGE + 1);
	struct varlink_reader r = { 0 };
	struct json_object *msg;
	char *at;
	size_t room;

	(void)state;
	assert_int_equal(feed(&r, big, OB_MAX_MESSAGE + 1), OB_MAX_MESSAGE + 1);
	assert_int_equal(varlink_reader_space(&r, &at, &room), 0);
	assert_int_equal(room, 0);
	assert_int_equal(varlink_reader_next(&r, &msg), -EMSGSIZE);
	assert_null(msg);
	varlink_reader_free(&r);
	free(big);
}

/* ------------------------------------------------------------ replies */

static void reply_split_with_and_without_error(void **state)
{
	struct json_object *msg, *params;
	const char *error = "unset", *text;
	bool ok;

	(void)state;
	assert_int_equal(parse_str("{\"parameters\":{\"ok\":true}}", &msg), 0);
	assert_int_equal(varlink_reply_split(msg, &error, &params), 0);
	assert_null(error);
	assert_int_equal(varlink_get_bool(params, "ok", &ok), 0);
	assert_true(ok);
	json_object_put(msg);

	assert_int_equal(parse_str("{\"error\":\"io.onboard.Admin.UserNotFound\","
				   "\"parameters\":{\"message\":\"no such person\"}}", &msg), 0);
	assert_int_equal(varlink_reply_split(msg, &error, &params), 0);
	assert_string_equal(error, OB_ERR_USER_NOT_FOUND);
	assert_int_equal(varlink_get_string(params, "message", OB_TEXT_MAX, &text), 0);
	assert_string_equal(text, "no such person");
	json_object_put(msg);

	/* Either kind may leave out its parameters. */
	assert_int_equal(parse_str("{\"error\":\"a.b.Failed\"}", &msg), 0);
	assert_int_equal(varlink_reply_split(msg, &error, &params), 0);
	assert_string_equal(error, "a.b.Failed");
	assert_non_null(params);
	json_object_put(msg);
	assert_int_equal(parse_str("{}", &msg), 0);
	assert_int_equal(varlink_reply_split(msg, &error, &params), 0);
	assert_null(error);
	assert_true(json_object_is_type(params, json_type_object));
	json_object_put(msg);
}

static void reply_split_refuses_malformed_replies(void **state)
{
	static const char *const bad[] = {
		"{\"error\":5}",
		"{\"error\":\"\"}",
		"{\"error\":{}}",
		"{\"parameters\":[]}",
		"{\"parameters\":\"x\"}",
		"{\"error\":\"a.b.C\",\"parameters\":7}",
	};

	(void)state;
	for (size_t i = 0; i < OB_ARRAY_SIZE(bad); i++) {
		struct json_object *msg, *params;
		const char *error;
		int r;

		assert_int_equal(parse_str(bad[i], &msg), 0);
		r = varlink_reply_split(msg, &error, &params);
		json_object_put(msg);
		if (r != -EBADMSG)
			fail_msg("%s: reply_split gave %d, want -EBADMSG", bad[i], r);
	}
}

/* ------------------------------------------------------------ building */

static void encode_ends_in_nul_and_round_trips(void **state)
{
	struct json_object *params = json_object_new_object(), *call, *back, *p;
	const char *method;
	char *buf;
	size_t len;
	bool oneway;

	(void)state;
	json_object_object_add(params, "user", json_object_new_string("\xc3\x85sa/\"q\""));
	call = varlink_call_new(OB_ADMIN_USER_SHOW, params);
	assert_non_null(call);
	assert_int_equal(varlink_encode(call, &buf, &len), 0);
	assert_int_equal(buf[len - 1], '\0');
	assert_int_equal(strlen(buf), len - 1);
	assert_int_equal(varlink_parse(buf, len - 1, &back), 0);
	assert_int_equal(varlink_call_split(back, &method, &p, &oneway), 0);
	assert_string_equal(method, OB_ADMIN_USER_SHOW);
	assert_string_equal(json_object_get_string(json_object_object_get(p, "user")),
			    "\xc3\x85sa/\"q\"");
	json_object_put(back);
	json_object_put(call);
	free(buf);
}

static void encode_refuses_more_than_the_cap(void **state)
{
	/* {"p":"..."} is 8 bytes plus the string. */
	char *fill = malloc(OB_MAX_MESSAGE);
	struct json_object *o;
	char *buf = (char *)&buf;
	size_t len = 1;

	(void)state;
	assert_non_null(fill);
	memset(fill, 'x', OB_MAX_MESSAGE - 8);
	o = json_object_new_object();
	json_object_object_add(o, "p", json_object_new_string_len(fill, OB_MAX_MESSAGE - 8));
	assert_int_equal(varlink_encode(o, &buf, &len), 0);
	assert_int_equal(len, OB_MAX_MESSAGE + 1);
	free(buf);
	json_object_put(o);

	memset(fill, 'x', OB_MAX_MESSAGE - 7);
	o = json_object_new_object();
	json_object_object_add(o, "p", json_object_new_string_len(fill, OB_MAX_MESSAGE - 7));
	assert_int_equal(varlink_encode(o, &buf, &len), -EMSGSIZE);
	assert_null(buf);
	assert_int_equal(len, 0);
	json_object_put(o);
	free(fill);
}

static void builders_make_the_documented_shapes(void **state)
{
	struct json_object *m, *params;
	const char *error, *text;

	(void)state;
	m = varlink_error_msg(OB_ERR_NO_CODE, "alice has no valid code");
	assert_non_null(m);
	assert_int_equal(varlink_reply_split(m, &error, &params), 0);
	assert_string_equal(error, OB_ERR_NO_CODE);
	assert_int_equal(varlink_get_string(params, "message", OB_TEXT_MAX, &text), 0);
	assert_string_equal(text, "alice has no valid code");
	json_object_put(m);

	m = varlink_reply_new(NULL);
	assert_int_equal(varlink_reply_split(m, &error, &params), 0);
	assert_null(error);
	assert_int_equal(json_object_object_length(params), 0);
	json_object_put(m);

	m = varlink_call_new("a.b.C", NULL);
	assert_true(json_object_is_type(json_object_object_get(m, "parameters"),
					json_type_object));
	json_object_put(m);
}

static bool all_zero(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

static void wipe_zeroes_every_string(void **state)
{
	struct json_object *msg;
	const char *s[4];
	size_t n[4];
	long long num;

	(void)state;
	assert_int_equal(parse_str("{\"parameters\":{\"password\":\"hunter2hunter2\","
				   "\"list\":[\"ABCDEFGHJKMNPQRS\",{\"deep\":\"s\xc3\xa9\x63ret\"}],"
				   "\"short\":\"x\",\"n\":5}}", &msg), 0);
	{
		struct json_object *p = json_object_object_get(msg, "parameters");
		struct json_object *l = json_object_object_get(p, "list");
		struct json_object *v[4] = {
			json_object_object_get(p, "password"),
			json_object_array_get_idx(l, 0),
			json_object_object_get(json_object_array_get_idx(l, 1), "deep"),
			json_object_object_get(p, "short"),
		};

		for (int i = 0; i < 4; i++) {
			s[i] = json_object_get_string(v[i]);
			n[i] = (size_t)json_object_get_string_len(v[i]);
			assert_true(n[i] > 0 && !all_zero(s[i], n[i]));
		}
		varlink_wipe(msg);
		for (int i = 0; i < 4; i++)
			if (!all_zero(s[i], n[i]))
				fail_msg("string %d was not wiped", i);
		/* Numbers are left alone. */
		assert_int_equal(varlink_get_int(p, "n", &num), 0);
		assert_int_equal(num, 5);
	}
	json_object_put(msg);
	varlink_wipe(NULL);
}

/* ------------------------------------------------------------ typed access */

static void parse_rejects_escaped_nul(void **state)
{
	static const char *const bad[] = {
		"{\"method\":\"a.b\\u0000.C\"}",
		"{\"method\\u0000x\":\"B\",\"method\":\"a.b.C\"}",
		"{\"method\":\"a.b.C\",\"parameters\":{\"user\":\"root\\u0000x\"}}",
	};

	(void)state;
	for (size_t i = 0; i < OB_ARRAY_SIZE(bad); i++) {
		struct json_object *msg = NULL;
		int r = varlink_parse(bad[i], strlen(bad[i]), &msg);

		if (r != -EBADMSG)
			fail_msg("%s: parse gave %d, want -EBADMSG", bad[i], r);
		assert_null(msg);
	}
}

/* json-c keeps the last of two equal keys: a checker that reads the first
 * would see another message than the daemon.  A repeated key at any depth
 * is not a valid message; equal keys in different objects, and key-like
 * text inside strings, are fine. */
static void parse_rejects_duplicate_keys_at_any_depth(void **state)
{
	static const char *const bad[] = {
		"{\"method\":\"a.b.C\",\"method\":\"a.b.D\"}",
		"{\"method\":\"a.b.C\",\"parameters\":{\"user\":\"alice\",\"user\":\"root\"}}",
		"{\"method\":\"a.b.C\",\"parameters\":{\"answers\":[{\"a\":1,\"a\":1}]}}",
		"{\"p\":{\"q\":{\"r\":[[{\"s\":{\"t\":1,\"t\":2}}]]}}}",
		/* The dropped value held members of its own. */
		"{\"parameters\":{\"x\":1,\"y\":2},\"parameters\":{}}",
		/* The same key spelt with an escape. */
		"{\"user\":\"a\",\"\\u0075ser\":\"b\"}",
	};
	static const char *const good[] = {
		"{\"a\":{\"a\":{\"a\":1}},\"b\":[{\"a\":1},{\"a\":2}]}",
		"{\"a\":\"x:y\\\":\\\\\",\"b\":\"{\\\"a\\\":1,\\\"a\\\":2}\"}",
		"{\"k:1\":1,\"k:2\":2}",
		"{}",
	};

	(void)state;
	for (size_t i = 0; i < OB_ARRAY_SIZE(bad); i++) {
		struct json_object *msg = NULL;
		int r = varlink_parse(bad[i], strlen(bad[i]), &msg);

		if (r != -EBADMSG)
			fail_msg("%s: parse gave %d, want -EBADMSG", bad[i], r);
		assert_null(msg);
	}
	for (size_t i = 0; i < OB_ARRAY_SIZE(good); i++) {
		struct json_object *msg = NULL;
		int r = varlink_parse(good[i], strlen(good[i]), &msg);

		if (r != 0)
			fail_msg("%s: parse gave %d, want 0", good[i], r);
		json_object_put(msg);
	}
}

/* json-c takes 'single-quoted' strings even with JSON_TOKENER_STRICT,
 * and a '"' inside one hid a ':' from the count of members above, so
 * that a repeated key went through (the first message below was
 * accepted as {"'\"'":1,"user":"b::"}).  No message of ours is written
 * that way: a single quote outside a string is refused. */
static void parse_rejects_single_quoted_strings(void **state)
{
	static const char *const bad[] = {
		"{\"method\":\"a.b.C\",'\"':1,\"user\":\"a\",\"user\":\"b::\"}",
		"{'method':\"a.b.C\"}",
		"{\"method\":'a.b.C'}",
		"{\"method\":\"a.b.C\",\"parameters\":{\"answers\":['x']}}",
	};
	static const char *const good[] = {
		"{\"method\":\"a.b.C\",\"parameters\":{\"answers\":[\"it's\",\"'\\\"'\"]}}",
	};

	(void)state;
	for (size_t i = 0; i < OB_ARRAY_SIZE(bad); i++) {
		struct json_object *msg = NULL;
		int r = varlink_parse(bad[i], strlen(bad[i]), &msg);

		if (r != -EBADMSG)
			fail_msg("%s: parse gave %d, want -EBADMSG", bad[i], r);
		assert_null(msg);
	}
	for (size_t i = 0; i < OB_ARRAY_SIZE(good); i++) {
		struct json_object *msg = NULL;
		int r = varlink_parse(good[i], strlen(good[i]), &msg);

		if (r != 0)
			fail_msg("%s: parse gave %d, want 0", good[i], r);
		json_object_put(msg);
	}
}

static void get_int_refuses_numbers_beyond_int64(void **state)
{
	struct json_object *msg;
	long long n = 0;

	(void)state;
	assert_int_equal(parse_str("{\"big\":9223372036854775808,\"max\":9223372036854775807,"
				   "\"small\":-9223372036854775809}", &msg), 0);
	assert_int_equal(varlink_get_int(msg, "big", &n), -EINVAL);
	assert_int_equal(varlink_get_int(msg, "max", &n), 0);
	assert_true(n == INT64_MAX);
	assert_int_equal(varlink_get_int(msg, "small", &n), -EINVAL);
	json_object_put(msg);
}

static void get_string_checks_type_length_and_nul(void **state)
{
	struct json_object *msg;
	const char *out = "unset";

	(void)state;
	assert_int_equal(parse_str("{\"s\":\"abcd\",\"n\":1,\"z\":null,"
				   "\"o\":{},\"a\":[\"x\"],\"e\":\"\"}", &msg), 0);
	/* The codec refuses "\u0000" on the wire; a NUL can still come from
	 * code that builds objects. */
	json_object_object_add(msg, "nul", json_object_new_string_len("a\0b", 3));
	assert_int_equal(varlink_get_string(msg, "s", 4, &out), 0);
	assert_string_equal(out, "abcd");
	assert_int_equal(varlink_get_string(msg, "s", 3, &out), -EINVAL);
	assert_null(out);
	assert_int_equal(varlink_get_string(msg, "e", 4, &out), 0);
	assert_string_equal(out, "");
	assert_int_equal(varlink_get_string(msg, "missing", 4, &out), -ENOENT);
	assert_int_equal(varlink_get_string(msg, "z", 4, &out), -ENOENT);
	assert_int_equal(varlink_get_string(msg, "n", 4, &out), -EINVAL);
	assert_int_equal(varlink_get_string(msg, "o", 4, &out), -EINVAL);
	assert_int_equal(varlink_get_string(msg, "a", 4, &out), -EINVAL);
	/* "a\u0000b" would read as "a" in C: refused. */
	assert_int_equal(varlink_get_string(msg, "nul", 10, &out), -EINVAL);
	assert_null(out);
	assert_int_equal(varlink_get_string(NULL, "s", 4, &out), -ENOENT);
	json_object_put(msg);
}

static void get_bool_and_int_check_types(void **state)
{
	struct json_object *msg;
	bool b = false;
	long long i = 0;

	(void)state;
	assert_int_equal(parse_str("{\"t\":true,\"f\":false,\"i\":-42,\"big\":9000000000,"
				   "\"d\":1.5,\"s\":\"1\",\"z\":null}", &msg), 0);
	assert_int_equal(varlink_get_bool(msg, "t", &b), 0);
	assert_true(b);
	assert_int_equal(varlink_get_bool(msg, "f", &b), 0);
	assert_false(b);
	assert_int_equal(varlink_get_bool(msg, "i", &b), -EINVAL);
	assert_int_equal(varlink_get_bool(msg, "s", &b), -EINVAL);
	assert_int_equal(varlink_get_bool(msg, "z", &b), -ENOENT);
	assert_int_equal(varlink_get_bool(msg, "missing", &b), -ENOENT);

	assert_int_equal(varlink_get_int(msg, "i", &i), 0);
	assert_int_equal(i, -42);
	assert_int_equal(varlink_get_int(msg, "big", &i), 0);
	assert_int_equal(i, 9000000000LL);
	assert_int_equal(varlink_get_int(msg, "d", &i), -EINVAL);
	assert_int_equal(varlink_get_int(msg, "s", &i), -EINVAL);
	assert_int_equal(varlink_get_int(msg, "t", &i), -EINVAL);
	assert_int_equal(varlink_get_int(msg, "z", &i), -ENOENT);
	assert_int_equal(varlink_get_int(msg, "missing", &i), -ENOENT);
	json_object_put(msg);
}

/* ------------------------------------------------------------ client */

enum peer_mode {
	PEER_SILENT,       /* reads the call, never answers */
	PEER_CLOSE_AT_ONCE,
	PEER_CLOSE_AFTER_CALL,
	PEER_GARBAGE,
	PEER_NOT_AN_OBJECT,
	PEER_TRICKLE,      /* answers one byte at a time, never a NUL */
	PEER_OVERSIZED,
	PEER_ECHO,         /* answers each call, the first in two pieces */
	PEER_ERROR,
};

struct fixture {
	char dir[64];
	char path[128];
	int listen_fd;
	pid_t peer;
};

#define PEER_STEP_US 50000

static void peer_send(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = send(fd, buf, len, MSG_NOSIGNAL);

		if (n <= 0)
			_exit(0);
		buf += n;
		len -= (size_t)n;
	}
}

/* Read until one whole call is held, or the client goes away. */
static struct json_object *peer_read_call(int fd, struct varlink_reader *rd)
{
	for (;;) {
		struct json_object *msg;
		char *at;
		size_t room;
		ssize_t n;
		int r = varlink_reader_next(rd, &msg);

		if (r == 1)
			return msg;
		if (r < 0 || varlink_reader_space(rd, &at, &room) < 0)
			_exit(2);
		n = recv(fd, at, room, 0);
		if (n <= 0)
			return NULL;
		varlink_reader_commit(rd, (size_t)n);
	}
}

static void peer_echo(int fd, struct varlink_reader *rd)
{
	struct json_object *call;
	bool first = true;

	while ((call = peer_read_call(fd, rd))) {
		struct json_object *params, *reply, *p;
		const char *method;
		char *buf;
		size_t len;
		bool oneway;

		if (varlink_call_split(call, &method, &params, &oneway) < 0)
			_exit(3);
		p = json_object_new_object();
		json_object_object_add(p, "method", json_object_new_string(method));
		json_object_object_add(p, "echo", json_object_get(params));
		reply = varlink_reply_new(p);
		if (varlink_encode(reply, &buf, &len) < 0)
			_exit(4);
		if (first) {
			peer_send(fd, buf, len / 2);
			usleep(PEER_STEP_US);
			peer_send(fd, buf + len / 2, len - len / 2);
		} else {
			peer_send(fd, buf, len);
		}
		first = false;
		free(buf);
		json_object_put(reply);
		json_object_put(call);
	}
}

static _Noreturn void peer_main(int listen_fd, enum peer_mode mode)
{
	static const char garbage[] = "this is not json";
	static const char error[] = "{\"error\":\"io.onboard.Admin.UserNotFound\","
				    "\"parameters\":{\"message\":\"no such person: bob\"}}";
	struct varlink_reader rd = { 0 };
	struct json_object *call;
	char *big, byte;
	int fd = accept(listen_fd, NULL, NULL);

	if (fd < 0)
		_exit(1);
	if (mode == PEER_CLOSE_AT_ONCE) {
		close(fd);
		_exit(0);
	}
	if (mode == PEER_ECHO) {
		peer_echo(fd, &rd);
		_exit(0);
	}
	call = peer_read_call(fd, &rd);
	if (!call)
		_exit(0);
	json_object_put(call);
	switch (mode) {
	case PEER_CLOSE_AFTER_CALL:
		close(fd);
		_exit(0);
	case PEER_SILENT:
		while (peer_read_call(fd, &rd))
			;
		break;
	case PEER_GARBAGE:
		peer_send(fd, garbage, sizeof(garbage)); /* with its NUL */
		break;
	case PEER_NOT_AN_OBJECT:
		peer_send(fd, "[1,2,3]", 8);
		break;
	case PEER_TRICKLE:
		/* For two seconds, well past the client's deadline: a client
		 * that restarted its clock on each byte fails, not hangs. */
		peer_send(fd, "{\"parameters\":{", 15);
		for (int i = 0; i < 40; i++) {
			usleep(PEER_STEP_US);
			peer_send(fd, " ", 1);
		}
		break;
	case PEER_OVERSIZED:
		big = malloc(OB_MAX_MESSAGE + 1000);
		if (!big)
			_exit(5);
		memset(big, ' ', OB_MAX_MESSAGE + 1000);
		big[0] = '{';
		peer_send(fd, big, OB_MAX_MESSAGE + 1000);
		free(big); /* valgrind checks the forked peer's exit too */
		break;
	case PEER_ERROR:
		peer_send(fd, error, sizeof(error));
		break;
	default:
		break;
	}
	/* Hold the connection until the client hangs up. */
	while (recv(fd, &byte, 1, 0) > 0)
		;
	_exit(0);
}

static void peer_start(struct fixture *f, enum peer_mode mode)
{
	f->peer = fork();
	assert_true(f->peer >= 0);
	if (f->peer == 0)
		peer_main(f->listen_fd, mode);
}

/* Wait for the peer and check that it ended well. */
static void peer_wait(struct fixture *f)
{
	int status;

	assert_int_equal(waitpid(f->peer, &status, 0), f->peer);
	f->peer = -1;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		fail_msg("peer ended with status %d", status);
}

static int client_setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct sockaddr_un sa = { .sun_family = AF_UNIX };

	if (!f)
		return -1;
	strcpy(f->dir, "/tmp/test_varlink.XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	snprintf(f->path, sizeof(f->path), "%s/sock", f->dir);
	strcpy(sa.sun_path, f->path);
	f->listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (f->listen_fd < 0 || bind(f->listen_fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    listen(f->listen_fd, 4) < 0)
		return -1;
	f->peer = -1;
	*state = f;
	/* A client without a working deadline would wait forever on the
	 * silent peer: end the test instead of hanging the suite. */
	alarm(30);
	return 0;
}

static int client_teardown(void **state)
{
	struct fixture *f = *state;

	alarm(0);
	if (f->peer > 0) {
		kill(f->peer, SIGKILL);
		waitpid(f->peer, NULL, 0);
	}
	close(f->listen_fd);
	unlink(f->path);
	rmdir(f->dir);
	free(f);
	return 0;
}

static long long elapsed_ms(const struct timespec *since)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (long long)(now.tv_sec - since->tv_sec) * 1000 +
	       (now.tv_nsec - since->tv_nsec) / 1000000;
}

/* One call with the given timeout; returns client_call's result. */
static int call_once(struct fixture *f, int timeout_ms, long long *took,
		     struct json_object **reply, struct json_object **rparams,
		     const char **error)
{
	struct json_object *params = json_object_new_object();
	struct client c;
	struct timespec t0;
	int r;

	json_object_object_add(params, "user", json_object_new_string("alice"));
	assert_int_equal(client_connect(&c, f->path, timeout_ms), 0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	r = client_call(&c, OB_ADMIN_USER_SHOW, params, reply, rparams, error);
	if (took)
		*took = elapsed_ms(&t0);
	client_close(&c);
	json_object_put(params);
	return r;
}

static void client_call_gets_the_reply(void **state)
{
	struct fixture *f = *state;
	struct json_object *reply, *rparams, *echo;
	const char *error = "unset", *s;
	struct client c;
	int r;

	peer_start(f, PEER_ECHO);
	r = call_once(f, 2000, NULL, &reply, &rparams, &error);
	assert_int_equal(r, 0);
	assert_null(error);
	assert_int_equal(varlink_get_string(rparams, "method", OB_TEXT_MAX, &s), 0);
	assert_string_equal(s, OB_ADMIN_USER_SHOW);
	echo = json_object_object_get(rparams, "echo");
	assert_int_equal(varlink_get_string(echo, "user", OB_USERNAME_MAX, &s), 0);
	assert_string_equal(s, "alice");
	json_object_put(reply);
	peer_wait(f);

	/* Two calls on one connection, the second without parameters. */
	peer_start(f, PEER_ECHO);
	assert_int_equal(client_connect(&c, f->path, 2000), 0);
	for (int i = 0; i < 2; i++) {
		assert_int_equal(client_call(&c, OB_ADMIN_STATUS, NULL, &reply, &rparams, &error), 0);
		assert_int_equal(varlink_get_string(rparams, "method", OB_TEXT_MAX, &s), 0);
		assert_string_equal(s, OB_ADMIN_STATUS);
		json_object_put(reply);
	}
	client_close(&c);
	peer_wait(f);
}

/* A listener's backlog full, a non-blocking connect to a Unix socket
 * fails with EAGAIN: nothing is pending, and a poll for POLLOUT returns
 * at once (POLLHUP).  The client took that for connected, its first
 * call failed with ENOTCONN, and the module said "unavailable" at once:
 * any local user who connects fast enough (two processes were: 55% of
 * connects found onboardd's backlog full) made logins fail, or with
 * unavailable=ignore step aside.  It tries again until its deadline. */
static void client_connect_waits_for_room_in_a_full_backlog(void **state)
{
	struct fixture *f = *state;
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct json_object *reply, *rparams;
	const char *error = NULL;
	int fill[64], nfill = 0;
	struct client c;

	strcpy(sa.sun_path, f->path);
	while (nfill < 64) {
		int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);

		assert_true(fd >= 0);
		if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
			assert_int_equal(errno, EAGAIN);
			close(fd);
			break;
		}
		fill[nfill++] = fd;
	}
	assert_true(nfill > 0 && nfill < 64);
	/* The peer makes room a moment later, then serves the next. */
	f->peer = fork();
	assert_true(f->peer >= 0);
	if (f->peer == 0) {
		usleep(200000);
		for (int i = 0; i < nfill; i++)
			close(accept(f->listen_fd, NULL, NULL));
		peer_main(f->listen_fd, PEER_ECHO);
	}
	assert_int_equal(client_connect(&c, f->path, 5000), 0);
	assert_int_equal(client_call(&c, OB_ADMIN_STATUS, NULL, &reply, &rparams, &error), 0);
	json_object_put(reply);
	client_close(&c);
	for (int i = 0; i < nfill; i++)
		close(fill[i]);
	peer_wait(f);
}

static void client_call_returns_an_error_reply_as_1(void **state)
{
	struct fixture *f = *state;
	struct json_object *reply, *rparams;
	const char *error = NULL;

	peer_start(f, PEER_ERROR);
	assert_int_equal(call_once(f, 2000, NULL, &reply, &rparams, &error), 1);
	assert_string_equal(error, OB_ERR_USER_NOT_FOUND);
	assert_string_equal(client_error_message(rparams, error), "no such person: bob");
	json_object_put(reply);
	peer_wait(f);
	assert_string_equal(client_error_message(NULL, "a.b.Failed"), "a.b.Failed");
	assert_non_null(client_error_message(NULL, NULL));
}

/* The deadline holds whether the peer says nothing or drips bytes that
 * never make a message. */
static void client_call_times_out_on_a_silent_peer(void **state)
{
	static const enum peer_mode modes[] = { PEER_SILENT, PEER_TRICKLE };
	struct fixture *f = *state;

	for (size_t i = 0; i < OB_ARRAY_SIZE(modes); i++) {
		struct json_object *reply = NULL, *rparams;
		const char *error;
		long long took;
		int r;

		peer_start(f, modes[i]);
		r = call_once(f, 300, &took, &reply, &rparams, &error);
		if (r != -ETIMEDOUT)
			fail_msg("mode %zu: client_call gave %d, want -ETIMEDOUT", i, r);
		assert_null(reply);
		if (took < 290 || took > 900)
			fail_msg("mode %zu: timed out after %lld ms, want about 300", i, took);
		peer_wait(f);
	}
}

static void client_call_reports_a_peer_that_closes(void **state)
{
	struct fixture *f = *state;
	struct json_object *reply = NULL, *rparams;
	const char *error;
	long long took;

	peer_start(f, PEER_CLOSE_AFTER_CALL);
	assert_int_equal(call_once(f, 5000, &took, &reply, &rparams, &error), -ECONNRESET);
	assert_null(reply);
	if (took > 2000)
		fail_msg("a closed connection took %lld ms to notice", took);
	peer_wait(f);
}

static void client_call_survives_sigpipe(void **state)
{
	struct fixture *f = *state;
	struct json_object *reply = NULL, *rparams;
	const char *error;
	struct sigaction dfl = { .sa_handler = SIG_DFL }, old;
	struct client c;
	int r;

	assert_int_equal(sigaction(SIGPIPE, &dfl, &old), 0);
	peer_start(f, PEER_CLOSE_AT_ONCE);
	assert_int_equal(client_connect(&c, f->path, 2000), 0);
	peer_wait(f); /* the peer has closed its end */
	r = client_call(&c, OB_ADMIN_STATUS, NULL, &reply, &rparams, &error);
	client_close(&c);
	sigaction(SIGPIPE, &old, NULL);
	/* Still alive: the send did not raise SIGPIPE. */
	assert_int_equal(r, -ECONNRESET);
	assert_null(reply);
}

static void client_call_refuses_garbage(void **state)
{
	static const enum peer_mode modes[] = { PEER_GARBAGE, PEER_NOT_AN_OBJECT };
	struct fixture *f = *state;

	for (size_t i = 0; i < OB_ARRAY_SIZE(modes); i++) {
		struct json_object *reply = NULL, *rparams;
		const char *error;
		int r;

		peer_start(f, modes[i]);
		r = call_once(f, 2000, NULL, &reply, &rparams, &error);
		if (r != -EBADMSG)
			fail_msg("mode %zu: client_call gave %d, want -EBADMSG", i, r);
		assert_null(reply);
		peer_wait(f);
	}
}

static void client_call_refuses_an_oversized_reply(void **state)
{
	struct fixture *f = *state;
	struct json_object *reply = NULL, *rparams;
	const char *error;

	peer_start(f, PEER_OVERSIZED);
	assert_int_equal(call_once(f, 2000, NULL, &reply, &rparams, &error), -EMSGSIZE);
	assert_null(reply);
	peer_wait(f);
}

static void client_connect_reports_nobody_listening(void **state)
{
	struct fixture *f = *state;
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char stale[160], longpath[200];
	struct client c;
	int fd;

	snprintf(stale, sizeof(stale), "%s/stale", f->dir);
	assert_int_equal(client_connect(&c, stale, 500), -ENOENT);
	assert_int_equal(c.fd, -1);

	/* A socket file whose daemon is gone. */
	strcpy(sa.sun_path, stale);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	close(fd);
	assert_int_equal(client_connect(&c, stale, 500), -ECONNREFUSED);
	unlink(stale);

	memset(longpath, 'p', sizeof(longpath) - 1);
	longpath[0] = '/';
	longpath[sizeof(longpath) - 1] = '\0';
	assert_int_equal(client_connect(&c, longpath, 500), -ENAMETOOLONG);
}

static void client_socket_is_close_on_exec(void **state)
{
	struct fixture *f = *state;
	struct json_object *reply, *rparams;
	const char *error;
	struct client c;

	assert_int_equal(client_connect(&c, f->path, 500), 0);
	assert_true(fcntl(c.fd, F_GETFD) & FD_CLOEXEC);
	client_close(&c);
	assert_int_equal(c.fd, -1);
	assert_int_equal(client_call(&c, OB_ADMIN_STATUS, NULL, &reply, &rparams, &error),
			 -ENOTCONN);
	client_close(&c); /* twice is harmless */
}

int main(void)
{
	const struct CMUnitTest codec[] = {
		cmocka_unit_test(call_parses_method_parameters_and_oneway),
		cmocka_unit_test(call_without_parameters_gets_empty_object),
		cmocka_unit_test(call_split_refuses_bad_calls),
		cmocka_unit_test(call_with_more_true_is_told_apart),
		cmocka_unit_test(call_with_more_false_is_accepted),
		cmocka_unit_test(parse_rejects_what_is_not_one_json_object),
		cmocka_unit_test(parse_rejects_invalid_utf8),
		cmocka_unit_test(parse_rejects_overlong_surrogate_and_out_of_range_utf8),
		cmocka_unit_test(parse_rejects_deep_nesting),
		cmocka_unit_test(parse_rejects_over_the_cap),
		cmocka_unit_test(reader_waits_for_the_nul),
		cmocka_unit_test(reader_assembles_a_message_fed_byte_by_byte),
		cmocka_unit_test(reader_splits_two_messages_in_one_read),
		cmocka_unit_test(reader_drops_a_bad_message_and_keeps_the_next),
		cmocka_unit_test(reader_takes_a_message_exactly_at_the_cap),
		cmocka_unit_test(reader_grows_with_the_message_and_shrinks_after),
		cmocka_unit_test(reader_refuses_an_oversized_message),
		cmocka_unit_test(reply_split_with_and_without_error),
		cmocka_unit_test(reply_split_refuses_malformed_replies),
		cmocka_unit_test(encode_ends_in_nul_and_round_trips),
		cmocka_unit_test(encode_refuses_more_than_the_cap),
		cmocka_unit_test(builders_make_the_documented_shapes),
		cmocka_unit_test(wipe_zeroes_every_string),
		cmocka_unit_test(parse_rejects_escaped_nul),
		cmocka_unit_test(parse_rejects_duplicate_keys_at_any_depth),
		cmocka_unit_test(parse_rejects_single_quoted_strings),
		cmocka_unit_test(get_int_refuses_numbers_beyond_int64),
		cmocka_unit_test(get_string_checks_type_length_and_nul),
		cmocka_unit_test(get_bool_and_int_check_types),
	};
	const struct CMUnitTest client[] = {
		cmocka_unit_test_setup_teardown(client_call_gets_the_reply,
						client_setup, client_teardown),
		cmocka_unit_test_setup_teardown(client_connect_waits_for_room_in_a_full_backlog,
						client_setup, client_teardown),
		cmocka_unit_test_setup_teardown(client_call_returns_an_error_reply_as_1,
						client_setup, client_teardown),
		cmocka_unit_test_setup_teardown(client_call_times_out_on_a_silent_peer,
						client_setup, client_teardown),
		cmocka_unit_test_setup_teardown(client_call_reports_a_peer_that_closes,
						client_setup, client_teardown),
		cmocka_unit_test_setup_teardown(client_call_survives_sigpipe,
						client_setup, client_teardown),
		cmocka_unit_test_setup_teardown(client_call_refuses_garbage,
						client_setup, client_teardown),
		cmocka_unit_test_setup_teardown(client_call_refuses_an_oversized_reply,
						client_setup, client_teardown),
		cmocka_unit_test_setup_teardown(client_connect_reports_nobody_listening,
						client_setup, client_teardown),
		cmocka_unit_test_setup_teardown(client_socket_is_close_on_exec,
						client_setup, client_teardown),
	};
	int failed;

	failed = cmocka_run_group_tests_name("varlink codec", codec, NULL, NULL);
	failed += cmocka_run_group_tests_name("varlink client", client, NULL, NULL);
	return failed ? 1 : 0;
}
