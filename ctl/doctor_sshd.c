/* SPDX-License-Identifier: BSD-3-Clause */
/* doctor's sshd checks, made only when the sshd PAM service runs
 * pam_onboard.so: sshd must use PAM at all, and must offer
 * keyboard-interactive authentication, the only one that carries
 * onboard's dialogue of several prompts.
 *
 * The effective values come from "sshd -T" when doctor checks this host
 * as root; the file and line to blame come from reading sshd_config and
 * its Include files as sshd does (first value wins; Match blocks are
 * conditional and skipped). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "doctor.h"
#include "ob_cleanup.h"

#define SSHD_FILE_MAX (1024 * 1024)
_Static_assert(SSHD_FILE_MAX == 1024 * 1024, "doctor_read_error says 1 MiB");
#define SSHD_OUTPUT_MAX (256 * 1024)
/* sshd's own limit on nested Include. */
#define SSHD_DEPTH_MAX 16
/* Files read through Include, in all (doctor's limit, not sshd's). */
#define SSHD_FILES_MAX 256
#define SSHD_TIMEOUT_MS 5000
#define SSHD_VALUE_MAX 512

enum sshd_key { SSHD_USEPAM, SSHD_KBDINT, SSHD_AUTHMETHODS, SSHD_KEYS };

struct sshd_value {
	bool set;
	char value[SSHD_VALUE_MAX];
	char file[PATH_MAX];
	int line;
};

struct sshd_conf {
	struct sshd_value v[SSHD_KEYS];
	/* The files being read, outermost first, to see an Include loop. */
	dev_t dev[SSHD_DEPTH_MAX + 1];
	ino_t ino[SSHD_DEPTH_MAX + 1];
	int files; /* read in all */
};

static const struct {
	const char *name;
	enum sshd_key key;
} sshd_keywords[] = {
	{ "usepam", SSHD_USEPAM },
	{ "kbdinteractiveauthentication", SSHD_KBDINT },
	/* the older name of the same setting, still accepted */
	{ "challengeresponseauthentication", SSHD_KBDINT },
	{ "authenticationmethods", SSHD_AUTHMETHODS },
};

static int sshd_parse_file(struct doctor *d, struct sshd_conf *c, const char *name, bool host,
			   int depth, const char *from, int from_line);

static void sshd_set(struct sshd_conf *c, enum sshd_key k, const char *value, const char *file,
		     int line)
{
	struct sshd_value *v = &c->v[k];

	if (v->set)
		return;
	v->set = true;
	snprintf(v->value, sizeof(v->value), "%s", value);
	snprintf(v->file, sizeof(v->file), "%s", file);
	v->line = line;
}

/* Include's patterns: relative ones are under /etc/ssh, all inside the
 * checked tree, matched there (doctor_glob: "..", symlinks and the
 * walk stay inside, within bounds). */
