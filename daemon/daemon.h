/* What the parts of onboardd share: the configuration, the store, the
 * secret keys, the worker pool and the clock. */
#ifndef OB_DAEMON_H
#define OB_DAEMON_H

#include <stdint.h>
#include <sys/types.h>
#include <json-c/json.h>

#include "conf.h"
#include "store.h"
#include "keys.h"

struct worker_pool;
struct admin_import;

struct daemon {
	struct config cfg;
	struct store *store;
	struct keys keys;
	struct worker_pool *workers;
	int64_t (*now)(void); /* the clock; tests inject their own */
	int64_t started;
	const char *socket_path;
	const char *state_dir;
	/* store_people_changes when the people file was last written */
	uint64_t people_synced;
	/* The imports held on all connections (admin_import.c) and the
	 * bytes they hold, bounded by cfg.import_memory. */
	struct admin_import *imports;
	size_t import_bytes;
};

/* Who is on the other end of a connection, from SO_PEERCRED. */
struct peer {
	uid_t uid;
	gid_t gid;
	pid_t pid;
};

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
