/* SPDX-License-Identifier: BSD-3-Clause */
/* Reading UID_MIN from login.defs, and a cache of it keyed by the file's
 * identity. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>

#include "logindefs.h"

uid_t logindefs_uid_min(const char *path)
{
	char line[512];
	uid_t uid = LOGINDEFS_UID_MIN_DEFAULT;
	FILE *f = fopen(path, "re");

	if (!f)
		return uid;
	while (fgets(line, sizeof(line), f)) {
		char *p = line, *end;
		unsigned long v;

		while (isspace((unsigned char)*p))
			p++;
		if (strncmp(p, "UID_MIN", 7) != 0 || !isspace((unsigned char)p[7]))
			continue;
		p += 7;
		while (isspace((unsigned char)*p))
			p++;
		errno = 0;
		v = strtoul(p, &end, 10);
		if (errno || end == p || v == 0 || v > 0x7fffffffUL)
			continue;
		while (isspace((unsigned char)*end))
			end++;
		if (*end && *end != '#')
			continue;
		uid = (uid_t)v;
	}
	fclose(f);
	return uid;
}

/* The last file read and what it said: one entry, the module asks about
 * one path. */
static struct {
	bool valid;
	char path[256];
	dev_t dev;
	ino_t ino;
	off_t size;
	struct timespec mtime, ctime;
	uid_t uid_min;
} logindefs_cache;
static unsigned logindefs_reads;
static pthread_mutex_t logindefs_lock = PTHREAD_MUTEX_INITIALIZER;

static bool logindefs_same_time(const struct timespec *a, const struct timespec *b)
{
	return a->tv_sec == b->tv_sec && a->tv_nsec == b->tv_nsec;
}

static bool logindefs_cache_matches(const char *path, const struct stat *st)
{
	return logindefs_cache.valid && strcmp(logindefs_cache.path, path) == 0 &&
	       logindefs_cache.dev == st->st_dev && logindefs_cache.ino == st->st_ino &&
	       logindefs_cache.size == st->st_size &&
	       logindefs_same_time(&logindefs_cache.mtime, &st->st_mtim) &&
	       logindefs_same_time(&logindefs_cache.ctime, &st->st_ctim);
}

uid_t logindefs_uid_min_cached(const char *path)
{
	struct timespec now;
	struct stat st;
	uid_t uid;

	/* No file (or none we may see): what the uncached read answers. */
	if (stat(path, &st) < 0)
		return LOGINDEFS_UID_MIN_DEFAULT;
	/* Taken by another thread (or held across a fork): read it here. */
	if (pthread_mutex_trylock(&logindefs_lock) != 0)
		return logindefs_uid_min(path);
	if (logindefs_cache_matches(path, &st)) {
		uid = logindefs_cache.uid_min;
		pthread_mutex_unlock(&logindefs_lock);
		return uid;
	}
	logindefs_cache.valid = false;
	uid = logindefs_uid_min(path);
	logindefs_reads++;
	/* Changed after the stat: the next call sees another key and
	 * reads again.  Changed in the same tick as now: not kept. */
	clock_gettime(CLOCK_REALTIME, &now);
	if (strlen(path) < sizeof(logindefs_cache.path) && st.st_mtim.tv_sec < now.tv_sec - 1) {
		snprintf(logindefs_cache.path, sizeof(logindefs_cache.path), "%s", path);
		logindefs_cache.dev = st.st_dev;
		logindefs_cache.ino = st.st_ino;
		logindefs_cache.size = st.st_size;
		logindefs_cache.mtime = st.st_mtim;
		logindefs_cache.ctime = st.st_ctim;
		logindefs_cache.uid_min = uid;
		logindefs_cache.valid = true;
	}
	pthread_mutex_unlock(&logindefs_lock);
	return uid;
}

unsigned logindefs_cache_reads(void)
{
	unsigned n;

	pthread_mutex_lock(&logindefs_lock);
	n = logindefs_reads;
	pthread_mutex_unlock(&logindefs_lock);
	return n;
}
