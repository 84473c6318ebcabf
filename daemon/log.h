/* Four verbs for logging, to stderr (the journal when under systemd).
 * Never pass a secret to any of them. */
#ifndef OB_LOG_H
#define OB_LOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Log to stderr (with sd-daemon priority prefixes, which journald reads),
 * or to syslog when the daemon detached itself. */
void log_init(bool debug, bool to_syslog);
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));  /* appends errno */
void log_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* "YYYY-MM-DD HH:MM:SS UTC" of seconds since the epoch, for log lines. */
const char *log_utc(int64_t t, char *buf, size_t size);

#endif
