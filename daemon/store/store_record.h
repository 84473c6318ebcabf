/* SPDX-License-Identifier: BSD-3-Clause */
/* The records of the store, as JSON text: encoding and strict decoding
 * of people, access codes and invitations.  No LMDB here: store_lmdb*.c
 * keep the bytes, store_record.c and store_record_person.c (the person
 * record) say what they mean. */
#ifndef OB_STORE_RECORD_H
#define OB_STORE_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <json-c/json.h>

#include "ob_json.h"
#include "store.h"

/* 2: totp_sealed, totp_last_step, mfa_enrolled; 3: role, perms, groups,
 * pools, link, deleted */
#define STORE_PERSON_RV 3
#define STORE_PERSON_RV_MIN 1
#define STORE_CODE_RV 1
#define STORE_INVITE_RV 1
#define STORE_GROUP_RV 1
#define STORE_POOL_RV 1
#define STORE_AUDIT_RV 1

/* Bytes held by the database: a key or a value. */
struct store_bytes {
	const void *data;
	size_t size;
};

/* Records as JSON objects, or NULL (out of memory, or a struct that would
 * not decode again).  A person's object holds secrets: free it with
 * record_person_free, which wipes them. */
struct json_object *record_person_encode(const struct person *p, uint64_t version);
struct json_object *record_code_encode(const struct access_code *c);
struct json_object *record_invite_encode(const struct invitation *inv);
void record_person_free(struct json_object *o);

static inline void record_person_freep(struct json_object **o)
{
	record_person_free(*o);
}

/* A person's object in a scope: freed, its secrets wiped, on every way
 * out (as _cleanup_json_ is for the others). */
#define _cleanup_person_json_ _cleanup_(record_person_freep)

/* Strict decoding of the value stored under key; false for anything that
 * is not exactly a record of the current (or a still readable) format
 * for that key. */
bool record_person_decode(const struct store_bytes *key, const struct store_bytes *v,
			  struct person *p);
bool record_code_decode(const struct store_bytes *key, const struct store_bytes *v,
			struct access_code *c);
bool record_invite_decode(const struct store_bytes *key, const struct store_bytes *v,
			  struct invitation *inv);

struct json_object *record_group_encode(const struct group *g);
bool record_group_decode(const struct store_bytes *key, const struct store_bytes *v,
			 struct group *g);
struct json_object *record_pool_encode(const struct pool *p);
bool record_pool_decode(const struct store_bytes *key, const struct store_bytes *v,
			struct pool *p);
struct json_object *record_audit_encode(const struct audit_event *e);
bool record_audit_decode(const struct store_bytes *v, struct audit_event *e);

/* "user", "admin", ... ; NULL for a value outside the enum. */
const char *record_role_name(enum person_role r);
bool record_role_parse(const char *s, enum person_role *out);

/* Whether key holds exactly username. */
bool record_key_matches(const struct store_bytes *key, const char *username);

/* The pieces the codec's own files (store_record*.c) build records from
 * and read them with; not for other callers.  An encoder adds member key
 * to o, or sets *ok false, and does nothing once *ok is false; a decoder
 * is false for a member that is absent, of another type or out of
 * range, and record_parse gives one whole JSON object, strictly, or
 * NULL. */
void record_enc_int(struct json_object *o, const char *key, int64_t v, bool *ok);
void record_enc_time(struct json_object *o, const char *key, int64_t v, bool *ok);
void record_enc_str(struct json_object *o, const char *key, const char *s, size_t size,
		    bool *ok);
void record_enc_head(struct json_object *o, int64_t rv, uint64_t version,
		     const char *username, size_t size, bool *ok);
struct json_object *record_parse(const struct store_bytes *v);
bool record_dec_int(struct json_object *o, const char *key, int64_t min, int64_t max,
		    int64_t *out);
bool record_dec_str(struct json_object *o, const char *key, char *dst, size_t size);
bool record_dec_hex(struct json_object *o, const char *key, uint8_t *out, size_t len);
bool record_has(struct json_object *o, const char *key);
/* Read the members of o, the record stored under key (NULL for none),
 * into out: false for anything amiss (record_decode wipes out). */
typedef bool (*record_fields)(struct json_object *o, const struct store_bytes *key, void *out);
bool record_decode(const struct store_bytes *key, const struct store_bytes *v, void *out,
		   size_t size, void (*freep)(struct json_object **o), record_fields fields);
bool record_dec_head(struct json_object *o, int64_t rv_min, int64_t rv_max, int64_t *rv,
		     int64_t *version, char *username, size_t size);

#endif
