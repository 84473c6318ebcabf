/* The event loop: accept, read calls, dispatch them, write replies.
 * One thread; password work goes to the worker pool and comes back
 * through its eventfd.  A bad client is dropped, never the daemon. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>
#include <sodium.h>
#include <systemd/sd-daemon.h>

#include "interfaces.h"
#include "log.h"
#include "login.h"
#include "ob_cleanup.h"
#include "ob_protocol.h"
#include "server.h"
#include "varlink.h"
#include "worker.h"

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
	struct admin_session *admin; /* an import under way */
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
	struct conn *conns;
	unsigned nconns;
	uint64_t watchdog_usec;
	long long last_watchdog;
};

/* Tags for the non-connection fds in the epoll set. */
static char tag_listen, tag_signal, tag_workers;

static long long mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---------------------------------------------------------- connections */

static void conn_update_events(struct conn *c)
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

static void conn_free(struct conn *c)
{
	struct server *s = c->srv;

	if (c->prev)
		c->prev->next = c->next;
	else
		s->conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
	s->nconns--;
	epoll_ctl(s->epfd, EPOLL_CTL_DEL, c->fd, NULL);
	close(c->fd);
	login_free(c->login);
	admin_session_free(c->admin);
	varlink_reader_free(&c->rd);
	if (c->out) {
		sodium_memzero(c->out, c->out_len);
		free(c->out);
	}
	free(c);
}

static void conn_flush(struct conn *c)
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
static void conn_send(void *ctx, struct json_object *msg)
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
	grown = realloc(c->out, c->out_len + len);
	if (!grown) {
		sodium_memzero(buf, len);
		free(buf);
		c->dead = true;
		return;
	}
	c->out = grown;
	memcpy(c->out + c->out_len, buf, len);
	c->out_len += len;
	sodium_memzero(buf, len);
	free(buf);
	conn_flush(c);
}

/* ------------------------------------------------------------- dispatch */

static struct json_object *service_call(struct server *s, const char *method,
					struct json_object *params)
{
	struct json_object *p;
	const char *name = NULL;

	if (strcmp(method, VL_METHOD_GETINFO) == 0) {
		struct json_object *list = json_object_new_array();

		p = json_object_new_object();
		if (!p || !list) {
			json_object_put(p);
			json_object_put(list);
			return NULL;
		}
		for (unsigned i = 0; i < varlink_interfaces_count; i++)
			json_object_array_add(list, json_object_new_string(varlink_interfaces[i].name));
		json_object_object_add(p, "vendor", json_object_new_string("onboard"));
		json_object_object_add(p, "product", json_object_new_string("onboardd"));
		json_object_object_add(p, "version", json_object_new_string(PACKAGE_VERSION));
		json_object_object_add(p, "url", json_object_new_string(""));
		json_object_object_add(p, "interfaces", list);
		return varlink_reply_new(p);
	}
	if (strcmp(method, VL_METHOD_GETIFACE) == 0) {
		if (varlink_get_string(params, "interface", 256, &name) < 0) {
			p = json_object_new_object();
			json_object_object_add(p, "parameter", json_object_new_string("interface"));
			return varlink_error_new(VL_ERR_INVALID_PARAMETER, p);
		}
		for (unsigned i = 0; i < varlink_interfaces_count; i++) {
			if (strcmp(name, varlink_interfaces[i].name) != 0)
				continue;
			p = json_object_new_object();
			json_object_object_add(p, "description",
					       json_object_new_string(varlink_interfaces[i].description));
			return varlink_reply_new(p);
		}
		p = json_object_new_object();
		json_object_object_add(p, "interface", json_object_new_string(name));
		return varlink_error_new(VL_ERR_INTERFACE_NOT_FOUND, p);
	}
	(void)s;
	p = json_object_new_object();
	json_object_object_add(p, "method", json_object_new_string(method));
	return varlink_error_new(VL_ERR_METHOD_NOT_FOUND, p);
}

