/* Throttling of logins, per person: the policy's rules (policy_throttle_*)
 * applied to what the store keeps, with compare-and-swap so that two
 * dialogues failing at once both count. */
#ifndef OB_THROTTLE_H
#define OB_THROTTLE_H

#include <stdint.h>

#include "daemon.h"
#include "policy.h"

/* May username try a secret now?  Returns THROTTLE_ALLOW, or
 * THROTTLE_DELAY or THROTTLE_LOCKED with *until set; -EIO when the store
 * cannot say (the caller refuses: a lock must never be skipped). */
int throttle_gate(struct daemon *d, const char *username, int64_t *until);

/* Count one failed secret (what: "password", "access code", ... for the
 * log).  Returns 1 when the person is locked now (*until: till when), 0
 * when not, -EIO when the failure could not be recorded.  A lock is
 * logged with the person's name. */
int throttle_failure(struct daemon *d, const char *username, const char *what,
		     const char *service, const char *rhost, int64_t *until);

/* A successful login: the count starts again.  Returns 0 or -EIO. */
int throttle_success(struct daemon *d, const char *username);

#endif
