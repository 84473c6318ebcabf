/* SPDX-License-Identifier: BSD-3-Clause */
/* Store records as JSON (see store_record.h): the pieces every record
 * is made of and read with, and the records of access codes,
 * invitations, groups, pools and audit events.  The person record, the
 * largest, is store_record_person.c. */
#include "config.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sodium.h>

#include "log.h"
#include "store_record.h"

static const char *const record_code_state_names[] = {
	[CODE_ACTIVE] = "active",
	[CODE_USED] = "used",
	[CODE_REVOKED] = "revoked",
	[CODE_SUPERSEDED] = "superseded",
};

static const char *const record_invite_state_names[] = {
	[INVITE_PENDING] = "pending",
	[INVITE_ACCEPTED] = "accepted",
	[INVITE_REVOKED] = "revoked",
	[INVITE_SUPERSEDED] = "superseded",
};

void record_enc_int(struct json_object *o, const char *key, int64_t v, bool *ok)
{
	struct json_object *j;

	if (!*ok)
		return;
	j = json_object_new_int64(v);
	if (!j || json_object_object_add(o, key, j) < 0) {
		json_object_put(j);
		*ok = false;
	}
}

/* Times are seconds since the epoch: never negative in a record. */
void record_enc_time(struct json_object *o, const char *key, int64_t v, bool *ok)
{
	if (v < 0)
		*ok = false;
	record_enc_int(o, key, v, ok);
}

/* s must be NUL-terminated within its field of size bytes. */
void record_enc_str(struct json_object *o, const char *key, const char *s, size_t size,
		    bool *ok)
{
	struct json_object *j;
	size_t n;

	if (!*ok)
		return;
	n = strnlen(s, size);
	if (n == size) {
		*ok = false;
		return;
	}
	j = json_object_new_string_len(s, (int)n);
	if (!j || json_object_object_add(o, key, j) < 0) {
		json_object_put(j);
		*ok = false;
	}
}

/* What every per-person record begins with: its format, its version
 * and the username it belongs to. */
void record_enc_head(struct json_object *o, int64_t rv, uint64_t version,
		     const char *username, size_t size, bool *ok)
{
	record_enc_int(o, "rv", rv, ok);
	record_enc_int(o, "version", (int64_t)version, ok);
	record_enc_str(o, "username", username, size, ok);
}

/* The life of a code or an invitation: issued, expires and closed, and
 * the request that used it. */
static void record_enc_life(struct json_object *o, int64_t issued, int64_t expires,
			    int64_t closed, const char *request_id, size_t size, bool *ok)
{
	record_enc_time(o, "issued", issued, ok);
	record_enc_time(o, "expires", expires, ok);
	record_enc_time(o, "closed", closed, ok);
	record_enc_str(o, "request_id", request_id, size, ok);
}

/* A list of hashes, newest first, as one optional member: hex joined
 * with ','.  Written only when there are any. */
static void record_enc_hashes(struct json_object *o, const char *key,
			      const uint8_t (*h)[CODE_HASH_BYTES], unsigned n, bool *ok)
{
	char text[STORE_REPLACED_MAX * (CODE_HASH_BYTES * 2 + 1)];
	size_t off = 0;

	if (!*ok || n == 0)
		return;
	if (n > STORE_REPLACED_MAX) {
		*ok = false;
		return;
	}
	for (unsigned i = 0; i < n; i++) {
		if (i)
			text[off++] = ',';
		sodium_bin2hex(text + off, sizeof(text) - off, h[i], CODE_HASH_BYTES);
		off += CODE_HASH_BYTES * 2;
	}
	record_enc_str(o, key, text, sizeof(text), ok);
}

struct json_object *record_code_encode(const struct access_code *c)
{
	_cleanup_json_ struct json_object *o = json_object_new_object();
	char hex[CODE_HASH_BYTES * 2 + 1];
	bool ok = o && c->version <= INT64_MAX && c->state >= CODE_ACTIVE &&
		  c->state <= CODE_SUPERSEDED;

