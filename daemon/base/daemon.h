/* SPDX-License-Identifier: BSD-3-Clause */
/* What the parts of onboardd share: the configuration, the store, the
 * secret keys, the worker pool and the clock.  (The Admin entry points
 * are in admin.h.) */
#ifndef OB_DAEMON_H
#define OB_DAEMON_H

#include <stdint.h>
#include <sys/types.h>
#include <json-c/json.h>

#include "conf.h"
#include "store.h"
#include "keys.h"

struct worker_pool;
struct hostids;
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
	/* The host's /etc/passwd and /etc/group, read directly (userdb). */
	struct hostids *hostids;
};

/* Who is on the other end of a connection, from SO_PEERCRED. */
struct peer {
	uid_t uid;
	gid_t gid;
	pid_t pid;
};

#endif
