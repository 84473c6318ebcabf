/* SPDX-License-Identifier: BSD-3-Clause */
/* onboardd.conf: defaults, every key's good and bad values as tables, the
 * exact error lines, and the file checks (owner, mode, symlinks). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "conf.h"
#include "logindefs.h"
#include "ob_cleanup.h"
#include "unit.h"

#define MIB (1024ULL * 1024)
#define GIB (1024 * MIB)
#define TIB (1024 * GIB)

/* The fixture: path is dir/onboardd.conf. */
static int setup(void **state)
{
	return unit_file_setup(state, "test_config", "onboardd.conf");
}

static void write_bytes(const char *path, const char *data, size_t len, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	/* fchmod, not the umask, decides the mode under test. */
	assert_int_equal(fchmod(fd, mode), 0);
	assert_int_equal(close(fd), 0);
}

static void write_conf(struct unit_file *f, const char *text)
{
	write_bytes(f->path, text, strlen(text), 0600);
}

/* Load f->path over the defaults; the error text is in f->err. */
static int load(struct unit_file *f, struct config *c, bool must_exist)
{
	config_defaults(c);
	f->err[0] = '\0';
	return config_load(c, f->path, must_exist, f->err, sizeof(f->err));
}

/* The value a key sets, as a number, to compare rows of a table. */
static uint64_t field(const struct config *c, const char *key)
{
	if (!strcmp(key, "code_lifetime"))
		return (uint64_t)c->code_lifetime;
	if (!strcmp(key, "db_map_size"))
		return c->db_map_size;
	if (!strcmp(key, "password_hash_ops"))
		return c->pwhash_ops;
	if (!strcmp(key, "password_hash_memory"))
		return c->pwhash_mem;
	if (!strcmp(key, "workers"))
		return c->workers;
	if (!strcmp(key, "worker_queue"))
		return c->worker_queue;
	if (!strcmp(key, "max_connections"))
		return c->max_connections;
	if (!strcmp(key, "max_connections_per_uid"))
		return c->max_connections_per_uid;
	if (!strcmp(key, "max_dialogues_per_user"))
		return c->max_dialogues_per_user;
	if (!strcmp(key, "connection_reserve"))
		return c->connection_reserve;
	if (!strcmp(key, "login_timeout"))
		return (uint64_t)c->login_timeout;
	if (!strcmp(key, "shutdown_timeout"))
		return (uint64_t)c->shutdown_timeout;
	if (!strcmp(key, "uid_min"))
		return c->uid_min;
	if (!strcmp(key, "password_min_length"))
		return c->password_min_length;
	if (!strcmp(key, "mfa"))
		return c->mfa;
	if (!strcmp(key, "totp_algorithm"))
		return c->totp_algorithm;
	if (!strcmp(key, "totp_digits"))
		return c->totp_digits;
	if (!strcmp(key, "invitation_lifetime"))
		return (uint64_t)c->invitation_lifetime;
	if (!strcmp(key, "invite_verification"))
		return c->invite_verification;
	if (!strcmp(key, "lockout_attempts"))
		return c->lockout_attempts;
	if (!strcmp(key, "lockout_minutes"))
		return c->lockout_minutes;
	if (!strcmp(key, "account_home"))
		return c->account_home;
	if (!strcmp(key, "lockout_total_attempts"))
		return c->lockout_total_attempts;
	if (!strcmp(key, "audit_retention"))
		return (uint64_t)c->audit_retention;
	if (!strcmp(key, "audit_max_size"))
		return c->audit_max_size;
	if (!strcmp(key, "import_memory"))
		return c->import_memory;
	fail_msg("the test does not know key %s", key);
	return 0;
}

