/* SPDX-License-Identifier: BSD-3-Clause */
/* UserImport's rows (see admin_import.c): the memory they are counted
 * in, each row's own fields checked as it arrives, the checks of the
 * commit against the database and the other rows, and the failures
 * they record.  Below admin_import.c; it calls nothing of it. */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sodium.h>

#include "accounts.h"
#include "admin_import.h"
#include "admin_private.h"
#include "admin_reply.h"
#include "ob_json.h"
#include "ob_protocol.h"
#include "policy.h"
#include "store_record.h"
#include "validate.h"

static void import_mark(struct import_row *r, const char *column)
{
	static const struct {
		const char *column;
		uint32_t bit;
	} bits[] = {
		{ "username", BAD_USERNAME }, { "org", BAD_ORG },       { "email", BAD_EMAIL },
		{ "role", BAD_ROLE },         { "link", BAD_LINK },     { "groups", BAD_GROUPS },
		{ "pools", BAD_POOLS },
	};

	for (size_t i = 0; i < sizeof(bits) / sizeof(bits[0]); i++) {
		if (strcmp(bits[i].column, column) == 0) {
			r->bad |= bits[i].bit;
			return;
		}
	}
	r->bad |= BAD_OTHER;
}

/* What one import may hold: half of import_memory, so that one file
 * cannot keep every other administrator from importing. */
size_t import_own_max(const struct daemon *d)
{
	return d->cfg.import_memory / 2;
}

/* Count more bytes before they are allocated: -EFBIG beyond what one
 * import may hold, -ENOSPC beyond import_memory for all together. */
int import_room(const struct admin_import *imp, size_t more)
{
	const struct daemon *d = imp->d;

	if (imp->bytes > import_own_max(d) || more > import_own_max(d) - imp->bytes)
		return -EFBIG;
	if (d->import_bytes > d->cfg.import_memory || more > d->cfg.import_memory - d->import_bytes)
		return -ENOSPC;
	return 0;
}

int import_reserve(struct admin_import *imp, size_t more)
{
	struct daemon *d = imp->d;
	int e = import_room(imp, more);

	if (e < 0)
		return e;
	imp->bytes += more;
	d->import_bytes += more;
	return 0;
}

void import_release(struct admin_import *imp, size_t less)
{
	imp->bytes -= less;
	imp->d->import_bytes -= less;
}

/* Room for want rows, counted before it is allocated. */
int import_grow_rows(struct admin_import *imp, size_t want)
{
	size_t cap = imp->cap ? imp->cap : 256;
	struct import_row *r;
	int e;

	size_t room;

	if (want <= imp->cap)
		return 0;
	while (cap < want)
		cap *= 2;
	/* Doubling near a bound would refuse rows that fit: then only as
	 * much as is left. */
	room = imp->bytes < import_own_max(imp->d) ? import_own_max(imp->d) - imp->bytes : 0;
	if (imp->d->import_bytes >= imp->d->cfg.import_memory)
		room = 0;
	else if (imp->d->cfg.import_memory - imp->d->import_bytes < room)
		room = imp->d->cfg.import_memory - imp->d->import_bytes;
	room /= sizeof(*r);
	if (cap > imp->cap + room)
		cap = imp->cap + room > want ? imp->cap + room : want;
	if (cap > OB_IMPORT_ROWS_MAX)
		cap = OB_IMPORT_ROWS_MAX;
	if ((e = import_reserve(imp, (cap - imp->cap) * sizeof(*r))) < 0)
		return e;
	r = reallocarray(imp->rows, cap, sizeof(*r));
	if (!r) {
		import_release(imp, (cap - imp->cap) * sizeof(*r));
		return -ENOMEM;
	}
	memset(r + imp->cap, 0, (cap - imp->cap) * sizeof(*r));
	imp->rows = r;
	imp->cap = cap;
	return 0;
}

/* Record a failure; -ENOMEM when it cannot be, -EFBIG or -ENOSPC when
 * a bound of import_memory stops it. */
int import_fail(struct admin_import *imp, uint32_t row, const char *column,
		       const char *fmt, ...)
{
	struct import_failure *f;
	va_list ap;

	if (imp->nfails == imp->fcap) {
		size_t cap = imp->fcap ? imp->fcap * 2 : 64;
		int e = import_reserve(imp, (cap - imp->fcap) * sizeof(*f));

		if (e < 0)
			return e;
		f = reallocarray(imp->fails, cap, sizeof(*f));
		if (!f) {
			import_release(imp, (cap - imp->fcap) * sizeof(*f));
			return -ENOMEM;
		}
		imp->fails = f;
		imp->fcap = cap;
	}
	f = &imp->fails[imp->nfails++];
	f->row = row;
	snprintf(f->column, sizeof(f->column), "%s", column);
	va_start(ap, fmt);
	vsnprintf(f->reason, sizeof(f->reason), fmt, ap);
	va_end(ap);
	return 0;
}

