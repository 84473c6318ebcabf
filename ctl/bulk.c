/* SPDX-License-Identifier: BSD-3-Clause */
/* Codes given out in bulk: the two files they go to, and code issue
 * --all-without-email, which pages CodeIssueBulk into them.  A code
 * passes through a few buffers here on its way to disk; each is wiped
 * after use, and nothing of a code goes to stdout, stderr or a log. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <sodium.h>

#include "bulk.h"
#include "cmd.h"
#include "code.h"
#include "fdio.h"
#include "ob_protocol.h"
#include "output.h"
#include "varlink.h"

/* One CSV line or one block of the sheet: names of at most 64 bytes,
 * doubled when quoted, leave plenty of room. */
#define BULK_TEXT_MAX 2048
#define BULK_CSV_HEADER "username,first_name,last_name,code,expires\n"

/* FILE and its sheet's name. */
static int bulk_names(const char *path, char *csv, char *sheet, size_t size)
{
	size_t n = strlen(path);

	if (n == 0)
		return -ENOENT;
	if (n + sizeof(".txt") > size)
		return -ENAMETOOLONG;
	memcpy(csv, path, n + 1);
	if (n > 4 && strcasecmp(path + n - 4, ".csv") == 0)
		snprintf(sheet, size, "%.*s.txt", (int)(n - 4), path);
	else
		snprintf(sheet, size, "%s.txt", path);
	return 0;
}

static void bulk_say(const char *path, int e)
{
	char clean[PATH_MAX];

	output_sanitize(path, clean, sizeof(clean));
	if (e == -EEXIST)
		ctl_error(CTL_ERR_LOCAL, "%s exists already: codes are never written over a "
			  "file; choose another name", clean);
	else
		ctl_error(CTL_ERR_LOCAL, "%s: cannot create it: %s", clean, strerror(-e));
}

int bulk_check(const char *path)
{
	char csv[PATH_MAX], sheet[PATH_MAX];
	const char *both[2] = { csv, sheet };
	struct stat st;
	int r = bulk_names(path, csv, sheet, sizeof(csv));

	if (r < 0) {
		bulk_say(path, r);
		return r;
	}
	for (size_t i = 0; i < 2; i++) {
		if (lstat(both[i], &st) == 0)
			r = -EEXIST;
		else if (errno != ENOENT)
			r = -errno;
		else
			continue;
		bulk_say(both[i], r);
		return r;
	}
	return 0;
}

/* A new file, 0600 whatever the umask. */
static int bulk_create(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY, 0600);
	int e;

	if (fd < 0)
		return -errno;
	if (fchmod(fd, 0600) < 0) {
		e = -errno;
		close(fd);
		unlink(path);
		return e;
	}
	return fd;
}

int bulk_open(struct bulk_files *b, const char *path, enum bulk_kind kind)
{
	int r;

	memset(b, 0, sizeof(*b));
	b->kind = kind;
	b->csv_fd = b->sheet_fd = -1;
	r = bulk_names(path, b->csv_path, b->sheet_path, sizeof(b->csv_path));
	if (r < 0) {
		bulk_say(path, r);
		return r;
	}
	b->csv_fd = bulk_create(b->csv_path);
	if (b->csv_fd < 0) {
		r = b->csv_fd;
		bulk_say(b->csv_path, r);
		return r;
	}
	b->sheet_fd = bulk_create(b->sheet_path);
	if (b->sheet_fd < 0) {
		r = b->sheet_fd;
		bulk_say(b->sheet_path, r);
		bulk_discard(b);
		return r;
	}
	r = fd_write_all(b->csv_fd, BULK_CSV_HEADER, strlen(BULK_CSV_HEADER));
	if (r < 0) {
		ctl_error(CTL_ERR_LOCAL, "cannot write %s: %s", b->csv_path, strerror(-r));
		bulk_discard(b);
	}
	return r;
}

/* Append s to buf at *at as one CSV field, after a comma unless first.
 * Quoted when it holds a comma, a quote, a line break or blanks at
 * either end; a cell that a spreadsheet would run as a formula (names
 * come from people, who may correct their own) starts with an
 * apostrophe.  Returns false when it does not fit. */
static bool bulk_csv_field(char *buf, size_t size, size_t *at, const char *s, bool first)
{
	size_t len = strlen(s);
	bool formula = s[0] && strchr("=+-@\t\r", s[0]);
	bool quote = formula || strpbrk(s, ",\"\r\n") || (len && (s[0] == ' ' || s[len - 1] == ' '));

	if (*at + 2 * len + 5 > size)
		return false;
	if (!first)
		buf[(*at)++] = ',';
	if (quote)
		buf[(*at)++] = '"';
	if (formula)
		buf[(*at)++] = '\'';
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '"')
			buf[(*at)++] = '"';
		buf[(*at)++] = s[i];
	}
	if (quote)
		buf[(*at)++] = '"';
	buf[*at] = '\0';
	return true;
}

