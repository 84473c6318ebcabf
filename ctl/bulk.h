/* SPDX-License-Identifier: BSD-3-Clause */
/* Codes given out in bulk (code issue --all-without-email, user import
 * --invite) go to two new files, never to the terminal: FILE, a CSV
 * table (username,first_name,last_name,code,expires), and a printable
 * sheet with one block per person, named FILE with ".csv" replaced by
 * ".txt" (or ".txt" added).  Both are created mode 0600, never over an
 * existing file or through a symbolic link, and synced to disk. */
#ifndef OB_CTL_BULK_H
#define OB_CTL_BULK_H

#include <limits.h>
#include <stddef.h>
#include <json-c/json.h>

enum bulk_kind {
	BULK_ACCESS_CODES,
	BULK_INVITATIONS,
};

struct bulk_files {
	enum bulk_kind kind;
	int csv_fd, sheet_fd;
	char csv_path[PATH_MAX], sheet_path[PATH_MAX];
	size_t count; /* codes written */
};

/* Whether both files could be created: neither exists.  Says why not on
 * stderr.  Returns 0 or -errno. */
int bulk_check(const char *path);

/* Create both files.  Returns 0, or -errno after saying why on stderr
 * (nothing is left behind). */
int bulk_open(struct bulk_files *b, const char *path, enum bulk_kind kind);

/* Write one IssuedCode (username, first_name, last_name, code, expires)
 * to both files; the copies made on the way are wiped.  Returns 0,
 * -EBADMSG for a record that is not one, or -errno of the write. */
int bulk_write(struct bulk_files *b, struct json_object *issued);

/* Sync both files and their directory, and close them.  Returns 0 or
 * -errno (both are closed anyway). */
int bulk_finish(struct bulk_files *b);

/* Close and remove both files: for when no code was issued. */
void bulk_discard(struct bulk_files *b);

#endif
