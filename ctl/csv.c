/* SPDX-License-Identifier: BSD-3-Clause */
/* The CSV reader: libcsv parses, this file counts lines and keeps limits.
 *
 * libcsv reports fields and records but not where they are.  So the
 * input goes to it one physical line at a time (a line ends at LF, at
 * CRLF or at a lone CR, which libcsv also takes for the end of a
 * record): a record then starts on the line of the first piece fed to
 * it after the previous record ended that holds more than blanks, and
 * ends within one piece, at its end.  Line breaks inside quoted fields
 * are counted like any other. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <csv.h> /* libcsv */
#ifndef CSV_STRICT
#error "<csv.h> is not libcsv's: do not put ctl/ on the include path"
#endif

#include "csv.h" /* ours, from this directory */
#include "utf8.h"

/* Longest piece handed to libcsv at once: a line without end cannot make
 * its buffer grow far past a field's limit before it is checked. */
#define CSV_PIECE_MAX 4096

struct csv_state {
	struct csv_table *t;
	struct csv_error *err;
	size_t max_rows;
	unsigned line;  /* the line being fed */
	unsigned start; /* where the current record started */
	bool between;   /* no record begun since the last one ended */
	char *text;     /* the current record's fields, each NUL-terminated */
	size_t tlen, tcap;
	unsigned nfields;
	int failed; /* -errno once a callback refused */
};

