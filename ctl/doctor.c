/* SPDX-License-Identifier: BSD-3-Clause */
/* onboardctl doctor: runs the PAM and sshd checks (doctor_pam.c,
 * doctor_sshd.c), checks the daemon's socket, its state files and that
 * it answers, and prints what it found. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <json-c/json.h>
#include <linux/openat2.h>

#include "client.h"
#include "doctor.h"
#include "ob_cleanup.h"
#include "ob_protocol.h"
#include "output.h"

/* GetInfo is answered at once by a healthy daemon. */
#define DOCTOR_TIMEOUT_MS 3000
#define DOCTOR_CONF_MAX (1024 * 1024)
_Static_assert(DOCTOR_CONF_MAX == 1024 * 1024, "doctor_read_error says 1 MiB");

/* ------------------------------------------------------------ findings */

/* A copy without control characters: file names and PAM lines are not
 * to drive the terminal. */
static char *doctor_clean(const char *s)
{
	size_t size = strlen(s) + 1;
	char *out = malloc(size);

	if (out)
		output_sanitize(s, out, size);
	return out;
}

void *doctor_grow(void *arr, size_t *cap, size_t size, size_t first)
{
	size_t n = *cap ? *cap * 2 : first;
	void *grown;

	if (n > SIZE_MAX / size)
		return NULL;
	grown = realloc(arr, n * size);
	if (grown)
		*cap = n;
	return grown;
}

static void doctor_finding_free(struct doctor_finding *f)
{
	free(f->file);
	free(f->check);
	free(f->problem);
	free(f->explanation);
}

void doctor_report(struct doctor *d, const char *file, int line, const char *check,
		   const char *problem, const char *fmt, ...)
{
	struct doctor_finding f = { .line = line };
	char text[1024];
	va_list ap;

	for (size_t i = 0; i < d->count; i++)
		if (d->findings[i].line == line && strcmp(d->findings[i].check, check) == 0 &&
		    strcmp(d->findings[i].file, file) == 0)
			return;
	if (d->count == d->cap) {
		struct doctor_finding *grown = doctor_grow(d->findings, &d->cap, sizeof(*grown), 16);

		if (!grown) {
			d->oom = true;
			return;
		}
		d->findings = grown;
	}
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	f.file = doctor_clean(file);
	f.check = doctor_clean(check);
	f.problem = doctor_clean(problem);
	f.explanation = doctor_clean(text);
	if (!f.file || !f.check || !f.problem || !f.explanation) {
		doctor_finding_free(&f);
		d->oom = true;
		return;
	}
	d->findings[d->count++] = f;
}

size_t doctor_mark(const struct doctor *d)
{
	return d->count;
}

void doctor_rollback(struct doctor *d, size_t mark)
{
	while (d->count > mark)
		doctor_finding_free(&d->findings[--d->count]);
}

/* --------------------------------------------------------------- files */

/* Where doctor reads, it stays inside the checked tree.  The kernel does
 * the resolution: openat2(2) with RESOLVE_IN_ROOT treats the tree's
 * directory as "/" for every step, as chroot(2) would ("..", absolute
 * symlinks, symlinks in the middle of a path), follows at most 40
 * symlinks (ELOOP), and RESOLVE_NO_MAGICLINKS refuses /proc's links to
 * other processes' files.  It is in every kernel doctor is meant for
 * (Linux 5.6; Debian 12 has 6.1), and unlike a resolver written here it
 * cannot be raced by someone renaming directories in the tree while
 * doctor walks it.  glibc 2.36 has no wrapper, hence syscall(2).  A
 * kernel without it (or a seccomp filter that refuses it) gets no
 * hand-written fallback: --root is then refused (doctor_run), and
 * without --root files are opened as named, as before. */
#define DOCTOR_RESOLVE (RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS)

static int doctor_openat2(int dirfd, const char *name, int flags, uint64_t resolve)
{
	struct open_how how = { .flags = (uint64_t)(flags | O_CLOEXEC), .resolve = resolve };
	long fd = syscall(SYS_openat2, dirfd, name, &how, sizeof(how));

	return fd < 0 ? -errno : (int)fd;
}

