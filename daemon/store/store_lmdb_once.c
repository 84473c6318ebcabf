/* SPDX-License-Identifier: BSD-3-Clause */
/* The LMDB backend's reads for a login's step in one transaction
 * (issue 11): the person with their access code and invitation, which a
 * login's Start read in three transactions before. */
#include "config.h"

#include <string.h>

#include "store_lmdb_private.h"

enum store_result store_person_get_secrets(struct store *st, const char *username,
					   struct person *out, struct access_code *code,
					   enum store_result *code_r, struct invitation *invite,
					   enum store_result *invite_r)
{
	enum store_result r;
	MDB_txn *txn;
	MDB_val k;

	memset(out, 0, sizeof(*out));
	memset(code, 0, sizeof(*code));
	memset(invite, 0, sizeof(*invite));
	*code_r = *invite_r = STORE_NOT_FOUND;
	r = store_person_begin(st, MDB_RDONLY, username, &k, &txn, out, "get person");
	if (r != STORE_OK)
		return r;
	*code_r = store_rec_read(st, txn, &store_codes_kind, &k, code);
	*invite_r = store_rec_read(st, txn, &store_invites_kind, &k, invite);
	mdb_txn_abort(txn);
	/* Only what was read whole is handed out. */
	if (*code_r != STORE_OK)
		memset(code, 0, sizeof(*code));
	if (*invite_r != STORE_OK)
		memset(invite, 0, sizeof(*invite));
	return r;
}
