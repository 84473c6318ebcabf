/* SPDX-License-Identifier: BSD-3-Clause */
/* The store's record decoders (store_record.c) against arbitrary bytes,
 * as if a corrupt or hostile database file held them.  A record that
 * decodes must encode again and decode to the same struct: nothing is
 * read that could not have been written. */
#include "config.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>

#include "store_record.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The key each decoder checks the record against: the first bytes up to
 * a newline, when there is one; the value is the rest. */
static void fuzz_split(const uint8_t *data, size_t size, struct store_bytes *key,
		       struct store_bytes *value)
{
	const uint8_t *nl = memchr(data, '\n', size < 64 ? size : 64);

	key->data = data;
	key->size = nl ? (size_t)(nl - data) : 0;
	value->data = nl ? nl + 1 : data;
	value->size = nl ? size - key->size - 1 : size;
}

static struct store_bytes fuzz_text(struct json_object *o)
{
	size_t len = 0;
	const char *s = json_object_to_json_string_length(o, JSON_C_TO_STRING_PLAIN, &len);

	if (!s)
		abort();
	return (struct store_bytes){ .data = s, .size = len };
}

/* fuzz_<name>(key, v): a record of type that decodes must encode again
 * and decode to the same struct.  decode and encode as the codes', put
 * frees the encoding. */
#define FUZZ_ROUND_TRIP(name, type, decode, encode, put)                                    \
	static void fuzz_##name(const struct store_bytes *key, const struct store_bytes *v) \
	{                                                                                   \
		struct store_bytes again;                                                   \
		struct json_object *o;                                                      \
		type r, r2;                                                                 \
                                                                                            \
		if (!decode(key, v, &r))                                                    \
			return;                                                             \
		o = encode(&r);                                                             \
		if (!o)                                                                     \
			abort();                                                            \
		again = fuzz_text(o);                                                       \
		if (!decode(key, &again, &r2) || memcmp(&r, &r2, sizeof(r)))                \
			abort();                                                            \
		put(o);                                                                     \
	}

/* A person's encoding names its version; an audit event has no key. */
static struct json_object *fuzz_person_encode(const struct person *p)
{
	return record_person_encode(p, p->version);
}

static bool fuzz_audit_decode(const struct store_bytes *key, const struct store_bytes *v,
			      struct audit_event *e)
{
	(void)key;
	return record_audit_decode(v, e);
}

FUZZ_ROUND_TRIP(person, struct person, record_person_decode, fuzz_person_encode,
		record_person_free)
FUZZ_ROUND_TRIP(code, struct access_code, record_code_decode, record_code_encode, json_object_put)
FUZZ_ROUND_TRIP(invite, struct invitation, record_invite_decode, record_invite_encode,
		json_object_put)
FUZZ_ROUND_TRIP(group, struct group, record_group_decode, record_group_encode, json_object_put)
FUZZ_ROUND_TRIP(pool, struct pool, record_pool_decode, record_pool_encode, json_object_put)
FUZZ_ROUND_TRIP(audit, struct audit_event, fuzz_audit_decode, record_audit_encode, json_object_put)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct store_bytes key, v;

	fuzz_split(data, size, &key, &v);
	fuzz_person(&key, &v);
	fuzz_code(&key, &v);
	fuzz_invite(&key, &v);
	fuzz_group(&key, &v);
	fuzz_pool(&key, &v);
	fuzz_audit(&key, &v);
	return 0;
}
