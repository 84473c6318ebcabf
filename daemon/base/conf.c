/* SPDX-License-Identifier: BSD-3-Clause */
/* Reading onboardd.conf: flat "key = value" lines parsed with inih.
 *
 * inih is fed through our own line reader, which is what makes the
 * format strict and the errors precise: it counts physical lines (inih is
 * built without line numbers for handlers), strips leading blanks (so an
 * indented line is never an inih continuation line), drops '#' comments
 * (Debian's inih only knows ';' inline comments), and refuses sections,
 * lines without '=', NUL bytes and lines longer than inih's buffer
 * instead of letting inih split or truncate them silently. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <ini.h>
#include <sodium.h>

#include "conf.h"
#include "secfile.h"
#include "totp.h"
#include "duration.h"
#include "logindefs.h"
#include "text.h"
#include "utf8.h"
#include "ob_cleanup.h"

#define KIB 1024ULL
#define MIB (1024ULL * KIB)
#define GIB (1024ULL * MIB)
#define TIB (1024ULL * GIB)

/* A configuration file is a page of text; anything larger is a mistake. */
#define CONF_MAX_BYTES (1024 * 1024)

#define CONF_PWHASH_MEM_MIN (8 * MIB)
_Static_assert(CONF_PWHASH_MEM_MIN >= crypto_pwhash_MEMLIMIT_MIN, "below libsodium's minimum");

enum conf_kind { KIND_DURATION, KIND_SIZE, KIND_NUMBER, KIND_PATH, KIND_CHOICE, KIND_TEXT,
		 KIND_RANGE, KIND_OPTPATH };

/* The C type of the field a key writes, so that each store is typed. */
enum conf_field {
	FIELD_I64, FIELD_U64, FIELD_ULL, FIELD_SIZE, FIELD_UNSIGNED, FIELD_UID, FIELD_PATH
};

struct conf_key {
	const char *name;
	enum conf_kind kind;
	enum conf_field field;
	size_t offset;
	uint64_t min, max;
	const char *const *choices; /* KIND_CHOICE: the words, NULL-terminated */
	const unsigned *values;     /* KIND_CHOICE: what each word stores */
};

static const char *const mfa_words[] = { "required", "optional", "off", NULL };
static const unsigned mfa_values[] = { MFA_REQUIRED, MFA_OPTIONAL, MFA_OFF };
static const char *const algorithm_words[] = { "sha1", "sha256", "sha512", NULL };
static const unsigned algorithm_values[] = { TOTP_SHA1, TOTP_SHA256, TOTP_SHA512 };
static const char *const digits_words[] = { "6", "8", NULL };
static const unsigned digits_values[] = { 6, 8 };
static const char *const home_words[] = { "first-login", "create", NULL };
static const unsigned home_values[] = { ACCOUNT_HOME_FIRST_LOGIN, ACCOUNT_HOME_CREATE };
static const char *const verification_words[] = { "none", "admin", NULL };
static const unsigned verification_values[] = { INVITE_VERIFY_NONE, INVITE_VERIFY_ADMIN };

#define AT(f) offsetof(struct config, f)

