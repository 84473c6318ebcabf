/* SPDX-License-Identifier: BSD-3-Clause */
/* The pam.d line parser of onboardctl doctor.  It follows what
 * Linux-PAM's libpam does with a line (pam_handlers.c, pam_misc.c),
 * quirks included, because the question doctor answers is what PAM will
 * run, not what the administrator meant.
 *
 * The line reader follows libpam 1.5.2, Debian 12's.  Checked on such a
 * host (libpam0g 1.5.2-6+deb12u2) with pam_start_confdir and small
 * service files: blank and comment lines inside a continued line are
 * skipped and the line goes on; a file that ends inside a continued
 * line, also one followed only by blank or comment lines, makes
 * pam_start fail with PAM_ABORT; a physical line over 1023 bytes is
 * read as a line and the rest as another line, and a continued line
 * whose backslash falls on the last byte of that buffer makes pam_start
 * loop forever.  Read in Linux-PAM's later source, not run: 1.6 and
 * later end a continued line at a blank or comment line, read lines of
 * any length, and also refuse a file that ends inside a continued line. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "doctor_pamconf.h"

/* Linux-PAM's names, indexed by return value; "default" last. */
static const char *const pamconf_rv_names[PAMCONF_RV_COUNT + 1] = {
	"success", "open_err", "symbol_err", "service_err", "system_err", "buf_err",
	"perm_denied", "auth_err", "cred_insufficient", "authinfo_unavail", "user_unknown",
	"maxtries", "new_authtok_reqd", "acct_expired", "session_err", "cred_unavail",
	"cred_expired", "cred_err", "no_module_data", "conv_err", "authtok_err",
	"authtok_recover_err", "authtok_lock_busy", "authtok_disable_aging", "try_again",
	"ignore", "abort", "authtok_expired", "module_unknown", "bad_item", "conv_again",
	"incomplete", "default",
};

/* Indexed by -action. */
static const char *const pamconf_act_names[] = { "ignore", "ok", "done", "bad", "die", "reset" };

static const char *const pamconf_type_names[] = { "auth", "account", "password", "session" };

_Static_assert(PAMCONF_LINE_MAX == 8192, "pamconf_emit's message names the limit");

const char *pamconf_rv_name(int rv)
{
	return rv >= 0 && rv < PAMCONF_RV_COUNT ? pamconf_rv_names[rv] : NULL;
}

const char *pamconf_type_name(enum pamconf_type t)
{
	if (t < PAMCONF_TYPE_COUNT)
		return pamconf_type_names[t];
	return t == PAMCONF_ANY ? "any" : "?";
}

const char *pamconf_module_base(const struct pamconf_line *l)
{
	const char *slash;

	if (!l->module)
		return "";
	slash = strrchr(l->module, '/');
	return slash ? slash + 1 : l->module;
}

static bool pamconf_is_delim(char c)
{
	return c == ' ' || c == '\t' || c == '\n';
}

/* The next token of *p, NUL-terminated in place, or NULL.  A token that
 * starts with '[' runs to the next unescaped ']' and loses its brackets,
 * as in libpam's _pam_StrTok. */
static char *pamconf_token(char **p)
{
	char *from = *p, *end;

	while (*from && pamconf_is_delim(*from))
		from++;
	if (!*from) {
		*p = from;
		return NULL;
	}
	if (*from == '[') {
		for (end = ++from; *end && *end != ']'; end++)
			if (end[0] == '\\' && end[1] == ']')
				end++;
	} else {
		for (end = from; *end && !pamconf_is_delim(*end); end++)
			;
	}
	if (*end)
		*end++ = '\0';
	*p = end;
	return from;
}

static void pamconf_fill(int *action, int act)
{
	for (int i = 0; i < PAMCONF_RV_COUNT; i++)
		if (action[i] == PAMCONF_ACT_UNDEF)
			action[i] = act;
}

/* [value=action ...], as libpam's _pam_parse_control reads it: names
 * match by prefix, "default" fills what is still unset at that point.
 * Returns 0, or -EINVAL with err set (the caller makes every value bad). */
