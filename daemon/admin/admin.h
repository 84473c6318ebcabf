/* SPDX-License-Identifier: BSD-3-Clause */
/* io.onboard.Admin, the public side of the administration room: what
 * the event loop (server.c) calls.  The room's files (admin*.c) share
 * admin_private.h, which no other part includes. */
#ifndef OB_ADMIN_H
#define OB_ADMIN_H

#include <json-c/json.h>

#include "daemon.h"

struct admin_session;

/* Answer one io.onboard.Admin call.  Returns a complete reply or error
 * message (never NULL but on memory exhaustion).  *sess is the
 * connection's administrative state (an import under way), created on
 * the first call; free it with admin_session_free when the connection
 * closes. */
struct json_object *admin_call(struct daemon *d, const struct peer *peer,
			       struct admin_session **sess, const char *method,
			       struct json_object *params);
void admin_session_free(struct admin_session *s);
/* Drop what imports untouched for login_timeout hold (their sessions
 * learn it at their next call); called from the event loop. */
void admin_import_sweep(struct daemon *d);

#endif