static const struct conf_key conf_keys[] = {
	{ "code_lifetime", KIND_DURATION, FIELD_I64, AT(code_lifetime), 60, DURATION_MAX_SECONDS, NULL, NULL },
	{ "db_map_size", KIND_SIZE, FIELD_U64, AT(db_map_size), MIB, TIB, NULL, NULL },
	{ "password_hash_ops", KIND_NUMBER, FIELD_ULL, AT(pwhash_ops), crypto_pwhash_OPSLIMIT_MIN,
	  crypto_pwhash_OPSLIMIT_MAX, NULL, NULL },
	/* Not libsodium's MEMLIMIT_MIN (8K, there for tests): below 8M argon2id
	 * is no longer memory-hard against a GPU; OWASP's cheapest argon2id
	 * setting is 7M with 5 passes. */
	{ "password_hash_memory", KIND_SIZE, FIELD_SIZE, AT(pwhash_mem), CONF_PWHASH_MEM_MIN,
	  GIB, NULL, NULL },
	{ "workers", KIND_NUMBER, FIELD_UNSIGNED, AT(workers), 1, 64, NULL, NULL },
	{ "worker_queue", KIND_NUMBER, FIELD_UNSIGNED, AT(worker_queue), 1, 4096, NULL, NULL },
	{ "max_connections", KIND_NUMBER, FIELD_UNSIGNED, AT(max_connections), 1, 65536, NULL, NULL },
	{ "max_connections_per_uid", KIND_NUMBER, FIELD_UNSIGNED, AT(max_connections_per_uid), 1,
	  65536, NULL, NULL },
	{ "max_dialogues_per_user", KIND_NUMBER, FIELD_UNSIGNED, AT(max_dialogues_per_user), 1,
	  65536, NULL, NULL },
	{ "connection_reserve", KIND_NUMBER, FIELD_UNSIGNED, AT(connection_reserve), 0, 65535,
	  NULL, NULL },
	{ "login_timeout", KIND_DURATION, FIELD_I64, AT(login_timeout), 10, 3600, NULL, NULL },
	{ "shutdown_timeout", KIND_DURATION, FIELD_I64, AT(shutdown_timeout), 1, 600, NULL, NULL },
	{ "uid_min", KIND_NUMBER, FIELD_UID, AT(uid_min), 1, 0x7fffffffULL, NULL, NULL },
	{ "password_min_length", KIND_NUMBER, FIELD_UNSIGNED, AT(password_min_length), 8, 64, NULL, NULL },
	{ "key_file", KIND_PATH, FIELD_PATH, AT(key_file), 0, 0, NULL, NULL },
	{ "mfa", KIND_CHOICE, FIELD_UNSIGNED, AT(mfa), 0, 0, mfa_words, mfa_values },
	{ "totp_algorithm", KIND_CHOICE, FIELD_UNSIGNED, AT(totp_algorithm), 0, 0, algorithm_words,
	  algorithm_values },
	{ "totp_digits", KIND_CHOICE, FIELD_UNSIGNED, AT(totp_digits), 0, 0, digits_words,
	  digits_values },
	{ "totp_issuer", KIND_TEXT, FIELD_PATH, AT(totp_issuer), 1, CONFIG_ISSUER_MAX, NULL, NULL },
	{ "invitation_lifetime", KIND_DURATION, FIELD_I64, AT(invitation_lifetime), 3600,
	  DURATION_MAX_SECONDS, NULL, NULL },
	{ "invite_verification", KIND_CHOICE, FIELD_UNSIGNED, AT(invite_verification), 0, 0,
	  verification_words, verification_values },
	{ "terms_file", KIND_PATH, FIELD_PATH, AT(terms_file), 0, 0, NULL, NULL },
	{ "lockout_attempts", KIND_NUMBER, FIELD_UNSIGNED, AT(lockout_attempts), 1, 1000, NULL,
	  NULL },
	/* Minutes, as the name says: a whole number, not a duration. */
	{ "lockout_minutes", KIND_NUMBER, FIELD_UNSIGNED, AT(lockout_minutes), 1, 1440, NULL,
	  NULL },
	{ "account_shell", KIND_PATH, FIELD_PATH, AT(account_shell), 0, 0, NULL, NULL },
	{ "account_home", KIND_CHOICE, FIELD_UNSIGNED, AT(account_home), 0, 0, home_words,
	  home_values },
	{ "lockout_total_attempts", KIND_NUMBER, FIELD_UNSIGNED, AT(lockout_total_attempts), 1, 100,
	  NULL, NULL },
	{ "audit_retention", KIND_DURATION, FIELD_I64, AT(audit_retention), 86400,
	  DURATION_MAX_SECONDS, NULL, NULL },
	{ "audit_max_size", KIND_SIZE, FIELD_U64, AT(audit_max_size), MIB, TIB, NULL, NULL },
	{ "import_memory", KIND_SIZE, FIELD_SIZE, AT(import_memory), MIB, 16 * GIB, NULL, NULL },
	/* Not 0 (root), not 4294967295 and 4294967294 ((uid_t)-1 and
	 * (uint16_t)-1 widened: "no uid" to the kernel and old programs). */
	{ "uid_range", KIND_RANGE, FIELD_PATH, AT(uid_range), 1, 0xfffffffdULL, NULL, NULL },
	{ "userdb_socket", KIND_OPTPATH, FIELD_PATH, AT(userdb_socket), 0, 0, NULL, NULL },
	/* min 0: may be empty (no service is graphical). */
	{ "graphical_services", KIND_TEXT, FIELD_PATH, AT(graphical_services), 0,
	  CONFIG_SERVICES_MAX, NULL, NULL },
};

