/* SPDX-License-Identifier: BSD-3-Clause */
/* The varlink codec against arbitrary bytes: one message parsed whole,
 * then the same bytes cut into chunks and fed to the stream reader as a
 * socket would deliver them.  Every parsed message goes through the call
 * and reply splitters, the typed getters, and an encode/parse round trip. */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ob_protocol.h"
#include "varlink.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fuzz_params(struct json_object *params)
{
	json_object_object_foreach(params, key, val) {
		const char *s;
		bool b;
		long long n;

		(void)val;
		if (varlink_get_string(params, key, OB_TEXT_MAX, &s) == 0 &&
		    strlen(s) > OB_TEXT_MAX)
			abort();
		varlink_get_bool(params, key, &b);
		varlink_get_int(params, key, &n);
	}
}

static void fuzz_message(struct json_object *msg)
{
	struct json_object *params, *back;
	const char *method, *error;
	bool oneway;
	char *buf;
	size_t len;
	int r;

	if (!json_object_is_type(msg, json_type_object))
		abort();
	if (varlink_call_split(msg, &method, &params, &oneway) == 0) {
		if (!method[0] || !json_object_is_type(params, json_type_object))
			abort();
		fuzz_params(params);
	}
	if (varlink_reply_split(msg, &error, &params) == 0) {
		if ((error && !error[0]) || !json_object_is_type(params, json_type_object))
			abort();
		fuzz_params(params);
	}
	/* What we send must be what we would accept. */
	r = varlink_encode(msg, &buf, &len);
	if (r == 0) {
		if (len == 0 || len > OB_MAX_MESSAGE + 1 || buf[len - 1] != '\0' ||
		    strlen(buf) != len - 1)
			abort();
		if (varlink_parse(buf, len - 1, &back) != 0)
			abort();
		varlink_wipe(back);
		json_object_put(back);
		free(buf);
	} else if (r != -EMSGSIZE && r != -ENOMEM) {
		abort();
	}
	varlink_wipe(msg);
	json_object_put(msg);
}

/* Feed src to a reader in chunks whose sizes come from the data itself,
 * taking out every message as it completes, as the daemon's loop does. */
static void fuzz_reader(const uint8_t *src, size_t size, size_t chunk_max)
{
	struct varlink_reader rd = { 0 };
	size_t off = 0;

	while (off < size) {
		struct json_object *msg;
		size_t room, n;
		char *at;
		int r;

		if (varlink_reader_space(&rd, &at, &room) < 0)
			break;
		if (room == 0)
			abort(); /* a full buffer must already have been refused */
		n = 1 + (size_t)src[off] % chunk_max;
		if (n > size - off)
			n = size - off;
		if (n > room)
			n = room;
		memcpy(at, src + off, n);
		varlink_reader_commit(&rd, n);
		off += n;
		while ((r = varlink_reader_next(&rd, &msg)) != 0) {
			if (r == 1)
				fuzz_message(msg);
			else if (msg)
				abort(); /* an error must not hand out a message */
			if (r == -EMSGSIZE)
				goto out; /* the connection would be dropped */
		}
		if (rd.len > OB_MAX_MESSAGE)
			abort(); /* a message this long without a NUL was refused */
	}
out:
	varlink_reader_free(&rd);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct json_object *msg;

	if (varlink_parse((const char *)data, size, &msg) == 0)
		fuzz_message(msg);
	else if (msg)
		abort();

	/* A leading 0xff stretches the input past the size cap, to reach the
	 * oversize path without huge inputs: the bytes after it, then their
	 * last byte again and again (a space for a NUL: thousands of empty
	 * messages would only slow the fuzzer down). */
	if (size > 1 && data[0] == 0xff) {
		size_t big = OB_MAX_MESSAGE + 2 + size;
		uint8_t *rep = malloc(big);

		if (!rep)
			return 0;
		memcpy(rep, data + 1, size - 1);
		memset(rep + size - 1, data[size - 1] ? data[size - 1] : ' ', big - (size - 1));
		fuzz_reader(rep, big, 8192);
		free(rep);
	} else {
		fuzz_reader(data, size, 64);
	}
	return 0;
}
