/* SPDX-License-Identifier: BSD-3-Clause */
/* The pieces every administrative call builds its reply from, shared by
 * the admin*.c files: typed members, one-line errors, parameters. */
#ifndef OB_ADMIN_REPLY_H
#define OB_ADMIN_REPLY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <json-c/json.h>

#include "conf.h"
#include "store.h"

/* Longest text parameter read: longer than any field may be, so that the
 * validators, not the codec, explain what is wrong with a long value. */
#define ADMIN_TEXT_MAX 1024
#define ADMIN_WANTS_TEXT "a string of at most 1024 bytes"

/* Add v (released when it cannot be added) under key. 0 or -ENOMEM. */
int admin_set(struct json_object *o, const char *key, struct json_object *v);
int admin_set_string(struct json_object *o, const char *key, const char *s);
int admin_set_int(struct json_object *o, const char *key, int64_t v);
/* Append v (released when it cannot be added; NULL counts as out of
 * memory) to the array arr.  0 or -ENOMEM. */
int admin_append(struct json_object *arr, struct json_object *v);
/* An error reply whose "message" is the formatted line. */
struct json_object *admin_error(const char *error, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* org.varlink.service.InvalidParameter for a missing (r = -ENOENT) or
 * ill-formed parameter; wants says what it must be. */
struct json_object *admin_bad_parameter(const char *name, int r, const char *wants);
/* A success reply {key: val}. */
struct json_object *admin_reply_with(const char *key, struct json_object *val);
/* StorageFull or StorageError for a failed store operation. */
struct json_object *admin_storage_error(enum store_result r, const char *what);
/* The range of uid_range is used up (STORE_NO_ID): one line naming it. */
struct json_object *admin_no_id_error(const struct config *cfg);
/* An IssuedCode of io.onboard.Admin.varlink (wiped when it cannot be
 * made); the caller wipes code. */
struct json_object *admin_issued_json(const char *username, const char *first_name,
				      const char *last_name, const char *code, int64_t expires);
/* A page of codes shown once, {codes: arr, next: next (may be NULL)};
 * takes arr and next over and wipes them when the reply cannot be made. */
struct json_object *admin_codes_reply(struct json_object *arr, struct json_object *next);
/* Whether reply is an error (name NULL: any error; a NULL reply counts
 * as one), or the error name. */
bool admin_is_error(struct json_object *reply, const char *name);
/* The required string parameter key, valid by rule (which returns why
 * not, or NULL): 0, or -errno with *err set to the refusal. */
int admin_get_name(struct json_object *params, const char *key,
		   const char *(*rule)(const char *s), const char **out, struct json_object **err);
/* The "username" parameter, checked: 0, or -errno with *err set. */
int admin_get_username(struct json_object *params, const char **out, struct json_object **err);

#endif