static bool has_prefix(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

static void conn_dispatch(struct conn *c, struct json_object *msg)
{
	struct server *s = c->srv;
	struct json_object *params, *p;
	const char *method;
	bool oneway = false;

	if (varlink_call_split(msg, &method, &params, &oneway) < 0) {
		log_debug("uid %u sent a malformed call: dropped", (unsigned)c->peer.uid);
		c->dead = true;
		return;
	}
	c->oneway = oneway;
	if (has_prefix(method, VL_IFACE_SERVICE ".")) {
		conn_send(c, service_call(s, method, params));
	} else if (has_prefix(method, OB_IFACE_LOGIN ".")) {
		if (!c->login)
			c->login = login_new(s->d, &c->peer, conn_send, c);
		if (!c->login || login_call(c->login, method, params) < 0) {
			c->dead = true;
			return;
		}
		c->waiting = login_busy(c->login);
	} else if (has_prefix(method, OB_IFACE_ADMIN ".")) {
		conn_send(c, admin_call(s->d, &c->peer, &c->admin, method, params));
	} else {
		const char *dot = strrchr(method, '.');
		char iface[256];

		snprintf(iface, sizeof(iface), "%.*s", dot ? (int)(dot - method) : 0, method);
		p = json_object_new_object();
		json_object_object_add(p, "interface", json_object_new_string(iface));
		conn_send(c, varlink_error_new(VL_ERR_INTERFACE_NOT_FOUND, p));
	}
}

/* Handle the complete calls already read, one at a time: a call whose
 * reply waits for a worker holds back the calls behind it. */
static void conn_process(struct conn *c)
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
		conn_dispatch(c, msg);
		/* Answers carry passwords and codes. */
		varlink_wipe(msg);
		json_object_put(msg);
	}
}

static void conn_read(struct conn *c)
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
			conn_process(c);
			if (!varlink_reader_pending(&c->rd))
				c->partial_since = 0;
			else if (!c->partial_since)
				c->partial_since = mono_ms();
			if (c->dead || c->waiting)
				return;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		c->dead = true; /* EOF or error */
		return;
	}
}

static unsigned conns_of_uid(struct server *s, uid_t uid)
{
	unsigned n = 0;

	for (struct conn *c = s->conns; c; c = c->next)
		n += c->peer.uid == uid;
	return n;
}

static void server_accept(struct server *s)
{
	for (;;) {
		struct ucred cred;
		socklen_t len = sizeof(cred);
		struct epoll_event ev;
		struct conn *c;
		int fd = accept4(s->listen_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);

		if (fd < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR &&
			    errno != ECONNABORTED)
				log_warn("accept");
			return;
		}
		if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0) {
			log_warn("SO_PEERCRED");
			close(fd);
			continue;
		}
		/* uid 0 is sshd, login and su for everyone: capping it per uid
		 * would let a few stalled logins lock out all the others. */
		if (s->nconns >= s->d->cfg.max_connections ||
		    (cred.uid != 0 &&
		     conns_of_uid(s, cred.uid) >= s->d->cfg.max_connections_per_uid)) {
			log_warnx("connection of uid %u refused: too many connections",
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
		c->peer.uid = cred.uid;
		c->peer.gid = cred.gid;
		c->peer.pid = cred.pid;
		c->last_active = mono_ms();
		c->reading = true;
		ev.events = EPOLLIN | EPOLLRDHUP;
		ev.data.ptr = c;
		if (epoll_ctl(s->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
			log_warn("epoll_ctl");
			close(fd);
			free(c);
			continue;
		}
		c->next = s->conns;
		if (s->conns)
			s->conns->prev = c;
		s->conns = c;
		s->nconns++;
	}
}

/* Close dead and idle connections; resume those whose reply came. */
static void server_sweep(struct server *s)
{
	long long now = mono_ms();
	long long idle_ms = s->d->cfg.login_timeout * 1000;
	struct conn *c, *next;

	admin_import_sweep(s->d);
	for (c = s->conns; c; c = next) {
		next = c->next;
		if (c->waiting && c->login && !login_busy(c->login)) {
			c->waiting = false;
			c->last_active = now;
			conn_process(c);
			c->partial_since = varlink_reader_pending(&c->rd) ? now : 0;
		}
		if (!c->dead && !c->waiting && now - c->last_active > idle_ms) {
			log_debug("uid %u idle for too long: closed", (unsigned)c->peer.uid);
			c->dead = true;
		}
		if (!c->dead && !c->waiting &&
		    ((c->partial_since && now - c->partial_since > SERVER_MESSAGE_MS) ||
				 (!c->calls && now - c->last_active > SERVER_MESSAGE_MS))) {
			log_debug("uid %u too slow to send a call: closed", (unsigned)c->peer.uid);
			c->dead = true;
		}
		/* Let a client read the last reply before we hang up. */
		if (c->dead && c->out_len > c->out_off)
			conn_flush(c);
		if (c->dead) {
			conn_free(c);
			continue;
		}
		if (c->reading != !c->waiting || c->writing != (c->out_len > c->out_off))
			conn_update_events(c);
	}
}

static bool server_signal(struct server *s)
{
	struct signalfd_siginfo si;

	while (read(s->sig_fd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		if (si.ssi_signo == SIGTERM || si.ssi_signo == SIGINT) {
			log_info("signal %u: shutting down", si.ssi_signo);
			return true;
		}
		/* SIGHUP: nothing to reload yet; noted so it is not fatal. */
		log_info("signal %u ignored", si.ssi_signo);
	}
	return false;
}

static void server_watchdog(struct server *s)
{
	long long now = mono_ms();

	if (!s->watchdog_usec || now - s->last_watchdog < (long long)(s->watchdog_usec / 2000))
		return;
	sd_notify(0, "WATCHDOG=1");
	s->last_watchdog = now;
}

/* ------------------------------------------------------------ lifecycle */

static int epoll_add(int epfd, int fd, void *tag)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = tag };

	return epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) < 0 ? -errno : 0;
}

