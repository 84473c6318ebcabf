/* SPDX-License-Identifier: BSD-3-Clause */
/* onboardctl's output: aligned text for people, one JSON document for
 * scripts.  Values from the daemon are printed with control characters
 * replaced, so that a name can never drive the terminal. */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sodium.h>

#include "duration.h"
#include "ob_protocol.h"
#include "output.h"
#include "text.h"

/* Width of the label column of key/value views. */
#define OUTPUT_LABEL_WIDTH 18
/* "YYYY-MM-DD HH:MM" and its NUL. */
#define OUTPUT_TIME_MAX 17

/* ------------------------------------------------------------- helpers */

/* A boolean member; false when absent or of another type. */
static bool output_bool(struct json_object *o, const char *key)
{
	struct json_object *v;

	return o && json_object_object_get_ex(o, key, &v) &&
	       json_object_is_type(v, json_type_boolean) && json_object_get_boolean(v);
}

/* A string member, or "" when absent or of another type. */
static const char *output_str(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (!o || !json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
		return "";
	return json_object_get_string(v);
}

/* A member that holds one of the daemon's own words (a state, a role, a
 * status, a code it drew): printed as it is only when it is plain
 * printable ASCII, else "?".  Nobody sets these, but a reply is only as
 * trustworthy as whoever serves the socket, and a word never needs more. */
static const char *output_word(struct json_object *o, const char *key)
{
	const char *s = output_str(o, key);

	for (size_t i = 0; s[i]; i++)
		if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] > 0x7e || i >= 64)
			return "?";
	return s;
}

/* An integer member; false when absent or of another type. */
static bool output_int(struct json_object *o, const char *key, int64_t *out)
{
	struct json_object *v;

	if (!o || !json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_int))
		return false;
	*out = json_object_get_int64(v);
	return true;
}

/* s with C0 controls, DEL and C1 controls (U+0080..U+009F, 0xc2 0x80..0x9f
 * in UTF-8) replaced by '?', cut to fit size.  Text-direction and
 * invisible characters too: onboardd refuses them in names, but a name
 * stored before it did may hold one, and it must not turn the table
 * around. */
const char *output_sanitize(const char *s, char *buf, size_t size)
{
	return text_printable(buf, size, s, TEXT_UNICODE);
}

static const char *output_utc(int64_t t, char *buf, size_t size)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (!gmtime_r(&tt, &tm) || strftime(buf, size, "%Y-%m-%d %H:%M:%S", &tm) == 0)
		snprintf(buf, size, "%" PRId64, t);
	return buf;
}

/* Local "YYYY-MM-DD HH:MM" of a member holding seconds since the epoch,
 * or dflt when the member is absent. */
static const char *output_time_as(struct json_object *o, const char *key, const char *dflt,
				  char buf[OUTPUT_TIME_MAX], bool up)
{
	struct tm tm;
	int64_t v;
	time_t t;

	if (!output_int(o, key, &v))
		return dflt;
	t = (time_t)(up ? duration_minute_up(v) : v);
	if (!localtime_r(&t, &tm) || strftime(buf, OUTPUT_TIME_MAX, "%Y-%m-%d %H:%M", &tm) == 0)
		snprintf(buf, OUTPUT_TIME_MAX, "%" PRId64, v);
	return buf;
}

static const char *output_time(struct json_object *o, const char *key, const char *dflt,
			       char buf[OUTPUT_TIME_MAX])
{
	return output_time_as(o, key, dflt, buf, false);
}

/* The end of a lock: rounded up to the minute, as the person is told. */
static const char *output_lock_time(struct json_object *o, const char *dflt,
				    char buf[OUTPUT_TIME_MAX])
{
	return output_time_as(o, "locked_until", dflt, buf, true);
}

/* The strings of the array member key joined with ", ", or "-" when
 * there are none. */
