/* The words a person reads at the login prompt, in one place: every
 * sentence the login dialogue shows (login*.c pass them on, and write
 * none of their own), and what the rules' outcomes become.  Pure, as the
 * rest of the rules: time is a parameter, nothing is read or written. */
#include "config.h"

#include <stdio.h>
#include <time.h>

#include "duration.h"
#include "policy.h"

/* ------------------------------------------------------ new passwords */

const char *policy_password_message(enum password_verdict v, const struct password_rules *r,
				    char *buf, size_t size)
{
	switch (v) {
	case PASSWORD_OK:
		snprintf(buf, size, "The password is accepted.");
		break;
	case PASSWORD_MISMATCH:
		snprintf(buf, size, "The two passwords do not match.");
		break;
	case PASSWORD_TOO_SHORT:
		snprintf(buf, size, "The password must have at least %u characters.", r->min_length);
		break;
	case PASSWORD_TOO_LONG:
		snprintf(buf, size, "The password must have at most %u characters.", r->max_length);
		break;
	case PASSWORD_BAD_CHARACTERS:
		snprintf(buf, size, "The password contains characters that cannot be typed "
			 "at a login prompt.");
		break;
	case PASSWORD_IS_USERNAME:
		snprintf(buf, size, "The password must not be your username.");
		break;
	case PASSWORD_IS_NAME:
		snprintf(buf, size, "The password must not contain your name.");
		break;
	case PASSWORD_UNCHANGED:
		snprintf(buf, size, "The new password must differ from your current password.");
		break;
	}
	return buf;
}

/* ----------------------------------------------------- the first factor */

const char *policy_text_unfinished(void)
{
	return "Your registration is not finished: ask your administrator for an access code, "
	       "then enter it here instead of a password.";
}

const char *policy_text_unfinished_code(const struct access_code *c, int64_t now)
{
	/* An expired code is told as such (its holder needs a new one, not
	 * a first one); the others as before. */
	if (c && policy_code_status(c, now) == CODE_STATUS_EXPIRED)
		return policy_text_code_outcome(STORE_EXPIRED);
	return policy_text_unfinished();
}

const char *policy_text_code_outcome(enum store_result r)
{
	switch (r) {
	case STORE_OK:
		return "The access code is accepted.";
	case STORE_USED:
		return "This access code has already been used. Ask your administrator for a new one.";
	case STORE_EXPIRED:
		return "This access code has expired. Ask your administrator for a new one.";
	case STORE_REVOKED:
		return "This access code has been revoked. Ask your administrator for a new one.";
	case STORE_SUPERSEDED:
		return "This access code has been replaced by a newer one. Use the newest code "
		       "you were given.";
	case STORE_MISMATCH:
	case STORE_NOT_FOUND:
		return "Login incorrect.";
	case STORE_FULL:
	case STORE_UNAVAILABLE:
	case STORE_EXISTS:
	case STORE_CONFLICT:
	case STORE_EMAIL_TAKEN:
	case STORE_NO_GROUP:
	case STORE_NO_POOL:
	case STORE_POOL_FULL:
		break;
	}
	return "The login service could not record this login. Try again later.";
}

const char *policy_text_no_authenticator(void)
{
	return "Your registration is not finished: log in with your password to set up "
	       "your authenticator app.";
}

/* ----------------------------------------------------------- throttling */

const char *policy_text_locked(int64_t until, int64_t now, char *buf, size_t size)
{
	/* Rounded up: at the minute shown, the lock is over. */
	time_t shown = (time_t)duration_minute_up(until);
	time_t today = (time_t)now;
	struct tm a, b;
	char when[32];
	size_t n = 0;

	if (localtime_r(&shown, &a) && localtime_r(&today, &b)) {
		if (a.tm_year == b.tm_year && a.tm_yday == b.tm_yday)
			n = strftime(when, sizeof(when), "%H:%M", &a);
		else
			n = strftime(when, sizeof(when), "%Y-%m-%d %H:%M", &a);
	}
	if (n == 0) {
		long long mins = until > now ? (long long)((until - now) / 60 + 1) : 1;

		snprintf(buf, size, "Too many failed attempts: this account is locked for %lld "
			 "more minute%s.", mins, mins == 1 ? "" : "s");
		return buf;
	}
	snprintf(buf, size, "Too many failed attempts: this account is locked until %s.", when);
	return buf;
}

const char *policy_text_wait(int64_t until, int64_t now, char *buf, size_t size)
{
	long long secs = until > now ? (long long)(until - now) : 1;

	snprintf(buf, size, "Too many failed attempts: wait %lld second%s, then try again.", secs,
		 secs == 1 ? "" : "s");
	return buf;
}

const char *policy_text_source_wait(int64_t until, int64_t now, char *buf, size_t size)
{
	long long secs = until > now ? (long long)(until - now) : 1;

	if (secs < 120)
		snprintf(buf, size, "Too many attempts from here: try again in %lld second%s.",
			 secs, secs == 1 ? "" : "s");
	else
		snprintf(buf, size, "Too many attempts from here: try again in %lld minutes.",
			 (secs + 59) / 60);
	return buf;
}

/* ---------------------------------------------------------- invitations */

const char *policy_text_invite_unfinished(void)
{
	return "Your registration is not finished: enter the invitation code from your "
	       "welcome message.";
}

const char *policy_text_invite_outcome(enum store_result r)
{
	switch (r) {
	case STORE_OK:
		return "The invitation code is accepted.";
	case STORE_USED:
		return "This invitation has already been used. If that was not you, tell your "
		       "administrator.";
	case STORE_EXPIRED:
		return "This invitation has expired. Ask your administrator to send you a new one.";
	case STORE_REVOKED:
		return "This invitation has been withdrawn. Ask your administrator for a new one.";
	case STORE_SUPERSEDED:
		return "This invitation has been replaced by a newer one. Use the code from the "
		       "newest welcome message.";
	case STORE_MISMATCH:
	case STORE_NOT_FOUND:
		return "This code is not right. Check it against your welcome message and log in "
		       "again.";
	case STORE_FULL:
	case STORE_UNAVAILABLE:
	case STORE_EXISTS:
	case STORE_CONFLICT:
	case STORE_EMAIL_TAKEN:
	case STORE_NO_GROUP:
	case STORE_NO_POOL:
	case STORE_POOL_FULL:
		break;
	}
	return "The login service could not record your registration. Try again later.";
}

const char *policy_text_terms_refused(void)
{
	return "You did not accept the terms of use, so your registration is not finished and "
	       "nothing was changed. Your invitation is still valid: log in again when you "
	       "are ready to accept them.";
}

const char *policy_text_verification_wrong(void)
{
	return "This verification code is not right. Check it with your administrator and log "
	       "in again.";
}
