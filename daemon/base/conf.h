/* SPDX-License-Identifier: BSD-3-Clause */
/* (Named conf.h, not config.h, so that it never shadows autoconf's
 * config.h for the files beside it.)
 *
 * onboardd.conf: flat "key = value" lines, '#' comments, no sections,
 * parsed with inih.  An unknown key or a bad value is an error that names
 * the file, the line and the key. */
#ifndef OB_CONFIG_H
#define OB_CONFIG_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* mfa = required | optional | off */
enum mfa_mode { MFA_REQUIRED, MFA_OPTIONAL, MFA_OFF };

/* account_home = first-login | create */
enum account_home { ACCOUNT_HOME_FIRST_LOGIN, ACCOUNT_HOME_CREATE };

/* invite_verification = none | admin */
enum invite_verification { INVITE_VERIFY_NONE, INVITE_VERIFY_ADMIN };

#define CONFIG_ISSUER_MAX 64
/* The terms of use are shown as one message at the login prompt. */
#define CONFIG_TERMS_MAX 8192
/* graphical_services: a list of PAM service names. */
#define CONFIG_SERVICES_MAX 512
/* The services of the graphical greeters and screen lockers of Debian 12
 * that show a message in a proportional font or only the last one. */
#define CONFIG_GRAPHICAL_SERVICES \
	"lightdm gdm-password sddm kde xscreensaver xfce4-screensaver mate-screensaver " \
	"cinnamon-screensaver i3lock swaylock xsecurelock"

struct config_range {
	uint32_t first, last; /* both included */
};

struct config {
	int64_t code_lifetime;           /* code_lifetime, default 90d */
	uint64_t db_map_size;            /* db_map_size, default 1G */
	unsigned long long pwhash_ops;   /* password_hash_ops, default 3 */
	size_t pwhash_mem;               /* password_hash_memory, default 64M */
	unsigned workers;                /* workers, default 2 */
	unsigned worker_queue;           /* worker_queue, default 64 */
	unsigned max_connections;        /* max_connections, default 256 */
	unsigned max_connections_per_uid;/* max_connections_per_uid, default 32 */
	unsigned max_dialogues_per_user; /* max_dialogues_per_user, default 4 */
	unsigned connection_reserve;     /* connection_reserve, default 64 */
	int64_t login_timeout;           /* login_timeout: idle dialogue, default 5m */
	int64_t shutdown_timeout;        /* shutdown_timeout: dialogues finishing at
					  * SIGTERM, default 5s */
	uid_t uid_min;                   /* uid_min, default: UID_MIN of /etc/login.defs */
	unsigned password_min_length;    /* password_min_length, default 8 */
	char key_file[PATH_MAX];         /* key_file, default STATE_DIR/secret.key */
	unsigned mfa;                    /* mfa: enum mfa_mode, default required */
	unsigned totp_algorithm;         /* totp_algorithm: sha1|sha256|sha512 (enum
					  * totp_algorithm), default sha1 */
	unsigned totp_digits;            /* totp_digits: 6 or 8, default 6 */
	char totp_issuer[CONFIG_ISSUER_MAX + 1]; /* totp_issuer: the name apps show,
						   * default this host's name */
	int64_t invitation_lifetime;     /* invitation_lifetime, default 30d */
	unsigned invite_verification;    /* invite_verification: enum invite_verification,
					  * default none */
	char terms_file[PATH_MAX];       /* terms_file: terms of use, default none ("") */
	char terms[CONFIG_TERMS_MAX + 1]; /* its text, read by config_load */
	unsigned lockout_attempts;       /* lockout_attempts: failures in a row that
					  * lock, 1..1000, default 10 */
	unsigned lockout_minutes;        /* lockout_minutes: how long, 1..1440, default 15 */
	unsigned lockout_total_attempts; /* lockout_total_attempts: failures in a row from
					  * anywhere that lock the person everywhere,
					  * 1..100, default 100 */
	char account_shell[PATH_MAX];    /* account_shell: of accounts that user add
					  * --create-account makes, default /bin/bash */
	unsigned account_home;           /* account_home: enum account_home, default
					  * first-login (pam_mkhomedir makes it) */
	int64_t audit_retention;         /* audit_retention: older events are pruned,
					  * 1d..3650d, default 365d */
	uint64_t audit_max_size;         /* audit_max_size: the audit log's share of the
					  * map, oldest pruned beyond it; 0 (default): a
					  * quarter of db_map_size */
	size_t import_memory;            /* import_memory: all imports held, default 64M */
	struct config_range uid_range;   /* uid_range: the uids and gids the store gives,
					  * default 65536-99999 */
	char userdb_socket[PATH_MAX];    /* userdb_socket: io.systemd.UserDatabase, "" off,
					  * default /run/systemd/userdb/io.onboard */
	char graphical_services[CONFIG_SERVICES_MAX + 1]; /* graphical_services: PAM
					  * services of graphical greeters, whose
					  * enrolment shows the key, no QR code;
					  * default CONFIG_GRAPHICAL_SERVICES, ""
					  * for none */
};

void config_defaults(struct config *c);

/* Read path over the values already in c.  When the file does not exist
 * and must_exist is false, c is left as it is and 0 returned.  With
 * terms_file set, its text is read into terms (UTF-8 without control
 * characters but tab and newline, 1 to CONFIG_TERMS_MAX bytes, a regular
 * file that only root or we may write).  On error
 * returns a negative errno and writes one line ("FILE:LINE: key: reason")
 * into err. */
int config_load(struct config *c, const char *path, bool must_exist, char *err, size_t errlen);

/* Parse "64M", "1G", "4096" (bytes) into *out.  Returns 0 or -EINVAL. */
int config_parse_size(const char *s, uint64_t *out);

/* The name of the i-th key onboardd.conf knows, NULL past the last: the
 * shipped example (data/onboardd.conf) is checked against them. */
const char *config_key_name(size_t i);

#endif
