/* SPDX-License-Identifier: BSD-3-Clause */
/* doctor's PAM checks.  Each file of ROOT/etc/pam.d is a service; its
 * auth, account and password stacks are flattened the way libpam loads
 * them (include and @include in place, substack as one module that
 * holds its own lines) and then read for the ways a login can go
 * around pam_onboard.so. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "doctor.h"
#include "doctor_pamconf.h"
#include "ob_cleanup.h"

#define PAM_MODULE "pam_onboard.so"
/* libpam's PAM_SUBSTACK_MAX_LEVEL; we count includes too, so that a loop
 * that detection missed still ends. */
#define PAM_NEST_MAX 16
#define PAM_FILE_MAX (1024 * 1024)
_Static_assert(PAM_FILE_MAX == 1024 * 1024, "doctor_read_error says 1 MiB");
#define PAM_FILES_MAX 512
/* Includes followed for one service, in all: a few files that each
 * include the next many times must not make doctor work for ever. */
#define PAM_EXPANSIONS_MAX 4096
/* Lines read for one type of one service, in all its includes: the
 * includes above are few, but each may bring a file of 1 MiB, and the
 * stack doctor builds of them grew without bound (a few files of 35,000
 * lines, each included 16 times by the one above, made doctor run for
 * minutes and take gigabytes). */
#define PAM_LINES_MAX 65536
/* pam_flatten: libpam refuses the file as a whole. */
#define PAM_REFUSED 1

struct pam_file {
	char *name; /* as an include names it, or the service's file name */
	char path[PATH_MAX];
	int err; /* -errno when it could not be read */
	struct stat st; /* what it is, also when not a regular file */
	bool included; /* another file includes it: a fragment, not only a service */
	struct pamconf_file conf;
};

struct pam_ctx {
	struct doctor *d;
	char dir[PATH_MAX];
	struct pam_file *files;
	size_t nfiles, cap;
	size_t expansions; /* of the service being read */
	size_t lines;      /* ... and its lines read for the type being read */
};

/* Files are named by index: c->files moves as more are loaded (the
 * lines of each stay where they are). */
struct pam_entry {
	size_t file;
	const struct pamconf_line *line;
	int depth; /* substack level */
};

struct pam_stack {
	struct pam_entry *e;
	size_t n, cap;
};

/* ------------------------------------------------------------- loading */

/* Backups that no program names as its service. */
static bool pam_skip_name(const char *name)
{
	static const char *const suffixes[] = { "~", ".dpkg-old", ".dpkg-new", ".dpkg-dist",
						".dpkg-bak", ".rpmnew", ".rpmsave", ".orig",
						".bak", ".swp" };
	size_t len = strlen(name);

	if (name[0] == '.')
		return true;
	for (size_t i = 0; i < OB_ARRAY_SIZE(suffixes); i++) {
		size_t sl = strlen(suffixes[i]);

		if (len > sl && strcmp(name + len - sl, suffixes[i]) == 0)
			return true;
	}
	return false;
}

/* The file name refers to (a name in pam.d, or an absolute path inside
 * the tree), read and parsed once.  It is looked for inside the tree
 * only ("..", symlinks: see doctor_read_file), as libpam would in a
 * chroot there.  Returns its index or -ENOMEM/-E2BIG. */
static int pam_load(struct pam_ctx *c, const char *name)
{
	char inside[PATH_MAX];
	struct pam_file *f;
	char *text = NULL;
	size_t len = 0;
	int r;

	for (size_t i = 0; i < c->nfiles; i++)
		if (strcmp(c->files[i].name, name) == 0)
			return (int)i;
	if (c->nfiles == PAM_FILES_MAX)
		return -E2BIG;
	if (c->nfiles == c->cap) {
		struct pam_file *grown = doctor_grow(c->files, &c->cap, sizeof(*grown), 8);

		if (!grown)
			return -ENOMEM;
		c->files = grown;
	}
	f = &c->files[c->nfiles];
	memset(f, 0, sizeof(*f));
	f->name = strdup(name);
	if (!f->name)
		return -ENOMEM;
	r = snprintf(inside, sizeof(inside), "%s%s", name[0] == '/' ? "" : "/etc/pam.d/", name) >=
			    (int)sizeof(inside)
		    ? -ENAMETOOLONG
		    : doctor_display(c->d, inside, f->path, sizeof(f->path));
	if (r == 0)
		r = doctor_read_file(c->d, inside, PAM_FILE_MAX, &text, &len, &f->st);
	if (r == 0) {
		r = pamconf_parse(&f->conf, text, len);
		free(text);
	}
	if (r == -ENOMEM) {
		free(f->name);
		return r;
	}
	f->err = r;
	return (int)c->nfiles++;
}