#define CONF_NKEYS OB_ARRAY_SIZE(conf_keys)

struct conf_parse {
	struct config *c;          /* the working copy */
	FILE *f;
	const char *path;
	unsigned line;             /* physical line inih is looking at */
	unsigned set_on[CONF_NKEYS];
	char *buf;                 /* getline's buffer */
	size_t bufsize;
	int error;                 /* first error, -errno; later ones are not reported */
	char *err;
	size_t errlen;
};

/* A one-line name: printable ASCII or UTF-8, no control characters and
 * no invisible or text-direction ones (the rule of people's names). */
static bool conf_text_ok(const char *s, size_t max)
{
	size_t n = strnlen(s, max + 1);

	if (n == 0 || n > max || !utf8_valid(s, n) || utf8_has_format(s, n, NULL))
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return false;
	return true;
}

void config_defaults(struct config *c)
{
	memset(c, 0, sizeof(*c));
	c->code_lifetime = 90 * 86400;
	/* LMDB maps the file sparsely: a large map costs address space, not disk. */
	c->db_map_size = GIB;
	/* libsodium's "moderate" cost takes about a second per login: too slow. */
	c->pwhash_ops = 3;
	c->pwhash_mem = 64 * MIB;
	c->workers = 2;
	c->worker_queue = 64;
	c->max_connections = 256;
	c->max_connections_per_uid = 32;
	c->max_dialogues_per_user = 4;
	c->connection_reserve = 64;
	c->login_timeout = 300;
	/* Logins that connect while we stop wait in the socket's queue for
	 * the next daemon, and the module waits 10 s (its timeout) for a
	 * reply: this plus a start-up must stay under that.  5 s still lets
	 * a person who is typing finish the step. */
	c->shutdown_timeout = 5;
	c->import_memory = 64 * MIB;
	snprintf(c->graphical_services, sizeof(c->graphical_services), "%s",
		 CONFIG_GRAPHICAL_SERVICES);
	c->uid_min = logindefs_uid_min(LOGINDEFS_PATH);
	c->password_min_length = 8;
	/* Empty: main puts the key file in the state directory. */
	c->key_file[0] = '\0';
	c->mfa = MFA_REQUIRED;
	c->totp_algorithm = TOTP_SHA1; /* the one every authenticator app reads */
	c->totp_digits = 6;
	/* Apps list accounts by issuer: the host's name tells them apart. */
	if (gethostname(c->totp_issuer, sizeof(c->totp_issuer)) < 0 || !c->totp_issuer[0] ||
	    !conf_text_ok(c->totp_issuer, CONFIG_ISSUER_MAX))
		snprintf(c->totp_issuer, sizeof(c->totp_issuer), "onboard");
	c->totp_issuer[CONFIG_ISSUER_MAX] = '\0';
	c->invitation_lifetime = 30 * 86400;
	c->invite_verification = INVITE_VERIFY_NONE;
	c->lockout_attempts = 10;
	c->lockout_minutes = 15;
	c->lockout_total_attempts = 100; /* NIST SP 800-63B: at most 100 */
	snprintf(c->account_shell, sizeof(c->account_shell), "/bin/bash");
	c->account_home = ACCOUNT_HOME_FIRST_LOGIN;
	c->audit_retention = 365 * 86400;
	c->audit_max_size = 0; /* a quarter of the map: see config_audit_max_size */
	/* Above systemd's 16-bit ranges, below the subordinate ids useradd
	 * hands out (SUB_UID_MIN 100000): see onboardd.conf(5). */
	c->uid_range.first = 65536;
	c->uid_range.last = 99999;
	snprintf(c->userdb_socket, sizeof(c->userdb_socket), "/run/systemd/userdb/io.onboard");
}