/* The fields of an IssuedCode, checked. */
struct bulk_record {
	const char *username, *first_name, *last_name;
	char code[CODE_FORMATTED + 1];
	int64_t expires;
};

static int bulk_record_get(struct json_object *o, struct bulk_record *rec)
{
	char canon[CODE_LETTERS + 1];
	const char *code;
	long long expires;
	int r;

	if (varlink_get_string(o, "username", OB_USERNAME_MAX, &rec->username) < 0 ||
	    varlink_get_string(o, "first_name", OB_NAME_MAX, &rec->first_name) < 0 ||
	    varlink_get_string(o, "last_name", OB_NAME_MAX, &rec->last_name) < 0 ||
	    varlink_get_string(o, "code", CODE_INPUT_MAX, &code) < 0 ||
	    varlink_get_int(o, "expires", &expires) < 0)
		return -EBADMSG;
	if (code_normalise(code, canon) < 0)
		return -EBADMSG;
	r = code_format(canon, rec->code);
	sodium_memzero(canon, sizeof(canon));
	rec->expires = expires;
	return r < 0 ? -EBADMSG : 0;
}

int bulk_write(struct bulk_files *b, struct json_object *issued)
{
	struct bulk_record rec;
	char line[BULK_TEXT_MAX], block[BULK_TEXT_MAX], iso[32], utc[32], name[4 * OB_NAME_MAX];
	char user[4 * OB_USERNAME_MAX];
	bool invite = b->kind == BULK_INVITATIONS;
	size_t at = 0;
	time_t t;
	struct tm tm;
	int n, r;

	r = bulk_record_get(issued, &rec);
	if (r < 0)
		return r;
	t = (time_t)rec.expires;
	if (!gmtime_r(&t, &tm) || strftime(iso, sizeof(iso), "%Y-%m-%dT%H:%M:%SZ", &tm) == 0 ||
	    strftime(utc, sizeof(utc), "%Y-%m-%d %H:%M UTC", &tm) == 0) {
		sodium_memzero(rec.code, sizeof(rec.code));
		return -EBADMSG;
	}
	if (!bulk_csv_field(line, sizeof(line), &at, rec.username, true) ||
	    !bulk_csv_field(line, sizeof(line), &at, rec.first_name, false) ||
	    !bulk_csv_field(line, sizeof(line), &at, rec.last_name, false) ||
	    !bulk_csv_field(line, sizeof(line), &at, rec.code, false) ||
	    !bulk_csv_field(line, sizeof(line), &at, iso, false) || at + 2 > sizeof(line)) {
		sodium_memzero(line, sizeof(line));
		sodium_memzero(rec.code, sizeof(rec.code));
		return -EBADMSG;
	}
	line[at++] = '\n';
	snprintf(block, sizeof(block), "%s %s", rec.first_name, rec.last_name);
	output_sanitize(block, name, sizeof(name));
	output_sanitize(rec.username, user, sizeof(user));
	n = snprintf(block, sizeof(block),
		     "Name:             %s\n"
		     "Username:         %s\n"
		     "%s  %s\n"
		     "Valid until:      %s\n"
		     "%s %s %s\n"
		     "- - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - -\n"
		     "\n",
		     name, user, invite ? "Invitation code:" : "Access code:    ", rec.code, utc,
		     "Log in as", user,
		     invite ? "and type this invitation code when asked, to register."
			    : "and type this code when asked; then choose your own password.");
	sodium_memzero(rec.code, sizeof(rec.code));
	if (n < 0 || (size_t)n >= sizeof(block)) {
		sodium_memzero(line, sizeof(line));
		sodium_memzero(block, sizeof(block));
		return -EBADMSG;
	}
	r = fd_write_all(b->csv_fd, line, at);
	if (r == 0)
		r = fd_write_all(b->sheet_fd, block, (size_t)n);
	sodium_memzero(line, sizeof(line));
	sodium_memzero(block, sizeof(block));
	if (r == 0)
		b->count++;
	return r;
}

/* The directory entry of a new file is on disk only once its directory
 * is synced. */
static int bulk_sync_dir(const char *path)
{
	char copy[PATH_MAX];
	int fd, r = 0;

	snprintf(copy, sizeof(copy), "%s", path);
	fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fsync(fd) < 0 && errno != EINVAL)
		r = -errno;
	close(fd);
	return r;
}

