/* SPDX-License-Identifier: BSD-3-Clause */
/* onboardctl user import: people from a spreadsheet saved as CSV.
 *
 * The file is read whole (ctl/csv.c) and its header checked before
 * anything is sent.  The rows then go to onboardd in UserImport batches
 * on one connection, where the import lives, and a last call commits:
 * the daemon checks every row, also against the others, and imports all
 * of them or none.  A refusal is reported row by row as FILE:ROW: COLUMN:
 * REASON; with --invite the invitation codes go to files (ctl/bulk.c). */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bulk.h"
#include "cmd.h"
#include "csv.h"
#include "ob_cleanup.h"
#include "ob_protocol.h"
#include "output.h"
#include "varlink.h"

/* JSON of the rows of one call: far enough under the 64 KiB cap for the
 * rest of the message. */
#define IMPORT_BATCH_BYTES (48 * 1024)
/* The commit checks and writes every row in one go. */
#define IMPORT_COMMIT_TIMEOUT_MS 120000
#define IMPORT_BAR_WIDTH 30

enum import_col {
	COL_USERNAME,
	COL_FIRST_NAME,
	COL_LAST_NAME,
	COL_EMAIL,
	COL_PHONE,
	COL_ROLE,
	COL_ORG,
	COL_GROUPS,
	COL_POOLS,
	COL_LINK,
	COL_COUNT,
	COL_NONE = -1, /* a column without a name: it must stay empty */
};

/* The ImportRow field of each column, also the column's own name. */
static const char *const import_keys[COL_COUNT] = {
	"username", "first_name", "last_name", "email", "phone",
	"role",     "org",        "groups",    "pools", "link",
};

/* Other names spreadsheets use, after import_normalise. */
static const struct {
	const char *name;
	enum import_col col;
} import_aliases[] = {
	{ "firstname", COL_FIRST_NAME }, { "lastname", COL_LAST_NAME }, { "mobile", COL_PHONE },
	{ "e_mail", COL_EMAIL },
};

struct import {
	struct ctl *c;
	const char *path; /* as given: it starts every line of the report */
	struct csv_table t;
	int map[CSV_COLUMNS_MAX]; /* the header's columns: enum import_col */
	size_t rows;              /* rows to send: those with a value */
	bool progress, bar_open; /* a bar on a terminal; drawn, not yet ended */
	struct client cl;
	bool connected;
	bool files_kept; /* the code files hold an import's codes */
	/* The ImportRow of each record that has values, built while checking
	 * and taken when sending, with its size as sent. */
	struct json_object **built;
	size_t *bytes;
};

