/* SPDX-License-Identifier: BSD-3-Clause */
/* The event loop: accept, read calls, dispatch them, write replies.
 * One thread; password work goes to the worker pool and comes back
 * through its eventfd.  A bad client is dropped, never the daemon. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
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
#include <systemd/sd-daemon.h>

#include "admin.h"
#include "interfaces.h"
#include "log.h"
#include "login.h"
#include "ob_cleanup.h"
#include "ob_json.h"
#include "ob_protocol.h"
#include "passwd.h"
#include "server.h"
#include "store.h"
#include "server_private.h"
#include "userdb.h"
#include "varlink.h"
#include "worker.h"

static bool server_admit(struct conn *c, const char *method, struct json_object *params);

/* The heap is given back to the system at most this often. */
#define SERVER_TRIM_MS 5000

/* Tags for the non-connection fds in the epoll set. */
static char tag_listen, tag_signal, tag_workers, tag_userdb;

/* ------------------------------------------------------------- dispatch */

static struct json_object *service_call(struct server *s, const char *method,
					struct json_object *params, bool userdb)
{
	struct json_object *p;
	const char *name = NULL;

	if (strcmp(method, VL_METHOD_GETINFO) == 0) {
		_cleanup_json_ struct json_object *list = json_object_new_array();

		p = json_object_new_object();
		if (!p || !list) {
			json_object_put(p);
			return NULL;
		}
		for (unsigned i = 0; i < varlink_interfaces_count; i++) {
			bool ud = strcmp(varlink_interfaces[i].name, USERDB_IFACE) == 0;

			/* Each socket names what it answers. */
			if (ud == userdb || strcmp(varlink_interfaces[i].name, VL_IFACE_SERVICE) == 0)
				json_object_array_add(list,
						      json_object_new_string(varlink_interfaces[i].name));
		}
		json_object_object_add(p, "vendor", json_object_new_string("onboard"));
		json_object_object_add(p, "product", json_object_new_string("onboardd"));
		json_object_object_add(p, "version", json_object_new_string(PACKAGE_VERSION));
		json_object_object_add(p, "url", json_object_new_string(""));
		json_object_object_add(p, "interfaces", ob_json_take(&list));
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
			if (userdb != (strcmp(name, USERDB_IFACE) == 0) &&
			    strcmp(name, VL_IFACE_SERVICE) != 0)
				break;
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
	int r = varlink_call_split(msg, &method, &params, &oneway);
	struct json_object *up = NULL;

	/* "more" is for the userdb socket's calls only. */
	if (r == -EOPNOTSUPP && c->userdb &&
	    !(json_object_object_get_ex(msg, "upgrade", &up) && json_object_get_boolean(up)) &&
	    !has_prefix(method, VL_IFACE_SERVICE ".")) {
		c->oneway = oneway;
		if (oneway) { /* a stream of replies nobody reads */
			c->dead = true;
			return;
		}
		conn_dispatch_userdb(c, method, params, true);
		return;
	}
	if (r == -EOPNOTSUPP) {
		/* Every method answers once: say so and keep the connection,
		 * as for any other parameter we cannot use. */
		struct json_object *more = NULL;
		const char *flag = json_object_object_get_ex(msg, "more", &more) &&
				   json_object_get_boolean(more) ? "more" : "upgrade";

		c->oneway = oneway;
		p = json_object_new_object();
		json_object_object_add(p, "parameter", json_object_new_string(flag));
		conn_send(c, varlink_error_new(VL_ERR_INVALID_PARAMETER, p));
		return;
	}
	if (r < 0) {
		log_debug("uid %u sent a malformed call: dropped", (unsigned)c->peer.uid);
		c->dead = true;
		return;
	}
	c->oneway = oneway;
	if (c->refused) {
		conn_send(c, varlink_error_msg(OB_ERR_LOGIN_BUSY, c->refused));
		c->dead = true;
		return;
	}
	if (has_prefix(method, VL_IFACE_SERVICE ".")) {
		conn_send(c, service_call(s, method, params, c->userdb));
	} else if (c->userdb) {
		conn_dispatch_userdb(c, method, params, false);
	} else if (has_prefix(method, OB_IFACE_LOGIN ".")) {
		if (!c->login && !server_admit(c, method, params))
			return;
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

/* What the connections other than self hold that counts against a
 * login of ruid for target. */
struct tally {
	unsigned same_uid;    /* attributed to ruid */
	unsigned same_target; /* not root's, for target */
	unsigned not_root;    /* attributed to a uid other than 0 */
};

static struct tally server_tally(const struct server *s, const struct conn *self, uid_t ruid,
				 const char *target)
{
	struct tally t = { 0 };

	for (const struct conn *c = s->conns; c; c = c->next) {
		if (c == self || !c->attributed)
			continue;
		t.same_uid += c->ruid == ruid;
		if (c->ruid == 0)
			continue;
		t.not_root++;
		t.same_target += target[0] && strcmp(c->target, target) == 0;
	}
	return t;
}

/* Connections that logins not started by root may hold: all but the
 * reserve, which stays for sshd and login (real uid 0) whatever others
 * hold.  At least one. */
static unsigned server_not_root_max(const struct server *s)
{
	unsigned max = s->d->cfg.max_connections, reserve = s->d->cfg.connection_reserve;

	return reserve < max ? max - reserve : 1;
}

/* Whether target is ruid's own account: the person's own logins (their
 * passwd, su run by them) are bounded by their uid's cap, never by what
 * others hold for them. */
static bool server_own_login(const struct server *s, uid_t ruid, const char *target)
{
	_cleanup_person_ struct person p;
	struct passwd_entry pw;
	int r = passwd_by_name(target, &pw);

	if (r != 0)
		return r == 1 && pw.uid == ruid;
	/* No line in the files: a person of the userdb socket has the uid
	 * the store gave them (NSS here bypasses our own socket). */
	return store_person_get(s->d->store, target, &p) == STORE_OK && p.uid &&
	       p.uid == ruid && !p.deleted;
}

/* Why a login of ruid for target may not begin, or NULL.  Root's own
 * logins (ruid 0) are bounded by max_connections alone: they are the
 * ones the caps keep room for. */
static const char *server_cap(const struct server *s, const struct conn *self, uid_t ruid,
			      const char *target)
{
	struct tally t;

	if (ruid == 0)
		return NULL;
	t = server_tally(s, self, ruid, target);
	if (t.same_uid >= s->d->cfg.max_connections_per_uid)
		return "too many logins from this user at once";
	if (t.not_root >= server_not_root_max(s))
		return "the remaining connections are kept for root's logins";
	if (target[0] && t.same_target >= s->d->cfg.max_dialogues_per_user &&
	    !server_own_login(s, ruid, target))
		return "too many logins for this person at once";
	return NULL;
}

/* Log a refusal once per caller and minute, not once per attempt: a
 * caller that tries in a loop must not flood the log either. */
static void server_refused(struct server *s, uid_t ruid, const char *target, const char *why)
{
	long long now = mono_ms();

	if (ruid == s->refused_uid && s->refused_at && now - s->refused_at < 60000) {
		s->refused_quiet++;
		return;
	}
	if (s->refused_quiet)
		log_warnx("%u more logins of uid %u were refused in the last minute",
			  s->refused_quiet, (unsigned)s->refused_uid);
	log_warnx("login of uid %u%s%s refused: %s", (unsigned)ruid, target[0] ? " for " : "",
		  target, why);
	s->refused_uid = ruid;
	s->refused_at = now;
	s->refused_quiet = 0;
}

/* Before the first Login call of c: whose login it is, and whether the
 * caps let it begin.  Only uid 0's word about the real uid is taken: a
 * setuid program runs with uid 0 but cannot change the real uid of its
 * caller, which the module reports; any other peer is its own uid.
 * Returns true to go on; false when c was answered and is to close. */
static bool server_admit(struct conn *c, const char *method, struct json_object *params)
{
	struct server *s = c->srv;
	const char *user = NULL, *why;
	long long ruid = c->peer.uid;
	int r;

	if (strcmp(method, OB_LOGIN_START) != 0)
		return true;
	/* A real uid other than 0 from /proc stands; the module's word
	 * only adds to it (a process whose /proc could not be read). */
	if (c->attributed)
		ruid = c->ruid;
	else if (c->peer.uid == 0) {
		r = varlink_get_int(params, OB_LOGIN_RUID, &ruid);
		if (r == -ENOENT)
			ruid = 0; /* a root program without the module */
		else if (r < 0 || ruid < 0 || ruid >= (long long)(uid_t)-1) {
			struct json_object *p = json_object_new_object();

			if (p)
				json_object_object_add(p, "parameter", json_object_new_string("ruid"));
			conn_send(c, varlink_error_new(VL_ERR_INVALID_PARAMETER, p));
			c->dead = true;
			return false;
		}
	}
	if (varlink_get_string(params, "user", OB_USERNAME_MAX, &user) < 0)
		user = "";
	why = server_cap(s, c, (uid_t)ruid, user);
	if (why) {
		server_refused(s, (uid_t)ruid, user, why);
		conn_send(c, varlink_error_msg(OB_ERR_LOGIN_BUSY, why));
		c->dead = true;
		return false;
	}
	c->ruid = (uid_t)ruid;
	c->attributed = true;
	snprintf(c->target, sizeof(c->target), "%s", user);
	return true;
}

static void server_accept(struct server *s)
{
	for (;;) {
		struct ucred cred;
		socklen_t len = sizeof(cred);
		const char *why;
		uid_t ruid;
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
		/* uid 0 is sshd and login for everyone, but also su and
		 * passwd for anyone who runs them: its connections are
		 * counted for the real uid of the process (its caller's for
		 * a setuid program), from the kernel here, else the one the
		 * module names in Start (server_admit). */
		ruid = cred.uid;
		if (cred.uid == 0 && peer_real_uid(fd, cred.pid, &ruid) < 0)
			ruid = 0;
		why = s->nconns >= s->d->cfg.max_connections ? "too many connections"
							      : server_cap(s, NULL, ruid, "");
		/* A uid-0 peer over its real uid's caps is kept until its
		 * first call, answered Busy: closed at once, a setuid
		 * module would read "unavailable", which unavailable=ignore
		 * turns into PAM_IGNORE.  Others are closed: they cannot
		 * pile up past their own cap. */
		if (why)
			server_refused(s, ruid, "", why);
		if (why && (cred.uid != 0 || s->nconns >= s->d->cfg.max_connections)) {
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
		/* Anyone but root is who the kernel says. */
		c->ruid = ruid;
		c->attributed = ruid != 0 && !why;
		c->refused = why;
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
		s->trim_due = true;
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
		if (c->uq && !c->dead) {
			server_userdb_pump(c);
			/* A client that reads no reply for this long is gone. */
			if (c->uq && now - c->last_active > SERVER_MESSAGE_MS)
				c->dead = true;
			if (!c->uq && !c->dead) {
				c->last_active = now;
				conn_process(c, conn_dispatch);
			}
		}
		/* Lookups are short: an idle one goes soon. */
		if (c->userdb && !c->dead && !c->waiting && now - c->last_active > SERVER_MESSAGE_MS)
			c->dead = true;
		if (c->waiting && c->login && !login_busy(c->login)) {
			c->waiting = false;
			c->last_active = now;
			conn_process(c, conn_dispatch);
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
		if (s->stopping && !c->dead && conn_may_close(c))
			c->dead = true;
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

/* glibc keeps a freed heap: after a storm of 200 logins (the readers,
 * the parsed calls, the workers' arenas) onboardd stayed at 7 MiB idle
 * against 3.9 fresh.  Once the last connection has closed and no job is
 * pending, it is given back, at most once per SERVER_TRIM_MS (the loop
 * wakes each second, so a trim put off is done then if still idle). */
static void server_trim(struct server *s)
{
	long long now;

	if (!s->trim_due || s->conns || worker_pool_pending(s->d->workers))
		return;
	now = mono_ms();
	if (s->trimmed_at && now - s->trimmed_at < SERVER_TRIM_MS)
		return;
#ifdef __GLIBC__
	malloc_trim(0);
#endif
	s->trimmed_at = now;
	s->trim_due = false;
}

/* Stop taking connections and let the open ones end, within
 * shutdown_timeout.  The listening socket stays open, unwatched: who
 * connects now waits in its queue, which under socket activation systemd
 * (the socket's holder) keeps for the next onboardd.  A dialogue is cut
 * only at the bound: a person who walked away from a prompt must not hold
 * a restart up, and the bound stays under the unit's TimeoutStopSec so
 * that onboardd ends by itself rather than be killed mid-write. */
static void server_stop_begin(struct server *s)
{
	s->stopping = true;
	s->stop_deadline = mono_ms() + s->d->cfg.shutdown_timeout * 1000;
	if (epoll_ctl(s->epfd, EPOLL_CTL_DEL, s->listen_fd, NULL) < 0)
		log_warn("epoll_ctl");
	if (s->userdb_fd >= 0 && epoll_ctl(s->epfd, EPOLL_CTL_DEL, s->userdb_fd, NULL) < 0)
		log_warn("epoll_ctl");
	sd_notify(0, "STOPPING=1");
}

/* Whether the loop is done: stopping, and nothing left or out of time. */
static bool server_stopped(struct server *s)
{
	unsigned left = 0;

	if (!s->stopping)
		return false;
	if (!s->conns) {
		log_info("every connection has ended: stopping");
		return true;
	}
	if (mono_ms() < s->stop_deadline)
		return false;
	for (struct conn *c = s->conns; c; c = c->next)
		left += c->login && login_under_way(c->login);
	log_warnx("shutdown_timeout passed: %u connection(s) closed, %u of them in a login "
		  "dialogue", s->nconns, left);
	return true;
}

/* 1 when the loop must stop at once (a second SIGTERM or SIGINT), else 0. */
static int server_signal(struct server *s)
{
	struct signalfd_siginfo si;

	while (read(s->sig_fd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		if (si.ssi_signo == SIGTERM || si.ssi_signo == SIGINT) {
			if (s->stopping) {
				log_info("signal %u again: stopping now", si.ssi_signo);
				return 1;
			}
			log_info("signal %u: shutting down once the %u open connection(s) end "
				 "(at most %llds)", si.ssi_signo, s->nconns,
				 (long long)s->d->cfg.shutdown_timeout);
			server_stop_begin(s);
			continue;
		}
		/* SIGHUP: nothing to reload yet; noted so it is not fatal. */
		log_info("signal %u ignored", si.ssi_signo);
	}
	return 0;
}

static void server_watchdog(struct server *s)
{
	long long now = mono_ms();

	if (!s->watchdog_usec || now - s->last_watchdog < (long long)(s->watchdog_usec / 2000))
		return;
	sd_notify(0, "WATCHDOG=1");
	s->last_watchdog = now;
}

/* What systemctl status shows under systemd: the people, the open
 * connections and the password checks waiting or running, told when it
 * changed, at most every SERVER_STATUS_MS. */
#define SERVER_STATUS_MS 5000

static void server_status(struct server *s)
{
	long long now = mono_ms();
	struct store_stats st;
	char text[160];

	if (!s->notify || now - s->status_at < SERVER_STATUS_MS)
		return;
	s->status_at = now;
	if (store_stats(s->d->store, &st) != STORE_OK)
		return;
	snprintf(text, sizeof(text),
		 "STATUS=%llu %s; %u connection%s open; %u password check%s waiting or running",
		 (unsigned long long)st.people, st.people == 1 ? "person" : "people", s->nconns,
		 s->nconns == 1 ? "" : "s",
		 worker_pool_pending(s->d->workers),
		 worker_pool_pending(s->d->workers) == 1 ? "" : "s");
	if (strcmp(text, s->status) == 0)
		return;
	snprintf(s->status, sizeof(s->status), "%s", text);
	sd_notify(0, text);
}

/* ------------------------------------------------------------ lifecycle */

static int epoll_add(int epfd, int fd, void *tag)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = tag };

	return epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) < 0 ? -errno : 0;
}

void server_signals(sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGTERM);
	sigaddset(set, SIGINT);
	sigaddset(set, SIGHUP);
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
	s->userdb_fd = -1;
	s->epfd = epoll_create1(EPOLL_CLOEXEC);
	server_signals(&mask);
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
	s->notify = getenv("NOTIFY_SOCKET") != NULL;
	*out = s;
	return 0;
}

int server_add_userdb(struct server *s, int fd, const char *service)
{
	int r;

	if (strlen(service) >= sizeof(s->userdb_service))
		return -ENAMETOOLONG;
	r = epoll_add(s->epfd, fd, &tag_userdb);
	if (r < 0)
		return r;
	s->userdb_fd = fd;
	snprintf(s->userdb_service, sizeof(s->userdb_service), "%s", service);
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
				if (!s->stopping)
					server_accept(s);
			} else if (tag == &tag_userdb) {
				if (!s->stopping)
					server_accept_userdb(s);
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
					conn_read(c, conn_dispatch);
			}
		}
		server_sweep(s);
		server_trim(s);
		server_watchdog(s);
		server_status(s);
		if (server_stopped(s))
			return 0;
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
