/* SPDX-License-Identifier: BSD-3-Clause */
/* The records nss-systemd and every other client of systemd's User/Group
 * Record Lookup API read for onboard's people and host groups (issue 12):
 * pure functions of the stored records and the configuration.  Never a
 * secret: no password hash, no "privileged" section, nothing of the
 * authenticator; the store's fields that are not a Unix account's stay
 * out (e-mail, phone, organisation). */
#ifndef OB_USERRECORD_H
#define OB_USERRECORD_H

#include <stdbool.h>
#include <json-c/json.h>

#include "store.h"

/* The service name the records carry ("service" of a user record). */
#define USERRECORD_SERVICE "io.onboard"

/* Whether p has a record at all: a uid, and not in the user bank.  A
 * disabled person has one, locked (userrecord_user). */
bool userrecord_served(const struct person *p);

/* p's user record: userName, uid, gid (= uid: their own group), realName
 * (first and last name; absent when both are empty), homeDirectory
 * /home/NAME, shell, disposition "regular", service, and "locked": true
 * for a disabled person.  NULL when p is not served or memory ran out. */
struct json_object *userrecord_user(const struct person *p, const char *shell);
/* The person's own group: groupName = userName, gid = uid. */
struct json_object *userrecord_group_own(const struct person *p);
/* A host group: groupName, gid; no members (GetMemberships answers for
 * them: a big group would not fit a message).  NULL without a gid. */
struct json_object *userrecord_group_host(const struct group *g);

#endif