/* ------------------------------------------------------------ packed rows */

const char *import_row_field(const struct import_row *r, enum import_field f)
{
	return r->text ? r->text + r->off[f] : "";
}

/* The groups and pools follow the last field: ngroups names, then
 * npools, each ended by a NUL. */
static const char *import_row_names(const struct import_row *r)
{
	const char *at = import_row_field(r, IMPORT_FIELDS - 1);

	return r->text ? at + strlen(at) + 1 : "";
}

void import_row_person(const struct import_row *r, struct person *p)
{
	static const size_t offs[IMPORT_FIELDS] = {
		[IMPORT_USERNAME] = offsetof(struct person, username),
		[IMPORT_FIRST_NAME] = offsetof(struct person, first_name),
		[IMPORT_LAST_NAME] = offsetof(struct person, last_name),
		[IMPORT_EMAIL] = offsetof(struct person, email),
		[IMPORT_PHONE] = offsetof(struct person, phone),
		[IMPORT_ORG] = offsetof(struct person, org),
		[IMPORT_LINK] = offsetof(struct person, link),
	};
	static const size_t sizes[IMPORT_FIELDS] = {
		[IMPORT_USERNAME] = sizeof(p->username), [IMPORT_FIRST_NAME] = sizeof(p->first_name),
		[IMPORT_LAST_NAME] = sizeof(p->last_name), [IMPORT_EMAIL] = sizeof(p->email),
		[IMPORT_PHONE] = sizeof(p->phone),       [IMPORT_ORG] = sizeof(p->org),
		[IMPORT_LINK] = sizeof(p->link),
	};
	const char *at;

	memset(p, 0, sizeof(*p));
	for (unsigned f = 0; f < IMPORT_FIELDS; f++)
		snprintf((char *)p + offs[f], sizes[f], "%s", import_row_field(r, f));
	p->role = (enum person_role)r->role;
	p->ngroups = r->ngroups;
	p->npools = r->npools;
	at = import_row_names(r);
	for (unsigned i = 0; i < p->ngroups; i++, at += strlen(at) + 1)
		snprintf(p->groups[i], sizeof(p->groups[i]), "%s", at);
	for (unsigned i = 0; i < p->npools; i++, at += strlen(at) + 1)
		snprintf(p->pools[i], sizeof(p->pools[i]), "%s", at);
}

/* Pack what the row's checks put in p into r->text, counted in the
 * import's memory. */
static int import_row_pack(struct admin_import *imp, struct import_row *r, const struct person *p)
{
	const char *fields[IMPORT_FIELDS] = {
		[IMPORT_USERNAME] = p->username, [IMPORT_FIRST_NAME] = p->first_name,
		[IMPORT_LAST_NAME] = p->last_name, [IMPORT_EMAIL] = p->email,
		[IMPORT_PHONE] = p->phone,       [IMPORT_ORG] = p->org,
		[IMPORT_LINK] = p->link,
	};
	size_t size = 0, at = 0;
	char *text;
	int e;

	for (unsigned f = 0; f < IMPORT_FIELDS; f++)
		size += strlen(fields[f]) + 1;
	for (unsigned i = 0; i < p->ngroups; i++)
		size += strlen(p->groups[i]) + 1;
	for (unsigned i = 0; i < p->npools; i++)
		size += strlen(p->pools[i]) + 1;
	/* Every field is bounded: the sum of their bounds is under 1 KiB. */
	if (size > UINT16_MAX)
		return -EINVAL;
	if ((e = import_reserve(imp, size)) < 0)
		return e;
	text = malloc(size);
	if (!text) {
		import_release(imp, size);
		return -ENOMEM;
	}
	for (unsigned f = 0; f < IMPORT_FIELDS; f++) {
		size_t len = strlen(fields[f]) + 1;

		r->off[f] = (uint16_t)at;
		memcpy(text + at, fields[f], len);
		at += len;
	}
	for (unsigned i = 0; i < p->ngroups; i++) {
		memcpy(text + at, p->groups[i], strlen(p->groups[i]) + 1);
		at += strlen(p->groups[i]) + 1;
	}
	for (unsigned i = 0; i < p->npools; i++) {
		memcpy(text + at, p->pools[i], strlen(p->pools[i]) + 1);
		at += strlen(p->pools[i]) + 1;
	}
	r->role = (uint8_t)p->role;
	r->ngroups = (uint8_t)p->ngroups;
	r->npools = (uint8_t)p->npools;
	r->size = (uint16_t)size;
	r->text = text;
	return 0;
}

