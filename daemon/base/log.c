/* SPDX-License-Identifier: BSD-3-Clause */
/* Logging: structured journal entries when stderr is the journal,
 * syslog when detached, plain lines on a terminal or in a file. */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <systemd/sd-journal.h>

#include "log.h"

enum log_sink { SINK_STDERR, SINK_JOURNAL, SINK_SYSLOG };

static bool log_debug_on;
static enum log_sink log_sink = SINK_STDERR;

/* Whether stderr is the stream $JOURNAL_STREAM names ("DEV:INODE"):
 * systemd sets it for a service whose output goes to the journal, and
 * it stays set for children whose output goes elsewhere, so the file
 * itself is compared. */
static bool log_stderr_is_journal(void)
{
	const char *e = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat st;
	char end;

	if (!e || sscanf(e, "%llu:%llu%c", &dev, &ino, &end) != 2 ||
	    fstat(STDERR_FILENO, &st) < 0)
		return false;
	return (unsigned long long)st.st_dev == dev && (unsigned long long)st.st_ino == ino;
}

void log_init(bool debug, bool to_syslog)
{
	log_debug_on = debug;
	log_sink = to_syslog ? SINK_SYSLOG : log_stderr_is_journal() ? SINK_JOURNAL : SINK_STDERR;
	if (to_syslog)
		openlog("onboardd", LOG_PID, LOG_AUTHPRIV);
}

#define LOG_FIELDS_MAX 16

/* One entry to the journal: MESSAGE, PRIORITY, SYSLOG_IDENTIFIER, and
 * MESSAGE_ID and fields when given.  Returns 0 or -errno (no journal
 * socket): then the caller writes the line to stderr. */
static int log_journal(int prio, const char *message_id, const struct log_field *fields,
		       size_t n, const char *line)
{
	char *parts[LOG_FIELDS_MAX + 4] = { 0 };
	struct iovec iov[LOG_FIELDS_MAX + 4];
	size_t k = 0;
	int r = -ENOMEM;

	if (n > LOG_FIELDS_MAX)
		n = LOG_FIELDS_MAX;
	if (asprintf(&parts[k++], "MESSAGE=%s", line) < 0 ||
	    asprintf(&parts[k++], "PRIORITY=%d", prio) < 0 ||
	    asprintf(&parts[k++], "SYSLOG_IDENTIFIER=onboardd") < 0 ||
	    (message_id && asprintf(&parts[k++], "MESSAGE_ID=%s", message_id) < 0)) {
		parts[k - 1] = NULL;
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		if (!fields[i].value || !fields[i].value[0])
			continue;
		if (asprintf(&parts[k++], "%s=%s", fields[i].name, fields[i].value) < 0) {
			parts[k - 1] = NULL;
			goto out;
		}
	}
	for (size_t i = 0; i < k; i++)
		iov[i] = (struct iovec){ .iov_base = parts[i], .iov_len = strlen(parts[i]) };
	r = sd_journal_sendv(iov, (int)k);
out:
	for (size_t i = 0; i < k; i++)
		free(parts[i]);
	return r;
}

static void log_line(int prio, const char *message_id, const struct log_field *fields, size_t n,
		     const char *line)
{
	if (log_sink == SINK_SYSLOG) {
		syslog(prio, "%s", line);
		return;
	}
	if (log_sink == SINK_JOURNAL) {
		if (log_journal(prio, message_id, fields, n, line) >= 0)
			return;
		/* No journal socket: the stream is still the journal's, which
		 * reads sd-daemon's priority prefix. */
		fprintf(stderr, "<%d>onboardd: %s\n", prio, line);
		return;
	}
	fprintf(stderr, "onboardd: %s\n", line);
}

static void log_vemit(int prio, const char *fmt, va_list ap, const char *suffix)
	__attribute__((format(printf, 2, 0)));

static void log_vemit(int prio, const char *fmt, va_list ap, const char *suffix)
{
	char line[1024];
	size_t len;

	vsnprintf(line, sizeof(line), fmt, ap);
	len = strlen(line);
	if (suffix)
		snprintf(line + len, sizeof(line) - len, ": %s", suffix);
	log_line(prio, NULL, NULL, 0, line);
}

void log_entry(int prio, const char *message_id, const struct log_field *fields, size_t n,
	       const char *fmt, ...)
{
	char line[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	log_line(prio, message_id, fields, n, line);
}

void log_warn(const char *fmt, ...)
{
	int saved = errno;
	va_list ap;

	va_start(ap, fmt);
	log_vemit(4, fmt, ap, strerror(saved));
	va_end(ap);
	errno = saved;
}

void log_warnx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vemit(4, fmt, ap, NULL);
	va_end(ap);
}

void log_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vemit(6, fmt, ap, NULL);
	va_end(ap);
}

void log_debug(const char *fmt, ...)
{
	va_list ap;

	if (!log_debug_on)
		return;
	va_start(ap, fmt);
	log_vemit(7, fmt, ap, NULL);
	va_end(ap);
}

const char *log_utc(int64_t t, char *buf, size_t size)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (!gmtime_r(&tt, &tm) || strftime(buf, size, "%Y-%m-%d %H:%M:%S UTC", &tm) == 0)
		snprintf(buf, size, "%lld", (long long)t);
	return buf;
}
