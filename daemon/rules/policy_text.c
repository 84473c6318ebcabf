/* SPDX-License-Identifier: BSD-3-Clause */
/* The words a person reads at the login prompt, in one place: every
 * sentence the login dialogue shows (login*.c pass them on, and write
 * none of their own), and what the rules' outcomes become.  Pure, as the
 * rest of the rules: time is a parameter, nothing is read or written. */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "duration.h"
#include "policy.h"

/* ------------------------------------------------------------ the fixed */

static const char *const said[SAY_COUNT] = {
	[SAY_LOGIN_INCORRECT] = "Login incorrect.",
	[SAY_UNAVAILABLE] =
		"The login service cannot read its database right now. Try again later or "
		"contact your administrator.",
	[SAY_INPUT_TOO_LONG] = "The input is too long.",
	[SAY_DISABLED] = "Your account is disabled. Contact your administrator.",
	[SAY_NOT_ONESELF] = "Permission denied: this program may check only its own user's login.",
	[SAY_ACCOUNT_CHANGED] = "Your account changed during this login. Log in again.",
	[SAY_PASSWORD] = "Password: ",
	[SAY_PASSWORD_OR_CODE] = "Password or access code: ",
	[SAY_ACCESS_CODE] = "Access code: ",
	[SAY_ENTER_ACCESS_CODE] =
		"Your registration is not finished: enter the access code your administrator "
		"gave you.",
	[SAY_CODE_ACCEPTED] = "Access code accepted.",
	[SAY_CONFIRM_USERNAME] = "Confirm your username: ",
	[SAY_USERNAME_MISMATCH] =
		"The username you typed does not match. Your access code is still valid: start "
		"again.",
	[SAY_KIOSK_WHO] = "Username or access code: ",
	[SAY_KIOSK_ROOT_ONLY] = "Permission denied: only root may run a kiosk login.",
	[SAY_NEW_PASSWORD] = "New password: ",
	[SAY_REPEAT_PASSWORD] = "Repeat new password: ",
	[SAY_CANNOT_CHECK] = "The password cannot be checked right now. Try again.",
	[SAY_NOT_SET_INVITE] = "No password was set. Your invitation is still valid: start again.",
	[SAY_NOT_SET_CODE] = "No password was set. Your access code is still valid: start again.",
	[SAY_SET_FAILED] = "The login service could not set your password. Try again later.",
	[SAY_INVITATION_CODE] = "Invitation code: ",
	[SAY_INVITATION_ACCEPTED] = "Invitation code accepted.",
	[SAY_VERIFICATION_CODE] = "Verification code: ",
	[SAY_VERIFICATION_ACCEPTED] = "Verification code accepted.",
	[SAY_NAME_UNCHANGED] = "Nothing was changed. Your invitation is still valid: start again.",
	[SAY_TERMS] = "Terms of use:",
	[SAY_TERMS_ACCEPT] = "Do you accept these terms of use? Type yes to accept: ",
	[SAY_AUTHENTICATOR_CODE] = "Authenticator code: ",
	[SAY_CODE_REPLAYED] =
		"This code has already been used. Wait for the next one and log in again.",
	[SAY_APP_CODE] = "Code shown by the app: ",
	[SAY_APP_CODE_WRONG] =
		"That code is not right. Check that the app shows this account and that the "
		"phone's clock is right, then type the current code.",
	[SAY_ENROL_FAILED] =
		"The authenticator was not set up. Log in again to start over with a new QR "
		"code.",
	[SAY_ENROLLED] =
		"Your authenticator app is set up. From now on, log in with your password and a "
		"code from the app.",
	[SAY_CHANGING] = "Changing the password for onboard.",
	[SAY_CURRENT_PASSWORD] = "Current password: ",
	[SAY_NOT_CHANGED] = "Your password was not changed.",
	[SAY_CHANGE_FAILED] = "The login service could not change your password. Try again later.",
	[SAY_CHANGE_CONFLICT] =
		"Your account changed while you were changing your password. Your password was "
		"not changed: try again.",
	[SAY_CHANGED] = "Your password has been changed.",
};