/* The rows hold people's names and addresses: wiped before freed. */
void import_rows_truncate(struct admin_import *imp, size_t n)
{
	for (size_t i = n; imp->rows && i < imp->n; i++) {
		struct import_row *r = &imp->rows[i];

		if (r->text) {
			sodium_memzero(r->text, r->size);
			free(r->text);
			import_release(imp, r->size);
		}
		memset(r, 0, sizeof(*r));
	}
	if (n < imp->n)
		imp->n = n;
}

/* ------------------------------------------------------------ one row */

/* A string field of the row: NULL when absent, null or "". */
static const char *import_str(struct json_object *row, const char *key, bool *bad)
{
	struct json_object *j;
	const char *s;

	if (!json_object_object_get_ex(row, key, &j) || json_object_is_type(j, json_type_null))
		return NULL;
	s = json_object_is_type(j, json_type_string) ? json_object_get_string(j) : NULL;
	if (!s || strlen(s) != (size_t)json_object_get_string_len(j) || strlen(s) > ADMIN_TEXT_MAX) {
		*bad = true;
		return NULL;
	}
	return s[0] ? s : NULL;
}

/* Check one field with its validator; copy it into dst on success. */
static int import_text(struct admin_import *imp, struct import_row *r, struct json_object *row,
		       const char *key, bool required, char *dst, size_t size,
		       const char *(*check)(const char *s, char *buf, size_t bsize))
{
	char buf[160];
	const char *why;
	bool bad = false;
	const char *s = import_str(row, key, &bad);

	if (bad) {
		import_mark(r, key);
		return import_fail(imp, r->row, key, "must be text of at most %d bytes",
				   ADMIN_TEXT_MAX);
	}
	if (!s) {
		if (!required)
			return 0;
		import_mark(r, key);
		return import_fail(imp, r->row, key, "is required");
	}
	why = check ? check(s, buf, sizeof(buf)) : NULL;
	if (why) {
		import_mark(r, key);
		return import_fail(imp, r->row, key, "%s", why);
	}
	snprintf(dst, size, "%s", s);
	return 0;
}

static const char *import_check_username(const char *s, char *buf, size_t size)
{
	(void)buf, (void)size;
	return validate_username(s);
}

static const char *import_check_first(const char *s, char *buf, size_t size)
{
	return validate_name(s, "first name", buf, size);
}

static const char *import_check_last(const char *s, char *buf, size_t size)
{
	return validate_name(s, "last name", buf, size);
}

static const char *import_check_email(const char *s, char *buf, size_t size)
{
	(void)buf, (void)size;
	return validate_email(s);
}

static const char *import_check_org(const char *s, char *buf, size_t size)
{
	(void)buf, (void)size;
	return validate_org(s);
}

static int import_names(struct admin_import *imp, struct import_row *r, struct json_object *row,
			const char *key, store_name *names, unsigned *n, unsigned max)
{
	_cleanup_json_ struct json_object *wrap = json_object_new_object();
	_cleanup_json_ struct json_object *err = NULL;
	struct json_object *arr, *pm, *m;
	const char *msg = "must be a list of group or pool names";

	if (!wrap)
		return -ENOMEM;
	if (json_object_object_get_ex(row, key, &arr))
		json_object_object_add(wrap, key, json_object_get(arr));
	if (admin_get_names(wrap, key, names, n, max, &err) >= 0)
		return 0;
	if (json_object_object_get_ex(err, "parameters", &pm) &&
	    json_object_object_get_ex(pm, "message", &m))
		msg = json_object_get_string(m);
	import_mark(r, key);
	return import_fail(imp, r->row, key, "%s", msg);
}