	sodium_bin2hex(hex, sizeof(hex), c->hash, sizeof(c->hash));
	record_enc_head(o, STORE_CODE_RV, c->version, c->username, sizeof(c->username), &ok);
	record_enc_str(o, "hash", hex, sizeof(hex), &ok);
	if (ok)
		record_enc_str(o, "state", record_code_state_names[c->state], 16, &ok);
	record_enc_int(o, "flags", c->flags, &ok);
	record_enc_life(o, c->issued, c->expires, c->closed, c->request_id, sizeof(c->request_id),
			&ok);
	record_enc_hashes(o, "replaced", c->replaced, c->nreplaced, &ok);
	if (!ok) {
		log_warnx("store: refusing to write a malformed code record");
		return NULL;
	}
	return ob_json_take(&o);
}

/* One whole JSON object, strictly, or NULL. */
struct json_object *record_parse(const struct store_bytes *v)
{
	struct json_tokener *tok;
	struct json_object *o;

	if (v->size == 0 || v->size > INT_MAX)
		return NULL;
	tok = json_tokener_new();
	if (!tok)
		return NULL;
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	o = json_tokener_parse_ex(tok, v->data, (int)v->size);
	if (o && (json_tokener_get_error(tok) != json_tokener_success ||
		  json_tokener_get_parse_end(tok) != v->size ||
		  !json_object_is_type(o, json_type_object))) {
		json_object_put(o);
		o = NULL;
	}
	json_tokener_free(tok);
	return o;
}

bool record_dec_int(struct json_object *o, const char *key, int64_t min, int64_t max,
		    int64_t *out)
{
	struct json_object *j;
	int64_t v;

	if (!json_object_object_get_ex(o, key, &j) || !json_object_is_type(j, json_type_int))
		return false;
	v = json_object_get_int64(j);
	if (v < min || v > max)
		return false;
	*out = v;
	return true;
}

/* A string member that fits dst (size bytes with its NUL) and holds no NUL. */
bool record_dec_str(struct json_object *o, const char *key, char *dst, size_t size)
{
	struct json_object *j;
	const char *s;
	int n;

	if (!json_object_object_get_ex(o, key, &j) || !json_object_is_type(j, json_type_string))
		return false;
	n = json_object_get_string_len(j);
	s = json_object_get_string(j);
	if (n < 0 || !s || (size_t)n >= size || memchr(s, '\0', (size_t)n))
		return false;
	memcpy(dst, s, (size_t)n);
	dst[n] = '\0';
	return true;
}

/* Exactly len bytes as 2 * len hex digits. */
bool record_dec_hex(struct json_object *o, const char *key, uint8_t *out, size_t len)
{
	char hex[STORE_TOTP_SEALED_BYTES * 2 + 1];
	const char *end = NULL;
	size_t n = 0;
	bool ok;

	if (len * 2 >= sizeof(hex))
		return false;
	ok = record_dec_str(o, key, hex, sizeof(hex)) && strlen(hex) == len * 2 &&
	     sodium_hex2bin(out, len, hex, len * 2, NULL, &n, &end) == 0 && n == len &&
	     end == hex + len * 2;
	sodium_memzero(hex, sizeof(hex));
	return ok;
}

/* The record stored under key must name the same person. */
bool record_key_matches(const struct store_bytes *key, const char *username)
{
	return key->size == strlen(username) &&
	       memcmp(key->data, username, key->size) == 0;
}

bool record_has(struct json_object *o, const char *key)
{
	return json_object_object_get_ex(o, key, NULL);
}

/* The beginning of record_enc_head: rv within [rv_min, rv_max], a
 * version of at least 1 and the username. */
bool record_dec_head(struct json_object *o, int64_t rv_min, int64_t rv_max, int64_t *rv,
		     int64_t *version, char *username, size_t size)
{
	return record_dec_int(o, "rv", rv_min, rv_max, rv) &&
	       record_dec_int(o, "version", 1, INT64_MAX, version) &&
	       record_dec_str(o, "username", username, size);
}

/* The members of record_enc_life. */
static bool record_dec_life(struct json_object *o, int64_t *issued, int64_t *expires,
			    int64_t *closed, char *request_id, size_t size)
{
	return record_dec_int(o, "issued", 0, INT64_MAX, issued) &&
	       record_dec_int(o, "expires", 0, INT64_MAX, expires) &&
	       record_dec_int(o, "closed", 0, INT64_MAX, closed) &&
	       record_dec_str(o, "request_id", request_id, size);
}

