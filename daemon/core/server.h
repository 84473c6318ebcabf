/* SPDX-License-Identifier: BSD-3-Clause */
/* onboardd's event loop: the listening socket, its connections, signals
 * and the worker pool, all on one epoll set. */
#ifndef OB_SERVER_H
#define OB_SERVER_H

#include <signal.h>

#include "daemon.h"

struct server;

/* The signals the server reads from its signalfd (SIGTERM, SIGINT,
 * SIGHUP): main blocks this set before any thread starts, server_new
 * reads the same set, so the two cannot disagree. */
void server_signals(sigset_t *set);

/* Serve on listen_fd (bound, listening, non-blocking).  The signals of
 * server_signals must already be blocked in every thread: the server
 * reads them from a signalfd. Returns 0 or -errno. */
int server_new(struct server **out, struct daemon *d, int listen_fd);
/* Also answer io.systemd.UserDatabase on fd (listening), as service (the
 * basename of its path), and nothing else there.  0 or -errno. */
int server_add_userdb(struct server *s, int fd, const char *service);

/* Run until SIGTERM or SIGINT, then stop accepting and return once the
 * open connections have ended (dialogues finished, worker replies sent)
 * or shutdown_timeout has passed; a second signal returns at once.
 * Returns 0, or -errno on a fatal error. */
int server_run(struct server *s);

void server_free(struct server *s);

/* Open, bind and listen on a Unix socket at path (mode 0666: callers are
 * told apart by SO_PEERCRED).  A stale socket file is replaced; a socket
 * someone still answers on is not (-EADDRINUSE).  Returns the fd or
 * -errno. */
int server_listen(const char *path);

#endif