/* Leading decimal digits of s into *out.  Returns where they end, or NULL
 * when there are none or they overflow. */
static const char *conf_digits(const char *s, uint64_t *out)
{
	uint64_t n = 0;
	const char *p = s;

	for (; *p >= '0' && *p <= '9'; p++) {
		if (n > (UINT64_MAX - (uint64_t)(*p - '0')) / 10)
			return NULL;
		n = n * 10 + (uint64_t)(*p - '0');
	}
	*out = n;
	return p == s ? NULL : p;
}

/* The suffixes a size may end in, one letter in either case. */
static const struct conf_unit {
	char upper, lower;
	uint64_t mul;
} conf_units[] = {
	{ 'K', 'k', KIB },
	{ 'M', 'm', MIB },
	{ 'G', 'g', GIB },
	{ 'T', 't', TIB },
};

int config_parse_size(const char *s, uint64_t *out)
{
	uint64_t n, mul = 1;
	const char *p;

	*out = 0;
	if (!s || !(p = conf_digits(s, &n)))
		return -EINVAL;
	if (*p) {
		size_t k = 0;

		while (k < sizeof(conf_units) / sizeof(conf_units[0]) &&
		       *p != conf_units[k].upper && *p != conf_units[k].lower)
			k++;
		if (k == sizeof(conf_units) / sizeof(conf_units[0]) || p[1])
			return -EINVAL;
		mul = conf_units[k].mul;
	}
	if (n > UINT64_MAX / mul)
		return -EINVAL;
	*out = n * mul;
	return 0;
}

/* Digits only: no sign, no blanks, no base prefixes. */
static int conf_parse_number(const char *s, uint64_t *out)
{
	const char *end = conf_digits(s, out);

	return end && !*end ? 0 : -EINVAL;
}

/* The shortest exact form of a byte count: 8K, 1M, 1T, or plain bytes. */
static void conf_format_size(uint64_t v, char *out, size_t size)
{
	static const struct {
		uint64_t mul;
		char unit;
	} units[] = { { TIB, 'T' }, { GIB, 'G' }, { MIB, 'M' }, { KIB, 'K' } };

	for (size_t i = 0; i < OB_ARRAY_SIZE(units); i++)
		if (v >= units[i].mul && v % units[i].mul == 0) {
			snprintf(out, size, "%" PRIu64 "%c", v / units[i].mul, units[i].unit);
			return;
		}
	snprintf(out, size, "%" PRIu64, v);
}