static const char *reason(const char *key)
{
	static const struct {
		const char *key, *reason;
	} rows[] = {
		{ "code_lifetime", "must be a duration such as 90d, 12h or 15m, from 1m to 3650d" },
		{ "db_map_size", "must be a size such as 512M or 2G, from 1M to 1T" },
		{ "password_hash_ops", "must be a whole number from 1 to 4294967295" },
		{ "password_hash_memory", "must be a size such as 512M or 2G, from 8M to 1G" },
		{ "workers", "must be a whole number from 1 to 64" },
		{ "worker_queue", "must be a whole number from 1 to 4096" },
		{ "max_connections", "must be a whole number from 1 to 65536" },
		{ "max_connections_per_uid", "must be a whole number from 1 to 65536" },
		{ "max_dialogues_per_user", "must be a whole number from 1 to 65536" },
		{ "connection_reserve", "must be a whole number from 0 to 65535" },
		{ "login_timeout", "must be a duration such as 90d, 12h or 15m, from 10s to 1h" },
		{ "shutdown_timeout", "must be a duration such as 90d, 12h or 15m, from 1s to 10m" },
		{ "uid_min", "must be a whole number from 1 to 2147483647" },
		{ "password_min_length", "must be a whole number from 8 to 64" },
		{ "key_file", "must be an absolute path shorter than 4096 bytes" },
		{ "mfa", "must be one of required, optional, off" },
		{ "totp_algorithm", "must be one of sha1, sha256, sha512" },
		{ "totp_digits", "must be one of 6, 8" },
		{ "invitation_lifetime",
		  "must be a duration such as 90d, 12h or 15m, from 1h to 3650d" },
		{ "invite_verification", "must be one of none, admin" },
		{ "terms_file", "must be an absolute path shorter than 4096 bytes" },
		{ "totp_issuer", "must be 1 to 64 bytes of text without control or invisible characters" },
		{ "lockout_attempts", "must be a whole number from 1 to 1000" },
		{ "lockout_minutes", "must be a whole number from 1 to 1440" },
		{ "account_shell", "must be an absolute path shorter than 4096 bytes" },
		{ "account_home", "must be one of first-login, create" },
		{ "lockout_total_attempts", "must be a whole number from 1 to 100" },
		{ "graphical_services",
		  "must be 0 to 512 bytes of text without control or invisible characters" },
		{ "audit_retention", "must be a duration such as 90d, 12h or 15m, from 1d to 3650d" },
		{ "audit_max_size", "must be a size such as 512M or 2G, from 1M to 1T" },
		{ "import_memory", "must be a size such as 512M or 2G, from 1M to 16G" },
	};

	for (size_t i = 0; i < OB_ARRAY_SIZE(rows); i++)
		if (!strcmp(rows[i].key, key))
			return rows[i].reason;
	fail_msg("the test does not know key %s", key);
	return NULL;
}

static void defaults_are_the_documented_values(void **state)
{
	struct config c;

	(void)state;
	memset(&c, 0xa5, sizeof(c));
	config_defaults(&c);
	assert_int_equal(c.code_lifetime, 90 * 86400);
	assert_int_equal(c.db_map_size, GIB);
	assert_int_equal(c.pwhash_ops, 3);
	assert_int_equal(c.pwhash_mem, 64 * MIB);
	assert_int_equal(c.workers, 2);
	assert_int_equal(c.worker_queue, 64);
	assert_int_equal(c.max_connections, 256);
	assert_int_equal(c.max_connections_per_uid, 32);
	assert_int_equal(c.max_dialogues_per_user, 4);
	assert_int_equal(c.connection_reserve, 64);
	assert_int_equal(c.login_timeout, 300);
	assert_int_equal(c.shutdown_timeout, 5);
	assert_int_equal(c.uid_min, logindefs_uid_min(LOGINDEFS_PATH));
	assert_int_equal(c.password_min_length, 8);
	assert_string_equal(c.key_file, "");
	assert_int_equal(c.mfa, MFA_REQUIRED);
	assert_int_equal(c.totp_algorithm, 0);
	assert_int_equal(c.totp_digits, 6);
	assert_true(c.totp_issuer[0] != '\0');
	assert_int_equal(c.invitation_lifetime, 30 * 86400);
	assert_int_equal(c.invite_verification, INVITE_VERIFY_NONE);
	assert_string_equal(c.terms_file, "");
	assert_string_equal(c.terms, "");
	assert_int_equal(c.lockout_attempts, 10);
	assert_int_equal(c.lockout_minutes, 15);
	assert_string_equal(c.account_shell, "/bin/bash");
	assert_int_equal(c.account_home, ACCOUNT_HOME_FIRST_LOGIN);
	assert_int_equal(c.lockout_total_attempts, 100);
	assert_int_equal(c.audit_retention, 365 * 86400);
	assert_int_equal(c.audit_max_size, 0);
	assert_int_equal(c.import_memory, 64 * MIB);
}

