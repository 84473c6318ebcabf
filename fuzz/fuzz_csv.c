/* SPDX-License-Identifier: BSD-3-Clause */
/* onboardctl's CSV reader against arbitrary bytes: what it accepts keeps
 * its promises (fields within the limits, UTF-8, no more than the
 * header's, records in line order within the file); what it refuses has
 * a reason and a line that exists. */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../ctl/csv.h"
#include "utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_ROWS_MAX 200

/* The last line number the reader could name. */
static unsigned fuzz_lines(const char *d, size_t len)
{
	unsigned lines = 1;

	for (size_t i = 0; i < len; i++)
		if (d[i] == '\n' || (d[i] == '\r' && (i + 1 == len || d[i + 1] != '\n')))
			lines++;
	return lines;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *d = (const char *)data;
	unsigned lines = fuzz_lines(d, size), last = 0;
	struct csv_table t;
	struct csv_error err;
	int r = csv_read(d, size, FUZZ_ROWS_MAX, &t, &err);

	if (r < 0) {
		if (r != -EINVAL && r != -EFBIG && r != -ENOMEM)
			abort();
		if (!err.text[0] || !memchr(err.text, '\0', sizeof(err.text)) || err.line > lines)
			abort();
		csv_table_free(&t);
		return 0;
	}
	if (r != 0 || t.nrecords < 1 || t.nrecords > FUZZ_ROWS_MAX + 1)
		abort();
	if (t.delimiter != ',' && t.delimiter != ';')
		abort();
	if (t.records[0].nfields < 1 || t.records[0].nfields > CSV_COLUMNS_MAX)
		abort();
	for (size_t i = 0; i < t.nrecords; i++) {
		const struct csv_record *rec = &t.records[i];

		if (rec->line <= last || rec->line > lines)
			abort();
		last = rec->line;
		if (rec->nfields < 1 || rec->nfields > t.records[0].nfields)
			abort();
		for (unsigned f = 0; f < rec->nfields; f++) {
			size_t n = strlen(rec->fields[f]);

			if (n > CSV_FIELD_MAX || !utf8_valid(rec->fields[f], n))
				abort();
		}
	}
	csv_table_free(&t);
	return 0;
}