/* A state member: one of names[first..last], its index in *state. */
static bool record_dec_state_name(struct json_object *o, const char *const *names, int first,
				  int last, int *state)
{
	char name[16];

	if (!record_dec_str(o, "state", name, sizeof(name)))
		return false;
	for (int s = first; s <= last; s++) {
		if (strcmp(name, names[s]) == 0) {
			*state = s;
			return true;
		}
	}
	return false;
}

/* Decode v, the value stored under key, into out (size bytes): parse
 * it, zero out and let fields read the members; out is wiped again when
 * anything fails.  freep frees the object (record_person_freep, which
 * wipes its secrets), or NULL: json_object_put. */
bool record_decode(const struct store_bytes *key, const struct store_bytes *v, void *out,
		   size_t size, void (*freep)(struct json_object **o), record_fields fields)
{
	struct json_object *o = record_parse(v);
	bool ok;

	memset(out, 0, size);
	ok = o && fields(o, key, out);
	if (!ok)
		sodium_memzero(out, size);
	if (freep)
		freep(&o);
	else
		json_object_put(o);
	return ok;
}

/* The member of record_enc_hashes: absent (none), or 1 to
 * STORE_REPLACED_MAX hashes in hex joined with ','. */
static bool record_dec_hashes(struct json_object *o, const char *key,
			      uint8_t (*h)[CODE_HASH_BYTES], unsigned *n)
{
	char text[STORE_REPLACED_MAX * (CODE_HASH_BYTES * 2 + 1)];
	const size_t one = CODE_HASH_BYTES * 2;
	size_t len, got;
	const char *end;

	*n = 0;
	if (!json_object_object_get_ex(o, key, NULL))
		return true;
	if (!record_dec_str(o, key, text, sizeof(text)))
		return false;
	len = strlen(text);
	for (size_t off = 0; off < len; off += one + 1) {
		if (*n == STORE_REPLACED_MAX || len - off < one ||
		    (len - off > one && text[off + one] != ',') ||
		    sodium_hex2bin(h[*n], CODE_HASH_BYTES, text + off, one, NULL, &got, &end) != 0 ||
		    got != CODE_HASH_BYTES || end != text + off + one)
			return false;
		(*n)++;
	}
	return *n > 0;
}

static bool record_code_fields(struct json_object *o, const struct store_bytes *key, void *out)
{
	struct access_code *c = out;
	int64_t rv = 0, version = 0, flags = 0;
	int state = 0;

	if (!record_dec_head(o, STORE_CODE_RV, STORE_CODE_RV, &rv, &version, c->username,
			     sizeof(c->username)) ||
	    !record_dec_hex(o, "hash", c->hash, sizeof(c->hash)) ||
	    !record_dec_state_name(o, record_code_state_names, CODE_ACTIVE, CODE_SUPERSEDED,
				   &state) ||
	    !record_dec_int(o, "flags", 0, UINT32_MAX, &flags) ||
	    !record_dec_life(o, &c->issued, &c->expires, &c->closed, c->request_id,
			     sizeof(c->request_id)) ||
	    !record_dec_hashes(o, "replaced", c->replaced, &c->nreplaced) ||
	    !record_key_matches(key, c->username))
		return false;
	c->version = (uint64_t)version;
	c->state = (enum code_state)state;
	c->flags = (uint32_t)flags;
	return true;
}

bool record_code_decode(const struct store_bytes *key, const struct store_bytes *v, struct access_code *c)
{
	return record_decode(key, v, c, sizeof(*c), NULL, record_code_fields);
}

/* An optional hash member: written only when present. */
static void record_enc_opt_hash(struct json_object *o, const char *key, bool present,
			       const uint8_t h[CODE_HASH_BYTES], bool *ok)
{
	char hex[CODE_HASH_BYTES * 2 + 1];

	if (!present)
		return;
	sodium_bin2hex(hex, sizeof(hex), h, CODE_HASH_BYTES);
	record_enc_str(o, key, hex, sizeof(hex), ok);
}

struct json_object *record_invite_encode(const struct invitation *inv)
{
	_cleanup_json_ struct json_object *o = json_object_new_object();
	bool ok = o && inv->version <= INT64_MAX && inv->state >= INVITE_PENDING &&
		  inv->state <= INVITE_SUPERSEDED;

