/* SPDX-License-Identifier: BSD-3-Clause */
/* A varlink client over AF_UNIX with a deadline on every reply.  Safe for
 * a PAM module: no threads, no signals (MSG_NOSIGNAL), close-on-exec. */
#ifndef OB_CLIENT_H
#define OB_CLIENT_H

#include <sys/types.h>
#include <json-c/json.h>
#include "varlink.h"

struct client {
	int fd;
	int timeout_ms; /* per reply */
	struct varlink_reader rd;
};

/* Connect to the socket at path within timeout_ms.  Returns 0, or -errno:
 * -ENOENT / -ECONNREFUSED (nobody listening), -ETIMEDOUT, -ENAMETOOLONG. */
int client_connect(struct client *c, const char *path, int timeout_ms);

/* Send one call and wait, at most timeout_ms, for its reply.  On a success
 * reply returns 0 and *reply is the whole reply message (free with
 * json_object_put), *params borrowed from it.  On an error reply returns 1
 * and *error names it (borrowed from *reply).  Returns -ETIMEDOUT,
 * -ECONNRESET (the daemon went away), -EBADMSG (garbage), -EMSGSIZE.
 * The encoded call is wiped after sending. */
int client_call(struct client *c, const char *method, struct json_object *params,
		struct json_object **reply, struct json_object **rparams,
		const char **error);

/* The uid of the process that listens on the other end (SO_PEERCRED):
 * who really serves the socket path.  Returns 0 or -errno. */
int client_peer_uid(const struct client *c, uid_t *uid);

/* Whether the process serving the socket may be trusted: root, or also
 * (pass 0 for root alone).  Whoever answers sees every call and decides
 * what the caller is told, so a process that took over the socket path
 * must not.  Returns 0, -EPERM (*peer says who it is), or -errno. */
int client_served_by(const struct client *c, uid_t also, uid_t *peer);

void client_close(struct client *c);

/* The "message" parameter of an error reply, or a fallback text. */
const char *client_error_message(struct json_object *rparams, const char *error);

#endif
