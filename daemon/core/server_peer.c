/* SPDX-License-Identifier: BSD-3-Clause */
/* Who is behind a connection: the real uid of its peer process, which
 * the event loop (server.c) counts a uid-0 peer's connections for. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <unistd.h>

#include "server_private.h"

/* The real uid of a connection's peer process: for a peer of uid 0 it
 * tells a setuid program (su run by a user: real uid the user's) from
 * sshd before any call, so a program stopped between connect and Start
 * is counted too.  Linux 6.13 and later answer from a pidfd of the peer
 * (SO_PEERPIDFD, PIDFD_GET_INFO): two system calls, and no pid that
 * could have been reused; older kernels from /proc/PID/status, which
 * costs an open, a read and a parse per connection (a fifth of the
 * daemon's time per account-phase call, measured).  Debian 12's headers
 * predate both, so their kernel ABI values are named here. */
#ifndef SO_PEERPIDFD
#define SO_PEERPIDFD 77
#endif
#ifndef PIDFD_GET_INFO
struct pidfd_info {
	uint64_t mask;
	uint64_t cgroupid;
	uint32_t pid, tgid, ppid, ruid, rgid, euid, egid, suid, sgid, fsuid, fsgid;
	uint32_t spare0[1];
};
#define PIDFD_GET_INFO _IOWR(0xFF, 11, struct pidfd_info)
#define PIDFD_INFO_CREDS (1UL << 1)
#endif

/* Cleared once the kernel says it has no SO_PEERPIDFD or PIDFD_GET_INFO:
 * from then on /proc alone, without two failing calls per connection. */
static bool pidfd_info_works = true;

/* 1 with *out set, 0 when this kernel cannot tell, -errno on a failure
 * that /proc would meet too (the peer is gone). */
static int peer_real_uid_pidfd(int fd, uid_t *out)
{
	struct pidfd_info info = { .mask = PIDFD_INFO_CREDS };
	socklen_t len = sizeof(int);
	int pidfd = -1, r;

	if (!pidfd_info_works)
		return 0;
	if (getsockopt(fd, SOL_SOCKET, SO_PEERPIDFD, &pidfd, &len) < 0) {
		if (errno != ENOPROTOOPT && errno != EINVAL)
			return -errno;
		pidfd_info_works = false;
		return 0;
	}
	r = ioctl(pidfd, PIDFD_GET_INFO, &info);
	r = r < 0 ? -errno : 0;
	close(pidfd);
	if (r == -ENOTTY || r == -EINVAL || (r == 0 && !(info.mask & PIDFD_INFO_CREDS))) {
		pidfd_info_works = false;
		return 0;
	}
	if (r < 0)
		return r;
	*out = (uid_t)info.ruid;
	return 1;
}

/* The same from /proc/PID/status.  The process holds the connection, so
 * it is alive and pid is still its.  Returns 0, or -errno when it cannot
 * be read (pid 0 from another pid namespace, /proc not mounted). */
static int peer_real_uid_proc(pid_t pid, uid_t *out)
{
	char path[64], buf[2048], *line;
	unsigned long long uid;
	ssize_t n;
	int fd;

	if (pid <= 0)
		return -ESRCH;
	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -EIO;
	buf[n] = '\0';
	line = strstr(buf, "\nUid:\t");
	if (!line || sscanf(line, "\nUid:\t%llu", &uid) != 1 || uid >= (uid_t)-1)
		return -EIO;
	*out = (uid_t)uid;
	return 0;
}

int peer_real_uid(int fd, pid_t pid, uid_t *out)
{
	int r = peer_real_uid_pidfd(fd, out);

	if (r != 0)
		return r < 0 ? r : 0;
	return peer_real_uid_proc(pid, out);
}
