/* SPDX-License-Identifier: BSD-3-Clause */
/* The host's own users and groups from the files themselves, and the
 * check of uid_range against the ranges the host hands out. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "hostids.h"

#define HOSTIDS_NAME_MAX 256

struct hostids_file {
	char path[4096];
	struct stat st; /* as read; st_ino 0: missing */
};

struct hostids {
	struct hostids_file files[2]; /* passwd, group */
	uint32_t *ids;                /* sorted */
	size_t nids, idsize;
	char **users, **groups;
	size_t nusers, ngroups, usize, gsize;
};

static int hostids_add_id(struct hostids *h, uint32_t id)
{
	if (h->nids == h->idsize) {
		size_t n = h->idsize ? h->idsize * 2 : 64;
		uint32_t *ids = realloc(h->ids, n * sizeof(*ids));

		if (!ids)
			return -ENOMEM;
		h->ids = ids;
		h->idsize = n;
	}
	h->ids[h->nids++] = id;
	return 0;
}

static int hostids_add_name(char ***names, size_t *n, size_t *size, const char *name)
{
	char *copy;

	if (*n == *size) {
		size_t m = *size ? *size * 2 : 64;
		char **grown = realloc(*names, m * sizeof(*grown));

		if (!grown)
			return -ENOMEM;
		*names = grown;
		*size = m;
	}
	copy = strdup(name);
	if (!copy)
		return -ENOMEM;
	(*names)[(*n)++] = copy;
	return 0;
}

static void hostids_clear(struct hostids *h)
{
	for (size_t i = 0; i < h->nusers; i++)
		free(h->users[i]);
	for (size_t i = 0; i < h->ngroups; i++)
		free(h->groups[i]);
	h->nusers = h->ngroups = h->nids = 0;
}

static int hostids_cmp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* "name:x:ID:..." lines: the name and the third field.  Lines that are
 * not of this shape (comments, NIS "+" lines) are passed over: they name
 * nothing this file defines. */
static int hostids_read(struct hostids *h, struct hostids_file *f, bool users)
{
	char line[4096];
	FILE *fp = fopen(f->path, "re");
	int r = 0;

	memset(&f->st, 0, sizeof(f->st));
	if (!fp)
		return errno == ENOENT ? 0 : -errno;
	if (fstat(fileno(fp), &f->st) < 0)
		memset(&f->st, 0, sizeof(f->st));
	while (r == 0 && fgets(line, sizeof(line), fp)) {
		char *name = line, *c1, *c2, *end;
		unsigned long id;

		c1 = strchr(line, ':');
		if (!c1 || c1 == line || line[0] == '+' || line[0] == '-' || line[0] == '#')
			continue;
		*c1 = '\0';
		c2 = strchr(c1 + 1, ':');
		if (!c2)
			continue;
		errno = 0;
		id = strtoul(c2 + 1, &end, 10);
		if (errno || end == c2 + 1 || *end != ':' || id > UINT32_MAX)
			continue;
		if (strlen(name) < HOSTIDS_NAME_MAX)
			r = users ? hostids_add_name(&h->users, &h->nusers, &h->usize, name)
				  : hostids_add_name(&h->groups, &h->ngroups, &h->gsize, name);
		if (r == 0)
			r = hostids_add_id(h, (uint32_t)id);
	}
	fclose(fp);
	return r;
}

static int hostids_load(struct hostids *h)
{
	int r;

	hostids_clear(h);
	r = hostids_read(h, &h->files[0], true);
	if (r == 0)
		r = hostids_read(h, &h->files[1], false);
	if (r == 0 && h->nids)
		qsort(h->ids, h->nids, sizeof(*h->ids), hostids_cmp);
	return r;
}

int hostids_new(struct hostids **out, const char *passwd, const char *group)
{
	struct hostids *h = calloc(1, sizeof(*h));
	int r;

	*out = NULL;
	if (!h)
		return -ENOMEM;
	if (strlen(passwd) >= sizeof(h->files[0].path) || strlen(group) >= sizeof(h->files[1].path)) {
		free(h);
		return -ENAMETOOLONG;
	}
	strcpy(h->files[0].path, passwd);
	strcpy(h->files[1].path, group);
	r = hostids_load(h);
	if (r < 0) {
		hostids_free(h);
		return r;
	}
	*out = h;
	return 0;
}

void hostids_free(struct hostids *h)
{
	if (!h)
		return;
	hostids_clear(h);
	free(h->users);
	free(h->groups);
	free(h->ids);
	free(h);
}

