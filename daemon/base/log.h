/* SPDX-License-Identifier: BSD-3-Clause */
/* Four verbs for logging, to stderr or the journal (log_init).
 * Never pass a secret to any of them. */
#ifndef OB_LOG_H
#define OB_LOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Where lines go: to the journal as structured entries when stderr is
 * the journal's stream ($JOURNAL_STREAM names it, as systemd sets it);
 * to syslog when the daemon detached itself; else to stderr as plain
 * "onboardd: ..." lines (a terminal, a file). */
void log_init(bool debug, bool to_syslog);

/* One field of a structured entry: NAME (upper case, as the journal
 * wants) and its value, printable text. */
struct log_field {
	const char *name;
	const char *value;
};

/* A line with fields of its own (an audit event): in the journal an
 * entry with MESSAGE_ID message_id and the n fields; elsewhere the
 * line alone, as log_info's. */
void log_entry(int prio, const char *message_id, const struct log_field *fields, size_t n,
	       const char *fmt, ...) __attribute__((format(printf, 5, 6)));
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
