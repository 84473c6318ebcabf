/* SPDX-License-Identifier: BSD-3-Clause */
/* The store's record decoders (store_record.c) against arbitrary bytes,
 * as if a corrupt or hostile database file held them.  A record that
 * decodes must encode again and decode to the same struct: nothing is
 * read that could not have been written. */
#include "config.h"

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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct store_bytes key, v, again;
	struct person p, p2;
	struct access_code c, c2;
	struct invitation inv, inv2;
	struct group g, g2;
	struct pool pl, pl2;
	struct audit_event e, e2;
	struct json_object *o;

	fuzz_split(data, size, &key, &v);
	if (record_person_decode(&key, &v, &p)) {
		o = record_person_encode(&p, p.version);
		if (!o)
			abort();
		again = fuzz_text(o);
		if (!record_person_decode(&key, &again, &p2) || memcmp(&p, &p2, sizeof(p)))
			abort();
		record_person_free(o);
	}
	if (record_code_decode(&key, &v, &c)) {
		o = record_code_encode(&c);
		if (!o)
			abort();
		again = fuzz_text(o);
		if (!record_code_decode(&key, &again, &c2) || memcmp(&c, &c2, sizeof(c)))
			abort();
		json_object_put(o);
	}
	if (record_invite_decode(&key, &v, &inv)) {
		o = record_invite_encode(&inv);
		if (!o)
			abort();
		again = fuzz_text(o);
		if (!record_invite_decode(&key, &again, &inv2) || memcmp(&inv, &inv2, sizeof(inv)))
			abort();
		json_object_put(o);
	}
	if (record_group_decode(&key, &v, &g)) {
		o = record_group_encode(&g);
		if (!o)
			abort();
		again = fuzz_text(o);
		if (!record_group_decode(&key, &again, &g2) || memcmp(&g, &g2, sizeof(g)))
			abort();
		json_object_put(o);
	}
	if (record_pool_decode(&key, &v, &pl)) {
		o = record_pool_encode(&pl);
		if (!o)
			abort();
		again = fuzz_text(o);
		if (!record_pool_decode(&key, &again, &pl2) || memcmp(&pl, &pl2, sizeof(pl)))
			abort();
		json_object_put(o);
	}
	if (record_audit_decode(&v, &e)) {
		o = record_audit_encode(&e);
		if (!o)
			abort();
		again = fuzz_text(o);
		if (!record_audit_decode(&again, &e2) || memcmp(&e, &e2, sizeof(e)))
			abort();
		json_object_put(o);
	}
	return 0;
}
