/* io.onboard.Admin.UserImport: people from a spreadsheet, all or none.
 *
 * The client parses the CSV file and sends its rows in batches on one
 * connection; the rows wait here (struct admin_import, on the
 * connection's admin_session).  Each row's fields are checked as they
 * arrive, every column on its own so that the report names each
 * failure; on commit come the checks against the database and against
 * the other rows (usernames and e-mail addresses used twice, links,
 * seats).  Only when no row fails do all of them go in, in one
 * store_people_write transaction, with invite each with a pending
 * invitation in the same transaction; UserImportCodes hands out their
 * codes once. */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>

#include "accounts.h"
#include "admin_private.h"
#include "admin_reply.h"
#include "keys.h"
#include "log.h"
#include "ob_protocol.h"
#include "store_record.h"
#include "validate.h"
#include "varlink.h"

#define IMPORT_REASON_MAX 200
/* An ImportFailure at its largest, escaped. */
#define IMPORT_FAILURE_JSON_MAX (40 + 20 + 2 * 16 + 2 * IMPORT_REASON_MAX)

struct import_failure {
	uint32_t row;
	char column[16];
	char reason[IMPORT_REASON_MAX + 1];
};

struct import_code {
	char username[OB_USERNAME_MAX + 1];
	char first_name[OB_NAME_MAX + 1];
	char last_name[OB_NAME_MAX + 1];
	char code[CODE_FORMATTED + 1];
	int64_t expires;
};

/* The fields of a row that failed: the checks that need them skip it. */
#define BAD_USERNAME 0x01u
#define BAD_ORG 0x02u
#define BAD_EMAIL 0x04u
#define BAD_ROLE 0x08u
#define BAD_LINK 0x10u
#define BAD_GROUPS 0x20u
#define BAD_POOLS 0x40u
#define BAD_OTHER 0x80u

struct import_row {
	uint32_t row;
	uint32_t bad; /* BAD_* */
	struct person p;
};

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

struct admin_import {
	char org[OB_ORG_MAX + 1];
	bool invite, dry_run, done;
	bool expired; /* dropped by admin_import_sweep: nothing left in it */
	struct import_row *rows;
	size_t n, cap;
	struct import_failure *fails;
	size_t nfails, fcap;
	struct import_code *codes;
	size_t ncodes, ccap;
	/* Memory: every import is on d->imports, and what its arrays hold
	 * (by capacity, as allocated) is counted in bytes and in
	 * d->import_bytes, which never exceeds cfg.import_memory. */
	struct daemon *d;
	struct admin_import *prev, *next;
	size_t bytes;
	int64_t used; /* the last call that touched it, d->now() */
};

/* What one import may hold: half of import_memory, so that one file
 * cannot keep every other administrator from importing. */
static size_t import_own_max(const struct daemon *d)
{
	return d->cfg.import_memory / 2;
}

/* Count more bytes before they are allocated: -EFBIG beyond what one
 * import may hold, -ENOSPC beyond import_memory for all together. */
static int import_room(const struct admin_import *imp, size_t more)
{
	const struct daemon *d = imp->d;

	if (imp->bytes > import_own_max(d) || more > import_own_max(d) - imp->bytes)
		return -EFBIG;
	if (d->import_bytes > d->cfg.import_memory || more > d->cfg.import_memory - d->import_bytes)
		return -ENOSPC;
	return 0;
}

static int import_reserve(struct admin_import *imp, size_t more)
{
	struct daemon *d = imp->d;
	int e = import_room(imp, more);

	if (e < 0)
		return e;
	imp->bytes += more;
	d->import_bytes += more;
	return 0;
}

static void import_release(struct admin_import *imp, size_t less)
{
	imp->bytes -= less;
	imp->d->import_bytes -= less;
}

/* The rows are wiped: they hold people's names and addresses. */
static void import_drop_rows(struct admin_import *imp)
{
	if (imp->rows)
		sodium_memzero(imp->rows, imp->cap * sizeof(*imp->rows));
	free(imp->rows);
	imp->rows = NULL;
	import_release(imp, imp->cap * sizeof(*imp->rows));
	imp->cap = 0;
}