static int sshd_include(struct doctor *d, struct sshd_conf *c, char *value, const char *file,
			int line, int depth)
{
	char *save = NULL, *pat;
	int r = 0;

	for (pat = strtok_r(value, " \t", &save); pat && r == 0; pat = strtok_r(NULL, " \t", &save)) {
		char abs[PATH_MAX];
		size_t len = strlen(pat);
		struct doctor_glob g;

		if (len >= 2 && pat[0] == '"' && pat[len - 1] == '"') {
			pat[len - 1] = '\0';
			pat++;
		}
		if (snprintf(abs, sizeof(abs), "%s%s", pat[0] == '/' ? "" : "/etc/ssh/", pat) >=
		    (int)sizeof(abs)) {
			doctor_report(d, file, line, "sshd-include", "Include path too long",
				      "doctor cannot follow it");
			continue;
		}
		/* All the patterns together: one finding, at the first line
		 * doctor no longer follows, then no more walking. */
		if (d->glob_scanned >= DOCTOR_GLOB_SCAN_TOTAL_MAX) {
			if (!d->glob_stopped)
				doctor_report(d, file, line, "sshd-include-bound",
					      "Includes search too many directory entries",
					      "more than %d for all Include patterns together: "
					      "doctor follows no Include from here on",
					      DOCTOR_GLOB_SCAN_TOTAL_MAX);
			d->glob_stopped = true;
			return 0;
		}
		r = doctor_glob(d, abs, &g);
		d->glob_scanned += g.scanned;
		if (r == -ENAMETOOLONG) {
			doctor_report(d, file, line, "sshd-include", "Include path too long",
				      "doctor cannot follow it");
			r = 0;
			continue;
		}
		if (r < 0)
			return r;
		switch (g.bound) {
		case DOCTOR_GLOB_OK:
			break;
		case DOCTOR_GLOB_DEEP:
			doctor_report(d, file, line, "sshd-include-bound", "Include pattern too deep",
				      "more than %d path components with wildcards: doctor does "
				      "not walk that far and reads none of what it matches",
				      DOCTOR_GLOB_DEPTH_MAX);
			break;
		case DOCTOR_GLOB_MANY:
			doctor_report(d, file, line, "sshd-include-bound",
				      "Include matches too many files",
				      "more than %d: doctor reads none of them",
				      DOCTOR_GLOB_MATCHES_MAX);
			break;
		case DOCTOR_GLOB_WIDE:
			doctor_report(d, file, line, "sshd-include-bound",
				      "Include searches too many directory entries",
				      "more than %d: doctor reads none of what it matches",
				      DOCTOR_GLOB_SCAN_MAX);
			break;
		}
		/* no match is no error for sshd either */
		for (size_t i = 0; i < g.count && r == 0; i++)
			r = sshd_parse_file(d, c, g.names[i], false, depth + 1, file, line);
		doctor_glob_free(&g);
	}
	return r;
}

/* One line of sshd_config ("Keyword value" or "Keyword=value").
 * Include is followed only when d is given.  Returns 0 or -ENOMEM. */
