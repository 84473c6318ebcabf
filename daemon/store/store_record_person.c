/* SPDX-License-Identifier: BSD-3-Clause */
/* The person record as JSON (see store_record.h).
 *
 * Person records are rv 2 since the authenticator fields: rv 1 records
 * (written before them) are still read, as people without an
 * authenticator, and become rv 2 at their next write.  A bumped rv rather
 * than optional fields: an rv 2 record missing "totp_last_step" is
 * refused instead of read as a watermark of 0 (replays accepted again),
 * and an older onboardd refuses rv 2 records instead of rewriting them
 * without the authenticator.  The layout (STORE_SCHEMA_VERSION) is
 * unchanged.
 *
 * The throttle ("failures", "last_failure", "locked_until") is optional
 * in rv 2, all three or none, and written only while a person has
 * failures or a lock: absent reads as all zero, which is exactly "no
 * failures", so the rv 2 records written before it stay valid and no rv
 * bump is needed.  An older onboardd ignores the three fields and, at
 * its next write of the person, drops them: a downgrade forgets failures
 * and locks, and loses nothing else.  rv 1 records never carry them.
 * "places" (the failures per place, at most THROTTLE_PLACES) is optional
 * beside them in the same way: absent reads as no place counted.
 *
 * rv 3 adds the administration model: "role", "perms", "groups",
 * "pools", "link" and "deleted", all required in rv 3; rv 1 and 2
 * records read as ordinary people (role user, nothing assigned) and
 * become rv 3 at their next write.
 *
 * Since schema 3 an enrolled person's record also holds how their
 * authenticator makes codes: "totp_algorithm" ("sha1", "sha256",
 * "sha512"), "totp_digits" (6 or 8) and "totp_period" (seconds), all three
 * or none, and only with an enrolment.  Optional rather than an rv bump:
 * the records written before them are stamped by the schema 2 to 3
 * migration (store_lmdb.c), and an older onboardd refuses a schema 3
 * database, so it never rewrites a record without them.  An enrolled
 * record without them (only one the migration could not read) reads as
 * digits 0, and the login then uses the configuration's, as before.
 *
 * Size: a person record is about 400 bytes, 550 with an authenticator.
 * The worst case, every string field full and each byte escaped as \u00XX
 * (the store does not rely on the validators), is 4 KiB (test_store holds
 * it under 4.5 KiB); LMDB keeps values over half a page on overflow
 * pages, which costs space but not correctness. */
#include "config.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sodium.h>

#include "log.h"
#include "store_record.h"

static const char *const record_role_names[] = {
	[ROLE_USER] = "user",
	[ROLE_ADMIN] = "admin",
	[ROLE_TECHNICIAN] = "technician",
	[ROLE_ASSISTANT] = "assistant",
};

const char *record_role_name(enum person_role r)
{
	if ((unsigned)r < sizeof(record_role_names) / sizeof(record_role_names[0]))
		return record_role_names[r];
	return NULL;
}

bool record_role_parse(const char *s, enum person_role *out)
{
	for (unsigned i = 0; i < sizeof(record_role_names) / sizeof(record_role_names[0]); i++) {
		if (strcmp(s, record_role_names[i]) == 0) {
			*out = (enum person_role)i;
			return true;
		}
	}
	return false;
}

/* The values of enum totp_algorithm (totp.h), by name. */
static const char *const record_totp_algorithms[] = { "sha1", "sha256", "sha512" };
#define RECORD_TOTP_ALGORITHMS (sizeof(record_totp_algorithms) / sizeof(record_totp_algorithms[0]))

/* What totp.c can compute: 6 or 8 digits, a step of at least a second
 * (at most 65535 s here, within totp.c's day). */
static bool record_totp_valid(const struct store_totp *t)
{
	return t->algorithm < RECORD_TOTP_ALGORITHMS && (t->digits == 6 || t->digits == 8) &&
	       t->period >= 1;
}

/* Overwrite a string member in place before the object is freed: json-c
 * keeps its own copy of what we gave it. */
static void record_json_wipe(struct json_object *o, const char *key)
{
	struct json_object *j;
	int n;

	if (!o || !json_object_object_get_ex(o, key, &j) ||
	    !json_object_is_type(j, json_type_string))
		return;
	n = json_object_get_string_len(j);
	if (n > 0)
		sodium_memzero((char *)json_object_get_string(j), (size_t)n);
}

/* Free a person object, its secrets wiped first. */
void record_person_free(struct json_object *o)
{
	record_json_wipe(o, "pwhash");
	record_json_wipe(o, "totp_sealed");
	json_object_put(o);
}

/* The sealed secret is written only for an enrolled person: a cleared
 * authenticator leaves nothing of itself in the record. */