static void pam_free(struct pam_ctx *c)
{
	for (size_t i = 0; i < c->nfiles; i++) {
		free(c->files[i].name);
		pamconf_free(&c->files[i].conf);
	}
	free(c->files);
}

static bool pam_includes(const struct pamconf_line *l)
{
	return l->control == PAMCONF_INCLUDE || l->control == PAMCONF_SUBSTACK ||
	       l->control == PAMCONF_AT_INCLUDE;
}

static bool pam_is_onboard(const struct pamconf_line *l)
{
	return !pam_includes(l) && strcmp(pamconf_module_base(l), PAM_MODULE) == 0;
}

/* ---------------------------------------------------------- flattening */

static int pam_push(struct pam_stack *st, size_t file, const struct pamconf_line *l, int depth)
{
	if (st->n == st->cap) {
		struct pam_entry *grown = doctor_grow(st->e, &st->cap, sizeof(*grown), 32);

		if (!grown)
			return -ENOMEM;
		st->e = grown;
	}
	st->e[st->n++] = (struct pam_entry){ file, l, depth };
	return 0;
}

/* What libpam does instead of a file it cannot load for an include
 * line: a failing module in the line's place, or, for an @include read
 * for every type (from the service itself, through @include only),
 * nothing at all: Debian's @include then fails the whole service. */
static const char *pam_load_failure(bool refused)
{
	return refused ? "libpam refuses the whole service: every login through it fails, "
			 "root's too"
		       : "libpam makes this line one that always fails";
}

/* Lines of type from file fi, includes followed; chain holds the files
 * being included, outermost first, to see loops.  any: fi is read for
 * every type (the service itself, or @include from there), where libpam
 * puts a line of unknown type into auth; otherwise into the type asked.
 * An include that cannot be loaded stands in the stack as the failing
 * module libpam puts there, which counts in jumps.  Problems with the
 * lines met are reported.  Returns 0, PAM_REFUSED when libpam refuses
 * fi as a whole, or -ENOMEM. */