static int pamconf_parse_control(int *action, const char *tok, char *err, size_t errlen)
{
	while (*tok) {
		size_t len = 0;
		int rv, act;

		while (isspace((unsigned char)*tok))
			tok++;
		if (!*tok)
			break;
		for (rv = 0; rv <= PAMCONF_RV_COUNT; rv++) {
			len = strlen(pamconf_rv_names[rv]);
			if (strncmp(pamconf_rv_names[rv], tok, len) == 0)
				break;
		}
		if (rv > PAMCONF_RV_COUNT || !tok[len]) {
			snprintf(err, errlen, "unknown return value at '%.40s' in the control", tok);
			return -EINVAL;
		}
		tok += len;
		while (isspace((unsigned char)*tok))
			tok++;
		if (*tok != '=') {
			snprintf(err, errlen, "'=' expected after '%s' in the control",
				 pamconf_rv_names[rv]);
			return -EINVAL;
		}
		tok++;
		while (isspace((unsigned char)*tok))
			tok++;
		for (act = 0; act < (int)(sizeof(pamconf_act_names) / sizeof(pamconf_act_names[0]));
		     act++) {
			len = strlen(pamconf_act_names[act]);
			if (strncmp(pamconf_act_names[act], tok, len) == 0)
				break;
		}
		if (act < (int)(sizeof(pamconf_act_names) / sizeof(pamconf_act_names[0]))) {
			act = -act;
			tok += len;
		} else if (isdigit((unsigned char)*tok)) {
			act = 0;
			while (isdigit((unsigned char)*tok)) {
				act = act * 10 + (*tok++ - '0');
				if (act > PAMCONF_JUMP_MAX) {
					snprintf(err, errlen, "a jump of more than %d modules for '%s'",
						 PAMCONF_JUMP_MAX, pamconf_rv_names[rv]);
					return -EINVAL;
				}
			}
			if (act == 0) {
				snprintf(err, errlen, "a jump of 0 for '%s' (write ignore)",
					 pamconf_rv_names[rv]);
				return -EINVAL;
			}
		} else {
			snprintf(err, errlen, "unknown action for '%s' in the control",
				 pamconf_rv_names[rv]);
			return -EINVAL;
		}
		if (rv < PAMCONF_RV_COUNT)
			action[rv] = act;
		else
			pamconf_fill(action, act);
	}
	return 0;
}

/* The keyword controls, as libpam expands them. */
static bool pamconf_keyword(struct pamconf_line *l, const char *tok)
{
	int *a = l->action;

	if (strcasecmp(tok, "required") == 0 || strcasecmp(tok, "requisite") == 0) {
		bool requisite = strcasecmp(tok, "requisite") == 0;

		l->control = requisite ? PAMCONF_REQUISITE : PAMCONF_REQUIRED;
		a[PAMCONF_RV_SUCCESS] = PAMCONF_ACT_OK;
		a[PAMCONF_RV_NEW_AUTHTOK_REQD] = PAMCONF_ACT_OK;
		a[PAMCONF_RV_IGNORE] = PAMCONF_ACT_IGNORE;
		pamconf_fill(a, requisite ? PAMCONF_ACT_DIE : PAMCONF_ACT_BAD);
	} else if (strcasecmp(tok, "optional") == 0) {
		l->control = PAMCONF_OPTIONAL;
		a[PAMCONF_RV_SUCCESS] = PAMCONF_ACT_OK;
		a[PAMCONF_RV_NEW_AUTHTOK_REQD] = PAMCONF_ACT_OK;
		pamconf_fill(a, PAMCONF_ACT_IGNORE);
	} else if (strcasecmp(tok, "sufficient") == 0) {
		l->control = PAMCONF_SUFFICIENT;
		a[PAMCONF_RV_SUCCESS] = PAMCONF_ACT_DONE;
		a[PAMCONF_RV_NEW_AUTHTOK_REQD] = PAMCONF_ACT_DONE;
		pamconf_fill(a, PAMCONF_ACT_IGNORE);
	} else if (strcasecmp(tok, "include") == 0) {
		l->control = PAMCONF_INCLUDE;
	} else if (strcasecmp(tok, "substack") == 0) {
		l->control = PAMCONF_SUBSTACK;
	} else {
		return false;
	}
	return true;
}

