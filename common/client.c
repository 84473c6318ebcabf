/* SPDX-License-Identifier: BSD-3-Clause */
/* Varlink client with deadlines. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>
#include <sodium.h>

#include "client.h"
#include "ob_protocol.h"

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Wait for events on fd until the absolute deadline.  Returns 0 when
 * ready, -ETIMEDOUT, or -errno. */
static int wait_fd(int fd, short events, long long deadline)
{
	for (;;) {
		struct pollfd p = { .fd = fd, .events = events };
		long long left = deadline - now_ms();
		int r;

		if (left <= 0)
			return -ETIMEDOUT;
		r = poll(&p, 1, left > 60000 ? 60000 : (int)left);
		if (r > 0) {
			if (p.revents & (POLLERR | POLLNVAL))
				return -ECONNRESET;
			return 0;
		}
		if (r < 0 && errno != EINTR)
			return -errno;
	}
}

int client_connect(struct client *c, const char *path, int timeout_ms)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	long long deadline = now_ms() + timeout_ms;
	socklen_t sl;
	int fd, r, err;

	memset(c, 0, sizeof(*c));
	c->fd = -1;
	c->timeout_ms = timeout_ms;
	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	memcpy(sa.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	/* EAGAIN: the listener's backlog is full and nothing is pending (a
	 * poll says POLLHUP at once, and the first call fails: not
	 * connected).  A blocking connect would wait for room: try again
	 * until the deadline, so that others connecting faster than the
	 * daemon accepts cannot make this login read "unavailable". */
	while ((r = connect(fd, (struct sockaddr *)&sa, sizeof(sa))) < 0 && errno == EAGAIN) {
		if (now_ms() >= deadline) {
			close(fd);
			return -ETIMEDOUT;
		}
		poll(NULL, 0, 5);
	}
	if (r < 0) {
		if (errno != EINPROGRESS) {
			err = -errno;
			close(fd);
			return err;
		}
		r = wait_fd(fd, POLLOUT, deadline);
		if (r < 0) {
			close(fd);
			return r;
		}
		err = 0;
		sl = sizeof(err);
		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &sl) < 0 || err) {
			close(fd);
			return err ? -err : -ECONNREFUSED;
		}
	}
	c->fd = fd;
	return 0;
}

static int send_all(int fd, const char *buf, size_t len, long long deadline)
{
	while (len > 0) {
		ssize_t n = send(fd, buf, len, MSG_NOSIGNAL);

		if (n > 0) {
			buf += n;
			len -= (size_t)n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			int r = wait_fd(fd, POLLOUT, deadline);

			if (r < 0)
				return r;
			continue;
		}
		return n < 0 && errno != EPIPE ? -errno : -ECONNRESET;
	}
	return 0;
}

static int recv_message(struct client *c, struct json_object **msg, long long deadline)
{
	for (;;) {
		char *at;
		size_t room;
		ssize_t n;
		int r = varlink_reader_next(&c->rd, msg);

		if (r != 0)
			return r < 0 ? r : 0;
		r = varlink_reader_space(&c->rd, &at, &room);
		if (r < 0)
			return r;
		if (room == 0)
			return -EMSGSIZE;
		n = recv(c->fd, at, room, 0);
		if (n > 0) {
			varlink_reader_commit(&c->rd, (size_t)n);
			continue;
		}
		if (n == 0)
			return -ECONNRESET;
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN && errno != EWOULDBLOCK)
			return -errno;
		r = wait_fd(c->fd, POLLIN, deadline);
		if (r < 0)
			return r;
	}
}

int client_call(struct client *c, const char *method, struct json_object *params,
		struct json_object **reply, struct json_object **rparams,
		const char **error)
{
	struct json_object *call;
	long long deadline;
	char *buf = NULL;
	size_t len = 0;
	int r;

	*reply = NULL;
	*rparams = NULL;
	*error = NULL;
	if (c->fd < 0)
		return -ENOTCONN;
	call = varlink_call_new(method, params ? json_object_get(params) : NULL);
	if (!call)
		return -ENOMEM;
	r = varlink_encode(call, &buf, &len);
	json_object_put(call);
	if (r < 0)
		return r;
	deadline = now_ms() + c->timeout_ms;
	r = send_all(c->fd, buf, len, deadline);
	sodium_memzero(buf, len);
	free(buf);
	if (r < 0)
		return r;
	r = recv_message(c, reply, deadline);
	if (r < 0)
		return r;
	r = varlink_reply_split(*reply, error, rparams);
	if (r < 0) {
		json_object_put(*reply);
		*reply = NULL;
		return r;
	}
	return *error ? 1 : 0;
}

int client_peer_uid(const struct client *c, uid_t *uid)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);

	if (getsockopt(c->fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0)
		return -errno;
	*uid = cred.uid;
	return 0;
}

int client_served_by(const struct client *c, uid_t also, uid_t *peer)
{
	int r = client_peer_uid(c, peer);

	if (r < 0)
		return r;
	return *peer == 0 || *peer == also ? 0 : -EPERM;
}

void client_close(struct client *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	varlink_reader_free(&c->rd);
}

const char *client_error_message(struct json_object *rparams, const char *error)
{
	const char *m = NULL;

	if (varlink_get_string(rparams, "message", OB_TEXT_MAX, &m) == 0 && m[0])
		return m;
	return error ? error : "unknown error";
}
