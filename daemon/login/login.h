/* SPDX-License-Identifier: BSD-3-Clause */
/* The login dialogue (io.onboard.Login) of one connection.  It asks the
 * person for what is missing, one step at a time, and ends with a
 * verdict.  Password hashing runs on the worker pool, so a reply may come
 * after login_call has returned. */
#ifndef OB_LOGIN_H
#define OB_LOGIN_H

#include <stdbool.h>
#include <json-c/json.h>

#include "daemon.h"

struct login;

/* send takes over msg (a complete reply or error message).  It is called
 * from login_call or, after worker jobs, from the worker pool's drain. */
typedef void (*login_send_fn)(void *ctx, struct json_object *msg);

struct login *login_new(struct daemon *d, const struct peer *peer, login_send_fn send, void *ctx);

/* Handle io.onboard.Login.Start or .Answer.  Exactly one reply is sent
 * through send for each call. Returns 0, or -ENOMEM. */
int login_call(struct login *l, const char *method, struct json_object *params);

/* A worker job of this dialogue is in flight: the connection must not
 * read its next call before the reply. */
bool login_busy(const struct login *l);

/* The dialogue has begun and has no verdict yet: the person is being
 * asked, or a job of theirs is in flight.  A daemon that stops lets it
 * finish. */
bool login_under_way(const struct login *l);

/* Release the dialogue.  If a job is in flight it is released when that
 * job finishes, and nothing is sent. Secrets are wiped. */
void login_free(struct login *l);

#endif