/* Take one ImportRow: its own fields checked now. */
int import_take_row(struct admin_ctx *x, struct admin_import *imp, struct json_object *row)
{
	_cleanup_person_ struct person p = { 0 };
	struct import_row *r;
	struct json_object *j;
	const char *s, *why = NULL;
	char org[OB_ORG_MAX + 1] = "";
	int64_t line = 0;
	bool bad = false;
	int e = 0;

	if (!json_object_is_type(row, json_type_object) ||
	    !json_object_object_get_ex(row, "row", &j) || !json_object_is_type(j, json_type_int) ||
	    (line = json_object_get_int64(j)) < 1 || line > UINT32_MAX)
		return -EINVAL;
	/* The caller made room for the whole batch. */
	if (imp->n >= imp->cap)
		return -ENOMEM;
	r = &imp->rows[imp->n++];
	r->row = (uint32_t)line;
	if ((e = import_text(imp, r, row, "username", true, p.username, sizeof(p.username),
			     import_check_username)) < 0 ||
	    (e = import_text(imp, r, row, "first_name", true, p.first_name,
			     sizeof(p.first_name), import_check_first)) < 0 ||
	    (e = import_text(imp, r, row, "last_name", true, p.last_name,
			     sizeof(p.last_name), import_check_last)) < 0 ||
	    (e = import_text(imp, r, row, "email", false, p.email, sizeof(p.email),
			     import_check_email)) < 0 ||
	    (e = import_text(imp, r, row, "org", false, org, sizeof(org), import_check_org)) < 0 ||
	    (e = import_text(imp, r, row, "link", false, p.link, sizeof(p.link),
			     import_check_username)) < 0)
		return e;
	s = import_str(row, "phone", &bad);
	if (bad || (s && (why = validate_phone(s, p.phone)))) {
		import_mark(r, "phone");
		if ((e = import_fail(imp, r->row, "phone", "%s",
				     bad ? "must be text" : why)) < 0)
			return e;
	}
	bad = false;
	s = import_str(row, "role", &bad);
	if (bad || (s && (strlen(s) >= 16 || !record_role_parse(s, &p.role)))) {
		import_mark(r, "role");
		if ((e = import_fail(imp, r->row, "role",
				     "unknown role (known: user, admin, technician, assistant)")) < 0)
			return e;
	}
	if ((e = import_names(imp, r, row, "groups", p.groups, &p.ngroups,
			      OB_PERSON_GROUPS_MAX)) < 0 ||
	    (e = import_names(imp, r, row, "pools", p.pools, &p.npools,
			      OB_PERSON_POOLS_MAX)) < 0)
		return e;
	snprintf(p.org, sizeof(p.org), "%s", org[0] ? org : imp->org);
	if (!policy_admin_sees(&x->a, p.org)) {
		import_mark(r, "org");
		if ((e = import_fail(imp, r->row, "org", "you administer organisation %s only",
				     x->a.org)) < 0)
			return e;
	}
	return import_row_pack(imp, r, &p);
}

/* ------------------------------------------------------------ all rows */

static int import_cmp_username(const void *a, const void *b)
{
	const struct import_row *const *x = a, *const *y = b;
	int c = strcmp(import_row_field(*x, IMPORT_USERNAME), import_row_field(*y, IMPORT_USERNAME));

	return c ? c : ((*x)->row > (*y)->row) - ((*x)->row < (*y)->row);
}

/* The e-mail key of a row: organisation and address, ASCII case folded. */
static void import_email_key(const struct import_row *r, char *buf, size_t size)
{
	size_t i;

	snprintf(buf, size, "%s\x1f%s", import_row_field(r, IMPORT_ORG),
		 import_row_field(r, IMPORT_EMAIL));
	for (i = 0; buf[i]; i++)
		if (buf[i] >= 'A' && buf[i] <= 'Z')
			buf[i] = (char)(buf[i] - 'A' + 'a');
}

static int import_cmp_email(const void *a, const void *b)
{
	const struct import_row *const *x = a, *const *y = b;
	char ka[OB_ORG_MAX + OB_EMAIL_MAX + 2], kb[OB_ORG_MAX + OB_EMAIL_MAX + 2];
	int c;

	import_email_key(*x, ka, sizeof(ka));
	import_email_key(*y, kb, sizeof(kb));
	c = strcmp(ka, kb);
	return c ? c : ((*x)->row > (*y)->row) - ((*x)->row < (*y)->row);
}

