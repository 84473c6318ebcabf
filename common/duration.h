/* SPDX-License-Identifier: BSD-3-Clause */
/* Durations as administrators write them: 90d, 12h, 15m, 30s, 2w, or a
 * sum such as 1d12h. */
#ifndef OB_DURATION_H
#define OB_DURATION_H

#include <stddef.h>
#include <stdint.h>

/* Longest duration accepted: 10 years. */
#define DURATION_MAX_SECONDS (3650LL * 86400)

/* Parse text into seconds.  Returns 0, or -EINVAL for an empty text, a
 * number without a unit, an unknown unit, a zero total, or a total over
 * DURATION_MAX_SECONDS. */
int duration_parse(const char *text, int64_t *seconds);

/* Shortest exact rendering ("90d", "1d12h", "45s") into out. Returns
 * -ENOSPC when it does not fit, -EINVAL for a negative value. */
int duration_format(int64_t seconds, char *out, size_t size);

/* t rounded up to a whole minute: how the end of a lock is shown, by
 * the login's message and by onboardctl alike, so that both name the
 * same minute and at that minute the lock is over. */
int64_t duration_minute_up(int64_t t);

#endif
