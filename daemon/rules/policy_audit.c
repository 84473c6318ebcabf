/* SPDX-License-Identifier: BSD-3-Clause */
/* The audit log's rate rule (policy_audit.h). */
#include "config.h"

#include <string.h>

#include "policy_audit.h"

/* A window is over after AUDIT_RATE_WINDOW seconds, or when the clock
 * went back before it began (it could otherwise never end). */
static bool audit_window_over(const struct audit_rate *r, int64_t now)
{
	return now < r->window || now - r->window >= AUDIT_RATE_WINDOW;
}

bool policy_audit_rate_expire(struct audit_rate *r, int64_t now, uint32_t *summary)
{
	*summary = 0;
	if (!r->recorded && !r->suppressed)
		return true;
	if (!audit_window_over(r, now))
		return false;
	*summary = r->suppressed;
	memset(r, 0, sizeof(*r));
	return true;
}

enum audit_rate_verdict policy_audit_rate(struct audit_rate *r, uint32_t limit, int64_t now,
					  uint32_t *summary)
{
	policy_audit_rate_expire(r, now, summary);
	if (!r->recorded && !r->suppressed)
		r->window = now;
	if (r->recorded < limit) {
		r->recorded++;
		return AUDIT_RATE_RECORD;
	}
	if (r->suppressed < UINT32_MAX)
		r->suppressed++;
	return AUDIT_RATE_SUPPRESS;
}

enum audit_rate_verdict policy_audit_rate_shared(struct audit_rate *r, uint32_t limit,
						 struct audit_rate *all, uint32_t total, int64_t now,
						 uint32_t *summary)
{
	uint32_t ignored;

	if (policy_audit_rate(r, limit, now, summary) == AUDIT_RATE_SUPPRESS)
		return AUDIT_RATE_SUPPRESS;
	/* Every caller's summary counts what all's would: its own is not
	 * needed. */
	if (policy_audit_rate(all, total, now, &ignored) == AUDIT_RATE_RECORD)
		return AUDIT_RATE_RECORD;
	r->recorded--;
	if (r->suppressed < UINT32_MAX)
		r->suppressed++;
	return AUDIT_RATE_SUPPRESS;
}