/* Free all the import holds but itself. */
static void import_drop(struct admin_import *imp)
{
	import_drop_rows(imp);
	if (imp->codes)
		sodium_memzero(imp->codes, imp->ccap * sizeof(*imp->codes));
	free(imp->codes);
	imp->codes = NULL;
	import_release(imp, imp->ccap * sizeof(*imp->codes));
	imp->ncodes = imp->ccap = 0;
	free(imp->fails);
	imp->fails = NULL;
	import_release(imp, imp->fcap * sizeof(*imp->fails));
	imp->nfails = imp->fcap = 0;
}

void admin_import_free(struct admin_import *imp)
{
	if (!imp)
		return;
	import_drop(imp);
	import_release(imp, imp->bytes);
	if (imp->prev)
		imp->prev->next = imp->next;
	else
		imp->d->imports = imp->next;
	if (imp->next)
		imp->next->prev = imp->prev;
	free(imp);
}

/* A new, empty import on d->imports; NULL with *e -ENOMEM or -ENOSPC. */
static struct admin_import *import_new(struct daemon *d, int *e)
{
	struct admin_import *imp = calloc(1, sizeof(*imp));

	*e = -ENOMEM;
	if (!imp)
		return NULL;
	imp->d = d;
	imp->next = d->imports;
	if (d->imports)
		d->imports->prev = imp;
	d->imports = imp;
	*e = import_reserve(imp, sizeof(*imp));
	if (*e < 0) {
		admin_import_free(imp);
		return NULL;
	}
	imp->used = d->now();
	return imp;
}

void admin_import_sweep(struct daemon *d)
{
	int64_t now;

	if (!d->imports)
		return;
	now = d->now();
	for (struct admin_import *imp = d->imports; imp; imp = imp->next) {
		if (imp->expired || now - imp->used <= d->cfg.login_timeout)
			continue;
		log_info("admin: an import of %zu rows%s was idle for longer than login_timeout: "
			 "dropped", imp->n, imp->done ? " (committed)" : "");
		import_drop(imp);
		imp->expired = true;
	}
}

/* Room for want rows, counted before it is allocated. */
static int import_grow_rows(struct admin_import *imp, size_t want)
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

/* The error of a bound reached (-EFBIG, -ENOSPC), naming it. */
static struct json_object *import_bound_error(const struct admin_import *imp, int e)
{
	const struct daemon *d = imp->d;
	double mib = 1024.0 * 1024.0;

	if (e == -EFBIG)
		return admin_error(OB_ERR_INVALID_ARGUMENT,
				   "an import may hold at most %.1f MiB, half of import_memory "
				   "(%.1f MiB, onboardd.conf), and this one is full: split the file",
				   (double)import_own_max(d) / mib, (double)d->cfg.import_memory / mib);
	return admin_error(OB_ERR_INVALID_ARGUMENT,
			   "the imports under way hold %.1f MiB, all that import_memory "
			   "(%.1f MiB, onboardd.conf) allows: try again when they are committed "
			   "or dropped",
			   (double)d->import_bytes / mib, (double)d->cfg.import_memory / mib);
}

