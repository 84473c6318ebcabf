/* SPDX-License-Identifier: BSD-3-Clause */
/* Classifying host accounts through NSS, and making new ones with
 * shadow's useradd (onboardctl user add --create-account). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <time.h>
#include <sys/wait.h>

#include "accounts.h"
#include "passwd.h"
#include "text.h"

enum account_kind accounts_kind(const char *username, uid_t uid_min)
{
	struct passwd_entry pw;
	int r = passwd_kind(username, uid_min, &pw);

	if (r == PASSWD_NONE)
		return ACCOUNT_NONE;
	if (r == PASSWD_REGULAR)
		return ACCOUNT_REGULAR;
	return ACCOUNT_SYSTEM; /* root, below uid_min, or a lookup error */
}

/* ------------------------------------------------ many names at once */

struct accounts_entry {
	char *name;
	uid_t uid;
};

struct accounts_snapshot {
	bool complete;
	size_t n, cap;
	struct accounts_entry *e;
};

/* Whether every passwd source named in nsswitch.conf enumerates all the
 * names it resolves.  Anything unexpected (no file, no passwd line, a
 * source not known to) says no. */
static bool accounts_sources_enumerate(const char *path)
{
	static const char *const whole[] = { "files", "compat", "systemd" };
	FILE *f = fopen(path, "re");
	char line[1024];
	bool found = false, all = true;

	if (!f)
		return false;
	while (fgets(line, sizeof(line), f)) {
		char *save = NULL, *tok, *p = line + strspn(line, " \t");

		if (strncmp(p, "passwd:", 7) != 0)
			continue;
		/* Two passwd lines: glibc may use either (the first, in
		 * releases before 2.33): every source of both must enumerate. */
		found = true;
		for (tok = strtok_r(p + 7, " \t\n", &save); tok; tok = strtok_r(NULL, " \t\n", &save)) {
			bool known = false;

			/* Actions ("[NOTFOUND=return]") change no source's answers. */
			if (tok[0] == '[') {
				while (!strchr(tok, ']') && (tok = strtok_r(NULL, " \t\n", &save)))
					;
				if (!tok)
					break;
				continue;
			}
			for (size_t i = 0; i < sizeof(whole) / sizeof(whole[0]); i++)
				known |= strcmp(tok, whole[i]) == 0;
			all &= known;
		}
	}
	fclose(f);
	return found && all;
}

static int accounts_entry_cmp(const void *a, const void *b)
{
	return strcmp(((const struct accounts_entry *)a)->name,
		      ((const struct accounts_entry *)b)->name);
}

/* Read the whole passwd database: 0, or -errno (nothing kept). */
static int accounts_enumerate(struct accounts_snapshot *s)
{
	struct passwd pw, *res;
	size_t size = 4096;
	char *buf = malloc(size);
	int r = 0;

	if (!buf)
		return -ENOMEM;
	setpwent();
	for (;;) {
		r = getpwent_r(&pw, buf, size, &res);
		if (r == ERANGE && size < PASSWD_BUF_MAX) {
			char *more = realloc(buf, size * 2);

			if (!more) {
				r = ENOMEM;
				break;
			}
			buf = more;
			size *= 2;
			continue;
		}
		if (r || !res)
			break;
		if (s->n == s->cap) {
			size_t cap = s->cap ? s->cap * 2 : 256;
			struct accounts_entry *e = realloc(s->e, cap * sizeof(*e));

			if (!e) {
				r = ENOMEM;
				break;
			}
			s->e = e;
			s->cap = cap;
		}
		s->e[s->n].name = strdup(pw.pw_name);
		if (!s->e[s->n].name) {
			r = ENOMEM;
			break;
		}
		s->e[s->n++].uid = pw.pw_uid;
	}
	endpwent();
	free(buf);
	/* The end of the database is ENOENT (or 0 with no entry). */
	if (r && r != ENOENT)
		return -r;
	qsort(s->e, s->n, sizeof(*s->e), accounts_entry_cmp);
	/* A name two sources list (files and systemd both have root) is
	 * kept once, with the lower uid: the more careful answer. */
	for (size_t i = 1, j = 0; i <= s->n; i++) {
		if (i == s->n) {
			s->n = s->n ? j + 1 : 0;
			break;
		}
		if (strcmp(s->e[i].name, s->e[j].name) == 0) {
			if (s->e[i].uid < s->e[j].uid)
				s->e[j].uid = s->e[i].uid;
			free(s->e[i].name);
		} else {
			s->e[++j] = s->e[i];
		}
	}
	return 0;
}

void accounts_snapshot_free(struct accounts_snapshot *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n; i++)
		free(s->e[i].name);
	free(s->e);
	free(s);
}

struct accounts_snapshot *accounts_snapshot_new(const char *nsswitch)
{
	struct accounts_snapshot *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	if (!accounts_sources_enumerate(nsswitch ? nsswitch : ACCOUNTS_NSSWITCH))
		return s;
	if (accounts_enumerate(s) < 0) {
		/* Half a database would call names free that are not: every
		 * name goes to NSS instead. */
		for (size_t i = 0; i < s->n; i++)
			free(s->e[i].name);
		s->n = 0;
		return s;
	}
	s->complete = true;
	return s;
}

bool accounts_snapshot_complete(const struct accounts_snapshot *s)
{
	return s && s->complete;
}

enum account_kind accounts_snapshot_kind(const struct accounts_snapshot *s,
					 const char *username, uid_t uid_min)
{
	struct accounts_entry key = { .name = (char *)username }, *e;

	if (!accounts_snapshot_complete(s))
		return accounts_kind(username, uid_min);
	/* The rule of passwd_kind. */
	if (strcmp(username, "root") == 0)
		return ACCOUNT_SYSTEM;
	e = bsearch(&key, s->e, s->n, sizeof(*s->e), accounts_entry_cmp);
	if (!e)
		return ACCOUNT_NONE;
	return e->uid == 0 || e->uid < uid_min ? ACCOUNT_SYSTEM : ACCOUNT_REGULAR;
}