int server_new(struct server **out, struct daemon *d, int listen_fd)
{
	struct server *s = calloc(1, sizeof(*s));
	sigset_t mask;
	int r;

	*out = NULL;
	if (!s)
		return -ENOMEM;
	s->d = d;
	s->listen_fd = listen_fd;
	s->epfd = epoll_create1(EPOLL_CLOEXEC);
	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	s->sig_fd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	if (s->epfd < 0 || s->sig_fd < 0) {
		r = -errno;
		server_free(s);
		return r;
	}
	if ((r = epoll_add(s->epfd, listen_fd, &tag_listen)) < 0 ||
	    (r = epoll_add(s->epfd, s->sig_fd, &tag_signal)) < 0 ||
	    (r = epoll_add(s->epfd, worker_pool_fd(d->workers), &tag_workers)) < 0) {
		server_free(s);
		return r;
	}
	if (sd_watchdog_enabled(0, &s->watchdog_usec) <= 0)
		s->watchdog_usec = 0;
	*out = s;
	return 0;
}

int server_run(struct server *s)
{
	struct epoll_event evs[32];

	for (;;) {
		int n = epoll_wait(s->epfd, evs, (int)OB_ARRAY_SIZE(evs), 1000);

		if (n < 0 && errno != EINTR)
			return -errno;
		for (int i = 0; i < n; i++) {
			void *tag = evs[i].data.ptr;
			struct conn *c;

			if (tag == &tag_listen) {
				server_accept(s);
			} else if (tag == &tag_signal) {
				if (server_signal(s))
					return 0;
			} else if (tag == &tag_workers) {
				worker_pool_drain(s->d->workers);
			} else {
				c = tag;
				if (evs[i].events & EPOLLOUT)
					conn_flush(c);
				if (evs[i].events & (EPOLLIN | EPOLLHUP | EPOLLRDHUP | EPOLLERR))
					conn_read(c);
			}
		}
		server_sweep(s);
		server_watchdog(s);
	}
}

void server_free(struct server *s)
{
	if (!s)
		return;
	while (s->conns)
		conn_free(s->conns);
	if (s->sig_fd >= 0)
		close(s->sig_fd);
	if (s->epfd >= 0)
		close(s->epfd);
	free(s);
}

int server_listen(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct stat st;
	int fd, probe, r;

	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	memcpy(sa.sun_path, path, strlen(path) + 1);
	if (lstat(path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode))
			return -EEXIST;
		/* Someone answering there is another daemon: leave it be. */
		probe = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (probe < 0)
			return -errno;
		r = connect(probe, (struct sockaddr *)&sa, sizeof(sa));
		close(probe);
		if (r == 0)
			return -EADDRINUSE;
		if (unlink(path) < 0)
			return -errno;
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || chmod(path, 0666) < 0 ||
	    listen(fd, 128) < 0) {
		r = -errno;
		close(fd);
		return r;
	}
	return fd;
}