static void record_enc_mfa(struct json_object *o, const struct person *p, bool *ok)
{
	char hex[STORE_TOTP_SEALED_BYTES * 2 + 1];

	if (p->flags & PERSON_MFA_ENROLLED) {
		sodium_bin2hex(hex, sizeof(hex), p->totp_sealed, sizeof(p->totp_sealed));
		record_enc_str(o, "totp_sealed", hex, sizeof(hex), ok);
		sodium_memzero(hex, sizeof(hex));
	}
	/* Time steps count from the epoch too: never negative. */
	record_enc_time(o, "totp_last_step", p->totp_last_step, ok);
	record_enc_time(o, "mfa_enrolled", p->mfa_enrolled, ok);
	if ((p->flags & PERSON_MFA_ENROLLED) && p->totp.digits) {
		if (p->totp.algorithm >= RECORD_TOTP_ALGORITHMS || !record_totp_valid(&p->totp))
			*ok = false;
		else
			record_enc_str(o, "totp_algorithm",
				       record_totp_algorithms[p->totp.algorithm], 8, ok);
		record_enc_int(o, "totp_digits", p->totp.digits, ok);
		record_enc_int(o, "totp_period", p->totp.period, ok);
	}
}

/* Most people have never failed a login: their record carries no throttle. */
static void record_enc_throttle(struct json_object *o, const struct throttle *t, bool *ok)
{
	struct json_object *a;

	if (!t->failures && !t->last_failure && !t->locked_until && !t->nplaces)
		return;
	record_enc_int(o, "failures", t->failures, ok);
	record_enc_time(o, "last_failure", t->last_failure, ok);
	record_enc_time(o, "locked_until", t->locked_until, ok);
	if (!t->nplaces || !*ok)
		return;
	if (t->nplaces > THROTTLE_PLACES || !(a = json_object_new_array())) {
		*ok = false;
		return;
	}
	for (unsigned i = 0; i < t->nplaces && *ok; i++) {
		const struct throttle_place *pl = &t->places[i];
		struct json_object *e = json_object_new_object();
		char hex[THROTTLE_PLACE_BYTES * 2 + 1];

		if (!e || json_object_array_add(a, e) < 0) {
			json_object_put(e);
			*ok = false;
			break;
		}
		sodium_bin2hex(hex, sizeof(hex), pl->key, sizeof(pl->key));
		record_enc_str(e, "key", hex, sizeof(hex), ok);
		record_enc_int(e, "failures", pl->failures, ok);
		record_enc_time(e, "last_failure", pl->last_failure, ok);
		record_enc_time(e, "locked_until", pl->locked_until, ok);
	}
	if (!*ok || json_object_object_add(o, "places", a) < 0) {
		json_object_put(a);
		*ok = false;
	}
}

/* n names of a list as a JSON array of strings. */
static void record_enc_names(struct json_object *o, const char *key, const store_name *names,
			     unsigned n, unsigned max, bool *ok)
{
	struct json_object *a;

	if (!*ok)
		return;
	if (n > max || !(a = json_object_new_array()) || json_object_object_add(o, key, a) < 0) {
		*ok = false;
		return;
	}
	for (unsigned i = 0; i < n && *ok; i++) {
		struct json_object *j;
		size_t len = strnlen(names[i], sizeof(store_name));

		j = len && len < sizeof(store_name) ? json_object_new_string(names[i]) : NULL;
		if (!j || json_object_array_add(a, j) < 0) {
			json_object_put(j);
			*ok = false;
		}
	}
}

static void record_enc_admin(struct json_object *o, const struct person *p, bool *ok)
{
	const char *role = record_role_name(p->role);

	if (!role || (p->perms & ~PERM_ALL))
		*ok = false;
	if (*ok)
		record_enc_str(o, "role", role, 16, ok);
	record_enc_int(o, "perms", p->perms, ok);
	record_enc_names(o, "groups", p->groups, p->ngroups, OB_PERSON_GROUPS_MAX, ok);
	record_enc_names(o, "pools", p->pools, p->npools, OB_PERSON_POOLS_MAX, ok);
	record_enc_str(o, "link", p->link, sizeof(p->link), ok);
	record_enc_time(o, "deleted", p->deleted, ok);
}

struct json_object *record_person_encode(const struct person *p, uint64_t version)
{
	_cleanup_person_json_ struct json_object *o = json_object_new_object();
	bool ok = o && version <= INT64_MAX && p->flags <= UINT32_MAX;