static void every_key_accepts_good_values(void **state)
{
	static const struct {
		const char *key, *value;
		uint64_t want;
	} rows[] = {
		{ "code_lifetime", "90d", 90 * 86400 },
		{ "code_lifetime", "1m", 60 },
		{ "code_lifetime", "1d12h", 36 * 3600 },
		{ "code_lifetime", "3650d", 3650ULL * 86400 },
		{ "db_map_size", "1M", MIB },
		{ "db_map_size", "1048576", MIB },
		{ "db_map_size", "512M", 512 * MIB },
		{ "db_map_size", "2g", 2 * GIB },
		{ "db_map_size", "1T", TIB },
		{ "password_hash_ops", "1", 1 },
		{ "password_hash_ops", "3", 3 },
		{ "password_hash_ops", "4294967295", 4294967295ULL },
		{ "password_hash_memory", "8M", 8 * MIB },
		{ "password_hash_memory", "8388608", 8 * MIB },
		{ "password_hash_memory", "1G", GIB },
		{ "workers", "1", 1 },
		{ "workers", "64", 64 },
		{ "worker_queue", "1", 1 },
		{ "worker_queue", "4096", 4096 },
		{ "max_connections", "1", 1 },
		{ "max_connections", "65536", 65536 },
		{ "max_connections_per_uid", "1", 1 },
		{ "max_connections_per_uid", "65536", 65536 },
		{ "max_dialogues_per_user", "1", 1 },
		{ "max_dialogues_per_user", "65536", 65536 },
		{ "connection_reserve", "0", 0 },
		{ "connection_reserve", "65535", 65535 },
		{ "login_timeout", "10s", 10 },
		{ "login_timeout", "5m", 300 },
		{ "login_timeout", "1h", 3600 },
		{ "shutdown_timeout", "1s", 1 },
		{ "shutdown_timeout", "20s", 20 },
		{ "shutdown_timeout", "10m", 600 },
		{ "uid_min", "1", 1 },
		{ "uid_min", "1000", 1000 },
		{ "uid_min", "2147483647", 2147483647 },
		{ "password_min_length", "8", 8 },
		{ "password_min_length", "064", 64 },
		{ "mfa", "required", MFA_REQUIRED },
		{ "mfa", "optional", MFA_OPTIONAL },
		{ "mfa", "off", MFA_OFF },
		{ "totp_algorithm", "sha1", 0 },
		{ "totp_algorithm", "sha256", 1 },
		{ "totp_algorithm", "sha512", 2 },
		{ "totp_digits", "6", 6 },
		{ "totp_digits", "8", 8 },
		{ "invitation_lifetime", "30d", 30 * 86400 },
		{ "invitation_lifetime", "1h", 3600 },
		{ "invitation_lifetime", "3650d", 3650ULL * 86400 },
		{ "invite_verification", "none", INVITE_VERIFY_NONE },
		{ "invite_verification", "admin", INVITE_VERIFY_ADMIN },
		{ "lockout_attempts", "1", 1 },
		{ "lockout_attempts", "3", 3 },
		{ "lockout_attempts", "1000", 1000 },
		{ "lockout_minutes", "1", 1 },
		{ "lockout_minutes", "15", 15 },
		{ "lockout_minutes", "1440", 1440 },
		{ "account_home", "first-login", ACCOUNT_HOME_FIRST_LOGIN },
		{ "account_home", "create", ACCOUNT_HOME_CREATE },
		{ "lockout_total_attempts", "1", 1 },
		{ "lockout_total_attempts", "100", 100 },
		{ "audit_retention", "1d", 86400 },
		{ "audit_retention", "365d", 365 * 86400 },
		{ "audit_retention", "3650d", 3650ULL * 86400 },
		{ "audit_max_size", "1M", MIB },
		{ "audit_max_size", "256M", 256 * MIB },
		{ "import_memory", "1M", MIB },
		{ "import_memory", "64M", 64 * MIB },
		{ "import_memory", "16G", 16 * GIB },
	};
	struct unit_file *f = *state;
	char text[256];
	struct config c;

	for (size_t i = 0; i < OB_ARRAY_SIZE(rows); i++) {
		snprintf(text, sizeof(text), "%s = %s\n", rows[i].key, rows[i].value);
		write_conf(f, text);
		if (load(f, &c, true) != 0)
			fail_msg("\"%s = %s\" refused: %s", rows[i].key, rows[i].value, f->err);
		if (field(&c, rows[i].key) != rows[i].want)
			fail_msg("\"%s = %s\" gave %llu, want %llu", rows[i].key, rows[i].value,
				 (unsigned long long)field(&c, rows[i].key),
				 (unsigned long long)rows[i].want);
	}
	write_conf(f, "key_file = /etc/onboard/secret.key\n");
	assert_int_equal(load(f, &c, true), 0);
	assert_string_equal(c.key_file, "/etc/onboard/secret.key");
	write_conf(f, "account_shell = /bin/sh\n");
	assert_int_equal(load(f, &c, true), 0);
	assert_string_equal(c.account_shell, "/bin/sh");
	write_conf(f, "totp_issuer = Kiosk H\xc3\xa4lsa 3\n");
	assert_int_equal(load(f, &c, true), 0);
	assert_string_equal(c.totp_issuer, "Kiosk H\xc3\xa4lsa 3");
	/* The greeters' services: a list, or empty for none. */
	assert_non_null(strstr(c.graphical_services, "lightdm"));
	write_conf(f, "graphical_services = lightdm, my-greeter\n");
	assert_int_equal(load(f, &c, true), 0);
	assert_string_equal(c.graphical_services, "lightdm, my-greeter");
	write_conf(f, "graphical_services =\n");
	assert_int_equal(load(f, &c, true), 0);
	assert_string_equal(c.graphical_services, "");
}