	record_enc_head(o, STORE_INVITE_RV, inv->version, inv->username, sizeof(inv->username),
			&ok);
	record_enc_opt_hash(o, "hash", true, inv->hash, &ok);
	record_enc_opt_hash(o, "verification_hash", inv->has_verification, inv->verification_hash,
			   &ok);
	record_enc_opt_hash(o, "previous_hash", inv->has_previous, inv->previous_hash, &ok);
	if (ok)
		record_enc_str(o, "state", record_invite_state_names[inv->state], 16, &ok);
	record_enc_life(o, inv->issued, inv->expires, inv->closed, inv->request_id,
			sizeof(inv->request_id), &ok);
	record_enc_hashes(o, "older_hashes", inv->older, inv->nolder, &ok);
	if (!ok) {
		log_warnx("store: refusing to write a malformed invitation record");
		return NULL;
	}
	return ob_json_take(&o);
}

/* An optional hash member: absent, or exactly CODE_HASH_BYTES in hex. */
static bool record_dec_opt_hash(struct json_object *o, const char *key, bool *present,
			       uint8_t h[CODE_HASH_BYTES])
{
	*present = record_has(o, key);
	return !*present || record_dec_hex(o, key, h, CODE_HASH_BYTES);
}

static bool record_invite_fields(struct json_object *o, const struct store_bytes *key, void *out)
{
	struct invitation *inv = out;
	int64_t rv = 0, version = 0;
	int state = 0;

	if (!record_dec_head(o, STORE_INVITE_RV, STORE_INVITE_RV, &rv, &version, inv->username,
			     sizeof(inv->username)) ||
	    !record_dec_hex(o, "hash", inv->hash, sizeof(inv->hash)) ||
	    !record_dec_opt_hash(o, "verification_hash", &inv->has_verification,
				 inv->verification_hash) ||
	    !record_dec_opt_hash(o, "previous_hash", &inv->has_previous, inv->previous_hash) ||
	    !record_dec_state_name(o, record_invite_state_names, INVITE_PENDING,
				   INVITE_SUPERSEDED, &state) ||
	    !record_dec_life(o, &inv->issued, &inv->expires, &inv->closed, inv->request_id,
			     sizeof(inv->request_id)) ||
	    !record_dec_hashes(o, "older_hashes", inv->older, &inv->nolder) ||
	    !record_key_matches(key, inv->username))
		return false;
	inv->version = (uint64_t)version;
	inv->state = (enum invite_state)state;
	return true;
}

bool record_invite_decode(const struct store_bytes *key, const struct store_bytes *v, struct invitation *inv)
{
	return record_decode(key, v, inv, sizeof(*inv), NULL, record_invite_fields);
}

/* ------------------------------------------------ groups, pools, audit */

struct json_object *record_group_encode(const struct group *g)
{
	_cleanup_json_ struct json_object *o = json_object_new_object();
	bool ok = o != NULL;

	record_enc_int(o, "rv", STORE_GROUP_RV, &ok);
	record_enc_str(o, "name", g->name, sizeof(g->name), &ok);
	record_enc_str(o, "org", g->org, sizeof(g->org), &ok);
	record_enc_time(o, "created", g->created, &ok);
	if (g->gid)
		record_enc_int(o, "gid", g->gid, &ok);
	return ok ? ob_json_take(&o) : NULL;
}

static bool record_group_fields(struct json_object *o, const struct store_bytes *key, void *out)
{
	struct group *g = out;
	int64_t rv = 0, gid = 0;

	if (!(record_dec_int(o, "rv", STORE_GROUP_RV, STORE_GROUP_RV, &rv) &&
	      record_dec_str(o, "name", g->name, sizeof(g->name)) &&
	      record_dec_str(o, "org", g->org, sizeof(g->org)) &&
	      record_dec_int(o, "created", 0, INT64_MAX, &g->created) &&
	      (!record_has(o, "gid") || record_dec_int(o, "gid", 1, UINT32_MAX - 1, &gid)) &&
	      record_key_matches(key, g->name)))
		return false;
	g->gid = (uint32_t)gid;
	return true;
}