/* "FILE:LINE: text", or "FILE: text" for line 0, on stderr. */
static void import_say(const struct import *imp, unsigned line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void import_say(const struct import *imp, unsigned line, const char *fmt, ...)
{
	char text[OB_TEXT_MAX], clean[OB_TEXT_MAX], path[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	output_sanitize(imp->path, path, sizeof(path));
	if (line)
		fprintf(stderr, "%s:%u: %s\n", path, line, output_sanitize(text, clean, sizeof(clean)));
	else
		fprintf(stderr, "%s: %s\n", path, output_sanitize(text, clean, sizeof(clean)));
}

/* ------------------------------------------------------------- header */

/* A header name as compared: blanks trimmed, ASCII lower case, ' ' and
 * '-' as '_'. */
static void import_normalise(const char *s, char *out, size_t size)
{
	size_t n = 0, len;

	while (*s == ' ' || *s == '\t')
		s++;
	len = strlen(s);
	while (len && (s[len - 1] == ' ' || s[len - 1] == '\t'))
		len--;
	for (size_t i = 0; i < len && n + 1 < size; i++) {
		char ch = s[i];

		if (ch >= 'A' && ch <= 'Z')
			ch = (char)(ch - 'A' + 'a');
		else if (ch == ' ' || ch == '-')
			ch = '_';
		out[n++] = ch;
	}
	out[n] = '\0';
}

static int import_column(const char *name)
{
	for (int i = 0; i < COL_COUNT; i++)
		if (strcmp(name, import_keys[i]) == 0)
			return i;
	for (size_t i = 0; i < OB_ARRAY_SIZE(import_aliases); i++)
		if (strcmp(name, import_aliases[i].name) == 0)
			return (int)import_aliases[i].col;
	return -2;
}

/* Map the header's columns.  Returns the number of problems, each said. */
static int import_header(struct import *imp)
{
	const struct csv_record *h = &imp->t.records[0];
	bool seen[COL_COUNT] = { false };
	int problems = 0;
	char name[CSV_FIELD_MAX + 1];

	for (unsigned i = 0; i < h->nfields; i++) {
		int col;

		import_normalise(h->fields[i], name, sizeof(name));
		if (!name[0]) {
			imp->map[i] = COL_NONE;
			continue;
		}
		col = import_column(name);
		if (col < 0) {
			import_say(imp, h->line, "unknown column '%s' (the columns are username, "
				   "first_name, last_name, email, phone, role, org, groups, pools, "
				   "link)", h->fields[i]);
			problems++;
		} else if (seen[col]) {
			import_say(imp, h->line, "column '%s' is there twice", import_keys[col]);
			problems++;
		}
		imp->map[i] = col < 0 ? COL_NONE : col;
		if (col >= 0)
			seen[col] = true;
	}
	for (int col = COL_USERNAME; col <= COL_LAST_NAME; col++) {
		if (!seen[col]) {
			import_say(imp, h->line, "the column '%s' is missing", import_keys[col]);
			problems++;
		}
	}
	return problems;
}

/* --------------------------------------------------------------- rows */

/* Whether record i holds any value in a named column. */
static bool import_has_values(const struct import *imp, size_t i)
{
	const struct csv_record *r = &imp->t.records[i];

	for (unsigned j = 0; j < r->nfields; j++)
		if (imp->map[j] != COL_NONE && r->fields[j][0])
			return true;
	return false;
}

/* A list cell: names separated by blanks, '|', ',' or ';'. */
static struct json_object *import_list(const char *s)
{
	static const char sep[] = " \t|,;";
	struct json_object *arr = json_object_new_array();

	while (arr && *s) {
		size_t len;

		s += strspn(s, sep);
		len = strcspn(s, sep);
		if (len) {
			struct json_object *o = json_object_new_string_len(s, (int)len);

			if (!o || json_object_array_add(arr, o) < 0) {
				json_object_put(o);
				json_object_put(arr);
				return NULL;
			}
		}
		s += len;
	}
	return arr;
}

/* The ImportRow of record i, or NULL when out of memory. */
static struct json_object *import_row(const struct import *imp, size_t i)
{
	const struct csv_record *r = &imp->t.records[i];
	struct json_object *o = json_object_new_object();

	if (!o || ctl_add(o, "row", json_object_new_int64(r->line)) < 0)
		goto oom;
	for (unsigned j = 0; j < r->nfields; j++) {
		int col = imp->map[j];
		const char *v = r->fields[j];

		if (col == COL_NONE || !v[0])
			continue;
		if (col == COL_GROUPS || col == COL_POOLS) {
			if (ctl_add(o, import_keys[col], import_list(v)) < 0)
				goto oom;
		} else if (ctl_add_string(o, import_keys[col], v) < 0) {
			goto oom;
		}
	}
	return o;
oom:
	json_object_put(o);
	return NULL;
}

/* The size of a row's JSON as it will be sent. */
static size_t import_row_bytes(struct json_object *o)
{
	size_t n = 0;

	json_object_to_json_string_length(o, JSON_C_TO_STRING_PLAIN, &n);
	return n + 1;
}

/* Everything the client can find before sending: values in a column
 * without a name and rows too large to send.  Counts the rows to send.
 * Returns the number of problems (each said), or -ENOMEM. */
static int import_check_rows(struct import *imp)
{
	int problems = 0;

	imp->built = calloc(imp->t.nrecords, sizeof(*imp->built));
	imp->bytes = calloc(imp->t.nrecords, sizeof(*imp->bytes));
	if (!imp->built || !imp->bytes)
		return -ENOMEM;
	for (size_t i = 1; i < imp->t.nrecords; i++) {
		const struct csv_record *r = &imp->t.records[i];
		struct json_object *o;

		for (unsigned j = 0; j < r->nfields; j++) {
			if (imp->map[j] == COL_NONE && r->fields[j][0]) {
				import_say(imp, r->line, "column %u holds a value but has no name "
					   "in the header", j + 1);
				problems++;
			}
		}
		if (!import_has_values(imp, i))
			continue;
		imp->rows++;
		o = import_row(imp, i);
		if (!o)
			return -ENOMEM;
		imp->built[i] = o;
		imp->bytes[i] = import_row_bytes(o);
		if (imp->bytes[i] > IMPORT_BATCH_BYTES) {
			import_say(imp, r->line, "the row is too large to send");
			problems++;
		}
	}
	return problems;
}

/* ------------------------------------------------------------ sending */

static void import_progress(struct import *imp, size_t done)
{
	char bar[IMPORT_BAR_WIDTH + 1];
	size_t full = imp->rows ? done * IMPORT_BAR_WIDTH / imp->rows : IMPORT_BAR_WIDTH;

	if (!imp->progress)
		return;
	memset(bar, '#', full);
	memset(bar + full, '.', IMPORT_BAR_WIDTH - full);
	bar[IMPORT_BAR_WIDTH] = '\0';
	fprintf(stderr, "\rimporting [%s] %zu/%zu", bar, done, imp->rows);
	fflush(stderr);
	imp->bar_open = true;
}

/* End the bar's line, before anything else goes to stderr. */
static void import_progress_end(struct import *imp)
{
	if (imp->bar_open)
		fputc('\n', stderr);
	imp->bar_open = false;
}

/* One UserImport call: the batch (taken over), the import's options on
 * the first call, commit on the last.  Returns the exit status; on
 * commit, *reply holds the reply. */
static int import_send(struct import *imp, struct json_object *batch, bool first, bool commit,
		       struct json_object **reply, struct json_object **rparams)
{
	struct ctl *c = imp->c;
	struct json_object *p = json_object_new_object();
	int r;

	if (!p || ctl_add(p, "rows", batch) < 0 ||
	    (first && c->opt[OPT_ORG] && ctl_add_string(p, "org", c->opt[OPT_ORG]) < 0) ||
	    (first && c->opt[OPT_INVITE] && ctl_add(p, "invite", json_object_new_boolean(1)) < 0) ||
	    (first && c->opt[OPT_DRY_RUN] &&
	     ctl_add(p, "dry_run", json_object_new_boolean(1)) < 0) ||
	    (commit && ctl_add(p, "commit", json_object_new_boolean(1)) < 0)) {
		if (!p)
			json_object_put(batch);
		json_object_put(p);
		return ctl_oom();
	}
	if (commit)
		imp->cl.timeout_ms = IMPORT_COMMIT_TIMEOUT_MS;
	r = ctl_call_on(c, &imp->cl, OB_ADMIN_USER_IMPORT, p, reply, rparams);
	imp->cl.timeout_ms = CTL_TIMEOUT_MS;
	if (r == CTL_EXIT_OK && !commit) {
		ctl_release(*reply);
		*reply = NULL;
	}
	return r;
}

/* Send every row in batches and commit.  Returns the exit status, with
 * the commit's reply in *reply. */
static int import_send_all(struct import *imp, struct json_object **reply,
			   struct json_object **rparams)
{
	struct json_object *batch = NULL;
	size_t bytes = 0, done = 0, n = 0;
	bool first = true;
	int r;

	for (size_t i = 1; i < imp->t.nrecords; i++) {
		struct json_object *o = imp->built[i];
		size_t size = imp->bytes[i];

		if (!o)
			continue;
		imp->built[i] = NULL;
		if (batch && (n == OB_IMPORT_BATCH_MAX || bytes + size > IMPORT_BATCH_BYTES)) {
			import_progress(imp, done);
			r = import_send(imp, batch, first, false, reply, rparams);
			batch = NULL;
			if (r != CTL_EXIT_OK) {
				json_object_put(o);
				return r;
			}
			done += n;
			first = false;
		}
		if (!batch) {
			batch = json_object_new_array();
			bytes = 0;
			n = 0;
		}
		if (!batch || json_object_array_add(batch, o) < 0) {
			json_object_put(o);
			goto oom;
		}
		bytes += size;
		n++;
	}
	if (!batch)
		batch = json_object_new_array();
	if (!batch)
		goto oom;
	r = import_send(imp, batch, first, true, reply, rparams);
	if (r == CTL_EXIT_OK)
		import_progress(imp, done + n);
	return r;
oom:
	json_object_put(batch);
	return ctl_oom();
}

/* ------------------------------------------------------------ replies */

static int64_t import_int(struct json_object *o, const char *key, int64_t dflt)
{
	long long v;

	return varlink_get_int(o, key, &v) == 0 ? (int64_t)v : dflt;
}

/* Every failure of a refused commit: those of its reply, then the pages
 * of UserImportFailures.  Returns the exit status. */
static int import_failures(struct import *imp, struct json_object *rparams,
			   struct json_object *all)
{
	int64_t total = import_int(rparams, "failures_total", 0);
	long got = ctl_list_take(all, rparams, "failures");
	size_t have = got > 0 ? (size_t)got : 0;

	while (got >= 0 && (int64_t)have < total) {
		struct json_object *p = json_object_new_object(), *reply, *rp;
		int r;

		if (!p || ctl_add(p, "after", json_object_new_int64((int64_t)have)) < 0) {
			json_object_put(p);
			return ctl_oom();
		}
		r = ctl_call_on(imp->c, &imp->cl, OB_ADMIN_USER_IMPORT_FAILURES, p, &reply, &rp);
		if (r != CTL_EXIT_OK)
			return r;
		got = ctl_list_take(all, rp, "failures");
		/* Failures hold no secret, and all shares them: no wiping. */
		json_object_put(reply);
		if (got == 0)
			break;
		if (got > 0)
			have += (size_t)got;
	}
	if (got == -ENOMEM)
		return ctl_oom();
	if (got < 0) {
		ctl_error(CTL_ERR_BAD_REPLY, "onboardd sent a list of failures that is not valid");
		return CTL_EXIT_REFUSED;
	}
	return CTL_EXIT_OK;
}

/* FILE:ROW: COLUMN: REASON for each; the number of rows named. */
static size_t import_report(const struct import *imp, struct json_object *all)
{
	size_t n = json_object_array_length(all), rows = 0;
	int64_t last = -1;

	for (size_t i = 0; i < n; i++) {
		struct json_object *f = json_object_array_get_idx(all, i);
		const char *column, *reason;
		int64_t row = import_int(f, "row", 0);

		if (varlink_get_string(f, "column", OB_TEXT_MAX, &column) < 0)
			column = "";
		if (varlink_get_string(f, "reason", OB_TEXT_MAX, &reason) < 0)
			reason = "(no reason given)";
		if (row != last)
			rows++;
		last = row;
		if (column[0])
			import_say(imp, row > 0 && row <= UINT32_MAX ? (unsigned)row : 0, "%s: %s",
				   column, reason);
		else
			import_say(imp, row > 0 && row <= UINT32_MAX ? (unsigned)row : 0, "%s",
				   reason);
	}
	return rows;
}

/* The invitation codes of a committed import, every page, into files.
 * Returns the exit status. */
static int import_codes(struct import *imp, struct bulk_files *b)
{
	int64_t after = 0;

	for (;;) {
		struct json_object *p = json_object_new_object(), *reply, *rp, *codes;
		int64_t next;
		size_t n;
		int r;

		if (!p || ctl_add(p, "after", json_object_new_int64(after)) < 0) {
			json_object_put(p);
			return ctl_oom();
		}
		r = ctl_call_on(imp->c, &imp->cl, OB_ADMIN_USER_IMPORT_CODES, p, &reply, &rp);
		if (r != CTL_EXIT_OK)
			return r;
		if (!json_object_object_get_ex(rp, "codes", &codes) ||
		    !json_object_is_type(codes, json_type_array))
			r = -EBADMSG;
		n = r == 0 ? json_object_array_length(codes) : 0;
		for (size_t i = 0; r == 0 && i < n; i++)
			r = bulk_write(b, json_object_array_get_idx(codes, i));
		next = import_int(rp, "next", -1);
		ctl_release(reply);
		if (r == -EBADMSG) {
			ctl_error(CTL_ERR_BAD_REPLY, "onboardd sent invitation codes that are not valid");
			return CTL_EXIT_REFUSED;
		}
		if (r < 0) {
			ctl_error(CTL_ERR_LOCAL, "cannot write %s: %s; send the invitations that are "
				  "missing from it again with 'invite send'", b->csv_path,
				  strerror(-r));
			return CTL_EXIT_REFUSED;
		}
		/* Codes are given once: a next that does not move on is the end. */
		if (next <= after)
			return CTL_EXIT_OK;
		after = next;
	}
}

/* ------------------------------------------------------------ summary */

static int import_summary(struct import *imp, struct json_object *rparams,
			  struct json_object *failures, size_t bad_rows,
			  const struct bulk_files *b)
{
	const struct ctl *c = imp->c;
	int64_t imported = import_int(rparams, "imported", -1);
	bool dry = c->opt[OPT_DRY_RUN] != NULL;
	char path[1024];
	int r;

	output_sanitize(imp->path, path, sizeof(path));
	if (c->json) {
		struct json_object *doc = json_object_new_object();

		if (!doc || ctl_add_string(doc, "file", imp->path) < 0 ||
		    ctl_add(doc, "rows", json_object_new_int64((int64_t)imp->rows)) < 0 ||
		    ctl_add(doc, "dry_run", json_object_new_boolean(dry)) < 0 ||
		    ctl_add(doc, "imported", json_object_new_int64(imported < 0 ? 0 : imported)) < 0 ||
		    ctl_add(doc, "failures", json_object_get(failures)) < 0 ||
		    ctl_add(doc, "failures_total",
			    json_object_new_int64((int64_t)json_object_array_length(failures))) < 0 ||
		    (b && (ctl_add(doc, "invitations", json_object_new_int64((int64_t)b->count)) < 0 ||
			   ctl_add_string(doc, "output", b->csv_path) < 0 ||
			   ctl_add_string(doc, "sheet", b->sheet_path) < 0))) {
			json_object_put(doc);
			return ctl_oom();
		}
		r = output_json(doc);
		json_object_put(doc);
	} else if (bad_rows) {
		r = output_line("%s: %zu row%s %s errors, nothing imported", dry ? "dry run" : "refused",
				bad_rows, bad_rows == 1 ? "" : "s", bad_rows == 1 ? "has" : "have");
	} else if (dry) {
		r = output_line("dry run: %zu row%s checked, nothing imported", imp->rows,
				imp->rows == 1 ? "" : "s");
	} else if (b) {
		r = output_line("imported %" PRId64 " %s from %s; invitation codes: %s, %s", imported,
				imported == 1 ? "person" : "people", path, b->csv_path, b->sheet_path);
	} else {
		r = output_line("imported %" PRId64 " %s from %s", imported,
				imported == 1 ? "person" : "people", path);
	}
	r = r < 0 ? r : output_finish();
	if (ctl_output_done(r) != CTL_EXIT_OK)
		return CTL_EXIT_REFUSED;
	return bad_rows ? CTL_EXIT_REFUSED : CTL_EXIT_OK;
}

/* --------------------------------------------------------------- main */

/* Options that do not fit together, said as usage errors. */
static int import_usage(const struct ctl *c)
{
	if (c->opt[OPT_OUTPUT] && !c->opt[OPT_INVITE]) {
		ctl_usage_error("user import: --output goes with --invite");
		return CTL_EXIT_USAGE;
	}
	if (c->opt[OPT_INVITE] && (!c->opt[OPT_OUTPUT] || !c->opt[OPT_OUTPUT][0]) &&
	    !c->opt[OPT_DRY_RUN]) {
		ctl_usage_error("user import --invite: --output FILE is required (the invitation "
				"codes go to files, never to the terminal)");
		return CTL_EXIT_USAGE;
	}
	return CTL_EXIT_OK;
}

/* Read and check the file.  Returns the exit status. */
static int import_read(struct import *imp)
{
	struct csv_error err;
	int r = csv_read_file(imp->path, OB_IMPORT_ROWS_MAX, &imp->t, &err);

	if (r == -ENOMEM)
		return ctl_oom();
	if (r < 0) {
		import_say(imp, err.line, "%s", err.text);
		return CTL_EXIT_REFUSED;
	}
	r = import_header(imp);
	if (r == 0)
		r = import_check_rows(imp);
	if (r == -ENOMEM)
		return ctl_oom();
	if (r > 0) {
		ctl_error(CTL_ERR_LOCAL, "nothing was sent: correct the file and import it again");
		return CTL_EXIT_REFUSED;
	}
	if (imp->rows == 0) {
		import_say(imp, 0, "no rows to import after the header");
		return CTL_EXIT_REFUSED;
	}
	return CTL_EXIT_OK;
}

/* The import itself, on one connection.  Returns the exit status. */
static int import_run(struct import *imp, struct bulk_files *b)
{
	struct json_object *reply = NULL, *rparams = NULL, *failures;
	size_t bad_rows = 0;
	int r;

	failures = json_object_new_array();
	if (!failures)
		return ctl_oom();
	r = ctl_connect(imp->c, &imp->cl);
	imp->connected = r == CTL_EXIT_OK;
	if (r == CTL_EXIT_OK) {
		import_progress(imp, 0);
		r = import_send_all(imp, &reply, &rparams);
		import_progress_end(imp);
	}
	if (r == CTL_EXIT_OK && import_int(rparams, "failures_total", 0) > 0) {
		r = import_failures(imp, rparams, failures);
		bad_rows = import_report(imp, failures);
		/* A refusal the daemon counted without naming rows still is one. */
		if (bad_rows == 0)
			bad_rows = 1;
	} else if (r == CTL_EXIT_OK && import_int(rparams, "imported", -1) < 0 &&
		   !imp->c->opt[OPT_DRY_RUN]) {
		ctl_error(CTL_ERR_BAD_REPLY, "onboardd neither imported nor refused the rows");
		r = CTL_EXIT_REFUSED;
	}
	if (r == CTL_EXIT_OK && b && !bad_rows) {
		/* The people are in: whatever comes, the codes stay on disk. */
		imp->files_kept = true;
		r = import_codes(imp, b);
		if (bulk_finish(b) < 0 && r == CTL_EXIT_OK)
			r = CTL_EXIT_REFUSED;
		if (r == CTL_EXIT_OK &&
		    (int64_t)b->count < import_int(rparams, "imported", 0))
			ctl_error(CTL_ERR_LOCAL, "%" PRId64 " invitation codes did not reach "
				  "the code files: send theirs again with 'onboardctl invite send "
				  "USERNAME'",
				  import_int(rparams, "imported", 0) - (int64_t)b->count);
	}
	if (r == CTL_EXIT_OK || bad_rows)
		r = import_summary(imp, rparams, failures, bad_rows, b && !bad_rows ? b : NULL);
	ctl_release(reply);
	json_object_put(failures);
	return r;
}

int cmd_user_import(struct ctl *c)
{
	struct import imp = { .c = c, .path = c->arg[0] };
	struct bulk_files b;
	bool codes = c->opt[OPT_INVITE] && !c->opt[OPT_DRY_RUN];
	int r;

	r = import_usage(c);
	if (r != CTL_EXIT_OK)
		return r;
	r = import_read(&imp);
	if (r != CTL_EXIT_OK)
		goto out;
	/* The code files exist before any row is sent, or nothing is. */
	if (c->opt[OPT_INVITE] && c->opt[OPT_OUTPUT] && c->opt[OPT_OUTPUT][0]) {
		if ((codes ? bulk_open(&b, c->opt[OPT_OUTPUT], BULK_INVITATIONS)
			   : bulk_check(c->opt[OPT_OUTPUT])) < 0) {
			r = CTL_EXIT_REFUSED;
			goto out;
		}
	}
	imp.progress = isatty(STDERR_FILENO);
	r = import_run(&imp, codes ? &b : NULL);
	/* Nothing was imported: the files hold no code. */
	if (codes && !imp.files_kept)
		bulk_discard(&b);
out:
	if (imp.connected)
		client_close(&imp.cl);
	for (size_t i = 0; imp.built && i < imp.t.nrecords; i++)
		json_object_put(imp.built[i]);
	free(imp.built);
	free(imp.bytes);
	csv_table_free(&imp.t);
	return r;
}