static void every_key_refuses_bad_values_naming_file_line_and_key(void **state)
{
	static const struct {
		const char *key, *value;
	} rows[] = {
		{ "code_lifetime", "59s" },   { "code_lifetime", "3651d" },
		{ "code_lifetime", "90" },    { "code_lifetime", "" },
		{ "code_lifetime", "soon" },  { "code_lifetime", "-1d" },
		{ "db_map_size", "1023K" },   { "db_map_size", "1025G" },
		{ "db_map_size", "2T" },      { "db_map_size", "0" },
		{ "db_map_size", "64MB" },    { "db_map_size", "1.5G" },
		{ "db_map_size", "-1M" },     { "db_map_size", "M" },
		{ "db_map_size", "" },        { "password_hash_ops", "0" },
		{ "password_hash_ops", "4294967296" }, { "password_hash_ops", "3x" },
		{ "password_hash_ops", "-1" }, { "password_hash_ops", "0x10" },
		{ "password_hash_ops", "+3" }, { "password_hash_ops", "" },
		{ "password_hash_memory", "4K" }, { "password_hash_memory", "8191" },
		{ "password_hash_memory", "8K" }, { "password_hash_memory", "8388607" },
		{ "password_hash_memory", "7M" },
		{ "password_hash_memory", "1025M" }, { "password_hash_memory", "2G" },
		{ "workers", "0" },           { "workers", "65" },
		{ "workers", "two" },         { "workers", "2 3" },
		{ "worker_queue", "0" },      { "worker_queue", "4097" },
		{ "max_connections", "0" },   { "max_connections", "65537" },
		{ "max_connections_per_uid", "0" }, { "max_connections_per_uid", "65537" },
		{ "max_dialogues_per_user", "0" }, { "max_dialogues_per_user", "65537" },
		{ "connection_reserve", "-1" },    { "connection_reserve", "65536" },
		{ "login_timeout", "9s" },    { "login_timeout", "61m" },
		{ "login_timeout", "2h" },    { "login_timeout", "5" },
		{ "shutdown_timeout", "11m" }, { "shutdown_timeout", "0s" },
		{ "uid_min", "0" },           { "uid_min", "2147483648" },
		{ "uid_min", "18446744073709551616" },
		{ "password_min_length", "7" }, { "password_min_length", "65" },
		{ "key_file", "secret.key" }, { "key_file", "" },
		{ "key_file", "./secret.key" },
		{ "mfa", "yes" },             { "mfa", "Required" },
		{ "mfa", "" },                { "totp_algorithm", "md5" },
		{ "totp_algorithm", "SHA1" }, { "totp_digits", "7" },
		{ "totp_digits", "06" },      { "totp_issuer", "" },
		{ "invitation_lifetime", "59m" }, { "invitation_lifetime", "3651d" },
		{ "invitation_lifetime", "30" }, { "invitation_lifetime", "" },
		{ "invite_verification", "sms" }, { "invite_verification", "Admin" },
		{ "invite_verification", "" }, { "terms_file", "terms.txt" },
		{ "terms_file", "" },
		{ "totp_issuer", "bad\xff\xfe" },
		{ "totp_issuer", "Kiosk\xe2\x80\xae" "3" }, /* U+202E */
		{ "totp_issuer", "12345678901234567890123456789012345678901234567890123456789012345" },
		{ "lockout_attempts", "0" },  { "lockout_attempts", "1001" },
		{ "lockout_attempts", "ten" }, { "lockout_attempts", "-1" },
		{ "lockout_attempts", "" },   { "lockout_minutes", "0" },
		{ "lockout_minutes", "1441" }, { "lockout_minutes", "15m" },
		{ "lockout_minutes", "1h" },  { "lockout_minutes", "" },
		{ "account_shell", "bash" },  { "account_shell", "" },
		{ "lockout_total_attempts", "0" }, { "lockout_total_attempts", "101" },
		{ "audit_retention", "23h" }, { "audit_retention", "3651d" },
		{ "audit_retention", "" },    { "audit_max_size", "1023K" },
		{ "audit_max_size", "0" },    { "audit_max_size", "2T" },
		{ "account_home", "yes" },    { "account_home", "Create" },
		{ "account_home", "" },
		{ "import_memory", "1023K" }, { "import_memory", "17G" },
		{ "import_memory", "" },      { "import_memory", "lots" },
	};
	struct unit_file *f = *state;
	char text[256], want[1024];
	struct config c, defaults;
	int r;

	config_defaults(&defaults);
	for (size_t i = 0; i < OB_ARRAY_SIZE(rows); i++) {
		snprintf(text, sizeof(text), "%s = %s\n", rows[i].key, rows[i].value);
		write_conf(f, text);
		r = load(f, &c, true);
		if (r != -EINVAL)
			fail_msg("\"%s = %s\" gave %d, want -EINVAL", rows[i].key, rows[i].value, r);
		snprintf(want, sizeof(want), "%s:1: %s: %s", f->path, rows[i].key,
			 reason(rows[i].key));
		if (strcmp(f->err, want) != 0)
			fail_msg("\"%s = %s\": error \"%s\", want \"%s\"", rows[i].key, rows[i].value,
				 f->err, want);
		if (memcmp(&c, &defaults, sizeof(c)) != 0)
			fail_msg("\"%s = %s\" changed the configuration", rows[i].key, rows[i].value);
	}
}

