/* SPDX-License-Identifier: BSD-3-Clause */
/* onboardctl audit: the audit log, every page, oldest first.  --since
 * takes the forms an administrator has at hand: seconds since the
 * epoch, a date or date and time in UTC, or how long ago. */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cmd.h"
#include "duration.h"
#include "ob_cleanup.h"
#include "ob_protocol.h"
#include "output.h"

/* A date (and time) of the calendar, read exactly: strptime alone lets
 * "2025-02-30" through as the 2nd of March. */
static bool audit_parse_date(const char *text, const char *fmt, int64_t *out)
{
	struct tm tm = { 0 }, norm, back;
	const char *end = strptime(text, fmt, &tm);
	time_t t;

	if (!end || *end)
		return false;
	/* timegm normalises what it is given: keep the fields as read. */
	norm = tm;
	t = timegm(&norm);
	if (t == (time_t)-1 || !gmtime_r(&t, &back) || back.tm_year != tm.tm_year ||
	    back.tm_mon != tm.tm_mon || back.tm_mday != tm.tm_mday || back.tm_hour != tm.tm_hour ||
	    back.tm_min != tm.tm_min || back.tm_sec != tm.tm_sec)
		return false;
	*out = (int64_t)t;
	return true;
}

/* --since TIME.  Returns false for text that is none of the forms. */
static bool audit_parse_since(const char *text, int64_t now, int64_t *out)
{
	/* strptime would take a one-digit month or no seconds: each form
	 * has its fixed width. */
	static const struct {
		const char *format;
		size_t len;
	} forms[] = {
		{ "%Y-%m-%d", 10 },
		{ "%Y-%m-%dT%H:%M:%S", 19 },
		{ "%Y-%m-%dT%H:%M:%SZ", 20 },
		{ "%Y-%m-%d %H:%M:%S", 19 },
	};
	size_t len = strlen(text);
	long long secs;
	int64_t ago;

	if (len > 0 && strspn(text, "0123456789") == len) {
		if (!ctl_parse_int(text, 0, INT64_MAX, &secs))
			return false;
		*out = secs;
		return true;
	}
	if (len >= 10 && text[4] == '-' && text[7] == '-') {
		for (size_t i = 0; i < OB_ARRAY_SIZE(forms); i++)
			if (len == forms[i].len && audit_parse_date(text, forms[i].format, out))
				return true;
		return false;
	}
	if (duration_parse(text, &ago) < 0 || ago > now)
		return false;
	*out = now - ago;
	return true;
}

int cmd_audit(struct ctl *c)
{
	struct json_object *base = json_object_new_object();
	int64_t since;

	if (!base)
		return ctl_oom();
	if (c->opt[OPT_SINCE]) {
		if (!audit_parse_since(c->opt[OPT_SINCE], (int64_t)time(NULL), &since)) {
			json_object_put(base);
			ctl_usage_error("--since: '%s' is not a time: write seconds since the epoch, "
					"2025-01-31, 2025-01-31T08:00:00 (UTC) or how long ago, "
					"like 2h or 7d", c->opt[OPT_SINCE]);
			return CTL_EXIT_USAGE;
		}
		if (ctl_add(base, "since", json_object_new_int64(since)) < 0) {
			json_object_put(base);
			return ctl_oom();
		}
	}
	if (c->opt[OPT_USER] && ctl_add_string(base, "user", c->opt[OPT_USER]) < 0) {
		json_object_put(base);
		return ctl_oom();
	}
	return ctl_list(c, OB_ADMIN_AUDIT, base, "events", output_events);
}
