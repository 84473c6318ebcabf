/* SPDX-License-Identifier: BSD-3-Clause */
/* A connection of the event loop: its reader and writer buffers, reading
 * calls and handing them to dispatch (server.c), writing replies. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>
#include <sodium.h>

#include "admin.h"
#include "log.h"
#include "login.h"
#include "ob_protocol.h"
#include "server_private.h"
#include "userdb.h"
#include "varlink.h"

void conn_update_events(struct conn *c)
{
	struct epoll_event ev = { .data.ptr = c };

	c->reading = !c->waiting && !c->dead;
	c->writing = c->out_len > c->out_off;
	if (c->reading)
		ev.events |= EPOLLIN | EPOLLRDHUP;
	if (c->writing)
		ev.events |= EPOLLOUT;
	if (epoll_ctl(c->srv->epfd, EPOLL_CTL_MOD, c->fd, &ev) < 0) {
		log_warn("epoll_ctl");
		c->dead = true;
	}
}

void conn_free(struct conn *c)
{
	struct server *s = c->srv;

	if (c->prev)
		c->prev->next = c->next;
	else
		s->conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
	if (c->userdb)
		s->nuserdb--;
	else
		s->nconns--;
	epoll_ctl(s->epfd, EPOLL_CTL_DEL, c->fd, NULL);
	close(c->fd);
	login_free(c->login);
	admin_session_free(c->admin);
	userdb_query_free(c->uq);
	varlink_reader_free(&c->rd);
	if (c->out) {
		sodium_memzero(c->out, c->out_len);
		free(c->out);
	}
	free(c);
}

void conn_flush(struct conn *c)
{
	while (c->out_off < c->out_len) {
		ssize_t n = send(c->fd, c->out + c->out_off, c->out_len - c->out_off,
				 MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n > 0) {
			c->out_off += (size_t)n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		c->dead = true;
		return;
	}
	/* Replies may hold a code shown once: wipe what was sent. */
	sodium_memzero(c->out, c->out_len);
	free(c->out);
	c->out = NULL;
	c->out_len = c->out_off = 0;
}

/* Queue msg (taken over) for the peer.  Never closes the connection
 * itself: it may be called from inside a dialogue; the loop reaps. */
void conn_send(void *ctx, struct json_object *msg)
{
	struct conn *c = ctx;
	char *buf = NULL, *grown;
	size_t len = 0;
	int r;

	if (!msg) {
		c->dead = true;
		return;
	}
	if (c->oneway) {
		json_object_put(msg);
		return;
	}
	r = varlink_encode(msg, &buf, &len);
	varlink_wipe(msg);
	json_object_put(msg);
	if (r == -EMSGSIZE) {
		/* Tell the client why, rather than drop it without a word. */
		log_warnx("a reply exceeds %d bytes: %s sent instead", OB_MAX_MESSAGE,
			  OB_ERR_REPLY_TOO_LARGE);
		msg = varlink_error_msg(OB_ERR_REPLY_TOO_LARGE,
					"the reply is larger than the 64 KiB a message may hold");
		r = msg ? varlink_encode(msg, &buf, &len) : -ENOMEM;
		json_object_put(msg);
	}
	if (r < 0) {
		log_warnx("cannot encode a reply: %s", strerror(-r));
		c->dead = true;
		return;
	}
	if (c->out_len - c->out_off + len > SERVER_MAX_OUTPUT) {
		log_warnx("client uid %u does not read its replies: dropped", (unsigned)c->peer.uid);
		sodium_memzero(buf, len);
		free(buf);
		c->dead = true;
		return;
	}
	/* Nothing queued (the usual case): the encoded reply is the output
	 * buffer, sized to it.  Else both go to one new buffer, the old
	 * ones wiped: realloc could free a moved copy unwiped. */
	if (!c->out) {
		c->out = buf;
		c->out_len = len;
		c->out_off = 0;
		conn_flush(c);
		return;
	}
	grown = malloc(c->out_len + len);
	if (grown) {
		memcpy(grown, c->out, c->out_len);
		memcpy(grown + c->out_len, buf, len);
		sodium_memzero(c->out, c->out_len);
		free(c->out);
		c->out = grown;
		c->out_len += len;
	}
	sodium_memzero(buf, len);
	free(buf);
	if (!grown) {
		c->dead = true;
		return;
	}
	conn_flush(c);
}

/* Handle the complete calls already read, one at a time: a call whose
 * reply waits for a worker holds back the calls behind it. */
void conn_process(struct conn *c, conn_dispatch_fn *dispatch)
{
	while (!c->dead && !c->waiting) {
		struct json_object *msg = NULL;
		int r = varlink_reader_next(&c->rd, &msg);

		if (r == 0)
			break;
		if (r < 0) {
			log_debug("uid %u sent a bad message (%s): dropped", (unsigned)c->peer.uid,
				  strerror(-r));
			c->dead = true;
			break;
		}
		c->calls++;
		c->last_active = mono_ms();
		dispatch(c, msg);
		/* Answers carry passwords and codes. */
		varlink_wipe(msg);
		json_object_put(msg);
	}
}

/* One read of at most a message's size per wake-up: the interest set is
 * level-triggered, so what is left wakes us again after the others had
 * their turn.  Reading on until EAGAIN let one client that pipelines
 * calls faster than we parse them keep every other connection (root's
 * logins too) waiting for as long as it went on. */
void conn_read(struct conn *c, conn_dispatch_fn *dispatch)
{
	for (;;) {
		char *at;
		size_t room;
		ssize_t n;

		if (varlink_reader_space(&c->rd, &at, &room) < 0 || room == 0) {
			c->dead = true;
			return;
		}
		n = recv(c->fd, at, room, MSG_DONTWAIT);
		if (n > 0) {
			varlink_reader_commit(&c->rd, (size_t)n);
			conn_process(c, dispatch);
			if (!varlink_reader_pending(&c->rd))
				c->partial_since = 0;
			else if (!c->partial_since)
				c->partial_since = mono_ms();
			return;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		c->dead = true; /* EOF or error */
		return;
	}
}

/* While stopping: whether c can be closed without failing anyone, that
 * is, it is idle between calls with no dialogue under way.  A connection
 * that has made no call yet is about to (it connected before we
 * stopped): it is kept, like a half-read call, a reply being written or
 * awaited, a login dialogue or an import not yet finished. */
bool conn_may_close(struct conn *c)
{
	char byte;

	if (c->waiting || c->out_len > c->out_off || !c->calls ||
	    varlink_reader_pending(&c->rd) || c->admin ||
	    (c->login && login_under_way(c->login)))
		return false;
	/* A call on its way in is read first (the loop sees it next). */
	return recv(c->fd, &byte, 1, MSG_PEEK | MSG_DONTWAIT) <= 0;
}