bool record_group_decode(const struct store_bytes *key, const struct store_bytes *v,
			 struct group *g)
{
	return record_decode(key, v, g, sizeof(*g), NULL, record_group_fields);
}

struct json_object *record_pool_encode(const struct pool *p)
{
	_cleanup_json_ struct json_object *o = json_object_new_object();
	bool ok = o != NULL && p->used <= p->seats;

	record_enc_int(o, "rv", STORE_POOL_RV, &ok);
	record_enc_str(o, "name", p->name, sizeof(p->name), &ok);
	record_enc_str(o, "org", p->org, sizeof(p->org), &ok);
	record_enc_int(o, "seats", p->seats, &ok);
	record_enc_int(o, "used", p->used, &ok);
	record_enc_time(o, "created", p->created, &ok);
	return ok ? ob_json_take(&o) : NULL;
}

static bool record_pool_fields(struct json_object *o, const struct store_bytes *key, void *out)
{
	struct pool *p = out;
	int64_t rv = 0, seats = 0, used = 0;

	if (!record_dec_int(o, "rv", STORE_POOL_RV, STORE_POOL_RV, &rv) ||
	    !record_dec_str(o, "name", p->name, sizeof(p->name)) ||
	    !record_dec_str(o, "org", p->org, sizeof(p->org)) ||
	    !record_dec_int(o, "seats", 0, UINT32_MAX, &seats) ||
	    !record_dec_int(o, "used", 0, seats, &used) ||
	    !record_dec_int(o, "created", 0, INT64_MAX, &p->created) ||
	    !record_key_matches(key, p->name))
		return false;
	p->seats = (uint32_t)seats;
	p->used = (uint32_t)used;
	return true;
}

bool record_pool_decode(const struct store_bytes *key, const struct store_bytes *v,
			struct pool *p)
{
	return record_decode(key, v, p, sizeof(*p), NULL, record_pool_fields);
}

struct json_object *record_audit_encode(const struct audit_event *e)
{
	_cleanup_json_ struct json_object *o = json_object_new_object();
	bool ok = o != NULL && e->id >= 1 && e->id <= INT64_MAX;

	record_enc_int(o, "rv", STORE_AUDIT_RV, &ok);
	record_enc_int(o, "id", (int64_t)e->id, &ok);
	record_enc_time(o, "time", e->time, &ok);
	record_enc_int(o, "uid", e->uid < -1 ? -1 : e->uid, &ok);
	record_enc_str(o, "actor", e->actor, sizeof(e->actor), &ok);
	record_enc_str(o, "org", e->org, sizeof(e->org), &ok);
	record_enc_str(o, "subject", e->subject, sizeof(e->subject), &ok);
	record_enc_str(o, "event", e->event, sizeof(e->event), &ok);
	record_enc_str(o, "result", e->result, sizeof(e->result), &ok);
	record_enc_str(o, "detail", e->detail, sizeof(e->detail), &ok);
	return ok ? ob_json_take(&o) : NULL;
}

static bool record_audit_fields(struct json_object *o, const struct store_bytes *key, void *out)
{
	struct audit_event *e = out;
	int64_t rv = 0, id = 0;

	if (!record_dec_int(o, "rv", STORE_AUDIT_RV, STORE_AUDIT_RV, &rv) ||
	    !record_dec_int(o, "id", 1, INT64_MAX, &id) ||
	    !record_dec_int(o, "time", 0, INT64_MAX, &e->time) ||
	    !record_dec_int(o, "uid", -1, UINT32_MAX, &e->uid) ||
	    !record_dec_str(o, "actor", e->actor, sizeof(e->actor)) ||
	    !record_dec_str(o, "org", e->org, sizeof(e->org)) ||
	    !record_dec_str(o, "subject", e->subject, sizeof(e->subject)) ||
	    !record_dec_str(o, "event", e->event, sizeof(e->event)) ||
	    !record_dec_str(o, "result", e->result, sizeof(e->result)) ||
	    !record_dec_str(o, "detail", e->detail, sizeof(e->detail)))
		return false;
	e->id = (uint64_t)id;
	return true;
}

bool record_audit_decode(const struct store_bytes *v, struct audit_event *e)
{
	return record_decode(NULL, v, e, sizeof(*e), NULL, record_audit_fields);
}