const char *policy_say(enum say s)
{
	/* A value the table has no words for says nothing, rather than
	 * read past it. */
	if ((unsigned)s >= SAY_COUNT || !said[s])
		return "";
	return said[s];
}

/* ------------------------------------------------- the varying, by flow */

const char *policy_text_welcome(const char *first_name, char *buf, size_t size)
{
	snprintf(buf, size, "Your new password is set. Welcome, %s.", first_name);
	return buf;
}

const char *policy_text_registered(const char *first_name, char *buf, size_t size)
{
	snprintf(buf, size, "Your registration is complete and your password is set. "
		 "Welcome, %s.", first_name);
	return buf;
}

const char *policy_text_choose_password(unsigned min_length, char *buf, size_t size)
{
	snprintf(buf, size, "Choose your new password: at least %u characters.", min_length);
	return buf;
}

const char *policy_text_name_ask(const char *first_name, const char *last_name, char *buf,
				 size_t size)
{
	snprintf(buf, size,
		 "Your name is registered as %s %s. Press Enter to keep it, or type your name "
		 "as it should be: ", first_name, last_name);
	return buf;
}

const char *policy_text_enrol(const char *before, char *buf, size_t size)
{
	snprintf(buf, size,
		 "%s%sNow set up two-factor authentication: open an authenticator app "
		 "(FreeOTP, Aegis, Google Authenticator, ...) and scan this QR code.",
		 before ? before : "", before ? "\n" : "");
	return buf;
}

const char *policy_text_enrol_key(const char *key, char *buf, size_t size)
{
	snprintf(buf, size, "Or add the key by hand: %s", key);
	return buf;
}

/* ------------------------------------------------ the enrolment's view */

enum enrol_view policy_enrol_view(const char *graphical_services, const char *service)
{
	const char *p = graphical_services;
	size_t want = service ? strlen(service) : 0;

	if (!p || want == 0)
		return ENROL_VIEW_QR;
	while (*p) {
		size_t n;

		p += strspn(p, " \t,");
		n = strcspn(p, " \t,");
		if (n == want && memcmp(p, service, n) == 0)
			return ENROL_VIEW_KEY;
		p += n;
	}
	return ENROL_VIEW_QR;
}

const char *policy_text_enrol_by_hand(const char *before, char *buf, size_t size)
{
	snprintf(buf, size,
		 "%s%sNow set up two-factor authentication: open an authenticator app "
		 "(FreeOTP, Aegis, Google Authenticator, ...), add an account by hand with "
		 "the key shown, and type the code the app shows.",
		 before ? before : "", before ? "\n" : "");
	return buf;
}

const char *policy_text_enrol_card(const char *issuer, const char *account, const char *key,
				   const char *algorithm, unsigned digits, char *buf, size_t size)
{
	char settings[64] = "";

	if (algorithm || digits)
		snprintf(settings, sizeof(settings), "\nType: time-based, %s, %u digits",
			 algorithm ? algorithm : "SHA1", digits ? digits : 6);
	snprintf(buf, size,
		 "Add this key to your authenticator app, then type its code:\n"
		 "Issuer: %s\nAccount: %s\nKey: %s%s", issuer, account, key, settings);
	return buf;
}

/* ------------------------------------------------- one message's size */

size_t policy_text_piece(const char *text, size_t max, size_t *next)
{
	size_t len = strnlen(text, max + 1), i;

	if (len <= max) {
		*next = len;
		return len;
	}
	/* text[max] exists: a newline there ends a piece of max bytes. */
	for (i = max; i > 0; i--)
		if (text[i] == '\n')
			break;
	if (i == 0)
		for (i = max; i > 0; i--)
			if (text[i] == ' ')
				break;
	if (i > 0) {
		*next = i + 1;
		return i;
	}
	/* One word longer than a message: cut before a continuation byte
	 * never, so each piece stays UTF-8. */
	for (i = max; i > 0 && ((unsigned char)text[i] & 0xc0) == 0x80; i--)
		;
	if (i == 0)
		i = max; /* not UTF-8: cut anywhere, still within max */
	*next = i;
	return i;
}

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
	case STORE_NO_ID:
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
	case STORE_NO_ID:
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