static void unknown_key_names_file_line_and_key(void **state)
{
	struct unit_file *f = *state;
	char want[1024];
	struct config c;

	write_conf(f, "# onboardd.conf\n\nworkers = 4\n\n  # indented comment\n"
		      "code_lifetime = 30d\nlockout_time = 15m\n");
	assert_int_equal(load(f, &c, true), -EINVAL);
	snprintf(want, sizeof(want), "%s:7: lockout_time: unknown key", f->path);
	assert_string_equal(f->err, want);
}

static void section_header_refused(void **state)
{
	struct unit_file *f = *state;
	char want[1024];
	struct config c;

	write_conf(f, "workers = 4\n[daemon]\nworker_queue = 9\n");
	assert_int_equal(load(f, &c, true), -EINVAL);
	snprintf(want, sizeof(want), "%s:2: sections are not used: write key = value lines only",
		 f->path);
	assert_string_equal(f->err, want);
	/* A header with nothing under it is refused too. */
	write_conf(f, "workers = 4\n[daemon]\n");
	assert_int_equal(load(f, &c, true), -EINVAL);
	assert_string_equal(f->err, want);
}

static void key_set_twice_refused_naming_first_line(void **state)
{
	struct unit_file *f = *state;
	char want[1024];
	struct config c;

	write_conf(f, "workers = 4\n# more\nworkers = 8\n");
	assert_int_equal(load(f, &c, true), -EINVAL);
	snprintf(want, sizeof(want), "%s:3: workers: set twice (first on line 1)", f->path);
	assert_string_equal(f->err, want);
}

static void line_without_equals_refused(void **state)
{
	static const char *const lines[] = { "workers 4\n", "workers: 4\n", "= 4\n", "workers\n" };
	struct unit_file *f = *state;
	char want[1024];
	struct config c;

	snprintf(want, sizeof(want), "%s:2: expected key = value", f->path);
	for (size_t i = 0; i < OB_ARRAY_SIZE(lines); i++) {
		char text[64];

		snprintf(text, sizeof(text), "# first\n%s", lines[i]);
		write_conf(f, text);
		assert_int_equal(load(f, &c, true), -EINVAL);
		if (strcmp(f->err, want) != 0)
			fail_msg("line \"%.*s\": error \"%s\", want \"%s\"",
				 (int)strlen(lines[i]) - 1, lines[i], f->err, want);
	}
}

static void hash_and_semicolon_comments_after_values_ignored(void **state)
{
	struct unit_file *f = *state;
	struct config c;

	write_conf(f, "workers = 4 # four threads\nworker_queue = 9\t# nine\n"
		      "max_connections = 100 ; a hundred\nkey_file = /srv/a#b.key\n");
	assert_int_equal(load(f, &c, true), 0);
	assert_int_equal(c.workers, 4);
	assert_int_equal(c.worker_queue, 9);
	assert_int_equal(c.max_connections, 100);
	/* A '#' inside a word is part of the value. */
	assert_string_equal(c.key_file, "/srv/a#b.key");
}

static void indented_line_is_a_key_not_a_continuation(void **state)
{
	struct unit_file *f = *state;
	struct config c;

	write_conf(f, "workers = 4\n   worker_queue = 9\n\tmax_connections = 7\n");
	assert_int_equal(load(f, &c, true), 0);
	assert_int_equal(c.workers, 4);
	assert_int_equal(c.worker_queue, 9);
	assert_int_equal(c.max_connections, 7);
}

static void bom_crlf_and_blanks_accepted(void **state)
{
	struct unit_file *f = *state;
	struct config c;

	write_conf(f, "\xef\xbb\xbfworkers=5\r\n\r\nworker_queue   =   11   \r\nuid_min = 2000");
	assert_int_equal(load(f, &c, true), 0);
	assert_int_equal(c.workers, 5);
	assert_int_equal(c.worker_queue, 11);
	assert_int_equal(c.uid_min, 2000);
}