int bulk_finish(struct bulk_files *b)
{
	int r = 0;

	if (b->csv_fd >= 0 && fsync(b->csv_fd) < 0)
		r = -errno;
	if (b->sheet_fd >= 0 && fsync(b->sheet_fd) < 0 && r == 0)
		r = -errno;
	if (b->csv_fd >= 0 && close(b->csv_fd) < 0 && r == 0)
		r = -errno;
	if (b->sheet_fd >= 0 && close(b->sheet_fd) < 0 && r == 0)
		r = -errno;
	b->csv_fd = b->sheet_fd = -1;
	if (r == 0)
		r = bulk_sync_dir(b->csv_path);
	if (r < 0)
		ctl_error(CTL_ERR_LOCAL, "cannot save %s and %s: %s", b->csv_path,
			  b->sheet_path, strerror(-r));
	return r;
}

void bulk_discard(struct bulk_files *b)
{
	if (b->csv_fd >= 0) {
		close(b->csv_fd);
		unlink(b->csv_path);
	}
	if (b->sheet_fd >= 0) {
		close(b->sheet_fd);
		unlink(b->sheet_path);
	}
	b->csv_fd = b->sheet_fd = -1;
}

/* ------------------------------------------- code issue --all-without-email */

/* Parameters of one CodeIssueBulk page. */
static struct json_object *bulk_params(const struct ctl *c, int64_t lifetime, const char *after)
{
	struct json_object *p = json_object_new_object();

	if (!p || (c->opt[OPT_ORG] && ctl_add_string(p, "org", c->opt[OPT_ORG]) < 0) ||
	    (lifetime && ctl_add(p, "lifetime", json_object_new_int64(lifetime)) < 0) ||
	    (after && ctl_add_string(p, "after", after) < 0)) {
		json_object_put(p);
		return NULL;
	}
	return p;
}

/* Write the codes of one reply.  *next is set to a copy of its next, or
 * NULL at the end.  Returns 0, -EBADMSG, -ENOMEM or -errno of a write
 * (*lost then counts the issued codes that were not written). */
static int bulk_take_page(struct bulk_files *b, struct json_object *rparams, const char *after,
			  char **next, size_t *lost, size_t *skipped)
{
	struct json_object *codes, *v;
	size_t n;
	int r;

	*next = NULL;
	if (json_object_object_get_ex(rparams, "skipped", &v) &&
	    json_object_is_type(v, json_type_int) && json_object_get_int64(v) > 0)
		*skipped += (size_t)json_object_get_int64(v);
	if (!json_object_object_get_ex(rparams, "codes", &codes) ||
	    !json_object_is_type(codes, json_type_array))
		return -EBADMSG;
	n = json_object_array_length(codes);
	for (size_t i = 0; i < n; i++) {
		r = bulk_write(b, json_object_array_get_idx(codes, i));
		if (r < 0) {
			*lost = n - i;
			return r;
		}
	}
	if (!json_object_object_get_ex(rparams, "next", &v) || json_object_is_type(v, json_type_null))
		return 0;
	/* A next that does not move forward would issue codes for ever. */
	if (!json_object_is_type(v, json_type_string) || !json_object_get_string(v)[0] ||
	    (after && strcmp(json_object_get_string(v), after) <= 0))
		return -EBADMSG;
	*next = strdup(json_object_get_string(v));
	return *next ? 0 : -ENOMEM;
}

/* A page's call that got no reply is asked again this many times, each on
 * a new connection. */
#define BULK_PAGE_TRIES 3

/* Page through CodeIssueBulk on one connection into b.  Returns the exit
 * status; what went wrong is said.
 *
 * A page is stored in one transaction before its reply leaves: a daemon
 * that stops in between (killed, restarted) has replaced the page's
 * people's codes with codes nobody received.  So a page whose reply does
 * not come is asked for again, with the same after, on a new connection
 * (systemd's socket holds the calls until the next daemon answers): the
 * same people get codes again, and these reach the file.  When no daemon
 * answers, the people who may have lost their code are named by where
 * their page begins. */