static int pam_flatten(struct pam_ctx *c, size_t fi, enum pamconf_type type, bool any,
		       int depth, size_t *chain, int nest, struct pam_stack *st)
{
	const struct pam_file *f;
	int r;

	for (size_t i = 0; i < c->files[fi].conf.count; i++) {
		const struct pamconf_line *l;
		bool loop = false, refused;
		int idx;

		/* pam_load may move the array: look again every time. */
		f = &c->files[fi];
		l = &f->conf.lines[i];
		if (++c->lines > PAM_LINES_MAX) {
			/* Reported once, where the unread part begins. */
			if (c->lines == PAM_LINES_MAX + 1)
				doctor_report(c->d, f->path, l->lineno, "pam-include-bound",
					      "too many lines",
					      "doctor reads at most %d lines for one type of one "
					      "service, its includes together: this line and the "
					      "rest are not checked",
					      PAM_LINES_MAX);
			c->lines = PAM_LINES_MAX + 2;
			return 0;
		}
		if (l->type != type && l->type != PAMCONF_ANY && l->type != PAMCONF_TYPE_BAD)
			continue;
		if (l->long_line && !l->error[0])
			doctor_report(c->d, f->path, l->lineno, "pam-line-long",
				      "line too long for libpam 1.5",
				      "more than %d bytes: libpam 1.5 (Debian 12) reads the first "
				      "ones as a line and the rest as another, which mostly fails (a "
				      "continued line can even make it hang); 1.6 and later read it "
				      "whole; shorten it",
				      PAMCONF_LINE_LIBPAM);
		if (l->error[0]) {
			doctor_report(c->d, f->path, l->lineno, "pam-syntax",
				      "PAM cannot read this line",
				      "%s; libpam installs it as a module that always fails", l->error);
			if (l->type == PAMCONF_TYPE_BAD || !pam_includes(l) || !l->module) {
				bool here = l->type == type ||
					    (l->type == PAMCONF_TYPE_BAD &&
					     (!any || type == PAMCONF_AUTH));

				/* It counts in jumps like any module. */
				if (here && pam_push(st, fi, l, depth) < 0)
					return -ENOMEM;
				continue;
			}
		}
		if (!pam_includes(l)) {
			if (pam_push(st, fi, l, depth) < 0)
				return -ENOMEM;
			continue;
		}
		if (l->control == PAMCONF_SUBSTACK && pam_push(st, fi, l, depth) < 0)
			return -ENOMEM;
		refused = any && l->control == PAMCONF_AT_INCLUDE;
		idx = pam_load(c, l->module);
		if (idx == -ENOMEM)
			return idx;
		f = &c->files[fi];
		r = 0;
		if (idx < 0) {
			/* doctor's limit, not libpam's: what libpam does is unknown. */
			doctor_report(c->d, f->path, l->lineno, "pam-include-missing",
				      "too many files", "doctor reads at most %d PAM files",
				      PAM_FILES_MAX);
			continue;
		} else if (l->error[0]) {
			doctor_report(c->d, f->path, l->lineno, "pam-include-missing",
				      "included file cannot be read",
				      "libpam looks for a name that ends in a carriage return; %s",
				      pam_load_failure(refused));
			r = PAM_REFUSED;
		} else if (nest + 1 >= PAM_NEST_MAX) {
			doctor_report(c->d, f->path, l->lineno, "pam-include-depth",
				      "includes nested too deep",
				      "more than %d levels of include and substack: libpam gives up "
				      "here; %s",
				      PAM_NEST_MAX, pam_load_failure(refused));
			r = PAM_REFUSED;
		} else if (c->files[idx].err) {
			doctor_report(c->d, f->path, l->lineno, "pam-include-missing",
				      "included file cannot be read", "%s: %s; %s",
				      c->files[idx].path,
				      doctor_read_error(c->files[idx].err, &c->files[idx].st),
				      pam_load_failure(refused));
			r = PAM_REFUSED;
		} else if (++c->expansions > PAM_EXPANSIONS_MAX) {
			/* doctor's limit, not libpam's: the rest goes unread,
			 * and is reported once, where it begins. */
			if (c->expansions == PAM_EXPANSIONS_MAX + 1)
				doctor_report(c->d, f->path, l->lineno, "pam-include-bound",
					      "too many includes",
					      "doctor follows at most %d includes for one service: "
					      "what this line and the include lines after it bring "
					      "in is not checked",
					      PAM_EXPANSIONS_MAX);
			c->expansions = PAM_EXPANSIONS_MAX + 2;
			continue;
		}
		for (int k = 0; k <= nest && r == 0; k++)
			loop = loop || chain[k] == (size_t)idx;
		if (loop) {
			/* libpam has no loop check: it includes until the depth limit. */
			doctor_report(c->d, f->path, l->lineno, "pam-include-loop", "include loop",
				      "%s includes itself through this line; %s",
				      c->files[idx].path, pam_load_failure(refused));
			r = PAM_REFUSED;
		}
		if (r == 0) {
			chain[nest + 1] = (size_t)idx;
			r = pam_flatten(c, (size_t)idx, type, refused,
					depth + (l->control == PAMCONF_SUBSTACK ? 1 : 0), chain,
					nest + 1, st);
			if (r < 0)
				return r;
		}
		if (r == PAM_REFUSED) {
			if (refused)
				return PAM_REFUSED;
			if (pam_push(st, fi, l, depth) < 0)
				return -ENOMEM;
		}
	}
	f = &c->files[fi];
	if (f->conf.unfinished) {
		doctor_report(c->d, f->path, f->conf.unfinished, "pam-unfinished",
			      "libpam stops reading this file",
			      "it ends inside this line, continued with '\\' to the end: libpam "
			      "refuses the whole file, %s",
			      !any ? "and the include or substack line that reads it fails instead"
			      : fi == chain[0] ? "and every login through this service fails, "
						 "root's too"
					       : "and every login through the services that "
						 "@include it fails, root's too");
		return PAM_REFUSED;
	}
	return 0;
}

