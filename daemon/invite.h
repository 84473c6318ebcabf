/* Invitations, the administrators' side: io.onboard.Admin.InviteSend,
 * InviteRevoke and InviteList, and the invitation UserAdd sends.  (The
 * person's side is in login.c: the invitation code at the login prompt.) */
#ifndef OB_INVITE_H
#define OB_INVITE_H

#include <json-c/json.h>

#include "daemon.h"

struct admin_ctx;

struct json_object *invite_send(struct admin_ctx *x, struct json_object *params);
struct json_object *invite_revoke(struct admin_ctx *x, struct json_object *params);
struct json_object *invite_list(struct admin_ctx *x, struct json_object *params);

/* The reply of UserAdd with invite = true, for p just created: person
 * (taken over; NULL means memory ran out), and the invitation issued now
 * with its code(s).  When the invitation cannot be stored the person
 * stays added and the error says so. */
struct json_object *invite_user_added(struct admin_ctx *x, const struct person *p,
				      struct json_object *person);

#endif