static void overlong_line_refused_not_split(void **state)
{
	struct unit_file *f = *state;
	char text[400], want[1024];
	struct config c;
	int n;

	n = snprintf(text, sizeof(text), "workers = 4\nkey_file = /");
	memset(text + n, 'a', 250);
	snprintf(text + n + 250, sizeof(text) - (size_t)n - 250, "\n");
	write_conf(f, text);
	assert_int_equal(load(f, &c, true), -EINVAL);
	snprintf(want, sizeof(want), "%s:2: line too long", f->path);
	assert_non_null(strstr(f->err, want));
	/* A long comment is no value and does no harm. */
	n = snprintf(text, sizeof(text), "workers = 4 # ");
	memset(text + n, 'c', 300);
	text[n + 300] = '\0';
	write_conf(f, text);
	assert_int_equal(load(f, &c, true), 0);
	assert_int_equal(c.workers, 4);
}

static void nul_byte_refused(void **state)
{
	static const char text[] = "workers = 4\nworker_queue = 9\0 # hidden\n";
	struct unit_file *f = *state;
	char want[1024];
	struct config c;

	write_bytes(f->path, text, sizeof(text) - 1, 0600);
	assert_int_equal(load(f, &c, true), -EINVAL);
	snprintf(want, sizeof(want), "%s:2: contains a NUL byte", f->path);
	assert_string_equal(f->err, want);
}

static void error_leaves_configuration_untouched(void **state)
{
	struct unit_file *f = *state;
	struct config c, before;

	write_conf(f, "workers = 9\nworker_queue = 100\nmax_connections = 0\n");
	config_defaults(&c);
	c.workers = 3;
	before = c;
	assert_int_equal(config_load(&c, f->path, true, f->err, sizeof(f->err)), -EINVAL);
	assert_memory_equal(&c, &before, sizeof(c));
}

static void values_apply_over_those_already_set(void **state)
{
	struct unit_file *f = *state;
	struct config c;

	write_conf(f, "worker_queue = 100\n");
	config_defaults(&c);
	c.workers = 7;
	assert_int_equal(config_load(&c, f->path, true, f->err, sizeof(f->err)), 0);
	assert_int_equal(c.workers, 7);
	assert_int_equal(c.worker_queue, 100);
}

static void missing_optional_file_keeps_values(void **state)
{
	struct unit_file *f = *state;
	struct config c, before;

	config_defaults(&c);
	c.workers = 5;
	before = c;
	assert_int_equal(config_load(&c, f->path, false, f->err, sizeof(f->err)), 0);
	assert_memory_equal(&c, &before, sizeof(c));
	assert_string_equal(f->err, "");
}

static void missing_required_file_fails_naming_it(void **state)
{
	struct unit_file *f = *state;
	char want[1024];
	struct config c;

	assert_int_equal(load(f, &c, true), -ENOENT);
	snprintf(want, sizeof(want), "%s: cannot open: %s", f->path, strerror(ENOENT));
	assert_string_equal(f->err, want);
}

static void group_or_world_writable_file_refused(void **state)
{
	static const mode_t modes[] = { 0620, 0602, 0666, 0664 };
	struct unit_file *f = *state;
	struct config c;

	for (size_t i = 0; i < OB_ARRAY_SIZE(modes); i++) {
		write_bytes(f->path, "workers = 4\n", 12, modes[i]);
		assert_int_equal(load(f, &c, false), -EPERM);
		if (!strstr(f->err, "writable by group or others") || !strstr(f->err, f->path))
			fail_msg("mode %04o: error \"%s\"", (unsigned)modes[i], f->err);
	}
	/* Readable by everyone is fine: the file holds no secret. */
	write_bytes(f->path, "workers = 4\n", 12, 0644);
	assert_int_equal(load(f, &c, false), 0);
	assert_int_equal(c.workers, 4);
}

static void symlink_refused_even_to_a_good_file(void **state)
{
	struct unit_file *f = *state;
	char target[PATH_MAX + 16], want[1024];
	struct config c;

	snprintf(target, sizeof(target), "%s/real.conf", f->dir);
	write_bytes(target, "workers = 4\n", 12, 0600);
	assert_int_equal(symlink(target, f->path), 0);
	assert_int_equal(load(f, &c, false), -ELOOP);
	snprintf(want, sizeof(want), "%s: is a symbolic link; refusing to follow it", f->path);
	assert_string_equal(f->err, want);
}

static void fifo_or_directory_refused_without_blocking(void **state)
{
	struct unit_file *f = *state;
	struct config c;

	assert_int_equal(mkfifo(f->path, 0600), 0);
	/* Opening a FIFO with no writer blocks unless the loader avoids it;
	 * the alarm turns a hang into a failure. */
	alarm(10);
	assert_int_equal(load(f, &c, false), -EINVAL);
	alarm(0);
	assert_non_null(strstr(f->err, "not a regular file"));
	assert_int_equal(unlink(f->path), 0);
	assert_int_equal(mkdir(f->path, 0700), 0);
	assert_int_equal(load(f, &c, false), -EINVAL);
	assert_non_null(strstr(f->err, "not a regular file"));
}

