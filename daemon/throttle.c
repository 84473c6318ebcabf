/* Throttling of logins: read the person's throttle, let the policy decide,
 * write the outcome back only if nobody else wrote in between.  The
 * daemon's dialogues run on one thread today, so a conflict needs another
 * process (or, later, another host) writing the same person; the loop
 * keeps the count exact when that happens. */
#include "config.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <time.h>

#include <sodium.h>

#include "audit.h"
#include "log.h"
#include "store.h"
#include "throttle.h"

/* Losing the compare-and-swap this often means someone rewrites the
 * person in a loop: give up rather than spin. */
#define THROTTLE_PUT_ATTEMPTS 5

int throttle_gate(struct daemon *d, const char *username, int64_t *until)
{
	struct throttle_rules rules = policy_throttle_rules(&d->cfg);
	struct throttle t;
	enum store_result r;

	*until = 0;
	r = store_throttle_get(d->store, username, &t);
	if (r != STORE_OK) {
		log_warnx("login: %s: cannot read the failed logins: %s", username,
			  store_result_name(r));
		return -EIO;
	}
	return (int)policy_throttle_check(&t, &rules, d->now(), until);
}

/* "2026-11-24 14:35:00 UTC", for the log. */
static const char *throttle_utc(int64_t t, char *buf, size_t size)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (!gmtime_r(&tt, &tm) || strftime(buf, size, "%Y-%m-%d %H:%M:%S UTC", &tm) == 0)
		snprintf(buf, size, "%lld", (long long)t);
	return buf;
}

int throttle_failure(struct daemon *d, const char *username, const char *what,
		     const char *service, const char *rhost, int64_t *until)
{
	struct throttle_rules rules = policy_throttle_rules(&d->cfg);
	struct throttle old, t;
	enum store_result r = STORE_CONFLICT;
	bool locked = false, was_locked = false;
	char when[40];

	*until = 0;
	for (int i = 0; i < THROTTLE_PUT_ATTEMPTS && r == STORE_CONFLICT; i++) {
		r = store_throttle_get(d->store, username, &old);
		if (r != STORE_OK)
			break;
		t = old;
		was_locked = old.locked_until && d->now() < old.locked_until;
		locked = policy_throttle_fail(&t, &rules, d->now());
		r = store_throttle_put(d->store, username, &old, &t);
	}
	if (r != STORE_OK) {
		log_warnx("login: %s: cannot record a failed %s: %s", username, what,
			  store_result_name(r));
		return -EIO;
	}
	if (!locked)
		return 0;
	*until = t.locked_until;
	if (!was_locked)
		log_info("login: %s: locked until %s after %u failed login%s in a row, the last "
			 "a wrong %s (service %s, from %s)",
			 username, throttle_utc(t.locked_until, when, sizeof(when)), t.failures,
			 t.failures == 1 ? "" : "s", what, service, rhost);
	if (!was_locked) {
		struct person p;

		if (store_person_get(d->store, username, &p) == STORE_OK)
			audit_login(d, &p, "login.lockout", "locked", "until %s after %u failures",
				    throttle_utc(t.locked_until, when, sizeof(when)), t.failures);
		sodium_memzero(&p, sizeof(p));
	}
	return 1;
}

int throttle_success(struct daemon *d, const char *username)
{
	struct throttle old, zero;
	enum store_result r = STORE_CONFLICT;

	policy_throttle_clear(&zero);
	for (int i = 0; i < THROTTLE_PUT_ATTEMPTS && r == STORE_CONFLICT; i++) {
		r = store_throttle_get(d->store, username, &old);
		if (r != STORE_OK)
			break;
		/* Most logins had no failure before: nothing to write. */
		if (old.failures == 0 && old.locked_until == 0 && old.last_failure == 0)
			return 0;
		r = store_throttle_put(d->store, username, &old, &zero);
	}
	if (r != STORE_OK) {
		log_warnx("login: %s: cannot clear the failed logins: %s", username,
			  store_result_name(r));
		return -EIO;
	}
	return 0;
}