	record_enc_head(o, STORE_PERSON_RV, version, p->username, sizeof(p->username), &ok);
	record_enc_str(o, "first_name", p->first_name, sizeof(p->first_name), &ok);
	record_enc_str(o, "last_name", p->last_name, sizeof(p->last_name), &ok);
	record_enc_str(o, "email", p->email, sizeof(p->email), &ok);
	record_enc_str(o, "phone", p->phone, sizeof(p->phone), &ok);
	record_enc_str(o, "org", p->org, sizeof(p->org), &ok);
	record_enc_int(o, "flags", p->flags, &ok);
	record_enc_str(o, "pwhash", p->pwhash, sizeof(p->pwhash), &ok);
	record_enc_time(o, "created", p->created, &ok);
	record_enc_time(o, "updated", p->updated, &ok);
	record_enc_time(o, "password_set", p->password_set, &ok);
	record_enc_mfa(o, p, &ok);
	record_enc_throttle(o, &p->throttle, &ok);
	record_enc_admin(o, p, &ok);
	/* Absent until the store gives one (stores made before ids). */
	if (p->uid)
		record_enc_int(o, "uid", p->uid, &ok);
	if (!ok) {
		log_warnx("store: refusing to write a malformed person record");
		return NULL;
	}
	return ob_json_take(&o);
}

/* The authenticator's parameters: all three or none, and none without
 * an enrolment. */
static bool record_dec_totp(struct json_object *o, bool enrolled, struct store_totp *t)
{
	int present = record_has(o, "totp_algorithm") + record_has(o, "totp_digits") +
		      record_has(o, "totp_period");
	int64_t digits = 0, period = 0;
	char name[8];
	unsigned i;

	if (present == 0)
		return true;
	if (present != 3 || !enrolled || !record_dec_str(o, "totp_algorithm", name, sizeof(name)) ||
	    !record_dec_int(o, "totp_digits", 6, 8, &digits) ||
	    !record_dec_int(o, "totp_period", 1, UINT16_MAX, &period))
		return false;
	for (i = 0; i < RECORD_TOTP_ALGORITHMS; i++)
		if (strcmp(name, record_totp_algorithms[i]) == 0)
			break;
	t->algorithm = (uint8_t)i;
	t->digits = (uint8_t)digits;
	t->period = (uint16_t)period;
	return record_totp_valid(t);
}

/* The authenticator fields, given the record's rv and flags.  An rv 1
 * record predates them: it must hold none of them and no enrolment, and
 * they stay zero.  In rv 2 the two numbers are required and the sealed
 * secret is there exactly when the person is enrolled. */
static bool record_dec_mfa(struct json_object *o, int64_t rv, int64_t flags, struct person *p)
{
	bool enrolled = (flags & PERSON_MFA_ENROLLED) != 0;

	if (rv == 1)
		return !enrolled && !record_has(o, "totp_sealed") &&
		       !record_has(o, "totp_last_step") && !record_has(o, "mfa_enrolled");
	if (record_has(o, "totp_sealed") != enrolled)
		return false;
	return (!enrolled ||
		record_dec_hex(o, "totp_sealed", p->totp_sealed, sizeof(p->totp_sealed))) &&
	       record_dec_int(o, "totp_last_step", 0, INT64_MAX, &p->totp_last_step) &&
	       record_dec_int(o, "mfa_enrolled", 0, INT64_MAX, &p->mfa_enrolled) &&
	       record_dec_totp(o, enrolled, &p->totp);
}

/* One place of the throttle: all four fields. */
static bool record_dec_place(struct json_object *e, struct throttle_place *pl)
{
	int64_t failures = 0;

	if (!json_object_is_type(e, json_type_object) ||
	    !record_dec_hex(e, "key", pl->key, sizeof(pl->key)) ||
	    !record_dec_int(e, "failures", 0, UINT32_MAX, &failures) ||
	    !record_dec_int(e, "last_failure", 0, INT64_MAX, &pl->last_failure) ||
	    !record_dec_int(e, "locked_until", 0, INT64_MAX, &pl->locked_until))
		return false;
	pl->failures = (uint32_t)failures;
	return true;
}

/* The throttle: all three fields or none (zero), and none in rv 1.
 * "places" is optional (records written before it have none, and read
 * as no place counted: backward compatible without an rv bump), at most
 * THROTTLE_PLACES, and only beside the three. */