/* ------------------------------------------------------------- reading */

/* The end of the (sub)stack that entry i belongs to: a done there ends
 * it, a jump cannot leave it. */
static size_t pam_scope_end(const struct pam_stack *st, size_t i)
{
	size_t k = i + 1;

	while (k < st->n && st->e[k].depth >= st->e[i].depth)
		k++;
	return k;
}

/* Where a jump of n from entry i goes on, as libpam counts (a substack is
 * one module), or 0 when it runs past the end: libpam then fails the
 * stack, which lets nobody in. */
static size_t pam_jump(const struct pam_stack *st, size_t i, int n, size_t end)
{
	size_t pos = i + 1;

	for (int j = 0; j < n; j++) {
		if (pos >= end)
			return 0;
		pos++;
		while (pos < end && st->e[pos].depth > st->e[i].depth)
			pos++;
	}
	return pos;
}

static bool pam_onboard_from(const struct pam_stack *st, size_t k)
{
	for (; k < st->n; k++)
		if (pam_is_onboard(st->e[k].line))
			return true;
	return false;
}

/* Whether a success of this module says nothing about who logs in.
 * pam_deny never succeeds.  pam_rootok succeeds when the program's real
 * uid is 0: in su and the other set-uid programs below that is root
 * itself, who may become anyone anyway (the usual "auth sufficient
 * pam_rootok.so" of su).  login, sshd and greeters run as root for
 * everybody, so there pam_rootok lets anyone in and is reported. */
static bool pam_harmless_success(const char *service, const struct pamconf_line *l)
{
	static const char *const setuid_services[] = { "su", "su-l", "runuser", "runuser-l",
						       "sudo", "sudo-i", "chfn", "chsh",
						       "chage", "passwd", "newgrp" };
	const char *m = pamconf_module_base(l);

	if (strcmp(m, "pam_deny.so") == 0)
		return true;
	if (strcmp(m, "pam_rootok.so") != 0)
		return false;
	for (size_t i = 0; i < OB_ARRAY_SIZE(setuid_services); i++)
		if (strcmp(service, setuid_services[i]) == 0)
			return true;
	return false;
}

/* The answer of l that ends the stack as a pass, or -1: a done on
 * success, and in account also on new_authtok_reqd, which passes once
 * the person has changed the expired Unix password (in auth,
 * applications treat it as a failure). */
static int pam_done_pass(const struct pamconf_line *l, enum pamconf_type type)
{
	if (l->action[PAMCONF_RV_SUCCESS] == PAMCONF_ACT_DONE)
		return PAMCONF_RV_SUCCESS;
	if (type == PAMCONF_ACCOUNT && l->action[PAMCONF_RV_NEW_AUTHTOK_REQD] == PAMCONF_ACT_DONE)
		return PAMCONF_RV_NEW_AUTHTOK_REQD;
	return -1;
}

/* Lines before the first pam_onboard that let the stack finish without
 * it: a done on a passing answer, or a jump (for any return value) over
 * it that lands inside the stack with no pam_onboard after the landing. */