static int sshd_parse_line(struct doctor *d, struct sshd_conf *c, char *line, const char *file,
			   int lineno, int depth, bool *in_match)
{
	char *kw = line + strspn(line, " \t\r"), *value, *end;

	if (!*kw || *kw == '#')
		return 0;
	value = kw + strcspn(kw, " \t=");
	end = value;
	value += strspn(value, " \t");
	if (*value == '=')
		value += 1 + strspn(value + 1, " \t");
	*end = '\0';
	end = value + strlen(value);
	while (end > value && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r'))
		*--end = '\0';
	if (strcasecmp(kw, "match") == 0) {
		*in_match = strcasecmp(value, "all") != 0;
		return 0;
	}
	if (*in_match)
		return 0;
	if (strcasecmp(kw, "include") == 0 && d) {
		if (depth + 1 < SSHD_DEPTH_MAX)
			return sshd_include(d, c, value, file, lineno, depth);
		doctor_report(d, file, lineno, "sshd-include", "Include nested too deep",
			      "more than %d levels: sshd refuses to start", SSHD_DEPTH_MAX);
		return 0;
	}
	for (size_t i = 0; i < OB_ARRAY_SIZE(sshd_keywords); i++)
		if (strcasecmp(kw, sshd_keywords[i].name) == 0)
			sshd_set(c, sshd_keywords[i].key, value, file, lineno);
	return 0;
}

/* A whole sshd_config (or "sshd -T" output, which reads the same); a
 * Match block lasts to the end of its file. */
static int sshd_parse_text(struct doctor *d, struct sshd_conf *c, char *text, const char *file,
			   int depth)
{
	bool in_match = false;
	int lineno = 0, r = 0;

	for (char *p = text; p && r == 0;) {
		char *line = p, *nl = strchr(p, '\n');

		if (nl)
			*nl = '\0';
		p = nl ? nl + 1 : NULL;
		r = sshd_parse_line(d, c, line, file, ++lineno, depth, &in_match);
	}
	return r;
}

/* name inside the tree, or (host) the --sshd-config file as given;
 * from:from_line is the Include that names it (none for the first). */
static int sshd_parse_file(struct doctor *d, struct sshd_conf *c, const char *name, bool host,
			   int depth, const char *from, int from_line)
{
	char path[PATH_MAX], *text;
	struct stat st;
	size_t len;
	int r;

	if (host)
		snprintf(path, sizeof(path), "%s", name);
	else if (doctor_display(d, name, path, sizeof(path)) < 0) {
		doctor_report(d, from, from_line, "sshd-include", "Include path too long",
			      "doctor cannot follow it");
		return 0;
	}
	if (from && c->files == SSHD_FILES_MAX) {
		doctor_report(d, from, from_line, "sshd-include-bound", "too many files",
			      "doctor reads at most %d files of sshd's configuration and does "
			      "not check the rest",
			      SSHD_FILES_MAX);
		return 0;
	}
	r = doctor_read_file(host ? NULL : d, name, SSHD_FILE_MAX, &text, &len, &st);
	if (r == -ENOMEM)
		return r;
	if (r < 0) {
		doctor_report(d, path, 0, "sshd-unreadable", "cannot read sshd's configuration",
			      "%s", doctor_read_error(r, &st));
		return 0;
	}
	c->files++;
	for (int k = 0; k < depth; k++)
		if (c->dev[k] == st.st_dev && c->ino[k] == st.st_ino) {
			free(text);
			doctor_report(d, from, from_line, "sshd-include-loop", "Include loop",
				      "%s includes itself through this line: sshd follows Include "
				      "%d levels deep and then refuses to start",
				      path, SSHD_DEPTH_MAX);
			return 0;
		}
	c->dev[depth] = st.st_dev;
	c->ino[depth] = st.st_ino;
	r = sshd_parse_text(d, c, text, path, depth);
	free(text);
	return r;
}

/* Run "sshd -T" and parse what it prints.  Returns 1 when that worked,
 * 0 when sshd cannot tell (said on stderr), -ENOMEM. */
static int sshd_run_T(struct sshd_conf *c)
{
	static const char *const paths[] = { "/usr/sbin/sshd", "/usr/local/sbin/sshd",
					     "/sbin/sshd" };
	const char *sshd = NULL;
	char *out;
	size_t len = 0;
	int pipefd[2], status, r = 0;
	struct timespec t0, t;
	pid_t pid;

	for (size_t i = 0; i < OB_ARRAY_SIZE(paths) && !sshd; i++)
		if (access(paths[i], X_OK) == 0)
			sshd = paths[i];
	if (!sshd)
		return 0;
	out = malloc(SSHD_OUTPUT_MAX + 1);
	if (!out)
		return -ENOMEM;
	if (pipe2(pipefd, O_CLOEXEC) < 0) {
		free(out);
		return 0;
	}
	pid = fork();
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR);

		if (null < 0 || dup2(null, 0) < 0 || dup2(pipefd[1], 1) < 0 || dup2(null, 2) < 0)
			_exit(127);
		execl(sshd, "sshd", "-T", (char *)NULL);
		_exit(127);
	}
	close(pipefd[1]);
	if (pid < 0) {
		close(pipefd[0]);
		free(out);
		return 0;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		struct pollfd pfd = { .fd = pipefd[0], .events = POLLIN };
		long ms;
		ssize_t n;

		clock_gettime(CLOCK_MONOTONIC, &t);
		ms = SSHD_TIMEOUT_MS - ((t.tv_sec - t0.tv_sec) * 1000 +
					(t.tv_nsec - t0.tv_nsec) / 1000000);
		if (ms <= 0 || poll(&pfd, 1, (int)ms) == 0) {
			r = -ETIMEDOUT;
			break;
		}
		n = read(pipefd[0], out + len, SSHD_OUTPUT_MAX - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
		if (len == SSHD_OUTPUT_MAX) {
			r = -EFBIG;
			break;
		}
	}
	close(pipefd[0]);
	if (r < 0)
		kill(pid, SIGKILL);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	out[len] = '\0';
	if (r == 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0 && len > 0 &&
	    !memchr(out, '\0', len)) {
		r = sshd_parse_text(NULL, c, out, "sshd -T", 0) < 0 ? -ENOMEM : 1;
	} else {
		fprintf(stderr, "onboardctl: doctor: \"%s -T\" %s; reading sshd_config instead\n",
			sshd, r == -ETIMEDOUT ? "did not finish within 5 seconds"
			      : r == -EFBIG   ? "printed too much"
					      : "failed");
		r = 0;
	}
	free(out);
	return r;
}

/* The effective value of k (from sshd -T when there is one) and where it
 * is set: a file line, else the line of sshd -T, else main:0 (sshd's
 * built-in default, dflt). */