static int import_fail(struct admin_import *imp, uint32_t row, const char *column,
		       const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* Record a failure; -ENOMEM when it cannot be, -EFBIG or -ENOSPC when
 * a bound of import_memory stops it. */
static int import_fail(struct admin_import *imp, uint32_t row, const char *column,
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
	struct json_object *wrap = json_object_new_object(), *arr, *err = NULL;
	int ret = 0;

	if (!wrap)
		return -ENOMEM;
	if (json_object_object_get_ex(row, key, &arr))
		json_object_object_add(wrap, key, json_object_get(arr));
	if (admin_get_names(wrap, key, names, n, max, &err) < 0) {
		struct json_object *pm, *m;
		const char *msg = "must be a list of group or pool names";

		if (json_object_object_get_ex(err, "parameters", &pm) &&
		    json_object_object_get_ex(pm, "message", &m))
			msg = json_object_get_string(m);
		import_mark(r, key);
		ret = import_fail(imp, r->row, key, "%s", msg);
		json_object_put(err);
	}
	json_object_put(wrap);
	return ret;
}

/* Take one ImportRow: its own fields checked now. */
static int import_take_row(struct admin_ctx *x, struct admin_import *imp, struct json_object *row)
{
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
	if ((e = import_text(imp, r, row, "username", true, r->p.username, sizeof(r->p.username),
			     import_check_username)) < 0 ||
	    (e = import_text(imp, r, row, "first_name", true, r->p.first_name,
			     sizeof(r->p.first_name), import_check_first)) < 0 ||
	    (e = import_text(imp, r, row, "last_name", true, r->p.last_name,
			     sizeof(r->p.last_name), import_check_last)) < 0 ||
	    (e = import_text(imp, r, row, "email", false, r->p.email, sizeof(r->p.email),
			     import_check_email)) < 0 ||
	    (e = import_text(imp, r, row, "org", false, org, sizeof(org), import_check_org)) < 0 ||
	    (e = import_text(imp, r, row, "link", false, r->p.link, sizeof(r->p.link),
			     import_check_username)) < 0)
		return e;
	s = import_str(row, "phone", &bad);
	if (bad || (s && (why = validate_phone(s, r->p.phone)))) {
		import_mark(r, "phone");
		if ((e = import_fail(imp, r->row, "phone", "%s",
				     bad ? "must be text" : why)) < 0)
			return e;
	}
	bad = false;
	s = import_str(row, "role", &bad);
	if (bad || (s && (strlen(s) >= 16 || !record_role_parse(s, &r->p.role)))) {
		import_mark(r, "role");
		if ((e = import_fail(imp, r->row, "role",
				     "unknown role (known: user, admin, technician, assistant)")) < 0)
			return e;
	}
	if ((e = import_names(imp, r, row, "groups", r->p.groups, &r->p.ngroups,
			      OB_PERSON_GROUPS_MAX)) < 0 ||
	    (e = import_names(imp, r, row, "pools", r->p.pools, &r->p.npools,
			      OB_PERSON_POOLS_MAX)) < 0)
		return e;
	snprintf(r->p.org, sizeof(r->p.org), "%s", org[0] ? org : imp->org);
	if (!policy_admin_sees(&x->a, r->p.org)) {
		import_mark(r, "org");
		if ((e = import_fail(imp, r->row, "org", "you administer organisation %s only",
				     x->a.org)) < 0)
			return e;
	}
	return 0;
}

/* ------------------------------------------------------------ all rows */

static int import_cmp_username(const void *a, const void *b)
{
	const struct import_row *const *x = a, *const *y = b;
	int c = strcmp((*x)->p.username, (*y)->p.username);

	return c ? c : ((*x)->row > (*y)->row) - ((*x)->row < (*y)->row);
}

/* The e-mail key of a row: organisation and address, ASCII case folded. */
static void import_email_key(const struct import_row *r, char *buf, size_t size)
{
	size_t i;

	snprintf(buf, size, "%s\x1f%s", r->p.org, r->p.email);
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
		if (strcmp(idx[i]->p.username, idx[i - 1]->p.username) != 0)
			continue;
		if ((e = import_fail(imp, idx[i]->row, "username", "%s is also on row %u",
				     idx[i]->p.username, idx[i - 1]->row)) < 0)
			return e;
	}
	m = 0;
	for (size_t i = 0; i < imp->n; i++)
		if (!(imp->rows[i].bad & (BAD_EMAIL | BAD_ORG)) && imp->rows[i].p.email[0])
			idx[m++] = &imp->rows[i];
	qsort(idx, m, sizeof(*idx), import_cmp_email);
	for (size_t i = 1; i < m; i++) {
		if (import_cmp_email(&idx[i], &idx[i - 1]) == 0 ||
		    strcasecmp(idx[i]->p.email, idx[i - 1]->p.email) != 0 ||
		    strcmp(idx[i]->p.org, idx[i - 1]->p.org) != 0)
			continue;
		if ((e = import_fail(imp, idx[i]->row, "email", "%s is also on row %u",
				     idx[i]->p.email, idx[i - 1]->row)) < 0)
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
		int c = strcmp(idx[mid]->p.username, username);

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

/* The checks against the database and the other rows, for one row. */
static int import_check_row(struct admin_ctx *x, struct admin_import *imp, struct import_row *r,
			    struct import_row **idx, size_t m, struct import_seat *seats,
			    size_t *nseats)
{
	struct person old, linked;
	const struct import_row *lr = NULL;
	char text[OB_TEXT_MAX], who[OB_USERNAME_MAX + 1];
	const char *why;
	enum store_result sr;
	enum add_verdict v;
	int e = 0;

	/* An organisation that failed leaves nothing to check against. */
	if (r->bad & BAD_ORG)
		return 0;
	sr = r->bad & BAD_USERNAME ? STORE_NOT_FOUND : store_person_get(x->d->store, r->p.username, &old);
	if (sr != STORE_OK && sr != STORE_NOT_FOUND)
		return -EIO;
	v = r->bad & BAD_USERNAME ? ADD_OK : policy_user_add(sr == STORE_OK, accounts_kind(r->p.username, x->d->cfg.uid_min), false);
	if (v == ADD_TAKEN)
		e = import_fail(imp, r->row, "username", "%s",
				policy_taken_message(&x->a, &old, text, sizeof(text)));
	else if (v != ADD_OK)
		e = import_fail(imp, r->row, "username", "%s",
				policy_add_message(v, r->p.username, text, sizeof(text)));
	sodium_memzero(&old, sizeof(old));
	if (e < 0)
		return e;
	if (!(r->bad & BAD_EMAIL) && r->p.email[0] && store_email_find(x->d->store, r->p.org, r->p.email, who) == STORE_OK &&
	    (e = import_fail(imp, r->row, "email", "%s is already used by %s", r->p.email, who)) < 0)
		return e;
	why = r->bad & BAD_ROLE ? NULL : policy_grant(&x->a, &r->p, NULL);
	if (why && (e = import_fail(imp, r->row, "role", "%s", why)) < 0)
		return e;
	/* A link to someone in the database, or to a row of this file. */
	memset(&linked, 0, sizeof(linked));
	sr = STORE_NOT_FOUND;
	if (r->p.link[0]) {
		lr = import_find(idx, m, r->p.link);
		if (lr)
			linked = lr->p;
		else
			sr = store_person_get(x->d->store, r->p.link, &linked);
	}
	why = r->bad & (BAD_ROLE | BAD_LINK | BAD_USERNAME)
		      ? NULL
		      : policy_person_links(&r->p, r->p.link[0] && (lr || sr == STORE_OK) ? &linked
											: NULL,
					    text, sizeof(text));
	/* A link to someone in the database is an act on them too (the
	 * authority rule, as UserAdd and UserModify). */
	if (!why && !(r->bad & (BAD_ROLE | BAD_LINK | BAD_USERNAME)) && r->p.link[0] && !lr &&
	    sr == STORE_OK)
		why = admin_may_act_on_why(x, &linked, "link people to them", text, sizeof(text));
	sodium_memzero(&linked, sizeof(linked));
	if (why && (e = import_fail(imp, r->row, "link", "%s", why)) < 0)
		return e;
	for (unsigned i = 0; !(r->bad & BAD_GROUPS) && i < r->p.ngroups; i++) {
		struct group g;

		sr = store_group_get(x->d->store, r->p.groups[i], &g);
		if ((sr != STORE_OK || strcmp(g.org, r->p.org) != 0) &&
		    (e = import_fail(imp, r->row, "groups", "no such group in organisation %s: %s",
				     r->p.org, r->p.groups[i])) < 0)
			return e;
	}
	for (unsigned i = 0; !(r->bad & BAD_POOLS) && i < r->p.npools; i++) {
		struct import_seat *s = NULL;

		for (size_t k = 0; k < *nseats && !s; k++)
			if (strcmp(seats[k].name, r->p.pools[i]) == 0)
				s = &seats[k];
		if (!s) {
			struct pool pl;

			s = &seats[(*nseats)++];
			snprintf(s->name, sizeof(s->name), "%s", r->p.pools[i]);
			sr = store_pool_get(x->d->store, s->name, &pl);
			s->exists = sr == STORE_OK && strcmp(pl.org, r->p.org) == 0;
			s->free = s->exists ? pl.seats - pl.used : 0;
		}
		if (!s->exists)
			e = import_fail(imp, r->row, "pools", "no such pool in organisation %s: %s",
					r->p.org, s->name);
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
static int import_check_all(struct admin_ctx *x, struct admin_import *imp)
{
	struct import_row **idx = calloc(imp->n + 1, sizeof(*idx));
	/* At most every pool of every row is a distinct pool. */
	struct import_seat *seats = calloc(imp->n * OB_PERSON_POOLS_MAX + 1, sizeof(*seats));
	size_t m = 0, nseats = 0;
	int e;

	if (!idx || !seats) {
		free(idx);
		free(seats);
		return -ENOMEM;
	}
	e = import_check_duplicates(imp, idx);
	for (size_t i = 0; e >= 0 && i < imp->n; i++)
		if (!(imp->rows[i].bad & (BAD_USERNAME | BAD_ORG)))
			idx[m++] = &imp->rows[i];
	qsort(idx, m, sizeof(*idx), import_cmp_username);
	for (size_t i = 0; e >= 0 && i < imp->n; i++)
		e = import_check_row(x, imp, &imp->rows[i], idx, m, seats, &nseats);
	free(idx);
	free(seats);
	/* qsort is not stable, but each row's failures were recorded in
	 * column order and are told apart by their column anyway. */
	if (imp->nfails)
		qsort(imp->fails, imp->nfails, sizeof(*imp->fails), import_cmp_failure);
	return e;
}

/* ------------------------------------------------------------ writing */

/* With invite: an invitation code for every row, drawn before the
 * write so that the people and their invitations go in together; the
 * codes wait in imp->codes for UserImportCodes, their keyed hashes in
 * hashes (n * CODE_HASH_BYTES). */
static int import_draw_codes(struct admin_ctx *x, struct admin_import *imp, uint8_t *hashes)
{
	char plain[CODE_LETTERS + 1];
	int e = import_reserve(imp, (imp->n + 1) * sizeof(*imp->codes));

	if (e < 0)
		return e;
	imp->ccap = imp->n + 1;
	imp->codes = calloc(imp->ccap, sizeof(*imp->codes));
	if (!imp->codes)
		return -ENOMEM;
	for (size_t i = 0; i < imp->n; i++) {
		struct import_code *c = &imp->codes[i];
		const struct person *p = &imp->rows[i].p;

		code_generate(plain);
		keys_code_hash(&x->d->keys, plain, hashes + i * CODE_HASH_BYTES);
		/* Freshly generated codes are canonical: formatting cannot fail. */
		if (code_format(plain, c->code) < 0)
			c->code[0] = '\0';
		sodium_memzero(plain, sizeof(plain));
		snprintf(c->username, sizeof(c->username), "%s", p->username);
		snprintf(c->first_name, sizeof(c->first_name), "%s", p->first_name);
		snprintf(c->last_name, sizeof(c->last_name), "%s", p->last_name);
		c->expires = x->d->now() + x->d->cfg.invitation_lifetime;
	}
	imp->ncodes = imp->n;
	return 0;
}

static enum store_result import_write(struct admin_ctx *x, struct admin_import *imp)
{
	struct person_change *c = calloc(imp->n + 1, sizeof(*c));
	uint8_t *hashes = imp->invite ? calloc(imp->n + 1, CODE_HASH_BYTES) : NULL;
	struct store_failure fail;
	enum store_result r;
	int64_t now = x->d->now();

	if (!c || (imp->invite && (!hashes || import_draw_codes(x, imp, hashes) < 0))) {
		free(c);
		free(hashes);
		return STORE_UNAVAILABLE;
	}
	for (size_t i = 0; i < imp->n; i++) {
		imp->rows[i].p.created = now;
		imp->rows[i].p.updated = now;
		c[i] = (struct person_change){
			.op = PERSON_CREATE,
			.p = &imp->rows[i].p,
			.invite_hash = hashes ? hashes + i * CODE_HASH_BYTES : NULL,
			.invite_expires = now + x->d->cfg.invitation_lifetime,
		};
	}
	r = store_people_write(x->d->store, c, imp->n, &fail);
	free(c);
	if (hashes) {
		sodium_memzero(hashes, imp->n * CODE_HASH_BYTES);
		free(hashes);
	}
	/* Nothing went in: no code may be handed out. */
	if (r != STORE_OK && imp->codes) {
		sodium_memzero(imp->codes, imp->ncodes * sizeof(*imp->codes));
		imp->ncodes = 0;
	}
	/* Something changed since the checks (another administrator): the
	 * row it stopped at says what. */
	if (r != STORE_OK && r != STORE_FULL && r != STORE_UNAVAILABLE && fail.index < imp->n &&
	    import_fail(imp, imp->rows[fail.index].row, "", "%s%s%s (changed since the checks)",
			store_result_name(r), fail.what[0] ? ": " : "", fail.what) < 0)
		return STORE_UNAVAILABLE;
	return r;
}

/* ------------------------------------------------------------ replies */

static struct json_object *import_failures_page(struct admin_import *imp, size_t from,
						bool with_next, size_t *next)
{
	struct json_object *arr = json_object_new_array();

	*next = 0;
	for (size_t i = from; arr && i < imp->nfails; i++) {
		struct json_object *o;

		if (i - from >= OB_PAGE_FAILURES_MAX) {
			*next = with_next ? i : 0;
			break;
		}
		o = json_object_new_object();
		if (!o || admin_set_int(o, "row", imp->fails[i].row) < 0 ||
		    admin_set_string(o, "column", imp->fails[i].column) < 0 ||
		    admin_set_string(o, "reason", imp->fails[i].reason) < 0 ||
		    json_object_array_add(arr, o) < 0) {
			json_object_put(o);
			json_object_put(arr);
			return NULL;
		}
	}
	return arr;
}

_Static_assert(OB_PAGE_FAILURES_MAX * (IMPORT_FAILURE_JSON_MAX + 1) + 256 < 60 * 1024,
	       "a page of import failures may not fit in one message");

static struct json_object *import_reply(struct admin_import *imp, bool committed, size_t imported)
{
	struct json_object *out = json_object_new_object();
	size_t next;

	if (!out || admin_set_int(out, "received", (int64_t)imp->n) < 0 ||
	    admin_set(out, "dry_run", json_object_new_boolean(imp->dry_run)) < 0 ||
	    (committed && (admin_set_int(out, "imported", (int64_t)imported) < 0 ||
			   admin_set_int(out, "failures_total", (int64_t)imp->nfails) < 0 ||
			   admin_set(out, "failures", import_failures_page(imp, 0, false, &next)) < 0))) {
		json_object_put(out);
		return NULL;
	}
	return varlink_reply_new(out);
}

static bool import_bound(int e)
{
	return e == -EFBIG || e == -ENOSPC;
}

/* Take a batch of rows, all or none: a bound reached or a malformed row
 * leaves the import as it was.  0, or -errno with *err (NULL: out of
 * memory). */
static int import_take_batch(struct admin_ctx *x, struct admin_import *imp,
			     struct json_object *rows, struct json_object **err)
{
	size_t n = json_object_array_length(rows), n0 = imp->n, f0 = imp->nfails;
	int e;

	*err = NULL;
	if (n > OB_IMPORT_BATCH_MAX) {
		*err = admin_error(OB_ERR_INVALID_ARGUMENT, "at most %d rows per call",
				   OB_IMPORT_BATCH_MAX);
		return -EINVAL;
	}
	if (imp->n + n > OB_IMPORT_ROWS_MAX) {
		*err = admin_error(OB_ERR_INVALID_ARGUMENT,
				   "an import holds at most %d rows: split the file",
				   OB_IMPORT_ROWS_MAX);
		return -EINVAL;
	}
	e = import_grow_rows(imp, imp->n + n);
	for (size_t i = 0; e >= 0 && i < n; i++)
		e = import_take_row(x, imp, json_object_array_get_idx(rows, i));
	if (e >= 0)
		return 0;
	if (imp->n > n0)
		sodium_memzero(imp->rows + n0, (imp->n - n0) * sizeof(*imp->rows));
	imp->n = n0;
	imp->nfails = f0;
	if (e == -EINVAL)
		*err = admin_bad_parameter("rows", e, "ImportRow objects with a row number");
	else if (import_bound(e))
		*err = import_bound_error(imp, e);
	return e;
}

/* The commit: every check, then the write.  The rows are not needed
 * after it (the failures and codes are kept for paging), so the caller
 * drops them. */
static struct json_object *import_commit(struct admin_ctx *x, struct admin_import *imp)
{
	enum store_result r;
	int e;

	imp->done = true;
	if (imp->n == 0)
		return admin_error(OB_ERR_INVALID_ARGUMENT, "the import holds no rows");
	e = import_check_all(x, imp);
	if (import_bound(e)) {
		import_drop(imp);
		return import_bound_error(imp, e);
	}
	if (e == -EIO)
		return admin_storage_error(STORE_UNAVAILABLE, "check the rows");
	if (e < 0)
		return NULL;
	if (imp->nfails || imp->dry_run) {
		admin_audit(x, NULL, imp->org, "user.import", imp->nfails ? "refused" : "ok",
			    "%zu rows, %zu failures%s", imp->n, imp->nfails,
			    imp->dry_run ? ", dry run" : "");
		return import_reply(imp, true, 0);
	}
	/* The codes are drawn in the write: their room is checked first. */
	if (imp->invite && import_bound(e = import_room(imp, (imp->n + 1) * sizeof(*imp->codes)))) {
		import_drop(imp);
		return import_bound_error(imp, e);
	}
	r = import_write(x, imp);
	if (r == STORE_FULL || r == STORE_UNAVAILABLE)
		return admin_storage_error(r, "import the people");
	if (r != STORE_OK)
		return import_reply(imp, true, 0);
	log_info("admin: imported %zu people into %s%s", imp->n, imp->org,
		 imp->invite ? ", each with an invitation" : "");
	admin_audit(x, NULL, imp->org, "user.import", "ok", "%zu people%s", imp->n,
		    imp->invite ? ", each invited" : "");
	return import_reply(imp, true, imp->n);
}

struct json_object *admin_user_import(struct admin_ctx *x, struct json_object *params)
{
	struct admin_import *imp;
	struct json_object *rows, *err = NULL, *reply;
	char org[OB_ORG_MAX + 1];
	bool commit = false, invite = false, dry = false;
	int e;

	/* Idle imports of every connection go first: their room is free. */
	admin_import_sweep(x->d);
	imp = x->sess->import;
	if ((e = varlink_get_bool(params, "commit", &commit)) < 0 && e != -ENOENT)
		return admin_bad_parameter("commit", e, "true or false");
	if (imp && imp->expired && !imp->done) {
		/* Never go on with the rest of a file whose start is gone. */
		admin_import_free(imp);
		x->sess->import = NULL;
		return admin_error(OB_ERR_INVALID_ARGUMENT,
				   "the import was idle for longer than login_timeout and was "
				   "dropped: send the whole file again");
	}
	if (!imp || imp->done) {
		/* The first call of an import fixes its options. */
		if ((e = varlink_get_bool(params, "invite", &invite)) < 0 && e != -ENOENT)
			return admin_bad_parameter("invite", e, "true or false");
		if ((e = varlink_get_bool(params, "dry_run", &dry)) < 0 && e != -ENOENT)
			return admin_bad_parameter("dry_run", e, "true or false");
		if (admin_get_org(x, params, org, &err) < 0 || admin_may_invite(x, invite, &err) < 0)
			return err;
		if (invite && x->d->cfg.invite_verification == INVITE_VERIFY_ADMIN)
			return admin_error(OB_ERR_INVALID_ARGUMENT,
					   "invite_verification = admin: invitations with "
					   "verification codes are sent one by one (invite send)");
		admin_import_free(imp);
		imp = x->sess->import = import_new(x->d, &e);
		if (!imp && e == -ENOSPC) {
			struct admin_import probe = { .d = x->d };

			return import_bound_error(&probe, e);
		}
		if (!imp)
			return NULL;
		snprintf(imp->org, sizeof(imp->org), "%s", org);
		imp->invite = invite;
		imp->dry_run = dry;
	}
	imp->used = x->d->now();
	if (json_object_object_get_ex(params, "rows", &rows) &&
	    !json_object_is_type(rows, json_type_null)) {
		if (!json_object_is_type(rows, json_type_array))
			return admin_bad_parameter("rows", -EINVAL, "a list of ImportRow");
		if (import_take_batch(x, imp, rows, &err) < 0)
			return err;
	}
	if (!commit)
		return import_reply(imp, false, 0);
	reply = import_commit(x, imp);
	import_drop_rows(imp);
	return reply;
}

/* The after parameter of the paging calls. */
static int import_after(struct json_object *params, size_t total, size_t *after,
			struct json_object **err)
{
	long long a = 0;
	int e = varlink_get_int(params, "after", &a);

	if (e < 0) {
		*err = admin_bad_parameter("after", e, "a whole number");
		return e;
	}
	if (a < 0 || (size_t)a > total) {
		*err = admin_error(OB_ERR_INVALID_ARGUMENT, "after must be between 0 and %zu", total);
		return -EINVAL;
	}
	*after = (size_t)a;
	return 0;
}

struct json_object *admin_import_failures(struct admin_ctx *x, struct json_object *params)
{
	struct admin_import *imp = x->sess->import;
	struct json_object *out, *err = NULL, *arr;
	size_t after, next;

	if (imp && imp->expired)
		return admin_error(OB_ERR_NO_IMPORT, "the import was idle for longer than "
				   "login_timeout and was dropped");
	if (!imp || !imp->done)
		return admin_error(OB_ERR_NO_IMPORT, "no import was committed on this connection");
	imp->used = x->d->now();
	if (import_after(params, imp->nfails, &after, &err) < 0)
		return err;
	arr = import_failures_page(imp, after, true, &next);
	out = json_object_new_object();
	if (!arr || !out || admin_set(out, "failures", arr) < 0 ||
	    (next && admin_set_int(out, "next", (int64_t)next) < 0)) {
		if (!out)
			json_object_put(arr);
		json_object_put(out);
		return NULL;
	}
	return varlink_reply_new(out);
}

struct json_object *admin_import_codes(struct admin_ctx *x, struct json_object *params)
{
	struct admin_import *imp = x->sess->import;
	struct json_object *err = NULL, *arr;
	size_t after, i;

	if (imp && imp->expired)
		return admin_error(OB_ERR_NO_IMPORT, "the import was idle for longer than "
				   "login_timeout and was dropped");
	if (!imp || !imp->done || !imp->invite)
		return admin_error(OB_ERR_NO_IMPORT,
				   "no import with invitations was committed on this connection");
	imp->used = x->d->now();
	if (import_after(params, imp->ncodes, &after, &err) < 0)
		return err;
	arr = json_object_new_array();
	for (i = after; arr && i < imp->ncodes && i - after < OB_PAGE_FAILURES_MAX; i++) {
		struct import_code *c = &imp->codes[i];
		struct json_object *o = admin_issued_json(c->username, c->first_name, c->last_name,
							  c->code, c->expires);

		if (!o || json_object_array_add(arr, o) < 0) {
			varlink_wipe(o);
			json_object_put(o);
			break;
		}
		/* Each code is given once. */
		sodium_memzero(c->code, sizeof(c->code));
	}
	return admin_codes_reply(arr, i < imp->ncodes ? json_object_new_int64((int64_t)i) : NULL);
}
