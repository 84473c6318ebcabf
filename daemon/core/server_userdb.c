/* SPDX-License-Identifier: BSD-3-Clause */
/* The userdb socket's connections (issue 12): accepting them apart from
 * the logins', dispatching their calls to the userdb room, and sending
 * the replies of a query as the client reads them. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "log.h"
#include "ob_protocol.h"
#include "server_private.h"
#include "userdb.h"
#include "varlink.h"

static bool has_prefix(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* Userdb connections held by uid, and by all. */
static unsigned server_userdb_count(const struct server *s, uid_t uid, unsigned *all)
{
	unsigned n = 0;

	*all = 0;
	for (const struct conn *c = s->conns; c; c = c->next) {
		if (!c->userdb)
			continue;
		(*all)++;
		n += c->peer.uid == uid;
	}
	return n;
}

/* A connection to the userdb socket: lookups of nss-systemd in any
 * process, short and read-only.  They are counted apart from logins, so
 * that a storm of "ls -l" never takes a login's place: at most
 * max_connections of them, max_connections_per_uid per uid. */
void server_accept_userdb(struct server *s)
{
	for (;;) {
		struct ucred cred;
		socklen_t len = sizeof(cred);
		struct epoll_event ev = { .events = EPOLLIN | EPOLLRDHUP };
		unsigned all, mine;
		struct conn *c;
		int fd = accept4(s->userdb_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);

		if (fd < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR &&
			    errno != ECONNABORTED)
				log_warn("accept (userdb)");
			return;
		}
		if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0) {
			close(fd);
			continue;
		}
		mine = server_userdb_count(s, cred.uid, &all);
		if (all >= s->d->cfg.max_connections || mine >= s->d->cfg.max_connections_per_uid) {
			log_debug("userdb: connection of uid %u refused: too many at once",
				  (unsigned)cred.uid);
			close(fd);
			continue;
		}
		c = calloc(1, sizeof(*c));
		if (!c) {
			close(fd);
			continue;
		}
		c->srv = s;
		c->fd = fd;
		c->userdb = true;
		c->peer.uid = cred.uid;
		c->peer.gid = cred.gid;
		c->peer.pid = cred.pid;
		c->ruid = cred.uid;
		c->last_active = mono_ms();
		c->reading = true;
		ev.data.ptr = c;
		if (epoll_ctl(s->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
			close(fd);
			free(c);
			continue;
		}
		c->next = s->conns;
		if (s->conns)
			s->conns->prev = c;
		s->conns = c;
		s->nuserdb++;
		s->trim_due = true;
	}
}

/* Send c's userdb replies while its output has room for one more: an
 * enumeration is read from the store as the client reads it, never more
 * than SERVER_MAX_OUTPUT queued.  The loop calls it again when the
 * output drains; calls behind it wait (c->waiting) until the last. */
void server_userdb_pump(struct conn *c)
{
	while (c->uq && !c->dead && c->out_len - c->out_off + OB_MAX_MESSAGE <= SERVER_MAX_OUTPUT) {
		struct json_object *reply = NULL;
		int more = userdb_next(c->uq, &reply);

		conn_send(c, reply);
		c->last_active = mono_ms();
		if (!more) {
			userdb_query_free(c->uq);
			c->uq = NULL;
		}
	}
	c->waiting = c->uq != NULL;
}

void conn_dispatch_userdb(struct conn *c, const char *method, struct json_object *params,
				 bool more)
{
	struct json_object *err = NULL;

	if (!has_prefix(method, USERDB_IFACE ".")) {
		struct json_object *p = json_object_new_object();
		const char *dot = strrchr(method, '.');
		char iface[256];

		snprintf(iface, sizeof(iface), "%.*s", dot ? (int)(dot - method) : 0, method);
		if (p)
			json_object_object_add(p, "interface", json_object_new_string(iface));
		conn_send(c, varlink_error_new(VL_ERR_INTERFACE_NOT_FOUND, p));
		return;
	}
	if (userdb_begin(c->srv->d, c->srv->userdb_service, method, params, more, &c->uq,
			 &err) < 0) {
		conn_send(c, err);
		return;
	}
	server_userdb_pump(c);
}