static void pam_check_skips(struct pam_ctx *c, const char *service, enum pamconf_type type,
			    const struct pam_stack *st, size_t p)
{
	const char *tname = pamconf_type_name(type);
	const struct pam_entry *o = &st->e[p];
	const char *opath = c->files[o->file].path;

	for (size_t i = 0; i < p; i++) {
		const struct pam_entry *e = &st->e[i];
		const struct pamconf_line *l = e->line;
		size_t end = pam_scope_end(st, i), land;
		bool harmless = pam_harmless_success(service, l);
		const char *why = strcmp(pamconf_module_base(l), "pam_rootok.so") == 0
					  ? "; pam_rootok succeeds whenever the program runs as root, "
					    "as this one does for everybody"
					  : "";
		int done;

		if (pam_includes(l))
			continue;
		done = pam_done_pass(l, type);
		if (done >= 0 && !harmless && p < end && !pam_onboard_from(st, end)) {
			doctor_report(c->d, c->files[e->file].path, l->lineno, "pam-skip-done",
				      "login can skip pam_onboard.so",
				      "%s of %s ends the %s stack of service %s before "
				      "pam_onboard.so (%s:%d) runs%s",
				      done == PAMCONF_RV_SUCCESS
					      ? "a success"
					      : "new_authtok_reqd=done (the Unix password expired)",
				      pamconf_module_base(l), tname, service, opath, o->line->lineno,
				      done == PAMCONF_RV_SUCCESS
					      ? why
					      : ": the person changes it and is let in without "
						"onboard's account check");
			continue;
		}
		for (int rv = 0; rv < PAMCONF_RV_COUNT; rv++) {
			int a = l->action[rv];

			if (a <= 0 || (rv == PAMCONF_RV_SUCCESS && harmless))
				continue;
			land = pam_jump(st, i, a, end);
			if (land == 0 || p >= land || pam_onboard_from(st, land))
				continue;
			doctor_report(c->d, c->files[e->file].path, l->lineno, "pam-skip-jump",
				      "login can skip pam_onboard.so",
				      "%s=%d of %s jumps over pam_onboard.so (%s:%d) in the %s stack "
				      "of service %s%s",
				      pamconf_rv_name(rv), a, pamconf_module_base(l), opath,
				      o->line->lineno, tname, service,
				      rv == PAMCONF_RV_SUCCESS ? why : "");
			break;
		}
	}
}

/* Where a return value comes in pam_check_onboard's report: the answers
 * pam_onboard gives most (a refusal, onboardd down) first. */
static int pam_rv_rank(int rv)
{
	switch (rv) {
	case PAMCONF_RV_AUTH_ERR:
		return 0;
	case PAMCONF_RV_PERM_DENIED:
		return 1;
	case PAMCONF_RV_AUTHINFO_UNAVAIL:
		return 2;
	default:
		return 3 + rv;
	}
}

/* The pam_onboard lines themselves: each must be able to refuse.  Every
 * answer but success, ignore and new_authtok_reqd is a refusal (wrong
 * credentials, onboardd down, too many tries, an error); ignore, reset or
 * a jump on one of them leaves the decision to the rest of the stack. */
static void pam_check_onboard(struct pam_ctx *c, const char *tname, const struct pam_entry *e)
{
	const struct pamconf_line *l = e->line;
	const char *path = c->files[e->file].path;
	int worst = -1, count = 0;
	char act[32], more[64] = "";

	if (l->silent)
		doctor_report(c->d, path, l->lineno, "pam-silent",
			      "pam_onboard.so may be skipped unseen",
			      "with '-%s', libpam skips the line without a word when the module "
			      "cannot be loaded, and the stack decides without onboard",
			      tname);
	if (l->control == PAMCONF_OPTIONAL) {
		doctor_report(c->d, path, l->lineno, "pam-optional",
			      "pam_onboard.so is optional",
			      "an optional module decides nothing: its refusal is ignored and the "
			      "rest of the %s stack lets the person in; use [success=done "
			      "ignore=ignore default=die] as in pam.d-examples",
			      tname);
		return;
	}
	for (int rv = 0; rv < PAMCONF_RV_COUNT; rv++) {
		int a = l->action[rv];

		if (rv == PAMCONF_RV_SUCCESS || rv == PAMCONF_RV_IGNORE ||
		    rv == PAMCONF_RV_NEW_AUTHTOK_REQD)
			continue;
		if (a != PAMCONF_ACT_IGNORE && a != PAMCONF_ACT_RESET && a <= 0)
			continue;
		count++;
		if (worst < 0 || pam_rv_rank(rv) < pam_rv_rank(worst))
			worst = rv;
	}
	if (worst < 0)
		return;
	if (l->action[worst] > 0)
		snprintf(act, sizeof(act), "%d (a jump)", l->action[worst]);
	else
		snprintf(act, sizeof(act), "%s",
			 l->action[worst] == PAMCONF_ACT_RESET ? "reset" : "ignore");
	if (count > 1)
		snprintf(more, sizeof(more), " (and %d more return values)", count - 1);
	doctor_report(c->d, path, l->lineno, "pam-refusal-ignored",
		      "pam_onboard.so's refusal is ignored",
		      "%s=%s%s: when onboard refuses a person, or onboardd cannot be reached, "
		      "the rest of the %s stack decides instead (a local password would do); "
		      "every answer but success and ignore must be final, e.g. default=die",
		      pamconf_rv_name(worst), act, more, tname);
}