static void csv_fail(struct csv_state *st, int e, unsigned line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void csv_fail(struct csv_state *st, int e, unsigned line, const char *fmt, ...)
{
	va_list ap;

	if (st->failed)
		return;
	st->failed = e;
	st->err->line = line;
	va_start(ap, fmt);
	vsnprintf(st->err->text, sizeof(st->err->text), fmt, ap);
	va_end(ap);
}

/* Where the line starting at pos ends (just past its end of line, or at
 * most max bytes on); *eol tells whether it ended there. */
static size_t csv_line_end(const char *d, size_t len, size_t pos, size_t max, bool *eol)
{
	size_t lim = len - pos > max ? pos + max : len;

	*eol = false;
	while (pos < lim) {
		char c = d[pos++];

		if (c == '\n' || (c == '\r' && (pos == len || d[pos] != '\n'))) {
			*eol = true;
			break;
		}
	}
	return pos;
}

/* What libcsv skips between records. */
static bool csv_blank(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r' && s[i] != '\n')
			return false;
	return true;
}

/* The whole text first: a spreadsheet's own format or another encoding
 * gets one clear line rather than a parse error further down. */
static int csv_check_text(const char *d, size_t len, struct csv_error *err)
{
	unsigned line = 1;
	size_t pos = 0;
	bool eol;

	if (len >= 2 && (((unsigned char)d[0] == 0xff && (unsigned char)d[1] == 0xfe) ||
			 ((unsigned char)d[0] == 0xfe && (unsigned char)d[1] == 0xff))) {
		err->line = 0;
		snprintf(err->text, sizeof(err->text),
			 "the file is UTF-16: save the spreadsheet as CSV UTF-8");
		return -EINVAL;
	}
	while (pos < len) {
		size_t end = csv_line_end(d, len, pos, len, &eol);

		if (memchr(d + pos, '\0', end - pos)) {
			err->line = line;
			snprintf(err->text, sizeof(err->text),
				 "a NUL byte: this is not a text file (save the spreadsheet as "
				 "CSV UTF-8)");
			return -EINVAL;
		}
		if (!utf8_valid(d + pos, end - pos)) {
			err->line = line;
			snprintf(err->text, sizeof(err->text),
				 "not valid UTF-8 (save the spreadsheet as CSV UTF-8)");
			return -EINVAL;
		}
		pos = end;
		line++;
	}
	return 0;
}

/* ';' when the header line has more semicolons than commas outside
 * quotes (as spreadsheets in locales with a decimal comma write), else
 * ','. */
static char csv_detect(const char *d, size_t len)
{
	size_t commas = 0, semis = 0, i = 0;
	bool quoted = false;

	while (i < len && csv_blank(d + i, 1))
		i++;
	for (; i < len; i++) {
		char c = d[i];

		if (c == '"')
			quoted = !quoted;
		else if (!quoted && (c == '\n' || c == '\r'))
			break;
		else if (!quoted && c == ',')
			commas++;
		else if (!quoted && c == ';')
			semis++;
	}
	return semis > commas ? ';' : ',';
}

static void csv_on_field(void *s, size_t len, void *data)
{
	struct csv_state *st = data;
	const struct csv_table *t = st->t;
	unsigned max = t->nrecords ? t->records[0].nfields : CSV_COLUMNS_MAX;

	if (st->failed)
		return;
	if (st->nfields >= max) {
		if (t->nrecords)
			csv_fail(st, -EINVAL, st->start,
				 "more fields than the header's %u (a field holding '%c' needs "
				 "quotes)", max, t->delimiter);
		else
			csv_fail(st, -EINVAL, st->start, "the header has more than %d columns",
				 CSV_COLUMNS_MAX);
		return;
	}
	if (len > CSV_FIELD_MAX) {
		csv_fail(st, -EINVAL, st->start, "field %u is longer than %d bytes",
			 st->nfields + 1, CSV_FIELD_MAX);
		return;
	}
	if (st->tcap - st->tlen < len + 1) {
		size_t cap = st->tcap ? st->tcap * 2 : 512;
		char *p;

		while (cap - st->tlen < len + 1)
			cap *= 2;
		p = realloc(st->text, cap);
		if (!p) {
			csv_fail(st, -ENOMEM, st->start, "out of memory");
			return;
		}
		st->text = p;
		st->tcap = cap;
	}
	memcpy(st->text + st->tlen, s, len);
	st->text[st->tlen + len] = '\0';
	st->tlen += len + 1;
	st->nfields++;
}

static void csv_on_record(int c, void *data)
{
	struct csv_state *st = data;
	struct csv_table *t = st->t;
	struct csv_record *r;
	char **fields, *text;

	(void)c;
	st->between = true;
	if (st->failed)
		return;
	if (t->nrecords > st->max_rows) {
		csv_fail(st, -EFBIG, st->start, "more than %zu rows after the header: split the file",
			 st->max_rows);
		return;
	}
	if (t->nrecords % 256 == 0) {
		r = reallocarray(t->records, t->nrecords + 256, sizeof(*r));
		if (!r) {
			csv_fail(st, -ENOMEM, st->start, "out of memory");
			return;
		}
		t->records = r;
	}
	/* One allocation: the pointers, then the text they point into. */
	fields = malloc(st->nfields * sizeof(*fields) + st->tlen);
	if (!fields) {
		csv_fail(st, -ENOMEM, st->start, "out of memory");
		return;
	}
	text = (char *)(fields + st->nfields);
	memcpy(text, st->text, st->tlen);
	for (unsigned i = 0; i < st->nfields; i++) {
		fields[i] = text;
		text += strlen(text) + 1;
	}
	r = &t->records[t->nrecords++];
	r->line = st->start;
	r->nfields = st->nfields;
	r->fields = fields;
	st->nfields = 0;
	st->tlen = 0;
}

/* Feed the lines to libcsv.  Returns 0 or the failure in st. */
static int csv_feed(struct csv_parser *p, struct csv_state *st, const char *d, size_t len,
		    size_t pos)
{
	while (pos < len && !st->failed) {
		bool eol;
		size_t end = csv_line_end(d, len, pos, CSV_PIECE_MAX, &eol);

		if (st->between && !csv_blank(d + pos, end - pos)) {
			st->between = false;
			st->start = st->line;
		}
		if (csv_parse(p, d + pos, end - pos, csv_on_field, csv_on_record, st) != end - pos) {
			if (csv_error(p) == CSV_EPARSE)
				csv_fail(st, -EINVAL, st->line,
					 "a quote inside a field that does not start with one, or "
					 "text after a closing quote: quote the whole field and "
					 "double the quotes inside it");
			else
				csv_fail(st, -ENOMEM, st->line, "out of memory");
		}
		/* A field that is still open (a quote never closed) is held in
		 * libcsv's buffer: stop it before it grows past the limit. */
		if (!st->failed && csv_get_buffer_size(p) > CSV_FIELD_MAX + 512)
			csv_fail(st, -EINVAL, st->start,
				 "a field is longer than %d bytes (is a quote left open?)",
				 CSV_FIELD_MAX);
		pos = end;
		if (eol)
			st->line++;
	}
	if (!st->failed && csv_fini(p, csv_on_field, csv_on_record, st) != 0)
		csv_fail(st, -EINVAL, st->start,
			 "a quoted field is not closed by the end of the file");
	return st->failed;
}

int csv_read(const char *data, size_t len, size_t max_rows, struct csv_table *t,
	     struct csv_error *err)
{
	struct csv_state st = { .t = t, .err = err, .max_rows = max_rows, .line = 1,
				.between = true };
	struct csv_parser p;
	size_t pos = 0;
	int r;

	memset(t, 0, sizeof(*t));
	memset(err, 0, sizeof(*err));
	if (len > CSV_FILE_MAX) {
		snprintf(err->text, sizeof(err->text), "larger than %u MiB: split the file",
			 CSV_FILE_MAX / (1024 * 1024));
		return -EFBIG;
	}
	r = csv_check_text(data, len, err);
	if (r < 0)
		return r;
	if (len >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0)
		pos = 3;
	t->delimiter = csv_detect(data + pos, len - pos);
	/* Strict: a quote where none belongs is an error, not a guess. */
	if (csv_init(&p, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL) != 0)
		return -ENOMEM;
	csv_set_delim(&p, (unsigned char)t->delimiter);
	r = csv_feed(&p, &st, data, len, pos);
	csv_free(&p);
	free(st.text);
	if (r == 0 && t->nrecords == 0) {
		snprintf(err->text, sizeof(err->text), "the file is empty: the first line names "
			 "the columns");
		r = -EINVAL;
	}
	return r;
}

int csv_read_file(const char *path, size_t max_rows, struct csv_table *t, struct csv_error *err)
{
	size_t len = 0, cap = 64 * 1024;
	char *buf = NULL, *p;
	struct stat st;
	int fd, r;

	memset(t, 0, sizeof(*t));
	memset(err, 0, sizeof(*err));
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		r = -errno;
		snprintf(err->text, sizeof(err->text), "%s", strerror(-r));
		return r;
	}
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > (off_t)CSV_FILE_MAX) {
		r = -EFBIG;
		snprintf(err->text, sizeof(err->text), "larger than %u MiB: split the file",
			 CSV_FILE_MAX / (1024 * 1024));
		goto out;
	}
	/* Read to the end, whatever size the file claimed (it may be a pipe,
	 * or grow); one byte over the limit is enough to refuse it. */
	for (;;) {
		ssize_t n;

		if (len == cap || !buf) {
			cap = buf ? cap * 2 : cap;
			if (cap > CSV_FILE_MAX + 1)
				cap = CSV_FILE_MAX + 1;
			p = realloc(buf, cap);
			if (!p) {
				r = -ENOMEM;
				snprintf(err->text, sizeof(err->text), "out of memory");
				goto out;
			}
			buf = p;
		}
		n = read(fd, buf + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			r = -errno;
			snprintf(err->text, sizeof(err->text), "%s", strerror(-r));
			goto out;
		}
		if (n == 0)
			break;
		len += (size_t)n;
		if (len > CSV_FILE_MAX) {
			r = -EFBIG;
			snprintf(err->text, sizeof(err->text), "larger than %u MiB: split the file",
				 CSV_FILE_MAX / (1024 * 1024));
			goto out;
		}
	}
	r = csv_read(buf, len, max_rows, t, err);
out:
	close(fd);
	free(buf);
	return r;
}

void csv_table_free(struct csv_table *t)
{
	for (size_t i = 0; i < t->nrecords; i++)
		free(t->records[i].fields);
	free(t->records);
	memset(t, 0, sizeof(*t));
}
