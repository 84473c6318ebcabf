/* SPDX-License-Identifier: BSD-3-Clause */
/* What the event loop (server.c) and its connections (server_conn.c)
 * share: the two structures and the connection's steps.  Included by
 * server*.c only. */
#ifndef OB_SERVER_PRIVATE_H
#define OB_SERVER_PRIVATE_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>
#include <sys/types.h>
#include <json-c/json.h>

#include "daemon.h"
#include "login.h"
#include "ob_protocol.h"
#include "varlink.h"

/* A client that does not read its replies is dropped past this. */
#define SERVER_MAX_OUTPUT (4 * OB_MAX_MESSAGE)
/* A message must arrive whole within this, and a new connection must
 * make its first call within it: trickling bytes keeps nothing open. */
#define SERVER_MESSAGE_MS 10000

struct conn {
	struct conn *next, *prev;
	struct server *srv;
	int fd;
	struct peer peer;
	struct varlink_reader rd;
	char *out;
	size_t out_len, out_off;
	struct login *login;
	/* Whose login this is, for the caps (server_admit): the peer's uid,
	 * or for a peer of uid 0 (sshd, login, but also su and passwd,
	 * setuid for any user) the real uid the module names in Start. */
	uid_t ruid;
	bool attributed;                  /* ruid is known */
	char target[OB_USERNAME_MAX + 1]; /* Start's user; "" for a kiosk */
	const char *refused; /* over a cap at accept: the first call gets Busy */
	struct admin_session *admin; /* an import under way */
	/* Accepted on the userdb socket: io.systemd.UserDatabase and
	 * org.varlink.service only; and the query whose replies are sent as
	 * the output drains (server_userdb_pump). */
	bool userdb;
	struct userdb_query *uq;
	long long last_active; /* monotonic ms of the last complete call */
	long long partial_since; /* when an unfinished message began, or 0 */
	unsigned calls;         /* complete calls received */
	bool waiting;          /* a reply will come from the worker pool */
	bool oneway;           /* the call being answered wants no reply */
	bool reading;          /* EPOLLIN is in the interest set */
	bool writing;          /* EPOLLOUT is in the interest set */
	bool dead;             /* to be closed by the loop */
};

struct server {
	struct daemon *d;
	int epfd, listen_fd, sig_fd;
	int userdb_fd; /* -1: none */
	char userdb_service[128];
	struct conn *conns;
	unsigned nconns;  /* not counting those of the userdb socket */
	unsigned nuserdb; /* those */
	uint64_t watchdog_usec;
	long long last_watchdog;
	/* Refusals are logged once per caller and minute (server_refused). */
	uid_t refused_uid;
	long long refused_at;
	unsigned refused_quiet;
	bool notify;            /* under systemd ($NOTIFY_SOCKET): STATUS= lines */
	long long status_at;    /* monotonic ms of the last look at the status */
	char status[160];       /* the STATUS= line last sent */
	bool trim_due;          /* connections came since the heap was last trimmed */
	long long trimmed_at;   /* monotonic ms of the last malloc_trim, or 0 */
	bool stopping;          /* SIGTERM: no new connections, the open ones end */
	long long stop_deadline; /* monotonic ms: what is still open then is cut */
};

static inline long long mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* server_peer.c: the real uid of the process behind connection fd
 * (pid from SO_PEERCRED), for a peer of uid 0: a setuid program's is its
 * caller's.  0 with *out set, or -errno. */
int peer_real_uid(int fd, pid_t pid, uid_t *out);

/* server_conn.c: a connection's buffers, reading and writing. */
void conn_update_events(struct conn *c);
void conn_free(struct conn *c);
void conn_flush(struct conn *c);
/* Queue msg (taken over) for the peer.  Never closes the connection
 * itself: it may be called from inside a dialogue; the loop reaps. */
void conn_send(void *ctx, struct json_object *msg);
/* What answers one call of c (server.c's dispatch, passed down: the
 * connection's code below never calls up into the loop above it). */
typedef void conn_dispatch_fn(struct conn *c, struct json_object *msg);
/* Handle the complete calls already read, one at a time. */
void conn_process(struct conn *c, conn_dispatch_fn *dispatch);
/* One read of at most a message's size per wake-up, then the calls it
 * completed. */
void conn_read(struct conn *c, conn_dispatch_fn *dispatch);
/* While stopping: whether c can be closed without failing anyone. */
bool conn_may_close(struct conn *c);

/* server_userdb.c: the userdb socket's connections. */
void server_accept_userdb(struct server *s);
void conn_dispatch_userdb(struct conn *c, const char *method, struct json_object *params,
			  bool more);
/* Send c's replies while its output has room; c->waiting while more are due. */
void server_userdb_pump(struct conn *c);

#endif