static const struct pam_entry *pam_first_onboard(const struct pam_stack *st, size_t *at)
{
	for (size_t i = 0; i < st->n; i++)
		if (pam_is_onboard(st->e[i].line)) {
			*at = i;
			return &st->e[i];
		}
	return NULL;
}

/* One service.  Sets *uses when it runs pam_onboard. */
static int pam_service(struct pam_ctx *c, size_t fi, bool *uses)
{
	static const enum pamconf_type types[] = { PAMCONF_AUTH, PAMCONF_ACCOUNT,
						   PAMCONF_PASSWORD };
	struct pam_stack st[OB_ARRAY_SIZE(types)] = { 0 };
	const struct pam_entry *first[OB_ARRAY_SIZE(types)];
	size_t at[OB_ARRAY_SIZE(types)] = { 0 }, chain[PAM_NEST_MAX + 1];
	size_t mark = doctor_mark(c->d);
	const char *service;
	int r = 0;

	*uses = false;
	c->expansions = 0;
	for (size_t t = 0; t < OB_ARRAY_SIZE(types) && r == 0; t++) {
		chain[0] = fi;
		c->lines = 0;
		r = pam_flatten(c, fi, types[t], true, 0, chain, 0, &st[t]);
		first[t] = r >= 0 ? pam_first_onboard(&st[t], &at[t]) : NULL;
		*uses = *uses || first[t];
	}
	if (r == PAM_REFUSED) {
		/* No login gets through at all, so none goes around onboard:
		 * what matters is the refusal, when onboard was meant to run. */
		for (size_t i = 0; i < c->files[fi].conf.count; i++)
			*uses = *uses || pam_is_onboard(&c->files[fi].conf.lines[i]);
		r = 0;
		if (!*uses)
			doctor_rollback(c->d, mark);
		goto out;
	}
	if (r < 0 || !*uses) {
		/* Stacks that do not run onboard are none of doctor's business. */
		doctor_rollback(c->d, mark);
		goto out;
	}
	service = c->files[fi].name;
	for (size_t t = 0; t < 2; t++) {
		const char *tname = pamconf_type_name(types[t]);

		if (!first[t])
			continue;
		pam_check_skips(c, service, types[t], &st[t], at[t]);
		for (size_t i = 0; i < st[t].n; i++)
			if (pam_is_onboard(st[t].e[i].line))
				pam_check_onboard(c, tname, &st[t].e[i]);
	}
	/* A fragment (common-auth) is checked with the services that include it. */
	if (!c->files[fi].included && (first[0] != NULL) != (first[1] != NULL)) {
		const struct pam_entry *e = first[0] ? first[0] : first[1];

		doctor_report(c->d, c->files[e->file].path, e->line->lineno,
			      first[0] ? "pam-account-missing" : "pam-auth-missing",
			      first[0] ? "pam_onboard.so in auth but not in account"
				       : "pam_onboard.so in account but not in auth",
			      first[0] ? "service %s never asks onboard whether the person may log "
					 "in now: a disabled or unfinished person who gets past auth "
					 "another way (an ssh key) is let in; add an account line as "
					 "in pam.d-examples"
				       : "service %s never lets onboard authenticate: the passwords, "
					 "codes and authenticators onboard manages are not asked for; "
					 "add an auth line as in pam.d-examples",
			      service);
	}
	if (strcmp(service, "sshd") == 0) {
		const struct pam_entry *e = first[0] ? first[0] : first[1] ? first[1] : first[2];

		c->d->sshd_onboard = true;
		c->d->sshd_onboard_auth = first[0] != NULL;
		snprintf(c->d->sshd_pam, sizeof(c->d->sshd_pam), "%s:%d", c->files[e->file].path,
			 e->line->lineno);
	}
out:
	for (size_t t = 0; t < OB_ARRAY_SIZE(types); t++)
		free(st[t].e);
	return r;
}