/* Rows that repeat a username or an e-mail address of an earlier row. */
static int import_check_duplicates(struct admin_import *imp, struct import_row **idx)
{
	size_t m = 0;
	int e;

	for (size_t i = 0; i < imp->n; i++)
		if (!(imp->rows[i].bad & BAD_USERNAME))
			idx[m++] = &imp->rows[i];
	qsort(idx, m, sizeof(*idx), import_cmp_username);
	for (size_t i = 1; i < m; i++) {
		const char *name = import_row_field(idx[i], IMPORT_USERNAME);

		if (strcmp(name, import_row_field(idx[i - 1], IMPORT_USERNAME)) != 0)
			continue;
		if ((e = import_fail(imp, idx[i]->row, "username", "%s is also on row %u", name,
				     idx[i - 1]->row)) < 0)
			return e;
	}
	m = 0;
	for (size_t i = 0; i < imp->n; i++)
		if (!(imp->rows[i].bad & (BAD_EMAIL | BAD_ORG)) &&
		    import_row_field(&imp->rows[i], IMPORT_EMAIL)[0])
			idx[m++] = &imp->rows[i];
	qsort(idx, m, sizeof(*idx), import_cmp_email);
	for (size_t i = 1; i < m; i++) {
		const char *email = import_row_field(idx[i], IMPORT_EMAIL);

		if (import_cmp_email(&idx[i], &idx[i - 1]) == 0 ||
		    strcasecmp(email, import_row_field(idx[i - 1], IMPORT_EMAIL)) != 0 ||
		    strcmp(import_row_field(idx[i], IMPORT_ORG),
			   import_row_field(idx[i - 1], IMPORT_ORG)) != 0)
			continue;
		if ((e = import_fail(imp, idx[i]->row, "email", "%s is also on row %u", email,
				     idx[i - 1]->row)) < 0)
			return e;
	}
	return 0;
}