static bool record_dec_throttle(struct json_object *o, int64_t rv, struct throttle *t)
{
	int present = record_has(o, "failures") + record_has(o, "last_failure") +
		      record_has(o, "locked_until");
	int64_t failures = 0;
	struct json_object *a;
	size_t n;

	if (present == 0)
		return !record_has(o, "places");
	if (present != 3 || rv == 1)
		return false;
	if (!record_dec_int(o, "failures", 0, UINT32_MAX, &failures) ||
	    !record_dec_int(o, "last_failure", 0, INT64_MAX, &t->last_failure) ||
	    !record_dec_int(o, "locked_until", 0, INT64_MAX, &t->locked_until))
		return false;
	t->failures = (uint32_t)failures;
	if (!json_object_object_get_ex(o, "places", &a))
		return true;
	if (!json_object_is_type(a, json_type_array) ||
	    (n = json_object_array_length(a)) > THROTTLE_PLACES)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!record_dec_place(json_object_array_get_idx(a, i), &t->places[i]))
			return false;
	t->nplaces = (unsigned)n;
	return true;
}

/* A list of at most max distinct names. */
static bool record_dec_names(struct json_object *o, const char *key, store_name *names,
			     unsigned *n, unsigned max)
{
	struct json_object *a;
	size_t len;

	if (!json_object_object_get_ex(o, key, &a) || !json_object_is_type(a, json_type_array))
		return false;
	len = json_object_array_length(a);
	if (len > max)
		return false;
	for (size_t i = 0; i < len; i++) {
		struct json_object *j = json_object_array_get_idx(a, i);
		const char *s = json_object_get_string(j);

		if (!json_object_is_type(j, json_type_string) ||
		    json_object_get_string_len(j) < 1 ||
		    (size_t)json_object_get_string_len(j) >= sizeof(store_name) ||
		    strlen(s) != (size_t)json_object_get_string_len(j))
			return false;
		if (store_names_has(names, (unsigned)i, s))
			return false;
		snprintf(names[i], sizeof(store_name), "%s", s);
	}
	*n = (unsigned)len;
	return true;
}

/* The administration fields: required in rv 3, absent before. */
static bool record_dec_admin(struct json_object *o, int64_t rv, struct person *p)
{
	char role[16];
	int64_t perms = 0;

	if (rv < 3)
		return !record_has(o, "role") && !record_has(o, "perms") &&
		       !record_has(o, "groups") && !record_has(o, "pools") &&
		       !record_has(o, "link") && !record_has(o, "deleted");
	if (!record_dec_str(o, "role", role, sizeof(role)) || !record_role_parse(role, &p->role) ||
	    !record_dec_int(o, "perms", 0, PERM_ALL, &perms) ||
	    !record_dec_names(o, "groups", p->groups, &p->ngroups, OB_PERSON_GROUPS_MAX) ||
	    !record_dec_names(o, "pools", p->pools, &p->npools, OB_PERSON_POOLS_MAX) ||
	    !record_dec_str(o, "link", p->link, sizeof(p->link)) ||
	    !record_dec_int(o, "deleted", 0, INT64_MAX, &p->deleted))
		return false;
	p->perms = (uint32_t)perms;
	return true;
}

static bool record_person_fields(struct json_object *o, const struct store_bytes *key, void *out)
{
	struct person *p = out;
	int64_t rv = 0, version = 0, flags = 0, uid = 0;

	if (!record_dec_head(o, STORE_PERSON_RV_MIN, STORE_PERSON_RV, &rv, &version, p->username,
			     sizeof(p->username)) ||
	    !record_dec_str(o, "first_name", p->first_name, sizeof(p->first_name)) ||
	    !record_dec_str(o, "last_name", p->last_name, sizeof(p->last_name)) ||
	    !record_dec_str(o, "email", p->email, sizeof(p->email)) ||
	    !record_dec_str(o, "phone", p->phone, sizeof(p->phone)) ||
	    !record_dec_str(o, "org", p->org, sizeof(p->org)) ||
	    !record_dec_int(o, "flags", 0, UINT32_MAX, &flags) ||
	    !record_dec_str(o, "pwhash", p->pwhash, sizeof(p->pwhash)) ||
	    !record_dec_int(o, "created", 0, INT64_MAX, &p->created) ||
	    !record_dec_int(o, "updated", 0, INT64_MAX, &p->updated) ||
	    !record_dec_int(o, "password_set", 0, INT64_MAX, &p->password_set) ||
	    !record_dec_mfa(o, rv, flags, p) ||
	    !record_dec_throttle(o, rv, &p->throttle) ||
	    !record_dec_admin(o, rv, p) ||
	    (record_has(o, "uid") && !record_dec_int(o, "uid", 1, UINT32_MAX - 1, &uid)) ||
	    !record_key_matches(key, p->username))
		return false;
	p->uid = (uint32_t)uid;
	p->version = (uint64_t)version;
	p->flags = (uint32_t)flags;
	return true;
}

bool record_person_decode(const struct store_bytes *key, const struct store_bytes *v, struct person *p)
{
	return record_decode(key, v, p, sizeof(*p), record_person_freep, record_person_fields);
}
