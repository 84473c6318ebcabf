/* SPDX-License-Identifier: BSD-3-Clause */
/* A CSV reader for spreadsheets saved as CSV, built on libcsv (which
 * does the quoting: RFC 4180 with delimiters, doubled quotes and line
 * breaks inside quoted fields).  It adds what an import needs: the whole
 * file checked as UTF-8 (a BOM is dropped), ',' or ';' found from the
 * header line, the line where each record starts, and limits on size.
 *
 * Not to be confused with libcsv's own <csv.h>: this header is included
 * as "csv.h" from ctl/ only, and no libcsv type appears in it. */
#ifndef OB_CTL_CSV_H
#define OB_CTL_CSV_H

#include <stddef.h>

#define CSV_FILE_MAX (64u * 1024 * 1024) /* bytes of a whole file */
#define CSV_FIELD_MAX 1024               /* bytes of one field */
#define CSV_COLUMNS_MAX 64               /* fields of the header */

struct csv_record {
	unsigned line;    /* where the record starts; the first line is 1 */
	unsigned nfields; /* at least 1, at most the header's */
	char **fields;    /* UTF-8, NUL-terminated, no NUL inside */
};

struct csv_table {
	char delimiter;             /* ',' or ';' */
	size_t nrecords;            /* the header included */
	struct csv_record *records; /* records[0] is the header */
};

/* Why a file was refused: line is 0 when the whole file is meant. */
struct csv_error {
	unsigned line;
	char text[192];
};

/* Parse len bytes of data into t (freed with csv_table_free, also after
 * a failure).  At most max_rows records after the header.  Empty lines
 * are skipped; a record with more fields than the header is refused.
 * Returns 0, -EINVAL (bad input: err says why and where), -EFBIG (over
 * CSV_FILE_MAX or max_rows), -ENOMEM. */
int csv_read(const char *data, size_t len, size_t max_rows, struct csv_table *t,
	     struct csv_error *err);

/* The same for the file at path.  -errno of open/read too, with err. */
int csv_read_file(const char *path, size_t max_rows, struct csv_table *t, struct csv_error *err);

void csv_table_free(struct csv_table *t);

#endif