static const char *output_join(struct json_object *o, const char *key, char *buf, size_t size)
{
	struct json_object *arr;
	size_t n, used = 0;

	buf[0] = '\0';
	if (o && json_object_object_get_ex(o, key, &arr) && json_object_is_type(arr, json_type_array)) {
		n = json_object_array_length(arr);
		for (size_t i = 0; i < n && used + 1 < size; i++) {
			struct json_object *v = json_object_array_get_idx(arr, i);

			if (!json_object_is_type(v, json_type_string))
				continue;
			snprintf(buf + used, size - used, "%s%s", used ? ", " : "",
				 json_object_get_string(v));
			used = strlen(buf);
		}
	}
	if (!buf[0])
		snprintf(buf, size, "-");
	return buf;
}

/* Bytes as people read them: "512 B", "1.5 MiB", "1.0 GiB". */
static const char *output_size(int64_t bytes, char *buf, size_t size)
{
	static const char *const units[] = { "KiB", "MiB", "GiB", "TiB" };
	double v = (double)bytes;
	size_t u = 0;

	if (bytes < 1024) {
		snprintf(buf, size, "%" PRId64 " B", bytes);
		return buf;
	}
	v /= 1024;
	while (v >= 1024 && u + 1 < sizeof(units) / sizeof(units[0])) {
		v /= 1024;
		u++;
	}
	snprintf(buf, size, "%.1f %s", v, units[u]);
	return buf;
}

static void output_field(const char *label, const char *value)
{
	char clean[OB_TEXT_MAX];

	printf("%-*s %s\n", OUTPUT_LABEL_WIDTH, label, output_sanitize(value, clean, sizeof(clean)));
}

/* Write len bytes to stdout, past stdio, so that no copy stays in a
 * buffer we cannot wipe. */