/* Mark the files that other files include. */
static int pam_mark_included(struct pam_ctx *c, size_t services)
{
	for (size_t fi = 0; fi < services; fi++) {
		for (size_t i = 0; i < c->files[fi].conf.count; i++) {
			const struct pamconf_line *l = &c->files[fi].conf.lines[i];
			int idx;

			if (!pam_includes(l) || !l->module)
				continue;
			idx = pam_load(c, l->module);
			if (idx == -ENOMEM)
				return idx;
			if (idx >= 0 && (size_t)idx != fi)
				c->files[idx].included = true;
		}
	}
	return 0;
}

static int pam_strcoll(const void *a, const void *b)
{
	return strcoll(*(char *const *)a, *(char *const *)b);
}

/* The names in the tree's /etc/pam.d, sorted as scandir's alphasort
 * would (free each and *names).  Returns how many, or -errno. */
static int pam_list(const struct doctor *d, char ***names)
{
	DIR *dh = doctor_opendir(d, "/etc/pam.d");
	struct dirent *e;
	size_t n = 0, cap = 0;
	char **v = NULL;
	int r = 0;

	*names = NULL;
	if (!dh)
		return -errno;
	while ((e = readdir(dh))) {
		if (n == PAM_FILES_MAX)
			break; /* pam_load reads no more anyway */
		if (n == cap) {
			char **grown = doctor_grow(v, &cap, sizeof(*grown), 64);

			if (!grown) {
				r = -ENOMEM;
				break;
			}
			v = grown;
		}
		if (!(v[n] = strdup(e->d_name))) {
			r = -ENOMEM;
			break;
		}
		n++;
	}
	closedir(dh);
	if (r < 0) {
		while (n)
			free(v[--n]);
		free(v);
		return r;
	}
	if (n)
		qsort(v, n, sizeof(*v), pam_strcoll);
	*names = v;
	return (int)n;
}

int doctor_pam_check(struct doctor *d)
{
	struct pam_ctx c = { .d = d };
	char **names = NULL;
	size_t services = 0;
	bool any = false;
	int n, r = 0;

	if (doctor_display(d, "/etc/pam.d", c.dir, sizeof(c.dir)) < 0)
		return -ENAMETOOLONG;
	n = pam_list(d, &names);
	if (n == -ENOMEM)
		return n;
	if (n < 0) {
		doctor_report(d, c.dir, 0, "pam-unreadable", "cannot read the PAM configuration",
			      "%s", strerror(-n));
		return 0;
	}
	for (int i = 0; i < n; i++) {
		char path[PATH_MAX];
		struct stat st;
		int idx;

		/* Services are the regular files (symlinks followed inside
		 * the tree); pam_load reads each as a regular file again. */
		if (r == 0 && !pam_skip_name(names[i]) &&
		    snprintf(path, sizeof(path), "/etc/pam.d/%s", names[i]) < (int)sizeof(path) &&
		    doctor_stat(d, path, &st) == 0 && S_ISREG(st.st_mode)) {
			idx = pam_load(&c, names[i]);
			if (idx == -ENOMEM)
				r = idx;
			else if (idx >= 0)
				services = (size_t)idx + 1;
		}
		free(names[i]);
	}
	free(names);
	if (r == 0)
		r = pam_mark_included(&c, services);
	for (size_t fi = 0; fi < services && r == 0; fi++) {
		bool uses;

		if (c.files[fi].err) {
			doctor_report(d, c.files[fi].path, 0, "pam-unreadable",
				      "cannot read this service",
				      "%s: whether it runs pam_onboard.so is unknown",
				      c.files[fi].err == -EFBIG ? "larger than 1 MiB"
								: strerror(-c.files[fi].err));
			continue;
		}
		r = pam_service(&c, fi, &uses);
		any = any || uses;
	}
	if (r == 0 && !any)
		doctor_report(d, c.dir, 0, "pam-unused", "no service uses pam_onboard.so",
			      "onboard takes part in no login on this host; see pam.d-examples/ "
			      "and pam_onboard(8)");
	pam_free(&c);
	return r;
}
