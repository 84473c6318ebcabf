/* SPDX-License-Identifier: BSD-3-Clause */
/* Duration parsing and printing. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "duration.h"

static const struct {
	char unit;
	int64_t seconds;
} units[] = {
	{ 'w', 7 * 86400 }, { 'd', 86400 }, { 'h', 3600 }, { 'm', 60 }, { 's', 1 },
};

static int64_t unit_seconds(char c)
{
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (units[i].unit == c)
			return units[i].seconds;
	return 0;
}

int duration_parse(const char *text, int64_t *seconds)
{
	int64_t total = 0;
	const char *p = text;

	*seconds = 0;
	if (!p || !*p)
		return -EINVAL;
	while (*p) {
		int64_t n = 0, mul;
		const char *start = p;

		while (*p >= '0' && *p <= '9') {
			n = n * 10 + (*p - '0');
			if (n > DURATION_MAX_SECONDS)
				return -EINVAL;
			p++;
		}
		if (p == start)
			return -EINVAL;
		mul = unit_seconds(*p);
		if (!mul)
			return -EINVAL;
		p++;
		if (n > (DURATION_MAX_SECONDS - total) / mul)
			return -EINVAL;
		total += n * mul;
	}
	if (total <= 0)
		return -EINVAL;
	*seconds = total;
	return 0;
}

int duration_format(int64_t seconds, char *out, size_t size)
{
	size_t used = 0;

	if (seconds < 0)
		return -EINVAL;
	if (size == 0)
		return -ENOSPC;
	out[0] = '\0';
	if (seconds == 0) {
		if (size < 3)
			return -ENOSPC;
		memcpy(out, "0s", 3);
		return 0;
	}
	/* Weeks are not used in output: "90d" reads better than "12w6d". */
	for (size_t i = 1; i < sizeof(units) / sizeof(units[0]) && seconds > 0; i++) {
		int64_t n = seconds / units[i].seconds;
		int w;

		if (!n)
			continue;
		seconds -= n * units[i].seconds;
		w = snprintf(out + used, size - used, "%lld%c", (long long)n, units[i].unit);
		if (w < 0 || (size_t)w >= size - used)
			return -ENOSPC;
		used += (size_t)w;
	}
	return 0;
}

int64_t duration_minute_up(int64_t t)
{
	int64_t r = t % 60;

	if (r == 0)
		return t;
	if (r < 0)
		return t - r;
	return t <= INT64_MAX - (60 - r) ? t + (60 - r) : t;
}