/* The row of the file that adds username, if any (idx sorted by name). */
static const struct import_row *import_find(struct import_row **idx, size_t m,
					    const char *username)
{
	size_t lo = 0, hi = m;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp(import_row_field(idx[mid], IMPORT_USERNAME), username);

		if (c == 0)
			return idx[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* Seats: how many rows so far took a seat in each pool. */
struct import_seat {
	store_name name;
	uint32_t free, taken;
	bool exists;
};

/* The pools the rows named so far: grows with them (a few, as a rule;
 * room for every pool of every row would be 19 MB at 100,000 rows). */
struct import_seats {
	struct import_seat *v;
	size_t n, cap;
};

/* A new, zeroed seat at the end of seats; NULL without memory. */
static struct import_seat *import_seat_new(struct import_seats *seats)
{
	if (seats->n == seats->cap) {
		size_t cap = seats->cap ? seats->cap * 2 : 16;
		struct import_seat *v = reallocarray(seats->v, cap, sizeof(*v));

		if (!v)
			return NULL;
		seats->v = v;
		seats->cap = cap;
	}
	memset(&seats->v[seats->n], 0, sizeof(seats->v[0]));
	return &seats->v[seats->n++];
}

/* The checks against the database and the other rows, for one row. */
static int import_check_row(struct admin_ctx *x, struct admin_import *imp, struct import_row *r,
			    struct import_row **idx, size_t m, struct import_seats *seats,
			    const struct accounts_snapshot *accounts)
{
	_cleanup_person_ struct person p = { 0 }, old = { 0 }, linked = { 0 };
	const struct import_row *lr = NULL;
	char text[OB_TEXT_MAX], who[OB_USERNAME_MAX + 1];
	const char *why;
	enum store_result sr;
	enum add_verdict v;
	int e = 0;

	/* An organisation that failed leaves nothing to check against. */
	if (r->bad & BAD_ORG)
		return 0;
	import_row_person(r, &p);
	sr = r->bad & BAD_USERNAME ? STORE_NOT_FOUND : store_person_get(x->d->store, p.username, &old);
	if (sr != STORE_OK && sr != STORE_NOT_FOUND)
		return -EIO;
	v = r->bad & BAD_USERNAME ? ADD_OK : policy_user_add(sr == STORE_OK, accounts_snapshot_kind(accounts, p.username, x->d->cfg.uid_min), false);
	if (v == ADD_TAKEN)
		e = import_fail(imp, r->row, "username", "%s",
				policy_taken_message(&x->a, &old, text, sizeof(text)));
	else if (v != ADD_OK)
		e = import_fail(imp, r->row, "username", "%s",
				policy_add_message(v, p.username, text, sizeof(text)));
	if (e < 0)
		return e;
	if (!(r->bad & BAD_EMAIL) && p.email[0] && store_email_find(x->d->store, p.org, p.email, who) == STORE_OK &&
	    (e = import_fail(imp, r->row, "email", "%s is already used by %s", p.email, who)) < 0)
		return e;
	why = r->bad & BAD_ROLE ? NULL : policy_grant(&x->a, &p, NULL);
	if (why && (e = import_fail(imp, r->row, "role", "%s", why)) < 0)
		return e;
	/* A link to someone in the database, or to a row of this file. */
	sr = STORE_NOT_FOUND;
	if (p.link[0]) {
		lr = import_find(idx, m, p.link);
		if (lr)
			import_row_person(lr, &linked);
		else
			sr = store_person_get(x->d->store, p.link, &linked);
	}
	why = r->bad & (BAD_ROLE | BAD_LINK | BAD_USERNAME)
		      ? NULL
		      : policy_person_links(&p, p.link[0] && (lr || sr == STORE_OK) ? &linked
											: NULL,
					    text, sizeof(text));
	/* A link to someone in the database is an act on them too (the
	 * authority rule, as UserAdd and UserModify). */
	if (!why && !(r->bad & (BAD_ROLE | BAD_LINK | BAD_USERNAME)) && p.link[0] && !lr &&
	    sr == STORE_OK)
		why = admin_may_act_on_why(x, &linked, "link people to them", text, sizeof(text));
	if (why && (e = import_fail(imp, r->row, "link", "%s", why)) < 0)
		return e;
	for (unsigned i = 0; !(r->bad & BAD_GROUPS) && i < p.ngroups; i++) {
		struct group g;

		sr = store_group_get(x->d->store, p.groups[i], &g);
		if ((sr != STORE_OK || strcmp(g.org, p.org) != 0) &&
		    (e = import_fail(imp, r->row, "groups", "no such group in organisation %s: %s",
				     p.org, p.groups[i])) < 0)
			return e;
	}
	for (unsigned i = 0; !(r->bad & BAD_POOLS) && i < p.npools; i++) {
		struct import_seat *s = NULL;

		for (size_t k = 0; k < seats->n && !s; k++)
			if (strcmp(seats->v[k].name, p.pools[i]) == 0)
				s = &seats->v[k];
		if (!s) {
			struct pool pl;

			if (!(s = import_seat_new(seats)))
				return -ENOMEM;
			snprintf(s->name, sizeof(s->name), "%s", p.pools[i]);
			sr = store_pool_get(x->d->store, s->name, &pl);
			s->exists = sr == STORE_OK && strcmp(pl.org, p.org) == 0;
			s->free = s->exists ? pl.seats - pl.used : 0;
		}
		if (!s->exists)
			e = import_fail(imp, r->row, "pools", "no such pool in organisation %s: %s",
					p.org, s->name);
		else if (s->taken >= s->free)
			e = import_fail(imp, r->row, "pools", "pool %s is full: %u free seat%s for "
					"the rows before this one", s->name, s->free,
					s->free == 1 ? "" : "s");
		else
			s->taken++;
		if (e < 0)
			return e;
	}
	return 0;
}

static int import_cmp_failure(const void *a, const void *b)
{
	const struct import_failure *x = a, *y = b;

	return (x->row > y->row) - (x->row < y->row);
}

/* Every check of the commit; the failures end up in row order. */
int import_check_all(struct admin_ctx *x, struct admin_import *imp)
{
	struct import_row **idx = calloc(imp->n + 1, sizeof(*idx));
	struct import_seats seats = { 0 };
	/* The host's accounts read once for the whole import, not once a
	 * row (getpwnam_r was 72% of a large import's time): see
	 * accounts_snapshot_new for the sources that cannot be read so. */
	struct accounts_snapshot *accounts = accounts_snapshot_new(NULL);
	size_t m = 0;
	int e;

	if (!idx || !accounts) {
		free(idx);
		accounts_snapshot_free(accounts);
		return -ENOMEM;
	}
	e = import_check_duplicates(imp, idx);
	for (size_t i = 0; e >= 0 && i < imp->n; i++)
		if (!(imp->rows[i].bad & (BAD_USERNAME | BAD_ORG)))
			idx[m++] = &imp->rows[i];
	qsort(idx, m, sizeof(*idx), import_cmp_username);
	for (size_t i = 0; e >= 0 && i < imp->n; i++)
		e = import_check_row(x, imp, &imp->rows[i], idx, m, &seats, accounts);
	accounts_snapshot_free(accounts);
	free(idx);
	free(seats.v);
	/* qsort is not stable, but each row's failures were recorded in
	 * column order and are told apart by their column anyway. */
	if (imp->nfails)
		qsort(imp->fails, imp->nfails, sizeof(*imp->fails), import_cmp_failure);
	return e;
}