/* What a good value of k looks like, for the error message. */
static void conf_expected(const struct conf_key *k, char *out, size_t size)
{
	char lo[32] = "?", hi[32] = "?";

	switch (k->kind) {
	case KIND_DURATION:
		/* The bounds are constants that always fit. */
		(void)duration_format((int64_t)k->min, lo, sizeof(lo));
		(void)duration_format((int64_t)k->max, hi, sizeof(hi));
		snprintf(out, size, "must be a duration such as 90d, 12h or 15m, from %s to %s", lo,
			 hi);
		break;
	case KIND_SIZE:
		conf_format_size(k->min, lo, sizeof(lo));
		conf_format_size(k->max, hi, sizeof(hi));
		snprintf(out, size, "must be a size such as 512M or 2G, from %s to %s", lo, hi);
		break;
	case KIND_NUMBER:
		snprintf(out, size, "must be a whole number from %" PRIu64 " to %" PRIu64, k->min,
			 k->max);
		break;
	case KIND_PATH:
		snprintf(out, size, "must be an absolute path shorter than %d bytes", PATH_MAX);
		break;
	case KIND_CHOICE: {
		size_t used = (size_t)snprintf(out, size, "must be one of");

		for (size_t i = 0; k->choices[i] && used < size; i++)
			used += (size_t)snprintf(out + used, size - used, "%s %s", i ? "," : "",
						 k->choices[i]);
		break;
	}
	case KIND_TEXT:
		snprintf(out, size, "must be %" PRIu64 " to %" PRIu64 " bytes of text without control or invisible characters",
			 k->min, k->max);
		break;
	case KIND_RANGE:
		snprintf(out, size, "must be FIRST-LAST, whole numbers from %" PRIu64 " to %" PRIu64
			 " with FIRST <= LAST", k->min, k->max);
		break;
	case KIND_OPTPATH:
		snprintf(out, size, "must be empty or an absolute path shorter than 108 bytes");
		break;
	}
}

static void conf_store(struct config *c, const struct conf_key *k, uint64_t v)
{
	void *p = (char *)c + k->offset;

	switch (k->field) {
	case FIELD_I64:
		*(int64_t *)p = (int64_t)v;
		break;
	case FIELD_U64:
		*(uint64_t *)p = v;
		break;
	case FIELD_ULL:
		*(unsigned long long *)p = v;
		break;
	case FIELD_SIZE:
		*(size_t *)p = (size_t)v;
		break;
	case FIELD_UNSIGNED:
		*(unsigned *)p = (unsigned)v;
		break;
	case FIELD_UID:
		*(uid_t *)p = (uid_t)v;
		break;
	case FIELD_PATH:
		break;
	}
}

/* Parse value for k into c.  Returns 0 or -EINVAL. */
static int conf_apply(struct config *c, const struct conf_key *k, const char *value)
{
	uint64_t v;
	int64_t secs;
	size_t len;

	switch (k->kind) {
	case KIND_DURATION:
		if (duration_parse(value, &secs) < 0)
			return -EINVAL;
		v = (uint64_t)secs;
		break;
	case KIND_SIZE:
		if (config_parse_size(value, &v) < 0)
			return -EINVAL;
		break;
	case KIND_NUMBER:
		if (conf_parse_number(value, &v) < 0)
			return -EINVAL;
		break;
	case KIND_RANGE: {
		uint64_t first, last;
		const char *end = conf_digits(value, &first);
		struct config_range *rg = (struct config_range *)((char *)c + k->offset);

		if (!end || *end != '-' || conf_parse_number(end + 1, &last) < 0 ||
		    first < k->min || last > k->max || first > last)
			return -EINVAL;
		rg->first = (uint32_t)first;
		rg->last = (uint32_t)last;
		return 0;
	}
	case KIND_OPTPATH:
		/* A Unix socket's path: sun_path holds 108 bytes with its NUL. */
		len = strlen(value);
		if (len && (value[0] != '/' || len >= 108))
			return -EINVAL;
		memcpy((char *)c + k->offset, value, len + 1);
		return 0;
	case KIND_PATH:
		/* Every path field is char[PATH_MAX]. */
		len = strlen(value);
		if (value[0] != '/' || len >= PATH_MAX)
			return -EINVAL;
		memcpy((char *)c + k->offset, value, len + 1);
		return 0;
	case KIND_CHOICE:
		for (size_t i = 0; k->choices[i]; i++)
			if (strcmp(value, k->choices[i]) == 0) {
				conf_store(c, k, k->values[i]);
				return 0;
			}
		return -EINVAL;
	case KIND_TEXT:
		if (k->min == 0 && !value[0]) {
			*((char *)c + k->offset) = '\0';
			return 0;
		}
		if (!conf_text_ok(value, (size_t)k->max))
			return -EINVAL;
		memcpy((char *)c + k->offset, value, strlen(value) + 1);
		return 0;
	default:
		return -EINVAL;
	}
	if (v < k->min || v > k->max)
		return -EINVAL;
	conf_store(c, k, v);
	return 0;
}

