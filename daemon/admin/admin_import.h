/* SPDX-License-Identifier: BSD-3-Clause */
/* What the two files of UserImport share (admin_import.c: the import,
 * its memory, its calls and the write; admin_import_rows.c below it:
 * the rows, their checks and the failures).  No other file includes it. */
#ifndef OB_ADMIN_IMPORT_H
#define OB_ADMIN_IMPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <json-c/json.h>

#include "admin_private.h"
#include "code.h"
#include "daemon.h"
#include "store.h"

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

/* The text fields of a row, in the order they are packed. */
enum import_field {
	IMPORT_USERNAME,
	IMPORT_FIRST_NAME,
	IMPORT_LAST_NAME,
	IMPORT_EMAIL,
	IMPORT_PHONE,
	IMPORT_ORG,
	IMPORT_LINK,
	IMPORT_FIELDS
};

/* One row as it arrived, packed: a whole struct person is 1.4 KB, most
 * of it room for what an import never sets (a password hash, a sealed
 * secret, a throttle), so a row holds only its texts, each ended by a
 * NUL, in the order of enum import_field, then its groups and pools: a
 * typical row takes about 100 bytes, and 100,000 rows fit in the
 * default import_memory. */
struct import_row {
	uint32_t row;
	uint32_t bad; /* BAD_* */
	uint8_t role; /* enum person_role */
	uint8_t ngroups, npools;
	uint16_t off[IMPORT_FIELDS]; /* where each field begins in text */
	uint16_t size;               /* bytes of text, counted in imp->bytes */
	char *text;                  /* NULL until the row's fields are taken */
};

/* A field of row r ("" when the row has none). */
const char *import_row_field(const struct import_row *r, enum import_field f);
/* Row r as the person it would add (zeros where an import sets nothing). */
void import_row_person(const struct import_row *r, struct person *p);
/* Drop the rows from n on, their texts wiped and freed. */
void import_rows_truncate(struct admin_import *imp, size_t n);

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

/* What one import may hold: half of import_memory. */
size_t import_own_max(const struct daemon *d);
/* Count more bytes before they are allocated: -EFBIG beyond what one
 * import may hold, -ENOSPC beyond import_memory for all together. */
int import_room(const struct admin_import *imp, size_t more);
/* import_room, then count them.  0 or -errno. */
int import_reserve(struct admin_import *imp, size_t more);
/* Count less bytes, freed. */
void import_release(struct admin_import *imp, size_t less);
/* Room for want rows, counted before it is allocated.  0 or -errno. */
int import_grow_rows(struct admin_import *imp, size_t want);
/* Record a failure; -ENOMEM when it cannot be, -EFBIG or -ENOSPC when
 * a bound of import_memory stops it. */
int import_fail(struct admin_import *imp, uint32_t row, const char *column, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* Take one ImportRow: its own fields checked now.  0, -EINVAL for a row
 * that is no ImportRow, or -errno. */
int import_take_row(struct admin_ctx *x, struct admin_import *imp, struct json_object *row);
/* Every check of the commit; the failures end up in row order.  0,
 * -EIO when the store cannot be read, or -errno. */
int import_check_all(struct admin_ctx *x, struct admin_import *imp);

#endif