static bool hostids_changed(const struct hostids_file *f)
{
	struct stat st;

	if (stat(f->path, &st) < 0)
		return f->st.st_ino != 0;
	return st.st_ino != f->st.st_ino || st.st_dev != f->st.st_dev ||
	       st.st_size != f->st.st_size || st.st_mtim.tv_sec != f->st.st_mtim.tv_sec ||
	       st.st_mtim.tv_nsec != f->st.st_mtim.tv_nsec;
}

void hostids_refresh(struct hostids *h)
{
	/* A failed read keeps what was read so far: fewer names, which
	 * errs on serving a person, never on handing out a taken id twice
	 * (the store's index keeps its own). */
	if (h && (hostids_changed(&h->files[0]) || hostids_changed(&h->files[1])))
		(void)hostids_load(h);
}

bool hostids_id_taken(const struct hostids *h, uint32_t id)
{
	return h && h->nids && bsearch(&id, h->ids, h->nids, sizeof(*h->ids), hostids_cmp);
}

static bool hostids_in(char *const *names, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(names[i], name) == 0)
			return true;
	return false;
}

bool hostids_has_user(const struct hostids *h, const char *name)
{
	return h && hostids_in(h->users, h->nusers, name);
}

bool hostids_has_group(const struct hostids *h, const char *name)
{
	return h && hostids_in(h->groups, h->ngroups, name);
}

/* ------------------------------------------------------------ uid_range */

/* KEY's number in login.defs, or def. */
static unsigned long hostids_logindefs(const char *path, const char *key, unsigned long def)
{
	char line[512];
	unsigned long v = def;
	size_t n = strlen(key);
	FILE *fp = fopen(path, "re");

	if (!fp)
		return def;
	while (fgets(line, sizeof(line), fp)) {
		char *p = line, *end;
		unsigned long x;

		while (*p == ' ' || *p == '\t')
			p++;
		if (strncmp(p, key, n) != 0 || (p[n] != ' ' && p[n] != '\t'))
			continue;
		errno = 0;
		x = strtoul(p + n, &end, 10);
		if (!errno && end != p + n)
			v = x;
	}
	fclose(fp);
	return v;
}

static bool hostids_meet(uint64_t a, uint64_t b, uint64_t c, uint64_t d)
{
	return a <= d && c <= b;
}

/* The first range of an /etc/subuid-like file that meets [first, last]. */
static bool hostids_sub_meets(const char *path, uint32_t first, uint32_t last, char *why,
			      size_t size)
{
	char line[512];
	FILE *fp = fopen(path, "re");
	bool met = false;

	if (!fp)
		return false;
	while (!met && fgets(line, sizeof(line), fp)) {
		unsigned long long start, count;
		char *c1 = strchr(line, ':');

		if (!c1 || sscanf(c1 + 1, "%llu:%llu", &start, &count) != 2 || count == 0)
			continue;
		if (hostids_meet(first, last, start, start + count - 1)) {
			line[strcspn(line, "\n")] = '\0';
			snprintf(why, size, "uid_range %u-%u overlaps %s (line \"%.64s\"): choose "
				 "another uid_range", first, last, path, line);
			met = true;
		}
	}
	fclose(fp);
	return met;
}

const char *hostids_range_check(uint32_t first, uint32_t last, const char *logindefs,
				const char *subuid, const char *subgid, char *why, size_t size)
{
	static const struct {
		uint32_t first, last;
		const char *what;
	} fixed[] = {
		{ 60001, 60513, "systemd-homed's uids" },
		{ 61184, 65519, "systemd's DynamicUser= uids" },
		{ 65534, 65535, "nobody and the 16-bit \"no uid\"" },
	};
	unsigned long uid_max = hostids_logindefs(logindefs, "UID_MAX", 60000);
	unsigned long gid_max = hostids_logindefs(logindefs, "GID_MAX", 60000);
	unsigned long max = uid_max > gid_max ? uid_max : gid_max;

	if (first == 0 || first > last) {
		snprintf(why, size, "uid_range %u-%u is empty or holds 0", first, last);
		return why;
	}
	if (first <= max) {
		snprintf(why, size, "uid_range %u-%u overlaps the ids useradd and groupadd give "
			 "(up to UID_MAX/GID_MAX %lu of %s): choose another uid_range", first,
			 last, max, logindefs);
		return why;
	}
	for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
		if (hostids_meet(first, last, fixed[i].first, fixed[i].last)) {
			snprintf(why, size, "uid_range %u-%u overlaps %s (%u-%u): choose another "
				 "uid_range", first, last, fixed[i].what, fixed[i].first,
				 fixed[i].last);
			return why;
		}
	if (hostids_sub_meets(subuid, first, last, why, size) ||
	    hostids_sub_meets(subgid, first, last, why, size))
		return why;
	return NULL;
}