/* ------------------------------------------------ creating accounts */

/* shadow's tools, with an environment of our own: nothing the daemon
 * inherited (LD_PRELOAD, IFS, a locale) reaches a program that edits
 * /etc/passwd. */
static const char *const accounts_env[] = { "PATH=/usr/sbin:/usr/bin:/sbin:/bin", "LC_ALL=C",
					    NULL };

/* Run argv[0] with argv; 0 when it exits 0, else -EIO with the first
 * line it wrote to stderr (or its status) in err. */
#define ACCOUNTS_TIMEOUT_MS 30000

static long long accounts_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* *code (may be NULL) receives the tool's exit status, -1 when it did
 * not exit. */
static int accounts_run(char *const argv[], int *code, char *err, size_t errlen)
{
	char buf[512], drain[256];
	size_t got = 0;
	ssize_t n;
	bool full;
	int pipefd[2], status = 0;
	long long deadline = accounts_ms() + ACCOUNTS_TIMEOUT_MS;
	bool timed_out = false;
	pid_t pid;

	if (pipe2(pipefd, O_CLOEXEC) < 0)
		return -errno;
	pid = fork();
	if (pid < 0) {
		close(pipefd[0]);
		close(pipefd[1]);
		return -errno;
	}
	if (pid == 0) {
		int devnull = open("/dev/null", O_RDWR);
		sigset_t none;

		/* The daemon blocks its signals for signalfd and ignores
		 * SIGPIPE: the tool gets the defaults, as from a shell. */
		sigemptyset(&none);
		if (devnull < 0 || dup2(devnull, 0) < 0 || dup2(devnull, 1) < 0 ||
		    dup2(pipefd[1], 2) < 0 || sigprocmask(SIG_SETMASK, &none, NULL) < 0 ||
		    signal(SIGPIPE, SIG_DFL) == SIG_ERR)
			_exit(127);
		execve(argv[0], argv, (char *const *)accounts_env);
		_exit(127);
	}
	close(pipefd[1]);
	/* The caller waits (the event loop does): a tool that hangs, on a
	 * lock of /etc/passwd say, is stopped after ACCOUNTS_TIMEOUT_MS. */
	for (;;) {
		struct pollfd pfd = { .fd = pipefd[0], .events = POLLIN };
		long long left = deadline - accounts_ms();
		int pr;

		if (left <= 0) {
			kill(pid, SIGKILL);
			timed_out = true;
			break;
		}
		pr = poll(&pfd, 1, (int)left);
		if (pr < 0 && errno == EINTR)
			continue;
		if (pr <= 0)
			continue; /* timeout: the deadline check above stops it */
		/* Past the first line's worth, the rest is read and dropped. */
		full = got + 1 >= sizeof(buf);
		n = read(pipefd[0], full ? drain : buf + got, full ? sizeof(drain) : sizeof(buf) - 1 - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (!full)
			got += (size_t)n;
	}
	close(pipefd[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (timed_out) {
		snprintf(err, errlen, "%s took longer than %d seconds and was stopped", argv[0],
			 ACCOUNTS_TIMEOUT_MS / 1000);
		return -ETIMEDOUT;
	}
	buf[got] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	if (code)
		*code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	text_printable(buf, strlen(buf) + 1, buf, 0);
	if (buf[0])
		snprintf(err, errlen, "%s", buf);
	else if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
		snprintf(err, errlen, "%s could not be run", argv[0]);
	else
		snprintf(err, errlen, "%s failed (status %d)", argv[0],
			 WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	return -EIO;
}

int accounts_create(const char *username, const char *first, const char *last,
		    const char *shell, bool create_home, char *err, size_t errlen)
{
	char gecos[2 * 64 + 2], user[64];
	char *argv[10];
	int i = 0;

	/* useradd refuses ':' and newlines in the comment; ',' and '='
	 * would split it into finger's fields. */
	snprintf(gecos, sizeof(gecos), "%s %s", first, last);
	for (size_t k = 0; gecos[k]; k++)
		if (strchr(":,=\\", gecos[k]) || (unsigned char)gecos[k] < 0x20)
			gecos[k] = ' ';
	snprintf(user, sizeof(user), "%s", username);
	argv[i++] = (char *)ACCOUNTS_USERADD;
	argv[i++] = (char *)"--comment";
	argv[i++] = gecos;
	argv[i++] = (char *)"--shell";
	argv[i++] = (char *)shell;
	argv[i++] = (char *)(create_home ? "--create-home" : "--no-create-home");
	argv[i++] = (char *)"--user-group";
	argv[i++] = user;
	argv[i] = NULL;
	return accounts_run(argv, NULL, err, errlen);
}

int accounts_remove(const char *username, bool remove_home, char *err, size_t errlen)
{
	char user[64];
	char *argv[] = { (char *)ACCOUNTS_USERDEL, (char *)(remove_home ? "--remove" : "--force"),
			 user, NULL };

	int code = 0, r;

	snprintf(user, sizeof(user), "%s", username);
	r = accounts_run(argv, &code, err, errlen);
	/* userdel's status 6: the account does not exist. */
	return r == -EIO && code == 6 ? -ENOENT : r;
}

int accounts_lock(const char *username, char *err, size_t errlen)
{
	char user[64];
	char *argv[] = { (char *)ACCOUNTS_USERMOD, (char *)"--lock", user, NULL };

	snprintf(user, sizeof(user), "%s", username);
	return accounts_run(argv, NULL, err, errlen);
}
