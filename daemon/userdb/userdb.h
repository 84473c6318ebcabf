/* SPDX-License-Identifier: BSD-3-Clause */
/* io.systemd.UserDatabase (issue 12): onboard's people and host groups
 * as Unix users and groups, for nss-systemd and every other client of
 * systemd's User/Group Record Lookup API.  Read-only, from the store.
 *
 * A call is a query with a cursor: userdb_begin checks it, and each
 * userdb_next gives one reply, reading the store a page at a time, so
 * that the event loop sends an enumeration of many people as the client
 * reads it ("continues": true) without building it whole. */
#ifndef OB_USERDB_H
#define OB_USERDB_H

#include <stdbool.h>
#include <json-c/json.h>

#include "daemon.h"

#define USERDB_IFACE "io.systemd.UserDatabase"

/* At start-up, before the store serves: check uid_range against the
 * host's ranges, read the host's files, hand the store its ids and give
 * the people and groups of an older store theirs.  0, or -errno with
 * the reason logged (onboardd does not start). */
int userdb_start(struct daemon *d);
void userdb_stop(struct daemon *d);

struct userdb_query;

/* Begin answering method with params on the socket of service (the
 * basename of its path).  more: the caller accepts several replies.
 * 0 with *out set, or -1 with *err the error reply to send (no query). */
int userdb_begin(struct daemon *d, const char *service, const char *method,
		 struct json_object *params, bool more, struct userdb_query **out,
		 struct json_object **err);
/* The next reply into *reply (an error reply, or one with "continues"
 * set when more follow).  1: more follow; 0: it was the last. */
int userdb_next(struct userdb_query *q, struct json_object **reply);
void userdb_query_free(struct userdb_query *q);

#endif