/* name inside the tree (d), or on the host (no d). */
static int doctor_open(const struct doctor *d, const char *name, int flags)
{
	int fd;

	if (d && !d->no_openat2)
		return doctor_openat2(d->rootfd, name[0] ? name : "/", flags, DOCTOR_RESOLVE);
	fd = open(name[0] ? name : "/", flags | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

int doctor_display(const struct doctor *d, const char *name, char *out, size_t size)
{
	size_t base = strlen(d->root), len = base;

	if (base >= size)
		return -ENAMETOOLONG;
	memcpy(out, d->root, base + 1);
	for (const char *p = name; *p;) {
		size_t n = strcspn(p, "/");

		if (n == 2 && p[0] == '.' && p[1] == '.') {
			while (len > base && out[len - 1] != '/')
				len--;
			if (len > base)
				len--;
		} else if (n > 0 && !(n == 1 && p[0] == '.')) {
			if (len + 1 + n >= size)
				return -ENAMETOOLONG;
			out[len++] = '/';
			memcpy(out + len, p, n);
			len += n;
		}
		p += n + strspn(p + n, "/");
	}
	if (len == base) {
		if (len + 1 >= size)
			return -ENAMETOOLONG;
		out[len++] = '/';
	}
	out[len] = '\0';
	return 0;
}

const char *doctor_read_error(int err, const struct stat *st)
{
	switch (err) {
	case -EINVAL:
		/* Named, never opened: see doctor_read_file. */
		switch (st->st_mode & S_IFMT) {
		case S_IFIFO:
			return "a FIFO, not a regular file (doctor does not open it)";
		case S_IFCHR:
			return "a character device, not a regular file (doctor does not open it)";
		case S_IFBLK:
			return "a block device, not a regular file (doctor does not open it)";
		case S_IFSOCK:
			return "a socket, not a regular file";
		case S_IFDIR:
			return "a directory, not a regular file";
		default:
			return "not a regular file";
		}
	case -EFBIG:
		return "larger than 1 MiB";
	case -ESTALE:
		return "replaced while doctor read it";
	default:
		return strerror(-err);
	}
}

DIR *doctor_opendir(const struct doctor *d, const char *name)
{
	int fd = doctor_open(d, name, O_RDONLY | O_DIRECTORY);
	DIR *dh;

	if (fd < 0) {
		errno = -fd;
		return NULL;
	}
	dh = fdopendir(fd);
	if (!dh) {
		int e = errno;

		close(fd);
		errno = e;
	}
	return dh;
}

int doctor_stat(const struct doctor *d, const char *name, struct stat *st)
{
	_cleanup_close_ int fd = doctor_open(d, name, O_PATH);

	if (fd < 0)
		return fd;
	return fstat(fd, st) < 0 ? -errno : 0;
}

int doctor_lstat(const struct doctor *d, const char *name, struct stat *st)
{
	_cleanup_close_ int fd = doctor_open(d, name, O_PATH | O_NOFOLLOW);

	if (fd < 0)
		return fd;
	return fstat(fd, st) < 0 ? -errno : 0;
}

int doctor_read_file(const struct doctor *d, const char *name, size_t max, char **text,
		     size_t *len, struct stat *st)
{
	_cleanup_close_ int pfd = -1, fd = -1;
	struct stat pst, rst;
	size_t got = 0;
	char *buf;

	*text = NULL;
	*len = 0;
	if (!st)
		st = &pst;
	memset(st, 0, sizeof(*st));
	/* First only a handle (O_PATH opens nothing: no FIFO waits for a
	 * writer, no device driver runs), to see what the name is. */
	pfd = doctor_open(d, name, O_PATH);
	if (pfd < 0)
		return pfd;
	if (fstat(pfd, st) < 0)
		return -errno;
	if (!S_ISREG(st->st_mode))
		return -EINVAL;
	if ((size_t)st->st_size > max)
		return -EFBIG;
	/* Then for reading, by the same way.  O_NONBLOCK and O_NOCTTY: if
	 * the name was replaced in between by a FIFO or a terminal, the open
	 * neither waits nor takes the terminal, and what it opened is
	 * refused below. */
	fd = doctor_open(d, name, O_RDONLY | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return fd;
	if (fstat(fd, &rst) < 0)
		return -errno;
	if (!S_ISREG(rst.st_mode) || rst.st_dev != st->st_dev || rst.st_ino != st->st_ino)
		return -ESTALE;
	buf = malloc(max + 1);
	if (!buf)
		return -ENOMEM;
	/* One byte more than allowed tells a file that grew since fstat. */
	while (got <= max) {
		ssize_t n = read(fd, buf + got, max + 1 - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int r = -errno;

			free(buf);
			return r;
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	if (got > max) {
		free(buf);
		return -EFBIG;
	}
	buf[got] = '\0';
	*text = buf;
	*len = got;
	return 0;
}

/* A place doctor only looks at (the socket, the state files): a name
 * inside the tree (inside), or a path of this host (--socket,
 * --state-dir).  shown gets how findings name it. */
static int doctor_look(const struct doctor *d, const char *name, bool inside, bool follow,
		       struct stat *st, char *shown, size_t size)
{
	if (inside) {
		if (doctor_display(d, name, shown, size) < 0)
			return -ENAMETOOLONG;
		return follow ? doctor_stat(d, name, st) : doctor_lstat(d, name, st);
	}
	if (snprintf(shown, size, "%s", name) >= (int)size)
		return -ENAMETOOLONG;
	return (follow ? stat(name, st) : lstat(name, st)) < 0 ? -errno : 0;
}

/* ---------------------------------------------------------------- glob */

void doctor_glob_free(struct doctor_glob *g)
{
	for (size_t i = 0; i < g->count; i++)
		free(g->names[i]);
	free(g->names);
	g->names = NULL;
	g->count = g->cap = 0;
}

static int doctor_glob_add(struct doctor_glob *g, const char *name)
{
	if (g->count == DOCTOR_GLOB_MATCHES_MAX) {
		g->bound = DOCTOR_GLOB_MANY;
		return 0;
	}
	if (g->count == g->cap) {
		char **grown = doctor_grow(g->names, &g->cap, sizeof(*grown), 16);

		if (!grown)
			return -ENOMEM;
		g->names = grown;
	}
	g->names[g->count] = strdup(name);
	if (!g->names[g->count])
		return -ENOMEM;
	g->count++;
	return 0;
}

static bool doctor_glob_magic(const char *comp)
{
	for (const char *p = comp; *p; p++) {
		if (*p == '\\' && p[1])
			p++;
		else if (*p == '*' || *p == '?' || *p == '[')
			return true;
	}
	return false;
}

static int doctor_strcmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* comps[i..n) below dir (a name inside the tree, len bytes of a buffer
 * of PATH_MAX).  Stops as soon as a bound is hit. */
static int doctor_glob_walk(const struct doctor *d, char **comps, size_t i, size_t n, char *dir,
			    size_t len, struct doctor_glob *g)
{
	struct doctor_glob here = { 0 };
	struct dirent *e;
	DIR *dh;
	int r = 0;

	/* Components without wildcards are taken as written ("\x" is x). */
	for (; i < n && !doctor_glob_magic(comps[i]); i++) {
		if (len + 1 >= PATH_MAX)
			return -ENAMETOOLONG;
		dir[len++] = '/';
		for (const char *p = comps[i]; *p; p++) {
			if (*p == '\\' && p[1])
				p++;
			if (len + 1 >= PATH_MAX)
				return -ENAMETOOLONG;
			dir[len++] = *p;
		}
		dir[len] = '\0';
	}
	if (i == n) {
		struct stat st;

		/* glob(3) returns a name that exists, a dangling symlink too. */
		return doctor_lstat(d, dir, &st) == 0 ? doctor_glob_add(g, dir) : 0;
	}
	dh = doctor_opendir(d, dir);
	if (!dh) /* nothing to match: no error, as for glob(3) */
		return errno == ENOMEM ? -ENOMEM : 0;
	while (r == 0 && (e = readdir(dh))) {
		if (++g->scanned > DOCTOR_GLOB_SCAN_MAX) {
			g->bound = DOCTOR_GLOB_WIDE;
			break;
		}
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0 ||
		    fnmatch(comps[i], e->d_name, FNM_PERIOD) != 0)
			continue;
		/* Matches of one directory: as many as there may be in all. */
		if (here.count == DOCTOR_GLOB_MATCHES_MAX) {
			g->bound = DOCTOR_GLOB_MANY;
			break;
		}
		r = doctor_glob_add(&here, e->d_name);
	}
	closedir(dh);
	if (r == 0 && here.count)
		qsort(here.names, here.count, sizeof(*here.names), doctor_strcmp);
	for (size_t k = 0; k < here.count && r == 0 && g->bound == DOCTOR_GLOB_OK; k++) {
		size_t nlen = strlen(here.names[k]);

		if (len + 1 + nlen >= PATH_MAX) {
			r = -ENAMETOOLONG;
			break;
		}
		dir[len] = '/';
		memcpy(dir + len + 1, here.names[k], nlen + 1);
		if (i + 1 == n)
			r = doctor_glob_add(g, dir);
		else
			r = doctor_glob_walk(d, comps, i + 1, n, dir, len + 1 + nlen, g);
		dir[len] = '\0';
	}
	doctor_glob_free(&here);
	return r;
}

int doctor_glob(const struct doctor *d, const char *pattern, struct doctor_glob *g)
{
	_cleanup_free_ char *copy = strdup(pattern);
	_cleanup_free_ char **comps = NULL;
	_cleanup_free_ char *dir = malloc(PATH_MAX);
	size_t n = 0, magic = 0;
	char *save = NULL;
	int r;

	memset(g, 0, sizeof(*g));
	if (!copy || !dir)
		return -ENOMEM;
	if (strlen(pattern) >= PATH_MAX)
		return -ENAMETOOLONG;
	/* A pattern has fewer components than half its length, plus one. */
	comps = calloc(strlen(pattern) / 2 + 2, sizeof(*comps));
	if (!comps)
		return -ENOMEM;
	for (char *c = strtok_r(copy, "/", &save); c; c = strtok_r(NULL, "/", &save)) {
		comps[n++] = c;
		magic += doctor_glob_magic(c);
	}
	if (magic > DOCTOR_GLOB_DEPTH_MAX) {
		g->bound = DOCTOR_GLOB_DEEP;
		return 0;
	}
	dir[0] = '\0';
	r = doctor_glob_walk(d, comps, 0, n, dir, 0, g);
	if (r < 0 || g->bound != DOCTOR_GLOB_OK) {
		doctor_glob_free(g);
		return r;
	}
	/* glob(3) sorts the whole names (in the C locale sshd runs in). */
	if (g->count)
		qsort(g->names, g->count, sizeof(*g->names), doctor_strcmp);
	return 0;
}

/* -------------------------------------------------------------- socket */

/* Whether a non-root user could put a socket of their own at path:
 * every directory on the way, "/" included, must be root's and writable
 * by root alone, or sticky (like /tmp) with the next step owned by root,
 * which the sticky bit then protects. */
static void doctor_socket_dirs(struct doctor *d, const char *name, bool inside)
{
	char dir[PATH_MAX], next[PATH_MAX], path[PATH_MAX], sdir[PATH_MAX], snext[PATH_MAX];

	if (name[0] != '/' ||
	    (inside ? doctor_display(d, name, path, sizeof(path)) < 0
		    : snprintf(path, sizeof(path), "%s", name) >= (int)sizeof(path)))
		return;
	/* Inside the tree, "/" is the tree's own: the directories above it
	 * are not the image's. */
	for (const char *slash = name; slash; slash = strchr(slash + 1, '/')) {
		const char *end = strchr(slash + 1, '/');
		struct stat st, nst;
		/* The first directory is "/" itself. */
		size_t dlen = slash == name ? 1 : (size_t)(slash - name);

		snprintf(dir, sizeof(dir), "%.*s", (int)dlen, name);
		snprintf(next, sizeof(next), "%.*s", end ? (int)(end - name) : (int)strlen(name),
			 name);
		if (doctor_look(d, dir, inside, true, &st, sdir, sizeof(sdir)) < 0)
			return;
		if (st.st_uid != 0) {
			doctor_report(d, sdir, 0, "socket-dir", "directory not owned by root",
				      "uid %u owns this directory on the way to onboardd's socket "
				      "%s and can put a socket of their own there, which PAM would "
				      "trust",
				      (unsigned)st.st_uid, path);
			return;
		}
		if (!(st.st_mode & 022))
			continue;
		if ((st.st_mode & S_ISVTX) &&
		    doctor_look(d, next, inside, false, &nst, snext, sizeof(snext)) == 0) {
			/* The socket's own owner is doctor_socket's finding. */
			if (nst.st_uid == 0 || strcmp(next, name) == 0)
				continue;
			doctor_report(d, snext, 0, "socket-dir", "directory not owned by root",
				      "uid %u owns this entry of the sticky directory %s on the "
				      "way to onboardd's socket %s and can replace it, and the "
				      "socket with it",
				      (unsigned)nst.st_uid, sdir, path);
			return;
		}
		doctor_report(d, sdir, 0, "socket-dir", "directory writable by group or others",
			      "mode %04o on the way to onboardd's socket %s: others can replace "
			      "what is there with a socket of their own, which PAM would trust",
			      (unsigned)(st.st_mode & 07777), path);
		return;
	}
}

/* Returns whether there is a socket to connect to. */
static bool doctor_socket(struct doctor *d, const char *name, bool inside)
{
	char path[PATH_MAX];
	struct stat st;
	unsigned mode;
	int r = doctor_look(d, name, inside, false, &st, path, sizeof(path));

	if (r == -ENAMETOOLONG)
		return false;
	if (r < 0) {
		if (r == -ENOENT)
			doctor_report(d, path, 0, "socket-missing", "onboardd's socket is missing",
				      "onboardd is not running or listens elsewhere (--socket here, "
				      "socket= in the PAM lines): logins of people onboard manages "
				      "fail");
		else
			doctor_report(d, path, 0, "socket-unreadable", "cannot check the socket",
				      "%s", strerror(-r));
		return false;
	}
	if (!S_ISSOCK(st.st_mode)) {
		doctor_report(d, path, 0, "socket-not-socket", "not a socket",
			      "onboardd's socket path holds something else: onboardd refuses to "
			      "start over it");
		return false;
	}
	if (st.st_uid != 0)
		doctor_report(d, path, 0, "socket-owner", "socket not owned by root",
			      "uid %u owns it: whoever made it may be answering logins instead "
			      "of onboardd",
			      (unsigned)st.st_uid);
	/* onboardd and onboardd.socket make it 0666 on purpose: screen lockers
	 * run as the person, and onboardd tells callers apart with
	 * SO_PEERCRED, not with the mode.  So no mode is looser than
	 * intended; a tighter one breaks those callers. */
	mode = st.st_mode & 07777;
	if ((mode & 0666) != 0666)
		doctor_report(d, path, 0, "socket-mode", "socket mode keeps callers out",
			      "mode %04o: onboardd creates it 0666, and non-root callers (a screen "
			      "locker unlocking for a person onboard manages) cannot connect; "
			      "onboardd checks every caller itself",
			      mode);
	doctor_socket_dirs(d, name, inside);
	return true;
}

/* GetInfo within a deadline, and who answers it.  A socket inside the
 * tree is reached through a handle on it, so that the connection too
 * stays inside (connect(2) on /proc/self/fd/N reaches the socket that
 * handle holds). */
static void doctor_daemon(struct doctor *d, const char *name, bool inside)
{
	struct json_object *reply = NULL, *rparams = NULL;
	_cleanup_close_ int pfd = -1;
	char path[PATH_MAX], via[64];
	const char *error = NULL, *target = name;
	struct client cl = { .fd = -1 };
	uid_t uid;
	int r = 0;

	if (inside) {
		if (doctor_display(d, name, path, sizeof(path)) < 0)
			return;
		pfd = doctor_open(d, name, O_PATH | O_NOFOLLOW);
		if (pfd < 0)
			r = pfd;
		snprintf(via, sizeof(via), "/proc/self/fd/%d", pfd);
		target = via;
	} else {
		snprintf(path, sizeof(path), "%s", name);
	}
	if (r == 0)
		r = client_connect(&cl, target, DOCTOR_TIMEOUT_MS);
	if (r == 0)
		r = client_call(&cl, VL_METHOD_GETINFO, NULL, &reply, &rparams, &error);
	if (r == 0 && client_peer_uid(&cl, &uid) == 0 && uid != 0)
		doctor_report(d, path, 0, "daemon-not-root", "onboardd does not run as root",
			      "the process answering runs as uid %u: onboardd runs as root, so "
			      "this may be someone else's program",
			      (unsigned)uid);
	client_close(&cl);
	if (r < 0)
		doctor_report(d, path, 0, "daemon-unreachable", "onboardd does not answer",
			      "%s: logins of people onboard manages fail (or go on without onboard "
			      "with unavailable=ignore)",
			      r == -ETIMEDOUT ? "no reply within 3 seconds"
			      : r == -EBADMSG ? "the reply is not a valid varlink message"
					      : strerror(-r));
	else if (r > 0)
		doctor_report(d, path, 0, "daemon-unreachable", "onboardd refuses GetInfo",
			      "it answered with the error %s", error ? error : "(none)");
	json_object_put(reply);
}

/* ---------------------------------------------------------------- state */

/* key_file from ROOT/etc/onboard/onboardd.conf, when it sets one, as a
 * name inside the tree. */
static void doctor_key_file(const struct doctor *d, char *out, size_t size)
{
	char *text, *save = NULL;
	size_t len;

	out[0] = '\0';
	if (doctor_read_file(d, OB_DEFAULT_CONFIG, DOCTOR_CONF_MAX, &text, &len, NULL) < 0)
		return;
	for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *k = line + strspn(line, " \t"), *eq = strchr(k, '='), *v, *end;

		if (*k == '#' || !eq)
			continue;
		end = eq;
		while (end > k && (end[-1] == ' ' || end[-1] == '\t'))
			end--;
		if ((size_t)(end - k) != strlen("key_file") || strncmp(k, "key_file", 8) != 0)
			continue;
		v = eq + 1 + strspn(eq + 1, " \t");
		end = v + strlen(v);
		while (end > v && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r'))
			*--end = '\0';
		if (v[0] == '/' && snprintf(out, size, "%s", v) >= (int)size)
			out[0] = '\0';
	}
	free(text);
}

/* One file onboardd creates 0600: root's alone.  inside: path is a name
 * inside the tree (key_file from the tree's onboardd.conf), looked up
 * there; otherwise a path of this host (--state-dir). */
static void doctor_state_file(struct doctor *d, const char *path, bool inside,
			      const char *holds)
{
	char shown[PATH_MAX];
	struct stat st;
	unsigned mode;
	int r = doctor_look(d, path, inside, false, &st, shown, sizeof(shown));

	if (r == 0 && S_ISLNK(st.st_mode) &&
	    doctor_look(d, path, inside, true, &st, shown, sizeof(shown)) < 0)
		return;
	if (r == -ENAMETOOLONG)
		return;
	path = shown;
	if (r < 0) {
		if (r != -ENOENT)
			doctor_report(d, path, 0, "state-unreadable", "cannot check this file",
				      "%s", strerror(-r));
		return;
	}
	mode = st.st_mode & 07777;
	if (st.st_uid != 0)
		doctor_report(d, path, 0, "state-owner", "not owned by root",
			      "uid %u owns it, and it holds %s", (unsigned)st.st_uid, holds);
	if (mode & 077)
		doctor_report(d, path, 0, "state-mode",
			      mode & 044 ? "readable by group or others"
					 : "writable by group or others",
			      "mode %04o, and it holds %s: onboardd creates it 0600; chmod 0600",
			      mode, holds);
}

/* dir: the default inside the tree (inside), or --state-dir. */
static void doctor_state(struct doctor *d, const char *dir, bool inside)
{
	static const struct {
		const char *name;
		const char *holds;
	} files[] = {
		{ "data.mdb", "the database: password hashes, authenticator secrets, code hashes" },
		{ "lock.mdb", "the database's lock table" },
		{ "onboardd.lock", "the lock that keeps a second onboardd out" },
	};
	char key[PATH_MAX], path[PATH_MAX], shown[PATH_MAX];
	struct stat st;
	bool key_inside;
	int r = doctor_look(d, dir, inside, true, &st, shown, sizeof(shown));

	if (r == -ENAMETOOLONG)
		return;
	if (r < 0) {
		doctor_report(d, shown, 0, r == -ENOENT ? "state-missing" : "state-unreadable",
			      "cannot check onboardd's state directory",
			      "%s (give --state-dir when onboardd runs with another)",
			      strerror(-r));
		return;
	}
	if (!S_ISDIR(st.st_mode)) {
		doctor_report(d, shown, 0, "state-missing", "not a directory",
			      "onboardd keeps its database and key file in its state directory");
		return;
	}
	if (st.st_uid != 0)
		doctor_report(d, shown, 0, "state-owner", "not owned by root",
			      "uid %u owns onboardd's state directory", (unsigned)st.st_uid);
	if (st.st_mode & 077)
		doctor_report(d, shown, 0, "state-mode", "state directory open to group or others",
			      "mode %04o: onboardd creates it 0700", (unsigned)(st.st_mode & 07777));
	doctor_key_file(d, key, sizeof(key));
	key_inside = key[0] != '\0' || inside;
	if (!key[0] && snprintf(key, sizeof(key), "%s/secret.key", dir) >= (int)sizeof(key))
		key[0] = '\0';
	if (key[0])
		doctor_state_file(d, key, key_inside,
				  "the keys that protect access codes and secrets");
	for (size_t i = 0; i < OB_ARRAY_SIZE(files); i++)
		if (snprintf(path, sizeof(path), "%s/%s", dir, files[i].name) < (int)sizeof(path))
			doctor_state_file(d, path, inside, files[i].holds);
}

/* -------------------------------------------------------------- output */

static int doctor_print_json(const struct doctor *d)
{
	struct json_object *doc = json_object_new_object(), *arr = json_object_new_array();
	int r = -ENOMEM;

	if (!doc || !arr || json_object_object_add(doc, "findings", arr) < 0) {
		json_object_put(arr);
		goto out;
	}
	for (size_t i = 0; i < d->count; i++) {
		const struct doctor_finding *f = &d->findings[i];
		struct json_object *o = json_object_new_object();

		if (!o || json_object_array_add(arr, o) < 0) {
			json_object_put(o);
			goto out;
		}
		if (json_object_object_add(o, "file", json_object_new_string(f->file)) < 0 ||
		    json_object_object_add(o, "line", json_object_new_int(f->line)) < 0 ||
		    json_object_object_add(o, "check", json_object_new_string(f->check)) < 0 ||
		    json_object_object_add(o, "problem", json_object_new_string(f->problem)) < 0 ||
		    json_object_object_add(o, "explanation",
					   json_object_new_string(f->explanation)) < 0)
			goto out;
	}
	if (json_object_object_add(doc, "problems", json_object_new_int64((int64_t)d->count)) < 0)
		goto out;
	r = output_json(doc);
out:
	json_object_put(doc);
	return r;
}

static int doctor_print(const struct doctor *d)
{
	for (size_t i = 0; i < d->count; i++) {
		const struct doctor_finding *f = &d->findings[i];

		if (output_line("%s:%d: %s: %s", f->file, f->line, f->problem, f->explanation) < 0)
			return -EIO;
	}
	if (d->count == 0)
		return output_line("no problems found");
	return output_line("%zu problem%s found", d->count, d->count == 1 ? "" : "s");
}

int doctor_run(const struct doctor_options *o)
{
	struct doctor d = { .sshd_config = o->sshd_config, .rootfd = -1 };
	char socket[PATH_MAX], state[PATH_MAX], shown[PATH_MAX];
	size_t found;
	int r = 0;

	if (o->root && strcmp(o->root, "/") != 0) {
		char *real = realpath(o->root, NULL);

		if (!real) {
			fprintf(stderr, "onboardctl: doctor: --root %s: %s\n"
					"Try 'onboardctl --help'.\n",
				o->root, strerror(errno));
			return 2;
		}
		if (strcmp(real, "/") != 0)
			snprintf(d.root, sizeof(d.root), "%s", real);
		free(real);
	}
	d.rootfd = open(d.root[0] ? d.root : "/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (d.rootfd < 0) {
		fprintf(stderr, "onboardctl: doctor: --root %s: %s\n"
				"Try 'onboardctl --help'.\n",
			o->root, strerror(errno));
		return 2;
	}
	r = doctor_openat2(d.rootfd, "/", O_PATH, DOCTOR_RESOLVE);
	if (r >= 0) {
		close(r);
	} else if (d.root[0]) {
		/* No way to stay inside the tree: refuse rather than read the
		 * host's files (see DOCTOR_RESOLVE). */
		fprintf(stderr, "onboardctl: doctor: --root %s: this kernel cannot open files "
				"inside a directory as in a chroot (openat2: %s; Linux 5.6 or "
				"later has it)\n",
			o->root, strerror(-r));
		close(d.rootfd);
		return 2;
	} else {
		d.no_openat2 = true;
	}
	r = 0;
	/* The default socket and state directory are names inside the tree,
	 * looked up there; --socket and --state-dir are paths of this host. */
	if (snprintf(socket, sizeof(socket), "%s", o->socket ? o->socket : OB_DEFAULT_SOCKET) >=
		    (int)sizeof(socket) ||
	    snprintf(state, sizeof(state), "%s",
		     o->state_dir ? o->state_dir : OB_DEFAULT_STATE_DIR) >= (int)sizeof(state) ||
	    (!o->socket && doctor_display(&d, socket, shown, sizeof(shown)) < 0) ||
	    (!o->state_dir && doctor_display(&d, state, shown, sizeof(shown)) < 0)) {
		fprintf(stderr, "onboardctl: doctor: a path is too long\n"
				"Try 'onboardctl --help'.\n");
		close(d.rootfd);
		return 2;
	}
	r = doctor_pam_check(&d);
	if (r == 0)
		r = doctor_sshd_check(&d);
	if (r == 0) {
		if (doctor_socket(&d, socket, !o->socket))
			doctor_daemon(&d, socket, !o->socket);
		doctor_state(&d, state, !o->state_dir);
	}
	if (r == 0 && !d.oom) {
		r = o->json ? doctor_print_json(&d) : doctor_print(&d);
		if (r == 0)
			r = output_finish();
		if (r < 0)
			fprintf(stderr, "onboardctl: cannot write the output: %s\n", strerror(-r));
	} else {
		fprintf(stderr, "onboardctl: doctor: %s\n",
			r < 0 && r != -ENOMEM ? strerror(-r) : "out of memory");
		r = -ENOMEM;
	}
	found = d.count;
	doctor_rollback(&d, 0);
	free(d.findings);
	close(d.rootfd);
	return r < 0 || found ? 1 : 0;
}
