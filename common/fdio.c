/* SPDX-License-Identifier: BSD-3-Clause */
#include "config.h"

#include <errno.h>
#include <stdbool.h>
#include <unistd.h>

#include "fdio.h"

/* The loop of both: p is only read from when out. */
static int fd_transfer(int fd, char *p, size_t len, bool out)
{
	while (len > 0) {
		ssize_t n = out ? write(fd, p, len) : read(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		/* Nothing written, or the end of the file too soon. */
		if (n == 0)
			return -EIO;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int fd_write_all(int fd, const void *buf, size_t len)
{
	return fd_transfer(fd, (char *)buf, len, true);
}

int fd_read_all(int fd, void *buf, size_t len)
{
	return fd_transfer(fd, buf, len, false);
}