static int output_write_direct(const char *buf, size_t len)
{
	if (fflush(stdout) == EOF)
		return -EIO;
	while (len > 0) {
		ssize_t n = write(STDOUT_FILENO, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -EIO;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

int output_line(const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vprintf(fmt, ap);
	va_end(ap);
	if (r < 0 || putchar('\n') == EOF)
		return -EIO;
	return 0;
}

int output_finish(void)
{
	if (fflush(stdout) == EOF || ferror(stdout))
		return -EIO;
	return 0;
}

/* ---------------------------------------------------------------- JSON */

int output_json(struct json_object *params)
{
	const char *s;
	size_t n, len;
	char *line;
	int r;

	s = json_object_to_json_string_length(params, JSON_C_TO_STRING_PRETTY |
					       JSON_C_TO_STRING_SPACED |
					       JSON_C_TO_STRING_NOSLASHESCAPE, &n);
	if (!s)
		return -ENOMEM;
	/* json-c escapes C0 controls only: DEL and the C1 controls (0xc2
	 * 0x80..0x9f), which some terminals obey, are written as \u escapes
	 * too.  They only ever stand inside strings, so the JSON stays valid;
	 * each grows to at most 6 bytes. */
	if (n > (SIZE_MAX - 1) / 6)
		return -ENOMEM;
	line = malloc(6 * n + 1);
	if (!line) {
		sodium_memzero((char *)s, n);
		return -ENOMEM;
	}
	len = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == 0x7f) {
			memcpy(line + len, "\\u007f", 6);
			len += 6;
		} else if (c == 0xc2 && i + 1 < n && (unsigned char)s[i + 1] >= 0x80 &&
			   (unsigned char)s[i + 1] <= 0x9f) {
			snprintf(line + len, 7, "\\u%04x", (unsigned char)s[i + 1]);
			len += 6;
			i++;
		} else {
			line[len++] = (char)c;
		}
	}
	line[len++] = '\n';
	/* json-c keeps its rendering in the object: it may hold a code. */
	sodium_memzero((char *)s, n);
	r = output_write_direct(line, len);
	sodium_memzero(line, 6 * n + 1);
	free(line);
	return r;
}

/* ---------------------------------------------------------------- text */

int output_status(struct json_object *params)
{
	char used[32], size[32], line[128], up[64];
	int64_t v = 0, w = 0;

	output_field("version", output_str(params, "version"));
	output_field("socket", output_str(params, "socket"));
	if (output_int(params, "uptime", &v) && duration_format(v, up, sizeof(up)) == 0)
		output_field("uptime", up);
	v = 0;
	output_int(params, "people", &v);
	snprintf(line, sizeof(line), "%" PRId64, v);
	output_field("people", line);
	v = 0;
	output_int(params, "schema_version", &v);
	snprintf(line, sizeof(line), "%" PRId64, v);
	output_field("schema version", line);
	v = 0;
	output_int(params, "map_used", &v);
	output_int(params, "map_size", &w);
	snprintf(line, sizeof(line), "%s used of %s", output_size(v, used, sizeof(used)),
		 output_size(w, size, sizeof(size)));
	output_field("database", line);
	v = 0;
	if (output_int(params, "audit_dropped", &v) && v) {
		snprintf(line, sizeof(line), "%" PRId64 " event%s could not be stored", v,
			 v == 1 ? "" : "s");
		output_field("audit log", line);
	}
	v = 0;
	if (output_int(params, "audit_pruned", &v) && v) {
		snprintf(line, sizeof(line), "%" PRId64 " event%s pruned for room before "
			 "audit_retention", v, v == 1 ? "" : "s");
		output_field("audit log", line);
	}
	return output_finish();
}

static void output_code_summary(struct json_object *code)
{
	char issued[OUTPUT_TIME_MAX], expires[OUTPUT_TIME_MAX], closed[OUTPUT_TIME_MAX];
	char line[160];
	int64_t v;

	if (!code) {
		output_field("access code", "none");
		return;
	}
	snprintf(line, sizeof(line), "%s, issued %s, expires %s", output_word(code, "status"),
		 output_time(code, "issued", "?", issued), output_time(code, "expires", "?", expires));
	if (output_int(code, "closed", &v))
		snprintf(line + strlen(line), sizeof(line) - strlen(line), ", closed %s",
			 output_time(code, "closed", "?", closed));
	if (output_bool(code, "reset_mfa"))
		snprintf(line + strlen(line), sizeof(line) - strlen(line),
			 ", resets the authenticator");
	output_field("access code", line);
}

/* The failed logins in a row and the lock, from a Lockout. */
static void output_lockout(struct json_object *lockout)
{
	char t[OUTPUT_TIME_MAX], line[96];
	int64_t failures = 0, places = 0;

	output_int(lockout, "failures", &failures);
	if (failures && output_int(lockout, "last_failure", &(int64_t){ 0 }))
		snprintf(line, sizeof(line), "%" PRId64 " in a row, the last %s", failures,
			 output_time(lockout, "last_failure", "?", t));
	else
		snprintf(line, sizeof(line), "%" PRId64, failures);
	output_field("failed logins", line);
	if (output_int(lockout, "locked_until", &(int64_t){ 0 })) {
		snprintf(line, sizeof(line), "locked everywhere until %s",
			 output_lock_time(lockout, "?", t));
		output_field("login lock", line);
	} else if (output_int(lockout, "places_locked", &places) && places > 0) {
		snprintf(line, sizeof(line), "locked from %" PRId64 " place%s until %s", places,
			 places == 1 ? "" : "s",
			 output_time_as(lockout, "places_locked_until", "?", t, true));
		output_field("login lock", line);
	} else {
		output_field("login lock", "none");
	}
}

int output_person(struct json_object *params)
{
	struct json_object *p = NULL, *code = NULL, *lockout = NULL, *v;
	char name[2 * OB_NAME_MAX + 2], t[OUTPUT_TIME_MAX], mfa[64], list[1024], uidbuf[24] = "-";
	int64_t uid = 0;

	json_object_object_get_ex(params, "person", &p);
	if (!json_object_object_get_ex(params, "code", &code) ||
	    !json_object_is_type(code, json_type_object))
		code = NULL;
	snprintf(name, sizeof(name), "%s %s", output_str(p, "first_name"),
		 output_str(p, "last_name"));
	output_field("username", output_str(p, "username"));
	if (output_int(p, "uid", &uid))
		snprintf(uidbuf, sizeof(uidbuf), "%" PRId64, uid);
	output_field("uid", uidbuf);
	output_field("name", name);
	output_field("e-mail", output_str(p, "email")[0] ? output_str(p, "email") : "-");
	output_field("phone", output_str(p, "phone")[0] ? output_str(p, "phone") : "-");
	output_field("organisation", output_str(p, "org"));
	output_field("state", output_word(p, "state"));
	if (output_int(p, "deleted", &(int64_t){ 0 }))
		output_field("in the user bank", output_time(p, "deleted", "?", t));
	output_field("role", output_word(p, "role")[0] ? output_word(p, "role") : "user");
	output_field("permissions", output_join(p, "permissions", list, sizeof(list)));
	output_field("host groups", output_join(p, "groups", list, sizeof(list)));
	output_field("seat pools", output_join(p, "pools", list, sizeof(list)));
	output_field("linked to", output_str(p, "link")[0] ? output_str(p, "link") : "-");
	output_field("existing account",
		     json_object_object_get_ex(p, "existing_account", &v) &&
				     json_object_get_boolean(v) ? "yes" : "no");
	output_field("created", output_time(p, "created", "?", t));
	output_field("password set", output_time(p, "password_set", "never", t));
	if (strcmp(output_word(p, "mfa"), "enrolled") == 0)
		snprintf(mfa, sizeof(mfa), "enrolled (since %s)",
			 output_time(p, "mfa_enrolled", "?", t));
	else
		snprintf(mfa, sizeof(mfa), "none");
	output_field("authenticator", mfa);
	/* UserShow tells the access code (absent: none) and the lockout;
	 * the replies of UserAdd, UserModify and MfaReset tell neither, and
	 * saying "none" there would be wrong for a person who has a code. */
	if (json_object_object_get_ex(params, "lockout", &lockout) &&
	    json_object_is_type(lockout, json_type_object)) {
		output_code_summary(code);
		output_lockout(lockout);
	}
	return output_finish();
}

/* Width of the widest string member key over the array, at least min. */
static int output_width(struct json_object *arr, const char *key, size_t min)
{
	size_t w = min, n = json_object_array_length(arr);

	for (size_t i = 0; i < n; i++) {
		size_t l = strlen(output_str(json_object_array_get_idx(arr, i), key));

		if (l > w)
			w = l;
	}
	return w > OB_TEXT_MAX ? OB_TEXT_MAX : (int)w;
}

static struct json_object *output_array(struct json_object *params, const char *key)
{
	struct json_object *arr;

	if (!json_object_object_get_ex(params, key, &arr) ||
	    !json_object_is_type(arr, json_type_array))
		return NULL;
	return arr;
}

int output_people(struct json_object *params)
{
	struct json_object *arr = output_array(params, "people");
	size_t n = arr ? json_object_array_length(arr) : 0;
	char t[OUTPUT_TIME_MAX], a[OB_TEXT_MAX], b[OB_TEXT_MAX], c[OB_TEXT_MAX];
	char name[2 * OB_NAME_MAX + 2], d[OB_TEXT_MAX];
	int wu, ws, wr, wo, we;

	if (n == 0)
		return output_line("no people");
	wu = output_width(arr, "username", strlen("USERNAME"));
	ws = output_width(arr, "state", strlen("STATE"));
	wr = output_width(arr, "role", strlen("ROLE"));
	wo = output_width(arr, "org", strlen("ORG"));
	we = output_width(arr, "email", strlen("E-MAIL"));
	/* The name goes last: its UTF-8 width is not its length in bytes. */
	printf("%-*s  %-*s  %-*s  %-*s  %-16s  %-*s  %s\n", wu, "USERNAME", ws, "STATE", wr,
	       "ROLE", wo, "ORG", "CREATED", we, "E-MAIL", "NAME");
	for (size_t i = 0; i < n; i++) {
		struct json_object *p = json_object_array_get_idx(arr, i);
		const char *email = output_str(p, "email");

		snprintf(name, sizeof(name), "%s %s", output_str(p, "first_name"),
			 output_str(p, "last_name"));
		printf("%-*s  %-*s  %-*s  %-*s  %-16s  %-*s  %s\n", wu,
		       output_sanitize(output_str(p, "username"), a, sizeof(a)), ws,
		       output_word(p, "state"), wr, output_word(p, "role"), wo,
		       output_sanitize(output_str(p, "org"), d, sizeof(d)),
		       output_time(p, "created", "?", t), we,
		       output_sanitize(email[0] ? email : "-", b, sizeof(b)),
		       output_sanitize(name, c, sizeof(c)));
	}
	return output_finish();
}

int output_bank(struct json_object *params)
{
	struct json_object *arr = output_array(params, "people");
	size_t n = arr ? json_object_array_length(arr) : 0;
	char t[OUTPUT_TIME_MAX], a[OB_TEXT_MAX], b[OB_TEXT_MAX], c[OB_TEXT_MAX], d[OB_TEXT_MAX];
	char name[2 * OB_NAME_MAX + 2];
	int wu, wo, we;

	if (n == 0)
		return output_line("nobody in the user bank");
	wu = output_width(arr, "username", strlen("USERNAME"));
	wo = output_width(arr, "org", strlen("ORG"));
	we = output_width(arr, "email", strlen("E-MAIL"));
	printf("%-*s  %-*s  %-16s  %-*s  %s\n", wu, "USERNAME", wo, "ORG", "DELETED", we,
	       "E-MAIL", "NAME");
	for (size_t i = 0; i < n; i++) {
		struct json_object *p = json_object_array_get_idx(arr, i);
		const char *email = output_str(p, "email");

		snprintf(name, sizeof(name), "%s %s", output_str(p, "first_name"),
			 output_str(p, "last_name"));
		printf("%-*s  %-*s  %-16s  %-*s  %s\n", wu,
		       output_sanitize(output_str(p, "username"), a, sizeof(a)), wo,
		       output_sanitize(output_str(p, "org"), d, sizeof(d)),
		       output_time(p, "deleted", "?", t), we,
		       output_sanitize(email[0] ? email : "-", b, sizeof(b)),
		       output_sanitize(name, c, sizeof(c)));
	}
	return output_finish();
}

/* The access codes' and the invitations' table: the same columns but for
 * the last, a yes-or-no flag (flag, headed heading); none when empty. */
static int output_closed_table(struct json_object *params, const char *key, const char *none,
			       const char *flag, const char *heading)
{
	struct json_object *arr = output_array(params, key);
	size_t n = arr ? json_object_array_length(arr) : 0;
	char t1[OUTPUT_TIME_MAX], t2[OUTPUT_TIME_MAX], t3[OUTPUT_TIME_MAX], u[OB_TEXT_MAX];
	int wu;

	if (n == 0)
		return output_line("%s", none);
	wu = output_width(arr, "username", strlen("USERNAME"));
	printf("%-*s  %-10s  %-16s  %-16s  %-16s  %s\n", wu, "USERNAME", "STATUS", "ISSUED",
	       "EXPIRES", "CLOSED", heading);
	for (size_t i = 0; i < n; i++) {
		struct json_object *c = json_object_array_get_idx(arr, i);

		printf("%-*s  %-10s  %-16s  %-16s  %-16s  %s\n", wu,
		       output_sanitize(output_str(c, "username"), u, sizeof(u)),
		       output_word(c, "status"), output_time(c, "issued", "?", t1),
		       output_time(c, "expires", "?", t2), output_time(c, "closed", "-", t3),
		       output_bool(c, flag) ? "yes" : "-");
	}
	return output_finish();
}

int output_codes(struct json_object *params)
{
	return output_closed_table(params, "codes", "no access codes", "reset_mfa", "RESET-MFA");
}

/* The line after an unlock of who: the lock lifted, and the failures
 * (each a what) cleared; nothing (NULL: none) is the line when there
 * was neither. */
static int output_unlock_line(struct json_object *params, const char *who, const char *what,
			      const char *nothing)
{
	char t[OUTPUT_TIME_MAX];
	int64_t failures = 0;
	int r;

	output_int(params, "failures", &failures);
	if (output_int(params, "locked_until", &(int64_t){ 0 }))
		r = output_line("unlocked %s: lifted the lock until %s and cleared %" PRId64 " %s%s",
				who, output_lock_time(params, "?", t), failures, what,
				failures == 1 ? "" : "s");
	else if (failures || !nothing)
		r = output_line("%s was not locked: cleared %" PRId64 " %s%s", who, failures, what,
				failures == 1 ? "" : "s");
	else
		r = output_line("%s was not locked and %s: nothing changed", who, nothing);
	return r < 0 ? -EIO : output_finish();
}

int output_unlocked(struct json_object *params)
{
	char u[OB_USERNAME_MAX + 1];
	const char *who = output_sanitize(output_str(params, "username"), u, sizeof(u));

	return output_unlock_line(params, who, "failed login", "had no failed logins");
}

int output_source_unlocked(struct json_object *params)
{
	char s[128];
	const char *src = output_sanitize(output_str(params, "source"), s, sizeof(s));

	return output_unlock_line(params, src, "wrong code", NULL);
}

/* Write the n bytes snprintf made in buf (size bytes; n out of range
 * when it did not fit), which hold a code shown once; buf is wiped
 * either way. */
static int output_write_secret(char *buf, size_t size, int n)
{
	int r = -EIO;

	if (n >= 0 && (size_t)n < size)
		r = output_write_direct(buf, (size_t)n);
	sodium_memzero(buf, size);
	return r;
}

int output_code_issued(struct json_object *params)
{
	char buf[OB_TEXT_MAX], t[OUTPUT_TIME_MAX], u[OB_USERNAME_MAX + 1];
	int n;

	n = snprintf(buf, sizeof(buf),
		     "%s\n"
		     "Access code for %s, valid until %s. It is shown only this once:\n"
		     "give it to the person, who enters it at the login prompt.\n%s",
		     output_word(params, "code"),
		     output_sanitize(output_str(params, "username"), u, sizeof(u)),
		     output_time(params, "expires", "?", t),
		     output_bool(params, "reset_mfa")
			     ? "It resets MFA: the login with it removes the person's authenticator,\n"
			       "and after the new password they enrol a new one.\n"
			     : "");
	return output_write_secret(buf, sizeof(buf), n);
}

/* ---------------------------------------------------------- invitations */

int output_invitation_issued(struct json_object *params)
{
	struct json_object *inv = NULL;
	char buf[OB_TEXT_MAX], t[OUTPUT_TIME_MAX], u[OB_USERNAME_MAX + 1], v[64];
	const char *verify = output_word(params, "verification_code");
	int n;

	/* InviteSend carries username and expires; UserAdd its invitation. */
	if (!json_object_object_get_ex(params, "invitation", &inv) ||
	    !json_object_is_type(inv, json_type_object))
		inv = params;
	v[0] = '\0';
	if (verify[0])
		snprintf(v, sizeof(v), "Verification code: %s\n", verify);
	n = snprintf(buf, sizeof(buf),
		     "Invitation code:   %s\n%s"
		     "Invitation for %s, valid until %s. E-mail delivery is not built yet:\n"
		     "the code%s shown only this once. Give %s to the person, who enters\n"
		     "%s at the login prompt to register.\n",
		     output_word(params, "code"), v,
		     output_sanitize(output_str(inv, "username"), u, sizeof(u)),
		     output_time(inv, "expires", "?", t), verify[0] ? "s are" : " is",
		     verify[0] ? "both, by different channels if you can," : "it",
		     verify[0] ? "them" : "it");
	sodium_memzero(v, sizeof(v));
	return output_write_secret(buf, sizeof(buf), n);
}

int output_user_invited(struct json_object *params)
{
	int r = output_person(params);

	return r < 0 ? r : output_invitation_issued(params);
}

int output_invitations(struct json_object *params)
{
	return output_closed_table(params, "invitations", "no invitations", "verification",
				   "VERIFICATION");
}

/* ------------------------------------------------------- groups, pools */

int output_groups(struct json_object *params)
{
	struct json_object *arr = output_array(params, "groups");
	size_t n = arr ? json_object_array_length(arr) : 0;
	char t[OUTPUT_TIME_MAX], a[OB_TEXT_MAX], b[OB_TEXT_MAX];
	int wn, wo;

	if (n == 0)
		return output_line("no host groups");
	wn = output_width(arr, "name", strlen("NAME"));
	wo = output_width(arr, "org", strlen("ORG"));
	printf("%-*s  %-*s  %7s  %s\n", wn, "NAME", wo, "ORG", "MEMBERS", "CREATED");
	for (size_t i = 0; i < n; i++) {
		struct json_object *g = json_object_array_get_idx(arr, i);
		int64_t members = 0;

		output_int(g, "members", &members);
		printf("%-*s  %-*s  %7" PRId64 "  %s\n", wn,
		       output_sanitize(output_str(g, "name"), a, sizeof(a)), wo,
		       output_sanitize(output_str(g, "org"), b, sizeof(b)), members,
		       output_time(g, "created", "?", t));
	}
	return output_finish();
}

int output_pools(struct json_object *params)
{
	struct json_object *arr = output_array(params, "pools");
	size_t n = arr ? json_object_array_length(arr) : 0;
	char t[OUTPUT_TIME_MAX], a[OB_TEXT_MAX], b[OB_TEXT_MAX], seats[48];
	int wn, wo;

	if (n == 0)
		return output_line("no seat pools");
	wn = output_width(arr, "name", strlen("NAME"));
	wo = output_width(arr, "org", strlen("ORG"));
	printf("%-*s  %-*s  %-15s  %s\n", wn, "NAME", wo, "ORG", "SEATS USED", "CREATED");
	for (size_t i = 0; i < n; i++) {
		struct json_object *p = json_object_array_get_idx(arr, i);
		int64_t used = 0, total = 0;

		output_int(p, "used", &used);
		output_int(p, "seats", &total);
		snprintf(seats, sizeof(seats), "%" PRId64 "/%" PRId64 "%s", used, total,
			 used >= total ? " full" : "");
		printf("%-*s  %-*s  %-15s  %s\n", wn,
		       output_sanitize(output_str(p, "name"), a, sizeof(a)), wo,
		       output_sanitize(output_str(p, "org"), b, sizeof(b)), seats,
		       output_time(p, "created", "?", t));
	}
	return output_finish();
}

/* ---------------------------------------------------------------- audit */

/* Who did it: the onboard person and the uid, or the login dialogue. */
static const char *output_actor(struct json_object *e, char *buf, size_t size)
{
	const char *actor = output_str(e, "actor");
	char clean[OB_USERNAME_MAX + 1];
	int64_t uid;

	if (!output_int(e, "uid", &uid))
		snprintf(buf, size, "%s", actor[0] ? output_sanitize(actor, clean, sizeof(clean))
						   : "login");
	else if (actor[0])
		snprintf(buf, size, "%s(uid %" PRId64 ")",
			 output_sanitize(actor, clean, sizeof(clean)), uid);
	else
		snprintf(buf, size, "uid %" PRId64, uid);
	return buf;
}

int output_events(struct json_object *params)
{
	struct json_object *arr = output_array(params, "events");
	size_t n = arr ? json_object_array_length(arr) : 0;
	char t[32], ev[OB_TEXT_MAX], res[OB_TEXT_MAX], sub[OB_TEXT_MAX], by[96];
	char org[OB_TEXT_MAX], detail[OB_TEXT_MAX];
	int we, wr, ws;

	if (n == 0)
		return output_line("no events");
	we = output_width(arr, "event", strlen("EVENT"));
	wr = output_width(arr, "result", strlen("RESULT"));
	ws = output_width(arr, "subject", strlen("SUBJECT"));
	printf("%-19s  %-*s  %-*s  %-*s  %-16s  %-10s  %s\n", "TIME (UTC)", we, "EVENT", wr,
	       "RESULT", ws, "SUBJECT", "BY", "ORG", "DETAIL");
	for (size_t i = 0; i < n; i++) {
		struct json_object *e = json_object_array_get_idx(arr, i);
		const char *subject = output_str(e, "subject"), *o = output_str(e, "org");
		int64_t time = 0;

		output_int(e, "time", &time);
		printf("%-19s  %-*s  %-*s  %-*s  %-16s  %-10s  %s\n", output_utc(time, t, sizeof(t)),
		       we, output_sanitize(output_str(e, "event"), ev, sizeof(ev)), wr,
		       output_sanitize(output_str(e, "result"), res, sizeof(res)), ws,
		       output_sanitize(subject[0] ? subject : "-", sub, sizeof(sub)),
		       output_actor(e, by, sizeof(by)), output_sanitize(o[0] ? o : "-", org, sizeof(org)),
		       output_sanitize(output_str(e, "detail"), detail, sizeof(detail)));
	}
	return output_finish();
}
