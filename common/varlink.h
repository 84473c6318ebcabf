/* SPDX-License-Identifier: BSD-3-Clause */
/* The one varlink codec: NUL-terminated JSON messages, at most
 * OB_MAX_MESSAGE bytes, parsed and built with json-c.  Used by the
 * daemon, the PAM module and onboardctl. */
#ifndef OB_VARLINK_H
#define OB_VARLINK_H

#include <stdbool.h>
#include <stddef.h>
#include <json-c/json.h>

/* A reader's buffer starts at this size and doubles while a message
 * needs more, up to OB_MAX_MESSAGE + 1; it goes back to this size once
 * what it holds fits again.  An idle connection holds 4 KiB, not 64. */
#define VARLINK_READER_MIN 4096

/* Accumulates bytes read from a stream and cuts them into messages. */
struct varlink_reader {
	char *buf;  /* cap bytes, allocated on first use */
	size_t cap; /* VARLINK_READER_MIN .. OB_MAX_MESSAGE + 1 */
	size_t len; /* bytes held */
};

/* Room left in the reader's buffer, and where to write into it: the
 * buffer grows when full and under the cap, so room is 0 only when
 * OB_MAX_MESSAGE + 1 bytes are held.  Returns -ENOMEM when it cannot
 * allocate its buffer. */
int varlink_reader_space(struct varlink_reader *r, char **at, size_t *room);
/* Record that n bytes were written at the position varlink_reader_space
 * gave. */
void varlink_reader_commit(struct varlink_reader *r, size_t n);
/* Take the next complete message out of the reader and parse it.
 * Returns 1 and sets *msg (owned by the caller) when one was taken, 0 when
 * more bytes are needed, -EMSGSIZE when the peer sent more than
 * OB_MAX_MESSAGE bytes without a NUL, -EBADMSG when a message is not a
 * JSON object (or repeats a key, see varlink_parse). The raw bytes are wiped after parsing. */
int varlink_reader_next(struct varlink_reader *r, struct json_object **msg);
/* Whether bytes of an unfinished message are held. */
bool varlink_reader_pending(const struct varlink_reader *r);
/* Wipe and free the buffer. */
void varlink_reader_free(struct varlink_reader *r);

/* Parse exactly one message of len bytes (no NUL inside, none needed at
 * the end).  Returns 0, -EBADMSG (not one JSON object, or an object
 * that repeats a key at any depth), -EMSGSIZE. */
int varlink_parse(const char *data, size_t len, struct json_object **msg);

/* Split a call.  *method points into msg; *params is borrowed from msg
 * (an empty object is attached if the call had none).  Returns -EBADMSG
 * when the method is missing or not a string, parameters not an object,
 * or "more" or "upgrade" not a boolean; -EOPNOTSUPP, with *method,
 * *params and *oneway set, when the call asks for "more" or "upgrade"
 * (which we do not support: answer it with an error). */
int varlink_call_split(struct json_object *msg, const char **method,
		       struct json_object **params, bool *oneway);

/* Split a reply: *error is NULL for a success reply; *params is borrowed
 * (never NULL on success).  Returns -EBADMSG on a malformed reply. */
int varlink_reply_split(struct json_object *msg, const char **error,
			struct json_object **params);

/* Serialise to a freshly allocated buffer ending in the NUL terminator;
 * *len counts the NUL.  Returns 0, -ENOMEM, or -EMSGSIZE when the message
 * would exceed OB_MAX_MESSAGE. json-c's own copy is wiped. */
int varlink_encode(struct json_object *msg, char **out, size_t *len);

/* Build messages.  params is taken over (may be NULL for {}). */
struct json_object *varlink_call_new(const char *method, struct json_object *params);
struct json_object *varlink_reply_new(struct json_object *params);
struct json_object *varlink_error_new(const char *error, struct json_object *params);
/* An error whose parameters are {"message": text}. */
struct json_object *varlink_error_msg(const char *error, const char *text);
/* Add v under obj's key, v taken over: released when it cannot be added,
 * and NULL (it could not be made) counts as out of memory.  0 or -ENOMEM. */
int varlink_set(struct json_object *obj, const char *key, struct json_object *v);

/* Overwrite every string inside obj with zero bytes: used on messages that
 * carried passwords or codes before they are released. */
void varlink_wipe(struct json_object *obj);

/* Typed access to a parameter object.  Each returns 0 when present and of
 * the right type, -ENOENT when absent or null, -EINVAL when of another
 * type or (strings) longer than max bytes or holding a NUL. */
int varlink_get_string(struct json_object *params, const char *key, size_t max,
		       const char **out);
int varlink_get_bool(struct json_object *params, const char *key, bool *out);
/* Integers outside (INT64_MIN, INT64_MAX] are -EINVAL: json-c would clamp
 * them silently. */
int varlink_get_int(struct json_object *params, const char *key, long long *out);

#endif