/* Record the first error as "FILE:LINE: [KEY: ]reason".  The key comes from
 * the file, so bytes that are not printable are shown as '?'. */
__attribute__((format(printf, 4, 5)))
static int conf_fail(struct conf_parse *p, int error, const char *key, const char *fmt, ...)
{
	char shown[INI_MAX_LINE], reason[256];
	va_list ap;

	if (p->error)
		return 0;
	p->error = error;
	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	if (!key) {
		snprintf(p->err, p->errlen, "%s:%u: %s", p->path, p->line, reason);
		return 0;
	}
	text_printable(shown, sizeof(shown), key, TEXT_ASCII);
	snprintf(p->err, p->errlen, "%s:%u: %s: %s", p->path, p->line, shown, reason);
	return 0;
}

/* Cut a '#' comment that starts the text or follows a blank, then
 * trailing blanks. */
static void conf_strip(char *s)
{
	size_t n;

	for (char *q = s; *q; q++)
		if (*q == '#' && (q == s || *(q - 1) == ' ' || *(q - 1) == '\t')) {
			*q = '\0';
			break;
		}
	n = strlen(s);
	while (n > 0 && strchr(" \t\r\n\v\f", s[n - 1]))
		s[--n] = '\0';
}

/* inih's line source: one physical line per call, checked and cleaned
 * (see the top of the file).  Returning NULL ends the parse. */
static char *conf_read_line(char *out, int size, void *stream)
{
	struct conf_parse *p = stream;
	char *s, *eq, *colon;
	ssize_t n;
	size_t len;

	if (p->error)
		return NULL;
	errno = 0;
	n = getline(&p->buf, &p->bufsize, p->f);
	if (n < 0) {
		if (ferror(p->f)) {
			p->line++;
			conf_fail(p, errno ? -errno : -EIO, NULL, "read error: %s",
				  strerror(errno ? errno : EIO));
		}
		return NULL;
	}
	p->line++;
	if (memchr(p->buf, '\0', (size_t)n)) {
		conf_fail(p, -EINVAL, NULL, "contains a NUL byte");
		return NULL;
	}
	s = p->buf;
	if (p->line == 1 && strncmp(s, "\xef\xbb\xbf", 3) == 0)
		s += 3;
	s += strspn(s, " \t\r\n\v\f");
	conf_strip(s);
	len = strlen(s);
	if (len && *s != ';') {
		if (*s == '[') {
			conf_fail(p, -EINVAL, NULL, "sections are not used: write key = value lines only");
			return NULL;
		}
		eq = strchr(s, '=');
		colon = strchr(s, ':');
		if (!eq || eq == s || (colon && colon < eq)) {
			conf_fail(p, -EINVAL, NULL, "expected key = value");
			return NULL;
		}
	}
	if (len >= (size_t)size) {
		conf_fail(p, -EINVAL, NULL, "line too long (at most %d characters)", size - 1);
		return NULL;
	}
	memcpy(out, s, len + 1);
	return out;
}