static const char *sshd_pick(const struct sshd_conf *files, const struct sshd_conf *t,
			     enum sshd_key k, const char *dflt, const char *main, char *where,
			     size_t size, int *line)
{
	const struct sshd_value *f = &files->v[k], *tv = t ? &t->v[k] : NULL;
	const struct sshd_value *loc = f->set ? f : tv && tv->set ? tv : NULL;

	snprintf(where, size, "%s", loc ? loc->file : main);
	*line = loc ? loc->line : 0;
	if (tv && tv->set)
		return tv->value;
	return f->set ? f->value : dflt;
}

/* Whether a value of AuthenticationMethods lets some login use
 * keyboard-interactive (optionally with a submethod, ":pam"). */
static bool sshd_methods_have_kbdint(const char *value)
{
	const char *p = value;

	if (strcasecmp(value, "any") == 0)
		return true;
	while (*p) {
		size_t n = strcspn(p, ", \t:");

		if (n == strlen("keyboard-interactive") &&
		    strncmp(p, "keyboard-interactive", n) == 0)
			return true;
		p += n;
		p += strspn(p, ", \t");
		if (*p == ':')
			p += strcspn(p, ", \t");
		p += strspn(p, ", \t");
	}
	return false;
}

int doctor_sshd_check(struct doctor *d)
{
	_cleanup_free_ struct sshd_conf *files = calloc(1, sizeof(*files));
	_cleanup_free_ struct sshd_conf *t = calloc(1, sizeof(*t));
	char main[PATH_MAX], where[PATH_MAX];
	const char *v;
	bool have_t = false;
	struct stat st;
	int line, r;

	if (!d->sshd_onboard)
		return 0;
	if (!files || !t)
		return -ENOMEM;
	if (d->sshd_config)
		snprintf(main, sizeof(main), "%s", d->sshd_config);
	else if (doctor_display(d, "/etc/ssh/sshd_config", main, sizeof(main)) < 0)
		return 0;
	if (!d->sshd_config && doctor_lstat(d, "/etc/ssh/sshd_config", &st) < 0)
		return 0; /* no sshd here: nothing runs the sshd stack */
	r = sshd_parse_file(d, files, d->sshd_config ? d->sshd_config : "/etc/ssh/sshd_config",
			    d->sshd_config != NULL, 0, NULL, 0);
	if (r < 0)
		return r;
	if (!d->sshd_config && !d->root[0] && geteuid() == 0) {
		r = sshd_run_T(t);
		if (r < 0)
			return r;
		have_t = r == 1;
	}

	v = sshd_pick(files, have_t ? t : NULL, SSHD_USEPAM, "no", main, where, sizeof(where),
		      &line);
	if (strncasecmp(v, "yes", 3) != 0 || (v[3] && v[3] != ' ' && v[3] != '\t'))
		doctor_report(d, where, line, "sshd-usepam",
			      line ? "UsePAM is not yes" : "UsePAM is not set (sshd's default is no)",
			      "sshd does not use PAM, so its stack with pam_onboard.so (%s) never "
			      "runs; write \"UsePAM yes\"",
			      d->sshd_pam);
	if (!d->sshd_onboard_auth)
		return 0;
	v = sshd_pick(files, have_t ? t : NULL, SSHD_KBDINT, "yes", main, where, sizeof(where),
		      &line);
	if (strncasecmp(v, "no", 2) == 0 && (!v[2] || v[2] == ' ' || v[2] == '\t'))
		doctor_report(d, where, line, "sshd-kbdint", "keyboard-interactive is disabled",
			      "onboard's prompts (code, username, new password, authenticator) "
			      "reach people over ssh only through keyboard-interactive "
			      "authentication, so pam_onboard.so (%s) cannot log anyone in; "
			      "write \"KbdInteractiveAuthentication yes\"",
			      d->sshd_pam);
	v = sshd_pick(files, have_t ? t : NULL, SSHD_AUTHMETHODS, "any", main, where,
		      sizeof(where), &line);
	if (!sshd_methods_have_kbdint(v))
		doctor_report(d, where, line, "sshd-authmethods",
			      "AuthenticationMethods never includes keyboard-interactive",
			      "no way to log in runs the auth stack with pam_onboard.so (%s); add "
			      "keyboard-interactive to one list at least",
			      d->sshd_pam);
	return 0;
}
