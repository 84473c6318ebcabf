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

/* Where a login comes from, at the end of every log line and audit
 * detail about one: the PAM service, then the remote host (or the
 * source a kiosk names).  Used inside a format: "... (" LOG_WHERE ")". */
#define LOG_WHERE "service %s, from %s"

/* "YYYY-MM-DD HH:MM:SS UTC" of seconds since the epoch, for log lines. */
const char *log_utc(int64_t t, char *buf, size_t size);

#endif