static void file_of_another_user_refused(void **state)
{
	struct unit_file *f = *state;
	struct config c;

	if (geteuid() != 0)
		skip(); /* only root can give a file away */
	write_conf(f, "workers = 4\n");
	assert_int_equal(chown(f->path, 4242, 4242), 0);
	assert_int_equal(load(f, &c, false), -EPERM);
	assert_non_null(strstr(f->err, "owned by uid 4242"));
}

/* DIR/terms.txt with text and mode; its path goes to path. */
static void write_terms(struct unit_file *f, const char *text, size_t len, mode_t mode,
			char path[PATH_MAX])
{
	snprintf(path, PATH_MAX, "%s/terms.txt", f->dir);
	write_bytes(path, text, len, mode);
}

static void terms_file_is_read_at_load(void **state)
{
	struct unit_file *f = *state;
	char terms[PATH_MAX], text[PATH_MAX + 64];
	struct config c;

	write_terms(f, "Be kind.\r\n\tUse it for work.\n\n\n", 30, 0644, terms);
	snprintf(text, sizeof(text), "terms_file = %s\n", terms);
	write_conf(f, text);
	if (load(f, &c, true) != 0)
		fail_msg("refused: %s", f->err);
	assert_string_equal(c.terms_file, terms);
	assert_string_equal(c.terms, "Be kind.\n\tUse it for work.");
}

static void terms_file_problems_refused_naming_file_line_and_key(void **state)
{
	static const struct {
		const char *text;
		size_t len;
		mode_t mode;
		int r;
		const char *why;
	} rows[] = {
		{ "", 0, 0644, -EINVAL, "is empty" },
		{ " \n\n", 3, 0644, -EINVAL, "is empty" },
		{ "bad \xff byte", 10, 0644, -EINVAL, "not UTF-8 text" },
		{ "bell \a", 6, 0644, -EINVAL, "contains control characters" },
		{ "nul \0 byte", 10, 0644, -EINVAL, "contains control characters" },
		{ "anyone may edit", 15, 0666, -EPERM, "writable by group or others" },
	};
	struct unit_file *f = *state;
	char terms[PATH_MAX], text[PATH_MAX + 64], want[PATH_MAX + 128];
	struct config c;
	int r;

	for (size_t i = 0; i < OB_ARRAY_SIZE(rows); i++) {
		write_terms(f, rows[i].text, rows[i].len, rows[i].mode, terms);
		snprintf(text, sizeof(text), "# the terms\nterms_file = %s\n", terms);
		write_conf(f, text);
		r = load(f, &c, true);
		snprintf(want, sizeof(want), "%s:2: terms_file: %s", f->path, terms);
		if (r != rows[i].r || !strstr(f->err, want) || !strstr(f->err, rows[i].why))
			fail_msg("row %zu: got %d \"%s\", want %d naming %s and \"%s\"", i, r, f->err,
				 rows[i].r, want, rows[i].why);
	}
}

static void terms_file_missing_or_too_large_or_not_regular_refused(void **state)
{
	struct unit_file *f = *state;
	char terms[PATH_MAX], text[PATH_MAX + 64], want[PATH_MAX + 128];
	char big[CONFIG_TERMS_MAX + 2];
	struct config c;

	snprintf(terms, sizeof(terms), "%s/missing.txt", f->dir);
	snprintf(text, sizeof(text), "terms_file = %s\n", terms);
	write_conf(f, text);
	assert_int_equal(load(f, &c, true), -ENOENT);
	snprintf(want, sizeof(want), "%s:1: terms_file: %s: cannot open: %s", f->path, terms,
		 strerror(ENOENT));
	assert_string_equal(f->err, want);

	memset(big, 'a', sizeof(big));
	write_terms(f, big, CONFIG_TERMS_MAX, 0600, terms);
	snprintf(text, sizeof(text), "terms_file = %s\n", terms);
	write_conf(f, text);
	if (load(f, &c, true) != 0)
		fail_msg("terms of exactly %d bytes refused: %s", CONFIG_TERMS_MAX, f->err);
	assert_int_equal(strlen(c.terms), CONFIG_TERMS_MAX);
	write_terms(f, big, CONFIG_TERMS_MAX + 1, 0600, terms);
	assert_int_equal(load(f, &c, true), -EFBIG);
	assert_non_null(strstr(f->err, "larger than 8192 bytes"));

	assert_int_equal(unlink(terms), 0);
	assert_int_equal(mkdir(terms, 0700), 0);
	assert_int_equal(load(f, &c, true), -EINVAL);
	assert_non_null(strstr(f->err, "not a regular file"));
}