static void pamconf_type(struct pamconf_line *l, const char *tok)
{
	if (tok[0] == '-') {
		l->silent = true;
		tok++;
	}
	for (int t = 0; t < PAMCONF_TYPE_COUNT; t++)
		if (strcasecmp(tok, pamconf_type_names[t]) == 0) {
			l->type = (enum pamconf_type)t;
			return;
		}
	l->type = PAMCONF_TYPE_BAD;
	snprintf(l->error, sizeof(l->error), "unknown type '%.40s'", tok);
}

/* Fill l from one logical line (modified in place).  Returns 0 or -ENOMEM. */
static int pamconf_line(struct pamconf_line *l, char *text)
{
	char *p = text, *tok, *name;

	for (int i = 0; i < PAMCONF_RV_COUNT; i++)
		l->action[i] = PAMCONF_ACT_UNDEF;
	l->control = PAMCONF_CONTROL_BAD;
	tok = pamconf_token(&p);
	if (!tok) {
		/* Carriage returns alone (now blanks): libpam reads "\r" as
		 * the type and installs a failing auth line. */
		l->type = PAMCONF_TYPE_BAD;
		snprintf(l->error, sizeof(l->error), "nothing but carriage returns");
		pamconf_fill(l->action, PAMCONF_ACT_BAD);
		return 0;
	}
	if (strcmp(tok, "@include") == 0) {
		l->type = PAMCONF_ANY;
		l->control = PAMCONF_AT_INCLUDE;
		name = pamconf_token(&p);
		if (!name)
			snprintf(l->error, sizeof(l->error), "@include without a file name");
		else if (!(l->module = strdup(name)))
			return -ENOMEM;
		return 0;
	}
	pamconf_type(l, tok);
	tok = pamconf_token(&p);
	if (!tok) {
		if (!l->error[0])
			snprintf(l->error, sizeof(l->error), "no control after the type");
		pamconf_fill(l->action, PAMCONF_ACT_BAD);
		return 0;
	}
	if (!pamconf_keyword(l, tok)) {
		char err[PAMCONF_ERROR_MAX];

		l->control = PAMCONF_BRACKET;
		if (pamconf_parse_control(l->action, tok, err, sizeof(err)) < 0) {
			for (int i = 0; i < PAMCONF_RV_COUNT; i++)
				l->action[i] = PAMCONF_ACT_BAD;
			if (!l->error[0])
				snprintf(l->error, sizeof(l->error), "%s", err);
		}
		pamconf_fill(l->action, PAMCONF_ACT_BAD);
	}
	name = pamconf_token(&p);
	if (!name) {
		if (!l->error[0])
			snprintf(l->error, sizeof(l->error), "no %s named",
				 l->control == PAMCONF_INCLUDE || l->control == PAMCONF_SUBSTACK
					 ? "file" : "module");
		pamconf_fill(l->action, PAMCONF_ACT_BAD);
		return 0;
	}
	l->module = strdup(name);
	return l->module ? 0 : -ENOMEM;
}

/* Append a line: parsed from text, or (text NULL) one that fails with
 * error.  An error given with text is kept unless parsing found one. */
static int pamconf_add(struct pamconf_file *f, size_t *cap, char *text, int lineno,
		       const char *error)
{
	struct pamconf_line *l;
	int r = 0;

	if (f->count == *cap) {
		size_t n = *cap ? *cap * 2 : 16;
		struct pamconf_line *grown = realloc(f->lines, n * sizeof(*grown));

		if (!grown)
			return -ENOMEM;
		f->lines = grown;
		*cap = n;
	}
	l = &f->lines[f->count];
	memset(l, 0, sizeof(*l));
	l->lineno = lineno;
	f->count++;
	if (text) {
		r = pamconf_line(l, text);
	} else {
		l->type = PAMCONF_TYPE_BAD;
		l->control = PAMCONF_CONTROL_BAD;
		for (int i = 0; i < PAMCONF_RV_COUNT; i++)
			l->action[i] = PAMCONF_ACT_BAD;
	}
	if (error && !l->error[0])
		snprintf(l->error, sizeof(l->error), "%s", error);
	return r;
}