static int conf_handle(void *user, const char *section, const char *name, const char *value)
{
	struct conf_parse *p = user;
	char expected[160];
	size_t i;

	if (p->error)
		return 0;
	/* The reader refuses '[' lines, so inih never leaves the root section. */
	if (section && *section)
		return conf_fail(p, -EINVAL, name, "sections are not used");
	for (i = 0; i < CONF_NKEYS; i++)
		if (strcmp(conf_keys[i].name, name) == 0)
			break;
	if (i == CONF_NKEYS)
		return conf_fail(p, -EINVAL, name, "unknown key");
	if (p->set_on[i])
		return conf_fail(p, -EINVAL, name, "set twice (first on line %u)", p->set_on[i]);
	p->set_on[i] = p->line;
	if (conf_apply(p->c, &conf_keys[i], value) < 0) {
		conf_expected(&conf_keys[i], expected, sizeof(expected));
		return conf_fail(p, -EINVAL, name, "%s", expected);
	}
	return 1;
}

/* The configuration and the terms of use are trusted only from a file
 * of root's or ours that nobody else may write. */
static const struct secfile_rule conf_trusted_file = {
	.root_may_own = true,
	.forbidden = S_IWGRP | S_IWOTH,
	.what_bits = "writable by group or others",
	.fix = "run chmod go-w",
};

/* The terms of use, read once at start: a missing or unsafe file stops
 * the start instead of letting people register without them.  Text only:
 * UTF-8 without control characters but tab and newline (carriage returns
 * are dropped), at most CONFIG_TERMS_MAX bytes, trailing blank lines cut.
 * Returns 0 or -errno with the reason in err. */
static int conf_read_terms(struct config *c, char *err, size_t errlen)
{
	_cleanup_close_ int fd = -1;
	char buf[CONFIG_TERMS_MAX + 1];
	struct stat st;
	size_t len = 0, out = 0;
	ssize_t n;

	fd = secfile_open(c->terms_file, &conf_trusted_file, &st, err, errlen);
	if (fd < 0)
		return fd;
	/* One byte more than allowed: a file that grew since fstat shows. */
	while (len < sizeof(buf) && (n = read(fd, buf + len, sizeof(buf) - len)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			snprintf(err, errlen, "%s: read error: %s", c->terms_file, strerror(errno));
			return -EIO;
		}
		len += (size_t)n;
	}
	if (st.st_size > CONFIG_TERMS_MAX || len > CONFIG_TERMS_MAX) {
		snprintf(err, errlen, "%s: larger than %d bytes", c->terms_file, CONFIG_TERMS_MAX);
		return -EFBIG;
	}
	if (!utf8_valid(buf, len)) {
		snprintf(err, errlen, "%s: not UTF-8 text", c->terms_file);
		return -EINVAL;
	}
	for (size_t i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)buf[i];

		if (ch == '\r')
			continue;
		if ((ch < 0x20 && ch != '\n' && ch != '\t') || ch == 0x7f) {
			snprintf(err, errlen, "%s: contains control characters", c->terms_file);
			return -EINVAL;
		}
		c->terms[out++] = (char)ch;
	}
	while (out > 0 && strchr(" \t\n", c->terms[out - 1]))
		out--;
	c->terms[out] = '\0';
	if (out == 0) {
		snprintf(err, errlen, "%s: is empty", c->terms_file);
		return -EINVAL;
	}
	return 0;
}

/* Load the terms of use named by the terms_file line (if any) into p->c. */
static void conf_load_terms(struct conf_parse *p)
{
	char why[PATH_MAX + 128];
	size_t i;
	int r;

	p->c->terms[0] = '\0';
	if (p->error || !p->c->terms_file[0])
		return;
	r = conf_read_terms(p->c, why, sizeof(why));
	if (r == 0)
		return;
	for (i = 0; i < CONF_NKEYS; i++)
		if (strcmp(conf_keys[i].name, "terms_file") == 0)
			break;
	p->line = i < CONF_NKEYS ? p->set_on[i] : 0;
	conf_fail(p, r, "terms_file", "%s", why);
}

/* Whether /etc/shells lists shell: 1 yes, 0 no, -errno when it cannot be
 * read (no such file: nothing to check against). */