/* The shell of the accounts onboard creates: an absolute path to an
 * executable regular file that /etc/shells lists, checked at load so a
 * typo stops the start instead of making accounts nobody can log in to. */
static void account_shell_must_be_a_listed_executable(void **state)
{
	static const struct {
		const char *value, *why;
	} bad[] = {
		{ "/nonexistent/onboard-shell", "no such file" },
		{ "/etc", "not a regular file" },
		{ "/etc/passwd", "not executable" },
		/* Executable, but no login shell. */
		{ "/usr/bin/env", "not listed in /etc/shells" },
	};
	struct unit_file *f = *state;
	char text[PATH_MAX + 64], want[1024];
	struct config c, before;

	write_conf(f, "account_shell = /bin/sh\n");
	assert_int_equal(load(f, &c, true), 0);
	assert_string_equal(c.account_shell, "/bin/sh");
	for (size_t i = 0; i < OB_ARRAY_SIZE(bad); i++) {
		config_defaults(&c);
		before = c;
		snprintf(text, sizeof(text), "\naccount_shell = %s\n", bad[i].value);
		write_conf(f, text);
		if (load(f, &c, true) != -EINVAL)
			fail_msg("account_shell = %s accepted", bad[i].value);
		snprintf(want, sizeof(want), "%s:2: account_shell: %s: %s", f->path, bad[i].value,
			 bad[i].why);
		if (strcmp(f->err, want) != 0)
			fail_msg("account_shell = %s: error \"%s\", want \"%s\"", bad[i].value,
				 f->err, want);
		assert_memory_equal(&c, &before, sizeof(c));
	}
}

static void size_parser_table(void **state)
{
	static const struct {
		const char *text;
		int r;
		uint64_t want;
	} rows[] = {
		{ "4096", 0, 4096 },
		{ "0", 0, 0 },
		{ "64K", 0, 64 * 1024 },
		{ "64k", 0, 64 * 1024 },
		{ "64M", 0, 64 * MIB },
		{ "1G", 0, GIB },
		{ "1T", 0, TIB },
		{ "007M", 0, 7 * MIB },
		{ "18446744073709551615", 0, UINT64_MAX },
		{ "16777215T", 0, 16777215ULL * TIB },
		{ "16777216T", -EINVAL, 0 },  /* 2^64 */
		{ "18446744073709551616", -EINVAL, 0 },
		{ "", -EINVAL, 0 },
		{ "M", -EINVAL, 0 },
		{ "12Q", -EINVAL, 0 },
		{ "1MB", -EINVAL, 0 },
		{ "1.5G", -EINVAL, 0 },
		{ "-1", -EINVAL, 0 },
		{ "+5", -EINVAL, 0 },
		{ " 5", -EINVAL, 0 },
		{ "5 ", -EINVAL, 0 },
		{ "5 M", -EINVAL, 0 },
		{ "0x10", -EINVAL, 0 },
	};

	(void)state;
	for (size_t i = 0; i < OB_ARRAY_SIZE(rows); i++) {
		uint64_t v = 12345;
		int r = config_parse_size(rows[i].text, &v);

		if (r != rows[i].r || v != rows[i].want)
			fail_msg("\"%s\": got %d and %llu, want %d and %llu", rows[i].text, r,
				 (unsigned long long)v, rows[i].r, (unsigned long long)rows[i].want);
	}
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, unit_fixture_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(defaults_are_the_documented_values),
		T(every_key_accepts_good_values),
		T(every_key_refuses_bad_values_naming_file_line_and_key),
		T(unknown_key_names_file_line_and_key),
		T(section_header_refused),
		T(key_set_twice_refused_naming_first_line),
		T(line_without_equals_refused),
		T(hash_and_semicolon_comments_after_values_ignored),
		T(indented_line_is_a_key_not_a_continuation),
		T(bom_crlf_and_blanks_accepted),
		T(overlong_line_refused_not_split),
		T(nul_byte_refused),
		T(error_leaves_configuration_untouched),
		T(values_apply_over_those_already_set),
		T(missing_optional_file_keeps_values),
		T(missing_required_file_fails_naming_it),
		T(group_or_world_writable_file_refused),
		T(symlink_refused_even_to_a_good_file),
		T(fifo_or_directory_refused_without_blocking),
		T(file_of_another_user_refused),
		T(terms_file_is_read_at_load),
		T(terms_file_problems_refused_naming_file_line_and_key),
		T(terms_file_missing_or_too_large_or_not_regular_refused),
		T(size_parser_table),
		T(account_shell_must_be_a_listed_executable),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