static int bulk_issue(struct ctl *c, struct bulk_files *b, int64_t lifetime, size_t *skipped)
{
	struct json_object *reply, *rparams, *p;
	char *after = NULL, *next = NULL;
	struct client cl;
	size_t lost = 0;
	int r, e = 0, tries = 0;

	r = ctl_connect(c, &cl);
	while (r == CTL_EXIT_OK) {
		p = bulk_params(c, lifetime, after);
		if (!p) {
			r = ctl_oom();
			break;
		}
		r = ctl_call_on(c, &cl, OB_ADMIN_CODE_ISSUE_BULK, p, &reply, &rparams);
		if (r == CTL_EXIT_UNREACHABLE && ++tries < BULK_PAGE_TRIES) {
			fprintf(stderr, "onboardctl: no reply for the page of codes after \"%s\": "
				"asking onboardd again (the codes it may have stored for that page "
				"are replaced)\n", after ? after : "(the first)");
			client_close(&cl);
			r = ctl_connect(c, &cl);
			continue;
		}
		if (r != CTL_EXIT_OK)
			break;
		tries = 0;
		e = bulk_take_page(b, rparams, after, &next, &lost, skipped);
		ctl_release(reply);
		free(after);
		after = next;
		if (e < 0 || !after)
			break;
	}
	if (r == CTL_EXIT_UNREACHABLE && tries)
		fprintf(stderr, "onboardctl: the codes of the people after \"%s\"%s%s (a page, "
			"at most 100) may have been stored without reaching %s: their earlier codes "
			"may no longer work; run this command again once onboardd answers\n",
			after ? after : "(the first)", c->opt[OPT_ORG] ? " in organisation " : "",
			c->opt[OPT_ORG] ? c->opt[OPT_ORG] : "", b->csv_path);
	free(after);
	client_close(&cl);
	if (e == -EBADMSG) {
		ctl_error(CTL_ERR_BAD_REPLY, "onboardd sent a page of codes that is not valid; %zu "
			  "codes were issued but not written: issue them again", lost);
		r = CTL_EXIT_REFUSED;
	} else if (e == -ENOMEM) {
		r = ctl_oom();
	} else if (e < 0) {
		ctl_error(CTL_ERR_LOCAL, "cannot write %s: %s; %zu codes were issued but not "
			  "written: issue them again", b->csv_path, strerror(-e), lost);
		r = CTL_EXIT_REFUSED;
	}
	return r;
}

int cmd_code_issue_bulk(struct ctl *c)
{
	struct bulk_files b;
	int64_t lifetime = 0;
	size_t skipped = 0;
	int r;

	if (c->arg[0]) {
		ctl_usage_error("code issue: a USERNAME or --all-without-email, not both");
		return CTL_EXIT_USAGE;
	}
	if (c->opt[OPT_RESET_MFA]) {
		ctl_usage_error("code issue --all-without-email: --reset-mfa is for one person at "
				"a time");
		return CTL_EXIT_USAGE;
	}
	if (!c->opt[OPT_OUTPUT] || !c->opt[OPT_OUTPUT][0]) {
		ctl_usage_error("code issue --all-without-email: --output FILE is required (the "
				"codes go to files, never to the terminal)");
		return CTL_EXIT_USAGE;
	}
	if (ctl_lifetime(c, &lifetime) < 0)
		return CTL_EXIT_USAGE;
	/* The files first: no code is issued that has nowhere to go. */
	if (bulk_open(&b, c->opt[OPT_OUTPUT], BULK_ACCESS_CODES) < 0)
		return CTL_EXIT_REFUSED;
	r = bulk_issue(c, &b, lifetime, &skipped);
	if (r != CTL_EXIT_OK && b.count == 0) {
		bulk_discard(&b);
		return r;
	}
	if (bulk_finish(&b) < 0 && r == CTL_EXIT_OK)
		r = CTL_EXIT_REFUSED;
	if (r != CTL_EXIT_OK) {
		ctl_error(CTL_ERR_LOCAL, "stopped after issuing %zu access codes: they are in %s "
			  "and %s", b.count, b.csv_path, b.sheet_path);
		return r;
	}
	if (c->json) {
		struct json_object *doc = json_object_new_object();

		if (!doc || ctl_add(doc, "issued", json_object_new_int64((int64_t)b.count)) < 0 ||
		    ctl_add_string(doc, "output", b.csv_path) < 0 ||
		    ctl_add_string(doc, "sheet", b.sheet_path) < 0 ||
		    ctl_add(doc, "skipped", json_object_new_int64((int64_t)skipped)) < 0) {
			json_object_put(doc);
			return ctl_oom();
		}
		r = output_json(doc);
		json_object_put(doc);
	} else {
		r = output_line("issued %zu access code%s: %s, %s", b.count, b.count == 1 ? "" : "s",
				b.csv_path, b.sheet_path) < 0 ? -EIO : 0;
		if (r == 0 && skipped &&
		    output_line("skipped %zu %s above your authority (a main administrator, or "
				"someone holding a permission you lack): no code", skipped,
				skipped == 1 ? "person" : "people") < 0)
			r = -EIO;
		if (r == 0)
			r = output_finish();
	}
	return ctl_output_done(r);
}
