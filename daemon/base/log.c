/* Logging to stderr with a syslog priority prefix that journald reads. */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <time.h>
#include <string.h>
#include <syslog.h>

#include "log.h"

static bool log_debug_on;
static bool log_to_syslog;

void log_init(bool debug, bool to_syslog)
{
	log_debug_on = debug;
	log_to_syslog = to_syslog;
	if (to_syslog)
		openlog("onboardd", LOG_PID, LOG_AUTHPRIV);
}

static void log_vemit(int prio, const char *fmt, va_list ap, const char *suffix)
	__attribute__((format(printf, 2, 0)));

static void log_vemit(int prio, const char *fmt, va_list ap, const char *suffix)
{
	char line[1024];

	vsnprintf(line, sizeof(line), fmt, ap);
	if (log_to_syslog) {
		syslog(prio, "%s%s%s", line, suffix ? ": " : "", suffix ? suffix : "");
		return;
	}
	/* <N> is sd-daemon's priority prefix; journald strips it. */
	fprintf(stderr, "<%d>onboardd: %s%s%s\n", prio, line, suffix ? ": " : "",
		suffix ? suffix : "");
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