static int conf_shell_listed(const char *shell)
{
	FILE *f = fopen("/etc/shells", "re");
	char line[PATH_MAX + 2];
	int r = 0;

	if (!f)
		return -errno;
	while (r == 0 && fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\r\n")] = '\0';
		if (strcmp(line, shell) == 0)
			r = 1;
	}
	if (r == 0 && ferror(f))
		r = -EIO;
	fclose(f);
	return r;
}

/* account_shell, when the file sets it: accounts made with a shell that
 * is missing, not a program or not a login shell cannot be logged in to,
 * so a typo stops the start here rather than at someone's first login. */
static void conf_check_shell(struct conf_parse *p)
{
	const char *shell = p->c->account_shell;
	const char *why = NULL;
	struct stat st;
	size_t i;
	int r;

	if (p->error)
		return;
	for (i = 0; i < CONF_NKEYS; i++)
		if (strcmp(conf_keys[i].name, "account_shell") == 0)
			break;
	if (i == CONF_NKEYS || !p->set_on[i])
		return;
	if (stat(shell, &st) < 0)
		why = errno == ENOENT ? "no such file" : strerror(errno);
	else if (!S_ISREG(st.st_mode))
		why = "not a regular file";
	else if (!(st.st_mode & 0111) || access(shell, X_OK) < 0)
		why = "not executable";
	else if ((r = conf_shell_listed(shell)) == 0)
		why = "not listed in /etc/shells";
	else if (r < 0 && r != -ENOENT)
		why = "/etc/shells cannot be read";
	if (!why)
		return;
	p->line = p->set_on[i];
	conf_fail(p, -EINVAL, "account_shell", "%s: %s", shell, why);
}

/* Open path for reading only if it is safe to trust: a regular file owned
 * by root or by us that nobody else may write.  Returns 0 with *fdp set
 * (-1 for a missing optional file), or -errno with err set. */
static int conf_open(const char *path, bool must_exist, int *fdp, char *err, size_t errlen)
{
	struct stat st;
	int fd;

	*fdp = -1;
	fd = secfile_open(path, &conf_trusted_file, &st, err, errlen);
	if (fd == -ENOENT && !must_exist) {
		err[0] = '\0';
		return 0;
	}
	if (fd < 0)
		return fd;
	if (st.st_size > CONF_MAX_BYTES) {
		snprintf(err, errlen, "%s: larger than %d bytes", path, CONF_MAX_BYTES);
		close(fd);
		return -EFBIG;
	}
	*fdp = fd;
	return 0;
}

int config_load(struct config *c, const char *path, bool must_exist, char *err, size_t errlen)
{
	struct config work = *c;
	struct conf_parse p = { .c = &work, .path = path, .err = err, .errlen = errlen };
	int fd, r;

	if (errlen)
		err[0] = '\0';
	r = conf_open(path, must_exist, &fd, err, errlen);
	if (r < 0 || fd < 0)
		return r;
	p.f = fdopen(fd, "r");
	if (!p.f) {
		r = -errno;
		close(fd);
		snprintf(err, errlen, "%s: %s", path, strerror(-r));
		return r;
	}
	r = ini_parse_stream(conf_read_line, &p, conf_handle, &p);
	if (!p.error && r != 0) {
		/* Our reader and handler catch every error inih knows about; this
		 * is a safety net for one they did not. */
		p.line = r > 0 ? (unsigned)r : p.line;
		conf_fail(&p, r == -2 ? -ENOMEM : -EINVAL, NULL, "syntax error");
	}
	free(p.buf);
	fclose(p.f);
	conf_load_terms(&p);
	conf_check_shell(&p);
	if (p.error)
		return p.error;
	*c = work;
	return 0;
}

const char *config_key_name(size_t i)
{
	return i < CONF_NKEYS ? conf_keys[i].name : NULL;
}