/* Physical line [s, s+n) (no '\n', may hold NUL) into the logical line
 * buf.  Returns true when the line continues on the next one. */
static bool pamconf_join(const char *s, size_t n, char *buf, size_t *len, bool *too_long)
{
	const char *nul = memchr(s, '\0', n), *hash, *end;
	bool more = false;

	if (nul)
		n = (size_t)(nul - s);
	hash = memchr(s, '#', n);
	end = hash ? hash : s + n;
	if (!hash) {
		const char *b = end;

		while (b > s && (b[-1] == ' ' || b[-1] == '\t'))
			b--;
		if (b > s && b[-1] == '\\') {
			more = true;
			end = b; /* the backslash is replaced by a space below */
		}
	}
	while (s < end && (*s == ' ' || *s == '\t'))
		s++;
	n = (size_t)(end - s);
	if (*too_long || *len + n > PAMCONF_LINE_MAX) {
		*too_long = true;
		return more;
	}
	memcpy(buf + *len, s, n);
	if (more)
		buf[*len + n - 1] = ' ';
	*len += n;
	buf[*len] = '\0';
	return more;
}

/* Emit the logical line in buf; raw is how many bytes of the file it
 * took.  Linux-PAM keeps a carriage return as part of the last word (a
 * module "pam_x.so\r" that cannot load): the line is read without it,
 * to see what was meant, and flagged. */
static int pamconf_emit(struct pamconf_file *f, size_t *cap, char *buf, size_t len, int start,
			bool too_long, size_t raw)
{
	char *cr;
	int r;

	if (too_long) {
		r = pamconf_add(f, cap, NULL, start, "longer than 8192 bytes");
	} else if (!(cr = memchr(buf, '\r', len))) {
		r = pamconf_add(f, cap, buf, start, NULL);
	} else {
		for (; cr; cr = memchr(cr, '\r', len - (size_t)(cr - buf)))
			*cr = ' ';
		r = pamconf_add(f, cap, buf, start,
				"a carriage return (saved with DOS line ends?)");
	}
	if (r == 0)
		f->lines[f->count - 1].long_line = raw > PAMCONF_LINE_LIBPAM;
	return r;
}

/* Whether physical line [s, s+n) is nothing to libpam: blanks, or a
 * comment or a NUL after them. */
static bool pamconf_blank(const char *s, size_t n)
{
	size_t i = 0;

	while (i < n && (s[i] == ' ' || s[i] == '\t'))
		i++;
	return i == n || s[i] == '#' || s[i] == '\0';
}

int pamconf_parse(struct pamconf_file *f, const char *text, size_t len)
{
	char *buf = malloc(PAMCONF_LINE_MAX + 1);
	size_t pos = 0, cap = 0, blen = 0, raw = 0;
	bool too_long = false, more = false;
	int lineno = 0, start = 1, r = 0;

	memset(f, 0, sizeof(*f));
	if (!buf)
		return -ENOMEM;
	buf[0] = '\0';
	while (pos < len && r == 0) {
		const char *s = text + pos, *nl = memchr(s, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - s) : len - pos;

		lineno++;
		pos += n + (nl ? 1 : 0);
		/* Skipped by libpam 1.5, also inside a continued line. */
		if (pamconf_blank(s, n))
			continue;
		if (!more) {
			start = lineno;
			raw = 0;
		}
		raw += n;
		more = pamconf_join(s, n, buf, &blen, &too_long);
		if (more)
			continue;
		r = pamconf_emit(f, &cap, buf, blen, start, too_long, raw);
		blen = 0;
		buf[0] = '\0';
		too_long = false;
	}
	/* Still continued at the end: libpam's reader fails, and with it the
	 * whole file (PAM_ABORT); what was joined is never installed. */
	if (r == 0 && more)
		f->unfinished = start;
	free(buf);
	if (r < 0)
		pamconf_free(f);
	return r;
}

void pamconf_free(struct pamconf_file *f)
{
	for (size_t i = 0; i < f->count; i++)
		free(f->lines[i].module);
	free(f->lines);
	f->lines = NULL;
	f->count = 0;
	f->unfinished = 0;
}
