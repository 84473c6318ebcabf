/* SPDX-License-Identifier: BSD-3-Clause */
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
#include "admin_import.h"
#include "admin_private.h"
#include "admin_reply.h"
#include "keys.h"
#include "log.h"
#include "ob_cleanup.h"
#include "ob_json.h"
#include "ob_protocol.h"
#include "store_record.h"
#include "validate.h"
#include "varlink.h"

/* The rows are wiped: they hold people's names and addresses. */
static void import_drop_rows(struct admin_import *imp)
{
	size_t n = imp->n;

	/* The rows' texts go; their count stays for the replies. */
	import_rows_truncate(imp, 0);
	imp->n = n;
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
		const struct import_row *r = &imp->rows[i];

		code_generate(plain);
		keys_code_hash(&x->d->keys, plain, hashes + i * CODE_HASH_BYTES);
		/* Freshly generated codes are canonical: formatting cannot fail. */
		if (code_format(plain, c->code) < 0)
			c->code[0] = '\0';
		OB_WIPE(plain);
		snprintf(c->username, sizeof(c->username), "%s", import_row_field(r, IMPORT_USERNAME));
		snprintf(c->first_name, sizeof(c->first_name), "%s",
			 import_row_field(r, IMPORT_FIRST_NAME));
		snprintf(c->last_name, sizeof(c->last_name), "%s", import_row_field(r, IMPORT_LAST_NAME));
		c->expires = x->d->now() + x->d->cfg.invitation_lifetime;
	}
	imp->ncodes = imp->n;
	return 0;
}

static enum store_result import_write(struct admin_ctx *x, struct admin_import *imp)
{
	struct person_change *c = calloc(imp->n + 1, sizeof(*c));
	/* The rows as whole records, for the length of the write only. */
	struct person *people = calloc(imp->n + 1, sizeof(*people));
	uint8_t *hashes = imp->invite ? calloc(imp->n + 1, CODE_HASH_BYTES) : NULL;
	struct store_failure fail;
	struct audit_event ev;
	struct audit_bounds ab;
	enum store_result r;
	int64_t now = x->d->now();

	if (!c || !people || (imp->invite && (!hashes || import_draw_codes(x, imp, hashes) < 0))) {
		free(c);
		free(people);
		free(hashes);
		return STORE_UNAVAILABLE;
	}
	for (size_t i = 0; i < imp->n; i++) {
		import_row_person(&imp->rows[i], &people[i]);
		people[i].created = now;
		people[i].updated = now;
		c[i] = (struct person_change){
			.op = PERSON_CREATE,
			.p = &people[i],
			.invite_hash = hashes ? hashes + i * CODE_HASH_BYTES : NULL,
			.invite_expires = now + x->d->cfg.invitation_lifetime,
		};
	}
	/* The people and the event that records their import, in one
	 * transaction. */
	audit_admin_fill(x->d, &ev, x->uid, x->a.username, NULL, imp->org, "user.import", "ok",
			 "%zu people%s", imp->n, imp->invite ? ", each invited" : "");
	r = store_people_write_audited(x->d->store, c, imp->n, &fail, &ev,
				       audit_bounds(x->d, now, &ab));
	free(c);
	sodium_memzero(people, imp->n * sizeof(*people));
	free(people);
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
	_cleanup_json_ struct json_object *out = json_object_new_object();
	size_t next;

	if (!out || admin_set_int(out, "received", (int64_t)imp->n) < 0 ||
	    admin_set(out, "dry_run", json_object_new_boolean(imp->dry_run)) < 0 ||
	    (committed && (admin_set_int(out, "imported", (int64_t)imported) < 0 ||
			   admin_set_int(out, "failures_total", (int64_t)imp->nfails) < 0 ||
			   admin_set(out, "failures", import_failures_page(imp, 0, false, &next)) < 0)))
		return NULL;
	return varlink_reply_new(ob_json_take(&out));
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
	import_rows_truncate(imp, n0);
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
	char who[OB_USERNAME_MAX + 16];
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
	if (r == STORE_NO_ID)
		return admin_no_id_error(&x->d->cfg);
	if (r == STORE_FULL || r == STORE_UNAVAILABLE)
		return admin_storage_error(r, "import the people");
	if (r != STORE_OK)
		return import_reply(imp, true, 0);
	/* One line for the whole import; its audit event went in with it. */
	if (x->a.username[0])
		snprintf(who, sizeof(who), "%s", x->a.username);
	else
		snprintf(who, sizeof(who), "uid %lld", (long long)x->uid);
	log_info("admin: %s imported %zu people into %s%s", who, imp->n, imp->org,
		 imp->invite ? ", each with an invitation" : "");
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
		OB_WIPE(c->code);
	}
	return admin_codes_reply(arr, i < imp->ncodes ? json_object_new_int64((int64_t)i) : NULL);
}
