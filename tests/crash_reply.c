/* SPDX-License-Identifier: BSD-3-Clause */
/* Preloaded into onboardd by the crash trials (tests/crash_trials.py):
 * SIGKILL at the moment a crash costs most, after a call's work is
 * committed and before its reply leaves.  While the file OB_CRASH_FILE
 * names holds a number K, each send() counts it down, and the K-th kills
 * the process before sending (the file is removed first, so that the
 * next daemon runs free).  Without the file, send() is only send(). */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <unistd.h>

ssize_t send(int fd, const void *buf, size_t len, int flags);

static void crash_count_down(void)
{
	const char *path = getenv("OB_CRASH_FILE");
	char text[32];
	ssize_t n;
	long k;
	int f;

	if (!path || (f = open(path, O_RDWR | O_CLOEXEC)) < 0)
		return;
	n = read(f, text, sizeof(text) - 1);
	text[n > 0 ? n : 0] = '\0';
	k = strtol(text, NULL, 10);
	if (k <= 1) {
		close(f);
		unlink(path);
		raise(SIGKILL);
		return;
	}
	n = snprintf(text, sizeof(text), "%ld\n", k - 1);
	if (ftruncate(f, 0) < 0 || pwrite(f, text, (size_t)n, 0) != n)
		abort();
	close(f);
}

ssize_t send(int fd, const void *buf, size_t len, int flags)
{
	static ssize_t (*real)(int, const void *, size_t, int);

	if (!real)
		real = (ssize_t (*)(int, const void *, size_t, int))dlsym(RTLD_NEXT, "send");
	crash_count_down();
	return real(fd, buf, len, flags);
}
